/* test_stick.c — finding USB sticks and SD cards (stickfind.h) in fake
 * sysfs trees, udev folders and mount tables written here: by bus, not by
 * the removable flag (a USB stick saying removable=0, an SD card, an
 * opened LUKS stick over a USB partition), a SATA disk and an eMMC left
 * out, sticks plugged in but not mounted listed as such, escaped mount
 * points; mounting through a stand-in udisksctl; and the bundle names
 * kept on a stick (stick.h). */
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

#include "status.h"
#include "stick.h"
#include "stickfind.h"
#include "testkit.h"

static char g_dir[64];

static void put(const char *rel, const char *text)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    assert_int_equal(tk_write_file(p, text, strlen(text)), 0);
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

/* mkdir -p of g_dir/rel. */
static void dirs(const char *rel)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    for (char *c = p + strlen(g_dir) + 1; *c; c++)
        if (*c == '/') { *c = 0; (void)mkdir(p, 0755); *c = '/'; }
    (void)mkdir(p, 0755);
}

static void link_to(const char *target, const char *rel)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    assert_int_equal(symlink(target, p), 0);
}

/* A disk as the kernel shows it: its folder under devices (at `path`),
 * with dev, size in sectors and removable, and block/NAME linking to it. */
static void disk(const char *root, const char *path, const char *name, const char *dev, const char *sectors,
                 const char *removable)
{
    char rel[512], target[512];
    snprintf(rel, sizeof rel, "%s/devices/%s/block/%s", root, path, name);
    dirs(rel);
    char f[600];
    snprintf(f, sizeof f, "%s/dev", rel); put(f, dev);
    snprintf(f, sizeof f, "%s/size", rel); put(f, sectors);
    snprintf(f, sizeof f, "%s/removable", rel); put(f, removable);
    snprintf(rel, sizeof rel, "%s/block", root);
    dirs(rel);
    snprintf(target, sizeof target, "../devices/%s/block/%s", path, name);
    snprintf(rel, sizeof rel, "%s/block/%s", root, name);
    link_to(target, rel);
}

static void part(const char *root, const char *disk_name, const char *name, const char *dev, const char *sectors)
{
    char rel[512], f[600];
    snprintf(rel, sizeof rel, "%s/block/%s/%s", root, disk_name, name);
    dirs(rel);
    snprintf(f, sizeof f, "%s/dev", rel); put(f, dev);
    snprintf(f, sizeof f, "%s/size", rel); put(f, sectors);
}

static void udev(const char *majmin, const char *props)
{
    char rel[128];
    dirs("udev");
    snprintf(rel, sizeof rel, "udev/b%s", majmin);
    put(rel, props);
}

#define USB_PATH(n) "pci0000:00/0000:00:14.0/usb" #n "/" #n "-1/" #n "-1:1.0/host6/target6:0:0/6:0:0:0"
#define SATA_PATH   "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0"
#define SD_PATH     "platform/sdhci/mmc_host/mmc0/mmc0:aaaa"
#define EMMC_PATH   "platform/sdhci2/mmc_host/mmc1/mmc1:0001"

/* The PC every case below looks at: a SATA disk with the system, a USB
 * stick saying removable=0, an SD card, an eMMC, a LUKS stick opened
 * (dm-0 over sdc1), a stick known as USB only to udev, a locked LUKS
 * stick, a whole-disk (unpartitioned) stick, an empty card reader and a
 * CD drive. */
