/*
 * fetch: a bounded number of transfers in flight over one libcurl multi
 * handle (after curl's docs/examples/10-at-a-time.c).  Requests wait in
 * ${reqs} order; at most max_total easy handles exist at once; each one's
 * body is freed right after its callback, so a run holds at most
 * max_total * max_body bytes of bodies.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "base/base.h"
#include "fetch/fetch.h"
#include "base/banned.h"

#ifndef NF_VERSION
#define NF_VERSION "0"
#endif

#define FETCH_UA "newsfold/" NF_VERSION " (+https://github.com/newsfold/newsfold)"
#define FETCH_ACCEPT                                                                   \
	"Accept: application/rss+xml, application/atom+xml, application/feed+json, " \
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
#define FETCH_POLL_MS 200

struct host;

/* One transfer in flight. */
struct xfer {
	CURL *easy;
	struct fetch_req *req;
	struct host *host;  /* its host's queue */
	struct curl_slist *hdrs;
	struct buf body;
	char errbuf[CURL_ERROR_SIZE];

	/* the current reply of the redirect chain */
	long code;          /* its status, 0 before the first status line */
	char *etag;
	char *last_modified;
	char *content_type;
	char *content_location;
	char *location;
	char *retry_after;  /* raw values, resolved once the transfer ends */
	char *expires;
	char *date;
	int64_t max_age;

	/* the chain */
	int replies;        /* final (non-1xx) replies seen */
	int all_permanent;  /* every reply before the current one was 301/308 */
	int too_big;
	int nomem;
};

void
fetch_opts_init(struct fetch_opts *o)
{
	o->max_total = 32;
	o->max_per_host = 2;
	o->connect_timeout = 15;
	o->timeout = 60;
	o->max_body = 16u << 20;
	o->user_agent = NULL;
}

