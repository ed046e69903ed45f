/* atom: the folded stories as an Atom feed, to stdout or (for `run`) to a
 * file replaced atomically. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "feed/atom_write.h"
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

#define ATOM_MAX_BYTES (64u << 20)

struct atom_ctx {
	struct store_txn *t;
	struct buf entries;
	int64_t updated;
	int failed;
};

/* story_outlets(t, s, v): one atom_outlet per outlet of ${s}, in the
 * story's order, each with the earliest original article of that outlet
 * (a copy only when the outlet has nothing else).  ${arts} receives the
 * articles read, to release after use. */
static int
story_outlets(struct store_txn *t, const struct store_story *s, struct atom_outlet *v,
              struct store_article *arts, uint32_t *narts)
{
	const char *o = s->outlets;
	uint32_t i, k;

	*narts = 0;
	for (i = 0; i < s->narticles; i++)
		if (store_article_get(t, s->articles[i], &arts[*narts]) == 0)
			(*narts)++;
	for (k = 0; k < s->noutlets; k++, o += strlen(o) + 1) {
		const struct store_article *best = NULL;

		memset(&v[k], 0, sizeof(v[k]));
		v[k].outlet = o;
		for (i = 0; i < *narts; i++) {
			const struct store_article *a = &arts[i];
			if (strcmp(a->outlet ? a->outlet : "", o) != 0)
				continue;
			v[k].narticles++;
			if (best == NULL || (best->copy_of && !a->copy_of) ||
			    (!best->copy_of == !a->copy_of &&
			     store_article_time(a) < store_article_time(best)))
				best = a;
		}
		if (best) {
			v[k].title = best->title;
			v[k].url = best->url;
		}
	}
	return 0;
}

static int
atom_one(uint64_t id, int64_t last_seen, void *ctx)
{
	struct atom_ctx *x = ctx;
	struct store_story s;
	struct store_article rep, *arts = NULL;
	struct atom_outlet *outs = NULL;
	struct atom_entry e;
	char sid[64];
	uint32_t narts = 0, i;
	int have_rep;

	if (store_story_get_head(x->t, id, &s)) {
		nf_error("story %" PRIu64 ": unreadable, skipped", id);
		x->failed = 1;
		return 0;
	}
	have_rep = store_article_get(x->t, s.rep, &rep) == 0;
	if ((s.noutlets && (outs = calloc(s.noutlets, sizeof(*outs))) == NULL) ||
	    (s.narticles && (arts = calloc(s.narticles, sizeof(*arts))) == NULL)) {
		nf_error("out of memory");
		x->failed = 1;
		goto out;
	}
	story_outlets(x->t, &s, outs, arts, &narts);
	snprintf(sid, sizeof(sid), "tag:newsfold,2025:story/%" PRIu64, s.id);
	memset(&e, 0, sizeof(e));
	e.id = sid;
	e.title = s.title;
	e.link = have_rep ? rep.url : NULL;
	e.published = s.first_seen;
	e.updated = s.last_seen;
	e.outlets = outs;
	e.noutlets = s.noutlets;
	if (x->updated == NF_TIME_NONE || s.last_seen > x->updated)
		x->updated = s.last_seen;
	if (atom_write_entry(&e, &x->entries)) {
		nf_error("the Atom feed is larger than %u MiB", ATOM_MAX_BYTES >> 20);
		x->failed = 1;
	}
out:
	for (i = 0; i < narts; i++)
		store_article_release(&arts[i]);
	free(arts);
	free(outs);
	if (have_rep)
		store_article_release(&rep);
	store_story_release(&s);
	return x->failed;
}

/* atom_build(c, since, out): the Atom document of the stories seen since
 * ${since}, appended to ${out}; 0 or -1 (reported). */
static int
atom_build(struct cmd_ctx *c, int64_t since, struct buf *out)
{
	struct atom_ctx x;
	struct atom_feed f;
	struct nf_err err = {{0}};
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.updated = NF_TIME_NONE;
	buf_init(&x.entries, ATOM_MAX_BYTES);
	if ((x.t = store_begin(c->store, 0, &err)) == NULL) {
		nf_error("%s", err.msg);
		goto out;
	}
	if (store_stories_newest(x.t, since, atom_one, &x) || x.failed)
		goto out;
	memset(&f, 0, sizeof(f));
	f.version = NF_VERSION;
	f.updated = x.updated != NF_TIME_NONE ? x.updated : nf_now();
	if (atom_write_head(&f, out) || buf_append(out, x.entries.data, x.entries.len) ||
	    atom_write_tail(out)) {
		nf_error("out of memory");
		goto out;
	}
	rc = 0;
out:
	if (x.t)
		store_abort(x.t);
	buf_release(&x.entries);
	return rc;
}

int
cmd_atom_write_file(struct cmd_ctx *c, const char *path, int64_t since)
{
	struct nf_err err = {{0}};
	struct buf doc;
	int rc = -1;

	buf_init(&doc, 0);
	if (cmd_open_store(c) == 0 && atom_build(c, since, &doc) == 0) {
		if (nf_write_file_atomic(path, doc.data, doc.len, 0644, &err))
			nf_error("writing the Atom feed: %s", err.msg);
		else
			rc = 0;
	}
	buf_release(&doc);
	return rc;
}

char *
cmd_state_path(const struct cmd_ctx *c, const char *leaf)
{
	const char *slash = c->db_path ? strrchr(c->db_path, '/') : NULL;
	struct buf p;

	buf_init(&p, 0);
	if (slash == NULL ? buf_printf(&p, "%s", leaf)
	                  : buf_printf(&p, "%.*s/%s", slash == c->db_path ? 0 : (int)(slash - c->db_path),
	                               c->db_path, leaf)) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p);
}

int
cmd_atom(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	int64_t since = nf_now() - 24 * 3600;
	struct buf doc;
	int ch, rc = EXIT_FAIL;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's')
			return bad_option("atom", argv);
		if (cmd_parse_since(optarg, &since))
			return cmd_usage_error("atom", "--since takes a duration (24h, 7d) "
			                       "or a date (2025-02-13), not '%s'", optarg);
	}
	if (optind < argc)
		return cmd_usage_error("atom", "unexpected argument '%s'", argv[optind]);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	buf_init(&doc, 0);
	if (atom_build(c, since, &doc) == 0) {
		fwrite(doc.data, 1, doc.len, stdout);
		rc = EXIT_OK;
	}
	buf_release(&doc);
	return rc;
}
