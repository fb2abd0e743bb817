/* test_text.c — normalisation, validation, folding and widths (text.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>
#include "status.h"
#include "testkit.h"
#include "text.h"

/* Normalise s and compare with want; want NULL means expect status rc. */
static void check_norm(int line_mode, const char *s, size_t len, int rc, const char *want)
{
    char *out = (char *)0x1;
    int got = line_mode ? cz_text_normalize_line(s, len, &out)
                        : cz_text_normalize(s, len, &out);

    assert_int_equal(got, rc);
    if (rc == CZ_OK) {
        assert_non_null(out);
        assert_string_equal(out, want);
        /* What normalisation produces must pass the storage checks and be
         * a fixed point of normalisation. */
        assert_true(cz_text_is_nfc(out, strlen(out)));
        assert_int_equal(cz_text_check_controls(out, strlen(out)), CZ_OK);
        {
            char *again = NULL;
            int rc2 = line_mode ? cz_text_normalize_line(out, strlen(out), &again)
                                : cz_text_normalize(out, strlen(out), &again);
            assert_int_equal(rc2, CZ_OK);
            assert_string_equal(again, out);
            free(again);
        }
        free(out);
    } else {
        assert_null(out);
    }
}

#define NORM(s, want)       check_norm(0, s, strlen(s), CZ_OK, want)
#define NORM_LINE(s, want)  check_norm(1, s, strlen(s), CZ_OK, want)
#define NORM_FAIL(s, rc)    check_norm(0, s, sizeof(s) - 1, rc, NULL)
#define LINE_FAIL(s, rc)    check_norm(1, s, sizeof(s) - 1, rc, NULL)

static void fold_eq(const char *s, const char *want)
{
    char *out = NULL, *again = NULL;

    assert_int_equal(cz_text_fold(s, strlen(s), &out), CZ_OK);
    assert_string_equal(out, want);
    assert_int_equal(cz_text_fold(out, strlen(out), &again), CZ_OK);
    assert_string_equal(again, out);
    free(out);
    free(again);
}

/* --- UTF-8 validity ------------------------------------------------------ */

static void test_utf8_valid_good(void **state)
{
    (void)state;
    assert_true(cz_utf8_valid("", 0));
    assert_true(cz_utf8_valid(NULL, 0));
    assert_true(cz_utf8_valid("abc", 3));
    assert_true(cz_utf8_valid("张三", strlen("张三")));
    assert_true(cz_utf8_valid("\xc2\x80", 2));               /* U+0080 */
    assert_true(cz_utf8_valid("\xdf\xbf", 2));               /* U+07FF */
    assert_true(cz_utf8_valid("\xe0\xa0\x80", 3));           /* U+0800 */
    assert_true(cz_utf8_valid("\xed\x9f\xbf", 3));           /* U+D7FF */
    assert_true(cz_utf8_valid("\xee\x80\x80", 3));           /* U+E000 */
    assert_true(cz_utf8_valid("\xef\xbf\xbf", 3));           /* U+FFFF */
    assert_true(cz_utf8_valid("\xf0\x90\x80\x80", 4));       /* U+10000 */
    assert_true(cz_utf8_valid("\xf4\x8f\xbf\xbf", 4));       /* U+10FFFF */
    assert_true(cz_utf8_valid("\xf0\xa0\x80\x80", 4));       /* 𠀀 CJK Ext B */
    /* An embedded NUL is valid UTF-8 (it is a control, refused elsewhere). */
    assert_true(cz_utf8_valid("a\0b", 3));
}

