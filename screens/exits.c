/* exits.c — exit assessments awaiting a step the person logged in may sign
 * (supervisors and the office): the assessment, the chain so far (who
 * signed each step, when), and Approve, which signs the next step exactly
 * as `cunzhan approve` does (cz_approve_sign); Reject signs a refusal of
 * that step with its reason, as `cunzhan approve --reject --notes` does.
 * Add starts an exit assessment for a household found by name or number. */
#include "approve.h"
#include "data.h"
#include "grow.h"
#include "keys.h"
#include "exitchain.h"
#include "hex.h"
#include "list.h"
#include "parse.h"
#include "roles.h"
#include "screens_all.h"
#include "overview.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending {
    uint8_t exit[CZ_ENTITY_BYTES];
    uint8_t household[CZ_ENTITY_BYTES];
    uint8_t version[CZ_ID_BYTES];           /* the version shown, the one signed */
    char name[128];
    char summary[256];                      /* year, income */
    char checks[512];                       /* food, clothing, schooling, medical, housing */
    int next;                               /* the step awaiting a signature */
    char signed_by[CZ_STEP_COUNT][160];     /* "name@station date", or "" */
    int rejected[CZ_STEP_COUNT];
    int ahead[CZ_STEP_COUNT];               /* signed with a clock ahead of this PC */
    int may_approve;                        /* this person's level signs the next step */
    char state[256];                        /* why it cannot go on, or when the notice may close */
};

struct exits {
    struct pending *p;
    size_t n, cap;
    struct list l;
    int rc;
};

static const char *step_label(struct ui *ui, int s)
{
    static const char *const en[] = { "village appraisal", "township review", "county decision", "public notice" };
    static const char *const zh[] = { "村民主评议", "乡镇审核", "县级审定", "公示公告" };
    return s >= 0 && s < CZ_STEP_COUNT ? T(ui, en[s], zh[s]) : "-";
}

struct scan { struct ui *ui; struct exits *x; cz_txn *t; const uint8_t *root; };

/* Who signed each step that counts on this version (cz_exit_state names
 * the approval record that counts), and when. */
static void signers(struct scan *sc, const struct cz_exit_state *es, struct pending *p)
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

/* Why the chain cannot go on (the criteria), or when the notice may close. */
static void chain_state(struct scan *sc, const struct cz_record *r, const struct cz_exit_state *es,
                        struct pending *p)
{
    if (es->criteria) {
        struct cz_exit_detail d;
        cz_exit_criteria(sc->t, sc->root, r->body, &d);
        cz_exit_message(es->criteria, &d, sc->ui->lang, p->state, sizeof p->state);
    } else if (p->next == CZ_STEP_NOTICE) {
        char when[32];
        cz_format_cst((int64_t)(es->notice_close_ms / 1000), when, sizeof when);
        snprintf(p->state, sizeof p->state, T(sc->ui, "The notice may close from %s (China time).",
                                                 "公示最早可于 %s（北京时间）结束。"), when);
    }
}

