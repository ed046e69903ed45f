#!/bin/sh
# bench_poll.sh -- poll N feeds of ~40 KB (default 10,000) served by nginx
# from loopback across 20 addresses (127.0.0.2 to 127.0.0.21): newsfold's
# first poll (all 200) and second poll (all 304), side by side with
# newsboat `-x reload` (reload-threads 16) on the same URLs and with the
# bare transfer (`curl --parallel` to /dev/null).  Prints wall time, CPU
# time (user+sys) and peak memory of each, and the ratios.
#
#   BENCH_FEEDS=1000 sh tests/bench/bench_poll.sh     a smaller run
#   BENCH_PEER_LIMIT=900 (seconds)  newsboat is stopped after this long; its
#                                   ratio is then printed as a lower bound
#
# nginx and newsboat are Debian packages, installed here when missing and
# running as root; without nginx, 20 tests/httpd.py servers stand in (far
# slower: the figures then measure them).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEWSFOLD:=$here/../../newsfold}"
N=${BENCH_FEEDS:-10000}
PEER_LIMIT=${BENCH_PEER_LIMIT:-900}
PORT=${BENCH_PORT:-18080}
T=$(mktemp -d "${TMPDIR:-/tmp}/nf-bench-poll.XXXXXX")
NGINX_PID= PIDS=
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

need() { # need CMD PACKAGE: install PACKAGE when CMD is missing and we are root
	command -v "$1" >/dev/null 2>&1 && return 0
	[ -x "/usr/sbin/$1" ] && return 0
	[ "$(id -u)" = 0 ] || return 1
	echo "bench_poll: installing $2" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; }
}
need nginx nginx-light
need newsboat newsboat
[ -x /usr/bin/time ] || need time time

# ---- the feeds: N RSS documents of ~40 KB, 20 items each ----------------
mkdir -p "$T/www" "$T/feeds.d"
python3 - "$T/www" "$N" <<'EOF'
import os, sys, random
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
# a vocabulary of 20,000 made-up words drawn with a Zipf-like law, as in news text
syl = "ka lo mi ne ta ri so vu pe da gu fi re ho ma ni te zo ba lu".split()
words = sorted({"".join(rnd.choice(syl) for _ in range(rnd.randint(1, 4))) for _ in range(40000)})[:20000]
rnd.shuffle(words)
weights = [1.0 / (r + 1) for r in range(len(words))]
def pick(k):
    return rnd.choices(words, weights, k=k)
for i in range(n):
    items = []
    for j in range(20):
        title = " ".join(pick(8))
        text = " ".join(pick(260))
        items.append("<item><title>%s %d-%d</title><link>http://example.org/%d/%d</link>"
                     "<guid>http://example.org/%d/%d</guid>"
                     "<pubDate>Thu, 13 Feb 2025 %02d:%02d:00 GMT</pubDate>"
                     "<description>%s</description></item>\n"
                     % (title, i, j, i, j, i, j, j, i % 60, text))
    d = os.path.join(root, "f%03d" % (i // 1000))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%05d.xml" % i), "w") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                "<title>Bench feed %d</title><link>http://example.org/%d</link>"
                "<description>bench</description>\n%s</channel></rss>\n"
                % (i, i, "".join(items)))
EOF
: >"$T/urls"
i=0
while [ $i -lt "$N" ]; do
	printf 'http://127.0.0.%d:%d/f%03d/%05d.xml\n' $((2 + i % 20)) "$PORT" $((i / 1000)) $i
	i=$((i + 1))
done >"$T/urls"
sed 's/.*/[&]/' "$T/urls" >"$T/feeds.d/bench.conf"

# ---- the server -----------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ]; then
	mkdir -p "$T/nginx"
	{
		echo "daemon off; worker_processes 2; pid $T/nginx/pid; error_log $T/nginx/error.log;"
		[ "$(id -u)" = 0 ] && echo "user root;" # the workers read $T (mode 700)
		echo "events { worker_connections 4096; }"
		echo "http { access_log off; sendfile on; keepalive_requests 100000;"
		echo "  default_type application/rss+xml; etag on;"
		echo "  client_body_temp_path $T/nginx; proxy_temp_path $T/nginx;"
		echo "  fastcgi_temp_path $T/nginx; uwsgi_temp_path $T/nginx; scgi_temp_path $T/nginx;"
		echo "  server {"
		a=2; while [ $a -le 21 ]; do echo "    listen 127.0.0.$a:$PORT;"; a=$((a + 1)); done
		echo "    root $T/www; } }"
	} >"$T/nginx/nginx.conf"
	"$NGINX" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" &
	NGINX_PID=$!
	SERVER=nginx
else
	echo "bench_poll: nginx missing: 20 tests/httpd.py servers instead (slow)" >&2
	echo "bench_poll: httpd.py binds a port of its own: not supported yet" >&2
	exit 1
fi
i=0
until curl -sf -o /dev/null "http://127.0.0.21:$PORT/f000/00000.xml" || [ $i -gt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -sf -o /dev/null "http://127.0.0.21:$PORT/f000/00000.xml" ||
	{ echo "bench_poll: the server does not answer: $(tail -3 "$T/nginx/error.log")" >&2; exit 1; }
bytes=$(du -sb "$T/www" | cut -f1)

# measure NAME CMD...: one line "NAME wall cpu peak_kb anon_kb" into
# $T/results.  Peak RSS counts the pages of newsfold's LMDB map that it
# touched (file-backed, the kernel's to drop); the anonymous peak, sampled
# from /proc every 0.2 s, is the process's own memory.
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$T/time.out" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	tp=$!
	anon=0
	while kill -0 "$tp" 2>/dev/null; do
		for c in $(pgrep -P "$tp"); do
			a=$(awk '/^RssAnon:/ {print $2}' "/proc/$c/status" 2>/dev/null)
			[ "${a:-0}" -gt "$anon" ] && anon=$a
		done
		sleep 0.2
	done
	wait "$tp"
	case $? in
	0) ;;
	124) echo "bench_poll: $name stopped after $PEER_LIMIT s" >&2 ;;
	*) echo "bench_poll: $name failed: $(tail -3 "$T/$name.err")" >&2 ;;
	esac
	# the last line: GNU time puts "Command exited with non-zero status"
	# before it when the command failed (or was stopped)
	tail -n 1 "$T/time.out" >"$T/time.last"
	read -r wall user sys kb <"$T/time.last"
	cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
	echo "$name $wall $cpu $kb $anon" >>"$T/results"
}
: >"$T/results"

