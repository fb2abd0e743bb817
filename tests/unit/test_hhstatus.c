/* test_hhstatus.c — a household's status (hhstatus.h) worked out from its
 * exit chains and return records, never from the typed field: real LMDB,
 * real certified Ed25519 keys; approvals, return records and household
 * versions signed by them and stored as an import would store them (as
 * an older build or another station would leave them), judged by the one
 * rule set (authz.h) where a test is about who may write them.  Each test
 * has a household of its own in 杨树湾村 (411024104201).
 *
 * Local writes: a typed status or exit date is refused with the hint,
 * and an edit of a version that carried one drops it (history keeps it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "codec.h"
#include "conflicts.h"
#include "exitchain.h"
#include "hex.h"
#include "hhstatus.h"
#include "history.h"
#include "index.h"
#include "parse.h"
#include "query.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define PASS "hhstatus-pass"
#define V1 "411024104201"
#define V2 "411024104202"
#define DAY CZ_DAY_MS

enum { VIL, TWN, CTY, CTY2, CLERK, CLERK2, NPEOPLE };
static const struct tk_person_spec who[NPEOPLE] = {
    { "村审核员", V1, "supervisor" }, { "镇审核员", "411024104", "supervisor" },
    { "县审核员", "411024", "supervisor" }, { "县审核员二", "411024", "supervisor" },
    { "村录入员", V1, "clerk" }, { "邻村录入员", V2, "clerk" },
};

static struct {
    struct tk_office o;
    uint64_t t0;                 /* ms: 90 days ago */
    int households;
} F;

static int group_setup(void **state)
{
    (void)state;
    if (tk_office_open(&F.o, "hhstatus", PASS, who, NPEOPLE, V1, V2, NULL) ||
        tk_office_line(&F.o, "2018", "3535"))
        return -1;
    F.t0 = cz_now_ms() - 90 * DAY;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tk_office_close(&F.o);
    return 0;
}

/* ---- making records ---- */

/* A new household saved at the office; its entity (and hex). */
static void household(uint8_t entity[CZ_ENTITY_BYTES], char hex[33])
{
    char number[32];
    uint8_t id[CZ_ID_BYTES];
    struct cz_field_error err;
    snprintf(number, sizeof number, "HH-%d", ++F.households);
    const struct cz_assign a[] = { { "number", number }, { "village", V1 }, { "head", "王测试" } };
    assert_int_equal(cz_station_add(F.o.st, "household", a, 3, entity, id, &err), CZ_OK);
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
}

/* An exit assessment of the household meeting the criteria. */
static void assessment(const char *hh, uint8_t entity[CZ_ENTITY_BYTES], uint8_t version[CZ_ID_BYTES])
{
    struct cz_field_error err;
    const struct cz_assign a[] = {
        { "household", hh }, { "year", "2018" }, { "income_per_capita", "4200" }, { "food", "yes" },
        { "clothing", "yes" }, { "schooling", "yes" }, { "medical", "yes" }, { "housing", "yes" },
    };
    assert_int_equal(cz_station_add(F.o.st, "exit", a, sizeof a / sizeof a[0], entity, version, &err), CZ_OK);
}

/* Signs an entry of type with body b as person i at clock ms (entity NULL:
 * a new one; parents: n ids) into *e, bytes in *raw (the caller frees). */
static void sign_entry(int i, const char *type, const cz_body *b, uint64_t ms, const uint8_t *entity,
                       const uint8_t *parents, size_t n, uint8_t **raw, struct cz_entry *e)
{
    assert_int_equal(tk_office_sign(&F.o, i, type, V1, ms << 16, entity, parents, n, b, raw, e), 0);
}

static void store(const struct cz_entry *e)
{
    assert_int_equal(tk_office_store(&F.o, e), 0);
}

/* What the one rule set makes of e, as an import would ask. */
static struct cz_judgement judge(const struct cz_entry *e)
{
    struct cz_judgement j;
    assert_int_equal(tk_office_judge(&F.o, e, &j), 0);
    return j;
}

