#include "fsutil.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int cz_fs_errno_status(int err)
{
    switch (err) {
    case 0: return CZ_OK;
    case ENOENT: return CZ_ENOTFOUND;
    case ENOMEM: return CZ_ENOMEM;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return CZ_EDISKFULL;
    case EROFS: return CZ_EREADONLY;
    case EACCES: case EPERM: return CZ_EACCESS;
    default: return CZ_EIO;
    }
}

int cz_fs_stick_status(const char *stick, int status)
{
    struct statvfs vfs;
    if (status == CZ_EDISKFULL) return CZ_ESTICKFULL;
    if (status == CZ_EREADONLY) return CZ_ESTICKRO;
    /* Some drivers answer EACCES for a write-protected medium. */
    if (status == CZ_EACCESS && stick && statvfs(stick, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) return CZ_ESTICKRO;
    return status;
}

#define ERRNO_STATUS() cz_fs_errno_status(errno)

int cz_fs_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ERRNO_STATUS();
    int rc = fsync(fd) == 0 || errno == EINVAL ? CZ_OK : ERRNO_STATUS();   /* some FAT drivers refuse dir fsync */
    close(fd);
    return rc;
}

int cz_fs_make_dirs(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0) return CZ_EINVAL;
    if (len >= sizeof buf) return CZ_EINVAL;
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p) continue;
        char saved = *p;
        *p = 0;
        if (mkdir(buf, mode) == 0) {
            char *slash = strrchr(buf, '/');
            if (slash && slash != buf) {
                *slash = 0;
                cz_fs_fsync_dir(buf);
                *slash = '/';
            }
        } else if (errno != EEXIST) {
            return ERRNO_STATUS();
        }
        *p = saved;
        if (!saved) break;
    }
    return CZ_OK;
}

int cz_fs_open_dir(int dirfd, const char *name, int *fd)
{
    *fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*fd >= 0) return CZ_OK;
    if (errno == ENOENT) return CZ_ENOTFOUND;
    /* O_NOFOLLOW on a symlink: ELOOP (Linux), EMLINK (FreeBSD); a file: ENOTDIR. */
    if (errno == ELOOP || errno == ENOTDIR || errno == EMLINK) return CZ_ENOTPLAIN;
    return ERRNO_STATUS();
}

int cz_fs_open_regular(int dirfd, const char *name, int *fd)
{
    struct stat sb, before;
    int rc;
    *fd = -1;
    /* Looked at first, so a device is never even opened (opening some has
     * effects: a tape rewinds, a modem hangs up). */
    if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0) return ERRNO_STATUS();
    if (!S_ISREG(before.st_mode)) return CZ_ENOTPLAIN;
    int f = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (f < 0) {
        if (errno == ENOENT) return CZ_ENOTFOUND;
        if (errno == ELOOP || errno == EMLINK || errno == ENXIO || errno == EISDIR) return CZ_ENOTPLAIN;
        return ERRNO_STATUS();
    }
    if (fstat(f, &sb) != 0) { rc = ERRNO_STATUS(); close(f); return rc; }
    /* Swapped for something else since it was looked at: refused too. */
    if (!S_ISREG(sb.st_mode) || sb.st_ino != before.st_ino || sb.st_dev != before.st_dev) {
        close(f);
        return CZ_ENOTPLAIN;
    }
    int fl = fcntl(f, F_GETFL);
    if (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0) { rc = ERRNO_STATUS(); close(f); return rc; }
    *fd = f;
    return CZ_OK;
}

int cz_fs_make_dirs_under(const char *base, const char *rel, mode_t mode)
{
    char buf[PATH_MAX];
    size_t len = strlen(rel);
    int dir, rc = CZ_OK;
    if (len == 0 || rel[0] == '/' || len >= sizeof buf) return CZ_EINVAL;
    memcpy(buf, rel, len + 1);
    /* base is the user's own path (`--to DIR`): made as asked when missing. */
    if ((dir = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno == ENOENT &&
        cz_fs_make_dirs(base, mode) == CZ_OK)
        dir = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return ERRNO_STATUS();
    for (char *part = buf, *save = NULL, *tok; (tok = strtok_r(part, "/", &save)); part = NULL) {
        int next;
        if (!strcmp(tok, "..")) { rc = CZ_EINVAL; break; }
        if (!strcmp(tok, ".")) continue;
        if (mkdirat(dir, tok, mode) == 0) {
            if (fsync(dir) != 0 && errno != EINVAL) { rc = ERRNO_STATUS(); break; }
        } else if (errno != EEXIST) {
            rc = ERRNO_STATUS();
            break;
        }
        if ((rc = cz_fs_open_dir(dir, tok, &next))) break;
        close(dir);
        dir = next;
    }
    close(dir);
    return rc;
}

int cz_fs_write_atomic(const char *path, const void *bytes, size_t len)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 32];
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    const uint8_t *p = bytes;
    int fd = -1, rc;
    if (!*name) return CZ_EINVAL;
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir) return CZ_EINVAL;
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (snprintf(tmp, sizeof tmp, "%s/.%.16s.tmp-XXXXXX", dir, name) >= (int)sizeof tmp) return CZ_EINVAL;
    if ((fd = mkstemp(tmp)) < 0) return ERRNO_STATUS();
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        /* A short write without an error is a full disk (write(2)). */
        if (w <= 0) { rc = w < 0 ? ERRNO_STATUS() : CZ_EDISKFULL; goto fail; }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) { rc = ERRNO_STATUS(); goto fail; }
    rc = close(fd);
    fd = -1;
    if (rc != 0) { rc = ERRNO_STATUS(); goto fail; }
    if (rename(tmp, path) != 0) { rc = ERRNO_STATUS(); goto fail; }
    return cz_fs_fsync_dir(dir);
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
    return rc;
}
