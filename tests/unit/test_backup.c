/* test_backup.c — a backup that cannot be restored where it was asked to
 * be says why: the folder it would build the station in refuses a new
 * folder (/sys, which neither root nor anyone else may write: permission
 * or, where it is mounted read-only, a read-only disk), and a folder this
 * login may not write (skipped as root, whom permission bits do not stop);
 * and the progress a backup reports (the Sync screen's bar).
 * The round trip itself is tested by tests/scenario/backup.sh and
 * restore.sh and the formats by test_hostile. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "status.h"
#include "sync.h"
#include "testkit.h"

#define PASS "backup-pass"

static struct tk_pair g_pair;
static uint8_t *g_file;
static size_t g_len;

static int setup(void **state)
{
    struct cz_backup_result br;
    (void)state;
    if (tk_pair_init(&g_pair, "backup", "许昌市科协", "411081106201", PASS)) return -1;
    if (cz_backup_write(g_pair.village, g_pair.stick, &br) != CZ_OK) return -1;
    return cz_read_file(br.path, &g_file, &g_len) == CZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(g_file);
    tk_pair_free(&g_pair);
    return 0;
}

static void test_restore_where_nothing_may_be_made(void **state)
{
    struct cz_restore_result rr;
    struct stat sb;
    (void)state;
    if (stat("/sys", &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "skip: no /sys folder here to restore into\n");
        return;
    }
    int rc = cz_backup_restore("/sys", g_file, g_len, PASS, &rr);
    assert_true(rc == CZ_EACCESS || rc == CZ_EREADONLY);
}

static void test_restore_into_a_folder_not_ours(void **state)
{
    struct cz_restore_result rr;
    char dir[160];
    (void)state;
    if (geteuid() == 0) {
        fprintf(stderr, "skip: running as root, whom a folder's permission bits do not stop\n");
        return;
    }
    snprintf(dir, sizeof dir, "%s/locked", g_pair.dir);
    assert_int_equal(mkdir(dir, 0500), 0);
    assert_int_equal(cz_backup_restore(dir, g_file, g_len, PASS, &rr), CZ_EACCESS);
    chmod(dir, 0700);
}

/* The progress a backup reports: never past its total, never going
 * back, and ending at done == total == the entries written; the file is
 * the same kind of backup (it restores). */
struct seen { size_t calls, last_done, last_total; int backwards, over; };

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct seen *s = ctx;
    if (done < s->last_done) s->backwards = 1;
    if (done > total) s->over = 1;
    s->calls++;
    s->last_done = done;
    s->last_total = total;
}

static void test_backup_progress(void **state)
{
    struct cz_backup_result br;
    struct cz_restore_result rr;
    struct seen s = { 0 };
    struct cz_progress pr = { .fn = on_progress, .ctx = &s };
    uint8_t *buf = NULL;
    size_t len = 0;
    char dir[160];
    (void)state;
    assert_int_equal(cz_backup_write_with(g_pair.village, g_pair.stick, &pr, &br), CZ_OK);
    assert_true(s.calls >= 1);
    assert_false(s.backwards);
    assert_false(s.over);
    assert_int_equal(s.last_done, br.entries);
    assert_int_equal(s.last_total, br.entries);
    assert_int_equal(cz_read_file(br.path, &buf, &len), CZ_OK);
    snprintf(dir, sizeof dir, "%s/progress-restored", g_pair.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(cz_backup_restore(dir, buf, len, PASS, &rr), CZ_OK);
    assert_int_equal(rr.entries, br.entries);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_progress),
        cmocka_unit_test(test_restore_where_nothing_may_be_made),
        cmocka_unit_test(test_restore_into_a_folder_not_ours),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
