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

/* fsync on the folder itself, so a rename or a new name in it is durable.
 * CZ_OK (also when the driver refuses with EINVAL) or CZ_EIO. */
int cz_fs_fsync_dir(const char *path);

/* mkdir -p with `mode` for the folders made; the parent of each folder
 * made is fsynced, so the chain survives a stick pulled out right after.
 * CZ_EIO when a folder cannot be made or a part before the last is not a
 * folder; a last part that exists already counts as made (even a plain
 * file: the write into it fails then).  CZ_EINVAL: empty or too long. */
int cz_fs_make_dirs(const char *path, mode_t mode);

/* Writes bytes as `path` atomically: a temp file (mode 0600, named
 * ".<first 16 bytes of the name>.tmp-XXXXXX", so folder scans that skip
 * dot files skip it) in path's folder, which must exist; write, fsync,
 * rename, fsync the folder.  On failure the temp file is removed and the
 * old file, if any, is left as it was (unless only the final folder fsync
 * failed: then the new file is in place but not known to be durable, and
 * CZ_EIO is returned all the same). */
int cz_fs_write_atomic(const char *path, const void *bytes, size_t len);

#endif
