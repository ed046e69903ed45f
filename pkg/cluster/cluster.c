#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "simhash/simhash.h"
#include "base/banned.h"

#define TITLE_BOOST 2.0f     /* a title term counts as this many body terms */
#define PROBE_TERMS 12       /* rarest article terms whose postings are read */
#define PROBE_MAX 4000       /* postings read per term at most */
#define CANDIDATES_MAX 512   /* candidate stories counted */
#define VERIFY_MAX 24        /* candidate stories verified by cosine */
#define COPY_CHECK_MAX 200   /* articles of a story checked for a copy */

void
cluster_opts_init(struct cluster_opts *o)
{
	o->window = 72 * 3600;
	o->story_threshold = 0.25;
	o->copy_bits = 3;
}

/* ---- terms ------------------------------------------------------------ */

static int
cmp_term_h(const void *a, const void *b)
{
	const struct nf_term *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

static int
cmp_term_w_desc(const void *a, const void *b)
{
	const struct nf_term *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->h < y->h ? -1 : x->h > y->h;
}

static int
content_word(const char *w, size_t len)
{
	size_t i, digits = 0;

	if (len < 2 || len > 40)
		return 0;
	for (i = 0; i < len; i++)
		digits += w[i] >= '0' && w[i] <= '9';
	if (digits == len && len < 2)
		return 0;
	return !norm_is_stopword(w, len);
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

static int
terms_add_tokens(struct cluster_terms *t, const struct norm_tokens *tk,
                 struct norm_stemmer *st, float w)
{
	const char *s;
	size_t i, n;

	if (tk == NULL)
		return 0;
	for (i = 0; i < tk->n; i++) {
		if (!content_word(tk->tok[i], tk->len[i]))
			continue;
		s = st ? norm_stem(st, tk->tok[i], tk->len[i], &n) : tk->tok[i];
		if (st == NULL)
			n = tk->len[i];
		if (terms_push(t, simhash_feature(s, n), w))
			return -1;
	}
	return 0;
}

int
cluster_terms_build(const struct norm_tokens *title, const struct norm_tokens *body,
                    struct norm_stemmer *st, struct cluster_terms *out)
{
	uint32_t i, j;

	memset(out, 0, sizeof(*out));
	if (terms_add_tokens(out, title, st, TITLE_BOOST) || terms_add_tokens(out, body, st, 1.0f)) {
		cluster_terms_release(out);
		return -1;
	}
	if (out->n == 0)
		return 0;
	qsort(out->v, out->n, sizeof(*out->v), cmp_term_h);
	for (i = 0, j = 0; i < out->n; i++) {
		if (j && out->v[j - 1].h == out->v[i].h)
			out->v[j - 1].w += out->v[i].w;
		else
			out->v[j++] = out->v[i];
	}
	out->n = j;
	return 0;
}

void
cluster_terms_release(struct cluster_terms *t)
{
	if (t == NULL)
		return;
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
cluster_df_add(struct store_txn *t, const struct cluster_terms *terms)
{
	uint32_t i;

	for (i = 0; i < terms->n; i++)
		if (store_df_add(t, terms->v[i].h, 1))
			return -1;
	return store_counter_add(t, "ndocs", 1);
}

static float
idf(uint64_t ndocs, uint32_t df)
{
	/* smoothed so that a young store does not overrate every term */
	return (float)log((double)(ndocs + 20) / (double)(df + 1));
}

int
cluster_weigh(struct store_txn *t, const struct cluster_terms *terms, struct nf_term *out,
              uint32_t *nout)
{
	uint64_t ndocs = store_counter(t, "ndocs");
	struct nf_term *tmp;
	uint32_t i, n;
	double norm = 0;

	*nout = 0;
	if (terms->n == 0)
		return 0;
	if ((tmp = malloc(terms->n * sizeof(*tmp))) == NULL)
		return -1;
	for (i = 0; i < terms->n; i++) {
		float w = (1.0f + logf(terms->v[i].w)) * idf(ndocs, store_df(t, terms->v[i].h));
		tmp[i].h = terms->v[i].h;
		tmp[i].w = w > 0 ? w : 0;
	}
	qsort(tmp, terms->n, sizeof(*tmp), cmp_term_w_desc);
	n = terms->n < CLUSTER_ARTICLE_TERMS ? terms->n : CLUSTER_ARTICLE_TERMS;
	for (i = 0; i < n; i++)
		norm += (double)tmp[i].w * tmp[i].w;
	norm = sqrt(norm);
	for (i = 0; i < n; i++) {
		out[i].h = tmp[i].h;
		out[i].w = norm > 0 ? (float)(tmp[i].w / norm) : 0;
	}
	free(tmp);
	qsort(out, n, sizeof(*out), cmp_term_h);
	*nout = n;
	return 0;
}

/* dot(a, b): both sorted by hash. */
static double
dot(const struct nf_term *a, uint32_t na, const struct nf_term *b, uint32_t nb)
{
	uint32_t i = 0, j = 0;
	double s = 0;

	while (i < na && j < nb) {
		if (a[i].h == b[j].h)
			s += (double)a[i++].w * b[j++].w;
		else if (a[i].h < b[j].h)
			i++;
		else
			j++;
	}
	return s;
}

static double
vnorm(const struct nf_term *a, uint32_t n)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += (double)a[i].w * a[i].w;
	return sqrt(s);
}

/* ---- candidates ------------------------------------------------------- */

struct cand {
	uint64_t story;
	float score;
};

struct probe {
	struct cand v[CANDIDATES_MAX];
	size_t n;
	float w;     /* the weight of the term being probed */
	size_t seen; /* postings read for this term */
	uint64_t last_story;
};

static int
probe_posting(uint64_t article, uint64_t story, int64_t time, void *ctx)
{
	struct probe *p = ctx;
	size_t i;

	if (++p->seen > PROBE_MAX)
		return 1;
	if (story == 0 || story == p->last_story)
		return 0; /* count a story once per term */
	for (i = 0; i < p->n; i++)
		if (p->v[i].story == story) {
			p->v[i].score += p->w;
			p->last_story = story;
			return 0;
		}
	if (p->n < CANDIDATES_MAX) {
		p->v[p->n].story = story;
		p->v[p->n].score = p->w;
		p->n++;
	}
	p->last_story = story;
	return 0;
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->story < y->story ? -1 : x->story > y->story;
}

/* ---- story update ----------------------------------------------------- */

static size_t
mstr_len(const char *s, uint32_t n)
{
	size_t len = 0;

	while (n--)
		len += strlen(s + len) + 1;
	return len;
}

static int
outlets_has(const char *outlets, uint32_t n, const char *o)
{
	while (n--) {
		if (strcmp(outlets, o) == 0)
			return 1;
		outlets += strlen(outlets) + 1;
	}
	return 0;
}

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
	if (s->noutlets && buf_append(&outlets, s->outlets, mstr_len(s->outlets, s->noutlets)))
		goto out;
	if (!outlets_has(s->outlets ? s->outlets : "", s->noutlets, outlet) &&
	    buf_append(&outlets, outlet, strlen(outlet) + 1))
		goto out;
	/* centroid: merge, then keep the heaviest */
	if ((c = malloc((s->ncentroid + a->nterms) * sizeof(*c) + 1)) == NULL)
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
	if (n > CLUSTER_CENTROID_TERMS) {
		qsort(c, n, sizeof(*c), cmp_term_w_desc);
		n = CLUSTER_CENTROID_TERMS;
		qsort(c, n, sizeof(*c), cmp_term_h);
	}
	{
		struct store_story ns = *s;
		int new_outlet = !outlets_has(s->outlets ? s->outlets : "", s->noutlets, outlet);

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

static int
find_copy(struct store_txn *t, const struct store_story *s, const struct store_article *a,
          int bits, uint64_t *orig, int *dist)
{
	uint32_t i, from;

	if (a->simhash == 0)
		return 0;
	from = s->narticles > COPY_CHECK_MAX ? s->narticles - COPY_CHECK_MAX : 0;
	for (i = from; i < s->narticles; i++) {
		struct store_article o;
		int d;

		if (store_article_get(t, s->articles[i], &o))
			continue;
		d = o.simhash ? simhash_distance(o.simhash, a->simhash) : 64;
		if (d <= bits) {
			*orig = o.copy_of ? o.copy_of : o.id;
			*dist = d;
			store_article_release(&o);
			return 1;
		}
		store_article_release(&o);
	}
	return 0;
}

/* ---- assignment ------------------------------------------------------- */

int
cluster_assign(struct store_txn *t, const struct cluster_opts *opts, struct store_article *a,
               int alone)
{
	struct probe *p = NULL;
	struct store_story best = {0}, cs;
	struct nf_term *probe_terms = NULL;
	int64_t at = store_article_time(a);
	double best_sim = -1;
	uint32_t i, nprobe;
	int rc = -1, found = 0;

	a->story = 0;
	a->copy_of = 0;
	a->tier = alone ? TIER_ALONE : TIER_NEW;
	a->sim = 0;
	a->sim_with = 0;
	if (alone || a->nterms == 0)
		goto new_story;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (probe_terms = malloc(a->nterms * sizeof(*probe_terms))) == NULL)
		goto out;
	/* probe the heaviest (rarest) terms */
	memcpy(probe_terms, a->terms, a->nterms * sizeof(*probe_terms));
	qsort(probe_terms, a->nterms, sizeof(*probe_terms), cmp_term_w_desc);
	nprobe = a->nterms < PROBE_TERMS ? a->nterms : PROBE_TERMS;
	for (i = 0; i < nprobe; i++) {
		p->w = probe_terms[i].w;
		p->seen = 0;
		p->last_story = 0;
		if (store_postings_scan(t, probe_terms[i].h, at - opts->window, at + opts->window,
		                        probe_posting, p))
			goto out;
	}
	qsort(p->v, p->n, sizeof(p->v[0]), cmp_cand);
	for (i = 0; i < p->n && i < VERIFY_MAX; i++) {
		double sim, cn;

		if (store_story_get(t, p->v[i].story, &cs))
			continue;
		cn = vnorm(cs.centroid, cs.ncentroid);
		sim = cn > 0 ? dot(a->terms, a->nterms, cs.centroid, cs.ncentroid) / cn : 0;
		if (sim > best_sim) {
			store_story_release(&best);
			best = cs;
			best_sim = sim;
			found = 1;
		} else {
			store_story_release(&cs);
		}
	}
	if (found && best_sim >= opts->story_threshold) {
		uint64_t orig;
		int d;

		a->story = best.id;
		a->tier = TIER_STORY;
		a->sim = (float)best_sim;
		a->sim_with = best.id;
		if (find_copy(t, &best, a, opts->copy_bits, &orig, &d)) {
			a->tier = TIER_COPY;
			a->copy_of = orig;
			a->sim = 1.0f - (float)d / 64.0f;
			a->sim_with = orig;
		}
		if (story_add(t, &best, a))
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
	if (!alone)
		for (i = 0; i < a->nterms; i++)
			if (store_posting_put(t, a->terms[i].h, at, a->id, a->story))
				goto out;
	rc = 0;
out:
	if (found)
		store_story_release(&best);
	free(probe_terms);
	free(p);
	return rc;
}
