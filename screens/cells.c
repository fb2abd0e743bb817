/* cells.c — text to screen cells.  Record text may come from another
 * station, so every string is checked glyph by glyph here: controls and
 * invalid bytes never reach the terminal, and widths come from the one
 * width function, cz_text_width. */
#include "ui.h"
#include "text.h"

#include <curses.h>
#include <string.h>

#define CELL_BYTES 16

/* One screen cell: the glyph's bytes (a wide glyph's second cell is empty,
 * width 0), combining marks appended to the glyph they follow. */
struct cell { char b[CELL_BYTES]; unsigned char len, width; };

static const char replacement[] = "\xEF\xBF\xBD";

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

/* Lays s out into at most max cells; returns the cells used. */
static int layout(const char *s, struct cell *cells, int max)
{
    size_t n = strlen(s), pos = 0;
    int used = 0;
    while (pos < n && used < max) {
        unsigned cp = 0;
        size_t len = glyph_len(s + pos, n - pos, &cp);
        const char *g = s + pos;
        size_t glen = len, cols = 1;
        pos += len ? len : 1;
        if (!len) { g = replacement; glen = 3; }
        else if (cp == '\t' || cp == '\n') { g = " "; glen = 1; }
        else if (cz_text_cp_control(cp)) { g = replacement; glen = 3; }
        else cz_text_width(g, glen, 2, &cols, NULL);
        if (cols == 0) {           /* combining: joins the previous glyph */
            struct cell *prev = used ? &cells[used - 1 - (used > 1 && !cells[used - 1].width)] : NULL;
            if (prev && prev->len + glen < CELL_BYTES) {
                memcpy(prev->b + prev->len, g, glen);
                prev->len = (unsigned char)(prev->len + glen);
            }
            continue;
        }
        if (used + (int)cols > max) break;
        memcpy(cells[used].b, g, glen);
        cells[used].len = (unsigned char)glen;
        cells[used].width = (unsigned char)cols;
        used++;
        if (cols == 2) { cells[used].len = 0; cells[used].width = 0; used++; }
    }
    return used;
}

int ui_cols(const char *s)
{
    struct cell cells[512];
    return layout(s, cells, 512);
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
    struct cell cells[512];
    maxcols = clip(ui, y, x, maxcols);
    if (maxcols > 512) maxcols = 512;
    int used = layout(s ? s : "", cells, maxcols);
    attrset(attr);
    move(y, x);
    for (int i = 0; i < used; i++)
        if (cells[i].width) addnstr(cells[i].b, cells[i].len);
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

void ui_cursor(struct ui *ui, int y, int x)
{
    ui->cursor_y = y;
    ui->cursor_x = x < ui->cols ? x : ui->cols - 1;
}

int ui_text_wrap(struct ui *ui, int y, int x, const char *s, int width, int maxrows, int attr)
{
    size_t len = strlen(s), pos = 0;
    int rows = 0;
    while (pos < len && rows < maxrows && width > 0) {
        int trimmed = 0;
        size_t take = cz_text_width(s + pos, len - pos, (size_t)width, NULL, &trimmed);
        char line[1024];
        if (!take) take = 1;
        /* English breaks at a space when there is one in the second half. */
        for (size_t k = take; trimmed && k > take / 2; k--)
            if (s[pos + k - 1] == ' ') { take = k; break; }
        if (take >= sizeof line) take = sizeof line - 1;
        memcpy(line, s + pos, take);
        line[take] = 0;
        if (y >= 0) ui_text(ui, y + rows, x, line, width, attr);
        pos += take;
        rows++;
    }
    return rows;
}