int
fetch_global_init(struct nf_err *err)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		nf_err_set(err, "curl_global_init: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ---- replies ---------------------------------------------------------- */

static void
reply_reset(struct xfer *x)
{
	free(x->etag);
	free(x->last_modified);
	free(x->content_type);
	free(x->content_location);
	free(x->location);
	free(x->retry_after);
	free(x->expires);
	free(x->date);
	x->etag = x->last_modified = x->content_type = x->location = NULL;
	x->content_location = NULL;
	x->retry_after = x->expires = x->date = NULL;
	x->max_age = -1;
}

static const char *
reason(long code)
{
	static const struct {
		long code;
		const char *text;
	} t[] = {
		{300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"},
		{303, "See Other"}, {305, "Use Proxy"}, {307, "Temporary Redirect"},
		{308, "Permanent Redirect"}, {400, "Bad Request"}, {401, "Unauthorized"},
		{402, "Payment Required"}, {403, "Forbidden"}, {404, "Not Found"},
		{405, "Method Not Allowed"}, {406, "Not Acceptable"},
		{407, "Proxy Authentication Required"}, {408, "Request Timeout"},
		{409, "Conflict"}, {410, "Gone"}, {411, "Length Required"},
		{412, "Precondition Failed"}, {413, "Content Too Large"},
		{414, "URI Too Long"}, {415, "Unsupported Media Type"},
		{416, "Range Not Satisfiable"}, {418, "I'm a teapot"},
		{421, "Misdirected Request"}, {422, "Unprocessable Content"},
		{425, "Too Early"}, {426, "Upgrade Required"}, {428, "Precondition Required"},
		{429, "Too Many Requests"}, {431, "Request Header Fields Too Large"},
		{451, "Unavailable For Legal Reasons"}, {500, "Internal Server Error"},
		{501, "Not Implemented"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
		{504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"},
		{507, "Insufficient Storage"}, {508, "Loop Detected"},
		{511, "Network Authentication Required"}, {520, "Unknown Error"},
		{521, "Web Server Is Down"}, {522, "Connection Timed Out"},
		{523, "Origin Is Unreachable"}, {524, "A Timeout Occurred"},
		{525, "SSL Handshake Failed"}, {526, "Invalid SSL Certificate"},
	};
	size_t i;

	for (i = 0; i < NF_ARRAY_LEN(t); i++)
		if (t[i].code == code)
			return t[i].text;
	return NULL;
}

/* set_field(dst, v, n): replace *dst with a copy of v[0..n). */
static int
set_field(char **dst, const char *v, size_t n)
{
	char *p;

	if ((p = nf_strndup(v, n)) == NULL)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

/* cache_control(x, v, n): max-age=N out of a Cache-Control value. */
static void
cache_control(struct xfer *x, const char *v, size_t n)
{
	const char *end = v + n, *p = v;
	int64_t age;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if ((size_t)(end - p) > 8 && nf_strncasecmp_ascii(p, "max-age=", 8) == 0) {
			p += 8;
			if (p < end && *p == '"')
				p++;
			if (p < end && isdigit((unsigned char)*p)) {
				for (age = 0; p < end && isdigit((unsigned char)*p); p++)
					if (age < INT64_MAX / 100)
						age = age * 10 + (*p - '0');
				x->max_age = age;
			}
		}
		while (p < end && *p != ',')
			p++;
	}
}

static long
status_of(const char *line, size_t n)
{
	const char *p = line, *end = line + n;
	long code = 0;
	int digits = 0;

	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	for (; p < end && isdigit((unsigned char)*p) && digits < 3; p++, digits++)
		code = code * 10 + (*p - '0');
	return digits == 3 ? code : 0;
}

static size_t
on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nitems, len = n, name;
	const char *v;
	long code;
	char **dst = NULL;
	int r = 0;

	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		code = status_of(line, n);
		if (code >= 100 && code < 200)
			return n; /* an interim reply: 100 Continue, 103 Early Hints */
		if (x->replies > 0 && x->code != 301 && x->code != 308)
			x->all_permanent = 0;
		x->replies++;
		x->code = code;
		reply_reset(x);
		return n;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (name = 0; name < len && line[name] != ':'; name++)
		;
	if (name == len)
		return n;
	v = line + name + 1;
	len -= name + 1;
	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;

#define IS(h) (name == sizeof(h) - 1 && nf_strncasecmp_ascii(line, h, name) == 0)
	if (IS("ETag"))
		dst = &x->etag;
	else if (IS("Last-Modified"))
		dst = &x->last_modified;
	else if (IS("Content-Type"))
		dst = &x->content_type;
	else if (IS("Content-Location"))
		dst = &x->content_location;
	else if (IS("Location"))
		dst = &x->location;
	else if (IS("Retry-After"))
		dst = &x->retry_after;
	else if (IS("Expires"))
		dst = &x->expires;
	else if (IS("Date"))
		dst = &x->date;
	else if (IS("Cache-Control"))
		cache_control(x, v, len);
#undef IS
	if (dst != NULL)
		r = set_field(dst, v, len);
	if (r != 0) {
		x->nomem = 1;
		return 0;
	}
	return n;
}

static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	/* Only a 2xx reply (or a file: URL, code 0) keeps its body: an error
	 * page is read and dropped, whatever its size. */
	if (x->code >= 300)
		return n;
	if (buf_append(&x->body, data, n) != 0) {
		if (x->body.over)
			x->too_big = 1;
		else
			x->nomem = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	return n;
}

/* ---- one transfer ----------------------------------------------------- */

static int
header_ok(const char *v)
{
	return v != NULL && *v != '\0' && strpbrk(v, "\r\n") == NULL;
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	buf_release(&x->body);
	reply_reset(x);
	free(x);
}

static int
add_header(struct curl_slist **l, const char *fmt, const char *v)
{
	struct curl_slist *n;
	struct buf b;

	buf_init(&b, 0);
	if (buf_printf(&b, fmt, v) != 0)
		return -1;
	n = curl_slist_append(*l, b.data);
	buf_release(&b);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

static struct xfer *
xfer_new(const struct fetch_opts *o, struct fetch_req *req, CURLSH *share)
{
	struct xfer *x;
	CURL *e;
	CURLcode rc = CURLE_OK;
	long low;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->req = req;
	x->max_age = -1;
	x->all_permanent = 1;
	buf_init(&x->body, o->max_body);
	if ((x->easy = e = curl_easy_init()) == NULL)
		goto err;
	if ((x->hdrs = curl_slist_append(NULL, FETCH_ACCEPT)) == NULL)
		goto err;
	if (header_ok(req->etag) && add_header(&x->hdrs, "If-None-Match: %s", req->etag))
		goto err;
	if (header_ok(req->last_modified) &&
	    add_header(&x->hdrs, "If-Modified-Since: %s", req->last_modified))
		goto err;
	low = o->connect_timeout > 0 ? o->connect_timeout * 2 : 30;

#define SET(opt, v) if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, v)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PRIVATE, (void *)x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, 5L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, o->user_agent && *o->user_agent ? o->user_agent : FETCH_UA);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	SET(CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	SET(CURLOPT_TIMEOUT, o->timeout);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, low);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	SET(CURLOPT_FILETIME, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, (void *)x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, (void *)x);
	if (share != NULL)
		SET(CURLOPT_SHARE, share);
#undef SET
	if (rc != CURLE_OK)
		goto err;
	/* file: URLs take no headers: ask curl for the time condition. */
	if (header_ok(req->last_modified) &&
	    nf_strncasecmp_ascii(req->url, "file:", 5) == 0) {
		time_t t = curl_getdate(req->last_modified, NULL);
		if (t != -1) {
			curl_easy_setopt(e, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
			curl_easy_setopt(e, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)t);
		}
	}
	return x;
err:
	xfer_free(x);
	return NULL;
}

/* http_time(v): seconds since the epoch of an HTTP-date, or -1. */
static int64_t
http_time(const char *v)
{
	time_t t;

	if (v == NULL)
		return -1;
	t = curl_getdate(v, NULL);
	return t == (time_t)-1 ? -1 : (int64_t)t;
}

/* delta(x, then): ${then} as seconds after the reply's Date (the clock
 * when it has none), never negative. */
static int64_t
delta(const struct xfer *x, int64_t then)
{
	int64_t now = http_time(x->date);

	if (now < 0)
		now = (int64_t)time(NULL);
	return then > now ? then - now : 0;
}

static int64_t
retry_after(const struct xfer *x)
{
	const char *p = x->retry_after;
	int64_t s = 0, t;

	if (p == NULL || *p == '\0')
		return -1;
	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p); p++)
			if (s < INT64_MAX / 100)
				s = s * 10 + (*p - '0');
		return *p == '\0' ? s : -1;
	}
	if ((t = http_time(p)) < 0)
		return -1;
	return delta(x, t);
}

static int64_t
max_age(const struct xfer *x)
{
	int64_t t;

	if (x->max_age >= 0)
		return x->max_age;
	if (x->expires == NULL)
		return -1;
	if ((t = http_time(x->expires)) < 0)
		return 0; /* an invalid Expires means "already expired" */
	return delta(x, t);
}

/* scheme_of(url, out): "file" out of "file:///etc/passwd". */
static void
scheme_of(const char *url, char out[16])
{
	size_t i;

	for (i = 0; url && url[i] && url[i] != ':' && i < 15; i++)
		out[i] = (char)tolower((unsigned char)url[i]);
	out[i] = '\0';
}

static void
xfer_done(const struct fetch_opts *o, struct xfer *x, CURLcode rc,
          fetch_done_fn *done, void *ctx)
{
	struct fetch_res res;
	struct buf why;
	char *eff = NULL, scheme[16], lm[40];
	curl_off_t us = 0;
	long code = 0, unmet = 0, redirects = 0;
	curl_off_t filetime = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&why, 1024);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
	curl_easy_getinfo(x->easy, CURLINFO_CONDITION_UNMET, &unmet);
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(x->easy, CURLINFO_FILETIME_T, &filetime);

	res.http_status = code;
	res.etag = x->etag;
	res.last_modified = x->last_modified;
	res.content_type = x->content_type;
	res.content_location = x->content_location;
	res.effective_url = eff ? eff : x->req->url;
	res.retry_after = retry_after(x);
	res.max_age = max_age(x);
	res.seconds = (double)us / 1e6;
	res.status = FETCH_ERROR;
	scheme_of(res.effective_url, scheme);

	if (rc == CURLE_OK) {
		if (code == 304 || (code == 0 && unmet)) {
			res.status = FETCH_NOT_MODIFIED;
		} else if ((code >= 200 && code < 300) || (code == 0 && strcmp(scheme, "file") == 0)) {
			res.status = FETCH_OK;
			res.body = x->body.data ? x->body.data : "";
			res.len = x->body.len;
		} else if (code == 410) {
			res.status = FETCH_GONE;
			buf_puts(&why, "410 Gone");
		} else if (code > 0) {
			buf_printf(&why, "HTTP %ld", code);
			if (reason(code))
				buf_printf(&why, " %s", reason(code));
			if (code >= 300 && code < 400 && x->location == NULL)
				buf_puts(&why, " without a Location");
		} else {
			buf_puts(&why, "no HTTP reply");
		}
	} else if (x->too_big) {
		buf_printf(&why, "body larger than %zu bytes", o->max_body);
	} else if (x->nomem || rc == CURLE_OUT_OF_MEMORY) {
		buf_puts(&why, "out of memory");
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		if (strstr(x->errbuf, "too slow"))
			buf_printf(&why, "too slow: %s", x->errbuf);
		else
			buf_printf(&why, "timeout after %ld s: %s", o->timeout, x->errbuf);
	} else if ((rc == CURLE_UNSUPPORTED_PROTOCOL && x->replies > 0 && x->location) ||
	           rc == CURLE_TOO_MANY_REDIRECTS) {
		if (rc == CURLE_TOO_MANY_REDIRECTS) {
			buf_printf(&why, "more than 5 redirects");
		} else {
			scheme_of(x->location, scheme);
			buf_printf(&why, "redirect to %s:// refused (only http and https)", scheme);
		}
	} else {
		buf_puts(&why, curl_easy_strerror(rc));
		if (x->errbuf[0] && strcmp(x->errbuf, curl_easy_strerror(rc)) != 0)
			buf_printf(&why, ": %s", x->errbuf);
	}
	if (res.status != FETCH_OK && res.status != FETCH_NOT_MODIFIED)
		res.error = why.data ? why.data : "failed";

	/* A permanent move: every reply before the last was 301/308. */
	if ((res.status == FETCH_OK || res.status == FETCH_NOT_MODIFIED) && redirects > 0 &&
	    x->all_permanent && x->replies >= 2 && eff && strcmp(eff, x->req->url) != 0)
		res.moved_to = eff;

	/* file: URLs have no Last-Modified header: take the file's time. */
	if (res.status == FETCH_OK && res.last_modified == NULL && code == 0 && filetime >= 0)
		res.last_modified = nf_time_http((int64_t)filetime, lm);

	done(x->req, &res, ctx);
	buf_release(&why);
}

