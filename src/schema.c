#include "schema.h"
#include "grow.h"
#include "hex.h"
#include "idnum.h"
#include "parse.h"
#include "schema_int.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_types.def"

#define NTYPES (sizeof all_types / sizeof all_types[0])

const struct cz_type *cz_schema_types(size_t *count)
{
    *count = NTYPES;
    return all_types;
}

static const char *hidden_type;

void cz_schema_test_hide(const char *key)
{
    hidden_type = key;
}

const struct cz_type *cz_schema_type(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (hidden_type && !strcmp(all_types[i].key, hidden_type))
            continue;
        else if (!strcmp(name, all_types[i].key) || !strcmp(name, all_types[i].zh) ||
            !strcasecmp(name, all_types[i].en))
            return &all_types[i];
    return NULL;
}

const struct cz_field *cz_schema_field(const struct cz_type *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (!strcmp(name, t->fields[i].key) || !strcmp(name, t->fields[i].zh) ||
            !strcasecmp(name, t->fields[i].en))
            return &t->fields[i];
    return NULL;
}

const struct cz_field *cz_schema_field_by_tag(const struct cz_type *t, uint32_t tag)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].tag == tag)
            return &t->fields[i];
    return NULL;
}

const char *cz_label(const char *en, const char *zh, enum cz_lang lang)
{
    return lang == CZ_LANG_ZH ? zh : en;
}

static const struct cz_enum_value *enum_find(const struct cz_field *f, const char *s)
{
    for (const struct cz_enum_value *v = f->values; v && v->key; v++)
        if (!strcmp(s, v->key) || !strcmp(s, v->zh) || !strcasecmp(s, v->en))
            return v;
    return NULL;
}

const char *cz_enum_label(const struct cz_field *f, const char *key, enum cz_lang lang)
{
    const struct cz_enum_value *v = enum_find(f, key);
    return v ? cz_label(v->en, v->zh, lang) : key;
}

static int fail(struct cz_field_error *err, const struct cz_field *f, const char *name,
                int status, enum cz_hint h)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->field = f;
        snprintf(err->name, sizeof err->name, "%s", f ? f->key : name);
        err->status = status;
        err->hint = h;
    }
    return status;
}

int cz_field_error_set(struct cz_field_error *err, const struct cz_field *f, int status,
                       enum cz_hint hint, const char *detail)
{
    fail(err, f, NULL, status, hint);
    if (err && detail)
        snprintf(err->detail, sizeof err->detail, "%s", detail);
    return status;
}

int cz_schema_folds(const struct cz_field *f)
{
    switch (f->type) {
    case CZ_F_LINE:
    case CZ_F_TEXT:
    case CZ_F_LIST:
        return (f->flags & CZ_FF_CODE) != 0;
    default:
        return 1;
    }
}

/* The value typed into f, normalised as cz_schema_folds says. */
static int normalize_value(const struct cz_field *f, const char *in, size_t len, int one_line, char **out)
{
    if (cz_schema_folds(f))
        return one_line ? cz_text_normalize_line(in, len, out) : cz_text_normalize(in, len, out);
    return cz_text_prose(in, len, one_line, out);
}

/* The next item separator in p: an ASCII or full-width comma (，, which
 * prose keeps as typed) or the Chinese enumeration comma 、.  *skip gets
 * its length; NULL when there is none. */
static const char *next_separator(const char *p, size_t *skip)
{
    static const char *const seps[] = { ",", "，", "、" };
    const char *best = NULL;
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        const char *s = strstr(p, seps[i]);
        if (s && (!best || s < best)) { best = s; *skip = strlen(seps[i]); }
    }
    return best;
}

/* Splits a comma list, normalising each item as f wants. */
static int split_list(const struct cz_field *f, const char *value, char ***items_out, size_t *n_out)
{
    size_t cap = 8, n = 0;
    char **items = malloc(cap * sizeof *items);
    const char *p = value;
    int rc = CZ_OK;

    if (!items) return CZ_ENOMEM;
    while (*p) {
        size_t skip = 0;
        const char *end = next_separator(p, &skip);
        if (!end) end = p + strlen(p);
        char *item = NULL;
        rc = normalize_value(f, p, (size_t)(end - p), 1, &item);
        if (rc) goto fail;
        if (item[0]) {
            if ((rc = cz_grow(&items, &cap, n + 1, sizeof *items))) { free(item); goto fail; }
            items[n++] = item;
        } else {
            free(item);
        }
        p = end + skip;
    }
    *items_out = items;
    *n_out = n;
    return CZ_OK;
fail:
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);
    return rc;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);
}

