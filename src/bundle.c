/* bundle.c — the sealed bundle container (bundle.h): its header, the
 * encryption of the stored bytes and their zstd frame, for a whole file in
 * memory; bundle_reader.c reads one a piece at a time, bundle_stream.c
 * writes one straight to a stick. */
#include "bundle.h"
#include "bundle_int.h"
#include "bytes.h"
#include "fsutil.h"
#include "hex.h"
#include "status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t bundle_nchunks(uint64_t plain_len, unsigned log2)
{
    uint64_t size = (uint64_t)1 << log2;
    return plain_len == 0 ? 1 : (plain_len + size - 1) / size;
}

size_t cz_bundle_fixed_head(unsigned version)
{
    return version >= 2 ? FIXED_HEAD_V1 + 8 : FIXED_HEAD_V1;
}

/* The fields after the magic and version, up to the stanzas. */
static const uint8_t *parse_fixed(const uint8_t *p, struct cz_bundle_header *h)
{
    h->flags = *p++;
    h->chunk_log2 = *p++;
    memcpy(h->sender_box, p, 32); p += 32;
    h->seq = cz_get_be64(p); p += 8;
    h->plain_len = cz_get_be64(p); p += 8;
    h->unpacked_len = h->plain_len;
    if (h->version >= 2) { h->unpacked_len = cz_get_be64(p); p += 8; }
    memcpy(h->plain_hash, p, 32); p += 32;
    memcpy(h->ss_header, p, 24); p += 24;
    h->nrecipients = *p++;
    return p;
}

int bundle_parse_header(const uint8_t *buf, size_t avail, uint64_t file_len, struct cz_bundle_header *h)
{
    size_t len = avail;
    *h = (struct cz_bundle_header){ .version = 0 };
    if (len < 4) return CZ_ETRUNC;
    if (memcmp(buf, "CZB", 3) != 0) return CZ_EMAGIC;
    h->version = buf[3];
    /* Refused by name before anything else is read: an older layout is a
     * downgrade, a newer one needs a newer build. */
    if (h->version < CZ_BUNDLE_VERSION_MIN) return CZ_EOLDFORMAT;
    if (h->version > CZ_BUNDLE_VERSION) return CZ_EVERSION;
    size_t fixed = cz_bundle_fixed_head(h->version);
    if (len < fixed) return CZ_ETRUNC;
    const uint8_t *p = parse_fixed(buf + 4, h);
    if (h->flags || h->chunk_log2 < 10 || h->chunk_log2 > 20) return CZ_EVERSION;
    if (h->nrecipients == 0 || h->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX) return CZ_ECANON;
    h->header_len = fixed + h->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    if (len < h->header_len) return CZ_ETRUNC;
    h->stanzas = p;
    p += h->nrecipients * CZ_BUNDLE_STANZA;
    memcpy(h->signer, p, 32);
    p += 32;
    if (crypto_sign_verify_detached(p, buf, h->header_len - 64, h->signer) != 0) return CZ_ESIG;
    crypto_generichash(h->id, CZ_ID_BYTES, buf, h->header_len, NULL, 0);
    if (h->plain_len > CZ_BUNDLE_PLAIN_MAX || h->unpacked_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    /* The signed header fixes the exact file length. */
    uint64_t want = (uint64_t)h->header_len + h->plain_len + bundle_nchunks(h->plain_len, h->chunk_log2) * ABYTES;
    if (file_len < want) return CZ_ETRUNC;
    if (file_len > want) return CZ_ETRAILING;
    return CZ_OK;
}

/* ---- the zstd frame of version 2 ---- */

ZSTD_DCtx *bundle_dctx_new(void)
{
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (d && ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, CZ_BUNDLE_WINDOW_LOG))) {
        ZSTD_freeDCtx(d);
        d = NULL;
    }
    return d;
}

void *cz_bundle_cctx(uint64_t plain_len, int workers)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c) return NULL;
    int wlog = CZ_BUNDLE_WINDOW_LOG;
    while (wlog > 10 && ((uint64_t)1 << (wlog - 1)) >= plain_len) wlog--;   /* no bigger than needed */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, CZ_BUNDLE_ZSTD_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, wlog)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c, plain_len))) {
        ZSTD_freeCCtx(c);
        return NULL;
    }
    /* zstd's own threads, with 1 MiB jobs (its default, 4 windows, costs
     * tens of MB); a single-threaded libzstd refuses and compresses inline */
    if (workers > 0 && !ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, workers)))
        (void)ZSTD_CCtx_setParameter(c, ZSTD_c_jobSize, 1 << 20);
    return c;
}

