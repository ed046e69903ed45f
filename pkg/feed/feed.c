/*
 * feed: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through libxml2, JSON Feed
 * through jansson, into the format-neutral model of feed.h.
 *
 * XML path, in pieces of 64 KiB: the encoding is chosen (RFC 7303: BOM,
 * HTTP charset, declaration) and anything not UTF-8 is converted by iconv,
 * bad bytes becoming U+FFFD; each piece is scanned for what libxml2 would
 * drop in recovery (HTML entities no DTD declares, bare '&') and rewritten
 * only where needed, checked for bad UTF-8, then pushed into a recovering,
 * network-less push parser whose first error is kept.  Its SAX2 handlers
 * build the tree of one entry at a time (see "streaming" below): an entry
 * is read from its subtree when it ends, handed on, and freed.  Every
 * element is classified by (namespace, local name), and namespaces are
 * matched loosely (scheme-less, trailing slash, undeclared well-known
 * prefixes) because real feeds get them wrong.
 *
 * Entities declared in an internal DTD are expanded by us, not by libxml2,
 * within a per-document budget; a document that overruns it, or that
 * libxml2 finds amplifying ("billion laughs"), is rejected whole.  External
 * entities are never loaded (no XML_PARSE_NOENT, no XML_PARSE_DTDLOAD).
 * A NUL byte, which libxml2 takes for the end of its input, is replaced by
 * U+FFFD before the parser sees it, like a byte that is not UTF-8.
 */
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "base/base.h"
#include "feed/feed.h"
#include "base/banned.h"

#define DEFAULT_MAX_ENTRIES 100000
#define DEFAULT_MAX_FIELD (1u << 20)
#define DEFAULT_MAX_DEPTH 64
#define ENTITY_BUDGET (256u << 10) /* bytes of entity expansion per document */

enum { K_RSS, K_RDF, K_ATOM, K_JSON };

enum ns {
	NS_NONE, NS_RSS, NS_ATOM10, NS_ATOM03, NS_DC, NS_DCTERMS, NS_CONTENT,
	NS_MEDIA, NS_ITUNES, NS_RDF, NS_XHTML, NS_OTHER
};

/* Namespace names without their scheme, compared without case and without
 * a trailing slash. */
static const struct {
	const char *uri;
	enum ns id;
} ns_table[] = {
	{ "www.w3.org/2005/atom", NS_ATOM10 },
	{ "purl.org/atom/ns#", NS_ATOM03 },
	{ "purl.org/rss/1.0", NS_RSS },
	{ "my.netscape.com/rdf/simple/0.9", NS_RSS },
	{ "channel.netscape.com/rdf/simple/0.9", NS_RSS },
	{ "backend.userland.com/rss2", NS_RSS },
	{ "backend.userland.com/rss", NS_RSS },
	{ "purl.org/dc/elements/1.1", NS_DC },
	{ "purl.org/dc/terms", NS_DCTERMS },
	{ "purl.org/rss/1.0/modules/content", NS_CONTENT },
	{ "search.yahoo.com/mrss", NS_MEDIA },
	{ "www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "www.w3.org/1999/xhtml", NS_XHTML },
};

/* Prefixes understood even when the feed forgot to declare them. */
static const struct {
	const char *prefix;
	enum ns id;
} prefix_table[] = {
	{ "dc", NS_DC }, { "dcterms", NS_DCTERMS }, { "content", NS_CONTENT },
	{ "media", NS_MEDIA }, { "itunes", NS_ITUNES }, { "atom", NS_ATOM10 },
	{ "rdf", NS_RDF }, { "xhtml", NS_XHTML },
};

/* Per-entry (and per-feed) reading state: fallbacks applied at the end. */
struct ectx {
	int guid_perma;
	char *alt_summary;           /* itunes:summary, dc:description, ... */
	enum feed_text_type alt_summary_type;
	char *alt_title;             /* dc:title */
	char *webmaster;             /* the author when no other is named */
};

/* The state of one parse. */
struct px {
	struct feed_doc *doc;
	xmlDocPtr x;
	int kind;
	size_t max_entries, max_field;
	size_t ent_budget;
	struct buf tb;     /* the field being read */
	struct buf ab;     /* an attribute value built from several nodes */
	int nomem;
	int cut;           /* the field being read was cut at max_field */
	int truncated;     /* some field was */
	int too_many;      /* entries were dropped */
	int err_line;      /* line of doc->error, for "first error" */
	const xmlNs *ns_ptr[8];
	enum ns ns_id[8];
	unsigned ns_next;
	int ns_dirty;      /* a namespace was declared below the feed level */
	int cdata_cr;      /* a CDATA piece ended in CR */
	int bad_utf8;      /* bytes were replaced by U+FFFD */
	size_t max_depth;  /* elements deeper are dropped */
	int skip_depth;    /* open elements being dropped */
	int too_deep;      /* some were */
	int ent_cut;       /* the entity budget ran out */
	int ent_loop;      /* libxml2 found entities amplifying or looping */
	int ent_line;      /* where either was found */
	char ent_why[160]; /* libxml2's words for ent_loop */
	int nul;           /* NUL bytes were replaced by U+FFFD */
	/* streaming */
	feed_entry_fn on_entry; /* NULL: collect into doc->entries */
	void *on_ctx;
	size_t count;      /* entries read */
	int stop;          /* the callback asked to stop */
	xmlParserCtxtPtr ctxt;
	int root_entry;    /* the root is an Atom <entry> */
	xmlNodePtr entry;  /* the open entry that is a container's child */
	int ncont;         /* open containers (root, channel) */
	struct cont {
		xmlNodePtr node;
		struct ectx x;
	} cont[8];
};

/* ---- small helpers ----------------------------------------------------- */

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* grow(arr, n, size): room for element ${n} in an array of ${n} elements
 * whose capacity is the next power of two; NULL when out of memory. */
static void *
grow(void *arr, size_t n, size_t size)
{
	size_t cap;

	if (n && (n & (n - 1)) != 0)
		return arr;
	cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(arr, cap * size);
}

static void
set_error(struct px *px, int line, const char *fmt, ...) NF_PRINTF(3, 4);

static void
set_error(struct px *px, int line, const char *fmt, ...)
{
	char msg[512], full[600];
	va_list ap;
	char *s;

	if (px->doc->error != NULL && (line <= 0 || px->err_line <= 0 ||
	    line >= px->err_line))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "line %d: %s", line, msg);
	else
		snprintf(full, sizeof(full), "%s", msg);
	if ((s = nf_strdup(full)) == NULL) {
		px->nomem = 1;
		return;
	}
	free(px->doc->error);
	px->doc->error = s;
	px->err_line = line;
}

/* add_error(px, msg): append a limit message to whatever error is there. */
static void
add_error(struct px *px, const char *msg)
{
	struct buf b;

	buf_init(&b, 0);
	if (px->doc->error != NULL && (buf_puts(&b, px->doc->error) ||
	    buf_puts(&b, "; ")))
		goto nomem;
	if (buf_puts(&b, msg))
		goto nomem;
	free(px->doc->error);
	if ((px->doc->error = buf_detach(&b)) == NULL)
		px->nomem = 1;
	return;
nomem:
	buf_release(&b);
	px->nomem = 1;
}

/* ---- field text -------------------------------------------------------- */

static void
tb_add(struct px *px, const char *s, size_t n)
{
	if (px->cut)
		return;
	if (n > px->max_field - px->tb.len) {
		n = px->max_field - px->tb.len;
		px->cut = 1;
	}
	if (n && buf_append(&px->tb, s, n))
		px->nomem = 1;
}

/* dup_trimmed(px, s, len): ${s} (${len} bytes) without the white space at
 * either end, as a new string; NULL when nothing is left, or when out of
 * memory (then px->nomem is set). */
static char *
dup_trimmed(struct px *px, const char *s, size_t len)
{
	const char *e = s + len;
	char *r = NULL;

	while (s < e && is_ws((unsigned char)*s))
		s++;
	while (e > s && is_ws((unsigned char)e[-1]))
		e--;
	if (e > s && (r = nf_strndup(s, e - s)) == NULL)
		px->nomem = 1;
	return r;
}

/* take(px): the trimmed field text as a new string, NULL when empty; the
 * field buffer is reset.  A cut field ends on a whole UTF-8 character. */
static char *
take(struct px *px)
{
	const char *s = px->tb.data;
	size_t len = px->tb.len, i, need;
	unsigned char c;
	char *r = NULL;

	if (px->cut) {
		px->truncated = 1;
		i = len;
		while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
			i--;
		if (i > 0) {
			c = (unsigned char)s[i - 1];
			need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
			if (i - 1 + need > len)
				len = i - 1;
		}
	}
	if (s != NULL)
		r = dup_trimmed(px, s, len);
	buf_reset(&px->tb);
	px->cut = 0;
	return r;
}

/* text_list(px, c, depth): the character data of nodes ${c}... and their
 * descendants; internal entities are expanded within the budget. */
static void
text_list(struct px *px, xmlNodePtr c, int depth)
{
	xmlEntityPtr ent;
	size_t before;

	for (; c != NULL && !px->cut; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content != NULL)
				tb_add(px, (const char *)c->content,
				    strlen((const char *)c->content));
			break;
		case XML_ELEMENT_NODE:
			if (depth < 64)
				text_list(px, c->children, depth + 1);
			break;
		case XML_ENTITY_REF_NODE:
			ent = (xmlEntityPtr)c->children;
			if (ent == NULL || ent->type != XML_ENTITY_DECL ||
			    ent->etype != XML_INTERNAL_GENERAL_ENTITY ||
			    depth >= 16 || px->ent_budget == 0)
				break;
			before = px->tb.len;
			text_list(px, ent->children, depth + 1);
			if (px->tb.len - before >= px->ent_budget) {
				/* the document is rejected: read no further */
				if (!px->ent_cut && !px->ent_loop && px->ctxt != NULL &&
				    px->ctxt->input != NULL) {
					px->ent_line = px->ctxt->input->line;
					xmlStopParser(px->ctxt);
				}
				px->ent_budget = 0;
				px->ent_cut = 1;
			}
			else
				px->ent_budget -= px->tb.len - before;
			break;
		default:
			break;
		}
	}
}

static int
has_elements(xmlNodePtr n)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* inner_xml(px, first): nodes ${first}... serialised into the field. */
static void
inner_xml(struct px *px, xmlNodePtr first)
{
	xmlBufferPtr xb;
	xmlNodePtr c;

	if ((xb = xmlBufferCreate()) == NULL) {
		px->nomem = 1;
		return;
	}
	for (c = first; c != NULL; c = c->next) {
		xmlNodeDump(xb, px->x, c, 0, 0);
		if ((size_t)xmlBufferLength(xb) > px->max_field)
			break;
	}
	tb_add(px, (const char *)xmlBufferContent(xb), xmlBufferLength(xb));
	xmlBufferFree(xb);
}

/* text(px, n): the trimmed text of ${n}; a new string or NULL. */
static char *
text(struct px *px, xmlNodePtr n)
{
	xmlNodePtr c = n->children;
	size_t len;

	if (c != NULL && c->next == NULL && (c->type == XML_TEXT_NODE ||
	    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL &&
	    px->tb.len == 0 && !px->cut &&
	    (len = strlen((const char *)c->content)) <= px->max_field) {
		/* one piece of text, not cut: what take() would make of it,
		 * without the copy into the field buffer */
		return dup_trimmed(px, (const char *)c->content, len);
	}
	text_list(px, n->children, 0);
	return take(px);
}

/*
 * looks_like_html(s): markup or an escaped entity in a value that came
 * from a plain RSS element.
 */
static int
looks_like_html(const char *s)
{
	const char *p;

	for (p = s; (p = strpbrk(p, "<&")) != NULL; p++) {
		if (*p == '<') {
			if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
			    (p[1] == '/' && p[2] != '\0') || p[1] == '!')
				return 1;
		} else {
			const char *q = p + 1;

			if (*q == '#')
				q++;
			while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			    (*q >= '0' && *q <= '9'))
				q++;
			if (*q == ';' && q > p + 1)
				return 1;
		}
	}
	return 0;
}

/* rss_text(px, n, type): an RSS value: its text, or its inner XML when
 * the publisher put unescaped markup in it; ${type} html when it holds
 * markup. */
static char *
rss_text(struct px *px, xmlNodePtr n, enum feed_text_type *type)
{
	char *s;

	if (has_elements(n)) {
		inner_xml(px, n->children);
		s = take(px);
		*type = FEED_HTML;
		return s;
	}
	s = text(px, n);
	*type = s != NULL && looks_like_html(s) ? FEED_HTML : FEED_TEXT;
	return s;
}

/* attr(px, n, name): the value of attribute ${name} (any namespace), NULL
 * when absent; borrowed until the next call. */
static const char *
attr(struct px *px, xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;
	xmlNodePtr c;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name[0] != (xmlChar)name[0] || strcmp((const char *)a->name, name) != 0)
			continue;
		c = a->children;
		if (c == NULL)
			return "";
		if (c->next == NULL && c->type == XML_TEXT_NODE)
			return c->content ? (const char *)c->content : "";
		buf_reset(&px->ab);
		for (; c != NULL; c = c->next)
			if (c->type == XML_TEXT_NODE && c->content != NULL &&
			    buf_puts(&px->ab, (const char *)c->content))
				px->nomem = 1;
		return buf_cstr(&px->ab);
	}
	return NULL;
}

/* attr_dup(px, n, name): the trimmed attribute value as a new string. */
static char *
attr_dup(struct px *px, xmlNodePtr n, const char *name)
{
	const char *v = attr(px, n, name);

	if (v == NULL)
		return NULL;
	tb_add(px, v, strlen(v));
	return take(px);
}

