/* stories, show, read: the folded stories. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "cmd.h"
#include "cluster/cluster.h"
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

/* Columns of the stories table: ID, LAST SEEN, OUTLETS (a count), the
 * first outlets' names, TITLE. */
#define COL_ID 5
#define COL_TIME 16
#define COL_N 3

/* table_width(c): the width to fit the table to: the terminal's, else
 * $COLUMNS when set; 0: lines are not cut (output to a file or a pipe). */
static int
table_width(const struct cmd_ctx *c)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	long v;
	char *end;

	if (c->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < 40 ? 40 : ws.ws_col;
	if (env && *env) {
		v = strtol(env, &end, 10);
		if (*end == '\0' && v > 0)
			return v < 40 ? 40 : v > 1000 ? 1000 : (int)v;
	}
	return 0;
}

/*
 * put_cut(out, s, cols, pad): ${s} in at most ${cols} terminal columns
 * (wide characters count two, combining marks none), cut with "..." when
 * longer, and padded with spaces to ${cols} when ${pad}.  Bad UTF-8 counts
 * one column a byte.  ${cols} < 0: the whole string.
 */
static int
put_cut(struct buf *out, const char *s, int cols, int pad)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t fit = 0, i = 0, len = strlen((const char *)p);
	int w = 0, wfit = 0, cw;

	if (cols < 0)
		return buf_puts(out, (const char *)p);
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		cw = n < 0 ? 1 : utf8proc_charwidth(cp);
		if (cw < 0)
			cw = 0;
		if (n < 0)
			n = 1;
		if (w + cw > cols)
			break;
		w += cw;
		i += (size_t)n;
		if (w <= cols - 3) {
			fit = i;
			wfit = w;
		}
	}
	if (i < len) { /* cut: what fits in cols - 3, then "..." */
		if (buf_append(out, p, fit) || buf_puts(out, "..."))
			return -1;
		w = wfit + 3;
	} else if (buf_append(out, p, len)) {
		return -1;
	}
	for (; pad && w < cols; w++)
		if (buf_putc(out, ' '))
			return -1;
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

/* names_width(w): the columns given to outlet names in a table ${w} wide. */
static int
names_width(int w)
{
	int n = (w - (COL_ID + 2 + COL_TIME + 2 + COL_N + 1 + 2)) / 3;

	return n < 12 ? 12 : n > 40 ? 40 : n;
}

struct list {
	struct store_txn *t;
	struct cmd_ctx *c;
	uint32_t min_outlets;
	long limit, shown;
	int unread, json, width;
	int failed;
	struct buf line;
};


static void
table_header(struct list *l)
{
	int names = l->width ? names_width(l->width) : 36;

	printf("%*s  %-*s  %-*s  %s\n", COL_ID, "ID", COL_TIME, "LAST SEEN", COL_N + 1 + names,
	       "OUTLETS", "TITLE");
}

static void
print_story_line(struct list *l, const struct store_story *s)
{
	char when[32], id[24];
	struct buf names;
	const char *o = s->outlets;
	const char *bold = "", *bold_off = "", *dim = "", *off = "";
	uint32_t i;
	int namew = l->width ? names_width(l->width) : 36, room;
	struct buf *b = &l->line;

	if (l->c->color) {
		bold = s->noutlets > 1 ? "\033[1m" : "";
		bold_off = s->noutlets > 1 ? "\033[0m" : "";
		dim = "\033[2m";
		off = "\033[0m";
	}
	nf_time_rfc3339(s->last_seen, when);
	when[10] = ' ';
	when[16] = '\0';
	buf_init(&names, 0);
	/* as many names as fit, then "+N" for the others */
	for (i = 0; i < s->noutlets; i++) {
		size_t before = names.len;
		char more[16];
		int last = i + 1 == s->noutlets;

		buf_printf(&names, "%s%s", i ? ", " : "", *o ? o : "-");
		snprintf(more, sizeof(more), " +%u", s->noutlets - i - 1);
		if (i > 0 && (int)names.len + (last ? 0 : (int)strlen(more)) > namew) {
			names.len = before;
			names.data[before] = '\0';
			buf_printf(&names, " +%u", s->noutlets - i);
			break;
		}
		if (!l->width && i == 2 && !last) {
			buf_printf(&names, "%s", more);
			break;
		}
		o += strlen(o) + 1;
	}
	buf_reset(b);
	snprintf(id, sizeof(id), "%" PRIu64, s->id);
	buf_printf(b, "%*s  %s%s%s  %s%*u%s ", COL_ID, id, dim, when, off, bold, COL_N,
	           s->noutlets, bold_off);
	put_cut(b, buf_cstr(&names), namew, 1);
	buf_puts(b, "  ");
	room = l->width ? l->width - (COL_ID + 2 + COL_TIME + 2 + COL_N + 1 + namew + 2) : -1;
	buf_puts(b, bold);
	put_cut(b, s->title ? s->title : "(untitled)", room, 0);
	buf_puts(b, bold_off);
	printf("%s\n", buf_cstr(b));
	buf_release(&names);
}

