#include "query.h"
#include "hashset.h"
#include "history.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
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
    if ((rc = cz_history_winner(t, entity, heads, 1, &r->nheads, &e))) return rc;
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
    struct list_ctx l = { .t = t, .type = type, .filter = filter, .fn = fn, .ctx = ctx, .rc = CZ_OK };
    rc = cz_store_index_each(t, term, tl, list_cb, &l);
    cz_body_free(filter);
    return rc;
}

/* ---- find ---- */

#define FIND_GRAMS 16

struct find_ctx {
    cz_txn *t;
    const char *folded;          /* query, folded */
    cz_hashset *seen;            /* entities reported: a find with many results stays linear */
    cz_entity_fn fn;
    void *ctx;
    int rc;
    int check_name;              /* candidates from n-grams need checking */
    size_t limit, reported;      /* stop reporting after limit */
    size_t unverified;           /* candidates past the limit, not loaded */
    size_t walked;               /* candidates of the rarest n-gram seen */
    int stopped;                 /* the page filled on a single n-gram */
    int overlap;                 /* unverified counted by more than one walk */
    int public_only;             /* private fields (CZ_FF_PRIVATE) are not looked in */
    int prefix_walk;             /* in find_prefix: stop when the page is full */
    size_t prefix_walked;        /* candidates find_prefix's walk met */
    /* the other n-grams of the query: a candidate must be under each */
    size_t ngrams;
    char grams[FIND_GRAMS][16];
    size_t gram_len[FIND_GRAMS];
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
    int rc;
    if (f->check_name) f->walked++;
    if (f->prefix_walk) {
        f->prefix_walked++;
        /* What is left is counted from the terms (find_prefix). */
        if (f->reported >= f->limit) return CZ_WALK_STOP;
    }
    /* Intersect first: a B-tree look-up per other n-gram, no record load. */
    for (size_t i = 0; i < f->ngrams; i++) {
        rc = cz_store_index_has(f->t, f->grams[i], f->gram_len[i], entity);
        if (rc == CZ_ENOTFOUND) return 0;
        if (rc) return rc;
    }
    if (f->reported >= f->limit) {
        /* The page is full: count what is left without loading it (with
         * one n-gram, the rest of its posting list is that count). */
        if (f->check_name && f->ngrams == 0) { f->stopped = 1; return CZ_WALK_STOP; }
        f->unverified++;
        return 0;
    }
    rc = cz_record_load(f->t, entity, &r);
    if (rc == CZ_OK && !r.deleted && (!f->check_name || name_contains(&r, f->folded))) {
        int fresh = cz_hashset_add(f->seen, entity, CZ_ENTITY_BYTES);
        if (fresh < 0) rc = CZ_ENOMEM;
        else if (fresh) { f->reported++; rc = f->fn(f->ctx, entity); }
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

static int at_most_two_chars(const char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i] && n < 3; i += utf8_char_len(s + i)) n++;
    return n <= 2;
}

int cz_query_find(cz_txn *t, const char *text, cz_entity_fn fn, void *ctx)
{
    size_t total;
    int exact;
    return cz_query_find_page(t, text, SIZE_MAX, fn, ctx, &total, &exact);
}

/* Exact numbers: household numbers, ID numbers (x or X). */
static int find_exact(cz_txn *t, const char *line, struct find_ctx *f)
{
    char term[512];
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    int rc = CZ_OK;
    for (size_t i = 0; i < ntypes && rc == CZ_OK; i++)
        for (size_t j = 0; j < types[i].nfields && rc == CZ_OK; j++) {
            const struct cz_field *fd = &types[i].fields[j];
            if (!(fd->flags & CZ_FF_EXACT) || types[i].trust || fd->type == CZ_F_KEY) continue;
            if (f->public_only && (fd->flags & CZ_FF_PRIVATE)) continue;
            char upper[128];
            snprintf(upper, sizeof upper, "%s", line);
            if (fd->type == CZ_F_IDNUM)
                for (char *p = upper; *p; p++) if (*p == 'x') *p = 'X';
            size_t tl = cz_term_exact(term, sizeof term, types[i].key, fd->key, upper);
            rc = cz_store_index_each(t, term, tl, find_cb, f);
        }
    return rc;
}

/* The records under every term `tag` + `text`...: parts of numbers and
 * phones, pinyin prefixes (index.h).  What they hold is a match: no record
 * is loaded to check it. */
