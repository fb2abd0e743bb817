/* test_registry.c — the registry's household side (schema_registry.c,
 * station_yearly.c, the new types' trust rules in authz.c): the income's
 * transfers and net worked out (figures by hand), the causes limit and
 * old causes reading the same, the yearly records' years, dates not in
 * the future and in order, a member change naming who, months worked
 * away; one income and one conditions record per household and year
 * (add, edit, load); who may write the new types, with entries validly
 * signed by the wrong person or for the wrong place refused and the
 * honest ones accepted; and the report's people on a day, income by
 * village and year and measures by category, by hand. */
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
#include "keys.h"
#include "report.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "sync.h"
#include "testkit.h"

#define TODAY 20240601u
#define REF1 "0123456789abcdef0123456789abcdef"
#define REF2 "fedcba9876543210fedcba9876543210"
#define VA "411081106201"
#define VB "411081106202"
#define PASS "registry-pass-1"

/* ---- the schema's rules ---- */

/* Builds a body of `type` from "k=v" pairs (NULL-ended) and finishes it;
 * returns the status, the body in *out (caller frees) and the error. */
static int build(const char *type, cz_body **out, struct cz_field_error *err, ...)
{
    const struct cz_type *ty = cz_schema_type(type);
    struct cz_assign a[24];
    char buf[24][128];
    size_t n = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *kv; n < 24 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        assert_int_equal(cz_assign_split(buf[n], &a[n]), CZ_OK);
    }
    va_end(ap);
    cz_body *b = cz_body_new();
    assert_non_null(b);
    int rc = cz_schema_set_many(ty, b, a, n, err);
    if (!rc) rc = cz_schema_finish(ty, b, TODAY, err);
    if (out) *out = b;
    else cz_body_free(b);
    return rc;
}

static int64_t fen(const char *type, const cz_body *b, const char *field)
{
    int64_t v = -1;
    cz_body_get_sint(b, cz_schema_field(cz_schema_type(type), field)->tag, &v);
    return v;
}

static void message_has(const char *type, const struct cz_field_error *e, enum cz_lang lang, const char *want)
{
    char msg[600];
    cz_field_error_message(cz_schema_type(type), e, lang, msg, sizeof msg);
    if (!strstr(msg, want)) fail_msg("message '%s' lacks '%s'", msg, want);
}

static void test_income_worked_out_by_hand(void **state)
{
    (void)state;
    struct cz_field_error err;
    cz_body *b = NULL;
    /* 12000 + 8000 - 2500 + 300 + (1200 + 500) = 19500 yuan */
    assert_int_equal(build("income", &b, &err, "household=" REF1, "year=2019", "wages=12000", "production=8000",
                           "production_costs=2500", "property=300", "dibao=1200", "pension=500", NULL), CZ_OK);
    assert_int_equal(fen("income", b, "transfers"), 170000);
    assert_int_equal(fen("income", b, "net"), 1950000);
    /* A new part works the net out again: 19500 - 2000 = 17500. */
    const struct cz_type *ty = cz_schema_type("income");
    assert_int_equal(cz_schema_set(ty, b, "wages", "10000", &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, TODAY, &err), CZ_OK);
    assert_int_equal(fen("income", b, "net"), 1750000);
    cz_body_free(b);
    /* Costs above income: a negative net is kept as it is (-500 yuan). */
    assert_int_equal(build("income", &b, &err, "household=" REF1, "year=2019", "production=1000",
                           "production_costs=1500", NULL), CZ_OK);
    assert_int_equal(fen("income", b, "net"), -50000);
    cz_body_free(b);
    /* A typed net must agree, whatever the column order. */
    assert_int_equal(build("income", NULL, &err, "net=19500", "household=" REF1, "year=2019", "wages=12000",
                           "production=8000", "production_costs=2500", "property=300", "dibao=1200", "pension=500",
                           NULL), CZ_OK);
    assert_int_equal(build("income", NULL, &err, "net=5", "household=" REF1, "year=2019", "wages=100", NULL),
                     CZ_EFIELD);
    assert_int_equal(err.hint, HINT_DERIVED_SUM);
    assert_string_equal(err.field->key, "net");
    message_has("income", &err, CZ_LANG_EN, "worked out from the other amounts: 100.00");
    message_has("income", &err, CZ_LANG_ZH, "由各项金额算出：100.00");
    assert_int_equal(build("income", NULL, &err, "household=" REF1, "year=2019", "transfers=1", NULL), CZ_EFIELD);
    assert_string_equal(err.field->key, "transfers");
}

