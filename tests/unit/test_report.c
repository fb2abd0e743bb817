/* test_report.c — the office's figures (report.h) on a small data set built
 * through the real station API: real LMDB in mkdtemp folders, real
 * Argon2id and Ed25519 (a few logins only: each costs ~0.2 s).
 *
 * The data set (V1 杨树湾村 411024104201 in 鄢陵县 411024, V2 南寨村
 * 411081112205 in 禹州市 411081), all written at the office:
 *
 *   H1 V1  causes illness,funds  primary illness                   4 members
 *          exit E1, whole chain (county 2018-10-22, notice 2018-10-30): exited 2018
 *   H2 V1  causes disability,labour primary disability  poor        3 members
 *          exit E2, chain village + township only; a return record (never
 *          exited, so it changes nothing): poor
 *   H3 V1  primary schooling alone                                  2 members
 *          exit E3, whole chain on its FIRST version, then edited: not exited;
 *          exit E4, whole chain (notice 2018-10-30), then a return record
 *          dated 2018-11-15: returned
 *   H4 V2  causes funds,skills  primary funds  poor                 5 members
 *   H5 V2  causes illness  primary illness  poor                    1 member
 *   H6 V2  no causes                                                0 members
 *   H7 V1  deleted, its one member left live (an orphan: not counted in people)
 *   plus a member of H1 added and deleted.
 *
 *   aid   A1 H1 seeds  1010.00 special industry      A2 H2 mulch 700.00 special industry
 *         A3 -  other   600.00 special industry (no household: region 4110)
 *         A4 H4 gift    300.00 special not industry  A5 H5 loan 5000.00 other industry
 *         A6 H1 seeds    50.50 no fund given (reported as other), industry
 *   training T1 V1 45 trainees 300 leaflets; T2 V2 25/150; T3 no village (4110) 10/-
 *   plot  P1 H1 辣椒 3.5 mu at 5500/mu; P2 H4 辣椒 2.25 mu at 5000.50/mu (11,251.125 yuan:
 *         the half fen rounds up once, in the total); P3 H2 玉米 5 mu
 *   sale  S1 H1 100.5 jin at 0.80, floor 1 -> 100.50; S2 H4 2000 jin at 1.20, floor 1
 *         -> 2400.00; S3 H2 10 jin at 1.50, no floor -> 15.00
 *
 * And a village station (V2) whose first user is not certified: its
 * household and member, carried into the office store, are left out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "region.h"
#include "codec.h"
#include "entry.h"
#include "exitchain.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "hhstatus.h"
#include "query.h"
#include "report.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define V1 "411024104201"
#define V2 "411081112205"
#define PASS "correct horse"

struct fx {
    char dir[64];
    char office_dir[96], village_dir[96];
    cz_station *office, *village;
    char h[8][33];              /* households H1..H7 (index 1..7) as hex */
    char exit_entity[5][33];    /* E1..E4 */
    char exit_version[5][65];
    uint8_t village_person[32];
};

/* add(st, type, entity_hex, version_hex, "field=value", ..., NULL).  The
 * hex outputs may be NULL.  Returns the status; prints the refused field. */
static int add(cz_station *st, const char *type, char entity_hex[33], char version_hex[65], ...)
{
    struct cz_assign a[16];
    char buf[16][256];
    size_t n = 0;
    va_list ap;
    va_start(ap, version_hex);
    for (const char *kv; n < 16 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        char *eq = strchr(buf[n], '=');
        if (!eq) { va_end(ap); return CZ_EINVAL; }
        *eq = 0;
        a[n].field = buf[n];
        a[n].value = eq + 1;
    }
    va_end(ap);
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    int rc = cz_station_add(st, type, a, n, entity, id, &err);
    if (rc) {
        print_error("add %s: %s (field %s)\n", type, cz_status_name(rc), err.name);
        return rc;
    }
    if (entity_hex) cz_hex(entity, CZ_ENTITY_BYTES, entity_hex);
    if (version_hex) cz_hex(id, CZ_ID_BYTES, version_hex);
    return CZ_OK;
}

