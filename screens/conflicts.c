/* conflicts.c — the records whose concurrent versions disagree (as
 * `cunzhan conflicts` lists them); Enter opens one side by side
 * (resolve.c) to choose a value per field. */
#include "conflicts.h"
#include "data.h"
#include "hex.h"
#include "list.h"
#include "overview.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conflicts { struct list l; size_t count; int rc; };

struct fill { struct ui *ui; struct conflicts *c; };

static int fill_cb(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                   const struct cz_merged *m)
{
    struct fill *f = ctx;
    char hex[65], title[256] = "", fields[256] = "", line[800];
    const char *cells[] = { " ", hex, NULL, title, fields };
    static const int widths[] = { 1, 13, 12, 22, 0 };
    size_t used = 0;
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    hex[12] = 0;
    if (m->body) cz_schema_title(type, m->body, title, sizeof title);
    for (size_t i = 0; i < m->nconflicts && used < sizeof fields; i++) {
        const struct cz_field *fd = m->conflicts[i].tag ? cz_schema_field_by_tag(type, m->conflicts[i].tag) : NULL;
        const char *name = m->conflicts[i].tag == 0 ? T(f->ui, "deleted/edited", "删除/修改")
                         : fd ? T(f->ui, fd->en, fd->zh) : "?";
        used += (size_t)snprintf(fields + used, sizeof fields - used, "%s%s", i ? ", " : "", name);
    }
    cells[2] = T(f->ui, type->en, type->zh);
    data_columns(line, sizeof line, cells, widths, 5);
    f->c->count++;
    return list_add(&f->c->l, line, entity, 0, 1);
}

static void load(struct ui *ui, struct conflicts *c)
{
    struct fill f = { .ui = ui, .c = c };
    cz_view *v = NULL;
    size_t sel = c->l.sel;
    list_clear(&c->l);
    c->count = 0;
    c->rc = cz_view_begin(ui->st, &v);
    if (!c->rc) c->rc = cz_conflicts_each(cz_view_txn(v), fill_cb, &f);
    cz_view_end(v);
    list_reselect(&c->l, sel);
}

static int conflicts_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct conflicts *c = calloc(1, sizeof *c);
    if (!c) return CZ_ENOMEM;
    s->state = c;
    load(ui, c);
    return CZ_OK;
}

static void conflicts_draw(struct ui *ui, struct screen *s)
{
    struct conflicts *c = s->state;
    char line[256];
    ui_title(ui, T(ui, "Conflicts: records whose values disagree after sync", "冲突：同步后取值不一致的记录"));
    if (!ui_failed(ui, UI_TOP + 1, c->rc)) {
        if (!c->count) snprintf(line, sizeof line, "%s", T(ui, "No conflicts.", "没有冲突。"));
        else snprintf(line, sizeof line, T(ui, "%zu records in conflict: Enter opens one to choose the values",
                                           "%zu 条记录有冲突：按回车打开并选择取值"), c->count);
        ui_text(ui, UI_TOP + 1, 1, line, ui->cols - 2, A_NORMAL);
    }
    list_draw(ui, &c->l, UI_TOP + 3, ui_body_rows(ui) - 3, 1);
}

static enum ui_result conflicts_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct conflicts *c = s->state;
    if (k->action == ACT_OPEN) {
        const struct list_row *r = list_selected(&c->l);
        if (r) {
            int rc = ui_push(ui, &cz_screen_resolve, r->entity);
            if (rc) ui_status_message(ui, rc);
        }
        return UI_HANDLED;
    }
    return list_key(&c->l, k);
}

static void conflicts_resume(struct ui *ui, struct screen *s)
{
    load(ui, s->state);
}

static void conflicts_close(struct screen *s)
{
    struct conflicts *c = s->state;
    list_clear(&c->l);
    free(c);
}

static const enum cz_action conflicts_hints[] = { ACT_OPEN, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_conflicts = {
    .name = "conflicts",
    .open = conflicts_open,
    .draw = conflicts_draw,
    .key = conflicts_key,
    .close = conflicts_close,
    .resume = conflicts_resume,
    .hints = conflicts_hints,
};
