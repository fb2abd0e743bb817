/* test_sender.c — what a bundle's header vouches for (import_sender.c;
 * TRUST.md, Bundles: "a bundle's sender is a certified station, through a
 * certified person of it, and an acknowledgement covers only what was
 * sent").  Every bundle here is validly signed with a real key; each rule
 * has its attack and its honest case:
 *   - a certified person of one station claiming another station's box
 *     key: entries judged as ever, the vector NOT stored as that station's
 *     acknowledgement, so a revocation still goes to it;
 *   - the sending station's own person: its vector is the acknowledgement,
 *     merged (never lowered) and only over positions held here;
 *   - vectors beyond CZ_VV_*_MAX are refused whole (CZ_ETOOBIG);
 *   - an uncertified signer for a certified station brings only key
 *     announcements (CZ_EUNCERT); a new station's own pending person brings
 *     its work, pending;
 *   - pending keys are bounded (100,000 entries, 64 MB, 256 keys a bundle:
 *     CZ_EPENDINGMAX) and never forwarded by the office;
 *   - an acknowledgement moves back only on a restore notice: the first
 *     bundle of a certified new key that replaces a key of that station.
 * Real stations (init, certify, export, import), real LMDB. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "payload.h"
#include "codec.h"
#include "entry.h"
#include "hex.h"
#include "keys.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define VA "411081106201"
#define VB "411081106202"
#define PASS "sender-pass"

static struct {
    struct tk_pair p;                 /* office + 杨树湾村 (A) */
    char bdir[128];
    cz_station *b;                    /* 柳树村 (B), enrolled too */
    uint64_t bseq;
} F;

struct kp { uint8_t pk[32], sk[64]; };

static int kp_sign(void *ctx, const uint8_t *m, size_t n, uint8_t sig[64])
{
    crypto_sign_detached(sig, NULL, m, n, ((struct kp *)ctx)->sk);
    return CZ_OK;
}

static int st_sign(void *ctx, const uint8_t *m, size_t n, uint8_t sig[64])
{
    return cz_secrets_sign(cz_station_secrets(ctx), m, n, sig);
}

static void certify(const uint8_t key[32], const char *kind, const char *name, const char *station,
                    const char *region)
{
    uint8_t id[32];
    struct cz_cert_req r = { .kind = kind, .name = name, .station = station, .region = region, .role = "clerk" };
    memcpy(r.key, key, 32);
    assert_int_equal(cz_station_certify(F.p.office, &r, id), CZ_OK);
}

/* The station's full export for the office, imported there. */
static struct cz_import_result to_office(cz_station *st)
{
    struct cz_peer *peers = NULL;
    size_t n = 0;
    struct cz_export_result er;
    struct cz_import_result r;
    uint8_t *img = NULL;
    size_t len = 0;
    assert_int_equal(cz_sync_peers(st, &peers, &n), CZ_OK);
    assert_int_equal(cz_sync_export(st, F.p.stick, &peers[0], 0, &er), CZ_OK);
    free(peers);
    assert_int_equal(cz_read_file(er.path, &img, &len), CZ_OK);
    assert_int_equal(cz_sync_import(F.p.office, img, len, NULL, NULL, &r), CZ_OK);
    free(img);
    return r;
}

