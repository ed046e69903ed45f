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

#endif
