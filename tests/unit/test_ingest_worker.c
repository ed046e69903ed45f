/* Unit tests of pkg/ingest/worker.c: storing on a thread of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "ingest/prepare.h"
#include "ingest/worker.h"
#include "normalise/normalise.h"

static char dir[64];
static struct store *st;

static int
setup(void **state)
{
	struct nf_err err = {{0}};

	snprintf(dir, sizeof(dir), "/tmp/nf-worker.XXXXXX");
	assert_non_null(mkdtemp(dir));
	if ((st = store_open(dir, 0, &err)) == NULL)
		fail_msg("%s", err.msg);
	nf_now_set(1590800000); /* 2020-05-30: the stream's articles are recent */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	nf_now_set(0);
	return system(cmd);
}

static char *
feed(int k)
{
	char *s = malloc(1024);

	snprintf(s, 1024,
	         "<rss version=\"2.0\"><channel><title>F%d</title>"
	         "<item><guid>g%d</guid><link>https://example.org/%d</link>"
	         "<title>Story number %d about harbour cranes</title>"
	         "<description>Text %d.</description></item></channel></rss>",
	         k, k, k, k, k);
	return s;
}

struct seen {
	int order[64];
	int n, added, failed;
};

static void
collect(const struct ingest_outcome *o, void *ctx)
{
	struct seen *s = ctx;

	s->order[s->n++] = (int)(intptr_t)o->user;
	s->added += (int)o->stats->added;
	s->failed += o->stats->failed;
	assert_int_equal(o->rc, 0);
}

static void
push(struct ingest_worker *w, int k, const char *body)
{
	struct feed_sub sub = {0};
	struct fetch_res res = {0};
	char url[64];

	snprintf(url, sizeof(url), "https://f%d.example/rss", k);
	sub.url = url;
	sub.cluster = 1;
	res.status = body ? FETCH_OK : FETCH_ERROR;
	res.http_status = body ? 200 : 500;
	res.body = body;
	res.len = body ? strlen(body) : 0;
	res.error = body ? NULL : "HTTP 500 Internal Server Error";
	res.retry_after = res.max_age = -1;
	assert_int_equal(ingest_worker_push(w, &sub, &res, (void *)(intptr_t)k), 0);
}

static void
every_pushed_feed_is_stored_and_reported_in_order(void **state)
{
	struct ingest_opts io;
	struct ingest_worker *w;
	struct seen s = {{0}, 0, 0, 0};
	int k;

	ingest_opts_init(&io, NULL);
	assert_non_null(w = ingest_worker_new(st, &io, 4096, NULL));
	for (k = 0; k < 20; k++) {
		char *body = k == 7 ? NULL : feed(k);
		push(w, k, body); /* the worker owns a copy: the caller's goes */
		free(body);
		ingest_worker_collect(w, 0, collect, &s);
	}
	ingest_worker_collect(w, 1, collect, &s);
	assert_int_equal(ingest_worker_pending(w), 0);
	ingest_worker_free(w, 0);
	assert_int_equal(s.n, 20);
	for (k = 0; k < 20; k++)
		assert_int_equal(s.order[k], k);
	assert_int_equal(s.added, 19);
	assert_int_equal(s.failed, 1);
}

/*
 * The worker's cache writes document frequencies in batches; a worker
 * left idle writes what it holds back, so that the store's counts (what
 * another process reads, or the next poll starts from) do not wait for
 * the process to end.
 */
static void
an_idle_worker_writes_the_counts_it_holds_back(void **state)
{
	struct ingest_opts io;
	struct ingest_worker *w;
	struct seen s = {{0}, 0, 0, 0};
	struct store_txn *t;
	uint64_t ndocs = 0, through = 0;
	int k, tries;

	ingest_opts_init(&io, NULL);
	assert_non_null(w = ingest_worker_new(st, &io, 0, NULL));
	for (k = 0; k < 3; k++) {
		char *body = feed(k);
		push(w, k, body);
		free(body);
	}
	ingest_worker_collect(w, 1, collect, &s);
	assert_int_equal(s.added, 3);
	/* three articles are no batch: the idle worker writes them within a
	 * few seconds (without the idle write, only when it stops) */
	for (tries = 0; tries < 100 && ndocs == 0; tries++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		assert_non_null(t = store_begin(st, 0, NULL));
		ndocs = store_counter(t, "ndocs");
		through = store_df_through(t);
		store_abort(t);
		if (ndocs == 0)
			nanosleep(&ts, NULL);
	}
	assert_int_equal(ndocs, 3);
	assert_int_equal(through, 4);
	ingest_worker_free(w, 0);
}

