#include "stick.h"

#include "bundle.h"
#include "fsutil.h"
#include "grow.h"
#include "hex.h"
#include "status.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the bundles on a stick for one station ---- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_path(char ***out, size_t *n, size_t *cap, const char *a, const char *b, const char *c)
{
    int rc = cz_grow(out, cap, *n + 1, sizeof **out);
    if (rc) return rc;
    int len = c ? asprintf(&(*out)[*n], "%s/%s/%s", a, b, c) : asprintf(&(*out)[*n], "%s/%s", a, b);
    if (len < 0) return CZ_ENOMEM;
    (*n)++;
    return CZ_OK;
}

static int is_czb(const char *name)
{
    size_t l = strlen(name);
    return name[0] != '.' && l >= 5 && !strcmp(name + l - 4, ".czb");
}

/* Every *.czb under the station's inbox on the stick, in name order.  The
 * folders are walked with openat and O_NOFOLLOW (fsutil.h): a sender
 * folder that is a symlink is listed itself, so import names it refused
 * (CZ_ENOTPLAIN) instead of reading where it points; the files are not
 * opened here (import opens them as regular files only). */
static int list_inbox(int top_fd, const char *inbox, char ***out, size_t *n)
{
    size_t cap = 0;
    int rc = CZ_OK;
    DIR *top = fdopendir(top_fd);
    if (!top) { rc = cz_fs_errno_status(errno); close(top_fd); return rc; }
    struct dirent *d;
    while (rc == CZ_OK && (d = readdir(top))) {
        if (d->d_name[0] == '.') continue;
        int sfd;
        int src = cz_fs_open_dir(dirfd(top), d->d_name, &sfd);
        if (src == CZ_ENOTPLAIN) {
            struct stat sb;
            if (fstatat(dirfd(top), d->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
                rc = push_path(out, n, &cap, inbox, d->d_name, NULL);
            continue;
        }
        if (src) continue;
        DIR *sd = fdopendir(sfd);
        if (!sd) { close(sfd); continue; }
        struct dirent *f;
        while (rc == CZ_OK && (f = readdir(sd)))
            if (is_czb(f->d_name)) rc = push_path(out, n, &cap, inbox, d->d_name, f->d_name);
        closedir(sd);
    }
    closedir(top);
    if (rc == CZ_OK && *n) qsort(*out, *n, sizeof **out, by_name);
    return rc;
}

void cz_stick_bundles_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) free(files[i]);
    free(files);
}

