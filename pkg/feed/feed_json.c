/*
 * feed_json: a parsed document as the `parse --json` object of DESIGN.md.
 * Keys are set in schema order; absent values are absent keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/base.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "base/banned.h"

/* Every setter returns 0, or -1 when out of memory. */

static int
put(json_t *o, const char *key, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(o, key, v);
}

static int
put_str(json_t *o, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	return put(o, key, json_string(s));
}

static int
put_time(json_t *o, const char *key, int64_t t)
{
	char buf[32];

	if (t == NF_TIME_NONE)
		return 0;
	return put(o, key, json_string(nf_time_rfc3339(t, buf)));
}

static json_t *
person(const struct feed_person *p)
{
	json_t *o = json_object();

	if (o == NULL || put_str(o, "name", p->name) || put_str(o, "email", p->email) ||
	    put_str(o, "uri", p->uri)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
put_people(json_t *o, const char *key, const struct feed_person *p, size_t n)
{
	json_t *a;
	size_t i;

	if (n == 0)
		return 0;
	if ((a = json_array()) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, person(&p[i])) != 0)
			goto err;
	return put(o, key, a);
err:
	json_decref(a);
	return -1;
}

/* put_authors(o, p, n): "author" (the first) then "authors". */
static int
put_authors(json_t *o, const struct feed_person *p, size_t n)
{
	if (n > 0 && put(o, "author", person(&p[0])))
		return -1;
	return put_people(o, "authors", p, n);
}

static int
put_links(json_t *o, const struct feed_link *l, size_t n)
{
	json_t *a, *v;
	size_t i;

	if (n == 0)
		return 0;
	if ((a = json_array()) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = json_object()) == NULL || json_array_append_new(a, v) ||
		    put_str(v, "href", l[i].href) || put_str(v, "rel", l[i].rel) ||
		    put_str(v, "type", l[i].type) || put_str(v, "title", l[i].title))
			goto err;
	}
	return put(o, "links", a);
err:
	json_decref(a);
	return -1;
}

static int
put_categories(json_t *o, const struct feed_category *c, size_t n)
{
	json_t *a, *v;
	size_t i;

	if (n == 0)
		return 0;
	if ((a = json_array()) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = json_object()) == NULL || json_array_append_new(a, v) ||
		    put_str(v, "term", c[i].term) || put_str(v, "scheme", c[i].scheme) ||
		    put_str(v, "label", c[i].label))
			goto err;
	}
	return put(o, "categories", a);
err:
	json_decref(a);
	return -1;
}

static int
put_text(json_t *o, const char *key, const char *tkey, const char *s,
         enum feed_text_type t)
{
	if (s == NULL)
		return 0;
	if (put_str(o, key, s))
		return -1;
	return put_str(o, tkey, feed_text_type_name(t));
}

