/* codec_int.h — what codec.c (the body in memory) and codec_wire.c (its
 * bytes) share; not for other modules, which see only codec.h. */
#ifndef CZ_CODEC_INT_H
#define CZ_CODEC_INT_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"

struct item {               /* a TEXT list item: NUL-terminated copy */
    char *s;
    size_t n;
};

struct field {
    uint32_t tag;
    int kind;               /* enum cz_kind */
    size_t enc;             /* bytes this field takes when encoded */
    union {
        uint64_t u;
        int64_t i;
        struct { uint8_t *p; size_t n; } buf;   /* TEXT, BYTES; NUL after */
        struct { struct item *v; size_t n; } list;
    } val;
};

struct cz_body {
    struct field *f;
    size_t n, cap;
    size_t enc;             /* total encoded size, <= CZ_BODY_MAX */
};

/* Bytes cz_varint_put writes for v. */
static inline size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* 0,-1,1,-2 -> 0,1,2,3 without shifting negative numbers. */
static inline uint64_t zigzag(int64_t v)
{
    return v < 0 ? ((~(uint64_t)v) << 1) | 1u : (uint64_t)v << 1;
}

static inline int64_t unzigzag(uint64_t u)
{
    int64_t h = (int64_t)(u >> 1);          /* 0..INT64_MAX */
    return (u & 1u) ? -h - 1 : h;
}

/* TEXT rules for a value or list item: valid UTF-8, NFC, no control
 * characters, not empty.  CZ_OK or the rule's status. */
int cz_codec_check_text(const uint8_t *s, size_t n);
/* The order of list items (byte-wise, shorter first on a tie). */
int cz_codec_item_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);
/* malloc'd copy of p[0..n) with a NUL after it; NULL when out of memory. */
uint8_t *cz_codec_dup_nul(const uint8_t *p, size_t n);
/* Frees what f owns and zeroes it. */
void cz_codec_field_clear(struct field *f);
/* Room for want fields in b (cz_grow). */
int cz_codec_reserve(cz_body *b, size_t want);

#endif