static int edit(cz_station *st, const char *entity_hex, char version_hex[65], const char *field, const char *value)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_assign a = { field, value };
    struct cz_field_error err;
    int rc = cz_unhex(entity_hex, entity, sizeof entity);
    if (rc == CZ_OK) rc = cz_station_edit(st, entity, &a, 1, id, &err);
    if (rc == CZ_OK && version_hex) cz_hex(id, CZ_ID_BYTES, version_hex);
    if (rc) print_error("edit %s: %s (field %s)\n", field, cz_status_name(rc), err.name);
    return rc;
}

static int delete_hex(cz_station *st, const char *entity_hex)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    int rc = cz_unhex(entity_hex, entity, sizeof entity);
    return rc ? rc : cz_station_delete(st, entity, id);
}

/* n members of household h. */
static int members(cz_station *st, const char *h, int n)
{
    char hf[64];
    snprintf(hf, sizeof hf, "household=%s", h);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "name=成员%d", i + 1);
        int rc = add(st, "member", NULL, NULL, hf, name, i ? "relation=child" : "relation=head", NULL);
        if (rc) return rc;
    }
    return CZ_OK;
}

/* The builder's clock at noon (China time) of a day of 2018's story, so
 * approvals' clocks agree with their dates (exitchain.h). */
static void clock_at(int mo, int day)
{
    struct tm tm = { 0 };
    tm.tm_year = 2018 - 1900; tm.tm_mon = mo - 1; tm.tm_mday = day; tm.tm_hour = 12;
    cz_clock_shift(0);
    cz_clock_shift(((int64_t)timegm(&tm) - 8 * 3600) * 1000 - (int64_t)cz_now_ms());
}

/* An office user re-certified as a supervisor of exactly one level. */
static int certify_as(cz_station *o, const char *name, const char *region)
{
    struct cz_cert_req q;
    uint8_t id[CZ_ID_BYTES];
    int rc = cz_station_login(o, name, PASS);
    if (rc) return rc;
    memset(&q, 0, sizeof q);
    memcpy(q.key, cz_station_person_pk(o), 32);
    q.kind = "person";
    q.name = name;
    q.station = "许昌市科协";
    q.region = region;
    q.role = "supervisor";
    if ((rc = cz_station_login(o, "张主任", PASS))) return rc;
    return cz_station_certify(o, &q, id);
}

/* Carries every entry of `from` into `to`, as src/demo.c's carry() does. */
struct copy_ctx { cz_txn *to; const char *jurisdiction; int rc; };

static int copy_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *raw, size_t len)
{
    struct copy_ctx *cc = ctx;
    struct cz_entry e;
    int result;
    uint8_t id[CZ_ID_BYTES];
    (void)key; (void)klen;
    if ((cc->rc = cz_entry_decode(raw, len, &e)) || (cc->rc = cz_entry_verify(&e))) return cc->rc;
    if (e.region[0] && !cz_region_under(e.region, cc->jurisdiction)) return 0;
    cz_entry_id(raw, len, id);
    return cc->rc = cz_store_put_entry(cc->to, &e, id, &result);
}

static int carry(cz_station *from, cz_station *to)
{
    cz_txn *rt = NULL, *wt = NULL;
    const struct cz_station_info *ti = cz_station_info(to);
    int rc = cz_txn_begin(cz_station_store(from), 0, &rt);
    if (rc == CZ_OK) rc = cz_txn_begin(cz_station_store(to), 1, &wt);
    if (rc == CZ_OK) {
        struct copy_ctx cc = { wt, ti->kind == CZ_KIND_OFFICE ? "" : ti->region, CZ_OK };
        rc = cz_store_each_entry(rt, copy_cb, &cc);
    }
    cz_txn_abort(rt);
    if (rc) { cz_txn_abort(wt); return rc; }
    return cz_txn_commit(wt);
}

#define TRY(x) do { int rc_ = (x); if (rc_) { print_error("%s:%d %s: %s\n", __FILE__, __LINE__, #x, \
                                                       cz_status_name(rc_)); return -1; } } while (0)

