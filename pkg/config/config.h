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
 *   [store]    path, feeds, keep (30d), sync (durable | batch)
 *   [poll]     interval (30m), concurrency (32), per_host (2),
 *              connect_timeout (15s), timeout (60s), max_body (16M), user_agent,
 *              min_interval (1m), max_interval (1d), max_backoff (1d)
 *   [cluster]  window (72h), story_threshold (0.20), copy_threshold (0.50)
 *
 * Durations are 90s, 10m, 2h, 7d, 2w; sizes 512k, 16M, 1G.  A '#' or ';'
 * starts a trailing comment only after white space (URLs keep their
 * fragments); a value in double quotes keeps everything (\" and \\ inside).
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
	int64_t min_interval;   /* floor of every feed's interval (1 min): an interval
	                           under a minute needs min_interval lowered too */
	int64_t max_interval;   /* ceiling of what a publisher's max-age, ttl or
	                           skipHours may stretch an interval to (1 d) */
	int64_t max_backoff;    /* ceiling of the error backoff (1 d) */
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
 * A NULL ${path} reads nothing and leaves the defaults.
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
	char *via;        /* the `type = opml` list it is followed through (its URL);
	                     NULL when declared in feeds.d itself */
};

/*
 * A list of subscriptions, in the order they were added, no two with the
 * same URL: URLs are the same when equal, or equal after lower-casing the
 * scheme and host and reading an empty path "/" as "" ("HTTPS://Example.COM/"
 * is "https://example.com").  Read v[0..n) freely; change the list only
 * through feed_list_add() and feed_list_remove(), which keep the URL index.
 */
struct feed_list {
	struct feed_sub *v;
	size_t n, alloc;
	size_t *slot;     /* private: URL hash index, entries are index + 1 */
	size_t nslot;     /* private: a power of two, or 0 */
	size_t nindexed;  /* private: n when the index was last right */
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
 * feed_list_remove(l, url): remove the subscription with that URL (same
 * rule as feed_list_find), keeping the order of the others: returns 0
 * removed, 1 not listed.
 */
int feed_list_remove(struct feed_list *l, const char *url);

/*
 * feeds_load_dir(dir, list, diag): read every *.conf and *.opml of ${dir}
 * in byte order of names (strcmp, whatever the locale) into ${list}; hidden
 * files and anything not ending in .conf or .opml (editor backups "x.conf~",
 * "x.conf.bak", ".x.conf.swp") are skipped.  A feed listed twice is kept
 * once (reported); a bad file is reported and the others load.  Returns -1
 * when ${dir} cannot be read or memory ran out.
 */
int feeds_load_dir(const char *dir, struct feed_list *list, struct nf_diag *diag);
/*
 * feeds_load_conf(path, list, diag): one *.conf drop-in; each section is a
 * feed URL with the keys title, interval, tags (comma-separated), cluster
 * (yes|no) and type (feed|opml).  Returns -1 when ${path} cannot be read or
 * memory ran out; bad lines are reported and skipped.
 */
int feeds_load_conf(const char *path, struct feed_list *list, struct nf_diag *diag);

/*
 * opml_parse(data, len, name, list, diag): the feeds of an OPML document
 * (1.0, 1.1, 2.0; any encoding libxml2 knows; recovered when not
 * well-formed, a bare '&' or an HTML entity repaired first) appended to
 * ${list}.  An outline with xmlUrl (or url, in any case) is a feed, titled
 * by its title, else its text; one without a URL, or of type "link", is a
 * folder named by its text, else its title.  The folders above a feed make
 * its first tag ("a/b"); its category attribute ("/News/World,/Tech") adds
 * "News/World" and "Tech".  type="include" gives an is_opml subscription.
 * A duplicate is reported and kept once.  ${name} names the source in
 * messages.  Returns -1 when no OPML could be read at all (not XML, another
 * root element, out of memory).  Cost: the document is copied once.
 */
int opml_parse(const char *data, size_t len, const char *name, struct feed_list *list,
               struct nf_diag *diag);
/* opml_load(path, list, diag): opml_parse() of a file. */
int opml_load(const char *path, struct feed_list *list, struct nf_diag *diag);
/*
 * opml_write(list, title, out): an OPML 2.0 document of ${list} appended to
 * ${out} (UTF-8; no date, so the same list gives the same bytes).  A feed's
 * first tag makes its folders, its other tags the category attribute;
 * opml_parse() of the result gives the same URLs, titles, tags and is_opml.
 * interval and cluster are not written.  Returns 0, -1 out of memory.
 */
int opml_write(const struct feed_list *list, const char *title, struct buf *out);

/*
 * conf_write_sub(sub, out): ${sub} appended to ${out} as a feeds.d section
 * ("[url]\ntitle = ...\n"), for `add` and `import`; values are quoted where
 * the reader needs it, so feeds_load_conf() reads back the same
 * subscription.  Returns -1 when the URL is not a feed URL or out of memory.
 */
int conf_write_sub(const struct feed_sub *sub, struct buf *out);

/*
 * feeds_conf_remove(path, line, url, err): remove from the *.conf drop-in
 * ${path} the section of ${url} whose header is on line ${line} (as in a
 * feed_sub's file and line): the header, its keys and the comments among
 * them, and the blank lines after it; the rest of the file is kept byte for
 * byte, and written back atomically with its mode.  Returns 0, or -1 with
 * ${err} (the file unreadable or unwritable, or line ${line} no longer the
 * header of ${url}: the file changed since it was read).
 */
int feeds_conf_remove(const char *path, int line, const char *url, struct nf_err *err);

/*
 * Subscription lists (`type = opml`): their fetched documents are kept in
 * a cache directory, one file per list, named by feeds_list_cache_name();
 * the feeds they list are followed: added to the feed list, with ${via}
 * set to the list's URL, while the list carries them.
 *
 * feeds_list_cache_name(url, out): append "list-<16 hex digits>.opml", a
 * name derived from ${url} (URLs that feed_list_find() takes as the same
 * give the same name).  Returns 0, -1 out of memory.
 *
 * feeds_follow_list(l, list, data, len, diag): the feeds of the OPML
 * document ${data} fetched for subscription ${list}, added to ${l} unless
 * listed already (a feed declared in feeds.d wins, silently): each takes
 * the list's URL as ${via}, the list's cluster setting, its folders and the
 * list's tags as tags.  Problems of the document go to ${diag} named by the
 * list's URL.  Returns the number of feeds added, or -1 when the document
 * is no OPML or memory ran out.
 *
 * feeds_follow_cached(l, dir, diag): feeds_follow_list() for every
 * subscription list of ${l} (those it adds included, so a list may list
 * lists) whose document is cached in ${dir}; a list not yet fetched adds
 * nothing.  Problems of the documents are logged (nf_log, debug) rather
 * than put in ${diag}: they are the list publisher's, not the user's.
 * Returns 0, -1 out of memory.
 */
int feeds_list_cache_name(const char *url, struct buf *out);
int feeds_follow_list(struct feed_list *l, const struct feed_sub *list, const char *data,
                      size_t len, struct nf_diag *diag);
int feeds_follow_cached(struct feed_list *l, const char *dir, struct nf_diag *diag);

#endif
