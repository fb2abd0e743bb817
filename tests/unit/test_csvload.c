/* test_csvload.c — the CSV loader (csvload.h, encoding.h) on files written
 * out here: UTF-8 with and without a byte-order mark, GB18030 (converted
 * by iconv from the UTF-8 text in this file, as Chinese Excel saves it),
 * GB18030 bytes that happen to be valid UTF-8 (陆平), files mixing the two,
 * and each strict refusal with its row and column: cells beyond the
 * header, duplicate headers, a quoted cell cut off, NUL, Excel's numbers
 * in an ID column.  No store: the loader refuses before one is opened. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "encoding.h"
#include "schema.h"
#include "status.h"
#include "testkit.h"

/* s (UTF-8) as GB18030 bytes, in a static buffer; *len its length. */
static const char *gb(const char *s, size_t *len)
{
    static char out[4096];
    char *ip = (char *)s, *op = out;
    size_t inleft = strlen(s), left = sizeof out;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &ip, &inleft, &op, &left) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(op - out);
    return out;
}

static int load(const char *type, const char *data, size_t len, struct cz_csv *c)
{
    return cz_csv_load(cz_schema_type(type), data, len, c);
}

static int load_str(const char *type, const char *s, struct cz_csv *c)
{
    return load(type, s, strlen(s), c);
}

/* The value of field `key` in data row i, or NULL. */
static const char *cell(const struct cz_csv *c, size_t i, const char *key)
{
    for (size_t k = 0; i < c->nrows && k < c->counts[i]; k++)
        if (!strcmp(c->rows[i][k].field, key)) return c->rows[i][k].value;
    return NULL;
}

#define HH_HEAD "户编号,所在村,户主姓名,致贫原因\n"
#define HH_ROWS "A-1,411081106201,王秀英,\"因病,缺技术\"\nA-2,411081106201,欧阳修,因学\n"

/* The same sheet in UTF-8, UTF-8 with a BOM, GB18030 and GB18030 with
 * its BOM: the same cells every time. */
static void test_encodings_read_alike(void **state)
{
    const char *text = HH_HEAD HH_ROWS;
    char buf[4096];
    size_t n;
    const char *g = gb(text, &n);
    struct sheet_case { const char *what; const char *data; size_t len; int enc; } cases[4];
    cases[0] = (struct sheet_case){ "UTF-8", text, strlen(text), CZ_ENC_UTF8 };
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", text);
    cases[1] = (struct sheet_case){ "UTF-8 BOM", buf, strlen(buf), CZ_ENC_UTF8 };
    char *gcopy = malloc(n + 4);
    assert_non_null(gcopy);
    memcpy(gcopy, g, n);
    cases[2] = (struct sheet_case){ "GB18030", gcopy, n, CZ_ENC_GB18030 };
    char *gbom = malloc(n + 4);
    assert_non_null(gbom);
    memcpy(gbom, "\x84\x31\x95\x33", 4);
    memcpy(gbom + 4, g, n);
    cases[3] = (struct sheet_case){ "GB18030 BOM", gbom, n + 4, CZ_ENC_GB18030 };
    for (size_t i = 0; i < 4; i++) {
        struct cz_csv c;
        tk_assert_int(cases[i].what, load("household", cases[i].data, cases[i].len, &c), CZ_OK);
        tk_assert_int(cases[i].what, c.enc, cases[i].enc);
        tk_assert_int(cases[i].what, c.nrows, 2);
        tk_assert_str(cases[i].what, cell(&c, 0, "head"), "王秀英");
        tk_assert_str(cases[i].what, cell(&c, 0, "causes"), "因病,缺技术");
        tk_assert_str(cases[i].what, cell(&c, 1, "head"), "欧阳修");
        tk_assert_int(cases[i].what, c.line_of[1], 3);
        cz_csv_free(&c);
    }
    free(gcopy);
    free(gbom);
}

/* 陆平 in GB18030 is C2 BD C6 BD, valid UTF-8 for "½ƽ": read as GB18030,
 * because that reading is Chinese and the other is not.  Valid UTF-8
 * Chinese stays UTF-8. */
