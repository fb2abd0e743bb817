/* Mixed builds (TRUST.md, Mixed builds): a station whose build does not
 * know a record type keeps the entries of that type it receives, held
 * aside and verified, never refused and never dropped, and counts them
 * once it runs a build that knows the type (re-judged when the station is
 * opened, and at every import).  Every entry here is signed with a real
 * key the office certified and carried in a real bundle.
 *
 * The older build is played by hiding a type this build knows
 * (cz_schema_test_hide): the entries are then exactly what the newer
 * build signs, and the "upgrade" is this build's own table coming back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"
#include "hex.h"
#include "overview.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"
#include "verify.h"

#define VA "411081106201"       /* the village station's village */
#define VB "411081106202"       /* another village */
#define PASS "mixed-pass-1"

struct author {
    uint8_t pk[32], sk[64];
    struct tk_log log;
};

static struct {
    struct tk_pair p;
    struct author clerk_a, clerk_b;
    uint8_t hh_a[16], hh_a_v1[32];      /* village A's household */
} F;

static int raw_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

static int certify(struct author *a, const char *name, const char *region)
{
    uint8_t id[32];
    crypto_sign_keypair(a->pk, a->sk);
    memset(&a->log, 0, sizeof a->log);
    memcpy(a->log.origin, a->pk, 32);
    struct cz_cert_req req = { .kind = "person", .name = name, .station = "杨树湾村", .region = region,
                               .role = "clerk" };
    memcpy(req.key, a->pk, 32);
    return cz_station_certify(F.p.office, &req, id);
}

/* A canonical body of type (this build's table) from FIELD=VALUE pairs. */
static uint8_t *body_of(const char *type, const struct cz_assign *a, size_t n, size_t *len)
{
    const struct cz_type *ty = cz_schema_type(type);
    struct cz_field_error err;
    cz_body *b = cz_body_new();
    uint8_t *out = NULL;
    if (!ty || cz_schema_set_many(ty, b, a, n, &err) || cz_schema_finish(ty, b, 20260101, &err) ||
        cz_body_encode(b, &out, len))
        out = NULL;
    cz_body_free(b);
    return out;
}

static uint8_t *visit_body(const uint8_t household[16], size_t *len)
{
    char hex[33];
    cz_hex(household, 16, hex);
    struct cz_assign a[] = { { "household", hex }, { "date", "2025-06-01" }, { "notes", "看了大棚" } };
    return body_of("visit", a, 3, len);
}

static void sign_entry(struct author *a, const char *type, const char *region, const uint8_t entity[16],
                       const uint8_t *body, size_t blen, uint8_t **out, size_t *len, uint8_t id[32])
{
    struct cz_entry_draft d;
    tk_log_draft(&a->log, &d, cz_hlc_next(0, cz_now_ms()), entity, type, region, NULL, 0, body, blen);
    assert_int_equal(tk_log_write(&a->log, &d, raw_sign, a, out, len, id), CZ_OK);
}

/* Seals one entry as the village station and imports it at the office. */
static struct cz_import_result deliver1(uint8_t *e, size_t len)
{
    struct cz_import_result r;
    const uint8_t *one[1] = { e };
    assert_int_equal(tk_pair_deliver(&F.p, one, &len, 1, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    free(e);
    return r;
}

/* The office's state of an entry: CZ_JUDGED_* and why, or 0 when applied. */
static int kept_state(const uint8_t id[32], int *why)
{
    cz_txn *t = NULL;
    struct cz_entry e;
    int s = 0, rc;
    *why = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    rc = cz_store_judged_get(t, id, &s, why);
    cz_txn_abort(t);
    return rc == CZ_ENOTFOUND ? 0 : s;
}

static int is_current(const uint8_t entity[16], const uint8_t id[32])
{
    cz_txn *t = NULL;
    size_t n = 0;
    uint8_t heads[1][32];
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_heads(t, entity, heads, 1, &n), CZ_OK);
    cz_txn_abort(t);
    return n == 1 && !memcmp(heads[0], id, 32);
}

static size_t office_count(const char *type)
{
    cz_view *v = NULL;
    size_t n = 0;
    assert_int_equal(cz_view_begin(F.p.office, &v), CZ_OK);
    assert_int_equal(cz_view_count(v, type, NULL, &n), CZ_OK);
    cz_view_end(v);
    return n;
}

static size_t office_held_later(void)
{
    cz_view *v = NULL;
    size_t n = 0;
    assert_int_equal(cz_view_begin(F.p.office, &v), CZ_OK);
    assert_int_equal(cz_view_held_later(v, &n), CZ_OK);
    cz_view_end(v);
    return n;
}

static struct cz_verify_report office_verify(void)
{
    cz_txn *t = NULL;
    struct cz_verify_report rep;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, cz_station_info(F.p.office)->office_root, NULL, NULL, &rep), CZ_OK);
    cz_txn_abort(t);
    return rep;
}

