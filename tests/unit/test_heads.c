/* test_heads.c — the heads table lists an entity's heads only once it has
 * more than one version (store_entry.c): a record's one version is its
 * head unlisted; a version whose child (of another entity) arrived first
 * is no head, and says so, until a second version of its entity arrives;
 * a second version lists the heads as they are from then on.  Read back
 * through cz_store_heads and the table itself.  Real LMDB, real signed
 * entries (testkit.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"
#include "index.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define VILLAGE "520123101201"

/* The fixture: a bare store and one signing log (struct tk_store, testkit.h). */
struct ent { uint8_t *buf; size_t len; uint8_t id[32]; };

static int setup(void **state)
{
    struct tk_store *f = calloc(1, sizeof *f);
    if (!f || tk_store_open(f, "heads")) { free(f); return -1; }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct tk_store *f = *state;
    assert_int_equal(tk_store_close(f), 0);
    free(f);
    return 0;
}

/* A household version with up to two parents, signed by the fixture's
 * author. */
static void household(struct tk_store *f, const uint8_t entity[16], const struct ent *p1, const struct ent *p2,
                      uint8_t flags, const char *head, struct ent *out)
{
    const struct cz_type *type = cz_schema_type("household");
    struct cz_entry_draft d;
    struct cz_field_error err;
    uint8_t parents[64], *body = NULL;
    size_t np = 0, blen = 0;
    cz_body *b = cz_body_new();
    assert_non_null(b);
    assert_int_equal(cz_schema_set(type, b, "number", "H-1", &err), CZ_OK);
    assert_int_equal(cz_schema_set(type, b, "village", VILLAGE, &err), CZ_OK);
    assert_int_equal(cz_schema_set(type, b, "head", head, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    /* parents strictly ascending (FORMATS.md) */
    const struct ent *ps[2] = { p1, p2 };
    if (p1 && p2 && memcmp(p1->id, p2->id, 32) > 0) { ps[0] = p2; ps[1] = p1; }
    for (int i = 0; i < 2; i++)
        if (ps[i]) memcpy(parents + 32 * np++, ps[i]->id, 32);
    tk_log_draft(&f->log, &d, ++f->hlc, entity, "household", VILLAGE, np ? parents : NULL, np, body, blen);
    d.flags = flags;
    assert_int_equal(tk_log_write(&f->log, &d, tk_store_sign, f, &out->buf, &out->len, out->id), CZ_OK);
    free(body);
}

static void put(struct tk_store *f, const struct ent *e)
{
    cz_txn *t;
    struct cz_entry de;
    int result = -1;
    assert_int_equal(cz_entry_decode(e->buf, e->len, &de), CZ_OK);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, e->id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
}

/* The entity's heads as the store reads them: n, and which. */
static size_t heads(struct tk_store *f, const uint8_t entity[16], uint8_t ids[4][32])
{
    cz_txn *t;
    size_t n = 99;
    assert_int_equal(cz_txn_begin(f->s, 0, &t), CZ_OK);
    assert_int_equal(cz_store_heads(t, entity, ids, 4, &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

static int has(uint8_t ids[4][32], size_t n, const struct ent *e)
{
    for (size_t i = 0; i < n && i < 4; i++)
        if (memcmp(ids[i], e->id, 32) == 0) return 1;
    return 0;
}

/* What the heads table itself lists for the entity (the store closed and
 * opened again around the look), "none" counted as such. */
static size_t listed(struct tk_store *f, const uint8_t entity[16], size_t *none)
{
    static const uint8_t zero[32];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val k = { .mv_size = 16, .mv_data = (void *)entity }, d;
    size_t n = 0;
    cz_store_close(f->s);
    f->s = NULL;
    *none = 0;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_set_mapsize(env, (size_t)64 << 20), 0);
    assert_int_equal(mdb_env_open(env, f->db, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "heads", MDB_DUPSORT | MDB_DUPFIXED, &dbi), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi, &c), 0);
    for (int rc = mdb_cursor_get(c, &k, &d, MDB_SET); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
        n++;
        if (memcmp(d.mv_data, zero, 32) == 0) (*none)++;
    }
    mdb_cursor_close(c);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    assert_int_equal(cz_store_open(f->db, 0, &f->s), CZ_OK);
    return n;
}

static int count_cb(void *ctx, const uint8_t *entity)
{
    (*(size_t *)ctx)++;
    return 0;
}

static size_t concurrent(struct tk_store *f)
{
    cz_txn *t;
    size_t n = 0;
    assert_int_equal(cz_txn_begin(f->s, 0, &t), CZ_OK);
    assert_int_equal(cz_store_each_concurrent(t, count_cb, &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

static void test_one_version_unlisted(void **state)
{
    struct tk_store *f = *state;
    uint8_t e[16], ids[4][32];
    size_t none;
    struct ent v1, v2, v3a, v3b, v4;
    memset(e, 0x31, 16);
    household(f, e, NULL, NULL, 0, "王一", &v1);
    put(f, &v1);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v1));
    assert_int_equal(listed(f, e, &none), 0);           /* versions says it */
    /* a second version: listed from now on */
    household(f, e, &v1, NULL, 0, "王二", &v2);
    put(f, &v2);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v2));
    assert_int_equal(listed(f, e, &none), 1);
    assert_int_equal(none, 0);
    /* concurrent versions, then their merge */
    household(f, e, &v2, NULL, 0, "王三", &v3a);
    household(f, e, &v2, NULL, 0, "王叁", &v3b);
    put(f, &v3a);
    put(f, &v3b);
    assert_int_equal(heads(f, e, ids), 2);
    assert_true(has(ids, 2, &v3a) && has(ids, 2, &v3b));
    assert_int_equal(concurrent(f), 1);
    household(f, e, &v3a, &v3b, 0, "王四", &v4);
    put(f, &v4);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v4));
    assert_int_equal(concurrent(f), 0);
    free(v1.buf); free(v2.buf); free(v3a.buf); free(v3b.buf); free(v4.buf);
}

