/*
 * Unit tests of pkg/fetch against tests/httpd.py serving tests/data/http
 * on 127.0.0.1 (the sidecar NAME.http files there shape each reply).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/base.h"
#include "fetch/fetch.h"

/* ---- the test server -------------------------------------------------- */

static struct {
	pid_t pid;
	char dir[PATH_MAX];
	char root[PATH_MAX];
	char portfile[PATH_MAX + 16];
	char log[PATH_MAX + 16];
	int port;
} srv;

static int
server_start(void **state)
{
	const char *tests = getenv("TESTS_DIR");
	char httpd[PATH_MAX + 16], rel[PATH_MAX];
	struct timespec nap = {0, 20 * 1000 * 1000};
	FILE *f;
	int i;

	if (tests == NULL || *tests == '\0')
		tests = "tests";
	snprintf(rel, sizeof(rel), "%s/data/http", tests);
	if (realpath(rel, srv.root) == NULL) {
		fprintf(stderr, "test_fetch: %s: %s\n", rel, strerror(errno));
		return -1;
	}
	snprintf(httpd, sizeof(httpd), "%s/httpd.py", tests);
	snprintf(srv.dir, sizeof(srv.dir), "%s/nf-fetch.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(srv.dir) == NULL)
		return -1;
	snprintf(srv.portfile, sizeof(srv.portfile), "%s/port", srv.dir);
	snprintf(srv.log, sizeof(srv.log), "%s/requests.log", srv.dir);

	if ((srv.pid = fork()) < 0)
		return -1;
	if (srv.pid == 0) {
		execlp("python3", "python3", httpd, "--root", srv.root, "--port-file",
		       srv.portfile, "--log", srv.log, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && srv.port == 0; i++) {
		if ((f = fopen(srv.portfile, "r")) != NULL) {
			if (fscanf(f, "%d", &srv.port) != 1)
				srv.port = 0;
			fclose(f);
		}
		if (srv.port == 0)
			nanosleep(&nap, NULL);
	}
	if (srv.port == 0) {
		fprintf(stderr, "test_fetch: tests/httpd.py did not start\n");
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
		return -1;
	}
	return fetch_global_init(NULL);
}

static int
server_stop(void **state)
{
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
	}
	unlink(srv.portfile);
	unlink(srv.log);
	rmdir(srv.dir);
	fetch_global_cleanup();
	return 0;
}

/* url(path): a URL of the test server; static storage, 8 at a time. */
static const char *
url(const char *path)
{
	static char u[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(u[k], sizeof(u[k]), "http://127.0.0.1:%d/%s", srv.port, path);
	return u[k];
}

/* logged_header(path, name): the value of request header ${name} in the
 * last logged request for ${path}, or NULL; the caller frees it. */
static char *
logged_header(const char *path, const char *name)
{
	char line[8192], want[256];
	char *found = NULL;
	json_t *j, *h;
	FILE *f;

	snprintf(want, sizeof(want), "/%s", path);
	if ((f = fopen(srv.log, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((j = json_loads(line, 0, NULL)) == NULL)
			continue;
		if (strcmp(json_string_value(json_object_get(j, "path")) ? json_string_value(json_object_get(j, "path")) : "", want) == 0) {
			h = json_object_get(json_object_get(j, "headers"), name);
			free(found);
			found = json_is_string(h) ? strdup(json_string_value(h)) : NULL;
		}
		json_decref(j);
	}
	fclose(f);
	return found;
}

/* ---- collecting results ----------------------------------------------- */

struct got {
	int calls;
	enum fetch_status status;
	long http_status;
	char *body;
	size_t len;
	char *etag, *last_modified, *content_type, *effective_url, *moved_to, *error;
	int64_t retry_after, max_age;
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
collect(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct got *g = req->user;
	int *order = ctx;

	g->calls++;
	if (order)
		(*order)++;
	g->status = res->status;
	g->http_status = res->http_status;
	g->len = res->len;
	if (res->body) {
		g->body = malloc(res->len + 1);
		memcpy(g->body, res->body, res->len + 1);
	}
	g->etag = dup_or_null(res->etag);
	g->last_modified = dup_or_null(res->last_modified);
	g->content_type = dup_or_null(res->content_type);
	g->effective_url = dup_or_null(res->effective_url);
	g->moved_to = dup_or_null(res->moved_to);
	g->error = dup_or_null(res->error);
	g->retry_after = res->retry_after;
	g->max_age = res->max_age;
}

static void
got_release(struct got *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(g[i].body);
		free(g[i].etag);
		free(g[i].last_modified);
		free(g[i].content_type);
		free(g[i].effective_url);
		free(g[i].moved_to);
		free(g[i].error);
	}
}

/* run(o, urls, got, n): fetch ${n} URLs, each result into got[i]. */
static void
run(const struct fetch_opts *o, const char **urls, struct got *got, size_t n)
{
	struct fetch_req req[16];
	struct nf_err err = {{0}};
	size_t i;

	assert_true(n <= NF_ARRAY_LEN(req));
	memset(got, 0, n * sizeof(*got));
	memset(req, 0, sizeof(req));
	for (i = 0; i < n; i++) {
		req[i].url = urls[i];
		req[i].user = &got[i];
	}
	assert_int_equal(fetch_run(o, req, n, collect, NULL, NULL, &err), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(got[i].calls, 1);
}

static void
fetch1(const char *u, struct got *g)
{
	struct fetch_opts o;

	fetch_opts_init(&o);
	run(&o, &u, g, 1);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = malloc(1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(p, 1, (1 << 20) - 1, f);
	p[n] = '\0';
	fclose(f);
	*len = n;
	return p;
}

static char *
fixture(const char *name, size_t *len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", srv.root, name);
	return slurp(path, len);
}

/* ---- tests ------------------------------------------------------------ */

static void
transfers_in_flight_each_get_their_own_body(void **state)
{
	const char *names[] = {"feed.xml", "feed.atom", "feed.json", "feed.xml?x=2",
	                       "feed.atom?x=2", "feed.json?x=2", "feed.xml?x=3"};
	const char *urls[NF_ARRAY_LEN(names)];
	struct got got[NF_ARRAY_LEN(names)];
	struct fetch_opts o;
	size_t i, len;
	char *want, base[64];

	fetch_opts_init(&o);
	o.max_total = 3; /* fewer slots than requests: the queue refills them */
	for (i = 0; i < NF_ARRAY_LEN(names); i++)
		urls[i] = url(names[i]);
	run(&o, urls, got, NF_ARRAY_LEN(names));
	for (i = 0; i < NF_ARRAY_LEN(names); i++) {
		snprintf(base, sizeof(base), "%s", names[i]);
		base[strcspn(base, "?")] = '\0';
		want = fixture(base, &len);
		assert_int_equal(got[i].status, FETCH_OK);
		assert_int_equal(got[i].http_status, 200);
		assert_int_equal(got[i].len, len);
		assert_memory_equal(got[i].body, want, len);
		assert_non_null(got[i].etag);
		assert_non_null(got[i].last_modified);
		assert_null(got[i].error);
		assert_null(got[i].moved_to);
		assert_int_equal(got[i].retry_after, -1);
		free(want);
	}
	assert_string_equal(got[1].content_type, "application/atom+xml");
	assert_string_equal(got[2].content_type, "application/feed+json");
	got_release(got, NF_ARRAY_LEN(names));
}

static void
requests_announce_newsfold_and_prefer_feeds(void **state)
{
	struct got g;
	char *ua, *accept;

	fetch1(url("feed.atom?ua"), &g);
	assert_int_equal(g.status, FETCH_OK);
	ua = logged_header("feed.atom?ua", "User-Agent");
	accept = logged_header("feed.atom?ua", "Accept");
	assert_non_null(ua);
	assert_non_null(accept);
	assert_true(strncmp(ua, "newsfold/", 9) == 0);
	assert_non_null(strstr(accept, "application/atom+xml"));
	assert_non_null(strstr(accept, "application/rss+xml"));
	free(ua);
	free(accept);
	got_release(&g, 1);
}

static void
second_fetch_with_etag_is_not_modified(void **state)
{
	struct fetch_req req = {0};
	struct nf_err err = {{0}};
	struct fetch_opts o;
	struct got first, second;
	char *sent;

	fetch1(url("feed.xml?cond"), &first);
	assert_int_equal(first.status, FETCH_OK);
	assert_non_null(first.etag);

	fetch_opts_init(&o);
	memset(&second, 0, sizeof(second));
	req.url = url("feed.xml?cond");
	req.etag = first.etag;
	req.last_modified = first.last_modified;
	req.user = &second;
	assert_int_equal(fetch_run(&o, &req, 1, collect, NULL, NULL, &err), 0);
	assert_int_equal(second.status, FETCH_NOT_MODIFIED);
	assert_int_equal(second.http_status, 304);
	assert_null(second.body);
	assert_null(second.error);

	sent = logged_header("feed.xml?cond", "If-None-Match");
	assert_non_null(sent);
	assert_string_equal(sent, first.etag);
	free(sent);
	sent = logged_header("feed.xml?cond", "If-Modified-Since");
	assert_non_null(sent);
	assert_string_equal(sent, first.last_modified);
	free(sent);
	got_release(&first, 1);
	got_release(&second, 1);
}

static void
last_modified_alone_also_gets_not_modified(void **state)
{
	struct fetch_req req = {0};
	struct nf_err err = {{0}};
	struct got first, second;

	fetch1(url("feed.json?ims"), &first);
	assert_non_null(first.last_modified);
	memset(&second, 0, sizeof(second));
	req.url = url("feed.json?ims");
	req.last_modified = first.last_modified;
	req.user = &second;
	assert_int_equal(fetch_run(NULL, &req, 1, collect, NULL, NULL, &err), 0);
	assert_int_equal(second.status, FETCH_NOT_MODIFIED);
	got_release(&first, 1);
	got_release(&second, 1);
}

static void
missing_feed_is_an_error_naming_404(void **state)
{
	struct got g;

	fetch1(url("no-such-feed.xml"), &g);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_int_equal(g.http_status, 404);
	assert_null(g.body);
	assert_non_null(g.error);
	assert_string_equal(g.error, "HTTP 404 Not Found");
	got_release(&g, 1);
}

static void
huge_error_page_is_still_reported_as_its_status(void **state)
{
	struct fetch_opts o;
	const char *u = url("big-404.xml");
	struct got g;

	fetch_opts_init(&o);
	o.max_body = 4096;
	run(&o, &u, &g, 1);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_int_equal(g.http_status, 404);
	assert_non_null(strstr(g.error, "404"));
	got_release(&g, 1);
}

static void
gone_feed_is_reported_gone(void **state)
{
	struct got g;

	fetch1(url("gone.xml"), &g);
	assert_int_equal(g.status, FETCH_GONE);
	assert_int_equal(g.http_status, 410);
	assert_string_equal(g.error, "410 Gone");
	got_release(&g, 1);
}

static void
body_over_the_cap_is_refused(void **state)
{
	struct fetch_opts o;
	const char *urls[2] = {url("big.xml"), url("feed.xml?cap")};
	struct got g[2];

	fetch_opts_init(&o);
	o.max_body = 64 * 1024;
	run(&o, urls, g, 2);
	assert_int_equal(g[0].status, FETCH_ERROR);
	assert_null(g[0].body);
	assert_non_null(g[0].error);
	assert_non_null(strstr(g[0].error, "larger than 65536 bytes"));
	assert_int_equal(g[1].status, FETCH_OK); /* a small one still passes */
	got_release(g, 2);
}

static void
slow_servers_time_out_without_holding_up_the_rest(void **state)
{
	struct fetch_opts o;
	const char *urls[] = {url("slow.xml"), url("feed.xml?t1"), url("drip.json"),
	                      url("feed.atom?t2"), url("feed.json?t3")};
	struct got g[NF_ARRAY_LEN(urls)];
	size_t i;

	fetch_opts_init(&o);
	o.timeout = 1;
	o.connect_timeout = 1;
	o.max_total = 4;
	run(&o, urls, g, NF_ARRAY_LEN(urls));
	assert_int_equal(g[0].status, FETCH_ERROR);
	assert_non_null(strstr(g[0].error, "timeout"));
	assert_int_equal(g[2].status, FETCH_ERROR); /* a drip is cut too */
	assert_non_null(strstr(g[2].error, "timeout"));
	assert_null(g[2].body);
	for (i = 1; i < NF_ARRAY_LEN(urls); i += 2) {
		assert_int_equal(g[i].status, FETCH_OK);
		assert_true(g[i].len > 0);
	}
	assert_int_equal(g[4].status, FETCH_OK);
	got_release(g, NF_ARRAY_LEN(urls));
}

static void
stalled_server_is_cut_before_the_whole_timeout(void **state)
{
	struct fetch_opts o;
	const char *u = url("slow.xml?stall");
	struct got g;

	/* nothing for 2 s (twice the connect timeout): too slow, long before
	 * the 30 s timeout (the server would answer after 3 s) */
	fetch_opts_init(&o);
	o.timeout = 30;
	o.connect_timeout = 1;
	run(&o, &u, &g, 1);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_non_null(strstr(g.error, "too slow"));
	got_release(&g, 1);
}

static void
file_urls_are_read(void **state)
{
	char u[PATH_MAX + 64];
	const char *pu = u;
	struct fetch_req req = {0};
	struct nf_err err = {{0}};
	struct got g, again;
	size_t len;
	char *want = fixture("feed.xml", &len);

	snprintf(u, sizeof(u), "file://%s/feed.xml", srv.root);
	fetch1(pu, &g);
	assert_int_equal(g.status, FETCH_OK);
	assert_int_equal(g.http_status, 0);
	assert_int_equal(g.len, len);
	assert_memory_equal(g.body, want, len);
	assert_non_null(g.last_modified); /* the file's time */

	/* and a file that has not changed since is not modified */
	memset(&again, 0, sizeof(again));
	req.url = u;
	req.last_modified = g.last_modified;
	req.user = &again;
	assert_int_equal(fetch_run(NULL, &req, 1, collect, NULL, NULL, &err), 0);
	assert_int_equal(again.status, FETCH_NOT_MODIFIED);
	free(want);
	got_release(&g, 1);
	got_release(&again, 1);
}

static void
missing_file_url_is_an_error(void **state)
{
	char u[PATH_MAX + 64];
	struct got g;

	snprintf(u, sizeof(u), "file://%s/no-such-file.xml", srv.root);
	fetch1(u, &g);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_non_null(g.error);
	assert_null(g.body);
	got_release(&g, 1);
}

static void
redirect_to_a_file_url_is_refused(void **state)
{
	struct got g;

	fetch1(url("to-file.xml"), &g);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_null(g.body);
	assert_non_null(g.error);
	assert_non_null(strstr(g.error, "redirect to file:// refused"));
	assert_null(strstr(g.error, "root:"));
	got_release(&g, 1);
}

static void
permanent_redirect_sets_moved_to(void **state)
{
	const char *urls[] = {url("moved.xml"), url("moved-twice.xml"), url("found.xml"),
	                      url("found-then-moved.xml")};
	struct got g[NF_ARRAY_LEN(urls)];
	struct fetch_opts o;
	size_t i;

	fetch_opts_init(&o);
	run(&o, urls, g, NF_ARRAY_LEN(urls));
	for (i = 0; i < NF_ARRAY_LEN(urls); i++) {
		assert_int_equal(g[i].status, FETCH_OK);
		assert_string_equal(g[i].effective_url, url("feed.xml"));
		assert_non_null(g[i].etag);
	}
	assert_non_null(g[0].moved_to);
	assert_string_equal(g[0].moved_to, url("feed.xml"));
	assert_non_null(g[1].moved_to);
	assert_string_equal(g[1].moved_to, url("feed.xml"));
	assert_null(g[2].moved_to); /* 302: temporary */
	assert_null(g[3].moved_to); /* 302 first: the subscription stays */
	got_release(g, NF_ARRAY_LEN(urls));
}

static void
retry_after_is_parsed_in_seconds_or_as_a_date(void **state)
{
	const char *urls[] = {url("busy.xml"), url("busy-until.xml")};
	struct got g[2];
	struct fetch_opts o;

	fetch_opts_init(&o);
	run(&o, urls, g, 2);
	assert_int_equal(g[0].status, FETCH_ERROR);
	assert_int_equal(g[0].http_status, 503);
	assert_string_equal(g[0].error, "HTTP 503 Service Unavailable");
	assert_int_equal(g[0].retry_after, 120);
	assert_int_equal(g[1].http_status, 429);
	assert_int_equal(g[1].retry_after, 300);
	got_release(g, 2);
}

static void
cache_lifetime_comes_from_max_age_or_expires(void **state)
{
	const char *urls[] = {url("cached.xml"), url("expires.xml"), url("feed.xml?c")};
	struct got g[3];
	struct fetch_opts o;

	fetch_opts_init(&o);
	run(&o, urls, g, 3);
	assert_int_equal(g[0].max_age, 600);
	assert_int_equal(g[1].max_age, 3600);
	assert_int_equal(g[2].max_age, -1);
	got_release(g, 3);
}

static void
gzip_body_arrives_decompressed(void **state)
{
	struct got g;
	size_t len;
	char *want = fixture("feed.xml", &len);
	char *enc;

	fetch1(url("gzip.xml"), &g);
	assert_int_equal(g.status, FETCH_OK);
	assert_int_equal(g.len, 50 * len);
	assert_memory_equal(g.body, want, len);
	assert_memory_equal(g.body + 49 * len, want, len);
	enc = logged_header("gzip.xml", "Accept-Encoding");
	assert_non_null(enc);
	assert_non_null(strstr(enc, "gzip"));
	free(enc);
	free(want);
	got_release(&g, 1);
}

static void
gzip_cap_counts_decompressed_bytes(void **state)
{
	struct fetch_opts o;
	const char *u = url("gzip.xml?cap");
	struct got g;

	/* the compressed reply is small; 50 copies decompressed are not */
	fetch_opts_init(&o);
	o.max_body = 4096;
	run(&o, &u, &g, 1);
	assert_int_equal(g.status, FETCH_ERROR);
	assert_non_null(strstr(g.error, "larger"));
	got_release(&g, 1);
}

static volatile int stop_now;

static void
stop_after_first(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	(*(int *)ctx)++;
	stop_now = 1;
}

static void
stop_flag_abandons_the_rest(void **state)
{
	struct fetch_req req[4] = {{0}};
	struct nf_err err = {{0}};
	struct fetch_opts o;
	int calls = 0;
	size_t i;

	fetch_opts_init(&o);
	o.max_total = 2;
	req[0].url = url("feed.xml?stop");
	for (i = 1; i < 4; i++)
		req[i].url = url("slow.xml?stop");
	stop_now = 0;
	assert_int_equal(fetch_run(&o, req, 4, stop_after_first, &calls, &stop_now, &err), 0);
	assert_int_equal(calls, 1); /* the slow ones were abandoned, unreported */

	stop_now = 1; /* already set: nothing starts */
	calls = 0;
	assert_int_equal(fetch_run(&o, req, 4, stop_after_first, &calls, &stop_now, &err), 0);
	assert_int_equal(calls, 0);
}

static void
no_requests_is_a_quick_success(void **state)
{
	struct nf_err err = {{0}};

	assert_int_equal(fetch_run(NULL, NULL, 0, collect, NULL, NULL, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transfers_in_flight_each_get_their_own_body),
		cmocka_unit_test(requests_announce_newsfold_and_prefer_feeds),
		cmocka_unit_test(second_fetch_with_etag_is_not_modified),
		cmocka_unit_test(last_modified_alone_also_gets_not_modified),
		cmocka_unit_test(missing_feed_is_an_error_naming_404),
		cmocka_unit_test(huge_error_page_is_still_reported_as_its_status),
		cmocka_unit_test(gone_feed_is_reported_gone),
		cmocka_unit_test(body_over_the_cap_is_refused),
		cmocka_unit_test(slow_servers_time_out_without_holding_up_the_rest),
		cmocka_unit_test(stalled_server_is_cut_before_the_whole_timeout),
		cmocka_unit_test(file_urls_are_read),
		cmocka_unit_test(missing_file_url_is_an_error),
		cmocka_unit_test(redirect_to_a_file_url_is_refused),
		cmocka_unit_test(permanent_redirect_sets_moved_to),
		cmocka_unit_test(retry_after_is_parsed_in_seconds_or_as_a_date),
		cmocka_unit_test(cache_lifetime_comes_from_max_age_or_expires),
		cmocka_unit_test(gzip_body_arrives_decompressed),
		cmocka_unit_test(gzip_cap_counts_decompressed_bytes),
		cmocka_unit_test(stop_flag_abandons_the_rest),
		cmocka_unit_test(no_requests_is_a_quick_success),
	};
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
