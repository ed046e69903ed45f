#!/bin/sh
# poll_files.sh -- poll the replay set of tests/data/replay (one day of nine
# real outlets, as file:// feeds) and check the folded stories, the article
# identities, the feeds' health, show/read, and bad feeds and drop-ins.
. "$(dirname "$0")/lib.sh"

replay_conf >"$T/feeds.d/replay.conf"
nitems=$(python3 -c '
import re, sys
print(sum(len(re.findall(rb"<item[\s>]", open(f, "rb").read())) for f in sys.argv[1:]))
' "$DATA"/replay/*.xml)

expect_exit 0 "poll of the replay feeds exits 0" nfc poll
nfc stories --all --json >"$T/stories.json" 2>"$T/stories.err"
rc=$?
[ $rc -eq 0 ] && ok "stories --all --json exits 0" || fail "stories --all --json exits 0" "exit $rc"

# The articles of the Minneapolis protests on the night of 28 May (National
# Guard, the burned police station), by guid/url, one or two per outlet.
FLOYD='["world-us-canada-52844192", "minneapolis-george-floyd-friday",
 "article-8367883", "third-precinct-police-station", "george-floyd-national-guard",
 "george-floyd-minneapolis-protests", "p54xpu", "objectid=12335928"]'
# The executive order on social media after Twitter's fact-check.
TWITTER='["technology-52843986", "trump-order-social-media", "trump-twitter-fact-check",
 "p54xke", "intl-trump-twitter-0529", "article-8367085"]'
# Items on other subjects (a lion attack, WSJ world news, a history column).
OTHER='["world-australia-52844744", "this-day-in-history-may-29", "wsj.com", "p54xqa",
 "us-navy-south-china-sea", "objectid=12335789"]'
PY_FIND='
def key(a):
    return (a.get("url") or "") + " " + (a.get("guid") or "")
def where(keys):
    """{key: story id} of the articles matching each key"""
    out = {}
    for s in rows:
        for a in s["articles"]:
            for k in keys:
                if k in key(a):
                    out.setdefault(k, s["id"])
    return out
def outlets_in(story_id, keys):
    s = [s for s in rows if s["id"] == story_id][0]
    return {a["outlet"] for a in s["articles"] if any(k in key(a) for k in keys)}
'

json_assert "every story line has exactly the fields of DESIGN.md" "$T/stories.json" '
assert rows, "no stories"
need = {"id", "title", "first_seen", "last_seen", "outlets", "read", "articles"}
for s in rows:
    assert need <= set(s) <= need, sorted(set(s) ^ need)
    assert isinstance(s["id"], int) and isinstance(s["outlets"], int), s["id"]
    assert isinstance(s["read"], bool)
    for k in ("first_seen", "last_seen"):
        assert len(s[k]) == 20 and s[k].endswith("Z") and s[k][10] == "T", s[k]
    assert s["outlets"] == len({a["outlet"] for a in s["articles"]}), s["id"]
    for a in s["articles"]:
        allowed = {"id", "feed", "outlet", "title", "url", "guid", "published", "copy_of"}
        assert {"id", "feed", "outlet", "title", "url"} <= set(a) <= allowed, sorted(a)
        assert a["feed"].startswith("file://") and a["feed"].endswith(".xml"), a["feed"]
        if "published" in a:
            assert a["published"].startswith("2020-05-2"), a["published"]
'
json_assert "every replayed item is one article, in exactly one story" "$T/stories.json" "
ids = [a['id'] for s in rows for a in s['articles']]
assert len(ids) == len(set(ids)), 'an article is in two stories'
assert len(ids) == $nitems, '%d articles, %d items' % (len(ids), $nitems)
"
json_assert "outlets are registrable domains" "$T/stories.json" '
outlets = {a["outlet"] for s in rows for a in s["articles"]}
for o in ("bbc.co.uk", "cnn.com", "foxnews.com", "nytimes.com", "smh.com.au",
          "nzherald.co.nz", "dailymail.co.uk", "latimes.com", "wsj.com"):
    assert o in outlets, (o, sorted(outlets))
'
json_assert "one story folds the Minneapolis protests of at least 3 outlets" "$T/stories.json" "
$PY_FIND
found = where($FLOYD)
assert len(found) == len($FLOYD), 'missing: %s' % (set($FLOYD) - set(found))
best = max(set(found.values()), key=lambda i: len(outlets_in(i, $FLOYD)))
got = outlets_in(best, $FLOYD)
assert len(got) >= 3, 'best story %d has only %s' % (best, sorted(got))
"
json_assert "the protests articles are mostly in one story, not spread over many" "$T/stories.json" "
$PY_FIND
found = where($FLOYD)
ids = list(found.values())
top = max(ids.count(i) for i in set(ids))
assert 2 * top > len(ids), 'largest story holds %d of %d' % (top, len(ids))
assert len(set(ids)) <= 3, 'spread over %d stories' % len(set(ids))
"
json_assert "one story folds the Twitter executive order of at least 3 outlets" "$T/stories.json" "
$PY_FIND
found = where($TWITTER)
best = max(set(found.values()), key=lambda i: len(outlets_in(i, $TWITTER)))
got = outlets_in(best, $TWITTER)
assert len(got) >= 3, 'best story %d has only %s' % (best, sorted(got))
"
json_assert "the protests and the executive order are different stories" "$T/stories.json" "
$PY_FIND
f = where($FLOYD); t = where($TWITTER)
fs = max(set(f.values()), key=list(f.values()).count)
ts = max(set(t.values()), key=list(t.values()).count)
assert fs != ts, 'both in story %d' % fs
"
json_assert "unrelated items are not folded into either story" "$T/stories.json" "
$PY_FIND
f = where($FLOYD); t = where($TWITTER)
big = {max(set(f.values()), key=list(f.values()).count),
       max(set(t.values()), key=list(t.values()).count)}
