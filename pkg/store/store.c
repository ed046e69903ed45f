#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "store/store.h"
#include "store/codec.h"
#include "store/store_int.h"
#include "base/banned.h"

const char *const store_db_names[DB_COUNT] = {
	"meta", "feeds", "articles", "keys", "stories", "story_time", "df",
	"akeys",
};

int
lmdb_fail(struct store_txn *t, struct nf_err *err, int rc, const char *what)
{
	if (rc == MDB_MAP_FULL && t)
		t->map_full = 1;
	nf_err_set(err, "%s: %s", what, mdb_strerror(rc));
	/* a full map is no error of its own: the caller grows it and retries
	 * (and says so), or reports its failure */
	if (err == NULL && !(rc == MDB_MAP_FULL && t))
		nf_log(NF_LOG_ERR, "store: %s: %s", what, mdb_strerror(rc));
	return -1;
}

void
put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

uint64_t
get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint64_t
time_key(int64_t t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

int64_t
time_unkey(uint64_t k)
{
	return (int64_t)(k ^ (UINT64_C(1) << 63));
}

/* ---- environment ------------------------------------------------------ */

static int
meta_get_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t *out)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	if (rc == MDB_NOTFOUND) {
		*out = 0;
		return 0;
	}
	if (rc)
		return rc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*out = get_be64(v.mv_data);
	return 0;
}

static int
meta_put_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t val)
{
	unsigned char b[8];
	MDB_val k = {strlen(name), (void *)name}, v = {8, b};

	put_be64(b, val);
	return mdb_put(txn, dbi, &k, &v, 0);
}

/* db_flags(i): the flags a named database is created with. */
static unsigned
db_flags(int i)
{
	return i == DB_AKEYS ? MDB_DUPSORT | MDB_DUPFIXED : 0;
}

/* migrate_1_2(txn, s): format 2 adds akeys, the reverse of keys. */
static int
migrate_1_2(MDB_txn *txn, struct store *s)
{
	MDB_cursor *c;
	MDB_val k, v, ak, av;
	unsigned char kb[8];
	int rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, s->dbi[DB_KEYS], &c)))
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 17 || v.mv_size != 8)
			continue; /* fsck reports it */
		memcpy(kb, v.mv_data, 8);
		ak.mv_size = 8;
		ak.mv_data = kb;
		av = k;
		if ((rc = mdb_put(txn, s->dbi[DB_AKEYS], &ak, &av, 0)) && rc != MDB_KEYEXIST)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* drop_candidate_tables(txn, s): formats 2 and 3 kept the clustering's
 * candidate lookups in the store ("postings", then "term_postings", and
 * "bands"); format 4 holds them in memory (cluster/index.h), so the
 * tables go. */
static int
drop_candidate_tables(MDB_txn *txn, struct store *s)
{
	static const char *const gone[] = {"postings", "term_postings", "bands"};
	MDB_dbi dbi;
	size_t i;
	int rc;

	(void)s;
	for (i = 0; i < NF_ARRAY_LEN(gone); i++) {
		if ((rc = mdb_dbi_open(txn, gone[i], 0, &dbi)) == MDB_NOTFOUND)
			continue;
		if (rc || (rc = mdb_drop(txn, dbi, 1)))
			return rc;
	}
	return 0;
}

/* migrate_4_5(txn, s): format 5 counts df below "df_next"; every article
 * of an older database is counted. */
static int
migrate_4_5(MDB_txn *txn, struct store *s)
{
	uint64_t next = 0;
	int rc;

	if ((rc = meta_get_u64(txn, s->dbi[DB_META], "next_article", &next)))
		return rc;
	return meta_put_u64(txn, s->dbi[DB_META], "df_next", next ? next : 1);
}

/* The migrations from each older format to the next, in one transaction. */
static const struct migration {
	uint64_t from;
	int (*fn)(MDB_txn *, struct store *);
} migrations[] = {
	{1, migrate_1_2},
	{2, drop_candidate_tables},
	{3, drop_candidate_tables},
	{4, migrate_4_5},
};

static int
open_dbs(struct store *s, struct nf_err *err)
{
	MDB_txn *txn;
	uint64_t fmt;
	size_t m;
	int rc, i, rdonly = s->flags & STORE_RDONLY;

	if ((rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0, &txn)))
		return lmdb_fail(NULL, err, rc, "begin");
	for (i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, store_db_names[i], rdonly ? 0 : MDB_CREATE | db_flags(i),
		                  &s->dbi[i]);
		if (rc == MDB_NOTFOUND && rdonly && i != DB_META)
			continue; /* an older format: refused below */
		if (rc == MDB_NOTFOUND && rdonly) {
			mdb_txn_abort(txn);
			nf_err_set(err, "no newsfold database here yet (run `newsfold poll` first)");
			return -1;
		}
		if (rc) {
			mdb_txn_abort(txn);
			return lmdb_fail(NULL, err, rc, store_db_names[i]);
		}
	}
	if ((rc = meta_get_u64(txn, s->dbi[DB_META], "format", &fmt)))
		goto fail;
	if (fmt > STORE_FORMAT) {
		mdb_txn_abort(txn);
		nf_err_set(err, "database format %llu is newer than this newsfold's (%d): "
		           "upgrade newsfold", (unsigned long long)fmt, STORE_FORMAT);
		return -1;
	}
	if (fmt && fmt < STORE_FORMAT && rdonly) {
		mdb_txn_abort(txn);
		nf_err_set(err, "database format %llu is older than this newsfold's (%d): "
		           "run `newsfold poll` once to upgrade it", (unsigned long long)fmt,
		           STORE_FORMAT);
		return -1;
	}
	if (fmt && fmt < STORE_FORMAT) {
		for (m = 0; m < NF_ARRAY_LEN(migrations); m++) {
			if (migrations[m].from != fmt)
				continue;
			if ((rc = migrations[m].fn(txn, s)))
				goto fail;
			fmt++;
		}
		if (fmt != STORE_FORMAT) {
			mdb_txn_abort(txn);
			nf_err_set(err, "database format %llu cannot be upgraded",
			           (unsigned long long)fmt);
			return -1;
		}
		if ((rc = meta_put_u64(txn, s->dbi[DB_META], "format", STORE_FORMAT)))
			goto fail;
		nf_log(NF_LOG_INFO, "store: database upgraded to format %d", STORE_FORMAT);
	}
	if (fmt == 0 && !rdonly) {
		if ((rc = meta_put_u64(txn, s->dbi[DB_META], "format", STORE_FORMAT)))
			goto fail;
		if ((rc = meta_put_u64(txn, s->dbi[DB_META], "next_article", 1)))
			goto fail;
		if ((rc = meta_put_u64(txn, s->dbi[DB_META], "next_story", 1)))
			goto fail;
		if ((rc = meta_put_u64(txn, s->dbi[DB_META], "df_next", 1)))
			goto fail;
	}
	if ((rc = mdb_txn_commit(txn)))
		return lmdb_fail(NULL, err, rc, "commit");
	return 0;