/* ---- the pipeline stores what one call at a time stores ---- */

static const char *const common[] = {
	"the", "officials", "said", "on", "Friday", "after", "a", "meeting", "in", "city",
	"report", "according", "to", "people", "familiar", "with", "matter", "week", "new",
	"plan", "government", "spokesman", "statement", "late", "Thursday", "local", "time",
};

/* each event's own words: articles of one event share them */
static const char *const events[][10] = {
	{"Minneapolis", "protesters", "police", "station", "fire", "National", "Guard", "curfew",
	 "Floyd", "unrest"},
	{"Hong", "Kong", "security", "law", "Beijing", "autonomy", "legislature", "parliament",
	 "critics", "China"},
	{"zookeeper", "lion", "Shoalhaven", "mauled", "injuries", "neck", "enclosure", "keeper",
	 "hospital", "zoo"},
	{"Twitter", "executive", "order", "fact-check", "platforms", "liability", "speech",
	 "Section", "tweets", "moderation"},
	{"SpaceX", "astronauts", "launch", "Falcon", "capsule", "Crew", "Dragon", "orbit",
	 "Kennedy", "NASA"},
	{"vaccine", "trial", "volunteers", "doses", "antibodies", "researchers", "Oxford",
	 "immune", "phase", "results"},
};
#define NEVENTS ((int)NF_ARRAY_LEN(events))

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

/* article_xml(b, k, guid, link, title, body): item number ${k} of the
 * generated stream (what each part holds depends on ${k} alone). */
static void
article_xml(struct buf *b, int k, int guid, int link, int title, int body)
{
	int ev = k % NEVENTS, i, n;
	uint32_t x = (uint32_t)k * 2654435761u + 7;

	buf_puts(b, "<item>");
	if (guid)
		buf_printf(b, "<guid isPermaLink=\"false\">item-%d</guid>", k);
	if (link) /* tracking parameters: canonical URLs fold them */
		buf_printf(b, "<link>https://www.news%d.example/story/%d?utm_source=rss</link>",
		           k % 4, k);
	if (title) {
		buf_puts(b, "<title>");
		for (i = 0; i < 7; i++)
			buf_printf(b, "%s%s", i ? " " : "", events[ev][lcg(&x) % 10]);
		buf_puts(b, "</title>");
	}
	if (body) {
		buf_puts(b, "<description>&lt;p&gt;");
		if (k % 5 == 3) { /* wire copy: the same text as the event's first article */
			buf_puts(b, "LONDON (Wire) -- ");
			x = (uint32_t)ev * 2654435761u + 7;
		}
		n = 40 + (int)(lcg(&x) % 20);
		for (i = 0; i < n; i++)
			buf_printf(b, "%s%s", i ? " " : "",
			           lcg(&x) % 3 ? events[ev][lcg(&x) % 10]
			                       : common[lcg(&x) % NF_ARRAY_LEN(common)]);
		buf_puts(b, ".&lt;/p&gt;</description>");
	}
	buf_printf(b, "<pubDate>%s, %02d May 2020 %02d:%02d:00 GMT</pubDate></item>",
	           k % 3 ? "Fri" : "Thu", k % 3 ? 29 : 28, k % 24, k % 60);
}

/*
 * stream_feed(f): the body of feed number ${f} of the generated stream:
 * six items, the last two the next feed's first two (one URL in two feeds,
 * other guids); every fifth feed is the one before it polled again; some
 * items have no title (their first words stand for one), no guid and no
 * link (known by title and date), nothing at all (skipped), or come twice.
 */
static char *
stream_feed(int f)
{
	struct buf b;
	int j, k;

	if (f % 5 == 4)
		f--;
	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Stream</title>");
	for (j = 0; j < 6; j++) {
		k = f * 4 + j;
		article_xml(&b, k, j < 4, 1, k % 7 != 2, 1);
	}
	if (f % 3 == 0)
		article_xml(&b, 1000 + f, 0, 0, 1, 1); /* no guid, no link */
	if (f % 4 == 1)
		article_xml(&b, 2000 + f, 0, 0, 0, 0); /* nothing to know it by */
	if (f % 6 == 2)
		article_xml(&b, f * 4, 1, 1, 1, 1);    /* its first item again */
	buf_puts(&b, "</channel></rss>");
	return buf_detach(&b);
}

