/* prefs.h — the person's saved settings: a small file in the config folder
 * ($XDG_CONFIG_HOME/cunzhan/settings, else ~/.config/cunzhan/settings).
 *
 * Format, strict: UTF-8 lines "key=value", no spaces; '#' starts a comment
 * line; the only key is "lang" (zh or en).  A file with any other line is
 * not used at all (prefs_load says why).  Written atomically (fsutil.h:
 * temp file, fsync, rename, fsync the folder). */
#ifndef CZ_PREFS_H
#define CZ_PREFS_H

#include <stddef.h>
#include "status.h"

struct prefs {
    int have_lang;
    enum cz_lang lang;
};

/* Where the settings file and the user keymap live ("" when neither
 * XDG_CONFIG_HOME nor HOME is set). */
void prefs_path(char *buf, size_t size);
void prefs_keymap_path(char *buf, size_t size);

/* CZ_OK (also when there is no file: nothing set), CZ_EIO, or CZ_EINVAL
 * for a malformed file (*line gets its line number). */
int prefs_load(struct prefs *p, int *line);
/* CZ_OK, or why the file could not be written (fsutil.h: a full disk, a
 * read-only disk, permission denied, CZ_EIO). */
int prefs_save(const struct prefs *p);

#endif
