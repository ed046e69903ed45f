/*
 * Allocation-failure tests in the manner of SQLite's *fault.test: run a case
 * once to count its allocations, then again for every N, with the Nth
 * allocation failing (once; then, in a second pass, the Nth and every one
 * after it).  Each run must end in success or a clean error: no crash, and
 * no block left allocated that the same call does not leave when it
 * succeeds (a leak).
 *
 * How allocations are failed: this file defines malloc, calloc, realloc,
 * free and the aligned allocators itself.  The program's own definitions
 * come first in symbol lookup, so every allocation of newsfold, libxml2,
 * jansson and utf8proc goes through them; they forward to the next
 * definition (dlsym(RTLD_NEXT)): glibc's in a release build, the
 * AddressSanitizer allocator under ASan, which then still sees every block
 * (and LeakSanitizer reports any leak at exit).  While dlsym() itself runs,
 * allocations come from a small static arena.  Blocks are counted (live =
 * allocated - freed) so a leak is seen in the release build too.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1

/* glibc's dlopen of libgcc_s for backtrace() (primed in main()) keeps
 * its link map where LeakSanitizer does not look. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:_dl_map_object_deps\nleak:__libc_dlopen_mode\n";
}
#else
#define HAVE_LSAN 0
#endif

#include "base/base.h"
#include "feed/feed.h"
#include "normalise/normalise.h"

/* ---- the allocator ---------------------------------------------------- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static _Alignas(16) char arena[1 << 16];
static size_t arena_used;
static int resolving;

static long nalloc;    /* allocations since arming (counted when armed) */
static long fail_at;   /* 0: never fail; else the allocation to fail */
static int persistent; /* fail every allocation from fail_at on */
static int armed;
static long nfailed;   /* allocations failed since arming */
static long live;      /* blocks allocated and not freed, all the time */
static void *site[12]; /* the call stack of the first failed allocation */
static int nsite;

static int
in_arena(const void *p)
{
	return (const char *)p >= arena && (const char *)p < arena + sizeof(arena);
}

static void *
arena_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(arena) - arena_used)
		return NULL;
	p = arena + arena_used;
	arena_used += n;
	return p;
}

static void
resolve(void)
{
	if (real_free != NULL || resolving)
		return;
	resolving = 1;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT,
	    "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	resolving = 0;
	if (real_malloc == NULL || real_calloc == NULL || real_realloc == NULL ||
	    real_free == NULL)
		abort();
}

/*
 * Allocations never failed here, because a library does not survive it
 * (not newsfold; each is a bug of the library, fixed in a later version):
 *
 * - jansson 2.14's lexer drops the byte it could not save, then asserts
 *   (or, in string lexing, reads past its buffer): akheron/jansson#362,
 *   open upstream.  Every allocation of libjansson itself is spared; those
 *   of newsfold's JSON Feed code, after jansson has returned, are not.
 * - libxml2 2.9.14's xmlCreatePushParserCtxt() leaks its input stream when
 *   xmlCanonicPath() fails, and htmlNewParserCtxt() its SAX handler when
 *   htmlInitParserCtxt() fails half-way (both rewritten in 2.11).  The
 *   allocations made inside those two calls are spared.
 * - libxml2 2.9.14's HTML parser does not survive a failed allocation:
 *   htmlParseDocument() loops for ever (the 27th allocation of the
 *   arstechnica fixture, the implied paragraph) or dereferences NULL (the
 *   139th).  Allocations made inside htmlParseDocument() are spared; those
 *   of the context, the input buffer and newsfold's own are not.
 * libxml2's other allocations are failed like any.
 */
static uintptr_t jansson_lo, jansson_hi;

static int
find_jansson(struct dl_phdr_info *info, size_t size, void *ctx)
{
	int i;

	if (info->dlpi_name == NULL || strstr(info->dlpi_name, "libjansson") == NULL)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			jansson_lo = info->dlpi_addr + ph->p_vaddr;
			jansson_hi = jansson_lo + ph->p_memsz;
		}
	}
	return 1;
}