static void fake_pc(void)
{
    disk("sys", SATA_PATH, "sda", "8:0\n", "500000000\n", "0\n");
    part("sys", "sda", "sda1", "8:1\n", "400000000\n");
    part("sys", "sda", "sda2", "8:2\n", "90000000\n");
    part("sys", "sda", "sda3", "8:3\n", "8000000\n");                     /* swap, not mounted */
    udev("8:3", "E:ID_BUS=ata\nE:ID_FS_TYPE=swap\n");
    disk("sys", USB_PATH(1), "sdb", "8:16\n", "15240000\n", "0\n");        /* SanDisk: removable=0 */
    part("sys", "sdb", "sdb1", "8:17\n", "15238000\n");
    disk("sys", SD_PATH, "mmcblk0", "179:0\n", "31000000\n", "0\n");
    put("sys/devices/" SD_PATH "/type", "SD\n");
    link_to("../../../mmc0:aaaa", "sys/devices/" SD_PATH "/block/mmcblk0/device");
    part("sys", "mmcblk0", "mmcblk0p1", "179:1\n", "30990000\n");
    disk("sys", EMMC_PATH, "mmcblk1", "179:8\n", "61000000\n", "0\n");
    put("sys/devices/" EMMC_PATH "/type", "MMC\n");
    link_to("../../../mmc1:0001", "sys/devices/" EMMC_PATH "/block/mmcblk1/device");
    part("sys", "mmcblk1", "mmcblk1p1", "179:9\n", "60000000\n");
    disk("sys", USB_PATH(2), "sdc", "8:32\n", "7800000\n", "0\n");
    part("sys", "sdc", "sdc1", "8:33\n", "7790000\n");
    dirs("sys/block/sdc/sdc1/holders/dm-0");
    disk("sys", "virtual", "dm-0", "254:0\n", "7780000\n", "0\n");
    dirs("sys/block/dm-0/slaves/sdc1");
    dirs("sys/block/dm-0/dm");
    put("sys/block/dm-0/dm/name", "luks-5f3a\n");
    disk("sys", "pci0000:00/0000:00:1d.0/host9/target9:0:0/9:0:0:0", "sdd", "8:48\n", "3900000\n", "0\n");
    part("sys", "sdd", "sdd1", "8:49\n", "3890000\n");
    udev("8:48", "E:ID_BUS=usb\nE:ID_USB_DRIVER=usb-storage\n");
    udev("8:49", "E:ID_BUS=usb\nE:ID_FS_TYPE=vfat\nE:ID_FS_LABEL=KINGSTON\n");
    disk("sys", USB_PATH(3), "sde", "8:64\n", "7800000\n", "0\n");
    part("sys", "sde", "sde1", "8:65\n", "7790000\n");
    udev("8:65", "E:ID_BUS=usb\nE:ID_FS_TYPE=crypto_LUKS\n");
    disk("sys", USB_PATH(4), "sdf", "8:80\n", "2000000\n", "1\n");        /* no partition table */
    disk("sys", USB_PATH(5), "sdg", "8:96\n", "0\n", "1\n");              /* card reader, no card */
    disk("sys", "pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0", "sr0", "11:0\n", "0\n", "1\n");
}

static void scan(const char *mounts, struct cz_stick **v, size_t *n)
{
    char m[256], s[256], u[256];
    snprintf(m, sizeof m, "%s/%s", g_dir, mounts);
    snprintf(s, sizeof s, "%s/sys", g_dir);
    snprintf(u, sizeof u, "%s/udev", g_dir);
    struct cz_stick_places p = { .sysfs = s, .udev = u, .mounts = m };
    assert_int_equal(cz_sticks_scan(&p, v, n), CZ_OK);
}

static const char MOUNTINFO[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "23 22 0:5 / /proc rw,nosuid - proc proc rw\n"
    "24 22 8:2 / /home rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
    "25 22 179:9 / /mnt/emmc rw - ext4 /dev/mmcblk1p1 rw\n"
    "40 22 8:17 / /media/li/U\\040PAN rw,nosuid,nodev shared:5 - vfat /dev/sdb1 rw,uid=1000\n"
    "41 22 8:17 /notes /srv/notes rw shared:5 - vfat /dev/sdb1 rw\n"
    "42 22 8:17 / /mnt/again rw shared:5 - vfat /dev/sdb1 rw\n"
    "43 22 179:1 / /media/li/SD rw,nosuid shared:6 - vfat /dev/mmcblk0p1 rw\n"
    "44 22 254:0 / /media/li/secret rw,nosuid shared:7 - ext4 /dev/mapper/luks-5f3a rw\n";

static const struct cz_stick *by_dev(const struct cz_stick *v, size_t n, const char *dev)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].dev, dev)) return &v[i];
    return NULL;
}

