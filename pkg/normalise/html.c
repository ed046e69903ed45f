/*
 * HTML -> clean text: libxml2's HTML parser, then one walk of the tree that
 * drops what is not article text, separates blocks with a newline and
 * collapses white space as it writes.  Common feed trailers ("Read full
 * article", "The post ... appeared first on ...") are cut from the end.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/* What an element means for the text. */
enum elem_class {
	EL_INLINE = 0,	/* its text flows into the line */
	EL_SKIP,	/* dropped with everything inside */
	EL_BLOCK,	/* a line of its own */
	EL_CELL		/* separated from its neighbours by a space */
};

struct elem_kind {
	const char *name;
	enum elem_class cls;
};

/* Sorted by name (strcmp) for bsearch. */
static const struct elem_kind elem_kinds[] = {
	{ "address", EL_BLOCK },
	{ "applet", EL_SKIP },
	{ "article", EL_BLOCK },
	{ "aside", EL_SKIP },
	{ "audio", EL_SKIP },
	{ "blockquote", EL_BLOCK },
	{ "body", EL_BLOCK },
	{ "br", EL_BLOCK },
	{ "button", EL_SKIP },
	{ "canvas", EL_SKIP },
	{ "caption", EL_BLOCK },
	{ "center", EL_BLOCK },
	{ "dd", EL_BLOCK },
	{ "details", EL_BLOCK },
	{ "div", EL_BLOCK },
	{ "dl", EL_BLOCK },
	{ "dt", EL_BLOCK },
	{ "embed", EL_SKIP },
	{ "figcaption", EL_SKIP },
	{ "figure", EL_BLOCK },
	{ "footer", EL_SKIP },
	{ "form", EL_SKIP },
	{ "h1", EL_BLOCK },
	{ "h2", EL_BLOCK },
	{ "h3", EL_BLOCK },
	{ "h4", EL_BLOCK },
	{ "h5", EL_BLOCK },
	{ "h6", EL_BLOCK },
	{ "head", EL_SKIP },
	{ "header", EL_BLOCK },
	{ "hr", EL_BLOCK },
	{ "html", EL_BLOCK },
	{ "iframe", EL_SKIP },
	{ "li", EL_BLOCK },
	{ "main", EL_BLOCK },
	{ "map", EL_SKIP },
	{ "math", EL_SKIP },
	{ "nav", EL_SKIP },
	{ "noscript", EL_SKIP },
	{ "object", EL_SKIP },
	{ "ol", EL_BLOCK },
	{ "p", EL_BLOCK },
	{ "pre", EL_BLOCK },
	{ "script", EL_SKIP },
	{ "section", EL_BLOCK },
	{ "select", EL_SKIP },
	{ "style", EL_SKIP },
	{ "svg", EL_SKIP },
	{ "table", EL_BLOCK },
	{ "td", EL_CELL },
	{ "template", EL_SKIP },
	{ "textarea", EL_SKIP },
	{ "th", EL_CELL },
	{ "title", EL_SKIP },
	{ "tr", EL_BLOCK },
	{ "ul", EL_BLOCK },
	{ "video", EL_SKIP },
};

/*
 * Trailers that feeds put after the article.  A last line that matches one
 * (ASCII case ignored, trailing dots, ellipses, arrows and guillemets
 * ignored) is cut, again and again, but the first line is always kept.
 * Datelines such as "(Reuters) -" are content and are not here.
 */
enum trailer_kind {
	TR_EXACT,	/* the whole line */
	TR_POST		/* "The post <title> appeared first on <site>" */
};

struct trailer {
	const char *text;
	enum trailer_kind kind;
};

static const struct trailer trailers[] = {
	{ "comments", TR_EXACT },
	{ "continue reading", TR_EXACT },
	{ "read full article", TR_EXACT },
	{ "read full story", TR_EXACT },
	{ "read more", TR_EXACT },
	{ "read the full article", TR_EXACT },
	{ "read the full story", TR_EXACT },
	{ "the post ", TR_POST },
};

/* The writer: collapses white space into at most one pending separator. */
enum { SEP_NONE, SEP_SPACE, SEP_LINE };

struct text_out {
	struct buf *out;
	size_t start;	/* where our text begins in out */
	int sep;	/* pending separator */
	int err;
};

static int
elem_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct elem_kind *)elem)->name);
}

static enum elem_class
elem_classify(const xmlChar *name)
{
	const struct elem_kind *k;

	if (name == NULL || name[0] == '\0' || strlen((const char *)name) > 10)
		return EL_INLINE;
	k = bsearch(name, elem_kinds, NF_ARRAY_LEN(elem_kinds),
	    sizeof(elem_kinds[0]), elem_cmp);
	return k ? k->cls : EL_INLINE;
}

/*
 * space_len(p, end): the length in bytes of the white space character at
 * ${p} (ASCII white space, NBSP and the other Unicode space separators), or
 * 0 when ${p} is not white space.
 */
