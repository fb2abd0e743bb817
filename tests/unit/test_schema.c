/* test_schema.c — record types and the rules that turn what a person typed
 * into a canonical body (schema.h, schema_types.def).
 *
 * For every record type: a valid body builds and formats back to the
 * canonical values; each required field, left out, is named; every field
 * type refuses its bad inputs with the right status and a message in both
 * languages that names the field; and the cross-field rules (ID number ->
 * sex and birth date, primary cause among the causes, a sale's amount from
 * quantity and price) hold. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "idnum.h"
#include "schema.h"
#include "status.h"
#include "testkit.h"

#define TODAY 20240601u

#define REF1 "0123456789abcdef0123456789abcdef"
#define REF2 "fedcba9876543210fedcba9876543210"
#define VER1 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define KEY_UPPER "A0B1C2D3E4F5061728394A5B6C7D8E9FA0B1C2D3E4F5061728394A5B6C7D8E9F"
/* A countersignature's shape (roster.h): 128 hex digits. */
#define SIG_HEX KEY_LOWER KEY_LOWER
#define KEY_LOWER "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f"

/* ---- helpers ---- */

/* One typed field and what it must read back as (NULL: as typed). */
struct fv { const char *key, *in, *canon; };

struct sample {
    const char *type;
    struct fv f[24];             /* NULL key ends */
    struct fv derived[4];        /* fields computed by cz_schema_finish */
};

