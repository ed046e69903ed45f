#!/bin/sh
# tests/bench/run.sh -- `make bench`: run every tests/bench/bench_*.sh (or
# those whose name contains $1), each printing its own table.  Benchmarks
# compare newsfold with its peers side by side in one run, as ratios; they
# are never part of `make check`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEWSFOLD:=$here/../../newsfold}"
export NEWSFOLD BENCH_DIR="$here"
rc=0
for b in "$here"/bench_*.sh; do
	[ -f "$b" ] || continue
	case $b in *"${1:-}"*) ;; *) continue ;; esac
	echo "== $(basename "$b" .sh)"
	sh "$b" || { echo "$(basename "$b"): failed"; rc=1; }
done
exit $rc
