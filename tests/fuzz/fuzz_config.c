/* fuzz_config.c -- libFuzzer harness: the same bytes read as newsfold.conf
 * (config_load) and as a feeds.d drop-in (feeds_load_conf), through a
 * memfd so no file is left behind; then each subscription written back
 * with conf_write_sub(). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nf_config c;
	struct feed_list l;
	struct nf_diag d = { 0 };
	struct buf out;
	char path[64];
	size_t i;
	int fd;

	if ((fd = memfd_create("fuzz.conf", 0)) == -1)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_init(&c);
	(void)config_load(&c, path, 0, &d);
	config_release(&c);
	feed_list_init(&l);
	buf_init(&out, 0);
	if (feeds_load_conf(path, &l, &d) == 0)
		for (i = 0; i < l.n; i++)
			(void)conf_write_sub(&l.v[i], &out);
	buf_release(&out);
	feed_list_release(&l);
	nf_diag_release(&d);
done:
	close(fd);
	return 0;
}
