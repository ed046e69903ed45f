/*
 * OPML subscription lists, read as the wild writes them and written as
 * OPML 2.0.  Reading: a byte pass repairs what would lose text (a bare '&',
 * HTML entities such as &nbsp;), then libxml2 parses with recovery and
 * without network or DTD loading; the outline tree becomes subscriptions,
 * the folders above a feed its first tag ("News/World").
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/base.h"
#include "config/config.h"
#include "config/ini.h"
#include "base/banned.h"

#define OPML_FILE_MAX (64u << 20)
#define OPML_DEPTH_MAX 64
#define OPML_OPTIONS \
	(XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
	 XML_PARSE_BIG_LINES)

/* ---- repairs before parsing ------------------------------------------- */

struct repair {
	size_t nbare;  /* '&' that started no reference */
	int bare_line; /* the line of the first */
};

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_xdigit(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* skip_to(d, len, i, end, line): the index after ${end} from ${i}, counting
 * lines; ${len} when it never comes. */
static size_t
skip_to(const char *d, size_t len, size_t i, const char *end, int *line)
{
	size_t n = strlen(end);

	for (; i + n <= len; i++) {
		if (memcmp(d + i, end, n) == 0)
			return i + n;
		if (d[i] == '\n')
			(*line)++;
	}
	return len;
}

/*
 * repair(d, len, out, r): copy ${d} into ${out} with each '&' that starts
 * no character or entity reference written "&amp;", and each HTML entity
 * that is not one of XML's five written as a character reference.  Comments
 * and CDATA sections are copied as they are.  Returns 0, -1 out of memory.
 */
static int
repair(const char *d, size_t len, struct buf *out, struct repair *r)
{
	static const char *const xml5[] = {"amp", "lt", "gt", "quot", "apos"};
	const htmlEntityDesc *ent;
	size_t i = 0, start = 0, k, j;
	char name[33];
	int line = 1, known;

	while (i < len) {
		if (d[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (d[i] == '<' && len - i >= 9 && memcmp(d + i, "<![CDATA[", 9) == 0) {
			i = skip_to(d, len, i + 9, "]]>", &line);
			continue;
		}
		if (d[i] == '<' && len - i >= 4 && memcmp(d + i, "<!--", 4) == 0) {
			i = skip_to(d, len, i + 4, "-->", &line);
			continue;
		}
		if (d[i] != '&') {
			i++;
			continue;
		}
		k = i + 1;
		if (k < len && d[k] == '#') {
			k++;
			if (k < len && (d[k] == 'x' || d[k] == 'X'))
				for (j = ++k; k < len && is_xdigit((unsigned char)d[k]); k++)
					;
			else
				for (j = k; k < len && is_digit((unsigned char)d[k]); k++)
					;
			if (k > j && k < len && d[k] == ';') {
				i = k + 1; /* a character reference */
				continue;
			}
		} else if (k < len && is_alpha((unsigned char)d[k])) {
			for (j = k; k < len && k - j < sizeof(name) - 1 &&
			            (is_alpha((unsigned char)d[k]) || is_digit((unsigned char)d[k]));
			     k++)
				;
			if (k < len && d[k] == ';') {
				memcpy(name, d + j, k - j);
				name[k - j] = '\0';
				for (known = 0, j = 0; j < NF_ARRAY_LEN(xml5); j++)
					known |= strcmp(name, xml5[j]) == 0;
				if (known) {
					i = k + 1;
					continue;
				}
				if ((ent = htmlEntityLookup((const xmlChar *)name)) != NULL) {
					if (buf_append(out, d + start, i - start) ||
					    buf_printf(out, "&#%u;", ent->value))
						return -1;
					i = start = k + 1;
					continue;
				}
			}
		}
		/* a bare '&' */
		if (r->nbare++ == 0)
			r->bare_line = line;
		if (buf_append(out, d + start, i - start) || buf_puts(out, "&amp;"))
			return -1;
		i = start = i + 1;
	}
	return buf_append(out, d + start, len - start);
}

/* ---- reading ---------------------------------------------------------- */

struct walk {
	const char *name;
	xmlDoc *doc;
	struct feed_list *list;
	struct nf_diag *diag;
	size_t noutlines;
	int too_deep;
	int oom;
};

static int
name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && nf_strcasecmp_ascii((const char *)n->name, name) == 0;
}

/* The attributes of an outline that matter, found whatever their case;
 * each owned (xmlFree), NULL when absent. */
enum { A_XMLURL, A_URL, A_TYPE, A_TITLE, A_TEXT, A_CATEGORY, A_N };
static const char *const attr_names[A_N] = {"xmlurl", "url", "type", "title", "text", "category"};

static void
attrs_get(xmlDoc *doc, xmlNode *n, char *v[A_N])
{
	xmlAttr *a;
	size_t i;

	memset(v, 0, A_N * sizeof(*v));
	for (a = n->properties; a; a = a->next) {
		for (i = 0; i < A_N; i++)
			if (v[i] == NULL &&
			    nf_strcasecmp_ascii((const char *)a->name, attr_names[i]) == 0)
				v[i] = (char *)xmlNodeListGetString(doc, a->children, 1);
	}
	for (i = 0; i < A_N; i++)
		if (v[i])
			cfg_clean_text(v[i]);
}

static void
attrs_free(char *v[A_N])
{
	size_t i;

	for (i = 0; i < A_N; i++)
		xmlFree(v[i]);
}

/* feed_url(u): "feed://host/x" and "feed:https://host/x" as http(s); a
 * pointer into ${u} or to ${tmp}. */
static const char *
feed_url(const char *u, struct buf *tmp)
{
	if (nf_strncasecmp_ascii(u, "feed://", 7) == 0) {
		buf_reset(tmp);
		if (buf_puts(tmp, "http://") || buf_puts(tmp, u + 7))
			return u;
		return tmp->data;
	}
	if (nf_strncasecmp_ascii(u, "feed:", 5) == 0 && cfg_feed_url_ok(u + 5))
		return u + 5;
	return u;
}

static int
add_categories(struct feed_sub *s, const char *cat)
{
	const char *p;

	for (;;) {
		p = strchr(cat, ',');
		if (cfg_sub_add_tag(s, cat, p ? (size_t)(p - cat) : strlen(cat)))
			return -1;
		if (p == NULL)
			return 0;
		cat = p + 1;
	}
}

static void walk_children(struct walk *w, xmlNode *parent, const char *path, int depth);

static void
outline_feed(struct walk *w, xmlNode *n, char *v[A_N], const char *url, const char *path)
{
	struct feed_sub s, *old;
	const char *title = v[A_TITLE] && *v[A_TITLE] ? v[A_TITLE] : v[A_TEXT];
	struct buf tmp;

	memset(&s, 0, sizeof(s));
	buf_init(&tmp, 0);
	url = feed_url(url, &tmp);
	s.line = (int)xmlGetLineNo(n);
	if (!cfg_feed_url_ok(url)) {
		nf_diag_add(w->diag, w->name, s.line, "not a feed URL");
		goto out;
	}
	s.cluster = 1;
	s.is_opml = v[A_TYPE] && nf_strcasecmp_ascii(v[A_TYPE], "include") == 0;
	if ((s.url = nf_strdup(url)) == NULL || (s.file = nf_strdup(w->name)) == NULL)
		goto oom;
	/* a title that is only the URL is no title (see opml_write) */
	if (title && *title && strcmp(title, url) != 0 && (s.title = nf_strdup(title)) == NULL)
		goto oom;
	if (path && cfg_sub_add_tag(&s, path, strlen(path)))
		goto oom;
	if (v[A_CATEGORY] && add_categories(&s, v[A_CATEGORY]))
		goto oom;
	if ((old = feed_list_find(w->list, s.url)) != NULL)
		nf_diag_add(w->diag, w->name, s.line, "duplicate of %s:%d",
		            old->file ? old->file : "-", old->line);
	else if (feed_list_add(w->list, &s) < 0)
		goto oom;
	goto out;
oom:
	w->oom = 1;
out:
	cfg_sub_release(&s);
	buf_release(&tmp);
}

static void
outline(struct walk *w, xmlNode *n, const char *path, int depth)
{
	char *v[A_N];
	const char *url, *folder;
	struct buf sub;

	attrs_get(w->doc, n, v);
	w->noutlines++;
	url = v[A_XMLURL] && *v[A_XMLURL] ? v[A_XMLURL] : v[A_URL];
	if (url && *url && !(v[A_TYPE] && nf_strcasecmp_ascii(v[A_TYPE], "link") == 0)) {
		outline_feed(w, n, v, url, path);
		walk_children(w, n, path, depth + 1);
		goto out;
	}
	/* a folder: its name from text, else title (as newsboat reads them) */
	folder = v[A_TEXT] && *v[A_TEXT] ? v[A_TEXT] : v[A_TITLE];
	if (folder == NULL || *folder == '\0') {
		walk_children(w, n, path, depth + 1);
		goto out;
	}
	buf_init(&sub, 0);
	if ((path && *path && buf_printf(&sub, "%s/", path)) || buf_puts(&sub, folder))
		w->oom = 1;
	else
		walk_children(w, n, sub.data, depth + 1);
	buf_release(&sub);
out:
	attrs_free(v);
}

static void
walk_children(struct walk *w, xmlNode *parent, const char *path, int depth)
{
	xmlNode *c;

	if (depth > OPML_DEPTH_MAX) {
		if (!w->too_deep++)
			nf_diag_add(w->diag, w->name, (int)xmlGetLineNo(parent),
			            "outlines nested deeper than %d; the deeper ones are skipped",
			            OPML_DEPTH_MAX);
		return;
	}
	for (c = parent->children; c && !w->oom; c = c->next)
		if (name_is(c, "outline"))
			outline(w, c, path, depth);
}

int
opml_parse(const char *data, size_t len, const char *name, struct feed_list *list,
           struct nf_diag *diag)
{
	struct walk w;
	struct repair r = {0, 0};
	xmlParserCtxt *ctxt;
	xmlNode *root, *c;
	struct buf fixed;
	const char *p = data;
	size_t n = len;
	int body = 0, rc = -1;

	memset(&w, 0, sizeof(w));
	w.name = name ? name : "-";
	w.list = list;
	w.diag = diag;
	buf_init(&fixed, 0);
	/* UTF-16 and UTF-32 are left to libxml2 as they are */
	if (memchr(data, '&', len) && !(len >= 2 && (memchr(data, '\0', len < 4 ? len : 4) ||
	                                            (unsigned char)data[0] == 0xfe ||
	                                            (unsigned char)data[0] == 0xff))) {
		if (repair(data, len, &fixed, &r))
			goto oom;
		p = buf_cstr(&fixed);
		n = fixed.len;
	}
	if (n > INT_MAX) {
		nf_diag_add(diag, w.name, 0, "file too big");
		goto err0;
	}
	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		goto oom;
	w.doc = xmlCtxtReadMemory(ctxt, p, (int)n, w.name, NULL, OPML_OPTIONS);
	if (w.doc == NULL || (root = xmlDocGetRootElement(w.doc)) == NULL) {
		nf_diag_add(diag, w.name, ctxt->lastError.line, "not XML%s%s",
		            ctxt->lastError.message ? ": " : "",
		            ctxt->lastError.message ? cfg_clean_text(ctxt->lastError.message) : "");
		goto err1;
	}
	if (!name_is(root, "opml")) {
		nf_diag_add(diag, w.name, (int)xmlGetLineNo(root),
		            "not an OPML document (the root element is <%s>)", (const char *)root->name);
		goto err1;
	}
	if (r.nbare)
		nf_diag_add(diag, w.name, r.bare_line, "'&' not written '&amp;' (read as '&'%s)",
		            r.nbare > 1 ? "; more below" : "");
	if (!ctxt->wellFormed)
		nf_diag_add(diag, w.name, ctxt->lastError.line,
		            "not well-formed XML (%s); read what could be recovered",
		            ctxt->lastError.message ? cfg_clean_text(ctxt->lastError.message)
		                                    : "error");
	for (c = root->children; c && !w.oom; c = c->next) {
		if (name_is(c, "body")) {
			body = 1;
			walk_children(&w, c, NULL, 0);
		} else if (name_is(c, "outline")) {
			outline(&w, c, NULL, 0);
		}
	}
	if (w.oom) {
		nf_diag_add(diag, w.name, 0, "out of memory");
		goto err1;
	}
	if (!body && w.noutlines == 0)
		nf_diag_add(diag, w.name, 0, "no <body>: no subscriptions");
	rc = 0;
err1:
	xmlFreeDoc(w.doc);
	xmlFreeParserCtxt(ctxt);
err0:
	buf_release(&fixed);
	return rc;
oom:
	nf_diag_add(diag, w.name, 0, "out of memory");
	goto err0;
}

int
opml_load(const char *path, struct feed_list *list, struct nf_diag *diag)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if (cfg_read_file(path, OPML_FILE_MAX, 0, &b, diag) == 0)
		rc = opml_parse(b.data ? b.data : "", b.len, path, list, diag);
	buf_release(&b);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

/* The folder tree of an export: a node is a folder (name) or a feed. */
struct onode {
	char *name;       /* folder name, NULL for a feed */
	size_t sub;       /* a feed: its index in the list */
	struct onode *kids;
	size_t nkids, alloc;
};

static void
onode_release(struct onode *o)
{
	size_t i;

	for (i = 0; i < o->nkids; i++)
		onode_release(&o->kids[i]);
	free(o->kids);
	free(o->name);
}

static struct onode *
onode_push(struct onode *o, const char *name, size_t namelen, size_t sub)
{
	struct onode *k;
	size_t n;

	if (o->nkids == o->alloc) {
		n = o->alloc ? o->alloc * 2 : 4;
		if ((k = realloc(o->kids, n * sizeof(*k))) == NULL)
			return NULL;
		o->kids = k;
		o->alloc = n;
	}
	k = &o->kids[o->nkids];
	memset(k, 0, sizeof(*k));
	k->sub = sub;
	if (name && (k->name = nf_strndup(name, namelen)) == NULL)
		return NULL;
	o->nkids++;
	return k;
}

/* onode_insert(root, tag, sub): feed ${sub} in the folders named by ${tag}
 * ("a/b"), made when missing. */
static int
onode_insert(struct onode *o, const char *tag, size_t sub)
{
	const char *p = tag, *e;
	size_t i, n;

	while (p && *p) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n) {
			for (i = 0; i < o->nkids; i++)
				if (o->kids[i].name && strlen(o->kids[i].name) == n &&
				    memcmp(o->kids[i].name, p, n) == 0)
					break;
			if (i < o->nkids)
				o = &o->kids[i];
			else if ((o = onode_push(o, p, n, 0)) == NULL)
				return -1;
		}
		p = e ? e + 1 : NULL;
	}
	return onode_push(o, NULL, 0, sub) ? 0 : -1;
}