/* One approval step by person i, dated the day of its clock. */
static void step(int i, const uint8_t version[CZ_ID_BYTES], const char *s, const char *decision, uint64_t ms)
{
    uint8_t *raw = NULL;
    struct cz_entry e;
    cz_body *b = tk_approval_body(version, s, decision, cz_date_of_ms(ms), NULL);
    assert_non_null(b);
    sign_entry(i, "approval", b, ms, NULL, NULL, 0, &raw, &e);
    cz_body_free(b);
    store(&e);
    free(raw);
}

/* The whole chain from day `from` (days after t0): village, township,
 * county a day apart, the notice 8 days after the county. */
static uint32_t chain(const uint8_t version[CZ_ID_BYTES], int from, int steps)
{
    static const char *const s[] = { "village", "township", "county", "notice" };
    static const int person[] = { VIL, TWN, CTY, CTY2 };
    static const int day[] = { 0, 1, 2, 10 };
    for (int k = 0; k < steps; k++) step(person[k], version, s[k], "approve", F.t0 + (uint64_t)(from + day[k]) * DAY);
    return cz_date_of_ms(F.t0 + (uint64_t)(from + day[3]) * DAY);
}

/* A return record for the household by person i, dated day `on` after t0,
 * signed at clock ms; not stored. */
static void return_entry(int i, const char *hh, int on, uint64_t ms, uint8_t **raw, struct cz_entry *e)
{
    const struct cz_type *ty = cz_schema_type("return");
    char day[16];
    cz_body *b = cz_body_new();
    assert_non_null(b);
    cz_format_date(cz_date_of_ms(F.t0 + (uint64_t)on * DAY), day, sizeof day);
    assert_int_equal(cz_schema_set(ty, b, "household", hh, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "date", day, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "causes", "因病", NULL), CZ_OK);
    sign_entry(i, "return", b, ms, NULL, NULL, 0, raw, e);
    cz_body_free(b);
}

static void returned_on(int i, const char *hh, int on)
{
    uint8_t *raw = NULL;
    struct cz_entry e;
    return_entry(i, hh, on, F.t0 + (uint64_t)on * DAY + 3600 * 1000, &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    store(&e);
    free(raw);
}

static struct cz_household_status status_of(const uint8_t hh[CZ_ENTITY_BYTES])
{
    struct cz_household_status s;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_household_status(t, F.o.root, hh, &s), CZ_OK);
    assert_int_equal(s.pending, 0);
    assert_int_equal(cz_household_pending(t, F.o.root, hh, &s.pending), CZ_OK);
    cz_txn_abort(t);
    return s;
}

/* ---- the tests ---- */

static void test_no_assessment_is_poor(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES];
    char hex[33];
    household(hh, hex);
    struct cz_household_status s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_POOR);
    assert_int_equal(s.exited_on, 0);
    assert_int_equal(s.pending, 0);
    assert_string_equal(cz_hh_status_key(s.status), "poor");
}

static void test_complete_chain_exits(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ex[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    char hex[33];
    household(hh, hex);
    assessment(hex, ex, ver);
    uint32_t notice = chain(ver, 0, 4);
    struct cz_household_status s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_EXITED);
    assert_int_equal(s.exited_on, notice);
    assert_int_equal(s.exit_year, notice / 10000);
    assert_memory_equal(s.decided_by, ex, CZ_ENTITY_BYTES);
}

