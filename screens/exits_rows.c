/* exits_rows.c — reads the exit assessments the approvals screen shows
 * (exits_rows.h): each item's household, its figures, its stage, who
 * signed each step and when, and the exit criterion it fails, judged
 * before anyone signs. */
#include "exits_rows.h"
#include "data.h"
#include "grow.h"
#include "parse.h"
#include "pinyin.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *exit_step_label(struct ui *ui, int s)
{
    static const char *const en[] = { "village appraisal", "township review", "county decision", "public notice" };
    static const char *const zh[] = { "村民主评议", "乡镇审核", "县级审定", "公示公告" };
    return s >= 0 && s < CZ_STEP_COUNT ? T(ui, en[s], zh[s]) : "-";
}

void exit_stage_text(struct ui *ui, const struct exit_item *p, char *buf, size_t size)
{
    switch (p->stage) {
    case CZ_STAGE_AWAITING:
        snprintf(buf, size, "%s%s", T(ui, "awaits: ", "待审批："), exit_step_label(ui, p->step));
        break;
    case CZ_STAGE_REJECTED:
        snprintf(buf, size, "%s%s%s", T(ui, "awaits: ", "待审批："), exit_step_label(ui, p->step),
                 T(ui, " (rejected)", "（未通过）"));
        break;
    case CZ_STAGE_NOTICE:
        snprintf(buf, size, T(ui, "notice runs until %.10s", "公示中，至 %.10s"), p->notice_close);
        break;
    case CZ_STAGE_HELD:
        snprintf(buf, size, "%s", T(ui, "all signed, criteria not met", "已全部签署，不符合标准"));
        break;
    case CZ_STAGE_COMPLETE:
        snprintf(buf, size, "%s", T(ui, "complete: exited", "已完成：已脱贫"));
        break;
    }
}

struct scan { struct ui *ui; struct exit_items *xs; cz_txn *t; const uint8_t *root; int all; };

/* Who signed each step that counts on this version (cz_exit_state names
 * the approval record that counts), and when. */
static void signers(struct scan *sc, const struct cz_exit_state *es, struct exit_item *p)
{
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        struct cz_record r;
        char date[32], who[96];
        if (!es->approved[s] || cz_record_load(sc->t, es->approval[s], &r) != CZ_OK) continue;
        data_field(&r, "date", sc->ui->lang, date, sizeof date);
        if (!date[0]) data_time(r.wall, date, sizeof date);
        data_signer(sc->t, cz_station_info(sc->ui->st), r.origin, sc->ui->lang, who, sizeof who);
        snprintf(p->signed_by[s], sizeof p->signed_by[s], "%s  %s", who, date);
        cz_record_clear(&r);
    }
}

/* The criterion that fails, in a few words for the row. */
static void criteria_short(struct scan *sc, int rc, const struct cz_exit_detail *d, struct exit_item *p)
{
    struct ui *ui = sc->ui;
    if (rc == CZ_EGUARANTEE && d->field)
        snprintf(p->criteria_short, sizeof p->criteria_short, "%s%s%s", T(ui, d->field->en, d->field->zh),
                 T(ui, ": ", "："), T(ui, "no", "否"));
    else if (rc == CZ_EINCOME)
        snprintf(p->criteria_short, sizeof p->criteria_short, "%s", T(ui, "income below the line", "收入低于贫困线"));
    else if (rc == CZ_ENOLINE)
        snprintf(p->criteria_short, sizeof p->criteria_short, "%s", T(ui, "no poverty line for its year", "无该年度贫困标准"));
    else
        snprintf(p->criteria_short, sizeof p->criteria_short, "%s", T(ui, "criteria not met", "不符合退出标准"));
}

/* Why the chain cannot go on (the criteria, judged before anyone signs),
 * or while the notice runs, the day it may close. */