static int build_office(struct fx *f)
{
    cz_station *o = f->office;
    char hf[64], buf[4][96];

    TRY(cz_station_user_add(o, "孙村长", "supervisor", PASS));
    TRY(cz_station_user_add(o, "刘镇长", "supervisor", PASS));
    TRY(cz_station_user_add(o, "王县长", "supervisor", PASS));
    TRY(cz_station_user_add(o, "陈科长", "supervisor", PASS));
    TRY(certify_as(o, "孙村长", V1));
    TRY(certify_as(o, "刘镇长", "411024104"));
    TRY(certify_as(o, "王县长", "411024"));
    TRY(certify_as(o, "陈科长", "411024"));
    TRY(add(o, "poverty_line", NULL, NULL, "year=2018", "amount=3535", NULL));
    TRY(add(o, "place", NULL, NULL, "code=411024", "name=鄢陵县", "level=county", "parent=4110", NULL));
    TRY(add(o, "place", NULL, NULL, "code=" V1, "name=杨树湾村", "level=village", "parent=411024104", NULL));
    TRY(add(o, "place", NULL, NULL, "code=" V2, "name=南寨村", "level=village", "parent=411081112", NULL));

    TRY(add(o, "household", f->h[1], NULL, "number=H1", "village=" V1, "head=甲一", "causes=因病,缺资金",
            "primary_cause=illness", NULL));
    TRY(add(o, "household", f->h[2], NULL, "number=H2", "village=" V1, "head=甲二", "causes=disability,labour",
            "primary_cause=因残", NULL));
    TRY(add(o, "household", f->h[3], NULL, "number=H3", "village=" V1, "head=甲三", "primary_cause=schooling", NULL));
    TRY(add(o, "household", f->h[4], NULL, "number=H4", "village=" V2, "head=乙四", "causes=funds,skills",
            "primary_cause=funds", NULL));
    TRY(add(o, "household", f->h[5], NULL, "number=H5", "village=" V2, "head=乙五", "causes=illness",
            "primary_cause=illness", NULL));
    TRY(add(o, "household", f->h[6], NULL, "number=H6", "village=" V2, "head=乙六", NULL));
    TRY(add(o, "household", f->h[7], NULL, "number=H7", "village=" V1, "head=甲七", "causes=illness",
            "primary_cause=illness", NULL));
    static const int sizes[8] = { 0, 4, 3, 2, 5, 1, 0, 1 };
    for (int i = 1; i <= 7; i++) TRY(members(o, f->h[i], sizes[i]));
    /* A member added by mistake and deleted, and the whole of H7 deleted. */
    char gone[33];
    snprintf(hf, sizeof hf, "household=%s", f->h[1]);
    TRY(add(o, "member", gone, NULL, hf, "name=重复录入", NULL));
    TRY(delete_hex(o, gone));
    TRY(delete_hex(o, f->h[7]));

    /* Aid. */
    snprintf(buf[1], sizeof buf[1], "household=%s", f->h[1]);
    snprintf(buf[2], sizeof buf[2], "household=%s", f->h[2]);
    snprintf(buf[3], sizeof buf[3], "household=%s", f->h[4]);
    TRY(add(o, "aid", NULL, NULL, buf[1], "kind=seeds", "item=辣椒种子", "value=1010", "fund=special", "industry=yes", NULL));
    TRY(add(o, "aid", NULL, NULL, buf[2], "kind=地膜", "value=700", "fund=财政专项扶贫资金", "industry=是", NULL));
    TRY(add(o, "aid", NULL, NULL, "kind=other", "item=育苗棚", "value=600", "fund=special", "industry=yes", NULL));
    TRY(add(o, "aid", NULL, NULL, buf[3], "kind=gift", "value=300", "fund=special", "industry=no", NULL));
    snprintf(buf[0], sizeof buf[0], "household=%s", f->h[5]);
    TRY(add(o, "aid", NULL, NULL, buf[0], "kind=loan", "value=5000", "fund=other", "industry=yes", NULL));
    TRY(add(o, "aid", NULL, NULL, buf[1], "kind=seeds", "value=50.50", "industry=yes", NULL));

    /* Trainings. */
    TRY(add(o, "training", NULL, NULL, "date=2018-04-20", "topic=辣椒栽培", "trainees=45", "leaflets=300",
            "village=" V1, NULL));
    TRY(add(o, "training", NULL, NULL, "date=2018-05-08", "topic=防灾减灾", "trainees=25", "leaflets=150",
            "village=" V2, NULL));
    TRY(add(o, "training", NULL, NULL, "date=2018-06-12", "topic=农村电商", "trainees=10", NULL));

    /* Plots. */
    TRY(add(o, "plot", NULL, NULL, buf[1], "crop=辣椒", "area=3.5", "expected_per_mu=5500", NULL));
    TRY(add(o, "plot", NULL, NULL, buf[3], "crop=辣椒", "variety=帅辣316", "area=2.25", "expected_per_mu=5000.50", NULL));
    TRY(add(o, "plot", NULL, NULL, buf[2], "crop=玉米", "area=5", "expected_per_mu=800", NULL));

    /* Sales. */
    TRY(add(o, "sale", NULL, NULL, buf[1], "buyer=合作社", "floor_price=1", "price=0.80", "quantity=100.5", NULL));
    TRY(add(o, "sale", NULL, NULL, buf[3], "buyer=合作社", "floor_price=1", "price=1.20", "quantity=2000", NULL));
    TRY(add(o, "sale", NULL, NULL, buf[2], "buyer=合作社", "price=1.5", "quantity=10", NULL));

    /* Exit assessments. */
    for (int i = 1; i <= 4; i++) {
        snprintf(hf, sizeof hf, "household=%s", f->h[i == 4 ? 3 : i]);
        TRY(add(o, "exit", f->exit_entity[i], f->exit_version[i], hf, "year=2018", "income_per_capita=4200",
                "food=yes", "clothing=yes", "schooling=yes", "medical=yes", "housing=yes", NULL));
    }
    /* Four people sign, each at their level and day: E1 and E3 the whole
     * chain, E2 village and township, E4 the whole chain. */
    static const char *const who[] = { "孙村长", "刘镇长", "王县长", "陈科长" };
    static const char *const step[] = { "step=village", "step=township", "step=county", "step=notice" };
    static const char *const date[] = { "date=2018-10-08", "date=2018-10-15", "date=2018-10-22", "date=2018-10-30" };
    static const int day[] = { 8, 15, 22, 30 };
    for (int s = 0; s < 4; s++) {
        clock_at(10, day[s]);
        TRY(cz_station_login(o, who[s], PASS));
        for (int e = 1; e <= 4; e++) {
            char rf[96];
            if (e == 2 && s >= 2) continue;
            snprintf(rf, sizeof rf, "record=%s", f->exit_version[e]);
            TRY(add(o, "approval", NULL, NULL, rf, step[s], "decision=approve", date[s], NULL));
        }
    }
    /* E3 is edited after its chain completed: a new version, no approvals. */
    char old3[65];
    memcpy(old3, f->exit_version[3], sizeof old3);
    TRY(edit(o, f->exit_entity[3], f->exit_version[3], "income_per_capita", "4000"));
    if (!strcmp(old3, f->exit_version[3])) return -1;
    /* H3 identified as poor again after E4; H2, which never exited, too. */
    clock_at(11, 15);
    TRY(cz_station_login(o, "张主任", PASS));
    snprintf(hf, sizeof hf, "household=%s", f->h[3]);
    TRY(add(o, "return", NULL, NULL, hf, "date=2018-11-15", "causes=illness", NULL));
    snprintf(hf, sizeof hf, "household=%s", f->h[2]);
    TRY(add(o, "return", NULL, NULL, hf, "date=2018-11-15", NULL));
    return 0;
}

