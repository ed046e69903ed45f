#!/bin/sh
# tests/fuzz/run.sh -- `make fuzz`: build and run each libFuzzer harness
# tests/fuzz/fuzz_*.c for FUZZ_SECONDS (default 60) seconds.
set -u
echo "fuzz: no harnesses yet"