fail:
	mdb_txn_abort(txn);
	return lmdb_fail(NULL, err, rc, "meta");
}

static void map_note(struct store *s);

struct store *
store_open(const char *dir, unsigned flags, struct nf_err *err)
{
	struct store *s;
	MDB_envinfo info;
	unsigned eflags = 0;
	int rc;

	if ((s = calloc(1, sizeof(*s))) != NULL) {
		pthread_condattr_t ca;

		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->cv, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->fcv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (s == NULL || (s->path = nf_strdup(dir)) == NULL) {
		nf_err_set(err, "%s: out of memory", dir);
		goto err0;
	}
	s->flags = flags;
	if (!(flags & STORE_RDONLY) && mkdir(dir, 0700) && errno != EEXIST) {
		nf_err_set(err, "%s: %s", dir, strerror(errno));
		goto err0;
	}
	if ((rc = mdb_env_create(&s->env))) {
		lmdb_fail(NULL, err, rc, dir);
		goto err0;
	}
	mdb_env_set_maxdbs(s->env, DB_COUNT + 4);
	mdb_env_set_maxreaders(s->env, 126);
	if (flags & STORE_RDONLY)
		eflags |= MDB_RDONLY;
	if (flags & STORE_SYNC_BATCH)
		eflags |= MDB_NOSYNC;
	/* a writer changes pages in the map itself: no copy through write(2)
	 * at every commit (a quarter of a poll's time otherwise); durable
	 * commits msync the pages they wrote */
	if (!(flags & STORE_RDONLY))
		eflags |= MDB_WRITEMAP;
	eflags |= MDB_NOTLS;
	if ((flags & STORE_TINY_MAP) && (rc = mdb_env_set_mapsize(s->env, MAP_TINY))) {
		lmdb_fail(NULL, err, rc, dir);
		goto err1;
	}
	if ((rc = mdb_env_open(s->env, dir, eflags, 0600))) {
		if (rc == ENOENT)
			nf_err_set(err, "%s: no newsfold database here yet (run `newsfold poll` first)",
			           dir);
		else
			nf_err_set(err, "%s: %s", dir, mdb_strerror(rc));
		goto err1;
	}
	mdb_env_info(s->env, &info);
	s->mapsize = info.me_mapsize;
	{
		MDB_stat st;

		s->psize = mdb_env_stat(s->env, &st) == 0 ? st.ms_psize : 4096;
	}
	if (!(flags & (STORE_RDONLY | STORE_TINY_MAP)) && s->mapsize < MAP_INITIAL) {
		if ((rc = mdb_env_set_mapsize(s->env, MAP_INITIAL))) {
			lmdb_fail(NULL, err, rc, dir);
			goto err1;
		}
		s->mapsize = MAP_INITIAL;
	}
	if (open_dbs(s, err)) {
		nf_err_prefix(err, "%s", dir);
		goto err1;
	}
	map_note(s);
	return s;
err1:
	mdb_env_close(s->env);
err0:
	if (s) {
		free(s->path);
		pthread_cond_destroy(&s->fcv);
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->lock);
	}
	free(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->flusher_on) {
		pthread_mutex_lock(&s->lock);
		s->stopping = 1;
		pthread_cond_signal(&s->fcv);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->flusher, NULL);
	}
	if (!(s->flags & STORE_RDONLY) && s->unsynced)
		mdb_env_sync(s->env, 1);
	mdb_env_close(s->env);
	free(s->path);
	pthread_cond_destroy(&s->fcv);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

uint64_t
store_size(const struct store *s)
{
	struct buf p;
	struct stat st;
	uint64_t n = 0;

	buf_init(&p, 0);
	if (buf_printf(&p, "%s/data.mdb", s->path) == 0 && stat(p.data, &st) == 0)
		n = (uint64_t)st.st_blocks * 512;
	buf_release(&p);
	return n;
}

/* transactions the calling thread has open (in any store): a resize must
 * not wait for them, it would wait for ever */
static _Thread_local int thread_txns;

/* resize(s, size, err): set the map size (0: adopt the size another
 * process set) once no transaction of this process is open; new ones wait
 * meanwhile.  The caller must hold no transaction. */
static int
resize(struct store *s, size_t size, struct nf_err *err)
{
	MDB_envinfo info;
	int rc;

	if (thread_txns > 0) {
		nf_err_set(err, "growing the map: %d transaction(s) of this thread still open",
		           thread_txns);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	while (s->growing)
		pthread_cond_wait(&s->cv, &s->lock);
	s->growing = 1;
	while (s->ntxn > 0)
		pthread_cond_wait(&s->cv, &s->lock);
	rc = mdb_env_set_mapsize(s->env, size);
	mdb_env_info(s->env, &info);
	s->mapsize = info.me_mapsize;
	map_note(s);
	s->growing = 0;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->lock);
	if (rc)
		return lmdb_fail(NULL, err, rc, "growing the map");
	return 0;
}

