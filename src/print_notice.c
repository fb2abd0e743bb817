/* print_notice.c — the public notice (公示) of the exits whose next step
 * is the notice: the county has decided, the notice is not signed yet and
 * no step is rejected.  Each row says who the household is, what the exit
 * rests on (size, income per person, the five guarantees), the steps
 * signed so far, and when its notice may close (exitchain.h: seven days
 * after the county's decision, by the approvals' clocks); the page says
 * where objections go. */
#include "print_int.h"
#include "exitchain.h"
#include "grow.h"
#include "hex.h"
#include "overview.h"
#include "parse.h"
#include "people.h"
#include "region.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL 1024

struct pending {
    uint8_t exit[CZ_ENTITY_BYTES];
    struct cz_exit_state state;
};

struct notice {
    const char *region;       /* 12 digits: a village; 9: a township */
    uint32_t year;            /* 0: any */
    struct pending *v;
    size_t n, cap;
};

static int want(void *ctx, const struct cz_pending_exit *x)
{
    struct notice *w = ctx;
    const struct cz_exit_state *s = x->state;
    if (x->next != CZ_STEP_NOTICE || s->criteria != CZ_OK) return 0;
    for (int i = 0; i < CZ_STEP_COUNT; i++)
        if (s->rejected[i]) return 0;
    if (strncmp(x->record->region, w->region, strlen(w->region))) return 0;
    if (w->year && cz_print_sint(x->record, "year") != (int64_t)w->year) return 0;
    if (cz_grow(&w->v, &w->cap, w->n + 1, sizeof *w->v)) return CZ_ENOMEM;
    memcpy(w->v[w->n].exit, x->entity, CZ_ENTITY_BYTES);
    w->v[w->n++].state = *s;
    return 0;
}

/* "Enough food: Yes" and the others, one a line. */
static void guarantees(const struct cz_record *ex, enum cz_lang lang, char *out, size_t size)
{
    static const char *const keys[] = { "food", "clothing", "schooling", "medical", "housing" };
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < 5 && used < size; i++) {
        const struct cz_field *f = cz_schema_field(ex->type, keys[i]);
        char v[64];
        cz_print_val(ex, keys[i], lang, v, sizeof v);
        used += (size_t)snprintf(out + used, size - used, "%s%s%s%s", i ? "\n" : "", cz_label(f->en, f->zh, lang),
                                 lang == CZ_LANG_ZH ? "：" : ": ",
                                 v[0] ? v : "-");
    }
}

/* The steps signed so far, each with its date and signer, one a line. */
static void steps(cz_txn *t, const uint8_t *root, const struct cz_exit_state *s, enum cz_lang lang, char *out,
                  size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < CZ_STEP_NOTICE && used < size; i++) {
        char date[16], who[256];
        if (!s->approved[i]) continue;
        cz_pdf_date(s->approved_on[i], date, sizeof date);
        cz_signer_name(t, root, s->signer[i], lang, 0, who, sizeof who);
        used += (size_t)snprintf(out + used, size - used, "%s%s %s %s", used ? "\n" : "",
                                 cz_report_label("approval", "step", cz_step_key((enum cz_step)i), lang), date, who);
    }
}

static int row(struct cz_pdf *p, cz_view *v, const uint8_t *root, const struct pending *x, int township,
               enum cz_lang lang)
{
    cz_txn *t = cz_view_txn(v);
    struct cz_record ex = { 0 }, hh = { 0 };
    uint8_t he[CZ_ENTITY_BYTES];
    char number[VAL], head[VAL], who[2 * VAL + 2], size[32], income[64], five[512], signed_[1024], close[64],
        code[32], village[256];
    size_t n = 0;
    int rc = cz_record_load(t, x->exit, &ex);
    if (rc == CZ_OK && !cz_print_ref(&ex, "household", he)) rc = CZ_ENOHOUSEHOLD;
    if (rc == CZ_OK) rc = cz_record_load(t, he, &hh);
    if (rc == CZ_OK) rc = cz_view_linked_count(v, he, "member", &n);
    if (rc) goto out;
    snprintf(size, sizeof size, "%zu", n);
    cz_print_val(&ex, "income_per_capita", lang, income, sizeof income);
    guarantees(&ex, lang, five, sizeof five);
    steps(t, root, &x->state, lang, signed_, sizeof signed_);
    cz_format_cst((int64_t)(x->state.notice_close_ms / 1000), close, sizeof close);
    char *space = strchr(close, ' ');   /* the date above its time: the column stays narrow */
    if (space) *space = '\n';
    snprintf(who, sizeof who, "%s\n%s", cz_print_val(&hh, "number", lang, number, sizeof number),
             cz_print_val(&hh, "head", lang, head, sizeof head));
    cz_print_val(&hh, "village", lang, code, sizeof code);
    cz_report_place_name(t, code, village, sizeof village);
    const char *cells[] = { village[0] ? village : code, who, size, income, five, signed_, close };
    cz_pdf_row(p, township ? cells : cells + 1, 0);
out:
    cz_record_clear(&ex);
    cz_record_clear(&hh);
    return rc;
}

