/* cli_backup.c — backup and restore (backup.h). */
#include "cli.h"
#include "cli_int.h"
#include "cli_progress.h"
#include "backup.h"
#include "keys.h"
#include "status.h"
#include "sync.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_backup(struct cli *c, int argc, char **argv)
{
    const char *to = NULL;
    char stick[4096];
    struct cz_backup_result res;
    int rc;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) to = argv[++i];
        else return usage(c, "backup [--to DIR]", "backup [--to 文件夹]");
    }
    if (!to) {
        if ((rc = choose_stick(c, stick, sizeof stick))) return rc;
        to = stick;
    }
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    struct cli_progress *bar = cli_progress_start(c, "backup", "备份", "entries", "条");
    rc = cz_backup_write_with(c->st, to, cli_progress_hook(bar), &res);
    cli_progress_done(bar, rc == CZ_OK);
    if (rc) { say_error(c, rc, to); return CZ_EXIT_FAIL; }
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(res.path));
        json_object_set_new(o, "entries", json_integer((json_int_t)res.entries));
        json_object_set_new(o, "people", json_integer((json_int_t)res.people));
        json_object_set_new(o, "bytes", json_integer((json_int_t)res.bytes));
        print_json(o);
    } else {
        printf(T(c, "backup of %zu entries and %zu people's keys -> %s\n",
                  "已备份 %zu 条记录和 %zu 位用户的密钥 -> %s\n"), res.entries, res.people, res.path);
        printf("%s\n", T(c, "Keep the stick somewhere safe: `cunzhan -C NEW-FOLDER restore FILE` rebuilds this station with any of its people's passphrases.",
                          "请妥善保管此U盘：`cunzhan -C 新文件夹 restore 文件` 可用本站任一用户的口令恢复本站。"));
    }
    return CZ_EXIT_OK;
}

static void say_slot(struct cli *c, size_t slot)
{
    if (slot)
        fprintf(stderr, T(c, "cunzhan: key slot %zu of the backup is damaged (changed on the stick); nothing was written.\n",
                           "cunzhan: 备份中的第 %zu 个密钥槽已损坏（U盘上的数据被改变）；没有写入任何内容。\n"), slot);
    else
        fprintf(stderr, "cunzhan: %s\n", T(c, "the backup's list of key slots is damaged; nothing was written.",
                                            "备份的密钥槽列表已损坏；没有写入任何内容。"));
    fprintf(stderr, "cunzhan: %s\n", T(c, "Another person's passphrase may still open it; otherwise take the backup to the office: `cunzhan -C NEW-FOLDER restore FILE --with-office OFFICE-FOLDER` there (README, Backup and restore).",
                                        "其他用户的口令也许仍能打开；否则请把备份带到市办，在那里运行 `cunzhan -C 新文件夹 restore 文件 --with-office 市办文件夹`（见 README“备份与恢复”）。"));
}

/* A restore checks every entry's signature, then writes them all. */
static struct cli_progress *restore_bar(struct cli *c)
{
    struct cli_progress *bar = cli_progress_start(c, "restore: checking", "恢复：校验", "entries", "条");
    cli_progress_then(bar, "restore: writing", "恢复：写入");
    return bar;
}

/* At the office PC: the office's login opens the backup, a new slot is
 * made for the station's person (backup.h, cz_backup_restore_office). */
static int restore_office(struct cli *c, const char *office_dir, const char *person, const uint8_t *buf, size_t len,
                          struct cz_restore_result *res)
{
    const char *target = c->dir;
    char pass[PASS_MAX];
    c->dir = office_dir;
    int bad = open_station(c) || login(c);
    c->dir = target;
    if (bad) return -1;
    if (cz_station_info(c->st)->kind != CZ_KIND_OFFICE) {
        fprintf(stderr, "cunzhan: %s: %s\n", office_dir, T(c, "not the office's station: --with-office needs the office's folder",
                                                            "不是市办的站点：--with-office 需要市办的文件夹"));
        return -1;
    }
    fprintf(stderr, "cunzhan: %s\n", T(c, "a new passphrase for the station's person (they change it at their first login if they like):",
                                        "为村站用户设置新口令（首次登录后可自行更改）："));
    if (get_passphrase(c, "CUNZHAN_NEW_PASSPHRASE", 1, pass, sizeof pass)) return -1;
    struct cli_progress *bar = restore_bar(c);
    int rc = cz_backup_restore_office_with(target, buf, len, cz_station_secrets(c->st), person, pass,
                                           cli_progress_hook(bar), res);
    cli_progress_done(bar, rc == CZ_OK);
    sodium_memzero(pass, sizeof pass);
    return rc;
}

/* `restore`'s arguments; 0, or -1 when they are not a restore command line. */
struct restore_args { const char *file, *office, *person; };

static int restore_parse(int argc, char **argv, struct restore_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--with-office") && i + 1 < argc) a->office = argv[++i];
        else if (!strcmp(argv[i], "--person") && i + 1 < argc) a->person = argv[++i];
        else if (argv[i][0] != '-' && !a->file) a->file = argv[i];
        else return -1;
    }
    return !a->file || (a->person && !a->office) ? -1 : 0;
}

