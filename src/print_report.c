/* print_report.c — the office's figures (report.h) on paper: the same
 * tables `cunzhan report` prints, each row with a bar scaled to the
 * table's largest value, then the funds, trainings, pepper plots and
 * purchases, the income structure and the measures by category. */
#include "print_int.h"
#include "overview.h"
#include "parse.h"
#include "region.h"
#include "report.h"
#include "villrec.h"

#include <stdio.h>
#include <string.h>

struct rep {
    struct cz_pdf *p;
    cz_txn *t;
    enum cz_lang lang;
};

static double share(int64_t v, int64_t max) { return max > 0 ? (double)v / (double)max : 0; }

static void num(int64_t v, char *buf, size_t size) { snprintf(buf, size, "%lld", (long long)v); }

/* How one of the report's plain tables (cz_report_table: key, sub, a, b)
 * is printed: a column for the key, one for the sub when there is one, a
 * and b as numbers, then a bar on a or b scaled to that column's largest.
 * The key and the sub are a place, a field's label, or shown as they are. */
enum cell_kind { CELL_NONE, CELL_RAW, CELL_PLACE, CELL_LABEL };
struct column { const char *en, *zh; double share; };
struct plain_table {
    const char *en, *zh;                         /* the heading */
    enum cell_kind key, sub;
    const char *type, *key_field, *sub_field;    /* for CELL_LABEL */
    int a_money, has_b, bar_on_b;                /* a in hundredths (yuan); b shown; the bar on b */
    struct column cols[5];                       /* key, [sub], a, [b], bar */
};

static const char *cell(struct rep *r, enum cell_kind kind, const char *type, const char *field, const char *v,
                        char *buf, size_t size)
{
    char name[256];
    if (kind == CELL_LABEL) return cz_report_label(type, field, v, r->lang);
    if (kind != CELL_PLACE) return v;
    cz_report_place_name(r->t, v, name, sizeof name);
    snprintf(buf, size, "%s %s", name, v);
    return buf;
}

static void plain(struct rep *r, const struct cz_report_table *tb, const struct plain_table *pt)
{
    struct cz_pdf *p = r->p;
    struct cz_pdf_col cols[5];
    size_t n = 0;
    for (; n < 5 && pt->cols[n].en; n++) {
        const char *h = cz_pdf_tr(p, pt->cols[n].en, pt->cols[n].zh);
        int last = n + 1 == 5 || !pt->cols[n + 1].en;
        struct cz_pdf_col c = { .head = h, .share = pt->cols[n].share,
                                .right = !last && n > (pt->sub != CELL_NONE), .bar = last };
        cols[n] = c;
    }
    int64_t max = cz_report_table_max(tb, pt->bar_on_b);
    cz_pdf_heading(p, cz_pdf_tr(p, pt->en, pt->zh));
    cz_pdf_table(p, cols, n);
    for (size_t i = 0; i < tb->n; i++) {
        const struct cz_report_row *row = &tb->rows[i];
        char kb[340], sb[340], a[64], b[32];
        const char *cells[5];
        size_t k = 0;
        cells[k++] = cell(r, pt->key, pt->type, pt->key_field, row->key, kb, sizeof kb);
        if (pt->sub != CELL_NONE) cells[k++] = cell(r, pt->sub, pt->type, pt->sub_field, row->sub, sb, sizeof sb);
        if (pt->a_money) cz_format_hundredths(row->a, a, sizeof a);
        else num(row->a, a, sizeof a);
        cells[k++] = a;
        if (pt->has_b) { num(row->b, b, sizeof b); cells[k++] = b; }
        cells[k++] = "";
        cz_pdf_row(p, cells, share(pt->bar_on_b ? row->b : row->a, max));
    }
    cz_pdf_table_end(p);
}

