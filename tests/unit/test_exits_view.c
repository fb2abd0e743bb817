/* test_exits_view.c — every exit assessment with its stage
 * (overview.h, cz_view_exits_each), as the approvals screen's overview,
 * the home screen and `cunzhan exits` show it: each stage of an honest
 * chain, a rejection, the notice while it runs, the exit criteria judged
 * before anyone signs (income under the line, a guarantee "no", no line
 * for the year), a person's jurisdiction, and approvals validly signed by
 * keys without the right role or level that do not advance the stage.
 * A person's work list agrees with cz_view_exits_pending, which the home
 * screen counts.
 *
 * One office (its root certifies people of each level, raw Ed25519 keys
 * made here), households in two villages of one county, a 2018 poverty
 * line of 3535.00 yuan; approvals go straight into the real LMDB store,
 * as an import would leave them. */
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
#include "exitchain.h"
#include "hex.h"
#include "index.h"
#include "overview.h"
#include "parse.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define PASS "exits-view-pass"
#define V1 "411024104201"
#define V2 "411025100201"
#define DAY CZ_DAY_MS

struct person { struct tk_log log; uint8_t sk[64]; };

enum { VIL, TWN, CTY, NOT2, FAR, CLERK, NPEOPLE };
static const struct { const char *name, *region, *role; } who[NPEOPLE] = {
    [VIL] = { "村审核员", V1, "supervisor" },
    [TWN] = { "镇审核员", "411024104", "supervisor" },
    [CTY] = { "县审核员", "411024", "supervisor" },
    [NOT2] = { "县审核员二", "411024", "supervisor" },
    [FAR] = { "外县审核员", "411025", "supervisor" },
    [CLERK] = { "村录入员", V1, "clerk" },
};

static struct {
    char dir[64], odir[96];
    cz_station *office;
    struct person p[NPEOPLE];
    char hh1[33], hh2[33];
    uint64_t t0;
} F;

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct person *p = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, p->sk) == 0 ? CZ_OK : CZ_ESIG;
}

static int household(const char *number, const char *village, char hex[33])
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    const struct cz_assign hh[] = { { "number", number }, { "village", village }, { "head", "王测试" } };
    if (cz_station_add(F.office, "household", hh, 3, entity, id, &err)) return -1;
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    char why[64];
    uint8_t id[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    if (sodium_init() < 0 || tk_tmpdir(F.dir, sizeof F.dir, "exitsview")) return -1;
    snprintf(F.odir, sizeof F.odir, "%s/office", F.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "4110", .user = "张主任" };
    if (cz_station_init(F.odir, &o, PASS, &F.office, why, sizeof why)) return -1;
    if (tk_places(F.office, V1, V2, NULL)) return -1;
    for (int i = 0; i < NPEOPLE; i++) {
        struct cz_cert_req q = { .kind = "person", .name = who[i].name, .station = "许昌市科协",
                                 .region = who[i].region, .role = who[i].role };
        crypto_sign_keypair(F.p[i].log.origin, F.p[i].sk);
        memcpy(q.key, F.p[i].log.origin, 32);
        if (cz_station_certify(F.office, &q, id)) return -1;
    }
    if (household("YSW-V-01", V1, F.hh1) || household("FAR-V-01", V2, F.hh2)) return -1;
    const struct cz_assign line[] = { { "year", "2018" }, { "amount", "3535" } };
    if (cz_station_add(F.office, "poverty_line", line, 2, entity, id, &err)) return -1;
    F.t0 = cz_now_ms() - 30 * DAY;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cz_station_close(F.office);
    tk_rmtree(F.dir);
    return 0;
}

/* A new assessment of household hh as the office person saves it. */
static void assessment(const char *hh, const char *year, const char *income, const char *housing,
                       uint8_t entity[CZ_ENTITY_BYTES], uint8_t version[CZ_ID_BYTES])
{
    struct cz_field_error err;
    const struct cz_assign a[] = {
        { "household", hh }, { "year", year }, { "income_per_capita", income }, { "food", "yes" },
        { "clothing", "yes" }, { "schooling", "yes" }, { "medical", "yes" }, { "housing", housing },
    };
    assert_int_equal(cz_station_add(F.office, "exit", a, sizeof a / sizeof a[0], entity, version, &err), CZ_OK);
}

/* An approval (or rejection) signed by person i with clock hlc_ms, dated
 * the day of its clock, stored as an import would store it. */
