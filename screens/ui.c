/* ui.c — the main loop, the screen stack, the status line and the footer. */
#include "ui.h"
#include "index.h"
#include "parse.h"
#include "prefs.h"
#include "report.h"
#include "screens.h"
#include "screens_all.h"
#include "overview.h"
#include "sync.h"
#include "terminal.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int ui_body_rows(const struct ui *ui)
{
    return ui->rows - 3 > 0 ? ui->rows - 3 : 0;
}

int ui_push(struct ui *ui, const struct screen_ops *ops, const void *arg)
{
    if (ui->depth >= UI_DEPTH) return CZ_ETOOBIG;
    struct screen *s = &ui->stack[ui->depth];
    s->ops = ops;
    s->state = NULL;
    int rc = ops->open(ui, s, arg);
    if (rc) {
        if (s->state && ops->close) ops->close(s);
        return rc;
    }
    ui->depth++;
    return CZ_OK;
}

int ui_replace(struct ui *ui, const struct screen_ops *ops, const void *arg)
{
    if (ui->depth > 0) {
        struct screen *s = &ui->stack[--ui->depth];
        if (s->ops->close) s->ops->close(s);
        s->state = NULL;
    }
    return ui_push(ui, ops, arg);
}

/* Closes the screen under the top one, the top one taking its place:
 * for a form whose page below has nothing left to show. */
void ui_pop_below(struct ui *ui, const struct screen_ops *ops)
{
    if (ui->depth < 2) return;
    struct screen *below = &ui->stack[ui->depth - 2];
    if (below->ops != ops) return;
    if (below->ops->close) below->ops->close(below);
    *below = ui->stack[ui->depth - 1];
    ui->stack[ui->depth - 1].state = NULL;
    ui->depth--;
}

const struct screen_ops *ui_top(const struct ui *ui)
{
    return ui->depth > 0 ? ui->stack[ui->depth - 1].ops : NULL;
}

static void ui_pop(struct ui *ui)
{
    if (ui->depth == 0) return;
    struct screen *s = &ui->stack[--ui->depth];
    if (s->ops->close) s->ops->close(s);
    s->state = NULL;
    if (ui->depth > 0) {
        struct screen *top = &ui->stack[ui->depth - 1];
        if (top->ops->resume && !ui->quit) top->ops->resume(ui, top);
    }
}

void ui_message(struct ui *ui, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
    va_end(ap);
    ui->msg_error = error;
}

void ui_after_login(struct ui *ui)
{
    struct cz_clock_state cs;
    char pc[32], last[32], station[32], q[256];
    if (cz_station_clock(ui->st, &cs) != CZ_OK) return;
    cz_format_cst(cs.now, pc, sizeof pc);
    cz_format_cst(cs.last_signed, last, sizeof last);
    cz_format_cst(cs.station_clock, station, sizeof station);
    if (cs.pc_behind) {
        /* A flat CMOS battery: nothing is signed until the person says the
         * date is right (station.h). */
        snprintf(q, sizeof q, T(ui, "PC clock %s; signed here %s. PC date right?",
                                "本机时钟 %s；本站已签到 %s。本机日期对吗？"), pc, last);
        if (ui_confirm(ui, q)) {
            int rc = cz_station_clock_confirm(ui->st);
            if (rc) ui_status_message(ui, rc);
        } else ui_message(ui, 1, T(ui, "Nothing will be signed: set this PC's date and time, then start again.",
                                 "不会签名任何记录：请设置本机日期和时间后重新启动。"));
    } else if (cs.station_ahead && !cs.ahead_noted) {
        ui_message(ui, 0, T(ui, "Note: this station's clock runs at %s, ahead of this PC (%s); entries keep their order.",
                            "注意：本站时钟为 %s，快于本机（%s）；记录的先后顺序不变。"), station, pc);
        cz_station_clock_noted(ui->st);
    }
}

