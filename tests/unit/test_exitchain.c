/* test_exitchain.c — the exit chain's rules (exitchain.h) against an
 * attacker holding real, certified keys: every rule broken with validly
 * signed approvals put straight into a real LMDB store (as an older build
 * or an import would leave them), judged by the counting gate
 * (cz_exit_state), the import judge (cz_approval_judge) and the signing
 * gate (cz_approval_check); and the honest chain beside each.
 *
 * One office (its root certifies people of each level, raw Ed25519 keys
 * made here), one household in 杨树湾村 (411024104201), a 2018 poverty
 * line of 3535.00 yuan, an assessment per case. */
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
#include "hhstatus.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "parse.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define PASS "exit-pass"
#define V1 "411024104201"
#define DAY CZ_DAY_MS

enum { VIL, VIL2, TWN, CTY, CTY0, CTY2, CITY, CLERK, NPEOPLE };
static const struct tk_person_spec who[NPEOPLE] = {
    { "村审核员", V1, "supervisor" },          { "村审核员二", V1, "supervisor" },
    { "镇审核员", "411024104", "supervisor" }, { "县审核员", "411024", "supervisor" },
    /* a county written with its zero groups: the county 411024 */
    { "县审核员零", "411024000000", "supervisor" }, { "县审核员二", "411024", "supervisor" },
    { "市审核员", "4110", "supervisor" },      { "村录入员", V1, "clerk" },
};

static struct {
    struct tk_office o;
    char household[33];
    uint64_t t0;                 /* ms: the honest chains start here (30 days ago) */
} F;

static int group_setup(void **state)
{
    (void)state;
    uint8_t id[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    if (tk_office_open(&F.o, "exitchain", PASS, who, NPEOPLE, V1, NULL)) return -1;
    const struct cz_assign hh[] = { { "number", "YSW-T-01" }, { "village", V1 }, { "head", "王测试" } };
    if (cz_station_add(F.o.st, "household", hh, 3, entity, id, &err)) return -1;
    cz_hex(entity, CZ_ENTITY_BYTES, F.household);
    if (tk_office_line(&F.o, "2018", "3535")) return -1;
    F.t0 = cz_now_ms() - 30 * DAY;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    cz_clock_shift(0);
    tk_office_close(&F.o);
    return 0;
}

/* A new assessment of the household, as the office person saves it; its
 * entity and version. */
static void assessment(const char *year, const char *income, const char *food, uint8_t entity[CZ_ENTITY_BYTES],
                       uint8_t version[CZ_ID_BYTES])
{
    struct cz_field_error err;
    const struct cz_assign a[] = {
        { "household", F.household }, { "year", year }, { "income_per_capita", income }, { "food", food },
        { "clothing", "yes" }, { "schooling", "yes" }, { "medical", "yes" }, { "housing", "yes" },
    };
    /* Saving never depends on the criteria. */
    assert_int_equal(cz_station_add(F.o.st, "exit", a, sizeof a / sizeof a[0], entity, version, &err), CZ_OK);
}

static void honest(uint8_t entity[CZ_ENTITY_BYTES], uint8_t version[CZ_ID_BYTES])
{
    assessment("2018", "4200", "yes", entity, version);
}

/* One approval signed by person i with clock hlc_ms and date (YYYYMMDD; 0:
 * none), stored as an import would store it; the entry's bytes in *raw
 * (caller frees) and the entry in *e (pointing into *raw). */
static void forge(int i, const uint8_t version[CZ_ID_BYTES], const char *step, const char *decision,
                  uint64_t hlc_ms, uint32_t date, uint8_t **raw, struct cz_entry *e)
{
    cz_body *b = tk_approval_body(version, step, decision, date, NULL);
    assert_non_null(b);
    assert_int_equal(tk_office_sign(&F.o, i, "approval", V1, hlc_ms << 16, NULL, NULL, 0, b, raw, e), 0);
    cz_body_free(b);
    assert_int_equal(tk_office_store(&F.o, e), 0);
}

/* forge with the date of its own clock, the bytes dropped. */
static void sign_step(int i, const uint8_t version[CZ_ID_BYTES], const char *step, uint64_t hlc_ms)
{
    uint8_t *raw;
    struct cz_entry e;
    forge(i, version, step, "approve", hlc_ms, cz_date_of_ms(hlc_ms), &raw, &e);
    free(raw);
}

static void state_of(const uint8_t entity[CZ_ENTITY_BYTES], struct cz_exit_state *es)
{
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_exit_state(t, F.o.root, entity, es), CZ_OK);
    cz_txn_abort(t);
}

