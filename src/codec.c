/* codec.c — the canonical binary encoding of a record body (see codec.h).
 *
 * A body keeps its fields in an array sorted by tag, so encoding is a walk
 * over the array and decoding appends.  Every value is validated on the way
 * in (setters and decode alike), so a body in memory always encodes to a
 * byte string that cz_body_decode() accepts, and decode of those bytes gives
 * back an equal body.  The body also tracks the size its encoding will have,
 * so a setter can refuse a value that would push it over CZ_BODY_MAX.
 *
 * This file is the body in memory; its bytes (varints, encode, decode) are
 * codec_wire.c.  Text is checked for NFC with utf8proc directly, against
 * text.c's one list of refused code points. */
#include "codec.h"

#include "codec_int.h"
#include "grow.h"
#include "status.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- text rules --------------------------------------------------------- */

int cz_codec_check_text(const uint8_t *s, size_t n)
{
    size_t pos = 0;
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t m;
    int rc, stable = 1;

    if (n == 0)
        return CZ_EEMPTY;
    if (n > CZ_VALUE_MAX)
        return CZ_ETOOBIG;
    while (pos < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate(s + pos, (utf8proc_ssize_t)(n - pos), &cp);
        if (r <= 0)
            return CZ_EUTF8;
        /* C0, DEL, C1; bidi embeddings, overrides and isolates would let
         * record text reorder what a terminal shows around it ("Trojan
         * Source").  The one list is text.c's. */
        if (cz_text_cp_refused((uint32_t)cp))
            return CZ_ECONTROL;
        /* Text made only of code points NFC leaves alone whatever
         * surrounds them is NFC without asking utf8proc. */
        stable = stable && cz_text_cp_stable((uint32_t)cp);
        pos += (size_t)r;
    }
    if (stable)
        return CZ_OK;
    m = utf8proc_map(s, (utf8proc_ssize_t)n, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (m < 0) {
        rc = m == UTF8PROC_ERROR_NOMEM ? CZ_ENOMEM : CZ_EUTF8;
        goto cleanup;
    }
    rc = ((size_t)m == n && memcmp(nfc, s, n) == 0) ? CZ_OK : CZ_ENOTNFC;
cleanup:
    free(nfc);
    return rc;
}

/* Bytewise order: memcmp on the common prefix, then shorter first. */
int cz_codec_item_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static int item_qsort_cmp(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    return cz_codec_item_cmp((const uint8_t *)a->s, a->n, (const uint8_t *)b->s, b->n);
}

/* ---- fields --------------------------------------------------------------- */

void cz_codec_field_clear(struct field *f)
{
    size_t i;
    if (f->kind == CZ_KIND_TEXT || f->kind == CZ_KIND_BYTES) {
        free(f->val.buf.p);
    } else if (f->kind == CZ_KIND_LIST) {
        for (i = 0; i < f->val.list.n; i++)
            free(f->val.list.v[i].s);
        free(f->val.list.v);
    }
    memset(f, 0, sizeof *f);
}

static size_t value_enc(const struct field *f)
{
    size_t n = 0, i;
    switch (f->kind) {
    case CZ_KIND_UINT:  return varint_len(f->val.u);
    case CZ_KIND_SINT:  return varint_len(zigzag(f->val.i));
    case CZ_KIND_TEXT:
    case CZ_KIND_BYTES: return varint_len(f->val.buf.n) + f->val.buf.n;
    case CZ_KIND_LIST:
        n = varint_len(f->val.list.n);
        for (i = 0; i < f->val.list.n; i++)
            n += varint_len(f->val.list.v[i].n) + f->val.list.v[i].n;
        return n;
    default:            return 0;
    }
}

static void field_size(struct field *f)
{
    f->enc = varint_len(f->tag) + 1 + value_enc(f);
}

/* malloc'd copy of p[0..n) with a NUL after it. */
uint8_t *cz_codec_dup_nul(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n + 1);
    if (!c)
        return NULL;
    if (n)
        memcpy(c, p, n);
    c[n] = 0;
    return c;
}