static size_t
space_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);

	switch (p[0]) {
	case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
		return 1;
	case 0xc2:	/* U+0085 NEL, U+00A0 NBSP */
		return n >= 2 && (p[1] == 0xa0 || p[1] == 0x85) ? 2 : 0;
	case 0xe1:	/* U+1680 */
		return n >= 3 && p[1] == 0x9a && p[2] == 0x80 ? 3 : 0;
	case 0xe2:	/* U+2000..U+200A, U+2028, U+2029, U+202F, U+205F */
		if (n < 3)
			return 0;
		if (p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8a) ||
		    p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
			return 3;
		if (p[1] == 0x81 && p[2] == 0x9f)
			return 3;
		return 0;
	case 0xe3:	/* U+3000 ideographic space */
		return n >= 3 && p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
	default:
		return 0;
	}
}

/* The bytes that may begin white space (space_len()): most text has none
 * of them, and is passed over a table lookup a byte. */
static const unsigned char space_lead[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1, ['\v'] = 1,
	[0xc2] = 1, [0xe1] = 1, [0xe2] = 1, [0xe3] = 1,
};

static void
text_sep(struct text_out *w, int sep)
{
	if (sep > w->sep)
		w->sep = sep;
}

/* text_put(w, s, n): write ${n} bytes of text, collapsing white space:
 * straight into the buffer, which first makes room for them all and a
 * separator (so it is the text as given that the buffer's cap counts). */
static void
text_put(struct text_out *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	struct buf *b = w->out;
	char *o, *first;
	size_t sl;

	if (w->err)
		return;
	if (n > SIZE_MAX - 2 || buf_reserve(b, n + 1)) {
		w->err = 1;
		return;
	}
	first = b->data + w->start;
	o = b->data + b->len;
	while (p < end) {
		if (space_lead[*p] && (sl = space_len(p, end)) != 0) {
			text_sep(w, SEP_SPACE);
			p += sl;
			continue;
		}
		if (w->sep != SEP_NONE) {
			if (o > first)
				*o++ = w->sep == SEP_LINE ? '\n' : ' ';
			w->sep = SEP_NONE;
		}
		*o++ = (char)*p++;
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/*
 * line_is_trailer(s, n): 1 when the line ${s} is a feed trailer from the
 * table above.
 */
static int
line_is_trailer(const char *s, size_t n)
{
	const char *t;
	size_t i, tl;

	/* Drop trailing punctuation: . ! : > » › … → and brackets. */
	for (;;) {
		if (n >= 1 && strchr(".!:>)] ", s[n - 1]) != NULL && s[n - 1]) {
			n--;
		} else if (n >= 2 && memcmp(s + n - 2, "\xc2\xbb", 2) == 0) {
			n -= 2;
		} else if (n >= 3 && (memcmp(s + n - 3, "\xe2\x80\xa6", 3) == 0 ||
		    memcmp(s + n - 3, "\xe2\x80\xba", 3) == 0 ||
		    memcmp(s + n - 3, "\xe2\x86\x92", 3) == 0)) {
			n -= 3;
		} else
			break;
	}
	while (n > 0 && (s[0] == '[' || s[0] == '(' || s[0] == ' ')) {
		s++;
		n--;
	}
	for (i = 0; i < NF_ARRAY_LEN(trailers); i++) {
		t = trailers[i].text;
		tl = strlen(t);
		switch (trailers[i].kind) {
		case TR_EXACT:
			if (n == tl && nf_strncasecmp_ascii(s, t, n) == 0)
				return 1;
			break;
		case TR_POST:
			if (n > tl && nf_strncasecmp_ascii(s, t, tl) == 0 &&
			    memmem(s + tl, n - tl, " appeared first on ", 19))
				return 1;
			break;
		}
	}
	return 0;
}

/* strip_trailers(out, start): cut trailer lines from the end of out. */
static void
strip_trailers(struct buf *out, size_t start)
{
	const char *nl;
	size_t ls;

	while (out->len > start) {
		nl = memrchr(out->data + start, '\n', out->len - start);
		if (nl == NULL)
			break;	/* the first line is always kept */
		ls = (size_t)(nl - out->data) + 1;
		if (!line_is_trailer(out->data + ls, out->len - ls))
			break;
		out->len = ls - 1;
		out->data[out->len] = '\0';
	}
}

/* walk(w, node): the text of ${node} and its following siblings. */
static void
walk(struct text_out *w, xmlNode *top)
{
	xmlNode *n = top;
	enum elem_class cls;

	while (n != NULL && !w->err) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				text_put(w, (const char *)n->content,
				    strlen((const char *)n->content));
			break;
		case XML_ELEMENT_NODE:
			cls = elem_classify(n->name);
			if (cls == EL_SKIP)
				break;
			if (cls == EL_BLOCK)
				text_sep(w, SEP_LINE);
			else if (cls == EL_CELL)
				text_sep(w, SEP_SPACE);
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
			break;
		default:
			break;
		}
		/* Leave ${n}: climb until a node has a next sibling. */
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == NULL || n == top->parent ||
			    n->type != XML_ELEMENT_NODE) {
				n = NULL;
				break;
			}
			cls = elem_classify(n->name);
			if (cls == EL_BLOCK)
				text_sep(w, SEP_LINE);
			else if (cls == EL_CELL)
				text_sep(w, SEP_SPACE);
		}
		if (n != NULL)
			n = n->next;
	}
}

