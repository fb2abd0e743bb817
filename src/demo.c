#include "demo.h"
#include "parse.h"
#include "codec.h"
#include "idnum.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "query.h"
#include "roster.h"
#include "station.h"
#include "sync.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define YSW "411024104201"   /* 杨树湾村, 南坞镇, 鄢陵县 (invented village and town digits) */
#define NZ  "411081112205"   /* 南寨村, 鸠山镇, 禹州市 */

struct demo {
    const char *dir, *pass;
    cz_station *office, *ysw, *nz;
    const char *what;
    char id[33];              /* the last record added, as hex */
    char version[65];         /* its version */
};

/* One record of a type from its fields; its id in d->id, its version in d->version. */
static int add_fields(struct demo *d, cz_station *st, const char *type, const struct cz_assign *a, size_t n)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    int rc = cz_station_add(st, type, a, n, entity, id, &err);
    if (rc) {
        static char what[160];
        snprintf(what, sizeof what, "add %s (%s)", type, err.name);
        d->what = what;
        return rc;
    }
    cz_hex(entity, CZ_ENTITY_BYTES, d->id);
    cz_hex(id, CZ_ID_BYTES, d->version);
    return CZ_OK;
}

/* add(d, st, type, "field=value", ..., NULL): add_fields, the fields as typed. */
static int add(struct demo *d, cz_station *st, const char *type, ...)
{
    struct cz_assign a[16];
    char buf[16][256];
    size_t n = 0;
    va_list ap;
    va_start(ap, type);
    int rc = CZ_OK;
    for (const char *kv; !rc && n < 16 && (kv = va_arg(ap, const char *)); n++) {
        snprintf(buf[n], sizeof buf[n], "%s", kv);
        rc = cz_assign_split(buf[n], &a[n]);
    }
    va_end(ap);
    if (rc) { d->what = type; return rc; }
    return add_fields(d, st, type, a, n);
}

/* ---- carrying bundles between the demo's folders ----
 * DIR/stick plays the USB stick: `from` exports for `to` and `to` imports,
 * as people at the stations would. */
static int carry(struct demo *d, cz_station *from, cz_station *to)
{
    struct cz_peer *peers = NULL;
    size_t npeers = 0;
    char stick[4096];
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    snprintf(stick, sizeof stick, "%s/stick", d->dir);
    d->what = "carry a bundle";
    if ((rc = cz_sync_peers(from, &peers, &npeers))) return rc;
    const struct cz_peer *peer = NULL;
    for (size_t i = 0; i < npeers; i++)
        if (!memcmp(peers[i].box, cz_station_info(to)->box_pk, 32)) peer = &peers[i];
    if (!peer) { free(peers); return CZ_ENOTFOUND; }
    struct cz_export_result ex;
    struct cz_import_result im;
    rc = cz_sync_export(from, stick, peer, 0, &ex);
    free(peers);
    if (rc == CZ_OK) rc = cz_read_file(ex.path, &buf, &len);
    if (rc == CZ_OK) rc = cz_sync_import(to, buf, len, NULL, NULL, &im);
    if (rc == CZ_OK && im.status != CZ_OK) rc = im.status;
    free(buf);
    return rc;
}

/* The office certifies every key announced to it that has no certificate,
 * with the role and region the announcement asked for. */
struct enrol_ctx { struct demo *d; cz_txn *t; struct cz_cert_req req[32]; char text[32][4][64]; size_t n; };