/* RFC 8878, 3.1.1.1.  Read by hand: libzstd's header parser is not in its
 * stable API. */
int bundle_frame_check(const uint8_t *p, size_t len, int all, uint64_t unpacked_len)
{
    static const uint8_t magic[4] = { 0x28, 0xB5, 0x2F, 0xFD };
    static const size_t did_size[4] = { 0, 1, 2, 4 }, fcs_size[4] = { 0, 2, 4, 8 };
    if (len < 5) return all && !memcmp(p, magic, len) ? CZ_ETRUNC : CZ_EUNPACK;
    if (memcmp(p, magic, 4)) return CZ_EUNPACK;
    unsigned fhd = p[4], single = fhd >> 5 & 1, fcs = fhd >> 6, did = fhd & 3;
    size_t hsize = 5 + !single + did_size[did] + (fcs ? fcs_size[fcs] : single);
    if (len < hsize) return all ? CZ_ETRUNC : CZ_EUNPACK;
    if (did || (!fcs && !single) || ZSTD_getFrameContentSize(p, len) != unpacked_len) return CZ_EUNPACK;
    uint64_t window = unpacked_len;
    if (!single) {
        unsigned wlog = 10 + (p[5] >> 3);
        window = ((uint64_t)1 << wlog) + (((uint64_t)1 << wlog) / 8) * (p[5] & 7);
    }
    if (window > ((uint64_t)1 << CZ_BUNDLE_WINDOW_LOG)) return CZ_ETOOBIG;
    return CZ_OK;
}

/* The first output buffer of a whole-frame unpack; it doubles as the frame
 * really produces bytes.  The header's unpacked length is the sender's
 * claim: a few bytes claiming a gigabyte must not make this PC set one
 * aside before a byte of it has come out. */
#define UNPACK_FIRST ((size_t)4 << 20)

/* Grows the output of unpack_whole, by copying (so no plaintext is left
 * behind unwiped in a freed block). */
static int unpack_grow(uint8_t **dst, size_t *cap, size_t used, uint64_t limit)
{
    size_t ncap = *cap > (size_t)limit / 2 ? (size_t)limit : 2 * *cap;
    uint8_t *n = malloc(ncap);
    if (!n) return CZ_ENOMEM;
    memcpy(n, *dst, used);
    cz_bundle_plain_free(*dst, *cap);
    *dst = n;
    *cap = ncap;
    return CZ_OK;
}

/* The frame's bytes through d into *dst (grown up to unpacked_len; past
 * it output goes to a spare buffer and is a fault). */
static int unpack_loop(ZSTD_DCtx *d, const uint8_t *src, size_t len, uint64_t unpacked_len, uint8_t **dst,
                       size_t *cap)
{
    uint8_t spare[256];
    ZSTD_inBuffer in = { .src = src, .size = len, .pos = 0 };
    ZSTD_outBuffer o = { .dst = *dst, .size = *cap, .pos = 0 };
    int rc;
    for (;;) {
        size_t ret = ZSTD_decompressStream(d, &o, &in);
        if (ZSTD_isError(ret)) return CZ_EUNPACK;
        if (o.dst == spare && o.pos) return CZ_EUNPACK;                /* more than unpacked_len */
        if (ret == 0)
            return o.dst == spare || o.pos == unpacked_len ? (in.pos < in.size ? CZ_ETRAILING : CZ_OK) : CZ_EUNPACK;
        if (o.pos == o.size) {
            if (o.dst == *dst && *cap < unpacked_len) {
                if ((rc = unpack_grow(dst, cap, o.pos, unpacked_len))) return rc;
                o.dst = *dst;
                o.size = *cap;
            } else if (o.dst == *dst) {
                o = (ZSTD_outBuffer){ .dst = spare, .size = sizeof spare, .pos = 0 };
            }
            continue;
        }
        if (in.pos == in.size) return CZ_ETRUNC;                       /* the frame is cut short */
    }
}

