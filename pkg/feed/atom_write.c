/*
 * The folded stories as an Atom 1.0 feed, written by hand into a capped
 * buffer: a handful of elements, every string through buf_put_xml(), which also
 * repairs what XML cannot hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "feed/atom_write.h"
#include "base/banned.h"

/* element(out, indent, name, text): "<name>text</name>\n". */
static int
element(struct buf *out, const char *indent, const char *name, const char *text)
{
	return buf_printf(out, "%s<%s>", indent, name) || buf_put_xml(out, text, 0) ||
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
	return buf_printf(out, "%s<link rel=\"%s\" href=\"", indent, rel) || buf_put_xml(out, href, 1) ||
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
	    (f->version && (buf_puts(out, " version=\"") || buf_put_xml(out, f->version, 1) ||
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
		    buf_put_xml(html, o->outlet && *o->outlet ? o->outlet : "(no outlet)", 0) ||
		    buf_puts(html, ": "))
			return -1;
		if (o->url && (buf_puts(html, "<a href=\"") || buf_put_xml(html, o->url, 1) ||
		               buf_puts(html, "\">")))
			return -1;
		if (buf_put_xml(html, o->title && *o->title ? o->title : o->url ? o->url : "(untitled)", 0) ||
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
	    buf_puts(out, "    <summary type=\"html\">") || buf_put_xml(out, html.data, 0) ||
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

