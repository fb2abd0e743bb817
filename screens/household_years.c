/* household_years.c — the household page's yearly records side by side
 * (household_years.h).  Net income per person is the year's net income
 * over the household's members on 31 December of that year, counted as
 * the report counts them (DOMAIN.md): a member's last join or leave on
 * or before the day decides, else being born by then.  The exit
 * assessment's own figure for the year is shown beside it. */
#include "household_years.h"
#include "data.h"
#include "grow.h"
#include "parse.h"
#include "report.h"
#include "screens_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { YEARS_SHOWN = 3, LABEL_COLS = 24 };

struct year_col {
    int year;
    struct cz_record income, conditions;   /* type NULL when none */
    int64_t exit_pp;                       /* the assessment's, fen; -1 when none */
    size_t people;
};

struct change { uint32_t date; int leaving; char kind[32]; };
struct person { uint32_t born; struct change *c; size_t n, cap; };

struct years_ctx {
    struct ui *ui;
    cz_view *v;
    const uint8_t *household;
    struct year_col *cols;
    size_t n, cap;
    struct person *people;
    size_t np, capp;
    int rc;
};

static int is_leaving(const char *kind)
{
    return !strcmp(kind, "death") || !strcmp(kind, "marry_out") || !strcmp(kind, "move_out");
}

static struct year_col *column(struct years_ctx *x, int year)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->cols[i].year == year) return &x->cols[i];
    if (cz_grow(&x->cols, &x->cap, x->n + 1, sizeof *x->cols)) return NULL;
    struct year_col *c = &x->cols[x->n++];
    memset(c, 0, sizeof *c);
    c->year = year;
    c->exit_pp = -1;
    return c;
}

static int64_t sint(const struct cz_record *r, const char *field)
{
    int64_t v = -1;
    const struct cz_field *f = cz_schema_field(r->type, field);
    if (!f || cz_body_get_sint(r->body, f->tag, &v) != CZ_OK) return -1;
    return v;
}

/* An income, conditions or exit record of the household into its year's
 * column; of two for one year (written apart at two stations), the later. */
static int yearly_cb(void *ctx, const uint8_t *entity)
{
    struct years_ctx *x = ctx;
    struct cz_record r;
    if (cz_record_load(cz_view_txn(x->v), entity, &r)) return 0;
    struct year_col *c = r.body && !r.deleted ? column(x, (int)sint(&r, "year")) : NULL;
    if (r.body && !r.deleted && !c) x->rc = CZ_ENOMEM;
    if (c && !strcmp(r.type_key, "exit")) {
        c->exit_pp = sint(&r, "income_per_capita");
    } else if (c) {
        struct cz_record *slot = !strcmp(r.type_key, "income") ? &c->income : &c->conditions;
        if (!slot->type || slot->hlc < r.hlc) {
            cz_record_clear(slot);
            *slot = r;
            return x->rc;
        }
    }
    cz_record_clear(&r);
    return x->rc;
}

static int change_cb(void *ctx, const uint8_t *entity)
{
    struct years_ctx *x = ctx;
    struct person *p = &x->people[x->np - 1];
    struct cz_record r;
    uint64_t date = 0;
    if (cz_record_load(cz_view_txn(x->v), entity, &r)) return 0;
    if (r.body && !r.deleted && !cz_grow(&p->c, &p->cap, p->n + 1, sizeof *p->c)) {
        struct change *c = &p->c[p->n++];
        cz_body_get_uint(r.body, cz_schema_field(r.type, "date")->tag, &date);
        c->date = (uint32_t)date;
        const char *k;
        size_t len;
        if (cz_body_get_text(r.body, cz_schema_field(r.type, "kind")->tag, &k, &len) == CZ_OK)
            snprintf(c->kind, sizeof c->kind, "%s", k);
        c->leaving = is_leaving(c->kind);
    }
    cz_record_clear(&r);
    return 0;
}

static int member_cb(void *ctx, const uint8_t *entity)
{
    struct years_ctx *x = ctx;
    struct cz_record r;
    uint64_t born = 0;
    if (cz_record_load(cz_view_txn(x->v), entity, &r)) return 0;
    int live = r.body && !r.deleted;
    if (live) cz_body_get_uint(r.body, cz_schema_field(r.type, "born")->tag, &born);
    cz_record_clear(&r);
    if (!live) return 0;
    if (cz_grow(&x->people, &x->capp, x->np + 1, sizeof *x->people)) return x->rc = CZ_ENOMEM;
    struct person *p = &x->people[x->np++];
    memset(p, 0, sizeof *p);
    p->born = (uint32_t)born;
    return cz_view_linked(x->v, entity, "member_change", change_cb, x);
}

/* The last join or leave on or before day decides; a join still to come
 * says not yet; else being born by then. */
