#!/usr/bin/env python3
"""http_cases.py -- play the HTTP test cases of tests/data/http/cases/.

    python3 tests/http_cases.py NEWSFOLD [FILTER]

Starts tests/httpd.py once, then plays every *.case file (or those whose
name contains FILTER), each in its own folder, store and feeds.d, its files
served under /CASE/, and prints one TAP line per case: "ok - CASE: title"
or "not ok - CASE: title: why".  Adding a case writes no code.

A case is a list of steps, one a line, run in order; a step ending in ':'
takes the tab-indented lines after it as its text.  '#' lines are comments,
the first one the case's title.  PATH is relative to the case's folder
(/PATH: to the server's root); {U} in a value is the case's base URL.

  conf:                      lines appended to newsfold.conf ([poll] etc.)
  file PATH: SRC             serve a copy of tests/data/SRC at PATH
  reply PATH:                the sidecar PATH.http (tests/httpd.py's format:
                             status line, headers, x-/body-file, blank, body)
  feed PATH [key=value...]   subscribe to PATH (title=, interval= ...)
  poll [ARGS]                `newsfold poll ARGS`; must exit 0
  newsfold ARGS => N         any command; must exit N; its output is kept
  output ~TEXT | !~TEXT      the last command's stdout+stderr has (not) TEXT
  request PATH: CHECKS       the last request for PATH in the last command
  requests PATH: N           how many requests PATH got in the last command
  expect PATH: CHECKS        PATH's row of `newsfold feeds --json`
  contains FILE: TEXT        the case's FILE (e.g. feeds.d/local.conf) has TEXT
  wait SECONDS

CHECKS are shell-quoted words: NAME=VALUE (equal), NAME~VALUE (contains),
!NAME (absent), and for expect also next_poll_in=LO..HI (seconds from
last_poll to next_poll; 30m, 2h, 1d allowed) and moved_to=PATH.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
CASES = os.path.join(DATA, "http", "cases")


class Fail(Exception):
    pass


def seconds(s):
    m = re.fullmatch(r"(-?\d+)([smhd]?)", s)
    if not m:
        raise Fail("bad duration %r" % s)
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def rfc3339(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def parse(path):
    steps, title = [], None
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if line.startswith("#"):
            title = title or line[1:].strip()
            continue
        if line.startswith("\t"):
            raise Fail("%s:%d: indented line without a step" % (path, i))
        text = None
        if line.rstrip().endswith(":"):
            body = []
            while i < len(lines) and (lines[i].startswith("\t") or lines[i] == ""):
                body.append(lines[i][1:] if lines[i].startswith("\t") else "")
                i += 1
            while body and body[-1] == "":
                body.pop()
            text = "\n".join(body) + "\n"
            line = line.rstrip()[:-1]
        steps.append((i, line.strip(), text))
    return title or os.path.basename(path), steps


class Case:
    def __init__(self, name, newsfold, www, base, log):
        self.name, self.nf, self.log = name, newsfold, log
        self.dir = tempfile.mkdtemp(prefix="nf-case.")
        self.www = os.path.join(www, name)
        os.makedirs(self.www, exist_ok=True)
        os.makedirs(os.path.join(self.dir, "feeds.d"))
        self.root = www
        self.base = "%s/%s" % (base, name)
        self.server = base
        self.conf = os.path.join(self.dir, "newsfold.conf")
        with open(self.conf, "w") as f:
            f.write("[poll]\ntimeout = 2s\nconnect_timeout = 1s\n")
        self.out = ""
        self.log_from = 0

    def url(self, path):
        return self.server + path if path.startswith("/") else "%s/%s" % (self.base, path)

    def local(self, path):
        return os.path.join(self.root, path.lstrip("/")) if path.startswith("/") else \
            os.path.join(self.www, path)

    def sub(self, s):
        return s.replace("{U}", self.base)

    def run(self, args, want):
        self.log_from = os.path.getsize(self.log)
        env = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "INVOCATION_ID"):
            env.pop(k, None)
        p = subprocess.run([self.nf, "-c", self.conf, "-d", os.path.join(self.dir, "db"),
                            "-f", os.path.join(self.dir, "feeds.d")] + args,
                           capture_output=True, text=True, env=env, timeout=60)
        self.out = p.stdout + p.stderr
        if want is not None and p.returncode != want:
            raise Fail("`newsfold %s` exited %d, wanted %d: %s" % (
                " ".join(args), p.returncode, want, self.out.strip()[-300:]))

    def requests(self, path):
        want = urlpath = self.url(path)[len(self.server):]
        rows = []
        with open(self.log, encoding="utf-8") as f:
            f.seek(self.log_from)
            for line in f:
                r = json.loads(line)
                if r["path"].split("?")[0] == urlpath:
                    rows.append(r)
        return rows, want

    def feeds(self):
        self.run(["feeds", "--json"], 0)
        return [json.loads(l) for l in self.out.split("\n") if l.startswith("{")]

    def check(self, what, got, checks, row=None):
        for c in shlex.split(self.sub(checks)):
            if c.startswith("!"):
                if c[1:] in got:
                    raise Fail("%s: %s present (%r)" % (what, c[1:], got[c[1:]]))
                continue
            m = re.fullmatch(r"([\w-]+)(=|~|!~)(.*)", c, re.S)
            if not m:
                raise Fail("bad check %r" % c)
            k, op, v = m.groups()
            if k == "next_poll_in" and row is not None:
                lo, hi = (seconds(x) for x in v.split(".."))
                if "next_poll" not in row:
                    raise Fail("%s: no next_poll" % what)
                d = rfc3339(row["next_poll"]) - rfc3339(row["last_poll"])
                if not lo <= d <= hi:
                    raise Fail("%s: next poll %ds after the last, wanted %s" % (what, d, v))
                continue
            if k == "moved_to" and row is not None:
                v = self.url(v)
            key = next((g for g in got if g.lower() == k.lower()), None)
            if key is None:
                raise Fail("%s: no %s (%s)" % (what, k, json.dumps(got)[:300]))
            g = got[key]
            g = json.dumps(g) if isinstance(g, bool) else str(g)
            if op == "=" and g != v:
                raise Fail("%s: %s is %r, wanted %r" % (what, k, g, v))
            if op == "~" and v not in g:
                raise Fail("%s: %s is %r, without %r" % (what, k, g, v))
            if op == "!~" and v in g:
                raise Fail("%s: %s is %r, with %r" % (what, k, g, v))

    def step(self, line, text):
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "conf":
            with open(self.conf, "a") as f:
                f.write(text)
        elif word == "file":
            dst, src = (x.strip() for x in rest.split(":", 1))
            os.makedirs(os.path.dirname(self.local(dst)), exist_ok=True)
            shutil.copy(os.path.join(DATA, src), self.local(dst))
        elif word == "reply":
            p = self.local(rest) + ".http"
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(self.sub(text))
        elif word == "feed":
            a = shlex.split(rest)
            with open(os.path.join(self.dir, "feeds.d", "http.conf"), "a") as f:
                f.write("[%s]\n%s\n" % (self.url(a[0]), "".join(
                    "%s = %s\n" % tuple(kv.split("=", 1)) for kv in a[1:])))
        elif word == "poll":
            self.run(["poll"] + shlex.split(rest), 0)
        elif word == "newsfold":
            args, _, want = rest.partition("=>")
            self.run([self.sub(a) for a in shlex.split(args)], int(want))
        elif word == "output":
            neg, v = rest.startswith("!~"), rest.lstrip("!~").strip()
            if (v in self.out) == neg:
                raise Fail("output %s %r: %s" % ("has" if neg else "lacks", v, self.out[-300:]))
        elif word == "request":
            path, checks = rest.split(":", 1)
            rows, p = self.requests(path.strip())
            if not rows:
                raise Fail("no request for %s" % p)
            self.check("request " + p, rows[-1]["headers"], checks)
        elif word == "requests":
            path, n = rest.split(":", 1)
            rows, p = self.requests(path.strip())
            if len(rows) != int(n):
                raise Fail("%d requests for %s, wanted %s" % (len(rows), p, n.strip()))
        elif word == "expect":
            path, checks = rest.split(":", 1)
            u = self.url(path.strip())
            saved = self.log_from
            rows = [r for r in self.feeds() if r["url"] == u]
            self.log_from = saved
            if not rows:
                raise Fail("%s not in feeds --json" % u)
            self.check("feed " + path.strip(), rows[0], checks, rows[0])
        elif word == "contains":
            path, v = rest.split(":", 1)
            got = open(os.path.join(self.dir, path.strip()), encoding="utf-8").read()
            if self.sub(v.strip()) not in got:
                raise Fail("%s lacks %r: %s" % (path, v.strip(), got[-300:]))
        elif word == "wait":
            time.sleep(float(rest))
        else:
            raise Fail("unknown step %r" % line)


def main():
    newsfold, filt = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    top = tempfile.mkdtemp(prefix="nf-cases.")
    www, log, portf = (os.path.join(top, x) for x in ("www", "requests.log", "port"))
    os.makedirs(www)
    open(log, "w").close()
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "httpd.py"), "--root", www,
                            "--port-file", portf, "--log", log])
    failed = 0
    try:
        for _ in range(200):
            if os.path.exists(portf):
                break
            time.sleep(0.05)
        base = "http://127.0.0.1:%d" % int(open(portf).read())
        for fn in sorted(os.listdir(CASES)):
            if not fn.endswith(".case") or filt not in fn:
                continue
            name = fn[:-5]
            title = name
            try:
                title, steps = parse(os.path.join(CASES, fn))
                case = Case(name, newsfold, www, base, log)
                try:
                    for n, line, text in steps:
                        try:
                            case.step(line, text)
                        except Fail as e:
                            raise Fail("line %d (%s): %s" % (n, line, e))
                finally:
                    shutil.rmtree(case.dir, ignore_errors=True)
                print("ok - %s: %s" % (name, title))
            except (Fail, OSError, ValueError, subprocess.TimeoutExpired) as e:
                failed += 1
                print("not ok - %s: %s: %s" % (name, title, str(e).replace("\n", " ")))
            sys.stdout.flush()
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(top, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
