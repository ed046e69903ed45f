/* stories, show, read: the folded stories. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "base/banned.h"

static int
term_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 0;
}

static int
parse_story_id(const char *s, uint64_t *id)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v == 0)
		return -1;
	*id = v;
	return 0;
}

static void
set_time(json_t *o, const char *key, int64_t t)
{
	char b[32];

	if (t != NF_TIME_NONE)
		json_object_set_new(o, key, json_string(nf_time_rfc3339(t, b)));
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

/* article_json(a): DESIGN.md's article object. */
static json_t *
article_json(const struct store_article *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	set_str(o, "feed", a->feeds);
	set_str(o, "outlet", a->outlet);
	set_str(o, "title", a->title);
	set_str(o, "url", a->url);
	set_str(o, "guid", a->guid);
	set_time(o, "published", a->published);
	if (a->copy_of)
		json_object_set_new(o, "copy_of", json_integer((json_int_t)a->copy_of));
	return o;
}

static json_t *
story_json(struct store_txn *t, const struct store_story *s)
{
	json_t *o = json_object(), *arts = json_array();
	uint32_t i;

	json_object_set_new(o, "id", json_integer((json_int_t)s->id));
	set_str(o, "title", s->title);
	set_time(o, "first_seen", s->first_seen);
	set_time(o, "last_seen", s->last_seen);
	json_object_set_new(o, "outlets", json_integer(s->noutlets));
	json_object_set_new(o, "read", json_boolean(s->read && s->read_outlets >= s->noutlets));
	for (i = 0; i < s->narticles; i++) {
		struct store_article a;
		if (store_article_get(t, s->articles[i], &a) == 0) {
			json_array_append_new(arts, article_json(&a));
			store_article_release(&a);
		}
	}
	json_object_set_new(o, "articles", arts);
	return o;
}

struct list {
	struct store_txn *t;
	struct cmd_ctx *c;
	uint32_t min_outlets;
	long limit, shown;
	int unread, json, width;
	int failed;
};

static void
print_story_line(struct list *l, const struct store_story *s)
{
	char when[32];
	struct buf names;
	const char *o = s->outlets;
	uint32_t i;
	int room;

	nf_time_rfc3339(s->last_seen, when);
	when[10] = ' ';
	when[16] = '\0';
	buf_init(&names, 0);
	for (i = 0; i < s->noutlets && i < 3; i++) {
		buf_printf(&names, "%s%s", i ? ", " : "", o);
		o += strlen(o) + 1;
	}
	if (s->noutlets > 3)
		buf_printf(&names, " +%u", s->noutlets - 3);
	if (l->width) {
		room = l->width - 16 - 2 - 4 - 2 - 34 - 2;
		printf("%s  %s%4u%s  %-34.34s  %.*s\n", when, l->c->color && s->noutlets > 1 ? "\033[1m" : "",
		       s->noutlets, l->c->color && s->noutlets > 1 ? "\033[0m" : "", buf_cstr(&names),
		       room > 10 ? room : 10, s->title ? s->title : "(untitled)");
	} else {
		printf("%s  %4u  %-34s  %s  #%" PRIu64 "\n", when, s->noutlets, buf_cstr(&names),
		       s->title ? s->title : "(untitled)", s->id);
	}
	buf_release(&names);
}

static int
list_one(uint64_t id, int64_t last_seen, void *ctx)
{
	struct list *l = ctx;
	struct store_story s;

	if (l->limit && l->shown >= l->limit)
		return 1;
	if (store_story_get(l->t, id, &s)) {
		nf_error("story %" PRIu64 ": unreadable, skipped", id);
		l->failed = 1;
		return 0;
	}
	if (s.noutlets >= l->min_outlets && !(l->unread && s.read && s.read_outlets >= s.noutlets)) {
		if (l->json) {
			if (cmd_print_json(story_json(l->t, &s)))
				l->failed = 1;
		} else {
			print_story_line(l, &s);
		}
		l->shown++;
	}
	store_story_release(&s);
	return 0;
}

