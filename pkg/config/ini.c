/* The INI reader of newsfold.conf and feeds.d/ *.conf (see ini.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "config/ini.h"
#include "base/banned.h"

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* cut_comment(s): end ${s} before a '#' or ';' that follows white space. */
static void
cut_comment(char *s)
{
	size_t i;

	for (i = 1; s[0] && s[i]; i++) {
		if ((s[i] == '#' || s[i] == ';') && is_space((unsigned char)s[i - 1])) {
			s[i] = '\0';
			return;
		}
	}
}

/*
 * unquote(v, why): ${v} starts with '"'; remove the quotes and the \" \\
 * escapes in place.  Returns 0, or -1 with ${why} set.
 */
static int
unquote(char *v, const char **why)
{
	char *q = v + 1, *o = v, *rest;

	while (*q && *q != '"') {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		*o++ = *q++;
	}
	if (*q != '"') {
		*why = "unterminated quoted value";
		return -1;
	}
	rest = q + 1;
	*o = '\0';
	while (is_space((unsigned char)*rest))
		rest++;
	if (*rest && *rest != '#' && *rest != ';') {
		*why = "text after the closing quote";
		return -1;
	}
	return 0;
}

int
ini_parse(const char *data, size_t len, const char *name, ini_fn *fn, void *ctx,
          struct nf_diag *diag)
{
	const char *p = data, *end = data + len, *nl, *next;
	char *line, *section = NULL, *s, *eq, *key, *v;
	const char *why;
	int lineno = 0, bad_section = 0, rc = -1;
	size_t n;

	if ((line = malloc(INI_LINE_MAX + 1)) == NULL)
		goto err0;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		next = nl ? nl + 1 : end;
		n = (size_t)((nl ? nl : end) - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n > INI_LINE_MAX) {
			nf_diag_add(diag, name, lineno, "line too long (over %d bytes)",
			            INI_LINE_MAX);
			p = next;
			continue;
		}
		if (memchr(p, '\0', n)) {
			nf_diag_add(diag, name, lineno, "NUL byte in line");
			p = next;
			continue;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = next;
		s = nf_trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			cut_comment(s);
			nf_trim(s);
			n = strlen(s);
			if (s[n - 1] != ']' || n < 2) {
				nf_diag_add(diag, name, lineno, "unterminated section");
				bad_section = 1;
				continue;
			}
			s[n - 1] = '\0';
			nf_trim(s + 1);
			if (s[1] == '\0') {
				nf_diag_add(diag, name, lineno, "empty section name");
				bad_section = 1;
				continue;
			}
			free(section);
			if ((section = nf_strdup(s + 1)) == NULL)
				goto err1;
			bad_section = 0;
			if (fn(section, NULL, NULL, lineno, ctx))
				goto err1;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			nf_diag_add(diag, name, lineno, "expected 'key = value'");
			continue;
		}
		*eq = '\0';
		key = nf_trim(s);
		if (*key == '\0') {
			nf_diag_add(diag, name, lineno, "expected 'key = value'");
			continue;
		}
		v = eq + 1;
		while (is_space((unsigned char)*v))
			v++;
		if (*v == '"') {
			if (unquote(v, &why)) {
				nf_diag_add(diag, name, lineno, "%s", why);
				continue;
			}
		} else {
			v = eq + 1;
			cut_comment(v);
			v = nf_trim(v);
		}
		if (bad_section)
			continue;
		if (fn(section, key, v, lineno, ctx))
			goto err1;
	}
	rc = 0;
err1:
	free(section);
	free(line);
err0:
	return rc;
}

int
cfg_read_file(const char *path, size_t max, int optional, struct buf *out,
              struct nf_diag *diag)
{
	char chunk[16384];
	struct stat st;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT && optional)
			return 1;
		nf_diag_add(diag, path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		nf_diag_add(diag, path, 0, "cannot read: %s", strerror(EISDIR));
		goto err;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			nf_diag_add(diag, path, 0, "file too big (over %zu bytes)", max);
			goto err;
		}
		if (buf_append(out, chunk, n)) {
			nf_diag_add(diag, path, 0, "out of memory");
			goto err;
		}
	}
	if (ferror(f)) {
		nf_diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		goto err;
	}
	fclose(f);
	return 0;
err:
	fclose(f);
	return -1;
}

int
cfg_feed_url_ok(const char *url)
{
	static const char *const schemes[] = {"http://", "https://", "file://"};
	const char *p;
	size_t i, n;

	if (url == NULL)
		return 0;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	for (i = 0; i < NF_ARRAY_LEN(schemes); i++) {
		n = strlen(schemes[i]);
		if (nf_strncasecmp_ascii(url, schemes[i], n) == 0)
			return url[n] != '\0' && (i == 2 || url[n] != '/');
	}
	return 0;
}

char *
cfg_duration_str(int64_t secs, char out[32])
{
	if (secs != 0 && secs % 86400 == 0)
		snprintf(out, 32, "%lldd", (long long)(secs / 86400));
	else if (secs != 0 && secs % 3600 == 0)
		snprintf(out, 32, "%lldh", (long long)(secs / 3600));
	else if (secs != 0 && secs % 60 == 0)
		snprintf(out, 32, "%lldm", (long long)(secs / 60));
	else
		snprintf(out, 32, "%llds", (long long)secs);
	return out;
}

char *
cfg_clean_text(char *s)
{
	char *r = s, *w = s;
	int space = 0;

	for (; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = (char)c;
	}
	*w = '\0';
	return s;
}