static int
spared(const void *caller)
{
	static const char *const leaky[] = { "xmlCreatePushParserCtxt", "htmlNewParserCtxt" };
	void *bt[32]; /* deep enough for the sanitizers' own frames too */
	Dl_info info;
	size_t i, k;
	int n;

	if ((uintptr_t)caller >= jansson_lo && (uintptr_t)caller < jansson_hi)
		return 1;
	n = backtrace(bt, NF_ARRAY_LEN(bt));
	for (i = 1; i < (size_t)n; i++)
		if (dladdr(bt[i], &info) != 0 && info.dli_sname != NULL &&
		    strcmp(info.dli_sname, "htmlParseDocument") == 0)
			return 1;
	for (i = 2; i < (size_t)n; i++) {
		if (dladdr(bt[i], &info) == 0 || info.dli_sname == NULL)
			continue;
		for (k = 0; k < NF_ARRAY_LEN(leaky); k++)
			if (strcmp(info.dli_sname, leaky[k]) == 0)
				return 1;
	}
	return 0;
}

/* should_fail(caller): count one allocation; 1 when it must fail. */
static int
should_fail_at(const void *caller)
{
	if (!armed)
		return 0;
	nalloc++;
	if (fail_at > 0 && (nalloc == fail_at || (persistent && nalloc > fail_at))) {
		armed = 0; /* backtrace() and dladdr() are primed: no allocation */
		if (spared(caller)) {
			armed = 1;
			return 0;
		}
		armed = 1;
		if (nfailed++ == 0) {
			armed = 0; /* backtrace() is primed in main(): no allocation */
			nsite = backtrace(site, NF_ARRAY_LEN(site));
			armed = 1;
		}
		return 1;
	}
	return 0;
}

/* The caller of malloc() etc. is the allocation's owner. */
#define should_fail() should_fail_at(__builtin_return_address(0))

void *
malloc(size_t n)
{
	void *p;

	resolve();
	if (real_malloc == NULL)
		return arena_alloc(n);
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = real_malloc(n)) != NULL)
		live++;
	return p;
}

void *
calloc(size_t m, size_t n)
{
	void *p;

	resolve();
	if (real_calloc == NULL) {
		if (n != 0 && m > SIZE_MAX / n)
			return NULL;
		return arena_alloc(m * n); /* static storage: already zero */
	}
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = real_calloc(m, n)) != NULL)
		live++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void *p;

	resolve();
	if (in_arena(old) || real_realloc == NULL) {
		size_t keep = old ? (size_t)(arena + sizeof(arena) - (char *)old) : 0;

		if ((p = malloc(n)) != NULL && old != NULL)
			memcpy(p, old, n < keep ? n : keep);
		return p;
	}
	if (old != NULL && n == 0) {
		real_free(old);
		live--;
		return NULL;
	}
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = real_realloc(old, n)) != NULL && old == NULL)
		live++;
	return p;
}

void
free(void *p)
{
	if (p == NULL || in_arena(p))
		return;
	resolve();
	live--;
	real_free(p);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	int rc;

	resolve();
	if (should_fail())
		return ENOMEM;
	if ((rc = real_posix_memalign(out, align, n)) == 0)
		live++;
	return rc;
}

void *
aligned_alloc(size_t align, size_t n)
{
	void *p;

	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = real_aligned_alloc(align, n)) != NULL)
		live++;
	return p;
}

void *
memalign(size_t align, size_t n)
{
	void *p;

	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = real_memalign(align, n)) != NULL)
		live++;
	return p;
}

/*
 * settle(): drop what the code under test keeps between calls on purpose
 * (the HTML parser context, libxml2's copy of its last error), so that the
 * count of live blocks compares.
 */
static void
settle(void)
{
	norm_thread_cleanup();
	xmlResetLastError();
}

static void
arm(long at, int persist)
{
	nalloc = 0;
	nfailed = 0;
	fail_at = at;
	persistent = persist;
	armed = 1;
}

static void
disarm(void)
{
	armed = 0;
	fail_at = 0;
	nfailed = 0;
}