static void test_causes_limit(void **state)
{
    (void)state;
    struct cz_field_error err;
    cz_body *b = NULL;
    assert_int_equal(build("household", NULL, &err, "number=1", "village=" VA, "head=甲",
                           "causes=因病,因灾,缺水,交通条件落后", NULL), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_CAUSES_LIMIT);
    message_has("household", &err, CZ_LANG_EN, "at most 3 causes");
    message_has("household", &err, CZ_LANG_ZH, "最多 3 项");
    assert_int_equal(build("household", NULL, &err, "number=1", "village=" VA, "head=甲", "primary_cause=因灾",
                           "causes=因病,因灾,缺水", NULL), CZ_OK);
    /* The main cause alone with two others: three in all. */
    assert_int_equal(build("household", &b, &err, "number=1", "village=" VA, "head=甲", "primary_cause=其它",
                           "causes=其它,自身发展动力不足,缺土地", NULL), CZ_OK);
    /* An old record holding four is not refused an edit of another field. */
    const struct cz_type *ty = cz_schema_type("household");
    const char *four[] = { "illness", "disability", "funds", "skills" };
    size_t lens[] = { 7, 10, 5, 6 };
    assert_int_equal(cz_body_set_list(b, cz_schema_field(ty, "causes")->tag, four, lens, 4), CZ_OK);
    assert_int_equal(cz_body_remove(b, cz_schema_field(ty, "primary_cause")->tag), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "phone", "13800000000", &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, TODAY, &err), CZ_OK);
    cz_body_free(b);
}

/* The six first keys keep their labels; the twelve official ones are there. */
static void test_old_causes_read_the_same(void **state)
{
    (void)state;
    const struct cz_field *f = cz_schema_field(cz_schema_type("household"), "causes");
    static const char *const old[][2] = { { "illness", "因病" }, { "disability", "因残" }, { "schooling", "因学" },
                                          { "funds", "缺资金" }, { "labour", "缺劳动力" }, { "skills", "缺技术" } };
    for (size_t i = 0; i < 6; i++) assert_string_equal(cz_enum_label(f, old[i][0], CZ_LANG_ZH), old[i][1]);
    size_t n = 0;
    for (const struct cz_enum_value *v = f->values; v->key; v++) n++;
    assert_int_equal(n, 12);
    assert_string_equal(f->values[0].key, "illness");
}

static void test_nationalities(void **state)
{
    (void)state;
    const struct cz_field *f = cz_schema_field(cz_schema_type("member"), "nationality");
    size_t n = 0;
    for (const struct cz_enum_value *v = f->values; v->key; v++) n++;
    assert_int_equal(n, 56);
    assert_string_equal(cz_enum_label(f, "01", CZ_LANG_ZH), "汉族");
    assert_string_equal(cz_enum_label(f, "15", CZ_LANG_ZH), "土家族");
    assert_string_equal(cz_enum_label(f, "30", CZ_LANG_ZH), "土族");
    assert_string_equal(cz_enum_label(f, "56", CZ_LANG_ZH), "基诺族");
    struct cz_field_error err;
    cz_body *b = NULL;
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=甲", "民族=回族", "文化程度=初中",
                           "健康状况=患有大病", "劳动能力=技能劳动力", "work_months=12", NULL), CZ_OK);
    char buf[64];
    cz_schema_format(cz_schema_field(cz_schema_type("member"), "nationality"), b, CZ_LANG_EN, 0, buf, sizeof buf);
    assert_string_equal(buf, "03");
    cz_body_free(b);
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=甲", "nationality=火星族", NULL), CZ_EFIELD);
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=甲", "work_months=13", NULL), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_MONTHS);
    message_has("member", &err, CZ_LANG_ZH, "0 到 12 个月");
}