static int build_village(struct fx *f)
{
    char *identity = NULL;
    char why[64];
    struct cz_init_opts o = { 0 };
    char hv[33], hf[64];

    TRY(cz_station_identity(f->office, &identity));
    o.kind = CZ_KIND_STATION;
    o.name = "南寨村";
    o.region = V2;
    o.user = "钱书记";
    o.office_identity = identity;
    int rc = cz_station_init(f->village_dir, &o, PASS, &f->village, why, sizeof why);
    free(identity);
    TRY(rc);
    memcpy(f->village_person, cz_station_person_pk(f->village), 32);
    TRY(add(f->village, "household", hv, NULL, "number=NZ-X", "village=" V2, "head=丙一", "causes=illness",
            "primary_cause=illness", NULL));
    snprintf(hf, sizeof hf, "household=%s", hv);
    TRY(add(f->village, "member", NULL, NULL, hf, "name=丙一", NULL));
    TRY(carry(f->village, f->office));
    return 0;
}

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char why[64];
    if (!f) return -1;
    if (tk_tmpdir(f->dir, sizeof f->dir, "report")) { free(f); return -1; }
    snprintf(f->office_dir, sizeof f->office_dir, "%s/office", f->dir);
    snprintf(f->village_dir, sizeof f->village_dir, "%s/village", f->dir);
    *state = f;
    struct cz_init_opts o = { 0 };
    o.kind = CZ_KIND_OFFICE;
    o.name = "许昌市科协";
    o.region = "4110";
    o.user = "张主任";
    clock_at(9, 1);
    int rc = cz_station_init(f->office_dir, &o, PASS, &f->office, why, sizeof why);
    if (rc) { print_error("office init: %s %s\n", cz_status_name(rc), why); return -1; }
    /* The story is of 2018: its clock too (clock_at), back to now after. */
    rc = build_office(f) || build_village(f) ? -1 : 0;
    cz_clock_shift(0);
    return rc;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    if (!f) return 0;
    cz_station_close(f->office);
    cz_station_close(f->village);
    int gone = tk_rmtree(f->dir) == 0;
    free(f);
    return gone ? 0 : -1;
}

