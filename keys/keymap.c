#include "keymap.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name, *en, *zh; } actions[] = {
#define ACTION(id, key, help_en, help_zh) [id] = { .name = key, .en = help_en, .zh = help_zh },
#include "actions.def"
#undef ACTION
};

static const struct { const char *name; int key; } named_keys[] = {
#define NAMED(n, k) { .name = n, .key = k }
    NAMED("Esc", CZ_KEY_ESC), NAMED("Tab", CZ_KEY_TAB), NAMED("Shift-Tab", KEY_BTAB),
    NAMED("Enter", CZ_KEY_ENTER), NAMED("Up", KEY_UP), NAMED("Down", KEY_DOWN),
    NAMED("Left", KEY_LEFT), NAMED("Right", KEY_RIGHT), NAMED("Home", KEY_HOME),
    NAMED("End", KEY_END), NAMED("PgUp", KEY_PPAGE), NAMED("PgDn", KEY_NPAGE),
    NAMED("Backspace", KEY_BACKSPACE), NAMED("Delete", KEY_DC),
#undef NAMED
};

const char *cz_action_name(enum cz_action a)
{
    return a >= 0 && a < ACT_COUNT ? actions[a].name : "none";
}

void cz_action_label(enum cz_action a, int zh, char *buf, size_t size)
{
    const char *s = a >= 0 && a < ACT_COUNT ? (zh ? actions[a].zh : actions[a].en) : "";
    snprintf(buf, size, "%.*s", (int)strcspn(s, "|"), s);
}

const char *cz_action_help(enum cz_action a, int zh)
{
    const char *s = a >= 0 && a < ACT_COUNT ? (zh ? actions[a].zh : actions[a].en) : "";
    const char *bar = strchr(s, '|');
    return bar ? bar + 1 : s;
}

enum cz_action cz_action_by_name(const char *name)
{
    for (int i = 0; i < ACT_COUNT; i++)
        if (!strcmp(actions[i].name, name)) return (enum cz_action)i;
    return ACT_NONE;
}

int cz_key_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
        if (!strcasecmp(named_keys[i].name, name)) return named_keys[i].key;
    if ((name[0] == 'F' || name[0] == 'f') && name[1]) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12) return KEY_F((int)n);
    }
    if (!strncasecmp(name, "Ctrl-", 5) && name[5] && !name[6]) {
        int c = name[5] | 0x20;
        /* Ctrl-I, Ctrl-J, Ctrl-M and Ctrl-[ are Tab, Enter and Esc already. */
        if (c >= 'a' && c <= 'z' && c != 'i' && c != 'j' && c != 'm') return c - 'a' + 1;
    }
    return -1;
}

void cz_key_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
        if (named_keys[i].key == key) { snprintf(buf, size, "%s", named_keys[i].name); return; }
    if (key >= KEY_F(1) && key <= KEY_F(12)) snprintf(buf, size, "F%d", key - KEY_F(0));
    else if (key >= 1 && key <= 26) snprintf(buf, size, "Ctrl-%c", 'A' + key - 1);
    else snprintf(buf, size, "?");
}

static void bind(struct cz_keymap *km, int key, enum cz_action a)
{
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].key != key) continue;
        if (a == ACT_NONE) km->b[i] = km->b[--km->n];
        else km->b[i].action = a;
        return;
    }
    if (a != ACT_NONE && km->n < CZ_KEYMAP_MAX) {
        km->b[km->n].key = key;
        km->b[km->n++].action = a;
    }
}

static const struct { const char *en, *zh; } problems[] = {
    { .en = "unknown key", .zh = "没有这个按键" },
    { .en = "unknown action", .zh = "没有这个动作" },
};

const char *cz_keymap_what(const char *what, int zh)
{
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (!strcmp(problems[i].en, what)) return zh ? problems[i].zh : problems[i].en;
    return what;
}

/* One line: "KEY ACTION", comments and blank lines ignored.  0 or -1. */
static int load_line(struct cz_keymap *km, char *line, const char *file, int lineno,
                     cz_keymap_err_fn fn, void *ctx)
{
    char *save = NULL, *k, *a, *extra;
    line[strcspn(line, "#")] = 0;
    if (!(k = strtok_r(line, " \t\r", &save))) return 0;
    a = strtok_r(NULL, " \t\r", &save);
    extra = strtok_r(NULL, " \t\r", &save);
    int key = cz_key_by_name(k);
    enum cz_action act = a ? cz_action_by_name(a) : ACT_NONE;
    if (key < 0) { if (fn) fn(ctx, file, lineno, "unknown key", k); return -1; }
    if (!a || extra || (act == ACT_NONE && strcmp(a, "none"))) {
        if (fn) fn(ctx, file, lineno, "unknown action", a ? a : "");
        return -1;
    }
    bind(km, key, act);
    return 0;
}

int cz_keymap_load_text(struct cz_keymap *km, const char *text, const char *file,
                        cz_keymap_err_fn fn, void *ctx)
{
    int bad = 0, lineno = 0;
    char line[256];
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        lineno++;
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        if (load_line(km, line, file, lineno, fn, ctx)) bad++;
        p += len + (p[len] == '\n');
    }
    return bad;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    long len;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > 1 << 20 || fseek(f, 0, SEEK_SET))
        goto cleanup;
    if (!(buf = malloc((size_t)len + 1))) goto cleanup;
    buf[fread(buf, 1, (size_t)len, f)] = 0;
cleanup:
    fclose(f);
    return buf;
}

int cz_keymap_load(struct cz_keymap *km, cz_keymap_err_fn fn, void *ctx)
{
    char path[4096];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    km->n = 0;
    int bad = cz_keymap_load_text(km, cz_default_keys, "default.keys", fn, ctx);
    if (xdg && *xdg) snprintf(path, sizeof path, "%s/cunzhan/keys", xdg);
    else if (home && *home) snprintf(path, sizeof path, "%s/.config/cunzhan/keys", home);
    else return bad;
    char *text = read_file(path);
    if (text) bad += cz_keymap_load_text(km, text, path, fn, ctx);
    free(text);
    return bad;
}

enum cz_action cz_keymap_action(const struct cz_keymap *km, int key)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].key == key) return km->b[i].action;
    return ACT_NONE;
}

int cz_keymap_key_for(const struct cz_keymap *km, enum cz_action a)
{
    /* Prefer a function key or a named key over a control key. */
    int best = -1;
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].action != a) continue;
        if (best < 0 || (best < 32 && km->b[i].key >= 32)) best = km->b[i].key;
    }
    return best;
}
