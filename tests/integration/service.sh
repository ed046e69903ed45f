#!/bin/sh
# service.sh -- `newsfold run`, the daemon, as systemd sees it: sd_notify
# messages on a NOTIFY_SOCKET of the test's own (READY, STATUS, WATCHDOG,
# RELOADING, STOPPING), SIGHUP re-reading feeds.d, SIGTERM abandoning the
# transfers in flight and exiting 0, and its log lines (journald prefixes
# under systemd, plain otherwise; a failing feed logged once, not per poll).
. "$(dirname "$0")/lib.sh"

W=$T/www
mkdir -p "$W"
cp "$DATA/http/feed.xml" "$W/a.xml"
cp "$DATA/http/feed.xml" "$W/new.xml"
printf 'x-delay: 2.5\nbody-file: a.xml\n' >"$W/slow.xml.http"
printf 'x-delay: 6\nbody-file: a.xml\n' >"$W/slow2.xml.http"
printf '[poll]\ninterval = 1s\nmin_interval = 1s\ntimeout = 10s\n' >"$T/newsfold.conf"
httpd_start "$W"
U=$HTTPD_URL
printf '[%s/a.xml]\n[%s/missing.xml]\n' "$U" "$U" >"$T/feeds.d/a.conf"
printf '[%s/slow.xml]\n' "$U" >"$T/feeds.d/b.conf"

