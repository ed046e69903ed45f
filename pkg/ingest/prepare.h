#ifndef NF_INGEST_PREPARE_H
#define NF_INGEST_PREPARE_H
/*
 * prepare: ingest_feed() in two halves, so that a pipeline can run them on
 * two threads (worker.h):
 *
 *   ingest_prepare()  parses the fetched body and does, for each entry,
 *                     the work that needs no write transaction: its text,
 *                     canonical URL, identity keys and, for an entry the
 *                     store does not hold yet, its tokens, raw terms
 *                     (stemmed), copy fingerprints, outlet and summary.
 *                     Pure: what it prepares depends on the entry alone.
 *   ingest_store()    stores the prepared feed in one write transaction,
 *                     as ingest_feed() does: the key lookups, the document
 *                     frequencies, the weighing and the clustering.
 *
 * The store decides with its own transaction whether an entry is new; an
 * entry it finds new that was not prepared in full (the prepare saw its
 * key, since removed; or the prepare failed) is prepared there and then,
 * with the same code, so the stored result never depends on which thread
 * prepared what, or when.
 */
#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "feed/feed.h"

#define PREP_BUDGET (16u << 20) /* bytes of prepared entries per feed */

/*
 * struct ingest_preparer: a vocabulary (cluster_vocab, with its stemmer)
 * and the buffers of one preparation, reused from entry to entry.  One
 * thread at a time uses one (libstemmer is not thread-safe).
 * ingest_preparer_new() returns NULL when out of memory;
 * ingest_preparer_free(NULL) does nothing.
 */
struct ingest_preparer;
struct ingest_preparer *ingest_preparer_new(void);
void ingest_preparer_free(struct ingest_preparer *p);

/* struct ingest_prepared: one fetch outcome, parsed and prepared; it owns
 * the parsed document and every prepared entry. */
struct ingest_prepared;

/*
 * ingest_prepare(p, s, sub, res, out, err): parse ${res} (when FETCH_OK)
 * and prepare its entries with ${p}.  With ${s}, the prepare reads the
 * store (a read transaction of its own) to skip the heavy part of entries
 * whose identity is already stored; ${s} NULL prepares every entry in
 * full.  ${p} NULL only parses: ingest_store() prepares each entry itself
 * (what ingest_feed() does, on one thread).  The entries past the first
 * PREP_BUDGET bytes prepared are left to ingest_store() too, so that a
 * feed of a hundred thousand entries does not hold them all prepared at
 * once.  Returns 0 with *${out} (the
 * caller frees it with ingest_prepared_free()), or -1 with ${err} when the
 * body could not be parsed at all (then nothing is to be stored, as when
 * ingest_feed() fails).  Nothing prepared points into ${sub} or ${res}.
 */
int ingest_prepare(struct ingest_preparer *p, struct store *s, const struct feed_sub *sub,
                   const struct fetch_res *res, struct ingest_prepared **out,
                   struct nf_err *err);
void ingest_prepared_free(struct ingest_prepared *pf);

/*
 * ingest_store(s, opts, sub, res, pf, stats, err): store ${pf}, prepared
 * from the same ${sub} and ${res}, in one write transaction, with
 * ingest_feed()'s outcome and results (a transaction that found the map
 * full is redone on a grown map with the same prepared data, which it
 * does not change).  Entries that need preparing there use the vocabulary
 * of ${opts}'s cache (or one of its own).
 */
int ingest_store(struct store *s, const struct ingest_opts *opts, const struct feed_sub *sub,
                 const struct fetch_res *res, const struct ingest_prepared *pf,
                 struct ingest_stats *stats, struct nf_err *err);

/* ---- between prepare.c and ingest.c ---------------------------------- */

enum prep_state {
	PREP_NONE = 0, /* nothing prepared: ingest_store() does it all */
	PREP_KEYS,     /* title, canonical URL, identity keys */
	PREP_FULL      /* and everything a new article needs */
};

/* One entry, prepared.  Every pointer is owned (prep_entry_release()). */
struct prep_entry {
	enum prep_state state;
	char *title;      /* the text of its title (or its first words); NULL: none */
	size_t title_len;
	char *canon;      /* its canonical URL; NULL: none */
	size_t canon_len;
	unsigned char keys[3][17]; /* identity keys, in lookup order */
	int nkeys;                 /* 0: nothing to identify it by */
	/* PREP_FULL */
	struct cluster_terms raw;  /* raw term counts (cluster_terms_build) */
	struct cluster_terms title_raw; /* its title's alone, for when its text
	                                 * is boilerplate (cluster_assign()) */
	uint32_t *sig;             /* nsig copy fingerprints; NULL when none */
	uint32_t nsig;
	uint64_t sig_flags;        /* STORE_SIG_WHOLE or 0 */
	uint32_t *lead_probe;      /* STORE_SIG_FULL values after sig's, in the
	                            * same allocation; NULL: none
	                            * (cluster_fingerprint()) */
	uint64_t simhash;
	char *outlet;
	char *summary;             /* NULL: no text */
};

struct ingest_prepared {
	struct feed_doc *doc;   /* NULL: nothing parsed (not fetched, or not a feed) */
	const char *doc_error;  /* why the body is not a feed (derr), or NULL */
	struct prep_entry *ent; /* doc->nentries of them, or NULL: none prepared */
	char derr[600];
};

/* struct ingest_preparer's innards: ingest_store() keeps one on its stack. */
struct ingest_preparer {
	struct cluster_vocab *vocab;
	int own_vocab;
	struct buf title, body, fold, canon, outlet;
	struct norm_tokens ttok, btok;
};

/* prep_init(p, vocab): buffers for a preparer using ${vocab} (borrowed);
 * prep_release(p) frees them. */
void prep_init(struct ingest_preparer *p, struct cluster_vocab *vocab);
void prep_release(struct ingest_preparer *p);

/*
 * prep_keys(p, sub, doc_url, e, pe): the text, canonical URL and identity
 * keys of entry ${e} into ${pe} (state PREP_KEYS); the body's text stays
 * in ${p} for prep_full().  prep_full(p, sub, pe): the rest, right after
 * prep_keys() on the same ${p} (state PREP_FULL).  0, or -1 (out of
 * memory) with ${pe} as it was before the call's work.
 */
int prep_keys(struct ingest_preparer *p, const struct feed_sub *sub, const char *doc_url,
              const struct feed_entry *e, struct prep_entry *pe);
int prep_full(struct ingest_preparer *p, const struct feed_sub *sub, struct prep_entry *pe);
/* prep_entry_release(pe): free what ${pe} owns; it is PREP_NONE after. */
void prep_entry_release(struct prep_entry *pe);

#endif
