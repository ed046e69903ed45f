#!/bin/sh
# disk_full.sh -- a store whose disk fills up during a poll: the poll stops
# with a message that says so (not "Bus error"), what it committed stays
# and fsck finds it consistent; once there is room again, the next poll
# stores the rest, each article once.  It needs a small file system of its
# own, a tmpfs: skipped unless it runs as root and may mount one.
. "$(dirname "$0")/lib.sh"

SMALL=$T/small
mkdir -p "$SMALL"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=12m tmpfs "$SMALL" 2>/dev/null; then
	echo "ok - a poll on a full disk says so and keeps what it stored # SKIP cannot mount a tmpfs"
	done_testing
fi
trap 'umount "$SMALL" 2>/dev/null; cleanup' EXIT

python3 "$TESTS_DIR/bench/bench_store_gen.py" --dir "$T/feeds" --feeds 8 --items 1500 --hours 20
for f in "$T"/feeds/*.xml; do printf '[file://%s]\n' "$f"; done >"$T/feeds.d/local.conf"
small() { "$NEWSFOLD" -c /dev/null -d "$SMALL/db" -f "$T/feeds.d" "$@"; }
stored() { small stats 2>/dev/null | awk '/^articles:/ { print $2 }'; }

small poll >/dev/null 2>"$T/full.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "is its disk full" "$T/full.err"; then
	ok "a poll that fills the disk stops and says so"
else
	fail "a poll that fills the disk stops and says so" "exit $rc: $(tail -2 "$T/full.err")"
fi
expect_exit 0 "fsck is clean after the disk filled" small fsck
n=$(stored)
[ "${n:-0}" -gt 0 ] && [ "${n:-0}" -lt 12000 ] && ok "what was committed before is kept ($n articles)" ||
	fail "what was committed before is kept" "${n:-none}"

mount -o remount,size=128m "$SMALL"
expect_exit 0 "with room again, the next poll completes" small poll --force
expect_exit 0 "fsck is clean after it" small fsck
n=$(stored)
[ "$n" = 12000 ] && ok "every article stored once" || fail "every article stored once" "$n"
done_testing