/* ---- reading the report ---- */

static int report(struct fx *f, const char *region, struct cz_report *r)
{
    cz_txn *t = NULL;
    int rc = cz_txn_begin(cz_station_store(f->office), 0, &t);
    if (rc == CZ_OK) rc = cz_report_build(t, cz_station_info(f->office)->office_root, region, r);
    cz_txn_abort(t);
    return rc;
}

struct want_row { const char *key, *sub; int64_t a, b; };

static void expect_table(const char *what, const struct cz_report_table *tb, const struct want_row *w, size_t n)
{
    for (size_t i = 0; i < tb->n && i < n; i++)
        if (strcmp(tb->rows[i].key, w[i].key) || strcmp(tb->rows[i].sub, w[i].sub) || tb->rows[i].a != w[i].a ||
            tb->rows[i].b != w[i].b)
            fail_msg("%s row %zu: got %s/%s %lld %lld, want %s/%s %lld %lld", what, i, tb->rows[i].key,
                     tb->rows[i].sub, (long long)tb->rows[i].a, (long long)tb->rows[i].b, w[i].key, w[i].sub,
                     (long long)w[i].a, (long long)w[i].b);
    if (tb->n != n) fail_msg("%s: %zu rows, want %zu", what, tb->n, n);
}
#define EXPECT_TABLE(what, tb, rows) expect_table(what, tb, rows, sizeof rows / sizeof rows[0])

/* A report's totals past its tables, as one row to compare. */
struct want_totals {
    int64_t special_total, special_industry, special_industry_households;
    int32_t industry_share_bp, household_share_bp;
    int industry_pass, household_pass;
    int64_t trainings, trainees, leaflets;
    int64_t pepper_plots, pepper_area, pepper_expected;
    int64_t sales, sale_quantity, sale_paid, sale_at_floor;
};

/* Each total of r against w; a failure names the region and the total. */
static void expect_totals(const struct cz_report *r, const struct want_totals *w)
{
    const char *what = r->region[0] ? r->region : "all regions";
    tk_assert_int(what, r->special_total, w->special_total);
    tk_assert_int(what, r->special_industry, w->special_industry);
    tk_assert_int(what, r->special_industry_households, w->special_industry_households);
    tk_assert_int(what, r->industry_share_bp, w->industry_share_bp);
    tk_assert_int(what, r->household_share_bp, w->household_share_bp);
    tk_assert_int(what, !!r->industry_pass, w->industry_pass);
    tk_assert_int(what, !!r->household_pass, w->household_pass);
    tk_assert_int(what, r->trainings, w->trainings);
    tk_assert_int(what, r->trainees, w->trainees);
    tk_assert_int(what, r->leaflets, w->leaflets);
    tk_assert_int(what, r->pepper_plots, w->pepper_plots);
    tk_assert_int(what, r->pepper_area, w->pepper_area);
    tk_assert_int(what, r->pepper_expected, w->pepper_expected);
    tk_assert_int(what, r->sales, w->sales);
    tk_assert_int(what, r->sale_quantity, w->sale_quantity);
    tk_assert_int(what, r->sale_paid, w->sale_paid);
    tk_assert_int(what, r->sale_at_floor, w->sale_at_floor);
}

