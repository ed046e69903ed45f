#!/usr/bin/env python3
"""httpd.py -- the test HTTP server of newsfold's unit and integration tests.

    python3 tests/httpd.py --root DIR --port-file FILE [--log FILE] [--host 127.0.0.1]

Binds port 0 on --host (127.0.0.1 by default: never anything else than the
loopback), writes the port it got to --port-file (written to a temporary
name, then renamed, so a reader never sees half a number), and serves the
files under --root for GET and HEAD, HTTP/1.1 with keep-alive, one thread a
connection.  It exits cleanly on SIGTERM or SIGINT.

Plain files
    Content-Type by extension: .xml application/xml, .rss application/rss+xml,
    .atom application/atom+xml, .json application/feed+json, .html text/html,
    .opml text/x-opml, anything else application/octet-stream.
    ETag: the quoted sha1 of the body; Last-Modified: the file's mtime.
    A matching If-None-Match (or, without one, an If-Modified-Since not
    older than the file) gets 304 Not Modified.  A missing file gets 404;
    a path with a ".." segment, or one that leads outside --root through a
    symbolic link, gets 403.  The query string is ignored for lookup.

Sidecar files: NAME.http, next to NAME or instead of it, changes the reply
for NAME.  A small text format:

    status 503                  first line: the status code (default 200)
    Retry-After: 120            then header lines sent as they are
    Location: /other.xml
    x-delay: 3                  pseudo-headers (never sent):
                                  x-delay: N    sleep N seconds (may be 0.5)
                                                before replying
                                  x-drip: N     send the body one byte every
                                                N seconds
                                  x-gzip: 1     gzip the body, with
                                                Content-Encoding: gzip
                                  x-repeat: N   the body repeated N times
                                  body-file: F  the body is the file F,
                                                relative to the sidecar's
                                                folder and inside --root
                                (blank line)
    optional body               used when present and no body-file is given

Without a body-file or an inline body, the body is NAME itself when it
exists, else empty.  Headers given in the sidecar replace the defaults
(Content-Type, ETag, Last-Modified); conditional requests are answered with
304 only for a 200 reply.

Request log (--log): one JSON object a line, flushed as it is written:
    {"path": "/a.xml?q=1", "method": "GET", "headers": {"User-Agent": ...}}
so a test can check the request headers a client sent.
"""
import argparse
import email.utils
import gzip
import hashlib
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".opml": "text/x-opml",
    ".txt": "text/plain; charset=utf-8",
}
PSEUDO = {"x-delay", "x-drip", "x-gzip", "x-repeat", "body-file"}


class Sidecar:
    def __init__(self, path):
        self.status = 200
        self.headers = []  # (name, value) in file order
        self.pseudo = {}
        self.body = None
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8", "replace")
        head, sep, body = text.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        first = lines[0].split()
        if len(first) >= 2 and first[0].lower() == "status":
            self.status = int(first[1])
            lines = lines[1:]
        for line in lines:
            if not line.strip() or ":" not in line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if name.lower() in PSEUDO:
                self.pseudo[name.lower()] = value
            else:
                self.headers.append((name, value))
        if sep and body:
            self.body = body.encode("utf-8")

    def has(self, name):
        return any(n.lower() == name.lower() for n, _ in self.headers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsfold-test-httpd"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.serve(True)

    def do_HEAD(self):
        self.serve(False)

    def log_request_json(self):
        log = self.server.log
        if log is None:
            return
        line = json.dumps({"path": self.path, "method": self.command,
                           "headers": dict(self.headers.items())})
        with self.server.log_lock:
            log.write(line + "\n")
            log.flush()

    def inside(self, path):
        """The real path of ${path} when it lies inside the root, else None."""
        root = self.server.root
        real = os.path.realpath(path)
        if real == root or real.startswith(root + os.sep):
            return real
        return None

    def simple(self, code, text, send_body):
        body = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def serve(self, send_body):
        self.log_request_json()
        try:
            self.reply(send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def reply(self, send_body):
        url = urllib.parse.urlsplit(self.path)
        rel = urllib.parse.unquote(url.path)
        parts = [p for p in rel.split("/") if p]
        if any(p == ".." for p in parts) or "\0" in rel:
            return self.simple(403, "forbidden", send_body)
        path = os.path.join(self.server.root, *parts)
        if self.inside(path) is None:
            return self.simple(403, "forbidden", send_body)
        side = None
        if os.path.isfile(path + ".http"):
            if self.inside(path + ".http") is None:
                return self.simple(403, "forbidden", send_body)
            side = Sidecar(path + ".http")
        exists = os.path.isfile(path)
        if side is None and not exists:
            return self.simple(404, "not found", send_body)

        status = side.status if side else 200
        body, mtime = b"", time.time()
        if side and "body-file" in side.pseudo:
            other = os.path.join(os.path.dirname(path), side.pseudo["body-file"])
            real = self.inside(other)
            if real is None or not os.path.isfile(real):
                return self.simple(500, "bad body-file", send_body)
            with open(real, "rb") as f:
                body = f.read()
            mtime = os.path.getmtime(real)
        elif side and side.body is not None:
            body = side.body
            mtime = os.path.getmtime(path + ".http")
        elif exists:
            with open(path, "rb") as f:
                body = f.read()
            mtime = os.path.getmtime(path)
        pseudo = side.pseudo if side else {}
        if "x-repeat" in pseudo:
            body = body * int(pseudo["x-repeat"])

        headers = []
        ext = os.path.splitext(parts[-1] if parts else "")[1].lower()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        lastmod = email.utils.formatdate(int(mtime), usegmt=True)
        if side:
            for n, v in side.headers:
                if n.lower() == "etag":
                    etag = v
                elif n.lower() == "last-modified":
                    lastmod = v
        if not (side and side.has("Content-Type")):
            headers.append(("Content-Type", TYPES.get(ext, "application/octet-stream")))
        headers.append(("ETag", etag))
        headers.append(("Last-Modified", lastmod))
        if side:
            headers += [(n, v) for n, v in side.headers
                        if n.lower() not in ("etag", "last-modified")]

        if "x-delay" in pseudo:
            time.sleep(float(pseudo["x-delay"]))

        if status == 200 and self.not_modified(etag, lastmod):
            self.send_response(304)
            for n, v in headers:
                if n.lower() in ("etag", "last-modified", "cache-control", "expires"):
                    self.send_header(n, v)
            self.end_headers()
            return

        if pseudo.get("x-gzip", "0") not in ("", "0"):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.send_response(status)
        for n, v in headers:
            self.send_header(n, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body or status in (204, 304):
            return
        if "x-drip" in pseudo:
            step = float(pseudo["x-drip"])
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(step)
        else:
            self.wfile.write(body)

    def not_modified(self, etag, lastmod):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            weak = lambda t: t[2:] if t.startswith("W/") else t
            return "*" in tags or weak(etag) in [weak(t) for t in tags]
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                mine = email.utils.parsedate_to_datetime(lastmod).timestamp()
            except (TypeError, ValueError, IndexError):
                return False
            return mine <= since
        return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that hangs up (a timeout, a refused body) is no error.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="newsfold's test HTTP server")
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--host", default="127.0.0.1")
    a = ap.parse_args()

    srv = Server((a.host, 0), Handler)
    srv.root = os.path.realpath(a.root)
    srv.log = open(a.log, "a", encoding="utf-8") if a.log else None
    srv.log_lock = threading.Lock()

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = "%s.tmp.%d" % (a.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        srv.server_close()
        if srv.log:
            srv.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
