/*
 * retention: remove old articles with every index entry that names them,
 * in bounded write transactions (see store_expire() in store.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "base/banned.h"

/* A story that loses articles in this transaction. */
struct hit_story {
	uint64_t id;
	uint64_t *gone;        /* its articles removed */
	size_t ngone, agone;
	struct nf_term *minus; /* their terms, to take out of the centroid */
	size_t nminus, aminus;
};

/* A feed whose article count drops. */
struct hit_feed {
	char *url;
	uint64_t n;
};

struct batch {
	struct hit_story *st;
	size_t nst, ast;
	struct hit_feed *fd;
	size_t nfd, afd;
	uint64_t *ids;
	size_t nids;
	unsigned char (*keys)[17];
	size_t nkeys, akeys;
};

static void
batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nst; i++) {
		free(b->st[i].gone);
		free(b->st[i].minus);
	}
	for (i = 0; i < b->nfd; i++)
		free(b->fd[i].url);
	free(b->st);
	free(b->fd);
	free(b->ids);
	free(b->keys);
	memset(b, 0, sizeof(*b));
}

/* grow(p, n, a, size): room for one more element in array *p. */
static int
grow(void *pp, size_t n, size_t *a, size_t size)
{
	void **p = pp, *np;
	size_t na;

	if (n < *a)
		return 0;
	na = *a ? *a * 2 : 8;
	if ((np = realloc(*p, na * size)) == NULL)
		return -1;
	*p = np;
	*a = na;
	return 0;
}

static struct hit_story *
hit_story(struct batch *b, uint64_t id)
{
	size_t i;

	for (i = 0; i < b->nst; i++)
		if (b->st[i].id == id)
			return &b->st[i];
	if (grow(&b->st, b->nst, &b->ast, sizeof(*b->st)))
		return NULL;
	memset(&b->st[b->nst], 0, sizeof(*b->st));
	b->st[b->nst].id = id;
	return &b->st[b->nst++];
}

static int
hit_feed(struct batch *b, const char *url)
{
	size_t i;

	for (i = 0; i < b->nfd; i++)
		if (strcmp(b->fd[i].url, url) == 0) {
			b->fd[i].n++;
			return 0;
		}
	if (grow(&b->fd, b->nfd, &b->afd, sizeof(*b->fd)) ||
	    (b->fd[b->nfd].url = nf_strdup(url)) == NULL)
		return -1;
	b->fd[b->nfd++].n = 1;
	return 0;
}

static int
collect_key(const unsigned char key[17], void *ctx)
{
	struct batch *b = ctx;

	if (grow(&b->keys, b->nkeys, &b->akeys, sizeof(*b->keys)))
		return 1;
	memcpy(b->keys[b->nkeys++], key, 17);
	return 0;
}

/* drop_article(t, b, id): remove article ${id} and its index entries,
 * noting its story and feed in ${b}. */
static int
drop_article(struct store_txn *t, struct batch *b, uint64_t id)
{
	struct store_article a;
	struct hit_story *hs;
	unsigned char kb[8];
	MDB_val k;
	uint64_t owner;
	int rc = -1;
	uint32_t j;

	if ((rc = store_article_get(t, id, &a)))
		return rc > 0 ? 0 : -1;
	rc = -1;
	/* identity keys: only those still naming this article */
	b->nkeys = 0;
	if (store_article_keys(t, id, collect_key, b))
		goto out;
	for (j = 0; j < b->nkeys; j++) {
		if (store_key_get(t, b->keys[j], &owner) == 0 && owner == id) {
			k.mv_size = 17;
			k.mv_data = b->keys[j];
			if (txn_del(t, DB_KEYS, &k))
				goto out;
		}
	}
	put_be64(kb, id);
	k.mv_size = 8;
	k.mv_data = kb;
	if (txn_del(t, DB_AKEYS, &k))
		goto out;
	/* df and ndocs are left as they are: document frequencies count
	 * every article ever stored (the raw terms behind them are not
	 * kept), so the IDF weights stay consistent over the whole history.
	 * The candidate index is in memory, rebuilt without it. */
	/* its story and its first feed (the one that counts it) */
	if (a.story) {
		if ((hs = hit_story(b, a.story)) == NULL ||
		    grow(&hs->gone, hs->ngone, &hs->agone, sizeof(*hs->gone)))
			goto out;
		hs->gone[hs->ngone++] = id;
		for (j = 0; j < a.nterms; j++) {
			if (grow(&hs->minus, hs->nminus, &hs->aminus, sizeof(*hs->minus)))
				goto out;
			hs->minus[hs->nminus++] = a.terms[j];
		}
	}
	if (a.nfeeds && a.feeds[0] && hit_feed(b, a.feeds))
		goto out;
	put_be64(kb, id);
	k.mv_size = 8;
	k.mv_data = kb;
	rc = txn_del(t, DB_ARTICLES, &k);
out:
	store_article_release(&a);
	return rc;
}