#define NSTREAM 24

/* stream_res(f, body, sub, res, url): feed ${f}: fetched (${body}), a 304,
 * a server error, or a page that is not a feed. */
static void
stream_res(int f, const char *body, struct feed_sub *sub, struct fetch_res *res, char *url,
           size_t urlsz)
{
	snprintf(url, urlsz, "https://feeds%d.example/rss", f % 5 == 4 ? f - 1 : f);
	memset(sub, 0, sizeof(*sub));
	memset(res, 0, sizeof(*res));
	sub->url = url;
	sub->cluster = f != 10; /* one feed opted out of clustering */
	res->retry_after = res->max_age = -1;
	res->status = FETCH_OK;
	res->http_status = 200;
	if (f == 7) {
		res->status = FETCH_NOT_MODIFIED;
		res->http_status = 304;
	} else if (f == 13) {
		res->status = FETCH_ERROR;
		res->http_status = 503;
		res->error = "HTTP 503 Service Unavailable";
	} else if (f == 17) {
		body = "<html><body><p>Moved to our new site</p></body></html>";
	}
	if (res->status == FETCH_OK) {
		res->body = body;
		res->len = strlen(body);
	}
}

/* put_strs(b, s, n): ${n} NUL-terminated strings, a space after each */
static void
put_strs(struct buf *b, const char *s, uint32_t n)
{
	for (; n > 0; n--, s += strlen(s) + 1)
		buf_printf(b, "%s ", s);
}

/* dump(s): every article and story record of ${s}, field by field, and
 * the document frequencies of their terms, as text (the caller frees it). */
struct dumping {
	struct buf *b;
	struct store_txn *t;
};

static int
dump_article(const struct store_article *a, void *ctx)
{
	struct dumping *d = ctx;
	struct buf *b = d->b;
	uint32_t i;

	buf_printf(b, "article %llu story %llu copy %llu tier %u sim %a with %llu\n",
	           (unsigned long long)a->id, (unsigned long long)a->story,
	           (unsigned long long)a->copy_of, a->tier, a->sim, (unsigned long long)a->sim_with);
	put_strs(b, a->feeds, a->nfeeds);
	buf_printf(b, "\n%u guid %s url %s title %s outlet %s summary %s\n", a->nfeeds,
	           a->guid ? a->guid : "-", a->url ? a->url : "-", a->title ? a->title : "-",
	           a->outlet ? a->outlet : "-", a->summary ? a->summary : "-");
	buf_printf(b, "times %lld %lld %lld simhash %016llx\n", (long long)a->published,
	           (long long)a->first_seen, (long long)a->updated, (unsigned long long)a->simhash);
	for (i = 0; i < a->nterms; i++)
		buf_printf(b, "%016llx:%a:%u ", (unsigned long long)a->terms[i].h, a->terms[i].w,
		           store_df(d->t, a->terms[i].h));
	buf_putc(b, '\n');
	for (i = 0; i < a->nsig; i++)
		buf_printf(b, "%08x ", a->sig[i]);
	buf_putc(b, '\n');
	return 0;
}

struct ids {
	uint64_t v[4096];
	size_t n;
};

static int
story_id(uint64_t id, int64_t last_seen, void *ctx)
{
	struct ids *ids = ctx;

	assert_true(ids->n < NF_ARRAY_LEN(ids->v));
	ids->v[ids->n++] = id;
	return 0;
}

