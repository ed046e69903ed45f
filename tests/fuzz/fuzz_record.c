/* fuzz_record.c -- libFuzzer harness: any bytes stored as an article, a
 * story and a feed record, then read back through every reader of
 * pkg/store (whole, in brief, terms alone, centroid alone, head alone).
 * A reader must refuse a record it cannot decode, never read past it; a
 * record it accepts must write back and read again the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "store/store.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *s;

static void
drop_dir(void)
{
	char p[512];
	const char *dir;

	if (s == NULL)
		return;
	dir = store_path(s);
	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

static volatile uint32_t sink;

static int
count_one(const struct store_article *a, void *ctx)
{
	size_t *n = ctx, i;

	for (i = 0; i < a->nsig; i++) /* the lent signature is all there */
		sink += a->sig[i];
	*n += 1;
	return 0;
}

static void
same_article(const struct store_article *a, const struct store_article *b)
{
	if (a->story != b->story || a->copy_of != b->copy_of || a->nfeeds != b->nfeeds ||
	    a->nterms != b->nterms || a->nsig != b->nsig || a->flags != b->flags ||
	    a->first_seen != b->first_seen || (a->guid == NULL) != (b->guid == NULL) ||
	    (a->guid && strcmp(a->guid, b->guid)) ||
	    (a->nterms && memcmp(a->terms, b->terms, a->nterms * sizeof(*a->terms))) ||
	    (a->nsig && memcmp(a->sig, b->sig, a->nsig * sizeof(*a->sig))))
		abort();
}

static void
same_story(const struct store_story *a, const struct store_story *b)
{
	if (a->rep != b->rep || a->first_seen != b->first_seen || a->last_seen != b->last_seen ||
	    a->narticles != b->narticles || a->noutlets != b->noutlets ||
	    a->ncentroid != b->ncentroid ||
	    (a->narticles && memcmp(a->articles, b->articles, a->narticles * sizeof(*a->articles))) ||
	    (a->ncentroid &&
	     memcmp(a->centroid, b->centroid, a->ncentroid * sizeof(*a->centroid))))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_txn *t;
	unsigned char kb[8];
	MDB_val k = {8, kb}, v = {size, (void *)data};
	struct store_article a, b;
	struct store_story st;
	struct store_feed f;
	struct store_terms_view cv;
	struct nf_term terms[64];
	uint32_t nt;
	size_t n = 0;

	if (s == NULL) {
		char tmpl[] = "/tmp/fuzz_record.XXXXXX";

		if (mkdtemp(tmpl) == NULL || (s = store_open(tmpl, 0, NULL)) == NULL)
			abort();
		atexit(drop_dir);
	}
	if ((t = store_begin(s, 1, NULL)) == NULL)
		abort();
	/* an article */
	put_be64(kb, 1);
	if (txn_put(t, DB_ARTICLES, &k, &v, 0))
		abort();
	if (store_article_get(t, 1, &a) == 0) {
		/* written back, it reads the same (its strings are borrowed
		 * until the transaction writes: both are read again after) */
		a.id = 2;
		if (store_article_put(t, &a))
			abort();
		store_article_release(&a);
		if (store_article_get(t, 1, &a) || store_article_get(t, 2, &b))
			abort();
		same_article(&a, &b);
		store_article_release(&b);
		store_article_release(&a);
	}
	(void)store_article_terms(t, 1, terms, 64, &nt);
	if (store_article_each_brief_from(t, 0, count_one, &n) ||
	    store_article_each_from(t, 0, count_one, &n))
		abort();
	/* a story */
	put_be64(kb, 1);
	if (txn_put(t, DB_STORIES, &k, &v, 0))
		abort();
	if (store_story_get(t, 1, &st) == 0) {
		struct store_story st2;

		st.id = 2;
		if (store_story_put(t, &st, NF_TIME_NONE))
			abort();
		store_story_release(&st);
		if (store_story_get(t, 1, &st) || store_story_get(t, 2, &st2))
			abort();
		same_story(&st, &st2);
		store_story_release(&st2);
		store_story_release(&st);
	}
	if (store_story_get_head(t, 1, &st) == 0)
		store_story_release(&st);
	if (store_story_centroid(t, 1, &cv, NULL) == 0 && cv.n) {
		/* the view lies inside the record */
		MDB_val rv;

		put_be64(kb, 1);
		if (txn_get(t, DB_STORIES, &k, &rv) || cv.p < (const unsigned char *)rv.mv_data ||
		    cv.p + 12 * (size_t)cv.n > (const unsigned char *)rv.mv_data + rv.mv_size)
			abort();
		(void)store_terms_view_h(&cv, cv.n - 1);
	}
	/* a feed */
	{
		MDB_val fk = {4, "http"};

		if (txn_put(t, DB_FEEDS, &fk, &v, 0))
			abort();
	}
	if (store_feed_get(t, "http", &f) == 0) {
		struct store_feed f2;

		f.url = "https://x";
		if (store_feed_put(t, &f) || store_feed_get(t, "http", &f) ||
		    store_feed_get(t, "https://x", &f2) || f2.status != f.status ||
		    f2.failures != f.failures || f2.next_poll != f.next_poll ||
		    (f.etag == NULL) != (f2.etag == NULL) || (f.etag && strcmp(f.etag, f2.etag)))
			abort();
	}
	store_abort(t);
	return 0;
}
