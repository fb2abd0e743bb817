#include "cli.h"
#include "cli_int.h"
#include "cli_sync.h"
#include "codec.h"
#include "exitchain.h"
#include "fsutil.h"
#include "keys.h"
#include "parse.h"
#include "people.h"
#include "query.h"
#include "roster.h"
#include "screens.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "text.h"
#include "verify.h"

#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
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

static int read_tty_line(const char *prompt, char *buf, size_t size)
{
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    if (!tty) return -1;
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

int open_station(struct cli *c)
{
    int rc = cz_station_open(c->dir, &c->st);
    if (rc == CZ_ENOINIT) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, cz_strerror(rc, c->lang));
        return -1;
    }
    if (rc) { say_error(c, rc, c->dir); return -1; }
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

/* ---- helpers ---- */

void format_time(int64_t wall, char *buf, size_t size)
{
    cz_format_cst(wall, buf, size);   /* China time, whatever the PC's zone */
}

/* Who a key belongs to, as the roster or the key's own announcement says. */
void signer_name(cz_txn *t, const struct cz_station_info *info, const uint8_t key[32],
                 enum cz_lang lang, char *buf, size_t size)
{
    char raw[512];
    /* Names come from records other stations signed: filtered once here
     * for everything that prints them. */
    cz_signer_name(t, info->office_root, key, lang, 1, raw, sizeof raw);
    cz_text_safe(raw, buf, size);
}

struct cz_assign *parse_assignments(struct cli *c, char **args, int n)
{
    struct cz_assign *out = calloc((size_t)n + 1, sizeof *out);
    if (!out) return NULL;
    for (int i = 0; i < n; i++)
        if (cz_assign_split(args[i], &out[i])) {
            fprintf(stderr, "cunzhan: %s: %s\n", args[i],
                    T(c, "expected FIELD=VALUE (e.g. head=王秀英)", "应为 字段=值（例如 head=王秀英）"));
            free(out);
            return NULL;
        }
    return out;
}

const struct cz_type *type_arg(struct cli *c, const char *name)
{
    const struct cz_type *t = cz_schema_type(name);
    if (!t)
        fprintf(stderr, "cunzhan: %s: %s\n", name, T(c, "no such record type: `cunzhan fields` lists them",
                                                     "没有这种记录类型：运行 `cunzhan fields` 查看"));
    return t;
}

void field_error(struct cli *c, const char *type, int rc, const struct cz_field_error *err)
{
    const struct cz_type *t = cz_schema_type(type);
    char msg[1024];
    if (t && (err->field || err->name[0])) {
        cz_field_error_message(t, err, c->lang, msg, sizeof msg);
        fprintf(stderr, "cunzhan: %s\n", msg);
    } else {
        say_error(c, rc, NULL);
    }
    fprintf(stderr, "cunzhan: %s\n", T(c, "nothing was stored", "没有保存任何内容"));
}

/* An entity from an id prefix typed on the command line (or a version id). */
int resolve_entity(struct cli *c, cz_txn *t, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    int rc = cz_store_resolve_entity(t, hex, entity);
    if (rc == CZ_ENOTFOUND || (rc == CZ_EINVAL && strlen(hex) > 2 * CZ_ENTITY_BYTES)) {
        uint8_t id[CZ_ID_BYTES];
        struct cz_entry e;
        if (cz_store_resolve_entry(t, hex, id) == CZ_OK && cz_store_get_entry(t, id, &e) == CZ_OK) {
            memcpy(entity, e.entity, CZ_ENTITY_BYTES);
            return CZ_OK;
        }
        rc = rc == CZ_EINVAL ? CZ_ENOTFOUND : rc;
    }
    if (rc == CZ_EINVAL)
        fprintf(stderr, "cunzhan: %s: %s\n", hex, T(c, "an id is at least 6 hex digits, as `add` or `find` printed it",
                                                      "编号至少 6 位十六进制数字，即 `add` 或 `find` 输出的编号"));
    else if (rc)
        fprintf(stderr, "cunzhan: %s: %s\n", hex, cz_strerror(rc, c->lang));
    return rc;
}

/* A record's fields as a JSON object (values as strings in the same form
 * `add` takes them; whole numbers as numbers; lists as arrays). */
json_t *fields_json(const struct cz_type *t, const cz_body *b)
{
    json_t *o = json_object();
    char buf[4096];
    for (size_t i = 0; t && b && i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        int kind = cz_schema_format(f, b, CZ_LANG_EN, 0, buf, sizeof buf);
        if (!kind) continue;
        if (kind == CZ_KIND_LIST) {
            json_t *arr = json_array();
            size_t n = 0;
            cz_body_get_list_count(b, f->tag, &n);
            for (size_t j = 0; j < n; j++) {
                const char *s;
                size_t len;
                cz_body_get_list_item(b, f->tag, j, &s, &len);
                json_array_append_new(arr, json_stringn(s, len));
            }
            json_object_set_new(o, f->key, arr);
        } else if (f->type == CZ_F_INT || f->type == CZ_F_YEAR) {
            int64_t v = 0;
            cz_body_get_sint(b, f->tag, &v);
            json_object_set_new(o, f->key, json_integer((json_int_t)v));
        } else {
            json_object_set_new(o, f->key, json_string(buf));
        }
    }
    return o;
}

