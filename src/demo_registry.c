/* demo_registry.c — the demo's registry records of the household side
 * (demo.h): each household's attribute (given when demo.c adds it, so
 * the household keeps its one version), the official member columns for
 * two families, the two births since 2016, two years of income, living
 * conditions, measures by category, a dated pairing and each village's
 * work team.  The figures agree with the seed's: Yangshuwan's two
 * assessed households' income per person (4,200 and 3,900 yuan in 2018)
 * is their 2018 net income over their members (4 and 5), and the births are of
 * members already counted in its 40 people. */
#include "demo.h"
#include "codec.h"
#include "hex.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct reg { cz_station *st; const char **what; char id[33]; };

/* One record from "field=value" strings ending with NULL; its id in r->id. */
static int put(struct reg *r, const char *type, ...)
{
    struct cz_assign a[16];
    char buf[16][160];
    size_t n = 0;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    va_list ap;
    va_start(ap, type);
    for (const char *kv; n < 16 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        cz_assign_split(buf[n], &a[n]);
    }
    va_end(ap);
    int rc = cz_station_add(r->st, type, a, n, entity, id, &err);
    if (rc) { *r->what = type; return rc; }
    cz_hex(entity, CZ_ENTITY_BYTES, r->id);
    return CZ_OK;
}

static int edit(struct reg *r, const char *hex, const char *field, const char *value)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_assign a = { field, value };
    struct cz_field_error err;
    cz_unhex(hex, entity, CZ_ENTITY_BYTES);
    int rc = cz_station_edit(r->st, entity, &a, 1, id, &err);
    if (rc) *r->what = field;
    return rc;
}

static int first_cb(void *ctx, const uint8_t *entity)
{
    cz_hex(entity, CZ_ENTITY_BYTES, ctx);
    return CZ_WALK_STOP;
}

/* The id of the live record of `type` with field=value (and household). */
static int lookup(struct reg *r, const char *type, const char *household, const char *field, const char *value,
                  char out[33])
{
    struct cz_assign f[2] = { { field, value }, { "household", household } };
    cz_txn *t = NULL;
    out[0] = 0;
    int rc = cz_txn_begin(cz_station_store(r->st), 0, &t);
    if (rc) return rc;
    rc = cz_query_list(t, cz_schema_type(type), f, household ? 2 : 1, first_cb, out, NULL);
    cz_txn_abort(t);
    if (rc == CZ_WALK_STOP) rc = CZ_OK;
    if (!rc && !out[0]) rc = CZ_ENOTFOUND;
    if (rc) *r->what = value;
    return rc;
}

/* Yearly income: 2018's net over the members is the per-person income of
 * the exit assessments (YSW-2016-01: 16,800 / 4 = 4,200; -07, 杨树林's:
 * 19,500 / 5 = 3,900); 2017 a little lower. */
static int incomes(struct reg *r, const char (*hh)[33], size_t n)
{
    static const int parts[9][5] = {   /* wages, production, costs, dibao, pension (yuan) */
        { 9000, 7500, 1500, 0, 1200 }, { 6000, 6000, 1200, 3600, 1200 }, { 12000, 8000, 2000, 0, 0 },
        { 0, 1500, 300, 4200, 1800 }, { 15000, 9500, 2100, 0, 0 }, { 4000, 1200, 200, 3600, 1200 },
        { 13300, 6500, 1500, 0, 1200 }, { 10000, 5500, 1200, 2400, 0 }, { 11000, 6000, 1400, 0, 1200 },
    };
    char h[64], v[5][32];
    int rc = CZ_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(h, sizeof h, "household=%s", hh[i]);
        for (int year = 2017; year <= 2018 && !rc; year++) {
            int less = year == 2017 ? 80 : 100;   /* percent of 2018's */
            snprintf(v[0], 32, "wages=%d", parts[i][0] * less / 100);
            snprintf(v[1], 32, "production=%d", parts[i][1] * less / 100);
            snprintf(v[2], 32, "production_costs=%d", parts[i][2]);
            snprintf(v[3], 32, "dibao=%d", parts[i][3]);
            snprintf(v[4], 32, "pension=%d", parts[i][4]);
            /* YSW-2016-08, identified 一般贫困户, is 低保贫困户 on its
             * 2018 form; its 2017 form names none, so its own stands. */
            const char *attr = i == 7 && year == 2018 ? "attribute=dibao" : NULL;
            rc = put(r, "income", h, year == 2017 ? "year=2017" : "year=2018", v[0], v[1], v[2], v[3], v[4],
                     i == 0 ? "eco=600" : "eco=0", attr, NULL);
        }
    }
    return rc;
}

