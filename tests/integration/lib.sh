# tests/integration/lib.sh -- sourced by each integration script.
#
#   ok NAME / fail NAME WHY       report one case (TAP-like lines)
#   check NAME CMD...             run CMD; ok when it exits 0
#   expect_exit N NAME CMD...     ok when CMD exits with status N
#   httpd_start DIR               serve DIR on 127.0.0.1 (tests/httpd.py);
#                                 sets HTTPD_URL, stopped on exit
#   nf ARGS...                    $NEWSFOLD with this test's config, store
#                                 and feeds.d ($T/db, $T/feeds.d)
#
# Every script works in its own temporary folder $T, removed on exit, and
# touches nothing outside it; HOME and XDG_* point into it.
set -u
: "${NEWSFOLD:?NEWSFOLD must name the binary under test}"
: "${TESTS_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
DATA=$TESTS_DIR/data
T=$(mktemp -d "${TMPDIR:-/tmp}/nf-it.XXXXXX")
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state \
       XDG_DATA_HOME=$T/home/.local/share XDG_CACHE_HOME=$T/home/.cache
unset STATE_DIRECTORY CONFIGURATION_DIRECTORY NOTIFY_SOCKET NO_COLOR || true
mkdir -p "$HOME" "$T/feeds.d"
HTTPD_PID=
cleanup() {
	[ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null && wait "$HTTPD_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
FAILED=0

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; FAILED=1; }
check() {
	name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then ok "$name"; else fail "$name" "$(tail -5 "$T/check.out")"; fi
}
expect_exit() {
	want=$1 name=$2; shift 2
	"$@" >"$T/check.out" 2>"$T/check.err"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $got, wanted $want: $(tail -3 "$T/check.err")"; fi
}
nf() { "$NEWSFOLD" -c /dev/null -d "$T/db" -f "$T/feeds.d" "$@"; }

httpd_start() {
	rm -f "$T/httpd.port"
	python3 "$TESTS_DIR/httpd.py" --root "$1" --port-file "$T/httpd.port" \
		--log "$T/httpd.log" 2>>"$T/httpd.err" &
	HTTPD_PID=$!
	i=0
	while [ ! -s "$T/httpd.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$T/httpd.port" ] || { echo "httpd did not start: $(cat "$T/httpd.err")"; exit 1; }
	HTTPD_URL=http://127.0.0.1:$(cat "$T/httpd.port")
}

done_testing() { exit $FAILED; }

# Added helpers:
#   nfc ARGS...                   like nf, with $T/newsfold.conf instead of
#                                 /dev/null (written with short timeouts when
#                                 missing: [poll] timeout 2s, connect 1s)
#   json_assert NAME FILE CODE    run the Python CODE with `rows`, the JSON
#                                 lines of FILE parsed (a line that is not
#                                 JSON fails); ok when CODE raises nothing
#   replay_conf [FILE...]         print a feeds.d drop-in of file:// sections,
#                                 one per FILE (default: tests/data/replay/*.xml)
nfc() {
	[ -f "$T/newsfold.conf" ] ||
		printf '[poll]\ntimeout = 2s\nconnect_timeout = 1s\n' >"$T/newsfold.conf"
	"$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" "$@"
}
json_assert() {
	name=$1 file=$2 code=$3
	if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
exec(sys.argv[2])
' "$file" "$code" >"$T/json.out" 2>&1; then
		ok "$name"
	else
		fail "$name" "$(tail -3 "$T/json.out" | tr '\n' ' ')"
	fi
}
replay_conf() {
	[ $# -gt 0 ] || set -- "$DATA"/replay/*.xml
	for f in "$@"; do
		case $f in /*) ;; *) f=$PWD/$f ;; esac
		printf '[file://%s]\n' "$f"
	done
}
