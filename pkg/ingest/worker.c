/* worker: ingest_feed() on threads of its own, a preparing one and a
 * storing one (see worker.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/worker.h"
#include "ingest/prepare.h"
#include "base/banned.h"

/* jobs prepared (or being prepared) that the writer has not taken yet: the
 * parsed documents held beside the one being stored */
#define PREP_AHEAD 2
/* stored jobs' prepared documents waiting for the preparing thread, which
 * made them, to free them (more are left to the collector) */
#define TO_FREE_MAX 8

struct job {
	struct job *next;
	struct feed_sub sub;
	struct fetch_res res;
	char *body, *strs[7];
	struct ingest_prepared *pf; /* once prepared; freed once stored, by
	                             * the preparer or else when collected */
	struct ingest_stats stats;
	struct nf_err err;
	void *user;
	int prep_rc;       /* ingest_prepare()'s: -1 nothing to store (err) */
	int rc;
	int prepared;
	int done;
};

/*
 * Jobs go fetch loop -> preparing thread (parse, prepare.h) -> storing
 * thread (ingest_store()), one list in push order: each thread takes the
 * jobs in order, the storing one only those prepared, so the outcomes are
 * done in push order too.
 */
struct ingest_worker {
	struct store *store;
	struct ingest_opts opts;
	struct ingest_cache *cache;   /* owned: kept from feed to feed */
	struct ingest_preparer *prep; /* the preparing thread's (own vocabulary) */
	pthread_t preparer, writer;
	pthread_mutex_t lock;
	pthread_cond_t prep_cv;  /* a job was queued, room ahead was made, or stop */
	pthread_cond_t store_cv; /* a job was prepared, or stop */
	pthread_cond_t idle;     /* a job was done, or room was made */
	struct job *head, *tail; /* pushed, in order; done ones until collected */
	struct job *to_prepare;  /* the first job not yet being prepared */
	struct job *to_store;    /* the first job not yet being stored */
	size_t ahead;            /* taken by the preparer, not yet by the writer */
	struct ingest_prepared *to_free[TO_FREE_MAX]; /* owned: stored jobs' */
	size_t nto_free;
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
	ingest_prepared_free(j->pf);
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

/* The preparing thread: parse and prepare each job, in push order, at most
 * PREP_AHEAD ahead of the writer; and free what the writer stored (the
 * memory goes back to the allocator's arena of this thread, and the
 * writer, the busier thread, does not spend its time on it). */
static void *
preparer_main(void *arg)
{
	struct ingest_worker *w = arg;
	struct ingest_prepared *done[TO_FREE_MAX];
	struct job *j;
	size_t i, n;
	int rc;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->nto_free == 0 && !(w->to_prepare && w->ahead < PREP_AHEAD) &&
		       !(w->to_prepare == NULL && w->stop))
			pthread_cond_wait(&w->prep_cv, &w->lock);
		if (w->nto_free) {
			n = w->nto_free;
			memcpy(done, w->to_free, n * sizeof(*done));
			w->nto_free = 0;
			pthread_mutex_unlock(&w->lock);
			for (i = 0; i < n; i++)
				ingest_prepared_free(done[i]);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->to_prepare == NULL) /* stopping, and nothing left to prepare */
			break;
		j = w->to_prepare;
		w->to_prepare = j->next;
		w->ahead++;
		pthread_mutex_unlock(&w->lock);
		/* reads the store: entries already stored are prepared in part */
		rc = ingest_prepare(w->prep, w->store, &j->sub, &j->res, &j->pf, &j->err);
		pthread_mutex_lock(&w->lock);
		j->prep_rc = rc;
		j->prepared = 1;
		free(j->body); /* parsed: the document holds what is needed */
		j->body = NULL;
		j->res.body = NULL;
		pthread_cond_signal(&w->store_cv);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* seconds the writer stays idle before it writes the term statistics its
 * cache holds back (ingest_cache_flush()) */
#define IDLE_FLUSH 2

/* wait_for_work(w, held): wait on store_cv, with w->lock held; with
 * ${held}, for IDLE_FLUSH seconds at most.  1 when that time passed. */
static int
wait_for_work(struct ingest_worker *w, int held)
{
	struct timespec ts;

	if (!held) {
		pthread_cond_wait(&w->store_cv, &w->lock);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += IDLE_FLUSH;
	return pthread_cond_timedwait(&w->store_cv, &w->lock, &ts) == ETIMEDOUT;
}

/* The storing thread: the only writer; each prepared job in push order.
 * Idle, it writes what its cache holds back. */
static void *
writer_main(void *arg)
{
	struct ingest_worker *w = arg;
	struct nf_err err;
	struct job *j;
	int held = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!(w->to_store && w->to_store->prepared) && !(w->to_store == NULL && w->stop)) {
			if (wait_for_work(w, held)) {
				pthread_mutex_unlock(&w->lock);
				if (ingest_cache_flush(w->store, w->opts.cache, &err))
					nf_log(NF_LOG_WARNING, "storing term statistics: %s", err.msg);
				held = 0;
				pthread_mutex_lock(&w->lock);
			}
		}
		if (w->to_store == NULL) /* stopping, and nothing left to store */
			break;
		j = w->to_store;
		w->to_store = j->next;
		w->ahead--;
		pthread_cond_signal(&w->prep_cv);
		pthread_mutex_unlock(&w->lock);
		j->rc = j->prep_rc ? -1
		        : ingest_store(w->store, &w->opts, &j->sub, &j->res, j->pf, &j->stats, &j->err);
		held = ingest_cache_pending(w->opts.cache);
		pthread_mutex_lock(&w->lock);
		if (w->nto_free < TO_FREE_MAX) {
			w->to_free[w->nto_free++] = j->pf;
			j->pf = NULL;
			pthread_cond_signal(&w->prep_cv);
		}
		j->done = 1;
		w->queued_bytes -= j->res.len;
		pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* stop(w): make both threads leave once their queues are empty, and wait
 * for them; ${started}: which of them run (1 writer, 2 both). */
static void
stop(struct ingest_worker *w, int started)
{
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->prep_cv);
	pthread_cond_broadcast(&w->store_cv);
	pthread_mutex_unlock(&w->lock);
	if (started > 1)
		pthread_join(w->preparer, NULL);
	if (started > 0)
		pthread_join(w->writer, NULL);
}

static void
worker_destroy(struct ingest_worker *w)
{
	struct job *j, *next;
	size_t i;

	for (j = w->head; j; j = next) {
		next = j->next;
		job_free(j);
	}
	for (i = 0; i < w->nto_free; i++)
		ingest_prepared_free(w->to_free[i]);
	pthread_cond_destroy(&w->prep_cv);
	pthread_cond_destroy(&w->store_cv);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->lock);
	ingest_preparer_free(w->prep);
	ingest_cache_free(w->cache);
	free(w);
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
	/* storing, not fetching, is what keeps a poll waiting: a deeper queue
	 * of bodies would only hold more memory */
	w->max_queued = max_queued ? max_queued : 16u << 20;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->prep_cv, NULL);
	{
		/* the writer's idle wait is timed on the monotonic clock */
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->store_cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	pthread_cond_init(&w->idle, NULL);
	if (w->opts.cache == NULL) {
		if ((w->cache = ingest_cache_new()) == NULL)
			goto oom;
		w->opts.cache = w->cache;
	}
	if ((w->prep = ingest_preparer_new()) == NULL)
		goto oom;
	if (pthread_create(&w->writer, NULL, writer_main, w)) {
		nf_err_set(err, "cannot start the storing thread");
		worker_destroy(w);
		return NULL;
	}
	if (pthread_create(&w->preparer, NULL, preparer_main, w)) {
		nf_err_set(err, "cannot start the preparing thread");
		stop(w, 1);
		worker_destroy(w);
		return NULL;
	}
	return w;
oom:
	nf_err_set(err, "out of memory");
	worker_destroy(w);
	return NULL;
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
	if (w->to_prepare == NULL)
		w->to_prepare = j;
	if (w->to_store == NULL)
		w->to_store = j;
	w->pending++;
	pthread_cond_signal(&w->prep_cv);
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
	if (wait) /* jobs are done in push order: the last one done, all are */
		while (w->tail && !w->tail->done)
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
	struct nf_err err = {{0}};

	if (w == NULL)
		return;
	if (abandon) {
		/* the job being stored is finished; one being prepared is
		 * dropped once prepared, like every job still queued */
		pthread_mutex_lock(&w->lock);
		w->to_prepare = NULL;
		w->to_store = NULL;
		pthread_mutex_unlock(&w->lock);
	}
	stop(w, 2);
	/* the term statistics the cache holds back, for the articles stored */
	if (w->cache && ingest_cache_flush(w->store, w->cache, &err))
		nf_log(NF_LOG_WARNING, "storing term statistics: %s", err.msg);
	worker_destroy(w);
}
