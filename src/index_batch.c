/* index_batch.c — deferred index terms (cz_store_defer_index, index.h).
 *
 * A load or an import stores thousands of new entities in one transaction,
 * each filed under some ten terms: at a random place of long duplicate
 * lists (entity ids are random), so each put lands on a page the previous
 * one did not touch, and at a million records those pages no longer stay
 * in the CPU's caches.  Collected and sorted (term, then entity), the same
 * puts sweep the index in key order instead (twice: put_pairs says why).
 * Only an entity's first version is deferred (it has no old terms to take
 * out); anything that reads the index, or re-indexes an entity, puts what
 * is pending first, and so does the commit.  The contents stored are the
 * same, whatever the order of puts inside the transaction. */
#include "index.h"
#include "bytes.h"
#include "grow.h"
#include "hashset.h"
#include "index_int.h"
#include "status.h"
#include "store_int.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

/* Pending bytes that make a batch (a 100,000-record load files about a
 * million terms, 20 bytes each: a batch or two). */
#define DEFER_BYTES (24u << 20)

/* The terms kept back: each distinct term once (the set `terms`, whose
 * ordinals index `dt`) and a (term, entity) pair per filing. */
struct dterm { uint32_t count, rank; };
struct dpair { uint32_t term; uint8_t entity[CZ_POSTING_BYTES]; };
struct defer {
    cz_hashset *terms;                    /* the distinct terms */
    struct dterm *dt;                     /* per distinct term, by its ordinal */
    size_t dt_cap;
    size_t terms_used;                    /* bytes of the distinct terms */
    struct dpair *pairs;
    size_t npairs, pairs_cap;
    size_t limit;                         /* bytes pending that make a batch */
};

static void defer_free(void *p)
{
    struct defer *d = p;
    if (!d) return;
    cz_hashset_free(d->terms);
    free(d->dt);
    free(d->pairs);
    free(d);
}

int cz_index_batching(const cz_txn *t)
{
    return t->pending != NULL;
}

int cz_store_defer_index(cz_txn *t)
{
    struct defer *d;
    if (!t->write) return CZ_EINVAL;
    if (t->pending) return CZ_OK;
    if (!(d = calloc(1, sizeof *d))) return CZ_ENOMEM;
    if (cz_hashset_new(&d->terms)) {
        free(d);
        return CZ_ENOMEM;
    }
    /* CZ_INDEX_BATCH (bytes) makes batches small, for tests. */
    const char *env = getenv("CZ_INDEX_BATCH");
    d->limit = env && atol(env) > 0 ? (size_t)atol(env) : DEFER_BYTES;
    if (d->limit > (1u << 30)) d->limit = 1u << 30;   /* offsets are 32-bit */
    t->pending = d;
    t->flush = cz_index_batch_flush;
    t->pending_free = defer_free;
    return CZ_OK;
}

/* The distinct term's index in d->dt, added when new. */
static int dterm_find(struct defer *d, const uint8_t *term, size_t len, uint32_t *at)
{
    size_t ord;
    int rc;
    /* Room first: a term the set holds always has its dt entry. */
    if ((rc = cz_grow(&d->dt, &d->dt_cap, cz_hashset_count(d->terms) + 1, sizeof *d->dt))) return rc;
    switch (cz_hashset_intern(d->terms, term, len, &ord)) {
    case 1:
        d->dt[ord] = (struct dterm){ .count = 0, .rank = 0 };
        d->terms_used += len;
        break;
    case 0:
        break;
    default:
        return CZ_ENOMEM;
    }
    *at = (uint32_t)ord;
    return CZ_OK;
}

/* A distinct term's bytes, read out of the set once per batch. */
struct dkey { const uint8_t *p; size_t len; };

