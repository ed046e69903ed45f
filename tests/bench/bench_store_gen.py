#!/usr/bin/env python3
"""bench_store_gen.py -- synthetic but realistic RSS feeds for the store's
benchmark and crash test.

    bench_store_gen.py --dir DIR --feeds N --items M [--first K] [--seed S]
                       [--hours H]

Writes DIR/feedNNNN.xml, N feeds of M items each (items K..K+M-1 of each
feed, so a growing feed is the same call with a larger M).  Text is drawn
from a 30,000-word vocabulary with a Zipf distribution; every item reports
one of many stories (a handful of topic words each), and each story is
carried by several feeds, so the clustering folds them.  Items are dated
over the last H hours (default 48).  Deterministic for a given seed.
"""
import argparse
import os
import random
import time

SYL = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "gri", "mon",
       "tal", "ber", "dun", "fel", "hor", "jin", "kor", "lum", "mar", "nor", "pel",
       "qua", "ros", "sim", "tor", "ul", "ven", "wil"]


def vocabulary(rng, n):
    words, seen = [], set()
    while len(words) < n:
        w = "".join(rng.choice(SYL) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--feeds", type=int, required=True)
    ap.add_argument("--items", type=int, required=True)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hours", type=float, default=48)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    vocab = vocabulary(rng, 30000)
    cum, s = [], 0.0
    for i in range(len(vocab)):
        s += 1.0 / (i + 1) ** 1.07
        cum.append(s)
    now = int(time.time())
    span = int(a.hours * 3600)
    os.makedirs(a.dir, exist_ok=True)
    for f in range(a.feeds):
        out = []
        out.append('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                   "<title>Outlet %d</title><link>https://outlet%d.example/</link>\n" % (f, f))
        for i in range(a.first, a.first + a.items):
            # item i of feed f reports story (i * 7 + f // 5): five feeds
            # in a row carry the same stories
            story = i * 7 + f // 5
            srng = random.Random(story * 1000003 + a.seed)
            topic = srng.choices(vocab[300:], k=8)
            irng = random.Random((f * 1000003 + i) * 7 + a.seed)
            title = " ".join(topic[:4] + irng.choices(vocab, cum_weights=cum, k=4)).capitalize()
            body = topic * 3 + irng.choices(vocab, cum_weights=cum, k=45)
            irng.shuffle(body)
            ts = now - (story * 7919 % span)
            out.append("<item><title>%s</title><link>https://outlet%d.example/%d/%d</link>"
                       "<guid>o%d-%d</guid><pubDate>%s</pubDate><description>%s.</description>"
                       "</item>\n" % (title, f, story, i, f, i,
                                      time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(ts)),
                                      " ".join(body)))
        out.append("</channel></rss>\n")
        path = os.path.join(a.dir, "feed%04d.xml" % f)
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            fh.write("".join(out))
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
