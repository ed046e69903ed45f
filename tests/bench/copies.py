#!/usr/bin/env python3
"""copies.py -- the synthetic edit suite of the copy tier.

usage: copies.py make LABELLED.jsonl OUTDIR     write feeds and OUTDIR/cases.tsv
       copies.py score OUTDIR STORIES.jsonl     score `newsfold stories --all --json`
       copies.py score-first OUTDIR STORIES.jsonl

From each labelled article of at least 150 words (base texts written
independently by many outlets) it makes three copies, each in a feed of its
own outlet:
  wire    a dateline before and an agency footer after the text
  edit5   5% of the words replaced by other words of the corpus
  teaser  the first 60 words and an ellipsis
The originals go in one feed, polled first.  Recall per kind is the share
of copies that newsfold marks copy_of their original.  False positives: a
copy_of between two originals of different labelled stories, over all pairs
of originals of different stories (every original is "of the same day":
the labelled set has no dates, so all fall in one window).

OUTDIR/feeds-first.d lists the teasers' feed before the originals', for a
poll where each teaser is met first (kind teaser1): score-first counts the
originals that newsfold marks copy_of their teaser (or of the teaser of an
original that they copy).
"""
import html, json, os, random, sys

KINDS = ("wire", "edit5", "teaser")

def rss(items):
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0"><channel>',
           '<title>copies</title><link>https://example.org/</link>']
    for guid, link, title, text in items:
        out.append("<item><guid>%s</guid><link>%s</link><title>%s</title>"
                   "<description>%s</description>"
                   "<pubDate>Mon, 02 Mar 2026 12:00:00 GMT</pubDate></item>"
                   % (html.escape(guid), html.escape(link), html.escape(title), html.escape(text)))
    out.append("</channel></rss>")
    return "\n".join(out)

def make(labelled, outdir):
    rnd = random.Random(7)
    arts = [json.loads(l) for l in open(labelled, encoding="utf-8")]
    vocab = [w for a in arts for w in a["text"].split()]
    os.makedirs(outdir, exist_ok=True)
    originals, copies, cases = [], {k: [] for k in KINDS}, []
    for a in arts:
        words = a["text"].split()
        if len(words) < 150:
            continue
        oid = "orig-" + a["id"]
        originals.append((oid, "https://orig.example/" + oid, a["title"], a["text"]))
        wire = "LONDON (Wire) - " + a["text"] + \
               " Reporting by A. Writer; Editing by B. Desk. Our Standards: The Trust Principles."
        edited = list(words)
        for i in rnd.sample(range(len(words)), max(1, len(words) // 20)):
            edited[i] = rnd.choice(vocab)
        teaser = " ".join(words[:60]) + " ..."
        for kind, text in (("wire", wire), ("edit5", " ".join(edited)), ("teaser", teaser)):
            cid = "%s-%s" % (kind, a["id"])
            copies[kind].append((cid, "https://%s.example/%s" % (kind, cid), a["title"], text))
            cases.append((cid, oid, kind, a["story"]))
    with open(os.path.join(outdir, "0-originals.xml"), "w", encoding="utf-8") as f:
        f.write(rss(originals))
    for k in KINDS:
        with open(os.path.join(outdir, "1-%s.xml" % k), "w", encoding="utf-8") as f:
            f.write(rss(copies[k]))
    with open(os.path.join(outdir, "cases.tsv"), "w", encoding="utf-8") as f:
        for o in originals:
            f.write("%s\t\toriginal\t%s\n" % (o[0], next(c[3] for c in cases if c[1] == o[0])))
        for c in cases:
            f.write("\t".join(c) + "\n")
    for d, names in (("feeds.d", ["0-originals"] + ["1-" + k for k in KINDS]),
                     ("feeds-first.d", ["1-teaser", "0-originals"])):
        os.makedirs(os.path.join(outdir, d), exist_ok=True)
        with open(os.path.join(outdir, d, "copies.conf"), "w") as f:
            for name in names:
                f.write("[file://%s/%s.xml]\n" % (os.path.abspath(outdir), name))

def score(outdir, stories, first=False):
    kind, orig, story = {}, {}, {}
    for line in open(os.path.join(outdir, "cases.tsv"), encoding="utf-8"):
        cid, oid, k, st = line.rstrip("\n").split("\t")
        kind[cid], orig[cid], story[cid] = k, oid, st
    guid_of, copy_of = {}, {}
    for line in open(stories, encoding="utf-8"):
        for a in json.loads(line)["articles"]:
            guid_of[a["id"]] = a.get("guid")
    for line in open(stories, encoding="utf-8"):
        for a in json.loads(line)["articles"]:
            if "copy_of" in a:
                copy_of[a.get("guid")] = guid_of.get(a["copy_of"])
    n_orig = sum(1 for c in kind if kind[c] == "original")
    print("%-8s %6s %6s %8s" % ("kind", "cases", "found", "recall"))
    if first:
        # an original may also be marked a copy of another original's
        # teaser of the same story: that original is a copy of its own
        # (the labelled set holds wire copies), counted apart
        cs = [c for c in kind if kind[c] == "teaser"]
        own = sum(1 for c in cs if copy_of.get(orig[c]) == c)
        other = sum(1 for c in cs if copy_of.get(orig[c]) not in (None, c) and
                    kind.get(copy_of[orig[c]]) == "teaser" and story[copy_of[orig[c]]] == story[c])
        print("%-8s %6d %6d %8.4f   (of which %d of another teaser of the same story)"
              % ("teaser1", len(cs), own + other, (own + other) / max(1, len(cs)), other))
        return
    for k in KINDS:
        cs = [c for c in kind if kind[c] == k]
        # an original that is itself a copy of an earlier one passes its
        # copies on to that one
        hit = sum(1 for c in cs if copy_of.get(c) in (orig[c], copy_of.get(orig[c], orig[c])))
        print("%-8s %6d %6d %8.4f" % (k, len(cs), hit, hit / max(1, len(cs))))
    origs = [c for c in kind if kind[c] == "original"]
    bystory = {}
    for c in origs:
        bystory.setdefault(story[c], []).append(c)
    same = sum(len(v) * (len(v) - 1) // 2 for v in bystory.values())
    pairs = n_orig * (n_orig - 1) // 2 - same
    fp = sum(1 for c in origs if c in copy_of and copy_of[c] in story and story[copy_of[c]] != story[c])
    print("false positives: %d of %d pairs of originals of different stories (%.4f%%)"
          % (fp, pairs, 100.0 * fp / max(1, pairs)))

if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score-first":
        score(sys.argv[2], sys.argv[3], first=True)
    else:
        sys.exit(__doc__)
