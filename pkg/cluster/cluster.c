#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "cluster/index.h"
#include "simhash/simhash.h"
#include "base/banned.h"

#define TITLE_BOOST 2.0f     /* a title term counts as this many body terms */
#define NAME_BOOST 2.0f      /* a name counts as this many plain words */
#define NUMBER_BOOST 2.0f    /* a number likewise */
#define PROBE_TERMS 12       /* rarest article terms whose postings are read */
#define PROBE_MAX 128       /* postings in the window read per term at most */
#define PROBE_LOOK 4000     /* postings looked at per term at most */
#define CANDIDATES_MAX 512   /* candidate stories counted */
#define VERIFY_MAX 8        /* candidate stories verified by cosine */
#define COPY_CHECK_MAX 200   /* articles of a story checked for a copy */
#define EVIDENCE_REST 0.75     /* share of the threshold the other terms must reach */

void
cluster_opts_init(struct cluster_opts *o)
{
	o->window = 72 * 3600;
	o->story_threshold = 0.20;
	o->copy_threshold = 0.50;
	o->copy_bits = 3;
}

/* ---- terms ------------------------------------------------------------ */

static int
cmp_term_h(const void *a, const void *b)
{
	const struct nf_term *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

/*
 * Term arrays are sorted often (by hash to merge, by weight to keep the
 * heaviest), a few hundred terms at a time, and so are hashes and
 * candidates: typed sorts with the order inline, not qsort()'s callback.
 * Each order is total (hashes are unique in an array) or sorts equal
 * values only, so results do not depend on the algorithm.
 */
#define TERM_BY_H(a, b) ((a).h < (b).h)
#define TERM_BY_W(a, b) ((a).w > (b).w || ((a).w == (b).w && (a).h < (b).h))

#define TYPED_SORT(name, T, LESS)                                                  \
	/* name##_part(v, n): Hoare partition around the middle element;           \
	 * returns j: v[0..j] <= v[j+1..n) */                                      \
	static size_t name##_part(T *v, size_t n)                                  \
	{                                                                          \
		T p = v[(n - 1) / 2], x;                                           \
		size_t i = 0, j = n - 1;                                           \
		for (;;) {                                                         \
			while (LESS(v[i], p))                                      \
				i++;                                               \
			while (LESS(p, v[j]))                                      \
				j--;                                               \
			if (i >= j)                                                \
				return j;                                          \
			x = v[i], v[i] = v[j], v[j] = x;                           \
			i++, j--;                                                  \
		}                                                                  \
	}                                                                          \
	static void name##_ins(T *v, size_t n)                                     \
	{                                                                          \
		size_t i, j;                                                       \
		for (i = 1; i < n; i++) {                                          \
			T x = v[i];                                                \
			for (j = i; j > 0 && LESS(x, v[j - 1]); j--)               \
				v[j] = v[j - 1];                                   \
			v[j] = x;                                                  \
		}                                                                  \
	}                                                                          \
	/* name(v, n): sort; the smaller side recursed, the larger looped */       \
	static void name(T *v, size_t n)                                           \
	{                                                                          \
		while (n > 16) {                                                   \
			size_t j = name##_part(v, n) + 1;                          \
			if (j < n - j) {                                           \
				name(v, j);                                        \
				v += j, n -= j;                                    \
			} else {                                                   \
				name(v + j, n - j);                                \
				n = j;                                             \
			}                                                          \
		}                                                                  \
		name##_ins(v, n);                                                  \
	}

/* name##_top(v, n, k): the first k of the order into v[0..k), unsorted */
#define TYPED_TOP(name, T)                                                         \
	static void name##_top(T *v, size_t n, size_t k)                           \
	{                                                                          \
		while (k > 0 && k < n && n > 16) {                                 \
			size_t j = name##_part(v, n) + 1;                          \
			if (k <= j) {                                              \
				n = j;                                             \
			} else {                                                   \
				v += j, n -= j, k -= j;                            \
			}                                                          \
		}                                                                  \
		if (k > 0 && k < n)                                                \
			name##_ins(v, n);                                          \
	}

TYPED_SORT(terms_sort_h, struct nf_term, TERM_BY_H)
TYPED_SORT(terms_sort_w, struct nf_term, TERM_BY_W)
TYPED_TOP(terms_sort_w, struct nf_term)
#define U64_LESS(a, b) ((a) < (b))
TYPED_SORT(u64_sort, uint64_t, U64_LESS)

/* terms_keep_heaviest(v, n, k): the k heaviest of v[0..n) into v[0..k),
 * sorted by hash; returns how many are kept (min(n, k)). */
static size_t
terms_keep_heaviest(struct nf_term *v, size_t n, size_t k)
{
	if (n > k) {
		terms_sort_w_top(v, n, k);
		n = k;
	}
	terms_sort_h(v, n);
	return n;
}

/*
 * terms_keep_heaviest_sorted(v, n, k, tmp): the same for ${v} already
 * sorted by hash, without sorting it again: the k-th heaviest (weight
 * descending, then hash ascending, as terms_sort_w orders) is found in a
 * copy (${tmp}, room for n), and v keeps, in its order, what ranks no
 * lower.
 */
static size_t
terms_keep_heaviest_sorted(struct nf_term *v, size_t n, size_t k, struct nf_term *tmp)
{
	struct nf_term last;
	size_t i, m = 0;

	if (n <= k)
		return n;
	if (k == 0)
		return 0;
	memcpy(tmp, v, n * sizeof(*v));
	terms_sort_w_top(tmp, n, k);
	last = tmp[0];
	for (i = 1; i < k; i++)
		if (TERM_BY_W(last, tmp[i]))
			last = tmp[i];
	for (i = 0; i < n; i++)
		if (!TERM_BY_W(last, v[i]))
			v[m++] = v[i];
	return m;
}

static int
content_word(const char *w, size_t len, int lang)
{
	size_t i, digits = 0;

	if (len < 2 || len > 40)
		return 0;
	for (i = 0; i < len; i++)
		digits += w[i] >= '0' && w[i] <= '9';
	if (digits == len && len < 2)
		return 0;
	return !norm_is_stopword_in(w, len, lang);
}

static int
terms_push(struct cluster_terms *t, uint64_t h, float w)
{
	if (t->n == t->alloc) {
		uint32_t n = t->alloc ? t->alloc * 2 : 256;
		struct nf_term *v = realloc(t->v, n * sizeof(*v));
		if (v == NULL)
			return -1;
		t->v = v;
		t->alloc = n;
	}
	t->v[t->n].h = h;
	t->v[t->n].w = w;
	t->n++;
	return 0;
}

/* ---- names ------------------------------------------------------------ */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || is_upper(c) || (c >= '0' && c <= '9') || c >= 0x80 ||
	       c == '\'';
}

int
cluster_names_scan(const char *text, size_t len, struct cluster_names *out)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	int sentence_start = 1;
	char w[64];

	while (p < end) {
		const unsigned char *q;
		size_t n, i;

		if (!is_word(*p)) {
			if (*p == '.' || *p == '!' || *p == '?' || *p == '\n' || *p == ':')
				sentence_start = 1;
			p++;
			continue;
		}
		for (q = p; q < end && is_word(*q) && *q != '\''; q++)
			;
		n = (size_t)(q - p);
		/* a capitalised word that does not open a sentence, and is not
		 * all capitals (a shouted headline) unless short (an acronym) */
		if (!sentence_start && is_upper(*p) && n >= 2 && n < sizeof(w)) {
			size_t upper = 0;
			for (i = 0; i < n; i++) {
				upper += is_upper(p[i]);
				w[i] = (char)(is_upper(p[i]) ? p[i] + 32 : p[i]);
			}
			if (upper < n || n <= 5) {
				if (out->n == out->alloc) {
					size_t na = out->alloc ? out->alloc * 2 : 64;
					uint64_t *h = realloc(out->h, na * sizeof(*h));
					if (h == NULL)
						return -1;
					out->h = h;
					out->alloc = na;
				}
				out->h[out->n++] = simhash_feature(w, n);
			}
		}
		sentence_start = 0;
		p = q;
		while (p < end && *p == '\'')
			p++;
	}
	if (out->n)
		u64_sort(out->h, out->n);
	return 0;
}

