/* Export (the fast path): the bundle written straight to the stick
 * from the store's pages holds exactly the entries it should, whichever
 * way they were found: every logged entry inside the peer's jurisdiction
 * and not acknowledged, none outside it, never the other side of a fork,
 * and the vector of everything held.  Checked against the store read the
 * plain way, for a full export (the whole-store walk), an incremental one
 * with few entries wanted (a look-up each) and one with many wanted.
 * A damaged store (an entry no log names, a logged entry gone) is met the
 * careful way: the first left out, the second refused.  Real office
 * station, real LMDB, real files; the bundle is opened with the
 * recipient's key made here. */
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
#include <time.h>

#include "region.h"
#include "bundle.h"
#include "payload.h"
#include "codec.h"
#include "entry.h"
#include "index.h"
#include "keys.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define V2 "411081106202"
#define PASS "export-pass"
#define PER_VILLAGE 150

static struct {
    char dir[64], odir[96], stick[96];
    cz_station *office;
    uint8_t box_pk[32], box_sk[32];
    uint8_t fork_id[32];             /* the entry that lost its log position */
} F;

static int office_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(cz_station_secrets(F.office), msg, len, sig);
}

static void add_households(const char *village, size_t n, size_t base)
{
    struct cz_assign (*a)[3] = calloc(n, sizeof *a);
    const struct cz_assign **rows = calloc(n, sizeof *rows);
    size_t *counts = calloc(n, sizeof *counts), stored = 0;
    char (*num)[16] = calloc(n, sizeof *num);
    for (size_t i = 0; i < n; i++) {
        snprintf(num[i], sizeof num[i], "E-%05zu", base + i);
        a[i][0] = (struct cz_assign){ "number", num[i] };
        a[i][1] = (struct cz_assign){ "village", village };
        a[i][2] = (struct cz_assign){ "head", "王五" };
        rows[i] = a[i];
        counts[i] = 3;
    }
    assert_int_equal(cz_station_add_many(F.office, "household", rows, counts, n, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, n);
    free(a); free(rows); free(counts); free(num);
}

/* A household entry of the office person's at log position seq (prev
 * before it), entity all entity_byte, signed: *raw is malloc'd. */
static void office_entry(uint64_t seq, const uint8_t prev[32], uint8_t entity_byte, const char *number,
                         const char *head, uint8_t **raw, size_t *raw_len, uint8_t id[32])
{
    struct cz_assign a[] = { { "number", number }, { "village", V1 }, { "head", head } };
    struct cz_field_error err;
    const struct cz_type *ty = cz_schema_type("household");
    cz_body *b = cz_body_new();
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(cz_schema_set_many(ty, b, a, 3, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, 20260101, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &body_len), CZ_OK);
    struct cz_entry_draft d;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, cz_station_person_pk(F.office), 32);
    d.seq = seq;
    memcpy(d.prev, prev, 32);
    d.hlc = cz_hlc_next(0, cz_now_ms());
    d.wall = (int64_t)time(NULL);
    memset(d.entity, entity_byte, sizeof d.entity);
    d.type = "household";
    d.region = V1;
    d.body = body;
    d.body_len = body_len;
    assert_int_equal(cz_entry_write(&d, office_sign, NULL, raw, raw_len, id), CZ_OK);
    free(body);
    cz_body_free(b);
}

/* A second entry at the office person's last position: kept as evidence of
 * a fork, never logged, so never exported. */
static void make_fork(void)
{
    cz_txn *t = NULL;
    const uint8_t *origin = cz_station_person_pk(F.office);
    uint64_t seq;
    uint8_t last[32], prev[32] = { 0 };
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 1, &t), CZ_OK);
    assert_int_equal(cz_store_log_last(t, origin, &seq, last), CZ_OK);
    assert_true(seq > 1);
    assert_int_equal(cz_store_log_get(t, origin, seq - 1, prev), CZ_OK);
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    office_entry(seq, prev, 0xF0, "FORK-1", "李四", &raw, &raw_len, F.fork_id);
    struct cz_entry e;
    int result;
    assert_int_equal(cz_entry_decode(raw, raw_len, &e), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &e, F.fork_id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_FORK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    free(raw);
}

static int setup(void **state)
{
    char why[96];
    if (tk_tmpdir(F.dir, sizeof F.dir, "export")) return -1;
    snprintf(F.odir, sizeof F.odir, "%s/office", F.dir);
    snprintf(F.stick, sizeof F.stick, "%s/stick", F.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "", .user = "张主任" };
    if (cz_station_init(F.odir, &o, PASS, &F.office, why, sizeof why)) return -1;
    if (tk_places(F.office, V1, V2, NULL)) return -1;
    crypto_box_keypair(F.box_pk, F.box_sk);
    add_households(V1, PER_VILLAGE, 0);
    add_households(V2, PER_VILLAGE, PER_VILLAGE);
    make_fork();
    add_households(V1, 10, 2 * PER_VILLAGE);   /* the log goes on past the fork */
    *state = &F;
    return 0;
}

