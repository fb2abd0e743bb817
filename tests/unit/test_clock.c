/* test_clock.c — a clock more than a day ahead (src/FORMATS.md,
 * Reconciling; a persisted future timestamp cannot be undone): the entry is
 * accepted and counted in the import result, and the receiving station's
 * clock does not follow it, so its next record is not dated in the future. */
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
#include "keys.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "clock-pass"
#define DAY_MS (24ull * 3600 * 1000)

static struct tk_pair P;

static int setup(void **state)
{
    return tk_pair_init(&P, "clock", "市办", V1, PASS) || tk_places(P.office, V1, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
    tk_pair_free(&P);
    return 0;
}

/* An author: its log (testkit.h) and the key that signs it. */
struct author { struct tk_log log; uint8_t sk[64]; };

static int author_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ESIG;
}

/* A new household, the next entry of a (not yet certified) author's log, at clock hlc_ms. */
static void household_entry(struct author *a, uint64_t hlc_ms, const char *head, uint8_t **out, size_t *len,
                            uint8_t id[32])
{
    const struct cz_type *ty = cz_schema_type("household");
    cz_body *b = cz_body_new();
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "number", head, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "village", V1, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "head", head, NULL), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &body_len), CZ_OK);
    struct cz_entry_draft d;
    uint8_t entity[CZ_ENTITY_BYTES];
    randombytes_buf(entity, sizeof entity);
    tk_log_draft(&a->log, &d, hlc_ms << 16, entity, "household", V1, NULL, 0, body, body_len);
    assert_int_equal(tk_log_write(&a->log, &d, author_sign, a, out, len, id), CZ_OK);
    free(body);
    cz_body_free(b);
}

/* A new author's key, certified by the office as a clerk of the village:
 * an uncertified key carried by another station's person brings only its
 * key announcements (TRUST.md, Bundles). */
static void certify_author(struct author *a, const char *name)
{
    uint8_t id[32];
    crypto_sign_keypair(a->log.origin, a->sk);
    struct cz_cert_req cert = { .kind = "person", .name = name, .station = "杨树湾村", .region = V1,
                                .role = "clerk" };
    memcpy(cert.key, a->log.origin, 32);
    assert_int_equal(cz_station_certify(P.office, &cert, id), CZ_OK);
}

/* The payload w sealed by the village station to the office as its
 * bundle number seq; *file malloc'd. */
static void seal_from_village(const struct cz_payload_writer *w, uint64_t seq, uint8_t **file, size_t *flen)
{
    const struct cz_station_info *vi = cz_station_info(P.village);
    uint8_t bid[32];
    struct cz_bundle_params p = {
        .sender_box = vi->box_pk, .seq = seq, .recipients = (const uint8_t (*)[32])vi->office_box,
        .nrecipients = 1, .signer = cz_station_person_pk(P.village), .sign = tk_station_sign,
        .sign_ctx = P.village, .chunk_log2 = 0,
    };
    assert_int_equal(cz_bundle_seal(&p, w->buf, w->len, file, flen, bid), CZ_OK);
}

/* The office's hybrid clock, in milliseconds. */
static uint64_t office_clock_ms(void)
{
    cz_txn *t = NULL;
    uint64_t hlc = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get_u64(t, "hlc", &hlc), CZ_OK);
    cz_txn_abort(t);
    return cz_hlc_ms(hlc);
}

static void test_clock_ahead_flagged_not_followed(void **state)
{
    struct author a = { 0 };
    uint8_t *e1, *e2, *file, id1[32], id2[32];
    size_t l1, l2, flen;
    uint64_t now = cz_now_ms(), future = now + 2 * DAY_MS;
    struct cz_vv vv = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_import_result res;
    cz_txn *t = NULL;

    certify_author(&a, "王会计");
    household_entry(&a, now, "正常", &e1, &l1, id1);        /* seq 1 */
    household_entry(&a, future, "超前", &e2, &l2, id2);     /* seq 2, after id1 */
    assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &vv), CZ_OK);
    assert_int_equal(cz_payload_add(&w, e1, l1), CZ_OK);
    assert_int_equal(cz_payload_add(&w, e2, l2), CZ_OK);
    cz_payload_finish(&w);
    seal_from_village(&w, 1, &file, &flen);

    assert_int_equal(cz_sync_import(P.office, file, flen, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_OK);
    assert_int_equal(res.fresh, 2);            /* both accepted ... */
    assert_int_equal(res.clock_ahead, 1);      /* ... one flagged */
    assert_int_equal(res.refused, 0);

    /* The office's clock stayed with the present. */
    assert_true(office_clock_ms() < now + DAY_MS);

    /* Its next record is dated now, not after the future entry. */
    struct cz_assign as[] = { { "number", "O-1" }, { "village", V1 }, { "head", "市办录入" } };
    uint8_t entity[16], id[32];
    struct cz_field_error err;
    struct cz_record r;
    assert_int_equal(cz_station_add(P.office, "household", as, 3, entity, id, &err), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, entity, &r), CZ_OK);
    assert_true(cz_hlc_ms(r.hlc) < now + DAY_MS);
    assert_true(r.hlc < (future << 16));
    cz_record_clear(&r);
    cz_txn_abort(t);

    /* A replay counts nothing again. */
    assert_int_equal(cz_sync_import(P.office, file, flen, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_ESEEN);
    assert_int_equal(res.clock_ahead, 0);
    free(e1);
    free(e2);
    free(file);
    free(w.buf);
}

/* A station whose hybrid clock ran a year ahead once (and cannot go back)
 * but whose PC now reads the right time: its entries are not flagged
 * "clock ahead" (that is judged on the wall time the PC read), and this
 * station's clock does not follow the runaway hybrid clock. */
static void test_runaway_hlc_not_flagged(void **state)
{
    struct author a = { 0 };
    uint8_t *e = NULL, *file, id[32], entity[16];
    size_t len, flen;
    uint64_t now = cz_now_ms();
    struct cz_vv vv = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_import_result res;
    certify_author(&a, "赵会计");
    const struct cz_type *ty = cz_schema_type("household");
    cz_body *b = cz_body_new();
    uint8_t *body = NULL;
    size_t body_len = 0;
    assert_int_equal(cz_schema_set(ty, b, "number", "RUN-1", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "village", V1, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "head", "钱", NULL), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &body_len), CZ_OK);
    cz_body_free(b);
    struct cz_entry_draft d;
    randombytes_buf(entity, sizeof entity);
    tk_log_draft(&a.log, &d, (now + 365 * DAY_MS) << 16, entity, "household", V1, NULL, 0, body, body_len);
    d.wall = (int64_t)(now / 1000);            /* the PC reads the right time */
    assert_int_equal(tk_log_write(&a.log, &d, author_sign, &a, &e, &len, id), CZ_OK);
    free(body);
    assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &vv), CZ_OK);
    assert_int_equal(cz_payload_add(&w, e, len), CZ_OK);
    cz_payload_finish(&w);
    seal_from_village(&w, 2, &file, &flen);
    assert_int_equal(cz_sync_import(P.office, file, flen, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_OK);
    assert_int_equal(res.fresh, 1);
    assert_int_equal(res.clock_ahead, 0);
    assert_true(office_clock_ms() < now + DAY_MS);
    free(e);
    free(file);
    free(w.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_ahead_flagged_not_followed),
        cmocka_unit_test(test_runaway_hlc_not_flagged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
