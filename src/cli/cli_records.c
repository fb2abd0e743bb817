/* cli_records.c — the records: add, edit, delete, show (with its
 * history) and the record types' fields (src/CLI.md); list and find are
 * in cli_list.c. */
#include "cli.h"
#include "hex.h"
#include "cli_int.h"
#include "exitchain.h"
#include "hhstatus.h"
#include "overview.h"
#include "keys.h"
#include "parse.h"
#include "query.h"
#include "report.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A referenced record's title, for showing "王秀英 (ce68acd8e6c8)". */
static void ref_title(cz_txn *t, const struct cz_field *f, const cz_body *b, char *buf, size_t size)
{
    const uint8_t *p;
    size_t len;
    struct cz_record r;
    buf[0] = 0;
    if (f->type != CZ_F_REF || cz_body_get_bytes(b, f->tag, &p, &len) != CZ_OK || len != CZ_ENTITY_BYTES)
        return;
    if (cz_record_load(t, p, &r) == CZ_OK && r.type && r.body)
        cz_schema_title(r.type, r.body, buf, size);
    cz_record_clear(&r);
}

static void print_fields(struct cli *c, cz_txn *txn, const struct cz_type *t, const cz_body *b,
                         const char *indent)
{
    char buf[4096];
    size_t label_w = 0;
    for (size_t i = 0; i < t->nfields; i++) {
        const char *label = T(c, t->fields[i].en, t->fields[i].zh);
        size_t w = cz_text_cols(label, strlen(label));
        if (w > label_w) label_w = w;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        if (!format_shown(c, f, b, c->lang, 1, buf, sizeof buf)) continue;
        fputs(indent, stdout);
        print_padded(T(c, f->en, f->zh), label_w);
        char title[256];
        ref_title(txn, f, b, title, sizeof title);
        if (title[0]) printf("  %s (%.12s)\n", title, buf);
        else printf("  %s\n", buf);
    }
}

