#ifndef NF_HOSTWAIT_H
#define NF_HOSTWAIT_H
/*
 * hostwait: what the poller remembers in the store beside a feed's record.
 *
 *   - a host's "not before" time: after a 429 or 503 with Retry-After, no
 *     feed of that host is polled before it (the whole host, not just the
 *     feed that was told);
 *   - a feed's hints from its last body (RSS ttl, skipHours, skipDays), so
 *     that a 304, which carries no body, is scheduled as the 200 was.
 *
 * Both live in the store's meta table through the public counter API
 * ("hostwait HOST", "hints URL" -> u64), inside the caller's transaction:
 * written in the same write transaction as the feed's record, so a crash
 * keeps both or neither.
 */
#include <stdint.h>

#include "fetch/schedule.h"
#include "store/store.h"

/* hostwait_get(t, host): the time before which ${host} is not asked
 * anything, or 0. */
int64_t hostwait_get(struct store_txn *t, const char *host);
/* hostwait_set(t, host, until): keep ${until} unless a later time is kept
 * already.  0, or -1 on a store error. */
int hostwait_set(struct store_txn *t, const char *host, int64_t until);

/* hostwait_hints_get(t, url, h): the remembered ttl and skip masks of the
 * feed ${url} into ${h} (other fields untouched); nothing when unknown. */
void hostwait_hints_get(struct store_txn *t, const char *url, struct sched_hints *h);
/* hostwait_hints_put(t, url, h): remember ${h}'s ttl and skip masks. */
int hostwait_hints_put(struct store_txn *t, const char *url, const struct sched_hints *h);

#endif
