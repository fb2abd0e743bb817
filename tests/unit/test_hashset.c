/* test_hashset.c — the set of byte strings (hashset.h): adds and
 * duplicates, the empty key, keys that are prefixes of others or differ
 * only after a NUL, a key longer than the arena's first room, growth over
 * many keys of many lengths and over random fixed-length ids, the caller's
 * buffer reused after an add, and running out of memory (a child process
 * under RLIMIT_AS) leaving the set whole and usable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hashset.h"
#include "status.h"

#define ID_BYTES 16

static cz_hashset *new_set(void)
{
    cz_hashset *s = NULL;
    assert_int_equal(cz_hashset_new(&s), CZ_OK);
    assert_non_null(s);
    return s;
}

/* Key number i: 8 to 40 bytes, i itself first, so no key is another's
 * prefix and keys past those added are new. */
static size_t make_key(size_t i, unsigned char *buf)
{
    size_t len = 8 + i % 33;
    uint64_t x = i * 0x9E3779B97F4A7C15u + 1;
    for (size_t k = 0; k < len; k++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9u;
        buf[k] = (unsigned char)(x >> 56);
    }
    memcpy(buf, &i, sizeof i);
    return len;
}

static void test_empty_set(void **state)
{
    cz_hashset *s = new_set();
    (void)state;
    assert_int_equal(cz_hashset_count(s), 0);
    assert_int_equal(cz_hashset_has(s, "", 0), 0);
    assert_int_equal(cz_hashset_has(s, NULL, 0), 0);
    assert_int_equal(cz_hashset_has(s, "a", 1), 0);
    cz_hashset_free(s);
    cz_hashset_free(NULL);
}

static void test_add_and_duplicate(void **state)
{
    cz_hashset *s = new_set();
    char buf[16];
    (void)state;
    assert_int_equal(cz_hashset_add(s, "YSW-2016-01", 11), 1);
    assert_int_equal(cz_hashset_has(s, "YSW-2016-01", 11), 1);
    /* The same bytes from another buffer are the same key. */
    memcpy(buf, "YSW-2016-01", 11);
    assert_int_equal(cz_hashset_add(s, buf, 11), 0);
    assert_int_equal(cz_hashset_count(s), 1);
    /* The set keeps its own copy: the caller's buffer may change. */
    memcpy(buf, "YSW-2016-02", 11);
    assert_int_equal(cz_hashset_has(s, "YSW-2016-01", 11), 1);
    assert_int_equal(cz_hashset_has(s, buf, 11), 0);
    assert_int_equal(cz_hashset_add(s, buf, 11), 1);
    assert_int_equal(cz_hashset_add(s, "YSW-2016-01", 11), 0);
    assert_int_equal(cz_hashset_count(s), 2);
    cz_hashset_free(s);
}

/* A script of calls on one set: add or has of a key, each with the
 * answer wanted, or the count wanted. */
struct step { char op; const char *key; size_t len; int want; };

static void run_steps(const struct step *st, size_t n)
{
    cz_hashset *s = new_set();
    for (size_t i = 0; i < n; i++) {
        int got = st[i].op == 'a' ? cz_hashset_add(s, st[i].key, st[i].len)
                : st[i].op == 'h' ? cz_hashset_has(s, st[i].key, st[i].len)
                : (int)cz_hashset_count(s);
        if (got != st[i].want) fail_msg("step %zu (%c, %zu bytes): %d, wanted %d", i, st[i].op, st[i].len, got, st[i].want);
    }
    cz_hashset_free(s);
}

static void test_empty_key(void **state)
{
    static const struct step st[] = {
        { 'a', NULL, 0, 1 },
        { 'a', "", 0, 0 },
        { 'a', "x", 0, 0 },
        { 'h', NULL, 0, 1 },
        { 'h', "", 1, 0 },           /* one NUL byte is not empty */
        { 'a', "", 1, 1 },
        { 'n', NULL, 0, 2 },
    };
    (void)state;
    run_steps(st, sizeof st / sizeof st[0]);
}

/* Keys that share their first bytes, or differ only past a NUL, are
 * different keys: the length and every byte count. */
static void test_prefixes(void **state)
{
    static const struct step st[] = {
        /* an ID number, and the same one digit shorter and one longer */
        { 'a', "411024198001010046", 18, 1 }, { 'h', "41102419800101004", 17, 0 },
        { 'h', "4110241980010100461", 19, 0 }, { 'a', "41102419800101004", 17, 1 },
        { 'a', "4", 1, 1 }, { 'h', "411024198001010046", 18, 1 },
        /* the bytes past a NUL count */
        { 'a', "a\0b", 3, 1 }, { 'a', "a\0c", 3, 1 }, { 'a', "a\0", 2, 1 },
        { 'a', "a", 1, 1 }, { 'a', "a\0b", 3, 0 }, { 'h', "a\0", 2, 1 },
        { 'n', NULL, 0, 7 },
    };
    (void)state;
    run_steps(st, sizeof st / sizeof st[0]);
}

