#!/bin/sh
# cli.sh -- the command line itself: version, help, usage errors, exit
# statuses and error messages of DESIGN.md's "Command line".
. "$(dirname "$0")/lib.sh"

# stderr_has NAME PATTERN: the last expect_exit's stderr matches PATTERN
stderr_has() {
	if grep -q -- "$2" "$T/check.err"; then ok "$1"; else fail "$1" "stderr: $(head -3 "$T/check.err")"; fi
}

"$NEWSFOLD" version >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && grep -Eqx 'newsfold [0-9]+\.[0-9]+\.[0-9]+' "$T/out"; then
	ok "version prints newsfold and a three-part version number"
else
	fail "version prints newsfold and a three-part version number" "exit $rc: $(cat "$T/out")"
fi

"$NEWSFOLD" help >"$T/out" 2>&1; rc=$?
missing=
for c in poll stories show read feeds parse check stats version help; do
	grep -q "$c" "$T/out" || missing="$missing $c"
done
if [ $rc -eq 0 ] && [ -z "$missing" ]; then
	ok "help exits 0 and lists the commands"
else
	fail "help exits 0 and lists the commands" "exit $rc, missing:$missing"
fi

# COMMAND --help and help COMMAND: that command's usage on stdout, exit 0,
# before any configuration, feed or store is read (none exists here)
bad=
for c in run poll add stories show read feeds remove import export atom parse check stats fsck; do
	for form in "$c --help" "$c -h" "help $c"; do
		# shellcheck disable=SC2086
		"$NEWSFOLD" -c "$T/none.conf" -d "$T/nodb" -f "$T/nofeeds" $form >"$T/out" 2>"$T/err"
		rc=$?
		head -1 "$T/out" | grep -q "^usage: newsfold .* $c" && [ $rc -eq 0 ] && [ ! -s "$T/err" ] ||
			bad="$bad [$form: exit $rc, $(head -1 "$T/out")$(head -1 "$T/err")]"
	done
done
[ -e "$T/nodb" ] && bad="$bad [a --help created the store]"
if [ -z "$bad" ]; then ok "every command's --help, -h and help COMMAND print its usage and exit 0"
else fail "every command's --help, -h and help COMMAND print its usage and exit 0" "$bad"; fi
expect_exit 2 "help of an unknown command is a usage error" "$NEWSFOLD" help frobnicate
expect_exit 2 "no command at all is a usage error" "$NEWSFOLD"
expect_exit 2 "an unknown command is a usage error" "$NEWSFOLD" -c /dev/null frobnicate
stderr_has "an unknown command is named on stderr as newsfold: unknown command" \
	"^newsfold: unknown command"
# a store that was never created: reading commands fail and name it, and
# usage errors are still usage errors
"$NEWSFOLD" -c /dev/null -d "$T/nodb" -f "$T/feeds.d" stories --all >"$T/check.out" 2>"$T/check.err"
rc=$?
[ $rc -eq 1 ] && ok "stories on a store never created exits 1" ||
	fail "stories on a store never created exits 1" "exit $rc"
stderr_has "stories on a store never created names the directory" "$T/nodb"
[ -e "$T/nodb" ] && fail "stories on a store never created does not create it" "$T/nodb exists" ||
	ok "stories on a store never created does not create it"
expect_exit 2 "an unknown option is a usage error even before the store exists" \
	"$NEWSFOLD" -c /dev/null -d "$T/nodb" -f "$T/feeds.d" stories --frobnicate

# a polled store
replay_conf "$DATA/replay/bbc.xml" >"$T/feeds.d/replay.conf"
expect_exit 0 "poll of one local feed exits 0" nf poll
expect_exit 1 "show of a story that does not exist exits 1" nf show 999
stderr_has "show of a story that does not exist says no such story" "no such story"
expect_exit 2 "show of something that is not a story number is a usage error" nf show abc
expect_exit 2 "show without a story is a usage error" nf show
expect_exit 1 "read of a story that does not exist exits 1" nf read 999
expect_exit 2 "read of something that is not a story number is a usage error" nf read abc
expect_exit 0 "stories on the polled store exits 0" nf stories --all
expect_exit 2 "an unknown option of stories is a usage error" nf stories --frobnicate
expect_exit 2 "an unknown option of poll is a usage error" nf poll --frobnicate
expect_exit 2 "an unknown option of feeds is a usage error" nf feeds --frobnicate
expect_exit 2 "an unknown option of show is a usage error" nf show 1 --frobnicate
expect_exit 2 "a non-numeric --limit is a usage error" nf stories --limit many
expect_exit 2 "a --since that is neither a duration nor a date is a usage error" \
	nf stories --since yesterday-ish

# configuration
expect_exit 2 "-c naming a missing file is a configuration error" \
	"$NEWSFOLD" -c "$T/no-such.conf" -d "$T/db" -f "$T/feeds.d" stories --all
stderr_has "-c naming a missing file names that file" "$T/no-such.conf"
printf '[poll]\ntimeout = soon\n' >"$T/bad.conf"
expect_exit 0 "a bad line of newsfold.conf is skipped and the command still runs" \
	"$NEWSFOLD" -c "$T/bad.conf" -d "$T/db" -f "$T/feeds.d" stories --all
stderr_has "a bad line of newsfold.conf is reported as file:line" "$T/bad.conf:2: "

done_testing
