/* cli_common.c — what every command file uses: naming records and signers
 * the way the person typed or will read them, and printing them as text or
 * JSON (cli_int.h). */
#include "cli.h"
#include "hex.h"
#include "cli_int.h"
#include "keys.h"
#include "parse.h"
#include "people.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "text.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int read_login(struct cli *c)
{
    const char *pass_env = getenv("CUNZHAN_PASSPHRASE");
    char pass[PASS_MAX];
    c->masked = 0;
    if (c->user && !*c->user) c->user = NULL;   /* CUNZHAN_USER= names nobody */
    if (!c->user && !(pass_env && *pass_env)) { c->masked = 1; return 0; }
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, pass, sizeof pass)) return -1;
    int rc = cz_station_login(c->st, c->user, pass);
    sodium_memzero(pass, sizeof pass);
    /* A wrong passphrase is refused, never read as "not logged in": the
     * person meant to see everything and would take masked values for
     * the record. */
    if (rc == CZ_EPASS) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "wrong passphrase; nothing was shown. Try again, or leave out --user and CUNZHAN_PASSPHRASE to see the records with ID numbers, birth dates, phones and health masked.",
                                            "口令错误；没有显示任何内容。请重试，或不加 --user 和 CUNZHAN_PASSPHRASE 查看（身份证号、出生日期、电话和健康状况将被遮盖）。"));
        return -1;
    }
    if (rc == CZ_ENOUSER) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->user ? c->user : "?", cz_strerror(rc, c->lang));
        return -1;
    }
    if (rc) { say_error(c, rc, NULL); return -1; }
    return 0;
}

int format_shown(struct cli *c, const struct cz_field *f, const cz_body *b, enum cz_lang lang, int labels,
                 char *buf, size_t size)
{
    int kind = cz_schema_format_shown(f, b, lang, labels, c->masked, buf, size);
    if (kind && c->masked && (f->flags & CZ_FF_PRIVATE)) c->masked_any = 1;
    return kind;
}

void masked_note(struct cli *c)
{
    if (!c->masked_any) return;
    fprintf(stderr, "cunzhan: %s\n",
            T(c, "ID numbers, birth dates, phones and health are masked: nobody of this station logged in. To see them, give your name (--user NAME) and your passphrase (asked, or CUNZHAN_PASSPHRASE).",
                 "身份证号、出生日期、电话和健康状况已遮盖：本站没有人登录。要查看，请给出姓名（--user 姓名）和口令（会提示输入，或设置 CUNZHAN_PASSPHRASE）。"));
    c->masked_any = 0;
}

/* Searching by a private value would tell who has it (who is ill, whose
 * ID number this is) while the values are masked: refused before a login. */
static int private_search(struct cli *c, const struct cz_field *f)
{
    fprintf(stderr, "cunzhan: %s: %s\n", f->key,
            T(c, "searching by this field needs a login: give your name (--user NAME) and your passphrase (asked, or CUNZHAN_PASSPHRASE)",
                 "按此字段查找需要登录：请给出姓名（--user 姓名）和口令（会提示输入，或设置 CUNZHAN_PASSPHRASE）"));
    return 1;
}

int private_filter(struct cli *c, const struct cz_type *ty, const struct cz_assign *a, size_t n)
{
    for (size_t i = 0; c->masked && i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        if (f && (f->flags & CZ_FF_PRIVATE)) return private_search(c, f);
    }
    return 0;
}

/* Whether `text` is a valid value of a private field find looks up
 * exactly (an ID number). */
int private_find(struct cli *c, const char *text)
{
    size_t nt;
    const struct cz_type *types = cz_schema_types(&nt);
    for (size_t i = 0; c->masked && i < nt; i++)
        for (size_t j = 0; j < types[i].nfields; j++) {
            const struct cz_field *f = &types[i].fields[j];
            if (!(f->flags & CZ_FF_PRIVATE) || !(f->flags & CZ_FF_EXACT)) continue;
            cz_body *b = cz_body_new();
            struct cz_field_error err;
            int ok = b && cz_schema_set(&types[i], b, f->key, text, &err) == CZ_OK;
            cz_body_free(b);
            if (ok) return private_search(c, f);
        }
    return 0;
}

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
int resolve_entity(struct cli *c, cz_view *v, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    int rc = cz_view_resolve(v, hex, entity);
    if (rc == CZ_EINVAL)
        fprintf(stderr, "cunzhan: %s: %s\n", hex, T(c, "an id is at least 6 hex digits, as `add` or `find` printed it",
                                                      "编号至少 6 位十六进制数字，即 `add` 或 `find` 输出的编号"));
    else if (rc)
        fprintf(stderr, "cunzhan: %s: %s\n", hex, cz_strerror(rc, c->lang));
    return rc;
}

/* A record's fields as a JSON object (values as strings in the same form
 * `add` takes them; whole numbers as numbers; lists as arrays). */
json_t *fields_json(struct cli *c, const struct cz_type *t, const cz_body *b)
{
    json_t *o = json_object();
    char buf[4096];
    for (size_t i = 0; t && b && i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        int kind = format_shown(c, f, b, CZ_LANG_EN, 0, buf, sizeof buf);
        if (!kind) continue;
        if (c->masked && (f->flags & CZ_FF_PRIVATE)) {
            json_object_set_new(o, f->key, json_string(buf));
        } else if (kind == CZ_KIND_LIST) {
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

void signature_json(json_t *o, cz_txn *t, const struct cz_station_info *info, const uint8_t origin[32],
                    uint64_t seq, int64_t wall)
{
    char hex[65], when[32], who[160];
    cz_hex(origin, 32, hex);
    json_object_set_new(o, "signed_by_key", json_string(hex));
    signer_name(t, info, origin, CZ_LANG_EN, who, sizeof who);
    json_object_set_new(o, "signed_by", json_string(who));
    json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    format_time(wall, when, sizeof when);
    json_object_set_new(o, "time", json_string(when));
}

void masked_json(struct cli *c, json_t *o, const struct cz_type *t, const cz_body *b)
{
    json_t *keys = NULL;
    for (size_t i = 0; c->masked && t && b && i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        if (!(f->flags & CZ_FF_PRIVATE) || !cz_body_kind(b, f->tag)) continue;
        if (!keys) keys = json_array();
        json_array_append_new(keys, json_string(f->key));
    }
    if (keys) json_object_set_new(o, "masked", keys);
}

json_t *record_json(struct cli *c, cz_txn *t, const struct cz_station_info *info, const struct cz_record *r)
{
    char hex[65];
    json_t *o = json_object();
    cz_hex(r->entity, CZ_ENTITY_BYTES, hex);
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "type", json_string(r->type_key));
    cz_hex(r->id, CZ_ID_BYTES, hex);
    json_object_set_new(o, "version", json_string(hex));
    json_object_set_new(o, "region", json_string(r->region));
    signature_json(o, t, info, r->origin, r->seq, r->wall);
    json_object_set_new(o, "heads", json_integer((json_int_t)r->nheads));
    json_object_set_new(o, "deleted", json_boolean(r->deleted));
    json_object_set_new(o, "fields", fields_json(c, r->type, r->body));
    masked_json(c, o, r->type, r->body);
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

int lookup_entity(struct cli *c, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc) { say_error(c, rc, NULL); return rc; }
    rc = resolve_entity(c, v, hex, entity);
    cz_view_end(v);
    return rc;
}
