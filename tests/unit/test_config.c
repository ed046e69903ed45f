/*
 * Unit tests of pkg/config: the INI reader, newsfold.conf, feeds.d/ drop-ins
 * and OPML in and out.  Fixtures are in tests/data/config and
 * tests/data/opml (TESTS_DIR, default "tests").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "base/base.h"
#include "config/config.h"
#include "config/ini.h"

/* ---- helpers ------------------------------------------------------------ */

/* data(rel): "$TESTS_DIR/data/rel"; one of a few rotating static buffers. */
static const char *
data(const char *rel)
{
	static char bufs[4][1024];
	static int i;
	const char *dir = getenv("TESTS_DIR");
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/data/%s", dir && *dir ? dir : "tests", rel);
	return b;
}

/* fmt(...): a formatted string in one of 16 rotating static buffers. */
static const char *
fmt(const char *f, ...)
{
	static char bufs[16][1024];
	static int i;
	char *b = bufs[i++ % 16];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return b;
}

/* tags(s): the tags of ${s} joined by '|'. */
static const char *
tags(const struct feed_sub *s)
{
	static char b[1024];
	size_t i, n = 0;

	b[0] = '\0';
	for (i = 0; i < s->ntags; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%s", i ? "|" : "", s->tags[i]);
	return b;
}

static void
print_diag(const struct nf_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("diag[%zu]: %s\n", i, d->msg[i]);
}

static void
assert_diags(const struct nf_diag *d, const char *const *want, size_t n)
{
	size_t i;

	if (d->n != n)
		print_diag(d);
	assert_int_equal(d->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d->msg[i], want[i]);
}

static const char *
title_of(const struct feed_list *l, const char *url)
{
	struct feed_sub *s = feed_list_find(l, url);

	assert_non_null(s);
	return s->title ? s->title : "(none)";
}

/* ---- INI ------------------------------------------------------------------ */

static int
record(const char *section, const char *key, const char *value, int line, void *ctx)
{
	struct buf *b = ctx;

	return buf_printf(b, "%d [%s] %s=%s\n", line, section ? section : "-", key ? key : "-",
	                  value ? value : "-");
}

static void
ini_reads_sections_keys_values_and_comments(void **state)
{
	const char text[] =
	    "# comment\n"
	    "; another\n"
	    "top = level\n"
	    "\n"
	    "  [ store ]   # comment after a header\n"
	    "path=/x/y\n"
	    "  spaced   =   value with  inner  spaces   \n"
	    "url = https://example.com/a#frag;x\n"
	    "cut = before # after\n"
	    "cut2 = before\t; after\n"
	    "empty =\n"
	    "quoted = \"  keep # this ; too  \"  # but not this\n"
	    "escaped = \"say \\\"hi\\\" \\\\ done\"\n"
	    "[https://example.com/feed#x]\n"
	    "a = b = c\n";
	struct nf_diag d = {0};
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(ini_parse(text, sizeof(text) - 1, "t.ini", record, &b, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(buf_cstr(&b),
	                    "3 [-] top=level\n"
	                    "5 [store] -=-\n"
	                    "6 [store] path=/x/y\n"
	                    "7 [store] spaced=value with  inner  spaces\n"
	                    "8 [store] url=https://example.com/a#frag;x\n"
	                    "9 [store] cut=before\n"
	                    "10 [store] cut2=before\n"
	                    "11 [store] empty=\n"
	                    "12 [store] quoted=  keep # this ; too  \n"
	                    "13 [store] escaped=say \"hi\" \\ done\n"
	                    "14 [https://example.com/feed#x] -=-\n"
	                    "15 [https://example.com/feed#x] a=b = c\n");
	buf_release(&b);
}

static void
ini_tolerates_bom_crlf_and_a_last_line_without_newline(void **state)
{
	const char text[] = "\xEF\xBB\xBF[poll]\r\nkey = v\r\n\r\nlast = one";
	struct nf_diag d = {0};
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(ini_parse(text, sizeof(text) - 1, "t.ini", record, &b, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(buf_cstr(&b), "1 [poll] -=-\n2 [poll] key=v\n4 [poll] last=one\n");
	buf_release(&b);
}

static void
ini_reports_bad_lines_with_their_number_and_reads_on(void **state)
{
	static const char *const want[] = {
	    "t.ini:2: expected 'key = value'",
	    "t.ini:3: expected 'key = value'",
	    "t.ini:4: unterminated quoted value",
	    "t.ini:5: text after the closing quote",
	    "t.ini:6: empty section name",
	    "t.ini:8: unterminated section",
	    "t.ini:11: line too long (over 65536 bytes)",
	};
	struct nf_diag d = {0};
	struct buf text, b;
	char *big;

	buf_init(&text, 0);
	buf_puts(&text, "[a]\nno equals sign\n= no key\nq = \"open\nq = \"x\" y\n[]\n"
	                "k = skipped after a bad header\n[b\nk = skipped too\n[c]\n");
	big = malloc(INI_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', INI_LINE_MAX + 1);
	big[INI_LINE_MAX + 1] = '\0';
	buf_printf(&text, "k = %s\nafter = long line\n", big);
	free(big);
	buf_init(&b, 0);
	assert_int_equal(ini_parse(text.data, text.len, "t.ini", record, &b, &d), 0);
	assert_diags(&d, want, NF_ARRAY_LEN(want));
	assert_string_equal(buf_cstr(&b), "1 [a] -=-\n10 [c] -=-\n12 [c] after=long line\n");
	nf_diag_release(&d);
	buf_release(&b);
	buf_release(&text);
}

/* ---- newsfold.conf --------------------------------------------------------- */

static void
config_defaults_are_the_documented_ones(void **state)
{
	struct nf_config c;

	config_init(&c);
	assert_null(c.db_path);
	assert_null(c.feeds_dir);
	assert_null(c.user_agent);
	assert_int_equal(c.keep, 30 * 86400);
	assert_int_equal(c.sync_batch, 0);
	assert_int_equal(c.interval, 30 * 60);
	assert_int_equal(c.concurrency, 32);
	assert_int_equal(c.per_host, 2);
	assert_int_equal(c.connect_timeout, 15);
	assert_int_equal(c.timeout, 60);
	assert_int_equal(c.max_body, 16u << 20);
	assert_int_equal(c.window, 72 * 3600);
	assert_float_equal(c.story_threshold, 0.20, 1e-9);
	assert_float_equal(c.copy_threshold, 0.50, 1e-9);
	config_release(&c);
}

static void
config_load_reads_every_key(void **state)
{
	struct nf_diag d = {0};
	struct nf_config c;

	config_init(&c);
	assert_int_equal(config_load(&c, data("config/newsfold.conf"), 0, &d), 0);
	print_diag(&d);
	assert_int_equal(d.n, 0);
	assert_string_equal(c.db_path, "/var/lib/newsfold/db");
	assert_string_equal(c.feeds_dir, "/etc/newsfold/feeds.d");
	assert_int_equal(c.keep, 90 * 86400);
	assert_int_equal(c.sync_batch, 1);
	assert_int_equal(c.interval, 600);
	assert_int_equal(c.concurrency, 8);
	assert_int_equal(c.per_host, 1);
	assert_int_equal(c.connect_timeout, 5);
	assert_int_equal(c.timeout, 120);
	assert_int_equal(c.max_body, 4u << 20);
	assert_string_equal(c.user_agent, "newsfold/1.0 (+https://example.com/bot#contact)");
	assert_int_equal(c.window, 48 * 3600);
	assert_float_equal(c.story_threshold, 0.25, 1e-9);
	assert_float_equal(c.copy_threshold, 0.8, 1e-9);
	config_release(&c);
	config_release(&c); /* twice is harmless */
}

static void
config_keys_before_any_section_are_found_in_every_section(void **state)
{
	struct nf_diag d = {0};
	struct nf_config c;

	config_init(&c);
	assert_int_equal(config_load(&c, data("config/keys-before-sections.conf"), 0, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.interval, 3600);
	assert_int_equal(c.window, 24 * 3600);
	assert_string_equal(c.db_path, "state/db");
	assert_int_equal(c.concurrency, 4);
	config_release(&c);
}

static void
config_bad_values_are_reported_with_file_and_line_and_skipped(void **state)
{
	const char *p = data("config/bad-values.conf");
	const char *const want[] = {
	    fmt("%s:2: interval: expected a duration such as 90s, 10m, 2h or 7d, got 'soon'", p),
	    fmt("%s:3: concurrency: 0 is out of range (1 to 1024)", p),
	    fmt("%s:5: timeout: expected a duration such as 90s, 10m, 2h or 7d, got '10x'", p),
	    fmt("%s:6: max_body: expected a size such as 512k, 16M or 1G, got 'huge'", p),
	};
	const char *const want2[] = {
	    fmt("%s:7: max_body: 2G is out of range (1k to 1G)", p),
	    fmt("%s:8: unknown key 'colour' in [poll]", p),
	    fmt("%s:9: expected 'key = value'", p),
	    fmt("%s:11: story_threshold: expected a number from 0 to 1 such as 0.3, got '1.5'", p),
	};
	const char *const want3[] = {
	    fmt("%s:14: sync: expected durable or batch, got 'sometimes'", p),
	    fmt("%s:15: keep: 30m is out of range (1h to 36500d)", p),
	    fmt("%s:16: unknown section [nonsense] (expected [store], [poll] or [cluster])", p),
	    fmt("%s:18: unterminated section", p),
	};
	struct nf_diag d = {0};
	struct nf_config c;
	size_t i;

	config_init(&c);
	assert_int_equal(config_load(&c, p, 0, &d), 0);
	if (d.n != 12)
		print_diag(&d);
	assert_int_equal(d.n, 12);
	for (i = 0; i < 4; i++) {
		assert_string_equal(d.msg[i], want[i]);
		assert_string_equal(d.msg[4 + i], want2[i]);
		assert_string_equal(d.msg[8 + i], want3[i]);
	}
	/* the good lines around the bad ones still apply */
	assert_int_equal(c.concurrency, 16);
	assert_float_equal(c.copy_threshold, 0.7, 1e-9);
	/* the bad ones left the defaults */
	assert_int_equal(c.interval, 30 * 60);
	assert_int_equal(c.timeout, 60);
	assert_int_equal(c.max_body, 16u << 20);
	assert_float_equal(c.story_threshold, 0.20, 1e-9);
	assert_int_equal(c.sync_batch, 0);
	assert_int_equal(c.keep, 30 * 86400);
	assert_int_equal(c.per_host, 2); /* under the unterminated [poll */
	nf_diag_release(&d);
	config_release(&c);
}

static void
config_tolerates_bom_and_crlf(void **state)
{
	struct nf_diag d = {0};
	struct nf_config c;

	config_init(&c);
	assert_int_equal(config_load(&c, data("config/crlf-bom.conf"), 0, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.interval, 15 * 60);
	assert_string_equal(c.user_agent, "test agent");
	config_release(&c);
}

static void
config_dev_null_gives_the_defaults_and_missing_files_are_optional(void **state)
{
	const char *missing = data("config/no-such-file.conf");
	struct nf_diag d = {0};
	struct nf_config c;

	config_init(&c);
	assert_int_equal(config_load(&c, "/dev/null", 0, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.concurrency, 32);
	assert_int_equal(config_load(&c, missing, 1, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(config_load(&c, missing, 0, &d), -1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], fmt("%s: cannot open: No such file or directory", missing));
	assert_int_equal(config_load(&c, data("config"), 1, &d), -1); /* a directory */
	assert_int_equal(d.n, 2);
	nf_diag_release(&d);
	config_release(&c);
}

/* ---- feeds.d ---------------------------------------------------------------- */

static void
feeds_conf_sections_are_feeds_with_their_keys(void **state)
{
	const char *p = data("config/feeds.d/10-world.conf");
	struct nf_diag d = {0};
	struct feed_list l;
	struct feed_sub *s;

	feed_list_init(&l);
	assert_int_equal(feeds_load_conf(p, &l, &d), 0);
	print_diag(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 3);
	s = &l.v[0];
	assert_string_equal(s->url, "https://feeds.bbci.co.uk/news/world/rss.xml");
	assert_string_equal(s->title, "BBC World");
	assert_int_equal(s->interval, 600);
	assert_string_equal(tags(s), "world|uk|news/europe");
	assert_int_equal(s->cluster, 1);
	assert_int_equal(s->is_opml, 0);
	assert_string_equal(s->file, p);
	assert_int_equal(s->line, 2);
	s = &l.v[1];
	assert_string_equal(s->title, "The Guardian # World");
	assert_int_equal(s->cluster, 0);
	assert_int_equal(s->interval, 0);
	assert_int_equal(s->ntags, 0);
	s = &l.v[2];
	assert_string_equal(s->url, "file:///var/lib/newsfold/local.xml");
	assert_null(s->title);
	assert_int_equal(s->line, 11);
	feed_list_release(&l);
	feed_list_release(&l);
}

static void
feeds_conf_bad_lines_are_reported_and_the_good_sections_load(void **state)
{
	const char *world = data("config/feeds.d/10-world.conf");
	const char *p = data("config/feeds.d/20-bad-lines.conf");
	const char *const want[] = {
	    fmt("%s:1: 'title' before any [feed URL] section", p),
	    fmt("%s:4: unknown key 'colour'", p),
	    fmt("%s:5: interval: expected a duration such as 10m, 2h or 1d, got 'often'", p),
	    fmt("%s:7: not a feed URL", p),
	};
	const char *const want2[] = {
	    fmt("%s:14: duplicate of %s:2", p, world),
	    fmt("%s:17: unterminated section", p),
	    fmt("%s:22: cluster: expected yes or no, got 'maybe'", p),
	};
	struct nf_diag d = {0};
	struct feed_list l;
	struct feed_sub *s;
	size_t i;

	feed_list_init(&l);
	assert_int_equal(feeds_load_conf(world, &l, &d), 0);
	assert_int_equal(feeds_load_conf(p, &l, &d), 0);
	if (d.n != 7)
		print_diag(&d);
	assert_int_equal(d.n, 7);
	for (i = 0; i < 4; i++)
		assert_string_equal(d.msg[i], want[i]);
	for (i = 0; i < 3; i++)
		assert_string_equal(d.msg[4 + i], want2[i]);
	/* three from 10-world.conf, three good sections of 20-bad-lines.conf */
	assert_int_equal(l.n, 6);
	s = &l.v[3];
	assert_string_equal(s->url, "https://rss.nytimes.com/services/xml/rss/nyt/World.xml");
	assert_string_equal(s->title, "NYT World");
	assert_int_equal(s->interval, 0);
	s = &l.v[4];
	assert_string_equal(s->url, "https://example.com/news#top");
	assert_string_equal(s->title, "Fragment kept");
	assert_string_equal(tags(s), "a;b");
	s = &l.v[5];
	assert_string_equal(s->url, "https://example.org/lists/news.opml");
	assert_int_equal(s->is_opml, 1);
	assert_int_equal(s->cluster, 1);
	/* the duplicate kept the first declaration */
	assert_string_equal(title_of(&l, "https://feeds.bbci.co.uk/news/world/rss.xml"), "BBC World");
	assert_null(feed_list_find(&l, "https://www.aljazeera.com/xml/rss/all.xml"));
	assert_null(feed_list_find(&l, "ftp://example.com/feed.xml"));
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
feeds_dir_reads_dropins_in_byte_order_and_skips_hidden_and_backups(void **state)
{
	const char *world = data("config/feeds.d/10-world.conf");
	const char *list = data("config/feeds.d/30-list.opml");
	static const char *const urls[] = {
	    "https://feeds.bbci.co.uk/news/world/rss.xml",
	    "https://www.theguardian.com/world/rss",
	    "file:///var/lib/newsfold/local.xml",
	    "https://rss.nytimes.com/services/xml/rss/nyt/World.xml",
	    "https://example.com/news#top",
	    "https://example.org/lists/news.opml",
	    "https://example.com/wires.xml",
	    "https://upper.example.com/rss", /* Z-upper.conf: 'Z' < 'a' */
	    "https://lower.example.com/rss",
	};
	struct nf_diag d = {0};
	struct feed_list l;
	size_t i;

	feed_list_init(&l);
	assert_int_equal(feeds_load_dir(data("config/feeds.d"), &l, &d), 0);
	assert_int_equal(l.n, NF_ARRAY_LEN(urls));
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.v[i].url, urls[i]);
	assert_string_equal(l.v[6].title, "AP & Reuters");
	assert_string_equal(tags(&l.v[6]), "Wires");
	assert_string_equal(l.v[6].file, list);
	assert_int_equal(l.v[6].line, 6);
	/* 20-bad-lines.conf says 7 things, 30-list.opml one */
	assert_int_equal(d.n, 8);
	assert_string_equal(d.msg[7], fmt("%s:7: duplicate of %s:2", list, world));
	assert_int_equal(feeds_load_dir(data("config/no-such-dir"), &l, &d), -1);
	assert_int_equal(d.n, 9);
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
feed_list_treats_case_of_host_and_an_empty_path_as_the_same_url(void **state)
{
	struct feed_sub s = {0};
	struct feed_list l;
	char url[64];
	size_t i;

	feed_list_init(&l);
	s.url = "HTTPS://Example.COM/";
	s.title = "one";
	s.cluster = 1;
	assert_int_equal(feed_list_add(&l, &s), 0);
	s.url = "https://example.com";
	assert_int_equal(feed_list_add(&l, &s), 1);
	s.url = "https://example.com/?x=1";
	assert_int_equal(feed_list_add(&l, &s), 0);
	assert_non_null(feed_list_find(&l, "https://EXAMPLE.com?x=1"));
	s.url = "https://example.com/Feed";
	assert_int_equal(feed_list_add(&l, &s), 0);
	assert_null(feed_list_find(&l, "https://example.com/feed")); /* paths keep case */
	assert_int_equal(l.n, 3);
	assert_string_equal(feed_list_find(&l, "https://example.com/")->url, "HTTPS://Example.COM/");
	/* many feeds: the index grows and still finds every one */
	for (i = 0; i < 3000; i++) {
		snprintf(url, sizeof(url), "https://h%zu.example.com/rss", i);
		s.url = url;
		assert_int_equal(feed_list_add(&l, &s), 0);
	}
	for (i = 0; i < 3000; i++) {
		snprintf(url, sizeof(url), "https://H%zu.EXAMPLE.com/rss", i);
		assert_non_null(feed_list_find(&l, url));
	}
	assert_int_equal(feed_list_remove(&l, "https://h10.example.com/rss"), 0);
	assert_int_equal(feed_list_remove(&l, "https://h10.example.com/rss"), 1);
	assert_null(feed_list_find(&l, "https://h10.example.com/rss"));
	assert_string_equal(l.v[3 + 10].url, "https://h11.example.com/rss");
	assert_non_null(feed_list_find(&l, "https://h2999.example.com/rss"));
	assert_int_equal(l.n, 3 + 2999);
	feed_list_release(&l);
}

static void
conf_write_sub_round_trips_through_feeds_load_conf(void **state)
{
	char *tagv[] = {"world", "news/europe", "a, b"};
	struct feed_sub s = {0}, *r;
	struct nf_diag d = {0};
	struct feed_list l;
	char path[] = "/tmp/test_config_XXXXXX";
	struct buf b;
	FILE *f;
	int fd;

	s.url = "https://example.com/a#frag";
	s.title = "  #1 \"quoted\" ; \\ back # slash";
	s.interval = 7200;
	s.tags = tagv;
	s.ntags = 3;
	s.cluster = 0;
	s.is_opml = 1;
	buf_init(&b, 0);
	assert_int_equal(conf_write_sub(&s, &b), 0);
	s.url = "https://example.com/plain";
	s.title = "Plain title";
	s.ntags = 0;
	s.interval = 0;
	s.cluster = 1;
	s.is_opml = 0;
	assert_int_equal(conf_write_sub(&s, &b), 0);
	assert_string_equal(strstr(b.data, "[https://example.com/plain]"),
	                    "[https://example.com/plain]\ntitle = Plain title\n");
	s.url = "ftp://example.com/x";
	assert_int_equal(conf_write_sub(&s, &b), -1);
	s.url = "https://example.com/with space";
	assert_int_equal(conf_write_sub(&s, &b), -1);

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	feed_list_init(&l);
	assert_int_equal(feeds_load_conf(path, &l, &d), 0);
	unlink(path);
	print_diag(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 2);
	r = &l.v[0];
	assert_string_equal(r->url, "https://example.com/a#frag");
	/* trimmed and collapsed like every title, else as written */
	assert_string_equal(r->title, "#1 \"quoted\" ; \\ back # slash");
	assert_int_equal(r->interval, 7200);
	assert_string_equal(tags(r), "world|news/europe|a b");
	assert_int_equal(r->cluster, 0);
	assert_int_equal(r->is_opml, 1);
	assert_string_equal(l.v[1].title, "Plain title");
	feed_list_release(&l);
	buf_release(&b);
}

/* ---- OPML --------------------------------------------------------------------- */

static int
load_opml(const char *rel, struct feed_list *l, struct nf_diag *d)
{
	return opml_load(data(rel), l, d);
}

static void
opml_nested_outlines_become_tags_and_folders_take_text_first(void **state)
{
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(load_opml("opml/newsboat__test__data__example.opml", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0].url, "https://example.com/feed.xml");
	assert_string_equal(l.v[0].title, "example.com website");
	assert_int_equal(l.v[0].ntags, 0);
	assert_string_equal(l.v[4].url, "https://blogs.example.com/~john/posts.rss");
	assert_string_equal(tags(&l.v[4]), "Blogs");
	assert_string_equal(l.v[5].title, "Notes by Mike");
	assert_string_equal(tags(&l.v[5]), "Blogs/friends");
	assert_string_equal(tags(&l.v[6]), "eloquent");
	assert_int_equal(l.v[6].line, 19);
	assert_string_equal(l.v[6].url, "https://fred.example.com/writing/index.php?type=rss");

	assert_int_equal(load_opml("opml/newsboat__test__data__example2.opml", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 14);
	assert_string_equal(tags(feed_list_find(&l, "https://third.example.com/~of/internet.rss")),
	                    "Rant boards/humans");
	assert_string_equal(title_of(&l, "https://example.com/five.atom"), "another title");
	feed_list_release(&l);
}

static void
opml_category_attribute_becomes_tags(void **state)
{
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(load_opml("opml/newsboat__test__data__category.opml", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].url, "http://feeds.bbci.co.uk/news/business/rss.xml?edition=int");
	assert_null(l.v[0].title);
	assert_string_equal(tags(&l.v[0]), "tag one|tag_two|tag/three");
	feed_list_release(&l);
}

static void
opml_bare_ampersands_keep_their_text_and_are_reported(void **state)
{
	const char *p = data("opml/awesome-rss-feeds__countries__with_category__United_States.opml");
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(opml_load(p, &l, &d), 0);
	assert_int_equal(l.n, 10);
	assert_string_equal(title_of(&l, "https://www.latimes.com/world-nation/rss2.0.xml"),
	                    "World & Nation");
	assert_string_equal(title_of(&l, "https://news.yahoo.com/rss/mostviewed"),
	                    "Yahoo News - Latest News & Headlines");
	assert_string_equal(title_of(&l, "https://rss.nytimes.com/services/xml/rss/nyt/HomePage.xml"),
	                    "NYT > Top Stories");
	assert_string_equal(tags(&l.v[0]), "United States");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], fmt("%s:14: '&' not written '&amp;' (read as '&'; more below)", p));
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_html_entities_are_decoded_not_dropped(void **state)
{
	const char *p = data("opml/html-entities-and-bare-ampersands.opml");
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(opml_load(p, &l, &d), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].title, "Le\xC2\xA0Monde");
	assert_string_equal(tags(&l.v[0]), "Caf\xC3\xA9s \xE2\x80\x94 Europe");
	assert_string_equal(l.v[1].title, "News & Views");
	assert_string_equal(l.v[1].url, "https://example.com/feed?a=1&b=2");
	assert_string_equal(l.v[2].title, "Caf\xC3\xA9 \xE2\x80\x94 & <b>");
	assert_string_equal(l.v[3].title, "AT&T; &unknownentity; & more");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], fmt("%s:8: '&' not written '&amp;' (read as '&'; more below)", p));
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_legacy_encodings_are_converted_to_utf8(void **state)
{
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(load_opml("opml/yarr__src__server__opml__sample_win1251.opml", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].url, "https://foo.com/feed.xml");
	assert_string_equal(l.v[0].title, "пример2");
	assert_string_equal(tags(&l.v[0]), "папка");
	assert_string_equal(l.v[1].title, "пример1");
	assert_int_equal(l.v[1].ntags, 0);
	feed_list_release(&l);
}

static void
opml_attributes_are_read_in_any_case_and_links_are_folders(void **state)
{
	const char *p = data("opml/attributes-in-any-case.opml");
	struct nf_diag d = {0};
	struct feed_list l;
	struct feed_sub *s;

	feed_list_init(&l);
	assert_int_equal(opml_load(p, &l, &d), 0);
	if (d.n != 2)
		print_diag(&d);
	assert_int_equal(l.n, 8);
	assert_string_equal(l.v[0].url, "https://upper.example.com/rss");
	assert_string_equal(tags(&l.v[0]), "Tech");
	assert_string_equal(l.v[1].url, "https://lower.example.com/atom");
	assert_string_equal(l.v[2].url, "https://url.example.com/feed");
	assert_string_equal(l.v[2].title, "No type, url attribute");
	s = feed_list_find(&l, "https://inside.example.com/rss");
	assert_non_null(s);
	assert_string_equal(tags(s), "A link is a folder");
	assert_null(feed_list_find(&l, "https://example.com/"));
	assert_string_equal(tags(feed_list_find(&l, "https://cat.example.com/rss")), "News/World|Tech");
	assert_non_null(feed_list_find(&l, "http://feedscheme.example.com/rss"));
	s = feed_list_find(&l, "https://lists.example.com/list.opml");
	assert_non_null(s);
	assert_int_equal(s->is_opml, 1);
	s = feed_list_find(&l, "https://latin1.example.com/rss");
	assert_string_equal(s->title,
	                    "Latin-1 title: ni\xC3\xB1o and se\xC3\xB1or \xE2\x80\x94 caf\xC3\xA9");
	assert_string_equal(tags(s), "Ni\xC3\xB1o");
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msg[0], fmt("%s:15: not a feed URL", p));
	assert_string_equal(d.msg[1], fmt("%s:17: duplicate of %s:6", p, p));
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_without_body_gives_its_loose_outlines_or_nothing(void **state)
{
	const char *p = data("opml/newsboat__test__data__body-element-missing.opml");
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(opml_load(p, &l, &d), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], fmt("%s: no <body>: no subscriptions", p));
	assert_int_equal(load_opml("opml/outlines-without-body.opml", &l, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].url, "https://loose.example.com/rss");
	assert_string_equal(tags(&l.v[1]), "Folder");
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_duplicates_across_lists_are_reported_and_kept_once(void **state)
{
	const char *news = data("opml/awesome-rss-feeds__recommended__with_category__News.opml");
	const char *uk = data("opml/awesome-rss-feeds__countries__with_category__United_Kingdom.opml");
	struct nf_diag d = {0};
	struct feed_list l;
	size_t i, dups = 0;

	feed_list_init(&l);
	assert_int_equal(opml_load(news, &l, &d), 0);
	assert_int_equal(l.n, 11);
	assert_int_equal(opml_load(uk, &l, &d), 0);
	assert_int_equal(l.n, 11 + 4);
	for (i = 0; i < d.n; i++)
		if (strstr(d.msg[i], "duplicate of"))
			dups++;
	assert_int_equal(dups, 1);
	assert_non_null(strstr(d.msg[d.n - 1], fmt("%s:10: duplicate of %s:", uk, news)));
	assert_string_equal(tags(feed_list_find(&l, "https://www.theguardian.com/world/rss")), "News");
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_that_is_not_opml_fails_cleanly(void **state)
{
	static const char rss[] = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>";
	static const char junk[] = "this is not XML at all";
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(opml_parse(rss, sizeof(rss) - 1, "x.opml", &l, &d), -1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], "x.opml:1: not an OPML document (the root element is <rss>)");
	assert_int_equal(opml_parse(junk, sizeof(junk) - 1, "y.opml", &l, &d), -1);
	assert_int_equal(d.n, 2);
	assert_int_equal(strncmp(d.msg[1], "y.opml:1: not XML", 17), 0);
	assert_int_equal(opml_parse("", 0, "z.opml", &l, &d), -1);
	assert_int_equal(opml_load(data("opml/no-such-file.opml"), &l, &d), -1);
	assert_int_equal(l.n, 0);
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
opml_cut_short_is_recovered_and_reported(void **state)
{
	static const char cut[] = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n"
	                          "<outline text=\"Wires\">\n"
	                          "<outline type=\"rss\" text=\"AP\" xmlUrl=\"https://ap.example.com/rss\"/>\n"
	                          "<outline type=\"rss\" text=\"Reu";
	struct nf_diag d = {0};
	struct feed_list l;

	feed_list_init(&l);
	assert_int_equal(opml_parse(cut, sizeof(cut) - 1, "cut.opml", &l, &d), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].url, "https://ap.example.com/rss");
	assert_string_equal(tags(&l.v[0]), "Wires");
	assert_int_equal(d.n, 1);
	assert_int_equal(strncmp(d.msg[0], "cut.opml:5: not well-formed XML (", 33), 0);
	assert_non_null(strstr(d.msg[0], "); read what could be recovered"));
	nf_diag_release(&d);
	feed_list_release(&l);
}

/* strictly_wellformed(b): libxml2 without recovery accepts ${b}. */
static int
strictly_wellformed(const struct buf *b)
{
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	xmlDoc *doc;
	int ok;

	doc = xmlCtxtReadMemory(ctxt, b->data, (int)b->len, "export.opml", NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = doc != NULL && ctxt->wellFormed;
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ok;
}

static void
opml_export_imports_back_to_the_same_subscriptions(void **state)
{
	static const char *const files[] = {
	    "opml/newsboat__test__data__example.opml",
	    "opml/newsboat__test__data__example2.opml",
	    "opml/newsboat__test__data__category.opml",
	    "opml/yarr__src__server__opml__sample_win1251.opml",
	    "opml/attributes-in-any-case.opml",
	    "opml/html-entities-and-bare-ampersands.opml",
	    "opml/awesome-rss-feeds__countries__with_category__United_States.opml",
	};
	struct nf_diag d = {0};
	struct feed_list l, back;
	struct feed_sub s = {0};
	char *tagv[] = {"a/b", "c"};
	struct buf out;
	size_t i, j;

	feed_list_init(&l);
	feed_list_init(&back);
	for (i = 0; i < NF_ARRAY_LEN(files); i++)
		assert_int_equal(load_opml(files[i], &l, &d), 0);
	assert_int_equal(feeds_load_dir(data("config/feeds.d"), &l, &d), 0);
	s.url = "https://odd.example.com/rss";
	s.title = "Bad UTF-8 \xff and <markup> & \"quotes\"";
	s.tags = tagv;
	s.ntags = 2;
	assert_int_equal(feed_list_add(&l, &s), 0);
	buf_init(&out, 0);
	assert_int_equal(opml_write(&l, "Mine & yours", &out), 0);
	assert_true(strictly_wellformed(&out));
	assert_non_null(strstr(out.data, "<opml version=\"2.0\">"));
	assert_non_null(strstr(out.data, "<title>Mine &amp; yours</title>"));
	nf_diag_release(&d);
	assert_int_equal(opml_parse(out.data, out.len, "export.opml", &back, &d), 0);
	print_diag(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(back.n, l.n);
	for (i = 0; i < l.n; i++) {
		struct feed_sub *a = &l.v[i], *b = feed_list_find(&back, a->url);

		assert_non_null(b);
		assert_string_equal(b->url, a->url);
		if (i + 1 < l.n)
			assert_string_equal(a->title ? a->title : "-", b->title ? b->title : "-");
		assert_int_equal(a->is_opml, b->is_opml);
		assert_int_equal(a->ntags, b->ntags);
		for (j = 0; j < a->ntags; j++)
			assert_string_equal(a->tags[j], b->tags[j]);
	}
	assert_string_equal(back.v[back.n - 1].title,
	                    "Bad UTF-8 \xEF\xBF\xBD and <markup> & \"quotes\"");
	/* writing is deterministic */
	{
		struct buf again;

		buf_init(&again, 0);
		assert_int_equal(opml_write(&back, "Mine & yours", &again), 0);
		assert_int_equal(again.len, out.len);
		buf_release(&again);
	}
	buf_release(&out);
	feed_list_release(&l);
	feed_list_release(&back);
}

static void
opml_write_of_an_empty_list_is_a_valid_document(void **state)
{
	struct feed_list l;
	struct buf out;

	feed_list_init(&l);
	buf_init(&out, 0);
	assert_int_equal(opml_write(&l, NULL, &out), 0);
	assert_true(strictly_wellformed(&out));
	assert_string_equal(out.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                              "<opml version=\"2.0\">\n"
	                              "  <head>\n"
	                              "    <title>newsfold subscriptions</title>\n"
	                              "  </head>\n"
	                              "  <body>\n"
	                              "  </body>\n"
	                              "</opml>\n");
	buf_release(&out);
}


/* ---- remove, subscription lists ------------------------------------------ */

/* write_tmp(text): a new temporary file holding ${text}; its path. */
static const char *
write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/nf-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char *
slurp(const char *path)
{
	static char b[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(b, 1, sizeof(b) - 1, f);
	fclose(f);
	b[n] = '\0';
	return b;
}

static void
conf_remove_takes_out_one_section_and_keeps_the_rest_byte_for_byte(void **state)
{
	static const char text[] =
	    "# my feeds\n"
	    "\n"
	    "[https://a.example.com/rss]\n"
	    "title = A\n"
	    "\n"
	    "[https://b.example.com/rss]  # the one to go\n"
	    "title = B\n"
	    "# tags = old\n"
	    "interval = 1h\n"
	    "\n"
	    "\n"
	    "; about C\n"
	    "[https://c.example.com/rss]\n"
	    "title = C\n";
	struct nf_err err = {{0}};
	struct nf_diag d = {0};
	struct feed_list l;
	char path[64];

	snprintf(path, sizeof(path), "%s", write_tmp(text));
	chmod(path, 0640);
	feed_list_init(&l);
	assert_int_equal(feeds_load_conf(path, &l, &d), 0);
	assert_int_equal(l.n, 3);
	/* the line is checked: a stale one is refused, nothing written */
	assert_int_equal(feeds_conf_remove(path, 3, "https://b.example.com/rss", &err), -1);
	assert_non_null(strstr(err.msg, ":3: not the section of https://b.example.com/rss"));
	assert_string_equal(slurp(path), text);
	/* found whatever the case of the host */
	assert_int_equal(feeds_conf_remove(path, l.v[1].line, "https://B.EXAMPLE.com/rss", &err), 0);
	assert_string_equal(slurp(path), "# my feeds\n"
	                                 "\n"
	                                 "[https://a.example.com/rss]\n"
	                                 "title = A\n"
	                                 "\n"
	                                 "; about C\n"
	                                 "[https://c.example.com/rss]\n"
	                                 "title = C\n");
	{
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	/* the last section, then the first */
	assert_int_equal(feeds_conf_remove(path, 7, "https://c.example.com/rss", &err), 0);
	assert_int_equal(feeds_conf_remove(path, 3, "https://a.example.com/rss", &err), 0);
	assert_string_equal(slurp(path), "# my feeds\n\n; about C\n");
	unlink(path);
	assert_int_equal(feeds_conf_remove(path, 3, "https://a.example.com/rss", &err), -1);
	feed_list_release(&l);
}

static void
a_subscription_list_adds_its_feeds_with_the_list_as_via(void **state)
{
	static const char opml[] =
	    "<opml version=\"2.0\"><body><outline text=\"Wires\">"
	    "<outline text=\"AP\" xmlUrl=\"https://ap.example.com/rss\"/>"
	    "<outline text=\"Mine\" xmlUrl=\"https://mine.example.com/rss\"/>"
	    "</outline></body></opml>";
	struct nf_diag d = {0};
	struct feed_list l;
	struct feed_sub list = {0}, mine = {0};
	char *tagv[] = {"shared"};
	struct feed_sub *s;

	feed_list_init(&l);
	mine.url = "https://mine.example.com/rss";
	mine.title = "declared";
	assert_int_equal(feed_list_add(&l, &mine), 0);
	list.url = "https://lists.example.org/news.opml";
	list.is_opml = 1;
	list.cluster = 0;
	list.tags = tagv;
	list.ntags = 1;
	assert_int_equal(feed_list_add(&l, &list), 0);
	assert_int_equal(feeds_follow_list(&l, &list, opml, sizeof(opml) - 1, &d), 1);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 3);
	s = feed_list_find(&l, "https://ap.example.com/rss");
	assert_non_null(s);
	assert_string_equal(s->via, "https://lists.example.org/news.opml");
	assert_string_equal(tags(s), "Wires|shared");
	assert_int_equal(s->cluster, 0);
	/* a feed declared in feeds.d stays as declared */
	s = feed_list_find(&l, "https://mine.example.com/rss");
	assert_null(s->via);
	assert_string_equal(s->title, "declared");
	assert_int_equal(feeds_follow_list(&l, &list, "<rss/>", 6, &d), -1);
	assert_int_equal(d.n, 1);
	nf_diag_release(&d);
	feed_list_release(&l);
}

static void
cached_lists_are_followed_and_a_list_not_yet_fetched_adds_nothing(void **state)
{
	static const char opml[] =
	    "<opml><body><outline xmlUrl=\"https://ap.example.com/rss\"/></body></opml>";
	char dir[] = "/tmp/nf-lists.XXXXXX", path[256];
	struct nf_err err = {{0}};
	struct nf_diag d = {0};
	struct feed_list l;
	struct feed_sub list = {0};
	struct buf name, name2;

	assert_non_null(mkdtemp(dir));
	feed_list_init(&l);
	list.url = "https://lists.example.org/a.opml";
	list.is_opml = 1;
	assert_int_equal(feed_list_add(&l, &list), 0);
	assert_int_equal(feeds_follow_cached(&l, dir, &d), 0);
	assert_int_equal(l.n, 1);
	buf_init(&name, 0);
	buf_init(&name2, 0);
	assert_int_equal(feeds_list_cache_name(list.url, &name), 0);
	assert_int_equal(feeds_list_cache_name("HTTPS://LISTS.example.org/a.opml", &name2), 0);
	assert_string_equal(name.data, name2.data);
	assert_int_equal(strncmp(name.data, "list-", 5), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name.data);
	assert_int_equal(nf_write_file_atomic(path, opml, sizeof(opml) - 1, 0644, &err), 0);
	assert_int_equal(feeds_follow_cached(&l, dir, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].url, "https://ap.example.com/rss");
	assert_string_equal(l.v[1].via, list.url);
	unlink(path);
	rmdir(dir);
	buf_release(&name);
	buf_release(&name2);
	feed_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ini_reads_sections_keys_values_and_comments),
	    cmocka_unit_test(ini_tolerates_bom_crlf_and_a_last_line_without_newline),
	    cmocka_unit_test(ini_reports_bad_lines_with_their_number_and_reads_on),
	    cmocka_unit_test(config_defaults_are_the_documented_ones),
	    cmocka_unit_test(config_load_reads_every_key),
	    cmocka_unit_test(config_keys_before_any_section_are_found_in_every_section),
	    cmocka_unit_test(config_bad_values_are_reported_with_file_and_line_and_skipped),
	    cmocka_unit_test(config_tolerates_bom_and_crlf),
	    cmocka_unit_test(config_dev_null_gives_the_defaults_and_missing_files_are_optional),
	    cmocka_unit_test(feeds_conf_sections_are_feeds_with_their_keys),
	    cmocka_unit_test(feeds_conf_bad_lines_are_reported_and_the_good_sections_load),
	    cmocka_unit_test(feeds_dir_reads_dropins_in_byte_order_and_skips_hidden_and_backups),
	    cmocka_unit_test(feed_list_treats_case_of_host_and_an_empty_path_as_the_same_url),
	    cmocka_unit_test(conf_write_sub_round_trips_through_feeds_load_conf),
	    cmocka_unit_test(opml_nested_outlines_become_tags_and_folders_take_text_first),
	    cmocka_unit_test(opml_category_attribute_becomes_tags),
	    cmocka_unit_test(opml_bare_ampersands_keep_their_text_and_are_reported),
	    cmocka_unit_test(opml_html_entities_are_decoded_not_dropped),
	    cmocka_unit_test(opml_legacy_encodings_are_converted_to_utf8),
	    cmocka_unit_test(opml_attributes_are_read_in_any_case_and_links_are_folders),
	    cmocka_unit_test(opml_without_body_gives_its_loose_outlines_or_nothing),
	    cmocka_unit_test(opml_duplicates_across_lists_are_reported_and_kept_once),
	    cmocka_unit_test(opml_that_is_not_opml_fails_cleanly),
	    cmocka_unit_test(opml_cut_short_is_recovered_and_reported),
	    cmocka_unit_test(opml_export_imports_back_to_the_same_subscriptions),
	    cmocka_unit_test(opml_write_of_an_empty_list_is_a_valid_document),
	    cmocka_unit_test(conf_remove_takes_out_one_section_and_keeps_the_rest_byte_for_byte),
	    cmocka_unit_test(a_subscription_list_adds_its_feeds_with_the_list_as_via),
	    cmocka_unit_test(cached_lists_are_followed_and_a_list_not_yet_fetched_adds_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
