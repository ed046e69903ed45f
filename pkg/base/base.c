#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "base/banned.h"

/* ---- buffers ---------------------------------------------------------- */

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max ? max : SIZE_MAX - 1;
	b->over = 0;
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t n;
	char *p;

	if (need > b->max) {
		b->over = 1;
		return -1;
	}
	if (need + 1 <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < need + 1)
		n = n > SIZE_MAX / 2 ? need + 1 : n * 2;
	if (n > b->max + 1)
		n = b->max + 1;
	if ((p = realloc(b->data, n)) == NULL)
		return -1;
	b->data = p;
	b->alloc = n;
	return 0;
}

int
buf_append_grow(struct buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - 1 - b->len || buf_grow(b, b->len + n))
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_reserve(struct buf *b, size_t n)
{
	return n > SIZE_MAX - 1 - b->len ? -1 : buf_grow(b, b->len + n);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	if (buf_grow(b, b->len + (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->over = 0;
	if (b->data)
		b->data[0] = '\0';
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = nf_strdup("");
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

/* ---- errors ----------------------------------------------------------- */

void
nf_err_set(struct nf_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
nf_err_prefix(struct nf_err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	{
		size_t np = strlen(pre), no = strnlen(old, sizeof(old) - 1), cap = sizeof(e->msg) - 1;
		if (np > cap - 2)
			np = cap - 2;
		memcpy(e->msg, pre, np);
		memcpy(e->msg + np, ": ", 2);
		if (no > cap - np - 2)
			no = cap - np - 2;
		memcpy(e->msg + np + 2, old, no);
		e->msg[np + 2 + no] = '\0';
	}
}

/* ---- diagnostics ------------------------------------------------------ */

void
nf_diag_add(struct nf_diag *d, const char *file, int line, const char *fmt, ...)
{
	struct buf b;
	char why[512];
	va_list ap;
	char **v;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	buf_init(&b, 0);
	if (line > 0)
		buf_printf(&b, "%s:%d: %s", file ? file : "-", line, why);
	else
		buf_printf(&b, "%s: %s", file ? file : "-", why);
	if (b.data == NULL)
		return;
	if (d->n == d->alloc) {
		size_t n = d->alloc ? d->alloc * 2 : 8;
		if ((v = realloc(d->msg, n * sizeof(*v))) == NULL) {
			buf_release(&b);
			return;
		}
		d->msg = v;
		d->alloc = n;
	}
	d->msg[d->n++] = buf_detach(&b);
}

void
nf_diag_release(struct nf_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	d->msg = NULL;
	d->n = d->alloc = 0;
}

/* ---- logging ---------------------------------------------------------- */

static nf_log_fn *log_fn;
static void *log_ctx;
static int log_max = -1;

void
nf_log_set(nf_log_fn *fn, void *ctx, int max)
{
	log_fn = fn;
	log_ctx = ctx;
	log_max = fn ? max : -1;
}

void
nf_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (log_fn == NULL || level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(level, msg, log_ctx);
}

/* ---- strings ---------------------------------------------------------- */

char *
nf_strdup(const char *s)
{
	return s ? nf_strndup(s, strlen(s)) : NULL;
}

char *
nf_strndup(const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == SIZE_MAX || (p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
nf_strncasecmp_ascii(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int d = lower_ascii((unsigned char)*a) - lower_ascii((unsigned char)*b);
		if (d || *a == '\0')
			return d;
	}
	return 0;
}

int
nf_strcasecmp_ascii(const char *a, const char *b)
{
	return nf_strncasecmp_ascii(a, b, SIZE_MAX);
}

static int
space_ascii(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *
nf_trim(char *s)
{
	size_t n;
	char *p = s;

	while (space_ascii((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && space_ascii((unsigned char)p[n - 1]))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---- time ------------------------------------------------------------- */

static int64_t fake_now;

int64_t
nf_now(void)
{
	return fake_now ? fake_now : (int64_t)time(NULL);
}

void
nf_now_set(int64_t t)
{
	fake_now = t;
}

/* Howard Hinnant's days_from_civil. */
int64_t
nf_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
nf_timegm(int64_t y, int mon, int d, int h, int mi, int s)
{
	/* carry months into years first; days, hours... add linearly */
	int64_t m = mon - 1;

	y += m / 12;
	m %= 12;
	if (m < 0) {
		m += 12;
		y--;
	}
	return nf_days_from_civil(y, (int)m + 1, 1) * 86400 + (int64_t)(d - 1) * 86400 +
	       (int64_t)h * 3600 + (int64_t)mi * 60 + s;
}

void
nf_gmtime(int64_t t, struct nf_tm *tm)
{
	int64_t z = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - z * 86400;
	int64_t era, doe, yoe, doy, mp;

	tm->wday = (int)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->y = yoe + era * 400 + (tm->m <= 2);
	tm->h = (int)(secs / 3600);
	tm->mi = (int)(secs / 60 % 60);
	tm->s = (int)(secs % 60);
}

char *
nf_time_rfc3339(int64_t t, char out[32])
{
	struct nf_tm tm;

	nf_gmtime(t, &tm);
	snprintf(out, 32, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)tm.y, tm.m,
	         tm.d, tm.h, tm.mi, tm.s);
	return out;
}

char *
nf_time_http(int64_t t, char out[40])
{
	static const char wd[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char mn[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct nf_tm tm;

	nf_gmtime(t, &tm);
	snprintf(out, 40, "%s, %02d %s %04lld %02d:%02d:%02d GMT", wd[tm.wday], tm.d,
	         mn[tm.m - 1], (long long)tm.y, tm.h, tm.mi, tm.s);
	return out;
}

static int
parse_scaled(const char *s, uint64_t *out, const char *units, const uint64_t *mult)
{
	char *end;
	unsigned long long v;
	const char *u;

	if (s == NULL)
		return -1;
	while (space_ascii((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (space_ascii((unsigned char)*end))
		end++;
	if (*end) {
		if ((u = strchr(units, *end)) == NULL)
			return -1;
		if (v > UINT64_MAX / mult[u - units])
			return -1;
		v *= mult[u - units];
		end++;
		while (space_ascii((unsigned char)*end))
			end++;
		if (*end)
			return -1;
	}
	*out = v;
	return 0;
}

int
nf_duration_parse(const char *s, int64_t *out)
{
	static const uint64_t mult[] = {1, 60, 3600, 86400, 604800};
	uint64_t v;

	if (parse_scaled(s, &v, "smhdw", mult) || v > INT64_MAX / 2)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
nf_size_parse(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = {1024, 1024, 1048576, 1048576, 1073741824, 1073741824};

	return parse_scaled(s, out, "kKmMgG", mult);
}