/* has_scheme(s): ${s} is an absolute URI ("scheme:"). */
static int
has_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

/* resolve(px, n, url): ${url} (owned, may be NULL) resolved against the
 * xml:base of ${n} and the document URL; returns the string to keep. */
static char *
resolve(struct px *px, xmlNodePtr n, char *url)
{
	xmlChar *base, *r;
	char *s;

	if (url == NULL || has_scheme(url))
		return url;
	if ((base = xmlNodeGetBase(px->x, n)) == NULL)
		return url;
	r = xmlBuildURI((const xmlChar *)url, base);
	xmlFree(base);
	if (r == NULL)
		return url;
	s = nf_strdup((const char *)r);
	xmlFree(r);
	if (s == NULL) {
		px->nomem = 1;
		return url;
	}
	free(url);
	return s;
}

static void
set_str(struct px *px, char **field, char *v)
{
	(void)px;
	if (v == NULL)
		return;
	if (*field == NULL)
		*field = v;
	else
		free(v);
}

static int64_t
parse_int(const char *s)
{
	int64_t v = 0;

	if (s == NULL)
		return -1;
	while (is_ws((unsigned char)*s))
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (is_ws((unsigned char)*s))
		s++;
	return *s == '\0' ? v : -1;
}

/* ---- namespaces -------------------------------------------------------- */

static enum ns
ns_lookup(const char *uri)
{
	size_t i, n, len;
	const char *u = uri;

	if (nf_strncasecmp_ascii(u, "http:", 5) == 0)
		u += 5;
	else if (nf_strncasecmp_ascii(u, "https:", 6) == 0)
		u += 6;
	while (*u == '/')
		u++;
	len = strlen(u);
	while (len > 0 && u[len - 1] == '/')
		len--;
	for (i = 0; i < NF_ARRAY_LEN(ns_table); i++) {
		n = strlen(ns_table[i].uri);
		if (n == len && nf_strncasecmp_ascii(u, ns_table[i].uri, n) == 0)
			return ns_table[i].id;
	}
	return NS_OTHER;
}

/* el(px, n, local): the namespace of element ${n} and its local name. */
static enum ns
el(struct px *px, xmlNodePtr n, const char **local)
{
	const char *name = (const char *)n->name, *colon;
	unsigned i;
	enum ns id;

	*local = name;
	if (n->ns == NULL) {
		if ((colon = strchr(name, ':')) == NULL)
			return NS_NONE;
		*local = colon + 1;
		for (i = 0; i < NF_ARRAY_LEN(prefix_table); i++)
			if (strlen(prefix_table[i].prefix) == (size_t)(colon - name) &&
			    memcmp(prefix_table[i].prefix, name, colon - name) == 0)
				return prefix_table[i].id;
		return NS_OTHER;
	}
	for (i = 0; i < NF_ARRAY_LEN(px->ns_ptr); i++)
		if (px->ns_ptr[i] == n->ns)
			return px->ns_id[i];
	id = n->ns->href ? ns_lookup((const char *)n->ns->href) : NS_OTHER;
	i = px->ns_next++ % NF_ARRAY_LEN(px->ns_ptr);
	px->ns_ptr[i] = n->ns;
	px->ns_id[i] = id;
	return id;
}

/* The element is in the core vocabulary of the document's format. */
static int
is_rss(struct px *px, enum ns id)
{
	return px->kind != K_ATOM && (id == NS_NONE || id == NS_RSS);
}

static int
is_atom(struct px *px, enum ns id)
{
	return id == NS_ATOM10 || id == NS_ATOM03 || (px->kind == K_ATOM && id == NS_NONE);
}

/* ---- model builders ---------------------------------------------------- */

static void
person_release(struct feed_person *p)
{
	free(p->name);
	free(p->email);
	free(p->uri);
}

/* add_person(px, arr, n, p): append ${p} (its strings now owned by the
 * array) unless a person of that name or email is there already. */
static void
add_person(struct px *px, struct feed_person **arr, size_t *n, struct feed_person *p)
{
	struct feed_person *a;
	size_t i;

	if (p->name == NULL && p->email == NULL && p->uri == NULL)
		return;
	for (i = 0; i < *n; i++) {
		a = &(*arr)[i];
		if ((p->name && a->name && strcmp(p->name, a->name) == 0) ||
		    (!p->name && p->email && a->email && strcmp(p->email, a->email) == 0)) {
			if (a->email == NULL) {
				a->email = p->email;
				p->email = NULL;
			}
			if (a->uri == NULL) {
				a->uri = p->uri;
				p->uri = NULL;
			}
			person_release(p);
			return;
		}
	}
	if ((a = grow(*arr, *n, sizeof(**arr))) == NULL) {
		px->nomem = 1;
		person_release(p);
		return;
	}
	*arr = a;
	a[(*n)++] = *p;
}

static int
has_space(const char *p, const char *e)
{
	for (; p < e; p++)
		if (is_ws((unsigned char)*p))
			return 1;
	return 0;
}

/*
 * rss_person(px, s, p): an RSS author value: "email (Name)", "Name <email>",
 * "email" or "Name".  Takes ownership of ${s}.
 */
static void
rss_person(struct px *px, char *s, struct feed_person *p)
{
	char *open, *close, *at;

	memset(p, 0, sizeof(*p));
	if (s == NULL)
		return;
	at = strchr(s, '@');
	if (at != NULL && (open = strchr(s, '(')) != NULL &&
	    (close = strrchr(s, ')')) != NULL && close > open && at > open && at < close &&
	    !has_space(open + 1, close)) {
		/* "Name (email)" */
		*close = '\0';
		p->email = nf_strdup(nf_trim(open + 1));
		*open = '\0';
		p->name = nf_strdup(nf_trim(s));
		if (p->email == NULL || (p->name == NULL && *s))
			px->nomem = 1;
		free(s);
	} else if (at != NULL && (open = strchr(s, '(')) != NULL &&
	    (close = strrchr(s, ')')) != NULL && close > open && at < open) {
		*close = '\0';
		p->name = nf_strdup(nf_trim(open + 1));
		*open = '\0';
		p->email = nf_strdup(nf_trim(s));
		if ((p->name == NULL && open[1] != '\0') || p->email == NULL)
			px->nomem = 1;
		free(s);
	} else if (at != NULL && (open = strchr(s, '<')) != NULL &&
	    (close = strchr(open, '>')) != NULL && at > open && at < close) {
		*close = '\0';
		p->email = nf_strdup(nf_trim(open + 1));
		*open = '\0';
		p->name = nf_strdup(nf_trim(s));
		if (p->email == NULL || (p->name == NULL && *s))
			px->nomem = 1;
		free(s);
	} else if (at != NULL && strpbrk(s, " \t") == NULL)
		p->email = s;
	else
		p->name = s;
	if (p->name != NULL && p->name[0] == '\0') {
		free(p->name);
		p->name = NULL;
	}
	if (p->email != NULL && p->email[0] == '\0') {
		free(p->email);
		p->email = NULL;
	}
	if (p->email != NULL && nf_strncasecmp_ascii(p->email, "mailto:", 7) == 0)
		memmove(p->email, p->email + 7, strlen(p->email + 7) + 1);
}

static void
add_name(struct px *px, struct feed_person **arr, size_t *n, char *name)
{
	struct feed_person p;

	memset(&p, 0, sizeof(p));
	p.name = name;
	add_person(px, arr, n, &p);
}

/* atom_person(px, n, p): <author>/<contributor> with name, email, uri. */
static void
atom_person(struct px *px, xmlNodePtr n, struct feed_person *p)
{
	const char *local;
	xmlNodePtr c;
	enum ns id;

	memset(p, 0, sizeof(*p));
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		id = el(px, c, &local);
		if (!is_atom(px, id) && id != NS_NONE)
			continue;
		if (strcmp(local, "name") == 0)
			set_str(px, &p->name, text(px, c));
		else if (strcmp(local, "email") == 0)
			set_str(px, &p->email, text(px, c));
		else if (strcmp(local, "uri") == 0 || strcmp(local, "url") == 0 ||
		    strcmp(local, "homepage") == 0)
			set_str(px, &p->uri, resolve(px, c, text(px, c)));
	}
	if (p->name == NULL && p->email == NULL && p->uri == NULL && !has_elements(n))
		rss_person(px, text(px, n), p); /* <atom:author>Name</atom:author> */
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
add_category(struct px *px, struct feed_category **arr, size_t *n,
             char *term, char *scheme, char *label)
{
	struct feed_category *a;
	size_t i;

	if (term == NULL && label == NULL)
		goto drop;
	for (i = 0; i < *n; i++)
		if (term && (*arr)[i].term && strcmp((*arr)[i].term, term) == 0 &&
		    same_str(scheme, (*arr)[i].scheme) && same_str(label, (*arr)[i].label))
			goto drop;
	if ((a = grow(*arr, *n, sizeof(**arr))) == NULL) {
		px->nomem = 1;
		goto drop;
	}
	*arr = a;
	a[*n].term = term;
	a[*n].scheme = scheme;
	a[*n].label = label;
	(*n)++;
	return;
drop:
	free(term);
	free(scheme);
	free(label);
}

static void
add_link(struct px *px, struct feed_link **arr, size_t *n, char *href,
         char *rel, char *type, char *title)
{
	struct feed_link *a;
	size_t i;

	if (href == NULL)
		goto drop;
	if (rel == NULL && (rel = nf_strdup("alternate")) == NULL) {
		px->nomem = 1;
		goto drop;
	}
	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].href, href) == 0 && strcmp((*arr)[i].rel, rel) == 0)
			goto drop;
	if ((a = grow(*arr, *n, sizeof(**arr))) == NULL) {
		px->nomem = 1;
		goto drop;
	}
	*arr = a;
	a[*n].href = href;
	a[*n].rel = rel;
	a[*n].type = type;
	a[*n].title = title;
	(*n)++;
	return;
drop:
	free(href);
	free(rel);
	free(type);
	free(title);
}

static void
add_enclosure(struct px *px, struct feed_entry *e, char *href, char *type,
              int64_t length)
{
	struct feed_enclosure *a;
	size_t i;

	if (href == NULL)
		goto drop;
	for (i = 0; i < e->nenclosures; i++) {
		if (strcmp(e->enclosures[i].href, href) == 0) {
			if (e->enclosures[i].type == NULL) {
				e->enclosures[i].type = type;
				type = NULL;
			}
			if (e->enclosures[i].length < 0)
				e->enclosures[i].length = length;
			goto drop;
		}
	}
	if ((a = grow(e->enclosures, e->nenclosures, sizeof(*a))) == NULL) {
		px->nomem = 1;
		goto drop;
	}
	e->enclosures = a;
	a[e->nenclosures].href = href;
	a[e->nenclosures].type = type;
	a[e->nenclosures].length = length;
	e->nenclosures++;
	return;
drop:
	free(href);
	free(type);
}

static void
add_content(struct px *px, struct feed_entry *e, char *value,
            enum feed_text_type type, char *src)
{
	struct feed_content *a;

	if (value == NULL && src == NULL)
		return;
	if ((a = grow(e->content, e->ncontent, sizeof(*a))) == NULL) {
		px->nomem = 1;
		free(value);
		free(src);
		return;
	}
	e->content = a;
	a[e->ncontent].value = value;
	a[e->ncontent].type = type;
	a[e->ncontent].src = src;
	e->ncontent++;
}