static char *
dump(struct store *s)
{
	static struct ids ids;
	struct store_txn *t = store_begin(s, 0, NULL);
	struct store_story y;
	struct buf b;
	size_t i;
	uint32_t k;

	struct dumping d = {&b, t};

	assert_non_null(t);
	buf_init(&b, 0);
	buf_printf(&b, "documents %llu\n", (unsigned long long)store_counter(t, "ndocs"));
	assert_int_equal(store_article_each(t, dump_article, &d), 0);
	ids.n = 0;
	assert_int_equal(store_stories_newest(t, INT64_MIN, story_id, &ids), 0);
	for (i = 0; i < ids.n; i++) {
		assert_int_equal(store_story_get(t, ids.v[i], &y), 0);
		buf_printf(&b, "story %llu rep %llu times %lld %lld title %s articles",
		           (unsigned long long)y.id, (unsigned long long)y.rep,
		           (long long)y.first_seen, (long long)y.last_seen, y.title ? y.title : "-");
		for (k = 0; k < y.narticles; k++)
			buf_printf(&b, " %llu", (unsigned long long)y.articles[k]);
		buf_putc(&b, '\n');
		put_strs(&b, y.outlets, y.noutlets);
		for (k = 0; k < y.ncentroid; k++)
			buf_printf(&b, "%016llx:%a ", (unsigned long long)y.centroid[k].h,
			           y.centroid[k].w);
		buf_putc(&b, '\n');
		store_story_release(&y);
	}
	store_abort(t);
	return buf_detach(&b);
}

static struct store *
open_temp(char *d, size_t dsz, unsigned flags)
{
	struct nf_err err = {{0}};
	struct store *s;

	snprintf(d, dsz, "/tmp/nf-worker2.XXXXXX");
	assert_non_null(mkdtemp(d));
	if ((s = store_open(d, flags, &err)) == NULL)
		fail_msg("%s", err.msg);
	return s;
}

