/* cli_domain.c — the programme's own work: approve (the exit chain),
 * report, load (a spreadsheet) and demo (src/CLI.md, src/DOMAIN.md). */
#include "cli.h"
#include "cli_int.h"
#include "approve.h"
#include "csvload.h"
#include "demo.h"
#include "exitchain.h"
#include "hex.h"
#include "fsutil.h"
#include "grow.h"
#include "keys.h"
#include "parse.h"
#include "region.h"
#include "report.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- approve ---- */

/* The exit assessment ID names, or the latest one of the household it names. */
static int exit_of(struct cli *c, cz_view *v, const char *arg, uint8_t exit_entity[CZ_ENTITY_BYTES],
                   char version_hex[65])
{
    cz_txn *t = cz_view_txn(v);
    uint8_t entity[CZ_ENTITY_BYTES];
    struct cz_record r;
    if (resolve_entity(c, v, arg, entity)) return -1;
    int rc = cz_record_load(t, entity, &r);
    if (rc == CZ_OK && !strcmp(r.type_key, "household")) {
        uint8_t latest[CZ_ENTITY_BYTES];
        cz_record_clear(&r);
        if (cz_exit_latest(t, entity, latest) != CZ_OK) {
            fprintf(stderr, "cunzhan: %s\n", T(c, "this household has no exit assessment: add one with `cunzhan add exit household=ID year=...`",
                                                "该户还没有退出评估：请先用 `cunzhan add exit household=编号 year=...` 添加"));
            return -1;
        }
        memcpy(entity, latest, CZ_ENTITY_BYTES);
        rc = cz_record_load(t, entity, &r);
    }
    if (rc == CZ_OK && strcmp(r.type_key, "exit")) rc = CZ_ETYPE;
    if (rc) {
        fprintf(stderr, "cunzhan: %s: %s\n", arg, rc == CZ_ETYPE ? T(c, "not an exit assessment or a household", "不是退出评估或贫困户")
                                                                : cz_strerror(rc, c->lang));
        cz_record_clear(&r);
        return -1;
    }
    memcpy(exit_entity, entity, CZ_ENTITY_BYTES);
    cz_hex(r.id, CZ_ID_BYTES, version_hex);
    cz_record_clear(&r);
    return 0;
}

/* `approve`'s arguments; 0, or -1 when they are not an approve command line. */
struct approve_args { const char *id, *step, *decision, *notes, *date; };

static int approve_parse(int argc, char **argv, struct approve_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--step") && i + 1 < argc) a->step = argv[++i];
        else if (!strcmp(argv[i], "--reject")) a->decision = "reject";
        else if (!strcmp(argv[i], "--notes") && i + 1 < argc) a->notes = argv[++i];
        else if (!strcmp(argv[i], "--date") && i + 1 < argc) a->date = argv[++i];
        else if (!a->id) a->id = argv[i];
        else return -1;
    }
    return !a->id || !a->step || cz_step_parse(a->step) < 0 ? -1 : 0;
}

/* Why the approval was not signed; returns the exit code. */
static int approve_refused(struct cli *c, int rc, const struct cz_exit_detail *d, const struct cz_field_error *err)
{
    char msg[512];
    switch (rc) {
    case CZ_EROLE: case CZ_EORDER: case CZ_ENOTICE: case CZ_ESTALE: case CZ_EDONE: case CZ_ESAMESIGNER:
    case CZ_EDATECLOCK: case CZ_EDATEORDER: case CZ_EGUARANTEE: case CZ_EINCOME: case CZ_ENOLINE:
        cz_exit_message(rc, d, c->lang, msg, sizeof msg);
        fprintf(stderr, "cunzhan: %s\n", msg);
        fprintf(stderr, "cunzhan: %s\n", T(c, "nothing was stored", "没有保存任何内容"));
        break;
    case CZ_EPERM:
        fprintf(stderr, "cunzhan: %s\n", T(c, "this household lies outside your jurisdiction or role; nothing was stored",
                                            "该户超出您的辖区或角色权限；没有保存任何内容"));
        break;
    default:
        field_error(c, "approval", rc, err);
        break;
    }
    return CZ_EXIT_FAIL;
}