json_t *record_json(cz_txn *t, const struct cz_station_info *info, const struct cz_record *r)
{
    char hex[65], when[32], who[160];
    json_t *o = json_object();
    cz_hex(r->entity, CZ_ENTITY_BYTES, hex);
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "type", json_string(r->type_key));
    cz_hex(r->id, CZ_ID_BYTES, hex);
    json_object_set_new(o, "version", json_string(hex));
    json_object_set_new(o, "region", json_string(r->region));
    cz_hex(r->origin, 32, hex);
    json_object_set_new(o, "signed_by_key", json_string(hex));
    signer_name(t, info, r->origin, CZ_LANG_EN, who, sizeof who);
    json_object_set_new(o, "signed_by", json_string(who));
    json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
    format_time(r->wall, when, sizeof when);
    json_object_set_new(o, "time", json_string(when));
    json_object_set_new(o, "heads", json_integer((json_int_t)r->nheads));
    json_object_set_new(o, "deleted", json_boolean(r->deleted));
    json_object_set_new(o, "fields", fields_json(r->type, r->body));
    return o;
}

void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) { puts(s); free(s); }
    json_decref(j);
}

/* Pads by display width (CJK glyphs take two columns). */
void print_padded(const char *s, size_t width)
{
    size_t cols = cz_text_cols(s, strlen(s));
    fputs(s, stdout);
    for (; cols < width; cols++) putchar(' ');
}

/* A referenced record's title, for showing "王秀英 (ce68acd8e6c8)". */
static void ref_title(cz_txn *t, const struct cz_field *f, const cz_body *b, char *buf, size_t size)
{
    const uint8_t *p;
    size_t len;
    struct cz_record r;
    buf[0] = 0;
    if (f->type != CZ_F_REF || cz_body_get_bytes(b, f->tag, &p, &len) != CZ_OK || len != CZ_ENTITY_BYTES)
        return;
    if (cz_record_load(t, p, &r) == CZ_OK && r.type && r.body)
        cz_schema_title(r.type, r.body, buf, size);
    cz_record_clear(&r);
}

static void print_fields(struct cli *c, cz_txn *txn, const struct cz_type *t, const cz_body *b,
                         const char *indent)
{
    char buf[4096];
    size_t label_w = 0;
    for (size_t i = 0; i < t->nfields; i++) {
        const char *label = T(c, t->fields[i].en, t->fields[i].zh);
        size_t w = cz_text_cols(label, strlen(label));
        if (w > label_w) label_w = w;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        if (!cz_schema_format(f, b, c->lang, 1, buf, sizeof buf)) continue;
        fputs(indent, stdout);
        print_padded(T(c, f->en, f->zh), label_w);
        char title[256];
        ref_title(txn, f, b, title, sizeof title);
        if (title[0]) printf("  %s (%.12s)\n", title, buf);
        else printf("  %s\n", buf);
    }
}

/* ---- commands ---- */

static int cmd_init(struct cli *c, int argc, char **argv)
{
    struct cz_init_opts o = { 0 };
    const char *office_key = NULL, *office = NULL, *station = NULL;
    char *identity = NULL, pass[PASS_MAX], why[64], safe_key[4096 + 64];
    cz_station *st = NULL;
    int rc;

    /* Options come in pairs: NAME VALUE. */
    for (int i = 0; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage(c, "init: an option lacks its value", "init：选项缺少值");
        if (!strcmp(a, "--office")) office = v;
        else if (!strcmp(a, "--station")) station = v;
        else if (!strcmp(a, "--region")) o.region = v;
        else if (!strcmp(a, "--user")) o.user = v;
        else if (!strcmp(a, "--office-key")) office_key = v;
        else return usage(c, "init: unknown option", "init：未知选项");
    }
    if ((!office) == (!station) || !o.user)
        return usage(c, "init --office NAME --user NAME, or init --station NAME --region CODE --user NAME --office-key FILE",
                     "init --office 名称 --user 姓名，或 init --station 名称 --region 代码 --user 姓名 --office-key 文件");
    o.kind = office ? CZ_KIND_OFFICE : CZ_KIND_STATION;
    o.name = office ? office : station;
    if (station) {
        if (!o.region || !office_key)
            return usage(c, "init --station needs --region CODE and --office-key FILE (the office's `cunzhan pubkey`)",
                         "init --station 需要 --region 代码 和 --office-key 文件（市办 `cunzhan pubkey` 的输出）");
        /* A regular file only (a FIFO would block the read). */
        int kfd;
        FILE *f = cz_fs_open_regular(AT_FDCWD, office_key, &kfd) == CZ_OK ? fdopen(kfd, "r") : NULL;
        if (!f) {
            fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(office_key, safe_key, sizeof safe_key),
                    T(c, "cannot read the office key file", "无法读取市办公钥文件"));
            return CZ_EXIT_FAIL;
        }
        identity = calloc(1, 8192);
        size_t got = identity ? fread(identity, 1, 8191, f) : 0;
        (void)got;
        fclose(f);
        if (!identity) return CZ_EXIT_FAIL;
        o.office_identity = identity;
    }
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 1, pass, sizeof pass)) { free(identity); return CZ_EXIT_FAIL; }
    rc = cz_station_init(c->dir, &o, pass, &st, why, sizeof why);
    sodium_memzero(pass, sizeof pass);
    free(identity);
    if (rc == CZ_EEXIST) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, T(c, "a station already lives here; choose another folder with -C",
                                                        "这里已有村站数据；请用 -C 选择其他文件夹"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EINVAL && !strcmp(why, "office-key")) {
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(office_key, safe_key, sizeof safe_key),
                T(c, "not an office identity: make it with `cunzhan pubkey` at the office",
                                                             "不是市办身份文件：请在市办运行 `cunzhan pubkey` 生成"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EINVAL)
        return usage(c, "init: names must be 1-63 bytes without '/', a region 2-12 digits",
                     "init：名称须为 1-63 字节且不含 '/'，辖区代码须为 2-12 位数字");
    if (rc) { say_error(c, rc, c->dir); return CZ_EXIT_FAIL; }
    char fp[24];
    cz_fingerprint(cz_station_info(st)->office_root, fp);
    printf("%s %s\n", T(c, "initialised", "已初始化"), c->dir);
    if (station) {
        char name[CZ_NAME_MAX * 3 + 8];
        /* The office's name as its identity file gives it: text from a
         * stick, filtered. */
        printf("%s %s\n", T(c, "office:", "市办："), cz_text_safe(cz_station_info(st)->office_name, name, sizeof name));
    }
    printf("%s %s\n", T(c, "office key fingerprint:", "市办公钥指纹："), fp);
    if (station)
        printf("%s\n", T(c, "Compare the fingerprint with the one the office shows before you trust it.",
                          "请与市办显示的指纹核对一致后再使用。"));
    cz_station_close(st);
    return CZ_EXIT_OK;
}

