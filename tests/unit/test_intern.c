/* test_intern.c — the set's ordinals (hashset.h): cz_hashset_intern gives
 * each distinct key its first-seen ordinal, new or present; cz_hashset_key
 * reads any key back from its ordinal, across many growths of the table,
 * the arena and the ordinal array; the empty key has an ordinal like any
 * other; cz_hashset_clear empties the set, restarts the ordinals at 0 and
 * leaves it usable, and add/has still agree with intern. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "hashset.h"
#include "status.h"

static cz_hashset *new_set(void)
{
    cz_hashset *s = NULL;
    assert_int_equal(cz_hashset_new(&s), CZ_OK);
    assert_non_null(s);
    return s;
}

/* Key number i of a salt: 9 to 40 bytes, i then the salt first, so keys
 * of distinct (i, salt) differ. */
static size_t make_key(size_t i, unsigned salt, unsigned char *buf)
{
    size_t len = 9 + (i * 7 + salt) % 32;
    uint64_t x = (i + 1) * 0x9E3779B97F4A7C15u ^ salt;
    for (size_t k = 0; k < len; k++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9u;
        buf[k] = (unsigned char)(x >> 56);
    }
    memcpy(buf, &i, sizeof i);
    buf[8] = (unsigned char)salt;
    return len;
}

static void expect_key(const cz_hashset *s, size_t ord, const void *key, size_t len)
{
    size_t got_len = 12345;
    const void *got = cz_hashset_key(s, ord, &got_len);
    assert_int_equal(got_len, len);
    assert_non_null(got);
    if (len) assert_memory_equal(got, key, len);
}

/* Interns key i of the salt: new (1) or there (0), and ordinal i. */
static void expect_intern(cz_hashset *s, size_t i, unsigned salt, int fresh)
{
    unsigned char buf[64];
    size_t ord = (size_t)-1, len = make_key(i, salt, buf);
    assert_int_equal(cz_hashset_intern(s, buf, len, &ord), fresh);
    assert_int_equal(ord, i);
}

/* Keys 0..n-1 of the salt are all there: each reads back from its
 * ordinal, and interning it again answers 0 and the same ordinal. */
static void expect_all(cz_hashset *s, size_t n, unsigned salt)
{
    unsigned char buf[64];
    for (size_t i = 0; i < n; i++) {
        size_t len = make_key(i, salt, buf);
        expect_key(s, i, buf, len);
        assert_int_equal(cz_hashset_has(s, buf, len), 1);
        expect_intern(s, i, salt, 0);
    }
}

static void test_ordinals_first_seen(void **state)
{
    cz_hashset *s = new_set();
    size_t ord = 99;
    char buf[8];
    (void)state;
    assert_int_equal(cz_hashset_intern(s, "zeta", 4, &ord), 1);
    assert_int_equal(ord, 0);
    assert_int_equal(cz_hashset_intern(s, "alpha", 5, &ord), 1);
    assert_int_equal(ord, 1);
    /* Present: 0, and the ordinal it was given. */
    memcpy(buf, "zeta", 4);
    assert_int_equal(cz_hashset_intern(s, buf, 4, &ord), 0);
    assert_int_equal(ord, 0);
    /* A prefix is another key. */
    assert_int_equal(cz_hashset_intern(s, "zet", 3, &ord), 1);
    assert_int_equal(ord, 2);
    /* add and intern share the ordinals. */
    assert_int_equal(cz_hashset_add(s, "mid", 3), 1);
    assert_int_equal(cz_hashset_intern(s, "mid", 3, &ord), 0);
    assert_int_equal(ord, 3);
    assert_int_equal(cz_hashset_intern(s, "alpha", 5, &ord), 0);
    assert_int_equal(ord, 1);
    assert_int_equal(cz_hashset_count(s), 4);
    /* The set's own copy: the caller's buffer changed, the key did not. */
    memcpy(buf, "XXXX", 4);
    expect_key(s, 0, "zeta", 4);
    expect_key(s, 1, "alpha", 5);
    expect_key(s, 2, "zet", 3);
    expect_key(s, 3, "mid", 3);
    cz_hashset_free(s);
}

static void test_empty_key_ordinal(void **state)
{
    cz_hashset *s = new_set();
    size_t ord = 99;
    (void)state;
    /* The empty key first, before the arena holds anything. */
    assert_int_equal(cz_hashset_intern(s, NULL, 0, &ord), 1);
    assert_int_equal(ord, 0);
    expect_key(s, 0, "", 0);
    assert_int_equal(cz_hashset_intern(s, "", 0, &ord), 0);
    assert_int_equal(ord, 0);
    assert_int_equal(cz_hashset_intern(s, "a", 1, &ord), 1);
    assert_int_equal(ord, 1);
    assert_int_equal(cz_hashset_intern(s, NULL, 0, &ord), 0);
    assert_int_equal(ord, 0);
    assert_int_equal(cz_hashset_has(s, "", 0), 1);
    expect_key(s, 0, "", 0);
    expect_key(s, 1, "a", 1);
    assert_int_equal(cz_hashset_count(s), 2);
    cz_hashset_free(s);
}

/* Many keys: table, arena and ordinals grow many times; every key keeps
 * its ordinal and reads back whole. */
static void test_growth_ordinals(void **state)
{
    enum { N = 60000 };
    cz_hashset *s = new_set();
    (void)state;
    for (size_t i = 0; i < N; i++) {
        expect_intern(s, i, 0, 1);
        if (i % 7 == 3) expect_intern(s, i / 2, 0, 0);   /* met before: its old ordinal */
    }
    assert_int_equal(cz_hashset_count(s), N);
    expect_all(s, N, 0);
    cz_hashset_free(s);
}

/* Cleared: nothing held, ordinals from 0 again, keys of before are new,
 * and it grows again past where it was. */
static void test_clear(void **state)
{
    enum { N = 5000 };
    unsigned char buf[64];
    size_t ord;
    cz_hashset *s = new_set();
    (void)state;
    cz_hashset_clear(s);                  /* a new set clears too */
    assert_int_equal(cz_hashset_count(s), 0);
    for (unsigned round = 0; round < 3; round++) {
        size_t n = N * (round + 1);
        for (size_t i = 0; i < n; i++) expect_intern(s, i, round, 1);
        assert_int_equal(cz_hashset_intern(s, "", 0, &ord), 1);
        assert_int_equal(ord, n);
        assert_int_equal(cz_hashset_count(s), n + 1);
        expect_all(s, n, round);
        expect_key(s, n, "", 0);
        for (size_t i = 0; round && i < n; i++)   /* the last round's keys are gone */
            assert_int_equal(cz_hashset_has(s, buf, make_key(i, round - 1, buf)), 0);
        cz_hashset_clear(s);
        assert_int_equal(cz_hashset_count(s), 0);
        assert_int_equal(cz_hashset_has(s, "", 0), 0);
        assert_int_equal(cz_hashset_has(s, buf, make_key(0, round, buf)), 0);
    }
    cz_hashset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinals_first_seen),
        cmocka_unit_test(test_empty_key_ordinal),
        cmocka_unit_test(test_growth_ordinals),
        cmocka_unit_test(test_clear),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