/* ---- the loop --------------------------------------------------------- */

/*
 * Requests wait in per-host queues.  A host is "ready" when it has a
 * request waiting and room for one more transfer; ready hosts form a FIFO,
 * and a host that starts a transfer goes to its back while it stays ready:
 * round robin between hosts, first come first served within one.  file:
 * URLs (no host) share one queue without a limit.
 */
struct pend {
	struct fetch_req *req;
	struct pend *next;
};

struct host {
	char *name;          /* NULL: the queue of URLs without a host */
	long inflight;
	struct pend *head, *tail;
	struct host *hnext;  /* hash chain */
	struct host *rnext;  /* ready list */
	int ready;
};

struct fetch {
	struct fetch_opts o;
	CURLM *multi;
	CURLSH *share;
	struct xfer **slot;
	size_t nslot, inflight, queued;
	struct host **bucket;
	size_t nbucket, nhost;
	struct host *nohost;
	struct host *rhead, *rtail;
};

static struct xfer *
xfer_of(CURL *e)
{
	char *p = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &p);
	return (struct xfer *)(void *)p;
}

char *
fetch_host_of(const char *url)
{
	CURLU *u;
	char *h = NULL, *copy = NULL;
	size_t i;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h && *h) {
		if ((copy = nf_strdup(h)) != NULL)
			for (i = 0; copy[i]; i++)
				copy[i] = (char)tolower((unsigned char)copy[i]);
	}
	curl_free(h);
	curl_url_cleanup(u);
	return copy;
}