static int set_list(const struct cz_field *f, cz_body *body, const char *value,
                    struct cz_field_error *err)
{
    char **items = NULL, *norm = NULL;
    size_t n = 0;
    /* A list of codes is folded first, so that any comma NFKC knows (the
     * full-width ，, the small ﹐) splits it like an ASCII one. */
    int rc = cz_schema_folds(f) ? cz_text_normalize(value, strlen(value), &norm) : CZ_OK;
    if (rc == CZ_OK) rc = split_list(f, norm ? norm : value, &items, &n);
    free(norm);
    if (rc) return fail(err, f, NULL, rc, HINT_TEXT);
    if (f->type == CZ_F_SET) {
        for (size_t i = 0; i < n; i++) {
            const struct cz_enum_value *v = enum_find(f, items[i]);
            if (!v) { free_list(items, n); return fail(err, f, NULL, CZ_EFIELD, HINT_ENUM); }
            free(items[i]);
            items[i] = strdup(v->key);
            if (!items[i]) { free_list(items, n); return CZ_ENOMEM; }
        }
    }
    if (n == 0)
        rc = cz_body_remove(body, f->tag) == CZ_ENOMEM ? CZ_ENOMEM : CZ_OK;
    else {
        size_t *lens = malloc(n * sizeof *lens);
        if (!lens) { free_list(items, n); return CZ_ENOMEM; }
        for (size_t i = 0; i < n; i++) lens[i] = strlen(items[i]);
        rc = cz_body_set_list(body, f->tag, (const char *const *)items, lens, n);
        free(lens);
        if (rc) rc = fail(err, f, NULL, rc, HINT_TEXT);
    }
    free_list(items, n);
    return rc;
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int phone_ok(const char *s)
{
    size_t digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') digits++;
        else if (*p != '+' && *p != '-' && *p != ' ') return 0;
    }
    return digits >= 5 && digits <= 20;
}

/* An ID number, checked and stored in its canonical form (an upper-case
 * check letter). */
static int set_idnum(const struct cz_field *f, cz_body *body, const char *v, struct cz_field_error *err)
{
    struct cz_idnum_info info;
    enum cz_idnum_error why = CZ_IDNUM_OK;
    static const enum cz_hint why_hint[] = {
        [CZ_IDNUM_OK] = HINT_NONE, [CZ_IDNUM_LENGTH] = HINT_ID_LENGTH,
        [CZ_IDNUM_CHARS] = HINT_ID_CHARS, [CZ_IDNUM_DATE] = HINT_ID_DATE,
        [CZ_IDNUM_CHECK] = HINT_ID_CHECK };
    /* Birth dates in the future are caught in cz_schema_finish with today. */
    int rc = cz_idnum_parse(v, 0, &info, &why);
    if (rc) return fail(err, f, NULL, CZ_EIDNUM, why_hint[why]);
    return cz_body_set_text(body, f->tag, info.number, strlen(info.number));
}

/* A record id (16 bytes), or a version id or key (32), as full hex:
 * prefixes are resolved against the store before this. */
static int set_hex_bytes(const struct cz_field *f, cz_body *body, const char *v, struct cz_field_error *err)
{
    uint8_t id[32];
    size_t len = f->type == CZ_F_REF ? 16 : 32;
    if (cz_unhex(v, id, len))
        return fail(err, f, NULL, CZ_EFIELD, f->type == CZ_F_KEY ? HINT_KEY : HINT_REF);
    return cz_body_set_bytes(body, f->tag, id, len);
}

/* The typed value, already normalised to one line, into the body. */
static int set_scalar(const struct cz_field *f, cz_body *body, const char *v,
                      struct cz_field_error *err)
{
    int64_t n;
    uint32_t date;
    int rc;

