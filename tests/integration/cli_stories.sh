#!/bin/sh
# cli_stories.sh -- the stories table on a terminal: colour only there and
# never with NO_COLOR, lines that fit the width; read stories come back to
# --unread when a new outlet joins them.
. "$(dirname "$0")/lib.sh"

printf '[poll]\nconcurrency = 1\n' >"$T/newsfold.conf"
replay_conf "$DATA/replay/bbc.xml" "$DATA/replay/nytimes.xml" >"$T/feeds.d/10-a.conf"
nfc poll >/dev/null 2>&1

# on_tty COLS ARGS...: newsfold's stdout when it is a terminal COLS wide
on_tty() {
	python3 - "$@" <<'PY'
import fcntl, os, pty, struct, sys, termios
cols = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
PY
}
ESC=$(printf '\033')
on_tty 100 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" stories --all >"$T/tty.out" 2>&1
grep -q "$ESC\[" "$T/tty.out" && ok "stories on a terminal is in colour" ||
	fail "stories on a terminal is in colour" "$(head -3 "$T/tty.out")"
python3 -c '
import re, sys, unicodedata
for l in open(sys.argv[1], encoding="utf-8"):
    l = re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip("\n"))
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l)
    assert w <= 100, (w, l)
' "$T/tty.out" && ok "stories on a terminal fits its width" ||
	fail "stories on a terminal fits its width" "$(awk "length > 100" "$T/tty.out" | head -2)"
NO_COLOR=1 on_tty 100 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" stories --all \
	>"$T/tty.out" 2>&1
grep -q "$ESC" "$T/tty.out" && fail "NO_COLOR turns colour off on a terminal" "$(head -2 "$T/tty.out")" ||
	ok "NO_COLOR turns colour off on a terminal"
NO_COLOR= on_tty 100 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" stories --all \
	>"$T/tty.out" 2>&1
grep -q "$ESC" "$T/tty.out" && fail "NO_COLOR set but empty turns colour off too" ||
	ok "NO_COLOR set but empty turns colour off too"
nfc stories --all >"$T/pipe.out" 2>&1
grep -q "$ESC" "$T/pipe.out" && fail "stories into a pipe has no colour" || ok "stories into a pipe has no colour"
grep -q "Trump signs executive order targeting Twitter after fact-checking row" "$T/pipe.out" &&
	ok "stories into a pipe keeps whole titles" || fail "stories into a pipe keeps whole titles"
on_tty 60 "$NEWSFOLD" -c "$T/newsfold.conf" -d "$T/db" -f "$T/feeds.d" show 1 >"$T/show.out" 2>&1
grep -q "$ESC" "$T/show.out" && fail "show has no escape sequences" || ok "show has no escape sequences"

# read, then a new outlet joins: the story is unread again
sid=$(nfc stories --all --min-outlets 2 --json 2>/dev/null | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print([s["id"] for s in rows if "George Floyd" in " ".join(a["title"] for a in s["articles"])][0])')
nfc read "$sid" >/dev/null 2>&1
nfc stories --all --unread --json >"$T/u1.json" 2>/dev/null
json_assert "a story read is hidden by --unread" "$T/u1.json" "assert $sid not in [s['id'] for s in rows]"
replay_conf "$DATA/replay/smh.xml" "$DATA/replay/fox.xml" >"$T/feeds.d/20-b.conf"
nfc poll >/dev/null 2>&1
nfc stories --all --unread --json >"$T/u2.json" 2>/dev/null
json_assert "a story read is listed by --unread again once a new outlet joins it" "$T/u2.json" "
s = [s for s in rows if s['id'] == $sid]
assert s and s[0]['read'] is False and s[0]['outlets'] > 2, s and (s[0]['read'], s[0]['outlets'])
"
nfc read "$sid" >/dev/null 2>&1
nfc stories --all --unread --json >"$T/u3.json" 2>/dev/null
json_assert "reading it again hides it again" "$T/u3.json" "assert $sid not in [s['id'] for s in rows]"

done_testing