/*
 * print_site(): the stack of the first failed allocation of the last run,
 * as "module+offset (symbol)" lines (feed them to addr2line -e module).
 */
static void
print_site(void)
{
	Dl_info info;
	int i;

	for (i = 1; i < nsite; i++) {
		if (dladdr(site[i], &info) == 0 || info.dli_fname == NULL)
			continue;
		print_message("#    %s+0x%lx (%s)\n", info.dli_fname,
		    (unsigned long)((uintptr_t)site[i] - (uintptr_t)info.dli_fbase),
		    info.dli_sname ? info.dli_sname : "?");
		if (info.dli_sname != NULL && strncmp(info.dli_sname, "LLVM", 4) == 0)
			break;
	}
}

/*
 * A run that does not return within 20 s hangs: say which allocation
 * failed, and where, then end the test binary (a hang is a failure too).
 */
static const char *run_name;

static void
on_alarm(int sig)
{
	char msg[256];
	int n;

	n = snprintf(msg, sizeof(msg), "not ok - %s: allocation %ld failed%s: the run "
	    "hangs (no return after 20 s); failed at:\n", run_name ? run_name : "?",
	    fail_at, persistent ? " (and every one after)" : "");
	if (n > 0)
		(void)write(2, msg, (size_t)n);
	backtrace_symbols_fd(site, nsite, 2);
	_exit(1);
}

/* ---- fixtures ----------------------------------------------------------- */

