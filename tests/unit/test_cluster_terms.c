/* Unit tests of pkg/cluster's term counts (cluster_terms_build()): what
 * the story tier weighs an article by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cluster/cluster.h"
#include "normalise/normalise.h"
#include "simhash/simhash.h"

static void
tokens(const char *text, struct norm_tokens *t)
{
	norm_tokens_init(t);
	assert_int_equal(norm_tokenise(text, strlen(text), t), 0);
}

/* weight_of(ts, word): the count of ${word}'s term; -1 when it has none,
 * and fails when it is there twice */
static float
weight_of(const struct cluster_terms *ts, const char *word)
{
	uint64_t h = simhash_feature(word, strlen(word));
	float w = -1;
	uint32_t i;

	for (i = 0; i < ts->n; i++) {
		if (ts->v[i].h == h) {
			assert_true(w < 0);
			w = ts->v[i].w;
		}
	}
	return w;
}

static void
each_term_is_counted_once_with_title_terms_and_numbers_counted_extra(void **state)
{
	struct norm_tokens title, body;
	struct cluster_terms ts;

	tokens("harbour storm", &title);
	tokens("the storm hit the harbour storm quay in 2024", &body);
	assert_int_equal(cluster_terms_build(&title, &body, NULL, NULL, &ts), 0);
	assert_int_equal(ts.n, 5); /* harbour storm hit quay 2024 */
	assert_float_equal(weight_of(&ts, "storm"), 2 + 1 + 1, 1e-6);
	assert_float_equal(weight_of(&ts, "harbour"), 2 + 1, 1e-6);
	assert_float_equal(weight_of(&ts, "quay"), 1, 1e-6);
	assert_float_equal(weight_of(&ts, "hit"), 1, 1e-6);
	assert_float_equal(weight_of(&ts, "2024"), 2, 1e-6);
	assert_float_equal(weight_of(&ts, "the"), -1, 0); /* a stop word */
	cluster_terms_release(&ts);
	norm_tokens_release(&title);
	norm_tokens_release(&body);
}

static void
words_of_one_stem_are_one_term(void **state)
{
	struct cluster_vocab *v = cluster_vocab_new();
	struct norm_tokens body;
	struct cluster_terms ts;

	assert_non_null(v);
	tokens("storms stormed storm", &body);
	assert_int_equal(cluster_terms_build(NULL, &body, NULL, v, &ts), 0);
	assert_int_equal(ts.n, 1);
	assert_float_equal(weight_of(&ts, "storm"), 3, 1e-6);
	cluster_terms_release(&ts);
	norm_tokens_release(&body);
	cluster_vocab_free(v);
}

/* lang_index(code): the language of that ISO 639-1 code */
static int
lang_index(const char *code)
{
	int i;

	for (i = 0; i < norm_lang_count(); i++)
		if (strcmp(norm_lang_code(i), code) == 0)
			return i;
	fail_msg("no language %s", code);
	return -1;
}

/* stem_in(lang, word): ${word}'s stem in language ${lang}, as a term */
static const char *
stem_in(int lang, const char *word, char *out, size_t room)
{
	struct norm_stemmer *st = norm_stemmer_new_lang(lang);
	const char *s;
	size_t n;

	assert_non_null(st);
	s = norm_stem(st, word, strlen(word), &n);
	assert_true(n < room);
	memcpy(out, s, n);
	out[n] = 0;
	norm_stemmer_free(st);
	return out;
}

/* A text in another language is stemmed in that language ("votación"
 * and "votaciones" are one Spanish stem; English's stemmer leaves a word
 * with an accent alone); a language Snowball has no stemmer for, through
 * English's, which stems the English words mixed in ("relief goods"). */
static void
words_of_one_stem_are_one_term_in_their_own_language(void **state)
{
	struct cluster_vocab *v = cluster_vocab_new();
	struct norm_tokens body;
	struct cluster_terms ts;
	char stem[64], other[64];
	int es = lang_index("es");

	assert_non_null(v);
	assert_string_equal(stem_in(es, "votación", stem, sizeof(stem)),
	                    stem_in(es, "votaciones", other, sizeof(other)));
	tokens("las votaciones y la votación de las elecciones en el congreso", &body);
	assert_int_equal(cluster_terms_build(NULL, &body, NULL, v, &ts), 0);
	assert_float_equal(weight_of(&ts, stem_in(es, "votación", stem, sizeof(stem))), 2, 1e-6);
	assert_float_equal(weight_of(&ts, "las"), -1, 0); /* a Spanish stop word */
	cluster_terms_release(&ts);
	norm_tokens_release(&body);

	assert_false(norm_lang_stems(lang_index("tl")));
	assert_null(norm_stemmer_new_lang(lang_index("tl")));
	tokens("nakapila ang lalaki sa namamahagi ng mga relief goods sa nabua", &body);
	assert_int_equal(cluster_terms_build(NULL, &body, NULL, v, &ts), 0);
	assert_float_equal(weight_of(&ts, "nakapila"), 1, 1e-6);
	assert_float_equal(weight_of(&ts, "good"), 1, 1e-6); /* English's stem */
	assert_float_equal(weight_of(&ts, "mga"), -1, 0);    /* a Tagalog stop word */
	cluster_terms_release(&ts);
	norm_tokens_release(&body);
	cluster_vocab_free(v);
}

