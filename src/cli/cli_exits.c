/* cli_exits.c — `cunzhan exits`: the exit assessments awaiting a step the
 * person logged in may sign, or with --all every live one in their
 * jurisdiction, each with its stage, who signed each step and when, the
 * day the notice may close and any exit criterion it fails (src/CLI.md,
 * "The exit chain"; overview.h, cz_view_exits_each). */
#include "cli.h"
#include "cli_int.h"
#include "exitchain.h"
#include "hex.h"
#include "parse.h"
#include "report.h"
#include "region.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exits_args { int all; const char *region; };

static int exits_parse(int argc, char **argv, struct exits_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all")) a->all = 1;
        else if (!strcmp(argv[i], "--region") && i + 1 < argc) a->region = argv[++i];
        else return -1;
    }
    return 0;
}

static const char *const stage_keys[] = {
    [CZ_STAGE_AWAITING] = "awaiting", [CZ_STAGE_REJECTED] = "rejected", [CZ_STAGE_NOTICE] = "notice",
    [CZ_STAGE_HELD] = "held", [CZ_STAGE_COMPLETE] = "complete",
};

/* The step's name as the approval form shows it. */
static const char *step_name(struct cli *c, int s)
{
    const struct cz_field *f = cz_schema_field(cz_schema_type("approval"), "step");
    if (!f || s < 0 || s >= CZ_STEP_COUNT) return "-";
    return T(c, f->values[s].en, f->values[s].zh);
}

struct exits_out {
    struct cli *c;
    cz_txn *t;
    const struct cz_station_info *info;
    int all;
    json_t *arr;
    size_t shown;
};

/* Where the chain stands, as a sentence. */
static void stage_text(struct exits_out *o, const struct cz_exit_row *row, char *buf, size_t size)
{
    struct cli *c = o->c;
    char when[32];
    switch (row->stage) {
    case CZ_STAGE_AWAITING:
        snprintf(buf, size, T(c, "awaits %s", "待%s"), step_name(c, row->step));
        break;
    case CZ_STAGE_REJECTED:
        snprintf(buf, size, T(c, "rejected at %s", "%s未通过"), step_name(c, row->step));
        break;
    case CZ_STAGE_NOTICE:
        cz_format_cst((int64_t)(row->state->notice_close_ms / 1000), when, sizeof when);
        snprintf(buf, size, T(c, "public notice runs until %s (China time)", "公示中，最早可于 %s（北京时间）结束"), when);
        break;
    case CZ_STAGE_HELD:
        snprintf(buf, size, "%s", T(c, "every step signed, but the criteria are not met", "各环节已签署，但不符合退出标准"));
        break;
    case CZ_STAGE_COMPLETE:
        snprintf(buf, size, "%s", T(c, "complete: exited", "已完成：已脱贫"));
        break;
    }
}

/* A field of a record as text, made safe to print. */
static void field_text(struct cli *c, const struct cz_record *r, const char *key, char *buf, size_t size)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, key) : NULL;
    char raw[256] = "";
    if (f && r->body) cz_schema_format(f, r->body, c->lang, 1, raw, sizeof raw);
    cz_text_safe(raw, buf, size);
}

/* The household the assessment is for: its title ("-" when unreadable). */
static void household_title(struct exits_out *o, const struct cz_record *r, char *buf, size_t size)
{
    const struct cz_field *f = cz_schema_field(r->type, "household");
    const uint8_t *p;
    size_t len;
    struct cz_record h;
    char raw[256] = "";
    memset(&h, 0, sizeof h);
    if (f && r->body && cz_body_get_bytes(r->body, f->tag, &p, &len) == CZ_OK && len == CZ_ENTITY_BYTES &&
        cz_record_load(o->t, p, &h) == CZ_OK && h.body && h.type)
        cz_schema_title(h.type, h.body, raw, sizeof raw);
    cz_record_clear(&h);
    cz_text_safe(raw[0] ? raw : "-", buf, size);
}

/* Who signed step s and the approval's date; 0 when no approval counts. */
static int step_signed(struct exits_out *o, const struct cz_exit_state *es, int s, char *who, size_t wsize,
                       char *date, size_t dsize)
{
    struct cz_record a;
    if (!es->approved[s] || cz_record_load(o->t, es->approval[s], &a) != CZ_OK) return 0;
    field_text(o->c, &a, "date", date, dsize);
    if (!date[0]) format_time(a.wall, date, dsize);
    cz_record_clear(&a);
    signer_name(o->t, o->info, es->signer[s], o->c->lang, who, wsize);
    return 1;
}