/* Mounted: the removable=0 USB stick (once, at its first whole mount, the
 * escaped space undone), the SD card and the LUKS stick by its mapper
 * name; not the SATA disk, not the eMMC. */
static void test_mounted_by_bus(void **state)
{
    struct cz_stick *v;
    size_t n;
    (void)state;
    fake_pc();
    put("mountinfo", MOUNTINFO);
    scan("mountinfo", &v, &n);
    const char *mounts[] = { "/media/li/U PAN", "/media/li/SD", "/media/li/secret" };
    const char *devs[] = { "sdb1", "mmcblk0p1", "dm-0" }, *bus[] = { "usb", "mmc", "usb" };
    for (size_t i = 0; i < 3; i++) {
        assert_true(i < n);
        tk_assert_int(devs[i], v[i].state, CZ_STICK_MOUNTED);
        tk_assert_str(devs[i], v[i].mount, mounts[i]);
        tk_assert_str(devs[i], v[i].dev, devs[i]);
        tk_assert_str(devs[i], v[i].bus, bus[i]);
    }
    tk_assert_str("mapper node", v[2].node, "/dev/mapper/luks-5f3a");
    for (size_t i = 0; i < n; i++) {
        tk_assert_true(v[i].dev, strncmp(v[i].dev, "sda", 3) && strncmp(v[i].dev, "mmcblk1", 7));
        tk_assert_true(v[i].dev, strcmp(v[i].dev, "sdc1") && strcmp(v[i].dev, "sr0") && strcmp(v[i].dev, "sdg"));
    }
    free(v);
}

/* Plugged in, not mounted: the udev-only USB stick's partition (label,
 * size, vfat), the locked LUKS stick, the unpartitioned stick; not the
 * swap partition, the empty reader, the CD drive, a disk's partition
 * table or a partition under LUKS. */
