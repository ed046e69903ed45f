#include <stdint.h>
#include <endian.h>
#include <string.h>

#include "store/codec.h"
#include "store/store.h"
#include "base/banned.h"

void
wr_u8(struct buf *b, uint8_t v)
{
	buf_append(b, &v, 1);
}

void
wr_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	buf_append(b, tmp, n);
}

void
wr_svarint(struct buf *b, int64_t v)
{
	wr_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void
wr_str(struct buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		wr_varint(b, 0);
		return;
	}
	n = strlen(s);
	wr_varint(b, (uint64_t)n + 1);
	buf_append(b, s, n + 1);
}

size_t
multistr_len(const char *s, uint32_t count)
{
	size_t n = 0;

	while (count--) {
		size_t l = strlen(s + n);
		n += l + 1;
	}
	return n;
}

void
wr_multistr(struct buf *b, const char *s, uint32_t count)
{
	size_t n = s ? multistr_len(s, count) : 0;

	if (s == NULL)
		count = 0;
	wr_varint(b, count);
	wr_varint(b, n);
	if (n)
		buf_append(b, s, n);
}

void
rd_init(struct rd *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->bad = 0;
}

uint8_t
rd_u8(struct rd *r)
{
	if (r->bad || r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

uint64_t
rd_varint(struct rd *r)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		uint8_t c;

		if (r->bad || r->p >= r->end)
			break;
		c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

int64_t
rd_svarint(struct rd *r)
{
	uint64_t u = rd_varint(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

const char *
rd_str(struct rd *r)
{
	uint64_t n = rd_varint(r);
	const char *s;

	if (r->bad || n == 0)
		return NULL;
	if (n > (uint64_t)(r->end - r->p) || r->p[n - 1] != '\0') {
		r->bad = 1;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += n;
	return s;
}

const char *
rd_multistr(struct rd *r, uint32_t *count)
{
	uint64_t c = rd_varint(r), n = rd_varint(r), seen = 0, i;
	const char *s;

	*count = 0;
	if (r->bad || n > (uint64_t)(r->end - r->p) || c > n) {
		r->bad = 1;
		return NULL;
	}
	s = (const char *)r->p;
	for (i = 0; i < n; i++) {
		const char *z = memchr(s + i, '\0', (size_t)(n - i));

		if (z == NULL)
			break;
		seen++;
		i = (uint64_t)(z - s);
	}
	if (seen != c || (n && s[n - 1] != '\0')) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	*count = (uint32_t)c;
	return n ? s : "";
}

size_t
store_strs_len(const char *s, uint32_t n)
{
	return s ? multistr_len(s, n) : 0;
}

int
store_strs_has(const char *s, uint32_t n, const char *x)
{
	if (s == NULL)
		return 0;
	while (n--) {
		if (strcmp(s, x) == 0)
			return 1;
		s += strlen(s) + 1;
	}
	return 0;
}

/* ---- fixed-size values ------------------------------------------------ */

/* One byte order for every fixed-size value: little-endian, read and
 * written with plain loads and stores. */
static uint64_t
le64_at(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint32_t
le32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static void
le64_put(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void
le32_put(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

/* rd_take(r, size, n): the next ${n} values of ${size} bytes, bounds
 * checked once (NULL and r->bad when they are not all there). */
static const unsigned char *
rd_take(struct rd *r, size_t size, size_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) / size < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += size * n;
	return p;
}

void
rd_skip(struct rd *r, size_t size, size_t n)
{
	rd_take(r, size, n);
}

void
rd_skip_str(struct rd *r)
{
	rd_take(r, 1, (size_t)rd_varint(r));
}

void
rd_skip_multistr(struct rd *r)
{
	rd_varint(r); /* count */
	rd_skip_str(r);
}

void
rd_u64le_n(struct rd *r, uint64_t *out, size_t n)
{
	const unsigned char *p = rd_take(r, 8, n);
	size_t i;

	for (i = 0; p && i < n; i++)
		out[i] = le64_at(p + 8 * i);
}

void
rd_u32le_n(struct rd *r, uint32_t *out, size_t n)
{
	const unsigned char *p = rd_take(r, 4, n);
	size_t i;

	for (i = 0; p && i < n; i++)
		out[i] = le32_at(p + 4 * i);
}

void
rd_terms(struct rd *r, struct nf_term *out, size_t n)
{
	const unsigned char *p = rd_take(r, 12, n);
	size_t i;

	for (i = 0; p && i < n; i++) {
		uint32_t w = le32_at(p + 12 * i + 8);

		out[i].h = le64_at(p + 12 * i);
		memcpy(&out[i].w, &w, 4);
	}
}

uint64_t
rd_u64le(struct rd *r)
{
	uint64_t v = 0;

	rd_u64le_n(r, &v, 1);
	return v;
}

float
rd_f32(struct rd *r)
{
	uint32_t u = 0;
	float f;

	rd_u32le_n(r, &u, 1);
	memcpy(&f, &u, 4);
	return f;
}

/* WR_ARRAY(name, T, size, PUT): name(b, v, n) writes ${n} values of type
 * T, each PUT(p, x) into ${size} bytes, a block at a time (one append per
 * block rather than per value). */
#define WR_BLOCK 64
#define WR_ARRAY(name, T, size, PUT)                                              \
	void name(struct buf *b, const T *v, size_t n)                            \
	{                                                                         \
		unsigned char tmp[(size) * WR_BLOCK];                             \
		size_t i, k;                                                      \
                                                                                  \
		for (i = 0; i < n; i += k) {                                      \
			for (k = 0; k < WR_BLOCK && i + k < n; k++)               \
				PUT(tmp + (size) * k, v[i + k]);                  \
			buf_append(b, tmp, (size) * k);                           \
		}                                                                 \
	}

static void
term_put(unsigned char *p, struct nf_term t)
{
	uint32_t w;

	memcpy(&w, &t.w, 4);
	le64_put(p, t.h);
	le32_put(p + 8, w);
}

WR_ARRAY(wr_u64le_n, uint64_t, 8, le64_put)
WR_ARRAY(wr_u32le_n, uint32_t, 4, le32_put)
WR_ARRAY(wr_terms, struct nf_term, 12, term_put)

void
wr_u64le(struct buf *b, uint64_t v)
{
	wr_u64le_n(b, &v, 1);
}

void
wr_f32(struct buf *b, float v)
{
	uint32_t u;

	memcpy(&u, &v, 4);
	wr_u32le_n(b, &u, 1);
}
