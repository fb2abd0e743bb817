/* cli_report.c — `cunzhan report`: the office's figures (report.h) as a
 * text report laid out in columns, CSV or JSON (src/CLI.md, "Figures and
 * checks"; src/DOMAIN.md, "What the office reports"). */
#include "cli.h"
#include "cli_int.h"
#include "parse.h"
#include "region.h"
#include "report.h"
#include "text.h"
#include "villrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- registry (household side): income structure, measures ---- */

static void measure_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    char a[64], n[40];
    (void)t;
    money(row->a, a, sizeof a);
    snprintf(n, sizeof n, "(%lld)", (long long)row->b);
    cell(l, 0, 0, cz_report_label("measure", "category", row->key, c->lang));
    cell(l, 1, 0, a);
    cell(l, 1, 0, n);
}

/* Each village and year: who it covers, then the sums by source. */
static void income_text(struct cli *c, cz_txn *t, const struct cz_report *r)
{
    char name[128], safe[128], v[6][64], pp[64];
    printf("%s\n", T(c, "Income structure by village and year (yuan; net per person over the members on 31 December)",
                     "收入结构（按村、年度，元；人均纯收入按当年12月31日家庭人口计）"));
    for (size_t i = 0; i < r->nincome; i++) {
        const struct cz_report_income *x = &r->income[i];
        cz_report_place_name(t, x->village, name, sizeof name);
        money(x->wages, v[0], 64);
        money(x->production, v[1], 64);
        money(x->costs, v[2], 64);
        money(x->property, v[3], 64);
        money(x->transfers, v[4], 64);
        money(x->net, v[5], 64);
        money(cz_report_net_per_person(x), pp, sizeof pp);
        printf("  %s %d  %s %lld  %s %lld\n", cz_text_safe(name[0] ? name : x->village, safe, sizeof safe), x->year,
               T(c, "households", "户数"), (long long)x->households, T(c, "people", "人数"), (long long)x->people);
        printf("    %s %s  %s %s  %s %s  %s %s\n", T(c, "wages", "工资性"), v[0], T(c, "production", "生产经营性"), v[1],
               T(c, "production costs", "生产经营支出"), v[2], T(c, "property", "财产性"), v[3]);
        printf("    %s %s  %s %s  %s %s\n", T(c, "transfers", "转移性"), v[4], T(c, "net", "纯收入"), v[5],
               T(c, "net per person", "人均纯收入"), pp);
    }
    if (!r->nincome) printf("  -\n");
}

static void registry_text(struct cli *c, cz_txn *t, const struct cz_report *r)
{
    printf("\n");
    income_text(c, t, r);
    printf("\n");
    print_table(c, t, T(c, "Measures by category (yuan, records)", "帮扶项目（按类别，金额元、条数）"), &r->measures, 0,
                measure_row);
}

/* ---- the village side (villrec.h) ---- */

static void incidence_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    char name[128], share[32];
    cz_report_place_name(t, row->key, name, sizeof name);
    cz_report_share(cz_villrec_incidence_bp(row->a, row->b), share, sizeof share);
    cell(l, 0, 0, row->key);
    cell(l, 0, 0, name);
    if (row->sub[0]) cell(l, 0, 0, row->sub);
    cell_int(l, 0, (long long)row->a);
    cell(l, 0, 1, "/");
    cell_int(l, 1, (long long)row->b);
    cell(l, 0, 1, T(c, "people", "人"));
    cell(l, 1, 0, share);
}

static void monitor_row(struct cli *c, cz_txn *t, const struct cz_report_row *row, struct report_line *l)
{
    (void)t;
    cell(l, 0, 0, cz_report_label("monitor", "kind", row->key, c->lang));
    cell(l, 0, 0, cz_report_label("monitor", "status", row->sub, c->lang));
    cell_int(l, 0, (long long)row->a);
    cell(l, 0, 1, T(c, "households", "户"));
}

static void report_village_side(struct cli *c, cz_txn *t, const struct cz_report *r)
{
    /* A store with no village figures and no monitoring (an office
     * before any village_year) shows the report as it always was. */
    if (!r->incidence.n && !r->monitors.n) return;
    printf("\n");
    print_table(c, t,
                T(c, "Poverty incidence by village (not yet out of poverty / rural registered population, latest year)",
                  "各村贫困发生率（未脱贫人口 / 农业户籍人口，最近年度）"),
                &r->incidence, 0, incidence_row);
    printf("\n");
    print_table(c, t, T(c, "Poverty incidence by township", "各乡镇贫困发生率"), &r->incidence_town, 0, incidence_row);
    printf("\n");
    print_table(c, t, T(c, "Monitored households by kind and status", "防返贫监测户（按类别、状态）"), &r->monitors, 0,
                monitor_row);
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
    registry_text(c, t, r);
    report_village_side(c, t, r);
}

static int report_csv(const struct cz_report *r)
{
    char *csv = NULL;
    size_t len = 0;
    int rc = cz_report_csv(r, &csv, &len);
    if (!rc && fwrite(csv, 1, len, stdout) != len) rc = CZ_EIO;
    free(csv);
    return rc;
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

/* "income": one object a village and year; "measures": by category. */
static void registry_json(json_t *o, const struct cz_report *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->nincome; i++) {
        const struct cz_report_income *x = &r->income[i];
        json_t *y = json_object();
        json_object_set_new(y, "village", json_string(x->village));
        json_object_set_new(y, "year", json_integer(x->year));
        json_object_set_new(y, "households", json_integer(x->households));
        json_object_set_new(y, "people", json_integer(x->people));
        json_object_set_new(y, "wages_fen", json_integer(x->wages));
        json_object_set_new(y, "production_fen", json_integer(x->production));
        json_object_set_new(y, "production_costs_fen", json_integer(x->costs));
        json_object_set_new(y, "property_fen", json_integer(x->property));
        json_object_set_new(y, "transfers_fen", json_integer(x->transfers));
        json_object_set_new(y, "net_fen", json_integer(x->net));
        json_object_set_new(y, "net_per_person_fen", json_integer(cz_report_net_per_person(x)));
        json_array_append_new(arr, y);
    }
    json_object_set_new(o, "income", arr);
    json_object_set_new(o, "measures", table_json(&r->measures, "category", NULL, "amount_fen", "records"));
}

/* 贫困发生率 rows: who is not out of poverty, of how many, the share. */
static json_t *incidence_json(const struct cz_report_table *tb, const char *k)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < tb->n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, k, json_string(tb->rows[i].key));
        if (tb->rows[i].sub[0]) json_object_set_new(o, "year", json_string(tb->rows[i].sub));
        json_object_set_new(o, "not_out_of_poverty", json_integer(tb->rows[i].a));
        json_object_set_new(o, "rural_population", json_integer(tb->rows[i].b));
        json_object_set_new(o, "incidence_bp", json_integer(cz_villrec_incidence_bp(tb->rows[i].a, tb->rows[i].b)));
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
    registry_json(o, r);
    json_object_set_new(o, "incidence_by_village", incidence_json(&r->incidence, "village"));
    json_object_set_new(o, "incidence_by_township", incidence_json(&r->incidence_town, "township"));
    json_object_set_new(o, "monitors", table_json(&r->monitors, "kind", "status", "households", "registered"));
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
    else if (!strcmp(format, "csv")) rc = report_csv(&r);
    else report_text(c, cz_view_txn(v), &r);
    cz_report_free(&r);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    return CZ_EXIT_OK;
}
