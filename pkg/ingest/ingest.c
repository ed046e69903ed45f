#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "feed/feed.h"
#include "cluster/index.h"
#include "normalise/normalise.h"
#include "simhash/simhash.h"
#include "fetch/hostwait.h"
#include "fetch/schedule.h"
#include "base/banned.h"

#define SUMMARY_MAX 400     /* bytes of text kept per article */
#define TEXT_MAX (4u << 20) /* bytes of text normalised per field */

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

struct ingest_cache {
	struct norm_stemmer *stem;
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
	c->stem = norm_stemmer_new();
	c->df = cluster_df_new();
	if (c->stem == NULL || c->df == NULL) {
		ingest_cache_free(c);
		return NULL;
	}
	return c;
}

void
ingest_cache_free(struct ingest_cache *c)
{
	if (c == NULL)
		return;
	norm_stemmer_free(c->stem);
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
	struct buf title, body, fold, canon, outlet, feeds;
	struct norm_tokens ttok, btok;
	struct norm_stemmer *stem; /* the cache's, or owned when own_cache */
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
	buf_init(&w->title, TEXT_MAX);
	buf_init(&w->body, TEXT_MAX);
	buf_init(&w->fold, TEXT_MAX * 2);
	buf_init(&w->canon, 8192);
	buf_init(&w->outlet, 1024);
	buf_init(&w->feeds, 0);
	norm_tokens_init(&w->ttok);
	norm_tokens_init(&w->btok);
	w->own_cache = cache == NULL;
	w->stem = cache ? cache->stem : norm_stemmer_new();
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
	buf_release(&w->title);
	buf_release(&w->body);
	buf_release(&w->fold);
	buf_release(&w->canon);
	buf_release(&w->outlet);
	buf_release(&w->feeds);
	norm_tokens_release(&w->ttok);
	norm_tokens_release(&w->btok);
	if (w->own_cache) {
		norm_stemmer_free(w->stem);
		cluster_df_free(w->df);
		cluster_index_free(w->ix);
	}
}

/* text_of(s, type, out): the plain text of a feed value. */
static int
text_of(const char *s, enum feed_text_type type, struct buf *out)
{
	buf_reset(out);
	if (s == NULL)
		return 0;
	/* feeds put markup in values typed text too: parse them all as HTML
	 * (plain text takes norm_html_to_text's fast path) */
	(void)type;
	if (norm_html_to_text(s, strlen(s), out) == 0)
		return 0;
	/* over the cap: keep what fitted */
	return out->over ? 0 : -1;
}

static int
tokens_of(struct work *w, const struct buf *text, struct norm_tokens *tk)
{
	norm_tokens_release(tk);
	norm_tokens_init(tk);
	buf_reset(&w->fold);
	if (text->len == 0)
		return 0;
	if (norm_fold(text->data, text->len, &w->fold) && !w->fold.over)
		return -1;
	return norm_tokenise(buf_cstr(&w->fold), w->fold.len, tk);
}

/* utf8_cut(s, max): the length of the longest prefix of ${s} of at most
 * ${max} bytes that does not split a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}



/* An article seen before: add this feed to it, refresh its title. */
static int
update_article(struct work *w, uint64_t id, const struct feed_entry *e)
{
	struct store_article a;
	int rc;

	if ((rc = store_article_get(w->t, id, &a)))
		return rc > 0 ? 0 : -1;
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
	} else if (e->updated != NF_TIME_NONE && e->updated > a.updated && w->title.len &&
	           strcmp(a.title ? a.title : "", w->title.data) != 0) {
		a.title = w->title.data;
		a.updated = e->updated;
		rc = store_article_put(w->t, &a);
	}
	w->stats->updated++;
out:
	store_article_release(&a);
	return rc;
}

