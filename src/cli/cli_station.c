/* cli_station.c — the station itself: init, pubkey, the people on this PC
 * (user add, passwd, remove), status and verify (src/CLI.md). */
#include "cli.h"
#include "hex.h"
#include "cli_int.h"
#include "cli_progress.h"
#include "fsutil.h"
#include "keys.h"
#include "people.h"
#include "query.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "text.h"
#include "verify.h"

#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `init`'s options, in pairs: NAME VALUE.  0, or the usage exit code after
 * a message. */
struct init_args { struct cz_init_opts o; const char *office_key, *office, *station; };

static int init_parse(struct cli *c, int argc, char **argv, struct init_args *a)
{
    for (int i = 0; i < argc; i += 2) {
        const char *n = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage(c, "init: an option lacks its value", "init：选项缺少值");
        if (!strcmp(n, "--office")) a->office = v;
        else if (!strcmp(n, "--station")) a->station = v;
        else if (!strcmp(n, "--region")) a->o.region = v;
        else if (!strcmp(n, "--user")) a->o.user = v;
        else if (!strcmp(n, "--office-key")) a->office_key = v;
        else return usage(c, "init: unknown option", "init：未知选项");
    }
    if ((!a->office) == (!a->station) || !a->o.user)
        return usage(c, "init --office NAME --user NAME, or init --station NAME --region CODE --user NAME --office-key FILE",
                     "init --office 名称 --user 姓名，或 init --station 名称 --region 代码 --user 姓名 --office-key 文件");
    if (a->station && (!a->o.region || !a->office_key))
        return usage(c, "init --station needs --region CODE and --office-key FILE (the office's `cunzhan pubkey`)",
                     "init --station 需要 --region 代码 和 --office-key 文件（市办 `cunzhan pubkey` 的输出）");
    a->o.kind = a->office ? CZ_KIND_OFFICE : CZ_KIND_STATION;
    a->o.name = a->office ? a->office : a->station;
    return 0;
}

/* The office's identity file, in a new buffer the caller frees; NULL
 * after a message.  A regular file only (a FIFO would block the read). */
static char *read_office_key(struct cli *c, const char *path)
{
    char safe[4096 + 64], *identity;
    int kfd;
    FILE *f = cz_fs_open_regular(AT_FDCWD, path, &kfd) == CZ_OK ? fdopen(kfd, "r") : NULL;
    if (!f) {
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(path, safe, sizeof safe),
                T(c, "cannot read the office key file", "无法读取市办公钥文件"));
        return NULL;
    }
    identity = calloc(1, 8192);
    size_t got = identity ? fread(identity, 1, 8191, f) : 0;
    (void)got;
    fclose(f);
    return identity;
}

/* Why cz_station_init refused; returns the exit code. */
static int init_refused(struct cli *c, const struct init_args *a, int rc, const char *why)
{
    char safe_key[4096 + 64];
    if (rc == CZ_EEXIST) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, T(c, "a station already lives here; choose another folder with -C",
                                                        "这里已有村站数据；请用 -C 选择其他文件夹"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EINVAL && !strcmp(why, "office-key")) {
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(a->office_key, safe_key, sizeof safe_key),
                T(c, "not an office identity: make it with `cunzhan pubkey` at the office",
                     "不是市办身份文件：请在市办运行 `cunzhan pubkey` 生成"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EPLACECODE) {
        fprintf(stderr, "cunzhan: --region %s: %s\n", cz_text_safe(a->o.region ? a->o.region : "", safe_key, sizeof safe_key),
                cz_strerror(rc, c->lang));
        return CZ_EXIT_USAGE;
    }
    if (rc == CZ_EINVAL)
        return usage(c, "init: names must be 1-63 bytes without '/', a region of 2, 4, 6, 9 or 12 digits",
                     "init：名称须为 1-63 字节且不含 '/'，辖区代码须为 2、4、6、9 或 12 位数字");
    say_error(c, rc, c->dir);
    return CZ_EXIT_FAIL;
}

static void init_print(struct cli *c, cz_station *st, int is_station)
{
    char fp[24];
    cz_fingerprint(cz_station_info(st)->office_root, fp);
    printf("%s %s\n", T(c, "initialised", "已初始化"), c->dir);
    if (is_station) {
        char name[CZ_NAME_MAX * 3 + 8];
        /* The office's name as its identity file gives it: text from a
         * stick, filtered. */
        printf("%s %s\n", T(c, "office:", "市办："), cz_text_safe(cz_station_info(st)->office_name, name, sizeof name));
    }
    printf("%s %s\n", T(c, "office key fingerprint:", "市办公钥指纹："), fp);
    if (is_station)
        printf("%s\n", T(c, "Compare the fingerprint with the one the office shows before you trust it.",
                          "请与市办显示的指纹核对一致后再使用。"));
}

int cmd_init(struct cli *c, int argc, char **argv)
{
    struct init_args a = { .o = { 0 } };
    char *identity = NULL, pass[PASS_MAX], why[64];
    cz_station *st = NULL;
    int rc;

    if ((rc = init_parse(c, argc, argv, &a))) return rc;
    if (a.station) {
        if (!(identity = read_office_key(c, a.office_key))) return CZ_EXIT_FAIL;
        a.o.office_identity = identity;
    }
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 1, pass, sizeof pass)) { free(identity); return CZ_EXIT_FAIL; }
    rc = cz_station_init(c->dir, &a.o, pass, &st, why, sizeof why);
    sodium_memzero(pass, sizeof pass);
    free(identity);
    if (rc) return init_refused(c, &a, rc, why);
    init_print(c, st, a.station != NULL);
    cz_station_close(st);
    return CZ_EXIT_OK;
}