/* ---- the tests ---- */

static void test_chain_states(void **state)
{
    struct fx *f = *state;
    cz_txn *t = NULL;
    const uint8_t *root = cz_station_info(f->office)->office_root;
    uint8_t e[CZ_ENTITY_BYTES];
    struct cz_exit_state es;
    assert_int_equal(cz_txn_begin(cz_station_store(f->office), 0, &t), CZ_OK);

    assert_int_equal(cz_unhex(f->exit_entity[1], e, sizeof e), CZ_OK);
    assert_int_equal(cz_exit_state(t, root, e, &es), CZ_OK);
    assert_true(es.complete);
    assert_int_equal(es.approved_on[CZ_STEP_COUNTY], 20181022);
    assert_int_equal(es.approved_on[CZ_STEP_NOTICE], 20181030);

    assert_int_equal(cz_unhex(f->exit_entity[2], e, sizeof e), CZ_OK);
    assert_int_equal(cz_exit_state(t, root, e, &es), CZ_OK);
    assert_false(es.complete);
    assert_true(es.approved[CZ_STEP_VILLAGE] && es.approved[CZ_STEP_TOWNSHIP]);
    assert_false(es.approved[CZ_STEP_COUNTY] || es.approved[CZ_STEP_NOTICE]);

    assert_int_equal(cz_unhex(f->exit_entity[3], e, sizeof e), CZ_OK);
    assert_int_equal(cz_exit_state(t, root, e, &es), CZ_OK);
    assert_false(es.complete);
    for (int s = 0; s < CZ_STEP_COUNT; s++) assert_false(es.approved[s]);

    /* Household 3 exited, then returned: it keeps its exit's date. */
    static const int exited[7] = { 0, 1, 0, 1, 0, 0, 0 };
    static const enum cz_hh_status status[7] = { 0, CZ_HH_EXITED, CZ_HH_POOR, CZ_HH_RETURNED, 0, 0, 0 };
    for (int i = 1; i <= 6; i++) {
        struct cz_household_status hs;
        assert_int_equal(cz_unhex(f->h[i], e, sizeof e), CZ_OK);
        assert_int_equal(cz_household_status(t, root, e, &hs), CZ_OK);
        assert_int_equal(hs.status, status[i]);
        assert_int_equal(hs.exited_on, exited[i] ? 20181030 : 0);
        assert_int_equal(hs.exit_year, exited[i] ? 2018 : 0);
        assert_int_equal(hs.returned_on, i == 3 ? 20181115 : 0);
    }
    cz_txn_abort(t);
}

static void test_report_all(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    assert_int_equal(report(f, "", &r), CZ_OK);
    assert_string_equal(r.region, "");

    assert_int_equal(r.households, 6);
    assert_int_equal(r.people, 15);
    /* The village station's household and member: pending, left out. */
    assert_int_equal(r.pending_left_out, 2);

    static const struct want_row villages[] = {
        { V1, "exited", 1, 4 }, { V1, "poor", 1, 3 }, { V1, "returned", 1, 2 }, { V2, "poor", 3, 6 },
    };
    EXPECT_TABLE("by_village", &r.by_village, villages);
    static const struct want_row years[] = { { "2018", "", 4, 1 } };
    EXPECT_TABLE("exited_by_year", &r.exited_by_year, years);
    static const struct want_row causes[] = {
        { "disability", "", 1, 1 }, { "funds", "", 1, 2 }, { "illness", "", 2, 2 },
        { "labour", "", 0, 1 }, { "schooling", "", 1, 1 }, { "skills", "", 0, 1 },
    };
    EXPECT_TABLE("by_cause", &r.by_cause, causes);
    static const struct want_row aid[] = {
        { "gift", "special", 30000, 1 }, { "loan", "other", 500000, 1 }, { "mulch", "special", 70000, 1 },
        { "other", "special", 60000, 1 }, { "seeds", "other", 5050, 1 }, { "seeds", "special", 101000, 1 },
    };
    EXPECT_TABLE("aid", &r.aid, aid);

    static const struct want_totals totals = {
        .special_total = 261000, .special_industry = 231000, .special_industry_households = 171000,
        .industry_share_bp = 8851,     /* 231000 / 261000 = 88.51 % */
        .household_share_bp = 7403,    /* 171000 / 231000 = 74.03 % */
        .industry_pass = 1, .household_pass = 0,
        .trainings = 3, .trainees = 80, .leaflets = 450,
        .pepper_plots = 2, .pepper_area = 575,
        /* 350 x 550000 + 225 x 500050 = 192,500,000 + 112,511,250 hundredths
         * of a fen = 3,050,112.50 fen, rounded half up once (truncating
         * each plot gave 3,050,112) */
        .pepper_expected = 3050113,
        .sales = 3, .sale_quantity = 10050 + 200000 + 1000, .sale_paid = 10050 + 240000 + 1500,
        .sale_at_floor = 10050 + 200000 + 0,
    };
    expect_totals(&r, &totals);
    cz_report_free(&r);
    assert_null(r.by_village.rows);
}

