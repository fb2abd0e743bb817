/* login.c — who is at the keyboard: a user name and a passphrase (never
 * echoed).  Skipped when CUNZHAN_PASSPHRASE is set (see ui.c). */
#include "form.h"
#include "screens_all.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

struct login { struct form fm; int tries; };

static int login_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct login *l = calloc(1, sizeof *l);
    const struct cz_station_info *info = cz_station_info(ui->st);
    if (!l) return CZ_ENOMEM;
    s->state = l;
    int rc = form_add(&l->fm, T(ui, "User", "用户"), FK_TEXT, NULL, ui->user ? ui->user : info->default_user);
    if (!rc) rc = form_add(&l->fm, T(ui, "Passphrase", "口令"), FK_SECRET, NULL, "");
    l->fm.focus = 1;
    return rc;
}

static void login_draw(struct ui *ui, struct screen *s)
{
    struct login *l = s->state;
    const struct cz_station_info *info = cz_station_info(ui->st);
    ui_text(ui, UI_TOP + 1, 2, info->name, ui->cols - 4, A_BOLD);
    ui_text(ui, UI_TOP + 2, 2, T(ui, "Log in to sign records", "登录后签名录入"), ui->cols - 4, A_NORMAL);
    form_draw(ui, &l->fm, UI_TOP + 4, ui_body_rows(ui) - 4);
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

static enum ui_result login_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct login *l = s->state;
    if (k->action == ACT_SAVE || (k->action == ACT_OPEN && l->fm.focus == 1)) return try_login(ui, l);
    if (k->action == ACT_BACK) return UI_HANDLED;
    return form_key(ui, &l->fm, k);
}

static void login_close(struct screen *s)
{
    struct login *l = s->state;
    form_free(&l->fm);
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