void
cluster_names_release(struct cluster_names *n)
{
	if (n == NULL)
		return;
	free(n->h);
	memset(n, 0, sizeof(*n));
}

static int
names_has(const struct cluster_names *names, uint64_t h)
{
	return names && names->n &&
	       bsearch(&h, names->h, names->n, sizeof(*names->h), cmp_u64) != NULL;
}

/* ---- vocabulary ------------------------------------------------------- */

/*
 * A direct-mapped table of the words met lately, placed by the top bits of
 * the word's hash: an entry is 16 bytes, so that the table (256 KiB) stays
 * in a core's second-level cache.  key: the word's vocab_key() (its hash,
 * or for a text in another language than English, its hash mixed with the
 * language) with its low two bits replaced by what it is (V_*), 0 for an
 * empty entry; term: its term.
 * A word whose key would be 0 (neither flag, hash bits all 0) is simply
 * never kept.
 */
#define VOCAB_SLOTS 16384 /* a power of two */
#define V_CONTENT 1       /* a content word (content_word()) */
#define V_DIGIT 2         /* with a digit: a number */

struct vocab_ent {
	uint64_t key;
	uint64_t term;
};

struct cluster_vocab {
	struct norm_stemmer *st[64]; /* by language (normalise.h), made when first met */
	struct vocab_ent e[VOCAB_SLOTS];
};

struct cluster_vocab *
cluster_vocab_new(void)
{
	struct cluster_vocab *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	if ((v->st[NORM_LANG_EN] = norm_stemmer_new()) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

/* vocab_stemmer(v, lang, st): ${v}'s stemmer of language ${lang} into
 * *st, made when first asked for; for a language Snowball does not stem,
 * English's, which stems plain ASCII words alone: the English words of a
 * text that mixes them in (Tagalog news does) are stemmed as in English
 * text.  -1 when out of memory. */
static int
vocab_stemmer(struct cluster_vocab *v, int lang, struct norm_stemmer **st)
{
	*st = v->st[NORM_LANG_EN];
	if (lang < 0 || lang >= 64 || !norm_lang_stems(lang))
		return 0;
	if (v->st[lang] == NULL && (v->st[lang] = norm_stemmer_new_lang(lang)) == NULL)
		return -1;
	*st = v->st[lang];
	return 0;
}

void
cluster_vocab_free(struct cluster_vocab *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < NF_ARRAY_LEN(v->st); i++)
		norm_stemmer_free(v->st[i]);
	free(v);
}

#define VOCAB_CHUNK 64 /* words whose places are prefetched together */

static struct vocab_ent *
vocab_place(struct cluster_vocab *v, uint64_t wh)
{
	return &v->e[wh >> 50 & (VOCAB_SLOTS - 1)];
}

/* word_learn(st, w, len, lang, term): what word ${w} of a text in
 * language ${lang} (normalise.h) is (V_* flags, 0: not a content word)
 * and, for a content word, its term into *term: its stem's hash (through
 * ${st}, that language's stemmer; unstemmed when ${st} is NULL). */
static unsigned
word_learn(struct norm_stemmer *st, const char *w, size_t len, int lang, uint64_t *term)
{
	unsigned flags = 0;
	const char *s = w;
	size_t i, n = len;

	if (!content_word(w, len, lang))
		return 0;
	flags = V_CONTENT;
	for (i = 0; i < len; i++)
		if (w[i] >= '0' && w[i] <= '9') {
			flags |= V_DIGIT;
			break;
		}
	if (st)
		s = norm_stem(st, w, len, &n);
	*term = simhash_feature(s, n);
	return flags;
}

/* vocab_key(wh, lang): what the table knows word hash ${wh} by in a text
 * of language ${lang}: a stop word of one language is a content word of
 * another.  English words keep their own hash. */
static uint64_t
vocab_key(uint64_t wh, int lang)
{
	if (lang == NORM_LANG_EN)
		return wh;
	wh ^= (uint64_t)lang * UINT64_C(0x9e3779b97f4a7c15);
	wh ^= wh >> 31;
	wh *= UINT64_C(0xbf58476d1ce4e5b9);
	return wh ^ (wh >> 29);
}

/* word_lookup(v, st, w, len, wk, lang, term): word_learn() for ${w},
 * whose vocab_key() is ${wk}, answered from ${v}'s table when it holds the
 * word (${st}: ${v}'s stemmer of ${lang}). */
static unsigned
word_lookup(struct cluster_vocab *v, struct norm_stemmer *st, const char *w, size_t len,
            uint64_t wk, int lang, uint64_t *term)
{
	struct vocab_ent *e;
	unsigned flags;

	if (v == NULL)
		return word_learn(NULL, w, len, lang, term);
	e = vocab_place(v, wk);
	if (e->key && (e->key ^ wk) <= 3) {
		*term = e->term;
		return (unsigned)(e->key & 3);
	}
	flags = word_learn(st, w, len, lang, term);
	e->key = (wk & ~UINT64_C(3)) | flags;
	e->term = flags ? *term : 0;
	return flags;
}

static int
terms_add_tokens(struct cluster_terms *t, const struct norm_tokens *tk,
                 const struct cluster_names *names, struct cluster_vocab *v, int lang, float w)
{
	struct norm_stemmer *st = NULL;
	size_t i;

	if (tk == NULL)
		return 0;
	if (v && vocab_stemmer(v, lang, &st))
		return -1;
	/* a chunk of words at a time: their places in the vocabulary are
	 * asked for first, so that the cache misses overlap */
	for (i = 0; i < tk->n; i += VOCAB_CHUNK) {
		uint64_t wh[VOCAB_CHUNK], wk[VOCAB_CHUNK];
		size_t j, n = tk->n - i < VOCAB_CHUNK ? tk->n - i : VOCAB_CHUNK;

		for (j = 0; j < n; j++) {
			/* the word's hash also finds it among the names */
			wh[j] = simhash_feature(tk->tok[i + j], tk->len[i + j]);
			wk[j] = vocab_key(wh[j], lang);
			if (v)
				__builtin_prefetch(vocab_place(v, wk[j]));
		}
		for (j = 0; j < n; j++) {
			uint64_t term = 0;
			unsigned flags = word_lookup(v, st, tk->tok[i + j], tk->len[i + j], wk[j],
			                             lang, &term);
			float tw = w;

			if (!(flags & V_CONTENT))
				continue;
			if (names_has(names, wh[j]))
				tw *= NAME_BOOST;
			else if (flags & V_DIGIT)
				tw *= NUMBER_BOOST;
			if (terms_push(t, term, tw))
				return -1;
		}
	}
	return 0;
}

#define TERMS_ROOM 2048 /* table places on the stack: articles of up to 1024 words */

/* terms_merge(out): each term of ${out} once, its counts summed: through
 * a table of where each term went (a term hash is uniform: its low bits
 * place it), not a sort of every occurrence.  0 or -1 (out released). */
static int
terms_merge(struct cluster_terms *out)
{
	uint32_t room[TERMS_ROOM], *at = room;
	size_t cap = 64, mask, k;
	uint32_t i, j;

	if (out->n == 0)
		return 0;
	while (cap < 2 * (size_t)out->n)
		cap *= 2;
	if (cap > TERMS_ROOM && (at = malloc(cap * sizeof(*at))) == NULL) {
		cluster_terms_release(out);
		return -1;
	}
	memset(at, 0, cap * sizeof(*at));
	mask = cap - 1;
	for (i = 0, j = 0; i < out->n; i++) {
		struct nf_term x = out->v[i]; /* j <= i: only places before i are written */

		for (k = x.h & mask; at[k] && out->v[at[k] - 1].h != x.h; k = (k + 1) & mask)
			;
		if (at[k]) {
			out->v[at[k] - 1].w += x.w;
		} else {
			out->v[j++] = x;
			at[k] = j;
		}
	}
	out->n = j;
	if (at != room)
		free(at);
	return 0;
}

int
cluster_terms_build_with_title(const struct norm_tokens *title, const struct norm_tokens *body,
                               const struct cluster_names *names, struct cluster_vocab *v,
                               struct cluster_terms *out, struct cluster_terms *title_out)
{
	int lang = norm_lang_guess(title, body);

	memset(out, 0, sizeof(*out));
	if (title_out)
		memset(title_out, 0, sizeof(*title_out));
	if (terms_add_tokens(out, title, names, v, lang, TITLE_BOOST) ||
	    terms_add_tokens(out, body, names, v, lang, 1.0f) || terms_merge(out))
		goto err;
	if (title_out && (terms_add_tokens(title_out, title, names, v, lang, TITLE_BOOST) ||
	                  terms_merge(title_out)))
		goto err;
	return 0;
err:
	cluster_terms_release(out);
	cluster_terms_release(title_out);
	return -1;
}

int
cluster_terms_build(const struct norm_tokens *title, const struct norm_tokens *body,
                    const struct cluster_names *names, struct cluster_vocab *v,
                    struct cluster_terms *out)
{
	return cluster_terms_build_with_title(title, body, names, v, out, NULL);
}

void
cluster_terms_release(struct cluster_terms *t)
{
	if (t == NULL)
		return;
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- document frequencies ---------------------------------------------- */

/*
 * A cache slot: the term's count as this process sees it (the store's,
 * plus what is pending), what is pending (counted, not yet written), and
 * what the open transaction added (taken back if it aborts).
 */
struct df_slot {
	uint64_t h;
	uint32_t count;
	int32_t delta;   /* pending: not yet in the store */
	int32_t tx;      /* of delta, what the open transaction added */
	uint8_t used;
	uint8_t listed;  /* in changed[] */
	uint8_t in_tx;   /* in txterms[] */
};

struct cluster_df {
	struct df_slot *v;
	size_t cap, n;
	uint64_t *changed;      /* terms with pending counts, for the write */
	size_t nchanged, changed_cap;
	uint64_t *txterms;      /* terms the open transaction counted */
	size_t ntx, tx_cap;
	uint64_t ndocs;         /* the store's, plus pending */
	int64_t ndocs_pending;  /* articles counted, not yet written */
	int64_t ndocs_tx;       /* of those, the open transaction's */
	int64_t pending_since;  /* when the oldest pending article was counted */
	uint64_t stored_ndocs;  /* "ndocs" and "df_next" as the store holds them */
	uint64_t stored_through;
	uint64_t counted_to;    /* articles below this id are counted */
	uint64_t tx_next;       /* the next article id at the open transaction's flush */
	int tx_wrote;           /* the open transaction wrote the pending counts */
	int known;
	uint32_t batch_docs;    /* write once this many articles are pending */
	int64_t batch_age;      /* or the oldest has waited this long (seconds) */
};

struct cluster_df *
cluster_df_new(void)
{
	struct cluster_df *df = calloc(1, sizeof(*df));

	if (df == NULL)
		return NULL;
	df->cap = 4096;
	if ((df->v = calloc(df->cap, sizeof(*df->v))) == NULL) {
		free(df);
		return NULL;
	}
	df->pending_since = NF_TIME_NONE;
	return df;
}

void
cluster_df_batch(struct cluster_df *df, uint32_t docs, int64_t seconds)
{
	df->batch_docs = docs;
	df->batch_age = seconds;
}

void
cluster_df_free(struct cluster_df *df)
{
	if (df == NULL)
		return;
	free(df->v);
	free(df->changed);
	free(df->txterms);
	free(df);
}

void
cluster_df_forget(struct cluster_df *df)
{
	if (df->n)
		memset(df->v, 0, df->cap * sizeof(*df->v));
	df->n = 0;
	df->nchanged = 0;
	df->ntx = 0;
	df->ndocs = 0;
	df->ndocs_pending = 0;
	df->ndocs_tx = 0;
	df->pending_since = NF_TIME_NONE;
	df->tx_wrote = 0;
	df->known = 0;
}

/* terms a cache holds at most (24 bytes a slot, at most half full): past
 * this its counts are written and it starts again empty rather than grow
 * without bound */
#define DF_CACHE_MAX (1u << 19)

static size_t
df_place(const struct cluster_df *df, uint64_t h)
{
	return (size_t)(h ^ (h >> 29)) & (df->cap - 1);
}

static struct df_slot *
df_find(struct cluster_df *df, uint64_t h)
{
	size_t i = df_place(df, h);

	while (df->v[i].used && df->v[i].h != h)
		i = (i + 1) & (df->cap - 1);
	return &df->v[i];
}

static int
df_grow(struct cluster_df *df)
{
	struct df_slot *old = df->v;
	size_t i, oldcap = df->cap;

	if ((df->v = calloc(oldcap * 2, sizeof(*df->v))) == NULL) {
		df->v = old;
		return -1;
	}
	df->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].used)
			*df_find(df, old[i].h) = old[i];
	free(old);
	return 0;
}

