#ifndef NF_SIMHASH_H
#define NF_SIMHASH_H
/*
 * simhash: features -> fingerprints, and the similarity measures between
 * them.  The fingerprint functions take already-hashed features (the
 * tokeniser lives in normalise/).  Fingerprints are stored, so the seed and
 * the feature recipe are fixed: changing either changes SIMHASH_RECIPE,
 * and stored fingerprints of another recipe must be recomputed.
 */
#include <stddef.h>
#include <stdint.h>

#define SIMHASH_RECIPE 1
#define SIMHASH_SEED UINT64_C(0x6e657773666f6c64) /* "newsfold" */

/* simhash_feature(s, len): the 64-bit XXH3 hash of one feature. */
uint64_t simhash_feature(const void *s, size_t len);

/*
 * simhash_shingles(tok, len, n, k, out): the hashes of the word k-shingles
 * of ${n} tokens (tok[i], len[i] bytes) into ${out}, which has room for
 * max(n - k + 1, 1) hashes; returns how many were written (a text shorter
 * than k words gives one shingle of all its words; 0 words give 0).
 */
size_t simhash_shingles(const char *const *tok, const uint32_t *len, size_t n, size_t k,
                        uint64_t *out);

/*
 * simhash64(features, weights, n): Charikar's SimHash of ${n} hashed
 * features, each weighted by weights[i] (NULL: all 1).  0 for no features.
 */
uint64_t simhash64(const uint64_t *features, const float *weights, size_t n);

/* simhash_distance(a, b): the Hamming distance of two fingerprints, 0..64. */
int simhash_distance(uint64_t a, uint64_t b);

/*
 * MinHash by one-permutation hashing: each feature hash falls in one of ${k}
 * bins by its top bits and the bin keeps its smallest low 32 bits; empty
 * bins borrow from the next non-empty bin (rotation densification), so one
 * pass estimates the Jaccard similarity of two feature sets.
 *
 * minhash_oph(features, n, sig, k): ${k} (a power of two, at most 256)
 * values into ${sig}; every value is MINHASH_EMPTY when n is 0.
 */
#define MINHASH_EMPTY UINT32_MAX
void minhash_oph(const uint64_t *features, size_t n, uint32_t *sig, unsigned k);
/* minhash_similarity(a, b, k): the share of equal values, 0..1 (0 when
 * either signature is empty). */
double minhash_similarity(const uint32_t *a, const uint32_t *b, unsigned k);

#endif