static json_t *
feed_object(const struct feed_info *f)
{
	json_t *o = json_object(), *img;

	if (o == NULL)
		return NULL;
	if (put_text(o, "title", "title_type", f->title, f->title_type) ||
	    put_text(o, "subtitle", "subtitle_type", f->subtitle, f->subtitle_type) ||
	    put_str(o, "link", f->link) || put_links(o, f->links, f->nlinks) ||
	    put_str(o, "id", f->id) || put_time(o, "updated", f->updated) ||
	    put_time(o, "published", f->published) ||
	    put_authors(o, f->authors, f->nauthors) ||
	    put_people(o, "contributors", f->contributors, f->ncontributors) ||
	    put_categories(o, f->categories, f->ncategories) ||
	    put_str(o, "rights", f->rights) || put_str(o, "language", f->language) ||
	    put_str(o, "generator", f->generator))
		goto err;
	if (f->image != NULL) {
		if ((img = json_object()) == NULL || put(o, "image", img) ||
		    put_str(img, "url", f->image->url) || put_str(img, "title", f->image->title) ||
		    put_str(img, "link", f->image->link))
			goto err;
	}
	if (put_str(o, "icon", f->icon) || put_str(o, "logo", f->logo))
		goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

json_t *
feed_entry_to_json(const struct feed_entry *e)
{
	json_t *o = json_object(), *a, *v;
	size_t i;

	if (o == NULL)
		return NULL;
	if (put_text(o, "title", "title_type", e->title, e->title_type) ||
	    put_str(o, "link", e->link) || put_links(o, e->links, e->nlinks) ||
	    put_str(o, "id", e->id) || put_time(o, "published", e->published) ||
	    put_time(o, "updated", e->updated) ||
	    put_authors(o, e->authors, e->nauthors) ||
	    put_people(o, "contributors", e->contributors, e->ncontributors) ||
	    put_text(o, "summary", "summary_type", e->summary, e->summary_type))
		goto err;
	if (e->ncontent > 0) {
		if ((a = json_array()) == NULL || put(o, "content", a))
			goto err;
		for (i = 0; i < e->ncontent; i++) {
			if ((v = json_object()) == NULL || json_array_append_new(a, v) ||
			    put_str(v, "value", e->content[i].value ? e->content[i].value : "") ||
			    put_str(v, "type", feed_text_type_name(e->content[i].type)) ||
			    put_str(v, "src", e->content[i].src))
				goto err;
		}
	}
	if (put_categories(o, e->categories, e->ncategories))
		goto err;
	if (e->nenclosures > 0) {
		if ((a = json_array()) == NULL || put(o, "enclosures", a))
			goto err;
		for (i = 0; i < e->nenclosures; i++) {
			if ((v = json_object()) == NULL || json_array_append_new(a, v) ||
			    put_str(v, "href", e->enclosures[i].href) ||
			    put_str(v, "type", e->enclosures[i].type))
				goto err;
			if (e->enclosures[i].length >= 0 &&
			    put(v, "length", json_integer(e->enclosures[i].length)))
				goto err;
		}
	}
	if (put_str(o, "comments", e->comments) || put_str(o, "rights", e->rights))
		goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

json_t *
feed_doc_to_json(const struct feed_doc *doc, const char *source, const char *error)
{
	json_t *o = json_object(), *a;
	size_t i;

	if (o == NULL)
		return NULL;
	if (put_str(o, "source", source ? source : ""))
		goto err;
	if (doc == NULL) {
		if (put(o, "wellformed", json_false()) ||
		    put_str(o, "error", error ? error : "could not be read"))
			goto err;
		return o;
	}
	if (put_str(o, "format", doc->format) || put_str(o, "encoding", doc->encoding) ||
	    put(o, "wellformed", json_boolean(doc->wellformed)) ||
	    put_str(o, "error", doc->error ? doc->error : error && *error ? error : NULL) ||
	    put(o, "feed", feed_object(&doc->feed)) || (a = json_array()) == NULL ||
	    put(o, "entries", a))
		goto err;
	for (i = 0; i < doc->nentries; i++)
		if (json_array_append_new(a, feed_entry_to_json(&doc->entries[i])))
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

/*
 * ---- the entry object as text ------------------------------------------
 *
 * The same text as json_dumps(feed_entry_to_json(e), JSON_COMPACT |
 * JSON_PRESERVE_ORDER), written straight into a buffer: building and
 * dumping a jansson tree per entry costs more than parsing the entry.
 * Strings are escaped as jansson does ('"', '\\', control characters;
 * \u%04X for those without a short form); a byte that is not part of valid
 * UTF-8 becomes U+FFFD, where jansson would refuse the string.
 */

/* plain[c]: byte c goes into a JSON string as it is (printable ASCII but
 * '"' and '\\'). */
static const unsigned char plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * special(w): the eight bytes ${w} with the high bit of each byte that is
 * not plain set (a control character, '"', '\\', a byte of 0x80 or over),
 * 0 when all are plain.  Only the lowest byte flagged is sure to be one:
 * a borrow runs up from a byte that is rightly flagged.
 */
static uint64_t
special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), s = w ^ (ONES * '\\');

	return (w | ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((s - ONES) & ~s)) & HIGHS;
}

/* skip_plain(p, e): the first byte at or after ${p} that is not plain,
 * or ${e}; sixteen bytes at a time (SSE2), else eight. */
static const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *e)
{
	uint64_t w, m;

#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'),
	    bs = _mm_set1_epi8('\\');
	__m128i v;
	int k;

	for (; e - p >= 16; p += 16) {
		/* signed: the bytes of 0x80 and over are below 0x20 too */
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		k = _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, sp),
		    _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs))));
		if (k != 0)
			return p + __builtin_ctz((unsigned)k);
	}
#endif
	for (; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if ((m = special(w)) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			while (plain[*p])
				p++;
			return p;
#endif
		}
	}
	while (p < e && plain[*p])
		p++;
	return p;
}

