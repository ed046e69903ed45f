#!/bin/sh
# hostile.sh -- one poll of good feeds and of every hostile case of
# tests/hostile_server.py at once: the poll ends on its own, its peak memory
# stays under 256 MB, the good feeds are stored, each bad feed's outcome is
# recorded, and the content of a local file never reaches the store or any
# output (nor does newsfold fetch anything it was not asked to).
. "$(dirname "$0")/lib.sh"

SECRET_MARK=NEWSFOLD-SECRET-$$-$(date +%s)
printf '%s\n' "$SECRET_MARK" >"$T/secret.txt"
mkdir -p "$T/good"
cp "$DATA/replay/bbc.xml" "$DATA/replay/nytimes.xml" "$DATA/replay/smh.xml" "$T/good/"
cp "$DATA/feeds/feedrs_jsonfeed_spec_1.json" "$T/good/feed.json"

rm -f "$T/hostile.port"
python3 "$TESTS_DIR/hostile_server.py" --port-file "$T/hostile.port" --secret "$T/secret.txt" \
	--good "$T/good" --log "$T/requests.log" 2>"$T/hostile.err" &
HTTPD_PID=$!
i=0
while [ ! -s "$T/hostile.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/hostile.port" ] || { echo "hostile_server did not start: $(cat "$T/hostile.err")"; exit 1; }
U=http://127.0.0.1:$(cat "$T/hostile.port")

GOOD="good/bbc.xml good/nytimes.xml good/smh.xml good/feed.json http10.xml"
BAD="drip.xml endless.xml bomb.xml loop.xml to-file.xml to-gopher.xml 500.xml 429.xml
	503.xml 404.xml 410.xml page.xml truncated.xml short.xml bad-utf8.xml laughs.xml xxe.xml
	many.xml big-title.xml deep-xml.xml deep-html.xml deep-json.json empty.xml junk.xml
	lie-latin1.xml lie-utf16.xml"
for f in $GOOD $BAD; do printf '[%s/%s]\n' "$U" "$f"; done >"$T/feeds.d/hostile.conf"
printf '[poll]\ntimeout = 3s\nconnect_timeout = 1s\nmax_body = 8M\nper_host = 40\nconcurrency = 40\n' \
	>"$T/newsfold.conf"

# The poll, bounded from outside: 124 from timeout(1) means it hung.
TIME=/usr/bin/time
[ -x "$TIME" ] || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; }
if [ -x "$TIME" ]; then
	timeout 120 "$TIME" -v -o "$T/time.txt" "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" \
		-f "$T/feeds.d" poll >"$T/poll.out" 2>"$T/poll.err"
else
	timeout 120 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" poll \
		>"$T/poll.out" 2>"$T/poll.err"
fi
rc=$?
if [ $rc -eq 0 ]; then ok "the poll of every hostile case ends on its own and exits 0"
else fail "the poll of every hostile case ends on its own and exits 0" "exit $rc: $(tail -3 "$T/poll.err")"; fi
if [ -n "${SANITIZE:-}" ]; then
	echo "ok - peak memory of the hostile poll stays under 256 MB # skip sanitizers' own memory"
elif [ -f "$T/time.txt" ]; then
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T/time.txt")
	echo "# peak RSS ${kb:-?} KB, $(sed -n 's/.*Elapsed (wall clock) time[^:]*: *//p' "$T/time.txt") wall"
	if [ -n "$kb" ] && [ "$kb" -lt 262144 ]; then ok "peak memory of the hostile poll stays under 256 MB"
	else fail "peak memory of the hostile poll stays under 256 MB" "${kb:-?} KB"; fi
else
	echo "ok - peak memory of the hostile poll stays under 256 MB # skip no /usr/bin/time"
fi

