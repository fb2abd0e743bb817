/* entry.h — one signed entry of a person's append-only log.
 *
 * Wire format, version 1 (integers big-endian, fixed widths):
 *   "CZE" u8(version=1)
 *   origin[32]          the author's Ed25519 public key
 *   u64 seq             1, 2, 3 ... with no gaps in the author's log
 *   prev[32]            entry id of seq-1; all zero for seq 1
 *   u64 hlc             hybrid logical clock: ms since 1970 << 16 | counter
 *   i64 wall            author's wall clock, seconds; for display only
 *   entity[16]          the record this is a version of
 *   u8 flags            bit 0: tombstone (a deletion); other bits must be 0
 *   u8 n type[n]        record type key, 1..32 of [a-z_]
 *   u8 n region[n]      administrative code prefix, 0..12 digits; empty for
 *                       trust records and places everyone needs
 *   u8 n parents[n][32] earlier versions of the entity, strictly ascending;
 *                       none for a new entity, several for a merge, <= 16
 *   u32 n body[n]       canonical body (codec.h), <= CZ_BODY_MAX
 *   sig[64]             Ed25519 by origin over every byte before it
 *
 * Entry id = BLAKE2b-256 of the whole encoding, signature included.  Ed25519
 * signatures as libsodium checks them are not malleable, so one entry has one
 * id.  A decoder that meets another version refuses it by name (CZ_EVERSION):
 * later builds add versions, they never reinterpret this one.
 */
#ifndef CZ_ENTRY_H
#define CZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#define CZ_ENTRY_VERSION 1
#define CZ_ID_BYTES 32
#define CZ_ENTITY_BYTES 16
#define CZ_TYPE_MAX 32
#define CZ_REGION_MAX 12
#define CZ_PARENTS_MAX 16
#define CZ_ENTRY_FLAG_TOMBSTONE 1u

/* A decoded entry.  Pointers (origin, prev, entity, parents, body, sig,
 * signed_bytes) point into the buffer given to cz_entry_decode and are valid
 * exactly as long as that buffer (for LMDB data: until the transaction ends). */
struct cz_entry {
    uint8_t version;
    const uint8_t *origin;
    uint64_t seq;
    const uint8_t *prev;
    uint64_t hlc;
    int64_t wall;
    const uint8_t *entity;
    uint8_t flags;
    char type[CZ_TYPE_MAX + 1];
    char region[CZ_REGION_MAX + 1];
    size_t nparents;
    const uint8_t *parents;            /* nparents * 32 bytes */
    const uint8_t *body;
    size_t body_len;
    const uint8_t *sig;
    const uint8_t *raw;                /* the whole entry */
    size_t raw_len;
};

/* What an author fills in to write an entry. */
struct cz_entry_draft {
    uint8_t origin[32];
    uint64_t seq;
    uint8_t prev[CZ_ID_BYTES];
    uint64_t hlc;
    int64_t wall;
    uint8_t entity[CZ_ENTITY_BYTES];
    uint8_t flags;
    const char *type;
    const char *region;
    size_t nparents;
    const uint8_t *parents;            /* need not be sorted; duplicates refused */
    const uint8_t *body;
    size_t body_len;
};

/* Signs with a callback so the caller decides which key (person or root). */
typedef int (*cz_sign_fn)(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* Encode and sign: *out is malloc'd (caller frees); id gets the entry id. */
int cz_entry_write(const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                   uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES]);

/* The same into a reusable buffer (*buf realloc'd when smaller than the
 * entry; the caller frees it), filling *e as cz_entry_parse would from the
 * bytes (pointers into *buf) without parsing them back. */
int cz_entry_build(const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                   uint8_t **buf, size_t *cap, struct cz_entry *e, uint8_t id[CZ_ID_BYTES]);

/* Strict decode (structure, canonical form, body decodes strictly).  Does
 * not check the signature: see cz_entry_verify. */
int cz_entry_decode(const uint8_t *buf, size_t len, struct cz_entry *e);

/* The same structure checks without decoding the body: for entries read
 * back from the local store, whose bodies were checked strictly when they
 * came in (and are checked again by verify).  Never for input from outside. */
int cz_entry_parse(const uint8_t *buf, size_t len, struct cz_entry *e);

/* Less still, for walks over the whole local store (export): only the
 * origin (into buf), seq and region (NUL-terminated), with the bounds
 * checked.  Never for input from outside. */
int cz_entry_peek(const uint8_t *buf, size_t len, const uint8_t **origin, uint64_t *seq,
                  char region[CZ_REGION_MAX + 1]);

/* CZ_OK when the signature verifies; CZ_ESIG otherwise. */
int cz_entry_verify(const struct cz_entry *e);

/* Entry id of an encoded entry. */
void cz_entry_id(const uint8_t *buf, size_t len, uint8_t id[CZ_ID_BYTES]);

/* Hybrid logical clock: the next local timestamp after `last`, from the wall
 * clock now (ms).  Never goes backwards even when the wall clock does. */
uint64_t cz_hlc_next(uint64_t last, uint64_t now_ms);
uint64_t cz_now_ms(void);
/* Moves this process's clock (every later cz_now_ms, hence new entries'
 * hlc and cz_today) by offset_ms from the real one; 0 restores it.  For
 * the demo builder, which signs a story dated in the past with its own
 * office root, and for tests that let time pass. */
void cz_clock_shift(int64_t offset_ms);
/* ms part of an hlc */
static inline uint64_t cz_hlc_ms(uint64_t hlc) { return hlc >> 16; }

#endif