/* The office's export for the station with box key `box`, imported there. */
static struct cz_export_result from_office(cz_station *st)
{
    struct cz_peer *peers = NULL;
    size_t n = 0;
    struct cz_export_result er = { 0 };
    struct cz_import_result r;
    uint8_t *img = NULL;
    size_t len = 0;
    assert_int_equal(cz_sync_peers(F.p.office, &peers, &n), CZ_OK);
    for (size_t i = 0; i < n; i++)
        if (!memcmp(peers[i].box, cz_station_info(st)->box_pk, 32))
            assert_int_equal(cz_sync_export(F.p.office, F.p.stick, &peers[i], 0, &er), CZ_OK);
    free(peers);
    assert_true(er.path[0]);
    assert_int_equal(cz_read_file(er.path, &img, &len), CZ_OK);
    assert_int_equal(cz_sync_import(st, img, len, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    free(img);
    return er;
}

struct refusals { size_t n; int why; };
static void on_refused(void *ctx, const uint8_t id[32], const uint8_t origin[32], int why)
{
    struct refusals *rf = ctx;
    (void)id; (void)origin;
    rf->n++;
    rf->why = why;
}

/* A bundle to the office claiming sender box `box`, signed by `signer`,
 * its vector written whole (cz_vv_encode_unbounded: as a forger would). */
static struct cz_import_result deliver(const uint8_t box[32], const uint8_t signer[32], cz_sign_fn sign,
                                       void *ctx, const struct cz_vv *vv, uint8_t *const *e,
                                       const size_t *elen, size_t n, struct refusals *rf)
{
    const struct cz_station_info *oi = cz_station_info(F.p.office);
    struct cz_vv none = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_import_result r;
    uint8_t *img = NULL, id[32];
    size_t len = 0;
    w.buf = malloc(w.cap = 64);
    assert_non_null(w.buf);
    memcpy(w.buf, "CZP\x01", 4);
    w.buf[4] = CZ_PAYLOAD_SYNC;
    w.len = 5;
    assert_int_equal(cz_vv_encode_unbounded(vv ? vv : &none, &w.buf, &w.len, &w.cap), CZ_OK);
    if (w.cap < w.len + 4) assert_non_null(w.buf = realloc(w.buf, w.cap = w.len + 4));
    w.count_at = w.len;
    w.len += 4;
    for (size_t i = 0; i < n; i++) assert_int_equal(cz_payload_add(&w, e[i], elen[i]), CZ_OK);
    cz_payload_finish(&w);
    struct cz_bundle_params p = { .sender_box = box, .seq = ++F.bseq,
                                  .recipients = (const uint8_t (*)[32])oi->box_pk, .nrecipients = 1,
                                  .signer = signer, .sign = sign, .sign_ctx = ctx };
    assert_int_equal(cz_bundle_seal(&p, w.buf, w.len, &img, &len, id), CZ_OK);
    free(w.buf);
    if (rf) memset(rf, 0, sizeof *rf);
    assert_int_equal(cz_sync_import(F.p.office, img, len, rf ? on_refused : NULL, rf, &r), CZ_OK);
    free(img);
    return r;
}

/* What the office stored as the acknowledgement of box (n 0: none). */
static void stored_ack(const uint8_t box[32], struct cz_vv *v)
{
    cz_txn *t = NULL;
    const void *val;
    size_t len, pos = 0;
    memset(v, 0, sizeof *v);
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    int rc = cz_store_peer_get(t, box, &val, &len);
    if (rc == CZ_OK) assert_int_equal(cz_vv_decode(val, len, &pos, v), CZ_OK);
    else assert_int_equal(rc, CZ_ENOTFOUND);
    cz_txn_abort(t);
}

static uint64_t last_seq(cz_station *st, const uint8_t key[32])
{
    cz_txn *t = NULL;
    uint64_t seq = 0;
    uint8_t id[32];
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_last(t, key, &seq, id), CZ_OK);
    cz_txn_abort(t);
    return seq;
}

/* A key announcement of the key pair's own key, naming `station` (and the
 * key it replaces, as a restored station's new key does). */
static void announce_replacing(struct tk_log *l, struct kp *k, const char *station, const uint8_t *replaces,
                               uint8_t **out, size_t *len)
{
    const struct cz_type *ty = cz_schema_type("key");
    cz_body *b = cz_body_new();
    char hex[65];
    uint8_t *body = NULL, entity[CZ_ENTITY_BYTES], id[32];
    size_t blen = 0;
    struct cz_entry_draft d;
    cz_hex(k->pk, 32, hex);
    assert_int_equal(cz_schema_set(ty, b, "key", hex, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "kind", "person", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "name", "来客", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "station", station, NULL), CZ_OK);
    if (replaces) {
        cz_hex(replaces, 32, hex);
        assert_int_equal(cz_schema_set(ty, b, "replaces", hex, NULL), CZ_OK);
    }
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    randombytes_buf(entity, sizeof entity);
    tk_log_draft(l, &d, cz_hlc_next(0, cz_now_ms()), entity, "key", "", NULL, 0, body, blen);
    assert_int_equal(tk_log_write(l, &d, kp_sign, k, out, len, id), CZ_OK);
    free(body);
}

static void announce(struct tk_log *l, struct kp *k, const char *station, uint8_t **out, size_t *len)
{
    announce_replacing(l, k, station, NULL, out, len);
}

static void household(struct tk_log *l, cz_sign_fn sign, void *ctx, const char *village, const char *number,
                      uint8_t **out, size_t *len)
{
    struct cz_assign a[] = { { "number", number }, { "village", village }, { "head", "赵六" } };
    struct cz_field_error err;
    const struct cz_type *ty = cz_schema_type("household");
    cz_body *b = cz_body_new();
    uint8_t *body = NULL, entity[CZ_ENTITY_BYTES], id[32];
    size_t blen = 0;
    struct cz_entry_draft d;
    assert_int_equal(cz_schema_set_many(ty, b, a, 3, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, 20260101, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    randombytes_buf(entity, sizeof entity);
    tk_log_draft(l, &d, cz_hlc_next(0, cz_now_ms()), entity, "household", village, NULL, 0, body, blen);
    assert_int_equal(tk_log_write(l, &d, sign, ctx, out, len, id), CZ_OK);
    free(body);
}

static int setup(void **state)
{
    char why[128] = "", *identity = NULL;
    (void)state;
    memset(&F, 0, sizeof F);
    F.bseq = 1000;
    if (tk_pair_init(&F.p, "sender", "许昌市科协", VA, PASS)) return -1;
    if (cz_station_identity(F.p.office, &identity)) return -1;
    snprintf(F.bdir, sizeof F.bdir, "%s/b", F.p.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_STATION, .name = "柳树村", .region = VB, .user = "王会计",
                              .office_identity = identity };
    int rc = cz_station_init(F.bdir, &o, PASS, &F.b, why, sizeof why);
    free(identity);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    cz_station_close(F.b);
    F.b = NULL;
    tk_pair_free(&F.p);
    return 0;
}

/* Both stations join: their bundles (new stations: pending signer, pending
 * box) come in, pending; the office certifies people and station keys. */
static void test_join(void **state)
{
    (void)state;
    struct cz_vv ack;
    struct cz_assign a[] = { { "number", "YSW-9" }, { "village", VA }, { "head", "王秀英" } };
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[32];
    assert_int_equal(cz_station_add(F.p.village, "household", a, 3, entity, id, &err), CZ_OK);
    struct cz_import_result r = to_office(F.p.village);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.pending, 1);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.sender_trusted, 0);
    stored_ack(cz_station_info(F.p.village)->box_pk, &ack);
    assert_int_equal(ack.n, 0);                       /* not an acknowledgement before enrolment */
    r = to_office(F.b);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, 0);
    certify(cz_station_person_pk(F.p.village), "person", "李书记", "杨树湾村", VA);
    certify(cz_station_info(F.p.village)->box_pk, "station", "杨树湾村", "杨树湾村", VA);
    certify(cz_station_person_pk(F.b), "person", "王会计", "柳树村", VB);
    certify(cz_station_info(F.b)->box_pk, "station", "柳树村", "柳树村", VB);
    from_office(F.p.village);
    from_office(F.b);
}

