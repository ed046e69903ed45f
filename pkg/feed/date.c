/*
 * date: the dates feeds carry, as UTC seconds.
 *
 * Two readers: ISO 8601 / RFC 3339 / W3CDTF (a string that starts with a
 * four-digit year), and a token reader for RFC 822/2822 and the many shapes
 * real feeds give it (no weekday, a wrong weekday, two-digit years, month
 * first, named or military zones, a zone twice).  Every field is range
 * checked; anything not understood is NF_TIME_NONE, never a guess.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "feed/feed.h"
#include "base/banned.h"

static const char *const months[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static const char *const month_full[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const char *const wdays[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* Named zones, offsets in minutes east of UTC.  Ambiguous abbreviations
 * (IST, BST in some places) take their most common meaning in feeds. */
static const struct {
	const char *name;
	int off;
} zones[] = {
	{ "gmt", 0 }, { "ut", 0 }, { "utc", 0 }, { "z", 0 }, { "wet", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "ast", -240 }, { "adt", -180 }, { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "et", -300 }, { "ct", -360 }, { "mt", -420 }, { "pt", -480 },
	{ "bst", 60 }, { "ist", 330 }, { "cet", 60 }, { "cest", 120 }, { "met", 60 },
	{ "mest", 120 }, { "west", 60 }, { "eet", 120 }, { "eest", 180 }, { "msk", 180 },
	{ "sgt", 480 }, { "hkt", 480 }, { "jst", 540 }, { "kst", 540 },
	{ "awst", 480 }, { "acst", 570 }, { "acdt", 630 }, { "aest", 600 }, { "aedt", 660 },
	{ "nzst", 720 }, { "nzdt", 780 },
};

static int
days_in_month(int64_t y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* digits(s, n, out): exactly ${n} digits at ${s}; 0 or -1. */
static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* word_eq(w, n, name): the ${n}-letter word ${w} equals ${name}, any case. */
static int
word_eq(const char *w, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name[i] == '\0' || lower((unsigned char)w[i]) != name[i])
			return 0;
	return name[n] == '\0';
}

/* month_of(w, n): 1..12 for a month name (3 letters, full, or "sept"). */
static int
month_of(const char *w, size_t n)
{
	int i;

	for (i = 0; i < 12; i++)
		if (word_eq(w, n, months[i]) || word_eq(w, n, month_full[i]))
			return i + 1;
	if (word_eq(w, n, "sept"))
		return 9;
	return 0;
}

/* is_wday(w, n): a weekday name or an abbreviation of at least 3 letters
 * ("Wed", "Thurs", "Tuesday"). */