int cmd_pubkey(struct cli *c, int argc, char **argv)
{
    char *text = NULL;
    if (open_station(c)) return CZ_EXIT_FAIL;
    int rc = cz_station_identity(c->st, &text);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (c->json) {
        struct cz_identity id;
        char hex[65], fp[24];
        cz_identity_parse(text, &id);
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(id.is_office ? "office" : "station"));
        json_object_set_new(o, "name", json_string(id.name));
        json_object_set_new(o, "region", json_string(id.region));
        if (id.is_office) {
            cz_hex(id.root, 32, hex);
            json_object_set_new(o, "root", json_string(hex));
            cz_fingerprint(id.root, fp);
            json_object_set_new(o, "fingerprint", json_string(fp));
        }
        cz_hex(id.box, 32, hex);
        json_object_set_new(o, "box", json_string(hex));
        print_json(o);
    } else {
        fputs(text, stdout);
    }
    free(text);
    return CZ_EXIT_OK;
}

/* A weak new passphrase: the rule, in the person's language. */
static void say_weak(struct cli *c)
{
    fprintf(stderr, "cunzhan: %s\n", cz_strerror(CZ_EWEAKPASS, c->lang));
}

static int user_add(struct cli *c, int argc, char **argv)
{
    const char *role = NULL, *name = NULL;
    char pass[PASS_MAX];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--role") && i + 1 < argc) role = argv[++i];
        else if (!name) name = argv[i];
        else return usage(c, "user add: one name only", "user add：只能给一个姓名");
    }
    if (!name) return usage(c, "user add NAME", "user add 姓名");
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    printf("%s\n", T(c, "New person's passphrase:", "新用户的口令："));
    if (get_passphrase(c, "CUNZHAN_NEW_PASSPHRASE", 1, pass, sizeof pass)) return CZ_EXIT_FAIL;
    int rc = cz_station_user_add(c->st, name, role, pass);
    sodium_memzero(pass, sizeof pass);
    if (rc == CZ_EEXIST) { fprintf(stderr, "cunzhan: %s: %s\n", name, cz_strerror(rc, c->lang)); return CZ_EXIT_FAIL; }
    if (rc == CZ_EWEAKPASS) { say_weak(c); return CZ_EXIT_FAIL; }
    if (rc == CZ_EINVAL)
        return usage(c, "user add: a name is 1-63 bytes without '/'; roles are clerk, supervisor, office",
                     "user add：姓名须为 1-63 字节且不含 '/'；角色为 clerk、supervisor、office");
    if (rc == CZ_EPERM && cz_station_info(c->st)->kind == CZ_KIND_OFFICE) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "at the office only a person certified as office adds people (the root certifies them at once); log in as one with --user",
                                           "在市办只有市办角色的人员才能添加用户（由根密钥立即认证）；请用 --user 以市办人员登录"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { say_error(c, rc, name); return CZ_EXIT_FAIL; }
    printf("%s %s\n", T(c, "added", "已添加"), name);
    if (cz_station_info(c->st)->kind != CZ_KIND_OFFICE)
        printf("%s\n", T(c, "The key is pending until the office enrols it.", "该密钥在市办认证前为待认证状态。"));
    return CZ_EXIT_OK;
}

