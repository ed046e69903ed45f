/* fuzz_html.c -- libFuzzer harness: norm_html_to_text() on any bytes, then
 * norm_fold() and norm_tokenise() of its text, as ingest does. */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "normalise/normalise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b, f;
	struct norm_tokens t;

	buf_init(&b, 0);
	buf_init(&f, 0);
	norm_tokens_init(&t);
	if (norm_html_to_text((const char *)data, size, &b) == 0 && b.len > 0 &&
	    norm_fold(b.data, b.len, &f) == 0 && f.len > 0)
		(void)norm_tokenise(f.data, f.len, &t);
	/* Folding raw bytes must hold too (invalid UTF-8 included). */
	buf_reset(&f);
	(void)norm_fold((const char *)data, size, &f);
	norm_tokens_release(&t);
	buf_release(&f);
	buf_release(&b);
	return 0;
}