static int enrol_cb(void *ctx, const uint8_t *entity)
{
    struct enrol_ctx *ec = ctx;
    struct cz_record r;
    struct cz_trust_info ti;
    if (ec->n >= 32 || cz_record_load(ec->t, entity, &r) != CZ_OK || !r.body) { cz_record_clear(&r); return 0; }
    const uint8_t *key;
    size_t len;
    cz_body_get_bytes(r.body, cz_schema_field(r.type, "key")->tag, &key, &len);
    cz_roster_lookup(ec->t, cz_station_info(ec->d->office)->office_root, key, &ti);
    if (ti.state == CZ_TRUST_PENDING) {
        struct cz_cert_req *q = &ec->req[ec->n];
        static const char *const fields[4] = { "kind", "name", "station", "region" };
        memcpy(q->key, key, 32);
        for (int i = 0; i < 4; i++)
            cz_schema_format(cz_schema_field(r.type, fields[i]), r.body, CZ_LANG_EN, 0, ec->text[ec->n][i], 64);
        q->kind = ec->text[ec->n][0];
        q->name = ec->text[ec->n][1];
        q->station = ec->text[ec->n][2];
        q->region = ec->text[ec->n][3];
        char role[16];
        cz_schema_format(cz_schema_field(r.type, "role"), r.body, CZ_LANG_EN, 0, role, sizeof role);
        q->role = !strcmp(role, "supervisor") ? "supervisor" : "clerk";
        ec->n++;
    }
    cz_record_clear(&r);
    return 0;
}

static int enrol_all(struct demo *d)
{
    struct enrol_ctx *ec = calloc(1, sizeof *ec);
    char term[64];
    uint8_t id[CZ_ID_BYTES];
    if (!ec) return CZ_ENOMEM;
    ec->d = d;
    int rc = cz_txn_begin(cz_station_store(d->office), 0, &ec->t);
    if (rc == CZ_OK) rc = cz_store_index_each(ec->t, term, cz_term_type(term, sizeof term, "key"), enrol_cb, ec);
    cz_txn_abort(ec->t);
    for (size_t i = 0; rc == CZ_OK && i < ec->n; i++)
        rc = cz_station_certify(d->office, &ec->req[i], id);
    free(ec);
    if (rc) d->what = "enrol";
    return rc;
}

static int open_new(struct demo *d, const char *sub, const struct cz_init_opts *o, cz_station **st)
{
    char path[4096];
    char why[64];
    snprintf(path, sizeof path, "%s/%s", d->dir, sub);
    int rc = cz_station_init(path, o, d->pass, st, why, sizeof why);
    if (rc) d->what = sub;
    return rc;
}

/* An ID number for an invented person: region, birth date, sequence (odd
 * for men), check character. */
static void make_idnum(char out[19], const char *region6, const char *born, int seq, int male)
{
    if (male != (seq % 2)) seq++;
    snprintf(out, 19, "%s%s%03d", region6, born, seq % 1000);
    out[17] = cz_idnum_check_char(out);
    out[18] = 0;
}

struct person { const char *name, *relation, *born; int male; const char *health, *can_work; };
struct family {
    const char *number, *head, *cause, *causes, *phone;
    int plot_hundredths_mu;      /* pepper on the demonstration base; 0: none */
    struct person people[7];
};