static int user_passwd(struct cli *c, int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : c->user;
    char old[PASS_MAX], pass[PASS_MAX];
    if (argc > 2) return usage(c, "user passwd [NAME]", "user passwd [姓名]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if (!name || !*name) name = cz_station_info(c->st)->default_user;
    printf("%s %s\n", T(c, "Changing the passphrase of", "修改口令："), name);
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, old, sizeof old)) return CZ_EXIT_FAIL;
    if (new_passphrase(c, pass, sizeof pass)) { sodium_memzero(old, sizeof old); return CZ_EXIT_FAIL; }
    int rc = cz_station_passwd(c->st, name, old, pass);
    sodium_memzero(old, sizeof old);
    sodium_memzero(pass, sizeof pass);
    if (rc == CZ_EWEAKPASS) { say_weak(c); return CZ_EXIT_FAIL; }
    if (rc == CZ_EPASS) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "wrong (old) passphrase; nothing was changed", "原口令错误；没有任何改动"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { say_error(c, rc, name); return CZ_EXIT_FAIL; }
    printf("%s\n", T(c, "passphrase changed", "口令已修改"));
    return CZ_EXIT_OK;
}

static int user_remove(struct cli *c, int argc, char **argv)
{
    if (argc != 2) return usage(c, "user remove NAME", "user remove 姓名");
    const char *name = argv[1];
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    int rc = cz_station_user_remove(c->st, name);
    if (rc == CZ_ENOUSER || rc == CZ_ESELF || rc == CZ_ELASTUSER) {
        fprintf(stderr, "cunzhan: %s: %s\n", name, cz_strerror(rc, c->lang));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EPERM) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "only a supervisor, or at the office an office person, removes people from this PC",
                                           "只有审核员（在市办为市办角色人员）才能从本机删除用户"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { say_error(c, rc, name); return CZ_EXIT_FAIL; }
    printf("%s %s\n", T(c, "removed from this PC:", "已从本机删除："), name);
    printf("%s\n", T(c, "Their key is not revoked: if they have left, the office should revoke it too (cunzhan revoke).",
                      "其密钥并未吊销：如该人员已离职，市办还应吊销其密钥（cunzhan revoke）。"));
    return CZ_EXIT_OK;
}

int cmd_user(struct cli *c, int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "add") && argc >= 2) return user_add(c, argc, argv);
    if (argc >= 1 && !strcmp(argv[0], "passwd")) return user_passwd(c, argc, argv);
    if (argc >= 1 && !strcmp(argv[0], "remove")) return user_remove(c, argc, argv);
    return usage(c, "user add NAME [--role clerk|supervisor|office] | user passwd [NAME] | user remove NAME",
                 "user add 姓名 [--role clerk|supervisor|office] | user passwd [姓名] | user remove 姓名");
}

struct verify_out {
    struct cli *c;
    cz_view *v;
    json_t *arr;
    struct cli_progress *bar;   /* wiped before a finding is printed */
};

static const char *problem_name(enum cz_problem p)
{
    static const char *names[] = {
        [CZ_PROBLEM_HASH] = "hash", [CZ_PROBLEM_DECODE] = "decode", [CZ_PROBLEM_SIGNATURE] = "signature",
        [CZ_PROBLEM_CHAIN] = "chain", [CZ_PROBLEM_FORK] = "fork", [CZ_PROBLEM_AUTHORITY] = "authority",
        [CZ_PROBLEM_PENDING] = "pending", [CZ_PROBLEM_REFUSED] = "refused", [CZ_PROBLEM_HELD] = "held",
        [CZ_PROBLEM_QUARANTINE] = "quarantined" };
    return names[p];
}

/* What a supervisor needs to see of a kept entry: its type and author. */
static void entry_brief(cz_view *v, const uint8_t *id, char *type, size_t tsize, char fp[24])
{
    struct cz_entry e;
    type[0] = 0;
    fp[0] = 0;
    if (cz_view_entry(v, id, &e) != CZ_OK) return;
    snprintf(type, tsize, "%s", e.type);
    cz_fingerprint(e.origin, fp);
}

/* Of a forked entry: its author's fingerprint, its seq, and whether the
 * office's counting fork_choice names it (what `fork accept` needs). */
