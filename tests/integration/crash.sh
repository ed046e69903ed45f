#!/bin/sh
# crash.sh -- polls killed with SIGKILL at random moments, again and again,
# against a local server whose feeds keep growing: after every kill `fsck`
# finds the store consistent, and no article that a completed poll stored
# is ever lost.  Every other poll commits with sync = batch (a killed
# process must lose nothing either way).  Bounded to about CRASH_SECONDS
# (default 20) seconds.
. "$(dirname "$0")/lib.sh"

GEN=$TESTS_DIR/bench/bench_store_gen.py
W=$T/www
SECONDS_MAX=${CRASH_SECONDS:-20}
python3 "$GEN" --dir "$W" --feeds 6 --items 60 --hours 24
httpd_start "$W"
for f in "$W"/*.xml; do printf '[%s/%s]\n' "$HTTPD_URL" "$(basename "$f")"; done >"$T/feeds.d/crash.conf"
: >"$T/committed"

# guids SRC: every article guid of `stories --all --json`, sorted, into SRC
guids() {
	nfc stories --all --json 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    for a in json.loads(l)["articles"]:
        print(a.get("guid", ""))' | sort -u >"$1"
}
rand_ms() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

end=$(( $(date +%s) + SECONDS_MAX ))
n=0 kills=0 completed=0 bad_fsck=0 lost=0 items=60
span=100 # ms: as long as the last poll left to finish took, so kills land inside polls
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	items=$((items + 20))
	python3 "$GEN" --dir "$W" --feeds 6 --items $items --hours 24
	sync=durable
	[ $((n % 2)) -eq 0 ] && sync=batch
	printf '[poll]\ntimeout = 2s\nconnect_timeout = 1s\n[store]\nsync = %s\n' $sync >"$T/newsfold.conf"
	t0=$(now_ms)
	nfc poll --force >/dev/null 2>"$T/poll.err" &
	pid=$!
	# every third poll is left to finish: what it stored is committed
	if [ $((n % 3)) -ne 0 ]; then
		ms=$(rand_ms $span)
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	fi
	{ wait $pid; } 2>/dev/null
	rc=$?
	if [ $((n % 3)) -eq 0 ] && [ $rc -eq 0 ]; then
		span=$(( $(now_ms) - t0 ))
		[ $span -ge 10 ] || span=10
	fi
	if [ $rc -eq 0 ]; then
		# a completed poll: everything it stored must survive what follows
		completed=$((completed + 1))
		guids "$T/now"
		sort -u "$T/committed" "$T/now" >"$T/c2" && mv "$T/c2" "$T/committed"
	fi
	if ! nfc fsck >"$T/fsck.out" 2>&1; then
		bad_fsck=$((bad_fsck + 1))
		echo "# after kill $n: $(head -5 "$T/fsck.out")"
	fi
	guids "$T/now"
	missing=$(comm -23 "$T/committed" "$T/now" | wc -l)
	if [ "$missing" -ne 0 ]; then
		lost=$((lost + missing))
		echo "# after kill $n: $missing committed articles missing"
	fi
done
echo "# $n polls, $kills killed, $completed completed, $(wc -l <"$T/committed") articles committed"
if [ $kills -ge 5 ]; then ok "polls were killed at random moments ($kills times)"; else fail "too few kills" "$kills"; fi
if [ $bad_fsck -eq 0 ]; then ok "fsck is clean after every kill"; else fail "fsck is clean after every kill" "$bad_fsck failures"; fi
if [ $lost -eq 0 ] && [ -s "$T/committed" ]; then
	ok "no article a completed poll stored is ever lost"
else
	fail "no article a completed poll stored is ever lost" "$lost lost"
fi
# and a final poll left to finish stores everything the feeds carry
expect_exit 0 "a poll after the crashes completes" nfc poll --force
guids "$T/now"
want=$((6 * items))
got=$(wc -l <"$T/now")
if [ "$got" -eq "$want" ]; then ok "every item is stored once after the crashes"; else fail "every item is stored once after the crashes" "$got guids, want $want"; fi
expect_exit 0 "fsck is clean at the end" nfc fsck
done_testing
