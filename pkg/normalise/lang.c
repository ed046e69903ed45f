/*
 * lang: an article's language, guessed from its stop words, and the stop
 * words of that language: English's are stopwords.c's, the others' those
 * of stopwords_iso.inc (generated from stopwords-iso by
 * gen_stopwords_iso.py), language i + 1 being iso_langs[i].
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

struct iso_lang {
	const char *code;
	const char *words; /* each followed by a space */
};

#include "normalise/stopwords_iso.inc"

/*
 * One table for every language's words: a word is known by its 64-bit
 * XXH3 hash alone (two words of the lists, or a word and a token, that
 * share one are not expected in this world), with the languages that
 * list it as a bit mask.  Open addressing, built once (pthread_once).
 */
#define LANG_SLOTS 65536 /* a power of two, over twice the words */

struct lang_slot {
	uint64_t h;    /* 0: empty (a word hashing to 0 is taken as 1) */
	uint64_t mask; /* bit i: language i lists the word (iso_langs[i - 1]) */
};

static struct lang_slot slots[LANG_SLOTS]; /* 1 MiB, untouched until built */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static uint64_t
word_hash(const char *w, size_t len)
{
	uint64_t h = XXH3_64bits(w, len);

	return h ? h : 1;
}

static struct lang_slot *
slot_of(uint64_t h)
{
	size_t i = (size_t)h & (LANG_SLOTS - 1);

	while (slots[i].h && slots[i].h != h)
		i = (i + 1) & (LANG_SLOTS - 1);
	return &slots[i];
}

static void
slots_build(void)
{
	size_t i;

	for (i = 0; i < NF_ARRAY_LEN(iso_langs); i++) {
		const char *p = iso_langs[i].words, *sp;

		for (; (sp = strchr(p, ' ')) != NULL; p = sp + 1) {
			struct lang_slot *s;
			uint64_t h = word_hash(p, (size_t)(sp - p));

			s = slot_of(h);
			s->h = h;
			s->mask |= UINT64_C(1) << (i + 1);
		}
	}
}

/* lang_mask(w, len): the languages that list ${w}; 0 for none. */
static uint64_t
lang_mask(const char *w, size_t len)
{
	struct lang_slot *s;

	if (len == 0 || len > 40)
		return 0;
	s = slot_of(word_hash(w, len));
	return s->h ? s->mask : 0;
}

/* chars(w, len): how many characters UTF-8 ${w} holds. */
static size_t
chars(const char *w, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)w[i] & 0xc0) != 0x80;
	return n;
}

/* count_tokens(t, max, count, share): for each of the first ${max}
 * tokens of ${t} that are stop words of language lang, add 1 to
 * count[lang] and, to share[lang], its share among the languages that
 * list it ("sa" is Tagalog and ten more, "ang" Tagalog alone).  Only
 * words of 2 to 4 characters count: the short words that make up a
 * language's sentences.  A single letter is an initial ("G.O.P."), and
 * the longer words of the lists are where they list words that are not
 * theirs alone ("india", "australia" and "global" are on Malay's,
 * "general" on Spanish's). */
static void
count_tokens(const struct norm_tokens *t, size_t max, uint32_t *count, double *share)
{
	size_t i, n;

	if (t == NULL)
		return;
	n = t->n < max ? t->n : max;
	for (i = 0; i < n; i++) {
		uint64_t m;
		double part;

		if (t->len[i] < 2 || t->len[i] > 16 || chars(t->tok[i], t->len[i]) > 4)
			continue;
		m = lang_mask(t->tok[i], t->len[i]);
		if (norm_is_stopword(t->tok[i], t->len[i]))
			m |= UINT64_C(1) << NORM_LANG_EN;
		if (m == 0)
			continue;
		part = 1.0 / __builtin_popcountll(m);
		while (m) {
			int l = __builtin_ctzll(m);

			count[l]++;
			share[l] += part;
			m &= m - 1;
		}
	}
}

int
norm_lang_guess(const struct norm_tokens *title, const struct norm_tokens *body)
{
	uint32_t count[64] = {0};
	double share[64] = {0};
	size_t i;
	int best = NORM_LANG_EN;

	pthread_once(&slots_once, slots_build);
	count_tokens(title, NORM_LANG_TOKENS, count, share);
	count_tokens(body, NORM_LANG_TOKENS, count, share);
	/* the most stop words; of languages with as many (Tagalog and
	 * French both list "na" and "sa"), the one whose words are the more
	 * its own; English before any other */
	for (i = 1; i <= NF_ARRAY_LEN(iso_langs); i++)
		if (count[i] > count[best] || (count[i] == count[best] && best != NORM_LANG_EN &&
		                               share[i] > share[best]))
			best = (int)i;
	/* a few words of another language are not a text in it ("on" and
	 * "april" are Slovenian too) */
	if (count[best] >= 3 && count[best] >= 2 * count[NORM_LANG_EN])
		return best;
	return NORM_LANG_EN;
}

const char *
norm_lang_code(int lang)
{
	if (lang == NORM_LANG_EN)
		return "en";
	if (lang < 0 || (size_t)lang > NF_ARRAY_LEN(iso_langs))
		return NULL;
	return iso_langs[lang - 1].code;
}

int
norm_lang_count(void)
{
	return (int)NF_ARRAY_LEN(iso_langs) + 1;
}

int
norm_is_stopword_in(const char *w, size_t len, int lang)
{
	if (norm_is_stopword(w, len))
		return 1;
	if (lang <= NORM_LANG_EN || (size_t)lang > NF_ARRAY_LEN(iso_langs))
		return 0;
	pthread_once(&slots_once, slots_build);
	return (lang_mask(w, len) >> lang) & 1;
}