/* df_get(t, df, h): the cached slot of term ${h}, read from the store on
 * first use; NULL when out of memory. */
static struct df_slot *
df_get(struct store_txn *t, struct cluster_df *df, uint64_t h)
{
	struct df_slot *s;

	if ((df->n + 1) * 2 > df->cap && df_grow(df))
		return NULL;
	s = df_find(df, h);
	if (!s->used) {
		memset(s, 0, sizeof(*s));
		s->used = 1;
		s->h = h;
		s->count = store_df(t, h);
		df->n++;
	}
	return s;
}

static int
push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		uint64_t *p = realloc(*v, c * sizeof(*p));

		if (p == NULL)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* df_count(t, df, h, in_tx): count one more article holding ${h}, pending;
 * ${in_tx}: the open transaction's (else one committed by another). */
static int
df_count(struct store_txn *t, struct cluster_df *df, uint64_t h, int in_tx)
{
	struct df_slot *s = df_get(t, df, h);

	if (s == NULL)
		return -1;
	if (!s->listed) {
		if (push_u64(&df->changed, &df->nchanged, &df->changed_cap, h))
			return -1;
		s->listed = 1;
	}
	if (in_tx && !s->in_tx) {
		if (push_u64(&df->txterms, &df->ntx, &df->tx_cap, h))
			return -1;
		s->in_tx = 1;
	}
	s->count++;
	s->delta++;
	if (in_tx)
		s->tx++;
	return 0;
}

static void
df_count_doc(struct cluster_df *df, int in_tx)
{
	df->ndocs++;
	df->ndocs_pending++;
	if (in_tx)
		df->ndocs_tx++;
	if (df->pending_since == NF_TIME_NONE)
		df->pending_since = nf_now();
}

struct catch_up {
	struct store_txn *t;
	struct cluster_df *df;
	int rc;
};

static int
catch_up_one(const struct store_article *a, void *ctx)
{
	struct catch_up *c = ctx;
	uint32_t i;

	for (i = 0; i < a->nterms; i++)
		if (df_count(c->t, c->df, a->terms[i].h, 0)) {
			c->rc = -1;
			return 1;
		}
	df_count_doc(c->df, 0);
	c->df->counted_to = a->id + 1;
	return 0;
}

