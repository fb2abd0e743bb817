/* ui.h — the widget kit: the screen stack and main loop, drawing by
 * display width, key reading, modal dialogs.
 *
 * Every screen is one file exporting a `struct screen_ops` (screens_all.h);
 * the loop only knows that table.  A screen's state is its own malloc'd
 * struct, freed by its close(); nothing is shared through static buffers.
 * Screens read and write only through src/: they write with station.h
 * and read through a view (overview.h), never the store itself.  Each
 * begins a view, copies what it shows, and ends it before returning, so no
 * read transaction outlives a key press. */
#ifndef CZ_UI_H
#define CZ_UI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include "keymap.h"
#include "station.h"
#include "status.h"

struct ui;
struct screen;

enum ui_result { UI_UNHANDLED = 0, UI_HANDLED, UI_POP };

struct ui_key {
    enum cz_action action;  /* what the keymap says, or ACT_NONE */
    int code;               /* ncurses key code or control character; 0 for text */
    wchar_t ch;             /* a printable character typed, or 0 */
};

struct screen_ops {
    const char *name;
    /* arg is screen-specific (see each screen); returns a status. */
    int (*open)(struct ui *ui, struct screen *s, const void *arg);
    void (*draw)(struct ui *ui, struct screen *s);
    enum ui_result (*key)(struct ui *ui, struct screen *s, const struct ui_key *k);
    void (*close)(struct screen *s);
    void (*resume)(struct ui *ui, struct screen *s);  /* after a child closed; may be NULL */
    int (*dirty)(const struct screen *s);             /* unsaved input?; may be NULL */
    /* The footer's keys, most needed first, ending with ACT_NONE: those
     * that do not fit whole before Back, Help and Quit are left out from
     * the end (F1 still lists them). */
    const enum cz_action *hints;
};

struct screen { const struct screen_ops *ops; void *state; };

#define UI_DEPTH 16
struct ui {
    cz_station *st;
    enum cz_lang lang;
    const char *user;             /* who to log in as; NULL: the default */
    struct cz_keymap km;
    char keymap_errors[512];      /* shown on the help screen */
    struct screen stack[UI_DEPTH];
    int depth, quit;
    char msg[512];
    int msg_error;
    char msg_next[256];           /* shown once msg has been read (after the next key) */
    int rows, cols;
    int cursor_y, cursor_x;       /* set by draw(); -1: hidden */
    /* The households and people as `report` counts them (only what
     * certified people signed) and the records it leaves out until their
     * signer's certificate arrives: the status line's and the home
     * screen's figures, so that the two and the report agree.  Counted
     * again (ui_refresh_counts) only when the store has changed, since it
     * reads every record; when the report cannot be made, the index's
     * counts of live records stand in (counted 0). */
    size_t households, members;
    int64_t left_out;
    size_t counted_at;            /* entries in the store when counted */
    int counted;
};

/* The body is rows 1 .. rows-3; row 0 is the status line, rows-2 the
 * message line, rows-1 the footer. */
#define UI_TOP 1
int ui_body_rows(const struct ui *ui);

int ui_push(struct ui *ui, const struct screen_ops *ops, const void *arg);
/* Closes the top screen and opens another in its place (login -> home).
 * Call it from the top screen's key() and return UI_HANDLED at once:
 * that screen's state is gone. */
int ui_replace(struct ui *ui, const struct screen_ops *ops, const void *arg);
/* Closes the screen under the top one (its close runs) when it is one of
 * `ops`; the top screen stays on top, now one level lower.  Nothing when
 * there is none below, or another screen: a screen never needs to read
 * the stack to ask. */