int cmd_add(struct cli *c, int argc, char **argv)
{
    struct cz_assign *a;
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    if (argc < 1) return usage(c, "add TYPE FIELD=VALUE...", "add 类型 字段=值...");
    const struct cz_type *t = type_arg(c, argv[0]);
    if (!t) return CZ_EXIT_USAGE;
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c) || login(c)) { free(a); return CZ_EXIT_FAIL; }
    int rc = cz_station_add(c->st, t->key, a, (size_t)argc - 1, entity, id, &err);
    free(a);
    if (rc == CZ_EPERM) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "this record lies outside your jurisdiction or role; nothing was stored",
                                            "该记录超出您的辖区或角色权限；没有保存任何内容"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { field_error(c, t->key, rc, &err); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(hex));
        cz_hex(id, CZ_ID_BYTES, hex);
        json_object_set_new(o, "version", json_string(hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

/* An edit refused because the record is in conflict: which fields need a
 * choice, and the two ways to give one. */
static void conflict_error(struct cli *c, const char *type, const char *idarg, const struct cz_field_error *err)
{
    const struct cz_type *t = cz_schema_type(type);
    char list[600] = "";
    size_t used = 0;
    for (const char *s = err->detail; *s && used < sizeof list;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, s);
        const struct cz_field *f = t ? cz_schema_field(t, key) : NULL;
        const char *label = f ? T(c, f->en, f->zh) : !strcmp(key, "deleted") ? T(c, "deleted or kept", "删除还是保留") : key;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (%s)", used ? ", " : "", label, key);
        s = comma ? comma + 1 : s + len;
    }
    say_error(c, CZ_ECONFLICT, NULL);
    fprintf(stderr, "cunzhan: %s %s\n", T(c, "conflicting fields not chosen in this edit:", "本次修改未选定的冲突字段："), list);
    fprintf(stderr, "cunzhan: %s `cunzhan conflicts`; %s `cunzhan edit %s FIELD=VALUE` %s `cunzhan resolve %s`\n",
            T(c, "see the values with", "用以下命令查看各个取值："), T(c, "then choose with", "然后用"), idarg,
            T(c, "for each of them, or", "为每个字段选定，或用"), idarg);
    fprintf(stderr, "cunzhan: %s\n", T(c, "nothing was stored", "没有保存任何内容"));
}

int cmd_edit(struct cli *c, int argc, char **argv)
{
    struct cz_assign *a;
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char type[CZ_TYPE_MAX + 1] = "";
    if (argc < 2) return usage(c, "edit ID FIELD=VALUE...", "edit 编号 字段=值...");
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c) || lookup_entity(c, argv[0], entity) || login(c)) { free(a); return CZ_EXIT_FAIL; }
    cz_view *v = NULL;
    struct cz_record r;
    if (cz_view_begin(c->st, &v) == CZ_OK && cz_record_load(cz_view_txn(v), entity, &r) == CZ_OK) {
        snprintf(type, sizeof type, "%s", r.type_key);
        cz_record_clear(&r);
    }
    cz_view_end(v);
    int rc = cz_station_edit(c->st, entity, a, (size_t)argc - 1, id, &err);
    free(a);
    if (rc == CZ_EPERM) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "this record lies outside your jurisdiction or role; nothing was stored",
                                            "该记录超出您的辖区或角色权限；没有保存任何内容"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_ECONFLICT) { conflict_error(c, type, argv[0], &err); return CZ_EXIT_FAIL; }
    if (rc) { field_error(c, type, rc, &err); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(id, CZ_ID_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "version", json_string(hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

int cmd_delete(struct cli *c, int argc, char **argv)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    if (argc != 1) return usage(c, "delete ID", "delete 编号");
    if (open_station(c) || lookup_entity(c, argv[0], entity) || login(c)) return CZ_EXIT_FAIL;
    int rc = cz_station_delete(c->st, entity, id);
    if (rc) { say_error(c, rc, argv[0]); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(id, CZ_ID_BYTES, hex);
    puts(hex);
    return CZ_EXIT_OK;
}

/* What a version changed against its first parent, as "field: old -> new". */
static void print_changes(struct cli *c, const struct cz_type *t, const struct cz_version *v,
                          const struct cz_version *all, size_t n)
{
    const cz_body *before = NULL;
    for (size_t i = 0; v->nparents && i < n; i++)
        if (!memcmp(all[i].id, v->parents[0], CZ_ID_BYTES)) before = all[i].body;
    char a[2048], b[2048];
    for (size_t i = 0; t && i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        a[0] = b[0] = 0;
        if (before) format_shown(c, f, before, c->lang, 1, a, sizeof a);
        if (v->body) format_shown(c, f, v->body, c->lang, 1, b, sizeof b);
        if (!strcmp(a, b)) continue;
        printf("      %s: %s -> %s\n", T(c, f->en, f->zh), a[0] ? a : "-", b[0] ? b : "-");
    }
}

/* A household's size is counted from its members, never typed, as the
 * report counts them: one who died or moved out no longer (DOMAIN.md); a
 * member that cannot be read is left out rather than failing the show. */
static size_t household_size(cz_view *v, const uint8_t household[CZ_ENTITY_BYTES])
{
    size_t n = 0;
    if (cz_report_household(cz_view_txn(v), household, cz_today(), 0, &n, NULL, NULL) != CZ_OK)
        (void)cz_view_linked_count(v, household, "member", &n);
    return n;
}

/* The year's income record beside the assessors' own figure, which is not
 * checked against it (DOMAIN.md, net income per person). */
static void print_exit_income(struct cli *c, cz_txn *t, const struct cz_record *r)
{
    const uint8_t *h;
    size_t len;
    int64_t year;
    int has = 0;
    struct cz_report_income in;
    char a[48], b[48];
    if (cz_body_get_bytes(r->body, cz_schema_field(r->type, "household")->tag, &h, &len) != CZ_OK ||
        len != CZ_ENTITY_BYTES || cz_body_get_sint(r->body, cz_schema_field(r->type, "year")->tag, &year) != CZ_OK ||
        cz_report_household(t, h, cz_today(), (int)year, NULL, &in, &has) != CZ_OK)
        return;
    if (!has) {
        printf("  %s\n", T(c, "No yearly income record for that year.", "该年度没有年度收入记录。"));
        return;
    }
    cz_format_hundredths(cz_report_net_per_person(&in), a, sizeof a);
    cz_format_hundredths(in.net, b, sizeof b);
    printf("  %s %s (%s / %lld)\n", T(c, "The year's income record: net per person", "该年度收入记录：人均纯收入"), a, b,
           (long long)in.people);
}

/* The approval chain on the assessment's current version. */
static void print_exit_chain(struct cli *c, cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES])
{
    static const char *const en[] = { "village appraisal", "township review", "county decision", "public notice" };
    static const char *const zh[] = { "村民主评议", "乡镇审核", "县审定", "公示" };
    struct cz_exit_state es;
    char date[16];
    if (cz_exit_state(t, cz_station_info(c->st)->office_root, entity, &es) != CZ_OK) return;
    printf("  %s\n", T(c, "Approval chain on this version:", "本版本的审批链："));
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        if (es.approved[s]) cz_format_date(es.approved_on[s], date, sizeof date);
        printf("    %-9s", cz_step_key((enum cz_step)s));
        print_padded(T(c, en[s], zh[s]), 18);
        printf("%s\n", es.rejected[s] ? T(c, "rejected", "不同意") : es.approved[s] ? date
                      : es.ahead[s] ? T(c, "signed with a clock over a day ahead of this PC: not counted yet",
                                         "签署时钟超前本机一天以上：暂不计入") : "-");
    }
    char why[512];
    if (es.criteria) {
        struct cz_exit_detail d;
        struct cz_record r;
        memset(&d, 0, sizeof d);
        if (cz_record_load(t, entity, &r) == CZ_OK && r.body)
            cz_exit_criteria(t, cz_station_info(c->st)->office_root, r.body, &d);
        cz_record_clear(&r);
        cz_exit_message(es.criteria, &d, c->lang, why, sizeof why);
        printf("  %s\n", why);
    } else if (es.approved[CZ_STEP_COUNTY] && !es.approved[CZ_STEP_NOTICE]) {
        cz_format_cst((int64_t)(es.notice_close_ms / 1000), why, sizeof why);
        printf("  %s %s%s\n", T(c, "The public notice may close from", "公示最早可于"), why,
               T(c, " (China time).", "（北京时间）结束。"));
    }
    printf("  %s\n", es.complete ? T(c, "The household counts as exited.", "该户计为已脱贫。")
                                 : T(c, "The chain is not complete: the household does not count as exited.",
                                      "审批链不完整：该户不计为已脱贫。"));
}

/* One version of a record, for `show --history --json`. */
static json_t *version_json(struct cli *c, cz_txn *t, const struct cz_station_info *info,
                            const struct cz_type *type, const struct cz_version *v)
{
    char hex[65];
    json_t *o = json_object(), *parents = json_array();
    cz_hex(v->id, CZ_ID_BYTES, hex);
    json_object_set_new(o, "version", json_string(hex));
    signature_json(o, t, info, v->origin, v->seq, v->wall);
    json_object_set_new(o, "deleted", json_boolean(v->tombstone));
    for (size_t p = 0; p < v->nparents; p++) {
        cz_hex(v->parents[p], CZ_ID_BYTES, hex);
        json_array_append_new(parents, json_string(hex));
    }
    json_object_set_new(o, "parents", parents);
    json_object_set_new(o, "fields", fields_json(c, type, v->body));
    masked_json(c, o, type, v->body);
    return o;
}

/* What `show` prints: the record and, with --history, every version of it
 * (else NULL, 0). */
struct shown {
    struct cz_record r;
    struct cz_household_status hs;   /* a household's, written into r.body */
    struct cz_version *vs;
    size_t nv;
    int history;
};

/* The household attribute now, when a year's form gives one (the typed
 * `attribute` above is then only its earliest value: DOMAIN.md). */
static void attribute_now(struct cli *c, cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], json_t *o)
{
    char key[32];
    int from;
    if (cz_report_attribute(t, household, 0, key, sizeof key, &from) != CZ_OK || !key[0]) return;
    if (o) {
        json_object_set_new(o, "attribute_now", json_string(key));
        json_object_set_new(o, "attribute_year", from ? json_integer(from) : json_null());
    } else if (from) {
        printf(T(c, "  Attribute now (from the income record of %d): %s\n", "  当前贫困户属性（取自 %d 年度收入记录）：%s\n"),
               from, cz_enum_label(cz_schema_field(cz_schema_type("income"), "attribute"), key, c->lang));
    }
}

