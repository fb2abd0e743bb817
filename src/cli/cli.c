/* cli.c — the command line's dispatch: the global options (before or after
 * the command), the command table, usage and help, and what every command
 * shares on its way in: opening the station, the passphrase, the login and
 * its clock check (src/CLI.md). */
#include "cli.h"
#include "cli_int.h"
#include "screens.h"
#include "station.h"
#include "status.h"
#include "sync.h"
#include "text.h"

#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void say_error(struct cli *c, int status, const char *what)
{
    char safe[4096 + 64], db[4096 + 8], safe_db[4096 + 64];
    /* A damaged or full database, a full disk, a permission refused: the
     * person needs the folder to act on, not only the cause. */
    if (cz_status_is_store(status)) {
        snprintf(db, sizeof db, "%s/db", c->dir ? c->dir : ".");
        if (!what || !*what || what == c->dir) {
            what = db;
        } else if (status != CZ_EACCESS && status != CZ_EDISKFULL && status != CZ_EREADONLY) {
            /* The database's own failure met while handling `what`. */
            fprintf(stderr, "cunzhan: %s: %s: %s\n", cz_text_safe(what, safe, sizeof safe),
                    cz_text_safe(db, safe_db, sizeof safe_db), cz_strerror(status, c->lang));
            return;
        }
    }
    /* `what` is often a file name from a stick or a name from a record. */
    if (what && *what)
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(what, safe, sizeof safe), cz_strerror(status, c->lang));
    else
        fprintf(stderr, "cunzhan: %s\n", cz_strerror(status, c->lang));
}

int usage(struct cli *c, const char *en, const char *zh)
{
    fprintf(stderr, "cunzhan: %s\n", T(c, en, zh));
    fprintf(stderr, "%s\n", T(c, "Run `cunzhan help` for the commands.", "运行 `cunzhan help` 查看所有命令。"));
    return CZ_EXIT_USAGE;
}

/* ---- passphrases ---- */

/* The terminal's own encoding when it is not UTF-8 (a GB18030 locale), or
 * NULL.  Read from the environment's locale without setting it: the
 * command line's output stays UTF-8 (CLI.md), but what is typed at the
 * passphrase prompt arrives in the terminal's encoding, and a passphrase
 * set in UTF-8 must open from a GB18030 terminal too. */
static const char *tty_codeset(char *out, size_t size)
{
    /* setlocale, then back: glibc's newlocale() leaks its LOCPATH list. */
    char was[128];
    const char *cur = setlocale(LC_CTYPE, NULL);
    snprintf(was, sizeof was, "%s", cur ? cur : "C");
    out[0] = 0;
    if (setlocale(LC_CTYPE, "")) snprintf(out, size, "%s", nl_langinfo(CODESET));
    setlocale(LC_CTYPE, was);
    if (!strcmp(out, "UTF-8") || !strcmp(out, "ANSI_X3.4-1968") || !out[0]) return NULL;
    return out;
}

/* Converts s in place between encodings (to "UTF-8" from the terminal's,
 * or back for a prompt); -1, s left as it was, when it does not convert.
 * The copy is wiped: s may be a passphrase. */
static int convert_in_place(const char *to, const char *from, char *s, size_t size)
{
    char out[PASS_MAX * 4];
    char *in = s, *o = out;
    size_t inleft = strlen(s), outleft = sizeof out - 1;
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1) return -1;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    *o = 0;
    int ok = r != (size_t)-1 && inleft == 0 && (size_t)(o - out) < size;
    if (ok) memcpy(s, out, (size_t)(o - out) + 1);
    sodium_memzero(out, sizeof out);
    return ok ? 0 : -1;
}

