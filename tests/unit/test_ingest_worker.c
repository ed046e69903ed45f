/* Unit tests of pkg/ingest/worker.c: storing on a thread of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

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
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
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

static void
abandoning_leaves_every_stored_feed_whole(void **state)
{
	struct ingest_opts io;
	struct ingest_worker *w;
	struct store_txn *t;
	struct store_feed f;
	int k; /* any number of feeds may be stored before it stops */

	ingest_opts_init(&io, NULL);
	assert_non_null(w = ingest_worker_new(st, &io, 0, NULL));
	for (k = 0; k < 30; k++) {
		char *body = feed(k);
		push(w, k, body);
		free(body);
	}
	ingest_worker_free(w, 1);
	/* whatever was stored was stored whole: a feed record per feed stored */
	t = store_begin(st, 0, NULL);
	for (k = 0; k < 30; k++) {
		char url[64];
		snprintf(url, sizeof(url), "https://f%d.example/rss", k);
		if (store_feed_get(t, url, &f) == 0)
			assert_int_equal(f.articles, 1);
	}
	store_abort(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_pushed_feed_is_stored_and_reported_in_order,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(abandoning_leaves_every_stored_feed_whole,
		                                setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	norm_global_cleanup();
	xmlCleanupParser();
	return rc;
}
