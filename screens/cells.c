/* cells.c — text to screen cells, and the screens' width function.
 * Text is UTF-8 inside; it reaches the terminal only here, as wide
 * characters (ncursesw), which the C library writes in the terminal's own
 * encoding, the locale's (UTF-8, GB18030, ...).  Record text may come
 * from another station, so every string is checked glyph by glyph here:
 * controls and invalid bytes never reach the terminal.  Widths come from
 * cz_text_width on a UTF-8 terminal; on any other, from the locale
 * (wcwidth), as ncurses places characters by it (GB18030 draws every
 * non-ASCII character two columns wide), and a character that encoding
 * cannot hold is drawn as the replacement, or '?'. */
#include "ui.h"
#include "text.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#define CELL_CHARS 5   /* a glyph and its combining marks: ncurses' CCHARW_MAX */
#define MAX_CELLS 512

/* One screen cell: the glyph (a wide glyph's second cell is empty, width
 * 0), combining marks appended to the glyph they follow. */
struct cell { wchar_t w[CELL_CHARS]; unsigned char n, width; };

/* Whether the locale's codeset is UTF-8.  Set once by ui_cells_setup: a
 * fact about the process, as the locale itself is. */
static int utf8_terminal = 1;

void ui_cells_setup(void)
{
    utf8_terminal = !strcmp(nl_langinfo(CODESET), "UTF-8");
}

size_t ui_utf8_put(wchar_t wc, char out[4])
{
    unsigned long cp = (unsigned long)wc;
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp >= 0xD800 && cp < 0xE000) return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF) return 0;
    out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the UTF-8 sequence at s and its code point; 0 when invalid. */
static size_t glyph_len(const char *s, size_t n, unsigned *cp)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || len > n || !cz_utf8_valid(s, len)) return 0;
    *cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < len; i++) *cp = (*cp << 6) | ((unsigned char)s[i] & 0x3F);
    return len;
}

/* Columns the glyph g (code point cp) takes on this terminal; -1 when
 * the terminal's encoding cannot hold it or the locale cannot print it. */
static int glyph_cols(unsigned cp, const char *g, size_t glen)
{
    char mb[MB_LEN_MAX];
    mbstate_t st;
    if (utf8_terminal) {
        size_t cols = 1;
        cz_text_width(g, glen, 2, &cols, NULL);
        return (int)cols;
    }
    memset(&st, 0, sizeof st);
    if (wcrtomb(mb, (wchar_t)cp, &st) == (size_t)-1) return -1;
    int w = wcwidth((wchar_t)cp);
    return w > 2 ? -1 : w;
}

static int replacement(wchar_t *wc)
{
    int cols = glyph_cols(0xFFFD, "\xEF\xBF\xBD", 3);
    *wc = cols > 0 ? 0xFFFD : '?';
    return cols > 0 ? cols : 1;
}

/* The glyph at s[*pos] as it is drawn: its character in *wc and its
 * columns (0: a combining mark); *pos moves past it.  Tab and newline
 * are a space; controls, invalid bytes and what the terminal cannot show
 * are the replacement. */
static int next_glyph(const char *s, size_t n, size_t *pos, wchar_t *wc)
{
    unsigned cp = 0;
    size_t len = glyph_len(s + *pos, n - *pos, &cp);
    const char *g = s + *pos;
    *pos += len ? len : 1;
    if (!len) return replacement(wc);
    if (cp == '\t' || cp == '\n') { *wc = ' '; return 1; }
    if (cz_text_cp_control(cp)) return replacement(wc);
    int cols = glyph_cols(cp, g, len);
    if (cols < 0) return replacement(wc);
    *wc = (wchar_t)cp;
    return cols;
}

/* Lays s out into at most max cells; returns the cells used. */
static int layout(const char *s, struct cell *cells, int max)
{
    size_t n = strlen(s), pos = 0;
    int used = 0;
    while (pos < n && used < max) {
        wchar_t wc;
        int cols = next_glyph(s, n, &pos, &wc);
        if (cols == 0) {           /* combining: joins the previous glyph */
            struct cell *prev = used ? &cells[used - 1 - (used > 1 && !cells[used - 1].width)] : NULL;
            if (prev && prev->n < CELL_CHARS) prev->w[prev->n++] = wc;
            continue;
        }
        if (used + cols > max) break;
        cells[used++] = (struct cell){ .w = { wc }, .n = 1, .width = (unsigned char)cols };
        if (cols == 2) cells[used++] = (struct cell){ .n = 0, .width = 0 };
    }
    return used;
}

size_t ui_width(const char *s, size_t len, size_t budget, size_t *cols, int *trimmed)
{
    size_t pos = 0, used = 0;
    int cut = 0;
    if (utf8_terminal) return cz_text_width(s, len, budget, cols, trimmed);
    while (pos < len) {
        size_t at = pos;
        wchar_t wc;
        int w = next_glyph(s, len, &pos, &wc);
        if (used + (size_t)w > budget) { pos = at; cut = 1; break; }
        used += (size_t)w;
    }
    if (cols) *cols = used;
    if (trimmed) *trimmed = cut;
    return pos;
}

size_t ui_width_cols(const char *s, size_t len)
{
    size_t cols = 0;
    ui_width(s, len, (size_t)-1, &cols, NULL);
    return cols;
}

int ui_cols(const char *s)
{
    struct cell cells[MAX_CELLS];
    return layout(s, cells, MAX_CELLS);
}

static int clip(const struct ui *ui, int y, int x, int maxcols)
{
    if (y < 0 || y >= ui->rows || x < 0 || x >= ui->cols) return 0;
    if (maxcols > ui->cols - x) maxcols = ui->cols - x;
    /* Never the bottom-right corner: some terminals scroll when it is written. */
    if (y == ui->rows - 1 && maxcols > ui->cols - x - 1) maxcols = ui->cols - x - 1;
    return maxcols > 0 ? maxcols : 0;
}

