/* progress.h — a progress bar for long work (export, import):
 *     label [#####     ] 42%  1234/2900
 * laid out by display width within the terminal.  progress_cb fits
 * struct cz_progress (sync.h): it repaints the screen beneath, draws the
 * bar in a box and refreshes the terminal, at most every 50 ms. */
#ifndef CZ_PROGRESS_H
#define CZ_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include "ui.h"

/* The bar as text in exactly `width` display columns (or fewer when even
 * the numbers do not fit). */
void progress_format(char *out, size_t size, const char *label, size_t done, size_t total, int width);

struct progress {
    struct ui *ui;
    char label[160];
    uint64_t last_ms;
    size_t done, total;
};

void progress_start(struct progress *p, struct ui *ui, const char *label);
void progress_cb(void *ctx, size_t done, size_t total);
/* Draws the bar now (also used by progress_cb). */
void progress_draw(struct progress *p);

#endif
