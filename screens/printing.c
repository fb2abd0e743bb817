/* printing.c — where the screens print to, and what they say (printing.h). */
#include "printing.h"
#include "confirm.h"
#include "fsutil.h"
#include "station.h"

#include <stdio.h>
#include <string.h>

int printing_path(struct ui *ui, const char *doc, const char *what, char *path, size_t size)
{
    char dir[4096], name[256];
    if (snprintf(dir, sizeof dir, "%s/print", cz_station_dir(ui->st)) >= (int)sizeof dir ||
        cz_print_file_name(doc, what, name, sizeof name) >= (int)sizeof name ||
        snprintf(path, size, "%s/%s", dir, name) >= (int)size) {
        ui_status_message(ui, CZ_EINVAL);
        return CZ_EINVAL;
    }
    int rc = cz_fs_make_dirs(dir, 0700);
    if (rc) ui_message(ui, 1, "%s: %s", dir, cz_strerror(rc, ui->lang));
    return rc;
}

void printing_said(struct ui *ui, int rc, const struct cz_print_out *o)
{
    char msg[1024];
    if (rc) {
        cz_print_message(rc, o, ui->lang, msg, sizeof msg);
        ui_message(ui, 1, "%s", msg);
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