/* 杨树湾村: 9 households, 38 people identified in 2016, 2 born since = 40. */
static const struct family yangshuwan[] = {
    { "YSW-2016-01", "王德明", "illness", "illness,funds", "13903741101", 350,
      { { "王德明", "head", "19580312", 1, "ill", "no" }, { "刘桂芬", "spouse", "19600521", 0, "healthy", "yes" },
        { "王建军", "child", "19840909", 1, "healthy", "yes" }, { "王小雨", "grandchild", "20170405", 0, "healthy", "no" } } },
    { "YSW-2016-02", "李秀兰", "disability", "disability,labour", "13903741102", 200,
      { { "李秀兰", "head", "19650117", 0, "disabled", "no" }, { "张国强", "spouse", "19630830", 1, "healthy", "yes" },
        { "张丽", "child", "19951112", 0, "healthy", "yes" }, { "张伟", "child", "19980302", 1, "healthy", "yes" } } },
    { "YSW-2016-03", "赵福生", "schooling", "schooling,funds", "13903741103", 500,
      { { "赵福生", "head", "19700606", 1, "healthy", "yes" }, { "孙玉梅", "spouse", "19720214", 0, "healthy", "yes" },
        { "赵晨", "child", "20020901", 1, "healthy", "no" }, { "赵晓", "child", "20050710", 0, "healthy", "no" },
        { "赵老汉", "parent", "19431020", 1, "ill", "no" } } },
    { "YSW-2016-04", "陈春花", "labour", "labour", "13903741104", 0,
      { { "陈春花", "head", "19520418", 0, "ill", "no" }, { "陈明", "grandchild", "20080123", 1, "healthy", "no" },
        { "陈亮", "grandchild", "20100711", 1, "healthy", "no" } } },
    { "YSW-2016-05", "刘长海", "skills", "skills,funds", "13903741105", 420,
      { { "刘长海", "head", "19760215", 1, "healthy", "yes" }, { "周红", "spouse", "19780903", 0, "healthy", "yes" },
        { "刘佳", "child", "20010618", 0, "healthy", "yes" }, { "刘强", "child", "20040227", 1, "healthy", "no" },
        { "刘一诺", "grandchild", "20180808", 0, "healthy", "no" } } },
    { "YSW-2016-06", "张玉珍", "illness", "illness", "13903741106", 0,
      { { "张玉珍", "head", "19490830", 0, "ill", "no" }, { "张保国", "child", "19750112", 1, "disabled", "no" },
        { "马丽娟", "other", "19770505", 0, "healthy", "yes" }, { "张一鸣", "grandchild", "20030919", 1, "healthy", "no" } } },
    { "YSW-2016-07", "杨树林", "funds", "funds,skills", "13903741107", 300,
      { { "杨树林", "head", "19680722", 1, "healthy", "yes" }, { "吴凤英", "spouse", "19690310", 0, "healthy", "yes" },
        { "杨帆", "child", "19930101", 1, "healthy", "yes" }, { "杨雪", "child", "19961224", 0, "healthy", "yes" },
        { "杨大爷", "parent", "19400606", 1, "ill", "no" } } },
    { "YSW-2016-08", "郭建设", "disability", "disability", "13903741108", 250,
      { { "郭建设", "head", "19620909", 1, "disabled", "no" }, { "郭嫂", "spouse", "19640401", 0, "healthy", "yes" },
        { "郭鹏", "child", "19900202", 1, "healthy", "yes" }, { "郭婷", "child", "19920815", 0, "healthy", "yes" },
        { "郭小宝", "grandchild", "20150530", 1, "healthy", "no" } } },
    { "YSW-2016-09", "何秋菊", "schooling", "schooling", "13903741109", 300,
      { { "何秋菊", "head", "19740919", 0, "healthy", "yes" }, { "黄志刚", "spouse", "19720707", 1, "healthy", "yes" },
        { "黄鑫", "child", "20000330", 1, "healthy", "no" }, { "黄蕾", "child", "20030612", 0, "healthy", "no" },
        { "黄母", "parent", "19461111", 0, "ill", "no" } } },
};

/* 南寨村 (禹州市): a few of its registered households. */
static const struct family nanzhai[] = {
    { "NZ-2016-01", "白宝山", "illness", "illness", "13903742201", 0,
      { { "白宝山", "head", "19600101", 1, "ill", "no" }, { "白大娘", "spouse", "19620303", 0, "healthy", "yes" },
        { "白云", "child", "19880808", 1, "healthy", "yes" } } },
    { "NZ-2016-02", "冯桂英", "funds", "funds,skills", "13903742202", 0,
      { { "冯桂英", "head", "19700505", 0, "healthy", "yes" }, { "冯小军", "child", "19990909", 1, "healthy", "yes" } } },
    { "NZ-2016-03", "石磊", "skills", "skills", "13903742203", 0,
      { { "石磊", "head", "19800210", 1, "healthy", "yes" }, { "石妻", "spouse", "19820614", 0, "healthy", "yes" },
        { "石头", "child", "20090101", 1, "healthy", "no" } } },
};

