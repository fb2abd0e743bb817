#include "bundle.h"
#include "fsutil.h"
#include "hex.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define FIXED_HEAD_V1 (4 + 1 + 1 + 32 + 8 + 8 + 32 + 24 + 1)   /* up to nrecipients */
#define FIXED_HEAD_MAX (FIXED_HEAD_V1 + 8)                      /* v2: unpacked_len */
#define HEAD_MAX (FIXED_HEAD_MAX + CZ_BUNDLE_RECIPIENTS_MAX * CZ_BUNDLE_STANZA + 32 + 64)
/* Unpacked output asked for at a time by the streaming reader. */
#define UNPACK_STEP 65536

static void put64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 3; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v = v << 8 | p[i]; return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 0; i < 4; i++) v = v << 8 | p[i]; return v; }

static uint64_t nchunks(uint64_t plain_len, unsigned log2)
{
    uint64_t size = (uint64_t)1 << log2;
    return plain_len == 0 ? 1 : (plain_len + size - 1) / size;
}

size_t cz_bundle_fixed_head(unsigned version)
{
    return version >= 2 ? FIXED_HEAD_V1 + 8 : FIXED_HEAD_V1;
}

/* avail bytes of the file are in buf (all of it, or at least HEAD_MAX);
 * file_len is the whole file's length. */
static int read_header(const uint8_t *buf, size_t avail, uint64_t file_len, struct cz_bundle_header *h)
{
    size_t len = avail;
    memset(h, 0, sizeof *h);
    if (len < 4) return CZ_ETRUNC;
    if (memcmp(buf, "CZB", 3) != 0) return CZ_EMAGIC;
    h->version = buf[3];
    /* Refused by name before anything else is read: an older layout is a
     * downgrade, a newer one needs a newer build. */
    if (h->version < CZ_BUNDLE_VERSION_MIN) return CZ_EOLDFORMAT;
    if (h->version > CZ_BUNDLE_VERSION) return CZ_EVERSION;
    size_t fixed = cz_bundle_fixed_head(h->version);
    if (len < fixed) return CZ_ETRUNC;
    const uint8_t *p = buf + 4;
    h->flags = *p++;
    h->chunk_log2 = *p++;
    if (h->flags || h->chunk_log2 < 10 || h->chunk_log2 > 20) return CZ_EVERSION;
    memcpy(h->sender_box, p, 32); p += 32;
    h->seq = get64(p); p += 8;
    h->plain_len = get64(p); p += 8;
    h->unpacked_len = h->plain_len;
    if (h->version >= 2) { h->unpacked_len = get64(p); p += 8; }
    memcpy(h->plain_hash, p, 32); p += 32;
    memcpy(h->ss_header, p, 24); p += 24;
    h->nrecipients = *p++;
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
    uint64_t want = (uint64_t)h->header_len + h->plain_len + nchunks(h->plain_len, h->chunk_log2) * ABYTES;
    if (file_len < want) return CZ_ETRUNC;
    if (file_len > want) return CZ_ETRAILING;
    return CZ_OK;
}

/* ---- the zstd frame of version 2 ---- */

static ZSTD_DCtx *dctx_new(void)
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

/* The frame header (RFC 8878, 3.1.1.1), from the first stored bytes (at
 * least a chunk's worth, or all of them when `all`): one zstd frame naming
 * unpacked_len as its content size, no dictionary, a window within the
 * limit.  Read by hand: libzstd's header parser is not in its stable API. */
static int frame_check(const uint8_t *p, size_t len, int all, uint64_t unpacked_len)
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

/* Unpacks a whole frame into a new buffer of exactly unpacked_len bytes. */
static int unpack_whole(const uint8_t *src, size_t len, uint64_t unpacked_len, uint8_t **out)
{
    uint8_t spare[256];
    ZSTD_DCtx *d = NULL;
    uint8_t *dst = NULL;
    size_t cap = unpacked_len < UNPACK_FIRST ? (size_t)unpacked_len : UNPACK_FIRST;
    int rc = frame_check(src, len, 1, unpacked_len);
    *out = NULL;
    if (rc) return rc;
    if (!(d = dctx_new()) || !(dst = malloc(cap ? cap : 1))) { rc = CZ_ENOMEM; goto cleanup; }
    ZSTD_inBuffer in = { src, len, 0 };
    ZSTD_outBuffer o = { dst, cap, 0 };
    for (;;) {
        size_t ret = ZSTD_decompressStream(d, &o, &in);
        if (ZSTD_isError(ret)) { rc = CZ_EUNPACK; break; }
        if (o.dst == spare && o.pos) { rc = CZ_EUNPACK; break; }       /* more than unpacked_len */
        if (ret == 0) {
            rc = o.dst == spare || o.pos == unpacked_len ? (in.pos < in.size ? CZ_ETRAILING : CZ_OK) : CZ_EUNPACK;
            break;
        }
        if (o.pos == o.size) {
            if (o.dst == dst && cap < unpacked_len) {
                if ((rc = unpack_grow(&dst, &cap, o.pos, unpacked_len))) break;
                o.dst = dst;
                o.size = cap;
            } else if (o.dst == dst) {
                o = (ZSTD_outBuffer){ spare, sizeof spare, 0 };
            }
            continue;
        }
        if (in.pos == in.size) { rc = CZ_ETRUNC; break; }             /* the frame is cut short */
    }
    if (rc == CZ_OK) { *out = dst; dst = NULL; }
cleanup:
    if (dst) cz_bundle_plain_free(dst, cap);
    ZSTD_freeDCtx(d);
    return rc;
}

