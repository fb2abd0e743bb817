/* test_idnum.c — GB 11643-1999 resident ID numbers (idnum.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "idnum.h"
#include "status.h"
#include "testkit.h"

#define TODAY 20260305u

/* Numbers whose check characters were computed independently of the code
 * under test (the first two are the examples in GB 11643-1999). */
static const char *const valid_ids[] = {
    "11010519491231002X",
    "51012319900101123X",
    "510123199001011248",
    "110105200002290013",
    "110105200002290021",
    "11010519000101001X",
    "440301202401010059",
    "440301202603050016",
    "320583198506124510",
};

static enum cz_idnum_error refuse(const char *s, uint32_t today)
{
    struct cz_idnum_info info;
    enum cz_idnum_error why = CZ_IDNUM_OK;

    memset(&info, 0x55, sizeof info);
    tk_assert_int(s, cz_idnum_parse(s, today, &info, &why), CZ_EIDNUM);
    tk_assert_true(s, why != CZ_IDNUM_OK);
    /* Nothing half-filled is left behind. */
    tk_assert_int(s, info.number[0], '\0');
    tk_assert_int(s, info.born, 0);
    return why;
}

/* Numbers refused today, each for its reason. */
struct refusal { const char *s; enum cz_idnum_error why; };

static void expect_refusals(const struct refusal *c, size_t n)
{
    for (size_t i = 0; i < n; i++) tk_assert_int(c[i].s, refuse(c[i].s, TODAY), c[i].why);
}
#define EXPECT_REFUSALS(c) expect_refusals(c, sizeof c / sizeof c[0])

static void test_check_char(void **state)
{
    size_t i;

    (void)state;
    assert_int_equal(cz_idnum_check_char("11010519491231002"), 'X');
    assert_int_equal(cz_idnum_check_char("44052418800101001"), '4');
    for (i = 0; i < sizeof valid_ids / sizeof valid_ids[0]; i++)
        assert_int_equal(cz_idnum_check_char(valid_ids[i]), valid_ids[i][17]);
    /* Sum 0 -> r 0 -> '1'. */
    assert_int_equal(cz_idnum_check_char("00000000000000000"), '1');
    /* Not digits: never a real check character. */
    assert_int_equal(cz_idnum_check_char("1101051949123100A"), '?');
}

/* Every remainder 0..10 appears and maps as the standard says. */
static void test_check_char_all_remainders(void **state)
{
    static const char expect[] = "10X98765432";
    char first17[18] = "00000000000000000";
    int seen[11] = { 0 };
    int last;

    (void)state;
    /* Only the last weight (2) and the one before (4) are varied: the sum is
     * 4a + 2b, which reaches every residue mod 11. */
    for (last = 0; last < 100; last++) {
        int a = last / 10, b = last % 10, r = (4 * a + 2 * b) % 11;

        first17[15] = (char)('0' + a);
        first17[16] = (char)('0' + b);
        assert_int_equal(cz_idnum_check_char(first17), expect[r]);
        seen[r] = 1;
    }
    for (last = 0; last < 11; last++)
        assert_true(seen[last]);
}

static void test_valid(void **state)
{
    struct cz_idnum_info info;
    enum cz_idnum_error why = CZ_IDNUM_CHECK;
    size_t i;

    (void)state;
    assert_int_equal(cz_idnum_parse("11010519491231002X", TODAY, &info, &why), CZ_OK);
    assert_int_equal(why, CZ_IDNUM_OK);
    assert_string_equal(info.number, "11010519491231002X");
    assert_string_equal(info.region, "110105");
    assert_int_equal(info.born, 19491231);
    assert_int_equal(info.sex, 'F');                 /* sequence 002, even */

    assert_int_equal(cz_idnum_parse("320583198506124510", TODAY, &info, &why), CZ_OK);
    assert_string_equal(info.region, "320583");
    assert_int_equal(info.born, 19850612);
    assert_int_equal(info.sex, 'M');                 /* 451, odd */

    assert_int_equal(cz_idnum_parse("510123199001011248", TODAY, &info, NULL), CZ_OK);
    assert_int_equal(info.sex, 'F');                 /* 124 */
    assert_int_equal(cz_idnum_parse("51012319900101123X", TODAY, &info, NULL), CZ_OK);
    assert_int_equal(info.sex, 'M');                 /* 123 */

    for (i = 0; i < sizeof valid_ids / sizeof valid_ids[0]; i++) {
        assert_int_equal(cz_idnum_parse(valid_ids[i], TODAY, &info, &why), CZ_OK);
        assert_string_equal(info.number, valid_ids[i]);
    }
    /* info and why may both be NULL: validation only. */
    assert_int_equal(cz_idnum_parse("11010519491231002X", TODAY, NULL, NULL), CZ_OK);
}

static void test_lower_x(void **state)
{
    struct cz_idnum_info info;

    (void)state;
    assert_int_equal(cz_idnum_parse("11010519491231002x", TODAY, &info, NULL), CZ_OK);
    assert_string_equal(info.number, "11010519491231002X");
    assert_int_equal(cz_idnum_parse("11010519000101001x", TODAY, &info, NULL), CZ_OK);
    assert_string_equal(info.number, "11010519000101001X");
    /* x is a check character only, never a digit elsewhere. */
    assert_int_equal(refuse("1101051949123100x2", TODAY), CZ_IDNUM_CHARS);
    assert_int_equal(refuse("x1010519491231002X", TODAY), CZ_IDNUM_CHARS);
}

