#ifndef NF_FEED_JSON_H
#define NF_FEED_JSON_H
/*
 * feed_json: a parsed document as the `parse --json` object of DESIGN.md.
 */
#include <jansson.h>

#include "feed/feed.h"

/*
 * feed_doc_to_json(doc, source): a new jansson object (caller owns one
 * reference: json_decref()) {"source", "format", "encoding", "wellformed",
 * "error"?, "feed": {...}, "entries": [...]}.  ${doc} may be NULL for an
 * input that could not be read at all; then ${error} is used.  Absent values
 * are absent keys; times are RFC 3339 UTC.  NULL when out of memory.
 */
json_t *feed_doc_to_json(const struct feed_doc *doc, const char *source,
                         const char *error);

/*
 * feed_entry_to_json(e): one entry as an object of the "entries" array
 * above (caller owns one reference); NULL when out of memory.  For writing
 * the entries of feed_parse_stream() as they come.
 */
json_t *feed_entry_to_json(const struct feed_entry *e);

/*
 * feed_entry_json(b, e): append to ${b} the text of that object, as
 * json_dumps(feed_entry_to_json(e), JSON_COMPACT | JSON_PRESERVE_ORDER)
 * writes it, without building it (a byte that is not valid UTF-8 is
 * written as U+FFFD).  0, or -1 when out of memory or over ${b}'s cap.
 */
int feed_entry_json(struct buf *b, const struct feed_entry *e);

#endif