static const struct sample samples[] = {
    { "place", {
        { "code", "411024", NULL }, { "name", "鄢陵县", NULL },
        { "level", "县(市、区)", "county" }, { "parent", "4110", NULL } }, { { NULL, NULL, NULL } } },
    { "household", {
        { "number", "ＹＳＷ－００２", "YSW-002" }, { "village", "411024104201", NULL },
        { "head", "  王德明 ", "王德明" }, { "phone", "139 0374-1101", NULL },
        { "address", "杨树湾村　三组", "杨树湾村 三组" }, { "identified", "２０１６", "2016" },
        { "status", "未脱贫", "poor" }, { "exited_on", "2016年3月5日", "2016-03-05" },
        { "causes", "缺技术,因病", "illness,skills" }, { "primary_cause", "Illness", "illness" },
        { "notes", "第一行\r\n第二行", "第一行\n第二行" },
        /* registry (household side) */
        { "attribute", "低保贫困户", "dibao" } }, { { NULL, NULL, NULL } } },
    { "member", {
        { "household", REF1, NULL }, { "name", "王小雨", NULL },
        { "id_number", "11010519491231002x", "11010519491231002X" },
        { "relation", "配偶", "spouse" }, { "health", "患病", "ill" },
        { "schooling", "小学", NULL }, { "can_work", "否", "no" },
        /* registry (household side) */
        { "nationality", "回族", "03" }, { "education", "初中", "junior" }, { "student", "非在校生", "none" },
        { "health_state", "长期慢性病", "chronic" }, { "labour", "技能劳动力", "skilled" },
        { "work", "省外务工", "outside" }, { "work_months", "10", NULL }, { "work_place", "浙江省宁波市", NULL },
        { "medical", "是", "yes" }, { "serious_ins", "yes", NULL }, { "pension", "否", "no" },
        { "dibao", "是", "yes" } },
      { { "sex", NULL, "F" }, { "born", NULL, "1949-12-31" } } },
    { "helper", {
        { "name", "周专家", NULL }, { "kind", "首席科普专家", "chief_expert" },
        { "org", "许昌市科协", NULL }, { "field", "辣椒栽培", NULL },
        { "phone", "+86 13703740001", NULL } }, { { NULL, NULL, NULL } } },
    { "pairing", {
        { "helper", REF1, NULL }, { "village", "411024104201", NULL },
        { "household", "FEDCBA9876543210FEDCBA9876543210", REF2 },
        { "mode", "一对多", "one_to_many" },
        /* registry (household side) */
        { "start", "2018-3-1", "2018-03-01" }, { "end", "2020-12-31", NULL } }, { { NULL, NULL, NULL } } },
    { "aid", {
        { "household", REF1, NULL }, { "kind", "种子", "seeds" }, { "item", "辣椒种子", NULL },
        { "quantity", "21", "21.00" }, { "unit", "包", NULL }, { "value", "1,010.5", "1010.50" },
        { "date", "2018-04-15", NULL }, { "giver", "许昌市科协", NULL },
        { "fund", "财政专项扶贫资金", "special" }, { "industry", "是", "yes" } }, { { NULL, NULL, NULL } } },
    { "training", {
        { "date", "2018/04/20", "2018-04-20" }, { "place", "村委会", NULL },
        { "organiser", "许昌市科协", NULL }, { "topic", "辣椒栽培技术", NULL },
        { "experts", "李专家、周专家", "周专家,李专家" }, { "trainees", "1,234", "1234" },
        { "households", REF2 "," REF1, REF1 "," REF2 }, { "leaflets", "300", NULL },
        { "village", "411024104201", NULL } }, { { NULL, NULL, NULL } } },
    { "plot", {
        { "household", REF1, NULL }, { "crop", "辣椒", NULL }, { "variety", "帅辣316", NULL },
        { "area", "3.5", "3.50" }, { "planted", "2018-5-10", "2018-05-10" },
        { "expected_per_mu", "5500", "5500.00" } }, { { NULL, NULL, NULL } } },
    { "sale", {
        { "household", REF1, NULL }, { "buyer", "及时雨种植专业合作社", NULL },
        { "floor_price", "1", "1.00" }, { "price", "0.80", NULL },
        { "quantity", "100.5", "100.50" }, { "date", "2018-09-20", NULL } },
      { { "amount", NULL, "100.50" } } },
    { "visit", {
        { "household", REF1, NULL }, { "helper", REF2, NULL }, { "date", "2018-07-03", NULL },
        { "notes", "查看辣椒长势", NULL } }, { { NULL, NULL, NULL } } },
    { "exit", {
        { "household", REF1, NULL }, { "year", "2018", NULL },
        { "income_per_capita", "4200", "4200.00" }, { "food", "yes", NULL },
        { "clothing", "是", "yes" }, { "schooling", "Yes", "yes" }, { "medical", "否", "no" },
        { "housing", "no", NULL }, { "notes", "两不愁三保障", NULL }, { "water", "是", "yes" },
        { "agreed", "yes", NULL }, { "team_checked", "否", "no" } }, { { NULL, NULL, NULL } } },
    { "approval", {
        { "record", VER1, NULL }, { "step", "县审定", "county" }, { "decision", "同意", "approve" },
        { "notes", "通过", NULL }, { "date", "2018-10-22", NULL } }, { { NULL, NULL, NULL } } },
    { "return", {
        { "household", REF1, NULL }, { "date", "2019-03-02", NULL },
        { "causes", "因病、缺资金", "funds,illness" }, { "notes", "大病返贫", NULL } }, { { NULL, NULL, NULL } } },
    { "poverty_line", {
        { "year", "２０１８", "2018" }, { "amount", "3,535", "3535.00" }, { "notes", "国家扶贫标准", NULL } },
      { { NULL, NULL, NULL } } },
    { "key", {
        { "key", KEY_UPPER, KEY_LOWER }, { "kind", "个人", "person" }, { "name", "孙书记", NULL },
        { "station", "杨树湾村", NULL }, { "region", "411024104201", NULL },
        { "role", "审核员", "supervisor" }, { "replaces", KEY_UPPER, KEY_LOWER } }, { { NULL, NULL, NULL } } },
    { "cert", {
        { "key", KEY_LOWER, NULL }, { "kind", "站点", "station" }, { "name", "杨树湾村", NULL },
        { "station", "杨树湾村", NULL }, { "region", "411024104201", NULL },
        { "role", "Office", "office" }, { "valid_from", "2018-01-01", NULL },
        { "valid_until", "2019-12-31", NULL }, { "by", KEY_LOWER, NULL }, { "by_sig", SIG_HEX, NULL } },
      { { NULL, NULL, NULL } } },
    { "revoke", {
        { "key", KEY_LOWER, NULL }, { "after_seq", "12", NULL }, { "reason", "U盘丢失", NULL },
        { "by", KEY_LOWER, NULL }, { "by_sig", SIG_HEX, NULL } },
      { { NULL, NULL, NULL } } },
    { "rollover", {
        { "new_root", KEY_LOWER, NULL }, { "reason", "科员离职", NULL }, { "new_sig", SIG_HEX, NULL },
        { "by", KEY_LOWER, NULL }, { "by_sig", SIG_HEX, NULL } },
      { { NULL, NULL, NULL } } },
    /* the village side and the exit */
    { "village_year", {
        { "village", "411024104201", NULL }, { "year", "2018", NULL }, { "population", "1,475", "1475" },
        { "rural_population", "1410", NULL }, { "registered_households", "9", NULL },
        { "registered_people", "40", NULL }, { "collective_income", "56000", "56000.00" },
        { "road", "是", "yes" }, { "water", "yes", NULL }, { "power", "yes", NULL }, { "clinic", "否", "no" },
        { "left_list", "2018", NULL }, { "notes", "演示", NULL }, { "village_year", "411024104201/2018", NULL } },
      { { NULL, NULL, NULL } } },
    { "exit_record", {
        { "household", REF1, NULL }, { "year", "2014", NULL }, { "date", "2014-12-20", NULL },
        { "reference", "鄢扶字〔2014〕12号", NULL }, { "approver", "鄢陵县扶贫办", NULL },
        { "notes", "纸质档案", NULL } }, { { NULL, NULL, NULL } } },
    { "monitor", {
        { "household", REF1, NULL }, { "name", "韩老三", NULL }, { "village", "411024104201", NULL },
        { "kind", "边缘易致贫户", "edge" }, { "found_how", "农户自主申报", "self" },
        { "risks", "因灾,因收入骤减", "disaster,income" }, { "measures", "临时救助", NULL },
        { "found_on", "2021-07-25", NULL }, { "removed_on", "2021-12-20", NULL },
        { "status", "已消除风险", "removed" } }, { { NULL, NULL, NULL } } },
    { "fork_choice", {
        { "key", KEY_LOWER, NULL }, { "seq", "7", NULL }, { "entry", KEY_LOWER, NULL },
        { "reason", "以先到者为准", NULL }, { "by", KEY_LOWER, NULL }, { "by_sig", SIG_HEX, NULL } },
      { { NULL, NULL, NULL } } },
    /* ---- registry (household side) ---- */
    { "member_change", {
        { "household", REF1, NULL }, { "member", REF2, NULL }, { "kind", "死亡", "death" },
        { "date", "2019-03-01", NULL }, { "name", "韩奶奶", NULL }, { "notes", "病故", NULL } },
      { { NULL, NULL, NULL } } },
    { "income", {
        { "household", REF1, NULL }, { "year", "2019", NULL }, { "wages", "12,000", "12000.00" },
        { "production", "8000", "8000.00" }, { "production_costs", "2500", "2500.00" },
        { "property", "300", "300.00" }, { "dibao", "1200", "1200.00" }, { "tekun", "0", "0.00" },
        { "pension", "500", "500.00" }, { "eco", "0", "0.00" }, { "other_transfers", "0", "0.00" },
        { "notes", "核实", NULL }, { "attribute", "低保贫困户", "dibao" } },
      /* 12000 + 8000 - 2500 + 300 + (1200 + 500) */
      { { "transfers", NULL, "1700.00" }, { "net", NULL, "19500.00" } } },
    { "conditions", {
        { "household", REF1, NULL }, { "year", "2019", NULL }, { "house_area", "80", "80.00" },
        { "structure", "砖混", "brick" }, { "danger_grade", "B级", "B" }, { "repaired", "2018", NULL },
        { "safe_water", "是", "yes" }, { "power", "yes", NULL }, { "road_km", "0.5", "0.50" },
        { "farmland", "5", "5.00" }, { "irrigated", "3", "3.00" }, { "forest", "2", "2.00" },
        { "returned", "1", "1.00" }, { "notes", "砖混结构", NULL } }, { { NULL, NULL, NULL } } },
    { "measure", {
        { "household", REF1, NULL }, { "category", "生态扶贫", "ecology" }, { "project", "生态护林员", NULL },
        { "amount", "1500", "1500.00" }, { "fund", "其他", "other" }, { "start", "2019-01-01", NULL },
        { "end", "2019-12-31", NULL }, { "notes", "每月 125 元", NULL } }, { { NULL, NULL, NULL } } },
    { "work_team", {
        { "village", "411024104201", NULL }, { "unit", "鄢陵县农业局", NULL }, { "leader", "韩队长", NULL },
        { "members", "韩队长、李队员", "李队员,韩队长" }, { "phones", "13800000002,13800000001", "13800000001,13800000002" },
        { "from", "2019-03-01", NULL }, { "to", "2021-02-28", NULL }, { "notes", "驻村帮扶", NULL } },
      { { NULL, NULL, NULL } } },
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

static const struct sample *sample_of(const char *type)
{
    for (size_t i = 0; i < NSAMPLES; i++)
        if (!strcmp(samples[i].type, type)) return &samples[i];
    return NULL;
}

static const struct cz_type *type_of(const char *key)
{
    const struct cz_type *t = cz_schema_type(key);
    assert_non_null(t);
    return t;
}

static const struct cz_field *field_of(const struct cz_type *t, const char *key)
{
    const struct cz_field *f = cz_schema_field(t, key);
    if (!f) fail_msg("type %s has no field %s", t->key, key);
    return f;
}

/* The sample body of a type, leaving out the field `skip` (NULL: none). */
static cz_body *sample_body(const struct sample *s, const char *skip)
{
    const struct cz_type *t = type_of(s->type);
    cz_body *b = cz_body_new();
    assert_non_null(b);
    for (const struct fv *f = s->f; f->key; f++) {
        struct cz_field_error err;
        if (skip && !strcmp(skip, f->key)) continue;
        int rc = cz_schema_set(t, b, f->key, f->in, &err);
        if (rc) fail_msg("%s.%s=%s: %s", s->type, f->key, f->in, cz_status_name(rc));
    }
    return b;
}

static void expect_format(const struct cz_type *t, const cz_body *b, const char *key, const char *want)
{
    char buf[512];
    int kind = cz_schema_format(field_of(t, key), b, CZ_LANG_EN, 0, buf, sizeof buf);
    if (!kind || strcmp(buf, want))
        fail_msg("%s.%s reads back \"%s\" (kind %d), want \"%s\"", t->key, key, buf, kind, want);
}

/* The message for err in both languages names the field by key and by the
 * label of that language; returns the English one in en. */
static void expect_message(const struct cz_type *t, const struct cz_field_error *err,
                           const char *key, char *en, size_t en_size)
{
    char zh[1024];
    const struct cz_field *f = cz_schema_field(t, key);
    cz_field_error_message(t, err, CZ_LANG_EN, en, en_size);
    cz_field_error_message(t, err, CZ_LANG_ZH, zh, sizeof zh);
    if (!strstr(en, key)) fail_msg("English message does not name %s: %s", key, en);
    if (!strstr(zh, key)) fail_msg("Chinese message does not name %s: %s", key, zh);
    if (f && !strstr(en, f->en)) fail_msg("English message lacks label %s: %s", f->en, en);
    if (f && !strstr(zh, f->zh)) fail_msg("Chinese message lacks label %s: %s", f->zh, zh);
    assert_true(strlen(en) > strlen(key) + 8);
    assert_true(strlen(zh) > strlen(key) + 8);
    assert_string_not_equal(en, zh);
}

/* Sets one field alone on a fresh body; returns the status. */
static int set_one(const char *type, const char *key, const char *value, struct cz_field_error *err)
{
    cz_body *b = cz_body_new();
    assert_non_null(b);
    int rc = cz_schema_set(type_of(type), b, key, value, err);
    if (rc) assert_int_equal(cz_body_count(b), 0);   /* a refused value leaves nothing */
    cz_body_free(b);
    return rc;
}

/* Builds type from "key=value" strings (NULL-terminated) and finishes it. */
static int build(const char *type, cz_body **out, struct cz_field_error *err, ...)
{
    const struct cz_type *t = type_of(type);
    cz_body *b = cz_body_new();
    va_list ap;
    int rc = CZ_OK;
    struct cz_assign a[32];
    char keys[32][64];
    size_t n = 0;
    assert_non_null(b);
    va_start(ap, err);
    for (const char *kv; (kv = va_arg(ap, const char *));) {
        const char *eq = strchr(kv, '=');
        assert_non_null(eq);
        assert_true(n < 32);
        snprintf(keys[n], sizeof keys[n], "%.*s", (int)(eq - kv), kv);
        a[n].field = keys[n];
        a[n].value = eq + 1;
        n++;
    }
    va_end(ap);
    /* As every caller does: all of a record's fields at once. */
    rc = cz_schema_set_many(t, b, a, n, err);
    if (rc == CZ_OK) rc = cz_schema_finish(t, b, TODAY, err);
    if (out) *out = b;
    else cz_body_free(b);
    return rc;
}

/* ---- every type: a valid body, formats back ---- */

static void test_every_type_has_a_sample(void **state)
{
    (void)state;
    size_t n;
    const struct cz_type *all = cz_schema_types(&n);
    assert_int_equal(n, NSAMPLES);
    for (size_t i = 0; i < n; i++) {
        const struct sample *s = sample_of(all[i].key);
        if (!s) fail_msg("no sample body for type %s", all[i].key);
        /* The sample gives every field that is not derived. */
        for (size_t j = 0; j < all[i].nfields; j++) {
            const struct cz_field *f = &all[i].fields[j];
            int found = 0;
            for (const struct fv *v = s->f; v->key; v++) found |= !strcmp(v->key, f->key);
            for (const struct fv *v = s->derived; v->key; v++) found |= !strcmp(v->key, f->key);
            if (!found) fail_msg("sample for %s lacks field %s", all[i].key, f->key);
        }
        /* Look-ups by key, English and Chinese label. */
        assert_ptr_equal(cz_schema_type(all[i].key), &all[i]);
        assert_ptr_equal(cz_schema_type(all[i].en), &all[i]);
        assert_ptr_equal(cz_schema_type(all[i].zh), &all[i]);
    }
    assert_null(cz_schema_type("nosuchtype"));
}

static void test_valid_bodies_build_and_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSAMPLES; i++) {
        const struct sample *s = &samples[i];
        const struct cz_type *t = type_of(s->type);
        struct cz_field_error err;
        cz_body *b = sample_body(s, NULL);
        int rc = cz_schema_finish(t, b, TODAY, &err);
        if (rc) fail_msg("%s: finish %s (field %s)", s->type, cz_status_name(rc), err.name);
        size_t nfields = 0;
        for (const struct fv *f = s->f; f->key; f++, nfields++)
            expect_format(t, b, f->key, f->canon ? f->canon : f->in);
        for (const struct fv *f = s->derived; f->key; f++, nfields++)
            expect_format(t, b, f->key, f->canon);
        assert_int_equal(cz_body_count(b), nfields);

        /* A second finish changes nothing; the body round-trips the codec. */
        cz_body *copy = cz_body_clone(b);
        assert_non_null(copy);
        assert_int_equal(cz_schema_finish(t, copy, TODAY, &err), CZ_OK);
        assert_true(cz_body_equal(b, copy));
        uint8_t *enc = NULL;
        size_t len = 0;
        cz_body *back = NULL;
        assert_int_equal(cz_body_encode(b, &enc, &len), CZ_OK);
        assert_int_equal(cz_body_decode(enc, len, &back), CZ_OK);
        assert_true(cz_body_equal(b, back));
        free(enc);
        cz_body_free(back);
        cz_body_free(copy);

        /* Setting every field again from its canonical form gives the same body. */
        cz_body *again = cz_body_new();
        for (const struct fv *f = s->f; f->key; f++)
            assert_int_equal(cz_schema_set(t, again, f->key, f->canon ? f->canon : f->in, NULL), CZ_OK);
        assert_int_equal(cz_schema_finish(t, again, TODAY, &err), CZ_OK);
        assert_true(cz_body_equal(b, again));
        cz_body_free(again);
        cz_body_free(b);
    }
}

