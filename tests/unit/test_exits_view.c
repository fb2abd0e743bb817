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

enum { VIL, TWN, CTY, NOT2, FAR, CLERK, NPEOPLE };
static const struct tk_person_spec who[NPEOPLE] = {
    [VIL] = { "村审核员", V1, "supervisor" },
    [TWN] = { "镇审核员", "411024104", "supervisor" },
    [CTY] = { "县审核员", "411024", "supervisor" },
    [NOT2] = { "县审核员二", "411024", "supervisor" },
    [FAR] = { "外县审核员", "411025", "supervisor" },
    [CLERK] = { "村录入员", V1, "clerk" },
};

static struct {
    struct tk_office o;
    char hh1[33], hh2[33];
    uint64_t t0;
} F;

static int household(const char *number, const char *village, char hex[33])
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    const struct cz_assign hh[] = { { "number", number }, { "village", village }, { "head", "王测试" } };
    if (cz_station_add(F.o.st, "household", hh, 3, entity, id, &err)) return -1;
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (tk_office_open(&F.o, "exitsview", PASS, who, NPEOPLE, V1, V2, NULL) ||
        household("YSW-V-01", V1, F.hh1) || household("FAR-V-01", V2, F.hh2) ||
        tk_office_line(&F.o, "2018", "3535"))
        return -1;
    F.t0 = cz_now_ms() - 30 * DAY;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tk_office_close(&F.o);
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
    assert_int_equal(cz_station_add(F.o.st, "exit", a, sizeof a / sizeof a[0], entity, version, &err), CZ_OK);
}

/* An approval (or rejection) signed by person i with clock hlc_ms, dated
 * the day of its clock, stored as an import would store it. */
static void sign_step(int i, const uint8_t version[CZ_ID_BYTES], const char *step, const char *decision, uint64_t hlc_ms)
{
    const char *notes = strcmp(decision, "reject") ? NULL : "收入核实有误";
    uint8_t *raw = NULL;
    struct cz_entry e;
    cz_body *b = tk_approval_body(version, step, decision, cz_date_of_ms(hlc_ms), notes);
    assert_non_null(b);
    assert_int_equal(tk_office_sign(&F.o, i, "approval", V1, hlc_ms << 16, NULL, NULL, 0, b, &raw, &e), 0);
    cz_body_free(b);
    assert_int_equal(tk_office_store(&F.o, &e), 0);
    free(raw);
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
    assert_int_equal(cz_view_begin(F.o.st, &v), CZ_OK);
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
    r = seen(ent, F.o.p[VIL].log.origin);
    assert_true(r.mine && r.may_approve);
    sign_step(VIL, ver, "village", "approve", now - 3 * DAY);
    r = seen(ent, NULL);
    assert_int_equal(r.stage, CZ_STAGE_AWAITING);
    assert_int_equal(r.step, CZ_STEP_TOWNSHIP);
    assert_memory_equal(r.signer[CZ_STEP_VILLAGE], F.o.p[VIL].log.origin, 32);
    sign_step(TWN, ver, "township", "approve", now - 2 * DAY);
    sign_step(CTY, ver, "county", "approve", now - DAY);
    /* The county signed a day ago: the notice runs six days more. */
    r = seen(ent, F.o.p[NOT2].log.origin);
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
    struct row r = seen(ent, F.o.p[CTY].log.origin);
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
    assert_false(seen(ent, F.o.p[CLERK].log.origin).mine);
    r = seen(ent, F.o.p[TWN].log.origin);
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
    assert_false(seen(ent, F.o.p[CTY].log.origin).found);
    assert_true(seen(ent, F.o.p[FAR].log.origin).found);
    assert_true(seen(ent, NULL).found);
    assert_int_equal(cz_view_begin(F.o.st, &v), CZ_OK);
    assert_int_equal(cz_view_exits_each(v, NULL, NULL, count_cb, &n, &all, &open), CZ_OK);
    assert_int_equal(n, all);
    assert_int_equal(cz_view_exits_each(v, "411025", NULL, NULL, NULL, &far, NULL), CZ_OK);
    assert_int_equal(far, 1);
    assert_int_equal(cz_view_exits_each(v, V1, F.o.p[FAR].log.origin, NULL, NULL, &far, NULL), CZ_OK);
    assert_int_equal(far, 0);
    /* The office person logged in sees everything. */
    assert_int_equal(cz_view_exits_each(v, NULL, cz_station_person_pk(F.o.st), NULL, NULL, &n, NULL), CZ_OK);
    assert_int_equal(n, all);
    for (int i = 0; i < NPEOPLE; i++) {
        struct find f = { .entity = ent };
        size_t pending = 99;
        assert_int_equal(cz_view_exits_each(v, NULL, F.o.p[i].log.origin, find_cb, &f, NULL, NULL), CZ_OK);
        assert_int_equal(cz_view_exits_pending(v, F.o.p[i].log.origin, NULL, NULL, &pending), CZ_OK);
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
