#!/usr/bin/env python3
"""parse_golden.py -- compare `newsfold parse --json` with the golden cases.

Every tests/data/golden/**/NAME.expected.json holds, for the input NAME next
to it, another parser's golden output mapped to newsfold's schema (see
tests/data/golden/README.md).  All inputs are parsed by one newsfold process;
each case prints one "ok - ..." or "not ok - ..." line.  Only the fields of the
case's set (SPECS below) are compared; an absent key means absent or empty;
strings are compared after trimming white space, URLs (link, href) after
lowercasing scheme and host and giving an empty path "/", languages without
case; "format" and "error" may be shell patterns ("rss*", "*" = any error);
"unknown" lists the paths the other parser does not give.  Lines of
tests/data/golden/exceptions.txt ("CASE PATH reason", PATH like
entries[0].summary, feed.link or * for the whole case) name the places where
newsfold differs on purpose: those values are left out of the comparison.

UPDATE=1 rewrites each expected file with newsfold's output, projected on the
same fields (patterns that still match are kept), so the diff can be reviewed.
"""
import fnmatch
import json
import os
import subprocess
import sys
import urllib.parse

AUTHOR = ('name', 'email', 'uri')
CAT = ('term', 'scheme', 'label')
ENC = ('href', 'type', 'length')
LINK = ('href', 'rel', 'type', 'title')

# field: None (a value), a tuple (a list of objects with these keys) or a
# dict (an object with these keys)
SPECS = [
    ('gofeed/parser/universal/', {}, {}),
    ('gofeed/parser/json/invalid/', {}, {}),
    ('gofeed/parser/rss/', {
        'title': None, 'link': None, 'subtitle': None, 'language': None, 'rights': None,
        'generator': None, 'published': None, 'updated': None, 'categories': ('term', 'scheme'),
        'image': {'url': None, 'title': None, 'link': None},
    }, {
        'title': None, 'link': None, 'summary': None, 'content': ('value',), 'id': None,
        'published': None, 'comments': None, 'categories': ('term', 'scheme'), 'enclosures': ENC,
    }),
    ('gofeed/parser/atom/', {
        'title': None, 'subtitle': None, 'id': None, 'updated': None, 'links': LINK,
        'authors': AUTHOR, 'contributors': AUTHOR, 'categories': CAT, 'rights': None,
        'language': None, 'generator': None, 'icon': None, 'logo': None,
    }, {
        'title': None, 'id': None, 'links': LINK, 'published': None, 'updated': None,
        'authors': AUTHOR, 'contributors': AUTHOR, 'summary': None, 'content': ('value', 'src'),
        'categories': CAT, 'rights': None,
    }),
    ('gofeed/parser/json/', {
        'title': None, 'subtitle': None, 'link': None, 'logo': None, 'icon': None,
        'language': None, 'authors': ('name', 'uri'),
    }, {
        'id': None, 'title': None, 'link': None, 'summary': None, 'content': ('value',),
        'published': None, 'updated': None, 'authors': ('name', 'uri'), 'categories': ('term',),
        'enclosures': ENC,
    }),
    ('gofeed/', {  # the universal gofeed.Feed: translator/ and extensions/
        'title': None, 'subtitle': None, 'link': None, 'updated': None, 'published': None,
        'language': None, 'rights': None, 'generator': None, 'authors': ('name', 'email'),
        'categories': ('term',), 'image': {'url': None, 'title': None},
    }, {
        'title': None, 'link': None, 'id': None, 'published': None, 'updated': None,
        'authors': ('name', 'email'), 'summary': None, 'content': ('value',),
        'categories': ('term',), 'enclosures': ENC,
    }),
    ('feed-rs/', {
        'title': None, 'subtitle': None, 'link': None, 'id': None, 'updated': None,
        'published': None, 'language': None, 'rights': None, 'generator': None,
        'categories': CAT, 'authors': AUTHOR, 'contributors': AUTHOR, 'icon': None, 'logo': None,
    }, {
        'id': None, 'title': None, 'link': None, 'published': None, 'updated': None,
        'authors': AUTHOR, 'contributors': AUTHOR, 'summary': None, 'content': ('value', 'src'),
        'categories': CAT, 'enclosures': ENC, 'rights': None,
    }),
]
PATTERN_KEYS = ('format', 'error')