/* A second version arriving before the first: the first is no head. */
static void test_second_first(void **state)
{
    struct tk_store *f = *state;
    uint8_t e[16], ids[4][32];
    size_t none;
    struct ent v1, v2;
    memset(e, 0x32, 16);
    household(f, e, NULL, NULL, 0, "李一", &v1);
    household(f, e, &v1, NULL, 0, "李二", &v2);
    put(f, &v2);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v2));
    put(f, &v1);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v2));
    assert_int_equal(listed(f, e, &none), 1);
    assert_int_equal(none, 0);
    free(v1.buf); free(v2.buf);
}

/* A version whose child, of another entity, arrived first: its entity of
 * one version has no head, listed as none; a second version of it lists
 * its heads, "none" gone. */
static void test_child_of_another_first(void **state)
{
    struct tk_store *f = *state;
    uint8_t x[16], y[16], ids[4][32];
    size_t none;
    struct ent x1, y1, x2;
    memset(x, 0x41, 16);
    memset(y, 0x42, 16);
    household(f, x, NULL, NULL, 0, "赵一", &x1);
    household(f, y, &x1, NULL, 0, "钱一", &y1);
    put(f, &y1);
    put(f, &x1);
    assert_int_equal(heads(f, x, ids), 0);
    assert_int_equal(listed(f, x, &none), 1);
    assert_int_equal(none, 1);
    assert_int_equal(heads(f, y, ids), 1);
    assert_int_equal(listed(f, y, &none), 0);
    household(f, x, &x1, NULL, 0, "赵二", &x2);
    put(f, &x2);
    assert_int_equal(heads(f, x, ids), 1);
    assert_true(has(ids, 1, &x2));
    assert_int_equal(listed(f, x, &none), 1);
    assert_int_equal(none, 0);
    free(x1.buf); free(y1.buf); free(x2.buf);
}

/* A deleted record's one version, the tombstone, is its head. */
static void test_tombstone_first(void **state)
{
    struct tk_store *f = *state;
    uint8_t e[16], ids[4][32];
    size_t none;
    struct ent v1;
    memset(e, 0x51, 16);
    household(f, e, NULL, NULL, CZ_ENTRY_FLAG_TOMBSTONE, "孙一", &v1);
    put(f, &v1);
    assert_int_equal(heads(f, e, ids), 1);
    assert_true(has(ids, 1, &v1));
    assert_int_equal(listed(f, e, &none), 0);
    free(v1.buf);
}

int main(void)
{
#define TC(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        TC(test_one_version_unlisted),
        TC(test_second_first),
        TC(test_child_of_another_first),
        TC(test_tombstone_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
