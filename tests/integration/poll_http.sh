#!/bin/sh
# poll_http.sh -- poll feeds over HTTP from tests/httpd.py: conditional GET
# on the second poll, and the outcome of each kind of failing feed (404,
# timeout, an HTML page, 410), which never fails the poll itself.
. "$(dirname "$0")/lib.sh"

W=$T/www
mkdir -p "$W"
cp "$DATA/replay/bbc.xml" "$DATA/replay/nytimes.xml" "$DATA/replay/smh.xml" "$W/"
cp "$DATA/feeds/feedrs_atom_spec_1.xml" "$W/atom.xml"
cp "$DATA/feeds/latimes_403.html" "$W/page.html"
printf 'x-delay: 3\nbody-file: bbc.xml\n' >"$W/slow.xml.http"
printf 'status 410\n\nThis feed is gone.\n' >"$W/gone.xml.http"
printf '[poll]\ntimeout = 1s\nconnect_timeout = 1s\n' >"$T/newsfold.conf"
httpd_start "$W"
U=$HTTPD_URL
GOOD="bbc.xml nytimes.xml smh.xml atom.xml"
for f in $GOOD missing.xml slow.xml page.html gone.xml; do
	printf '[%s/%s]\n' "$U" "$f"
done >"$T/feeds.d/http.conf"

# PY_BY: Python that indexes the feeds --json rows by the last part of the URL
PY_BY='by = {f["url"].rsplit("/", 1)[1]: f for f in rows}'

expect_exit 0 "poll exits 0 whatever its feeds did" nfc poll
nfc feeds --json >"$T/feeds.json" 2>/dev/null
json_assert "several feeds over HTTP poll ok with their articles" "$T/feeds.json" "
$PY_BY
for n, want in (('bbc.xml', 5), ('nytimes.xml', 6), ('smh.xml', 4), ('atom.xml', 1)):
    f = by[n]
    assert f['status'] == 'ok' and f.get('http_status') == 200, f
    assert f['articles'] == want and f['failures'] == 0, f
"
json_assert "a 404 feed is status error with http_status 404 and one failure" "$T/feeds.json" "
$PY_BY
f = by['missing.xml']
assert f['status'] == 'error' and f.get('http_status') == 404, f
assert f['failures'] == 1 and f['articles'] == 0, f
assert f.get('error'), f
"
json_assert "a feed slower than the timeout is status error mentioning the timeout" "$T/feeds.json" "
$PY_BY
f = by['slow.xml']
assert f['status'] == 'error', f
assert 'time' in f.get('error', '').lower(), f
assert f['articles'] == 0, f
"
json_assert "an HTML page instead of a feed is status error saying why" "$T/feeds.json" "
$PY_BY
f = by['page.html']
assert f['status'] == 'error' and f.get('error'), f
assert 'feed' in f['error'] or 'html' in f['error'].lower(), f
"
json_assert "a 410 feed is status gone" "$T/feeds.json" "
$PY_BY
f = by['gone.xml']
assert f['status'] == 'gone' and f.get('http_status') == 410, f
"
nfc stories --all --json >"$T/stories.json" 2>/dev/null
json_assert "the articles of the good feeds are stored in the same poll as the failures" "$T/stories.json" "
feeds = {a['feed'].rsplit('/', 1)[1] for s in rows for a in s['articles']}
assert feeds == set('$GOOD'.split()), feeds
n = sum(len(s['articles']) for s in rows)
assert n == 16, n
"

nfc feeds >"$T/feeds.txt" 2>/dev/null
if grep "$U/missing.xml" "$T/feeds.txt" | grep -q "error.*404"; then
	ok "feeds (text) shows the 404 feed as error 404"
else
	fail "feeds (text) shows the 404 feed as error 404" "$(grep missing "$T/feeds.txt")"
fi

# the second poll: conditional GET
cp "$T/httpd.log" "$T/httpd.log.1"
expect_exit 0 "a second poll --force exits 0" nfc poll --force
python3 -c '
import json, sys
skip = sum(1 for _ in open(sys.argv[2]))
for i, l in enumerate(open(sys.argv[1])):
    if i >= skip:
        r = json.loads(l)
        h = {k.lower(): v for k, v in r["headers"].items()}
        print(r["path"], h.get("if-none-match", "-"))
' "$T/httpd.log" "$T/httpd.log.1" >"$T/second.txt"
missing=
for f in $GOOD; do
	grep -q "^/$f \"" "$T/second.txt" || missing="$missing $f"
done
[ -z "$missing" ] && ok "the second poll sends If-None-Match with the ETag it was given" ||
	fail "the second poll sends If-None-Match with the ETag it was given" \
		"without it:$missing ($(tr '\n' ' ' <"$T/second.txt"))"
nfc feeds --json >"$T/feeds2.json" 2>/dev/null
json_assert "an unchanged feed is status not_modified and keeps its articles" "$T/feeds2.json" "
$PY_BY
for n, want in (('bbc.xml', 5), ('nytimes.xml', 6), ('smh.xml', 4), ('atom.xml', 1)):
    f = by[n]
    assert f['status'] == 'not_modified', f
    assert f['articles'] == want and f['failures'] == 0 and 'error' not in f, f
"
json_assert "a feed failing twice counts two consecutive failures" "$T/feeds2.json" "
$PY_BY
assert by['missing.xml']['failures'] == 2, by['missing.xml']
"

# a feed that changes is fetched again and its new item stored
python3 -c '
import re, sys
p = sys.argv[1]
s = open(p, "rb").read()
s = s.replace(b"https://www.bbc.co.uk/news/world-australia-52844744",
              b"https://www.bbc.co.uk/news/world-australia-52844745", 2)
open(p, "wb").write(s)
' "$W/bbc.xml"
expect_exit 0 "a poll after a feed changed exits 0" nfc poll --force
nfc feeds --json >"$T/feeds3.json" 2>/dev/null
json_assert "a changed feed is fetched again (status ok) and its new item stored" "$T/feeds3.json" "
$PY_BY
assert by['bbc.xml']['status'] == 'ok' and by['bbc.xml']['articles'] == 6, by['bbc.xml']
"

# parse a URL: nothing stored, the source is the URL given
nfc parse --json "$U/bbc.xml" "$U/missing.xml" >"$T/parse.json" 2>"$T/parse.err"; rc=$?
[ $rc -eq 1 ] && ok "parse of a URL that answers 404 exits 1" ||
	fail "parse of a URL that answers 404 exits 1" "exit $rc"
json_assert "parse --json of URLs prints one line per URL in order" "$T/parse.json" "
assert [r['source'] for r in rows] == ['$U/bbc.xml', '$U/missing.xml'], rows
assert rows[0]['format'] == 'rss20' and len(rows[0]['entries']) == 5, rows[0].get('format')
assert 'error' in rows[1] and '404' in rows[1]['error'], rows[1]
"

done_testing
