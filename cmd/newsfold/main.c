/*
 * newsfold -- a feed aggregator that folds the same story, carried by many
 * outlets, into one entry.  main(): global options, paths, the command
 * table.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>

#include "cmd.h"
#include "feed/feed.h"
#include "fetch/fetch.h"
#include "normalise/normalise.h"
#include "base/banned.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **, struct cmd_ctx *);
	int flags;
	const char *args; /* after the name, for the usage */
	const char *what;
} commands[] = {
	{"run", cmd_run, NEED_CONFIG | NEED_FEEDS | NEED_STORE_RW, "",
	 "poll for ever: the service (systemd Type=notify)"},
	{"poll", cmd_poll, NEED_CONFIG | NEED_FEEDS | NEED_STORE_RW, "[--force]",
	 "poll every due feed once (--force: every feed)"},
	{"add", cmd_add, NEED_CONFIG | NEED_FEEDS, "URL [--title T]",
	 "subscribe (finds the feed behind an HTML page)"},
	{"stories", cmd_stories, NEED_CONFIG | NEED_STORE_RO,
	 "[--since DUR|DATE] [--min-outlets N] [--limit N] [--unread] [--all] [--json]",
	 "the folded stories, newest first (default: last 24h)"},
	{"show", cmd_show, NEED_CONFIG | NEED_STORE_RO, "STORY [--why] [--json]",
	 "a story's articles, grouped by outlet"},
	{"read", cmd_read, NEED_CONFIG | NEED_STORE_RW, "STORY...", "mark stories read"},
	{"feeds", cmd_feeds, NEED_CONFIG | NEED_FEEDS | NEED_STORE_RO, "[--json]",
	 "subscriptions with their health"},
	{"remove", cmd_remove, NEED_CONFIG | NEED_FEEDS, "URL",
	 "unsubscribe (the stored articles are kept)"},
	{"import", cmd_import, NEED_CONFIG, "FILE.opml", "subscribe to the feeds of an OPML list"},
	{"export", cmd_export, NEED_CONFIG | NEED_FEEDS, "", "OPML of every subscription, to stdout"},
	{"atom", cmd_atom, NEED_CONFIG | NEED_STORE_RO, "[--since DUR|DATE]",
	 "the folded stories as an Atom feed, to stdout"},
	{"parse", cmd_parse, NEED_CONFIG, "[--json] FILE|URL...",
	 "parse feeds and print their items; nothing stored"},
	{"check", cmd_check, NEED_CONFIG | NEED_FEEDS, "", "validate newsfold.conf and feeds.d"},
	{"stats", cmd_stats, NEED_CONFIG | NEED_FEEDS | NEED_STORE_RO, "",
	 "counts of feeds, articles and stories"},
	{"fsck", cmd_fsck, NEED_CONFIG | NEED_STORE_RW, "[--repair]",
	 "check the database's records and indexes (--repair: rebuild them)"},
	{"version", cmd_version, 0, NULL, NULL},
	{"help", cmd_help, 0, NULL, NULL},
};

/* command_usage(f, c): the usage lines of command ${c}. */
static void
command_usage(FILE *f, const struct command *c)
{
	char head[128];

	snprintf(head, sizeof(head), "%s%s%s", c->name, *c->args ? " " : "", c->args);
	if (strlen(head) <= 20)
		fprintf(f, "  %-20s %s\n", head, c->what);
	else
		fprintf(f, "  %s\n  %-20s %s\n", head, "", c->what);
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: newsfold [-c FILE] [-d DBDIR] [-f FEEDSDIR] COMMAND [ARGS]\n"
	    "\n"
	    "  -c FILE      newsfold.conf to read (-c /dev/null: defaults only)\n"
	    "  -d DBDIR     the database directory (overrides the configuration)\n"
	    "  -f FEEDSDIR  the feeds.d directory (overrides the configuration)\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < NF_ARRAY_LEN(commands); i++)
		if (commands[i].args)
			command_usage(f, &commands[i]);
	fprintf(f,
	    "  version | help [COMMAND]\n"
	    "\n"
	    "`newsfold COMMAND --help` shows the usage of one command.\n"
	    "Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.\n");
}

