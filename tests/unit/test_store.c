/* test_store.c — the LMDB store: entries, logs, forks, heads (store.h),
 * and the index kept in it (index.h).
 *
 * Real LMDB in a mkdtemp folder, real Ed25519 signatures, bodies built with
 * codec.h + schema.h as the station builds them. */
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
#include <unistd.h>

#include "codec.h"
#include "entry.h"
#include "index.h"
#include "keys.h"
#include "merge.h"
#include "hex.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define VILLAGE "520123101201"

/* An author: its log (testkit.h) and the key that signs it. */
struct author { struct tk_log log; uint8_t sk[64]; };

struct fx {
    char dir[64];
    char db[96];
    cz_store *s;
    struct author a, b;
};

/* One written entry. */
struct ent { uint8_t *buf; size_t len; uint8_t id[32]; };

static uint64_t g_hlc = UINT64_C(1767225600000) << 16;

static void author_init(struct author *a)
{
    memset(&a->log, 0, sizeof a->log);
    crypto_sign_keypair(a->log.origin, a->sk);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || sodium_init() < 0) { free(f); return -1; }
    if (tk_tmpdir(f->dir, sizeof f->dir, "store")) { free(f); return -1; }
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    int rc = cz_store_open(f->db, 1, &f->s);
    if (rc != CZ_OK) {
        print_error("cz_store_open: %s\n", cz_status_name(rc));
        tk_rmtree(f->dir);
        free(f);
        return -1;
    }
    author_init(&f->a);
    author_init(&f->b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cz_store_close(f->s);
    assert_int_equal(tk_rmtree(f->dir), 0);
    free(f);
    return 0;
}

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

/* Body of `type` from NULL-terminated key, value pairs via the schema. */
static uint8_t *make_body(const char *type, const char *const *kv, size_t *len)
{
    const struct cz_type *t = cz_schema_type(type);
    cz_body *b = cz_body_new();
    uint8_t *out = NULL;
    assert_non_null(t);
    assert_non_null(b);
    for (size_t i = 0; kv[i]; i += 2) {
        struct cz_field_error err;
        int rc = cz_schema_set(t, b, kv[i], kv[i + 1], &err);
        if (rc)
            fail_msg("%s=%s: %s", kv[i], kv[i + 1], cz_status_name(rc));
    }
    assert_int_equal(cz_body_encode(b, &out, len), CZ_OK);
    cz_body_free(b);
    return out;
}

/* The author's next entry in its log. */
static void write_entry(struct author *a, const uint8_t entity[16], const char *type,
                        const char *region, const uint8_t *parents, size_t np, uint8_t flags,
                        const uint8_t *body, size_t blen, struct ent *out)
{
    struct cz_entry_draft d;
    tk_log_draft(&a->log, &d, ++g_hlc, entity, type, region, parents, np, body, blen);
    d.flags = flags;
    assert_int_equal(tk_log_write(&a->log, &d, sign_cb, a, &out->buf, &out->len, out->id), CZ_OK);
}

/* A household version. */
static void household(struct author *a, const uint8_t entity[16], const uint8_t *parents,
                      size_t np, uint8_t flags, const char *number, const char *head,
                      struct ent *out)
{
    const char *kv[] = { "number", number, "village", VILLAGE, "head", head, NULL };
    size_t blen = 0;
    uint8_t *body = make_body("household", kv, &blen);
    write_entry(a, entity, "household", VILLAGE, parents, np, flags, body, blen, out);
    free(body);
}

/* Decode, verify and put one entry in its own write transaction. */
static int put(cz_store *s, const struct ent *e)
{
    cz_txn *t = NULL;
    struct cz_entry de;
    int result = -1;
    assert_int_equal(cz_entry_decode(e->buf, e->len, &de), CZ_OK);
    assert_int_equal(cz_entry_verify(&de), CZ_OK);
    assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
    int rc = cz_store_put_entry(t, &de, e->id, &result);
    if (rc) {
        cz_txn_abort(t);
        fail_msg("put: %s", cz_status_name(rc));
    }
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    return result;
}

/* The last entry of origin's log: seq want_seq and, unless want_id is
 * NULL, that id (the seq is set to 99 first, so 0 is seen to be written). */
static void expect_log_last(const char *what, cz_txn *t, const uint8_t origin[32], uint64_t want_seq,
                            const uint8_t *want_id)
{
    uint64_t seq = 99;
    uint8_t id[32];
    tk_assert_int(what, cz_store_log_last(t, origin, &seq, id), CZ_OK);
    tk_assert_int(what, seq, want_seq);
    if (want_id) tk_assert_true(what, memcmp(id, want_id, 32) == 0);
}

static cz_txn *rtxn(cz_store *s)
{
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(s, 0, &t), CZ_OK);
    return t;
}

static void new_entity(uint8_t e[16]) { randombytes_buf(e, 16); }

static size_t count_term(cz_txn *t, const char *term, size_t len)
{
    size_t n = 99;
    assert_int_equal(cz_store_index_count(t, term, len, &n), CZ_OK);
    return n;
}

static size_t count_type(cz_txn *t, const char *type)
{
    char term[128];
    return count_term(t, term, cz_term_type(term, sizeof term, type));
}

static size_t count_exact(cz_txn *t, const char *type, const char *field, const char *value)
{
    char term[256];
    return count_term(t, term, cz_term_exact(term, sizeof term, type, field, value));
}

/* 'G' + folded text */
static size_t count_gram(cz_txn *t, const char *gram)
{
    char term[64];
    term[0] = 'G';
    strcpy(term + 1, gram);
    return count_term(t, term, 1 + strlen(gram));
}

struct collect { uint8_t ids[16][32]; size_t n, size; };

static int collect_cb(void *ctx, const uint8_t *id)
{
    struct collect *c = ctx;
    if (c->n < 16) memcpy(c->ids[c->n], id, c->size);
    c->n++;
    return 0;
}

static size_t heads(cz_txn *t, const uint8_t entity[16], uint8_t ids[][32], size_t max)
{
    size_t n = 99;
    assert_int_equal(cz_store_heads(t, entity, ids, max, &n), CZ_OK);
    return n;
}

static void free_ent(struct ent *e) { free(e->buf); e->buf = NULL; }

/* --- open, put, duplicate ------------------------------------------------ */

static void test_open_missing_without_create(void **state)
{
    struct fx *f = *state;
    cz_store *s = (cz_store *)0x1;
    char path[128];
    snprintf(path, sizeof path, "%s/nothing-here", f->dir);
    assert_int_equal(cz_store_open(path, 0, &s), CZ_ENOINIT);
    assert_null(s);
    assert_int_not_equal(access(path, F_OK), 0);
    cz_store_close(NULL);
    cz_txn_abort(NULL);
}

static void test_put_new_duplicate_get(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16];
    struct ent e1;
    struct cz_entry got;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-001", "王秀英", &e1);
    assert_int_equal(put(f->s, &e1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &e1), CZ_PUT_DUPLICATE);

    cz_txn *t = rtxn(f->s);
    assert_int_equal(cz_store_get_entry(t, e1.id, &got), CZ_OK);
    assert_int_equal(got.raw_len, e1.len);
    assert_memory_equal(got.raw, e1.buf, e1.len);
    assert_int_equal(cz_entry_verify(&got), CZ_OK);
    assert_string_equal(got.type, "household");
    assert_string_equal(got.region, VILLAGE);
    assert_memory_equal(got.entity, ent, 16);

    uint8_t missing[32];
    memset(missing, 0x5a, sizeof missing);
    assert_int_equal(cz_store_get_entry(t, missing, &got), CZ_ENOTFOUND);

    struct collect c = { .size = 32 };
    assert_int_equal(cz_store_versions(t, ent, collect_cb, &c), CZ_OK);
    assert_int_equal(c.n, 1);
    assert_memory_equal(c.ids[0], e1.id, 32);

    struct cz_store_stats st;
    assert_int_equal(cz_store_stats(t, &st), CZ_OK);
    size_t records = 0;
    assert_int_equal(st.entries, 1);
    assert_int_equal(cz_store_count_records(t, &records), CZ_OK);
    assert_int_equal(records, 1);
    assert_int_equal(st.logs, 1);
    assert_int_equal(st.forks, 0);
    assert_true(st.db_bytes > 0);
    cz_txn_abort(t);
    free_ent(&e1);
}

/* --- logs and forks ------------------------------------------------------ */

struct raw_list { size_t n; uint8_t keys[8][72]; size_t klen[8]; };

