/* payload.c — the plaintext inside a bundle: head and entry stream
 * (payload.h). */
#include "payload.h"

#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "grow.h"
#include "status.h"

/* Entries read ahead of the copy in cz_payload_out_fill: they lie in the
 * store's pages in no order the processor can guess, and each would
 * otherwise wait for memory. */
#define FILL_AHEAD 8
/* Bytes of an over-long entry skipped at a time. */
#define SKIP_STEP 65536

/* ---- writing ---- */

int cz_payload_head_put(uint8_t kind, const struct cz_vv *vv, uint32_t count, uint8_t **buf, size_t *len,
                        size_t *cap, size_t *count_at)
{
    int rc = cz_grow(buf, cap, *len + CZ_PAYLOAD_VV_AT, 1);
    if (rc) return rc;
    memcpy(*buf + *len, "CZP", 3);
    (*buf)[*len + 3] = CZ_PAYLOAD_VERSION;
    (*buf)[*len + 4] = kind;
    *len += CZ_PAYLOAD_VV_AT;
    if ((rc = cz_vv_encode(vv, buf, len, cap))) return rc;
    if ((rc = cz_grow(buf, cap, *len + 4, 1))) return rc;
    if (count_at) *count_at = *len;
    cz_put_be32(*buf + *len, count);
    *len += 4;
    return CZ_OK;
}

int cz_payload_start(struct cz_payload_writer *w, uint8_t kind, const struct cz_vv *vv)
{
    *w = (struct cz_payload_writer){ .buf = NULL };
    return cz_payload_head_put(kind, vv, 0, &w->buf, &w->len, &w->cap, &w->count_at);
}

int cz_payload_add(struct cz_payload_writer *w, const uint8_t *entry, size_t len)
{
    if (len > UINT32_MAX || w->count == UINT32_MAX) return CZ_ETOOBIG;
    if (len > SIZE_MAX - 4 - w->len) return CZ_ENOMEM;
    int rc = cz_grow(&w->buf, &w->cap, w->len + 4 + len, 1);
    if (rc) return rc;
    cz_put_be32(w->buf + w->len, (uint32_t)len);
    memcpy(w->buf + w->len + 4, entry, len);
    w->len += 4 + len;
    w->count++;
    return CZ_OK;
}

void cz_payload_finish(struct cz_payload_writer *w)
{
    cz_put_be32(w->buf + w->count_at, w->count);
}

/* ---- piecewise output ---- */

void cz_payload_out_init(struct cz_payload_out *o, const uint8_t *head, size_t head_len,
                         const struct cz_payload_item *items, size_t n)
{
    /* i SIZE_MAX: still in the head */
    *o = (struct cz_payload_out){ .head = head, .head_len = head_len, .items = items, .n = n, .i = SIZE_MAX };
}

static void out_ahead(const struct cz_payload_out *o, size_t i)
{
    if (i >= o->n) return;
    const struct cz_payload_item *it = &o->items[i];
    for (uint32_t at = 0; at < it->len; at += 64) __builtin_prefetch(it->p + at);
}

static void out_next(struct cz_payload_out *o)
{
    if (++o->i % 256 == 0 && o->tick) o->tick(o->tick_ctx, o->i, o->n);
}

/* Whole items while they fit (most of the time); the bytes left in *want. */
static void out_whole(struct cz_payload_out *o, uint8_t **buf, size_t *want)
{
    while (o->i < o->n && 4 + (size_t)o->items[o->i].len <= *want) {
        const struct cz_payload_item *it = &o->items[o->i];
        out_ahead(o, o->i + FILL_AHEAD);
        cz_put_be32(*buf, it->len);
        memcpy(*buf + 4, it->p, it->len);
        *buf += 4 + (size_t)it->len;
        *want -= 4 + (size_t)it->len;
        out_next(o);
    }
}

/* What is left of the current piece (head, an item's length, its bytes). */
static int out_piece(struct cz_payload_out *o, uint8_t lenbuf[4], const uint8_t **src, size_t *avail)
{
    if (o->i == SIZE_MAX) {
        *src = o->head + o->pos;
        *avail = o->head_len - o->pos;
        return CZ_OK;
    }
    if (o->i >= o->n) return CZ_EINVAL;   /* longer than counted */
    const struct cz_payload_item *it = &o->items[o->i];
    if (o->pos < 4) {
        cz_put_be32(lenbuf, it->len);
        *src = lenbuf + o->pos;
        *avail = 4 - o->pos;
    } else {
        *src = it->p + (o->pos - 4);
        *avail = it->len - (o->pos - 4);
    }
    return CZ_OK;
}

