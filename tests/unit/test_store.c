/* Unit tests of pkg/store: records round-trip, indexes, transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <lmdb.h>

#include "store/store.h"
#include "ingest/ingest.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/nf-store.XXXXXX");
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
open_rw(void)
{
	struct nf_err err = {{0}};
	struct store *s = store_open(dir, 0, &err);

	if (s == NULL)
		fail_msg("store_open: %s", err.msg);
	return s;
}

static void
feed_records_round_trip(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct store_feed f, g;

	store_feed_init(&f, "https://example.org/rss");
	f.title = "Example";
	f.etag = "\"abc\"";
	f.status = FEED_ERROR;
	f.http_status = 404;
	f.error = "HTTP 404 Not Found";
	f.failures = 3;
	f.last_poll = 1700000000;
	f.articles = 12;
	assert_int_equal(store_feed_put(t, &f), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);

	t = store_begin(s, 0, NULL);
	assert_int_equal(store_feed_get(t, "https://example.org/rss", &g), 0);
	assert_string_equal(g.url, "https://example.org/rss");
	assert_string_equal(g.title, "Example");
	assert_string_equal(g.etag, "\"abc\"");
	assert_null(g.last_modified);
	assert_int_equal(g.status, FEED_ERROR);
	assert_int_equal(g.http_status, 404);
	assert_string_equal(g.error, "HTTP 404 Not Found");
	assert_int_equal(g.failures, 3);
	assert_int_equal(g.last_poll, 1700000000);
	assert_true(g.next_poll == NF_TIME_NONE);
	assert_int_equal(g.articles, 12);
	assert_int_equal(store_feed_get(t, "https://example.org/other", &g), 1);
	store_abort(t);
	store_close(s);
}

static void
an_aborted_transaction_leaves_nothing(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct store_feed f;

	store_feed_init(&f, "https://example.org/aborted");
	assert_int_equal(store_feed_put(t, &f), 0);
	store_abort(t);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_feed_get(t, "https://example.org/aborted", &f), 1);
	store_abort(t);
	store_close(s);
}

struct brief {
	int n, strings;
	uint64_t id, story, flags;
	int64_t first_seen;
	uint32_t nterms, nsig, sig[3];
};

static int
brief_one(const struct store_article *a, void *ctx)
{
	struct brief *b = ctx;

	b->n++;
	b->id = a->id;
	b->story = a->story;
	b->flags = a->flags;
	b->first_seen = a->first_seen;
	b->strings = a->guid || a->url || a->title || a->feeds || a->summary || a->outlet;
	b->nterms = a->nterms;
	b->nsig = a->nsig;
	if (a->nsig == 3)
		memcpy(b->sig, a->sig, sizeof(b->sig));
	return 0;
}

static void
articles_and_stories_round_trip(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct nf_term terms[2] = {{11, 0.6f}, {22, 0.8f}};
	uint64_t ids[2] = {1, 2};
	uint32_t sig[3] = {7, 0xffffffffu, 9};
	struct store_article a = {0}, b;
	struct store_story st = {0}, st2;

	assert_int_equal(store_next_id(t, "article", &a.id), 0);
	assert_int_equal(a.id, 1);
	a.story = 7;
	a.feeds = "https://a.example/rss\0https://b.example/rss";
	a.nfeeds = 2;
	a.guid = "g1";
	a.url = "https://a.example/1";
	a.title = "Title";
	a.outlet = "a.example";
	a.published = NF_TIME_NONE;
	a.first_seen = 1700000000;
	a.simhash = UINT64_C(0xdeadbeefcafef00d);
	a.terms = terms;
	a.nterms = 2;
	a.sig = sig;
	a.nsig = 3;
	a.flags = 5;
	assert_int_equal(store_article_put(t, &a), 0);

	st.id = 7;
	st.title = "Title";
	st.rep = 1;
	st.first_seen = st.last_seen = 1700000000;
	st.articles = ids;
	st.narticles = 2;
	st.outlets = "a.example\0b.example";
	st.noutlets = 2;
	st.centroid = terms;
	st.ncentroid = 2;
	assert_int_equal(store_story_put(t, &st, NF_TIME_NONE), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);

	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_get(t, 1, &b), 0);
	assert_int_equal(b.nfeeds, 2);
	assert_string_equal(b.feeds, "https://a.example/rss");
	assert_string_equal(b.feeds + strlen(b.feeds) + 1, "https://b.example/rss");
	assert_string_equal(b.guid, "g1");
	assert_null(b.summary);
	assert_true(b.published == NF_TIME_NONE);
	assert_int_equal(store_article_time(&b), 1700000000);
	assert_int_equal(b.simhash, UINT64_C(0xdeadbeefcafef00d));
	assert_int_equal(b.nterms, 2);
	assert_int_equal(b.terms[1].h, 22);
	assert_float_equal(b.terms[1].w, 0.8f, 1e-6);
	assert_int_equal(b.nsig, 3);
	assert_int_equal(b.sig[1], 0xffffffffu);
	store_article_release(&b);
	/* in brief: the fields of fixed size and the signature, no strings
	 * and no terms */
	{
		struct brief br = {0};

		assert_int_equal(store_article_each_brief_from(t, 1, brief_one, &br), 0);
		assert_int_equal(br.n, 1);
		assert_int_equal(br.id, 1);
		assert_int_equal(br.story, 7);
		assert_int_equal(br.flags, 5);
		assert_int_equal(br.first_seen, 1700000000);
		assert_int_equal(br.nsig, 3);
		assert_int_equal(br.sig[0], 7);
		assert_int_equal(br.sig[2], 9);
		assert_false(br.strings);
		assert_int_equal(br.nterms, 0);
	}
	assert_int_equal(store_story_get(t, 7, &st2), 0);
	assert_int_equal(st2.narticles, 2);
	assert_int_equal(st2.articles[1], 2);
	assert_int_equal(st2.noutlets, 2);
	assert_string_equal(st2.title, "Title");
	assert_int_equal(st2.ncentroid, 2);
	assert_int_equal(st2.centroid[1].h, 22);
	store_story_release(&st2);
	/* the head: everything but the centroid */
	assert_int_equal(store_story_get_head(t, 7, &st2), 0);
	assert_int_equal(st2.narticles, 2);
	assert_int_equal(st2.articles[1], 2);
	assert_int_equal(st2.noutlets, 2);
	assert_string_equal(st2.outlets + strlen(st2.outlets) + 1, "b.example");
	assert_string_equal(st2.title, "Title");
	assert_int_equal(st2.rep, 1);
	assert_int_equal(st2.last_seen, 1700000000);
	assert_int_equal(st2.ncentroid, 0);
	assert_null(st2.centroid);
	store_story_release(&st2);
	assert_int_equal(store_story_get_head(t, 8, &st2), 1);
	/* the centroid alone, read where the record holds it */
	{
		struct store_terms_view c = {NULL, 0};
		int64_t first = 0;

		assert_int_equal(store_story_centroid(t, 7, &c, &first), 0);
		assert_true(first == 1700000000); /* and the story's first article's time */
		assert_int_equal(c.n, 2);
		assert_int_equal(store_terms_view_h(&c, 0), terms[0].h);
		assert_float_equal(store_terms_view_w(&c, 0), terms[0].w, 1e-6);
		assert_int_equal(store_terms_view_h(&c, 1), 22);
		assert_float_equal(store_terms_view_w(&c, 1), 0.8f, 1e-6);
		assert_int_equal(store_story_centroid(t, 8, &c, NULL), 1);
	}
	/* an article's terms alone, likewise (the fields before them are
	 * skipped, not decoded) */
	{
		struct nf_term c[2];
		uint32_t nc = 0;

		assert_int_equal(store_article_terms(t, 1, c, 2, &nc), 0);
		assert_int_equal(nc, 2);
		assert_int_equal(c[0].h, 11);
		assert_int_equal(c[1].h, 22);
		assert_float_equal(c[1].w, 0.8f, 1e-6);
		assert_int_equal(store_article_terms(t, 1, c, 1, &nc), 2); /* no room */
		assert_int_equal(store_article_terms(t, 99, c, 2, &nc), 1);
	}
	assert_int_equal(store_article_get(t, 99, &b), 1);
	store_abort(t);
	store_close(s);
}