static int present(const struct person *p, uint32_t day)
{
    uint32_t best = 0;
    int decided = -1, joins_later = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->c[i].date <= day && p->c[i].date >= best) { best = p->c[i].date; decided = !p->c[i].leaving; }
        else if (p->c[i].date > day && !p->c[i].leaving) joins_later = 1;
    }
    if (decided >= 0) return decided;
    return !joins_later && (!p->born || p->born <= day);
}

static int col_cmp(const void *a, const void *b)
{
    const struct year_col *x = a, *y = b;
    return y->year - x->year;   /* newest first */
}

/* One row: the label, then each shown year's value from fmt. */
typedef void (*cell_fn)(struct years_ctx *x, const struct year_col *c, const char *field, char *buf, size_t size);

static void record_cell(struct years_ctx *x, const struct year_col *c, const char *field, char *buf, size_t size)
{
    const struct cz_record *r = c->income.type && cz_schema_field(c->income.type, field) ? &c->income : &c->conditions;
    buf[0] = 0;
    if (r->type) data_field(r, field, x->ui->lang, buf, size);
}

static void per_person_cell(struct years_ctx *x, const struct year_col *c, const char *field, char *buf, size_t size)
{
    int64_t net = c->income.type ? sint(&c->income, "net") : -1;
    char a[48];
    buf[0] = 0;
    if (!strcmp(field, "exit")) {
        if (c->exit_pp >= 0) cz_format_hundredths(c->exit_pp, buf, size);
        return;
    }
    if (net < 0 || !c->people) return;
    int64_t pp = (net * 2 + (int64_t)c->people) / (2 * (int64_t)c->people);
    cz_format_hundredths(pp, a, sizeof a);
    snprintf(buf, size, "%s/%zu", a, c->people);
    (void)x;
}

/* The attribute as of a column's year (report.h, cz_report_attribute). */
static void attribute_cell(struct years_ctx *x, const struct year_col *c, const char *field, char *buf, size_t size)
{
    char key[32];
    int from;
    buf[0] = 0;
    (void)field;
    if (cz_report_attribute(cz_view_txn(x->v), x->household, c->year, key, sizeof key, &from) == CZ_OK && key[0])
        snprintf(buf, size, "%s", cz_enum_label(cz_schema_field(cz_schema_type("income"), "attribute"), key, x->ui->lang));
}

static int add_row(struct years_ctx *x, struct list *l, size_t shown, const char *label, const char *field,
                   cell_fn fn, int cols)
{
    char buf[YEARS_SHOWN][DATA_CELL], line[600];
    const char *cells[2 + YEARS_SHOWN] = { "", label };
    int widths[2 + YEARS_SHOWN] = { 2, LABEL_COLS };
    int any = 0, w = (cols - 2 - LABEL_COLS - 1) / YEARS_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        fn(x, &x->cols[i], field, buf[i], sizeof buf[i]);
        any |= buf[i][0] != 0;
        cells[2 + i] = buf[i];
        widths[2 + i] = i + 1 == shown ? 0 : (w > 8 ? w : 8);
    }
    if (!any) return CZ_OK;
    data_columns(line, sizeof line, cells, widths, (int)(2 + shown));
    return list_add(l, line, NULL, 0, 1);
}

