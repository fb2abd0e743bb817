/* vv.c — version vectors (vv.h). */
#include "vv.h"

#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "grow.h"
#include "status.h"

#define ORIGIN_BYTES 36   /* origin[32] u32 nranges */
#define RANGE_BYTES 48    /* u64 lo u64 hi id[32] */

static struct cz_vv_origin *vv_find(const struct cz_vv *v, const uint8_t origin[32], size_t *at)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(v->o[mid].origin, origin, 32);
        if (c == 0) { if (at) *at = mid; return &v->o[mid]; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    if (at) *at = lo;
    return NULL;
}

/* A new origin with no ranges, at its place in the sorted array. */
static int vv_insert_origin(struct cz_vv *v, size_t at, const uint8_t origin[32], struct cz_vv_origin **out)
{
    int rc = cz_grow(&v->o, &v->cap, v->n + 1, sizeof *v->o);
    if (rc) return rc;
    memmove(v->o + at + 1, v->o + at, (v->n - at) * sizeof *v->o);
    v->n++;
    *out = &v->o[at];
    **out = (struct cz_vv_origin){ .n = 0 };
    memcpy((*out)->origin, origin, 32);
    return CZ_OK;
}

/* seq just after range i: range i grows, and joins the next when it
 * touches it. */
static void vv_extend(struct cz_vv_origin *o, size_t i, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    o->r[i].hi = seq;
    memcpy(o->r[i].id, id, CZ_ID_BYTES);
    if (i + 1 < o->n && o->r[i + 1].lo == seq + 1) {
        o->r[i].hi = o->r[i + 1].hi;
        memcpy(o->r[i].id, o->r[i + 1].id, CZ_ID_BYTES);
        memmove(o->r + i + 1, o->r + i + 2, (o->n - i - 2) * sizeof *o->r);
        o->n--;
    }
}

int cz_vv_add(struct cz_vv *v, const uint8_t origin[32], uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    size_t at;
    struct cz_vv_origin *o = vv_find(v, origin, &at);
    int rc;
    if (seq == 0) return CZ_EINVAL;
    if (!o && (rc = vv_insert_origin(v, at, origin, &o))) return rc;
    /* Find the first range ending at or after seq - 1 (ranges are sorted). */
    size_t i = o->n;
    while (i > 0 && o->r[i - 1].hi + 1 >= seq) i--;
    if (i < o->n && o->r[i].lo <= seq && seq <= o->r[i].hi) return CZ_OK;
    if (i < o->n && o->r[i].hi + 1 == seq) {
        vv_extend(o, i, seq, id);
        return CZ_OK;
    }
    if (i < o->n && o->r[i].lo == seq + 1) { o->r[i].lo = seq; return CZ_OK; }
    if ((rc = cz_grow(&o->r, &o->cap, o->n + 1, sizeof *o->r))) return rc;
    memmove(o->r + i + 1, o->r + i, (o->n - i) * sizeof *o->r);
    o->n++;
    o->r[i].lo = o->r[i].hi = seq;
    memcpy(o->r[i].id, id, CZ_ID_BYTES);
    return CZ_OK;
}

int cz_vv_has(const struct cz_vv *v, const uint8_t origin[32], uint64_t seq)
{
    const struct cz_vv_origin *o = vv_find(v, origin, NULL);
    if (!o) return 0;
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (o->r[mid].hi < seq) lo = mid + 1;
        else if (o->r[mid].lo > seq) hi = mid;
        else return 1;
    }
    return 0;
}

/* Whether one range of a holds all of r: a's ranges are disjoint and not
 * adjacent, so one holds all of it or none does. */
static int origin_holds(const struct cz_vv_origin *a, const struct cz_vv_range *r)
{
    size_t l = 0, h = a->n;
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (a->r[mid].hi < r->lo) l = mid + 1;
        else if (a->r[mid].lo > r->lo) h = mid;
        else return r->hi <= a->r[mid].hi;
    }
    return 0;
}

int cz_vv_covers(const struct cz_vv *a, const struct cz_vv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct cz_vv_origin *o = &c->o[i], *ao = vv_find(a, o->origin, NULL);
        if (!ao) return 0;
        for (size_t k = 0; k < o->n; k++)
            if (!origin_holds(ao, &o->r[k])) return 0;
    }
    return 1;
}