static void show_json(struct cli *c, cz_view *v, const struct shown *s)
{
    cz_txn *t = cz_view_txn(v);
    const struct cz_station_info *info = cz_station_info(c->st);
    json_t *o = record_json(c, t, info, &s->r);
    if (!strcmp(s->r.type_key, "household")) {
        json_object_set_new(o, "size", json_integer((json_int_t)household_size(v, s->r.entity)));
        json_object_set_new(o, "pending", json_boolean(s->hs.pending));
        attribute_now(c, t, s->r.entity, o);
        if (s->hs.status == CZ_HH_RETURNED) {
            char date[16];
            cz_format_date(s->hs.returned_on, date, sizeof date);
            json_object_set_new(o, "returned_on", json_string(date));
        }
    }
    if (s->history) {
        json_t *arr = json_array();
        for (size_t i = 0; i < s->nv; i++) json_array_append_new(arr, version_json(c, t, info, s->r.type, &s->vs[i]));
        json_object_set_new(o, "history", arr);
    }
    print_json(o);
}

static void show_history(struct cli *c, cz_txn *t, const struct shown *s)
{
    char hex[65], when[32], who[160];
    printf("%s\n", T(c, "History:", "历史版本："));
    for (size_t i = 0; i < s->nv; i++) {
        const struct cz_version *v = &s->vs[i];
        cz_hex(v->id, CZ_ID_BYTES, hex);
        format_time(v->wall, when, sizeof when);
        signer_name(t, cz_station_info(c->st), v->origin, c->lang, who, sizeof who);
        printf("  %zu. %.16s  %s  %s%s\n", i + 1, hex, when, who, v->tombstone ? T(c, "  (deleted)", "  （删除）") : "");
        print_changes(c, s->r.type, v, s->vs, s->nv);
    }
}