static void test_title(void **state)
{
    (void)state;
    char buf[128];
    cz_body *b = sample_body(sample_of("household"), NULL);
    cz_schema_title(type_of("household"), b, buf, sizeof buf);
    assert_string_equal(buf, "王德明");
    cz_body_free(b);
    b = sample_body(sample_of("approval"), NULL);
    cz_schema_title(type_of("approval"), b, buf, sizeof buf);
    assert_string_equal(buf, "county");
    cz_body_free(b);
}

static void test_labels_in_format(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    cz_body *b = sample_body(sample_of("household"), NULL);
    char buf[256];
    cz_schema_format(field_of(t, "status"), b, CZ_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "In poverty");
    cz_schema_format(field_of(t, "status"), b, CZ_LANG_ZH, 1, buf, sizeof buf);
    assert_string_equal(buf, "未脱贫");
    cz_schema_format(field_of(t, "causes"), b, CZ_LANG_ZH, 1, buf, sizeof buf);
    assert_string_equal(buf, "因病,缺技术");
    cz_schema_format(field_of(t, "causes"), b, CZ_LANG_EN, 1, buf, sizeof buf);
    assert_string_equal(buf, "Illness,Lack of skills");
    /* Labels do not touch non-enum fields. */
    cz_schema_format(field_of(t, "number"), b, CZ_LANG_ZH, 1, buf, sizeof buf);
    assert_string_equal(buf, "YSW-002");
    /* Absent: "" and kind 0. */
    cz_body *empty = cz_body_new();
    strcpy(buf, "x");
    assert_int_equal(cz_schema_format(field_of(t, "status"), empty, CZ_LANG_EN, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    cz_body_free(empty);
    assert_string_equal(cz_enum_label(field_of(t, "status"), "exited", CZ_LANG_ZH), "已脱贫");
    assert_string_equal(cz_enum_label(field_of(t, "status"), "nonsense", CZ_LANG_ZH), "nonsense");
    cz_body_free(b);
}

/* ---- required fields ---- */

static void test_required_fields_missing(void **state)
{
    (void)state;
    size_t n, checked = 0;
    const struct cz_type *all = cz_schema_types(&n);
    for (size_t i = 0; i < n; i++) {
        const struct sample *s = sample_of(all[i].key);
        for (size_t j = 0; j < all[i].nfields; j++) {
            const struct cz_field *f = &all[i].fields[j];
            struct cz_field_error err;
            char en[1024];
            if (!(f->flags & CZ_FF_REQUIRED)) continue;
            cz_body *b = sample_body(s, f->key);
            int rc = cz_schema_finish(&all[i], b, TODAY, &err);
            if (rc != CZ_EEMPTY) fail_msg("%s without %s: %s", all[i].key, f->key, cz_status_name(rc));
            assert_ptr_equal(err.field, f);
            assert_string_equal(err.name, f->key);
            assert_int_equal(err.status, CZ_EEMPTY);
            assert_int_equal(err.hint, HINT_REQUIRED);
            expect_message(&all[i], &err, f->key, en, sizeof en);
            char want[96];
            snprintf(want, sizeof want, "%s=...", f->key);
            assert_non_null(strstr(en, want));
            cz_body_free(b);

            /* Typing it empty removes it: the same refusal. */
            b = sample_body(s, NULL);
            assert_int_equal(cz_schema_set(&all[i], b, f->key, "   ", &err), CZ_OK);
            assert_int_equal(cz_schema_finish(&all[i], b, TODAY, &err), CZ_EEMPTY);
            assert_ptr_equal(err.field, f);
            cz_body_free(b);
            checked++;
        }
    }
    /* place 3, household 3, member 2, helper 1, pairing 1, aid 1, training 2,
     * plot 2, sale 2, visit 2, exit 2, approval 3, return 2, poverty_line 2,
     * key 3, cert 3, revoke 1, rollover 1, fork_choice 3; registry:
     * member_change 3, income 2, conditions 2, measure 3, work_team 3;
     * village side: village_year 3, exit_record 4, monitor 4 */
    assert_int_equal(checked, 39 + 13 + 11);
}

/* ---- bad input, per field type ---- */

struct bad { const char *type, *field, *value; int status; enum cz_hint hint; };

static const struct bad bads[] = {
    /* LINE / TEXT: control characters, invalid UTF-8 */
    { "household", "head", "王\x01德明", CZ_ECONTROL, HINT_TEXT },
    { "household", "head", "\xff\xfe", CZ_EUTF8, HINT_TEXT },
    { "household", "notes", "a\x07" "b", CZ_ECONTROL, HINT_TEXT },
    /* INT */
    { "training", "trainees", "abc", CZ_ENUMBER, HINT_INT },
    { "training", "trainees", "-3", CZ_ERANGE, HINT_INT },
    { "training", "leaflets", "1.5", CZ_ENUMBER, HINT_INT },
    { "training", "leaflets", "12,34", CZ_ENUMBER, HINT_INT },
    { "revoke", "after_seq", "x", CZ_ENUMBER, HINT_INT },
    /* YEAR */
    { "household", "identified", "1948", CZ_ERANGE, HINT_YEAR },
    { "household", "identified", "2200", CZ_ERANGE, HINT_YEAR },
    { "household", "identified", "20x6", CZ_ENUMBER, HINT_YEAR },
    { "exit", "year", "18", CZ_ERANGE, HINT_YEAR },
    /* MONEY */
    { "aid", "value", "1.234", CZ_ENUMBER, HINT_MONEY },
    { "aid", "value", "-5", CZ_ERANGE, HINT_MONEY },
    { "aid", "value", "2000元", CZ_ENUMBER, HINT_MONEY },
    { "aid", "value", "5.", CZ_ENUMBER, HINT_MONEY },
    { "sale", "price", "abc", CZ_ENUMBER, HINT_MONEY },
    { "exit", "income_per_capita", "1,00", CZ_ENUMBER, HINT_MONEY },
    /* AREA / DECIMAL */
    { "plot", "area", "1.234", CZ_ENUMBER, HINT_DECIMAL },
    { "plot", "area", "3亩", CZ_ENUMBER, HINT_DECIMAL },
    { "sale", "quantity", "-1", CZ_ERANGE, HINT_DECIMAL },
    { "aid", "quantity", "二十", CZ_ENUMBER, HINT_DECIMAL },
    /* DATE */
    { "aid", "date", "2015-02-29", CZ_EDATE, HINT_DATE },
    { "aid", "date", "2016-13-01", CZ_EDATE, HINT_DATE },
    { "aid", "date", "2016-03/05", CZ_EDATE, HINT_DATE },
    { "training", "date", "20160305", CZ_EDATE, HINT_DATE },
    { "household", "exited_on", "1899-12-31", CZ_EDATE, HINT_DATE },
    { "visit", "date", "yesterday", CZ_EDATE, HINT_DATE },
    /* ENUM */
    { "household", "status", "rich", CZ_EFIELD, HINT_ENUM },
    { "household", "primary_cause", "因穷", CZ_EFIELD, HINT_ENUM },
    { "member", "relation", "cousin", CZ_EFIELD, HINT_ENUM },
    { "aid", "fund", "private", CZ_EFIELD, HINT_ENUM },
    { "approval", "step", "city", CZ_EFIELD, HINT_ENUM },
    /* SET */
    { "household", "causes", "因病,坏原因", CZ_EFIELD, HINT_ENUM },
    { "household", "causes", "illness,laziness", CZ_EFIELD, HINT_ENUM },
    /* REF / VERSION / KEY */
    { "member", "household", "0123", CZ_EFIELD, HINT_REF },
    { "member", "household", "0123456789abcdef0123456789abcdeg", CZ_EFIELD, HINT_REF },
    { "approval", "record", REF1, CZ_EFIELD, HINT_REF },
    { "cert", "key", REF1, CZ_EFIELD, HINT_KEY },
    /* IDNUM */
    { "member", "id_number", "110105194912310021", CZ_EIDNUM, HINT_ID_CHECK },
    { "member", "id_number", "11010519491231002", CZ_EIDNUM, HINT_ID_LENGTH },
    { "member", "id_number", "1101051949123100A2", CZ_EIDNUM, HINT_ID_CHARS },
    { "member", "id_number", "110105194902300023", CZ_EIDNUM, HINT_ID_DATE },
    /* PHONE */
    { "household", "phone", "138abc", CZ_EFIELD, HINT_PHONE },
    { "household", "phone", "1234", CZ_EFIELD, HINT_PHONE },
    { "helper", "phone", "13703740001#2", CZ_EFIELD, HINT_PHONE },
    /* PLACE */
    { "household", "village", "4", CZ_EFIELD, HINT_PLACE },
    { "household", "village", "4110241042011", CZ_EFIELD, HINT_PLACE },
    { "household", "village", "41a0", CZ_EFIELD, HINT_PLACE },
    { "place", "code", "4110-24", CZ_EFIELD, HINT_PLACE },
    { "training", "village", "杨树湾", CZ_EFIELD, HINT_PLACE },
};

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *x = &bads[i];
        const struct cz_type *t = type_of(x->type);
        struct cz_field_error err;
        char en[1024];
        memset(&err, 0x55, sizeof err);
        int rc = set_one(x->type, x->field, x->value, &err);
        if (rc != x->status)
            fail_msg("%s.%s=%s: got %s, want %s", x->type, x->field, x->value, cz_status_name(rc),
                     cz_status_name(x->status));
        assert_ptr_equal(err.field, field_of(t, x->field));
        assert_string_equal(err.name, x->field);
        assert_int_equal(err.status, x->status);
        if (err.hint != x->hint)
            fail_msg("%s.%s=%s: hint %d, want %d", x->type, x->field, x->value, err.hint, x->hint);
        expect_message(t, &err, x->field, en, sizeof en);
        /* A NULL err is fine too. */
        assert_int_equal(set_one(x->type, x->field, x->value, NULL), x->status);
    }
}