/* Unpacks a whole frame into a new buffer of exactly unpacked_len bytes. */
static int unpack_whole(const uint8_t *src, size_t len, uint64_t unpacked_len, uint8_t **out)
{
    ZSTD_DCtx *d = NULL;
    uint8_t *dst = NULL;
    size_t cap = unpacked_len < UNPACK_FIRST ? (size_t)unpacked_len : UNPACK_FIRST;
    int rc = bundle_frame_check(src, len, 1, unpacked_len);
    *out = NULL;
    if (rc) return rc;
    if (!(d = bundle_dctx_new()) || !(dst = malloc(cap ? cap : 1))) { rc = CZ_ENOMEM; goto cleanup; }
    rc = unpack_loop(d, src, len, unpacked_len, &dst, &cap);
    if (rc == CZ_OK) { *out = dst; dst = NULL; }
cleanup:
    if (dst) cz_bundle_plain_free(dst, cap);
    ZSTD_freeDCtx(d);
    return rc;
}

int cz_bundle_read_header(const uint8_t *buf, size_t len, struct cz_bundle_header *h)
{
    return bundle_parse_header(buf, len, len, h);
}

const uint8_t *bundle_stanza(const struct cz_bundle_header *h, const uint8_t box_pk[32])
{
    for (size_t i = 0; i < h->nrecipients; i++)
        if (!memcmp(h->stanzas + i * CZ_BUNDLE_STANZA, box_pk, 32)) return h->stanzas + i * CZ_BUNDLE_STANZA;
    return NULL;
}

int cz_bundle_addressed_to(const struct cz_bundle_header *h, const uint8_t box_pk[32])
{
    return bundle_stanza(h, box_pk) != NULL;
}

void cz_bundle_plain_free(uint8_t *plain, size_t len)
{
    if (!plain) return;
    sodium_memzero(plain, len);
    free(plain);
}

/* Every chunk of the file into plain (h->plain_len bytes), with the checks
 * of cz_bundle_open; *out the bytes the chunks gave. */
static int open_chunks(const uint8_t *buf, size_t len, const struct cz_bundle_header *h,
                       crypto_secretstream_xchacha20poly1305_state *ss, uint8_t *plain, size_t *out)
{
    uint64_t chunk = (uint64_t)1 << h->chunk_log2, n = bundle_nchunks(h->plain_len, h->chunk_log2);
    size_t pos = h->header_len;
    *out = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t want = (size_t)(i + 1 < n ? chunk : h->plain_len - (n - 1) * chunk);
        unsigned long long got;
        unsigned char tag;
        if (len - pos < want + ABYTES) return CZ_ETRUNC;
        if (crypto_secretstream_xchacha20poly1305_pull(ss, plain + *out, &got, &tag, buf + pos, want + ABYTES,
                                                       NULL, 0) != 0)
            return CZ_EDAMAGED;
        /* FINAL must come exactly at the end of the file, nowhere else. */
        if (i + 1 < n && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
            return tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL ? CZ_ETRAILING : CZ_ECANON;
        if (i + 1 == n && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) return CZ_ETRUNC;
        pos += want + ABYTES;
        *out += (size_t)got;
    }
    return pos != len ? CZ_ETRAILING : CZ_OK;
}

