/* out: what newsfold writes -- XML-escaped text, files replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "base/banned.h"

/* utf8_len(s): the length of the valid UTF-8 sequence at ${s} that XML may
 * hold, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff) || c >= 0xfffe)) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

int
buf_put_xml(struct buf *out, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;
	int rc = 0;

	while (*p && rc == 0) {
		switch (*p) {
		case '&': rc = buf_puts(out, "&amp;"); break;
		case '<': rc = buf_puts(out, "&lt;"); break;
		case '>': rc = buf_puts(out, "&gt;"); break;
		case '"': rc = buf_puts(out, "&quot;"); break;
		case '\t': rc = attr ? buf_puts(out, "&#9;") : buf_putc(out, '\t'); break;
		case '\n': rc = attr ? buf_puts(out, "&#10;") : buf_putc(out, '\n'); break;
		case '\r': rc = buf_puts(out, "&#13;"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				break;
			if ((n = utf8_len(p)) == 0) {
				rc = buf_puts(out, "\xEF\xBF\xBD");
				break;
			}
			rc = buf_append(out, p, n);
			p += n - 1;
		}
		p++;
	}
	return rc;
}

int
nf_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                     struct nf_err *err)
{
	struct buf tmp;
	const char *slash;
	ssize_t w;
	size_t off = 0;
	int fd = -1, dfd;

	buf_init(&tmp, 0);
	if (buf_printf(&tmp, "%s.tmp.%ld~", path, (long)getpid())) {
		nf_err_set(err, "%s: out of memory", path);
		goto err0;
	}
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777)) < 0) {
		nf_err_set(err, "%s: %s", tmp.data, strerror(errno));
		goto err0;
	}
	if (fchmod(fd, mode & 07777)) { /* whatever the umask */
		nf_err_set(err, "%s: %s", tmp.data, strerror(errno));
		goto err1;
	}
	while (off < len) {
		if ((w = write(fd, (const char *)data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			nf_err_set(err, "%s: %s", tmp.data, strerror(errno));
			goto err1;
		}
		off += (size_t)w;
	}
	if (fsync(fd)) {
		nf_err_set(err, "%s: fsync: %s", tmp.data, strerror(errno));
		goto err1;
	}
	if (close(fd)) {
		fd = -1;
		nf_err_set(err, "%s: %s", tmp.data, strerror(errno));
		goto err1;
	}
	fd = -1;
	if (rename(tmp.data, path)) {
		nf_err_set(err, "%s: %s", path, strerror(errno));
		goto err1;
	}
	/* the rename itself is made durable by flushing the directory */
	buf_reset(&tmp);
	slash = strrchr(path, '/');
	if ((slash ? buf_append(&tmp, path, slash == path ? 1 : (size_t)(slash - path))
	           : buf_putc(&tmp, '.')) == 0 &&
	    (dfd = open(tmp.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	buf_release(&tmp);
	return 0;
err1:
	if (fd >= 0)
		close(fd);
	unlink(tmp.data);
err0:
	buf_release(&tmp);
	return -1;
}
