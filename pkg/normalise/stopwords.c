/*
 * English stop words, in their folded and tokenised form (apostrophes
 * dropped: "don't" is "dont"): the usual SMART/NLTK-like list plus the
 * filler words of news copy ("said", "would", "year", "mr").
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/* Sorted (strcmp order) for bsearch; keep it sorted when adding words. */
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

struct word {
	const char *w;
	size_t len;
};

static int
word_cmp(const void *key, const void *elem)
{
	const struct word *k = key;
	const char *s = *(const char *const *)elem;
	size_t sl = strlen(s);
	int c;

	c = memcmp(k->w, s, k->len < sl ? k->len : sl);
	if (c != 0)
		return c;
	return k->len < sl ? -1 : k->len > sl;
}

int
norm_is_stopword(const char *w, size_t len)
{
	struct word k = { w, len };

	if (len == 0 || len > 12)
		return 0;
	return bsearch(&k, stopwords, NF_ARRAY_LEN(stopwords),
	    sizeof(stopwords[0]), word_cmp) != NULL;
}
