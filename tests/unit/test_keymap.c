/* test_keymap.c — the keymap loader: the compiled-in default keymap, a
 * user's file on top of it (a key rebound, a key removed with "none", bad
 * lines reported with the file and line number and skipped), and the
 * Esc-digit fallback's reach: the mapping itself (Esc 1..9 = F1..F9, Esc 0 =
 * F10) is in ui_read_key, which needs curses, and is checked by
 * screens_kit.sh (Esc 7); here, every function key bound by default is one
 * it reaches. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"

struct errs { int n; char file[64], what[64], token[64]; int line[8]; };

static void on_err(void *ctx, const char *file, int line, const char *what, const char *token)
{
    struct errs *e = ctx;
    if (e->n < 8) e->line[e->n] = line;
    snprintf(e->file, sizeof e->file, "%s", file);
    snprintf(e->what, sizeof e->what, "%s", what);
    snprintf(e->token, sizeof e->token, "%s", token);
    e->n++;
}

static void load_default(struct cz_keymap *km)
{
    struct errs e = { 0 };
    memset(km, 0, sizeof *km);
    assert_int_equal(cz_keymap_load_text(km, cz_default_keys, "default.keys", on_err, &e), 0);
    assert_int_equal(e.n, 0);
}

static void test_default_parses(void **state)
{
    struct cz_keymap km;
    load_default(&km);
    /* the keys README.md promises (F1-F10), and the sort key. */
    assert_int_equal(cz_keymap_action(&km, KEY_F(1)), ACT_HELP);
    assert_int_equal(cz_keymap_action(&km, KEY_F(2)), ACT_SAVE);
    assert_int_equal(cz_keymap_action(&km, KEY_F(3)), ACT_FIND);
    assert_int_equal(cz_keymap_action(&km, KEY_F(7)), ACT_SORT);
    assert_int_equal(cz_keymap_action(&km, KEY_F(10)), ACT_QUIT);
    assert_int_equal(cz_keymap_action(&km, CZ_KEY_ESC), ACT_BACK);
    assert_int_equal(cz_keymap_action(&km, CZ_KEY_TAB), ACT_NEXT);
    assert_int_equal(cz_keymap_action(&km, KEY_BTAB), ACT_PREV);
    assert_int_equal(cz_keymap_action(&km, CZ_KEY_ENTER), ACT_OPEN);
    /* Every action has a key. */
    for (int a = 0; a < ACT_COUNT; a++) assert_true(cz_keymap_key_for(&km, (enum cz_action)a) >= 0);
}

static void test_user_overrides(void **state)
{
    struct cz_keymap km;
    struct errs e = { 0 };
    load_default(&km);
    size_t before = km.n;
    const char *user = "# mine\n"
                       "F12  save\n"          /* a new key */
                       "F2   find   # comment\n" /* rebinds F2 */
                       "Ctrl-F none\n";       /* removes one */
    assert_int_equal(cz_keymap_load_text(&km, user, "/home/x/.config/cunzhan/keys", on_err, &e), 0);
    assert_int_equal(e.n, 0);
    assert_int_equal(cz_keymap_action(&km, KEY_F(12)), ACT_SAVE);
    assert_int_equal(cz_keymap_action(&km, KEY_F(2)), ACT_FIND);
    assert_int_equal(cz_keymap_action(&km, 6 /* Ctrl-F */), ACT_NONE);
    assert_int_equal(km.n, before);   /* one added, one removed */
    assert_int_equal(cz_keymap_key_for(&km, ACT_SAVE), KEY_F(12));
}

static void test_bad_lines_reported(void **state)
{
    struct cz_keymap km;
    struct errs e = { 0 };
    load_default(&km);
    const char *user = "F2 save\n"
                       "F13 help\n"            /* line 2: unknown key */
                       "\n"
                       "F4 fly\n"              /* line 4: unknown action */
                       "F5\n"                  /* line 5: no action */
                       "F6 help extra\n"       /* line 6: too much */
                       "Ctrl-I help\n"         /* line 7: Ctrl-I is Tab */
                       "F9 help\n";            /* line 8: fine */
    assert_int_equal(cz_keymap_load_text(&km, user, "keys.user", on_err, &e), 5);
    assert_int_equal(e.n, 5);
    assert_int_equal(e.line[0], 2);
    assert_int_equal(e.line[1], 4);
    assert_int_equal(e.line[2], 5);
    assert_int_equal(e.line[3], 6);
    assert_int_equal(e.line[4], 7);
    assert_string_equal(e.file, "keys.user");
    /* Each problem has its words in Chinese too (the screens say it so). */
    assert_string_equal(cz_keymap_what("unknown key", 1), "没有这个按键");
    assert_string_equal(cz_keymap_what("unknown action", 1), "没有这个动作");
    assert_string_equal(cz_keymap_what(e.what, 0), e.what);
    assert_string_not_equal(cz_keymap_what(e.what, 1), e.what);
    /* The bad lines changed nothing; the good ones still apply. */
    assert_int_equal(cz_keymap_action(&km, KEY_F(4)), ACT_ADD);
    assert_int_equal(cz_keymap_action(&km, KEY_F(6)), ACT_VERIFY);
    assert_int_equal(cz_keymap_action(&km, KEY_F(9)), ACT_HELP);
}

static void test_esc_digit_fallback(void **state)
{
    struct cz_keymap km;
    char name[16];
    load_default(&km);
    /* Every function key bound by default is within F1..F10, the keys the
     * Esc-digit fallback reaches (ui_read_key: Esc d = F(d), Esc 0 = F10). */
    for (size_t i = 0; i < km.n; i++) {
        int k = km.b[i].key;
        if (k < KEY_F(1) || k > KEY_F(12)) continue;
        assert_true(k <= KEY_F(10));
    }
    /* Key names round-trip. */
    const char *names[] = { "F1", "F10", "Esc", "Shift-Tab", "PgDn", "Ctrl-U" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        cz_key_name(cz_key_by_name(names[i]), name, sizeof name);
        assert_string_equal(name, names[i]);
    }
    assert_int_equal(cz_key_by_name("F0"), -1);
    assert_int_equal(cz_key_by_name("Ctrl-M"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_parses),
        cmocka_unit_test(test_user_overrides),
        cmocka_unit_test(test_bad_lines_reported),
        cmocka_unit_test(test_esc_digit_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