/* ---- Atom text constructs ---------------------------------------------- */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* valid_utf8(s, n): ${n} bytes at ${s} are UTF-8 text without NUL. */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t c;

	while (i < n) {
		c = s[i];
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3;
		else
			return 0;
		if (n - i <= need)
			return 0;
		c &= 0x3F >> need;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		if ((need == 2 && c < 0x800) || (need == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* base64_inplace(s): decode ${s} over itself (it only shrinks) when it is
 * base64 of UTF-8 text; otherwise ${s} is left as it is. */
static void
base64_inplace(char *s)
{
	unsigned acc = 0;
	int bits = 0, v;
	char *out, *p, *copy;
	size_t n = 0;

	for (p = s; *p; p++)
		if (b64val((unsigned char)*p) >= 0)
			n++;
		else if (*p != '=' && !is_ws((unsigned char)*p))
			return;
	if (n == 0 || (copy = nf_strdup(s)) == NULL)
		return;
	out = copy;
	for (p = s; *p; p++) {
		if ((v = b64val((unsigned char)*p)) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*out++ = (char)((acc >> bits) & 0xFF);
		}
	}
	*out = '\0';
	if (valid_utf8((const unsigned char *)copy, (size_t)(out - copy)))
		memcpy(s, copy, (size_t)(out - copy) + 1);
	free(copy);
}

/* is_binary_type(t): a MIME type whose Atom content is base64 (RFC 4287
 * 4.1.3.3: neither text/ nor XML). */
static int
is_binary_type(const char *t)
{
	size_t n;

	if (t == NULL || strchr(t, '/') == NULL || nf_strncasecmp_ascii(t, "text/", 5) == 0)
		return 0;
	n = strcspn(t, "; \t");
	if (n >= 3 && nf_strncasecmp_ascii(t + n - 3, "xml", 3) == 0)
		return 0;
	return 1;
}

/* text_type(t): an Atom type attribute ("text", "html", "xhtml" or a
 * MIME type, Atom 0.3) as a text type. */
static enum feed_text_type
text_type(const char *t)
{
	if (t == NULL)
		return FEED_TEXT;
	if (nf_strcasecmp_ascii(t, "html") == 0 || nf_strcasecmp_ascii(t, "text/html") == 0)
		return FEED_HTML;
	if (nf_strcasecmp_ascii(t, "xhtml") == 0 ||
	    nf_strcasecmp_ascii(t, "application/xhtml+xml") == 0)
		return FEED_XHTML;
	return FEED_TEXT;
}

/* atom_text(px, n, type): the value of an Atom text construct; for xhtml,
 * the serialised inside of its wrapping div. */
static char *
atom_text(struct px *px, xmlNodePtr n, enum feed_text_type *type)
{
	const char *mode, *local;
	xmlNodePtr c, div = NULL;
	char *s;
	int elems = 0;

	*type = text_type(attr(px, n, "type"));
	mode = attr(px, n, "mode"); /* Atom 0.3 */
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (elems++ == 0 && el(px, c, &local) == NS_XHTML && strcmp(local, "div") == 0)
			div = c;
	}
	if (*type == FEED_XHTML || (mode != NULL && strcmp(mode, "xml") == 0) ||
	    elems > 0) {
		if (elems == 1 && div != NULL)
			inner_xml(px, div->children);
		else
			inner_xml(px, n->children);
		if (*type != FEED_XHTML)
			*type = FEED_HTML;
		return take(px);
	}
	s = text(px, n);
	if (s != NULL && ((mode != NULL && strcmp(mode, "base64") == 0) ||
	    (mode == NULL && is_binary_type(attr(px, n, "type")))))
		base64_inplace(s);
	return s;
}

/* ---- entries ----------------------------------------------------------- */

static void
atom_link(struct px *px, xmlNodePtr n, struct feed_link **arr, size_t *cnt,
          struct feed_entry *e)
{
	char *href, *rel, *type;
	const char *v;

	href = resolve(px, n, attr_dup(px, n, "href"));
	if (href == NULL && (v = attr(px, n, "href")) != NULL && *v == '\0') {
		/* href="": the base itself (RFC 3986 5.2) */
		xmlChar *b = xmlNodeGetBase(px->x, n);

		if (b != NULL && (href = nf_strdup((const char *)b)) == NULL)
			px->nomem = 1;
		xmlFree(b);
	}
	if (href == NULL)
		href = resolve(px, n, text(px, n)); /* <atom:link>url</atom:link> */
	rel = attr_dup(px, n, "rel");
	type = attr_dup(px, n, "type");
	if (e != NULL && href != NULL && rel != NULL && strcmp(rel, "enclosure") == 0) {
		char *h2 = nf_strdup(href), *t2 = type ? nf_strdup(type) : NULL;

		if (h2 == NULL || (type && t2 == NULL))
			px->nomem = 1;
		add_enclosure(px, e, h2, t2, parse_int(attr(px, n, "length")));
	}
	add_link(px, arr, cnt, href, rel, type, attr_dup(px, n, "title"));
}

static void
media_content(struct px *px, xmlNodePtr n, struct feed_entry *e)
{
	const char *local;
	xmlNodePtr c;
	int64_t len;

	if (el(px, n, &local) == NS_MEDIA && strcmp(local, "group") == 0) {
		for (c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && el(px, c, &local) == NS_MEDIA &&
			    strcmp(local, "content") == 0)
				media_content(px, c, e);
		return;
	}
	len = parse_int(attr(px, n, "fileSize"));
	add_enclosure(px, e, resolve(px, n, attr_dup(px, n, "url")),
	    attr_dup(px, n, "type"), len);
}

static int64_t
date_of(struct px *px, xmlNodePtr n)
{
	char *s = text(px, n);
	int64_t t = feed_date_parse(s);

	free(s);
	return t;
}

/* keywords(px, n, arr, cnt): itunes:keywords, comma separated, as
 * categories. */
static void
keywords(struct px *px, xmlNodePtr n, struct feed_category **arr, size_t *cnt)
{
	char *s = text(px, n), *p, *q;

	for (p = s; p != NULL && *p; p = q) {
		if ((q = strchr(p, ',')) != NULL)
			*q++ = '\0';
		else
			q = p + strlen(p);
		tb_add(px, p, strlen(p));
		add_category(px, arr, cnt, take(px), NULL, NULL);
	}
	free(s);
}

/* NAME_IS(local, name): ${local} is the literal ${name}, its first letter
 * compared before any call to strcmp(). */
#define NAME_IS(local, name) ((local)[0] == (name)[0] && strcmp((local), (name)) == 0)

/* entry_child(px, e, x, n): one child element ${n} of an item/entry. */
static void
entry_child(struct px *px, struct feed_entry *e, struct ectx *x, xmlNodePtr n)
{
	struct feed_person p;
	enum feed_text_type t;
	const char *local, *v;
	char *s;
	enum ns id = el(px, n, &local);

	if (is_rss(px, id)) {
		if (NAME_IS(local, "title")) {
			if (e->title == NULL)
				e->title = rss_text(px, n, &e->title_type);
		} else if (NAME_IS(local, "link")) {
			add_link(px, &e->links, &e->nlinks,
			    resolve(px, n, text(px, n)), NULL, NULL, NULL);
		} else if (NAME_IS(local, "description")) {
			if (e->summary == NULL)
				e->summary = rss_text(px, n, &e->summary_type);
		} else if (NAME_IS(local, "guid")) {
			if (e->id == NULL && (e->id = text(px, n)) != NULL) {
				v = attr(px, n, "isPermaLink");
				while (v != NULL && is_ws((unsigned char)*v))
					v++;
				x->guid_perma = v == NULL || nf_strncasecmp_ascii(v, "false", 5) != 0;
			}
		} else if (NAME_IS(local, "pubDate")) {
			if (e->published == NF_TIME_NONE) {
				s = text(px, n);
				e->published = feed_date_parse(s);
				free(s);
			}
		} else if (NAME_IS(local, "author")) {
			rss_person(px, text(px, n), &p);
			add_person(px, &e->authors, &e->nauthors, &p);
		} else if (NAME_IS(local, "category")) {
			add_category(px, &e->categories, &e->ncategories, text(px, n),
			    attr_dup(px, n, "domain"), NULL);
		} else if (NAME_IS(local, "comments")) {
			set_str(px, &e->comments, resolve(px, n, text(px, n)));
		} else if (NAME_IS(local, "enclosure")) {
			add_enclosure(px, e, resolve(px, n, attr_dup(px, n, "url")),
			    attr_dup(px, n, "type"), parse_int(attr(px, n, "length")));
		}
		return;
	}
	if (is_atom(px, id)) {
		if (NAME_IS(local, "title")) {
			if (e->title == NULL)
				e->title = atom_text(px, n, &e->title_type);
		} else if (NAME_IS(local, "link")) {
			atom_link(px, n, &e->links, &e->nlinks, e);
		} else if (NAME_IS(local, "id")) {
			set_str(px, &e->id, text(px, n));
		} else if (NAME_IS(local, "published") || NAME_IS(local, "issued") ||
		    NAME_IS(local, "created")) {
			if (e->published == NF_TIME_NONE) {
				s = text(px, n);
				e->published = feed_date_parse(s);
				free(s);
			}
		} else if (NAME_IS(local, "updated") || NAME_IS(local, "modified")) {
			if (e->updated == NF_TIME_NONE) {
				s = text(px, n);
				e->updated = feed_date_parse(s);
				free(s);
			}
		} else if (NAME_IS(local, "author")) {
			atom_person(px, n, &p);
			add_person(px, &e->authors, &e->nauthors, &p);
		} else if (NAME_IS(local, "contributor")) {
			atom_person(px, n, &p);
			add_person(px, &e->contributors, &e->ncontributors, &p);
		} else if (NAME_IS(local, "summary")) {
			if (e->summary == NULL)
				e->summary = atom_text(px, n, &e->summary_type);
		} else if (NAME_IS(local, "content")) {
			char *v2 = atom_text(px, n, &t);

			s = resolve(px, n, attr_dup(px, n, "src"));
			add_content(px, e, v2, t, s);
		} else if (NAME_IS(local, "category")) {
			add_category(px, &e->categories, &e->ncategories,
			    attr_dup(px, n, "term"), attr_dup(px, n, "scheme"),
			    attr_dup(px, n, "label"));
		} else if (NAME_IS(local, "rights") || NAME_IS(local, "copyright")) {
			if (e->rights == NULL)
				e->rights = atom_text(px, n, &t);
		}
		return;
	}
	switch (id) {
	case NS_DC:
		if (NAME_IS(local, "creator") || NAME_IS(local, "author")) {
			rss_person(px, text(px, n), &p);
			add_person(px, &e->authors, &e->nauthors, &p);
		} else if (NAME_IS(local, "contributor")) {
			add_name(px, &e->contributors, &e->ncontributors, text(px, n));
		} else if (NAME_IS(local, "date")) {
			/* dc:date is both dates of an RSS 1.0 item */
			if (e->published == NF_TIME_NONE || e->updated == NF_TIME_NONE) {
				int64_t when = date_of(px, n);

				if (e->published == NF_TIME_NONE)
					e->published = when;
				if (e->updated == NF_TIME_NONE)
					e->updated = when;
			}
		} else if (NAME_IS(local, "subject")) {
			add_category(px, &e->categories, &e->ncategories, text(px, n), NULL, NULL);
		} else if (NAME_IS(local, "rights")) {
			set_str(px, &e->rights, text(px, n));
		} else if (NAME_IS(local, "title")) {
			set_str(px, &x->alt_title, text(px, n));
		} else if (NAME_IS(local, "description")) {
			if (x->alt_summary == NULL)
				x->alt_summary = rss_text(px, n, &x->alt_summary_type);
		} else if (NAME_IS(local, "identifier")) {
			set_str(px, &e->id, text(px, n));
		}
		break;
	case NS_DCTERMS:
		if (NAME_IS(local, "modified")) {
			if (e->updated == NF_TIME_NONE) {
				s = text(px, n);
				e->updated = feed_date_parse(s);
				free(s);
			}
		} else if (NAME_IS(local, "issued") || NAME_IS(local, "created")) {
			if (e->published == NF_TIME_NONE) {
				s = text(px, n);
				e->published = feed_date_parse(s);
				free(s);
			}
		}
		break;
	case NS_CONTENT:
		if (NAME_IS(local, "encoded")) {
			s = rss_text(px, n, &t);
			add_content(px, e, s, FEED_HTML, NULL);
		}
		break;
	case NS_MEDIA:
		if (NAME_IS(local, "content") || NAME_IS(local, "group"))
			media_content(px, n, e);
		else if (NAME_IS(local, "description") && x->alt_summary == NULL)
			x->alt_summary = rss_text(px, n, &x->alt_summary_type);
		break;
	case NS_ITUNES:
		if (NAME_IS(local, "author")) {
			add_name(px, &e->authors, &e->nauthors, text(px, n));
		} else if (NAME_IS(local, "keywords")) {
			keywords(px, n, &e->categories, &e->ncategories);
		} else if (NAME_IS(local, "summary") || NAME_IS(local, "subtitle")) {
			if (x->alt_summary == NULL)
				x->alt_summary = rss_text(px, n, &x->alt_summary_type);
		}
		break;
	default:
		break;
	}
}

/* looks_like_url(s): an http(s) URL, for a guid that is also the link. */
static int
looks_like_url(const char *s)
{
	return nf_strncasecmp_ascii(s, "http://", 7) == 0 ||
	    nf_strncasecmp_ascii(s, "https://", 8) == 0;
}

/* pick_link(l, n): the alternate link, else the first that is not an
 * enclosure nor the feed itself. */
static const char *
pick_link(const struct feed_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].rel, "alternate") == 0)
			return l[i].href;
	for (i = 0; i < n; i++)
		if (strcmp(l[i].rel, "enclosure") != 0 && strcmp(l[i].rel, "self") != 0)
			return l[i].href;
	return NULL;
}

/* is_entry(px, n): an RSS item or an Atom entry. */
static int
is_entry(struct px *px, xmlNodePtr n)
{
	const char *local;
	enum ns id = el(px, n, &local);

	if (is_rss(px, id))
		return strcmp(local, "item") == 0;
	return is_atom(px, id) && strcmp(local, "entry") == 0;
}

static void entry_free_fields(struct feed_entry *e);

/* emit(px, e): hand the complete entry ${e} on, to the callback or into
 * doc->entries; what ${e} points to is no longer ours. */
static void
emit(struct px *px, struct feed_entry *e)
{
	struct feed_doc *d = px->doc;
	struct feed_entry *a;

	if (px->nomem || px->stop) {
		entry_free_fields(e);
		return;
	}
	if (px->on_entry == NULL) {
		if ((a = grow(d->entries, d->nentries, sizeof(*a))) == NULL) {
			px->nomem = 1;
			entry_free_fields(e);
			return;
		}
		d->entries = a;
		a[d->nentries++] = *e;
		return;
	}
	if (px->on_entry(px->on_ctx, d, e) != 0) {
		px->stop = 1;
		if (px->ctxt != NULL)
			xmlStopParser(px->ctxt);
	}
}

/* read_entry(px, n): one item/entry, handed on by emit(). */
static void
read_entry(struct px *px, xmlNodePtr n)
{
	struct feed_entry e;
	struct ectx x;
	const char *l;
	xmlNodePtr c;
	int nested = 0;

	if (px->count >= px->max_entries) {
		px->too_many = 1;
		return;
	}
	px->count++;
	memset(&e, 0, sizeof(e));
	memset(&x, 0, sizeof(x));
	e.published = e.updated = NF_TIME_NONE;
	for (c = n->children; c != NULL && !px->nomem; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_entry(px, c))
			nested = 1;
		else
			entry_child(px, &e, &x, c);
	}
	/* RSS 1.0: the item's rdf:about is its identity */
	if (e.id == NULL && px->kind == K_RDF)
		e.id = attr_dup(px, n, "about");
	if (e.summary == NULL) {
		e.summary = x.alt_summary;
		e.summary_type = x.alt_summary_type;
		x.alt_summary = NULL;
	}
	if (e.title == NULL) {
		e.title = x.alt_title;
		x.alt_title = NULL;
		if (e.title != NULL && looks_like_html(e.title))
			e.title_type = FEED_HTML;
	}
	free(x.alt_summary);
	free(x.alt_title);
	if ((l = pick_link(e.links, e.nlinks)) != NULL) {
		if ((e.link = nf_strdup(l)) == NULL)
			px->nomem = 1;
	} else if (e.id != NULL && x.guid_perma && looks_like_url(e.id)) {
		if ((e.link = nf_strdup(e.id)) == NULL)
			px->nomem = 1;
	}
	emit(px, &e);
	/* an item left open swallows the next ones in recovery: they are
	 * entries of their own, after it */
	for (c = n->children; nested && c != NULL && !px->nomem && !px->stop; c = c->next)
		if (c->type == XML_ELEMENT_NODE && is_entry(px, c))
			read_entry(px, c);
}