void ui_status_message(struct ui *ui, int status)
{
    /* The database's own failures name its folder (status.h). */
    if (cz_status_is_store(status) && ui->st)
        ui_message(ui, 1, "%s/db: %s", cz_station_dir(ui->st), cz_strerror(status, ui->lang));
    else
        ui_message(ui, status != CZ_OK, "%s", cz_strerror(status, ui->lang));
}

int ui_any_dirty(const struct ui *ui)
{
    for (int i = 0; i < ui->depth; i++)
        if (ui->stack[i].ops->dirty && ui->stack[i].ops->dirty(&ui->stack[i])) return 1;
    return 0;
}

/* Entries up to which a save counts again at once: the report reads every
 * record, about 0.3 s at 100,000 records on the bench's PC and ten times
 * that at a million.  The environment variable CZ_UI_COUNT_AT_ONCE_MAX (a
 * test hook) lowers it, so a small station shows the large one's way. */
#define UI_COUNT_AT_ONCE_MAX 150000

/* The counts again when the store has changed and holds at most
 * `at_most` entries (else left as they were, for a later call). */
static void refresh_counts(struct ui *ui, size_t at_most)
{
    struct cz_store_stats stats;
    struct cz_report r;
    cz_view *v = NULL;
    if (cz_view_begin(ui->st, &v) == CZ_OK) {
        int known = cz_view_stats(v, &stats) == CZ_OK;
        if (known && ui->counted && stats.entries == ui->counted_at) { cz_view_end(v); return; }
        if (known && stats.entries > at_most) { cz_view_end(v); return; }
        memset(&r, 0, sizeof r);
        ui->counted = 0;
        if (known && cz_report_build(cz_view_txn(v), cz_station_info(ui->st)->office_root, NULL, &r) == CZ_OK) {
            ui->households = (size_t)r.households;
            ui->members = (size_t)r.people;
            ui->left_out = r.pending_left_out;
            ui->counted = 1;
            ui->counted_at = stats.entries;
            cz_report_free(&r);
        }
        cz_view_end(v);
        if (ui->counted) return;
    }
    /* What could not be read shows as 0. */
    ui->left_out = 0;
    (void)cz_overview_counts(ui->st, &ui->households, &ui->members);
}

void ui_refresh_counts(struct ui *ui)
{
    refresh_counts(ui, SIZE_MAX);
}

void ui_counts_changed(struct ui *ui)
{
    const char *hook = getenv("CZ_UI_COUNT_AT_ONCE_MAX");
    refresh_counts(ui, hook && *hook ? (size_t)strtoul(hook, NULL, 10) : UI_COUNT_AT_ONCE_MAX);
}

void ui_title(struct ui *ui, const char *title)
{
    ui_text(ui, UI_TOP, 1, title, ui->cols - 2, A_BOLD);
}

int ui_failed(struct ui *ui, int y, int rc)
{
    if (!rc) return 0;
    ui_text(ui, y, 1, cz_strerror(rc, ui->lang), ui->cols - 2, A_BOLD);
    return 1;
}

void ui_sweep_drafts(struct ui *ui)
{
    int rc = cz_overview_sweep_drafts(ui->st, NULL);
    if (rc)
        ui_message(ui, 1, "%s: %s", T(ui, "Drafts of deleted records could not be removed", "无法清除已删除记录的草稿"),
                   cz_strerror(rc, ui->lang));
}

static void draw_status(struct ui *ui)
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    const char *user = cz_station_user(ui->st);
    char line[512];
    snprintf(line, sizeof line, " %s %s | %s %s | %s %zu  %s %zu", T(ui, "cunzhan", "村站"), info->name,
             T(ui, "user", "用户"), user ? user : "-", T(ui, "households", "户"), ui->households,
             T(ui, "people", "人"), ui->members);
    ui_text_pad(ui, 0, 0, line, ui->cols, A_REVERSE);
}

/* One hint, "Key Label" (a key named for what it does, PgDn or Up, said
 * once), into out; its columns. */
