/* fuzz_date.c -- libFuzzer harness: feed_date_parse() on any string; a
 * date it reads must print as RFC 3339. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "feed/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[32];
	int64_t t;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	t = feed_date_parse(s);
	if (t != NF_TIME_NONE)
		nf_time_rfc3339(t, out);
	free(s);
	return 0;
}
