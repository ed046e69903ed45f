#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/prepare.h"
#include "feed/feed.h"
#include "cluster/index.h"
#include "normalise/normalise.h"
#include "simhash/simhash.h"
#include "fetch/hostwait.h"
#include "fetch/schedule.h"
#include "base/banned.h"

void
ingest_opts_init(struct ingest_opts *o, const struct nf_config *cfg)
{
	cluster_opts_init(&o->cluster);
	o->cache = NULL;
	o->interval = 30 * 60;
	o->max_backoff = 24 * 3600;
	o->min_interval = 60;
	o->max_interval = 24 * 3600;
	if (cfg) {
		o->cluster.window = cfg->window;
		o->cluster.story_threshold = cfg->story_threshold;
		o->cluster.copy_threshold = cfg->copy_threshold;
		o->interval = cfg->interval;
		o->min_interval = cfg->min_interval;
		o->max_interval = cfg->max_interval;
		o->max_backoff = cfg->max_backoff;
	}
}

/* the document frequencies of a long-lived cache are written once this
 * many articles are pending, or the oldest has waited this long (see
 * cluster_df_batch(); ingest_cache_flush() writes them at the end) */
#define DF_BATCH_DOCS 4096
#define DF_BATCH_SECONDS 60

struct ingest_cache {
	struct cluster_vocab *vocab;
	struct cluster_df *df;
	struct cluster_index *ix; /* made by the first feed: its horizon is
	                           * the window's, from the options */
	int64_t horizon;
};

struct ingest_cache *
ingest_cache_new(void)
{
	struct ingest_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->vocab = cluster_vocab_new();
	c->df = cluster_df_new();
	if (c->vocab == NULL || c->df == NULL) {
		ingest_cache_free(c);
		return NULL;
	}
	cluster_df_batch(c->df, DF_BATCH_DOCS, DF_BATCH_SECONDS);
	return c;
}

void
ingest_cache_free(struct ingest_cache *c)
{
	if (c == NULL)
		return;
	cluster_vocab_free(c->vocab);
	cluster_df_free(c->df);
	if (c->ix)
		nf_log(NF_LOG_DEBUG, "cluster: candidate index: %zu articles, %zu bytes",
		       cluster_index_articles(c->ix), cluster_index_bytes(c->ix));
	cluster_index_free(c->ix);
	free(c);
}

/* Per-feed working state: buffers reused from entry to entry. */
struct work {
	struct store_txn *t;
	const struct ingest_opts *opts;
	const struct feed_sub *sub;
	const char *doc_url;
	int64_t now;
	struct buf feeds;
	struct ingest_preparer prep; /* entries prepared here, with vocab */
	struct prep_entry inl;       /* the entry prepared here */
	struct cluster_vocab *vocab; /* the cache's, or owned when own_cache */
	struct cluster_df *df;
	struct cluster_index *ix;
	int ix_begun;              /* cluster_index_begin() done in this txn */
	int own_cache;
	struct ingest_stats *stats;
};

/* The candidate index covers twice the window: an article published a
 * window before it was seen still finds the articles of its time. */
static int64_t
horizon_of(const struct ingest_opts *o)
{
	return 2 * o->cluster.window;
}

static void
work_init(struct work *w, struct ingest_cache *cache, const struct ingest_opts *opts)
{
	buf_init(&w->feeds, 0);
	memset(&w->inl, 0, sizeof(w->inl));
	w->own_cache = cache == NULL;
	w->vocab = cache ? cache->vocab : cluster_vocab_new();
	prep_init(&w->prep, w->vocab);
	w->df = cache ? cache->df : cluster_df_new();
	if (cache && cache->ix && cache->horizon != horizon_of(opts)) {
		cluster_index_free(cache->ix); /* the window changed */
		cache->ix = NULL;
	}
	if (cache && cache->ix == NULL) {
		cache->ix = cluster_index_new(horizon_of(opts));
		cache->horizon = horizon_of(opts);
	}
	w->ix = cache ? cache->ix : cluster_index_new(horizon_of(opts));
	w->ix_begun = 0;
}

static void
work_release(struct work *w)
{
	buf_release(&w->feeds);
	prep_release(&w->prep);
	prep_entry_release(&w->inl);
	if (w->own_cache) {
		cluster_vocab_free(w->vocab);
		cluster_df_free(w->df);
		cluster_index_free(w->ix);
	}
}

