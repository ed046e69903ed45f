#ifndef NF_FEED_H
#define NF_FEED_H
/*
 * feed: one fetched document -> a format-neutral feed and its entries.
 *
 * Formats are detected from the content, never from a file name or a
 * Content-Type: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through libxml2 (with
 * XML_PARSE_RECOVER | XML_PARSE_NONET, never XML_PARSE_NOENT or
 * XML_PARSE_DTDLOAD: no network, no external entity, no DTD is ever read),
 * JSON Feed 1.0/1.1 through jansson.
 *
 * The model mirrors the `parse --json` schema of DESIGN.md.  Values are as
 * the feed gave them after XML decoding (HTML not yet sanitised), white space
 * trimmed, URLs resolved against xml:base and the document URL.
 *
 * Ownership: feed_parse() returns a struct feed_doc that owns every string
 * and array reachable from it; feed_doc_free() frees it all.  A NULL string
 * is an absent value; times are NF_TIME_NONE when absent or unparseable.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

enum feed_text_type { FEED_TEXT = 0, FEED_HTML, FEED_XHTML };

struct feed_person {
	char *name, *email, *uri;
};

struct feed_link {
	char *href, *rel, *type, *title;
};

struct feed_category {
	char *term, *scheme, *label;
};

struct feed_enclosure {
	char *href, *type;
	int64_t length; /* -1 when absent */
};

struct feed_content {
	char *value, *src;
	enum feed_text_type type;
};

struct feed_image {
	char *url, *title, *link;
};

struct feed_entry {
	char *title;
	enum feed_text_type title_type;
	char *link; /* the alternate (or first) link */
	struct feed_link *links;
	size_t nlinks;
	char *id; /* guid / atom:id / JSON Feed id */
	int64_t published, updated;
	struct feed_person *authors;
	size_t nauthors;
	struct feed_person *contributors;
	size_t ncontributors;
	char *summary;
	enum feed_text_type summary_type;
	struct feed_content *content;
	size_t ncontent;
	struct feed_category *categories;
	size_t ncategories;
	struct feed_enclosure *enclosures;
	size_t nenclosures;
	char *comments, *rights;
};

struct feed_info {
	char *title;
	enum feed_text_type title_type;
	char *subtitle;
	enum feed_text_type subtitle_type;
	char *link;
	struct feed_link *links;
	size_t nlinks;
	char *id;
	int64_t updated, published;
	struct feed_person *authors;
	size_t nauthors;
	struct feed_person *contributors;
	size_t ncontributors;
	struct feed_category *categories;
	size_t ncategories;
	char *rights, *language, *generator;
	struct feed_image *image; /* NULL when absent */
	char *icon, *logo;
	int64_t ttl; /* RSS <ttl> in minutes, -1 when absent */
	/* RSS <skipHours>: bit h set for each <hour>h</hour>, 0-23 UTC (24 is
	 * read as 0); <skipDays>: bit d set for each <day>, 0 = Sunday ..
	 * 6 = Saturday (day names in any case).  Values that are neither are
	 * ignored; 0 when absent.  Not part of `parse --json`. */
	uint32_t skip_hours;
	uint8_t skip_days;
};

struct feed_doc {
	/* "rss090" "rss091n" "rss091u" "rss092" "rss093" "rss094" "rss10"
	 * "rss20" "atom03" "atom10" "json10" "json11"; NULL: not a feed, or a
	 * document rejected whole (see feed_parse()). */
	const char *format;
	char *encoding;  /* as detected, e.g. "utf-8" */
	int wellformed;  /* 0 when the parser had to recover */
	char *error;     /* the first error, with its line; NULL if none */
	struct feed_info feed;
	struct feed_entry *entries;
	size_t nentries;
};