int cz_bundle_read_header(const uint8_t *buf, size_t len, struct cz_bundle_header *h)
{
    return read_header(buf, len, len, h);
}

int cz_bundle_addressed_to(const struct cz_bundle_header *h, const uint8_t box_pk[32])
{
    for (size_t i = 0; i < h->nrecipients; i++)
        if (!memcmp(h->stanzas + i * CZ_BUNDLE_STANZA, box_pk, 32)) return 1;
    return 0;
}

void cz_bundle_plain_free(uint8_t *plain, size_t len)
{
    if (!plain) return;
    sodium_memzero(plain, len);
    free(plain);
}

int cz_bundle_open(const uint8_t *buf, size_t len, const struct cz_bundle_header *h,
                   const uint8_t box_pk[32], const uint8_t box_sk[32],
                   uint8_t **plain_out, size_t *plain_len_out)
{
    const uint8_t *stanza = NULL;
    uint8_t *key = NULL, *plain = NULL;
    crypto_secretstream_xchacha20poly1305_state ss;
    int rc;

    *plain_out = NULL;
    *plain_len_out = 0;
    for (size_t i = 0; i < h->nrecipients && !stanza; i++)
        if (!memcmp(h->stanzas + i * CZ_BUNDLE_STANZA, box_pk, 32)) stanza = h->stanzas + i * CZ_BUNDLE_STANZA;
    if (!stanza) return CZ_ENOTFORUS;
    if (!(key = sodium_malloc(32))) return CZ_ENOMEM;
    if (crypto_box_seal_open(key, stanza + 32, 80, box_pk, box_sk) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, h->ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    /* A file shorter than the plaintext it claims is cut short: said before
     * a buffer of the claimed size is set aside. */
    if (len < h->header_len || len - h->header_len < h->plain_len) { rc = CZ_ETRUNC; goto cleanup; }
    /* Staging: nothing of this buffer leaves here before FINAL and the hash hold. */
    if (!(plain = malloc(h->plain_len ? h->plain_len : 1))) { rc = CZ_ENOMEM; goto cleanup; }
    uint64_t chunk = (uint64_t)1 << h->chunk_log2, n = nchunks(h->plain_len, h->chunk_log2);
    size_t pos = h->header_len, out = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t want = (size_t)(i + 1 < n ? chunk : h->plain_len - (n - 1) * chunk);
        unsigned long long got;
        unsigned char tag;
        if (len - pos < want + ABYTES) { rc = CZ_ETRUNC; goto cleanup; }
        if (crypto_secretstream_xchacha20poly1305_pull(&ss, plain + out, &got, &tag, buf + pos, want + ABYTES,
                                                       NULL, 0) != 0) {
            rc = CZ_EDAMAGED;
            goto cleanup;
        }
        /* FINAL must come exactly at the end of the file, nowhere else. */
        if (i + 1 < n && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
            rc = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL ? CZ_ETRAILING : CZ_ECANON;
            goto cleanup;
        }
        if (i + 1 == n && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) { rc = CZ_ETRUNC; goto cleanup; }
        pos += want + ABYTES;
        out += (size_t)got;
    }
    if (pos != len) { rc = CZ_ETRAILING; goto cleanup; }
    uint8_t hash[32];
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

/* ---- reading a bundle a piece at a time ---- */

struct cz_bundle_reader {
    struct cz_bundle_header h;
    int fd;                           /* -1: the bundle is mem */
    const uint8_t *mem;
    uint64_t file_len;
    uint8_t head[HEAD_MAX];
    uint8_t *key;                     /* sodium_malloc'd file key, once unlocked */
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_generichash_state hash;
    uint64_t chunk, nchunks, next;    /* chunk size, count, the next to decrypt */
    uint64_t pos;                     /* file offset of the next chunk */
    uint64_t taken;                   /* plaintext handed out */
    uint8_t *cipher;                  /* one chunk as read (fd only) */
    uint8_t *win;                     /* plaintext decrypted, not yet all taken */
    size_t win_cap, win_pos, win_len;
    int status;                       /* sticky: the first failure of the chunks */
    /* version 2: the chunk being unpacked, and the frame's state */
    ZSTD_DCtx *zd;
    uint8_t *zin;
    size_t zin_pos, zin_len;
    uint64_t unpacked;                /* bytes the frame gave so far */
    int framed, done, flush;          /* header checked; frame ended; output may be pending */
    int ustatus;                      /* sticky: the frame's first failure */
};

/* n bytes of the file at off; a file shorter than its header said was cut
 * after the header was read (a stick pulled out, a file rewritten). */
static int src_read(struct cz_bundle_reader *r, uint64_t off, size_t n, const uint8_t **p)
{
    if (r->fd < 0) {
        if (off > r->file_len || r->file_len - off < n) return CZ_ETRUNC;
        *p = r->mem + off;
        return CZ_OK;
    }
    for (size_t got = 0; got < n;) {
        ssize_t k = pread(r->fd, r->cipher + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return CZ_EIO;
        if (k == 0) return CZ_ETRUNC;
        got += (size_t)k;
    }
    *p = r->cipher;
    return CZ_OK;
}

static int reader_new(struct cz_bundle_reader **out)
{
    struct cz_bundle_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return CZ_ENOMEM;
    r->fd = -1;
    *out = r;
    return CZ_OK;
}

static int reader_head(struct cz_bundle_reader *r)
{
    size_t avail = r->file_len < HEAD_MAX ? (size_t)r->file_len : HEAD_MAX;
    const uint8_t *p;
    if (r->fd >= 0) {
        if (!(r->cipher = malloc(HEAD_MAX))) return CZ_ENOMEM;
        int rc = src_read(r, 0, avail, &p);
        if (rc) return rc;
        memcpy(r->head, p, avail);
        free(r->cipher);
        r->cipher = NULL;
    } else {
        memcpy(r->head, r->mem, avail);
    }
    return read_header(r->head, avail, r->file_len, &r->h);
}

int cz_bundle_reader_open_fd(int fd, cz_bundle_reader **out, struct cz_bundle_header *h)
{
    struct stat sb;
    int rc = reader_new(out);
    memset(h, 0, sizeof *h);
    if (rc) return rc;
    (*out)->fd = fd;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return CZ_EIO;
    (*out)->file_len = (uint64_t)sb.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    rc = reader_head(*out);
    *h = (*out)->h;
    return rc;
}

int cz_bundle_reader_open_mem(const uint8_t *buf, size_t len, cz_bundle_reader **out,
                              struct cz_bundle_header *h)
{
    int rc = reader_new(out);
    memset(h, 0, sizeof *h);
    if (rc) return rc;
    (*out)->mem = buf;
    (*out)->file_len = len;
    rc = reader_head(*out);
    *h = (*out)->h;
    return rc;
}

int cz_bundle_reader_rewind(cz_bundle_reader *r)
{
    if (!r->key) return CZ_EINVAL;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&r->ss, r->h.ss_header, r->key) != 0) return CZ_ECRYPTO;
    crypto_generichash_init(&r->hash, NULL, 0, 32);
    r->next = 0;
    r->pos = r->h.header_len;
    r->taken = 0;
    r->win_pos = r->win_len = 0;
    r->status = CZ_OK;
    r->zin_pos = r->zin_len = 0;
    r->unpacked = 0;
    r->framed = r->done = r->flush = 0;
    r->ustatus = CZ_OK;
    if (r->zd) ZSTD_DCtx_reset(r->zd, ZSTD_reset_session_only);
    return CZ_OK;
}

