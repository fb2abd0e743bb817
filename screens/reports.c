/* reports.c — the office's figures (cz_report_build, the same as
 * `cunzhan report`) as tables with bar charts, scrolled a page at a time.
 * Find picks a village, town or county of the person's jurisdiction by
 * name (or a code typed); To stick writes the report shown as the same
 * CSV as `cunzhan report --format csv` to the USB stick (reports_csv.c). */
#include "chart.h"
#include "grow.h"
#include "query.h"
#include "report.h"
#include "printing.h"
#include "screens_all.h"
#include "overview.h"
#include "parse.h"
#include "pickers.h"
#include "region.h"
#include "roster.h"
#include "reports_csv.h"
#include "villrec.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum rkind { R_HEAD, R_TEXT, R_BAR };

struct rline {
    enum rkind kind;
    char text[256];       /* heading, text, or the bar's label */
    char value[96];       /* bar: the figures, right-aligned */
    int64_t v, max;
};

struct reports {
    char region[CZ_REGION_MAX + 1];
    char region_name[128];   /* its place record's name; "" when none */
    int rc;
    struct rline *l;
    size_t n, cap, top;
};

static struct rline *add_line(struct reports *p, enum rkind kind)
{
    if (cz_grow(&p->l, &p->cap, p->n + 1, sizeof *p->l)) return NULL;
    struct rline *r = &p->l[p->n++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    return r;
}

static void text_line(struct reports *p, enum rkind kind, const char *s)
{
    struct rline *r = add_line(p, kind);
    if (r) snprintf(r->text, sizeof r->text, "%s", s);
}

static void bar_line(struct reports *p, const char *label, const char *value, int64_t v, int64_t max)
{
    struct rline *r = add_line(p, R_BAR);
    if (!r) return;
    snprintf(r->text, sizeof r->text, "%s", label);
    snprintf(r->value, sizeof r->value, "%s", value);
    r->v = v;
    r->max = max;
}

/* The totals and the households and people by village and status. */
static void lay_out_villages(struct ui *ui, struct reports *p, cz_txn *t, const struct cz_report *r)
{
    char line[256], label[160], value[96], name[128];
    snprintf(line, sizeof line, "%s %lld  %s %lld", T(ui, "Households", "户数"), (long long)r->households,
             T(ui, "people", "人数"), (long long)r->people);
    text_line(p, R_HEAD, line);
    if (r->pending_left_out) {
        snprintf(line, sizeof line, "%s %lld", T(ui, "left out, author not yet certified:", "未计入（作者待认证）："),
                 (long long)r->pending_left_out);
        text_line(p, R_TEXT, line);
    }
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Households and people by village and status", "各村各状态户数、人数"));
    int64_t max = cz_report_table_max(&r->by_village, 1);
    for (size_t i = 0; i < r->by_village.n; i++) {
        const struct cz_report_row *row = &r->by_village.rows[i];
        cz_report_place_name(t, row->key, name, sizeof name);
        snprintf(label, sizeof label, "%s %s", name[0] ? name : row->key,
                 cz_report_label("household", "status", row->sub, ui->lang));
        snprintf(value, sizeof value, T(ui, "%lld hh %lld people", "%lld 户 %lld 人"), (long long)row->a, (long long)row->b);
        bar_line(p, label, value, row->b, max);
    }
}

/* Exits by year, households by poverty cause, aid by kind and fund. */
static void lay_out_tables(struct ui *ui, struct reports *p, const struct cz_report *r)
{
    char label[160], value[96], a[48];
    int64_t max;
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "People exited from poverty by year", "各年脱贫人数（审批链完整）"));
    if (!r->exited_by_year.n) text_line(p, R_TEXT, T(ui, "  none yet", "  暂无"));
    max = cz_report_table_max(&r->exited_by_year, 0);
    for (size_t i = 0; i < r->exited_by_year.n; i++) {
        const struct cz_report_row *row = &r->exited_by_year.rows[i];
        snprintf(value, sizeof value, T(ui, "%lld people %lld hh", "%lld 人 %lld 户"), (long long)row->a, (long long)row->b);
        bar_line(p, row->key, value, row->a, max);
    }
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Households by poverty cause (primary / among causes)", "致贫原因户数（主要原因 / 含该原因）"));
    max = cz_report_table_max(&r->by_cause, 1);
    for (size_t i = 0; i < r->by_cause.n; i++) {
        const struct cz_report_row *row = &r->by_cause.rows[i];
        snprintf(value, sizeof value, "%lld / %lld", (long long)row->a, (long long)row->b);
        bar_line(p, cz_report_label("household", "causes", row->key, ui->lang), value, row->b, max);
    }
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Aid value by kind and funding source (yuan)", "帮扶物资价值（按类别、资金来源，元）"));
    max = cz_report_table_max(&r->aid, 0);
    /* A funding source's name is too long to share the bar's label with a
     * kind (English ones would be cut): each source heads its kinds. */
    for (size_t i = 0; i < r->aid.n; i++) {
        const char *fund = r->aid.rows[i].sub;
        size_t first = 0;
        while (strcmp(r->aid.rows[first].sub, fund)) first++;
        if (first < i) continue;                  /* this source is listed already */
        snprintf(label, sizeof label, "  %s:", cz_report_label("aid", "fund", fund, ui->lang));
        text_line(p, R_TEXT, label);
        for (size_t j = i; j < r->aid.n; j++) {
            const struct cz_report_row *row = &r->aid.rows[j];
            if (strcmp(row->sub, fund)) continue;
            cz_format_hundredths(row->a, a, sizeof a);
            snprintf(label, sizeof label, "  %s", cz_report_label("aid", "kind", row->key, ui->lang));
            snprintf(value, sizeof value, "%s (%lld)", a, (long long)row->b);
            bar_line(p, label, value, row->a, max);
        }
    }
}

