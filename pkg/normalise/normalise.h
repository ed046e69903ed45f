#ifndef NF_NORMALISE_H
#define NF_NORMALISE_H
/*
 * normalise: article text and URLs into the canonical forms that the
 * similarity stages compare.
 *
 *   norm_html_to_text   HTML (or plain text) -> clean text
 *   norm_fold           Unicode NFKC + case folding (utf8proc)
 *   norm_tokenise       folded text -> tokens of letters and digits
 *   norm_is_stopword    English stop words
 *   norm_lang_guess     an article's language, from its stop words
 *   norm_canon_url      canonical URL (curl's URL API)
 *   norm_outlet         registrable domain of a URL (libpsl)
 *
 * All outputs go into caller-provided buffers (struct buf, appended to); the
 * caller owns them.  Functions return 0, or -1 when out of memory or over the
 * buffer's cap.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/*
 * norm_html_to_text(html, len, out): append the text of ${html} to ${out}:
 * markup removed through libxml2's HTML parser (no network), entities
 * decoded, script/style/noscript/figure captions dropped (and forms,
 * buttons, navigation, asides, footers, iframes, embedded objects, SVG),
 * block elements separated by a newline, runs of white space (NBSP too)
 * collapsed to one space (one newline between blocks), no leading or
 * trailing white space.  Plain text with no '<' and no '&' comes out with
 * its white space collapsed, without parsing.  Invalid UTF-8 is repaired
 * first (U+FFFD).  Feed trailers that end the text on lines of their own
 * ("Read full article", "Comments", "Continue reading...", "Read more",
 * "The post ... appeared first on ...") are cut; the first line is always
 * kept.  Uses a parser context cached per thread (see
 * norm_thread_cleanup()).  About 25 us for a 2 KB article.
 */
int norm_html_to_text(const char *html, size_t len, struct buf *out);

/*
 * norm_utf8_valid(s, len): 1 when the ${len} bytes at ${s} are valid UTF-8
 * (no overlong forms, surrogates or code points past U+10FFFF) with no NUL
 * byte, else 0.
 */
int norm_utf8_valid(const char *s, size_t len);

/*
 * norm_utf8_repair(s, len, out): append ${s} to ${out} with each invalid
 * UTF-8 sequence (its maximal invalid subpart) replaced by U+FFFD and NUL
 * bytes dropped.  Valid input is copied as it is.
 */
int norm_utf8_repair(const char *s, size_t len, struct buf *out);

/*
 * norm_fold(s, len, out): append the NFKC, case-folded form of UTF-8
 * ${s}; invalid UTF-8 sequences become U+FFFD.  Diacritics are kept;
 * default-ignorable code points (soft hyphen, zero-width space) are dropped;
 * the typographic apostrophes U+2018 and U+2019 become ASCII "'" (and the
 * quotes U+201C, U+201D '"'), so "don\u2019t" and "don't" fold alike.
 * ASCII text is lower-cased without utf8proc.
 */
int norm_fold(const char *s, size_t len, struct buf *out);

/*
 * struct norm_tokens: the tokens of one text.  ${text} holds every token,
 * each followed by a NUL; tok[i] points into it, len[i] its length in
 * bytes.  The struct owns both; norm_tokens_release() frees them.  tok[i]
 * is valid until the next norm_tokenise() on the same struct, which may
 * move ${text} (and then points every tok[i] at the new place).
 */
struct norm_tokens {
	struct buf text;
	const char **tok;
	uint32_t *len;
	size_t n, alloc;
};

void norm_tokens_init(struct norm_tokens *t);
void norm_tokens_release(struct norm_tokens *t);

/*
 * norm_tokenise(s, len, t): split folded UTF-8 ${s} into maximal runs of
 * letters, digits and marks (any script; Unicode categories L*, N*, M*),
 * appending them to ${t}.  An apostrophe between letters is dropped
 * ("don't" -> "dont"); a '.' or ',' between digits is kept ("3.5").
 * Ideographs (CJK) are one token each.
 */
int norm_tokenise(const char *s, size_t len, struct norm_tokens *t);

/* norm_is_stopword(w, len): 1 for an English stop word (folded form). */
int norm_is_stopword(const char *w, size_t len);

