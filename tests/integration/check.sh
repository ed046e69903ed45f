#!/bin/sh
# check.sh -- `newsfold check` validates newsfold.conf and feeds.d: the
# shipped subscriptions pass, a bad line is reported as FILE:LINE: why.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$TESTS_DIR/.." && pwd)

"$NEWSFOLD" -c /dev/null -d "$T/db" -f "$REPO/feeds.d" check >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && grep -q "^configuration OK" "$T/out" && [ ! -s "$T/err" ]; then
	ok "check of the shipped feeds.d prints configuration OK and exits 0"
else
	fail "check of the shipped feeds.d prints configuration OK and exits 0" \
		"exit $rc: $(cat "$T/out") $(head -3 "$T/err")"
fi
n=$(sed -n 's/^configuration OK: \([0-9]*\) feeds.*/\1/p' "$T/out")
[ "${n:-0}" -ge 50 ] && ok "check counts the shipped feeds" ||
	fail "check counts the shipped feeds" "$(cat "$T/out")"
[ ! -e "$T/db" ] && ok "check creates no database" || fail "check creates no database"

"$NEWSFOLD" -c "$REPO/dist/newsfold.conf" -d "$T/db" -f "$REPO/feeds.d" check \
	>"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "^configuration OK" "$T/out" &&
	ok "check accepts the example newsfold.conf of dist/" ||
	fail "check accepts the example newsfold.conf of dist/" "exit $rc: $(head -3 "$T/err")"

# a drop-in with bad lines among good ones
printf '[https://example.com/a.xml]\ntitle = A\n' >"$T/feeds.d/10-good.conf"
printf '[https://example.com/b.xml]\ntitle = B\n\ngarbage here\n[ftp://example.com/c.xml]\n' \
	>"$T/feeds.d/20-bad.conf"
nf check >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ok "check of a feeds.d with a bad line exits 2" ||
	fail "check of a feeds.d with a bad line exits 2" "exit $rc"
grep -q "^newsfold: $T/feeds.d/20-bad.conf:4: ..*" "$T/err" &&
	ok "check reports a line that is not key = value as FILE:LINE: why" ||
	fail "check reports a line that is not key = value as FILE:LINE: why" "$(head -3 "$T/err")"
grep -q "^newsfold: $T/feeds.d/20-bad.conf:5: ..*" "$T/err" &&
	ok "check reports a section that is not a feed URL as FILE:LINE: why" ||
	fail "check reports a section that is not a feed URL as FILE:LINE: why" "$(head -3 "$T/err")"
grep -q "10-good.conf" "$T/err" && fail "check blames only the bad drop-in" "$(cat "$T/err")" ||
	ok "check blames only the bad drop-in"
grep -q "configuration OK" "$T/out" && fail "check does not say OK when a line is bad" ||
	ok "check does not say OK when a line is bad"
n=$(grep -c "20-bad.conf" "$T/err")
[ "$n" -eq 2 ] && ok "check reports each bad line once" ||
	fail "check reports each bad line once" "$n lines: $(cat "$T/err")"

# a bad newsfold.conf line
rm "$T/feeds.d/20-bad.conf"
printf '[poll]\ntimeout = 2s\nconcurrency = lots\n' >"$T/bad.conf"
"$NEWSFOLD" -c "$T/bad.conf" -d "$T/db" -f "$T/feeds.d" check >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ok "check of a newsfold.conf with a bad value exits 2" ||
	fail "check of a newsfold.conf with a bad value exits 2" "exit $rc"
grep -q "$T/bad.conf:3: " "$T/err" && ok "check reports the bad newsfold.conf line as FILE:LINE" ||
	fail "check reports the bad newsfold.conf line as FILE:LINE" "$(head -3 "$T/err")"

# with the bad lines gone it is OK again
nf check >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "^configuration OK: 1 feeds" "$T/out" &&
	ok "check of a good feeds.d is OK and counts its feeds" ||
	fail "check of a good feeds.d is OK and counts its feeds" "exit $rc: $(cat "$T/out" "$T/err")"
expect_exit 2 "check with an argument is a usage error" nf check extra

done_testing