static void test_report_county_filter(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    assert_int_equal(report(f, "411024", &r), CZ_OK);
    assert_string_equal(r.region, "411024");

    assert_int_equal(r.households, 3);
    assert_int_equal(r.people, 9);
    assert_int_equal(r.pending_left_out, 0);
    static const struct want_row villages[] = { { V1, "exited", 1, 4 }, { V1, "poor", 1, 3 }, { V1, "returned", 1, 2 } };
    EXPECT_TABLE("by_village", &r.by_village, villages);
    static const struct want_row years[] = { { "2018", "", 4, 1 } };
    EXPECT_TABLE("exited_by_year", &r.exited_by_year, years);
    static const struct want_row causes[] = {
        { "disability", "", 1, 1 }, { "funds", "", 0, 1 }, { "illness", "", 1, 1 },
        { "labour", "", 0, 1 }, { "schooling", "", 1, 1 },
    };
    EXPECT_TABLE("by_cause", &r.by_cause, causes);
    /* A3 (no household) belongs to the office's region 4110, not to 411024. */
    static const struct want_row aid[] = {
        { "mulch", "special", 70000, 1 }, { "seeds", "other", 5050, 1 }, { "seeds", "special", 101000, 1 },
    };
    EXPECT_TABLE("aid", &r.aid, aid);
    static const struct want_totals totals = {
        .special_total = 171000, .special_industry = 171000, .special_industry_households = 171000,
        .industry_share_bp = 10000, .household_share_bp = 10000, .industry_pass = 1, .household_pass = 1,
        .trainings = 1, .trainees = 45, .leaflets = 300,
        .pepper_plots = 1, .pepper_area = 350, .pepper_expected = 1925000,
        .sales = 2, .sale_quantity = 11050, .sale_paid = 11550, .sale_at_floor = 10050,
    };
    expect_totals(&r, &totals);
    cz_report_free(&r);
}

static void test_report_village_filter(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    assert_int_equal(report(f, V2, &r), CZ_OK);

    assert_int_equal(r.households, 3);
    assert_int_equal(r.people, 6);
    assert_int_equal(r.pending_left_out, 2);
    static const struct want_row villages[] = { { V2, "poor", 3, 6 } };
    EXPECT_TABLE("by_village", &r.by_village, villages);
    assert_int_equal(r.exited_by_year.n, 0);
    static const struct want_row causes[] = { { "funds", "", 1, 1 }, { "illness", "", 1, 1 }, { "skills", "", 0, 1 } };
    EXPECT_TABLE("by_cause", &r.by_cause, causes);
    static const struct want_row aid[] = { { "gift", "special", 30000, 1 }, { "loan", "other", 500000, 1 } };
    EXPECT_TABLE("aid", &r.aid, aid);
    static const struct want_totals totals = {
        .special_total = 30000, .special_industry = 0, .special_industry_households = 0,
        .industry_share_bp = 0,
        .household_share_bp = -1,    /* no special industry funds at all */
        .industry_pass = 0, .household_pass = 0,
        .trainings = 1, .trainees = 25, .leaflets = 150,
        .pepper_plots = 1, .pepper_area = 225,
        .pepper_expected = 1125113,  /* 225 x 500050 = 112,511,250 hundredths of a fen: 1,125,112.50, half up */
        .sales = 1, .sale_quantity = 200000, .sale_paid = 240000, .sale_at_floor = 200000,
    };
    expect_totals(&r, &totals);
    cz_report_free(&r);
}