static char *
slurp(const char *rel, size_t *len)
{
	char path[1024];
	const char *dir = getenv("TESTS_DIR");
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/%s", dir ? dir : "tests", rel);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

/*
 * A case: fn(data, len, digest) does the work, appends what a user would
 * see of the result to ${digest} (with failures off: armed = 0), frees
 * everything it made, and returns 0 for a success, 1 for a clean error
 * (out of memory, said so), 2 for a document that carries its error (the
 * parser met the failure and said so in the document).
 */
typedef int case_fn(const char *data, size_t len, struct buf *digest);

struct tally {
	long runs, ok, errors, degraded;
};

/*
 * loop(name, fn, data, len): the reference run, then every N in both
 * modes.  A success whose digest differs from the reference is a failure
 * (a silent wrong result); a crash ends the test binary.  Leaks: blocks
 * still live after a run (and settle()) are looked at by LeakSanitizer in
 * an ASan build (a leak not suppressed above fails the test); a release
 * build cannot tell a library's leak from ours and only counts them.
 */
static long
loop(const char *name, case_fn *fn, const char *data, size_t len)
{
	struct buf ref, got;
	struct tally t = { 0 };
	long n, total, base, persist, leaky = 0, bad = 0;
	int rc;

	buf_init(&ref, 0);
	buf_init(&got, 0);
	/* Unarmed runs first: they fill caches (libxml2's dictionaries, the
	 * HTML parser context) and both digest buffers, so that the count of
	 * live blocks is steady from here on. */
	assert_int_equal(fn(data, len, &ref), 0);
	assert_int_equal(fn(data, len, &got), 0);
	buf_reset(&ref);
	settle();
	base = live;
	arm(0, 0);
	rc = fn(data, len, &ref);
	total = nalloc;
	disarm();
	assert_int_equal(rc, 0);
	settle();
	if (live != base)
		fail_msg("%s: %ld blocks left by a run without failure", name, live - base);
	for (persist = 0; persist <= 1; persist++) {
		for (n = 1; n <= total; n++) {
			const char *how = persist ? " (and every one after)" : "";

			buf_reset(&got);
			run_name = name;
			alarm(20);
			arm(n, (int)persist);
			rc = fn(data, len, &got);
			disarm();
			alarm(0);
			t.runs++;
			if (rc == 0 && (got.len != ref.len || memcmp(got.data, ref.data, ref.len))) {
				if (bad++ < 3) {
					print_message("%s: allocation %ld failed%s: success with a "
					    "different result and no error; failed at:\n", name, n, how);
					print_site();
				}
			} else if (rc == 0)
				t.ok++;
			else if (rc == 1)
				t.errors++;
			else
				t.degraded++;
			settle();
			if (live != base) {
				base = live; /* count each leak once */
				leaky++;
				if (HAVE_LSAN) {
#if HAVE_LSAN
					/* LeakSanitizer reports every leak again at each
					 * check: look at the first one only. */
					static int seen;

					if (!seen && __lsan_do_recoverable_leak_check() != 0 && ++seen &&
					    bad++ < 3) {
						print_message("%s: allocation %ld failed%s: leak (above); "
						    "failed at:\n", name, n, how);
						print_site();
					}
#endif
				}
			}
		}
	}
	print_message("# %s: %ld allocations, %ld runs: %ld same result, %ld clean errors, "
	    "%ld documents with their error set; %ld runs left blocks allocated%s\n", name,
	    total, t.runs, t.ok, t.errors, t.degraded, leaky,
	    HAVE_LSAN ? " (LeakSanitizer judged them)" : "");
	buf_release(&got);
	buf_release(&ref);
	if (bad)
		print_message("%s: %ld runs ended badly\n", name, bad);
	return bad;
}

/* digest_doc(d, out): what a user would see of ${d}, in a few lines. */
static int
digest_doc(const struct feed_doc *d, struct buf *out)
{
	size_t i, j;

	if (buf_printf(out, "%s|%s|%d|%s|%zu\n", d->format ? d->format : "-",
	               d->feed.title ? d->feed.title : "-", d->wellformed,
	               d->feed.link ? d->feed.link : "-", d->nentries))
		return -1;
	for (i = 0; i < d->nentries; i++) {
		const struct feed_entry *e = &d->entries[i];

		if (buf_printf(out, "%s|%s|%s|%lld|%s|%zu|%zu|%zu\n", e->title ? e->title : "-",
		               e->link ? e->link : "-", e->id ? e->id : "-",
		               (long long)e->published, e->summary ? e->summary : "-",
		               e->nauthors, e->ncategories, e->nenclosures))
			return -1;
		for (j = 0; j < e->ncontent; j++)
			if (buf_puts(out, e->content[j].value ? e->content[j].value : "-"))
				return -1;
	}
	return 0;
}

static int
case_feed(const char *data, size_t len, struct buf *digest)
{
	struct feed_parse_opts o = { .url = "http://example.com/feed.xml" };
	struct nf_err err;
	struct feed_doc *d;
	int armed_before = armed, rc;

	if ((d = feed_parse(data, len, &o, &err)) == NULL)
		return 1; /* out of memory, said so */
	/* The digest is the test's own work: no failure injected into it. */
	armed = 0;
	rc = digest_doc(d, digest);
	armed = armed_before;
	if (rc != 0)
		fail_msg("digest: out of memory");
	rc = d->error != NULL ? 2 : 0;
	feed_doc_free(d);
	if (rc == 2 && nfailed == 0)
		return 0; /* a document whose own error it is (a recovered feed) */
	return rc;
}

static int
case_html(const char *data, size_t len, struct buf *digest)
{
	struct buf out;

	buf_init(&out, 0);
	if (norm_html_to_text(data, len, &out) != 0) {
		buf_release(&out);
		return 1;
	}
	armed = 0; /* the digest is the test's own work */
	if (buf_append(digest, out.data ? out.data : "", out.len) != 0)
		fail_msg("digest: out of memory");
	buf_release(&out);
	return 0;
}

static int
case_fold_tokens(const char *data, size_t len, struct buf *digest)
{
	struct buf f;
	struct norm_tokens t;
	size_t i;
	int rc = 1;

	buf_init(&f, 0);
	norm_tokens_init(&t);
	if (norm_fold(data, len, &f) != 0 || norm_tokenise(f.data, f.len, &t) != 0)
		goto out;
	armed = 0;
	for (i = 0; i < t.n; i++)
		if (buf_append(digest, t.tok[i], t.len[i]) != 0 || buf_putc(digest, ' ') != 0)
			fail_msg("digest: out of memory");
	rc = 0;
out:
	norm_tokens_release(&t);
	buf_release(&f);
	return rc;
}

/* ---- tests ---------------------------------------------------------------- */

static void
feed_file(const char *rel)
{
	size_t len;
	char *data = slurp(rel, &len);

	long bad = loop(rel, case_feed, data, len);

	free(data);
	if (bad)
		fail_msg("%s: %ld runs ended badly", rel, bad);
}

static void
every_failed_allocation_of_an_rss_parse_is_clean(void **state)
{
	feed_file("feeds/bbc_rss20.xml");
	feed_file("feeds/dailymail_no_declaration.xml");
}

static void
every_failed_allocation_of_an_atom_parse_is_clean(void **state)
{
	feed_file("feeds/feedrs_atom_spec_1.xml");
	feed_file("feeds/xml_base.xml");
}

static void
every_failed_allocation_of_a_json_feed_parse_is_clean(void **state)
{
	feed_file("feeds/feedrs_jsonfeed_spec_1.json");
}

static void
every_failed_allocation_of_a_recovered_feed_parse_is_clean(void **state)
{
	feed_file("feeds/missing_end_tags.xml");
	feed_file("feeds/html_entities.xml");
	feed_file("feeds/bare_ampersand.xml");
}

static void
every_failed_allocation_of_html_to_text_is_clean(void **state)
{
	size_t len;
	char *data = slurp("normalise/arstechnica-content-encoded.html", &len);
	static const char plain[] = "Plain text, no markup:   runs   of\tspace. Read more";

	long bad = loop("normalise/arstechnica-content-encoded.html", case_html, data, len);

	free(data);
	bad += loop("plain text", case_html, plain, sizeof(plain) - 1);
	if (bad)
		fail_msg("%ld runs ended badly", bad);
}

static void
every_failed_allocation_of_fold_and_tokenise_is_clean(void **state)
{
	static const char text[] =
	    "Stra\xc3\x9f" "e \xef\xac\x81nancial \xe2\x80\x9c" "don\xe2\x80\x99t\xe2\x80\x9d "
	    "\xe4\xb8\xad\xe6\x96\x87 3.5 caf\xc3\xa9 \xc2\xad soft\xe2\x80\x8b" "hyphen \xff" " bad";
	static const char ascii[] = "The Quick Brown Fox jumps over 12,000 lazy dogs.";

	if (loop("unicode text", case_fold_tokens, text, sizeof(text) - 1) +
	    loop("ascii text", case_fold_tokens, ascii, sizeof(ascii) - 1) > 0)
		fail_msg("runs ended badly");
}

static void
quiet(void *ctx, const char *fmt, ...)
{
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_failed_allocation_of_an_rss_parse_is_clean),
		cmocka_unit_test(every_failed_allocation_of_an_atom_parse_is_clean),
		cmocka_unit_test(every_failed_allocation_of_a_json_feed_parse_is_clean),
		cmocka_unit_test(every_failed_allocation_of_a_recovered_feed_parse_is_clean),
		cmocka_unit_test(every_failed_allocation_of_html_to_text_is_clean),
		cmocka_unit_test(every_failed_allocation_of_fold_and_tokenise_is_clean),
	};
	int rc;

	signal(SIGALRM, on_alarm);
	dl_iterate_phdr(find_jansson, NULL);
	nsite = backtrace(site, NF_ARRAY_LEN(site)); /* loads libgcc_s now */
	(void)spared(NULL);                          /* and dladdr's state */
	if (getenv("ALLOC_FAIL_ONLY") != NULL) /* a test name pattern, e.g. "*html*" */
		cmocka_set_test_filter(getenv("ALLOC_FAIL_ONLY"));
	xmlInitParser();
	/* libxml2 reports memory errors on stderr even with XML_PARSE_NOERROR */
	xmlSetGenericErrorFunc(NULL, quiet);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	norm_global_cleanup();
	xmlCleanupParser();
	return rc;
}