/* Honest: A's own person; the vector is A's acknowledgement, and only
 * over what the office holds. */
static void test_own_person_acknowledges(void **state)
{
    (void)state;
    struct cz_vv ack;
    struct cz_import_result r = to_office(F.p.village);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 1);
    stored_ack(cz_station_info(F.p.village)->box_pk, &ack);
    const uint8_t *root = cz_station_info(F.p.office)->office_root;
    uint64_t held = last_seq(F.p.office, root);
    assert_true(cz_vv_has(&ack, root, 1));
    cz_vv_free(&ack);

    /* A claims the root's log far beyond what the office holds: kept only
     * up to what is held. */
    struct cz_vv claim = { 0 };
    uint8_t zero[32] = { 0 };
    for (uint64_t s = 1; s <= held + 50; s++) assert_int_equal(cz_vv_add(&claim, root, s, zero), CZ_OK);
    r = deliver(cz_station_info(F.p.village)->box_pk, cz_station_person_pk(F.p.village), st_sign, F.p.village,
                &claim, NULL, NULL, 0, NULL);
    cz_vv_free(&claim);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 1);
    stored_ack(cz_station_info(F.p.village)->box_pk, &ack);
    assert_true(cz_vv_has(&ack, root, held));
    assert_false(cz_vv_has(&ack, root, held + 1));
    cz_vv_free(&ack);

    /* An empty vector from A's own person does not lower what is stored. */
    stored_ack(cz_station_info(F.p.village)->box_pk, &ack);
    size_t before = ack.n;
    cz_vv_free(&ack);
    r = deliver(cz_station_info(F.p.village)->box_pk, cz_station_person_pk(F.p.village), st_sign, F.p.village,
                NULL, NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_OK);
    stored_ack(cz_station_info(F.p.village)->box_pk, &ack);
    assert_int_equal(ack.n, before);
    assert_true(cz_vv_has(&ack, root, held));
    cz_vv_free(&ack);
}