/* ---- feed level -------------------------------------------------------- */

static void
rss_image(struct px *px, xmlNodePtr n)
{
	struct feed_info *f = &px->doc->feed;
	const char *local;
	xmlNodePtr c;
	enum ns id;

	if (f->image == NULL && (f->image = calloc(1, sizeof(*f->image))) == NULL) {
		px->nomem = 1;
		return;
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		id = el(px, c, &local);
		if (!is_rss(px, id))
			continue;
		if (strcmp(local, "url") == 0)
			set_str(px, &f->image->url, resolve(px, c, text(px, c)));
		else if (strcmp(local, "title") == 0)
			set_str(px, &f->image->title, text(px, c));
		else if (strcmp(local, "link") == 0)
			set_str(px, &f->image->link, resolve(px, c, text(px, c)));
	}
	/* <image rdf:resource="..."/> in a channel, or an empty image */
	if (f->image->url == NULL)
		f->image->url = resolve(px, n, attr_dup(px, n, "resource"));
	if (f->image->url == NULL && f->image->title == NULL && f->image->link == NULL) {
		free(f->image);
		f->image = NULL;
	}
}

/* rss_skip(px, n, days): the <hour>s of <skipHours> ${n} (or the <day>s of
 * <skipDays>) into the feed's masks: hours 0-23, 24 being midnight in some
 * feeds, and English day names in any case; anything else is ignored. */
static void
rss_skip(struct px *px, xmlNodePtr n, int days)
{
	static const char *const names[7] = {
		"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
	};
	struct feed_info *f = &px->doc->feed;
	const char *local;
	xmlNodePtr c;
	int64_t h;
	unsigned i;
	char *s;

	for (c = n->children; c != NULL && !px->nomem; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !is_rss(px, el(px, c, &local)) ||
		    strcmp(local, days ? "day" : "hour") != 0 || (s = text(px, c)) == NULL)
			continue;
		if (days) {
			for (i = 0; i < 7; i++)
				if (nf_strcasecmp_ascii(s, names[i]) == 0)
					f->skip_days |= (uint8_t)(1u << i);
		} else if ((h = parse_int(s)) >= 0 && h <= 24)
			f->skip_hours |= 1u << (h % 24);
		free(s);
	}
}

/* feed_child(px, x, n): one child element of channel/feed. */
static void
feed_child(struct px *px, struct ectx *x, xmlNodePtr n)
{
	struct feed_info *f = &px->doc->feed;
	struct feed_person p;
	enum feed_text_type t;
	const char *local;
	char *s;
	enum ns id = el(px, n, &local);

	if (is_rss(px, id)) {
		if (strcmp(local, "item") == 0)
			read_entry(px, n);
		else if (strcmp(local, "title") == 0) {
			if (f->title == NULL)
				f->title = rss_text(px, n, &f->title_type);
		} else if (strcmp(local, "link") == 0)
			add_link(px, &f->links, &f->nlinks, resolve(px, n, text(px, n)),
			    NULL, NULL, NULL);
		else if (strcmp(local, "description") == 0) {
			if (f->subtitle == NULL)
				f->subtitle = rss_text(px, n, &f->subtitle_type);
		} else if (strcmp(local, "language") == 0)
			set_str(px, &f->language, text(px, n));
		else if (strcmp(local, "copyright") == 0)
			set_str(px, &f->rights, text(px, n));
		else if (strcmp(local, "webMaster") == 0) {
			if (x->webmaster == NULL)
				x->webmaster = text(px, n);
		} else if (strcmp(local, "managingEditor") == 0) {
			rss_person(px, text(px, n), &p);
			add_person(px, &f->authors, &f->nauthors, &p);
		} else if (strcmp(local, "pubDate") == 0) {
			if (f->published == NF_TIME_NONE)
				f->published = date_of(px, n);
		} else if (strcmp(local, "lastBuildDate") == 0) {
			if (f->updated == NF_TIME_NONE)
				f->updated = date_of(px, n);
		} else if (strcmp(local, "category") == 0)
			add_category(px, &f->categories, &f->ncategories, text(px, n),
			    attr_dup(px, n, "domain"), NULL);
		else if (strcmp(local, "generator") == 0)
			set_str(px, &f->generator, text(px, n));
		else if (strcmp(local, "ttl") == 0) {
			if (f->ttl < 0 && (s = text(px, n)) != NULL) {
				f->ttl = parse_int(s);
				free(s);
			}
		} else if (strcmp(local, "skipHours") == 0)
			rss_skip(px, n, 0);
		else if (strcmp(local, "skipDays") == 0)
			rss_skip(px, n, 1);
		else if (strcmp(local, "image") == 0)
			rss_image(px, n); /* RSS 1.0: the channel's and the top-level one */
		return;
	}
	if (is_atom(px, id)) {
		if (strcmp(local, "entry") == 0)
			read_entry(px, n);
		else if (strcmp(local, "title") == 0) {
			if (f->title == NULL)
				f->title = atom_text(px, n, &f->title_type);
		} else if (strcmp(local, "subtitle") == 0 || strcmp(local, "tagline") == 0) {
			if (f->subtitle == NULL)
				f->subtitle = atom_text(px, n, &f->subtitle_type);
		} else if (strcmp(local, "link") == 0)
			atom_link(px, n, &f->links, &f->nlinks, NULL);
		else if (strcmp(local, "id") == 0)
			set_str(px, &f->id, text(px, n));
		else if (strcmp(local, "updated") == 0 || strcmp(local, "modified") == 0) {
			if (f->updated == NF_TIME_NONE)
				f->updated = date_of(px, n);
		} else if (strcmp(local, "published") == 0) {
			if (f->published == NF_TIME_NONE)
				f->published = date_of(px, n);
		} else if (strcmp(local, "author") == 0) {
			atom_person(px, n, &p);
			add_person(px, &f->authors, &f->nauthors, &p);
		} else if (strcmp(local, "contributor") == 0) {
			atom_person(px, n, &p);
			add_person(px, &f->contributors, &f->ncontributors, &p);
		} else if (strcmp(local, "category") == 0)
			add_category(px, &f->categories, &f->ncategories,
			    attr_dup(px, n, "term"), attr_dup(px, n, "scheme"),
			    attr_dup(px, n, "label"));
		else if (strcmp(local, "generator") == 0)
			set_str(px, &f->generator, text(px, n));
		else if (strcmp(local, "icon") == 0)
			set_str(px, &f->icon, resolve(px, n, text(px, n)));
		else if (strcmp(local, "logo") == 0)
			set_str(px, &f->logo, resolve(px, n, text(px, n)));
		else if (strcmp(local, "rights") == 0 || strcmp(local, "copyright") == 0) {
			if (f->rights == NULL)
				f->rights = atom_text(px, n, &t);
		}
		return;
	}
	switch (id) {
	case NS_DC:
		if (strcmp(local, "creator") == 0 || strcmp(local, "author") == 0) {
			rss_person(px, text(px, n), &p);
			add_person(px, &f->authors, &f->nauthors, &p);
		} else if (strcmp(local, "contributor") == 0)
			add_name(px, &f->contributors, &f->ncontributors, text(px, n));
		else if (strcmp(local, "language") == 0)
			set_str(px, &f->language, text(px, n));
		else if (strcmp(local, "rights") == 0)
			set_str(px, &f->rights, text(px, n));
		else if (strcmp(local, "date") == 0) {
			if (f->updated == NF_TIME_NONE)
				f->updated = date_of(px, n);
		} else if (strcmp(local, "subject") == 0)
			add_category(px, &f->categories, &f->ncategories, text(px, n), NULL, NULL);
		else if (strcmp(local, "title") == 0)
			set_str(px, &x->alt_title, text(px, n));
		else if (strcmp(local, "description") == 0 && x->alt_summary == NULL)
			x->alt_summary = rss_text(px, n, &x->alt_summary_type);
		break;
	case NS_DCTERMS:
		if (strcmp(local, "modified") == 0 && f->updated == NF_TIME_NONE)
			f->updated = date_of(px, n);
		break;
	case NS_ATOM10:
	case NS_ATOM03:
		break;
	case NS_ITUNES:
		if (strcmp(local, "author") == 0)
			add_name(px, &f->authors, &f->nauthors, text(px, n));
		else if ((strcmp(local, "summary") == 0 || strcmp(local, "subtitle") == 0) &&
		    x->alt_summary == NULL)
			x->alt_summary = rss_text(px, n, &x->alt_summary_type);
		else if (strcmp(local, "keywords") == 0)
			keywords(px, n, &f->categories, &f->ncategories);
		else if (strcmp(local, "image") == 0 && f->image == NULL) {
			if ((f->image = calloc(1, sizeof(*f->image))) == NULL)
				px->nomem = 1;
			else if ((f->image->url = resolve(px, n, attr_dup(px, n, "href"))) == NULL) {
				free(f->image);
				f->image = NULL;
			}
		} else if (strcmp(local, "category") == 0)
			add_category(px, &f->categories, &f->ncategories,
			    attr_dup(px, n, "text"), NULL, NULL);
		break;
	default:
		break;
	}
}

/* feed_done(px, x): the fallbacks of a channel/feed whose children have
 * all been read. */
static void
feed_done(struct px *px, struct ectx *x)
{
	struct feed_info *f = &px->doc->feed;

	if (f->subtitle == NULL && x->alt_summary != NULL) {
		f->subtitle = x->alt_summary;
		f->subtitle_type = x->alt_summary_type;
		x->alt_summary = NULL;
	}
	set_str(px, &f->title, x->alt_title);
	free(x->alt_summary);
	if (f->nauthors == 0 && x->webmaster != NULL) {
		struct feed_person p;

		rss_person(px, x->webmaster, &p);
		add_person(px, &f->authors, &f->nauthors, &p);
	} else
		free(x->webmaster);
	memset(x, 0, sizeof(*x));
}

/*
 * ---- streaming -----------------------------------------------------------
 *
 * libxml2's push parser builds the tree through its SAX2 handlers; ours wrap
 * the element ones.  A container is an element whose children are the
 * feed's: the root (rss, rdf:RDF, feed) and an RSS channel in a container;
 * its node's _private points to its slot in px->cont.  When a child of a
 * container ends, it is read (an entry is handed on) and freed with the
 * text before it, so the tree never holds more than the open elements and
 * the entry being read.  Elements still open at the end of the input are
 * read by finish(), in document order, as the DOM walk would.
 */

static int
is_channel(struct px *px, xmlNodePtr n)
{
	const char *local;

	return px->kind != K_ATOM && is_rss(px, el(px, n, &local)) &&
	    strcmp(local, "channel") == 0;
}

static void
cont_push(struct px *px, xmlNodePtr n)
{
	struct cont *c;

	if (px->ncont >= (int)NF_ARRAY_LEN(px->cont))
		return;
	c = &px->cont[px->ncont++];
	memset(c, 0, sizeof(*c));
	c->node = n;
	n->_private = c;
}

/* cont_done(px, n): container ${n} is read; containers opened inside it
 * and left open by a broken document are finished first.  A node whose
 * container was finished that way (its slot popped, maybe reused since)
 * is only forgotten.  Nodes of popped slots are never touched: a broken
 * document may have freed them already. */
static void
cont_done(struct px *px, xmlNodePtr n)
{
	struct cont *c = n->_private;

	n->_private = NULL;
	if (c < px->cont || c >= px->cont + px->ncont || c->node != n)
		return;
	while (&px->cont[px->ncont - 1] != c)
		feed_done(px, &px->cont[--px->ncont].x);
	feed_done(px, &c->x);
	px->ncont--;
}

/*
 * The nodes of what was read are recycled rather than freed: the element
 * and text nodes and the attributes go to the parser's lists of free nodes
 * (ctxt->freeElems, freeAttrs), which libxml2's SAX2 handlers take new ones
 * from (as its xmlreader does) and xmlFreeParserCtxt() frees.  Anything
 * else is freed by libxml2.  (No node callbacks are registered, so there
 * is no xmlDeregisterNodeDefault() to call.)
 */
#if LIBXML_VERSION < 21100
/* Checked with libxml2 2.9 and 2.10; later releases change how the SAX2
 * handlers allocate, so there the nodes are simply freed. */
#define FREE_ELEMS_MAX 4096
#define FREE_ATTRS_MAX 1024

static void recycle_list(xmlParserCtxtPtr ctxt, xmlNodePtr cur);

/* dict_free(dict, s): free ${s} unless ${dict} owns it (libxml2's DICT_FREE). */
static void
dict_free(xmlDictPtr dict, const xmlChar *s)
{
	if (s != NULL && (dict == NULL || !xmlDictOwns(dict, s)))
		xmlFree((xmlChar *)s);
}

