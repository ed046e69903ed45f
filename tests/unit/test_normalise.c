/* Unit tests of pkg/normalise: HTML to text, folding, tokens, stop words,
 * canonical URLs and outlets. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "base/base.h"
#include "normalise/normalise.h"

/* ---- helpers ---------------------------------------------------------- */

/* html(s): the text of ${s}, in a static buffer freed by the next call. */
static struct buf result;

static const char *
html(const char *s)
{
	buf_release(&result);
	buf_init(&result, 0);
	assert_int_equal(norm_html_to_text(s, strlen(s), &result), 0);
	return buf_cstr(&result);
}

static const char *
fold(const char *s)
{
	buf_release(&result);
	buf_init(&result, 0);
	assert_int_equal(norm_fold(s, strlen(s), &result), 0);
	return buf_cstr(&result);
}

static const char *
canon(const char *url, const char *base)
{
	buf_release(&result);
	buf_init(&result, 0);
	if (norm_canon_url(url, base, &result) != 0)
		return NULL;
	return buf_cstr(&result);
}

static const char *
outlet(const char *url)
{
	buf_release(&result);
	buf_init(&result, 0);
	if (norm_outlet(url, &result) != 0)
		return NULL;
	return buf_cstr(&result);
}

/* tokens(s): the tokens of folded ${s} joined by '|'. */
static const char *
tokens(const char *s)
{
	struct norm_tokens t;
	struct buf f;
	size_t i;

	buf_init(&f, 0);
	assert_int_equal(norm_fold(s, strlen(s), &f), 0);
	norm_tokens_init(&t);
	assert_int_equal(norm_tokenise(buf_cstr(&f), f.len, &t), 0);
	buf_release(&result);
	buf_init(&result, 0);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(strlen(t.tok[i]), t.len[i]);
		if (i > 0)
			buf_putc(&result, '|');
		buf_append(&result, t.tok[i], t.len[i]);
	}
	norm_tokens_release(&t);
	buf_release(&f);
	return buf_cstr(&result);
}