static int add_family(struct demo *d, cz_station *st, const char *village, const struct family *f,
                      char household_id[33])
{
    const struct cz_assign hh[] = {
        { "number", f->number }, { "village", village }, { "head", f->head }, { "primary_cause", f->cause },
        { "causes", f->causes }, { "phone", f->phone }, { "identified", "2016" },
        { "attribute", cz_demo_attribute(f->number) },
    };
    int rc = add_fields(d, st, "household", hh, sizeof hh / sizeof hh[0]);
    if (rc) return rc;
    memcpy(household_id, d->id, 33);
    for (int i = 0; i < 7 && f->people[i].name; i++) {
        const struct person *p = &f->people[i];
        char idn[19];
        make_idnum(idn, village[0] && !strncmp(village, "411024", 6) ? "411024" : "411081", p->born, 11 + 2 * i, p->male);
        const struct cz_assign m[] = {
            { "household", household_id }, { "name", p->name }, { "id_number", idn },
            { "relation", p->relation }, { "health", p->health }, { "can_work", p->can_work },
        };
        if ((rc = add_fields(d, st, "member", m, sizeof m / sizeof m[0]))) return rc;
    }
    return CZ_OK;
}

static void step(void (*say)(const char *), const char *s) { if (say) say(s); }

/* The demo tells a story dated 2018 and signs it with its own office
 * root, so its builder's clock is set back to each scene's day (China
 * time): the approvals' clocks then agree with their dates and the notice
 * runs its 7 days between the clocks, as the exit chain's rules demand
 * (exitchain.h).  cz_demo_build puts the real clock back. */
static void clock_at(int y, int mo, int day, int h)
{
    struct tm tm = { 0 };
    tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = day; tm.tm_hour = h;
    int64_t target = ((int64_t)timegm(&tm) - 8 * 3600) * 1000;   /* UTC+8 */
    cz_clock_shift(0);
    cz_clock_shift(target - (int64_t)cz_now_ms());
}

/* Re-certifies an office user with the jurisdiction of the level they sign
 * at (user add at the office certifies with the office's own region). */
static int certify_as(struct demo *d, const char *name, const char *region)
{
    struct cz_cert_req q;
    uint8_t id[CZ_ID_BYTES];
    int rc;
    memset(&q, 0, sizeof q);
    d->what = name;
    if ((rc = cz_station_login(d->office, name, d->pass))) return rc;
    memcpy(q.key, cz_station_person_pk(d->office), 32);
    q.kind = "person";
    q.name = name;
    q.station = cz_station_info(d->office)->name;
    q.region = region;
    q.role = "supervisor";
    if ((rc = cz_station_login(d->office, "张主任", d->pass))) return rc;
    return cz_station_certify(d->office, &q, id);
}

/* The places the office's regions are made of, from the city down to the
 * two villages: written first, since a household's or training's village
 * must name one (DOMAIN.md, "Places are real"). */
static int add_places(struct demo *d)
{
    static const char *const places[][4] = {
        { "4110", "许昌市", "city", "" }, { "411024", "鄢陵县", "county", "4110" },
        { "411024104", "南坞镇", "town", "411024" }, { YSW, "杨树湾村", "village", "411024104" },
        { "411081", "禹州市", "county", "4110" }, { "411081112", "鸠山镇", "town", "411081" },
        { NZ, "南寨村", "village", "411081112" } };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        const struct cz_assign a[] = {
            { "code", places[i][0] }, { "name", places[i][1] }, { "level", places[i][2] }, { "parent", places[i][3] },
        };
        int rc = add_fields(d, d->office, "place", a, sizeof a / sizeof a[0]);
        if (rc) return rc;
    }
    return CZ_OK;
}

/* ---- the village side and the exit (villrec.h) ---- */

/* The lines of the years before the story: the 2,300 yuan of 2010 at
 * each year's prices (DOMAIN.md names each year's source, and says which
 * were read). */
static int add_lines_before_2018(struct demo *d)
{
    int rc;
    if ((rc = add(d, d->office, "poverty_line", "year=2014", "amount=2800", "notes=国家扶贫标准（当年价）", NULL)) ||
        (rc = add(d, d->office, "poverty_line", "year=2015", "amount=2855", "notes=国家扶贫标准（当年价）", NULL)) ||
        (rc = add(d, d->office, "poverty_line", "year=2016", "amount=2952", "notes=国家扶贫标准（当年价）", NULL)) ||
        (rc = add(d, d->office, "poverty_line", "year=2017", "amount=2952", "notes=国家扶贫标准（当年价）", NULL)))
        return rc;
    return CZ_OK;
}