static void test_message_texts(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    struct cz_field_error err;
    char en[1024], zh[1024];

    /* An enum's message lists its values with labels in the language. */
    assert_int_equal(set_one("household", "status", "rich", &err), CZ_EFIELD);
    cz_field_error_message(t, &err, CZ_LANG_EN, en, sizeof en);
    cz_field_error_message(t, &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_string_equal(en, "field status (Status) must be one of: poor (In poverty), exited (Exited), "
                            "returned (Returned to poverty), exited_paper (Exited (paper record))");
    assert_string_equal(zh, "字段 status（贫困状态）必须是以下之一：poor (未脱贫), exited (已脱贫), returned (返贫), "
                            "exited_paper (已脱贫（纸质档案）)");

    /* The hint alone (a screen shows it under the field's label): no key. */
    assert_int_equal(set_one("member", "id_number", "41102419800101001X", &err), CZ_EIDNUM);
    cz_field_error_hint(type_of("member"), &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_string_equal(zh, "校验位不对：有数字输错了；请对照身份证重新输入");
    cz_field_error_message(type_of("member"), &err, CZ_LANG_ZH, en, sizeof en);
    assert_non_null(strstr(en, zh));   /* the command line's message ends with the same hint */
    cz_field_error_hint(type_of("member"), &err, CZ_LANG_EN, en, sizeof en);
    assert_null(strstr(en, "id_number"));

    assert_int_equal(set_one("aid", "value", "1.234", &err), CZ_ENUMBER);
    cz_field_error_message(type_of("aid"), &err, CZ_LANG_EN, en, sizeof en);
    assert_string_equal(en, "field value (Value (yuan)) must be yuan with at most two decimals, e.g. 2000 or 1.50");
    cz_field_error_message(type_of("aid"), &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_string_equal(zh, "字段 value（价值(元)）必须是金额（元），最多两位小数，例如 2000 或 1.50");

    assert_int_equal(set_one("aid", "date", "2015-02-29", &err), CZ_EDATE);
    cz_field_error_message(type_of("aid"), &err, CZ_LANG_EN, en, sizeof en);
    assert_string_equal(en, "field date (Date) must be a date as YYYY-MM-DD, e.g. 2016-03-05");

    assert_int_equal(set_one("member", "id_number", "110105194912310021", &err), CZ_EIDNUM);
    cz_field_error_message(type_of("member"), &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_non_null(strstr(zh, "校验位不对"));
    assert_non_null(strstr(zh, "身份证号"));

    /* A small buffer truncates, still NUL-terminated. */
    char small[12];
    cz_field_error_message(t, &err, CZ_LANG_EN, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_unknown_field(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    struct cz_field_error err;
    char en[512], zh[512];
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set(t, b, "bogus", "1", &err), CZ_EFIELD);
    assert_null(err.field);
    assert_string_equal(err.name, "bogus");
    assert_int_equal(err.hint, HINT_UNKNOWN_FIELD);
    assert_int_equal(cz_body_count(b), 0);
    cz_field_error_message(t, &err, CZ_LANG_EN, en, sizeof en);
    cz_field_error_message(t, &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_string_equal(en, "field bogus: no such field: `cunzhan fields household` lists them");
    assert_non_null(strstr(zh, "bogus"));
    assert_non_null(strstr(zh, "cunzhan fields household"));
    /* A field of another type is unknown here. */
    assert_int_equal(cz_schema_set(t, b, "id_number", "11010519491231002X", &err), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_UNKNOWN_FIELD);
    /* Fields by key, English label (any case) and Chinese label. */
    assert_int_equal(cz_schema_set(t, b, "户编号", "A-1", &err), CZ_OK);
    assert_int_equal(cz_schema_set(t, b, "head of household", "王五", &err), CZ_OK);
    assert_int_equal(cz_schema_set(t, b, "village", "4110", &err), CZ_OK);
    assert_int_equal(cz_schema_finish(t, b, TODAY, &err), CZ_OK);
    expect_format(t, b, "number", "A-1");
    expect_format(t, b, "head", "王五");
    cz_body_free(b);
}

/* ---- enums and sets ---- */

static void test_enum_by_key_and_labels(void **state)
{
    (void)state;
    static const char *const typed[] = { "poor", "In poverty", "in POVERTY", "未脱贫", " 未脱贫 " };
    const struct cz_type *t = type_of("household");
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        cz_body *b = cz_body_new();
        assert_int_equal(cz_schema_set(t, b, "status", typed[i], NULL), CZ_OK);
        expect_format(t, b, "status", "poor");
        cz_body_free(b);
    }
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set(t, b, "status", "已脱贫", NULL), CZ_OK);
    expect_format(t, b, "status", "exited");
    assert_int_equal(cz_schema_set(t, b, "status", "返贫", NULL), CZ_OK);
    expect_format(t, b, "status", "returned");
    /* An empty value removes the field. */
    assert_int_equal(cz_schema_set(t, b, "status", "", NULL), CZ_OK);
    assert_int_equal(cz_body_count(b), 0);
    cz_body_free(b);
    /* Keys are case-sensitive (only English labels fold case). */
    assert_int_equal(set_one("household", "status", "POOR", NULL), CZ_EFIELD);
    /* Full-width input is normalised before the look-up. */
    b = cz_body_new();
    assert_int_equal(cz_schema_set(type_of("member"), b, "relation", "ｓｐｏｕｓｅ", NULL), CZ_OK);
    expect_format(type_of("member"), b, "relation", "spouse");
    cz_body_free(b);
}

static void test_sets(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    cz_body *b = cz_body_new();
    size_t n;
    assert_int_equal(cz_schema_set(t, b, "causes", "因病,缺技术", NULL), CZ_OK);
    expect_format(t, b, "causes", "illness,skills");
    /* The comma an input method gives is full-width. */
    assert_int_equal(cz_schema_set(t, b, "causes", "缺技术，因病", NULL), CZ_OK);
    expect_format(t, b, "causes", "illness,skills");
    /* Sorted by key whatever order typed; duplicates merged; 、 and full-width commas split. */
    assert_int_equal(cz_schema_set(t, b, "causes", "缺劳动力、缺资金，因病,illness, Lack of funds", NULL), CZ_OK);
    expect_format(t, b, "causes", "funds,illness,labour");
    assert_int_equal(cz_body_get_list_count(b, field_of(t, "causes")->tag, &n), CZ_OK);
    assert_int_equal(n, 3);
    /* Empty items are ignored; nothing at all removes the field. */
    assert_int_equal(cz_schema_set(t, b, "causes", ",,因学,,", NULL), CZ_OK);
    expect_format(t, b, "causes", "schooling");
    assert_int_equal(cz_schema_set(t, b, "causes", " , ", NULL), CZ_OK);
    assert_int_equal(cz_body_kind(b, field_of(t, "causes")->tag), 0);
    /* A bad item refuses the whole value and keeps what was there. */
    assert_int_equal(cz_schema_set(t, b, "causes", "因病", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(t, b, "causes", "因病,缺钱", NULL), CZ_EFIELD);
    expect_format(t, b, "causes", "illness");
    cz_body_free(b);

    /* A free list keeps items as typed, sorted bytewise. */
    b = cz_body_new();
    assert_int_equal(cz_schema_set(type_of("training"), b, "experts", "b, a ,c", NULL), CZ_OK);
    expect_format(type_of("training"), b, "experts", "a,b,c");
    cz_body_free(b);
}

static void test_primary_cause(void **state)
{
    (void)state;
    struct cz_field_error err;
    cz_body *b = NULL;
    char en[512];
    const struct cz_type *t = type_of("household");

    /* Not among the causes: refused, naming primary_cause. */
    assert_int_equal(build("household", NULL, &err, "number=1", "village=4110", "head=甲",
                           "causes=因病,缺技术", "primary_cause=因残", NULL), CZ_EFIELD);
    assert_ptr_equal(err.field, field_of(t, "primary_cause"));
    assert_int_equal(err.hint, HINT_PRIMARY_CAUSE);
    expect_message(t, &err, "primary_cause", en, sizeof en);
    assert_non_null(strstr(en, "one of the household's causes"));

    /* Among them: fine. */
    assert_int_equal(build("household", &b, &err, "number=1", "village=4110", "head=甲",
                           "causes=因病,缺技术", "primary_cause=缺技术", NULL), CZ_OK);
    expect_format(t, b, "causes", "illness,skills");
    expect_format(t, b, "primary_cause", "skills");
    cz_body_free(b);

    /* Alone, it implies the causes. */
    assert_int_equal(build("household", &b, &err, "number=1", "village=4110", "head=甲",
                           "primary_cause=因学", NULL), CZ_OK);
    expect_format(t, b, "causes", "schooling");
    expect_format(t, b, "primary_cause", "schooling");
    cz_body_free(b);

    /* Causes without a primary cause: fine. */
    assert_int_equal(build("household", &b, &err, "number=1", "village=4110", "head=甲",
                           "causes=缺资金", NULL), CZ_OK);
    assert_int_equal(cz_body_kind(b, field_of(t, "primary_cause")->tag), 0);
    cz_body_free(b);
}

/* ---- numbers, dates, places, phones ---- */

static void test_money_and_decimals(void **state)
{
    (void)state;
    static const struct { const char *in; int64_t fen; const char *out; } cases[] = {
        { "2000", 200000, "2000.00" }, { "1.5", 150, "1.50" }, { "0.05", 5, "0.05" },
        { "1,234.50", 123450, "1234.50" }, { "２０００", 200000, "2000.00" }, { "0", 0, "0.00" },
        { " 12.3 ", 1230, "12.30" },
    };
    const struct cz_type *t = type_of("aid");
    const struct cz_field *f = field_of(t, "value");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cz_body *b = cz_body_new();
        int64_t v = -1;
        assert_int_equal(cz_schema_set(t, b, "value", cases[i].in, NULL), CZ_OK);
        assert_int_equal(cz_body_get_sint(b, f->tag, &v), CZ_OK);
        assert_int_equal(v, cases[i].fen);
        expect_format(t, b, "value", cases[i].out);
        cz_body_free(b);
    }
    assert_int_equal(set_one("aid", "value", "1.234", NULL), CZ_ENUMBER);
    /* Areas are hundredths of a mu. */
    cz_body *b = cz_body_new();
    int64_t v;
    assert_int_equal(cz_schema_set(type_of("plot"), b, "area", "2.25", NULL), CZ_OK);
    assert_int_equal(cz_body_get_sint(b, field_of(type_of("plot"), "area")->tag, &v), CZ_OK);
    assert_int_equal(v, 225);
    /* Whole numbers and years are plain integers. */
    assert_int_equal(cz_schema_set(type_of("plot"), b, "area", "", NULL), CZ_OK);
    cz_body_free(b);
    b = cz_body_new();
    assert_int_equal(cz_schema_set(type_of("household"), b, "identified", "1949", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(type_of("household"), b, "identified", "2199", NULL), CZ_OK);
    expect_format(type_of("household"), b, "identified", "2199");
    cz_body_free(b);
}

static void test_dates(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } ok[] = {
        { "2016-03-05", "2016-03-05" }, { "2016年3月5日", "2016-03-05" }, { "2016/3/5", "2016-03-05" },
        { "２０１６－０３－０５", "2016-03-05" }, { "2016-02-29", "2016-02-29" }, { "2000-02-29", "2000-02-29" },
    };
    const struct cz_type *t = type_of("visit");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cz_body *b = cz_body_new();
        if (cz_schema_set(t, b, "date", ok[i].in, NULL) != CZ_OK) fail_msg("date %s refused", ok[i].in);
        expect_format(t, b, "date", ok[i].out);
        cz_body_free(b);
    }
    static const char *const bad[] = { "2015-02-29", "1900-02-29", "2016-04-31", "2016-00-10", "2016年3月5",
                                       "16-03-05", "2016-03-05x", "2200-01-01" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (set_one("visit", "date", bad[i], NULL) != CZ_EDATE) fail_msg("date %s accepted", bad[i]);
    /* Stored as YYYYMMDD. */
    cz_body *b = cz_body_new();
    uint64_t u = 0;
    assert_int_equal(cz_schema_set(t, b, "date", "2016年3月5日", NULL), CZ_OK);
    assert_int_equal(cz_body_get_uint(b, field_of(t, "date")->tag, &u), CZ_OK);
    assert_int_equal(u, 20160305);
    cz_body_free(b);
}

static void test_places_and_phones(void **state)
{
    (void)state;
    static const char *const places_ok[] = { "41", "4110", "411024", "411024104201" };
    for (size_t i = 0; i < sizeof places_ok / sizeof places_ok[0]; i++)
        assert_int_equal(set_one("household", "village", places_ok[i], NULL), CZ_OK);
    assert_int_equal(set_one("household", "village", "４１１０２４", NULL), CZ_OK);
    static const char *const places_bad[] = { "4", "4110241042011", "41 10", "-411", "4110.24" };
    for (size_t i = 0; i < sizeof places_bad / sizeof places_bad[0]; i++)
        assert_int_equal(set_one("household", "village", places_bad[i], NULL), CZ_EFIELD);

    static const char *const phones_ok[] = { "13800000000", "0374-1234567", "+86 138 0000 0000", "12345" };
    for (size_t i = 0; i < sizeof phones_ok / sizeof phones_ok[0]; i++)
        assert_int_equal(set_one("household", "phone", phones_ok[i], NULL), CZ_OK);
    static const char *const phones_bad[] = { "1234", "138-0000-000x", "123456789012345678901", "电话13800000000" };
    for (size_t i = 0; i < sizeof phones_bad / sizeof phones_bad[0]; i++)
        assert_int_equal(set_one("household", "phone", phones_bad[i], NULL), CZ_EFIELD);
    /* Full-width digits are normalised. */
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set(type_of("household"), b, "phone", "１３８００００００００", NULL), CZ_OK);
    expect_format(type_of("household"), b, "phone", "13800000000");
    cz_body_free(b);
}

static void test_full_width_normalised(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    cz_body *b = cz_body_new();
    assert_int_equal(cz_schema_set(t, b, "number", "ＹＳＷ－００２", NULL), CZ_OK);
    expect_format(t, b, "number", "YSW-002");
    /* Ideographic spaces and runs of white space become one space in a line. */
    assert_int_equal(cz_schema_set(t, b, "head", "　王　　德明\t", NULL), CZ_OK);
    expect_format(t, b, "head", "王 德明");
    /* Free text keeps its line breaks. */
    assert_int_equal(cz_schema_set(t, b, "notes", "一\n二", NULL), CZ_OK);
    expect_format(t, b, "notes", "一\n二");
    /* A REF typed in upper case is the same id. */
    cz_body *m = cz_body_new();
    assert_int_equal(cz_schema_set(type_of("member"), m, "household", "０１２３４５６７８９ＡＢＣＤＥＦ0123456789ABCDEF",
                                   NULL), CZ_OK);
    expect_format(type_of("member"), m, "household", REF1);
    cz_body_free(m);
    cz_body_free(b);
}

/* What a Chinese input method gives, in every kind of field: full-width
 * digits and letters, and the punctuation ，；： (U+FF0C, U+FF1B, U+FF1A).
 * Codes, numbers and ID numbers are folded (NFKC); prose is kept as
 * typed (cz_schema_folds). */
struct typed { const char *type, *key, *in, *want; int folds; };
static const struct typed typed_kinds[] = {
    /* prose: line, text, list */
    { "household", "head", "王德明，户主", "王德明，户主", 0 },
    { "household", "address", "南坞镇：杨树湾村；３组", "南坞镇：杨树湾村；３组", 0 },
    { "training", "topic", "辣椒栽培：育苗；移栽，管理", "辣椒栽培：育苗；移栽，管理", 0 },
    { "training", "place", "村委会（２楼）", "村委会（２楼）", 0 },
    { "household", "notes", "第一次走访：缺资金；\n第二次：已落实，ＯＫ", "第一次走访：缺资金；\n第二次：已落实，ＯＫ", 0 },
    { "visit", "notes", "查看长势；指导：防治", "查看长势；指导：防治", 0 },
    /* a list of names splits on the full-width comma and keeps each name */
    { "training", "experts", "周专家（ＡＢ）；组长，李专家：副", "周专家（ＡＢ）；组长,李专家：副", 0 },
    /* codes: a line flagged CZ_FF_CODE, a list of ids */
    { "household", "number", "ＹＳＷ－２０１６：０１", "YSW-2016:01", 1 },
    { "training", "households", "０１２３４５６７８９ａｂｃｄｅｆ，ｆｅｄｃｂａ", "0123456789abcdef,fedcba", 1 },
    /* numbers */
    { "training", "trainees", "４５", "45", 1 },
    { "household", "identified", "２０１６", "2016", 1 },
    { "aid", "value", "１２．５０", "12.50", 1 },
    { "plot", "area", "３．５", "3.50", 1 },
    { "sale", "quantity", "１００．５", "100.50", 1 },
    { "aid", "date", "２０１８－０５－１０", "2018-05-10", 1 },
    /* ID number, phone, place */
    { "member", "id_number", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", 1 },
    { "household", "phone", "１３９０３７４１１０１", "13903741101", 1 },
    { "household", "village", "４１１０２４１０４２０１", "411024104201", 1 },
    /* enums and sets by full-width key, split by the full-width comma */
    { "household", "status", "ｐｏｏｒ", "poor", 1 },
    { "household", "causes", "因病，ｆｕｎｄｓ；", NULL, 1 },
    { "household", "causes", "因病，ｆｕｎｄｓ", "funds,illness", 1 },
    /* ids and keys */
    { "member", "household", "０１２３４５６７８９ａｂｃｄｅｆ0123456789abcdef", REF1, 1 },
    { "cert", "by_sig", "ＡＢ" SIG_HEX, "AB" SIG_HEX, 1 },
    { "approval", "record", "００１１２２３３４４５５６６７７８８９９ａａｂｂｃｃｄｄｅｅｆｆ００１１２２３３４４５５６６７７８８９９ａａｂｂｃｃｄｄｅｅｆｆ", VER1, 1 },
    { "cert", "key", "Ａ０Ｂ１Ｃ２Ｄ３Ｅ４Ｆ５０６１７２８３９４Ａ５Ｂ６Ｃ７Ｄ８Ｅ９ＦＡ０Ｂ１Ｃ２Ｄ３Ｅ４Ｆ５０６１７２８３９４Ａ５Ｂ６Ｃ７Ｄ８Ｅ９Ｆ", KEY_LOWER, 1 },
};

static void test_prose_kept_codes_folded(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof typed_kinds / sizeof typed_kinds[0]; i++) {
        const struct typed *k = &typed_kinds[i];
        const struct cz_type *t = type_of(k->type);
        cz_body *b = cz_body_new();
        struct cz_field_error err;
        assert_int_equal(cz_schema_folds(field_of(t, k->key)), k->folds);
        int rc = cz_schema_set(t, b, k->key, k->in, &err);
        if (!k->want) {
            /* "funds；" is no cause: the ； is not a separator to fold away */
            assert_int_equal(rc, CZ_EFIELD);
        } else {
            if (rc) fail_msg("%s.%s = %s: %s", k->type, k->key, k->in, cz_status_name(rc));
            expect_format(t, b, k->key, k->want);
            /* What is stored passes the codec's canonical check. */
            uint8_t *raw = NULL;
            size_t len = 0;
            cz_body *back = NULL;
            assert_int_equal(cz_body_encode(b, &raw, &len), CZ_OK);
            assert_int_equal(cz_body_decode(raw, len, &back), CZ_OK);
            cz_body_free(back);
            free(raw);
        }
        cz_body_free(b);
    }
}

/* Bodies an earlier build stored with prose folded (,;: for ，；：) are
 * still canonical: the codec asks NFC, which folded text is.  Both forms
 * decode, and neither is rewritten on the way. */
static void test_folded_prose_still_canonical(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("household");
    static const char *const texts[] = { "南坞镇,杨树湾村:3组;东", "南坞镇，杨树湾村：３组；东" };
    for (size_t i = 0; i < 2; i++) {
        cz_body *b = cz_body_new(), *back = NULL;
        uint8_t *raw = NULL;
        size_t len = 0;
        const char *s;
        size_t slen;
        assert_int_equal(cz_body_set_text(b, field_of(t, "address")->tag, texts[i], strlen(texts[i])), CZ_OK);
        assert_int_equal(cz_body_encode(b, &raw, &len), CZ_OK);
        assert_int_equal(cz_body_decode(raw, len, &back), CZ_OK);
        assert_int_equal(cz_body_get_text(back, field_of(t, "address")->tag, &s, &slen), CZ_OK);
        assert_string_equal(s, texts[i]);
        cz_body_free(back);
        cz_body_free(b);
        free(raw);
    }
}

/* ---- ID numbers and what they imply ---- */

static void test_id_numbers(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("member");
    struct cz_field_error err;
    cz_body *b = NULL;

    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=甲", "id_number=11010519491231002X", NULL),
                     CZ_OK);
    expect_format(t, b, "id_number", "11010519491231002X");
    expect_format(t, b, "sex", "F");
    expect_format(t, b, "born", "1949-12-31");
    cz_body_free(b);

    /* Lower-case x and full-width digits are canonicalised. */
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=甲", "id_number=１１０１０５１９４９１２３１００２ｘ",
                           NULL), CZ_OK);
    expect_format(t, b, "id_number", "11010519491231002X");
    cz_body_free(b);

    /* A man: odd sequence. */
    char id[19];
    memcpy(id, "41102419800210011", 17);
    id[17] = cz_idnum_check_char(id);
    id[18] = 0;
    char kv[64];
    snprintf(kv, sizeof kv, "id_number=%s", id);
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=乙", kv, NULL), CZ_OK);
    expect_format(t, b, "sex", "M");
    expect_format(t, b, "born", "1980-02-10");
    cz_body_free(b);

    /* A wrong check character. */
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=甲", "id_number=110105194912310021", NULL),
                     CZ_EIDNUM);
    assert_ptr_equal(err.field, field_of(t, "id_number"));
    assert_int_equal(err.hint, HINT_ID_CHECK);

    /* A birth date after today is caught when finishing. */
    memcpy(id, "41102420250101002", 17);
    id[17] = cz_idnum_check_char(id);
    snprintf(kv, sizeof kv, "id_number=%s", id);
    assert_int_equal(set_one("member", "id_number", id, NULL), CZ_OK);
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=丙", kv, NULL), CZ_EIDNUM);
    assert_ptr_equal(err.field, field_of(t, "id_number"));
    assert_int_equal(err.hint, HINT_ID_DATE);

    /* Without an ID number, sex and birth date may be typed. */
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=丁", "sex=男", "born=1960-01-01", NULL), CZ_OK);
    expect_format(t, b, "sex", "M");
    expect_format(t, b, "born", "1960-01-01");
    cz_body_free(b);
}

