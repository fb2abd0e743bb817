/* widthcheck — reads lines on stdin and fails when any is wider than
 * argv[1] terminal columns.  Widths come from the C library's wcwidth(),
 * independently of cunzhan's own width function.  Run under a UTF-8 locale. */
#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int line_width(const char *s)
{
    mbstate_t st;
    wchar_t wc;
    int cols = 0;
    size_t len = strlen(s);
    memset(&st, 0, sizeof st);
    while (len > 0) {
        size_t n = mbrtowc(&wc, s, len, &st);
        if (n == (size_t)-1 || n == (size_t)-2) return 9999;   /* invalid UTF-8 on screen */
        if (n == 0) break;
        int w = wcwidth(wc);
        cols += w < 0 ? 1 : w;
        s += n;
        len -= n;
    }
    return cols;
}

int main(int argc, char **argv)
{
    char line[8192];
    int max = argc > 1 ? atoi(argv[1]) : 80, bad = 0, lineno = 0;
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "")) return 2;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        line[strcspn(line, "\n")] = 0;
        int w = line_width(line);
        if (w > max) {
            printf("line %d is %d columns: %s\n", lineno, w, line);
            bad = 1;
        }
    }
    return bad;
}
