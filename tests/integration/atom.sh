#!/bin/sh
# atom.sh -- `newsfold atom`: the folded stories as an Atom 1.0 feed that
# newsfold's own parser (and so any feed reader) reads back.
. "$(dirname "$0")/lib.sh"

printf '[poll]\nconcurrency = 1\n' >"$T/newsfold.conf"
replay_conf >"$T/feeds.d/replay.conf"
nfc poll >/dev/null 2>&1
nfc stories --since 2020-05-01 --json >"$T/stories.json" 2>/dev/null
nfc atom --since 2020-05-01 >"$T/stories.atom" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ -s "$T/stories.atom" ] && ok "atom exits 0 and writes a document" ||
	fail "atom exits 0 and writes a document" "exit $rc: $(cat "$T/err")"
python3 -c '
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
assert d.documentElement.tagName == "feed"
assert d.documentElement.getAttribute("xmlns") == "http://www.w3.org/2005/Atom"
' "$T/stories.atom" >"$T/py.out" 2>&1 && ok "atom writes well-formed XML in the Atom namespace" ||
	fail "atom writes well-formed XML in the Atom namespace" "$(tail -2 "$T/py.out")"
nfc parse --json "$T/stories.atom" >"$T/parsed.json" 2>/dev/null
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
json.dump({"stories": rows, "atom": json.loads(open(sys.argv[2]).readline())}, open(sys.argv[3], "w"))
' "$T/stories.json" "$T/parsed.json" "$T/both.json" 2>/dev/null
printf '\n' >>"$T/both.json"
json_assert "newsfold parse reads the Atom feed as atom10, well-formed" "$T/both.json" '
a = rows[0]["atom"]
assert a["format"] == "atom10" and a["wellformed"] is True, (a["format"], a.get("error"))
'
json_assert "the Atom feed has one entry per story, newest first, titled as the story" "$T/both.json" '
s, e = rows[0]["stories"], rows[0]["atom"]["entries"]
assert len(e) == len(s) > 0, (len(e), len(s))
for st, en in zip(s, e):
    assert en["title"] == st["title"], (en["title"], st["title"])
    assert en["id"].endswith("/%d" % st["id"]), en["id"]
'
json_assert "each entry links to an article of its story and is updated at its last article" "$T/both.json" '
for st, en in zip(rows[0]["stories"], rows[0]["atom"]["entries"]):
    urls = {a["url"] for a in st["articles"]}
    assert en["link"] in urls, (en["link"], urls)
    assert en["updated"] == st["last_seen"], (en["updated"], st["last_seen"])
'
json_assert "each entry summary lists every outlet of the story with a link" "$T/both.json" '
for st, en in zip(rows[0]["stories"], rows[0]["atom"]["entries"]):
    for o in {a["outlet"] for a in st["articles"]}:
        assert "<li>" + o + ": <a href=" in en["summary"], (o, en["summary"][:200])
    assert "%d outlet" % st["outlets"] in en["summary"]
'
nfc atom --since 2020-05-29T05:00:00Z >"$T/recent.atom" 2>/dev/null
n=$(grep -c '<entry>' "$T/recent.atom"); all=$(grep -c '<entry>' "$T/stories.atom")
[ "$n" -gt 0 ] && [ "$n" -lt "$all" ] && ok "atom --since keeps only the stories seen since then" ||
	fail "atom --since keeps only the stories seen since then" "$n of $all"
nfc atom --since 2030-01-01 >"$T/empty.atom" 2>/dev/null
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/empty.atom" 2>/dev/null &&
	! grep -q '<entry>' "$T/empty.atom" && ok "atom with no story is still a valid feed" ||
	fail "atom with no story is still a valid feed" "$(cat "$T/empty.atom")"
expect_exit 2 "atom --since that is no duration or date is a usage error" nfc atom --since soon
expect_exit 2 "an unknown option of atom is a usage error" nfc atom --frobnicate
expect_exit 2 "atom with an argument is a usage error" nfc atom extra
expect_exit 1 "atom on a store never created exits 1" "$NEWSFOLD" -c /dev/null -d "$T/nodb" atom

done_testing
