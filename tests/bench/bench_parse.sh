#!/bin/sh
# bench_parse.sh -- `newsfold parse --json` against python3-feedparser and
# Node's rss-parser, side by side in one run: seconds, MB/s, items/s and peak
# RSS (GNU time) on a generated ~50 MB RSS 2.0 file (gen_rss.py) and on the
# real fixture set (FIXTURES, default ../shared/data/feeds/*/*.xml next to the
# repository, read in place).  Every parser prints its result as JSON to
# /dev/null, so all do the same work.  Goal: 40x feedparser and 5x
# rss-parser throughput, peak memory at most twice the input.
#
#   BENCH_MB=50  size of the generated file     RUNS=1  runs, the best kept
#   NF_RUNS=3    runs of newsfold (its runs are short, so the most exposed
#                to a busy machine), the best kept
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${NEWSFOLD:=$root/newsfold}"
: "${FIXTURES:=$root/../shared/data/feeds}"
: "${BENCH_MB:=50}" "${RUNS:=1}" "${NF_RUNS:=3}"
work=$root/build/bench
mkdir -p "$work"

# peers: install when missing (as root), otherwise skip them with a note
# the Debian package installs into the system python, which may not be the
# first python3 on PATH
PYFP=python3
/usr/bin/python3 -c 'import feedparser' 2>/dev/null && PYFP=/usr/bin/python3
if ! $PYFP -c 'import feedparser' 2>/dev/null && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-feedparser >/dev/null 2>&1
	PYFP=/usr/bin/python3
fi
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1
fi
if [ ! -d "$work/node_modules/rss-parser" ] && command -v npm >/dev/null; then
	(cd "$work" && npm install --silent --no-audit --no-fund rss-parser >/dev/null 2>&1)
fi
[ -x /usr/bin/time ] || { echo "bench_parse: GNU time (/usr/bin/time) is missing"; exit 1; }

gen=$work/gen_${BENCH_MB}mb.xml
[ -s "$gen" ] && [ "$gen" -nt "$here/gen_rss.py" ] || python3 "$here/gen_rss.py" "$gen" "$BENCH_MB"

cat >"$work/feedparser_run.py" <<'EOF'
import json, sys, time, feedparser
n = 0
for f in sys.argv[1:]:
    d = feedparser.parse(f)
    n += len(d.entries)
    sys.stdout.write(json.dumps({"source": f, "feed": d.feed, "entries": d.entries}, default=str) + "\n")
EOF
cat >"$work/rss_parser_run.js" <<'EOF'
const fs = require('fs');
const Parser = require('rss-parser');
const parser = new Parser();
(async () => {
  for (const f of process.argv.slice(2)) {
    try {
      const feed = await parser.parseString(fs.readFileSync(f, 'utf8'));
      process.stdout.write(JSON.stringify({source: f, feed}) + '\n');
    } catch (e) {
      process.stdout.write(JSON.stringify({source: f, error: String(e)}) + '\n');
    }
  }
})();
EOF

# measure NAME CMD...: best of RUNS (NF_RUNS for newsfold); sets SECS and KB
measure() {
	name=$1; shift
	SECS= KB=
	r=0 runs=$RUNS
	[ "$name" = newsfold ] && runs=$NF_RUNS
	while [ $r -lt "$runs" ]; do
		/usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>"$work/$name.err"
		read -r s k <"$work/time.out"
		if [ -z "$SECS" ] || awk "BEGIN{exit !($s < $SECS)}"; then SECS=$s; fi
		if [ -z "$KB" ] || [ "$k" -gt "$KB" ]; then KB=$k; fi
		r=$((r + 1))
	done
}

# bench LABEL FILES...: one table
bench() {
	label=$1; shift
	bytes=$(cat "$@" | wc -c)
	# items in the input (RSS items and Atom entries), whatever any parser keeps
	items=$(cat "$@" | grep -o '<item[ >]\|<item$\|<entry[ >]\|<entry$' | wc -l)
	mb=$(awk "BEGIN{printf \"%.1f\", $bytes / 1e6}")
	echo "-- $label: $# files, $mb MB, $items items"
	printf '%-12s %8s %9s %10s %9s %8s\n' parser seconds MB/s items/s "peak MB" "peak/in"
	nf_secs=
	for p in newsfold feedparser rss-parser; do
		case $p in
		newsfold) measure $p "$NEWSFOLD" -c /dev/null parse --json "$@" ;;
		feedparser)
			$PYFP -c 'import feedparser' 2>/dev/null || { echo "feedparser   (python3-feedparser not installed)"; continue; }
			measure $p $PYFP "$work/feedparser_run.py" "$@" ;;
		rss-parser)
			[ -d "$work/node_modules/rss-parser" ] || { echo "rss-parser   (npm rss-parser not installed)"; continue; }
			measure $p node "$work/rss_parser_run.js" "$@" ;;
		esac
		awk -v p="$p" -v s="$SECS" -v k="$KB" -v b="$bytes" -v i="$items" 'BEGIN {
			if (s <= 0) s = 0.01
			printf "%-12s %8.2f %9.1f %10.0f %9.1f %8.2f\n", p, s, b / 1e6 / s, i / s, k / 1024, k * 1024 / b }'
		if [ $p = newsfold ]; then nf_secs=$SECS; else
			awk -v p="$p" -v a="$SECS" -v b="$nf_secs" 'BEGIN {
				if (b <= 0) b = 0.01
				printf "%-12s newsfold is %.1fx faster\n", "", a / b }'
		fi
	done
}

bench "generated RSS 2.0" "$gen"
set -- "$FIXTURES"/*/*.xml
if [ -f "$1" ]; then
	bench "real fixtures" "$@"
else
	echo "-- real fixtures: none under $FIXTURES (set FIXTURES)"
fi
