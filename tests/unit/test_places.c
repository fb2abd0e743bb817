/* test_places.c — places are real (DOMAIN.md, "Places and regions"): the
 * village a person types names a place, and a region filter names a
 * place or contains one.  Real stations in mkdtemp folders (testkit.h).
 *
 *   office (region "", no places at first) and 杨树湾村's station
 *   (region V1, its person pending), as tk_pair_init makes them;
 *   places written at the office as each test needs them.
 *
 * The rules: at the office a household's, pairing's or training's village
 * must name a place record (written as GB/T 2260 writes it or not: 4110
 * and 411000 are one city); a village station takes its own village
 * before any place has reached it, and no other code; a bundle is judged
 * by the trust rules only (a household may arrive before its place);
 * `report --region` takes a whole level that names or holds a place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "overview.h"
#include "region.h"
#include "report.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411024104201"    /* 杨树湾村 */
#define PASS "correct horse"

static struct tk_pair P;

static int setup(void **state)
{
    (void)state;
    return tk_pair_init(&P, "places", "许昌市科协", V1, PASS) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    tk_pair_free(&P);
    return 0;
}

/* add(st, err, type, "field=value", ..., NULL): the status of adding it. */
static int add(cz_station *st, struct cz_field_error *err, const char *type, ...)
{
    struct cz_assign a[16];
    char kv[16][128];
    size_t n = 0;
    uint8_t ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    va_list ap;
    va_start(ap, type);
    for (const char *s; (s = va_arg(ap, const char *)) && n < 16; n++) {
        snprintf(kv[n], sizeof kv[n], "%s", s);
        assert_int_equal(cz_assign_split(kv[n], &a[n]), CZ_OK);
    }
    va_end(ap);
    struct cz_field_error scratch;
    return cz_station_add(st, type, a, n, ent, id, err ? err : &scratch);
}

