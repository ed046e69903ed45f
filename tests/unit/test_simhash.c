/* Unit tests of pkg/simhash: shingles and SimHash fingerprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xxhash.h>

#include "normalise/normalise.h"
#include "simhash/simhash.h"

static uint64_t
fingerprint(const char *text)
{
	struct norm_tokens t;
	uint64_t sh[512], h;
	size_t n;

	norm_tokens_init(&t);
	assert_int_equal(norm_tokenise(text, strlen(text), &t), 0);
	n = simhash_shingles(t.tok, t.len, t.n, 3, sh);
	h = simhash64(sh, NULL, n);
	norm_tokens_release(&t);
	return h;
}

static const char wire[] =
	"the indian navy captured 23 pirates who threatened a merchant vessel in the lawless "
	"waters of the gulf of aden between the horn of africa and the arabian peninsula on "
	"saturday the navy said in a statement that its warship ins mysore responded to a "
	"distress call from the ethiopian flagged vessel and sent commandos aboard";

static void
identical_texts_have_identical_fingerprints(void **state)
{
	assert_int_equal(simhash_distance(fingerprint(wire), fingerprint(wire)), 0);
	assert_int_not_equal(fingerprint(wire), 0);
}

static void
a_wire_copy_with_a_dateline_stays_near(void **state)
{
	char copy[1024];

	snprintf(copy, sizeof(copy), "new delhi reuters %s reporting by staff editing by desk", wire);
	/* 10 words added to 46: much nearer than an unrelated text (about 32) */
	assert_true(simhash_distance(fingerprint(wire), fingerprint(copy)) <= 12);
}

static void
different_stories_are_far_apart(void **state)
{
	const char *other =
		"microsoft released an emergency patch for internet explorer on wednesday after "
		"attackers exploited a flaw in the browser to steal passwords from users the company "
		"said the update fixes all supported versions and urged customers to install it now";

	assert_true(simhash_distance(fingerprint(wire), fingerprint(other)) > 20);
}

static void
short_texts_make_one_shingle_and_empty_texts_none(void **state)
{
	const char *tok[2] = {"hello", "world"};
	uint32_t len[2] = {5, 5};
	uint64_t out[2];

	assert_int_equal(simhash_shingles(tok, len, 2, 3, out), 1);
	assert_int_equal(simhash_shingles(tok, len, 0, 3, out), 0);
	assert_int_equal(simhash64(out, NULL, 0), 0);
}

static void
the_feature_hash_is_fixed_by_its_recipe(void **state)
{
	/* fingerprints are stored: the hash of a feature must never change */
	assert_int_equal(simhash_feature("newsfold", 8), simhash_feature("newsfold", 8));
	assert_int_not_equal(simhash_feature("newsfold", 8), simhash_feature("newsfolds", 9));
	assert_int_equal(simhash_distance(0, UINT64_MAX), 64);
}

/* Unweighted fingerprints take a counting shortcut: it must give exactly
 * what the weighted sum gives with every weight 1, at every length (the
 * shortcut folds its byte counters every 255 features). */
static void
unweighted_fingerprints_equal_weights_of_one(void **state)
{
	static uint64_t f[1000];
	static float one[1000];
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i, n;
	const size_t lens[] = {1, 2, 3, 7, 64, 254, 255, 256, 511, 600, 1000};

	for (i = 0; i < 1000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* a few features repeat, as shingles of a text do */
		f[i] = i % 5 == 4 ? f[i / 2] : x;
		one[i] = 1.0f;
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		n = lens[i];
		assert_int_equal(simhash64(f, NULL, n), simhash64(f, one, n));
	}
	/* all features alike: the fingerprint is the feature */
	for (i = 0; i < 300; i++)
		f[i] = 0xF0F0F0F00F0F0F0Fu;
	assert_int_equal(simhash64(f, NULL, 300), 0xF0F0F0F00F0F0F0Fu);
}

/* Shingle hashes are stored too: each is XXH3 of its words, each followed
 * by a space -- also when the words are long. */
static void
shingles_hash_their_words_each_followed_by_a_space(void **state)
{
	const char *tok[4] = {"the", "indian", "navy", "captured"};
	uint32_t len[4] = {3, 6, 4, 8};
	uint64_t out[4];
	static char big[3][200], cat[700];
	const char *btok[3] = {big[0], big[1], big[2]};
	uint32_t blen[3] = {200, 200, 200};
	size_t i;

	assert_int_equal(simhash_shingles(tok, len, 4, 3, out), 2);
	assert_true(out[0] == XXH3_64bits_withSeed("the indian navy ", 16, SIMHASH_SEED));
	assert_true(out[1] == XXH3_64bits_withSeed("indian navy captured ", 21, SIMHASH_SEED));
	for (i = 0; i < 3; i++) {
		memset(big[i], 'a' + (int)i, 200);
		memcpy(cat + 201 * i, big[i], 200);
		cat[201 * i + 200] = ' ';
	}
	assert_int_equal(simhash_shingles(btok, blen, 3, 3, out), 1);
	assert_true(out[0] == XXH3_64bits_withSeed(cat, 603, SIMHASH_SEED));
}

/* a text longer than the words' stack room: the same hashes */
static void
shingles_of_a_long_text_hash_the_same_words(void **state)
{
	enum { N = 120, L = 200 };
	static char word[N][L], cat[3 * (L + 1)];
	static const char *tok[N];
	static uint32_t len[N];
	static uint64_t out[N];
	size_t i, j;

	for (i = 0; i < N; i++) {
		memset(word[i], 'a' + (int)(i % 26), L);
		word[i][0] = (char)('0' + i % 10);
		tok[i] = word[i];
		len[i] = L - (uint32_t)(i % 7);
	}
	assert_int_equal(simhash_shingles(tok, len, N, 3, out), N - 2);
	for (i = 0; i < N - 2; i += 13) {
		size_t n = 0;

		for (j = 0; j < 3; j++) {
			memcpy(cat + n, tok[i + j], len[i + j]);
			n += len[i + j];
			cat[n++] = ' ';
		}
		assert_true(out[i] == XXH3_64bits_withSeed(cat, n, SIMHASH_SEED));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_texts_have_identical_fingerprints),
		cmocka_unit_test(unweighted_fingerprints_equal_weights_of_one),
		cmocka_unit_test(shingles_hash_their_words_each_followed_by_a_space),
		cmocka_unit_test(shingles_of_a_long_text_hash_the_same_words),
		cmocka_unit_test(a_wire_copy_with_a_dateline_stays_near),
		cmocka_unit_test(different_stories_are_far_apart),
		cmocka_unit_test(short_texts_make_one_shingle_and_empty_texts_none),
		cmocka_unit_test(the_feature_hash_is_fixed_by_its_recipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
