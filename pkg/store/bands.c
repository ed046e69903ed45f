/* bands: the LSH buckets of the copy tier (see store.h). */
#include <stdint.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "store/store.h"
#include "store/store_int.h"
#include "base/banned.h"

int
store_band_keys(const struct store_article *a, uint8_t *band, uint64_t *hash, int max)
{
	int b, n = 0, r;

	if (a->nsig == 0)
		return 0;
	if (a->nsig != STORE_SIG_FULL + STORE_SIG_LEAD)
		return -1;
	for (b = 0; b < STORE_BANDS && n < max; b++) {
		const uint32_t *v = a->sig + b * STORE_BAND_ROWS;
		unsigned char bytes[4 * STORE_BAND_ROWS];
		int empty = 1;

		for (r = 0; r < STORE_BAND_ROWS; r++) {
			empty &= v[r] == UINT32_MAX;
			bytes[4 * r] = (unsigned char)v[r];
			bytes[4 * r + 1] = (unsigned char)(v[r] >> 8);
			bytes[4 * r + 2] = (unsigned char)(v[r] >> 16);
			bytes[4 * r + 3] = (unsigned char)(v[r] >> 24);
		}
		if (empty)
			continue;
		band[n] = (uint8_t)b;
		hash[n] = XXH3_64bits_withSeed(bytes, sizeof(bytes), (uint64_t)b);
		n++;
	}
	return n;
}

static void
band_key(unsigned char kb[25], uint8_t band, uint64_t hash, int64_t time, uint64_t article)
{
	kb[0] = band;
	put_be64(kb + 1, hash);
	put_be64(kb + 9, time_key(time));
	put_be64(kb + 17, article);
}

int
store_band_put(struct store_txn *t, uint8_t band, uint64_t hash, int64_t time,
               uint64_t article, uint64_t story)
{
	unsigned char kb[25], vb[8];
	MDB_val k = {25, kb}, v = {8, vb};

	band_key(kb, band, hash, time, article);
	put_be64(vb, story);
	return txn_put(t, DB_BANDS, &k, &v, 0);
}

int
store_band_del(struct store_txn *t, uint8_t band, uint64_t hash, int64_t time,
               uint64_t article)
{
	unsigned char kb[25];
	MDB_val k = {25, kb};

	band_key(kb, band, hash, time, article);
	return txn_del(t, DB_BANDS, &k);
}

int
store_bands_scan(struct store_txn *t, uint8_t band, uint64_t hash, int64_t tmin, int64_t tmax,
                 int (*fn)(uint64_t, uint64_t, int64_t, void *), void *ctx)
{
	unsigned char kb[25];
	MDB_cursor *c;
	MDB_val k = {25, kb}, v;
	int rc;

	band_key(kb, band, hash, tmin, 0);
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_BANDS], &c)))
		return lmdb_fail(t, NULL, rc, "bands");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const unsigned char *p = k.mv_data;
		int64_t ts;

		if (k.mv_size != 25 || p[0] != band || get_be64(p + 1) != hash)
			break;
		ts = time_unkey(get_be64(p + 9));
		if (ts > tmax)
			break;
		if (v.mv_size == 8 && fn(get_be64(p + 17), get_be64(v.mv_data), ts, ctx))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(t, NULL, rc, "bands");
	return 0;
}
