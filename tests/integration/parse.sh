#!/bin/sh
# parse.sh -- `newsfold parse` of local files: one JSON line per input in
# input order, the detected format, errors per input, the text listing.
. "$(dirname "$0")/lib.sh"
F=$DATA/feeds

set -- "$F/bbc_rss20.xml" "$F/feedrs_atom_spec_1.xml" "$F/gofeed_atom03_feed.xml" \
	"$F/feedrs_rss_1.0_spec_1.xml" "$F/feedrs_rss_0.91_spec_1.xml" \
	"$F/gofeed_version_rss_091_netscape.xml" "$F/feedrs_jsonfeed_spec_1.json" \
	"$DATA/replay/smh.xml"
nf parse --json "$@" >"$T/parse.json" 2>"$T/parse.err"; rc=$?
[ $rc -eq 0 ] && ok "parse --json of good files exits 0" ||
	fail "parse --json of good files exits 0" "exit $rc: $(head -3 "$T/parse.err")"
json_assert "parse --json prints one line per input, in input order, with the source given" \
	"$T/parse.json" "
want = '''$*'''.split()
assert [r['source'] for r in rows] == want, [r.get('source') for r in rows]
"
json_assert "parse --json names the format of each input" "$T/parse.json" '
got = [r.get("format") for r in rows]
assert got == ["rss20", "atom10", "atom03", "rss10", "rss091u", "rss091n", "json10", "rss20"], got
'
json_assert "parse --json gives each document its fields and entries" "$T/parse.json" '
for r in rows:
    assert r["wellformed"] is True and "error" not in r, r["source"]
    assert isinstance(r["feed"], dict) and isinstance(r.get("entries", []), list), r["source"]
bbc, smh = rows[0], rows[-1]
assert bbc["feed"]["title"] == "BBC News - Home", bbc["feed"]
assert len(bbc["entries"]) == 3 and len(smh["entries"]) == 4
e = smh["entries"][2]
assert e["title"].startswith("Minneapolis rioters storm police station"), e["title"]
assert e["id"] == "p54xpu" and e["link"].startswith("https://www.smh.com.au/world/"), e
assert e["published"] == "2020-05-29T03:43:31Z", e["published"]
'

# a missing file among good ones
nf parse --json "$F/bbc_rss20.xml" "$T/no-such.xml" "$F/feedrs_atom_spec_1.xml" \
	>"$T/parse2.json" 2>"$T/parse2.err"; rc=$?
[ $rc -eq 1 ] && ok "parse with a missing file exits 1" ||
	fail "parse with a missing file exits 1" "exit $rc"
json_assert "a missing file is still one line, with an error, and the others are printed" \
	"$T/parse2.json" "
assert [r['source'] for r in rows] == ['$F/bbc_rss20.xml', '$T/no-such.xml', '$F/feedrs_atom_spec_1.xml'], rows
assert not rows[1].get('entries'), rows[1]
assert rows[1]['error'], rows[1]
assert rows[0]['format'] == 'rss20' and rows[2]['format'] == 'atom10'
"
grep -q "^newsfold: $T/no-such.xml: " "$T/parse2.err" &&
	ok "a missing file is reported on stderr as newsfold: FILE: why" ||
	fail "a missing file is reported on stderr as newsfold: FILE: why" "$(cat "$T/parse2.err")"

# not a feed, not well-formed
nf parse --json "$F/latimes_403.html" "$F/missing_end_tags.xml" >"$T/parse3.json" 2>/dev/null
json_assert "an HTML page parses as no format, saying why" "$T/parse3.json" '
r = rows[0]
assert "format" not in r or r["format"] in (None, ""), r.get("format")
assert r.get("error") and ("feed" in r["error"] or "html" in r["error"].lower()), r
'
json_assert "a feed with a broken tag is not well-formed but keeps its entries" "$T/parse3.json" '
r = rows[1]
assert r["wellformed"] is False and r.get("error"), r
assert r["format"] == "rss20" and len(r["entries"]) >= 1, r
'

# text
nf parse "$F/bbc_rss20.xml" "$DATA/replay/smh.xml" >"$T/parse.txt" 2>"$T/parse.err"; rc=$?
[ $rc -eq 0 ] && ok "parse (text) exits 0" || fail "parse (text) exits 0" "exit $rc"
missing=
for t in $(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["source"].endswith(("bbc_rss20.xml", "smh.xml")):
        for e in r["entries"]:
            print(e["title"].replace(" ", "\x01"))
' "$T/parse.json"); do
	t=$(printf '%s' "$t" | tr '\001' ' ')
	grep -qF -- "$t" "$T/parse.txt" || missing="$missing [$t]"
done
[ -z "$missing" ] && ok "parse (text) prints every entry title" ||
	fail "parse (text) prints every entry title" "missing:$missing"
grep -q "rss20" "$T/parse.txt" && ok "parse (text) names the format" ||
	fail "parse (text) names the format" "$(head -2 "$T/parse.txt")"
[ ! -e "$T/db" ] && ok "parse stores nothing" || fail "parse stores nothing" "$T/db exists"
expect_exit 2 "parse without a file is a usage error" nf parse
expect_exit 2 "parse with an unknown option is a usage error" nf parse --frobnicate x.xml

done_testing