/* The special funds and their two shares, trainings, peppers, purchases. */
static void lay_out_funds(struct ui *ui, struct reports *p, const struct cz_report *r)
{
    char line[256], a[48], b[64];
    text_line(p, R_TEXT, "");
    cz_format_hundredths(r->special_total, a, sizeof a);
    snprintf(line, sizeof line, "%s %s", T(ui, "Special fiscal poverty funds (yuan):", "财政专项扶贫资金（元）："), a);
    text_line(p, R_HEAD, line);
    cz_report_share(r->industry_share_bp, b, sizeof b);
    snprintf(line, sizeof line, "  %s %s  %s", T(ui, "on industry:", "用于产业扶贫："), b,
             r->industry_share_bp < 0 ? "-" : r->industry_pass ? T(ui, "PASS (over 70%)", "达标（70% 以上）")
                                                              : T(ui, "FAIL (over 70%)", "未达标（70% 以上）"));
    text_line(p, R_TEXT, line);
    cz_report_share(r->household_share_bp, b, sizeof b);
    snprintf(line, sizeof line, "  %s %s  %s", T(ui, "reaching registered households:", "其中用于建档立卡户："), b,
             r->household_share_bp < 0 ? "-" : r->household_pass ? T(ui, "PASS (over 80%)", "达标（80% 以上）")
                                                                : T(ui, "FAIL (over 80%)", "未达标（80% 以上）"));
    text_line(p, R_TEXT, line);
    text_line(p, R_TEXT, "");
    snprintf(line, sizeof line, "%s %lld  %s %lld  %s %lld", T(ui, "Trainings", "培训场次"), (long long)r->trainings,
             T(ui, "trainees", "培训人数"), (long long)r->trainees, T(ui, "leaflets", "发放资料"), (long long)r->leaflets);
    text_line(p, R_TEXT, line);
    cz_format_hundredths(r->pepper_area, a, sizeof a);
    cz_format_hundredths(r->pepper_expected, b, sizeof b);
    snprintf(line, sizeof line, "%s %lld  %s %s  %s %s", T(ui, "Pepper plots", "辣椒地块"), (long long)r->pepper_plots,
             T(ui, "mu", "亩"), a, T(ui, "expected yuan", "预计收入（元）"), b);
    text_line(p, R_TEXT, line);
    cz_format_hundredths(r->sale_quantity, a, sizeof a);
    cz_format_hundredths(r->sale_paid, b, sizeof b);
    snprintf(line, sizeof line, "%s %lld  %s %s  %s %s", T(ui, "Purchases", "订单收购"), (long long)r->sales,
             T(ui, "jin", "斤"), a, T(ui, "paid yuan", "已付（元）"), b);
    text_line(p, R_TEXT, line);
}