/* The assessment's year, income and the five guarantees, as text. */
static void summarise(struct scan *sc, const struct cz_record *r, struct pending *p)
{
    static const char *const checks[] = { "food", "clothing", "schooling", "medical", "housing" };
    char year[32], income[64];
    size_t used = 0;
    data_field(r, "year", sc->ui->lang, year, sizeof year);
    data_field(r, "income_per_capita", sc->ui->lang, income, sizeof income);
    snprintf(p->summary, sizeof p->summary, "%s %s  %s %s", T(sc->ui, "year", "年度"), year,
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

/* The household's name ("-" when it cannot be read). */
static void household_name(struct scan *sc, const struct cz_record *r, struct pending *p)
{
    struct cz_record h;
    memset(&h, 0, sizeof h);
    if (data_ref(r, "household", p->household) == 0 && cz_record_load(sc->t, p->household, &h) == CZ_OK && h.body)
        cz_schema_title(h.type, h.body, p->name, sizeof p->name);
    cz_record_clear(&h);
    if (!p->name[0]) snprintf(p->name, sizeof p->name, "-");
}

/* One assessment awaiting a step this person may sign or stop
 * (cz_view_exits_pending decides which). */
static int exit_cb(void *ctx, const struct cz_pending_exit *e)
{
    struct scan *sc = ctx;
    struct exits *x = sc->x;
    const struct cz_exit_state *es = e->state;
    if (cz_grow(&x->p, &x->cap, x->n + 1, sizeof *x->p)) { x->rc = CZ_ENOMEM; return CZ_OK; }
    struct pending *p = &x->p[x->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->exit, e->entity, CZ_ENTITY_BYTES);
    memcpy(p->version, e->record->id, CZ_ID_BYTES);
    p->next = e->next;
    p->may_approve = e->may_approve;
    for (int s = 0; s < CZ_STEP_COUNT; s++) p->rejected[s] = es->rejected[s], p->ahead[s] = es->ahead[s];
    chain_state(sc, e->record, es, p);
    summarise(sc, e->record, p);
    household_name(sc, e->record, p);
    signers(sc, es, p);
    return CZ_OK;
}

static void load(struct ui *ui, struct exits *x)
{
    cz_view *v = NULL;
    char line[512];
    size_t sel = x->l.sel;
    list_clear(&x->l);
    x->n = 0;
    x->rc = CZ_OK;
    const uint8_t *pk = cz_station_person_pk(ui->st);
    if (!pk) { x->rc = CZ_EPERM; return; }
    if ((x->rc = cz_view_begin(ui->st, &v))) return;
    struct scan sc = { .ui = ui, .x = x, .t = cz_view_txn(v), .root = cz_station_info(ui->st)->office_root };
    int rc = cz_view_exits_pending(v, pk, exit_cb, &sc, NULL);
    if (rc && !x->rc) x->rc = rc;
    cz_view_end(v);
    for (size_t i = 0; i < x->n; i++) {
        snprintf(line, sizeof line, " %s  %s%s%s", x->p[i].name, T(ui, "awaits: ", "待审批："), step_label(ui, x->p[i].next),
                 x->p[i].rejected[x->p[i].next] ? T(ui, " (rejected)", "（未通过）") : "");
        list_add(&x->l, line, x->p[i].exit, 0, 1);
    }
    list_reselect(&x->l, sel);
}

static int exits_open(struct ui *ui, struct screen *s, const void *arg)
{
    (void)arg;
    if (!roles_shown_supervisor(ui)) return CZ_EPERM;
    struct exits *x = calloc(1, sizeof *x);
    if (!x) return CZ_ENOMEM;
    s->state = x;
    load(ui, x);
    return CZ_OK;
}

static void exits_draw(struct ui *ui, struct screen *s)
{
    struct exits *x = s->state;
    char line[512];
    ui_title(ui, T(ui, "Exit approvals awaiting your signature", "待您审批的贫困户退出"));
    if (ui_failed(ui, UI_TOP + 2, x->rc)) return;
    if (!x->n) {
        ui_text(ui, UI_TOP + 2, 1, T(ui, "Nothing awaits a step you may sign.", "没有等待您审批的环节。"), ui->cols - 2, A_NORMAL);
        return;
    }
    int body = ui_body_rows(ui), detail = CZ_STEP_COUNT + 5;
    int list_rows = body - 2 - detail;
    if (list_rows < 2) list_rows = 2;
    list_draw(ui, &x->l, UI_TOP + 2, list_rows, 1);
    size_t i = x->l.sel < x->n ? x->l.sel : 0;
    const struct pending *p = &x->p[i];
    int y = UI_TOP + 2 + list_rows + 1;
    snprintf(line, sizeof line, "%s  %s", p->name, p->summary);
    ui_text(ui, y++, 1, line, ui->cols - 2, A_BOLD);
    y += ui_text_wrap(ui, y, 2, p->checks, ui->cols - 3, 2, A_NORMAL);
    for (int st = 0; st < CZ_STEP_COUNT && y < ui->rows - 2; st++, y++) {
        const char *state = p->signed_by[st][0] ? p->signed_by[st]
                          : p->rejected[st] ? T(ui, "rejected", "未通过")
                          : p->ahead[st] ? T(ui, "signed with a clock ahead of this PC: not counted yet",
                                             "签署时钟超前于本机：暂不计入")
                          : st != p->next ? "-"
                          : p->may_approve ? T(ui, "awaits your signature", "待您签署")
                          : T(ui, "awaits its level's signature (you may reject)", "待该级签署（您可不同意）");
        snprintf(line, sizeof line, " %d. %s%s%s", st + 1, step_label(ui, st), T(ui, ": ", "："), state);
        ui_text(ui, y, 1, line, ui->cols - 2, st == p->next ? A_BOLD : A_NORMAL);
    }
    if (p->state[0] && y < ui->rows - 2) ui_text_wrap(ui, y, 1, p->state, ui->cols - 2, ui->rows - 2 - y, A_NORMAL);
}

/* The refusal in the person's language. */
static void refused(struct ui *ui, struct exits *x, int rc, const struct cz_field_error *err,
                    const struct cz_exit_detail *d)
{
    char msg[512];
    switch (rc) {
    case CZ_ESTALE:
        /* Someone changed the assessment after it was shown: show the
         * current version, which is the one to read before signing. */
        load(ui, x);
        ui_message(ui, 1, "%s", T(ui, "Changed since shown: now showing the current version. Nothing stored.",
                                  "评估已被修改，现显示当前版本，请阅读后再签署。未保存。"));
        return;
    case CZ_EPERM:
        ui_message(ui, 1, "%s", T(ui, "This household lies outside your jurisdiction or role; nothing was stored.",
                                  "该户超出您的辖区或角色权限；没有保存任何内容。"));
        return;
    case CZ_EROLE: case CZ_EORDER: case CZ_ENOTICE: case CZ_EDONE: case CZ_ESAMESIGNER: case CZ_EDATECLOCK:
    case CZ_EDATEORDER: case CZ_EGUARANTEE: case CZ_EINCOME: case CZ_ENOLINE:
        cz_exit_message(rc, d, ui->lang, msg, sizeof msg);
        ui_message(ui, 1, "%s %s", msg, T(ui, "Nothing was stored.", "没有保存任何内容。"));
        return;
    default:
        if (err && (err->field || err->name[0])) {
            cz_field_error_message(cz_schema_type("approval"), err, ui->lang, msg, sizeof msg);
            ui_message(ui, 1, "%s", msg);
        } else {
            ui_status_message(ui, rc);
        }
    }
}

static void approve(struct ui *ui, struct exits *x)
{
    char q[512], hex[65];
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    if (x->l.sel >= x->n) return;
    const struct pending *p = &x->p[x->l.sel];
    struct cz_exit_detail d;
    /* The rules first, so a refusal (the notice's closing date, the
     * criterion that fails) comes before the question, not after it. */
    int rc = cz_approve_check(ui->st, p->exit, cz_step_key((enum cz_step)p->next), "approve", NULL, p->version, &d);
    memset(&err, 0, sizeof err);
    if (rc) { refused(ui, x, rc, &err, &d); return; }
    snprintf(q, sizeof q, T(ui, "Sign \"%s\" for %s?", "签署“%s”：%s？"), step_label(ui, p->next), p->name);
    if (!ui_confirm(ui, q)) return;
    rc = cz_approve_sign(ui->st, p->exit, cz_step_key((enum cz_step)p->next), "approve", NULL, NULL,
                         p->version, entity, id, NULL, &err);
    if (rc) { refused(ui, x, rc, &err, NULL); return; }
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    snprintf(q, sizeof q, "%s", step_label(ui, p->next));
    load(ui, x);
    ui_message(ui, 0, T(ui, "Signed: %s (%.12s)", "已签署：%s（%.12s）"), q, hex);
}

/* The reason with the spaces around it gone, in place; "" when it is only
 * spaces. */
static char *trimmed(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* Refuses the next step: the reason (required), a confirm, then the
 * signed `approval` with decision "reject".  Esc at either question
 * stores nothing. */
static void reject(struct ui *ui, struct exits *x)
{
    char q[512], hex[65], step[64];
    char *text = NULL;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    if (x->l.sel >= x->n) return;
    const struct pending *p = &x->p[x->l.sel];
    snprintf(step, sizeof step, "%s", step_label(ui, p->next));
    snprintf(q, sizeof q, T(ui, "Why reject \"%s\"?", "不同意“%s”的理由："), step);
    if (ui_prompt(ui, q, &text)) {
        ui_message(ui, 0, "%s", T(ui, "Rejection cancelled; nothing was stored.", "已取消；没有保存任何内容。"));
        return;
    }
    const char *reason = trimmed(text);
    if (!reason[0]) {
        ui_message(ui, 1, "%s", T(ui, "A rejection needs a reason; nothing was stored.",
                                  "不同意须写明理由；没有保存任何内容。"));
        goto cleanup;
    }
    snprintf(q, sizeof q, T(ui, "Reject \"%s\" for %s?", "不同意“%s”：%s？"), step, p->name);
    if (!ui_confirm(ui, q)) {
        ui_message(ui, 0, "%s", T(ui, "Rejection cancelled; nothing was stored.", "已取消；没有保存任何内容。"));
        goto cleanup;
    }
    int rc = cz_approve_sign(ui->st, p->exit, cz_step_key((enum cz_step)p->next), "reject", reason, NULL,
                             p->version, entity, id, NULL, &err);
    if (rc) { refused(ui, x, rc, &err, NULL); goto cleanup; }
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    load(ui, x);
    ui_message(ui, 0, T(ui, "Rejected: %s (%.12s)", "已签署不同意：%s（%.12s）"), step, hex);
cleanup:
    free(text);
}

/* The households a search finds: how many, and the first. */
struct hh_find { cz_txn *t; size_t n; uint8_t first[CZ_ENTITY_BYTES]; };

static int hh_cb(void *ctx, const uint8_t *entity)
{
    struct hh_find *f = ctx;
    struct cz_record r;
    if (cz_record_load(f->t, entity, &r) == CZ_OK && !r.deleted && !strcmp(r.type_key, "household")) {
        if (f->n == 0) memcpy(f->first, entity, CZ_ENTITY_BYTES);
        f->n++;
    }
    cz_record_clear(&r);
    return 0;
}

/* Starts an exit assessment: the household by name or number, then the
 * `exit` record form with it filled in. */
static void start_exit(struct ui *ui)
{
    char *text = NULL;
    struct hh_find f = { .n = 0 };
    cz_view *v = NULL;
    if (ui_prompt(ui, T(ui, "Household (name or number):", "贫困户（户主姓名或户编号）："), &text)) return;
    int rc = text[0] ? cz_view_begin(ui->st, &v) : CZ_EEMPTY;
    if (rc == CZ_OK) {
        f.t = cz_view_txn(v);
        rc = cz_query_find(f.t, text, hh_cb, &f);
        cz_view_end(v);
    }
    free(text);
    if (rc) { ui_status_message(ui, rc); return; }
    if (f.n != 1) {
        ui_message(ui, 1, "%s", f.n ? T(ui, "More than one household matches: type the household number.",
                                      "匹配到多户：请输入户编号。")
                                  : T(ui, "No household matches.", "没有匹配的贫困户。"));
        return;
    }
    record_form(ui, "exit", NULL, f.first);
}

static enum ui_result exits_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct exits *x = s->state;
    switch (k->action) {
    case ACT_OPEN: case ACT_SAVE: approve(ui, x); return UI_HANDLED;
    case ACT_REJECT: reject(ui, x); return UI_HANDLED;
    case ACT_ADD: start_exit(ui); return UI_HANDLED;
    default: return list_key(&x->l, k);
    }
}

static void exits_resume(struct ui *ui, struct screen *s)
{
    load(ui, s->state);
}

static void exits_close(struct screen *s)
{
    struct exits *x = s->state;
    list_clear(&x->l);
    free(x->p);
    free(x);
}

static const enum cz_action exits_hints[] = { ACT_OPEN, ACT_REJECT, ACT_ADD, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_exits = {
    .name = "exits",
    .open = exits_open,
    .draw = exits_draw,
    .key = exits_key,
    .close = exits_close,
    .resume = exits_resume,
    .hints = exits_hints,
};
