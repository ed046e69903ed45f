#ifndef NF_INGEST_WORKER_H
#define NF_INGEST_WORKER_H
/*
 * worker: ingest_feed() on threads of its own, so that the fetch loop
 * never stands still while a feed is parsed, clustered and committed (a
 * stalled loop would eat into the other transfers' timeouts).
 *
 * The fetch loop pushes each finished transfer (copied: the worker owns
 * the copy).  A preparing thread parses each and prepares its entries
 * (prepare.h: text, tokens, terms, fingerprints -- the work that needs no
 * write transaction), a feed or two ahead of the storing thread, which
 * stores them one by one, in order, each in its own write transaction,
 * with exactly ingest_feed()'s results.  The loop collects the outcomes on
 * its own thread with ingest_worker_collect(), so reporting stays
 * single-threaded.
 *
 * Only the storing thread writes to the store while the worker runs; the
 * preparing one and other threads may read it.  Memory is bounded:
 * ingest_worker_push() waits while more than ${max_queued} bytes of bodies
 * (0: 16 MiB) are queued (a body counts until its feed is stored), and at
 * most two parsed feeds wait beside the one being stored.
 */
#include <stddef.h>

#include "ingest/ingest.h"

struct ingest_worker;

/* One stored (or failed) feed, as ingest_worker_collect() hands it over;
 * every pointer is valid only during the callback. */
struct ingest_outcome {
	const struct feed_sub *sub; /* a copy of url, title, interval, cluster */
	const struct fetch_res *res;
	const struct ingest_stats *stats;
	int rc;            /* ingest_feed()'s return: -1 the store failed */
	const char *error; /* why, when rc is -1 */
	void *user;        /* as pushed */
};

typedef void ingest_outcome_fn(const struct ingest_outcome *o, void *ctx);

/* ingest_worker_new(s, opts, max_queued, err): a started worker storing
 * into ${s} (borrowed: it must outlive the worker) with a copy of ${opts};
 * NULL (err filled) when the thread could not start. */
struct ingest_worker *ingest_worker_new(struct store *s, const struct ingest_opts *opts,
                                        size_t max_queued, struct nf_err *err);

/* ingest_worker_push(w, sub, res, user): queue a copy of a finished
 * transfer; waits while the queue is full.  0, or -1 when out of memory
 * (nothing queued). */
int ingest_worker_push(struct ingest_worker *w, const struct feed_sub *sub,
                       const struct fetch_res *res, void *user);

/* ingest_worker_pending(w): transfers pushed and not yet collected. */
size_t ingest_worker_pending(struct ingest_worker *w);

/* ingest_worker_collect(w, wait, fn, ctx): hand every finished outcome to
 * ${fn}, on the caller's thread, in the order they were pushed; with
 * ${wait}, first wait until everything pushed is finished.  Returns how
 * many were handed over. */
size_t ingest_worker_collect(struct ingest_worker *w, int wait, ingest_outcome_fn *fn,
                             void *ctx);

/* ingest_worker_free(w, abandon): stop the worker and free it.  With
 * ${abandon}, transfers not yet being stored are dropped (their feeds keep
 * their previous state and are fetched again later); the one being stored
 * is finished, so nothing is committed half-done.  Outcomes not collected
 * are dropped.  A cache the worker made itself (${opts} had none) has its
 * pending term statistics written first (ingest_cache_flush()).  NULL
 * does nothing. */
void ingest_worker_free(struct ingest_worker *w, int abandon);

#endif
