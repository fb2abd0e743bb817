/* prefs.c — the saved settings file (prefs.h). */
#include "prefs.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void config_dir(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) snprintf(buf, size, "%s/cunzhan", xdg);
    else if (home && *home) snprintf(buf, size, "%s/.config/cunzhan", home);
    else buf[0] = 0;
}

void prefs_path(char *buf, size_t size)
{
    char dir[4000];
    config_dir(dir, sizeof dir);
    if (dir[0]) snprintf(buf, size, "%s/settings", dir);
    else buf[0] = 0;
}

void prefs_keymap_path(char *buf, size_t size)
{
    char dir[4000];
    config_dir(dir, sizeof dir);
    if (dir[0]) snprintf(buf, size, "%s/keys", dir);
    else buf[0] = 0;
}

int prefs_load(struct prefs *p, int *line)
{
    char path[4096], buf[256];
    struct prefs got = { .have_lang = 0, .lang = CZ_LANG_EN };
    int n = 0, rc = CZ_OK;
    *line = 0;
    memset(p, 0, sizeof *p);
    prefs_path(path, sizeof path);
    if (!path[0]) return CZ_OK;
    FILE *f = fopen(path, "r");
    /* No file is no settings; otherwise the cause is kept (fsutil.h). */
    if (!f) return errno == ENOENT ? CZ_OK : cz_fs_errno_status(errno);
    while (fgets(buf, sizeof buf, f)) {
        n++;
        size_t len = strlen(buf);
        if (len && buf[len - 1] == '\n') buf[--len] = 0;
        else if (!feof(f)) { rc = CZ_EINVAL; break; }   /* a line too long */
        if (len == 0 || buf[0] == '#') continue;
        if (!strcmp(buf, "lang=zh")) got.have_lang = 1, got.lang = CZ_LANG_ZH;
        else if (!strcmp(buf, "lang=en")) got.have_lang = 1, got.lang = CZ_LANG_EN;
        else { rc = CZ_EINVAL; break; }
    }
    if (ferror(f) && rc == CZ_OK) rc = cz_fs_errno_status(errno);
    fclose(f);
    if (rc == CZ_EINVAL) *line = n;
    if (rc == CZ_OK) *p = got;
    return rc;
}

int prefs_save(const struct prefs *p)
{
    char dir[4000], path[4096], text[128];
    int rc;
    config_dir(dir, sizeof dir);
    if (!dir[0]) return CZ_EIO;
    /* The cause is kept (a full disk, a folder not this user's): fsutil.h. */
    if ((rc = cz_fs_make_dirs(dir, 0700))) return rc;
    snprintf(path, sizeof path, "%s/settings", dir);
    int len = snprintf(text, sizeof text, "# cunzhan settings (written by the settings screen)\n%s",
                       p->have_lang ? (p->lang == CZ_LANG_ZH ? "lang=zh\n" : "lang=en\n") : "");
    return cz_fs_write_atomic(path, text, (size_t)len);
}
