/* keymap.h — actions (actions.def) and the keys bound to them.
 *
 * The default keymap is keys/default.keys, compiled in as cz_default_keys
 * (generated at build time).  A user file (~/.config/cunzhan/keys, or
 * $XDG_CONFIG_HOME/cunzhan/keys) is read after it: each of its lines rebinds
 * one key.  Problems (unknown key or action) are reported with the file and
 * line and the line is skipped; the rest still applies.
 *
 * Keys are ncurses key codes (KEY_F(1), KEY_UP, ...) or control characters;
 * printable characters are text and never bound. */
#ifndef CZ_KEYMAP_H
#define CZ_KEYMAP_H

#include <stddef.h>

enum cz_action {
    ACT_NONE = -1,
#define ACTION(id, name, en, zh) id,
#include "actions.def"
#undef ACTION
    ACT_COUNT
};

extern const char cz_default_keys[];

/* Key codes for keys without an ncurses code of their own. */
enum { CZ_KEY_ESC = 27, CZ_KEY_TAB = 9, CZ_KEY_ENTER = 10 };

#define CZ_KEYMAP_MAX 96
struct cz_keymap {
    size_t n;
    struct { int key; enum cz_action action; } b[CZ_KEYMAP_MAX];
};

const char *cz_action_name(enum cz_action a);
/* "Help" / "帮助": the short label for footer hints (zh != 0: Chinese). */
void cz_action_label(enum cz_action a, int zh, char *buf, size_t size);
/* The longer help text. */
const char *cz_action_help(enum cz_action a, int zh);
enum cz_action cz_action_by_name(const char *name);

/* Key names as written in keymap files ("F2", "Shift-Tab", "Ctrl-U"). */
int cz_key_by_name(const char *name);      /* -1 when unknown */
/* Name of a key code; writes "?" for one with no name. */
void cz_key_name(int key, char *buf, size_t size);

/* Problems found while loading: called once per bad line.  `what` is one
 * of the English phrases cz_keymap_what() puts in the person's language. */
typedef void (*cz_keymap_err_fn)(void *ctx, const char *file, int line, const char *what,
                                 const char *token);
/* A problem's `what` in English (zh 0) or Chinese; static text. */
const char *cz_keymap_what(const char *what, int zh);

/* Apply the bindings of `text` (the file format above) on top of km.
 * Returns the number of bad lines. */
int cz_keymap_load_text(struct cz_keymap *km, const char *text, const char *file,
                        cz_keymap_err_fn fn, void *ctx);
/* The default keymap, then the user's file if there is one. */
int cz_keymap_load(struct cz_keymap *km, cz_keymap_err_fn fn, void *ctx);

enum cz_action cz_keymap_action(const struct cz_keymap *km, int key);
/* The first key bound to an action, or -1. */
int cz_keymap_key_for(const struct cz_keymap *km, enum cz_action a);

#endif