static int fork_brief(struct verify_out *vo, const uint8_t *id, char fp[24], uint64_t *seq)
{
    struct cz_entry e;
    struct cz_trust_info ti;
    fp[0] = 0;
    *seq = 0;
    if (cz_view_entry(vo->v, id, &e) != CZ_OK) return 0;
    cz_fingerprint(e.origin, fp);
    *seq = e.seq;
    if (cz_roster_lookup(cz_view_txn(vo->v), cz_station_info(vo->c->st)->office_root, e.origin, &ti) != CZ_OK) return 0;
    for (size_t i = 0; i < ti.nchoices && i < CZ_FORK_CHOICES_MAX; i++)
        if (ti.choices[i].seq == e.seq && !memcmp(ti.choices[i].entry, id, CZ_ID_BYTES)) return 1;
    return 0;
}

static void verify_cb(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    struct verify_out *vo = ctx;
    char hex[65], fp[24];
    uint64_t seq = 0;
    int accepted = kind == CZ_PROBLEM_FORK ? fork_brief(vo, id, fp, &seq) : 0;
    cz_hex(id, CZ_ID_BYTES, hex);
    if (vo->arr) {
        json_t *o = json_object();
        json_object_set_new(o, "entry", json_string(hex));
        json_object_set_new(o, "problem", json_string(problem_name(kind)));
        json_object_set_new(o, "message", json_string(cz_strerror(status, CZ_LANG_EN)));
        if (kind == CZ_PROBLEM_FORK) {
            json_object_set_new(o, "seq", json_integer((json_int_t)seq));
            json_object_set_new(o, "accepted", json_boolean(accepted));
        }
        json_array_append_new(vo->arr, o);
        return;
    }
    if (kind == CZ_PROBLEM_PENDING || kind == CZ_PROBLEM_QUARANTINE) return;   /* counted in the summary */
    cli_progress_clear(vo->bar);
    if (kind == CZ_PROBLEM_FORK) {
        printf("%s %s: %s (%s %s, %s %llu)%s\n", T(vo->c, "BAD", "错误"), hex, cz_strerror(status, vo->c->lang),
               T(vo->c, "by", "作者"), fp, T(vo->c, "seq", "序号"), (unsigned long long)seq,
               accepted ? T(vo->c, ": the branch the office accepted", "：市办认定的一支") : "");
        return;
    }
    if (kind == CZ_PROBLEM_REFUSED || kind == CZ_PROBLEM_HELD) {
        char type[CZ_TYPE_MAX + 1];
        entry_brief(vo->v, id, type, sizeof type, fp);
        printf("%s %s %s %s %s: %s\n",
               kind == CZ_PROBLEM_REFUSED ? T(vo->c, "REFUSED", "已拒绝") : T(vo->c, "HELD", "暂存"), hex, type,
               T(vo->c, "by", "作者"), fp, cz_strerror(status, vo->c->lang));
        return;
    }
    fprintf(stdout, "%s %s: %s\n", T(vo->c, "BAD", "错误"), hex, cz_strerror(status, vo->c->lang));
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
    struct cz_verify_report rep;
    cz_view *v = NULL;
    if (argc) return usage(c, "verify [--json]", "verify [--json]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    /* Read before the view: one read transaction per thread. */
    struct cz_load_state load;
    if (cz_station_load_unfinished(c->st, &load) != CZ_OK) load.unfinished = 0;
    int rc = cz_view_begin(c->st, &v);
    struct verify_out vo = { .c = c, .v = v, .arr = c->json ? json_array() : NULL,
                             .bar = cli_progress_start(c, "verify", "验证", "entries", "条") };
    if (rc == CZ_OK)
        rc = cz_verify_with(cz_view_txn(v), cz_station_info(c->st)->office_root, verify_cb, &vo,
                            cli_progress_hook(vo.bar), &rep);
    cli_progress_done(vo.bar, rc == CZ_OK);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); json_decref(vo.arr); return CZ_EXIT_FAIL; }
    if (vo.arr) {
        json_t *o = json_object();
        json_object_set_new(o, "entries", json_integer((json_int_t)rep.entries));
        json_object_set_new(o, "verified", json_integer((json_int_t)rep.verified));
        json_object_set_new(o, "pending", json_integer((json_int_t)rep.pending));
        json_object_set_new(o, "problems", json_integer((json_int_t)rep.problems));
        json_object_set_new(o, "refused", json_integer((json_int_t)rep.refused));
        json_object_set_new(o, "held", json_integer((json_int_t)rep.held));
        json_object_set_new(o, "held_for_upgrade", json_integer((json_int_t)rep.later));
        json_object_set_new(o, "quarantined", json_integer((json_int_t)rep.quarantined));
        json_object_set_new(o, "findings", vo.arr);
        json_object_set_new(o, "ok", json_boolean(rep.problems == 0));
        print_json(o);
    } else {
        printf(T(c, "%zu entries: %zu verified, %zu from keys not yet certified (pending), %zu problems\n",
                  "共 %zu 条记录：%zu 条验证通过，%zu 条来自尚未认证的密钥（待认证），%zu 个问题\n"),
               rep.entries, rep.verified, rep.pending, rep.problems);
        if (rep.refused || rep.held || rep.quarantined)
            printf(T(c, "Kept apart and not counted: %zu refused (evidence), %zu held until what they name arrives, "
                         "%zu after their author's fork\n",
                      "另行保存、不计入：%zu 条被拒绝（留作证据），%zu 条暂存待其引用的记录到达，%zu 条在作者日志分叉之后\n"),
                   rep.refused, rep.held, rep.quarantined);
        if (rep.later)
            printf(T(c, "Of those held, %zu are of record types this build does not know: they wait for an upgrade of cunzhan "
                        "on this PC (the office upgrades first), then count.\n",
                        "暂存的记录中有 %zu 条属于本版本不认识的记录类型：请升级本机的 cunzhan（市办先升级），升级后计入。\n"),
                   rep.later);
        if (rep.refused)
            printf("%s\n", T(c, "Refused entries were signed by the key shown but broke the rule named: show them to a supervisor.",
                              "被拒绝的记录由所示密钥签名，但违反了所列规则：请报告审核员。"));
        if (rep.problems)
            printf("%s\n", T(c, "Do not trust the entries named above; show this to a supervisor.",
                              "请不要信任上面列出的记录；请报告审核员。"));
    }
    return rep.problems ? CZ_EXIT_FAIL : CZ_EXIT_OK;
}

