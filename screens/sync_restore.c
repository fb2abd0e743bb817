/* sync_restore.c — Restore on the Sync screen: this station's database
 * replaced by one of its backups on the stick.
 *
 * The command line restores only into a new, empty folder (CLI.md,
 * "Backup and restore"); here the station already lives in its folder, so
 * nothing is overwritten and nothing deleted: the backup is first rebuilt
 * beside it (DIR/restore-<time>, by cz_backup_restore with the passphrase
 * of one of the backup's people, exactly as the command line does), then
 * the person is told what will be replaced, with both sides counted; only
 * on yes does the rebuilt database take DIR/db's place, the one before
 * kept as DIR/before-restore-<time>/db (a station folder of its own, for
 * the office or to go back: `cunzhan -C` opens it).  A
 * backup of another station is refused: it is restored into a new folder
 * with `cunzhan -C`.  Anyone logged in may restore, as on the command
 * line, since it takes a passphrase that opens the backup. */
#include "backup.h"
#include "confirm.h"
#include "fsutil.h"
#include "hex.h"
#include "overview.h"
#include "progress.h"
#include "status.h"
#include "sync.h"
#include "sync_backup.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct bak {
    char path[4500];
    char box[17];            /* the station folder: its box key's first 16 hex */
    char when[20];           /* "2026-12-02 10:13:05", from the name */
    char stamp[16];          /* "20261202-101305", to sort by */
    off_t bytes;
};

static void wipe_free(char *s)
{
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

static int add(struct list *info, const char *text)
{
    return list_add(info, text, NULL, 0, 0);
}

/* NAME is <YYYYMMDD-HHMMSS>-<16 hex>.czbak (backup.h). */
static int bak_name(const char *name, struct bak *b)
{
    size_t n = strlen(name);
    if (n != 38 || strcmp(name + 32, ".czbak") || name[8] != '-' || name[15] != '-') return 0;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (name[i] < '0' || name[i] > '9')) return 0;
    memcpy(b->stamp, name, 15);
    b->stamp[15] = 0;
    snprintf(b->when, sizeof b->when, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", name, name + 4, name + 6, name + 9,
             name + 11, name + 13);
    return 1;
}

/* This station's (ctx: its 16 hex) first, then newest first. */
static int by_mine_then_newest(const void *a, const void *b, void *ctx)
{
    const struct bak *x = a, *y = b;
    const char *mine = ctx;
    int xm = !strcmp(x->box, mine), ym = !strcmp(y->box, mine);
    if (xm != ym) return ym - xm;
    return strcmp(y->stamp, x->stamp);
}

/* Every backup file under FOLDER/cunzhan/backup/<16 hex>/: this station's
 * (box key `mine`, 16 hex) first, each station's newest first.
 * Links are never followed (a stick is hostile ground). */
