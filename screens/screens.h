/* screens.h — the ncurses front's entry point, for the command line.
 * `cunzhan [-C DIR]` with no command calls this when stdin and stdout are
 * a terminal.  Returns an exit code (0 when the person quit normally);
 * the terminal is restored before it returns. */
#ifndef CZ_SCREENS_H
#define CZ_SCREENS_H

#include "status.h"

struct cz_screens_args {
    const char *dir;        /* the station's data folder */
    enum cz_lang lang;
    int lang_given;         /* --lang was on the command line: it beats the saved setting */
    const char *user;       /* --user / CUNZHAN_USER, or NULL for the default */
    /* --lang or CUNZHAN_LANG chose lang (not the locale).  When not, on the
     * Linux console (TERM "linux...", which often lacks Chinese glyphs) the
     * screens start in English and offer Chinese (F9). */
    int lang_explicit;
};

int cz_screens_main(const struct cz_screens_args *a);

#endif