def spec_of(case):
    for prefix, feed, entry in SPECS:
        if case.startswith(prefix):
            return feed, entry
    raise KeyError(case)


def empty(v):
    return v is None or v == '' or v == [] or v == {}


def norm(v, key=None):
    if not isinstance(v, str):
        return v
    v = v.strip()
    if key in ('link', 'href', 'uri', 'src', 'url', 'icon', 'logo'):
        u = urllib.parse.urlsplit(v)
        if u.scheme in ('http', 'https') and u.netloc:
            v = urllib.parse.urlunsplit((u.scheme.lower(), u.netloc.lower(), u.path or '/',
                                         u.query, u.fragment))
    elif key == 'language':
        v = v.lower()
    return v


def project_value(v, spec, key=None):
    if spec is None:
        return norm(v, key)
    if isinstance(spec, tuple):
        if not isinstance(v, list):
            return None
        out = []
        for o in v:
            if isinstance(o, dict):
                p = {k: norm(o[k], k) for k in spec if not empty(norm(o.get(k), k))}
                if p:
                    out.append(p)
        return out
    if not isinstance(v, dict):
        return None
    return project(v, spec)


def project(o, spec):
    out = {}
    for k, s in spec.items():
        v = project_value(o.get(k), s, k)
        if not empty(v):
            out[k] = v
    return out


def project_doc(doc, case, expected):
    feed_spec, entry_spec = spec_of(case)
    out = {}
    if not empty(doc.get('format')):
        out['format'] = doc['format']
    for k in ('wellformed', 'error'):
        if k in expected and k in doc:
            out[k] = doc[k]
    if feed_spec:
        f = project(doc.get('feed') or {}, feed_spec)
        if f:
            out['feed'] = f
    elif 'feed' in expected:  # the universal cases compare the title only
        f = project(doc.get('feed') or {}, {k: None for k in expected['feed']})
        if f:
            out['feed'] = f
    if entry_spec:
        es = [project(e, entry_spec) for e in doc.get('entries') or []]
        if es:
            out['entries'] = es
    if expected.get('unknown'):
        out['unknown'] = expected['unknown']
    return out


def drop(o, path):
    """Remove PATH (a.b[2].c, [*] for every element) from o."""
    parts = []
    for p in path.split('.'):
        while '[' in p:
            name, rest = p.split('[', 1)
            if name:
                parts.append(name)
            idx, p = rest.split(']', 1)
            parts.append('*' if idx == '*' else int(idx))
        if p:
            parts.append(p)

    def rec(o, parts):
        p, rest = parts[0], parts[1:]
        if p == '*':
            for x in (o if isinstance(o, list) else []):
                rec(x, rest) if rest else None
            if not rest and isinstance(o, list):
                o.clear()
            return
        try:
            if rest:
                rec(o[p], rest)
            else:
                del o[p]
        except (KeyError, IndexError, TypeError):
            pass
    rec(o, parts)


def prune(o, key=None):
    """Drop the containers left empty by drop() (entries stay)."""
    if isinstance(o, dict):
        r = {k: prune(v, k) for k, v in o.items()}
        return {k: v for k, v in r.items() if not empty(v)}
    if isinstance(o, list):
        r = [prune(v) for v in o]
        return r if key == 'entries' else [v for v in r if not empty(v)]
    return o


