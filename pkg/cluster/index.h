#ifndef NF_CLUSTER_INDEX_H
#define NF_CLUSTER_INDEX_H
/*
 * index: the clustering's candidate index, held in memory.
 *
 * For every article of the horizon (those first seen in the last
 * ${horizon} seconds, and every article added since), the index keeps
 *   - a slot: the article's story and time (store_article_time());
 *   - postings: the article under each of its store_posted_terms(), newest
 *     first (the story tier's candidates).  A term counts a story once: an
 *     article whose story is already among a term's few newest postings
 *     takes that posting over (it keeps its place, now with the newer
 *     article's time) instead of adding one;
 *   - buckets: the article under each of its store_band_keys() (the copy
 *     tier's LSH candidates), 4 bytes an entry: 8 bits of the bucket's
 *     hash and the slot, so a lookup may also yield, about once in 256
 *     entries it passes, an article of another bucket (the copy tier
 *     verifies every candidate).  An article 16 million or more past the
 *     first of a build gets no buckets (a warning says so once).
 * Nothing of it is stored: it is derived from the article records, built
 * when first used, and rebuilt once it is older than half the horizon (so
 * that articles leaving the horizon leave it).  The store's articles are
 * the truth; the index only says where to look.
 *
 * Use, with one write transaction at a time:
 *   cluster_index_begin(t, ix, now)  in each write transaction that adds
 *                                    articles, before it takes the first
 *                                    article id: builds the index, or
 *                                    catches up with the articles another
 *                                    writer committed
 *   cluster_index_add(), _set_story()  as articles are stored or move
 *   cluster_index_commit(ix)         after the transaction committed
 *   cluster_index_abort(ix)          when it aborted or its commit failed:
 *                                    the transaction's changes are undone
 *
 * Another process's story changes (a split that moved articles) are not
 * seen until the next rebuild: a slot's story is then a hint, which the
 * cluster tier verifies against the story record.
 *
 * Memory: cluster_index_new() returns NULL when out of memory; the caller
 * frees with cluster_index_free().  cluster_index_bytes(ix): the bytes its
 * tables hold.
 */
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct cluster_index;

struct cluster_index *cluster_index_new(int64_t horizon);
void cluster_index_free(struct cluster_index *ix);
size_t cluster_index_bytes(const struct cluster_index *ix);
/* cluster_index_articles(ix): articles with a slot. */
size_t cluster_index_articles(const struct cluster_index *ix);

/* cluster_index_begin(t, ix, now): ready ${ix} for write transaction ${t};
 * 0 or -1 (the store failed, or out of memory). */
int cluster_index_begin(struct store_txn *t, struct cluster_index *ix, int64_t now);
void cluster_index_commit(struct cluster_index *ix);
void cluster_index_abort(struct cluster_index *ix);

/* cluster_index_add(t, ix, a): new article ${a} (its id the highest yet,
 * its story set); TIER_ALONE articles get a slot and nothing else.  When
 * the bucket table must grow, it is refilled from the records of the
 * index's earlier articles, read through ${t} (the transaction that stores
 * ${a}, which may be not stored yet).  0 or -1 (out of memory, or the
 * store failed: the index is then rebuilt at the next begin). */
int cluster_index_add(struct store_txn *t, struct cluster_index *ix,
                      const struct store_article *a);
/* cluster_index_set_story(ix, article, story): ${article} moved. */
int cluster_index_set_story(struct cluster_index *ix, uint64_t article, uint64_t story);

/*
 * cluster_index_postings(ix, term, tmin, tmax, limit, fn, ctx): the
 * articles posted under ${term} whose time is in [tmin, tmax], newest
 * posting first, as fn(article, story, time, ctx); at most ${limit} postings are
 * looked at; fn returns non-zero to stop.
 * cluster_index_bucket(ix, hash, tmin, tmax, fn, ctx): likewise for the
 * articles in LSH bucket ${hash} (a store_band_keys() hash), and rarely
 * one of another bucket (see buckets above).
 */
void cluster_index_postings(const struct cluster_index *ix, uint64_t term, int64_t tmin,
                            int64_t tmax, size_t limit,
                            int (*fn)(uint64_t, uint64_t, int64_t, void *), void *ctx);
/* cluster_index_prefetch(ix, terms, nterms, hashes, nhashes): hint that
 * the postings of ${terms} and the buckets ${hashes} are looked up next
 * (their cache misses then overlap); either array may be NULL with 0. */
void cluster_index_prefetch(const struct cluster_index *ix, const uint64_t *terms, int nterms,
                            const uint64_t *hashes, int nhashes);
void cluster_index_bucket(const struct cluster_index *ix, uint64_t hash, int64_t tmin,
                          int64_t tmax, int (*fn)(uint64_t, uint64_t, int64_t, void *),
                          void *ctx);

#endif