static void sign_step(int i, const uint8_t version[CZ_ID_BYTES], const char *step, const char *decision, uint64_t hlc_ms)
{
    const struct cz_type *ty = cz_schema_type("approval");
    char hex[65], day[16];
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], *body = NULL, *out = NULL;
    size_t body_len = 0, len = 0;
    struct cz_entry_draft d;
    struct cz_entry e;
    cz_body *b = cz_body_new();
    cz_txn *t = NULL;
    int result;
    assert_non_null(b);
    cz_hex(version, CZ_ID_BYTES, hex);
    cz_format_date(cz_date_of_ms(hlc_ms), day, sizeof day);
    assert_int_equal(cz_schema_set(ty, b, "record", hex, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "step", step, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "decision", decision, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "date", day, NULL), CZ_OK);
    if (!strcmp(decision, "reject")) assert_int_equal(cz_schema_set(ty, b, "notes", "收入核实有误", NULL), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &body_len), CZ_OK);
    cz_body_free(b);
    randombytes_buf(entity, sizeof entity);
    tk_log_draft(&F.p[i].log, &d, hlc_ms << 16, entity, "approval", V1, NULL, 0, body, body_len);
    assert_int_equal(tk_log_write(&F.p[i].log, &d, sign_cb, &F.p[i], &out, &len, id), CZ_OK);
    free(body);
    assert_int_equal(cz_entry_decode(out, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 1, &t), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &e, id, &result), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    free(out);
}

/* What the overview says of one assessment, as seen by pk (NULL: the
 * station, every region). */
struct row {
    int found;
    enum cz_exit_stage stage;
    int step, mine, may_approve, criteria, complete;
    uint64_t notice_close_ms;
    uint8_t signer[CZ_STEP_COUNT][32];
    int approved[CZ_STEP_COUNT];
};
struct find { const uint8_t *entity; struct row r; size_t rows, mine; };

static int find_cb(void *ctx, const struct cz_exit_row *row)
{
    struct find *f = ctx;
    f->rows++;
    if (row->mine) f->mine++;
    assert_string_equal(row->record->type_key, "exit");
    if (memcmp(row->entity, f->entity, CZ_ENTITY_BYTES)) return CZ_OK;
    f->r.found = 1;
    f->r.stage = row->stage;
    f->r.step = row->step;
    f->r.mine = row->mine;
    f->r.may_approve = row->may_approve;
    f->r.criteria = row->state->criteria;
    f->r.complete = row->state->complete;
    f->r.notice_close_ms = row->state->notice_close_ms;
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        f->r.approved[s] = row->state->approved[s];
        memcpy(f->r.signer[s], row->state->signer[s], 32);
    }
    return CZ_OK;
}

static struct row seen(const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t *pk)
{
    cz_view *v = NULL;
    struct find f = { .entity = entity };
    size_t n = 99, open = 99;
    assert_int_equal(cz_view_begin(F.office, &v), CZ_OK);
    assert_int_equal(cz_view_exits_each(v, NULL, pk, find_cb, &f, &n, &open), CZ_OK);
    assert_int_equal(n, f.rows);
    assert_true(open <= n);
    cz_view_end(v);
    return f.r;
}

/* ---- the tests ---- */

static void test_honest_stages(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    uint64_t now = cz_now_ms();
    assessment(F.hh1, "2018", "4200", "yes", ent, ver);
    struct row r = seen(ent, NULL);
    assert_true(r.found);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assert_int_equal(r.step, CZ_STEP_VILLAGE);
    assert_int_equal(r.criteria, CZ_OK);
    r = seen(ent, F.p[VIL].log.origin);
    assert_true(r.mine && r.may_approve);
    sign_step(VIL, ver, "village", "approve", now - 3 * DAY);
    r = seen(ent, NULL);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assert_int_equal(r.step, CZ_STEP_TOWNSHIP);
    assert_memory_equal(r.signer[CZ_STEP_VILLAGE], F.p[VIL].log.origin, 32);
    sign_step(TWN, ver, "township", "approve", now - 2 * DAY);
    sign_step(CTY, ver, "county", "approve", now - DAY);
    /* The county signed a day ago: the notice runs six days more. */
    r = seen(ent, F.p[NOT2].log.origin);
    assert_int_equal(r.stage, CZ_STAGE_NOTICE);
    assert_int_equal(r.step, CZ_STEP_NOTICE);
    assert_true(r.notice_close_ms > now && r.notice_close_ms <= now + 7 * DAY);
    assert_true(r.mine);
}

static void test_complete_and_rejected(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], ent2[CZ_ENTITY_BYTES], ver2[CZ_ID_BYTES];
    assessment(F.hh1, "2018", "4000", "yes", ent, ver);
    sign_step(VIL, ver, "village", "approve", F.t0);
    sign_step(TWN, ver, "township", "approve", F.t0 + DAY);
    sign_step(CTY, ver, "county", "approve", F.t0 + 2 * DAY);
    sign_step(NOT2, ver, "notice", "approve", F.t0 + 10 * DAY);
    struct row r = seen(ent, F.p[CTY].log.origin);
    assert_int_equal(r.stage, CZ_STAGE_COMPLETE);
    assert_int_equal(r.step, -1);
    assert_true(r.complete);
    assert_false(r.mine);
    /* A rejection from the county stops the township's step. */
    assessment(F.hh1, "2018", "4100", "yes", ent2, ver2);
    sign_step(VIL, ver2, "village", "approve", F.t0);
    sign_step(CTY, ver2, "township", "reject", F.t0 + DAY);
    r = seen(ent2, NULL);
    assert_int_equal(r.stage, CZ_STAGE_REJECTED);
    assert_int_equal(r.step, CZ_STEP_TOWNSHIP);
}