static uint64_t
next_article_id(struct store_txn *t)
{
	uint64_t next = store_counter(t, "next_article");

	return next ? next : 1;
}

int
cluster_df_begin(struct store_txn *t, struct cluster_df *df)
{
	uint64_t ndocs = store_counter(t, "ndocs"), through = store_df_through(t);
	uint64_t next = next_article_id(t);
	struct catch_up c = {t, df, 0};

	df->ntx = 0;
	df->ndocs_tx = 0;
	df->tx_wrote = 0;
	df->tx_next = 0;
	/* another writer wrote counts, or fsck repaired them: start again
	 * from what the store holds */
	if (!df->known || ndocs != df->stored_ndocs || through != df->stored_through ||
	    (df->n > DF_CACHE_MAX && df->ndocs_pending == 0)) {
		cluster_df_forget(df);
		df->stored_ndocs = df->ndocs = ndocs;
		df->stored_through = df->counted_to = through;
		df->known = 1;
	}
	/* articles stored but not counted here (another writer's, or ours
	 * before a crash): their records' terms are counted, pending */
	if (df->counted_to < next) {
		if (store_article_each_from(t, df->counted_to, catch_up_one, &c) || c.rc) {
			cluster_df_forget(df);
			return -1;
		}
		df->counted_to = next;
	}
	return 0;
}

/* df_write(t, df): the pending counts into the store, in key order. */
static int
df_write(struct store_txn *t, struct cluster_df *df)
{
	uint64_t *keys = NULL;
	int32_t *delta = NULL;
	size_t i, k = 0;
	int rc = -1;

	if (df->nchanged &&
	    ((keys = malloc(df->nchanged * sizeof(*keys))) == NULL ||
	     (delta = malloc(df->nchanged * sizeof(*delta))) == NULL))
		goto out;
	for (i = 0; i < df->nchanged; i++) {
		struct df_slot *sl = df_find(df, df->changed[i]);

		if (sl->delta)
			keys[k++] = sl->h;
	}
	u64_sort(keys, k);
	for (i = 0; i < k; i++)
		delta[i] = df_find(df, keys[i])->delta;
	if ((k && store_df_add_many(t, keys, delta, k)) ||
	    (df->ndocs_pending && store_counter_add(t, "ndocs", df->ndocs_pending)) ||
	    store_set_df_through(t, df->tx_next))
		goto out;
	df->tx_wrote = 1;
	rc = 0;
out:
	free(keys);
	free(delta);
	return rc;
}

static int
df_flush(struct store_txn *t, struct cluster_df *df, int force)
{
	int due;

	if (!df->known)
		return 0;
	df->tx_next = next_article_id(t);
	due = force || df->batch_docs == 0 || df->ndocs_pending >= (int64_t)df->batch_docs ||
	      df->n > DF_CACHE_MAX ||
	      (df->pending_since != NF_TIME_NONE && nf_now() - df->pending_since >= df->batch_age);
	if (due && (df->ndocs_pending || df->nchanged || df->tx_next != df->stored_through))
		return df_write(t, df);
	return 0;
}

int
cluster_df_flush(struct store_txn *t, struct cluster_df *df)
{
	return df_flush(t, df, 0);
}

int
cluster_df_settle(struct store_txn *t, struct cluster_df *df)
{
	return df_flush(t, df, 1);
}

void
cluster_df_commit(struct cluster_df *df)
{
	size_t i;

	if (!df->known)
		return;
	for (i = 0; i < df->ntx; i++) {
		struct df_slot *sl = df_find(df, df->txterms[i]);

		sl->tx = 0;
		sl->in_tx = 0;
	}
	df->ntx = 0;
	df->ndocs_tx = 0;
	if (df->tx_next > df->counted_to)
		df->counted_to = df->tx_next;
	if (df->tx_wrote) {
		/* what was pending is the store's now */
		for (i = 0; i < df->nchanged; i++) {
			struct df_slot *sl = df_find(df, df->changed[i]);

			sl->delta = 0;
			sl->listed = 0;
		}
		df->nchanged = 0;
		df->ndocs_pending = 0;
		df->pending_since = NF_TIME_NONE;
		df->stored_ndocs = df->ndocs;
		df->stored_through = df->tx_next;
		df->tx_wrote = 0;
	}
}

void
cluster_df_abort(struct cluster_df *df)
{
	size_t i;

	if (!df->known)
		return;
	for (i = 0; i < df->ntx; i++) {
		struct df_slot *sl = df_find(df, df->txterms[i]);

		sl->count -= (uint32_t)sl->tx;
		sl->delta -= sl->tx;
		sl->tx = 0;
		sl->in_tx = 0;
	}
	df->ntx = 0;
	df->ndocs -= (uint64_t)df->ndocs_tx;
	df->ndocs_pending -= df->ndocs_tx;
	df->ndocs_tx = 0;
	if (df->ndocs_pending == 0)
		df->pending_since = NF_TIME_NONE;
	df->tx_wrote = 0; /* the store did not take them: still pending */
}

uint64_t
cluster_df_pending(const struct cluster_df *df)
{
	return df->known && df->ndocs_pending > 0 ? (uint64_t)df->ndocs_pending : 0;
}

int
cluster_df_add(struct store_txn *t, struct cluster_df *df, const struct cluster_terms *terms)
{
	uint32_t i;

	if (!df->known && cluster_df_begin(t, df))
		return -1;
	/* the cache is large and its places random: ask for them all first,
	 * so that their misses overlap */
	for (i = 0; i < terms->n; i++)
		__builtin_prefetch(&df->v[df_place(df, terms->v[i].h)]);
	for (i = 0; i < terms->n; i++)
		if (df_count(t, df, terms->v[i].h, 1))
			return -1;
	df_count_doc(df, 1);
	return 0;
}

static float
idf(uint64_t ndocs, uint32_t df)
{
	/* smoothed so that a young store does not overrate every term */
	return (float)log((double)(ndocs + 20) / (double)(df + 1));
}

int
cluster_weigh(struct store_txn *t, struct cluster_df *df, const struct cluster_terms *terms,
              struct nf_term *out, uint32_t *nout)
{
	uint64_t ndocs;
	struct nf_term *tmp;
	uint32_t i, n;
	double norm = 0;

	*nout = 0;
	if (terms->n == 0)
		return 0;
	if (!df->known && cluster_df_begin(t, df))
		return -1;
	ndocs = df->ndocs;
	if ((tmp = malloc(terms->n * sizeof(*tmp))) == NULL)
		return -1;
	for (i = 0; i < terms->n; i++) {
		struct df_slot *sl = df_get(t, df, terms->v[i].h);
		float w;

		if (sl == NULL) {
			free(tmp);
			return -1;
		}
		w = (1.0f + logf(terms->v[i].w)) * idf(ndocs, sl->count);
		tmp[i].h = terms->v[i].h;
		tmp[i].w = w > 0 ? w : 0;
	}
	n = terms->n < CLUSTER_ARTICLE_TERMS ? terms->n : CLUSTER_ARTICLE_TERMS;
	terms_sort_w_top(tmp, terms->n, n);
	terms_sort_w(tmp, n); /* the norm is summed heaviest first */
	for (i = 0; i < n; i++)
		norm += (double)tmp[i].w * tmp[i].w;
	norm = sqrt(norm);
	for (i = 0; i < n; i++) {
		out[i].h = tmp[i].h;
		out[i].w = norm > 0 ? (float)(tmp[i].w / norm) : 0;
	}
	free(tmp);
	terms_sort_h(out, n);
	*nout = n;
	return 0;
}

/*
 * dot_evidence(a, na, c, top, norm): dot(a, c) for a story's centroid ${c}
 * as its record holds it, read once: c's norm into *norm, and into *top
 * the largest single term's share of the dot.
 */