static int
has_id(const uint64_t *v, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static int
mstr_has(const char *s, size_t len, const char *o)
{
	size_t off = 0;

	while (off < len) {
		if (strcmp(s + off, o) == 0)
			return 1;
		off += strlen(s + off) + 1;
	}
	return 0;
}

static int
cmp_term_h(const void *x, const void *y)
{
	const struct nf_term *a = x, *b = y;

	return a->h < b->h ? -1 : a->h > b->h;
}

/*
 * story_refit(t, s, gone, ngone, minus, nminus): story ${s} without the
 * articles ${gone}: its list, outlets, times, representative and centroid
 * from what remains; removed with its story_time entry when nothing does.
 * Shared with fsck (through store_story_refit below).
 */
static int
story_refit(struct store_txn *t, struct store_story *s, const uint64_t *gone, size_t ngone,
            const struct nf_term *minus, size_t nminus)
{
	struct store_story ns = *s;
	struct buf outlets, title;
	uint64_t *keep = NULL, rep = 0;
	struct nf_term *c = NULL;
	int64_t rep_time = 0;
	int rep_orig = 0, rep_fixed = 0, rc = -1;
	uint32_t i, n = 0, nc = 0;
	size_t m;

	buf_init(&outlets, 0);
	buf_init(&title, 0);
	if (s->narticles && (keep = malloc(s->narticles * sizeof(*keep))) == NULL)
		goto out;
	ns.first_seen = INT64_MAX;
	ns.last_seen = INT64_MIN;
	ns.noutlets = 0;
	for (i = 0; i < s->narticles; i++) {
		struct store_article a;
		int64_t at;
		const char *o;

		if (has_id(gone, ngone, s->articles[i]))
			continue;
		if (store_article_get(t, s->articles[i], &a))
			continue; /* gone or unreadable: fsck's business */
		keep[n++] = a.id;
		at = store_article_time(&a);
		if (at < ns.first_seen)
			ns.first_seen = at;
		if (at > ns.last_seen)
			ns.last_seen = at;
		o = a.outlet ? a.outlet : "";
		if (!mstr_has(outlets.data ? outlets.data : "", outlets.len, o)) {
			if (buf_append(&outlets, o, strlen(o) + 1))
				goto next_fail;
			ns.noutlets++;
		}
		/* the representative: the old one if it stays, else the
		 * earliest original */
		if (!rep_fixed && (a.id == s->rep || rep == 0 || (a.copy_of == 0) > rep_orig ||
		                   ((a.copy_of == 0) == rep_orig && at < rep_time))) {
			rep = a.id;
			rep_time = at;
			rep_orig = a.copy_of == 0;
			rep_fixed = a.id == s->rep;
			buf_reset(&title);
			if (a.title && buf_puts(&title, a.title))
				goto next_fail;
		}
		store_article_release(&a);
		continue;
next_fail:
		store_article_release(&a);
		goto out;
	}
	if (n == 0) {
		unsigned char kb[16];
		MDB_val k = {8, kb};

		put_be64(kb, s->id);
		if (txn_del(t, DB_STORIES, &k))
			goto out;
		time_id_key(kb, s->last_seen, s->id);
		k.mv_size = 16;
		rc = txn_del(t, DB_STORY_TIME, &k);
		goto out;
	}
	/* centroid minus the removed articles' terms */
	if (s->ncentroid && (c = malloc(s->ncentroid * sizeof(*c))) == NULL)
		goto out;
	for (i = 0; i < s->ncentroid; i++) {
		struct nf_term x = s->centroid[i];

		for (m = 0; m < nminus; m++)
			if (minus[m].h == x.h)
				x.w -= minus[m].w;
		if (x.w > 1e-6f)
			c[nc++] = x;
	}
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_term_h);
	ns.articles = keep;
	ns.narticles = n;
	ns.outlets = outlets.data ? outlets.data : "";
	ns.centroid = c;
	ns.ncentroid = nc;
	ns.rep = rep;
	ns.title = title.len ? title.data : NULL;
	if (ns.read_outlets > ns.noutlets)
		ns.read_outlets = ns.noutlets;
	rc = store_story_put(t, &ns, s->last_seen);
out:
	free(keep);
	free(c);
	buf_release(&outlets);
	buf_release(&title);
	return rc;
}

