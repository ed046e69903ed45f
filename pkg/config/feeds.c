/* Subscriptions: the feed list, feeds.d/ and its *.conf drop-ins. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "config/config.h"
#include "config/ini.h"
#include "base/banned.h"

/* A feeds.d drop-in may list thousands of feeds, but not gigabytes. */
#define FEEDS_FILE_MAX (64u << 20)
/* Intervals a feed may ask for. */
#define INTERVAL_MIN 60
#define INTERVAL_MAX (30 * 86400)

/* ---- URL identity ------------------------------------------------------ */

/*
 * url_split(u, auth, rest): ${auth} is the length of "scheme://host" (0 when
 * there is no "://"), ${rest} what follows, an empty path "/" skipped.
 */
static void
url_split(const char *u, size_t *auth, const char **rest)
{
	const char *s = strstr(u, "://"), *e;

	if (s == NULL) {
		*auth = 0;
		*rest = u;
		return;
	}
	e = s + 3 + strcspn(s + 3, "/?#");
	*auth = (size_t)(e - u);
	if (e[0] == '/' && (e[1] == '\0' || e[1] == '?' || e[1] == '#'))
		e++;
	*rest = e;
}

static int
url_same(const char *a, const char *b)
{
	const char *ra, *rb;
	size_t na, nb;

	if (strcmp(a, b) == 0)
		return 1;
	url_split(a, &na, &ra);
	url_split(b, &nb, &rb);
	return na == nb && nf_strncasecmp_ascii(a, b, na) == 0 && strcmp(ra, rb) == 0;
}

static uint64_t
url_hash(const char *u)
{
	uint64_t h = 14695981039346656037ULL;
	const char *rest;
	size_t n, i;

	url_split(u, &n, &rest);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 1099511628211ULL;
	}
	for (; *rest; rest++)
		h = (h ^ (unsigned char)*rest) * 1099511628211ULL;
	return h;
}

/* ---- the list ---------------------------------------------------------- */

void
cfg_sub_release(struct feed_sub *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->url);
	free(s->title);
	free(s->file);
	free(s->via);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	memset(s, 0, sizeof(*s));
}

static int
sub_copy(struct feed_sub *d, const struct feed_sub *s)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->interval = s->interval;
	d->cluster = s->cluster;
	d->is_opml = s->is_opml;
	d->line = s->line;
	if ((d->url = nf_strdup(s->url)) == NULL)
		goto err;
	if (s->title && (d->title = nf_strdup(s->title)) == NULL)
		goto err;
	if (s->file && (d->file = nf_strdup(s->file)) == NULL)
		goto err;
	if (s->via && (d->via = nf_strdup(s->via)) == NULL)
		goto err;
	if (s->ntags) {
		if ((d->tags = calloc(s->ntags, sizeof(*d->tags))) == NULL)
			goto err;
		for (i = 0; i < s->ntags; i++, d->ntags++)
			if ((d->tags[i] = nf_strdup(s->tags[i])) == NULL)
				goto err;
	}
	return 0;
err:
	cfg_sub_release(d);
	return -1;
}