static int cmd_pubkey(struct cli *c, int argc, char **argv)
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

/* The new passphrase for `user passwd`: CUNZHAN_NEW_PASSPHRASE, else asked
 * twice on the terminal (never CUNZHAN_PASSPHRASE, which is the old one). */
static int new_passphrase(struct cli *c, char *buf, size_t size)
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

static int cmd_user(struct cli *c, int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "add") && argc >= 2) return user_add(c, argc, argv);
    if (argc >= 1 && !strcmp(argv[0], "passwd")) return user_passwd(c, argc, argv);
    if (argc >= 1 && !strcmp(argv[0], "remove")) return user_remove(c, argc, argv);
    return usage(c, "user add NAME [--role clerk|supervisor|office] | user passwd [NAME] | user remove NAME",
                 "user add 姓名 [--role clerk|supervisor|office] | user passwd [姓名] | user remove 姓名");
}

static int cmd_add(struct cli *c, int argc, char **argv)
{
    struct cz_assign *a;
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    if (argc < 1) return usage(c, "add TYPE FIELD=VALUE...", "add 类型 字段=值...");
    const struct cz_type *t = type_arg(c, argv[0]);
    if (!t) return CZ_EXIT_USAGE;
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c) || login(c)) { free(a); return CZ_EXIT_FAIL; }
    int rc = cz_station_add(c->st, t->key, a, (size_t)argc - 1, entity, id, &err);
    free(a);
    if (rc == CZ_EPERM) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "this record lies outside your jurisdiction or role; nothing was stored",
                                            "该记录超出您的辖区或角色权限；没有保存任何内容"));
        return CZ_EXIT_FAIL;
    }
    if (rc) { field_error(c, t->key, rc, &err); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(hex));
        cz_hex(id, CZ_ID_BYTES, hex);
        json_object_set_new(o, "version", json_string(hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

int lookup_entity(struct cli *c, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    cz_txn *t = NULL;
    int rc = cz_txn_begin(cz_station_store(c->st), 0, &t);
    if (rc) { say_error(c, rc, NULL); return rc; }
    rc = resolve_entity(c, t, hex, entity);
    cz_txn_abort(t);
    return rc;
}

/* An edit refused because the record is in conflict: which fields need a
 * choice, and the two ways to give one. */
static void conflict_error(struct cli *c, const char *type, const char *idarg, const struct cz_field_error *err)
{
    const struct cz_type *t = cz_schema_type(type);
    char list[600] = "";
    size_t used = 0;
    for (const char *s = err->detail; *s && used < sizeof list;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, s);
        const struct cz_field *f = t ? cz_schema_field(t, key) : NULL;
        const char *label = f ? T(c, f->en, f->zh) : !strcmp(key, "deleted") ? T(c, "deleted or kept", "删除还是保留") : key;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (%s)", used ? ", " : "", label, key);
        s = comma ? comma + 1 : s + len;
    }
    say_error(c, CZ_ECONFLICT, NULL);
    fprintf(stderr, "cunzhan: %s %s\n", T(c, "conflicting fields not chosen in this edit:", "本次修改未选定的冲突字段："), list);
    fprintf(stderr, "cunzhan: %s `cunzhan conflicts`; %s `cunzhan edit %s FIELD=VALUE` %s `cunzhan resolve %s`\n",
            T(c, "see the values with", "用以下命令查看各个取值："), T(c, "then choose with", "然后用"), idarg,
            T(c, "for each of them, or", "为每个字段选定，或用"), idarg);
    fprintf(stderr, "cunzhan: %s\n", T(c, "nothing was stored", "没有保存任何内容"));
}

static int cmd_edit(struct cli *c, int argc, char **argv)
{
    struct cz_assign *a;
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char type[CZ_TYPE_MAX + 1] = "";
    if (argc < 2) return usage(c, "edit ID FIELD=VALUE...", "edit 编号 字段=值...");
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c) || lookup_entity(c, argv[0], entity) || login(c)) { free(a); return CZ_EXIT_FAIL; }
    cz_txn *t = NULL;
    struct cz_record r;
    if (cz_txn_begin(cz_station_store(c->st), 0, &t) == CZ_OK && cz_record_load(t, entity, &r) == CZ_OK) {
        snprintf(type, sizeof type, "%s", r.type_key);
        cz_record_clear(&r);
    }
    cz_txn_abort(t);
    int rc = cz_station_edit(c->st, entity, a, (size_t)argc - 1, id, &err);
    free(a);
    if (rc == CZ_EPERM) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "this record lies outside your jurisdiction or role; nothing was stored",
                                            "该记录超出您的辖区或角色权限；没有保存任何内容"));
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_ECONFLICT) { conflict_error(c, type, argv[0], &err); return CZ_EXIT_FAIL; }
    if (rc) { field_error(c, type, rc, &err); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(id, CZ_ID_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "version", json_string(hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

static int cmd_delete(struct cli *c, int argc, char **argv)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    if (argc != 1) return usage(c, "delete ID", "delete 编号");
    if (open_station(c) || lookup_entity(c, argv[0], entity) || login(c)) return CZ_EXIT_FAIL;
    int rc = cz_station_delete(c->st, entity, id);
    if (rc) { say_error(c, rc, argv[0]); return CZ_EXIT_FAIL; }
    char hex[65];
    cz_hex(id, CZ_ID_BYTES, hex);
    puts(hex);
    return CZ_EXIT_OK;
}

/* What a version changed against its first parent, as "field: old -> new". */
static void print_changes(struct cli *c, const struct cz_type *t, const struct cz_version *v,
                          const struct cz_version *all, size_t n)
{
    const cz_body *before = NULL;
    for (size_t i = 0; v->nparents && i < n; i++)
        if (!memcmp(all[i].id, v->parents[0], CZ_ID_BYTES)) before = all[i].body;
    char a[2048], b[2048];
    for (size_t i = 0; t && i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        a[0] = b[0] = 0;
        if (before) cz_schema_format(f, before, c->lang, 1, a, sizeof a);
        if (v->body) cz_schema_format(f, v->body, c->lang, 1, b, sizeof b);
        if (!strcmp(a, b)) continue;
        printf("      %s: %s -> %s\n", T(c, f->en, f->zh), a[0] ? a : "-", b[0] ? b : "-");
    }
}

struct size_ctx { cz_txn *t; size_t n; };

static int size_cb(void *ctx, const uint8_t *entity)
{
    struct size_ctx *sc = ctx;
    struct cz_record r;
    if (cz_record_load(sc->t, entity, &r) == CZ_OK && !r.deleted && !strcmp(r.type_key, "member")) sc->n++;
    cz_record_clear(&r);
    return 0;
}

/* A household's size is counted from its members, never typed. */
static size_t household_size(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES])
{
    char term[64];
    struct size_ctx sc = { t, 0 };
    cz_store_index_each(t, term, cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES), size_cb, &sc);
    return sc.n;
}

