#!/bin/sh
# golden_cli.sh -- the output of every command, compared with the expected
# transcripts of tests/data/golden-cli/*.txt: stdout, stderr (lines marked
# "! ") and the exit status.  The replay fixtures are polled one feed at a
# time (concurrency = 1) so that ids do not depend on the order transfers
# finish.  What depends on the machine or the clock is normalised before
# the comparison: the fixtures' folder reads @DATA, the test's folder @T,
# any time not in 2020 (first-seen times, last and next polls) NOW, the
# database size @SIZE and the version @VERSION.
#
# After an intended change of output, rewrite the transcripts with
#   UPDATE_GOLDEN=1 NEWSFOLD=$PWD/newsfold sh tests/integration/golden_cli.sh
# and review the diff.
. "$(dirname "$0")/lib.sh"
GOLD=$DATA/golden-cli
VERSION=$("$NEWSFOLD" version | sed 's/^newsfold //')

normalise() {
	python3 -c '
import re, sys
data, t, version = sys.argv[1:4]
for line in sys.stdin:
    line = line.replace(data, "@DATA").replace(t, "@T")
    line = re.sub(r"\b(?!2020-)\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?", "NOW", line)
    line = re.sub(r"\b\d+\.\d MiB\b", "@SIZE MiB", line)
    line = line.replace(version, "@VERSION") if version else line
    sys.stdout.write(line)
' "$DATA" "$T" "$VERSION"
}

# golden NAME ARGS...: run newsfold with the test's configuration, store
# and feeds.d; its transcript must equal $GOLD/NAME.txt
golden() {
	name=$1; shift
	"$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" "$@" >"$T/g.out" 2>"$T/g.err"
	rc=$?
	{
		echo "\$ newsfold $*"
		cat "$T/g.out"
		sed 's/^/! /' "$T/g.err"
		echo "[exit $rc]"
	} | normalise >"$T/g.txt"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/g.txt" "$GOLD/$name.txt"
		ok "$name (updated)"
	elif [ ! -f "$GOLD/$name.txt" ]; then
		fail "$name" "no $GOLD/$name.txt (UPDATE_GOLDEN=1 writes it)"
	elif cmp -s "$T/g.txt" "$GOLD/$name.txt"; then
		ok "$name: output as expected"
	else
		fail "$name" "output differs: $(diff "$GOLD/$name.txt" "$T/g.txt" | head -8 | tr '\n' '|')"
	fi
}

printf '[poll]\nconcurrency = 1\n' >"$T/newsfold.conf"
{ replay_conf; replay_conf "$GOLD/syndicated.xml"; } >"$T/feeds.d/10-replay.conf"
unset COLUMNS

# ---- before the first poll ----------------------------------------------
golden check-ok check
golden feeds-never feeds
golden stories-no-store stories --all
golden poll poll
# ---- stories ------------------------------------------------------------------
golden stories-all stories --all
export COLUMNS=80; golden stories-columns-80 stories --all
export COLUMNS=50; golden stories-columns-50 stories --all --limit 5
unset COLUMNS
golden stories-min-outlets stories --all --min-outlets 2
golden stories-since-limit stories --since 2020-05-29T04:00:00Z --limit 4
golden stories-json stories --all --min-outlets 3 --json
golden stories-since-future stories --since 2030-01-01
# ---- show and read ------------------------------------------------------------
big=$(nfc stories --all --min-outlets 5 --json 2>/dev/null | head -1 |
	python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["id"])' 2>/dev/null)
golden show show "$big"
golden show-why show "$big" --why
golden show-json show "$big" --json
golden show-why-json show "$big" --why --json
golden show-single show 1
golden read read "$big"
golden stories-unread stories --all --unread --min-outlets 2
# ---- feeds, stats, atom ---------------------------------------------------------
golden feeds feeds
golden feeds-json feeds --json
golden stats stats
golden atom atom --since 2020-05-29T05:00:00Z
golden parse parse "$GOLD/syndicated.xml"
# ---- subscriptions --------------------------------------------------------------
golden export export
golden import import "$DATA/opml/newsboat__test__data__example.opml"
golden import-again import "$DATA/opml/newsboat__test__data__example.opml"
golden remove remove "file://$GOLD/syndicated.xml"
golden check-after check
printf '[https://ok.example.com/rss]\ntitle = fine\n\nno equals sign\n[gopher://old.example.com/]\ninterval = often\n' \
	>"$T/feeds.d/90-bad.conf"
golden check-bad check
rm "$T/feeds.d/90-bad.conf"
# ---- errors -------------------------------------------------------------------------
golden err-show-unknown show 999
golden err-show-not-a-number show abc
golden err-show-none show
golden err-read-unknown read 999 "$big"
golden err-stories-option stories --frobnicate
golden err-stories-limit stories --limit many
golden err-stories-limit-missing stories --limit
golden err-stories-since stories --since yesterday-ish
golden err-stories-min-outlets stories --min-outlets -1
golden err-feeds-argument feeds extra
golden err-import-missing import "$T/no-such.opml"
golden err-import-not-opml import "$DATA/replay/bbc.xml"
golden err-remove-unknown remove https://nowhere.example.com/rss
golden err-atom-since atom --since soon
golden err-unknown-command frobnicate
golden err-stats-argument stats extra

# a store that cannot be used: a file where the database directory should be,
# and a database file that is not LMDB
printf 'not a database\n' >"$T/notadir"
expect_exit 1 "stories on a database path that is a file exits 1" \
	"$NEWSFOLD" -c /dev/null -d "$T/notadir" stories --all
grep -q "^newsfold: .*notadir" "$T/check.err" && ok "and names the path" ||
	fail "and names the path" "$(cat "$T/check.err")"
mkdir -p "$T/baddb" && head -c 65536 /dev/urandom >"$T/baddb/data.mdb"
expect_exit 1 "stories on a database that is not LMDB exits 1" \
	"$NEWSFOLD" -c /dev/null -d "$T/baddb" stories --all
expect_exit 1 "read on a database that is not LMDB exits 1" \
	"$NEWSFOLD" -c /dev/null -d "$T/baddb" read 1
expect_exit 1 "atom on a database that is not LMDB exits 1" \
	"$NEWSFOLD" -c /dev/null -d "$T/baddb" atom
if [ "$(id -u)" -ne 0 ]; then
	cp -r "$T/db" "$T/lockeddb" && chmod 000 "$T/lockeddb"
	expect_exit 1 "stories on a database that cannot be read exits 1" \
		"$NEWSFOLD" -c /dev/null -d "$T/lockeddb" stories --all
	chmod 700 "$T/lockeddb"
else
	echo "ok - stories on a database that cannot be read exits 1 # skip running as root"
fi

done_testing