/* After the county decision: the day the notice may close. */
static void say_notice_close(struct cli *c, const struct approve_args *a, const uint8_t exit_entity[CZ_ENTITY_BYTES])
{
    uint64_t close_ms;
    char when[64];
    if (cz_step_parse(a->step) != CZ_STEP_COUNTY || strcmp(a->decision, "approve") ||
        cz_approve_notice_close(c->st, exit_entity, &close_ms) != CZ_OK)
        return;
    cz_format_cst((int64_t)(close_ms / 1000), when, sizeof when);
    fprintf(stderr, T(c, "cunzhan: the public notice may close from %s (China time)\n",
                       "cunzhan: 公示最早可于 %s（北京时间）结束\n"), when);
}

int cmd_approve(struct cli *c, int argc, char **argv)
{
    struct approve_args a = { .decision = "approve" };
    uint8_t exit_entity[CZ_ENTITY_BYTES], entity[CZ_ENTITY_BYTES], version[CZ_ID_BYTES];
    char version_hex[65], hex[65];
    struct cz_field_error err;
    struct cz_exit_detail d;
    cz_view *v = NULL;
    int rc;

    if (approve_parse(argc, argv, &a))
        return usage(c, "approve ID --step village|township|county|notice [--reject] [--notes TEXT] [--date YYYY-MM-DD]",
                     "approve 编号 --step village|township|county|notice [--reject] [--notes 说明] [--date 年-月-日]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if ((rc = cz_view_begin(c->st, &v))) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    rc = exit_of(c, v, a.id, exit_entity, version_hex);
    cz_view_end(v);
    if (rc || login(c)) return CZ_EXIT_FAIL;
    /* The rules first, to say which one fails with what it needs (the day
     * the notice may close, the criterion not met); cz_approve_sign
     * judges them again as it signs. */
    rc = cz_approve_check(c->st, exit_entity, a.step, a.decision, a.date, NULL, &d);
    if (rc == CZ_EDATE || rc == CZ_EFIELD) rc = CZ_OK;   /* field errors: reported by the signing below */
    if (rc == CZ_OK) {
        memset(&d, 0, sizeof d);
        rc = cz_approve_sign(c->st, exit_entity, a.step, a.decision, a.notes, a.date, NULL, entity, version,
                             version_hex, &err);
    }
    if (rc) return approve_refused(c, rc, &d, &err);
    say_notice_close(c, &a, exit_entity);
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(hex));
        json_object_set_new(o, "approves", json_string(version_hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

/* ---- report ---- */

static void print_bar(int64_t v, int64_t max)
{
    int width = max > 0 ? (int)((v * 30 + max - 1) / max) : 0;
    if (width) printf("  ");
    for (int i = 0; i < width; i++) putchar('#');
}

static void money(int64_t fen, char *buf, size_t size) { cz_format_hundredths(fen, buf, size); }

/* A table of the text report is laid out as cells, then printed with each
 * column as wide as its widest cell in display columns (a Chinese
 * character is two): labels of any length, in either language, never run
 * into the next column, and every row's bar starts in the same column. */
#define REPORT_COLS 8
struct report_cell {
    char text[192];
    unsigned right : 1;   /* a number: right-aligned */
    unsigned tight : 1;   /* a unit after its number: one space before, not two */
};
struct report_line { struct report_cell cell[REPORT_COLS]; size_t n; };

typedef void (*report_row_fn)(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l);

/* Adds a cell; text from a record (a place name) is made safe to print. */
static void cell(struct report_line *l, int right, int tight, const char *text)
{
    if (l->n == REPORT_COLS) return;
    struct report_cell *k = &l->cell[l->n++];
    cz_text_safe(text, k->text, sizeof k->text);
    k->right = right ? 1 : 0;
    k->tight = tight ? 1 : 0;
}

static void cell_int(struct report_line *l, int tight, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    cell(l, 1, tight, buf);
}

static void print_cell(const struct report_cell *k, size_t width, int first)
{
    size_t cols = cz_text_cols(k->text, strlen(k->text));
    printf("%s", first ? "  " : k->tight ? " " : "  ");
    if (k->right) for (size_t i = cols; i < width; i++) putchar(' ');
    fputs(k->text, stdout);
    if (!k->right) for (size_t i = cols; i < width; i++) putchar(' ');
}

/* One table of the report: its title, then one line a row, each ending in a
 * bar scaled to the table's largest value (a or b, as on_b says). */
static void print_table(struct cli *c, cz_txn *t, const char *title, const struct cz_report_table *tab, int on_b,
                        report_row_fn fn)
{
    int64_t max = cz_report_table_max(tab, on_b);
    size_t width[REPORT_COLS] = { 0 };
    struct report_line *lines = tab->n ? calloc(tab->n, sizeof *lines) : NULL;
    printf("%s\n", title);
    if (tab->n && !lines) { say_error(c, CZ_ENOMEM, NULL); return; }
    for (size_t i = 0; i < tab->n; i++) {
        fn(c, t, &tab->rows[i], &lines[i]);
        for (size_t k = 0; k < lines[i].n; k++) {
            size_t w = cz_text_cols(lines[i].cell[k].text, strlen(lines[i].cell[k].text));
            if (w > width[k]) width[k] = w;
        }
    }
    for (size_t i = 0; i < tab->n; i++) {
        for (size_t k = 0; k < lines[i].n; k++) print_cell(&lines[i].cell[k], width[k], k == 0);
        print_bar(on_b ? tab->rows[i].b : tab->rows[i].a, max);
        putchar('\n');
    }
    free(lines);
}

static void village_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    char name[128];
    cz_report_place_name(t, row->key, name, sizeof name);
    cell(l, 0, 0, row->key);
    cell(l, 0, 0, name);
    cell(l, 0, 0, cz_report_label("household", "status", row->sub, c->lang));
    cell_int(l, 0, (long long)row->a);
    cell(l, 0, 1, T(c, "households", "户"));
    cell_int(l, 0, (long long)row->b);
    cell(l, 0, 1, T(c, "people", "人"));
}

static void exited_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    cell(l, 0, 0, row->key);
    cell_int(l, 0, (long long)row->a);
    cell(l, 0, 1, T(c, "people", "人"));
    cell_int(l, 0, (long long)row->b);
    cell(l, 0, 1, T(c, "households", "户"));
}

static void cause_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    cell(l, 0, 0, cz_report_label("household", "causes", row->key, c->lang));
    cell_int(l, 0, (long long)row->a);
    cell(l, 0, 1, "/");
    cell_int(l, 1, (long long)row->b);
}