static int footer_hint(struct ui *ui, enum cz_action a, char *out, size_t size)
{
    char label[64], key[32];
    int k = cz_keymap_key_for(&ui->km, a);
    if (k < 0) return -1;
    cz_key_name(k, key, sizeof key);
    cz_action_label(a, ui->lang == CZ_LANG_ZH, label, sizeof label);
    int same = !strcmp(key, label);
    snprintf(out, size, "%s%s%s", key, same ? "" : " ", same ? "" : label);
    return ui_cols(out);
}

/* The footer laid out with `gap` spaces between hints into line: the
 * screen's hints that fit whole, then Back (when the screen has it), Help
 * and Quit, which always show.  1 when every hint of the screen fitted. */
static int footer_layout(struct ui *ui, const enum cz_action *hints, int gap, char *line, size_t size)
{
    enum cz_action always[] = { ACT_NONE, ACT_HELP, ACT_QUIT };
    char tail[300] = "", hint[128];
    int tail_cols = 0, cols = 0, all = 1;
    size_t used = 0;
    line[0] = 0;
    for (const enum cz_action *a = hints; a && *a != ACT_NONE; a++)
        if (*a == ACT_BACK) always[0] = ACT_BACK;
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) {
        int w = always[i] == ACT_NONE ? -1 : footer_hint(ui, always[i], hint, sizeof hint);
        if (w < 0) continue;
        size_t at = strlen(tail);
        snprintf(tail + at, sizeof tail - at, "%*s%s", at ? gap : 0, "", hint);
        tail_cols += (at ? gap : 0) + w;
    }
    for (const enum cz_action *a = hints; a && *a != ACT_NONE; a++) {
        int w = *a == ACT_BACK ? -1 : footer_hint(ui, *a, hint, sizeof hint);
        if (w < 0) continue;
        /* The last cell of the last row stays empty (curses would scroll). */
        if (cols + (cols ? gap : 0) + w + (tail_cols ? gap + tail_cols : 0) > ui->cols - 1) { all = 0; break; }
        used += (size_t)snprintf(line + used, size - used, "%*s%s", used ? gap : 0, "", hint);
        if (used >= size) used = size - 1;
        cols += (cols ? gap : 0) + w;
    }
    if (tail[0]) snprintf(line + used, size - used, "%*s%s", used ? gap : 0, "", tail);
    return all;
}

/* Two spaces between hints, or one where that lets every hint show; a
 * hint never ends cut at the edge, and one left out is in F1's list. */
static void draw_footer(struct ui *ui)
{
    const enum cz_action *hints = ui->depth > 0 ? ui->stack[ui->depth - 1].ops->hints : NULL;
    char line[512];
    if (!footer_layout(ui, hints, 2, line, sizeof line)) footer_layout(ui, hints, 1, line, sizeof line);
    ui_text_pad(ui, ui->rows - 1, 0, line, ui->cols, A_REVERSE);
}

static void draw_too_small(struct ui *ui)
{
    ui_text(ui, 0, 0, T(ui, "Terminal too small", "终端窗口太小"), ui->cols, A_BOLD);
}

/* The message line.  A message wider than the screen takes the body's
 * last row too, wrapped, so that a refusal's reason, a file's whole path
 * or the second of two sentences is read, not cut: it is there only
 * until the next key.  Longer than two rows, it is cut on its own row,
 * ending in "…". */
static void draw_message(struct ui *ui)
{
    int attr = ui->msg_error ? A_BOLD : A_NORMAL;
    if (ui_cols(ui->msg) <= ui->cols || ui_text_wrap(ui, -1, 0, ui->msg, ui->cols, 3, attr) > 2) {
        ui_text_pad_cut(ui, ui->rows - 2, 0, ui->msg, ui->cols, attr);
        return;
    }
    ui_text_pad(ui, ui->rows - 3, 0, "", ui->cols, attr);
    ui_text_pad(ui, ui->rows - 2, 0, "", ui->cols, attr);
    ui_text_wrap(ui, ui->rows - 3, 0, ui->msg, ui->cols, 2, attr);
}

