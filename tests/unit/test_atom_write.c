/*
 * Unit tests of pkg/feed/atom_write: the Atom feed of the folded stories,
 * and the atomic file replacement `run` uses for $STATE/stories.atom.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "base/base.h"
#include "feed/atom_write.h"

static int
strictly_wellformed(const struct buf *b)
{
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	xmlDoc *doc;
	int ok;

	doc = xmlCtxtReadMemory(ctxt, b->data, (int)b->len, "atom.xml", NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = doc != NULL && ctxt->wellFormed;
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ok;
}

static void
a_story_becomes_an_entry_with_its_outlets_in_the_summary(void **state)
{
	struct atom_feed f = {0};
	struct atom_outlet o[2] = {
	    {"bbc.co.uk", "Floyd: Guard deployed", "https://www.bbc.co.uk/news/1", 1},
	    {"foxnews.com", "Station on fire", "https://www.foxnews.com/us/2?a=1&b=2", 3},
	};
	struct atom_entry e = {0};
	struct buf b;

	f.updated = nf_timegm(2020, 5, 29, 5, 26, 29);
	f.version = "1.2.3";
	e.id = "tag:newsfold,2025:story/3";
	e.title = "America burns";
	e.link = "https://www.bbc.co.uk/news/1";
	e.published = nf_timegm(2020, 5, 28, 17, 6, 28);
	e.updated = f.updated;
	e.outlets = o;
	e.noutlets = 2;
	buf_init(&b, 0);
	assert_int_equal(atom_write_head(&f, &b), 0);
	assert_int_equal(atom_write_entry(&e, &b), 0);
	assert_int_equal(atom_write_tail(&b), 0);
	assert_true(strictly_wellformed(&b));
	assert_non_null(strstr(b.data, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
	assert_non_null(strstr(b.data, "  <updated>2020-05-29T05:26:29Z</updated>\n"));
	assert_non_null(strstr(b.data, "<generator version=\"1.2.3\">newsfold</generator>"));
	assert_non_null(strstr(b.data, "<id>tag:newsfold,2025:story/3</id>"));
	assert_non_null(strstr(b.data, "<link rel=\"alternate\" href=\"https://www.bbc.co.uk/news/1\"/>"));
	assert_non_null(strstr(b.data, "<published>2020-05-28T17:06:28Z</published>"));
	/* the summary is HTML, escaped once more as XML text */
	assert_non_null(strstr(b.data, "&lt;p&gt;2 outlets:&lt;/p&gt;"));
	assert_non_null(strstr(b.data, "&lt;li&gt;foxnews.com: &lt;a href=&quot;"
	                               "https://www.foxnews.com/us/2?a=1&amp;amp;b=2&quot;&gt;"
	                               "Station on fire&lt;/a&gt; (3 articles)&lt;/li&gt;"));
	buf_release(&b);
}

static void
bad_utf8_and_control_characters_never_make_the_feed_invalid(void **state)
{
	struct atom_feed f = {0};
	struct atom_outlet o = {"x\x01y", "<b>bold</b> & \xff\xfe", NULL, 1};
	struct atom_entry e = {0};
	struct buf b;

	f.updated = 0;
	f.title = "Mine \x1b[1m & \"yours\"";
	e.id = "tag:newsfold,2025:story/1";
	e.title = "caf\xc3\xa9 \xc3 \xed\xa0\x80 \xef\xbf\xbf end";
	e.published = NF_TIME_NONE;
	e.updated = 0;
	e.outlets = &o;
	e.noutlets = 1;
	buf_init(&b, 0);
	assert_int_equal(atom_write_head(&f, &b), 0);
	assert_int_equal(atom_write_entry(&e, &b), 0);
	assert_int_equal(atom_write_tail(&b), 0);
	assert_true(strictly_wellformed(&b));
	assert_non_null(strstr(b.data, "<title>caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd"));
	assert_null(strstr(b.data, "<published>"));     /* none given, none written */
	assert_null(strstr(b.data, "rel=\"alternate\"")); /* no link, no element */
	assert_null(memchr(b.data, '\x01', b.len));
	assert_null(memchr(b.data, '\x1b', b.len));
	buf_release(&b);
}

static void
a_feed_over_the_buffer_cap_fails_cleanly(void **state)
{
	struct atom_feed f = {0};
	struct buf b;

	buf_init(&b, 64);
	assert_int_equal(atom_write_head(&f, &b), -1);
	buf_release(&b);
}

/* count_files(dir): entries of ${dir} other than . and .. */
static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void
write_file_replaces_the_file_and_leaves_nothing_else(void **state)
{
	char dir[] = "/tmp/nf-atom.XXXXXX", path[256], got[64];
	struct nf_err err = {{0}};
	struct stat st;
	FILE *fp;
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/stories.atom", dir);
	assert_int_equal(nf_write_file_atomic(path, "first version", 13, 0644, &err), 0);
	assert_int_equal(nf_write_file_atomic(path, "second", 6, 0644, &err), 0);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(got, 1, sizeof(got), fp);
	fclose(fp);
	assert_int_equal(n, 6);
	assert_memory_equal(got, "second", 6);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_files(dir), 1); /* no temporary file left */
	unlink(path);
	/* a directory that does not exist: an error naming the file, nothing left */
	snprintf(path, sizeof(path), "%s/missing/stories.atom", dir);
	assert_int_equal(nf_write_file_atomic(path, "x", 1, 0644, &err), -1);
	assert_non_null(strstr(err.msg, "missing/stories.atom"));
	assert_int_equal(count_files(dir), 0);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_story_becomes_an_entry_with_its_outlets_in_the_summary),
	    cmocka_unit_test(bad_utf8_and_control_characters_never_make_the_feed_invalid),
	    cmocka_unit_test(a_feed_over_the_buffer_cap_fails_cleanly),
	    cmocka_unit_test(write_file_replaces_the_file_and_leaves_nothing_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