static void
close_temp(struct store *s, const char *d)
{
	char cmd[128];

	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

struct tally {
	int n, added, updated, skipped, failed;
};

static void
tally(const struct ingest_outcome *o, void *ctx)
{
	struct tally *t = ctx;

	if (o->rc)
		fail_msg("%s: %s", o->sub->url, o->error);
	assert_int_equal((int)(intptr_t)o->user, t->n);
	t->n++;
	t->added += (int)o->stats->added;
	t->updated += (int)o->stats->updated;
	t->skipped += (int)o->stats->skipped;
	t->failed += o->stats->failed;
}

static void
assert_same_text(const char *a, const char *b)
{
	size_t i;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		;
	if (a[i] != b[i])
		fail_msg("stores differ at byte %zu: \"%.80s\" vs \"%.80s\"", i, a + i, b + i);
}

static void
the_pipeline_stores_what_one_call_at_a_time_stores(void **state)
{
	char d2[64], url[64];
	struct store *seq = open_temp(d2, sizeof(d2), 0);
	struct ingest_cache *cache = ingest_cache_new();
	struct ingest_opts io;
	struct ingest_worker *w;
	struct ingest_stats stats;
	struct feed_sub sub;
	struct fetch_res res;
	struct nf_err err = {{0}};
	struct tally piped = {0}, one = {0};
	char *a, *b, *body;
	int f;

	assert_non_null(cache);
	ingest_opts_init(&io, NULL);
	/* a small queue: the fetch loop waits for room now and then */
	assert_non_null(w = ingest_worker_new(st, &io, 8192, NULL));
	for (f = 0; f < NSTREAM; f++) {
		body = stream_feed(f);
		stream_res(f, body, &sub, &res, url, sizeof(url));
		assert_int_equal(ingest_worker_push(w, &sub, &res, (void *)(intptr_t)f), 0);
		free(body);
		ingest_worker_collect(w, 0, tally, &piped);
	}
	ingest_worker_collect(w, 1, tally, &piped);
	ingest_worker_free(w, 0);

	io.cache = cache;
	for (f = 0; f < NSTREAM; f++) {
		body = stream_feed(f);
		stream_res(f, body, &sub, &res, url, sizeof(url));
		if (ingest_feed(seq, &io, &sub, &res, &stats, &err))
			fail_msg("ingest_feed: %s", err.msg);
		one.added += (int)stats.added;
		one.updated += (int)stats.updated;
		one.skipped += (int)stats.skipped;
		one.failed += stats.failed;
		free(body);
	}
	if (ingest_cache_flush(seq, cache, &err))
		fail_msg("ingest_cache_flush: %s", err.msg);
	ingest_cache_free(cache);

	assert_int_equal(piped.n, NSTREAM);
	assert_int_equal(piped.added, one.added);
	assert_int_equal(piped.updated, one.updated);
	assert_int_equal(piped.skipped, one.skipped);
	assert_int_equal(piped.failed, one.failed);
	/* the stream covers what it means to: new, seen again, skipped, failed */
	assert_true(one.added > 60);
	assert_true(one.updated > 30);
	assert_true(one.skipped > 0);
	assert_int_equal(one.failed, 2);
	a = dump(st);
	b = dump(seq);
	assert_same_text(a, b);
	/* copies and stories of several articles were found, and articles
	 * listed under two feeds */
	assert_non_null(strstr(a, "tier 2"));
	assert_non_null(strstr(a, "tier 1"));
	assert_non_null(strstr(a, "\n2 guid"));
	free(a);
	free(b);
	close_temp(seq, d2);
}

/* ---- the two halves, apart ---- */

static struct ingest_prepared *
prepare_feed(struct ingest_preparer *p, struct store *s, int f, struct feed_sub *sub,
             struct fetch_res *res, char *url, size_t urlsz, char **body)
{
	struct ingest_prepared *pf;
	struct nf_err err = {{0}};

	*body = stream_feed(f);
	stream_res(f, *body, sub, res, url, urlsz);
	if (ingest_prepare(p, s, sub, res, &pf, &err))
		fail_msg("ingest_prepare: %s", err.msg);
	return pf;
}

static void
store_feed(struct store *s, int f, const struct ingest_prepared *pf, struct ingest_stats *stats)
{
	struct ingest_opts io;
	struct feed_sub sub;
	struct fetch_res res;
	struct nf_err err = {{0}};
	char url[64], *body = stream_feed(f);

	ingest_opts_init(&io, NULL);
	stream_res(f, body, &sub, &res, url, sizeof(url));
	if (pf ? ingest_store(s, &io, &sub, &res, pf, stats, &err)
	       : ingest_feed(s, &io, &sub, &res, stats, &err))
		fail_msg("storing feed %d: %s", f, err.msg);
	free(body);
}

static void
assert_same_stores(struct store *a, struct store *b)
{
	char *x = dump(a), *y = dump(b);

	assert_true(strlen(x) > 1000);
	assert_same_text(x, y);
	free(x);
	free(y);
}

/* Feed 0's last two items are feed 1's first two: stored by feed 1 after
 * feed 0 was prepared, they are found there and updated, not added. */
static void
an_entry_stored_between_prepare_and_store_is_updated_not_added(void **state)
{
	char d2[64], url[64], *body;
	struct store *seq = open_temp(d2, sizeof(d2), 0);
	struct ingest_preparer *p = ingest_preparer_new();
	struct ingest_prepared *pf;
	struct ingest_stats s;
	struct feed_sub sub;
	struct fetch_res res;

	assert_non_null(p);
	pf = prepare_feed(p, st, 0, &sub, &res, url, sizeof(url), &body);
	store_feed(st, 1, NULL, &s);
	store_feed(st, 0, pf, &s);
	assert_int_equal(s.added, 5); /* with its item known by title and date */
	assert_int_equal(s.updated, 2);
	ingest_prepared_free(pf);
	free(body);

	store_feed(seq, 1, NULL, &s);
	store_feed(seq, 0, NULL, &s);
	assert_same_stores(st, seq);
	ingest_preparer_free(p);
	close_temp(seq, d2);
}

/* Prepared while the store held its articles (keys only), stored after
 * retention removed them: the store prepares them in full itself. */
static void
an_entry_removed_between_prepare_and_store_is_prepared_in_full(void **state)
{
	char d2[64], url[64], *body;
	struct store *seq = open_temp(d2, sizeof(d2), 0);
	struct ingest_preparer *p = ingest_preparer_new();
	struct ingest_prepared *pf;
	struct ingest_stats s;
	struct feed_sub sub;
	struct fetch_res res;
	struct nf_err err = {{0}};

	assert_non_null(p);
	store_feed(st, 0, NULL, &s);
	store_feed(seq, 0, NULL, &s);
	assert_int_equal(s.added, 7);
	nf_now_set(nf_now() + 3600);
	pf = prepare_feed(p, st, 0, &sub, &res, url, sizeof(url), &body);
	if (store_expire(st, nf_now() - 60, 100, NULL, &err) ||
	    store_expire(seq, nf_now() - 60, 100, NULL, &err))
		fail_msg("store_expire: %s", err.msg);
	store_feed(st, 0, pf, &s);
	assert_int_equal(s.added, 7);
	assert_int_equal(s.updated, 0);
	ingest_prepared_free(pf);
	free(body);

	store_feed(seq, 0, NULL, &s);
	assert_same_stores(st, seq);
	ingest_preparer_free(p);
	close_temp(seq, d2);
}

/* A map too small for a feed: its transaction is redone on a grown map
 * with the entries prepared once, and stores what a roomy store does. */
static void
a_transaction_redone_on_a_grown_map_stores_the_prepared_feed_whole(void **state)
{
	char d1[64], d2[64], url[64], *body;
	struct store *tiny = open_temp(d1, sizeof(d1), STORE_TINY_MAP);
	struct store *seq = open_temp(d2, sizeof(d2), 0);
	struct ingest_preparer *p = ingest_preparer_new();
	struct ingest_prepared *pf;
	struct ingest_stats s;
	struct feed_sub sub;
	struct fetch_res res;
	int f;

	assert_non_null(p);
	for (f = 0; f < NSTREAM; f++) {
		/* no store to read: every entry prepared in full */
		pf = prepare_feed(p, NULL, f, &sub, &res, url, sizeof(url), &body);
		store_feed(tiny, f, pf, &s);
		ingest_prepared_free(pf);
		free(body);
		store_feed(seq, f, NULL, &s);
	}
	assert_same_stores(tiny, seq);
	ingest_preparer_free(p);
	close_temp(tiny, d1);
	close_temp(seq, d2);
}

/* ---- abandoning ---- */

static char *
six_items(int f)
{
	struct buf b;
	int j;

	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>S</title>");
	for (j = 0; j < 6; j++)
		article_xml(&b, 5000 + f * 6 + j, 1, 1, 1, 1);
	buf_puts(&b, "</channel></rss>");
	return buf_detach(&b);
}

struct per_feed {
	int articles[40];
};

static int
count_by_feed(const struct store_article *a, void *ctx)
{
	struct per_feed *pf = ctx;
	int f;

	assert_int_equal(a->nfeeds, 1);
	assert_int_equal(sscanf(a->feeds, "https://f%d.example/rss", &f), 1);
	pf->articles[f]++;
	return 0;
}

static void
abandoning_while_feeds_are_queued_commits_no_feed_in_part(void **state)
{
	struct ingest_opts io;
	struct ingest_worker *w;
	struct store_txn *t;
	struct store_feed f;
	struct per_feed n = {{0}};
	int k, stored = 0;

	ingest_opts_init(&io, NULL);
	assert_non_null(w = ingest_worker_new(st, &io, 0, NULL));
	for (k = 0; k < 40; k++) {
		char *body = six_items(k);
		push(w, k, body);
		free(body);
	}
	ingest_worker_free(w, 1);
	/* the feeds stored are the first ones pushed, each with all its
	 * articles; the others have neither record nor article */
	t = store_begin(st, 0, NULL);
	assert_int_equal(store_article_each(t, count_by_feed, &n), 0);
	for (k = 0; k < 40; k++) {
		char url[64];
		snprintf(url, sizeof(url), "https://f%d.example/rss", k);
		if (store_feed_get(t, url, &f) == 0) {
			assert_int_equal(stored, k);
			stored++;
			assert_int_equal(f.articles, 6);
			assert_int_equal(n.articles[k], 6);
		} else {
			assert_int_equal(n.articles[k], 0);
		}
	}
	store_abort(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_pushed_feed_is_stored_and_reported_in_order,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(an_idle_worker_writes_the_counts_it_holds_back,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(the_pipeline_stores_what_one_call_at_a_time_stores,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
			an_entry_stored_between_prepare_and_store_is_updated_not_added, setup, teardown),
		cmocka_unit_test_setup_teardown(
			an_entry_removed_between_prepare_and_store_is_prepared_in_full, setup, teardown),
		cmocka_unit_test_setup_teardown(
			a_transaction_redone_on_a_grown_map_stores_the_prepared_feed_whole, setup,
			teardown),
		cmocka_unit_test_setup_teardown(abandoning_while_feeds_are_queued_commits_no_feed_in_part,
		                                setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	norm_global_cleanup();
	xmlCleanupParser();
	return rc;
}