static void aid_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    char a[64], n[40];
    money(row->a, a, sizeof a);
    snprintf(n, sizeof n, "(%lld)", (long long)row->b);
    cell(l, 0, 0, cz_report_label("aid", "kind", row->key, c->lang));
    cell(l, 0, 0, cz_report_label("aid", "fund", row->sub, c->lang));
    cell(l, 1, 0, a);
    cell(l, 1, 0, n);
}

static void report_text(struct cli *c, cz_txn *t, const struct cz_report *r)
{
    char a[64], b[64];
    printf("%s  %s %s\n", T(c, "Report", "统计报表"), T(c, "region", "地区"), r->region[0] ? r->region : T(c, "all", "全部"));
    printf("%s %lld  %s %lld", T(c, "Households", "户数"), (long long)r->households, T(c, "people", "人数"), (long long)r->people);
    if (r->pending_left_out)
        printf("  (%s %lld)", T(c, "left out, author not yet certified:", "未计入（作者待认证）："), (long long)r->pending_left_out);
    printf("\n\n");
    print_table(c, t, T(c, "Households and people by village and status", "各村各状态户数、人数"), &r->by_village, 1,
                village_row);
    printf("\n");
    print_table(c, t, T(c, "People exited from poverty by year (whole approval chain)", "各年脱贫人数（审批链完整）"),
                &r->exited_by_year, 0, exited_row);
    printf("\n");
    print_table(c, t, T(c, "Households by poverty cause (primary / among causes)", "致贫原因户数（主要原因 / 含该原因）"),
                &r->by_cause, 1, cause_row);
    printf("\n");
    print_table(c, t, T(c, "Aid value by kind and funding source (yuan)", "帮扶物资价值（按类别、资金来源，元）"), &r->aid, 0,
                aid_row);
    money(r->special_total, a, sizeof a);
    printf("\n%s %s\n", T(c, "Special fiscal poverty funds (yuan):", "财政专项扶贫资金（元）："), a);
    cz_report_share(r->industry_share_bp, b, sizeof b);
    printf("  %s %s  %s\n", T(c, "spent on industry:", "用于产业扶贫："), b,
           r->industry_share_bp < 0 ? "-" : r->industry_pass ? T(c, "PASS (target over 70%)", "达标（目标 70% 以上）")
                                                             : T(c, "FAIL (target over 70%)", "未达标（目标 70% 以上）"));
    cz_report_share(r->household_share_bp, b, sizeof b);
    printf("  %s %s  %s\n", T(c, "of that, reaching registered households:", "其中用于建档立卡户："), b,
           r->household_share_bp < 0 ? "-" : r->household_pass ? T(c, "PASS (target over 80%)", "达标（目标 80% 以上）")
                                                               : T(c, "FAIL (target over 80%)", "未达标（目标 80% 以上）"));
    printf("\n%s %lld  %s %lld  %s %lld\n", T(c, "Trainings", "培训场次"), (long long)r->trainings,
           T(c, "trainees", "培训人数"), (long long)r->trainees, T(c, "leaflets", "发放资料"), (long long)r->leaflets);
    cz_format_hundredths(r->pepper_area, a, sizeof a);
    money(r->pepper_expected, b, sizeof b);
    printf("%s %lld  %s %s  %s %s\n", T(c, "Pepper plots", "辣椒地块"), (long long)r->pepper_plots,
           T(c, "area (mu)", "面积（亩）"), a, T(c, "expected income (yuan)", "预计收入（元）"), b);
    cz_format_hundredths(r->sale_quantity, a, sizeof a);
    printf("%s %lld  %s %s", T(c, "Purchases", "订单收购"), (long long)r->sales, T(c, "quantity (jin)", "数量（斤）"), a);
    money(r->sale_paid, a, sizeof a);
    money(r->sale_at_floor, b, sizeof b);
    printf("  %s %s  %s %s\n", T(c, "paid (yuan)", "已付（元）"), a, T(c, "at floor price", "按保底价"), b);
}

