#!/bin/sh
# tests/run.sh -- run every unit test binary and every integration script,
# then print one count line: "N passed, N failed".
#
# Unit tests are cmocka binaries (TAP output); integration tests are
# tests/integration/*.sh, each printing "ok - NAME" / "not ok - NAME" lines
# (tests/integration/lib.sh).  NEWSFOLD names the binary under test and
# UNIT_DIR the folder of unit binaries (the Makefile sets both).
# A filter argument runs only the tests whose file name contains it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEWSFOLD:=$here/../newsfold}"
: "${UNIT_DIR:=$here/../build/rel/tests}"
export NEWSFOLD TESTS_DIR="$here"
filter=${1:-}
out=$(mktemp -d "${TMPDIR:-/tmp}/nf-run.XXXXXX")
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM
pass=0 fail=0 skipped=0

count() { # count FILE: add its ok / not ok lines ("# SKIP" ones are skips)
	p=$(grep '^ok ' "$1" | grep -vc '# [Ss][Kk][Ii][Pp]')
	f=$(grep '^not ok ' "$1" | grep -vc '# [Ss][Kk][Ii][Pp]')
	k=$(grep -c '^\(not \)\{0,1\}ok .*# [Ss][Kk][Ii][Pp]' "$1")
	pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + k))
	grep '^not ok ' "$1" | grep -v '# [Ss][Kk][Ii][Pp]' | sed "s|^|FAIL $2: |"
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	case $t in *"$filter"*) ;; *) continue ;; esac
	name=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out/$name.log" 2>&1
	rc=$?
	count "$out/$name.log" "$name"
	if [ $rc -ne 0 ] && ! grep '^not ok ' "$out/$name.log" | grep -vq '# [Ss][Kk][Ii][Pp]'; then
		echo "FAIL $name: exit $rc"; sed 's/^/    /' "$out/$name.log" | tail -20
		fail=$((fail + 1))
	elif [ $rc -ne 0 ]; then
		sed 's/^/    /' "$out/$name.log" | grep -v '^    ok ' | tail -20
	fi
	echo "unit $name: $(grep -c '^ok ' "$out/$name.log") ok"
done

for t in "$here"/integration/*.sh; do
	[ -f "$t" ] || continue
	case $t in *lib.sh) continue ;; *"$filter"*) ;; *) continue ;; esac
	name=$(basename "$t" .sh)
	sh "$t" >"$out/$name.log" 2>&1
	rc=$?
	count "$out/$name.log" "$name"
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: exit $rc"; sed 's/^/    /' "$out/$name.log" | grep -v '^    ok ' | tail -30
		grep -q '^not ok ' "$out/$name.log" || fail=$((fail + 1))
	fi
	echo "integration $name: $(grep -c '^ok ' "$out/$name.log") ok"
done

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