/* The office's program is replaced: closed, opened again by the build
 * the test plays now as the command line and the screens open it (then
 * cz_sync_rejudge), logged in. */
static void reopen_office(void)
{
    struct cz_import_result rj;
    cz_station_close(F.p.office);
    F.p.office = NULL;
    assert_int_equal(cz_station_open(F.p.odir, &F.p.office), CZ_OK);
    assert_int_equal(cz_sync_rejudge(F.p.office, &rj), CZ_OK);
    assert_int_equal(cz_station_login(F.p.office, NULL, PASS), CZ_OK);
}

static int setup(void **state)
{
    struct cz_import_result ir;
    uint8_t *img = NULL, *b, *e;
    size_t len = 0, blen, elen;
    if (tk_pair_init(&F.p, "mixed", "许昌市办", VA, PASS)) return -1;
    if (tk_pair_export(&F.p, &img, &len)) return -1;
    if (cz_sync_import(F.p.office, img, len, NULL, NULL, &ir) || ir.status) return -1;
    free(img);
    uint8_t id[32];
    struct cz_cert_req sreq = { .kind = "station", .name = "杨树湾村", .station = "杨树湾村", .region = VA,
                                .role = "clerk" };
    memcpy(sreq.key, cz_station_info(F.p.village)->box_pk, 32);
    struct cz_cert_req preq = { .kind = "person", .name = "李书记", .station = "杨树湾村", .region = VA,
                                .role = "clerk" };
    memcpy(preq.key, cz_station_person_pk(F.p.village), 32);
    if (cz_station_certify(F.p.office, &sreq, id) || cz_station_certify(F.p.office, &preq, id)) return -1;
    if (certify(&F.clerk_a, "王会计", VA) || certify(&F.clerk_b, "赵会计", VB)) return -1;
    struct cz_assign hh[] = { { "number", "A-001" }, { "village", VA }, { "head", "王五" } };
    randombytes_buf(F.hh_a, 16);
    if (!(b = body_of("household", hh, 3, &blen))) return -1;
    sign_entry(&F.clerk_a, "household", VA, F.hh_a, b, blen, &e, &elen, F.hh_a_v1);
    free(b);
    ir = deliver1(e, elen);
    if (ir.fresh != 1 || ir.refused) return -1;
    *state = &F;
    return 0;
}

static int teardown(void **state)
{
    cz_schema_test_hide(NULL);
    tk_pair_free(&F.p);
    return 0;
}

/* A type no build here knows: kept and held at every import and open,
 * never refused, verified, and named by status and verify. */
static void test_unknown_type_is_held(void **state)
{
    uint8_t *e, ent[16], id[32];
    size_t len;
    int why = 0;
    cz_body *b = cz_body_new();
    uint8_t *body = NULL;
    size_t blen = 0;
    assert_int_equal(cz_body_set_text(b, 1, "2030", 4), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    randombytes_buf(ent, 16);
    size_t later_before = office_held_later();
    sign_entry(&F.clerk_a, "future_type", VA, ent, body, blen, &e, &len, id);
    free(body);
    struct cz_import_result r = deliver1(e, len);
    assert_int_equal(r.held, 1);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 0);
    assert_int_equal(kept_state(id, &why), CZ_JUDGED_HELD);
    assert_string_equal(cz_status_name(why), "CZ_ELATER");
    assert_false(is_current(ent, id));
    assert_int_equal(office_held_later(), later_before + 1);
    struct cz_verify_report rep = office_verify();
    assert_int_equal(rep.problems, 0);
    assert_int_equal(rep.later, later_before + 1);
    /* this build opened again, another import: still held, still kept */
    reopen_office();
    assert_int_equal(kept_state(id, &why), CZ_JUDGED_HELD);
    uint8_t *e2, ent2[16], id2[32], *b2;
    size_t l2, bl2;
    struct cz_assign hh[] = { { "number", "A-002" }, { "village", VA }, { "head", "赵六" } };
    randombytes_buf(ent2, 16);
    b2 = body_of("household", hh, 3, &bl2);
    sign_entry(&F.clerk_a, "household", VA, ent2, b2, bl2, &e2, &l2, id2);
    free(b2);
    r = deliver1(e2, l2);
    assert_int_equal(r.refused, 0);
    assert_int_equal(kept_state(id, &why), CZ_JUDGED_HELD);
    assert_int_equal(office_held_later(), later_before + 1);
}