static void csv_row(const char *section, const char *key, const char *sub, long long v1, long long v2)
{
    printf("%s,%s,%s,%lld,%lld\n", section, key, sub, v1, v2);
}

static void report_csv(const struct cz_report *r)
{
    puts("section,key,sub,value,value2");
    csv_row("total", "households", "", r->households, 0);
    csv_row("total", "people", "", r->people, 0);
    for (size_t i = 0; i < r->by_village.n; i++)
        csv_row("village_status", r->by_village.rows[i].key, r->by_village.rows[i].sub, r->by_village.rows[i].a, r->by_village.rows[i].b);
    for (size_t i = 0; i < r->exited_by_year.n; i++)
        csv_row("exited_by_year", r->exited_by_year.rows[i].key, "", r->exited_by_year.rows[i].a, r->exited_by_year.rows[i].b);
    for (size_t i = 0; i < r->by_cause.n; i++)
        csv_row("cause", r->by_cause.rows[i].key, "", r->by_cause.rows[i].a, r->by_cause.rows[i].b);
    for (size_t i = 0; i < r->aid.n; i++)
        csv_row("aid_fen", r->aid.rows[i].key, r->aid.rows[i].sub, r->aid.rows[i].a, r->aid.rows[i].b);
    csv_row("special_funds_fen", "total", "", r->special_total, 0);
    csv_row("special_funds_fen", "industry", "", r->special_industry, r->industry_share_bp);
    csv_row("special_funds_fen", "industry_households", "", r->special_industry_households, r->household_share_bp);
    csv_row("training", "sessions", "", r->trainings, 0);
    csv_row("training", "trainees", "", r->trainees, 0);
    csv_row("training", "leaflets", "", r->leaflets, 0);
    csv_row("pepper", "area_hundredths_mu", "", r->pepper_area, r->pepper_plots);
    csv_row("pepper", "expected_income_fen", "", r->pepper_expected, 0);
    csv_row("sales", "quantity_hundredths_jin", "", r->sale_quantity, r->sales);
    csv_row("sales", "paid_fen", "", r->sale_paid, 0);
    csv_row("sales", "at_floor_fen", "", r->sale_at_floor, 0);
}

