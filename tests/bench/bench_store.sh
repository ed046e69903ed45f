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
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
echo "generating $FEEDS feeds of 1000 items..."
python3 "$here/bench_store_gen.py" --dir "$T/w" --feeds "$FEEDS" --items 1000 --hours 48
mkdir -p "$T/feeds.d"
for f in "$T"/w/*.xml; do printf '[file://%s]\n' "$f"; done >"$T/feeds.d/bench.conf"

ms() { echo $(( $(date +%s%N) / 1000000 )); } # date: a python start would be timed too
# lat CMD...: the median of 5 runs, in ms
lat() {
	for i in 1 2 3 4 5; do
		a=$(ms); "$@" >/dev/null 2>&1; b=$(ms); echo $((b - a))
	done | sort -n | sed -n 3p
}

# memrun OUT CMD...: run CMD, sampling /proc/PID/status every 0.2 s; OUT
# gets "peak-RSS peak-anonymous peak-file-mapped" in KB.  RSS counts the
# pages of the LMDB map the process touched (file-backed: the kernel can
# drop them at will); the anonymous part is the process's own memory.
memrun() {
	out=$1; shift
	"$@" & pid=$!
	ra=0 rf=0 hwm=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ -r "/proc/$pid/status" ]; then
			set -- $(awk '/^VmHWM:/ {h=$2} /^RssAnon:/ {a=$2} /^RssFile:/ {f=$2}
				END {print h+0, a+0, f+0}' "/proc/$pid/status" 2>/dev/null)
			[ "${1:-0}" -gt "$hwm" ] && hwm=$1
			[ "${2:-0}" -gt "$ra" ] && ra=$2
			[ "${3:-0}" -gt "$rf" ] && rf=$3
		fi
		sleep 0.2
	done
	wait "$pid"
	echo "$hwm $ra $rf" >"$out"
}

for mode in durable batch; do
	printf '[store]\nsync = %s\n[poll]\nconcurrency = 8\n' "$mode" >"$T/$mode.conf"
	db=$T/db-$mode
	nf() { "$NEWSFOLD" -c "$T/$mode.conf" -d "$db" -f "$T/feeds.d" "$@"; }
	a=$(ms)
	memrun "$T/mem" env NEWSFOLD_DEBUG=1 "$NEWSFOLD" -c "$T/$mode.conf" -d "$db" -f "$T/feeds.d" \
		poll 2>"$T/poll.err"
	b=$(ms)
	secs=$(( b - a ))
	size=$(du -k "$db/data.mdb" | cut -f1)
	read -r hwm anon file <"$T/mem"
	story=$(nf stories --since 24h --json 2>/dev/null | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
	printf '%-8s %9d articles in %7.1f s: %7.0f articles/s  %5d bytes/article on disk\n' \
		"$mode" "$N" "$(echo "$secs / 1000" | bc -l)" "$(echo "$N * 1000 / $secs" | bc -l)" \
		$(( size * 1024 / N ))
	printf '%-8s peak RSS %d MB: anonymous %d MB, mapped database pages %d MB\n' "$mode" \
		$((hwm / 1024)) $((anon / 1024)) $((file / 1024))
	# the candidate index the poll held in memory (cluster/index.h)
	sed -n 's/.*candidate index: \([0-9]*\) articles, \([0-9]*\) bytes.*/\1 \2/p' "$T/poll.err" |
		tail -1 | awk -v m="$mode" '{ printf "%-8s candidate index: %d articles, %.0f MB, %.0f bytes/article\n",
			m, $1, $2 / 1048576, $1 ? $2 / $1 : 0 }'
	printf '%-8s stories --since 24h: %d ms   show: %d ms\n' "$mode" \
		"$(lat nf stories --since 24h)" "$(lat nf show "$story")"
done

# fsck over the whole store
db=$T/db-batch
a=$(ms)
"$NEWSFOLD" -c "$T/batch.conf" -d "$db" -f "$T/feeds.d" fsck >/dev/null 2>"$T/fsck.err"
b=$(ms)
echo "fsck at $N articles: $(( b - a )) ms: $(cat "$T/fsck.err")"