/* Attack: B's certified person signs a bundle naming A's box key, with a
 * vector claiming every log position there could be.  Not A's
 * acknowledgement: a revocation written afterwards still goes to A. */
static void test_other_station_cannot_acknowledge(void **state)
{
    (void)state;
    struct cz_vv before, after, claim = { 0 };
    const uint8_t *abox = cz_station_info(F.p.village)->box_pk;
    const uint8_t *root = cz_station_info(F.p.office)->office_root;
    uint8_t zero[32] = { 0 };
    stored_ack(abox, &before);
    uint64_t held = last_seq(F.p.office, root);
    for (uint64_t s = 1; s <= held + 100; s++) assert_int_equal(cz_vv_add(&claim, root, s, zero), CZ_OK);
    struct cz_import_result r = deliver(abox, cz_station_person_pk(F.b), st_sign, F.b, &claim, NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 0);
    stored_ack(abox, &after);
    assert_int_equal(after.n, before.n);
    for (size_t i = 0; i < after.n; i++) assert_int_equal(after.o[i].n, before.o[i].n);
    assert_false(cz_vv_has(&after, root, held + 1));
    /* The revocation reaches A. */
    uint8_t rid[32];
    assert_int_equal(cz_station_revoke(F.p.office, cz_station_person_pk(F.b), 1000, "test", rid), CZ_OK);
    struct cz_export_result er = from_office(F.p.village);
    assert_true(er.entries >= 1);
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.village), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, root, cz_station_person_pk(F.b), &ti), CZ_OK);
    cz_txn_abort(t);
    assert_true(ti.revoked);
    cz_vv_free(&before);
    cz_vv_free(&after);
    cz_vv_free(&claim);
}