/* An article seen before: add this feed to it, refresh its title. */
static int
update_article(struct work *w, uint64_t id, const struct feed_entry *e,
               const struct prep_entry *p)
{
	struct store_article a;
	int rc;

	if ((rc = store_article_get(w->t, id, &a))) {
		/* an unreadable record is left as it is, and the feed's other
		 * entries stored: `fsck --repair` removes it, and the entry is
		 * then stored anew */
		if (rc == STORE_CORRUPT)
			nf_log(NF_LOG_WARNING, "%s: the stored article %llu of an entry does not "
			       "decode: entry skipped (newsfold fsck --repair removes the record)",
			       w->sub->url, (unsigned long long)id);
		return rc > 0 ? 0 : -1;
	}
	rc = 0;
	if (!store_strs_has(a.feeds, a.nfeeds, w->sub->url)) {
		buf_reset(&w->feeds);
		if (buf_append(&w->feeds, a.feeds, store_strs_len(a.feeds, a.nfeeds)) ||
		    buf_append(&w->feeds, w->sub->url, strlen(w->sub->url) + 1)) {
			rc = -1;
			goto out;
		}
		a.feeds = w->feeds.data;
		a.nfeeds++;
		a.updated = w->now;
		rc = store_article_put(w->t, &a);
	} else if (e->updated != NF_TIME_NONE && e->updated > a.updated && p->title_len &&
	           strcmp(a.title ? a.title : "", p->title) != 0) {
		a.title = p->title;
		a.updated = e->updated;
		rc = store_article_put(w->t, &a);
	}
	w->stats->updated++;
out:
	store_article_release(&a);
	return rc;
}

/*
 * store_entry(w, e, pe): store entry ${e}, prepared as ${pe} (NULL: not
 * prepared; prepare.h).  Whether it is new is decided here, with this
 * transaction; what was not prepared is prepared here, with this thread's
 * vocabulary and stemmer.  ${pe} is only read, so a retried transaction
 * reuses it.
 */
static int
store_entry(struct work *w, const struct feed_entry *e, const struct prep_entry *pe)
{
	const struct prep_entry *p = pe;
	struct nf_term terms[CLUSTER_ARTICLE_TERMS];
	struct store_article a;
	uint32_t sig[STORE_SIG_FULL + STORE_SIG_LEAD];
	uint64_t id = 0;
	int i, rc;

	if (p == NULL || p->state == PREP_NONE) {
		if (prep_keys(&w->prep, w->sub, w->doc_url, e, &w->inl))
			return -1;
		p = &w->inl;
	}
	if (p->nkeys == 0) {
		w->stats->skipped++;
		return 0;
	}
	for (i = 0; i < p->nkeys; i++) {
		rc = store_key_get(w->t, p->keys[i], &id);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
	}
	if (i < p->nkeys) {
		for (i = 0; i < p->nkeys; i++)
			if (store_key_put(w->t, p->keys[i], id))
				return -1;
		return update_article(w, id, e, p);
	}

	/* a new article.  The candidate index is readied by the first one (a
	 * feed that brings none, a 304 or old items, never builds it), before
	 * its id is taken: the index catches up to the ids given so far */
	if (!w->ix_begun) {
		if (cluster_index_begin(w->t, w->ix, w->now)) {
			nf_log(NF_LOG_ERR, "%s: building the candidate index failed", w->sub->url);
			return -1;
		}
		w->ix_begun = 1;
	}
	memset(&a, 0, sizeof(a));
	if (store_next_id(w->t, "article", &a.id))
		return -1;
	if (p->state != PREP_FULL) {
		/* known when it was prepared (since removed), or its preparing
		 * failed: prepared now, from its text again */
		if (p != &w->inl && prep_keys(&w->prep, w->sub, w->doc_url, e, &w->inl))
			return -1;
		if (prep_full(&w->prep, w->sub, &w->inl))
			return -1;
		p = &w->inl;
	}
	if (cluster_df_add(w->t, w->df, &p->raw) ||
	    cluster_weigh(w->t, w->df, &p->raw, terms, &a.nterms))
		return -1;
	a.terms = terms;
	if (p->nsig)
		memcpy(sig, p->sig, p->nsig * sizeof(*sig));
	a.sig = sig;
	a.nsig = p->nsig;
	a.flags = p->sig_flags;
	a.simhash = p->simhash;
	a.feeds = w->sub->url;
	a.nfeeds = 1;
	a.guid = e->id;
	a.url = p->canon ? p->canon : e->link;
	a.title = p->title;
	a.outlet = p->outlet;
	a.summary = p->summary;
	a.published = e->published != NF_TIME_NONE ? e->published : e->updated;
	a.first_seen = w->now;
	a.updated = w->now;
	rc = cluster_assign(w->t, w->ix, &w->opts->cluster, &a, p->lead_probe, !w->sub->cluster);
	if (rc == CLUSTER_BOILERPLATE) {
		/* its text is its outlet's boilerplate: it is judged, and its
		 * terms kept, by its title alone */
		if (cluster_weigh(w->t, w->df, &p->title_raw, terms, &a.nterms))
			return -1;
		a.flags |= STORE_TEXT_BOILERPLATE;
		rc = cluster_assign(w->t, w->ix, &w->opts->cluster, &a, p->lead_probe,
		                    !w->sub->cluster);
	}
	if (rc || store_article_put(w->t, &a))
		return -1;
	for (i = 0; i < p->nkeys; i++)
		if (store_key_put(w->t, p->keys[i], a.id))
			return -1;
	w->stats->added++;
	return 0;
}