struct user_out { struct cli *c; cz_txn *t; json_t *arr; };

static int status_user_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct user_out *uo = ctx;
    uint8_t pk[32];
    struct cz_trust_info ti;
    char fp[24];
    if (cz_keyblob_sign_pk(blob, len, pk) != CZ_OK) return 0;
    cz_fingerprint(pk, fp);
    cz_roster_lookup(uo->t, cz_station_info(uo->c->st)->office_root, pk, &ti);
    const char *state = ti.state == CZ_TRUST_PENDING ? "pending" : ti.revoked ? "revoked" : "certified";
    if (uo->arr) {
        json_t *o = json_object();
        char hex[65];
        cz_hex(pk, 32, hex);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "key", json_string(hex));
        json_object_set_new(o, "state", json_string(state));
        json_object_set_new(o, "role", json_string(ti.role));
        json_object_set_new(o, "region", json_string(ti.region));
        json_array_append_new(uo->arr, o);
    } else {
        printf("  ");
        print_padded(name, 16);
        printf("%s  %s %s\n", fp, ti.state == CZ_TRUST_PENDING ? T(uo->c, "pending", "待认证")
                                  : ti.revoked ? T(uo->c, "revoked", "已吊销") : T(uo->c, "certified", "已认证"),
               ti.role);
    }
    return 0;
}

/* Entries of record types this build does not know: kept, not counted,
 * until cunzhan is upgraded here (README, Upgrading). */
static void status_later(struct cli *c, cz_view *v, json_t *o)
{
    size_t n = 0;
    cz_view_held_later(v, &n);
    if (o) json_object_set_new(o, "held_for_upgrade", json_integer((json_int_t)n));
    else if (n)
        printf(T(c, "%zu entries of record types this build of cunzhan does not know are kept, waiting for an upgrade: "
                    "they count once this station runs a newer build.\n",
                 "%zu 条记录属于本版本 cunzhan 不认识的记录类型，已保存，等待升级：本站升级到较新版本后计入。\n"),
               n);
}

/* A load that stopped half-way (station.h, cz_load_state): load the same
 * file again to finish it. */
