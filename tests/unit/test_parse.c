/* test_parse.c — integers, hundredths, dates (parse.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "status.h"
#include "testkit.h"

#define SENTINEL ((int64_t)0x5a5a5a5a)

static void int_ok(const char *s, int64_t min, int64_t max, int64_t want)
{
    int64_t v = SENTINEL;

    assert_int_equal(cz_parse_int(s, min, max, &v), CZ_OK);
    assert_true(v == want);
}

static void int_bad(const char *s, int64_t min, int64_t max, int rc)
{
    int64_t v = SENTINEL;

    assert_int_equal(cz_parse_int(s, min, max, &v), rc);
    assert_true(v == SENTINEL);                /* untouched on error */
}

static void hund_ok(const char *s, int64_t max, int64_t want)
{
    int64_t v = SENTINEL;

    assert_int_equal(cz_parse_hundredths(s, max, &v), CZ_OK);
    assert_true(v == want);
}

static void hund_bad(const char *s, int64_t max, int rc)
{
    int64_t v = SENTINEL;

    assert_int_equal(cz_parse_hundredths(s, max, &v), rc);
    assert_true(v == SENTINEL);
}

static void date_ok(const char *s, uint32_t want)
{
    uint32_t v = 0;

    assert_int_equal(cz_parse_date(s, &v), CZ_OK);
    assert_int_equal(v, want);
}

static void date_bad(const char *s)
{
    uint32_t v = 12345;

    assert_int_equal(cz_parse_date(s, &v), CZ_EDATE);
    assert_int_equal(v, 12345);
}

/* --- integers -------------------------------------------------------------- */

static void test_int_basic(void **state)
{
    (void)state;
    int_ok("0", 0, 100, 0);
    int_ok("7", 0, 100, 7);
    int_ok("100", 0, 100, 100);
    int_ok("007", 0, 100, 7);
    int_ok("-5", -10, 10, -5);
    int_ok("-0", -10, 10, 0);
    int_ok("12,345", 0, INT64_MAX, 12345);
    int_ok("1,234,567", 0, INT64_MAX, 1234567);
    int_ok("-1,000", INT64_MIN, 0, -1000);
    int_ok("999", 0, 999, 999);
}

