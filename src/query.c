#include "query.h"
#include "keys.h"
#include "merge.h"
#include "status.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cz_record_clear(struct cz_record *r)
{
    cz_body_free(r->body);
    memset(r, 0, sizeof *r);
}

int cz_record_load(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_record *r)
{
    uint8_t heads[1][CZ_ID_BYTES];
    struct cz_entry e;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = cz_store_heads(t, entity, heads, 1, &r->nheads))) return rc;
    if (r->nheads == 0) return CZ_ENOTFOUND;
    if ((rc = cz_store_get_entry(t, heads[0], &e))) return rc;
    memcpy(r->entity, entity, CZ_ENTITY_BYTES);
    memcpy(r->id, heads[0], CZ_ID_BYTES);
    memcpy(r->origin, e.origin, 32);
    r->seq = e.seq;
    r->hlc = e.hlc;
    r->wall = e.wall;
    r->type = cz_schema_type(e.type);
    memcpy(r->type_key, e.type, sizeof r->type_key);
    memcpy(r->region, e.region, sizeof r->region);
    r->deleted = (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) != 0;
    if (r->nheads > 1) {
        /* Concurrent versions: the three-way merge, with provisional
         * winners where fields conflict (merge.h). */
        struct cz_merged m;
        if ((rc = cz_merge_entity(t, entity, &m))) return rc;
        r->deleted = m.deleted;
        if (!m.deleted) { r->body = m.body; m.body = NULL; }
        cz_merged_free(&m);
        return CZ_OK;
    }
    if (!r->deleted && (rc = cz_body_decode(e.body, e.body_len, &r->body))) return rc;
    return CZ_OK;
}

struct hist { cz_txn *t; struct cz_version *v; size_t n, cap; int rc; };

static int hist_cb(void *ctx, const uint8_t *id)
{
    struct hist *h = ctx;
    struct cz_entry e;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        struct cz_version *v = realloc(h->v, cap * sizeof *v);
        if (!v) return h->rc = CZ_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    if ((h->rc = cz_store_get_entry(h->t, id, &e))) return h->rc;
    struct cz_version *v = &h->v[h->n];
    memset(v, 0, sizeof *v);
    memcpy(v->id, id, CZ_ID_BYTES);
    memcpy(v->origin, e.origin, 32);
    v->seq = e.seq;
    v->hlc = e.hlc;
    v->wall = e.wall;
    v->tombstone = (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) != 0;
    v->nparents = e.nparents;
    memcpy(v->parents, e.parents, e.nparents * CZ_ID_BYTES);
    if (!v->tombstone && (h->rc = cz_body_decode(e.body, e.body_len, &v->body))) return h->rc;
    h->n++;
    return 0;
}

static int cmp_version(const void *a, const void *b)
{
    const struct cz_version *x = a, *y = b;
    if (x->hlc != y->hlc) return x->hlc < y->hlc ? -1 : 1;
    return memcmp(x->origin, y->origin, 32);
}

int cz_record_history(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                      struct cz_version **out, size_t *n)
{
    struct hist h = { t, NULL, 0, 0, CZ_OK };
    int rc = cz_store_versions(t, entity, hist_cb, &h);
    if (rc == CZ_OK && h.n == 0) rc = CZ_ENOTFOUND;
    if (rc) { cz_history_free(h.v, h.n); return rc; }
    qsort(h.v, h.n, sizeof *h.v, cmp_version);
    *out = h.v;
    *n = h.n;
    return CZ_OK;
}

void cz_history_free(struct cz_version *v, size_t n)
{
    for (size_t i = 0; i < n; i++) cz_body_free(v[i].body);
    free(v);
}

/* ---- list ---- */

struct list_ctx {
    cz_txn *t;
    const struct cz_type *type;
    const cz_body *filter;
    cz_entity_fn fn;
    void *ctx;
    int rc;
};

