/* print_rec.c — reading records for the printed documents (print_int.h):
 * fields as shown, references, the entities of a walk. */
#include "print_int.h"
#include "grow.h"

#include <string.h>

int cz_print_collect(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES])
{
    struct cz_ents *e = ctx;
    if (cz_grow(&e->v, &e->cap, e->n + 1, sizeof *e->v)) return CZ_ENOMEM;
    memcpy(e->v[e->n++], entity, CZ_ENTITY_BYTES);
    return 0;
}

/* A list's items, joined with commas by cz_schema_format, joined on paper
 * the way the language writes a list: 因病、缺资金 in Chinese. */
static void join_for_paper(const char *in, enum cz_lang lang, char *buf, size_t size)
{
    const char *sep = lang == CZ_LANG_ZH ? "、" : ", ";
    size_t used = 0, seplen = strlen(sep);
    for (; *in && used + 1 < size; in++) {
        if (*in != ',') { buf[used++] = *in; continue; }
        if (used + seplen >= size) break;
        memcpy(buf + used, sep, seplen);
        used += seplen;
    }
    buf[used] = 0;
}

const char *cz_print_val(const struct cz_record *r, const char *field, enum cz_lang lang, char *buf, size_t size)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    char joined[1024];
    buf[0] = 0;
    if (!f || !r->body) return buf;
    if (f->type != CZ_F_SET && f->type != CZ_F_LIST) {
        cz_schema_format(f, r->body, lang, 1, buf, size);
        return buf;
    }
    cz_schema_format(f, r->body, lang, 1, joined, sizeof joined);
    join_for_paper(joined, lang, buf, size);
    return buf;
}

const char *cz_print_key(const struct cz_record *r, const char *field, char *buf, size_t size)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    buf[0] = 0;
    if (f && r->body) cz_schema_format(f, r->body, CZ_LANG_EN, 0, buf, size);
    return buf;
}

uint64_t cz_print_uint(const struct cz_record *r, const char *field)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    uint64_t u = 0;
    if (f && r->body) cz_body_get_uint(r->body, f->tag, &u);
    return u;
}

int64_t cz_print_sint(const struct cz_record *r, const char *field)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    int64_t v = 0;
    if (f && r->body) cz_body_get_sint(r->body, f->tag, &v);
    return v;
}

int cz_print_ref(const struct cz_record *r, const char *field, uint8_t out[CZ_ENTITY_BYTES])
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    const uint8_t *b;
    size_t len;
    if (!f || !r->body || cz_body_get_bytes(r->body, f->tag, &b, &len) || len != CZ_ENTITY_BYTES) return 0;
    memcpy(out, b, CZ_ENTITY_BYTES);
    return 1;
}
