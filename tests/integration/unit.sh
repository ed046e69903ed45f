#!/bin/sh
# unit.sh -- dist/: the systemd unit passes `systemd-analyze verify` and
# scores an exposure of at most 2.0 in `systemd-analyze security`, and
# `make install` puts the program, the unit, the man page and the example
# configuration under DESTDIR.  The systemd checks are skipped where
# systemd-analyze is not installed.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$TESTS_DIR/.." && pwd)
UNIT=$REPO/dist/newsfold.service

for k in Type=notify WatchdogSec= "ExecReload=/bin/kill -HUP \$MAINPID" DynamicUser=yes \
	StateDirectory=newsfold ConfigurationDirectory=newsfold; do
	grep -q "^$k" "$UNIT" && ok "the unit sets $k" || fail "the unit sets $k"
done

# make install into a temporary root: the recipe only (-o newsfold: the
# program is not rebuilt, whatever the variant this test runs under)
if command -v make >/dev/null 2>&1 && [ -x "$REPO/newsfold" ]; then
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -o newsfold -C "$REPO" install \
		DESTDIR="$T/root" PREFIX=/usr/local >"$T/install.out" 2>&1; rc=$?
	missing=
	for f in usr/local/bin/newsfold usr/local/share/man/man1/newsfold.1 \
		usr/local/lib/systemd/system/newsfold.service usr/local/etc/newsfold/newsfold.conf.example; do
		[ -f "$T/root/$f" ] || missing="$missing $f"
	done
	[ $rc -eq 0 ] && [ -z "$missing" ] &&
		ok "make install DESTDIR= installs the program, unit, man page and example conf" ||
		fail "make install DESTDIR= installs the program, unit, man page and example conf" \
			"exit $rc, missing:$missing $(tail -3 "$T/install.out")"
	[ -x "$T/root/usr/local/bin/newsfold" ] && "$T/root/usr/local/bin/newsfold" version >/dev/null &&
		ok "the installed program runs" || fail "the installed program runs"
	"$T/root/usr/local/bin/newsfold" -c "$T/root/usr/local/etc/newsfold/newsfold.conf.example" \
		-d "$T/db" -f "$REPO/feeds.d" check >/dev/null 2>"$T/err" &&
		ok "the installed example configuration passes check" ||
		fail "the installed example configuration passes check" "$(head -3 "$T/err")"
else
	echo "ok - make install DESTDIR= installs the program, unit, man page and example conf # skip no make or no ./newsfold"
fi

# the man page: every command of `newsfold help` has its entry
if [ -f "$REPO/dist/newsfold.1" ]; then
	missing=
	for c in run poll stories show read feeds add remove import export parse atom stats check fsck version help; do
		grep -q "^\.It Cm $c\\b\|^\.Cm $c\\b" "$REPO/dist/newsfold.1" || missing="$missing $c"
	done
	[ -z "$missing" ] && ok "the man page describes every command" ||
		fail "the man page describes every command" "missing:$missing"
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -T lint -W warning "$REPO/dist/newsfold.1" >"$T/lint" 2>&1 &&
			ok "mandoc -T lint finds nothing in the man page" ||
			fail "mandoc -T lint finds nothing in the man page" "$(head -3 "$T/lint")"
	else
		echo "ok - mandoc -T lint finds nothing in the man page # skip mandoc not installed"
	fi
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "ok - systemd-analyze security scores the unit at most 2.0 # skip systemd-analyze not installed"
	echo "ok - systemd-analyze verify passes # skip systemd-analyze not installed"
	done_testing
fi

# security, offline: the unit as shipped
systemd-analyze security --offline=true "$UNIT" >"$T/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for newsfold.service: \([0-9.]*\).*/\1/p' "$T/sec")
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
	ok "systemd-analyze security scores the unit at most 2.0 (got $score)"
else
	fail "systemd-analyze security scores the unit at most 2.0" "got '${score:-nothing}': $(tail -3 "$T/sec")"
fi

# verify: ExecStart must name an executable and the man page must exist, so
# point the unit at the installed copy and MANPATH at the installed page
mkdir -p "$T/units"
sed "s|^ExecStart=/usr/local/bin/newsfold|ExecStart=$T/root/usr/local/bin/newsfold|" "$UNIT" \
	>"$T/units/newsfold.service"
if [ -x "$T/root/usr/local/bin/newsfold" ]; then
	MANPATH=$T/root/usr/local/share/man systemd-analyze verify "$T/units/newsfold.service" \
		>"$T/verify" 2>&1; rc=$?
	[ $rc -eq 0 ] && ! grep -q . "$T/verify" && ok "systemd-analyze verify passes" ||
		fail "systemd-analyze verify passes" "exit $rc: $(head -3 "$T/verify")"
else
	systemd-analyze verify --man=no "$UNIT" >"$T/verify" 2>&1
	grep -v 'is not executable' "$T/verify" | grep -q . &&
		fail "systemd-analyze verify passes" "$(head -3 "$T/verify")" ||
		ok "systemd-analyze verify passes"
fi

done_testing
