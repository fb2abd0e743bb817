/* history.c — the versions of one record (history.h). */
#include "history.h"
#include "grow.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

int cz_version_cmp_newest(const struct cz_version *a, const struct cz_version *b)
{
    if (a->hlc != b->hlc) return a->hlc > b->hlc ? -1 : 1;
    int c = memcmp(b->origin, a->origin, 32);
    if (c) return c;
    return memcmp(b->id, a->id, CZ_ID_BYTES);
}

int cz_history_winner(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t (*heads)[CZ_ID_BYTES],
                      size_t max, size_t *nheads, struct cz_entry *e)
{
    int rc = cz_store_heads(t, entity, heads, max, nheads);
    if (rc) return rc;
    if (*nheads == 0) return CZ_ENOTFOUND;
    return cz_store_get_entry(t, heads[0], e);
}

struct hist { cz_txn *t; struct cz_version *v; size_t n, cap; int rc; };

static int hist_cb(void *ctx, const uint8_t *id)
{
    struct hist *h = ctx;
    struct cz_entry e;
    if ((h->rc = cz_grow(&h->v, &h->cap, h->n + 1, sizeof *h->v))) return h->rc;
    if ((h->rc = cz_store_get_entry(h->t, id, &e))) return h->rc;
    struct cz_version *v = &h->v[h->n];
    memset(v, 0, sizeof *v);
    memcpy(v->id, id, CZ_ID_BYTES);
    memcpy(v->origin, e.origin, 32);
    v->seq = e.seq;
    v->hlc = e.hlc;
    v->wall = e.wall;
    v->tombstone = (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) != 0;
    v->nparents = e.nparents;
    memcpy(v->parents, e.parents, e.nparents * CZ_ID_BYTES);
    if (!v->tombstone && (h->rc = cz_body_decode(e.body, e.body_len, &v->body))) return h->rc;
    h->n++;
    return 0;
}

static int cmp_version(const void *a, const void *b)
{
    const struct cz_version *x = a, *y = b;
    if (x->hlc != y->hlc) return x->hlc < y->hlc ? -1 : 1;
    return memcmp(x->id, y->id, CZ_ID_BYTES);
}

/* Each parent's index in v, n for one not in this history:
 * pidx[i * CZ_PARENTS_MAX + p] for parent p of v[i]. */
static void parent_index(const struct cz_version *v, size_t n, size_t *pidx)
{
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < CZ_PARENTS_MAX; p++) {
            size_t j = 0;
            if (p < v[i].nparents)
                while (j < n && memcmp(v[j].id, v[i].parents[p], CZ_ID_BYTES)) j++;
            else j = n;
            pidx[i * CZ_PARENTS_MAX + p] = j;
        }
}

/* The first version not yet placed whose parents all are; n when none. */
static size_t next_ready(size_t n, const unsigned char *placed, const size_t *pidx)
{
    for (size_t i = 0; i < n; i++) {
        if (placed[i]) continue;
        int ready = 1;
        for (size_t p = 0; p < CZ_PARENTS_MAX && ready; p++) {
            size_t j = pidx[i * CZ_PARENTS_MAX + p];
            ready = j == n || j == i || placed[j];
        }
        if (ready) return i;
    }
    return n;
}

/* Reorders v (sorted by clock) so that every version comes after the
 * parents it names: a clock set back, or a station's clock behind
 * another's, must not show a version before the one it changed.  Among
 * the versions whose parents are all placed, the earliest by clock goes
 * next, so a history without such skew keeps its clock order. */
static int causal_order(struct cz_version *v, size_t n)
{
    struct cz_version *out = malloc((n ? n : 1) * sizeof *out);
    unsigned char *placed = calloc(n ? n : 1, 1);
    size_t *pidx = malloc((n ? n : 1) * CZ_PARENTS_MAX * sizeof *pidx);
    int rc = out && placed && pidx ? CZ_OK : CZ_ENOMEM;
    if (rc == CZ_OK) parent_index(v, n, pidx);
    for (size_t k = 0; rc == CZ_OK && k < n; k++) {
        size_t pick = next_ready(n, placed, pidx);
        /* A cycle cannot be signed (ids hash their parents); should the
         * store hold one anyway, the rest follows by clock. */
        for (size_t i = 0; i < n && pick == n; i++)
            if (!placed[i]) pick = i;
        placed[pick] = 1;
        out[k] = v[pick];
    }
    if (rc == CZ_OK && n) memcpy(v, out, n * sizeof *out);
    free(out);
    free(placed);
    free(pidx);
    return rc;
}

int cz_record_history(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                      struct cz_version **out, size_t *n)
{
    struct hist h = { .t = t, .v = NULL, .n = 0, .cap = 0, .rc = CZ_OK };
    int rc = cz_store_versions(t, entity, hist_cb, &h);
    if (rc == CZ_OK && h.n == 0) rc = CZ_ENOTFOUND;
    if (rc) { cz_history_free(h.v, h.n); return rc; }
    qsort(h.v, h.n, sizeof *h.v, cmp_version);
    if ((rc = causal_order(h.v, h.n))) { cz_history_free(h.v, h.n); return rc; }
    *out = h.v;
    *n = h.n;
    return CZ_OK;
}

void cz_history_free(struct cz_version *v, size_t n)
{
    for (size_t i = 0; i < n; i++) cz_body_free(v[i].body);
    free(v);
}
