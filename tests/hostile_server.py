#!/usr/bin/env python3
"""hostile_server.py -- a deliberately hostile feed server on 127.0.0.1, for
tests/integration/hostile.sh (and tests/integration/valgrind.sh).

    python3 tests/hostile_server.py --port-file FILE --secret PATH \
        [--good DIR] [--log FILE]

Binds port 0 on 127.0.0.1 only, writes the port to --port-file (through a
temporary name and a rename), and answers each request on a raw socket (so
that it can misbehave below HTTP: drip, never end, close early, speak
HTTP/1.0).  Every reply closes the connection.  SIGTERM or SIGINT stops it;
threads that still drip are daemons and die with it.

--secret names a local file (holding a marker string) that the hostile
cases try to make the client read: a redirect to file://, external
entities.  --good DIR serves the files of DIR as plain 200 replies at
/good/NAME.  --log gets one line per request: the request line as received
(a gopher request, having no "HTTP/", shows as such).

The cases, by path (CASES below says what each sends):
"""
import argparse
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import zlib

ARGS = None
LOG_LOCK = threading.Lock()
PORT = 0

RSS_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0"><channel><title>%s</title>'
            '<link>http://127.0.0.1/</link><description>hostile</description>\n')
RSS_TAIL = '</channel></rss>\n'


def item(tag, n, title=None, body=None):
    """an RSS item; ${tag} (the case) keeps guids and links apart between
    cases, so that no two cases share an article"""
    return ('<item><title>%s</title><link>http://127.0.0.1/%s/%d</link>'
            '<guid>urn:hostile:%s:%d</guid><pubDate>Fri, 29 May 2020 10:00:00 GMT</pubDate>'
            '<description>%s</description></item>\n'
            % (title or 'Hostile %s item number %d' % (tag, n), tag, n, tag, n,
               body or 'Body of hostile %s item %d about nothing at all.' % (tag, n)))


def rss(title, items):
    return (RSS_HEAD % title + ''.join(items) + RSS_TAIL).encode()


def send(sock, data):
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def reply(sock, status, body=b'', headers=(), ctype='application/rss+xml',
          length=True, version='HTTP/1.1'):
    reason = {200: 'OK', 302: 'Found', 404: 'Not Found', 410: 'Gone',
              429: 'Too Many Requests', 500: 'Internal Server Error',
              503: 'Service Unavailable'}.get(status, 'Whatever')
    h = ['%s %d %s' % (version, status, reason)]
    if ctype:
        h.append('Content-Type: ' + ctype)
    if length:
        h.append('Content-Length: %d' % len(body))
    h.append('Connection: close')
    h.extend(headers)
    send(sock, ('\r\n'.join(h) + '\r\n\r\n').encode('latin-1') + body)


# ---- the cases -------------------------------------------------------------

def c_drip(sock):
    """a valid start, then one byte every 0.5 s for two minutes"""
    send(sock, b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n'
         b'Content-Length: 100000\r\nConnection: close\r\n\r\n')
    for b in (RSS_HEAD % 'drip').encode() * 100:
        if not send(sock, bytes([b])):
            return
        time.sleep(0.5)


def c_endless(sock):
    """a close-delimited body of items that never ends (stops at 4 GB)"""
    send(sock, b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n'
         b'Connection: close\r\n\r\n' + (RSS_HEAD % 'endless').encode())
    chunk = ''.join(item('endless', n) for n in range(1000)).encode()
    sent = 0
    while sent < 4 << 30 and send(sock, chunk):
        sent += len(chunk)