/* Validly signed approvals by keys without the role or the level: the
 * stage shown does not move. */
static void test_wrong_signers_do_not_advance(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    assessment(F.hh1, "2018", "4300", "yes", ent, ver);
    sign_step(CLERK, ver, "village", "approve", F.t0);      /* a clerk */
    sign_step(CTY, ver, "village", "approve", F.t0);        /* the county, at the village's step */
    sign_step(FAR, ver, "village", "approve", F.t0);        /* a village elsewhere's level, outside */
    struct row r = seen(ent, NULL);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assert_int_equal(r.step, CZ_STEP_VILLAGE);
    assert_false(r.approved[CZ_STEP_VILLAGE]);
    /* Nor does a clerk's signature on the next step once the village signs. */
    sign_step(VIL, ver, "village", "approve", F.t0 + DAY);
    sign_step(CLERK, ver, "township", "approve", F.t0 + 2 * DAY);
    r = seen(ent, NULL);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assert_int_equal(r.step, CZ_STEP_TOWNSHIP);
    /* The clerk has nothing to sign; the township has. */
    assert_false(seen(ent, F.p[CLERK].log.origin).mine);
    r = seen(ent, F.p[TWN].log.origin);
    assert_true(r.mine && r.may_approve);
}

/* The criteria are shown before anyone signs. */
static void test_criteria_before_signing(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    assessment(F.hh1, "2018", "1000", "yes", ent, ver);
    struct row r = seen(ent, NULL);
    assert_int_equal(r.criteria, CZ_EINCOME);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assessment(F.hh1, "2018", "5000", "no", ent, ver);
    assert_int_equal(seen(ent, NULL).criteria, CZ_EGUARANTEE);
    assessment(F.hh1, "2031", "5000", "yes", ent, ver);
    assert_int_equal(seen(ent, NULL).criteria, CZ_ENOLINE);
    /* The honest one beside them. */
    assessment(F.hh1, "2018", "3535", "yes", ent, ver);
    assert_int_equal(seen(ent, NULL).criteria, CZ_OK);
}

static int count_cb(void *ctx, const struct cz_exit_row *row)
{
    (void)row;
    (*(size_t *)ctx)++;
    return CZ_OK;
}

/* Each person sees their jurisdiction; a region narrows it; a person's
 * work list is the pending list the home screen counts. */
static void test_jurisdiction_and_work(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    cz_view *v = NULL;
    size_t all = 0, far = 0, open = 0, n = 0;
    assessment(F.hh2, "2018", "4200", "yes", ent, ver);
    assert_false(seen(ent, F.p[CTY].log.origin).found);
    assert_true(seen(ent, F.p[FAR].log.origin).found);
    assert_true(seen(ent, NULL).found);
    assert_int_equal(cz_view_begin(F.office, &v), CZ_OK);
    assert_int_equal(cz_view_exits_each(v, NULL, NULL, count_cb, &n, &all, &open), CZ_OK);
    assert_int_equal(n, all);
    assert_int_equal(cz_view_exits_each(v, "411025", NULL, NULL, NULL, &far, NULL), CZ_OK);
    assert_int_equal(far, 1);
    assert_int_equal(cz_view_exits_each(v, V1, F.p[FAR].log.origin, NULL, NULL, &far, NULL), CZ_OK);
    assert_int_equal(far, 0);
    /* The office person logged in sees everything. */
    assert_int_equal(cz_view_exits_each(v, NULL, cz_station_person_pk(F.office), NULL, NULL, &n, NULL), CZ_OK);
    assert_int_equal(n, all);
    for (int i = 0; i < NPEOPLE; i++) {
        struct find f = { .entity = ent };
        size_t pending = 99;
        assert_int_equal(cz_view_exits_each(v, NULL, F.p[i].log.origin, find_cb, &f, NULL, NULL), CZ_OK);
        assert_int_equal(cz_view_exits_pending(v, F.p[i].log.origin, NULL, NULL, &pending), CZ_OK);
        assert_int_equal(f.mine, pending);
    }
    cz_view_end(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_stages),
        cmocka_unit_test(test_complete_and_rejected),
        cmocka_unit_test(test_wrong_signers_do_not_advance),
        cmocka_unit_test(test_criteria_before_signing),
        cmocka_unit_test(test_jurisdiction_and_work),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
