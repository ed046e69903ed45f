/* fsck: check the store's indexes (and repair them); retention after a poll. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "base/banned.h"

#define EXPIRE_PER_TXN 500 /* articles removed per write transaction */

static void
fsck_report(const char *msg, void *ctx)
{
	(void)ctx;
	printf("%s\n", msg);
}

int
cmd_fsck(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"repair", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct store_fsck_stats st;
	struct nf_err err = {{0}};
	int repair = 0, ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r')
			return cmd_usage_error("fsck", "unknown option");
		repair = 1;
	}
	if (optind < argc)
		return cmd_usage_error("fsck", "unexpected argument '%s'", argv[optind]);
	if (cmd_open_store(c))
		return EXIT_FAIL;
	if (store_fsck(c->store, repair, fsck_report, NULL, &st, &err)) {
		nf_error("fsck: %s", err.msg);
		return EXIT_FAIL;
	}
	if (st.problems > 1000)
		printf("... and %llu more\n", (unsigned long long)(st.problems - 1000));
	fprintf(stderr, "fsck: %llu articles, %llu stories, %llu keys: %llu problem%s%s\n",
	        (unsigned long long)st.articles, (unsigned long long)st.stories,
	        (unsigned long long)st.keys, (unsigned long long)st.problems,
	        st.problems == 1 ? "" : "s", repair && st.problems ? ", repaired" : "");
	return st.problems ? EXIT_FAIL : EXIT_OK;
}

int
cmd_store_expire(struct cmd_ctx *c)
{
	struct store_expire_stats st;
	struct nf_err err = {{0}};

	if (c->store == NULL || c->cfg.keep <= 0)
		return 0;
	if (store_expire(c->store, nf_now() - c->cfg.keep, EXPIRE_PER_TXN, &st, &err)) {
		nf_error("retention: %s", err.msg);
		return -1;
	}
	if (st.articles)
		nf_log(NF_LOG_INFO, "retention: %llu articles older than the keep period removed, "
		       "%llu stories emptied", (unsigned long long)st.articles,
		       (unsigned long long)st.stories_gone);
	return 0;
}
