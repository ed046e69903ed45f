#!/bin/sh
# bench_copies.sh -- the copy tier on a synthetic edit suite: every labelled
# article of at least 150 words of shared/data/stories/ecbplus-dev.jsonl is
# copied as wire copy (dateline and footer), with 5% of its words edited,
# and as a 60-word teaser; recall per kind and false positives between
# originals of different stories (tests/bench/copies.py says how).  Then
# the teasers are polled before their originals: recall of the originals
# marked copies of their teasers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${SHARED_DATA:-$here/../../../shared/data}/stories/ecbplus-dev.jsonl
[ -r "$data" ] || { echo "bench_copies: $data not found (set SHARED_DATA)"; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
python3 "$here/copies.py" make "$data" "$w/suite"
"$NEWSFOLD" -c /dev/null -d "$w/db" -f "$w/suite/feeds.d" poll 2>/dev/null
"$NEWSFOLD" -c /dev/null -d "$w/db" stories --all --json > "$w/stories.jsonl"
python3 "$here/copies.py" score "$w/suite" "$w/stories.jsonl"
"$NEWSFOLD" -c /dev/null -d "$w/db-first" -f "$w/suite/feeds-first.d" poll 2>/dev/null
"$NEWSFOLD" -c /dev/null -d "$w/db-first" stories --all --json > "$w/stories-first.jsonl"
python3 "$here/copies.py" score-first "$w/suite" "$w/stories-first.jsonl"