static int find_prefix(cz_txn *t, char tag, const char *text, size_t len, struct find_ctx *f)
{
    char term[1 + CZ_SUFFIX_MAX];
    if (len == 0 || len > CZ_SUFFIX_MAX) return CZ_OK;
    term[0] = tag;
    memcpy(term + 1, text, len);
    size_t all;
    f->prefix_walk = 1;
    f->prefix_walked = 0;
    int rc = cz_store_index_prefix(t, term, 1 + len, find_cb, f);
    f->prefix_walk = 0;
    if (rc != CZ_WALK_STOP) return rc;
    /* The page is full: the rest are counted, not walked (a first letter
     * typed has tens of thousands).  A record under two of these terms
     * (王安: "wangan" and "wa") counts twice: the total is then at most. */
    if ((rc = cz_store_index_prefix_count(t, term, 1 + len, &all))) return rc;
    if (all > f->prefix_walked - 1) f->unverified += all - (f->prefix_walked - 1);
    f->overlap = 1;
    return CZ_OK;
}

/* A query that may be part of a number, a phone or a pinyin reading. */
static int find_parts(cz_txn *t, const char *folded, struct find_ctx *f)
{
    char digits[CZ_SUFFIX_MAX + 1], pinyin[CZ_SUFFIX_MAX + 1];
    size_t nd = 0, np = 0, n = strlen(folded);
    int only_digits = 1, only_latin = 1, letters = 0, rc = CZ_OK;
    for (size_t i = 0; i < n; i++) {
        char c = folded[i];
        int digit = c >= '0' && c <= '9', letter = c >= 'a' && c <= 'z';
        if (digit && nd < CZ_SUFFIX_MAX) digits[nd++] = c;
        if ((digit || letter) && np < CZ_SUFFIX_MAX) pinyin[np++] = c;
        letters |= letter;
        if (!digit && !strchr("-+().", c)) only_digits = 0;
        if (!digit && !letter && c != '\'') only_latin = 0;
    }
    if (n >= CZ_CODE_PART) rc = find_prefix(t, CZ_TAG_CODE, folded, n, f);
    /* Phones are private: parts of them are no way around the masking. */
    if (rc == CZ_OK && only_digits && nd >= CZ_PHONE_PART && !f->public_only)
        rc = find_prefix(t, CZ_TAG_PHONE, digits, nd, f);
    if (rc == CZ_OK && only_latin && letters) rc = find_prefix(t, CZ_TAG_PINYIN, pinyin, np, f);
    return rc;
}

/* The n-gram terms of a folded query: the one character of a query of
 * one, else every two-character part (none when one would not fit). */
struct grams { char g[FIND_GRAMS + 1][16]; size_t len[FIND_GRAMS + 1], count[FIND_GRAMS + 1], n; };

static void query_grams(const char *folded, struct grams *q)
{
    size_t qlen = strlen(folded);
    size_t first = utf8_char_len(folded);
    q->n = 0;
    if (first == qlen) {
        q->g[0][0] = 'G';
        memcpy(q->g[0] + 1, folded, first);
        q->len[0] = 1 + first;
        q->n = 1;
        return;
    }
    for (size_t i = 0; i < qlen && q->n <= FIND_GRAMS;) {
        size_t l1 = utf8_char_len(folded + i);
        if (i + l1 >= qlen) break;
        size_t l2 = utf8_char_len(folded + i + l1);
        if (1 + l1 + l2 > sizeof q->g[0]) { q->n = 0; break; }
        q->g[q->n][0] = 'G';
        memcpy(q->g[q->n] + 1, folded + i, l1 + l2);
        q->len[q->n] = 1 + l1 + l2;
        q->n++;
        i += l1;
    }
}

/* Counts each n-gram's records and sorts them rarest first (so a miss is
 * found soonest); q->n becomes 0 when one has none: nothing matches. */
static int rarest_first(cz_txn *t, struct grams *q)
{
    int rc;
    for (size_t i = 0; i < q->n; i++) {
        if ((rc = cz_store_index_count(t, q->g[i], q->len[i], &q->count[i]))) return rc;
        if (q->count[i] == 0) { q->n = 0; return CZ_OK; }   /* an n-gram nobody has: nothing */
        /* insertion sort by count, rarest first */
        for (size_t j = i; j > 0 && q->count[j] < q->count[j - 1]; j--) {
            char g[16];
            size_t tmp;
            memcpy(g, q->g[j], 16); memcpy(q->g[j], q->g[j - 1], 16); memcpy(q->g[j - 1], g, 16);
            tmp = q->len[j]; q->len[j] = q->len[j - 1]; q->len[j - 1] = tmp;
            tmp = q->count[j]; q->count[j] = q->count[j - 1]; q->count[j - 1] = tmp;
        }
    }
    return CZ_OK;
}

