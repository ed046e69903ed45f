#!/usr/bin/env python3
"""record_seeds.py DIR -- seeds for fuzz_record: article, story and feed
records encoded from the byte layout that pkg/store/store.h documents
(written here apart from the C encoder, so that the two are checked
against each other by the harness's round trip)."""
import os
import struct
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def svarint(n):
    return varint((n << 1) ^ (n >> 63) if n < 0 else n << 1)


def s(x):
    if x is None:
        return varint(0)
    b = x.encode() + b"\0"
    return varint(len(b)) + b


def mstr(items):
    b = b"".join(i.encode() + b"\0" for i in items)
    return varint(len(items)) + varint(len(b)) + b


def terms(v):
    return varint(len(v)) + b"".join(struct.pack("<Qf", h, w) for h, w in v)


def article(nterms, nsig, summary):
    return (b"\x01" + varint(7) + varint(0) + mstr(["https://a.example/rss"]) + s("g1") +
            s("https://a.example/1") + s("A title") + s("a.example") + s(summary) +
            svarint(1700000000) + svarint(1700000100) + svarint(-1) +
            struct.pack("<QQ", 0xDEADBEEFCAFEF00D, 5) + b"\x02" + struct.pack("<f", 0.4) +
            varint(3) + terms([(11 * i + 1, 0.1 * i) for i in range(nterms)]) +
            varint(nsig) + b"".join(struct.pack("<I", 97 * i) for i in range(nsig)))


def story(narts, ncent):
    return (b"\x01" + s("A title") + varint(1) + svarint(1700000000) + svarint(1700003600) +
            b"\x00" + varint(0) + mstr(["a.example", "b.example"]) + varint(narts) +
            b"".join(struct.pack("<Q", i + 1) for i in range(narts)) +
            terms([(5 * i + 2, 1.0 / (i + 1)) for i in range(ncent)]))


def feed():
    return (b"\x01" + s("A feed") + s('"etag"') + s(None) + varint(1) + varint(200) + s(None) +
            varint(0) + svarint(1700000000) + svarint(1700000000) + svarint(1700003600) +
            s(None) + varint(12) + s("http"))


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    seeds = {
        "article": article(3, 8, "Some text."),
        "article-none": article(0, 0, None),
        "article-long": article(48, 96, "word " * 500),
        "story": story(3, 4),
        "story-empty": story(0, 0),
        "feed": feed(),
    }
    for name, rec in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(rec)


if __name__ == "__main__":
    main()
