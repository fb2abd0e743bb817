#include "entry.h"

#include "bytes.h"
#include "codec.h"
#include "grow.h"
#include "status.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint8_t MAGIC[3] = { 'C', 'Z', 'E' };
/* magic+version, origin, seq, prev, hlc, wall, entity, flags */
#define FIXED_BYTES (4 + 32 + 8 + 32 + 8 + 8 + 16 + 1)

static int type_ok(const char *t, size_t n)
{
    if (n < 1 || n > CZ_TYPE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || t[i] == '_'))
            return 0;
    return 1;
}

static int region_ok(const char *r, size_t n)
{
    if (n > CZ_REGION_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (r[i] < '0' || r[i] > '9')
            return 0;
    return 1;
}

static int cmp_id(const void *a, const void *b) { return memcmp(a, b, CZ_ID_BYTES); }

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

void cz_entry_id(const uint8_t *buf, size_t len, uint8_t id[CZ_ID_BYTES])
{
    crypto_generichash(id, CZ_ID_BYTES, buf, len, NULL, 0);
}

/* What cz_entry_parse would find in the bytes cz_entry_build laid out
 * (buf, len; sig where the signature went): the fields were checked there
 * (tests/unit/test_entry.c compares the two).  e->parents and e->body are
 * set by the builder as it writes them. */
static void describe_built(const struct cz_entry_draft *d, const uint8_t *buf, size_t len, const uint8_t *sig,
                           struct cz_entry *e)
{
    e->version = CZ_ENTRY_VERSION;
    e->origin = buf + 4;
    e->seq = d->seq;
    e->prev = buf + 44;
    e->hlc = d->hlc;
    e->wall = d->wall;
    e->entity = buf + 92;
    e->flags = d->flags;
    memcpy(e->type, d->type, strlen(d->type));
    if (d->region) memcpy(e->region, d->region, strlen(d->region));
    e->nparents = d->nparents;
    e->body_len = d->body_len;
    e->sig = sig;
    e->raw = buf;
    e->raw_len = len;
}

int cz_entry_build(const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                   uint8_t **bufp, size_t *cap, struct cz_entry *e, uint8_t id[CZ_ID_BYTES])
{
    size_t tlen = strlen(d->type), rlen = d->region ? strlen(d->region) : 0;
    uint8_t parents[CZ_PARENTS_MAX * CZ_ID_BYTES];
    int rc;

    if (!type_ok(d->type, tlen) || !region_ok(d->region, rlen) || d->seq == 0 ||
        d->nparents > CZ_PARENTS_MAX || d->body_len > CZ_BODY_MAX ||
        (d->flags & ~CZ_ENTRY_FLAG_TOMBSTONE) ||
        (d->seq == 1) != is_zero(d->prev, CZ_ID_BYTES))
        return CZ_EINVAL;
    if (d->nparents) {
        memcpy(parents, d->parents, d->nparents * CZ_ID_BYTES);
        qsort(parents, d->nparents, CZ_ID_BYTES, cmp_id);
        for (size_t i = 1; i < d->nparents; i++)
            if (memcmp(parents + (i - 1) * CZ_ID_BYTES, parents + i * CZ_ID_BYTES, CZ_ID_BYTES) == 0)
                return CZ_EINVAL;
    }
    size_t len = FIXED_BYTES + 1 + tlen + 1 + rlen + 1 + d->nparents * CZ_ID_BYTES + 4 + d->body_len + 64;
    if (!*bufp) *cap = 0;
    if ((rc = cz_grow(bufp, cap, len < 512 ? 512 : len, 1))) return rc;
    uint8_t *buf = *bufp, *p = buf;
    memset(e, 0, sizeof *e);
    memcpy(p, MAGIC, 3); p[3] = CZ_ENTRY_VERSION; p += 4;
    memcpy(p, d->origin, 32); p += 32;
    cz_put_be64(p, d->seq); p += 8;
    memcpy(p, d->prev, 32); p += 32;
    cz_put_be64(p, d->hlc); p += 8;
    cz_put_be64(p, (uint64_t)d->wall); p += 8;
    memcpy(p, d->entity, 16); p += 16;
    *p++ = d->flags;
    *p++ = (uint8_t)tlen; memcpy(p, d->type, tlen); p += tlen;
    *p++ = (uint8_t)rlen; if (rlen) memcpy(p, d->region, rlen); p += rlen;
    *p++ = (uint8_t)d->nparents;
    e->parents = p;
    if (d->nparents) memcpy(p, parents, d->nparents * CZ_ID_BYTES);
    p += d->nparents * CZ_ID_BYTES;
    cz_put_be32(p, (uint32_t)d->body_len); p += 4;
    e->body = p;
    if (d->body_len) memcpy(p, d->body, d->body_len);
    p += d->body_len;
    if ((rc = sign(sign_ctx, buf, (size_t)(p - buf), p))) return rc;
    cz_entry_id(buf, len, id);
    describe_built(d, buf, len, p, e);
    return CZ_OK;
}

int cz_entry_write(const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                   uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES])
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    struct cz_entry e;
    int rc = cz_entry_build(d, sign, sign_ctx, &buf, &cap, &e, id);
    *out = NULL;
    if (rc) { free(buf); return rc; }
    *out = buf;
    *out_len = e.raw_len;
    return CZ_OK;
}