static void test_incomplete_or_rejected_is_poor(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ex[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    char hex[33];
    household(hh, hex);
    assessment(hex, ex, ver);
    chain(ver, 0, 3);   /* no notice */
    assert_int_equal(status_of(hh).status, CZ_HH_POOR);

    uint8_t hh2[CZ_ENTITY_BYTES], ex2[CZ_ENTITY_BYTES], ver2[CZ_ID_BYTES];
    household(hh2, hex);
    assessment(hex, ex2, ver2);
    chain(ver2, 0, 4);
    assert_int_equal(status_of(hh2).status, CZ_HH_EXITED);
    /* A county rejection of the village step stops the chain. */
    step(CTY2, ver2, "village", "reject", F.t0 + 11 * DAY);
    assert_int_equal(status_of(hh2).status, CZ_HH_POOR);
}

static void test_return_then_exit_again(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ex[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    char hex[33];
    household(hh, hex);
    assessment(hex, ex, ver);
    uint32_t first = chain(ver, 0, 4);
    returned_on(CLERK, hex, 20);
    struct cz_household_status s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_RETURNED);
    assert_int_equal(s.returned_on, cz_date_of_ms(F.t0 + 20 * DAY));
    assert_int_equal(s.exited_on, first);
    assert_string_equal(cz_hh_status_key(s.status), "returned");

    /* A later complete exit makes it exited again, dated by its notice. */
    uint8_t ex2[CZ_ENTITY_BYTES], ver2[CZ_ID_BYTES];
    assessment(hex, ex2, ver2);
    uint32_t second = chain(ver2, 30, 4);
    s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_EXITED);
    assert_int_equal(s.exited_on, second);
    assert_memory_equal(s.decided_by, ex2, CZ_ENTITY_BYTES);
}

/* A return record of a household that never exited changes nothing, and
 * one dated before the exit's notice is overtaken by it. */
static void test_return_without_exit(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ex[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES];
    char hex[33];
    household(hh, hex);
    returned_on(CLERK, hex, 5);
    assert_int_equal(status_of(hh).status, CZ_HH_POOR);
    assessment(hex, ex, ver);
    chain(ver, 0, 4);   /* notice on day 10, after the return of day 5 */
    assert_int_equal(status_of(hh).status, CZ_HH_EXITED);
}

/* An older build's household version claiming exited, validly signed by
 * the village's certified clerk: accepted as before, never believed. */
static void test_typed_exited_is_not_believed(void **state)
{
    (void)state;
    const struct cz_type *ty = cz_schema_type("household");
    uint8_t hh[CZ_ENTITY_BYTES], heads[1][CZ_ID_BYTES], *raw = NULL;
    char hex[33];
    size_t n = 0;
    struct cz_entry e, cur;
    cz_body *b = NULL;
    cz_txn *t = NULL;
    household(hh, hex);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_history_winner(t, hh, heads, 1, &n, &cur), CZ_OK);
    assert_int_equal(cz_body_decode(cur.body, cur.body_len, &b), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(cz_schema_set(ty, b, "status", "exited", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "exited_on", "2018-12-01", NULL), CZ_OK);
    sign_entry(CLERK, "household", b, cz_now_ms(), hh, heads[0], 1, &raw, &e);
    cz_body_free(b);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    store(&e);
    free(raw);

    struct cz_household_status s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_POOR);
    assert_int_equal(s.exited_on, 0);
    /* What is shown is the worked-out value over the typed one. */
    struct cz_record r;
    char buf[64];
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, hh, &r), CZ_OK);
    cz_schema_format(cz_schema_field(ty, "status"), r.body, CZ_LANG_EN, 0, buf, sizeof buf);
    assert_string_equal(buf, "exited");
    assert_int_equal(cz_household_status_apply(&s, r.body), CZ_OK);
    cz_schema_format(cz_schema_field(ty, "status"), r.body, CZ_LANG_ZH, 1, buf, sizeof buf);
    assert_string_equal(buf, "未脱贫");
    assert_int_equal(cz_schema_format(cz_schema_field(ty, "exited_on"), r.body, CZ_LANG_EN, 0, buf, sizeof buf), 0);
    cz_record_clear(&r);
    cz_txn_abort(t);

    /* An edit here drops the stale values instead of refusing or keeping
     * them; the history still shows them. */
    const struct cz_assign phone = { "phone", "13900000000" };
    uint8_t id[CZ_ID_BYTES];
    struct cz_field_error err;
    assert_int_equal(cz_station_edit(F.o.st, hh, &phone, 1, id, &err), CZ_OK);
    struct cz_version *vs = NULL;
    size_t nv = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_record_history(t, hh, &vs, &nv), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(nv, 3);
    uint32_t st = cz_schema_field(ty, "status")->tag, on = cz_schema_field(ty, "exited_on")->tag;
    assert_int_not_equal(cz_body_kind(vs[1].body, st), 0);
    assert_int_equal(cz_body_kind(vs[2].body, st), 0);
    assert_int_equal(cz_body_kind(vs[2].body, on), 0);
    cz_history_free(vs, nv);
}