/* The official member columns for YSW-2016-01 (names as in demo.c). */
static int members(struct reg *r, const char *hh)
{
    static const char *const rows[4][7] = {
        { "王德明", "education=小学", "health_state=长期慢性病", "labour=丧失劳动力", "work=未务工", "pension=yes", "student=非在校生" },
        { "刘桂芬", "education=文盲或半文盲", "health_state=健康", "labour=普通劳动力", "work=未务工", "pension=yes", "student=非在校生" },
        { "王建军", "education=初中", "health_state=健康", "labour=技能劳动力", "work=省外务工", "pension=yes", "student=非在校生" },
        { "王小雨", "education=学龄前儿童", "health_state=健康", "labour=无劳动力", "work=未务工", "pension=no", "student=学前教育" },
    };
    char id[33];
    int rc = CZ_OK;
    for (size_t i = 0; i < 4 && !rc; i++) {
        if ((rc = lookup(r, "member", hh, "name", rows[i][0], id))) break;
        for (size_t k = 1; k < 7 && !rc; k++) {
            char f[32];
            const char *eq = strchr(rows[i][k], '=');
            snprintf(f, sizeof f, "%.*s", (int)(eq - rows[i][k]), rows[i][k]);
            rc = edit(r, id, f, eq + 1);
        }
        if (!rc) rc = edit(r, id, "nationality", "汉族");
        if (!rc) rc = edit(r, id, "medical", "yes");
        if (!rc && i == 2) rc = edit(r, id, "work_months", "10");
        if (!rc && i == 2) rc = edit(r, id, "work_place", "浙江省宁波市");
    }
    return rc;
}

const char *cz_demo_attribute(const char *number)
{
    /* 陈春花 (-04) is an old woman raising two grandchildren: 特困供养;
     * -02 and -06 (disability, illness) and 白宝山 (NZ-2016-01) 低保. */
    static const char *const dibao[] = { "YSW-2016-02", "YSW-2016-06", "NZ-2016-01", NULL };
    if (!strcmp(number, "YSW-2016-04")) return "tekun";
    for (size_t i = 0; dibao[i]; i++)
        if (!strcmp(number, dibao[i])) return "dibao";
    return "general";
}

