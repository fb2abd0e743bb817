/* index_post.c — the index's postings and its look-ups (index.h).
 *
 * Under each term the index keeps, per entity, the first CZ_POSTING_BYTES
 * bytes of its id (index_int.h) rather than all sixteen: the postings are
 * most of the index's bytes.  A look-up turns a posting back into the
 * entity through the versions table, whose keys are whole entity ids:
 * every entity filed under a term has a version.  The order of the
 * postings under a term is still the order of the entities' ids.
 *
 * Entity ids are random (drawn from the CSPRNG), so two sharing their
 * first eight bytes are a one in 2^64 chance per pair, about 1e-8 in a
 * million records; but an id is whatever a signed entry says, so a shared
 * posting is handled as such: the entities holding those bytes are told
 * apart by their terms, made again from their heads
 * (cz_index_filed_under), and a count counts a shared posting once. */
#include "index.h"
#include "index_int.h"
#include "status.h"
#include "store_int.h"

#include <lmdb.h>
#include <string.h>

static size_t term_len(size_t len)
{
    return len > CZ_TERM_MAX ? CZ_TERM_MAX : len;
}

/* A versions key (an entity id) starting with the posting's bytes. */
static int same_posting(const MDB_val *k, const uint8_t *post)
{
    return k->mv_size == CZ_ENTITY_BYTES && memcmp(k->mv_data, post, CZ_POSTING_BYTES) == 0;
}

/* The first entity whose id starts with the posting (*first, NULL: none)
 * and whether another one follows (*more), through the versions cursor
 * hc. */
static int posting_entity(cz_txn *t, MDB_cursor *hc, const uint8_t *post, const uint8_t **first, int *more)
{
    uint8_t lo[CZ_ENTITY_BYTES] = { 0 };
    memcpy(lo, post, CZ_POSTING_BYTES);
    MDB_val k = cz_val(lo, sizeof lo), d;
    *first = NULL;
    *more = 0;
    int rc = mdb_cursor_get(hc, &k, &d, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND || (rc == 0 && !same_posting(&k, post))) return CZ_OK;
    if (rc) return CZ_ST(t, rc);
    *first = k.mv_data;
    rc = mdb_cursor_get(hc, &k, &d, MDB_NEXT_NODUP);
    if (rc == MDB_NOTFOUND) return CZ_OK;
    if (rc) return CZ_ST(t, rc);
    *more = same_posting(&k, post);
    return CZ_OK;
}

