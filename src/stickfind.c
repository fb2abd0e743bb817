#include "stickfind.h"

#include "fsutil.h"
#include "grow.h"
#include "status.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cz_stick_places_default(struct cz_stick_places *p)
{
    const char *sys = getenv("CUNZHAN_SYSFS_ROOT"), *udev = getenv("CUNZHAN_UDEV_DATA"),
               *mounts = getenv("CUNZHAN_MOUNTS");
    *p = (struct cz_stick_places){
        .sysfs = sys && *sys ? sys : "/sys",
        .udev = udev && *udev ? udev : "/run/udev/data",
        .mounts = mounts && *mounts ? mounts : "/proc/self/mountinfo",
    };
}

/* A string cut to fit; src may be dst. */
static void put_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memmove(dst, src, n);
    dst[n] = 0;
}

/* dir/name into buf; -1 when it does not fit (then buf is unusable). */
static int join(char *buf, size_t size, const char *dir, const char *name)
{
    int len = snprintf(buf, size, "%s/%s", dir, name);
    return len < 0 || (size_t)len >= size ? -1 : 0;
}

/* One block device as sysfs and udev describe it. */
struct blk {
    char name[64];
    size_t disk;            /* its disk's index; its own for a disk */
    char majmin[24];
    char dmname[128];
    char slave[64];         /* the first device it is built on (dm) */
    int holders;            /* something (dm, md) is built on it */
    int removable, cdrom, emmc, has_parts, size_known, udev_known;
    int mounted, system, listed;
    char bus[12];
    char fstype[32], label[128];
    uint64_t bytes;
};

struct table {
    struct blk *v;
    size_t n, cap;
};

/* The first line of a small sysfs file, without its newline; 0 when read. */
static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *ok = fgets(buf, (int)size, f);
    fclose(f);
    if (!ok) return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static void udev_props(const char *udev, struct blk *b)
{
    char path[4096], line[512];
    if (!b->majmin[0]) return;
    snprintf(path, sizeof path, "%s/b%s", udev, b->majmin);
    FILE *f = fopen(path, "r");
    if (!f) return;
    b->udev_known = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strcmp(line, "E:ID_BUS=usb") || !strncmp(line, "E:ID_USB_DRIVER=", 16)) put_str(b->bus, sizeof b->bus, "usb");
        else if (!strcmp(line, "E:ID_CDROM=1")) b->cdrom = 1;
        else if (!strncmp(line, "E:ID_FS_TYPE=", 13)) put_str(b->fstype, sizeof b->fstype, line + 13);
        else if (!strncmp(line, "E:ID_FS_LABEL=", 14)) put_str(b->label, sizeof b->label, line + 14);
    }
    fclose(f);
}

/* The bus a sysfs device path runs through, relative to the sysfs root so
 * that the folder a fake tree sits in cannot count: a USB device's path
 * holds usbN (the root hub), an SD card's mmc_host or mmcN:RCA. */
static const char *bus_of_path(const char *root_real, const char *path)
{
    char real[PATH_MAX];
    size_t rl = strlen(root_real);
    if (!realpath(path, real) || strncmp(real, root_real, rl) || real[rl] != '/') return NULL;
    for (char *save = NULL, *c = strtok_r(real + rl, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strncmp(c, "usb", 3) && c[3] && strspn(c + 3, "0123456789") == strlen(c + 3)) return "usb";
        if (!strcmp(c, "mmc_host") || (!strncmp(c, "mmc", 3) && isdigit((unsigned char)c[3]) && strchr(c, ':')))
            return "mmc";
    }
    return NULL;
}

/* dir is at most 64 bytes shorter than the buffers here (read_sysfs,
 * read_parts), so the short names joined to it fit. */
