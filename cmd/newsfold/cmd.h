#ifndef NF_CMD_H
#define NF_CMD_H
/*
 * The newsfold program: main.c parses the global options, resolves paths
 * from the environment, sets up what a command asks for (its flags in the
 * table of main.c) and calls cmd_<name>(argc, argv, ctx).
 *
 * Adding a command:
 *   1. write `int cmd_foo(int argc, char **argv, struct cmd_ctx *c)` in the
 *      cmd_<group>.c it belongs to, declared below; argv[0] is "foo";
 *   2. add it to the table in main.c with the set-up it needs; a command
 *      that uses the store calls cmd_open_store() after parsing its options;
 *   3. describe it in usage() (main.c), dist/newsfold.1 and README.md;
 *   4. test it in tests/integration/.
 * Return an exit status: 0 success, 1 runtime failure, 2 usage or
 * configuration error.  Errors go to stderr through nf_error().
 * A command longer than ~150 lines is logic that belongs in pkg/.
 */
#include <stdio.h>

#include "base/base.h"
#include "config/config.h"
#include "store/store.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

enum {
	NEED_CONFIG = 1 << 0,   /* newsfold.conf read */
	NEED_FEEDS = 1 << 1,    /* feeds.d read into c->feeds */
	NEED_STORE_RO = 1 << 2, /* cmd_open_store() opens it for reading */
	NEED_STORE_RW = 1 << 3, /* ... for writing (created when absent) */
};

struct cmd_ctx {
	struct nf_config cfg;
	char *config_path;       /* the configuration file named or looked for */
	char *db_path;
	char *feeds_dir;
	struct feed_list feeds;
	struct store *store;     /* opened by cmd_open_store() */
	int store_flags;
	int tty;      /* stdout is a terminal */
	int color;    /* colour allowed on stdout */
	int journal;  /* stderr goes to the journal: "<N>" prefixes */
};

/* nf_error(fmt, ...): "newsfold: ..." on stderr. */
void nf_error(const char *fmt, ...) NF_PRINTF(1, 2);
/* cmd_usage_error(cmd, fmt, ...): an error plus a hint; returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) NF_PRINTF(2, 3);
/* cmd_print_json(obj): one compact JSON line on stdout; steals ${obj}. */
struct json_t;
int cmd_print_json(struct json_t *obj);
/* cmd_parse_since(s, out): a duration ("24h": that long ago) or an RFC 3339
 * date, as a UTC time. */
int cmd_parse_since(const char *s, int64_t *out);
/* cmd_open_store(c): open the store as the command's flags say, once its
 * options are read (so a usage error never depends on the store); 0 or -1
 * (reported). */
int cmd_open_store(struct cmd_ctx *c);
/* cmd_load_feeds(c): (re)read feeds.d into c->feeds, reporting problems. */
int cmd_load_feeds(struct cmd_ctx *c);

/* cmd_state_path(c, leaf): "${leaf}" in the directory that holds the
 * database directory (the state directory: $STATE_DIRECTORY under
 * systemd); caller frees; NULL out of memory. */
char *cmd_state_path(const struct cmd_ctx *c, const char *leaf);
/* cmd_atom_write_file(c, path, since): the Atom feed of the stories seen
 * since ${since}, written atomically to ${path} (for `run`, after every
 * poll, to $STATE/stories.atom); 0 or -1 (reported). */
int cmd_atom_write_file(struct cmd_ctx *c, const char *path, int64_t since);
/* cmd_lists_refresh(c, force): fetch the due subscription lists
 * (`type = opml`, or all with ${force}) with conditional GET, keep them in
 * $STATE/lists, record each outcome in the store like a feed's, and reload
 * c->feeds so that it follows the feeds they list now.  Call it after
 * cmd_open_store() and before polling; 0, or -1 when it could not run. */
int cmd_lists_refresh(struct cmd_ctx *c, int force);

int cmd_poll(int argc, char **argv, struct cmd_ctx *c);
int cmd_run(int argc, char **argv, struct cmd_ctx *c);
int cmd_add(int argc, char **argv, struct cmd_ctx *c);
int cmd_stories(int argc, char **argv, struct cmd_ctx *c);
int cmd_show(int argc, char **argv, struct cmd_ctx *c);
int cmd_read(int argc, char **argv, struct cmd_ctx *c);
int cmd_feeds(int argc, char **argv, struct cmd_ctx *c);
int cmd_parse(int argc, char **argv, struct cmd_ctx *c);
int cmd_check(int argc, char **argv, struct cmd_ctx *c);
int cmd_stats(int argc, char **argv, struct cmd_ctx *c);
int cmd_fsck(int argc, char **argv, struct cmd_ctx *c);
/* cmd_store_expire(c): remove what is older than [store] keep from the
 * open store (cmd_store.c); 0, or -1 (reported). */
int cmd_store_expire(struct cmd_ctx *c);
int cmd_remove(int argc, char **argv, struct cmd_ctx *c);
int cmd_import(int argc, char **argv, struct cmd_ctx *c);
int cmd_export(int argc, char **argv, struct cmd_ctx *c);
int cmd_atom(int argc, char **argv, struct cmd_ctx *c);
int cmd_version(int argc, char **argv, struct cmd_ctx *c);
int cmd_help(int argc, char **argv, struct cmd_ctx *c);

#endif
