/* terminal.h — what the terminal can do, decided once before curses
 * starts: whether it can draw the screens at all, which encoding it speaks
 * (the locale's: text stays UTF-8 inside and cells.c converts through
 * ncursesw's wide-character calls), and whether it can show Chinese. */
#ifndef CZ_TERMINAL_H
#define CZ_TERMINAL_H

#include <stddef.h>
#include <stdio.h>
#include "status.h"

/* What became of the locale the environment names. */
enum ui_locale {
    UI_LOCALE_OK,        /* set as asked, and not plain ASCII */
    UI_LOCALE_ASCII,     /* C, POSIX or nothing set: switched to C.UTF-8 */
    UI_LOCALE_MISSING,   /* not installed on this PC: switched to C.UTF-8 */
    UI_LOCALE_NONE,      /* ASCII or missing, and no C.UTF-8 either: ASCII only */
};

struct ui_term {
    enum ui_locale locale;
    char asked[64];      /* "LANG=zh_CN.UTF-8" as the environment named it, or "" */
    int console;         /* the bare Linux console: TERM=linux with no CJK framebuffer terminal */
    int no_cjk;          /* Chinese cannot show: that console, or an encoding without it */
};

/* 1 when TERM names a terminal that can draw the screens (known to
 * terminfo, with cursor movement).  Otherwise 0, after writing to err why
 * and what to use instead (the command line), in both languages: the
 * screens have not started, so neither language is known to show. */
int ui_term_usable(FILE *err);

/* Sets the locale from the environment (setlocale(LC_ALL, "")), switching
 * to C.UTF-8 when that names C/POSIX or cannot be set, and fills t.
 * Call before initscr(). */
void ui_term_setup(struct ui_term *t);

/* The one-time note about the locale for t, in lang; "" when there is
 * nothing to say (a locale set as asked that can show Chinese). */
void ui_term_locale_note(const struct ui_term *t, enum cz_lang lang, char *out, size_t size);

#endif