void ui_draw_all(struct ui *ui)
{
    getmaxyx(stdscr, ui->rows, ui->cols);
    erase();
    ui->cursor_y = ui->cursor_x = -1;
    if (ui->rows < 6 || ui->cols < 24) {
        draw_too_small(ui);
    } else {
        draw_status(ui);
        if (ui->depth > 0) ui->stack[ui->depth - 1].ops->draw(ui, &ui->stack[ui->depth - 1]);
        draw_message(ui);
        draw_footer(ui);
    }
    if (ui->cursor_y >= 0) {
        curs_set(1);
        move(ui->cursor_y, ui->cursor_x);
    } else {
        curs_set(0);
    }
    refresh();
}

/* A terminal's own escape sequence whose terminfo entry lacks it (vt100
 * knows F1-F4 only, so tmux or a PC keyboard's F5 arrives as ESC [ 1 5 ~).
 * Called after ESC and the introducer ('[' or 'O'); the rest of a sequence
 * arrives at once, so a short timeout ends it.  Known sequences become
 * their key; anything else is swallowed (-1) rather than typed as text. */
static int escape_sequence(int introducer)
{
    static const struct { const char *seq; int key; } known[] = {
#define SEQ(s, k) { .seq = s, .key = k }
        SEQ("[11~", KEY_F(1)), SEQ("[12~", KEY_F(2)), SEQ("[13~", KEY_F(3)), SEQ("[14~", KEY_F(4)),
        SEQ("[15~", KEY_F(5)), SEQ("[17~", KEY_F(6)), SEQ("[18~", KEY_F(7)), SEQ("[19~", KEY_F(8)),
        SEQ("[20~", KEY_F(9)), SEQ("[21~", KEY_F(10)), SEQ("[23~", KEY_F(11)), SEQ("[24~", KEY_F(12)),
        SEQ("OP", KEY_F(1)), SEQ("OQ", KEY_F(2)), SEQ("OR", KEY_F(3)), SEQ("OS", KEY_F(4)),
        SEQ("[[A", KEY_F(1)), SEQ("[[B", KEY_F(2)), SEQ("[[C", KEY_F(3)), SEQ("[[D", KEY_F(4)),
        SEQ("[[E", KEY_F(5)),
        SEQ("[A", KEY_UP), SEQ("[B", KEY_DOWN), SEQ("[C", KEY_RIGHT), SEQ("[D", KEY_LEFT),
        SEQ("OA", KEY_UP), SEQ("OB", KEY_DOWN), SEQ("OC", KEY_RIGHT), SEQ("OD", KEY_LEFT),
        SEQ("[H", KEY_HOME), SEQ("[F", KEY_END), SEQ("OH", KEY_HOME), SEQ("OF", KEY_END),
        SEQ("[1~", KEY_HOME), SEQ("[7~", KEY_HOME), SEQ("[4~", KEY_END), SEQ("[8~", KEY_END),
        SEQ("[3~", KEY_DC), SEQ("[5~", KEY_PPAGE), SEQ("[6~", KEY_NPAGE), SEQ("[Z", KEY_BTAB),
#undef SEQ
    };
    char seq[16];
    size_t n = 0;
    wint_t w;
    seq[n++] = (char)introducer;
    timeout(50);
    for (;;) {
        int r = get_wch(&w);
        if (r != OK || w < 0x20 || w > 0x7E) break;   /* cut short: not a sequence */
        if (n + 1 < sizeof seq) seq[n++] = (char)w;
        /* A final byte ends it: after 'O' any letter; after '[' 0x40..0x7E
         * (but "[[" is the Linux console's F1-F5 prefix). */
        if (introducer == 'O' && n >= 2) break;
        if (w >= 0x40 && w <= 0x7E && !(n == 2 && w == '[')) break;
    }
    timeout(-1);
    seq[n] = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(seq, known[i].seq)) return known[i].key;
    return -1;
}

