/* test_cli_progress.c — the progress bar's text (src/cli/cli_progress.h,
 * the pure part): time as m:ss, the rate, the time left or taken in both
 * languages, the bar's width steady as the rate appears, and the line cut
 * to the terminal by display width, never inside a character. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cli_progress.h"
#include "text.h"

static void test_clock(void **state)
{
    char buf[32];
    const struct { double secs; const char *want; } cases[] = {
        { 0, "0:00" }, { 7, "0:07" }, { 59.6, "1:00" }, { 750, "12:30" }, { 7500, "125:00" },
        { -1, "-:--" }, { 1e9, "-:--" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_progress_clock(cases[i].secs, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

/* The line at `width`; checks it fits in width - 1 columns by the one
 * width function and is whole UTF-8. */
static size_t line(const struct cli_progress_line *l, size_t width, char *buf, size_t size)
{
    size_t cols = cli_progress_format(l, width, buf, size), measured;
    int trimmed = 0;
    assert_true(cz_utf8_valid(buf, strlen(buf)));
    cz_text_width(buf, strlen(buf), (size_t)-1, &measured, &trimmed);
    assert_int_equal(cols, measured);
    assert_true(cols <= width - 1);
    return cols;
}

static void test_english(void **state)
{
    char buf[512];
    struct cli_progress_line l = { .lang = CZ_LANG_EN, .label = "load", .unit = "rows",
                                   .done = 5120, .total = 20000, .rate = 2480, .secs = 6 };
    line(&l, 80, buf, sizeof buf);
    assert_true(strncmp(buf, "load  [", 7) == 0);
    assert_non_null(strstr(buf, " 5120/20000 rows  2480/s  0:06 left"));
    assert_non_null(strstr(buf, "#-"));
    l.rate = 2.5;
    line(&l, 80, buf, sizeof buf);
    assert_non_null(strstr(buf, "2.5/s"));
    l.final = 1, l.secs = 42, l.done = 20000;
    line(&l, 80, buf, sizeof buf);
    assert_non_null(strstr(buf, "20000/20000 rows"));
    assert_non_null(strstr(buf, "took 0:42"));
    assert_null(strstr(buf, "left"));
    assert_null(strstr(buf, "-]"));           /* full */
    /* No total known: the count alone, no bar filled past its end. */
    struct cli_progress_line u = { .lang = CZ_LANG_EN, .label = "import", .unit = "entries", .done = 17, .rate = -1 };
    line(&u, 80, buf, sizeof buf);
    assert_non_null(strstr(buf, "17 entries"));
    assert_null(strstr(buf, "/"));
    assert_null(strstr(buf, "#"));
}

static void test_chinese(void **state)
{
    char buf[512];
    struct cli_progress_line l = { .lang = CZ_LANG_ZH, .label = "恢复：校验", .unit = "条",
                                   .done = 300, .total = 4000, .rate = 950, .secs = 4 };
    size_t cols = line(&l, 80, buf, sizeof buf);
    assert_true(strncmp(buf, "恢复：校验  [", strlen("恢复：校验  [")) == 0);
    assert_non_null(strstr(buf, " 300/4000 条  950/s  剩余 0:04"));
    assert_true(cols > strlen("300/4000") + 10);
    l.final = 1;
    line(&l, 80, buf, sizeof buf);
    assert_non_null(strstr(buf, "用时 0:04"));
}

/* The bar keeps its width whether the rate is known or not, and however
 * far the count has got. */
static void test_bar_steady(void **state)
{
    char a[512], b[512];
    struct cli_progress_line l = { .lang = CZ_LANG_EN, .label = "verify", .unit = "entries",
                                   .done = 0, .total = 123456, .rate = -1 };
    line(&l, 80, a, sizeof a);
    l.done = 99999, l.rate = 12345, l.secs = 2;
    line(&l, 80, b, sizeof b);
    assert_ptr_not_equal(strchr(a, ']'), NULL);
    assert_int_equal(strchr(a, ']') - a, strchr(b, ']') - b);
    assert_int_equal(strstr(a, "/123456") - a, strstr(b, "/123456") - b);
    /* Past the total (a count read before the last write): the bar stays whole. */
    l.done = 200000;
    line(&l, 80, b, sizeof b);
    assert_int_equal(strchr(b, ']') - b, strchr(a, ']') - a);
}

/* Narrow terminals: the bar goes first, then the text is cut between whole
 * characters. */
static void test_narrow(void **state)
{
    char buf[512];
    struct cli_progress_line l = { .lang = CZ_LANG_ZH, .label = "批量录入", .unit = "行",
                                   .done = 5120, .total = 20000, .rate = 2480, .secs = 6 };
    line(&l, 40, buf, sizeof buf);
    assert_null(strchr(buf, '['));
    assert_non_null(strstr(buf, "5120/20000 行"));
    for (size_t w = 2; w <= 40; w++) line(&l, w, buf, sizeof buf);
    line(&l, 6, buf, sizeof buf);
    assert_string_equal(buf, "批量");       /* 5 columns: two characters, never half of the third */
    /* A buffer too small for the line: cut, still whole characters. */
    char tiny[8];
    cli_progress_format(&l, 80, tiny, sizeof tiny);
    assert_true(cz_utf8_valid(tiny, strlen(tiny)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_chinese),
        cmocka_unit_test(test_bar_steady),
        cmocka_unit_test(test_narrow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
