#!/usr/bin/env python3
"""gen_rss.py OUT [MB] -- write a deterministic RSS 2.0 feed of about MB
megabytes (default 50): items with title, link, guid, pubDate, author,
categories, an enclosure, an HTML description and content:encoded, like a
busy news feed."""
import random
import sys

WORDS = ('police minister election storm market court report city council water fire '
         'government school health border trade energy price vote river bridge train '
         'hospital strike talks summit budget tax climate flood bank housing').split()


def sentence(r, n):
    return ' '.join(r.choice(WORDS) for _ in range(n)).capitalize() + '.'


def main():
    out = sys.argv[1]
    target = int(float(sys.argv[2] if len(sys.argv) > 2 else 50) * 1e6)
    r = random.Random(42)
    days = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
    months = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')
    with open(out, 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
                '<title>Generated News</title>\n<link>https://news.example.com/</link>\n'
                '<description>A generated feed for benchmarks</description>\n'
                '<language>en-gb</language>\n')
        i = 0
        while f.tell() < target:
            i += 1
            title = sentence(r, 8)
            paras = ''.join(f'<p>{sentence(r, 25)} {sentence(r, 20)}</p>' for _ in range(3))
            f.write('<item>\n'
                    f'<title>{title}</title>\n'
                    f'<link>https://news.example.com/story/{i}?ref=rss&amp;s=1</link>\n'
                    f'<guid isPermaLink="false">story-{i}</guid>\n'
                    f'<pubDate>{days[i % 7]}, {1 + i % 28:02d} {months[i % 12]} 2024 '
                    f'{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d} +0000</pubDate>\n'
                    f'<dc:creator>Reporter {i % 97}</dc:creator>\n'
                    f'<category>{r.choice(WORDS)}</category><category>{r.choice(WORDS)}</category>\n'
                    f'<enclosure url="https://img.example.com/{i}.jpg" type="image/jpeg" length="{1000 + i}"/>\n'
                    f'<description><![CDATA[<p>{sentence(r, 30)}</p>]]></description>\n'
                    f'<content:encoded><![CDATA[{paras}]]></content:encoded>\n'
                    '</item>\n')
        f.write('</channel>\n</rss>\n')


if __name__ == '__main__':
    main()
