/* parse: parse feeds (files or URLs) and print their items; nothing stored. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "fetch/fetch.h"
#include "base/banned.h"

#define PARSE_FILE_MAX (256u << 20)

struct input {
	const char *source;
	struct buf body;
	char *content_type;
	char *url;   /* the document URL, for relative links */
	char *error; /* could not be read */
};

static int
is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

static void
read_file(struct input *in)
{
	FILE *f = strcmp(in->source, "-") == 0 ? stdin : fopen(in->source, "rb");
	char chunk[65536];
	size_t n;
	struct buf e;

	buf_init(&e, 0);
	if (f == NULL) {
		buf_printf(&e, "%s", strerror(errno));
		in->error = buf_detach(&e);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&in->body, chunk, n)) {
			buf_printf(&e, in->body.over ? "larger than %u bytes" : "out of memory",
			           PARSE_FILE_MAX);
			break;
		}
	if (ferror(f) && e.len == 0)
		buf_printf(&e, "%s", strerror(errno));
	if (f != stdin)
		fclose(f);
	if (e.len)
		in->error = buf_detach(&e);
	buf_release(&e);
}

static void
fetched(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct input *in = req->user;

	if (res->status != FETCH_OK) {
		in->error = nf_strdup(res->error ? res->error : "not fetched");
		return;
	}
	if (buf_append(&in->body, res->body, res->len))
		in->error = nf_strdup("out of memory");
	in->content_type = nf_strdup(res->content_type);
	in->url = nf_strdup(res->effective_url);
}

static void
print_text(const struct input *in, const struct feed_doc *d)
{
	char when[32];
	size_t i;

	printf("%s: %s, %s%s%s, %zu entries\n", in->source, d->format ? d->format : "not a feed",
	       d->encoding ? d->encoding : "?", d->wellformed ? "" : ", not well-formed: ",
	       d->wellformed ? "" : d->error ? d->error : "?", d->nentries);
	if (d->format == NULL && d->error && d->wellformed)
		printf("  %s\n", d->error);
	if (d->feed.title)
		printf("  %s\n", d->feed.title);
	for (i = 0; i < d->nentries; i++) {
		const struct feed_entry *e = &d->entries[i];
		int64_t t = e->published != NF_TIME_NONE ? e->published : e->updated;
		printf("  %s  %s\n", t != NF_TIME_NONE ? nf_time_rfc3339(t, when) : "-                   ",
		       e->title ? e->title : "(untitled)");
		if (e->link)
			printf("  %20s  %s\n", "", e->link);
	}
}

int
cmd_parse(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct input *in;
	struct fetch_req *reqs;
	struct fetch_opts fo;
	struct nf_err err = {{0}};
	size_t n, i, nreq = 0;
	int ch, json = 0, rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j')
			return cmd_usage_error("parse", "unknown option");
		json = 1;
	}
	if (optind >= argc)
		return cmd_usage_error("parse", "name at least one FILE or URL");
	n = (size_t)(argc - optind);
	in = calloc(n, sizeof(*in));
	reqs = calloc(n, sizeof(*reqs));
	if (in == NULL || reqs == NULL) {
		free(in);
		free(reqs);
		nf_error("out of memory");
		return EXIT_FAIL;
	}
	fetch_opts_init(&fo);
	fo.max_total = c->cfg.concurrency;
	fo.max_per_host = c->cfg.per_host;
	fo.connect_timeout = c->cfg.connect_timeout;
	fo.timeout = c->cfg.timeout;
	fo.max_body = (size_t)c->cfg.max_body;
	fo.user_agent = c->cfg.user_agent;
	for (i = 0; i < n; i++) {
		in[i].source = argv[optind + (int)i];
		buf_init(&in[i].body, is_url(in[i].source) ? fo.max_body : PARSE_FILE_MAX);
		if (is_url(in[i].source)) {
			reqs[nreq].url = in[i].source;
			reqs[nreq].user = &in[i];
			nreq++;
		} else {
			read_file(&in[i]);
		}
	}
	if (nreq && fetch_run(&fo, reqs, nreq, fetched, NULL, NULL, &err)) {
		nf_error("fetching: %s", err.msg);
		rc = EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		struct feed_parse_opts po = {0};
		struct feed_doc *d = NULL;

		po.url = in[i].url ? in[i].url : is_url(in[i].source) ? in[i].source : NULL;
		po.content_type = in[i].content_type;
		if (in[i].error == NULL &&
		    (d = feed_parse(buf_cstr(&in[i].body), in[i].body.len, &po, &err)) == NULL)
			in[i].error = nf_strdup(err.msg);
		if (json) {
			if (cmd_print_json(feed_doc_to_json(d, in[i].source, in[i].error)))
				rc = EXIT_FAIL;
		} else if (d) {
			print_text(&in[i], d);
		}
		if (in[i].error) {
			nf_error("%s: %s", in[i].source, in[i].error);
			rc = EXIT_FAIL;
		}
		feed_doc_free(d);
		buf_release(&in[i].body);
		free(in[i].content_type);
		free(in[i].url);
		free(in[i].error);
	}
	free(in);
	free(reqs);
	return rc;
}
