#ifndef NF_STORE_CODEC_H
#define NF_STORE_CODEC_H
/*
 * codec: the byte layout of store records (internal to pkg/store).
 *
 * Writers append to a struct buf and never fail individually: an
 * allocation failure shows as a NULL buffer or b->over when the caller
 * checks at the end.  Readers walk a bounded byte range; any read past the
 * end, or a string without its NUL, sets r->bad and returns zero/NULL, so a
 * corrupt record is caught by one check after decoding.
 *
 *   varint    LEB128, at most 10 bytes
 *   svarint   zig-zag then varint (NF_TIME_NONE is encoded like any value)
 *   str       varint n: 0 for NULL, else n-1 bytes and a NUL
 *   multistr  varint count, varint bytes, then that many bytes of
 *             NUL-terminated strings back to back
 *   u64le/u32le/f32 raw little-endian
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "store/store.h"

struct rd {
	const unsigned char *p, *end;
	int bad;
};

void wr_u8(struct buf *b, uint8_t v);
void wr_varint(struct buf *b, uint64_t v);
void wr_svarint(struct buf *b, int64_t v);
void wr_str(struct buf *b, const char *s);
void wr_multistr(struct buf *b, const char *s, uint32_t count);
void wr_u64le(struct buf *b, uint64_t v);
void wr_f32(struct buf *b, float v);

void rd_init(struct rd *r, const void *p, size_t n);
uint8_t rd_u8(struct rd *r);
uint64_t rd_varint(struct rd *r);
int64_t rd_svarint(struct rd *r);
/* rd_str: borrowed from the record (NULL for an absent string). */
const char *rd_str(struct rd *r);
const char *rd_multistr(struct rd *r, uint32_t *count);
uint64_t rd_u64le(struct rd *r);
float rd_f32(struct rd *r);
/* rd_u64le_n, rd_u32le_n, rd_terms(r, out, n): ${n} values into ${out}
 * (room for them); a term is u64le hash, f32 weight. */
void rd_u64le_n(struct rd *r, uint64_t *out, size_t n);
void rd_u32le_n(struct rd *r, uint32_t *out, size_t n);
void rd_terms(struct rd *r, struct nf_term *out, size_t n);
/* rd_skip(r, size, n): past ${n} values of ${size} bytes. */
void rd_skip(struct rd *r, size_t size, size_t n);
/* rd_skip_str, rd_skip_multistr(r): past a str or multistr, its bytes
 * bounds-checked but not read (their NULs unchecked). */
void rd_skip_str(struct rd *r);
void rd_skip_multistr(struct rd *r);
/* wr_u64le_n, wr_u32le_n, wr_terms(b, v, n): the same, written. */
void wr_u64le_n(struct buf *b, const uint64_t *v, size_t n);
void wr_u32le_n(struct buf *b, const uint32_t *v, size_t n);
void wr_terms(struct buf *b, const struct nf_term *v, size_t n);

/* multistr_len(s, count): bytes of ${count} strings back to back. */
size_t multistr_len(const char *s, uint32_t count);

#endif
