#!/bin/sh
# tests/fuzz/run.sh -- `make fuzz`: build each libFuzzer harness
# tests/fuzz/fuzz_*.c (clang, -fsanitize=fuzzer,address,undefined, with the
# pkg/ sources compiled in) into build/fuzz/, replay the crash inputs kept in
# tests/data/hostile/fuzz/NAME/, then fuzz each for FUZZ_SECONDS (default 60)
# seconds, seeded from tests/data.
#
#   tests/fuzz/run.sh [NAME...]     only these harnesses (feed html date ...)
#   FUZZ_SECONDS=20                 seconds per harness (0: build and replay only)
#   FUZZ_ARGS="-jobs=2"             more libFuzzer options
#
# The corpus grows in build/fuzz/corpus/NAME; a finding is written to
# build/fuzz/artifacts/NAME-crash-* (copy it to tests/data/hostile/fuzz/NAME/
# with the fix, so it is replayed from then on).  Exit 1 when a harness fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${FUZZ_SECONDS:=60}" "${FUZZ_ARGS:=}" "${CC_FUZZ:=clang}" "${PKG_CONFIG:=pkg-config}"
B=build/fuzz
LIBS_PC="libcurl libxml-2.0 lmdb libxxhash jansson libutf8proc libpsl libsystemd"

# libFuzzer's runtime comes with Debian's libclang-rt-14-dev.
rt=$($CC_FUZZ -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
if ! command -v "$CC_FUZZ" >/dev/null || [ ! -f "$rt" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq clang libclang-rt-14-dev || exit 1
	else
		echo "fuzz: clang with libFuzzer missing; run as root:"
		echo "  apt-get install -y clang libclang-rt-14-dev"
		exit 1
	fi
fi

CFLAGS_FUZZ="-std=c11 -D_GNU_SOURCE -g -O1 -Ipkg -Wall -Wextra -Wno-unused-parameter
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer -DNF_VERSION=\"fuzz\" $($PKG_CONFIG --cflags $LIBS_PC)"
LDLIBS_FUZZ="$($PKG_CONFIG --libs $LIBS_PC) -lstemmer -lm"
mkdir -p "$B/obj" "$B/artifacts" || exit 1

# Build: an object is rebuilt when its source or any header is newer.
newest_h=$(ls -t pkg/*/*.h | head -1)
objs= changed=
for c in pkg/*/*.c; do
	o=$B/obj/$(echo "$c" | tr / _).o
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ] ||
	   [ "$0" -nt "$o" ]; then
		$CC_FUZZ $CFLAGS_FUZZ -c -o "$o.$$" "$c" && mv "$o.$$" "$o" || exit 1
		changed=1
	fi
done
if [ -n "$changed" ] || [ ! -f "$B/libnewsfold.a" ]; then
	rm -f "$B/libnewsfold.a.$$"
	ar rcs "$B/libnewsfold.a.$$" $objs && mv "$B/libnewsfold.a.$$" "$B/libnewsfold.a" || exit 1
fi

# Seeds, regenerated from tests/data on each run.
seeds() { # seeds NAME FILE...: copy FILEs into $B/seed/NAME
	d=$B/seed/$1; shift
	rm -rf "$d"; mkdir -p "$d"
	for f in "$@"; do [ -f "$f" ] && cp "$f" "$d/$(echo "$f" | tr / _)"; done
}
seed_lines() { # seed_lines NAME < lines: one seed per line ("\\n" in it: a newline)
	d=$B/seed/$1
	rm -rf "$d"; mkdir -p "$d"
	i=0
	while IFS= read -r l; do i=$((i + 1)); printf '%b' "$l" >"$d/$i"; done
}
D=tests/data
make_seeds() { # make_seeds NAME: the seeds of harness NAME
	case $1 in
	feed) seeds feed $D/feeds/* $D/replay/*.xml $D/http/feed.* $D/http/ttl.xml \
		$(find $D/golden -name '*.xml' -o -name '*.json' | sort) ;;
	html) seeds html $D/normalise/*.html $D/http/*.html $D/feeds/*.html $D/feeds/*.xml ;;
	opml) seeds opml $D/opml/*.opml $D/config/feeds.d/*.opml ;;
	config) seeds config $D/config/*.conf $D/config/feeds.d/*.conf ;;
	date) grep -v '^#' $D/dates.txt | grep . | cut -f1 | seed_lines date ;;
	url) # every fourth URL comes with a base on a second line
		{
			grep -ohE '(https?|file)://[^"<> ]+' $D/replay/*.xml | sort -u | head -300
			printf '%s\n' '../a/./b?utm_source=x&id=1#frag' 'HTTP://EXAMPLE.COM:80' \
				'//cdn.example.org/x.jpg' '?page=2'
		} | awk 'NR % 4 == 0 { print $0 "\\nhttp://www.example.co.uk/a/b/c?q=1"; next } { print }' |
			seed_lines url ;;
	record) rm -rf $B/seed/record && python3 tests/fuzz/record_seeds.py $B/seed/record ;;
	*) mkdir -p $B/seed/$1 ;;
	esac
}

if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi
rc=0
for n in "$@"; do
	bin=$B/fuzz_$n
	if [ ! -x "$bin" ] || [ tests/fuzz/fuzz_$n.c -nt "$bin" ] || [ $B/libnewsfold.a -nt "$bin" ]; then
		$CC_FUZZ $CFLAGS_FUZZ -fsanitize=fuzzer -o "$bin" tests/fuzz/fuzz_$n.c \
			$B/libnewsfold.a $LDLIBS_FUZZ || exit 1
	fi
	# Replay the findings of the past: each must run clean now.
	kept=$(ls -d tests/data/hostile/fuzz/$n/* 2>/dev/null)
	if [ -n "$kept" ]; then
		if "$bin" -runs=1 $kept >"$B/replay-$n.log" 2>&1; then
			echo "fuzz $n: $(echo "$kept" | wc -l) kept inputs replayed ok"
		else
			echo "fuzz $n: a kept input fails again:"; tail -30 "$B/replay-$n.log"; rc=1
		fi
	fi
	[ "$FUZZ_SECONDS" -gt 0 ] || continue
	make_seeds "$n"
	mkdir -p "$B/corpus/$n"
	UBSAN_OPTIONS=print_stacktrace=1 "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$B/artifacts/$n-" -print_final_stats=1 \
		$FUZZ_ARGS "$B/corpus/$n" "$B/seed/$n" >"$B/$n.log" 2>&1
	r=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$n.log")
	cov=$(grep -oE 'cov: [0-9]+' "$B/$n.log" | tail -1)
	if [ $r -eq 0 ]; then
		echo "fuzz $n: ok, ${execs:-?} runs in ${FUZZ_SECONDS}s, $cov"
	else
		echo "fuzz $n: FAILED (exit $r), see $B/$n.log:"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$B/$n.log" | head -8
		rc=1
	fi
done
exit $rc
