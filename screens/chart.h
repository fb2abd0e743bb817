/* chart.h — horizontal bar charts that work without colour: one row a bar,
 * the label cut and padded by display width (CJK takes two columns), the
 * bar drawn with '#', the value right-aligned at the row's end. */
#ifndef CZ_CHART_H
#define CZ_CHART_H

#include <stdint.h>
#include "ui.h"

/* Columns of bar for v out of max in `cols` columns: 0 for v <= 0, at
 * least 1 for any v > 0, cols for v == max. */
int chart_bar_cols(int64_t v, int64_t max, int cols);

/* One bar row at (y, x) over `width` columns: label in label_cols, a space,
 * the bar scaled to what is left after the value, the value text
 * right-aligned.  Nothing goes past x + width. */
void chart_row(struct ui *ui, int y, int x, int width, int label_cols, const char *label,
               const char *value, int64_t v, int64_t max, int attr);

#endif
