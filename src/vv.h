/* vv.h — version vectors: which log positions (origin, seq) a station
 * holds, as sorted ranges per origin.  A bundle carries its sender's
 * vector, the store keeps each peer's acknowledged one, and export keeps
 * notes of what its bundles carried (FORMATS.md, Bundles).
 *
 * Encoding (integers big-endian):
 *   u32 norigins { origin[32] u32 nranges { u64 lo u64 hi id[32] } }
 * origins strictly ascending, ranges ascending and disjoint, non-adjacent;
 * id is the entry id at seq hi.  Holes appear because replication is
 * scoped by region.
 *
 * A vector in a bundle is the sender's claim, so it is bounded before it
 * costs anything: at most CZ_VV_ORIGINS_MAX origins (person keys: a city
 * has a few thousand), CZ_VV_ORIGIN_RANGES_MAX ranges for one origin and
 * CZ_VV_RANGES_MAX in all.  Ranges are not "few": replication scoped by
 * region leaves a station one range per run of its own village's entries
 * in an office clerk's log.  More is CZ_ETOOBIG.  Decoding allocates as
 * ranges are read, never from a count the bundle states.  What is stored
 * as an acknowledgement is bounded again by what the importer holds
 * (import_sender.c). */
#ifndef CZ_VV_H
#define CZ_VV_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"

#define CZ_VV_ORIGINS_MAX 100000u
#define CZ_VV_ORIGIN_RANGES_MAX 65536u
#define CZ_VV_RANGES_MAX (1u << 20)

struct cz_vv_range { uint64_t lo, hi; uint8_t id[CZ_ID_BYTES]; };
struct cz_vv_origin { uint8_t origin[32]; size_t n, cap; struct cz_vv_range *r; };
struct cz_vv { size_t n, cap; struct cz_vv_origin *o; };   /* zero-initialise */

/* Adds one log position.  Positions are expected in log order (origin then
 * seq ascending, as the store walks them); others are accepted but slower. */
int cz_vv_add(struct cz_vv *v, const uint8_t origin[32], uint64_t seq, const uint8_t id[CZ_ID_BYTES]);
int cz_vv_has(const struct cz_vv *v, const uint8_t origin[32], uint64_t seq);
/* Every position of c is in a (an empty c is). */
int cz_vv_covers(const struct cz_vv *a, const struct cz_vv *c);
/* Adds every position of src to dst (src's ids kept as they are). */
int cz_vv_add_all(struct cz_vv *dst, const struct cz_vv *src);
void cz_vv_free(struct cz_vv *v);

/* Appends the encoding to a growing buffer (*buf grown with cz_grow: *cap
 * is its room), within the bounds a reader takes: origins and ranges past
 * them are left out, which only makes the vector claim less (an
 * acknowledgement that says less costs a resend, never a loss), so an
 * honest bundle is never refused for its vector.  _unbounded writes all
 * of it (notes kept in the store; tests that forge a vector). */
int cz_vv_encode(const struct cz_vv *v, uint8_t **buf, size_t *len, size_t *cap);
int cz_vv_encode_unbounded(const struct cz_vv *v, uint8_t **buf, size_t *len, size_t *cap);

/* Bytes handed out a piece at a time: a buffer, or a bundle being
 * decrypted (import.c).  take gives the next n bytes, valid until the next
 * take, or CZ_ETRUNC when fewer are left, or the source's own failure;
 * left says how many are left.  The vector and payload decoders read
 * through one of these, so a buffer and a stream are parsed by the same
 * code. */
struct cz_byte_src {
    int (*take)(void *ctx, size_t n, const uint8_t **p);
    uint64_t (*left)(void *ctx);
    void *ctx;
};
/* A source over buf[*pos, len), moving *pos on (b lives as long as s). */
struct cz_buf_src { const uint8_t *buf; size_t len, *pos; };
void cz_byte_src_buf(struct cz_byte_src *s, struct cz_buf_src *b, const uint8_t *buf, size_t len, size_t *pos);

/* Strict: order, disjointness and bounds are checked (CZ_ECANON, CZ_ETRUNC,
 * CZ_ETOOBIG past the limits above).  v is freed on failure. */
int cz_vv_decode(const uint8_t *buf, size_t len, size_t *pos, struct cz_vv *v);
/* The same from a source (no more held than the ranges themselves); v
 * NULL: checked and skipped, nothing kept. */
int cz_vv_decode_src(struct cz_byte_src *s, struct cz_vv *v);

#endif
