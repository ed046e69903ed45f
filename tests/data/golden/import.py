#!/usr/bin/env python3
"""import.py CORPUS [DEST] -- turn other parsers' golden outputs into newsfold cases.

CORPUS is the folder holding gofeed/ (mmcdole/gofeed testdata) and feed-rs/
(feed-rs fixtures) as described in README.md.  For each input that has a
golden output, this copies the input byte for byte to DEST (default: this
folder), keeping the relative layout, and writes NAME.expected.json next to
it: the golden output mapped to newsfold's `parse --json` schema, keeping
only the fields newsfold has (the field lists are in parse_golden.py; the
mapping is in README.md).  The expected files are written once from the
other parser's output; afterwards they change only through review
(UPDATE=1 of tests/integration/parse_golden.sh, then a diff).
"""
import datetime
import html
import json
import os
import re
import shutil
import sys


def date(s):
    """An RFC 3339 date as newsfold prints it (UTC, whole seconds)."""
    if not s:
        return None
    s = s.strip()
    m = re.match(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$', s)
    if not m:
        return None
    d = datetime.datetime.fromisoformat(m.group(1) + (m.group(3) or 'Z').replace('Z', '+00:00'))
    if d.year < 1900:  # Go's zero time: no date
        return None
    return d.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def clean(o, key=None):
    """Drop empty values: an absent key means absent or empty.  Entries
    stay, even empty, so that their number is compared."""
    if isinstance(o, dict):
        r = {k: clean(v, k) for k, v in o.items()}
        return {k: v for k, v in r.items() if v not in (None, '', [], {})}
    if isinstance(o, list) and key == 'entries':
        return [clean(v) for v in o]
    if isinstance(o, list):
        r = [clean(v) for v in o]
        return [v for v in r if v not in (None, '', [], {})]
    return o


def person(p, keys=('name', 'email', 'uri')):
    if not isinstance(p, dict):
        return None
    return {k: p.get(src) for k, src in zip(('name', 'email', 'uri'), ('name', 'email', 'uri'))
            if k in keys}


GOFEED_FORMAT = {('rss', '2.0'): 'rss20', ('rss', '1.0'): 'rss10', ('rss', '0.90'): 'rss090',
                 ('rss', '0.91'): 'rss091*', ('rss', '0.92'): 'rss092', ('rss', '0.93'): 'rss093',
                 ('rss', '0.94'): 'rss094', ('atom', '1.0'): 'atom10', ('atom', '0.3'): 'atom03',
                 ('json', '1.0'): 'json10', ('json', '1.1'): 'json11'}


# ---- gofeed universal (translator and extensions) ------------------------

def gofeed_universal(g):
    feed = {
        'title': g.get('title'), 'subtitle': g.get('description'), 'link': g.get('link'),
        'updated': date(g.get('updatedParsed')), 'published': date(g.get('publishedParsed')),
        'language': g.get('language'), 'rights': g.get('copyright'),
        'generator': g.get('generator'),
        'authors': [person(a, ('name', 'email')) for a in g.get('authors') or []],
        'categories': [{'term': c} for c in g.get('categories') or []],
    }
    if isinstance(g.get('image'), dict):
        feed['image'] = {'url': g['image'].get('url'), 'title': g['image'].get('title')}
    entries = []
    for it in g.get('items') or []:
        entries.append({
            'title': it.get('title'), 'link': it.get('link'), 'id': it.get('guid'),
            'published': date(it.get('publishedParsed')), 'updated': date(it.get('updatedParsed')),
            'authors': [person(a, ('name', 'email')) for a in it.get('authors') or []],
            'summary': it.get('description'),
            'content': [{'value': it['content']}] if it.get('content') else [],
            'categories': [{'term': c} for c in it.get('categories') or []],
            'enclosures': [{'href': e.get('url'), 'type': e.get('type'),
                            'length': int(e['length']) if str(e.get('length') or '').isdigit() else None}
                           for e in it.get('enclosures') or []],
        })
    fmt = GOFEED_FORMAT.get((g.get('feedType'), g.get('feedVersion')))
    return {'format': fmt, 'feed': feed, 'entries': entries}


# ---- gofeed format-level structs (parser/rss, parser/atom, parser/json) ---

def gofeed_rss(g):
    feed = {
        'title': g.get('title'), 'link': g.get('link'), 'subtitle': g.get('description'),
        'language': g.get('language'), 'rights': g.get('copyright'),
        'generator': g.get('generator'),
        'published': date(g.get('pubDateParsed')), 'updated': date(g.get('lastBuildDateParsed')),
        'categories': [{'term': c.get('value'), 'scheme': c.get('domain')}
                       for c in g.get('categories') or []],
    }
    if isinstance(g.get('image'), dict):
        i = g['image']
        feed['image'] = {'url': i.get('url'), 'title': i.get('title'), 'link': i.get('link')}
    entries = []
    for it in g.get('items') or []:
        encs = list(it.get('enclosures') or [])
        if not encs and it.get('enclosure'):
            encs = [it['enclosure']]
        guid = it.get('guid') or {}
        entries.append({
            'title': it.get('title'), 'link': it.get('link'), 'summary': it.get('description'),
            'content': [{'value': it['content']}] if it.get('content') else [],
            'id': guid.get('value'), 'published': date(it.get('pubDateParsed')),
            'comments': it.get('comments'),
            'categories': [{'term': c.get('value'), 'scheme': c.get('domain')}
                           for c in it.get('categories') or []],
            'enclosures': [{'href': e.get('url'), 'type': e.get('type'),
                            'length': int(e['length']) if str(e.get('length') or '').isdigit() else None}
                           for e in encs],
        })
    v = g.get('version') or '2.0'
    return {'format': GOFEED_FORMAT.get(('rss', v), 'rss*'), 'feed': feed, 'entries': entries}


def atom_links(ls):
    return [{'href': l.get('href'), 'rel': l.get('rel') or 'alternate', 'type': l.get('type'),
             'title': l.get('title')} for l in ls or [] if l.get('href')]


def atom_gen(gen):
    return gen.get('value') if isinstance(gen, dict) else gen


def gofeed_atom(g):
    feed = {
        'title': g.get('title'), 'subtitle': g.get('subtitle'), 'id': g.get('id'),
        'updated': date(g.get('updatedParsed')), 'links': atom_links(g.get('links')),
        'authors': [person(a) for a in g.get('authors') or []],
        'contributors': [person(a) for a in g.get('contributors') or []],
        'categories': [{'term': c.get('term'), 'scheme': c.get('scheme'), 'label': c.get('label')}
                       for c in g.get('categories') or []],
        'rights': g.get('rights'), 'language': g.get('language'),
        'generator': atom_gen(g.get('generator')), 'icon': g.get('icon'), 'logo': g.get('logo'),
    }
    entries = []
    for e in g.get('entries') or []:
        c = e.get('content')
        entries.append({
            'title': e.get('title'), 'id': e.get('id'), 'links': atom_links(e.get('links')),
            'published': date(e.get('publishedParsed')), 'updated': date(e.get('updatedParsed')),
            'authors': [person(a) for a in e.get('authors') or []],
            'contributors': [person(a) for a in e.get('contributors') or []],
            'summary': e.get('summary'),
            'content': [{'value': c.get('value'), 'src': c.get('src')}] if c else [],
            'categories': [{'term': x.get('term'), 'scheme': x.get('scheme'), 'label': x.get('label')}
                           for x in e.get('categories') or []],
            'rights': e.get('rights'),
        })
    v = g.get('version')
    return {'format': GOFEED_FORMAT.get(('atom', v), 'atom*'), 'feed': feed, 'entries': entries}


def json_date(s):
    if not s:
        return None
    return date(s) or date(s.replace(' ', 'T'))


def gofeed_json(g):
    authors = list(g.get('authors') or [])
    if g.get('author') and g['author'] not in authors:
        authors.append(g['author'])
    feed = {
        'title': g.get('title'), 'subtitle': g.get('description'), 'link': g.get('home_page_url'),
        'logo': g.get('icon'), 'icon': g.get('favicon'), 'language': g.get('language'),
        'authors': [{'name': a.get('name'), 'uri': a.get('url')} for a in authors],
    }
    entries = []
    for it in g.get('items') or []:
        ia = list(it.get('authors') or [])
        if it.get('author') and it['author'] not in ia:
            ia.append(it['author'])
        entries.append({
            'id': it.get('id'), 'title': it.get('title'), 'link': it.get('url'),
            'summary': it.get('summary'),
            'content': [{'value': v} for v in (it.get('content_html'), it.get('content_text')) if v],
            'published': json_date(it.get('date_published')),
            'updated': json_date(it.get('date_modified')),
            'authors': [{'name': a.get('name'), 'uri': a.get('url')} for a in ia],
            'categories': [{'term': t} for t in it.get('tags') or []],
            'enclosures': [{'href': a.get('url'), 'type': a.get('mime_type'),
                            'length': a.get('size_in_bytes') or None}
                           for a in it.get('attachments') or []],
        })
    v = str(g.get('version') or '')
    fmt = 'json11' if v.endswith('1.1') else 'json10' if v.endswith('1') else 'json1*'
    return {'format': fmt, 'feed': feed, 'entries': entries}


# ---- feed-rs ----------------------------------------------------------------

FEEDRS_FORMAT = {'Atom': 'atom*', 'RSS0': 'rss09*', 'RSS1': 'rss*', 'RSS2': 'rss20', 'JSON': 'json1*'}


def content(t):
    return t.get('content') if isinstance(t, dict) else None


def main_link(links):
    for l in links or []:
        if l.get('rel') in (None, 'alternate') and l.get('href'):
            return l['href']
    return None


def feedrs(g, raw):
    rss = g['feed_type'].startswith('RSS')
    js = g['feed_type'] == 'JSON'

    def own(i):  # feed-rs makes up an id when the document has none
        return i if i and (i in raw or i in html.unescape(raw)) else None

    def img(i):
        return i.get('uri') if isinstance(i, dict) else None

    feed = {
        'title': content(g.get('title')), 'subtitle': content(g.get('description')),
        'link': main_link(g.get('links')), 'id': own(g.get('id')),
        'updated': date(g.get('updated')), 'published': date(g.get('published')),
        'language': g.get('language'), 'rights': content(g.get('rights')),
        'generator': content(g.get('generator')),
        'categories': [{'term': c.get('term'), 'scheme': c.get('scheme'), 'label': c.get('label')}
                       for c in g.get('categories') or []],
        'authors': [person(a) for a in g.get('authors') or []],
        'contributors': [] if rss or js else [person(a) for a in g.get('contributors') or []],
        'icon': None if rss else img(g.get('icon')), 'logo': None if rss else img(g.get('logo')),
    }
    entries = []
    for e in g.get('entries') or []:
        c = e.get('content')
        encs = []
        for m in e.get('media') or []:
            for mc in m.get('content') or []:
                if mc.get('url'):
                    encs.append({'href': mc['url'], 'type': mc.get('content_type'),
                                 'length': mc.get('size')})
        encs = [x for i, x in enumerate(encs) if x['href'] not in [y['href'] for y in encs[:i]]]
        pub, upd = date(e.get('published')), date(e.get('updated'))
        if rss and upd == pub:  # feed-rs copies pubDate into updated
            upd = None
        entries.append({
            'id': own(e.get('id')), 'title': content(e.get('title')), 'link': main_link(e.get('links')),
            'published': pub, 'updated': upd,
            'authors': [person(a) for a in e.get('authors') or []],
            'contributors': [person(a) for a in e.get('contributors') or []],
            'summary': content(e.get('summary')),
            'content': [{'value': c.get('body'),
                         # feed-rs gives RSS content the item link as src
                         'src': None if rss else (c.get('src') or {}).get('href')}] if c else [],
            'categories': [{'term': x.get('term'), 'scheme': x.get('scheme'), 'label': x.get('label')}
                           for x in e.get('categories') or []],
            'enclosures': encs, 'rights': content(e.get('rights')),
        })
    r = {'format': FEEDRS_FORMAT[g['feed_type']], 'feed': feed, 'entries': entries}
    if rss:  # managingEditor/webMaster become contributors named so in
        # feed-rs, and it copies an item's date into its updated time
        r['unknown'] = ['feed.authors', 'entries[*].updated']
    return r


# ---- the corpus -----------------------------------------------------------

# gofeed parser_test.go / detector_test.go (the universal folder has no files)
UNIVERSAL = {
    'atom03_feed.xml': {'format': 'atom03', 'feed': {'title': 'Feed Title'}},
    'atom10_feed.xml': {'format': 'atom10', 'feed': {'title': 'Feed Title'}},
    'rss_feed.xml': {'format': 'rss*', 'feed': {'title': 'Feed Title'}},
    'rss_feed_bom.xml': {'format': 'rss*', 'feed': {'title': 'Feed Title'}},
    'rss_feed_leading_spaces.xml': {'format': 'rss*', 'feed': {'title': 'Feed Title'}},
    'rdf_feed.xml': {'format': 'rss*', 'feed': {'title': 'Feed Title'}},
    'sample.json': {'format': 'json1*', 'feed': {'title': 'title'}},
    'json10_feed.json': {'format': 'json10', 'feed': {'title': 'title'}},
    'json11_feed.json': {'format': 'json11', 'feed': {'title': 'title'}},
    'unknown_feed.xml': {'error': '*'},
    'empty_feed.xml': {'error': '*'},
    'invalid.json': {'error': '*'},
}


def cases(corpus):
    """(input relative path, expected object) for every paired input."""
    g = os.path.join(corpus, 'gofeed', 'testdata')
    for sub, fn in (('translator/rss', gofeed_universal), ('translator/atom', gofeed_universal),
                    ('extensions/dublincore', gofeed_universal), ('extensions/itunes', gofeed_universal),
                    ('extensions/media', gofeed_universal),
                    ('parser/rss', gofeed_rss), ('parser/atom', gofeed_atom)):
        for f in sorted(os.listdir(os.path.join(g, sub))):
            if f.endswith('.xml') and os.path.exists(os.path.join(g, sub, f[:-4] + '.json')):
                with open(os.path.join(g, sub, f[:-4] + '.json'), encoding='utf-8') as fh:
                    yield 'gofeed/' + sub + '/' + f, fn(json.load(fh))
    for sub, fn in (('translator/json', gofeed_universal), ('parser/json', gofeed_json)):
        for f in sorted(os.listdir(os.path.join(g, sub))):
            if f.endswith('_expected.json'):
                with open(os.path.join(g, sub, f), encoding='utf-8') as fh:
                    yield 'gofeed/' + sub + '/' + f[:-14] + '.json', fn(json.load(fh))
    yield 'gofeed/parser/json/invalid/invalid.json', {'error': '*'}
    for f, exp in sorted(UNIVERSAL.items()):
        yield 'gofeed/parser/universal/' + f, exp
    fr = os.path.join(corpus, 'feed-rs', 'fixture')
    for sub in ('atom', 'rss0', 'rss1', 'rss2', 'jsonfeed'):
        for f in sorted(os.listdir(os.path.join(fr, sub))):
            if not f.endswith(('.xml', '.json')) or f.endswith('.serde.json'):
                continue
            gold = os.path.join(fr, sub, f.rsplit('.', 1)[0] + '.serde.json')
            if not os.path.exists(gold):
                yield 'feed-rs/' + sub + '/' + f, {'format': '*', 'wellformed': False, 'error': '*',
                                                   'unknown': ['feed', 'entries']}
                continue
            with open(os.path.join(fr, sub, f), encoding='utf-8', errors='replace') as fh:
                raw = fh.read()
            with open(gold, encoding='utf-8') as fh:
                yield 'feed-rs/' + sub + '/' + f, feedrs(json.load(fh), raw)


def main():
    corpus = sys.argv[1]
    dest = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    n = 0
    for rel, exp in cases(corpus):
        src = os.path.join(corpus, rel.split('/', 1)[0],
                           'testdata' if rel.startswith('gofeed/') else 'fixture', rel.split('/', 1)[1])
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(src, out)
        with open(out + '.expected.json', 'w', encoding='utf-8') as fh:
            json.dump(clean(exp), fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write('\n')
        n += 1
    shutil.copyfile(os.path.join(corpus, 'gofeed', 'LICENSE'), os.path.join(dest, 'gofeed', 'LICENSE'))
    shutil.copyfile(os.path.join(corpus, 'feed-rs', 'LICENSE-MIT'),
                    os.path.join(dest, 'feed-rs', 'LICENSE-MIT'))
    print(f'{n} cases written to {dest}')


if __name__ == '__main__':
    main()