/* recycle_props(ctxt, a): attributes ${a}... as xmlFreeProp() frees them. */
static void
recycle_props(xmlParserCtxtPtr ctxt, xmlAttrPtr a)
{
	xmlAttrPtr next;

	for (; a != NULL; a = next) {
		next = a->next;
		if (a->atype == XML_ATTRIBUTE_ID || ctxt->freeAttrsNr >= FREE_ATTRS_MAX) {
			xmlFreeProp(a); /* an ID leaves the document's table too */
			continue;
		}
		recycle_list(ctxt, a->children);
		dict_free(a->doc != NULL ? a->doc->dict : NULL, a->name);
		a->next = ctxt->freeAttrs;
		ctxt->freeAttrs = a;
		ctxt->freeAttrsNr++;
	}
}

/* recycle_list(ctxt, cur): nodes ${cur}... and what is below them, as
 * xmlFreeNodeList() frees them. */
static void
recycle_list(xmlParserCtxtPtr ctxt, xmlNodePtr cur)
{
	xmlNodePtr next;
	xmlDictPtr dict;

	for (; cur != NULL; cur = next) {
		next = cur->next;
		if ((cur->type != XML_ELEMENT_NODE && cur->type != XML_TEXT_NODE) ||
		    ctxt->freeElemsNr >= FREE_ELEMS_MAX) {
			xmlFreeNode(cur);
			continue;
		}
		dict = cur->doc != NULL ? cur->doc->dict : NULL;
		if (cur->type == XML_ELEMENT_NODE) {
			recycle_list(ctxt, cur->children);
			recycle_props(ctxt, cur->properties);
			if (cur->nsDef != NULL)
				xmlFreeNsList(cur->nsDef);
			dict_free(dict, cur->name);
		} else if (cur->content != (xmlChar *)&cur->properties) {
			dict_free(dict, cur->content); /* not kept in the node itself */
		}
		cur->next = ctxt->freeElems;
		ctxt->freeElems = cur;
		ctxt->freeElemsNr++;
	}
}
#else
static void
recycle_list(xmlParserCtxtPtr ctxt, xmlNodePtr cur)
{
	(void)ctxt;
	xmlFreeNodeList(cur);
}
#endif

/* drop(px, n): free ${n} and the nodes before it (text, comments, nodes
 * already read), so that its parent is left with no children. */
static void
drop(struct px *px, xmlNodePtr n)
{
	xmlNodePtr parent = n->parent, first, p;

	if (px->ctxt != NULL && parent != NULL && parent->children != NULL) {
		/* unlinked as one list: the parent's children up to ${n} */
		first = parent->children;
		parent->children = n->next;
		if (n->next != NULL)
			n->next->prev = NULL;
		else
			parent->last = NULL;
		n->next = NULL;
		recycle_list(px->ctxt, first);
	} else {
		while ((p = n->prev) != NULL) {
			xmlUnlinkNode(p);
			xmlFreeNode(p);
		}
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	if (px->ns_dirty) {
		/* el()'s cache may name namespaces that were just freed */
		memset(px->ns_ptr, 0, sizeof(px->ns_ptr));
		px->ns_dirty = 0;
	}
}

static const char *rss_format(struct px *px, xmlNodePtr root);
static const char *rdf_format(struct px *px, xmlNodePtr root);

/* root_start(px, root): the format, from the root element. */
static void
root_start(struct px *px, xmlNodePtr root)
{
	struct feed_doc *d = px->doc;
	const char *local, *v;
	enum ns id = el(px, root, &local);
	char *s;

	if (strcmp(local, "rss") == 0 && (id == NS_NONE || id == NS_RSS)) {
		px->kind = K_RSS;
		d->format = rss_format(px, root);
	} else if (strcmp(local, "RDF") == 0) {
		px->kind = K_RDF;
		d->format = rdf_format(px, root);
	} else if (strcmp(local, "feed") == 0 && id != NS_XHTML) {
		px->kind = K_ATOM;
		if (id == NS_ATOM03)
			d->format = "atom03";
		else if (id == NS_ATOM10)
			d->format = "atom10";
		else {
			v = attr(px, root, "version");
			d->format = v && strncmp(v, "0.3", 3) == 0 ? "atom03" : "atom10";
		}
		if ((s = (char *)xmlNodeGetLang(root)) != NULL) {
			set_str(px, &d->feed.language, nf_strdup(s));
			xmlFree(s);
		}
	} else if (strcmp(local, "entry") == 0 && (id == NS_ATOM10 || id == NS_ATOM03)) {
		px->kind = K_ATOM;
		d->format = id == NS_ATOM03 ? "atom03" : "atom10";
		px->root_entry = 1;
		return;
	} else
		return;
	cont_push(px, root);
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
         const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
         int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct px *px = ctxt->_private;
	xmlNodePtr before = ctxt->node, n, parent;

	/* during the call, nameNr counts the ancestors */
	if (px->skip_depth > 0 || (size_t)ctxt->nameNr >= px->max_depth) {
		px->skip_depth++;
		px->too_deep = 1;
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
	    nb_attributes, nb_defaulted, attributes);
	if ((n = ctxt->node) == NULL || n == before || px->stop)
		return;
	px->x = ctxt->myDoc;
	if ((parent = n->parent) == NULL || parent->type != XML_ELEMENT_NODE) {
		root_start(px, n);
		return;
	}
	if (nb_namespaces > 0)
		px->ns_dirty = 1;
	if (parent->_private == NULL)
		return;
	/* a child of a container */
	if (is_entry(px, n))
		px->entry = n;
	if (px->kind == K_RDF && n->ns != NULL && n->ns->href != NULL &&
	    strstr((const char *)n->ns->href, "netscape.com/rdf/simple/0.9"))
		px->doc->format = "rss090";
	if (is_channel(px, n))
		cont_push(px, n);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct px *px = ctxt->_private;
	xmlNodePtr n = ctxt->node, parent;

	if (px->skip_depth > 0) {
		px->skip_depth--;
		return;
	}
	if (n == px->entry)
		px->entry = NULL;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	if (n == NULL || n->type != XML_ELEMENT_NODE || px->stop || px->nomem)
		return;
	parent = n->parent;
	if (parent == NULL || parent->type != XML_ELEMENT_NODE) {
		/* the root */
		if (n->_private != NULL)
			cont_done(px, n);
		else if (px->root_entry) {
			px->root_entry = 0;
			read_entry(px, n);
		}
		return;
	}
	if (n->_private != NULL) {
		cont_done(px, n);
		drop(px, n);
	} else if (parent->_private != NULL) {
		feed_child(px, &((struct cont *)parent->_private)->x, n);
		drop(px, n);
	} else if (px->doc->format == NULL && parent->parent != NULL &&
	    parent->parent->type != XML_ELEMENT_NODE) {
		drop(px, n); /* not a feed: keep no more than the root */
	}
}

/*
 * on_chars(ctx, ch, len): character data.  The push parser hands CDATA
 * sections on as they are in the input, where the pull parser normalises
 * line ends (XML 1.0, 2.11): CR LF and lone CR become LF here.
 */
static void
on_chars(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct px *px = ctxt->_private;
	const xmlChar *cr;

	if (px->skip_depth > 0)
		return;
	if (ctxt->node != NULL && (ctxt->node == px->entry || ctxt->node->_private != NULL)) {
		/* text of a container, or of an entry (read from its children):
		 * never read, so not kept; a CDATA piece's last CR still is */
		px->cdata_cr = ctxt->instate == XML_PARSER_CDATA_SECTION && len > 0 &&
		    ch[len - 1] == '\r';
		return;
	}
	if (ctxt->instate != XML_PARSER_CDATA_SECTION) {
		px->cdata_cr = 0;
		xmlSAX2Characters(ctx, ch, len);
		return;
	}
	if (px->cdata_cr && len > 0 && ch[0] == '\n') {
		ch++;
		len--;
	}
	px->cdata_cr = 0;
	while (len > 0 && (cr = memchr(ch, '\r', len)) != NULL) {
		if (cr > ch)
			xmlSAX2Characters(ctx, ch, (int)(cr - ch));
		xmlSAX2Characters(ctx, (const xmlChar *)"\n", 1);
		len -= (int)(cr - ch) + 1;
		ch = cr + 1;
		if (len > 0 && *ch == '\n') {
			ch++;
			len--;
		} else if (len == 0)
			px->cdata_cr = 1; /* its LF may come in the next piece */
	}
	if (len > 0)
		xmlSAX2Characters(ctx, ch, len);
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct px *px = ctxt->_private;

	if (px->skip_depth == 0)
		xmlSAX2Reference(ctx, name);
}

/* finish(px, n): read what is left of open container ${n} at the end. */
static void
finish(struct px *px, xmlNodePtr n)
{
	struct cont *ct = n->_private;
	xmlNodePtr c;

	for (c = n->children; c != NULL && !px->nomem && !px->stop; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->_private != NULL)
			finish(px, c);
		else
			feed_child(px, &ct->x, c);
	}
	cont_done(px, n);
}

/* ---- pre-scan: entities libxml2 would drop ---------------------------- */

/*
 * The pre-scan runs ahead of the parser, one piece at a time: a piece is a
 * slice of the input when nothing in it needed rewriting, else a copy in
 * ${out}; so a rewritten document is never copied whole.
 */
struct scan {
	char names[64][33]; /* entity names declared in the internal subset */
	int nnames;
	int ext_dtd;        /* the DOCTYPE names an external DTD */
	int changed;        /* something was rewritten */
	size_t first;       /* offset of the first rewrite */
	char what[80];      /* what the first rewrite was */
	const char *p, *s, *e, *copied; /* input, scan position, end, copied up to */
	const char *amp;    /* the next '&' at or after s, or e */
	const char *bang, *ques; /* the next '!' and '?' looked at, or e */
	struct buf out;     /* the piece, when rewritten */
};

static int
name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* doctype(p, e, sc): skip a DOCTYPE at ${p}, noting declared entities and
 * an external id; returns the position after it. */
static const char *
doctype(const char *p, const char *e, struct scan *sc)
{
	const char *q, *n;
	char quote;

	for (p += 9; p < e && *p != '[' && *p != '>'; p++) {
		if (*p == 'P' || *p == 'S') {
			if ((e - p >= 6 && memcmp(p, "PUBLIC", 6) == 0) ||
			    (e - p >= 6 && memcmp(p, "SYSTEM", 6) == 0))
				sc->ext_dtd = 1;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
			if ((q = memchr(p + 1, quote, e - p - 1)) == NULL)
				return e;
			p = q;
		}
	}
	if (p < e && *p == '[') {
		for (p++; p < e && *p != ']'; p++) {
			if (*p == '"' || *p == '\'') {
				quote = *p;
				if ((q = memchr(p + 1, quote, e - p - 1)) == NULL)
					return e;
				p = q;
			} else if (e - p >= 4 && memcmp(p, "<!--", 4) == 0) {
				if ((q = memmem(p + 4, e - p - 4, "-->", 3)) == NULL)
					return e;
				p = q + 2;
			} else if (e - p >= 8 && memcmp(p, "<!ENTITY", 8) == 0) {
				for (p += 8; p < e && (is_ws((unsigned char)*p) || *p == '%'); p++)
					;
				for (n = p; p < e && name_char((unsigned char)*p); p++)
					;
				if (p - n <= 32 && p > n && sc->nnames < 64) {
					memcpy(sc->names[sc->nnames], n, p - n);
					sc->names[sc->nnames++][p - n] = '\0';
				}
				p--;
			}
		}
	}
	while (p < e && *p != '>')
		p++;
	return p < e ? p + 1 : e;
}

/* find(p, e, pat, n): memmem() of the ${n} bytes ${pat} in [${p}, ${e}),
 * by memchr() of its first byte: quicker when that byte is rare. */
static const char *
find(const char *p, const char *e, const char *pat, size_t n)
{
	for (; e - p >= (ptrdiff_t)n && (p = memchr(p, pat[0], e - p - n + 1)) != NULL; p++)
		if (memcmp(p, pat, n) == 0)
			return p;
	return NULL;
}

static int
declared(const struct scan *sc, const char *name)
{
	int i;

	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0)
		return 1;
	for (i = 0; i < sc->nnames; i++)
		if (strcmp(sc->names[i], name) == 0)
			return 1;
	return 0;
}

#define PIECE (64u << 10) /* bytes handed to the parser at a time */

/*
 * next_markup(sc, s): the first "<!" or "<?" at or after ${s} and before
 * sc->amp, else sc->amp: what the scan must look at, a plain tag needing
 * nothing.  Found from the '!' and '?' (rarer than '<') by memchr().
 */
static const char *
next_markup(struct scan *sc, const char *s)
{
	const char *e = sc->e, *c, *q;

	for (;;) {
		if (sc->bang == NULL || sc->bang < s)
			sc->bang = (q = memchr(s, '!', e - s)) != NULL ? q : e;
		if (sc->ques == NULL || sc->ques < s)
			sc->ques = (q = memchr(s, '?', e - s)) != NULL ? q : e;
		c = sc->bang < sc->ques ? sc->bang : sc->ques;
		if (c >= sc->amp)
			return sc->amp;
		if (c > s && c[-1] == '<')
			return c - 1;
		s = c + 1;
	}
}

static void
scan_init(struct scan *sc, const char *p, size_t len)
{
	memset(sc, 0, sizeof(*sc));
	sc->p = sc->s = sc->copied = p;
	sc->e = p + len;
	buf_init(&sc->out, 0);
}

/* rewrite(sc, q, rep, resume): the input up to ${q}, then ${rep} instead
 * of what is between ${q} and ${resume}; -1 when out of memory. */
static int
rewrite(struct scan *sc, const char *q, const char *rep, const char *resume)
{
	if (buf_append(&sc->out, sc->copied, q - sc->copied) || buf_puts(&sc->out, rep))
		return -1;
	sc->changed = 1;
	sc->copied = resume;
	return 0;
}

