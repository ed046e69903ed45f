/* Unit tests of pkg/cluster/index: the clustering's in-memory candidate
 * index, over a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cluster/index.h"
#include "store/store.h"

#define T0 INT64_C(1700000000)
#define DAY INT64_C(86400)
#define NSIG (STORE_SIG_FULL + STORE_SIG_LEAD)
#define MAXTERMS 24
#define ANY_MIN INT64_MIN
#define ANY_MAX INT64_MAX

/* terms: COMMON is every article's heaviest, LIGHT every article's
 * lightest (never posted); uniq(i, k) belongs to article i alone */
#define COMMON UINT64_C(0xc0c0c0c0c0c0c0c1)
#define LIGHT UINT64_C(0x1717171717171717)
#define TWO UINT64_C(0x2222222222222222)
#define THREE UINT64_C(0x3333333333333333)
#define SEVEN UINT64_C(0x7777777777777777)
#define FOURTEEN UINT64_C(0x1414141414141414)
#define PAIR UINT64_C(0x7a7a7a7a7a7a7a7a)

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/nf-cindex.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct store *
open_store(const char *sub)
{
	struct nf_err err = {{0}};
	char path[128];
	struct store *s;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((s = store_open(path, 0, &err)) == NULL)
		fail_msg("store_open: %s", err.msg);
	return s;
}

static struct store_txn *
wtxn(struct store *s)
{
	struct store_txn *t = store_begin(s, 1, NULL);

	assert_non_null(t);
	return t;
}

static void
commit(struct store_txn *t)
{
	assert_int_equal(store_commit(t, NULL, NULL), 0);
}

/* ---- articles ----------------------------------------------------------- */

struct art {
	struct store_article a;
	struct nf_term terms[MAXTERMS];
	uint32_t sig[NSIG];
};

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
uniq(uint64_t i, uint64_t k)
{
	return UINT64_C(0x5100000000000000) | i << 16 | k;
}

static int
is_uniq(uint64_t term)
{
	return term >> 56 == 0x51;
}

static void
art_term(struct art *x, uint64_t h, float w)
{
	assert_true(x->a.nterms < MAXTERMS);
	x->terms[x->a.nterms].h = h;
	x->terms[x->a.nterms].w = w;
	x->a.nterms++;
}

/* art_init(x, i, story, first_seen, published): article number ${i} of a
 * test, with a random copy fingerprint drawn from ${i} and no terms. */
static void
art_init(struct art *x, uint64_t i, uint64_t story, int64_t first_seen, int64_t published)
{
	uint64_t seed = i * 7919 + 1;
	size_t k;

	memset(x, 0, sizeof(*x));
	x->a.story = story;
	x->a.feeds = "https://example.org/rss";
	x->a.nfeeds = 1;
	x->a.title = "a title";
	x->a.outlet = "example.org";
	x->a.published = published;
	x->a.first_seen = first_seen;
	x->a.updated = first_seen;
	x->a.tier = TIER_NEW;
	for (k = 0; k < NSIG; k++)
		x->sig[k] = (uint32_t)splitmix(&seed);
	x->a.nsig = NSIG;
}

/* art_std(x, i, story, first_seen, published): art_init() with COMMON and
 * 15 terms of its own posted (the 16 heaviest), then a term of its own
 * and LIGHT that are not. */
static void
art_std(struct art *x, uint64_t i, uint64_t story, int64_t first_seen, int64_t published)
{
	uint64_t k;

	art_init(x, i, story, first_seen, published);
	art_term(x, COMMON, 0.9f);
	for (k = 0; k < 15; k++)
		art_term(x, uniq(i, k), 0.5f - 0.01f * (float)k);
	art_term(x, uniq(i, 100), 0.05f);
	art_term(x, LIGHT, 0.01f);
}

static int
cmp_term_h(const void *pa, const void *pb)
{
	const struct nf_term *a = pa, *b = pb;

	return a->h < b->h ? -1 : a->h > b->h;
}

/* art_ready(x): terms sorted by hash and the record's pointers set. */
static void
art_ready(struct art *x)
{
	qsort(x->terms, x->a.nterms, sizeof(x->terms[0]), cmp_term_h);
	x->a.terms = x->terms;
	x->a.sig = x->a.nsig ? x->sig : NULL;
}

/* put(t, x): store ${x} under the next article id. */
static void
put(struct store_txn *t, struct art *x)
{
	art_ready(x);
	assert_int_equal(store_next_id(t, "article", &x->a.id), 0);
	assert_int_equal(store_article_put(t, &x->a), 0);
}

/* put_add(t, ix, x): store ${x} and tell the index, as clustering does. */
static void
put_add(struct store_txn *t, struct cluster_index *ix, struct art *x)
{
	put(t, x);
	assert_int_equal(cluster_index_add(t, ix, &x->a), 0);
}

/* keys(x, hash): the LSH bucket hashes of ${x}, from its signature. */
static int
keys(struct art *x, uint64_t hash[STORE_BANDS])
{
	uint8_t band[STORE_BANDS];
	uint32_t nsig = x->a.nsig;
	int n;

	x->a.nsig = NSIG; /* as if it had its fingerprint */
	x->a.sig = x->sig;
	n = store_band_keys(&x->a, band, hash, STORE_BANDS);
	x->a.nsig = nsig;
	x->a.sig = nsig ? x->sig : NULL;
	assert_int_equal(n, STORE_BANDS);
	return n;
}

static int64_t
time_of(const struct art *x)
{
	return store_article_time(&x->a);
}

/* ---- what the index answers --------------------------------------------- */

struct hit {
	uint64_t article, story;
	int64_t time;
};