static void test_int_syntax(void **state)
{
    static const char *const bad[] = {
        "", "-", "+5", " 1", "1 ", "1.0", "1e3", "0x10", "--1", "- 1",
        "1-", "abc", "1a", "１",                 /* full-width: not normalised */
        "12,34", "1,2345", "1234,567", "1,", ",1", ",123", "1,,234",
        "1,234,56", "0,123", "00,123", "1,234 ", "1 234", "1_234",
        "1.234", ("\xe2\x88\x92" "5"),           /* U+2212 MINUS SIGN */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        int_bad(bad[i], -1000000, 1000000, CZ_ENUMBER);
}

static void test_int_range(void **state)
{
    (void)state;
    int_bad("101", 0, 100, CZ_ERANGE);
    int_bad("-11", -10, 10, CZ_ERANGE);
    int_bad("4", 5, 10, CZ_ERANGE);
    /* A well-formed negative where none is allowed is out of range. */
    int_bad("-5", 0, 100, CZ_ERANGE);
    int_bad("-0", 0, 100, CZ_ERANGE);
    /* ...but bad syntax after the sign is still bad syntax. */
    int_bad("-x", 0, 100, CZ_ENUMBER);
    int_bad("-12,34", 0, 100, CZ_ENUMBER);
    /* min > max is the caller's mistake. */
    int_bad("5", 10, 0, CZ_EINVAL);
    assert_int_equal(cz_parse_int(NULL, 0, 1, NULL), CZ_EINVAL);
}

static void test_int_overflow(void **state)
{
    (void)state;
    int_ok("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
    int_ok("9,223,372,036,854,775,807", INT64_MIN, INT64_MAX, INT64_MAX);
    int_ok("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
    int_ok("-9223372036854775807", INT64_MIN, INT64_MAX, -INT64_MAX);
    int_bad("9223372036854775808", INT64_MIN, INT64_MAX, CZ_ERANGE);
    int_bad("-9223372036854775809", INT64_MIN, INT64_MAX, CZ_ERANGE);
    int_bad("18446744073709551615", INT64_MIN, INT64_MAX, CZ_ERANGE);   /* UINT64_MAX */
    int_bad("18446744073709551616", INT64_MIN, INT64_MAX, CZ_ERANGE);
    int_bad("-18446744073709551616", INT64_MIN, INT64_MAX, CZ_ERANGE);
    int_bad("99999999999999999999999999999999999999", INT64_MIN, INT64_MAX, CZ_ERANGE);
    /* Syntax wins over overflow: the number is not a number at all. */
    int_bad("99999999999999999999999x", INT64_MIN, INT64_MAX, CZ_ENUMBER);
    int_ok("000000000000000000000000000042", 0, 100, 42);
}

/* --- hundredths ------------------------------------------------------------ */

static void test_hundredths_ok(void **state)
{
    (void)state;
    hund_ok("12", INT64_MAX, 1200);
    hund_ok("12.5", INT64_MAX, 1250);
    hund_ok("12.50", INT64_MAX, 1250);
    hund_ok("0.05", INT64_MAX, 5);
    hund_ok("0.5", INT64_MAX, 50);
    hund_ok("0", INT64_MAX, 0);
    hund_ok("0.00", INT64_MAX, 0);
    hund_ok("1,234.50", INT64_MAX, 123450);
    hund_ok("1,234", INT64_MAX, 123400);
    hund_ok("1,234,567.89", INT64_MAX, 123456789);
    hund_ok("3.07", INT64_MAX, 307);
    hund_ok("100", 10000, 10000);                /* max is inclusive */
}

static void test_hundredths_refused(void **state)
{
    static const char *const bad[] = {
        "", ".5", "5.", "1.234", "1.2.3", "1e3", "1E3", " 1", "1 ", "+1",
        "12,34", "12,34.5", "1,2345.00", ",5", "1..5", "1,.5", "1.,5",
        "0x1", "NaN", "inf", "1.5元", "¥5", "5亩", "١", "１２",
        ".", "-", "-.5", "1.-5", "1.5e2", "0.5 ", "12.5.",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        hund_bad(bad[i], INT64_MAX, CZ_ENUMBER);
    /* Negative values: well-formed but not allowed. */
    hund_bad("-1", INT64_MAX, CZ_ERANGE);
    hund_bad("-0.01", INT64_MAX, CZ_ERANGE);
    hund_bad("-0", INT64_MAX, CZ_ERANGE);
    hund_bad("100.01", 10000, CZ_ERANGE);
    hund_bad("1", 99, CZ_ERANGE);
    hund_bad("1", -1, CZ_EINVAL);
    assert_int_equal(cz_parse_hundredths(NULL, 1, NULL), CZ_EINVAL);
}

static void test_hundredths_overflow(void **state)
{
    (void)state;
    /* INT64_MAX = 9223372036854775807 hundredths. */
    hund_ok("92233720368547758.07", INT64_MAX, INT64_MAX);
    hund_ok("92,233,720,368,547,758.07", INT64_MAX, INT64_MAX);
    hund_ok("92233720368547758", INT64_MAX, 9223372036854775800);
    hund_bad("92233720368547758.08", INT64_MAX, CZ_ERANGE);
    hund_bad("92233720368547758.1", INT64_MAX, CZ_ERANGE);
    hund_bad("92233720368547759", INT64_MAX, CZ_ERANGE);
    hund_bad("9223372036854775807", INT64_MAX, CZ_ERANGE);
    hund_bad("184467440737095517", INT64_MAX, CZ_ERANGE);       /* x100 wraps uint64 */
    hund_bad("18446744073709551616", INT64_MAX, CZ_ERANGE);
    hund_bad("99999999999999999999999999.99", INT64_MAX, CZ_ERANGE);
    hund_bad("99999999999999999999999999.999", INT64_MAX, CZ_ENUMBER);
}

static void test_format_hundredths(void **state)
{
    char buf[32];
    char small[5];

    (void)state;
    static const struct { int64_t v; const char *text; } shown[] = {
        { 1250, "12.50" }, { 5, "0.05" }, { 0, "0.00" }, { 100, "1.00" }, { -300, "-3.00" }, { -5, "-0.05" },
        { 123456789, "1234567.89" }, { INT64_MAX, "92233720368547758.07" }, { INT64_MIN, "-92233720368547758.08" },
    };
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        cz_format_hundredths(shown[i].v, buf, sizeof buf);
        tk_assert_str(shown[i].text, buf, shown[i].text);
    }
    /* A short buffer is truncated, still terminated. */
    cz_format_hundredths(123456, small, sizeof small);
    assert_string_equal(small, "1234");
    cz_format_hundredths(1, buf, 0);             /* no write at all */
    /* Round trip through the parser. */
    {
        static const int64_t vals[] = { 0, 1, 9, 10, 99, 100, 101, 1250, 999999, INT64_MAX };
        size_t i;

        for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            int64_t back = -1;

            cz_format_hundredths(vals[i], buf, sizeof buf);
            assert_int_equal(cz_parse_hundredths(buf, INT64_MAX, &back), CZ_OK);
            assert_true(back == vals[i]);
        }
    }
}

/* --- dates ----------------------------------------------------------------- */

static void test_date_forms(void **state)
{
    (void)state;
    date_ok("2016-03-05", 20160305);
    date_ok("2016-3-5", 20160305);
    date_ok("2016-03-5", 20160305);
    date_ok("2016/03/05", 20160305);
    date_ok("2016/3/5", 20160305);
    date_ok("2016年3月5日", 20160305);
    date_ok("2016年03月05日", 20160305);
    date_ok("2016年12月31日", 20161231);
    date_ok("1900-01-01", 19000101);
    date_ok("2199-12-31", 21991231);
}

static void test_date_calendar(void **state)
{
    (void)state;
    date_ok("2016-02-29", 20160229);
    date_bad("2015-02-29");
    date_bad("1900-02-29");                      /* century, not leap */
    date_ok("2000-02-29", 20000229);             /* 400-year, leap */
    date_bad("2100-02-29");
    date_ok("2015-02-28", 20150228);
    date_bad("2016-02-30");
    date_bad("2016-04-31");
    date_ok("2016-04-30", 20160430);
    date_ok("2016-01-31", 20160131);
    date_bad("2016-13-01");
    date_bad("2016-00-10");
    date_bad("2016-01-00");
    date_bad("2016-01-32");
    date_bad("1899-12-31");
    date_bad("2200-01-01");
    date_bad("0000-01-01");
}

static void test_date_syntax(void **state)
{
    static const char *const bad[] = {
        "", "2016", "2016-", "2016-03", "2016-03-", "16-03-05", "20160-3-5",
        "2016-003-05", "2016-03-005", "2016-03/05", "2016/03-05",
        "2016.03.05", "20160305", "2016 03 05", " 2016-03-05", "2016-03-05 ",
        "2016-03-05T00:00", "2016年3月5", "2016年3-5日", "2016-3月5日",
        "2016年3月5日 ", "2016年 3月5日", "２０１６-03-05", "2016--3-5",
        "+2016-03-05", "2016-+3-05", "2016-3-5-", "03/05/2016",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        date_bad(bad[i]);
    assert_int_equal(cz_parse_date(NULL, NULL), CZ_EINVAL);
}

static void test_date_valid_and_format(void **state)
{
    char buf[11];
    char small[6];
    uint32_t d, back = 0;

    (void)state;
    static const struct { const char *what; uint32_t d; int valid; } days[] = {
        { "leap day 2016", 20160229, 1 }, { "no leap day 2015", 20150229, 0 }, { "0", 0, 0 },
        { "month 13", 20161301, 0 }, { "day 0", 20160100, 0 },
        { "1899", 18991231, 0 },      /* outside cz_parse_date's years */
        { "2200", 22000101, 0 }, { "UINT32_MAX", UINT32_MAX, 0 },
    };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        tk_assert_int(days[i].what, !!cz_date_valid(days[i].d), days[i].valid);

    static const struct { uint32_t d; const char *text; } shown[] = {
        { 20160305, "2016-03-05" }, { 19000101, "1900-01-01" },
    };
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        cz_format_date(shown[i].d, buf, sizeof buf);
        tk_assert_str(shown[i].text, buf, shown[i].text);
    }
    cz_format_date(20160305, small, sizeof small);
    assert_string_equal(small, "2016-");

    /* Every valid day of a leap year and a common year round-trips. */
    for (d = 20000101; d <= 20011231; d++) {
        if (!cz_date_valid(d))
            continue;
        cz_format_date(d, buf, sizeof buf);
        assert_int_equal(cz_parse_date(buf, &back), CZ_OK);
        assert_int_equal(back, d);
    }
}

static void test_today(void **state)
{
    uint32_t before, got, after;
    time_t now;
    struct tm tm;

    (void)state;
    assert_int_equal(setenv("CUNZHAN_TODAY", "2016-03-05", 1), 0);
    assert_int_equal(cz_today(), 20160305);
    assert_int_equal(setenv("CUNZHAN_TODAY", "2000-02-29", 1), 0);
    assert_int_equal(cz_today(), 20000229);

    /* Without (or with a malformed) override: the date in China Standard
     * Time (UTC+8) whatever the zone of the PC (TZ set far from it). */
    assert_int_equal(unsetenv("CUNZHAN_TODAY"), 0);
    assert_int_equal(setenv("TZ", "America/Los_Angeles", 1), 0);
    tzset();
    now = time(NULL) + 8 * 3600;
    gmtime_r(&now, &tm);
    before = (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    got = cz_today();
    now = time(NULL) + 8 * 3600;
    gmtime_r(&now, &tm);
    after = (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    assert_true(got == before || got == after);    /* midnight between */
    /* 2018-10-22 15:59:59 UTC is the 22nd in Beijing; a second later the 23rd. */
    assert_int_equal(cz_date_of_ms(UINT64_C(1540223999) * 1000), 20181022);
    assert_int_equal(cz_date_of_ms(UINT64_C(1540224000) * 1000), 20181023);
    unsetenv("TZ");
    tzset();
    assert_true(cz_date_valid(got));

    {
        static const char *const bad[] = {
            "", "2015-02-29", "2016-3-5", "2016/03/05", "2016年3月5日",
            "20160305", "2016-03-05x", "garbage",
        };
        size_t i;

        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint32_t t;

            assert_int_equal(setenv("CUNZHAN_TODAY", bad[i], 1), 0);
            t = cz_today();
            assert_true(t == before || t == after);
        }
    }
    unsetenv("CUNZHAN_TODAY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_basic),
        cmocka_unit_test(test_int_syntax),
        cmocka_unit_test(test_int_range),
        cmocka_unit_test(test_int_overflow),
        cmocka_unit_test(test_hundredths_ok),
        cmocka_unit_test(test_hundredths_refused),
        cmocka_unit_test(test_hundredths_overflow),
        cmocka_unit_test(test_format_hundredths),
        cmocka_unit_test(test_date_forms),
        cmocka_unit_test(test_date_calendar),
        cmocka_unit_test(test_date_syntax),
        cmocka_unit_test(test_date_valid_and_format),
        cmocka_unit_test(test_today),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