int cz_payload_out_fill(struct cz_payload_out *o, uint8_t *buf, size_t want)
{
    while (want) {
        if (o->i != SIZE_MAX && o->pos == 0) {
            out_whole(o, &buf, &want);
            if (!want) break;
        }
        const uint8_t *src;
        size_t avail;
        uint8_t lenbuf[4];
        int rc = out_piece(o, lenbuf, &src, &avail);
        if (rc) return rc;
        if (o->i == SIZE_MAX && !avail) { o->i = 0; o->pos = 0; continue; }
        size_t n = avail < want ? avail : want;
        memcpy(buf, src, n);
        buf += n;
        want -= n;
        o->pos += n;
        if (o->i != SIZE_MAX && o->pos == 4 + (size_t)o->items[o->i].len) {
            o->pos = 0;
            out_next(o);
        }
    }
    return CZ_OK;
}

/* ---- the streaming reader ---- */

static int in_take(struct cz_payload_in *in, size_t n, const uint8_t **p)
{
    if (in->src->left(in->src->ctx) < n) return CZ_ETRUNC;
    return in->src->take(in->src->ctx, n, p);
}

int cz_payload_in_head(struct cz_payload_in *in, struct cz_byte_src *src, int bounded, struct cz_vv *vv)
{
    const uint8_t *p;
    int rc;
    *in = (struct cz_payload_in){ .src = src, .bounded = bounded };
    if ((rc = in_take(in, CZ_PAYLOAD_VV_AT, &p))) return rc;
    if (memcmp(p, "CZP", 3)) return CZ_EMAGIC;
    if (p[3] != CZ_PAYLOAD_VERSION) return p[3] < CZ_PAYLOAD_VERSION ? CZ_EOLDFORMAT : CZ_EVERSION;
    in->kind = p[4];
    if (in->kind != CZ_PAYLOAD_SYNC && in->kind != CZ_PAYLOAD_BACKUP) return CZ_EVERSION;
    if ((rc = cz_vv_decode_src(src, vv))) return rc;
    if ((rc = in_take(in, 4, &p)) == CZ_OK) {
        in->n = cz_get_be32(p);
        if (in->n > src->left(src->ctx) / 4) rc = CZ_ETRUNC;
    }
    if (rc && vv) cz_vv_free(vv);
    return rc;
}

/* An entry too long to hold: its first CZ_PAYLOAD_ENTRY_MAX bytes say
 * what is wrong with it (the whole has trailing bytes at least), the rest
 * is skipped. */
static int in_skip_long(struct cz_payload_in *in, size_t len, int *bad)
{
    const uint8_t *q;
    struct cz_entry e;
    int rc = in_take(in, CZ_PAYLOAD_ENTRY_MAX, &q);
    if (rc) return rc;
    int why = cz_entry_parse(q, CZ_PAYLOAD_ENTRY_MAX, &e);
    *bad = why == CZ_OK || why == CZ_ETRUNC ? CZ_ECANON : why;
    for (size_t left = len - CZ_PAYLOAD_ENTRY_MAX; left;) {
        size_t k = left < SKIP_STEP ? left : SKIP_STEP;
        if ((rc = in_take(in, k, &q))) return rc;
        left -= k;
    }
    return CZ_OK;
}

int cz_payload_in_next(struct cz_payload_in *in, const uint8_t **p, size_t *len, int *bad)
{
    const uint8_t *q;
    int rc;
    *bad = CZ_OK;
    if ((rc = in_take(in, 4, &q))) return rc;
    uint32_t l = cz_get_be32(q);
    if (l > in->src->left(in->src->ctx)) return CZ_ETRUNC;
    *len = l;
    if (!in->bounded || l <= CZ_PAYLOAD_ENTRY_MAX) return in_take(in, l, p);
    *p = NULL;
    return in_skip_long(in, l, bad);
}

int cz_payload_in_end(struct cz_payload_in *in)
{
    return in->src->left(in->src->ctx) ? CZ_ETRAILING : CZ_OK;
}

/* ---- a whole payload ---- */

int cz_payload_decode(const uint8_t *buf, size_t len, struct cz_payload *p)
{
    struct cz_payload_in in;
    struct cz_buf_src b;
    struct cz_byte_src s;
    size_t pos = 0;
    int bad, rc;
    *p = (struct cz_payload){ .n = 0 };
    cz_byte_src_buf(&s, &b, buf, len, &pos);
    if ((rc = cz_payload_in_head(&in, &s, 0, &p->vv))) return rc;
    p->kind = in.kind;
    p->entry = calloc(in.n ? in.n : 1, sizeof *p->entry);
    p->entry_len = calloc(in.n ? in.n : 1, sizeof *p->entry_len);
    if (!p->entry || !p->entry_len) { rc = CZ_ENOMEM; goto fail; }
    for (uint32_t i = 0; i < in.n; i++)
        if ((rc = cz_payload_in_next(&in, &p->entry[i], &p->entry_len[i], &bad))) goto fail;
    p->n = in.n;
    if ((rc = cz_payload_in_end(&in))) goto fail;
    return CZ_OK;
fail:
    cz_payload_free(p);
    return rc;
}

void cz_payload_free(struct cz_payload *p)
{
    cz_vv_free(&p->vv);
    free(p->entry);
    free(p->entry_len);
    *p = (struct cz_payload){ .n = 0 };
}
