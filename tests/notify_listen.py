#!/usr/bin/env python3
"""notify_listen.py -- a NOTIFY_SOCKET for tests of `newsfold run`.

    python3 tests/notify_listen.py SOCKET LOG

Binds a unix datagram socket at SOCKET (as systemd does for a Type=notify
service) and appends every message it receives to LOG, one line each, its
newlines shown as " | ", flushed at once.  Exits on SIGTERM.
"""
import os
import signal
import socket
import sys


def main():
    path, log = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(log, "a", encoding="utf-8") as out:
        while True:
            msg = s.recv(65536).decode("utf-8", "replace")
            out.write(msg.strip().replace("\n", " | ") + "\n")
            out.flush()


if __name__ == "__main__":
    try:
        main()
    finally:
        try:
            os.unlink(sys.argv[1])
        except OSError:
            pass