static int read_tty_line(const char *prompt_utf8, char *buf, size_t size)
{
    char codeset_buf[64], prompt[256];
    const char *codeset = tty_codeset(codeset_buf, sizeof codeset_buf);
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    if (!tty) return -1;
    snprintf(prompt, sizeof prompt, "%s", prompt_utf8);
    if (codeset) convert_in_place(codeset, "UTF-8", prompt, sizeof prompt);
    fputs(prompt, tty);
    fflush(tty);
    int fd = fileno(tty), have_termios = tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)size, tty);
    if (have_termios) tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!got) return -1;
    buf[strcspn(buf, "\r\n")] = 0;
    if (codeset) convert_in_place("UTF-8", codeset, buf, size);   /* else as typed: a wrong passphrase says so */
    return 0;
}

/* The passphrase of the person signing: CUNZHAN_PASSPHRASE, or asked
 * without echo.  new_one asks twice and refuses an empty one. */
int get_passphrase(struct cli *c, const char *env, int new_one, char *buf, size_t size)
{
    const char *e = getenv(env);
    if (!e && strcmp(env, "CUNZHAN_PASSPHRASE")) e = getenv("CUNZHAN_PASSPHRASE");
    if (e) {
        snprintf(buf, size, "%s", e);
    } else {
        char again[PASS_MAX];
        if (read_tty_line(T(c, "Passphrase: ", "口令："), buf, size) != 0) {
            fprintf(stderr, "cunzhan: %s\n", T(c, "no terminal to ask the passphrase on: set CUNZHAN_PASSPHRASE",
                                                "没有终端可以输入口令：请设置 CUNZHAN_PASSPHRASE"));
            return -1;
        }
        if (new_one) {
            if (read_tty_line(T(c, "Passphrase again: ", "再输一次口令："), again, sizeof again) != 0 ||
                strcmp(buf, again) != 0) {
                sodium_memzero(again, sizeof again);
                fprintf(stderr, "cunzhan: %s\n", T(c, "the two passphrases differ; nothing was written",
                                                    "两次输入的口令不同；没有写入任何内容"));
                return -1;
            }
            sodium_memzero(again, sizeof again);
        }
    }
    if (new_one && !buf[0]) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "the passphrase must not be empty", "口令不能为空"));
        return -1;
    }
    return 0;
}

/* Said before an older build's index is made again (it takes a while). */
static void reindex_notice(void *ctx, size_t records)
{
    struct cli *c = ctx;
    fprintf(stderr, "cunzhan: %s: %zu\n",
            T(c, "rebuilding the find index for this version (pinyin, phones, parts of numbers), once; records",
              "正在为新版本重建查找索引（拼音、电话号码、户编号的一部分），仅此一次；记录数"), records);
}

int open_station(struct cli *c)
{
    cz_station_reindex_notice(reindex_notice, c);
    int rc = cz_station_open(c->dir, &c->st);
    if (rc == CZ_ENOINIT) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, cz_strerror(rc, c->lang));
        return -1;
    }
    if (rc) { say_error(c, rc, c->dir); return -1; }
    /* After an upgrade, what the older build held for its type counts now
     * (TRUST.md, Mixed builds); a failure (a read-only folder) leaves it
     * held for the next import. */
    struct cz_import_result rj;
    (void)cz_sync_rejudge(c->st, &rj);
    return 0;
}

/* After a login: a PC clock a day behind what this station signed stops
 * the command (nothing signed) unless --clock-ok says the date was
 * checked; a station clock that ran ahead is said once. */