    switch (f->type) {
    case CZ_F_LINE:
    case CZ_F_TEXT:
        rc = cz_body_set_text(body, f->tag, v, strlen(v));
        return rc ? fail(err, f, NULL, rc, HINT_TEXT) : CZ_OK;
    case CZ_F_INT:
        rc = cz_parse_int(v, 0, INT64_C(1000000000000), &n);
        return rc ? fail(err, f, NULL, rc, HINT_INT) : cz_body_set_sint(body, f->tag, n);
    case CZ_F_YEAR:
        rc = cz_parse_int(v, 1949, 2199, &n);
        return rc ? fail(err, f, NULL, rc, HINT_YEAR) : cz_body_set_sint(body, f->tag, n);
    case CZ_F_MONEY:
    case CZ_F_AREA:
    case CZ_F_DECIMAL:
        rc = cz_parse_hundredths(v, INT64_C(100000000000000), &n);
        return rc ? fail(err, f, NULL, rc, f->type == CZ_F_MONEY ? HINT_MONEY : HINT_DECIMAL)
                  : cz_body_set_sint(body, f->tag, n);
    case CZ_F_DATE:
        rc = cz_parse_date(v, &date);
        return rc ? fail(err, f, NULL, CZ_EDATE, HINT_DATE) : cz_body_set_uint(body, f->tag, date);
    case CZ_F_ENUM: {
        const struct cz_enum_value *e = enum_find(f, v);
        if (!e) return fail(err, f, NULL, CZ_EFIELD, HINT_ENUM);
        return cz_body_set_text(body, f->tag, e->key, strlen(e->key));
    }
    case CZ_F_IDNUM:
        return set_idnum(f, body, v, err);
    case CZ_F_PHONE:
        if (!phone_ok(v)) return fail(err, f, NULL, CZ_EFIELD, HINT_PHONE);
        return cz_body_set_text(body, f->tag, v, strlen(v));
    case CZ_F_PLACE:
        if (!all_digits(v, 2, 12)) return fail(err, f, NULL, CZ_EFIELD, HINT_PLACE);
        return cz_body_set_text(body, f->tag, v, strlen(v));
    case CZ_F_REF:
    case CZ_F_VERSION:
    case CZ_F_KEY:
        return set_hex_bytes(f, body, v, err);
    case CZ_F_SET:
    case CZ_F_LIST:
        break;
    }
    return CZ_EINVAL;
}

int cz_schema_derives(const struct cz_type *t, const struct cz_field *f)
{
    if (f->type == CZ_F_IDNUM || cz_registry_derives(t, f)) return 1;
    return !strcmp(t->key, "sale") &&
           (!strcmp(f->key, "quantity") || !strcmp(f->key, "price") || !strcmp(f->key, "floor_price"));
}

int cz_schema_set(const struct cz_type *t, cz_body *body, const char *name,
                  const char *value, struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(t, name);
    char *v = NULL;
    int rc;

    if (!f)
        return fail(err, NULL, name, CZ_EFIELD, HINT_UNKNOWN_FIELD);
    if (f->type == CZ_F_SET || f->type == CZ_F_LIST) {
        rc = set_list(f, body, value, err);
        return rc ? rc : cz_registry_set_check(t, f, body, err);
    }
    rc = normalize_value(f, value, strlen(value), f->type != CZ_F_TEXT, &v);
    if (rc)
        return fail(err, f, NULL, rc, HINT_TEXT);
    if (!v[0]) {
        rc = cz_body_remove(body, f->tag);
        rc = rc == CZ_ENOTFOUND ? CZ_OK : rc;
    } else {
        rc = set_scalar(f, body, v, err);
    }
    /* A new price or quantity re-derives a sale's amount. */
    if (rc == CZ_OK && !strcmp(t->key, "sale") && cz_schema_derives(t, f))
        cz_body_remove(body, cz_schema_field(t, "amount")->tag);
    if (rc == CZ_OK && cz_registry_derives(t, f)) cz_registry_forget(t, body);
    /* A new ID number re-derives sex and birth date in cz_schema_finish. */
    if (rc == CZ_OK && f->type == CZ_F_IDNUM)
        for (size_t i = 0; i < t->nfields; i++)
            if (t->fields[i].flags & CZ_FF_DERIVED)
                cz_body_remove(body, t->fields[i].tag);
    free(v);
    return rc;
}

