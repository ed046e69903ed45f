/* prepare: the half of ingest_feed() that needs no write transaction
 * (see prepare.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/prepare.h"
#include "normalise/normalise.h"
#include "base/banned.h"

#define SUMMARY_MAX 400     /* bytes of text kept per article */
#define TEXT_MAX (4u << 20) /* bytes of text normalised per field */

void
prep_init(struct ingest_preparer *p, struct cluster_vocab *vocab)
{
	p->vocab = vocab;
	p->own_vocab = 0;
	buf_init(&p->title, TEXT_MAX);
	buf_init(&p->body, TEXT_MAX);
	buf_init(&p->fold, TEXT_MAX * 2);
	buf_init(&p->canon, 8192);
	buf_init(&p->outlet, 1024);
	norm_tokens_init(&p->ttok);
	norm_tokens_init(&p->btok);
}

void
prep_release(struct ingest_preparer *p)
{
	buf_release(&p->title);
	buf_release(&p->body);
	buf_release(&p->fold);
	buf_release(&p->canon);
	buf_release(&p->outlet);
	norm_tokens_release(&p->ttok);
	norm_tokens_release(&p->btok);
	if (p->own_vocab)
		cluster_vocab_free(p->vocab);
	p->vocab = NULL;
}

struct ingest_preparer *
ingest_preparer_new(void)
{
	struct ingest_preparer *p = calloc(1, sizeof(*p));
	struct cluster_vocab *v;

	if (p == NULL)
		return NULL;
	if ((v = cluster_vocab_new()) == NULL) {
		free(p);
		return NULL;
	}
	prep_init(p, v);
	p->own_vocab = 1;
	return p;
}

void
ingest_preparer_free(struct ingest_preparer *p)
{
	if (p == NULL)
		return;
	prep_release(p);
	free(p);
}

/* text_of(s, out): the plain text of a feed value, whatever its declared
 * type: feeds put markup in values typed text too, so all are parsed as
 * HTML (plain text takes norm_html_to_text's fast path). */
static int
text_of(const char *s, struct buf *out)
{
	buf_reset(out);
	if (s == NULL)
		return 0;
	if (norm_html_to_text(s, strlen(s), out) == 0)
		return 0;
	/* over the cap: keep what fitted */
	return out->over ? 0 : -1;
}

static int
tokens_of(struct ingest_preparer *p, const struct buf *text, struct norm_tokens *tk)
{
	norm_tokens_release(tk);
	norm_tokens_init(tk);
	buf_reset(&p->fold);
	if (text->len == 0)
		return 0;
	if (norm_fold(text->data, text->len, &p->fold) && !p->fold.over)
		return -1;
	return norm_tokenise(buf_cstr(&p->fold), p->fold.len, tk);
}

/* utf8_cut(s, max): the length of the longest prefix of ${s} of at most
 * ${max} bytes that does not split a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void
prep_entry_release(struct prep_entry *pe)
{
	free(pe->title);
	free(pe->canon);
	cluster_terms_release(&pe->raw);
	cluster_terms_release(&pe->title_raw);
	free(pe->sig);
	free(pe->outlet);
	free(pe->summary);
	memset(pe, 0, sizeof(*pe));
}

int
prep_keys(struct ingest_preparer *p, const struct feed_sub *sub, const char *doc_url,
          const struct feed_entry *e, struct prep_entry *pe)
{
	const char *body_src = NULL;
	char pub[24];

	prep_entry_release(pe);
	/* text */
	if (text_of(e->title, &p->title))
		return -1;
	if (e->ncontent && e->content[0].value)
		body_src = e->content[0].value;
	if (e->summary && (body_src == NULL || strlen(e->summary) > strlen(body_src)))
		body_src = e->summary;
	if (text_of(body_src, &p->body))
		return -1;
	buf_reset(&p->canon);
	if (e->link && norm_canon_url(e->link, doc_url, &p->canon))
		buf_reset(&p->canon);
	if (p->title.len == 0 && p->body.len) {
		/* an untitled item: its first words stand for a title */
		size_t n = utf8_cut(p->body.data, p->body.len, 80);
		buf_append(&p->title, p->body.data, n);
	}

	/* identity: guid, canonical URL, title + date */
	if (e->id && *e->id)
		store_key('g', sub->url, strlen(sub->url), e->id, strlen(e->id),
		          pe->keys[pe->nkeys++]);
	if (p->canon.len)
		store_key('u', p->canon.data, p->canon.len, NULL, 0, pe->keys[pe->nkeys++]);
	if (pe->nkeys == 0 && p->title.len) {
		/* only an item with neither guid nor link is known by title and date */
		snprintf(pub, sizeof(pub), "%lld", (long long)e->published);
		store_key('t', p->title.data, p->title.len, pub, strlen(pub), pe->keys[pe->nkeys++]);
	}
	if ((p->title.len && (pe->title = nf_strndup(p->title.data, p->title.len)) == NULL) ||
	    (p->canon.len && (pe->canon = nf_strndup(p->canon.data, p->canon.len)) == NULL)) {
		prep_entry_release(pe);
		return -1;
	}
	pe->title_len = p->title.len;
	pe->canon_len = p->canon.len;
	pe->state = PREP_KEYS;
	return 0;
}