static void read_common(const char *dir, const char *udev, struct blk *b)
{
    char path[8192], line[64];
    join(path, sizeof path, dir, "dev");
    if (read_line(path, b->majmin, sizeof b->majmin)) b->majmin[0] = 0;
    join(path, sizeof path, dir, "size");
    if (!read_line(path, line, sizeof line)) {
        b->size_known = 1;
        b->bytes = strtoull(line, NULL, 10) * 512u;
    }
    join(path, sizeof path, dir, "holders");
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') b->holders = 1;
    if (d) closedir(d);
    udev_props(udev, b);
}

static int add(struct table *t, const char *name, struct blk **out)
{
    int rc = cz_grow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    if (rc) return rc;
    *out = &t->v[t->n];
    **out = (struct blk){ .disk = t->n };
    put_str((*out)->name, sizeof (*out)->name, name);
    t->n++;
    return CZ_OK;
}

static void read_disk(const char *dir, const char *root_real, const char *udev, struct blk *b)
{
    char path[8192], line[64];
    read_common(dir, udev, b);
    join(path, sizeof path, dir, "removable");
    b->removable = !read_line(path, line, sizeof line) && line[0] == '1';
    join(path, sizeof path, dir, "device/type");
    b->emmc = !read_line(path, line, sizeof line) && !strcmp(line, "MMC");
    join(path, sizeof path, dir, "dm/name");
    if (read_line(path, b->dmname, sizeof b->dmname)) b->dmname[0] = 0;
    b->cdrom |= !strncmp(b->name, "sr", 2);
    if (!b->bus[0]) {
        const char *bus = bus_of_path(root_real, dir);
        join(path, sizeof path, dir, "device");
        if (!bus) bus = bus_of_path(root_real, path);
        if (bus) put_str(b->bus, sizeof b->bus, bus);
    }
    join(path, sizeof path, dir, "slaves");
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && !b->slave[0]) put_str(b->slave, sizeof b->slave, e->d_name);
    if (d) closedir(d);
}

/* The disk's partitions: the folders in it named after it (sdb1 in sdb,
 * mmcblk0p1 in mmcblk0). */
static int read_parts(struct table *t, size_t disk, const char *dir, const char *udev)
{
    char path[8192];
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = CZ_OK;
    size_t nl = strlen(t->v[disk].name);
    while (rc == CZ_OK && d && (e = readdir(d))) {
        struct stat sb;
        struct blk *b;
        if (strncmp(e->d_name, t->v[disk].name, nl) || !e->d_name[nl] || strlen(e->d_name) >= sizeof b->name) continue;
        if (join(path, sizeof path, dir, e->d_name) || strlen(path) > sizeof path - 64) continue;
        if (stat(path, &sb) || !S_ISDIR(sb.st_mode)) continue;
        if ((rc = add(t, e->d_name, &b))) break;
        b->disk = disk;
        t->v[disk].has_parts = 1;
        read_common(path, udev, b);
    }
    if (d) closedir(d);
    return rc;
}

static int read_sysfs(const struct cz_stick_places *p, struct table *t)
{
    char dir[4096], root_real[PATH_MAX], path[8192];
    if (join(dir, sizeof dir, p->sysfs, "block")) return CZ_OK;
    if (!realpath(p->sysfs, root_real)) return CZ_OK;
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = CZ_OK;
    while (rc == CZ_OK && d && (e = readdir(d))) {
        struct blk *b;
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof b->name) continue;
        if (join(path, sizeof path, dir, e->d_name) || strlen(path) > sizeof path - 64) continue;
        if ((rc = add(t, e->d_name, &b))) break;
        size_t at = t->n - 1;
        read_disk(path, root_real, p->udev, b);
        rc = read_parts(t, at, path, p->udev);
    }
    if (d) closedir(d);
    return rc;
}

static struct blk *by_name(struct table *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].name, name)) return &t->v[i];
    return NULL;
}

/* A dm device takes the bus of what it is built on, through a few layers
 * (LUKS over LVM over a USB partition). */
