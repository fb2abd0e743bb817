/* history.h — the versions of one record, and which of them is shown
 * first: what the merge (merge.h) and the reading of records (query.h)
 * both stand on.
 *
 * The provisional winner among an entity's heads is the one with the
 * higher clock (hlc), then the higher origin key, then the higher id, so
 * every station shows the same version whatever order entries arrived in
 * (FORMATS.md, Reconciling).  cz_store_heads (store.h) orders heads by
 * the same rule, so the merge and every reader name one winner (the id
 * decides only between two heads of one author at one clock, which only a
 * forked log can make).  Everything works inside a store transaction. */
#ifndef CZ_HISTORY_H
#define CZ_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "entry.h"
#include "store.h"

/* One version of a record.  `body` is owned by the history it is in. */
struct cz_version {
    uint8_t id[CZ_ID_BYTES];
    uint8_t origin[32];
    uint64_t seq, hlc;
    int64_t wall;
    int tombstone;
    size_t nparents;
    uint8_t parents[CZ_PARENTS_MAX][CZ_ID_BYTES];
    cz_body *body;               /* NULL for a tombstone */
};

/* Every version, parents before their children (a version names the
 * ones it changed), otherwise oldest first by clock, then by id.
 * CZ_ENOTFOUND when the entity has none.  Free with cz_history_free. */
int cz_record_history(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                      struct cz_version **out, size_t *n);
void cz_history_free(struct cz_version *v, size_t n);

/* The provisional order as a qsort comparison: negative when a wins over
 * b (higher clock, then higher origin, then higher id). */
int cz_version_cmp_newest(const struct cz_version *a, const struct cz_version *b);

/* An entity's current entry: its heads, the provisional winner first,
 * into heads (max of them; *nheads is how many there are, which may be
 * more), and the winner's entry in *e (valid until the transaction ends).
 * CZ_ENOTFOUND when there is no such entity. */
int cz_history_winner(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t (*heads)[CZ_ID_BYTES],
                      size_t max, size_t *nheads, struct cz_entry *e);

#endif
