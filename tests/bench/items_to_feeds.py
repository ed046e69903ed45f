#!/usr/bin/env python3
"""items_to_feeds.py -- turn a flattened item table into RSS files to replay.

usage: items_to_feeds.py TABLE.jsonl[.xz] OUTDIR [--limit N]

Reads shared/data/items tables (gesab001, jeffthomasweb, reuters: outlet,
guid, link, title, description, published_utc; lede: outlet, url, title,
summary, published) and writes one RSS 2.0 file per outlet and UTC day,
in time order, plus OUTDIR/feeds.d/replay.conf listing them as file://
sections in that order.  Prints the number of items written.
"""
import html, json, lzma, os, sys

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, out = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    opener = lzma.open if path.endswith(".xz") else open
    items = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            when = d.get("published_utc") or d.get("published") or ""
            link = d.get("link") or d.get("url") or ""
            text = d.get("description") or d.get("summary") or ""
            if not when or not (link or d.get("guid")):
                continue
            items.append((when[:19], d["outlet"], d.get("guid") or link, link, d.get("title") or "", text))
    items.sort()
    if limit:
        items = items[:limit]
    os.makedirs(os.path.join(out, "feeds.d"), exist_ok=True)
    files = {}
    for when, outlet, guid, link, title, text in items:
        files.setdefault("%s-%s" % (when[:10], outlet), []).append((when, guid, link, title, text))
    conf = open(os.path.join(out, "feeds.d", "replay.conf"), "w", encoding="utf-8")
    for name in sorted(files):
        p = os.path.abspath(os.path.join(out, name + ".xml"))
        with open(p, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                    "<title>%s</title><link>https://example.org/</link>\n" % html.escape(name))
            for when, guid, link, title, text in files[name]:
                f.write("<item><guid>%s</guid><link>%s</link><title>%s</title>"
                        "<description>%s</description><pubDate>%s</pubDate></item>\n"
                        % (html.escape(guid), html.escape(link), html.escape(title),
                           html.escape(text), html.escape(when + "Z")))
            f.write("</channel></rss>\n")
        conf.write("[file://%s]\n" % p)
    conf.close()
    print(len(items))

if __name__ == "__main__":
    main()