static int raw_cb(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    struct raw_list *r = ctx;
    if (r->n < 8 && klen <= 72) { memcpy(r->keys[r->n], k, klen); r->klen[r->n] = klen; }
    r->n++;
    return 0;
}

static int stop_cb(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    (*(int *)ctx)++;
    return 42;
}

static void test_logs(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], id[32];
    struct ent e[3], eb;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-001", "王秀英", &e[0]);
    household(&f->a, ent, e[0].id, 1, 0, "YSW-001", "王秀英", &e[1]);
    household(&f->a, ent, e[1].id, 1, 0, "YSW-001", "王秀兰", &e[2]);
    uint8_t ent2[16];
    new_entity(ent2);
    household(&f->b, ent2, NULL, 0, 0, "YSW-002", "李四", &eb);
    for (int i = 0; i < 3; i++)
        assert_int_equal(put(f->s, &e[i]), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &eb), CZ_PUT_NEW);

    cz_txn *t = rtxn(f->s);
    expect_log_last("a's log", t, f->a.log.origin, 3, e[2].id);
    expect_log_last("b's log", t, f->b.log.origin, 1, eb.id);
    for (uint64_t s = 1; s <= 3; s++) {
        assert_int_equal(cz_store_log_get(t, f->a.log.origin, s, id), CZ_OK);
        assert_memory_equal(id, e[s - 1].id, 32);
    }
    assert_int_equal(cz_store_log_get(t, f->a.log.origin, 4, id), CZ_ENOTFOUND);
    assert_int_equal(cz_store_log_get(t, f->a.log.origin, 0, id), CZ_ENOTFOUND);
    assert_int_equal(cz_store_log_get(t, f->b.log.origin, 2, id), CZ_ENOTFOUND);

    /* An origin with no log, both below and above every stored one. */
    uint8_t lo[32], hi[32];
    memset(lo, 0x00, 32);
    memset(hi, 0xff, 32);
    expect_log_last("no log, below", t, lo, 0, NULL);
    expect_log_last("no log, above", t, hi, 0, NULL);

    struct raw_list r = { 0 };
    assert_int_equal(cz_store_each_log(t, raw_cb, &r), CZ_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.klen[0], 40);
    r.n = 0;
    assert_int_equal(cz_store_each_entry(t, raw_cb, &r), CZ_OK);
    assert_int_equal(r.n, 4);
    int calls = 0;
    assert_int_equal(cz_store_each_entry(t, stop_cb, &calls), 42);
    assert_int_equal(calls, 1);
    cz_txn_abort(t);

    for (int i = 0; i < 3; i++) free_ent(&e[i]);
    free_ent(&eb);
}

/* A log that is empty for one origin while a neighbour's is not. */
static void test_log_last_neighbours(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16];
    struct author lo, mid, hi;
    struct ent el, eh;

    /* Origins chosen by hand: any Ed25519 key will do for the store. */
    author_init(&lo);
    author_init(&hi);
    author_init(&mid);
    struct author *ord[3] = { &lo, &mid, &hi };
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (memcmp(ord[i]->log.origin, ord[j]->log.origin, 32) > 0) {
                struct author tmp = *ord[i]; *ord[i] = *ord[j]; *ord[j] = tmp;
            }
    new_entity(ent);
    household(&lo, ent, NULL, 0, 0, "N-1", "甲", &el);
    household(&hi, ent, NULL, 0, 0, "N-2", "乙", &eh);
    assert_int_equal(put(f->s, &el), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &eh), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    expect_log_last("the empty middle log", t, mid.log.origin, 0, NULL);
    expect_log_last("the lower log", t, lo.log.origin, 1, el.id);
    expect_log_last("the higher log", t, hi.log.origin, 1, eh.id);
    cz_txn_abort(t);
    free_ent(&el);
    free_ent(&eh);
}

/* The highest possible seq is still the last one. */
static void test_log_last_max_seq(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], id[32];
    struct ent e1, emax;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "N-1", "甲", &e1);
    f->a.log.seq = UINT64_MAX - 1;          /* the next entry gets seq 2^64-1 */
    household(&f->a, ent, e1.id, 1, 0, "N-2", "甲", &emax);
    assert_int_equal(put(f->s, &e1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &emax), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(cz_store_log_get(t, f->a.log.origin, UINT64_MAX, id), CZ_OK);
    assert_memory_equal(id, emax.id, 32);
    expect_log_last("seq 2^64-1", t, f->a.log.origin, UINT64_MAX, emax.id);
    cz_txn_abort(t);
    free_ent(&e1);
    free_ent(&emax);
}

static void test_fork(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], hid[4][32];
    struct ent e1, e2, fork2;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-001", "王秀英", &e1);
    household(&f->a, ent, e1.id, 1, 0, "YSW-001", "王秀兰", &e2);
    /* Rewind the author: same origin and seq 2, other content. */
    f->a.log.seq = 1;
    memcpy(f->a.log.last, e1.id, 32);
    household(&f->a, ent, e1.id, 1, 0, "YSW-001", "王秀梅", &fork2);
    assert_memory_not_equal(e2.id, fork2.id, 32);

    assert_int_equal(put(f->s, &e1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &e2), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &fork2), CZ_PUT_FORK);
    assert_int_equal(put(f->s, &fork2), CZ_PUT_DUPLICATE);
    assert_int_equal(put(f->s, &e2), CZ_PUT_DUPLICATE);

    cz_txn *t = rtxn(f->s);
    struct raw_list r = { 0 };
    assert_int_equal(cz_store_each_fork(t, raw_cb, &r), CZ_OK);
    assert_int_equal(r.n, 2);
    int seen_e2 = 0, seen_fork = 0;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r.klen[i], 72);
        assert_memory_equal(r.keys[i], f->a.log.origin, 32);
        for (int b = 0; b < 7; b++) assert_int_equal(r.keys[i][32 + b], 0);
        assert_int_equal(r.keys[i][39], 2);
        seen_e2 += memcmp(r.keys[i] + 40, e2.id, 32) == 0;
        seen_fork += memcmp(r.keys[i] + 40, fork2.id, 32) == 0;
    }
    assert_int_equal(seen_e2, 1);
    assert_int_equal(seen_fork, 1);

    /* Kept as evidence, not applied: the log and the heads are e2's. */
    expect_log_last("the fork not applied", t, f->a.log.origin, 2, e2.id);
    assert_int_equal(heads(t, ent, hid, 4), 1);
    assert_memory_equal(hid[0], e2.id, 32);
    struct cz_entry got;
    assert_int_equal(cz_store_get_entry(t, fork2.id, &got), CZ_OK);
    assert_int_equal(cz_entry_verify(&got), CZ_OK);
    struct collect c = { .size = 32 };
    assert_int_equal(cz_store_versions(t, ent, collect_cb, &c), CZ_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(count_gram(t, "梅"), 0);
    assert_int_equal(count_gram(t, "兰"), 1);
    struct cz_store_stats st;
    assert_int_equal(cz_store_stats(t, &st), CZ_OK);
    assert_int_equal(st.entries, 3);
    assert_int_equal(st.logs, 2);
    assert_int_equal(st.forks, 1);
    cz_txn_abort(t);
    free_ent(&e1);
    free_ent(&e2);
    free_ent(&fork2);
}

/* --- heads --------------------------------------------------------------- */

static void test_heads_edit_concurrent_merge(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[4][32], parents[2][32];
    struct ent v1, v2, ca, cb, m;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-001", "王秀英", &v1);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 1);
    assert_memory_equal(ids[0], v1.id, 32);
    cz_txn_abort(t);

    /* an edit replaces the head */
    household(&f->a, ent, v1.id, 1, 0, "YSW-001", "王秀兰", &v2);
    assert_int_equal(put(f->s, &v2), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 1);
    assert_memory_equal(ids[0], v2.id, 32);
    cz_txn_abort(t);

    /* two concurrent edits of v2, by two people: two heads, newest first */
    household(&f->a, ent, v2.id, 1, 0, "YSW-001A", "王秀兰", &ca);
    household(&f->b, ent, v2.id, 1, 0, "YSW-001B", "王秀兰", &cb);   /* later hlc */
    assert_int_equal(put(f->s, &cb), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &ca), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 2);
    assert_memory_equal(ids[0], cb.id, 32);
    assert_memory_equal(ids[1], ca.id, 32);
    /* max smaller than the count: n says 2, only the newest is filled */
    memset(ids, 0, sizeof ids);
    assert_int_equal(heads(t, ent, ids, 1), 2);
    assert_memory_equal(ids[0], cb.id, 32);
    assert_int_equal(heads(t, ent, ids, 0), 2);
    /* both heads are indexed */
    assert_int_equal(count_exact(t, "household", "number", "YSW-001A"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001B"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001"), 0);
    assert_int_equal(count_type(t, "household"), 1);
    cz_txn_abort(t);

    /* a merge with both as parents: one head again */
    memcpy(parents[0], ca.id, 32);
    memcpy(parents[1], cb.id, 32);
    household(&f->a, ent, &parents[0][0], 2, 0, "YSW-001C", "王秀兰", &m);
    assert_int_equal(put(f->s, &m), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 1);
    assert_memory_equal(ids[0], m.id, 32);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001A"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001B"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001C"), 1);
    struct collect c = { .size = 32 };
    assert_int_equal(cz_store_versions(t, ent, collect_cb, &c), CZ_OK);
    assert_int_equal(c.n, 5);
    /* no such entity */
    uint8_t other[16];
    new_entity(other);
    assert_int_equal(heads(t, other, ids, 4), 0);
    cz_txn_abort(t);

    free_ent(&v1); free_ent(&v2); free_ent(&ca); free_ent(&cb); free_ent(&m);
}