struct hits {
	struct hit v[512];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int
collect(uint64_t article, uint64_t story, int64_t time, void *ctx)
{
	struct hits *h = ctx;

	assert_true(h->n < NF_ARRAY_LEN(h->v));
	h->v[h->n].article = article;
	h->v[h->n].story = story;
	h->v[h->n].time = time;
	h->n++;
	return h->stop_after && h->n >= h->stop_after;
}

static size_t
postings(const struct cluster_index *ix, uint64_t term, int64_t tmin, int64_t tmax,
         size_t limit, struct hits *h)
{
	h->n = 0;
	cluster_index_postings(ix, term, tmin, tmax, limit, collect, h);
	return h->n;
}

static size_t
bucket(const struct cluster_index *ix, uint64_t hash, int64_t tmin, int64_t tmax,
       struct hits *h)
{
	h->n = 0;
	cluster_index_bucket(ix, hash, tmin, tmax, collect, h);
	return h->n;
}

static const struct hit *
hit_of(const struct hits *h, uint64_t article)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].article == article)
			return &h->v[i];
	return NULL;
}

/* assert_hit(h, i, x): the ${i}th answer is article ${x}, its story and time. */
static void
assert_hit(const struct hits *h, size_t i, const struct art *x)
{
	assert_true(i < h->n);
	assert_int_equal(h->v[i].article, x->a.id);
	assert_int_equal(h->v[i].story, x->a.story);
	assert_int_equal(h->v[i].time, time_of(x));
}

/* assert_only(h, x): the one answer is article ${x}. */
static void
assert_only(const struct hits *h, const struct art *x)
{
	assert_int_equal(h->n, 1);
	assert_hit(h, 0, x);
}

/* assert_found(ix, x): ${x} is found, with its story and time, under each
 * of its own posted terms (uniq() ones of weight 0.1 and more), COMMON and
 * each of its buckets. */
static void
assert_found(const struct cluster_index *ix, struct art *x)
{
	uint64_t hash[STORE_BANDS];
	struct hits h = {0};
	const struct hit *p;
	int k, n;

	for (k = 0; k < (int)x->a.nterms; k++) {
		uint64_t term = x->terms[k].h;

		if (!is_uniq(term) || x->terms[k].w < 0.1f)
			continue; /* shared, or not posted */
		postings(ix, term, ANY_MIN, ANY_MAX, SIZE_MAX, &h);
		assert_only(&h, x);
	}
	postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h);
	assert_non_null(p = hit_of(&h, x->a.id));
	assert_int_equal(p->story, x->a.story);
	n = keys(x, hash);
	for (k = 0; k < n; k++) {
		bucket(ix, hash[k], ANY_MIN, ANY_MAX, &h);
		assert_non_null(p = hit_of(&h, x->a.id));
		assert_int_equal(p->story, x->a.story);
		assert_int_equal(p->time, time_of(x));
	}
}

/* assert_gone(ix, x): nothing of ${x} is in the index: not under its own
 * terms, posted or not, nor in its buckets (COMMON is left to the caller:
 * its id may be another article's). */
