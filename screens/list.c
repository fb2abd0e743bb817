#include "list.h"
#include "grow.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int list_add(struct list *l, const char *text, const uint8_t *entity, int kind, int selectable)
{
    if (cz_grow(&l->rows, &l->cap, l->n + 1, sizeof *l->rows)) return CZ_ENOMEM;
    struct list_row *r = &l->rows[l->n];
    memset(r, 0, sizeof *r);
    if (!(r->text = strdup(text))) return CZ_ENOMEM;
    if (entity) memcpy(r->entity, entity, CZ_ENTITY_BYTES);
    r->kind = kind;
    r->selectable = selectable;
    if (l->n == l->sel && !selectable) l->sel++;
    l->n++;
    return CZ_OK;
}

void list_clear(struct list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->rows[i].text);
    free(l->rows);
    memset(l, 0, sizeof *l);
}

const struct list_row *list_selected(const struct list *l)
{
    return l->sel < l->n && l->rows[l->sel].selectable ? &l->rows[l->sel] : NULL;
}

int list_reselect(struct list *l, size_t sel)
{
    if (sel >= l->n || !l->rows[sel].selectable) return 0;
    l->sel = sel;
    return 1;
}

/* A row wider than width columns ends in "…" at its edge. */
static void draw_row(struct ui *ui, int y, const char *text, int width, int attr)
{
    ui_text_pad_cut(ui, y, 0, text, width, attr);
}

void list_draw(struct ui *ui, struct list *l, int y, int rows, int focused)
{
    char more[48] = "";
    int mw = 0;
    if (rows <= 0) return;
    l->page = rows;
    if (l->sel < l->top) l->top = l->sel;
    if (l->sel >= l->top + (size_t)rows) l->top = l->sel - (size_t)rows + 1;
    if (l->n > (size_t)rows) {
        /* sel passes the last row when no row can be chosen (list_add
         * moves it past every row it may not rest on): the last row. */
        snprintf(more, sizeof more, " %zu/%zu ", (l->sel < l->n ? l->sel : l->n - 1) + 1, l->n);
        mw = ui_cols(more) + 1;
    }
    for (int r = 0; r < rows && l->top + (size_t)r < l->n; r++) {
        size_t i = l->top + (size_t)r;
        int attr = i == l->sel && focused && l->rows[i].selectable ? A_REVERSE : A_NORMAL;
        /* The bottom row stops short of the indicator, never under it: a
         * wide glyph half covered would garble both. */
        draw_row(ui, y + r, l->rows[i].text, r == rows - 1 ? ui->cols - mw : ui->cols, attr);
    }
    if (mw) ui_text(ui, y + rows - 1, ui->cols - mw, more, mw - 1, A_REVERSE);
}

/* Moves by step rows, landing on a selectable one. */
static void step(struct list *l, long by)
{
    long i = (long)l->sel, n = (long)l->n, dir = by < 0 ? -1 : 1;
    long target = i + by;
    if (target < 0) target = 0;
    if (target >= n) target = n - 1;
    while (target >= 0 && target < n && !l->rows[target].selectable) target += dir;
    if ((target < 0 || target >= n) && i + by >= 0 && i + by < n) {
        /* Nothing to choose that way, but rows to read (a household's
         * history): move onto them, so the view scrolls; Enter there does
         * nothing (list_selected is NULL). */
        l->sel = (size_t)(i + by);
        return;
    }
    if ((target < 0 || target >= n) && (by > 0 ? i < n - 1 : i > 0)) {
        l->sel = by > 0 ? (size_t)(n - 1) : 0;   /* PgDn/End past the last choice: the end */
        return;
    }
    if (target < 0 || target >= n) {      /* nothing that way: search back */
        target = i + by < 0 ? 0 : n - 1;
        while (target >= 0 && target < n && !l->rows[target].selectable) target -= dir;
    }
    if (target >= 0 && target < n) l->sel = (size_t)target;
}

enum ui_result list_key(struct list *l, const struct ui_key *k)
{
    long page = l->page > 1 ? l->page - 1 : 1;
    if (!l->n) return UI_UNHANDLED;
    switch (k->action) {
    case ACT_UP: step(l, -1); return UI_HANDLED;
    case ACT_DOWN: step(l, 1); return UI_HANDLED;
    case ACT_PAGE_UP: step(l, -page); return UI_HANDLED;
    case ACT_PAGE_DOWN: step(l, page); return UI_HANDLED;
    case ACT_HOME: step(l, -(long)l->n); return UI_HANDLED;
    case ACT_END: step(l, (long)l->n); return UI_HANDLED;
    default: return UI_UNHANDLED;
    }
}