static size_t
hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

static int
host_room(const struct fetch *f, const struct host *h)
{
	return h->name == NULL || f->o.max_per_host <= 0 || h->inflight < f->o.max_per_host;
}

/* host_ready(f, h): put ${h} at the back of the ready list if it should be. */
static void
host_ready(struct fetch *f, struct host *h)
{
	if (h->ready || h->head == NULL || !host_room(f, h))
		return;
	h->ready = 1;
	h->rnext = NULL;
	if (f->rtail)
		f->rtail->rnext = h;
	else
		f->rhead = h;
	f->rtail = h;
}

static void
host_free(struct host *h)
{
	struct pend *p, *n;

	if (h == NULL)
		return;
	for (p = h->head; p; p = n) {
		n = p->next;
		free(p);
	}
	free(h->name);
	free(h);
}

/* host_drop(f, h): forget an idle host (not queued, nothing in flight). */
static void
host_drop(struct fetch *f, struct host *h)
{
	struct host **pp;

	if (h == f->nohost || h->inflight > 0 || h->head != NULL || h->ready)
		return;
	for (pp = &f->bucket[hash_str(h->name) & (f->nbucket - 1)]; *pp; pp = &(*pp)->hnext)
		if (*pp == h) {
			*pp = h->hnext;
			f->nhost--;
			host_free(h);
			return;
		}
}