static int judge(const struct cz_entry *e)
{
    cz_txn *t = NULL;
    int why = -1;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_approval_judge(t, F.o.root, e, &why), CZ_OK);
    cz_txn_abort(t);
    return why;
}

/* The signing gate for person i (its next log position) at clock hlc_ms. */
static int check(int i, const uint8_t version[CZ_ID_BYTES], enum cz_step step, uint64_t hlc_ms, uint32_t date,
                 struct cz_exit_detail *d)
{
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    struct cz_approval_claim c = { version, step, 1, F.o.p[i].log.origin, F.o.p[i].log.seq + 1, hlc_ms << 16, date };
    int rc = cz_approval_check(t, F.o.root, &c, d);
    cz_txn_abort(t);
    return rc;
}

/* village, township, county by VIL, TWN, CTY on days 0, 1, 2 from t. */
static void first_three(const uint8_t version[CZ_ID_BYTES], uint64_t t, int county)
{
    sign_step(VIL, version, "village", t);
    sign_step(TWN, version, "township", t + DAY);
    sign_step(county, version, "county", t + 2 * DAY);
}

/* ---- the tests ---- */

static void test_honest_chain_exits(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    honest(ent, ver);
    first_three(ver, F.t0, CTY);
    assert_int_equal(check(CTY2, ver, CZ_STEP_NOTICE, F.t0 + 9 * DAY, 0, NULL), CZ_OK);
    forge(CTY2, ver, "notice", "approve", F.t0 + 9 * DAY, cz_date_of_ms(F.t0 + 9 * DAY), &raw, &e);
    assert_int_equal(judge(&e), CZ_OK);
    free(raw);
    state_of(ent, &es);
    assert_true(es.complete);
    assert_int_equal(es.criteria, CZ_OK);
    assert_int_equal(es.approved_on[CZ_STEP_NOTICE], cz_date_of_ms(F.t0 + 9 * DAY));
    assert_int_equal(es.notice_close_ms, F.t0 + 2 * DAY + 7 * DAY);
    uint8_t hh[CZ_ENTITY_BYTES];
    struct cz_household_status hs;
    cz_txn *t = NULL;
    assert_int_equal(cz_unhex(F.household, hh, sizeof hh), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_household_status(t, F.o.root, hh, &hs), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(hs.status, CZ_HH_EXITED);
}

/* A signer whose log forks is quarantined from the fork on (authz.h):
 * the notice they closed stops counting. */
static void test_forked_signer_quarantined(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    honest(ent, ver);
    first_three(ver, F.t0, CTY);
    struct tk_log before = F.o.p[CTY2].log;
    sign_step(CTY2, ver, "notice", F.t0 + 9 * DAY);
    state_of(ent, &es);
    assert_true(es.complete);
    /* the same log position signed again: a fork */
    F.o.p[CTY2].log = before;
    forge(CTY2, ver, "notice", "approve", F.t0 + 9 * DAY + 1000, cz_date_of_ms(F.t0 + 9 * DAY), &raw, &e);
    free(raw);
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_false(es.complete);
}

/* The office accepts the branch this station logged (authz.h): the forked
 * supervisor's notice counts again; the other side's never does. */
static void test_forked_signer_accepted(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], notice[CZ_ID_BYTES], forked[CZ_ID_BYTES], id[CZ_ID_BYTES];
    uint8_t *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    cz_txn *t = NULL;
    const uint8_t *key = F.o.p[CTY2].log.origin;
    /* Go on from the log this station holds (an earlier test may have
     * left CTY2's own log on a forked entry). */
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    int rc = cz_store_log_last(t, key, &F.o.p[CTY2].log.seq, F.o.p[CTY2].log.last);
    assert_true(rc == CZ_OK || rc == CZ_ENOTFOUND);
    cz_txn_abort(t);
    honest(ent, ver);
    first_three(ver, F.t0, CTY);
    struct tk_log before = F.o.p[CTY2].log;
    sign_step(CTY2, ver, "notice", F.t0 + 9 * DAY);
    memcpy(notice, F.o.p[CTY2].log.last, CZ_ID_BYTES);
    F.o.p[CTY2].log = before;
    forge(CTY2, ver, "notice", "approve", F.t0 + 9 * DAY + 1000, cz_date_of_ms(F.t0 + 9 * DAY), &raw, &e);
    free(raw);
    memcpy(forked, F.o.p[CTY2].log.last, CZ_ID_BYTES);
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    /* Every fork of CTY2's log (an earlier one too): the logged side. */
    uint64_t at = 0, seq;
    for (;;) {
        uint8_t logged[CZ_ID_BYTES];
        assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
        rc = cz_store_fork_after(t, key, at, &seq);
        if (rc == CZ_OK) assert_int_equal(cz_store_log_get(t, key, seq, logged), CZ_OK);
        cz_txn_abort(t);
        if (rc == CZ_ENOTFOUND) break;
        assert_int_equal(rc, CZ_OK);
        assert_int_equal(cz_station_fork_accept(F.o.st, key, seq, logged, "先到者为准", id), CZ_OK);
        at = seq;
    }
    assert_int_equal(at, before.seq + 1);
    state_of(ent, &es);
    assert_true(es.approved[CZ_STEP_NOTICE]);
    assert_true(es.complete);
    /* Choosing the other side, which this station did not log, leaves the
     * quarantine in place here. */
    assert_int_equal(cz_station_fork_accept(F.o.st, key, at, forked, NULL, id), CZ_OK);
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_int_equal(cz_station_fork_accept(F.o.st, key, at, notice, NULL, id), CZ_OK);
    state_of(ent, &es);
    assert_true(es.complete);
}

