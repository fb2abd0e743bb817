#include "codec.h"
#include "status.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* One field.  Text, bytes and list values are kept in one malloc'd buffer:
 * TEXT/BYTES as the bytes plus a NUL; LIST as items each NUL-terminated,
 * with item offsets alongside. */
struct field {
    uint32_t tag;
    uint8_t kind;
    uint64_t u;            /* UINT; SINT as zigzag */
    char *data;
    size_t len;            /* TEXT/BYTES length */
    size_t count;          /* LIST items */
    size_t *offs, *lens;   /* LIST item offsets and lengths into data */
};

struct cz_body {
    struct field *f;       /* sorted by tag */
    size_t n, cap;
};

static void field_clear(struct field *f)
{
    free(f->data);
    free(f->offs);
    free(f->lens);
    memset(f, 0, sizeof *f);
}

cz_body *cz_body_new(void) { return calloc(1, sizeof(cz_body)); }

void cz_body_free(cz_body *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) field_clear(&b->f[i]);
    free(b->f);
    free(b);
}

static int field_copy(struct field *dst, const struct field *src)
{
    *dst = *src;
    dst->data = NULL; dst->offs = dst->lens = NULL;
    if (src->kind == CZ_KIND_TEXT || src->kind == CZ_KIND_BYTES) {
        if (!(dst->data = malloc(src->len + 1))) return CZ_ENOMEM;
        memcpy(dst->data, src->data, src->len + 1);
    } else if (src->kind == CZ_KIND_LIST) {
        size_t total = src->offs[src->count - 1] + src->lens[src->count - 1] + 1;
        dst->data = malloc(total);
        dst->offs = malloc(src->count * sizeof *dst->offs);
        dst->lens = malloc(src->count * sizeof *dst->lens);
        if (!dst->data || !dst->offs || !dst->lens) return CZ_ENOMEM;
        memcpy(dst->data, src->data, total);
        memcpy(dst->offs, src->offs, src->count * sizeof *dst->offs);
        memcpy(dst->lens, src->lens, src->count * sizeof *dst->lens);
    }
    return CZ_OK;
}

cz_body *cz_body_clone(const cz_body *b)
{
    cz_body *c = cz_body_new();
    if (!c) return NULL;
    if (b->n) {
        c->f = calloc(b->n, sizeof *c->f);
        if (!c->f) { free(c); return NULL; }
        c->cap = b->n;
    }
    for (size_t i = 0; i < b->n; i++) {
        c->n = i + 1;
        if (field_copy(&c->f[i], &b->f[i])) { cz_body_free(c); return NULL; }
    }
    return c;
}

/* Index of tag, or where it would go (with *found = 0). */
static size_t find(const cz_body *b, uint32_t tag, int *found)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->f[mid].tag < tag) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < b->n && b->f[lo].tag == tag;
    return lo;
}

/* Takes ownership of nf's buffers whatever happens. */
static int put(cz_body *b, struct field *nf)
{
    int found;
    size_t i = find(b, nf->tag, &found);
    if (found) {
        field_clear(&b->f[i]);
        b->f[i] = *nf;
        return CZ_OK;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8;
        struct field *g = realloc(b->f, cap * sizeof *g);
        if (!g) { field_clear(nf); return CZ_ENOMEM; }
        b->f = g;
        b->cap = cap;
    }
    memmove(b->f + i + 1, b->f + i, (b->n - i) * sizeof *b->f);
    b->f[i] = *nf;
    b->n++;
    return CZ_OK;
}

static int text_ok(const char *s, size_t len)
{
    if (len == 0) return CZ_EEMPTY;
    if (len > CZ_VALUE_MAX) return CZ_ETOOBIG;
    if (memchr(s, 0, len)) return CZ_ECONTROL;
    if (!cz_utf8_valid(s, len)) return CZ_EUTF8;
    int rc = cz_text_check_controls(s, len);
    if (rc) return rc;
    if (!cz_text_is_nfc(s, len)) return CZ_ENOTNFC;
    return CZ_OK;
}