static void test_years(void **state)
{
    (void)state;
    struct cz_field_error err;
    assert_int_equal(build("income", NULL, &err, "household=" REF1, "year=2012", NULL), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_YEAR_RECENT);
    message_has("income", &err, CZ_LANG_EN, "from 2013");
    message_has("income", &err, CZ_LANG_ZH, "2013 年");
    assert_int_equal(build("income", NULL, &err, "household=" REF1, "year=2013", NULL), CZ_OK);
    assert_int_equal(build("income", NULL, &err, "household=" REF1, "year=2024", NULL), CZ_OK);
    assert_int_equal(build("income", NULL, &err, "household=" REF1, "year=2025", NULL), CZ_EFIELD);
    assert_int_equal(build("conditions", NULL, &err, "household=" REF1, "year=2024", "repaired=2025", NULL), CZ_EFIELD);
    assert_string_equal(err.field->key, "repaired");
    assert_int_equal(build("conditions", NULL, &err, "household=" REF1, "year=2024", "danger_grade=E", NULL), CZ_EFIELD);
    assert_int_equal(build("conditions", NULL, &err, "household=" REF1, "year=2024", "危房等级=D级", "repaired=2024",
                           "耕地面积(亩)=4.5", NULL), CZ_OK);
}

static void test_dates(void **state)
{
    (void)state;
    struct cz_field_error err;
    assert_int_equal(build("member_change", NULL, &err, "household=" REF1, "member=" REF2, "kind=death",
                           "date=2024-06-02", NULL), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_DATE_FUTURE);
    assert_int_equal(build("member_change", NULL, &err, "household=" REF1, "member=" REF2, "kind=death",
                           "date=2024-06-01", NULL), CZ_OK);
    assert_int_equal(build("measure", NULL, &err, "household=" REF1, "category=产业扶贫", "project=辣椒",
                           "start=2019-05-01", "end=2019-04-30", NULL), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_DATE_ORDER);
    assert_string_equal(err.field->key, "end");
    message_has("measure", &err, CZ_LANG_EN, "must not be before 2019-05-01");
    message_has("measure", &err, CZ_LANG_ZH, "不能早于2019-05-01");
    /* A planned end (a loan's three years) may be in the future. */
    assert_int_equal(build("measure", NULL, &err, "household=" REF1, "category=credit", "project=小额信贷",
                           "amount=50000", "start=2024-04-01", "end=2027-03-31", NULL), CZ_OK);
    assert_int_equal(build("measure", NULL, &err, "household=" REF1, "category=credit", "project=小额信贷",
                           "start=2024-07-01", NULL), CZ_EFIELD);
    assert_int_equal(build("pairing", NULL, &err, "helper=" REF2, "household=" REF1, "start=2019-01-01",
                           "end=2018-12-31", NULL), CZ_EFIELD);
    assert_int_equal(build("pairing", NULL, &err, "helper=" REF2, "household=" REF1, "start=2019-01-01",
                           "end=2020-12-31", NULL), CZ_OK);
    assert_int_equal(build("work_team", NULL, &err, "village=" VA, "unit=县农业局", "from=2019-03-01",
                           "to=2019-02-28", NULL), CZ_EFIELD);
    assert_int_equal(build("work_team", NULL, &err, "village=" VA, "unit=县农业局", "from=2019-03-01",
                           "members=甲,乙", "phones=13800000001", NULL), CZ_OK);
    assert_int_equal(build("work_team", NULL, &err, "village=" VA, "unit=县农业局", NULL), CZ_EEMPTY);
}

static void test_member_change_names_who(void **state)
{
    (void)state;
    struct cz_field_error err;
    static const char *const leaving[] = { "death", "marry_out", "move_out" };
    for (size_t i = 0; i < 3; i++) {
        char kind[32];
        snprintf(kind, sizeof kind, "kind=%s", leaving[i]);
        assert_int_equal(build("member_change", NULL, &err, "household=" REF1, kind, "date=2019-01-01", "name=甲",
                               NULL), CZ_EEMPTY);
        assert_int_equal(err.hint, HINT_CHANGE_LEAVE);
    }
    message_has("member_change", &err, CZ_LANG_ZH, "成员离开");
    assert_int_equal(build("member_change", NULL, &err, "household=" REF1, "kind=birth", "date=2019-01-01", NULL),
                     CZ_EEMPTY);
    assert_int_equal(err.hint, HINT_CHANGE_JOIN);
    message_has("member_change", &err, CZ_LANG_EN, "name=");
    assert_int_equal(build("member_change", NULL, &err, "household=" REF1, "kind=出生", "date=2019-01-01",
                           "name=小宝", NULL), CZ_OK);
    assert_int_equal(build("member_change", NULL, &err, "household=" REF1, "kind=婚入", "date=2019-01-01",
                           "member=" REF2, NULL), CZ_OK);
}