void
feed_list_init(struct feed_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
feed_list_release(struct feed_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		cfg_sub_release(&l->v[i]);
	free(l->v);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

/* index_slot(l, url): the slot holding ${url}, or the empty one where it
 * would go.  The index must be current and not full. */
static size_t *
index_slot(const struct feed_list *l, const char *url)
{
	size_t mask = l->nslot - 1, i = (size_t)url_hash(url) & mask;

	while (l->slot[i] && !url_same(l->v[l->slot[i] - 1].url, url))
		i = (i + 1) & mask;
	return &l->slot[i];
}

static int
index_current(const struct feed_list *l)
{
	return l->nslot && l->nindexed == l->n && l->n * 2 < l->nslot;
}

/* index_rebuild(l, want): a fresh index for at least ${want} entries. */
static int
index_rebuild(struct feed_list *l, size_t want)
{
	size_t n = 16, i;
	size_t *s;

	while (n < want * 2 + 2)
		n *= 2;
	if ((s = calloc(n, sizeof(*s))) == NULL) {
		free(l->slot);
		l->slot = NULL;
		l->nslot = 0;
		return -1;
	}
	free(l->slot);
	l->slot = s;
	l->nslot = n;
	for (i = 0; i < l->n; i++) {
		size_t *p = index_slot(l, l->v[i].url);
		if (*p == 0)
			*p = i + 1;
	}
	l->nindexed = l->n;
	return 0;
}

struct feed_sub *
feed_list_find(const struct feed_list *l, const char *url)
{
	size_t i, *p;

	if (l == NULL || url == NULL || l->n == 0)
		return NULL;
	if (index_current(l)) {
		p = index_slot(l, url);
		return *p ? &l->v[*p - 1] : NULL;
	}
	for (i = 0; i < l->n; i++)
		if (url_same(l->v[i].url, url))
			return &l->v[i];
	return NULL;
}

int
feed_list_add(struct feed_list *l, const struct feed_sub *sub)
{
	struct feed_sub *v;
	size_t n;

	if (sub == NULL || sub->url == NULL)
		return -1;
	if (feed_list_find(l, sub->url))
		return 1;
	if (l->n == l->alloc) {
		n = l->alloc ? l->alloc * 2 : 16;
		if ((v = realloc(l->v, n * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->alloc = n;
	}
	if (sub_copy(&l->v[l->n], sub))
		return -1;
	l->n++;
	if (l->nslot && l->nindexed == l->n - 1 && l->n * 2 < l->nslot) {
		*index_slot(l, sub->url) = l->n;
		l->nindexed = l->n;
	} else {
		index_rebuild(l, l->n); /* on failure, finds scan the list */
	}
	return 0;
}

int
feed_list_remove(struct feed_list *l, const char *url)
{
	struct feed_sub *s = feed_list_find(l, url);
	size_t i;

	if (s == NULL)
		return 1;
	i = (size_t)(s - l->v);
	cfg_sub_release(s);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*s));
	l->n--;
	index_rebuild(l, l->n);
	return 0;
}

int
cfg_sub_add_tag(struct feed_sub *sub, const char *tag, size_t n)
{
	struct buf b;
	char *seg, **v;
	size_t i, j, k;
	int rc = -1;

	buf_init(&b, 0);
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && tag[j] != '/'; j++)
			;
		if ((seg = nf_strndup(tag + i, j - i)) == NULL)
			goto out;
		for (k = 0; seg[k]; k++)
			if (seg[k] == ',')
				seg[k] = ' ';
		cfg_clean_text(seg);
		if (*seg && ((b.len && buf_putc(&b, '/')) || buf_puts(&b, seg))) {
			free(seg);
			goto out;
		}
		free(seg);
	}
	rc = 0;
	if (b.len == 0)
		goto out;
	for (i = 0; i < sub->ntags; i++)
		if (strcmp(sub->tags[i], b.data) == 0)
			goto out;
	rc = -1;
	if ((v = realloc(sub->tags, (sub->ntags + 1) * sizeof(*v))) == NULL)
		goto out;
	sub->tags = v;
	sub->tags[sub->ntags++] = buf_detach(&b);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* ---- *.conf drop-ins ---------------------------------------------------- */

struct conf_ctx {
	const char *path;
	struct feed_list *list;
	struct nf_diag *diag;
	struct feed_sub cur; /* the section being read; owns its strings */
	int have;            /* cur holds a feed */
	int in_section;      /* a header was seen (good or not) */
};

/* flush(x): add the section read so far to the list (its URL was checked
 * at its header); -1 out of memory. */
static int
flush(struct conf_ctx *x)
{
	int rc = 0;

	if (!x->have)
		return 0;
	x->have = 0;
	if (feed_list_add(x->list, &x->cur) < 0)
		rc = -1;
	x->cur.file = NULL; /* borrowed */
	cfg_sub_release(&x->cur);
	return rc;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < NF_ARRAY_LEN(yes); i++) {
		if (nf_strcasecmp_ascii(v, yes[i]) == 0)
			return *out = 1, 0;
		if (nf_strcasecmp_ascii(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
set_tags(struct feed_sub *s, const char *v)
{
	size_t i;
	const char *p;

	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	s->tags = NULL;
	s->ntags = 0;
	for (;;) {
		p = strchr(v, ',');
		if (cfg_sub_add_tag(s, v, p ? (size_t)(p - v) : strlen(v)))
			return -1;
		if (p == NULL)
			return 0;
		v = p + 1;
	}
}

static int
on_conf(const char *section, const char *key, const char *value, int line, void *ctx)
{
	struct conf_ctx *x = ctx;
	struct feed_sub *s = &x->cur, *old;
	char *t;
	int64_t d;
	int b;

	if (key == NULL) {
		if (flush(x))
			return -1;
		x->in_section = 1;
		if (!cfg_feed_url_ok(section)) {
			nf_diag_add(x->diag, x->path, line, "not a feed URL");
			return 0;
		}
		if ((old = feed_list_find(x->list, section)) != NULL) {
			nf_diag_add(x->diag, x->path, line, "duplicate of %s:%d",
			            old->file ? old->file : "-", old->line);
			return 0; /* its keys are ignored: the first declaration stands */
		}
		if ((s->url = nf_strdup(section)) == NULL)
			return -1;
		s->file = (char *)x->path; /* borrowed: feed_list_add copies it */
		s->line = line;
		s->cluster = 1;
		x->have = 1;
		return 0;
	}
	if (!x->in_section) {
		nf_diag_add(x->diag, x->path, line, "'%s' before any [feed URL] section", key);
		return 0;
	}
	if (!x->have)
		return 0; /* in a section reported at its header */
	if (strcmp(key, "title") == 0) {
		if ((t = nf_strdup(value)) == NULL)
			return -1;
		free(s->title);
		s->title = *cfg_clean_text(t) ? t : NULL;
		if (s->title == NULL)
			free(t);
	} else if (strcmp(key, "interval") == 0) {
		if (nf_duration_parse(value, &d))
			nf_diag_add(x->diag, x->path, line,
			            "interval: expected a duration such as 10m, 2h or 1d, got '%s'",
			            value);
		else if (d < INTERVAL_MIN || d > INTERVAL_MAX)
			nf_diag_add(x->diag, x->path, line,
			            "interval: '%s' is out of range (1m to 30d)", value);
		else
			s->interval = d;
	} else if (strcmp(key, "tags") == 0) {
		if (set_tags(s, value))
			return -1;
	} else if (strcmp(key, "cluster") == 0) {
		if (parse_bool(value, &b))
			nf_diag_add(x->diag, x->path, line, "cluster: expected yes or no, got '%s'",
			            value);
		else
			s->cluster = b;
	} else if (strcmp(key, "type") == 0) {
		if (strcmp(value, "feed") == 0)
			s->is_opml = 0;
		else if (strcmp(value, "opml") == 0)
			s->is_opml = 1;
		else
			nf_diag_add(x->diag, x->path, line, "type: expected feed or opml, got '%s'",
			            value);
	} else {
		nf_diag_add(x->diag, x->path, line, "unknown key '%s'", key);
	}
	return 0;
}

/* conf_load(path, list, diag): 0, -1 unreadable (reported), -2 out of memory. */
static int
conf_load(const char *path, struct feed_list *list, struct nf_diag *diag)
{
	struct conf_ctx x;
	struct buf b;
	int rc = -2;

	memset(&x, 0, sizeof(x));
	x.path = path;
	x.list = list;
	x.diag = diag;
	buf_init(&b, 0);
	if (cfg_read_file(path, FEEDS_FILE_MAX, 0, &b, diag)) {
		rc = -1;
		goto out;
	}
	if (ini_parse(b.data ? b.data : "", b.len, path, on_conf, &x, diag) || flush(&x))
		goto out;
	rc = 0;
out:
	if (rc == -2)
		nf_diag_add(diag, path, 0, "out of memory");
	x.cur.file = NULL; /* borrowed */
	cfg_sub_release(&x.cur);
	buf_release(&b);
	return rc;
}

int
feeds_load_conf(const char *path, struct feed_list *list, struct nf_diag *diag)
{
	return conf_load(path, list, diag) ? -1 : 0;
}

/* ---- feeds.d/ ------------------------------------------------------------ */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * Hidden files are skipped, and so are editor and package manager leftovers
 * ("x.conf~", ".x.conf.swp", "x.conf.bak", "x.conf.dpkg-old"), since they do
 * not end in .conf or .opml.
 */
static int
dropin_filter(const struct dirent *d)
{
	return d->d_name[0] != '.' && d->d_name[0] != '#' &&
	       (ends_with(d->d_name, ".conf") || ends_with(d->d_name, ".opml"));
}

/* Byte order, whatever the locale. */
static int
dropin_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
feeds_load_dir(const char *dir, struct feed_list *list, struct nf_diag *diag)
{
	struct dirent **ents;
	struct stat st;
	struct buf path;
	int n, i, r, rc = 0;

	if ((n = scandir(dir, &ents, dropin_filter, dropin_cmp)) < 0) {
		nf_diag_add(diag, dir, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	buf_init(&path, 0);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", dir, ents[i]->d_name)) {
			nf_diag_add(diag, dir, 0, "out of memory");
			rc = -1;
			continue;
		}
		if (stat(path.data, &st)) {
			nf_diag_add(diag, path.data, 0, "cannot read: %s", strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (ends_with(ents[i]->d_name, ".conf"))
			r = conf_load(path.data, list, diag);
		else
			r = opml_load(path.data, list, diag) == 0 ? 0 : -1;
		if (r == -2)
			rc = -1;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	buf_release(&path);
	return rc;
}

/* ---- writing a section --------------------------------------------------- */

static int
needs_quotes(const char *v)
{
	size_t n = strlen(v), i;

	if (n == 0 || v[0] == '"' || v[0] == ' ' || v[0] == '\t' || v[0] == '#' ||
	    v[0] == ';' || v[n - 1] == ' ' || v[n - 1] == '\t')
		return 1;
	for (i = 1; i < n; i++)
		if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t'))
			return 1;
	return 0;
}

/* put_value(out, key, v): "key = v\n", quoted when the reader needs it;
 * control characters become spaces. */
static int
put_value(struct buf *out, const char *key, const char *v)
{
	struct buf val;
	const char *p;
	int rc = -1;

	buf_init(&val, 0);
	for (p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (buf_putc(&val, c < 0x20 || c == 0x7f ? ' ' : (char)c))
			goto out;
	}
	v = buf_cstr(&val);
	if (buf_printf(out, "%s = ", key))
		goto out;
	if (needs_quotes(v)) {
		if (buf_putc(out, '"'))
			goto out;
		for (p = v; *p; p++)
			if (((*p == '"' || *p == '\\') && buf_putc(out, '\\')) || buf_putc(out, *p))
				goto out;
		if (buf_putc(out, '"'))
			goto out;
	} else if (buf_puts(out, v)) {
		goto out;
	}
	rc = buf_putc(out, '\n');
out:
	buf_release(&val);
	return rc;
}

int
conf_write_sub(const struct feed_sub *sub, struct buf *out)
{
	struct buf tags;
	char d[32];
	size_t i;
	const char *p;
	int rc = -1;

	if (sub == NULL || !cfg_feed_url_ok(sub->url))
		return -1;
	buf_init(&tags, 0);
	for (i = 0; i < sub->ntags; i++) {
		if (i && buf_puts(&tags, ", "))
			goto out;
		for (p = sub->tags[i]; *p; p++)
			if (buf_putc(&tags, *p == ',' ? ' ' : *p))
				goto out;
	}
	if (buf_printf(out, "[%s]\n", sub->url) ||
	    (sub->title && *sub->title && put_value(out, "title", sub->title)) ||
	    (sub->interval > 0 &&
	     buf_printf(out, "interval = %s\n", cfg_duration_str(sub->interval, d))) ||
	    (tags.len && put_value(out, "tags", tags.data)) ||
	    (!sub->cluster && buf_puts(out, "cluster = no\n")) ||
	    (sub->is_opml && buf_puts(out, "type = opml\n")))
		goto out;
	rc = 0;
out:
	buf_release(&tags);
	return rc;
}

/* ---- writing files ------------------------------------------------------- */


/* line_kind(p, e): 0 blank, 1 comment, 2 section header, 3 anything else. */
static int
line_kind(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p == e)
		return 0;
	if (*p == '#' || *p == ';')
		return 1;
	if (*p == '[')
		return 2;
	return 3;
}

/* header_url(p, e, out): the section name of the header line [p, e). */
static int
header_url(const char *p, const char *e, struct buf *out)
{
	const char *q;

	while (p < e && *p != '[')
		p++;
	for (q = p; q < e && *q != ']'; q++)
		;
	if (p == e || q == e)
		return -1;
	for (p++; p < q && (*p == ' ' || *p == '\t'); p++)
		;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	return buf_append(out, p, (size_t)(q - p));
}

int
feeds_conf_remove(const char *path, int line, const char *url, struct nf_err *err)
{
	struct nf_diag d = {0};
	struct buf b, name, out;
	struct stat st;
	const char *p, *e, *end, *start = NULL, *cut = NULL, *keep = NULL;
	int n = 0, rc = -1, k;

	buf_init(&b, 0);
	buf_init(&name, 0);
	buf_init(&out, 0);
	if (stat(path, &st) || cfg_read_file(path, FEEDS_FILE_MAX, 0, &b, &d)) {
		nf_err_set(err, "%s: cannot read: %s", path, d.n ? d.msg[0] : strerror(errno));
		goto out;
	}
	p = b.data ? b.data : "";
	end = p + b.len;
	/* [start, cut): the section, up to its last key; [cut, keep): blank
	 * lines after it, dropped too */
	for (; p < end; p = e < end ? e + 1 : end) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		n++;
		k = line_kind(p, e);
		if (start == NULL) {
			if (n == line) {
				if (k != 2 || header_url(p, e, &name) || !url_same(name.data, url))
					break;
				start = p;
				cut = keep = e < end ? e + 1 : end;
			}
			continue;
		}
		if (k == 2)
			break;
		if (k == 3 || (k == 1 && cut == p))
			cut = keep = e < end ? e + 1 : end; /* a key, or a comment among keys */
		else if (k == 0 && keep == p)
			keep = e < end ? e + 1 : end;
		/* a comment after a blank line belongs to what follows */
	}
	if (start == NULL) {
		nf_err_set(err, "%s:%d: not the section of %s any more (the file changed?)", path,
		           line, url);
		goto out;
	}
	if (buf_append(&out, b.data, (size_t)(start - b.data)) ||
	    buf_append(&out, keep, (size_t)(end - keep))) {
		nf_err_set(err, "%s: out of memory", path);
		goto out;
	}
	rc = nf_write_file_atomic(path, out.data ? out.data : "", out.len, st.st_mode & 07777, err);
out:
	nf_diag_release(&d);
	buf_release(&b);
	buf_release(&name);
	buf_release(&out);
	return rc;
}

/* ---- subscription lists ---------------------------------------------------- */

int
feeds_list_cache_name(const char *url, struct buf *out)
{
	return buf_printf(out, "list-%016llx.opml", (unsigned long long)url_hash(url));
}

int
feeds_follow_list(struct feed_list *l, const struct feed_sub *list, const char *data,
                  size_t len, struct nf_diag *diag)
{
	struct feed_list got;
	struct feed_sub *s;
	size_t i, j;
	int added = 0, r;

	feed_list_init(&got);
	if (opml_parse(data, len, list->url, &got, diag)) {
		feed_list_release(&got);
		return -1;
	}
	for (i = 0; i < got.n; i++) {
		s = &got.v[i];
		if (feed_list_find(l, s->url))
			continue;
		if ((s->via = nf_strdup(list->url)) == NULL)
			goto oom;
		s->cluster = list->cluster;
		for (j = 0; j < list->ntags; j++)
			if (cfg_sub_add_tag(s, list->tags[j], strlen(list->tags[j])))
				goto oom;
		if ((r = feed_list_add(l, s)) < 0)
			goto oom;
		added += r == 0;
	}
	feed_list_release(&got);
	return added;
oom:
	nf_diag_add(diag, list->url, 0, "out of memory");
	feed_list_release(&got);
	return -1;
}

int
feeds_follow_cached(struct feed_list *l, const char *dir, struct nf_diag *diag)
{
	struct nf_diag quiet = {0};
	struct buf path, b;
	struct feed_sub list;
	size_t i, k;
	int rc = 0, r;

	buf_init(&path, 0);
	buf_init(&b, 0);
	for (i = 0; i < l->n && rc == 0; i++) {
		if (!l->v[i].is_opml)
			continue;
		buf_reset(&path);
		buf_reset(&b);
		if (buf_printf(&path, "%s/", dir) || feeds_list_cache_name(l->v[i].url, &path)) {
			rc = -1;
			break;
		}
		r = cfg_read_file(path.data, FEEDS_FILE_MAX, 1, &b, &quiet);
		if (r == 0) {
			/* l->v moves as feeds are added: follow a copy */
			if (sub_copy(&list, &l->v[i])) {
				rc = -1;
				break;
			}
			if (feeds_follow_list(l, &list, b.data ? b.data : "", b.len, &quiet) < 0 &&
			    quiet.n && strstr(quiet.msg[quiet.n - 1], "out of memory"))
				rc = -1;
			cfg_sub_release(&list);
		}
		for (k = 0; k < quiet.n; k++)
			nf_log(NF_LOG_DEBUG, "%s", quiet.msg[k]);
		nf_diag_release(&quiet);
	}
	if (rc)
		nf_diag_add(diag, dir, 0, "out of memory");
	buf_release(&path);
	buf_release(&b);
	return rc;
}