void ui_pop_below(struct ui *ui, const struct screen_ops *ops);
/* The screen on top (NULL before the first): what F1 was pressed on. */
const struct screen_ops *ui_top(const struct ui *ui);
void ui_message(struct ui *ui, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_status_message(struct ui *ui, int status);
/* After a login: asks about a PC clock a day behind what this station
 * signed (confirming lets it sign), says once that the station's clock
 * ran ahead. */
void ui_after_login(struct ui *ui);
void ui_refresh_counts(struct ui *ui);
/* After a save: the counts again at once while the store is small enough
 * for the report to be made between two key presses (a village station);
 * above that (a city office of a million records, where it takes seconds)
 * they are counted again when the home screen is next drawn. */
void ui_counts_changed(struct ui *ui);
/* Removes the drafts of records deleted since they were typed
 * (cz_draft_sweep): at start-up, after an import and after a deletion
 * signed here, so a draft never outlives the form it was for.  An error
 * is shown as the message; nothing else is said. */
void ui_sweep_drafts(struct ui *ui);
int ui_any_dirty(const struct ui *ui);
/* The keymap loader's cz_keymap_err_fn (ctx: the ui): adds the problem to
 * ui->keymap_errors in the person's language. */
void ui_keymap_error(void *ctx, const char *file, int line, const char *what, const char *token);

/* Text on screen.  The only way text reaches the terminal: it is laid out
 * as cells by ui_width (a wide glyph takes two), control characters are
 * replaced, invalid UTF-8 becomes U+FFFD, and nothing goes past
 * x + maxcols or the terminal's edge.  Drawn through ncursesw's wide
 * calls, so the terminal gets its own encoding (the locale's); what that
 * encoding cannot hold shows as U+FFFD or '?'.  Returns the columns used. */
int ui_text(struct ui *ui, int y, int x, const char *s, int maxcols, int attr);
/* As ui_text, then spaces up to exactly maxcols. */
int ui_text_pad(struct ui *ui, int y, int x, const char *s, int maxcols, int attr);
/* As ui_text_pad; text wider than maxcols ends in "…" at the edge, so
 * that a cut label or row is not read as whole. */
int ui_text_pad_cut(struct ui *ui, int y, int x, const char *s, int maxcols, int attr);
/* A screen's title: bold, on the first row of the body. */
void ui_title(struct ui *ui, const char *title);
/* A screen whose reading failed (rc set) says why, in bold, at row y:
 * 1 then, 0 (nothing drawn) when rc is CZ_OK. */
int ui_failed(struct ui *ui, int y, int rc);
/* Columns a string takes on screen (as ui_text would draw it). */
int ui_cols(const char *s);
/* The screens' width function, as cz_text_width (text.h) but for this
 * terminal: cz_text_width itself when the locale is UTF-8; otherwise the
 * locale's widths, which ncurses draws by (a GB18030 terminal gives every
 * non-ASCII character two columns).  Measure what is drawn with this. */
size_t ui_width(const char *s, size_t len, size_t budget, size_t *cols, int *trimmed);
/* Columns s[0..len) takes (ui_width with no budget). */
size_t ui_width_cols(const char *s, size_t len);
/* Reads the locale's codeset for the above; once, after setlocale
 * (terminal.h). */
void ui_cells_setup(void);
/* A typed character as UTF-8 (text is UTF-8 inside whatever the
 * terminal's encoding): bytes written to out, 0 for a surrogate or a
 * value past U+10FFFF. */
size_t ui_utf8_put(wchar_t wc, char out[4]);
/* Wraps s over at most maxrows rows of width columns (y < 0: only counts):
 * English at a space, Chinese between any two characters except that no
 * row starts with closing punctuation (，。；）…) or ends with an opening
 * bracket.  Returns the rows used. */
int ui_text_wrap(struct ui *ui, int y, int x, const char *s, int width, int maxrows, int attr);
void ui_cursor(struct ui *ui, int y, int x);

/* Reads one key (Esc then a digit is F1..F10; Esc 0 is F10). */
void ui_read_key(struct ui *ui, struct ui_key *k);
/* Repaints everything: status line, the top screen, message, footer. */
void ui_draw_all(struct ui *ui);

/* A framed box (ACS lines) centred on the screen, inside it (at most the
 * terminal less two rows and columns); title on the top line, hint on the
 * bottom one.  For dialogs.  ui_box_draw clears every cell under the box,
 * a wide character's half included, before it draws the frame. */
struct ui_box { int y, x, h, w; };
struct ui_box ui_box_place(const struct ui *ui, int h, int w);
void ui_box_draw(struct ui *ui, const struct ui_box *b, const char *title);
void ui_box_hint(struct ui *ui, const struct ui_box *b, const char *hint);
/* A framed list of n rows over the screen (pick-lists, checklists): the
 * box as wide as the title and the hint need (+6 columns) and every item
 * with `pad` columns more, at least min_w; scrolled so that row sel shows.
 * Each row shown is cleared (reversed when selected) and row() draws it
 * at screen row y with that attribute; the hint comes last. */
typedef void (*ui_box_row_fn)(struct ui *ui, const struct ui_box *b, int y, size_t i, int attr, void *ctx);
void ui_box_rows(struct ui *ui, const char *title, const char *hint, const char *const *items, size_t n,
                 size_t sel, int pad, int min_w, ui_box_row_fn row, void *ctx);
/* Moves a selection in a list of n by an Up/Down/PgUp/PgDn/Home/End key;
 * 1 when the key was one of those. */
int ui_move_sel(const struct ui_key *k, size_t *sel, size_t n, int page);

/* Modal dialogs, drawn over the current screen. */
int ui_confirm(struct ui *ui, const char *question);   /* 1 yes, 0 no */
/* A pick-list: index chosen, or -1 when cancelled. */
int ui_pick(struct ui *ui, const char *title, const char *const *items, size_t n, size_t current);
/* One line of input; *out malloc'd.  0, or -1 when cancelled. */
int ui_prompt(struct ui *ui, const char *question, char **out);
/* As ui_prompt, drawn as '*' (passphrases); the caller wipes *out. */
int ui_prompt_secret(struct ui *ui, const char *question, char **out);

#endif