/* A copy of the fields of a feed record that outlive writes. */
struct old_feed {
	char *title, *etag, *last_modified, *moved_to;
	uint32_t failures;
	uint64_t articles;
	int64_t last_ok;
	int found;
};

static void
old_feed_release(struct old_feed *o)
{
	free(o->title);
	free(o->etag);
	free(o->last_modified);
	free(o->moved_to);
	memset(o, 0, sizeof(*o));
}

static int
old_feed_get(struct store_txn *t, const char *url, struct old_feed *o)
{
	struct store_feed f;
	int rc;

	memset(o, 0, sizeof(*o));
	o->last_ok = NF_TIME_NONE;
	if ((rc = store_feed_get(t, url, &f)) < 0)
		return -1;
	if (rc > 0)
		return 0;
	o->found = 1;
	o->title = nf_strdup(f.title);
	o->etag = nf_strdup(f.etag);
	o->last_modified = nf_strdup(f.last_modified);
	o->moved_to = nf_strdup(f.moved_to);
	o->failures = f.failures;
	o->articles = f.articles;
	o->last_ok = f.last_ok;
	return 0;
}

/*
 * next_poll(t, o, sub, now, failures, res, doc): the next poll of ${sub}
 * (see fetch/schedule.h), with the hints of its body (remembered for the
 * 304s that carry none), and the host's wait after a 429 or 503 with
 * Retry-After.  -1 on a store error.
 */
static int
next_poll(struct store_txn *t, const struct ingest_opts *o, const struct feed_sub *sub,
          int64_t now, uint32_t failures, const struct fetch_res *res,
          const struct feed_doc *doc, int64_t *out)
{
	struct sched_opts so;
	struct sched_hints h;
	char *host;
	int rc = 0;

	sched_opts_init(&so);
	so.interval = o->interval;
	so.min_interval = o->min_interval;
	so.max_interval = o->max_interval;
	so.max_backoff = o->max_backoff;
	sched_hints_init(&h);
	if (doc) {
		h.ttl = doc->feed.ttl > 0 ? doc->feed.ttl * 60 : -1;
		h.skip_hours = doc->feed.skip_hours;
		h.skip_days = doc->feed.skip_days;
		rc = hostwait_hints_put(t, sub->url, &h);
	} else if (res->status == FETCH_NOT_MODIFIED) {
		hostwait_hints_get(t, sub->url, &h);
	}
	h.max_age = res->max_age;
	h.retry_after = res->retry_after;
	if (res->retry_after >= 0 && (res->http_status == 429 || res->http_status == 503)) {
		host = fetch_host_of(res->effective_url ? res->effective_url : sub->url);
		if (host && hostwait_set(t, host, now + (res->retry_after < o->max_backoff
		                                         ? res->retry_after : o->max_backoff)))
			rc = -1;
		free(host);
	}
	*out = sched_next(&so, sub->url, sub->interval, now, failures, &h);
	return rc;
}