static int
collect(uint64_t id, int64_t last_seen, void *ctx)
{
	uint64_t *out = ctx;

	out[++out[0]] = id;
	return 0;
}

static void
stories_list_newest_first_and_follow_updates(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct store_story st = {0};
	uint64_t got[8] = {0};
	int64_t times[3] = {100, 300, 200};
	int i;

	for (i = 0; i < 3; i++) {
		st.id = (uint64_t)i + 1;
		st.outlets = "";
		st.first_seen = st.last_seen = times[i];
		assert_int_equal(store_story_put(t, &st, NF_TIME_NONE), 0);
	}
	/* story 1 gets a new article: it moves to the top */
	st.id = 1;
	st.first_seen = 100;
	st.last_seen = 400;
	assert_int_equal(store_story_put(t, &st, 100), 0);
	assert_int_equal(store_stories_newest(t, INT64_MIN, collect, got), 0);
	assert_int_equal(got[0], 3);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 2);
	assert_int_equal(got[3], 3);
	memset(got, 0, sizeof(got));
	assert_int_equal(store_stories_newest(t, 250, collect, got), 0);
	assert_int_equal(got[0], 2);
	store_abort(t);
	store_close(s);
}

static void
document_frequencies_count_up_and_down(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);

	assert_int_equal(store_df_add(t, 5, 2), 0);
	assert_int_equal(store_df_add(t, 5, -1), 0);
	assert_int_equal(store_df(t, 5), 1);
	assert_int_equal(store_df(t, 6), 0);
	store_abort(t);
	store_close(s);
}

