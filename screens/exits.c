/* exits.c — the exit assessments of the person logged in (supervisors
 * and the office): those awaiting a step they may sign, or (the toggle)
 * every one in their jurisdiction with its stage; for the one selected,
 * the assessment, the exit criterion it fails (before anyone signs), the
 * chain so far (who signed each step, when) and the day the notice may
 * close.  Approve signs the next step exactly as `cunzhan approve` does
 * (cz_approve_sign), refused at once, with the reason, when a rule would
 * refuse it; Reject signs a refusal of that step with its reason, as
 * `cunzhan approve --reject --notes` does.  Add starts an exit assessment
 * for a household found by name or number. */
#include "approve.h"
#include "data.h"
#include "exits_rows.h"
#include "keys.h"
#include "exitchain.h"
#include "hex.h"
#include "list.h"
#include "parse.h"
#include "printing.h"
#include "roles.h"
#include "screens_all.h"
#include "overview.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exits {
    struct exit_items xs;
    int all;             /* every assessment in the jurisdiction, not only those awaiting this person */
    struct list l;
};

static void load(struct ui *ui, struct exits *x)
{
    char line[1024], stage[256];
    size_t sel = x->l.sel;
    list_clear(&x->l);
    exit_items_load(ui, &x->xs, x->all);
    for (size_t i = 0; i < x->xs.n; i++) {
        const struct exit_item *p = &x->xs.p[i];
        exit_stage_text(ui, p, stage, sizeof stage);
        snprintf(line, sizeof line, " %s  %s  %s%s%s", p->name, p->year, stage, p->criteria ? "  ! " : "",
                 p->criteria ? p->criteria_short : "");
        list_add(&x->l, line, p->exit, 0, 1);
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

/* What step st of the selected chain says: who signed it, or why not. */
static const char *step_state(struct ui *ui, const struct exit_item *p, int st)
{
    if (p->signed_by[st][0]) return p->signed_by[st];
    if (p->rejected[st]) return T(ui, "rejected", "未通过");
    if (p->ahead[st]) return T(ui, "signed with a clock ahead of this PC: not counted yet", "签署时钟超前于本机：暂不计入");
    if (st != p->step) return "-";
    /* While the notice runs, an objection may still stop it: rejecting
     * is open to whoever may stop the step, signing only once it closes. */
    if (p->stage == CZ_STAGE_NOTICE)
        return p->may_approve ? T(ui, "the notice runs: yours to sign once it closes, to reject now",
                                  "公示中：期满后待您签署，现可不同意")
             : p->mine ? T(ui, "the notice runs: you may reject it now", "公示中：您现可不同意")
             : T(ui, "the notice runs: not signed before it closes", "公示中：期满前不能签署");
    if (p->may_approve) return T(ui, "awaits your signature", "待您签署");
    if (p->mine) return T(ui, "awaits its level's signature (you may reject)", "待该级签署（您可不同意）");
    return T(ui, "awaits its level's signature", "待该级签署");
}

static void detail_draw(struct ui *ui, const struct exit_item *p, int y)
{
    char line[512];
    snprintf(line, sizeof line, "%s  %s", p->name, p->summary);
    ui_text(ui, y++, 1, line, ui->cols - 2, A_BOLD);
    if (p->yearly[0]) ui_text(ui, y++, 2, p->yearly, ui->cols - 3, A_NORMAL);
    y += ui_text_wrap(ui, y, 2, p->checks, ui->cols - 3, 2, A_NORMAL);
    for (int st = 0; st < CZ_STEP_COUNT && y < ui->rows - 2; st++, y++) {
        snprintf(line, sizeof line, " %d. %s%s%s", st + 1, exit_step_label(ui, st), T(ui, ": ", "："),
                 step_state(ui, p, st));
        ui_text(ui, y, 1, line, ui->cols - 2, st == p->step ? A_BOLD : A_NORMAL);
    }
    if (p->state[0] && y < ui->rows - 2)
        ui_text_wrap(ui, y, 1, p->state, ui->cols - 2, ui->rows - 2 - y, p->criteria ? A_BOLD : A_NORMAL);
}

static void exits_draw(struct ui *ui, struct screen *s)
{
    struct exits *x = s->state;
    char title[256];
    if (x->all)
        snprintf(title, sizeof title, T(ui, "All exit assessments in your jurisdiction: %zu, %zu open",
                                        "辖区内全部退出评估：%zu 份，进行中 %zu 份"), x->xs.n, x->xs.open);
    else
        snprintf(title, sizeof title, "%s", T(ui, "Exit approvals awaiting your signature", "待您审批的贫困户退出"));
    ui_title(ui, title);
    if (ui_failed(ui, UI_TOP + 2, x->xs.rc)) return;
    if (!x->xs.n) {
        ui_text(ui, UI_TOP + 2, 1, x->all ? T(ui, "No exit assessment in your jurisdiction.", "您的辖区内没有退出评估。")
                                          : T(ui, "Nothing awaits a step you may sign.", "没有等待您审批的环节。"),
                ui->cols - 2, A_NORMAL);
        return;
    }
    int body = ui_body_rows(ui), detail = CZ_STEP_COUNT + 6;
    int list_rows = body - 2 - detail;
    if (list_rows < 2) list_rows = 2;
    list_draw(ui, &x->l, UI_TOP + 2, list_rows, 1);
    detail_draw(ui, &x->xs.p[x->l.sel < x->xs.n ? x->l.sel : 0], UI_TOP + 2 + list_rows + 1);
}

/* A field refused, named by its label in the person's language (never
 * its key: the key is for the command line). */
static void field_message(struct ui *ui, const struct cz_field_error *err, char *buf, size_t size)
{
    const struct cz_type *t = cz_schema_type("approval");
    const struct cz_field *f = err->field ? err->field : cz_schema_field(t, err->name);
    char hint[400];
    cz_field_error_hint(t, err, ui->lang, hint, sizeof hint);
    snprintf(buf, size, "%s%s%s", f ? T(ui, f->en, f->zh) : T(ui, "A field", "某字段"), T(ui, ": ", "："), hint);
}

/* What goes between a sentence and the next: its full stop when it has
 * none (the core's reasons are phrases), then a space in English. */
static const char *sentence_end(const struct ui *ui, const char *s)
{
    size_t n = strlen(s);
    static const char *const ends[] = { ".", "!", "?", "\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f" };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t k = strlen(ends[i]);
        if (n >= k && !memcmp(s + n - k, ends[i], k)) return T(ui, " ", "");
    }
    return T(ui, ". ", "\xe3\x80\x82");
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
        ui_message(ui, 1, "%s%s%s", msg, sentence_end(ui, msg), T(ui, "Nothing was stored.", "没有保存任何内容。"));
        return;
    default:
        if (err && (err->field || err->name[0])) {
            field_message(ui, err, msg, sizeof msg);
            ui_message(ui, 1, "%s", msg);
        } else {
            ui_status_message(ui, rc);
        }
    }
}