int cz_bundle_reader_unlock(cz_bundle_reader *r, const uint8_t box_pk[32], const uint8_t box_sk[32])
{
    const uint8_t *stanza = NULL;
    for (size_t i = 0; i < r->h.nrecipients && !stanza; i++)
        if (!memcmp(r->h.stanzas + i * CZ_BUNDLE_STANZA, box_pk, 32)) stanza = r->h.stanzas + i * CZ_BUNDLE_STANZA;
    if (!stanza) return CZ_ENOTFORUS;
    if (!r->key && !(r->key = sodium_malloc(32))) return CZ_ENOMEM;
    if (crypto_box_seal_open(r->key, stanza + 32, 80, box_pk, box_sk) != 0) {
        sodium_free(r->key);
        r->key = NULL;
        return CZ_ECRYPTO;
    }
    r->chunk = (uint64_t)1 << r->h.chunk_log2;
    r->nchunks = nchunks(r->h.plain_len, r->h.chunk_log2);
    if (r->fd >= 0 && !r->cipher && !(r->cipher = malloc((size_t)r->chunk + ABYTES))) return CZ_ENOMEM;
    if (r->h.version >= 2) {
        if (!r->zin && !(r->zin = malloc((size_t)r->chunk))) return CZ_ENOMEM;
        if (!r->zd && !(r->zd = dctx_new())) return CZ_ENOMEM;
    }
    return cz_bundle_reader_rewind(r);
}

