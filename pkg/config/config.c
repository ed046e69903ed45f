/* newsfold.conf: defaults, keys, values and their ranges. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "config/config.h"
#include "config/ini.h"
#include "base/banned.h"

/* newsfold.conf is a few lines; anything bigger is not one. */
#define CONFIG_FILE_MAX (1u << 20)

enum kind {
	K_STRING,   /* char *, not empty */
	K_DURATION, /* int64_t seconds */
	K_SECONDS,  /* long seconds, written as a duration */
	K_LONG,     /* long */
	K_SIZE,     /* uint64_t bytes */
	K_RATIO,    /* double, 0..1 */
	K_SYNC      /* int: durable 0, batch 1 */
};

struct key {
	const char *section;
	const char *name;
	enum kind kind;
	size_t off;
	int64_t min, max;
};

#define DAY 86400
static const struct key keys[] = {
	{"store", "path", K_STRING, offsetof(struct nf_config, db_path), 0, 0},
	{"store", "feeds", K_STRING, offsetof(struct nf_config, feeds_dir), 0, 0},
	{"store", "keep", K_DURATION, offsetof(struct nf_config, keep), 3600, 36500LL * DAY},
	{"store", "sync", K_SYNC, offsetof(struct nf_config, sync_batch), 0, 0},
	{"poll", "interval", K_DURATION, offsetof(struct nf_config, interval), 1, 30 * DAY},
	{"poll", "concurrency", K_LONG, offsetof(struct nf_config, concurrency), 1, 1024},
	{"poll", "per_host", K_LONG, offsetof(struct nf_config, per_host), 1, 64},
	{"poll", "connect_timeout", K_SECONDS, offsetof(struct nf_config, connect_timeout), 1, 600},
	{"poll", "timeout", K_SECONDS, offsetof(struct nf_config, timeout), 1, 3600},
	{"poll", "max_body", K_SIZE, offsetof(struct nf_config, max_body), 1024, 1LL << 30},
	{"poll", "user_agent", K_STRING, offsetof(struct nf_config, user_agent), 0, 0},
	{"poll", "min_interval", K_DURATION, offsetof(struct nf_config, min_interval), 1, DAY},
	{"poll", "max_interval", K_DURATION, offsetof(struct nf_config, max_interval), 60, 30 * DAY},
	{"poll", "max_backoff", K_DURATION, offsetof(struct nf_config, max_backoff), 60, 30 * DAY},
	{"cluster", "window", K_DURATION, offsetof(struct nf_config, window), 60, 365 * DAY},
	{"cluster", "story_threshold", K_RATIO, offsetof(struct nf_config, story_threshold), 0, 0},
	{"cluster", "copy_threshold", K_RATIO, offsetof(struct nf_config, copy_threshold), 0, 0},
};

void
config_init(struct nf_config *c)
{
	memset(c, 0, sizeof(*c));
	c->keep = 30 * DAY;
	c->sync_batch = 0;
	c->interval = 30 * 60;
	c->concurrency = 32;
	c->per_host = 2;
	c->connect_timeout = 15;
	c->timeout = 60;
	c->max_body = 16u << 20;
	c->min_interval = 60;
	c->max_interval = DAY;
	c->max_backoff = DAY;
	c->window = 72 * 3600;
	c->story_threshold = 0.20;
	c->copy_threshold = 0.50;
}

void
config_release(struct nf_config *c)
{
	if (c == NULL)
		return;
	free(c->db_path);
	free(c->feeds_dir);
	free(c->user_agent);
	c->db_path = c->feeds_dir = c->user_agent = NULL;
}

/* parse_ratio(s, out): "0.3", ".5", "1", "1.0"; locale-independent. */
static int
parse_ratio(const char *s, double *out)
{
	double v = 0, scale = 1;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (v <= 10)
			v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (scale > 1e-12)
				v += (*s - '0') * (scale /= 10);
	if (*s || digits == 0 || v > 1)
		return -1;
	*out = v;
	return 0;
}

/* parse_long(s, out): a decimal whole number, no sign. */
static int
parse_long(const char *s, long *out)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static void
size_str(uint64_t v, char out[32])
{
	if (v >= (1u << 30) && v % (1u << 30) == 0)
		snprintf(out, 32, "%lluG", (unsigned long long)(v >> 30));
	else if (v >= (1u << 20) && v % (1u << 20) == 0)
		snprintf(out, 32, "%lluM", (unsigned long long)(v >> 20));
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(out, 32, "%lluk", (unsigned long long)(v >> 10));
	else
		snprintf(out, 32, "%llu", (unsigned long long)v);
}

struct load_ctx {
	struct nf_config *c;
	const char *path;
	struct nf_diag *diag;
	int section_ok; /* the current section is known */
};

