/*
 * Unit tests of pkg/fetch/schedule.c: when a feed is polled next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "base/base.h"
#include "fetch/schedule.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400

/* Thursday 2025-02-13 15:04:05 UTC */
static const int64_t NOW = 1739459045;

static struct sched_opts
opts(void)
{
	struct sched_opts o;

	sched_opts_init(&o);
	return o;
}

static void
plain_feed_waits_the_configured_interval_give_or_take_a_tenth(void **state)
{
	struct sched_opts o = opts();
	int64_t t;

	assert_int_equal(sched_interval(&o, 0, 0, NULL), 30 * MIN);
	t = sched_next(&o, "https://example.com/feed", 0, NOW, 0, NULL);
	assert_true(t >= NOW + 27 * MIN && t <= NOW + 33 * MIN);
}

static void
feed_interval_overrides_the_default(void **state)
{
	struct sched_opts o = opts();

	assert_int_equal(sched_interval(&o, 10 * MIN, 0, NULL), 10 * MIN);
}

static void
min_interval_is_a_floor_even_for_a_feed_override(void **state)
{
	struct sched_opts o = opts();

	o.min_interval = 5 * MIN;
	assert_int_equal(sched_interval(&o, 2 * MIN, 0, NULL), 5 * MIN);
}

static void
jitter_spreads_feeds_added_together(void **state)
{
	struct sched_opts o = opts();
	char url[64];
	int64_t t, lo = INT64_MAX, hi = INT64_MIN;
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(url, sizeof(url), "https://example.com/feed%d", i);
		t = sched_next(&o, url, 0, NOW, 0, NULL);
		assert_true(t >= NOW + 27 * MIN && t <= NOW + 33 * MIN);
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	assert_true(hi - lo > 3 * MIN); /* not in lockstep */
	/* and the same feed at the same time gets the same jitter */
	assert_int_equal(sched_jitter("https://a/", NOW, 1000), sched_jitter("https://a/", NOW, 1000));
}

static void
max_age_and_ttl_stretch_but_never_shorten(void **state)
{
	struct sched_opts o = opts();
	struct sched_hints h;

	sched_hints_init(&h);
	h.max_age = 2 * HOUR;
	assert_int_equal(sched_interval(&o, 0, 0, &h), 2 * HOUR);
	h.max_age = 60; /* shorter than the interval: the interval stays */
	assert_int_equal(sched_interval(&o, 0, 0, &h), 30 * MIN);
	h.ttl = 3 * HOUR;
	assert_int_equal(sched_interval(&o, 0, 0, &h), 3 * HOUR);
}

static void
publisher_stretch_stops_at_max_interval(void **state)
{
	struct sched_opts o = opts();
	struct sched_hints h;

	sched_hints_init(&h);
	h.max_age = 365 * DAY;
	o.max_interval = 6 * HOUR;
	assert_int_equal(sched_interval(&o, 0, 0, &h), 6 * HOUR);
}

static void
errors_back_off_exponentially_up_to_a_day(void **state)
{
	struct sched_opts o = opts();

	assert_int_equal(sched_interval(&o, 0, 1, NULL), 60 * MIN);
	assert_int_equal(sched_interval(&o, 0, 2, NULL), 120 * MIN);
	assert_int_equal(sched_interval(&o, 0, 5, NULL), 16 * HOUR);
	assert_int_equal(sched_interval(&o, 0, 6, NULL), DAY);
	assert_int_equal(sched_interval(&o, 0, 4000000000u, NULL), DAY);
}

static void
failing_feed_ignores_the_cache_lifetime_of_its_error_page(void **state)
{
	struct sched_opts o = opts();
	struct sched_hints h;

	sched_hints_init(&h);
	h.max_age = 20 * HOUR;
	assert_int_equal(sched_interval(&o, 0, 1, &h), 60 * MIN);
}

static void
retry_after_is_a_floor(void **state)
{
	struct sched_opts o = opts();
	struct sched_hints h;
	int64_t t;

	sched_hints_init(&h);
	h.retry_after = 5 * HOUR;
	t = sched_next(&o, "https://example.com/", 0, NOW, 1, &h);
	assert_true(t >= NOW + 5 * HOUR);
	/* but a server cannot ask for a year */
	h.retry_after = 365 * DAY;
	t = sched_next(&o, "https://example.com/", 0, NOW, 1, &h);
	assert_true(t <= NOW + DAY + DAY / 10);
}

static void
skip_hours_move_the_poll_to_the_next_allowed_hour(void **state)
{
	int64_t t = NOW; /* 15:04:05 */
	struct nf_tm tm;

	/* hours 15, 16 and 17 skipped: 18:00:00 */
	t = sched_skip(t, NOW, DAY, (1u << 15) | (1u << 16) | (1u << 17), 0);
	nf_gmtime(t, &tm);
	assert_int_equal(tm.h, 18);
	assert_int_equal(tm.mi, 0);
	assert_int_equal(tm.s, 0);
	assert_int_equal(tm.d, 13);
	/* an hour not skipped stays as it is */
	assert_int_equal(sched_skip(NOW, NOW, DAY, 1u << 3, 0), NOW);
}

static void
skip_days_move_the_poll_to_the_next_allowed_day(void **state)
{
	struct nf_tm tm;
	int64_t t;

	/* Thursday and Friday skipped: Saturday 00:00 */
	t = sched_skip(NOW, NOW, 7 * DAY, 0, (1u << 4) | (1u << 5));
	nf_gmtime(t, &tm);
	assert_int_equal(tm.wday, 6);
	assert_int_equal(tm.h, 0);
	assert_int_equal(tm.d, 15);
}

static void
skips_never_push_past_max_interval(void **state)
{
	/* every day but Wednesday skipped: the bound wins */
	assert_int_equal(sched_skip(NOW, NOW, DAY, 0, 0x7f & ~(1u << 3)), NOW + DAY);
	/* a mask of every hour means nothing */
	assert_int_equal(sched_skip(NOW, NOW, DAY, 0xffffff, 0), NOW);
}

static void
skip_hours_apply_to_the_scheduled_poll(void **state)
{
	struct sched_opts o = opts();
	struct sched_hints h;
	struct nf_tm tm;
	int64_t t;

	sched_hints_init(&h);
	h.skip_hours = 1u << 15; /* 15:xx, when NOW + 30 min falls */
	t = sched_next(&o, "https://example.com/", 0, NOW, 0, &h);
	nf_gmtime(t, &tm);
	assert_int_equal(tm.h, 16);
	assert_int_equal(tm.mi, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_feed_waits_the_configured_interval_give_or_take_a_tenth),
		cmocka_unit_test(feed_interval_overrides_the_default),
		cmocka_unit_test(min_interval_is_a_floor_even_for_a_feed_override),
		cmocka_unit_test(jitter_spreads_feeds_added_together),
		cmocka_unit_test(max_age_and_ttl_stretch_but_never_shorten),
		cmocka_unit_test(publisher_stretch_stops_at_max_interval),
		cmocka_unit_test(errors_back_off_exponentially_up_to_a_day),
		cmocka_unit_test(failing_feed_ignores_the_cache_lifetime_of_its_error_page),
		cmocka_unit_test(retry_after_is_a_floor),
		cmocka_unit_test(skip_hours_move_the_poll_to_the_next_allowed_hour),
		cmocka_unit_test(skip_days_move_the_poll_to_the_next_allowed_day),
		cmocka_unit_test(skips_never_push_past_max_interval),
		cmocka_unit_test(skip_hours_apply_to_the_scheduled_poll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
