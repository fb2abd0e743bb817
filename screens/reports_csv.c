/* reports_csv.c — the report as CSV onto a USB stick (reports_csv.h). */
#include "reports_csv.h"
#include "bundle.h"
#include "confirm.h"
#include "fsutil.h"
#include "overview.h"
#include "report.h"
#include "stickfind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Where the file goes: a mounted stick (picked when there are several),
 * or this PC's station folder.  0, or -1 when the person cancelled. */
static int where_to(struct ui *ui, char *base, size_t size, int *on_stick)
{
    struct cz_stick_places places;
    struct cz_stick *sticks = NULL;
    size_t n = 0;
    cz_stick_places_default(&places);
    if (cz_sticks_find(&places, &sticks, &n) != CZ_OK) n = 0;
    *on_stick = n > 0;
    if (n == 0) snprintf(base, size, "%s", cz_station_dir(ui->st));
    else if (n == 1) snprintf(base, size, "%s", sticks[0].mount);
    else {
        const char **items = calloc(n, sizeof *items);
        int got = -1;
        for (size_t i = 0; items && i < n; i++) items[i] = sticks[i].mount;
        if (items) got = ui_pick(ui, T(ui, "Which USB stick?", "写到哪个U盘？"), items, n, 0);
        if (got >= 0) snprintf(base, size, "%s", sticks[got].mount);
        free(items);
        if (got < 0) { free(sticks); return -1; }
    }
    free(sticks);
    return 0;
}

static int report_bytes(struct ui *ui, const char *region, char **csv, size_t *len)
{
    cz_view *v = NULL;
    struct cz_report r;
    int rc = cz_view_begin(ui->st, &v);
    if (!rc) rc = cz_report_build(cz_view_txn(v), cz_station_info(ui->st)->office_root, region, &r);
    if (!rc) {
        rc = cz_report_csv(&r, csv, len);
        cz_report_free(&r);
    }
    cz_view_end(v);
    return rc;
}

void reports_csv_to_stick(struct ui *ui, const char *region)
{
    char base[4096], folder[4200], name[96], when[32], path[4400], target[4400];
    char *csv = NULL;
    size_t len = 0;
    int on_stick = 0, rc;
    time_t now = time(NULL);
    struct tm tm;
    if (where_to(ui, base, sizeof base, &on_stick)) return;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
    snprintf(name, sizeof name, "report-%s-%s.csv", region[0] ? region : "all", when);
    snprintf(folder, sizeof folder, "%s/%s", base, on_stick ? "cunzhan/reports" : "reports");
    snprintf(target, sizeof target, "%s/%s", folder, name);
    const char *lines[] = {
        on_stick ? T(ui, "Write the report shown as CSV to the USB stick:", "把当前报表写成CSV存到U盘：")
                 : T(ui, "No USB stick found. Write the report shown as CSV on this PC:",
                     "没有找到U盘。把当前报表写成CSV存在本机："),
        target,
        T(ui, "It holds the figures only (counts and sums), no personal data.",
          "其中只有统计数字（户数、人数、金额），没有个人信息。"),
    };
    if (!confirm_lines(ui, T(ui, "Write the report", "写出报表"), lines, 3,
                       T(ui, "Enter: write   Esc: cancel", "回车：写出   Esc：取消")))
        return;
    if ((rc = report_bytes(ui, region, &csv, &len))) { ui_status_message(ui, rc); return; }
    if (on_stick)
        rc = cz_file_write_under(base, "cunzhan/reports", name, (const uint8_t *)csv, len, path, sizeof path);
    else if (!(rc = cz_fs_make_dirs(folder, 0700)))
        rc = cz_file_write_atomic(folder, name, (const uint8_t *)csv, len, path, sizeof path);
    free(csv);
    if (rc) {
        ui_message(ui, 1, "%s: %s", on_stick ? base : folder, cz_strerror(rc, ui->lang));
        return;
    }
    ui_message(ui, 0, T(ui, "Written: %s (%zu bytes)", "已写入：%s（%zu 字节）"), path, len);
}
