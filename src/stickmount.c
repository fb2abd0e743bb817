/* stickmount.c — mounting a stick that is plugged in but not mounted
 * (stickfind.h): through udisksctl, or the line to run as root. */
#include "stickfind.h"

#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int cz_stick_can_udisks(void)
{
    const char *path = getenv("PATH");
    char buf[4096 + 32];
    while (path && *path) {
        size_t len = strcspn(path, ":");
        struct stat sb;
        snprintf(buf, sizeof buf, "%.*s/udisksctl", (int)(len ? len : 1), len ? path : ".");
        if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0) return 1;
        path += len;
        if (*path == ':') path++;
    }
    return 0;
}

/* Runs argv with no terminal (stdin /dev/null), its stdout and stderr into
 * out; its exit status, or -1 when it could not run. */
static int run_quiet(char *const argv[], char *out, size_t size)
{
    int pipefd[2], status = -1;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    size_t got = 0;
    out[0] = 0;
    if (pipe(pipefd)) return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc == 0) {
        char buf[512];
        ssize_t r;
        while ((r = read(pipefd[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
            for (ssize_t i = 0; i < r && got + 1 < size; i++) out[got++] = buf[i];
        out[got] = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    close(pipefd[0]);
    return status;
}

/* Where the stick named `dev` is mounted now; 0 when found. */
static int find_mount(const struct cz_stick_places *p, const char *dev, char *mount, size_t size)
{
    struct cz_stick *v = NULL;
    size_t n = 0;
    int found = -1;
    if (cz_sticks_find(p, &v, &n)) return -1;
    for (size_t i = 0; i < n && found; i++)
        if (!strcmp(v[i].dev, dev)) found = snprintf(mount, size, "%s", v[i].mount) >= (int)size;
    free(v);
    return found;
}

int cz_stick_mount(const struct cz_stick_places *p, const struct cz_stick *s, char *mount, size_t size, char *why,
                   size_t whysize)
{
    char node[sizeof s->node], out[2048];
    char *argv[] = { "udisksctl", "mount", "-b", node, "--no-user-interaction", NULL };
    snprintf(node, sizeof node, "%s", s->node);
    mount[0] = 0;
    why[0] = 0;
    if (!cz_stick_can_udisks()) return CZ_ENOUDISKS;
    int status = run_quiet(argv, out, sizeof out);
    snprintf(why, whysize, "%.*s", (int)strcspn(out, "\n"), out);
    if (status != 0) return CZ_EMOUNT;
    return find_mount(p, s->dev, mount, size) ? CZ_EMOUNT : CZ_OK;
}

static int owned_by_mount_option(const char *fstype)
{
    static const char *const fat[] = { "vfat", "msdos", "exfat", "ntfs", "ntfs3" };
    for (size_t i = 0; i < sizeof fat / sizeof fat[0]; i++)
        if (!strcmp(fstype, fat[i])) return 1;
    return 0;
}

void cz_stick_mount_line(const struct cz_stick *s, const char *where, char *buf, size_t size)
{
    unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
    const char *sudo = uid == 0 ? "" : "sudo ";
    char opts[64] = "";
    /* FAT has no owners: mounted by root it is root's, and this user could
     * not write bundles to it. */
    if (uid != 0 && owned_by_mount_option(s->fstype)) snprintf(opts, sizeof opts, "-o uid=%u,gid=%u ", uid, gid);
    if (s->state == CZ_STICK_LOCKED)
        snprintf(buf, size, "%scryptsetup open %s cunzhan-usb && %smkdir -p %s && %smount /dev/mapper/cunzhan-usb %s",
                 sudo, s->node, sudo, where, sudo, where);
    else
        snprintf(buf, size, "%smkdir -p %s && %smount %s%s %s", sudo, where, sudo, opts, s->node, where);
}

void cz_stick_size_text(uint64_t bytes, char *buf, size_t size)
{
    if (bytes >= 1000000000u) snprintf(buf, size, "%.1f GB", (double)bytes / 1e9);
    else if (bytes) snprintf(buf, size, "%u MB", (unsigned)(bytes / 1000000u));
    else if (size) buf[0] = 0;
}