/*
 * The document's encoding is chosen as RFC 7303 3.2 says: a byte order mark,
 * then the charset of ${content_type}, then the XML declaration, else UTF-8
 * (a charset whose code unit does not match the bytes, UTF-16 for an 8-bit
 * document say, is not believed).  Bytes that are not valid in it are
 * replaced by U+FFFD and the document is not well-formed; so is a NUL byte,
 * which XML does not allow anywhere.  Every limit that is hit is named in
 * doc->error ("too many entries", "field too long", "nesting too deep").
 * Internal entities are expanded within a budget per document; a document
 * whose entities would expand past it, or that libxml2 finds amplifying
 * (billion laughs), is rejected whole: format NULL, no entries, error
 * "line N: entity expansion limit exceeded (...)".
 */
struct feed_parse_opts {
	const char *url;          /* the document's URL, for relative links; may be NULL */
	const char *content_type; /* HTTP Content-Type (charset), may be NULL */
	size_t max_entries;       /* 0: default (100000) */
	size_t max_field;         /* bytes per field, 0: default (1 MiB) */
	const char *content_location; /* HTTP Content-Location, may be NULL: resolved
	                                 against url, the base of relative links */
	size_t max_depth;         /* element nesting, 0: default (64); deeper
	                             elements are dropped */
};

/*
 * feed_parse(data, len, opts, err): parse ${len} bytes at ${data}, every
 * entry collected in doc->entries (feed_parse_stream() below, collecting).
 * Returns a new document (caller frees it with feed_doc_free()) whenever the
 * input could be read at all: a document that is not a feed has format NULL
 * and error set ("not a feed: html page", "empty document").  Returns NULL,
 * with ${err} filled, only when out of memory.  ${opts} may be NULL.
 */
struct feed_doc *feed_parse(const char *data, size_t len,
                            const struct feed_parse_opts *opts, struct nf_err *err);

/*
 * feed_entry_fn(ctx, doc, e): called by feed_parse_stream() for each entry,
 * in document order, as soon as the entry is complete.  The strings and
 * arrays reachable from ${e} are the callback's from the call on: keep them
 * (copy the struct) or free them with feed_entry_release(); the struct
 * itself is the parser's and valid during the call only.  ${doc} is the
 * document read so far (format, encoding and the feed fields seen before
 * the entry; wellformed and error may still change); it stays the parser's.
 * Return 0 to go on, -1 to stop the parse.
 */
typedef int (*feed_entry_fn)(void *ctx, const struct feed_doc *doc, struct feed_entry *e);

/*
 * feed_parse_stream(data, len, opts, on_entry, ctx, err): parse ${len}
 * bytes at ${data} like feed_parse(), but hand each entry to
 * ${on_entry}(${ctx}, ...) as soon as it is read, so that memory stays
 * bounded by the largest entry (plus the input) rather than the document.
 * XML is parsed incrementally: entries are built one at a time and their
 * parse tree is freed once read.  Returns a new document whose entries
 * went to the callback (nentries is 0; the caller frees it with
 * feed_doc_free()); NULL with ${err} filled when out of memory or when the
 * callback stopped the parse ("stopped").  Limits and recovery are those of
 * feed_parse(); a document rejected whole may be rejected after some of
 * its entries went to the callback, so a caller that keeps entries decides
 * once the returned document says whether it is a feed (format non-NULL).
 */
struct feed_doc *feed_parse_stream(const char *data, size_t len,
                                   const struct feed_parse_opts *opts,
                                   feed_entry_fn on_entry, void *ctx,
                                   struct nf_err *err);

void feed_doc_free(struct feed_doc *doc);

/* feed_entry_release(e): free what ${e} points to (not ${e} itself) and
 * clear it; for entries from feed_parse_stream(). */
void feed_entry_release(struct feed_entry *e);

/* feed_text_type_name(t): "text", "html" or "xhtml". */
const char *feed_text_type_name(enum feed_text_type t);

/*
 * feed_date_parse(s): an RFC 822/2822 date (and its real-world variants) or
 * an RFC 3339 / ISO 8601 / W3CDTF date, as UTC seconds; NF_TIME_NONE when
 * ${s} is NULL or cannot be read (never a guess).
 */
int64_t feed_date_parse(const char *s);

#endif
