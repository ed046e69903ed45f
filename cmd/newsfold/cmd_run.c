/*
 * run: the service.  Polls every feed when it is due, for ever, over one
 * libcurl multi handle (pkg/fetch), storing each outcome as it arrives
 * (pkg/ingest); talks to systemd through sd_notify (Type=notify):
 * READY=1, STATUS=, WATCHDOG=1, RELOADING=1 on SIGHUP (newsfold.conf and
 * feeds.d read again), STOPPING=1 on SIGTERM/SIGINT (transfers in flight
 * abandoned; what was stored was stored whole).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "cmd.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "ingest/worker.h"
#include "base/banned.h"

#define IDLE_MS 1000 /* longest sleep between two looks at the clock */

static volatile sig_atomic_t got_stop, got_reload;
static volatile int stop_flag;
static struct fetch *live_fetch;

static void
on_signal(int sig)
{
	if (sig == SIGHUP) {
		got_reload = 1;
	} else {
		got_stop = 1;
		stop_flag = 1;
	}
	fetch_wakeup(live_fetch); /* curl_multi_wakeup: a write(2) on a socket */
}

/* One feed being fetched; owns its copies, so a reload cannot pull them away. */
struct job {
	struct fetch_req req;
	char *sub_url;
	struct ingest_plan plan;
	struct job *next;
};

struct run {
	struct cmd_ctx *c;
	struct ingest_opts io;
	struct fetch_opts fo;
	struct fetch *f;
	struct ingest_worker *w; /* stores what the loop fetches */
	int64_t *due;      /* per c->feeds.v[i]: when due (NF_TIME_NONE: never) */
	char *busy;        /* a job is in flight */
	char *failing;
	struct job *jobs;
	size_t polled, added, failed; /* since the last summary */
	int store_errors;  /* consecutive: the watchdog stops while > 2 */
	int status_dirty;
	int ready;         /* READY=1 to send once the feeds were looked at */
};

static uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
notify_status(struct run *r, const char *extra)
{
	size_t i, due = 0, failing = 0;
	int64_t now = nf_now();

	for (i = 0; i < r->c->feeds.n; i++) {
		due += r->busy[i] || (r->due[i] != NF_TIME_NONE && r->due[i] <= now);
		failing += r->failing[i] != 0;
	}
	sd_notifyf(0, "%sSTATUS=%zu feeds, %zu due, %zu failing, %zu in flight", extra ? extra : "",
	           r->c->feeds.n, due, failing, fetch_pending(r->f));
	r->status_dirty = 0;
}

static void
set_fetch_opts(struct run *r)
{
	const struct nf_config *cfg = &r->c->cfg;

	fetch_opts_init(&r->fo);
	r->fo.max_total = cfg->concurrency;
	r->fo.max_per_host = cfg->per_host;
	r->fo.connect_timeout = cfg->connect_timeout;
	r->fo.timeout = cfg->timeout;
	r->fo.max_body = (size_t)cfg->max_body;
	r->fo.user_agent = cfg->user_agent;
	ingest_opts_init(&r->io, cfg);
}

/* state_of(error): the part of an error that names the kind of failure
 * ("HTTP 404 Not Found", "timeout after 60 s"), so its details do not make
 * every poll a new state. */
static size_t
kind_len(const char *e)
{
	return e ? strcspn(e, ":(") : 0;
}

static void
log_change(const struct job *j, const struct fetch_res *res, const struct ingest_plan *now,
           const char *url)
{
	const char *was = j->plan.error, *is = now->error ? now->error : "failed";

	if (res->status == FETCH_GONE) {
		nf_log(NF_LOG_WARNING, "%s: 410 Gone: no longer polled (`poll --force` tries again)", url);
	} else if (now->failures > 0 && j->plan.failures == 0) {
		nf_log(NF_LOG_WARNING, "%s: failing: %s", url, is);
	} else if (now->failures > 0 &&
	           (kind_len(was) != kind_len(is) || strncmp(was ? was : "", is, kind_len(is)))) {
		nf_log(NF_LOG_WARNING, "%s: still failing (%u times), now: %s", url, now->failures, is);
	} else if (now->failures == 0 && j->plan.failures > 0) {
		nf_log(NF_LOG_INFO, "%s: recovered after %u failures", url, j->plan.failures);
	}
	if (res->moved_to && strcmp(res->moved_to, j->req.url) != 0)
		nf_log(NF_LOG_INFO, "%s: moved permanently to %s", url, res->moved_to);
}

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	ingest_plan_release(&j->plan);
	free(j->sub_url);
	free(j);
}