int
store_grow(struct store *s, struct nf_err *err)
{
	MDB_envinfo info;
	size_t size;

	mdb_env_info(s->env, &info);
	pthread_mutex_lock(&s->lock);
	size = info.me_mapsize > s->mapsize ? info.me_mapsize : s->mapsize;
	pthread_mutex_unlock(&s->lock);
	if (size > SIZE_MAX / 2) {
		nf_err_set(err, "growing the map: already %zu MiB", size >> 20);
		return -1;
	}
	if (resize(s, size * 2, err))
		return -1;
	nf_log(NF_LOG_INFO, "store: map grown to %zu KiB", s->mapsize >> 10);
	return 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
store_sync(struct store *s, struct nf_err *err)
{
	int rc;

	if (s->flags & STORE_RDONLY)
		return 0;
	if ((rc = mdb_env_sync(s->env, 1)))
		return lmdb_fail(NULL, err, rc, "flushing to disk");
	pthread_mutex_lock(&s->lock);
	s->unsynced = 0;
	s->last_sync = mono_ms();
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int
store_sync_pending(struct store *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->unsynced;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* txn_enter(s) / txn_leave(s): count a transaction of this process in and
 * out; entering waits while the map is being resized. */
static void
txn_enter(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->growing)
		pthread_cond_wait(&s->cv, &s->lock);
	s->ntxn++;
	pthread_mutex_unlock(&s->lock);
	thread_txns++;
}

static int
txn_leave(struct store *s)
{
	int n;

	thread_txns--;
	pthread_mutex_lock(&s->lock);
	n = --s->ntxn;
	if (n == 0)
		pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->lock);
	return n;
}

struct store_txn *
store_begin(struct store *s, int write, struct nf_err *err)
{
	struct store_txn *t;
	int rc;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		nf_err_set(err, "out of memory");
		return NULL;
	}
	t->s = s;
	t->write = write;
	buf_init(&t->scratch, 0);
	txn_enter(s);
	if ((rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn))) {
		/* another process grew the map: adopt its size (only allowed
		 * with no transaction of ours open) */
		txn_leave(s);
		if (rc == MDB_MAP_RESIZED && resize(s, 0, NULL) == 0) {
			txn_enter(s);
			if ((rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn)))
				txn_leave(s);
		}
		if (rc) {
			free(t);
			lmdb_fail(NULL, err, rc, "beginning a transaction");
			return NULL;
		}
	}
	return t;
}

/* map_find(s): where LMDB maps the data file (which LMDB does not say),
 * from /proc/self/maps; NULL when not found. */
static void *
map_find(struct store *s)
{
	struct stat st;
	mdb_filehandle_t fd;
	FILE *f;
	char line[512];
	unsigned long lo, hi, ino;
	unsigned maj, min;
	void *at = NULL;

	if (mdb_env_get_fd(s->env, &fd) || fstat(fd, &st) ||
	    (f = fopen("/proc/self/maps", "re")) == NULL)
		return NULL;
	/* lo-hi perms offset major:minor inode path */
	while (at == NULL && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &lo, &hi, &maj, &min, &ino) == 5 &&
		    ino == (unsigned long)st.st_ino && maj == major(st.st_dev) &&
		    min == minor(st.st_dev))
			at = (void *)lo;
	fclose(f);
	return at;
}

/* map_note(s): where the map lies now (LMDB moves it when it grows), for
 * map_ahead() and store_holds(); nothing of it is made writable yet. */
static void
map_note(struct store *s)
{
	s->map = map_find(s);
	s->ahead = 0;
}

int
store_holds(const struct store *s, const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = s ? (uintptr_t)s->map : 0;

	return lo && a >= lo && a - lo < s->mapsize;
}

#define AHEAD_BYTES ((size_t)8 << 20)

/* map_ahead(s): fault in, writable, the pages past the database's end
 * that the next transactions will take, so that the writer does not: a
 * page new to the file costs a block reservation and zeroing in the
 * kernel.  Called by the flusher, counted as an open transaction. */
static void
map_ahead(struct store *s, size_t end)
{
#ifdef MADV_POPULATE_WRITE
	size_t from, to;

	if (s->no_ahead || s->map == NULL || s->ahead >= end + AHEAD_BYTES / 2)
		return;
	from = s->ahead > end ? s->ahead : end;
	to = end + AHEAD_BYTES;
	if (to > s->mapsize)
		to = s->mapsize;
	if (from >= to)
		return;
	if (madvise((char *)s->map + from, to - from, MADV_POPULATE_WRITE))
		s->no_ahead = 1;
	else
		s->ahead = to;
#else
	(void)s;
	(void)end;
#endif
}

/*
 * flusher_main(s): the thread that flushes a STORE_SYNC_BATCH store, so
 * that the thread that writes never waits for the disk.  It flushes a
 * second after the last flush began, once a commit is pending, and after
 * each commit readies the pages past the database's end (map_ahead()).
 * It counts as an open transaction meanwhile (the map is not resized
 * under it).  Commits that land during a flush are flushed by the next.
 */
static void *
flusher_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		int64_t due = s->last_sync + 1000, now = mono_ms();
		int rc = 0, sync = s->unsynced && now >= due, ahead = s->committed;
		size_t end = s->db_end;

		if (!sync && !ahead) {
			struct timespec ts;

			if (!s->unsynced) {
				pthread_cond_wait(&s->fcv, &s->lock);
				continue;
			}
			ts.tv_sec = (time_t)(due / 1000);
			ts.tv_nsec = (long)(due % 1000) * 1000000;
			pthread_cond_timedwait(&s->fcv, &s->lock, &ts);
			continue;
		}
		while (s->growing)
			pthread_cond_wait(&s->cv, &s->lock);
		s->ntxn++;
		s->committed = 0;
		if (sync) {
			s->unsynced = 0;
			s->last_sync = now;
		}
		pthread_mutex_unlock(&s->lock);
		if (ahead)
			map_ahead(s, end);
		if (sync)
			rc = mdb_env_sync(s->env, 1);
		pthread_mutex_lock(&s->lock);
		if (--s->ntxn == 0)
			pthread_cond_broadcast(&s->cv);
		if (sync && rc) {
			s->unsynced = 1;
			if (!s->flush_failed)
				nf_log(NF_LOG_ERR, "store: %s: flushing to disk: %s", s->path,
				       mdb_strerror(rc));
		} else if (sync && s->flush_failed) {
			nf_log(NF_LOG_INFO, "store: %s: flushing to disk again", s->path);
		}
		if (sync)
			s->flush_failed = rc != 0;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int