int
store_story_refit(struct store_txn *t, uint64_t id, const uint64_t *gone, size_t ngone,
                  const struct nf_term *minus, size_t nminus)
{
	struct store_story s;
	int rc;

	if ((rc = store_story_get(t, id, &s)))
		return rc > 0 ? 0 : -1;
	rc = story_refit(t, &s, gone, ngone, minus, nminus);
	store_story_release(&s);
	return rc;
}

/* settle(t, b): the stories and feeds that lost articles. */
static int
settle(struct store_txn *t, struct batch *b, struct store_expire_stats *st)
{
	size_t i;

	for (i = 0; i < b->nst; i++) {
		struct hit_story *hs = &b->st[i];
		struct store_story s;
		int rc, gone;

		if ((rc = store_story_get(t, hs->id, &s)) > 0)
			continue;
		if (rc < 0)
			return -1;
		rc = story_refit(t, &s, hs->gone, hs->ngone, hs->minus, hs->nminus);
		gone = s.narticles <= hs->ngone;
		store_story_release(&s);
		if (rc)
			return -1;
		if (gone)
			st->stories_gone++;
		else
			st->stories_left++;
	}
	for (i = 0; i < b->nfd; i++) {
		struct store_feed f;
		int rc;

		if ((rc = store_feed_get(t, b->fd[i].url, &f)) > 0)
			continue;
		if (rc < 0)
			return -1;
		f.articles = f.articles > b->fd[i].n ? f.articles - b->fd[i].n : 0;
		if (store_feed_put(t, &f))
			return -1;
	}
	return 0;
}

/* pick(t, b, before, max, done): the ids of the next articles to expire. */
static int
pick(struct store_txn *t, struct batch *b, int64_t before, size_t max, int *done)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, op = MDB_FIRST;

	*done = 0;
	if ((b->ids = malloc(max * sizeof(*b->ids))) == NULL)
		return -1;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ARTICLES], &c)))
		return lmdb_fail(t, NULL, rc, "articles");
	while (b->nids < max && (rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		struct store_article a;

		op = MDB_NEXT;
		if (k.mv_size != 8 || article_decode(&v, get_be64(k.mv_data), &a))
			continue; /* unreadable: left for fsck */
		store_article_release(&a);
		if (a.first_seen >= before) {
			*done = 1;
			break;
		}
		b->ids[b->nids++] = a.id;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		*done = 1;
	else if (rc)
		return lmdb_fail(t, NULL, rc, "articles");
	return 0;
}

/* expire_batch(s, before, max, st, done, map_full, err): one transaction. */
static int
expire_batch(struct store *s, int64_t before, size_t max, struct store_expire_stats *st,
             int *done, int *map_full, struct nf_err *err)
{
	struct store_txn *t;
	struct batch b;
	size_t i;
	int rc = -1;

	*map_full = 0;
	memset(&b, 0, sizeof(b));
	if ((t = store_begin(s, 1, err)) == NULL)
		return -1;
	if (pick(t, &b, before, max, done))
		goto fail;
	if (b.nids == 0) {
		store_abort(t);
		*done = 1;
		batch_release(&b);
		return 0;
	}
	for (i = 0; i < b.nids; i++)
		if (drop_article(t, &b, b.ids[i]))
			goto fail;
	if (settle(t, &b, st))
		goto fail;
	rc = store_commit(t, map_full, err);
	if (rc == 0) {
		st->articles += b.nids;
		st->txns++;
	}
	batch_release(&b);
	return rc;
fail:
	*map_full = store_txn_map_full(t);
	store_abort(t);
	batch_release(&b);
	nf_err_set(err, "the store failed%s", *map_full ? " (map full)" : "");
	return -1;
}

int
store_expire(struct store *s, int64_t before, size_t max_per_txn,
             struct store_expire_stats *stats, struct nf_err *err)
{
	struct store_expire_stats st = {0};
	int done = 0, map_full, tries = 0, rc = 0;

	if (max_per_txn == 0)
		max_per_txn = 1;
	while (!done) {
		struct store_expire_stats bst = {0};

		if (expire_batch(s, before, max_per_txn, &bst, &done, &map_full, err) == 0) {
			st.articles += bst.articles;
			st.stories_gone += bst.stories_gone;
			st.stories_left += bst.stories_left;
			st.txns += bst.txns;
			tries = 0;
			continue;
		}
		/* nothing of a failed batch stayed: grow and redo it */
		if (map_full && tries++ < 8 && store_grow(s, err) == 0)
			continue;
		nf_err_prefix(err, "expiring articles");
		rc = -1;
		break;
	}
	if (stats)
		*stats = st;
	return rc;
}