int ui_text(struct ui *ui, int y, int x, const char *s, int maxcols, int attr)
{
    struct cell cells[MAX_CELLS];
    wchar_t line[MAX_CELLS * CELL_CHARS];
    int k = 0;
    maxcols = clip(ui, y, x, maxcols);
    if (maxcols > MAX_CELLS) maxcols = MAX_CELLS;
    int used = layout(s ? s : "", cells, maxcols);
    for (int i = 0; i < used; i++)
        for (int j = 0; j < cells[i].n; j++) line[k++] = cells[i].w[j];
    attrset(attr);
    if (k) mvaddnwstr(y, x, line, k);
    attrset(A_NORMAL);
    return used;
}

int ui_text_pad(struct ui *ui, int y, int x, const char *s, int maxcols, int attr)
{
    int used = ui_text(ui, y, x, s, maxcols, attr);
    int room = clip(ui, y, x, maxcols);
    attrset(attr);
    for (int i = used; i < room; i++) mvaddch(y, x + i, ' ');
    attrset(A_NORMAL);
    return room;
}

int ui_text_pad_cut(struct ui *ui, int y, int x, const char *s, int maxcols, int attr)
{
    char cut[1024];
    size_t len = strlen(s), cols = (size_t)(maxcols > 2 ? maxcols : 2);
    if (ui_width_cols(s, len) <= cols || len >= sizeof cut - 4) return ui_text_pad(ui, y, x, s, maxcols, attr);
    size_t take = ui_width(s, len, cols - 1, NULL, NULL);
    memcpy(cut, s, take);
    memcpy(cut + take, "\xe2\x80\xa6", 4);
    return ui_text_pad(ui, y, x, cut, maxcols, attr);
}

void ui_cursor(struct ui *ui, int y, int x)
{
    ui->cursor_y = y;
    ui->cursor_x = x < ui->cols ? x : ui->cols - 1;
}

/* Chinese line breaking (the no-break rules of GB/T 15834 and W3C's
 * clreq): closing punctuation never starts a line and an opening bracket
 * never ends one.  A rule rather than a break iterator: the wrapped text
 * is short messages and notes, and the rule is all that differs from
 * breaking between any two Han characters. */
static int no_line_start(const char *g)
{
    static const char *const marks[] = {
        "\xef\xbc\x8c", "\xe3\x80\x82", "\xe3\x80\x81", "\xef\xbc\x9b", "\xef\xbc\x9a",
        "\xef\xbc\x81", "\xef\xbc\x9f", "\xef\xbc\x89", "\xe3\x80\x8d", "\xe3\x80\x8f",
        "\xe3\x80\x8b", "\xe3\x80\x89", "\xe3\x80\x91", "\xe3\x80\x95", "\xef\xbc\xbd",
        "\xef\xbd\x9d", "\xe2\x80\x9d", "\xe2\x80\x99", "\xe2\x80\xa6", "\xef\xbc\x85",
        "\xc2\xb7", "\xe3\x83\xbb", ",", ".", ";", ":", "!", "?", ")", "]", "}", "%",
    };  /* ，。、；：！？）」』》〉】〕］｝”’…％·・ and their ASCII kin */
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (!strncmp(g, marks[i], strlen(marks[i]))) return 1;
    return 0;
}

static int no_line_end(const char *g, size_t len)
{
    static const char *const marks[] = {
        "\xef\xbc\x88", "\xe3\x80\x8c", "\xe3\x80\x8e", "\xe3\x80\x8a", "\xe3\x80\x88",
        "\xe3\x80\x90", "\xe3\x80\x94", "\xef\xbc\xbb", "\xef\xbd\x9b", "\xe2\x80\x9c",
        "\xe2\x80\x98", "(", "[", "{",
    };  /* （「『《〈【〔［｛“‘ ( [ { */
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strlen(marks[i]) == len && !memcmp(g, marks[i], len)) return 1;
    return 0;
}

/* Start of the glyph before s[at] (UTF-8 continuation bytes skipped). */
static size_t glyph_before(const char *s, size_t at)
{
    do at--; while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80);
    return at;
}

/* Moves a line's end (s[start..start+take)) back so that the next line
 * does not begin with closing punctuation and this one does not end with
 * an opening bracket; never below half the line, so a run of marks still
 * breaks somewhere. */
static size_t keep_marks(const char *s, size_t start, size_t take)
{
    size_t k = take;
    while (k > take / 2) {
        size_t prev = glyph_before(s + start, k);
        if (no_line_start(s + start + k) || no_line_end(s + start + prev, k - prev)) k = prev;
        else return k;
    }
    return take;
}

int ui_text_wrap(struct ui *ui, int y, int x, const char *s, int width, int maxrows, int attr)
{
    size_t len = strlen(s), pos = 0;
    int rows = 0;
    while (pos < len && rows < maxrows && width > 0) {
        int trimmed = 0;
        size_t take = ui_width(s + pos, len - pos, (size_t)width, NULL, &trimmed);
        char line[1024];
        if (!take) take = 1;
        /* English breaks at a space when there is one in the second half. */
        for (size_t k = take; trimmed && k > take / 2; k--)
            if (s[pos + k - 1] == ' ') { take = k; break; }
        if (trimmed && s[pos + take - 1] != ' ') take = keep_marks(s, pos, take);
        if (take >= sizeof line) take = sizeof line - 1;
        memcpy(line, s + pos, take);
        line[take] = 0;
        if (y >= 0) ui_text(ui, y + rows, x, line, width, attr);
        pos += take;
        rows++;
    }
    return rows;
}