store_commit(struct store_txn *t, int *map_full, struct nf_err *err)
{
	int rc, full = t->map_full;

	struct store *s = t->s;
	int rdonly = !t->write, left, due;

	rc = full ? MDB_MAP_FULL : mdb_txn_commit(t->txn);
	if (full)
		mdb_txn_abort(t->txn);
	if (rc == MDB_MAP_FULL)
		full = 1;
	if (map_full)
		*map_full = full;
	buf_release(&t->scratch);
	free(t);
	left = txn_leave(s);
	if (rc)
		return lmdb_fail(NULL, err, rc, "commit");
	if (!rdonly && (s->flags & STORE_SYNC_BATCH)) {
		MDB_envinfo info;
		size_t end;

		mdb_env_info(s->env, &info); /* the committing thread reads the meta */
		end = (info.me_last_pgno + 1) * s->psize;
		pthread_mutex_lock(&s->lock);
		s->unsynced = 1;
		s->committed = 1;
		s->db_end = end;
		if (!s->flusher_on)
			s->flusher_on = pthread_create(&s->flusher, NULL, flusher_main, s) == 0;
		if (s->flusher_on)
			pthread_cond_signal(&s->fcv);
		/* without a flusher, the committing thread flushes */
		due = !s->flusher_on && mono_ms() - s->last_sync >= 1000 && left == 0;
		pthread_mutex_unlock(&s->lock);
		if (due)
			return store_sync(s, err);
	}
	return 0;
}

void
store_abort(struct store_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->txn);
	buf_release(&t->scratch);
	txn_leave(t->s);
	free(t);
}

int
store_txn_map_full(const struct store_txn *t)
{
	return t->map_full;
}

int
txn_put(struct store_txn *t, int db, MDB_val *k, MDB_val *v, unsigned flags)
{
	int rc = mdb_put(t->txn, t->s->dbi[db], k, v, flags);

	if (rc)
		return lmdb_fail(t, NULL, rc, store_db_names[db]);
	return 0;
}

/* txn_get: 0 found, 1 absent, -1 error. */
int
txn_get(struct store_txn *t, int db, MDB_val *k, MDB_val *v)
{
	int rc = mdb_get(t->txn, t->s->dbi[db], k, v);

	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc)
		return lmdb_fail(t, NULL, rc, store_db_names[db]);
	return 0;
}

int
txn_del(struct store_txn *t, int db, MDB_val *k)
{
	int rc = mdb_del(t->txn, t->s->dbi[db], k, NULL);

	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, store_db_names[db]);
	return 0;
}

/* ---- meta ------------------------------------------------------------- */

int
store_next_id(struct store_txn *t, const char *which, uint64_t *out)
{
	char name[32];
	uint64_t v, last;
	int rc, story = strcmp(which, "story") == 0, bit = story ? 2 : 1;

	snprintf(name, sizeof(name), "next_%s", which);
	if ((rc = meta_get_u64(t->txn, t->s->dbi[DB_META], name, &v)))
		return lmdb_fail(t, NULL, rc, name);
	if (v == 0)
		v = 1;
	/* a counter behind the records (a damaged or hand-restored meta)
	 * would hand out an id in use, and the new record replace an old
	 * one: checked once a transaction, its ids then follow */
	if (!(t->ids_checked & bit)) {
		t->ids_checked |= bit;
		last = last_id(t, story ? DB_STORIES : DB_ARTICLES);
		if (last != UINT64_MAX && v <= last) {
			nf_log(NF_LOG_WARNING, "store: %s was %llu, not past the last %s %llu: "
			       "ids go on from %llu", name, (unsigned long long)v, which,
			       (unsigned long long)last, (unsigned long long)(last + 1));
			v = last + 1;
		}
	}
	if ((rc = meta_put_u64(t->txn, t->s->dbi[DB_META], name, v + 1)))
		return lmdb_fail(t, NULL, rc, name);
	*out = v;
	return 0;
}

uint64_t
store_counter(struct store_txn *t, const char *name)
{
	uint64_t v = 0;

	meta_get_u64(t->txn, t->s->dbi[DB_META], name, &v);
	return v;
}

int
store_counter_add(struct store_txn *t, const char *name, int64_t delta)
{
	uint64_t v;
	int rc;

	if ((rc = meta_get_u64(t->txn, t->s->dbi[DB_META], name, &v)))
		return lmdb_fail(t, NULL, rc, name);
	v = delta < 0 && (uint64_t)-delta > v ? 0 : v + (uint64_t)delta;
	if ((rc = meta_put_u64(t->txn, t->s->dbi[DB_META], name, v)))
		return lmdb_fail(t, NULL, rc, name);
	return 0;
}

/* ---- feeds ------------------------------------------------------------ */

#define FEED_REC 1

const char *
store_feed_status_name(enum store_feed_status s)
{
	static const char *const n[] = {"never", "ok", "not_modified", "error", "gone"};

	return (unsigned)s < NF_ARRAY_LEN(n) ? n[s] : "error";
}

void
store_feed_init(struct store_feed *f, const char *url)
{
	memset(f, 0, sizeof(*f));
	f->url = url;
	f->last_poll = f->last_ok = f->next_poll = NF_TIME_NONE;
}

int
feed_decode(const MDB_val *k, const MDB_val *v, struct store_feed *f)
{
	struct rd r;

	rd_init(&r, v->mv_data, v->mv_size);
	store_feed_init(f, NULL);
	if (rd_u8(&r) != FEED_REC)
		return -1;
	f->title = rd_str(&r);
	f->etag = rd_str(&r);
	f->last_modified = rd_str(&r);
	f->status = (enum store_feed_status)rd_varint(&r);
	f->http_status = (long)rd_varint(&r);
	f->error = rd_str(&r);
	f->failures = (uint32_t)rd_varint(&r);
	f->last_poll = rd_svarint(&r);
	f->last_ok = rd_svarint(&r);
	f->next_poll = rd_svarint(&r);
	f->moved_to = rd_str(&r);
	f->articles = rd_varint(&r);
	/* the key is not NUL-terminated: the record carries the URL too */
	f->url = rd_str(&r);
	if (r.bad || f->url == NULL || strlen(f->url) != k->mv_size ||
	    memcmp(f->url, k->mv_data, k->mv_size))
		return -1;
	return 0;
}

