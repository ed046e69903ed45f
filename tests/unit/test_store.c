/* Unit tests of pkg/store: records round-trip, indexes, transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lmdb.h>

#include "store/store.h"

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

static void
articles_and_stories_round_trip(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	struct nf_term terms[2] = {{11, 0.6f}, {22, 0.8f}};
	uint64_t ids[2] = {1, 2};
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
	store_article_release(&b);
	assert_int_equal(store_story_get(t, 7, &st2), 0);
	assert_int_equal(st2.narticles, 2);
	assert_int_equal(st2.articles[1], 2);
	assert_int_equal(st2.noutlets, 2);
	assert_string_equal(st2.title, "Title");
	store_story_release(&st2);
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

static int
collect_posting(uint64_t article, uint64_t story, int64_t time, void *ctx)
{
	uint64_t *out = ctx;

	out[++out[0]] = article;
	return 0;
}

static void
postings_are_scanned_within_the_time_window(void **state)
{
	struct store *s = open_rw();
	struct store_txn *t = store_begin(s, 1, NULL);
	uint64_t got[8] = {0};

	assert_int_equal(store_posting_put(t, 5, -100, 1, 1), 0);
	assert_int_equal(store_posting_put(t, 5, 1000, 2, 1), 0);
	assert_int_equal(store_posting_put(t, 5, 5000, 3, 2), 0);
	assert_int_equal(store_posting_put(t, 6, 1000, 4, 3), 0);
	assert_int_equal(store_postings_scan(t, 5, -200, 2000, collect_posting, got), 0);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 2);
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
	assert_int_equal(store_article_get(t, 9, &a), -1);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(feed_records_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(an_aborted_transaction_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(articles_and_stories_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(stories_list_newest_first_and_follow_updates, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(postings_are_scanned_within_the_time_window, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(identity_keys_map_to_articles, setup, teardown),
		cmocka_unit_test_setup_teardown(a_corrupt_record_is_reported_not_trusted, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_database_of_a_newer_format_is_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(a_missing_database_cannot_be_opened_for_reading, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
