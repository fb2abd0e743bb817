/* cli_progress.c — the progress bar on stderr (cli_progress.h). */
#include "cli_progress.h"
#include "cli_int.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Redraws at most this often: more is flicker a person cannot read, and
 * on a slow serial or remote terminal every redraw costs. */
#define REDRAW_SECS 0.1
/* Work shorter than this leaves no line behind: a quick import need not
 * say how long it took. */
#define KEEP_SECS 1.0
/* A rate needs this much time behind it before it means anything. */
#define RATE_SECS 0.2
/* The bar between its brackets: never wider, and left out when narrower. */
#define BAR_MAX 30
#define BAR_MIN 8
/* Columns kept for "  12345/s  1:23 left" beside the bar. */
#define RATE_ROOM 21

struct cli_progress {
    enum cz_lang lang;
    const char *label, *unit, *next_label;
    struct cz_progress hook;
    int started, drawn;
    double begun;            /* the core's first report */
    double pass_t0;          /* the first report of this pass ... */
    size_t pass_d0;          /* ... and its count */
    double last_draw;
    size_t done, total;
    size_t cols;             /* columns the bar covers on screen now */
};

static double now_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The terminal's width; 80 when it does not say (a pty nobody sized). */
static size_t term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

void cli_progress_clock(double secs, char *buf, size_t size)
{
    if (!(secs >= 0) || secs > 999 * 60 + 59) {
        snprintf(buf, size, "-:--");
        return;
    }
    unsigned long s = (unsigned long)(secs + 0.5);
    snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

/* The line without its bar; *at is where the bar goes. */
static void line_text(const struct cli_progress_line *l, char *buf, size_t size, size_t *at)
{
    char rate[32] = "", clock[32], when[64] = "";
    int n;
    if (l->rate >= 10) snprintf(rate, sizeof rate, "  %.0f/s", l->rate);
    else if (l->rate >= 0) snprintf(rate, sizeof rate, "  %.1f/s", l->rate);
    cli_progress_clock(l->secs, clock, sizeof clock);
    if (l->final) snprintf(when, sizeof when, l->lang == CZ_LANG_ZH ? "  用时 %s" : "  took %s", clock);
    else if (l->rate > 0) snprintf(when, sizeof when, l->lang == CZ_LANG_ZH ? "  剩余 %s" : "  %s left", clock);
    n = snprintf(buf, size, "%s  ", l->label);
    *at = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    /* The count as wide as the total, so nothing after it moves. */
    int digits = snprintf(NULL, 0, "%zu", l->total);
    if (l->total)
        snprintf(buf + *at, size - *at, "%*zu/%zu %s%s%s", digits, l->done, l->total, l->unit, rate, when);
    else
        snprintf(buf + *at, size - *at, "%zu %s%s%s", l->done, l->unit, rate, when);
}

size_t cli_progress_format(const struct cli_progress_line *l, size_t width, char *buf, size_t size)
{
    char text[512], out[1024];
    size_t at, cols, budget = width > 1 ? width - 1 : 1;
    struct cli_progress_line bare = *l;
    if (size == 0) return 0;
    /* The bar's width is set by the text without rate and time, those
     * having room kept for them, so it does not jump when they appear. */
    bare.rate = -1;
    bare.final = 0;
    line_text(&bare, text, sizeof text, &at);
    cz_text_width(text, strlen(text), (size_t)-1, &cols, NULL);
    cols += RATE_ROOM + 4;                          /* "[" bar "]" and two spaces */
    size_t bar = budget > cols ? budget - cols : 0, k = 0;
    if (bar > BAR_MAX) bar = BAR_MAX;
    line_text(l, text, sizeof text, &at);
    memcpy(out, text, at);
    k = at;
    if (bar >= BAR_MIN) {
        size_t done = l->done < l->total ? l->done : l->total;
        size_t full = l->total ? (size_t)((double)bar * (double)done / (double)l->total) : 0;
        out[k++] = '[';
        for (size_t i = 0; i < bar; i++) out[k++] = i < full ? '#' : '-';
        memcpy(out + k, "]  ", 3);
        k += 3;
    }
    snprintf(out + k, sizeof out - k, "%s", text + at);
    /* Cut between whole characters: the label may be Chinese. */
    k = cz_text_width(out, strlen(out), budget, &cols, NULL);
    if (k >= size) {
        k = size - 1;
        while (k && ((unsigned char)out[k] & 0xC0) == 0x80) k--;
        cz_text_width(out, k, budget, &cols, NULL);
    }
    memcpy(buf, out, k);
    buf[k] = 0;
    return cols;
}

/* Rate of this pass, items a second; -1 until it means something. */
static double pass_rate(const struct cli_progress *p, double now, int final)
{
    double secs = now - p->pass_t0;
    if ((!final && secs < RATE_SECS) || secs <= 0 || p->done < p->pass_d0) return -1;
    return (double)(p->done - p->pass_d0) / secs;
}

static void draw(struct cli_progress *p, double now, int final)
{
    struct cli_progress_line l = {
        .lang = p->lang, .label = p->label, .unit = p->unit, .done = p->done, .total = p->total,
        .rate = pass_rate(p, now, final), .final = final,
    };
    char buf[1024];
    if (final) l.secs = now - p->begun;
    else l.secs = l.rate > 0 && p->total >= p->done ? (double)(p->total - p->done) / l.rate : -1;
    size_t cols = cli_progress_format(&l, term_width(), buf, sizeof buf);
    fputc('\r', stderr);
    fputs(buf, stderr);
    /* What is left of a longer line before is covered: spaces, not an
     * escape sequence, work on any terminal. */
    for (size_t i = cols; i < p->cols; i++) fputc(' ', stderr);
    fflush(stderr);
    p->cols = cols;
    p->drawn = 1;
    p->last_draw = now;
}

static void progress_cb(void *ctx, size_t done, size_t total)
{
    struct cli_progress *p = ctx;
    double now = now_secs();
    if (!p->started) {
        p->started = 1;
        p->begun = p->pass_t0 = now;
        p->pass_d0 = done;
    } else if (done < p->done) {
        /* A second pass, or the same work run again (a load that filled
         * the database's map): the rate starts afresh. */
        p->pass_t0 = now;
        p->pass_d0 = done;
        if (p->next_label) p->label = p->next_label, p->next_label = NULL;
    }
    p->done = done;
    p->total = total;
    if (p->drawn && now - p->last_draw < REDRAW_SECS) return;
    draw(p, now, 0);
}

struct cli_progress *cli_progress_start(struct cli *c, const char *label_en, const char *label_zh,
                                        const char *unit_en, const char *unit_zh)
{
    struct cli_progress *p;
    if (c->json || !isatty(STDERR_FILENO) || !(p = calloc(1, sizeof *p))) return NULL;
    *p = (struct cli_progress){
        .lang = c->lang,
        .label = T(c, label_en, label_zh),
        .unit = T(c, unit_en, unit_zh),
        .hook = { .fn = progress_cb },
    };
    p->hook.ctx = p;
    return p;
}

void cli_progress_then(struct cli_progress *p, const char *label_en, const char *label_zh)
{
    if (p) p->next_label = p->lang == CZ_LANG_ZH ? label_zh : label_en;
}

const struct cz_progress *cli_progress_hook(struct cli_progress *p)
{
    return p ? &p->hook : NULL;
}

void cli_progress_clear(struct cli_progress *p)
{
    if (!p || !p->cols) return;
    fputc('\r', stderr);
    for (size_t i = 0; i < p->cols; i++) fputc(' ', stderr);
    fputc('\r', stderr);
    fflush(stderr);
    p->cols = 0;
    p->drawn = 0;
}

void cli_progress_done(struct cli_progress *p, int ok)
{
    if (!p) return;
    double now = now_secs();
    if (p->started && ok) {
        /* The whole count, its rate and the time it took, if only for a
         * moment: a quick piece of work is wiped at once. */
        if (p->total) p->done = p->total;
        draw(p, now, 1);
        if (now - p->begun >= KEEP_SECS) fputc('\n', stderr), p->cols = 0;
    }
    cli_progress_clear(p);
    free(p);
}