static int teardown(void **state)
{
    cz_station_close(F.office);
    tk_rmtree(F.dir);
    return 0;
}

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, 32); }

/* The ids the bundle should hold, read the plain way: each log position,
 * its entry looked up, in scope and not acknowledged. */
struct want_ctx { cz_txn *t; const struct cz_vv *ack; const char *region; uint8_t (*ids)[32]; size_t n, scope; struct cz_vv all; };

static int want_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct want_ctx *w = ctx;
    struct cz_entry e;
    uint64_t seq = 0;
    for (int i = 0; i < 8; i++) seq = seq << 8 | key[32 + i];
    assert_int_equal(cz_vv_add(&w->all, key, seq, val), CZ_OK);
    if (w->ack && cz_vv_has(w->ack, key, seq)) return 0;
    assert_int_equal(cz_store_get_entry(w->t, val, &e), CZ_OK);
    if (e.region[0] && !cz_region_under(e.region, w->region)) { w->scope++; return 0; }
    memcpy(w->ids[w->n++], val, 32);
    return 0;
}

/* Exports for a peer in V1 and checks the bundle against the plain read. */
static void check_export(int full, const struct cz_vv *ack)
{
    struct cz_peer peer;
    memset(&peer, 0, sizeof peer);
    memcpy(peer.box, F.box_pk, 32);
    snprintf(peer.name, sizeof peer.name, "杨树湾村");
    snprintf(peer.region, sizeof peer.region, "%s", V1);

    cz_txn *t = NULL;
    struct cz_store_stats ss;
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, &ss), CZ_OK);
    struct want_ctx w = { t, full ? NULL : ack, V1, calloc(ss.logs + 1, 32), 0, 0, { 0 } };
    assert_int_equal(cz_store_each_log(t, want_cb, &w), CZ_OK);
    cz_txn_abort(t);
    qsort(w.ids, w.n, 32, id_cmp);

    struct cz_export_result er;
    assert_int_equal(cz_sync_export(F.office, F.stick, &peer, full, &er), CZ_OK);
    assert_true(w.n > 0);
    if (full) assert_true(w.scope >= PER_VILLAGE);   /* V2's households stay home */
    assert_int_equal(er.entries, w.n);
    assert_int_equal(er.skipped_scope, w.scope);

    uint8_t *buf = NULL, *plain = NULL;
    size_t len = 0, plain_len = 0;
    struct cz_bundle_header h;
    struct cz_payload pl;
    assert_int_equal(cz_read_file(er.path, &buf, &len), CZ_OK);
    assert_int_equal(len, er.bytes);
    assert_int_equal(cz_bundle_read_header(buf, len, &h), CZ_OK);
    assert_int_equal(h.seq, er.seq);
    assert_int_equal(cz_bundle_open(buf, len, &h, F.box_pk, F.box_sk, &plain, &plain_len), CZ_OK);
    assert_int_equal(cz_payload_decode(plain, plain_len, &pl), CZ_OK);
    assert_int_equal(pl.kind, CZ_PAYLOAD_SYNC);
    assert_int_equal(pl.n, w.n);
    uint8_t (*got)[32] = calloc(pl.n + 1, 32);
    for (size_t i = 0; i < pl.n; i++) {
        struct cz_entry e;
        assert_int_equal(cz_entry_decode(pl.entry[i], pl.entry_len[i], &e), CZ_OK);
        assert_int_equal(cz_entry_verify(&e), CZ_OK);
        assert_true(!e.region[0] || cz_region_under(e.region, V1));
        cz_entry_id(pl.entry[i], pl.entry_len[i], got[i]);
        assert_memory_not_equal(got[i], F.fork_id, 32);
    }
    qsort(got, pl.n, 32, id_cmp);
    for (size_t i = 0; i < pl.n; i++) assert_memory_equal(got[i], w.ids[i], 32);
    /* The vector is everything held here, whatever was sent. */
    uint8_t *a = NULL, *b = NULL;
    size_t al = 0, ac = 0, bl = 0, bc = 0;
    assert_int_equal(cz_vv_encode(&pl.vv, &a, &al, &ac), CZ_OK);
    assert_int_equal(cz_vv_encode(&w.all, &b, &bl, &bc), CZ_OK);
    assert_int_equal(al, bl);
    assert_memory_equal(a, b, al);
    free(a); free(b); free(got); free(w.ids);
    cz_vv_free(&w.all);
    cz_payload_free(&pl);
    cz_bundle_plain_free(plain, plain_len);
    free(buf);
}

