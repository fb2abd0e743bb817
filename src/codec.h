/* codec.h — the canonical binary encoding of a record body.
 *
 * A body is a set of fields, each identified by a numeric tag (1..2^32-1).
 * There is exactly one byte string for each body, so a signature over it
 * cannot be malleated; cz_body_decode() refuses every other form.
 *
 * Wire format (version 1; the entry that carries the body carries the version):
 *
 *   body  = field*                       fields in strictly increasing tag order
 *   field = varint(tag) u8(kind) value
 *   kind 1 UINT : varint(v)
 *   kind 2 SINT : varint(zigzag(v))      zigzag: 0,-1,1,-2 -> 0,1,2,3
 *   kind 3 TEXT : varint(n) n bytes      valid UTF-8, NFC, n >= 1, no C0
 *                                        controls but \n and \t, no DEL,
 *                                        no C1 controls (U+0080..U+009F),
 *                                        no bidi embedding, override or
 *                                        isolate (U+202A..U+202E,
 *                                        U+2066..U+2069)
 *   kind 4 BYTES: varint(n) n bytes      n >= 1
 *   kind 5 LIST : varint(count) item*    count >= 1; item = varint(n) n bytes
 *                                        of TEXT rules; items in strictly
 *                                        increasing bytewise order (a set)
 *   varint = unsigned LEB128, at most 10 bytes, minimal: the last byte is
 *            not 0x00 unless it is the only byte; value fits in 64 bits.
 *
 * Limits: a body is at most CZ_BODY_MAX bytes, a text or bytes value at most
 * CZ_VALUE_MAX bytes, a list at most CZ_LIST_MAX items.  An empty value is
 * not stored: the field is simply absent.
 *
 * Lifetimes: a cz_body owns copies of everything set into it.  Pointers
 * returned by the getters point into the body and stay valid until that
 * field is set again or removed, or the body is freed.
 */
#ifndef CZ_CODEC_H
#define CZ_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CZ_BODY_MAX  (256u * 1024u)
#define CZ_VALUE_MAX (16u * 1024u)
#define CZ_LIST_MAX  4096u

enum cz_kind { CZ_KIND_UINT = 1, CZ_KIND_SINT = 2, CZ_KIND_TEXT = 3,
               CZ_KIND_BYTES = 4, CZ_KIND_LIST = 5 };

typedef struct cz_body cz_body;

cz_body *cz_body_new(void);                /* NULL when out of memory */
void cz_body_free(cz_body *b);             /* NULL is fine */
cz_body *cz_body_clone(const cz_body *b);  /* deep copy; NULL on ENOMEM */

/* Setters replace any value already at the tag.  Tag 0 is CZ_EINVAL.
 * Text is checked as on decode (CZ_EUTF8, CZ_ENOTNFC, CZ_ECONTROL,
 * CZ_EEMPTY, CZ_ETOOBIG); it is not normalised here (see text.h). */
int cz_body_set_uint(cz_body *b, uint32_t tag, uint64_t v);
int cz_body_set_sint(cz_body *b, uint32_t tag, int64_t v);
int cz_body_set_text(cz_body *b, uint32_t tag, const char *s, size_t len);
int cz_body_set_bytes(cz_body *b, uint32_t tag, const uint8_t *p, size_t len);
/* Items are copied, sorted bytewise and de-duplicated. */
int cz_body_set_list(cz_body *b, uint32_t tag, const char *const *items,
                     const size_t *lens, size_t count);
int cz_body_remove(cz_body *b, uint32_t tag);   /* CZ_ENOTFOUND if absent */

/* Iteration in tag order: index 0..count-1. */
size_t cz_body_count(const cz_body *b);
uint32_t cz_body_tag_at(const cz_body *b, size_t i);
/* 0 when absent, otherwise an enum cz_kind. */
int cz_body_kind(const cz_body *b, uint32_t tag);

/* Getters: CZ_ENOTFOUND when absent, CZ_EKIND when of another kind. */
int cz_body_get_uint(const cz_body *b, uint32_t tag, uint64_t *v);
int cz_body_get_sint(const cz_body *b, uint32_t tag, int64_t *v);
/* TEXT and BYTES; *p is not NUL-terminated for BYTES, and is for TEXT. */
int cz_body_get_text(const cz_body *b, uint32_t tag, const char **s, size_t *len);
int cz_body_get_bytes(const cz_body *b, uint32_t tag, const uint8_t **p, size_t *len);
int cz_body_get_list_count(const cz_body *b, uint32_t tag, size_t *count);
/* Item i of a list, NUL-terminated. */
int cz_body_get_list_item(const cz_body *b, uint32_t tag, size_t i,
                          const char **s, size_t *len);

/* Encode to a new malloc'd buffer (caller frees).  An empty body encodes to
 * zero bytes; *out is then a valid malloc'd pointer or NULL. */
int cz_body_encode(const cz_body *b, uint8_t **out, size_t *outlen);
/* The encoding's size, and the encoding into a caller's buffer (CZ_ERANGE
 * when size is too small): for loops that reuse one buffer. */
size_t cz_body_encoded_size(const cz_body *b);
int cz_body_encode_into(const cz_body *b, uint8_t *buf, size_t size, size_t *outlen);

/* Strict decode.  CZ_ETRUNC, CZ_ECANON (order, duplicate tag, non-minimal
 * varint, unsorted list, zero length...), CZ_EKIND (unknown kind), CZ_EUTF8,
 * CZ_ENOTNFC, CZ_ECONTROL, CZ_ETOOBIG.  On error *out is NULL. */
int cz_body_decode(const uint8_t *buf, size_t len, cz_body **out);

/* True when the two bodies hold the same fields and values. */
int cz_body_equal(const cz_body *a, const cz_body *b);

/* Varint helpers shared with the entry and bundle formats. */
size_t cz_varint_put(uint8_t out[10], uint64_t v);            /* bytes written */
/* Reads a minimal varint from buf[*pos..len); advances *pos. */
int cz_varint_get(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v);

#endif