static void
assert_gone(const struct cluster_index *ix, struct art *x)
{
	uint64_t hash[STORE_BANDS];
	struct hits h = {0};
	int k, n;

	for (k = 0; k < (int)x->a.nterms; k++) {
		if (!is_uniq(x->terms[k].h))
			continue;
		assert_int_equal(postings(ix, x->terms[k].h, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	}
	/* a lookup may pass an entry of another bucket with the same check
	 * bits (cluster_index_bucket()): x itself must not be among them */
	n = keys(x, hash);
	for (k = 0; k < n; k++) {
		bucket(ix, hash[k], ANY_MIN, ANY_MAX, &h);
		assert_null(hit_of(&h, x->a.id));
	}
}

/* ---- postings ----------------------------------------------------------- */

#define NPOST 60

static void
postings_are_found_by_term_in_the_time_range_newest_first(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art *x = calloc(NPOST, sizeof(*x));
	struct hits h = {0};
	struct store_txn *t;
	size_t i, k, nu;

	assert_non_null(ix);
	assert_non_null(x);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + DAY), 0);
	for (i = 0; i < NPOST; i++) {
		/* published a minute apart; first seen a little later */
		art_init(&x[i], i, 1000 + i, T0 + 60 * (int64_t)i + 30, T0 + 60 * (int64_t)i);
		art_term(&x[i], COMMON, 0.9f);
		if (i < 2)
			art_term(&x[i], TWO, 0.8f);
		if (i < 3)
			art_term(&x[i], THREE, 0.8f);
		if (i < 7)
			art_term(&x[i], SEVEN, 0.8f);
		if (i < 14)
			art_term(&x[i], FOURTEEN, 0.8f);
		/* 16 posted in all: ~880 distinct terms, past the first table */
		nu = 15 - (i < 2) - (i < 3) - (i < 7) - (i < 14);
		for (k = 0; k < nu; k++)
			art_term(&x[i], uniq(i, k), 0.5f - 0.01f * (float)k);
		art_term(&x[i], uniq(i, 50), 0.05f); /* the 17th heaviest */
		art_term(&x[i], uniq(i, 51), 0.02f);
		art_term(&x[i], LIGHT, 0.01f);
		put_add(t, ix, &x[i]);
	}
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(cluster_index_articles(ix), NPOST);

	/* every article under the common term, newest first */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), NPOST);
	for (i = 0; i < NPOST; i++)
		assert_hit(&h, i, &x[NPOST - 1 - i]);
	/* terms of few postings */
	assert_int_equal(postings(ix, TWO, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 2);
	assert_hit(&h, 0, &x[1]);
	assert_hit(&h, 1, &x[0]);
	assert_int_equal(postings(ix, THREE, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 3);
	for (i = 0; i < 3; i++)
		assert_hit(&h, i, &x[2 - i]);
	assert_int_equal(postings(ix, TWO, ANY_MIN, time_of(&x[0]), SIZE_MAX, &h), 1);
	assert_hit(&h, 0, &x[0]);
	assert_int_equal(postings(ix, TWO, ANY_MIN, ANY_MAX, 1, &h), 1);
	assert_hit(&h, 0, &x[1]);
	assert_int_equal(postings(ix, SEVEN, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 7);
	for (i = 0; i < 7; i++)
		assert_hit(&h, i, &x[6 - i]);
	assert_int_equal(postings(ix, FOURTEEN, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 14);
	for (i = 0; i < 14; i++)
		assert_hit(&h, i, &x[13 - i]);
	/* each article under each of its own posted terms, and no other */
	for (i = 0; i < NPOST; i++) {
		nu = 15 - (i < 2) - (i < 3) - (i < 7) - (i < 14);
		for (k = 0; k < nu; k++) {
			postings(ix, uniq(i, k), ANY_MIN, ANY_MAX, SIZE_MAX, &h);
			assert_only(&h, &x[i]);
		}
		/* beyond the 16 heaviest: not posted */
		assert_int_equal(postings(ix, uniq(i, 50), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
		assert_int_equal(postings(ix, uniq(i, 51), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	}
	assert_int_equal(postings(ix, LIGHT, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	assert_int_equal(postings(ix, UINT64_C(0xdeadbeef), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);

	/* the time range is by published time, both ends included */
	assert_int_equal(postings(ix, COMMON, time_of(&x[10]), time_of(&x[20]), SIZE_MAX, &h), 11);
	for (i = 0; i < 11; i++)
		assert_hit(&h, i, &x[20 - i]);
	assert_int_equal(postings(ix, COMMON, time_of(&x[10]) + 1, time_of(&x[20]) - 1, SIZE_MAX,
	                          &h), 9);
	assert_int_equal(postings(ix, COMMON, time_of(&x[NPOST - 1]) + 1, ANY_MAX, SIZE_MAX, &h),
	                 0);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, time_of(&x[0]) - 1, SIZE_MAX, &h), 0);
	assert_int_equal(postings(ix, SEVEN, time_of(&x[7]), ANY_MAX, SIZE_MAX, &h), 0);

	/* limit bounds the postings looked at, in range or not */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, 10, &h), 10);
	for (i = 0; i < 10; i++)
		assert_hit(&h, i, &x[NPOST - 1 - i]);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, 0, &h), 0);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, time_of(&x[9]), 10, &h), 0);
	/* the 51 newest reach article 9 */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, time_of(&x[9]), NPOST - 9, &h), 1);
	assert_hit(&h, 0, &x[9]);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, time_of(&x[9]), NPOST - 10, &h), 0);
	assert_int_equal(postings(ix, FOURTEEN, ANY_MIN, ANY_MAX, 100, &h), 14);

	/* the callback stops the walk */
	h.stop_after = 3;
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 3);
	assert_hit(&h, 2, &x[NPOST - 3]);
	h.stop_after = 0;

	cluster_index_free(ix);
	free(x);
	store_close(s);
}

/* ---- buckets ------------------------------------------------------------ */