/* set(ctx, k, value, line): store one value; 0, or -1 out of memory. */
static int
set(struct load_ctx *x, const struct key *k, const char *value, int line)
{
	char *field = (char *)x->c + k->off;
	char a[32], b[32], got[32];
	int64_t d;
	uint64_t sz;
	double r;
	long l;
	char *s;

	switch (k->kind) {
	case K_STRING:
		if (*value == '\0') {
			nf_diag_add(x->diag, x->path, line, "%s: empty value", k->name);
			return 0;
		}
		if ((s = nf_strdup(value)) == NULL)
			return -1;
		free(*(char **)field);
		*(char **)field = s;
		return 0;
	case K_DURATION:
	case K_SECONDS:
		if (nf_duration_parse(value, &d)) {
			nf_diag_add(x->diag, x->path, line,
			            "%s: expected a duration such as 90s, 10m, 2h or 7d, got '%s'",
			            k->name, value);
			return 0;
		}
		if (d < k->min || d > k->max) {
			nf_diag_add(x->diag, x->path, line, "%s: %s is out of range (%s to %s)",
			            k->name, cfg_duration_str(d, got), cfg_duration_str(k->min, a),
			            cfg_duration_str(k->max, b));
			return 0;
		}
		if (k->kind == K_DURATION)
			*(int64_t *)field = d;
		else
			*(long *)field = (long)d;
		return 0;
	case K_LONG:
		if (parse_long(value, &l)) {
			nf_diag_add(x->diag, x->path, line, "%s: expected a whole number, got '%s'",
			            k->name, value);
			return 0;
		}
		if (l < k->min || l > k->max) {
			nf_diag_add(x->diag, x->path, line, "%s: %ld is out of range (%lld to %lld)",
			            k->name, l, (long long)k->min, (long long)k->max);
			return 0;
		}
		*(long *)field = l;
		return 0;
	case K_SIZE:
		if (nf_size_parse(value, &sz)) {
			nf_diag_add(x->diag, x->path, line,
			            "%s: expected a size such as 512k, 16M or 1G, got '%s'", k->name,
			            value);
			return 0;
		}
		if (sz < (uint64_t)k->min || sz > (uint64_t)k->max) {
			size_str(sz, got);
			size_str((uint64_t)k->min, a);
			size_str((uint64_t)k->max, b);
			nf_diag_add(x->diag, x->path, line, "%s: %s is out of range (%s to %s)",
			            k->name, got, a, b);
			return 0;
		}
		*(uint64_t *)field = sz;
		return 0;
	case K_RATIO:
		if (parse_ratio(value, &r)) {
			nf_diag_add(x->diag, x->path, line,
			            "%s: expected a number from 0 to 1 such as 0.3, got '%s'", k->name,
			            value);
			return 0;
		}
		*(double *)field = r;
		return 0;
	case K_SYNC:
		if (strcmp(value, "durable") == 0)
			*(int *)field = 0;
		else if (strcmp(value, "batch") == 0)
			*(int *)field = 1;
		else
			nf_diag_add(x->diag, x->path, line, "%s: expected durable or batch, got '%s'",
			            k->name, value);
		return 0;
	}
	return 0;
}

static int
on_line(const char *section, const char *key, const char *value, int line, void *ctx)
{
	struct load_ctx *x = ctx;
	size_t i;

	if (key == NULL) {
		x->section_ok = 0;
		for (i = 0; i < NF_ARRAY_LEN(keys); i++)
			if (strcmp(keys[i].section, section) == 0)
				x->section_ok = 1;
		if (!x->section_ok)
			nf_diag_add(x->diag, x->path, line,
			            "unknown section [%s] (expected [store], [poll] or [cluster])",
			            section);
		return 0;
	}
	if (section != NULL && !x->section_ok)
		return 0; /* reported at its header */
	for (i = 0; i < NF_ARRAY_LEN(keys); i++)
		if ((section == NULL || strcmp(keys[i].section, section) == 0) &&
		    strcmp(keys[i].name, key) == 0)
			return set(x, &keys[i], value, line);
	if (section)
		nf_diag_add(x->diag, x->path, line, "unknown key '%s' in [%s]", key, section);
	else
		nf_diag_add(x->diag, x->path, line, "unknown key '%s'", key);
	return 0;
}

int
config_load(struct nf_config *c, const char *path, int optional, struct nf_diag *diag)
{
	struct load_ctx x = {c, path, diag, 0};
	struct buf b;
	int rc;

	if (path == NULL)
		return 0;
	buf_init(&b, 0);
	rc = cfg_read_file(path, CONFIG_FILE_MAX, optional, &b, diag);
	if (rc == 1)
		rc = 0;
	else if (rc == 0 && ini_parse(b.data ? b.data : "", b.len, path, on_line, &x, diag)) {
		nf_diag_add(diag, path, 0, "out of memory");
		rc = -1;
	}
	buf_release(&b);
	return rc;
}
