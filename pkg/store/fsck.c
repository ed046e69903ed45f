/*
 * fsck: check every index against the articles and stories, and repair
 * what the articles determine (see store_fsck() in store.h).
 *
 * One pass over each database in one transaction (a write transaction when
 * repairing, so that no writer changes the store between check and
 * repair, and the repair is all or nothing).  Per article it keeps a few
 * words: its story, its time and how many stories and keys name it.  (The
 * clustering's candidate index is not stored but rebuilt from the
 * articles: see cluster/index.h.)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "base/banned.h"

#define REPORT_MAX 1000

struct art {
	uint64_t id, story;
	int64_t time;
	uint16_t listed;              /* stories listing it */
	uint16_t nkeys;
};

/* a feed whose record does not decode, and the articles it counts (those
 * that name it first, as a feed's count does) */
struct bad_feed {
	char url[FEED_URL_MAX + 1];
	uint64_t articles;
};

struct sty {
	uint64_t id;
	int64_t last_seen;
	uint8_t timed; /* its story_time entry was seen */
	uint8_t bad;
};

/* an open-addressing map term -> count, for df */
struct tmap {
	uint64_t *k;
	uint32_t *v;
	size_t cap, n;
};

struct fsck {
	struct store_txn *t;
	int repair;
	void (*report)(const char *, void *);
	void *ctx;
	struct store_fsck_stats *st;
	struct art *a;
	size_t na, aa;
	struct sty *s;
	size_t ns, as;
	struct tmap df;      /* of the articles below df_through */
	uint64_t df_through; /* store_df_through() */
	size_t ncounted;     /* articles below it */
	uint64_t next_article;
	uint64_t next_story;
	uint64_t last_article, last_story; /* the highest ids in use */
	uint64_t *bad_story; /* stories to rebuild */
	size_t nbad_story, abad_story;
	struct bad_feed *bad_feed; /* feed records to write anew */
	size_t nbad_feed, abad_feed;
};

static void NF_PRINTF(2, 3)
problem(struct fsck *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (f->st->problems++ >= REPORT_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->report)
		f->report(msg, f->ctx);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static int
push(void *pp, size_t *n, size_t *a, size_t size)
{
	void **p = pp, *np;
	size_t na;

	if (*n < *a)
		return 0;
	na = *a ? *a * 2 : 1024;
	if ((np = realloc(*p, na * size)) == NULL)
		return -1;
	*p = np;
	*a = na;
	return 0;
}

static int
tmap_add(struct tmap *m, uint64_t k)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct tmap nm;
		size_t j;

		nm.cap = m->cap ? m->cap * 2 : 4096;
		nm.n = 0;
		if ((nm.k = calloc(nm.cap, sizeof(*nm.k))) == NULL ||
		    (nm.v = calloc(nm.cap, sizeof(*nm.v))) == NULL) {
			free(nm.k);
			return -1;
		}
		for (j = 0; j < m->cap; j++) {
			if (m->v[j] == 0)
				continue;
			for (i = mix(m->k[j]) & (nm.cap - 1); nm.v[i]; i = (i + 1) & (nm.cap - 1))
				;
			nm.k[i] = m->k[j];
			nm.v[i] = m->v[j];
			nm.n++;
		}
		free(m->k);
		free(m->v);
		*m = nm;
	}
	for (i = mix(k) & (m->cap - 1); m->v[i] && m->k[i] != k; i = (i + 1) & (m->cap - 1))
		;
	if (m->v[i] == 0) {
		m->k[i] = k;
		m->n++;
	}
	m->v[i]++;
	return 0;
}

static uint32_t
tmap_get(const struct tmap *m, uint64_t k)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	for (i = mix(k) & (m->cap - 1); m->v[i]; i = (i + 1) & (m->cap - 1))
		if (m->k[i] == k)
			return m->v[i];
	return 0;
}