static void test_one_person_two_steps(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    honest(ent, ver);
    first_three(ver, F.t0, CTY);
    /* The county's own key closes the notice, well after 7 days. */
    assert_int_equal(check(CTY, ver, CZ_STEP_NOTICE, F.t0 + 10 * DAY, 0, NULL), CZ_ESAMESIGNER);
    forge(CTY, ver, "notice", "approve", F.t0 + 10 * DAY, cz_date_of_ms(F.t0 + 10 * DAY), &raw, &e);
    assert_int_equal(judge(&e), CZ_ESAMESIGNER);
    free(raw);
    state_of(ent, &es);
    assert_true(es.approved[CZ_STEP_COUNTY]);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_false(es.complete);
    /* Another county person: now it exits. */
    sign_step(CTY2, ver, "notice", F.t0 + 10 * DAY);
    state_of(ent, &es);
    assert_true(es.complete);
}

static void test_wrong_levels(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    honest(ent, ver);
    /* A county supervisor, a city one, a clerk and the office root's own
     * person sign the village step: none counts. */
    static const int bad[] = { CTY, CITY, CLERK, TWN };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(check(bad[i], ver, CZ_STEP_VILLAGE, F.t0, 0, NULL), CZ_EROLE);
        forge(bad[i], ver, "village", "approve", F.t0, cz_date_of_ms(F.t0), &raw, &e);
        tk_assert_int(who[bad[i]].name, judge(&e), CZ_EROLE);
        free(raw);
    }
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_VILLAGE]);
    /* Then the village signs, and a village supervisor tries the township
     * and a township one the county: refused. */
    sign_step(VIL, ver, "village", F.t0);
    assert_int_equal(check(VIL2, ver, CZ_STEP_TOWNSHIP, F.t0 + DAY, 0, NULL), CZ_EROLE);
    sign_step(VIL2, ver, "township", F.t0 + DAY);
    state_of(ent, &es);
    assert_true(es.approved[CZ_STEP_VILLAGE]);
    assert_false(es.approved[CZ_STEP_TOWNSHIP]);
    /* The office person (role office) signs no step either. */
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    struct cz_approval_claim c = { ver, CZ_STEP_TOWNSHIP, 1, cz_station_person_pk(F.o.st), 99, (F.t0 + DAY) << 16, 0 };
    assert_int_equal(cz_approval_check(t, F.o.root, &c, NULL), CZ_EROLE);
    /* A rejection from above counts; from below it does not. */
    c.approve = 0;
    c.signer = F.o.p[CTY].log.origin;
    assert_int_equal(cz_approval_check(t, F.o.root, &c, NULL), CZ_OK);
    c.signer = F.o.p[VIL].log.origin;
    assert_int_equal(cz_approval_check(t, F.o.root, &c, NULL), CZ_EROLE);
    cz_txn_abort(t);
}