int cz_body_set_uint(cz_body *b, uint32_t tag, uint64_t v)
{
    if (tag == 0) return CZ_EINVAL;
    struct field f = { .tag = tag, .kind = CZ_KIND_UINT, .u = v };
    return put(b, &f);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

int cz_body_set_sint(cz_body *b, uint32_t tag, int64_t v)
{
    if (tag == 0) return CZ_EINVAL;
    struct field f = { .tag = tag, .kind = CZ_KIND_SINT, .u = zigzag(v) };
    return put(b, &f);
}

static int set_buf(cz_body *b, uint32_t tag, uint8_t kind, const void *p, size_t len)
{
    struct field f = { .tag = tag, .kind = kind, .len = len };
    if (!(f.data = malloc(len + 1))) return CZ_ENOMEM;
    memcpy(f.data, p, len);
    f.data[len] = 0;
    return put(b, &f);
}

int cz_body_set_text(cz_body *b, uint32_t tag, const char *s, size_t len)
{
    if (tag == 0) return CZ_EINVAL;
    int rc = text_ok(s, len);
    return rc ? rc : set_buf(b, tag, CZ_KIND_TEXT, s, len);
}

int cz_body_set_bytes(cz_body *b, uint32_t tag, const uint8_t *p, size_t len)
{
    if (tag == 0) return CZ_EINVAL;
    if (len == 0) return CZ_EEMPTY;
    if (len > CZ_VALUE_MAX) return CZ_ETOOBIG;
    return set_buf(b, tag, CZ_KIND_BYTES, p, len);
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

struct item { const char *s; size_t len; };

static int item_cmp(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    return bytes_cmp(a->s, a->len, b->s, b->len);
}

/* Builds a LIST field from items already in strictly increasing order. */
static int list_field(uint32_t tag, const struct item *it, size_t n, struct field *f)
{
    size_t total = 0;
    memset(f, 0, sizeof *f);
    f->tag = tag;
    f->kind = CZ_KIND_LIST;
    for (size_t i = 0; i < n; i++) total += it[i].len + 1;
    f->data = malloc(total);
    f->offs = malloc(n * sizeof *f->offs);
    f->lens = malloc(n * sizeof *f->lens);
    if (!f->data || !f->offs || !f->lens) { field_clear(f); return CZ_ENOMEM; }
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(f->data + pos, it[i].s, it[i].len);
        f->data[pos + it[i].len] = 0;
        f->offs[i] = pos;
        f->lens[i] = it[i].len;
        pos += it[i].len + 1;
    }
    f->count = n;
    return CZ_OK;
}

int cz_body_set_list(cz_body *b, uint32_t tag, const char *const *items, const size_t *lens, size_t count)
{
    if (tag == 0) return CZ_EINVAL;
    if (count == 0) return CZ_EEMPTY;
    if (count > CZ_LIST_MAX) return CZ_ETOOBIG;
    struct item *it = malloc(count * sizeof *it);
    if (!it) return CZ_ENOMEM;
    int rc = CZ_OK;
    for (size_t i = 0; i < count && rc == CZ_OK; i++) {
        it[i].s = items[i];
        it[i].len = lens[i];
        rc = text_ok(items[i], lens[i]);
    }
    if (rc) { free(it); return rc; }
    qsort(it, count, sizeof *it, item_cmp);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (n == 0 || item_cmp(&it[n - 1], &it[i]) != 0) it[n++] = it[i];
    struct field f;
    rc = list_field(tag, it, n, &f);
    free(it);
    return rc ? rc : put(b, &f);
}

int cz_body_remove(cz_body *b, uint32_t tag)
{
    int found;
    size_t i = find(b, tag, &found);
    if (!found) return CZ_ENOTFOUND;
    field_clear(&b->f[i]);
    memmove(b->f + i, b->f + i + 1, (b->n - i - 1) * sizeof *b->f);
    b->n--;
    return CZ_OK;
}

size_t cz_body_count(const cz_body *b) { return b->n; }
uint32_t cz_body_tag_at(const cz_body *b, size_t i) { return i < b->n ? b->f[i].tag : 0; }

static const struct field *get(const cz_body *b, uint32_t tag)
{
    int found;
    size_t i = find(b, tag, &found);
    return found ? &b->f[i] : NULL;
}

int cz_body_kind(const cz_body *b, uint32_t tag)
{
    const struct field *f = get(b, tag);
    return f ? f->kind : 0;
}

static int get_kind(const cz_body *b, uint32_t tag, uint8_t kind, const struct field **out)
{
    const struct field *f = get(b, tag);
    if (!f) return CZ_ENOTFOUND;
    if (f->kind != kind) return CZ_EKIND;
    *out = f;
    return CZ_OK;
}

int cz_body_get_uint(const cz_body *b, uint32_t tag, uint64_t *v)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_UINT, &f);
    if (rc == CZ_OK) *v = f->u;
    return rc;
}