static void chain_state(struct scan *sc, const struct cz_record *r, const struct cz_exit_state *es,
                        struct exit_item *p)
{
    struct ui *ui = sc->ui;
    if (es->approved[CZ_STEP_COUNTY])
        cz_format_cst((int64_t)(es->notice_close_ms / 1000), p->notice_close, sizeof p->notice_close);
    p->criteria = es->criteria;
    if (es->criteria) {
        struct cz_exit_detail d;
        memset(&d, 0, sizeof d);
        cz_exit_criteria(sc->t, sc->root, r->body, &d);
        cz_exit_message(es->criteria, &d, ui->lang, p->state, sizeof p->state);
        criteria_short(sc, es->criteria, &d, p);
    } else if (p->stage == CZ_STAGE_NOTICE) {
        snprintf(p->state, sizeof p->state,
                 T(ui, "The notice runs until %s (China time): the notice step cannot be signed before then.",
                   "公示期未满：最早可于 %s（北京时间）结束，此前不能签署公示。"), p->notice_close);
    } else if (p->step == CZ_STEP_NOTICE && p->notice_close[0]) {
        snprintf(p->state, sizeof p->state, T(ui, "The notice may close from %s (China time).",
                                              "公示最早可于 %s（北京时间）结束。"), p->notice_close);
    } else if (p->notice_close[0]) {
        snprintf(p->state, sizeof p->state, T(ui, "The notice could close from %s (China time).",
                                              "公示期满于 %s（北京时间）。"), p->notice_close);
    }
}

/* The assessment's year, income and the five guarantees, as text. */
static void summarise(struct scan *sc, const struct cz_record *r, struct exit_item *p)
{
    static const char *const checks[] = { "food", "clothing", "schooling", "medical", "housing" };
    char income[64];
    size_t used = 0;
    data_field(r, "year", sc->ui->lang, p->year, sizeof p->year);
    data_field(r, "income_per_capita", sc->ui->lang, income, sizeof income);
    snprintf(p->summary, sizeof p->summary, "%s %s  %s %s", T(sc->ui, "year", "年度"), p->year,
             T(sc->ui, "income per head", "人均纯收入"), income);
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const struct cz_field *f = cz_schema_field(r->type, checks[i]);
        char v[64];
        data_field(r, checks[i], sc->ui->lang, v, sizeof v);
        if (!f || used >= sizeof p->checks) continue;
        int k = snprintf(p->checks + used, sizeof p->checks - used, "%s%s%s%s", used ? "  " : "",
                         T(sc->ui, f->en, f->zh), T(sc->ui, ": ", "："), v[0] ? v : "-");
        if (k > 0) used += (size_t)k;
    }
}

/* Beside the assessors' own figure, which is not checked against it
 * (DOMAIN.md, net income per person): the net per person of the
 * household's income record of the assessment's year, and that year's
 * poverty line, each said to be missing when it is. */
static void yearly(struct scan *sc, const struct cz_record *r, struct exit_item *p)
{
    struct ui *ui = sc->ui;
    struct cz_report_income in;
    int64_t year = 0, line = 0;
    int has = 0;
    char income[96], poverty[96], a[48], b[48];
    if (cz_body_get_sint(r->body, cz_schema_field(r->type, "year")->tag, &year) != CZ_OK || year <= 0 ||
        year > 9999)
        return;
    if (cz_report_household(sc->t, p->household, cz_today(), (int)year, NULL, &in, &has) == CZ_OK && has) {
        cz_format_hundredths(cz_report_net_per_person(&in), a, sizeof a);
        cz_format_hundredths(in.net, b, sizeof b);
        snprintf(income, sizeof income, T(ui, "income record: %s per head (%s / %lld)", "年度收入记录：人均 %s（%s / %lld 人）"),
                 a, b, (long long)in.people);
    } else {
        snprintf(income, sizeof income, "%s", T(ui, "no income record of that year", "无该年度收入记录"));
    }
    if (cz_poverty_line(sc->t, sc->root, (uint32_t)year, &line) == CZ_OK) {
        cz_format_hundredths(line, a, sizeof a);
        snprintf(poverty, sizeof poverty, T(ui, "%lld line: %s", "%lld 年贫困标准：%s"), (long long)year, a);
    } else {
        snprintf(poverty, sizeof poverty, T(ui, "no %lld line", "无 %lld 年贫困标准"), (long long)year);
    }
    snprintf(p->yearly, sizeof p->yearly, "%s  %s", income, poverty);
}

