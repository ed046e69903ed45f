/*
 * add: subscribe to a feed.  The URL may be the feed itself or a web page:
 * then its <link rel="alternate"> feeds are tried in order, then the usual
 * paths of its site (pkg/fetch/discover.h); the first that parses as a feed
 * is appended to FEEDSDIR/local.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "feed/feed.h"
#include "fetch/discover.h"
#include "fetch/fetch.h"
#include "base/banned.h"

/* What fetching one candidate gave. */
struct cand {
	char *url;      /* the URL to subscribe to (a permanent redirect's target) */
	char *title;    /* the feed's title */
	char *body;     /* a page that is not a feed, kept for discovery */
	size_t len;
	char *page_url; /* its URL after redirects */
	char *error;
	int is_feed;
};

static void
cand_release(struct cand *k)
{
	free(k->url);
	free(k->title);
	free(k->body);
	free(k->page_url);
	free(k->error);
}

static void
on_fetched(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct cand *k = req->user;
	struct feed_parse_opts po = {0};
	struct feed_doc *doc;
	struct nf_err err = {{0}};

	if (res->status != FETCH_OK) {
		k->error = nf_strdup(res->error ? res->error : "not modified?");
		return;
	}
	po.url = res->effective_url;
	po.content_type = res->content_type;
	if ((doc = feed_parse(res->body, res->len, &po, &err)) == NULL) {
		k->error = nf_strdup(err.msg);
		return;
	}
	if (doc->format) {
		k->is_feed = 1;
		k->url = nf_strdup(res->moved_to ? res->moved_to : req->url);
		k->title = nf_strdup(doc->feed.title);
	} else {
		k->error = nf_strdup(doc->error ? doc->error : "not a feed");
		k->body = nf_strndup(res->body, res->len);
		k->len = res->len;
		k->page_url = nf_strdup(res->effective_url ? res->effective_url : req->url);
	}
	feed_doc_free(doc);
}

/* try(c, urls, n, got): fetch ${urls} at once; *got is the first (in
 * order) that is a feed, or -1. */
static int
try(struct cmd_ctx *c, char **urls, size_t n, struct cand *k, int *got)
{
	struct fetch_opts fo;
	struct fetch_req *req;
	struct nf_err err = {{0}};
	size_t i;

	*got = -1;
	if ((req = calloc(n ? n : 1, sizeof(*req))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		req[i].url = urls[i];
		req[i].user = &k[i];
	}
	fetch_opts_init(&fo);
	fo.connect_timeout = c->cfg.connect_timeout;
	fo.timeout = c->cfg.timeout;
	fo.max_body = (size_t)c->cfg.max_body;
	fo.user_agent = c->cfg.user_agent;
	fo.max_per_host = 8;
	if (fetch_run(&fo, req, n, on_fetched, NULL, NULL, &err)) {
		nf_error("add: %s", err.msg);
		free(req);
		return -1;
	}
	free(req);
	for (i = 0; i < n && *got < 0; i++)
		if (k[i].is_feed)
			*got = (int)i;
	return 0;
}

/* append(c, sub): the section of ${sub} at the end of FEEDSDIR/local.conf. */
static int
append(struct cmd_ctx *c, const struct feed_sub *sub)
{
	struct buf b, path;
	struct stat st;
	int fd = -1, rc = -1;

	buf_init(&b, 0);
	buf_init(&path, 0);
	if (buf_printf(&path, "%s/local.conf", c->feeds_dir) || conf_write_sub(sub, &b)) {
		nf_error("add: %s: cannot write a section for it", sub->url);
		goto out;
	}
	if (mkdir(c->feeds_dir, 0755) && errno != EEXIST) {
		nf_error("add: %s: %s", c->feeds_dir, strerror(errno));
		goto out;
	}
	if ((fd = open(path.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		nf_error("add: %s: %s", path.data, strerror(errno));
		goto out;
	}
	/* a blank line between sections */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && write(fd, "\n", 1) != 1)
		goto werr;
	if (write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd))
		goto werr;
	rc = 0;
	goto out;
werr:
	nf_error("add: %s: %s", path.data, strerror(errno));
out:
	if (fd >= 0 && close(fd) && rc == 0) {
		nf_error("add: %s: %s", path.data, strerror(errno));
		rc = -1;
	}
	buf_release(&b);
	buf_release(&path);
	return rc;
}

int
cmd_add(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"title", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	struct cand first = {0}, *k = NULL;
	struct feed_sub sub;
	struct nf_err err = {{0}};
	char **links = NULL, **guess = NULL, *url;
	size_t nlinks = 0, nguess = 0, nk = 0, i;
	const char *title = NULL, *found = NULL, *ftitle = NULL;
	int ch, got, rc = EXIT_FAIL;

	while ((ch = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		if (ch != 't')
			return cmd_usage_error("add", "unknown option");
		title = optarg;
	}
	if (optind + 1 != argc)
		return cmd_usage_error("add", "expected one URL");
	url = argv[optind];
	if (feed_list_find(&c->feeds, url)) {
		nf_error("add: %s: already subscribed", url);
		return EXIT_FAIL;
	}
	if (try(c, &url, 1, &first, &got))
		goto out;
	if (got == 0) {
		found = first.url;
		ftitle = first.title;
	} else if (first.body == NULL) {
		nf_error("add: %s: %s", url, first.error ? first.error : "cannot fetch it");
		goto out;
	} else {
		/* a web page: the feeds it names, else the usual paths */
		if (discover_links(first.body, first.len, first.page_url, &links, &nlinks, &err) ||
		    discover_guesses(first.page_url, &guess, &nguess, &err)) {
			nf_error("add: %s", err.msg);
			goto out;
		}
		for (i = 0; i < 2 && found == NULL; i++) {
			char **v = i == 0 ? links : guess;
			size_t n = i == 0 ? nlinks : nguess;

			if (n == 0)
				continue;
			if ((k = calloc(n, sizeof(*k))) == NULL) {
				nf_error("add: out of memory");
				goto out;
			}
			nk = n;
			if (try(c, v, n, k, &got))
				goto out;
			if (got >= 0) {
				found = k[got].url;
				ftitle = k[got].title;
				break;
			}
			while (nk > 0)
				cand_release(&k[--nk]);
			free(k);
			k = NULL;
		}
		if (found == NULL) {
			nf_error("add: %s: %s, and no feed found behind it (%zu linked, %zu usual paths "
			         "tried)", url, first.error ? first.error : "not a feed", nlinks, nguess);
			goto out;
		}
	}
	if (feed_list_find(&c->feeds, found)) {
		nf_error("add: %s: already subscribed", found ? found : url);
		goto out;
	}
	memset(&sub, 0, sizeof(sub));
	sub.url = (char *)found;
	sub.title = (char *)(title ? title : ftitle);
	sub.cluster = 1;
	if (append(c, &sub))
		goto out;
	printf("subscribed to %s%s%s%s\n", found, sub.title ? " (" : "", sub.title ? sub.title : "",
	       sub.title ? ")" : "");
	rc = EXIT_OK;
out:
	while (nk > 0)
		cand_release(&k[--nk]);
	free(k);
	cand_release(&first);
	discover_free(links, nlinks);
	discover_free(guess, nguess);
	return rc;
}