static void
buckets_find_articles_by_each_band_and_alone_ones_by_nothing(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art x[5];
	uint64_t hash[5][STORE_BANDS];
	struct hits h = {0};
	struct store_txn *t;
	int i, j, k, m, shared = 0;

	assert_non_null(ix);
	for (i = 0; i < 5; i++)
		art_std(&x[i], (uint64_t)i, 200 + (uint64_t)i, T0 + 60 * i, NF_TIME_NONE);
	/* B copies A's first three bands and its first lead band */
	memcpy(x[1].sig, x[0].sig, 3 * STORE_BAND_ROWS * sizeof(uint32_t));
	memcpy(x[1].sig + STORE_SIG_FULL, x[0].sig + STORE_SIG_FULL,
	       STORE_BAND_ROWS * sizeof(uint32_t));
	/* D, kept alone, has C's signature */
	x[3].a.tier = TIER_ALONE;
	memcpy(x[3].sig, x[2].sig, sizeof(x[2].sig));
	/* E has no copy fingerprint */
	x[4].a.nsig = 0;
	for (i = 0; i < 5; i++) {
		art_ready(&x[i]);
		keys(&x[i], hash[i]);
	}

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < 5; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(cluster_index_articles(ix), 5); /* D and E counted */

	/* A, B and C: under each of their bands, with whoever shares it */
	for (i = 0; i < 3; i++)
		for (k = 0; k < STORE_BANDS; k++) {
			int want = 0;

			bucket(ix, hash[i][k], ANY_MIN, ANY_MAX, &h);
			for (j = 0; j < 3; j++) {
				int has = 0;

				for (m = 0; m < STORE_BANDS; m++)
					has |= hash[j][m] == hash[i][k];
				if (!has) {
					assert_null(hit_of(&h, x[j].a.id));
					continue;
				}
				want++;
				assert_non_null(hit_of(&h, x[j].a.id));
				assert_int_equal(hit_of(&h, x[j].a.id)->story, x[j].a.story);
				assert_int_equal(hit_of(&h, x[j].a.id)->time, time_of(&x[j]));
			}
			assert_int_equal(h.n, want);
			if (i == 0)
				shared += want == 2;
		}
	assert_int_equal(shared, 4);
	/* by the time range */
	assert_int_equal(bucket(ix, hash[0][0], time_of(&x[0]) + 1, ANY_MAX, &h), 1);
	assert_hit(&h, 0, &x[1]);
	assert_int_equal(bucket(ix, hash[0][0], ANY_MIN, time_of(&x[0]), &h), 1);
	assert_hit(&h, 0, &x[0]);
	assert_int_equal(bucket(ix, hash[0][0], time_of(&x[1]) + 1, ANY_MAX, &h), 0);
	/* bucket hashes are not terms, nor terms buckets */
	assert_int_equal(bucket(ix, COMMON, ANY_MIN, ANY_MAX, &h), 0);
	assert_int_equal(postings(ix, hash[0][5], ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);

	/* D, kept alone: its (C's) bands find C alone; its terms nothing */
	for (k = 0; k < STORE_BANDS; k++) {
		bucket(ix, hash[3][k], ANY_MIN, ANY_MAX, &h);
		assert_only(&h, &x[2]);
	}
	for (k = 0; k < 15; k++)
		assert_int_equal(postings(ix, uniq(3, k), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h);
	assert_int_equal(h.n, 4);
	assert_null(hit_of(&h, x[3].a.id));
	/* E: its terms, but no buckets */
	for (k = 0; k < 15; k++) {
		postings(ix, uniq(4, k), ANY_MIN, ANY_MAX, SIZE_MAX, &h);
		assert_only(&h, &x[4]);
	}
	for (k = 0; k < STORE_BANDS; k++)
		assert_int_equal(bucket(ix, hash[4][k], ANY_MIN, ANY_MAX, &h), 0);

	cluster_index_free(ix);
	store_close(s);
}

/* ---- abort -------------------------------------------------------------- */

struct snap {
	struct hit *v;
	size_t n, cap;
};

static void
snap_hits(struct snap *sn, const struct hits *h)
{
	size_t i;

	assert_true(sn->n + h->n + 1 <= sn->cap);
	for (i = 0; i < h->n; i++)
		sn->v[sn->n++] = h->v[i];
	sn->v[sn->n].article = 0; /* the end of one answer */
	sn->v[sn->n].story = 0;
	sn->v[sn->n].time = 0;
	sn->n++;
}

/* snapshot(ix, x, n, sn): every answer the index gives about articles
 * ${x}[0..n), in order. */
static void
snapshot(const struct cluster_index *ix, struct art *x, size_t n, struct snap *sn)
{
	uint64_t hash[STORE_BANDS];
	struct hits h = {0};
	size_t i, k;

	sn->n = 0;
	postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h);
	snap_hits(sn, &h);
	for (i = 0; i < n; i++) {
		for (k = 0; k < x[i].a.nterms; k++) {
			postings(ix, x[i].terms[k].h, ANY_MIN, ANY_MAX, SIZE_MAX, &h);
			snap_hits(sn, &h);
		}
		keys(&x[i], hash);
		for (k = 0; k < STORE_BANDS; k++) {
			bucket(ix, hash[k], ANY_MIN, ANY_MAX, &h);
			snap_hits(sn, &h);
		}
	}
}

static void
assert_same_snap(const struct snap *a, const struct snap *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].article, b->v[i].article);
		assert_int_equal(a->v[i].story, b->v[i].story);
		assert_int_equal(a->v[i].time, b->v[i].time);
	}
}

/* a text no longer than its lead (STORE_SIG_WHOLE) is filed under its full
 * signature's bands alone; a longer one under its lead's too */
static void
a_text_within_its_lead_is_filed_under_its_full_bands_alone(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art x[2];
	struct hits h = {0};
	struct store_txn *t;
	int i, b;

	assert_non_null(ix);
	for (i = 0; i < 2; i++)
		art_std(&x[i], (uint64_t)i, 300 + (uint64_t)i, T0 + 60 * i, NF_TIME_NONE);
	x[0].a.flags = STORE_SIG_WHOLE;
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < 2; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);
	for (i = 0; i < 2; i++)
		for (b = 0; b < STORE_BANDS; b++) {
			uint64_t hash = store_band_hash(x[i].sig + b * STORE_BAND_ROWS, b);
			int filed = i == 1 || b < STORE_SIG_FULL / STORE_BAND_ROWS;

			assert_true(hash != 0);
			bucket(ix, hash, ANY_MIN, ANY_MAX, &h);
			if (filed)
				assert_non_null(hit_of(&h, x[i].a.id));
			else
				assert_null(hit_of(&h, x[i].a.id));
		}
	cluster_index_free(ix);
	store_close(s);
}

/* a term counts a story once: a later article of a story takes over the
 * story's recent posting under a term (so the story stays in the window of
 * later articles), and an abort gives it back */
static void
a_story_is_posted_once_per_term_by_its_newest_article(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art a, b, c, d;
	struct hits h = {0};
	struct store_txn *t;

	assert_non_null(ix);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + DAY), 0);
	art_std(&a, 1, 5, T0, T0);
	art_std(&b, 2, 6, T0 + 60, T0 + 60);
	put_add(t, ix, &a);
	put_add(t, ix, &b);
	commit(t);
	cluster_index_commit(ix);

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + DAY), 0);
	art_std(&c, 3, 5, T0 + 120, T0 + 120); /* story 5 again */
	put_add(t, ix, &c);
	/* under COMMON: story 5 once, by c, at c's time; b's stays */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 2);
	assert_non_null(hit_of(&h, c.a.id));
	assert_non_null(hit_of(&h, b.a.id));
	assert_null(hit_of(&h, a.a.id));
	assert_int_equal(hit_of(&h, c.a.id)->time, time_of(&c));
	/* a's own terms are a's alone: still posted */
	assert_int_equal(postings(ix, uniq(1, 0), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 1);
	/* a window that holds only a's time no longer finds story 5 ... */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, time_of(&a), SIZE_MAX, &h), 0);
	/* ... until the transaction is undone */
	cluster_index_abort(ix);
	store_abort(t);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 2);
	assert_hit(&h, 0, &b);
	assert_hit(&h, 1, &a);
	assert_int_equal(postings(ix, uniq(3, 0), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);

	/* another story in between more than the recent postings: posted anew */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + DAY), 0);
	{
		struct art o[8];
		int i;

		for (i = 0; i < 8; i++) {
			art_std(&o[i], 10 + (uint64_t)i, 100 + (uint64_t)i, T0 + 200, T0 + 200);
			put_add(t, ix, &o[i]);
		}
	}
	art_std(&d, 20, 5, T0 + 300, T0 + 300);
	put_add(t, ix, &d);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 11);
	assert_hit(&h, 0, &d);
	assert_hit(&h, 10, &a);
	commit(t);
	cluster_index_commit(ix);
	cluster_index_free(ix);
	store_close(s);
}

