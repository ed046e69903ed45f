#!/bin/sh
# bench_cluster.sh -- the clustering stage on real streams and labelled news.
#
#   1. quality: shared/eval/cluster_quality.sh on the labelled ECB+ dev set
#      (pairwise and B-cubed precision, recall, F1);
#   2. speed: a replay of a real item table (shared/data/items, default the
#      gesab001 table, 60k items over 17 outlets) as one feed file per outlet
#      and day, polled once with sync = batch: microseconds per article (wall
#      and CPU, everything from reading the file to the commit), peak
#      memory, database bytes per article, stories with 3+ outlets, and
#      the three largest stories with the days each spans.
# BENCH_ITEMS names another table; BENCH_LIMIT caps the items replayed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED_DATA:-$here/../../../shared/data}
eval_dir=$(cd "$shared/../eval" 2>/dev/null && pwd) || { echo "bench_cluster: no shared/eval"; exit 1; }
items=${BENCH_ITEMS:-$shared/items/gesab001_rss_items_2020-2021.jsonl.xz}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

echo "-- quality on ECB+ dev (772 articles, 66 stories)"
bash "$eval_dir/cluster_quality.sh" "$NEWSFOLD" "$shared/stories/ecbplus-dev.jsonl" 2>/dev/null | tail -3

echo "-- replay of $(basename "$items")"
n=$(python3 "$here/items_to_feeds.py" "$items" "$w/feeds" ${BENCH_LIMIT:+--limit $BENCH_LIMIT})
printf '[store]\nsync = batch\n' > "$w/batch.conf"
NEWSFOLD_DEBUG=1 /usr/bin/time -f '%e %U %S %M' -o "$w/time" \
	"$NEWSFOLD" -c "$w/batch.conf" -d "$w/db" -f "$w/feeds/feeds.d" poll 2>"$w/poll.err"
# the candidate index the poll held in memory (cluster/index.h)
ix=$(sed -n 's/.*candidate index: \([0-9]*\) articles, \([0-9]*\) bytes.*/\1 \2/p' "$w/poll.err" | tail -1)
read -r wall user sys rss < "$w/time"
bytes=$(( $(du -sk "$w/db" | cut -f1) * 1024 )) # blocks in use: the map file is sparse
multi=$("$NEWSFOLD" -c /dev/null -d "$w/db" stories --all --min-outlets 3 | wc -l)
# the largest stories, and how many days each spans: a story that grew
# into a blob of a topic shows here
largest=$("$NEWSFOLD" -c /dev/null -d "$w/db" stories --all --json | python3 -c '
import json, sys
from datetime import datetime
def t(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
st = sorted((json.loads(l) for l in sys.stdin), key=lambda s: -len(s["articles"]))[:3]
print(", ".join("%d articles over %.1f days" % (len(s["articles"]),
      (t(s["last_seen"]) - t(s["first_seen"])).total_seconds() / 86400) for s in st))')
awk -v n="$n" -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss" -v bytes="$bytes" \
    -v multi="$multi" -v ix="$ix" -v largest="$largest" 'BEGIN {
	split(ix, x, " ")
	printf "articles %d  wall %.1f s  cpu %.1f s\n", n, wall, user + sys
	printf "per article: %.0f us wall, %.0f us cpu (goal 40 us)\n", wall / n * 1e6, (user + sys) / n * 1e6
	printf "peak memory %.0f MB, database %.0f bytes per article\n", rss / 1024, bytes / n
	printf "candidate index: %d articles, %.1f MB, %.0f bytes per article (goal 200)\n",
		x[1], x[2] / 1048576, x[1] ? x[2] / x[1] : 0
	printf "stories with 3 or more outlets: %d\n", multi
	printf "largest stories: %s\n", largest
}'
