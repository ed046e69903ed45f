#ifndef NF_CLUSTER_H
#define NF_CLUSTER_H
/*
 * cluster: which story a new article belongs to.
 *
 * Two tiers, applied online as each article arrives:
 *   copies   near-identical text (syndicated wire copy with a dateline or
 *            footer, light edits, a teaser of the full article): MinHash
 *            signatures of word 3-shingles of the whole text and of its
 *            lead, banded for LSH; candidates from shared buckets inside
 *            the time window are verified by their estimated resemblance
 *            (or a SimHash within a few bits); the copy joins its
 *            original's story and points at it (copy_of).  An article of
 *            the same outlet under another title is no candidate: an
 *            outlet does not syndicate its own articles, and the same
 *            text under two of its titles is its boilerplate: an article
 *            whose text is boilerplate is judged by its title alone
 *            (CLUSTER_BOILERPLATE).
 *   stories  the same event in other words: a TF-IDF term vector (document
 *            frequencies kept in the store; title terms weighted up; the
 *            stop words of the article's language out).  Candidate
 *            stories come from the postings of the article's rarest terms
 *            inside the time window; each candidate
 *            is verified by the cosine between the article and the story's
 *            centroid (the sum of its articles' vectors), so a story cannot
 *            chain into a blob through one similar neighbour.  An event's
 *            coverage is bounded in time: an article further than a window
 *            from a story's first article needs a similarity higher by the
 *            ratio (cluster_age_factor()), so that a topic covered day
 *            after day (a daily count of cases) does not grow into one
 *            story of months.
 *
 * The LSH buckets and the postings are the candidate index, held in
 * memory (index.h); the stories, centroids and document frequencies are
 * read and written inside the caller's write transaction.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "store/store.h"

#define CLUSTER_ARTICLE_TERMS 48   /* terms kept per article */
#define CLUSTER_CENTROID_TERMS 256 /* terms kept per story centroid */

struct cluster_opts {
	int64_t window;         /* seconds either side of an article's time;
	                         * how long a story is joined freely */
	double story_threshold; /* cosine to the centroid to join a story
	                         * (times cluster_age_factor()) */
	double copy_threshold;  /* MinHash resemblance of texts to mark a copy */
	int copy_bits;          /* SimHash distance at most this: a copy */
};

void cluster_opts_init(struct cluster_opts *o);

/* cluster_age_factor(o, age): what a similarity to a story counts for
 * when the article is ${age} seconds away from the story's first article:
 * 1 within o->window, else window / age (half at two windows). */
double cluster_age_factor(const struct cluster_opts *o, int64_t age);

/*
 * struct cluster_terms: the raw term counts of one article (tf, title terms
 * counted extra), each term once, in the order first met.  Owned;
 * cluster_terms_release() frees.
 */
struct cluster_terms {
	struct nf_term *v;
	uint32_t n, alloc;
};

/*
 * struct cluster_names: the words an article writes capitalised inside a
 * sentence (names: "Tara Reid", "Gulf of Aden") -- their folded forms'
 * hashes, sorted.  Owned; cluster_names_release() frees.
 */
struct cluster_names {
	uint64_t *h;
	size_t n, alloc;
};

/* cluster_names_scan(text, len, out): add the names of raw (unfolded)
 * ${text} to ${out}. */
int cluster_names_scan(const char *text, size_t len, struct cluster_names *out);
void cluster_names_release(struct cluster_names *n);

/*
 * struct cluster_vocab: what cluster_terms_build() learned of the words it
 * met lately -- whether each is a content word, whether it has a digit,
 * and its term (the hash of its stem) -- so that the frequent ones are not
 * looked up, stemmed and hashed again.  A word is known by its hash (62
 * of the 64 bits) and the language of its text, as a term is by its own.
 * One thread at a time uses one.
 * cluster_vocab_new(): with its own stemmers (English's made at once, the
 * others' when their language is first met); NULL when out of memory.
 * The caller frees it with cluster_vocab_free().
 */
struct cluster_vocab;
struct cluster_vocab *cluster_vocab_new(void);
void cluster_vocab_free(struct cluster_vocab *v);

/* cluster_terms_build(title, body, names, v, out): count the content terms
 * of an article's title and body tokens (the stop words of the language
 * norm_lang_guess() finds in them left out), stemmed through ${v}'s
 * stemmer of that language (English's for a language Snowball does not
 * stem; NULL: unstemmed); title terms, names (${names}, may be NULL) and
 * numbers count extra. */
int cluster_terms_build(const struct norm_tokens *title, const struct norm_tokens *body,
                        const struct cluster_names *names, struct cluster_vocab *v,
                        struct cluster_terms *out);
/* cluster_terms_build_with_title(title, body, names, v, out, title_out):
 * cluster_terms_build(), and into ${title_out} (NULL: not wanted) the
 * counts of the title's terms alone, in the same language: what an
 * article whose text is boilerplate is judged by (cluster_assign()). */
int cluster_terms_build_with_title(const struct norm_tokens *title,
                                   const struct norm_tokens *body,
                                   const struct cluster_names *names, struct cluster_vocab *v,
                                   struct cluster_terms *out, struct cluster_terms *title_out);
void cluster_terms_release(struct cluster_terms *t);

