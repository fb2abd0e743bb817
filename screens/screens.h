/* screens.h — the ncurses front's entry point, for the command line.
 * `cunzhan [-C DIR]` with no command calls this when stdin and stdout are
 * a terminal.  Returns an exit code (0 when the person quit normally; 1
 * when TERM cannot draw them, said on stderr in both languages); the
 * terminal is restored before it returns. */
#ifndef CZ_SCREENS_H
#define CZ_SCREENS_H

#include "status.h"

struct cz_screens_args {
    const char *dir;        /* the station's data folder */
    enum cz_lang lang;
    int lang_given;         /* --lang was on the command line: it beats the saved setting */
    const char *user;       /* --user / CUNZHAN_USER, or NULL for the default */
    /* --lang or CUNZHAN_LANG chose lang (not the locale).  When not, where
     * Chinese cannot show (the bare Linux console, TERM "linux..." with no
     * fbterm or the like; an encoding without Chinese) the screens start in
     * English, whatever the saved setting, and say how to get Chinese. */
    int lang_explicit;
};

int cz_screens_main(const struct cz_screens_args *a);

#endif