/* Two concurrent versions (older builds) that disagree only on the typed
 * status: an edit need not choose it, and a resolution that takes one
 * side of it is accepted; neither keeps it. */
static void concurrent_status(uint8_t hh[CZ_ENTITY_BYTES])
{
    const struct cz_type *ty = cz_schema_type("household");
    static const char *const value[] = { "exited", "returned" };
    uint8_t heads[1][CZ_ID_BYTES], *raw = NULL;
    char hex[33];
    size_t n = 0;
    struct cz_entry e, cur;
    cz_txn *t = NULL;
    household(hh, hex);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_history_winner(t, hh, heads, 1, &n, &cur), CZ_OK);
    cz_txn_abort(t);
    for (int k = 0; k < 2; k++) {
        cz_body *b = NULL;
        assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
        assert_int_equal(cz_store_get_entry(t, heads[0], &cur), CZ_OK);
        assert_int_equal(cz_body_decode(cur.body, cur.body_len, &b), CZ_OK);
        cz_txn_abort(t);
        assert_int_equal(cz_schema_set(ty, b, "status", value[k], NULL), CZ_OK);
        sign_entry(k ? CLERK : VIL, "household", b, cz_now_ms(), hh, heads[0], 1, &raw, &e);
        cz_body_free(b);
        assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
        store(&e);
        free(raw);
    }
}

static int has_status(const uint8_t hh[CZ_ENTITY_BYTES], size_t *nheads)
{
    struct cz_record r;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, hh, &r), CZ_OK);
    int has = cz_body_kind(r.body, cz_schema_field(cz_schema_type("household"), "status")->tag) != 0;
    *nheads = r.nheads;
    cz_record_clear(&r);
    cz_txn_abort(t);
    return has;
}

static void test_conflicting_typed_status(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    size_t nheads = 0;
    concurrent_status(hh);
    assert_true(has_status(hh, &nheads));
    assert_int_equal(nheads, 2);
    const struct cz_assign phone = { "phone", "13900000001" };
    assert_int_equal(cz_station_edit(F.o.st, hh, &phone, 1, id, &err), CZ_OK);
    assert_false(has_status(hh, &nheads));
    assert_int_equal(nheads, 1);

    concurrent_status(hh);
    const struct cz_assign side = { "status", "exited" };
    assert_int_equal(cz_resolve(F.o.st, hh, &side, 1, id, &err), CZ_OK);
    assert_false(has_status(hh, &nheads));
    assert_int_equal(nheads, 1);
    assert_int_equal(status_of(hh).status, CZ_HH_POOR);
}

/* A new local write naming the status or the exit date is refused, in
 * both languages, with nothing stored; clearing them is fine. */