/* the posting a story keeps under a term is its newest article's, in
 * whatever order its articles come: an older one arriving later (a feed
 * lists its newest items first) leaves the newer posting, so the story
 * stays in the window of articles after both */
static void
an_older_article_of_a_story_leaves_its_newer_posting(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art a, b;
	struct hits h = {0};
	struct store_txn *t;

	assert_non_null(ix);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 2 * DAY), 0);
	art_std(&a, 1, 5, T0 + DAY, T0 + DAY);
	art_std(&b, 2, 5, T0, T0); /* the same story, a day older, stored later */
	put_add(t, ix, &a);
	put_add(t, ix, &b);
	/* under COMMON: story 5 once, by a, at a's time */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 1);
	assert_hit(&h, 0, &a);
	/* a window after b's time still finds the story */
	assert_int_equal(postings(ix, COMMON, T0 + DAY / 2, ANY_MAX, SIZE_MAX, &h), 1);
	/* b's own terms are posted under b */
	assert_int_equal(postings(ix, uniq(2, 0), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 1);
	assert_hit(&h, 0, &b);
	/* an abort leaves the index as it was */
	cluster_index_abort(ix);
	store_abort(t);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	cluster_index_free(ix);
	store_close(s);
}

#define NB 8 /* committed */
#define NA 6 /* then aborted */

static void
an_aborted_transaction_is_undone_exactly(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art x[NB + NA];
	struct snap before = {0}, after = {0};
	struct hits h = {0};
	struct store_txn *t;
	uint64_t aborted_id[NA], skipped;
	size_t i;

	assert_non_null(ix);
	before.cap = after.cap = 4096;
	assert_non_null(before.v = calloc(before.cap, sizeof(*before.v)));
	assert_non_null(after.v = calloc(after.cap, sizeof(*after.v)));
	for (i = 0; i < NB + NA; i++) {
		art_std(&x[i], i, 100 + i, T0 + 60 * (int64_t)i, NF_TIME_NONE);
		/* PAIR: two postings before, five during */
		if (i < 2 || (i >= NB && i < NB + 3)) {
			x[i].terms[15].w = 0.08f; /* uniq(i, 14): no longer posted */
			art_term(&x[i], PAIR, 0.85f);
		}
		/* the aborted ones share a bucket with article 0 */
		if (i >= NB)
			memcpy(x[i].sig, x[0].sig, STORE_BAND_ROWS * sizeof(uint32_t));
		art_ready(&x[i]);
	}

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < NB; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);
	snapshot(ix, x, NB + NA, &before);
	assert_int_equal(postings(ix, PAIR, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 2);

	/* more articles, article 3 moved twice and a new one moved: aborted */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = NB; i < NB + NA; i++) {
		if (i == NB + 1) /* an id taken by no article */
			assert_int_equal(store_next_id(t, "article", &skipped), 0);
		put_add(t, ix, &x[i]);
		aborted_id[i - NB] = x[i].a.id;
	}
	assert_int_equal(cluster_index_set_story(ix, x[3].a.id, 777), 0);
	assert_int_equal(cluster_index_set_story(ix, x[3].a.id, 778), 0);
	assert_int_equal(cluster_index_set_story(ix, x[NB + 1].a.id, 999), 0);
	assert_int_equal(cluster_index_articles(ix), NB + NA);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), NB + NA);
	assert_int_equal(hit_of(&h, x[3].a.id)->story, 778);
	assert_int_equal(hit_of(&h, x[NB + 1].a.id)->story, 999);
	assert_int_equal(postings(ix, PAIR, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 5);
	postings(ix, uniq(NB + 2, 0), ANY_MIN, ANY_MAX, SIZE_MAX, &h);
	assert_only(&h, &x[NB + 2]);
	store_abort(t);
	cluster_index_abort(ix);

	/* everything as before */
	assert_int_equal(cluster_index_articles(ix), NB);
	snapshot(ix, x, NB + NA, &after);
	assert_same_snap(&before, &after);
	for (i = 0; i < NB; i++)
		assert_found(ix, &x[i]);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), NB);
	assert_hit(&h, NB - 1 - 3, &x[3]); /* in its old story */
	assert_int_equal(postings(ix, PAIR, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 2);
	assert_hit(&h, 0, &x[1]);
	assert_hit(&h, 1, &x[0]);
	for (i = NB; i < NB + NA; i++) {
		uint64_t hash[STORE_BANDS];
		size_t k;

		for (k = 0; k < 15; k++)
			assert_int_equal(postings(ix, uniq(i, k), ANY_MIN, ANY_MAX, SIZE_MAX, &h),
			                 0);
		keys(&x[i], hash);
		bucket(ix, hash[0], ANY_MIN, ANY_MAX, &h); /* shared with article 0 */
		assert_only(&h, &x[0]);
		for (k = 1; k < STORE_BANDS; k++)
			assert_int_equal(bucket(ix, hash[k], ANY_MIN, ANY_MAX, &h), 0);
	}

	/* the same ids can be added again */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = NB; i < NB + NA; i++) {
		if (i == NB + 1)
			assert_int_equal(store_next_id(t, "article", &skipped), 0);
		put_add(t, ix, &x[i]);
		assert_int_equal(x[i].a.id, aborted_id[i - NB]);
	}
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(cluster_index_articles(ix), NB + NA);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), NB + NA);
	for (i = 0; i < NB + NA; i++) {
		assert_hit(&h, i, &x[NB + NA - 1 - i]);
		assert_found(ix, &x[i]);
	}
	assert_int_equal(postings(ix, PAIR, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 5);
	assert_hit(&h, 0, &x[NB + 2]);
	assert_hit(&h, 4, &x[0]);

	free(before.v);
	free(after.v);
	cluster_index_free(ix);
	store_close(s);
}