int cz_bundle_open(const uint8_t *buf, size_t len, const struct cz_bundle_header *h,
                   const uint8_t box_pk[32], const uint8_t box_sk[32],
                   uint8_t **plain_out, size_t *plain_len_out)
{
    const uint8_t *stanza = bundle_stanza(h, box_pk);
    uint8_t *key = NULL, *plain = NULL, hash[32];
    crypto_secretstream_xchacha20poly1305_state ss;
    size_t out;
    int rc;

    *plain_out = NULL;
    *plain_len_out = 0;
    if (!stanza) return CZ_ENOTFORUS;
    if (!(key = sodium_malloc(32))) return CZ_ENOMEM;
    if (crypto_box_seal_open(key, stanza + 32, 80, box_pk, box_sk) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, h->ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    /* A file shorter than the plaintext it claims is cut short: said before
     * a buffer of the claimed size is set aside. */
    if (len < h->header_len || len - h->header_len < h->plain_len) { rc = CZ_ETRUNC; goto cleanup; }
    /* Staging: nothing of this buffer leaves here before FINAL and the hash hold. */
    if (!(plain = malloc(h->plain_len ? h->plain_len : 1))) { rc = CZ_ENOMEM; goto cleanup; }
    if ((rc = open_chunks(buf, len, h, &ss, plain, &out))) goto cleanup;
    crypto_generichash(hash, 32, plain, out, NULL, 0);
    if (out != h->plain_len || sodium_memcmp(hash, h->plain_hash, 32) != 0) { rc = CZ_EHASH; goto cleanup; }
    if (h->version >= 2) {
        uint8_t *unpacked;
        if ((rc = unpack_whole(plain, out, h->unpacked_len, &unpacked))) goto cleanup;
        cz_bundle_plain_free(plain, h->plain_len ? h->plain_len : 1);
        plain = unpacked;
        out = (size_t)h->unpacked_len;
    }
    *plain_out = plain;
    *plain_len_out = out;
    plain = NULL;
    rc = CZ_OK;
cleanup:
    if (plain) cz_bundle_plain_free(plain, h->plain_len);
    sodium_memzero(&ss, sizeof ss);
    sodium_free(key);
    return rc;
}

/* ---- sealing ---- */

/* The header up to the signature, for stored bytes `plain`; *ss_header is
 * where secretstream's header goes, *sig where the signature goes. */
static uint8_t *seal_head(uint8_t *h, const struct cz_bundle_params *p, unsigned version, unsigned log2,
                          const uint8_t *plain, size_t plain_len, uint64_t unpacked_len, uint8_t **ss_header)
{
    memcpy(h, "CZB", 3);
    h[3] = (uint8_t)version;
    h[4] = 0;
    h[5] = (uint8_t)log2;
    h += 6;
    memcpy(h, p->sender_box, 32); h += 32;
    cz_put_be64(h, p->seq); h += 8;
    cz_put_be64(h, plain_len); h += 8;
    if (version >= 2) { cz_put_be64(h, unpacked_len); h += 8; }
    crypto_generichash(h, 32, plain, plain_len, NULL, 0); h += 32;
    *ss_header = h;
    h += 24;
    *h++ = (uint8_t)p->nrecipients;
    return h;
}

/* The file key sealed to each recipient from h on; returns past the stanzas. */
static int seal_stanzas(uint8_t **h, const struct cz_bundle_params *p, const uint8_t *key)
{
    for (size_t i = 0; i < p->nrecipients; i++) {
        memcpy(*h, p->recipients[i], 32);
        if (crypto_box_seal(*h + 32, key, 32, p->recipients[i]) != 0) return CZ_ECRYPTO;
        *h += CZ_BUNDLE_STANZA;
    }
    return CZ_OK;
}

/* The stored bytes as chunks from out + pos on, the last one FINAL. */
static int seal_chunks(crypto_secretstream_xchacha20poly1305_state *ss, uint8_t *out, size_t pos,
                       const uint8_t *plain, size_t plain_len, unsigned log2)
{
    uint64_t n = bundle_nchunks(plain_len, log2), chunk = (uint64_t)1 << log2;
    size_t in = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t m = (size_t)(i + 1 < n ? chunk : plain_len - (n - 1) * chunk);
        unsigned char tag = i + 1 < n ? crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
                                      : crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (crypto_secretstream_xchacha20poly1305_push(ss, out + pos, NULL, plain + in, m, NULL, 0, tag) != 0)
            return CZ_ECRYPTO;
        pos += m + ABYTES;
        in += m;
    }
    return CZ_OK;
}