/*
 * prescan_next(sc, piece, n): the next piece of the input for the parser,
 * with undeclared HTML entities turned into character references and bare
 * '&' escaped.  Returns 1 with a piece (valid until the next call), 0 at the
 * end, -1 when out of memory.  ${sc}->first and what say where the first
 * rewrite was, once ${sc}->changed is set.
 */
static int
prescan_next(struct scan *sc, const char **piece, size_t *n)
{
	const char *s = sc->s, *e = sc->e, *q, *nm, *end, *lim;
	const htmlEntityDesc *ent;
	char name[40], rep[16];

	buf_reset(&sc->out);
	while (s < e && (size_t)(s - sc->copied) < PIECE && sc->out.len < PIECE) {
		/* the next '&', and the next "<!" or "<?" before it */
		if (sc->amp == NULL || sc->amp < s)
			sc->amp = (nm = memchr(s, '&', e - s)) != NULL ? nm : e;
		q = next_markup(sc, s);
		/* the piece ends after the first tag from its PIECE-th byte on,
		 * as it would if the scan stopped at every tag */
		if ((size_t)(q - sc->copied) >= PIECE) {
			lim = sc->copied + PIECE - 1;
			if ((nm = memchr(lim, '<', q - lim)) != NULL) {
				s = nm + 1;
				break;
			}
		}
		if (q >= e) {
			s = e;
			break;
		}
		if (*q == '<') {
			s = q + 1;
			if (s < e && *s != '!' && *s != '?')
				continue; /* a tag: nothing to see */
			if (e - q >= 4 && memcmp(q, "<!--", 4) == 0)
				end = memmem(q + 4, e - q - 4, "-->", 3), s = end ? end + 3 : e;
			else if (e - q >= 9 && memcmp(q, "<![CDATA[", 9) == 0)
				end = find(q + 9, e, "]]>", 3), s = end ? end + 3 : e;
			else if (e - q >= 2 && q[1] == '?')
				end = memmem(q + 2, e - q - 2, "?>", 2), s = end ? end + 2 : e;
			else if (e - q >= 9 && nf_strncasecmp_ascii(q, "<!DOCTYPE", 9) == 0)
				s = doctype(q, e, sc);
			continue;
		}
		/* q at '&' */
		s = q + 1;
		if (s < e && *s == '#') {
			nm = s + 1;
			if (nm < e && (*nm == 'x' || *nm == 'X'))
				for (nm++; nm < e && ((*nm >= '0' && *nm <= '9') ||
				    (lc(*nm) >= 'a' && lc(*nm) <= 'f')); nm++)
					;
			else
				for (; nm < e && *nm >= '0' && *nm <= '9'; nm++)
					;
			if (nm < e && *nm == ';' && nm > s + 1 && nm[-1] != 'x' && nm[-1] != 'X')
				continue; /* a character reference */
		} else {
			for (nm = s; nm < e && nm - s < 33 && name_char((unsigned char)*nm); nm++)
				;
			if (nm > s && nm < e && *nm == ';' && name_start((unsigned char)*s)) {
				memcpy(name, s, nm - s);
				name[nm - s] = '\0';
				if (declared(sc, name))
					continue;
				ent = htmlEntityLookup((const xmlChar *)name);
				if (ent == NULL && sc->ext_dtd)
					continue; /* may be declared in the external DTD */
				if (ent != NULL) {
					snprintf(rep, sizeof(rep), "&#%u;", ent->value);
					if (!sc->changed) {
						sc->first = q - sc->p;
						snprintf(sc->what, sizeof(sc->what),
						    "undefined entity &%s;", name);
					}
					if (rewrite(sc, q, rep, nm + 1))
						return -1;
					s = nm + 1;
					continue;
				}
			}
		}
		/* a bare '&' */
		if (!sc->changed) {
			sc->first = q - sc->p;
			snprintf(sc->what, sizeof(sc->what), "bare '&' not escaped");
		}
		if (rewrite(sc, q, "&amp;", s))
			return -1;
	}
	sc->s = s;
	if (sc->out.len == 0) {
		*piece = sc->copied;
		*n = s - sc->copied;
	} else {
		if (buf_append(&sc->out, sc->copied, s - sc->copied))
			return -1;
		*piece = sc->out.data;
		*n = sc->out.len;
	}
	sc->copied = s;
	return *n > 0;
}

static int
line_of(const char *p, size_t off)
{
	const char *q, *e = p + off;
	int line = 1;

	for (q = p; (q = memchr(q, '\n', e - q)) != NULL; q++)
		line++;
	return line;
}

/* ---- libxml2 ------------------------------------------------------------ */

static void
on_xml_error(void *data, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = data;
	struct px *px = ctxt ? ctxt->_private : NULL;
	char msg[400];
	size_t n;

	if (px == NULL || err == NULL || err->level < XML_ERR_ERROR)
		return;
	px->doc->wellformed = 0;
	if (err->code == XML_ERR_DOCUMENT_END && ctxt->nameNr > 0 && ctxt->node != NULL &&
	    ctxt->node->type == XML_ELEMENT_NODE)
		/* the push parser's words for an element left open */
		snprintf(msg, sizeof(msg), "Premature end of data in tag %s line %ld",
		    (const char *)ctxt->node->name, xmlGetLineNo(ctxt->node));
	else
		snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "XML error");
	n = strlen(msg);
	while (n > 0 && is_ws((unsigned char)msg[n - 1]))
		msg[--n] = '\0';
	if (err->code == XML_ERR_ENTITY_LOOP && !px->ent_loop) {
		/* billion laughs and its kin: the document is rejected (see
		 * reject_entities()); the line is the reference's, in the
		 * document, not the one inside the entity */
		px->ent_loop = 1;
		if (!px->ent_cut) {
			snprintf(px->ent_why, sizeof(px->ent_why), "%s", msg);
			px->ent_line = px->ctxt != NULL && px->ctxt->input != NULL ?
			    px->ctxt->input->line : err->line;
		}
	}
	set_error(px, err->line > 0 ? err->line : 1, "%s", msg);
}

/* charset_of(ct, out, n): the charset parameter of a Content-Type. */
static int
charset_of(const char *ct, char *out, size_t n)
{
	const char *p, *e;

	if (ct == NULL)
		return -1;
	for (p = ct; *p; p++)
		if (nf_strncasecmp_ascii(p, "charset=", 8) == 0)
			break;
	if (*p == '\0')
		return -1;
	p += 8;
	if (*p == '"' || *p == '\'')
		p++;
	for (e = p; *e && *e != ';' && *e != '"' && *e != '\'' && !is_ws((unsigned char)*e); e++)
		;
	if (e == p || (size_t)(e - p) >= n)
		return -1;
	memcpy(out, p, e - p);
	out[e - p] = '\0';
	return 0;
}

/* decl_encoding(p, e, out, n): the encoding named by an XML declaration
 * at ${p} (ASCII bytes); 0, or -1 when none. */
static int
decl_encoding(const char *p, const char *e, char *out, size_t n)
{
	const char *end, *v, *q;
	char quote;

	if (e - p < 5 || memcmp(p, "<?xml", 5) != 0)
		return -1;
	if ((end = memmem(p, (size_t)(e - p) < 1024 ? (size_t)(e - p) : 1024, "?>", 2)) == NULL)
		return -1;
	if ((v = memmem(p, end - p, "encoding", 8)) == NULL)
		return -1;
	for (v += 8; v < end && is_ws((unsigned char)*v); v++)
		;
	if (v >= end || *v++ != '=')
		return -1;
	while (v < end && is_ws((unsigned char)*v))
		v++;
	if (v >= end || (*v != '"' && *v != '\''))
		return -1;
	quote = *v++;
	if ((q = memchr(v, quote, end - v)) == NULL || q == v || (size_t)(q - v) >= n)
		return -1;
	memcpy(out, v, q - v);
	out[q - v] = '\0';
	return 0;
}

/* unit_of(name): bytes per code unit of an encoding: 4, 2 or 1. */
static int
unit_of(const char *name)
{
	if (nf_strncasecmp_ascii(name, "utf-32", 6) == 0 ||
	    nf_strncasecmp_ascii(name, "utf32", 5) == 0 ||
	    nf_strncasecmp_ascii(name, "ucs-4", 5) == 0 || nf_strcasecmp_ascii(name, "ucs4") == 0)
		return 4;
	if (nf_strncasecmp_ascii(name, "utf-16", 6) == 0 ||
	    nf_strncasecmp_ascii(name, "utf16", 5) == 0 ||
	    nf_strncasecmp_ascii(name, "ucs-2", 5) == 0 || nf_strcasecmp_ascii(name, "ucs2") == 0 ||
	    nf_strcasecmp_ascii(name, "unicode") == 0)
		return 2;
	return 1;
}

/* is_utf8(name): an encoding read as UTF-8 without conversion (US-ASCII
 * is a subset: its stray 8-bit bytes are repaired like bad UTF-8). */
static int
is_utf8(const char *name)
{
	return nf_strcasecmp_ascii(name, "utf-8") == 0 || nf_strcasecmp_ascii(name, "utf8") == 0 ||
	    nf_strcasecmp_ascii(name, "us-ascii") == 0 || nf_strcasecmp_ascii(name, "ascii") == 0;
}

static int
known_encoding(const char *name)
{
	iconv_t cd;

	if (is_utf8(name))
		return 1;
	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

/* xml_media(ct): ${ct} names an XML media type (text/xml, application/xml,
 * anything +xml), whose charset RFC 7303 makes authoritative. */
static int
xml_media(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return (n >= 4 && nf_strncasecmp_ascii(ct + n - 4, "/xml", 4) == 0) ||
	    (n >= 4 && nf_strncasecmp_ascii(ct + n - 4, "+xml", 4) == 0);
}

/*
 * pick_encoding(p, len, ct, name, n, skip): the encoding of the document,
 * in the order of RFC 7303 3.2: a byte order mark, the charset parameter of
 * the HTTP Content-Type ${ct}, then the XML declaration, else UTF-8.  A
 * UTF-16/32 document without BOM is told by its zero bytes; a charset or a
 * declaration whose code unit does not match the bytes is not believed.
 * The charset of a type that is not XML (a feed served as text/html) comes
 * after the declaration.
 * ${skip} is the length of the BOM.  Returns how the name was chosen:
 * 'b'om, 'h'ttp, 'd'eclaration, 'z'ero bytes or 'u' (the default).
 */
static int
pick_encoding(const char *p, size_t len, const char *ct, char *name, size_t n, size_t *skip)
{
	const unsigned char *u = (const unsigned char *)p;
	char label[64];
	const char *zero = NULL;
	int unit = 1;

	*skip = 0;
	if (len >= 4 && memcmp(u, "\x00\x00\xFE\xFF", 4) == 0)
		*skip = 4, zero = "utf-32be";
	else if (len >= 4 && memcmp(u, "\xFF\xFE\x00\x00", 4) == 0)
		*skip = 4, zero = "utf-32le";
	else if (len >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0)
		*skip = 3, zero = "utf-8";
	else if (len >= 2 && memcmp(u, "\xFE\xFF", 2) == 0)
		*skip = 2, zero = "utf-16be";
	else if (len >= 2 && memcmp(u, "\xFF\xFE", 2) == 0)
		*skip = 2, zero = "utf-16le";
	if (zero != NULL) {
		snprintf(name, n, "%s", zero);
		return 'b';
	}
	if (len >= 4 && u[0] == 0 && u[1] == 0)
		zero = "utf-32be", unit = 4;
	else if (len >= 4 && u[1] == 0 && u[2] == 0 && u[3] == 0)
		zero = "utf-32le", unit = 4;
	else if (len >= 2 && u[0] == 0)
		zero = "utf-16be", unit = 2;
	else if (len >= 2 && u[1] == 0)
		zero = "utf-16le", unit = 2;
	if (ct != NULL && !xml_media(ct) && zero == NULL &&
	    decl_encoding(p, p + len, label, sizeof(label)) == 0 && unit_of(label) == 1) {
		snprintf(name, n, "%s", label);
		return 'd';
	}
	if (charset_of(ct, label, sizeof(label)) == 0 && unit_of(label) == unit &&
	    known_encoding(label)) {
		/* "utf-16" without a BOM: the byte order the bytes show */
		if (zero != NULL && (nf_strcasecmp_ascii(label, "utf-16") == 0 ||
		    nf_strcasecmp_ascii(label, "utf-32") == 0))
			snprintf(name, n, "%s", zero);
		else
			snprintf(name, n, "%s", label);
		return 'h';
	}
	if (zero != NULL) {
		snprintf(name, n, "%s", zero);
		return 'z';
	}
	if (decl_encoding(p, p + len, label, sizeof(label)) == 0 && unit_of(label) == 1) {
		snprintf(name, n, "%s", label);
		return 'd';
	}
	snprintf(name, n, "utf-8");
	return 'u';
}

/* utf8_len(s, n): the length of the valid UTF-8 sequence at ${s} (NUL
 * allowed), 0 when the byte starts none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t c = s[0];
	size_t need, k;

	if (c < 0x80)
		return 1;
	need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 :
	    c >= 0xF0 && c <= 0xF4 ? 3 : 0;
	if (need == 0 || need >= n)
		return 0;
	c &= 0x3F >> need;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3F);
	}
	if ((need == 2 && c < 0x800) || (need == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return need + 1;
}

/* utf8_bad(s, n): the offset of the first byte of ${s} that is not part of
 * valid UTF-8, or ${n}. */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint64_t w;

	while (i < n) {
#ifdef __SSE2__
		/* ASCII, 32 bytes at a time */
		while (n - i >= 32 && _mm_movemask_epi8(_mm_or_si128(
		    _mm_loadu_si128((const __m128i *)(const void *)(s + i)),
		    _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16)))) == 0)
			i += 32;
		if (i == n)
			break;