static void test_report_empty_region(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    assert_int_equal(report(f, "4201", &r), CZ_OK);
    assert_int_equal(r.households, 0);
    assert_int_equal(r.people, 0);
    assert_int_equal(r.pending_left_out, 0);
    assert_int_equal(r.by_village.n + r.exited_by_year.n + r.by_cause.n + r.aid.n, 0);
    /* Every total 0, each on its own; no shares without funds. */
    static const struct want_totals totals = { .industry_share_bp = -1, .household_share_bp = -1 };
    expect_totals(&r, &totals);
    cz_report_free(&r);
}

/* Last: the office certifies the village's first secretary; the pending
 * records then count (within the certificate's jurisdiction). */
static void test_certified_then_counted(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    uint8_t id[CZ_ID_BYTES];
    struct cz_cert_req q;
    memset(&q, 0, sizeof q);
    memcpy(q.key, f->village_person, 32);
    q.kind = "person";
    q.name = "钱书记";
    q.station = "南寨村";
    q.region = V2;
    q.role = "clerk";
    assert_int_equal(cz_station_login(f->office, "张主任", PASS), CZ_OK);
    assert_int_equal(cz_station_certify(f->office, &q, id), CZ_OK);

    assert_int_equal(report(f, "", &r), CZ_OK);
    assert_int_equal(r.households, 7);
    assert_int_equal(r.people, 16);
    assert_int_equal(r.pending_left_out, 0);
    static const struct want_row villages[] = {
        { V1, "exited", 1, 4 }, { V1, "poor", 1, 3 }, { V1, "returned", 1, 2 }, { V2, "poor", 4, 7 },
    };
    EXPECT_TABLE("by_village", &r.by_village, villages);
    static const struct want_row causes[] = {
        { "disability", "", 1, 1 }, { "funds", "", 1, 2 }, { "illness", "", 3, 3 },
        { "labour", "", 0, 1 }, { "schooling", "", 1, 1 }, { "skills", "", 0, 1 },
    };
    EXPECT_TABLE("by_cause", &r.by_cause, causes);
    cz_report_free(&r);
}

/* The CSV both `report --format csv` and the Reports screen write: the
 * header, then every table's rows in the report's order, then the totals. */
static void test_report_csv(void **state)
{
    struct fx *f = *state;
    struct cz_report r;
    char *csv = NULL, want[256];
    size_t len = 0;
    assert_int_equal(report(f, "", &r), CZ_OK);
    assert_int_equal(cz_report_csv(&r, &csv, &len), CZ_OK);
    assert_int_equal(strlen(csv), len);
    assert_int_equal(strncmp(csv, "section,key,sub,value,value2\ntotal,households,,6,0\ntotal,people,,15,0\n", 70), 0);
    snprintf(want, sizeof want, "\nvillage_status,%s,exited,1,4\nvillage_status,%s,poor,1,3\n", V1, V1);
    assert_non_null(strstr(csv, want));
    assert_non_null(strstr(csv, "\nexited_by_year,2018,,4,1\n"));
    assert_non_null(strstr(csv, "\naid_fen,seeds,other,5050,1\n"));
    assert_non_null(strstr(csv, "\nspecial_funds_fen,industry,,231000,8851\n"));
    assert_non_null(strstr(csv, "\nsales,at_floor_fen,,210050,0\n"));
    assert_true(len > 0 && csv[len - 1] == '\n');
    assert_true(strstr(csv, "\nvillage_status,") < strstr(csv, "\nexited_by_year,"));
    free(csv);
    cz_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_csv),
        cmocka_unit_test(test_chain_states),
        cmocka_unit_test(test_report_all),
        cmocka_unit_test(test_report_county_filter),
        cmocka_unit_test(test_report_village_filter),
        cmocka_unit_test(test_report_empty_region),
        cmocka_unit_test(test_certified_then_counted),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
