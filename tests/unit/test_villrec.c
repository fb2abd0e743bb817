/* test_villrec.c — the village side and the exit (villrec.h): poor-village
 * years, paper exits, monitored households, the later exit criteria, and
 * the report's 贫困发生率 and monitoring tables.  Real LMDB and real
 * certified Ed25519 keys: paper exits signed by a village clerk, a village
 * supervisor and an office person, stored as an import stores them and
 * judged by the one rule set (authz.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "exitchain.h"
#include "hex.h"
#include "hhstatus.h"
#include "index.h"
#include "parse.h"
#include "query.h"
#include "report.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"
#include "villrec.h"

#define PASS "villrec-pass"
#define V1 "411024104201"
#define V2 "411081112205"   /* another county's village */
#define V3 "411024104203"   /* the incidence test's own village */

enum { CLERK, VSUP, OFFICE, NPEOPLE };
static const struct tk_person_spec who[NPEOPLE] = {
    { "村录入员", V1, "clerk" }, { "村审核员", V1, "supervisor" }, { "市办二", "4110", "office" },
};

static struct {
    struct tk_office o;
    int households;
} F;

static int group_setup(void **state)
{
    (void)state;
    if (tk_office_open(&F.o, "villrec", PASS, who, NPEOPLE, V1, V2, V3, NULL)) return -1;
    return tk_office_line(&F.o, "2018", "3535") || tk_office_line(&F.o, "2020", "4000") ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tk_office_close(&F.o);
    return 0;
}

/* A new household of village v with `people` members; its entity and hex. */
static void household(const char *v, int people, uint8_t entity[CZ_ENTITY_BYTES], char hex[33])
{
    char number[32], name[32];
    uint8_t id[CZ_ID_BYTES], m[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    snprintf(number, sizeof number, "VR-%d", ++F.households);
    const struct cz_assign a[] = { { "number", number }, { "village", v }, { "head", "王测试" } };
    assert_int_equal(cz_station_add(F.o.st, "household", a, 3, entity, id, &err), CZ_OK);
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    for (int i = 0; i < people; i++) {
        snprintf(name, sizeof name, "成员%d", i);
        const struct cz_assign b[] = { { "household", hex }, { "name", name } };
        assert_int_equal(cz_station_add(F.o.st, "member", b, 2, m, id, &err), CZ_OK);
    }
}

/* A paper exit of household hh signed by person i (not stored). */
static void paper_entry(int i, const char *region, const char *hh, const char *date, uint8_t **raw,
                        struct cz_entry *e)
{
    const struct cz_type *ty = cz_schema_type("exit_record");
    char year[8];
    cz_body *b = cz_body_new();
    assert_non_null(b);
    snprintf(year, sizeof year, "%.4s", date);
    assert_int_equal(cz_schema_set(ty, b, "household", hh, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "year", year, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "date", date, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "reference", "鄢扶字〔2014〕12号", NULL), CZ_OK);
    assert_int_equal(tk_office_sign(&F.o, i, "exit_record", region, tk_next_hlc(), NULL, NULL, 0, b, raw, e), 0);
    cz_body_free(b);
}

static void store(const struct cz_entry *e)
{
    assert_int_equal(tk_office_store(&F.o, e), 0);
}

static struct cz_judgement judge(const struct cz_entry *e)
{
    struct cz_judgement j;
    assert_int_equal(tk_office_judge(&F.o, e, &j), 0);
    return j;
}

static struct cz_household_status status_of(const uint8_t hh[CZ_ENTITY_BYTES])
{
    struct cz_household_status s;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_household_status(t, F.o.root, hh, &s), CZ_OK);
    cz_txn_abort(t);
    return s;
}

/* ---- paper exits ---- */

static void test_paper_exit_by_office_counts(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], *raw = NULL;
    char hex[33];
    struct cz_entry e;
    household(V1, 2, hh, hex);
    paper_entry(OFFICE, V1, hex, "2014-12-20", &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    store(&e);
    free(raw);
    struct cz_household_status s = status_of(hh);
    assert_int_equal(s.status, CZ_HH_EXITED);
    assert_int_equal(s.paper, 1);
    assert_int_equal(s.exited_on, 20141220);
    assert_int_equal(s.exit_year, 2014);
    /* Shown as such wherever the worked-out body is shown. */
    const struct cz_type *ty = cz_schema_type("household");
    const struct cz_field *f = cz_schema_field(ty, "status");
    cz_body *b = cz_body_new();
    char buf[64];
    assert_non_null(b);
    assert_int_equal(cz_household_status_apply(&s, b), CZ_OK);
    assert_true(cz_schema_format(f, b, CZ_LANG_ZH, 1, buf, sizeof buf));
    assert_string_equal(buf, "已脱贫（纸质档案）");
    assert_true(cz_schema_format(f, b, CZ_LANG_EN, 1, buf, sizeof buf));
    assert_string_equal(buf, "Exited (paper record)");
    cz_body_free(b);
}

