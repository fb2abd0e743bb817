/* test_fsutil.c — atomic files and folders (fsutil.h) on real files in a
 * temp folder: a write replaces the old file whole and leaves no temp file;
 * a write that fails (mid-write, at the rename, no folder) leaves the old
 * file as it was and no temp file; a
 * missing folder chain is made (with the mode asked), an existing one is
 * fine, a path through a plain file is refused; the folder fsync. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "status.h"
#include "testkit.h"

static char g_dir[64];

static int setup(void **state)
{
    return tk_tmpdir(g_dir, sizeof g_dir, "fsutil");
}

static int teardown(void **state)
{
    tk_rmtree(g_dir);
    return 0;
}

/* The whole file (NUL-terminated; at most size - 1 bytes). */
static size_t slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
    return n;
}

/* Names in a folder other than . and .. */
static int entries(const char *folder)
{
    DIR *d = opendir(folder);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_write_replaces(void **state)
{
    char folder[128], path[160], buf[256];
    struct stat sb;
    snprintf(folder, sizeof folder, "%s/w", g_dir);
    snprintf(path, sizeof path, "%s/file.txt", folder);
    assert_int_equal(mkdir(folder, 0755), 0);
    assert_int_equal(cz_fs_write_atomic(path, "first version, longer\n", 22), CZ_OK);
    assert_int_equal(slurp(path, buf, sizeof buf), 22);
    assert_string_equal(buf, "first version, longer\n");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* A shorter one replaces it whole: no tail of the old bytes. */
    assert_int_equal(cz_fs_write_atomic(path, "second\n", 7), CZ_OK);
    assert_int_equal(slurp(path, buf, sizeof buf), 7);
    assert_string_equal(buf, "second\n");
    /* An empty one too. */
    assert_int_equal(cz_fs_write_atomic(path, "", 0), CZ_OK);
    assert_int_equal(slurp(path, buf, sizeof buf), 0);
    assert_int_equal(entries(folder), 1);   /* no temp file left */
}

static void test_failed_write_keeps_old(void **state)
{
    char folder[128], path[160], buf[256], big[4096];
    struct rlimit was, small;
    snprintf(folder, sizeof folder, "%s/f", g_dir);
    snprintf(path, sizeof path, "%s/keep.txt", folder);
    assert_int_equal(mkdir(folder, 0755), 0);
    assert_int_equal(cz_fs_write_atomic(path, "old\n", 4), CZ_OK);

    /* The write fails part-way (a file size limit: EFBIG after 100 bytes,
     * root included): the old file stands, the temp file is gone. */
    memset(big, 'n', sizeof big);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    small = was;
    small.rlim_cur = 100;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = cz_fs_write_atomic(path, big, sizeof big);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, CZ_EIO);
    assert_int_equal(slurp(path, buf, sizeof buf), 4);
    assert_string_equal(buf, "old\n");
    assert_int_equal(entries(folder), 1);

    /* The rename fails (the name is a folder that is not empty): the temp
     * file is removed, the folder as it was. */
    char busy[192], inner[224];
    snprintf(busy, sizeof busy, "%s/busy", folder);
    snprintf(inner, sizeof inner, "%s/x", busy);
    assert_int_equal(mkdir(busy, 0755), 0);
    assert_int_equal(mkdir(inner, 0755), 0);
    assert_int_equal(cz_fs_write_atomic(busy, "new\n", 4), CZ_EIO);
    assert_int_equal(entries(folder), 2);   /* keep.txt and busy, no temp */
    assert_int_equal(entries(busy), 1);

    /* The folder is not there (the stick pulled out): nothing written,
     * and the cause kept (fsutil.h). */
    char gone[192];
    snprintf(gone, sizeof gone, "%s/nofolder/keep.txt", folder);
    assert_int_equal(cz_fs_write_atomic(gone, "new\n", 4), CZ_ENOTFOUND);
    assert_int_equal(slurp(path, buf, sizeof buf), 4);
    assert_string_equal(buf, "old\n");
    assert_int_equal(entries(folder), 2);
}

