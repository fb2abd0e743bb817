/* newrecord.c — a new record of any kind people enter (helpers, places,
 * pairings, aid not given to one household, ...): pick the kind, fill its
 * form.  A reference the form needs (a plot's household, a pairing's
 * helper) is picked there from the records of that type.  Trust records
 * (keys, certificates, revocations) and approvals have their own paths. */
#include "allowed.h"
#include "list.h"
#include "screens_all.h"
#include "station.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct newrecord {
    struct list l;
    int refused;     /* why the last kind was refused to this person */
};

static int enterable(const struct cz_type *t)
{
    return !t->trust && strcmp(t->key, "key") && strcmp(t->key, "approval");
}

static int fill(struct ui *ui, struct newrecord *nr)
{
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    int rc = CZ_OK;
    list_clear(&nr->l);
    for (size_t i = 0; i < ntypes && !rc; i++) {
        char line[200];
        if (!enterable(&types[i])) continue;
        if (!allowed_new(ui, &types[i])) {
            nr->refused = cz_station_may_write(ui->st, types[i].key, NULL);
            continue;
        }
        snprintf(line, sizeof line, "  %s", T(ui, types[i].en, types[i].zh));
        rc = list_add(&nr->l, line, NULL, (int)i, 1);
    }
    return rc;
}

static int newrecord_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct newrecord *nr = calloc(1, sizeof *nr);
    if (!nr) return CZ_ENOMEM;
    s->state = nr;
    return fill(ui, nr);
}

static void newrecord_draw(struct ui *ui, struct screen *s)
{
    struct newrecord *nr = s->state;
    ui_title(ui, T(ui, "New record: which kind?", "新增记录：选择类别"));
    if (!nr->l.n) {
        /* Every kind is refused to this person here (allowed.h): say so,
         * rather than a blank menu that looks broken. */
        ui_text_wrap(ui, UI_TOP + 2, 2, T(ui, "You may not add any kind of record at this station:",
                                          "您在本站不能新增任何类别的记录："), ui->cols - 4, 2, A_BOLD);
        ui_text_wrap(ui, UI_TOP + 4, 4, cz_strerror(nr->refused, ui->lang), ui->cols - 6, 4, A_NORMAL);
        return;
    }
    list_draw(ui, &nr->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
}

static enum ui_result newrecord_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct newrecord *nr = s->state;
    const struct list_row *r = list_selected(&nr->l);
    if (k->action != ACT_OPEN && k->action != ACT_ADD) return list_key(&nr->l, k);
    if (!r) return UI_HANDLED;
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    record_form(ui, types[r->kind].key, NULL, NULL);
    return UI_HANDLED;
}

static void newrecord_resume(struct ui *ui, struct screen *s)
{
    struct newrecord *nr = s->state;
    size_t sel = nr->l.sel;
    if (fill(ui, nr) == CZ_OK && sel < nr->l.n) nr->l.sel = sel;
}

static void newrecord_close(struct screen *s)
{
    struct newrecord *nr = s->state;
    list_clear(&nr->l);
    free(nr);
}

static const enum cz_action newrecord_hints[] = { ACT_OPEN, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_newrecord = {
    .name = "newrecord",
    .open = newrecord_open,
    .draw = newrecord_draw,
    .key = newrecord_key,
    .close = newrecord_close,
    .resume = newrecord_resume,
    .hints = newrecord_hints,
};