/*
 * Languages.  Stop words are told apart from the words that carry a text's
 * meaning in its own language: "sa", "ng" and "mga" are nearly every
 * sentence of Tagalog.  A language is a number, English (0) the default,
 * with the stop words of norm_is_stopword(); the others are those of the
 * stopwords-iso lists (53 languages; not the ones written without spaces
 * between words).
 *
 * norm_lang_guess(title, body): the language whose stop words are the most
 * tokens of ${title} and of the first NORM_LANG_TOKENS of ${body} (either
 * may be NULL), counting words of 2 to 4 characters (of languages with as
 * many, the one whose words fewer other languages list): another than
 * English when they are at least 3 and twice as many as English's.
 * norm_lang_code(lang): its ISO 639-1 code ("en", "tl", ...), static; NULL
 * for no language.  norm_lang_count(): how many languages there are.
 * norm_is_stopword_in(w, len, lang): 1 for a stop word of language
 * ${lang}: an English stop word (norm_is_stopword()), or, for another
 * language, a word of its list.
 */
#define NORM_LANG_EN 0
#define NORM_LANG_TOKENS 200
int norm_lang_guess(const struct norm_tokens *title, const struct norm_tokens *body);
const char *norm_lang_code(int lang);
int norm_lang_count(void);
int norm_is_stopword_in(const char *w, size_t len, int lang);

/*
 * norm_canon_url(url, base, out): append the canonical form of ${url},
 * resolved against ${base} (may be NULL): scheme and host lower-case,
 * default port dropped, fragment dropped, tracking parameters (utm_*,
 * fbclid, gclid, ocid, cmpid, ...) removed, an empty path made "/".
 * Returns -1 when ${url} is not a URL curl can parse (out untouched).
 */
int norm_canon_url(const char *url, const char *base, struct buf *out);

/*
 * norm_outlet(url, out): append the registrable domain of ${url}'s host
 * ("feeds.bbci.co.uk" -> "bbci.co.uk"), lower-case; for an IP address or a
 * host with no public suffix, the host itself; for a file: URL, the empty
 * string.  -1 when ${url} cannot be parsed.
 */
int norm_outlet(const char *url, struct buf *out);

/*
 * norm_thread_cleanup(): free the HTML parser context that
 * norm_html_to_text() keeps for the calling thread (a thread that exits
 * frees its own; the main thread's stays until this call).
 */
void norm_thread_cleanup(void);

/*
 * norm_global_cleanup(): free the public suffix list that norm_outlet()
 * loads on first use (once, thread-safely), and the calling thread's HTML
 * parser context.  Call it once at exit, when no other thread is inside
 * this module, so leak checkers stay quiet; the module stays usable (it
 * loads again on next use).  libxml2's own xmlCleanupParser() is the
 * program's to call.
 */
void norm_global_cleanup(void);

/*
 * Stemming (Snowball's stemmers, libstemmer): "protesters" and "protests"
 * -> "protest", "elecciones" and "elección" -> "eleccion".  A stemmer is
 * not shared between threads.
 * norm_lang_stems(lang): 1 when Snowball stems language ${lang} (24 of
 * norm_lang_count(), English among them; not Tagalog), else 0.
 * norm_stemmer_new_lang(lang): a new stemmer of language ${lang}, or NULL
 * when out of memory or when the language has none (norm_lang_stems());
 * norm_stemmer_new(): English's.  The caller frees either with
 * norm_stemmer_free().  norm_stem(st, w, len, outlen): the stem of folded
 * word ${w}; borrowed, valid until the next call on ${st}.  Words of fewer
 * than 4 bytes, or with a digit, are returned unchanged, and so, by the
 * English stemmer, are words that are not plain lower-case ASCII letters.
 */
struct norm_stemmer;
int norm_lang_stems(int lang);
struct norm_stemmer *norm_stemmer_new_lang(int lang);
struct norm_stemmer *norm_stemmer_new(void);
void norm_stemmer_free(struct norm_stemmer *st);
const char *norm_stem(struct norm_stemmer *st, const char *w, size_t len, size_t *outlen);

#endif