int
store_feed_get(struct store_txn *t, const char *url, struct store_feed *out)
{
	MDB_val k = {strlen(url), (void *)url}, v;
	int rc;

	if (k.mv_size > FEED_URL_MAX)
		k.mv_size = FEED_URL_MAX;
	if ((rc = txn_get(t, DB_FEEDS, &k, &v)))
		return rc;
	if (feed_decode(&k, &v, out)) {
		nf_log(NF_LOG_ERR, "store: feed %s: corrupt record", url);
		return STORE_CORRUPT;
	}
	return 0;
}

int
store_feed_put(struct store_txn *t, const struct store_feed *f)
{
	struct buf *b = &t->scratch;
	MDB_val k = {strlen(f->url), (void *)f->url}, v;

	if (k.mv_size > FEED_URL_MAX) {
		nf_log(NF_LOG_ERR, "store: feed URL longer than %d bytes: %.60s...", FEED_URL_MAX,
		       f->url);
		return -1;
	}
	buf_reset(b);
	wr_u8(b, FEED_REC);
	wr_str(b, f->title);
	wr_str(b, f->etag);
	wr_str(b, f->last_modified);
	wr_varint(b, (uint64_t)f->status);
	wr_varint(b, (uint64_t)(f->http_status < 0 ? 0 : f->http_status));
	wr_str(b, f->error);
	wr_varint(b, f->failures);
	wr_svarint(b, f->last_poll);
	wr_svarint(b, f->last_ok);
	wr_svarint(b, f->next_poll);
	wr_str(b, f->moved_to);
	wr_varint(b, f->articles);
	wr_str(b, f->url);
	if (b->data == NULL)
		return -1;
	v.mv_size = b->len;
	v.mv_data = b->data;
	return txn_put(t, DB_FEEDS, &k, &v, 0);
}

int
store_feed_del(struct store_txn *t, const char *url)
{
	MDB_val k = {strlen(url), (void *)url};

	return txn_del(t, DB_FEEDS, &k);
}

int
store_feed_each(struct store_txn *t, int (*fn)(const struct store_feed *, void *), void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct store_feed f;
	int rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_FEEDS], &c)))
		return lmdb_fail(t, NULL, rc, "feeds");
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (feed_decode(&k, &v, &f)) {
			nf_log(NF_LOG_ERR, "store: feed %.*s: corrupt record, skipped",
			       (int)k.mv_size, (char *)k.mv_data);
			continue;
		}
		if (fn(&f, ctx))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "feeds");
	return 0;
}

/* ---- articles --------------------------------------------------------- */

#define ARTICLE_REC 1

int64_t
store_article_time(const struct store_article *a)
{
	return a->published != NF_TIME_NONE ? a->published : a->first_seen;
}

/*
 * article_head(r, a, strings): a record's fields before its terms into
 * ${a}, and a->nterms the count of terms that follows; with ${strings},
 * its strings borrowed from the record and checked, else skipped and left
 * NULL.  Returns 0, or -1 when what was read is corrupt.
 */
static int
article_head(struct rd *r, struct store_article *a, int strings)
{
	if (rd_u8(r) != ARTICLE_REC)
		return -1;
	a->story = rd_varint(r);
	a->copy_of = rd_varint(r);
	if (strings) {
		a->feeds = rd_multistr(r, &a->nfeeds);
		a->guid = rd_str(r);
		a->url = rd_str(r);
		a->title = rd_str(r);
		a->outlet = rd_str(r);
		a->summary = rd_str(r);
	} else {
		int i;

		rd_skip_multistr(r);
		for (i = 0; i < 5; i++) /* guid, url, title, outlet, summary */
			rd_skip_str(r);
	}
	a->published = rd_svarint(r);
	a->first_seen = rd_svarint(r);
	a->updated = rd_svarint(r);
	a->simhash = rd_u64le(r);
	a->flags = rd_u64le(r);
	a->tier = rd_u8(r);
	a->sim = rd_f32(r);
	a->sim_with = rd_varint(r);
	a->nterms = (uint32_t)rd_varint(r);
	if (r->bad || (strings && a->feeds == NULL) || a->nterms > 100000 ||
	    (size_t)(r->end - r->p) / 12 < a->nterms)
		return -1;
	return 0;
}

/* article_sig(r, a): the signature's count, checked, into a->nsig. */
static int
article_sig(struct rd *r, struct store_article *a)
{
	a->nsig = (uint32_t)rd_varint(r);
	return r->bad || a->nsig > STORE_SIG_MAX || (size_t)(r->end - r->p) / 4 < a->nsig ? -1 : 0;
}

int
article_decode(const MDB_val *v, uint64_t id, struct store_article *a)
{
	struct rd r;

	memset(a, 0, sizeof(*a));
	a->id = id;
	rd_init(&r, v->mv_data, v->mv_size);
	if (article_head(&r, a, 1))
		goto bad;
	if (a->nterms && (a->terms = malloc(a->nterms * sizeof(*a->terms))) == NULL)
		goto bad;
	rd_terms(&r, a->terms, a->nterms);
	if (article_sig(&r, a))
		goto bad;
	if (a->nsig && (a->sig = malloc(a->nsig * sizeof(*a->sig))) == NULL)
		goto bad;
	rd_u32le_n(&r, a->sig, a->nsig);
	if (r.bad)
		goto bad;
	return 0;
bad:
	store_article_release(a);
	return -1;
}

/* article_decode_brief(v, id, a, sig): the record in brief (store.h's
 * store_article_each_brief_from()), its signature into ${sig} (room for
 * STORE_SIG_MAX). */
static int
article_decode_brief(const MDB_val *v, uint64_t id, struct store_article *a, uint32_t *sig)
{
	struct rd r;

	memset(a, 0, sizeof(*a));
	a->id = id;
	rd_init(&r, v->mv_data, v->mv_size);
	if (article_head(&r, a, 0))
		return -1;
	rd_skip(&r, 12, a->nterms);
	a->nterms = 0;
	if (article_sig(&r, a))
		return -1;
	rd_u32le_n(&r, sig, a->nsig);
	a->sig = a->nsig ? sig : NULL;
	return r.bad ? -1 : 0;
}

int
store_article_get(struct store_txn *t, uint64_t id, struct store_article *out)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	int rc;

	put_be64(kb, id);
	if ((rc = txn_get(t, DB_ARTICLES, &k, &v)))
		return rc;
	if (article_decode(&v, id, out)) {
		nf_log(NF_LOG_ERR, "store: article %llu: corrupt record", (unsigned long long)id);
		return STORE_CORRUPT;
	}
	return 0;
}