static void intro(struct cz_pdf *p, cz_txn *t, const char *region, enum cz_lang lang)
{
    char name[256], town[256], code9[10], buf[2048], today[16];
    cz_report_place_name(t, region, name, sizeof name);
    snprintf(code9, sizeof code9, "%.9s", region);
    cz_report_place_name(t, code9, town, sizeof town);
    if (!name[0]) snprintf(name, sizeof name, "%s", region);
    if (!town[0]) snprintf(town, sizeof town, "%s", code9);
    snprintf(buf, sizeof buf, cz_pdf_tr(p, "Public notice: households exiting poverty, %s", "%s 贫困户脱贫公示"), name);
    cz_pdf_title(p, buf);
    cz_pdf_date(cz_today(), today, sizeof today);
    cz_pdf_field(p, cz_pdf_tr(p, "Posted on", "公示日期"), today);
    cz_pdf_text(p, cz_pdf_tr(p, "The households below have passed the village appraisal, the township review and the "
                                "county decision, and meet the exit criteria: the five guarantees (enough food and "
                                "clothing, compulsory schooling, basic medical care, safe housing) and an income per "
                                "person at or above the poverty line of the year.",
                             "以下贫困户已经村民主评议、乡镇审核、县审定，符合脱贫标准：不愁吃、不愁穿，义务教育、基本医疗、"
                             "住房安全有保障，人均纯收入达到当年贫困标准。"));
    snprintf(buf, sizeof buf,
             cz_pdf_tr(p, "Notice period: %d days from the county decision; each household's notice closes at the date "
                          "and time (China time) in the last column.",
                       "公示期：自县审定之日起 %d 天，每户公示截止时间（北京时间）见最后一栏。"),
             CZ_NOTICE_DAYS);
    cz_pdf_text(p, buf);
    if (strlen(region) == 12)
        snprintf(buf, sizeof buf,
                 cz_pdf_tr(p, "Objections: within the notice period, in person or in writing with your name, to the "
                              "village committee of %s or the township government of %s.",
                           "对公示内容有异议的，请在公示期内以实名书面或当面方式向%s村民委员会或%s人民政府反映。"),
                 name, town);
    else
        snprintf(buf, sizeof buf,
                 cz_pdf_tr(p, "Objections: within the notice period, in person or in writing with your name, to the "
                              "household's village committee or the township government of %s.",
                           "对公示内容有异议的，请在公示期内以实名书面或当面方式向所在村村民委员会或%s人民政府反映。"),
                 town);
    cz_pdf_text(p, buf);
    cz_pdf_space(p, 6);
}

static void table(struct cz_pdf *p, int township)
{
    const struct cz_pdf_col cols[] = {
        CZ_COL(cz_pdf_tr(p, "Village", "村"), 0.1),
        CZ_COL(cz_pdf_tr(p, "Household", "户编号、户主"), township ? 0.14 : 0.16),
        CZ_NUM(cz_pdf_tr(p, "Size", "人口"), township ? 0.06 : 0.07),
        CZ_NUM(cz_pdf_tr(p, "Income per person (yuan)", "人均纯收入(元)"), township ? 0.1 : 0.11),
        CZ_COL(cz_pdf_tr(p, "The five guarantees", "两不愁三保障"), township ? 0.2 : 0.22),
        CZ_COL(cz_pdf_tr(p, "Steps signed", "已完成的审批"), township ? 0.26 : 0.28),
        CZ_COL(cz_pdf_tr(p, "Notice closes", "公示截止"), township ? 0.14 : 0.16),
    };
    cz_pdf_table(p, township ? cols : cols + 1, township ? 7 : 6);
}

static void notice_footer(struct cz_pdf *p, const struct cz_station_info *info)
{
    char buf[512];
    snprintf(buf, sizeof buf, cz_pdf_tr(p, "Printed from signed records by the station %s (cunzhan).",
                                        "由村站 %s 根据签名记录打印。"), info->name);
    cz_pdf_footer(p, buf);
}

int cz_print_notice(cz_station *st, const char *region, uint32_t year, struct cz_print_out *o)
{
    const struct cz_station_info *info = cz_station_info(st);
    char place[CZ_REGION_MAX + 1];
    struct notice w = { .region = place, .year = year };
    struct cz_pdf *p = NULL;
    cz_view *v = NULL;
    int rc = cz_pdf_new(o, &p);
    if (rc == CZ_OK) rc = cz_view_begin(st, &v);
    if (rc == CZ_OK && (rc = cz_region_filter(cz_view_txn(v), region ? region : "", place)) == CZ_OK &&
        strlen(place) != 12 && strlen(place) != 9)
        rc = CZ_EPLACECODE;
    if (rc == CZ_OK) rc = cz_view_exits_pending(v, NULL, want, &w, NULL);
    if (rc == CZ_OK && !w.n) rc = CZ_ENONOTICE;
    if (rc == CZ_EPLACECODE || rc == CZ_ENOPLACE || rc == CZ_ENONOTICE)
        snprintf(o->context, sizeof o->context, "%s", region ? region : "");
    if (rc) goto out;
    int township = strlen(place) == 9;
    notice_footer(p, info);
    intro(p, cz_view_txn(v), place, o->lang);
    table(p, township);
    for (size_t i = 0; rc == CZ_OK && i < w.n; i++) rc = row(p, v, info->office_root, &w.v[i], township, o->lang);
    cz_pdf_table_end(p);
    if (rc == CZ_OK) {
        cz_pdf_space(p, 18);
        cz_pdf_text(p, cz_pdf_tr(p, "Village committee (seal)          Township government (seal)          Date",
                                 "村民委员会（盖章）          乡镇人民政府（盖章）          年    月    日"));
        rc = cz_pdf_status(p);
    }
    o->items = w.n;
    cz_view_end(v);
    v = NULL;
    if (rc == CZ_OK) rc = cz_pdf_save(p);
out:
    cz_view_end(v);
    cz_pdf_free(p);
    free(w.v);
    return rc;
}