/* ---- one yearly record per household and year, at a station ---- */

static struct tk_pair P;

static int add(cz_station *st, const char *type, char hex[33], struct cz_field_error *err, ...)
{
    struct cz_assign a[16];
    char buf[16][128];
    size_t n = 0;
    uint8_t entity[16], id[32];
    va_list ap;
    va_start(ap, err);
    for (const char *kv; n < 16 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        cz_assign_split(buf[n], &a[n]);
    }
    va_end(ap);
    int rc = cz_station_add(st, type, a, n, entity, id, err);
    if (!rc && hex) cz_hex(entity, 16, hex);
    return rc;
}

struct row_errors { size_t n, row; int status; struct cz_field_error err; };
static void on_row(void *ctx, size_t row, int status, const struct cz_field_error *err)
{
    struct row_errors *r = ctx;
    if (!r->n++) { r->row = row; r->status = status; if (err) r->err = *err; }
}

static void test_one_per_household_and_year(void **state)
{
    (void)state;
    struct cz_field_error err;
    char hh[33], inc[33], other[33], ref[64];
    assert_int_equal(tk_pair_init(&P, "registry", "许昌市办", VA, PASS), 0);
    assert_int_equal(add(P.village, "household", hh, &err, "number=R-1", "village=" VA, "head=韩大山", NULL), CZ_OK);
    snprintf(ref, sizeof ref, "household=%s", hh);
    assert_int_equal(add(P.village, "income", inc, &err, ref, "year=2019", "wages=100", NULL), CZ_OK);
    /* The second for 2019 is refused, naming the first. */
    assert_int_equal(add(P.village, "income", NULL, &err, ref, "year=2019", "wages=200", NULL), CZ_EEXIST);
    assert_int_equal(err.hint, HINT_YEAR_TAKEN);
    assert_string_equal(err.detail, inc);
    message_has("income", &err, CZ_LANG_EN, inc);
    message_has("income", &err, CZ_LANG_ZH, "该户该年度已有记录");
    /* Another year, and another type for the same year, are fine. */
    assert_int_equal(add(P.village, "income", other, &err, ref, "year=2018", "wages=200", NULL), CZ_OK);
    assert_int_equal(add(P.village, "conditions", NULL, &err, ref, "year=2019", "house_area=80", NULL), CZ_OK);
    assert_int_equal(add(P.village, "conditions", NULL, &err, ref, "year=2019", "house_area=81", NULL), CZ_EEXIST);
    /* An edit keeps its own year; moving 2018's into 2019 is refused. */
    uint8_t entity[16], id[32];
    struct cz_assign notes = { "notes", "核实" }, year = { "year", "2019" };
    assert_int_equal(cz_unhex(inc, entity, 16), CZ_OK);
    assert_int_equal(cz_station_edit(P.village, entity, &notes, 1, id, &err), CZ_OK);
    assert_int_equal(cz_unhex(other, entity, 16), CZ_OK);
    assert_int_equal(cz_station_edit(P.village, entity, &year, 1, id, &err), CZ_EEXIST);
    /* A deleted one leaves its year free. */
    assert_int_equal(cz_unhex(inc, entity, 16), CZ_OK);
    assert_int_equal(cz_station_delete(P.village, entity, id), CZ_OK);
    assert_int_equal(add(P.village, "income", inc, &err, ref, "year=2019", "wages=300", NULL), CZ_OK);
    /* A sheet with two rows for one year stores nothing and names the row. */
    char hh_ref[40];
    snprintf(hh_ref, sizeof hh_ref, "%s", hh);
    struct cz_assign r1[] = { { "household", hh_ref }, { "year", "2017" }, { "wages", "1" } };
    struct cz_assign r2[] = { { "household", hh_ref }, { "year", "2017" }, { "wages", "2" } };
    const struct cz_assign *rows[] = { r1, r2 };
    size_t counts[] = { 3, 3 }, stored = 0;
    struct row_errors re = { 0 };
    assert_int_not_equal(cz_station_add_many(P.village, "income", rows, counts, 2, on_row, &re, &stored), CZ_OK);
    assert_int_equal(stored, 0);
    assert_int_equal(re.row, 1);
    assert_int_equal(re.status, CZ_EEXIST);
    tk_pair_free(&P);
}

