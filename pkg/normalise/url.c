/*
 * Canonical URLs (curl's URL API) and outlets (libpsl).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libpsl.h>

#include "base/base.h"
#include "normalise/normalise.h"
#include "base/banned.h"

/*
 * Query parameters that only track where a reader came from; removed from
 * canonical URLs (ASCII case ignored).  Names ending in '*' are prefixes.
 * Only names that are tracking everywhere belong here: a generic name such
 * as "src" or "ref" can be part of what a page shows.
 */
static const char *const tracking_params[] = {
	"_ga",
	"at_campaign",
	"at_medium",
	"cmp",
	"cmpid",
	"dclid",
	"fbclid",
	"gclid",
	"igshid",
	"mc_cid",
	"mc_eid",
	"msclkid",
	"ns_campaign",
	"ns_fee",
	"ns_linkname",
	"ns_mchannel",
	"ns_source",
	"ocid",
	"ref_src",
	"s_cid",
	"smid",
	"smtyp",
	"taid",
	"utm_*",
};

static int
is_tracking(const char *name, size_t n)
{
	const char *t;
	size_t i, tl;

	for (i = 0; i < NF_ARRAY_LEN(tracking_params); i++) {
		t = tracking_params[i];
		tl = strlen(t);
		if (t[tl - 1] == '*') {
			if (n >= tl - 1 && nf_strncasecmp_ascii(name, t, tl - 1) == 0)
				return 1;
		} else if (n == tl && nf_strncasecmp_ascii(name, t, n) == 0)
			return 1;
	}
	return 0;
}

/* filter_query(q, out): the parameters of ${q} that are not tracking, in
 * their order, joined by '&'; empty parameters dropped. */
static int
filter_query(const char *q, struct buf *out)
{
	const char *p = q, *amp, *eq;
	size_t n, name;

	while (*p != '\0') {
		amp = strchr(p, '&');
		n = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', n);
		name = eq ? (size_t)(eq - p) : n;
		if (n > 0 && !is_tracking(p, name)) {
			if (out->len > 0 && buf_putc(out, '&') != 0)
				return -1;
			if (buf_append(out, p, n) != 0)
				return -1;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return 0;
}

/* upper_pct(s): "%c3%a9" -> "%C3%A9", so both spellings compare equal. */
static void
upper_pct(char *s)
{
	size_t i;

	for (; *s != '\0'; s++) {
		if (*s != '%' || !isxdigit((unsigned char)s[1]) ||
		    !isxdigit((unsigned char)s[2]))
			continue;
		for (i = 1; i <= 2; i++)
			if (s[i] >= 'a' && s[i] <= 'f')
				s[i] = (char)(s[i] - ('a' - 'A'));
		s += 2;
	}
}

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + ('a' - 'A'));
}

/* host_lower(host, out): ${host} lower-case into the empty ${out}: ASCII
 * directly, an international name through Unicode case folding. */
