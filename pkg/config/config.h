#ifndef NF_CONFIG_H
#define NF_CONFIG_H
/*
 * config: newsfold.conf, the feeds.d/ drop-ins and OPML lists.
 *
 * newsfold.conf is INI: `key = value` lines, `#` or `;` comments, sections
 * [store] [poll] [cluster] (a key may also stand before any section).  Every
 * key has a default; the file itself is optional.  Problems are reported
 * into a struct nf_diag as "file:line: why"; a bad line is skipped and the
 * rest is used.
 *
 * feeds.d/ holds drop-ins read in byte order of their names: *.conf lists
 * feeds as sections named by URL (http, https or file), *.opml files are
 * subscription lists used as they are.
 *
 * Ownership: every struct here owns its strings; *_release() frees them.
 * Nothing here reads the environment: cmd/ resolves default paths.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct nf_config {
	/* [store] */
	char *db_path;          /* LMDB directory; NULL: cmd/ decides */
	char *feeds_dir;        /* feeds.d; NULL: cmd/ decides */
	int64_t keep;           /* retention, seconds (default 30 d) */
	int sync_batch;         /* sync = batch (1) or durable (0, default) */
	/* [poll] */
	int64_t interval;       /* default per-feed interval (30 min) */
	long concurrency;       /* transfers in flight (32) */
	long per_host;          /* transfers per host (2) */
	long connect_timeout;   /* seconds (15) */
	long timeout;           /* seconds (60) */
	uint64_t max_body;      /* bytes (16 MiB) */
	char *user_agent;       /* NULL: the built-in one */
	/* [cluster] */
	int64_t window;         /* seconds (72 h) */
	double story_threshold; /* similarity to join a story (0..1) */
	double copy_threshold;  /* resemblance to mark a copy (0..1) */
};

/* config_init(c): every default; strings NULL. */
void config_init(struct nf_config *c);
/*
 * config_load(c, path, diag): read ${path} into ${c}.  Bad lines go to
 * ${diag} and are skipped.  Returns -1 (diag says why) only when the file
 * exists but cannot be read; a missing file is no error when ${optional}.
 */
int config_load(struct nf_config *c, const char *path, int optional, struct nf_diag *diag);
void config_release(struct nf_config *c);

/* One subscription. */
struct feed_sub {
	char *url;
	char *title;      /* may be NULL */
	int64_t interval; /* 0: the configured default */
	char **tags;      /* ntags strings, e.g. "world", "news/europe" */
	size_t ntags;
	int cluster;      /* 0: `cluster = no`, articles stand alone */
	int is_opml;      /* `type = opml`: a subscription list, not a feed */
	char *file;       /* where it was declared, for messages */
	int line;
};

struct feed_list {
	struct feed_sub *v;
	size_t n, alloc;
};

void feed_list_init(struct feed_list *l);
void feed_list_release(struct feed_list *l);
/* feed_list_find(l, url): the subscription with that URL, or NULL. */
struct feed_sub *feed_list_find(const struct feed_list *l, const char *url);
/*
 * feed_list_add(l, sub): append a copy of ${sub} (strings duplicated)
 * unless its URL is listed already: returns 0 added, 1 duplicate, -1 out of
 * memory.
 */
int feed_list_add(struct feed_list *l, const struct feed_sub *sub);

/*
 * feeds_load_dir(dir, list, diag): read every *.conf and *.opml of ${dir}
 * in byte order of names into ${list}; a feed listed twice is kept once
 * (reported).  Returns -1 when ${dir} cannot be read.
 */
int feeds_load_dir(const char *dir, struct feed_list *list, struct nf_diag *diag);
/* feeds_load_conf(path, list, diag): one *.conf drop-in. */
int feeds_load_conf(const char *path, struct feed_list *list, struct nf_diag *diag);

/*
 * opml_parse(data, len, name, list, diag): the feeds of an OPML document
 * (1.0, 1.1, 2.0; recovered when not well-formed); nested outlines become
 * tags "a/b".  ${name} names the source in messages.  Returns -1 when no
 * OPML could be read at all.
 */
int opml_parse(const char *data, size_t len, const char *name, struct feed_list *list,
               struct nf_diag *diag);
/* opml_load(path, list, diag): opml_parse() of a file. */
int opml_load(const char *path, struct feed_list *list, struct nf_diag *diag);
/* opml_write(list, title, out): an OPML 2.0 document of ${list} into ${out}. */
int opml_write(const struct feed_list *list, const char *title, struct buf *out);

/*
 * conf_write_sub(sub, out): ${sub} as a feeds.d section ("[url]\ntitle =
 * ...\n"), for `add` and `import`.
 */
int conf_write_sub(const struct feed_sub *sub, struct buf *out);

#endif