static int
is_wday(const char *w, size_t n)
{
	size_t i, j;

	if (n < 3)
		return 0;
	for (i = 0; i < 7; i++) {
		if (n > strlen(wdays[i]))
			continue;
		for (j = 0; j < n; j++)
			if (lower((unsigned char)w[j]) != wdays[i][j])
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

/* zone_name(w, n, off): a named or military zone; 0 or -1. */
static int
zone_name(const char *w, size_t n, int *off)
{
	size_t i;
	int c;

	for (i = 0; i < NF_ARRAY_LEN(zones); i++) {
		if (word_eq(w, n, zones[i].name)) {
			*off = zones[i].off;
			return 0;
		}
	}
	if (n == 1) {
		/* RFC 822 military zones, with RFC 822's signs */
		c = lower((unsigned char)w[0]);
		if (c >= 'a' && c <= 'i')
			*off = -60 * (c - 'a' + 1);
		else if (c >= 'k' && c <= 'm')
			*off = -60 * (c - 'k' + 10);
		else if (c >= 'n' && c <= 'y')
			*off = 60 * (c - 'n' + 1);
		else
			return -1;
		return 0;
	}
	return -1;
}

/*
 * zone_numeric(s, off): "+hh", "+hhmm", "+hh:mm" (or "-") at ${s}; the
 * number of bytes read, or -1.
 */
static int
zone_numeric(const char *s, int *off)
{
	int sign, hh, mm = 0, n;

	if (*s != '+' && *s != '-')
		return -1;
	sign = *s == '-' ? -1 : 1;
	if (digits(s + 1, 2, &hh))
		return -1;
	n = 3;
	if (s[3] == ':') {
		if (digits(s + 4, 2, &mm))
			return -1;
		n = 6;
	} else if (is_digit((unsigned char)s[3])) {
		if (digits(s + 3, 2, &mm))
			return -1;
		n = 5;
	}
	if (is_digit((unsigned char)s[n]) || hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 60 + mm);
	return n;
}

/*
 * tail_zone(s, off, have): the rest of a date after its time: white space,
 * one zone (named or numeric), then optionally a second redundant zone
 * ("+0000 GMT", "-0700 (PDT)").  Returns 0 when all of ${s} was read.
 */
static int
tail_zone(const char *s, int *off, int *have)
{
	int n, o, zones_read = 0;
	const char *w;

	for (;;) {
		while (is_space((unsigned char)*s) || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		if (zones_read >= 2)
			return -1;
		if (*s == '(') {
			/* a comment, e.g. "(PDT)" */
			while (*s && *s != ')')
				s++;
			if (*s != ')')
				return -1;
			s++;
			continue;
		}
		if (*s == '+' || *s == '-') {
			if ((n = zone_numeric(s, &o)) < 0)
				return -1;
			s += n;
		} else if (is_alpha((unsigned char)*s)) {
			w = s;
			while (is_alpha((unsigned char)*s))
				s++;
			/* "GMT+0100", "UTC-05:00" */
			if ((*s == '+' || *s == '-') && (word_eq(w, s - w, "gmt") ||
			    word_eq(w, s - w, "utc") || word_eq(w, s - w, "ut"))) {
				if ((n = zone_numeric(s, &o)) < 0)
					return -1;
				s += n;
			} else if (zone_name(w, s - w, &o))
				return -1;
		} else
			return -1;
		if (!*have) {
			*off = o;
			*have = 1;
		}
		zones_read++;
	}
}

static int64_t
make_time(int64_t y, int mon, int d, int h, int mi, int sec, int off)
{
	if (y < 1 || y > 9999 || mon < 1 || mon > 12 || d < 1 ||
	    d > days_in_month(y, mon) || h < 0 || h > 24 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60)
		return NF_TIME_NONE;
	if (h == 24 && (mi != 0 || sec != 0))
		return NF_TIME_NONE;
	return nf_timegm(y, mon, d, h, mi, sec) - (int64_t)off * 60;
}

/*
 * parse_clock(s, h, mi, sec): "hh:mm", "hh:mm:ss", "hh:mm:ss.fff" (also a
 * one-digit hour); the number of bytes read, or -1.
 */
static int
parse_clock(const char *s, int *h, int *mi, int *sec)
{
	const char *p = s;

	if (!is_digit((unsigned char)p[0]))
		return -1;
	if (is_digit((unsigned char)p[1])) {
		*h = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
	} else {
		*h = p[0] - '0';
		p += 1;
	}
	if (*p != ':' || digits(p + 1, 2, mi))
		return -1;
	p += 3;
	*sec = 0;
	if (*p == ':') {
		if (digits(p + 1, 2, sec))
			return -1;
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			if (!is_digit((unsigned char)*p))
				return -1;
			while (is_digit((unsigned char)*p))
				p++;
		}
	}
	if (is_digit((unsigned char)*p))
		return -1;
	return (int)(p - s);
}

/* ISO 8601 / RFC 3339 / W3CDTF, starting with a four-digit year. */
static int64_t
parse_iso(const char *s)
{
	int y, mon = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0, have = 0, n;
	const char *p = s;

	if (digits(p, 4, &y))
		return NF_TIME_NONE;
	p += 4;
	if (*p == '-') {
		if (digits(p + 1, 2, &mon))
			return NF_TIME_NONE;
		p += 3;
		if (*p == '-') {
			if (digits(p + 1, 2, &d))
				return NF_TIME_NONE;
			p += 3;
		}
	} else if (is_digit((unsigned char)*p)) {
		/* compact YYYYMMDD */
		if (digits(p, 2, &mon) || digits(p + 2, 2, &d))
			return NF_TIME_NONE;
		p += 4;
	}
	if (is_digit((unsigned char)*p))
		return NF_TIME_NONE;
	if (*p == 'T' || *p == 't' || (*p == ' ' && is_digit((unsigned char)p[1]))) {
		p++;
		while (*p == ' ')
			p++;
		if (is_digit((unsigned char)p[0]) && is_digit((unsigned char)p[1]) &&
		    is_digit((unsigned char)p[2]) && is_digit((unsigned char)p[3])) {
			/* compact hhmm[ss] */
			digits(p, 2, &h);
			digits(p + 2, 2, &mi);
			p += 4;
			if (is_digit((unsigned char)*p)) {
				if (digits(p, 2, &sec))
					return NF_TIME_NONE;
				p += 2;
			}
			if (is_digit((unsigned char)*p))
				return NF_TIME_NONE;
			if (*p == '.' || *p == ',') {
				p++;
				while (is_digit((unsigned char)*p))
					p++;
			}
		} else {
			if ((n = parse_clock(p, &h, &mi, &sec)) < 0)
				return NF_TIME_NONE;
			p += n;
		}
		/* "10:00:00 PM" is not ISO; refuse rather than guess */
	}
	if (*p == 'Z' || *p == 'z') {
		have = 1;
		p++;
	}
	if (tail_zone(p, &off, &have))
		return NF_TIME_NONE;
	return make_time(y, mon, d, h, mi, sec, off);
}

/* RFC 822/2822 and its real-world variants, read as tokens in any order. */
static int64_t
parse_rfc822(const char *s)
{
	int64_t y = -1;
	int mon = 0, d = -1, h = 0, mi = 0, sec = 0, off = 0, have = 0;
	int have_time = 0, pm = -1, n, v, nd;
	const char *p = s, *w, *first;

	while (is_space((unsigned char)*p))
		p++;
	first = p;
	for (;;) {
		while (is_space((unsigned char)*p) || *p == ',' || *p == '.' || *p == '/')
			p++;
		if (*p == '\0')
			break;
		if ((*p == '+' || *p == '-') && (have_time || (d >= 0 && y >= 0 && mon)))
			goto zone;
		if (*p == '-') {
			p++;
			continue;
		}
		if (is_alpha((unsigned char)*p)) {
			w = p;
			while (is_alpha((unsigned char)*p))
				p++;
			if (!mon && (v = month_of(w, p - w)) != 0)
				mon = v;
			else if (!have_time && is_wday(w, p - w))
				continue;
			else if (w == first && *p == ',' && p - w <= 12)
				continue; /* a weekday in another language: "mer," */
			else if (have_time && pm < 0 && (word_eq(w, p - w, "am") ||
			    word_eq(w, p - w, "pm")))
				pm = lower((unsigned char)*w) == 'p';
			else if (have_time || (d >= 0 && y >= 0 && mon)) {
				p = w;
				goto zone;
			} else
				return NF_TIME_NONE;
			continue;
		}
		if (!is_digit((unsigned char)*p))
			return NF_TIME_NONE;
		/* a clock? */
		for (w = p, nd = 0; is_digit((unsigned char)*w); w++)
			nd++;
		if (*w == ':') {
			if (have_time || (n = parse_clock(p, &h, &mi, &sec)) < 0)
				return NF_TIME_NONE;
			have_time = 1;
			p += n;
			continue;
		}
		v = 0;
		if (nd > 4)
			return NF_TIME_NONE;
		digits(p, nd, &v);
		p = w;
		if (nd == 4 && y < 0)
			y = v;
		else if (nd <= 2 && d < 0)
			d = v;
		else if (nd == 2 && y < 0)
			y = v < 50 ? 2000 + v : 1900 + v;
		else
			return NF_TIME_NONE;
	}
	goto done;
zone:
	if (tail_zone(p, &off, &have))
		return NF_TIME_NONE;
done:
	if (y < 0 || d < 0 || !mon)
		return NF_TIME_NONE;
	if (pm >= 0) {
		if (h < 1 || h > 12)
			return NF_TIME_NONE;
		h = (h % 12) + (pm ? 12 : 0);
	}
	return make_time(y, mon, d, h, mi, sec, off);
}

int64_t
feed_date_parse(const char *s)
{
	const char *p;

	if (s == NULL)
		return NF_TIME_NONE;
	while (is_space((unsigned char)*s))
		s++;
	if (*s == '\0' || strlen(s) > 128)
		return NF_TIME_NONE;
	for (p = s; is_digit((unsigned char)*p); p++)
		;
	if (p - s == 4 && (*p == '-' || *p == 'T' || *p == '\0' || is_space((unsigned char)*p)))
		if (!(is_space((unsigned char)*p) && is_alpha((unsigned char)p[1])))
			return parse_iso(s);
	if (p - s == 8 && (*p == 'T' || *p == '\0'))
		return parse_iso(s);
	return parse_rfc822(s);
}