static int
indent(struct buf *out, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		if (buf_puts(out, "  "))
			return -1;
	return 0;
}

/* put_tag(out, tag): ${tag} escaped, its commas (the category separator)
 * made spaces. */
static int
put_tag(struct buf *out, const char *tag)
{
	char *t, *p;
	int rc;

	if ((t = nf_strdup(tag)) == NULL)
		return -1;
	for (p = t; *p; p++)
		if (*p == ',')
			*p = ' ';
	rc = buf_put_xml(out, t, 1);
	free(t);
	return rc;
}

static int
put_feed(struct buf *out, const struct feed_sub *s)
{
	const char *text = s->title && *s->title ? s->title : s->url;
	size_t i;

	if (buf_puts(out, s->is_opml ? "<outline type=\"include\" text=\"" : "<outline type=\"rss\" text=\"") ||
	    buf_put_xml(out, text, 1) || buf_puts(out, "\""))
		return -1;
	if (s->title && *s->title &&
	    (buf_puts(out, " title=\"") || buf_put_xml(out, s->title, 1) || buf_puts(out, "\"")))
		return -1;
	if (buf_puts(out, s->is_opml ? " url=\"" : " xmlUrl=\"") || buf_put_xml(out, s->url, 1) ||
	    buf_puts(out, "\""))
		return -1;
	/* the first tag is the folder; the others go in category, "/a/b,/c" */
	if (s->ntags > 1) {
		if (buf_puts(out, " category=\""))
			return -1;
		for (i = 1; i < s->ntags; i++) {
			if (buf_puts(out, i > 1 ? ",/" : "/") || put_tag(out, s->tags[i]))
				return -1;
		}
		if (buf_puts(out, "\""))
			return -1;
	}
	return buf_puts(out, "/>\n");
}

