/* sync.c — the Sync screen: choose a USB stick (or type a folder standing
 * in for one), see the peers this station exchanges with and when each
 * last synced, Export bundles for them and Import the bundles for this
 * station, each with a progress bar and a summary; Backup and Restore the
 * whole station (sync_backup.c, sync_restore.c).  Import is all or
 * nothing per bundle (sync.h): a refusal is shown with its reason and
 * changed nothing. */
#include "conflicts.h"
#include "data.h"
#include "hex.h"
#include "list.h"
#include "overview.h"
#include "progress.h"
#include "screens_all.h"
#include "stick.h"
#include "stickfind.h"
#include "sync.h"
#include "sync_backup.h"
#include "text.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

enum row_kind { ROW_STICK = 1, ROW_FOLDER, ROW_EXPORT, ROW_IMPORT, ROW_BACKUP, ROW_RESTORE };

struct sync {
    char path[4096];          /* the stick or folder chosen; "" none */
    struct cz_stick *sticks;
    size_t nsticks;
    struct list menu;         /* what to do */
    struct list info;         /* the peers, or the last summary (not selectable) */
    size_t info_top;          /* its first row shown; SIZE_MAX: the last page */
    int info_rows;            /* rows it had at the last draw */
    int summary;              /* info holds a summary */
};

/* An info row that names a file written ("    -> path"): drawn shortened
 * in the middle when too wide (path_fit), not cut at the edge. */
#define INFO_PATH 1
#define NAME_HEAD 16

static int add_info(struct sync *s, const char *text)
{
    return list_add(&s->info, text, NULL, 0, 0);
}

static void add_failure(struct ui *ui, struct sync *s, const char *head, const char *where, int rc)
{
    sync_info_failure(ui, &s->info, head, where, rc);
}

static void when(struct ui *ui, uint64_t ms, char *buf, size_t size)
{
    if (!ms) snprintf(buf, size, "%s", T(ui, "never", "从未"));
    else data_time((int64_t)(ms / 1000), buf, size);
}

/* The peers and when each last synced. */
static int load_peers(struct ui *ui, struct sync *s)
{
    struct cz_peer_status *peers = NULL;
    size_t n = 0;
    char sent[32], recv[32], line[512];
    const char *cells[] = { "  ", NULL, sent, recv };
    static const int widths[] = { 2, 26, 24, 0 };
    list_clear(&s->info);
    s->summary = 0;
    s->info_top = 0;
    int rc = cz_overview_peers(ui->st, &peers, &n);
    if (rc) return add_info(s, cz_strerror(rc, ui->lang));
    add_info(s, T(ui, "Exchanges with:", "同步对象："));
    snprintf(sent, sizeof sent, "%s", T(ui, "last sent", "上次导出"));
    snprintf(recv, sizeof recv, "%s", T(ui, "last received", "上次导入"));
    cells[1] = T(ui, "station", "站点");
    data_columns(line, sizeof line, cells, widths, 4);
    add_info(s, line);
    if (n == 0)
        add_info(s, T(ui, "  no station is enrolled yet: import a station's bundle, then enrol it",
                      "  还没有已认证的站点：请先导入村站的数据包，再认证"));
    for (size_t i = 0; i < n; i++) {
        when(ui, peers[i].sent_ms, sent, sizeof sent);
        when(ui, peers[i].received_ms, recv, sizeof recv);
        cells[1] = peers[i].peer.name;
        data_columns(line, sizeof line, cells, widths, 4);
        add_info(s, line);
    }
    free(peers);
    return CZ_OK;
}

/* A stick's row: where it is mounted, or that Enter mounts it. */
static void stick_row(struct ui *ui, const struct cz_stick *k, char *line, size_t size)
{
    char sz[32];
    if (k->state == CZ_STICK_MOUNTED) {
        snprintf(line, size, "  %s %s  (%s)", T(ui, "USB stick", "U盘"), k->mount, k->dev);
        return;
    }
    cz_stick_size_text(k->bytes, sz, sizeof sz);
    snprintf(line, size, "  %s %s%s%s%s%s: %s", T(ui, "USB stick", "U盘"), k->node, sz[0] ? " " : "", sz,
             k->label[0] ? " " : "", k->label,
             k->state == CZ_STICK_LOCKED ? T(ui, "encrypted, locked (Enter: how to open it)", "已加密，未解锁（回车：如何打开）")
                                         : T(ui, "not mounted, Enter mounts it", "未挂载，回车即挂载"));
}