/* The approval chain on the assessment's current version. */
static void print_exit_chain(struct cli *c, cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES])
{
    static const char *const en[] = { "village appraisal", "township review", "county decision", "public notice" };
    static const char *const zh[] = { "村民主评议", "乡镇审核", "县审定", "公示" };
    struct cz_exit_state es;
    char date[16];
    if (cz_exit_state(t, cz_station_info(c->st)->office_root, entity, &es) != CZ_OK) return;
    printf("  %s\n", T(c, "Approval chain on this version:", "本版本的审批链："));
    for (int s = 0; s < CZ_STEP_COUNT; s++) {
        if (es.approved[s]) cz_format_date(es.approved_on[s], date, sizeof date);
        printf("    %-9s", cz_step_key((enum cz_step)s));
        print_padded(T(c, en[s], zh[s]), 18);
        printf("%s\n", es.rejected[s] ? T(c, "rejected", "不同意") : es.approved[s] ? date
                      : es.ahead[s] ? T(c, "signed with a clock over a day ahead of this PC: not counted yet",
                                         "签署时钟超前本机一天以上：暂不计入") : "-");
    }
    char why[512];
    if (es.criteria) {
        struct cz_exit_detail d;
        struct cz_record r;
        memset(&d, 0, sizeof d);
        if (cz_record_load(t, entity, &r) == CZ_OK && r.body)
            cz_exit_criteria(t, cz_station_info(c->st)->office_root, r.body, &d);
        cz_record_clear(&r);
        cz_exit_message(es.criteria, &d, c->lang, why, sizeof why);
        printf("  %s\n", why);
    } else if (es.approved[CZ_STEP_COUNTY] && !es.approved[CZ_STEP_NOTICE]) {
        cz_format_cst((int64_t)(es.notice_close_ms / 1000), why, sizeof why);
        printf("  %s %s%s\n", T(c, "The public notice may close from", "公示最早可于"), why,
               T(c, " (China time).", "（北京时间）结束。"));
    }
    printf("  %s\n", es.complete ? T(c, "The household counts as exited.", "该户计为已脱贫。")
                                 : T(c, "The chain is not complete: the household does not count as exited.",
                                      "审批链不完整：该户不计为已脱贫。"));
}

