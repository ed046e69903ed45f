/*
 * UTF-8 repair, Unicode folding (utf8proc) and tokenising.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/*
 * utf8_seq(p, n, bad): the length of the valid UTF-8 sequence at ${p}, or 0
 * when it is invalid; then *bad is the length of its maximal invalid
 * subpart (at least 1), which one U+FFFD replaces.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/*
 * plain_run(p, n): how many of the first ${n} bytes at ${p} are plain
 * ASCII (0x01..0x7f), looked at eight at a time while they are: most text
 * is, and each byte of it needs nothing but to be passed.
 */
static size_t
plain_run(const unsigned char *p, size_t n)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, p + i, 8);
		/* a high bit set, or a zero byte (the classic test) */
		if ((x & highs) || ((x - ones) & ~x & highs))
			break;
	}
	while (i < n && p[i] > 0 && p[i] < 0x80)
		i++;
	return i;
}

int
norm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t k, bad;

	while (p < end) {
		p += plain_run(p, (size_t)(end - p));
		if (p == end)
			break;
		if (*p >= 0x80) {
			if ((k = utf8_seq(p, (size_t)(end - p), &bad)) == 0)
				return 0;
			p += k;
		} else if (*p == 0)
			return 0;
		else
			p++;
	}
	return 1;
}

int
norm_utf8_repair(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const unsigned char *run = p;
	size_t start = out->len, k, bad;

	while (p < end) {
		if (*p > 0 && *p < 0x80) {
			p++;
			continue;
		}
		if (*p != 0 && (k = utf8_seq(p, (size_t)(end - p), &bad)) != 0) {
			p += k;
			continue;
		}
		if (buf_append(out, run, (size_t)(p - run)) != 0)
			goto err;
		if (*p == 0)
			p++;
		else {
			if (buf_append(out, "\xef\xbf\xbd", 3) != 0)
				goto err;
			p += bad;
		}
		run = p;
	}
	if (buf_append(out, run, (size_t)(p - run)) != 0)
		goto err;
	return 0;
err:
	if (out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return -1;
}

/* ---- folding ---------------------------------------------------------- */

/* fold_quote(cp, data): typographic apostrophes to ASCII, before mapping. */
static utf8proc_int32_t
fold_quote(utf8proc_int32_t cp, void *data)
{
	(void)data;
	switch (cp) {
	case 0x2018:	/* LEFT SINGLE QUOTATION MARK */
	case 0x2019:	/* RIGHT SINGLE QUOTATION MARK */
	case 0x201b:	/* SINGLE HIGH-REVERSED-9 QUOTATION MARK */
		return '\'';
	case 0x201c:	/* LEFT DOUBLE QUOTATION MARK */
	case 0x201d:	/* RIGHT DOUBLE QUOTATION MARK */
		return '"';
	default:
		return cp;
	}
}

/* fold_ascii(s, len, out): ASCII text: NFKC is the identity, case folding
 * is tolower. */
static int
fold_ascii(const char *s, size_t len, struct buf *out)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80;
	char *o;
	size_t i;

	if (buf_reserve(out, len) != 0)
		return -1;
	o = out->data + out->len;
	/* eight bytes at a time: adding 0x80 - 'A' sets a byte's high bit
	 * when it is 'A' or more, adding 0x80 - 'Z' - 1 when past 'Z' (below
	 * 0x80, a byte's sum never carries into the next); where the two
	 * differ, 0x20 is set */
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t x, a, z;

		memcpy(&x, s + i, 8);
		if (x & highs)
			break;
		a = x + ones * (0x80 - 'A');
		z = x + ones * (0x80 - 'Z' - 1);
		x |= ((a ^ z) & highs) >> 2;
		memcpy(o + i, &x, 8);
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		o[i] = (char)(c + ((unsigned)(c - 'A') < 26) * ('a' - 'A'));
	}
	out->len += len;
	out->data[out->len] = '\0';
	return 0;
}

#define FOLD_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
	UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/*
 * fold_run(s, len, cps, ncps, out): fold valid UTF-8 ${s} with utf8proc
 * (decompose, compose, re-encode) through the code point buffer *${cps} of
 * *${ncps} entries, grown when too small.
 */
static int
fold_run(const char *s, size_t len, utf8proc_int32_t **cps, size_t *ncps,
    int heap, struct buf *out)
{
	utf8proc_int32_t *nb;
	utf8proc_ssize_t n;

	for (;;) {
		n = utf8proc_decompose_custom((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)len, *cps, (utf8proc_ssize_t)*ncps - 1,
		    FOLD_OPTS, fold_quote, NULL);
		if (n < 0)
			return -1;
		if ((size_t)n < *ncps)
			break;
		/* Too small: grow (the first buffer is on the stack). */
		if ((size_t)n > SIZE_MAX / sizeof(**cps) - 1)
			return -1;
		if ((nb = malloc(((size_t)n + 1) * sizeof(**cps))) == NULL)
			return -1;
		if (heap)
			free(*cps);
		*cps = nb;
		*ncps = (size_t)n + 1;
		heap = 1;
	}
	n = utf8proc_reencode(*cps, n, FOLD_OPTS);
	if (n < 0)
		return -1;
	return buf_append(out, *cps, (size_t)n);
}

