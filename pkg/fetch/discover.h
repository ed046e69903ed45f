#ifndef NF_DISCOVER_H
#define NF_DISCOVER_H
/*
 * discover: the feeds behind an HTML page, for `newsfold add`.
 *
 * A page names its feeds with <link rel="alternate" type="..." href="...">
 * where type is RSS (application/rss+xml, application/rdf+xml), Atom
 * (application/atom+xml) or JSON Feed (application/feed+json,
 * application/json).  A page that names none may still have one at a
 * usual path (/feed, /rss, /rss.xml, /atom.xml, /feed.xml, /index.xml).
 */
#include <stddef.h>

#include "base/base.h"

/*
 * discover_links(html, len, url, out, n, err): the feed URLs an HTML page
 * links to, in document order, absolute (resolved against <base href> and
 * the page's ${url}), each once, http and https only.  *${out} is an array
 * of *${n} strings (possibly 0) the caller frees with discover_free().
 * Returns 0, or -1 when out of memory.  The page is parsed by libxml2's
 * HTML parser (recovering, no network).
 */
int discover_links(const char *html, size_t len, const char *url, char ***out, size_t *n,
                   struct nf_err *err);

/*
 * discover_guesses(url, out, n, err): the usual feed paths on ${url}'s site
 * (scheme://host[:port]/feed ...), as discover_links() returns them.
 */
int discover_guesses(const char *url, char ***out, size_t *n, struct nf_err *err);

/* discover_free(v, n): free an array of discover_links()/discover_guesses(). */
void discover_free(char **v, size_t n);

#endif