static int decode_structure(const uint8_t *buf, size_t len, struct cz_entry *e)
{
    size_t pos;
    memset(e, 0, sizeof *e);
    if (len < 4)
        return CZ_ETRUNC;
    if (memcmp(buf, MAGIC, 3) != 0)
        return CZ_EMAGIC;
    if (buf[3] != CZ_ENTRY_VERSION)
        return CZ_EVERSION;
    if (len < FIXED_BYTES + 3 + 4 + 64)
        return CZ_ETRUNC;
    e->version = buf[3];
    e->origin = buf + 4;
    e->seq = cz_get_be64(buf + 36);
    e->prev = buf + 44;
    e->hlc = cz_get_be64(buf + 76);
    e->wall = (int64_t)cz_get_be64(buf + 84);
    e->entity = buf + 92;
    e->flags = buf[108];
    pos = FIXED_BYTES;
    if (e->seq == 0 || (e->seq == 1) != is_zero(e->prev, CZ_ID_BYTES) ||
        (e->flags & ~CZ_ENTRY_FLAG_TOMBSTONE))
        return CZ_ECANON;

    size_t tlen = buf[pos++];
    if (pos + tlen + 1 > len) return CZ_ETRUNC;
    if (!type_ok((const char *)buf + pos, tlen)) return CZ_ECANON;
    memcpy(e->type, buf + pos, tlen);
    pos += tlen;
    size_t rlen = buf[pos++];
    if (pos + rlen + 1 > len) return CZ_ETRUNC;
    if (!region_ok((const char *)buf + pos, rlen)) return CZ_ECANON;
    memcpy(e->region, buf + pos, rlen);
    pos += rlen;
    e->nparents = buf[pos++];
    if (e->nparents > CZ_PARENTS_MAX) return CZ_ECANON;
    if (pos + e->nparents * CZ_ID_BYTES + 4 > len) return CZ_ETRUNC;
    e->parents = buf + pos;
    for (size_t i = 1; i < e->nparents; i++)
        if (memcmp(e->parents + (i - 1) * CZ_ID_BYTES, e->parents + i * CZ_ID_BYTES, CZ_ID_BYTES) >= 0)
            return CZ_ECANON;
    pos += e->nparents * CZ_ID_BYTES;
    e->body_len = cz_get_be32(buf + pos);
    pos += 4;
    if (e->body_len > CZ_BODY_MAX) return CZ_ETOOBIG;
    if (pos + e->body_len + 64 > len) return CZ_ETRUNC;
    if (pos + e->body_len + 64 < len) return CZ_ECANON;   /* trailing bytes */
    e->body = buf + pos;
    e->sig = buf + pos + e->body_len;
    e->raw = buf;
    e->raw_len = len;
    return CZ_OK;
}

int cz_entry_parse(const uint8_t *buf, size_t len, struct cz_entry *e)
{
    return decode_structure(buf, len, e);
}

int cz_entry_peek(const uint8_t *buf, size_t len, const uint8_t **origin, uint64_t *seq,
                  char region[CZ_REGION_MAX + 1])
{
    region[0] = 0;
    if (len < FIXED_BYTES + 3 + 4 + 64) return CZ_ETRUNC;
    if (memcmp(buf, MAGIC, 3) != 0) return CZ_EMAGIC;
    if (buf[3] != CZ_ENTRY_VERSION) return CZ_EVERSION;
    size_t tlen = buf[FIXED_BYTES];
    if (FIXED_BYTES + 1 + tlen + 1 > len) return CZ_ETRUNC;
    size_t rlen = buf[FIXED_BYTES + 1 + tlen];
    if (rlen > CZ_REGION_MAX) return CZ_ECANON;
    if (FIXED_BYTES + 2 + tlen + rlen > len) return CZ_ETRUNC;
    *origin = buf + 4;
    *seq = cz_get_be64(buf + 36);
    memcpy(region, buf + FIXED_BYTES + 2 + tlen, rlen);
    region[rlen] = 0;
    return CZ_OK;
}

int cz_entry_decode(const uint8_t *buf, size_t len, struct cz_entry *e)
{
    int rc = decode_structure(buf, len, e);
    if (rc) return rc;
    cz_body *body = NULL;
    rc = cz_body_decode(e->body, e->body_len, &body);
    cz_body_free(body);
    return rc;
}

int cz_entry_verify(const struct cz_entry *e)
{
    if (sodium_init() < 0)
        return CZ_ECRYPTO;
    return crypto_sign_verify_detached(e->sig, e->raw, e->raw_len - 64, e->origin) == 0
        ? CZ_OK : CZ_ESIG;
}

uint64_t cz_hlc_next(uint64_t last, uint64_t now_ms)
{
    uint64_t wall = now_ms << 16;
    return wall > last ? wall : last + 1;
}

/* Atomic: a load's signer thread and export's threads read the clock. */
static _Atomic int64_t clock_offset_ms;

void cz_clock_shift(int64_t offset_ms) { clock_offset_ms = offset_ms; }

uint64_t cz_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)((int64_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u) + clock_offset_ms);
}
