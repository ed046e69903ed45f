/* feeds, check, stats: subscriptions and their health. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cmd.h"
#include "base/banned.h"

/* bad_option(cmd, argv): the usage error of the option getopt_long()
 * just refused: unknown, or missing its value. */
static int
bad_option(const char *cmd, char **argv)
{
	const char *opt = argv[optind - 1];

	if (optopt)
		return cmd_usage_error(cmd, "option '%s' needs a value", opt);
	return cmd_usage_error(cmd, "unknown option '%s'", opt);
}

static void
set_time(json_t *o, const char *key, int64_t t)
{
	char b[32];

	if (t != NF_TIME_NONE)
		json_object_set_new(o, key, json_string(nf_time_rfc3339(t, b)));
}

static json_t *
feed_json(const struct feed_sub *sub, const struct store_feed *f)
{
	json_t *o = json_object(), *tags = json_array();
	const char *title = sub->title ? sub->title : f ? f->title : NULL;
	size_t i;

	json_object_set_new(o, "url", json_string(sub->url));
	if (title)
		json_object_set_new(o, "title", json_string(title));
	for (i = 0; i < sub->ntags; i++)
		json_array_append_new(tags, json_string(sub->tags[i]));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "status",
	                    json_string(store_feed_status_name(f ? f->status : FEED_NEVER)));
	if (f && f->http_status)
		json_object_set_new(o, "http_status", json_integer(f->http_status));
	if (f && f->error && f->status != FEED_OK && f->status != FEED_NOT_MODIFIED)
		json_object_set_new(o, "error", json_string(f->error));
	json_object_set_new(o, "failures", json_integer(f ? f->failures : 0));
	if (f) {
		set_time(o, "last_poll", f->last_poll);
		set_time(o, "next_poll", f->next_poll);
		if (f->moved_to)
			json_object_set_new(o, "moved_to", json_string(f->moved_to));
	}
	json_object_set_new(o, "articles", json_integer(f ? (json_int_t)f->articles : 0));
	return o;
}

static void
short_time(int64_t t, char out[32])
{
	if (t == NF_TIME_NONE) {
		snprintf(out, 32, "-");
		return;
	}
	nf_time_rfc3339(t, out);
	out[10] = ' ';
	out[16] = '\0';
}

/* store_exists(c): the database was created (by a first poll). */
static int
store_exists(const struct cmd_ctx *c)
{
	struct stat st;
	char path[4096];

	snprintf(path, sizeof(path), "%s/data.mdb", c->db_path);
	return stat(c->db_path, &st) == 0 && (stat(path, &st) == 0 || errno != ENOENT);
}

