#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "simhash/simhash.h"
#include "base/banned.h"

uint64_t
simhash_feature(const void *s, size_t len)
{
	return XXH3_64bits_withSeed(s, len, SIMHASH_SEED);
}

/* shingles_piecewise(): simhash_shingles() a shingle at a time, for when
 * the words cannot be laid out in one buffer. */
static void
shingles_piecewise(const char *const *tok, const uint32_t *len, size_t m, size_t k,
                   uint64_t *out)
{
	XXH3_state_t st;
	size_t i, j;

	XXH3_INITSTATE(&st); /* reset reads a field before setting it */
	for (i = 0; i < m; i++) {
		XXH3_64bits_reset_withSeed(&st, SIMHASH_SEED);
		for (j = 0; j < k; j++) {
			XXH3_64bits_update(&st, tok[i + j], len[i + j]);
			XXH3_64bits_update(&st, " ", 1);
		}
		out[i] = XXH3_64bits_digest(&st);
	}
}

#define SHINGLE_ROOM 16384 /* bytes of words laid out on the stack */

size_t
simhash_shingles(const char *const *tok, const uint32_t *len, size_t n, size_t k,
                 uint64_t *out)
{
	char room[SHINGLE_ROOM], *all = room, *p;
	size_t i, m, total = 0, start, end;

	if (n == 0 || k == 0)
		return 0;
	m = n >= k ? n - k + 1 : 1;
	if (n < k)
		k = n;
	/* a shingle is its words, each followed by a space: the words are
	 * laid out so once, and each shingle hashed where it lies */
	for (i = 0; i < n; i++)
		total += (size_t)len[i] + 1;
	if (total > sizeof(room) && (all = malloc(total)) == NULL) {
		shingles_piecewise(tok, len, m, k, out);
		return m;
	}
	for (p = all, i = 0; i < n; i++) {
		memcpy(p, tok[i], len[i]);
		p[len[i]] = ' ';
		p += len[i] + 1;
	}
	for (start = 0, end = 0, i = 0; i < k; i++)
		end += (size_t)len[i] + 1;
	for (i = 0; i < m; i++) {
		out[i] = XXH3_64bits_withSeed(all + start, end - start, SIMHASH_SEED);
		if (i + 1 < m) {
			start += (size_t)len[i] + 1;
			end += (size_t)len[i + k] + 1;
		}
	}
	if (all != room)
		free(all);
	return m;
}

/* spread8(x): the 8 bits of byte x, one to each byte of the result (bit
 * i to bit 8i): seven by one multiplication, whose shifted copies then
 * cannot carry into each other, and the eighth by a shift. */
static inline uint64_t
spread8(uint64_t x)
{
	return (((x & 0x7f) * UINT64_C(0x0002040810204081)) & UINT64_C(0x0101010101010101)) |
	       (x >> 7) << 56;
}

/*
 * simhash64_plain(features, n): simhash64() with every weight 1: bit b is
 * set when more than half of the features have it.  The 64 counts are
 * kept as eight bytes in each of eight words (one word per byte of the
 * features), added eight at a time and moved to wide counters before a
 * byte can overflow.
 */
static uint64_t
simhash64_plain(const uint64_t *features, size_t n)
{
	uint32_t count[64];
	uint64_t acc[8], h = 0;
	size_t i = 0, end;
	int b, j;

	memset(count, 0, sizeof(count));
	while (i < n) {
		memset(acc, 0, sizeof(acc));
		end = n - i > 255 ? i + 255 : n;
		for (; i < end; i++)
			for (j = 0; j < 8; j++)
				acc[j] += spread8((features[i] >> (8 * j)) & 0xff);
		for (j = 0; j < 8; j++)
			for (b = 0; b < 8; b++)
				count[8 * j + b] += (uint32_t)(acc[j] >> (8 * b)) & 0xff;
	}
	for (b = 0; b < 64; b++)
		if ((uint64_t)count[b] * 2 > n)
			h |= UINT64_C(1) << b;
	return h;
}

uint64_t
simhash64(const uint64_t *features, const float *weights, size_t n)
{
	float v[64];
	uint64_t h = 0;
	size_t i;
	int b;

	if (n == 0)
		return 0;
	if (weights == NULL)
		return simhash64_plain(features, n);
	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++) {
		float w = weights ? weights[i] : 1.0f;
		uint64_t f = features[i];
		for (b = 0; b < 64; b++)
			v[b] += (f >> b) & 1 ? w : -w;
	}
	for (b = 0; b < 64; b++)
		if (v[b] > 0)
			h |= UINT64_C(1) << b;
	return h;
}

int
simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

void
minhash_oph(const uint64_t *features, size_t n, uint32_t *sig, unsigned k)
{
	unsigned char filled[256];
	unsigned shift = 64, i, j, nfilled = 0;
	size_t f;

	if (k > 256)
		k = 256;
	for (i = k; i > 1; i >>= 1)
		shift--;
	memset(filled, 0, sizeof(filled));
	for (i = 0; i < k; i++)
		sig[i] = MINHASH_EMPTY;
	for (f = 0; f < n; f++) {
		/* remix: features may be hashes of correlated inputs */
		uint64_t h = features[f] * UINT64_C(0x9e3779b97f4a7c15);
		unsigned bin = k > 1 ? (unsigned)(h >> shift) : 0;
		uint32_t v = (uint32_t)(h ^ (h >> 29));

		if (v == MINHASH_EMPTY)
			v--;
		nfilled += !filled[bin];
		filled[bin] = 1;
		if (v < sig[bin])
			sig[bin] = v;
	}
	if (nfilled == 0 || nfilled == k)
		return;
	/* densify: an empty bin takes the value of the next filled bin, mixed
	 * with the distance so that borrowed values rarely collide */
	for (i = 0; i < k; i++) {
		if (filled[i])
			continue;
		for (j = 1; j < k; j++)
			if (filled[(i + j) % k]) {
				sig[i] = sig[(i + j) % k] ^ (j * UINT32_C(0x9e3779b9));
				if (sig[i] == MINHASH_EMPTY)
					sig[i]--;
				break;
			}
	}
}

double
minhash_similarity(const uint32_t *a, const uint32_t *b, unsigned k)
{
	unsigned i, same = 0;

	if (k == 0 || a[0] == MINHASH_EMPTY || b[0] == MINHASH_EMPTY)
		return 0;
	for (i = 0; i < k; i++)
		same += a[i] == b[i];
	return (double)same / k;
}
