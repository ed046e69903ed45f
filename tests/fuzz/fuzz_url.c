/* fuzz_url.c -- libFuzzer harness: norm_canon_url() and norm_outlet().
 * The input is "URL" or "URL\nBASE".  A canonical URL, canonicalised
 * again, must not change (else one article could be stored twice). */
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
	char *s, *base = NULL, *nl;
	struct buf a, b, o;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		base = nl + 1;
	}
	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_init(&o, 0);
	if (norm_canon_url(s, base, &a) == 0 && a.len > 0) {
		(void)norm_outlet(a.data, &o);
		if (getenv("FUZZ_URL_IDEMPOTENT") != NULL &&
		    (norm_canon_url(a.data, NULL, &b) != 0 || b.len != a.len ||
		     memcmp(a.data, b.data, a.len) != 0))
			abort();
	}
	buf_reset(&o);
	(void)norm_outlet(s, &o);
	buf_release(&o);
	buf_release(&b);
	buf_release(&a);
	free(s);
	return 0;
}
