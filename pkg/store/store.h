#ifndef NF_STORE_H
#define NF_STORE_H
/*
 * store: newsfold's LMDB database.
 *
 * One environment (a directory holding data.mdb and lock.mdb) with these
 * named databases.  Integers in keys are big-endian so that LMDB's byte
 * order is numeric order; "time" in a key is the UTC second + 2^63 (so
 * negative times sort first).
 *
 *   meta       "format" -> u32 format version (STORE_FORMAT)
 *              "next_article", "next_story" -> u64 the next id to give
 *              "ndocs" -> u64 articles counted in the term statistics
 *   feeds      feed URL (bytes, at most 500) -> feed record
 *   articles   u64 id -> article record; ids only grow (MDB_APPEND)
 *   keys       identity key -> u64 article id.  An identity key is one tag
 *              byte and the 128-bit XXH3 of its text: 'g' (feed URL, NUL,
 *              guid), 'u' (canonical URL), 't' (title, NUL, published).
 *   stories    u64 id -> story record
 *   story_time (time last_seen, u64 story id) -> empty; newest last
 *   postings   (u64 term, time, u64 article id) -> u64 story id: the
 *              articles of each term, in time order, for candidate lookup
 *   df         u64 term -> u32 number of articles holding the term
 *   bands      (u8 band, u64 band hash, time, u64 article id) -> u64 story
 *              id: the LSH buckets of the copy tier (see store_band_*)
 *
 * Records are a format byte followed by fields in a fixed order (varints,
 * NUL-terminated strings, raw little-endian arrays); see store.c.  A
 * record that fails to decode is reported as corrupt, never trusted.
 *
 * Memory: strings of a record read from the store point into LMDB's map
 * and are valid only until the end of the transaction (or the next write
 * in it) -- LMDB's own rule, passed on.  Arrays a get() allocates are freed
 * by the matching *_release().  For a put(), the caller keeps ownership of
 * everything it passes.
 *
 * Transactions: one writer at a time (LMDB's lock; a second writer waits),
 * readers never block and see only committed transactions.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define STORE_FORMAT 1

struct store;
struct store_txn;

enum {
	STORE_RDONLY = 1,     /* open for reading only */
	STORE_SYNC_BATCH = 2, /* no fsync per commit: at most ~1 s lost on a crash */
};

/*
 * store_open(dir, flags, err): open (creating ${dir} and the database when
 * absent and not STORE_RDONLY) the store in ${dir}.  A database of a newer
 * format is refused.  Returns a handle for store_close(), or NULL.
 */
struct store *store_open(const char *dir, unsigned flags, struct nf_err *err);
void store_close(struct store *s);
/* store_path(s): the directory; borrowed. */
const char *store_path(const struct store *s);
/* store_size(s): bytes used on disk by the data file. */
uint64_t store_size(const struct store *s);

/* store_begin(s, write, err): a new transaction; NULL on failure. */
struct store_txn *store_begin(struct store *s, int write, struct nf_err *err);
/* store_commit(t, err): commit and free ${t}; -1 when the commit failed
 * (nothing of it is stored).  ${map_full} is set when the reason was a full
 * map, so the caller can store_grow() and redo the batch. */
int store_commit(struct store_txn *t, int *map_full, struct nf_err *err);
void store_abort(struct store_txn *t);
/* store_grow(s, err): double the map size; no transaction may be open. */
int store_grow(struct store *s, struct nf_err *err);
/* store_txn_map_full(t): 1 once an operation of ${t} hit MDB_MAP_FULL. */
int store_txn_map_full(const struct store_txn *t);

/* ---- meta ------------------------------------------------------------- */

/* store_next_id(t, which, out): take the next id of "article" or "story". */
int store_next_id(struct store_txn *t, const char *which, uint64_t *out);
/* store_counter(t, name) / store_counter_add(t, name, delta): u64 meta
 * counters ("ndocs"); a missing one reads 0. */
uint64_t store_counter(struct store_txn *t, const char *name);
int store_counter_add(struct store_txn *t, const char *name, int64_t delta);