/* word_of(i, out): a word of letters alone, its own for each ${i} */
static void
word_of(int i, char out[16])
{
	int n = 0;

	out[n++] = 'q';
	do {
		out[n++] = (char)('a' + i % 26);
		i /= 26;
	} while (i);
	out[n] = 0;
}

/* a long article: more words than the counting table holds on the stack */
static void
a_long_article_is_counted_whole(void **state)
{
	enum { DISTINCT = 3000 };
	struct norm_tokens body;
	struct cluster_terms ts;
	char *text = malloc(DISTINCT * 2 * 16), *p = text, word[16];
	int i;

	assert_non_null(text);
	for (i = 0; i < 2 * DISTINCT; i++) {
		word_of(i % DISTINCT, word);
		p += sprintf(p, "%s ", word);
	}
	tokens(text, &body);
	assert_int_equal(cluster_terms_build(NULL, &body, NULL, NULL, &ts), 0);
	assert_int_equal(ts.n, DISTINCT);
	for (i = 0; i < DISTINCT; i += 97) {
		word_of(i, word);
		assert_float_equal(weight_of(&ts, word), 2, 1e-6);
	}
	cluster_terms_release(&ts);
	norm_tokens_release(&body);
	free(text);
}

/* A word the vocabulary already knows gives what it gave when first met:
 * its term, and whether it is a stop word, a name or a number, also after
 * thousands of other words have taken the table's places. */
static void
known_words_count_as_when_first_met(void **state)
{
	static const char text[] = "Storms hit Lisbon in 2024: the storm stormed the city, "
	                           "and Lisbon counted 2024 trees down";
	struct cluster_vocab *v = cluster_vocab_new();
	struct norm_tokens title, body, other;
	struct cluster_names names = {0};
	struct cluster_terms first, again;
	char *many = malloc(40000 * 16), *p = many, word[16];
	uint32_t i, nother = 0;
	int round;

	(void)state;
	assert_non_null(v);
	assert_non_null(many);
	/* tokens come folded, names from the raw text */
	tokens("storms in lisbon", &title);
	tokens("storms hit lisbon in 2024: the storm stormed the city, "
	       "and lisbon counted 2024 trees down", &body);
	assert_int_equal(cluster_names_scan(text, strlen(text), &names), 0);
	assert_int_equal(cluster_terms_build(&title, &body, &names, v, &first), 0);
	assert_float_equal(weight_of(&first, "the"), -1, 0);
	assert_float_equal(weight_of(&first, "storm"), 2 + 3, 1e-6);
	assert_float_equal(weight_of(&first, "lisbon"), 2 * 2 + 2 * 2, 1e-6); /* a name */
	assert_float_equal(weight_of(&first, "2024"), 2 * 2, 1e-6);            /* a number */
	for (i = 0; i < 40000; i++) {
		word_of((int)i, word);
		p += sprintf(p, "%s ", word);
	}
	tokens(many, &other);
	for (round = 0; round < 3; round++) {
		struct cluster_terms ts;

		assert_int_equal(cluster_terms_build(&title, &body, &names, v, &again), 0);
		assert_int_equal(again.n, first.n);
		for (i = 0; i < first.n; i++) {
			assert_true(again.v[i].h == first.v[i].h);
			assert_float_equal(again.v[i].w, first.v[i].w, 0);
		}
		cluster_terms_release(&again);
		/* other words in between, so that the table's places are reused */
		assert_int_equal(cluster_terms_build(NULL, &other, NULL, v, &ts), 0);
		if (round == 0)
			nother = ts.n; /* under 40000: some words share a stem */
		assert_int_equal(ts.n, nother);
		assert_true(nother > 30000);
		cluster_terms_release(&ts);
	}
	cluster_terms_release(&first);
	cluster_names_release(&names);
	norm_tokens_release(&title);
	norm_tokens_release(&body);
	norm_tokens_release(&other);
	cluster_vocab_free(v);
	free(many);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_term_is_counted_once_with_title_terms_and_numbers_counted_extra),
		cmocka_unit_test(words_of_one_stem_are_one_term),
		cmocka_unit_test(words_of_one_stem_are_one_term_in_their_own_language),
		cmocka_unit_test(known_words_count_as_when_first_met),
		cmocka_unit_test(a_long_article_is_counted_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