static int
list_one(uint64_t id, int64_t last_seen, void *ctx)
{
	struct list *l = ctx;
	struct store_story s;

	if (l->limit && l->shown >= l->limit)
		return 1;
	if (store_story_get_head(l->t, id, &s)) {
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
		default: return bad_option("stories", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("stories", "unexpected argument '%s'", argv[optind]);
	l.width = table_width(c);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if ((l.t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	buf_init(&l.line, 0);
	if (!l.json)
		table_header(&l);
	if (store_stories_newest(l.t, since, list_one, &l))
		l.failed = 1;
	store_abort(l.t);
	buf_release(&l.line);
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

/* copy_by(a): what made copy ${a} a copy (store.h, STORE_COPY_*). */
static const char *
copy_by(const struct store_article *a)
{
	return a->flags & STORE_COPY_LEAD ? "lead" : a->flags & STORE_COPY_SIMHASH ? "simhash" : "text";
}

/* joins_from(cfg, first_seen, a): the similarity story-tier article ${a}
 * needed to join a story whose first article is of ${first_seen}: the
 * threshold, raised past a window from that article
 * (cluster_age_factor()); its age into *age. */
static double
joins_from(const struct nf_config *cfg, int64_t first_seen, const struct store_article *a,
           int64_t *age)
{
	struct cluster_opts o;
	int64_t at = store_article_time(a);

	cluster_opts_init(&o);
	o.window = cfg->window;
	o.story_threshold = cfg->story_threshold;
	*age = at > first_seen ? at - first_seen : first_seen - at;
	return o.story_threshold / cluster_age_factor(&o, *age);
}

/* The articles of a story being shown. */
struct shown {
	struct store_txn *t;
	const struct nf_config *cfg;
	int64_t first_seen; /* the story's */
	struct store_article *a;
	uint32_t n;
	uint8_t *done;
	int why;
};

/* what --why adds for an article judged by its title (store.h) */
#define BOILER_WHY "; its text is its outlet's boilerplate: judged by its title"

static void
why_line(const struct shown *w, const struct store_article *a, const char *pad)
{
	printf("%s                      why: ", pad);
	switch (a->tier) {
	case TIER_NEW:
		printf("it started the story%s\n", a->flags & STORE_TEXT_BOILERPLATE ? BOILER_WHY : "");
		break;
	case TIER_COPY: {
		uint64_t with = a->sim_with ? a->sim_with : a->copy_of;

		if (a->flags & STORE_COPY_LEAD) {
			printf("shares its lead with article %" PRIu64 ", as a teaser and its full "
			       "article do (resemblance of the leads %.2f; teasers from %.2f)\n",
			       with, a->sim, CLUSTER_LEAD_COPY);
		} else if (a->flags & STORE_COPY_SIMHASH) {
			struct cluster_opts o;

			cluster_opts_init(&o);
			printf("a copy of article %" PRIu64 " (SimHashes %d bits apart; copies "
			       "within %d)\n", with, (int)((1 - a->sim) * 64 + 0.5), o.copy_bits);
		} else {
			printf("a copy of article %" PRIu64 " (resemblance %.2f; copies from %.2f)\n",
			       with, a->sim, w->cfg->copy_threshold);
		}
		break;
	}
	case TIER_STORY: {
		int64_t age;
		double from = joins_from(w->cfg, w->first_seen, a, &age);

		printf("close to the story's other articles (similarity %.2f to its centroid; "
		       "joins from %.2f", a->sim, from);
		if (age > w->cfg->window)
			printf(", %.1f days from the story's first article", (double)age / 86400);
		printf(")%s\n", a->flags & STORE_TEXT_BOILERPLATE ? BOILER_WHY : "");
		break;
	}
	default:
		printf("its feed is not clustered (cluster = no): it stands alone\n");
	}
}

/* is_copy(w, i): article i is a copy of another article of the story. */
static int
is_copy(const struct shown *w, uint32_t i)
{
	uint32_t k;

	if (w->a[i].copy_of == 0 || w->a[i].copy_of == w->a[i].id)
		return 0;
	for (k = 0; k < w->n; k++)
		if (w->a[k].id == w->a[i].copy_of)
			return 1;
	return 0;
}

static int
by_time(const void *x, const void *y)
{
	const struct store_article *a = x, *b = y;
	int64_t ta = store_article_time(a), tb = store_article_time(b);

	return ta < tb ? -1 : ta > tb ? 1 : a->id < b->id ? -1 : a->id > b->id;
}

/* show_article(w, i, depth, outlet): article i, then its copies indented
 * under it (in time order, whatever their outlet). */
static void
show_article(struct shown *w, uint32_t i, int depth, const char *outlet)
{
	const struct store_article *a = &w->a[i];
	char when[32], pad[40];
	uint32_t k;
	int p = 2 + 4 * (depth < 8 ? depth : 8);

	w->done[i] = 1;
	snprintf(pad, sizeof(pad), "%*s", p, "");
	printf("%*s%s  ", p, "", nf_time_rfc3339(store_article_time(a), when));
	if (depth > 0)
		printf("copy%s%s: ", strcmp(a->outlet ? a->outlet : "", outlet) ? ", " : "",
		       strcmp(a->outlet ? a->outlet : "", outlet) ? (a->outlet && *a->outlet ? a->outlet : "-") : "");
	printf("%s\n", a->title ? a->title : "(untitled)");
	if (a->url)
		printf("%s                      %s\n", pad, a->url);
	if (w->why)
		why_line(w, a, pad);
	for (k = 0; k < w->n; k++)
		if (!w->done[k] && w->a[k].copy_of == a->id)
			show_article(w, k, depth + 1, a->outlet ? a->outlet : "");
}

static int
show_text(struct store_txn *t, const struct nf_config *cfg, const struct store_story *s,
          int why)
{
	const char *o = s->outlets;
	struct shown w;
	char when[32];
	uint32_t i, k, nown, ncopies;

	memset(&w, 0, sizeof(w));
	w.t = t;
	w.cfg = cfg;
	w.first_seen = s->first_seen;
	w.why = why;
	if ((w.a = calloc(s->narticles + 1, sizeof(*w.a))) == NULL ||
	    (w.done = calloc(s->narticles + 1, 1)) == NULL) {
		free(w.a);
		nf_error("out of memory");
		return -1;
	}
	for (i = 0; i < s->narticles; i++)
		if (store_article_get(t, s->articles[i], &w.a[w.n]) == 0)
			w.n++;
	qsort(w.a, w.n, sizeof(*w.a), by_time);
	printf("story %" PRIu64 ": %s\n", s->id, s->title ? s->title : "(untitled)");
	printf("  %u article%s from %u outlet%s, %s", s->narticles, s->narticles == 1 ? "" : "s",
	       s->noutlets, s->noutlets == 1 ? "" : "s", nf_time_rfc3339(s->first_seen, when));
	printf(" .. %s\n", nf_time_rfc3339(s->last_seen, when));
	if (w.n < s->narticles) /* the store said which on stderr */
		printf("  %u unreadable (see newsfold fsck)\n", s->narticles - (uint32_t)w.n);
	for (k = 0; k < s->noutlets; k++, o += strlen(o) + 1) {
		for (i = 0; i < w.n; i++)
			if (strcmp(w.a[i].outlet ? w.a[i].outlet : "", o) == 0)
				break;
		if (i == w.n)
			continue; /* none of its articles could be read */
		printf("\n%s\n", *o ? o : "(no outlet)");
		nown = ncopies = 0;
		for (i = 0; i < w.n; i++) {
			if (strcmp(w.a[i].outlet ? w.a[i].outlet : "", o) != 0)
				continue;
			if (is_copy(&w, i)) {
				ncopies++;
				continue;
			}
			nown++;
			show_article(&w, i, 0, o);
		}
		if (nown == 0)
			printf("  %u cop%s, shown under %s original\n", ncopies,
			       ncopies == 1 ? "y" : "ies", ncopies == 1 ? "its" : "their");
	}
	/* copies whose original chain loops or left the story */
	for (i = 0; i < w.n; i++)
		if (!w.done[i]) {
			printf("\n(other copies)\n");
			for (; i < w.n; i++)
				if (!w.done[i])
					show_article(&w, i, 0, "");
		}
	for (i = 0; i < w.n; i++)
		store_article_release(&w.a[i]);
	free(w.a);
	free(w.done);
	return 0;
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
		default: return bad_option("show", argv);
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
	rc = store_story_get_head(t, id, &s);
	if (rc) {
		store_abort(t);
		nf_error("story %" PRIu64 ": %s", id, rc == 1 ? "no such story" : "unreadable");
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
				                    json_real((double)(int)(a.sim * 1000 + 0.5) / 1000));
				if (a.sim_with)
					json_object_set_new(json_array_get(arts, i), "compared_with",
					                    json_integer((json_int_t)a.sim_with));
				if (a.tier == TIER_COPY)
					json_object_set_new(json_array_get(arts, i), "copy_by",
					                    json_string(copy_by(&a)));
				if (a.flags & STORE_TEXT_BOILERPLATE)
					json_object_set_new(json_array_get(arts, i), "boilerplate",
					                    json_true());
				if (a.tier == TIER_STORY) {
					int64_t age;
					double from = joins_from(&c->cfg, s.first_seen, &a, &age);

					json_object_set_new(json_array_get(arts, i), "joins_from",
					                    json_real((double)(int)(from * 1000 + 0.5) /
					                              1000));
				}
				store_article_release(&a);
			}
		}
		rc = cmd_print_json(o) ? EXIT_FAIL : EXIT_OK;
	} else {
		rc = show_text(t, &c->cfg, &s, why) ? EXIT_FAIL : EXIT_OK;
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
			nf_error("story %s: %s", argv[i], r == 1 ? "no such story" : "unreadable");
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