/*
 * norm_fold: ASCII runs are lower-cased directly; each run of non-ASCII
 * characters goes through utf8proc together with the ASCII character just
 * before it, which a following combining mark may compose with.  An ASCII
 * character never composes with a following ASCII character, so the
 * result is that of mapping the whole text at once.
 */
int
norm_fold(const char *s, size_t len, struct buf *out)
{
	utf8proc_int32_t small[256], *cps = small;
	size_t ncps = NF_ARRAY_LEN(small);
	struct buf fixed;
	size_t i, j, k, start = out->len;

	buf_init(&fixed, 0);
	if (!norm_utf8_valid(s, len)) {
		if (norm_utf8_repair(s, len, &fixed) != 0)
			goto err;
		s = buf_cstr(&fixed);
		len = fixed.len;
	}
	i = 0;
	while (i < len) {
		/* the ASCII run (a NUL is ASCII too: it passes unfolded) */
		j = i + plain_run((const unsigned char *)s + i, len - i);
		while (j < len && (unsigned char)s[j] < 0x80)
			j++;
		if (j == len) {
			if (fold_ascii(s + i, len - i, out) != 0)
				goto err;
			break;
		}
		k = j > i ? j - 1 : j;	/* the run starts one before */
		if (fold_ascii(s + i, k - i, out) != 0)
			goto err;
		for (j++; j < len && (unsigned char)s[j] >= 0x80; j++)
			;
		if (fold_run(s + k, j - k, &cps, &ncps, cps != small,
		    out) != 0)
			goto err;
		i = j;
	}
	if (cps != small)
		free(cps);
	buf_release(&fixed);
	return 0;
err:
	if (cps != small)
		free(cps);
	buf_release(&fixed);
	if (out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return -1;
}

/* ---- tokens ----------------------------------------------------------- */

void
norm_tokens_init(struct norm_tokens *t)
{
	buf_init(&t->text, 0);
	t->tok = NULL;
	t->len = NULL;
	t->n = t->alloc = 0;
}

void
norm_tokens_release(struct norm_tokens *t)
{
	if (t == NULL)
		return;
	buf_release(&t->text);
	free(t->tok);
	free(t->len);
	norm_tokens_init(t);
}

/* What a code point is to the tokeniser. */
enum ch_kind {
	CH_OTHER,	/* separates tokens */
	CH_LETTER,	/* L* */
	CH_DIGIT,	/* N* */
	CH_MARK,	/* M* */
	CH_IDEO,	/* CJK ideographs, kana: one token each */
	CH_APOS,	/* ' (kept between letters, without itself) */
	CH_POINT	/* . and , (kept between digits) */
};

static int
is_ideograph(int32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) ||	/* Hiragana, Katakana */
	    (cp >= 0x31f0 && cp <= 0x31ff) ||	/* Katakana ext. */
	    (cp >= 0x3400 && cp <= 0x4dbf) ||	/* CJK ext. A */
	    (cp >= 0x4e00 && cp <= 0x9fff) ||	/* CJK unified */
	    (cp >= 0xf900 && cp <= 0xfaff) ||	/* CJK compatibility */
	    (cp >= 0xff66 && cp <= 0xff9f) ||	/* half-width Katakana */
	    (cp >= 0x20000 && cp <= 0x3134f);	/* CJK ext. B-G */
}

static enum ch_kind
ch_kind(int32_t cp)
{
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			return CH_LETTER;
		if (cp >= '0' && cp <= '9')
			return CH_DIGIT;
		if (cp == '\'')
			return CH_APOS;
		if (cp == '.' || cp == ',')
			return CH_POINT;
		return CH_OTHER;
	}
	if (cp == 0x2019)
		return CH_APOS;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return is_ideograph(cp) ? CH_IDEO : CH_LETTER;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return CH_MARK;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return CH_DIGIT;
	default:
		return CH_OTHER;
	}
}

/* ascii_alnum(c): whether byte ${c} is an ASCII letter or digit (what
 * ch_kind() calls CH_LETTER or CH_DIGIT below 0x80). */