/* The household's name ("-" when it cannot be read). */
static void household_name(struct scan *sc, const struct cz_record *r, struct exit_item *p)
{
    struct cz_record h;
    memset(&h, 0, sizeof h);
    if (data_ref(r, "household", p->household) == 0 && cz_record_load(sc->t, p->household, &h) == CZ_OK && h.body) {
        cz_schema_title(h.type, h.body, p->name, sizeof p->name);
        data_field(&h, "number", sc->ui->lang, p->number, sizeof p->number);
    }
    cz_record_clear(&h);
    if (!p->name[0]) snprintf(p->name, sizeof p->name, "-");
}

static int item_cb(void *ctx, const struct cz_exit_row *row)
{
    struct scan *sc = ctx;
    struct exit_items *xs = sc->xs;
    const struct cz_exit_state *es = row->state;
    if (!sc->all && !row->mine) return CZ_OK;
    if (cz_grow(&xs->p, &xs->cap, xs->n + 1, sizeof *xs->p)) { xs->rc = CZ_ENOMEM; return CZ_WALK_STOP; }
    struct exit_item *p = &xs->p[xs->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->exit, row->entity, CZ_ENTITY_BYTES);
    memcpy(p->version, row->record->id, CZ_ID_BYTES);
    snprintf(p->region, sizeof p->region, "%s", row->record->region);
    p->stage = row->stage;
    p->step = row->step;
    p->mine = row->mine;
    p->may_approve = row->may_approve;
    for (int s = 0; s < CZ_STEP_COUNT; s++) p->rejected[s] = es->rejected[s], p->ahead[s] = es->ahead[s];
    summarise(sc, row->record, p);
    chain_state(sc, row->record, es, p);
    household_name(sc, row->record, p);
    yearly(sc, row->record, p);
    signers(sc, es, p);
    return CZ_OK;
}

/* An item with its sort keys: the store walks assessments by their random
 * ids, which differ from PC to PC. */
struct order {
    char *number, *name;
    const struct exit_item *p;
};

static int order_cmp(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    int c = strcmp(x->p->region, y->p->region);
    if (!c) c = strcmp(x->number, y->number);
    if (!c) c = strcmp(x->name, y->name);
    if (!c) c = strcmp(x->p->year, y->p->year);
    return c ? c : memcmp(x->p->exit, y->p->exit, CZ_ENTITY_BYTES);
}

static int sort_items(struct exit_items *xs)
{
    int rc = CZ_ENOMEM;
    if (xs->n < 2) return CZ_OK;
    struct order *o = calloc(xs->n, sizeof *o);
    struct exit_item *sorted = malloc(xs->n * sizeof *sorted);
    if (!o || !sorted) goto cleanup;
    rc = CZ_OK;
    for (size_t i = 0; i < xs->n && !rc; i++) {
        o[i].p = &xs->p[i];
        rc = cz_collate_key(xs->p[i].number, strlen(xs->p[i].number), &o[i].number);
        if (!rc) rc = cz_collate_key(xs->p[i].name, strlen(xs->p[i].name), &o[i].name);
    }
    if (rc) goto cleanup;
    qsort(o, xs->n, sizeof *o, order_cmp);
    for (size_t i = 0; i < xs->n; i++) sorted[i] = *o[i].p;
    memcpy(xs->p, sorted, xs->n * sizeof *sorted);
cleanup:
    for (size_t i = 0; o && i < xs->n; i++) free(o[i].number), free(o[i].name);
    free(o);
    free(sorted);
    return rc;
}

void exit_items_load(struct ui *ui, struct exit_items *xs, int all)
{
    cz_view *v = NULL;
    xs->n = xs->open = 0;
    xs->rc = CZ_OK;
    const uint8_t *pk = cz_station_person_pk(ui->st);
    if (!pk) { xs->rc = CZ_EPERM; return; }
    if ((xs->rc = cz_view_begin(ui->st, &v))) return;
    struct scan sc = { .ui = ui, .xs = xs, .t = cz_view_txn(v), .root = cz_station_info(ui->st)->office_root, .all = all };
    int rc = cz_view_exits_each(v, NULL, pk, item_cb, &sc, NULL, &xs->open);
    if (rc && !xs->rc) xs->rc = rc;
    cz_view_end(v);
    if (!xs->rc) xs->rc = sort_items(xs);
}

void exit_items_free(struct exit_items *xs)
{
    free(xs->p);
    xs->p = NULL;
    xs->n = xs->cap = 0;
}