/* Entity with two heads is still one entity. */
/* Two heads of one author at one clock (a signer that reused its clock):
 * the id decides, and the store's head order, which every reader shows,
 * names the same winner as the merge's conflict list. */
static void test_heads_tie_same_winner_as_merge(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[4][32];
    struct ent v1, c1, c2;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-009", "王一", &v1);
    household(&f->a, ent, v1.id, 1, 0, "YSW-009", "王二", &c1);
    g_hlc--;                      /* the next version reuses c1's clock */
    household(&f->a, ent, v1.id, 1, 0, "YSW-009", "王三", &c2);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &c1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &c2), CZ_PUT_NEW);

    cz_txn *t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 2);
    const uint8_t *higher = memcmp(c1.id, c2.id, 32) > 0 ? c1.id : c2.id;
    assert_memory_equal(ids[0], higher, 32);
    struct cz_merged m = { 0 };
    assert_int_equal(cz_merge_entity(t, ent, &m), CZ_OK);
    assert_int_equal(m.nconflicts, 1);
    assert_memory_equal(m.conflicts[0].v[0].head, ids[0], 32);
    cz_merged_free(&m);
    cz_txn_abort(t);
    free_ent(&v1);
    free_ent(&c1);
    free_ent(&c2);
}

static void test_stats_entities_with_two_heads(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16];
    struct ent v1, ca, cb;
    struct cz_store_stats st;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-001", "王秀英", &v1);
    household(&f->a, ent, v1.id, 1, 0, "YSW-001A", "王秀英", &ca);
    household(&f->b, ent, v1.id, 1, 0, "YSW-001B", "王秀英", &cb);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &ca), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &cb), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(cz_store_stats(t, &st), CZ_OK);
    size_t records = 0;
    assert_int_equal(st.entries, 3);
    assert_int_equal(cz_store_count_records(t, &records), CZ_OK);
    assert_int_equal(records, 1);
    cz_txn_abort(t);
    free_ent(&v1); free_ent(&ca); free_ent(&cb);
}

