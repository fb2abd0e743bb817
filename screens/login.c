/* login.c — who is at the keyboard: the people with a key on this PC, one
 * picked with the arrows and Enter (typing in the user field narrows the
 * list to the names holding what is typed), then a passphrase (never
 * echoed).  The list shows each name with the role its certificate grants
 * and nothing else: the key slots stay sealed.  When the person is known
 * already (--user, or only one person here) the passphrase has the focus.
 * Skipped when CUNZHAN_PASSPHRASE is set (see ui.c). */
#include "form.h"
#include "grow.h"
#include "keys.h"
#include "overview.h"
#include "pinyin.h"
#include "roster.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct person { char name[CZ_NAME_MAX]; char role[16]; int known; };

struct login {
    struct form fm;
    struct person *people;
    size_t n, cap;
    size_t *shown;         /* indices into people, as listed now */
    size_t nshown, sel, top;
    int filtering;         /* the user field narrows the list (typed into) */
};

struct load_ctx { struct login *l; cz_txn *t; const uint8_t *root; };

static int person_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct load_ctx *c = ctx;
    struct login *l = c->l;
    uint8_t pk[CZ_PK_BYTES];
    struct cz_trust_info ti;
    if (cz_grow(&l->people, &l->cap, l->n + 1, sizeof *l->people)) return CZ_ENOMEM;
    struct person *p = &l->people[l->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    /* The public half only: the role is public, the key stays sealed. */
    if (cz_keyblob_sign_pk(blob, len, pk) == CZ_OK && cz_roster_lookup(c->t, c->root, pk, &ti) == CZ_OK) {
        p->known = 1;
        if (ti.revoked) snprintf(p->role, sizeof p->role, "revoked");
        else if (ti.state == CZ_TRUST_ROOT) snprintf(p->role, sizeof p->role, "office");
        else if (ti.state == CZ_TRUST_CERTIFIED) snprintf(p->role, sizeof p->role, "%s", ti.role);
        else snprintf(p->role, sizeof p->role, "pending");
    }
    return CZ_OK;
}

/* People in pinyin order of their names (pinyin.h). */
static int person_cmp(const void *a, const void *b)
{
    return cz_collate(((const struct person *)a)->name, ((const struct person *)b)->name);
}

static int load_people(struct ui *ui, struct login *l)
{
    cz_view *v = NULL;
    int rc = cz_view_begin(ui->st, &v);
    if (rc) return rc;
    struct load_ctx c = { .l = l, .t = cz_view_txn(v), .root = cz_station_info(ui->st)->office_root };
    rc = cz_view_each_user(v, person_cb, &c);
    cz_view_end(v);
    if (!rc && l->n) qsort(l->people, l->n, sizeof *l->people, person_cmp);
    if (!rc && !(l->shown = calloc(l->n + 1, sizeof *l->shown))) rc = CZ_ENOMEM;
    return rc;
}

/* The people whose name holds the typed text (all when not filtering);
 * the selection stays on the same person when they are still listed. */
static void refilter(struct login *l)
{
    size_t was = l->nshown ? l->shown[l->sel] : (size_t)-1;
    const char *typed = form_value(&l->fm, 0);
    l->nshown = l->sel = l->top = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->filtering && typed[0] && !strcasestr(l->people[i].name, typed)) continue;
        if (i == was) l->sel = l->nshown;
        l->shown[l->nshown++] = i;
    }
}

static int login_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct login *l = calloc(1, sizeof *l);
    const struct cz_station_info *info = cz_station_info(ui->st);
    const char *who = ui->user ? ui->user : info->default_user;
    if (!l) return CZ_ENOMEM;
    s->state = l;
    int rc = load_people(ui, l);
    int known = ui->user || l->n <= 1;
    if (!rc) rc = form_add_text(&l->fm, "User", "用户", FK_TEXT, known ? who : "");
    if (!rc) rc = form_add_text(&l->fm, "Passphrase", "口令", FK_SECRET, "");
    if (rc) return rc;
    refilter(l);
    for (size_t i = 0; i < l->nshown; i++)
        if (!strcmp(l->people[l->shown[i]].name, who)) l->sel = i;
    l->fm.focus = known ? 1 : 0;
    return CZ_OK;
}

static const char *role_label(struct ui *ui, const struct person *p)
{
    if (!p->known) return "";
    if (!strcmp(p->role, "clerk")) return T(ui, "clerk", "录入员");
    if (!strcmp(p->role, "supervisor")) return T(ui, "supervisor", "审核人");
    if (!strcmp(p->role, "office")) return T(ui, "office", "市办");
    if (!strcmp(p->role, "revoked")) return T(ui, "revoked", "已吊销");
    return T(ui, "not yet enrolled", "待认证");
}