static int check_clock(struct cli *c)
{
    struct cz_clock_state cs;
    char pc[32], last[32], station[32];
    int rc = cz_station_clock(c->st, &cs);
    if (rc) { say_error(c, rc, NULL); return -1; }
    format_time(cs.now, pc, sizeof pc);
    format_time(cs.last_signed, last, sizeof last);
    format_time(cs.station_clock, station, sizeof station);
    if (cs.pc_behind && !c->clock_ok) {
        fprintf(stderr, T(c, "cunzhan: this PC's clock says %s, but this station already signed entries dated %s. "
                              "Nothing was done. If this PC's date is wrong (a flat CMOS battery), set the date and "
                              "time; if it is right (those entries were dated by a PC that was ahead), run the command "
                              "again with --clock-ok.\n",
                              "cunzhan：本机时钟显示 %s，但本站已签名的记录日期为 %s。没有做任何操作。如果本机日期不对"
                              "（主板电池没电），请设置日期和时间；如果本机日期是对的（那些记录是在时钟偏快的电脑上签名的），"
                              "请加 --clock-ok 重新运行该命令。\n"),
                pc, last);
        return -1;
    }
    if (cs.pc_behind && (rc = cz_station_clock_confirm(c->st))) { say_error(c, rc, NULL); return -1; }
    if (cs.station_ahead && !cs.ahead_noted) {
        fprintf(stderr, T(c, "cunzhan: note: this station's clock runs at %s, ahead of this PC's %s (the PC's date was "
                              "wrong once): entries keep their order; later ones are dated by the station's clock.\n",
                              "cunzhan：注意：本站时钟为 %s，快于本机的 %s（本机日期曾经设错）：记录的先后顺序不变；"
                              "之后的记录按本站时钟计时。\n"),
                station, pc);
        if ((rc = cz_station_clock_noted(c->st))) { say_error(c, rc, NULL); return -1; }
    }
    return 0;
}

int login(struct cli *c)
{
    char pass[PASS_MAX];
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, pass, sizeof pass)) return -1;
    int rc = cz_station_login(c->st, c->user, pass);
    sodium_memzero(pass, sizeof pass);
    if (rc == CZ_EPASS) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "wrong passphrase; nothing was written. Try again, or ask the station's supervisor.",
                                            "口令错误；没有写入任何内容。请重试，或询问本站审核员。"));
        return -1;
    }
    if (rc == CZ_ENOUSER) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->user ? c->user : "?", cz_strerror(rc, c->lang));
        return -1;
    }
    if (rc) { say_error(c, rc, NULL); return -1; }
    return check_clock(c);
}

/* The new passphrase for `user passwd`: CUNZHAN_NEW_PASSPHRASE, else asked
 * twice on the terminal (never CUNZHAN_PASSPHRASE, which is the old one). */
int new_passphrase(struct cli *c, char *buf, size_t size)
{
    const char *e = getenv("CUNZHAN_NEW_PASSPHRASE");
    char again[PASS_MAX];
    if (e) { snprintf(buf, size, "%s", e); return 0; }
    if (read_tty_line(T(c, "New passphrase: ", "新口令："), buf, size) != 0) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "no terminal to ask the new passphrase on: set CUNZHAN_NEW_PASSPHRASE",
                                           "没有终端可以输入新口令：请设置 CUNZHAN_NEW_PASSPHRASE"));
        return -1;
    }
    int differ = read_tty_line(T(c, "New passphrase again: ", "再输一次新口令："), again, sizeof again) != 0 ||
                 strcmp(buf, again) != 0;
    sodium_memzero(again, sizeof again);
    if (differ) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "the two passphrases differ; nothing was written",
                                           "两次输入的口令不同；没有写入任何内容"));
        return -1;
    }
    return 0;
}

/* ---- the command table ---- */

static int cmd_help(struct cli *c, int argc, char **argv);

struct command {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);
    const char *args, *en, *zh;   /* the help line: arguments, what it does */
};