static void test_utf8_valid_bad(void **state)
{
    static const char *const bad[] = {
        "\x80", "\xbf", "a\x80",                   /* stray continuation */
        "\xc0\x80", "\xc1\xbf",                    /* overlong 2-byte */
        "\xe0\x80\x80", "\xe0\x9f\xbf",            /* overlong 3-byte */
        "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",    /* overlong 4-byte */
        "\xed\xa0\x80", "\xed\xbf\xbf",            /* surrogates */
        "\xed\xa0\xbd\xed\xb8\x80",                /* CESU-8 pair */
        "\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf",    /* above U+10FFFF */
        "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
        "\xc2", "\xe4\xb8", "\xf0\x90\x80",        /* truncated */
        ("\xe4\xb8" "a"), "\xc2\xc2\x80",          /* interrupted */
        "ok\xe5\xbc",                              /* truncated at the end */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(cz_utf8_valid(bad[i], strlen(bad[i])));
    /* The length is honoured: a valid prefix is valid, a cut is not. */
    assert_true(cz_utf8_valid("\xe4\xb8\xad", 3));
    assert_false(cz_utf8_valid("\xe4\xb8\xad", 2));
    assert_true(cz_utf8_valid("\xe4\xb8\xad", 0));
}

/* Reference for Unicode Table 3-7, to compare over all 2-byte sequences and
 * every 3-byte lead with every second byte. */
static int ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        unsigned char lo = 0x80, hi = 0xbf;

        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) k = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else return 0;
        if (i + k >= n) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xbf) return 0;
        i += k + 1;
    }
    return 1;
}

static void test_utf8_valid_exhaustive(void **state)
{
    unsigned a, b;
    unsigned char buf[4];

    (void)state;
    for (a = 0; a < 256; a++)
        for (b = 0; b < 256; b++) {
            buf[0] = (unsigned char)a;
            buf[1] = (unsigned char)b;
            assert_int_equal(cz_utf8_valid((char *)buf, 2), ref_valid(buf, 2));
            buf[2] = 0x80;
            assert_int_equal(cz_utf8_valid((char *)buf, 3), ref_valid(buf, 3));
            buf[3] = 0x80;
            assert_int_equal(cz_utf8_valid((char *)buf, 4), ref_valid(buf, 4));
        }
}

/* --- NFC, controls --------------------------------------------------------- */

static void test_is_nfc(void **state)
{
    (void)state;
    assert_true(cz_text_is_nfc("", 0));
    assert_true(cz_text_is_nfc("abc", 3));
    assert_true(cz_text_is_nfc("\xc3\xa9", 2));          /* é precomposed */
    assert_false(cz_text_is_nfc("e\xcc\x81", 3));        /* e + U+0301 */
    assert_true(cz_text_is_nfc("村站", strlen("村站")));
    /* Full-width letters are NFC (only NFKC changes them). */
    assert_true(cz_text_is_nfc("ＹＳＷ", strlen("ＹＳＷ")));
    /* CJK compatibility ideograph U+F907 has a canonical mapping. */
    assert_false(cz_text_is_nfc("\xef\xa4\x87", 3));
    /* Invalid UTF-8 is never NFC. */
    assert_false(cz_text_is_nfc("\xc0\x80", 2));
    assert_false(cz_text_is_nfc("\xe4\xb8", 2));
}

static void test_check_controls(void **state)
{
    (void)state;
    assert_int_equal(cz_text_check_controls("", 0), CZ_OK);
    assert_int_equal(cz_text_check_controls("a\tb\nc", 5), CZ_OK);
    assert_int_equal(cz_text_check_controls("中文 text", strlen("中文 text")), CZ_OK);
    assert_int_equal(cz_text_check_controls("a\rb", 3), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("a\0b", 3), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\x1b[31m", 5), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\x01", 1), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\x1f", 1), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\v", 1), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\f", 1), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\x7f", 1), CZ_ECONTROL);
    assert_int_equal(cz_text_check_controls("\xc2\x80", 2), CZ_ECONTROL);  /* U+0080 */
    assert_int_equal(cz_text_check_controls("\xc2\x85", 2), CZ_ECONTROL);  /* NEL */
    assert_int_equal(cz_text_check_controls("\xc2\x9f", 2), CZ_ECONTROL);  /* U+009F */
    assert_int_equal(cz_text_check_controls("\xc2\xa0", 2), CZ_OK);        /* NBSP */
    /* The length is honoured. */
    assert_int_equal(cz_text_check_controls("ab\x01", 2), CZ_OK);
}

/* --- normalisation --------------------------------------------------------- */