static json_t *table_json(const struct cz_report_table *tb, const char *k, const char *s,
                          const char *a, const char *b)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < tb->n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, k, json_string(tb->rows[i].key));
        if (s) json_object_set_new(o, s, json_string(tb->rows[i].sub));
        json_object_set_new(o, a, json_integer(tb->rows[i].a));
        json_object_set_new(o, b, json_integer(tb->rows[i].b));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *report_json(const struct cz_report *r)
{
    json_t *o = json_object(), *x;
    json_object_set_new(o, "region", json_string(r->region));
    json_object_set_new(o, "households", json_integer(r->households));
    json_object_set_new(o, "people", json_integer(r->people));
    json_object_set_new(o, "left_out_pending", json_integer(r->pending_left_out));
    json_object_set_new(o, "by_village", table_json(&r->by_village, "village", "status", "households", "people"));
    json_object_set_new(o, "exited_by_year", table_json(&r->exited_by_year, "year", NULL, "people", "households"));
    json_object_set_new(o, "by_cause", table_json(&r->by_cause, "cause", NULL, "primary", "households"));
    json_object_set_new(o, "aid", table_json(&r->aid, "kind", "fund", "value_fen", "records"));
    x = json_object();
    json_object_set_new(x, "total_fen", json_integer(r->special_total));
    json_object_set_new(x, "industry_fen", json_integer(r->special_industry));
    json_object_set_new(x, "industry_households_fen", json_integer(r->special_industry_households));
    json_object_set_new(x, "industry_share_bp", json_integer(r->industry_share_bp));
    json_object_set_new(x, "household_share_bp", json_integer(r->household_share_bp));
    json_object_set_new(x, "industry_pass", json_boolean(r->industry_pass));
    json_object_set_new(x, "household_pass", json_boolean(r->household_pass));
    json_object_set_new(o, "special_funds", x);
    x = json_object();
    json_object_set_new(x, "sessions", json_integer(r->trainings));
    json_object_set_new(x, "trainees", json_integer(r->trainees));
    json_object_set_new(x, "leaflets", json_integer(r->leaflets));
    json_object_set_new(o, "training", x);
    x = json_object();
    json_object_set_new(x, "plots", json_integer(r->pepper_plots));
    json_object_set_new(x, "area_hundredths_mu", json_integer(r->pepper_area));
    json_object_set_new(x, "expected_income_fen", json_integer(r->pepper_expected));
    json_object_set_new(o, "pepper", x);
    x = json_object();
    json_object_set_new(x, "purchases", json_integer(r->sales));
    json_object_set_new(x, "quantity_hundredths_jin", json_integer(r->sale_quantity));
    json_object_set_new(x, "paid_fen", json_integer(r->sale_paid));
    json_object_set_new(x, "at_floor_fen", json_integer(r->sale_at_floor));
    json_object_set_new(o, "sales", x);
    return o;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
    const char *format = c->json ? "json" : "text", *region = "";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) format = argv[++i];
        else if (!strcmp(argv[i], "--region") && i + 1 < argc) region = argv[++i];
        else return usage(c, "report [--format text|csv|json] [--region CODE]", "report [--format text|csv|json] [--region 代码]");
    }
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))
        return usage(c, "report --format text, csv or json", "report --format 只能是 text、csv 或 json");
    if (open_station(c)) return CZ_EXIT_FAIL;
    cz_view *v = NULL;
    struct cz_report r;
    char place[CZ_REGION_MAX + 1];
    int rc = cz_view_begin(c->st, &v);
    /* 411000 is the city 4110 (GB/T 2260's zeros), and a code that names
     * no known place is a mistyped one, not an empty report. */
    if (rc == CZ_OK && (rc = cz_region_filter(cz_view_txn(v), region, place))) {
        char safe[64], what[128];
        snprintf(what, sizeof what, "report --region %s", cz_text_safe(region, safe, sizeof safe));
        cz_view_end(v);
        say_error(c, rc, what);
        return rc == CZ_EPLACECODE || rc == CZ_ENOPLACE ? CZ_EXIT_USAGE : CZ_EXIT_FAIL;
    }
    if (rc == CZ_OK) rc = cz_report_build(cz_view_txn(v), cz_station_info(c->st)->office_root, place, &r);
    if (rc) { cz_view_end(v); say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (!strcmp(format, "json")) print_json(report_json(&r));
    else if (!strcmp(format, "csv")) report_csv(&r);
    else report_text(c, cz_view_txn(v), &r);
    cz_report_free(&r);
    cz_view_end(v);
    return CZ_EXIT_OK;
}

