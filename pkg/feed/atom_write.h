#ifndef NF_ATOM_WRITE_H
#define NF_ATOM_WRITE_H
/*
 * atom_write: the folded stories as an Atom 1.0 feed (RFC 4287).
 *
 * The document is written in three steps into a struct buf:
 * atom_write_head(), then atom_write_entry() once per story (newest first,
 * as the caller lists them), then atom_write_tail().  Every string is
 * written escaped; characters XML cannot hold are dropped and bad UTF-8
 * becomes U+FFFD, so the output is always well-formed UTF-8 XML whatever
 * the store holds.  Nothing here knows the store: cmd/ fills the structs.
 *
 * Ownership: every pointer in the structs below is borrowed for the call.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* The feed itself. */
struct atom_feed {
	const char *id;        /* an IRI; NULL: "tag:newsfold,2025:stories" */
	const char *title;     /* NULL: "newsfold: folded stories" */
	const char *self;      /* the feed's own URL (rel="self"), may be NULL */
	const char *version;   /* the generator's version, may be NULL */
	int64_t updated;       /* the newest entry's updated (or now when none) */
};

/* One outlet of a story, as listed in an entry's summary. */
struct atom_outlet {
	const char *outlet;    /* "bbc.co.uk"; NULL or "": the feed had no site */
	const char *title;     /* the outlet's article title, may be NULL */
	const char *url;       /* its link, may be NULL */
	unsigned narticles;    /* articles of this outlet in the story (>= 1) */
};

/* One story. */
struct atom_entry {
	const char *id;        /* an IRI, stable for the story */
	const char *title;     /* NULL: "(untitled)" */
	const char *link;      /* the representative article's URL, may be NULL */
	int64_t published;     /* the story's first article; NF_TIME_NONE: none */
	int64_t updated;       /* its last article */
	const struct atom_outlet *outlets;
	size_t noutlets;
};

/* atom_write_head(f, out): the XML declaration and the feed's own
 * elements, appended to ${out}.  Returns 0, -1 out of memory or over
 * ${out}'s cap. */
int atom_write_head(const struct atom_feed *f, struct buf *out);
/* atom_write_entry(e, out): one <entry>: its title, a link to the
 * representative article, a summary (type="html") listing each outlet with
 * a link to its article, updated, published.  0 or -1 as above. */
int atom_write_entry(const struct atom_entry *e, struct buf *out);
/* atom_write_tail(out): closes the feed.  0 or -1 as above. */
int atom_write_tail(struct buf *out);

#endif