static void test_paper_exit_by_village_refused(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], *raw = NULL;
    char hex[33];
    struct cz_entry e;
    household(V1, 1, hh, hex);
    for (int i = CLERK; i <= VSUP; i++) {
        paper_entry(i, V1, hex, "2014-12-20", &raw, &e);
        struct cz_judgement j = judge(&e);
        assert_int_equal(j.verdict, CZ_VERDICT_REFUSED);
        assert_int_equal(j.why, CZ_EPERM);
        /* Even stored (an older build let it in), it decides nothing. */
        store(&e);
        free(raw);
        raw = NULL;
        assert_int_equal(status_of(hh).status, CZ_HH_POOR);
    }
}

static void test_paper_exit_office_wide(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], *raw = NULL;
    char hex[33];
    struct cz_entry e;
    household(V2, 1, hh, hex);   /* 禹州市: outside no office person's reach */
    paper_entry(OFFICE, V2, hex, "2015-06-30", &raw, &e);
    assert_int_equal(judge(&e).verdict, CZ_VERDICT_OK);
    store(&e);
    free(raw);
    assert_int_equal(status_of(hh).status, CZ_HH_EXITED);
    assert_int_equal(status_of(hh).paper, 1);
}

static void test_paper_exit_form_rules(void **state)
{
    (void)state;
    uint8_t hh[CZ_ENTITY_BYTES], ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char hex[33], future[16];
    struct cz_field_error err;
    household(V1, 1, hh, hex);
    struct cz_assign a[] = { { "household", hex }, { "year", "2014" }, { "date", "2015-01-03" },
                             { "reference", "鄢扶字〔2014〕12号" } };
    assert_int_equal(cz_station_add(F.o.st, "exit_record", a, 4, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "date");
    a[1].value = "2012";
    a[2].value = "2012-12-01";
    assert_int_equal(cz_station_add(F.o.st, "exit_record", a, 4, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "year");
    cz_format_date(cz_today() + 10000, future, sizeof future);   /* a year ahead */
    char fy[8];
    snprintf(fy, sizeof fy, "%u", cz_today() / 10000 + 1);
    a[1].value = fy;
    a[2].value = future;
    assert_int_equal(cz_station_add(F.o.st, "exit_record", a, 4, ent, id, &err), CZ_EFIELD);
    a[1].value = "2014";
    a[2].value = "2014-12-20";
    assert_int_equal(cz_station_add(F.o.st, "exit_record", a, 3, ent, id, &err), CZ_EEMPTY);
    assert_string_equal(err.field->key, "reference");
    assert_int_equal(cz_station_add(F.o.st, "exit_record", a, 4, ent, id, &err), CZ_OK);
    assert_int_equal(status_of(hh).status, CZ_HH_EXITED);
}

/* ---- poor-village years ---- */

static void test_village_year_rules(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    struct cz_assign a[] = { { "village", V1 }, { "year", "2018" }, { "population", "1475" },
                             { "rural_population", "1410" }, { "registered_people", "40" } };
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 5, ent, id, &err), CZ_OK);
    /* One a village and year. */
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 5, ent, id, &err), CZ_EEXIST);
    a[1].value = "2012";
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 5, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "year");
    a[1].value = "2017";
    a[4].value = "1411";
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 5, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "registered_people");
    a[4].value = "40";
    a[3].value = "1500";
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 5, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "rural_population");
    a[3].value = "1400";
    assert_int_equal(cz_station_add(F.o.st, "village_year", a, 4, ent, id, &err), CZ_OK);
    /* The rural population is the incidence's denominator: required. */
    assert_int_equal(cz_station_add(F.o.st, "village_year", (struct cz_assign[]){ { "village", V2 }, { "year", "2018" } },
                                    2, ent, id, &err), CZ_EEMPTY);
    assert_string_equal(err.field->key, "rural_population");
}

/* ---- monitored households ---- */