static int field_copy(struct field *dst, const struct field *src)
{
    size_t i;
    int rc = CZ_OK;

    *dst = *src;
    if (src->kind == CZ_KIND_TEXT || src->kind == CZ_KIND_BYTES) {
        dst->val.buf.p = cz_codec_dup_nul(src->val.buf.p, src->val.buf.n);
        if (!dst->val.buf.p) {
            dst->kind = 0;
            return CZ_ENOMEM;
        }
    } else if (src->kind == CZ_KIND_LIST) {
        dst->val.list.v = calloc(src->val.list.n, sizeof *dst->val.list.v);
        if (!dst->val.list.v) {
            dst->kind = 0;
            return CZ_ENOMEM;
        }
        for (i = 0; i < src->val.list.n; i++) {
            const struct item *it = &src->val.list.v[i];
            dst->val.list.v[i].s = (char *)cz_codec_dup_nul((const uint8_t *)it->s, it->n);
            if (!dst->val.list.v[i].s) {
                rc = CZ_ENOMEM;
                goto cleanup;
            }
            dst->val.list.v[i].n = it->n;
        }
    }
cleanup:
    if (rc != CZ_OK)
        cz_codec_field_clear(dst);   /* calloc'd items past the failure are NULL */
    return rc;
}

/* ---- body ------------------------------------------------------------- */

cz_body *cz_body_new(void)
{
    return calloc(1, sizeof(cz_body));
}

void cz_body_free(cz_body *b)
{
    size_t i;
    if (!b)
        return;
    for (i = 0; i < b->n; i++)
        cz_codec_field_clear(&b->f[i]);
    free(b->f);
    free(b);
}

cz_body *cz_body_clone(const cz_body *b)
{
    cz_body *c;
    size_t i;

    if (!b)
        return NULL;
    c = cz_body_new();
    if (!c)
        return NULL;
    if (b->n) {
        c->f = calloc(b->n, sizeof *c->f);
        if (!c->f)
            goto fail;
        c->cap = b->n;
    }
    for (i = 0; i < b->n; i++) {
        if (field_copy(&c->f[i], &b->f[i]) != CZ_OK)
            goto fail;
        c->n++;
    }
    c->enc = b->enc;
    return c;
fail:
    cz_body_free(c);
    return NULL;
}

/* Index of tag, or where it would go; *found says which. */
static size_t find(const cz_body *b, uint32_t tag, int *found)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->f[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < b->n && b->f[lo].tag == tag;
    return lo;
}

static const struct field *lookup(const cz_body *b, uint32_t tag)
{
    int found;
    size_t i;
    if (!b)
        return NULL;
    i = find(b, tag, &found);
    return found ? &b->f[i] : NULL;
}

int cz_codec_reserve(cz_body *b, size_t want)
{
    return cz_grow(&b->f, &b->cap, want, sizeof *b->f);
}

/* Put a fully built field in place, taking ownership of its value.  On error
 * the body is unchanged and *f still owns its value. */
static int put(cz_body *b, struct field *f)
{
    int found, rc;
    size_t i, total;

    field_size(f);
    i = find(b, f->tag, &found);
    total = b->enc - (found ? b->f[i].enc : 0) + f->enc;
    if (total > CZ_BODY_MAX)
        return CZ_ETOOBIG;
    if (found) {
        cz_codec_field_clear(&b->f[i]);
    } else {
        rc = cz_codec_reserve(b, b->n + 1);
        if (rc != CZ_OK)
            return rc;
        memmove(&b->f[i + 1], &b->f[i], (b->n - i) * sizeof *b->f);
        b->n++;
    }
    b->f[i] = *f;
    b->enc = total;
    return CZ_OK;
}

int cz_body_set_uint(cz_body *b, uint32_t tag, uint64_t v)
{
    struct field f = { .tag = tag, .kind = CZ_KIND_UINT, .val.u = v };
    if (!b || tag == 0)
        return CZ_EINVAL;
    return put(b, &f);
}

