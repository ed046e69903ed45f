#ifndef NF_STORE_H
#define NF_STORE_H
/*
 * store: newsfold's LMDB database.
 *
 * One environment (a directory holding data.mdb and lock.mdb) with the
 * named databases below.  Integers in keys are big-endian so that LMDB's
 * byte order is numeric order; "time" in a key is the UTC second with its
 * sign bit flipped (time_key(): (u64)t ^ 2^63), so negative times sort
 * first.  "id" is a u64; ids start at 1 and 0 means "none".
 *
 *   DB          KEY (bytes)                           VALUE (bytes)
 *   meta        "format"                              u64 BE format version (STORE_FORMAT)
 *               "next_article", "next_story"          u64 BE the next id to give
 *               "ndocs"                               u64 BE articles counted in df:
 *                                                     every article ever stored
 *                                                     below "df_next" (retention
 *                                                     lowers neither)
 *               "df_next"                             u64 BE df and ndocs count the
 *                                                     articles whose id is below
 *                                                     this (format 5): a writer
 *                                                     adds its counts in batches
 *   feeds       feed URL (1..500 bytes, no NUL)       feed record
 *   articles    u64 id (8)                            article record; ids only grow,
 *                                                     a new highest id is written
 *                                                     with MDB_APPEND
 *   keys        tag (1) + XXH3-128 canonical (16)     u64 BE article id
 *               tag 'g': feed URL, NUL, guid; 'u': canonical URL;
 *               't': title, NUL, published (decimal)
 *   akeys       u64 article id (8), MDB_DUPSORT       an identity key (17): the
 *                                                     reverse of keys, so that
 *                                                     retention and fsck find an
 *                                                     article's keys (format 2)
 *   stories     u64 id (8)                            story record
 *   story_time  time last_seen (8) + u64 story id (8) empty; newest last
 *   df          u64 term (8)                          u32 native-endian: articles
 *               below "df_next" whose raw terms hold the term (a superset of the
 *               record's terms)
 *
 * The clustering's candidate lookups (the postings of an article's
 * heaviest terms, its copy-tier LSH buckets) are not stored: they are
 * derived from the article records and held in memory by the process that
 * writes (cluster/index.h).
 *
 * Records are a record-version byte (1 for every record type) followed by
 * fields in a fixed order.  Encodings (codec.h): varint = LEB128;
 * svarint = zig-zag varint; str = varint n (0 for NULL, else n-1 bytes and
 * a NUL); mstr = varint count, varint bytes, that many bytes of
 * NUL-terminated strings; u64le/u32le/f32 raw little-endian.
 *
 *   feed     u8 1, str title, str etag, str last_modified, varint status,
 *            varint http_status, str error, varint failures,
 *            svarint last_poll, svarint last_ok, svarint next_poll,
 *            str moved_to, varint articles, str url (= the key)
 *   article  u8 1, varint story, varint copy_of, mstr feeds, str guid,
 *            str url, str title, str outlet, str summary, svarint published,
 *            svarint first_seen, svarint updated, u64le simhash,
 *            u64le flags, u8 tier, f32 sim, varint sim_with,
 *            varint nterms, nterms x (u64le term, f32 weight),
 *            varint nsig, nsig x u32le signature
 *   story    u8 1, str title, varint rep, svarint first_seen,
 *            svarint last_seen, u8 read, varint read_outlets, mstr outlets,
 *            varint narticles, narticles x u64le article id,
 *            varint ncentroid, ncentroid x (u64le term, f32 weight)
 *
 * A record that fails to decode is reported as corrupt, never trusted.
 *
 * Invariants (what `newsfold fsck` checks): every key and akeys entry
 * names an existing article, each the other's reverse; an article's story
 * exists and lists it, and every article a story lists names that story;
 * story_time holds exactly (last_seen, id) of every story; df of a term is
 * at least the number of article records below "df_next" holding it;
 * "ndocs" is at least the number of those articles; "df_next" is at most
 * the next article id.
 *
 * Formats: a database of a newer format than STORE_FORMAT is refused; an
 * older one is migrated in one write transaction when opened for writing
 * (read-only, an older one is refused with a hint to poll first).
 *   1  the first format
 *   2  adds akeys (built from keys by the migration)
 *   3  term_postings replaced postings (term -> time, art, story duplicates)
 *   4  the candidate lookups leave the store for memory: the migration
 *      drops "postings", "term_postings" and "bands"
 *   5  "df_next": df is written in batches (cluster.h); the migration sets
 *      it to the next article id (every article counted)
 *
 * Memory: strings of a record read from the store point into LMDB's map
 * and are valid only until the end of the transaction (or the next write
 * in it) -- LMDB's own rule, passed on.  Arrays a get() allocates are freed
 * by the matching *_release().  For a put(), the caller keeps ownership of
 * everything it passes.
 *
 * Transactions: one writer at a time (LMDB's lock, shared between
 * processes: a second writer waits until the first commits or aborts),
 * readers never block and see only committed transactions.  Threads of
 * one process may share a store, each with transactions of its own (the
 * ingest worker writes while the fetch loop reads); a write transaction
 * stays with the thread that began it.
 *
 * Durability: each commit is flushed to disk (fdatasync) unless the store
 * was opened with STORE_SYNC_BATCH: then commits are not flushed by the
 * thread that commits; a thread of the store's own, started at the first
 * commit, flushes about a second after the last flush began once a commit
 * is pending (so a writer never waits for the disk), as do store_sync()
 * and store_close().  An OS crash or power cut loses the transactions of
 * the last second or so, and may leave the database damaged (LMDB's
 * MDB_NOSYNC: the kernel writes pages back in its own order between
 * flushes); a killed process loses nothing it committed.
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

#define STORE_FORMAT 5

struct store;
struct store_txn;

enum {
	STORE_RDONLY = 1,     /* open for reading only */
	STORE_SYNC_BATCH = 2, /* no fsync per commit (see Durability above) */
	STORE_TINY_MAP = 4,   /* tests: start with a 64 KiB map (grown as needed) */
};