/* Each village's figures of the poor-village form: 杨树湾村 in 2014 (the
 * seed's 103 households, 378 people, all out of poverty by December) and
 * 2018 (9 households, 40 people), 南寨村 in 2018.  Populations are the
 * demo's own. */
static int village_years(struct demo *d)
{
    int rc;
    if ((rc = add(d, d->ysw, "village_year", "village=" YSW, "year=2014", "population=1460", "rural_population=1402",
                  "registered_households=103", "registered_people=378", "collective_income=12000", "road=yes",
                  "water=no", "power=yes", "clinic=no", "notes=2014年12月建档立卡户全部脱贫", NULL)) ||
        (rc = add(d, d->ysw, "village_year", "village=" YSW, "year=2018", "population=1475", "rural_population=1410",
                  "registered_households=9", "registered_people=40", "collective_income=56000", "road=yes",
                  "water=yes", "power=yes", "clinic=yes", "left_list=2018", NULL)) ||
        (rc = add(d, d->nz, "village_year", "village=" NZ, "year=2018", "population=2260", "rural_population=2180",
                  "registered_households=3", "registered_people=8", "collective_income=30000", "road=yes",
                  "water=yes", "power=yes", "clinic=yes", NULL)))
        return rc;
    return CZ_OK;
}

/* After 2020: the household whose exit was approved in 2018 watched for
 * illness (risk removed), a family of 杨树湾村 outside the register hit by
 * the July 2021 rains, and one of 南寨村 after an accident. */
static int monitors(struct demo *d, const char *ysw01)
{
    char household[64];
    int rc;
    snprintf(household, sizeof household, "household=%s", ysw01);
    clock_at(2022, 6, 1, 10);
    /* A demo made as of an earlier day (CUNZHAN_TODAY, as the screen tests
     * set it, wins over the demo's clock) has no monitoring yet: the
     * records would lie in its future, which the rules refuse. */
    if (cz_today() < 20220510) return CZ_OK;
    if ((rc = add(d, d->ysw, "monitor", household, "kind=unstable", "found_how=cadres", "risks=illness",
                  "measures=纳入大病保险，落实家庭医生签约", "found_on=2021-03-15", "removed_on=2021-12-20", NULL)) ||
        (rc = add(d, d->ysw, "monitor", "name=韩老三", "village=" YSW, "kind=edge", "found_how=self",
                  "risks=disaster,income", "measures=临时救助，公益岗位", "found_on=2021-07-25", NULL)) ||
        (rc = add(d, d->nz, "monitor", "name=石老汉", "village=" NZ, "kind=sudden", "found_how=department",
                  "risks=accident,expense", "measures=医疗救助", "found_on=2022-05-10", NULL)))
        return rc;
    return CZ_OK;
}

/* The city office: its supervisors and their jurisdictions, the poverty
 * lines, the places and the helpers.  *identity (malloc'd): the office's
 * identity for the stations; expert: the chief expert's record id. */