static int load_menu(struct ui *ui, struct sync *s)
{
    struct cz_stick_places places;
    char line[4400];
    size_t sel = s->menu.sel, mounted = 0;
    free(s->sticks);
    s->sticks = NULL;
    s->nsticks = 0;
    list_clear(&s->menu);
    cz_stick_places_default(&places);
    if (cz_sticks_scan(&places, &s->sticks, &s->nsticks) != CZ_OK) s->nsticks = 0;
    while (mounted < s->nsticks && s->sticks[mounted].state == CZ_STICK_MOUNTED) mounted++;
    if (!s->path[0] && mounted == 1) snprintf(s->path, sizeof s->path, "%s", s->sticks[0].mount);
    for (size_t i = 0; i < s->nsticks; i++) {
        stick_row(ui, &s->sticks[i], line, sizeof line);
        if (list_add(&s->menu, line, NULL, ROW_STICK, 1)) return CZ_ENOMEM;
    }
    if (list_add(&s->menu, T(ui, "  Type a folder path...", "  输入文件夹路径..."), NULL, ROW_FOLDER, 1) ||
        list_add(&s->menu, T(ui, "  Export: write bundles for the stations below",
                             "  导出：为下列站点写入数据包"), NULL, ROW_EXPORT, 1) ||
        list_add(&s->menu, T(ui, "  Import: read the bundles for this station",
                             "  导入：读取发给本站的数据包"), NULL, ROW_IMPORT, 1) ||
        list_add(&s->menu, T(ui, "  Backup: this whole station to the stick",
                             "  备份：把本站全部数据写到U盘"), NULL, ROW_BACKUP, 1) ||
        list_add(&s->menu, T(ui, "  Restore: this station from a backup on the stick",
                             "  恢复：用U盘上的备份恢复本站"), NULL, ROW_RESTORE, 1))
        return CZ_ENOMEM;
    s->menu.sel = sel < s->menu.n ? sel : 0;
    return CZ_OK;
}

static void select_export(struct sync *s)
{
    for (size_t i = 0; s->path[0] && i < s->menu.n; i++)
        if (s->menu.rows[i].kind == ROW_EXPORT) s->menu.sel = i;
}

/* Enter on a stick not mounted: udisksctl mounts it and it is chosen; or
 * the lines below say how to mount (or open) it as root. */
static void mount_stick(struct ui *ui, struct sync *s, const struct cz_stick *k)
{
    struct cz_stick_places places;
    char mount[4096], why[512], line[4400];
    int rc = CZ_ENOUDISKS;
    cz_stick_places_default(&places);
    list_clear(&s->info);
    s->summary = 1;
    s->info_top = 0;
    if (k->state == CZ_STICK_UNMOUNTED && (rc = cz_stick_mount(&places, k, mount, sizeof mount, why, sizeof why)) == CZ_OK) {
        snprintf(s->path, sizeof s->path, "%s", mount);
        snprintf(line, sizeof line, T(ui, "Mounted %s at %s", "已挂载 %s 于 %s"), k->node, mount);
        add_info(s, line);
        load_menu(ui, s);
        select_export(s);
        return;
    }
    if (k->state == CZ_STICK_LOCKED)
        add_info(s, T(ui, "This stick is encrypted (LUKS): open it with its passphrase first.", "这个U盘已加密（LUKS）：请先用其口令打开。"));
    else
        add_failure(ui, s, k->node, why[0] && rc != CZ_ENOUDISKS ? why : NULL, rc);
    if (k->state == CZ_STICK_LOCKED && cz_stick_can_udisks()) {
        snprintf(line, sizeof line, "    udisksctl unlock -b %s", k->node);
        add_info(s, T(ui, "  In a terminal run (it asks the passphrase):", "  在终端中运行（会询问口令）："));
        add_info(s, line);
    }
    cz_stick_mount_line(k, "/mnt/usb", line + 4, sizeof line - 4);
    memcpy(line, "    ", 4);
    add_info(s, T(ui, "  Or as root run:", "  或以 root 身份运行："));
    add_info(s, line);
    add_info(s, T(ui, "  Then come back: the stick is listed mounted (Ctrl-L looks again).",
                  "  然后回到这里：U盘会显示为已挂载（Ctrl-L 重新查找）。"));
}

