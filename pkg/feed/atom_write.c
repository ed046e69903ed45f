/*
 * The folded stories as an Atom 1.0 feed, written by hand into a capped
 * buffer: a handful of elements, every string through one escaper that also
 * repairs what XML cannot hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "feed/atom_write.h"
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
	if ((n == 2 && c < 0x80) || (n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ||
	                                        c >= 0xfffe)) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* put_text(out, s): ${s} escaped for XML text and attributes; control
 * characters other than tab and newline dropped, bad UTF-8 as U+FFFD. */
static int
put_text(struct buf *out, const char *s)
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
		case '\t': case '\n': rc = buf_putc(out, (char)*p); break;
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

/* element(out, indent, name, text): "<name>text</name>\n". */
static int
element(struct buf *out, const char *indent, const char *name, const char *text)
{
	return buf_printf(out, "%s<%s>", indent, name) || put_text(out, text) ||
	       buf_printf(out, "</%s>\n", name);
}

static int
time_element(struct buf *out, const char *indent, const char *name, int64_t t)
{
	char b[32];

	return element(out, indent, name, nf_time_rfc3339(t, b));
}

static int
link_element(struct buf *out, const char *indent, const char *rel, const char *href)
{
	return buf_printf(out, "%s<link rel=\"%s\" href=\"", indent, rel) || put_text(out, href) ||
	       buf_puts(out, "\"/>\n");
}

int
atom_write_head(const struct atom_feed *f, struct buf *out)
{
	if (buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n") ||
	    element(out, "  ", "id", f->id ? f->id : "tag:newsfold,2025:stories") ||
	    element(out, "  ", "title", f->title ? f->title : "newsfold: folded stories") ||
	    time_element(out, "  ", "updated", f->updated) ||
	    buf_puts(out, "  <author><name>newsfold</name></author>\n") ||
	    buf_puts(out, "  <generator") ||
	    (f->version && (buf_puts(out, " version=\"") || put_text(out, f->version) ||
	                    buf_puts(out, "\""))) ||
	    buf_puts(out, ">newsfold</generator>\n") ||
	    (f->self && link_element(out, "  ", "self", f->self)))
		return -1;
	return 0;
}

/* summary_html(e, html): the outlets of ${e} as an HTML list (not yet
 * escaped for XML). */
static int
summary_html(const struct atom_entry *e, struct buf *html)
{
	const struct atom_outlet *o;
	size_t i;

	if (buf_printf(html, "<p>%zu outlet%s:</p>\n<ul>\n", e->noutlets,
	               e->noutlets == 1 ? "" : "s"))
		return -1;
	for (i = 0; i < e->noutlets; i++) {
		o = &e->outlets[i];
		if (buf_puts(html, "<li>") ||
		    put_text(html, o->outlet && *o->outlet ? o->outlet : "(no outlet)") ||
		    buf_puts(html, ": "))
			return -1;
		if (o->url && (buf_puts(html, "<a href=\"") || put_text(html, o->url) ||
		               buf_puts(html, "\">")))
			return -1;
		if (put_text(html, o->title && *o->title ? o->title : o->url ? o->url : "(untitled)") ||
		    (o->url && buf_puts(html, "</a>")))
			return -1;
		if (o->narticles > 1 && buf_printf(html, " (%u articles)", o->narticles))
			return -1;
		if (buf_puts(html, "</li>\n"))
			return -1;
	}
	return buf_puts(html, "</ul>");
}

int
atom_write_entry(const struct atom_entry *e, struct buf *out)
{
	struct buf html;
	int rc = -1;

	buf_init(&html, 0);
	if (buf_puts(out, "  <entry>\n") || element(out, "    ", "id", e->id) ||
	    element(out, "    ", "title", e->title ? e->title : "(untitled)") ||
	    (e->link && *e->link && link_element(out, "    ", "alternate", e->link)) ||
	    (e->published != NF_TIME_NONE && time_element(out, "    ", "published", e->published)) ||
	    time_element(out, "    ", "updated", e->updated) || summary_html(e, &html) ||
	    buf_puts(out, "    <summary type=\"html\">") || put_text(out, html.data) ||
	    buf_puts(out, "</summary>\n  </entry>\n"))
		goto out;
	rc = 0;
out:
	buf_release(&html);
	return rc;
}

int
atom_write_tail(struct buf *out)
{
	return buf_puts(out, "</feed>\n");
}

int
atom_write_file(const char *path, const char *data, size_t len, struct nf_err *err)
{
	struct buf tmp, dir;
	const char *slash;
	ssize_t w;
	size_t off = 0;
	int fd, dfd;

	buf_init(&tmp, 0);
	buf_init(&dir, 0);
	slash = strrchr(path, '/');
	if (buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) ||
	    (slash ? buf_append(&dir, path, slash == path ? 1 : (size_t)(slash - path))
	           : buf_puts(&dir, "."))) {
		nf_err_set(err, "%s: out of memory", path);
		goto err0;
	}
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		nf_err_set(err, "%s: %s", tmp.data, strerror(errno));
		goto err0;
	}
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) < 0) {
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
	if ((dfd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	buf_release(&tmp);
	buf_release(&dir);
	return 0;
err1:
	if (fd >= 0)
		close(fd);
	unlink(tmp.data);
err0:
	buf_release(&tmp);
	buf_release(&dir);
	return -1;
}