/* LMDB's order of keys: memcmp, then the shorter first. */
static int cmp_dkey(const void *a, const void *b)
{
    const struct dkey *x = *(const struct dkey *const *)a, *y = *(const struct dkey *const *)b;
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* The pairs in term order, and under each term by the entity's first one
 * or two bytes (a page of a duplicate list holds some 250 entities, so
 * that is order enough): the distinct terms are sorted, the pairs placed
 * by two counting passes (through one copy), in place. */
static int defer_order(struct defer *d, const struct dkey *keys)
{
    size_t k = cz_hashset_count(d->terms);
    const struct dkey **order = malloc((k ? k : 1) * sizeof *order);
    struct dpair *tmp = malloc(d->npairs * sizeof *tmp), *out = d->pairs;
    int bits = d->npairs < 65536 ? 8 : 16, rc = CZ_OK;
    size_t nb = (size_t)1 << bits, *cnt = calloc(nb + 1, sizeof *cnt);
    if (!order || !tmp || !cnt) { rc = CZ_ENOMEM; goto done; }
    for (size_t i = 0; i < k; i++) order[i] = &keys[i];
    qsort(order, k, sizeof *order, cmp_dkey);
    /* first offset of each term's pairs, in term order (rank reused) */
    size_t off = 0;
    for (size_t i = 0; i < k; i++) {
        struct dterm *dt = &d->dt[order[i] - keys];
        dt->rank = (uint32_t)off;
        off += dt->count;
    }
    /* by entity prefix ... */
    for (size_t i = 0; i < d->npairs; i++) {
        const uint8_t *e = d->pairs[i].entity;
        cnt[(bits == 16 ? (size_t)e[0] << 8 | e[1] : e[0]) + 1]++;
    }
    for (size_t i = 0; i < nb; i++) cnt[i + 1] += cnt[i];
    for (size_t i = 0; i < d->npairs; i++) {
        const uint8_t *e = d->pairs[i].entity;
        tmp[cnt[bits == 16 ? (size_t)e[0] << 8 | e[1] : e[0]]++] = d->pairs[i];
    }
    /* ... then stably by term */
    for (size_t i = 0; i < d->npairs; i++) out[d->dt[tmp[i].term].rank++] = tmp[i];
done:
    free(order);
    free(tmp);
    free(cnt);
    return rc;
}

/* The distinct terms' bytes by ordinal (*keys, the set's own bytes), and
 * the pairs in the order they are put. */
static int order_pairs(struct defer *d, struct dkey **keys)
{
    size_t nterms = cz_hashset_count(d->terms);
    int rc;
    if (!(*keys = malloc((nterms ? nterms : 1) * sizeof **keys))) return CZ_ENOMEM;
    for (size_t i = 0; i < nterms; i++) (*keys)[i].p = cz_hashset_key(d->terms, i, &(*keys)[i].len);
    if ((rc = defer_order(d, *keys))) { free(*keys); *keys = NULL; }
    return rc;
}

/* Every pending (term, entity) pair, in order, through one cursor: every
 * other pair, then the rest.  Put in order among keys already there, pairs
 * land in the middle of pages, which LMDB splits in half as they fill, so
 * one sweep left the index's pages under half full (45% at 100,000
 * records); after the first sweep, each gap left is on the page of its
 * neighbours, half full, and the second fills it (the index 22% smaller,
 * for the same CPU time). */
static int put_pairs(cz_txn *t, const struct defer *d, const struct dkey *keys)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &c);
    if (rc) return CZ_ST(t, rc);
    for (size_t pass = 0; pass < 2 && rc == 0; pass++)
        for (size_t i = pass; i < d->npairs && rc == 0; i += 2) {
            const struct dkey *k = &keys[d->pairs[i].term];
            MDB_val tk = cz_val(k->p, k->len), tv = cz_val(d->pairs[i].entity, CZ_POSTING_BYTES);
            rc = mdb_cursor_put(c, &tk, &tv, MDB_NODUPDATA);
            if (rc == MDB_KEYEXIST) rc = 0;
        }
    mdb_cursor_close(c);
    return CZ_ST(t, rc);
}

int cz_index_batch_flush(cz_txn *t)
{
    struct defer *d = t->pending;
    struct dkey *keys = NULL;
    int rc;
    if (!d || d->npairs == 0) return CZ_OK;
    /* Memory first: running out before the first put leaves the batch
     * whole, to be put by the next flush (the commit's at the latest). */
    if ((rc = order_pairs(d, &keys))) return rc;
    rc = put_pairs(t, d, keys);
    free(keys);
    cz_hashset_clear(d->terms);           /* its memory, and dt's: reused */
    d->terms_used = d->npairs = 0;
    return rc;
}

int cz_index_batch_add(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t *terms,
                       size_t len)
{
    struct defer *d = t->pending;
    int rc;
    if (len == 0) return CZ_OK;
    if (d->npairs * sizeof *d->pairs + d->terms_used >= d->limit &&
        (rc = cz_index_batch_flush(t)))
        return rc;
    CZ_EACH_TERM(terms, len, pos, tl) {
        uint32_t at;
        if ((rc = dterm_find(d, terms + pos + 2, tl, &at))) return rc;
        if ((rc = cz_grow(&d->pairs, &d->pairs_cap, d->npairs + 1, sizeof *d->pairs))) return rc;
        d->pairs[d->npairs].term = at;
        memcpy(d->pairs[d->npairs].entity, entity, CZ_POSTING_BYTES);
        d->npairs++;
        d->dt[at].count++;
    }
    return CZ_OK;
}
