/* test_pinyin.c — readings, initials and `zh` order (pinyin.h), through
 * the real ICU: surnames read as surnames (单 Shan, 曾 Zeng, 区 Ou), Latin
 * and mixed names, cut buffers, bad UTF-8, names sorted by pinyin and
 * then Latin, and readings made on several threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin.h"
#include "status.h"

static void reads(const char *name, const char *reading, const char *initials)
{
    char r[64], i[64];
    size_t rl, il;
    assert_int_equal(cz_pinyin_read(name, strlen(name), r, sizeof r, &rl, i, sizeof i, &il), CZ_OK);
    assert_string_equal(r, reading);
    assert_string_equal(i, initials);
    assert_int_equal(rl, strlen(reading));
    assert_int_equal(il, strlen(initials));
}

static void test_names(void **state)
{
    reads("王秀英", "wangxiuying", "wxy");
    reads("李秀英", "lixiuying", "lxy");
    reads("何", "he", "h");
}

/* The plain Han-Latin reading would be dan, ceng, qu. */
static void test_surnames(void **state)
{
    reads("单", "shan", "s");
    reads("曾", "zeng", "z");
    reads("区", "ou", "o");
    reads("单雄信", "shanxiongxin", "sxx");
    reads("曾国藩", "zengguofan", "zgf");
    reads("区志", "ouzhi", "oz");
}

/* Latin letters and digits run into words; accents, full width, case and
 * punctuation do not matter. */
static void test_latin(void **state)
{
    reads("Anna Smith", "annasmith", "as");
    reads("李娜 Anna", "linaanna", "lna");
    reads("Zoë", "zoe", "z");
    reads("ＡＢＣ", "abc", "a");
    reads("王2组", "wang2zu", "w2z");
    reads("O'Brien·王", "obrienwang", "obw");
    reads("", "", "");
}

static void test_cut_and_bad(void **state)
{
    char buf[5];
    size_t n;
    assert_int_equal(cz_pinyin_reading("王秀英", strlen("王秀英"), buf, sizeof buf, &n), CZ_OK);
    assert_string_equal(buf, "wang");
    assert_int_equal(n, 4);
    assert_int_equal(cz_pinyin_initials("王秀英", strlen("王秀英"), buf, 3, &n), CZ_OK);
    assert_string_equal(buf, "wx");
    assert_int_equal(cz_pinyin_reading("\xe7\x8e", 2, buf, sizeof buf, &n), CZ_EUTF8);
    assert_int_equal(cz_pinyin_reading("a\xff", 2, buf, sizeof buf, &n), CZ_EUTF8);
}

static int by_key(const void *a, const void *b)
{
    return cz_collate(*(const char *const *)a, *(const char *const *)b);
}

/* Code point order is 何 刘 张 李 杨 王 赵 郭 陈; pinyin order is below. */
static void test_order(void **state)
{
    const char *names[] = { "何", "刘", "张", "李", "杨", "王", "赵", "郭", "陈" };
    static const char *const want[] = { "陈", "郭", "何", "李", "刘", "王", "杨", "张", "赵" };
    qsort(names, 9, sizeof *names, by_key);
    for (size_t i = 0; i < 9; i++) assert_string_equal(names[i], want[i]);
}

/* Whole names; digits first, Latin names after the Chinese ones (among
 * themselves alphabetical, case and accents aside).  The collator orders
 * by the dictionary reading: 曾 as ceng and 单 as dan, where find reads
 * them as surnames (zeng, shan). */
static void test_order_mixed(void **state)
{
    const char *names[] = { "Zhang Wei", "王秀英", "anna", "王芳", "Bob", "曾国藩", "李娜", "阿明", "Émile", "1组" };
    static const char *const want[] = { "1组", "阿明", "曾国藩", "李娜", "王芳", "王秀英", "anna", "Bob", "Émile",
                                        "Zhang Wei" };
    qsort(names, 10, sizeof *names, by_key);
    for (size_t i = 0; i < 10; i++) assert_string_equal(names[i], want[i]);
    /* Keys are NUL-terminated strings: strcmp orders them. */
    char *a, *b;
    assert_int_equal(cz_collate_key("李", strlen("李"), &a), CZ_OK);
    assert_int_equal(cz_collate_key("王", strlen("王"), &b), CZ_OK);
    assert_true(strcmp(a, b) < 0);
    free(a);
    free(b);
    /* Bad UTF-8 still has a key (U+FFFD in place of the bad bytes). */
    assert_int_equal(cz_collate_key("\xff", 1, &a), CZ_OK);
    free(a);
}

/* Readings on several threads at once (the load makes index terms on
 * other threads): each sees the same, whichever thread met a character
 * first. */
static void *reader(void *arg)
{
    static const char *const names[] = { "王秀英", "单雄信", "曾国藩", "区志", "欧阳修", "诸葛亮" };
    static const char *const want[] = { "wangxiuying", "shanxiongxin", "zengguofan", "ouzhi", "ouyangxiu",
                                        "zhugeliang" };
    int *bad = arg;
    for (int k = 0; k < 200; k++)
        for (size_t i = 0; i < 6; i++) {
            char r[64];
            size_t n;
            if (cz_pinyin_reading(names[i], strlen(names[i]), r, sizeof r, &n) || strcmp(r, want[i])) (*bad)++;
        }
    return NULL;
}

static void test_threads(void **state)
{
    pthread_t th[4];
    int bad[4] = { 0 };
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, reader, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

/* Each character goes to ICU once per process; met again (in any name,
 * in any later call) its reading comes from the table, so indexing a
 * large load does not wait on ICU.  ASCII never goes to ICU. */
static void test_cache(void **state)
{
    char r[64];
    size_t rl;
    uint64_t before = cz_pinyin_asked();
    assert_int_equal(cz_pinyin_reading("饕餮饕", strlen("饕餮饕"), r, sizeof r, &rl), CZ_OK);
    assert_string_equal(r, "taotietao");
    assert_int_equal(cz_pinyin_asked(), before + 2);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cz_pinyin_reading("餮饕 Tao", strlen("餮饕 Tao"), r, sizeof r, &rl), CZ_OK);
    assert_string_equal(r, "tietaotao");
    assert_int_equal(cz_pinyin_asked(), before + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),   /* first, while no character is known yet */
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_surnames),
        cmocka_unit_test(test_latin),
        cmocka_unit_test(test_cut_and_bad),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_order_mixed),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