static double
dot_evidence(const struct nf_term *a, uint32_t na, const struct store_terms_view *c,
             double *top, double *norm)
{
	uint32_t i = 0, j;
	double s = 0, n = 0, x;

	*top = 0;
	for (j = 0; j < c->n; j++) {
		uint64_t h = store_terms_view_h(c, j);
		double w = store_terms_view_w(c, j);

		n += w * w;
		while (i < na && a[i].h < h)
			i++;
		if (i < na && a[i].h == h) {
			x = (double)a[i++].w * w;
			s += x;
			if (x > *top)
				*top = x;
		}
	}
	*norm = sqrt(n);
	return s;
}

/* ---- candidates ------------------------------------------------------- */

struct cand {
	uint64_t story;
	float score;
	uint32_t term; /* the last probe that counted it */
};

#define CAND_SLOTS 1024 /* a power of two, at least 2 * CANDIDATES_MAX */

struct probe {
	struct cand v[CANDIDATES_MAX];
	size_t n;
	int16_t slot[CAND_SLOTS]; /* story -> index in v, -1 when free */
	float w;       /* the weight of the term being probed */
	uint32_t term; /* which probe this is, from 1 */
	size_t seen;   /* postings read for this term */
};

static int
probe_posting(uint64_t article, uint64_t story, int64_t time, void *ctx)
{
	struct probe *p = ctx;
	size_t i;

	if (++p->seen > PROBE_MAX)
		return 1;
	if (story == 0)
		return 0;
	i = (size_t)(story * UINT64_C(0x9e3779b97f4a7c15) >> 54) & (CAND_SLOTS - 1);
	while (p->slot[i] >= 0 && p->v[p->slot[i]].story != story)
		i = (i + 1) & (CAND_SLOTS - 1);
	if (p->slot[i] >= 0) {
		struct cand *c = &p->v[p->slot[i]];
		if (c->term != p->term) { /* count a story once per term */
			c->score += p->w;
			c->term = p->term;
		}
		return 0;
	}
	if (p->n < CANDIDATES_MAX) {
		p->slot[i] = (int16_t)p->n;
		p->v[p->n].story = story;
		p->v[p->n].score = p->w;
		p->v[p->n].term = p->term;
		p->n++;
	}
	return 0;
}

/* candidates by score, highest first, then by story id */
#define CAND_LESS(a, b) ((a).score > (b).score || ((a).score == (b).score && (a).story < (b).story))

/* cands_best(v, n, k): the first ${k} of v[0..n) in that order into
 * v[0..k), sorted; returns how many (min(n, k)).  One pass, each
 * candidate compared with the k-th best so far: for the few verified
 * among hundreds, cheaper than a selection that partitions them all. */