/* ---- registry (household side): income structure, measures ---- */

/* Each village and year: a bar of net income per person, then the sums. */
static void lay_out_registry(struct ui *ui, struct reports *p, cz_txn *t, const struct cz_report *r)
{
    char line[256], label[160], value[96], name[128], a[6][48];
    int64_t max = 0;
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Income by village and year (yuan, net per person)", "收入结构（按村、年度，元，人均纯收入）"));
    if (!r->nincome) text_line(p, R_TEXT, T(ui, "  none yet", "  暂无"));
    for (size_t i = 0; i < r->nincome; i++)
        if (cz_report_net_per_person(&r->income[i]) > max) max = cz_report_net_per_person(&r->income[i]);
    for (size_t i = 0; i < r->nincome; i++) {
        const struct cz_report_income *x = &r->income[i];
        int64_t pp = cz_report_net_per_person(x);
        cz_report_place_name(t, x->village, name, sizeof name);
        snprintf(label, sizeof label, "%s %d", name[0] ? name : x->village, x->year);
        cz_format_hundredths(pp, a[0], sizeof a[0]);
        snprintf(value, sizeof value, T(ui, "%s (%lld hh %lld people)", "%s（%lld 户 %lld 人）"), a[0],
                 (long long)x->households, (long long)x->people);
        bar_line(p, label, value, pp, max);
        cz_format_hundredths(x->wages, a[1], sizeof a[1]);
        cz_format_hundredths(x->production, a[2], sizeof a[2]);
        cz_format_hundredths(x->costs, a[3], sizeof a[3]);
        snprintf(line, sizeof line, "    %s %s  %s %s  %s %s", T(ui, "wages", "工资性"), a[1],
                 T(ui, "production", "生产经营性"), a[2], T(ui, "costs", "支出"), a[3]);
        text_line(p, R_TEXT, line);
        cz_format_hundredths(x->property, a[1], sizeof a[1]);
        cz_format_hundredths(x->transfers, a[2], sizeof a[2]);
        cz_format_hundredths(x->net, a[3], sizeof a[3]);
        snprintf(line, sizeof line, "    %s %s  %s %s  %s %s", T(ui, "property", "财产性"), a[1],
                 T(ui, "transfers", "转移性"), a[2], T(ui, "net", "纯收入"), a[3]);
        text_line(p, R_TEXT, line);
    }
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Measures by category (yuan, records)", "帮扶项目（按类别，金额元、条数）"));
    if (!r->measures.n) text_line(p, R_TEXT, T(ui, "  none yet", "  暂无"));
    max = cz_report_table_max(&r->measures, 0);
    for (size_t i = 0; i < r->measures.n; i++) {
        const struct cz_report_row *row = &r->measures.rows[i];
        cz_format_hundredths(row->a, a[0], sizeof a[0]);
        snprintf(value, sizeof value, "%s (%lld)", a[0], (long long)row->b);
        bar_line(p, cz_report_label("measure", "category", row->key, ui->lang), value, row->a, max);
    }
}

/* 贫困发生率 by village and township, monitored households by kind and
 * status (villrec.h). */