static void test_normalize_fullwidth(void **state)
{
    char *out = NULL;

    (void)state;
    NORM("ＹＳＷ－００２", "YSW-002");
    /* U+FF0D FULLWIDTH HYPHEN-MINUS alone. */
    NORM("\xef\xbc\x8d", "-");
    NORM("１２３４５６", "123456");
    NORM("ａｂｃ＠ＸＹＺ", "abc@XYZ");
    NORM("王　小明", "王 小明");                       /* U+3000 inside */
    /* NFKC also maps full-width punctuation, Chinese text included. */
    NORM("张三（户主）", "张三(户主)");
    NORM("㎡", "m2");
    NORM("①", "1");
    /* ...but not these: U+2212 MINUS SIGN and U+2014 EM DASH stay. */
    NORM("\xe2\x88\x92" "5", "\xe2\x88\x92" "5");
    NORM("\xe2\x80\x94", "\xe2\x80\x94");
    /* Ideographic full stop and enumeration comma are not compatibility
     * characters. */
    NORM("好。是、", "好。是、");
    /* Decomposed input comes out composed. */
    NORM("e\xcc\x81", "\xc3\xa9");
    /* Empty and all-space inputs give "". */
    assert_int_equal(cz_text_normalize("", 0, &out), CZ_OK);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(cz_text_normalize(NULL, 0, &out), CZ_OK);
    assert_string_equal(out, "");
    free(out);
    NORM("   ", "");
    NORM("\xe3\x80\x80\xe3\x80\x80", "");
    NORM("\n\t \r\n", "");
}

/* Prose is kept as typed (cz_text_prose): only NFC, trimming and, on one
 * line, runs of white space.  The same inputs through cz_text_normalize
 * fold, which is right for codes and wrong for a sentence. */
static void prose_eq(int one_line, const char *s, const char *want)
{
    char *out = NULL, *again = NULL;
    assert_int_equal(cz_text_prose(s, strlen(s), one_line, &out), CZ_OK);
    assert_string_equal(out, want);
    /* Stored as the codec asks (NFC, no refused control), and a fixed point. */
    assert_true(cz_text_is_nfc(out, strlen(out)));
    assert_int_equal(cz_text_check_controls(out, strlen(out)), CZ_OK);
    assert_int_equal(cz_text_prose(out, strlen(out), one_line, &again), CZ_OK);
    assert_string_equal(again, out);
    free(out);
    free(again);
}

static void test_prose_kept(void **state)
{
    (void)state;
    /* Chinese punctuation stays full-width: ，U+FF0C ；U+FF1B ：U+FF1A （）U+FF08/9 */
    prose_eq(1, "南坞镇，杨树湾村：3组；东头（老宅）", "南坞镇，杨树湾村：3组；东头（老宅）");
    NORM_LINE("南坞镇，杨树湾村：3组；东头（老宅）", "南坞镇,杨树湾村:3组;东头(老宅)");
    /* Full-width digits and letters in prose are what was typed, too. */
    prose_eq(1, "第１２组ＡＢ", "第１２组ＡＢ");
    NORM_LINE("第１２组ＡＢ", "第12组AB");
    /* NFC still composes, and white space is still trimmed; one line
     * joins lines, several keep them. */
    prose_eq(1, "  e\xcc\x81，好  ", "\xc3\xa9，好");
    prose_eq(1, "一行，\n二行：", "一行， 二行：");
    prose_eq(0, "一行，\r\n二行：\t说明", "一行，\n二行：\t说明");
    prose_eq(0, "\xe3\x80\x80备注：无\xe3\x80\x80", "备注：无");
    /* Controls are refused as for codes. */
    char *out = (char *)0x1;
    assert_int_equal(cz_text_prose("a\x01", 2, 1, &out), CZ_ECONTROL);
    assert_null(out);
    assert_int_equal(cz_text_prose("\xff", 1, 0, &out), CZ_EUTF8);
    /* A folded text is NFC: what an earlier build stored folded verifies. */
    assert_true(cz_text_is_nfc("南坞镇,杨树湾村:3组;东头(老宅)", strlen("南坞镇,杨树湾村:3组;东头(老宅)")));
    assert_true(cz_text_is_nfc("南坞镇，杨树湾村：3组；东头（老宅）", strlen("南坞镇，杨树湾村：3组；东头（老宅）")));
}