int cz_body_set_sint(cz_body *b, uint32_t tag, int64_t v)
{
    struct field f = { .tag = tag, .kind = CZ_KIND_SINT, .val.i = v };
    if (!b || tag == 0)
        return CZ_EINVAL;
    return put(b, &f);
}

static int set_buf(cz_body *b, uint32_t tag, int kind, const uint8_t *p, size_t len)
{
    struct field f = { .tag = tag, .kind = kind };
    int rc;

    if (!b || tag == 0 || (!p && len > 0))
        return CZ_EINVAL;
    if (len == 0)
        return CZ_EEMPTY;
    if (len > CZ_VALUE_MAX)
        return CZ_ETOOBIG;
    if (kind == CZ_KIND_TEXT) {
        rc = cz_codec_check_text(p, len);
        if (rc != CZ_OK)
            return rc;
    }
    f.val.buf.p = cz_codec_dup_nul(p, len);
    if (!f.val.buf.p)
        return CZ_ENOMEM;
    f.val.buf.n = len;
    rc = put(b, &f);
    if (rc != CZ_OK)
        cz_codec_field_clear(&f);
    return rc;
}

int cz_body_set_text(cz_body *b, uint32_t tag, const char *s, size_t len)
{
    return set_buf(b, tag, CZ_KIND_TEXT, (const uint8_t *)s, len);
}

int cz_body_set_bytes(cz_body *b, uint32_t tag, const uint8_t *p, size_t len)
{
    return set_buf(b, tag, CZ_KIND_BYTES, p, len);
}

int cz_body_set_list(cz_body *b, uint32_t tag, const char *const *items,
                     const size_t *lens, size_t count)
{
    struct field f = { .tag = tag, .kind = CZ_KIND_LIST };
    struct item *v = NULL;     /* borrowed pointers, then sorted */
    size_t i, n = 0;
    int rc = CZ_OK;

    if (!b || tag == 0 || (count > 0 && (!items || !lens)))
        return CZ_EINVAL;
    if (count == 0)
        return CZ_EEMPTY;
    for (i = 0; i < count; i++) {
        if (!items[i] && lens[i] > 0)
            return CZ_EINVAL;
        rc = cz_codec_check_text((const uint8_t *)items[i], lens[i]);
        if (rc != CZ_OK)
            return rc;
    }
    if (count > SIZE_MAX / sizeof *v)
        return CZ_ENOMEM;
    v = malloc(count * sizeof *v);
    if (!v)
        return CZ_ENOMEM;
    for (i = 0; i < count; i++) {
        v[i].s = (char *)items[i];
        v[i].n = lens[i];
    }
    qsort(v, count, sizeof *v, item_qsort_cmp);
    for (i = 0; i < count; i++)         /* de-duplicate in place */
        if (n == 0 || item_qsort_cmp(&v[n - 1], &v[i]) != 0)
            v[n++] = v[i];
    if (n > CZ_LIST_MAX) {
        rc = CZ_ETOOBIG;
        goto cleanup;
    }
    /* Now own copies: f.val.list.v is calloc'd so field_clear is safe. */
    f.val.list.v = calloc(n, sizeof *f.val.list.v);
    if (!f.val.list.v) {
        rc = CZ_ENOMEM;
        goto cleanup;
    }
    f.val.list.n = n;
    for (i = 0; i < n; i++) {
        f.val.list.v[i].s = (char *)cz_codec_dup_nul((const uint8_t *)v[i].s, v[i].n);
        if (!f.val.list.v[i].s) {
            rc = CZ_ENOMEM;
            goto cleanup;
        }
        f.val.list.v[i].n = v[i].n;
    }
    rc = put(b, &f);
cleanup:
    if (rc != CZ_OK)
        cz_codec_field_clear(&f);
    free(v);
    return rc;
}