/* A key longer than all the arena held so far, between small ones. */
static void test_long_key(void **state)
{
    cz_hashset *s = new_set();
    size_t n = 1 << 20;
    unsigned char *big = malloc(n);
    (void)state;
    assert_non_null(big);
    memset(big, 'k', n);
    assert_int_equal(cz_hashset_add(s, "first", 5), 1);
    assert_int_equal(cz_hashset_add(s, big, n), 1);
    assert_int_equal(cz_hashset_add(s, "last", 4), 1);
    assert_int_equal(cz_hashset_has(s, big, n - 1), 0);
    big[n - 1] = 'j';
    assert_int_equal(cz_hashset_has(s, big, n), 0);
    assert_int_equal(cz_hashset_add(s, big, n), 1);
    big[n - 1] = 'k';
    assert_int_equal(cz_hashset_add(s, big, n), 0);
    assert_int_equal(cz_hashset_has(s, "first", 5), 1);
    assert_int_equal(cz_hashset_has(s, "last", 4), 1);
    assert_int_equal(cz_hashset_count(s), 4);
    free(big);
    cz_hashset_free(s);
}

/* Many keys of many lengths: the table and the arena grow many times over
 * and every key is found afterwards, and none that was not added. */
static void test_growth(void **state)
{
    enum { N = 100000 };
    cz_hashset *s = new_set();
    unsigned char buf[64];
    (void)state;
    for (size_t i = 0; i < N; i++)
        assert_int_equal(cz_hashset_add(s, buf, make_key(i, buf)), 1);
    assert_int_equal(cz_hashset_count(s), N);
    for (size_t i = 0; i < N; i++) {
        size_t len = make_key(i, buf);
        assert_int_equal(cz_hashset_has(s, buf, len), 1);
        assert_int_equal(cz_hashset_add(s, buf, len), 0);
        assert_int_equal(cz_hashset_has(s, buf, len - 1), 0);
    }
    for (size_t i = N; i < 2 * N; i++)
        assert_int_equal(cz_hashset_has(s, buf, make_key(i, buf)), 0);
    assert_int_equal(cz_hashset_count(s), N);
    cz_hashset_free(s);
}

/* Entity ids: random keys of one length, as find reports them. */
static void test_fixed_ids(void **state)
{
    enum { N = 50000 };
    cz_hashset *s = new_set();
    unsigned char (*ids)[ID_BYTES] = malloc(N * sizeof *ids);
    unsigned char zero[ID_BYTES] = { 0 };
    (void)state;
    assert_non_null(ids);
    randombytes_buf(ids, N * sizeof *ids);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(cz_hashset_add(s, ids[i], ID_BYTES), 1);
    /* All zero bytes is a key like any other, not an empty slot. */
    assert_int_equal(cz_hashset_has(s, zero, ID_BYTES), 0);
    assert_int_equal(cz_hashset_add(s, zero, ID_BYTES), 1);
    assert_int_equal(cz_hashset_add(s, zero, ID_BYTES), 0);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(cz_hashset_add(s, ids[i], ID_BYTES), 0);
        ids[i][ID_BYTES - 1] ^= 0x80;
        assert_int_equal(cz_hashset_has(s, ids[i], ID_BYTES), 0);
    }
    assert_int_equal(cz_hashset_count(s), N + 1);
    free(ids);
    cz_hashset_free(s);
}

/* ---- running out of memory: a child under an address-space limit ---- */

/* Adds keys of key_len bytes until an add fails, then checks that every
 * key added is still there, nothing else was counted, duplicates still
 * answer 0 and the set frees cleanly.  Exit status: 0 all held, 1 a check
 * failed, 3 the limit never bit (nothing to test). */
static int oom_child(size_t key_len, size_t max_keys)
{
    unsigned char *key = calloc(1, key_len);
    cz_hashset *s = NULL;
    struct rlimit lim;
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    size_t added = 0;
    int rc = 3;

    if (!key || !f || fscanf(f, "%lu", &pages) != 1) return 1;
    fclose(f);
    if (cz_hashset_new(&s) != CZ_OK) return 1;
    lim.rlim_cur = lim.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (16u << 20);
    if (setrlimit(RLIMIT_AS, &lim)) return 1;
    for (; added < max_keys; added++) {
        memcpy(key, &added, sizeof added);
        int r = cz_hashset_add(s, key, key_len);
        if (r == -1) { rc = 0; break; }
        if (r != 1) return 1;
    }
    if (cz_hashset_count(s) != added) return 1;
    for (size_t i = 0; i < added; i++) {
        memcpy(key, &i, sizeof i);
        if (cz_hashset_has(s, key, key_len) != 1 || cz_hashset_add(s, key, key_len) != 0) return 1;
    }
    memcpy(key, &added, sizeof added);
    if (cz_hashset_has(s, key, key_len) != 0) return 1;
    cz_hashset_free(s);
    free(key);
    return rc;
}

static void run_oom_child(size_t key_len, size_t max_keys)
{
    const char *pre = getenv("LD_PRELOAD");
    int status;
    pid_t pid;
#if defined(__SANITIZE_ADDRESS__)
    skip();              /* ASan reserves terabytes and aborts on failure */
#endif
    if (pre && strstr(pre, "vgpreload")) skip();    /* valgrind's allocator */
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(oom_child(key_len, max_keys));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 3) skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Small keys: the table (24 bytes a slot, doubled) runs out first. */
static void test_enomem_many_keys(void **state)
{
    (void)state;
    run_oom_child(8, 4u << 20);
}

/* Keys of 256 KiB: the arena runs out. */
static void test_enomem_long_keys(void **state)
{
    (void)state;
    run_oom_child(256u << 10, 4096);
}

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_add_and_duplicate),
        cmocka_unit_test(test_empty_key),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_long_key),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_fixed_ids),
        cmocka_unit_test(test_enomem_many_keys),
        cmocka_unit_test(test_enomem_long_keys),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
