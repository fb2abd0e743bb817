/* test_grow.c — the one checked array growth (grow.h): room doubles from 16
 * or jumps to what is asked, what the array held is kept, enough room is
 * left alone, and a size that does not fit in a size_t (need * elem) is
 * refused with CZ_ENOMEM before anything is allocated, the array and its
 * room untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "status.h"

static void test_growth(void **state)
{
    int *v = NULL;
    size_t cap = 0;
    (void)state;
    /* The first room is 16, then doubles. */
    assert_int_equal(cz_grow(&v, &cap, 1, sizeof *v), CZ_OK);
    assert_non_null(v);
    assert_int_equal(cap, 16);
    assert_int_equal(cz_grow(&v, &cap, 17, sizeof *v), CZ_OK);
    assert_int_equal(cap, 32);
    /* Asking for far more jumps past the doubling. */
    assert_int_equal(cz_grow(&v, &cap, 1000, sizeof *v), CZ_OK);
    assert_true(cap >= 1000);
    /* Enough room already: nothing moves. */
    int *before = v;
    size_t had = cap;
    assert_int_equal(cz_grow(&v, &cap, 10, sizeof *v), CZ_OK);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, had);
    /* A zero element size is a caller's mistake, not a request for nothing. */
    assert_int_equal(cz_grow(&v, &cap, had + 1, 0), CZ_EINVAL);
    assert_int_equal(cap, had);
    free(v);
}

static void test_keeps_contents(void **state)
{
    uint64_t *v = NULL;
    size_t cap = 0, n = 0;
    (void)state;
    /* Appending one at a time, the way callers use it, across many moves. */
    for (uint64_t i = 0; i < 5000; i++) {
        assert_int_equal(cz_grow(&v, &cap, n + 1, sizeof *v), CZ_OK);
        assert_true(cap >= n + 1);
        v[n++] = i * 2654435761u;
    }
    for (uint64_t i = 0; i < 5000; i++) assert_true(v[i] == i * 2654435761u);
    free(v);
}

static void test_overflow_refused(void **state)
{
    char *v = NULL;
    size_t cap = 0;
    (void)state;
    assert_int_equal(cz_grow(&v, &cap, 8, 1), CZ_OK);
    memcpy(v, "cunzhan", 8);
    char *before = v;
    size_t had = cap;
    /* need * elem wraps: a hostile count must not become a small buffer. */
    assert_int_equal(cz_grow(&v, &cap, SIZE_MAX / 2 + 2, 2), CZ_ENOMEM);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, had);
    assert_string_equal(v, "cunzhan");
    assert_int_equal(cz_grow(&v, &cap, SIZE_MAX, 16), CZ_ENOMEM);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, had);
    /* A struct-sized element just past the limit. */
    assert_int_equal(cz_grow(&v, &cap, SIZE_MAX / 24 + 1, 24), CZ_ENOMEM);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, had);
    assert_string_equal(v, "cunzhan");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_keeps_contents),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
