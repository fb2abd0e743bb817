/* fsutil.h — files and folders that survive a crash or a pulled stick.
 *
 * One way for every file this program writes outside the store (bundles,
 * backups, drafts, settings): a temp file in the same folder, written,
 * fsynced, renamed over the real name, then the folder fsynced, so the
 * real name holds the old bytes or the new, never half of them.  FAT
 * drivers that refuse fsync on a folder (EINVAL) are accepted: there is
 * nothing more to ask of them. */
#ifndef CZ_FSUTIL_H
#define CZ_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every function here keeps the cause of a failure: errno becomes
 * CZ_EDISKFULL (ENOSPC, EDQUOT), CZ_EREADONLY (EROFS), CZ_EACCESS
 * (EACCES, EPERM), CZ_ENOTFOUND (ENOENT), CZ_ENOMEM, else CZ_EIO; "CZ_EIO"
 * below stands for any of these. */
int cz_fs_errno_status(int err);

/* The same failure when the file was being written onto a USB stick (or
 * the folder standing in for one, `stick`): a full disk is a full stick
 * (CZ_ESTICKFULL), a read-only one a write-protected stick (CZ_ESTICKRO,
 * also EACCES when the stick is mounted read-only), since the fix differs
 * from that of this PC's own disk.  Other statuses are returned as given. */
int cz_fs_stick_status(const char *stick, int status);

/* fsync on the folder itself, so a rename or a new name in it is durable.
 * CZ_OK (also when the driver refuses with EINVAL) or CZ_EIO. */
int cz_fs_fsync_dir(const char *path);

/* mkdir -p with `mode` for the folders made; the parent of each folder
 * made is fsynced, so the chain survives a stick pulled out right after.
 * CZ_EIO when a folder cannot be made or a part before the last is not a
 * folder; a last part that exists already counts as made (even a plain
 * file: the write into it fails then).  CZ_EINVAL: empty or too long. */
int cz_fs_make_dirs(const char *path, mode_t mode);

/* Folders on a stick are hostile: a `cunzhan` folder that is a symlink
 * would send writes and reads anywhere on this PC.  These never follow a
 * link below `base` (base itself is the user's choice and may be one).
 *
 * mkdir -p of `rel` (relative, '/'-separated) inside base: each part is
 * made with mkdirat (its parent fsynced) and opened with
 * O_NOFOLLOW|O_DIRECTORY; a missing base is made first (cz_fs_make_dirs).
 * CZ_ENOTPLAIN when a part is a symlink or not a folder, CZ_EIO when base
 * cannot be opened or made or a part cannot be made,
 * CZ_EINVAL for an empty, absolute or too long rel, or a part "..". */
int cz_fs_make_dirs_under(const char *base, const char *rel, mode_t mode);

/* Opens the folder `name` inside dirfd (AT_FDCWD: the working folder)
 * without following a final symlink.  CZ_ENOTFOUND, CZ_ENOTPLAIN (a link
 * or not a folder), CZ_EIO. */
int cz_fs_open_dir(int dirfd, const char *name, int *fd);

/* Opens `name` inside dirfd (AT_FDCWD: the working folder) for reading
 * only if it is a regular file: looked at first without following a link
 * (a device is never opened), then opened O_NOFOLLOW|O_NONBLOCK (a FIFO
 * swapped in would otherwise block the open for ever), fstat'ed (the same
 * regular file), and the descriptor made blocking again.  CZ_ENOTFOUND, CZ_ENOTPLAIN (a
 * symlink, FIFO, device, socket or folder), CZ_EIO. */
int cz_fs_open_regular(int dirfd, const char *name, int *fd);

/* Writes bytes as `path` atomically: a temp file (mode 0600, named
 * ".<first 16 bytes of the name>.tmp-XXXXXX", so folder scans that skip
 * dot files skip it) in path's folder, which must exist; write, fsync,
 * rename, fsync the folder.  On failure the temp file is removed and the
 * old file, if any, is left as it was (unless only the final folder fsync
 * failed: then the new file is in place but not known to be durable, and
 * CZ_EIO is returned all the same). */
int cz_fs_write_atomic(const char *path, const void *bytes, size_t len);

#endif
