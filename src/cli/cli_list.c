/* cli_list.c — list (filters, worked-out status, --sort in pinyin order)
 * and find (src/CLI.md). */
#include "cli.h"
#include "cli_int.h"
#include "grow.h"
#include "hex.h"
#include "hhstatus.h"
#include "overview.h"
#include "pinyin.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* want: the values filtered on of fields that are worked out (a
 * household's status), compared with the worked-out values; NULL when
 * none is filtered on. */
struct list_out { struct cli *c; cz_view *v; cz_txn *t; json_t *arr; size_t count; cz_body *want; };

/* Whether every reckoned field of want equals r's worked-out value. */
static int reckoned_match(const struct cz_record *r, const cz_body *want)
{
    char a[128], b[128];
    for (size_t i = 0; want && r->type && i < r->type->nfields; i++) {
        const struct cz_field *f = &r->type->fields[i];
        if (!(f->flags & CZ_FF_RECKONED) || !cz_body_kind(want, f->tag)) continue;
        if (!cz_schema_format(f, r->body, CZ_LANG_EN, 0, a, sizeof a)) a[0] = 0;
        cz_schema_format(f, want, CZ_LANG_EN, 0, b, sizeof b);
        if (strcmp(a, b)) return 0;
    }
    return 1;
}

static int list_print_cb(void *ctx, const uint8_t *entity)
{
    struct list_out *lo = ctx;
    struct cz_record r;
    int rc = cz_record_load(lo->t, entity, &r);
    if (rc) return rc;
    struct cz_household_status hs;
    if ((rc = cz_view_household_reckon(lo->v, &r, &hs)) || !reckoned_match(&r, lo->want)) {
        cz_record_clear(&r);
        return rc;
    }
    lo->count++;
    if (lo->arr) {
        json_t *o = record_json(lo->c, lo->t, cz_station_info(lo->c->st), &r);
        if (!strcmp(r.type_key, "household")) json_object_set_new(o, "pending", json_boolean(hs.pending));
        json_array_append_new(lo->arr, o);
    } else {
        char hex[65], buf[512];
        cz_hex(entity, CZ_ENTITY_BYTES, hex);
        printf("%.12s  ", hex);
        print_padded(r.type ? T(lo->c, r.type->en, r.type->zh) : r.type_key, 10);
        /* The first few filled fields, in table order, and a household's
         * worked-out status always. */
        int shown = 0;
        for (size_t i = 0; r.type && r.body && i < r.type->nfields; i++) {
            const struct cz_field *f = &r.type->fields[i];
            if (f->type == CZ_F_REF || f->type == CZ_F_TEXT || f->type == CZ_F_KEY) continue;
            if (shown >= 5 && !(f->flags & CZ_FF_RECKONED)) continue;
            if (!format_shown(lo->c, f, r.body, lo->c->lang, 1, buf, sizeof buf)) continue;
            printf("  %s", buf);
            shown++;
        }
        if (r.nheads > 1) printf("  %s", T(lo->c, "[conflict]", "[冲突]"));
        if (hs.pending) printf("  %s", T(lo->c, "[pending]", "[待确认]"));
        putchar('\n');
    }
    cz_record_clear(&r);
    return 0;
}

/* Filters on reckoned fields (status=exited) move from a[0..*n) into
 * *want, normalised as typed values are (status=已脱贫 is exited): the
 * stored fields are not what is shown, so the index cannot answer them. */
static int split_reckoned(const struct cz_type *ty, struct cz_assign *a, size_t *n, cz_body **want,
                          struct cz_field_error *err)
{
    size_t kept = 0;
    int rc = CZ_OK;
    *want = NULL;
    for (size_t i = 0; i < *n && rc == CZ_OK; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        if (!f || !(f->flags & CZ_FF_RECKONED)) { a[kept++] = a[i]; continue; }
        if (!*want && !(*want = cz_body_new())) return CZ_ENOMEM;
        rc = cz_schema_set(ty, *want, a[i].field, a[i].value, err);
    }
    *n = kept;
    return rc;
}

/* `list --sort FIELD`: the records with the `zh` sort key of that field
 * as shown (pinyin order for names), printed once all are read. */
struct sorted { struct list_out *lo; const struct cz_field *f; struct sorted_row *rows; size_t n, cap; };
struct sorted_row { uint8_t entity[CZ_ENTITY_BYTES]; char *key; };

static int sorted_cb(void *ctx, const uint8_t *entity)
{
    struct sorted *so = ctx;
    struct cz_record r;
    char buf[512] = "";
    int rc = cz_record_load(so->lo->t, entity, &r);
    if (rc) return rc;
    if (r.body) cz_schema_format(so->f, r.body, so->lo->c->lang, 1, buf, sizeof buf);
    cz_record_clear(&r);
    if (cz_grow(&so->rows, &so->cap, so->n + 1, sizeof *so->rows)) return CZ_ENOMEM;
    memcpy(so->rows[so->n].entity, entity, CZ_ENTITY_BYTES);
    if ((rc = cz_collate_key(buf, strlen(buf), &so->rows[so->n].key))) return rc;
    so->n++;
    return CZ_OK;
}