/* ---- who may write the new types: entries signed with real keys ---- */

struct author { uint8_t pk[32], sk[64]; struct tk_log log; };

static struct {
    struct tk_pair p;
    struct author clerk_a, clerk_b;
    uint8_t hh_a[16], hh_a2[16], hh_b[16], mem_a[16], mem_a2[16];
    uint8_t next;
} F;

static int raw_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

static void new_author(struct author *a, const char *name, const char *region)
{
    uint8_t id[32];
    crypto_sign_keypair(a->pk, a->sk);
    memset(&a->log, 0, sizeof a->log);
    memcpy(a->log.origin, a->pk, 32);
    struct cz_cert_req req = { .kind = "person", .name = name, .station = "村站", .region = region, .role = "clerk" };
    memcpy(req.key, a->pk, 32);
    assert_int_equal(cz_station_certify(F.p.office, &req, id), CZ_OK);
}

/* A canonical body from "k=v" pairs (NULL-ended), finished as of TODAY. */
static uint8_t *body_of(const char *type, size_t *len, ...)
{
    const struct cz_type *ty = cz_schema_type(type);
    struct cz_assign a[16];
    char buf[16][128];
    size_t n = 0;
    struct cz_field_error err;
    uint8_t *out = NULL;
    va_list ap;
    va_start(ap, len);
    for (const char *kv; n < 16 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        cz_assign_split(buf[n], &a[n]);
    }
    va_end(ap);
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set_many(ty, b, a, n, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, TODAY, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &out, len), CZ_OK);
    cz_body_free(b);
    return out;
}

struct refusals { size_t n; int why; };
static void on_refused(void *ctx, const uint8_t id[32], const uint8_t origin[32], int why)
{
    struct refusals *r = ctx;
    r->n++;
    r->why = why;
}

/* The author signs a first version of a new record (its entity in
 * entity) and the office imports it from the village's bundle. */
static struct cz_import_result sign_and_deliver(struct author *a, const char *type, const char *region,
                                                uint8_t entity[16], uint8_t *body, size_t blen,
                                                struct refusals *rf)
{
    struct cz_entry_draft d;
    uint8_t *e = NULL, id[32];
    size_t elen = 0;
    struct cz_import_result r;
    randombytes_buf(entity, 16);
    entity[0] = ++F.next;
    tk_log_draft(&a->log, &d, cz_hlc_next(0, cz_now_ms()), entity, type, region, NULL, 0, body, blen);
    assert_int_equal(tk_log_write(&a->log, &d, raw_sign, a, &e, &elen, id), CZ_OK);
    free(body);
    memset(rf, 0, sizeof *rf);
    const uint8_t *const ev[] = { e };
    assert_int_equal(tk_pair_deliver(&F.p, ev, &elen, 1, on_refused, rf, &r), CZ_OK);
    free(e);
    return r;
}

static void hexof(const uint8_t e[16], char out[64], const char *field)
{
    char hex[33];
    cz_hex(e, 16, hex);
    snprintf(out, 64, "%s=%s", field, hex);
}