/* Why the restore wrote nothing; returns the exit code. */
static int restore_refused(struct cli *c, const struct restore_args *a, int rc, const struct cz_restore_result *res)
{
    if (rc == CZ_EEXIST)
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, T(c, "a station is already here; restore into a new, empty folder with -C DIR",
                                                      "这里已有站点；请用 -C 文件夹 恢复到一个新的空文件夹"));
    else if (rc == CZ_EPASS)
        fprintf(stderr, "cunzhan: %s\n", T(c, "the passphrase opens none of the keys in this backup; nothing was written",
                                            "该口令打不开备份中的任何密钥；没有写入任何内容"));
    else if (rc == CZ_ESLOT)
        say_slot(c, res->bad_slot);
    else
        say_error(c, rc, rc == CZ_ENOUSER && a->person ? a->person : a->file);
    return CZ_EXIT_FAIL;
}

static void restore_json(struct cli *c, const struct restore_args *a, const struct cz_restore_result *res,
                         const char *when)
{
    json_t *o = json_object(), *lost = json_array();
    json_object_set_new(o, "station", json_string(res->info.name));
    json_object_set_new(o, "made_at", json_string(when));
    json_object_set_new(o, "entries", json_integer((json_int_t)res->entries));
    json_object_set_new(o, "people", json_integer((json_int_t)res->people));
    json_object_set_new(o, a->office ? "new_slot_for" : "opened_by", json_string(res->user));
    for (size_t i = 0; i < res->nlost; i++) json_array_append_new(lost, json_string(res->lost[i]));
    json_object_set_new(o, "not_restored", lost);
    print_json(o);
}

static void restore_text(struct cli *c, const struct restore_args *a, const struct cz_restore_result *res,
                         const char *when)
{
    printf(T(c, "restored %s from the backup of %s: %zu entries, %zu people\n",
              "已从 %2$s 的备份恢复 %1$s：%3$zu 条记录，%4$zu 位用户\n"),
           res->info.name, when, res->entries, res->people);
    if (a->office)
        printf(T(c, "A new key slot was made for %s with the new passphrase. Copy this folder to the village PC (`cunzhan -C FOLDER ...`); %s logs in there, then exports for the office and the office enrols the new key.\n",
                  "已用新口令为 %s 生成新的密钥槽。请把此文件夹复制到村里的电脑（`cunzhan -C 文件夹 ...`）；%s 在那里登录后导出给市办，由市办认证新密钥。\n"),
               res->user, res->user);
    printf("%s\n", res->info.kind == CZ_KIND_OFFICE
           ? T(c, "Each person's next login makes them a new signing key (the old one may have signed on the lost PC); the root certifies it at once.",
                "每位用户下次登录时会生成新的签名密钥（旧密钥可能在丢失的电脑上签过名）；市办根密钥会立即认证它。")
           : T(c, "Each person's next login makes them a new signing key (the old one may have signed on the lost PC); it stays pending until the office enrols it: export for the office and import its answer.",
                "每位用户下次登录时会生成新的签名密钥（旧密钥可能在丢失的电脑上签过名）；在市办认证之前为待认证状态：请导出给市办，再导入市办的回复。"));
}

/* The backup opened with this station's person's passphrase, or at the
 * office (restore_office); a status, or -1 after a message. */
static int restore_open(struct cli *c, const struct restore_args *a, const uint8_t *buf, size_t len,
                        struct cz_restore_result *res)
{
    char pass[PASS_MAX];
    if (a->office) return restore_office(c, a->office, a->person, buf, len, res);
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, pass, sizeof pass)) return -1;
    struct cli_progress *bar = restore_bar(c);
    int rc = cz_backup_restore_with(c->dir, buf, len, pass, cli_progress_hook(bar), res);
    cli_progress_done(bar, rc == CZ_OK);
    sodium_memzero(pass, sizeof pass);
    return rc;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
    struct restore_args a = { 0 };
    struct cz_restore_result res;
    uint8_t *buf = NULL;
    size_t len = 0;
    char when[32];
    int rc;
    if (restore_parse(argc, argv, &a))
        return usage(c, "restore FILE [--with-office OFFICE-DIR [--person NAME]] (into a fresh folder: -C DIR)",
                     "restore 文件 [--with-office 市办文件夹 [--person 姓名]]（恢复到新文件夹：-C 文件夹）");
    if ((rc = cz_read_file(a.file, &buf, &len))) { say_error(c, rc, a.file); return CZ_EXIT_FAIL; }
    rc = restore_open(c, &a, buf, len, &res);
    free(buf);
    if (rc < 0) return CZ_EXIT_FAIL;
    if (rc) return restore_refused(c, &a, rc, &res);
    format_time(res.made_at, when, sizeof when);
    for (size_t i = 0; i < res.nlost; i++)
        fprintf(stderr, T(c, "cunzhan: %s's key slot in the backup is damaged: %s was not restored; add them again with `cunzhan user add`.\n",
                           "cunzhan: 备份中 %s 的密钥槽已损坏：%s 未恢复；请用 `cunzhan user add` 重新添加。\n"),
                res.lost[i], res.lost[i]);
    if (c->json) restore_json(c, &a, &res, when);
    else restore_text(c, &a, &res, when);
    return CZ_EXIT_OK;
}