/*
 * struct cluster_df: document frequencies, cached.  Each term is read from
 * the store once and counted in memory.  The counts are written back in
 * key order, either at every transaction or, once cluster_df_batch() is
 * set, in batches: the store's df then counts the articles below its
 * "df_next" (store.h), and the rest are pending in the cache.  Pending
 * counts are never lost: a cache that finds articles past what it counted
 * (another writer's, or its own process's before a crash) counts their
 * records' terms.  A cache that finds the store's counts moved by another
 * writer starts again from them.
 *
 *   cluster_df_begin(t, df)   at the start of each write transaction
 *   cluster_df_flush(t, df)   before the commit of every transaction that
 *                             counted articles: writes the counts when
 *                             due (always, without a batch)
 *   cluster_df_settle(t, df)  instead, to write every pending count now
 *                             (before a process stops)
 *   cluster_df_commit(df)     after the commit
 *   cluster_df_abort(df)      when the transaction aborts or its commit
 *                             fails: its counts are taken back
 *   cluster_df_forget(df)     empties the cache (pending counts are then
 *                             counted again from the records)
 *
 * cluster_df_new() returns NULL when out of memory; the caller frees with
 * cluster_df_free().  One transaction at a time uses a cache.
 */
struct cluster_df;
struct cluster_df *cluster_df_new(void);
void cluster_df_free(struct cluster_df *df);
/* cluster_df_batch(df, docs, seconds): write the counts once ${docs}
 * articles are pending or the oldest has waited ${seconds}; 0 docs: at
 * every transaction (the default). */
void cluster_df_batch(struct cluster_df *df, uint32_t docs, int64_t seconds);
int cluster_df_begin(struct store_txn *t, struct cluster_df *df);
int cluster_df_flush(struct store_txn *t, struct cluster_df *df);
int cluster_df_settle(struct store_txn *t, struct cluster_df *df);
void cluster_df_commit(struct cluster_df *df);
void cluster_df_abort(struct cluster_df *df);
void cluster_df_forget(struct cluster_df *df);
/* cluster_df_pending(df): articles counted and not yet written. */
uint64_t cluster_df_pending(const struct cluster_df *df);

/* cluster_df_add(t, df, terms): count ${terms} in the document
 * frequencies (and one more document); once per new article, before
 * weighing. */
int cluster_df_add(struct store_txn *t, struct cluster_df *df, const struct cluster_terms *terms);

/*
 * cluster_weigh(t, df, terms, out, nout): the article's unit-length TF-IDF
 * vector, its CLUSTER_ARTICLE_TERMS heaviest terms sorted by hash, into
 * ${out} (room for CLUSTER_ARTICLE_TERMS); *nout set.
 */
int cluster_weigh(struct store_txn *t, struct cluster_df *df, const struct cluster_terms *terms,
                  struct nf_term *out, uint32_t *nout);

/*
 * cluster_assign(t, ix, opts, a, lead_probe, alone): put new article ${a}
 * (id, terms, sig, flags, simhash, time, outlet, title set; story 0)
 * into a story, its candidates found through the index ${ix} (index.h):
 * sets a->story, a->tier, a->sim (for TIER_STORY the similarity to the
 * centroid, before cluster_age_factor()), a->sim_with, a->copy_of, writes the
 * story record and adds the article to ${ix}.  ${lead_probe}: its
 * cluster_fingerprint() lead_probe, or NULL when it has none.  ${alone}:
 * the feed opted out of clustering; the article gets a story of its own.
 * Returns 0 or -1, or CLUSTER_BOILERPLATE, having changed nothing but
 * those fields: a's text is its outlet's boilerplate (the text of an
 * earlier article of its outlet under another title), so it is no evidence
 * of a's story.  The caller then sets a's terms to its title's
 * (cluster_terms_build_with_title(), weighed) and STORE_TEXT_BOILERPLATE
 * in a->flags, and calls again: the copy tier is skipped, and the story
 * tier judges a by its title.
 */
#define CLUSTER_BOILERPLATE 1
struct cluster_index;
int cluster_assign(struct store_txn *t, struct cluster_index *ix,
                   const struct cluster_opts *opts, struct store_article *a,
                   const uint32_t *lead_probe, int alone);

/* Copy fingerprints: the lead is the first CLUSTER_LEAD_WORDS words; a
 * text whose lead resembles another's this much (or more) is a copy of it
 * (a teaser and its full article). */
#define CLUSTER_LEAD_WORDS 60
#define CLUSTER_LEAD_COPY 0.80
#define CLUSTER_COPY_MIN_WORDS 12

/*
 * cluster_fingerprint(tok, len, n, sig, simhash, flags, lead_probe): the
 * copy fingerprints of a text of ${n} tokens: STORE_SIG_FULL +
 * STORE_SIG_LEAD MinHash values into ${sig}, its SimHash into *simhash,
 * and into *flags STORE_SIG_WHOLE when the text is no longer than its lead
 * (store.h), else 0.  A longer text also gets, into ${lead_probe},
 * STORE_SIG_FULL values of its lead binned as a full signature: what it
 * looks up to find an article that the lead copies whole (a teaser).
 * Returns the number of signature values (0 when the text is shorter than
 * CLUSTER_COPY_MIN_WORDS: no copy fingerprint), or -1.
 */
int cluster_fingerprint(const char *const *tok, const uint32_t *len, size_t n,
                        uint32_t sig[STORE_SIG_FULL + STORE_SIG_LEAD], uint64_t *simhash,
                        uint64_t *flags, uint32_t lead_probe[STORE_SIG_FULL]);

#endif