static int cmd_show(struct cli *c, int argc, char **argv)
{
    const char *idarg = NULL;
    int history = 0, rc;
    uint8_t entity[CZ_ENTITY_BYTES];
    cz_txn *t = NULL;
    struct cz_record r;
    struct cz_version *vs = NULL;
    size_t nv = 0;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--history")) history = 1;
        else if (!idarg) idarg = argv[i];
        else return usage(c, "show ID [--history] [--json]", "show 编号 [--history] [--json]");
    }
    if (!idarg) return usage(c, "show ID [--history] [--json]", "show 编号 [--history] [--json]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t))) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (resolve_entity(c, t, idarg, entity)) { cz_txn_abort(t); return CZ_EXIT_FAIL; }
    if ((rc = cz_record_load(t, entity, &r)) || (history && (rc = cz_record_history(t, entity, &vs, &nv)))) {
        say_error(c, rc, idarg);
        cz_record_clear(&r);
        cz_txn_abort(t);
        return CZ_EXIT_FAIL;
    }
    const struct cz_station_info *info = cz_station_info(c->st);
    char hex[65], when[32], who[160];
    if (c->json) {
        json_t *o = record_json(t, info, &r);
        if (!strcmp(r.type_key, "household"))
            json_object_set_new(o, "size", json_integer((json_int_t)household_size(t, r.entity)));
        if (history) {
            json_t *arr = json_array();
            for (size_t i = 0; i < nv; i++) {
                json_t *v = json_object();
                cz_hex(vs[i].id, CZ_ID_BYTES, hex);
                json_object_set_new(v, "version", json_string(hex));
                cz_hex(vs[i].origin, 32, hex);
                json_object_set_new(v, "signed_by_key", json_string(hex));
                signer_name(t, info, vs[i].origin, CZ_LANG_EN, who, sizeof who);
                json_object_set_new(v, "signed_by", json_string(who));
                json_object_set_new(v, "seq", json_integer((json_int_t)vs[i].seq));
                format_time(vs[i].wall, when, sizeof when);
                json_object_set_new(v, "time", json_string(when));
                json_object_set_new(v, "deleted", json_boolean(vs[i].tombstone));
                json_t *parents = json_array();
                for (size_t p = 0; p < vs[i].nparents; p++) {
                    cz_hex(vs[i].parents[p], CZ_ID_BYTES, hex);
                    json_array_append_new(parents, json_string(hex));
                }
                json_object_set_new(v, "parents", parents);
                json_object_set_new(v, "fields", fields_json(r.type, vs[i].body));
                json_array_append_new(arr, v);
            }
            json_object_set_new(o, "history", arr);
        }
        print_json(o);
    } else {
        cz_hex(r.entity, CZ_ENTITY_BYTES, hex);
        printf("%s %s  %s\n", r.type ? T(c, r.type->en, r.type->zh) : r.type_key, hex,
               r.deleted ? T(c, "(deleted)", "（已删除）") : "");
        if (r.type && r.body) print_fields(c, t, r.type, r.body, "  ");
        if (!strcmp(r.type_key, "household"))
            printf("  %s  %zu\n", T(c, "Household size (members)", "家庭人口（成员数）"), household_size(t, r.entity));
        if (!strcmp(r.type_key, "exit") && !r.deleted) print_exit_chain(c, t, r.entity);
        signer_name(t, info, r.origin, c->lang, who, sizeof who);
        format_time(r.wall, when, sizeof when);
        cz_hex(r.id, CZ_ID_BYTES, hex);
        printf("  %s %s  %s  %s %s\n", T(c, "version", "版本"), hex, when, T(c, "signed by", "签名人"), who);
        if (r.nheads > 1)
            printf("  %s\n", T(c, "! concurrent versions: run `cunzhan conflicts`", "！存在并发版本：请运行 `cunzhan conflicts`"));
        if (history) {
            printf("%s\n", T(c, "History:", "历史版本："));
            for (size_t i = 0; i < nv; i++) {
                cz_hex(vs[i].id, CZ_ID_BYTES, hex);
                format_time(vs[i].wall, when, sizeof when);
                signer_name(t, info, vs[i].origin, c->lang, who, sizeof who);
                printf("  %zu. %.16s  %s  %s%s\n", i + 1, hex, when, who,
                       vs[i].tombstone ? T(c, "  (deleted)", "  （删除）") : "");
                print_changes(c, r.type, &vs[i], vs, nv);
            }
        }
    }
    cz_history_free(vs, nv);
    cz_record_clear(&r);
    cz_txn_abort(t);
    return CZ_EXIT_OK;
}

struct list_out { struct cli *c; cz_txn *t; json_t *arr; size_t count; };

static int list_print_cb(void *ctx, const uint8_t *entity)
{
    struct list_out *lo = ctx;
    struct cz_record r;
    int rc = cz_record_load(lo->t, entity, &r);
    if (rc) return rc;
    lo->count++;
    if (lo->arr) {
        json_array_append_new(lo->arr, record_json(lo->t, cz_station_info(lo->c->st), &r));
    } else {
        char hex[65], buf[512];
        cz_hex(entity, CZ_ENTITY_BYTES, hex);
        printf("%.12s  ", hex);
        print_padded(r.type ? T(lo->c, r.type->en, r.type->zh) : r.type_key, 10);
        /* The first few filled fields, in table order. */
        int shown = 0;
        for (size_t i = 0; r.type && r.body && i < r.type->nfields && shown < 5; i++) {
            const struct cz_field *f = &r.type->fields[i];
            if (f->type == CZ_F_REF || f->type == CZ_F_TEXT || f->type == CZ_F_KEY) continue;
            if (!cz_schema_format(f, r.body, lo->c->lang, 1, buf, sizeof buf)) continue;
            printf("  %s", buf);
            shown++;
        }
        if (r.nheads > 1) printf("  %s", T(lo->c, "[conflict]", "[冲突]"));
        putchar('\n');
    }
    cz_record_clear(&r);
    return 0;
}

static int cmd_list(struct cli *c, int argc, char **argv)
{
    struct cz_field_error err;
    struct cz_assign *a;
    cz_txn *t = NULL;
    if (argc < 1) return usage(c, "list TYPE [FIELD=VALUE...]", "list 类型 [字段=值...]");
    const struct cz_type *ty = type_arg(c, argv[0]);
    if (!ty) return CZ_EXIT_USAGE;
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c)) { free(a); return CZ_EXIT_FAIL; }
    int rc = cz_txn_begin(cz_station_store(c->st), 0, &t);
    struct list_out lo = { c, t, c->json ? json_array() : NULL, 0 };
    if (rc == CZ_OK) rc = cz_query_list(t, ty, a, (size_t)argc - 1, list_print_cb, &lo, &err);
    free(a);
    if (rc) {
        if (err.field || err.name[0]) {
            char msg[1024];
            cz_field_error_message(ty, &err, c->lang, msg, sizeof msg);
            fprintf(stderr, "cunzhan: %s\n", msg);
        } else {
            say_error(c, rc, NULL);
        }
        json_decref(lo.arr);
        cz_txn_abort(t);
        return rc == CZ_EFIELD || rc == CZ_EIDNUM ? CZ_EXIT_USAGE : CZ_EXIT_FAIL;
    }
    if (lo.arr) print_json(lo.arr);
    cz_txn_abort(t);
    return CZ_EXIT_OK;
}