#define NKEEP 20
#define NGROW 160 /* 160 x 24 bands on top of 20 x 24: past 7/8 of 4096 */

/* keep_committed(s, ix, tp): NKEEP + NGROW articles drawn, the first
 * NKEEP stored, committed and known to ${ix}; *tp: a new write transaction
 * that ${ix} is ready for.  The caller frees the articles. */
static struct art *
keep_committed(struct store *s, struct cluster_index *ix, struct store_txn **tp)
{
	struct art *x = calloc(NKEEP + NGROW, sizeof(*x));
	struct store_txn *t;
	size_t i;

	assert_non_null(ix);
	assert_non_null(x);
	for (i = 0; i < NKEEP + NGROW; i++)
		art_std(&x[i], i, 300 + i, T0 + 10 * (int64_t)i, NF_TIME_NONE);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < NKEEP; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);
	*tp = t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	return x;
}

static void
an_aborted_transaction_that_grew_the_bucket_table_is_undone(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct hits h = {0};
	struct store_txn *t;
	struct art *x = keep_committed(s, ix, &t);
	size_t i;

	for (i = NKEEP; i < NKEEP + NGROW; i++)
		put_add(t, ix, &x[i]);
	assert_int_equal(cluster_index_articles(ix), NKEEP + NGROW);
	for (i = 0; i < NKEEP + NGROW; i++)
		assert_found(ix, &x[i]);
	assert_int_equal(cluster_index_set_story(ix, x[5].a.id, 4242), 0);
	store_abort(t);
	cluster_index_abort(ix);

	assert_int_equal(cluster_index_articles(ix), NKEEP);
	for (i = 0; i < NKEEP; i++)
		assert_found(ix, &x[i]);
	for (i = NKEEP; i < NKEEP + NGROW; i++)
		assert_gone(ix, &x[i]);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), NKEEP);
	for (i = 0; i < NKEEP; i++)
		assert_hit(&h, i, &x[NKEEP - 1 - i]);

	/* and it grows again as the same articles are committed */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = NKEEP; i < NKEEP + NGROW; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);
	for (i = 0; i < NKEEP + NGROW; i++)
		assert_found(ix, &x[i]);

	cluster_index_free(ix);
	free(x);
	store_close(s);
}

/* The clustering adds an article to the index before it stores its
 * record: a table that grows then is refilled from the records of the
 * articles before it (committed or of the open transaction), and the new
 * article's own buckets follow. */
static void
the_bucket_table_grows_before_the_article_is_stored(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct store_txn *t;
	struct art *x = keep_committed(s, ix, &t);
	size_t i;

	for (i = NKEEP; i < NKEEP + NGROW; i++) {
		art_ready(&x[i]);
		assert_int_equal(store_next_id(t, "article", &x[i].a.id), 0);
		assert_int_equal(cluster_index_add(t, ix, &x[i].a), 0);
		assert_int_equal(store_article_put(t, &x[i].a), 0);
	}
	for (i = 0; i < NKEEP + NGROW; i++)
		assert_found(ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);

	cluster_index_free(ix);
	free(x);
	store_close(s);
}

/* place_band0(x, mask, want): redraw the first band of ${x} until its
 * bucket hash has ${want} in the bits of ${mask}.  The bucket table places
 * a hash by its low bits, so this puts the bucket at a chosen place of a
 * table of mask + 1 entries (here its first or last). */
static void
place_band0(struct art *x, uint64_t mask, uint64_t want)
{
	uint64_t hash[STORE_BANDS], seed = x->sig[0];
	long tries;
	int r;

	for (tries = 0; tries < 10000000; tries++) {
		for (r = 0; r < STORE_BAND_ROWS; r++)
			x->sig[r] = (uint32_t)splitmix(&seed);
		keys(x, hash);
		if ((hash[0] & mask) == want)
			return;
	}
	fail_msg("no band found");
}

#define NFILL 150 /* 150 x 24 bands: past 7/8 of 4096 with the others */