static int
ingest_once(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
            const struct fetch_res *res, const struct ingest_prepared *pf,
            struct ingest_stats *stats, int *map_full, struct nf_err *err)
{
	const struct feed_doc *doc = pf->doc;
	const char *doc_error = pf->doc_error;
	struct work w;
	struct old_feed old;
	struct store_feed f;
	size_t i;
	int failed;

	*map_full = 0;
	memset(stats, 0, sizeof(*stats));
	work_init(&w, opts->cache, opts);
	w.opts = opts;
	w.sub = sub;
	w.now = nf_now();
	w.stats = stats;
	w.doc_url = res->effective_url ? res->effective_url : sub->url;
	if (w.vocab == NULL || w.df == NULL || w.ix == NULL) {
		nf_err_set(err, "out of memory");
		goto err0;
	}
	if ((w.t = store_begin(s, 1, err)) == NULL)
		goto err0;
	if (cluster_df_begin(w.t, w.df)) {
		nf_err_set(err, "reading term statistics failed");
		goto err1;
	}
	if (old_feed_get(w.t, sub->url, &old)) {
		nf_err_set(err, "reading the feed's record failed");
		goto err1;
	}
	failed = res->status == FETCH_ERROR || res->status == FETCH_GONE || doc_error;
	if (doc) {
		stats->entries = (uint32_t)doc->nentries;
		for (i = 0; i < doc->nentries; i++)
			if (store_entry(&w, &doc->entries[i], pf->ent ? &pf->ent[i] : NULL)) {
				nf_err_set(err, "storing entry %zu failed%s", i + 1,
				           store_txn_map_full(w.t) ? " (map full)" : "");
				goto err2;
			}
		if (cluster_df_flush(w.t, w.df)) {
			nf_err_set(err, "storing term statistics failed");
			goto err2;
		}
	}
	store_feed_init(&f, sub->url);
	f.title = sub->title ? sub->title
	          : (doc && doc->feed.title) ? doc->feed.title : old.title;
	switch (res->status) {
	case FETCH_OK:
		f.status = doc_error ? FEED_ERROR : FEED_OK;
		break;
	case FETCH_NOT_MODIFIED:
		f.status = FEED_NOT_MODIFIED;
		break;
	case FETCH_GONE:
		f.status = FEED_GONE;
		break;
	default:
		f.status = FEED_ERROR;
	}
	f.http_status = res->http_status;
	f.error = res->error ? res->error : doc_error;
	if (f.error == NULL && doc && !doc->wellformed && doc->error)
		f.error = doc->error; /* recovered: kept as a warning, status stays ok */
	f.failures = failed ? old.failures + 1 : 0;
	f.last_poll = w.now;
	f.last_ok = failed ? old.last_ok : w.now;
	f.next_poll = NF_TIME_NONE; /* a gone feed is not polled again */
	if (f.status != FEED_GONE &&
	    next_poll(w.t, opts, sub, w.now, f.failures, res, doc, &f.next_poll)) {
		nf_err_set(err, "writing the feed's schedule failed");
		goto err2;
	}
	f.etag = res->status == FETCH_OK && !doc_error ? res->etag : old.etag;
	f.last_modified = res->status == FETCH_OK && !doc_error ? res->last_modified
	                  : old.last_modified;
	if (res->status == FETCH_NOT_MODIFIED) {
		if (res->etag)
			f.etag = res->etag;
		if (res->last_modified)
			f.last_modified = res->last_modified;
	}
	f.moved_to = res->moved_to ? res->moved_to : old.moved_to;
	f.articles = old.articles + stats->added;
	stats->failed = failed;
	if (store_feed_put(w.t, &f)) {
		nf_err_set(err, "writing the feed's record failed");
		goto err2;
	}
	old_feed_release(&old);
	if (store_commit(w.t, map_full, err)) {
		cluster_df_abort(w.df); /* it counted what was not stored */
		cluster_index_abort(w.ix);
		work_release(&w);
		return -1;
	}
	cluster_df_commit(w.df);
	cluster_index_commit(w.ix);
	work_release(&w);
	return 0;
err2:
	old_feed_release(&old);
err1:
	*map_full = store_txn_map_full(w.t);
	store_abort(w.t);
	cluster_df_abort(w.df);
	cluster_index_abort(w.ix);
err0:
	work_release(&w);
	return -1;
}