static int authz_setup(void **state)
{
    struct cz_import_result ir;
    struct refusals rf;
    uint8_t *img = NULL;
    size_t len = 0, blen;
    char h[64];
    (void)state;
    memset(&F, 0, sizeof F);
    if (tk_pair_init(&F.p, "registry-authz", "许昌市办", VA, PASS)) return -1;
    if (tk_pair_export(&F.p, &img, &len)) return -1;
    if (cz_sync_import(F.p.office, img, len, NULL, NULL, &ir) || ir.status) return -1;
    free(img);
    uint8_t id[32];
    struct cz_cert_req sreq = { .kind = "station", .name = "村站", .station = "村站", .region = VA, .role = "clerk" };
    memcpy(sreq.key, cz_station_info(F.p.village)->box_pk, 32);
    if (cz_station_certify(F.p.office, &sreq, id)) return -1;
    new_author(&F.clerk_a, "王会计", VA);
    new_author(&F.clerk_b, "赵会计", VB);
    uint8_t *b = body_of("household", &blen, "number=A-1", "village=" VA, "head=甲", NULL);
    ir = sign_and_deliver(&F.clerk_a, "household", VA, F.hh_a, b, blen, &rf);
    b = body_of("household", &blen, "number=A-2", "village=" VA, "head=乙", NULL);
    ir = sign_and_deliver(&F.clerk_a, "household", VA, F.hh_a2, b, blen, &rf);
    b = body_of("household", &blen, "number=B-1", "village=" VB, "head=丙", NULL);
    ir = sign_and_deliver(&F.clerk_b, "household", VB, F.hh_b, b, blen, &rf);
    hexof(F.hh_a, h, "household");
    b = body_of("member", &blen, h, "name=甲", NULL);
    ir = sign_and_deliver(&F.clerk_a, "member", VA, F.mem_a, b, blen, &rf);
    hexof(F.hh_a2, h, "household");
    b = body_of("member", &blen, h, "name=乙", NULL);
    ir = sign_and_deliver(&F.clerk_a, "member", VA, F.mem_a2, b, blen, &rf);
    return ir.fresh == 1 && !ir.refused ? 0 : -1;
}

static int authz_teardown(void **state)
{
    (void)state;
    tk_pair_free(&F.p);
    return 0;
}

/* Village A's clerk writes a yearly income, conditions or measure for
 * village B's household: refused, whichever region the header claims;
 * B's clerk writes it. */
static void test_household_records_by_village(void **state)
{
    (void)state;
    static const char *const types[][4] = {
        { "income", "year=2019", "wages=100", "notes=-" },
        { "conditions", "year=2019", "house_area=80", "notes=-" },
        { "measure", "category=health", "project=体检", "notes=-" },
        { "member_change", "kind=birth", "name=小宝", "date=2019-01-01" },
    };
    char h[64];
    uint8_t entity[16];
    struct refusals rf;
    hexof(F.hh_b, h, "household");
    for (size_t i = 0; i < 4; i++) {
        size_t blen;
        uint8_t *b = body_of(types[i][0], &blen, h, types[i][1], types[i][2], types[i][3], NULL);
        struct cz_import_result r = sign_and_deliver(&F.clerk_a, types[i][0], VB, entity, b, blen, &rf);
        assert_int_equal(r.refused, 1);
        assert_int_equal(rf.why, CZ_EPERM);
        b = body_of(types[i][0], &blen, h, types[i][1], types[i][2], types[i][3], NULL);
        r = sign_and_deliver(&F.clerk_a, types[i][0], VA, entity, b, blen, &rf);
        assert_int_equal(r.refused, 1);
        assert_int_equal(rf.why, CZ_EREGION);
        b = body_of(types[i][0], &blen, h, types[i][1], types[i][2], types[i][3], NULL);
        r = sign_and_deliver(&F.clerk_b, types[i][0], VB, entity, b, blen, &rf);
        assert_int_equal(r.refused, 0);
        assert_int_equal(r.fresh, 1);
    }
}