static void draw_people(struct ui *ui, struct login *l, int y, int rows)
{
    if (rows < 2) return;
    ui_text(ui, y++, 2, l->fm.focus == 0
            ? T(ui, "People on this PC (Up/Down to choose, Enter to pick, type to narrow):",
                "本机用户（上下键选择，回车确定，输入可缩小范围）：")
            : T(ui, "People on this PC (Up: back to the list):", "本机用户（按上键回到列表）："),
            ui->cols - 4, A_NORMAL);
    rows--;
    if (!l->nshown) {
        ui_text(ui, y, 4, T(ui, "(nobody here has that name)", "（本机没有这个名字的用户）"), ui->cols - 6, A_NORMAL);
        return;
    }
    if (l->sel < l->top) l->top = l->sel;
    if (l->sel >= l->top + (size_t)rows) l->top = l->sel - (size_t)rows + 1;
    for (size_t i = l->top; i < l->nshown && (int)(i - l->top) < rows; i++) {
        const struct person *p = &l->people[l->shown[i]];
        char line[200];
        snprintf(line, sizeof line, "%s %s", i == l->sel ? ">" : " ", p->name);
        int attr = i == l->sel ? (l->fm.focus == 0 ? A_REVERSE : A_BOLD) : A_NORMAL;
        int w = ui_text_pad(ui, y, 4, line, 24, attr);
        ui_text(ui, y++, 4 + w + 2, role_label(ui, p), ui->cols - 8 - w, A_NORMAL);
    }
}

static void login_draw(struct ui *ui, struct screen *s)
{
    struct login *l = s->state;
    const struct cz_station_info *info = cz_station_info(ui->st);
    ui_text(ui, UI_TOP + 1, 2, info->name, ui->cols - 4, A_BOLD);
    ui_text(ui, UI_TOP + 2, 2, T(ui, "Log in to sign records", "登录后签名录入"), ui->cols - 4, A_NORMAL);
    draw_people(ui, l, UI_TOP + 8, ui_body_rows(ui) - 8);
    form_draw(ui, &l->fm, UI_TOP + 4, 4);
}

static enum ui_result try_login(struct ui *ui, struct login *l)
{
    int rc = cz_station_login(ui->st, form_value(&l->fm, 0), form_value(&l->fm, 1));
    edit_set(&l->fm.f[1].e, "");
    if (rc == CZ_EPASS) {
        ui_message(ui, 1, "%s", T(ui, "Wrong passphrase. Try again, or ask the station's supervisor.",
                                  "口令错误。请重试，或询问本站审核员。"));
        return UI_HANDLED;
    }
    if (rc) { ui_status_message(ui, rc); return UI_HANDLED; }
    rc = ui_replace(ui, &cz_screen_home, NULL);
    if (rc) ui_status_message(ui, rc);
    else ui_after_login(ui);
    return UI_HANDLED;
}

/* Enter in the user field: the person selected (or the name as typed,
 * when the list is empty: the login then says nobody has it). */
static enum ui_result pick(struct ui *ui, struct login *l)
{
    if (l->nshown) edit_set(&l->fm.f[0].e, l->people[l->shown[l->sel]].name);
    if (!form_value(&l->fm, 0)[0]) return UI_HANDLED;
    l->filtering = 0;
    refilter(l);
    l->fm.focus = 1;
    return UI_HANDLED;
}

static enum ui_result user_key(struct ui *ui, struct login *l, const struct ui_key *k)
{
    switch (k->action) {
    case ACT_OPEN: case ACT_NEXT: return pick(ui, l);
    case ACT_UP: case ACT_DOWN: case ACT_PAGE_UP: case ACT_PAGE_DOWN:
        ui_move_sel(k, &l->sel, l->nshown, ui_body_rows(ui) - 9 > 1 ? ui_body_rows(ui) - 9 : 1);
        return UI_HANDLED;
    default: break;
    }
    enum ui_result r = form_key(ui, &l->fm, k);
    if (r == UI_HANDLED && l->fm.focus == 0) {
        l->filtering = 1;
        refilter(l);
    }
    return r;
}

static enum ui_result login_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct login *l = s->state;
    if (k->action == ACT_SAVE) return try_login(ui, l);
    if (l->fm.focus == 0) return k->action == ACT_BACK ? UI_HANDLED : user_key(ui, l, k);
    if (k->action == ACT_OPEN) return try_login(ui, l);
    if (k->action == ACT_BACK || k->action == ACT_UP || k->action == ACT_PREV) {
        edit_set(&l->fm.f[1].e, "");
        l->fm.focus = 0;
        return UI_HANDLED;
    }
    return form_key(ui, &l->fm, k);
}

static void login_close(struct screen *s)
{
    struct login *l = s->state;
    form_free(&l->fm);
    free(l->people);
    free(l->shown);
    free(l);
}

static const enum cz_action login_hints[] = { ACT_OPEN, ACT_NEXT, ACT_NONE };

const struct screen_ops cz_screen_login = {
    .name = "login",
    .open = login_open,
    .draw = login_draw,
    .key = login_key,
    .close = login_close,
    .hints = login_hints,
};