def c_bomb(sock):
    """gzip bomb: ~1 MB on the wire, 1 GB of white space once inflated"""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = c.compress((RSS_HEAD % 'bomb').encode()) + c.flush(zlib.Z_FULL_FLUSH)
    # after a full flush the compressor forgets its past: the same input
    # gives the same bytes, so one compressed megabyte repeats as it is.
    block = c.compress(b' ' * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    send(sock, b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n'
         b'Content-Encoding: gzip\r\nConnection: close\r\n\r\n' + head)
    for _ in range(1024):
        if not send(sock, block):
            return


def c_loop(sock, path):
    """302 to itself, for ever"""
    n = int(path.split('?n=')[1]) + 1 if '?n=' in path else 1
    reply(sock, 302, b'', ['Location: /loop.xml?n=%d' % n])


def c_to_file(sock):
    """302 to file:// of the secret file"""
    reply(sock, 302, b'', ['Location: file://' + ARGS.secret])


def c_to_gopher(sock):
    """302 to gopher:// on this very server"""
    reply(sock, 302, b'', ['Location: gopher://127.0.0.1:%d/1/secret' % PORT])


def c_500(sock):
    """500 with an HTML error page"""
    reply(sock, 500, b'<html><body>oops</body></html>', ctype='text/html')


def c_429(sock):
    """429 with Retry-After: 7200"""
    reply(sock, 429, b'slow down', ['Retry-After: 7200'], ctype='text/plain')


def c_503(sock):
    """503 with Retry-After: 3600"""
    reply(sock, 503, b'maintenance', ['Retry-After: 3600'], ctype='text/plain')


def c_404(sock):
    """404 with an HTML page"""
    reply(sock, 404, b'<html>not here</html>', ctype='text/html')


def c_410(sock):
    """410 Gone"""
    reply(sock, 410, b'gone for good', ctype='text/plain')


def c_html(sock):
    """an HTML page, served as a feed"""
    reply(sock, 200, b'<!DOCTYPE html><html><head><title>Welcome</title></head>'
          b'<body><h1>Our news</h1><p>Subscribe to our newsletter.</p></body></html>')


def c_truncated(sock):
    """a feed cut in the middle of its third item (Content-Length agrees)"""
    body = rss('truncated', [item('truncated', n) for n in range(1, 6)])
    cut = body.index(b'<item>', body.index(b'urn:hostile:truncated:2')) + 40
    reply(sock, 200, body[:cut])


def c_short(sock):
    """Content-Length promises 100000 bytes, 300 arrive, then close"""
    body = rss('short', [item('short', n) for n in range(1, 3)])
    send(sock, b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n'
         b'Content-Length: 100000\r\nConnection: close\r\n\r\n' + body[:300])


def c_bad_utf8(sock):
    """invalid UTF-8 in titles and bodies: lone continuation, overlong
    '/', surrogate, 0xFF, truncated sequence, and a NUL"""
    bad = [b'\x80', b'\xc0\xaf', b'\xed\xa0\x80', b'\xff\xfe', b'\xe2\x82', b'\x00']
    items = []
    for n, junk in enumerate(bad, 1):
        t = b'Broken text ' + junk + b' in item %d' % n
        items.append(item('bad-utf8', n).encode().replace(
            b'Hostile bad-utf8 item number %d' % n, t))
    body = (RSS_HEAD % 'bad utf-8').encode() + b''.join(items) + RSS_TAIL.encode()
    reply(sock, 200, body)


def c_laughs(sock):
    """billion laughs: ten levels of ten entity references"""
    ents = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        ents.append('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1)) * 10))
    body = ('<?xml version="1.0"?>\n<!DOCTYPE rss [' + ''.join(ents) + ']>\n'
            '<rss version="2.0"><channel><title>laughs &lol9;</title>'
            + item('laughs', 1, 'Laughing &lol9;', '&lol9;') + item('laughs', 2) + RSS_TAIL)
    reply(sock, 200, body.encode())


def c_xxe(sock):
    """external entities and an external DTD aimed at the secret file and at
    this server (canary paths), and an XInclude of the secret"""
    s = 'file://' + ARGS.secret
    canary = 'http://127.0.0.1:%d/canary' % PORT
    body = ('<?xml version="1.0"?>\n'
            '<!DOCTYPE rss SYSTEM "%s-dtd" [\n'
            '  <!ENTITY xxe SYSTEM "%s">\n'
            '  <!ENTITY net SYSTEM "%s-entity">\n'
            '  <!ENTITY %% pe SYSTEM "%s">\n'
            '  <!ENTITY %% penet SYSTEM "%s-pe">\n'
            '  %%pe; %%penet;\n'
            ']>\n'
            '<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude">'
            '<channel><title>xxe &xxe;</title><link>http://127.0.0.1/</link>'
            '<description>&xxe;</description>\n'
            % (canary, s, canary, s, canary)
            + item('xxe', 1, 'Entity &xxe; here', 'Read &xxe; and &net;')
            + item('xxe', 2, 'XInclude here', '<xi:include href="%s" parse="text"/>' % s)
            + '<item><title>XInclude element</title><guid>urn:hostile:xi</guid>'
              '<description><xi:include href="%s" parse="text"/></description></item>' % s
            + RSS_TAIL)
    reply(sock, 200, body.encode())


def c_many(sock):
    """100,000 entries, after 1 s (the quick cases are done by then)"""
    time.sleep(1)
    body = rss('many', [
        '<item><title>Entry %d</title><guid>urn:many:%d</guid></item>\n' % (n, n)
        for n in range(100000)])
    reply(sock, 200, body)


def c_big_title(sock):
    """a 5 MB title (words), then a plain item"""
    title = 'endless words ' * (5 * 1024 * 1024 // 14)
    reply(sock, 200, rss('big title', [item('big-title', 1, title), item('big-title', 2)]))


def c_deep_xml(sock):
    """100,000 nested elements inside an item"""
    body = ((RSS_HEAD % 'deep xml') + '<item><title>Deep</title><description>'
            + '<x>' * 100000 + 'bottom' + '</x>' * 100000
            + '</description></item>' + item('deep-xml', 2) + RSS_TAIL)
    reply(sock, 200, body.encode())


def c_deep_html(sock):
    """100,000 nested <div> in an item's HTML (escaped, so the XML is fine)"""
    html = '<div>' * 100000 + 'bottom' + '</div>' * 100000
    body = rss('deep html', [item('deep-html', 1, 'Deep HTML', '<![CDATA[' + html + ']]>'), item('deep-html', 2)])
    reply(sock, 200, body)


def c_deep_json(sock):
    """a JSON Feed with 100,000 nested arrays in an extension field"""
    body = ('{"version": "https://jsonfeed.org/version/1.1", "title": "deep json",'
            ' "items": [{"id": "1", "title": "Deep JSON", "content_text": "x",'
            ' "_deep": ' + '[' * 100000 + ']' * 100000 + '}]}')
    reply(sock, 200, body.encode(), ctype='application/feed+json')


def c_slow_ok(sock):
    """a good feed that takes 2 s: within the timeout, but finishing while
    the 100,000 entries of /many.xml are being stored"""
    time.sleep(2)
    reply(sock, 200, rss('slow but fine', [item('slow-ok', n, 'Patient story %d' % n)
                                            for n in (1, 2)]))


def c_empty(sock):
    """200 with an empty body"""
    reply(sock, 200, b'')


def c_junk(sock):
    """64 KB of random bytes (fixed seed)"""
    reply(sock, 200, random.Random(8).randbytes(65536), ctype='application/octet-stream')


def c_http10(sock):
    """HTTP/1.0, no Content-Length: the body ends when the connection closes.
    A good feed: it must be stored."""
    body = rss('HTTP/1.0 feed', [item('http10', n, 'Old protocol story %d' % n) for n in (101, 102)])
    reply(sock, 200, body, length=False, version='HTTP/1.0')


def c_lie_latin1(sock):
    """HTTP and the XML declaration say UTF-8; the bytes are ISO-8859-1"""
    body = rss('charset lie', [item('lie-latin1', 201, 'Caf\u00e9 na\u00efve r\u00e9sum\u00e9 story')])
    body = body.decode().encode('latin-1')
    reply(sock, 200, body, ctype='application/rss+xml; charset=utf-8')


def c_lie_utf16(sock):
    """the XML declaration says UTF-16; the bytes are UTF-8"""
    body = rss('utf-16 lie', [item('lie-utf16', 202, 'Plain ASCII story')])
    body = body.replace(b'encoding="utf-8"', b'encoding="UTF-16"')
    reply(sock, 200, body, ctype='application/rss+xml; charset=utf-16')


CASES = {
    '/drip.xml': c_drip, '/endless.xml': c_endless, '/bomb.xml': c_bomb,
    '/loop.xml': c_loop, '/to-file.xml': c_to_file, '/to-gopher.xml': c_to_gopher,
    '/500.xml': c_500, '/429.xml': c_429, '/503.xml': c_503, '/404.xml': c_404,
    '/410.xml': c_410, '/page.xml': c_html, '/truncated.xml': c_truncated,
    '/short.xml': c_short, '/bad-utf8.xml': c_bad_utf8, '/laughs.xml': c_laughs,
    '/xxe.xml': c_xxe, '/many.xml': c_many, '/big-title.xml': c_big_title,
    '/deep-xml.xml': c_deep_xml, '/deep-html.xml': c_deep_html,
    '/deep-json.json': c_deep_json, '/empty.xml': c_empty, '/junk.xml': c_junk,
    '/http10.xml': c_http10, '/lie-latin1.xml': c_lie_latin1,
    '/lie-utf16.xml': c_lie_utf16, '/slow-ok.xml': c_slow_ok,
}
__doc__ += ''.join('    %-16s %s\n' % (p, (f.__doc__ or f.__name__[2:]).split('\n')[0])
                   for p, f in CASES.items())


def log(line):
    if ARGS.log:
        with LOG_LOCK, open(ARGS.log, 'a', encoding='utf-8') as f:
            f.write(line + '\n')


def serve(sock):
    try:
        sock.settimeout(10)
        data = b''
        while b'\r\n\r\n' not in data:
            if b'\n' in data and not data.startswith((b'GET ', b'HEAD ')):
                break  # not HTTP (gopher): one line
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) > 65536:
                break
        line = data.split(b'\r\n', 1)[0].decode('latin-1')
        log(line)
        parts = line.split()
        path = parts[1] if len(parts) >= 2 else ''
        if path.startswith('/good/') and ARGS.good:
            name = os.path.basename(path.split('?')[0])
            f = os.path.join(ARGS.good, name)
            if os.path.isfile(f):
                ctype = ('application/feed+json' if name.endswith('.json')
                         else 'application/rss+xml')
                with open(f, 'rb') as fh:
                    reply(sock, 200, fh.read(), ctype=ctype)
            else:
                c_404(sock)
            return
        fn = CASES.get(path.split('?')[0])
        if fn is None:
            c_404(sock)
        elif fn is c_loop:
            fn(sock, path)
        else:
            fn(sock)
    except OSError:
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    global ARGS, PORT
    ap = argparse.ArgumentParser()
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--secret', required=True)
    ap.add_argument('--good')
    ap.add_argument('--log')
    ARGS = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', 0))
    ls.listen(64)
    PORT = ls.getsockname()[1]
    tmp = ARGS.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % PORT)
    os.rename(tmp, ARGS.port_file)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.signal(signal.SIGINT, lambda *a: os._exit(0))
    while True:
        s, _ = ls.accept()
        threading.Thread(target=serve, args=(s,), daemon=True).start()


if __name__ == '__main__':
    main()