/* Vectors beyond the bounds are refused whole, before anything is kept. */
static void test_vector_bounds(void **state)
{
    (void)state;
    struct cz_vv wide = { 0 }, deep = { 0 }, ok = { 0 };
    uint8_t origin[32] = { 0 }, zero[32] = { 0 };
    const uint8_t *abox = cz_station_info(F.p.village)->box_pk;
    for (uint32_t i = 0; i <= CZ_VV_ORIGINS_MAX; i++) {
        origin[28] = (uint8_t)(i >> 24); origin[29] = (uint8_t)(i >> 16);
        origin[30] = (uint8_t)(i >> 8); origin[31] = (uint8_t)i;
        assert_int_equal(cz_vv_add(&wide, origin, 1, zero), CZ_OK);
    }
    struct cz_import_result r = deliver(abox, cz_station_person_pk(F.p.village), st_sign, F.p.village, &wide,
                                        NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_ETOOBIG);
    for (uint64_t s = 1; s <= 2 * (uint64_t)CZ_VV_ORIGIN_RANGES_MAX + 2; s += 2)
        assert_int_equal(cz_vv_add(&deep, origin, s, zero), CZ_OK);
    r = deliver(abox, cz_station_person_pk(F.p.village), st_sign, F.p.village, &deep, NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_ETOOBIG);
    /* The buffer decoder holds the same bounds; at the bound it decodes. */
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, pos = 0;
    struct cz_vv d;
    assert_int_equal(cz_vv_encode_unbounded(&deep, &buf, &len, &cap), CZ_OK);
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_ETOOBIG);
    free(buf);
    /* An honest writer never sends what a reader refuses: cz_vv_encode
     * leaves out what is past the bounds (the vector claims less). */
    buf = NULL; len = cap = pos = 0;
    assert_int_equal(cz_vv_encode(&deep, &buf, &len, &cap), CZ_OK);
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.o[0].n, CZ_VV_ORIGIN_RANGES_MAX);
    cz_vv_free(&d);
    free(buf);
    buf = NULL; len = cap = pos = 0;
    assert_int_equal(cz_vv_encode(&wide, &buf, &len, &cap), CZ_OK);
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_OK);
    assert_int_equal(d.n, CZ_VV_ORIGINS_MAX);
    cz_vv_free(&d);
    free(buf);
    for (uint64_t s = 1; s < 2 * (uint64_t)CZ_VV_ORIGIN_RANGES_MAX; s += 2)
        assert_int_equal(cz_vv_add(&ok, origin, s, zero), CZ_OK);
    buf = NULL; len = cap = pos = 0;
    assert_int_equal(cz_vv_encode(&ok, &buf, &len, &cap), CZ_OK);
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_OK);
    cz_vv_free(&d);
    free(buf);
    cz_vv_free(&wide);
    cz_vv_free(&deep);
    cz_vv_free(&ok);
}

/* Attack: a key nobody certified signs a bundle naming A's (certified) box
 * key; its announcement names another station.  Only its key
 * announcement is kept; its household is refused (CZ_EUNCERT). */
static void test_uncertified_signer(void **state)
{
    (void)state;
    struct kp k;
    struct tk_log l = { 0 };
    uint8_t *e[2];
    size_t elen[2];
    struct refusals rf;
    crypto_sign_keypair(k.pk, k.sk);
    memcpy(l.origin, k.pk, 32);
    announce(&l, &k, "外来站", &e[0], &elen[0]);
    household(&l, kp_sign, &k, VA, "X-1", &e[1], &elen[1]);
    struct cz_import_result r = deliver(cz_station_info(F.p.village)->box_pk, k.pk, kp_sign, &k, NULL, e, elen, 2, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 0);
    assert_int_equal(r.fresh, 1);                     /* the announcement */
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EUNCERT);
    free(e[0]);
    free(e[1]);
}

/* Honest: a new station (box not certified) whose own pending person
 * signs: its work is kept, pending.  And what is pending is never
 * forwarded by the office, until certified. */
