#ifndef NF_SCHEDULE_H
#define NF_SCHEDULE_H
/*
 * schedule: when to poll a feed next.  Pure functions of their arguments
 * (no clock, no store), so every rule is a unit test.
 *
 * A feed's interval is its own (feeds.d `interval =`) or the configured
 * one, then:
 *   - stretched, never shortened, by what the publisher asked: HTTP
 *     Cache-Control max-age or Expires, RSS <ttl>; a request longer than
 *     max_interval counts as max_interval;
 *   - raised to min_interval at least;
 *   - after a failure, doubled per consecutive failure (from the feed's
 *     interval), capped at max_backoff (24 h by default), and never sooner
 *     than a Retry-After;
 *   - moved by a jitter of up to +-10 % (a hash of the URL and the time),
 *     so feeds added together do not fire in lockstep;
 *   - moved out of RSS skipHours / skipDays (UTC), never further than
 *     max_interval after now.
 * Times are seconds since the epoch; durations are seconds.
 */
#include <stdint.h>

struct sched_opts {
	int64_t interval;     /* the default interval (30 min) */
	int64_t min_interval; /* floor of any interval (60 s) */
	int64_t max_interval; /* ceiling of a publisher's stretch and of skips (24 h) */
	int64_t max_backoff;  /* ceiling of the error backoff (24 h) */
};

/* sched_opts_init(o): the defaults above. */
void sched_opts_init(struct sched_opts *o);

/* What a poll told us about the next one; -1 / 0 when unknown. */
struct sched_hints {
	int64_t max_age;     /* HTTP caching lifetime, seconds, or -1 */
	int64_t ttl;         /* RSS <ttl>, seconds, or -1 */
	int64_t retry_after; /* Retry-After, seconds, or -1 */
	uint32_t skip_hours; /* bit h set: no poll in hour h (0-23, UTC) */
	uint8_t skip_days;   /* bit d set: no poll on weekday d (0 = Sunday, UTC) */
};

/* sched_hints_init(h): nothing known. */
void sched_hints_init(struct sched_hints *h);

/* sched_jitter(url, now, span): a pseudo-random offset in [-span/10,
 * span/10], the same for the same ${url} and ${now}. */
int64_t sched_jitter(const char *url, int64_t now, int64_t span);

/*
 * sched_interval(o, feed_interval, failures, h): the delay before the next
 * poll, before jitter and skips (${feed_interval} 0: the default; ${h} may
 * be NULL).
 */
int64_t sched_interval(const struct sched_opts *o, int64_t feed_interval, uint32_t failures,
                       const struct sched_hints *h);

/*
 * sched_skip(t, now, max, hours, days): ${t} moved to the start of the
 * first hour not in ${hours} / ${days} (see struct sched_hints), but not
 * past ${now} + ${max}.  Masks that skip every hour or day are ignored.
 */
int64_t sched_skip(int64_t t, int64_t now, int64_t max, uint32_t hours, uint8_t days);

/*
 * sched_next(o, url, feed_interval, now, failures, h): the time of the next
 * poll of ${url} polled at ${now}: sched_interval() plus jitter, out of the
 * skipped hours, and never before a Retry-After.
 */
int64_t sched_next(const struct sched_opts *o, const char *url, int64_t feed_interval,
                   int64_t now, uint32_t failures, const struct sched_hints *h);

#endif