static void test_sex_contradicting_id(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("member");
    struct cz_field_error err;
    char en[512], zh[512];
    cz_body *b = NULL;

    /* Typed after the ID number: refused, naming sex and saying what the ID says. */
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=甲", "id_number=11010519491231002X",
                           "sex=男", NULL), CZ_EFIELD);
    assert_ptr_equal(err.field, field_of(t, "sex"));
    assert_int_equal(err.hint, HINT_DERIVED_MISMATCH);
    assert_string_equal(err.detail, "F");
    expect_message(t, &err, "sex", en, sizeof en);
    cz_field_error_message(t, &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_string_equal(en, "field sex (Sex) does not match the ID number (F); correct one of them");
    assert_non_null(strstr(zh, "与身份证号不符"));

    /* A birth date that contradicts it likewise. */
    assert_int_equal(build("member", NULL, &err, "household=" REF1, "name=甲", "id_number=11010519491231002X",
                           "born=1950-01-01", NULL), CZ_EFIELD);
    assert_ptr_equal(err.field, field_of(t, "born"));
    assert_string_equal(err.detail, "1949-12-31");

    /* Agreeing values are fine. */
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=甲", "id_number=11010519491231002X",
                           "sex=女", "born=1949-12-31", NULL), CZ_OK);
    expect_format(t, b, "sex", "F");
    cz_body_free(b);

    /* A new ID number on an existing body (an edit) re-derives both. */
    assert_int_equal(build("member", &b, &err, "household=" REF1, "name=甲", "id_number=11010519491231002X", NULL),
                     CZ_OK);
    char id[19];
    memcpy(id, "41102419800210011", 17);
    id[17] = cz_idnum_check_char(id);
    id[18] = 0;
    assert_int_equal(cz_schema_set(t, b, "id_number", id, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(t, b, TODAY, &err), CZ_OK);
    expect_format(t, b, "sex", "M");
    expect_format(t, b, "born", "1980-02-10");
    cz_body_free(b);
}

