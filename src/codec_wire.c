/* codec_wire.c — a body's bytes (codec.h): varints, encoding, and
 * decoding that refuses anything but the one canonical form.  The body in
 * memory is codec.c. */
#include "codec.h"

#include "codec_int.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* ---- varints ---------------------------------------------------------- */

size_t cz_varint_put(uint8_t out[10], uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int cz_varint_get(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    size_t p, i;

    if (!pos || !v || (!buf && len > 0))
        return CZ_EINVAL;
    p = *pos;
    for (i = 0; i < 10; i++) {
        uint8_t c;
        if (p >= len)
            return CZ_ETRUNC;
        c = buf[p++];
        if (i == 9 && c > 0x01)     /* an 11th byte, or bits past 64 */
            return CZ_ECANON;
        r |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            if (c == 0 && i > 0)    /* trailing zero group: not minimal */
                return CZ_ECANON;
            *v = r;
            *pos = p;
            return CZ_OK;
        }
    }
    return CZ_ECANON;   /* not reached: the 10th byte either ends or fails */
}

/* ---- encode ------------------------------------------------------------- */

static size_t put_bytes(uint8_t *out, const void *p, size_t n)
{
    size_t h = cz_varint_put(out, n);
    memcpy(out + h, p, n);
    return h + n;
}

size_t cz_body_encoded_size(const cz_body *b)
{
    size_t total = 0;
    for (size_t i = 0; b && i < b->n; i++)
        total += b->f[i].enc;
    return total;
}

int cz_body_encode_into(const cz_body *b, uint8_t *buf, size_t size, size_t *outlen)
{
    size_t total, pos = 0, i, j;

    if (!b || !outlen)
        return CZ_EINVAL;
    *outlen = 0;
    total = cz_body_encoded_size(b);
    if (total > CZ_BODY_MAX)
        return CZ_ETOOBIG;          /* cannot happen: setters refuse first */
    if (total > size)
        return CZ_ERANGE;
    for (i = 0; i < b->n; i++) {
        const struct field *f = &b->f[i];
        pos += cz_varint_put(buf + pos, f->tag);
        buf[pos++] = (uint8_t)f->kind;
        switch (f->kind) {
        case CZ_KIND_UINT:
            pos += cz_varint_put(buf + pos, f->val.u);
            break;
        case CZ_KIND_SINT:
            pos += cz_varint_put(buf + pos, zigzag(f->val.i));
            break;
        case CZ_KIND_TEXT:
        case CZ_KIND_BYTES:
            pos += put_bytes(buf + pos, f->val.buf.p, f->val.buf.n);
            break;
        case CZ_KIND_LIST:
            pos += cz_varint_put(buf + pos, f->val.list.n);
            for (j = 0; j < f->val.list.n; j++)
                pos += put_bytes(buf + pos, f->val.list.v[j].s, f->val.list.v[j].n);
            break;
        default:
            break;
        }
    }
    *outlen = pos;
    return CZ_OK;
}

int cz_body_encode(const cz_body *b, uint8_t **out, size_t *outlen)
{
    uint8_t *buf = NULL;
    size_t total;
    int rc;

    if (!b || !out || !outlen)
        return CZ_EINVAL;
    *out = NULL;
    *outlen = 0;
    total = cz_body_encoded_size(b);
    if (total > CZ_BODY_MAX)
        return CZ_ETOOBIG;          /* cannot happen: setters refuse first */
    if (total == 0)
        return CZ_OK;
    buf = malloc(total);
    if (!buf)
        return CZ_ENOMEM;
    if ((rc = cz_body_encode_into(b, buf, total, outlen))) {
        free(buf);
        return rc;
    }
    *out = buf;
    return CZ_OK;
}

/* ---- decode ------------------------------------------------------------- */

/* A length-prefixed TEXT or BYTES run: checks zero, limit and remaining
 * bytes (in that order) before anything is allocated. */
static int get_len(const uint8_t *buf, size_t len, size_t *pos, size_t *n)
{
    uint64_t v;
    int rc = cz_varint_get(buf, len, pos, &v);
    if (rc != CZ_OK)
        return rc;
    if (v == 0)
        return CZ_ECANON;
    if (v > CZ_VALUE_MAX)
        return CZ_ETOOBIG;
    if (v > len - *pos)
        return CZ_ETRUNC;
    *n = (size_t)v;
    return CZ_OK;
}

