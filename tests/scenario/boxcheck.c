/* boxcheck — reads an 80-column screen (tmux capture-pane -p, where the
 * ACS frame shows as l q k x m j) on stdin and fails, naming the row, when
 * a dialog box there is not whole: each corner, and the border on both
 * sides of every row.  Boxes are centred (ui_box_place), so the left edge
 * is found from the right one: a corner lost over a wide character, which
 * the text of the screen alone would not show, fails here.  Columns come
 * from the C library's wcwidth.  Run under a UTF-8 locale. */
#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define ROWS 64
#define COLS 256

static wchar_t cell[ROWS][COLS];

static wchar_t at(int y, int x) { return y >= 0 && y < ROWS && x >= 0 && x < COLS ? cell[y][x] : L' '; }

int main(int argc, char **argv)
{
    char buf[4096];
    int rows = 0, cols = argc > 1 ? atoi(argv[1]) : 80, bad = 0, boxes = 0;
    setlocale(LC_ALL, "");
    for (int y = 0; y < ROWS; y++) for (int x = 0; x < COLS; x++) cell[y][x] = L' ';
    while (rows < ROWS && fgets(buf, sizeof buf, stdin)) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        const char *s = buf;
        size_t len = strcspn(buf, "\n");
        int x = 0;
        while (len > 0 && x < COLS) {
            wchar_t wc;
            size_t n = mbrtowc(&wc, s, len, &st);
            if (n == (size_t)-1 || n == (size_t)-2 || n == 0) break;
            int w = wcwidth(wc);
            cell[rows][x] = wc;
            x += w > 0 ? w : 0;
            if (w == 2 && x - 1 < COLS) cell[rows][x - 1] = 0;   /* a wide glyph's second cell */
            s += n;
            len -= n;
        }
        rows++;
    }
    /* A top-right corner: 'k' after a line, with the right border under it. */
    for (int y = 0; y + 1 < rows; y++) {
        for (int r = 1; r < cols; r++) {
            if (at(y, r) != L'k' || at(y, r - 1) != L'q' || at(y + 1, r) != L'x') continue;
            int b = y + 1;
            while (b < rows && at(b, r) == L'x') b++;
            boxes++;
            if (at(b, r) != L'j') {
                printf("row %d: no right border or bottom-right corner at column %d\n", b + 1, r + 1);
                bad++;
                continue;
            }
            /* The left edge: of the two that centring allows, the one with more border. */
            int best = -1, most = -1;
            for (int c = cols - 2 - r; c <= cols - 1 - r; c++) {
                int n = 0;
                for (int k = y + 1; k < b; k++) n += at(k, c) == L'x';
                if (n > most) { most = n; best = c; }
            }
            int l = best;
            if (at(y, l) != L'l') { printf("row %d: no top-left corner at column %d\n", y + 1, l + 1); bad++; }
            if (at(b, l) != L'm') { printf("row %d: no bottom-left corner at column %d\n", b + 1, l + 1); bad++; }
            for (int k = y + 1; k < b; k++)
                if (at(k, l) != L'x') { printf("row %d: no left border at column %d\n", k + 1, l + 1); bad++; }
        }
    }
    if (!boxes) { printf("no box on screen\n"); return 1; }
    return bad ? 1 : 0;
}
