/*
 * Unit tests of pkg/fetch/discover.c: the feeds an HTML page names, and
 * the usual paths tried when it names none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"
#include "fetch/discover.h"

static void
links(const char *html, const char *url, char ***v, size_t *n)
{
	struct nf_err err = {{0}};

	assert_int_equal(discover_links(html, strlen(html), url, v, n, &err), 0);
}

static void
alternate_links_of_every_feed_type_are_found_in_order(void **state)
{
	const char *html =
	    "<!DOCTYPE html><html><head><title>Blog</title>"
	    "<link rel=\"stylesheet\" href=\"/style.css\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\" title=\"Atom\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"https://feeds.example.net/rss\">"
	    "<link rel=\"alternate\" type=\"application/feed+json\" href=\"feed.json\">"
	    "<link rel=\"alternate\" hreflang=\"fr\" href=\"/fr/\">"
	    "</head><body><p>hello</p></body></html>";
	char **v;
	size_t n;

	links(html, "https://example.com/blog/index.html", &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "https://example.com/atom.xml");
	assert_string_equal(v[1], "https://feeds.example.net/rss");
	assert_string_equal(v[2], "https://example.com/blog/feed.json");
	discover_free(v, n);
}

static void
rel_and_type_are_read_as_browsers_do(void **state)
{
	/* upper case, several rel tokens, a charset parameter, a link in the body */
	const char *html =
	    "<HTML><HEAD><LINK REL=\"Alternate Feed\" TYPE=\"Application/RSS+XML; charset=utf-8\" "
	    "HREF=\" /rss \"></HEAD><BODY>"
	    "<link rel=alternate type=application/atom+xml href=/late.atom>"
	    "</BODY></HTML>";
	char **v;
	size_t n;

	links(html, "http://example.com/", &v, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "http://example.com/rss");
	assert_string_equal(v[1], "http://example.com/late.atom");
	discover_free(v, n);
}

static void
base_href_changes_where_relative_links_point(void **state)
{
	const char *html = "<html><head><base href=\"https://cdn.example.org/site/\">"
	                   "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"rss.xml\">"
	                   "</head></html>";
	char **v;
	size_t n;

	links(html, "https://example.com/page", &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "https://cdn.example.org/site/rss.xml");
	discover_free(v, n);
}

static void
links_that_are_not_web_feeds_are_ignored(void **state)
{
	const char *html =
	    "<html><head>"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"/mobile\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"file:///etc/passwd\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:alert(1)\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/same\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/same\">"
	    "</head></html>";
	char **v;
	size_t n;

	links(html, "https://example.com/", &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "https://example.com/same");
	discover_free(v, n);
}

static void
page_without_links_or_not_html_gives_none(void **state)
{
	char **v;
	size_t n;

	links("<html><body>no feed here</body></html>", "https://example.com/", &v, &n);
	assert_int_equal(n, 0);
	discover_free(v, n);
	links("", "https://example.com/", &v, &n);
	assert_int_equal(n, 0);
	discover_free(v, n);
	links("\x89PNG\r\n\x1a\n garbage", "https://example.com/", &v, &n);
	assert_int_equal(n, 0);
	discover_free(v, n);
}

static void
usual_paths_are_on_the_site_root(void **state)
{
	struct nf_err err = {{0}};
	char **v;
	size_t n;

	assert_int_equal(discover_guesses("http://127.0.0.1:8080/blog/post?id=1", &v, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_string_equal(v[0], "http://127.0.0.1:8080/feed");
	assert_string_equal(v[1], "http://127.0.0.1:8080/rss");
	assert_string_equal(v[2], "http://127.0.0.1:8080/rss.xml");
	assert_string_equal(v[3], "http://127.0.0.1:8080/atom.xml");
	assert_string_equal(v[4], "http://127.0.0.1:8080/feed.xml");
	assert_string_equal(v[5], "http://127.0.0.1:8080/index.xml");
	discover_free(v, n);
	/* a file: URL has no site to guess on */
	assert_int_equal(discover_guesses("file:///tmp/x.html", &v, &n, &err), 0);
	assert_int_equal(n, 0);
	discover_free(v, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alternate_links_of_every_feed_type_are_found_in_order),
		cmocka_unit_test(rel_and_type_are_read_as_browsers_do),
		cmocka_unit_test(base_href_changes_where_relative_links_point),
		cmocka_unit_test(links_that_are_not_web_feeds_are_ignored),
		cmocka_unit_test(page_without_links_or_not_html_gives_none),
		cmocka_unit_test(usual_paths_are_on_the_site_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
