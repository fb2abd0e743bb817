/* confirm.h — a confirm of several lines: what will happen, each line
 * wrapped in a box as wide as the screen allows, so a long path or a
 * count is never cut (ui_confirm is one line). */
#ifndef CZ_CONFIRM_H
#define CZ_CONFIRM_H

#include "ui.h"

/* lines[0] is shown bold; hint says what Enter and Esc do.  1 yes
 * (Enter), 0 no (Esc). */
int confirm_lines(struct ui *ui, const char *title, const char *const *lines, int n, const char *hint);

#endif