/* w_str(b, s): ${s} as a JSON string. */
static int
w_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p, *e = p + strlen(s);
	char esc[8];
	const char *rep;
	size_t need, k;
	uint32_t c;

	if (buf_putc(b, '"'))
		return -1;
	for (;;) {
		if ((p = skip_plain(p, e)) == e)
			break;
		if (*p >= 0x80) {
			/* one UTF-8 sequence, or U+FFFD for a bad byte */
			c = *p;
			need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 :
			    c >= 0xF0 && c <= 0xF4 ? 3 : 0;
			c &= 0x3F >> need;
			for (k = 1; k <= need && (p[k] & 0xC0) == 0x80; k++)
				c = (c << 6) | (p[k] & 0x3F);
			if (need == 0 || k <= need || (need == 2 && c < 0x800) ||
			    (need == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
			    (c >= 0xD800 && c <= 0xDFFF)) {
				if ((p > run && buf_append(b, run, p - run)) ||
				    buf_append(b, "\xEF\xBF\xBD", 3))
					return -1;
				run = ++p;
				continue;
			}
			p += need + 1; /* kept as it is */
			continue;
		}
		if (p > run && buf_append(b, run, p - run))
			return -1;
		switch (*p) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)*p);
			rep = esc;
			break;
		}
		if (buf_puts(b, rep))
			return -1;
		run = ++p;
	}
	if (p > run && buf_append(b, run, p - run))
		return -1;
	return buf_putc(b, '"');
}

/*
 * A key, as the text written before its value: the separator and "key":
 * (KEY("id") is ,"id": and its length), the separator left out for the
 * first key of an object.
 */
struct key {
	const char *s;
	size_t n;
};
#define KEY(name) ((struct key){ ",\"" name "\":", sizeof(",\"" name "\":") - 1 })

/* w_key(b, first, k): the separator (unless ${*first}) and the key. */
static int
w_key(struct buf *b, int *first, struct key k)
{
	if (*first) {
		*first = 0;
		return buf_append(b, k.s + 1, k.n - 1);
	}
	return buf_append(b, k.s, k.n);
}

static int
w_kstr(struct buf *b, int *first, struct key key, const char *s)
{
	if (s == NULL)
		return 0;
	return w_key(b, first, key) || w_str(b, s);
}

/* two(p, v): ${v} (0..99) as two digits at ${p}. */
static void
two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* w_ktime(b, first, key, t): ${t} as nf_time_rfc3339() writes it, without
 * its printf for the years 0..9999. */
static int
w_ktime(struct buf *b, int *first, struct key key, int64_t t)
{
	char when[32];
	struct nf_tm tm;

	if (t == NF_TIME_NONE)
		return 0;
	nf_gmtime(t, &tm);
	if (tm.y < 0 || tm.y > 9999)
		return w_key(b, first, key) || w_str(b, nf_time_rfc3339(t, when));
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	when[0] = '"';
	two(when + 1, (int)(tm.y / 100));
	two(when + 3, (int)(tm.y % 100));
	when[5] = '-';
	two(when + 6, tm.m);
	when[8] = '-';
	two(when + 9, tm.d);
	when[11] = 'T';
	two(when + 12, tm.h);
	when[14] = ':';
	two(when + 15, tm.mi);
	when[17] = ':';
	two(when + 18, tm.s);
	when[20] = 'Z';
	when[21] = '"';
	return w_key(b, first, key) || buf_append(b, when, 22);
}

static int
w_person(struct buf *b, const struct feed_person *p)
{
	int first = 1;

	return buf_putc(b, '{') || w_kstr(b, &first, KEY("name"), p->name) ||
	    w_kstr(b, &first, KEY("email"), p->email) || w_kstr(b, &first, KEY("uri"), p->uri) ||
	    buf_putc(b, '}');
}

static int
w_people(struct buf *b, int *first, struct key key, const struct feed_person *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (w_key(b, first, key) || buf_putc(b, '['))
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && buf_putc(b, ',')) || w_person(b, &p[i]))
			return -1;
	return buf_putc(b, ']');
}

static int
w_text(struct buf *b, int *first, struct key key, struct key tkey, const char *s,
       enum feed_text_type t)
{
	if (s == NULL)
		return 0;
	return w_kstr(b, first, key, s) || w_kstr(b, first, tkey, feed_text_type_name(t));
}