static void test_length(void **state)
{
    static const struct refusal c[] = {
        { "", CZ_IDNUM_LENGTH },
        { "11010519491231002", CZ_IDNUM_LENGTH },
        { "11010519491231002X0", CZ_IDNUM_LENGTH },
        /* Old 15-digit numbers are not accepted. */
        { "110105491231002", CZ_IDNUM_LENGTH },
        /* Spaces are characters too (input is trimmed, not compacted). */
        { "110105 19491231 002X", CZ_IDNUM_LENGTH },
        /* Length is counted in characters: 17 + one 汉字 is 18 characters
         * (a character error), although it is 20 bytes. */
        { "11010519491231002号", CZ_IDNUM_CHARS },
        /* Un-normalised full-width digits: 18 characters, wrong kind. */
        { "１１０１０５１９４９１２３１００２Ｘ", CZ_IDNUM_CHARS },
    };
    (void)state;
    EXPECT_REFUSALS(c);
}

static void test_chars(void **state)
{
    static const struct refusal c[] = {
        { "1101051949123100 X", CZ_IDNUM_CHARS },
        { "11010519491231002Y", CZ_IDNUM_CHARS },
        { "X1010519491231002X", CZ_IDNUM_CHARS },
        { "1101051949123100XX", CZ_IDNUM_CHARS },
        { "11010519491231002-", CZ_IDNUM_CHARS },
        { "-11010519491231002", CZ_IDNUM_CHARS },
        { "11O10519491231002X", CZ_IDNUM_CHARS },  /* letter O */
    };
    (void)state;
    EXPECT_REFUSALS(c);
}

static void test_date(void **state)
{
    char buf[19];

    (void)state;
    /* Impossible dates (check characters made right so only the date is
     * wrong). */
    static const char *const impossible[] = {
        "11010519491332002", "11010519490230002", "11010519490001002", "11010519491200002",
        "11010518991231001",    /* 1899-12-31: before 1900, see below */
    };
    for (size_t i = 0; i < sizeof impossible / sizeof impossible[0]; i++) {
        memcpy(buf, impossible[i], 17);
        buf[17] = cz_idnum_check_char(buf);
        buf[18] = '\0';
        tk_assert_int(buf, refuse(buf, TODAY), CZ_IDNUM_DATE);
    }
    /* 1900 was not a leap year; 2000 was. */
    assert_int_equal(refuse("110105190002290017", TODAY), CZ_IDNUM_DATE);
    assert_int_equal(cz_idnum_parse("110105200002290013", TODAY, NULL, NULL), CZ_OK);
    /* Before 1900: the standard's own example (born 1880, check character
     * correct) is refused under the year >= 1900 rule. */
    assert_int_equal(cz_idnum_check_char("44052418800101001"), '4');
    assert_int_equal(refuse("440524188001010014", TODAY), CZ_IDNUM_DATE);
    /* Future births: today itself is fine, tomorrow is not. */
    assert_int_equal(cz_idnum_parse("440301202603050016", TODAY, NULL, NULL), CZ_OK);
    assert_int_equal(refuse("440301202603050016", TODAY - 1), CZ_IDNUM_DATE);
    assert_int_equal(refuse("440301209912310012", TODAY), CZ_IDNUM_DATE);
    /* today == 0 skips the future test but not the calendar test. */
    assert_int_equal(cz_idnum_parse("440301209912310012", 0, NULL, NULL), CZ_OK);
    assert_int_equal(refuse("110105190002290017", 0), CZ_IDNUM_DATE);
}

static void test_check(void **state)
{
    char buf[19];
    const char *alts = "0123456789X";
    size_t i;
    int wrong = 0;

    (void)state;
    assert_int_equal(refuse("110105194912310021", TODAY), CZ_IDNUM_CHECK);
    assert_int_equal(refuse("440301202401010050", TODAY), CZ_IDNUM_CHECK);
    /* Every wrong check character is caught... */
    memcpy(buf, "11010519491231002X", 19);
    for (i = 0; alts[i]; i++) {
        buf[17] = alts[i];
        if (alts[i] == 'X')
            continue;
        assert_int_equal(refuse(buf, TODAY), CZ_IDNUM_CHECK);
        wrong++;
    }
    assert_int_equal(wrong, 10);
    /* ...and so is every single-digit typo outside the date. */
    for (i = 0; i < 17; i++) {
        char d;

        if (i >= 6 && i < 14)
            continue;
        memcpy(buf, "11010519491231002X", 19);
        for (d = '0'; d <= '9'; d++) {
            if (d == "11010519491231002X"[i])
                continue;
            buf[i] = d;
            assert_int_equal(refuse(buf, TODAY), CZ_IDNUM_CHECK);
        }
    }
    /* Swapping two adjacent different digits is caught as well. */
    memcpy(buf, "32058319850612451 ", 19);
    buf[17] = '0';
    buf[15] = '5';
    buf[16] = '4';
    assert_int_equal(refuse(buf, TODAY), CZ_IDNUM_CHECK);
}

static void test_invalid_args(void **state)
{
    enum cz_idnum_error why = CZ_IDNUM_CHECK;

    (void)state;
    assert_int_equal(cz_idnum_parse(NULL, TODAY, NULL, &why), CZ_EINVAL);
    assert_int_equal(why, CZ_IDNUM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_check_char_all_remainders),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_lower_x),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_invalid_args),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