/* Beside the assessors' figure, which is not checked against it
 * (DOMAIN.md, net income per person): the household's income record of
 * the assessment's year, net per person (pp, net and people; has 0 when
 * there is none), and that year's poverty line (has_line 0: none). */
struct yearly { int has, has_line; char pp[48], net[48], line[48]; long long people, year; };

static void yearly_figures(struct exits_out *o, const struct cz_record *r, struct yearly *y)
{
    const uint8_t *h;
    size_t len;
    int64_t year = 0, line = 0;
    struct cz_report_income in;
    memset(y, 0, sizeof *y);
    if (cz_body_get_sint(r->body, cz_schema_field(r->type, "year")->tag, &year) != CZ_OK || year <= 0 || year > 9999)
        return;
    y->year = year;
    if (cz_body_get_bytes(r->body, cz_schema_field(r->type, "household")->tag, &h, &len) == CZ_OK &&
        len == CZ_ENTITY_BYTES && cz_report_household(o->t, h, cz_today(), (int)year, NULL, &in, &y->has) == CZ_OK &&
        y->has) {
        cz_format_hundredths(cz_report_net_per_person(&in), y->pp, sizeof y->pp);
        cz_format_hundredths(in.net, y->net, sizeof y->net);
        y->people = (long long)in.people;
    } else {
        y->has = 0;
    }
    if (cz_poverty_line(o->t, o->info->office_root, (uint32_t)year, &line) == CZ_OK) {
        y->has_line = 1;
        cz_format_hundredths(line, y->line, sizeof y->line);
    }
}

static json_t *row_json(struct exits_out *o, const struct cz_exit_row *row, const char *title, const char *year,
                        const char *criteria)
{
    const struct cz_exit_state *es = row->state;
    char hex[2 * CZ_ID_BYTES + 1], who[256], date[64], when[32];
    json_t *j = json_object(), *steps = json_array();
    cz_hex(row->entity, CZ_ENTITY_BYTES, hex);
    json_object_set_new(j, "id", json_string(hex));
    cz_hex(es->version, CZ_ID_BYTES, hex);
    json_object_set_new(j, "version", json_string(hex));
    json_object_set_new(j, "household", json_string(title));
    json_object_set_new(j, "region", json_string(row->record->region));
    json_object_set_new(j, "year", json_string(year));
    json_object_set_new(j, "stage", json_string(stage_keys[row->stage]));
    json_object_set_new(j, "step", row->step >= 0 ? json_string(cz_step_key((enum cz_step)row->step)) : json_null());
    json_object_set_new(j, "awaits_me", json_boolean(row->mine));
    if (es->approved[CZ_STEP_COUNTY]) {
        cz_format_cst((int64_t)(es->notice_close_ms / 1000), when, sizeof when);
        json_object_set_new(j, "notice_closes", json_string(when));
    } else {
        json_object_set_new(j, "notice_closes", json_null());
    }
    json_object_set_new(j, "criteria", criteria[0] ? json_string(criteria) : json_null());
    struct yearly y;
    yearly_figures(o, row->record, &y);
    json_object_set_new(j, "income_record_per_person", y.has ? json_string(y.pp) : json_null());
    json_object_set_new(j, "poverty_line", y.has_line ? json_string(y.line) : json_null());
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        json_t *st = json_object();
        json_object_set_new(st, "step", json_string(cz_step_key((enum cz_step)s)));
        if (step_signed(o, es, s, who, sizeof who, date, sizeof date)) {
            cz_hex(es->signer[s], 32, hex);
            json_object_set_new(st, "signed_by", json_string(who));
            json_object_set_new(st, "signed_by_key", json_string(hex));
            json_object_set_new(st, "date", json_string(date));
        }
        json_object_set_new(st, "rejected", json_boolean(es->rejected[s]));
        json_array_append_new(steps, st);
    }
    json_object_set_new(j, "steps", steps);
    return j;
}