static void test_gb18030_that_is_valid_utf8(void **state)
{
    struct cz_csv c;
    const char *data = "number,village,head\nL-1,411081106201,\xC2\xBD\xC6\xBD\n";
    long su, sg;
    assert_int_equal(cz_enc_score(CZ_ENC_UTF8, "\xC2\xBD\xC6\xBD", 4, &su), CZ_OK);
    assert_int_equal(cz_enc_score(CZ_ENC_GB18030, "\xC2\xBD\xC6\xBD", 4, &sg), CZ_OK);
    assert_true(sg > su);
    assert_int_equal(load_str("household", data, &c), CZ_OK);
    assert_int_equal(c.enc, CZ_ENC_GB18030);
    assert_string_equal(cell(&c, 0, "head"), "陆平");
    cz_csv_free(&c);
    assert_int_equal(load_str("household", "number,village,head\nL-1,411081106201,陆平\n", &c), CZ_OK);
    assert_int_equal(c.enc, CZ_ENC_UTF8);
    assert_string_equal(cell(&c, 0, "head"), "陆平");
    cz_csv_free(&c);
    /* A UTF-8 ½ is GB18030's 陆: one character either way decides nothing,
     * and follows the rest of the file. */
    assert_int_equal(load_str("household", "number,village,head,notes\nL-1,411081106201,王秀英,½ 亩\n", &c), CZ_OK);
    assert_int_equal(c.enc, CZ_ENC_UTF8);
    assert_string_equal(cell(&c, 0, "notes"), "½ 亩");
    cz_csv_free(&c);
}

/* A UTF-8 file with one row in GBK is refused, naming that row; so is a
 * GB18030 file with one UTF-8 row, and a UTF-8 file (with a BOM) holding
 * 陆平's GB18030 bytes.  Rows in ASCII count for neither. */
static void test_mixed_encodings(void **state)
{
    struct cz_csv c;
    char buf[4096];
    size_t n;
    const char *g = gb("A-3,411081106201,张三丰,因病\n", &n);
    int len = snprintf(buf, sizeof buf, "%s%s", HH_HEAD, HH_ROWS);
    memcpy(buf + len, g, n);
    len += (int)n;
    len += snprintf(buf + len, sizeof buf - (size_t)len, "A-4,411081106201,李四,因残\nA-5,411081106201,Wang,\n");
    assert_int_equal(load("household", buf, (size_t)len, &c), CZ_EMIXENC);
    assert_int_equal(c.bad_line, 4);
    assert_int_equal(c.enc, CZ_ENC_UTF8);
    assert_int_equal(c.bad_enc, CZ_ENC_GB18030);
    assert_int_equal(c.nbad, 1);
    cz_csv_free(&c);

    /* The other way round: GB18030 with one UTF-8 row (line 3). */
    g = gb(HH_HEAD "A-1,411081106201,王秀英,因病\n", &n);
    memcpy(buf, g, n);
    len = (int)n + snprintf(buf + n, sizeof buf - n, "A-2,411081106201,欧阳修,因学\n");
    g = gb("A-3,411081106201,张三丰,因病\n", &n);
    memcpy(buf + len, g, n);
    len += (int)n;
    assert_int_equal(load("household", buf, (size_t)len, &c), CZ_EMIXENC);
    assert_int_equal(c.bad_line, 3);
    assert_int_equal(c.enc, CZ_ENC_GB18030);
    assert_int_equal(c.bad_enc, CZ_ENC_UTF8);
    cz_csv_free(&c);

    /* A byte-order mark says UTF-8: 陆平's GB18030 bytes on line 2 are not. */
    assert_int_equal(load_str("household", "\xEF\xBB\xBFnumber,village,head\nL-1,411081106201,\xC2\xBD\xC6\xBD\n", &c),
                     CZ_EMIXENC);
    assert_int_equal(c.bad_line, 2);
    cz_csv_free(&c);

    /* Neither encoding at all: \xFF is no byte of either. */
    assert_int_equal(load_str("household", "number,village,head\nL-1,411081106201,ok\nL-2,1,\xFF\xFF\n", &c), CZ_EUTF8);
    assert_int_equal(c.bad_line, 3);
    cz_csv_free(&c);
}

/* A list in one cell without quotes spills into cells beyond the header:
 * refused, naming the row and the column; Excel's empty trailing cells
 * (and spaces) are not. */
static void test_cells_beyond_header(void **state)
{
    struct cz_csv c;
    assert_int_equal(load_str("household", HH_HEAD "A-1,411081106201,王秀英,因病\nA-2,411081106201,李四,因病,因残\n"
                                           "A-3,411081106201,赵六,因病,因学\n", &c),
                     CZ_ECSVCELLS);
    assert_int_equal(c.bad_line, 3);
    assert_int_equal(c.bad_col, 5);
    assert_string_equal(c.bad_value, "因残");
    assert_int_equal(c.nbad, 2);
    assert_int_equal(c.nrows, 0);
    cz_csv_free(&c);
    assert_int_equal(load_str("household", HH_HEAD "A-1,411081106201,王秀英,因病,,, \r\nA-2,411081106201,李四,因残,,\r\n", &c),
                     CZ_OK);
    assert_int_equal(c.nrows, 2);
    assert_string_equal(cell(&c, 1, "causes"), "因残");
    cz_csv_free(&c);
}

/* Two header cells naming one field (by key and by label) are refused:
 * the last would have won without a word. */