static void judge_dm(struct table *t)
{
    for (int round = 0; round < 4; round++)
        for (size_t i = 0; i < t->n; i++) {
            struct blk *b = &t->v[i], *s = b->slave[0] ? by_name(t, b->slave) : NULL;
            if (s && !b->bus[0] && t->v[s->disk].bus[0]) put_str(b->bus, sizeof b->bus, t->v[s->disk].bus);
        }
}

static int is_stick(const struct table *t, const struct blk *b)
{
    const struct blk *d = &t->v[b->disk];
    if (d->cdrom || b->cdrom || d->system) return 0;
    if (!strcmp(d->bus, "usb")) return 1;
    if (!strcmp(d->bus, "mmc")) return !d->emmc;
    return d->removable;
}

/* ---- the mount table ---- */

/* The kernel writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
}

struct mnt {
    char *majmin, *root, *point, *source;
};

/* A line of mountinfo ("36 35 8:17 / /media/u rw - vfat /dev/sdb1 rw") or
 * of /proc/mounts ("/dev/sdb1 /media/u vfat rw 0 0"); 0 when it reads. */
static int parse_mount(char *line, struct mnt *m)
{
    char *tok[64], *save = NULL;
    int n = 0;
    for (char *w = strtok_r(line, " \t\n", &save); w && n < 64; w = strtok_r(NULL, " \t\n", &save)) tok[n++] = w;
    *m = (struct mnt){ 0 };
    if (n >= 2 && tok[0][0] == '/') {
        m->point = tok[1];
        m->source = tok[0];
        return 0;
    }
    for (int i = 6; i + 2 < n; i++)
        if (!strcmp(tok[i], "-") && strspn(tok[0], "0123456789") == strlen(tok[0])) {
            *m = (struct mnt){ .majmin = tok[2], .root = tok[3], .point = tok[4], .source = tok[i + 2] };
            return 0;
        }
    return -1;
}

static struct blk *by_source(struct table *t, const char *source)
{
    char real[PATH_MAX];
    if (!strncmp(source, "/dev/mapper/", 12)) {
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].dmname[0] && !strcmp(t->v[i].dmname, source + 12)) return &t->v[i];
    } else if (!strncmp(source, "/dev/", 5) && !strchr(source + 5, '/')) {
        return by_name(t, source + 5);
    }
    /* /dev/disk/by-label/..., or a mapper name sysfs does not show. */
    if (strncmp(source, "/dev/", 5) || !realpath(source, real) || !strcmp(real, source)) return NULL;
    return by_source(t, real);
}

static struct blk *mount_dev(struct table *t, const struct mnt *m)
{
    if (m->majmin && strncmp(m->majmin, "0:", 2))
        for (size_t i = 0; i < t->n; i++)
            if (!strcmp(t->v[i].majmin, m->majmin)) return &t->v[i];
    return m->source ? by_source(t, m->source) : NULL;
}

static int is_system_point(const char *p)
{
    return !strcmp(p, "/") || !strcmp(p, "/boot") || !strncmp(p, "/boot/", 6);
}

static int push(struct cz_stick **v, size_t *n, size_t *cap, const struct blk *b, const char *bus, const char *mount,
                enum cz_stick_state state)
{
    int rc = cz_grow(v, cap, *n + 1, sizeof **v);
    if (rc) return rc;
    struct cz_stick *s = &(*v)[*n];
    *s = (struct cz_stick){ .bytes = b->bytes, .state = state };
    snprintf(s->mount, sizeof s->mount, "%s", mount ? mount : "");
    put_str(s->dev, sizeof s->dev, b->name);
    if (b->dmname[0]) snprintf(s->node, sizeof s->node, "/dev/mapper/%s", b->dmname);
    else snprintf(s->node, sizeof s->node, "/dev/%s", b->name);
    put_str(s->bus, sizeof s->bus, bus[0] ? bus : "removable");
    put_str(s->fstype, sizeof s->fstype, b->fstype);
    put_str(s->label, sizeof s->label, b->label);
    (*n)++;
    return CZ_OK;
}