/*
 * store_open(dir, flags, err): open (creating ${dir} and the database when
 * absent and not STORE_RDONLY) the store in ${dir}.  A database of a newer
 * format is refused.  Returns a handle for store_close(), or NULL.
 */
struct store *store_open(const char *dir, unsigned flags, struct nf_err *err);
void store_close(struct store *s);
/* store_holds(s, p): whether address ${p} lies in the store's map of its
 * data file.  Async-signal-safe: for a SIGBUS handler to tell a fault on
 * the database's pages from another.  LMDB writes a new page in the map
 * itself, so a disk that is full when the page is first written (or a
 * data file cut short under it) raises SIGBUS there, not an error. */
int store_holds(const struct store *s, const void *p);
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
/* store_grow(s, err): double the map size.  LMDB requires that no
 * transaction of this process be open: -1 (reported) when one is. */
int store_grow(struct store *s, struct nf_err *err);
/* store_sync(s, err): flush committed transactions to disk now (only
 * useful with STORE_SYNC_BATCH); 0 or -1. */
int store_sync(struct store *s, struct nf_err *err);
/* store_sync_pending(s): 1 when commits of a STORE_SYNC_BATCH store wait
 * for a flush (a service may call store_sync() when idle, not to wait for
 * the store's own). */
int store_sync_pending(struct store *s);
/* store_txn_map_full(t): 1 once an operation of ${t} hit MDB_MAP_FULL. */
int store_txn_map_full(const struct store_txn *t);

/* ---- meta ------------------------------------------------------------- */

/* store_next_id(t, which, out): take the next id of "article" or "story",
 * past every id in use even when the counter is not. */
int store_next_id(struct store_txn *t, const char *which, uint64_t *out);
/* store_counter(t, name) / store_counter_add(t, name, delta): u64 meta
 * counters ("ndocs"); a missing one reads 0. */
uint64_t store_counter(struct store_txn *t, const char *name);
int store_counter_add(struct store_txn *t, const char *name, int64_t delta);

/* ---- string lists ------------------------------------------------------ */

/* A record's list of strings (an article's feeds, a story's outlets) is
 * ${n} NUL-terminated strings back to back.  store_strs_len(s, n): its
 * bytes; store_strs_has(s, n, x): 1 when ${x} is one of them. */
size_t store_strs_len(const char *s, uint32_t n);
int store_strs_has(const char *s, uint32_t n, const char *x);

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

/* What a reader returns for a record that does not decode, besides 0
 * (read) and 1 (absent): positive, so that a caller that takes any
 * non-zero as "not read" stays right, and apart from store_article_terms()'s
 * 2. */