static int decode_list(const uint8_t *buf, size_t len, size_t *pos, struct field *f)
{
    uint64_t count;
    size_t i, n;
    int rc = cz_varint_get(buf, len, pos, &count);

    if (rc != CZ_OK)
        return rc;
    if (count == 0)
        return CZ_ECANON;
    if (count > CZ_LIST_MAX)
        return CZ_ETOOBIG;
    /* Each item takes at least its length byte; bounding by that (not by the
     * 2 bytes a valid item needs) lets a present but empty item report
     * CZ_ECANON rather than CZ_ETRUNC. */
    if (count > len - *pos)
        return CZ_ETRUNC;
    f->val.list.v = calloc((size_t)count, sizeof *f->val.list.v);
    if (!f->val.list.v)
        return CZ_ENOMEM;
    for (i = 0; i < count; i++) {
        const uint8_t *s;
        rc = get_len(buf, len, pos, &n);
        if (rc != CZ_OK)
            return rc;
        s = buf + *pos;
        rc = cz_codec_check_text(s, n);
        if (rc != CZ_OK)
            return rc;
        if (i > 0 && cz_codec_item_cmp((const uint8_t *)f->val.list.v[i - 1].s,
                              f->val.list.v[i - 1].n, s, n) >= 0)
            return CZ_ECANON;
        f->val.list.v[i].s = (char *)cz_codec_dup_nul(s, n);
        if (!f->val.list.v[i].s)
            return CZ_ENOMEM;
        f->val.list.v[i].n = n;
        f->val.list.n = i + 1;
        *pos += n;
    }
    return CZ_OK;
}

/* One field at buf[*pos]; tags must exceed prev.  On error f owns whatever
 * was allocated and the caller clears it. */
static int decode_field(const uint8_t *buf, size_t len, size_t *pos,
                        uint32_t prev, struct field *f)
{
    uint64_t tag, v;
    size_t n;
    int rc = cz_varint_get(buf, len, pos, &tag);

    if (rc != CZ_OK)
        return rc;
    if (tag == 0 || tag > UINT32_MAX || tag <= prev)
        return CZ_ECANON;
    f->tag = (uint32_t)tag;
    if (*pos >= len)
        return CZ_ETRUNC;
    switch (buf[*pos]) {
    case CZ_KIND_UINT:
    case CZ_KIND_SINT:
        f->kind = buf[(*pos)++];
        rc = cz_varint_get(buf, len, pos, &v);
        if (rc != CZ_OK)
            return rc;
        if (f->kind == CZ_KIND_UINT)
            f->val.u = v;
        else
            f->val.i = unzigzag(v);
        return CZ_OK;
    case CZ_KIND_TEXT:
    case CZ_KIND_BYTES:
        f->kind = buf[(*pos)++];
        rc = get_len(buf, len, pos, &n);
        if (rc != CZ_OK)
            return rc;
        if (f->kind == CZ_KIND_TEXT) {
            rc = cz_codec_check_text(buf + *pos, n);
            if (rc != CZ_OK)
                return rc;
        }
        f->val.buf.p = cz_codec_dup_nul(buf + *pos, n);
        if (!f->val.buf.p)
            return CZ_ENOMEM;
        f->val.buf.n = n;
        *pos += n;
        return CZ_OK;
    case CZ_KIND_LIST:
        f->kind = buf[(*pos)++];
        return decode_list(buf, len, pos, f);
    default:
        return CZ_EKIND;
    }
}

int cz_body_decode(const uint8_t *buf, size_t len, cz_body **out)
{
    cz_body *b = NULL;
    struct field f;
    size_t pos = 0;
    uint32_t prev = 0;
    int rc = CZ_OK;

    if (!out)
        return CZ_EINVAL;
    *out = NULL;
    if (!buf && len > 0)
        return CZ_EINVAL;
    if (len > CZ_BODY_MAX)
        return CZ_ETOOBIG;
    b = cz_body_new();
    if (!b)
        return CZ_ENOMEM;
    while (pos < len) {
        size_t start = pos;
        memset(&f, 0, sizeof f);
        rc = decode_field(buf, len, &pos, prev, &f);
        if (rc == CZ_OK)
            rc = cz_codec_reserve(b, b->n + 1);
        if (rc != CZ_OK) {
            cz_codec_field_clear(&f);
            goto cleanup;
        }
        f.enc = pos - start;
        b->f[b->n++] = f;
        b->enc += f.enc;
        prev = f.tag;
    }
cleanup:
    if (rc != CZ_OK) {
        cz_body_free(b);
        return rc;
    }
    *out = b;
    return CZ_OK;
}