static void test_normalised_county(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    struct cz_exit_state es;
    honest(ent, ver);
    /* "411024000000" is the county 411024: it decides, and is not a
     * village level even though it has 12 digits. */
    assert_int_equal(check(CTY0, ver, CZ_STEP_VILLAGE, F.t0, 0, NULL), CZ_EROLE);
    first_three(ver, F.t0, CTY0);
    sign_step(CTY, ver, "notice", F.t0 + 9 * DAY);
    state_of(ent, &es);
    assert_true(es.complete);
}

static void test_typed_dates(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    uint64_t now = cz_now_ms();
    honest(ent, ver);
    /* A date 8 days ahead of the clock, and one far in the past. */
    uint32_t ahead = cz_date_of_ms(now + 8 * DAY);
    assert_int_equal(check(VIL, ver, CZ_STEP_VILLAGE, now, ahead, NULL), CZ_EDATECLOCK);
    assert_int_equal(check(VIL, ver, CZ_STEP_VILLAGE, now, 20000101, NULL), CZ_EDATECLOCK);
    forge(VIL, ver, "village", "approve", now, ahead, &raw, &e);
    assert_int_equal(judge(&e), CZ_EDATECLOCK);
    free(raw);
    forge(VIL2, ver, "village", "approve", now, 20000101, &raw, &e);
    assert_int_equal(judge(&e), CZ_EDATECLOCK);
    free(raw);
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_VILLAGE]);
    /* A day off is allowed (the paper's date, a clock near midnight). */
    assert_int_equal(check(VIL, ver, CZ_STEP_VILLAGE, now, cz_date_of_ms(now - DAY), NULL), CZ_OK);

    /* Dates run forward: a township dated before the village's. */
    uint8_t ent2[CZ_ENTITY_BYTES], ver2[CZ_ID_BYTES];
    struct cz_exit_detail d;
    honest(ent2, ver2);
    sign_step(VIL, ver2, "village", F.t0 + 5 * DAY);
    assert_int_equal(check(TWN, ver2, CZ_STEP_TOWNSHIP, F.t0 + 4 * DAY, 0, &d), CZ_EDATEORDER);
    assert_int_equal(d.prev_date, cz_date_of_ms(F.t0 + 5 * DAY));
    forge(TWN, ver2, "township", "approve", F.t0 + 4 * DAY, cz_date_of_ms(F.t0 + 4 * DAY), &raw, &e);
    assert_int_equal(judge(&e), CZ_EDATEORDER);
    free(raw);
    state_of(ent2, &es);
    assert_true(es.approved[CZ_STEP_VILLAGE]);
    assert_false(es.approved[CZ_STEP_TOWNSHIP]);
}

