/* merge.h — reconciling concurrent versions of one record (FORMATS.md,
 * Reconciling).  Causality comes from parents, never clocks: for an entity
 * with several heads, the common ancestors are the versions every head
 * descends from that no other such version descends from (usually one; two
 * or more after a criss-cross), and each field is merged three ways: a head
 * changed it when it differs from any of them.  A field
 * changed on one side only (or the same way on every side) merges; a field
 * changed differently is a conflict that keeps every value, with a
 * provisional winner (higher hlc, then higher origin key) so every station
 * shows the same view whatever order the entries arrived in.  A deletion
 * concurrent with an edit is a conflict too (tag 0).
 *
 * Everything returned is owned by the cz_merged and freed with
 * cz_merged_free. */
#ifndef CZ_MERGE_H
#define CZ_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "entry.h"
#include "store.h"

struct cz_merge_value {
    uint8_t head[CZ_ID_BYTES];       /* the head that holds this value */
    uint8_t origin[32];
    uint64_t hlc;
    cz_body *value;                  /* just this field (empty: removed); NULL for a deletion */
};

struct cz_merge_conflict {
    uint32_t tag;                    /* field tag; 0: deleted on one side, edited on another */
    size_t n;                        /* values, provisional winner first */
    struct cz_merge_value v[CZ_PARENTS_MAX];
};

struct cz_merged {
    size_t nheads;
    cz_body *body;                   /* merged fields of the live heads; NULL when none is live */
    int deleted;                     /* the provisional view is a deletion */
    size_t nconflicts;
    struct cz_merge_conflict *conflicts;
};

/* Merges the current heads of an entity (one head: its body as is). */
int cz_merge_entity(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_merged *m);
void cz_merged_free(struct cz_merged *m);

/* Copies one field from src to dst (removing it from dst when src lacks it). */
int cz_body_copy_field(cz_body *dst, const cz_body *src, uint32_t tag);

#endif
