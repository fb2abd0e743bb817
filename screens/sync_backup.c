/* sync_backup.c — Backup on the Sync screen: the same file as `cunzhan
 * backup` (backup.h, cz_backup_write_with) on the stick chosen there. */
#include "backup.h"
#include "progress.h"
#include "status.h"
#include "stick.h"
#include "stickfind.h"
#include "sync.h"
#include "sync_backup.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define INFO_COLS 76

static int add(struct list *info, const char *text)
{
    return list_add(info, text, NULL, 0, 0);
}

void sync_info_wrapped(struct ui *ui, struct list *info, int indent, const char *p)
{
    char line[4400];
    while (*p) {
        size_t cols, n, len = strlen(p);
        int trimmed;
        n = ui_width(p, len, (size_t)(INFO_COLS - indent), &cols, &trimmed);
        if (trimmed) {
            size_t k = n;
            while (k > 0 && p[k - 1] != ' ' && p[k - 1] != '/') k--;
            if (k > n / 2) n = k;              /* at a space or a '/', when there is one */
        }
        if (n == 0) break;
        snprintf(line, sizeof line, "%*s%.*s", indent, "", (int)n, p);
        add(info, line);
        p += n;
        while (*p == ' ') p++;
    }
}

void sync_info_failure(struct ui *ui, struct list *info, const char *head, const char *where, int rc)
{
    char line[4400];
    snprintf(line, sizeof line, where ? "%s: %s" : "%s", head, where);
    sync_info_wrapped(ui, info, 2, line);
    sync_info_wrapped(ui, info, 4, cz_strerror(rc, ui->lang));
}

void sync_backup(struct ui *ui, const char *folder, struct list *info)
{
    struct cz_backup_result res;
    struct progress p;
    char line[4400], size[32];
    progress_start(&p, ui, T(ui, "Backup of this station", "备份本站"));
    struct cz_progress pr = { .fn = progress_cb, .ctx = &p };
    int rc = cz_backup_write_with(ui->st, folder, &pr, &res);
    list_clear(info);
    add(info, T(ui, "Backup:", "备份："));
    if (rc) {
        /* A stick that changed what was written keeps no file that looks
         * like a good backup. */
        int removed = rc == CZ_EREADBACK && res.path[0] && unlink(res.path) == 0;
        sync_info_failure(ui, info, T(ui, "not written", "未写入"), folder, rc);
        if (removed) {
            snprintf(line, sizeof line, T(ui, "    the file that did not read back was removed: %s",
                                          "    读回不一致的文件已删除：%s"), res.path);
            add(info, line);
        }
        ui_message(ui, 1, "%s", T(ui, "The backup failed (see below); this station is unchanged",
                                  "备份失败（见下）；本站数据没有改变"));
        return;
    }
    cz_stick_size_text(res.bytes, size, sizeof size);
    sync_info_wrapped(ui, info, 2, res.path);
    snprintf(line, sizeof line, T(ui, "  %zu entries, %zu people's keys, %zu bytes (%s); read back and compared",
                                  "  %zu 条记录，%zu 位用户的密钥，%zu 字节（%s）；已读回核对"),
             res.entries, res.people, res.bytes, size[0] ? size : "-");
    add(info, line);
    sync_info_wrapped(ui, info, 2, T(ui, "Keep the stick somewhere safe: Restore on this screen, or `cunzhan -C NEW-FOLDER restore FILE`",
                                     "请妥善保管此U盘：可在本屏“恢复”，或用 `cunzhan -C 新文件夹 restore 文件`"));
    ui_message(ui, 0, T(ui, "Backup written: %zu entries, %zu bytes", "备份已写入：%zu 条记录，%zu 字节"),
               res.entries, res.bytes);
}