static void test_local_write_refused(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char hex[33], msg[512];
    struct cz_field_error err;
    const struct cz_type *ty = cz_schema_type("household");
    const struct cz_assign a[] = { { "number", "HH-X" }, { "village", V1 }, { "head", "李" }, { "status", "已脱贫" } };
    assert_int_equal(cz_station_add(F.o.st, "household", a, 4, hh, id, &err), CZ_EFIELD);
    assert_ptr_equal(err.field, cz_schema_field(ty, "status"));
    assert_int_equal(err.hint, HINT_RECKONED);
    cz_field_error_message(ty, &err, CZ_LANG_EN, msg, sizeof msg);
    assert_non_null(strstr(msg, "worked out from the exit chain"));
    cz_field_error_message(ty, &err, CZ_LANG_ZH, msg, sizeof msg);
    assert_non_null(strstr(msg, "由退出审批链和返贫认定自动得出"));

    household(hh, hex);
    const struct cz_assign on = { "exited_on", "2018-12-01" };
    assert_int_equal(cz_station_edit(F.o.st, hh, &on, 1, id, &err), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_RECKONED);
    const struct cz_assign clear = { "status", "" };
    assert_int_equal(cz_station_edit(F.o.st, hh, &clear, 1, id, &err), CZ_OK);
}

/* Who may write a return record: the one rule set, as for the household. */
static void test_return_authorised(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], *raw = NULL;
    char hex[33];
    struct cz_entry e;
    household(hh, hex);
    /* The neighbouring village's clerk, validly signed: refused. */
    return_entry(CLERK2, hex, 1, cz_now_ms(), &raw, &e);
    struct cz_judgement j = judge(&e);
    assert_int_equal(j.verdict, CZ_VERDICT_REFUSED);
    assert_int_equal(j.why, CZ_EPERM);
    free(raw);
    /* The village's clerk and the township's supervisor: accepted. */
    return_entry(CLERK, hex, 1, cz_now_ms(), &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    free(raw);
    return_entry(TWN, hex, 1, cz_now_ms(), &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    free(raw);
}

/* A return by a key with no certificate here: pending, not counted; a
 * household whose current version is by such a key is marked pending. */
static void test_pending_author(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ex[CZ_ENTITY_BYTES], ver[CZ_ID_BYTES], *raw = NULL;
    char hex[33];
    struct cz_entry e;
    household(hh, hex);
    assessment(hex, ex, ver);
    chain(ver, 0, 4);
    struct tk_person saved = F.o.p[CLERK];
    crypto_sign_keypair(F.o.p[CLERK].log.origin, F.o.p[CLERK].sk);
    F.o.p[CLERK].log.seq = 0;
    memset(F.o.p[CLERK].log.last, 0, sizeof F.o.p[CLERK].log.last);
    return_entry(CLERK, hex, 20, F.t0 + 20 * DAY, &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_PENDING);
    store(&e);
    free(raw);
    assert_int_equal(status_of(hh).status, CZ_HH_EXITED);

    /* A household version by the uncertified key. */
    const struct cz_type *ty = cz_schema_type("household");
    uint8_t hh2[CZ_ENTITY_BYTES];
    cz_body *b = cz_body_new();
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "number", "HH-P", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "village", V1, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "head", "待定", NULL), CZ_OK);
    randombytes_buf(hh2, sizeof hh2);
    sign_entry(CLERK, "household", b, cz_now_ms(), hh2, NULL, 0, &raw, &e);
    cz_body_free(b);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_PENDING);
    store(&e);
    free(raw);
    F.o.p[CLERK] = saved;
    struct cz_household_status s = status_of(hh2);
    assert_int_equal(s.pending, 1);
    assert_int_equal(s.status, CZ_HH_POOR);
    assert_int_equal(status_of(hh).pending, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_assessment_is_poor),
        cmocka_unit_test(test_complete_chain_exits),
        cmocka_unit_test(test_incomplete_or_rejected_is_poor),
        cmocka_unit_test(test_return_then_exit_again),
        cmocka_unit_test(test_return_without_exit),
        cmocka_unit_test(test_typed_exited_is_not_believed),
        cmocka_unit_test(test_local_write_refused),
        cmocka_unit_test(test_conflicting_typed_status),
        cmocka_unit_test(test_return_authorised),
        cmocka_unit_test(test_pending_author),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