static const struct plain_table by_village = {
    .en = "Households and people by village and status", .zh = "各村各状态户数、人数",
    .key = CELL_PLACE, .sub = CELL_LABEL, .type = "household", .sub_field = "status", .has_b = 1, .bar_on_b = 1,
    .cols = { { "Village", "村", 0.3 }, { "Status", "状态", 0.16 }, { "Households", "户数", 0.12 },
      { "People", "人数", 0.12 }, { "People", "人数", 0.3 } },
};
static const struct plain_table exited_by_year = {
    .en = "People exited from poverty by year (whole approval chain)", .zh = "各年脱贫人数（审批链完整）",
    .key = CELL_RAW, .sub = CELL_NONE, .has_b = 1,
    .cols = { { "Year", "年度", 0.16 }, { "People", "人数", 0.14 }, { "Households", "户数", 0.14 },
      { "People", "人数", 0.56 } },
};
static const struct plain_table by_cause = {
    .en = "Households by poverty cause", .zh = "致贫原因户数",
    .key = CELL_LABEL, .sub = CELL_NONE, .type = "household", .key_field = "causes", .has_b = 1, .bar_on_b = 1,
    .cols = { { "Cause", "致贫原因", 0.22 }, { "Primary cause", "主要原因", 0.16 }, { "Among causes", "含该原因", 0.16 },
      { "Households", "户数", 0.46 } },
};
static const struct plain_table aid_by_kind = {
    .en = "Aid value by kind and funding source (yuan)", .zh = "帮扶物资价值（按类别、资金来源，元）",
    .key = CELL_LABEL, .sub = CELL_LABEL, .type = "aid", .key_field = "kind", .sub_field = "fund",
    .a_money = 1, .has_b = 1,
    .cols = { { "Kind", "类别", 0.16 }, { "Funding source", "资金来源", 0.26 }, { "Value (yuan)", "价值(元)", 0.15 },
      { "Records", "笔数", 0.1 }, { "Value", "价值", 0.33 } },
};
static const struct plain_table monitored = {
    .en = "Monitored households by kind and status", .zh = "防返贫监测户（按类别、状态）",
    .key = CELL_LABEL, .sub = CELL_LABEL, .type = "monitor", .key_field = "kind", .sub_field = "status",
    .cols = { { "Kind", "类别", 0.3 }, { "Status", "状态", 0.2 }, { "Households", "户数", 0.14 },
      { "Households", "户数", 0.36 } },
};
static const struct plain_table measures_by_category = {
    .en = "Measures by category", .zh = "帮扶项目（按类别）",
    .key = CELL_LABEL, .sub = CELL_NONE, .type = "measure", .key_field = "category", .a_money = 1, .has_b = 1,
    .cols = { { "Category", "帮扶类别", 0.30 }, { "Amount (yuan)", "金额(元)", 0.18 }, { "Records", "条数", 0.12 },
      { "Amount", "金额", 0.40 } },
};

/* ---- the village side (villrec.h) ---- */

/* 贫困发生率 rows: the place, its year, who is not out of poverty, of how
 * many, the share; bars on the share. */
static void incidence(struct rep *r, const struct cz_report_table *tb, const char *en, const char *zh)
{
    struct cz_pdf *p = r->p;
    const struct cz_pdf_col cols[] = {
        CZ_COL(cz_pdf_tr(p, "Place", "地区"), 0.3), CZ_COL(cz_pdf_tr(p, "Year", "年度"), 0.1),
        CZ_NUM(cz_pdf_tr(p, "Not out", "未脱贫人口"), 0.14), CZ_NUM(cz_pdf_tr(p, "Rural pop.", "农业户籍人口"), 0.16),
        CZ_NUM(cz_pdf_tr(p, "Incidence", "贫困发生率"), 0.14), CZ_BAR(cz_pdf_tr(p, "Incidence", "贫困发生率"), 0.16),
    };
    cz_pdf_heading(p, cz_pdf_tr(p, en, zh));
    cz_pdf_table(p, cols, 6);
    for (size_t i = 0; i < tb->n; i++) {
        char name[256], place[340], a[32], b[32], pct[32];
        int32_t bp = cz_villrec_incidence_bp(tb->rows[i].a, tb->rows[i].b);
        cz_report_place_name(r->t, tb->rows[i].key, name, sizeof name);
        snprintf(place, sizeof place, "%s %s", name, tb->rows[i].key);
        num(tb->rows[i].a, a, sizeof a);
        num(tb->rows[i].b, b, sizeof b);
        cz_report_share(bp, pct, sizeof pct);
        const char *cells[] = { place, tb->rows[i].sub, a, b, pct, "" };
        cz_pdf_row(p, cells, bp > 0 ? (double)bp / 10000 : 0);
    }
    cz_pdf_table_end(p);
}

/* Shown when there is something to show, as `cunzhan report` does. */
static void village_side(struct rep *r, const struct cz_report *x)
{
    if (!x->incidence.n && !x->monitors.n) return;
    incidence(r, &x->incidence, "Poverty incidence by village (latest year)", "各村贫困发生率（最近年度）");
    incidence(r, &x->incidence_town, "Poverty incidence by township", "各乡镇贫困发生率");
    plain(r, &x->monitors, &monitored);
}

static const char *verdict(struct rep *r, int32_t bp, int pass, const char *target_en, const char *target_zh,
                           char *buf, size_t size)
{
    if (bp < 0) return "-";
    snprintf(buf, size, "%s (%s)", pass ? cz_pdf_tr(r->p, "PASS", "达标") : cz_pdf_tr(r->p, "FAIL", "未达标"),
             cz_pdf_tr(r->p, target_en, target_zh));
    return buf;
}