static int sorted_row_cmp(const void *a, const void *b)
{
    const struct sorted_row *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : memcmp(x->entity, y->entity, CZ_ENTITY_BYTES);
}

static int list_sorted(struct list_out *lo, const struct cz_type *ty, const struct cz_field *f,
                       const struct cz_assign *a, size_t n, struct cz_field_error *err)
{
    struct sorted so = { .lo = lo, .f = f };
    int rc = cz_query_list(lo->t, ty, a, n, sorted_cb, &so, err);
    if (rc == CZ_OK && so.n) qsort(so.rows, so.n, sizeof *so.rows, sorted_row_cmp);
    for (size_t i = 0; i < so.n && rc == CZ_OK; i++) rc = list_print_cb(lo, so.rows[i].entity);
    for (size_t i = 0; i < so.n; i++) free(so.rows[i].key);
    free(so.rows);
    return rc;
}

/* Takes `--sort FIELD` out of the arguments (*argc shrinks); NULL when
 * absent, "" when it names no field of the type. */
static const char *sort_arg(const struct cz_type *ty, int *argc, char **argv, const struct cz_field **f)
{
    *f = NULL;
    for (int i = 1; i + 1 < *argc; i++) {
        if (strcmp(argv[i], "--sort")) continue;
        const char *key = argv[i + 1];
        memmove(argv + i, argv + i + 2, (size_t)(*argc - i - 2) * sizeof *argv);
        *argc -= 2;
        *f = cz_schema_field(ty, !strcmp(key, "name") && !cz_schema_field(ty, "name") ? "head" : key);
        return *f ? key : "";
    }
    return NULL;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
    struct cz_field_error err;
    struct cz_assign *a;
    const struct cz_field *sort_by;
    cz_view *v = NULL;
    if (argc < 1) return usage(c, "list TYPE [FIELD=VALUE...] [--sort FIELD]", "list 类型 [字段=值...] [--sort 字段]");
    const struct cz_type *ty = type_arg(c, argv[0]);
    if (!ty) return CZ_EXIT_USAGE;
    const char *sort = sort_arg(ty, &argc, argv, &sort_by);
    if (sort && !sort_by)
        return usage(c, "list TYPE --sort FIELD (a field of the type; name: a household's head)",
                     "list 类型 --sort 字段（该类型的字段；name：户主姓名）");
    if (!(a = parse_assignments(c, argv + 1, argc - 1))) return CZ_EXIT_USAGE;
    if (open_station(c) || read_login(c)) { free(a); return CZ_EXIT_FAIL; }
    if (private_filter(c, ty, a, (size_t)argc - 1)) { free(a); return CZ_EXIT_USAGE; }
    int rc = cz_view_begin(c->st, &v);
    struct list_out lo = { .c = c, .v = v, .t = v ? cz_view_txn(v) : NULL, .arr = c->json ? json_array() : NULL };
    size_t n = (size_t)argc - 1;
    memset(&err, 0, sizeof err);
    if (rc == CZ_OK) rc = split_reckoned(ty, a, &n, &lo.want, &err);
    if (rc == CZ_OK && sort_by) rc = list_sorted(&lo, ty, sort_by, a, n, &err);
    else if (rc == CZ_OK) rc = cz_query_list(lo.t, ty, a, n, list_print_cb, &lo, &err);
    cz_body_free(lo.want);
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
        cz_view_end(v);
        return rc == CZ_EFIELD || rc == CZ_EIDNUM ? CZ_EXIT_USAGE : CZ_EXIT_FAIL;
    }
    if (lo.arr) print_json(lo.arr);
    masked_note(c);
    cz_view_end(v);
    return CZ_EXIT_OK;
}

int cmd_find(struct cli *c, int argc, char **argv)
{
    cz_view *v = NULL;
    if (argc != 1)
        return usage(c, "find TEXT (part of a name, pinyin or initials, part of a household number or phone, an ID number)",
                     "find 文字（姓名的一部分、拼音或首字母、户编号或电话的一部分、身份证号）");
    if (open_station(c) || read_login(c)) return CZ_EXIT_FAIL;
    if (private_find(c, argv[0])) return CZ_EXIT_USAGE;
    int rc = cz_view_begin(c->st, &v);
    struct list_out lo = { .c = c, .v = v, .t = v ? cz_view_txn(v) : NULL, .arr = c->json ? json_array() : NULL };
    if (rc == CZ_OK) rc = c->masked ? cz_query_find_public(lo.t, argv[0], list_print_cb, &lo)
                                    : cz_query_find(lo.t, argv[0], list_print_cb, &lo);
    if (rc) { say_error(c, rc, argv[0]); json_decref(lo.arr); cz_view_end(v); return CZ_EXIT_FAIL; }
    if (lo.arr) print_json(lo.arr);
    else if (lo.count == 0) fprintf(stderr, "%s\n", T(c, "nothing found", "没有找到"));
    masked_note(c);
    cz_view_end(v);
    return CZ_EXIT_OK;
}
