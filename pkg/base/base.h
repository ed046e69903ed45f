#ifndef NF_BASE_H
#define NF_BASE_H
/*
 * base: the few things every module of newsfold shares.
 *
 *   struct buf     a growable byte buffer with a hard maximum (curl's dynbuf)
 *   struct nf_err  one error message, filled where an error is first seen
 *   struct nf_diag a list of "file:line: why" problems (configuration, OPML)
 *   nf_log()       one log line, handed to a sink that cmd/ installs
 *   time helpers   UTC only; times are int64 seconds since the epoch
 *
 * Ownership rule for the whole of pkg/: a function that returns a pointer
 * says in its comment who frees it; "borrowed" means valid until the object
 * it came from is changed or freed.  Every *_release(x) and *_free(x)
 * accepts a NULL or an already-released object and does nothing.
 *
 * Errors: functions return 0 (or a pointer) on success and -1 (or NULL) on
 * failure; failure fills the caller's struct nf_err when one is given.
 * Nothing in pkg/ prints to stdout or exits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define NF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NF_PRINTF(a, b)
#endif

#define NF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- buffers ---------------------------------------------------------- */

/*
 * struct buf: ${data} holds ${len} bytes followed by a NUL (once anything
 * was appended; data is NULL before).  ${max} is a hard cap on len: an
 * append that would pass it fails with -1 and leaves the buffer as it was,
 * and ${over} is set so a caller can tell "too big" from "out of memory".
 * The buffer owns data; buf_release() frees it.
 */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t max;
	int over;
};

/* buf_init(b, max): an empty buffer capped at ${max} bytes (0: no cap). */
void buf_init(struct buf *b, size_t max);
/* buf_append(b, p, n): append ${n} bytes; 0, or -1 (cap or ENOMEM).
 * buf_putc(b, c), buf_puts(b, s): one byte, a C string.  Inline while the
 * bytes fit (text and JSON are built a few bytes at a time);
 * buf_append_grow() is the rest. */
int buf_append_grow(struct buf *b, const void *p, size_t n);

static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
	/* room for n bytes and the NUL, and within the cap */
	if (b->alloc - b->len > n && b->max - b->len >= n) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append_grow(b, p, n);
}

static inline int
buf_putc(struct buf *b, char c)
{
	if (b->alloc - b->len > 1 && b->max > b->len) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append_grow(b, &c, 1);
}

static inline int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* buf_reserve(b, n): room for ${n} bytes more and the NUL, within the cap,
 * for a caller that writes them at data + len itself, then sets len and
 * the NUL; 0, or -1 (past the cap, with over set; or ENOMEM). */
int buf_reserve(struct buf *b, size_t n);

int buf_printf(struct buf *b, const char *fmt, ...) NF_PRINTF(2, 3);
/* buf_put_xml(b, s, attr): append ${s} (NULL: nothing) escaped for XML:
 * & < > " as references, control characters XML cannot hold dropped, bad
 * UTF-8 as U+FFFD; with ${attr}, tab, newline and CR as character
 * references so an attribute value keeps them; in text, tab and newline
 * as they are. */
int buf_put_xml(struct buf *b, const char *s, int attr);
/* buf_reset(b): length 0, storage kept. */
void buf_reset(struct buf *b);
/* buf_cstr(b): the contents as a C string, "" when empty; borrowed. */
const char *buf_cstr(const struct buf *b);
/* buf_detach(b): the contents, now owned by the caller (free()); the buffer
 * is left empty.  Returns NULL only when out of memory. */
char *buf_detach(struct buf *b);
void buf_release(struct buf *b);

/* ---- files ------------------------------------------------------------ */

/*
 * nf_write_file_atomic(path, data, len, mode, err): replace the file
 * ${path} with ${len} bytes: written to "PATH.tmp.PID~" (a name no drop-in
 * reader takes), flushed, renamed over ${path}, and the directory flushed;
 * readers see the old file or the new one, never a part.  0, or -1 (err
 * filled; ${path} untouched, the temporary file removed).
 */
struct nf_err;
int nf_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                         struct nf_err *err);

/* ---- errors ----------------------------------------------------------- */