static void test_monitor_rules(void **state)
{
    (void)state;
    uint8_t ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    struct cz_record r;
    char buf[32];
    struct cz_assign a[] = { { "kind", "edge" }, { "found_how", "self" }, { "risks", "因灾" },
                             { "found_on", "2021-07-25" }, { "name", "韩老三" }, { "village", V1 },
                             { "removed_on", "2021-07-01" } };
    /* Neither a household nor a family's head and village. */
    assert_int_equal(cz_station_add(F.o.st, "monitor", a, 4, ent, id, &err), CZ_EEMPTY);
    assert_string_equal(err.field->key, "name");
    assert_int_equal(cz_station_add(F.o.st, "monitor", a, 5, ent, id, &err), CZ_EEMPTY);
    assert_string_equal(err.field->key, "village");
    /* Risk removed before it was found. */
    assert_int_equal(cz_station_add(F.o.st, "monitor", a, 7, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "removed_on");
    a[3].value = "2019-05-01";
    assert_int_equal(cz_station_add(F.o.st, "monitor", a, 6, ent, id, &err), CZ_EFIELD);
    assert_string_equal(err.field->key, "found_on");
    a[3].value = "2021-07-25";
    assert_int_equal(cz_station_add(F.o.st, "monitor", a, 6, ent, id, &err), CZ_OK);
    cz_txn *t = NULL;
    const struct cz_field *st = cz_schema_field(cz_schema_type("monitor"), "status");
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, ent, &r), CZ_OK);
    assert_true(cz_schema_format(st, r.body, CZ_LANG_EN, 0, buf, sizeof buf));
    assert_string_equal(buf, "monitored");
    cz_record_clear(&r);
    cz_txn_abort(t);
    /* The risk removed: the status follows, never typed. */
    const struct cz_assign e[] = { { "removed_on", "2021-12-20" } };
    assert_int_equal(cz_station_edit(F.o.st, ent, e, 1, id, &err), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, ent, &r), CZ_OK);
    assert_true(cz_schema_format(st, r.body, CZ_LANG_ZH, 1, buf, sizeof buf));
    assert_string_equal(buf, "已消除风险");
    cz_record_clear(&r);
    cz_txn_abort(t);
}

/* ---- the later exit criteria ---- */

static int criteria(const char *year, const char *water, const char *agreed, const char *team,
                    struct cz_exit_detail *d)
{
    const struct cz_type *ty = cz_schema_type("exit");
    static const char *const five[] = { "food", "clothing", "schooling", "medical", "housing" };
    cz_body *b = cz_body_new();
    cz_txn *t = NULL;
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "year", year, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "income_per_capita", "5000", NULL), CZ_OK);
    for (size_t i = 0; i < 5; i++) assert_int_equal(cz_schema_set(ty, b, five[i], "yes", NULL), CZ_OK);
    if (water) assert_int_equal(cz_schema_set(ty, b, "water", water, NULL), CZ_OK);
    if (agreed) assert_int_equal(cz_schema_set(ty, b, "agreed", agreed, NULL), CZ_OK);
    if (team) assert_int_equal(cz_schema_set(ty, b, "team_checked", team, NULL), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    int rc = cz_exit_criteria(t, F.o.root, b, d);
    cz_txn_abort(t);
    cz_body_free(b);
    return rc;
}

static void test_later_criteria(void **state)
{
    (void)state;
    struct cz_exit_detail d;
    char msg[256];
    /* An assessment of 2018 that answers none of them: judged as before. */
    assert_int_equal(criteria("2018", NULL, NULL, NULL, &d), CZ_OK);
    /* Answering any of them: judged on all three, the failing one named. */
    assert_int_equal(criteria("2018", "no", NULL, NULL, &d), CZ_EGUARANTEE);
    assert_string_equal(d.field->key, "water");
    cz_exit_message(CZ_EGUARANTEE, &d, CZ_LANG_ZH, msg, sizeof msg);
    assert_non_null(strstr(msg, "饮水安全有保障"));
    cz_exit_message(CZ_EGUARANTEE, &d, CZ_LANG_EN, msg, sizeof msg);
    assert_non_null(strstr(msg, "Safe drinking water"));
    assert_int_equal(criteria("2018", "yes", "yes", NULL, &d), CZ_EGUARANTEE);
    assert_string_equal(d.field->key, "team_checked");
    assert_int_equal(criteria("2018", "yes", "yes", "yes", &d), CZ_OK);
    /* From 2020 on every assessment is judged on them. */
    assert_int_equal(criteria("2020", NULL, NULL, NULL, &d), CZ_EGUARANTEE);
    assert_string_equal(d.field->key, "water");
    assert_int_equal(criteria("2020", "yes", "no", "yes", &d), CZ_EGUARANTEE);
    assert_string_equal(d.field->key, "agreed");
    cz_exit_message(CZ_EGUARANTEE, &d, CZ_LANG_ZH, msg, sizeof msg);
    assert_non_null(strstr(msg, "户认可"));
    assert_int_equal(criteria("2020", "yes", "yes", "yes", &d), CZ_OK);
}

/* ---- the report ---- */