#define STORE_CORRUPT 3

/* store_feed_status_name(s): "never" "ok" "not_modified" "error" "gone". */
const char *store_feed_status_name(enum store_feed_status s);
/* store_feed_init(f, url): an empty record of a never-polled feed. */
void store_feed_init(struct store_feed *f, const char *url);
/* store_feed_get(t, url, out): 0 found, 1 absent, STORE_CORRUPT when its
 * record does not decode (reported through nf_log), -1 error. */
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
	uint64_t flags;        /* STORE_SIG_WHOLE, STORE_COPY_*,
	                        * STORE_TEXT_BOILERPLATE: 0 in records
	                        * written before them (once "minhash_key") */
	uint8_t tier;          /* how it joined its story (enum store_tier) */
	float sim;             /* the similarity that put it there */
	uint64_t sim_with;     /* the article or story it was compared with */
	struct nf_term *terms; /* owned when read with store_article_get() */
	uint32_t nterms;
	uint32_t *sig;         /* MinHash signatures (copy tier), owned likewise */
	uint32_t nsig;
};

#define STORE_SIG_MAX 4096 /* signature values a record holds at most */

/* store_article_time(a): published, or first seen where none. */
int64_t store_article_time(const struct store_article *a);
/* store_article_get(t, id, out): 0, 1 absent, STORE_CORRUPT (its record
 * does not decode: reported through nf_log), -1 error; release with
 * store_article_release(). */
int store_article_get(struct store_txn *t, uint64_t id, struct store_article *out);
/* store_article_terms(t, id, out, cap, n): article ${id}'s weighted terms
 * alone, into ${out} (room for ${cap}), *n set: quicker than a whole read,
 * and nothing to release.  0; 1 absent; 2 when it has more than ${cap}
 * terms (nothing read); STORE_CORRUPT; -1 error. */
int store_article_terms(struct store_txn *t, uint64_t id, struct nf_term *out, uint32_t cap,
                        uint32_t *n);
void store_article_release(struct store_article *a);
/* store_article_put(t, a): insert or replace article a->id (a new highest
 * id is appended: MDB_APPEND). */
int store_article_put(struct store_txn *t, const struct store_article *a);
/* store_article_count(t): how many articles are stored (0 when it cannot
 * be read). */
uint64_t store_article_count(struct store_txn *t);
/* store_article_each(t, fn, ctx): every article in id order; fn returns
 * non-zero to stop.  A corrupt record is reported and skipped. */
int store_article_each(struct store_txn *t, int (*fn)(const struct store_article *, void *),
                       void *ctx);
/* store_article_each_from(t, from, fn, ctx): likewise, from id ${from}. */
int store_article_each_from(struct store_txn *t, uint64_t from,
                            int (*fn)(const struct store_article *, void *), void *ctx);
/* store_article_each_brief_from(t, from, fn, ctx): likewise, each record
 * read in brief, for walks that need no text: its strings NULL (skipped
 * unread), no terms (nterms 0), and its signature lent for the call alone.
 * Quicker; ${fn} must not release the article. */
int store_article_each_brief_from(struct store_txn *t, uint64_t from,
                                  int (*fn)(const struct store_article *, void *), void *ctx);

/* store_key(tag, a, alen, b, blen, out): an identity key (17 bytes). */
void store_key(char tag, const void *a, size_t alen, const void *b, size_t blen,
               unsigned char out[17]);
/* store_key_get(t, key, out): 0 found, 1 absent, STORE_CORRUPT (a
 * malformed entry, taken as none by a writer that then replaces it), -1
 * error. */
int store_key_get(struct store_txn *t, const unsigned char key[17], uint64_t *id);
/* store_key_put(t, key, id): map ${key} to article ${id}, keeping akeys in
 * step (a key re-pointed leaves its old article's akeys); writes nothing
 * when the key already maps to ${id}. */
int store_key_put(struct store_txn *t, const unsigned char key[17], uint64_t id);
/* store_article_keys(t, id, fn, ctx): the identity keys of article ${id}
 * (from akeys); fn returns non-zero to stop. */
int store_article_keys(struct store_txn *t, uint64_t id,
                       int (*fn)(const unsigned char key[17], void *), void *ctx);

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