#endif
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len(s + i, n - i)) == 0)
			return i;
		i += k;
	}
	return n;
}

/* utf8_repair(s, n, bad, out): ${s} into ${out} with each byte that is not
 * valid UTF-8 (from offset ${bad} on) replaced by U+FFFD; -1 when out of
 * memory. */
static int
utf8_repair(const char *s, size_t n, size_t bad, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = bad, run = 0, k;

	buf_reset(out);
	while (i < n) {
		if ((k = utf8_len(u + i, n - i)) != 0) {
			i += k;
			continue;
		}
		if (buf_append(out, s + run, i - run) || buf_append(out, "\xEF\xBF\xBD", 3))
			return -1;
		run = ++i;
		i += utf8_bad(u + i, n - i);
	}
	return buf_append(out, s + run, n - run);
}

/* nul_repair(s, n, first, out): ${s} into ${out} with each NUL byte (the
 * first at offset ${first}) replaced by U+FFFD; -1 when out of memory.
 * libxml2 takes a NUL for the end of its input and drops the rest. */
static int
nul_repair(const char *s, size_t n, size_t first, struct buf *out)
{
	const char *p = s + first, *e = s + n, *z;

	buf_reset(out);
	if (buf_append(out, s, first))
		return -1;
	for (; (z = memchr(p, '\0', e - p)) != NULL; p = z + 1)
		if (buf_append(out, p, z - p) || buf_append(out, "\xEF\xBF\xBD", 3))
			return -1;
	return buf_append(out, p, e - p);
}

/*
 * to_utf8(px, p, len, name, out): ${len} bytes in encoding ${name} as
 * UTF-8 in ${out}, through iconv; a byte that cannot be decoded becomes
 * U+FFFD and makes the document not well-formed.  0, -1 when iconv does not
 * know ${name}, -2 when out of memory.
 */
static int
to_utf8(struct px *px, const char *p, size_t len, const char *name, struct buf *out)
{
	char tmp[16384], *in = (char *)p, *o;
	size_t inleft = len, oleft, unit = (size_t)unit_of(name), bad = 0;
	unsigned char first = 0;
	iconv_t cd;
	int line = 1;

	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		o = tmp;
		oleft = sizeof(tmp);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
			/* EILSEQ, or EINVAL: a sequence cut by the end */
			if (buf_append(out, tmp, o - tmp) || buf_append(out, "\xEF\xBF\xBD", 3))
				goto nomem;
			if (bad++ == 0) {
				first = (unsigned char)*in;
				line = out->len ? line_of(out->data, out->len) : 1;
			}
			unit = unit < inleft ? unit : inleft;
			in += unit;
			inleft -= unit;
			unit = (size_t)unit_of(name);
			iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		if (buf_append(out, tmp, o - tmp))
			goto nomem;
	}
	iconv_close(cd);
	if (bad > 0) {
		px->doc->wellformed = 0;
		set_error(px, line, "byte 0x%02X is not %s: %zu bytes replaced by U+FFFD",
		    first, name, bad);
	}
	return 0;
nomem:
	iconv_close(cd);
	return -2;
}

static void
lower_str(char *s)
{
	for (; s && *s; s++)
		*s = (char)lc((unsigned char)*s);
}

static const char *
rss_format(struct px *px, xmlNodePtr root)
{
	const char *v = attr(px, root, "version");
	xmlDtdPtr dtd;

	if (v == NULL || v[0] == '2' || v[0] == '\0')
		return "rss20";
	if (strncmp(v, "0.91", 4) == 0) {
		dtd = px->x->intSubset;
		if (dtd != NULL && ((dtd->ExternalID && strstr((const char *)dtd->ExternalID, "Netscape")) ||
		    (dtd->SystemID && strstr((const char *)dtd->SystemID, "netscape"))))
			return "rss091n";
		return "rss091u";
	}
	if (strncmp(v, "0.92", 4) == 0)
		return "rss092";
	if (strncmp(v, "0.93", 4) == 0)
		return "rss093";
	if (strncmp(v, "0.94", 4) == 0)
		return "rss094";
	if (strncmp(v, "0.9", 3) == 0)
		return "rss090";
	return "rss20";
}

/* rdf_format(px, root): rss090 or rss10 by the namespace the channel or
 * items use. */
static const char *
rdf_format(struct px *px, xmlNodePtr root)
{
	xmlNodePtr c;
	xmlNsPtr ns;

	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
		    strstr((const char *)c->ns->href, "netscape.com/rdf/simple/0.9"))
			return "rss090";
	for (ns = root->nsDef; ns != NULL; ns = ns->next)
		if (ns->prefix == NULL && ns->href &&
		    strstr((const char *)ns->href, "netscape.com/rdf/simple/0.9"))
			return "rss090";
	return "rss10";
}

#define XML_OPTIONS (XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | \
	XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

static void
parse_xml(struct px *px, const char *data, size_t len, const struct feed_parse_opts *opts,
          const char *base)
{
	struct feed_doc *d = px->doc;
	const char *p, *e, *piece;
	char enc[64];
	xmlParserCtxtPtr ctxt = NULL;
	struct buf conv, fix, zfix;
	struct scan sc;
	xmlNodePtr root;
	size_t n, k, bad, skip;
	const char *z;
	int r, check = 1;

	buf_init(&conv, 0);
	buf_init(&fix, 0);
	buf_init(&zfix, 0);
	scan_init(&sc, data, 0);
	pick_encoding(data, len, opts ? opts->content_type : NULL, enc, sizeof(enc), &skip);
	lower_str(enc);
	if (!is_utf8(enc)) {
		if ((r = to_utf8(px, data + skip, len - skip, enc, &conv)) == -2) {
			px->nomem = 1;
			goto out;
		}
		if (r == 0) {
			data = conv.data ? conv.data : "";
			len = conv.len;
			skip = 0;
			check = 0; /* iconv wrote valid UTF-8 */
		} else {
			d->wellformed = 0;
			set_error(px, 1, "unsupported encoding \"%s\": read as UTF-8", enc);
			snprintf(enc, sizeof(enc), "utf-8");
		}
	}
	if ((d->encoding = nf_strdup(enc)) == NULL) {
		px->nomem = 1;
		goto out;
	}
	p = data + skip;
	e = data + len;
	{
		/* tolerate white space and junk before the first tag */
		const char *lt = memchr(p, '<', e - p);
		const char *q;

		if (lt == NULL)
			lt = e;
		for (q = p; q < lt && is_ws((unsigned char)*q); q++)
			;
		if (q < lt) {
			d->wellformed = 0;
			set_error(px, line_of(data, q - data), "junk before the first element");
		}
		p = lt;
		if (p == e) {
			free(d->error);
			d->error = NULL;
			set_error(px, 0, "not a feed: no XML element");
			goto out;
		}
	}
	scan_init(&sc, p, e - p);
	/* the base is set here rather than passed: libxml2 2.9 leaks its input
	 * when it runs out of memory copying a file name */
	if ((ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)) == NULL ||
	    ctxt->input == NULL) {
		px->nomem = 1;
		goto out;
	}
	if (base != NULL &&
	    (ctxt->input->filename = (char *)xmlStrdup((const xmlChar *)base)) == NULL) {
		px->nomem = 1;
		goto out;
	}
	/* the bytes are UTF-8 now, whatever the declaration says */
	xmlCtxtUseOptions(ctxt, XML_OPTIONS | XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	ctxt->_private = px;
	ctxt->sax->serror = on_xml_error;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	ctxt->sax->characters = on_chars;
	ctxt->sax->ignorableWhitespace = on_chars;
	ctxt->sax->reference = on_reference;
	px->ctxt = ctxt;
	while (!px->stop && !px->nomem) {
		const char *from = sc.s;

		if ((r = prescan_next(&sc, &piece, &n)) == 0)
			break;
		if (r < 0) {
			px->nomem = 1;
			break;
		}
		if (sc.changed && sc.what[0] != '\0') {
			/* the first rewrite: an error of the document */
			if (!sc.ext_dtd || strncmp(sc.what, "bare", 4) == 0)
				d->wellformed = 0;
			set_error(px, line_of(data, (p - data) + sc.first), "%s", sc.what);
			sc.what[0] = '\0';
		}
		if (check && (bad = utf8_bad((const unsigned char *)piece, n)) < n) {
			if (d->wellformed || px->bad_utf8 == 0) {
				d->wellformed = 0;
				set_error(px, line_of(data, from - data) + line_of(piece, bad) - 1,
				    "byte 0x%02X is not UTF-8: replaced by U+FFFD",
				    (unsigned char)piece[bad]);
			}
			px->bad_utf8 = 1;
			if (utf8_repair(piece, n, bad, &fix)) {
				px->nomem = 1;
				break;
			}
			piece = fix.data;
			n = fix.len;
		}
		/* a NUL byte, even in a converted document (UTF-16 U+0000) */
		if (n > 0 && (z = memchr(piece, '\0', n)) != NULL) {
			if (!px->nul) {
				d->wellformed = 0;
				set_error(px, line_of(data, from - data) + line_of(piece, z - piece) - 1,
				    "byte 0x00 is not allowed in XML: replaced by U+FFFD");
			}
			px->nul = 1;
			if (nul_repair(piece, n, z - piece, &zfix)) {
				px->nomem = 1;
				break;
			}
			piece = zfix.data;
			n = zfix.len;
		}
		while (n > 0 && !px->stop) {
			k = n > INT_MAX ? INT_MAX : n;
			xmlParseChunk(ctxt, piece, (int)k, 0);
			piece += k;
			n -= k;
		}
		if (ctxt->instate == XML_PARSER_EOF)
			break;
	}
	if (!px->stop && !px->nomem)
		xmlParseChunk(ctxt, NULL, 0, 1);
	px->x = ctxt->myDoc;
	if (px->x == NULL || (root = xmlDocGetRootElement(px->x)) == NULL) {
		d->wellformed = 0;
		if (d->error != NULL && strncmp(d->error, "not a feed", 10) != 0) {
			char *m = nf_strdup(d->error);

			free(d->error);
			d->error = NULL;
			set_error(px, 0, "not a feed: %s", m ? m : "no root element");
			free(m);
		} else
			set_error(px, 0, "not a feed: no root element");
		goto out;
	}
	/* what is still open at the end of the input */
	if (root->_private != NULL)
		finish(px, root);
	else if (px->root_entry) {
		px->root_entry = 0;
		read_entry(px, root);
	}
	if (d->format == NULL) {
		char name[40];
		const char *local;

		el(px, root, &local);
		snprintf(name, sizeof(name), "%s", local);
		lower_str(name);
		free(d->error);
		d->error = NULL;
		set_error(px, 0, "not a feed: root element <%s>", name);
	} else {
		const char *l = pick_link(d->feed.links, d->feed.nlinks);

		if (l != NULL && (d->feed.link = nf_strdup(l)) == NULL)
			px->nomem = 1;
	}
out:
	/* containers a broken document never closed: their fallbacks unused */
	while (px->ncont > 0) {
		struct ectx *x = &px->cont[--px->ncont].x;

		free(x->alt_summary);
		free(x->alt_title);
		free(x->webmaster);
		memset(x, 0, sizeof(*x));
	}
	if (ctxt != NULL) {
		if (ctxt->myDoc != NULL && ctxt->myDoc != px->x)
			xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	px->ctxt = NULL;
	buf_release(&sc.out);
	buf_release(&fix);
	buf_release(&zfix);
	buf_release(&conv);
}

/* ---- JSON Feed ---------------------------------------------------------- */

/* jstr(px, o, key): a string member, trimmed and capped; a new string. */
static char *
jstr(struct px *px, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char num[32];

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		tb_add(px, num, strlen(num));
		return take(px);
	}
	if (!json_is_string(v))
		return NULL;
	tb_add(px, json_string_value(v), json_string_length(v));
	return take(px);
}

static char *
jurl(struct px *px, json_t *o, const char *key, const char *base)
{
	char *s = jstr(px, o, key), *r;
	xmlChar *u;

	if (s == NULL || base == NULL || has_scheme(s))
		return s;
	if ((u = xmlBuildURI((const xmlChar *)s, (const xmlChar *)base)) == NULL)
		return s;
	r = nf_strdup((const char *)u);
	xmlFree(u);
	if (r == NULL) {
		px->nomem = 1;
		return s;
	}
	free(s);
	return r;
}

static void
json_authors(struct px *px, json_t *o, struct feed_person **arr, size_t *n, const char *base)
{
	struct feed_person p;
	json_t *a, *v;
	size_t i;

	if ((a = json_object_get(o, "authors")) != NULL && json_is_array(a)) {
		json_array_foreach(a, i, v) {
			if (!json_is_object(v))
				continue;
			memset(&p, 0, sizeof(p));
			p.name = jstr(px, v, "name");
			p.uri = jurl(px, v, "url", base);
			add_person(px, arr, n, &p);
		}
	}
	/* JSON Feed 1.1: "authors" supersedes the deprecated "author" */
	if (*n == 0 && (v = json_object_get(o, "author")) != NULL && json_is_object(v)) {
		memset(&p, 0, sizeof(p));
		p.name = jstr(px, v, "name");
		p.uri = jurl(px, v, "url", base);
		add_person(px, arr, n, &p);
	}
}

/* inherit_authors(px, f, e): an entry without authors gets the feed's
 * (JSON Feed 1.1). */
