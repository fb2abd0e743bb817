/* Fuzz target: the keymap file (keymap.h), ~/.config/cunzhan/keys, read
 * over the compiled-in default as the screens read it.  Invariants: every
 * bad line is reported once, with a line number inside the file; the map
 * never holds more than CZ_KEYMAP_MAX bindings, nor a key twice, nor an
 * unknown action; every key bound has a name that reads back as that key
 * (what the help screen and the footer print can be typed into the file). */
#include "keymap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct problems { int n, lines; };

static void on_problem(void *ctx, const char *file, int line, const char *what, const char *token)
{
    struct problems *p = ctx;
    if (line < 1 || line > p->lines || !what || !token || strcmp(file, "keys")) abort();
    p->n++;
}

static void check_map(const struct cz_keymap *km)
{
    char name[32], label[64];
    if (km->n > CZ_KEYMAP_MAX) abort();
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].action < 0 || km->b[i].action >= ACT_COUNT) abort();
        for (size_t j = i + 1; j < km->n; j++)
            if (km->b[j].key == km->b[i].key) abort();
        if (cz_keymap_action(km, km->b[i].key) != km->b[i].action) abort();
        cz_key_name(km->b[i].key, name, sizeof name);
        if (cz_key_by_name(name) != km->b[i].key) abort();
    }
    for (int a = 0; a < ACT_COUNT; a++) {
        int key = cz_keymap_key_for(km, (enum cz_action)a);
        if (key >= 0 && cz_keymap_action(km, key) != a) abort();
        cz_action_label((enum cz_action)a, a & 1, label, sizeof label);
        if (!cz_action_help((enum cz_action)a, a & 1)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cz_keymap km = { 0 };
    struct problems p = { 0, 1 };
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;                   /* a file is read as text: it ends at its first NUL */
    for (const char *s = text; *s; s++) p.lines += *s == '\n';
    if (cz_keymap_load_text(&km, cz_default_keys, "default.keys", NULL, NULL) != 0) abort();
    int bad = cz_keymap_load_text(&km, text, "keys", on_problem, &p);
    if (bad != p.n) abort();
    check_map(&km);
    /* The name of any key code, bound or not, reads back as that key or as
     * none (Ctrl-M is Enter's code: no file binds it by that name). */
    if (size >= 4) {
        int32_t key;
        char name[32];
        memcpy(&key, data, 4);
        cz_key_name(key, name, sizeof name);
        int back = cz_key_by_name(name);
        if (back != -1 && back != key) abort();
    }
    free(text);
    return 0;
}
