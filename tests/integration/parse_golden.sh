#!/bin/sh
# parse_golden.sh -- `newsfold parse --json` against the golden cases of
# tests/data/golden (other parsers' expected outputs mapped to newsfold's
# schema): one ok / not ok line per case, then per-set counts.
# UPDATE=1 rewrites the expected files from newsfold's output for review.
set -u
: "${NEWSFOLD:?NEWSFOLD must name the binary under test}"
: "${TESTS_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
export NEWSFOLD TESTS_DIR
exec python3 "$(dirname "$0")/parse_golden.py"