/* An older build (visit hidden) holds an honest visit; the upgrade (the
 * type known again) counts it when the station is opened. */
static void test_upgrade_counts_on_open(void **state)
{
    uint8_t *e, *body, ent[16], id[32];
    size_t len, blen;
    int why = 0;
    size_t visits = office_count("visit"), later0 = office_held_later();
    assert_non_null(body = visit_body(F.hh_a, &blen));
    randombytes_buf(ent, 16);
    sign_entry(&F.clerk_a, "visit", VA, ent, body, blen, &e, &len, id);
    free(body);
    cz_schema_test_hide("visit");
    reopen_office();
    struct cz_import_result r = deliver1(e, len);
    assert_int_equal(r.held, 1);
    assert_int_equal(r.refused, 0);
    assert_int_equal(kept_state(id, &why), CZ_JUDGED_HELD);
    assert_false(is_current(ent, id));
    assert_int_equal(office_held_later(), later0 + 1);
    /* the upgrade */
    cz_schema_test_hide(NULL);
    reopen_office();
    assert_int_equal(kept_state(id, &why), 0);
    assert_true(is_current(ent, id));
    assert_int_equal(office_count("visit"), visits + 1);
    assert_int_equal(office_held_later(), later0);
    assert_int_equal(office_verify().later, later0);
}

/* Held by the older build, released by the next import of the upgraded
 * one even without a reopen (a station left running). */
static void test_upgrade_counts_on_next_import(void **state)
{
    uint8_t *e, *body, ent[16], id[32];
    size_t len, blen;
    int why = 0;
    assert_non_null(body = visit_body(F.hh_a, &blen));
    randombytes_buf(ent, 16);
    sign_entry(&F.clerk_a, "visit", VA, ent, body, blen, &e, &len, id);
    free(body);
    cz_schema_test_hide("visit");
    struct cz_import_result r = deliver1(e, len);
    assert_int_equal(r.held, 1);
    cz_schema_test_hide(NULL);
    uint8_t *e2, ent2[16], id2[32], *b2;
    size_t l2, bl2;
    struct cz_assign hh[] = { { "number", "A-003" }, { "village", VA }, { "head", "孙七" } };
    randombytes_buf(ent2, 16);
    b2 = body_of("household", hh, 3, &bl2);
    sign_entry(&F.clerk_a, "household", VA, ent2, b2, bl2, &e2, &l2, id2);
    free(b2);
    r = deliver1(e2, l2);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.released, 1);
    assert_int_equal(kept_state(id, &why), 0);
    assert_true(is_current(ent, id));
}

/* Held is not a way around the rules: village B's clerk signs a visit to
 * village A's household, held by the older build; the upgraded build
 * judges it and refuses it (kept as evidence, never current). */
static void test_upgrade_still_refuses_the_wrong_signer(void **state)
{
    uint8_t *e, *body, ent[16], id[32];
    size_t len, blen;
    int why = 0;
    size_t later0 = office_held_later();
    assert_non_null(body = visit_body(F.hh_a, &blen));
    randombytes_buf(ent, 16);
    sign_entry(&F.clerk_b, "visit", VA, ent, body, blen, &e, &len, id);
    free(body);
    cz_schema_test_hide("visit");
    reopen_office();
    struct cz_import_result r = deliver1(e, len);
    assert_int_equal(r.held, 1);
    assert_int_equal(r.refused, 0);
    cz_schema_test_hide(NULL);
    reopen_office();
    assert_int_equal(kept_state(id, &why), CZ_JUDGED_REFUSED);
    assert_string_equal(cz_status_name(why), "CZ_EPERM");
    assert_false(is_current(ent, id));
    assert_int_equal(office_held_later(), later0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_type_is_held),
        cmocka_unit_test(test_upgrade_counts_on_open),
        cmocka_unit_test(test_upgrade_counts_on_next_import),
        cmocka_unit_test(test_upgrade_still_refuses_the_wrong_signer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
