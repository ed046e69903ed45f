/*
 * English stop words, in their folded and tokenised form (apostrophes
 * dropped: "don't" is "dont"): the usual SMART/NLTK-like list plus the
 * filler words of news copy ("said", "would", "year", "mr").
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/* Sorted (strcmp order), for whoever reads or adds to the list. */
static const char *const stopwords[] = {
	"a", "about", "above", "according", "after", "again", "against",
	"all", "also", "although", "am", "an", "and", "any", "are", "arent",
	"as", "at", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "cant", "could", "couldnt",
	"did", "didnt", "do", "does", "doesnt", "doing", "dont", "down",
	"during", "each", "few", "for", "from", "further", "had", "hadnt",
	"has", "hasnt", "have", "havent", "having", "he", "her", "here",
	"hers", "herself", "hes", "him", "himself", "his", "how", "however",
	"i", "if", "im", "in", "into", "is", "isnt", "it", "its", "itself",
	"ive", "just", "many", "me", "might", "more", "most", "mr", "mrs",
	"ms", "must", "my", "myself", "new", "no", "nor", "not", "now", "of",
	"off", "on", "once", "one", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "per", "said", "same", "says",
	"she", "shes", "should", "shouldnt", "since", "so", "some", "such",
	"than", "that", "thats", "the", "their", "theirs", "them",
	"themselves", "then", "there", "theres", "these", "they", "theyre",
	"theyve", "this", "those", "though", "through", "to", "told", "too",
	"two", "under", "until", "up", "very", "via", "was", "wasnt", "we",
	"were", "werent", "weve", "what", "whats", "when", "where",
	"whether", "which", "while", "who", "whom", "why", "will", "with",
	"wont", "would", "wouldnt", "year", "years", "yet", "you", "youll",
	"your", "youre", "yours", "yourself", "yourselves", "youve",
};

/*
 * Looked up for every token: a hash set of the words, built once
 * (pthread_once) as indexes into stopwords[], open addressing.
 */
#define SET_SLOTS 512 /* a power of two, over twice the words */

static short set[SET_SLOTS]; /* index + 1 into stopwords[]; 0 empty */
static pthread_once_t set_once = PTHREAD_ONCE_INIT;

static size_t
word_hash(const char *w, size_t len)
{
	return (size_t)XXH3_64bits(w, len) & (SET_SLOTS - 1);
}

static void
set_build(void)
{
	size_t i, j;

	for (i = 0; i < NF_ARRAY_LEN(stopwords); i++) {
		j = word_hash(stopwords[i], strlen(stopwords[i]));
		while (set[j])
			j = (j + 1) & (SET_SLOTS - 1);
		set[j] = (short)(i + 1);
	}
}

int
norm_is_stopword(const char *w, size_t len)
{
	size_t j;

	if (len == 0 || len > 12)
		return 0;
	pthread_once(&set_once, set_build);
	for (j = word_hash(w, len); set[j]; j = (j + 1) & (SET_SLOTS - 1)) {
		const char *s = stopwords[set[j] - 1];

		if (strncmp(s, w, len) == 0 && s[len] == '\0')
			return 1;
	}
	return 0;
}