/* ---- feeds ------------------------------------------------------------ */

enum store_feed_status {
	FEED_NEVER = 0,
	FEED_OK,
	FEED_NOT_MODIFIED,
	FEED_ERROR,
	FEED_GONE,
};

struct store_feed {
	const char *url;
	const char *title;
	const char *etag, *last_modified;
	enum store_feed_status status;
	long http_status;
	const char *error;
	uint32_t failures;     /* consecutive */
	int64_t last_poll;     /* NF_TIME_NONE: never */
	int64_t last_ok;
	int64_t next_poll;
	const char *moved_to;
	uint64_t articles;     /* articles this feed carries */
};

/* store_feed_status_name(s): "never" "ok" "not_modified" "error" "gone". */
const char *store_feed_status_name(enum store_feed_status s);
/* store_feed_init(f, url): an empty record of a never-polled feed. */
void store_feed_init(struct store_feed *f, const char *url);
/* store_feed_get(t, url, out): 0 found, 1 absent, -1 error/corrupt. */
int store_feed_get(struct store_txn *t, const char *url, struct store_feed *out);
int store_feed_put(struct store_txn *t, const struct store_feed *f);
int store_feed_del(struct store_txn *t, const char *url);
/* store_feed_each(t, fn, ctx): every feed record in URL order; fn returns
 * non-zero to stop.  A corrupt record is reported through nf_log and
 * skipped. */
int store_feed_each(struct store_txn *t, int (*fn)(const struct store_feed *, void *),
                    void *ctx);

/* ---- articles --------------------------------------------------------- */

struct nf_term {
	uint64_t h; /* simhash_feature() of the term */
	float w;
};

enum store_tier { TIER_NEW = 0, TIER_COPY = 1, TIER_STORY = 2, TIER_ALONE = 3 };

struct store_article {
	uint64_t id;
	uint64_t story;
	uint64_t copy_of;      /* 0: an original */
	const char *feeds;     /* nfeeds NUL-terminated URLs, back to back */
	uint32_t nfeeds;
	const char *guid, *url, *title, *outlet;
	const char *summary;   /* the first few hundred characters of the text */
	int64_t published;     /* NF_TIME_NONE when the feed gave none */
	int64_t first_seen, updated;
	uint64_t simhash;
	uint64_t minhash_key;  /* reserved for the copy tier */
	uint8_t tier;          /* how it joined its story (enum store_tier) */
	float sim;             /* the similarity that put it there */
	uint64_t sim_with;     /* the article or story it was compared with */
	struct nf_term *terms; /* owned when read with store_article_get() */
	uint32_t nterms;
	uint32_t *sig;         /* MinHash signatures (copy tier), owned likewise */
	uint32_t nsig;
};

/* store_article_time(a): published, or first seen where none. */
int64_t store_article_time(const struct store_article *a);
/* store_article_get(t, id, out): 0, 1 absent, -1 error/corrupt; release
 * with store_article_release(). */
int store_article_get(struct store_txn *t, uint64_t id, struct store_article *out);
void store_article_release(struct store_article *a);
/* store_article_put(t, a): insert or replace article a->id. */
int store_article_put(struct store_txn *t, const struct store_article *a);
/* store_last_article(t, out): the highest id (0 when none). */
int store_article_each(struct store_txn *t, int (*fn)(const struct store_article *, void *),
                       void *ctx);

/* store_key(tag, a, alen, b, blen, out): an identity key (17 bytes). */
void store_key(char tag, const void *a, size_t alen, const void *b, size_t blen,
               unsigned char out[17]);
/* store_key_get(t, key, out): 0 found, 1 absent, -1 error. */
int store_key_get(struct store_txn *t, const unsigned char key[17], uint64_t *id);
int store_key_put(struct store_txn *t, const unsigned char key[17], uint64_t id);

/* ---- stories ---------------------------------------------------------- */

