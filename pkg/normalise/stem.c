/* stem: Snowball's English stemmer through libstemmer (see normalise.h).
 * Its callers keep what they need of frequent words (cluster_vocab), so
 * each call here stems. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

struct norm_stemmer {
	struct sb_stemmer *sb;
};

struct norm_stemmer *
norm_stemmer_new(void)
{
	struct norm_stemmer *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	if ((st->sb = sb_stemmer_new("english", "UTF_8")) == NULL) {
		free(st);
		return NULL;
	}
	return st;
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
		if (w[i] < 'a' || w[i] > 'z')
			return w;
	if ((s = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)len)) == NULL)
		return w;
	*outlen = (size_t)sb_stemmer_length(st->sb);
	return (const char *)s;
}
