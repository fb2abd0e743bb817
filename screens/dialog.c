/* dialog.c — modal dialogs drawn over the current screen: confirm, pick
 * from a list, one line of input.  Each runs its own small key loop and
 * repaints the screen beneath on every key (so a resize is handled). */
#include "edit.h"
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_box ui_box_place(const struct ui *ui, int h, int w)
{
    struct ui_box b;
    if (w > ui->cols - 2) w = ui->cols - 2;
    if (h > ui->rows - 2) h = ui->rows - 2;
    b.h = h; b.w = w;
    b.y = (ui->rows - h) / 2;
    b.x = (ui->cols - w) / 2;
    return b;
}

/* A frame of ACS lines (they work on vt100 and the Linux console as well
 * as xterm), the title set into the top line, the inside cleared.  Every
 * cell under the box, the frame's included, is cleared first: a line
 * drawn into the second half of a wide character makes curses blank its
 * first half, which would take a corner or a border already drawn there
 * with it. */
void ui_box_draw(struct ui *ui, const struct ui_box *b, const char *title)
{
    if (b->h < 2 || b->w < 4) return;
    for (int r = 0; r < b->h; r++) ui_text_pad(ui, b->y + r, b->x, "", b->w, A_NORMAL);
    mvaddch(b->y, b->x, ACS_ULCORNER);
    mvhline(b->y, b->x + 1, ACS_HLINE, b->w - 2);
    mvaddch(b->y, b->x + b->w - 1, ACS_URCORNER);
    mvvline(b->y + 1, b->x, ACS_VLINE, b->h - 2);
    mvvline(b->y + 1, b->x + b->w - 1, ACS_VLINE, b->h - 2);
    mvaddch(b->y + b->h - 1, b->x, ACS_LLCORNER);
    mvhline(b->y + b->h - 1, b->x + 1, ACS_HLINE, b->w - 2);
    mvaddch(b->y + b->h - 1, b->x + b->w - 1, ACS_LRCORNER);
    if (title && title[0]) {
        char t[300];
        snprintf(t, sizeof t, " %s ", title);
        ui_text(ui, b->y, b->x + 2, t, b->w - 4, A_BOLD);
    }
}

void ui_box_hint(struct ui *ui, const struct ui_box *b, const char *hint)
{
    char t[300];
    snprintf(t, sizeof t, " %s ", hint);
    ui_text(ui, b->y + b->h - 1, b->x + 2, t, b->w - 4, A_NORMAL);
}

int ui_confirm(struct ui *ui, const char *question)
{
    struct ui_key k;
    for (;;) {
        ui_draw_all(ui);
        struct ui_box b = ui_box_place(ui, 5, ui_cols(question) + 4 > 40 ? ui_cols(question) + 4 : 40);
        ui_box_draw(ui, &b, T(ui, "Please confirm", "请确认"));
        ui_text(ui, b.y + 2, b.x + 2, question, b.w - 4, A_BOLD);
        ui_box_hint(ui, &b, T(ui, "Enter: yes   Esc: no", "回车：是   Esc：否"));
        curs_set(0);
        refresh();
        ui_read_key(ui, &k);
        if (k.action == ACT_OPEN || k.ch == 'y' || k.ch == 'Y' || k.action == ACT_QUIT) return 1;
        if (k.action == ACT_BACK || k.ch == 'n' || k.ch == 'N') return 0;
    }
}

/* Moves a selection by a key; 1 when the key was a movement. */
int ui_move_sel(const struct ui_key *k, size_t *sel, size_t n, int page)
{
    if (!n) return 0;
    switch (k->action) {
    case ACT_UP: case ACT_PREV: if (*sel) (*sel)--; return 1;
    case ACT_DOWN: case ACT_NEXT: if (*sel + 1 < n) (*sel)++; return 1;
    case ACT_PAGE_UP: *sel = *sel > (size_t)page ? *sel - (size_t)page : 0; return 1;
    case ACT_PAGE_DOWN: *sel = *sel + (size_t)page < n ? *sel + (size_t)page : n - 1; return 1;
    case ACT_HOME: *sel = 0; return 1;
    case ACT_END: *sel = n - 1; return 1;
    default: return 0;
    }
}

void ui_box_rows(struct ui *ui, const char *title, const char *hint, const char *const *items, size_t n,
                 size_t sel, int pad, int min_w, ui_box_row_fn row, void *ctx)
{
    int w = ui_cols(title) + 6;
    for (size_t i = 0; i < n; i++) if (ui_cols(items[i]) + pad > w) w = ui_cols(items[i]) + pad;
    if (ui_cols(hint) + 6 > w) w = ui_cols(hint) + 6;
    if (w < min_w) w = min_w;
    struct ui_box b = ui_box_place(ui, (int)n + 2, w);
    int rows = b.h - 2;
    size_t top = rows > 0 && sel >= (size_t)rows ? sel - (size_t)rows + 1 : 0;
    ui_box_draw(ui, &b, title);
    for (int r = 0; r < rows && top + (size_t)r < n; r++) {
        size_t i = top + (size_t)r;
        int attr = i == sel ? A_REVERSE : A_NORMAL;
        ui_text_pad(ui, b.y + 1 + r, b.x + 1, "", b.w - 2, attr);
        row(ui, &b, b.y + 1 + r, i, attr, ctx);
    }
    ui_box_hint(ui, &b, hint);
}

static void pick_row(struct ui *ui, const struct ui_box *b, int y, size_t i, int attr, void *ctx)
{
    const char *const *items = ctx;
    ui_text(ui, y, b->x + 2, items[i], b->w - 4, attr);
}

static void pick_draw(struct ui *ui, const char *title, const char *const *items, size_t n,
                      size_t sel)
{
    ui_box_rows(ui, title, T(ui, "Enter: choose   Esc: cancel", "回车：选定   Esc：取消"), items, n, sel, 6, 30,
                pick_row, (void *)items);
}

int ui_pick(struct ui *ui, const char *title, const char *const *items, size_t n, size_t current)
{
    struct ui_key k;
    size_t sel = current < n ? current : 0;
    for (;;) {
        ui_draw_all(ui);
        pick_draw(ui, title, items, n, sel);
        curs_set(0);
        refresh();
        ui_read_key(ui, &k);
        if (ui_move_sel(&k, &sel, n, ui_body_rows(ui) - 2)) continue;
        if (k.action == ACT_OPEN && n) return (int)sel;
        if (k.action == ACT_BACK) return -1;
    }
}

static int prompt(struct ui *ui, const char *question, char **out, int secret)
{
    struct line_edit e = { .secret = secret };
    struct ui_key k;
    *out = NULL;
    if (edit_set(&e, "")) return -1;
    for (;;) {
        ui_draw_all(ui);
        struct ui_box b = ui_box_place(ui, 5, 60);
        ui_box_draw(ui, &b, question);
        edit_draw(ui, &e, b.y + 2, b.x + 2, b.w - 4, 1, A_UNDERLINE);
        ui_box_hint(ui, &b, T(ui, "Enter: OK   Esc: cancel", "回车：确定   Esc：取消"));
        curs_set(1);
        move(ui->cursor_y, ui->cursor_x);
        refresh();
        ui_read_key(ui, &k);
        if (k.action == ACT_OPEN) { *out = e.s; return 0; }
        if (k.action == ACT_BACK) { edit_free(&e); return -1; }
        edit_key(&e, &k);
    }
}

int ui_prompt(struct ui *ui, const char *question, char **out)
{
    return prompt(ui, question, out, 0);
}

int ui_prompt_secret(struct ui *ui, const char *question, char **out)
{
    return prompt(ui, question, out, 1);
}
