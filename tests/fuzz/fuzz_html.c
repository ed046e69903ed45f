/* fuzz_html.c -- libFuzzer harness: norm_html_to_text() on any bytes, then
 * norm_fold() and norm_tokenise() of its text, its language guessed
 * (norm_lang_guess()), and each token through norm_is_stopword_in() and
 * norm_stem() with that language's stemmer, as ingest does.  The stemmers
 * live across inputs, as they do in a poll, so their memos of words are
 * exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "normalise/normalise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct norm_stemmer *stemmers[64]; /* kept across inputs, as in a poll */
	struct norm_stemmer *st = NULL;
	struct buf b, f;
	struct norm_tokens t;
	size_t i, n;

	buf_init(&b, 0);
	buf_init(&f, 0);
	norm_tokens_init(&t);
	if (norm_html_to_text((const char *)data, size, &b) == 0 && b.len > 0 &&
	    norm_fold(b.data, b.len, &f) == 0 && f.len > 0 &&
	    norm_tokenise(f.data, f.len, &t) == 0) {
		int lang = norm_lang_guess(&t, &t);

		if (norm_lang_code(lang) == NULL || lang >= 64)
			abort();
		if (norm_lang_stems(lang) && stemmers[lang] == NULL &&
		    (stemmers[lang] = norm_stemmer_new_lang(lang)) == NULL)
			abort();
		st = stemmers[lang];
		for (i = 0; i < t.n; i++) {
			const char *s;

			(void)norm_is_stopword_in(t.tok[i], t.len[i], lang);
			if (st == NULL)
				continue; /* a language Snowball does not stem */
			s = norm_stem(st, t.tok[i], t.len[i], &n);
			/* a stem is never empty, nor much longer than its word
			 * (German's stemmer writes "ß" as "ss") */
			if (n == 0 || n > 2 * t.len[i] || s == NULL)
				abort();
		}
	}
	/* Folding raw bytes must hold too (invalid UTF-8 included). */
	buf_reset(&f);
	(void)norm_fold((const char *)data, size, &f);
	norm_tokens_release(&t);
	buf_release(&f);
	buf_release(&b);
	return 0;
}
