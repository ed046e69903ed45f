#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <xxhash.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/*
 * Words follow Zipf's law, so most are stemmed many times: a direct-mapped
 * memo of recent words (up to MEMO_LEN bytes) and their stems saves
 * Snowball's work for them.
 */
#define MEMO_SLOTS 16384 /* a power of two */
#define MEMO_LEN 23

struct memo {
	unsigned char wlen, slen; /* 0: an empty slot */
	char w[MEMO_LEN], s[MEMO_LEN];
};

struct norm_stemmer {
	struct sb_stemmer *sb;
	struct memo memo[MEMO_SLOTS];
};

static size_t
memo_slot(const char *w, size_t len)
{
	return (size_t)XXH3_64bits(w, len) & (MEMO_SLOTS - 1);
}

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
	struct memo *m = NULL;
	size_t i;

	*outlen = len;
	if (len < 4 || len > 64)
		return w;
	for (i = 0; i < len; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return w;
	if (len <= MEMO_LEN) {
		m = &st->memo[memo_slot(w, len)];
		if (m->wlen == len && memcmp(m->w, w, len) == 0) {
			*outlen = m->slen;
			return m->s;
		}
	}
	if ((s = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)len)) == NULL)
		return w;
	*outlen = (size_t)sb_stemmer_length(st->sb);
	if (m && *outlen > 0 && *outlen <= MEMO_LEN) {
		memcpy(m->w, w, len);
		m->wlen = (unsigned char)len;
		memcpy(m->s, s, *outlen);
		m->slen = (unsigned char)*outlen;
	}
	return (const char *)s;
}
