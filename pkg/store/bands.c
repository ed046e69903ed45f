/* bands: the LSH buckets of the copy tier (see store.h). */
#include <stdint.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "store/store.h"
#include "store/store_int.h"
#include "base/banned.h"

uint64_t
store_band_hash(const uint32_t *v, int b)
{
	unsigned char bytes[4 * STORE_BAND_ROWS];
	int r, empty = 1;
	uint64_t h;

	for (r = 0; r < STORE_BAND_ROWS; r++) {
		empty &= v[r] == UINT32_MAX;
		bytes[4 * r] = (unsigned char)v[r];
		bytes[4 * r + 1] = (unsigned char)(v[r] >> 8);
		bytes[4 * r + 2] = (unsigned char)(v[r] >> 16);
		bytes[4 * r + 3] = (unsigned char)(v[r] >> 24);
	}
	if (empty)
		return 0;
	h = XXH3_64bits_withSeed(bytes, sizeof(bytes), (uint64_t)b);
	return h + (h == 0);
}

int
store_band_keys(const struct store_article *a, uint8_t *band, uint64_t *hash, int max)
{
	int b, n = 0, nb = STORE_BANDS;

	if (a->nsig == 0)
		return 0;
	if (a->nsig != STORE_SIG_FULL + STORE_SIG_LEAD)
		return -1;
	if (a->flags & STORE_SIG_WHOLE)
		nb = STORE_SIG_FULL / STORE_BAND_ROWS;
	for (b = 0; b < nb && n < max; b++) {
		uint64_t h = store_band_hash(a->sig + b * STORE_BAND_ROWS, b);

		if (h == 0)
			continue;
		band[n] = (uint8_t)b;
		hash[n] = h;
		n++;
	}
	return n;
}
