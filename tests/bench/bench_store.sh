#!/bin/sh
# bench_store.sh -- the store at scale: BENCH_STORE_ARTICLES (default
# 1,000,000) synthetic articles (bench_store_gen.py: Zipf vocabulary,
# stories of several articles) through the whole pipeline, as file://
# feeds of 1000 items, polled once with durable commits and once with
# sync = batch.  Prints articles/s, `stories --since 24h` and `show`
# latency, bytes on disk per article and the poll's peak memory, then
# the time of fsck over it all.  (Retention under a steady load: see
# test_store's retention_reuses_space_under_a_steady_load.)
set -u
: "${NEWSFOLD:?}"
here=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_STORE_ARTICLES:-1000000}
FEEDS=$(( (N + 999) / 1000 ))
T=$(mktemp -d "${TMPDIR:-/tmp}/nf-bench-store.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
echo "generating $FEEDS feeds of 1000 items..."
python3 "$here/bench_store_gen.py" --dir "$T/w" --feeds "$FEEDS" --items 1000 --hours 48
mkdir -p "$T/feeds.d"
for f in "$T"/w/*.xml; do printf '[file://%s]\n' "$f"; done >"$T/feeds.d/bench.conf"

ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
# lat CMD...: the median of 5 runs, in ms
lat() {
	for i in 1 2 3 4 5; do
		a=$(ms); "$@" >/dev/null 2>&1; b=$(ms); echo $((b - a))
	done | sort -n | sed -n 3p
}

for mode in durable batch; do
	printf '[store]\nsync = %s\n[poll]\nconcurrency = 8\n' "$mode" >"$T/$mode.conf"
	db=$T/db-$mode
	nf() { "$NEWSFOLD" -c "$T/$mode.conf" -d "$db" -f "$T/feeds.d" "$@"; }
	a=$(ms)
	/usr/bin/time -f '%M' -o "$T/rss" "$NEWSFOLD" -c "$T/$mode.conf" -d "$db" -f "$T/feeds.d" poll 2>"$T/poll.err"
	b=$(ms)
	secs=$(( b - a ))
	size=$(du -k "$db/data.mdb" | cut -f1)
	story=$(nf stories --since 24h --json 2>/dev/null | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
	printf '%-8s %9d articles in %7.1f s: %7.0f articles/s  peak RSS %5d MB  %5d bytes/article on disk\n' \
		"$mode" "$N" "$(echo "$secs / 1000" | bc -l)" "$(echo "$N * 1000 / $secs" | bc -l)" \
		$(( $(cat "$T/rss") / 1024 )) $(( size * 1024 / N ))
	printf '%-8s stories --since 24h: %d ms   show: %d ms\n' "$mode" \
		"$(lat nf stories --since 24h)" "$(lat nf show "$story")"
done

# fsck over the whole store
db=$T/db-batch
a=$(ms)
"$NEWSFOLD" -c "$T/batch.conf" -d "$db" -f "$T/feeds.d" fsck >/dev/null 2>"$T/fsck.err"
b=$(ms)
echo "fsck at $N articles: $(( b - a )) ms: $(cat "$T/fsck.err")"