static inline int
ascii_alnum(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

/* decode(p, n, cp): the code point at ${p} and its length; an invalid byte
 * is one CH_OTHER code point (-1) of length 1. */
static size_t
decode(const unsigned char *p, size_t n, int32_t *cp)
{
	utf8proc_ssize_t k;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	k = utf8proc_iterate(p, n > 4 ? 4 : (utf8proc_ssize_t)n, cp);
	if (k <= 0) {
		*cp = -1;
		return 1;
	}
	return (size_t)k;
}

static enum ch_kind
kind_at(const unsigned char *p, const unsigned char *end)
{
	int32_t cp;

	if (p >= end)
		return CH_OTHER;
	decode(p, (size_t)(end - p), &cp);
	return cp < 0 ? CH_OTHER : ch_kind(cp);
}

/* A token being built. */
struct tok_state {
	struct norm_tokens *t;
	const unsigned char *seg;	/* start of the source run not yet copied */
	size_t start;			/* where the token begins in t->text */
	int open;
	int err;
};

static void
tok_begin(struct tok_state *ts, const unsigned char *p)
{
	ts->seg = p;
	ts->start = ts->t->text.len;
	ts->open = 1;
}

static void
tok_flush(struct tok_state *ts, const unsigned char *p)
{
	if (p > ts->seg && buf_append(&ts->t->text, ts->seg,
	    (size_t)(p - ts->seg)) != 0)
		ts->err = 1;
}

static void
tok_end(struct tok_state *ts, const unsigned char *p)
{
	struct norm_tokens *t = ts->t;
	const char **ntok;
	uint32_t *nlen;
	size_t na, tl;

	if (!ts->open)
		return;
	ts->open = 0;
	tok_flush(ts, p);
	if (ts->err)
		return;
	tl = t->text.len - ts->start;
	if (tl == 0)
		return;
	if (tl > UINT32_MAX || buf_putc(&t->text, '\0') != 0) {
		ts->err = 1;
		return;
	}
	if (t->n == t->alloc) {
		na = t->alloc ? t->alloc * 2 : 64;
		if (na > SIZE_MAX / sizeof(*ntok)) {
			ts->err = 1;
			return;
		}
		if ((ntok = realloc(t->tok, na * sizeof(*ntok))) == NULL) {
			ts->err = 1;
			return;
		}
		t->tok = ntok;
		if ((nlen = realloc(t->len, na * sizeof(*nlen))) == NULL) {
			ts->err = 1;
			return;
		}
		t->len = nlen;
		t->alloc = na;
	}
	t->tok[t->n] = NULL;	/* set once the text stops moving */
	t->len[t->n] = (uint32_t)tl;
	t->n++;
}

/* tok_fix(t, from, off): point tok[from..n) into text, tok[from] at ${off}. */
static void
tok_fix(struct norm_tokens *t, size_t from, size_t off)
{
	size_t i;

	for (i = from; i < t->n; i++) {
		t->tok[i] = t->text.data + off;
		off += (size_t)t->len[i] + 1;
	}
}

int
norm_tokenise(const char *s, size_t len, struct norm_tokens *t)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const char *base0 = t->text.data;
	size_t n0 = t->n, text0 = t->text.len, cl;
	struct tok_state ts = { t, NULL, 0, 0, 0 };
	enum ch_kind k, prev = CH_OTHER;
	int32_t cp;
	int ideo = 0;	/* the open token is one ideograph */

	while (p < end && !ts.err) {
		if (ascii_alnum(*p)) {
			/* a run of ASCII letters and digits in one step: what
			 * each of them would do one by one */
			const unsigned char *q = p + 1;

			while (q < end && ascii_alnum(*q))
				q++;
			if (ideo)
				tok_end(&ts, p);
			ideo = 0;
			if (!ts.open)
				tok_begin(&ts, p);
			prev = q[-1] <= '9' ? CH_DIGIT : CH_LETTER;
			p = q;
			continue;
		}
		cl = decode(p, (size_t)(end - p), &cp);
		k = cp < 0 ? CH_OTHER : ch_kind(cp);
		switch (k) {
		case CH_LETTER:
		case CH_DIGIT:
			if (ideo)
				tok_end(&ts, p);
			ideo = 0;
			/* FALLTHROUGH */
		case CH_MARK:
			if (!ts.open)
				tok_begin(&ts, p);
			break;
		case CH_IDEO:
			tok_end(&ts, p);
			tok_begin(&ts, p);
			ideo = 1;
			break;
		case CH_APOS:
			if (ts.open && !ideo && prev == CH_LETTER &&
			    kind_at(p + cl, end) == CH_LETTER) {
				tok_flush(&ts, p);
				ts.seg = p + cl;
				p += cl;
				continue;	/* prev stays a letter */
			}
			tok_end(&ts, p);
			ideo = 0;
			break;
		case CH_POINT:
			if (ts.open && !ideo && prev == CH_DIGIT &&
			    kind_at(p + cl, end) == CH_DIGIT)
				break;
			tok_end(&ts, p);
			ideo = 0;
			break;
		default:
			tok_end(&ts, p);
			ideo = 0;
			break;
		}
		if (k != CH_MARK)
			prev = k;
		p += cl;
	}
	tok_end(&ts, p);
	if (ts.err) {
		t->n = n0;
		if (t->text.data != NULL) {
			t->text.len = text0;
			t->text.data[text0] = '\0';
		}
	}
	if (t->text.data != base0)
		tok_fix(t, 0, 0);
	else
		tok_fix(t, n0, text0);
	return ts.err ? -1 : 0;
}
