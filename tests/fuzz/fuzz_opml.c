/* fuzz_opml.c -- libFuzzer harness: opml_parse() on any bytes, then
 * opml_write() of what it read. */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_list l;
	struct nf_diag d = { 0 };
	struct buf out;

	feed_list_init(&l);
	buf_init(&out, 0);
	if (opml_parse((const char *)data, size, "fuzz.opml", &l, &d) == 0)
		(void)opml_write(&l, "fuzz", &out);
	buf_release(&out);
	nf_diag_release(&d);
	feed_list_release(&l);
	return 0;
}