nfc feeds --json >"$T/feeds.json" 2>"$T/feeds.err"
nfc stories --all --json >"$T/stories.json" 2>"$T/stories.err"
# stories.json holds 100,000 one-line stories of many.xml; most checks read
# the others only.
grep -v '/many\.xml"' "$T/stories.json" >"$T/few.json"
# BY: the feeds --json rows indexed by the URL's path ("good/bbc.xml", "drip.xml")
BY='by = {f["url"].split("/", 3)[3]: f for f in rows}'
outcome() { # outcome NAME PYTHON: a check of feed ${f} = by[NAME]
	json_assert "$1" "$T/feeds.json" "
$BY
f = by['$2']
$3
"
}

json_assert "the good feeds polled with the hostile ones are stored" "$T/feeds.json" "
$BY
for n, want in (('good/bbc.xml', 5), ('good/nytimes.xml', 6), ('good/smh.xml', 4),
                ('good/feed.json', 1)):
    f = by[n]
    assert f['status'] == 'ok' and f['articles'] == want, (n, f)
"
json_assert "the good feeds' articles are listed by stories" "$T/few.json" "
feeds = {a['feed'].split('/', 3)[3] for s in rows for a in s['articles']}
for n in ('good/bbc.xml', 'good/nytimes.xml', 'good/smh.xml', 'good/feed.json', 'http10.xml'):
    assert n in feeds, n
"
json_assert "every hostile feed has a recorded outcome" "$T/feeds.json" "
$BY
for n in '''$BAD'''.split():
    f = by[n]
    assert f['status'] in ('ok', 'error', 'gone') and f.get('last_poll'), (n, f)
    assert f['status'] == 'ok' or f.get('error'), (n, f)
"
outcome "a slow drip times out" drip.xml "
assert f['status'] == 'error' and 'time' in f['error'].lower(), f"
outcome "an endless body is cut at max_body" endless.xml "
assert f['status'] == 'error' and 'larger' in f['error'], f"
outcome "a gzip bomb is cut at max_body once inflated" bomb.xml "
assert f['status'] == 'error' and 'larger' in f['error'], f"
outcome "a redirect loop is an error about redirects" loop.xml "
assert f['status'] == 'error' and 'redirect' in f['error'], f"
outcome "a redirect to file:// is refused" to-file.xml "
assert f['status'] == 'error' and 'file' in f['error'] and f['articles'] == 0, f"
outcome "a redirect to gopher:// is refused" to-gopher.xml "
assert f['status'] == 'error' and 'gopher' in f['error'], f"
outcome "a 500 is an error with its status" 500.xml "
assert f['status'] == 'error' and f['http_status'] == 500, f"
outcome "a 429 with Retry-After waits at least that long" 429.xml "
import datetime as d
t = lambda s: d.datetime.fromisoformat(s.replace('Z', '+00:00'))
assert f['status'] == 'error' and f['http_status'] == 429, f
assert (t(f['next_poll']) - t(f['last_poll'])).total_seconds() >= 7200, f"
outcome "a 503 with Retry-After waits at least that long" 503.xml "
import datetime as d
t = lambda s: d.datetime.fromisoformat(s.replace('Z', '+00:00'))
assert f['status'] == 'error' and f['http_status'] == 503, f
assert (t(f['next_poll']) - t(f['last_poll'])).total_seconds() >= 3600, f"
outcome "a 404 is an error with its status" 404.xml "
assert f['status'] == 'error' and f['http_status'] == 404, f"
outcome "a 410 is gone and not polled again" 410.xml "
assert f['status'] == 'gone' and f['http_status'] == 410 and 'next_poll' not in f, f"
outcome "an HTML page instead of a feed is an error saying so" page.xml "
assert f['status'] == 'error' and 'feed' in f['error'], f"
outcome "a truncated feed keeps the items before the cut" truncated.xml "
assert f['status'] == 'ok' and f['articles'] >= 2, f"
outcome "a body shorter than its Content-Length is an error" short.xml "
assert f['status'] == 'error' and f['articles'] == 0, f"
outcome "a feed with invalid UTF-8 is stored" bad-utf8.xml "
assert f['status'] == 'ok' and f['articles'] == 6, f"
json_assert "invalid UTF-8 is repaired, never passed on" "$T/few.json" "
t = [a['title'] for s in rows for a in s['articles'] if a['title'].startswith('Broken text')]
assert len(t) == 6, t
assert not any(c == '\\x00' or 0xD800 <= ord(c) <= 0xDFFF for x in t for c in x), t
"
outcome "billion laughs is rejected: the feed's error names the entity expansion" laughs.xml "
assert f['status'] == 'error' and f['articles'] == 0, f
assert 'entity expansion' in f['error'] and f['error'].startswith('line '), f"
outcome "a feed of 100,000 entries is stored" many.xml "
assert f['status'] == 'ok' and f['articles'] == 100000, f"
outcome "a 5 MB title does not lose the feed" big-title.xml "
assert f['status'] == 'ok' and f['articles'] == 2, f"
json_assert "the stories output is valid UTF-8 with no field over max_field (1 MiB)" "$T/stories.json" "
open('$T/stories.json', 'rb').read().decode('utf-8')  # strict: raises on an invalid byte
for s in rows:
    assert len(s['title']) <= (1 << 20), len(s['title'])
    for a in s['articles']:
        assert len(a['title']) <= (1 << 20) and 'lollollol' not in a['title'], len(a['title'])
