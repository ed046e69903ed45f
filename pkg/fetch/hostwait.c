/* hostwait: a host's "not before" and a feed's hints, kept in store meta. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "fetch/hostwait.h"
#include "base/banned.h"

#define KEY_MAX 511 /* LMDB's key limit */
#define HINT_SET (UINT64_C(1) << 51) /* values stay far below 2^63 */
#define TTL_MAX ((UINT64_C(1) << 20) - 1) /* minutes: about two years */

static void
key_of(const char *prefix, const char *name, char out[KEY_MAX + 1])
{
	snprintf(out, KEY_MAX + 1, "%s %s", prefix, name);
}

int64_t
hostwait_get(struct store_txn *t, const char *host)
{
	char k[KEY_MAX + 1];

	if (host == NULL || *host == '\0')
		return 0;
	key_of("hostwait", host, k);
	return (int64_t)store_counter(t, k);
}

int
hostwait_set(struct store_txn *t, const char *host, int64_t until)
{
	char k[KEY_MAX + 1];
	uint64_t old;

	if (host == NULL || *host == '\0' || until <= 0)
		return 0;
	key_of("hostwait", host, k);
	old = store_counter(t, k);
	if ((uint64_t)until <= old)
		return 0;
	return store_counter_add(t, k, (int64_t)((uint64_t)until - old));
}

void
hostwait_hints_get(struct store_txn *t, const char *url, struct sched_hints *h)
{
	char k[KEY_MAX + 1];
	uint64_t v;

	key_of("hints", url, k);
	v = store_counter(t, k);
	if (!(v & HINT_SET))
		return;
	h->ttl = (v & TTL_MAX) == TTL_MAX ? -1 : (int64_t)(v & TTL_MAX) * 60;
	h->skip_hours = (uint32_t)((v >> 20) & 0xffffffu);
	h->skip_days = (uint8_t)((v >> 44) & 0x7f);
}

int
hostwait_hints_put(struct store_txn *t, const char *url, const struct sched_hints *h)
{
	char k[KEY_MAX + 1];
	uint64_t v, old, ttl;

	ttl = h->ttl < 0 ? TTL_MAX : (uint64_t)(h->ttl / 60);
	if (ttl > TTL_MAX)
		ttl = TTL_MAX - 1;
	v = HINT_SET | ttl | (uint64_t)(h->skip_hours & 0xffffffu) << 20 |
	    (uint64_t)(h->skip_days & 0x7f) << 44;
	key_of("hints", url, k);
	old = store_counter(t, k);
	if (old == 0 && h->ttl < 0 && h->skip_hours == 0 && h->skip_days == 0)
		return 0; /* nothing known, nothing to forget */
	if (old == v)
		return 0;
	/* the counter API adds: step back to 0, then up to v */
	if (old > v && store_counter_add(t, k, -(int64_t)(old - v)))
		return -1;
	if (old < v && store_counter_add(t, k, (int64_t)(v - old)))
		return -1;
	return 0;
}
