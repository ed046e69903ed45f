/*
 * parse: parse feeds (files or URLs) and print their items; nothing stored.
 * Files are read one at a time, just before they are parsed, into one
 * buffer that is reused (large ones are mapped instead); with --json each
 * entry is written as soon as the parser hands it on (feed_parse_stream()),
 * so memory stays small whatever the size of the feed.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "fetch/fetch.h"
#include "base/banned.h"

#define PARSE_FILE_MAX (256u << 20)
/* from this size on a file is mapped: reading it into a buffer of its own
 * costs more, in page faults, than the mapping */
#define PARSE_MAP_MIN (1u << 20)

struct input {
	const char *source;
	struct buf body;
	void *map;   /* a mapped file, instead of body */
	size_t map_len;
	const char *data; /* a file read into the shared buffer, instead of body */
	size_t len;
	char *content_type;
	char *content_location;
	char *url;   /* the document URL, for relative links */
	char *error; /* could not be read */
};

static int
is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* The buffer regular files are read into, one after the other. */
struct rbuf {
	char *data;
	size_t alloc;
};

/* read_all(fd, p, n): up to ${n} bytes into ${p}; how many, or -1. */
static ssize_t
read_all(int fd, char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = read(fd, p + got, n - got)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* load_file(in, rb): a regular file read into ${rb} (mapped when large);
 * 0, or -1 when it is not one (then it is read as a stream). */
static int
load_file(struct input *in, struct rbuf *rb)
{
	struct stat st;
	ssize_t got;
	size_t size;
	void *m;
	int fd;

	if ((fd = open(in->source, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > PARSE_FILE_MAX) {
		char msg[64];

		snprintf(msg, sizeof(msg), "larger than %u bytes", PARSE_FILE_MAX);
		in->error = nf_strdup(msg);
		close(fd);
		return 0;
	}
	size = (size_t)st.st_size;
	if (size < PARSE_MAP_MIN) {
		if (size > rb->alloc) {
			if ((m = realloc(rb->data, size)) == NULL) {
				close(fd);
				return -1;
			}
			rb->data = m;
			rb->alloc = size;
		}
		got = read_all(fd, rb->data, size);
		if (got < 0)
			in->error = nf_strdup(strerror(errno));
		close(fd);
		in->data = rb->data;
		in->len = got < 0 ? 0 : (size_t)got;
		return 0;
	}
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	(void)madvise(m, size, MADV_SEQUENTIAL);
	in->map = m;
	in->map_len = size;
	in->data = m;
	in->len = size;
	return 0;
}

/* input_release(in): what ${in} holds (its mapping, body and strings). */
static void
input_release(struct input *in)
{
	if (in->map)
		munmap(in->map, in->map_len);
	buf_release(&in->body);
	free(in->content_type);
	free(in->content_location);
	free(in->url);
	free(in->error);
}

static void
read_file(struct input *in, struct rbuf *rb)
{
	FILE *f;
	char chunk[65536];
	size_t n;
	struct buf e;

	if (strcmp(in->source, "-") != 0 && load_file(in, rb) == 0)
		return;
	f = strcmp(in->source, "-") == 0 ? stdin : fopen(in->source, "rb");
	buf_init(&e, 0);
	if (f == NULL) {
		buf_printf(&e, "%s", strerror(errno));
		in->error = buf_detach(&e);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&in->body, chunk, n)) {
			buf_printf(&e, in->body.over ? "larger than %u bytes" : "out of memory",
			           PARSE_FILE_MAX);
			break;
		}
	if (ferror(f) && e.len == 0)
		buf_printf(&e, "%s", strerror(errno));
	if (f != stdin)
		fclose(f);
	if (e.len)
		in->error = buf_detach(&e);
	buf_release(&e);
}

static void
fetched(const struct fetch_req *req, const struct fetch_res *res, void *ctx)
{
	struct input *in = req->user;

	if (res->status != FETCH_OK) {
		in->error = nf_strdup(res->error ? res->error : "not fetched");
		return;
	}
	if (buf_append(&in->body, res->body, res->len))
		in->error = nf_strdup("out of memory");
	in->content_type = nf_strdup(res->content_type);
	in->content_location = nf_strdup(res->content_location);
	in->url = nf_strdup(res->effective_url);
}

static void
print_text(const struct input *in, const struct feed_doc *d)
{
	char when[32];
	size_t i;

	printf("%s: %s, %s%s%s, %zu entries\n", in->source, d->format ? d->format : "not a feed",
	       d->encoding ? d->encoding : "?", d->wellformed ? "" : ", not well-formed: ",
	       d->wellformed ? "" : d->error ? d->error : "?", d->nentries);
	if (d->format == NULL && d->error && d->wellformed)
		printf("  %s\n", d->error);
	if (d->feed.title)
		printf("  %s\n", d->feed.title);
	for (i = 0; i < d->nentries; i++) {
		const struct feed_entry *e = &d->entries[i];
		int64_t t = e->published != NF_TIME_NONE ? e->published : e->updated;
		printf("  %s  %s\n", t != NF_TIME_NONE ? nf_time_rfc3339(t, when) : "-                   ",
		       e->title ? e->title : "(untitled)");
		if (e->link)
			printf("  %20s  %s\n", "", e->link);
	}
}

/*
 * One JSON line written as the entries come: {"source", "entries": [...],
 * then the other keys of feed_doc_to_json()}; key order aside, the object
 * feed_doc_to_json() would make.
 */
struct jline {
	const char *source;
	struct buf out; /* entries not yet written */
	size_t n;    /* entries written */
	int open;    /* the head is written */
	int failed;  /* out of memory or output error */
};

#define JLINE_FLUSH (64u << 10)

static int
flush_out(struct jline *j)
{
	if (j->out.len > 0 && fwrite(j->out.data, 1, j->out.len, stdout) != j->out.len)
		j->failed = 1;
	buf_reset(&j->out);
	return j->failed ? -1 : 0;
}

static int
put_head(struct jline *j)
{
	json_t *v = json_string(j->source);
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	if (s == NULL)
		return -1;
	printf("{\"source\":%s,\"entries\":[", s);
	free(s);
	j->open = 1;
	return 0;
}

static int
on_entry(void *ctx, const struct feed_doc *d, struct feed_entry *e)
{
	struct jline *j = ctx;
	int r;

	(void)d;
	if (!j->open && put_head(j))
		r = -1;
	else
		r = (j->n++ > 0 && buf_putc(&j->out, ',')) || feed_entry_json(&j->out, e);
	feed_entry_release(e);
	if (r != 0) {
		j->failed = 1;
		return -1;
	}
	return j->out.len >= JLINE_FLUSH ? flush_out(j) : 0;
}

/* put_tail(j, d, error): close the entries and write the other keys. */
static int
put_tail(struct jline *j, const struct feed_doc *d, const char *error)
{
	json_t *o;
	char *s;

	if (!j->open && d == NULL)
		return cmd_print_json(feed_doc_to_json(NULL, j->source, error));
	if ((o = feed_doc_to_json(d, j->source, error)) == NULL)
		goto nomem;
	if (flush_out(j)) {
		json_decref(o);
		nf_error("writing the output failed");
		return -1;
	}
	json_object_del(o, "source");
	json_object_del(o, "entries");
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL || (!j->open && put_head(j))) {
		free(s);
		goto nomem;
	}
	printf("]%s%s\n", s[1] != '}' ? "," : "", s + 1);
	free(s);
	return 0;
nomem:
	nf_error("out of memory");
	return -1;
}

int
cmd_parse(int argc, char **argv, struct cmd_ctx *c)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct input *in;
	struct fetch_req *reqs;
	struct fetch_opts fo;
	struct nf_err err = {{0}};
	struct rbuf rb = {0};
	struct buf out;
	size_t n, i, nreq = 0;
	int ch, json = 0, rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j')
			return cmd_usage_error("parse", "unknown option");
		json = 1;
	}
	if (optind >= argc)
		return cmd_usage_error("parse", "name at least one FILE or URL");