int
cmd_feeds(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store_txn *t = NULL;
	struct nf_err err = {{0}};
	int ch, json = 0, rc = EXIT_OK;
	size_t i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j')
			return bad_option("feeds", argv);
		json = 1;
	}
	if (optind < argc)
		return cmd_usage_error("feeds", "unexpected argument '%s'", argv[optind]);
	/* before the first poll there is no store: every feed is "never" */
	if (store_exists(c) && cmd_open_store(c))
		return EXIT_FAIL;
	if (c->store && (t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (!json && c->feeds.n)
		printf("%-12s %4s %5s %-16s %-16s %8s  %s\n", "STATUS", "HTTP", "FAILS", "LAST POLL",
		       "NEXT POLL", "ARTICLES", "FEED");
	for (i = 0; i < c->feeds.n; i++) {
		const struct feed_sub *sub = &c->feeds.v[i];
		struct store_feed f;
		int r = t ? store_feed_get(t, sub->url, &f) : 1;

		if (r < 0 || r == STORE_CORRUPT) /* told on stderr by the store */
			rc = EXIT_FAIL;
		if (json) {
			if (cmd_print_json(feed_json(sub, r == 0 ? &f : NULL)))
				rc = EXIT_FAIL;
		} else {
			char lp[32], np[32];
			int ok = r == 0;

			short_time(ok ? f.last_poll : NF_TIME_NONE, lp);
			short_time(ok ? f.next_poll : NF_TIME_NONE, np);
			char http[16];

			snprintf(http, sizeof(http), "%ld", ok ? f.http_status : 0);
			printf("%-12s %4s %5u %-16s %-16s %8" PRIu64 "  %s\n",
			       store_feed_status_name(ok ? f.status : FEED_NEVER),
			       ok && f.http_status ? http : "-",
			       ok ? f.failures : 0, lp, np, ok ? f.articles : 0, sub->url);
			if (ok && f.error && (f.status == FEED_ERROR || f.status == FEED_GONE))
				printf("%-12s %s\n", "", f.error);
			if (ok && f.moved_to)
				printf("%-12s moved to %s\n", "", f.moved_to);
		}
	}
	if (t)
		store_abort(t);
	return rc;
}

int
cmd_remove(int argc, char **argv, struct cmd_ctx *c)
{
	struct nf_err err = {{0}};
	const struct feed_sub *sub;
	const char *url;
	size_t n;

	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage_error("remove", argc < 2 ? "name the feed URL to remove"
		                       : argc > 2 ? "name one feed URL" : "unknown option");
	url = argv[1];
	if ((sub = feed_list_find(&c->feeds, url)) == NULL) {
		nf_error("remove: %s: not subscribed (see `newsfold feeds`)", url);
		return EXIT_FAIL;
	}
	if (sub->via) {
		nf_error("remove: %s is followed through the subscription list %s; remove it "
		         "from that list, or the list itself", sub->url, sub->via);
		return EXIT_FAIL;
	}
	n = sub->file ? strlen(sub->file) : 0;
	if (n < 5 || strcmp(sub->file + n - 5, ".conf") != 0) {
		nf_error("remove: %s is listed in the OPML file %s:%d, which newsfold does not "
		         "rewrite; remove it there", sub->url, sub->file ? sub->file : "-",
		         sub->line);
		return EXIT_FAIL;
	}
	if (feeds_conf_remove(sub->file, sub->line, sub->url, &err)) {
		nf_error("remove: %s", err.msg);
		return EXIT_FAIL;
	}
	printf("removed %s from %s (its stored articles are kept)\n", sub->url, sub->file);
	return EXIT_OK;
}

int
cmd_check(int argc, char **argv, struct cmd_ctx *c)
{
	struct nf_diag d = {0};
	struct feed_list l;
	struct nf_config cfg;
	int bad;

	if (argc > 1)
		return cmd_usage_error("check", "unexpected argument '%s'", argv[1]);
	/* setup() already printed every problem; count them again quietly */
	config_init(&cfg);
	feed_list_init(&l);
	if (c->config_path)
		config_load(&cfg, c->config_path, 1, &d);
	feeds_load_dir(c->feeds_dir, &l, &d);
	bad = d.n > 0;
	nf_diag_release(&d);
	feed_list_release(&l);
	config_release(&cfg);
	if (bad)
		return EXIT_USAGE;
	printf("configuration OK: %zu feeds\n", c->feeds.n);
	return EXIT_OK;
}

struct stats {
	uint64_t feeds, failing;
	int64_t last_poll;
};

static int
count_feed(const struct store_feed *f, void *ctx)
{
	struct stats *s = ctx;

	s->feeds++;
	s->failing += f->status == FEED_ERROR || f->status == FEED_GONE;
	if (f->last_poll != NF_TIME_NONE && f->last_poll > s->last_poll)
		s->last_poll = f->last_poll;
	return 0;
}

struct story_count {
	struct store_txn *t;
	uint64_t stories, multi;
};

static int
count_story(uint64_t id, int64_t last_seen, void *ctx)
{
	struct story_count *sc = ctx;
	struct store_story s;

	sc->stories++;
	if (store_story_get_head(sc->t, id, &s) == 0) {
		sc->multi += s.noutlets > 1;
		store_story_release(&s);
	}
	return 0;
}

int
cmd_stats(int argc, char **argv, struct cmd_ctx *c)
{
	struct store_txn *t;
	struct nf_err err = {{0}};
	struct stats s = {0, 0, NF_TIME_NONE};
	struct story_count sc = {0};
	char lp[32];

	if (argc > 1)
		return cmd_usage_error("stats", "unexpected argument '%s'", argv[1]);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if ((t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	sc.t = t;
	store_feed_each(t, count_feed, &s);
	store_stories_newest(t, INT64_MIN, count_story, &sc);
	printf("feeds:            %zu subscribed, %" PRIu64 " polled, %" PRIu64 " failing\n",
	       c->feeds.n, s.feeds, s.failing);
	/* stored now (the count of documents behind the weights, "ndocs",
	 * keeps those retention removed, and lags a crash) */
	printf("articles:         %" PRIu64 "\n", store_article_count(t));
	printf("stories:          %" PRIu64 ", %" PRIu64 " with several outlets\n", sc.stories,
	       sc.multi);
	printf("database:         %s, %.1f MiB\n", store_path(c->store),
	       (double)store_size(c->store) / 1048576.0);
	printf("last poll:        %s\n",
	       s.last_poll == NF_TIME_NONE ? "never" : nf_time_rfc3339(s.last_poll, lp));
	store_abort(t);
	return EXIT_OK;
}