/* Same encoded value in both bodies for every field of the filter. */
static int matches(const cz_body *filter, const cz_body *body)
{
    for (size_t i = 0; i < cz_body_count(filter); i++) {
        uint32_t tag = cz_body_tag_at(filter, i);
        cz_body *a = cz_body_new(), *b = cz_body_new();
        int kind = cz_body_kind(filter, tag), same = 0;
        if (a && b && kind == cz_body_kind(body, tag)) {
            const char *s; const uint8_t *p; size_t len; uint64_t u; int64_t v;
            /* Compare one field at a time by re-encoding it alone. */
            switch (kind) {
            case CZ_KIND_UINT: cz_body_get_uint(filter, tag, &u); cz_body_set_uint(a, tag, u);
                               cz_body_get_uint(body, tag, &u); cz_body_set_uint(b, tag, u); break;
            case CZ_KIND_SINT: cz_body_get_sint(filter, tag, &v); cz_body_set_sint(a, tag, v);
                               cz_body_get_sint(body, tag, &v); cz_body_set_sint(b, tag, v); break;
            case CZ_KIND_TEXT: cz_body_get_text(filter, tag, &s, &len); cz_body_set_text(a, tag, s, len);
                               cz_body_get_text(body, tag, &s, &len); cz_body_set_text(b, tag, s, len); break;
            case CZ_KIND_BYTES: cz_body_get_bytes(filter, tag, &p, &len); cz_body_set_bytes(a, tag, p, len);
                                cz_body_get_bytes(body, tag, &p, &len); cz_body_set_bytes(b, tag, p, len); break;
            case CZ_KIND_LIST: {
                /* A list filter matches when the record holds all its items. */
                size_t fc = 0, bc = 0;
                cz_body_get_list_count(filter, tag, &fc);
                cz_body_get_list_count(body, tag, &bc);
                same = 1;
                for (size_t fi = 0; fi < fc && same; fi++) {
                    const char *fs; size_t fl; int found = 0;
                    cz_body_get_list_item(filter, tag, fi, &fs, &fl);
                    for (size_t bi = 0; bi < bc && !found; bi++) {
                        const char *bs; size_t bl;
                        cz_body_get_list_item(body, tag, bi, &bs, &bl);
                        found = fl == bl && !memcmp(fs, bs, fl);
                    }
                    same = found;
                }
                cz_body_free(a); cz_body_free(b);
                if (!same) return 0;
                continue;
            }
            }
            same = cz_body_equal(a, b);
        }
        cz_body_free(a);
        cz_body_free(b);
        if (!same) return 0;
    }
    return 1;
}

static int list_cb(void *ctx, const uint8_t *entity)
{
    struct list_ctx *l = ctx;
    struct cz_record r;
    int rc = cz_record_load(l->t, entity, &r);
    if (rc == CZ_OK && !r.deleted && r.type == l->type && matches(l->filter, r.body))
        rc = l->fn(l->ctx, entity);
    cz_record_clear(&r);
    return rc;
}

int cz_query_list(cz_txn *t, const struct cz_type *type, const struct cz_assign *filters,
                  size_t n, cz_entity_fn fn, void *ctx, struct cz_field_error *err)
{
    cz_body *filter = cz_body_new();
    char term[512];
    size_t tl;
    int rc = CZ_OK;

    if (!filter) return CZ_ENOMEM;
    for (size_t i = 0; i < n && rc == CZ_OK; i++) {
        /* A reference may be typed as an id prefix, as everywhere else. */
        const struct cz_field *f = cz_schema_field(type, filters[i].field);
        const char *value = filters[i].value;
        char full[2 * CZ_ENTITY_BYTES + 1];
        uint8_t entity[CZ_ENTITY_BYTES];
        if (f && f->type == CZ_F_REF && strlen(value) >= 6 && strlen(value) < 2 * CZ_ENTITY_BYTES &&
            cz_store_resolve_entity(t, value, entity) == CZ_OK) {
            cz_hex(entity, CZ_ENTITY_BYTES, full);
            value = full;
        }
        rc = cz_schema_set(type, filter, filters[i].field, value, err);
    }
    if (rc) { cz_body_free(filter); return rc; }
    /* The region index narrows a village filter; otherwise all of the type. */
    const char *region = NULL;
    size_t rlen;
    for (size_t i = 0; i < type->nfields; i++)
        if ((type->fields[i].flags & CZ_FF_REGION) &&
            cz_body_get_text(filter, type->fields[i].tag, &region, &rlen) == CZ_OK)
            break;
    tl = region ? cz_term_region(term, sizeof term, type->key, region) : cz_term_type(term, sizeof term, type->key);
    struct list_ctx l = { t, type, filter, fn, ctx, CZ_OK };
    rc = cz_store_index_each(t, term, tl, list_cb, &l);
    cz_body_free(filter);
    return rc;
}

/* ---- find ---- */

struct seen { uint8_t (*ids)[CZ_ENTITY_BYTES]; size_t n, cap; };

static int seen_add(struct seen *s, const uint8_t *entity)
{
    for (size_t i = 0; i < s->n; i++)
        if (!memcmp(s->ids[i], entity, CZ_ENTITY_BYTES)) return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        void *p = realloc(s->ids, cap * CZ_ENTITY_BYTES);
        if (!p) return -1;
        s->ids = p;
        s->cap = cap;
    }
    memcpy(s->ids[s->n++], entity, CZ_ENTITY_BYTES);
    return 1;
}

