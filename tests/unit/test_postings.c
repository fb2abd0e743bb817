/* test_postings.c — the index keeps an entity's first 8 bytes under each
 * term (index_post.c): two entities whose ids share them (a signed entry
 * may name any id) are still told apart, whether put one by one or in a
 * load's deferred batches: each look-up finds exactly the entities under
 * a term, an edit of one leaves the other found, a deletion takes out only
 * its own terms.  Real LMDB, real signed entries (testkit.h). */
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
    if (!f || tk_store_open(f, "postings")) { free(f); return -1; }
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

/* A household version, signed by the fixture's author. */
static void household(struct tk_store *f, const uint8_t entity[16], const struct ent *parent, uint8_t flags,
                      const char *number, const char *head, struct ent *out)
{
    const struct cz_type *type = cz_schema_type("household");
    const char *kv[] = { "number", number, "village", VILLAGE, "head", head };
    struct cz_entry_draft d;
    struct cz_field_error err;
    uint8_t *body = NULL;
    size_t blen = 0;
    cz_body *b = cz_body_new();
    assert_non_null(b);
    for (size_t i = 0; i < 6; i += 2) assert_int_equal(cz_schema_set(type, b, kv[i], kv[i + 1], &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    tk_log_draft(&f->log, &d, ++f->hlc, entity, "household", VILLAGE, parent ? parent->id : NULL, parent ? 1 : 0,
                 body, blen);
    d.flags = flags;
    assert_int_equal(tk_log_write(&f->log, &d, tk_store_sign, f, &out->buf, &out->len, out->id), CZ_OK);
    free(body);
}

static void put(cz_txn *t, const struct ent *e)
{
    struct cz_entry de;
    int result = -1;
    assert_int_equal(cz_entry_decode(e->buf, e->len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, e->id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
}

/* Two entities with the same first 8 bytes, and a third that differs
 * only in its 8th. */
static const uint8_t A[16] = { 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 1, 1, 1, 1, 1, 1, 1, 1 };
static const uint8_t B[16] = { 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 2, 2, 2, 2, 2, 2, 2, 2 };
static const uint8_t C[16] = { 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xac, 0, 0, 0, 0, 0, 0, 0, 0 };

/* The entities under a term (or every term starting with it), as letters
 * in the order they came: "AB", "" ... */
struct got { char s[16]; size_t n; };

static int got_cb(void *ctx, const uint8_t *e)
{
    struct got *g = ctx;
    char c = memcmp(e, A, 16) == 0 ? 'A' : memcmp(e, B, 16) == 0 ? 'B' : memcmp(e, C, 16) == 0 ? 'C' : '?';
    if (g->n < sizeof g->s - 1) g->s[g->n++] = c;
    return 0;
}

static void expect(cz_txn *t, const char *gram, const char *want)
{
    char term[64];
    struct got g = { .n = 0 };
    term[0] = 'G';
    strcpy(term + 1, gram);
    assert_int_equal(cz_store_index_each(t, term, 1 + strlen(gram), got_cb, &g), CZ_OK);
    if (strcmp(g.s, want)) fail_msg("under \"%s\": got \"%s\", want \"%s\"", gram, g.s, want);
    /* each one found alone, and no other */
    for (const uint8_t *const *e = (const uint8_t *const[]){ A, B, C, NULL }; *e; e++) {
        char letter = *e == A ? 'A' : *e == B ? 'B' : 'C';
        int rc = cz_store_index_has(t, term, 1 + strlen(gram), *e);
        if (rc != (strchr(want, letter) ? CZ_OK : CZ_ENOTFOUND))
            fail_msg("\"%s\" has %c: %s", gram, letter, cz_status_name(rc));
    }
}

static void expect_type(cz_txn *t, const char *want)
{
    char term[64];
    struct got g = { .n = 0 };
    assert_int_equal(cz_store_index_each(t, term, cz_term_type(term, sizeof term, "household"), got_cb, &g), CZ_OK);
    if (strcmp(g.s, want)) fail_msg("households: got \"%s\", want \"%s\"", g.s, want);
}

static void expect_prefix(cz_txn *t, const char *prefix, const char *want)
{
    struct got g = { .n = 0 };
    assert_int_equal(cz_store_index_prefix(t, prefix, strlen(prefix), got_cb, &g), CZ_OK);
    if (strcmp(g.s, want)) fail_msg("prefix \"%s\": got \"%s\", want \"%s\"", prefix, g.s, want);
}

static void shared(void **state, int defer)
{
    struct tk_store *f = *state;
    struct ent a1, b1, c1, a2, b2;
    cz_txn *t;
    household(f, A, NULL, 0, "P-001", "王秀英", &a1);
    household(f, B, NULL, 0, "P-002", "王秀兰", &b1);
    household(f, C, NULL, 0, "P-003", "李明", &c1);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    if (defer) assert_int_equal(cz_store_defer_index(t), CZ_OK);
    put(t, &a1);
    put(t, &b1);
    put(t, &c1);
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    assert_int_equal(cz_txn_begin(f->s, 0, &t), CZ_OK);
    expect_type(t, "ABC");
    expect(t, "王", "AB");
    expect(t, "秀英", "A");
    expect(t, "秀兰", "B");
    expect(t, "英", "A");
    expect(t, "李明", "C");
    expect(t, "张", "");
    expect_prefix(t, "Sp-00", "ABC");
    expect_prefix(t, "Sp-001", "A");
    expect_prefix(t, "Pwx", "BA");          /* "wxl", then "wxy" */
    expect_prefix(t, "Pwangxiuy", "A");
    cz_txn_abort(t);

    /* A renamed: B keeps the posting they share under 王 and 秀 */
    household(f, A, &a1, 0, "P-001", "赵四", &a2);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    if (defer) assert_int_equal(cz_store_defer_index(t), CZ_OK);
    put(t, &a2);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    assert_int_equal(cz_txn_begin(f->s, 0, &t), CZ_OK);
    expect(t, "王", "B");
    expect(t, "秀", "B");
    expect(t, "秀英", "");
    expect(t, "赵四", "A");
    expect_prefix(t, "Pwx", "B");
    expect_prefix(t, "Pzs", "A");
    expect_type(t, "ABC");
    cz_txn_abort(t);

    /* B deleted: its terms go, A's stay */
    household(f, B, &b1, CZ_ENTRY_FLAG_TOMBSTONE, "P-002", "王秀兰", &b2);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    put(t, &b2);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    assert_int_equal(cz_txn_begin(f->s, 0, &t), CZ_OK);
    expect(t, "王", "");
    expect(t, "秀兰", "");
    expect(t, "赵四", "A");
    expect_type(t, "AC");
    expect_prefix(t, "Sp-00", "AC");
    cz_txn_abort(t);
    free(a1.buf); free(b1.buf); free(c1.buf); free(a2.buf); free(b2.buf);
}

static void test_shared_posting(void **state) { shared(state, 0); }
static void test_shared_posting_deferred(void **state) { shared(state, 1); }

/* The value of the first posting under a term, read with LMDB itself
 * (the store closed). */
static void first_posting(const char *db, const char *term, uint8_t post[16], size_t *len)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = { .mv_size = strlen(term), .mv_data = (void *)term }, d;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_set_mapsize(env, (size_t)64 << 20), 0);
    assert_int_equal(mdb_env_open(env, db, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "index", MDB_DUPSORT, &dbi), 0);
    assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
    assert_true(d.mv_size <= 16);
    memcpy(post, d.mv_data, d.mv_size);
    *len = d.mv_size;
    mdb_txn_abort(txn);
    mdb_env_close(env);
}

/* The index's postings are 8 bytes: what keeps it small. */
static void test_posting_size(void **state)
{
    struct tk_store *f = *state;
    struct ent a1;
    cz_txn *t;
    household(f, A, NULL, 0, "P-001", "王秀英", &a1);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    put(t, &a1);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    cz_store_close(f->s);
    f->s = NULL;
    uint8_t post[16];
    size_t len = 0;
    first_posting(f->db, "Thousehold", post, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(post, A, 8);
    assert_int_equal(cz_store_open(f->db, 0, &f->s), CZ_OK);
    free(a1.buf);
}

int main(void)
{
#define TC(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        TC(test_shared_posting),
        TC(test_shared_posting_deferred),
        TC(test_posting_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