static int sync_open(struct ui *ui, struct screen *sc, const void *arg)
{
    struct sync *s = calloc(1, sizeof *s);
    if (!s) return CZ_ENOMEM;
    sc->state = s;
    int rc = load_menu(ui, s);
    if (!rc) rc = load_peers(ui, s);
    /* Start on Export when a stick is already chosen. */
    for (size_t i = 0; s->path[0] && i < s->menu.n; i++)
        if (s->menu.rows[i].kind == ROW_EXPORT) s->menu.sel = i;
    return rc;
}

/* A file's row "    -> dir/.../name" in cols columns: whole when it
 * fits; else the name's middle becomes "…" (its first 16 characters, as
 * many as tell a box key or a bundle's hash apart, and its extension),
 * so that the folders, which name the stations, stay whole; else the
 * folders too (the arrow, "…" and the name); else the name's end. */
static void path_fit(const char *row, int cols, char *out, size_t size)
{
    const char *arrow = strstr(row, "-> ");
    const char *rel = arrow ? arrow + 3 : row, *name = strrchr(rel, '/');
    snprintf(out, size, "%s", row);
    if (ui_cols(out) <= cols || !name) return;
    const char *ext = strrchr(name, '.');
    if (!ext || ext - name <= NAME_HEAD + 1) ext = "";
    snprintf(out, size, "%.*s\xe2\x80\xa6%s", (int)(name + 1 + NAME_HEAD - row), row, ext);
    if (strlen(name) > NAME_HEAD + 1 + strlen(ext) && ui_cols(out) <= cols) return;
    snprintf(out, size, "%.*s\xe2\x80\xa6%s", (int)(rel - row), row, name);
    if (ui_cols(out) <= cols) return;
    size_t len = strlen(name), keep = cols > 2 ? (size_t)cols - 1 : 1;
    snprintf(out, size, "\xe2\x80\xa6%s", name + (len > keep ? len - keep : 0));
}

/* The lines below the menu, from info_top; PgUp/PgDn scroll them. */
static void info_draw(struct ui *ui, struct sync *s, int y, int rows)
{
    char more[48];
    if (rows <= 0) return;
    s->info_rows = rows;
    size_t max_top = s->info.n > (size_t)rows ? s->info.n - (size_t)rows : 0;
    size_t top = s->info_top < max_top ? s->info_top : max_top;   /* info_top is kept as asked */
    for (int r = 0; r < rows && top + (size_t)r < s->info.n; r++) {
        const struct list_row *row = &s->info.rows[top + (size_t)r];
        char fit[1024];
        if (row->kind == INFO_PATH) path_fit(row->text, ui->cols, fit, sizeof fit);
        ui_text(ui, y + r, 0, row->kind == INFO_PATH ? fit : row->text, ui->cols, A_NORMAL);
    }
    if (max_top) {
        snprintf(more, sizeof more, " %zu-%zu/%zu ", top + 1, top + (size_t)rows, s->info.n);
        ui_text(ui, y + rows - 1, ui->cols - ui_cols(more) - 1, more, ui_cols(more), A_REVERSE);
    }
}