static void test_normalize_trim(void **state)
{
    (void)state;
    NORM("  abc  ", "abc");
    NORM("\xe3\x80\x80" "李四" "\xe3\x80\x80", "李四");             /* U+3000 */
    NORM("\xc2\xa0x\xc2\xa0", "x");                                 /* NBSP */
    NORM("\xe2\x80\x83x\xe2\x80\xaf", "x");                         /* em space, NNBSP */
    NORM("\xe1\x9a\x80x\xe1\x9a\x80", "x");                         /* U+1680 ogham */
    NORM("\xe2\x80\xa8x\xe2\x80\xa9", "x");                         /* LS, PS */
    NORM("\t\nx\n\t", "x");
    /* Zero-width space is not White_Space, so it is not trimmed. */
    NORM("\xe2\x80\x8bx", "\xe2\x80\x8bx");
    /* Internal white space is kept as typed in multi-line text. */
    NORM(" a  b\t c ", "a  b\t c");
}

static void test_normalize_newlines(void **state)
{
    (void)state;
    NORM("a\r\nb", "a\nb");
    NORM("a\rb", "a\nb");
    NORM("a\r\r\nb", "a\n\nb");
    NORM("a\n\rb", "a\n\nb");
    NORM("line1\r\nline2\r\n", "line1\nline2");
    NORM("\r\n\r\nx", "x");
    NORM("a\n\nb", "a\n\nb");
}

static void test_normalize_refused(void **state)
{
    (void)state;
    NORM_FAIL("\xc0\xaf", CZ_EUTF8);                /* overlong '/' */
    NORM_FAIL("ab\xed\xa0\x80", CZ_EUTF8);          /* surrogate */
    NORM_FAIL("\xe4\xb8", CZ_EUTF8);                /* truncated */
    NORM_FAIL("\xff", CZ_EUTF8);
    NORM_FAIL("a\x01" "b", CZ_ECONTROL);
    NORM_FAIL("a\0b", CZ_ECONTROL);
    NORM_FAIL("a\x1b[2Jb", CZ_ECONTROL);
    NORM_FAIL("a\x7f", CZ_ECONTROL);
    NORM_FAIL("a\xc2\x9b", CZ_ECONTROL);            /* C1 CSI */
    /* Controls that are White_Space are still controls: refused, not
     * trimmed. */
    NORM_FAIL("a\v", CZ_ECONTROL);
    NORM_FAIL("\fa", CZ_ECONTROL);
    NORM_FAIL("a\xc2\x85", CZ_ECONTROL);            /* NEL */
    LINE_FAIL("a\x01", CZ_ECONTROL);
    LINE_FAIL("\xe0\x80\x80", CZ_EUTF8);
    assert_int_equal(cz_text_normalize("x", 1, NULL), CZ_EINVAL);
}

static void test_normalize_line(void **state)
{
    (void)state;
    NORM_LINE("  Wang   Li  ", "Wang Li");
    NORM_LINE("a\tb", "a b");
    NORM_LINE("a\r\nb", "a b");
    NORM_LINE("a\rb", "a b");
    NORM_LINE("a \n\t\xe3\x80\x80 b", "a b");
    NORM_LINE("王\xe3\x80\x80\xe3\x80\x80小明", "王 小明");
    NORM_LINE("ＹＳＷ－００２\xe3\x80\x80", "YSW-002");
    NORM_LINE("\xe3\x80\x80", "");
    NORM_LINE("a\xe2\x80\xa8" "b", "a b");
    NORM_LINE("a  b  c", "a b c");
}

/* --- folding ---------------------------------------------------------------- */

