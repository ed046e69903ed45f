/* schedule: the next poll of a feed, from its interval and what it said. */
#include <stdint.h>
#include <string.h>

#include <xxhash.h>

#include "base/base.h"
#include "fetch/schedule.h"
#include "base/banned.h"

#define HOUR 3600
#define DAY (24 * HOUR)

void
sched_opts_init(struct sched_opts *o)
{
	o->interval = 30 * 60;
	o->min_interval = 60;
	o->max_interval = DAY;
	o->max_backoff = DAY;
}

void
sched_hints_init(struct sched_hints *h)
{
	h->max_age = h->ttl = h->retry_after = -1;
	h->skip_hours = 0;
	h->skip_days = 0;
}

int64_t
sched_jitter(const char *url, int64_t now, int64_t span)
{
	uint64_t h = XXH3_64bits_withSeed(url, strlen(url), (uint64_t)now);
	int64_t r = span / 10;

	return r > 0 ? (int64_t)(h % (uint64_t)(2 * r + 1)) - r : 0;
}

int64_t
sched_interval(const struct sched_opts *o, int64_t feed_interval, uint32_t failures,
               const struct sched_hints *h)
{
	int64_t iv = feed_interval > 0 ? feed_interval : o->interval, ask = -1;
	uint32_t i;

	if (iv < o->min_interval)
		iv = o->min_interval;
	if (failures) {
		for (i = 0; i < failures && iv < o->max_backoff; i++)
			iv *= 2;
		if (iv > o->max_backoff)
			iv = o->max_backoff;
		return iv;
	}
	if (h) {
		if (h->max_age > ask)
			ask = h->max_age;
		if (h->ttl > ask)
			ask = h->ttl;
	}
	if (ask > o->max_interval)
		ask = o->max_interval;
	return ask > iv ? ask : iv;
}

int64_t
sched_skip(int64_t t, int64_t now, int64_t max, uint32_t hours, uint8_t days)
{
	struct nf_tm tm;
	int64_t limit = now + max;
	int i;

	hours &= 0xffffffu;
	days &= 0x7f;
	if (hours == 0xffffffu)
		hours = 0;
	if (days == 0x7f)
		days = 0;
	if (hours == 0 && days == 0)
		return t;
	/* at most a week of hours to look through */
	for (i = 0; i < 24 * 8 && t < limit; i++) {
		nf_gmtime(t, &tm);
		if (days & (1u << tm.wday))
			t += DAY - (tm.h * HOUR + tm.mi * 60 + tm.s); /* next midnight */
		else if (hours & (1u << tm.h))
			t += HOUR - tm.mi * 60 - tm.s; /* next hour */
		else
			return t;
	}
	return t < limit ? t : limit;
}

int64_t
sched_next(const struct sched_opts *o, const char *url, int64_t feed_interval, int64_t now,
           uint32_t failures, const struct sched_hints *h)
{
	int64_t iv = sched_interval(o, feed_interval, failures, h), t, ra;

	t = now + iv + sched_jitter(url, now, iv);
	if (h)
		t = sched_skip(t, now, o->max_interval > iv ? o->max_interval : iv, h->skip_hours,
		               h->skip_days);
	if (h && h->retry_after >= 0) {
		ra = h->retry_after < o->max_backoff ? h->retry_after : o->max_backoff;
		if (t < now + ra)
			t = now + ra;
	}
	return t;
}