/* ---- load ---- */

/* The cause of the failed call just made. */
static int errno_status(void)
{
    return errno ? cz_fs_errno_status(errno) : CZ_EIO;
}

/* A whole file, NUL-terminated, in a new buffer the caller frees.  The
 * status keeps the cause (cz_fs_errno_status): a missing file, a refused
 * permission and a bad disk have different fixes. */
static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = CZ_OK;
    if (!f) return errno_status();
    for (;;) {
        if ((rc = cz_grow(&buf, &cap, n + 65536 + 1, 1))) break;
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) rc = errno_status();
            break;
        }
    }
    fclose(f);
    if (rc) { free(buf); return rc; }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return CZ_OK;
}

struct load_errors { struct cli *c; const struct cz_type *ty; size_t *line_of; json_t *arr; size_t n; };

static void load_error_cb(void *ctx, size_t row, int status, const struct cz_field_error *err)
{
    struct load_errors *le = ctx;
    char msg[1024];
    if (err && (err->field || err->name[0])) cz_field_error_message(le->ty, err, le->c->lang, msg, sizeof msg);
    else if (status == CZ_EPERM)
        snprintf(msg, sizeof msg, "%s", T(le->c, "outside your jurisdiction or role", "超出您的辖区或角色权限"));
    else snprintf(msg, sizeof msg, "%s", cz_strerror(status, le->c->lang));
    le->n++;
    if (le->arr) {
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer((json_int_t)le->line_of[row]));
        json_object_set_new(o, "field", json_string(err && err->name[0] ? err->name : ""));
        json_object_set_new(o, "message", json_string(msg));
        json_array_append_new(le->arr, o);
    } else {
        fprintf(stderr, T(le->c, "line %zu: %s\n", "第 %zu 行：%s\n"), le->line_of[row], msg);
    }
}

/* Why the CSV file was refused before anything was stored. */
static void csv_refused(struct cli *c, int rc, const struct cz_csv *csv, const char *file)
{
    switch (rc) {
    case CZ_EUTF8:
        fprintf(stderr, "cunzhan: %s: %s\n", file, T(c, "the file is neither UTF-8 nor GB18030: save it again as CSV (UTF-8)",
                                                     "文件既不是 UTF-8 也不是 GB18030 编码：请重新另存为 CSV (UTF-8)"));
        break;
    case CZ_ECANON:
        fprintf(stderr, "cunzhan: %s: %s\n", file, csv->csv_error);
        break;
    case CZ_EEMPTY:
        fprintf(stderr, "cunzhan: %s: %s\n", file, T(c, "the file is empty", "文件是空的"));
        break;
    case CZ_EFIELD:
        fprintf(stderr, "cunzhan: %s: %s: %s\n", file, csv->bad_column,
                T(c, "column is not a field of this type (`cunzhan fields` lists them); nothing was stored",
                   "该列不是此类型的字段（运行 `cunzhan fields` 查看）；没有保存任何内容"));
        break;
    default:
        say_error(c, rc, file);
        break;
    }
}

/* What the load came to: stored, rows refused (each already named by
 * load_error_cb), or the database's failure.  Takes le->arr. */