static void lay_out_village_side(struct ui *ui, struct reports *p, cz_txn *t, const struct cz_report *r)
{
    char label[256], value[96], name[128], share[32];
    const struct cz_report_table *tabs[2] = { &r->incidence, &r->incidence_town };
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Poverty incidence (not out of poverty / rural population)", "贫困发生率（未脱贫人口 / 农业户籍人口）"));
    if (!r->incidence.n) text_line(p, R_TEXT, T(ui, "  no poor village figures yet", "  暂无贫困村年度信息"));
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < tabs[k]->n; i++) {
            const struct cz_report_row *row = &tabs[k]->rows[i];
            int32_t bp = cz_villrec_incidence_bp(row->a, row->b);
            cz_report_place_name(t, row->key, name, sizeof name);
            cz_report_share(bp, share, sizeof share);
            snprintf(label, sizeof label, "%s %s", name[0] ? name : row->key, row->sub);
            snprintf(value, sizeof value, "%lld/%lld %s", (long long)row->a, (long long)row->b, share);
            bar_line(p, label, value, bp < 0 ? 0 : bp, 10000);
        }
    text_line(p, R_TEXT, "");
    text_line(p, R_HEAD, T(ui, "Monitored households by kind and status", "防返贫监测户（按类别、状态）"));
    if (!r->monitors.n) text_line(p, R_TEXT, T(ui, "  none yet", "  暂无"));
    int64_t max = cz_report_table_max(&r->monitors, 0);
    for (size_t i = 0; i < r->monitors.n; i++) {
        const struct cz_report_row *row = &r->monitors.rows[i];
        /* The kind is the label; the status goes with the count, where
         * it is not cut off at 80 columns. */
        snprintf(label, sizeof label, "%s", cz_report_label("monitor", "kind", row->key, ui->lang));
        snprintf(value, sizeof value, T(ui, "%s %lld hh", "%s %lld 户"),
                 cz_report_label("monitor", "status", row->sub, ui->lang), (long long)row->a);
        bar_line(p, label, value, row->a, max);
    }
}

static void lay_out(struct ui *ui, struct reports *p, cz_txn *t, const struct cz_report *r)
{
    lay_out_villages(ui, p, t, r);
    lay_out_tables(ui, p, r);
    lay_out_funds(ui, p, r);
    lay_out_registry(ui, p, t, r);
    lay_out_village_side(ui, p, t, r);
}

static void build(struct ui *ui, struct reports *p)
{
    cz_view *v = NULL;
    struct cz_report r;
    p->n = 0;
    p->top = 0;
    p->rc = cz_view_begin(ui->st, &v);
    p->region_name[0] = 0;
    if (!p->rc && p->region[0]) cz_report_place_name(cz_view_txn(v), p->region, p->region_name, sizeof p->region_name);
    if (!p->rc) p->rc = cz_report_build(cz_view_txn(v), cz_station_info(ui->st)->office_root, p->region, &r);
    if (!p->rc) {
        lay_out(ui, p, cz_view_txn(v), &r);
        cz_report_free(&r);
    }
    cz_view_end(v);
}

static int reports_open(struct ui *ui, struct screen *s, const void *arg)
{
    (void)arg;
    struct reports *p = calloc(1, sizeof *p);
    if (!p) return CZ_ENOMEM;
    s->state = p;
    build(ui, p);
    return CZ_OK;
}

static int page_rows(struct ui *ui) { int n = ui_body_rows(ui) - 2; return n > 1 ? n : 1; }

static void reports_draw(struct ui *ui, struct screen *s)
{
    struct reports *p = s->state;
    char line[256];
    snprintf(line, sizeof line, "%s  %s %s%s%s", T(ui, "Report", "统计报表"), T(ui, "region", "地区"),
             p->region[0] ? p->region : T(ui, "all", "全部"), p->region_name[0] ? " " : "", p->region_name);
    ui_title(ui, line);
    if (ui_failed(ui, UI_TOP + 2, p->rc)) return;
    int rows = page_rows(ui), width = ui->cols - 2;
    int label_cols = width * 2 / 5;
    for (int i = 0; i < rows && p->top + (size_t)i < p->n; i++) {
        const struct rline *r = &p->l[p->top + (size_t)i];
        int y = UI_TOP + 2 + i;
        if (r->kind == R_BAR) chart_row(ui, y, 1, width, label_cols, r->text, r->value, r->v, r->max, A_NORMAL);
        else ui_text(ui, y, 1, r->text, width, r->kind == R_HEAD ? A_BOLD : A_NORMAL);
    }
    if (p->n > (size_t)rows) {
        snprintf(line, sizeof line, "%zu-%zu/%zu", p->top + 1,
                 p->top + (size_t)rows < p->n ? p->top + (size_t)rows : p->n, p->n);
        ui_text(ui, UI_TOP, ui->cols - 1 - ui_cols(line), line, ui_cols(line), A_NORMAL);
    }
}