static void
buckets_around_the_end_of_the_table_survive_an_abort(void **state)
{
	struct store *s;
	struct cluster_index *ix;
	struct art *x = calloc(3 + NFILL, sizeof(*x));
	struct store_txn *t;
	size_t i;

	assert_non_null(x);
	/* A (kept) at the first place of the 4096 table, B (aborted) at the
	 * last: B's removal must leave A where it is */
	s = open_store("a");
	assert_non_null(ix = cluster_index_new(7 * DAY));
	art_std(&x[0], 0, 10, T0, NF_TIME_NONE);
	place_band0(&x[0], 4095, 0);
	art_std(&x[1], 1, 11, T0 + 60, NF_TIME_NONE);
	place_band0(&x[1], 4095, 4095);
	art_std(&x[2], 2, 12, T0 + 120, NF_TIME_NONE);
	place_band0(&x[2], 4095, 4095);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	put_add(t, ix, &x[0]);
	commit(t);
	cluster_index_commit(ix);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	put_add(t, ix, &x[1]);
	put_add(t, ix, &x[2]); /* past the end, after A */
	assert_found(ix, &x[1]);
	assert_found(ix, &x[2]);
	store_abort(t);
	cluster_index_abort(ix);
	assert_int_equal(cluster_index_articles(ix), 1);
	assert_found(ix, &x[0]);
	assert_gone(ix, &x[1]);
	assert_gone(ix, &x[2]);
	cluster_index_free(ix);
	store_close(s);

	/* A (kept) first and C (kept) last in the 4096 table and in the 8192
	 * one it grows to; D (aborted), C's neighbour past the end, comes
	 * before C when the table grows: D's removal must bring C back to its
	 * place and leave A at its */
	s = open_store("b");
	assert_non_null(ix = cluster_index_new(7 * DAY));
	art_std(&x[0], 0, 10, T0, NF_TIME_NONE);
	place_band0(&x[0], 8191, 0);
	art_std(&x[1], 1, 11, T0 + 60, NF_TIME_NONE);
	place_band0(&x[1], 8191, 8191);
	art_std(&x[2], 2, 12, T0 + 120, NF_TIME_NONE);
	place_band0(&x[2], 8191, 8191);
	for (i = 3; i < 3 + NFILL; i++)
		art_std(&x[i], i, 10 + i, T0 + 120 + (int64_t)i, NF_TIME_NONE);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	put_add(t, ix, &x[0]);
	put_add(t, ix, &x[1]);
	commit(t);
	cluster_index_commit(ix);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 2; i < 3 + NFILL; i++)
		put_add(t, ix, &x[i]);
	for (i = 0; i < 3 + NFILL; i++)
		assert_found(ix, &x[i]);
	store_abort(t);
	cluster_index_abort(ix);
	assert_int_equal(cluster_index_articles(ix), 2);
	assert_found(ix, &x[0]);
	assert_found(ix, &x[1]);
	for (i = 2; i < 3 + NFILL; i++)
		assert_gone(ix, &x[i]);
	cluster_index_free(ix);
	store_close(s);
	free(x);
}

/* ---- building from the store -------------------------------------------- */

static void
a_fresh_index_holds_the_stored_articles_of_the_horizon(void **state)
{
	const int64_t horizon = 10000, now = T0 + 20000; /* the horizon from T0 + 10000 */
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(horizon);
	struct art x[13];
	struct hits h = {0};
	struct store_txn *t;
	uint64_t skipped;
	size_t i;

	assert_non_null(ix);
	/* an empty store: an empty index, which then takes articles */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, now), 0);
	assert_int_equal(cluster_index_articles(ix), 0);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 0);
	store_abort(t);
	cluster_index_abort(ix);
	cluster_index_free(ix);

	/* twelve articles first seen 400 s apart from T0 + 8000; some ids
	 * taken by nothing stored in between */
	t = wtxn(s);
	for (i = 0; i < 12; i++) {
		int64_t seen = T0 + 8000 + 400 * (int64_t)i;

		art_std(&x[i], i, 500 + i, seen, i % 2 ? seen - 3000 : NF_TIME_NONE);
		put(t, &x[i]);
		if (i % 3 == 1)
			assert_int_equal(store_next_id(t, "article", &skipped), 0);
		if (i == 5) { /* two transactions */
			commit(t);
			t = wtxn(s);
		}
	}
	commit(t);

	assert_non_null(ix = cluster_index_new(horizon));
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, now), 0);
	/* from article 5, first seen at T0 + 10000 exactly */
	assert_int_equal(cluster_index_articles(ix), 7);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 7);
	for (i = 0; i < 7; i++)
		assert_hit(&h, i, &x[11 - i]);
	for (i = 0; i < 5; i++)
		assert_gone(ix, &x[i]);
	for (i = 5; i < 12; i++)
		assert_found(ix, &x[i]);
	/* and it takes the next article */
	art_std(&x[12], 12, 512, now, NF_TIME_NONE);
	put_add(t, ix, &x[12]);
	assert_found(ix, &x[12]);
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(cluster_index_articles(ix), 8);

	cluster_index_free(ix);
	store_close(s);
}

static void
an_index_catches_up_with_articles_another_writer_committed(void **state)
{
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art x[20];
	struct hits h = {0};
	struct store_txn *t;
	size_t i;

	assert_non_null(ix);
	for (i = 0; i < 20; i++)
		art_std(&x[i], i, 600 + i, T0 + 60 * (int64_t)i, NF_TIME_NONE);

	/* five through the index */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < 5; i++)
		put_add(t, ix, &x[i]);
	commit(t);
	cluster_index_commit(ix);

	/* nine by another writer */
	t = wtxn(s);
	for (i = 5; i < 14; i++)
		put(t, &x[i]);
	commit(t);

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3660), 0);
	assert_int_equal(cluster_index_articles(ix), 14);
	for (i = 0; i < 14; i++)
		assert_found(ix, &x[i]);
	/* then one more through the index, newest first after them */
	put_add(t, ix, &x[14]);
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 15);
	for (i = 0; i < 15; i++)
		assert_hit(&h, i, &x[14 - i]);

	/* an article of an aborted transaction, its id then taken by
	 * another writer's article */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3700), 0);
	put_add(t, ix, &x[15]);
	store_abort(t);
	cluster_index_abort(ix);
	t = wtxn(s);
	put(t, &x[16]);
	assert_int_equal(x[16].a.id, x[15].a.id);
	put(t, &x[17]);
	commit(t);

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3800), 0);
	assert_int_equal(cluster_index_articles(ix), 17);
	assert_gone(ix, &x[15]);
	assert_found(ix, &x[16]);
	assert_found(ix, &x[17]);
	put_add(t, ix, &x[18]);
	commit(t);
	cluster_index_commit(ix);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 18);
	assert_hit(&h, 0, &x[18]);
	assert_hit(&h, 1, &x[17]);
	assert_hit(&h, 2, &x[16]);
	assert_hit(&h, 3, &x[14]);

	cluster_index_free(ix);
	store_close(s);
}