static void test_export_full(void **state)
{
    check_export(1, NULL);
}

/* An acknowledgement of every position but `keep` of each origin's last. */
struct ack_ctx { struct cz_vv *vv; size_t skip_from; size_t i; };
static int ack_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct ack_ctx *a = ctx;
    uint64_t seq = 0;
    for (int i = 0; i < 8; i++) seq = seq << 8 | key[32 + i];
    if (a->i++ < a->skip_from) assert_int_equal(cz_vv_add(a->vv, key, seq, val), CZ_OK);
    return 0;
}

static void with_ack(size_t acked)
{
    struct cz_vv vv = { 0 };
    struct ack_ctx a = { &vv, acked, 0 };
    cz_txn *t = NULL;
    uint8_t *enc = NULL;
    size_t len = 0, cap = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 1, &t), CZ_OK);
    assert_int_equal(cz_store_each_log(t, ack_cb, &a), CZ_OK);
    assert_int_equal(cz_vv_encode(&vv, &enc, &len, &cap), CZ_OK);
    assert_int_equal(cz_store_peer_put(t, F.box_pk, enc, len), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    check_export(0, &vv);
    free(enc);
    cz_vv_free(&vv);
}

/* Few wanted: looked up one by one. */
static void test_export_incremental_few(void **state)
{
    cz_txn *t = NULL;
    struct cz_store_stats ss;
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, &ss), CZ_OK);
    cz_txn_abort(t);
    assert_true(ss.logs > 40);
    with_ack(ss.logs - 5);
}

/* Many wanted: the whole-store walk, with the acknowledged left out. */
static void test_export_incremental_many(void **state)
{
    with_ack(7);
}

/* The office's database changed under cz_store: the station closed, its
 * entries table opened with LMDB itself, then the station opened again. */
static void damage(const uint8_t *put_id, const uint8_t *put_raw, size_t put_len, const uint8_t *del_id)
{
    char db[128];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    cz_station_close(F.office);
    snprintf(db, sizeof db, "%s/db", F.odir);
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_set_mapsize(env, (size_t)1 << 30), 0);
    assert_int_equal(mdb_env_open(env, db, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "entries", 0, &dbi), 0);
    if (put_id) {
        MDB_val k = { 32, (void *)put_id }, d = { put_len, (void *)put_raw };
        assert_int_equal(mdb_put(txn, dbi, &k, &d, MDB_NOOVERWRITE), 0);
    }
    if (del_id) {
        MDB_val k = { 32, (void *)del_id };
        assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(cz_station_open(F.odir, &F.office), CZ_OK);
    assert_int_equal(cz_station_login(F.office, NULL, PASS), CZ_OK);
}

/* An entry of the office person's, signed, at a position its log skips. */
static void unlogged_entry(uint8_t **raw, size_t *raw_len, uint8_t id[32])
{
    cz_txn *t = NULL;
    uint64_t seq;
    uint8_t last[32];
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_last(t, cz_station_person_pk(F.office), &seq, last), CZ_OK);
    cz_txn_abort(t);
    office_entry(seq + 50, last, 0xE7, "GAP-1", "赵六", raw, raw_len, id);
}

static int first_log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    memcpy(ctx, val, 32);
    return 1;   /* stop */
}

/* Runs last: it damages the office's store. */
static void test_export_damaged(void **state)
{
    uint8_t *raw = NULL, gap_id[32], gone[32];
    size_t raw_len = 0;
    /* An entry nothing logs is not sent; the rest as ever. */
    unlogged_entry(&raw, &raw_len, gap_id);
    damage(gap_id, raw, raw_len, NULL);
    check_export(1, NULL);
    /* A logged entry gone (and as many entries as positions again, the
     * unlogged one standing in): the store is damaged, no bundle. */
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_each_log(t, first_log_cb, gone), 1);
    cz_txn_abort(t);
    damage(NULL, NULL, 0, gone);
    struct cz_peer peer;
    struct cz_export_result er;
    memset(&peer, 0, sizeof peer);
    memcpy(peer.box, F.box_pk, 32);
    snprintf(peer.region, sizeof peer.region, "%s", V1);
    assert_int_equal(cz_sync_export(F.office, F.stick, &peer, 1, &er), CZ_ENOTFOUND);
    assert_int_equal(cz_sync_export(F.office, F.stick, &peer, 0, &er), CZ_ENOTFOUND);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_full),
        cmocka_unit_test(test_export_incremental_few),
        cmocka_unit_test(test_export_incremental_many),
        cmocka_unit_test(test_export_damaged),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