/* Esc, then a digit within a short while, stands for a function key. */
static int after_escape(void)
{
    wint_t w;
    timeout(600);
    int r = get_wch(&w);
    timeout(-1);
    if (r == OK && w >= '0' && w <= '9') return KEY_F(w == '0' ? 10 : (int)(w - '0'));
    if (r == OK && (w == '[' || w == 'O')) return escape_sequence((int)w);
    if (r == OK) unget_wch((wchar_t)w);
    else if (r == KEY_CODE_YES) ungetch((int)w);
    return CZ_KEY_ESC;
}

void ui_read_key(struct ui *ui, struct ui_key *k)
{
    wint_t w = 0;
    int r;
    memset(k, 0, sizeof *k);
    k->action = ACT_NONE;
    do r = get_wch(&w); while (r == ERR);
    if (r == KEY_CODE_YES) k->code = (int)w;
    else if (w == 27) k->code = after_escape();
    else if (w == 127 || w == 8) k->code = KEY_BACKSPACE;
    else if (w == '\r') k->code = CZ_KEY_ENTER;
    else if (w < 32) k->code = (int)w;
    else if (w >= 0x80 && w < 0xA0) k->code = -1;   /* a C1 control: ignored */
    else k->ch = (wchar_t)w;
    if (k->code == KEY_ENTER) k->code = CZ_KEY_ENTER;
    if (k->code > 0) k->action = cz_keymap_action(&ui->km, k->code);
}

static void quit_asked(struct ui *ui)
{
    if (!ui_any_dirty(ui) ||
        ui_confirm(ui, T(ui, "Unsaved changes will be lost. Quit anyway?", "有未保存的内容，仍然退出吗？")))
        ui->quit = 1;
}

static void global_action(struct ui *ui, enum cz_action a)
{
    int rc = CZ_OK;
    switch (a) {
    case ACT_HELP: rc = ui_push(ui, &cz_screen_help, NULL); break;
    case ACT_QUIT: quit_asked(ui); break;
    case ACT_BACK: if (ui->depth > 1) ui_pop(ui); break;
    case ACT_FIND: rc = ui_push(ui, &cz_screen_households, NULL); break;
    case ACT_VERIFY: rc = ui_push(ui, &cz_screen_verify, NULL); break;
    case ACT_LANGUAGE: {
        /* A screen that wrote its rows when it was filled (a page, a list)
         * fills them again in the new language; those below do on return. */
        struct screen *top = &ui->stack[ui->depth - 1];
        ui->lang = ui->lang == CZ_LANG_ZH ? CZ_LANG_EN : CZ_LANG_ZH;
        if (top->ops->resume) top->ops->resume(ui, top);
        break;
    }
    case ACT_REDRAW: clearok(curscr, TRUE); break;
    default: break;
    }
    if (rc) ui_status_message(ui, rc);
}

static void dispatch(struct ui *ui, const struct ui_key *k)
{
    struct screen *top = &ui->stack[ui->depth - 1];
    enum ui_result r = top->ops->key(ui, top, k);
    if (r == UI_POP) ui_pop(ui);
    else if (r == UI_UNHANDLED && k->action != ACT_NONE) global_action(ui, k->action);
}

static void run_loop(struct ui *ui)
{
    struct ui_key k;
    while (!ui->quit && ui->depth > 0) {
        ui_draw_all(ui);
        ui_read_key(ui, &k);
        if (k.code == KEY_RESIZE || k.code == -1) continue;
        /* A start-up note waiting its turn follows the one just read. */
        snprintf(ui->msg, sizeof ui->msg, "%s", ui->msg_next);
        ui->msg_error = 0;
        ui->msg_next[0] = 0;
        dispatch(ui, &k);
    }
}

void ui_keymap_error(void *ctx, const char *file, int line, const char *what, const char *token)
{
    struct ui *ui = ctx;
    size_t used = strlen(ui->keymap_errors);
    snprintf(ui->keymap_errors + used, sizeof ui->keymap_errors - used,
             T(ui, "%s%s:%d: %s '%s'", "%s%s 第 %d 行：%s “%s”"), used ? T(ui, "; ", "；") : "", file, line,
             cz_keymap_what(what, ui->lang == CZ_LANG_ZH), token);
}