#ifdef __GLIBC__
	/* each document allocates and frees the same few megabytes: keep them
	 * mapped rather than give them back and fault them in again */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
	n = (size_t)(argc - optind);
	in = calloc(n, sizeof(*in));
	reqs = calloc(n, sizeof(*reqs));
	if (in == NULL || reqs == NULL) {
		free(in);
		free(reqs);
		nf_error("out of memory");
		return EXIT_FAIL;
	}
	fetch_opts_init(&fo);
	fo.max_total = c->cfg.concurrency;
	fo.max_per_host = c->cfg.per_host;
	fo.connect_timeout = c->cfg.connect_timeout;
	fo.timeout = c->cfg.timeout;
	fo.max_body = (size_t)c->cfg.max_body;
	fo.user_agent = c->cfg.user_agent;
	for (i = 0; i < n; i++) {
		in[i].source = argv[optind + (int)i];
		buf_init(&in[i].body, is_url(in[i].source) ? fo.max_body : PARSE_FILE_MAX);
		if (is_url(in[i].source)) {
			reqs[nreq].url = in[i].source;
			reqs[nreq].user = &in[i];
			nreq++;
		}
	}
	if (nreq && fetch_run(&fo, reqs, nreq, fetched, NULL, NULL, &err)) {
		nf_error("fetching: %s", err.msg);
		rc = EXIT_FAIL;
	}
	buf_init(&out, 0);
	for (i = 0; i < n; i++) {
		struct feed_parse_opts po = {0};
		struct feed_doc *d = NULL;
		struct jline j = {0};
		const char *data;
		size_t len;

		if (!is_url(in[i].source))
			read_file(&in[i], &rb);
		data = in[i].data ? in[i].data : buf_cstr(&in[i].body);
		len = in[i].data ? in[i].len : in[i].body.len;
		po.url = in[i].url ? in[i].url : is_url(in[i].source) ? in[i].source : NULL;
		po.content_type = in[i].content_type;
		po.content_location = in[i].content_location;
		j.source = in[i].source;
		j.out = out;
		buf_reset(&j.out);
		if (in[i].error == NULL) {
			d = json ? feed_parse_stream(data, len, &po, on_entry, &j, &err) :
			    feed_parse(data, len, &po, &err);
			if (d == NULL)
				in[i].error = nf_strdup(j.failed ? "writing the output failed" :
				    err.msg);
		}
		if (json) {
			if (put_tail(&j, d, in[i].error))
				rc = EXIT_FAIL;
		} else if (d) {
			print_text(&in[i], d);
		}
		if (in[i].error) {
			nf_error("%s: %s", in[i].source, in[i].error);
			rc = EXIT_FAIL;
		}
		feed_doc_free(d);
		out = j.out; /* its storage, for the next */
		input_release(&in[i]);
		if (ferror(stdout)) {
			nf_error("writing the output failed");
			rc = EXIT_FAIL;
			i++;
			break;
		}
	}
	for (; i < n; i++) {
		input_release(&in[i]);
	}
	buf_release(&out);
	free(rb.data);
	free(in);
	free(reqs);
	return rc;
}
