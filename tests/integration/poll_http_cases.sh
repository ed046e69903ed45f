#!/bin/sh
# poll_http_cases.sh -- the HTTP cases of tests/data/http/cases/*.case, one
# file per behaviour (reply, request headers expected, outcome expected in
# the store), played by tests/http_cases.py against tests/httpd.py.
: "${NEWSFOLD:?NEWSFOLD must name the binary under test}"
: "${TESTS_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
exec python3 "$TESTS_DIR/http_cases.py" "$NEWSFOLD" "$@"