int cz_stick_bundles(const char *stick, const uint8_t me[32], char ***files, size_t *n)
{
    char inbox[4096], hex[65], rel[96];
    int root, mid, top, rc;
    *files = NULL;
    *n = 0;
    cz_bundle_inbox(stick, me, inbox, sizeof inbox);
    cz_hex(me, 32, hex);
    snprintf(rel, sizeof rel, "%.16s", hex);
    /* The stick's own folder is the user's choice (it may be a link); no
     * link below it is followed. */
    if ((root = open(stick, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) return CZ_ENOTFOUND;
    rc = cz_fs_open_dir(root, "cunzhan", &mid);
    close(root);
    if (rc) return rc;
    rc = cz_fs_open_dir(mid, rel, &top);
    close(mid);
    if (rc) return rc;
    rc = list_inbox(top, inbox, files, n);
    if (rc) {
        cz_stick_bundles_free(*files, *n);
        *files = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- keeping a stick from filling up ---- */

int cz_stick_is_temp_name(const char *name)
{
    const char *dot = name[0] == '.' ? strstr(name + 1, ".tmp-") : NULL;
    size_t stem = dot ? (size_t)(dot - name - 1) : 0;
    if (!dot || stem < 1 || stem > 16 || strlen(dot + 5) != 6) return 0;
    for (const char *p = name + 1; p < dot; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') return 0;
    for (const char *p = dot + 5; *p; p++)
        if (!isalnum((unsigned char)*p)) return 0;
    return 1;
}

/* STICK/a/b/c, no link below the stick followed. */
static int open_parts(const char *stick, const char *const parts[3], int *fd)
{
    int cur, next, rc;
    *fd = -1;
    if ((cur = open(stick, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) return CZ_ENOTFOUND;
    for (int i = 0; i < 3; i++) {
        rc = cz_fs_open_dir(cur, parts[i], &next);
        close(cur);
        if (rc) return rc;
        cur = next;
    }
    *fd = cur;
    return CZ_OK;
}

/* STICK/cunzhan/<rcpt>/<sender> */
static int open_sender_dir(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], int *fd)
{
    char rhex[65], shex[65], r16[17], s16[17];
    cz_hex(rcpt, 32, rhex);
    cz_hex(sender, 32, shex);
    snprintf(r16, sizeof r16, "%.16s", rhex);
    snprintf(s16, sizeof s16, "%.16s", shex);
    const char *const parts[3] = { "cunzhan", r16, s16 };
    return open_parts(stick, parts, fd);
}

static int sweep_fd(int fd, int64_t now, int64_t min_age, size_t *swept)
{
    DIR *d = fdopendir(fd);
    *swept = 0;
    if (!d) {
        int rc = cz_fs_errno_status(errno);
        close(fd);
        return rc;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat sb;
        if (!cz_stick_is_temp_name(e->d_name)) continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode)) continue;
        if ((int64_t)sb.st_mtime > now || now - (int64_t)sb.st_mtime <= min_age) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) (*swept)++;
    }
    if (*swept) (void)fsync(dirfd(d));
    closedir(d);
    return CZ_OK;
}

int cz_stick_sweep_temps(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], int64_t now,
                         int64_t min_age, size_t *swept)
{
    int fd, rc = open_sender_dir(stick, rcpt, sender, &fd);
    *swept = 0;
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    return rc ? rc : sweep_fd(fd, now, min_age, swept);
}

int cz_stick_sweep_backup_temps(const char *stick, const uint8_t box[32], int64_t now, int64_t min_age, size_t *swept)
{
    char hex[65], b16[17];
    int fd, rc;
    cz_hex(box, 32, hex);
    snprintf(b16, sizeof b16, "%.16s", hex);
    const char *const parts[3] = { "cunzhan", "backup", b16 };
    *swept = 0;
    if ((rc = open_parts(stick, parts, &fd)) == CZ_ENOTFOUND) return CZ_OK;
    return rc ? rc : sweep_fd(fd, now, min_age, swept);
}

int cz_stick_drop_bundles(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], uint64_t from,
                          uint64_t below, const uint8_t keep[32], size_t *dropped)
{
    char keephex[65], keepname[80];
    int fd, rc = open_sender_dir(stick, rcpt, sender, &fd);
    *dropped = 0;
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    cz_hex(keep, 32, keephex);
    snprintf(keepname, sizeof keepname, "%s.czb", keephex);
    DIR *d = fdopendir(fd);
    if (!d) { rc = cz_fs_errno_status(errno); close(fd); return rc; }
    struct dirent *e;
    while ((e = readdir(d))) {
        int bf;
        if (!is_czb(e->d_name) || !strcmp(e->d_name, keepname)) continue;
        if (cz_fs_open_regular(dirfd(d), e->d_name, &bf)) continue;
        cz_bundle_reader *r = NULL;
        struct cz_bundle_header h;
        int hrc = cz_bundle_reader_open_fd(bf, &r, &h);
        int ours = hrc == CZ_OK && !memcmp(h.sender_box, sender, 32) && h.nrecipients == 1 &&
                   cz_bundle_addressed_to(&h, rcpt) && h.seq >= from && h.seq < below;
        cz_bundle_reader_close(r);
        close(bf);
        if (ours && unlinkat(dirfd(d), e->d_name, 0) == 0) (*dropped)++;
    }
    if (*dropped) (void)fsync(dirfd(d));
    closedir(d);
    return CZ_OK;
}

int cz_stick_has_bundle(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], const uint8_t id[32])
{
    char hex[65], name[80];
    struct stat sb;
    int fd, found;
    if (open_sender_dir(stick, rcpt, sender, &fd)) return 0;
    cz_hex(id, 32, hex);
    snprintf(name, sizeof name, "%s.czb", hex);
    found = fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
    close(fd);
    return found;
}
