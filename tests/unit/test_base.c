/* Unit tests of pkg/base: capped buffers, time conversion, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"

static void
buf_append_past_cap_fails_and_keeps_contents(void **state)
{
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "abcde"), 0);
	assert_int_equal(buf_puts(&b, "fghij"), -1);
	assert_true(b.over);
	assert_string_equal(buf_cstr(&b), "abcde");
	assert_int_equal(buf_puts(&b, "fgh"), 0);
	assert_string_equal(buf_cstr(&b), "abcdefgh");
	b.over = 0;
	assert_int_equal(buf_putc(&b, 'i'), -1); /* one byte past the cap */
	assert_true(b.over);
	assert_string_equal(buf_cstr(&b), "abcdefgh");
	buf_reset(&b);
	assert_int_equal(buf_putc(&b, 'z'), 0);
	assert_string_equal(buf_cstr(&b), "z");
	buf_release(&b);
}

/* buf_reserve(): room a caller then writes into, within the cap */
static void
buf_reserve_makes_room_within_the_cap(void **state)
{
	struct buf b;

	buf_init(&b, 100);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_reserve(&b, 98), 0);
	assert_true(b.alloc >= 101); /* "ab", 98 bytes and the NUL */
	assert_int_equal(b.len, 2);
	assert_string_equal(buf_cstr(&b), "ab");
	memset(b.data + b.len, 'x', 98);
	b.len += 98;
	b.data[b.len] = '\0';
	assert_int_equal(buf_reserve(&b, 1), -1); /* past the cap */
	assert_true(b.over);
	assert_int_equal(b.len, 100);
	assert_int_equal(buf_reserve(&b, 0), 0);
	buf_release(&b);
}

static void
buf_printf_handles_long_output(void **state)
{
	struct buf b;
	char big[1000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "<%s>%d", big, 42), 0);
	assert_int_equal(b.len, 1003);
	assert_memory_equal(b.data + 1000, ">42", 3);
	buf_release(&b);
}

static void
time_round_trips_through_rfc3339(void **state)
{
	char out[32], http[40];
	struct nf_tm tm;

	assert_int_equal(nf_timegm(2025, 2, 13, 15, 4, 5), 1739459045);
	assert_string_equal(nf_time_rfc3339(1739459045, out), "2025-02-13T15:04:05Z");
	assert_string_equal(nf_time_http(1739459045, http), "Thu, 13 Feb 2025 15:04:05 GMT");
	assert_string_equal(nf_time_rfc3339(0, out), "1970-01-01T00:00:00Z");
	assert_string_equal(nf_time_rfc3339(-1, out), "1969-12-31T23:59:59Z");
	nf_gmtime(951782400, &tm); /* leap day 2000 */
	assert_int_equal(tm.m, 2);
	assert_int_equal(tm.d, 29);
	assert_int_equal(tm.wday, 2);
	/* out-of-range fields carry over */
	assert_int_equal(nf_timegm(2024, 12, 31, 24, 0, 0), nf_timegm(2025, 1, 1, 0, 0, 0));
}

static void
durations_and_sizes_parse_with_units(void **state)
{
	int64_t d;
	uint64_t s;

	assert_int_equal(nf_duration_parse("90", &d), 0);
	assert_int_equal(d, 90);
	assert_int_equal(nf_duration_parse("10m", &d), 0);
	assert_int_equal(d, 600);
	assert_int_equal(nf_duration_parse(" 72h ", &d), 0);
	assert_int_equal(d, 72 * 3600);
	assert_int_equal(nf_duration_parse("30d", &d), 0);
	assert_int_equal(d, 30 * 86400);
	assert_int_equal(nf_duration_parse("10x", &d), -1);
	assert_int_equal(nf_duration_parse("", &d), -1);
	assert_int_equal(nf_duration_parse("-5m", &d), -1);
	assert_int_equal(nf_size_parse("8M", &s), 0);
	assert_int_equal(s, 8u << 20);
	assert_int_equal(nf_size_parse("12q", &s), -1);
}

static void
diag_formats_file_and_line(void **state)
{
	struct nf_diag d = {0};

	nf_diag_add(&d, "feeds.d/a.conf", 7, "unknown key '%s'", "colour");
	nf_diag_add(&d, "feeds.d/b.opml", 0, "not OPML");
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msg[0], "feeds.d/a.conf:7: unknown key 'colour'");
	assert_string_equal(d.msg[1], "feeds.d/b.opml: not OPML");
	nf_diag_release(&d);
	nf_diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_append_past_cap_fails_and_keeps_contents),
		cmocka_unit_test(buf_reserve_makes_room_within_the_cap),
		cmocka_unit_test(buf_printf_handles_long_output),
		cmocka_unit_test(time_round_trips_through_rfc3339),
		cmocka_unit_test(durations_and_sizes_parse_with_units),
		cmocka_unit_test(diag_formats_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
