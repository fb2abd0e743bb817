/* stickfind.h — the USB sticks and SD cards plugged in, mounted or not, so
 * people need not type a path, and a way to mount one.
 *
 * A stick is a block device on the USB or MMC bus, as sysfs shows it (the
 * device's folder under /sys/devices runs through usbN or mmc_host) or as
 * udev recorded it (ID_BUS=usb, ID_USB_DRIVER); many real sticks and every
 * SD card say removable=0, so that flag only adds a device (an old kernel,
 * another bus), it never decides alone against one.  A soldered eMMC
 * (device/type "MMC") and CD drives (sr*, ID_CDROM) are not sticks.  A
 * device-mapper device (dm-N: an opened LUKS stick) is a stick when what
 * it is built on (slaves/) is.  A partition is judged by its disk.
 *
 * A mounted stick is matched to its mount by major:minor (mountinfo) or by
 * its /dev name (/dev/sdb1, /dev/mapper/NAME); a bind mount of a folder
 * inside it is not its mount; one mounted at / or under /boot is the
 * system's own disk and is not listed at all.
 *
 * The places read are parameters so tests can give a fake tree; the
 * program takes them from cz_stick_places_default. */
#ifndef CZ_STICKFIND_H
#define CZ_STICKFIND_H

#include <stddef.h>
#include <stdint.h>

struct cz_stick_places {
    const char *sysfs;   /* "/sys": block/<name> for every disk */
    const char *udev;    /* "/run/udev/data": b<major>:<minor> files */
    const char *mounts;  /* "/proc/self/mountinfo"; a /proc/mounts-style table reads too */
};

/* The real places, or for tests only CUNZHAN_SYSFS_ROOT, CUNZHAN_UDEV_DATA
 * and CUNZHAN_MOUNTS when set (CLI.md).  The strings are the environment's
 * or static. */
void cz_stick_places_default(struct cz_stick_places *p);

enum cz_stick_state {
    CZ_STICK_MOUNTED = 1,
    CZ_STICK_UNMOUNTED,  /* plugged in, holds a file system, not mounted */
    CZ_STICK_LOCKED,     /* an encrypted (LUKS) stick not yet opened */
};

struct cz_stick {
    char mount[4096];    /* where it is mounted (escapes undone); "" when not */
    char dev[64];        /* the kernel's name: "sdb1", "mmcblk0p1", "dm-3" */
    char node[320];      /* the device file to mount: /dev/sdb1, /dev/mapper/NAME */
    char bus[12];        /* "usb", "mmc", or "removable" (the flag alone) */
    char fstype[32];     /* udev's ID_FS_TYPE; "" when unknown */
    char label[128];     /* udev's ID_FS_LABEL; "" when none */
    uint64_t bytes;      /* size; 0 when unknown */
    enum cz_stick_state state;
};

/* Every stick: the mounted ones first in mount-table order (each device
 * once), then the unmounted and locked ones by device name.  *out is
 * malloc'd (caller frees; NULL when *n is 0).  A missing mount table is
 * its errno status (CZ_ENOTFOUND); a missing sysfs or udev folder only
 * finds less. */
int cz_sticks_scan(const struct cz_stick_places *p, struct cz_stick **out, size_t *n);

/* The mounted ones only, as cz_sticks_scan. */
int cz_sticks_find(const struct cz_stick_places *p, struct cz_stick **out, size_t *n);

/* ---- mounting one (stickmount.c) ---- */

/* Whether `udisksctl` is on PATH: it mounts a stick for the person at the
 * console without root, as a desktop would on its own. */
int cz_stick_can_udisks(void);

/* Runs `udisksctl mount -b NODE --no-user-interaction` (no terminal given
 * to it, its output kept), then reads the mount table again for where the
 * stick now is, into `mount`.  CZ_ENOUDISKS when udisksctl is not there,
 * CZ_EMOUNT when it fails or the stick does not show up mounted, with
 * udisksctl's first line of output (or "") in `why`. */
int cz_stick_mount(const struct cz_stick_places *p, const struct cz_stick *s, char *mount, size_t size, char *why,
                   size_t whysize);

/* The exact shell line that mounts `s` at `where` as root (sudo unless
 * already root): FAT-family sticks are mounted owned by this user, who
 * must write to them.  A locked stick is opened first (cryptsetup). */
void cz_stick_mount_line(const struct cz_stick *s, const char *where, char *buf, size_t size);

/* "7.5 GB", "", for lists. */
void cz_stick_size_text(uint64_t bytes, char *buf, size_t size);

#endif