int
cmd_stories(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"min-outlets", required_argument, NULL, 'm'},
		{"limit", required_argument, NULL, 'l'},
		{"unread", no_argument, NULL, 'u'},
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct list l;
	struct nf_err err = {{0}};
	int64_t since = nf_now() - 24 * 3600;
	char *end;
	int ch;

	memset(&l, 0, sizeof(l));
	l.c = c;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (cmd_parse_since(optarg, &since))
				return cmd_usage_error("stories", "--since takes a duration (24h, 7d) "
				                       "or a date (2025-02-13), not '%s'", optarg);
			break;
		case 'm':
			l.min_outlets = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || *optarg == '\0' || *optarg == '-')
				return cmd_usage_error("stories", "--min-outlets takes a number");
			break;
		case 'l':
			l.limit = strtol(optarg, &end, 10);
			if (*end || *optarg == '\0' || l.limit < 0)
				return cmd_usage_error("stories", "--limit takes a number");
			break;
		case 'u': l.unread = 1; break;
		case 'a': since = INT64_MIN; break;
		case 'j': l.json = 1; break;
		default: return cmd_usage_error("stories", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("stories", "unexpected argument '%s'", argv[optind]);
	l.width = c->tty ? term_width() : 0;
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if ((l.t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (store_stories_newest(l.t, since, list_one, &l))
		l.failed = 1;
	store_abort(l.t);
	return l.failed ? EXIT_FAIL : EXIT_OK;
}

/* ---- show -------------------------------------------------------------- */

static const char *
tier_name(uint8_t tier)
{
	switch (tier) {
	case TIER_NEW: return "first";
	case TIER_COPY: return "copy";
	case TIER_STORY: return "story";
	default: return "alone";
	}
}

static void
show_text(struct store_txn *t, const struct store_story *s, int why)
{
	const char *o = s->outlets;
	char when[32];
	uint32_t i, k;

	printf("story %" PRIu64 ": %s\n", s->id, s->title ? s->title : "(untitled)");
	printf("  %u articles from %u outlets, %s", s->narticles, s->noutlets,
	       nf_time_rfc3339(s->first_seen, when));
	printf(" .. %s\n", nf_time_rfc3339(s->last_seen, when));
	for (k = 0; k < s->noutlets; k++, o += strlen(o) + 1) {
		printf("\n%s\n", *o ? o : "(no outlet)");
		for (i = 0; i < s->narticles; i++) {
			struct store_article a;
			if (store_article_get(t, s->articles[i], &a))
				continue;
			if (strcmp(a.outlet ? a.outlet : "", o) == 0) {
				int64_t at = store_article_time(&a);
				printf("  %s%s  %s\n", a.copy_of ? "  " : "", nf_time_rfc3339(at, when),
				       a.title ? a.title : "(untitled)");
				if (a.url)
					printf("  %s                      %s\n", a.copy_of ? "  " : "", a.url);
				if (why) {
					printf("  %s                      ", a.copy_of ? "  " : "");
					if (a.tier == TIER_COPY)
						printf("why: copy of article %" PRIu64 " (simhash similarity %.2f)\n",
						       a.copy_of, a.sim);
					else if (a.tier == TIER_STORY)
						printf("why: story tier, cosine %.2f to the story's centroid\n",
						       a.sim);
					else
						printf("why: %s article of the story\n", tier_name(a.tier));
				}
			}
			store_article_release(&a);
		}
	}
}

int
cmd_show(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"why", no_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store_txn *t;
	struct store_story s;
	struct nf_err err = {{0}};
	uint64_t id;
	int ch, why = 0, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'w': why = 1; break;
		case 'j': json = 1; break;
		default: return cmd_usage_error("show", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("show", "name one story");
	if (parse_story_id(argv[optind], &id))
		return cmd_usage_error("show", "'%s' is not a story number", argv[optind]);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if ((t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	rc = store_story_get(t, id, &s);
	if (rc) {
		store_abort(t);
		nf_error("story %" PRIu64 ": %s", id, rc > 0 ? "no such story" : "unreadable");
		return EXIT_FAIL;
	}
	if (json) {
		json_t *o = story_json(t, &s);
		if (why && o) {
			json_t *arts = json_object_get(o, "articles");
			size_t i;
			for (i = 0; i < json_array_size(arts) && i < s.narticles; i++) {
				struct store_article a;
				if (store_article_get(t, s.articles[i], &a))
					continue;
				json_object_set_new(json_array_get(arts, i), "tier",
				                    json_string(tier_name(a.tier)));
				json_object_set_new(json_array_get(arts, i), "similarity",
				                    json_real(a.sim));
				store_article_release(&a);
			}
		}
		rc = cmd_print_json(o) ? EXIT_FAIL : EXIT_OK;
	} else {
		show_text(t, &s, why);
		rc = EXIT_OK;
	}
	store_story_release(&s);
	store_abort(t);
	return rc;
}

/* ---- read -------------------------------------------------------------- */

int
cmd_read(int argc, char **argv, struct cmd_ctx *c)
{
	struct store_txn *t;
	struct nf_err err = {{0}};
	int i, rc = EXIT_OK, map_full;

	if (argc < 2)
		return cmd_usage_error("read", "name at least one story");
	for (i = 1; i < argc; i++) {
		uint64_t id;
		if (parse_story_id(argv[i], &id))
			return cmd_usage_error("read", "'%s' is not a story number", argv[i]);
	}
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if ((t = store_begin(c->store, 1, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		struct store_story s;
		uint64_t id = 0;
		int r;

		parse_story_id(argv[i], &id);
		if ((r = store_story_get(t, id, &s))) {
			nf_error("story %s: %s", argv[i], r > 0 ? "no such story" : "unreadable");
			rc = EXIT_FAIL;
			continue;
		}
		s.read = 1;
		s.read_outlets = s.noutlets;
		if (store_story_put(t, &s, s.last_seen))
			rc = EXIT_FAIL;
		store_story_release(&s);
	}
	if (store_commit(t, &map_full, &err)) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	return rc;
}
