#!/bin/sh
# store.sh -- the store under concurrent use: `stories --json` read while a
# poll writes always parses and never blocks it; two polls at once take
# turns and store every article once; fsck finds it all consistent.
. "$(dirname "$0")/lib.sh"

GEN=$TESTS_DIR/bench/bench_store_gen.py
# enough articles that the poll outlasts several reads
python3 "$GEN" --dir "$T/feeds" --feeds 8 --items 1500 --hours 20
for f in "$T"/feeds/*.xml; do printf '[file://%s]\n' "$f"; done >"$T/feeds.d/local.conf"

nf poll >/dev/null 2>"$T/poll.err" &
pid=$!
reads=0 bad=0
while kill -0 $pid 2>/dev/null; do
	nf stories --all --json >"$T/s.json" 2>/dev/null
	if ! python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1], encoding="utf-8"):
    json.loads(l)
    n += 1
' "$T/s.json" 2>/dev/null; then bad=$((bad + 1)); fi
	reads=$((reads + 1))
done
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "a poll read by stories --json all along completes" || fail "a poll read by stories --json all along completes" "exit $rc"
if [ $bad -eq 0 ] && [ $reads -ge 2 ]; then ok "stories --json during a poll always parses ($reads reads)"; else fail "stories --json during a poll always parses" "$bad of $reads broken"; fi

# feeds keep their articles whole: each feed's count is a multiple of a
# whole feed (never half of one) in any snapshot
json_articles() { nf stories --all --json 2>/dev/null | python3 -c '
import json, sys
print(sum(len(json.loads(l)["articles"]) for l in sys.stdin))'; }
expect_exit 0 "fsck is clean after the poll" nf fsck
[ "$(json_articles)" -eq 12000 ] && ok "every article stored once" || fail "every article stored once" "$(json_articles)"

# two writers at once: they take turns, nothing is stored twice
python3 "$GEN" --dir "$T/feeds" --feeds 8 --items 1800 --hours 20
nf poll --force >/dev/null 2>"$T/p1.err" &
p1=$!
nf poll --force >/dev/null 2>"$T/p2.err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then ok "two polls at once both complete"; else fail "two polls at once both complete" "exits $r1 $r2: $(cat "$T/p1.err" "$T/p2.err" | tail -3)"; fi
expect_exit 0 "fsck is clean after two concurrent polls" nf fsck
[ "$(json_articles)" -eq 14400 ] && ok "two concurrent polls store every article once" || fail "two concurrent polls store every article once" "$(json_articles)"
done_testing