/* Where a household's status comes from, under its fields. */
static void print_status_note(struct cli *c, const struct cz_household_status *hs)
{
    char date[16], hex[65];
    cz_hex(hs->decided_by, CZ_ENTITY_BYTES, hex);
    if (hs->status == CZ_HH_RETURNED) {
        cz_format_date(hs->returned_on, date, sizeof date);
        printf("  %s %s (%s %.12s)\n", T(c, "Returned to poverty on", "返贫认定日期"), date,
               T(c, "return record", "返贫认定记录"), hex);
    } else if (hs->status == CZ_HH_EXITED && hs->paper) {
        printf("  %s %.12s%s\n", T(c, "Exited before this station: the office's statement of the paper file", "已脱贫：市办据纸质档案录入的"),
               hex, T(c, "", " 脱贫档案"));
    } else if (hs->status == CZ_HH_EXITED) {
        printf("  %s %.12s%s\n", T(c, "Exited: every approval step signed on exit assessment", "已脱贫：退出评估"), hex,
               T(c, "", " 的审批链已完整"));
    }
    if (hs->pending)
        printf("  %s\n", T(c, "pending: its signer's certificate is not here yet; the report leaves it out",
                           "待确认：签名人的证书尚未到达本站；报表不计入该户"));
}

static void show_text(struct cli *c, cz_view *v, const struct shown *s)
{
    cz_txn *t = cz_view_txn(v);
    const struct cz_record *r = &s->r;
    char hex[65], when[32], who[160];
    cz_hex(r->entity, CZ_ENTITY_BYTES, hex);
    printf("%s %s  %s\n", r->type ? T(c, r->type->en, r->type->zh) : r->type_key, hex,
           r->deleted ? T(c, "(deleted)", "（已删除）") : "");
    if (r->type && r->body) print_fields(c, t, r->type, r->body, "  ");
    if (!strcmp(r->type_key, "household")) {
        printf("  %s  %zu\n", T(c, "Household size (members)", "家庭人口（成员数）"), household_size(v, r->entity));
        attribute_now(c, t, r->entity, NULL);
        print_status_note(c, &s->hs);
    }
    if (!strcmp(r->type_key, "exit") && !r->deleted) print_exit_chain(c, t, r->entity);
    if (!strcmp(r->type_key, "exit") && r->body) print_exit_income(c, t, r);
    signer_name(t, cz_station_info(c->st), r->origin, c->lang, who, sizeof who);
    format_time(r->wall, when, sizeof when);
    cz_hex(r->id, CZ_ID_BYTES, hex);
    printf("  %s %s  %s  %s %s\n", T(c, "version", "版本"), hex, when, T(c, "signed by", "签名人"), who);
    if (r->nheads > 1)
        printf("  %s\n", T(c, "! concurrent versions: run `cunzhan conflicts`", "！存在并发版本：请运行 `cunzhan conflicts`"));
    if (s->history) show_history(c, t, s);
}