static void test_make_dirs(void **state)
{
    char deep[192], file[192], below[224];
    struct stat sb;
    snprintf(deep, sizeof deep, "%s/a/b/c/d", g_dir);
    assert_int_equal(cz_fs_make_dirs(deep, 0700), CZ_OK);
    assert_int_equal(stat(deep, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    /* Already there: fine. */
    assert_int_equal(cz_fs_make_dirs(deep, 0700), CZ_OK);
    /* A trailing slash. */
    snprintf(below, sizeof below, "%s/e/", deep);
    assert_int_equal(cz_fs_make_dirs(below, 0755), CZ_OK);
    snprintf(below, sizeof below, "%s/e", deep);
    assert_int_equal(stat(below, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    /* Through a plain file: refused (root too). */
    snprintf(file, sizeof file, "%s/plain", g_dir);
    assert_int_equal(cz_fs_write_atomic(file, "x", 1), CZ_OK);
    snprintf(below, sizeof below, "%s/sub", file);
    assert_int_equal(cz_fs_make_dirs(below, 0755), CZ_EIO);
    /* A plain file as the last part is taken as there (as before fsutil:
     * the write that follows fails instead). */
    assert_int_equal(cz_fs_make_dirs(file, 0755), CZ_OK);
    /* Too long for a path. */
    char *huge = malloc(8192);
    assert_non_null(huge);
    memset(huge, 'a', 8191);
    huge[0] = '/';
    huge[8191] = 0;
    assert_int_equal(cz_fs_make_dirs(huge, 0755), CZ_EINVAL);
    free(huge);
    /* The folder fsync. */
    assert_int_equal(cz_fs_fsync_dir(deep), CZ_OK);
    assert_int_equal(cz_fs_fsync_dir(file), CZ_EIO);   /* not a folder */
    snprintf(below, sizeof below, "%s/missing", g_dir);
    assert_int_equal(cz_fs_fsync_dir(below), CZ_ENOTFOUND);
}

/* A hostile stick: links are never followed below the stick's folder, and
 * only regular files are opened (a FIFO would block an open for ever). */
static void test_no_follow(void **state)
{
    (void)state;
    char base[128], path[700], target[512];
    int fd;
    snprintf(base, sizeof base, "%s/stick", g_dir);
    snprintf(target, sizeof target, "%s/target", g_dir);
    assert_int_equal(mkdir(target, 0700), 0);
    /* Honest: made below a base that does not exist yet, and again. */
    assert_int_equal(cz_fs_make_dirs_under(base, "cunzhan/aa/bb", 0755), CZ_OK);
    assert_int_equal(cz_fs_make_dirs_under(base, "cunzhan/aa/bb", 0755), CZ_OK);
    assert_int_equal(cz_fs_make_dirs_under(base, "../x", 0755), CZ_EINVAL);
    assert_int_equal(cz_fs_make_dirs_under(base, "/abs", 0755), CZ_EINVAL);
    /* A link in the middle or at the end is refused, nothing made through it. */
    snprintf(path, sizeof path, "%s/cunzhan/link", base);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(cz_fs_make_dirs_under(base, "cunzhan/link/cc", 0755), CZ_ENOTPLAIN);
    assert_int_equal(cz_fs_make_dirs_under(base, "cunzhan/link", 0755), CZ_ENOTPLAIN);
    snprintf(path, sizeof path, "%s/cc", target);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/cunzhan", base);
    assert_int_equal(cz_fs_open_dir(AT_FDCWD, path, &fd), CZ_OK);
    close(fd);
    snprintf(path, sizeof path, "%s/cunzhan/link", base);
    assert_int_equal(cz_fs_open_dir(AT_FDCWD, path, &fd), CZ_ENOTPLAIN);
    /* Files: a regular one opens (blocking again), a FIFO, a link and a
     * folder do not. */
    snprintf(path, sizeof path, "%s/cunzhan/f.czb", base);
    assert_int_equal(cz_fs_write_atomic(path, "x", 1), CZ_OK);
    assert_int_equal(cz_fs_open_regular(AT_FDCWD, path, &fd), CZ_OK);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    snprintf(path, sizeof path, "%s/cunzhan/p.czb", base);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(cz_fs_open_regular(AT_FDCWD, path, &fd), CZ_ENOTPLAIN);
    assert_int_equal(fd, -1);
    snprintf(path, sizeof path, "%s/cunzhan/l.czb", base);
    snprintf(target, sizeof target, "%s/cunzhan/f.czb", base);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(cz_fs_open_regular(AT_FDCWD, path, &fd), CZ_ENOTPLAIN);
    snprintf(path, sizeof path, "%s/cunzhan/aa", base);
    assert_int_equal(cz_fs_open_regular(AT_FDCWD, path, &fd), CZ_ENOTPLAIN);
    snprintf(path, sizeof path, "%s/cunzhan/none.czb", base);
    assert_int_equal(cz_fs_open_regular(AT_FDCWD, path, &fd), CZ_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_follow),
        cmocka_unit_test(test_write_replaces),
        cmocka_unit_test(test_failed_write_keeps_old),
        cmocka_unit_test(test_make_dirs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
