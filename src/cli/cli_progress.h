/* cli_progress.h — the one progress bar of the command line: what a long
 * load, import, export, backup, restore or verify has done so far, drawn
 * on stderr (src/CLI.md, "Progress").
 *
 *   load  [########--------]  5120/20000 rows  2480/s  0:06 left
 *
 * Only on a terminal: when stderr is a pipe or a file, or --json is given,
 * cli_progress_start returns NULL and nothing is ever written, so no bar
 * reaches a log.  Every function takes NULL and then does nothing, and
 * cli_progress_hook(NULL) is NULL, so the core is given no callback at
 * all. */
#ifndef CZ_CLI_PROGRESS_H
#define CZ_CLI_PROGRESS_H

#include <stddef.h>
#include "status.h"
#include "sync.h"

struct cli;
struct cli_progress;

/* A bar for one piece of work: its label and the unit it counts, in both
 * languages (c->lang picks; the strings must outlive the bar).  Nothing is
 * drawn until the core first reports, so a passphrase asked before then
 * is not in its way, and the rate is measured from that report.  NULL
 * when there is to be no bar (or no memory for one). */
struct cli_progress *cli_progress_start(struct cli *c, const char *label_en, const char *label_zh,
                                        const char *unit_en, const char *unit_zh);
/* The label of the work's second pass (a restore checks, then writes):
 * taken when the core's count falls back to a lower value. */
void cli_progress_then(struct cli_progress *p, const char *label_en, const char *label_zh);
/* What to give the core's *_with function; valid until cli_progress_done. */
const struct cz_progress *cli_progress_hook(struct cli_progress *p);
/* Wipes the bar off its line before other text is printed while the
 * work goes on; the next report draws it again. */
void cli_progress_clear(struct cli_progress *p);
/* The work is over.  ok: the bar is drawn a last time with the whole
 * count, the rate and the time it took, and kept on its line when the
 * work took a second or more, else wiped at once; not ok: wiped (the
 * error follows).  Either way the command's own output starts on a line
 * of its own.  Frees p. */
void cli_progress_done(struct cli_progress *p, int ok);

/* ---- the drawing itself, pure (tests/unit/test_cli_progress.c) ---- */

/* Seconds as m:ss ("0:07", "12:30", "125:00"); "-:--" when unknown
 * (negative, or too many to be worth saying). */
void cli_progress_clock(double secs, char *buf, size_t size);

struct cli_progress_line {
    enum cz_lang lang;
    const char *label, *unit;
    size_t done, total;
    double rate;          /* items a second; < 0: not known yet */
    double secs;          /* time left, or (final) the time it took */
    int final;
};
/* The bar's text for a terminal `width` columns wide, cut to fit in
 * width - 1 display columns (the last column would wrap on some
 * terminals): the bar goes first when it is narrow, then the text is cut
 * between whole characters.  Returns the columns it uses. */
size_t cli_progress_format(const struct cli_progress_line *l, size_t width, char *buf, size_t size);

#endif