/* The mounted sticks, in table order; marks what is mounted and what is
 * the system's own disk.  Two passes: a disk is the system's when any of
 * its partitions is mounted at /, whichever line comes first. */
static int read_mounts(const char *path, struct table *t, struct cz_stick **v, size_t *n, size_t *cap)
{
    char line[8192];
    FILE *f = fopen(path, "r");
    int rc = CZ_OK;
    if (!f) return cz_fs_errno_status(errno);
    for (int pass = 0; pass < 2 && rc == CZ_OK; pass++) {
        rewind(f);
        while (rc == CZ_OK && fgets(line, sizeof line, f)) {
            struct mnt m;
            struct blk *b;
            if (parse_mount(line, &m) || !(b = mount_dev(t, &m))) continue;
            unescape(m.point);
            if (pass == 0) {
                b->mounted = 1;
                if (is_system_point(m.point)) t->v[b->disk].system = 1;
                continue;
            }
            if (b->listed || !is_stick(t, b) || (m.root && strcmp(m.root, "/"))) continue;
            if (strlen(m.point) >= sizeof (*v)->mount) continue;
            b->listed = 1;
            rc = push(v, n, cap, b, t->v[b->disk].bus, m.point, CZ_STICK_MOUNTED);
        }
    }
    fclose(f);
    return rc;
}

static int blk_order(const void *a, const void *b)
{
    return strcmp(((const struct blk *)a)->name, ((const struct blk *)b)->name);
}

/* Plugged in and not mounted: something that holds a file system (not a
 * disk's partition table, an extended partition's 1 KiB, swap, a
 * partition something else is built on), or an unopened LUKS stick. */
static int offerable(const struct table *t, const struct blk *b)
{
    if (b->mounted || b->listed || b->has_parts || b->holders || !is_stick(t, b)) return 0;
    if (b->size_known && b->bytes < 1024 * 1024) return 0;
    if (!strcmp(b->fstype, "swap")) return 0;
    return !b->udev_known || b->fstype[0];
}

static int scan(const struct cz_stick_places *p, int all, struct cz_stick **out, size_t *n)
{
    struct table t = { 0 };
    struct cz_stick *v = NULL;
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = read_sysfs(p, &t))) goto cleanup;
    judge_dm(&t);
    if ((rc = read_mounts(p->mounts, &t, &v, n, &cap)) || !all) goto cleanup;
    /* Sorted by name after the mount pass: the disk indexes go stale. */
    for (size_t i = 0; i < t.n; i++) {
        struct blk *d = &t.v[t.v[i].disk];
        t.v[i].system |= d->system;
        t.v[i].cdrom |= d->cdrom;
        t.v[i].emmc = d->emmc;
        t.v[i].removable = d->removable;
        if (!t.v[i].bus[0]) put_str(t.v[i].bus, sizeof t.v[i].bus, d->bus);
    }
    for (size_t i = 0; i < t.n; i++) t.v[i].disk = i;
    if (t.n) qsort(t.v, t.n, sizeof *t.v, blk_order);
    for (size_t i = 0; i < t.n; i++) t.v[i].disk = i;
    for (size_t i = 0; i < t.n && rc == CZ_OK; i++)
        if (offerable(&t, &t.v[i]))
            rc = push(&v, n, &cap, &t.v[i], t.v[i].bus, NULL,
                      !strcmp(t.v[i].fstype, "crypto_LUKS") ? CZ_STICK_LOCKED : CZ_STICK_UNMOUNTED);
cleanup:
    free(t.v);
    if (rc) { free(v); v = NULL; *n = 0; }
    *out = v;
    return rc;
}

int cz_sticks_scan(const struct cz_stick_places *p, struct cz_stick **out, size_t *n)
{
    return scan(p, 1, out, n);
}

int cz_sticks_find(const struct cz_stick_places *p, struct cz_stick **out, size_t *n)
{
    return scan(p, 0, out, n);
}