static void test_fold(void **state)
{
    char *a = NULL, *b = NULL;

    (void)state;
    fold_eq("Ｗang  Li", "wangli");
    fold_eq("wangli", "wangli");
    fold_eq("WANG\xe3\x80\x80LI", "wangli");
    fold_eq("ＹＳＷ－００２", "ysw-002");
    fold_eq("Straße", "strasse");
    fold_eq("张 三", "张三");
    fold_eq("\t a\nb \r", "ab");
    fold_eq("", "");
    /* Removing the space NFKC puts in U+00B4 joins the accent to the letter
     * before it; the result is still a fixed point. */
    fold_eq("e \xc2\xb4", "\xc3\xa9");

    assert_int_equal(cz_text_fold("Ｗang Li", strlen("Ｗang Li"), &a), CZ_OK);
    assert_int_equal(cz_text_fold("wangli", 6, &b), CZ_OK);
    assert_string_equal(a, b);
    free(a);
    free(b);

    a = (char *)0x1;
    assert_int_equal(cz_text_fold("\xc3\x28", 2, &a), CZ_EUTF8);
    assert_null(a);
    assert_int_equal(cz_text_fold("\xed\xb0\x80", 3, &a), CZ_EUTF8);
}

/* Text made only of ASCII and CJK ideographs skips utf8proc inside
 * normalize, fold and is_nfc: for every such character and its neighbours,
 * alone, between letters and before a combining mark (which must still go
 * through utf8proc and may compose), the results are utf8proc's own. */
static void test_fast_path_matches_utf8proc(void **state)
{
    /* the fast ranges and their neighbours (ideographic space, kana,
     * compatibility ideographs, full-width forms), which must not be taken
     * for them */
    static const utf8proc_int32_t ranges[][2] = { { 0x21, 0x7e }, { 0xa0, 0x17f }, { 0x2e80, 0xa4ff },
                                                  { 0xf900, 0xfaff }, { 0xff00, 0xffef } };
    (void)state;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (utf8proc_int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            utf8proc_int32_t seqs[3][3] = { { cp }, { 'A', cp, 'z' }, { cp, 0x301 } };
            size_t lens[3] = { 1, 3, 2 };
            for (size_t q = 0; q < 3; q++) {
                char in[16];
                size_t n = 0;
                for (size_t i = 0; i < lens[q]; i++)
                    n += (size_t)utf8proc_encode_char(seqs[q][i], (utf8proc_uint8_t *)in + n);
                in[n] = 0;
                utf8proc_uint8_t *want_norm = NULL, *want_fold = NULL;
                assert_true(utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &want_norm,
                                         UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT) >= 0);
                assert_true(utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &want_fold,
                                         UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                             UTF8PROC_CASEFOLD) >= 0);
                /* normalize trims and collapses white space and fold drops
                 * it: compare where there is none, before or after NFKC */
                utf8proc_category_t cat = utf8proc_category(cp);
                int spaced = cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                             cat == UTF8PROC_CATEGORY_ZP || strchr((const char *)want_norm, ' ');
                char *got = NULL;
                assert_int_equal(cz_text_normalize_line(in, n, &got), CZ_OK);
                if (!spaced && strcmp(got, (const char *)want_norm))
                    fail_msg("normalize U+%04X seq %zu: %s, utf8proc %s", (unsigned)cp, q, got, want_norm);
                free(got);
                got = NULL;
                if (!spaced) {
                    assert_int_equal(cz_text_fold(in, n, &got), CZ_OK);
                    if (strcmp(got, (const char *)want_fold))
                        fail_msg("fold U+%04X seq %zu: %s, utf8proc %s", (unsigned)cp, q, got, want_fold);
                    free(got);
                }
                utf8proc_uint8_t *nfc = NULL;
                assert_true(utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)n, &nfc,
                                         UTF8PROC_STABLE | UTF8PROC_COMPOSE) >= 0);
                if (!cz_text_is_nfc(in, n) != !!strcmp((const char *)nfc, in))
                    fail_msg("is_nfc U+%04X seq %zu", (unsigned)cp, q);
                free(nfc);
                free(want_norm);
                free(want_fold);
            }
        }
    /* mixed with what must go through utf8proc: still normalized */
    char *got = NULL;
    assert_int_equal(cz_text_normalize_line("王Ａ1", strlen("王Ａ1"), &got), CZ_OK);
    assert_string_equal(got, "王A1");
    free(got);
    assert_int_equal(cz_text_fold("王E\xcc\x81", strlen("王E\xcc\x81"), &got), CZ_OK);
    assert_string_equal(got, "王\xc3\xa9");
    free(got);
}

/* --- widths ----------------------------------------------------------------- */

/* cz_text_width of s (len bytes) in budget columns: bytes taken, columns
 * used, trimmed or not. */