static int
host_grow(struct fetch *f)
{
	struct host **nb, *h, *next;
	size_t n = f->nbucket * 2, i, k;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < f->nbucket; i++)
		for (h = f->bucket[i]; h; h = next) {
			next = h->hnext;
			k = hash_str(h->name) & (n - 1);
			h->hnext = nb[k];
			nb[k] = h;
		}
	free(f->bucket);
	f->bucket = nb;
	f->nbucket = n;
	return 0;
}

/* host_get(f, url): the queue of ${url}'s host, created when new. */
static struct host *
host_get(struct fetch *f, const char *url)
{
	struct host *h;
	char *name = fetch_host_of(url);
	size_t k;

	if (name == NULL)
		return f->nohost;
	k = hash_str(name) & (f->nbucket - 1);
	for (h = f->bucket[k]; h; h = h->hnext)
		if (strcmp(h->name, name) == 0) {
			free(name);
			return h;
		}
	if (f->nhost >= f->nbucket && host_grow(f) == 0)
		k = hash_str(name) & (f->nbucket - 1);
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		free(name);
		return NULL;
	}
	h->name = name;
	h->hnext = f->bucket[k];
	f->bucket[k] = h;
	f->nhost++;
	return h;
}

struct fetch *
fetch_new(const struct fetch_opts *opts, struct nf_err *err)
{
	struct fetch *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	if (opts)
		f->o = *opts;
	else
		fetch_opts_init(&f->o);
	if (f->o.max_total < 1)
		f->o.max_total = 1;
	if (f->o.max_per_host < 0)
		f->o.max_per_host = 0;
	f->nslot = (size_t)f->o.max_total;
	f->nbucket = 256;
	if ((f->slot = calloc(f->nslot, sizeof(*f->slot))) == NULL ||
	    (f->bucket = calloc(f->nbucket, sizeof(*f->bucket))) == NULL ||
	    (f->nohost = calloc(1, sizeof(*f->nohost))) == NULL)
		goto nomem;
	if ((f->multi = curl_multi_init()) == NULL) {
		nf_err_set(err, "fetch: curl_multi_init failed");
		fetch_free(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, f->o.max_total);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, f->o.max_per_host);
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	/* Single-threaded: the share needs no lock functions. */
	if ((f->share = curl_share_init()) != NULL) {
		curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	}
	return f;
nomem:
	nf_err_set(err, "fetch: out of memory");
	fetch_free(f);
	return NULL;
}

void
fetch_free(struct fetch *f)
{
	struct host *h, *next;
	size_t i;

	if (f == NULL)
		return;
	/* Abandon whatever is still in flight. */
	for (i = 0; f->slot && i < f->nslot; i++) {
		if (f->slot[i] == NULL)
			continue;
		curl_multi_remove_handle(f->multi, f->slot[i]->easy);
		xfer_free(f->slot[i]);
	}
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	if (f->share != NULL)
		curl_share_cleanup(f->share);
	for (i = 0; f->bucket && i < f->nbucket; i++)
		for (h = f->bucket[i]; h; h = next) {
			next = h->hnext;
			host_free(h);
		}
	host_free(f->nohost);
	free(f->bucket);
	free(f->slot);
	free(f);
}

int
fetch_add(struct fetch *f, struct fetch_req *req, struct nf_err *err)
{
	struct host *h;
	struct pend *p;

	if ((h = host_get(f, req->url)) == NULL || (p = calloc(1, sizeof(*p))) == NULL) {
		if (h)
			host_drop(f, h);
		nf_err_set(err, "fetch: out of memory");
		return -1;
	}
	p->req = req;
	if (h->tail)
		h->tail->next = p;
	else
		h->head = p;
	h->tail = p;
	f->queued++;
	host_ready(f, h);
	return 0;
}