static char *
read_data(const char *name, size_t *len)
{
	const char *dir = getenv("TESTS_DIR");
	char path[512];
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/normalise/%s",
	    dir ? dir : "tests", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

/* ---- HTML to text ----------------------------------------------------- */

static void
html_script_style_and_chrome_never_reach_the_text(void **state)
{
	const char *t;

	t = html("<p>Before</p><script>var secret = '<p>evil</p>';</script>"
	    "<style>p { color: red }</style><noscript>enable js</noscript>"
	    "<nav><a href=/>Home</a></nav><form><button>Subscribe</button>"
	    "</form><iframe src=x>frame</iframe><svg><text>svgtext</text></svg>"
	    "<figure><img src=a.jpg><figcaption>Photo: AP</figcaption></figure>"
	    "<aside>Related</aside><footer>Copyright</footer>"
	    "<template><p>tpl</p></template><p>After</p>");
	assert_string_equal(t, "Before\nAfter");
	/* An unclosed script swallows the rest, never shows it. */
	assert_string_equal(html("<p>Lede</p><script>document.write('x')"),
	    "Lede");
	/* A whole page: only the body's text. */
	assert_string_equal(html("<html><head><title>Page title</title>"
	    "<meta charset=utf-8></head><body><h1>Headline</h1>"
	    "<p>Body.</p></body></html>"), "Headline\nBody.");
}

static void
html_entities_are_decoded_and_nbsp_collapsed(void **state)
{
	assert_string_equal(html("Tom &amp; Jerry&#39;s &lt;show&gt; &eacute;t&#233; "
	    "&#x2014; &rsquo;"), "Tom & Jerry's <show> \xc3\xa9t\xc3\xa9 "
	    "\xe2\x80\x94 \xe2\x80\x99");
	/* From a real NYT feed: a caption ending in &nbsp;. */
	assert_string_equal(html("in Mount Pleasant, Utah, last week.&nbsp;"),
	    "in Mount Pleasant, Utah, last week.");
	assert_string_equal(html("<p>a&nbsp;&nbsp; \xc2\xa0" "b\xe2\x80\x83"
	    "c\xe3\x80\x80" "d</p>"), "a b c d");
	assert_string_equal(html("AT&T"), "AT&T");
}

static void
html_blocks_become_lines_and_inline_text_flows(void **state)
{
	assert_string_equal(html("  <p>One <b>bold</b>\n\t<i>word</i>.</p>"
	    "<p>Two</p>\n\n<div><ul><li>a</li><li>b</li></ul></div>"
	    "x<br>y<br/><br/>z<h2>Head</h2>tail "),
	    "One bold word.\nTwo\na\nb\nx\ny\nz\nHead\ntail");
	assert_string_equal(html("<table><tr><td>1</td><td>2</td></tr>"
	    "<tr><th>3</th><td>4</td></tr></table>"), "1 2\n3 4");
	assert_string_equal(html("<b>big</b>word"), "bigword");
	assert_string_equal(html("<p></p><div> </div>"), "");
	assert_string_equal(html(""), "");
}

static void
html_plain_text_is_only_whitespace_collapsed(void **state)
{
	assert_string_equal(html("  Plain\ttext\n\n  with   spaces \r\n"),
	    "Plain text with spaces");
	assert_string_equal(html("a < b and c > d"), "a < b and c > d");
	assert_string_equal(html(" \n\t "), "");
}

static void
html_feed_trailers_are_cut_and_datelines_kept(void **state)
{
	assert_string_equal(html("<p>Body.</p><p><a href=x>Read full article"
	    "</a></p>\n<p><a href=y>Comments</a></p>"), "Body.");
	assert_string_equal(html("<p>Body.</p> <a href=x>Continue reading...</a>"),
	    "Body.");
	assert_string_equal(html("<p>Body.</p><p><a href=x>Read more "
	    "\xc2\xbb</a></p>"), "Body.");
	assert_string_equal(html("<p>Body [&#8230;]</p><p>The post <a href=x>"
	    "A title</a> appeared first on <a href=y>Site</a>.</p>"),
	    "Body [\xe2\x80\xa6]");
	/* Content, not trailers. */
	assert_string_equal(html("<p>LONDON (Reuters) - Prices rose.</p>"),
	    "LONDON (Reuters) - Prices rose.");
	assert_string_equal(html("<p>Readers left comments on the post.</p>"
	    "<p>Comments were closed.</p>"),
	    "Readers left comments on the post.\nComments were closed.");
	/* The first line is never cut. */
	assert_string_equal(html("<a href=x>Read more</a>"), "Read more");
}

static void
html_real_ars_technica_article_reads_as_clean_text(void **state)
{
	char *in, *want;
	size_t inlen, wantlen;
	struct buf out;

	in = read_data("arstechnica-content-encoded.html", &inlen);
	want = read_data("arstechnica-content-encoded.txt", &wantlen);
	while (wantlen > 0 && want[wantlen - 1] == '\n')
		want[--wantlen] = '\0';
	buf_init(&out, 0);
	assert_int_equal(norm_html_to_text(in, inlen, &out), 0);
	assert_string_equal(buf_cstr(&out), want);
	assert_null(strchr(buf_cstr(&out), '<'));
	assert_null(strstr(buf_cstr(&out), "Read full article"));
	assert_non_null(strstr(buf_cstr(&out), "brick third-party ink and "
	    "scanning capabilities"));
	/* Many times over: the cached parser gives the same text. */
	for (int i = 0; i < 50; i++) {
		buf_reset(&out);
		assert_int_equal(norm_html_to_text(in, inlen, &out), 0);
	}
	assert_string_equal(buf_cstr(&out), want);
	buf_release(&out);
	free(in);
	free(want);
}

static void
html_invalid_utf8_and_nul_are_repaired_not_rejected(void **state)
{
	static const char in[] = "<p>caf\xe9 \xff ok</p>\0<p>after nul</p>";
	struct buf out;

	buf_init(&out, 0);
	assert_int_equal(norm_html_to_text(in, sizeof(in) - 1, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "caf\xef\xbf\xbd \xef\xbf\xbd ok\nafter nul");
	assert_true(norm_utf8_valid(out.data, out.len));
	buf_release(&out);
	assert_string_equal(html("plain \xc0\xaf text"),
	    "plain \xef\xbf\xbd\xef\xbf\xbd text");
}

static void
html_appends_and_restores_the_buffer_on_failure(void **state)
{
	struct buf out;

	buf_init(&out, 16);
	assert_int_equal(buf_puts(&out, "title: "), 0);
	assert_int_equal(norm_html_to_text("<p>short</p>", 12, &out), 0);
	assert_string_equal(buf_cstr(&out), "title: short");
	/* Over the cap: -1 and the buffer as it was. */
	assert_int_equal(norm_html_to_text("<p>far too long for the cap</p>",
	    31, &out), -1);
	assert_true(out.over);
	assert_string_equal(buf_cstr(&out), "title: short");
	assert_int_equal(norm_html_to_text("plain too long for cap", 22, &out),
	    -1);
	assert_string_equal(buf_cstr(&out), "title: short");
	buf_release(&out);
}

static void
html_hostile_markup_is_survived(void **state)
{
	struct buf in, out;
	int i;

	/* Deep nesting, unclosed tags, junk. */
	buf_init(&in, 0);
	for (i = 0; i < 20000; i++)
		buf_puts(&in, "<div><span>");
	buf_puts(&in, "deep");
	buf_init(&out, 0);
	assert_int_equal(norm_html_to_text(in.data, in.len, &out), 0);
	buf_release(&in);
	buf_release(&out);
	assert_string_equal(html("<p>a<b>b<i>c</p>d</b>e"), "abc\nde");
	/* Comments are not text; junk is kept as the parser reads it. */
	assert_string_equal(html("<<>><!-- <p>hidden</p> --><p>x</p>&bogus;&#0;"),
	    ">>\nx\n&bogus;");
	assert_string_equal(html("<p>unterminated <a href=\"x"), "unterminated");
	(void)html("</p></div></body></html>&");
	(void)html("<?xml version='1.0'?><!DOCTYPE html><p>t</p>");
}

/* ---- folding ---------------------------------------------------------- */

static void
fold_lowercases_and_applies_compatibility_forms(void **state)
{
	assert_string_equal(fold("BBC News ÉTÉ Straße"), "bbc news été strasse");
	/* Ligature, full-width, superscript, circled digit. */
	assert_string_equal(fold("\xef\xac\x81nance \xef\xbc\xa6\xef\xbd\x95"
	    "\xef\xbd\x8c\xef\xbd\x8c x\xc2\xb2 \xe2\x91\xa0"),
	    "finance full x2 1");
	/* Decomposed e + acute composes; diacritics kept. */
	assert_string_equal(fold("Cafe\xcc\x81"), "caf\xc3\xa9");
	assert_string_equal(fold("\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91"),
	    "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1");
	assert_string_equal(fold(""), "");
}

/* every ASCII byte, at every place in a word of eight: only A-Z change */
static void
fold_lowercases_every_ascii_letter_and_nothing_else(void **state)
{
	char in[3 * 127 + 1], want[sizeof(in)];
	size_t i, n = 0;

	for (i = 0; i < 3 * 127; i++) {
		char c = (char)(1 + (i * 5 + i / 127) % 127);

		in[n] = c;
		want[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	in[n] = want[n] = '\0';
	assert_string_equal(fold(in), want);
}

static void
fold_handles_long_runs_of_non_ascii_text(void **state)
{
	struct buf in, out, want;
	int i;

	buf_init(&in, 0);
	buf_init(&want, 0);
	for (i = 0; i < 3000; i++) {
		buf_puts(&in, "\xc3\x89");	/* É */
		buf_puts(&want, "\xc3\xa9");
	}
	buf_puts(&in, " END");
	buf_puts(&want, " end");
	buf_init(&out, 0);
	assert_int_equal(norm_fold(in.data, in.len, &out), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	buf_release(&in);
	buf_release(&out);
	buf_release(&want);
}

static void
fold_makes_curly_and_straight_apostrophes_alike(void **state)
{
	assert_string_equal(fold("Don\xe2\x80\x99t \xe2\x80\x98quoted\xe2\x80\x99"),
	    "don't 'quoted'");
	assert_string_equal(tokens("Don\xe2\x80\x99t"), "dont");
	assert_string_equal(tokens("don't"), "dont");
}

static void
fold_drops_invisible_characters(void **state)
{
	assert_string_equal(fold("soft\xc2\xadhyphen zero\xe2\x80\x8bwidth "
	    "\xef\xbb\xbf" "bom"), "softhyphen zerowidth bom");
}

static void
fold_repairs_invalid_utf8_instead_of_failing(void **state)
{
	static const char in[] = "ok\xff\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80"
	    "-\xe2\x82 end\xc3";
	struct buf out;

	buf_init(&out, 0);
	assert_int_equal(norm_fold(in, sizeof(in) - 1, &out), 0);
	assert_true(norm_utf8_valid(out.data, out.len));
	assert_string_equal(buf_cstr(&out), "ok\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd end"
	    "\xef\xbf\xbd");
	buf_release(&out);
}

static void
utf8_repair_keeps_valid_text_and_drops_nul(void **state)
{
	static const char in[] = "a\0b \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x82";
	struct buf out;

	assert_true(norm_utf8_valid("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    12));
	assert_false(norm_utf8_valid("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    10));	/* a cut sequence */
	assert_false(norm_utf8_valid(in, sizeof(in) - 1));
	assert_false(norm_utf8_valid("\xc1\xbf", 2));	/* overlong */
	buf_init(&out, 0);
	assert_int_equal(norm_utf8_repair(in, sizeof(in) - 1, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "ab \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd");
	buf_release(&out);
}

/* ---- tokens ----------------------------------------------------------- */

static void
tokenise_splits_words_and_keeps_numbers_whole(void **state)
{
	assert_string_equal(tokens("Hello, world! It's 3.5% of $1,000,000."),
	    "hello|world|its|3.5|of|1,000,000");
	assert_string_equal(tokens("rock 'n' roll, students' U.S. e-mail"),
	    "rock|n|roll|students|u|s|e|mail");
	assert_string_equal(tokens("Zürich café naïve Ελλάδα Москва"),
	    "zürich|café|naïve|ελλάδα|москва");
	assert_string_equal(tokens("version 2.0. ends, 1.x"),
	    "version|2.0|ends|1|x");
	assert_string_equal(tokens(" ... --- "), "");
	assert_string_equal(tokens("\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\x82\xe0\xa4"
	    "\xa6\xe0\xa5\x80"), "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\x82\xe0\xa4"
	    "\xa6\xe0\xa5\x80");	/* Hindi: letters and marks stay one word */
}

static void
tokenise_makes_each_cjk_ideograph_a_token(void **state)
{
	assert_string_equal(tokens("東京タワーに行った Tokyo"),
	    "東|京|タ|ワ|ー|に|行|っ|た|tokyo");
	assert_string_equal(tokens("中国2024年"), "中|国|2024|年");
	assert_string_equal(tokens("한국어 뉴스"), "한국어|뉴스");
}

static void
tokenise_appends_and_keeps_earlier_tokens_valid(void **state)
{
	struct norm_tokens t;
	char word[32];
	size_t i;

	norm_tokens_init(&t);
	/* Many calls, many tokens: the text moves as it grows. */
	for (i = 0; i < 3000; i++) {
		snprintf(word, sizeof(word), "w%zu x%zu", i, i);
		assert_int_equal(norm_tokenise(word, strlen(word), &t), 0);
	}
	assert_int_equal(t.n, 6000);
	for (i = 0; i < 3000; i++) {
		snprintf(word, sizeof(word), "w%zu", i);
		assert_string_equal(t.tok[2 * i], word);
		assert_int_equal(t.len[2 * i], strlen(word));
	}
	norm_tokens_release(&t);
	assert_int_equal(t.n, 0);
	norm_tokens_release(&t);	/* twice is fine */
	/* Invalid bytes separate tokens rather than failing. */
	norm_tokens_init(&t);
	assert_int_equal(norm_tokenise("ab\xff" "cd", 5, &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.tok[1], "cd");
	norm_tokens_release(&t);
}

/* ---- stop words ------------------------------------------------------- */

static void
stopwords_cover_english_function_words_and_news_filler(void **state)
{
	static const char *stop[] = {
		"a", "about", "the", "and", "of", "to", "in", "is", "was",
		"it", "its", "dont", "doesnt", "theyre", "youve", "would",
		"said", "says", "also", "new", "one", "two", "year", "years",
		"mr", "mrs", "ms", "yourselves", "with", "yet", "while",
	};
	static const char *content[] = {
		"trump", "ukraine", "vaccine", "police", "election", "tariffs",
		"z", "zzz", "aa", "", "theee", "abouts", "thea",
	};
	size_t i;

	for (i = 0; i < NF_ARRAY_LEN(stop); i++)
		assert_true(norm_is_stopword(stop[i], strlen(stop[i])));
	for (i = 0; i < NF_ARRAY_LEN(content); i++)
		assert_false(norm_is_stopword(content[i], strlen(content[i])));
	/* Length, not the NUL, bounds the word. */
	assert_true(norm_is_stopword("thesaurus", 3));
	assert_false(norm_is_stopword("The", 3));
}

/* ---- languages -------------------------------------------------------- */

/* lang_of(title, body): the code of the language guessed for a text. */
static const char *
lang_of(const char *title, const char *body)
{
	struct norm_tokens a, b;
	struct buf f;
	const char *code;

	norm_tokens_init(&a);
	norm_tokens_init(&b);
	buf_init(&f, 0);
	assert_int_equal(norm_fold(title, strlen(title), &f), 0);
	assert_int_equal(norm_tokenise(f.data, f.len, &a), 0);
	buf_reset(&f);
	assert_int_equal(norm_fold(body, strlen(body), &f), 0);
	assert_int_equal(norm_tokenise(f.data ? f.data : "", f.len, &b), 0);
	code = norm_lang_code(norm_lang_guess(&a, &b));
	buf_release(&f);
	norm_tokens_release(&a);
	norm_tokens_release(&b);
	return code;
}

static void
a_text_is_guessed_in_the_language_of_its_stop_words(void **state)
{
	/* Tagalog, Spanish, German, Indonesian: what an English list of stop
	 * words would take for content */
	assert_string_equal(lang_of("Lalaki, patay sa pamamaril ng riding-in-tandem sa Caloocan",
	                            "Patay ang isang lalaki na nakaupo lang sa kaniyang "
	                            "motorsiklo sa gilid ng kalsada matapos siyang barilin."),
	                    "tl");
	assert_string_equal(lang_of("El Gobierno aprueba el presupuesto",
	                            "El consejo de ministros aprobó este martes el proyecto de "
	                            "ley de presupuestos para el año que viene, con una subida "
	                            "de las pensiones."),
	                    "es");
	assert_string_equal(lang_of("Bundestag beschließt neues Gesetz",
	                            "Der Bundestag hat am Donnerstag ein Gesetz beschlossen, "
	                            "das die Rechte der Mieter stärken soll, und die Opposition "
	                            "kritisiert es."),
	                    "de");
	/* English, also where a few of its words are another language's
	 * stop words ("on", "april", "die", "door"), or a name is on one of
	 * the comprehensive lists ("india", "china", "global") */
	assert_string_equal(lang_of("Bondi beach reopens on Tuesday, April 28, 2020", ""), "en");
	assert_string_equal(lang_of("After 8 workers die of COVID-19, officials want the plant shut",
	                            "Police went door to door."),
	                    "en");
	assert_string_equal(lang_of("Satellite images show buildup at India-China border",
	                            "India-China tensions are spilling over into global "
	                            "business."),
	                    "en");
	assert_string_equal(lang_of("TV ratings rise on G.O.P.'s second night", ""), "en");
	assert_string_equal(lang_of("", ""), "en");
	assert_string_equal(norm_lang_code(NORM_LANG_EN), "en");
	assert_null(norm_lang_code(-1));
	assert_null(norm_lang_code(norm_lang_count()));
}

static void
stop_words_are_those_of_the_language_and_english(void **state)
{
	int tl = -1, i;

	for (i = 0; i < norm_lang_count(); i++)
		if (strcmp(norm_lang_code(i), "tl") == 0)
			tl = i;
	assert_true(tl > NORM_LANG_EN);
	assert_true(norm_is_stopword_in("ng", 2, tl));
	assert_true(norm_is_stopword_in("mga", 3, tl));
	assert_true(norm_is_stopword_in("the", 3, tl)); /* English's too */
	assert_false(norm_is_stopword_in("ng", 2, NORM_LANG_EN));
	assert_false(norm_is_stopword_in("lalaki", 6, tl));
	assert_true(norm_is_stopword_in("the", 3, NORM_LANG_EN));
	assert_false(norm_is_stopword_in("ng", 2, norm_lang_count())); /* no language */
}

/* ---- canonical URLs --------------------------------------------------- */

static void
canon_url_removes_tracking_and_keeps_other_parameters(void **state)
{
	assert_string_equal(canon("https://www.theguardian.com/world/2020/may/27/"
	    "story?CMP=share_btn_tw&page=2&utm_source=rss&utm_medium=feed&id=7"
	    "&fbclid=abc&gclid=1&ocid=x&cmpid=y&_ga=z&smid=tw&mc_cid=1&mc_eid=2",
	    NULL), "https://www.theguardian.com/world/2020/may/27/story"
	    "?page=2&id=7");
	assert_string_equal(canon("http://ex.com/a?utm_source=x&utm_campaign=y",
	    NULL), "http://ex.com/a");
	assert_string_equal(canon("http://ex.com/a?b=2&a=1&&src=rss&ref=home",
	    NULL), "http://ex.com/a?b=2&a=1&src=rss&ref=home");
	assert_string_equal(canon("http://ex.com/a?q=utm_source%3Dx&x=a%26b",
	    NULL), "http://ex.com/a?q=utm_source%3Dx&x=a%26b");
}

static void
canon_url_lowercases_host_drops_port_and_fragment(void **state)
{
	assert_string_equal(canon("HTTP://Example.COM:80/Path/A?x=1#frag", NULL),
	    "http://example.com/Path/A?x=1");
	assert_string_equal(canon("https://Example.com:443", NULL),
	    "https://example.com/");
	assert_string_equal(canon("https://example.com:8443/x?#", NULL),
	    "https://example.com:8443/x");
	assert_string_equal(canon("  http://ex.com/a/./b/../c \n", NULL),
	    "http://ex.com/a/c");
	assert_string_equal(canon("https://ex.com/caf\xc3\xa9 x/%c3%a9", NULL),
	    "https://ex.com/caf%C3%A9%20x/%C3%A9");
	assert_string_equal(canon("https://[::1]:443/x", NULL),
	    "https://[::1]/x");
	assert_string_equal(canon("file:///srv/feeds/x.xml", NULL),
	    "file:///srv/feeds/x.xml");
}

static void
canon_url_resolves_relative_against_base(void **state)
{
	const char *base = "https://Host.example/dir/page.html?q=1";

	assert_string_equal(canon("other.html", base),
	    "https://host.example/dir/other.html");
	assert_string_equal(canon("/top?utm_source=x#f", base),
	    "https://host.example/top");
	assert_string_equal(canon("../up/", base), "https://host.example/up/");
	assert_string_equal(canon("//cdn.example/x", base),
	    "https://cdn.example/x");
	assert_string_equal(canon("http://abs.example/y", base),
	    "http://abs.example/y");
	/* An unusable base: an absolute URL still stands. */
	assert_string_equal(canon("http://abs.example/y", "not a base"),
	    "http://abs.example/y");
}

static void
canon_url_rejects_what_is_not_a_url(void **state)
{
	struct buf out;

	assert_null(canon("not a url", NULL));
	assert_null(canon("/relative/only", NULL));
	assert_null(canon("", NULL));
	assert_null(canon("http://", NULL));
	assert_null(canon("javascript:alert(1)", NULL));
	buf_init(&out, 0);
	buf_puts(&out, "kept");
	assert_int_equal(norm_canon_url("::::", NULL, &out), -1);
	assert_string_equal(buf_cstr(&out), "kept");
	buf_release(&out);
}

/* ---- outlets ---------------------------------------------------------- */

static void
outlet_is_the_registrable_domain(void **state)
{
	assert_string_equal(outlet("https://feeds.bbci.co.uk/news/world/rss.xml"),
	    "bbci.co.uk");
	assert_string_equal(outlet("https://www.theguardian.com/world/rss"),
	    "theguardian.com");
	assert_string_equal(outlet("https://rss.nytimes.com/services/xml/rss/"
	    "nyt/US.xml"), "nytimes.com");
	assert_string_equal(outlet("https://www.abc.net.au/news/feed/51120/rss.xml"),
	    "abc.net.au");
	assert_string_equal(outlet("HTTPS://WWW.BBC.CO.UK./news"), "bbc.co.uk");
	assert_string_equal(outlet("https://user:pw@a.b.example.com:8443/"),
	    "example.com");
	assert_string_equal(outlet("https://www.B\xc3\x9c" "CHER.de/"),
	    "b\xc3\xbc" "cher.de");
}

static void
outlet_of_ip_local_and_file_urls(void **state)
{
	assert_string_equal(outlet("http://127.0.0.1:8080/feed.xml"), "127.0.0.1");
	assert_string_equal(outlet("http://[::1]/feed"), "[::1]");
	assert_string_equal(outlet("http://localhost/feed"), "localhost");
	assert_string_equal(outlet("file:///srv/feeds/bbc.xml"), "");
	assert_null(outlet("not a url"));
	assert_null(outlet(NULL));
}

/* ---- threads --------------------------------------------------------- */

static void *
worker(void *arg)
{
	struct buf out;
	int i, *ok = arg;

	buf_init(&out, 0);
	*ok = 1;
	for (i = 0; i < 200; i++) {
		buf_reset(&out);
		if (norm_html_to_text("<p>One</p><script>x</script><p>Two</p>",
		    39, &out) != 0 || strcmp(buf_cstr(&out), "One\nTwo") != 0)
			*ok = 0;
		buf_reset(&out);
		if (norm_outlet("https://feeds.bbci.co.uk/news/rss.xml",
		    &out) != 0 || strcmp(buf_cstr(&out), "bbci.co.uk") != 0)
			*ok = 0;
	}
	buf_release(&out);
	return NULL;
}

static void
threads_share_the_module_safely(void **state)
{
	pthread_t th[4];
	int ok[4], i;

	norm_global_cleanup();	/* the next outlet loads the list again */
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &ok[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(ok[i]);
	}
}

/* stemming: Snowball's English stems, the same on every call (a memo of
 * recent words serves repeats; long and non-ASCII words pass through) */
static void
stems_are_snowball_english_and_stable(void **state)
{
	static const char *const cases[][2] = {
		{"protesters", "protest"}, {"protests", "protest"}, {"running", "run"},
		{"elections", "elect"}, {"quickly", "quick"}, {"the", "the"},
		{"caf\xc3\xa9s", "caf\xc3\xa9s"}, /* not plain ASCII: unchanged */
		{"2021", "2021"},
		{"internationalizationalisations", "internationalizationalis"},
		{"counterrevolutionariesmovements", "counterrevolutionariesmov"},
	};
	struct norm_stemmer *st = norm_stemmer_new();
	const char *s;
	size_t i, round, n;
	char word[8];

	assert_non_null(st);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			s = norm_stem(st, cases[i][0], strlen(cases[i][0]), &n);
			assert_int_equal(n, strlen(cases[i][1]));
			assert_memory_equal(s, cases[i][1], n);
		}
		/* many other words in between: the stemmer keeps nothing of them */
		for (i = 0; i < 20000; i++) {
			snprintf(word, sizeof(word), "w%05zus", i);
			(void)norm_stem(st, word, strlen(word), &n);
		}
	}
	norm_stemmer_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_script_style_and_chrome_never_reach_the_text),
		cmocka_unit_test(html_entities_are_decoded_and_nbsp_collapsed),
		cmocka_unit_test(html_blocks_become_lines_and_inline_text_flows),
		cmocka_unit_test(html_plain_text_is_only_whitespace_collapsed),
		cmocka_unit_test(html_feed_trailers_are_cut_and_datelines_kept),
		cmocka_unit_test(html_real_ars_technica_article_reads_as_clean_text),
		cmocka_unit_test(html_invalid_utf8_and_nul_are_repaired_not_rejected),
		cmocka_unit_test(html_appends_and_restores_the_buffer_on_failure),
		cmocka_unit_test(html_hostile_markup_is_survived),
		cmocka_unit_test(fold_lowercases_and_applies_compatibility_forms),
		cmocka_unit_test(fold_lowercases_every_ascii_letter_and_nothing_else),
		cmocka_unit_test(fold_handles_long_runs_of_non_ascii_text),
		cmocka_unit_test(fold_makes_curly_and_straight_apostrophes_alike),
		cmocka_unit_test(fold_drops_invisible_characters),
		cmocka_unit_test(fold_repairs_invalid_utf8_instead_of_failing),
		cmocka_unit_test(utf8_repair_keeps_valid_text_and_drops_nul),
		cmocka_unit_test(tokenise_splits_words_and_keeps_numbers_whole),
		cmocka_unit_test(tokenise_makes_each_cjk_ideograph_a_token),
		cmocka_unit_test(tokenise_appends_and_keeps_earlier_tokens_valid),
		cmocka_unit_test(stopwords_cover_english_function_words_and_news_filler),
		cmocka_unit_test(a_text_is_guessed_in_the_language_of_its_stop_words),
		cmocka_unit_test(stop_words_are_those_of_the_language_and_english),
		cmocka_unit_test(canon_url_removes_tracking_and_keeps_other_parameters),
		cmocka_unit_test(canon_url_lowercases_host_drops_port_and_fragment),
		cmocka_unit_test(canon_url_resolves_relative_against_base),
		cmocka_unit_test(canon_url_rejects_what_is_not_a_url),
		cmocka_unit_test(outlet_is_the_registrable_domain),
		cmocka_unit_test(outlet_of_ip_local_and_file_urls),
		cmocka_unit_test(threads_share_the_module_safely),
		cmocka_unit_test(stems_are_snowball_english_and_stable),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	buf_release(&result);
	norm_global_cleanup();
	xmlCleanupParser();
	return rc;
}