uint64_t cz_bundle_reader_left(const cz_bundle_reader *r)
{
    return r->h.unpacked_len - r->taken;
}

/* Room for `more` bytes after the window's data; the old buffer is wiped. */
static int win_room(struct cz_bundle_reader *r, size_t more)
{
    if (r->win_pos && r->win_len - r->win_pos + more > r->win_cap - r->win_len) {
        memmove(r->win, r->win + r->win_pos, r->win_len - r->win_pos);
        r->win_len -= r->win_pos;
        r->win_pos = 0;
    }
    if (r->win && r->win_len + more <= r->win_cap) return CZ_OK;   /* (an empty bundle still gets one) */
    size_t cap = r->win_cap ? r->win_cap : 1024;
    while (cap < r->win_len + more) cap *= 2;
    uint8_t *w = malloc(cap);
    if (!w) return CZ_ENOMEM;
    if (r->win) {
        memcpy(w, r->win, r->win_len);
        sodium_memzero(r->win, r->win_cap);
        free(r->win);
    }
    r->win = w;
    r->win_cap = cap;
    return CZ_OK;
}

/* Decrypts the next chunk, with the checks of cz_bundle_open, onto the end
 * of the window (version 1) or into zin (version 2, whose window holds
 * what the frame unpacked). */
static int pull_chunk(struct cz_bundle_reader *r)
{
    uint64_t i = r->next, n = r->nchunks;
    size_t want = (size_t)(i + 1 < n ? r->chunk : r->h.plain_len - (n - 1) * r->chunk);
    const uint8_t *c;
    uint8_t *dst;
    unsigned long long got;
    unsigned char tag;
    int rc;
    if (i >= n) return CZ_ETRUNC;
    if (r->zin) {
        dst = r->zin;
    } else {
        if ((rc = win_room(r, want))) return rc;
        dst = r->win + r->win_len;
    }
    if ((rc = src_read(r, r->pos, want + ABYTES, &c))) return rc;
    if (crypto_secretstream_xchacha20poly1305_pull(&r->ss, dst, &got, &tag, c, want + ABYTES, NULL, 0) != 0)
        return CZ_EDAMAGED;
    if (i + 1 < n && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        return tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL ? CZ_ETRAILING : CZ_ECANON;
    if (i + 1 == n && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) return CZ_ETRUNC;
    crypto_generichash_update(&r->hash, dst, got);
    if (r->zin) {
        r->zin_pos = 0;
        r->zin_len = (size_t)got;
    } else {
        r->win_len += (size_t)got;
    }
    r->pos += want + ABYTES;
    r->next++;
    return CZ_OK;
}

/* Version 2: one step of unpacking into dst (cap > 0), pulling the next
 * chunk when the last is used up.  The chunks' faults go to status, the
 * frame's to ustatus; *got may be 0.  Call while neither is set and the
 * frame has not ended. */
static void unpack_step(struct cz_bundle_reader *r, uint8_t *dst, size_t cap, size_t *got)
{
    *got = 0;
    if (r->zin_pos == r->zin_len && !r->flush) {
        if (r->next >= r->nchunks) { r->ustatus = CZ_ETRUNC; return; }   /* the frame is cut short */
        if ((r->status = pull_chunk(r))) return;
        if (!r->framed) {
            if ((r->ustatus = frame_check(r->zin, r->zin_len, r->next == r->nchunks, r->h.unpacked_len))) return;
            r->framed = 1;
        }
    }
    ZSTD_inBuffer in = { r->zin, r->zin_len, r->zin_pos };
    ZSTD_outBuffer out = { dst, cap, 0 };
    size_t ret = ZSTD_decompressStream(r->zd, &out, &in);
    r->zin_pos = in.pos;
    if (ZSTD_isError(ret)) { r->ustatus = CZ_EUNPACK; return; }
    r->flush = out.pos == out.size;
    r->unpacked += out.pos;
    *got = out.pos;
    if (r->unpacked > r->h.unpacked_len) { r->ustatus = CZ_EUNPACK; return; }
    if (ret == 0) {
        r->done = 1;
        r->flush = 0;
        if (r->unpacked != r->h.unpacked_len) r->ustatus = CZ_EUNPACK;
        else if (r->zin_pos < r->zin_len || r->next < r->nchunks) r->ustatus = CZ_ETRAILING;
    }
}

int cz_bundle_reader_take(cz_bundle_reader *r, size_t n, const uint8_t **p)
{
    if (r->status) return r->status;
    if (r->ustatus) return r->ustatus;
    if (!r->key) return CZ_EINVAL;
    if (n > cz_bundle_reader_left(r)) return CZ_ETRUNC;
    if (!r->zin) {
        while (r->win_len - r->win_pos < n)
            if ((r->status = pull_chunk(r))) return r->status;
    } else {
        while (r->win_len - r->win_pos < n) {
            size_t need = n - (r->win_len - r->win_pos), got;
            if (r->done) return r->ustatus = CZ_ETRUNC;
            if ((r->status = win_room(r, need < UNPACK_STEP ? UNPACK_STEP : need))) return r->status;
            unpack_step(r, r->win + r->win_len, r->win_cap - r->win_len, &got);
            r->win_len += got;
            if (r->status) return r->status;
            if (r->ustatus) return r->ustatus;
        }
    }
    *p = r->win + r->win_pos;
    r->win_pos += n;
    r->taken += n;
    return CZ_OK;
}

int cz_bundle_reader_finish(cz_bundle_reader *r)
{
    uint8_t hash[32], one;
    size_t got;
    if (!r->key) return CZ_EINVAL;
    /* What is left is not asked for: unpacked into the window and dropped,
     * so the frame's end is checked as cz_bundle_open checks it. */
    while (r->zin && !r->status && !r->ustatus && !r->done) {
        r->win_pos = r->win_len = 0;
        if ((r->status = win_room(r, UNPACK_STEP))) break;
        unpack_step(r, r->win, r->win_cap, &got);
    }
    while (!r->status && r->next < r->nchunks) {
        r->win_pos = r->win_len = 0;
        r->status = pull_chunk(r);
    }
    if (r->status) return r->status;
    r->win_pos = r->win_len;
    if (r->pos != r->file_len) return r->status = CZ_ETRAILING;
    /* A file that grew since its length was checked has trailing bytes. */
    if (r->fd >= 0) {
        ssize_t k;
        do k = pread(r->fd, &one, 1, (off_t)r->pos); while (k < 0 && errno == EINTR);
        if (k < 0) return r->status = CZ_EIO;
        if (k > 0) return r->status = CZ_ETRAILING;
    }
    crypto_generichash_final(&r->hash, hash, 32);
    if (sodium_memcmp(hash, r->h.plain_hash, 32) != 0) return r->status = CZ_EHASH;
    if (r->ustatus) return r->status = r->ustatus;
    return CZ_OK;
}

void cz_bundle_reader_close(cz_bundle_reader *r)
{
    if (!r) return;
    if (r->win) {
        sodium_memzero(r->win, r->win_cap);
        free(r->win);
    }
    free(r->cipher);
    if (r->zin) {
        sodium_memzero(r->zin, (size_t)r->chunk);
        free(r->zin);
    }
    ZSTD_freeDCtx(r->zd);
    sodium_free(r->key);
    sodium_memzero(&r->ss, sizeof r->ss);
    free(r);
}

int cz_bundle_seal_raw(const struct cz_bundle_params *p, unsigned version, const uint8_t *plain,
                       size_t plain_len, uint64_t unpacked_len, uint8_t **out_p, size_t *out_len,
                       uint8_t id[CZ_ID_BYTES])
{
    unsigned log2 = p->chunk_log2 ? p->chunk_log2 : CZ_BUNDLE_CHUNK_LOG2;
    uint8_t *key = NULL, *out = NULL;
    crypto_secretstream_xchacha20poly1305_state ss;
    int rc;

    *out_p = NULL;
    if (p->nrecipients == 0 || p->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX || log2 < 10 || log2 > 20 ||
        version < 1 || version > 255)
        return CZ_EINVAL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    size_t header_len = cz_bundle_fixed_head(version) + p->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    uint64_t n = nchunks(plain_len, log2), chunk = (uint64_t)1 << log2;
    size_t total = header_len + plain_len + (size_t)n * ABYTES;
    if (!(key = sodium_malloc(32))) return CZ_ENOMEM;
    if (!(out = malloc(total))) { rc = CZ_ENOMEM; goto cleanup; }
    crypto_secretstream_xchacha20poly1305_keygen(key);

    uint8_t *h = out;
    memcpy(h, "CZB", 3);
    h[3] = (uint8_t)version;
    h[4] = 0;
    h[5] = (uint8_t)log2;
    h += 6;
    memcpy(h, p->sender_box, 32); h += 32;
    put64(h, p->seq); h += 8;
    put64(h, plain_len); h += 8;
    if (version >= 2) { put64(h, unpacked_len); h += 8; }
    crypto_generichash(h, 32, plain, plain_len, NULL, 0); h += 32;
    uint8_t *ss_header = h;
    h += 24;
    *h++ = (uint8_t)p->nrecipients;
    if (crypto_secretstream_xchacha20poly1305_init_push(&ss, ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    for (size_t i = 0; i < p->nrecipients; i++) {
        memcpy(h, p->recipients[i], 32);
        if (crypto_box_seal(h + 32, key, 32, p->recipients[i]) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
        h += CZ_BUNDLE_STANZA;
    }
    memcpy(h, p->signer, 32); h += 32;
    if ((rc = p->sign(p->sign_ctx, out, header_len - 64, h))) goto cleanup;
    size_t pos = header_len, in = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t m = (size_t)(i + 1 < n ? chunk : plain_len - (n - 1) * chunk);
        unsigned char tag = i + 1 < n ? crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
                                      : crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (crypto_secretstream_xchacha20poly1305_push(&ss, out + pos, NULL, plain + in, m, NULL, 0, tag) != 0) {
            rc = CZ_ECRYPTO;
            goto cleanup;
        }
        pos += m + ABYTES;
        in += m;
    }
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

/* ---- version vectors ---- */

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

int cz_vv_add(struct cz_vv *v, const uint8_t origin[32], uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    size_t at;
    struct cz_vv_origin *o = vv_find(v, origin, &at);
    if (seq == 0) return CZ_EINVAL;
    if (!o) {
        if (v->n == v->cap) {
            size_t cap = v->cap ? 2 * v->cap : 16;
            struct cz_vv_origin *no = realloc(v->o, cap * sizeof *no);
            if (!no) return CZ_ENOMEM;
            v->o = no;
            v->cap = cap;
        }
        memmove(v->o + at + 1, v->o + at, (v->n - at) * sizeof *v->o);
        v->n++;
        o = &v->o[at];
        memset(o, 0, sizeof *o);
        memcpy(o->origin, origin, 32);
    }
    /* Find the first range ending at or after seq - 1 (ranges are sorted). */
    size_t i = o->n;
    while (i > 0 && o->r[i - 1].hi + 1 >= seq) i--;
    if (i < o->n && o->r[i].lo <= seq && seq <= o->r[i].hi) return CZ_OK;
    if (i < o->n && o->r[i].hi + 1 == seq) {          /* extends range i */
        o->r[i].hi = seq;
        memcpy(o->r[i].id, id, CZ_ID_BYTES);
        if (i + 1 < o->n && o->r[i + 1].lo == seq + 1) {   /* and joins the next */
            o->r[i].hi = o->r[i + 1].hi;
            memcpy(o->r[i].id, o->r[i + 1].id, CZ_ID_BYTES);
            memmove(o->r + i + 1, o->r + i + 2, (o->n - i - 2) * sizeof *o->r);
            o->n--;
        }
        return CZ_OK;
    }
    if (i < o->n && o->r[i].lo == seq + 1) { o->r[i].lo = seq; return CZ_OK; }
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 4;
        struct cz_vv_range *nr = realloc(o->r, cap * sizeof *nr);
        if (!nr) return CZ_ENOMEM;
        o->r = nr;
        o->cap = cap;
    }
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

void cz_vv_free(struct cz_vv *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->o[i].r);
    free(v->o);
    memset(v, 0, sizeof *v);
}

static int grow(uint8_t **buf, size_t *len, size_t *cap, size_t more)
{
    if (*len + more <= *cap) return CZ_OK;
    size_t c = *cap ? *cap : 1024;
    while (c < *len + more) c *= 2;
    uint8_t *b = realloc(*buf, c);
    if (!b) return CZ_ENOMEM;
    *buf = b;
    *cap = c;
    return CZ_OK;
}

/* bounded: at most the CZ_VV_*_MAX a reader takes (bundle.h). */
static int vv_encode(const struct cz_vv *v, int bounded, uint8_t **buf, size_t *len, size_t *cap)
{
    size_t norigins = v->n, left = SIZE_MAX;
    if (bounded) {
        /* Origins while ranges are left (an origin needs one). */
        left = CZ_VV_RANGES_MAX;
        norigins = 0;
        for (size_t i = 0; i < v->n && norigins < CZ_VV_ORIGINS_MAX && left; i++, norigins++)
            left -= v->o[i].n < CZ_VV_ORIGIN_RANGES_MAX && v->o[i].n < left ? v->o[i].n
                  : CZ_VV_ORIGIN_RANGES_MAX < left ? CZ_VV_ORIGIN_RANGES_MAX : left;
        left = CZ_VV_RANGES_MAX;
    }
    int rc = grow(buf, len, cap, 4);
    if (rc) return rc;
    put32(*buf + *len, (uint32_t)norigins);
    *len += 4;
    for (size_t i = 0; i < norigins; i++) {
        const struct cz_vv_origin *o = &v->o[i];
        size_t nr = o->n;
        if (bounded) {
            if (nr > CZ_VV_ORIGIN_RANGES_MAX) nr = CZ_VV_ORIGIN_RANGES_MAX;
            if (nr > left) nr = left;
            left -= nr;
        }
        if ((rc = grow(buf, len, cap, 36 + nr * 48))) return rc;
        memcpy(*buf + *len, o->origin, 32);
        put32(*buf + *len + 32, (uint32_t)nr);
        *len += 36;
        for (size_t j = 0; j < nr; j++) {
            put64(*buf + *len, o->r[j].lo);
            put64(*buf + *len + 8, o->r[j].hi);
            memcpy(*buf + *len + 16, o->r[j].id, 32);
            *len += 48;
        }
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

/* One decoder for a vector in a buffer and in a streamed bundle: the
 * pieces come through `take` as they are checked, and memory grows with
 * the ranges actually read, never with a count the bundle claims. */
struct vv_src {
    int (*take)(void *ctx, size_t n, const uint8_t **p);
    uint64_t (*left)(void *ctx);
    void *ctx;
};

static int vv_grow_origins(struct cz_vv *v)
{
    if (v->n < v->cap) return CZ_OK;
    size_t cap = v->cap ? 2 * v->cap : 16;
    struct cz_vv_origin *no = realloc(v->o, cap * sizeof *no);
    if (!no) return CZ_ENOMEM;
    v->o = no;
    v->cap = cap;
    return CZ_OK;
}

static int vv_decode_from(struct vv_src *s, struct cz_vv *v)
{
    struct cz_vv scratch = { 0 };
    uint8_t prev_origin[32];            /* the last origin read (v may be NULL: checks only) */
    uint64_t prev_hi = 0;               /* and the end of its last range */
    const uint8_t *p;
    size_t total = 0;
    int rc;
    if (!v) v = &scratch;
    memset(v, 0, sizeof *v);
    if (s->left(s->ctx) < 4) return CZ_ETRUNC;
    if ((rc = s->take(s->ctx, 4, &p))) return rc;
    uint32_t n = get32(p);
    if (n > s->left(s->ctx) / 36) return CZ_ETRUNC;
    if (n > CZ_VV_ORIGINS_MAX) return CZ_ETOOBIG;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t origin[32];
        if (s->left(s->ctx) < 36) { rc = CZ_ETRUNC; goto fail; }
        if ((rc = s->take(s->ctx, 36, &p))) goto fail;
        memcpy(origin, p, 32);
        uint32_t nr = get32(p + 32);
        if (i && memcmp(prev_origin, origin, 32) >= 0) { rc = CZ_ECANON; goto fail; }
        memcpy(prev_origin, origin, 32);
        if (nr == 0) { rc = CZ_ECANON; goto fail; }
        if (nr > s->left(s->ctx) / 48) { rc = CZ_ETRUNC; goto fail; }
        if (nr > CZ_VV_ORIGIN_RANGES_MAX || nr > CZ_VV_RANGES_MAX - total) { rc = CZ_ETOOBIG; goto fail; }
        total += nr;
        struct cz_vv_origin *o = NULL;
        if (v != &scratch) {
            if ((rc = vv_grow_origins(v))) goto fail;
            o = &v->o[v->n++];
            memset(o, 0, sizeof *o);
            memcpy(o->origin, origin, 32);
        }
        for (uint32_t j = 0; j < nr; j++) {
            struct cz_vv_range r;
            if ((rc = s->take(s->ctx, 48, &p))) goto fail;
            r.lo = get64(p);
            r.hi = get64(p + 8);
            memcpy(r.id, p + 16, 32);
            /* Sorted, disjoint and not adjacent: one encoding per vector. */
            if (r.lo == 0 || r.hi < r.lo || (j && r.lo <= prev_hi + 1)) { rc = CZ_ECANON; goto fail; }
            prev_hi = r.hi;
            if (o) {
                if (o->n == o->cap) {
                    size_t cap = o->cap ? 2 * o->cap : 4;
                    struct cz_vv_range *nr2 = realloc(o->r, cap * sizeof *nr2);
                    if (!nr2) { rc = CZ_ENOMEM; goto fail; }
                    o->r = nr2;
                    o->cap = cap;
                }
                o->r[o->n++] = r;
            }
        }
    }
    return CZ_OK;
fail:
    cz_vv_free(v);
    return rc;
}

struct buf_src { const uint8_t *buf; size_t len, *pos; };

static int buf_take(void *ctx, size_t n, const uint8_t **p)
{
    struct buf_src *b = ctx;
    if (b->len - *b->pos < n) return CZ_ETRUNC;
    *p = b->buf + *b->pos;
    *b->pos += n;
    return CZ_OK;
}

static uint64_t buf_left(void *ctx)
{
    struct buf_src *b = ctx;
    return b->len - *b->pos;
}

int cz_vv_decode(const uint8_t *buf, size_t len, size_t *pos, struct cz_vv *v)
{
    struct buf_src b = { buf, len, pos };
    struct vv_src s = { buf_take, buf_left, &b };
    if (*pos > len) return CZ_ETRUNC;
    return vv_decode_from(&s, v);
}

static int reader_take(void *ctx, size_t n, const uint8_t **p)
{
    if (cz_bundle_reader_left(ctx) < n) return CZ_ETRUNC;
    return cz_bundle_reader_take(ctx, n, p);
}

static uint64_t reader_left(void *ctx) { return cz_bundle_reader_left(ctx); }

int cz_vv_decode_reader(cz_bundle_reader *r, struct cz_vv *v)
{
    struct vv_src s = { reader_take, reader_left, r };
    return vv_decode_from(&s, v);
}

/* ---- plaintext ---- */

int cz_payload_start(struct cz_payload_writer *w, uint8_t kind, const struct cz_vv *vv)
{
    memset(w, 0, sizeof *w);
    int rc = grow(&w->buf, &w->len, &w->cap, 5);
    if (rc) return rc;
    memcpy(w->buf, "CZP", 3);
    w->buf[3] = 1;
    w->buf[4] = kind;
    w->len = 5;
    if ((rc = cz_vv_encode(vv, &w->buf, &w->len, &w->cap))) return rc;
    if ((rc = grow(&w->buf, &w->len, &w->cap, 4))) return rc;
    w->count_at = w->len;
    w->len += 4;
    return CZ_OK;
}

int cz_payload_add(struct cz_payload_writer *w, const uint8_t *entry, size_t len)
{
    if (len > UINT32_MAX || w->count == UINT32_MAX) return CZ_ETOOBIG;
    int rc = grow(&w->buf, &w->len, &w->cap, 4 + len);
    if (rc) return rc;
    put32(w->buf + w->len, (uint32_t)len);
    memcpy(w->buf + w->len + 4, entry, len);
    w->len += 4 + len;
    w->count++;
    return CZ_OK;
}

void cz_payload_finish(struct cz_payload_writer *w)
{
    put32(w->buf + w->count_at, w->count);
}

int cz_payload_decode(const uint8_t *buf, size_t len, struct cz_payload *p)
{
    size_t pos = 5;
    int rc;
    memset(p, 0, sizeof *p);
    if (len < 5) return CZ_ETRUNC;
    if (memcmp(buf, "CZP", 3)) return CZ_EMAGIC;
    if (buf[3] != 1) return buf[3] < 1 ? CZ_EOLDFORMAT : CZ_EVERSION;
    p->kind = buf[4];
    if (p->kind != CZ_PAYLOAD_SYNC && p->kind != CZ_PAYLOAD_BACKUP) return CZ_EVERSION;
    if ((rc = cz_vv_decode(buf, len, &pos, &p->vv))) return rc;
    if (len - pos < 4) { rc = CZ_ETRUNC; goto fail; }
    uint32_t n = get32(buf + pos);
    pos += 4;
    if (n > (len - pos) / 4) { rc = CZ_ETRUNC; goto fail; }
    p->entry = calloc(n ? n : 1, sizeof *p->entry);
    p->entry_len = calloc(n ? n : 1, sizeof *p->entry_len);
    if (!p->entry || !p->entry_len) { rc = CZ_ENOMEM; goto fail; }
    for (uint32_t i = 0; i < n; i++) {
        if (len - pos < 4) { rc = CZ_ETRUNC; goto fail; }
        uint32_t l = get32(buf + pos);
        pos += 4;
        if (l > len - pos) { rc = CZ_ETRUNC; goto fail; }
        p->entry[i] = buf + pos;
        p->entry_len[i] = l;
        pos += l;
    }
    p->n = n;
    if (pos != len) { rc = CZ_ETRAILING; goto fail; }
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
    memset(p, 0, sizeof *p);
}