int cmd_show(struct cli *c, int argc, char **argv)
{
    const char *idarg = NULL;
    uint8_t entity[CZ_ENTITY_BYTES];
    cz_view *v = NULL;
    struct shown s = { .history = 0 };
    int rc, ret = CZ_EXIT_FAIL;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--history")) s.history = 1;
        else if (!idarg) idarg = argv[i];
        else return usage(c, "show ID [--history] [--json]", "show 编号 [--history] [--json]");
    }
    if (!idarg) return usage(c, "show ID [--history] [--json]", "show 编号 [--history] [--json]");
    if (open_station(c) || read_login(c)) return CZ_EXIT_FAIL;
    if ((rc = cz_view_begin(c->st, &v))) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (resolve_entity(c, v, idarg, entity)) { cz_view_end(v); return CZ_EXIT_FAIL; }
    cz_txn *t = cz_view_txn(v);
    if ((rc = cz_record_load(t, entity, &s.r)) || (s.history && (rc = cz_record_history(t, entity, &s.vs, &s.nv)))) {
        say_error(c, rc, idarg);
        goto cleanup;
    }
    /* A household shows its worked-out status, never the typed one. */
    if ((rc = cz_view_household_reckon(v, &s.r, &s.hs))) {
        say_error(c, rc, idarg);
        goto cleanup;
    }
    if (c->json) show_json(c, v, &s);
    else show_text(c, v, &s);
    masked_note(c);
    ret = CZ_EXIT_OK;
cleanup:
    cz_history_free(s.vs, s.nv);
    cz_record_clear(&s.r);
    cz_view_end(v);
    return ret;
}

static const char *ftype_name(enum cz_ftype t)
{
    static const char *names[] = {
        [CZ_F_LINE] = "text", [CZ_F_TEXT] = "long text", [CZ_F_INT] = "whole number",
        [CZ_F_YEAR] = "year", [CZ_F_MONEY] = "yuan", [CZ_F_AREA] = "mu",
        [CZ_F_DECIMAL] = "number", [CZ_F_DATE] = "date", [CZ_F_ENUM] = "one of",
        [CZ_F_SET] = "any of", [CZ_F_LIST] = "list", [CZ_F_REF] = "record id",
        [CZ_F_VERSION] = "version id", [CZ_F_IDNUM] = "ID number", [CZ_F_PHONE] = "phone",
        [CZ_F_PLACE] = "place code", [CZ_F_KEY] = "public key" };
    return names[t];
}