static void test_new_station_pending_not_forwarded(void **state)
{
    (void)state;
    struct kp k, box;
    struct tk_log l = { 0 };
    uint8_t *e[2];
    size_t elen[2];
    crypto_sign_keypair(k.pk, k.sk);
    crypto_sign_keypair(box.pk, box.sk);              /* any 32 bytes stand for its box key */
    memcpy(l.origin, k.pk, 32);
    announce(&l, &k, "新村", &e[0], &elen[0]);
    household(&l, kp_sign, &k, VA, "N-1", &e[1], &elen[1]);
    struct cz_import_result r = deliver(box.pk, k.pk, kp_sign, &k, NULL, e, elen, 2, NULL);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 2);
    assert_int_equal(r.pending, 1);                   /* the household; announcements need no certificate */
    assert_int_equal(r.refused, 0);
    /* Its household lies in A's village and its announcement goes
     * everywhere, but neither reaches A while the key is pending. */
    struct cz_export_result er = from_office(F.p.village);
    size_t skipped = er.skipped_pending;
    assert_true(skipped >= 2);
    assert_int_equal(last_seq(F.p.village, k.pk), 0);
    /* Certified: forwarded. */
    certify(k.pk, "person", "来客", "新村", VA);
    er = from_office(F.p.village);
    assert_int_equal(er.skipped_pending, skipped - 2);   /* test_uncertified_signer's key is still pending */
    assert_int_equal(last_seq(F.p.village, k.pk), 2);
    free(e[0]);
    free(e[1]);
}

/* Bounds on a pending key: its seq (entries), its bytes, and the number
 * of pending keys in one bundle. */
static void test_pending_bounds(void **state)
{
    (void)state;
    struct kp k, box;
    struct tk_log l = { 0 };
    uint8_t *e[2];
    size_t elen[2];
    struct refusals rf;
    crypto_sign_keypair(k.pk, k.sk);
    crypto_sign_keypair(box.pk, box.sk);
    memcpy(l.origin, k.pk, 32);
    announce(&l, &k, "远村", &e[0], &elen[0]);
    l.seq = 100000;                                   /* the log's 100,001st entry */
    household(&l, kp_sign, &k, VA, "B-1", &e[1], &elen[1]);
    struct cz_import_result r = deliver(box.pk, k.pk, kp_sign, &k, NULL, e, elen, 2, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 1);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPENDINGMAX);
    free(e[1]);

    /* Bytes: the key has brought 64 MB less a few bytes already. */
    char hex[65], name[96];
    cz_txn *t = NULL;
    uint64_t bytes = 0;
    cz_hex(k.pk, 32, hex);
    snprintf(name, sizeof name, "pending_bytes:%s", hex);
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get_u64(t, name, &bytes), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(bytes, elen[0]);                 /* what it brought is counted */
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 1, &t), CZ_OK);
    assert_int_equal(cz_meta_put_u64(t, name, 64u * 1024 * 1024 - 10), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    l.seq = 1;
    household(&l, kp_sign, &k, VA, "B-2", &e[1], &elen[1]);
    r = deliver(box.pk, k.pk, kp_sign, &k, NULL, &e[1], &elen[1], 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPENDINGMAX);
    free(e[0]);
    free(e[1]);

    /* 257 fresh keys announcing themselves in one bundle: the last is one
     * too many. */
    enum { N = 257 };
    uint8_t *many[N];
    size_t many_len[N];
    for (int i = 0; i < N; i++) {
        struct kp ki;
        struct tk_log li = { 0 };
        crypto_sign_keypair(ki.pk, ki.sk);
        memcpy(li.origin, ki.pk, 32);
        announce(&li, &ki, "远村", &many[i], &many_len[i]);
    }
    r = deliver(box.pk, k.pk, kp_sign, &k, NULL, many, many_len, N, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, N - 256);
    assert_int_equal(rf.why, CZ_EPENDINGMAX);
    for (int i = 0; i < N; i++) free(many[i]);
}

/* A restored station signs with a new key that names the one it
 * replaces: once the office certified it, its first bundle sets A's
 * acknowledgement back to what A holds now (so what A lost is sent
 * again); after that, acknowledgements merge again. */