int cz_vv_add_all(struct cz_vv *dst, const struct cz_vv *src)
{
    for (size_t i = 0; i < src->n; i++)
        for (size_t k = 0; k < src->o[i].n; k++)
            for (uint64_t s = src->o[i].r[k].lo; s <= src->o[i].r[k].hi && s; s++) {
                int rc = cz_vv_add(dst, src->o[i].origin, s, src->o[i].r[k].id);
                if (rc) return rc;
                if (s == UINT64_MAX) break;
            }
    return CZ_OK;
}

void cz_vv_free(struct cz_vv *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->o[i].r);
    free(v->o);
    *v = (struct cz_vv){ .n = 0 };
}

/* Room for `more` bytes after *len. */
static int buf_room(uint8_t **buf, size_t *len, size_t *cap, size_t more)
{
    if (more > SIZE_MAX - *len) return CZ_ENOMEM;
    return cz_grow(buf, cap, *len + more, 1);
}

/* How many origins a bounded encoding keeps: origins while ranges are
 * left (an origin needs one). */
static size_t bounded_origins(const struct cz_vv *v)
{
    size_t norigins = 0, left = CZ_VV_RANGES_MAX;
    for (size_t i = 0; i < v->n && norigins < CZ_VV_ORIGINS_MAX && left; i++, norigins++)
        left -= v->o[i].n < CZ_VV_ORIGIN_RANGES_MAX && v->o[i].n < left ? v->o[i].n
              : CZ_VV_ORIGIN_RANGES_MAX < left ? CZ_VV_ORIGIN_RANGES_MAX : left;
    return norigins;
}

static int encode_origin(const struct cz_vv_origin *o, size_t nr, uint8_t **buf, size_t *len, size_t *cap)
{
    if (nr > (SIZE_MAX - ORIGIN_BYTES) / RANGE_BYTES) return CZ_ENOMEM;
    int rc = buf_room(buf, len, cap, ORIGIN_BYTES + nr * RANGE_BYTES);
    if (rc) return rc;
    uint8_t *p = *buf + *len;
    memcpy(p, o->origin, 32);
    cz_put_be32(p + 32, (uint32_t)nr);
    p += ORIGIN_BYTES;
    for (size_t j = 0; j < nr; j++, p += RANGE_BYTES) {
        cz_put_be64(p, o->r[j].lo);
        cz_put_be64(p + 8, o->r[j].hi);
        memcpy(p + 16, o->r[j].id, 32);
    }
    *len += ORIGIN_BYTES + nr * RANGE_BYTES;
    return CZ_OK;
}

/* bounded: at most the CZ_VV_*_MAX a reader takes (vv.h). */
static int vv_encode(const struct cz_vv *v, int bounded, uint8_t **buf, size_t *len, size_t *cap)
{
    size_t norigins = bounded ? bounded_origins(v) : v->n, left = bounded ? CZ_VV_RANGES_MAX : SIZE_MAX;
    int rc = buf_room(buf, len, cap, 4);
    if (rc) return rc;
    cz_put_be32(*buf + *len, (uint32_t)norigins);
    *len += 4;
    for (size_t i = 0; i < norigins; i++) {
        size_t nr = v->o[i].n;
        if (bounded) {
            if (nr > CZ_VV_ORIGIN_RANGES_MAX) nr = CZ_VV_ORIGIN_RANGES_MAX;
            if (nr > left) nr = left;
            left -= nr;
        }
        if ((rc = encode_origin(&v->o[i], nr, buf, len, cap))) return rc;
    }
    return CZ_OK;
}

int cz_vv_encode(const struct cz_vv *v, uint8_t **buf, size_t *len, size_t *cap)
{
    return vv_encode(v, 1, buf, len, cap);
}

int cz_vv_encode_unbounded(const struct cz_vv *v, uint8_t **buf, size_t *len, size_t *cap)
{
    return vv_encode(v, 0, buf, len, cap);
}

/* The decoder's place: the origin and range last read (v may be NULL:
 * checks only, nothing kept), and the ranges read so far. */
struct vv_dec {
    struct cz_byte_src *s;
    struct cz_vv *v;                  /* NULL: nothing kept */
    uint8_t prev_origin[32];
    size_t total;
};

/* The ranges of one origin, o NULL when nothing is kept.  Memory grows
 * with the ranges actually read, never with the count the bundle claims. */