struct store_story {
	uint64_t id;
	const char *title;
	uint64_t rep;            /* the representative article */
	int64_t first_seen, last_seen;
	uint8_t read;
	uint32_t read_outlets;   /* outlets when it was marked read */
	uint64_t *articles;      /* owned when read with store_story_get() */
	uint32_t narticles;
	const char *outlets;     /* noutlets NUL-terminated names, back to back */
	uint32_t noutlets;
	struct nf_term *centroid; /* summed term weights, owned as above */
	uint32_t ncentroid;
};

int store_story_get(struct store_txn *t, uint64_t id, struct store_story *out);
void store_story_release(struct store_story *s);
/* store_story_put(t, s, old_last_seen): insert or replace, keeping
 * story_time in step (${old_last_seen} NF_TIME_NONE for a new story). */
int store_story_put(struct store_txn *t, const struct store_story *s, int64_t old_last_seen);
/* store_stories_newest(t, since, fn, ctx): stories whose last_seen >=
 * ${since}, newest first; fn returns non-zero to stop. */
int store_stories_newest(struct store_txn *t, int64_t since,
                         int (*fn)(uint64_t id, int64_t last_seen, void *), void *ctx);

/* ---- term statistics and postings ------------------------------------- */

/* store_df(t, term): articles holding ${term}. */
uint32_t store_df(struct store_txn *t, uint64_t term);
int store_df_add(struct store_txn *t, uint64_t term, int32_t delta);
int store_posting_put(struct store_txn *t, uint64_t term, int64_t time, uint64_t article,
                      uint64_t story);
/* store_postings_scan(t, term, tmin, tmax, fn, ctx): articles holding
 * ${term} with time in [tmin, tmax], in time order; fn returns non-zero to
 * stop.  Returns -1 on error. */
int store_postings_scan(struct store_txn *t, uint64_t term, int64_t tmin, int64_t tmax,
                        int (*fn)(uint64_t article, uint64_t story, int64_t time, void *),
                        void *ctx);
/* store_posting_set_story(t, term, time, article, story): re-point one
 * posting (when articles move between stories). */
int store_posting_set_story(struct store_txn *t, uint64_t term, int64_t time,
                            uint64_t article, uint64_t story);

/* ---- copy-tier LSH buckets (bands.c) ---------------------------------- */

/*
 * An article's `sig` is STORE_SIG_FULL MinHash values of its text's word
 * 3-shingles, then STORE_SIG_LEAD of its lead's (the first words, for
 * teasers); nsig is 0 for an article with no copy fingerprint.  Each run
 * of STORE_BAND_ROWS values is one LSH band: bands 0.. of the full
 * signature, then those of the lead.  A band whose values are all
 * MINHASH_EMPTY (UINT32_MAX) has no bucket.
 */
#define STORE_SIG_FULL 64
#define STORE_SIG_LEAD 32
#define STORE_BAND_ROWS 4
#define STORE_BANDS ((STORE_SIG_FULL + STORE_SIG_LEAD) / STORE_BAND_ROWS)

/*
 * store_band_keys(a, band, hash, max): the LSH buckets of article ${a}
 * recomputed from its record (a->sig), as its bands entries were written:
 * up to ${max} pairs into ${band}/${hash}; returns how many, or -1 when the
 * scheme is unknown to this build (then retention and fsck cannot check or
 * delete bands entries by article).  Owned by bands.c; retention.c carries
 * a weak stub returning -1 until bands.c defines it.
 */
int store_band_keys(const struct store_article *a, uint8_t *band, uint64_t *hash, int max);

int store_band_put(struct store_txn *t, uint8_t band, uint64_t hash, int64_t time,
                   uint64_t article, uint64_t story);
int store_band_del(struct store_txn *t, uint8_t band, uint64_t hash, int64_t time,
                   uint64_t article);
/* store_bands_scan(t, band, hash, tmin, tmax, fn, ctx): articles in bucket
 * (${band}, ${hash}) with time in [tmin, tmax]; fn returns non-zero to
 * stop. */
int store_bands_scan(struct store_txn *t, uint8_t band, uint64_t hash, int64_t tmin,
                     int64_t tmax,
                     int (*fn)(uint64_t article, uint64_t story, int64_t time, void *),
                     void *ctx);

#endif
