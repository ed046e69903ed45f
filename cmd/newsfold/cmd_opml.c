/* import, export: OPML in and out; subscription lists (`type = opml`)
 * fetched and followed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fetch/fetch.h"
#include "ingest/ingest.h"
#include "normalise/normalise.h"
#include "base/banned.h"

#define LIST_MAX_BACKOFF (24 * 3600)

static int
mkdir_p(const char *dir)
{
	char *p = nf_strdup(dir), *s;
	int rc = -1;

	if (p == NULL)
		return -1;
	for (s = p + 1;; s++) {
		s = strchr(s, '/');
		if (s)
			*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			goto out;
		if (s == NULL)
			break;
		*s = '/';
	}
	rc = 0;
out:
	free(p);
	return rc;
}

/* read_existing(path, out): 1 read into ${out}, 0 absent, -1 unreadable. */
static int
read_existing(const char *path, struct buf *out)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(out, chunk, n)) {
			fclose(f);
			errno = ENOMEM;
			return -1;
		}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 1;
}

/* ---- export -------------------------------------------------------------- */

int
cmd_export(int argc, char **argv, struct cmd_ctx *c)
{
	struct feed_list mine;
	struct buf out;
	size_t i;
	int rc = EXIT_FAIL;

	if (argc > 1)
		return cmd_usage_error("export", "unexpected argument '%s'", argv[1]);
	/* the subscriptions as declared: a list, not the feeds it lists */
	feed_list_init(&mine);
	buf_init(&out, 0);
	for (i = 0; i < c->feeds.n; i++)
		if (c->feeds.v[i].via == NULL && feed_list_add(&mine, &c->feeds.v[i]) < 0)
			goto oom;
	if (opml_write(&mine, "newsfold subscriptions", &out))
		goto oom;
	fwrite(out.data, 1, out.len, stdout);
	rc = EXIT_OK;
	goto out;
oom:
	nf_error("out of memory");
out:
	feed_list_release(&mine);
	buf_release(&out);
	return rc;
}

/* ---- import -------------------------------------------------------------- */

/* A canonical URL and the subscription it came from. */
struct seen {
	char *canon;
	const struct feed_sub *sub;
};

static int
seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->canon, ((const struct seen *)b)->canon);
}

/* canon(url): norm_canon_url() of ${url}, or ${url} itself; caller frees. */
static char *
canon(const char *url)
{
	struct buf b;

	buf_init(&b, 0);
	if (norm_canon_url(url, NULL, &b)) {
		buf_release(&b);
		return nf_strdup(url);
	}
	return buf_detach(&b);
}