static void totals(struct rep *r, const struct cz_report *x)
{
    struct cz_pdf *p = r->p;
    char a[64], b[64], line[256], v[128];
    cz_pdf_heading(p, cz_pdf_tr(p, "Special fiscal poverty funds", "财政专项扶贫资金"));
    cz_format_hundredths(x->special_total, a, sizeof a);
    cz_pdf_field(p, cz_pdf_tr(p, "Total (yuan)", "合计（元）"), a);
    cz_report_share(x->industry_share_bp, b, sizeof b);
    snprintf(line, sizeof line, "%s  %s", b, verdict(r, x->industry_share_bp, x->industry_pass, "target over 70%", "目标 70% 以上", v, sizeof v));
    cz_pdf_field(p, cz_pdf_tr(p, "Spent on industry", "用于产业扶贫"), line);
    cz_report_share(x->household_share_bp, b, sizeof b);
    snprintf(line, sizeof line, "%s  %s", b, verdict(r, x->household_share_bp, x->household_pass, "target over 80%", "目标 80% 以上", v, sizeof v));
    cz_pdf_field(p, cz_pdf_tr(p, "Of that, reaching registered households", "其中用于建档立卡户"), line);

    cz_pdf_heading(p, cz_pdf_tr(p, "Trainings, plots and purchases", "培训、种植与订单收购"));
    snprintf(line, sizeof line, cz_pdf_tr(p, "%lld sessions, %lld trainees, %lld leaflets", "%lld 场，%lld 人次，发放资料 %lld 份"),
             (long long)x->trainings, (long long)x->trainees, (long long)x->leaflets);
    cz_pdf_field(p, cz_pdf_tr(p, "Trainings", "培训"), line);
    cz_format_hundredths(x->pepper_area, a, sizeof a);
    cz_format_hundredths(x->pepper_expected, b, sizeof b);
    snprintf(line, sizeof line, cz_pdf_tr(p, "%lld plots, %s mu, expected income %s yuan", "%lld 块，%s 亩，预计收入 %s 元"),
             (long long)x->pepper_plots, a, b);
    cz_pdf_field(p, cz_pdf_tr(p, "Pepper plots", "辣椒地块"), line);
    cz_format_hundredths(x->sale_quantity, a, sizeof a);
    snprintf(line, sizeof line, cz_pdf_tr(p, "%lld purchases, %s jin", "%lld 笔，%s 斤"), (long long)x->sales, a);
    cz_format_hundredths(x->sale_paid, a, sizeof a);
    cz_format_hundredths(x->sale_at_floor, b, sizeof b);
    size_t used = strlen(line);
    snprintf(line + used, sizeof line - used, cz_pdf_tr(p, ", paid %s yuan, at the floor price %s yuan",
                                                         "，已付 %s 元，按保底价 %s 元"), a, b);
    cz_pdf_field(p, cz_pdf_tr(p, "Purchases", "订单收购"), line);
}

/* ---- registry (household side): income structure, measures ---- */

static void income(struct rep *r, const struct cz_report *x)
{
    struct cz_pdf *p = r->p;
    const struct cz_pdf_col who[] = {
        CZ_COL(cz_pdf_tr(p, "Village and year", "村、年度"), 0.30), CZ_NUM(cz_pdf_tr(p, "Households", "户数"), 0.12),
        CZ_NUM(cz_pdf_tr(p, "People", "人数"), 0.10), CZ_NUM(cz_pdf_tr(p, "Net (yuan)", "纯收入(元)"), 0.18),
        CZ_NUM(cz_pdf_tr(p, "Per person", "人均纯收入"), 0.14), CZ_BAR(cz_pdf_tr(p, "Per person", "人均"), 0.16),
    };
    const struct cz_pdf_col src[] = {
        CZ_COL(cz_pdf_tr(p, "Village and year", "村、年度"), 0.25), CZ_NUM(cz_pdf_tr(p, "Wages", "工资性"), 0.15),
        CZ_NUM(cz_pdf_tr(p, "Production", "生产经营性"), 0.15), CZ_NUM(cz_pdf_tr(p, "Costs", "生产经营支出"), 0.15),
        CZ_NUM(cz_pdf_tr(p, "Property", "财产性"), 0.15), CZ_NUM(cz_pdf_tr(p, "Transfers", "转移性"), 0.15),
    };
    char label[160], name[128], v[6][48];
    int64_t max = 0;
    for (size_t i = 0; i < x->nincome; i++)
        if (cz_report_net_per_person(&x->income[i]) > max) max = cz_report_net_per_person(&x->income[i]);
    cz_pdf_heading(p, cz_pdf_tr(p, "Income by village and year (net per person over the members on 31 December)",
                                "收入结构（按村、年度；人均纯收入按当年12月31日家庭人口计）"));
    cz_pdf_table(p, who, 6);
    for (size_t i = 0; i < x->nincome; i++) {
        const struct cz_report_income *y = &x->income[i];
        cz_report_place_name(r->t, y->village, name, sizeof name);
        snprintf(label, sizeof label, "%s %d", name[0] ? name : y->village, y->year);
        num(y->households, v[0], sizeof v[0]);
        num(y->people, v[1], sizeof v[1]);
        cz_format_hundredths(y->net, v[2], sizeof v[2]);
        cz_format_hundredths(cz_report_net_per_person(y), v[3], sizeof v[3]);
        const char *cells[] = { label, v[0], v[1], v[2], v[3], "" };
        cz_pdf_row(p, cells, share(cz_report_net_per_person(y), max));
    }
    cz_pdf_table_end(p);
    cz_pdf_heading(p, cz_pdf_tr(p, "Income by source (yuan)", "收入来源（元）"));
    cz_pdf_table(p, src, 6);
    for (size_t i = 0; i < x->nincome; i++) {
        const struct cz_report_income *y = &x->income[i];
        cz_report_place_name(r->t, y->village, name, sizeof name);
        snprintf(label, sizeof label, "%s %d", name[0] ? name : y->village, y->year);
        cz_format_hundredths(y->wages, v[0], sizeof v[0]);
        cz_format_hundredths(y->production, v[1], sizeof v[1]);
        cz_format_hundredths(y->costs, v[2], sizeof v[2]);
        cz_format_hundredths(y->property, v[3], sizeof v[3]);
        cz_format_hundredths(y->transfers, v[4], sizeof v[4]);
        const char *cells[] = { label, v[0], v[1], v[2], v[3], v[4] };
        cz_pdf_row(p, cells, 0);
    }
    cz_pdf_table_end(p);
}