/* The places listed are the logged-in person's: their certificate's
 * region (the office root's: everywhere), else (not certified yet) the
 * station's. */
static void jurisdiction(struct ui *ui, char out[CZ_REGION_MAX + 1])
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    const uint8_t *pk = cz_station_person_pk(ui->st);
    struct cz_trust_info ti;
    cz_view *v = NULL;
    cz_region_normalize(info->region, out);
    if (!pk || cz_view_begin(ui->st, &v)) return;
    if (cz_roster_lookup(cz_view_txn(v), info->office_root, pk, &ti) == CZ_OK && !ti.revoked) {
        if (ti.state == CZ_TRUST_ROOT) out[0] = 0;
        else if (ti.state == CZ_TRUST_CERTIFIED) cz_region_normalize(ti.region, out);
    }
    cz_view_end(v);
}

/* A place from the list (or a code typed), checked as `report --region`
 * checks it: a code naming no place is refused by name, and the report
 * shown stays as it was. */
static void ask_region(struct ui *ui, struct reports *p)
{
    char code[CZ_REGION_MAX + 1] = "", place[CZ_REGION_MAX + 1] = "";
    char norm[CZ_REGION_MAX + 1];
    jurisdiction(ui, norm);
    int got = pick_place(ui, T(ui, "Region code or name: type to narrow", "地区代码或名称：输入以筛选"), norm, p->region, code);
    if (got < 0) { ui_status_message(ui, -got); return; }
    if (got == 0) return;
    cz_view *v = NULL;
    int rc = cz_view_begin(ui->st, &v);
    if (!rc) rc = cz_region_filter(cz_view_txn(v), code, place);
    cz_view_end(v);
    if (rc) {
        ui_message(ui, 1, "%s: %s", code, cz_strerror(rc, ui->lang));
        return;
    }
    snprintf(p->region, sizeof p->region, "%s", place);
    build(ui, p);
}

/* The report shown, as tables with bars (print.h), named by its region. */
static void print_report(struct ui *ui, const struct reports *p)
{
    char path[4096];
    struct cz_print_out o = { .path = path, .lang = ui->lang };
    if (printing_path(ui, "report", p->region, path, sizeof path)) return;
    printing_said(ui, cz_print_report(ui->st, p->region, &o), &o);
}

static enum ui_result reports_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct reports *p = s->state;
    size_t rows = (size_t)page_rows(ui), last = p->n > rows ? p->n - rows : 0;
    switch (k->action) {
    case ACT_UP: if (p->top) p->top--; return UI_HANDLED;
    case ACT_DOWN: if (p->top < last) p->top++; return UI_HANDLED;
    case ACT_PAGE_UP: p->top = p->top > rows ? p->top - rows : 0; return UI_HANDLED;
    case ACT_PAGE_DOWN: case ACT_NEXT: p->top = p->top + rows < last ? p->top + rows : last; return UI_HANDLED;
    case ACT_HOME: p->top = 0; return UI_HANDLED;
    case ACT_END: p->top = last; return UI_HANDLED;
    case ACT_FIND: ask_region(ui, p); return UI_HANDLED;
    case ACT_TO_STICK: reports_csv_to_stick(ui, p->region); return UI_HANDLED;
    case ACT_PRINT: print_report(ui, p); return UI_HANDLED;
    case ACT_LANGUAGE:
        ui->lang = ui->lang == CZ_LANG_ZH ? CZ_LANG_EN : CZ_LANG_ZH;
        build(ui, p);
        return UI_HANDLED;
    default: return UI_UNHANDLED;
    }
}

static void reports_close(struct screen *s)
{
    struct reports *p = s->state;
    free(p->l);
    free(p);
}

static const enum cz_action reports_hints[] = { ACT_PAGE_DOWN, ACT_PAGE_UP, ACT_FIND, ACT_TO_STICK, ACT_PRINT, ACT_BACK,
                                                 ACT_NONE };

const struct screen_ops cz_screen_reports = {
    .name = "reports",
    .open = reports_open,
    .draw = reports_draw,
    .key = reports_key,
    .close = reports_close,
    .hints = reports_hints,
};