/* The work team of a village is written within that village. */
static void test_work_team_by_village(void **state)
{
    (void)state;
    uint8_t entity[16];
    struct refusals rf;
    size_t blen;
    uint8_t *b = body_of("work_team", &blen, "village=" VB, "unit=县农业局", "from=2019-03-01", NULL);
    struct cz_import_result r = sign_and_deliver(&F.clerk_a, "work_team", VB, entity, b, blen, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
    b = body_of("work_team", &blen, "village=" VB, "unit=县农业局", "from=2019-03-01", NULL);
    r = sign_and_deliver(&F.clerk_b, "work_team", VB, entity, b, blen, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
}

/* Both households are the clerk's: the region rules pass, but a change
 * naming another household's member is refused. */
static void test_member_change_of_own_member(void **state)
{
    (void)state;
    char h[64], m[64];
    uint8_t entity[16];
    struct refusals rf;
    size_t blen;
    hexof(F.hh_a, h, "household");
    hexof(F.mem_a2, m, "member");
    uint8_t *b = body_of("member_change", &blen, h, m, "kind=move_out", "date=2019-01-01", NULL);
    struct cz_import_result r = sign_and_deliver(&F.clerk_a, "member_change", VA, entity, b, blen, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EMEMBEROF);
    hexof(F.mem_a, m, "member");
    b = body_of("member_change", &blen, h, m, "kind=move_out", "date=2019-01-01", NULL);
    r = sign_and_deliver(&F.clerk_a, "member_change", VA, entity, b, blen, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
}

/* Village B's household, by hand: members 丁 and 戊, 戊 moved out on
 * 2019-06-01, so one member on 31 December 2019; two 2019 incomes written
 * apart (100 yuan, then 300 by another clerk of B): the later counts,
 * 300 yuan over 1 person.  Today the household has 1 person too. */
static void test_report_by_hand(void **state)
{
    (void)state;
    char h[64], m[64];
    uint8_t entity[16], m2[16];
    struct refusals rf;
    size_t blen;
    struct author other;
    memset(&other, 0, sizeof other);
    new_author(&other, "钱会计", VB);
    hexof(F.hh_b, h, "household");
    uint8_t *b = body_of("member", &blen, h, "name=丁", NULL);
    assert_int_equal(sign_and_deliver(&F.clerk_b, "member", VB, entity, b, blen, &rf).fresh, 1);
    b = body_of("member", &blen, h, "name=戊", NULL);
    assert_int_equal(sign_and_deliver(&F.clerk_b, "member", VB, m2, b, blen, &rf).fresh, 1);
    hexof(m2, m, "member");
    b = body_of("member_change", &blen, h, m, "kind=move_out", "date=2019-06-01", NULL);
    assert_int_equal(sign_and_deliver(&F.clerk_b, "member_change", VB, entity, b, blen, &rf).fresh, 1);
    /* test_household_records_by_village left B's 2019 income of 100 yuan. */
    b = body_of("income", &blen, h, "year=2019", "wages=300", NULL);
    assert_int_equal(sign_and_deliver(&other, "income", VB, entity, b, blen, &rf).fresh, 1);

    cz_txn *t = NULL;
    struct cz_report r;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_report_build(t, cz_station_info(F.p.office)->office_root, VB, &r), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(r.people, 1);
    assert_int_equal(r.nincome, 1);
    assert_int_equal(r.income[0].year, 2019);
    assert_int_equal(r.income[0].households, 1);
    assert_int_equal(r.income[0].people, 1);
    assert_int_equal(r.income[0].wages, 30000);
    assert_int_equal(r.income[0].net, 30000);
    assert_int_equal(cz_report_net_per_person(&r.income[0]), 30000);
    /* health 体检 of test_household_records_by_village: one record, no amount */
    assert_int_equal(r.measures.n, 1);
    assert_string_equal(r.measures.rows[0].key, "health");
    assert_int_equal(r.measures.rows[0].b, 1);
    cz_report_free(&r);
}

/* Net per person rounds half up to the fen: 100.00 over 3 is 33.33,
 * 200.00 over 3 is 66.67, 0.05 over 2 (2.5 fen) is 0.03. */
static void test_net_per_person_rounding(void **state)
{
    (void)state;
    struct cz_report_income x = { .people = 3, .net = 10000 };
    assert_int_equal(cz_report_net_per_person(&x), 3333);
    x.net = 20000;
    assert_int_equal(cz_report_net_per_person(&x), 6667);
    x.people = 2;
    x.net = 5;
    assert_int_equal(cz_report_net_per_person(&x), 3);
    x.people = 0;
    assert_int_equal(cz_report_net_per_person(&x), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_income_worked_out_by_hand),
        cmocka_unit_test(test_causes_limit),
        cmocka_unit_test(test_old_causes_read_the_same),
        cmocka_unit_test(test_nationalities),
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_member_change_names_who),
        cmocka_unit_test(test_one_per_household_and_year),
        cmocka_unit_test(test_net_per_person_rounding),
    };
    const struct CMUnitTest trust[] = {
        cmocka_unit_test(test_household_records_by_village),
        cmocka_unit_test(test_work_team_by_village),
        cmocka_unit_test(test_member_change_of_own_member),
        cmocka_unit_test(test_report_by_hand),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(trust, authz_setup, authz_teardown);
}