static int build_office(struct demo *d, char **identity, char expert[33])
{
    struct cz_init_opts o = {
        .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "4110", .user = "张主任",
        .demo_passphrase = 1,   /* `demo` is documented, though shorter than the rule */
    };
    int rc;
    if ((rc = open_new(d, "office", &o, &d->office))) return rc;
    if ((rc = cz_station_user_add_demo(d->office, "刘镇长", "supervisor", d->pass)) ||
        (rc = cz_station_user_add_demo(d->office, "王县长", "supervisor", d->pass)) ||
        (rc = cz_station_user_add_demo(d->office, "陈科长", "supervisor", d->pass)) ||
        (rc = cz_station_user_add_demo(d->office, "禹州审核员", "supervisor", d->pass))) { d->what = "office users"; return rc; }
    /* Jurisdictions: each step is signed by a different person of exactly
     * its level: the township (南坞镇) reviews, the county (鄢陵县)
     * decides, and another county person (陈科长) closes the notice. */
    if ((rc = certify_as(d, "刘镇长", "411024104")) || (rc = certify_as(d, "王县长", "411024")) ||
        (rc = certify_as(d, "陈科长", "411024")) || (rc = certify_as(d, "禹州审核员", "411081")))
        return rc;
    /* The poverty lines the office set (yuan per person a year, current
     * prices of the national 2,300 yuan line of 2010). */
    if ((rc = add_lines_before_2018(d))) return rc;
    if ((rc = add(d, d->office, "poverty_line", "year=2018", "amount=2995", "notes=国家扶贫标准（当年价）", NULL)) ||
        (rc = add(d, d->office, "poverty_line", "year=2019", "amount=3218", "notes=国家扶贫标准（当年价）", NULL)) ||
        (rc = add(d, d->office, "poverty_line", "year=2020", "amount=4000", "notes=国家扶贫标准（当年价）", NULL)))
        return rc;
    if ((rc = cz_station_identity(d->office, identity))) return rc;
    if ((rc = add_places(d))) return rc;
    if ((rc = add(d, d->office, "helper", "name=周专家", "kind=chief_expert", "org=许昌市科协", "field=辣椒栽培", "phone=13703740001", NULL)) ||
        (rc = add(d, d->office, "helper", "name=孙书记", "kind=first_secretary", "org=许昌市科协", "field=驻村帮扶", NULL)))
        return rc;
    memcpy(expert, d->id, 33);
    return CZ_OK;
}

/* The two village stations, set up with the office's identity. */
static int build_stations(struct demo *d, const char *identity)
{
    struct cz_init_opts o = {
        .kind = CZ_KIND_STATION, .office_identity = identity,
        .name = "杨树湾村", .region = YSW, .user = "孙书记", .demo_passphrase = 1,
    };
    int rc;
    if ((rc = open_new(d, "yangshuwan", &o, &d->ysw))) return rc;
    o.name = "南寨村"; o.region = NZ; o.user = "钱书记";
    if ((rc = open_new(d, "nanzhai", &o, &d->nz))) return rc;
    if ((rc = cz_station_user_add_demo(d->ysw, "李会计", "clerk", d->pass))) { d->what = "station users"; return rc; }
    return CZ_OK;
}

/* 杨树湾村's households, their pepper plots and the subsidies for them,
 * and the seed given to two of them.  hh: the households' record ids. */
static int ysw_households(struct demo *d, char hh[9][33])
{
    char buf[3][512];
    int rc;
    for (size_t i = 0; i < 9; i++)
        if ((rc = add_family(d, d->ysw, YSW, &yangshuwan[i], hh[i]))) return rc;
    for (size_t i = 0; i < 9; i++) {
        if (!yangshuwan[i].plot_hundredths_mu) continue;
        snprintf(buf[0], 512, "household=%s", hh[i]);
        snprintf(buf[1], 512, "area=%d.%02d", yangshuwan[i].plot_hundredths_mu / 100, yangshuwan[i].plot_hundredths_mu % 100);
        if ((rc = add(d, d->ysw, "plot", buf[0], "crop=辣椒", "variety=帅辣316", buf[1], "planted=2018-05-10",
                      "expected_per_mu=5500", NULL)))
            return rc;
        /* Pesticide, fertiliser and mulch subsidies by transplanted area. */
        snprintf(buf[2], 512, "value=%d", yangshuwan[i].plot_hundredths_mu * 2);
        if ((rc = add(d, d->ysw, "aid", buf[0], "kind=mulch", "item=地膜、农药、化肥补助", buf[2], "date=2018-05-20",
                      "giver=许昌市科协", "fund=special", "industry=yes", NULL)))
            return rc;
    }
    /* The seed's 40-odd packs of pepper seed to two households, about 2,000 yuan. */
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf[0], 512, "household=%s", hh[i]);
        if ((rc = add(d, d->ysw, "aid", buf[0], "kind=seeds", "item=辣椒种子 帅辣316", "quantity=21", "unit=包",
                      "value=1010", "date=2018-04-15", "giver=许昌市科协", "fund=special", "industry=yes", NULL)))
            return rc;
    }
    return CZ_OK;
}

