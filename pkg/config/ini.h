#ifndef NF_CONFIG_INI_H
#define NF_CONFIG_INI_H
/*
 * ini: the INI reader behind newsfold.conf and feeds.d/ *.conf, and a few
 * helpers shared by the files of pkg/config.  Internal to pkg/config (and
 * its tests): other modules use config.h.
 *
 * The syntax, line by line (CRLF and a UTF-8 BOM are tolerated):
 *
 *     # comment                 ; comment
 *     [section]                 [https://example.com/feed.xml]  # comment
 *     key = value               key = value # trailing comment
 *     key = "quoted # value"    (\" and \\ inside quotes)
 *
 * A '#' or ';' starts a trailing comment only after white space, so URLs
 * keep their fragments ("a#b").  Keys and values are trimmed.  A bad line is
 * reported into the diag as "name:line: why" and skipped; after a bad
 * section header the keys up to the next good header are skipped too.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct feed_sub;

/* The longest line read, in bytes (without its end of line). */
#define INI_LINE_MAX 65536

/*
 * ini_fn(section, key, value, line, ctx): called once per section header
 * with ${key} and ${value} NULL, and once per `key = value` with the current
 * ${section} (NULL before any header).  The strings are borrowed for the
 * call.  Return 0 to go on, -1 to stop reading (ini_parse returns -1).
 */
typedef int ini_fn(const char *section, const char *key, const char *value, int line,
                   void *ctx);

/*
 * ini_parse(data, len, name, fn, ctx, diag): read ${len} bytes of INI,
 * calling ${fn}; ${name} names the source in messages.  Returns 0, or -1
 * when ${fn} stopped it or memory ran out.  Cost: one pass, one line buffer.
 */
int ini_parse(const char *data, size_t len, const char *name, ini_fn *fn, void *ctx,
              struct nf_diag *diag);

/*
 * cfg_read_file(path, max, optional, out, diag): the whole file into ${out}
 * (a buffer the caller initialised and releases).  Returns 0 read, 1 when
 * the file does not exist and ${optional} (nothing reported), -1 when it
 * cannot be read or is over ${max} bytes (reported as "path: why").
 */
int cfg_read_file(const char *path, size_t max, int optional, struct buf *out,
                  struct nf_diag *diag);

/* cfg_feed_url_ok(url): 1 when ${url} is http://, https:// or file:// with
 * something after the scheme and no white space or control characters. */
int cfg_feed_url_ok(const char *url);

/* cfg_duration_str(secs, out): "90s", "10m", "2h", "7d": the largest unit
 * that divides ${secs} exactly; returns out. */
char *cfg_duration_str(int64_t secs, char out[32]);

/* cfg_clean_text(s): control characters to spaces, runs of white space to
 * one space, trimmed; in place, returns s. */
char *cfg_clean_text(char *s);

/*
 * cfg_sub_add_tag(sub, tag, n): add the ${n} bytes at ${tag} to ${sub}'s
 * tags, cleaned: each '/'-separated part trimmed, empty parts dropped,
 * commas and control characters made spaces.  An empty or already present
 * tag is not added.  Returns 0, or -1 out of memory.
 */
int cfg_sub_add_tag(struct feed_sub *sub, const char *tag, size_t n);

/* cfg_sub_release(sub): free the url, title, tags and file of ${sub}, and
 * zero it. */
void cfg_sub_release(struct feed_sub *sub);

#endif