static void
identity_keys_map_to_articles(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	unsigned char k1[17], k2[17];
	uint64_t id;

	store_key('g', "feed", 4, "guid", 4, k1);
	store_key('g', "fee", 3, "dguid", 5, k2);
	assert_memory_not_equal(k1, k2, 17);
	assert_int_equal(store_key_put(t, k1, 42), 0);
	assert_int_equal(store_key_get(t, k1, &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(store_key_get(t, k2, &id), 1);
	store_abort(t);
	store_close(s);
}

static void
a_corrupt_record_is_reported_not_trusted(void **state)
{
	struct store *s = open_rw();
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char key[8] = {0, 0, 0, 0, 0, 0, 0, 9};
	MDB_val k = {8, key}, v = {5, "\x01\xff\xff\xff\xff"};
	struct store_article a;
	struct store_txn *t;

	store_close(s);
	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "articles", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	s = open_rw();
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_get(t, 9, &a), STORE_CORRUPT);
	{ /* a walk skips it, in brief too */
		struct brief br = {0};

		assert_int_equal(store_article_each_brief_from(t, 0, brief_one, &br), 0);
		assert_int_equal(br.n, 0);
	}
	store_abort(t);
	store_close(s);
}

static void
a_database_of_a_newer_format_is_refused(void **state)
{
	struct store *s = open_rw();
	struct nf_err err = {{0}};
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char ver[8] = {0, 0, 0, 0, 0, 0, 0, 99};
	MDB_val k = {6, "format"}, v = {8, ver};

	store_close(s);
	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	assert_null(store_open(dir, 0, &err));
	assert_non_null(strstr(err.msg, "newer"));
}

static void
a_missing_database_cannot_be_opened_for_reading(void **state)
{
	struct nf_err err = {{0}};
	char path[128];

	snprintf(path, sizeof(path), "%s/none", dir);
	assert_null(store_open(path, STORE_RDONLY, &err));
	assert_non_null(strstr(err.msg, "none"));
}

/* ---- helpers for the tests below -------------------------------------- */

/* synthetic_rss(n, base, salt): an RSS document of ${n} distinct items. */
static char *
synthetic_rss(int n, int base, const char *salt)
{
	static const char *const words[] = {
		"minister", "river", "flood", "election", "bank", "rates", "storm", "court",
		"vaccine", "strike", "market", "bridge", "council", "budget", "school", "train",
	};
	struct buf b;
	int i, j;

	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>");
	for (i = 0; i < n; i++) {
		buf_printf(&b, "<item><guid>%s-%d</guid><link>https://news.example/%s/%d</link>"
		           "<title>%s %s item %d</title><description>", salt, base + i, salt,
		           base + i, words[(base + i) % 16], words[(base + i) / 16 % 16], base + i);
		for (j = 0; j < 30; j++)
			buf_printf(&b, "%s%d ", words[(i * 7 + j) % 16], (base + i + j) % 5);
		buf_printf(&b, "</description><pubDate>Mon, 01 Jun 2020 %02d:%02d:00 GMT</pubDate>"
		           "</item>", i / 60 % 24, i % 60);
	}
	buf_puts(&b, "</channel></rss>");
	assert_non_null(b.data);
	return b.data;
}

static void
ingest_rss(struct store *s, const char *url, const char *body)
{
	struct ingest_opts io;
	struct feed_sub sub = {0};
	struct fetch_res res = {0};
	struct ingest_stats ist;
	struct nf_err err = {{0}};

	ingest_opts_init(&io, NULL);
	sub.url = (char *)url;
	sub.cluster = 1;
	res.status = FETCH_OK;
	res.http_status = 200;
	res.body = body;
	res.len = strlen(body);
	res.retry_after = res.max_age = -1;
	if (ingest_feed(s, &io, &sub, &res, &ist, &err))
		fail_msg("ingest_feed: %s", err.msg);
}

static int
count_story(uint64_t id, int64_t last_seen, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static int
count_article(const struct store_article *a, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static void
print_problem(const char *msg, void *ctx)
{
	(*(int *)ctx)++;
	print_message("# fsck: %s\n", msg);
}

static uint64_t
fsck_problems(struct store *s, int repair)
{
	struct store_fsck_stats fs;
	struct nf_err err = {{0}};
	int n = 0;

	if (store_fsck(s, repair, print_problem, &n, &fs, &err))
		fail_msg("store_fsck: %s", err.msg);
	assert_int_equal(fs.problems, repair || fs.problems < 1000 ? (uint64_t)n : fs.problems);
	return fs.problems;
}

/* put_article(t, id, guid): a small article record ${id}. */
static void
put_article(struct store_txn *t, uint64_t id, const char *guid)
{
	struct store_article a = {0};

	a.id = id;
	a.story = id;
	a.feeds = "https://a.example/rss";
	a.nfeeds = 1;
	a.guid = guid;
	a.published = NF_TIME_NONE;
	a.first_seen = 1700000000;
	assert_int_equal(store_article_put(t, &a), 0);
}

static void
a_counter_behind_the_records_hands_out_no_id_in_use(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct store_article a;
	uint64_t id, i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(store_next_id(t, "article", &id), 0);
		put_article(t, id, "old");
	}
	assert_int_equal(id, 3);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	/* the counter set back, as a damaged or restored meta could be */
	t = store_begin(s, 1, NULL);
	assert_int_equal(store_counter_add(t, "next_article", -2), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	t = store_begin(s, 1, NULL);
	assert_int_equal(store_next_id(t, "article", &id), 0);
	assert_int_equal(id, 4); /* not 2, which is in use */
	put_article(t, id, "new");
	assert_int_equal(store_next_id(t, "article", &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(store_article_get(t, 2, &a), 0);
	assert_string_equal(a.guid, "old");
	store_article_release(&a);
	store_abort(t);
	/* fsck tells it, and repair sets the counter past the records */
	t = store_begin(s, 1, NULL);
	assert_int_equal(store_counter_add(t, "next_article", -2), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	assert_true(fsck_problems(s, 0) >= 1);
	fsck_problems(s, 1);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_counter(t, "next_article"), 4);
	store_abort(t);
	store_close(s);
}

/* raw(fn): run ${fn} on the raw LMDB environment of the closed store. */
static void
raw_put_meta_format(uint64_t fmt, int drop_akeys)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char ver[8] = {0};
	MDB_val k = {6, "format"}, v = {8, ver};

	ver[7] = (unsigned char)fmt;
	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	if (drop_akeys) {
		assert_int_equal(mdb_dbi_open(txn, "akeys", 0, &dbi), 0);
		assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static int
key_found(const unsigned char key[17], void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static void
a_format_1_database_is_migrated_when_opened_for_writing(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct nf_err err = {{0}};
	unsigned char k1[17], k2[17];
	int n = 0;

	store_key('g', "feed", 4, "a", 1, k1);
	store_key('u', "https://x.example/a", 19, NULL, 0, k2);
	assert_int_equal(store_key_put(t, k1, 5), 0);
	assert_int_equal(store_key_put(t, k2, 5), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	store_close(s);
	raw_put_meta_format(1, 1); /* as format 1 left it: no akeys */

	/* read-only, it is refused with a hint rather than half-read */
	assert_null(store_open(dir, STORE_RDONLY, &err));
	assert_non_null(strstr(err.msg, "older"));
	s = open_rw();
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_keys(t, 5, key_found, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_counter(t, "format"), STORE_FORMAT);
	store_abort(t);
	store_close(s);
	s = store_open(dir, STORE_RDONLY, &err);
	assert_non_null(s);
	store_close(s);
}

/* formats 2 and 3 kept the candidate lookups in tables of their own */
static void
a_format_3_database_drops_its_candidate_tables(void **state)
{
	static const char *const gone[] = {"postings", "term_postings", "bands"};
	struct store *s = open_rw();
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char kb[8] = {0, 0, 0, 0, 0, 0, 0, 5}, vb[24] = {0}, ver[8] = {0};
	MDB_val k = {8, kb}, v = {24, vb}, fk = {6, "format"}, fv = {8, ver};
	MDB_val dk = {7, "df_next"};
	struct store_txn *t;
	struct store_article a = {0}, got;
	size_t i;

	t = store_begin(s, 1, NULL);
	assert_int_equal(store_next_id(t, "article", &a.id), 0);
	a.title = "kept";
	a.first_seen = a.published = 1000;
	assert_int_equal(store_article_put(t, &a), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	store_close(s);
	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mdb_dbi_open(txn, gone[i], MDB_CREATE, &dbi), 0);
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	}
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	ver[7] = 3;
	assert_int_equal(mdb_put(txn, dbi, &fk, &fv, 0), 0);
	assert_int_equal(mdb_del(txn, dbi, &dk, NULL), 0); /* format 5's */
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	s = open_rw();
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_counter(t, "format"), STORE_FORMAT);
	/* the df of an older format counted every article */
	assert_int_equal(store_counter(t, "df_next"), a.id + 1);
	assert_int_equal(store_article_get(t, a.id, &got), 0);
	assert_string_equal(got.title, "kept");
	store_article_release(&got);
	store_abort(t);
	store_close(s);
	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(mdb_dbi_open(txn, gone[i], 0, &dbi), MDB_NOTFOUND);
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

static void
a_key_repointed_leaves_its_old_article(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	unsigned char k[17];
	int n5 = 0, n6 = 0;

	store_key('u', "https://x.example/a", 19, NULL, 0, k);
	assert_int_equal(store_key_put(t, k, 5), 0);
	assert_int_equal(store_key_put(t, k, 5), 0);
	assert_int_equal(store_key_put(t, k, 6), 0);
	assert_int_equal(store_article_keys(t, 5, key_found, &n5), 0);
	assert_int_equal(store_article_keys(t, 6, key_found, &n6), 0);
	assert_int_equal(n5, 0);
	assert_int_equal(n6, 1);
	store_abort(t);
	store_close(s);
}

static void
an_article_updated_after_newer_ones_keeps_its_place(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct store_article a = {0}, b;
	int n = 0;

	a.feeds = "f";
	a.nfeeds = 1;
	a.published = NF_TIME_NONE;
	for (a.id = 1; a.id <= 3; a.id++) {
		a.title = "first";
		assert_int_equal(store_article_put(t, &a), 0);
	}
	a.id = 2;
	a.title = "second";
	assert_int_equal(store_article_put(t, &a), 0);
	a.id = 10;
	assert_int_equal(store_article_put(t, &a), 0);
	assert_int_equal(store_commit(t, NULL, NULL), 0);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_get(t, 2, &b), 0);
	assert_string_equal(b.title, "second");
	store_article_release(&b);
	assert_int_equal(store_article_get(t, 3, &b), 0);
	assert_string_equal(b.title, "first");
	store_article_release(&b);
	assert_int_equal(store_article_each(t, count_article, &n), 0);
	assert_int_equal(n, 4);
	store_abort(t);
	store_close(s);
}

static void
a_tiny_map_grows_and_a_thousand_articles_go_in(void **state)
{
	struct nf_err err = {{0}};
	struct store *s = store_open(dir, STORE_TINY_MAP, &err);
	struct store_txn *t;
	char *doc = synthetic_rss(1000, 0, "big");
	int n = 0;

	assert_non_null(s);
	ingest_rss(s, "https://big.example/rss", doc);
	free(doc);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_each(t, count_article, &n), 0);
	assert_int_equal(n, 1000);
	store_abort(t);
	assert_true(store_size(s) > (64 << 10));
	assert_int_equal(fsck_problems(s, 0), 0);
	store_close(s);
	/* reopened by a fresh process-like handle, everything is there */
	s = open_rw();
	t = store_begin(s, 0, NULL);
	n = 0;
	assert_int_equal(store_article_each(t, count_article, &n), 0);
	assert_int_equal(n, 1000);
	store_abort(t);
	store_close(s);
}

static void
the_map_cannot_grow_under_an_open_transaction(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 0, NULL);
	struct nf_err err = {{0}};

	assert_int_equal(store_grow(s, &err), -1);
	assert_non_null(strstr(err.msg, "open"));
	store_abort(t);
	assert_int_equal(store_grow(s, &err), 0);
	store_close(s);
}

/* sync = batch: the store flushes itself within about a second of a
 * commit, with no later commit or call to prompt it, and the map may grow
 * meanwhile */
static void
a_batch_store_flushes_itself_after_a_commit(void **state)
{
	struct nf_err err = {{0}};
	struct store *s = store_open(dir, STORE_SYNC_BATCH, &err);
	struct store_txn *t;
	struct store_feed f;
	int i, waited;

	assert_non_null(s);
	for (i = 0; i < 3; i++) {
		char url[64];

		t = store_begin(s, 1, NULL);
		snprintf(url, sizeof(url), "https://example.org/%d", i);
		store_feed_init(&f, url);
		assert_int_equal(store_feed_put(t, &f), 0);
		assert_int_equal(store_commit(t, NULL, NULL), 0);
		/* the first commit may be flushed at once; a later one waits
		 * for the second since the last flush began to pass */
		if (i > 0)
			assert_int_equal(store_sync_pending(s), 1);
		assert_int_equal(store_grow(s, &err), 0);
		for (waited = 0; store_sync_pending(s) && waited < 10000; waited += 10) {
			struct timespec ts = {0, 10000000};

			nanosleep(&ts, NULL);
		}
		assert_int_equal(store_sync_pending(s), 0);
	}
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_feed_get(t, "https://example.org/2", &f), 0);
	store_abort(t);
	store_close(s);
}

static void
retention_removes_old_articles_with_their_indexes(void **state)
{
	struct store *s = open_rw();
	struct store_expire_stats es;
	struct nf_err err = {{0}};
	struct store_txn *t;
	char *old = synthetic_rss(300, 0, "old"), *new = synthetic_rss(200, 1000, "new");
	int n = 0, nstories = 0;
	unsigned char k[17];
	uint64_t id;

	nf_now_set(1700000000);
	ingest_rss(s, "https://a.example/rss", old);
	nf_now_set(1700000000 + 40 * 86400);
	ingest_rss(s, "https://b.example/rss", new);
	nf_now_set(0);
	assert_int_equal(fsck_problems(s, 0), 0);

	assert_int_equal(store_expire(s, 1700000000 + 30 * 86400, 64, &es, &err), 0);
	assert_int_equal(es.articles, 300);
	assert_true(es.txns >= 5);
	assert_int_equal(fsck_problems(s, 0), 0);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_article_each(t, count_article, &n), 0);
	assert_int_equal(n, 200);
	assert_int_equal(store_article_count(t), 200); /* what `stats` says */
	/* document frequencies keep counting expired articles */
	assert_int_equal(store_counter(t, "ndocs"), 500);
	store_key('g', "https://a.example/rss", 21, "old-5", 5, k);
	assert_int_equal(store_key_get(t, k, &id), 1);
	store_key('g', "https://b.example/rss", 21, "new-1005", 8, k);
	assert_int_equal(store_key_get(t, k, &id), 0);
	store_abort(t);

	/* everything: nothing left anywhere, and it stays consistent */
	assert_int_equal(store_expire(s, INT64_MAX, 1000, &es, &err), 0);
	assert_int_equal(es.articles, 200);
	assert_int_equal(fsck_problems(s, 0), 0);
	t = store_begin(s, 0, NULL);
	assert_int_equal(store_stories_newest(t, INT64_MIN, count_story, &nstories), 0);
	assert_int_equal(nstories, 0);
	assert_int_equal(store_counter(t, "ndocs"), 500);
	store_abort(t);
	free(old);
	free(new);
	store_close(s);
}

static void
retention_reuses_space_under_a_steady_load(void **state)
{
	struct store *s = open_rw();
	struct nf_err err = {{0}};
	uint64_t size[10];
	int day;

	/* a day's articles each day, kept 3 days: the file stops growing */
	for (day = 0; day < 10; day++) {
		char salt[16], *doc;

		snprintf(salt, sizeof(salt), "d%d", day);
		doc = synthetic_rss(200, day * 1000, salt);
		nf_now_set(1700000000 + (int64_t)day * 86400);
		ingest_rss(s, "https://a.example/rss", doc);
		free(doc);
		assert_int_equal(store_expire(s, nf_now() - 3 * 86400, 100, NULL, &err), 0);
		size[day] = store_size(s);
	}
	nf_now_set(0);
	assert_int_equal(fsck_problems(s, 0), 0);
	assert_true(size[9] <= size[6] + size[6] / 20);
	store_close(s);
}

static void
raw_damage(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi akeys, st, keys;
	MDB_cursor *c;
	MDB_val k, v;
	unsigned char dk[17] = "g0123456789abcdef", did[8] = {0, 0, 0, 0, 0, 0, 0x30, 0x39};

	assert_int_equal(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "akeys", MDB_DUPSORT | MDB_DUPFIXED, &akeys), 0);
	assert_int_equal(mdb_dbi_open(txn, "story_time", 0, &st), 0);
	assert_int_equal(mdb_dbi_open(txn, "keys", 0, &keys), 0);
	/* lose an akeys entry and a story_time entry; add a key to nothing */
	assert_int_equal(mdb_cursor_open(txn, akeys, &c), 0);
	assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
	assert_int_equal(mdb_cursor_del(c, 0), 0);
	mdb_cursor_close(c);
	assert_int_equal(mdb_cursor_open(txn, st, &c), 0);
	assert_int_equal(mdb_cursor_get(c, &k, &v, MDB_LAST), 0);
	assert_int_equal(mdb_cursor_del(c, 0), 0);
	mdb_cursor_close(c);
	k.mv_size = 17;
	k.mv_data = dk;
	v.mv_size = 8;
	v.mv_data = did;
	assert_int_equal(mdb_put(txn, keys, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
fsck_reports_broken_indexes_and_repair_rebuilds_them(void **state)
{
	struct store *s = open_rw();
	char *doc = synthetic_rss(100, 0, "x");

	ingest_rss(s, "https://a.example/rss", doc);
	free(doc);
	assert_int_equal(fsck_problems(s, 0), 0);
	store_close(s);
	raw_damage();
	s = open_rw();
	assert_true(fsck_problems(s, 0) >= 3);
	assert_true(fsck_problems(s, 1) >= 3);
	assert_int_equal(fsck_problems(s, 0), 0);
	/* df said to count articles that do not exist yet */
	{
		struct store_txn *t = store_begin(s, 1, NULL);

		assert_non_null(t);
		assert_int_equal(store_set_df_through(t, 1000), 0);
		assert_int_equal(store_commit(t, NULL, NULL), 0);
	}
	assert_int_equal(fsck_problems(s, 0), 1);
	assert_int_equal(fsck_problems(s, 1), 1);
	assert_int_equal(fsck_problems(s, 0), 0);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(feed_records_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(an_aborted_transaction_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(articles_and_stories_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(stories_list_newest_first_and_follow_updates, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_format_3_database_drops_its_candidate_tables, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(document_frequencies_count_up_and_down, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(identity_keys_map_to_articles, setup, teardown),
		cmocka_unit_test_setup_teardown(a_corrupt_record_is_reported_not_trusted, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_counter_behind_the_records_hands_out_no_id_in_use,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_of_a_newer_format_is_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_missing_database_cannot_be_opened_for_reading, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_format_1_database_is_migrated_when_opened_for_writing,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(a_key_repointed_leaves_its_old_article, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(an_article_updated_after_newer_ones_keeps_its_place,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(a_tiny_map_grows_and_a_thousand_articles_go_in, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(the_map_cannot_grow_under_an_open_transaction, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_batch_store_flushes_itself_after_a_commit, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(retention_removes_old_articles_with_their_indexes,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(retention_reuses_space_under_a_steady_load, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(fsck_reports_broken_indexes_and_repair_rebuilds_them,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
