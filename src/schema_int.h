/* schema_int.h — the rules of the registry's household side
 * (DOMAIN.md): the causes limit, the yearly records' years, dates in
 * order and not in the future, a member change naming who, and the
 * income's transfers and net income worked out from their parts.
 * Called by schema.c, kept in schema_registry.c; nothing here looks at
 * the store. */
#ifndef CZ_SCHEMA_INT_H
#define CZ_SCHEMA_INT_H

#include <stdint.h>
#include "schema.h"

/* True when setting f changes a derived value of t (an income part). */
int cz_registry_derives(const struct cz_type *t, const struct cz_field *f);
/* Drops t's derived values from body, to be worked out again. */
void cz_registry_forget(const struct cz_type *t, cz_body *body);
/* After a list field f was set: a household holds at most 3 causes. */
int cz_registry_set_check(const struct cz_type *t, const struct cz_field *f, const cz_body *body,
                          struct cz_field_error *err);
/* The cross-field rules and derived values of t, after the assignments.
 * `today` is YYYYMMDD. */
int cz_registry_finish(const struct cz_type *t, cz_body *body, uint32_t today,
                       struct cz_field_error *err);

/* An income's parts, in fen: net = wages + production - production_costs
 * + property + transfers, transfers the sum of the five transfer fields.
 * Absent parts count 0. */
void cz_registry_income(const struct cz_type *t, const cz_body *body, int64_t *transfers, int64_t *net);

#endif
