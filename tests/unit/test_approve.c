/* test_approve.c — signing a step of an exit chain (approve.h) on the demo
 * data set (cz_demo_build: real LMDB, real Argon2id and Ed25519): the
 * latest assessment of a household, a county decision signed, the notice
 * refused before its 7 days, a village clerk refused, a deleted or wrong
 * record refused, and nothing stored on a refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approve.h"
#include "demo.h"
#include "exitchain.h"
#include "hex.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define PASS "demo-pass"

static char dir[64], office[128], ysw[128];

static int setup(void **state)
{
    (void)state;
    const char *what = NULL;
    if (tk_tmpdir(dir, sizeof dir, "approve")) return -1;
    snprintf(office, sizeof office, "%s/office", dir);
    snprintf(ysw, sizeof ysw, "%s/yangshuwan", dir);
    return cz_demo_build(dir, PASS, NULL, &what) == CZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tk_rmtree(dir);
    return 0;
}

struct exits { cz_txn *t; const uint8_t *root; uint8_t open[CZ_ENTITY_BYTES]; int nopen, ncomplete; };

static int exit_cb(void *ctx, const uint8_t *entity)
{
    struct exits *x = ctx;
    struct cz_exit_state es;
    if (cz_exit_state(x->t, x->root, entity, &es) != CZ_OK) return 0;
    if (es.complete) x->ncomplete++;
    else { memcpy(x->open, entity, CZ_ENTITY_BYTES); x->nopen++; }
    return 0;
}

/* The demo's one assessment still open (village and township signed). */
static void find_open(cz_station *st, struct exits *x)
{
    memset(x, 0, sizeof *x);
    x->root = cz_station_info(st)->office_root;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &x->t), CZ_OK);
    assert_int_equal(cz_query_list(x->t, cz_schema_type("exit"), NULL, 0, exit_cb, x, NULL), CZ_OK);
}

static void test_latest_and_sign(void **state)
{
    (void)state;
    cz_station *st = NULL;
    struct exits x;
    struct cz_exit_state es;
    struct cz_record r;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], hh[CZ_ENTITY_BYTES], latest[CZ_ENTITY_BYTES];
    char version[65];
    struct cz_field_error err;

    assert_int_equal(cz_station_open(office, &st), CZ_OK);
    find_open(st, &x);
    assert_int_equal(x.nopen, 1);
    assert_int_equal(x.ncomplete, 1);
    /* The household's latest assessment is this one. */
    assert_int_equal(cz_record_load(x.t, x.open, &r), CZ_OK);
    const uint8_t *ref;
    size_t len;
    assert_int_equal(cz_body_get_bytes(r.body, cz_schema_field(r.type, "household")->tag, &ref, &len), CZ_OK);
    assert_int_equal(len, CZ_ENTITY_BYTES);
    memcpy(hh, ref, CZ_ENTITY_BYTES);
    uint8_t shown[CZ_ID_BYTES], other[CZ_ID_BYTES];
    memcpy(shown, r.id, CZ_ID_BYTES);
    memcpy(other, r.id, CZ_ID_BYTES);
    other[0] ^= 1;
    cz_record_clear(&r);
    assert_int_equal(cz_exit_latest(x.t, hh, latest), CZ_OK);
    assert_memory_equal(latest, x.open, CZ_ENTITY_BYTES);
    /* A household with no assessment: not found.  (The exit itself links nothing.) */
    assert_int_equal(cz_exit_latest(x.t, x.open, latest), CZ_ENOTFOUND);
    cz_txn_abort(x.t);

    /* Not an exit assessment: refused before anything is signed. */
    assert_int_equal(cz_station_login(st, "王县长", PASS), CZ_OK);
    assert_int_equal(cz_approve_sign(st, hh, "county", "approve", NULL, NULL, NULL, entity, id, version, &err), CZ_ETYPE);
    /* Out of order: the notice before the county decision. */
    assert_int_equal(cz_approve_sign(st, x.open, "notice", "approve", NULL, NULL, NULL, entity, id, version, &err),
                     CZ_EORDER);
    /* A screen that showed another version than the current one: refused,
     * nothing signed (the entry count does not move). */
    struct cz_store_stats before, after;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &x.t), CZ_OK);
    assert_int_equal(cz_store_stats(x.t, &before), CZ_OK);
    cz_txn_abort(x.t);
    assert_int_equal(cz_approve_sign(st, x.open, "county", "approve", NULL, NULL, other, entity, id, version, &err),
                     CZ_ESTALE);
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &x.t), CZ_OK);
    assert_int_equal(cz_store_stats(x.t, &after), CZ_OK);
    cz_txn_abort(x.t);
    assert_int_equal(after.entries, before.entries);
    /* The county decision, on the version shown. */
    assert_int_equal(cz_approve_sign(st, x.open, "county", "approve", NULL, NULL, shown, entity, id, version, &err), CZ_OK);
    assert_int_equal(strlen(version), 64);
    /* The notice by the same person: refused, each step needs another. */
    assert_int_equal(cz_approve_sign(st, x.open, "notice", "approve", NULL, NULL, NULL, entity, id, version, &err),
                     CZ_ESAMESIGNER);
    /* By another county person the same day: its 7 days are not over. */
    assert_int_equal(cz_station_login(st, "陈科长", PASS), CZ_OK);
    assert_int_equal(cz_approve_sign(st, x.open, "notice", "approve", NULL, NULL, NULL, entity, id, version, &err),
                     CZ_ENOTICE);
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_exit_state(t, cz_station_info(st)->office_root, x.open, &es), CZ_OK);
    cz_txn_abort(t);
    assert_true(es.approved[CZ_STEP_VILLAGE] && es.approved[CZ_STEP_TOWNSHIP] && es.approved[CZ_STEP_COUNTY]);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_false(es.complete);
    cz_station_close(st);
}

