#include "merge.h"
#include "query.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

int cz_body_copy_field(cz_body *dst, const cz_body *src, uint32_t tag)
{
    const char *s;
    const uint8_t *p;
    size_t len, n;
    uint64_t u;
    int64_t v;
    int rc;
    switch (src ? cz_body_kind(src, tag) : 0) {
    case CZ_KIND_UINT: cz_body_get_uint(src, tag, &u); return cz_body_set_uint(dst, tag, u);
    case CZ_KIND_SINT: cz_body_get_sint(src, tag, &v); return cz_body_set_sint(dst, tag, v);
    case CZ_KIND_TEXT: cz_body_get_text(src, tag, &s, &len); return cz_body_set_text(dst, tag, s, len);
    case CZ_KIND_BYTES: cz_body_get_bytes(src, tag, &p, &len); return cz_body_set_bytes(dst, tag, p, len);
    case CZ_KIND_LIST: {
        cz_body_get_list_count(src, tag, &n);
        const char **items = calloc(n, sizeof *items);
        size_t *lens = calloc(n, sizeof *lens);
        rc = items && lens ? CZ_OK : CZ_ENOMEM;
        for (size_t i = 0; rc == CZ_OK && i < n; i++) rc = cz_body_get_list_item(src, tag, i, &items[i], &lens[i]);
        if (rc == CZ_OK) rc = cz_body_set_list(dst, tag, items, lens, n);
        free(items);
        free(lens);
        return rc;
    }
    default:
        rc = cz_body_remove(dst, tag);
        return rc == CZ_ENOTFOUND ? CZ_OK : rc;
    }
}

/* One field alone, so two values compare by their canonical encoding. */
static cz_body *field_alone(const cz_body *b, uint32_t tag)
{
    cz_body *one = cz_body_new();
    if (one && cz_body_copy_field(one, b, tag) != CZ_OK) { cz_body_free(one); one = NULL; }
    return one;
}

static int field_equal(const cz_body *a, const cz_body *b, uint32_t tag)
{
    cz_body *x = field_alone(a, tag), *y = field_alone(b, tag);
    int same = x && y && cz_body_equal(x, y);
    cz_body_free(x);
    cz_body_free(y);
    return same;
}

/* Provisional order: higher clock first, then higher origin, then id, so
 * every station picks the same winner. */
static int cmp_newest(const struct cz_version *a, const struct cz_version *b)
{
    if (a->hlc != b->hlc) return a->hlc > b->hlc ? -1 : 1;
    int c = memcmp(b->origin, a->origin, 32);
    if (c) return c;
    return memcmp(b->id, a->id, CZ_ID_BYTES);
}

static ptrdiff_t find_version(const struct cz_version *v, size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(v[i].id, id, CZ_ID_BYTES)) return (ptrdiff_t)i;
    return -1;
}

/* Marks every version reachable from `start` through parents (itself too). */
static int ancestors(const struct cz_version *v, size_t n, size_t start, uint8_t *mark)
{
    size_t *stack = malloc(n * sizeof *stack), top = 0;
    if (!stack) return CZ_ENOMEM;
    memset(mark, 0, n);
    mark[start] = 1;
    stack[top++] = start;
    while (top) {
        size_t i = stack[--top];
        for (size_t p = 0; p < v[i].nparents; p++) {
            ptrdiff_t j = find_version(v, n, v[i].parents[p]);
            if (j >= 0 && !mark[j]) { mark[j] = 1; stack[top++] = (size_t)j; }
        }
    }
    free(stack);
    return CZ_OK;
}

/* The field equals its value in every base (no base: the empty body). */
static int same_as_bases(const cz_body *b, const struct cz_version *const *bases, size_t nbases,
                         const cz_body *empty, uint32_t tag)
{
    if (nbases == 0) return field_equal(b, empty, tag);
    for (size_t i = 0; i < nbases; i++)
        if (!field_equal(b, bases[i]->body ? bases[i]->body : empty, tag)) return 0;
    return 1;
}

