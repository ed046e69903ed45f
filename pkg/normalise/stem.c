/* stem: Snowball's stemmers through libstemmer (see normalise.h).  Their
 * callers keep what they need of frequent words (cluster_vocab), so each
 * call here stems. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

struct norm_stemmer {
	struct sb_stemmer *sb;
	int ascii; /* English: plain lower-case ASCII words alone */
};

/* The languages of norm_lang_code() that Snowball stems, by the name
 * libstemmer knows each by. */
static const struct {
	const char *code, *name;
} snowball[] = {
	{"ar", "arabic"},     {"ca", "catalan"},    {"da", "danish"},     {"de", "german"},
	{"el", "greek"},      {"en", "english"},    {"es", "spanish"},    {"eu", "basque"},
	{"fi", "finnish"},    {"fr", "french"},     {"ga", "irish"},      {"hi", "hindi"},
	{"hu", "hungarian"},  {"hy", "armenian"},   {"id", "indonesian"}, {"it", "italian"},
	{"lt", "lithuanian"}, {"nl", "dutch"},      {"no", "norwegian"},  {"pt", "portuguese"},
	{"ro", "romanian"},   {"ru", "russian"},    {"sv", "swedish"},    {"tr", "turkish"},
};

static const char *
snowball_name(int lang)
{
	const char *code = norm_lang_code(lang);
	size_t i;

	for (i = 0; code && i < NF_ARRAY_LEN(snowball); i++)
		if (strcmp(snowball[i].code, code) == 0)
			return snowball[i].name;
	return NULL;
}

int
norm_lang_stems(int lang)
{
	return snowball_name(lang) != NULL;
}

struct norm_stemmer *
norm_stemmer_new_lang(int lang)
{
	const char *name = snowball_name(lang);
	struct norm_stemmer *st;

	if (name == NULL || (st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if ((st->sb = sb_stemmer_new(name, "UTF_8")) == NULL) {
		free(st);
		return NULL;
	}
	st->ascii = lang == NORM_LANG_EN;
	return st;
}

struct norm_stemmer *
norm_stemmer_new(void)
{
	return norm_stemmer_new_lang(NORM_LANG_EN);
}

void
norm_stemmer_free(struct norm_stemmer *st)
{
	if (st == NULL)
		return;
	sb_stemmer_delete(st->sb);
	free(st);
}

const char *
norm_stem(struct norm_stemmer *st, const char *w, size_t len, size_t *outlen)
{
	const sb_symbol *s;
	size_t i;

	*outlen = len;
	if (len < 4 || len > 64)
		return w;
	for (i = 0; i < len; i++)
		if (st->ascii ? w[i] < 'a' || w[i] > 'z' : w[i] >= '0' && w[i] <= '9')
			return w;
	if ((s = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)len)) == NULL)
		return w;
	*outlen = (size_t)sb_stemmer_length(st->sb);
	return (const char *)s;
}