int
ingest_store(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
             const struct fetch_res *res, const struct ingest_prepared *pf,
             struct ingest_stats *stats, struct nf_err *err)
{
	int tries, map_full = 0, rc = -1;

	for (tries = 0; tries < 8; tries++) {
		rc = ingest_once(s, opts, sub, res, pf, stats, &map_full, err);
		if (rc == 0 || !map_full)
			break;
		if (store_grow(s, err))
			break;
	}
	return rc;
}

int
ingest_feed(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
            const struct fetch_res *res, struct ingest_stats *stats, struct nf_err *err)
{
	struct ingest_prepared *pf;
	int rc;

	/* parsed only: each entry is prepared as it is stored */
	if (ingest_prepare(NULL, NULL, sub, res, &pf, err))
		return -1;
	rc = ingest_store(s, opts, sub, res, pf, stats, err);
	ingest_prepared_free(pf);
	return rc;
}

void
ingest_plan_release(struct ingest_plan *p)
{
	free(p->url);
	free(p->etag);
	free(p->last_modified);
	free(p->error);
	memset(p, 0, sizeof(*p));
}

int
ingest_plan(struct store *s, const struct feed_sub *sub, int64_t now, int force,
            struct ingest_plan *p)
{
	struct store_txn *t;
	struct store_feed f;
	char *host;
	int64_t wait;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((t = store_begin(s, 0, NULL)) == NULL)
		return -1;
	rc = store_feed_get(t, sub->url, &f);
	if (rc == 0) {
		p->url = nf_strdup(f.moved_to ? f.moved_to : sub->url);
		p->etag = nf_strdup(f.etag);
		p->last_modified = nf_strdup(f.last_modified);
		p->error = nf_strdup(f.error);
		p->failures = f.failures;
		p->status = f.status;
		p->when = f.status == FEED_GONE ? NF_TIME_NONE
		          : f.next_poll == NF_TIME_NONE ? 0 : f.next_poll;
	} else {
		/* never polled; or its record does not decode: polled as if
		 * new, and the record written anew */
		if (rc == STORE_CORRUPT)
			nf_log(NF_LOG_WARNING, "%s: its stored state does not decode: polled as a "
			       "new feed", sub->url);
		p->url = nf_strdup(sub->url);
		p->when = 0;
	}
	/* a host that asked us to wait (429/503 Retry-After) waits for all its feeds */
	if (rc >= 0 && p->url && p->when != NF_TIME_NONE &&
	    (host = fetch_host_of(p->url)) != NULL) {
		if ((wait = hostwait_get(t, host)) > now && wait > p->when)
			p->when = wait;
		free(host);
	}
	store_abort(t);
	if (rc < 0 || p->url == NULL) {
		ingest_plan_release(p);
		return -1;
	}
	p->due = force || (p->when != NF_TIME_NONE && p->when <= now);
	return 0;
}

int
ingest_due(struct store *s, const struct feed_sub *sub, int64_t now, int force, char **url,
           char **etag, char **last_modified)
{
	struct ingest_plan p;
	int due;

	*url = *etag = *last_modified = NULL;
	if (ingest_plan(s, sub, now, force, &p))
		return -1;
	due = p.due;
	*url = p.url;
	*etag = p.etag;
	*last_modified = p.last_modified;
	p.url = p.etag = p.last_modified = NULL;
	ingest_plan_release(&p);
	return due;
}

int
ingest_cache_pending(const struct ingest_cache *c)
{
	return c && cluster_df_pending(c->df);
}

int
ingest_cache_flush(struct store *s, struct ingest_cache *c, struct nf_err *err)
{
	struct store_txn *t;
	int tries, map_full = 0;

	if (c == NULL)
		return 0;
	for (tries = 0; tries < 8; tries++) {
		if ((t = store_begin(s, 1, err)) == NULL)
			return -1;
		if (cluster_df_begin(t, c->df) || cluster_df_settle(t, c->df)) {
			map_full = store_txn_map_full(t);
			store_abort(t);
			cluster_df_abort(c->df);
			nf_err_set(err, "storing term statistics failed%s", map_full ? " (map full)" : "");
		} else if (store_commit(t, &map_full, err)) {
			cluster_df_abort(c->df);
		} else {
			cluster_df_commit(c->df);
			return 0;
		}
		if (!map_full || store_grow(s, err))
			break;
	}
	return -1;
}