int
prep_full(struct ingest_preparer *p, const struct feed_sub *sub, struct prep_entry *pe)
{
	struct cluster_names names = {0};
	uint32_t sig[STORE_SIG_FULL + STORE_SIG_LEAD + STORE_SIG_FULL];
	struct nf_term *v;
	size_t nall;
	int nsig;

	if (tokens_of(p, &p->title, &p->ttok) || tokens_of(p, &p->body, &p->btok))
		goto err;
	if (cluster_names_scan(p->body.data ? p->body.data : "", p->body.len, &names) ||
	    cluster_terms_build_with_title(&p->ttok, &p->btok, &names, p->vocab, &pe->raw,
	                                   &pe->title_raw))
		goto err;
	/* the counts are kept: room for no more than them */
	if (pe->raw.n && pe->raw.n < pe->raw.alloc &&
	    (v = realloc(pe->raw.v, pe->raw.n * sizeof(*v))) != NULL) {
		pe->raw.v = v;
		pe->raw.alloc = pe->raw.n;
	}
	if (pe->title_raw.n && pe->title_raw.n < pe->title_raw.alloc &&
	    (v = realloc(pe->title_raw.v, pe->title_raw.n * sizeof(*v))) != NULL) {
		pe->title_raw.v = v;
		pe->title_raw.alloc = pe->title_raw.n;
	}
	if ((nsig = cluster_fingerprint(p->btok.tok, p->btok.len, p->btok.n, sig,
	                                &pe->simhash, &pe->sig_flags,
	                                sig + STORE_SIG_FULL + STORE_SIG_LEAD)) < 0)
		goto err;
	if (nsig > 0) {
		nall = (size_t)nsig + (pe->sig_flags & STORE_SIG_WHOLE ? 0 : STORE_SIG_FULL);
		if ((pe->sig = malloc(nall * sizeof(*sig))) == NULL)
			goto err;
		memcpy(pe->sig, sig, nall * sizeof(*sig));
		if (nall > (size_t)nsig)
			pe->lead_probe = pe->sig + nsig;
	}
	pe->nsig = (uint32_t)nsig;
	buf_reset(&p->outlet);
	if (p->canon.len == 0 || norm_outlet(p->canon.data, &p->outlet) || p->outlet.len == 0) {
		buf_reset(&p->outlet);
		if (norm_outlet(sub->url, &p->outlet) || p->outlet.len == 0) {
			buf_reset(&p->outlet);
			buf_puts(&p->outlet, sub->title ? sub->title : sub->url);
		}
	}
	if ((pe->outlet = nf_strdup(buf_cstr(&p->outlet))) == NULL)
		goto err;
	if (p->body.len &&
	    (pe->summary = nf_strndup(p->body.data,
	                              utf8_cut(p->body.data, p->body.len, SUMMARY_MAX))) == NULL)
		goto err;
	cluster_names_release(&names);
	pe->state = PREP_FULL;
	return 0;
err:
	cluster_names_release(&names);
	cluster_terms_release(&pe->raw);
	cluster_terms_release(&pe->title_raw);
	free(pe->sig);
	free(pe->outlet);
	free(pe->summary);
	pe->sig = pe->lead_probe = NULL;
	pe->outlet = pe->summary = NULL;
	pe->nsig = 0;
	pe->sig_flags = 0;
	pe->simhash = 0;
	return -1;
}

