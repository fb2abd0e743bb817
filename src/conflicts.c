#include "conflicts.h"
#include "index.h"
#include "grow.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

struct walk { cz_txn *t; const struct cz_type *type; cz_conflict_fn fn; void *ctx; int rc; };

static int walk_cb(void *ctx, const uint8_t *entity)
{
    struct walk *w = ctx;
    uint8_t heads[2][CZ_ID_BYTES];
    size_t nh = 0;
    struct cz_merged m;
    if (cz_store_heads(w->t, entity, heads, 2, &nh) != CZ_OK || nh < 2) return 0;
    if ((w->rc = cz_merge_entity(w->t, entity, &m))) return w->rc;
    if (m.nconflicts) w->rc = w->fn(w->ctx, w->type, entity, &m);
    cz_merged_free(&m);
    return w->rc;
}

struct concurrent_set { uint8_t (*e)[CZ_ENTITY_BYTES]; size_t n, cap; };

static int collect_cb(void *ctx, const uint8_t *entity)
{
    struct concurrent_set *cs = ctx;
    int rc = cz_grow(&cs->e, &cs->cap, cs->n + 1, sizeof *cs->e);
    if (rc) return rc;
    memcpy(cs->e[cs->n++], entity, CZ_ENTITY_BYTES);
    return CZ_OK;
}

/* The records with concurrent heads come from one walk of the heads table
 * (few, however large the store); each is then reported under its type, in
 * type order and entity order, as a walk of every type's index would. */
int cz_conflicts_each(cz_txn *t, cz_conflict_fn fn, void *ctx)
{
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    struct walk w = { .t = t, .type = NULL, .fn = fn, .ctx = ctx, .rc = CZ_OK };
    struct concurrent_set cs = { .e = NULL };
    int rc = cz_store_each_concurrent(t, collect_cb, &cs);
    for (size_t i = 0; i < ntypes && rc == CZ_OK && cs.n; i++) {
        char term[64];
        size_t tl = cz_term_type(term, sizeof term, types[i].key);
        w.type = &types[i];
        for (size_t k = 0; k < cs.n && rc == CZ_OK; k++) {
            int has = cz_store_index_has(t, term, tl, cs.e[k]);
            if (has == CZ_ENOTFOUND) continue;
            if (has) { rc = has; break; }
            rc = walk_cb(&w, cs.e[k]);
        }
    }
    free(cs.e);
    return rc ? rc : w.rc;
}

static int count_cb(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                    const struct cz_merged *m)
{
    (*(size_t *)ctx)++;
    return 0;
}

int cz_conflicts_count(cz_station *st, size_t *n)
{
    cz_txn *t = NULL;
    *n = 0;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_conflicts_each(t, count_cb, n);
    cz_txn_abort(t);
    return rc;
}

static int concurrent(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES])
{
    uint8_t heads[2][CZ_ID_BYTES];
    size_t nh = 0;
    cz_txn *t = NULL;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc == CZ_OK) rc = cz_store_heads(t, entity, heads, 2, &nh);
    cz_txn_abort(t);
    if (rc) return rc;
    return nh < 2 ? CZ_ENOTFOUND : CZ_OK;
}

int cz_resolve(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], const struct cz_assign *a, size_t n,
               uint8_t id[CZ_ID_BYTES], struct cz_field_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    int rc = concurrent(st, entity);
    if (rc) return rc;
    return cz_station_resolve(st, entity, a, n, id, err);
}

int cz_resolve_delete(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES])
{
    int rc = concurrent(st, entity);
    if (rc) return rc;
    return cz_station_delete(st, entity, id);
}
