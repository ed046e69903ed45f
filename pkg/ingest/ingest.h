#ifndef NF_INGEST_H
#define NF_INGEST_H
/*
 * ingest: one fetched feed through feed, normalise, cluster and store, in
 * one write transaction -- what `poll` and `run` share.
 *
 * Whatever a feed's outcome (new items, 304, HTTP error, not a feed), the
 * feed's record is updated in the same transaction: status, HTTP status,
 * error, consecutive failures, ETag/Last-Modified, next poll.  A feed that
 * cannot be parsed changes nothing but its own record.
 */
#include <stdint.h>

#include "base/base.h"
#include "cluster/cluster.h"
#include "config/config.h"
#include "fetch/fetch.h"
#include "store/store.h"

/*
 * struct ingest_cache: what ingest_feed() keeps from one feed to the next
 * -- a vocabulary (cluster_vocab), the document frequencies read from
 * the store (checked against the store at each transaction, so another
 * writer in between only costs a re-read) and the clustering's candidate
 * index (cluster/index.h: built by the first feed that brings a new
 * article, then kept up).  Owned by the caller and used by one thread at
 * a time; ingest_cache_new() returns NULL when out of memory.
 */
struct ingest_cache;
struct ingest_cache *ingest_cache_new(void);
void ingest_cache_free(struct ingest_cache *c);
/* ingest_cache_flush(s, c, err): write the document frequencies the cache
 * holds pending (it writes them in batches) to ${s}, in a transaction of
 * their own; before a long pause or the end.  Unwritten counts are not
 * lost (the next writer counts them from the articles), only less exact.
 * 0, or -1 with ${err} filled. */
int ingest_cache_flush(struct store *s, struct ingest_cache *c, struct nf_err *err);
/* ingest_cache_pending(c): 1 when ${c} holds counts ingest_cache_flush()
 * would write. */
int ingest_cache_pending(const struct ingest_cache *c);

struct ingest_opts {
	struct cluster_opts cluster;
	struct ingest_cache *cache; /* borrowed; NULL: each call makes its own */
	int64_t interval;      /* default poll interval, seconds */
	int64_t max_backoff;   /* cap of the error backoff (24 h) */
	int64_t min_interval;  /* floor of any interval (60 s) */
	int64_t max_interval;  /* cap of a publisher's stretch (24 h); see fetch/schedule.h */
};

void ingest_opts_init(struct ingest_opts *o, const struct nf_config *cfg);

struct ingest_stats {
	uint32_t entries;  /* entries in the document */
	uint32_t added;    /* new articles */
	uint32_t updated;  /* articles seen before */
	uint32_t skipped;  /* entries with nothing to identify them by */
	int failed;        /* the feed's outcome was a failure */
};

/*
 * ingest_feed(s, opts, sub, res, stats, err): store the outcome ${res} of
 * fetching subscription ${sub}.  Returns 0 when the outcome was stored (a
 * failed fetch included: see stats->failed), -1 with ${err} when the store
 * itself failed (then nothing of this feed was written).  prepare.h has
 * it in two halves, for two threads.
 */
int ingest_feed(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
                const struct fetch_res *res, struct ingest_stats *stats, struct nf_err *err);

/*
 * ingest_due(s, sub, now, force): 1 when ${sub} should be polled at ${now}
 * (its next_poll has come, it was never polled, or ${force}); 0 when not
 * (a gone feed is polled only with ${force}).  ${etag} and ${last_modified}
 * receive copies (caller frees) of the validators to send, and ${url} the
 * URL to fetch (a permanent redirect's target), also a copy.
 */
int ingest_due(struct store *s, const struct feed_sub *sub, int64_t now, int force,
               char **url, char **etag, char **last_modified);

/*
 * ingest_plan(s, sub, now, force, p): what the store says about polling
 * ${sub}: whether it is due at ${now} (or ${force}), when it is due (its
 * next poll, or later while its host asked to wait after a 429/503), the
 * URL to fetch (a permanent redirect's target) and the validators to send,
 * its failures and last error.  0, or -1 on a store error.  Release ${p}
 * with ingest_plan_release().
 */
struct ingest_plan {
	int due;               /* 1: poll it now */
	int64_t when;          /* when due: 0 never polled, NF_TIME_NONE never (gone) */
	char *url;             /* owned copies, may be NULL except url */
	char *etag, *last_modified;
	uint32_t failures;     /* consecutive failures so far */
	int status;            /* enum store_feed_status of the last poll */
	char *error;           /* why the last poll failed, or NULL */
};
int ingest_plan(struct store *s, const struct feed_sub *sub, int64_t now, int force,
                struct ingest_plan *p);
void ingest_plan_release(struct ingest_plan *p);

#endif