static void test_notice_early(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_exit_detail d;
    struct cz_entry e;
    honest(ent, ver);
    first_three(ver, F.t0, CTY);
    /* 7 days less a minute after the county's clock, whatever the date
     * typed (here 8 days after the county's date, within a day of its
     * clock). */
    uint64_t early = F.t0 + 2 * DAY + 7 * DAY - 60000;
    assert_int_equal(check(CTY2, ver, CZ_STEP_NOTICE, early, 0, &d), CZ_ENOTICE);
    assert_int_equal(d.notice_close_ms, F.t0 + 9 * DAY);
    forge(CTY2, ver, "notice", "approve", early, cz_date_of_ms(early + DAY), &raw, &e);
    assert_int_equal(judge(&e), CZ_ENOTICE);
    free(raw);
    state_of(ent, &es);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_false(es.complete);
    char msg[256];
    cz_exit_message(CZ_ENOTICE, &d, CZ_LANG_EN, msg, sizeof msg);
    assert_non_null(strstr(msg, "may close from"));
}

static void test_notice_from_the_future(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
    struct cz_exit_state es;
    struct cz_entry e;
    uint64_t now = cz_now_ms();
    honest(ent, ver);
    /* A chain whose notice was signed on a PC 2 days ahead. */
    first_three(ver, now - 8 * DAY, CTY);
    forge(CTY2, ver, "notice", "approve", now + 2 * DAY, cz_date_of_ms(now + 2 * DAY), &raw, &e);
    /* Kept (not a refusal: it is only early), but flagged and not counted. */
    assert_int_equal(judge(&e), CZ_OK);
    free(raw);
    state_of(ent, &es);
    assert_true(es.ahead[CZ_STEP_NOTICE]);
    assert_false(es.approved[CZ_STEP_NOTICE]);
    assert_false(es.complete);
    /* Once this PC's clock has passed it, it counts. */
    cz_clock_shift((int64_t)(2 * DAY + 3600000));
    state_of(ent, &es);
    cz_clock_shift(0);
    assert_false(es.ahead[CZ_STEP_NOTICE]);
    assert_true(es.complete);
}

static void test_criteria(void **state)
{
    (void)state;
    static const struct { const char *year, *income, *food; int rc, why; } cases[] = {
        { "2018", "4200", "no", CZ_EGUARANTEE, CZ_EGUARANTEE },
        { "2018", "1.00", "yes", CZ_EINCOME, CZ_EINCOME },
        { "2018", "3534.99", "yes", CZ_EINCOME, CZ_EINCOME },
        { "2017", "9000", "yes", CZ_ENOLINE, CZ_ENOTFOUND },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw;
        struct cz_exit_state es;
        struct cz_exit_detail d;
        struct cz_entry e;
        char msg[512];
        assessment(cases[i].year, cases[i].income, cases[i].food, ent, ver);   /* saved */
        tk_assert_int(cases[i].income, check(VIL, ver, CZ_STEP_VILLAGE, F.t0, 0, &d), cases[i].rc);
        cz_exit_message(cases[i].rc, &d, CZ_LANG_EN, msg, sizeof msg);
        if (cases[i].rc == CZ_EGUARANTEE) tk_assert_true(msg, strstr(msg, "Enough food") != NULL);
        if (cases[i].rc == CZ_EINCOME) tk_assert_true(msg, strstr(msg, "3535.00") != NULL);
        if (cases[i].rc == CZ_ENOLINE) tk_assert_true(msg, strstr(msg, "2017") != NULL);
        cz_exit_message(cases[i].rc, &d, CZ_LANG_ZH, msg, sizeof msg);
        if (cases[i].rc == CZ_EGUARANTEE) tk_assert_true(msg, strstr(msg, "不愁吃") != NULL);
        /* A whole honest-looking chain on it, stored: never complete. */
        forge(VIL, ver, "village", "approve", F.t0, cz_date_of_ms(F.t0), &raw, &e);
        tk_assert_int(cases[i].income, judge(&e), cases[i].why);
        free(raw);
        sign_step(TWN, ver, "township", F.t0 + DAY);
        sign_step(CTY, ver, "county", F.t0 + 2 * DAY);
        sign_step(CTY2, ver, "notice", F.t0 + 9 * DAY);
        state_of(ent, &es);
        tk_assert_int(cases[i].income, es.criteria, cases[i].rc);
        tk_assert_int(cases[i].income, es.complete, 0);
    }
    /* Exactly the line passes. */
    uint8_t ent[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    assessment("2018", "3535", "yes", ent, ver);
    assert_int_equal(check(VIL, ver, CZ_STEP_VILLAGE, F.t0, 0, NULL), CZ_OK);
}

static void test_line_only_from_the_office(void **state)
{
    (void)state;
    const struct cz_type *ty = cz_schema_type("poverty_line");
    uint8_t id[CZ_ID_BYTES], *raw = NULL;
    struct cz_entry e;
    int result;
    int64_t fen;
    cz_txn *t = NULL;
    /* A county supervisor's line of 1.00 yuan for 2016, forged into the store. */
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set(ty, b, "year", "2016", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "amount", "1", NULL), CZ_OK);
    assert_int_equal(tk_office_sign(&F.o, CTY, "poverty_line", "", cz_now_ms() << 16, NULL, NULL, 0, b, &raw, &e), 0);
    cz_body_free(b);
    cz_entry_id(e.raw, e.raw_len, id);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 1, &t), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &e, id, &result), CZ_OK);
    assert_int_equal(cz_poverty_line(t, F.o.root, 2016, &fen), CZ_ENOTFOUND);
    assert_int_equal(cz_poverty_line(t, F.o.root, 2018, &fen), CZ_OK);
    assert_int_equal(fen, 353500);
    cz_txn_abort(t);
    free(raw);
}