static int decode_ranges(struct vv_dec *d, struct cz_vv_origin *o, uint32_t nr)
{
    uint64_t prev_hi = 0;
    const uint8_t *p;
    int rc;
    for (uint32_t j = 0; j < nr; j++) {
        struct cz_vv_range r;
        if ((rc = d->s->take(d->s->ctx, RANGE_BYTES, &p))) return rc;
        r.lo = cz_get_be64(p);
        r.hi = cz_get_be64(p + 8);
        memcpy(r.id, p + 16, 32);
        /* Sorted, disjoint and not adjacent: one encoding per vector.  A
         * range ending at the last seq must be the last (prev_hi + 1 would
         * wrap to 0 and let an earlier range through). */
        if (r.lo == 0 || r.hi < r.lo || (j && (prev_hi == UINT64_MAX || r.lo <= prev_hi + 1))) return CZ_ECANON;
        prev_hi = r.hi;
        if (!o) continue;
        if ((rc = cz_grow(&o->r, &o->cap, o->n + 1, sizeof *o->r))) return rc;
        o->r[o->n++] = r;
    }
    return CZ_OK;
}

static int decode_origin(struct vv_dec *d, uint32_t i)
{
    struct cz_vv_origin *o = NULL;
    const uint8_t *p;
    int rc;
    if (d->s->left(d->s->ctx) < ORIGIN_BYTES) return CZ_ETRUNC;
    if ((rc = d->s->take(d->s->ctx, ORIGIN_BYTES, &p))) return rc;
    uint32_t nr = cz_get_be32(p + 32);
    if (i && memcmp(d->prev_origin, p, 32) >= 0) return CZ_ECANON;
    memcpy(d->prev_origin, p, 32);
    if (nr == 0) return CZ_ECANON;
    if (nr > d->s->left(d->s->ctx) / RANGE_BYTES) return CZ_ETRUNC;
    if (nr > CZ_VV_ORIGIN_RANGES_MAX || nr > CZ_VV_RANGES_MAX - d->total) return CZ_ETOOBIG;
    d->total += nr;
    if (d->v) {
        if ((rc = cz_grow(&d->v->o, &d->v->cap, d->v->n + 1, sizeof *d->v->o))) return rc;
        o = &d->v->o[d->v->n++];
        *o = (struct cz_vv_origin){ .n = 0 };
        memcpy(o->origin, d->prev_origin, 32);
    }
    return decode_ranges(d, o, nr);
}

int cz_vv_decode_src(struct cz_byte_src *s, struct cz_vv *v)
{
    struct vv_dec d = { .s = s, .v = v };
    const uint8_t *p;
    int rc;
    if (v) *v = (struct cz_vv){ .n = 0 };
    if (s->left(s->ctx) < 4) return CZ_ETRUNC;
    if ((rc = s->take(s->ctx, 4, &p))) return rc;
    uint32_t n = cz_get_be32(p);
    if (n > s->left(s->ctx) / ORIGIN_BYTES) return CZ_ETRUNC;
    if (n > CZ_VV_ORIGINS_MAX) return CZ_ETOOBIG;
    for (uint32_t i = 0; i < n; i++)
        if ((rc = decode_origin(&d, i))) {
            if (v) cz_vv_free(v);
            return rc;
        }
    return CZ_OK;
}

static int buf_take(void *ctx, size_t n, const uint8_t **p)
{
    struct cz_buf_src *b = ctx;
    if (b->len - *b->pos < n) return CZ_ETRUNC;
    *p = b->buf + *b->pos;
    *b->pos += n;
    return CZ_OK;
}

static uint64_t buf_left(void *ctx)
{
    struct cz_buf_src *b = ctx;
    return b->len - *b->pos;
}

void cz_byte_src_buf(struct cz_byte_src *s, struct cz_buf_src *b, const uint8_t *buf, size_t len, size_t *pos)
{
    *b = (struct cz_buf_src){ .buf = buf, .len = len, .pos = pos };
    *s = (struct cz_byte_src){ .take = buf_take, .left = buf_left, .ctx = b };
}

int cz_vv_decode(const uint8_t *buf, size_t len, size_t *pos, struct cz_vv *v)
{
    struct cz_buf_src b;
    struct cz_byte_src s;
    if (*pos > len) return CZ_ETRUNC;
    cz_byte_src_buf(&s, &b, buf, len, pos);
    return cz_vv_decode_src(&s, v);
}