/* A member's sex and birth date come from the ID number when there is one. */
static int derive_from_idnum(const struct cz_type *t, cz_body *body, uint32_t today,
                             struct cz_field_error *err)
{
    const struct cz_field *idf = NULL, *sexf = cz_schema_field(t, "sex"), *bornf = cz_schema_field(t, "born");
    const char *id;
    size_t len;

    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].type == CZ_F_IDNUM)
            idf = &t->fields[i];
    if (!idf || !sexf || !bornf || cz_body_get_text(body, idf->tag, &id, &len) != CZ_OK)
        return CZ_OK;
    struct cz_idnum_info info;
    enum cz_idnum_error why;
    if (cz_idnum_parse(id, today, &info, &why) != CZ_OK)
        return fail(err, idf, NULL, CZ_EIDNUM, why == CZ_IDNUM_DATE ? HINT_ID_DATE : HINT_ID_CHECK);

    const char *sex = NULL;
    uint64_t born = 0;
    char want_sex[2] = { info.sex, 0 };
    if (cz_body_get_text(body, sexf->tag, &sex, &len) == CZ_OK && strcmp(sex, want_sex)) {
        return cz_field_error_set(err, sexf, CZ_EFIELD, HINT_DERIVED_MISMATCH, want_sex);
    }
    if (cz_body_get_uint(body, bornf->tag, &born) == CZ_OK && born != info.born) {
        char born_text[16];
        cz_format_date(info.born, born_text, sizeof born_text);
        return cz_field_error_set(err, bornf, CZ_EFIELD, HINT_DERIVED_MISMATCH, born_text);
    }
    int rc = cz_body_set_text(body, sexf->tag, want_sex, 1);
    return rc ? rc : cz_body_set_uint(body, bornf->tag, info.born);
}

/* A sale's amount is quantity (hundredths of a jin) times the price per jin,
 * never below the guaranteed floor price; rounded half up to the fen. */
static int derive_sale_amount(const struct cz_type *t, cz_body *body, struct cz_field_error *err)
{
    const struct cz_field *qf = cz_schema_field(t, "quantity"), *pf = cz_schema_field(t, "price"),
                          *ff = cz_schema_field(t, "floor_price"), *af = cz_schema_field(t, "amount");
    int64_t qty, price = 0, floor = 0, typed;
    if (strcmp(t->key, "sale") || cz_body_get_sint(body, qf->tag, &qty) != CZ_OK)
        return CZ_OK;
    int have_price = cz_body_get_sint(body, pf->tag, &price) == CZ_OK;
    int have_floor = cz_body_get_sint(body, ff->tag, &floor) == CZ_OK;
    if (!have_price && !have_floor) return CZ_OK;
    int64_t per_jin = price > floor ? price : floor;
    if (per_jin != 0 && qty > INT64_MAX / per_jin) return fail(err, af, NULL, CZ_ERANGE, HINT_MONEY);
    int64_t amount = (qty * per_jin + 50) / 100;
    if (cz_body_get_sint(body, af->tag, &typed) == CZ_OK && typed != amount) {
        char amount_text[32];
        cz_format_hundredths(amount, amount_text, sizeof amount_text);
        return cz_field_error_set(err, af, CZ_EFIELD, HINT_DERIVED_AMOUNT, amount_text);
    }
    return cz_body_set_sint(body, af->tag, amount);
}

