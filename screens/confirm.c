/* confirm.c — a confirm of several wrapped lines (confirm.h). */
#include "confirm.h"

#include <curses.h>

int confirm_lines(struct ui *ui, const char *title, const char *const *lines, int n, const char *hint)
{
    struct ui_key k;
    for (;;) {
        ui_draw_all(ui);
        int rows = 0, w = ui->cols - 4;
        for (int i = 0; i < n; i++) rows += ui_text_wrap(ui, -1, 0, lines[i], w - 4, 4, A_NORMAL);
        struct ui_box b = ui_box_place(ui, rows + 4, w);
        ui_box_draw(ui, &b, title);
        for (int i = 0, y = b.y + 2; i < n; i++)
            y += ui_text_wrap(ui, y, b.x + 2, lines[i], b.w - 4, 4, i == 0 ? A_BOLD : A_NORMAL);
        ui_box_hint(ui, &b, hint);
        curs_set(0);
        refresh();
        ui_read_key(ui, &k);
        if (k.action == ACT_OPEN) return 1;
        if (k.action == ACT_BACK || k.action == ACT_QUIT) return 0;
    }
}