struct width_case { const char *what, *s; size_t len, budget, bytes, cols; int trimmed; };
/* cz_text_cols of s (len bytes). */
struct cols_case { const char *what, *s; size_t len, cols; };

static void expect_widths(const struct width_case *c, size_t n, const struct cols_case *k, size_t nk)
{
    for (size_t i = 0; i < n; i++) {
        size_t cols = 99;
        int trimmed = 99;
        tk_assert_int(c[i].what, cz_text_width(c[i].s, c[i].len, c[i].budget, &cols, &trimmed), c[i].bytes);
        tk_assert_int(c[i].what, cols, c[i].cols);
        tk_assert_int(c[i].what, trimmed, c[i].trimmed);
    }
    for (size_t i = 0; i < nk; i++) tk_assert_int(k[i].what, cz_text_cols(k[i].s, k[i].len), k[i].cols);
}
#define EXPECT_WIDTHS(c, k) expect_widths(c, sizeof c / sizeof c[0], k, sizeof k / sizeof k[0])

static void test_width_ascii(void **state)
{
    static const struct width_case c[] = {
        { "room to spare", "hello", 5, 10, 5, 5, 0 },
        { "exactly", "hello", 5, 5, 5, 5, 0 },
        { "cut", "hello", 5, 3, 3, 3, 1 },
        { "no columns", "hello", 5, 0, 0, 0, 1 },
        { "empty", "", 0, 0, 0, 0, 0 },
    };
    static const struct cols_case k[] = { { "hello", "hello", 5, 5 } };

    (void)state;
    EXPECT_WIDTHS(c, k);
    /* Out-pointers may be NULL. */
    assert_int_equal(cz_text_width("hello", 5, 2, NULL, NULL), 2);
    assert_int_equal(cz_text_width(NULL, 0, 2, NULL, NULL), 0);
}

static void test_width_cjk(void **state)
{
    /* "村站ab中" = 3+3+1+1+3 bytes, 2+2+1+1+2 columns. */
#define S "村站ab中"
    static const struct width_case c[] = {
        { "all of it", S, 11, 8, 11, 8, 0 },
        /* Budget ends in the middle of the first wide char: nothing fits. */
        { "middle of the first wide char", S, 11, 1, 0, 0, 1 },
        { "the first wide char", S, 11, 2, 3, 2, 1 },
        { "middle of the second wide char", S, 11, 3, 3, 2, 1 },
        { "up to b", S, 11, 5, 7, 5, 1 },
        { "middle of the last wide char", S, 11, 7, 8, 6, 1 },
        /* A wide char that does not fit stops the walk: later narrow ones
         * are not taken either. */
        { "a wide char stops the walk", "a中b", 5, 2, 1, 1, 1 },
    };
    static const struct cols_case k[] = {
        { "村站ab中", S, 11, 8 },
        /* Full-width Latin and the ideographic space are wide, too. */
        { "full-width Latin", "ＹＳＷ", 9, 6 },
        { "ideographic space", "\xe3\x80\x80", 3, 2 },
        /* CJK Extension B (4-byte UTF-8) is wide. */
        { "Extension B", "\xf0\xa0\x80\x80", 4, 2 },
        /* Ambiguous-width punctuation counts as narrow (utf8proc's choice). */
        { "ambiguous “", "\xe2\x80\x9c", 3, 1 },
        { "。", "。", 3, 2 },
    };
#undef S

    (void)state;
    EXPECT_WIDTHS(c, k);
}

static void test_width_combining_controls_invalid(void **state)
{
    static const struct width_case c[] = {
        /* e + COMBINING ACUTE is one column; the mark travels with its base
         * even when the budget is exactly used up. */
        { "mark with its base", "e\xcc\x81x", 4, 1, 3, 1, 1 },
        /* Invalid bytes: one column per byte, never swallowing a good char. */
        { "bad byte, then wide", "\xff中", 4, 2, 1, 1, 1 },
        { "surrogate bytes", "\xed\xa0\x80", 3, 2, 2, 2, 1 },
        /* A character cut off by len is invalid bytes, not a wide char. */
        { "wide char cut by len", "中", 2, 10, 2, 2, 0 },
    };
    static const struct cols_case k[] = {
        { "e + combining acute", "e\xcc\x81", 3, 1 },
        /* Controls count as one column each (drawn as U+FFFD). */
        { "tab and newline", "a\tb\n", 4, 4 },
        { "DEL and NEL", "\x7f\xc2\x85", 3, 2 },
        { "NUL", "\0", 1, 1 },
        { "0xff", "\xff", 1, 1 },
        { "cut char, then a", "\xe4\xb8" "a", 3, 3 },
    };

    (void)state;
    EXPECT_WIDTHS(c, k);
}