for s in rows:
    if s['id'] in big:
        for a in s['articles']:
            assert not any(k in key(a) for k in $OTHER), (s['id'], a['title'])
"

nfc feeds --json >"$T/feeds1.json" 2>/dev/null
json_assert "after the first poll feeds --json shows every feed ok with its articles" "$T/feeds1.json" "
assert len(rows) == 9, len(rows)
for f in rows:
    assert f['status'] == 'ok' and f['articles'] > 0 and f['failures'] == 0, f
assert sum(f['articles'] for f in rows) == $nitems
"

# identity by guid/url: polling the same documents again adds nothing
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    for a in json.loads(l)["articles"]:
        print(a["id"], a.get("guid", ""), a.get("url", ""))
' "$T/stories.json" | sort >"$T/ids1"
expect_exit 0 "a second poll --force of the same feeds exits 0" nfc poll --force
nfc stories --all --json >"$T/stories2.json" 2>/dev/null
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    for a in json.loads(l)["articles"]:
        print(a["id"], a.get("guid", ""), a.get("url", ""))
' "$T/stories2.json" | sort >"$T/ids2"
if [ -s "$T/ids1" ] && cmp -s "$T/ids1" "$T/ids2"; then
	ok "a second poll adds no article and keeps every article's id"
else
	fail "a second poll adds no article and keeps every article's id" \
		"$(wc -l <"$T/ids1") then $(wc -l <"$T/ids2") articles; $(diff "$T/ids1" "$T/ids2" | head -3)"
fi

nfc feeds --json >"$T/feeds.json" 2>"$T/feeds.err"
# (a file that did not change since the first poll may be "not_modified")
json_assert "after a second poll every feed is still healthy with its articles" "$T/feeds.json" "
assert len(rows) == 9, len(rows)
total = 0
for f in rows:
    assert f['status'] in ('ok', 'not_modified'), (f['url'], f['status'], f.get('error'))
    assert f['articles'] > 0 and f['failures'] == 0, f
    assert 'error' not in f, f
    assert isinstance(f['tags'], list)
    for k in ('last_poll', 'next_poll'):
        assert k in f and f[k].endswith('Z'), f
    total += f['articles']
assert total == $nitems, (total, $nitems)
"