struct find_ctx {
    cz_txn *t;
    const char *folded;          /* query, folded */
    struct seen seen;
    cz_entity_fn fn;
    void *ctx;
    int rc;
    int check_name;              /* candidates from n-grams need checking */
};

static int name_contains(const struct cz_record *r, const char *folded)
{
    if (!r->type || !r->body) return 0;
    for (size_t i = 0; i < r->type->nfields; i++) {
        const struct cz_field *f = &r->type->fields[i];
        const char *s;
        size_t len;
        char *fs = NULL;
        if (!(f->flags & CZ_FF_NAME) || cz_body_get_text(r->body, f->tag, &s, &len) != CZ_OK)
            continue;
        int hit = cz_text_fold(s, len, &fs) == CZ_OK && strstr(fs, folded) != NULL;
        free(fs);
        if (hit) return 1;
    }
    return 0;
}

static int find_cb(void *ctx, const uint8_t *entity)
{
    struct find_ctx *f = ctx;
    struct cz_record r;
    int rc = cz_record_load(f->t, entity, &r);
    if (rc == CZ_OK && !r.deleted && (!f->check_name || name_contains(&r, f->folded))) {
        int fresh = seen_add(&f->seen, entity);
        if (fresh < 0) rc = CZ_ENOMEM;
        else if (fresh) rc = f->fn(f->ctx, entity);
    }
    cz_record_clear(&r);
    return rc;
}

static size_t utf8_char_len(const char *s)
{
    size_t l = 1;
    while (s[l] && ((unsigned char)s[l] & 0xC0) == 0x80) l++;
    return l;
}

int cz_query_find(cz_txn *t, const char *text, cz_entity_fn fn, void *ctx)
{
    char *line = NULL, *folded = NULL;
    char term[512];
    size_t ntypes;
    int rc;
    const struct cz_type *types = cz_schema_types(&ntypes);
    struct find_ctx f = { t, NULL, { NULL, 0, 0 }, fn, ctx, CZ_OK, 0 };

    if ((rc = cz_text_normalize_line(text, strlen(text), &line))) return rc;
    if ((rc = cz_text_fold(line, strlen(line), &folded))) goto cleanup;
    f.folded = folded;
    if (!folded[0]) goto cleanup;

    /* Exact numbers first: household numbers, ID numbers (x or X). */
    for (size_t i = 0; i < ntypes && rc == CZ_OK; i++)
        for (size_t j = 0; j < types[i].nfields && rc == CZ_OK; j++) {
            const struct cz_field *fd = &types[i].fields[j];
            if (!(fd->flags & CZ_FF_EXACT) || types[i].trust || fd->type == CZ_F_KEY) continue;
            char upper[128];
            snprintf(upper, sizeof upper, "%s", line);
            if (fd->type == CZ_F_IDNUM)
                for (char *p = upper; *p; p++) if (*p == 'x') *p = 'X';
            size_t tl = cz_term_exact(term, sizeof term, types[i].key, fd->key, upper);
            rc = cz_store_index_each(t, term, tl, find_cb, &f);
        }
    if (rc) goto cleanup;

    /* Then names: the rarest n-gram of the query gives the candidates. */
    size_t best_len = 0, best_count = SIZE_MAX;
    char best[16];
    size_t qlen = strlen(folded);
    size_t first = utf8_char_len(folded);
    if (first == qlen) {
        best[0] = 'G';
        memcpy(best + 1, folded, first);
        best_len = 1 + first;
    } else {
        for (size_t i = 0; i < qlen;) {
            size_t l1 = utf8_char_len(folded + i);
            if (i + l1 >= qlen) break;
            size_t l2 = utf8_char_len(folded + i + l1);
            char gram[16];
            gram[0] = 'G';
            memcpy(gram + 1, folded + i, l1 + l2);
            size_t count;
            if ((rc = cz_store_index_count(t, gram, 1 + l1 + l2, &count))) goto cleanup;
            if (count < best_count) {
                best_count = count;
                memcpy(best, gram, 1 + l1 + l2);
                best_len = 1 + l1 + l2;
            }
            i += l1;
        }
    }
    f.check_name = 1;
    if (best_len && best_count != 0) {
        rc = cz_store_index_each(t, best, best_len, find_cb, &f);
    }
cleanup:
    free(f.seen.ids);
    free(line);
    free(folded);
    return rc;
}
