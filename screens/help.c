/* help.c — every action with the keys bound to it, generated from the
 * action table and the keymap in force (so it cannot drift from them). */
#include "list.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct help { struct list l; };

static void keys_of(const struct ui *ui, enum cz_action a, char *buf, size_t size)
{
    size_t used = 0;
    char name[32];
    buf[0] = 0;
    for (size_t i = 0; i < ui->km.n; i++) {
        if (ui->km.b[i].action != a) continue;
        cz_key_name(ui->km.b[i].key, name, sizeof name);
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s", used ? ", " : "", name);
        if (used >= size) return;
    }
}

static int fill(struct ui *ui, struct help *h)
{
    char keys[128], line[700], label[64], pad[64];
    int rc = CZ_OK;
    list_clear(&h->l);
    rc = list_add(&h->l, T(ui, " Esc 1 .. Esc 9, Esc 0: the same as F1 .. F9, F10 (terminals without function keys)",
                           " Esc 1 .. Esc 9、Esc 0：等同 F1 .. F9、F10（终端没有功能键时）"), NULL, 0, 1);
    for (int a = 0; a < ACT_COUNT && !rc; a++) {
        keys_of(ui, (enum cz_action)a, keys, sizeof keys);
        if (!keys[0]) continue;
        cz_action_label((enum cz_action)a, ui->lang == CZ_LANG_ZH, label, sizeof label);
        int w = ui_cols(keys);
        snprintf(pad, sizeof pad, "%*s", w < 22 ? 22 - w : 1, "");
        snprintf(line, sizeof line, " %s%s%s: %s", keys, pad, label,
                 cz_action_help((enum cz_action)a, ui->lang == CZ_LANG_ZH));
        rc = list_add(&h->l, line, NULL, 0, 1);
    }
    if (!rc && ui->keymap_errors[0]) {
        snprintf(line, sizeof line, " %s %s", T(ui, "Keymap problems:", "按键设置有误："), ui->keymap_errors);
        rc = list_add(&h->l, line, NULL, 0, 1);
    }
    return rc;
}

static int help_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct help *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    return fill(ui, h);
}

static void help_draw(struct ui *ui, struct screen *s)
{
    struct help *h = s->state;
    size_t sel = h->l.sel, top = h->l.top;
    fill(ui, h);   /* the language may have changed */
    if (list_reselect(&h->l, sel)) h->l.top = top;
    ui_title(ui, T(ui, "Help: keys", "帮助：按键"));
    list_draw(ui, &h->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
}

static enum ui_result help_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct help *h = s->state;
    if (k->action == ACT_BACK || k->action == ACT_HELP || k->action == ACT_OPEN) return UI_POP;
    return list_key(&h->l, k);
}

static void help_close(struct screen *s)
{
    struct help *h = s->state;
    list_clear(&h->l);
    free(h);
}

static const enum cz_action help_hints[] = { ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_help = {
    .name = "help",
    .open = help_open,
    .draw = help_draw,
    .key = help_key,
    .close = help_close,
    .hints = help_hints,
};