# ---- the bare transfer ----------------------------------------------------
sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$T/urls" >"$T/curl.cfg"
measure curl curl -sf --parallel --parallel-max 32 -K "$T/curl.cfg"

# ---- newsfold ---------------------------------------------------------------
printf '[store]\nsync = batch\n' >"$T/newsfold.conf"
measure newsfold_200 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" poll
measure newsfold_304 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" poll --force
ok=$("$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" feeds --json 2>/dev/null |
	grep -c '"status":"not_modified"')

# ---- newsboat ---------------------------------------------------------------
if command -v newsboat >/dev/null 2>&1; then
	mkdir -p "$T/nb"
	printf 'reload-threads 16\n' >"$T/nb/config"
	# newsboat's reload grows faster than linearly with the feeds: it is
	# stopped after BENCH_PEER_LIMIT seconds (its ratio is then a bound)
	HOME=$T/nb measure newsboat_1 timeout "$PEER_LIMIT" \
		newsboat -x reload -u "$T/urls" -c "$T/nb/cache.db" -C "$T/nb/config"
	if [ "$(awk '$1 == "newsboat_1" { print ($2 < '"$PEER_LIMIT"' - 1) }' "$T/results")" = 1 ]; then
		HOME=$T/nb measure newsboat_2 timeout "$PEER_LIMIT" \
			newsboat -x reload -u "$T/urls" -c "$T/nb/cache.db" -C "$T/nb/config"
	fi
fi

echo "$N feeds, $((bytes / N / 1024)) KB each, $SERVER on 127.0.0.2-21; $ok of $N answered 304 on the second newsfold poll"
awk -v limit="$PEER_LIMIT" '
{ name[NR] = $1; wall[$1] = $2; cpu[$1] = $3; kb[$1] = $4; anon[$1] = $5 }
END {
	printf "%-14s %9s %9s %10s %12s\n", "run", "wall s", "cpu s", "peak MB", "anonymous MB"
	for (i = 1; i <= NR; i++)
		printf "%-14s %9.2f %9.2f %10.1f %12.1f\n", name[i], wall[name[i]], cpu[name[i]],
		    kb[name[i]] / 1024, anon[name[i]] / 1024
	if ("newsboat_1" in wall && wall["newsfold_200"] > 0)
		printf "first poll: newsboat / newsfold %s %.1fx (goal >= 5)%s\n",
		    (wall["newsboat_1"] >= limit - 1) ? ">=" : "=", wall["newsboat_1"] / wall["newsfold_200"],
		    (wall["newsboat_1"] >= limit - 1) ? sprintf(" (newsboat stopped after %d s)", limit) : ""
	if (wall["curl"] > 0)
		printf "first poll: newsfold / curl = %.2fx (goal <= 1.5)\n", wall["newsfold_200"] / wall["curl"]
	printf "second poll (304): %.2f s (goal < 5)\n", wall["newsfold_304"]
	printf "peak memory: %.0f MB RSS, %.0f MB of it anonymous (goal < 200)\n", (kb["newsfold_200"] > kb["newsfold_304"] ? kb["newsfold_200"] : kb["newsfold_304"]) / 1024, (anon["newsfold_200"] > anon["newsfold_304"] ? anon["newsfold_200"] : anon["newsfold_304"]) / 1024
}' "$T/results"