static int cmd_find(struct cli *c, int argc, char **argv)
{
    cz_txn *t = NULL;
    if (argc != 1) return usage(c, "find TEXT (a name or part of one, a household number, an ID number)",
                                "find 文字（姓名或其一部分、户编号、身份证号）");
    if (open_station(c)) return CZ_EXIT_FAIL;
    int rc = cz_txn_begin(cz_station_store(c->st), 0, &t);
    struct list_out lo = { c, t, c->json ? json_array() : NULL, 0 };
    if (rc == CZ_OK) rc = cz_query_find(t, argv[0], list_print_cb, &lo);
    if (rc) { say_error(c, rc, argv[0]); json_decref(lo.arr); cz_txn_abort(t); return CZ_EXIT_FAIL; }
    if (lo.arr) print_json(lo.arr);
    else if (lo.count == 0) fprintf(stderr, "%s\n", T(c, "nothing found", "没有找到"));
    cz_txn_abort(t);
    return CZ_EXIT_OK;
}

static const char *ftype_name(enum cz_ftype t)
{
    static const char *names[] = {
        [CZ_F_LINE] = "text", [CZ_F_TEXT] = "long text", [CZ_F_INT] = "whole number",
        [CZ_F_YEAR] = "year", [CZ_F_MONEY] = "yuan", [CZ_F_AREA] = "mu",
        [CZ_F_DECIMAL] = "number", [CZ_F_DATE] = "date", [CZ_F_ENUM] = "one of",
        [CZ_F_SET] = "any of", [CZ_F_LIST] = "list", [CZ_F_REF] = "record id",
        [CZ_F_VERSION] = "version id", [CZ_F_IDNUM] = "ID number", [CZ_F_PHONE] = "phone",
        [CZ_F_PLACE] = "place code", [CZ_F_KEY] = "public key" };
    return names[t];
}

static int cmd_fields(struct cli *c, int argc, char **argv)
{
    size_t n;
    const struct cz_type *types = cz_schema_types(&n);
    const struct cz_type *only = NULL;
    if (argc > 1) return usage(c, "fields [TYPE]", "fields [类型]");
    if (argc == 1 && !(only = cz_schema_type(argv[0]))) {
        fprintf(stderr, "cunzhan: %s: %s\n", argv[0], T(c, "no such record type", "没有这种记录类型"));
        return CZ_EXIT_USAGE;
    }
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        const struct cz_type *t = &types[i];
        if (only && t != only) continue;
        json_t *jt = NULL, *jf = NULL;
        if (arr) {
            jt = json_object();
            json_object_set_new(jt, "type", json_string(t->key));
            json_object_set_new(jt, "en", json_string(t->en));
            json_object_set_new(jt, "zh", json_string(t->zh));
            jf = json_array();
        } else {
            printf("%s  %s / %s\n", t->key, t->zh, t->en);
        }
        for (size_t j = 0; j < t->nfields; j++) {
            const struct cz_field *f = &t->fields[j];
            if (arr) {
                json_t *o = json_object();
                json_object_set_new(o, "key", json_string(f->key));
                json_object_set_new(o, "en", json_string(f->en));
                json_object_set_new(o, "zh", json_string(f->zh));
                json_object_set_new(o, "kind", json_string(ftype_name(f->type)));
                json_object_set_new(o, "required", json_boolean(f->flags & CZ_FF_REQUIRED));
                json_object_set_new(o, "derived", json_boolean(f->flags & CZ_FF_DERIVED));
                if (f->values) {
                    json_t *vals = json_array();
                    for (const struct cz_enum_value *v = f->values; v->key; v++) {
                        json_t *vo = json_object();
                        json_object_set_new(vo, "key", json_string(v->key));
                        json_object_set_new(vo, "en", json_string(v->en));
                        json_object_set_new(vo, "zh", json_string(v->zh));
                        json_array_append_new(vals, vo);
                    }
                    json_object_set_new(o, "values", vals);
                }
                json_array_append_new(jf, o);
                continue;
            }
            printf("  ");
            print_padded(f->key, 18);
            print_padded(f->zh, 18);
            print_padded(f->en, 30);
            printf("%s%s%s", ftype_name(f->type), f->flags & CZ_FF_REQUIRED ? T(c, ", required", "，必填") : "",
                   f->flags & CZ_FF_DERIVED ? T(c, ", from the ID number", "，由身份证号得出") : "");
            if (f->values) {
                printf(":");
                for (const struct cz_enum_value *v = f->values; v->key; v++)
                    printf(" %s(%s)", v->key, v->zh);
            }
            putchar('\n');
        }
        if (arr) {
            json_object_set_new(jt, "fields", jf);
            json_array_append_new(arr, jt);
        }
    }
    if (arr) print_json(arr);
    return CZ_EXIT_OK;
}

struct verify_out { struct cli *c; cz_txn *t; json_t *arr; };

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
static void entry_brief(cz_txn *t, const uint8_t *id, char *type, size_t tsize, char fp[24])
{
    struct cz_entry e;
    type[0] = 0;
    fp[0] = 0;
    if (cz_store_get_entry(t, id, &e) != CZ_OK) return;
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
    if (cz_store_get_entry(vo->t, id, &e) != CZ_OK) return 0;
    cz_fingerprint(e.origin, fp);
    *seq = e.seq;
    if (cz_roster_lookup(vo->t, cz_station_info(vo->c->st)->office_root, e.origin, &ti) != CZ_OK) return 0;
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
    if (kind == CZ_PROBLEM_FORK) {
        printf("%s %s: %s (%s %s, %s %llu)%s\n", T(vo->c, "BAD", "错误"), hex, cz_strerror(status, vo->c->lang),
               T(vo->c, "by", "作者"), fp, T(vo->c, "seq", "序号"), (unsigned long long)seq,
               accepted ? T(vo->c, ": the branch the office accepted", "：市办认定的一支") : "");
        return;
    }
    if (kind == CZ_PROBLEM_PENDING || kind == CZ_PROBLEM_QUARANTINE) return;   /* counted in the summary */
    if (kind == CZ_PROBLEM_REFUSED || kind == CZ_PROBLEM_HELD) {
        char type[CZ_TYPE_MAX + 1];
        entry_brief(vo->t, id, type, sizeof type, fp);
        printf("%s %s %s %s %s: %s\n",
               kind == CZ_PROBLEM_REFUSED ? T(vo->c, "REFUSED", "已拒绝") : T(vo->c, "HELD", "暂存"), hex, type,
               T(vo->c, "by", "作者"), fp, cz_strerror(status, vo->c->lang));
        return;
    }
    fprintf(stdout, "%s %s: %s\n", T(vo->c, "BAD", "错误"), hex, cz_strerror(status, vo->c->lang));
}