static int ysw(struct reg *r, const char (*hh)[33])
{
    char h[9][64], id[33], m[64];
    int rc;
    for (size_t i = 0; i < 9; i++) snprintf(h[i], sizeof h[i], "household=%s", hh[i]);
    if ((rc = members(r, hh[0])) || (rc = incomes(r, hh, 9))) return rc;
    /* The seed's "+2": born after the 2016 identification, already members. */
    if ((rc = lookup(r, "member", hh[0], "name", "王小雨", id))) return rc;
    snprintf(m, sizeof m, "member=%s", id);
    if ((rc = put(r, "member_change", h[0], m, "kind=birth", "date=2017-04-05", NULL))) return rc;
    if ((rc = lookup(r, "member", hh[4], "name", "刘一诺", id))) return rc;
    snprintf(m, sizeof m, "member=%s", id);
    if ((rc = put(r, "member_change", h[4], m, "kind=birth", "date=2018-08-08", NULL))) return rc;
    if ((rc = put(r, "conditions", h[0], "year=2016", "house_area=60", "structure=土木", "danger_grade=C",
                  "safe_water=no", "power=yes", "road_km=1.5", "farmland=4.5", "irrigated=2", "forest=1", NULL)) ||
        (rc = put(r, "conditions", h[0], "year=2018", "house_area=75", "structure=砖混", "danger_grade=A",
                  "repaired=2017", "safe_water=yes", "power=yes", "road_km=0.2", "farmland=4.5", "irrigated=3.5",
                  "forest=0.5", "returned=0.5", NULL)) ||
        (rc = put(r, "conditions", h[1], "year=2018", "house_area=90", "structure=砖混", "danger_grade=B",
                  "safe_water=yes", "power=yes", "road_km=0.5", "farmland=3", "irrigated=3", NULL)))
        return rc;
    if ((rc = put(r, "measure", h[0], "category=housing", "project=危房改造(C级加固)", "amount=15000", "fund=special",
                  "start=2017-03-01", "end=2017-06-30", NULL)) ||
        (rc = put(r, "measure", h[0], "category=industry", "project=辣椒种植产业奖补", "amount=1750", "fund=special",
                  "start=2018-05-10", NULL)) ||
        (rc = put(r, "measure", h[1], "category=employment", "project=公益岗位(保洁员)", "amount=4800", "fund=other",
                  "start=2018-01-01", "end=2018-12-31", NULL)) ||
        (rc = put(r, "measure", h[2], "category=education", "project=雨露计划助学", "amount=3000", "fund=special",
                  "start=2018-09-01", NULL)) ||
        (rc = put(r, "measure", h[3], "category=social", "project=特困供养", "amount=4200", "fund=other",
                  "start=2018-01-01", NULL)) ||
        (rc = put(r, "measure", h[5], "category=health", "project=先诊疗后付费", "amount=2600", "fund=other",
                  "start=2018-03-15", NULL)) ||
        (rc = put(r, "measure", h[6], "category=credit", "project=扶贫小额信贷(5万元)", "amount=50000", "fund=other",
                  "start=2018-04-01", "end=2021-03-31", NULL)))
        return rc;
    if ((rc = lookup(r, "helper", NULL, "name", "孙书记", id))) return rc;
    snprintf(m, sizeof m, "helper=%s", id);
    if ((rc = put(r, "pairing", m, h[3], "mode=one_to_one", "start=2017-03-01", "end=2020-12-31", NULL))) return rc;
    return put(r, "work_team", "village=411024104201", "unit=许昌市科协", "leader=孙书记", "members=孙书记,赵干事",
               "phones=13703740002,13703740003", "from=2017-03-01", "to=2020-12-31", NULL);
}

static int nz(struct reg *r, const char (*hh)[33])
{
    char h[64];
    int rc = CZ_OK;
    for (size_t i = 0; i < 3 && !rc; i++) {
        snprintf(h, sizeof h, "household=%s", hh[i]);
        rc = put(r, "income", h, "year=2018", i == 0 ? "wages=3000" : "wages=9000", "production=2500",
                 "production_costs=600", i == 0 ? "dibao=3600" : "dibao=0", NULL);
    }
    if (!rc) {
        snprintf(h, sizeof h, "household=%s", hh[1]);
        rc = put(r, "measure", h, "category=industry", "project=中药材种植奖补", "amount=1200", "fund=special",
                 "start=2018-04-10", NULL);
    }
    if (!rc)
        rc = put(r, "work_team", "village=411081112205", "unit=禹州市农业局", "leader=钱书记", "members=钱书记",
                 "from=2018-01-15", NULL);
    return rc;
}

int cz_demo_registry(cz_station *ysw_st, cz_station *nz_st, const char (*ysw_hh)[33], const char (*nz_hh)[33],
                     const char **what)
{
    struct reg r = { .st = ysw_st, .what = what };
    int rc = ysw(&r, ysw_hh);
    if (rc) return rc;
    r.st = nz_st;
    return nz(&r, nz_hh);
}