int
fetch_set_opts(struct fetch *f, const struct fetch_opts *opts)
{
	struct fetch_opts o = *opts;
	struct xfer **slot;
	size_t n;

	if (o.max_total < 1)
		o.max_total = 1;
	if (o.max_per_host < 0)
		o.max_per_host = 0;
	n = (size_t)o.max_total;
	if (n > f->nslot) {
		if ((slot = realloc(f->slot, n * sizeof(*slot))) == NULL)
			return -1;
		memset(slot + f->nslot, 0, (n - f->nslot) * sizeof(*slot));
		f->slot = slot;
		f->nslot = n;
	}
	f->o = o;
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o.max_total);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, o.max_per_host);
	return 0;
}

size_t
fetch_pending(const struct fetch *f)
{
	return f ? f->queued + f->inflight : 0;
}

void
fetch_wakeup(struct fetch *f)
{
	if (f && f->multi)
		curl_multi_wakeup(f->multi);
}

/* start(f, err): fill free slots from the ready hosts. */
static int
start(struct fetch *f, struct nf_err *err)
{
	struct host *h;
	struct pend *p;
	struct xfer *x;
	CURLMcode mc;
	size_t i = 0;

	while (f->inflight < (size_t)f->o.max_total && (h = f->rhead) != NULL) {
		f->rhead = h->rnext;
		if (f->rhead == NULL)
			f->rtail = NULL;
		h->ready = 0;
		if (h->head == NULL || !host_room(f, h))
			continue;
		p = h->head;
		while (f->slot[i] != NULL)
			i++;
		if ((x = xfer_new(&f->o, p->req, f->share)) == NULL) {
			nf_err_set(err, "fetch: %s: cannot set up the transfer", p->req->url);
			host_ready(f, h);
			return -1;
		}
		x->host = h;
		if ((mc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
			nf_err_set(err, "fetch: %s", curl_multi_strerror(mc));
			xfer_free(x);
			host_ready(f, h);
			return -1;
		}
		h->head = p->next;
		if (h->head == NULL)
			h->tail = NULL;
		free(p);
		f->queued--;
		h->inflight++;
		f->slot[i] = x;
		f->inflight++;
		host_ready(f, h);
	}
	return 0;
}

int
fetch_perform(struct fetch *f, int wait_ms, fetch_done_fn *done, void *ctx,
              volatile int *stop, struct nf_err *err)
{
	struct xfer *x;
	struct host *h;
	CURLMsg *msg;
	CURLMcode mc;
	size_t i, finished = 0;
	int running = 0, left;

	if (stop && *stop)
		return 0;
	if (start(f, err))
		return -1;
	if (f->inflight == 0)
		return 0;
	if ((mc = curl_multi_perform(f->multi, &running)) != CURLM_OK) {
		nf_err_set(err, "fetch: %s", curl_multi_strerror(mc));
		return -1;
	}
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = xfer_of(msg->easy_handle);
		curl_multi_remove_handle(f->multi, msg->easy_handle);
		for (i = 0; i < f->nslot; i++)
			if (f->slot[i] == x)
				f->slot[i] = NULL;
		f->inflight--;
		finished++;
		h = x->host;
		x->host = NULL;
		if (!(stop && *stop))
			xfer_done(&f->o, x, msg->data.result, done, ctx);
		xfer_free(x);
		h->inflight--;
		host_ready(f, h);
		host_drop(f, h);
	}
	/* A freed slot takes a waiting request at once; else wait. */
	if (finished > 0 || (stop && *stop))
		return 0;
	if (wait_ms > FETCH_POLL_MS)
		wait_ms = FETCH_POLL_MS;
	if (running > 0 && wait_ms > 0 &&
	    (mc = curl_multi_poll(f->multi, NULL, 0, wait_ms, NULL)) != CURLM_OK) {
		nf_err_set(err, "fetch: %s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

int
fetch_run(const struct fetch_opts *opts, struct fetch_req *reqs, size_t n,
          fetch_done_fn *done, void *ctx, volatile int *stop, struct nf_err *err)
{
	struct fetch *f;
	size_t j;
	int ret = -1;

	if (n == 0)
		return 0;
	if ((f = fetch_new(opts, err)) == NULL)
		return -1;
	for (j = 0; j < n; j++)
		if (fetch_add(f, &reqs[j], err))
			goto out;
	while (fetch_pending(f) > 0 && !(stop && *stop))
		if (fetch_perform(f, FETCH_POLL_MS, done, ctx, stop, err))
			goto out;
	ret = 0;
out:
	fetch_free(f);
	return ret;
}
