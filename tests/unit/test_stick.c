/* test_stick.c — finding USB sticks (stick.h) from a fake mount table and
 * a fake /sys/block: partitions judged by their disk, whole-disk mounts,
 * mmcblk/nvme partition names, escaped mount points, fixed disks left out,
 * one entry per device. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"
#include "stick.h"
#include "testkit.h"

static char g_dir[64];

static void put(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    assert_int_equal(tk_write_file(p, text, strlen(text)), 0);
}

static void dir(const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state)
{
    return tk_tmpdir(g_dir, sizeof g_dir, "stick");
}

static int teardown(void **state)
{
    tk_rmtree(g_dir);
    return 0;
}

static void find(const char *mounts, struct cz_stick **v, size_t *n)
{
    char m[256], s[256];
    snprintf(m, sizeof m, "%s/%s", g_dir, mounts);
    snprintf(s, sizeof s, "%s/sys", g_dir);
    assert_int_equal(cz_sticks_find(m, s, v, n), CZ_OK);
}

static void test_sticks(void **state)
{
    struct cz_stick *v;
    size_t n;
    dir("sys");
    dir("sys/sda"); dir("sys/sda/sda1"); dir("sys/sda/sda2"); put("sys/sda/removable", "0\n");
    dir("sys/sdb"); dir("sys/sdb/sdb1"); put("sys/sdb/removable", "1\n");
    dir("sys/sdc"); put("sys/sdc/removable", "1\n");
    dir("sys/mmcblk0"); dir("sys/mmcblk0/mmcblk0p1"); put("sys/mmcblk0/removable", "1\n");
    dir("sys/nvme0n1"); dir("sys/nvme0n1/nvme0n1p1"); put("sys/nvme0n1/removable", "0\n");

    /* Mount tables and the sticks found in them, in order (mount, device). */
    static const struct {
        const char *what, *table;
        size_t n;
        const char *mount[3], *dev[3];
    } cases[] = {
        { "none", "/dev/sda1 / ext4 rw 0 0\n/dev/sda2 /home ext4 rw 0 0\nproc /proc proc rw 0 0\n"
                  "tmpfs /run tmpfs rw 0 0\n/dev/nvme0n1p1 /data ext4 rw 0 0\n", 0, { NULL }, { NULL } },
        { "one", "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /media/li/U\\040PAN vfat rw 0 0\n"
                 "/dev/sdb1 /mnt/again vfat rw 0 0\n", 1, { "/media/li/U PAN" }, { "sdb1" } },
        { "many", "/dev/sdb1 /media/a vfat rw 0 0\n/dev/sdc /media/b vfat rw 0 0\n"
                  "/dev/mmcblk0p1 /media/c vfat rw 0 0\n/dev/sdz9 /media/gone vfat rw 0 0\n",
          3, { "/media/a", "/media/b", "/media/c" }, { "sdb1", "sdc", "mmcblk0p1" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put(cases[i].what, cases[i].table);
        find(cases[i].what, &v, &n);
        tk_assert_int(cases[i].what, n, cases[i].n);
        if (!n) tk_assert_true(cases[i].what, v == NULL);
        for (size_t k = 0; k < n; k++) {
            tk_assert_str(cases[i].what, v[k].mount, cases[i].mount[k]);
            tk_assert_str(cases[i].what, v[k].dev, cases[i].dev[k]);
        }
        free(v);
    }
}

static void test_no_mount_table(void **state)
{
    struct cz_stick *v = (struct cz_stick *)1;
    size_t n = 7;
    assert_int_equal(cz_sticks_find("/nonexistent/mounts", "/nonexistent", &v, &n), CZ_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_null(v);
}

/* Only our own temp names are swept (cz_stick_sweep_temps): the bundle
 * writer's and cz_fs_write_atomic's, nothing like them. */
static void test_temp_names(void **state)
{
    (void)state;
    assert_true(cz_stick_is_temp_name(".bundle.tmp-Ab12Cd"));
    assert_true(cz_stick_is_temp_name(".0123456789abcdef.tmp-zZ9yX8"));
    assert_true(cz_stick_is_temp_name(".20261201-205555-.tmp-abcdef"));
    assert_false(cz_stick_is_temp_name("bundle.tmp-Ab12Cd"));          /* not a dot file */
    assert_false(cz_stick_is_temp_name(".bundle.tmp-Ab12C"));          /* 5 characters */
    assert_false(cz_stick_is_temp_name(".bundle.tmp-Ab12Cde"));        /* 7 */
    assert_false(cz_stick_is_temp_name(".bundle.tmp-Ab12C."));
    assert_false(cz_stick_is_temp_name("..tmp-Ab12Cd"));               /* empty stem */
    assert_false(cz_stick_is_temp_name(".0123456789abcdef0.tmp-Ab12Cd")); /* 17 */
    assert_false(cz_stick_is_temp_name(".my notes.tmp-Ab12Cd"));
    assert_false(cz_stick_is_temp_name(".x.czb"));
    assert_false(cz_stick_is_temp_name("abc.czb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sticks),
        cmocka_unit_test(test_no_mount_table),
        cmocka_unit_test(test_temp_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