static int cmd_verify(struct cli *c, int argc, char **argv)
{
    struct cz_verify_report rep;
    cz_txn *t = NULL;
    if (argc) return usage(c, "verify [--json]", "verify [--json]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    int rc = cz_txn_begin(cz_station_store(c->st), 0, &t);
    struct verify_out vo = { c, t, c->json ? json_array() : NULL };
    if (rc == CZ_OK) rc = cz_verify(t, cz_station_info(c->st)->office_root, verify_cb, &vo, &rep);
    cz_txn_abort(t);
    if (rc) { say_error(c, rc, NULL); json_decref(vo.arr); return CZ_EXIT_FAIL; }
    if (vo.arr) {
        json_t *o = json_object();
        json_object_set_new(o, "entries", json_integer((json_int_t)rep.entries));
        json_object_set_new(o, "verified", json_integer((json_int_t)rep.verified));
        json_object_set_new(o, "pending", json_integer((json_int_t)rep.pending));
        json_object_set_new(o, "problems", json_integer((json_int_t)rep.problems));
        json_object_set_new(o, "refused", json_integer((json_int_t)rep.refused));
        json_object_set_new(o, "held", json_integer((json_int_t)rep.held));
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

static int cmd_status(struct cli *c, int argc, char **argv)
{
    cz_txn *t = NULL;
    struct cz_store_stats ss;
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    if (argc) return usage(c, "status [--json]", "status [--json]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    int rc = cz_txn_begin(cz_station_store(c->st), 0, &t);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    const struct cz_station_info *info = cz_station_info(c->st);
    cz_store_stats(t, &ss);
    char fp[24], term[128];
    cz_fingerprint(info->office_root, fp);
    json_t *o = c->json ? json_object() : NULL, *counts = c->json ? json_object() : NULL;
    if (o) {
        json_object_set_new(o, "station", json_string(info->name));
        json_object_set_new(o, "kind", json_string(info->kind == CZ_KIND_OFFICE ? "office" : "station"));
        json_object_set_new(o, "region", json_string(info->region));
        json_object_set_new(o, "office", json_string(info->office_name));
        json_object_set_new(o, "office_fingerprint", json_string(fp));
        json_object_set_new(o, "entries", json_integer((json_int_t)ss.entries));
        json_object_set_new(o, "records", json_integer((json_int_t)ss.entities));
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
               T(c, "records", "档案"), ss.entities, T(c, "forks", "分叉"), ss.forks);
        printf("%s\n", T(c, "Records by type:", "各类档案数："));
    }
    for (size_t i = 0; i < ntypes; i++) {
        size_t n = 0, tl = cz_term_type(term, sizeof term, types[i].key);
        cz_store_index_count(t, term, tl, &n);
        if (o) json_object_set_new(counts, types[i].key, json_integer((json_int_t)n));
        else if (n) {
            printf("  ");
            print_padded(T(c, types[i].en, types[i].zh), 20);
            printf("%zu\n", n);
        }
    }
    struct user_out uo = { c, t, o ? json_array() : NULL };
    if (!o) printf("%s\n", T(c, "People on this machine:", "本机用户："));
    cz_user_each(t, status_user_cb, &uo);
    if (o) {
        json_object_set_new(o, "counts", counts);
        json_object_set_new(o, "users", uo.arr);
        print_json(o);
    }
    cz_txn_abort(t);
    return CZ_EXIT_OK;
}

static int cmd_help(struct cli *c, int argc, char **argv);

struct command {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);
    const char *args, *en, *zh;
};

static const struct command commands[] = {
    { "init", cmd_init, "--office NAME --user NAME | --station NAME --region CODE --user NAME --office-key FILE",
      "set up a city office or a village station", "建立市办或村站" },
    { "pubkey", cmd_pubkey, "", "print this station's public identity", "显示本站公开身份" },
    { "user", cmd_user, "add NAME [--role R] | passwd [NAME] | remove NAME",
      "add a person on this machine, change a passphrase, remove a person's key slot",
      "在本机添加用户、修改口令、删除用户的密钥槽" },
    { "add", cmd_add, "TYPE FIELD=VALUE...", "new record; prints its id", "新建记录；输出编号" },
    { "edit", cmd_edit, "ID FIELD=VALUE...", "new version of a record", "修改记录（产生新版本）" },
    { "delete", cmd_delete, "ID", "mark a record deleted (a signed tombstone)", "删除记录（签名的删除标记）" },
    { "show", cmd_show, "ID [--history]", "show a record (and every version)", "查看记录（及所有版本）" },
    { "list", cmd_list, "TYPE [FIELD=VALUE...]", "list records of a type", "列出某类记录" },
    { "find", cmd_find, "TEXT", "find by any part of a name, a household or ID number", "按姓名（或部分）、户编号、身份证号查找" },
    { "fields", cmd_fields, "[TYPE]", "record types and their fields", "记录类型及字段" },
    { "verify", cmd_verify, "", "re-check every signature and chain", "重新验证所有签名和日志链" },
    { "status", cmd_status, "", "this station at a glance", "本站概况" },
    { "enrol", cmd_enrol, "[--all-pending | KEYID...] --role R [--region CODE]", "office: certify pending keys (no arguments: list keys)", "市办：认证待认证的密钥（不带参数：列出密钥）" },
    { "revoke", cmd_revoke, "KEYID [--after-seq N]", "office: revoke a key", "市办：吊销密钥" },
    { "fork", cmd_fork, "accept KEYID SEQ ENTRYID [--reason TEXT]", "office: accept one branch of a forked log",
      "市办：认定分叉日志中的一支" },
    { "root", cmd_root, "rollover [--reason TEXT]", "office: replace the root key (after an office person leaves)",
      "市办：更换根密钥（市办人员离职后）" },
    { "approve", cmd_approve, "ID --step village|township|county|notice [--reject] [--notes T] [--date D]",
      "supervisor's signed approval of an exit assessment", "审核员对退出评估的签名审批" },
    { "load", cmd_load, "TYPE FILE.csv", "bulk entry from a spreadsheet (UTF-8 or GB18030): all rows or none",
      "从电子表格批量录入（UTF-8 或 GB18030）：全部成功或全部不存" },
    { "export", cmd_export, "[--to DIR] [--for STATION...] [--full]", "write bundles to a stick (no --to: the one USB stick plugged in)", "把数据包写到U盘（不带 --to：使用插着的那个U盘）" },
    { "import", cmd_import, "[DIR|FILE...]", "read bundles from a stick (none named: the one plugged in): what came in, what was refused and why", "从U盘导入数据包（不指定：使用插着的那个U盘）：显示导入和拒收的内容及原因" },
    { "conflicts", cmd_conflicts, "", "records edited concurrently with differing values", "并发修改产生冲突的记录" },
    { "resolve", cmd_resolve, "ID FIELD=VALUE...", "settle a conflict: a version over all concurrent ones", "解决冲突：写入覆盖所有并发版本的新版本" },
    { "report", cmd_report, "[--format text|csv|json] [--region CODE]", "the office's figures", "统计报表" },
    { "backup", cmd_backup, "[--to DIR]", "every entry and the people's sealed keys, encrypted to this station and the office",
      "备份全部记录和用户的加密密钥（加密给本站和市办）" },
    { "restore", cmd_restore, "FILE [--with-office OFFICE-DIR [--person NAME]]", "rebuild a station from a backup in a new folder (-C DIR); new signing keys follow",
      "在新文件夹（-C 文件夹）中从备份重建站点；随后生成新的签名密钥" },
    { "demo", cmd_demo, "", "a ready office and stations with the seed's villages (in -C DIR)",
      "建立演示用的市办和村站（在 -C 文件夹中）" },
    { "help", cmd_help, "", "this list", "本列表" },
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

static enum cz_lang lang_from_env(void)
{
    const char *vars[] = { "CUNZHAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return strncmp(v, "zh", 2) == 0 ? CZ_LANG_ZH : CZ_LANG_EN;
    }
    return CZ_LANG_EN;
}

int cz_cli_main(int argc, char **argv)
{
    struct cli c;
    int i = 1, rc, lang_given = 0;
    memset(&c, 0, sizeof c);
    c.lang = lang_from_env();
    const char *env_lang = getenv("CUNZHAN_LANG");
    int lang_explicit = env_lang && *env_lang;
    c.user = getenv("CUNZHAN_USER");
    c.dir = getenv("CUNZHAN_HOME");
    /* Global options come before the command. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-C") && i + 1 < argc) c.dir = argv[++i];
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
            const char *l = argv[++i];
            if (strcmp(l, "zh") && strcmp(l, "en")) return usage(&c, "--lang zh or --lang en", "--lang zh 或 --lang en");
            c.lang = !strcmp(l, "zh") ? CZ_LANG_ZH : CZ_LANG_EN;
            lang_given = lang_explicit = 1;
        } else if (!strcmp(argv[i], "--user") && i + 1 < argc) c.user = argv[++i];
        else if (!strcmp(argv[i], "--json")) c.json = 1;
        else if (!strcmp(argv[i], "--clock-ok")) c.clock_ok = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return cmd_help(&c, 0, NULL);
        else return usage(&c, "unknown option", "未知选项");
    }
    if (!c.dir || !*c.dir) {
        const char *home = getenv("HOME");
        snprintf(c.dir_buf, sizeof c.dir_buf, "%s/.local/share/cunzhan", home ? home : ".");
        c.dir = c.dir_buf;
    }
    if (i >= argc) {
        /* No command: the screens on a terminal, the status otherwise. */
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
            struct cz_screens_args sa = { c.dir, c.lang, lang_given, c.user, lang_explicit };
            if (sodium_init() < 0) return CZ_EXIT_FAIL;
            return cz_screens_main(&sa);
        }
        rc = cmd_status(&c, 0, NULL);
        cz_station_close(c.st);
        return rc == CZ_EXIT_OK ? CZ_EXIT_OK : CZ_EXIT_FAIL;
    }
    const char *name = argv[i++];
    /* --json and --user may also follow the command. */
    char **rest = calloc((size_t)(argc - i + 1), sizeof *rest);
    int nrest = 0;
    if (!rest) return CZ_EXIT_FAIL;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) c.json = 1;
        else if (!strcmp(argv[i], "--clock-ok")) c.clock_ok = 1;
        else if (!strcmp(argv[i], "--user") && i + 1 < argc && strcmp(name, "init")) c.user = argv[++i];
        else rest[nrest++] = argv[i];
    }
    if (sodium_init() < 0) { free(rest); return CZ_EXIT_FAIL; }
    rc = -1;
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(name, commands[k].name)) { rc = commands[k].run(&c, nrest, rest); break; }
    if (rc == -1) rc = usage(&c, "unknown command", "未知命令");
    free(rest);
    cz_station_close(c.st);
    return rc;
}