int cz_schema_finish(const struct cz_type *t, cz_body *body, uint32_t today,
                     struct cz_field_error *err)
{
    int rc = derive_from_idnum(t, body, today, err);
    if (rc) return rc;
    if ((rc = derive_sale_amount(t, body, err))) return rc;
    if ((rc = cz_registry_finish(t, body, today, err))) return rc;
    for (size_t i = 0; i < t->nfields; i++) {
        const struct cz_field *f = &t->fields[i];
        if ((f->flags & CZ_FF_REQUIRED) && !cz_body_kind(body, f->tag))
            return fail(err, f, NULL, CZ_EEMPTY, HINT_REQUIRED);
    }
    /* The primary cause must be among the causes; alone it implies them. */
    const struct cz_field *causes = cz_schema_field(t, "causes"), *primary = cz_schema_field(t, "primary_cause");
    const char *p;
    size_t len, count;
    if (causes && primary && cz_body_get_text(body, primary->tag, &p, &len) == CZ_OK) {
        if (cz_body_get_list_count(body, causes->tag, &count) != CZ_OK)
            return cz_body_set_list(body, causes->tag, &p, &len, 1);
        for (size_t i = 0; i < count; i++) {
            const char *item;
            size_t ilen;
            if (cz_body_get_list_item(body, causes->tag, i, &item, &ilen) == CZ_OK && !strcmp(item, p))
                return CZ_OK;
        }
        return fail(err, primary, NULL, CZ_EFIELD, HINT_PRIMARY_CAUSE);
    }
    return CZ_OK;
}

int cz_schema_format(const struct cz_field *f, const cz_body *b, enum cz_lang lang,
                     int labels, char *buf, size_t size)
{
    int kind = cz_body_kind(b, f->tag);
    const char *s;
    const uint8_t *bytes;
    size_t len, count;
    int64_t n;
    uint64_t u;

    if (size) buf[0] = 0;
    switch (kind) {
    case 0:
        return 0;
    case CZ_KIND_TEXT:
        cz_body_get_text(b, f->tag, &s, &len);
        snprintf(buf, size, "%s", (labels && f->type == CZ_F_ENUM) ? cz_enum_label(f, s, lang) : s);
        break;
    case CZ_KIND_SINT:
        cz_body_get_sint(b, f->tag, &n);
        if (f->type == CZ_F_MONEY || f->type == CZ_F_AREA || f->type == CZ_F_DECIMAL)
            cz_format_hundredths(n, buf, size);
        else
            snprintf(buf, size, "%lld", (long long)n);
        break;
    case CZ_KIND_UINT:
        cz_body_get_uint(b, f->tag, &u);
        if (f->type == CZ_F_DATE)
            cz_format_date((uint32_t)u, buf, size);
        else
            snprintf(buf, size, "%llu", (unsigned long long)u);
        break;
    case CZ_KIND_BYTES: {
        char hex[2 * 64 + 1];
        cz_body_get_bytes(b, f->tag, &bytes, &len);
        if (len > 64) len = 64;
        cz_hex(bytes, len, hex);
        snprintf(buf, size, "%s", hex);
        break;
    }
    case CZ_KIND_LIST: {
        size_t used = 0;
        cz_body_get_list_count(b, f->tag, &count);
        for (size_t i = 0; i < count && used < size; i++) {
            cz_body_get_list_item(b, f->tag, i, &s, &len);
            if (labels && f->type == CZ_F_SET)
                s = cz_enum_label(f, s, lang);
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", s);
        }
        break;
    }
    }
    return kind;
}

void cz_schema_title(const struct cz_type *t, const cz_body *b, char *buf, size_t size)
{
    if (size) buf[0] = 0;
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].flags & CZ_FF_TITLE) {
            cz_schema_format(&t->fields[i], b, CZ_LANG_EN, 0, buf, size);
            return;
        }
}

int cz_assign_split(char *kv, struct cz_assign *a)
{
    char *eq = strchr(kv, '=');
    if (!eq || eq == kv) return CZ_EINVAL;
    *eq = 0;
    a->field = kv;
    a->value = eq + 1;
    return CZ_OK;
}

int cz_schema_set_many(const struct cz_type *t, cz_body *body, const struct cz_assign *a, size_t n,
                       struct cz_field_error *err)
{
    /* Sources of derived values first, so a derived value typed beside them
     * is checked against them whatever order it was typed in (or whatever
     * order a spreadsheet's columns come in). */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const struct cz_field *f = cz_schema_field(t, a[i].field);
            if ((f && cz_schema_derives(t, f)) != (pass == 0)) continue;
            int rc = cz_schema_set(t, body, a[i].field, a[i].value, err);
            if (rc) return rc;
        }
    return CZ_OK;
}