/* The village's year: aid to all, sales to the cooperative, trainings,
 * and the chief expert's visit and pairing. */
static int ysw_year(struct demo *d, char hh[9][33], const char expert[33])
{
    char buf[2][512];
    int rc;
    if ((rc = add(d, d->ysw, "aid", "kind=other", "item=辣椒种植示范基地育苗棚", "value=600", "date=2018-04-01",
                  "giver=许昌市科协", "fund=special", "industry=yes", NULL)) ||
        (rc = add(d, d->ysw, "aid", "household=", "kind=gift", "item=春节慰问品", "value=1200", "date=2018-02-10",
                  "giver=县公安局", "fund=special", "industry=no", NULL)))
        return rc;
    for (size_t i = 0; i < 9; i += 2) {
        snprintf(buf[0], 512, "household=%s", hh[i]);
        snprintf(buf[1], 512, "quantity=%zu", 2000 + 300 * i);
        if ((rc = add(d, d->ysw, "sale", buf[0], "buyer=及时雨种植专业合作社", "floor_price=1", "price=1.20", buf[1],
                      "date=2018-09-20", NULL)))
            return rc;
    }
    snprintf(buf[0], 512, "households=%s,%s,%s", hh[0], hh[2], hh[4]);
    if ((rc = add(d, d->ysw, "training", "date=2018-04-20", "place=杨树湾村委会", "organiser=许昌市科协",
                  "topic=辣椒栽培技术", "experts=周专家", "trainees=45", buf[0], "leaflets=300", "village=" YSW, NULL)) ||
        (rc = add(d, d->ysw, "training", "date=2018-06-12", "place=杨树湾村委会", "organiser=及时雨种植专业合作社",
                  "topic=农村电商", "experts=周专家", "trainees=30", "leaflets=200", "village=" YSW, NULL)))
        return rc;
    snprintf(buf[0], 512, "household=%s", hh[0]);
    snprintf(buf[1], 512, "helper=%s", expert);
    if ((rc = add(d, d->ysw, "visit", buf[0], buf[1], "date=2018-07-03", "notes=查看辣椒长势，指导病虫害防治", NULL)) ||
        (rc = add(d, d->ysw, "pairing", buf[1], "village=" YSW, "mode=one_to_many", NULL)))
        return rc;
    return CZ_OK;
}

/* Two households' exit assessments, approved by the village.  rec1, rec2:
 * "record=<version>" of each, for the office's steps. */
static int ysw_exits(struct demo *d, char hh[9][33], char rec1[512], char rec2[512])
{
    char household[512], exit1[65];
    int rc;
    snprintf(household, sizeof household, "household=%s", hh[0]);
    if ((rc = add(d, d->ysw, "exit", household, "year=2018", "income_per_capita=4200", "food=yes", "clothing=yes",
                  "schooling=yes", "medical=yes", "housing=yes", NULL)))
        return rc;
    memcpy(exit1, d->version, 65);
    snprintf(household, sizeof household, "household=%s", hh[6]);
    if ((rc = add(d, d->ysw, "exit", household, "year=2018", "income_per_capita=3900", "food=yes", "clothing=yes",
                  "schooling=yes", "medical=yes", "housing=yes", NULL)))
        return rc;
    snprintf(rec1, 512, "record=%s", exit1);
    snprintf(rec2, 512, "record=%s", d->version);
    clock_at(2018, 10, 8, 16);
    if ((rc = add(d, d->ysw, "approval", rec1, "step=village", "decision=approve", "date=2018-10-08",
                  "notes=村民主评议通过", NULL)) ||
        (rc = add(d, d->ysw, "approval", rec2, "step=village", "decision=approve", "date=2018-10-08", NULL)))
        return rc;
    return CZ_OK;
}

/* The office's steps, each by the person of its level on its own day:
 * both exits pass the township, the first the county and the notice. */