int cz_index_sharing(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    uint8_t lo[CZ_ENTITY_BYTES] = { 0 };
    memcpy(lo, entity, CZ_POSTING_BYTES);
    MDB_val k = cz_val(lo, sizeof lo), d;
    int ret = CZ_OK, rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c);
    if (rc) return CZ_ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && same_posting(&k, entity);
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        if (memcmp(k.mv_data, entity, CZ_ENTITY_BYTES) == 0) continue;
        if ((ret = fn(ctx, k.mv_data))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* Each entity a shared posting stands for under the term, to fn. */
static int shared_each(cz_txn *t, const uint8_t *post, const void *term, size_t len, cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    uint8_t lo[CZ_ENTITY_BYTES] = { 0 };
    memcpy(lo, post, CZ_POSTING_BYTES);
    MDB_val k = cz_val(lo, sizeof lo), d;
    int filed, ret = CZ_OK, rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c);
    if (rc) return CZ_ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && same_posting(&k, post);
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        /* only reads until fn: the key's page stays where it is */
        if ((ret = cz_index_filed_under(t, k.mv_data, term, len, &filed))) break;
        if (filed && (ret = fn(ctx, k.mv_data))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* The entities under the term (prefix 0) or under every term starting
 * with it (prefix 1), in term order and by id under each, to fn. */
static int walk(cz_txn *t, const void *term, size_t len, int prefix, cz_id_fn fn, void *ctx)
{
    MDB_cursor *ic = NULL, *hc = NULL;
    MDB_val k = cz_val(term, term_len(len)), d;
    size_t plen = k.mv_size;
    int ret = CZ_OK, rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &ic);
    if (rc == 0) rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &hc);
    if (rc) {
        if (ic) mdb_cursor_close(ic);
        return CZ_ST(t, rc);
    }
    for (rc = mdb_cursor_get(ic, &k, &d, prefix ? MDB_SET_RANGE : MDB_SET); rc == 0;
         rc = mdb_cursor_get(ic, &k, &d, prefix ? MDB_NEXT : MDB_NEXT_DUP)) {
        const void *key = prefix ? k.mv_data : term;
        size_t klen = prefix ? k.mv_size : plen;
        if (prefix && (klen < plen || memcmp(key, term, plen))) break;
        if (d.mv_size != CZ_POSTING_BYTES) continue;
        const uint8_t *first;
        int more;
        if ((ret = posting_entity(t, hc, d.mv_data, &first, &more))) break;
        if (first && !more) ret = fn(ctx, first);
        else if (first) ret = shared_each(t, d.mv_data, key, klen, fn, ctx);
        if (ret) break;
    }
    mdb_cursor_close(hc);
    mdb_cursor_close(ic);
    if (ret) return ret;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_store_index_each(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx)
{
    CZ_DEFER_FLUSH(t);
    return walk(t, term, len, 0, fn, ctx);
}

int cz_store_index_count(cz_txn *t, const void *term, size_t len, size_t *count)
{
    CZ_DEFER_FLUSH(t);
    return cz_db_dup_count(t, CZ_DB_INDEX, term, term_len(len), count);
}

int cz_store_index_count_stored(cz_txn *t, const void *term, size_t len, size_t *count)
{
    return cz_db_dup_count(t, CZ_DB_INDEX, term, term_len(len), count);
}

int cz_store_index_each_stored(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx)
{
    return walk(t, term, len, 0, fn, ctx);
}

int cz_store_index_has(cz_txn *t, const void *term, size_t len, const uint8_t entity[CZ_ENTITY_BYTES])
{
    CZ_DEFER_FLUSH(t);
    MDB_cursor *c;
    MDB_val k = cz_val(term, term_len(len)), d = cz_val(entity, CZ_POSTING_BYTES);
    const uint8_t *first;
    int more, filed;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH);
    mdb_cursor_close(c);
    if (rc) return CZ_ST(t, rc);
    /* The posting is there: it is this entity's unless another shares it. */
    if ((rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c))) return CZ_ST(t, rc);
    rc = posting_entity(t, c, entity, &first, &more);
    mdb_cursor_close(c);
    if (rc) return rc;
    if (!first) return CZ_ENOTFOUND;
    if (!more) return memcmp(first, entity, CZ_ENTITY_BYTES) == 0 ? CZ_OK : CZ_ENOTFOUND;
    if ((rc = cz_index_filed_under(t, entity, term, term_len(len), &filed))) return rc;
    return filed ? CZ_OK : CZ_ENOTFOUND;
}

int cz_store_index_prefix(cz_txn *t, const void *prefix, size_t len, cz_id_fn fn, void *ctx)
{
    CZ_DEFER_FLUSH(t);
    return walk(t, prefix, len, 1, fn, ctx);
}

int cz_store_index_prefix_count(cz_txn *t, const void *prefix, size_t len, size_t *count)
{
    CZ_DEFER_FLUSH(t);
    MDB_cursor *c;
    MDB_val k = cz_val(prefix, term_len(len)), d;
    size_t plen = k.mv_size;
    size_t n;
    *count = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &c);
    if (rc) return CZ_ST(t, rc);
    /* One step per distinct term, its duplicates counted by LMDB. */
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen)) break;
        if ((rc = mdb_cursor_count(c, &n))) break;
        *count += n;
    }
    mdb_cursor_close(c);
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}