static int
ingest_entry(struct work *w, const struct feed_entry *e)
{
	unsigned char keys[3][17];
	int nkeys = 0, i, rc;
	uint64_t id = 0;
	const char *body_src = NULL;
	enum feed_text_type body_type = FEED_TEXT;
	struct cluster_terms raw = {0};
	struct cluster_names names = {0};
	struct nf_term terms[CLUSTER_ARTICLE_TERMS];
	struct store_article a;
	uint32_t sig[STORE_SIG_FULL + STORE_SIG_LEAD];
	char pub[24];

	/* text */
	if (text_of(e->title, e->title_type, &w->title))
		return -1;
	if (e->ncontent && e->content[0].value) {
		body_src = e->content[0].value;
		body_type = e->content[0].type;
	}
	if (e->summary && (body_src == NULL || strlen(e->summary) > strlen(body_src))) {
		body_src = e->summary;
		body_type = e->summary_type;
	}
	if (text_of(body_src, body_type, &w->body))
		return -1;
	buf_reset(&w->canon);
	if (e->link && norm_canon_url(e->link, w->doc_url, &w->canon))
		buf_reset(&w->canon);
	if (w->title.len == 0 && w->body.len) {
		/* an untitled item: its first words stand for a title */
		size_t n = utf8_cut(w->body.data, w->body.len, 80);
		buf_append(&w->title, w->body.data, n);
	}

	/* identity: guid, canonical URL, title + date */
	if (e->id && *e->id)
		store_key('g', w->sub->url, strlen(w->sub->url), e->id, strlen(e->id), keys[nkeys++]);
	if (w->canon.len)
		store_key('u', w->canon.data, w->canon.len, NULL, 0, keys[nkeys++]);
	if (nkeys == 0 && w->title.len) {
		/* only an item with neither guid nor link is known by title and date */
		snprintf(pub, sizeof(pub), "%lld", (long long)e->published);
		store_key('t', w->title.data, w->title.len, pub, strlen(pub), keys[nkeys++]);
	}
	if (nkeys == 0) {
		w->stats->skipped++;
		return 0;
	}
	for (i = 0; i < nkeys; i++) {
		rc = store_key_get(w->t, keys[i], &id);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
	}
	if (i < nkeys) {
		for (i = 0; i < nkeys; i++)
			if (store_key_put(w->t, keys[i], id))
				return -1;
		return update_article(w, id, e);
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
	if (tokens_of(w, &w->title, &w->ttok) || tokens_of(w, &w->body, &w->btok))
		goto err0;
	if (cluster_names_scan(w->body.data ? w->body.data : "", w->body.len, &names) ||
	    cluster_terms_build(&w->ttok, &w->btok, &names, w->stem, &raw) || cluster_df_add(w->t, w->df, &raw) ||
	    cluster_weigh(w->t, w->df, &raw, terms, &a.nterms))
		goto err1;
	a.terms = terms;
	{
		int nsig = cluster_fingerprint(w->btok.tok, w->btok.len, w->btok.n, sig, &a.simhash);
		if (nsig < 0)
			goto err1;
		a.sig = sig;
		a.nsig = (uint32_t)nsig;
	}
	buf_reset(&w->outlet);
	if (w->canon.len == 0 || norm_outlet(w->canon.data, &w->outlet) || w->outlet.len == 0) {
		buf_reset(&w->outlet);
		if (norm_outlet(w->sub->url, &w->outlet) || w->outlet.len == 0) {
			buf_reset(&w->outlet);
			buf_puts(&w->outlet, w->sub->title ? w->sub->title : w->sub->url);
		}
	}
	a.feeds = w->sub->url;
	a.nfeeds = 1;
	a.guid = e->id;
	a.url = w->canon.len ? w->canon.data : e->link;
	a.title = w->title.len ? w->title.data : NULL;
	a.outlet = buf_cstr(&w->outlet);
	{
		char *sum = w->body.len ? nf_strndup(w->body.data,
		                                     utf8_cut(w->body.data, w->body.len, SUMMARY_MAX))
		                        : NULL;
		a.summary = sum;
		a.published = e->published != NF_TIME_NONE ? e->published : e->updated;
		a.first_seen = w->now;
		a.updated = w->now;
		rc = cluster_assign(w->t, w->ix, &w->opts->cluster, &a, !w->sub->cluster);
		if (rc == 0)
			rc = store_article_put(w->t, &a);
		free(sum);
		if (rc)
			goto err1;
	}
	for (i = 0; i < nkeys; i++)
		if (store_key_put(w->t, keys[i], a.id))
			goto err1;
	w->stats->added++;
	cluster_terms_release(&raw);
	cluster_names_release(&names);
	return 0;
err1:
	cluster_terms_release(&raw);
	cluster_names_release(&names);
err0:
	return -1;
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
            const struct fetch_res *res, const struct feed_doc *doc, const char *doc_error,
            struct ingest_stats *stats, int *map_full, struct nf_err *err)
{
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
	if (w.stem == NULL || w.df == NULL || w.ix == NULL) {
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
			if (ingest_entry(&w, &doc->entries[i])) {
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
		cluster_df_forget(w.df); /* it counted what was not stored */
		cluster_index_abort(w.ix);
		work_release(&w);
		return -1;
	}
	cluster_index_commit(w.ix);
	work_release(&w);
	return 0;
err2:
	old_feed_release(&old);
err1:
	*map_full = store_txn_map_full(w.t);
	store_abort(w.t);
	cluster_df_forget(w.df);
	cluster_index_abort(w.ix);
err0:
	work_release(&w);
	return -1;
}

int
ingest_feed(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
            const struct fetch_res *res, struct ingest_stats *stats, struct nf_err *err)
{
	struct feed_doc *doc = NULL;
	struct feed_parse_opts po = {0};
	char derr[600];
	const char *doc_error = NULL;
	int tries, map_full = 0, rc = -1;

	if (res->status == FETCH_OK) {
		po.url = res->effective_url ? res->effective_url : sub->url;
		po.content_type = res->content_type;
		po.content_location = res->content_location;
		if ((doc = feed_parse(res->body ? res->body : "", res->len, &po, err)) == NULL) {
			nf_err_prefix(err, "parsing");
			return -1;
		}
		if (doc->format == NULL) {
			snprintf(derr, sizeof(derr), "%s", doc->error ? doc->error : "not a feed");
			doc_error = derr;
			feed_doc_free(doc);
			doc = NULL;
		}
	}
	for (tries = 0; tries < 8; tries++) {
		rc = ingest_once(s, opts, sub, res, doc, doc_error, stats, &map_full, err);
		if (rc == 0 || !map_full)
			break;
		if (store_grow(s, err))
			break;
	}
	feed_doc_free(doc);
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