static void test_width_never_splits(void **state)
{
    const char *s = "王a\xcc\x81小明 Li 𠀀é村\xff站";
    size_t len = strlen(s), budget, prev_bytes = 0, total = cz_text_cols(s, len);

    (void)state;
    for (budget = 0; budget <= total + 2; budget++) {
        size_t cols = 0;
        int trimmed = 0;
        size_t n = cz_text_width(s, len, budget, &cols, &trimmed);

        assert_true(cols <= budget);
        assert_true(n >= prev_bytes);
        assert_int_equal(trimmed, n < len);
        /* Never ends inside a character (except on the deliberately bad
         * byte, which is a character of its own). */
        assert_true(n == len || ((unsigned char)s[n] & 0xc0) != 0x80);
        assert_true(cz_utf8_valid(s, n) || n > (size_t)(strchr(s, '\xff') - s));
        assert_int_equal(cz_text_cols(s, n), cols);
        prev_bytes = n;
    }
}

/* The one control filter (text.h): what the command line prints of a
 * stick's file names and of names other stations signed. */
static void test_safe(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(cz_text_safe("杨树湾村", out, sizeof out), "杨树湾村");
    assert_string_equal(cz_text_safe("\x1b[2Jx", out, sizeof out), "\xEF\xBF\xBD[2Jx");
    assert_string_equal(cz_text_safe("a\tb\nc", out, sizeof out), "a b c");
    assert_string_equal(cz_text_safe("\xc2\x9b" "1", out, sizeof out), "\xEF\xBF\xBD" "1");   /* C1 CSI */
    /* Bidi: overrides, isolates and the three marks. */
    static const char *bidi[] = { "\xe2\x80\xaa", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa9",
                                  "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c" };
    for (size_t i = 0; i < sizeof bidi / sizeof *bidi; i++) {
        char in[16];
        snprintf(in, sizeof in, "a%sb", bidi[i]);
        assert_string_equal(cz_text_safe(in, out, sizeof out), "a\xEF\xBF\xBD" "b");
    }
    assert_string_equal(cz_text_safe("\xff\xfe", out, sizeof out), "\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(cz_text_safe(NULL, out, sizeof out), "");
    /* Whole characters only. */
    assert_string_equal(cz_text_safe("杨树", out, 5), "杨");
    assert_true(cz_text_cp_control(0x1b) && cz_text_cp_control(0x200f) && !cz_text_cp_control(0x6768));
    /* The codec still takes the marks (stored records may hold them). */
    assert_int_equal(cz_text_check_controls("a\xe2\x80\x8e", 4), CZ_OK);
    assert_int_equal(cz_text_check_controls("a\xe2\x80\xae", 4), CZ_ECONTROL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe),
        cmocka_unit_test(test_utf8_valid_good),
        cmocka_unit_test(test_utf8_valid_bad),
        cmocka_unit_test(test_utf8_valid_exhaustive),
        cmocka_unit_test(test_is_nfc),
        cmocka_unit_test(test_check_controls),
        cmocka_unit_test(test_normalize_fullwidth),
        cmocka_unit_test(test_prose_kept),
        cmocka_unit_test(test_normalize_trim),
        cmocka_unit_test(test_normalize_newlines),
        cmocka_unit_test(test_normalize_refused),
        cmocka_unit_test(test_normalize_line),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fast_path_matches_utf8proc),
        cmocka_unit_test(test_width_ascii),
        cmocka_unit_test(test_width_cjk),
        cmocka_unit_test(test_width_combining_controls_invalid),
        cmocka_unit_test(test_width_never_splits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