/* Names.  Every n-gram of the query must hold the record: walk the rarest
 * one and look the candidates up in the others; only then load a record,
 * and only until the page is full. */
static int find_names(cz_txn *t, const char *folded, struct find_ctx *f)
{
    struct grams q;
    int rc;
    query_grams(folded, &q);
    if ((rc = rarest_first(t, &q)) || q.n == 0) return rc;
    for (size_t i = 1; i < q.n && f->ngrams < FIND_GRAMS; i++) {
        memcpy(f->grams[f->ngrams], q.g[i], 16);
        f->gram_len[f->ngrams++] = q.len[i];
    }
    f->check_name = 1;
    rc = cz_store_index_each(t, q.g[0], q.len[0], find_cb, f);
    if (f->stopped) {
        rc = CZ_OK;
        f->unverified = q.count[0] - f->walked + 1;
    }
    return rc;
}

static int find_page(cz_txn *t, const char *text, size_t limit, int public_only, cz_entity_fn fn, void *ctx,
                     size_t *total, int *exact)
{
    char *line = NULL, *folded = NULL;
    struct find_ctx f = { .t = t, .fn = fn, .ctx = ctx, .limit = limit, .public_only = public_only };
    int rc;

    *total = 0;
    *exact = 1;
    if ((rc = cz_hashset_new(&f.seen))) goto cleanup;
    if ((rc = cz_text_normalize_line(text, strlen(text), &line))) goto cleanup;
    if ((rc = cz_text_fold(line, strlen(line), &folded))) goto cleanup;
    f.folded = folded;
    if (!folded[0]) goto cleanup;
    if ((rc = find_exact(t, line, &f)) == CZ_OK && (rc = find_parts(t, folded, &f)) == CZ_OK)
        rc = find_names(t, folded, &f);
cleanup:
    *total = f.reported + f.unverified;
    /* Candidates past the page were not loaded: for a query of one or two
     * characters the n-gram is the query, so they are matches; longer
     * queries count them as at most. */
    *exact = f.unverified == 0 || (!f.overlap && folded && at_most_two_chars(folded));
    cz_hashset_free(f.seen);
    free(line);
    free(folded);
    return rc;
}

int cz_query_find_page(cz_txn *t, const char *text, size_t limit, cz_entity_fn fn, void *ctx,
                       size_t *total, int *exact)
{
    return find_page(t, text, limit, 0, fn, ctx, total, exact);
}

int cz_query_find_public(cz_txn *t, const char *text, cz_entity_fn fn, void *ctx)
{
    size_t total;
    int exact;
    return find_page(t, text, SIZE_MAX, 1, fn, ctx, &total, &exact);
}

/* ---- the first page of a list ---- */

struct first_ctx { cz_hashset *seen; size_t limit, n; cz_entity_fn fn; void *ctx; int stopped; };

static int first_cb(void *ctx, const uint8_t *entity)
{
    struct first_ctx *f = ctx;
    int fresh;
    if (f->n >= f->limit) { f->stopped = 1; return CZ_WALK_STOP; }
    /* A record with concurrent versions may be under two values. */
    if ((fresh = cz_hashset_add(f->seen, entity, CZ_ENTITY_BYTES)) < 0) return CZ_ENOMEM;
    if (!fresh) return 0;
    f->n++;
    return f->fn(f->ctx, entity);
}

int cz_query_first(cz_txn *t, const struct cz_type *type, const char *field, size_t limit,
                   cz_entity_fn fn, void *ctx, size_t *total)
{
    char term[512];
    struct first_ctx f = { .seen = NULL, .limit = limit, .n = 0, .fn = fn, .ctx = ctx, .stopped = 0 };
    int rc;
    *total = 0;
    if ((rc = cz_store_index_count(t, term, cz_term_type(term, sizeof term, type->key), total))) return rc;
    if ((rc = cz_hashset_new(&f.seen))) return rc;
    /* 'X' type \0 field \0 value: every value of the field, in order. */
    size_t tl = cz_term_exact(term, sizeof term, type->key, field, "");
    rc = cz_store_index_prefix(t, term, tl, first_cb, &f);
    if (f.stopped) rc = CZ_OK;
    cz_hashset_free(f.seen);
    return rc;
}