static int list_backups(const char *folder, const char *mine, struct bak **out, size_t *n)
{
    char top[4200], sub[4400];
    struct stat sb;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    snprintf(top, sizeof top, "%s/cunzhan/backup", folder);
    if (lstat(top, &sb) != 0 || !S_ISDIR(sb.st_mode)) return CZ_OK;
    DIR *d = opendir(top);
    if (!d) return CZ_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (strlen(e->d_name) != 16 || strspn(e->d_name, "0123456789abcdef") != 16) continue;
        if (snprintf(sub, sizeof sub, "%s/%s", top, e->d_name) >= (int)sizeof sub) continue;
        if (lstat(sub, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue;
        DIR *f = opendir(sub);
        if (!f) continue;
        for (struct dirent *g; (g = readdir(f));) {
            struct bak b = { 0 };
            if (!bak_name(g->d_name, &b)) continue;
            if (snprintf(b.path, sizeof b.path, "%s/%s", sub, g->d_name) >= (int)sizeof b.path) continue;
            if (lstat(b.path, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
            b.bytes = sb.st_size;
            memcpy(b.box, e->d_name, 17);
            if (*n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                struct bak *nb = realloc(*out, nc * sizeof *nb);
                if (!nb) { closedir(f); closedir(d); return CZ_ENOMEM; }
                *out = nb;
                cap = nc;
            }
            (*out)[(*n)++] = b;
        }
        closedir(f);
    }
    closedir(d);
    if (*n) qsort_r(*out, *n, sizeof **out, by_mine_then_newest, (void *)mine);
    return CZ_OK;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

/* A folder and all below it (the rebuilt station not taken). */
static void rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) == 0) nftw(path, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Which backup: "2026-12-02 10:13:05  杨树湾村  1234 KB"; -1 cancelled. */
static int choose(struct ui *ui, const struct bak *b, size_t n, const char *mine)
{
    char **rows = calloc(n, sizeof *rows);
    const char **items = calloc(n, sizeof *items);
    int got = -1;
    if (!rows || !items) goto cleanup;
    for (size_t i = 0; i < n; i++) {
        char who[160], line[512];
        if (!strcmp(b[i].box, mine)) snprintf(who, sizeof who, "%s", cz_station_info(ui->st)->name);
        else snprintf(who, sizeof who, T(ui, "another station (key %.8s)", "其他站点（密钥 %.8s）"), b[i].box);
        snprintf(line, sizeof line, "%s  %s  %lld KB", b[i].when, who,
                 (long long)(b[i].bytes + 1023) / 1024);
        if (!(rows[i] = strdup(line))) goto cleanup;
        items[i] = rows[i];
    }
    got = ui_pick(ui, T(ui, "Restore which backup? (newest first)", "恢复哪一份备份？（新的在前）"), items, n, 0);
cleanup:
    for (size_t i = 0; rows && i < n; i++) free(rows[i]);
    free(rows);
    free(items);
    return got;
}

/* What a station holds, for the confirm. */
struct tally { size_t households, members, entries; };

static int tally_of(cz_station *st, struct tally *t)
{
    cz_view *v = NULL;
    struct cz_store_stats s = { 0 };
    int rc = cz_overview_counts(st, &t->households, &t->members);
    if (!rc) rc = cz_view_begin(st, &v);
    if (!rc) rc = cz_view_stats(v, &s);
    cz_view_end(v);
    t->entries = s.entries;
    return rc;
}

struct job {
    const struct bak *b;
    size_t folder_len;       /* b->path begins with the stick's folder */
    char dir[4096], staged[4200], aside[4200];
    struct cz_restore_result res;
    struct tally now, then;
};

static int ask_confirm(struct ui *ui, struct job *j)
{
    char lines[7][4400];
    const char *l[7];
    snprintf(lines[0], sizeof lines[0], T(ui, "This replaces this station's database (%s) with its backup of %s.",
                                          "这将用 %2$s 的备份替换本站（%1$s）的数据库。"),
             cz_station_info(ui->st)->name, j->b->when);
    snprintf(lines[1], sizeof lines[1], T(ui, "Now: %zu households, %zu members, %zu entries",
                                          "现在：%zu 户，%zu 名成员，%zu 条记录"),
             j->now.households, j->now.members, j->now.entries);
    snprintf(lines[2], sizeof lines[2], T(ui, "The backup: %zu households, %zu members, %zu entries",
                                          "备份：%zu 户，%zu 名成员，%zu 条记录"),
             j->then.households, j->then.members, j->then.entries);
    snprintf(lines[3], sizeof lines[3], "%s", T(ui, "What was signed here after the backup is no longer shown.",
                                               "备份之后在本站签名的内容将不再显示。"));
    snprintf(lines[4], sizeof lines[4], "%s", T(ui, "The database now is kept aside, in the folder:",
                                               "现在的数据库另存于文件夹："));
    snprintf(lines[5], sizeof lines[5], "  %s", j->aside);
    snprintf(lines[6], sizeof lines[6], "%s", T(ui, "Each person's next login makes a new key for the office to enrol.",
                                               "每位用户下次登录时生成新密钥，由市办认证。"));
    for (int i = 0; i < 7; i++) l[i] = lines[i];
    return confirm_lines(ui, T(ui, "Restore from a backup?", "从备份恢复？"), l, 7,
                         T(ui, "Enter: restore   Esc: cancel", "回车：恢复   Esc：取消"));
}

/* The backup rebuilt in j->staged and counted; a status, or -1 after a
 * message of its own. */
static int rebuild(struct ui *ui, struct job *j, const char *pass, struct list *info)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cz_station *b = NULL;
    int rc = cz_read_file(j->b->path, &buf, &len);
    if (rc) return rc;
    if (mkdir(j->staged, 0700) != 0) { free(buf); return cz_fs_errno_status(errno); }
    rc = cz_backup_restore(j->staged, buf, len, pass, &j->res);
    free(buf);
    if (rc == CZ_ESLOT) {
        char line[160];
        snprintf(line, sizeof line, T(ui, "key slot %zu of the backup is damaged", "备份中的第 %zu 个密钥槽已损坏"),
                 j->res.bad_slot);
        add(info, line);
    }
    if (!rc) rc = cz_station_open(j->staged, &b);
    if (!rc) rc = tally_of(b, &j->then);
    cz_station_close(b);
    if (!rc) rc = tally_of(ui->st, &j->now);
    return rc;
}

/* The rebuilt database in DIR/db and the one it replaces in
 * j->aside/db.  Where the kernel can, the two are exchanged in one step
 * (RENAME_EXCHANGE), so DIR/db is always a whole station: cut off after
 * it, the database before waits in j->staged/db, which nothing removes.
 * Otherwise two renames, with a moment in between without DIR/db
 * (CLI.md says how to put it back). */
static int swap_dbs(struct job *j)
{
    char db[4200], fresh[4300], old[4400];
    snprintf(db, sizeof db, "%s/db", j->dir);
    snprintf(fresh, sizeof fresh, "%s/db", j->staged);
    if (renameat2(AT_FDCWD, fresh, AT_FDCWD, db, RENAME_EXCHANGE) == 0) {
        cz_fs_fsync_dir(j->dir);
        if (rename(j->staged, j->aside) != 0) snprintf(j->aside, sizeof j->aside, "%s", j->staged);
        return CZ_OK;
    }
    if (errno != EINVAL && errno != ENOSYS) return cz_fs_errno_status(errno);
    if (mkdir(j->aside, 0700) != 0) return cz_fs_errno_status(errno);
    snprintf(old, sizeof old, "%s/db", j->aside);
    if (rename(db, old) != 0) {
        int rc = cz_fs_errno_status(errno);
        rmdir(j->aside);
        return rc;
    }
    if (rename(fresh, db) != 0) {
        int rc = cz_fs_errno_status(errno);
        rename(old, db);                   /* back as it was */
        rmdir(j->aside);
        return rc;
    }
    cz_fs_fsync_dir(j->dir);
    rm_tree(j->staged);
    return CZ_OK;
}

/* The database kept aside back in DIR/db (the rebuilt one would not
 * open): exchanged again, or moved back. */
static void swap_back(struct job *j)
{
    char db[4200], old[4400], bad[4400];
    snprintf(db, sizeof db, "%s/db", j->dir);
    snprintf(old, sizeof old, "%s/db", j->aside);
    snprintf(bad, sizeof bad, "%s/db.not-opened", j->aside);
    if (renameat2(AT_FDCWD, old, AT_FDCWD, db, RENAME_EXCHANGE) == 0) return;
    if (rename(db, bad) == 0) rename(old, db);
}

/* The station closed, the databases swapped, the station opened again
 * and the person logged in (their new key is made now).  Should the
 * rebuilt database not open, the one before goes back: a screen always
 * has a station. */
static int swap_in(struct ui *ui, struct job *j, const char *pass)
{
    cz_station_close(ui->st);
    ui->st = NULL;
    int rc = swap_dbs(j);
    if (rc) rm_tree(j->staged);           /* the rebuilt one, not taken */
    int orc = cz_station_open(j->dir, &ui->st);
    if (orc && !rc) {
        swap_back(j);
        rc = orc;
        orc = cz_station_open(j->dir, &ui->st);
    }
    if (orc) {
        ui->quit = 1;                     /* nothing to show: the next start names the cause */
        return orc;
    }
    if (!rc) rc = cz_station_login(ui->st, j->res.user, pass);
    return rc;
}

/* Why the rebuild failed, in info and the message line; the station is
 * as it was. */
static void refused(struct ui *ui, struct job *j, int rc, struct list *info)
{
    if (rc == CZ_EPASS)
        add(info, T(ui, "  the passphrase opens none of the keys in this backup", "  该口令打不开备份中的任何密钥"));
    else    /* the file within the stick: the stick is named above */
        sync_info_failure(ui, info, j->b->path + j->folder_len + (j->b->path[j->folder_len] == '/'), NULL, rc);
    add(info, T(ui, "  Nothing was changed.", "  没有任何改变。"));
    ui_message(ui, 1, "%s", T(ui, "Not restored (see below); this station is unchanged",
                              "未恢复（见下）；本站数据没有改变"));
}

static void restored(struct ui *ui, struct job *j, int rc, struct list *info)
{
    char line[4600];
    if (!ui->st) return;                  /* no station to go on with (swap_in) */
    if (rc) {
        sync_info_failure(ui, info, T(ui, "restore", "恢复"), j->dir, rc);
        ui_message(ui, 1, "%s", T(ui, "The restore did not finish (see below)", "恢复未完成（见下）"));
        return;
    }
    snprintf(line, sizeof line, T(ui, "  restored from the backup of %s: %zu entries, %zu people",
                                  "  已从 %s 的备份恢复：%zu 条记录，%zu 位用户"), j->b->when, j->res.entries,
             j->res.people);
    add(info, line);
    snprintf(line, sizeof line, T(ui, "the database before is kept in %s", "恢复前的数据库另存于 %s"), j->aside);
    sync_info_wrapped(ui, info, 2, line);
    for (size_t i = 0; i < j->res.nlost; i++) {
        snprintf(line, sizeof line, T(ui, "  %s's key slot was damaged: add them again (Users)",
                                      "  %s 的密钥槽已损坏：请重新添加该用户"), j->res.lost[i]);
        add(info, line);
    }
    add(info, T(ui, "  Your new signing key waits for the office: export for it, then import its answer.",
                "  您的新签名密钥等待市办认证：请导出给市办，再导入其回复。"));
    ui_refresh_counts(ui);
    ui_sweep_drafts(ui);
    ui_message(ui, 0, T(ui, "Restored from the backup of %s", "已从 %s 的备份恢复"), j->b->when);
}

void sync_restore(struct ui *ui, const char *folder, struct list *info)
{
    struct bak *baks = NULL;
    size_t n = 0;
    char mine[65], *pass = NULL, stamp[32];
    struct job *j = calloc(1, sizeof *j);
    cz_hex(cz_station_info(ui->st)->box_pk, 32, mine);
    mine[16] = 0;
    int rc = j ? list_backups(folder, mine, &baks, &n) : CZ_ENOMEM;
    if (rc) { ui_status_message(ui, rc); goto cleanup; }
    if (!n) {
        ui_message(ui, 1, T(ui, "No backup on %s (cunzhan/backup)", "%s 上没有备份（cunzhan/backup）"), folder);
        goto cleanup;
    }
    int got = choose(ui, baks, n, mine);
    if (got < 0) goto cleanup;
    j->b = &baks[got];
    j->folder_len = strlen(folder);
    if (strcmp(j->b->box, mine)) {
        ui_message(ui, 1, "%s", T(ui, "That is another station's backup: restore it into a new folder (cunzhan -C NEW-FOLDER restore FILE)",
                                  "这是其他站点的备份：请恢复到新文件夹（cunzhan -C 新文件夹 restore 文件）"));
        goto cleanup;
    }
    if (ui_prompt_secret(ui, T(ui, "Passphrase of one of the backup's people", "备份中任一用户的口令"), &pass)) goto cleanup;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(j->dir, sizeof j->dir, "%s", cz_station_dir(ui->st));
    snprintf(j->staged, sizeof j->staged, "%s/restore-%s", j->dir, stamp);
    snprintf(j->aside, sizeof j->aside, "%s/before-restore-%s", j->dir, stamp);
    list_clear(info);
    add(info, T(ui, "Restore:", "恢复："));
    struct progress bar;            /* the key slots take seconds each to try */
    progress_start(&bar, ui, T(ui, "Opening the backup and rebuilding it beside this station",
                               "正在打开备份，并在本站旁重建"));
    rc = rebuild(ui, j, pass, info);
    if (rc) { rm_tree(j->staged); refused(ui, j, rc, info); goto cleanup; }
    if (!ask_confirm(ui, j)) {
        rm_tree(j->staged);
        add(info, T(ui, "  Cancelled: nothing was changed.", "  已取消：没有任何改变。"));
        ui_message(ui, 0, "%s", T(ui, "Not restored: nothing was changed", "未恢复：没有任何改变"));
        goto cleanup;
    }
    restored(ui, j, swap_in(ui, j, pass), info);
cleanup:
    wipe_free(pass);
    free(baks);
    free(j);
}