/* A chain with no step left to sign (complete, or every step signed and
 * the criteria not met): said at once, nothing asked. */
static int nothing_to_sign(struct ui *ui, const struct exit_item *p)
{
    if (p->step >= 0) return 0;
    ui_message(ui, 1, "%s", p->stage == CZ_STAGE_COMPLETE
                                ? T(ui, "Every step is signed: this household has exited. Nothing to sign.",
                                    "各环节均已签署：该户已脱贫，无需再签署。")
                                : T(ui, "Every step is signed, but the assessment does not meet the criteria. Nothing to sign.",
                                    "各环节均已签署，但该评估不符合退出标准，无需再签署。"));
    return 1;
}

static void approve(struct ui *ui, struct exits *x)
{
    char q[512], hex[65];
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    if (x->l.sel >= x->xs.n) return;
    const struct exit_item *p = &x->xs.p[x->l.sel];
    struct cz_exit_detail d;
    if (nothing_to_sign(ui, p)) return;
    /* The rules first, so a refusal (the notice's closing date, the
     * criterion that fails) comes before the question, not after it. */
    int rc = cz_approve_check(ui->st, p->exit, cz_step_key((enum cz_step)p->step), "approve", NULL, p->version, &d);
    memset(&err, 0, sizeof err);
    if (rc) { refused(ui, x, rc, &err, &d); return; }
    snprintf(q, sizeof q, T(ui, "Sign \"%s\" for %s?", "签署“%s”：%s？"), exit_step_label(ui, p->step), p->name);
    if (!ui_confirm(ui, q)) return;
    rc = cz_approve_sign(ui->st, p->exit, cz_step_key((enum cz_step)p->step), "approve", NULL, NULL,
                         p->version, entity, id, NULL, &err);
    if (rc) { refused(ui, x, rc, &err, NULL); return; }
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    snprintf(q, sizeof q, "%s", exit_step_label(ui, p->step));
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
    if (x->l.sel >= x->xs.n) return;
    const struct exit_item *p = &x->xs.p[x->l.sel];
    if (nothing_to_sign(ui, p)) return;
    snprintf(step, sizeof step, "%s", exit_step_label(ui, p->step));
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
    int rc = cz_approve_sign(ui->st, p->exit, cz_step_key((enum cz_step)p->step), "reject", reason, NULL,
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

/* The public notice of the selected assessment's village: every exit
 * there whose notice step is next (print.h). */
static void print_notice(struct ui *ui, const struct exits *x)
{
    char path[4096];
    if (x->l.sel >= x->xs.n) return;
    const struct exit_item *p = &x->xs.p[x->l.sel];
    struct cz_print_out o = { .path = path, .lang = ui->lang };
    if (printing_path(ui, "notice", p->region, path, sizeof path)) return;
    printing_said(ui, cz_print_notice(ui->st, p->region, 0, &o), &o);
}

static enum ui_result exits_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct exits *x = s->state;
    switch (k->action) {
    case ACT_OPEN: case ACT_SAVE: approve(ui, x); return UI_HANDLED;
    case ACT_REJECT: reject(ui, x); return UI_HANDLED;
    case ACT_ADD: start_exit(ui); return UI_HANDLED;
    case ACT_PRINT: print_notice(ui, x); return UI_HANDLED;
    case ACT_SHOW_ALL:
        x->all = !x->all;
        x->l.sel = x->l.top = 0;
        load(ui, x);
        return UI_HANDLED;
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
    exit_items_free(&x->xs);
    free(x);
}

static const enum cz_action exits_hints[] = { ACT_OPEN, ACT_REJECT, ACT_SHOW_ALL, ACT_PRINT, ACT_ADD, ACT_BACK,
                                               ACT_NONE };

const struct screen_ops cz_screen_exits = {
    .name = "exits",
    .open = exits_open,
    .draw = exits_draw,
    .key = exits_key,
    .close = exits_close,
    .resume = exits_resume,
    .hints = exits_hints,
};