static int lay_out(struct years_ctx *x, struct list *l)
{
    static const char *const income[] = { "wages", "production", "production_costs", "property", "transfers", "net", NULL };
    static const char *const cond[] = { "house_area", "structure", "danger_grade", "repaired", "safe_water", "power",
                                        "road_km", "farmland", "irrigated", "forest", "returned", NULL };
    struct ui *ui = x->ui;
    size_t shown = x->n < YEARS_SHOWN ? x->n : YEARS_SHOWN;
    char head[YEARS_SHOWN][16], title[200];
    const struct cz_type *it = cz_schema_type("income"), *ct = cz_schema_type("conditions");
    snprintf(title, sizeof title, "%s", T(ui, "Yearly records (newest first; Other records: Enter to edit)",
                                           "年度记录（新年度在前；在“其他记录”中回车修改）"));
    int rc = list_add(l, title, NULL, 0, 0);
    for (size_t i = 0; i < shown; i++) snprintf(head[i], sizeof head[i], "%d", x->cols[i].year);
    {
        char line[300];
        const char *cells[2 + YEARS_SHOWN] = { "", T(ui, "Year", "年度") };
        int widths[2 + YEARS_SHOWN] = { 2, LABEL_COLS };
        int w = (ui->cols - 2 - LABEL_COLS - 1) / YEARS_SHOWN;
        for (size_t i = 0; i < shown; i++) { cells[2 + i] = head[i]; widths[2 + i] = i + 1 == shown ? 0 : (w > 8 ? w : 8); }
        if (!rc) rc = list_add(l, (data_columns(line, sizeof line, cells, widths, (int)(2 + shown)), line), NULL, 0, 1);
    }
    if (!rc) {
        const struct cz_field *f = cz_schema_field(it, "attribute");
        rc = add_row(x, l, shown, T(ui, f->en, f->zh), "attribute", attribute_cell, ui->cols);
    }
    for (size_t i = 0; income[i] && !rc; i++) {
        const struct cz_field *f = cz_schema_field(it, income[i]);
        rc = add_row(x, l, shown, T(ui, f->en, f->zh), income[i], record_cell, ui->cols);
    }
    if (!rc) rc = add_row(x, l, shown, T(ui, "Net per person (yuan/people)", "人均纯收入(元/人口)"), "pp",
                          per_person_cell, ui->cols);
    if (!rc) rc = add_row(x, l, shown, T(ui, "Exit assessment's figure", "退出评估人均纯收入"), "exit",
                          per_person_cell, ui->cols);
    for (size_t i = 0; cond[i] && !rc; i++) {
        const struct cz_field *f = cz_schema_field(ct, cond[i]);
        rc = add_row(x, l, shown, T(ui, f->en, f->zh), cond[i], record_cell, ui->cols);
    }
    if (!rc) {
        /* The attribute now is the latest year's, when a year gives one. */
        char key[32];
        int from;
        if (cz_report_attribute(cz_view_txn(x->v), x->household, 0, key, sizeof key, &from) == CZ_OK && from) {
            snprintf(title, sizeof title, T(ui, "  Attribute now (the latest year's): %s", "  当前贫困户属性（最近年度）：%s"),
                     cz_enum_label(cz_schema_field(it, "attribute"), key, ui->lang));
            rc = list_add(l, title, NULL, 0, 0);
        }
    }
    if (!rc && x->n > shown) {
        snprintf(title, sizeof title, T(ui, "  %zu earlier year(s): under Other records", "  另有 %zu 个更早年度：见“其他记录”"),
                 x->n - shown);
        rc = list_add(l, title, NULL, 0, 0);
    }
    return rc;
}

int hh_years_add(struct ui *ui, cz_view *v, const uint8_t household[CZ_ENTITY_BYTES], struct list *l)
{
    struct years_ctx x = { .ui = ui, .v = v, .household = household };
    static const char *const types[] = { "income", "conditions", "exit" };
    int rc = CZ_OK;
    for (size_t i = 0; i < 3 && !rc; i++) {
        rc = cz_view_linked(v, household, types[i], yearly_cb, &x);
        if (!rc) rc = x.rc;
    }
    if (!rc) rc = cz_view_linked(v, household, "member", member_cb, &x);
    if (!rc && x.n) {
        /* Only years with an income or conditions record make a column. */
        size_t k = 0;
        for (size_t i = 0; i < x.n; i++)
            if (x.cols[i].income.type || x.cols[i].conditions.type) x.cols[k++] = x.cols[i];
        x.n = k;
        qsort(x.cols, x.n, sizeof *x.cols, col_cmp);
        for (size_t i = 0; i < x.n; i++)
            for (size_t p = 0; p < x.np; p++)
                x.cols[i].people += (size_t)present(&x.people[p], (uint32_t)x.cols[i].year * 10000 + 1231);
        if (x.n) rc = lay_out(&x, l);
        if (!rc && x.n) rc = list_add(l, "", NULL, 0, 0);
    }
    for (size_t i = 0; i < x.n; i++) { cz_record_clear(&x.cols[i].income); cz_record_clear(&x.cols[i].conditions); }
    for (size_t p = 0; p < x.np; p++) free(x.people[p].c);
    free(x.cols);
    free(x.people);
    return rc;
}

int hh_member_left(struct ui *ui, cz_view *v, const uint8_t member[CZ_ENTITY_BYTES], char *note, size_t size)
{
    struct years_ctx x = { .ui = ui, .v = v };
    struct person p = { 0 };
    note[0] = 0;
    if (cz_grow(&x.people, &x.capp, 1, sizeof *x.people)) return CZ_ENOMEM;
    x.people[0] = p;
    x.np = 1;
    int rc = cz_view_linked(v, member, "member_change", change_cb, &x);
    const struct person *q = &x.people[0];
    uint32_t today = cz_today(), best = 0;
    const struct change *last = NULL;
    for (size_t i = 0; i < q->n; i++)
        if (q->c[i].date <= today && q->c[i].date >= best) { best = q->c[i].date; last = &q->c[i]; }
    if (!rc && last && last->leaving) {
        char date[16];
        cz_format_date(last->date, date, sizeof date);
        snprintf(note, size, "%s %s %s", T(ui, "left:", "已离开："),
                 cz_enum_label(cz_schema_field(cz_schema_type("member_change"), "kind"), last->kind, ui->lang), date);
    }
    free(q->c);
    free(x.people);
    return rc;
}
