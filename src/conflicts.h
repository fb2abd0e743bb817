/* conflicts.h — records whose concurrent versions disagree (merge.h), and
 * their resolution.  `cunzhan conflicts` / `resolve` and the Conflicts
 * screen share these, so both list and sign the same way. */
#ifndef CZ_CONFLICTS_H
#define CZ_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>
#include "merge.h"
#include "schema.h"
#include "station.h"

/* Told of each record in conflict: its type, entity and merge (owned by
 * the walk: copy what is kept).  A non-zero return stops the walk and is
 * returned. */
typedef int (*cz_conflict_fn)(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                              const struct cz_merged *m);
/* Every record with conflicting values, type by type. */
int cz_conflicts_each(cz_txn *t, cz_conflict_fn fn, void *ctx);
/* How many records are in conflict (for a summary). */
int cz_conflicts_count(cz_station *st, size_t *n);

/* Signs a version that names every concurrent head as a parent, starting
 * from their merge with the assignments applied (the values chosen or
 * typed), which resolves every conflict of the record.  CZ_ENOTFOUND when
 * the record has no concurrent versions (nothing to resolve: edit it);
 * otherwise as cz_station_edit (err names a refused field). */
int cz_resolve(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], const struct cz_assign *a, size_t n,
               uint8_t id[CZ_ID_BYTES], struct cz_field_error *err);
/* Resolves a deletion concurrent with an edit the other way: a deletion
 * naming every head. */
int cz_resolve_delete(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES]);

#endif