static int
host_lower(const char *host, struct buf *out)
{
	const char *p;

	for (p = host; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return norm_fold(host, strlen(host), out) ||
			    buf_append(out, "", 0);
	if (buf_puts(out, host) != 0)
		return -1;
	lower_ascii(out->data);
	return 0;
}

/*
 * url_parse(url, base): a CURLU handle for ${url} resolved against ${base}
 * (may be NULL), or NULL.  Leading and trailing white space is ignored;
 * spaces and bytes past ASCII are percent-encoded.
 */
static CURLU *
url_parse(const char *url, const char *base)
{
	const unsigned int flags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
	CURLU *h;
	char *u;
	size_t n;

	if (url == NULL)
		return NULL;
	while (*url == ' ' || *url == '\t' || *url == '\n' || *url == '\r')
		url++;
	n = strlen(url);
	while (n > 0 && (url[n - 1] == ' ' || url[n - 1] == '\t' ||
	    url[n - 1] == '\n' || url[n - 1] == '\r'))
		n--;
	if (n == 0 && base == NULL)
		return NULL;
	if ((u = nf_strndup(url, n)) == NULL)
		return NULL;
	if ((h = curl_url()) == NULL)
		goto err0;
	if (base != NULL && *base != '\0' &&
	    curl_url_set(h, CURLUPART_URL, base, flags) != CURLUE_OK) {
		/* An unusable base: the URL must stand on its own. */
		curl_url_cleanup(h);
		if ((h = curl_url()) == NULL)
			goto err0;
	}
	if (curl_url_set(h, CURLUPART_URL, u, flags) != CURLUE_OK)
		goto err1;
	free(u);
	return h;

err1:
	curl_url_cleanup(h);
err0:
	free(u);
	return NULL;
}

int
norm_canon_url(const char *url, const char *base, struct buf *out)
{
	struct buf q;
	CURLU *h;
	char *part = NULL, *full = NULL;
	CURLUcode rc;
	int ret = -1;

	buf_init(&q, 0);
	if ((h = url_parse(url, base)) == NULL)
		goto done;
	/* Scheme and host lower-case. */
	if (curl_url_get(h, CURLUPART_SCHEME, &part, 0) != CURLUE_OK)
		goto done;
	lower_ascii(part);
	if (curl_url_set(h, CURLUPART_SCHEME, part,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto done;
	curl_free(part);
	part = NULL;
	rc = curl_url_get(h, CURLUPART_HOST, &part, 0);
	if (rc == CURLUE_OK) {
		if (host_lower(part, &q) != 0)
			goto done;
		if (curl_url_set(h, CURLUPART_HOST, q.data, 0) != CURLUE_OK)
			goto done;
		buf_reset(&q);
		curl_free(part);
		part = NULL;
	} else if (rc != CURLUE_NO_HOST)
		goto done;
	/* No fragment; no tracking parameters. */
	if (curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
		goto done;
	rc = curl_url_get(h, CURLUPART_QUERY, &part, 0);
	if (rc == CURLUE_OK) {
		if (filter_query(part, &q) != 0)
			goto done;
		if (curl_url_set(h, CURLUPART_QUERY, q.len ? q.data : NULL,
		    0) != CURLUE_OK)
			goto done;
		curl_free(part);
		part = NULL;
	} else if (rc != CURLUE_NO_QUERY)
		goto done;
	rc = curl_url_get(h, CURLUPART_PATH, &part, 0);
	if (rc == CURLUE_OK && part[0] == '\0') {
		if (curl_url_set(h, CURLUPART_PATH, "/", 0) != CURLUE_OK)
			goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(h, CURLUPART_URL, &full, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto done;
	upper_pct(full);
	if (buf_puts(out, full) != 0)
		goto done;
	ret = 0;
done:
	curl_free(full);
	curl_free(part);
	curl_url_cleanup(h);
	buf_release(&q);
	return ret;
}

/* ---- outlets ---------------------------------------------------------- */

static pthread_mutex_t psl_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(const psl_ctx_t *) psl_ctx;
static psl_ctx_t *psl_owned;	/* what norm_global_cleanup() frees */
static int psl_missing;		/* no list could be loaded */

/* psl_get(): the public suffix list, loaded on first use; NULL when there
 * is none. */
static const psl_ctx_t *
psl_get(void)
{
	const psl_ctx_t *p;

	if ((p = atomic_load_explicit(&psl_ctx, memory_order_acquire)) != NULL)
		return p;
	pthread_mutex_lock(&psl_lock);
	if ((p = atomic_load_explicit(&psl_ctx, memory_order_relaxed)) == NULL &&
	    !psl_missing) {
		if ((psl_owned = psl_latest(NULL)) != NULL)
			p = psl_owned;
		else
			p = psl_builtin();
		if (p == NULL) {
			psl_missing = 1;
			nf_log(NF_LOG_WARNING, "normalise: no public suffix "
			    "list; outlets are the last two host labels");
		}
		atomic_store_explicit(&psl_ctx, p, memory_order_release);
	}
	pthread_mutex_unlock(&psl_lock);
	return p;
}

void
norm_global_cleanup(void)
{
	pthread_mutex_lock(&psl_lock);
	atomic_store(&psl_ctx, NULL);
	psl_free(psl_owned);
	psl_owned = NULL;
	psl_missing = 0;
	pthread_mutex_unlock(&psl_lock);
	norm_thread_cleanup();
}

static int
is_ip_literal(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	if (host[0] == '[')
		return 1;
	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

int
norm_outlet(const char *url, struct buf *out)
{
	const psl_ctx_t *psl;
	const char *dom, *d1, *d2;
	CURLU *h;
	struct buf lower;
	char *scheme = NULL, *chost = NULL, *host;
	size_t n;
	int ret = -1;

	buf_init(&lower, 0);
	if ((h = url_parse(url, NULL)) == NULL)
		return -1;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto done;
	if (nf_strcasecmp_ascii(scheme, "file") == 0) {
		/* Empty, but a valid string. */
		ret = buf_append(out, "", 0);
		goto done;
	}
	if (curl_url_get(h, CURLUPART_HOST, &chost, 0) != CURLUE_OK)
		goto done;
	if (host_lower(chost, &lower) != 0)
		goto done;
	host = lower.data;
	n = lower.len;
	while (n > 0 && host[n - 1] == '.')
		host[--n] = '\0';
	dom = host;
	if (n > 0 && !is_ip_literal(host)) {
		if ((psl = psl_get()) != NULL) {
			if ((dom = psl_registrable_domain(psl, host)) == NULL)
				dom = host;
		} else {
			/* No list: the last two labels. */
			d1 = memrchr(host, '.', n);
			d2 = NULL;
			if (d1 != NULL && d1 > host)
				d2 = memrchr(host, '.', (size_t)(d1 - host));
			dom = d2 ? d2 + 1 : host;
		}
	}
	ret = buf_puts(out, dom);
done:
	buf_release(&lower);
	curl_free(chost);
	curl_free(scheme);
	curl_url_cleanup(h);
	return ret;
}