/* dropin_name(file, out): "import-NAME.conf" for the OPML file ${file}. */
static int
dropin_name(const char *file, struct buf *out)
{
	const char *base = strrchr(file, '/'), *dot;
	size_t n, i;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (buf_puts(out, "import-"))
		return -1;
	for (i = 0; i < n && i < 64; i++) {
		char ch = base[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
		if (buf_putc(out, ok ? ch : '-'))
			return -1;
	}
	return buf_puts(out, n ? ".conf" : "list.conf");
}

struct import {
	struct seen *seen;
	size_t nseen, alloc;
	size_t sorted;  /* seen[0..sorted) is sorted */
};

static const struct feed_sub *
import_find(struct import *im, const char *key)
{
	struct seen k = {(char *)key, NULL}, *hit;
	size_t i;

	hit = im->sorted ? bsearch(&k, im->seen, im->sorted, sizeof(k), seen_cmp) : NULL;
	if (hit)
		return hit->sub;
	for (i = im->sorted; i < im->nseen; i++)
		if (strcmp(im->seen[i].canon, key) == 0)
			return im->seen[i].sub;
	return NULL;
}

static int
import_add(struct import *im, char *key, const struct feed_sub *sub)
{
	struct seen *v;

	if (im->nseen == im->alloc) {
		size_t n = im->alloc ? im->alloc * 2 : 64;
		if ((v = realloc(im->seen, n * sizeof(*v))) == NULL)
			return -1;
		im->seen = v;
		im->alloc = n;
	}
	im->seen[im->nseen].canon = key;
	im->seen[im->nseen++].sub = sub;
	return 0;
}

int
cmd_import(int argc, char **argv, struct cmd_ctx *c)
{
	struct nf_diag d = {0};
	struct nf_err err = {{0}};
	struct feed_list in;
	struct import im;
	struct buf name, path, text;
	const struct feed_sub *old;
	char *key;
	size_t i, nnew = 0, ndup = 0;
	int rc = EXIT_FAIL, r, existed;

	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage_error("import", argc < 2 ? "name the OPML file to import"
		                       : argc > 2 ? "name one OPML file" : "unknown option");
	memset(&im, 0, sizeof(im));
	feed_list_init(&in);
	buf_init(&name, 0);
	buf_init(&path, 0);
	buf_init(&text, 0);
	r = opml_load(argv[1], &in, &d);
	for (i = 0; i < d.n; i++)
		nf_error("%s", d.msg[i]);
	if (r || in.n == 0) {
		nf_error("import: %s: no feeds read", argv[1]);
		goto out;
	}
	if (mkdir_p(c->feeds_dir)) {
		nf_error("%s: %s", c->feeds_dir, strerror(errno));
		goto out;
	}
	if (cmd_load_feeds(c)) {
		nf_error("%s: cannot read the feeds directory", c->feeds_dir);
		goto out;
	}
	/* what is subscribed already, by canonical URL */
	for (i = 0; i < c->feeds.n; i++)
		if ((key = canon(c->feeds.v[i].url)) == NULL || import_add(&im, key, &c->feeds.v[i])) {
			free(key);
			goto oom;
		}
	if (im.nseen)
		qsort(im.seen, im.nseen, sizeof(*im.seen), seen_cmp);
	im.sorted = im.nseen;
	if (dropin_name(argv[1], &name) || buf_printf(&path, "%s/%s", c->feeds_dir, name.data))
		goto oom;
	existed = read_existing(path.data, &text);
	if (existed < 0) {
		nf_error("%s: cannot read: %s", path.data, strerror(errno));
		goto out;
	}
	if (!existed && buf_printf(&text, "# newsfold feeds.d drop-in: the feeds of %s, "
	                           "written by `newsfold import`.\n",
	                           strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1]))
		goto oom;
	for (i = 0; i < in.n; i++) {
		const struct feed_sub *s = &in.v[i];

		if ((key = canon(s->url)) == NULL)
			goto oom;
		if ((old = import_find(&im, key)) != NULL) {
			nf_error("%s:%d: %s is subscribed already (%s:%d); kept once", argv[1], s->line,
			         s->url, old->file ? old->file : "-", old->line);
			ndup++;
			free(key);
			continue;
		}
		if (import_add(&im, key, s)) {
			free(key);
			goto oom;
		}
		if (buf_putc(&text, '\n') || conf_write_sub(s, &text))
			goto oom;
		nnew++;
	}
	if (nnew == 0) {
		printf("nothing new to import from %s (%zu feeds subscribed already)\n", argv[1], ndup);
		rc = EXIT_OK;
		goto out;
	}
	if (nf_write_file_atomic(path.data, text.data, text.len, 0644, &err)) {
		nf_error("%s", err.msg);
		goto out;
	}
	printf("imported %zu feeds into %s", nnew, path.data);
	if (ndup)
		printf(" (%zu subscribed already, kept once)", ndup);
	printf("\n");
	rc = EXIT_OK;
	goto out;
oom:
	nf_error("out of memory");
out:
	for (i = 0; i < im.nseen; i++)
		free(im.seen[i].canon);
	free(im.seen);
	nf_diag_release(&d);
	feed_list_release(&in);
	buf_release(&name);
	buf_release(&path);
	buf_release(&text);
	return rc;
}

/* ---- subscription lists ---------------------------------------------------- */

struct refresh {
	struct cmd_ctx *c;
	char *dir;
	int64_t now;
	size_t fetched, failed;
};

static int64_t
list_next_poll(const struct refresh *r, const struct feed_sub *sub, uint32_t failures)
{
	int64_t iv = sub->interval > 0 ? sub->interval : r->c->cfg.interval;
	uint32_t i;

	for (i = 0; i < failures && iv < LIST_MAX_BACKOFF; i++)
		iv *= 2;
	return r->now + (iv < LIST_MAX_BACKOFF || failures == 0 ? iv : LIST_MAX_BACKOFF);
}

/* list_save(r, sub, res, why): check that the body is OPML and keep it in
 * the cache; returns the number of feeds it lists, or -1 with ${why}. */
static long
list_save(struct refresh *r, const struct feed_sub *sub, const struct fetch_res *res,
          struct buf *why)
{
	struct nf_diag d = {0};
	struct nf_err err = {{0}};
	struct feed_list got;
	struct buf path;
	long n = -1;

	feed_list_init(&got);
	buf_init(&path, 0);
	if (feeds_follow_list(&got, sub, res->body, res->len, &d) < 0) {
		buf_puts(why, d.n ? d.msg[d.n - 1] : "not an OPML document");
		goto out;
	}
	if (mkdir_p(r->dir)) {
		buf_printf(why, "%s: %s", r->dir, strerror(errno));
		goto out;
	}
	if (buf_printf(&path, "%s/", r->dir) || feeds_list_cache_name(sub->url, &path)) {
		buf_puts(why, "out of memory");
		goto out;
	}
	if (nf_write_file_atomic(path.data, res->body, res->len, 0644, &err)) {
		buf_puts(why, err.msg);
		goto out;
	}
	n = (long)got.n;
out:
	nf_diag_release(&d);
	feed_list_release(&got);
	buf_release(&path);
	return n;
}

