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