static void head(struct rep *r, const struct cz_report *x, const struct cz_station_info *info)
{
    struct cz_pdf *p = r->p;
    char buf[512], name[256], today[16];
    cz_report_place_name(r->t, x->region, name, sizeof name);
    if (x->region[0]) snprintf(buf, sizeof buf, "%s %s", name, x->region);
    else snprintf(buf, sizeof buf, "%s", cz_pdf_tr(p, "all", "全部"));
    cz_pdf_title(p, cz_pdf_tr(p, "Poverty alleviation report", "扶贫工作统计报表"));
    cz_pdf_field(p, cz_pdf_tr(p, "Region", "地区"), buf);
    cz_pdf_date(cz_today(), today, sizeof today);
    cz_pdf_field(p, cz_pdf_tr(p, "Date", "日期"), today);
    snprintf(buf, sizeof buf, cz_pdf_tr(p, "%lld households, %lld people", "%lld 户，%lld 人"), (long long)x->households,
             (long long)x->people);
    cz_pdf_field(p, cz_pdf_tr(p, "Registered", "建档立卡"), buf);
    if (x->pending_left_out) {
        snprintf(buf, sizeof buf, "%lld", (long long)x->pending_left_out);
        cz_pdf_field(p, cz_pdf_tr(p, "Left out, author not yet certified", "未计入（作者待认证）"), buf);
    }
    snprintf(buf, sizeof buf, cz_pdf_tr(p, "Figures from the records signed by certified people, as held by the station %s "
                                           "on %s (cunzhan).",
                                        "数据取自村站 %s 在 %s 所存、经认证人员签名的记录（村站打印）。"),
             info->name, today);
    cz_pdf_footer(p, buf);
}

int cz_print_report(cz_station *st, const char *region, struct cz_print_out *o)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct rep r = { .lang = o->lang };
    struct cz_report x;
    char place[CZ_REGION_MAX + 1];
    cz_view *v = NULL;
    int built = 0;
    int rc = cz_pdf_new(o, &r.p);
    if (rc == CZ_OK) rc = cz_view_begin(st, &v);
    if (rc == CZ_OK) r.t = cz_view_txn(v);
    if (rc == CZ_OK && (rc = cz_region_filter(r.t, region ? region : "", place)))
        snprintf(o->context, sizeof o->context, "%s", region ? region : "");
    if (rc == CZ_OK && (rc = cz_report_build(r.t, info->office_root, place, &x)) == CZ_OK) built = 1;
    if (rc) goto out;
    head(&r, &x, info);
    plain(&r, &x.by_village, &by_village);
    plain(&r, &x.exited_by_year, &exited_by_year);
    plain(&r, &x.by_cause, &by_cause);
    plain(&r, &x.aid, &aid_by_kind);
    totals(&r, &x);
    income(&r, &x);
    plain(&r, &x.measures, &measures_by_category);
    village_side(&r, &x);
    o->items = 4;
    rc = cz_pdf_status(r.p);
    cz_view_end(v);
    v = NULL;
    if (rc == CZ_OK) rc = cz_pdf_save(r.p);
out:
    if (built) cz_report_free(&x);
    cz_view_end(v);
    cz_pdf_free(r.p);
    return rc;
}