static size_t
cands_best(struct cand *v, size_t n, size_t k)
{
	size_t i, j, m = 0;

	if (k == 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct cand x = v[i]; /* m <= i: v[i] is not overwritten yet */

		if (m == k && !CAND_LESS(x, v[k - 1]))
			continue;
		for (j = m < k ? m++ : k - 1; j > 0 && CAND_LESS(x, v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return m;
}

/* ---- story update ----------------------------------------------------- */



/*
 * story_add(t, s, a): add article ${a} to story ${s} (new when s->id is 0)
 * and write it.  The story's centroid gains a's vector and keeps its
 * heaviest CLUSTER_CENTROID_TERMS terms.
 */
static int
story_add(struct store_txn *t, struct store_story *s, const struct store_article *a)
{
	struct buf outlets;
	struct nf_term *c = NULL;
	uint64_t *arts = NULL;
	int64_t at = store_article_time(a), old_last = s->id ? s->last_seen : NF_TIME_NONE;
	uint32_t i = 0, j = 0, n = 0;
	int rc = -1;
	const char *outlet = a->outlet ? a->outlet : "";
	int new_outlet = !store_strs_has(s->outlets, s->noutlets, outlet);

	buf_init(&outlets, 0);
	if (s->id == 0) {
		if (store_next_id(t, "story", &s->id))
			return -1;
		s->first_seen = s->last_seen = at;
	}
	/* articles */
	if ((arts = malloc((s->narticles + 1) * sizeof(*arts))) == NULL)
		goto out;
	if (s->narticles)
		memcpy(arts, s->articles, s->narticles * sizeof(*arts));
	arts[s->narticles] = a->id;
	/* outlets */
	if (s->noutlets && buf_append(&outlets, s->outlets, store_strs_len(s->outlets, s->noutlets)))
		goto out;
	if (new_outlet && buf_append(&outlets, outlet, strlen(outlet) + 1))
		goto out;
	/* centroid: merge, then keep the heaviest (the second half of c is
	 * room for terms_keep_heaviest_sorted()) */
	if ((c = malloc(2 * (s->ncentroid + a->nterms) * sizeof(*c) + 1)) == NULL)
		goto out;
	while (i < s->ncentroid || j < a->nterms) {
		if (j == a->nterms || (i < s->ncentroid && s->centroid[i].h < a->terms[j].h))
			c[n++] = s->centroid[i++];
		else if (i == s->ncentroid || a->terms[j].h < s->centroid[i].h)
			c[n++] = a->terms[j++];
		else {
			c[n] = s->centroid[i++];
			c[n++].w += a->terms[j++].w;
		}
	}
	n = (uint32_t)terms_keep_heaviest_sorted(c, n, CLUSTER_CENTROID_TERMS,
	                                         c + s->ncentroid + a->nterms);
	{
		struct store_story ns = *s;

		ns.articles = arts;
		ns.narticles = s->narticles + 1;
		ns.outlets = outlets.data;
		ns.noutlets = s->noutlets + (uint32_t)new_outlet;
		ns.centroid = c;
		ns.ncentroid = n;
		if (at > ns.last_seen)
			ns.last_seen = at;
		if (at < ns.first_seen)
			ns.first_seen = at;
		/* the representative: the earliest original */
		if (s->narticles == 0 || (a->copy_of == 0 && at < s->first_seen)) {
			ns.rep = a->id;
			ns.title = a->title;
		}
		rc = store_story_put(t, &ns, old_last);
	}
out:
	free(arts);
	free(c);
	buf_release(&outlets);
	return rc;
}

/* ---- copies ----------------------------------------------------------- */

#define COPY_CANDIDATES 64  /* candidates verified per article */

int
cluster_fingerprint(const char *const *tok, const uint32_t *len, size_t n,
                    uint32_t sig[STORE_SIG_FULL + STORE_SIG_LEAD], uint64_t *simhash,
                    uint64_t *flags, uint32_t lead_probe[STORE_SIG_FULL])
{
	uint64_t *sh;
	size_t m, lead;

	*simhash = 0;
	*flags = 0;
	if (n < CLUSTER_COPY_MIN_WORDS)
		return 0;
	if ((sh = malloc(n * sizeof(*sh))) == NULL)
		return -1;
	m = simhash_shingles(tok, len, n, 3, sh);
	*simhash = simhash64(sh, NULL, m);
	minhash_oph(sh, m, sig, STORE_SIG_FULL);
	/* the lead's shingles are the first ones of the text */
	lead = n < CLUSTER_LEAD_WORDS ? m : CLUSTER_LEAD_WORDS - 2;
	minhash_oph(sh, lead, sig + STORE_SIG_FULL, STORE_SIG_LEAD);
	if (lead >= m)
		*flags = STORE_SIG_WHOLE;
	else
		minhash_oph(sh, lead, lead_probe, STORE_SIG_FULL);
	free(sh);
	return STORE_SIG_FULL + STORE_SIG_LEAD;
}

struct copy_cands {
	uint64_t id[COPY_CANDIDATES];
	size_t n;
	uint64_t self;
};

static int
copy_candidate(uint64_t article, uint64_t story, int64_t time, void *ctx)
{
	struct copy_cands *c = ctx;
	size_t i;

	if (article == c->self)
		return 0;
	for (i = 0; i < c->n; i++)
		if (c->id[i] == article)
			return 0;
	if (c->n == COPY_CANDIDATES)
		return 1;
	c->id[c->n++] = article;
	return 0;
}

#define FULL_BANDS (STORE_SIG_FULL / STORE_BAND_ROWS)

/*
 * find_copy(t, opts, a, lead_probe, f): an earlier article that ${a}
 * copies, found through the LSH buckets inside the window and verified.  Every band of a's signature is looked up (those of its lead
 * too: an earlier text may be filed under its lead's), and the bands of
 * ${lead_probe} (may be NULL) as full ones: an earlier text that a's lead
 * copies whole is filed under its full signature alone (store.h).
 * Returns 1, or 0 (none), or -1.  With 1: *with is the article it
 * resembles, *orig that one's original (itself when it is no copy),
 * *story their story, *sim the resemblance and *how by what: 0 or a
 * STORE_COPY_* flag.
 */
struct copy_found {
	uint64_t with, orig, story, how;
	double sim;
	int boilerplate; /* an article of a's outlet under another title has its text */
};

/* own_boilerplate(a, o): whether ${o} is of a's outlet under another
 * title.  An outlet does not syndicate its own articles: the same text
 * under another of its titles is its boilerplate (the advice a live blog
 * ends every summary with, the blurb of a daily briefing), and no
 * evidence that the two are one article. */
static int
own_boilerplate(const struct store_article *a, const struct store_article *o)
{
	return a->outlet && o->outlet && strcmp(a->outlet, o->outlet) == 0 &&
	       strcmp(a->title ? a->title : "", o->title ? o->title : "") != 0;
}

static int
find_copy(struct store_txn *t, const struct cluster_index *ix, const struct cluster_opts *opts,
          const struct store_article *a, const uint32_t *lead_probe, struct copy_found *f)
{
	uint64_t hash[STORE_BANDS + FULL_BANDS];
	struct copy_cands c;
	int64_t at = store_article_time(a);
	double best = 0;
	int nb = 0, b, i, found = 0;
	size_t k;

	f->boilerplate = 0;
	if (a->nsig != STORE_SIG_FULL + STORE_SIG_LEAD)
		return 0;
	for (b = 0; b < STORE_BANDS; b++)
		if ((hash[nb] = store_band_hash(a->sig + b * STORE_BAND_ROWS, b)) != 0)
			nb++;
	for (b = 0; lead_probe && b < FULL_BANDS; b++)
		if ((hash[nb] = store_band_hash(lead_probe + b * STORE_BAND_ROWS, b)) != 0)
			nb++;
	if (nb == 0)
		return 0;
	c.n = 0;
	c.self = a->id;
	cluster_index_prefetch(ix, NULL, 0, hash, nb);
	for (i = 0; i < nb; i++)
		cluster_index_bucket(ix, hash[i], at - opts->window, at + opts->window,
		                     copy_candidate, &c);
	for (k = 0; k < c.n; k++) {
		struct store_article o;
		double full, lead, score;
		uint64_t how;
		int d;

		if (store_article_get(t, c.id[k], &o))
			continue;
		if (o.nsig == a->nsig && own_boilerplate(a, &o)) {
			if (minhash_similarity(a->sig, o.sig, STORE_SIG_FULL) >= opts->copy_threshold)
				f->boilerplate = 1;
		} else if (o.nsig == a->nsig && o.story) {
			full = minhash_similarity(a->sig, o.sig, STORE_SIG_FULL);
			lead = minhash_similarity(a->sig + STORE_SIG_FULL, o.sig + STORE_SIG_FULL,
			                          STORE_SIG_LEAD);
			d = simhash_distance(a->simhash, o.simhash);
			how = 0;
			if (full >= opts->copy_threshold)
				score = full;
			else if (lead >= CLUSTER_LEAD_COPY)
				score = lead, how = STORE_COPY_LEAD;
			else if (d <= opts->copy_bits)
				score = 1.0 - d / 64.0, how = STORE_COPY_SIMHASH;
			else
				score = 0;
			if (score > best) {
				best = score;
				f->with = o.id;
				f->orig = o.copy_of ? o.copy_of : o.id;
				f->story = o.story;
				f->sim = score;
				f->how = how;
				found = 1;
			}
		}
		store_article_release(&o);
	}
	return found;
}

/* ---- splitting -------------------------------------------------------- */

/*
 * A story that absorbed an article of a look-alike event (the same kind of
 * event, another place or day) drifts: the next articles of that event
 * match the mixed centroid and join too, and the story chains into a blob.
 * So when an article joins by a narrow margin, the story is bisected
 * (2-means over its articles' vectors); when the two halves' centroids are
 * less alike than the articles of one story are with each other, the
 * smaller half becomes a story of its own.
 */
#define SPLIT_MIN 4          /* articles before a story is ever bisected */
#define SPLIT_MAX 256        /* larger stories are left whole */
#define SPLIT_COS 0.60       /* halves less alike than this are two stories */
#define SPLIT_CONFIDENT 0.70 /* an article this close to the centroid is no drift */
#define SPLIT_ITER 8

struct member {
	uint64_t id, copy_of;
	int64_t time;
	char *title, *outlet;  /* read once the story splits (member_details()) */
	struct nf_term *terms; /* in the caller's pool unless own_terms */
	uint32_t nterms;
	int side, own_terms;
};

static void
members_free(struct member *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].title);
		free(m[i].outlet);
		if (m[i].own_terms)
			free(m[i].terms);
	}
	free(m);
}

/* member_details(m, a): what story_write() needs of article ${a}. */
static int
member_details(struct member *m, const struct store_article *a)
{
	m->copy_of = a->copy_of;
	m->time = store_article_time(a);
	m->title = a->title ? nf_strdup(a->title) : NULL;
	m->outlet = nf_strdup(a->outlet ? a->outlet : "");
	return (a->title && m->title == NULL) || m->outlet == NULL ? -1 : 0;
}

/* member_terms(m, a): ${m} takes a copy of ${a}'s terms. */
static int
member_terms(struct member *m, const struct store_article *a)
{
	m->nterms = a->nterms;
	m->terms = a->nterms ? malloc(a->nterms * sizeof(*m->terms)) : NULL;
	if (a->nterms && m->terms == NULL)
		return -1;
	m->own_terms = a->nterms > 0;
	if (a->nterms)
		memcpy(m->terms, a->terms, a->nterms * sizeof(*m->terms));
	return 0;
}

/* vec_sum(m, n, side, out, nout): the summed vector of the members on
 * ${side} (-1: all), sorted by hash; caller frees *out. */