/* prep_bytes(pe): about what ${pe} holds. */
static size_t
prep_bytes(const struct prep_entry *pe)
{
	size_t n = sizeof(*pe) + pe->title_len + pe->canon_len + pe->raw.alloc * sizeof(*pe->raw.v) +
	           pe->title_raw.alloc * sizeof(*pe->title_raw.v) +
	           (pe->nsig + (pe->lead_probe ? STORE_SIG_FULL : 0)) * sizeof(*pe->sig);

	if (pe->outlet)
		n += strlen(pe->outlet);
	if (pe->summary)
		n += strlen(pe->summary);
	return n;
}

/* stored(t, pe): 1 when one of ${pe}'s keys is in the store (read through
 * ${t}, may be NULL: nothing known), else 0; an error counts as unknown. */
static int
stored(struct store_txn *t, const struct prep_entry *pe)
{
	uint64_t id;
	int i;

	if (t == NULL)
		return 0;
	for (i = 0; i < pe->nkeys; i++)
		if (store_key_get(t, pe->keys[i], &id) == 0)
			return 1;
	return 0;
}

int
ingest_prepare(struct ingest_preparer *p, struct store *s, const struct feed_sub *sub,
               const struct fetch_res *res, struct ingest_prepared **out, struct nf_err *err)
{
	struct ingest_prepared *pf;
	struct feed_parse_opts po = {0};
	struct store_txn *t;
	const char *doc_url = res->effective_url ? res->effective_url : sub->url;
	size_t i, held;

	*out = NULL;
	if ((pf = calloc(1, sizeof(*pf))) == NULL) {
		nf_err_set(err, "out of memory");
		return -1;
	}
	if (res->status == FETCH_OK) {
		po.url = doc_url;
		po.content_type = res->content_type;
		po.content_location = res->content_location;
		pf->doc = feed_parse(res->body ? res->body : "", res->len, &po, err);
		if (pf->doc == NULL) {
			nf_err_prefix(err, "parsing");
			free(pf);
			return -1;
		}
		if (pf->doc->format == NULL) {
			snprintf(pf->derr, sizeof(pf->derr), "%s",
			         pf->doc->error ? pf->doc->error : "not a feed");
			pf->doc_error = pf->derr;
			feed_doc_free(pf->doc);
			pf->doc = NULL;
		}
	}
	*out = pf;
	/* out of memory for the entries: ingest_store() prepares them */
	if (p == NULL || pf->doc == NULL || pf->doc->nentries == 0 ||
	    (pf->ent = calloc(pf->doc->nentries, sizeof(*pf->ent))) == NULL)
		return 0;
	/* a read transaction: entries already stored need only their keys (a
	 * store that cannot be read: every entry in full) */
	t = s ? store_begin(s, 0, NULL) : NULL;
	held = pf->doc->nentries * sizeof(*pf->ent);
	for (i = 0; i < pf->doc->nentries && held < PREP_BUDGET; i++) {
		struct prep_entry *pe = &pf->ent[i];

		/* a failure leaves the entry to ingest_store() */
		if (prep_keys(p, sub, doc_url, &pf->doc->entries[i], pe) == 0 && pe->nkeys > 0 &&
		    !stored(t, pe))
			prep_full(p, sub, pe);
		held += prep_bytes(pe);
	}
	store_abort(t);
	return 0;
}

void
ingest_prepared_free(struct ingest_prepared *pf)
{
	size_t i;

	if (pf == NULL)
		return;
	if (pf->ent)
		for (i = 0; i < pf->doc->nentries; i++)
			prep_entry_release(&pf->ent[i]);
	free(pf->ent);
	feed_doc_free(pf->doc);
	free(pf);
}