int cz_body_remove(cz_body *b, uint32_t tag)
{
    int found;
    size_t i;

    if (!b)
        return CZ_EINVAL;
    i = find(b, tag, &found);
    if (!found)
        return CZ_ENOTFOUND;
    b->enc -= b->f[i].enc;
    cz_codec_field_clear(&b->f[i]);
    memmove(&b->f[i], &b->f[i + 1], (b->n - i - 1) * sizeof *b->f);
    b->n--;
    return CZ_OK;
}

/* ---- inspection ----------------------------------------------------------- */

size_t cz_body_count(const cz_body *b)
{
    return b ? b->n : 0;
}

uint32_t cz_body_tag_at(const cz_body *b, size_t i)
{
    return b && i < b->n ? b->f[i].tag : 0;
}

int cz_body_kind(const cz_body *b, uint32_t tag)
{
    const struct field *f = lookup(b, tag);
    return f ? f->kind : 0;
}

/* Common start of every getter. */
static int get(const cz_body *b, uint32_t tag, int kind, const struct field **out)
{
    const struct field *f;
    if (!b)
        return CZ_EINVAL;
    f = lookup(b, tag);
    if (!f)
        return CZ_ENOTFOUND;
    if (f->kind != kind)
        return CZ_EKIND;
    *out = f;
    return CZ_OK;
}

int cz_body_get_uint(const cz_body *b, uint32_t tag, uint64_t *v)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_UINT, &f);
    if (rc == CZ_OK && v)
        *v = f->val.u;
    return rc;
}

int cz_body_get_sint(const cz_body *b, uint32_t tag, int64_t *v)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_SINT, &f);
    if (rc == CZ_OK && v)
        *v = f->val.i;
    return rc;
}

int cz_body_get_text(const cz_body *b, uint32_t tag, const char **s, size_t *len)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_TEXT, &f);
    if (rc != CZ_OK)
        return rc;
    if (s)
        *s = (const char *)f->val.buf.p;
    if (len)
        *len = f->val.buf.n;
    return CZ_OK;
}

int cz_body_get_bytes(const cz_body *b, uint32_t tag, const uint8_t **p, size_t *len)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_BYTES, &f);
    if (rc != CZ_OK)
        return rc;
    if (p)
        *p = f->val.buf.p;
    if (len)
        *len = f->val.buf.n;
    return CZ_OK;
}

int cz_body_get_list_count(const cz_body *b, uint32_t tag, size_t *count)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_LIST, &f);
    if (rc == CZ_OK && count)
        *count = f->val.list.n;
    return rc;
}

int cz_body_get_list_item(const cz_body *b, uint32_t tag, size_t i,
                          const char **s, size_t *len)
{
    const struct field *f = NULL;
    int rc = get(b, tag, CZ_KIND_LIST, &f);
    if (rc != CZ_OK)
        return rc;
    if (i >= f->val.list.n)
        return CZ_ENOTFOUND;
    if (s)
        *s = f->val.list.v[i].s;
    if (len)
        *len = f->val.list.v[i].n;
    return CZ_OK;
}

/* ---- comparison ----------------------------------------------------------- */

static int field_equal(const struct field *a, const struct field *b)
{
    size_t i;
    if (a->tag != b->tag || a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case CZ_KIND_UINT:  return a->val.u == b->val.u;
    case CZ_KIND_SINT:  return a->val.i == b->val.i;
    case CZ_KIND_TEXT:
    case CZ_KIND_BYTES:
        return a->val.buf.n == b->val.buf.n &&
               memcmp(a->val.buf.p, b->val.buf.p, a->val.buf.n) == 0;
    case CZ_KIND_LIST:
        if (a->val.list.n != b->val.list.n)
            return 0;
        for (i = 0; i < a->val.list.n; i++)
            if (item_qsort_cmp(&a->val.list.v[i], &b->val.list.v[i]) != 0)
                return 0;
        return 1;
    default:
        return 0;
    }
}

int cz_body_equal(const cz_body *a, const cz_body *b)
{
    size_t i;
    if (!a || !b)
        return a == b;
    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (!field_equal(&a->f[i], &b->f[i]))
            return 0;
    return 1;
}
