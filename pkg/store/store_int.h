#ifndef NF_STORE_INT_H
#define NF_STORE_INT_H
/*
 * store_int: what the files of pkg/store share and nothing else sees: the
 * environment and transaction structs, the named databases, key helpers.
 */
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <lmdb.h>

#include "base/base.h"
#include "store/store.h"

#define MAP_INITIAL ((size_t)1 << 30)
#define MAP_TINY ((size_t)64 << 10) /* STORE_TINY_MAP */
#define FEED_URL_MAX 500

enum { DB_META, DB_FEEDS, DB_ARTICLES, DB_KEYS, DB_STORIES, DB_STORY_TIME, DB_DF, DB_AKEYS,
       DB_COUNT };
extern const char *const store_db_names[DB_COUNT];

/*
 * A store may be used from several threads (the ingest worker writes while
 * the fetch loop reads); ${lock} guards the fields below it.  The map may
 * only be resized with no transaction open in the process: store_grow()
 * raises ${growing}, which holds new transactions back, and waits on ${cv}
 * until the open ones end.
 */
struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	char *path;
	unsigned flags;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	size_t mapsize;
	int ntxn;             /* transactions open in this process */
	int growing;          /* a resize waits for them to end */
	int unsynced;         /* STORE_SYNC_BATCH: commits not yet flushed */
	int64_t last_sync;    /* monotonic ms of the last flush's start */
	/* STORE_SYNC_BATCH: the flusher thread, started at the first commit,
	 * flushes within a second of a commit and readies the map's next
	 * pages (flusher_main()); ${fcv} (on the monotonic clock) wakes it,
	 * ${stopping} ends it */
	pthread_t flusher;
	pthread_cond_t fcv;
	int flusher_on;
	int stopping;
	int flush_failed;     /* the flusher's last flush failed (logged once) */
	void *map;            /* where LMDB maps the data file (NULL: unknown;
	                       * map_note()) */
	size_t ahead;         /* the map is made writable up to here (map_ahead()) */
	size_t db_end;        /* the database's end at the last commit (bytes) */
	size_t psize;         /* LMDB's page size */
	int no_ahead;         /* map_ahead() cannot be done here */
	int committed;        /* a commit since the flusher last looked */
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
	struct buf scratch;
	int map_full;
	int write;            /* a write transaction */
	unsigned ids_checked; /* store_next_id(): 1 article, 2 story */
};

/* lmdb_fail(t, err, rc, what): report LMDB error ${rc}; notes a full map
 * in ${t}; returns -1. */
int lmdb_fail(struct store_txn *t, struct nf_err *err, int rc, const char *what);
void put_be64(unsigned char *p, uint64_t v);
uint64_t get_be64(const unsigned char *p);
/* time_key(t): a time as a key that sorts numerically (sign bit flipped). */
uint64_t time_key(int64_t t);
int64_t time_unkey(uint64_t k);
/* txn_put/txn_del: 0 or -1 (reported); txn_get: 0 found, 1 absent, -1. */
int txn_put(struct store_txn *t, int db, MDB_val *k, MDB_val *v, unsigned flags);
int txn_get(struct store_txn *t, int db, MDB_val *k, MDB_val *v);
int txn_del(struct store_txn *t, int db, MDB_val *k);
/* last_id(t, db): the highest 8-byte key of ${db} (DB_ARTICLES or
 * DB_STORIES), 0 when it has none, UINT64_MAX when it cannot be read. */
uint64_t last_id(struct store_txn *t, int db);
/* time_id_key(kb, time, id): a story_time key. */
void time_id_key(unsigned char kb[16], int64_t time, uint64_t id);
/* article_decode(v, id, a): decode an article record; 0 or -1 (corrupt). */
int article_decode(const MDB_val *v, uint64_t id, struct store_article *a);
/* feed_decode(k, v, f): likewise for the feed record of key ${k}; f's
 * strings borrowed from the record. */
int feed_decode(const MDB_val *k, const MDB_val *v, struct store_feed *f);
/* story_decode(v, id, s): likewise for a story record. */
int story_decode(const MDB_val *v, uint64_t id, struct store_story *s);
/* story_decode_head(v, id, s): the same, but the centroid is skipped. */
int story_decode_head(const MDB_val *v, uint64_t id, struct store_story *s);
/* akey_del(t, id, key): remove one akeys entry. */
int akey_del(struct store_txn *t, uint64_t id, const unsigned char key[17]);
/* store_story_refit(t, id, gone, ngone, minus, nminus) (retention.c): story
 * ${id} rebuilt from its articles but ${gone} (list, outlets, times,
 * representative; centroid minus the terms ${minus}); removed when none
 * remains.  0 (also when the story is absent) or -1. */
int store_story_refit(struct store_txn *t, uint64_t id, const uint64_t *gone, size_t ngone,
                      const struct nf_term *minus, size_t nminus);

#endif
