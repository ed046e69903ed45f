/* worker: ingest_feed() on a thread of its own (see worker.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/worker.h"
#include "base/banned.h"

struct job {
	struct job *next;
	struct feed_sub sub;
	struct fetch_res res;
	char *body, *strs[7];
	struct ingest_stats stats;
	struct nf_err err;
	void *user;
	int rc;
	int done;
};

struct ingest_worker {
	struct store *store;
	struct ingest_opts opts;
	struct ingest_cache *cache; /* owned: kept from feed to feed */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t idle; /* a job was done, or room was made */
	struct job *head, *tail; /* pushed, in order; done ones until collected */
	struct job *todo;        /* the first job not yet started */
	size_t queued_bytes, max_queued, pending;
	int stop;
};

static void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	free(j->sub.url);
	free(j->sub.title);
	free(j->body);
	for (i = 0; i < NF_ARRAY_LEN(j->strs); i++)
		free(j->strs[i]);
	free(j);
}

/* job_new(sub, res, user): a deep copy of what ingest_feed() reads. */
static struct job *
job_new(const struct feed_sub *sub, const struct fetch_res *res, void *user)
{
	struct job *j = calloc(1, sizeof(*j));
	const char *src[7];
	const char **dst[7];
	size_t i;

	if (j == NULL)
		return NULL;
	j->user = user;
	j->sub.url = nf_strdup(sub->url);
	j->sub.title = sub->title ? nf_strdup(sub->title) : NULL;
	j->sub.interval = sub->interval;
	j->sub.cluster = sub->cluster;
	j->sub.is_opml = sub->is_opml;
	j->res = *res;
	if (j->sub.url == NULL || (sub->title && j->sub.title == NULL))
		goto fail;
	if (res->body) {
		if ((j->body = malloc(res->len + 1)) == NULL)
			goto fail;
		memcpy(j->body, res->body, res->len);
		j->body[res->len] = '\0';
		j->res.body = j->body;
	}
	src[0] = res->etag;          dst[0] = &j->res.etag;
	src[1] = res->last_modified; dst[1] = &j->res.last_modified;
	src[2] = res->content_type;  dst[2] = &j->res.content_type;
	src[3] = res->effective_url; dst[3] = &j->res.effective_url;
	src[4] = res->moved_to;      dst[4] = &j->res.moved_to;
	src[5] = res->error;         dst[5] = &j->res.error;
	src[6] = res->content_location; dst[6] = &j->res.content_location;
	for (i = 0; i < 7; i++) {
		if (src[i] && (j->strs[i] = nf_strdup(src[i])) == NULL)
			goto fail;
		*dst[i] = j->strs[i];
	}
	return j;
fail:
	job_free(j);
	return NULL;
}

static void *
worker_main(void *arg)
{
	struct ingest_worker *w = arg;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->todo == NULL) /* stopping, and nothing left to store */
			break;
		j = w->todo;
		w->todo = j->next;
		pthread_mutex_unlock(&w->lock);
		j->rc = ingest_feed(w->store, &w->opts, &j->sub, &j->res, &j->stats, &j->err);
		pthread_mutex_lock(&w->lock);
		j->done = 1;
		w->queued_bytes -= j->res.len;
		free(j->body); /* the body is not needed any more */
		j->body = NULL;
		j->res.body = NULL;
		pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct ingest_worker *
ingest_worker_new(struct store *s, const struct ingest_opts *opts, size_t max_queued,
                  struct nf_err *err)
{
	struct ingest_worker *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		nf_err_set(err, "out of memory");
		return NULL;
	}
	w->store = s;
	w->opts = *opts;
	if (w->opts.cache == NULL) {
		if ((w->cache = ingest_cache_new()) == NULL) {
			nf_err_set(err, "out of memory");
			free(w);
			return NULL;
		}
		w->opts.cache = w->cache;
	}
	w->max_queued = max_queued ? max_queued : 64u << 20;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->idle, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w)) {
		nf_err_set(err, "cannot start the storing thread");
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->idle);
		pthread_mutex_destroy(&w->lock);
		ingest_cache_free(w->cache);
		free(w);
		return NULL;
	}
	return w;
}

int
ingest_worker_push(struct ingest_worker *w, const struct feed_sub *sub,
                   const struct fetch_res *res, void *user)
{
	struct job *j = job_new(sub, res, user);

	if (j == NULL)
		return -1;
	pthread_mutex_lock(&w->lock);
	/* wait for room, but always take a job when nothing is queued */
	while (w->queued_bytes > 0 && w->queued_bytes + res->len > w->max_queued)
		pthread_cond_wait(&w->idle, &w->lock);
	w->queued_bytes += res->len;
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	if (w->todo == NULL)
		w->todo = j;
	w->pending++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t
ingest_worker_pending(struct ingest_worker *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->pending;
	pthread_mutex_unlock(&w->lock);
	return n;
}

size_t
ingest_worker_collect(struct ingest_worker *w, int wait, ingest_outcome_fn *fn, void *ctx)
{
	struct ingest_outcome o;
	struct job *j;
	size_t n = 0;

	pthread_mutex_lock(&w->lock);
	if (wait)
		while (w->todo != NULL || (w->tail && !w->tail->done))
			pthread_cond_wait(&w->idle, &w->lock);
	while ((j = w->head) != NULL && j->done) {
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->pending--;
		pthread_mutex_unlock(&w->lock);
		o.sub = &j->sub;
		o.res = &j->res;
		o.stats = &j->stats;
		o.rc = j->rc;
		o.error = j->rc ? j->err.msg : NULL;
		o.user = j->user;
		fn(&o, ctx);
		job_free(j);
		n++;
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
ingest_worker_free(struct ingest_worker *w, int abandon)
{
	struct job *j, *next;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	if (abandon)
		w->todo = NULL;
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	for (j = w->head; j; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->lock);
	ingest_cache_free(w->cache);
	free(w);
}