static void test_unmounted_listed(void **state)
{
    struct cz_stick *v;
    size_t n;
    (void)state;
    fake_pc();
    put("mountinfo", MOUNTINFO);
    scan("mountinfo", &v, &n);
    assert_int_equal(n, 6);
    const struct cz_stick *k = &v[3];
    tk_assert_str("sdd1", k->dev, "sdd1");
    tk_assert_int("sdd1", k->state, CZ_STICK_UNMOUNTED);
    tk_assert_str("sdd1", k->node, "/dev/sdd1");
    tk_assert_str("sdd1", k->label, "KINGSTON");
    tk_assert_str("sdd1", k->fstype, "vfat");
    tk_assert_str("sdd1", k->bus, "usb");
    tk_assert_str("sdd1", k->mount, "");
    tk_assert_true("sdd1 size", k->bytes == 3890000ull * 512);
    tk_assert_str("sde1", v[4].dev, "sde1");
    tk_assert_int("sde1", v[4].state, CZ_STICK_LOCKED);
    tk_assert_str("sdf", v[5].dev, "sdf");
    tk_assert_int("sdf", v[5].state, CZ_STICK_UNMOUNTED);
    tk_assert_str("sdf bus", v[5].bus, "usb");
    char sz[32];
    cz_stick_size_text(k->bytes, sz, sizeof sz);
    tk_assert_str("size text", sz, "2.0 GB");
    free(v);

    /* The opened LUKS stick not mounted: offered by its mapper name, its
     * partition under it not. */
    put("bare", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
    scan("bare", &v, &n);
    k = by_dev(v, n, "dm-0");
    assert_non_null(k);
    tk_assert_int("dm-0", k->state, CZ_STICK_UNMOUNTED);
    tk_assert_str("dm-0", k->node, "/dev/mapper/luks-5f3a");
    assert_null(by_dev(v, n, "sdc1"));
    assert_non_null(by_dev(v, n, "sdb1"));
    assert_non_null(by_dev(v, n, "mmcblk0p1"));
    assert_null(by_dev(v, n, "mmcblk1p1"));
    assert_null(by_dev(v, n, "sda3"));
    free(v);

    /* cz_sticks_find: only the mounted ones. */
    char m[256], s[256], u[256];
    snprintf(m, sizeof m, "%s/mountinfo", g_dir);
    snprintf(s, sizeof s, "%s/sys", g_dir);
    snprintf(u, sizeof u, "%s/udev", g_dir);
    struct cz_stick_places p = { .sysfs = s, .udev = u, .mounts = m };
    assert_int_equal(cz_sticks_find(&p, &v, &n), CZ_OK);
    assert_int_equal(n, 3);
    free(v);
}

/* A /proc/mounts-style table reads too; /dev/mapper/NAME is the dm device
 * of that name.  A USB disk holding / (a PC started from a stick) is the
 * system's, and its other partitions are not offered. */
static void test_mounts_format_and_system_stick(void **state)
{
    struct cz_stick *v;
    size_t n;
    (void)state;
    fake_pc();
    part("sys", "sdb", "sdb2", "8:18\n", "100000\n");
    put("mounts", "/dev/sdb2 / ext4 rw 0 0\n/dev/mapper/luks-5f3a /media/a\\040b ext4 rw 0 0\n"
                  "/dev/mmcblk0p1 /media/c vfat rw 0 0\n");
    scan("mounts", &v, &n);
    assert_true(n >= 2);
    tk_assert_str("dm", v[0].dev, "dm-0");
    tk_assert_str("dm mount", v[0].mount, "/media/a b");
    tk_assert_str("sd", v[1].mount, "/media/c");
    assert_null(by_dev(v, n, "sdb1"));
    assert_null(by_dev(v, n, "sdb2"));
    assert_non_null(by_dev(v, n, "sdd1"));
    free(v);
}

/* The bus is read below the sysfs root only: a fake tree in a folder
 * named usb1 does not make its SATA disk a stick. */
static void test_bus_below_root_only(void **state)
{
    struct cz_stick *v;
    size_t n;
    char m[256], s[256], u[256];
    (void)state;
    dirs("usb1");
    disk("usb1/sys", SATA_PATH, "sda", "8:0\n", "500000000\n", "0\n");
    part("usb1/sys", "sda", "sda1", "8:1\n", "400000000\n");
    put("mounts", "/dev/sda1 /data ext4 rw 0 0\n");
    snprintf(m, sizeof m, "%s/mounts", g_dir);
    snprintf(s, sizeof s, "%s/usb1/sys", g_dir);
    snprintf(u, sizeof u, "%s/none", g_dir);
    struct cz_stick_places p = { .sysfs = s, .udev = u, .mounts = m };
    assert_int_equal(cz_sticks_scan(&p, &v, &n), CZ_OK);
    assert_int_equal(n, 0);
    assert_null(v);
}

/* The removable flag alone still finds a device on another bus (a sysfs
 * without device links, as the old layout had). */
static void test_removable_flag_alone(void **state)
{
    struct cz_stick *v;
    size_t n;
    (void)state;
    dirs("sys/block/sdb/sdb1");
    put("sys/block/sdb/removable", "1\n");
    dirs("sys/block/sda/sda1");
    put("sys/block/sda/removable", "0\n");
    put("mounts", "/dev/sda1 /data ext4 rw 0 0\n/dev/sdb1 /media/x vfat rw 0 0\n/dev/sdz9 /media/gone vfat rw 0 0\n");
    scan("mounts", &v, &n);
    assert_int_equal(n, 1);
    tk_assert_str("sdb1", v[0].mount, "/media/x");
    tk_assert_str("sdb1", v[0].bus, "removable");
    free(v);
}

static void test_no_mount_table(void **state)
{
    struct cz_stick *v = (struct cz_stick *)1;
    size_t n = 7;
    struct cz_stick_places p = { .sysfs = "/nonexistent", .udev = "/nonexistent", .mounts = "/nonexistent/mounts" };
    (void)state;
    assert_int_equal(cz_sticks_scan(&p, &v, &n), CZ_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_null(v);
}

/* The line to mount as root: FAT owned by this user, a locked stick opened first. */
static void test_mount_line(void **state)
{
    struct cz_stick k = { .node = "/dev/sdd1", .fstype = "vfat", .state = CZ_STICK_UNMOUNTED };
    char line[512], want[512];
    (void)state;
    cz_stick_mount_line(&k, "/mnt/usb", line, sizeof line);
    if (getuid() == 0) snprintf(want, sizeof want, "mkdir -p /mnt/usb && mount /dev/sdd1 /mnt/usb");
    else
        snprintf(want, sizeof want, "sudo mkdir -p /mnt/usb && sudo mount -o uid=%u,gid=%u /dev/sdd1 /mnt/usb",
                 (unsigned)getuid(), (unsigned)getgid());
    tk_assert_str("vfat", line, want);
    snprintf(k.fstype, sizeof k.fstype, "ext4");
    cz_stick_mount_line(&k, "/mnt/usb", line, sizeof line);
    tk_assert_true(line, strstr(line, "mount /dev/sdd1 /mnt/usb") && !strstr(line, "uid="));
    k.state = CZ_STICK_LOCKED;
    cz_stick_mount_line(&k, "/mnt/usb", line, sizeof line);
    tk_assert_true(line, strstr(line, "cryptsetup open /dev/sdd1 cunzhan-usb") != NULL);
    tk_assert_true(line, strstr(line, "mount /dev/mapper/cunzhan-usb /mnt/usb") != NULL);
}

/* Mounting through udisksctl: a stand-in on PATH that adds the mount to
 * the fake table, as the real one makes the kernel do; one that fails;
 * none at all. */
static void test_mount_udisks(void **state)
{
    struct cz_stick *v;
    size_t n;
    char mount[4096], why[512], bin[256], path[600], m[256], s[256], u[256], script[1024];
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    (void)state;
    fake_pc();
    put("mountinfo", MOUNTINFO);
    snprintf(m, sizeof m, "%s/mountinfo", g_dir);
    snprintf(s, sizeof s, "%s/sys", g_dir);
    snprintf(u, sizeof u, "%s/udev", g_dir);
    struct cz_stick_places p = { .sysfs = s, .udev = u, .mounts = m };
    assert_int_equal(cz_sticks_scan(&p, &v, &n), CZ_OK);
    const struct cz_stick *k = by_dev(v, n, "sdd1");
    assert_non_null(k);

    snprintf(bin, sizeof bin, "%s/bin", g_dir);
    dirs("bin");
    setenv("PATH", bin, 1);
    tk_assert_int("no udisksctl", cz_stick_mount(&p, k, mount, sizeof mount, why, sizeof why), CZ_ENOUDISKS);

    snprintf(script, sizeof script,
             "#!/bin/sh\n[ \"$1 $2 $3 $4\" = \"mount -b /dev/sdd1 --no-user-interaction\" ] || exit 9\n"
             "printf '%%s\\n' '50 22 8:49 / /media/li/KING\\040STON rw - vfat /dev/sdd1 rw' >> '%s'\n"
             "echo 'Mounted /dev/sdd1 at /media/li/KING STON'\n", m);
    put("bin/udisksctl", script);
    snprintf(path, sizeof path, "%s/udisksctl", bin);
    assert_int_equal(chmod(path, 0755), 0);
    tk_assert_int("mounted", cz_stick_mount(&p, k, mount, sizeof mount, why, sizeof why), CZ_OK);
    tk_assert_str("where", mount, "/media/li/KING STON");
    tk_assert_str("said", why, "Mounted /dev/sdd1 at /media/li/KING STON");

    put("bin/udisksctl", "#!/bin/sh\necho 'Error mounting /dev/sdd1: wrong fs type' >&2\nexit 1\n");
    tk_assert_int("fails", cz_stick_mount(&p, k, mount, sizeof mount, why, sizeof why), CZ_EMOUNT);
    tk_assert_str("why", why, "Error mounting /dev/sdd1: wrong fs type");
    tk_assert_str("no mount", mount, "");

    if (saved) setenv("PATH", saved, 1);
    else unsetenv("PATH");
    free(saved);
    free(v);
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
        cmocka_unit_test_setup_teardown(test_mounted_by_bus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmounted_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mounts_format_and_system_stick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bus_below_root_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removable_flag_alone, setup, teardown),
        cmocka_unit_test(test_no_mount_table),
        cmocka_unit_test(test_mount_line),
        cmocka_unit_test_setup_teardown(test_mount_udisks, setup, teardown),
        cmocka_unit_test(test_temp_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
