/* cli_backup.c — backup and restore (backup.h). */
#include "backup.h"
#include "cli.h"
#include "cli_int.h"
#include "cli_sync.h"
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
    if ((rc = cz_backup_write(c->st, to, &res))) { say_error(c, rc, to); return CZ_EXIT_FAIL; }
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(res.path));
        json_object_set_new(o, "entries", json_integer((json_int_t)res.entries));
        json_object_set_new(o, "people", json_integer((json_int_t)res.people));
        json_object_set_new(o, "bytes", json_integer((json_int_t)res.bytes));
        print_json(o);
    } else {
        printf(TR(c, "backup of %zu entries and %zu people's keys -> %s\n",
                  "已备份 %zu 条记录和 %zu 位用户的密钥 -> %s\n"), res.entries, res.people, res.path);
        printf("%s\n", TR(c, "Keep the stick somewhere safe: `cunzhan -C NEW-FOLDER restore FILE` rebuilds this station with any of its people's passphrases.",
                          "请妥善保管此U盘：`cunzhan -C 新文件夹 restore 文件` 可用本站任一用户的口令恢复本站。"));
    }
    return CZ_EXIT_OK;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
    char pass[PASS_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    struct cz_restore_result res;
    if (argc != 1 || argv[0][0] == '-') return usage(c, "restore FILE (into a fresh folder: -C DIR)", "restore 文件（恢复到新文件夹：-C 文件夹）");
    int rc = cz_read_file(argv[0], &buf, &len);
    if (rc) { say_error(c, rc, argv[0]); return CZ_EXIT_FAIL; }
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, pass, sizeof pass)) { free(buf); return CZ_EXIT_FAIL; }
    rc = cz_backup_restore(c->dir, buf, len, pass, &res);
    sodium_memzero(pass, sizeof pass);
    free(buf);
    if (rc == CZ_EEXIST) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, TR(c, "a station is already here; restore into a new, empty folder with -C DIR",
                                                      "这里已有站点；请用 -C 文件夹 恢复到一个新的空文件夹"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EPASS) {
        fprintf(stderr, "cunzhan: %s\n", TR(c, "the passphrase opens none of the keys in this backup; nothing was written",
                                            "该口令打不开备份中的任何密钥；没有写入任何内容"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { say_error(c, rc, argv[0]); return CZ_EXIT_FAIL; }
    char when[32];
    format_time(res.made_at, when, sizeof when);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "station", json_string(res.info.name));
        json_object_set_new(o, "made_at", json_string(when));
        json_object_set_new(o, "entries", json_integer((json_int_t)res.entries));
        json_object_set_new(o, "people", json_integer((json_int_t)res.people));
        json_object_set_new(o, "opened_by", json_string(res.user));
        print_json(o);
        return CZ_EXIT_OK;
    }
    printf(TR(c, "restored %s from the backup of %s: %zu entries, %zu people\n",
              "已从 %2$s 的备份恢复 %1$s：%3$zu 条记录，%4$zu 位用户\n"),
           res.info.name, when, res.entries, res.people);
    printf("%s\n", res.info.kind == CZ_KIND_OFFICE
           ? TR(c, "Each person's next login makes them a new signing key (the old one may have signed on the lost PC); the root certifies it at once.",
                "每位用户下次登录时会生成新的签名密钥（旧密钥可能在丢失的电脑上签过名）；市办根密钥会立即认证它。")
           : TR(c, "Each person's next login makes them a new signing key (the old one may have signed on the lost PC); it stays pending until the office enrols it: export for the office and import its answer.",
                "每位用户下次登录时会生成新的签名密钥（旧密钥可能在丢失的电脑上签过名）；在市办认证之前为待认证状态：请导出给市办，再导入市办的回复。"));
    return CZ_EXIT_OK;
}