int cz_body_get_sint(const cz_body *b, uint32_t tag, int64_t *v)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_SINT, &f);
    if (rc == CZ_OK) *v = unzigzag(f->u);
    return rc;
}

int cz_body_get_text(const cz_body *b, uint32_t tag, const char **s, size_t *len)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_TEXT, &f);
    if (rc == CZ_OK) { *s = f->data; *len = f->len; }
    return rc;
}

int cz_body_get_bytes(const cz_body *b, uint32_t tag, const uint8_t **p, size_t *len)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_BYTES, &f);
    if (rc == CZ_OK) { *p = (const uint8_t *)f->data; *len = f->len; }
    return rc;
}

int cz_body_get_list_count(const cz_body *b, uint32_t tag, size_t *count)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_LIST, &f);
    if (rc == CZ_OK) *count = f->count;
    return rc;
}

int cz_body_get_list_item(const cz_body *b, uint32_t tag, size_t i, const char **s, size_t *len)
{
    const struct field *f;
    int rc = get_kind(b, tag, CZ_KIND_LIST, &f);
    if (rc) return rc;
    if (i >= f->count) return CZ_ENOTFOUND;
    *s = f->data + f->offs[i];
    *len = f->lens[i];
    return CZ_OK;
}

size_t cz_varint_put(uint8_t out[10], uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        out[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    return n;
}

int cz_varint_get(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    size_t p = *pos;
    for (int i = 0; i < 10; i++) {
        if (p >= len) return CZ_ETRUNC;
        uint8_t byte = buf[p++];
        uint64_t part = byte & 0x7f;
        if (i == 9 && (byte & 0xfe)) return CZ_ECANON;   /* beyond 64 bits */
        r |= part << (7 * i);
        if (!(byte & 0x80)) {
            if (byte == 0 && i > 0) return CZ_ECANON;     /* non-minimal */
            *v = r;
            *pos = p;
            return CZ_OK;
        }
    }
    return CZ_ECANON;
}

/* Growable output buffer. */
struct out { uint8_t *p; size_t len, cap; int rc; };

static void out_put(struct out *o, const void *src, size_t n)
{
    if (o->rc) return;
    if (o->len + n > CZ_BODY_MAX) { o->rc = CZ_ETOOBIG; return; }
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->len + n) cap *= 2;
        uint8_t *g = realloc(o->p, cap);
        if (!g) { o->rc = CZ_ENOMEM; return; }
        o->p = g;
        o->cap = cap;
    }
    memcpy(o->p + o->len, src, n);
    o->len += n;
}

static void out_varint(struct out *o, uint64_t v)
{
    uint8_t b[10];
    out_put(o, b, cz_varint_put(b, v));
}

int cz_body_encode(const cz_body *b, uint8_t **out, size_t *outlen)
{
    struct out o = { NULL, 0, 0, CZ_OK };
    for (size_t i = 0; i < b->n; i++) {
        const struct field *f = &b->f[i];
        out_varint(&o, f->tag);
        out_put(&o, &f->kind, 1);
        switch (f->kind) {
        case CZ_KIND_UINT:
        case CZ_KIND_SINT:
            out_varint(&o, f->u);
            break;
        case CZ_KIND_TEXT:
        case CZ_KIND_BYTES:
            out_varint(&o, f->len);
            out_put(&o, f->data, f->len);
            break;
        case CZ_KIND_LIST:
            out_varint(&o, f->count);
            for (size_t j = 0; j < f->count; j++) {
                out_varint(&o, f->lens[j]);
                out_put(&o, f->data + f->offs[j], f->lens[j]);
            }
            break;
        }
    }
    if (o.rc) { free(o.p); *out = NULL; return o.rc; }
    *out = o.p;
    *outlen = o.len;
    return CZ_OK;
}

