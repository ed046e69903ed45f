/* index: the clustering's candidate index, in memory (see index.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/index.h"
#include "base/base.h"
#include "base/banned.h"

#define INLINE 2           /* postings a term holds without an array */
#define RECENT 8           /* a term's newest postings looked at for the story */
#define NONE INT64_MIN     /* the time of a slot with no article */
#define AHEAD 16           /* postings whose slots are prefetched ahead */

/* A term's postings are its articles' slots, oldest first: in the entry
 * itself while there are at most INLINE, else in an array of its own
 * (contiguous, so that a scan streams through memory). */
struct term_ent {
	uint64_t term;         /* 0: a free entry (term 0 is taken as 1) */
	uint32_t n;            /* postings */
	uint32_t cap;          /* of v; 0: the postings are in in[] */
	union {
		uint32_t *v;
		uint32_t in[INLINE];
	} u;
};

/*
 * A bucket entry is 32 bits: 8 bits of its hash (the top ones; the low
 * ones are its place) over slot + 1 in the low BUCKET_SLOT_BITS; 0 is an
 * empty entry and B_GONE one taken back.  A check of 8 bits lets through
 * one entry of another bucket in 256 that a lookup passes, which the copy
 * tier's verification turns away.  The table does not hold the hashes, so
 * to grow it is refilled from the articles' records (bucket_reserve()).
 * A slot past BUCKET_SLOT_MAX (16 million articles since the index was
 * built) gets no buckets.
 */
#define BUCKET_SLOT_BITS 24
#define BUCKET_SLOT_MASK ((UINT32_C(1) << BUCKET_SLOT_BITS) - 1)
#define B_GONE BUCKET_SLOT_MASK /* slot + 1 of an entry taken back */
#define BUCKET_SLOT_MAX (B_GONE - 2)

enum { J_SLOTS, J_POST, J_REPOST, J_BUCKET, J_STORY };

struct jop {
	uint8_t kind;
	uint32_t slot;
	uint64_t key;          /* term, bucket hash, old story, old slot count */
	uint64_t next;         /* J_SLOTS: the old next_id; J_REPOST: where */
};

/* A slot is 8 bytes, so that the slots of a million articles stay in a
 * processor's last-level cache: the story id as 32 bits (0: none; a story
 * id past 2^32 is not kept, its article then finds no story through the
 * postings) and the time in seconds from the index's build, clamped to
 * what 32 bits hold (SLOT_NONE: no article). */
#define SLOT_NONE INT32_MIN
#define SLOT_MAX INT32_MAX

struct slot {
	uint32_t story;
	int32_t time;
};

struct cluster_index {
	int64_t horizon;
	int64_t built;         /* when built, the base of slots' times; NONE: not built */
	int broken;            /* out of memory, or an undo failed: rebuild */
	uint64_t base;         /* the article id of slot 0 */
	uint64_t next_id;      /* the next article id the index expects */
	struct slot *slots;    /* slot i: article base + i */
	size_t nslots, aslots;
	size_t narticles;      /* slots holding an article */

	struct term_ent *terms;
	size_t tcap, tn;       /* a power of two; used */
	size_t pbytes;         /* of the terms' arrays */

	uint32_t *buckets;
	size_t bcap, bn;       /* any size (bucket_home()); entries used or gone */
	int bfull;             /* a slot too far for a bucket was met */

