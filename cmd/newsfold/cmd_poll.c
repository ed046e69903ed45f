/* poll: fetch every due feed once and store what it carries. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "ingest/worker.h"
#include "base/banned.h"

struct poll_state {
	struct cmd_ctx *c;
	struct ingest_opts io;
	size_t total, done, failed, added;
	int progress; /* draw a progress line on stderr */
	int store_failed;
	struct ingest_worker *w; /* stores what the fetch loop brings */
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

/* report(o, ctx): one feed stored (on this thread, in push order). */
static void
report(const struct ingest_outcome *o, void *ctx)
{
	struct poll_state *p = ctx;

	p->done++;
	if (o->rc) {
		if (p->progress)
			fputs("\r\033[K", stderr);
		nf_error("%s: storing failed: %s", o->sub->url, o->error);
		p->store_failed = 1;
		p->failed++;
		progress(p);
		return;
	}
	p->added += o->stats->added;
	if (o->stats->failed) {
		p->failed++;
		if (p->progress)
			fputs("\r\033[K", stderr);
		if (o->res->error)
			nf_error("%s: %s", o->sub->url, o->res->error);
		else
			nf_error("%s: not a feed or unreadable", o->sub->url);
	}
	nf_log(NF_LOG_DEBUG, "%s: %s, %u entries, %u new", o->sub->url,
	       o->res->status == FETCH_NOT_MODIFIED ? "not modified"
	       : o->stats->failed                   ? "failed"
	                                            : "ok",
	       o->stats->entries, o->stats->added);
	progress(p);
}

/* poll_done: a transfer finished; the worker stores it while the fetch
 * loop goes on. */
static void
poll_done(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct poll_state *p = ctx;
	const struct feed_sub *sub = req->user;

	if (ingest_worker_push(p->w, sub, res, NULL)) {
		nf_error("%s: storing failed: out of memory", sub->url);
		p->store_failed = 1;
		p->failed++;
		p->done++;
	}
	ingest_worker_collect(p->w, 0, report, p);
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
	if ((p.w = ingest_worker_new(c->store, &p.io, 0, &err)) == NULL) {
		nf_error("polling: %s", err.msg);
		goto out;
	}
	progress(&p);
	if (fetch_run(&fo, reqs, n, poll_done, &p, NULL, &err)) {
		if (p.progress)
			fputs("\n", stderr);
		nf_error("polling: %s", err.msg);
		ingest_worker_free(p.w, 0);
		goto out;
	}
	ingest_worker_collect(p.w, 1, report, &p);
	ingest_worker_free(p.w, 0);
	if (p.progress)
		fputs("\r\033[K", stderr);
	nf_log(NF_LOG_INFO, "polled %zu feeds: %zu new articles, %zu failed", p.total, p.added,
	       p.failed);
	rc = p.store_failed ? EXIT_FAIL : EXIT_OK;

	/* retention: remove what is older than [store] keep */
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