static struct art *
find_art(struct fsck *f, uint64_t id)
{
	size_t lo = 0, hi = f->na;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->a[mid].id == id)
			return &f->a[mid];
		if (f->a[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct sty *
find_sty(struct fsck *f, uint64_t id)
{
	size_t lo = 0, hi = f->ns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->s[mid].id == id)
			return &f->s[mid];
		if (f->s[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
bad_story(struct fsck *f, uint64_t id)
{
	size_t i;

	for (i = 0; i < f->nbad_story; i++)
		if (f->bad_story[i] == id)
			return 0;
	if (push(&f->bad_story, &f->nbad_story, &f->abad_story, sizeof(*f->bad_story)))
		return -1;
	f->bad_story[f->nbad_story++] = id;
	return 0;
}

/* del_current(f, c, what): remove the entry under cursor ${c} (repair). */
static int
del_current(struct fsck *f, MDB_cursor *c, const char *what)
{
	int rc;

	if (!f->repair)
		return 0;
	if ((rc = mdb_cursor_del(c, 0)))
		return lmdb_fail(f->t, NULL, rc, what);
	f->st->repaired++;
	return 0;
}

/* walk(f, db, fn): every entry of ${db}; fn may delete the current one
 * (then it returns 2 so the walk does not skip its successor). */
static int
walk(struct fsck *f, int db, int (*fn)(struct fsck *, MDB_cursor *, MDB_val *, MDB_val *))
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, r, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(f->t->txn, f->t->s->dbi[db], &c)))
		return lmdb_fail(f->t, NULL, rc, store_db_names[db]);
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		r = fn(f, c, &k, &v);
		if (r < 0) {
			mdb_cursor_close(c);
			return -1;
		}
		/* after a delete LMDB's MDB_NEXT yields the entry that followed
		 * the deleted one */
		op = MDB_NEXT;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return lmdb_fail(f->t, NULL, rc, store_db_names[db]);
	return 0;
}

/* ---- feeds ------------------------------------------------------------ */

static int
on_feed(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	struct store_feed fd;
	struct bad_feed *b;

	if (k->mv_size == 0 || k->mv_size > FEED_URL_MAX || memchr(k->mv_data, '\0', k->mv_size)) {
		problem(f, "feeds: malformed entry");
		return del_current(f, c, "feeds") ? -1 : f->repair ? 2 : 0;
	}
	if (feed_decode(k, v, &fd) == 0)
		return 0;
	/* its state (validators, schedule, failures) is lost: a feed
	 * written anew is polled as a new one */
	problem(f, "feed %.*s: corrupt record%s", (int)k->mv_size, (const char *)k->mv_data,
	        f->repair ? ": written anew, as never polled" : "");
	if (push(&f->bad_feed, &f->nbad_feed, &f->abad_feed, sizeof(*f->bad_feed)))
		return -1;
	b = &f->bad_feed[f->nbad_feed++];
	memcpy(b->url, k->mv_data, k->mv_size);
	b->url[k->mv_size] = '\0';
	b->articles = 0;
	return 0;
}

/* ---- articles --------------------------------------------------------- */

static int
on_article(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	struct store_article a;
	struct art *x;
	uint32_t i;

	if (k->mv_size != 8 || article_decode(v, get_be64(k->mv_data), &a)) {
		/* nothing in it can be read back: removed, with the entries
		 * that name it (below), so that a feed still carrying it
		 * stores it anew */
		problem(f, "article %llu: corrupt record%s",
		        k->mv_size == 8 ? (unsigned long long)get_be64(k->mv_data) : 0ULL,
		        f->repair ? ": removed" : "");
		return del_current(f, c, "articles") ? -1 : f->repair ? 2 : 0;
	}
	f->st->articles++;
	for (i = 0; i < f->nbad_feed && a.nfeeds; i++)
		if (strcmp(f->bad_feed[i].url, a.feeds) == 0)
			f->bad_feed[i].articles++;
	if (push(&f->a, &f->na, &f->aa, sizeof(*f->a)))
		goto oom;
	x = &f->a[f->na++];
	memset(x, 0, sizeof(*x));
	x->id = a.id;
	x->story = a.story;
	x->time = store_article_time(&a);
	if (a.id < f->df_through) {
		f->ncounted++;
		for (i = 0; i < a.nterms; i++)
			if (tmap_add(&f->df, a.terms[i].h))
				goto oom;
	}
	if (a.story == 0)
		problem(f, "article %llu: in no story", (unsigned long long)a.id);
	store_article_release(&a);
	return 0;
oom:
	store_article_release(&a);
	nf_log(NF_LOG_ERR, "fsck: out of memory");
	return -1;
}

/* ---- stories and story_time ------------------------------------------- */

static int
on_story(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	struct store_story s;
	struct sty *y;
	int64_t newest = INT64_MIN;
	uint32_t i;
	int bad = 0;

	if (k->mv_size != 8) {
		problem(f, "stories: malformed entry");
		return del_current(f, c, "stories") ? -1 : f->repair ? 2 : 0;
	}
	if (story_decode(v, get_be64(k->mv_data), &s)) {
		/* rebuilt from the articles that name it (removed when none
		 * does) */
		problem(f, "story %llu: corrupt record", (unsigned long long)get_be64(k->mv_data));
		return bad_story(f, get_be64(k->mv_data));
	}
	f->st->stories++;
	if (push(&f->s, &f->ns, &f->as, sizeof(*f->s))) {
		store_story_release(&s);
		return -1;
	}
	y = &f->s[f->ns++];
	memset(y, 0, sizeof(*y));
	y->id = s.id;
	y->last_seen = s.last_seen;
	if (s.narticles == 0) {
		problem(f, "story %llu: no articles", (unsigned long long)s.id);
		bad = 1;
	}
	for (i = 0; i < s.narticles; i++) {
		struct art *x = find_art(f, s.articles[i]);

		if (x == NULL) {
			problem(f, "story %llu: lists article %llu, which does not exist",
			        (unsigned long long)s.id, (unsigned long long)s.articles[i]);
			bad = 1;
			continue;
		}
		x->listed++;
		if (x->story != s.id) {
			problem(f, "story %llu: lists article %llu, which is in story %llu",
			        (unsigned long long)s.id, (unsigned long long)x->id,
			        (unsigned long long)x->story);
			bad = 1;
		}
		if (x->time > newest)
			newest = x->time;
	}
	if (!bad && s.narticles && newest != s.last_seen) {
		problem(f, "story %llu: last_seen %lld, but its newest article is of %lld",
		        (unsigned long long)s.id, (long long)s.last_seen, (long long)newest);
		bad = 1;
	}
	store_story_release(&s);
	y->bad = (uint8_t)bad;
	return bad ? bad_story(f, y->id) : 0;
}

static int
on_story_time(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	struct sty *y;
	int64_t ts;
	uint64_t id;

	if (k->mv_size != 16) {
		problem(f, "story_time: malformed key");
		return del_current(f, c, "story_time") ? -1 : f->repair ? 2 : 0;
	}
	ts = time_unkey(get_be64(k->mv_data));
	id = get_be64((unsigned char *)k->mv_data + 8);
	y = find_sty(f, id);
	if (y && y->last_seen == ts && !y->timed) {
		y->timed = 1;
		return 0;
	}
	problem(f, "story_time: entry (%lld, story %llu) %s", (long long)ts,
	        (unsigned long long)id,
	        y == NULL ? "names no story" : "does not match the story's last_seen");
	if (y && bad_story(f, id))
		return -1;
	return del_current(f, c, "story_time") ? -1 : f->repair ? 2 : 0;
}

/* ---- keys ------------------------------------------------------------- */

static int
on_key(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	struct art *x;
	unsigned char kb[8];
	MDB_val ak = {8, kb}, av = *k;
	uint64_t id;
	int rc;

	f->st->keys++;
	if (k->mv_size != 17 || v->mv_size != 8) {
		problem(f, "keys: malformed entry");
		return del_current(f, c, "keys") ? -1 : f->repair ? 2 : 0;
	}
	id = get_be64(v->mv_data);
	if ((x = find_art(f, id)) == NULL) {
		problem(f, "keys: a key names article %llu, which does not exist",
		        (unsigned long long)id);
		if (f->repair && akey_del(f->t, id, k->mv_data))
			return -1;
		return del_current(f, c, "keys") ? -1 : f->repair ? 2 : 0;
	}
	if (x->nkeys < UINT16_MAX)
		x->nkeys++;
	put_be64(kb, id);
	{
		MDB_cursor *ac;

		if ((rc = mdb_cursor_open(f->t->txn, f->t->s->dbi[DB_AKEYS], &ac)))
			return lmdb_fail(f->t, NULL, rc, "akeys");
		rc = mdb_cursor_get(ac, &ak, &av, MDB_GET_BOTH);
		mdb_cursor_close(ac);
	}
	if (rc == MDB_NOTFOUND) {
		problem(f, "akeys: a key of article %llu is missing", (unsigned long long)id);
		if (f->repair) {
			av = *k;
			if ((rc = mdb_put(f->t->txn, f->t->s->dbi[DB_AKEYS], &ak, &av, 0)))
				return lmdb_fail(f->t, NULL, rc, "akeys");
			f->st->repaired++;
		}
	} else if (rc) {
		return lmdb_fail(f->t, NULL, rc, "akeys");
	}
	return 0;
}

static int
on_akey(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	uint64_t id, owner;
	int rc;

	if (k->mv_size != 8 || v->mv_size != 17) {
		problem(f, "akeys: malformed entry");
		return del_current(f, c, "akeys") ? -1 : f->repair ? 2 : 0;
	}
	id = get_be64(k->mv_data);
	rc = store_key_get(f->t, v->mv_data, &owner);
	if (rc < 0)
		return -1;
	if (rc == 0 && owner == id)
		return 0;
	problem(f, "akeys: article %llu lists a key that %s", (unsigned long long)id,
	        rc ? "does not exist" : "names another article");
	return del_current(f, c, "akeys") ? -1 : f->repair ? 2 : 0;
}

static int
on_df(struct fsck *f, MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	uint32_t n;

	if (k->mv_size != 8 || v->mv_size != 4) {
		problem(f, "df: malformed entry");
		return del_current(f, c, "df") ? -1 : f->repair ? 2 : 0;
	}
	memcpy(&n, v->mv_data, 4);
	if (n < tmap_get(&f->df, get_be64(k->mv_data)))
		problem(f, "df: term %016llx counted in %u articles, but %u hold it",
		        (unsigned long long)get_be64(k->mv_data), n,
		        tmap_get(&f->df, get_be64(k->mv_data)));
	return 0;
}

/* ---- repair ----------------------------------------------------------- */

static int
cmp_art_story(const void *x, const void *y)
{
	const struct art *a = *(const struct art *const *)x, *b = *(const struct art *const *)y;

	if (a->story != b->story)
		return a->story < b->story ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* restory(f, id, arts, n): story ${id} made of exactly the articles ${arts}. */
static int
restory(struct fsck *f, uint64_t id, struct art **arts, size_t n)
{
	struct store_story s, ns;
	uint64_t *ids = NULL;
	size_t i;
	int rc, found;

	/* an unreadable record is overwritten with a fresh one */
	found = store_story_get(f->t, id, &s) == 0;
	if (!found)
		memset(&s, 0, sizeof(s));
	if (n && (ids = malloc(n * sizeof(*ids))) == NULL) {
		store_story_release(&s);
		return -1;
	}
	for (i = 0; i < n; i++)
		ids[i] = arts[i]->id;
	ns = s;
	ns.id = id;
	ns.articles = ids;
	ns.narticles = (uint32_t)n;
	if (!found) {
		ns.outlets = "";
		ns.noutlets = 0;
		ns.first_seen = ns.last_seen = n ? arts[0]->time : 0;
		ns.rep = n ? ids[0] : 0;
	}
	/* write the membership, then let the refit derive the rest (or
	 * remove the story when it has no article) */
	rc = store_story_put(f->t, &ns, found ? s.last_seen : NF_TIME_NONE);
	if (rc == 0) {
		unsigned char tk[16];
		MDB_val k = {16, tk}, e = {0, (void *)""};

		/* the refit removes the story_time entry of the record's
		 * last_seen: make sure there is one */
		time_id_key(tk, ns.last_seen, id);
		rc = txn_put(f->t, DB_STORY_TIME, &k, &e, 0);
	}
	if (rc == 0)
		rc = store_story_refit(f->t, id, NULL, 0, NULL, 0);
	f->st->repaired++;
	free(ids);
	store_story_release(&s);
	return rc;
}

static int
repair_stories(struct fsck *f)
{
	struct art **by = NULL;
	size_t i, j, b;
	int rc = -1;

	/* the stories of articles not listed exactly once are rebuilt too */
	for (i = 0; i < f->na; i++)
		if (f->a[i].listed != 1 && f->a[i].story && bad_story(f, f->a[i].story))
			return -1;
	if (f->nbad_story == 0)
		return 0;
	if (f->na && (by = malloc(f->na * sizeof(*by))) == NULL)
		return -1;
	for (i = 0; i < f->na; i++)
		by[i] = &f->a[i];
	if (f->na)
		qsort(by, f->na, sizeof(*by), cmp_art_story);
	for (b = 0; b < f->nbad_story; b++) {
		uint64_t id = f->bad_story[b];
		size_t lo = 0, hi = f->na;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (by[mid]->story < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = lo; j < f->na && by[j]->story == id; j++)
			;
		if (restory(f, id, j > lo ? by + lo : NULL, j - lo))
			goto out;
	}
	rc = 0;
out:
	free(by);
	return rc;
}

/* counter_set(f, name, v): meta counter ${name} set to ${v}. */
static int
counter_set(struct fsck *f, const char *name, uint64_t v)
{
	if (store_counter_add(f->t, name, (int64_t)(v - store_counter(f->t, name))))
		return -1;
	f->st->repaired++;
	return 0;
}

static int
repair(struct fsck *f)
{
	size_t i;

	if (repair_stories(f))
		return -1;
	for (i = 0; i < f->nbad_feed; i++) {
		struct store_feed fd;

		store_feed_init(&fd, f->bad_feed[i].url);
		fd.articles = f->bad_feed[i].articles;
		if (store_feed_put(f->t, &fd))
			return -1;
		f->st->repaired++;
	}
	/* stories with no story_time entry (the rebuilt ones have theirs) */
	for (i = 0; i < f->ns; i++) {
		unsigned char tk[16];
		MDB_val k = {16, tk}, e = {0, (void *)""};

		if (f->s[i].timed || f->s[i].bad)
			continue;
		time_id_key(tk, f->s[i].last_seen, f->s[i].id);
		if (txn_put(f->t, DB_STORY_TIME, &k, &e, 0))
			return -1;
		f->st->repaired++;
	}
	/* df: raised to what the records hold; ndocs: at least the articles */
	for (i = 0; i < f->df.cap; i++) {
		if (f->df.v[i] == 0 || store_df(f->t, f->df.k[i]) >= f->df.v[i])
			continue;
		if (store_df_add(f->t, f->df.k[i],
		                 (int32_t)(f->df.v[i] - store_df(f->t, f->df.k[i]))))
			return -1;
		f->st->repaired++;
	}
	if (store_counter(f->t, "ndocs") < f->ncounted) {
		if (store_counter_add(f->t, "ndocs",
		                      (int64_t)f->ncounted - (int64_t)store_counter(f->t, "ndocs")))
			return -1;
		f->st->repaired++;
	}
	/* counters behind the records: ids go on past them */
	if (f->next_article <= f->last_article) {
		if (counter_set(f, "next_article", f->last_article + 1))
			return -1;
		f->next_article = f->last_article + 1;
	}
	if (f->next_story <= f->last_story && counter_set(f, "next_story", f->last_story + 1))
		return -1;
	if (f->df_through > f->next_article) {
		if (store_set_df_through(f->t, f->next_article))
			return -1;
		f->st->repaired++;
	}
	return 0;
}

/* ---- the whole check -------------------------------------------------- */

static int
check(struct fsck *f)
{
	size_t i;
	uint64_t ndocs;

	if (walk(f, DB_FEEDS, on_feed) || walk(f, DB_ARTICLES, on_article) ||
	    walk(f, DB_STORIES, on_story) ||
	    walk(f, DB_STORY_TIME, on_story_time) || walk(f, DB_KEYS, on_key) ||
	    walk(f, DB_AKEYS, on_akey) || walk(f, DB_DF, on_df))
		return -1;
	for (i = 0; i < f->na; i++) {
		struct art *x = &f->a[i];
		unsigned long long id = (unsigned long long)x->id;

		if (x->story && x->listed == 0)
			problem(f, "article %llu: its story %llu does not list it", id,
			        (unsigned long long)x->story);
		else if (x->listed > 1)
			problem(f, "article %llu: listed by %u stories", id, x->listed);
		if (x->nkeys == 0)
			problem(f, "article %llu: no identity key names it", id);
	}
	for (i = 0; i < f->ns; i++)
		if (!f->s[i].timed && !f->s[i].bad)
			problem(f, "story %llu: missing from story_time",
			        (unsigned long long)f->s[i].id);
	ndocs = store_counter(f->t, "ndocs");
	if (ndocs < f->ncounted)
		problem(f, "meta: ndocs is %llu, but %zu articles are counted in df",
		        (unsigned long long)ndocs, f->ncounted);
	if (f->next_article <= f->last_article)
		problem(f, "meta: next_article is %llu, not past the last article %llu",
		        (unsigned long long)f->next_article, (unsigned long long)f->last_article);
	if (f->next_story <= f->last_story)
		problem(f, "meta: next_story is %llu, not past the last story %llu",
		        (unsigned long long)f->next_story, (unsigned long long)f->last_story);
	if (f->df_through > f->next_article)
		problem(f, "meta: df_next is %llu, past the next article id %llu",
		        (unsigned long long)f->df_through, (unsigned long long)f->next_article);
	return 0;
}

int
store_fsck(struct store *s, int repair_it, void (*report)(const char *msg, void *ctx),
           void *ctx, struct store_fsck_stats *stats, struct nf_err *err)
{
	struct store_fsck_stats st = {0};
	struct fsck f;
	int rc = -1, map_full = 0;

	memset(&f, 0, sizeof(f));
	f.repair = repair_it;
	f.report = report;
	f.ctx = ctx;
	f.st = &st;
	if ((f.t = store_begin(s, repair_it, err)) == NULL)
		goto out;
	if ((f.next_article = store_counter(f.t, "next_article")) == 0)
		f.next_article = 1;
	if ((f.next_story = store_counter(f.t, "next_story")) == 0)
		f.next_story = 1;
	f.last_article = last_id(f.t, DB_ARTICLES);
	f.last_story = last_id(f.t, DB_STORIES);
	if (f.last_article == UINT64_MAX || f.last_story == UINT64_MAX) {
		store_abort(f.t);
		nf_err_set(err, "checking failed");
		goto out;
	}
	f.df_through = store_df_through(f.t);
	if (check(&f) || (repair_it && st.problems && repair(&f))) {
		map_full = store_txn_map_full(f.t);
		store_abort(f.t);
		nf_err_set(err, "%s failed%s", repair_it ? "repairing" : "checking",
		           map_full ? " (map full: run it again)" : "");
		goto out;
	}
	if (repair_it && st.repaired) {
		if (store_commit(f.t, &map_full, err)) {
			if (map_full && store_grow(s, NULL) == 0)
				nf_err_prefix(err, "the map was full and has grown: run it again");
			goto out;
		}
	} else {
		store_abort(f.t);
	}
	rc = 0;
out:
	free(f.a);
	free(f.s);
	free(f.df.k);
	free(f.df.v);
	free(f.bad_story);
	free(f.bad_feed);
	if (stats)
		*stats = st;
	return rc;
}