static int
emit(struct buf *out, const struct feed_list *l, const struct onode *o, int depth)
{
	const struct onode *k;
	size_t i;

	for (i = 0; i < o->nkids; i++) {
		k = &o->kids[i];
		if (indent(out, depth))
			return -1;
		if (k->name == NULL) {
			if (put_feed(out, &l->v[k->sub]))
				return -1;
			continue;
		}
		if (buf_puts(out, "<outline text=\"") || buf_put_xml(out, k->name, 1) ||
		    buf_puts(out, "\" title=\"") || buf_put_xml(out, k->name, 1) ||
		    buf_puts(out, "\">\n") || emit(out, l, k, depth + 1) || indent(out, depth) ||
		    buf_puts(out, "</outline>\n"))
			return -1;
	}
	return 0;
}

int
opml_write(const struct feed_list *list, const char *title, struct buf *out)
{
	struct onode root;
	size_t i;
	int rc = -1;

	memset(&root, 0, sizeof(root));
	for (i = 0; i < list->n; i++)
		if (onode_insert(&root, list->v[i].ntags ? list->v[i].tags[0] : NULL, i))
			goto out;
	if (buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                  "<opml version=\"2.0\">\n  <head>\n    <title>") ||
	    buf_put_xml(out, title ? title : "newsfold subscriptions", 1) ||
	    buf_puts(out, "</title>\n  </head>\n  <body>\n") || emit(out, list, &root, 2) ||
	    buf_puts(out, "  </body>\n</opml>\n"))
		goto out;
	rc = 0;
out:
	onode_release(&root);
	return rc;
}
