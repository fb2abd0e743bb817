/* stick.h — finding the USB sticks plugged in, so people need not type a
 * path.  A stick is a mounted file system on a block device whose disk
 * says removable=1 in sysfs; a partition (sdb1) is judged by its disk
 * (sdb), found as the sysfs disk folder that holds a folder of that name
 * (/sys/block/sdb/sdb1), which also covers mmcblk0p1 and nvme0n1p1.
 *
 * The paths of the mount table and of /sys/block are parameters so tests
 * can feed fake ones (the command line also takes them from
 * CUNZHAN_MOUNTS and CUNZHAN_SYSBLOCK, for the scenario tests). */
#ifndef CZ_STICK_H
#define CZ_STICK_H

#include <stddef.h>
#include <stdint.h>

struct cz_stick {
    char mount[4096];     /* where it is mounted (octal escapes undone) */
    char dev[256];        /* the block device's name, e.g. "sdb1" */
};

/* Every removable drive mounted, in mount-table order, each device once.
 * *out is malloc'd (caller frees; NULL when *n is 0).  CZ_EIO when the
 * mount table cannot be read. */
int cz_sticks_find(const char *mounts, const char *sysblock, struct cz_stick **out, size_t *n);

/* The bundle files for the station with box key `me` on a stick (or a
 * folder standing in for one): every *.czb under its inbox folder
 * (bundle.h, cz_bundle_inbox), in name order.  *files and each string are
 * malloc'd (free with cz_stick_bundles_free).  CZ_ENOTFOUND when the
 * inbox is not there, CZ_ENOTPLAIN when `cunzhan` or the inbox is a
 * symlink or not a folder: no link below the stick folder is followed.  A
 * sender folder that is a symlink is listed as it is (import then refuses
 * it by name, CZ_ENOTPLAIN); *.czb names are listed whatever they are, and
 * import opens only regular files (fsutil.h, cz_fs_open_regular). */
int cz_stick_bundles(const char *stick, const uint8_t me[32], char ***files, size_t *n);
void cz_stick_bundles_free(char **files, size_t n);

#endif