/* store_story_get(t, id, out): 0, 1 absent, STORE_CORRUPT, -1 error;
 * release with store_story_release(). */
int store_story_get(struct store_txn *t, uint64_t id, struct store_story *out);
/* store_story_get_head(t, id, out): store_story_get() without the
 * centroid (ncentroid 0), for readers that list stories. */
int store_story_get_head(struct store_txn *t, uint64_t id, struct store_story *out);
/*
 * store_story_centroid(t, id, out, first_seen): story ${id}'s centroid
 * alone, as it lies in the record: out->n terms from out->p, each 12 bytes
 * (u64le term, f32le weight), in ascending term order; read them with
 * store_terms_view_h() and _w().  Nothing is copied or decoded: quicker
 * than a whole read.  out->p points into ${t}'s view of the database,
 * valid until ${t} next writes or ends.  The story's first_seen into
 * *first_seen unless it is NULL.  0; 1 absent; STORE_CORRUPT; -1 error.
 */
struct store_terms_view {
	const unsigned char *p;
	uint32_t n;
};
int store_story_centroid(struct store_txn *t, uint64_t id, struct store_terms_view *out,
                         int64_t *first_seen);

static inline uint64_t
store_terms_view_h(const struct store_terms_view *v, uint32_t i)
{
	uint64_t h;

	memcpy(&h, v->p + 12 * (size_t)i, 8);
	return le64toh(h);
}

static inline float
store_terms_view_w(const struct store_terms_view *v, uint32_t i)
{
	uint32_t u;
	float w;

	memcpy(&u, v->p + 12 * (size_t)i + 8, 4);
	u = le32toh(u);
	memcpy(&w, &u, 4);
	return w;
}
void store_story_release(struct store_story *s);
/* store_story_put(t, s, old_last_seen): insert or replace, keeping
 * story_time in step (${old_last_seen} NF_TIME_NONE for a new story). */
int store_story_put(struct store_txn *t, const struct store_story *s, int64_t old_last_seen);
/* store_stories_newest(t, since, fn, ctx): stories whose last_seen >=
 * ${since}, newest first; fn returns non-zero to stop. */
int store_stories_newest(struct store_txn *t, int64_t since,
                         int (*fn)(uint64_t id, int64_t last_seen, void *), void *ctx);

/* ---- term statistics and candidate keys ------------------------------- */

/* store_df(t, term): articles below store_df_through() holding ${term}. */
uint32_t store_df(struct store_txn *t, uint64_t term);
/* store_df_through(t): the id below which df and "ndocs" count the
 * articles (meta "df_next"; when absent, the next article id);
 * store_set_df_through(t, id) moves it. */
uint64_t store_df_through(struct store_txn *t);
int store_set_df_through(struct store_txn *t, uint64_t id);
int store_df_add(struct store_txn *t, uint64_t term, int32_t delta);
/* store_df_add_many(t, terms, deltas, n): store_df_add() of each term
 * with one cursor; quickest with ${terms} in ascending order. */
int store_df_add_many(struct store_txn *t, const uint64_t *terms, const int32_t *deltas,
                      size_t n);
/*
 * store_posted_terms(a, out): the terms of article ${a} that have postings
 * in the clustering's candidate index (cluster/index.h, in memory): its
 * STORE_POSTED_TERMS heaviest (weight descending, then hash ascending),
 * none for TIER_ALONE; into ${out} (room for STORE_POSTED_TERMS); returns
 * how many.
 */
#define STORE_POSTED_TERMS 16
int store_posted_terms(const struct store_article *a, uint64_t *out);

/* ---- copy-tier LSH buckets (bands.c) ---------------------------------- */

/*
 * An article's `sig` is STORE_SIG_FULL MinHash values of its text's word
 * 3-shingles, then STORE_SIG_LEAD of its lead's (the first words, for
 * teasers); nsig is 0 for an article with no copy fingerprint.  Each run
 * of STORE_BAND_ROWS values is one LSH band: bands 0.. of the full
 * signature, then those of the lead.  A band whose values are all
 * MINHASH_EMPTY (UINT32_MAX) has no bucket.
 *
 * STORE_SIG_WHOLE in flags: the text is no longer than its lead, so
 * its lead signature sketches the same words as its full one, and it is
 * filed under its full signature's bands alone (the lead's would be a
 * third more buckets for nothing).  A longer text's lead then finds it
 * through the bands of a sketch of that lead binned as a full signature
 * (cluster_fingerprint()'s lead_probe).  Records written before the flag
 * have 0 there: all their bands count.
 */