NPID=
python3 "$TESTS_DIR/notify_listen.py" "$T/notify.sock" "$T/notify.log" &
NPID=$!
RPID=
trap '[ -n "$RPID" ] && kill -KILL $RPID 2>/dev/null; kill $NPID 2>/dev/null; cleanup' EXIT
i=0; while [ ! -S "$T/notify.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

# wait_for N PATTERN: until the notify log has N lines matching PATTERN (5 s)
wait_for() {
	i=0
	while [ "$(grep -c -- "$2" "$T/notify.log" 2>/dev/null)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ "$(grep -c -- "$2" "$T/notify.log" 2>/dev/null)" -ge "$1" ]
}
requests() { grep -c "\"path\": \"/$1\"" "$T/httpd.log"; }

: >"$T/notify.log"
# the binary itself in the background (not a shell function): signals reach it
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 \
	"$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" run 2>"$T/run.err" &
RPID=$!
wait_for 1 'READY=1' && ok "run says READY=1 once the store is open" ||
	fail "run says READY=1 once the store is open" "$(cat "$T/notify.log" "$T/run.err")"
grep 'READY=1' "$T/notify.log" | head -1 | grep -q 'STATUS=3 feeds' &&
	ok "READY=1 comes with a STATUS= counting the feeds" ||
	fail "READY=1 comes with a STATUS= counting the feeds" "$(head -3 "$T/notify.log")"

# while slow.xml is in flight: unsubscribe it, subscribe to new.xml, SIGHUP
sleep 0.3
rm "$T/feeds.d/b.conf"
printf '[%s/new.xml]\n' "$U" >"$T/feeds.d/c.conf"
kill -HUP $RPID
wait_for 1 'RELOADING=1' && ok "SIGHUP sends RELOADING=1" || fail "SIGHUP sends RELOADING=1" "$(cat "$T/notify.log")"
wait_for 2 'READY=1' && ok "READY=1 again once reloaded" || fail "READY=1 again once reloaded" "$(cat "$T/notify.log")"
sleep 4.5

nfc feeds --json >"$T/feeds.json" 2>/dev/null
json_assert "the daemon polls its feeds and stores the outcome" "$T/feeds.json" "
by = {f['url'].rsplit('/', 1)[1]: f for f in rows}
assert by['a.xml']['status'] in ('ok', 'not_modified') and by['a.xml']['articles'] == 1, by['a.xml']
assert by['missing.xml']['status'] == 'error' and by['missing.xml']['failures'] >= 2, by['missing.xml']
"
json_assert "a feed added before SIGHUP is polled" "$T/feeds.json" "
by = {f['url'].rsplit('/', 1)[1]: f for f in rows}
assert by['new.xml']['status'] in ('ok', 'not_modified'), by['new.xml']
"
if [ -s "$T/stories.atom" ] && "$NEWSFOLD" parse --json "$T/stories.atom" 2>/dev/null |
	grep -q '"format":"atom10"'; then
	ok "after a round of polls, the stories are written to STATE/stories.atom"
else
	fail "after a round of polls, the stories are written to STATE/stories.atom" "$(ls "$T")"
fi
n=$(requests a.xml)
[ "$n" -ge 3 ] && ok "a due feed is polled again and again (interval 1s here)" ||
	fail "a due feed is polled again and again (interval 1s here)" "$n requests"
n=$(grep -c 'missing.xml: failing' "$T/run.err")
[ "$n" -eq 1 ] && [ "$(requests missing.xml)" -ge 2 ] &&
	ok "a failing feed is logged when it starts failing, not on every poll" ||
	fail "a failing feed is logged when it starts failing, not on every poll" \
		"$n lines for $(requests missing.xml) polls: $(cat "$T/run.err")"
grep -q 'WATCHDOG=1' "$T/notify.log" && ok "WATCHDOG=1 is sent when WATCHDOG_USEC is set" ||
	fail "WATCHDOG=1 is sent when WATCHDOG_USEC is set" "$(sort -u "$T/notify.log")"
grep -q 'STATUS=.*1 failing' "$T/notify.log" && ok "STATUS= counts the failing feeds" ||
	fail "STATUS= counts the failing feeds" "$(grep STATUS "$T/notify.log" | tail -3)"
grep -q '^newsfold: ' "$T/run.err" && ! grep -q '^<[0-9]>' "$T/run.err" &&
	ok "outside systemd, log lines are plain" || fail "outside systemd, log lines are plain" "$(head -3 "$T/run.err")"

# SIGTERM with slow2.xml in flight
printf '[%s/slow2.xml]\n' "$U" >"$T/feeds.d/d.conf"
kill -HUP $RPID
wait_for 3 'READY=1'
sleep 0.5
t0=$(date +%s.%N)
kill -TERM $RPID
wait $RPID; rc=$?
RPID=
t1=$(date +%s.%N)
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit 0" "exit $rc: $(tail -3 "$T/run.err")"
python3 -c "import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) < 3 else 1)" "$t0" "$t1" &&
	ok "SIGTERM: exits within seconds although a transfer was in flight" ||
	fail "SIGTERM: exits within seconds although a transfer was in flight" "$t0 -> $t1"
wait_for 1 'STOPPING=1' && ok "SIGTERM: STOPPING=1" || fail "SIGTERM: STOPPING=1" "$(tail -3 "$T/notify.log")"
printf '[%s/slow.xml]\n' "$U" >"$T/feeds.d/b.conf"
nfc feeds --json >"$T/feeds2.json" 2>/dev/null
json_assert "an abandoned transfer stores nothing; a feed removed while in flight neither" "$T/feeds2.json" "
by = {f['url'].rsplit('/', 1)[1]: f for f in rows}
assert by['slow2.xml']['status'] == 'never', by['slow2.xml']
assert by['slow.xml']['status'] == 'never', by['slow.xml']
"

# under systemd (JOURNAL_STREAM and INVOCATION_ID set): journald priorities
: >"$T/notify.log"
JOURNAL_STREAM=8:1234 INVOCATION_ID=0123456789abcdef NOTIFY_SOCKET=$T/notify.sock \
	"$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" run 2>"$T/journal.err" &
RPID=$!
wait_for 1 'READY=1'
sleep 0.5
kill -INT $RPID
wait $RPID; rc=$?
RPID=
[ $rc -eq 0 ] && ok "SIGINT: exit 0" || fail "SIGINT: exit 0" "exit $rc"
head -1 "$T/journal.err" | grep -q '^<6>running' && ! grep -qv '^<[0-9]>' "$T/journal.err" &&
	ok "under systemd, every log line has a journald priority prefix" ||
	fail "under systemd, every log line has a journald priority prefix" "$(head -5 "$T/journal.err")"
expect_exit 2 "run takes no argument" nfc run extra

done_testing