int
feed_entry_json(struct buf *b, const struct feed_entry *e)
{
	char num[32];
	size_t i;
	int first = 1, f2;

	if (buf_putc(b, '{') ||
	    w_text(b, &first, KEY("title"), KEY("title_type"), e->title, e->title_type) ||
	    w_kstr(b, &first, KEY("link"), e->link))
		return -1;
	if (e->nlinks > 0) {
		if (w_key(b, &first, KEY("links")) || buf_putc(b, '['))
			return -1;
		for (i = 0; i < e->nlinks; i++) {
			f2 = 1;
			if ((i > 0 && buf_putc(b, ',')) || buf_putc(b, '{') ||
			    w_kstr(b, &f2, KEY("href"), e->links[i].href) ||
			    w_kstr(b, &f2, KEY("rel"), e->links[i].rel) ||
			    w_kstr(b, &f2, KEY("type"), e->links[i].type) ||
			    w_kstr(b, &f2, KEY("title"), e->links[i].title) || buf_putc(b, '}'))
				return -1;
		}
		if (buf_putc(b, ']'))
			return -1;
	}
	if (w_kstr(b, &first, KEY("id"), e->id) ||
	    w_ktime(b, &first, KEY("published"), e->published) ||
	    w_ktime(b, &first, KEY("updated"), e->updated))
		return -1;
	if (e->nauthors > 0 && (w_key(b, &first, KEY("author")) || w_person(b, &e->authors[0])))
		return -1;
	if (w_people(b, &first, KEY("authors"), e->authors, e->nauthors) ||
	    w_people(b, &first, KEY("contributors"), e->contributors, e->ncontributors) ||
	    w_text(b, &first, KEY("summary"), KEY("summary_type"), e->summary, e->summary_type))
		return -1;
	if (e->ncontent > 0) {
		if (w_key(b, &first, KEY("content")) || buf_putc(b, '['))
			return -1;
		for (i = 0; i < e->ncontent; i++) {
			f2 = 1;
			if ((i > 0 && buf_putc(b, ',')) || buf_putc(b, '{') ||
			    w_kstr(b, &f2, KEY("value"), e->content[i].value ? e->content[i].value : "") ||
			    w_kstr(b, &f2, KEY("type"), feed_text_type_name(e->content[i].type)) ||
			    w_kstr(b, &f2, KEY("src"), e->content[i].src) || buf_putc(b, '}'))
				return -1;
		}
		if (buf_putc(b, ']'))
			return -1;
	}
	if (e->ncategories > 0) {
		if (w_key(b, &first, KEY("categories")) || buf_putc(b, '['))
			return -1;
		for (i = 0; i < e->ncategories; i++) {
			f2 = 1;
			if ((i > 0 && buf_putc(b, ',')) || buf_putc(b, '{') ||
			    w_kstr(b, &f2, KEY("term"), e->categories[i].term) ||
			    w_kstr(b, &f2, KEY("scheme"), e->categories[i].scheme) ||
			    w_kstr(b, &f2, KEY("label"), e->categories[i].label) || buf_putc(b, '}'))
				return -1;
		}
		if (buf_putc(b, ']'))
			return -1;
	}
	if (e->nenclosures > 0) {
		if (w_key(b, &first, KEY("enclosures")) || buf_putc(b, '['))
			return -1;
		for (i = 0; i < e->nenclosures; i++) {
			f2 = 1;
			if ((i > 0 && buf_putc(b, ',')) || buf_putc(b, '{') ||
			    w_kstr(b, &f2, KEY("href"), e->enclosures[i].href) ||
			    w_kstr(b, &f2, KEY("type"), e->enclosures[i].type))
				return -1;
			if (e->enclosures[i].length >= 0) {
				snprintf(num, sizeof(num), "%lld", (long long)e->enclosures[i].length);
				if (w_key(b, &f2, KEY("length")) || buf_puts(b, num))
					return -1;
			}
			if (buf_putc(b, '}'))
				return -1;
		}
		if (buf_putc(b, ']'))
			return -1;
	}
	if (w_kstr(b, &first, KEY("comments"), e->comments) ||
	    w_kstr(b, &first, KEY("rights"), e->rights))
		return -1;
	return buf_putc(b, '}');
}