static void test_judge_pending(void **state)
{
    (void)state;
    uint8_t ver[CZ_ID_BYTES], *raw;
    struct cz_entry e;
    /* An approval of a version this store has not received yet: held. */
    randombytes_buf(ver, sizeof ver);
    forge(VIL, ver, "village", "approve", F.t0, cz_date_of_ms(F.t0), &raw, &e);
    assert_int_equal(judge(&e), CZ_ENOTFOUND);
    free(raw);
    /* A signer whose certificate has not come yet: held too; a rejection
     * from below the step's level: refused. */
    uint8_t ent[CZ_ENTITY_BYTES], ver2[CZ_ID_BYTES];
    honest(ent, ver2);
    struct tk_person saved = F.o.p[CLERK];
    crypto_sign_keypair(F.o.p[CLERK].log.origin, F.o.p[CLERK].sk);
    F.o.p[CLERK].log.seq = 0;
    memset(F.o.p[CLERK].log.last, 0, sizeof F.o.p[CLERK].log.last);
    forge(CLERK, ver2, "village", "approve", F.t0, cz_date_of_ms(F.t0), &raw, &e);
    assert_int_equal(judge(&e), CZ_ENOTFOUND);
    free(raw);
    F.o.p[CLERK] = saved;
    forge(VIL, ver2, "county", "reject", F.t0, 0, &raw, &e);
    assert_int_equal(judge(&e), CZ_EROLE);
    free(raw);
    forge(CTY, ver2, "village", "reject", F.t0, 0, &raw, &e);
    assert_int_equal(judge(&e), CZ_OK);
    free(raw);
    struct cz_exit_state es;
    state_of(ent, &es);
    assert_true(es.rejected[CZ_STEP_VILLAGE]);
    assert_false(es.rejected[CZ_STEP_COUNTY]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_chain_exits),
        cmocka_unit_test(test_one_person_two_steps),
        cmocka_unit_test(test_wrong_levels),
        cmocka_unit_test(test_normalised_county),
        cmocka_unit_test(test_typed_dates),
        cmocka_unit_test(test_notice_early),
        cmocka_unit_test(test_notice_from_the_future),
        cmocka_unit_test(test_criteria),
        cmocka_unit_test(test_line_only_from_the_office),
        cmocka_unit_test(test_judge_pending),
        /* last: it forks CTY2's log for good */
        cmocka_unit_test(test_forked_signer_quarantined),
        cmocka_unit_test(test_forked_signer_accepted),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