/* stored(o, ctx): the worker stored a feed (called on this thread). */
static void
stored(const struct ingest_outcome *o, void *ctx)
{
	struct run *r = ctx;
	struct job *j = o->user, **pp;
	struct feed_sub *sub = feed_list_find(&r->c->feeds, j->sub_url);
	struct ingest_plan p;
	size_t i;

	for (pp = &r->jobs; *pp && *pp != j; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = j->next;
	r->status_dirty = 1;
	if (sub == NULL) /* unsubscribed meanwhile */
		goto out;
	i = (size_t)(sub - r->c->feeds.v);
	r->busy[i] = 0;
	if (o->rc) {
		nf_log(NF_LOG_ERR, "%s: storing failed: %s", sub->url, o->error);
		r->store_errors++;
		r->due[i] = nf_now() + 60;
		goto out;
	}
	r->store_errors = 0;
	r->polled++;
	r->added += o->stats->added;
	r->failed += o->stats->failed != 0;
	if (ingest_plan(r->c->store, sub, nf_now(), 0, &p)) {
		r->due[i] = nf_now() + 60;
		goto out;
	}
	log_change(j, o->res, &p, sub->url);
	if (o->stats->added)
		nf_log(NF_LOG_DEBUG, "%s: %u new articles", sub->url, o->stats->added);
	r->due[i] = p.when;
	r->failing[i] = p.failures > 0;
	ingest_plan_release(&p);
out:
	job_free(j);
}

/* on_done: a transfer finished; the worker stores it while the loop goes
 * on.  The job stays listed (its feed busy) until it is stored. */
static void
on_done(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct run *r = ctx;
	struct job *j = req->user, **pp;
	struct feed_sub *sub = feed_list_find(&r->c->feeds, j->sub_url);

	if (sub != NULL && ingest_worker_push(r->w, sub, res, j) == 0)
		return;
	if (sub != NULL) {
		nf_log(NF_LOG_ERR, "%s: storing failed: out of memory", sub->url);
		r->busy[sub - r->c->feeds.v] = 0;
		r->due[sub - r->c->feeds.v] = nf_now() + 60;
	}
	/* unsubscribed while in flight, or not queued: nothing stored */
	for (pp = &r->jobs; *pp && *pp != j; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = j->next;
	r->status_dirty = 1;
	job_free(j);
}

/* dispatch(r, i, now): start polling feed i when the store agrees it is due. */
static int
dispatch(struct run *r, size_t i, int64_t now)
{
	struct feed_sub *sub = &r->c->feeds.v[i];
	struct nf_err err = {{0}};
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL || (j->sub_url = nf_strdup(sub->url)) == NULL)
		goto nomem;
	if (ingest_plan(r->c->store, sub, now, 0, &j->plan)) {
		nf_log(NF_LOG_ERR, "%s: reading its state failed", sub->url);
		r->due[i] = now + 60;
		job_free(j);
		return 0;
	}
	r->failing[i] = j->plan.failures > 0;
	if (!j->plan.due) {
		r->due[i] = j->plan.when;
		job_free(j);
		return 0;
	}
	j->req.url = j->plan.url;
	j->req.etag = j->plan.etag;
	j->req.last_modified = j->plan.last_modified;
	j->req.user = j;
	if (fetch_add(r->f, &j->req, &err))
		goto nomem;
	j->next = r->jobs;
	r->jobs = j;
	r->busy[i] = 1;
	r->status_dirty = 1;
	return 0;
nomem:
	job_free(j);
	nf_log(NF_LOG_ERR, "out of memory");
	return -1;
}

/* track(r): per-feed arrays for c->feeds, after a (re)load. */
static int
track(struct run *r)
{
	size_t n = r->c->feeds.n ? r->c->feeds.n : 1, i;
	struct job *j;
	struct feed_sub *sub;

	free(r->due);
	free(r->busy);
	free(r->failing);
	r->due = calloc(n, sizeof(*r->due)); /* 0: look at it now */
	r->busy = calloc(n, 1);
	r->failing = calloc(n, 1);
	if (r->due == NULL || r->busy == NULL || r->failing == NULL)
		return -1;
	for (i = 0; i < r->c->feeds.n; i++)
		if (r->c->feeds.v[i].is_opml)
			r->due[i] = NF_TIME_NONE; /* subscription lists are not feeds */
	for (j = r->jobs; j; j = j->next)
		if ((sub = feed_list_find(&r->c->feeds, j->sub_url)) != NULL)
			r->busy[sub - r->c->feeds.v] = 1;
	r->status_dirty = 1;
	return 0;
}

/* follow_lists(c, fl, d): add the feeds of subscription lists, as last
 * fetched (cmd_lists_refresh() keeps them), to ${fl}. */
static int
follow_lists(struct cmd_ctx *c, struct feed_list *fl, struct nf_diag *d)
{
	char *lists = cmd_state_path(c, "lists");
	int rc = lists ? feeds_follow_cached(fl, lists, d) : -1;

	free(lists);
	return rc;
}

/*
 * after_round(r): what follows each round of polls: retention, the Atom
 * feed of the stories written to $STATE/stories.atom, subscription lists
 * re-fetched when due (their feeds followed as they come and go).
 */
static void
after_round(struct run *r)
{
	struct cmd_ctx *c = r->c;
	char *atom = cmd_state_path(c, "stories.atom");
	size_t i;

	if (cmd_store_expire(c))
		r->store_errors++;
	/* the stories of the last day, as `newsfold atom` gives them */
	if (atom == NULL || cmd_atom_write_file(c, atom, nf_now() - 24 * 3600) != 0)
		nf_log(NF_LOG_WARNING, "%s: not written", atom ? atom : "stories.atom");
	free(atom);
	for (i = 0; i < c->feeds.n && !c->feeds.v[i].is_opml; i++)
		;
	if (i == c->feeds.n)
		return; /* no subscription list: c->feeds stays as it is */
	/* the feed list is reloaded: every feed is looked at again (its
	 * stored next poll decides whether it is due) */
	if (cmd_lists_refresh(c, 0) || track(r))
		r->store_errors++;
}

static int
reload(struct run *r)
{
	struct cmd_ctx *c = r->c;
	struct nf_config cfg;
	struct feed_list fl;
	struct nf_diag d = {0};
	size_t i;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)mono_usec());
	nf_log(NF_LOG_INFO, "reloading %s and %s", c->config_path, c->feeds_dir);
	config_init(&cfg);
	if (config_load(&cfg, c->config_path, 1, &d) == 0) {
		config_release(&c->cfg);
		c->cfg = cfg;
	} else {
		config_release(&cfg);
	}
	feed_list_init(&fl);
	if (feeds_load_dir(c->feeds_dir, &fl, &d) == 0 && follow_lists(c, &fl, &d) == 0) {
		feed_list_release(&c->feeds);
		c->feeds = fl;
	} else {
		nf_log(NF_LOG_ERR, "%s: cannot read it: %s; the feeds stay as they were",
		       c->feeds_dir, strerror(errno));
		feed_list_release(&fl);
	}
	for (i = 0; i < d.n; i++)
		nf_log(NF_LOG_WARNING, "%s", d.msg[i]);
	nf_diag_release(&d);
	set_fetch_opts(r);
	fetch_set_opts(r->f, &r->fo);
	/* a worker with the new options, once the old one has stored its queue */
	ingest_worker_collect(r->w, 1, stored, r);
	ingest_worker_free(r->w, 0);
	if ((r->w = ingest_worker_new(c->store, &r->io, 0, NULL)) == NULL)
		return -1;
	if (track(r))
		return -1;
	nf_log(NF_LOG_INFO, "reloaded: %zu feeds", c->feeds.n);
	r->ready = 1;
	return 0;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a sleep ends at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