/* Every command, once: `cunzhan help` prints this table in its order. */
static const struct command commands[] = {
    { .name = "init", .run = cmd_init, .args = "--office NAME --user NAME | --station NAME --region CODE --user NAME --office-key FILE",
      .en = "set up a city office or a village station",
      .zh = "建立市办或村站" },
    { .name = "pubkey", .run = cmd_pubkey, .args = "",
      .en = "print this station's public identity",
      .zh = "显示本站公开身份" },
    { .name = "user", .run = cmd_user, .args = "add NAME [--role R] | passwd [NAME] | remove NAME",
      .en = "add a person on this machine, change a passphrase, remove a person's key slot",
      .zh = "在本机添加用户、修改口令、删除用户的密钥槽" },
    { .name = "add", .run = cmd_add, .args = "TYPE FIELD=VALUE...",
      .en = "new record; prints its id",
      .zh = "新建记录；输出编号" },
    { .name = "edit", .run = cmd_edit, .args = "ID FIELD=VALUE...",
      .en = "new version of a record",
      .zh = "修改记录（产生新版本）" },
    { .name = "delete", .run = cmd_delete, .args = "ID",
      .en = "mark a record deleted (a signed tombstone)",
      .zh = "删除记录（签名的删除标记）" },
    { .name = "show", .run = cmd_show, .args = "ID [--history]",
      .en = "show a record (and every version)",
      .zh = "查看记录（及所有版本）" },
    { .name = "list", .run = cmd_list, .args = "TYPE [FIELD=VALUE...]",
      .en = "list records of a type",
      .zh = "列出某类记录" },
    { .name = "find", .run = cmd_find, .args = "TEXT",
      .en = "find by any part of a name, a household or ID number",
      .zh = "按姓名（或部分）、户编号、身份证号查找" },
    { .name = "fields", .run = cmd_fields, .args = "[TYPE]",
      .en = "record types and their fields",
      .zh = "记录类型及字段" },
    { .name = "verify", .run = cmd_verify, .args = "",
      .en = "re-check every signature and chain",
      .zh = "重新验证所有签名和日志链" },
    { .name = "status", .run = cmd_status, .args = "",
      .en = "this station at a glance",
      .zh = "本站概况" },
    { .name = "enrol", .run = cmd_enrol, .args = "[--all-pending | KEYID...] --role R [--region CODE]",
      .en = "office: certify pending keys (no arguments: list keys)",
      .zh = "市办：认证待认证的密钥（不带参数：列出密钥）" },
    { .name = "revoke", .run = cmd_revoke, .args = "KEYID [--after-seq N]",
      .en = "office: revoke a key",
      .zh = "市办：吊销密钥" },
    { .name = "fork", .run = cmd_fork, .args = "accept KEYID SEQ ENTRYID [--reason TEXT]",
      .en = "office: accept one branch of a forked log",
      .zh = "市办：认定分叉日志中的一支" },
    { .name = "root", .run = cmd_root, .args = "rollover [--reason TEXT]",
      .en = "office: replace the root key (after an office person leaves)",
      .zh = "市办：更换根密钥（市办人员离职后）" },
    { .name = "approve", .run = cmd_approve, .args = "ID --step village|township|county|notice [--reject] [--notes T] [--date D]",
      .en = "supervisor's signed approval of an exit assessment",
      .zh = "审核员对退出评估的签名审批" },
    { .name = "exits", .run = cmd_exits, .args = "[--all] [--region CODE]",
      .en = "exit assessments awaiting your step (--all: every one in your jurisdiction, with its stage)",
      .zh = "待您审批的退出评估（--all：辖区内全部退出评估及其进度）" },
    { .name = "load", .run = cmd_load, .args = "TYPE FILE.csv",
      .en = "bulk entry from a spreadsheet (UTF-8 or GB18030): all rows or none",
      .zh = "从电子表格批量录入（UTF-8 或 GB18030）：全部成功或全部不存" },
    { .name = "export", .run = cmd_export, .args = "[--to DIR] [--for STATION...] [--full]",
      .en = "write bundles to a stick (no --to: the one USB stick plugged in)",
      .zh = "把数据包写到U盘（不带 --to：使用插着的那个U盘）" },
    { .name = "import", .run = cmd_import, .args = "[DIR|FILE...]",
      .en = "read bundles from a stick (none named: the one plugged in): what came in, what was refused and why",
      .zh = "从U盘导入数据包（不指定：使用插着的那个U盘）：显示导入和拒收的内容及原因" },
    { .name = "conflicts", .run = cmd_conflicts, .args = "",
      .en = "records edited concurrently with differing values",
      .zh = "并发修改产生冲突的记录" },
    { .name = "resolve", .run = cmd_resolve, .args = "ID FIELD=VALUE...",
      .en = "settle a conflict: a version over all concurrent ones",
      .zh = "解决冲突：写入覆盖所有并发版本的新版本" },
    { .name = "report", .run = cmd_report, .args = "[--format text|csv|json] [--region CODE]",
      .en = "the office's figures",
      .zh = "统计报表" },
    { .name = "print", .run = cmd_print, .args = "card HOUSEHOLD...|card --village C|notice --village C|--township C [--year Y]|report [--region C] [--to F.pdf]",
      .en = "an A4 PDF: households' cards, the exits' public notice, the report with bars",
      .zh = "打印 A4 PDF：贫困户明白卡、脱贫公示、带条形图的统计报表" },
    { .name = "mirror", .run = cmd_mirror, .args = "[URL] [--batch N]",
      .en = "copy every entry and record into PostgreSQL (URL or CUNZHAN_MIRROR; src/MIRROR.md)",
      .zh = "把全部条目和记录镜像到 PostgreSQL（连接串或 CUNZHAN_MIRROR；见 src/MIRROR.md）" },
    { .name = "backup", .run = cmd_backup, .args = "[--to DIR]",
      .en = "every entry and the people's sealed keys, encrypted to this station and the office",
      .zh = "备份全部记录和用户的加密密钥（加密给本站和市办）" },
    { .name = "restore", .run = cmd_restore, .args = "FILE [--with-office OFFICE-DIR [--person NAME]]",
      .en = "rebuild a station from a backup in a new folder (-C DIR); new signing keys follow",
      .zh = "在新文件夹（-C 文件夹）中从备份重建站点；随后生成新的签名密钥" },
    { .name = "demo", .run = cmd_demo, .args = "",
      .en = "a ready office and stations with the seed's villages (in -C DIR)",
      .zh = "建立演示用的市办和村站（在 -C 文件夹中）" },
    { .name = "help", .run = cmd_help, .args = "",
      .en = "this list",
      .zh = "本列表" },
};