struct nf_err {
	char msg[512];
};

/* nf_err_set(e, fmt, ...): fill ${e} (may be NULL) with a message. */
void nf_err_set(struct nf_err *e, const char *fmt, ...) NF_PRINTF(2, 3);
/* nf_err_prefix(e, fmt, ...): put context in front of the message:
 * "context: message". */
void nf_err_prefix(struct nf_err *e, const char *fmt, ...) NF_PRINTF(2, 3);

/* ---- diagnostics ------------------------------------------------------ */

/* A list of problems, each "file:line: why" (or "file: why" when line is
 * 0).  The list owns its strings. */
struct nf_diag {
	char **msg;
	size_t n;
	size_t alloc;
};

void nf_diag_add(struct nf_diag *d, const char *file, int line,
                 const char *fmt, ...) NF_PRINTF(4, 5);
void nf_diag_release(struct nf_diag *d);

/* ---- logging ---------------------------------------------------------- */

/* Levels are syslog's, so a journald prefix is "<level>". */
enum { NF_LOG_ERR = 3, NF_LOG_WARNING = 4, NF_LOG_INFO = 6, NF_LOG_DEBUG = 7 };

typedef void nf_log_fn(int level, const char *msg, void *ctx);

/* nf_log_set(fn, ctx, max): send lines of level <= ${max} to ${fn}.  The
 * default sink discards everything: only cmd/ decides where logs go. */
void nf_log_set(nf_log_fn *fn, void *ctx, int max);
void nf_log(int level, const char *fmt, ...) NF_PRINTF(2, 3);

/* ---- strings ---------------------------------------------------------- */

/* nf_strdup(s) / nf_strndup(s, n): copies the caller frees; NULL for a NULL
 * ${s} or when out of memory. */
char *nf_strdup(const char *s);
char *nf_strndup(const char *s, size_t n);
/* nf_strcasecmp_ascii: ASCII-only, locale-independent. */
int nf_strcasecmp_ascii(const char *a, const char *b);
int nf_strncasecmp_ascii(const char *a, const char *b, size_t n);
/* nf_trim(s): strip ASCII white space at both ends, in place; returns s. */
char *nf_trim(char *s);

/* ---- time ------------------------------------------------------------- */

/* Absent times are NF_TIME_NONE everywhere. */
#define NF_TIME_NONE INT64_MIN

/* nf_now(): seconds since the epoch (see nf_now_set). */
int64_t nf_now(void);
/* nf_now_set(t): make nf_now() return ${t} from now on (0: the clock again);
 * for replaying old feeds and for tests.  Set by cmd/ only. */
void nf_now_set(int64_t t);
/* nf_days_from_civil(y, m, d): days since 1970-01-01 of a proleptic
 * Gregorian date; m is 1..12. */
int64_t nf_days_from_civil(int64_t y, int m, int d);
/* nf_timegm(y, mon, d, h, mi, s): UTC seconds; fields may be out of range
 * (seconds 60, hour 24) and are carried over. */
int64_t nf_timegm(int64_t y, int mon, int d, int h, int mi, int s);
/* nf_gmtime(t, tm): the broken-down UTC time of ${t}; fills y, m (1..12),
 * d, h, mi, s, wday (0 = Sunday). */
struct nf_tm {
	int64_t y;
	int m, d, h, mi, s, wday;
};
void nf_gmtime(int64_t t, struct nf_tm *tm);
/* nf_time_rfc3339(t, out): "2025-02-13T15:04:05Z" into ${out}; returns out. */
char *nf_time_rfc3339(int64_t t, char out[32]);
/* nf_time_http(t, out): "Thu, 13 Feb 2025 15:04:05 GMT"; returns out. */
char *nf_time_http(int64_t t, char out[40]);
/* nf_duration_parse(s, out): "90", "90s", "10m", "24h", "7d", "2w" into
 * seconds; 0 or -1 for anything else. */
int nf_duration_parse(const char *s, int64_t *out);
/* nf_size_parse(s, out): "1048576", "512k", "8M", "1G" into bytes. */
int nf_size_parse(const char *s, uint64_t *out);

#endif