static void test_clerk_refused(void **state)
{
    (void)state;
    cz_station *st = NULL;
    struct exits x;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    assert_int_equal(cz_station_open(ysw, &st), CZ_OK);
    find_open(st, &x);
    cz_txn_abort(x.t);
    assert_int_equal(x.nopen, 1);
    assert_int_equal(cz_station_login(st, "李会计", PASS), CZ_OK);
    int rc = cz_approve_sign(st, x.open, "county", "approve", NULL, NULL, NULL, entity, id, NULL, &err);
    assert_true(rc == CZ_EPERM || rc == CZ_EROLE);
    cz_station_close(st);
}

/* At the signing gate as a person meets it: an assessment failing the
 * criteria is saved, its approval refused with the criterion, nothing
 * signed; a typed date far from the clock refused. */
static void test_criteria_refused(void **state)
{
    (void)state;
    cz_station *st = NULL;
    struct exits x;
    struct cz_record r;
    struct cz_field_error err;
    struct cz_exit_detail d;
    uint8_t hh[CZ_ENTITY_BYTES], ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char hex[33];
    assert_int_equal(cz_station_open(ysw, &st), CZ_OK);
    find_open(st, &x);
    assert_int_equal(cz_record_load(x.t, x.open, &r), CZ_OK);
    const uint8_t *ref;
    size_t len;
    assert_int_equal(cz_body_get_bytes(r.body, cz_schema_field(r.type, "household")->tag, &ref, &len), CZ_OK);
    memcpy(hh, ref, CZ_ENTITY_BYTES);
    cz_record_clear(&r);
    cz_txn_abort(x.t);
    cz_hex(hh, CZ_ENTITY_BYTES, hex);
    assert_int_equal(cz_station_login(st, "孙书记", PASS), CZ_OK);
    static const struct { const char *year, *income, *housing; int rc; } cases[] = {
        { "2018", "4200", "no", CZ_EGUARANTEE }, { "2018", "1.00", "yes", CZ_EINCOME },
        { "2013", "9000", "yes", CZ_ENOLINE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cz_assign a[] = {
            { "household", hex }, { "year", cases[i].year }, { "income_per_capita", cases[i].income },
            { "food", "yes" }, { "clothing", "yes" }, { "schooling", "yes" }, { "medical", "yes" },
            { "housing", cases[i].housing },
        };
        assert_int_equal(cz_station_add(st, "exit", a, sizeof a / sizeof a[0], ent, ver, &err), CZ_OK);
        tk_assert_int(cases[i].income, cz_approve_check(st, ent, "village", NULL, NULL, NULL, &d), cases[i].rc);
        tk_assert_int(cases[i].income, cz_approve_sign(st, ent, "village", "approve", NULL, NULL, NULL, entity, id,
                                                       NULL, &err), cases[i].rc);
        char msg[512];
        cz_exit_message(cases[i].rc, &d, CZ_LANG_ZH, msg, sizeof msg);
        if (cases[i].rc == CZ_EGUARANTEE) tk_assert_true(msg, strstr(msg, "住房安全有保障") != NULL);
        if (cases[i].rc == CZ_EINCOME) tk_assert_true(msg, strstr(msg, "2995.00") != NULL);
        /* A rejection of it is fine. */
        if (i == 0)
            assert_int_equal(cz_approve_sign(st, ent, "village", "reject", "住房不安全", NULL, NULL, entity, id,
                                             NULL, &err), CZ_OK);
    }
    /* An honest one, but typed as signed in 2000. */
    const struct cz_assign ok[] = {
        { "household", hex }, { "year", "2018" }, { "income_per_capita", "5000" }, { "food", "yes" },
        { "clothing", "yes" }, { "schooling", "yes" }, { "medical", "yes" }, { "housing", "yes" },
    };
    assert_int_equal(cz_station_add(st, "exit", ok, sizeof ok / sizeof ok[0], ent, ver, &err), CZ_OK);
    assert_int_equal(cz_approve_sign(st, ent, "village", "approve", NULL, "2000-01-01", NULL, entity, id, NULL, &err),
                     CZ_EDATECLOCK);
    assert_int_equal(cz_approve_sign(st, ent, "village", "approve", NULL, NULL, NULL, entity, id, NULL, &err), CZ_OK);
    /* The village supervisor cannot also review for the township. */
    assert_int_equal(cz_approve_sign(st, ent, "township", "approve", NULL, NULL, NULL, entity, id, NULL, &err),
                     CZ_EROLE);
    cz_station_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latest_and_sign),
        cmocka_unit_test(test_clerk_refused),
        cmocka_unit_test(test_criteria_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
