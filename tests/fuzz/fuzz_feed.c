/* fuzz_feed.c -- libFuzzer harness: feed_parse() on any bytes (RSS, Atom,
 * JSON Feed, or none), then what ingest does with each entry: its title,
 * summary and content through norm_html_to_text() and norm_fold(), its link
 * through norm_canon_url(); and what `parse --json` does with it: each
 * entry through feed_entry_json(), whose output must be valid JSON.  Built
 * by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "normalise/normalise.h"

static void
text(const char *s)
{
	struct buf b, f;

	if (s == NULL)
		return;
	buf_init(&b, 1 << 20);
	buf_init(&f, 1 << 21);
	if (norm_html_to_text(s, strlen(s), &b) == 0 && b.len > 0)
		(void)norm_fold(b.data, b.len, &f);
	buf_release(&f);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parse_opts o = { .url = "http://example.com/news/feed.xml" };
	struct nf_err err;
	struct feed_doc *doc;
	struct buf u;
	size_t i, j;

	/* The low bit of the length picks a lying Content-Type now and then. */
	if (size & 1)
		o.content_type = "text/xml; charset=iso-8859-1";
	doc = feed_parse((const char *)data, size, &o, &err);
	if (doc == NULL)
		return 0;
	text(doc->feed.title);
	for (i = 0; i < doc->nentries; i++) {
		struct feed_entry *e = &doc->entries[i];

		text(e->title);
		text(e->summary);
		for (j = 0; j < e->ncontent; j++)
			text(e->content[j].value);
		if (e->link != NULL) {
			buf_init(&u, 0);
			(void)norm_canon_url(e->link, o.url, &u);
			buf_release(&u);
		}
		buf_init(&u, 0);
		if (feed_entry_json(&u, e) == 0) {
			json_error_t jerr;
			json_t *j = json_loadb(u.data, u.len, 0, &jerr);

			if (j == NULL)
				abort(); /* the writer made something that is not JSON */
			json_decref(j);
		}
		buf_release(&u);
	}
	feed_doc_free(doc);
	return 0;
}