static void start_curses(void)
{
    set_escdelay(25);
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    intrflush(stdscr, FALSE);
}

/* Before the screens start: an older build's index is made again first. */
static void reindex_notice(void *ctx, size_t records)
{
    struct ui *ui = ctx;
    fprintf(stderr, "cunzhan: %s: %zu\n",
            T(ui, "rebuilding the find index for this version, once; records", "正在为新版本重建查找索引，仅此一次；记录数"),
            records);
}

/* What the person learns once at start-up, on the message line: a bad
 * keymap first, then a console that cannot show Chinese, then what was
 * done about the locale (after the next key when both are to be said). */
static void startup_notes(struct ui *ui, const struct ui_term *t, int english)
{
    char note[256];
    ui_term_locale_note(t, ui->lang, note, sizeof note);
    if (ui->keymap_errors[0]) ui_message(ui, 1, "%s", ui->keymap_errors);
    else if (english && t->console)
        ui_message(ui, 0, "%s", "Linux console: English (no Chinese font). Chinese: fbterm or a desktop terminal");
    else {
        ui_message(ui, 0, "%s", note);
        return;
    }
    snprintf(ui->msg_next, sizeof ui->msg_next, "%s", note);
}

/* The language to start in: --lang or CUNZHAN_LANG, else the saved one,
 * else the locale's (a->lang).  Where Chinese cannot show, English unless
 * this run asked for Chinese (--lang, CUNZHAN_LANG): a saved choice was
 * made at a terminal that could.  Returns 1 when that overrode it. */
static int start_language(struct ui *ui, const struct cz_screens_args *a, const struct ui_term *t)
{
    ui->lang = a->lang;
    if (!a->lang_given) {
        struct prefs p;
        int line;
        if (prefs_load(&p, &line) == CZ_OK && p.have_lang) ui->lang = p.lang;
    }
    if (!t->no_cjk || a->lang_explicit) return 0;
    ui->lang = CZ_LANG_EN;
    return 1;
}

int cz_screens_main(const struct cz_screens_args *a)
{
    struct ui_term term;
    struct ui *ui;
    int rc, exit_code = 1;
    if (!ui_term_usable(stderr)) return 1;
    if (!(ui = calloc(1, sizeof *ui))) return 1;
    ui_term_setup(&term);
    int english = start_language(ui, a, &term);
    ui->user = a->user;
    cz_station_reindex_notice(reindex_notice, ui);
    if ((rc = cz_station_open(a->dir, &ui->st))) {
        fprintf(stderr, "cunzhan: %s: %s\n", a->dir, cz_strerror(rc, a->lang));
        goto cleanup;
    }
    struct cz_import_result rj;   /* held for a type this build now knows: counts (TRUST.md) */
    (void)cz_sync_rejudge(ui->st, &rj);
    cz_keymap_load(&ui->km, ui_keymap_error, ui);
    ui_refresh_counts(ui);
    ui_sweep_drafts(ui);
    start_curses();
    startup_notes(ui, &term, english);
    if (cz_station_info(ui->st)->reindexed)   /* once, after an update */
        ui_message(ui, 0, "%s", T(ui, "The find index was rebuilt for this version (pinyin, phones, parts of numbers)",
                                  "已为新版本重建查找索引（拼音、电话号码、户编号的一部分）"));
    const char *pass = getenv("CUNZHAN_PASSPHRASE");
    if (pass && cz_station_login(ui->st, ui->user, pass) == CZ_OK) {
        rc = ui_push(ui, &cz_screen_home, NULL);
        if (!rc) ui_after_login(ui);
    } else
        rc = ui_push(ui, &cz_screen_login, NULL);
    if (rc) {
        endwin();
        fprintf(stderr, "cunzhan: %s\n", cz_strerror(rc, ui->lang));
        goto cleanup;
    }
    run_loop(ui);
    while (ui->depth > 0) ui_pop(ui);
    endwin();
    exit_code = 0;
cleanup:
    cz_station_close(ui->st);
    free(ui);
    return exit_code;
}