cmd_run(int argc, char **argv, struct cmd_ctx *c)
{
	struct run r;
	struct nf_err err = {{0}};
	struct job *j;
	uint64_t wd_usec = 0, next_ping = 0, next_status = 0, t;
	int64_t now, next;
	size_t i;
	int rc = EXIT_FAIL, wait_ms;

	if (argc > 1)
		return cmd_usage_error("run", "unexpected argument '%s'", argv[1]);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	r.c = c;
	set_fetch_opts(&r);
	if ((r.f = fetch_new(&r.fo, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if ((r.w = ingest_worker_new(c->store, &r.io, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		fetch_free(r.f);
		return EXIT_FAIL;
	}
	if (track(&r))
		goto nomem;
	live_fetch = r.f;
	install_signals();
	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;
	nf_log(NF_LOG_INFO, "running: %zu feeds, store %s", c->feeds.n, c->db_path);
	r.ready = 1;

	for (;;) {
		if (got_stop)
			break;
		if (got_reload) {
			got_reload = 0;
			if (reload(&r))
				goto nomem;
		}
		now = nf_now();
		next = now + IDLE_MS / 1000;
		for (i = 0; i < c->feeds.n; i++) {
			if (r.busy[i] || r.due[i] == NF_TIME_NONE)
				continue;
			if (r.due[i] <= now && dispatch(&r, i, now))
				goto nomem;
			if (!r.busy[i] && r.due[i] != NF_TIME_NONE && r.due[i] < next)
				next = r.due[i];
		}
		if (r.ready) {
			notify_status(&r, "READY=1\n");
			r.ready = 0;
		}
		wait_ms = next > now ? (int)((next - now) * 1000) : 0;
		if (wait_ms > IDLE_MS)
			wait_ms = IDLE_MS;
		do {
			if (fetch_pending(r.f) == 0) {
				/* short naps while the worker still stores */
				int ms = ingest_worker_pending(r.w) && wait_ms > 20 ? 20 : wait_ms;
				struct timespec nap = {ms / 1000, (long)(ms % 1000) * 1000000L};
				nanosleep(&nap, NULL); /* a signal ends it */
			} else if (fetch_perform(r.f, wait_ms, on_done, &r, &stop_flag, &err)) {
				nf_log(NF_LOG_ERR, "polling: %s", err.msg);
				r.store_errors++;
			}
			ingest_worker_collect(r.w, 0, stored, &r);
			t = mono_usec();
			if (wd_usec && t >= next_ping && r.store_errors <= 2) {
				sd_notify(0, "WATCHDOG=1");
				next_ping = t + wd_usec / 2;
			}
			if (r.status_dirty && t >= next_status) {
				notify_status(&r, NULL);
				next_status = t + 1000000u;
			}
			if (r.polled && fetch_pending(r.f) == 0 && ingest_worker_pending(r.w) == 0) {
				nf_log(NF_LOG_INFO, "polled %zu feeds: %zu new articles, %zu failed",
				       r.polled, r.added, r.failed);
				r.polled = r.added = r.failed = 0;
				after_round(&r);
			}
			if (fetch_pending(r.f) == 0 && store_sync_pending(c->store) &&
			    store_sync(c->store, &err))
				nf_log(NF_LOG_ERR, "store: %s", err.msg);
		} while (!got_stop && !got_reload &&
		         (fetch_pending(r.f) > 0 || ingest_worker_pending(r.w) > 0) && nf_now() < next);
	}
	sd_notify(0, "STOPPING=1");
	nf_log(NF_LOG_INFO, "stopping: %zu transfers abandoned", fetch_pending(r.f));
	/* the feed being stored is finished; those waiting are dropped */
	ingest_worker_free(r.w, 1);
	r.w = NULL;
	rc = EXIT_OK;
	goto out;
nomem:
	nf_error("run: out of memory");
out:
	live_fetch = NULL;
	ingest_worker_free(r.w, 1);
	fetch_free(r.f);
	while ((j = r.jobs) != NULL) {
		r.jobs = j->next;
		job_free(j);
	}
	free(r.due);
	free(r.busy);
	free(r.failing);
	return rc;
}
