/* poll: fetch every due feed once and store what it carries. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "base/banned.h"

struct poll_state {
	struct cmd_ctx *c;
	struct ingest_opts io;
	size_t total, done, failed, added;
	int progress; /* draw a progress line on stderr */
	int store_failed;
};

static void
progress(struct poll_state *p)
{
	if (!p->progress)
		return;
	fprintf(stderr, "\r\033[Kpolling: %zu/%zu feeds, %zu failed, %zu new articles", p->done,
	        p->total, p->failed, p->added);
	fflush(stderr);
}

static void
poll_done(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct poll_state *p = ctx;
	const struct feed_sub *sub = req->user;
	struct ingest_stats st;
	struct nf_err err = {{0}};

	p->done++;
	if (ingest_feed(p->c->store, &p->io, sub, res, &st, &err)) {
		if (p->progress)
			fputs("\r\033[K", stderr);
		nf_error("%s: storing failed: %s", sub->url, err.msg);
		p->store_failed = 1;
		p->failed++;
		progress(p);
		return;
	}
	p->added += st.added;
	if (st.failed) {
		p->failed++;
		if (p->progress)
			fputs("\r\033[K", stderr);
		if (res->error)
			nf_error("%s: %s", sub->url, res->error);
		else
			nf_error("%s: not a feed or unreadable", sub->url);
	}
	nf_log(NF_LOG_DEBUG, "%s: %s, %u entries, %u new", sub->url,
	       res->status == FETCH_NOT_MODIFIED ? "not modified" : st.failed ? "failed" : "ok",
	       st.entries, st.added);
	progress(p);
}

int
cmd_poll(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	struct poll_state p;
	struct fetch_opts fo;
	struct fetch_req *reqs = NULL;
	char **owned = NULL;
	struct nf_err err = {{0}};
	int force = 0, ch, rc = EXIT_FAIL;
	size_t i, n = 0;
	int64_t now = nf_now();

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'F')
			return cmd_usage_error("poll", "unknown option");
		force = 1;
	}
	if (optind < argc)
		return cmd_usage_error("poll", "unexpected argument '%s'", argv[optind]);
	if (c->feeds.n == 0) {
		nf_error("nothing to poll: no feeds in %s", c->feeds_dir);
		return EXIT_FAIL;
	}
	if (cmd_open_store(c))
		return EXIT_FAIL;
	cmd_lists_refresh(c, force); /* subscription lists: cmd_opml.c */
	memset(&p, 0, sizeof(p));
	p.c = c;
	ingest_opts_init(&p.io, &c->cfg);
	p.progress = isatty(STDERR_FILENO) && c->tty;
	if ((reqs = calloc(c->feeds.n, sizeof(*reqs))) == NULL ||
	    (owned = calloc(c->feeds.n * 3, sizeof(*owned))) == NULL) {
		nf_error("out of memory");
		goto out;
	}
	for (i = 0; i < c->feeds.n; i++) {
		struct feed_sub *sub = &c->feeds.v[i];
		char *url, *etag, *lm;
		int due;

		if (sub->is_opml)
			continue; /* subscription lists are followed by `run` */
		due = ingest_due(c->store, sub, now, force, &url, &etag, &lm);
		if (due < 0) {
			nf_error("%s: reading its state failed", sub->url);
			goto out;
		}
		owned[3 * n] = url;
		owned[3 * n + 1] = etag;
		owned[3 * n + 2] = lm;
		if (!due) {
			free(url);
			free(etag);
			free(lm);
			owned[3 * n] = owned[3 * n + 1] = owned[3 * n + 2] = NULL;
			continue;
		}
		reqs[n].url = url;
		reqs[n].etag = etag;
		reqs[n].last_modified = lm;
		reqs[n].user = sub;
		n++;
	}
	p.total = n;
	if (n == 0) {
		nf_log(NF_LOG_INFO, "no feed is due (use `poll --force` to poll them all)");
		rc = EXIT_OK;
		goto out;
	}
	fetch_opts_init(&fo);
	fo.max_total = c->cfg.concurrency;
	fo.max_per_host = c->cfg.per_host;
	fo.connect_timeout = c->cfg.connect_timeout;
	fo.timeout = c->cfg.timeout;
	fo.max_body = (size_t)c->cfg.max_body;
	fo.user_agent = c->cfg.user_agent;
	progress(&p);
	if (fetch_run(&fo, reqs, n, poll_done, &p, NULL, &err)) {
		if (p.progress)
			fputs("\n", stderr);
		nf_error("polling: %s", err.msg);
		goto out;
	}
	if (p.progress)
		fputs("\r\033[K", stderr);
	nf_log(NF_LOG_INFO, "polled %zu feeds: %zu new articles, %zu failed", p.total, p.added,
	       p.failed);
	rc = p.store_failed ? EXIT_FAIL : EXIT_OK;

	/* retention (store, issue 6): remove what is older than [store] keep */
	if (cmd_store_expire(c))
		rc = EXIT_FAIL;
out:
	if (owned)
		for (i = 0; i < c->feeds.n * 3; i++)
			free(owned[i]);
	free(owned);
	free(reqs);
	return rc;
}