def first_diff(exp, got, path=''):
    if isinstance(exp, dict) and isinstance(got, dict):
        for k in sorted(set(exp) | set(got)):
            d = first_diff(exp.get(k), got.get(k), f'{path}.{k}' if path else k)
            if d:
                return d
        return None
    if isinstance(exp, list) and isinstance(got, list):
        for i in range(max(len(exp), len(got))):
            d = first_diff(exp[i] if i < len(exp) else None, got[i] if i < len(got) else None,
                           f'{path}[{i}]')
            if d:
                return d
        return None
    if isinstance(exp, str) and path.split('.')[-1] in PATTERN_KEYS and isinstance(got, str):
        return None if fnmatch.fnmatchcase(got, exp) else (path, exp, got)
    return None if exp == got else (path, exp, got)


def short(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 120 else s[:117] + '...'


def main():
    tests = os.environ.get('TESTS_DIR') or os.path.join(os.path.dirname(__file__), '..')
    root = os.path.join(tests, 'data', 'golden')
    newsfold = os.environ['NEWSFOLD']
    update = os.environ.get('UPDATE') == '1'
    cases = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith('.expected.json'):
                cases.append(os.path.relpath(os.path.join(d, f[:-14]), root))
    cases.sort()
    exceptions = {}
    with open(os.path.join(root, 'exceptions.txt'), encoding='utf-8') as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith('#'):
                case, path, reason = (line.split(None, 2) + ['', ''])[:3]
                exceptions.setdefault(case, []).append((path, reason))
    r = subprocess.run([newsfold, '-c', '/dev/null', 'parse', '--json'] +
                       [os.path.join(root, c) for c in cases],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rows = [json.loads(l) for l in r.stdout.decode('utf-8').splitlines() if l.strip()]
    if len(rows) != len(cases):
        print(f'not ok - golden: newsfold printed {len(rows)} lines for {len(cases)} inputs '
              f'(exit {r.returncode}: {r.stderr.decode(errors="replace")[-300:]})')
        return 1
    failed = 0
    agree = {}
    for case, doc in zip(cases, rows):
        xf = os.path.join(root, case + '.expected.json')
        with open(xf, encoding='utf-8') as fh:
            expected = json.load(fh)
        got = project_doc(doc, case, expected)
        expected = project_doc(expected, case, expected)
        for path in expected.get('unknown', []):
            drop(expected, path)
            drop(got, path)
        group = '/'.join(case.split('/')[:2]) if case.startswith('feed-rs') else \
            '/'.join(case.split('/')[:3])
        n = agree.setdefault(group, [0, 0, 0])
        n[0] += 1
        if update:
            for k in PATTERN_KEYS:
                if isinstance(expected.get(k), str) and isinstance(got.get(k), str) and \
                        fnmatch.fnmatchcase(got[k], expected[k]):
                    got[k] = expected[k]
            if got != expected:
                with open(xf, 'w', encoding='utf-8') as fh:
                    json.dump(got, fh, ensure_ascii=False, indent=1, sort_keys=True)
                    fh.write('\n')
            print(f'ok - golden {case} (updated)')
            continue
        why = []
        d = first_diff(prune(expected), prune(got))
        if d:  # leave out what differs on purpose, then compare again
            for path, reason in [x for pat, xs in exceptions.items()
                                 if fnmatch.fnmatchcase(case, pat) for x in xs]:
                before = json.dumps([expected, got], sort_keys=True)
                if path == '*':
                    expected, got = {}, {}
                else:
                    drop(expected, path)
                    drop(got, path)
                if json.dumps([expected, got], sort_keys=True) != before and reason not in why:
                    why.append(reason)
            d = first_diff(prune(expected), prune(got))
        if d:
            failed += 1
            print(f'not ok - golden {case}: {d[0]}: expected {short(d[1])}, got {short(d[2])}')
        else:
            n[1 if not why else 2] += 1
            print(f'ok - golden {case}' + (f' (differs by design: {"; ".join(why)})' if why else ''))
    for g, (total, same, by_design) in sorted(agree.items()):
        if not update:
            print(f'# {g}: {same} of {total} agree, {by_design} differ by design, '
                  f'{total - same - by_design} differ')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
