#include "progress.h"
#include "entry.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void progress_format(char *out, size_t size, const char *label, size_t done, size_t total, int width)
{
    char nums[64];
    if (total == 0) {                   /* not started: nothing to count yet */
        snprintf(out, size, "%s ...", label);
        return;
    }
    unsigned pct = total ? (unsigned)((done > total ? total : done) * 100 / total) : 0;
    char tot[24];
    int digits = snprintf(tot, sizeof tot, "%zu", total);
    /* done padded to the total's digits, so the bar keeps its length. */
    snprintf(nums, sizeof nums, "] %3u%%  %*zu/%s", pct, digits, done, tot);
    int bar = width - ui_cols(label) - 2 - (int)strlen(nums);
    if (bar < 4) {                      /* no room: the numbers alone */
        snprintf(out, size, "%s %u%%", label, pct);
        return;
    }
    if (bar > 50) bar = 50;
    int fill = total ? (int)((done > total ? total : done) * (size_t)bar / total) : 0;
    size_t used = (size_t)snprintf(out, size, "%s [", label);
    for (int i = 0; i < bar && used + 1 < size; i++) out[used++] = i < fill ? '#' : ' ';
    if (used < size) snprintf(out + used, size - used, "%s", nums);
}

void progress_start(struct progress *p, struct ui *ui, const char *label)
{
    memset(p, 0, sizeof *p);
    p->ui = ui;
    snprintf(p->label, sizeof p->label, "%s", label);
    progress_draw(p);
}

void progress_draw(struct progress *p)
{
    struct ui *ui = p->ui;
    char line[512];
    ui_draw_all(ui);
    int w = ui->cols - 4, y = ui->rows / 2 - 1;
    if (w < 10) return;
    ui_text_pad(ui, y - 1, 1, "", ui->cols - 2, A_REVERSE);
    ui_text_pad(ui, y, 1, "", ui->cols - 2, A_NORMAL);
    ui_text_pad(ui, y + 1, 1, "", ui->cols - 2, A_REVERSE);
    progress_format(line, sizeof line, p->label, p->done, p->total, w - 2);
    ui_text(ui, y, 2, line, w, A_BOLD);
    curs_set(0);
    refresh();
}

void progress_cb(void *ctx, size_t done, size_t total)
{
    struct progress *p = ctx;
    uint64_t now = cz_now_ms();
    p->done = done;
    p->total = total;
    if (done < total && now - p->last_ms < 50) return;
    p->last_ms = now;
    progress_draw(p);
}
