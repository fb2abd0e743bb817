#include "merge.h"
#include "grow.h"
#include "history.h"
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

/* One merge in progress: the entity's history, its heads (provisional
 * winner first) and their common ancestors, the tags to look at. */
struct merge {
    struct cz_merged *m;
    struct cz_version *v;            /* the history, nv versions */
    size_t nv;
    struct cz_version *heads[CZ_PARENTS_MAX];
    size_t nh;
    const struct cz_version *bases[CZ_PARENTS_MAX];
    size_t nbases;
    uint8_t *mark;                   /* nv bytes, for ancestors() */
    uint32_t *tags;                  /* every tag of the bases and live heads, sorted */
    size_t ntags, tags_cap;
    size_t conflicts_cap;
    cz_body *empty;
};

static int add_tags(struct merge *g, const cz_body *b)
{
    for (size_t i = 0; b && i < cz_body_count(b); i++) {
        uint32_t tag = cz_body_tag_at(b, i);
        size_t k = 0;
        while (k < g->ntags && g->tags[k] != tag) k++;
        if (k < g->ntags) continue;
        if (cz_grow(&g->tags, &g->tags_cap, g->ntags + 1, sizeof *g->tags)) return CZ_ENOMEM;
        g->tags[g->ntags++] = tag;
    }
    return CZ_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static struct cz_merge_conflict *new_conflict(struct merge *g, uint32_t tag)
{
    struct cz_merged *m = g->m;
    if (cz_grow(&m->conflicts, &g->conflicts_cap, m->nconflicts + 1, sizeof *m->conflicts)) return NULL;
    struct cz_merge_conflict *c = &m->conflicts[m->nconflicts++];
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

/* The entity's heads within its history, the provisional winner first
 * (the same order everywhere). */
static int load_heads(struct merge *g, cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES])
{
    uint8_t ids[CZ_PARENTS_MAX][CZ_ID_BYTES];
    int rc;
    if ((rc = cz_store_heads(t, entity, ids, CZ_PARENTS_MAX, &g->nh))) return rc;
    if (g->nh == 0) return CZ_ENOTFOUND;
    if (g->nh > CZ_PARENTS_MAX) g->nh = CZ_PARENTS_MAX;
    if ((rc = cz_record_history(t, entity, &g->v, &g->nv))) return rc;
    for (size_t i = 0; i < g->nh; i++) {
        ptrdiff_t j = find_version(g->v, g->nv, ids[i]);
        if (j < 0) return CZ_EDB;
        g->heads[i] = &g->v[j];
    }
    for (size_t i = 1; i < g->nh; i++)
        for (size_t k = i; k > 0 && cz_version_cmp_newest(g->heads[k], g->heads[k - 1]) < 0; k--) {
            struct cz_version *x = g->heads[k]; g->heads[k] = g->heads[k - 1]; g->heads[k - 1] = x;
        }
    return CZ_OK;
}

/* The common ancestors: reachable from every head, and not themselves an
 * ancestor of another such version.  Several (a criss-cross: two people
 * merged the same heads differently) are all kept as bases.  A field
 * counts as unchanged only when it equals every base; where the bases
 * disagree, taking any one of them would silently drop the other person's
 * decision, so every head's value stands and differing ones conflict. */
static int find_bases(struct merge *g)
{
    uint8_t *common = malloc(g->nv);
    int rc = CZ_OK;
    if (!common || !(g->mark = malloc(g->nv))) { free(common); return CZ_ENOMEM; }
    memset(common, 1, g->nv);
    for (size_t i = 0; i < g->nh && rc == CZ_OK; i++) {
        rc = ancestors(g->v, g->nv, (size_t)(g->heads[i] - g->v), g->mark);
        for (size_t k = 0; rc == CZ_OK && k < g->nv; k++) common[k] &= g->mark[k];
    }
    for (size_t k = 0; rc == CZ_OK && k < g->nv; k++) {
        if (!common[k]) continue;
        int below_another = 0;
        for (size_t d = 0; d < g->nv && !below_another && rc == CZ_OK; d++) {
            if (d == k || !common[d]) continue;
            if ((rc = ancestors(g->v, g->nv, d, g->mark)) == CZ_OK) below_another = g->mark[k];
        }
        if (rc || below_another) continue;
        if (g->nbases == CZ_PARENTS_MAX) { rc = CZ_ETOOBIG; break; }
        /* Kept in provisional order, so the first is the same everywhere. */
        size_t at = g->nbases++;
        for (; at > 0 && cz_version_cmp_newest(&g->v[k], g->bases[at - 1]) < 0; at--)
            g->bases[at] = g->bases[at - 1];
        g->bases[at] = &g->v[k];
    }
    free(common);
    return rc;
}

/* Whether changed[i]'s value of the field equals an earlier one's. */
static int seen_before(const struct cz_version *const *changed, size_t i, uint32_t tag)
{
    for (size_t k = 0; k < i; k++)
        if (field_equal(changed[i]->body, changed[k]->body, tag)) return 1;
    return 0;
}

/* One field: the heads that changed it from the bases; one distinct change
 * is simply the merge, several are a conflict that keeps each value, the
 * provisional winner's shown. */
static int merge_field(struct merge *g, uint32_t tag)
{
    const struct cz_version *changed[CZ_PARENTS_MAX];
    size_t nc = 0, distinct = 1;
    int rc;
    for (size_t i = 0; i < g->nh; i++)
        if (!g->heads[i]->tombstone && !same_as_bases(g->heads[i]->body, g->bases, g->nbases, g->empty, tag))
            changed[nc++] = g->heads[i];
    if (nc == 0) return CZ_OK;
    for (size_t i = 1; i < nc; i++) distinct += !seen_before(changed, i, tag);
    if ((rc = cz_body_copy_field(g->m->body, changed[0]->body, tag))) return rc;
    if (distinct == 1) return CZ_OK;
    struct cz_merge_conflict *c = new_conflict(g, tag);
    if (!c) return CZ_ENOMEM;
    for (size_t i = 0; i < nc; i++) {
        if (seen_before(changed, i, tag)) continue;
        cz_body *val = field_alone(changed[i]->body, tag);
        if (!val) return CZ_ENOMEM;
        conflict_add(c, changed[i], val);
    }
    return CZ_OK;
}

/* Every field of the bases and the live heads, merged onto the first
 * base; a deletion beside an edit is a conflict of its own (tag 0). */
static int merge_heads(struct merge *g)
{
    struct cz_merged *m = g->m;
    size_t nlive = 0;
    int rc;
    if (!(g->empty = cz_body_new())) return CZ_ENOMEM;
    const cz_body *bb = g->nbases && g->bases[0]->body ? g->bases[0]->body : g->empty;
    if (!(m->body = cz_body_clone(bb))) return CZ_ENOMEM;
    for (size_t b = 0; b < g->nbases; b++)
        if ((rc = add_tags(g, g->bases[b]->body))) return rc;
    for (size_t i = 0; i < g->nh; i++)
        if (!g->heads[i]->tombstone) {
            nlive++;
            if ((rc = add_tags(g, g->heads[i]->body))) return rc;
        }
    if (g->ntags) qsort(g->tags, g->ntags, sizeof *g->tags, cmp_u32);
    for (size_t ti = 0; ti < g->ntags; ti++)
        if ((rc = merge_field(g, g->tags[ti]))) return rc;
    if (nlive < g->nh && nlive > 0) {
        struct cz_merge_conflict *c = new_conflict(g, 0);
        if (!c) return CZ_ENOMEM;
        for (size_t i = 0; i < g->nh; i++) conflict_add(c, g->heads[i], NULL);
    }
    if (nlive == 0) { cz_body_free(m->body); m->body = NULL; }
    return CZ_OK;
}

int cz_merge_entity(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_merged *m)
{
    struct merge g = { .m = m };
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = load_heads(&g, t, entity))) goto cleanup;
    m->nheads = g.nh;
    m->deleted = g.heads[0]->tombstone;
    if (g.nh == 1) {
        if (!g.heads[0]->tombstone && !(m->body = cz_body_clone(g.heads[0]->body))) rc = CZ_ENOMEM;
        goto cleanup;
    }
    if ((rc = find_bases(&g))) goto cleanup;
    rc = merge_heads(&g);
cleanup:
    if (rc) cz_merged_free(m);
    cz_body_free(g.empty);
    free(g.tags);
    free(g.mark);
    cz_history_free(g.v, g.nv);
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
