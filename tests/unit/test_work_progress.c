/* test_work_progress.c — the progress callbacks of load, verify and
 * restore (station.h cz_station_add_many_with, verify.h cz_verify_with,
 * backup.h cz_backup_restore_with): told often enough for a bar, never
 * going back within a pass (restore: exactly one second pass), ending at
 * done == total only when the work is done, and the result the same as
 * without a callback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"
#include "verify.h"

#define V1 "411081106201"
#define PASS "work-progress-pass"
#define ROWS 900

static struct tk_pair P;

static int setup(void **state)
{
    return tk_pair_init(&P, "workprog", "市办", V1, PASS);
}

static int teardown(void **state)
{
    tk_pair_free(&P);
    return 0;
}

/* What a bar would have heard: calls, passes (done falling back starts
 * one), and the last count. */
struct calls { size_t n, passes, last_done, last_total; int total_changed; };

static void count_cb(void *ctx, size_t done, size_t total)
{
    struct calls *c = ctx;
    if (!c->n || done < c->last_done) c->passes++;
    if (c->n && total != c->last_total) c->total_changed = 1;
    assert_true(done <= total);
    c->n++;
    c->last_done = done;
    c->last_total = total;
}

static struct cz_assign *g_rows[ROWS];
static size_t g_counts[ROWS];
static char g_numbers[ROWS][32];

/* ROWS households numbered PREFIX-0000.. in village `village`. */
static void make_rows(const char *prefix, const char *village)
{
    for (size_t i = 0; i < ROWS; i++) {
        free(g_rows[i]);
        g_rows[i] = calloc(3, sizeof *g_rows[i]);
        assert_non_null(g_rows[i]);
        snprintf(g_numbers[i], sizeof g_numbers[i], "%s-%04zu", prefix, i);
        g_rows[i][0] = (struct cz_assign){ "number", g_numbers[i] };
        g_rows[i][1] = (struct cz_assign){ "village", village };
        g_rows[i][2] = (struct cz_assign){ "head", "进度" };
        g_counts[i] = 3;
    }
}

static void free_rows(void)
{
    for (size_t i = 0; i < ROWS; i++) {
        free(g_rows[i]);
        g_rows[i] = NULL;
    }
}

static size_t entries_of(cz_station *st)
{
    cz_txn *t = NULL;
    struct cz_store_stats s;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, &s), CZ_OK);
    cz_txn_abort(t);
    return s.entries;
}

static void test_load_progress(void **state)
{
    struct calls c = { 0 };
    struct cz_progress pr = { count_cb, &c };
    size_t stored = 0, before = entries_of(P.village);

    make_rows("LP", V1);
    assert_int_equal(cz_station_add_many_with(P.village, "household", (const struct cz_assign *const *)g_rows, g_counts,
                                              ROWS, NULL, NULL, &pr, &stored), CZ_OK);
    assert_int_equal(stored, ROWS);
    assert_int_equal(entries_of(P.village), before + ROWS);
    assert_true(c.n >= 4);                  /* start, every 256 rows, end */
    assert_int_equal(c.passes, 1);
    assert_false(c.total_changed);
    assert_int_equal(c.last_total, ROWS);
    assert_int_equal(c.last_done, ROWS);

    /* A refused row: nothing stored, and the count never claims the end. */
    struct calls r = { 0 };
    struct cz_progress prr = { count_cb, &r };
    make_rows("LQ", V1);
    g_rows[ROWS - 1][1].value = "999999999999";
    before = entries_of(P.village);
    assert_int_equal(cz_station_add_many_with(P.village, "household", (const struct cz_assign *const *)g_rows, g_counts,
                                              ROWS, NULL, NULL, &prr, &stored), CZ_EFIELD);
    assert_int_equal(stored, 0);
    assert_int_equal(entries_of(P.village), before);
    assert_true(r.n >= 2);
    assert_true(r.last_done < ROWS);

    /* NULL and an empty hook are no progress at all. */
    struct cz_progress none = { NULL, NULL };
    make_rows("LR", V1);
    assert_int_equal(cz_station_add_many_with(P.village, "household", (const struct cz_assign *const *)g_rows, g_counts,
                                              ROWS, NULL, NULL, &none, &stored), CZ_OK);
    assert_int_equal(stored, ROWS);
    free_rows();
}