static void
list_done(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct refresh *r = ctx;
	const struct feed_sub *sub = req->user;
	struct store_txn *t;
	struct store_feed old, f;
	struct nf_err err = {{0}};
	struct buf why;
	long n = -1;
	int have, map_full = 0;

	buf_init(&why, 0);
	if (res->status == FETCH_OK && (n = list_save(r, sub, res, &why)) < 0)
		nf_error("%s: %s", sub->url, buf_cstr(&why));
	if ((t = store_begin(r->c->store, 1, &err)) == NULL)
		goto fail;
	have = store_feed_get(t, sub->url, &old) == 0;
	store_feed_init(&f, sub->url);
	f.title = sub->title ? sub->title : have ? old.title : NULL;
	f.http_status = res->http_status;
	f.last_poll = r->now;
	f.moved_to = res->moved_to ? res->moved_to : have ? old.moved_to : NULL;
	f.articles = have ? old.articles : 0;
	f.etag = have ? old.etag : NULL;
	f.last_modified = have ? old.last_modified : NULL;
	f.last_ok = have ? old.last_ok : NF_TIME_NONE;
	if (res->status == FETCH_OK && n >= 0) {
		f.status = FEED_OK;
		f.etag = res->etag;
		f.last_modified = res->last_modified;
		f.articles = (uint64_t)n; /* for a list: the feeds it lists */
	} else if (res->status == FETCH_NOT_MODIFIED) {
		f.status = FEED_NOT_MODIFIED;
		if (res->etag)
			f.etag = res->etag;
		if (res->last_modified)
			f.last_modified = res->last_modified;
	} else {
		f.status = res->status == FETCH_GONE ? FEED_GONE : FEED_ERROR;
		f.error = res->error ? res->error : buf_cstr(&why);
		f.failures = (have ? old.failures : 0) + 1;
		r->failed++;
	}
	if (f.status == FEED_OK || f.status == FEED_NOT_MODIFIED)
		f.last_ok = r->now;
	f.next_poll = f.status == FEED_GONE ? NF_TIME_NONE : list_next_poll(r, sub, f.failures);
	if (store_feed_put(t, &f)) {
		store_abort(t);
		nf_err_set(&err, "writing the list's record failed");
		goto fail;
	}
	if (store_commit(t, &map_full, &err))
		goto fail;
	r->fetched++;
	buf_release(&why);
	return;
fail:
	nf_error("%s: %s", sub->url, err.msg);
	r->failed++;
	buf_release(&why);
}

int
cmd_lists_refresh(struct cmd_ctx *c, int force)
{
	struct refresh r;
	struct fetch_opts fo;
	struct fetch_req *reqs = NULL;
	struct feed_sub *subs = NULL;
	struct nf_err err = {{0}};
	size_t i, n = 0, nlists = 0;
	int rc = -1;

	for (i = 0; i < c->feeds.n; i++)
		nlists += c->feeds.v[i].is_opml;
	if (nlists == 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.now = nf_now();
	if ((r.dir = cmd_state_path(c, "lists")) == NULL ||
	    (reqs = calloc(nlists, sizeof(*reqs))) == NULL ||
	    (subs = calloc(nlists, sizeof(*subs))) == NULL) {
		nf_error("out of memory");
		goto out;
	}
	if (cmd_open_store(c))
		goto out;
	/* copies: c->feeds is reloaded below */
	for (i = 0; i < c->feeds.n; i++) {
		const struct feed_sub *sub = &c->feeds.v[i];
		char *url, *etag, *lm;
		int due;

		if (!sub->is_opml)
			continue;
		due = ingest_due(c->store, sub, r.now, force, &url, &etag, &lm);
		if (due <= 0) {
			if (due < 0)
				nf_error("%s: reading its state failed", sub->url);
			continue;
		}
		subs[n] = *sub; /* shallow: valid until c->feeds is reloaded */
		reqs[n].url = url;
		reqs[n].etag = etag;
		reqs[n].last_modified = lm;
		reqs[n].user = &subs[n];
		n++;
	}
	if (n) {
		fetch_opts_init(&fo);
		fo.max_total = c->cfg.concurrency;
		fo.max_per_host = c->cfg.per_host;
		fo.connect_timeout = c->cfg.connect_timeout;
		fo.timeout = c->cfg.timeout;
		fo.max_body = (size_t)c->cfg.max_body;
		fo.user_agent = c->cfg.user_agent;
		if (fetch_run(&fo, reqs, n, list_done, &r, NULL, &err)) {
			nf_error("fetching the subscription lists: %s", err.msg);
			goto out;
		}
		nf_log(NF_LOG_INFO, "fetched %zu subscription lists, %zu failed", n, r.failed);
	}
	rc = 0;
out:
	for (i = 0; reqs && i < n; i++) {
		free((char *)reqs[i].url);
		free((char *)reqs[i].etag);
		free((char *)reqs[i].last_modified);
	}
	free(reqs);
	free(subs);
	free(r.dir);
	/* follow the lists as they are now */
	if (nlists && cmd_load_feeds(c))
		rc = -1;
	return rc;
}