static void
inherit_authors(struct px *px, const struct feed_info *f, struct feed_entry *e)
{
	struct feed_person p;
	size_t j;

	if (e->nauthors > 0)
		return;
	for (j = 0; j < f->nauthors && !px->nomem; j++) {
		p.name = f->authors[j].name ? nf_strdup(f->authors[j].name) : NULL;
		p.email = f->authors[j].email ? nf_strdup(f->authors[j].email) : NULL;
		p.uri = f->authors[j].uri ? nf_strdup(f->authors[j].uri) : NULL;
		if ((f->authors[j].name && !p.name) || (f->authors[j].email && !p.email) ||
		    (f->authors[j].uri && !p.uri)) {
			person_release(&p);
			px->nomem = 1;
			return;
		}
		add_person(px, &e->authors, &e->nauthors, &p);
	}
}

static void
json_item(struct px *px, json_t *it, const char *base)
{
	struct feed_entry ent, *e = &ent;
	json_t *a, *v;
	size_t i;
	char *s;

	if (!json_is_object(it))
		return;
	if (px->count >= px->max_entries) {
		px->too_many = 1;
		return;
	}
	px->count++;
	memset(e, 0, sizeof(*e));
	e->published = e->updated = NF_TIME_NONE;
	e->id = jstr(px, it, "id");
	e->title = jstr(px, it, "title");
	if (e->title && looks_like_html(e->title))
		e->title_type = FEED_HTML;
	add_link(px, &e->links, &e->nlinks, jurl(px, it, "url", base), NULL, NULL, NULL);
	s = jurl(px, it, "external_url", base);
	if (s != NULL)
		add_link(px, &e->links, &e->nlinks, s, nf_strdup("related"), NULL, NULL);
	if (e->nlinks > 0 && strcmp(e->links[0].rel, "alternate") == 0 &&
	    (e->link = nf_strdup(e->links[0].href)) == NULL)
		px->nomem = 1;
	add_content(px, e, jstr(px, it, "content_html"), FEED_HTML, NULL);
	add_content(px, e, jstr(px, it, "content_text"), FEED_TEXT, NULL);
	e->summary = jstr(px, it, "summary");
	s = jstr(px, it, "date_published");
	e->published = feed_date_parse(s);
	free(s);
	s = jstr(px, it, "date_modified");
	e->updated = feed_date_parse(s);
	free(s);
	json_authors(px, it, &e->authors, &e->nauthors, base);
	if ((a = json_object_get(it, "tags")) != NULL && json_is_array(a))
		json_array_foreach(a, i, v)
			if (json_is_string(v)) {
				tb_add(px, json_string_value(v), json_string_length(v));
				add_category(px, &e->categories, &e->ncategories, take(px), NULL, NULL);
			}
	if ((a = json_object_get(it, "attachments")) != NULL && json_is_array(a))
		json_array_foreach(a, i, v) {
			json_t *sz;

			if (!json_is_object(v))
				continue;
			sz = json_object_get(v, "size_in_bytes");
			add_enclosure(px, e, jurl(px, v, "url", base), jstr(px, v, "mime_type"),
			    json_is_integer(sz) && json_integer_value(sz) >= 0 ?
			    (int64_t)json_integer_value(sz) : -1);
		}
	inherit_authors(px, &px->doc->feed, e);
	emit(px, e);
}

static void
parse_json(struct px *px, const char *data, size_t len, const char *base)
{
	struct feed_doc *d = px->doc;
	struct feed_info *f = &d->feed;
	const char *ver;
	struct buf fix;
	size_t bad;
	json_error_t jerr;
	json_t *root, *items, *it;
	size_t i;
	char *s;

	if ((d->encoding = nf_strdup("utf-8")) == NULL) {
		px->nomem = 1;
		return;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	buf_init(&fix, 0);
	if ((bad = utf8_bad((const unsigned char *)data, len)) < len) {
		d->wellformed = 0;
		set_error(px, line_of(data, bad), "byte 0x%02X is not UTF-8: replaced by U+FFFD",
		    (unsigned char)data[bad]);
		if (utf8_repair(data, len, bad, &fix)) {
			buf_release(&fix);
			px->nomem = 1;
			return;
		}
		data = fix.data;
		len = fix.len;
	}
	root = json_loadb(data, len, 0, &jerr);
	buf_release(&fix);
	if (root == NULL) {
		d->wellformed = 0;
		set_error(px, 0, "not a feed: JSON: %s (line %d)", jerr.text, jerr.line);
		return;
	}
	/* "https://jsonfeed.org/version/1.1"; bare "1.0"/"1.1" are seen too */
	ver = json_string_value(json_object_get(root, "version"));
	if (!json_is_object(root) || ver == NULL || (strstr(ver, "jsonfeed.org/version/") == NULL &&
	    ((strcmp(ver, "1") != 0 && strcmp(ver, "1.0") != 0 && strcmp(ver, "1.1") != 0) ||
	    !json_is_array(json_object_get(root, "items"))))) {
		set_error(px, 0, "not a feed: JSON without a JSON Feed version");
		goto out;
	}
	if (strstr(ver, "jsonfeed.org/version/") == NULL)
		d->wellformed = 0;
	d->format = strstr(ver, "1.1") ? "json11" : "json10";
	px->kind = K_JSON;
	f->title = jstr(px, root, "title");
	if (f->title && looks_like_html(f->title))
		f->title_type = FEED_HTML;
	f->subtitle = jstr(px, root, "description");
	add_link(px, &f->links, &f->nlinks, jurl(px, root, "home_page_url", base),
	    NULL, NULL, NULL);
	if ((s = jurl(px, root, "feed_url", base)) != NULL)
		add_link(px, &f->links, &f->nlinks, s, nf_strdup("self"), NULL, NULL);
	if (f->nlinks > 0 && strcmp(f->links[0].rel, "alternate") == 0 &&
	    (f->link = nf_strdup(f->links[0].href)) == NULL)
		px->nomem = 1;
	f->logo = jurl(px, root, "icon", base);
	f->icon = jurl(px, root, "favicon", base);
	f->language = jstr(px, root, "language");
	json_authors(px, root, &f->authors, &f->nauthors, base);
	items = json_object_get(root, "items");
	if (json_is_array(items))
		json_array_foreach(items, i, it) {
			json_item(px, it, base);
			if (px->nomem || px->stop)
				break;
		}
out:
	json_decref(root);
}

/* ---- the API ------------------------------------------------------------ */

/*
 * libxml2 2.9 drops what it cannot allocate without a word in some places
 * (an attribute, a base URI): its allocations go through these, which note
 * a failure, so that a document read short of memory is never taken for
 * the document.
 */
static _Thread_local int xml_oom;

static void *
xm_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL && n > 0)
		xml_oom = 1;
	return p;
}

static void *
xm_realloc(void *q, size_t n)
{
	void *p = realloc(q, n);

	if (p == NULL && n > 0)
		xml_oom = 1;
	return p;
}

static char *
xm_strdup(const char *s)
{
	char *p = nf_strdup(s);

	if (p == NULL)
		xml_oom = 1;
	return p;
}

static void
xml_alloc_setup(void)
{
	xmlMemSetup(free, xm_malloc, xm_realloc, xm_strdup);
}

/*
 * reject_entities(px): the document expands entities past the budget, or
 * libxml2 found them amplifying (billion laughs): it is rejected whole, as
 * no feed, with one error that says why and where, so that a poller keeps
 * what it had of the feed rather than a cut or empty copy of it.
 */
static void
reject_entities(struct px *px)
{
	struct feed_doc *d = px->doc;
	char why[200];
	size_t i;

	if (px->ent_why[0] != '\0')
		snprintf(why, sizeof(why), "%s", px->ent_why);
	else
		snprintf(why, sizeof(why), "more than %u bytes", (unsigned)ENTITY_BUDGET);
	for (i = 0; i < d->nentries; i++)
		entry_free_fields(&d->entries[i]);
	free(d->entries);
	d->entries = NULL;
	d->nentries = 0;
	d->format = NULL;
	d->wellformed = 0;
	free(d->error);
	d->error = NULL;
	px->err_line = 0;
	set_error(px, px->ent_line, "entity expansion limit exceeded (%s): document rejected",
	    why);
}

static struct feed_doc *
parse_any(const char *data, size_t len, const struct feed_parse_opts *opts,
          feed_entry_fn on_entry, void *ctx, struct nf_err *err)
{
	struct feed_doc *d;
	struct px px;
	const char *p, *e, *base = opts ? opts->url : NULL;
	xmlChar *loc = NULL;
	char msg[80];

	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, xml_alloc_setup);
	xml_oom = 0;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		nf_err_set(err, "out of memory");
		return NULL;
	}
	d->wellformed = 1;
	d->feed.published = d->feed.updated = NF_TIME_NONE;
	d->feed.ttl = -1;
	memset(&px, 0, sizeof(px));
	px.doc = d;
	px.on_entry = on_entry;
	px.on_ctx = ctx;
	px.max_entries = opts && opts->max_entries ? opts->max_entries : DEFAULT_MAX_ENTRIES;
	px.max_field = opts && opts->max_field ? opts->max_field : DEFAULT_MAX_FIELD;
	px.max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
	px.ent_budget = ENTITY_BUDGET;
	/* Content-Location, resolved against the URL, is the base (RFC 9110 8.7) */
	if (opts != NULL && opts->content_location != NULL && *opts->content_location) {
		if (opts->url != NULL)
			loc = xmlBuildURI((const xmlChar *)opts->content_location,
			    (const xmlChar *)opts->url);
		else if (has_scheme(opts->content_location))
			loc = xmlStrdup((const xmlChar *)opts->content_location);
		if (loc != NULL)
			base = (const char *)loc;
	}
	buf_init(&px.tb, 0);
	buf_init(&px.ab, 0);

	p = data ? data : "";
	e = p + (data ? len : 0);
	if (e - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < e && (is_ws((unsigned char)*p) || *p == '\0'))
		p++;
	if (p == e) {
		d->wellformed = 0;
		set_error(&px, 0, "empty document");
		if ((d->encoding = nf_strdup("utf-8")) == NULL)
			px.nomem = 1;
	} else if (*p == '{' || *p == '[')
		parse_json(&px, p, e - p, base);
	else
		parse_xml(&px, data, len, opts, base);

	if (px.too_many) {
		snprintf(msg, sizeof(msg), "too many entries: kept %zu", px.max_entries);
		add_error(&px, msg);
	}
	if (px.truncated) {
		snprintf(msg, sizeof(msg), "field too long: cut to %zu bytes", px.max_field);
		add_error(&px, msg);
	}
	if (px.too_deep) {
		snprintf(msg, sizeof(msg), "nesting too deep: elements below level %zu dropped",
		    px.max_depth);
		add_error(&px, msg);
	}
	if (px.ent_cut || px.ent_loop)
		reject_entities(&px);
	xmlFree(loc);
	if (px.x != NULL)
		xmlFreeDoc(px.x);
	if (xml_oom)
		px.nomem = 1;
	buf_release(&px.tb);
	buf_release(&px.ab);
	if (px.nomem || px.stop) {
		feed_doc_free(d);
		nf_err_set(err, px.nomem ? "feed: out of memory" : "feed: stopped");
		return NULL;
	}
	return d;
}

struct feed_doc *
feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
           struct nf_err *err)
{
	return parse_any(data, len, opts, NULL, NULL, err);
}

struct feed_doc *
feed_parse_stream(const char *data, size_t len, const struct feed_parse_opts *opts,
                  feed_entry_fn on_entry, void *ctx, struct nf_err *err)
{
	if (on_entry == NULL) {
		nf_err_set(err, "feed: no entry callback");
		return NULL;
	}
	return parse_any(data, len, opts, on_entry, ctx, err);
}

static void
free_people(struct feed_person *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		person_release(&p[i]);
	free(p);
}

static void
free_links(struct feed_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].href);
		free(l[i].rel);
		free(l[i].type);
		free(l[i].title);
	}
	free(l);
}

static void
free_categories(struct feed_category *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].term);
		free(c[i].scheme);
		free(c[i].label);
	}
	free(c);
}

void
feed_entry_release(struct feed_entry *e)
{
	if (e == NULL)
		return;
	entry_free_fields(e);
	memset(e, 0, sizeof(*e));
	e->published = e->updated = NF_TIME_NONE;
}

static void
entry_free_fields(struct feed_entry *e)
{
	size_t i;

	free(e->title);
	free(e->link);
	free_links(e->links, e->nlinks);
	free(e->id);
	free_people(e->authors, e->nauthors);
	free_people(e->contributors, e->ncontributors);
	free(e->summary);
	for (i = 0; i < e->ncontent; i++) {
		free(e->content[i].value);
		free(e->content[i].src);
	}
	free(e->content);
	free_categories(e->categories, e->ncategories);
	for (i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].href);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	free(e->comments);
	free(e->rights);
}

void
feed_doc_free(struct feed_doc *d)
{
	struct feed_info *f;
	size_t i;

	if (d == NULL)
		return;
	f = &d->feed;
	free(f->title);
	free(f->subtitle);
	free(f->link);
	free_links(f->links, f->nlinks);
	free(f->id);
	free_people(f->authors, f->nauthors);
	free_people(f->contributors, f->ncontributors);
	free_categories(f->categories, f->ncategories);
	free(f->rights);
	free(f->language);
	free(f->generator);
	if (f->image != NULL) {
		free(f->image->url);
		free(f->image->title);
		free(f->image->link);
		free(f->image);
	}
	free(f->icon);
	free(f->logo);
	for (i = 0; i < d->nentries; i++)
		entry_free_fields(&d->entries[i]);
	free(d->entries);
	free(d->encoding);
	free(d->error);
	free(d);
}

const char *
feed_text_type_name(enum feed_text_type t)
{
	switch (t) {
	case FEED_HTML:
		return "html";
	case FEED_XHTML:
		return "xhtml";
	default:
		return "text";
	}
}