/* Reads a length and checks it against what is left, before any allocation. */
static int get_len(const uint8_t *buf, size_t len, size_t *pos, size_t max, size_t *n)
{
    uint64_t v;
    int rc = cz_varint_get(buf, len, pos, &v);
    if (rc) return rc;
    if (v > max) return CZ_ETOOBIG;
    if (v > len - *pos) return CZ_ETRUNC;
    *n = (size_t)v;
    return CZ_OK;
}

int cz_body_decode(const uint8_t *buf, size_t len, cz_body **out)
{
    cz_body *b = NULL;
    size_t pos = 0;
    uint64_t last_tag = 0;
    struct item *items = NULL;
    int rc = CZ_OK;

    *out = NULL;
    if (len > CZ_BODY_MAX) return CZ_ETOOBIG;
    if (!(b = cz_body_new())) return CZ_ENOMEM;
    while (pos < len) {
        uint64_t tag, v;
        size_t n;
        if ((rc = cz_varint_get(buf, len, &pos, &tag))) goto fail;
        if (tag == 0 || tag > UINT32_MAX || tag <= last_tag) { rc = CZ_ECANON; goto fail; }
        last_tag = tag;
        if (pos >= len) { rc = CZ_ETRUNC; goto fail; }
        uint8_t kind = buf[pos++];
        switch (kind) {
        case CZ_KIND_UINT:
        case CZ_KIND_SINT: {
            if ((rc = cz_varint_get(buf, len, &pos, &v))) goto fail;
            struct field f = { .tag = (uint32_t)tag, .kind = kind, .u = v };
            rc = put(b, &f);
            break;
        }
        case CZ_KIND_TEXT:
        case CZ_KIND_BYTES:
            if ((rc = get_len(buf, len, &pos, CZ_VALUE_MAX, &n))) goto fail;
            if (n == 0) { rc = CZ_ECANON; goto fail; }
            if (kind == CZ_KIND_TEXT && (rc = text_ok((const char *)buf + pos, n))) goto fail;
            rc = set_buf(b, (uint32_t)tag, kind, buf + pos, n);
            pos += n;
            break;
        case CZ_KIND_LIST: {
            size_t count;
            if ((rc = get_len(buf, len, &pos, CZ_LIST_MAX, &count))) goto fail;
            /* Each item takes at least two bytes: bounds count by what is left. */
            if (count == 0) { rc = CZ_ECANON; goto fail; }
            if (count > (len - pos) / 2) { rc = CZ_ETRUNC; goto fail; }
            items = malloc(count * sizeof *items);
            if (!items) { rc = CZ_ENOMEM; goto fail; }
            for (size_t i = 0; i < count; i++) {
                if ((rc = get_len(buf, len, &pos, CZ_VALUE_MAX, &n))) goto fail;
                if (n == 0) { rc = CZ_ECANON; goto fail; }
                if ((rc = text_ok((const char *)buf + pos, n))) goto fail;
                items[i].s = (const char *)buf + pos;
                items[i].len = n;
                if (i && item_cmp(&items[i - 1], &items[i]) >= 0) { rc = CZ_ECANON; goto fail; }
                pos += n;
            }
            struct field f;
            rc = list_field((uint32_t)tag, items, count, &f);
            if (rc == CZ_OK) rc = put(b, &f);
            free(items);
            items = NULL;
            break;
        }
        default:
            rc = CZ_EKIND;
        }
        if (rc) goto fail;
    }
    *out = b;
    return CZ_OK;
fail:
    free(items);
    cz_body_free(b);
    return rc;
}

int cz_body_equal(const cz_body *a, const cz_body *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct field *x = &a->f[i], *y = &b->f[i];
        if (x->tag != y->tag || x->kind != y->kind) return 0;
        switch (x->kind) {
        case CZ_KIND_UINT:
        case CZ_KIND_SINT:
            if (x->u != y->u) return 0;
            break;
        case CZ_KIND_TEXT:
        case CZ_KIND_BYTES:
            if (x->len != y->len || memcmp(x->data, y->data, x->len)) return 0;
            break;
        case CZ_KIND_LIST:
            if (x->count != y->count) return 0;
            for (size_t j = 0; j < x->count; j++)
                if (bytes_cmp(x->data + x->offs[j], x->lens[j], y->data + y->offs[j], y->lens[j])) return 0;
            break;
        }
    }
    return 1;
}