/* A sex typed BEFORE the ID number that contradicts it is refused, not
 * silently replaced: sources of derived values are applied first. */
static void test_sex_contradicting_id_typed_first(void **state)
{
    (void)state;
    struct cz_field_error err;
    cz_body *b = NULL;
    int rc = build("member", &b, &err, "household=" REF1, "name=甲", "sex=男", "id_number=11010519491231002X", NULL);
    assert_int_equal(rc, CZ_EFIELD);
    assert_ptr_equal(err.field, field_of(type_of("member"), "sex"));
    cz_body_free(b);
}

/* ---- a sale's amount ---- */

static int64_t amount_of(const cz_body *b)
{
    int64_t v = -1;
    assert_int_equal(cz_body_get_sint(b, field_of(type_of("sale"), "amount")->tag, &v), CZ_OK);
    return v;
}

static void test_sale_amount(void **state)
{
    (void)state;
    const struct cz_type *t = type_of("sale");
    struct cz_field_error err;
    char en[512], zh[512];
    cz_body *b = NULL;

    /* The amount a sale stores, from what is typed (household and buyer
     * besides); want -1: no amount is stored at all. */
    static const struct { const char *what, *kv[4]; int64_t want; const char *shown; } cases[] = {
        { "below the floor: paid at the floor price",
          { "floor_price=1", "price=0.80", "quantity=100.5" }, 10050, "100.50" },
        { "above the floor: at the price", { "floor_price=1", "price=1.20", "quantity=2000" }, 240000, NULL },
        /* Rounded half up to the fen: 0.5 jin at 0.01 yuan is 0.005 -> 0.01;
         * 0.49 jin -> 0.0049 -> 0.00; 3.33 jin at 1.55 = 5.1615 -> 5.16. */
        { "half a fen rounds up", { "price=0.01", "quantity=0.5" }, 1, NULL },
        { "under half a fen rounds down", { "price=0.01", "quantity=0.49" }, 0, NULL },
        { "3.33 at 1.55", { "price=1.55", "quantity=3.33" }, 516, NULL },
        { "only a floor price: paid at the floor", { "floor_price=1", "quantity=10" }, 1000, NULL },
        /* No price at all: a typed amount stands; none is derived without it. */
        { "no price, a typed amount stands", { "quantity=10", "amount=12" }, 1200, NULL },
        { "no price, none derived", { "quantity=10" }, -1, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *kv = cases[i].kv;
        tk_assert_int(cases[i].what, build("sale", &b, &err, "household=" REF1, "buyer=合作社", kv[0], kv[1], kv[2],
                                           kv[3], NULL), CZ_OK);
        if (cases[i].want < 0)
            tk_assert_int(cases[i].what, cz_body_kind(b, field_of(t, "amount")->tag), 0);
        else
            tk_assert_int(cases[i].what, amount_of(b), cases[i].want);
        if (cases[i].shown) expect_format(t, b, "amount", cases[i].shown);
        cz_body_free(b);
    }

    /* A typed amount that contradicts: refused, saying the right one. */
    assert_int_equal(build("sale", NULL, &err, "household=" REF1, "buyer=合作社", "floor_price=1", "price=1.5",
                           "quantity=10", "amount=99", NULL), CZ_EFIELD);
    assert_ptr_equal(err.field, field_of(t, "amount"));
    assert_int_equal(err.hint, HINT_DERIVED_AMOUNT);
    assert_string_equal(err.detail, "15.00");
    expect_message(t, &err, "amount", en, sizeof en);
    assert_non_null(strstr(en, "15.00"));
    cz_field_error_message(t, &err, CZ_LANG_ZH, zh, sizeof zh);
    assert_non_null(strstr(zh, "15.00"));
    /* One that agrees is fine. */
    assert_int_equal(build("sale", &b, &err, "household=" REF1, "buyer=合作社", "floor_price=1", "price=1.5",
                           "quantity=10", "amount=15", NULL), CZ_OK);
    assert_int_equal(amount_of(b), 1500);

    /* An edit of the price re-derives the stored amount. */
    assert_int_equal(cz_schema_set(t, b, "price", "2", &err), CZ_OK);
    assert_int_equal(cz_schema_finish(t, b, TODAY, &err), CZ_OK);
    assert_int_equal(amount_of(b), 2000);
    cz_body_free(b);
}

/* An amount typed BEFORE quantity and price that contradicts them is
 * refused, whatever the order. */
static void test_sale_amount_typed_first(void **state)
{
    (void)state;
    struct cz_field_error err;
    cz_body *b = NULL;
    int rc = build("sale", &b, &err, "household=" REF1, "buyer=合作社", "amount=99", "floor_price=1", "price=1.5",
                   "quantity=10", NULL);
    assert_int_equal(rc, CZ_EFIELD);
    cz_body_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type_has_a_sample),
        cmocka_unit_test(test_valid_bodies_build_and_format),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_labels_in_format),
        cmocka_unit_test(test_required_fields_missing),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_message_texts),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_enum_by_key_and_labels),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_primary_cause),
        cmocka_unit_test(test_money_and_decimals),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_places_and_phones),
        cmocka_unit_test(test_full_width_normalised),
        cmocka_unit_test(test_prose_kept_codes_folded),
        cmocka_unit_test(test_folded_prose_still_canonical),
        cmocka_unit_test(test_id_numbers),
        cmocka_unit_test(test_sex_contradicting_id),
        cmocka_unit_test(test_sex_contradicting_id_typed_first),
        cmocka_unit_test(test_sale_amount),
        cmocka_unit_test(test_sale_amount_typed_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