int
store_article_terms(struct store_txn *t, uint64_t id, struct nf_term *out, uint32_t cap,
                    uint32_t *n)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	struct rd r;
	struct store_article a;
	uint32_t nt;
	int rc;

	put_be64(kb, id);
	if ((rc = txn_get(t, DB_ARTICLES, &k, &v)))
		return rc;
	rd_init(&r, v.mv_data, v.mv_size);
	if (article_head(&r, &a, 1))
		goto bad;
	nt = a.nterms;
	if (nt > cap)
		return 2;
	rd_terms(&r, out, nt);
	*n = nt;
	return 0;
bad:
	nf_log(NF_LOG_ERR, "store: article %llu: corrupt record", (unsigned long long)id);
	return STORE_CORRUPT;
}

void
store_article_release(struct store_article *a)
{
	if (a == NULL)
		return;
	free(a->terms);
	free(a->sig);
	a->terms = NULL;
	a->sig = NULL;
	a->nterms = a->nsig = 0;
}

uint64_t
last_id(struct store_txn *t, int db)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t id = 0;

	if (mdb_cursor_open(t->txn, t->s->dbi[db], &c))
		return UINT64_MAX; /* no append; the put reports the error */
	if (mdb_cursor_get(c, &k, &v, MDB_LAST) == 0 && k.mv_size == 8)
		id = get_be64(k.mv_data);
	mdb_cursor_close(c);
	return id;
}

int
store_article_put(struct store_txn *t, const struct store_article *a)
{
	struct buf *b = &t->scratch;
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;

	put_be64(kb, a->id);
	buf_reset(b);
	wr_u8(b, ARTICLE_REC);
	wr_varint(b, a->story);
	wr_varint(b, a->copy_of);
	wr_multistr(b, a->feeds, a->nfeeds);
	wr_str(b, a->guid);
	wr_str(b, a->url);
	wr_str(b, a->title);
	wr_str(b, a->outlet);
	wr_str(b, a->summary);
	wr_svarint(b, a->published);
	wr_svarint(b, a->first_seen);
	wr_svarint(b, a->updated);
	wr_u64le(b, a->simhash);
	wr_u64le(b, a->flags);
	wr_u8(b, a->tier);
	wr_f32(b, a->sim);
	wr_varint(b, a->sim_with);
	wr_varint(b, a->nterms);
	wr_terms(b, a->terms, a->nterms);
	wr_varint(b, a->nsig);
	wr_u32le_n(b, a->sig, a->nsig);
	if (b->data == NULL)
		return -1;
	v.mv_size = b->len;
	v.mv_data = b->data;
	return txn_put(t, DB_ARTICLES, &k, &v, a->id > last_id(t, DB_ARTICLES) ? MDB_APPEND : 0);
}

uint64_t
store_article_count(struct store_txn *t)
{
	MDB_stat st;

	return mdb_stat(t->txn, t->s->dbi[DB_ARTICLES], &st) ? 0 : (uint64_t)st.ms_entries;
}

/* each_from(t, from, fn, ctx, brief): store_article_each_from() and its
 * brief form. */
static int
each_from(struct store_txn *t, uint64_t from, int (*fn)(const struct store_article *, void *),
          void *ctx, int brief)
{
	MDB_cursor *c;
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	struct store_article a;
	uint32_t *sig = NULL;
	int rc, op = MDB_SET_RANGE, stop = 0;

	if (brief && (sig = malloc(STORE_SIG_MAX * sizeof(*sig))) == NULL)
		return -1;
	put_be64(kb, from);
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ARTICLES], &c))) {
		free(sig);
		return lmdb_fail(t, NULL, rc, "articles");
	}
	while (!stop && (rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		uint64_t id = k.mv_size == 8 ? get_be64(k.mv_data) : 0;

		op = MDB_NEXT;
		if (k.mv_size != 8 ||
		    (brief ? article_decode_brief(&v, id, &a, sig) : article_decode(&v, id, &a))) {
			nf_log(NF_LOG_ERR, "store: corrupt article record, skipped");
			continue;
		}
		stop = fn(&a, ctx);
		if (!brief)
			store_article_release(&a);
	}
	mdb_cursor_close(c);
	free(sig);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "articles");
	return 0;
}

int
store_article_each_from(struct store_txn *t, uint64_t from,
                        int (*fn)(const struct store_article *, void *), void *ctx)
{
	return each_from(t, from, fn, ctx, 0);
}

int
store_article_each_brief_from(struct store_txn *t, uint64_t from,
                              int (*fn)(const struct store_article *, void *), void *ctx)
{
	return each_from(t, from, fn, ctx, 1);
}

int
store_article_each(struct store_txn *t, int (*fn)(const struct store_article *, void *),
                   void *ctx)
{
	return store_article_each_from(t, 0, fn, ctx);
}

void
store_key(char tag, const void *a, size_t alen, const void *b, size_t blen,
          unsigned char out[17])
{
	XXH3_state_t st;
	XXH128_hash_t h;
	XXH128_canonical_t c;

	XXH3_INITSTATE(&st); /* reset reads a field before setting it */
	XXH3_128bits_reset(&st);
	XXH3_128bits_update(&st, a, alen);
	if (b) {
		XXH3_128bits_update(&st, "", 1);
		XXH3_128bits_update(&st, b, blen);
	}
	h = XXH3_128bits_digest(&st);
	XXH128_canonicalFromHash(&c, h);
	out[0] = (unsigned char)tag;
	memcpy(out + 1, c.digest, 16);
}

int
store_key_get(struct store_txn *t, const unsigned char key[17], uint64_t *id)
{
	MDB_val k = {17, (void *)key}, v;
	int rc;

	if ((rc = txn_get(t, DB_KEYS, &k, &v)))
		return rc;
	if (v.mv_size != 8) {
		nf_log(NF_LOG_ERR, "store: a malformed identity key");
		return STORE_CORRUPT;
	}
	*id = get_be64(v.mv_data);
	return 0;
}

