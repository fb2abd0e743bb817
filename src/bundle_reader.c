/* bundle_reader.c — a bundle read a piece at a time (bundle.h,
 * cz_bundle_reader): one chunk and the piece asked for are held, never the
 * whole file, with the checks cz_bundle_open makes of a whole one. */
#include "bundle.h"
#include "bundle_int.h"
#include "fsutil.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Unpacked output asked for at a time. */
#define UNPACK_STEP 65536

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
        if (k < 0) return cz_fs_errno_status(errno);
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
    return bundle_parse_header(r->head, avail, r->file_len, &r->h);
}

int cz_bundle_reader_open_fd(int fd, cz_bundle_reader **out, struct cz_bundle_header *h)
{
    struct stat sb;
    int rc = reader_new(out);
    memset(h, 0, sizeof *h);
    if (rc) return rc;
    (*out)->fd = fd;
    if (fstat(fd, &sb) != 0) return cz_fs_errno_status(errno);
    if (!S_ISREG(sb.st_mode)) return CZ_ENOTPLAIN;   /* a pipe or device: never read */
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
    const uint8_t *stanza = bundle_stanza(&r->h, box_pk);
    if (!stanza) return CZ_ENOTFORUS;
    if (!r->key && !(r->key = sodium_malloc(32))) return CZ_ENOMEM;
    if (crypto_box_seal_open(r->key, stanza + 32, 80, box_pk, box_sk) != 0) {
        sodium_free(r->key);
        r->key = NULL;
        return CZ_ECRYPTO;
    }
    r->chunk = (uint64_t)1 << r->h.chunk_log2;
    r->nchunks = bundle_nchunks(r->h.plain_len, r->h.chunk_log2);
    if (r->fd >= 0 && !r->cipher && !(r->cipher = malloc((size_t)r->chunk + ABYTES))) return CZ_ENOMEM;
    if (r->h.version >= 2) {
        if (!r->zin && !(r->zin = malloc((size_t)r->chunk))) return CZ_ENOMEM;
        if (!r->zd && !(r->zd = bundle_dctx_new())) return CZ_ENOMEM;
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
            if ((r->ustatus = bundle_frame_check(r->zin, r->zin_len, r->next == r->nchunks, r->h.unpacked_len))) return;
            r->framed = 1;
        }
    }
    ZSTD_inBuffer in = { .src = r->zin, .size = r->zin_len, .pos = r->zin_pos };
    ZSTD_outBuffer out = { .dst = dst, .size = cap, .pos = 0 };
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
        if (k < 0) return r->status = cz_fs_errno_status(errno);
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