static int cmd_help(struct cli *c, int argc, char **argv)
{
    printf("%s\n", T(c, "cunzhan [-C DIR] [--lang zh|en] [--user NAME] [--clock-ok] COMMAND [--json] ...",
                      "cunzhan [-C 文件夹] [--lang zh|en] [--user 姓名] [--clock-ok] 命令 [--json] ..."));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        printf("  %-9s %s\n", commands[i].name, commands[i].args);
        printf("            %s\n", T(c, commands[i].en, commands[i].zh));
    }
    printf("%s\n", T(c, "The passphrase is asked without echo, or taken from CUNZHAN_PASSPHRASE.",
                      "口令在终端中不回显输入，或从环境变量 CUNZHAN_PASSPHRASE 读取。"));
    return CZ_EXIT_OK;
}

static const struct command *find_command(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(name, commands[k].name)) return &commands[k];
    return NULL;
}

/* ---- global options ---- */

static enum cz_lang lang_from_env(void)
{
    const char *vars[] = { "CUNZHAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return strncmp(v, "zh", 2) == 0 ? CZ_LANG_ZH : CZ_LANG_EN;
    }
    return CZ_LANG_EN;
}

/* The command line split: the command, the arguments left for it, and
 * what was wrong or asked for before it. */
struct parsed {
    const char *command;     /* NULL: none named */
    char **rest;             /* the command's own arguments, in order */
    int nrest;
    int help;                /* -h or --help before the command */
    int bad_option;          /* an unknown option before the command */
    int bad_lang;            /* --lang with neither zh nor en */
};

/* The global option at argv[*i], wherever it stands; *i moves past its
 * value.  1 when taken, 0 when argv[*i] is none (or lacks its value: then
 * it is the command's to refuse).  `init` has a --user of its own: after
 * that command, --user is init's. */
