#ifndef NF_FETCH_H
#define NF_FETCH_H
/*
 * fetch: many feeds over libcurl's multi interface, several transfers in
 * flight, in one event loop (curl_multi_poll).
 *
 * Each request may carry the ETag and Last-Modified of its last fetch, sent
 * as If-None-Match / If-Modified-Since (conditional GET).  Bodies are capped
 * (counted after decompression); http, https and file URLs are fetched;
 * redirects go to http and https only, at most 5 of them.
 *
 * A transfer's outcome -- 200, 304, 404, timeout, too big -- is data handed
 * to the caller's callback, never an error of fetch_run() itself.
 *
 * Requests wait in one queue per host and start round robin between hosts
 * (in the order given within one host); a host with max_per_host transfers
 * in flight waits, so a request never waits inside curl for a connection
 * while its timeout runs.  Memory: at most max_total bodies of at most
 * max_body bytes exist at once; each is freed right after its callback.
 * The body of an error reply (3xx-5xx) is read and dropped.
 *
 * Two ways to run: fetch_run() for a fixed set of requests, or a struct
 * fetch kept open (the daemon: one multi handle, its connections and DNS
 * cache reused for ever) fed with fetch_add() and driven by
 * fetch_perform().
 *
 * file: URLs have no headers: their Last-Modified is the file's mtime, and
 * a request's last_modified becomes a time condition (FETCH_NOT_MODIFIED
 * when the file is not newer).
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct fetch_opts {
	long max_total;       /* transfers in flight, all hosts (default 32) */
	long max_per_host;    /* transfers in flight per host (default 2) */
	long connect_timeout; /* seconds (default 15) */
	long timeout;         /* seconds for a whole transfer (default 60) */
	size_t max_body;      /* bytes after decompression (default 16 MiB) */
	const char *user_agent;
};

/* fetch_opts_init(o): the defaults above. */
void fetch_opts_init(struct fetch_opts *o);

struct fetch_req {
	const char *url;           /* borrowed for the duration of fetch_run() */
	const char *etag;          /* may be NULL */
	const char *last_modified; /* may be NULL */
	void *user;                /* handed back in the callback */
};

enum fetch_status {
	FETCH_OK,           /* a body arrived (2xx) */
	FETCH_NOT_MODIFIED, /* 304 */
	FETCH_ERROR,        /* any failure: see http_status and error */
	FETCH_GONE,         /* 410 */
};

/*
 * One finished transfer.  Every pointer is borrowed and valid only during
 * the callback; copy what you keep.
 */
struct fetch_res {
	enum fetch_status status;
	long http_status;          /* 0 when no HTTP reply (file:, network error) */
	const char *body;          /* NUL-terminated, len bytes; NULL unless FETCH_OK */
	size_t len;
	const char *etag;          /* from the reply, may be NULL */
	const char *last_modified; /* may be NULL */
	const char *content_type;  /* may be NULL */
	const char *content_location; /* the reply's Content-Location, may be NULL */
	const char *effective_url; /* after redirects */
	const char *moved_to;      /* the target of a permanent (301/308) redirect, or NULL;
	                              set only when every redirect of the chain was
	                              permanent and the final reply was 2xx or 304 */
	const char *error;         /* why it failed (FETCH_ERROR/GONE), or NULL:
	                              "HTTP 404 Not Found", "410 Gone", "body larger
	                              than N bytes", "timeout after N s: ...",
	                              "redirect to file:// refused (...)", or curl's
	                              message */
	int64_t retry_after;       /* seconds asked by Retry-After (a number, or an
	                              HTTP-date counted from the reply's Date), or -1 */
	int64_t max_age;           /* Cache-Control max-age or Expires - now, or -1
	                              (HTTP-dates count from the reply's Date) */
	double seconds;            /* time the transfer took */
};

/* fetch_done_fn: called once per request, in the order transfers finish. */
typedef void fetch_done_fn(const struct fetch_req *req, const struct fetch_res *res,
                           void *ctx);

/*
 * fetch_run(opts, reqs, n, done, ctx, err): fetch every request of ${reqs},
 * calling ${done} as each finishes.  Returns 0 once all have finished, or
 * -1 (err filled) when the transfers could not be run at all (curl could
 * not be initialised, out of memory); requests not yet reported then never
 * are.  ${stop}, when not NULL, is polled: once *stop is non-zero, transfers
 * in flight are abandoned and fetch_run() returns 0 without reporting them.
 */
int fetch_run(const struct fetch_opts *opts, struct fetch_req *reqs, size_t n,
              fetch_done_fn *done, void *ctx, volatile int *stop, struct nf_err *err);

/*
 * A poller kept open.  fetch_new(opts, err): NULL on failure (err filled).
 * fetch_free(f): abandons queued requests and transfers in flight, never
 * reporting them; fetch_free(NULL) does nothing.
 */
struct fetch;
struct fetch *fetch_new(const struct fetch_opts *opts, struct nf_err *err);
void fetch_free(struct fetch *f);
/* fetch_add(f, req, err): queue ${req}, borrowed until its callback (or
 * fetch_free()).  0, or -1 when out of memory. */
int fetch_add(struct fetch *f, struct fetch_req *req, struct nf_err *err);
/* fetch_set_opts(f, opts): new options for the transfers started from now
 * on (a reload); ${opts}' strings are borrowed until the next call or
 * fetch_free().  0, or -1 when out of memory (the old options stay). */
int fetch_set_opts(struct fetch *f, const struct fetch_opts *opts);
/* fetch_pending(f): requests queued or in flight. */
size_t fetch_pending(const struct fetch *f);
/*
 * fetch_perform(f, wait_ms, done, ctx, stop, err): start what may start,
 * report the transfers that finished (${done}, as for fetch_run()), and
 * when none did, wait for network activity up to ${wait_ms} (at most
 * 200 ms; 0: do not wait).  Returns 0, or -1 (err filled) when curl
 * failed.  Once *${stop} is set, nothing more is reported.
 */
int fetch_perform(struct fetch *f, int wait_ms, fetch_done_fn *done, void *ctx,
                  volatile int *stop, struct nf_err *err);
/* fetch_wakeup(f): make a fetch_perform() waiting now return early (from
 * another thread or a signal handler: curl_multi_wakeup()). */
void fetch_wakeup(struct fetch *f);

/* fetch_host_of(url): the lower-case host of ${url} (caller frees), or NULL
 * for a file: URL, one curl cannot parse, or out of memory. */
char *fetch_host_of(const char *url);

/* fetch_global_init() / fetch_global_cleanup(): curl_global_*; once per
 * process, from cmd/. */
int fetch_global_init(struct nf_err *err);
void fetch_global_cleanup(void);

#endif