static int load_result(struct cli *c, int rc, size_t stored, const struct cz_csv *csv, struct load_errors *le,
                       const char *file)
{
    if (rc == CZ_OK) {
        if (c->json) {
            json_t *o = json_object();
            json_object_set_new(o, "stored", json_integer((json_int_t)stored));
            print_json(o);
        } else {
            printf(T(c, "%zu records stored\n", "已保存 %zu 条记录\n"), stored);
        }
        json_decref(le->arr);
        return CZ_EXIT_OK;
    }
    if (rc == CZ_EFIELD) {
        if (c->json) {
            json_t *o = json_object();
            json_object_set_new(o, "stored", json_integer(0));
            json_object_set_new(o, "errors", le->arr);
            print_json(o);
        }
        fprintf(stderr, T(c, "cunzhan: %zu of %zu rows refused; nothing was stored. Fix those rows and load the file again.\n",
                           "cunzhan: %2$zu 行中有 %1$zu 行有误；没有保存任何内容。请改正这些行后重新导入。\n"), le->n, csv->nrows);
        return CZ_EXIT_FAIL;
    }
    json_decref(le->arr);
    /* Failing to store is the database's (or its disk's) failure, not the file's. */
    say_error(c, rc, cz_status_is_store(rc) ? NULL : file);
    return CZ_EXIT_FAIL;
}

/* The file, read whole; 0, or -1 after a message. */
static int load_read(struct cli *c, const char *file, char **buf, size_t *len)
{
    int rc = read_file(file, buf, len);
    if (rc == CZ_OK) return 0;
    if (rc == CZ_EIO || rc == CZ_ENOTFOUND)
        fprintf(stderr, "cunzhan: %s: %s\n", file, T(c, "cannot read the file", "无法读取文件"));
    else
        say_error(c, rc, file);
    return -1;
}

int cmd_load(struct cli *c, int argc, char **argv)
{
    struct cz_csv csv;
    char *buf = NULL;
    size_t len = 0, stored = 0;
    int ret = CZ_EXIT_FAIL, rc;

    memset(&csv, 0, sizeof csv);
    if (argc != 2) return usage(c, "load TYPE FILE.csv", "load 类型 文件.csv");
    const struct cz_type *ty = type_arg(c, argv[0]);
    if (!ty) return CZ_EXIT_USAGE;
    if (load_read(c, argv[1], &buf, &len)) return CZ_EXIT_FAIL;
    rc = cz_csv_load(ty, buf, len, &csv);
    free(buf);
    if (rc) { csv_refused(c, rc, &csv, argv[1]); goto cleanup; }
    if (open_station(c) || login(c)) goto cleanup;
    struct load_errors le = { .c = c, .ty = ty, .line_of = csv.line_of, .arr = c->json ? json_array() : NULL };
    /* A load is one transaction: when it filled the database's map, the
     * map has grown meanwhile (store.h) and the same load is run again. */
    for (int tries = 0;; tries++) {
        rc = cz_station_add_many(c->st, ty->key, (const struct cz_assign *const *)csv.rows, csv.counts, csv.nrows,
                                 load_error_cb, &le, &stored);
        if (rc != CZ_EDBFULL || tries == CZ_CLI_MAP_RETRIES) break;
    }
    ret = load_result(c, rc, stored, &csv, &le, argv[1]);
cleanup:
    cz_csv_free(&csv);
    return ret;
}

/* ---- demo ---- */

static void demo_say(const char *step) { fprintf(stderr, "demo: %s\n", step); }

int cmd_demo(struct cli *c, int argc, char **argv)
{
    const char *what = NULL;
    const char *pass = getenv("CUNZHAN_PASSPHRASE");
    if (argc) return usage(c, "demo [-C DIR]", "demo [-C 文件夹]");
    if (!pass || !*pass) pass = "demo";
    int rc = cz_demo_build(c->dir, pass, demo_say, &what);
    if (rc == CZ_EEXIST) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, T(c, "a demo (or a station) already lives here; choose another folder with -C",
                                                        "这里已有演示数据（或村站）；请用 -C 选择其他文件夹"));
        return CZ_EXIT_FAIL;
    }
    if (rc) {
        fprintf(stderr, "cunzhan: demo: %s: %s\n", what ? what : "?", cz_strerror(rc, c->lang));
        return CZ_EXIT_FAIL;
    }
    printf(T(c, "demo ready in %s: office, yangshuwan, nanzhai (passphrase: %s)\n",
              "演示数据已建立于 %s：office、yangshuwan、nanzhai（口令：%s）\n"), c->dir,
           getenv("CUNZHAN_PASSPHRASE") ? T(c, "from CUNZHAN_PASSPHRASE", "同 CUNZHAN_PASSPHRASE") : "demo");
    return CZ_EXIT_OK;
}
