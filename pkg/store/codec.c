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
wr_u64le(struct buf *b, uint64_t v)
{
	unsigned char tmp[8];
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		tmp[i] = (unsigned char)v;
	buf_append(b, tmp, 8);
}

void
wr_f32(struct buf *b, float v)
{
	uint32_t u;
	unsigned char tmp[4];
	int i;

	memcpy(&u, &v, 4);
	for (i = 0; i < 4; i++, u >>= 8)
		tmp[i] = (unsigned char)u;
	buf_append(b, tmp, 4);
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

uint64_t
rd_u64le(struct rd *r)
{
	uint64_t v = 0;
	int i;

	if (r->bad || r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	for (i = 7; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 8;
	return v;
}

float
rd_f32(struct rd *r)
{
	uint32_t u = 0;
	float f;
	int i;

	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	for (i = 3; i >= 0; i--)
		u = u << 8 | r->p[i];
	r->p += 4;
	memcpy(&f, &u, 4);
	return f;
}

void
wr_u32le(struct buf *b, uint32_t v)
{
	unsigned char tmp[4];
	int i;

	for (i = 0; i < 4; i++, v >>= 8)
		tmp[i] = (unsigned char)v;
	buf_append(b, tmp, 4);
}

uint32_t
rd_u32le(struct rd *r)
{
	uint32_t v = 0;
	int i;

	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	for (i = 3; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += 4;
	return v;
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

/* The arrays of a record: bounds checked once, then read with plain loads
 * (the byte order made explicit so a big-endian host reads the same). */
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

void
rd_u64le_n(struct rd *r, uint64_t *out, size_t n)
{
	size_t i;

	if (r->bad || (size_t)(r->end - r->p) / 8 < n) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = le64_at(r->p + 8 * i);
	r->p += 8 * n;
}

void
rd_u32le_n(struct rd *r, uint32_t *out, size_t n)
{
	size_t i;

	if (r->bad || (size_t)(r->end - r->p) / 4 < n) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = le32_at(r->p + 4 * i);
	r->p += 4 * n;
}

void
rd_terms(struct rd *r, struct nf_term *out, size_t n)
{
	size_t i;

	if (r->bad || (size_t)(r->end - r->p) / 12 < n) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t u = le32_at(r->p + 12 * i + 8);

		out[i].h = le64_at(r->p + 12 * i);
		memcpy(&out[i].w, &u, 4);
	}
	r->p += 12 * n;
}

/* The arrays of a record, written a block at a time. */
#define WR_BLOCK 64

void
wr_u64le_n(struct buf *b, const uint64_t *v, size_t n)
{
	unsigned char tmp[8 * WR_BLOCK];
	size_t i, k;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < WR_BLOCK && i + k < n; k++) {
			uint64_t x = htole64(v[i + k]);

			memcpy(tmp + 8 * k, &x, 8);
		}
		buf_append(b, tmp, 8 * k);
	}
}

void
wr_u32le_n(struct buf *b, const uint32_t *v, size_t n)
{
	unsigned char tmp[4 * WR_BLOCK];
	size_t i, k;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < WR_BLOCK && i + k < n; k++) {
			uint32_t x = htole32(v[i + k]);

			memcpy(tmp + 4 * k, &x, 4);
		}
		buf_append(b, tmp, 4 * k);
	}
}

void
wr_terms(struct buf *b, const struct nf_term *v, size_t n)
{
	unsigned char tmp[12 * WR_BLOCK];
	size_t i, k;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < WR_BLOCK && i + k < n; k++) {
			uint64_t h = htole64(v[i + k].h);
			uint32_t w;

			memcpy(&w, &v[i + k].w, 4);
			w = htole32(w);
			memcpy(tmp + 12 * k, &h, 8);
			memcpy(tmp + 12 * k + 8, &w, 4);
		}
		buf_append(b, tmp, 12 * k);
	}
}