/* plain_text(s, n, out): the fast path, white space collapsed only. */
static int
plain_text(const char *s, size_t n, struct buf *out)
{
	struct text_out w = { out, out->len, SEP_NONE, 0 };

	text_put(&w, s, n);
	return w.err ? -1 : 0;
}

/*
 * Each thread keeps one parser context: creating one costs about a third
 * of parsing a short article.  Its dictionary of names grows with every
 * new element or attribute name, so a context that has seen too many is
 * replaced.
 */
#define HTML_DICT_MAX 4096

static pthread_once_t html_once = PTHREAD_ONCE_INIT;
static pthread_key_t html_key;
static int html_key_ok;

static void
html_ctxt_free(void *p)
{
	htmlFreeParserCtxt(p);
}

static void
html_init(void)
{
	xmlInitParser();
	html_key_ok = pthread_key_create(&html_key, html_ctxt_free) == 0;
}

/* html_ctxt(): this thread's parser context, or NULL. */
static htmlParserCtxtPtr
html_ctxt(void)
{
	htmlParserCtxtPtr c;

	pthread_once(&html_once, html_init);
	if (!html_key_ok)
		return NULL;
	c = pthread_getspecific(html_key);
	if (c != NULL && c->dict != NULL && xmlDictSize(c->dict) > HTML_DICT_MAX) {
		htmlFreeParserCtxt(c);
		c = NULL;
		pthread_setspecific(html_key, NULL);
	}
	if (c == NULL) {
		if ((c = htmlNewParserCtxt()) == NULL)
			return NULL;
		if (pthread_setspecific(html_key, c) != 0) {
			htmlFreeParserCtxt(c);
			return NULL;
		}
	}
	return c;
}

void
norm_thread_cleanup(void)
{
	htmlParserCtxtPtr c;

	pthread_once(&html_once, html_init);
	if (!html_key_ok)
		return;
	if ((c = pthread_getspecific(html_key)) != NULL) {
		htmlFreeParserCtxt(c);
		pthread_setspecific(html_key, NULL);
	}
}

/* blank(s, len): 1 when ${s} is only white space. */
static int
blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f')
			return 0;
	return 1;
}

int
norm_html_to_text(const char *html, size_t len, struct buf *out)
{
	struct buf fixed;
	struct text_out w;
	htmlParserCtxtPtr ctxt;
	htmlDocPtr doc;
	size_t start = out->len;
	int opts;

	buf_init(&fixed, 0);
	if (!norm_utf8_valid(html, len)) {
		if (norm_utf8_repair(html, len, &fixed) != 0)
			goto err0;
		html = buf_cstr(&fixed);
		len = fixed.len;
	}
	if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL) {
		if (plain_text(html, len, out) != 0)
			goto err0;
		buf_release(&fixed);
		return 0;
	}
	if (len > INT32_MAX)
		goto err0;
	if ((ctxt = html_ctxt()) == NULL)
		goto err0;
	/*
	 * Not HTML_PARSE_NOIMPLIED: libxml2 2.9 then nests the nodes that
	 * follow a first top-level element inside it and drops the white
	 * space between them ("<p>a</p> <a>b</a>" reads "ab").  The implied
	 * html and body elements change nothing in the text.
	 */
	opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_NODEFDTD | HTML_PARSE_COMPACT;
	doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8", opts);
	/*
	 * A failed allocation does not always end the parse: libxml2 may
	 * return a document with part of the text missing, its error
	 * XML_ERR_NO_MEMORY, or (when converting the input failed) call a
	 * document with text in it empty.  Both are errors, not text.  An
	 * input that is only white space is empty indeed.
	 */
	if (ctxt->errNo == XML_ERR_NO_MEMORY ||
	    (ctxt->errNo == XML_ERR_DOCUMENT_EMPTY && !blank(html, len)) ||
	    (doc == NULL && ctxt->errNo != XML_ERR_DOCUMENT_EMPTY)) {
		xmlFreeDoc(doc);
		buf_release(&fixed);
		return -1;
	}
	if (doc == NULL) {
		buf_release(&fixed);
		return 0;
	}
	w.out = out;
	w.start = start;
	w.sep = SEP_NONE;
	w.err = 0;
	walk(&w, doc->children);
	xmlFreeDoc(doc);
	if (w.err)
		goto err0;
	strip_trailers(out, start);
	buf_release(&fixed);
	return 0;

err0:
	buf_release(&fixed);
	if (out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return -1;
}