static int take_global(struct cli *c, struct parsed *p, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    int has_value = *i + 1 < argc;
    if (!strcmp(a, "--json")) c->json = 1;
    else if (!strcmp(a, "--clock-ok")) c->clock_ok = 1;
    else if (!strcmp(a, "-C") && has_value) c->dir = argv[++*i];
    else if (!strcmp(a, "--user") && has_value && !(p->command && !strcmp(p->command, "init")))
        c->user = argv[++*i];
    else if (!strcmp(a, "--lang") && has_value) {
        const char *l = argv[++*i];
        if (strcmp(l, "zh") && strcmp(l, "en")) p->bad_lang = 1;
        else c->lang = !strcmp(l, "zh") ? CZ_LANG_ZH : CZ_LANG_EN;
        c->lang_given = c->lang_explicit = 1;
    } else
        return 0;
    return 1;
}

/* Global options are read before and after the command: people write
 * `cunzhan demo -C DIR` as readily as `cunzhan -C DIR demo`.  A `--` ends
 * them, and what follows goes to the command as it is.  Before the command
 * an option that is not global is an error; after it, the command's. */
static void parse_args(struct cli *c, int argc, char **argv, struct parsed *p)
{
    int options = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && !strcmp(a, "--")) { options = 0; continue; }
        if (options && take_global(c, p, argc, argv, &i)) continue;
        if (p->command) p->rest[p->nrest++] = argv[i];
        else if (!options || a[0] != '-') p->command = a;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) p->help = 1;
        else p->bad_option = 1;
    }
}

/* The defaults the environment gives, before the command line overrides
 * them. */
static void cli_from_env(struct cli *c)
{
    memset(c, 0, sizeof *c);
    c->lang = lang_from_env();
    const char *env_lang = getenv("CUNZHAN_LANG");
    c->lang_explicit = env_lang && *env_lang;
    c->user = getenv("CUNZHAN_USER");
    c->dir = getenv("CUNZHAN_HOME");
}

/* No command: the screens on a terminal, the status otherwise. */
static int no_command(struct cli *c)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        struct cz_screens_args sa = {
            .dir = c->dir, .lang = c->lang, .lang_given = c->lang_given,
            .user = c->user, .lang_explicit = c->lang_explicit,
        };
        if (sodium_init() < 0) return CZ_EXIT_FAIL;
        return cz_screens_main(&sa);
    }
    return cmd_status(c, 0, NULL) == CZ_EXIT_OK ? CZ_EXIT_OK : CZ_EXIT_FAIL;
}

static int run(struct cli *c, const struct parsed *p)
{
    const struct command *cmd;
    if (p->bad_lang) return usage(c, "--lang zh or --lang en", "--lang zh 或 --lang en");
    if (p->bad_option) return usage(c, "unknown option", "未知选项");
    if (p->help) return cmd_help(c, 0, NULL);
    if (!c->dir || !*c->dir) {
        const char *home = getenv("HOME");
        snprintf(c->dir_buf, sizeof c->dir_buf, "%s/.local/share/cunzhan", home ? home : ".");
        c->dir = c->dir_buf;
    }
    if (!p->command) return no_command(c);
    if (sodium_init() < 0) return CZ_EXIT_FAIL;
    if (!(cmd = find_command(p->command))) return usage(c, "unknown command", "未知命令");
    return cmd->run(c, p->nrest, p->rest);
}

int cz_cli_main(int argc, char **argv)
{
    struct cli c;
    struct parsed p = { .rest = calloc((size_t)argc + 1, sizeof *p.rest) };
    cli_from_env(&c);
    if (!p.rest) return CZ_EXIT_FAIL;
    parse_args(&c, argc, argv, &p);
    int rc = run(&c, &p);
    cz_station_close(c.st);
    free(p.rest);
    return rc;
}