/* ---- rebuilding --------------------------------------------------------- */

static void
an_index_older_than_half_the_horizon_is_rebuilt(void **state)
{
	const int64_t horizon = 1000, built = T0 + 900;
	struct store *s = open_store("db");
	struct cluster_index *ix = cluster_index_new(horizon);
	struct art x[9];
	struct hits h = {0};
	struct store_txn *t;
	size_t i;

	assert_non_null(ix);
	/* four first seen at T0, four at T0 + 800 */
	for (i = 0; i < 8; i++)
		art_std(&x[i], i, 700 + i, T0 + (i < 4 ? 0 : 800) + 10 * (int64_t)i, NF_TIME_NONE);
	t = wtxn(s);
	for (i = 0; i < 8; i++)
		put(t, &x[i]);
	commit(t);

	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, built), 0);
	assert_int_equal(cluster_index_articles(ix), 8);
	commit(t);
	cluster_index_commit(ix);

	/* another writer moves article 5 to another story */
	t = wtxn(s);
	x[5].a.story = 4242;
	assert_int_equal(store_article_put(t, &x[5].a), 0);
	commit(t);

	/* before half the horizon passed, the index keeps what it holds */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, built + horizon / 2), 0);
	assert_int_equal(cluster_index_articles(ix), 8);
	for (i = 0; i < 4; i++)
		assert_int_equal(postings(ix, uniq(i, 0), ANY_MIN, ANY_MAX, SIZE_MAX, &h), 1);
	store_abort(t);
	cluster_index_abort(ix);

	/* after, those first seen before the horizon are gone */
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, built + horizon / 2 + 1), 0);
	assert_int_equal(cluster_index_articles(ix), 4);
	for (i = 0; i < 4; i++)
		assert_gone(ix, &x[i]);
	for (i = 4; i < 8; i++)
		assert_found(ix, &x[i]); /* article 5 in its new story */
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 4);
	for (i = 0; i < 4; i++)
		assert_hit(&h, i, &x[7 - i]);
	art_std(&x[8], 8, 708, built + horizon / 2 + 1, NF_TIME_NONE);
	put_add(t, ix, &x[8]);
	commit(t);
	cluster_index_commit(ix);
	assert_found(ix, &x[8]);
	assert_int_equal(cluster_index_articles(ix), 5);

	cluster_index_free(ix);
	store_close(s);
}

static void
an_index_follows_a_store_put_back_from_an_older_copy(void **state)
{
	struct store *s = open_store("new");
	struct cluster_index *ix = cluster_index_new(7 * DAY);
	struct art x[13];
	struct hits h = {0};
	struct store_txn *t;
	size_t i;

	assert_non_null(ix);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	for (i = 0; i < 10; i++) {
		art_std(&x[i], i, 800 + i, T0 + 60 * (int64_t)i, NF_TIME_NONE);
		put_add(t, ix, &x[i]);
	}
	commit(t);
	cluster_index_commit(ix);
	store_close(s);

	/* the older copy: three other articles */
	s = open_store("old");
	t = wtxn(s);
	for (i = 10; i < 13; i++) {
		art_std(&x[i], i, 900 + i, T0 + 60 * (int64_t)i, NF_TIME_NONE);
		put(t, &x[i]);
	}
	commit(t);
	t = wtxn(s);
	assert_int_equal(cluster_index_begin(t, ix, T0 + 3600), 0);
	assert_int_equal(cluster_index_articles(ix), 3);
	for (i = 0; i < 10; i++)
		assert_gone(ix, &x[i]);
	for (i = 10; i < 13; i++)
		assert_found(ix, &x[i]);
	assert_int_equal(postings(ix, COMMON, ANY_MIN, ANY_MAX, SIZE_MAX, &h), 3);
	for (i = 0; i < 3; i++)
		assert_hit(&h, i, &x[12 - i]);
	store_abort(t);
	cluster_index_abort(ix);

	cluster_index_free(ix);
	store_close(s);
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(postings_are_found_by_term_in_the_time_range_newest_first),
		TEST(a_text_within_its_lead_is_filed_under_its_full_bands_alone),
		TEST(a_story_is_posted_once_per_term_by_its_newest_article),
		TEST(an_older_article_of_a_story_leaves_its_newer_posting),
		TEST(buckets_find_articles_by_each_band_and_alone_ones_by_nothing),
		TEST(an_aborted_transaction_is_undone_exactly),
		TEST(an_aborted_transaction_that_grew_the_bucket_table_is_undone),
		TEST(the_bucket_table_grows_before_the_article_is_stored),
		TEST(buckets_around_the_end_of_the_table_survive_an_abort),
		TEST(a_fresh_index_holds_the_stored_articles_of_the_horizon),
		TEST(an_index_catches_up_with_articles_another_writer_committed),
		TEST(an_index_older_than_half_the_horizon_is_rebuilt),
		TEST(an_index_follows_a_store_put_back_from_an_older_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