/* A reference to a household may also be typed as its number. */
static const char *field_kind(const struct cz_field *f)
{
    if (f->type == CZ_F_REF && f->ref_type && !strcmp(f->ref_type, "household")) return "household number or record id";
    return ftype_name(f->type);
}

static json_t *field_json(const struct cz_field *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(f->key));
    json_object_set_new(o, "en", json_string(f->en));
    json_object_set_new(o, "zh", json_string(f->zh));
    json_object_set_new(o, "kind", json_string(field_kind(f)));
    json_object_set_new(o, "required", json_boolean(f->flags & CZ_FF_REQUIRED));
    json_object_set_new(o, "derived", json_boolean(f->flags & CZ_FF_DERIVED));
    json_object_set_new(o, "reckoned", json_boolean(f->flags & CZ_FF_RECKONED));
    json_object_set_new(o, "private", json_boolean(f->flags & CZ_FF_PRIVATE));
    if (f->values) {
        json_t *vals = json_array();
        for (const struct cz_enum_value *v = f->values; v->key; v++) {
            json_t *vo = json_object();
            json_object_set_new(vo, "key", json_string(v->key));
            json_object_set_new(vo, "en", json_string(v->en));
            json_object_set_new(vo, "zh", json_string(v->zh));
            json_array_append_new(vals, vo);
        }
        json_object_set_new(o, "values", vals);
    }
    return o;
}

static json_t *type_json(const struct cz_type *t)
{
    json_t *o = json_object(), *fields = json_array();
    json_object_set_new(o, "type", json_string(t->key));
    json_object_set_new(o, "en", json_string(t->en));
    json_object_set_new(o, "zh", json_string(t->zh));
    for (size_t j = 0; j < t->nfields; j++) json_array_append_new(fields, field_json(&t->fields[j]));
    json_object_set_new(o, "fields", fields);
    return o;
}

/* What a derived field is worked out from, by its type. */
static const char *derived_from(struct cli *c, const struct cz_type *t)
{
    if (!strcmp(t->key, "income")) return T(c, ", worked out from the other amounts", "，由各项金额算出");
    if (!strcmp(t->key, "sale")) return T(c, ", from quantity and price", "，由数量和价格算出");
    return T(c, ", from the ID number", "，由身份证号得出");
}

static void print_type(struct cli *c, const struct cz_type *t)
{
    printf("%s  %s / %s\n", t->key, t->zh, t->en);
    for (size_t j = 0; j < t->nfields; j++) {
        const struct cz_field *f = &t->fields[j];
        printf("  ");
        print_padded(f->key, 18);
        print_padded(f->zh, 18);
        print_padded(f->en, 30);
        printf("%s%s%s", field_kind(f), f->flags & CZ_FF_REQUIRED ? T(c, ", required", "，必填") : "",
               f->flags & CZ_FF_RECKONED ? T(c, ", worked out from the exit chain", "，由退出审批链得出")
               : f->flags & CZ_FF_DERIVED ? derived_from(c, t) : "");
        if (f->flags & CZ_FF_PRIVATE) printf("%s", T(c, ", private", "，隐私"));
        if (f->values) {
            printf(":");
            for (const struct cz_enum_value *v = f->values; v->key; v++)
                printf(" %s(%s)", v->key, v->zh);
        }
        putchar('\n');
    }
}

int cmd_fields(struct cli *c, int argc, char **argv)
{
    size_t n;
    const struct cz_type *types = cz_schema_types(&n);
    const struct cz_type *only = NULL;
    if (argc > 1) return usage(c, "fields [TYPE]", "fields [类型]");
    if (argc == 1 && !(only = cz_schema_type(argv[0]))) {
        fprintf(stderr, "cunzhan: %s: %s\n", argv[0], T(c, "no such record type", "没有这种记录类型"));
        return CZ_EXIT_USAGE;
    }
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        if (only && &types[i] != only) continue;
        if (arr) json_array_append_new(arr, type_json(&types[i]));
        else print_type(c, &types[i]);
    }
    if (arr) print_json(arr);
    return CZ_EXIT_OK;
}