static void test_restore_notice(void **state)
{
    (void)state;
    struct kp k;
    struct tk_log l = { 0 };
    uint8_t *e;
    size_t elen;
    struct cz_vv ack, claim = { 0 };
    const uint8_t *abox = cz_station_info(F.p.village)->box_pk, *old = cz_station_person_pk(F.p.village);
    const uint8_t *root = cz_station_info(F.p.office)->office_root;
    crypto_sign_keypair(k.pk, k.sk);
    memcpy(l.origin, k.pk, 32);
    announce_replacing(&l, &k, "杨树湾村", old, &e, &elen);
    /* Pending: its announcement is kept, A's acknowledgement untouched. */
    struct cz_import_result r = deliver(abox, k.pk, kp_sign, &k, NULL, &e, &elen, 1, NULL);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 0);
    stored_ack(abox, &ack);
    assert_true(cz_vv_has(&ack, root, 1));
    cz_vv_free(&ack);
    certify(k.pk, "person", "李书记", "杨树湾村", VA);
    /* Certified: the restore notice.  A now holds only its old person's
     * first entry. */
    uint8_t id1[32];
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_get(t, old, 1, id1), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(cz_vv_add(&claim, old, 1, id1), CZ_OK);
    r = deliver(abox, k.pk, kp_sign, &k, &claim, NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 1);
    stored_ack(abox, &ack);
    assert_false(cz_vv_has(&ack, root, 1));           /* moved back: the root's entries go to A again */
    assert_true(cz_vv_has(&ack, old, 1));
    cz_vv_free(&ack);
    /* Once only: a later empty vector does not lower it further. */
    r = deliver(abox, k.pk, kp_sign, &k, NULL, NULL, NULL, 0, NULL);
    assert_int_equal(r.status, CZ_OK);
    stored_ack(abox, &ack);
    assert_true(cz_vv_has(&ack, old, 1));
    cz_vv_free(&ack);
    struct cz_export_result er = from_office(F.p.village);
    assert_true(er.entries > 0);
    cz_vv_free(&claim);
    free(e);
}

/* Honest: a clerk at the office (certified at once, role clerk, for the
 * office's station) signs the office's export: A takes its vector as the
 * office's acknowledgement. */
static void test_office_clerk_acknowledges(void **state)
{
    (void)state;
    struct cz_peer *peers = NULL;
    size_t n = 0;
    struct cz_export_result er = { 0 };
    struct cz_import_result r;
    uint8_t *img = NULL;
    size_t len = 0;
    assert_int_equal(cz_station_user_add(F.p.office, "赵文书", "clerk", PASS), CZ_OK);
    assert_int_equal(cz_station_login(F.p.office, "赵文书", PASS), CZ_OK);
    assert_int_equal(cz_sync_peers(F.p.office, &peers, &n), CZ_OK);
    for (size_t i = 0; i < n; i++)
        if (!memcmp(peers[i].box, cz_station_info(F.p.village)->box_pk, 32))
            assert_int_equal(cz_sync_export(F.p.office, F.p.stick, &peers[i], 1, &er), CZ_OK);
    free(peers);
    assert_int_equal(cz_read_file(er.path, &img, &len), CZ_OK);
    assert_int_equal(cz_sync_import(F.p.village, img, len, NULL, NULL, &r), CZ_OK);
    free(img);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.sender_trusted, 1);
    assert_int_equal(cz_station_login(F.p.office, "张主任", PASS), CZ_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_own_person_acknowledges),
        cmocka_unit_test(test_other_station_cannot_acknowledge),
        cmocka_unit_test(test_vector_bounds),
        cmocka_unit_test(test_uncertified_signer),
        cmocka_unit_test(test_new_station_pending_not_forwarded),
        cmocka_unit_test(test_pending_bounds),
        cmocka_unit_test(test_restore_notice),
        cmocka_unit_test(test_office_clerk_acknowledges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