int cz_bundle_seal_raw(const struct cz_bundle_params *p, unsigned version, const uint8_t *plain,
                       size_t plain_len, uint64_t unpacked_len, uint8_t **out_p, size_t *out_len,
                       uint8_t id[CZ_ID_BYTES])
{
    unsigned log2 = p->chunk_log2 ? p->chunk_log2 : CZ_BUNDLE_CHUNK_LOG2;
    uint8_t *key = NULL, *out = NULL, *h, *ss_header;
    crypto_secretstream_xchacha20poly1305_state ss;
    int rc;

    *out_p = NULL;
    if (p->nrecipients == 0 || p->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX || log2 < 10 || log2 > 20 ||
        version < 1 || version > 255)
        return CZ_EINVAL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    size_t header_len = cz_bundle_fixed_head(version) + p->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    size_t total = header_len + plain_len + (size_t)bundle_nchunks(plain_len, log2) * ABYTES;
    if (!(key = sodium_malloc(32))) return CZ_ENOMEM;
    if (!(out = malloc(total))) { rc = CZ_ENOMEM; goto cleanup; }
    crypto_secretstream_xchacha20poly1305_keygen(key);
    h = seal_head(out, p, version, log2, plain, plain_len, unpacked_len, &ss_header);
    if (crypto_secretstream_xchacha20poly1305_init_push(&ss, ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    if ((rc = seal_stanzas(&h, p, key))) goto cleanup;
    memcpy(h, p->signer, 32); h += 32;
    if ((rc = p->sign(p->sign_ctx, out, header_len - 64, h))) goto cleanup;
    if ((rc = seal_chunks(&ss, out, header_len, plain, plain_len, log2))) goto cleanup;
    crypto_generichash(id, CZ_ID_BYTES, out, header_len, NULL, 0);
    *out_p = out;
    *out_len = total;
    out = NULL;
    rc = CZ_OK;
cleanup:
    free(out);
    sodium_memzero(&ss, sizeof ss);
    sodium_free(key);
    return rc;
}
int cz_bundle_seal(const struct cz_bundle_params *p, const uint8_t *plain, size_t plain_len,
                   uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES])
{
    ZSTD_CCtx *c = NULL;
    uint8_t *z = NULL;
    size_t zcap = 0, zlen;
    int rc;
    *out = NULL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    zcap = ZSTD_compressBound(plain_len);
    if (!(c = cz_bundle_cctx(plain_len, 0)) || !(z = malloc(zcap))) { rc = CZ_ENOMEM; goto cleanup; }
    zlen = ZSTD_compress2(c, z, zcap, plain, plain_len);
    if (ZSTD_isError(zlen)) { rc = CZ_ENOMEM; goto cleanup; }
    rc = cz_bundle_seal_raw(p, CZ_BUNDLE_VERSION, z, zlen, plain_len, out, out_len, id);
cleanup:
    if (z) sodium_memzero(z, zcap);
    free(z);
    ZSTD_freeCCtx(c);
    return rc;
}

/* ---- files on the stick ---- */

void cz_bundle_inbox(const char *stick, const uint8_t me[32], char *path, size_t size)
{
    char hex[65];
    cz_hex(me, 32, hex);
    snprintf(path, size, "%s/cunzhan/%.16s", stick, hex);
}

int cz_bundle_write(const char *stick, const uint8_t recipient[32], const uint8_t sender[32],
                    const uint8_t id[CZ_ID_BYTES], const uint8_t *buf, size_t len,
                    char *path, size_t path_size)
{
    char dir[PATH_MAX], rhex[65], shex[65], idhex[65], name[80];
    cz_hex(recipient, 32, rhex);
    cz_hex(sender, 32, shex);
    cz_hex(id, CZ_ID_BYTES, idhex);
    int rc;
    if (snprintf(dir, sizeof dir, "%s/cunzhan/%.16s/%.16s", stick, rhex, shex) >= (int)sizeof dir)
        return CZ_EINVAL;
    snprintf(name, sizeof name, "%s.czb", idhex);
    /* No symlink below the stick is followed (fsutil.h). */
    if ((rc = cz_fs_make_dirs_under(stick, dir + strlen(stick) + 1, 0755))) return cz_fs_stick_status(stick, rc);
    if (snprintf(path, path_size, "%s/%s", dir, name) >= (int)path_size) return CZ_EINVAL;
    return cz_fs_stick_status(stick, cz_fs_write_atomic(path, buf, len));
}

int cz_file_write_atomic(const char *folder, const char *name, const uint8_t *buf, size_t len,
                         char *path, size_t path_size)
{
    int rc;
    /* Temp file in the same folder, then rename (fsutil.h): a pulled stick
     * leaves the old state or the new, never half a file under the real name. */
    if ((rc = cz_fs_make_dirs(folder, 0755))) return rc;
    if (snprintf(path, path_size, "%s/%s", folder, name) >= (int)path_size) return CZ_EINVAL;
    return cz_fs_write_atomic(path, buf, len);
}

int cz_file_write_under(const char *base, const char *rel, const char *name, const uint8_t *buf, size_t len,
                        char *path, size_t path_size)
{
    int rc = cz_fs_make_dirs_under(base, rel, 0755);
    if (rc) return cz_fs_stick_status(base, rc);
    if (snprintf(path, path_size, "%s/%s/%s", base, rel, name) >= (int)path_size) return CZ_EINVAL;
    return cz_fs_stick_status(base, cz_fs_write_atomic(path, buf, len));
}