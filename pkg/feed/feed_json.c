/*
 * feed_json: a parsed document as the `parse --json` object of DESIGN.md.
 * Keys are set in schema order; absent values are absent keys.
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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

static json_t *
entry_object(const struct feed_entry *e)
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
		if (json_array_append_new(a, entry_object(&doc->entries[i])))
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}