static int office_approvals(struct demo *d, const char *rec1, const char *rec2)
{
    int rc;
    if ((rc = carry(d, d->ysw, d->office)) || (rc = carry(d, d->nz, d->office))) return rc;
    clock_at(2018, 10, 15, 10);
    if ((rc = cz_station_login(d->office, "刘镇长", d->pass)) ||
        (rc = add(d, d->office, "approval", rec1, "step=township", "decision=approve", "date=2018-10-15", NULL)) ||
        (rc = add(d, d->office, "approval", rec2, "step=township", "decision=approve", "date=2018-10-15", NULL)))
        return rc;
    clock_at(2018, 10, 22, 10);
    if ((rc = cz_station_login(d->office, "王县长", d->pass)) ||
        (rc = add(d, d->office, "approval", rec1, "step=county", "decision=approve", "date=2018-10-22", NULL)))
        return rc;
    clock_at(2018, 11, 1, 10);
    if ((rc = cz_station_login(d->office, "陈科长", d->pass)) ||
        (rc = add(d, d->office, "approval", rec1, "step=notice", "decision=approve", "date=2018-11-01",
                  "notes=公示期满无异议", NULL)))
        return rc;
    return CZ_OK;
}

static int build(struct demo *d, void (*say)(const char *))
{
    char *identity = NULL;
    char hh[9][33], nzh[3][33], expert[33], rec1[512], rec2[512];
    int rc;

    step(say, "office");
    clock_at(2018, 9, 25, 9);
    if ((rc = build_office(d, &identity, expert))) goto out;
    step(say, "stations");
    if ((rc = build_stations(d, identity))) goto out;
    /* Everyone's key to the office, certified there, and back. */
    step(say, "enrolment");
    if ((rc = carry(d, d->ysw, d->office)) || (rc = carry(d, d->nz, d->office)) || (rc = enrol_all(d)) ||
        (rc = carry(d, d->office, d->ysw)) || (rc = carry(d, d->office, d->nz)))
        goto out;
    step(say, "yangshuwan records");
    if ((rc = ysw_households(d, hh)) || (rc = ysw_year(d, hh, expert))) goto out;
    step(say, "exit chain");
    if ((rc = ysw_exits(d, hh, rec1, rec2))) goto out;
    step(say, "nanzhai records");
    for (size_t i = 0; i < 3; i++)
        if ((rc = add_family(d, d->nz, NZ, &nanzhai[i], nzh[i]))) goto out;
    if ((rc = add(d, d->nz, "training", "date=2018-05-08", "place=南寨村", "organiser=禹州市科协",
                  "topic=防灾减灾", "trainees=25", "leaflets=150", "village=" NZ, NULL)))
        goto out;
    step(say, "registry records");
    if ((rc = cz_demo_registry(d->ysw, d->nz, (const char (*)[33])hh, (const char (*)[33])nzh, &d->what)))
        goto out;
    step(say, "office approvals");
    if ((rc = office_approvals(d, rec1, rec2))) goto out;
    step(say, "poor villages and monitoring");
    if ((rc = village_years(d)) || (rc = monitors(d, hh[0])) || (rc = carry(d, d->ysw, d->office)) ||
        (rc = carry(d, d->nz, d->office)))
        goto out;
    step(say, "sync");
    rc = carry(d, d->office, d->ysw);
    if (rc == CZ_OK) rc = carry(d, d->office, d->nz);
out:
    free(identity);
    return rc;
}

/* Office supervisors' jurisdictions: the demo enrols them through the same
 * certificate path as everyone (user add at the office certifies with the
 * office's region); the township and county ones are narrowed in build
 * (certify_as).  The story is signed with the clock of its days (clock_at). */
int cz_demo_build(const char *dir, const char *passphrase, void (*say)(const char *), const char **what)
{
    struct demo d;
    memset(&d, 0, sizeof d);
    d.dir = dir;
    d.pass = passphrase;
    int rc = build(&d, say);
    cz_clock_shift(0);
    *what = d.what;
    cz_station_close(d.office);
    cz_station_close(d.ysw);
    cz_station_close(d.nz);
    return rc;
}