static void status_load(struct cli *c, json_t *o, const struct cz_load_state *lp)
{
    struct cz_load_state ls = *lp;
    if (o) {
        json_t *l = json_null();
        if (ls.unfinished) {
            l = json_object();
            json_object_set_new(l, "file", json_string(ls.name));
            json_object_set_new(l, "type", json_string(ls.type));
            json_object_set_new(l, "rows_done", json_integer((json_int_t)ls.done));
            json_object_set_new(l, "rows_total", json_integer((json_int_t)ls.total));
        }
        json_object_set_new(o, "load_unfinished", l);
    } else if (ls.unfinished) {
        printf(T(c, "Load unfinished: %s (%s), %" PRIu64 " of %" PRIu64 " rows stored: load that file again to finish it.\n",
                    "批量录入未完成：%s（%s），已保存 %" PRIu64 " 行，共 %" PRIu64 " 行：请再次导入该文件以完成。\n"),
               ls.name, ls.type, ls.done, ls.total);
    }
}

int cmd_status(struct cli *c, int argc, char **argv)
{
    cz_view *v = NULL;
    struct cz_store_stats ss = { 0 };
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    if (argc) return usage(c, "status [--json]", "status [--json]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    /* Read before the view: one read transaction per thread. */
    struct cz_load_state load;
    if (cz_station_load_unfinished(c->st, &load) != CZ_OK) load.unfinished = 0;
    int rc = cz_view_begin(c->st, &v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    const struct cz_station_info *info = cz_station_info(c->st);
    size_t records = 0;
    cz_view_stats(v, &ss);
    cz_view_count_records(v, &records);
    char fp[24];
    cz_fingerprint(info->office_root, fp);
    json_t *o = c->json ? json_object() : NULL, *counts = c->json ? json_object() : NULL;
    if (o) {
        json_object_set_new(o, "station", json_string(info->name));
        json_object_set_new(o, "kind", json_string(info->kind == CZ_KIND_OFFICE ? "office" : "station"));
        json_object_set_new(o, "region", json_string(info->region));
        json_object_set_new(o, "office", json_string(info->office_name));
        json_object_set_new(o, "office_fingerprint", json_string(fp));
        json_object_set_new(o, "entries", json_integer((json_int_t)ss.entries));
        json_object_set_new(o, "records", json_integer((json_int_t)records));
        json_object_set_new(o, "forks", json_integer((json_int_t)ss.forks));
        json_object_set_new(o, "db_bytes", json_integer((json_int_t)ss.db_bytes));
    } else {
        printf("%s %s (%s)  %s %s\n", T(c, "Station", "站点"), info->name,
               info->kind == CZ_KIND_OFFICE ? T(c, "city office", "市办") : T(c, "village station", "村站"),
               T(c, "region", "辖区"), info->region[0] ? info->region : "-");
        char oname[CZ_NAME_MAX * 3 + 8];
        /* The office's name came from its identity file, on a stick. */
        printf("%s %s  %s %s\n", T(c, "Office", "市办"), cz_text_safe(info->office_name, oname, sizeof oname),
               T(c, "fingerprint", "指纹"), fp);
        printf("%s %zu  %s %zu  %s %zu\n", T(c, "Entries", "签名记录"), ss.entries,
               T(c, "records", "档案"), records, T(c, "forks", "分叉"), ss.forks);
        printf("%s\n", T(c, "Records by type:", "各类档案数："));
    }
    for (size_t i = 0; i < ntypes; i++) {
        size_t n = 0;
        cz_view_count(v, types[i].key, NULL, &n);
        if (o) json_object_set_new(counts, types[i].key, json_integer((json_int_t)n));
        else if (n) {
            printf("  ");
            print_padded(T(c, types[i].en, types[i].zh), 20);
            printf("%zu\n", n);
        }
    }
    status_later(c, v, o);
    status_load(c, o, &load);
    struct user_out uo = { .c = c, .t = cz_view_txn(v), .arr = o ? json_array() : NULL };
    if (!o) printf("%s\n", T(c, "People on this machine:", "本机用户："));
    cz_view_each_user(v, status_user_cb, &uo);
    cz_view_end(v);
    /* Read in a transaction of its own, once the view's is over. */
    cli_status_imports(c, o);
    if (o) {
        json_object_set_new(o, "counts", counts);
        json_object_set_new(o, "users", uo.arr);
        print_json(o);
    }
    return CZ_EXIT_OK;
}