"
outcome "100,000-deep XML nesting is survived" deep-xml.xml "
assert f['status'] in ('ok', 'error'), f"
outcome "100,000-deep HTML nesting in an item is survived" deep-html.xml "
assert f['status'] == 'ok' and f['articles'] == 2, f"
outcome "100,000-deep JSON nesting is an error" deep-json.json "
assert f['status'] == 'error' and f['articles'] == 0, f"
outcome "an empty body is an error" empty.xml "
assert f['status'] == 'error' and 'empty' in f['error'], f"
outcome "binary junk is an error" junk.xml "
assert f['status'] == 'error' and f['articles'] == 0, f"
outcome "a close-delimited HTTP/1.0 body is a good feed" http10.xml "
assert f['status'] == 'ok' and f['articles'] == 2, f"
outcome "a feed declared UTF-8 but written in Latin-1 is stored" lie-latin1.xml "
assert f['status'] == 'ok' and f['articles'] == 1, f"
outcome "a feed declared UTF-16 but written in UTF-8 is stored" lie-utf16.xml "
assert f['status'] == 'ok' and f['articles'] == 1, f"

# No local file, no network beyond the configured feeds.
nfc parse --json "$U/xxe.xml" "$U/to-file.xml" >"$T/parse.out" 2>&1
nfc atom >"$T/atom.out" 2>&1
nfc show 1 --json >"$T/show.out" 2>&1
leaks=$(grep -l -a -r -- "$SECRET_MARK" "$T/poll.out" "$T/poll.err" "$T/feeds.json" \
	"$T/stories.json" "$T/parse.out" "$T/atom.out" "$T/show.out" "$T/db" 2>/dev/null)
if [ -z "$leaks" ]; then ok "the local file's content reaches no output and not the store"
else fail "the local file's content reaches no output and not the store" "found in: $leaks"; fi
json_assert "external entities and XInclude are left unexpanded" "$T/few.json" "
t = [a['title'] for s in rows for a in s['articles'] if '/xxe/' in a.get('url', '')]
assert len(t) >= 2 and 'XInclude here' in t, t
"
if grep -q canary "$T/requests.log"; then fail "no URL named inside a feed is fetched" \
	"$(grep canary "$T/requests.log" | head -3)"
else ok "no URL named inside a feed is fetched"; fi
if grep -qv ' HTTP/1\.[01]$' "$T/requests.log"; then fail "nothing but HTTP reaches the server" \
	"$(grep -v ' HTTP/1\.[01]$' "$T/requests.log" | head -3)"
else ok "nothing but HTTP reaches the server"; fi

done_testing