static const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NF_ARRAY_LEN(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* command_help(c): `newsfold COMMAND --help`, to stdout. */
static int
command_help(const struct command *c)
{
	if (c->args == NULL) {
		usage(stdout);
		return EXIT_OK;
	}
	printf("usage: newsfold [-c FILE] [-d DBDIR] [-f FEEDSDIR] %s%s%s\n\n  %s\n", c->name,
	       *c->args ? " " : "", c->args, c->what);
	return EXIT_OK;
}

/* ---- shared helpers ---------------------------------------------------- */

static int journal_mode;

void
nf_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (journal_mode)
		fputs("<3>", stderr);
	fputs("newsfold: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nf_error("%s: %s (see `newsfold help`)", cmd, msg);
	return EXIT_USAGE;
}

int
cmd_print_json(struct json_t *obj)
{
	char *s;

	if (obj == NULL) {
		nf_error("out of memory");
		return -1;
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (s == NULL) {
		nf_error("out of memory");
		return -1;
	}
	puts(s);
	free(s);
	return 0;
}

int
cmd_parse_since(const char *s, int64_t *out)
{
	int64_t d;

	if (nf_duration_parse(s, &d) == 0) {
		*out = nf_now() - d;
		return 0;
	}
	d = feed_date_parse(s);
	if (d == NF_TIME_NONE)
		return -1;
	*out = d;
	return 0;
}

static void
log_sink(int level, const char *msg, void *ctx)
{
	(void)ctx;
	if (journal_mode)
		fprintf(stderr, "<%d>%s\n", level, msg);
	else
		fprintf(stderr, "newsfold: %s\n", msg);
}

/* ---- paths ------------------------------------------------------------- */

/* path_join(a, b): "a/b", caller frees; NULL when a is NULL. */
static char *
path_join(const char *a, const char *b)
{
	struct buf p;

	if (a == NULL || *a == '\0')
		return NULL;
	buf_init(&p, 0);
	if (buf_printf(&p, "%s/%s", a, b)) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p);
}

/* xdg_dir(var, fallback): $var, else $HOME/fallback; caller frees. */
static char *
xdg_dir(const char *var, const char *fallback, const char *leaf)
{
	const char *v = getenv(var), *home = getenv("HOME");
	struct buf p;

	buf_init(&p, 0);
	if (v && *v == '/')
		buf_printf(&p, "%s/newsfold/%s", v, leaf);
	else if (home && *home)
		buf_printf(&p, "%s/%s/newsfold/%s", home, fallback, leaf);
	else
		buf_printf(&p, "./%s", leaf);
	return p.data ? buf_detach(&p) : NULL;
}

/* mkdir_p(path): create ${path}'s parent directories. */
static int
mkdir_parents(const char *path)
{
	char *p = nf_strdup(path), *s;

	if (p == NULL)
		return -1;
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static void
print_diag(struct nf_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		nf_error("%s", d->msg[i]);
}

int
cmd_load_feeds(struct cmd_ctx *c)
{
	struct nf_diag d = {0};
	int rc;

	feed_list_release(&c->feeds);
	feed_list_init(&c->feeds);
	rc = feeds_load_dir(c->feeds_dir, &c->feeds, &d);
	if (rc == 0) { /* the feeds of subscription lists, as last fetched */
		char *lists = cmd_state_path(c, "lists");
		rc = lists ? feeds_follow_cached(&c->feeds, lists, &d) : -1;
		free(lists);
	}
	print_diag(&d);
	nf_diag_release(&d);
	return rc;
}

static int
setup(struct cmd_ctx *c, int flags, const char *opt_c, const char *opt_d, const char *opt_f)
{
	struct nf_diag d = {0};
	char *conf = NULL;
	const char *cd = getenv("CONFIGURATION_DIRECTORY"), *sd = getenv("STATE_DIRECTORY");
	int rc;

	if (!(flags & NEED_CONFIG))
		return EXIT_OK;
	/* newsfold.conf: -c, else the service's or the user's */
	if (opt_c)
		conf = nf_strdup(opt_c);
	else if (cd && *cd)
		conf = path_join(cd, "newsfold.conf");
	else
		conf = xdg_dir("XDG_CONFIG_HOME", ".config", "newsfold.conf");
	rc = config_load(&c->cfg, conf, opt_c == NULL, &d);
	print_diag(&d);
	nf_diag_release(&d);
	c->config_path = conf;
	if (rc)
		return EXIT_USAGE;
	if (opt_d)
		c->db_path = nf_strdup(opt_d);
	else if (c->cfg.db_path)
		c->db_path = nf_strdup(c->cfg.db_path);
	else if (sd && *sd)
		c->db_path = path_join(sd, "db");
	else
		c->db_path = xdg_dir("XDG_STATE_HOME", ".local/state", "db");
	if (opt_f)
		c->feeds_dir = nf_strdup(opt_f);
	else if (c->cfg.feeds_dir)
		c->feeds_dir = nf_strdup(c->cfg.feeds_dir);
	else if (cd && *cd)
		c->feeds_dir = path_join(cd, "feeds.d");
	else
		c->feeds_dir = xdg_dir("XDG_CONFIG_HOME", ".config", "feeds.d");
	if (c->db_path == NULL || c->feeds_dir == NULL) {
		nf_error("out of memory");
		return EXIT_FAIL;
	}
	if ((flags & NEED_FEEDS) && cmd_load_feeds(c)) {
		nf_error("%s: cannot read the feeds directory: %s", c->feeds_dir, strerror(errno));
		return EXIT_USAGE;
	}
	c->store_flags = flags & (NEED_STORE_RO | NEED_STORE_RW);
	return EXIT_OK;
}

/* A fault on the database's pages (store_holds()): told in words, not
 * as "Bus error".  What was committed is kept: LMDB had not committed
 * the transaction that met it. */
static const struct store *bus_store;
static char bus_msg[PATH_MAX + 256];
static size_t bus_len;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (bus_store && store_holds(bus_store, si->si_addr)) {
		ssize_t w = write(STDERR_FILENO, bus_msg, bus_len);

		(void)w;
		_exit(EXIT_FAIL);
	}
	/* another fault: SA_RESETHAND put the default action back, and the
	 * access faults again as it returns */
}

static void
watch_store(const struct store *s)
{
	struct sigaction sa;
	int n = snprintf(bus_msg, sizeof(bus_msg),
	                 "%snewsfold: %s: a page of the database could not be written or "
	                 "read (is its disk full, or was the file cut short?): stopped; "
	                 "what was committed is kept (newsfold fsck checks it)\n",
	                 journal_mode ? "<3>" : "", store_path(s));

	bus_len = n < 0 ? 0 : (size_t)n < sizeof(bus_msg) ? (size_t)n : sizeof(bus_msg) - 1;
	bus_store = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

int
cmd_open_store(struct cmd_ctx *c)
{
	struct nf_err err = {{0}};
	unsigned sf;

	if (c->store)
		return 0;
	sf = c->store_flags & NEED_STORE_RW ? 0 : STORE_RDONLY;
	if (c->cfg.sync_batch)
		sf |= STORE_SYNC_BATCH;
	if ((c->store_flags & NEED_STORE_RW) && mkdir_parents(c->db_path)) {
		nf_error("%s: %s", c->db_path, strerror(errno));
		return -1;
	}
	if ((c->store = store_open(c->db_path, sf, &err)) == NULL) {
		nf_error("%s", err.msg);
		return -1;
	}
	watch_store(c->store);
	return 0;
}

int
cmd_version(int argc, char **argv, struct cmd_ctx *c)
{
	printf("newsfold %s\n", NF_VERSION);
	return EXIT_OK;
}

int
cmd_help(int argc, char **argv, struct cmd_ctx *c)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if ((cmd = command_find(argv[1])) == NULL)
		return cmd_usage_error("help", "unknown command '%s'", argv[1]);
	return command_help(cmd);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *opt_c = NULL, *opt_d = NULL, *opt_f = NULL, *js = getenv("JOURNAL_STREAM");
	const struct command *cmd = NULL;
	struct cmd_ctx c;
	struct nf_err err = {{0}};
	const char *debug = getenv("NEWSFOLD_DEBUG");
	int ch, rc;
	size_t i;

	memset(&c, 0, sizeof(c));
	config_init(&c.cfg);
	feed_list_init(&c.feeds);
	c.tty = isatty(STDOUT_FILENO);
	c.color = c.tty && getenv("NO_COLOR") == NULL;
	journal_mode = c.journal = js && *js && getenv("INVOCATION_ID") != NULL;
	nf_log_set(log_sink, NULL, debug && *debug ? NF_LOG_DEBUG : NF_LOG_INFO);

	while ((ch = getopt_long(argc, argv, "+c:d:f:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': opt_c = optarg; break;
		case 'd': opt_d = optarg; break;
		case 'f': opt_f = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': return cmd_version(0, NULL, &c);
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = command_find(argv[0])) == NULL) {
		nf_error("unknown command '%s' (see `newsfold help`)", argv[0]);
		return EXIT_USAGE;
	}
	/* COMMAND --help: its usage, before anything is read or opened */
	for (i = 1; i < (size_t)argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return command_help(cmd);
	if (fetch_global_init(&err)) {
		nf_error("%s", err.msg);
		return EXIT_FAIL;
	}
	xmlInitParser();
	rc = setup(&c, cmd->flags, opt_c, opt_d, opt_f);
	if (rc == EXIT_OK) {
		optind = 0; /* commands parse their own options from argv[0] */
		opterr = 0; /* and report a bad one themselves, as newsfold: ... */
		rc = cmd->fn(argc, argv, &c);
	}
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			nf_error("writing the output: %s", strerror(errno));
		rc = rc ? rc : EXIT_FAIL;
	}
	store_close(c.store);
	feed_list_release(&c.feeds);
	config_release(&c.cfg);
	free(c.config_path);
	free(c.db_path);
	free(c.feeds_dir);
	fetch_global_cleanup();
	norm_global_cleanup();
	xmlCleanupParser();
	return rc;
}