static int
vec_sum(const struct member *m, size_t n, int side, struct nf_term **out, uint32_t *nout)
{
	struct nf_term *v;
	size_t i, k = 0, total = 0;
	uint32_t j, w;

	for (i = 0; i < n; i++)
		if (side < 0 || m[i].side == side)
			total += m[i].nterms;
	*out = NULL;
	*nout = 0;
	if (total == 0)
		return 0;
	if ((v = malloc(total * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (side < 0 || m[i].side == side)
			for (j = 0; j < m[i].nterms; j++)
				v[k++] = m[i].terms[j];
	terms_sort_h(v, k);
	for (j = 0, w = 0; j < k; j++) {
		if (w && v[w - 1].h == v[j].h)
			v[w - 1].w += v[j].w;
		else
			v[w++] = v[j];
	}
	*out = v;
	*nout = w;
	return 0;
}


/*
 * story_write(t, s, m, n, side, id, old_last): rewrite story ${id} from
 * its members on ${side}: articles, outlets, centroid, times, and the
 * representative (the earliest original).
 */
static int
story_write(struct store_txn *t, const struct store_story *old, const struct member *m,
            size_t n, int side, uint64_t id, int64_t old_last)
{
	struct store_story ns;
	struct buf outlets;
	uint64_t *arts = NULL;
	struct nf_term *c = NULL;
	const struct member *rep = NULL;
	uint32_t nc = 0, no = 0;
	size_t i, k = 0;
	int rc = -1;

	buf_init(&outlets, 0);
	memset(&ns, 0, sizeof(ns));
	if ((arts = malloc(n * sizeof(*arts))) == NULL || vec_sum(m, n, side, &c, &nc))
		goto out;
	for (i = 0; i < n; i++) {
		if (m[i].side != side)
			continue;
		arts[k++] = m[i].id;
		if (!store_strs_has(outlets.data, no, m[i].outlet)) {
			if (buf_append(&outlets, m[i].outlet, strlen(m[i].outlet) + 1))
				goto out;
			no++;
		}
		if (k == 1 || m[i].time < ns.first_seen)
			ns.first_seen = m[i].time;
		if (k == 1 || m[i].time > ns.last_seen)
			ns.last_seen = m[i].time;
		if (rep == NULL || (rep->copy_of && !m[i].copy_of) ||
		    (!rep->copy_of == !m[i].copy_of && m[i].time < rep->time))
			rep = &m[i];
	}
	if (nc > CLUSTER_CENTROID_TERMS)
		nc = (uint32_t)terms_keep_heaviest(c, nc, CLUSTER_CENTROID_TERMS);
	ns.id = id;
	ns.articles = arts;
	ns.narticles = (uint32_t)k;
	ns.outlets = outlets.data;
	ns.noutlets = no;
	ns.centroid = c;
	ns.ncentroid = nc;
	ns.rep = rep ? rep->id : 0;
	ns.title = rep ? rep->title : NULL;
	if (old && old->id == id) {
		ns.read = old->read;
		ns.read_outlets = old->read_outlets;
	}
	rc = store_story_put(t, &ns, old_last);
out:
	free(arts);
	free(c);
	buf_release(&outlets);
	return rc;
}

/* move_article(t, ix, m, story): re-point a stored article. */
static int
move_article(struct store_txn *t, struct cluster_index *ix, const struct member *m,
             uint64_t story)
{
	struct store_article x;
	int rc;

	if ((rc = store_article_get(t, m->id, &x)))
		return rc > 0 ? 0 : -1;
	x.story = story;
	rc = store_article_put(t, &x);
	store_article_release(&x);
	return rc ? rc : cluster_index_set_story(ix, m->id, story);
}

/* bisect(m, n, best): 2-means of the members into m[].side, seeded with
 * the member least like the whole story against all the others; *best is
 * the cosine of the two halves' centroids (2 when a half is empty).  The
 * story's terms are numbered once, so each round is linear in its terms. */
static int
bisect(struct member *m, size_t n, double *best)
{
	struct nf_term *all = NULL, key;
	uint32_t nall, *ix = NULL, j;
	size_t *off = NULL, i, total = 0;
	double *c = NULL, norm[2], low = 2, x;
	int iter, changed, rc = -1, side;
	size_t seed = 0;

	*best = 2;
	if (vec_sum(m, n, -1, &all, &nall) || nall == 0)
		goto out;
	for (i = 0; i < n; i++)
		total += m[i].nterms;
	if ((ix = malloc((total + 1) * sizeof(*ix))) == NULL ||
	    (off = malloc((n + 1) * sizeof(*off))) == NULL ||
	    (c = malloc(2 * (size_t)nall * sizeof(*c))) == NULL)
		goto out;
	for (i = 0, total = 0; i < n; i++) {
		off[i] = total;
		for (j = 0; j < m[i].nterms; j++) {
			const struct nf_term *f;
			key.h = m[i].terms[j].h;
			f = bsearch(&key, all, nall, sizeof(*all), cmp_term_h);
			ix[total++] = (uint32_t)(f - all);
		}
	}
	off[n] = total;
	/* the seed: the member least like the whole */
	for (j = 0, x = 0; j < nall; j++)
		x += (double)all[j].w * all[j].w;
	norm[0] = sqrt(x);
	for (i = 0; i < n; i++) {
		double d = 0;
		for (j = 0; j < m[i].nterms; j++)
			d += (double)m[i].terms[j].w * all[ix[off[i] + j]].w;
		d = norm[0] > 0 ? d / norm[0] : 0;
		if (d < low) {
			low = d;
			seed = i;
		}
	}
	for (i = 0; i < n; i++)
		m[i].side = i != seed;
	for (iter = 0; iter <= SPLIT_ITER; iter++) {
		/* the halves' centroids, dense */
		memset(c, 0, 2 * (size_t)nall * sizeof(*c));
		for (i = 0; i < n; i++)
			for (j = 0; j < m[i].nterms; j++)
				c[(size_t)m[i].side * nall + ix[off[i] + j]] += m[i].terms[j].w;
		for (side = 0; side < 2; side++) {
			for (j = 0, x = 0; j < nall; j++)
				x += c[(size_t)side * nall + j] * c[(size_t)side * nall + j];
			norm[side] = sqrt(x);
		}
		if (iter == SPLIT_ITER)
			break;
		changed = 0;
		for (i = 0; i < n; i++) {
			double d[2] = {0, 0};
			for (side = 0; side < 2; side++) {
				for (j = 0; j < m[i].nterms; j++)
					d[side] += m[i].terms[j].w * c[(size_t)side * nall + ix[off[i] + j]];
				d[side] = norm[side] > 0 ? d[side] / norm[side] : 0;
			}
			side = d[0] > d[1] ? 0 : 1;
			changed += side != m[i].side;
			m[i].side = side;
		}
		if (!changed)
			iter = SPLIT_ITER - 1; /* one more round for the final centroids */
	}
	if (norm[0] > 0 && norm[1] > 0) {
		for (j = 0, x = 0; j < nall; j++)
			x += c[j] * c[(size_t)nall + j];
		*best = x / (norm[0] * norm[1]);
	}
	rc = 0;
out:
	free(all);
	free(ix);
	free(off);
	free(c);
	return rc;
}

/*
 * split_due(n): whether a story that has just grown to ${n} articles is
 * worth a bisection.  Reading every member costs O(n), so past 64 members
 * a story is checked each time it has grown by about a sixteenth: the cost
 * per article stays bounded, and drift still shows within a few joins.
 */
static int
split_due(size_t n)
{
	if (n < SPLIT_MIN || n > SPLIT_MAX)
		return 0;
	return n <= 64 || n % (n / 16) == 0;
}

static int
story_split(struct store_txn *t, struct cluster_index *ix, uint64_t id, struct store_article *a)
{
	struct store_story s;
	struct member *m = NULL;
	struct nf_term *pool = NULL;
	size_t i, n = 0, na, nb;
	int rc = -1, keep;
	double best_cos = 2;
	uint64_t new_id;
	int64_t old_last;

	if (store_story_get(t, id, &s))
		return -1;
	if (s.narticles < SPLIT_MIN || s.narticles > SPLIT_MAX) {
		store_story_release(&s);
		return 0;
	}
	old_last = s.last_seen;
	/* the members' terms alone, into one pool: most checks split nothing */
	if ((m = calloc(s.narticles, sizeof(*m))) == NULL ||
	    (pool = malloc((size_t)s.narticles * CLUSTER_ARTICLE_TERMS * sizeof(*pool))) == NULL)
		goto out;
	for (i = 0; i < s.narticles; i++) {
		struct store_article x;
		struct member *e = &m[n];
		int r;

		e->id = s.articles[i];
		if (e->id == a->id) {
			e->terms = a->terms; /* borrowed: a outlives m */
			e->nterms = a->nterms;
			n++;
			continue;
		}
		e->terms = pool + n * CLUSTER_ARTICLE_TERMS;
		r = store_article_terms(t, e->id, e->terms, CLUSTER_ARTICLE_TERMS, &e->nterms);
		if (r == 2) { /* more terms than this build keeps */
			if ((r = store_article_get(t, e->id, &x)) == 0) {
				r = member_terms(e, &x);
				store_article_release(&x);
			}
		}
		if (r > 0)
			continue;
		if (r < 0)
			goto out;
		n++;
	}
	if (n < SPLIT_MIN) {
		rc = 0;
		goto out;
	}
	/* 2-means seeded with the member least like the story against all
	 * the others (bisect()): it peels off the articles that drifted in.
	 * Balanced seeds (the two members least alike) cut most stories into
	 * halves less alike than SPLIT_COS, real events included: the
	 * threshold holds for this seeding only. */
	if (bisect(m, n, &best_cos))
		goto out;
	for (i = na = nb = 0; i < n; i++)
		m[i].side ? nb++ : na++;
	if (na < 2 || nb < 2 || best_cos >= SPLIT_COS) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct store_article x;
		int r;

		if (m[i].id == a->id) {
			if (member_details(&m[i], a))
				goto out;
			continue;
		}
		if ((r = store_article_get(t, m[i].id, &x))) {
			if (r > 0) /* its terms read, the rest corrupt: no split */
				rc = 0;
			goto out;
		}
		r = member_details(&m[i], &x);
		store_article_release(&x);
		if (r)
			goto out;
	}
	/* the larger half keeps the story; the other becomes a new one */
	keep = na >= nb ? 0 : 1;
	if (store_next_id(t, "story", &new_id))
		goto out;
	for (i = 0; i < n; i++) {
		if (m[i].side == keep)
			continue;
		if (m[i].id == a->id)
			a->story = new_id; /* not stored yet: the caller writes it */
		else if (move_article(t, ix, &m[i], new_id))
			goto out;
	}
	if (story_write(t, &s, m, n, keep, id, old_last) ||
	    story_write(t, NULL, m, n, !keep, new_id, NF_TIME_NONE))
		goto out;
	nf_log(NF_LOG_DEBUG, "cluster: story %llu split: %zu articles moved to story %llu",
	       (unsigned long long)id, keep ? na : nb, (unsigned long long)new_id);
	rc = 0;
out:
	if (m)
		members_free(m, s.narticles);
	free(pool);
	store_story_release(&s);
	return rc;
}

/* ---- assignment ------------------------------------------------------- */

double
cluster_age_factor(const struct cluster_opts *o, int64_t age)
{
	if (age <= o->window || o->window <= 0)
		return 1;
	return (double)o->window / (double)age;
}

int
cluster_assign(struct store_txn *t, struct cluster_index *ix, const struct cluster_opts *opts,
               struct store_article *a, const uint32_t *lead_probe, int alone)
{
	struct probe *p = NULL;
	struct store_story best = {0};
	struct nf_term *probe_terms = NULL;
	int64_t at = store_article_time(a);
	double best_sim = -1, best_score = -1;
	uint64_t best_id = 0;
	uint32_t i, nprobe;
	int rc = -1, found = 0;

	a->story = 0;
	a->copy_of = 0;
	a->tier = alone ? TIER_ALONE : TIER_NEW;
	a->sim = 0;
	a->sim_with = 0;
	if (alone)
		goto new_story;

	/* tier 1: a copy of an earlier article joins its original's story */
	if (!(a->flags & STORE_TEXT_BOILERPLATE)) {
		struct copy_found f;
		int r = find_copy(t, ix, opts, a, lead_probe, &f);

		if (r < 0)
			goto out;
		if (!r && f.boilerplate) {
			rc = CLUSTER_BOILERPLATE; /* judged by its title, in the next call */
			goto out;
		}
		if (r && store_story_get(t, f.story, &best) == 0) {
			found = 1;
			a->story = best.id;
			a->tier = TIER_COPY;
			a->copy_of = f.orig;
			a->sim = (float)f.sim;
			a->sim_with = f.with;
			a->flags = (a->flags & ~(uint64_t)(STORE_COPY_LEAD | STORE_COPY_SIMHASH)) | f.how;
			if (story_add(t, &best, a))
				goto out;
			goto postings;
		}
	}
	if (a->nterms == 0)
		goto new_story;

	/* not zeroed: candidates and centroids are written before they are read */
	if ((p = malloc(sizeof(*p))) == NULL ||
	    (probe_terms = malloc(a->nterms * sizeof(*probe_terms))) == NULL)
		goto out;
	p->n = 0;
	memset(p->slot, 0xff, sizeof(p->slot));
	/* probe the heaviest (rarest) terms */
	memcpy(probe_terms, a->terms, a->nterms * sizeof(*probe_terms));
	nprobe = a->nterms < PROBE_TERMS ? a->nterms : PROBE_TERMS;
	terms_sort_w_top(probe_terms, a->nterms, nprobe);
	terms_sort_w(probe_terms, nprobe);
	{
		uint64_t ph[PROBE_TERMS];

		for (i = 0; i < nprobe; i++)
			ph[i] = probe_terms[i].h;
		cluster_index_prefetch(ix, ph, (int)nprobe, NULL, 0);
	}
	for (i = 0; i < nprobe; i++) {
		p->w = probe_terms[i].w;
		p->seen = 0;
		p->term = i + 1;
		cluster_index_postings(ix, probe_terms[i].h, at - opts->window, at + opts->window,
		                       PROBE_LOOK, probe_posting, p);
	}
	p->n = cands_best(p->v, p->n, VERIFY_MAX);
	/* each candidate's centroid alone is read to compare, where it lies;
	 * the best story is read whole once */
	for (i = 0; i < p->n; i++) {
		struct store_terms_view c;
		double sim, cn, top, score;
		int64_t first, age;

		if (store_story_centroid(t, p->v[i].story, &c, &first))
			continue;
		sim = dot_evidence(a->terms, a->nterms, &c, &top, &cn);
		sim = cn > 0 ? sim / cn : 0;
		/* one shared term is no evidence of one event: the match must
		 * hold without its strongest term too */
		if (cn > 0 && sim - top / cn < opts->story_threshold * EVIDENCE_REST)
			sim = sim - top / cn;
		/* an event's coverage is bounded in time: past a window from
		 * the story's first article, it takes more to join it */
		age = at > first ? at - first : first - at;
		score = sim * cluster_age_factor(opts, age);
		if (score > best_score) {
			best_score = score;
			best_sim = sim;
			best_id = p->v[i].story;
		}
	}
	if (best_id && best_score >= opts->story_threshold &&
	    store_story_get(t, best_id, &best) == 0) {
		found = 1;
		a->story = best.id;
		a->tier = TIER_STORY;
		a->sim = (float)best_sim;
		a->sim_with = best.id;
		if (story_add(t, &best, a))
			goto out;
		if (best_sim < SPLIT_CONFIDENT && split_due(best.narticles + 1) &&
		    story_split(t, ix, best.id, a))
			goto out;
		goto postings;
	}
	store_story_release(&best);
	memset(&best, 0, sizeof(best));

new_story:
	memset(&best, 0, sizeof(best));
	if (story_add(t, &best, a))
		goto out;
	a->story = best.id;
	best.articles = NULL; /* story_add() did not take ownership of anything */
postings:
	/* the candidate index learns of it: its heaviest terms are posted,
	 * its buckets filled (a slot alone for an article kept alone) */
	if (cluster_index_add(t, ix, a))
		goto out;
	rc = 0;
out:
	if (found)
		store_story_release(&best);
	free(probe_terms);
	free(p);
	return rc;
}