static void test_duplicate_headers(void **state)
{
    struct cz_csv c;
    assert_int_equal(load_str("household", "number,village,head,户主姓名\nA-1,411081106201,王秀英,李四\n", &c),
                     CZ_ECSVHEADER);
    assert_int_equal(c.bad_line, 1);
    assert_int_equal(c.bad_col, 4);
    assert_int_equal(c.bad_col2, 3);
    assert_string_equal(c.bad_column, "户主姓名");
    cz_csv_free(&c);
    /* Blank header cells are ignored columns, however many. */
    assert_int_equal(load_str("household", "number,,village,,head\nA-1,x,411081106201,y,王秀英\n", &c), CZ_OK);
    cz_csv_free(&c);
}

/* A file cut inside a quoted cell, and text after a closing quote. */
static void test_quotes(void **state)
{
    struct cz_csv c;
    assert_int_equal(load_str("household", HH_HEAD "A-1,411081106201,王秀英,\"因病\nA-2,411081106201,李四,因学\n", &c),
                     CZ_ECSVQUOTE);
    assert_int_equal(c.bad_line, 2);
    assert_int_equal(c.bad_col, 4);
    cz_csv_free(&c);
    assert_int_equal(load_str("household", HH_HEAD "A-1,411081106201,\"王\"秀英,因病\n", &c), CZ_ECSVQUOTE);
    assert_int_equal(c.bad_line, 2);
    assert_int_equal(c.bad_col, 3);
    cz_csv_free(&c);
    /* Doubled quotes, a line end inside quotes, CR line ends (Excel for Mac),
     * and a blank line: rows keep their numbers. */
    assert_int_equal(load_str("household", "number,village,head,notes\r\r\"A-1\",411081106201,王秀英,\"说\"\"好\"\"\n二行\"\rA-2,411081106201,李四,\r", &c),
                     CZ_OK);
    assert_int_equal(c.nrows, 2);
    assert_string_equal(cell(&c, 0, "number"), "A-1");
    assert_string_equal(cell(&c, 0, "notes"), "说\"好\"\n二行");
    assert_int_equal(c.line_of[0], 3);
    assert_int_equal(c.line_of[1], 4);
    cz_csv_free(&c);
}

/* NUL cut a cell short before; now it refuses the file, named where it is.
 * A UTF-16 file (Excel's "Unicode Text") is full of them. */
static void test_nul(void **state)
{
    struct cz_csv c;
    static const char data[] = "number,village,head\nA-1,411081106201,王\0秀英\n";
    assert_int_equal(load("household", data, sizeof data - 1, &c), CZ_ECSVNUL);
    assert_int_equal(c.bad_line, 2);
    assert_int_equal(c.bad_col, 3);
    cz_csv_free(&c);
    static const char utf16[] = "\xFF\xFEn\0u\0m\0b\0e\0r\0\n\0";
    assert_int_equal(load("household", utf16, sizeof utf16 - 1, &c), CZ_ECSVNUL);
    assert_int_equal(c.bad_line, 1);
    cz_csv_free(&c);
    static const char quoted[] = "number,village,head\n\"A\0\",1,2\n";
    assert_int_equal(load("household", quoted, sizeof quoted - 1, &c), CZ_ECSVNUL);
    cz_csv_free(&c);
}

/* An ID number Excel took for a number: in scientific notation, or with
 * the digits after the 15th made 0 (the check character then fails).
 * A real ID number ending in 000 whose check holds is kept. */
static void test_excel_numbers(void **state)
{
    static const struct { const char *cell; int want; } cases[] = {
        { "4.11024E+17", CZ_EEXCELNUM },
        { "4.11024199001e17", CZ_EEXCELNUM },
        { "4.11024199001011E+17", CZ_EEXCELNUM },
        { "411024199001012000", CZ_EEXCELNUM },  /* the check would be 3 */
        { "411024199001011000", CZ_OK },         /* a real one: its check is 0 */
        { "41102419900101123X", CZ_OK },         /* a wrong check: the schema says so, not Excel */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cz_csv c;
        char data[256];
        snprintf(data, sizeof data, "household,name,身份证号\nabc123,王秀英,411024199001011238\nabc123,李四,%s\n",
                 cases[i].cell);
        tk_assert_int(cases[i].cell, load_str("member", data, &c), cases[i].want);
        if (cases[i].want) {
            tk_assert_int(cases[i].cell, c.bad_line, 3);
            tk_assert_int(cases[i].cell, c.bad_col, 3);
            tk_assert_str(cases[i].cell, c.bad_value, cases[i].cell);
            tk_assert_str(cases[i].cell, c.bad_column, "身份证号");
        }
        cz_csv_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodings_read_alike),
        cmocka_unit_test(test_gb18030_that_is_valid_utf8),
        cmocka_unit_test(test_mixed_encodings),
        cmocka_unit_test(test_cells_beyond_header),
        cmocka_unit_test(test_duplicate_headers),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_excel_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
