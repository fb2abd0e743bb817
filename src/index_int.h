/* index_int.h — what the index's files share: index.c (terms, filing),
 * index_post.c (postings, look-ups) and index_batch.c (the deferred
 * batches of cz_store_defer_index).  Nothing else includes it. */
#ifndef CZ_INDEX_INT_H
#define CZ_INDEX_INT_H

#include <stddef.h>
#include <stdint.h>
#include "bytes.h"
#include "entry.h"
#include "store.h"

/* One LMDB page holds keys up to this size; longer terms are cut. */
#define CZ_TERM_MAX 400

/* What the index keeps of an entity under a term: the first bytes of its
 * id (index_post.c says how a look-up finds the entity again). */
#define CZ_POSTING_BYTES 8

/* What reads the index sees every term put before it. */
#define CZ_DEFER_FLUSH(t) do { int drc_ = cz_index_batch_flush(t); if (drc_) return drc_; } while (0)

/* Walks a term list (u16 length + bytes each, as index.c makes it),
 * stopping at a malformed end. */
#define CZ_EACH_TERM(buf, len, pos, tl)                                          \
    for (size_t pos = 0, tl = 0;                                                \
         pos + 2 <= (len) && (tl = cz_get_be16((buf) + pos), pos + 2 + tl <= (len)); \
         pos += 2 + tl)

/* Keeps a new entity's term list (as index.c would file it)
 * for the next batch; the transaction must have asked for batches. */
int cz_index_batch_add(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t *terms,
                       size_t len);
/* Puts every term kept back, in key order: before anything reads the
 * index.  CZ_OK at once when nothing is. */
int cz_index_batch_flush(cz_txn *t);
/* The transaction asked for batches (cz_store_defer_index). */
int cz_index_batching(const cz_txn *t);

/* *filed: the entity is under the term (len bytes, as the index keeps it)
 * by the terms of its heads, made again (index.c). */
int cz_index_filed_under(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const void *term, size_t len,
                         int *filed);
/* Every other entity (with a version) whose id starts with the same
 * posting bytes as `entity`, to fn (index_post.c). */
int cz_index_sharing(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx);

#endif