static void test_verify_progress(void **state)
{
    struct calls c = { 0 };
    struct cz_progress pr = { count_cb, &c };
    struct cz_verify_report with, plain;
    cz_txn *t = NULL;
    size_t stored = 0;

    make_rows("VP", V1);
    assert_int_equal(cz_station_add_many(P.village, "household", (const struct cz_assign *const *)g_rows, g_counts,
                                         ROWS, NULL, NULL, &stored), CZ_OK);
    free_rows();
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &t), CZ_OK);
    const uint8_t *root = cz_station_info(P.village)->office_root;
    assert_int_equal(cz_verify_with(t, root, NULL, NULL, &pr, &with), CZ_OK);
    assert_int_equal(cz_verify(t, root, NULL, NULL, &plain), CZ_OK);
    cz_txn_abort(t);
    assert_memory_equal(&with, &plain, sizeof with);
    assert_true(c.n >= 4);
    assert_int_equal(c.passes, 1);
    assert_false(c.total_changed);
    assert_int_equal(c.last_total, with.entries);
    assert_int_equal(c.last_done, with.entries);
}

static void test_restore_progress(void **state)
{
    struct cz_backup_result b;
    struct cz_restore_result with, plain;
    struct calls c = { 0 };
    struct cz_progress pr = { count_cb, &c };
    uint8_t *buf = NULL;
    size_t len = 0, stored = 0;
    char d1[160], d2[160];

    make_rows("RP", V1);
    assert_int_equal(cz_station_add_many(P.village, "household", (const struct cz_assign *const *)g_rows, g_counts,
                                         ROWS, NULL, NULL, &stored), CZ_OK);
    free_rows();
    assert_int_equal(cz_backup_write(P.village, P.stick, &b), CZ_OK);
    assert_int_equal(cz_read_file(b.path, &buf, &len), CZ_OK);
    snprintf(d1, sizeof d1, "%s/r1", P.dir);
    snprintf(d2, sizeof d2, "%s/r2", P.dir);

    /* A wrong passphrase: refused before any entry is looked at. */
    assert_int_equal(cz_backup_restore_with(d1, buf, len, "wrong-pass", &pr, &with), CZ_EPASS);
    assert_int_equal(c.n, 0);

    assert_int_equal(cz_backup_restore_with(d1, buf, len, PASS, &pr, &with), CZ_OK);
    assert_int_equal(cz_backup_restore(d2, buf, len, PASS, &plain), CZ_OK);
    assert_int_equal(with.entries, plain.entries);
    assert_int_equal(with.entries, b.entries);
    assert_int_equal(c.passes, 2);          /* checked, then written */
    assert_true(c.n >= 8);
    assert_false(c.total_changed);
    assert_int_equal(c.last_total, b.entries);
    assert_int_equal(c.last_done, b.entries);

    /* A damaged file: the count never claims the end, nothing is written. */
    struct calls d = { 0 };
    struct cz_progress prd = { count_cb, &d };
    char d3[160];
    snprintf(d3, sizeof d3, "%s/r3", P.dir);
    buf[len - 40] ^= 0x01;
    assert_int_not_equal(cz_backup_restore_with(d3, buf, len, PASS, &prd, &with), CZ_OK);
    assert_true(d.passes <= 1);
    assert_true(d.n == 0 || d.last_done < d.last_total);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_progress),
        cmocka_unit_test(test_verify_progress),
        cmocka_unit_test(test_restore_progress),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
