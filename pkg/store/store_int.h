#ifndef NF_STORE_INT_H
#define NF_STORE_INT_H
/*
 * store_int: what the files of pkg/store share and nothing else sees: the
 * environment and transaction structs, the named databases, key helpers.
 */
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "base/base.h"
#include "store/store.h"

#define MAP_INITIAL ((size_t)1 << 30)
#define FEED_URL_MAX 500

enum { DB_META, DB_FEEDS, DB_ARTICLES, DB_KEYS, DB_STORIES, DB_STORY_TIME, DB_POSTINGS,
       DB_DF, DB_BANDS, DB_COUNT };
extern const char *const store_db_names[DB_COUNT];

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	char *path;
	unsigned flags;
	size_t mapsize;
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
	struct buf scratch;
	int map_full;
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

#endif