int
store_key_put(struct store_txn *t, const unsigned char key[17], uint64_t id)
{
	unsigned char vb[8];
	MDB_val k = {17, (void *)key}, v = {8, vb}, ak = {8, vb}, av = {17, (void *)key};
	uint64_t old;
	int rc;

	/* one descent when the key is new (the common case): a key already
	 * there comes back in v */
	put_be64(vb, id);
	rc = mdb_put(t->txn, t->s->dbi[DB_KEYS], &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		/* a malformed one is replaced (its article, unknown, keeps an
		 * akeys entry that fsck removes) */
		if (v.mv_size == 8 && (old = get_be64(v.mv_data)) == id)
			return 0;
		if (v.mv_size == 8 && akey_del(t, old, key))
			return -1;
		v.mv_size = 8;
		v.mv_data = vb;
		if (txn_put(t, DB_KEYS, &k, &v, 0))
			return -1;
	} else if (rc) {
		return lmdb_fail(t, NULL, rc, "keys");
	}
	rc = mdb_put(t->txn, t->s->dbi[DB_AKEYS], &ak, &av, MDB_NODUPDATA);
	if (rc && rc != MDB_KEYEXIST)
		return lmdb_fail(t, NULL, rc, "akeys");
	return 0;
}

int
akey_del(struct store_txn *t, uint64_t id, const unsigned char key[17])
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v = {17, (void *)key};
	int rc;

	put_be64(kb, id);
	rc = mdb_del(t->txn, t->s->dbi[DB_AKEYS], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "akeys");
	return 0;
}

int
store_article_keys(struct store_txn *t, uint64_t id,
                   int (*fn)(const unsigned char key[17], void *), void *ctx)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = {8, kb}, v;
	int rc;

	put_be64(kb, id);
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_AKEYS], &c)))
		return lmdb_fail(t, NULL, rc, "akeys");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size == 17 && fn(v.mv_data, ctx))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "akeys");
	return 0;
}

/* ---- stories ---------------------------------------------------------- */

#define STORY_REC 1

static int story_decode_as(const MDB_val *v, uint64_t id, struct store_story *s,
                           int centroid);

int
story_decode(const MDB_val *v, uint64_t id, struct store_story *s)
{
	return story_decode_as(v, id, s, 1);
}

int
story_decode_head(const MDB_val *v, uint64_t id, struct store_story *s)
{
	return story_decode_as(v, id, s, 0);
}

/* story_fields(r, s): a story record's fields up to its article count,
 * into ${s}; 0, or -1 when malformed. */
static int
story_fields(struct rd *r, struct store_story *s)
{
	if (rd_u8(r) != STORY_REC)
		return -1;
	s->title = rd_str(r);
	s->rep = rd_varint(r);
	s->first_seen = rd_svarint(r);
	s->last_seen = rd_svarint(r);
	s->read = rd_u8(r);
	s->read_outlets = (uint32_t)rd_varint(r);
	s->outlets = rd_multistr(r, &s->noutlets);
	s->narticles = (uint32_t)rd_varint(r);
	if (r->bad || s->outlets == NULL || s->narticles > 10000000 ||
	    (size_t)(r->end - r->p) < s->narticles * (size_t)8)
		return -1;
	return 0;
}

static int
story_decode_as(const MDB_val *v, uint64_t id, struct store_story *s, int centroid)
{
	struct rd r;

	memset(s, 0, sizeof(*s));
	s->id = id;
	rd_init(&r, v->mv_data, v->mv_size);
	if (story_fields(&r, s))
		return -1;
	if (s->narticles && (s->articles = malloc(s->narticles * sizeof(uint64_t))) == NULL)
		return -1;
	rd_u64le_n(&r, s->articles, s->narticles);
	s->ncentroid = (uint32_t)rd_varint(&r);
	if (r.bad || s->ncentroid > 100000 || (size_t)(r.end - r.p) < s->ncentroid * (size_t)12)
		goto bad;
	if (!centroid) {
		s->ncentroid = 0;
		return 0;
	}
	if (s->ncentroid && (s->centroid = malloc(s->ncentroid * sizeof(*s->centroid))) == NULL)
		goto bad;
	rd_terms(&r, s->centroid, s->ncentroid);
	if (r.bad)
		goto bad;
	return 0;
bad:
	store_story_release(s);
	return -1;
}

static int
story_get(struct store_txn *t, uint64_t id, struct store_story *out, int centroid)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	int rc;

	put_be64(kb, id);
	if ((rc = txn_get(t, DB_STORIES, &k, &v)))
		return rc;
	if (story_decode_as(&v, id, out, centroid)) {
		nf_log(NF_LOG_ERR, "store: story %llu: corrupt record", (unsigned long long)id);
		return STORE_CORRUPT;
	}
	return 0;
}

int
store_story_get(struct store_txn *t, uint64_t id, struct store_story *out)
{
	return story_get(t, id, out, 1);
}

int
store_story_get_head(struct store_txn *t, uint64_t id, struct store_story *out)
{
	return story_get(t, id, out, 0);
}

int
store_story_centroid(struct store_txn *t, uint64_t id, struct store_terms_view *out,
                     int64_t *first_seen)
{
	int64_t fs;
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	struct rd r;
	uint64_t na;
	uint32_t nc;
	int rc;

	put_be64(kb, id);
	if ((rc = txn_get(t, DB_STORIES, &k, &v)))
		return rc;
	/* the fields before the centroid, as story_fields() reads them, but
	 * the outlets are skipped unread: a story lists hundreds */
	rd_init(&r, v.mv_data, v.mv_size);
	if (rd_u8(&r) != STORY_REC)
		goto bad;
	rd_str(&r);     /* title */
	rd_varint(&r);  /* rep */
	fs = rd_svarint(&r);
	rd_svarint(&r); /* last_seen */
	rd_u8(&r);      /* read */
	rd_varint(&r);  /* read_outlets */
	rd_skip_multistr(&r); /* outlets */
	na = rd_varint(&r);
	if (r.bad || (size_t)(r.end - r.p) / 8 < na)
		goto bad;
	rd_skip(&r, 8, (size_t)na);
	nc = (uint32_t)rd_varint(&r);
	if (r.bad || (size_t)(r.end - r.p) / 12 < nc)
		goto bad;
	out->p = r.p;
	out->n = nc;
	if (first_seen)
		*first_seen = fs;
	return 0;
bad:
	nf_log(NF_LOG_ERR, "store: story %llu: corrupt record", (unsigned long long)id);
	return STORE_CORRUPT;
}