# show and read, on the protests story
sid=$(python3 -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
$PY_FIND
f = where($FLOYD)
print(max(set(f.values()), key=list(f.values()).count))
" "$T/stories.json" 2>/dev/null)
[ -n "$sid" ] || sid=1
nfc show "$sid" >"$T/show.txt" 2>"$T/show.err"; rc=$?
missing=
for o in $(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l)
    if s["id"] == int(sys.argv[2]):
        print(" ".join(sorted({a["outlet"] for a in s["articles"]})))
' "$T/stories.json" "$sid"); do
	grep -q "^$o\$" "$T/show.txt" || missing="$missing $o"
done
if [ $rc -eq 0 ] && [ -z "$missing" ] && grep -q "george-floyd\|52844192" "$T/show.txt"; then
	ok "show prints the story's outlets and article links"
else
	fail "show prints the story's outlets and article links" "exit $rc, missing:$missing"
fi
nfc show "$sid" --json >"$T/show.json" 2>/dev/null
json_assert "show --json prints the story as one JSON line" "$T/show.json" "
assert len(rows) == 1, len(rows)
assert rows[0]['id'] == $sid and len(rows[0]['articles']) >= 3, rows[0]['id']
assert {'id', 'title', 'outlets', 'articles'} <= set(rows[0])
"
nfc show "$sid" --why >"$T/why.txt" 2>/dev/null
grep -q "why:" "$T/why.txt" && ok "show --why says why each article is in the story" ||
	fail "show --why says why each article is in the story" "$(head -3 "$T/why.txt")"

expect_exit 0 "read of the story exits 0" nfc read "$sid"
nfc stories --all --unread --json >"$T/unread.json" 2>/dev/null
json_assert "a story read is no longer listed by stories --unread" "$T/unread.json" "
ids = [s['id'] for s in rows]
assert $sid not in ids, 'story $sid still listed'
assert rows, 'no unread story left at all'
"
nfc stories --all --json >"$T/all.json" 2>/dev/null
json_assert "a story read is still listed, as read, by stories --all" "$T/all.json" "
s = [s for s in rows if s['id'] == $sid]
assert len(s) == 1 and s[0]['read'] is True, s
assert all(not r['read'] for r in rows if r['id'] != $sid)
"
nfc stories --all --min-outlets 3 --json >"$T/min3.json" 2>/dev/null
json_assert "stories --min-outlets 3 lists only stories of 3 outlets or more" "$T/min3.json" '
assert rows and all(s["outlets"] >= 3 for s in rows), [s["outlets"] for s in rows]
'
nfc stories --all --limit 2 --json >"$T/lim.json" 2>/dev/null
json_assert "stories --limit 2 lists two stories" "$T/lim.json" 'assert len(rows) == 2, len(rows)'

# ---- bad feeds among good ones, in a second store ------------------------
rm -rf "$T/db" "$T/feeds.d"/*
mkdir -p "$T/www"
# cut cnn.xml in the middle of its fourth item: three whole items before it
python3 -c '
import re, sys
s = open(sys.argv[1], "rb").read()
m = list(re.finditer(rb"<item[\s>]", s))[3]
cut = m.start() + (s.index(b"</item>", m.start()) - m.start()) // 2
open(sys.argv[2], "wb").write(s[:cut])
' "$DATA/replay/cnn.xml" "$T/www/truncated.xml"
cp "$DATA/feeds/latimes_403.html" "$T/www/page.xml"
replay_conf "$DATA/replay/bbc.xml" "$T/www/truncated.xml" "$T/www/page.xml" \
	"$DATA/replay/smh.xml" >"$T/feeds.d/10-mixed.conf"
expect_exit 0 "poll exits 0 when some feeds are broken" nfc poll
nfc feeds --json >"$T/feeds.json" 2>/dev/null
json_assert "the good feeds are stored next to broken ones" "$T/feeds.json" '
by = {f["url"].rsplit("/", 1)[1]: f for f in rows}
for n, want in (("bbc.xml", 5), ("smh.xml", 4)):
    assert by[n]["status"] == "ok" and by[n]["articles"] == want, by[n]
'
json_assert "an HTML page instead of a feed is status error, saying why" "$T/feeds.json" '
f = [f for f in rows if f["url"].endswith("/page.xml")][0]
assert f["status"] == "error", f
assert "feed" in f.get("error", "") or "html" in f.get("error", "").lower(), f
assert f["failures"] == 1 and f["articles"] == 0, f
'
json_assert "a truncated feed keeps its whole items, or is an error saying why" "$T/feeds.json" '
f = [f for f in rows if f["url"].endswith("/truncated.xml")][0]
if f["status"] == "ok":
    assert f["articles"] >= 3, f
else:
    assert f["status"] == "error" and f.get("error"), f
'
nfc stories --all --json >"$T/mixed.json" 2>/dev/null
json_assert "the whole items of a truncated feed are stored" "$T/mixed.json" '
keys = " ".join((a.get("url") or "") for s in rows for a in s["articles"])
for k in ("minneapolis-george-floyd-friday", "george-floyd-intl-052820", "intl-trump-twitter-0529"):
    assert k in keys, k
'

# ---- a drop-in with bad lines: reported as FILE:LINE, the rest still polls
printf '# broken on purpose\n[ftp://x.example/feed.xml]\n' >"$T/feeds.d/20-bad.conf"
printf '[file://%s]\ntitle = Fox\ngarbage\n' "$DATA/replay/fox.xml" >>"$T/feeds.d/20-bad.conf"
nfc poll --force >"$T/poll.out" 2>"$T/poll.err"; rc=$?
[ $rc -eq 0 ] && ok "poll exits 0 with a bad drop-in among good ones" ||
	fail "poll exits 0 with a bad drop-in among good ones" "exit $rc"
grep -q "$T/feeds.d/20-bad.conf:2: " "$T/poll.err" &&
	ok "a bad feed URL in a drop-in is reported as FILE:LINE" ||
	fail "a bad feed URL in a drop-in is reported as FILE:LINE" "$(head -3 "$T/poll.err")"
grep -q "$T/feeds.d/20-bad.conf:5: " "$T/poll.err" &&
	ok "a line that is not key = value is reported as FILE:LINE" ||
	fail "a line that is not key = value is reported as FILE:LINE" "$(head -3 "$T/poll.err")"
nfc feeds --json >"$T/feeds.json" 2>/dev/null
json_assert "the other feeds of a bad drop-in still poll" "$T/feeds.json" '
by = {f["url"].rsplit("/", 1)[1]: f for f in rows}
assert "feed.xml" not in by, "the ftp:// feed was subscribed"
assert by["fox.xml"]["status"] == "ok" and by["fox.xml"]["articles"] == 5, by.get("fox.xml")
assert by["bbc.xml"]["status"] in ("ok", "not_modified"), by["bbc.xml"]
'

done_testing