	struct jop *j;         /* what the open transaction changed */
	size_t jn, jcap;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

/* slot_time(ix, t): time ${t} as a slot holds it. */
static int32_t
slot_time(const struct cluster_index *ix, int64_t t)
{
	int64_t base = ix->built == NONE ? 0 : ix->built;

	if (t <= base - SLOT_MAX)
		return -SLOT_MAX;
	if (t >= base + SLOT_MAX)
		return SLOT_MAX;
	return (int32_t)(t - base);
}

static int64_t
time_of_slot(const struct cluster_index *ix, int32_t t)
{
	return (ix->built == NONE ? 0 : ix->built) + t;
}

static uint32_t
slot_story(uint64_t story)
{
	return story <= UINT32_MAX ? (uint32_t)story : 0;
}

static int
grow_array(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static void
reset(struct cluster_index *ix)
{
	size_t i;

	for (i = 0; i < ix->tcap; i++)
		if (ix->terms[i].term && ix->terms[i].cap)
			free(ix->terms[i].u.v);
	free(ix->slots);
	free(ix->terms);
	free(ix->buckets);
	free(ix->j);
	ix->slots = NULL;
	ix->terms = NULL;
	ix->buckets = NULL;
	ix->j = NULL;
	ix->nslots = ix->aslots = ix->narticles = 0;
	ix->tcap = ix->tn = ix->pbytes = ix->bcap = ix->bn = ix->jn = ix->jcap = 0;
	ix->bfull = 0;
	ix->base = ix->next_id = 0;
	ix->built = NONE;
	ix->broken = 0;
}

struct cluster_index *
cluster_index_new(int64_t horizon)
{
	struct cluster_index *ix = calloc(1, sizeof(*ix));

	if (ix == NULL)
		return NULL;
	ix->horizon = horizon;
	reset(ix);
	return ix;
}

void
cluster_index_free(struct cluster_index *ix)
{
	if (ix == NULL)
		return;
	reset(ix);
	free(ix);
}

size_t
cluster_index_bytes(const struct cluster_index *ix)
{
	return ix->aslots * sizeof(*ix->slots) +
	       ix->tcap * sizeof(*ix->terms) + ix->pbytes +
	       ix->bcap * sizeof(*ix->buckets) + ix->jcap * sizeof(*ix->j);
}

size_t
cluster_index_articles(const struct cluster_index *ix)
{
	return ix->narticles;
}

/* ---- journal ------------------------------------------------------------ */

static int
journal(struct cluster_index *ix, int kind, uint32_t slot, uint64_t key)
{
	if (grow_array((void **)&ix->j, &ix->jcap, ix->jn + 1, sizeof(*ix->j)))
		return -1;
	ix->j[ix->jn].kind = (uint8_t)kind;
	ix->j[ix->jn].slot = slot;
	ix->j[ix->jn].key = key;
	ix->j[ix->jn].next = ix->next_id;
	ix->jn++;
	return 0;
}

/* ---- terms and postings ------------------------------------------------- */

static struct term_ent *
term_find(const struct cluster_index *ix, uint64_t term)
{
	size_t i, mask = ix->tcap - 1;

	if (ix->tcap == 0)
		return NULL;
	term += term == 0;
	for (i = mix64(term) & mask; ix->terms[i].term; i = (i + 1) & mask)
		if (ix->terms[i].term == term)
			return &ix->terms[i];
	return NULL;
}

/* term_slot(ix, term): the entry of ${term}, made when absent. */
static struct term_ent *
term_slot(struct cluster_index *ix, uint64_t term)
{
	size_t i, mask;

	if ((ix->tn + 1) * 10 > ix->tcap * 7) {
		size_t ncap = ix->tcap ? ix->tcap * 2 : 1024, k;
		struct term_ent *nt = calloc(ncap, sizeof(*nt)), *old = ix->terms;

		if (nt == NULL)
			return NULL;
		for (k = 0; k < ix->tcap; k++) {
			if (old[k].term == 0)
				continue;
			for (i = mix64(old[k].term) & (ncap - 1); nt[i].term; i = (i + 1) & (ncap - 1))
				;
			nt[i] = old[k];
		}
		free(old);
		ix->terms = nt;
		ix->tcap = ncap;
	}
	mask = ix->tcap - 1;
	term += term == 0;
	for (i = mix64(term) & mask; ix->terms[i].term; i = (i + 1) & mask)
		if (ix->terms[i].term == term)
			return &ix->terms[i];
	ix->terms[i].term = term;
	ix->terms[i].n = 0;
	ix->terms[i].cap = 0;
	ix->tn++;
	return &ix->terms[i];
}

/*
 * repost(ix, term, slot, at, old): a term counts a story once, so when one
 * of the term's RECENT newest postings is already of ${slot}'s story, no
 * posting is added: ${slot} takes that posting over when its time is no
 * older (the story's newest article: its time keeps the story in later
 * articles' windows), else the posting stays as it is (a feed lists its
 * newest items first, so a story's older articles often come later).
 * Returns 1 with *at and *old (for the journal; putting *old back at *at
 * undoes it) when the story had such a posting, else 0.
 */
static int
repost(struct cluster_index *ix, uint64_t term, uint32_t slot, uint32_t *at, uint32_t *old)
{
	struct term_ent *e = term_find(ix, term);
	uint32_t story = ix->slots[slot].story;
	uint32_t *v, k, stop;

	if (e == NULL || story == 0)
		return 0;
	v = e->cap ? e->u.v : e->u.in;
	stop = e->n > RECENT ? e->n - RECENT : 0;
	for (k = e->n; k-- > stop;) {
		if (ix->slots[v[k]].story == story) {
			*at = k;
			*old = v[k];
			if (ix->slots[slot].time >= ix->slots[v[k]].time)
				v[k] = slot;
			return 1;
		}
	}
	return 0;
}

static void
unrepost(struct cluster_index *ix, uint64_t term, uint32_t at, uint32_t old)
{
	struct term_ent *e = term_find(ix, term);

	if (e && at < e->n)
		(e->cap ? e->u.v : e->u.in)[at] = old;
	else
		ix->broken = 1;
}

static int
post(struct cluster_index *ix, uint64_t term, uint32_t slot)
{
	struct term_ent *e = term_slot(ix, term);

	if (e == NULL)
		return -1;
	if (e->cap == 0 && e->n < INLINE) {
		e->u.in[e->n++] = slot;
		return 0;
	}
	if (e->cap == 0 || e->n == e->cap) {
		/* half again as long: a term's array is on average a fifth
		 * empty, not a third */
		uint32_t ncap = e->cap ? e->cap + e->cap / 2 : 2 * INLINE, *v;

		if (e->cap) {
			if ((v = realloc(e->u.v, ncap * sizeof(*v))) == NULL)
				return -1;
		} else {
			if ((v = malloc(ncap * sizeof(*v))) == NULL)
				return -1;
			memcpy(v, e->u.in, e->n * sizeof(*v));
		}
		ix->pbytes += (ncap - e->cap) * sizeof(*v);
		e->u.v = v;
		e->cap = ncap;
	}
	e->u.v[e->n++] = slot;
	return 0;
}

/* unpost(ix, term, slot): take back the newest posting, which is ${slot}'s
 * (an array, once made, stays). */
static int
unpost(struct cluster_index *ix, uint64_t term, uint32_t slot)
{
	struct term_ent *e = term_find(ix, term);
	uint32_t *v;

	if (e == NULL || e->n == 0)
		return -1;
	v = e->cap ? e->u.v : e->u.in;
	if (v[e->n - 1] != slot)
		return -1;
	e->n--;
	return 0;
}

void
cluster_index_postings(const struct cluster_index *ix, uint64_t term, int64_t tmin,
                       int64_t tmax, size_t limit,
                       int (*fn)(uint64_t, uint64_t, int64_t, void *), void *ctx)
{
	const struct term_ent *e = term_find(ix, term);
	const uint32_t *v;
	int32_t lo = slot_time(ix, tmin), hi = slot_time(ix, tmax);
	uint32_t k;

	if (e == NULL)
		return;
	lo = lo > SLOT_NONE ? lo : SLOT_NONE + 1;
	v = e->cap ? e->u.v : e->u.in;
	/* the slots are read in no order the processor foresees: ask for
	 * them AHEAD postings early, so that their cache misses overlap */
	for (k = e->n; k-- > 0 && k + AHEAD >= e->n;)
		__builtin_prefetch(&ix->slots[v[k]]);
	for (k = e->n; k-- > 0 && limit; limit--) {
		const struct slot *s = &ix->slots[v[k]];

		if (k >= AHEAD)
			__builtin_prefetch(&ix->slots[v[k - AHEAD]]);

		if (s->time < lo || s->time > hi)
			continue;
		if (fn(ix->base + v[k], s->story, time_of_slot(ix, s->time), ctx))
			return;
	}
}

/* ---- buckets ------------------------------------------------------------ */

/* bucket_slot_ok(ix, slot): whether ${slot} can have buckets (once
 * told when not). */
static int
bucket_slot_ok(struct cluster_index *ix, uint32_t slot)
{
	if (slot < BUCKET_SLOT_MAX)
		return 1;
	if (!ix->bfull)
		nf_log(NF_LOG_WARNING, "cluster: more than %lu articles since the candidate index "
		       "was built: the newer ones are not found as copies until it is rebuilt",
		       (unsigned long)BUCKET_SLOT_MAX);
	ix->bfull = 1;
	return 0;
}

static uint32_t
bucket_entry(uint64_t hash, uint32_t slot)
{
	return (uint32_t)(hash >> 56) << BUCKET_SLOT_BITS | (slot + 1);
}

/* bucket_home(ix, hash): where the lookup of ${hash} starts, from its
 * low 32 bits scaled to the table (of any size); bucket_next(ix, i): the
 * place after ${i}. */
static size_t
bucket_home(const struct cluster_index *ix, uint64_t hash)
{
	return (size_t)(((uint64_t)(uint32_t)hash * ix->bcap) >> 32);
}

static size_t
bucket_next(const struct cluster_index *ix, size_t i)
{
	return i + 1 < ix->bcap ? i + 1 : 0;
}

static int
bucket_match(uint32_t e, uint64_t hash)
{
	return e >> BUCKET_SLOT_BITS == (uint32_t)(hash >> 56) && (e & BUCKET_SLOT_MASK) != B_GONE;
}

/* bucket_put(ix, hash, slot): with room made beforehand (bucket_reserve()). */
static void
bucket_put(struct cluster_index *ix, uint64_t hash, uint32_t slot)
{
	size_t i;

	for (i = bucket_home(ix, hash); ix->buckets[i]; i = bucket_next(ix, i))
		;
	ix->buckets[i] = bucket_entry(hash, slot);
	ix->bn++;
}

struct refill {
	struct cluster_index *ix;
	uint64_t below;        /* the article id the refill stops at */
	int failed;
};

static int add_buckets(struct cluster_index *ix, const struct store_article *a, uint32_t slot);

static int
refill_one(const struct store_article *a, void *ctx)
{
	struct refill *r = ctx;
	struct cluster_index *ix = r->ix;
	uint32_t slot;

	if (a->id >= r->below)
		return 1;
	if (a->id < ix->base || a->id - ix->base >= ix->nslots)
		return 0;
	slot = (uint32_t)(a->id - ix->base);
	if (ix->slots[slot].time == SLOT_NONE)
		return 0; /* not in the index */
	if (add_buckets(ix, a, slot)) {
		r->failed = 1;
		return 1;
	}
	return 0;
}

/*
 * bucket_reserve(t, ix, more, below): room for ${more} entries more, at
 * most 7/8 of the table used (up to 24 entries an article make the table
 * the index's bulk, and a probe of 4-byte entries stays within a few cache
 * lines).  A table grows by half (7/12 of it is then used, where doubling
 * would leave less than half) and is refilled from the records of the
 * index's articles below id ${below}, read through ${t}; the old table is
 * freed first (the records are the truth), so that the two are never held
 * at once.  -1 leaves the index without buckets: the caller marks it
 * broken, to be rebuilt.
 */
static int
bucket_reserve(struct store_txn *t, struct cluster_index *ix, size_t more, uint64_t below)
{
	size_t need = ix->bn + more, ncap = ix->bcap ? ix->bcap : 4096;
	struct refill r = {ix, below, 0};
	int refill = ix->bcap > 0 && below > ix->base;

	if (need * 8 <= ix->bcap * 7)
		return 0;
	while (need * 8 > ncap * 7)
		ncap += ncap / 2;
	free(ix->buckets);
	ix->bn = 0;
	if ((ix->buckets = calloc(ncap, sizeof(*ix->buckets))) == NULL) {
		ix->bcap = 0;
		return -1;
	}
	ix->bcap = ncap;
	if (refill && (store_article_each_brief_from(t, ix->base, refill_one, &r) || r.failed)) {
		free(ix->buckets);
		ix->buckets = NULL;
		ix->bcap = ix->bn = 0;
		return -1;
	}
	if (refill)
		nf_log(NF_LOG_DEBUG, "cluster: bucket table grown to %zu entries, refilled with %zu",
		       ncap, ix->bn);
	return 0;
}

/* bucket_del(ix, hash, slot): take the entry back (it stays as B_GONE,
 * for the entries after it to stay reachable, until the table is next
 * refilled). */
static int
bucket_del(struct cluster_index *ix, uint64_t hash, uint32_t slot)
{
	size_t i;
	uint32_t e = bucket_entry(hash, slot);

	if (ix->bcap == 0)
		return -1;
	for (i = bucket_home(ix, hash); ix->buckets[i]; i = bucket_next(ix, i)) {
		if (ix->buckets[i] == e) {
			ix->buckets[i] = (e & ~BUCKET_SLOT_MASK) | B_GONE;
			return 0;
		}
	}
	return -1;
}

void
cluster_index_prefetch(const struct cluster_index *ix, const uint64_t *terms, int nterms,
                       const uint64_t *hashes, int nhashes)
{
	int i;

	/* the places the lookups start at: their cache misses overlap */
	for (i = 0; i < nterms && ix->tcap; i++) {
		uint64_t t = terms[i] + (terms[i] == 0);

		__builtin_prefetch(&ix->terms[mix64(t) & (ix->tcap - 1)]);
	}
	for (i = 0; i < nhashes && ix->bcap; i++)
		__builtin_prefetch(&ix->buckets[bucket_home(ix, hashes[i])]);
	/* then the newest postings of each term found */
	for (i = 0; i < nterms; i++) {
		const struct term_ent *e = term_find(ix, terms[i]);

		if (e && e->cap && e->n)
			__builtin_prefetch(&e->u.v[e->n - 1]);
	}
}

void
cluster_index_bucket(const struct cluster_index *ix, uint64_t hash, int64_t tmin, int64_t tmax,
                     int (*fn)(uint64_t, uint64_t, int64_t, void *), void *ctx)
{
	size_t i;
	int32_t tlo = slot_time(ix, tmin), thi = slot_time(ix, tmax);

	if (ix->bcap == 0)
		return;
	tlo = tlo > SLOT_NONE ? tlo : SLOT_NONE + 1;
	for (i = bucket_home(ix, hash); ix->buckets[i]; i = bucket_next(ix, i)) {
		uint32_t s = (ix->buckets[i] & BUCKET_SLOT_MASK) - 1;
		int32_t t;

		if (!bucket_match(ix->buckets[i], hash) || s >= ix->nslots)
			continue;
		t = ix->slots[s].time;
		if (t < tlo || t > thi)
			continue;
		if (fn(ix->base + s, ix->slots[s].story, time_of_slot(ix, t), ctx))
			return;
	}
}

/* ---- articles ----------------------------------------------------------- */

/* add_buckets(ix, a, slot): ${a}'s buckets, into a table with room; -1
 * when it has none (or no memory). */
static int
add_buckets(struct cluster_index *ix, const struct store_article *a, uint32_t slot)
{
	uint64_t hash[STORE_BANDS];
	uint8_t band[STORE_BANDS];
	int nb, i;

	if (a->tier == TIER_ALONE || !bucket_slot_ok(ix, slot))
		return 0;
	if ((nb = store_band_keys(a, band, hash, STORE_BANDS)) <= 0)
		return 0;
	if ((ix->bn + (size_t)nb) * 8 > ix->bcap * 7)
		return -1;
	for (i = 0; i < nb; i++)
		bucket_put(ix, hash[i], slot);
	return 0;
}

static int
add(struct store_txn *t, struct cluster_index *ix, const struct store_article *a, int logged)
{
	uint64_t posted[STORE_POSTED_TERMS], hash[STORE_BANDS];
	uint8_t band[STORE_BANDS];
	uint32_t slot;
	size_t old_n = ix->nslots;
	int np, nb, i;

	if (a->id < ix->next_id)
		return -1; /* ids only grow */
	if (ix->nslots == 0)
		ix->base = a->id;
	if (a->id - ix->base >= UINT32_MAX)
		return -1;
	slot = (uint32_t)(a->id - ix->base);
	if (grow_array((void **)&ix->slots, &ix->aslots, (size_t)slot + 1, sizeof(*ix->slots)))
		return -1;
	if (logged && journal(ix, J_SLOTS, 0, old_n))
		return -1;
	for (; ix->nslots < slot; ix->nslots++) {
		ix->slots[ix->nslots].story = 0;
		ix->slots[ix->nslots].time = SLOT_NONE;
	}
	ix->slots[slot].story = slot_story(a->story);
	ix->slots[slot].time = slot_time(ix, store_article_time(a));
	ix->nslots = (size_t)slot + 1;
	ix->next_id = a->id + 1;
	ix->narticles++;
	if ((np = store_posted_terms(a, posted)) < 0)
		return -1;
	cluster_index_prefetch(ix, posted, np, NULL, 0);
	for (i = 0; i < np; i++) { /* the slots repost() reads */
		const struct term_ent *e = term_find(ix, posted[i]);
		const uint32_t *v;
		uint32_t k;

		if (e == NULL)
			continue;
		v = e->cap ? e->u.v : e->u.in;
		for (k = e->n; k-- > 0 && k + RECENT >= e->n;)
			__builtin_prefetch(&ix->slots[v[k]]);
	}
	for (i = 0; i < np; i++) {
		uint32_t at, old;

		if (repost(ix, posted[i], slot, &at, &old)) {
			if (logged && journal(ix, J_REPOST, old, posted[i])) {
				unrepost(ix, posted[i], at, old);
				return -1;
			}
			if (logged)
				ix->j[ix->jn - 1].next = at;
			continue;
		}
		if (logged && journal(ix, J_POST, slot, posted[i]))
			return -1;
		if (post(ix, posted[i], slot)) {
			if (logged)
				ix->jn--;
			return -1;
		}
	}
	if (a->tier == TIER_ALONE || !bucket_slot_ok(ix, slot))
		return 0;
	if ((nb = store_band_keys(a, band, hash, STORE_BANDS)) <= 0)
		return 0; /* no usable signature: no buckets */
	if (bucket_reserve(t, ix, (size_t)nb, a->id))
		return -1;
	cluster_index_prefetch(ix, NULL, 0, hash, nb);
	for (i = 0; i < nb; i++) {
		if (logged && journal(ix, J_BUCKET, slot, hash[i]))
			return -1;
		bucket_put(ix, hash[i], slot);
	}
	return 0;
}

int
cluster_index_add(struct store_txn *t, struct cluster_index *ix, const struct store_article *a)
{
	if (ix->broken)
		return 0; /* rebuilt from the store at the next begin */
	if (add(t, ix, a, 1)) {
		ix->broken = 1;
		return -1;
	}
	return 0;
}

int
cluster_index_set_story(struct cluster_index *ix, uint64_t article, uint64_t story)
{
	uint32_t slot;

	if (ix->broken || article < ix->base || article - ix->base >= ix->nslots)
		return 0;
	slot = (uint32_t)(article - ix->base);
	if (journal(ix, J_STORY, slot, ix->slots[slot].story)) {
		ix->broken = 1;
		return -1;
	}
	ix->slots[slot].story = slot_story(story);
	return 0;
}

void
cluster_index_commit(struct cluster_index *ix)
{
	ix->jn = 0;
}

void
cluster_index_abort(struct cluster_index *ix)
{
	while (ix->jn > 0 && !ix->broken) {
		struct jop *o = &ix->j[--ix->jn];

		switch (o->kind) {
		case J_SLOTS:
			while (ix->nslots > o->key) {
				ix->nslots--;
				if (ix->slots[ix->nslots].time != SLOT_NONE)
					ix->narticles--;
			}
			ix->next_id = o->next;
			break;
		case J_REPOST:
			unrepost(ix, o->key, (uint32_t)o->next, o->slot);
			break;
		case J_POST:
			ix->broken |= unpost(ix, o->key, o->slot) != 0;
			break;
		case J_BUCKET:
			ix->broken |= bucket_del(ix, o->key, o->slot) != 0;
			break;
		case J_STORY:
			ix->slots[o->slot].story = (uint32_t)o->key;
			break;
		}
	}
	ix->jn = 0;
}

/* ---- building ----------------------------------------------------------- */

struct scan {
	struct store_txn *t;
	struct cluster_index *ix;
	int64_t since;
	uint64_t first;        /* the first article first seen since ${since} */
	int failed;
};

static int
add_stored(const struct store_article *a, void *ctx)
{
	struct scan *sc = ctx;

	if (add(sc->t, sc->ix, a, 0)) {
		sc->failed = 1;
		return 1;
	}
	return 0;
}

static int
first_seen_of(const struct store_article *a, void *ctx)
{
	struct scan *sc = ctx;

	sc->first = a->first_seen >= sc->since ? a->id : 0;
	return 1;
}

/* horizon_start(t, ix, now, next): the lowest article id first seen in the
 * horizon, by bisection over the ids (first_seen grows with the id but
 * for clock steps; an article the bisection lands before costs only
 * memory). */
static int
horizon_start(struct store_txn *t, struct cluster_index *ix, int64_t now, uint64_t next,
              uint64_t *start)
{
	struct scan sc = {t, ix, now - ix->horizon, 0, 0};
	uint64_t lo = 1, hi = next; /* the answer is in [lo, hi] */

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		sc.first = UINT64_MAX;
		if (store_article_each_brief_from(t, mid, first_seen_of, &sc))
			return -1;
		if (sc.first == UINT64_MAX) /* none from mid on */
			hi = mid;
		else if (sc.first == 0) /* the first from mid on is too old */
			lo = mid + 1;
		else
			hi = mid;
	}
	*start = lo;
	return 0;
}

int
cluster_index_begin(struct store_txn *t, struct cluster_index *ix, int64_t now)
{
	uint64_t next = store_counter(t, "next_article"), from;
	struct scan sc = {t, ix, 0, 0, 0};

	ix->jn = 0;
	if (ix->broken || (ix->built != NONE && now - ix->built > ix->horizon / 2) ||
	    next < ix->next_id) /* a store put back from a copy */
		reset(ix);
	if (ix->built == NONE) {
		if (horizon_start(t, ix, now, next, &from))
			return -1;
		ix->built = now;
		ix->next_id = from;
	}
	/* the articles committed since: all of them on a build, else those
	 * another writer added */
	if (next > ix->next_id) {
		int built = ix->narticles == 0;
		uint64_t more = next - ix->next_id;

		/* room for them all at once, so that the table is not refilled
		 * again and again as it grows */
		more = more < BUCKET_SLOT_MAX ? more : BUCKET_SLOT_MAX;
		if (bucket_reserve(t, ix, (size_t)more * STORE_BANDS, ix->next_id) ||
		    store_article_each_from(t, ix->next_id, add_stored, &sc) || sc.failed) {
			reset(ix);
			return -1;
		}
		ix->next_id = next;
		if (built)
			nf_log(NF_LOG_DEBUG, "cluster: candidate index built: %zu articles, %zu bytes",
			       ix->narticles, cluster_index_bytes(ix));
	}
	return 0;
}