static void test_child_before_parent(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[4][32];
    struct ent v1, v2, v3;

    /* v1 <- v2 <- v3; they arrive v1, v3, v2 */
    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-009", "张三", &v1);
    household(&f->a, ent, v1.id, 1, 0, "YSW-009", "张三丰", &v2);
    household(&f->b, ent, v2.id, 1, 0, "YSW-010", "张三丰", &v3);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &v3), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 2);   /* v1 is not yet known to be superseded */
    cz_txn_abort(t);
    assert_int_equal(put(f->s, &v2), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 4), 1);
    assert_memory_equal(ids[0], v3.id, 32);
    assert_int_equal(count_exact(t, "household", "number", "YSW-010"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-009"), 0);
    cz_txn_abort(t);

    /* Child first of all: a new entity whose creation arrives last. */
    uint8_t ent2[16];
    struct ent w1, w2;
    new_entity(ent2);
    household(&f->a, ent2, NULL, 0, 0, "YSW-020", "赵六", &w1);
    household(&f->b, ent2, w1.id, 1, 0, "YSW-021", "赵六", &w2);
    assert_int_equal(put(f->s, &w2), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &w1), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent2, ids, 4), 1);
    assert_memory_equal(ids[0], w2.id, 32);
    assert_int_equal(count_exact(t, "household", "number", "YSW-021"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-020"), 0);
    cz_txn_abort(t);

    free_ent(&v1); free_ent(&v2); free_ent(&v3); free_ent(&w1); free_ent(&w2);
}

/* --- index --------------------------------------------------------------- */

struct find { const uint8_t *want; int found; size_t n; };

static int find_cb(void *ctx, const uint8_t *id)
{
    struct find *fd = ctx;
    fd->n++;
    if (memcmp(id, fd->want, 16) == 0) fd->found = 1;
    return 0;
}

static int stop_id_cb(void *ctx, const uint8_t *id)
{
    (*(int *)ctx)++;
    return 7;
}

static void test_index_terms(void **state)
{
    struct fx *f = *state;
    uint8_t e1[16], e2[16];
    struct ent h1, h2, h1b;
    char term[256];
    size_t tl;

    new_entity(e1);
    new_entity(e2);
    household(&f->a, e1, NULL, 0, 0, "YSW-001", "王秀英", &h1);
    household(&f->a, e2, NULL, 0, 0, "YSW-002", "Wang Li", &h2);
    assert_int_equal(put(f->s, &h1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &h2), CZ_PUT_NEW);

    cz_txn *t = rtxn(f->s);
    assert_int_equal(count_type(t, "household"), 2);
    assert_int_equal(count_type(t, "member"), 0);
    tl = cz_term_region(term, sizeof term, "household", VILLAGE);
    assert_int_equal(count_term(t, term, tl), 2);
    tl = cz_term_region(term, sizeof term, "household", "520123101202");
    assert_int_equal(count_term(t, term, tl), 0);

    tl = cz_term_exact(term, sizeof term, "household", "number", "YSW-001");
    assert_int_equal(count_term(t, term, tl), 1);
    struct find fd = { e1, 0, 0 };
    assert_int_equal(cz_store_index_each(t, term, tl, find_cb, &fd), CZ_OK);
    assert_int_equal(fd.n, 1);
    assert_true(fd.found);
    assert_int_equal(count_exact(t, "household", "number", "YSW-00"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-0011"), 0);
    assert_int_equal(count_exact(t, "household", "head", "王秀英"), 0);   /* not an exact field */

    /* n-grams of the name: every 1- and 2-character piece */
    static const char *const grams[] = { "王", "秀", "英", "王秀", "秀英" };
    for (size_t i = 0; i < sizeof grams / sizeof *grams; i++) {
        tl = (size_t)snprintf(term, sizeof term, "G%s", grams[i]);
        fd = (struct find){ e1, 0, 0 };
        assert_int_equal(cz_store_index_each(t, term, tl, find_cb, &fd), CZ_OK);
        if (!fd.found) fail_msg("gram %s does not find the household", grams[i]);
        assert_int_equal(fd.n, 1);
    }
    assert_int_equal(count_gram(t, "王英"), 0);
    assert_int_equal(count_gram(t, "王秀英"), 0);   /* only 1 and 2 characters */
    /* folded: case and white space gone */
    assert_int_equal(count_gram(t, "wa"), 1);
    assert_int_equal(count_gram(t, "gl"), 1);
    assert_int_equal(count_gram(t, "li"), 1);
    assert_int_equal(count_gram(t, "Wa"), 0);
    assert_int_equal(count_gram(t, "g "), 0);
    /* number is not a name field */
    assert_int_equal(count_gram(t, "ys"), 0);

    int calls = 0;
    tl = cz_term_type(term, sizeof term, "household");
    assert_int_equal(cz_store_index_each(t, term, tl, stop_id_cb, &calls), 7);
    assert_int_equal(calls, 1);
    cz_txn_abort(t);

    /* An edit moves the terms. */
    household(&f->a, e1, h1.id, 1, 0, "YSW-101", "王秀兰", &h1b);
    assert_int_equal(put(f->s, &h1b), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(count_exact(t, "household", "number", "YSW-001"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-101"), 1);
    assert_int_equal(count_gram(t, "英"), 0);
    assert_int_equal(count_gram(t, "秀英"), 0);
    assert_int_equal(count_gram(t, "秀兰"), 1);
    assert_int_equal(count_gram(t, "王秀"), 1);
    assert_int_equal(count_type(t, "household"), 2);
    cz_txn_abort(t);

    free_ent(&h1); free_ent(&h2); free_ent(&h1b);
}

static void test_index_link_and_tombstone(void **state)
{
    struct fx *f = *state;
    uint8_t hh[16], mem[16];
    struct ent h, m, del, mdel;
    char term[64], hex[33];
    size_t tl;

    new_entity(hh);
    new_entity(mem);
    household(&f->a, hh, NULL, 0, 0, "YSW-007", "刘备", &h);
    cz_hex(hh, 16, hex);
    {
        const char *kv[] = { "household", hex, "name", "刘禅", NULL };
        size_t blen;
        uint8_t *body = make_body("member", kv, &blen);
        write_entry(&f->a, mem, "member", VILLAGE, NULL, 0, 0, body, blen, &m);
        free(body);
    }
    assert_int_equal(put(f->s, &h), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &m), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    tl = cz_term_link(term, sizeof term, hh, 16);
    assert_int_equal(tl, 17);
    struct find fd = { mem, 0, 0 };
    assert_int_equal(cz_store_index_each(t, term, tl, find_cb, &fd), CZ_OK);
    assert_int_equal(fd.n, 1);
    assert_true(fd.found);
    assert_int_equal(count_type(t, "member"), 1);
    assert_int_equal(count_gram(t, "刘"), 2);
    assert_int_equal(cz_term_link(term, 16, hh, 16), 0);
    cz_txn_abort(t);

    /* The household is deleted: a tombstone version with the head as parent. */
    household(&f->a, hh, h.id, 1, CZ_ENTRY_FLAG_TOMBSTONE, "YSW-007", "刘备", &del);
    assert_int_equal(put(f->s, &del), CZ_PUT_NEW);
    t = rtxn(f->s);
    uint8_t ids[2][32];
    assert_int_equal(heads(t, hh, ids, 2), 1);
    assert_memory_equal(ids[0], del.id, 32);
    assert_int_equal(count_type(t, "household"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-007"), 0);
    assert_int_equal(count_gram(t, "备"), 0);
    assert_int_equal(count_gram(t, "刘"), 1);   /* the member still */
    tl = cz_term_region(term, sizeof term, "household", VILLAGE);
    assert_int_equal(count_term(t, term, tl), 0);
    cz_txn_abort(t);

    /* Deleting the member (tombstone with an empty body) removes its link. */
    write_entry(&f->a, mem, "member", VILLAGE, m.id, 1, CZ_ENTRY_FLAG_TOMBSTONE, NULL, 0, &mdel);
    assert_int_equal(put(f->s, &mdel), CZ_PUT_NEW);
    t = rtxn(f->s);
    tl = cz_term_link(term, sizeof term, hh, 16);
    assert_int_equal(count_term(t, term, tl), 0);
    assert_int_equal(count_type(t, "member"), 0);
    assert_int_equal(count_gram(t, "刘"), 0);
    cz_txn_abort(t);

    free_ent(&h); free_ent(&m); free_ent(&del); free_ent(&mdel);
}

/* A tombstone concurrent with a live edit: the live head stays findable. */
static void test_tombstone_concurrent_with_edit(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[2][32];
    struct ent v1, del, edit;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-030", "孙权", &v1);
    household(&f->a, ent, v1.id, 1, CZ_ENTRY_FLAG_TOMBSTONE, "YSW-030", "孙权", &del);
    household(&f->b, ent, v1.id, 1, 0, "YSW-031", "孙权", &edit);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &del), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(count_type(t, "household"), 0);
    cz_txn_abort(t);
    assert_int_equal(put(f->s, &edit), CZ_PUT_NEW);
    t = rtxn(f->s);
    assert_int_equal(heads(t, ent, ids, 2), 2);
    assert_int_equal(count_type(t, "household"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-031"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-030"), 0);
    cz_txn_abort(t);
    free_ent(&v1); free_ent(&del); free_ent(&edit);
}

/* An unknown type (from a newer build) is stored and counted, not indexed further. */
static void test_unknown_type(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16];
    struct ent e;
    static const uint8_t body[] = { 0x01, 0x03, 0x02, 'h', 'i' };

    new_entity(ent);
    write_entry(&f->a, ent, "future_thing", "52", NULL, 0, 0, body, sizeof body, &e);
    assert_int_equal(put(f->s, &e), CZ_PUT_NEW);
    cz_txn *t = rtxn(f->s);
    assert_int_equal(count_type(t, "future_thing"), 1);
    assert_int_equal(count_gram(t, "hi"), 0);
    cz_txn_abort(t);
    free_ent(&e);
}

/* --- resolve ------------------------------------------------------------- */

static void test_resolve(void **state)
{
    struct fx *f = *state;
    uint8_t a[16], b[16], c[16], out[16], id[32];
    struct ent ea, eb, ec;

    /* a and b share 4 bytes and a nibble; c is elsewhere */
    memset(a, 0, 16);
    memcpy(a, "\xaa\xbb\xcc\xdd\x01", 5);
    a[15] = 1;
    memcpy(b, a, 16);
    b[4] = 0x02;
    memset(c, 0x11, 16);
    household(&f->a, a, NULL, 0, 0, "R-1", "甲", &ea);
    household(&f->a, b, NULL, 0, 0, "R-2", "乙", &eb);
    household(&f->a, c, NULL, 0, 0, "R-3", "丙", &ec);
    assert_int_equal(put(f->s, &ea), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &eb), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &ec), CZ_PUT_NEW);

    cz_txn *t = rtxn(f->s);
    assert_int_equal(cz_store_resolve_entity(t, "aabbccdd01", out), CZ_OK);
    assert_memory_equal(out, a, 16);
    assert_int_equal(cz_store_resolve_entity(t, "AABBCCDD02", out), CZ_OK);
    assert_memory_equal(out, b, 16);
    assert_int_equal(cz_store_resolve_entity(t, "111111", out), CZ_OK);
    assert_memory_equal(out, c, 16);
    assert_int_equal(cz_store_resolve_entity(t, "1111111", out), CZ_OK);   /* odd length */
    assert_memory_equal(out, c, 16);
    char full[33];
    cz_hex(a, 16, full);
    assert_int_equal(cz_store_resolve_entity(t, full, out), CZ_OK);
    assert_memory_equal(out, a, 16);

    assert_int_equal(cz_store_resolve_entity(t, "aabbcc", out), CZ_EAMBIG);
    assert_int_equal(cz_store_resolve_entity(t, "aabbccd", out), CZ_EAMBIG);
    assert_int_equal(cz_store_resolve_entity(t, "aabbccdd0", out), CZ_EAMBIG);
    assert_int_equal(cz_store_resolve_entity(t, "aabbccdd03", out), CZ_ENOTFOUND);
    assert_int_equal(cz_store_resolve_entity(t, "ffffff", out), CZ_ENOTFOUND);
    assert_int_equal(cz_store_resolve_entity(t, "000000", out), CZ_ENOTFOUND);
    assert_int_equal(cz_store_resolve_entity(t, "aabbce", out), CZ_ENOTFOUND);
    assert_int_equal(cz_store_resolve_entity(t, "aabbc", out), CZ_EINVAL);     /* short */
    assert_int_equal(cz_store_resolve_entity(t, "", out), CZ_EINVAL);
    assert_int_equal(cz_store_resolve_entity(t, "aabbzz", out), CZ_EINVAL);   /* not hex */
    assert_int_equal(cz_store_resolve_entity(t, "aabb-ccdd", out), CZ_EINVAL);
    assert_int_equal(cz_store_resolve_entity(t, " aabbcc", out), CZ_EINVAL);
    {
        char longer[40];
        snprintf(longer, sizeof longer, "%s0", full);                          /* 33 digits */
        assert_int_equal(cz_store_resolve_entity(t, longer, out), CZ_EINVAL);
    }

    /* entries by id prefix */
    char idhex[65];
    cz_hex(eb.id, 32, idhex);
    assert_int_equal(cz_store_resolve_entry(t, idhex, id), CZ_OK);
    assert_memory_equal(id, eb.id, 32);
    idhex[12] = 0;
    assert_int_equal(cz_store_resolve_entry(t, idhex, id), CZ_OK);
    assert_memory_equal(id, eb.id, 32);
    /* an entity's prefix is not an entry's */
    assert_int_equal(cz_store_resolve_entry(t, "aabbccdd01", id) == CZ_OK &&
                     memcmp(id, ea.id, 32) == 0, 0);
    cz_txn_abort(t);
    free_ent(&ea); free_ent(&eb); free_ent(&ec);
}

/* --- transactions and durability ----------------------------------------- */

static void test_abort_leaves_nothing(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[2][32];
    struct ent e;
    struct cz_entry de;
    int result = -1;
    const uint8_t *blob;
    size_t len;

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-404", "无名", &e);
    assert_int_equal(cz_entry_decode(e.buf, e.len, &de), CZ_OK);
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, e.id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
    assert_int_equal(cz_meta_put_str(t, "name", "gone"), CZ_OK);
    assert_int_equal(cz_user_put(t, "ghost", (const uint8_t *)"x", 1), CZ_OK);
    /* visible inside the transaction */
    assert_int_equal(count_exact(t, "household", "number", "YSW-404"), 1);
    cz_txn_abort(t);

    t = rtxn(f->s);
    struct cz_entry got;
    assert_int_equal(cz_store_get_entry(t, e.id, &got), CZ_ENOTFOUND);
    expect_log_last("nothing committed", t, f->a.log.origin, 0, NULL);
    assert_int_equal(heads(t, ent, ids, 2), 0);
    assert_int_equal(count_type(t, "household"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-404"), 0);
    assert_int_equal(count_gram(t, "无"), 0);
    char buf[16];
    assert_int_equal(cz_meta_get_str(t, "name", buf, sizeof buf), CZ_ENOTFOUND);
    assert_int_equal(cz_user_get(t, "ghost", &blob, &len), CZ_ENOUSER);
    assert_int_equal(cz_store_resolve_entity(t, "000000", ent), CZ_ENOTFOUND);
    struct cz_store_stats st;
    assert_int_equal(cz_store_stats(t, &st), CZ_OK);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.logs, 0);
    cz_txn_abort(t);

    /* and it can then be put for real */
    assert_int_equal(put(f->s, &e), CZ_PUT_NEW);
    free_ent(&e);
}

/* cz_store_defer_index: what a transaction reads of the index includes
 * the terms it deferred; cz_store_index_count_stored counts only what was
 * put; an edit of a deferred entity takes its deferred terms out; the
 * commit puts the rest, an abort drops them; a read transaction refuses. */
static void test_defer_index(void **state)
{
    struct fx *f = *state;
    uint8_t e1[16], e2[16], e3[16];
    struct ent h1, h2, h3, h1b;
    struct cz_entry de;
    int result = -1;
    char term[256];
    size_t tl, n = 99;

    new_entity(e1);
    new_entity(e2);
    new_entity(e3);
    household(&f->a, e1, NULL, 0, 0, "YSW-701", "王秀英", &h1);
    household(&f->a, e2, NULL, 0, 0, "YSW-702", "李明", &h2);
    household(&f->a, e1, h1.id, 1, 0, "YSW-711", "王秀兰", &h1b);
    household(&f->a, e3, NULL, 0, 0, "YSW-703", "张华", &h3);

    cz_txn *t = rtxn(f->s);
    assert_int_equal(cz_store_defer_index(t), CZ_EINVAL);
    cz_txn_abort(t);

    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_store_defer_index(t), CZ_OK);
    assert_int_equal(cz_entry_decode(h1.buf, h1.len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, h1.id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
    assert_int_equal(cz_entry_decode(h2.buf, h2.len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, h2.id, &result), CZ_OK);
    tl = cz_term_exact(term, sizeof term, "household", "number", "YSW-701");
    assert_int_equal(cz_store_index_count_stored(t, term, tl, &n), CZ_OK);
    assert_int_equal(n, 0);                               /* not put yet */
    assert_int_equal(count_type(t, "household"), 2);      /* a read puts them */
    assert_int_equal(cz_store_index_count_stored(t, term, tl, &n), CZ_OK);
    assert_int_equal(n, 1);
    /* an edit of a deferred first version */
    assert_int_equal(cz_entry_decode(h3.buf, h3.len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, h3.id, &result), CZ_OK);
    assert_int_equal(cz_entry_decode(h1b.buf, h1b.len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, h1b.id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    t = rtxn(f->s);
    assert_int_equal(count_type(t, "household"), 3);
    assert_int_equal(count_exact(t, "household", "number", "YSW-701"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-711"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-703"), 1);
    assert_int_equal(count_gram(t, "秀英"), 0);
    assert_int_equal(count_gram(t, "秀兰"), 1);
    assert_int_equal(count_gram(t, "张华"), 1);
    cz_txn_abort(t);

    /* deferred and aborted: nothing */
    uint8_t e4[16];
    struct ent h4;
    new_entity(e4);
    household(&f->a, e4, NULL, 0, 0, "YSW-704", "赵六", &h4);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_store_defer_index(t), CZ_OK);
    assert_int_equal(cz_entry_decode(h4.buf, h4.len, &de), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, h4.id, &result), CZ_OK);
    cz_txn_abort(t);
    t = rtxn(f->s);
    assert_int_equal(count_type(t, "household"), 3);
    assert_int_equal(count_gram(t, "赵六"), 0);
    cz_txn_abort(t);
    free_ent(&h1); free_ent(&h2); free_ent(&h3); free_ent(&h1b); free_ent(&h4);
}

static void test_reopen_keeps_everything(void **state)
{
    struct fx *f = *state;
    uint8_t ent[16], ids[2][32];
    struct ent v1, v2;
    uint64_t u;
    const uint8_t *blob;
    size_t len;
    char buf[64];

    new_entity(ent);
    household(&f->a, ent, NULL, 0, 0, "YSW-500", "周瑜", &v1);
    household(&f->a, ent, v1.id, 1, 0, "YSW-501", "周瑜", &v2);
    assert_int_equal(put(f->s, &v1), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &v2), CZ_PUT_NEW);
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_meta_put_str(t, "station", "杨树湾"), CZ_OK);
    assert_int_equal(cz_meta_put_u64(t, "hlc", UINT64_C(0x0102030405060708)), CZ_OK);
    assert_int_equal(cz_user_put(t, "clerk", (const uint8_t *)"blob-1", 6), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    cz_store_close(f->s);
    f->s = NULL;
    assert_int_equal(cz_store_open(f->db, 0, &f->s), CZ_OK);

    t = rtxn(f->s);
    struct cz_entry got;
    assert_int_equal(cz_store_get_entry(t, v1.id, &got), CZ_OK);
    assert_memory_equal(got.raw, v1.buf, v1.len);
    assert_int_equal(cz_store_get_entry(t, v2.id, &got), CZ_OK);
    assert_int_equal(cz_entry_verify(&got), CZ_OK);
    expect_log_last("after v2", t, f->a.log.origin, 2, v2.id);
    assert_int_equal(heads(t, ent, ids, 2), 1);
    assert_memory_equal(ids[0], v2.id, 32);
    assert_int_equal(count_exact(t, "household", "number", "YSW-501"), 1);
    assert_int_equal(count_exact(t, "household", "number", "YSW-500"), 0);
    assert_int_equal(count_gram(t, "周瑜"), 1);
    assert_int_equal(cz_meta_get_str(t, "station", buf, sizeof buf), CZ_OK);
    assert_string_equal(buf, "杨树湾");
    assert_int_equal(cz_meta_get_u64(t, "hlc", &u), CZ_OK);
    assert_true(u == UINT64_C(0x0102030405060708));
    assert_int_equal(cz_user_get(t, "clerk", &blob, &len), CZ_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(blob, "blob-1", 6);
    cz_txn_abort(t);

    /* Still writable after reopening: the index keeps up. */
    struct ent v3;
    household(&f->a, ent, v2.id, 1, 0, "YSW-502", "周瑜", &v3);
    assert_int_equal(put(f->s, &v3), CZ_PUT_NEW);
    assert_int_equal(put(f->s, &v1), CZ_PUT_DUPLICATE);
    t = rtxn(f->s);
    assert_int_equal(count_exact(t, "household", "number", "YSW-501"), 0);
    assert_int_equal(count_exact(t, "household", "number", "YSW-502"), 1);
    cz_txn_abort(t);
    free_ent(&v1); free_ent(&v2); free_ent(&v3);
}

/* --- meta and users ------------------------------------------------------ */

static void test_meta(void **state)
{
    struct fx *f = *state;
    cz_txn *t = NULL;
    char buf[8];
    uint64_t u = 5;
    const void *v;
    size_t len;

    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(cz_meta_get_str(t, "nope", buf, sizeof buf), CZ_ENOTFOUND);
    assert_string_equal(buf, "");
    assert_int_equal(cz_meta_get_u64(t, "nope", &u), CZ_ENOTFOUND);
    assert_int_equal(u, 0);
    assert_int_equal(cz_meta_get(t, "nope", &v, &len), CZ_ENOTFOUND);

    assert_int_equal(cz_meta_put_str(t, "name", "yangshuwan"), CZ_OK);
    assert_int_equal(cz_meta_get_str(t, "name", buf, sizeof buf), CZ_OK);
    assert_string_equal(buf, "yangshu");            /* cut to fit, terminated */
    assert_int_equal(cz_meta_put_str(t, "name", "ysw"), CZ_OK);   /* replace */
    assert_int_equal(cz_meta_get_str(t, "name", buf, sizeof buf), CZ_OK);
    assert_string_equal(buf, "ysw");
    assert_int_equal(cz_meta_put_str(t, "empty", ""), CZ_OK);
    assert_int_equal(cz_meta_get_str(t, "empty", buf, sizeof buf), CZ_OK);
    assert_string_equal(buf, "");

    static const uint64_t vals[] = { 0, 1, 255, 256, UINT64_C(0x0102030405060708), UINT64_MAX };
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        assert_int_equal(cz_meta_put_u64(t, "n", vals[i]), CZ_OK);
        assert_int_equal(cz_meta_get_u64(t, "n", &u), CZ_OK);
        assert_true(u == vals[i]);
    }
    assert_int_equal(cz_meta_get(t, "n", &v, &len), CZ_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(v, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    assert_int_equal(cz_meta_put_u64(t, "n", 0x0102), CZ_OK);
    assert_int_equal(cz_meta_get(t, "n", &v, &len), CZ_OK);
    assert_memory_equal(v, "\0\0\0\0\0\0\x01\x02", 8);   /* big-endian */
    /* a value of another size is not a u64 */
    assert_int_equal(cz_meta_get_u64(t, "name", &u), CZ_EDB);
    assert_int_equal(cz_meta_put(t, "raw", "\0\1\2", 3), CZ_OK);
    assert_int_equal(cz_meta_get(t, "raw", &v, &len), CZ_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "\0\1\2", 3);
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    t = rtxn(f->s);
    assert_int_equal(cz_meta_get_str(t, "name", buf, sizeof buf), CZ_OK);
    assert_string_equal(buf, "ysw");
    assert_int_equal(cz_meta_get_u64(t, "n", &u), CZ_OK);
    assert_int_equal(u, 0x0102);
    /* writes in a read transaction fail and say so */
    assert_int_not_equal(cz_meta_put_str(t, "name", "no"), CZ_OK);
    cz_txn_abort(t);
    (void)cz_store_last_error(f->s);
}

struct users { int n; char names[4][16]; size_t lens[4]; int stop_at; };

static int users_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct users *u = ctx;
    if (u->n < 4) {
        snprintf(u->names[u->n], sizeof u->names[u->n], "%s", name);
        u->lens[u->n] = len;
    }
    u->n++;
    return u->n == u->stop_at ? 9 : 0;
}

static void test_users(void **state)
{
    struct fx *f = *state;
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    uint8_t b1[300], b2[10];

    memset(b1, 0xa1, sizeof b1);
    memset(b2, 0xb2, sizeof b2);
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    struct users u = { 0 };
    assert_int_equal(cz_user_each(t, users_cb, &u), CZ_OK);
    assert_int_equal(u.n, 0);
    assert_int_equal(cz_user_get(t, "wang", &blob, &len), CZ_ENOUSER);
    assert_int_equal(cz_user_put(t, "wang", b1, sizeof b1), CZ_OK);
    assert_int_equal(cz_user_put(t, "li", b2, sizeof b2), CZ_OK);
    assert_int_equal(cz_user_put(t, "王", b2, 5), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    t = rtxn(f->s);
    assert_int_equal(cz_user_get(t, "wang", &blob, &len), CZ_OK);
    assert_int_equal(len, sizeof b1);
    assert_memory_equal(blob, b1, sizeof b1);
    assert_int_equal(cz_user_get(t, "li", &blob, &len), CZ_OK);
    assert_int_equal(len, sizeof b2);
    assert_int_equal(cz_user_get(t, "wan", &blob, &len), CZ_ENOUSER);
    assert_int_equal(cz_user_get(t, "wangg", &blob, &len), CZ_ENOUSER);
    u = (struct users){ 0 };
    assert_int_equal(cz_user_each(t, users_cb, &u), CZ_OK);
    assert_int_equal(u.n, 3);
    assert_string_equal(u.names[0], "li");      /* bytewise order */
    assert_string_equal(u.names[1], "wang");
    assert_string_equal(u.names[2], "王");
    assert_int_equal(u.lens[0], sizeof b2);
    assert_int_equal(u.lens[1], sizeof b1);
    assert_int_equal(u.lens[2], 5);
    u = (struct users){ .stop_at = 2 };
    assert_int_equal(cz_user_each(t, users_cb, &u), 9);
    assert_int_equal(u.n, 2);
    cz_txn_abort(t);

    /* replace */
    assert_int_equal(cz_txn_begin(f->s, 1, &t), CZ_OK);
    assert_int_equal(cz_user_put(t, "wang", b2, 3), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    t = rtxn(f->s);
    assert_int_equal(cz_user_get(t, "wang", &blob, &len), CZ_OK);
    assert_int_equal(len, 3);
    cz_txn_abort(t);
}

static void test_terms(void **state)
{
    char buf[64];
    size_t n = cz_term_type(buf, sizeof buf, "household");
    assert_int_equal(n, 10);
    assert_memory_equal(buf, "Thousehold", 10);
    n = cz_term_region(buf, sizeof buf, "household", "52");
    assert_int_equal(n, 13);
    assert_memory_equal(buf, "Rhousehold\00052", 13);
    n = cz_term_exact(buf, sizeof buf, "member", "id_number", "X1");
    assert_int_equal(n, 1 + 6 + 1 + 9 + 1 + 2);
    assert_memory_equal(buf, "Xmember\0id_number\0X1", n);
    /* never more than the buffer */
    n = cz_term_exact(buf, 8, "member", "id_number", "X1");
    assert_true(n <= 8);
    char big[1000];
    static char longval[800];
    memset(longval, 'a', sizeof longval - 1);
    n = cz_term_exact(big, sizeof big, "t", "f", longval);
    assert_true(n <= 400);
}

/* --- the same entries in any order give the same store ------------------- */

/* Every key and value of the store's tables, hashed table by table in key
 * order: the store's logical contents (not its page layout).  Read with
 * LMDB itself, the store closed; then each entity's heads as the store
 * reads them (cz_store_heads: a store lists them only for entities of more
 * than one version, an older one for all). */
static void store_digest(const char *dir, uint8_t out[32])
{
    static const struct { const char *name; unsigned flags; } tabs[] = {
        { "entries", 0 }, { "logs", 0 }, { "forks", 0 },
        { "versions", MDB_DUPSORT | MDB_DUPFIXED }, { "children", MDB_DUPSORT | MDB_DUPFIXED },
        { "index", MDB_DUPSORT | MDB_DUPFIXED } };
    uint8_t (*ents)[16] = NULL;
    size_t nents = 0;
    MDB_env *env;
    MDB_txn *txn;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    /* A small map: the test stores are tiny, and under valgrind the
     * address space for the store's own (larger) map may not be there. */
    assert_int_equal(mdb_env_set_mapsize(env, (size_t)64 << 20), 0);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
        MDB_dbi dbi;
        MDB_cursor *c;
        MDB_val k, v;
        assert_int_equal(mdb_dbi_open(txn, tabs[i].name, tabs[i].flags, &dbi), 0);
        assert_int_equal(mdb_cursor_open(txn, dbi, &c), 0);
        crypto_generichash_update(&st, (const uint8_t *)tabs[i].name, strlen(tabs[i].name) + 1);
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            /* the index's postings: the entity's first 8 bytes (a build
             * that kept all 16 digests the same) */
            if (strcmp(tabs[i].name, "index") == 0 && v.mv_size > 8) v.mv_size = 8;
            if (strcmp(tabs[i].name, "versions") == 0 && (nents == 0 || memcmp(ents[nents - 1], k.mv_data, 16))) {
                assert_non_null(ents = realloc(ents, (nents + 1) * 16));
                memcpy(ents[nents++], k.mv_data, 16);
            }
            uint64_t lens[2] = { k.mv_size, v.mv_size };
            crypto_generichash_update(&st, (const uint8_t *)lens, sizeof lens);
            crypto_generichash_update(&st, k.mv_data, k.mv_size);
            crypto_generichash_update(&st, v.mv_data, v.mv_size);
        }
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    cz_store *s;
    cz_txn *t;
    assert_int_equal(cz_store_open(dir, 0, &s), CZ_OK);
    assert_int_equal(cz_txn_begin(s, 0, &t), CZ_OK);
    crypto_generichash_update(&st, (const uint8_t *)"heads", 6);
    for (size_t i = 0; i < nents; i++) {
        uint8_t ids[8][32];
        size_t n = 0;
        assert_int_equal(cz_store_heads(t, ents[i], ids, 8, &n), CZ_OK);
        assert_true(n <= 8);
        uint64_t len = n;
        crypto_generichash_update(&st, ents[i], 16);
        crypto_generichash_update(&st, (const uint8_t *)&len, sizeof len);
        crypto_generichash_update(&st, &ids[0][0], n * 32);
    }
    cz_txn_abort(t);
    cz_store_close(s);
    free(ents);
    crypto_generichash_final(&st, out, 32);
}

/* How many heads the store lists (duplicates in heads, HEAD_NONE too),
 * after, when format1, making it a store of format 1: every entity's
 * heads listed, nothing for an entity without one, "format" 1 in meta and
 * no index version.  The store closed. */
static size_t heads_listed(const char *dir, int format1)
{
    static const uint8_t none[32];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi versions, heads, meta;
    MDB_cursor *c;
    MDB_val k, v;
    MDB_stat ms;
    uint8_t (*one)[48] = NULL;   /* entity, its one version */
    size_t n1 = 0;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_set_mapsize(env, (size_t)64 << 20), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "versions", MDB_DUPSORT | MDB_DUPFIXED, &versions), 0);
    assert_int_equal(mdb_dbi_open(txn, "heads", MDB_DUPSORT | MDB_DUPFIXED, &heads), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    assert_int_equal(mdb_cursor_open(txn, versions, &c), 0);
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); format1 && rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
        size_t n = 0;
        assert_int_equal(mdb_cursor_count(c, &n), 0);
        if (n != 1) continue;
        assert_non_null(one = realloc(one, (n1 + 1) * 48));
        memcpy(one[n1], k.mv_data, 16);
        memcpy(one[n1++] + 16, v.mv_data, 32);
    }
    mdb_cursor_close(c);
    for (size_t i = 0; i < n1; i++) {
        MDB_val e = { .mv_size = 16, .mv_data = one[i] }, h = { .mv_size = 32, .mv_data = (void *)none };
        int rc = mdb_get(txn, heads, &e, &v);
        if (rc == MDB_NOTFOUND) {
            h.mv_data = one[i] + 16;
            assert_int_equal(mdb_put(txn, heads, &e, &h, 0), 0);
        } else {
            assert_int_equal(rc, 0);
            rc = mdb_del(txn, heads, &e, &h);
            assert_true(rc == 0 || rc == MDB_NOTFOUND);
        }
    }
    free(one);
    if (format1) {
        uint8_t f[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
        k = (MDB_val){ .mv_size = strlen(CZ_META_FORMAT), .mv_data = CZ_META_FORMAT };
        v = (MDB_val){ .mv_size = 8, .mv_data = f };
        assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
    }
    assert_int_equal(mdb_stat(txn, heads, &ms), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    return ms.ms_entries;
}

#define NMIX 15

/* Entries that take every path through cz_store_put_entry but a fork:
 * first versions, edits changing an indexed name, an exact field and a link,
 * concurrent edits and their merge, a tombstone, a tombstone concurrent with
 * an edit, a version whose child (of another entity) arrived first, a type
 * from a newer build, a tombstone whose parent never arrives.  Keys, clocks and entities are fixed, so the entries
 * (Ed25519 is deterministic) and the store they make are the same on every
 * run. */
static void mixed_entries(struct ent w[NMIX])
{
    struct author a, b;
    uint8_t seed[32], h1[16], h2[16], h3[16], h4[16], h5[16], m1[16], u1[16], par[2][32];
    char hex1[33], hex2[33];
    memset(seed, 1, 32);
    crypto_sign_seed_keypair(a.log.origin, a.sk, seed);
    memset(seed, 2, 32);
    crypto_sign_seed_keypair(b.log.origin, b.sk, seed);
    a.log.seq = b.log.seq = 0;
    memset(a.log.last, 0, 32);
    memset(b.log.last, 0, 32);
    memset(h1, 0x11, 16); memset(h2, 0x22, 16); memset(h3, 0x33, 16); memset(h4, 0x44, 16);
    memset(h5, 0x55, 16); memset(m1, 0x66, 16); memset(u1, 0x77, 16);
    cz_hex(h1, 16, hex1);
    cz_hex(h2, 16, hex2);
    uint64_t saved = g_hlc;
    g_hlc = UINT64_C(1767225600000) << 16;

    household(&a, h1, NULL, 0, 0, "YSW-100", "王秀英", &w[0]);
    household(&a, h1, w[0].id, 1, 0, "YSW-100", "李秀兰", &w[1]);            /* name edited */
    household(&b, h1, w[0].id, 1, 0, "YSW-101", "王秀英", &w[2]);            /* concurrent: number */
    memcpy(par[0], w[1].id, 32);
    memcpy(par[1], w[2].id, 32);
    household(&a, h1, &par[0][0], 2, 0, "YSW-102", "李秀兰", &w[3]);         /* merge */
    {
        const char *kv[] = { "household", hex1, "name", "王小明", NULL };
        size_t blen;
        uint8_t *body = make_body("member", kv, &blen);
        write_entry(&a, m1, "member", VILLAGE, NULL, 0, 0, body, blen, &w[4]);
        free(body);
    }
    household(&b, h2, NULL, 0, 0, "YSW-200", "张三", &w[5]);
    household(&b, h2, w[5].id, 1, CZ_ENTRY_FLAG_TOMBSTONE, "YSW-200", "张三", &w[6]);
    household(&a, h3, NULL, 0, 0, "YSW-300", "赵四", &w[7]);
    household(&b, h4, w[7].id, 1, 0, "YSW-400", "钱五", &w[8]);              /* names another entity's version */
    {
        static const uint8_t body[] = { 0x01, 0x03, 0x02, 'h', 'i' };
        write_entry(&a, u1, "futurething", VILLAGE, NULL, 0, 0, body, sizeof body, &w[9]);
    }
    household(&a, h5, NULL, 0, 0, "YSW-500", "孙六", &w[10]);
    household(&b, h5, w[10].id, 1, CZ_ENTRY_FLAG_TOMBSTONE, "YSW-500", "孙六", &w[11]);
    household(&a, h5, w[10].id, 1, 0, "YSW-501", "孙六七", &w[12]);          /* edit concurrent with it */
    {
        const char *kv[] = { "household", hex2, "name", "王小明", NULL };   /* the link moves */
        size_t blen;
        uint8_t *body = make_body("member", kv, &blen);
        write_entry(&b, m1, "member", VILLAGE, w[4].id, 1, 0, body, blen, &w[13]);
        free(body);
    }
    {
        uint8_t h6[16], lost[32];
        memset(h6, 0x88, 16);
        memset(lost, 0x99, 32);
        household(&a, h6, lost, 1, CZ_ENTRY_FLAG_TOMBSTONE, "YSW-600", "周八", &w[14]);
    }
    g_hlc = saved;
}

/* The digest of mixed_entries() stored by cunzhan before cz_store_put_entry
 * took short cuts (commit 4a48e3a, every put re-deriving the index from the
 * heads read back): the short cuts must store exactly the same.  It holds
 * the index terms of CZ_INDEX_VERSION (index.h): a change of the terms a
 * record gives changes it, and every order below must still agree.  (The
 * tables but eterms, which index version 2 kept and 3 has no more, and
 * the index's postings as their first 8 bytes, all 3 keeps, and the heads
 * as read, not as listed: the builds with eterms, whole ids and every
 * entity's heads listed stored these same bytes otherwise.) */
static const char golden_digest[] = "2bd559f90b075f10e499a8114075bbf9461a74b434a838feeb49a15c5abdc56a";

static void test_put_order_independent(void **state)
{
    struct fx *f = *state;
    struct ent w[NMIX];
    uint8_t first[32];
    char hex[65];
    uint32_t lcg = 12345;
    mixed_entries(w);
    cz_store_close(f->s);
    f->s = NULL;
    for (int round = 0; round < 16; round++) {
        /* odd rounds: one transaction for all, as a load or an import does;
         * from round 10, one transaction deferring the index terms
         * (cz_store_defer_index), as a load does; from round 12 with the
         * terms made beforehand (cz_store_entry_terms), as a load does;
         * rounds 14 and 15 in batches of a few entries (CZ_INDEX_BATCH) */
        int one = round % 2 || round >= 10, defer = round >= 10, pre = round >= 12;
        size_t order[NMIX];
        char db[128];
        cz_store *s;
        for (size_t i = 0; i < NMIX; i++) order[i] = round == 1 ? NMIX - 1 - i : i;
        for (size_t i = NMIX - 1; round >= 2 && i > 0; i--) {   /* Fisher-Yates, fixed seed */
            lcg = lcg * 1103515245u + 12345u;
            size_t j = (lcg >> 8) % (i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        /* A version naming another entity's version as parent supersedes it
         * only when it arrives second (heads are kept per entity): that one
         * child always comes first here, as a child arriving before its
         * parent does. */
        size_t p7 = 0, p8 = 0;
        for (size_t i = 0; i < NMIX; i++) {
            if (order[i] == 7) p7 = i;
            if (order[i] == 8) p8 = i;
        }
        if (p7 < p8) { order[p7] = 8; order[p8] = 7; }
        snprintf(db, sizeof db, "%s/order%d", f->dir, round);
        assert_int_equal(cz_store_open(db, 1, &s), CZ_OK);
        cz_txn *t = NULL;
        if (one) assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
        if (round >= 14) setenv("CZ_INDEX_BATCH", round == 14 ? "1" : "300", 1);
        if (defer) assert_int_equal(cz_store_defer_index(t), CZ_OK);
        unsetenv("CZ_INDEX_BATCH");
        for (size_t i = 0; i < NMIX + 3; i++) {
            const struct ent *e = &w[order[i % NMIX]];   /* the first three again: duplicates */
            struct cz_entry de;
            int result = -1;
            assert_int_equal(cz_entry_decode(e->buf, e->len, &de), CZ_OK);
            if (!one) assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
            if (pre) {
                uint8_t *tb = NULL;
                size_t tcap = 0, tlen = 99;
                assert_int_equal(cz_store_entry_terms(&de, &tb, &tcap, &tlen), CZ_OK);
                assert_true(tlen <= tcap);
                assert_int_equal(cz_store_put_entry_terms(t, &de, e->id, tb, tlen, &result), CZ_OK);
                free(tb);
            } else {
                assert_int_equal(cz_store_put_entry(t, &de, e->id, &result), CZ_OK);
            }
            assert_int_equal(result, i < NMIX ? CZ_PUT_NEW : CZ_PUT_DUPLICATE);
            if (!one) assert_int_equal(cz_txn_commit(t), CZ_OK);
        }
        if (one) assert_int_equal(cz_txn_commit(t), CZ_OK);

        /* what anyone would expect, whatever the order */
        uint8_t ids[4][32], h1[16], h2[16], h3[16], h4[16], h5[16];
        memset(h1, 0x11, 16); memset(h2, 0x22, 16); memset(h3, 0x33, 16); memset(h4, 0x44, 16);
        memset(h5, 0x55, 16);
        t = rtxn(s);
        assert_int_equal(heads(t, h1, ids, 4), 1);
        assert_memory_equal(ids[0], w[3].id, 32);
        assert_int_equal(heads(t, h2, ids, 4), 1);
        assert_memory_equal(ids[0], w[6].id, 32);
        assert_int_equal(heads(t, h3, ids, 4), 0);    /* superseded by h4's version */
        assert_int_equal(heads(t, h4, ids, 4), 1);
        assert_int_equal(heads(t, h5, ids, 4), 2);
        assert_int_equal(count_type(t, "household"), 3);   /* h1, h4, h5 */
        assert_int_equal(count_type(t, "member"), 1);
        assert_int_equal(count_type(t, "futurething"), 1);
        assert_int_equal(count_exact(t, "household", "number", "YSW-102"), 1);
        assert_int_equal(count_exact(t, "household", "number", "YSW-100"), 0);
        assert_int_equal(count_exact(t, "household", "number", "YSW-101"), 0);
        assert_int_equal(count_exact(t, "household", "number", "YSW-200"), 0);
        assert_int_equal(count_exact(t, "household", "number", "YSW-300"), 0);
        assert_int_equal(count_exact(t, "household", "number", "YSW-501"), 1);
        assert_int_equal(count_exact(t, "household", "number", "YSW-600"), 0);   /* h6: only a tombstone */
        assert_int_equal(count_gram(t, "周"), 0);
        assert_int_equal(count_gram(t, "李秀"), 1);
        assert_int_equal(count_gram(t, "王秀"), 0);
        assert_int_equal(count_gram(t, "王"), 1);          /* the member */
        assert_int_equal(count_gram(t, "六七"), 1);
        char term[64];
        assert_int_equal(count_term(t, term, cz_term_link(term, sizeof term, h1, 16)), 0);
        assert_int_equal(count_term(t, term, cz_term_link(term, sizeof term, h2, 16)), 1);
        cz_txn_abort(t);
        cz_store_close(s);

        uint8_t d[32];
        store_digest(db, d);
        cz_hex(d, 32, hex);
        if (round == 0) memcpy(first, d, 32);
        else if (memcmp(d, first, 32)) fail_msg("order %d stored something else: %s", round, hex);
        if (round == 0) {
            /* Indexed again from the heads, as opening an older store does
             * (cz_store_index_upgrade): the same index, to the byte. */
            size_t n = 0;
            assert_int_equal(cz_store_open(db, 0, &s), CZ_OK);
            assert_int_equal(cz_store_index_upgrade(s, &n), CZ_OK);
            assert_true(n > 0);
            assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
            assert_int_equal(cz_meta_del(t, CZ_META_INDEX_VERSION), CZ_OK);
            assert_int_equal(cz_txn_commit(t), CZ_OK);
            cz_store_close(s);
            store_digest(db, d);
            if (memcmp(d, first, 32)) fail_msg("indexed again from the heads, the store differs");
            /* A store of format 1, every entity's heads listed (none
             * listed: no head): opened, the same store, its heads listed
             * as this build lists them. */
            size_t listed = heads_listed(db, 0);
            assert_true(heads_listed(db, 1) > listed);
            assert_int_equal(cz_store_open(db, 0, &s), CZ_OK);
            assert_int_equal(cz_store_index_upgrade(s, &n), CZ_OK);
            assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
            assert_int_equal(cz_meta_del(t, CZ_META_INDEX_VERSION), CZ_OK);
            uint64_t format = 0;
            assert_int_equal(cz_meta_get_u64(t, CZ_META_FORMAT, &format), CZ_OK);
            assert_int_equal(format, CZ_STORE_FORMAT);
            assert_int_equal(cz_meta_del(t, CZ_META_FORMAT), CZ_OK);
            assert_int_equal(cz_txn_commit(t), CZ_OK);
            cz_store_close(s);
            assert_int_equal(heads_listed(db, 0), listed);
            store_digest(db, d);
            if (memcmp(d, first, 32)) fail_msg("a format 1 store opened: the store differs");
        }
    }
    cz_hex(first, 32, hex);
    if (strcmp(hex, golden_digest)) fail_msg("store digest %s, before the short cuts %s", hex, golden_digest);
    for (size_t i = 0; i < NMIX; i++) free_ent(&w[i]);
}

int main(void)
{
#define TC(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        TC(test_open_missing_without_create),
        TC(test_put_new_duplicate_get),
        TC(test_logs),
        TC(test_log_last_neighbours),
        TC(test_log_last_max_seq),
        TC(test_fork),
        TC(test_heads_tie_same_winner_as_merge),
        TC(test_heads_edit_concurrent_merge),
        TC(test_stats_entities_with_two_heads),
        TC(test_child_before_parent),
        TC(test_put_order_independent),
        TC(test_index_terms),
        TC(test_index_link_and_tombstone),
        TC(test_tombstone_concurrent_with_edit),
        TC(test_unknown_type),
        TC(test_resolve),
        TC(test_abort_leaves_nothing),
        TC(test_defer_index),
        TC(test_reopen_keeps_everything),
        TC(test_meta),
        TC(test_users),
        cmocka_unit_test(test_terms),
    };
#undef TC
    return cmocka_run_group_tests(tests, NULL, NULL);
}
