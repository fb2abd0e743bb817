/* printing.c — where the screens print to, and what they say (printing.h). */
#include "printing.h"
#include "confirm.h"
#include "fsutil.h"
#include "station.h"
#include "stickfind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STICK_FOLDER "cunzhan/print"

/* A failure in a box, wrapped: the message line would cut a long path
 * before the cause, and the person needs both.  Left on the message line
 * after. */
static void failed(struct ui *ui, const char *msg)
{
    const char *lines[] = { T(ui, "Nothing was written:", "没有写出文件："), msg };
    confirm_lines(ui, T(ui, "Not printed", "没有打印"), lines, 2, T(ui, "Enter: OK", "回车：确定"));
    ui_message(ui, 1, "%s", msg);
}

/* The card and the notice name people; the report only counts them. */
static int personal(const char *doc) { return strcmp(doc, "report") != 0; }

/* The folder chosen: this PC's (0), a stick's mount (1), or none (-1,
 * cancelled).  Without a stick plugged in there is nothing to ask. */
static int where_to(struct ui *ui, const char *pc, char *mount, size_t size)
{
    struct cz_stick_places places;
    struct cz_stick *sticks = NULL;
    size_t n = 0;
    cz_stick_places_default(&places);
    if (cz_sticks_find(&places, &sticks, &n) != CZ_OK || n == 0) {
        free(sticks);
        return 0;
    }
    char (*text)[4200] = calloc(n + 1, sizeof *text);
    const char **items = calloc(n + 1, sizeof *items);
    int got = 0;   /* no memory for the list: this PC, the default */
    if (text && items) {
        snprintf(text[0], sizeof text[0], T(ui, "This PC: %s", "本机：%s"), pc);
        for (size_t i = 0; i < n; i++)
            snprintf(text[i + 1], sizeof text[i + 1], T(ui, "USB stick: %s", "U盘：%s"), sticks[i].mount);
        for (size_t i = 0; i <= n; i++) items[i] = text[i];
        got = ui_pick(ui, T(ui, "Where should the PDF go?", "PDF 存到哪里？"), items, n + 1, 0);
    }
    if (got > 0) snprintf(mount, size, "%s", sticks[got - 1].mount);
    free(items);
    free(text);
    free(sticks);
    return got < 0 ? -1 : got > 0;
}

/* A PDF on a stick is not encrypted: one that names people goes there
 * only when the person says so, having been told. */
static int stick_agreed(struct ui *ui, const char *doc, const char *path)
{
    if (!personal(doc)) return 1;
    const char *lines[] = {
        T(ui, "Write personal data to the USB stick, unencrypted?", "把个人信息不加密写到U盘上吗？"),
        T(ui, "This PDF names people (names, ages, incomes, the last four of ID numbers). A PDF on a stick is "
              "not encrypted: whoever has the stick can read it.",
          "这份 PDF 含有个人信息（姓名、年龄、收入、身份证号后四位）。写到U盘上的 PDF 不加密：谁拿到这个U盘都能看到。"),
        path,
    };
    if (confirm_lines(ui, T(ui, "Personal data", "个人信息"), lines, 3,
                      T(ui, "Enter: write to the stick   Esc: do not write", "回车：写到U盘   Esc：不写")))
        return 1;
    ui_message(ui, 0, "%s", T(ui, "Nothing was written to the stick.", "没有写到U盘上。"));
    return 0;
}

int printing_path(struct ui *ui, const char *doc, const char *what, char *path, size_t size)
{
    char dir[4096], name[256], mount[4096];
    if (snprintf(dir, sizeof dir, "%s/print", cz_station_dir(ui->st)) >= (int)sizeof dir ||
        cz_print_file_name(doc, what, name, sizeof name) >= (int)sizeof name) {
        ui_status_message(ui, CZ_EINVAL);
        return CZ_EINVAL;
    }
    int where = where_to(ui, dir, mount, sizeof mount), rc;
    if (where < 0) {
        ui_message(ui, 0, "%s", T(ui, "Nothing was printed.", "没有打印。"));
        return -1;
    }
    if (where > 0 && snprintf(dir, sizeof dir, "%s/%s", mount, STICK_FOLDER) >= (int)sizeof dir) dir[0] = 0;
    if (!dir[0] || snprintf(path, size, "%s/%s", dir, name) >= (int)size) {
        ui_status_message(ui, CZ_EINVAL);
        return CZ_EINVAL;
    }
    if (where > 0 && !stick_agreed(ui, doc, path)) return -1;
    /* A stick's folders are made without following a link on it. */
    rc = where > 0 ? cz_fs_stick_status(mount, cz_fs_make_dirs_under(mount, STICK_FOLDER, 0700))
                   : cz_fs_make_dirs(dir, 0700);
    if (rc) {
        char msg[4400];
        snprintf(msg, sizeof msg, "%s: %s", where > 0 ? mount : dir, cz_strerror(rc, ui->lang));
        failed(ui, msg);
    }
    return rc;
}

/* Whether path is in this station's own print folder (printing_path
 * made it): anywhere else is a stick. */
static int on_this_pc(struct ui *ui, const char *path)
{
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s/print/", cz_station_dir(ui->st));
    return n > 0 && n < (int)sizeof dir && !strncmp(path, dir, (size_t)n);
}

void printing_said(struct ui *ui, int rc, const struct cz_print_out *o)
{
    char msg[4400];
    if (rc) {
        char folder[4096];
        const char *slash = strrchr(o->path, '/');
        snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - o->path) : 1, slash ? o->path : ".");
        /* A full or write-protected stick is said as such: the fix is the
         * stick's, not this PC's disk. */
        if (!on_this_pc(ui, o->path)) rc = cz_fs_stick_status(folder, rc);
        cz_print_message(rc, o, ui->lang, msg, sizeof msg);
        failed(ui, msg);
        return;
    }
    /* The whole path, wrapped in a box: the message line would cut it,
     * and the person has to find the file. */
    char pages[160];
    snprintf(pages, sizeof pages, T(ui, "%zu pages, A4. Open the file to print it on paper:",
                                    "共 %zu 页（A4）。打开这个文件即可打印："), o->pages);
    const char *lines[] = { pages, o->path };
    confirm_lines(ui, T(ui, "Printed", "已生成"), lines, 2, T(ui, "Enter: OK", "回车：确定"));
    ui_message(ui, 0, "%s %s", T(ui, "Printed:", "已生成："), o->path);
}