static void sync_draw(struct ui *ui, struct screen *sc)
{
    struct sync *s = sc->state;
    char line[4400];
    int y = UI_TOP;
    ui_text(ui, y++, 1, T(ui, "Sync: exchange bundles through a USB stick", "同步：用U盘交换数据包"), ui->cols - 2, A_BOLD);
    snprintf(line, sizeof line, "%s %s", T(ui, "Stick or folder:", "U盘或文件夹："),
             s->path[0] ? s->path
             : s->nsticks ? T(ui, "none chosen (choose a USB stick below)", "未选择（请在下面选择U盘）")
                          : T(ui, "none chosen (no USB stick found: type a folder)", "未选择（没有找到U盘：请输入文件夹）"));
    ui_text(ui, y++, 1, line, ui->cols - 2, A_NORMAL);
    y++;
    int mrows = (int)s->menu.n;
    list_draw(ui, &s->menu, y, mrows, 1);
    y += mrows + 1;
    info_draw(ui, s, y, ui->rows - 2 - y);
}

/* The folder is there and is a folder (a stick pulled out is not). */
static int folder_ok(struct ui *ui, struct sync *s)
{
    struct stat sb;
    if (!s->path[0]) {
        ui_message(ui, 1, "%s", T(ui, "Choose a USB stick or type a folder first", "请先选择U盘或输入文件夹"));
        return 0;
    }
    if (stat(s->path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        ui_message(ui, 1, "%s: %s", s->path, T(ui, "not there (was the stick pulled out?); nothing changed",
                                            "不存在（U盘被拔出了吗？）；没有任何改变"));
        return 0;
    }
    return 1;
}

static void do_export(struct ui *ui, struct sync *s)
{
    struct cz_peer *peers = NULL;
    size_t n = 0, files = 0, entries = 0, bytes = 0, failed = 0;
    char line[4400];
    if (!folder_ok(ui, s)) return;
    int rc = cz_sync_peers(ui->st, &peers, &n);
    if (rc) { ui_status_message(ui, rc); return; }
    if (n == 0) {
        ui_message(ui, 1, "%s", T(ui, "No station is enrolled yet: nothing to export", "还没有已认证的站点：没有可导出的内容"));
        free(peers);
        return;
    }
    list_clear(&s->info);
    s->summary = 1;
    s->info_top = SIZE_MAX;           /* the totals come last */
    add_info(s, T(ui, "Export results:", "导出结果："));
    for (size_t i = 0; i < n; i++) {
        struct progress p;
        struct cz_export_result res;
        snprintf(line, sizeof line, "%s %s", T(ui, "Export for", "导出给"), peers[i].name);
        progress_start(&p, ui, line);
        struct cz_progress pr = { .fn = progress_cb, .ctx = &p };
        rc = cz_sync_export_with(ui->st, s->path, &peers[i], 0, &pr, &res);
        if (rc) {
            /* A full or write-protected stick is fixed at the stick, a
             * full or damaged database at its folder. */
            char db[4200];
            snprintf(db, sizeof db, "%s/db", cz_station_dir(ui->st));
            add_failure(ui, s, peers[i].name, cz_status_is_stick(rc) ? s->path : cz_status_is_store(rc) ? db : NULL, rc);
            failed++;
            continue;
        }
        if (res.nothing_new) {
            snprintf(line, sizeof line, T(ui, "  %s: nothing new, no file written", "  %s：没有新内容，未写入文件"),
                     peers[i].name);
            add_info(s, line);
            continue;
        }
        files++;
        entries += res.entries;
        bytes += res.bytes;
        snprintf(line, sizeof line, T(ui, "  %s: %zu entries, %zu bytes", "  %s：%zu 条记录，%zu 字节"),
                 peers[i].name, res.entries, res.bytes);
        add_info(s, line);
        /* The file, within the stick (the rest of the path is shown above). */
        size_t pl = strlen(s->path);
        const char *rel = !strncmp(res.path, s->path, pl) && res.path[pl] == '/' ? res.path + pl + 1 : res.path;
        snprintf(line, sizeof line, "    -> %s", rel);
        list_add(&s->info, line, NULL, INFO_PATH, 0);
    }
    free(peers);
    snprintf(line, sizeof line, T(ui, "Files written: %zu, entries: %zu, bytes: %zu",
                                  "写入文件 %zu 个，记录 %zu 条，共 %zu 字节"), files, entries, bytes);
    add_info(s, "");
    add_info(s, line);
    if (failed) ui_message(ui, 1, "%s; %s", line, T(ui, "some exports failed (see below)", "部分导出失败（见下）"));
    else ui_message(ui, 0, "%s", line);
}

struct import_sum {
    struct ui *ui;
    struct sync *s;
    size_t bundles, applied, seen, notforus, refused;
    size_t fresh, duplicate, pending, forks, entries_refused, clock_ahead;
};

static void refused_entry(void *ctx, const uint8_t id[CZ_ID_BYTES], const uint8_t origin[32], int why)
{
    struct import_sum *is = ctx;
    char hex[65], fp[24], line[512];
    cz_hex(id, CZ_ID_BYTES, hex);
    cz_fingerprint(origin, fp);
    snprintf(line, sizeof line, "    %s %.16s (%s %s): %s", T(is->ui, "refused entry", "拒收记录"), hex,
             T(is->ui, "key", "密钥"), fp, cz_strerror(why, is->ui->lang));
    add_info(is->s, line);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* A bundle that could not be read at all (rc): the database's failure
 * names its folder. */
static void import_unread(struct ui *ui, struct sync *s, struct import_sum *is, const char *path, int rc)
{
    char line[4400];
    is->refused++;
    snprintf(line, sizeof line, "  %.16s: %s", base_name(path), T(ui, "not read; nothing changed", "未能读取；没有任何改变"));
    add_info(s, line);
    if (cz_status_is_store(rc)) {
        char db[4200];
        snprintf(db, sizeof db, "%s/db", cz_station_dir(ui->st));
        add_failure(ui, s, db, NULL, rc);
    } else {
        snprintf(line, sizeof line, "    %s", cz_strerror(rc, ui->lang));
        add_info(s, line);
    }
}

/* A bundle read: what it brought, or why it was set aside whole. */
static void import_noted(struct ui *ui, struct sync *s, struct import_sum *is, const char *path,
                         const struct cz_import_result *r)
{
    char line[4400];
    switch (r->status) {
    case CZ_OK:
        is->applied++;
        is->fresh += r->fresh;
        is->duplicate += r->duplicate;
        is->pending += r->pending;
        is->forks += r->forks;
        is->entries_refused += r->refused;
        is->clock_ahead += r->clock_ahead;
        snprintf(line, sizeof line, T(ui, "  %.16s: %zu new, %zu already had, %zu refused",
                                      "  %.16s：新增 %zu 条，已有 %zu 条，拒收 %zu 条"),
                 base_name(path), r->fresh, r->duplicate, r->refused);
        break;
    case CZ_ESEEN:
        is->seen++;
        snprintf(line, sizeof line, "  %.16s: %s", base_name(path), cz_strerror(r->status, ui->lang));
        break;
    case CZ_ENOTFORUS:
        is->notforus++;
        snprintf(line, sizeof line, "  %.16s: %s", base_name(path), cz_strerror(r->status, ui->lang));
        break;
    default:
        is->refused++;
        snprintf(line, sizeof line, "  %.16s: %s", base_name(path), T(ui, "refused whole; nothing changed", "整包拒收；没有任何改变"));
        add_info(s, line);
        snprintf(line, sizeof line, "    %s", cz_strerror(r->status, ui->lang));
        break;
    }
    add_info(s, line);
}

static void import_file(struct ui *ui, struct sync *s, struct import_sum *is, const char *path, size_t k, size_t n)
{
    struct progress p;
    struct cz_import_result res;
    char line[4400];
    snprintf(line, sizeof line, "%s %zu/%zu", T(ui, "Import", "导入"), k + 1, n);
    progress_start(&p, ui, line);
    is->bundles++;
    /* Streamed from the stick: memory stays flat whatever the bundle's size. */
    struct cz_progress pr = { .fn = progress_cb, .ctx = &p };
    int rc;
    /* An import that filled the database's map is run again once the map
     * has grown (store.h). */
    for (int tries = 0;; tries++) {
        rc = cz_sync_import_file_with(ui->st, path, refused_entry, is, &pr, &res);
        if (rc != CZ_EDBFULL || tries == 4) break;
    }
    if (rc) import_unread(ui, s, is, path, rc);
    else import_noted(ui, s, is, path, &res);
}

static void do_import(struct ui *ui, struct sync *s)
{
    char **files = NULL, line[1024];
    size_t n = 0, before = 0, after = 0;
    if (!folder_ok(ui, s)) return;
    int rc = cz_stick_bundles(s->path, cz_station_info(ui->st)->box_pk, &files, &n);
    if (rc == CZ_ENOTFOUND || (rc == CZ_OK && n == 0)) {
        ui_message(ui, 1, "%s: %s", s->path, cz_strerror(CZ_ENOSTICK, ui->lang));
        return;
    }
    if (rc) { ui_message(ui, 1, "%s: %s", s->path, cz_strerror(rc, ui->lang)); return; }
    cz_conflicts_count(ui->st, &before);
    list_clear(&s->info);
    s->summary = 1;
    s->info_top = SIZE_MAX;           /* the totals come last */
    add_info(s, T(ui, "Import results:", "导入结果："));
    struct import_sum is = { .ui = ui, .s = s };
    for (size_t k = 0; k < n; k++) import_file(ui, s, &is, files[k], k, n);
    cz_stick_bundles_free(files, n);
    cz_conflicts_count(ui->st, &after);
    ui_refresh_counts(ui);
    snprintf(line, sizeof line, T(ui, "Bundles: %zu read, %zu imported, %zu already imported, %zu refused",
                                  "数据包：读取 %zu 个，导入 %zu 个，已导入过 %zu 个，拒收 %zu 个"),
             is.bundles, is.applied, is.seen, is.refused);
    add_info(s, "");
    add_info(s, line);
    snprintf(line, sizeof line, T(ui, "Entries: %zu accepted, %zu already had, %zu refused",
                                  "记录：接收 %zu 条，已有 %zu 条，拒收 %zu 条"),
             is.fresh, is.duplicate, is.entries_refused);
    add_info(s, line);
    if (is.pending) {
        snprintf(line, sizeof line, T(ui, "  %zu of them from keys not yet certified (enrol them at the office)",
                                      "  其中 %zu 条来自尚未认证的密钥（请在市办认证）"), is.pending);
        add_info(s, line);
    }
    snprintf(line, sizeof line, T(ui, "Records in conflict: %zu (%zu new); clock ahead: %zu",
                                  "有冲突的记录：%zu 条（新增 %zu 条）；时钟超前：%zu 条"),
             after, after > before ? after - before : 0, is.clock_ahead);
    add_info(s, line);
    if (is.clock_ahead)
        add_info(s, T(ui, "  Some entries carry a clock more than a day ahead: check the sender's date and time",
                      "  部分记录的时钟比本机快一天以上：请检查发送方电脑的日期和时间"));
    if (is.forks)
        add_info(s, T(ui, "  FORK found: show a supervisor", "  发现分叉：请报告审核员"));
    if (is.refused)
        ui_message(ui, 1, "%s", T(ui, "Some bundles were refused (see below); they changed nothing",
                                  "部分数据包被拒收（见下）；它们没有造成任何改变"));
    else
        ui_message(ui, 0, T(ui, "Import done: %zu new entries", "导入完成：新增 %zu 条记录"), is.fresh);
    ui_sweep_drafts(ui);                /* deletions may have come in (its error, if any, shows) */
}

static void do_backup(struct ui *ui, struct sync *s)
{
    if (!folder_ok(ui, s)) return;
    s->summary = 1;
    s->info_top = 0;
    sync_backup(ui, s->path, &s->info);
}

static void do_restore(struct ui *ui, struct sync *s)
{
    if (!folder_ok(ui, s)) return;
    s->summary = 1;
    s->info_top = 0;
    sync_restore(ui, s->path, &s->info);
}

static void type_folder(struct ui *ui, struct sync *s)
{
    char *path = NULL;
    if (ui_prompt(ui, T(ui, "Folder (the stick's or one standing in for it)", "文件夹（U盘或代替U盘的文件夹）"), &path))
        return;
    if (path[0]) snprintf(s->path, sizeof s->path, "%s", path);
    free(path);
    for (size_t i = 0; s->path[0] && i < s->menu.n; i++)
        if (s->menu.rows[i].kind == ROW_EXPORT) s->menu.sel = i;
}

static enum ui_result sync_key(struct ui *ui, struct screen *sc, const struct ui_key *k)
{
    struct sync *s = sc->state;
    switch (k->action) {
    case ACT_OPEN: {
        const struct list_row *r = list_selected(&s->menu);
        if (!r) return UI_HANDLED;
        switch (r->kind) {
        case ROW_STICK: {
            size_t i = (size_t)(r - s->menu.rows);
            if (i >= s->nsticks) break;
            if (s->sticks[i].state == CZ_STICK_MOUNTED) snprintf(s->path, sizeof s->path, "%s", s->sticks[i].mount);
            else {
                struct cz_stick chosen = s->sticks[i];   /* load_menu frees the list */
                mount_stick(ui, s, &chosen);
            }
            break;
        }
        case ROW_FOLDER: type_folder(ui, s); break;
        case ROW_EXPORT: do_export(ui, s); break;
        case ROW_IMPORT: do_import(ui, s); break;
        case ROW_BACKUP: do_backup(ui, s); break;
        case ROW_RESTORE: do_restore(ui, s); break;
        }
        return UI_HANDLED;
    }
    case ACT_BACKUP: do_backup(ui, s); return UI_HANDLED;
    case ACT_RESTORE: do_restore(ui, s); return UI_HANDLED;
    case ACT_UP: case ACT_DOWN: case ACT_PREV: case ACT_NEXT: case ACT_HOME: case ACT_END: {
        struct ui_key m = *k;
        if (m.action == ACT_PREV) m.action = ACT_UP;
        if (m.action == ACT_NEXT) m.action = ACT_DOWN;
        return list_key(&s->menu, &m);
    }
    case ACT_PAGE_UP: {
        size_t page = s->info_rows > 1 ? (size_t)s->info_rows - 1 : 1;
        size_t max_top = s->info.n > (size_t)s->info_rows ? s->info.n - (size_t)s->info_rows : 0;
        if (s->info_top > max_top) s->info_top = max_top;
        s->info_top = s->info_top > page ? s->info_top - page : 0;
        return UI_HANDLED;
    }
    case ACT_PAGE_DOWN: {
        size_t page = s->info_rows > 1 ? (size_t)s->info_rows - 1 : 1;
        size_t max_top = s->info.n > (size_t)s->info_rows ? s->info.n - (size_t)s->info_rows : 0;
        if (s->info_top > max_top) s->info_top = max_top;
        s->info_top = s->info_top + page < max_top ? s->info_top + page : max_top;
        return UI_HANDLED;
    }
    case ACT_REDRAW:
        load_menu(ui, s);             /* a stick plugged in since */
        if (!s->summary) load_peers(ui, s);
        return UI_UNHANDLED;
    default: return UI_UNHANDLED;
    }
}

/* After a child screen, and on F9: the menu and the peers written again
 * (in the language now chosen).  A summary of what an import or export
 * did stays as it was written: it tells what happened then. */
static void sync_resume(struct ui *ui, struct screen *sc)
{
    struct sync *s = sc->state;
    if (load_menu(ui, s)) ui_status_message(ui, CZ_ENOMEM);
    if (!s->summary) load_peers(ui, s);
}

static void sync_close(struct screen *sc)
{
    struct sync *s = sc->state;
    list_clear(&s->menu);
    list_clear(&s->info);
    free(s->sticks);
    free(s);
}

static const enum cz_action sync_hints[] = { ACT_OPEN, ACT_BACKUP, ACT_RESTORE, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_sync = {
    .name = "sync",
    .open = sync_open,
    .draw = sync_draw,
    .key = sync_key,
    .close = sync_close,
    .resume = sync_resume,
    .hints = sync_hints,
};
