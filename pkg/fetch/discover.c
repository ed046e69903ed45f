/* discover: feed links in an HTML page, and the usual paths to try. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "base/base.h"
#include "fetch/discover.h"
#include "base/banned.h"

#define MAX_LINKS 64

static const char *const feed_types[] = {
	"application/rss+xml", "application/atom+xml", "application/feed+json",
	"application/json", "application/rdf+xml", "application/x-rss+xml",
	"application/x-atom+xml", "text/xml", "application/xml",
};

static const char *const usual_paths[] = {
	"/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml",
};

struct list {
	char **v;
	size_t n;
};

void
discover_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* push(l, s): append a copy of ${s} unless listed; 0 or -1. */
static int
push(struct list *l, const char *s)
{
	char **nv;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	if ((l->v[l->n] = nf_strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* has_token(list, tok): ${tok} among the space-separated words of ${list}. */
static int
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok), k;

	while (list && *list) {
		list += strspn(list, " \t\r\n\f");
		k = strcspn(list, " \t\r\n\f");
		if (k == n && nf_strncasecmp_ascii(list, tok, n) == 0)
			return 1;
		list += k;
	}
	return 0;
}

static int
feed_type(const char *t)
{
	size_t i, k;

	if (t == NULL)
		return 0;
	t += strspn(t, " \t");
	k = strcspn(t, " \t;");
	for (i = 0; i < NF_ARRAY_LEN(feed_types); i++)
		if (strlen(feed_types[i]) == k && nf_strncasecmp_ascii(t, feed_types[i], k) == 0)
			return 1;
	return 0;
}

static int
http_url(const char *u)
{
	return nf_strncasecmp_ascii(u, "http://", 7) == 0 ||
	       nf_strncasecmp_ascii(u, "https://", 8) == 0;
}

struct walk {
	struct list l;
	char *base;  /* owned; from <base href> or the page URL */
	int based;   /* a <base> was seen: later ones are ignored */
	int nomem;
};

static char *
attr(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static void
walk(xmlNode *n, struct walk *w)
{
	char *rel, *type, *href, *abs;
	xmlChar *u;

	for (; n && !w->nomem && w->l.n < MAX_LINKS; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (nf_strcasecmp_ascii((const char *)n->name, "base") == 0 && !w->based &&
		    (href = attr(n, "href")) != NULL) {
			if ((u = xmlBuildURI((const xmlChar *)href, (const xmlChar *)w->base)) != NULL) {
				free(w->base);
				w->base = nf_strdup((const char *)u);
				w->nomem |= w->base == NULL;
				xmlFree(u);
			}
			w->based = 1;
			xmlFree(href);
		} else if (nf_strcasecmp_ascii((const char *)n->name, "link") == 0) {
			rel = attr(n, "rel");
			type = attr(n, "type");
			href = attr(n, "href");
			if (rel && href && *href && has_token(rel, "alternate") && feed_type(type) &&
			    (u = xmlBuildURI((const xmlChar *)nf_trim(href), (const xmlChar *)w->base))) {
				abs = (char *)u;
				if (http_url(abs) && push(&w->l, abs))
					w->nomem = 1;
				xmlFree(u);
			}
			xmlFree(rel);
			xmlFree(type);
			xmlFree(href);
		}
		walk(n->children, w);
	}
}

int
discover_links(const char *html, size_t len, const char *url, char ***out, size_t *n,
               struct nf_err *err)
{
	struct walk w;
	htmlDocPtr doc;

	*out = NULL;
	*n = 0;
	memset(&w, 0, sizeof(w));
	if (len > (size_t)INT32_MAX)
		len = INT32_MAX;
	doc = htmlReadMemory(html, (int)len, url, NULL,
	                     HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                     HTML_PARSE_NOWARNING | HTML_PARSE_NOBLANKS);
	if (doc == NULL)
		return 0; /* nothing readable: no links */
	if ((w.base = nf_strdup(url ? url : "")) == NULL)
		w.nomem = 1;
	else
		walk(xmlDocGetRootElement(doc), &w);
	xmlFreeDoc(doc);
	free(w.base);
	if (w.nomem) {
		discover_free(w.l.v, w.l.n);
		nf_err_set(err, "discover: out of memory");
		return -1;
	}
	*out = w.l.v;
	*n = w.l.n;
	return 0;
}

int
discover_guesses(const char *url, char ***out, size_t *n, struct nf_err *err)
{
	struct list l = {0};
	struct buf b;
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	*n = 0;
	buf_init(&b, 4096);
	if ((u = curl_url()) == NULL)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    !(strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) {
		rc = 0; /* not a web page: nothing to guess */
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	for (i = 0; i < NF_ARRAY_LEN(usual_paths); i++) {
		buf_reset(&b);
		if (buf_printf(&b, "%s://%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "",
		               usual_paths[i]) ||
		    push(&l, b.data))
			goto out;
	}
	rc = 0;
out:
	if (rc)
		nf_err_set(err, "discover: out of memory");
	if (rc == 0) {
		*out = l.v;
		*n = l.n;
	} else {
		discover_free(l.v, l.n);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	buf_release(&b);
	return rc;
}
