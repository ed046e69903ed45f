#!/bin/sh
# valgrind.sh -- valgrind memcheck over a full poll of a few fixtures (files
# and HTTP, a failing feed among them), then the commands that read the
# store and parse: no memory error, no definite or indirect leak.
# Skipped when valgrind is not installed.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "ok - valgrind finds no error and no leak in a poll # skip valgrind not installed"
	exit 0
fi
if [ -n "${SANITIZE:-}" ]; then
	echo "ok - valgrind finds no error and no leak in a poll # skip a sanitizer build runs under its own checker"
	exit 0
fi

W=$T/www
mkdir -p "$W"
cp "$DATA/replay/nytimes.xml" "$DATA/replay/nzherald.xml" "$DATA/feeds/feedrs_atom_spec_1.xml" \
	"$DATA/feeds/feedrs_jsonfeed_spec_1.json" "$W/"
printf 'x-gzip: 1\nbody-file: nzherald.xml\n' >"$W/gzip.xml.http"
httpd_start "$W"
{
	replay_conf "$DATA/replay/bbc.xml" "$DATA/replay/cnn.xml" "$DATA/replay/smh.xml"
	for f in nytimes.xml gzip.xml feedrs_atom_spec_1.xml feedrs_jsonfeed_spec_1.json missing.xml; do
		printf '[%s/%s]\n' "$HTTPD_URL" "$f"
	done
} >"$T/feeds.d/valgrind.conf"
printf '[poll]\ntimeout = 20s\nconnect_timeout = 5s\n' >"$T/newsfold.conf"

# vg NAME ARGS...: newsfold ARGS under memcheck; ok when it exits 0 (or
# $VG_RC) with no error and no definite or indirect leak.
vg() {
	name=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--num-callers=30 --log-file="$T/vg.log" \
		"$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" "$@" \
		>"$T/vg.out" 2>"$T/vg.err"
	rc=$?
	if [ $rc -eq "${VG_RC:-0}" ] && [ ! -s "$T/vg.log" ]; then
		ok "$name"
	else
		fail "$name" "exit $rc: $(grep -m1 -A12 -E 'Invalid|uninitialised|definitely|indirectly|Mismatched|overlap' "$T/vg.log" | sed 's/^==[0-9]*== //' | tr '\n' ' ' | cut -c1-900)"
	fi
}

vg "valgrind finds no error and no leak in a poll of files and HTTP feeds" poll
vg "valgrind finds no error and no leak in a second poll (conditional GET)" poll --force
vg "valgrind finds no error and no leak in stories --all --json" stories --all --json
vg "valgrind finds no error and no leak in feeds --json" feeds --json
vg "valgrind finds no error and no leak in show --why" show 1 --why
vg "valgrind finds no error and no leak in atom" atom
vg "valgrind finds no error and no leak in parse --json of every feed fixture" \
	parse --json "$DATA"/feeds/*.xml "$DATA"/feeds/*.json
VG_RC=$(nfc fsck >/dev/null 2>&1; echo $?) # fsck's verdict on the store is not the point here
vg "valgrind finds no error and no leak in fsck" fsck
VG_RC=0
nfc feeds --json >"$T/feeds.json" 2>/dev/null
json_assert "the poll under valgrind stored the good feeds" "$T/feeds.json" "
ok = [f for f in rows if f['status'] in ('ok', 'not_modified') and f['articles'] > 0]
assert len(ok) == 7, [(f['url'], f['status'], f['articles']) for f in rows]
"

done_testing
