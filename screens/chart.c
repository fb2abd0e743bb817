/* chart.c — horizontal bar charts (chart.h). */
#include "chart.h"

#include <curses.h>
#include <string.h>

int chart_bar_cols(int64_t v, int64_t max, int cols)
{
    if (v <= 0 || max <= 0 || cols <= 0) return 0;
    if (v >= max) return cols;
    int64_t n = (v * cols + max - 1) / max;
    return n < 1 ? 1 : (int)n;
}

void chart_row(struct ui *ui, int y, int x, int width, int label_cols, const char *label,
               const char *value, int64_t v, int64_t max, int attr)
{
    char bar[256];
    int vcols = ui_cols(value);
    if (label_cols > width) label_cols = width;
    ui_text_pad_cut(ui, y, x, label, label_cols, attr);
    int room = width - label_cols - 1 - vcols - 1;     /* label, space, bar, space, value */
    if (room < 0) room = 0;
    if (room > (int)sizeof bar - 1) room = (int)sizeof bar - 1;
    int n = chart_bar_cols(v, max, room);
    memset(bar, '#', (size_t)n);
    bar[n] = 0;
    if (room > 0) ui_text_pad(ui, y, x + label_cols + 1, bar, room, attr);
    int vx = x + width - vcols;
    if (vx < x + label_cols) vx = x + label_cols;
    ui_text(ui, y, vx, value, x + width - vx, attr);
}