static void test_incidence_by_hand(void **state)
{
    (void)state;
    uint8_t a[CZ_ENTITY_BYTES], b[CZ_ENTITY_BYTES], c[CZ_ENTITY_BYTES], ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char ha[33], hb[33], hc[33];
    struct cz_field_error err;
    /* V3: a poor household of 3, a paper-exited one of 2, a poor one of 4;
     * a 2017 figure of 500 and a 2018 one of 400 people. */
    household(V3, 3, a, ha);
    household(V3, 2, b, hb);
    household(V3, 4, c, hc);
    const struct cz_assign x[] = { { "household", hb }, { "year", "2016" }, { "date", "2016-11-30" }, { "reference", "P-1" } };
    assert_int_equal(cz_station_add(F.o.st, "exit_record", x, 4, ent, id, &err), CZ_OK);
    const struct cz_assign y17[] = { { "village", V3 }, { "year", "2017" }, { "rural_population", "500" } };
    const struct cz_assign y18[] = { { "village", V3 }, { "year", "2018" }, { "rural_population", "400" } };
    assert_int_equal(cz_station_add(F.o.st, "village_year", y18, 3, ent, id, &err), CZ_OK);
    assert_int_equal(cz_station_add(F.o.st, "village_year", y17, 3, ent, id, &err), CZ_OK);
    const struct cz_assign m1[] = { { "household", hb }, { "kind", "unstable" }, { "found_how", "cadres" },
                                    { "risks", "illness" }, { "found_on", "2021-03-15" }, { "removed_on", "2021-12-20" } };
    const struct cz_assign m2[] = { { "name", "石老汉" }, { "village", V3 }, { "kind", "sudden" }, { "found_how", "department" },
                                    { "risks", "accident" }, { "found_on", "2022-05-10" } };
    assert_int_equal(cz_station_add(F.o.st, "monitor", m1, 6, ent, id, &err), CZ_OK);
    assert_int_equal(cz_station_add(F.o.st, "monitor", m2, 6, ent, id, &err), CZ_OK);

    struct cz_report r;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o.st), 0, &t), CZ_OK);
    assert_int_equal(cz_report_build(t, F.o.root, V3, &r), CZ_OK);
    cz_txn_abort(t);
    /* Not out of poverty: 3 + 4 = 7 of the 2018 figure, 400: 1.75 %. */
    assert_int_equal(r.incidence.n, 1);
    assert_string_equal(r.incidence.rows[0].key, V3);
    assert_string_equal(r.incidence.rows[0].sub, "2018");
    assert_int_equal(r.incidence.rows[0].a, 7);
    assert_int_equal(r.incidence.rows[0].b, 400);
    assert_int_equal(cz_villrec_incidence_bp(r.incidence.rows[0].a, r.incidence.rows[0].b), 175);
    assert_int_equal(r.incidence_town.n, 1);
    assert_string_equal(r.incidence_town.rows[0].key, "411024104");
    assert_int_equal(r.incidence_town.rows[0].a, 7);
    /* The paper exit is a row of its own, not among exits by year. */
    int paper_rows = 0;
    for (size_t i = 0; i < r.by_village.n; i++)
        if (!strcmp(r.by_village.rows[i].sub, "exited_paper")) {
            paper_rows++;
            assert_int_equal(r.by_village.rows[i].a, 1);
            assert_int_equal(r.by_village.rows[i].b, 2);
        }
    assert_int_equal(paper_rows, 1);
    assert_int_equal(r.exited_by_year.n, 0);
    /* Monitoring: one by kind and status each; one names a household. */
    assert_int_equal(r.monitors.n, 2);
    assert_string_equal(r.monitors.rows[0].key, "sudden");
    assert_string_equal(r.monitors.rows[0].sub, "monitored");
    assert_int_equal(r.monitors.rows[0].b, 0);
    assert_string_equal(r.monitors.rows[1].key, "unstable");
    assert_string_equal(r.monitors.rows[1].sub, "removed");
    assert_int_equal(r.monitors.rows[1].b, 1);
    char *csv = NULL;
    size_t len = 0;
    assert_int_equal(cz_report_csv(&r, &csv, &len), CZ_OK);
    assert_non_null(strstr(csv, "incidence_village," V3 ",2018,7,400\n"));
    assert_non_null(strstr(csv, "incidence_village_bp," V3 ",2018,175,0\n"));
    assert_non_null(strstr(csv, "monitor,unstable,removed,1,1\n"));
    free(csv);
    cz_report_free(&r);
    assert_int_equal(cz_villrec_incidence_bp(1, 0), -1);
    assert_int_equal(cz_villrec_incidence_bp(1, 3), 3333);
    assert_int_equal(cz_villrec_incidence_bp(2, 3), 6667);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_exit_by_office_counts),
        cmocka_unit_test(test_paper_exit_by_village_refused),
        cmocka_unit_test(test_paper_exit_office_wide),
        cmocka_unit_test(test_paper_exit_form_rules),
        cmocka_unit_test(test_village_year_rules),
        cmocka_unit_test(test_monitor_rules),
        cmocka_unit_test(test_later_criteria),
        cmocka_unit_test(test_incidence_by_hand),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