static int add_tags(uint32_t **tags, size_t *n, const cz_body *b)
{
    for (size_t i = 0; b && i < cz_body_count(b); i++) {
        uint32_t tag = cz_body_tag_at(b, i);
        size_t k = 0;
        while (k < *n && (*tags)[k] != tag) k++;
        if (k < *n) continue;
        uint32_t *nt = realloc(*tags, (*n + 1) * sizeof *nt);
        if (!nt) return CZ_ENOMEM;
        *tags = nt;
        (*tags)[(*n)++] = tag;
    }
    return CZ_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static struct cz_merge_conflict *new_conflict(struct cz_merged *m, uint32_t tag)
{
    struct cz_merge_conflict *c = realloc(m->conflicts, (m->nconflicts + 1) * sizeof *c);
    if (!c) return NULL;
    m->conflicts = c;
    c = &m->conflicts[m->nconflicts++];
    memset(c, 0, sizeof *c);
    c->tag = tag;
    return c;
}

static void conflict_add(struct cz_merge_conflict *c, const struct cz_version *h, cz_body *value)
{
    struct cz_merge_value *mv = &c->v[c->n++];
    memcpy(mv->head, h->id, CZ_ID_BYTES);
    memcpy(mv->origin, h->origin, 32);
    mv->hlc = h->hlc;
    mv->value = value;
}

int cz_merge_entity(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_merged *m)
{
    uint8_t ids[CZ_PARENTS_MAX][CZ_ID_BYTES];
    struct cz_version *v = NULL, *heads[CZ_PARENTS_MAX] = { 0 };
    size_t nv = 0, nh = 0, nlive = 0, ntags = 0;
    uint8_t *common = NULL, *mark = NULL;
    uint32_t *tags = NULL;
    cz_body *empty = NULL;
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = cz_store_heads(t, entity, ids, CZ_PARENTS_MAX, &nh))) return rc;
    if (nh == 0) return CZ_ENOTFOUND;
    if (nh > CZ_PARENTS_MAX) nh = CZ_PARENTS_MAX;
    if ((rc = cz_record_history(t, entity, &v, &nv))) return rc;
    m->nheads = nh;
    for (size_t i = 0; i < nh; i++) {
        ptrdiff_t j = find_version(v, nv, ids[i]);
        if (j < 0) { rc = CZ_EDB; goto cleanup; }
        heads[i] = &v[j];
    }
    /* Winner first, by the same order everywhere. */
    for (size_t i = 1; i < nh; i++)
        for (size_t k = i; k > 0 && cmp_newest(heads[k], heads[k - 1]) < 0; k--) {
            struct cz_version *x = heads[k]; heads[k] = heads[k - 1]; heads[k - 1] = x;
        }
    m->deleted = heads[0]->tombstone;
    if (nh == 1) {
        if (!heads[0]->tombstone && !(m->body = cz_body_clone(heads[0]->body))) rc = CZ_ENOMEM;
        goto cleanup;
    }

    /* The common ancestor: reachable from every head, and not itself an
     * ancestor of another such version (ties by the provisional order). */
    common = malloc(nv);
    mark = malloc(nv);
    if (!common || !mark) { rc = CZ_ENOMEM; goto cleanup; }
    memset(common, 1, nv);
    for (size_t i = 0; i < nh; i++) {
        if ((rc = ancestors(v, nv, (size_t)(heads[i] - v), mark))) goto cleanup;
        for (size_t k = 0; k < nv; k++) common[k] &= mark[k];
    }
    /* Several maximal common ancestors (a criss-cross: two people merged
     * the same heads differently) are all kept as bases.  A field counts as
     * unchanged only when it equals every base; where the bases disagree,
     * taking any one of them would silently drop the other person's
     * decision, so every head's value stands and differing ones conflict. */
    const struct cz_version *bases[CZ_PARENTS_MAX];
    size_t nbases = 0;
    for (size_t k = 0; k < nv; k++) {
        if (!common[k]) continue;
        int below_another = 0;
        for (size_t d = 0; d < nv && !below_another; d++) {
            if (d == k || !common[d]) continue;
            if ((rc = ancestors(v, nv, d, mark))) goto cleanup;
            below_another = mark[k];
        }
        if (below_another) continue;
        if (nbases == CZ_PARENTS_MAX) { rc = CZ_ETOOBIG; goto cleanup; }
        /* Kept in provisional order, so the first is the same everywhere. */
        size_t at = nbases++;
        for (; at > 0 && cmp_newest(&v[k], bases[at - 1]) < 0; at--) bases[at] = bases[at - 1];
        bases[at] = &v[k];
    }
    if (!(empty = cz_body_new())) { rc = CZ_ENOMEM; goto cleanup; }
    const cz_body *bb = nbases && bases[0]->body ? bases[0]->body : empty;
    if (!(m->body = cz_body_clone(bb))) { rc = CZ_ENOMEM; goto cleanup; }

    for (size_t b = 0; b < nbases; b++)
        if ((rc = add_tags(&tags, &ntags, bases[b]->body))) goto cleanup;
    for (size_t i = 0; i < nh; i++)
        if (!heads[i]->tombstone) {
            nlive++;
            if ((rc = add_tags(&tags, &ntags, heads[i]->body))) goto cleanup;
        }
    if (ntags) qsort(tags, ntags, sizeof *tags, cmp_u32);
    for (size_t ti = 0; ti < ntags; ti++) {
        uint32_t tag = tags[ti];
        const struct cz_version *changed[CZ_PARENTS_MAX];
        size_t nc = 0, distinct = 1;
        for (size_t i = 0; i < nh; i++)
            if (!heads[i]->tombstone && !same_as_bases(heads[i]->body, bases, nbases, empty, tag))
                changed[nc++] = heads[i];
        if (nc == 0) continue;
        for (size_t i = 1; i < nc; i++) {
            int seen = 0;
            for (size_t k = 0; k < i && !seen; k++) seen = field_equal(changed[i]->body, changed[k]->body, tag);
            distinct += !seen;
        }
        /* The provisional winner's value is shown; with one distinct change
         * it is simply the merge. */
        if ((rc = cz_body_copy_field(m->body, changed[0]->body, tag))) goto cleanup;
        if (distinct == 1) continue;
        struct cz_merge_conflict *c = new_conflict(m, tag);
        if (!c) { rc = CZ_ENOMEM; goto cleanup; }
        for (size_t i = 0; i < nc; i++) {
            int seen = 0;
            for (size_t k = 0; k < i && !seen; k++) seen = field_equal(changed[i]->body, changed[k]->body, tag);
            if (seen) continue;
            cz_body *val = field_alone(changed[i]->body, tag);
            if (!val) { rc = CZ_ENOMEM; goto cleanup; }
            conflict_add(c, changed[i], val);
        }
    }
    if (nlive < nh && nlive > 0) {
        struct cz_merge_conflict *c = new_conflict(m, 0);
        if (!c) { rc = CZ_ENOMEM; goto cleanup; }
        for (size_t i = 0; i < nh; i++) conflict_add(c, heads[i], NULL);
    }
    if (nlive == 0) { cz_body_free(m->body); m->body = NULL; }
    rc = CZ_OK;
cleanup:
    if (rc) cz_merged_free(m);
    cz_body_free(empty);
    free(tags);
    free(common);
    free(mark);
    cz_history_free(v, nv);
    return rc;
}

void cz_merged_free(struct cz_merged *m)
{
    for (size_t i = 0; i < m->nconflicts; i++)
        for (size_t k = 0; k < m->conflicts[i].n; k++) cz_body_free(m->conflicts[i].v[k].value);
    free(m->conflicts);
    cz_body_free(m->body);
    memset(m, 0, sizeof *m);
}