void
store_story_release(struct store_story *s)
{
	if (s == NULL)
		return;
	free(s->articles);
	free(s->centroid);
	s->articles = NULL;
	s->centroid = NULL;
	s->narticles = s->ncentroid = 0;
}

void
time_id_key(unsigned char kb[16], int64_t time, uint64_t id)
{
	put_be64(kb, time_key(time));
	put_be64(kb + 8, id);
}

int
store_story_put(struct store_txn *t, const struct store_story *s, int64_t old_last_seen)
{
	struct buf *b = &t->scratch;
	unsigned char kb[8], tk[16];
	MDB_val k = {8, kb}, v, tkv = {16, tk}, empty = {0, (void *)""};

	put_be64(kb, s->id);
	buf_reset(b);
	wr_u8(b, STORY_REC);
	wr_str(b, s->title);
	wr_varint(b, s->rep);
	wr_svarint(b, s->first_seen);
	wr_svarint(b, s->last_seen);
	wr_u8(b, s->read);
	wr_varint(b, s->read_outlets);
	wr_multistr(b, s->outlets, s->noutlets);
	wr_varint(b, s->narticles);
	wr_u64le_n(b, s->articles, s->narticles);
	wr_varint(b, s->ncentroid);
	wr_terms(b, s->centroid, s->ncentroid);
	if (b->data == NULL)
		return -1;
	v.mv_size = b->len;
	v.mv_data = b->data;
	if (txn_put(t, DB_STORIES, &k, &v, 0))
		return -1;
	if (old_last_seen == s->last_seen)
		return 0;
	if (old_last_seen != NF_TIME_NONE) {
		time_id_key(tk, old_last_seen, s->id);
		if (txn_del(t, DB_STORY_TIME, &tkv))
			return -1;
	}
	time_id_key(tk, s->last_seen, s->id);
	return txn_put(t, DB_STORY_TIME, &tkv, &empty, 0);
}

int
store_stories_newest(struct store_txn *t, int64_t since,
                     int (*fn)(uint64_t id, int64_t last_seen, void *), void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_STORY_TIME], &c)))
		return lmdb_fail(t, NULL, rc, "story_time");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_LAST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
		int64_t ts;

		if (k.mv_size != 16)
			continue;
		ts = time_unkey(get_be64(k.mv_data));
		if (ts < since)
			break;
		if (fn(get_be64((unsigned char *)k.mv_data + 8), ts, ctx))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "story_time");
	return 0;
}

/* ---- term statistics and postings ------------------------------------- */

uint32_t
store_df(struct store_txn *t, uint64_t term)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	uint32_t n;

	put_be64(kb, term);
	if (txn_get(t, DB_DF, &k, &v) || v.mv_size != 4)
		return 0;
	memcpy(&n, v.mv_data, 4);
	return n;
}

uint64_t
store_df_through(struct store_txn *t)
{
	uint64_t v = store_counter(t, "df_next");

	if (v == 0 && (v = store_counter(t, "next_article")) == 0)
		v = 1;
	return v;
}

int
store_set_df_through(struct store_txn *t, uint64_t id)
{
	int rc;

	if ((rc = meta_put_u64(t->txn, t->s->dbi[DB_META], "df_next", id)))
		return lmdb_fail(t, NULL, rc, "df_next");
	return 0;
}

int
store_df_add(struct store_txn *t, uint64_t term, int32_t delta)
{
	unsigned char kb[8];
	MDB_val k = {8, kb}, v;
	int64_t n = (int64_t)store_df(t, term) + delta;
	uint32_t u;

	put_be64(kb, term);
	if (n <= 0)
		return txn_del(t, DB_DF, &k);
	u = (uint32_t)n;
	v.mv_size = 4;
	v.mv_data = &u;
	return txn_put(t, DB_DF, &k, &v, 0);
}

int
store_df_add_many(struct store_txn *t, const uint64_t *terms, const int32_t *deltas, size_t n)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k, v;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_DF], &c)))
		return lmdb_fail(t, NULL, rc, "df");
	for (i = 0; i < n; i++) {
		int64_t count = deltas[i];
		uint32_t u;
		int found;

		put_be64(kb, terms[i]);
		k.mv_size = 8;
		k.mv_data = kb;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
		if (rc && rc != MDB_NOTFOUND)
			break;
		found = rc == 0;
		rc = 0;
		if (found && v.mv_size == 4) {
			memcpy(&u, v.mv_data, 4);
			count += u;
		}
		if (count <= 0) {
			if (found && (rc = mdb_cursor_del(c, 0)))
				break;
			continue;
		}
		u = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
		k.mv_size = 8;
		k.mv_data = kb;
		v.mv_size = 4;
		v.mv_data = &u;
		/* the cursor is on the term when it was found: replace there */
		if ((rc = mdb_cursor_put(c, &k, &v, found ? MDB_CURRENT : 0)))
			break;
	}
	mdb_cursor_close(c);
	if (rc)
		return lmdb_fail(t, NULL, rc, "df");
	return 0;
}

static int
cmp_w_desc(const void *x, const void *y)
{
	const struct nf_term *a = x, *b = y;

	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	return a->h < b->h ? -1 : a->h > b->h;
}

int
store_posted_terms(const struct store_article *a, uint64_t *out)
{
	struct nf_term top[STORE_POSTED_TERMS];
	uint32_t i, j, n = 0;

	if (a->tier == TIER_ALONE)
		return 0;
	/* a partial selection: keep the best STORE_POSTED_TERMS, sorted */
	for (i = 0; i < a->nterms; i++) {
		struct nf_term x = a->terms[i];

		if (n == STORE_POSTED_TERMS && cmp_w_desc(&x, &top[n - 1]) >= 0)
			continue;
		if (n < STORE_POSTED_TERMS)
			n++;
		for (j = n - 1; j > 0 && cmp_w_desc(&x, &top[j - 1]) < 0; j--)
			top[j] = top[j - 1];
		top[j] = x;
	}
	for (i = 0; i < n; i++)
		out[i] = top[i].h;
	return (int)n;
}