static void row_text(struct exits_out *o, const struct cz_exit_row *row, const char *title, const char *year,
                     const char *criteria)
{
    struct cli *c = o->c;
    const struct cz_exit_state *es = row->state;
    char hex[2 * CZ_ENTITY_BYTES + 1], stage[256], who[256], date[64];
    cz_hex(row->entity, CZ_ENTITY_BYTES, hex);
    stage_text(o, row, stage, sizeof stage);
    printf("%.12s  %s  ", hex, title);
    printf(T(c, "year %s", "%s年"), year);
    printf("  %s\n", stage);
    struct yearly y;
    yearly_figures(o, row->record, &y);
    if (y.year) {
        printf("    ");
        if (y.has) printf(T(c, "Income record: %s per person (%s / %lld)", "年度收入记录：人均 %s（%s / %lld 人）"), y.pp, y.net,
                          y.people);
        else printf("%s", T(c, "No income record of that year", "无该年度收入记录"));
        if (y.has_line) printf(T(c, "; %lld poverty line %s\n", "；%lld 年贫困标准 %s\n"), y.year, y.line);
        else printf(T(c, "; no %lld poverty line\n", "；无 %lld 年贫困标准\n"), y.year);
    }
    if (criteria[0]) printf("    %s %s\n", T(c, "Criteria not met:", "不符合退出标准："), criteria);
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        printf("    %d. ", s + 1);
        print_padded(step_name(c, s), 20);
        if (step_signed(o, es, s, who, sizeof who, date, sizeof date)) printf("%s  %s\n", who, date);
        else if (es->rejected[s]) printf("%s\n", T(c, "rejected", "未通过"));
        else if (es->ahead[s]) printf("%s\n", T(c, "signed with a clock ahead of this PC: not counted yet",
                                              "签署时钟超前于本机：暂不计入"));
        else printf("-\n");
    }
}

static int exits_cb(void *ctx, const struct cz_exit_row *row)
{
    struct exits_out *o = ctx;
    char title[256], year[32], criteria[512] = "";
    if (!o->all && !row->mine) return CZ_OK;
    household_title(o, row->record, title, sizeof title);
    field_text(o->c, row->record, "year", year, sizeof year);
    if (row->state->criteria) {
        struct cz_exit_detail d;
        memset(&d, 0, sizeof d);
        cz_exit_criteria(o->t, o->info->office_root, row->record->body, &d);
        cz_exit_message(row->state->criteria, &d, o->c->lang, criteria, sizeof criteria);
    }
    o->shown++;
    if (o->arr) json_array_append_new(o->arr, row_json(o, row, title, year, criteria));
    else row_text(o, row, title, year, criteria);
    return CZ_OK;
}

/* A code of 2, 4, 6, 9 or 12 digits once its zero groups are gone. */
static int region_ok(const char *code)
{
    size_t l = cz_region_level(code);
    if (strspn(code, "0123456789") != strlen(code)) return 0;
    return l == 2 || l == 4 || l == 6 || l == 9 || l == 12;
}

int cmd_exits(struct cli *c, int argc, char **argv)
{
    struct exits_args a = { 0 };
    cz_view *v = NULL;
    if (exits_parse(argc, argv, &a))
        return usage(c, "exits [--all] [--region CODE]", "exits [--all] [--region 地区代码]");
    if (a.region && !region_ok(a.region)) {
        fprintf(stderr, "cunzhan: --region %s: %s\n", a.region,
                T(c, "not a region code (2, 4, 6, 9 or 12 digits)", "不是地区代码（2、4、6、9 或 12 位数字）"));
        return CZ_EXIT_USAGE;
    }
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    int rc = cz_view_begin(c->st, &v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    struct exits_out o = { .c = c, .t = cz_view_txn(v), .info = cz_station_info(c->st), .all = a.all,
                           .arr = c->json ? json_array() : NULL };
    rc = cz_view_exits_each(v, a.region, cz_station_person_pk(c->st), exits_cb, &o, NULL, NULL);
    if (rc == CZ_OK && o.arr) print_json(o.arr);
    else if (o.arr) json_decref(o.arr);
    else if (rc == CZ_OK && !o.shown)
        printf("%s\n", a.all ? T(c, "No exit assessment in your jurisdiction.", "您的辖区内没有退出评估。")
                             : T(c, "Nothing awaits a step you may sign.", "没有等待您审批的环节。"));
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    return CZ_EXIT_OK;
}
