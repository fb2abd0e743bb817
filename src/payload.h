/* payload.h — the plaintext inside a bundle (bundle.h seals it): the head
 * and the entry stream, written and parsed here and nowhere else
 * (FORMATS.md, Bundles).
 *
 * Format, version 1 (integers big-endian):
 *   "CZP" u8(version=1) u8 kind (CZ_PAYLOAD_SYNC, CZ_PAYLOAD_BACKUP)
 *   vector                   the sender's version vector (vv.h)
 *   u32 n { u32 len, entry[len] }   log entries exactly as signed (entry.h),
 *                            in no promised order
 * and nothing after the last entry.  A backup (backup.h) carries its
 * sections before this payload; a sync import refuses any kind but sync.
 *
 * Three ways in and out:
 *   - a whole payload in memory: cz_payload_writer builds one,
 *     cz_payload_decode parses one;
 *   - piecewise output (export): cz_payload_head_put writes the head for a
 *     count known up front, then cz_payload_out hands out the plaintext a
 *     buffer at a time from entries that stay where they lie;
 *   - a streaming reader (import): cz_payload_in reads the head, then one
 *     entry at a time, from a byte source (vv.h) that is fed by a bundle
 *     being decrypted, so no more than an entry is held.
 *
 * Lifetimes: entries handed out point into the buffer or the source they
 * came from (for a source: until its next take). */
#ifndef CZ_PAYLOAD_H
#define CZ_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "entry.h"
#include "vv.h"

#define CZ_PAYLOAD_VERSION 1
#define CZ_PAYLOAD_SYNC 0
#define CZ_PAYLOAD_BACKUP 1
/* Where the vector starts: after magic, version and kind. */
#define CZ_PAYLOAD_VV_AT 5
/* The longest entry the wire format allows (entry.h). */
#define CZ_PAYLOAD_ENTRY_MAX (109 + 1 + CZ_TYPE_MAX + 1 + CZ_REGION_MAX + 1 + CZ_PARENTS_MAX * CZ_ID_BYTES + 4 + \
                              CZ_BODY_MAX + 64)

/* ---- a whole payload ---- */

struct cz_payload {
    uint8_t kind;
    struct cz_vv vv;
    size_t n;
    const uint8_t **entry;            /* into the plaintext */
    size_t *entry_len;
};
/* Strict: CZ_ETRUNC, CZ_EMAGIC, CZ_EOLDFORMAT, CZ_EVERSION (version, or a
 * kind this build does not know), the vector's faults (vv.h), CZ_ETRAILING.
 * Entries are not parsed.  p is emptied on failure; free with
 * cz_payload_free either way. */
int cz_payload_decode(const uint8_t *buf, size_t len, struct cz_payload *p);
void cz_payload_free(struct cz_payload *p);

/* A builder: start, add entries, finish.  buf is malloc'd (caller frees),
 * cap its room; the count is written at count_at by finish. */
struct cz_payload_writer { uint8_t *buf; size_t len, cap, count_at; uint32_t count; };
int cz_payload_start(struct cz_payload_writer *w, uint8_t kind, const struct cz_vv *vv);
int cz_payload_add(struct cz_payload_writer *w, const uint8_t *entry, size_t len);
void cz_payload_finish(struct cz_payload_writer *w);

/* ---- piecewise output ---- */

/* Appends the head for `count` entries (the vector bounded as
 * cz_vv_encode bounds it) to a growing buffer (*buf grown with cz_grow,
 * *cap its room).  *count_at (may be NULL) gets the count's offset. */
int cz_payload_head_put(uint8_t kind, const struct cz_vv *vv, uint32_t count, uint8_t **buf, size_t *len,
                        size_t *cap, size_t *count_at);

struct cz_payload_item { const uint8_t *p; uint32_t len; };
/* The plaintext of a head and items, handed out in pieces of any size:
 * 4 + len bytes an item after the head.  tick (may be NULL) hears every
 * 256 items how many of n are out.  The items and the head must stay
 * where they are until the last piece is out. */
struct cz_payload_out {
    const uint8_t *head;
    size_t head_len;
    const struct cz_payload_item *items;
    size_t n;
    void (*tick)(void *ctx, size_t done, size_t total);
    void *tick_ctx;
    size_t i, pos;                    /* the piece being given, bytes of it given */
};
void cz_payload_out_init(struct cz_payload_out *o, const uint8_t *head, size_t head_len,
                         const struct cz_payload_item *items, size_t n);
/* Fills buf with the next `want` bytes; CZ_EINVAL when that is more than
 * is left. */
int cz_payload_out_fill(struct cz_payload_out *o, uint8_t *buf, size_t want);

/* ---- the streaming reader ---- */

struct cz_payload_in {
    struct cz_byte_src *src;
    int bounded;                      /* entries over CZ_PAYLOAD_ENTRY_MAX not held */
    uint8_t kind;                     /* after the head: */
    uint32_t n;                       /* the entries the head counts */
};
/* Reads the head, faults as cz_payload_decode names them (and the
 * source's own); vv NULL: the vector checked and skipped, else decoded
 * into *vv (freed on failure).  A count the bytes left cannot hold is
 * CZ_ETRUNC. */
int cz_payload_in_head(struct cz_payload_in *in, struct cz_byte_src *src, int bounded, struct cz_vv *vv);
/* The next entry (the caller counts them against in->n): *p and *len.
 * When bounded, an entry longer than CZ_PAYLOAD_ENTRY_MAX is not held:
 * its first CZ_PAYLOAD_ENTRY_MAX bytes name the fault the whole would
 * (*bad, cz_entry_parse's, else CZ_ECANON), the rest is skipped and *p is
 * NULL; *bad is CZ_OK otherwise. */
int cz_payload_in_next(struct cz_payload_in *in, const uint8_t **p, size_t *len, int *bad);
/* After the last entry: CZ_OK, or CZ_ETRAILING when bytes are left. */
int cz_payload_in_end(struct cz_payload_in *in);

#endif
