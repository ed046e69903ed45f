/* fuzz_html.c -- libFuzzer harness: norm_html_to_text() on any bytes, then
 * norm_fold() and norm_tokenise() of its text, its language guessed
 * (norm_lang_guess()), and each token through norm_is_stopword_in() and
 * norm_stem(), as ingest does.  The stemmer lives
 * across inputs, as it does in a poll, so its memo of words is exercised
 * too. */
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
	static struct norm_stemmer *st; /* kept across inputs, as in a poll */
	struct buf b, f;
	struct norm_tokens t;
	size_t i, n;

	buf_init(&b, 0);
	buf_init(&f, 0);
	norm_tokens_init(&t);
	if (st == NULL && (st = norm_stemmer_new()) == NULL)
		abort();
	if (norm_html_to_text((const char *)data, size, &b) == 0 && b.len > 0 &&
	    norm_fold(b.data, b.len, &f) == 0 && f.len > 0 &&
	    norm_tokenise(f.data, f.len, &t) == 0) {
		int lang = norm_lang_guess(&t, &t);

		if (norm_lang_code(lang) == NULL)
			abort();
		for (i = 0; i < t.n; i++) {
			const char *s;

			(void)norm_is_stopword_in(t.tok[i], t.len[i], lang);
			s = norm_stem(st, t.tok[i], t.len[i], &n);
			/* a stem is never longer than its word, nor empty */
			if (n == 0 || n > t.len[i] || s == NULL)
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