#define STORE_SIG_WHOLE 1
/* A copy (TIER_COPY) whose text resembles its original's: flags says by
 * what, for `show --why` -- neither bit: the whole texts' resemblance;
 * STORE_COPY_LEAD: the leads' (a teaser and its full article);
 * STORE_COPY_SIMHASH: SimHashes a few bits apart (sim is then 1 - bits/64). */
#define STORE_COPY_LEAD 2
#define STORE_COPY_SIMHASH 4
/* STORE_TEXT_BOILERPLATE: the article's text is its outlet's boilerplate
 * (an earlier article of the outlet has it under another title); its
 * story and terms come from its title alone. */
#define STORE_TEXT_BOILERPLATE 8
#define STORE_SIG_FULL 64
#define STORE_SIG_LEAD 32
#define STORE_BAND_ROWS 4
#define STORE_BANDS ((STORE_SIG_FULL + STORE_SIG_LEAD) / STORE_BAND_ROWS)

/*
 * store_band_keys(a, band, hash, max): the LSH buckets article ${a} is
 * filed under, from its record (a->sig, a->flags), as the candidate
 * index (cluster/index.h) holds them: up to ${max} pairs into
 * ${band}/${hash}.  Returns how many, or -1 when the signature is not of
 * this build's shape (no buckets then).
 * store_band_hash(v, b): the bucket of band ${b} whose STORE_BAND_ROWS
 * values are ${v}, seeded with its band so that the hash alone names the
 * bucket; 0 when every value is MINHASH_EMPTY (no bucket).
 */
int store_band_keys(const struct store_article *a, uint8_t *band, uint64_t *hash, int max);
uint64_t store_band_hash(const uint32_t *v, int b);

/* ---- retention (retention.c) ------------------------------------------ */

struct store_expire_stats {
	uint64_t articles;       /* articles removed */
	uint64_t stories_gone;   /* stories removed when emptied */
	uint64_t stories_left;   /* stories that lost articles and remain */
	uint64_t txns;           /* write transactions committed */
};

/*
 * store_expire(s, before, max_per_txn, stats, err): remove the articles
 * first seen before ${before} with their identity keys and story
 * membership (an emptied story is removed; the
 * others get their article list, outlets, times, representative and
 * centroid updated), at most ${max_per_txn} articles per write
 * transaction, so readers and writers are never held up long.  Articles go
 * in id order (ids grow with first_seen), so it stops at the first article
 * it keeps.  ${stats} (may be NULL) receives the counts.  No transaction
 * of this process may be open.  Returns 0, or -1 with ${err}; what was
 * committed before an error stays committed and consistent.
 */
int store_expire(struct store *s, int64_t before, size_t max_per_txn,
                 struct store_expire_stats *stats, struct nf_err *err);

/* ---- consistency (fsck.c) --------------------------------------------- */

struct store_fsck_stats {
	uint64_t articles, stories, keys;
	uint64_t problems;       /* inconsistencies found */
	uint64_t repaired;       /* index entries written or removed by repair */
};

/*
 * store_fsck(s, repair, report, ctx, stats, err): check every index
 * against the articles and stories (see "Invariants" above), calling
 * ${report}(message, ctx) once for each inconsistency (at most 1000
 * messages; stats->problems counts them all).  With ${repair} (a store
 * opened for writing), rebuild what the articles determine afterwards:
 * akeys, story records' membership/outlets/times, story_time, df (raised
 * to the records' counts) and ndocs; keys naming no article are removed.
 * A record that does not decode cannot be rebuilt: an article's is
 * removed (a feed that still carries the article stores it anew), a feed's
 * is written anew as never polled (its articles counted again), a story's
 * is rebuilt from its articles.  Returns 0 (look
 * at stats->problems) or -1 with ${err} when the store could not be read.
 * Costs one pass over each database, and memory for two words per article
 * plus the distinct terms.
 */
int store_fsck(struct store *s, int repair, void (*report)(const char *msg, void *ctx),
               void *ctx, struct store_fsck_stats *stats, struct nf_err *err);

#endif