/* The live records of type at st. */
static size_t count(cz_station *st, const char *type)
{
    cz_txn *t = NULL;
    char term[64];
    size_t n = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_index_count(t, term, cz_term_type(term, sizeof term, type), &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

static void expect_refused(const struct cz_field_error *err, enum cz_hint hint, const char *detail,
                           const char *en_part, const char *zh_part)
{
    char msg[1024];
    assert_int_equal(err->status, CZ_EFIELD);
    assert_int_equal(err->hint, hint);
    assert_string_equal(err->detail, detail);
    cz_field_error_message(cz_schema_type("household"), err, CZ_LANG_EN, msg, sizeof msg);
    if (!strstr(msg, en_part) || !strstr(msg, detail)) fail_msg("message: %s", msg);
    cz_field_error_message(cz_schema_type("household"), err, CZ_LANG_ZH, msg, sizeof msg);
    if (!strstr(msg, zh_part) || !strstr(msg, detail)) fail_msg("message: %s", msg);
}

/* At the office: no place record, no household; the place, then yes. */
static void test_office_needs_a_place(void **state)
{
    struct cz_field_error err;
    (void)state;
    assert_int_equal(add(P.office, &err, "household", "number=P-1", "village=" V1, "head=甲", NULL), CZ_EFIELD);
    expect_refused(&err, HINT_PLACE_UNKNOWN, V1, "names no place record", "没有这个行政区划记录");
    assert_int_equal(add(P.office, &err, "training", "date=2018-04-20", "topic=辣椒", "village=" V1, NULL), CZ_EFIELD);
    assert_int_equal(count(P.office, "household") + count(P.office, "training"), 0);

    assert_int_equal(add(P.office, NULL, "place", "code=" V1, "name=杨树湾村", "level=village", "parent=411024104", NULL),
                     CZ_OK);
    assert_int_equal(add(P.office, NULL, "household", "number=P-1", "village=" V1, "head=甲", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "training", "date=2018-04-20", "topic=辣椒", "village=" V1, NULL), CZ_OK);
    /* Typed full-width, it is the same code. */
    assert_int_equal(add(P.office, NULL, "household", "number=P-2", "village=４１１０２４１０４２０１", "head=乙", NULL),
                     CZ_OK);
    /* A neighbour of a known village, or its first 11 digits, is no place. */
    assert_int_equal(add(P.office, &err, "household", "number=P-3", "village=411024104202", "head=丙", NULL), CZ_EFIELD);
    expect_refused(&err, HINT_PLACE_UNKNOWN, "411024104202", "names no place record", "没有这个行政区划记录");
    assert_int_equal(add(P.office, &err, "household", "number=P-3", "village=41102410420", "head=丙", NULL), CZ_EFIELD);
    /* A training without a village is the office's own (region ""): no check. */
    assert_int_equal(add(P.office, NULL, "training", "date=2018-06-12", "topic=农村电商", NULL), CZ_OK);
    assert_int_equal(count(P.office, "household"), 2);
}

/* GB/T 2260 writes a county 411024 as 411024000000 and a city 4110 as
 * 411000: a place record written either way names the place typed the
 * other way. */
static void test_office_codes_by_level(void **state)
{
    (void)state;
    assert_int_equal(add(P.office, NULL, "place", "code=411081000000", "name=禹州市", "level=county", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "training", "date=2018-05-08", "topic=防灾", "village=411081", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "place", "code=4111", "name=漯河市", "level=city", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "training", "date=2018-05-09", "topic=防灾", "village=411100", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "training", "date=2018-05-10", "topic=防灾", "village=411100000000", NULL), CZ_OK);
    /* ...but not a narrower place under a known one. */
    assert_int_equal(add(P.office, NULL, "training", "date=2018-05-11", "topic=防灾", "village=411081112", NULL),
                     CZ_EFIELD);
}

/* The name a form shows beside a code typed: the place's, however the
 * code is written; an unknown code and one not at a whole level are told
 * apart from it, with no name. */
static void test_place_name(void **state)
{
    (void)state;
    char name[64];
    cz_view *v = NULL;
    assert_int_equal(add(P.office, NULL, "place", "code=411200000000", "name=三门峡市", "level=city", NULL), CZ_OK);
    assert_int_equal(cz_view_begin(P.office, &v), CZ_OK);
    static const char *const same[] = { "4112", "411200", "411200000", "411200000000" };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_int_equal(cz_view_place_name(v, same[i], name, sizeof name), CZ_OK);
        assert_string_equal(name, "三门峡市");
    }
    strcpy(name, "x");
    assert_int_equal(cz_view_place_name(v, "411201", name, sizeof name), CZ_ENOTFOUND);   /* a county under it */
    assert_string_equal(name, "");
    assert_int_equal(cz_view_place_name(v, "4113", name, sizeof name), CZ_ENOTFOUND);
    assert_int_equal(cz_view_place_name(v, "", name, sizeof name), CZ_ENOTFOUND);
    strcpy(name, "x");
    assert_int_equal(cz_view_place_name(v, "41120", name, sizeof name), CZ_EPLACECODE);
    assert_string_equal(name, "");
    assert_int_equal(cz_view_place_name(v, "4112a0", name, sizeof name), CZ_EPLACECODE);
    cz_view_end(v);
}

struct row_errs { size_t n, row[4]; struct cz_field_error err[4]; };

static void on_row(void *ctx, size_t row, int status, const struct cz_field_error *err)
{
    struct row_errs *r = ctx;
    (void)status;
    if (r->n < 4) { r->row[r->n] = row; r->err[r->n] = *err; }
    r->n++;
}

/* A spreadsheet at the office: a row whose village is no place refuses
 * the load, naming that row; nothing is stored. */
static void test_office_load(void **state)
{
    (void)state;
    const struct cz_assign r0[] = { { "number", "L-1" }, { "village", V1 }, { "head", "甲" } };
    const struct cz_assign r1[] = { { "number", "L-2" }, { "village", "411024104299" }, { "head", "乙" } };
    const struct cz_assign r2[] = { { "number", "L-3" }, { "village", V1 }, { "head", "丙" } };
    const struct cz_assign *rows[] = { r0, r1, r2 };
    const size_t counts[] = { 3, 3, 3 };
    struct row_errs errs = { 0 };
    size_t before = count(P.office, "household"), stored = 0;
    assert_int_equal(cz_station_add_many(P.office, "household", rows, counts, 3, on_row, &errs, &stored), CZ_EFIELD);
    assert_int_equal(errs.n, 1);
    assert_int_equal(errs.row[0], 1);
    expect_refused(&errs.err[0], HINT_PLACE_UNKNOWN, "411024104299", "names no place record", "没有这个行政区划记录");
    assert_int_equal(count(P.office, "household"), before);
    /* Corrected, the same rows load. */
    const struct cz_assign r1b[] = { { "number", "L-2" }, { "village", V1 }, { "head", "乙" } };
    rows[1] = r1b;
    assert_int_equal(cz_station_add_many(P.office, "household", rows, counts, 3, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(count(P.office, "household"), before + 3);
}

/* 杨树湾村's station has no place record yet: its own village is known
 * from init; any other code is refused. */
static void test_village_station(void **state)
{
    struct cz_field_error err;
    (void)state;
    assert_int_equal(count(P.village, "place"), 0);
    assert_int_equal(add(P.village, NULL, "household", "number=V-1", "village=" V1, "head=甲", NULL), CZ_OK);
    assert_int_equal(add(P.village, NULL, "training", "date=2018-04-20", "topic=辣椒", "village=" V1, NULL), CZ_OK);
    /* Another village of its township, and a code outside everything. */
    assert_int_equal(add(P.village, &err, "household", "number=V-2", "village=411024104202", "head=乙", NULL), CZ_EPERM);
    assert_int_equal(add(P.village, &err, "household", "number=V-2", "village=999999999999", "head=乙", NULL), CZ_EPERM);
    assert_int_equal(count(P.village, "household"), 1);
}

/* A township's station (the same office): its own code is known, a
 * village inside it must be a place record it holds. */
static void test_township_station(void **state)
{
    char dir[128], *identity = NULL, why[128] = "";
    cz_station *tw = NULL;
    struct cz_field_error err;
    (void)state;
    snprintf(dir, sizeof dir, "%s/township", P.dir);
    assert_int_equal(cz_station_identity(P.office, &identity), CZ_OK);
    struct cz_init_opts o = { .kind = CZ_KIND_STATION, .name = "南坞镇", .region = "411024104", .user = "刘镇长",
                              .office_identity = identity };
    assert_int_equal(cz_station_init(dir, &o, PASS, &tw, why, sizeof why), CZ_OK);
    free(identity);
    assert_int_equal(add(tw, NULL, "training", "date=2018-04-21", "topic=辣椒", "village=411024104000", NULL), CZ_OK);
    assert_int_equal(add(tw, &err, "household", "number=T-1", "village=" V1, "head=甲", NULL), CZ_EFIELD);
    expect_refused(&err, HINT_PLACE_OTHER, "411024104", "this station's own village", "本站的村");
    cz_station_close(tw);
}

/* Import is not where a person writes: the village's household arrives
 * at an office that has no place record for that village and is taken
 * (its author pending, not refused or held). */
static void test_import_takes_household_before_place(void **state)
{
    uint8_t *img = NULL;
    size_t len = 0;
    struct cz_import_result ir;
    (void)state;
    /* A fresh pair: this office has no place record at all. */
    tk_pair_free(&P);
    assert_int_equal(tk_pair_init(&P, "places", "许昌市科协", V1, PASS), 0);
    assert_int_equal(add(P.village, NULL, "household", "number=I-1", "village=" V1, "head=甲", NULL), CZ_OK);
    assert_int_equal(tk_pair_export(&P, &img, &len), 0);
    assert_int_equal(cz_sync_import(P.office, img, len, NULL, NULL, &ir), CZ_OK);
    free(img);
    assert_int_equal(ir.status, CZ_OK);
    assert_int_equal(ir.refused, 0);
    assert_int_equal(ir.held, 0);
    assert_int_equal(count(P.office, "place"), 0);
    assert_int_equal(count(P.office, "household"), 1);
}

/* ---- region filters (report --region) ---- */

static int filter(const char *code, char out[CZ_REGION_MAX + 1])
{
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    int rc = cz_region_filter(t, code, out);
    cz_txn_abort(t);
    return rc;
}

static void test_region_filter(void **state)
{
    char out[CZ_REGION_MAX + 1];
    (void)state;
    /* Places: the cities 许昌 4110 and 漯河 4111 (written 411100), the
     * county 411024, the village V1. */
    assert_int_equal(add(P.office, NULL, "place", "code=4110", "name=许昌市", "level=city", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "place", "code=411100", "name=漯河市", "level=city", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "place", "code=411024", "name=鄢陵县", "level=county", "parent=4110", NULL), CZ_OK);
    static const struct { const char *in; int rc; const char *out; } cases[] = {
        { "411000", CZ_OK, "4110" },            /* the city, as GB/T 2260 writes it */
        { "4110", CZ_OK, "4110" },
        { "411100", CZ_OK, "4111" },            /* the other city, found as written */
        { "411024000000", CZ_OK, "411024" },    /* the county */
        { "411024", CZ_OK, "411024" },
        { "41", CZ_OK, "41" },                  /* a province holding known places */
        { "410000", CZ_OK, "41" },
        { "", CZ_OK, "" },                      /* everywhere */
        { "000000", CZ_OK, "" },
        { "411", CZ_EPLACECODE, "" },           /* no level: would take in 4110 and 4111 */
        { "41102410420", CZ_EPLACECODE, "" },   /* 11 digits */
        { "4110a", CZ_EPLACECODE, "" },
        { "4110241042011", CZ_EPLACECODE, "" },
        { "4112", CZ_ENOPLACE, "4112" },            /* a city nobody recorded */
        { "411200", CZ_ENOPLACE, "4112" },
        { "411081", CZ_ENOPLACE, "411081" },          /* a county of a known city, but no record in it */
        { "42", CZ_ENOPLACE, "42" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = filter(cases[i].in, out);
        if (rc != cases[i].rc || strcmp(out, cases[i].out))
            fail_msg("filter \"%s\": %s \"%s\", want %s \"%s\"", cases[i].in, cz_status_name(rc), out,
                     cz_status_name(cases[i].rc), cases[i].out);
    }
    /* Households in both cities: the city filter holds only its own. */
    assert_int_equal(add(P.office, NULL, "place", "code=411100000001", "name=漯河一村", "level=village", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "place", "code=" V1, "name=杨树湾村", "level=village", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "household", "number=R-1", "village=" V1, "head=甲", NULL), CZ_OK);
    assert_int_equal(add(P.office, NULL, "household", "number=R-2", "village=411100000001", "head=乙", NULL), CZ_OK);
    cz_txn *t = NULL;
    struct cz_report r;
    assert_int_equal(filter("411000", out), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_report_build(t, cz_station_info(P.office)->office_root, out, &r), CZ_OK);
    assert_int_equal(r.households, 1);
    assert_string_equal(r.by_village.rows[0].key, V1);
    cz_report_free(&r);
    /* The raw prefix 411 would have counted both. */
    assert_int_equal(cz_report_build(t, cz_station_info(P.office)->office_root, "411", &r), CZ_OK);
    assert_int_equal(r.households, 2);
    cz_report_free(&r);
    cz_txn_abort(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_office_needs_a_place),
        cmocka_unit_test(test_office_codes_by_level),
        cmocka_unit_test(test_place_name),
        cmocka_unit_test(test_office_load),
        cmocka_unit_test(test_village_station),
        cmocka_unit_test(test_township_station),
        cmocka_unit_test(test_import_takes_household_before_place),
        cmocka_unit_test(test_region_filter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
