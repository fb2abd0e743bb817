/* status.h — every status code the core returns, with its message in both
 * languages.  Functions in src/ return an int: CZ_OK (0) or one of these.
 * Only main() turns a status into an exit code; nothing in src/ exits.
 *
 * The codes and their texts live in status.def (an X-macro), so adding a
 * status is one line there and the message can never drift from the code. */
#ifndef CZ_STATUS_H
#define CZ_STATUS_H

enum cz_status {
#define CZ_STATUS(name, en, zh) name,
#include "status.def"
#undef CZ_STATUS
    CZ_STATUS_COUNT
};

/* The user's language for every message the core produces. */
enum cz_lang { CZ_LANG_EN = 0, CZ_LANG_ZH = 1 };

/* The one translation macro: both languages side by side at the call, so
 * no text can lack its translation.  `who` is anything with a `lang`
 * member (a screen's ui, the command line's context). */
#define T(who, en, zh) ((who)->lang == CZ_LANG_ZH ? (zh) : (en))

/* Message for a status in the given language.  Static storage; never NULL. */
const char *cz_strerror(int status, enum cz_lang lang);

/* The symbolic name ("CZ_ECANON") for logs and tests.  Static; never NULL. */
const char *cz_status_name(int status);
/* The status of a symbolic name; -1 when this build has none by that name.
 * What is stored names a status this way, never by its number. */
int cz_status_from_name(const char *name);

/* Statuses whose message must name a place to be any use.  The store's
 * and the disk's (the database damaged, full, a full or read-only disk,
 * permission denied): with no other file named, the message names the
 * station's db folder.  A stick's (full, write-protected, or a file on it
 * that cannot be written): the message names the stick or folder. */
int cz_status_is_store(int status);
int cz_status_is_stick(int status);

#endif
