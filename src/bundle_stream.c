/* bundle_stream.c — a bundle written straight to the stick while its
 * plaintext is produced (bundle_stream.h). */
#include "bundle_stream.h"
#include "bytes.h"
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
/* Plaintext filled, and encrypted chunks gathered before one write(), a
 * batch at a time.  Small: each new page costs a fault (on the build VM
 * 256 KiB instead of 1 MiB batches took 570 fewer faults and 20-25% less
 * CPU for a 10,000-record export; 128 and 64 KiB did no better). */
#define OUT_BATCH (1u << 18)

static int write_all(int fd, const uint8_t *buf, size_t len, off_t at)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = at < 0 ? write(fd, buf + off, len - off) : pwrite(fd, buf + off, len - off, at + (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        /* A short write without an error is a full disk (write(2)). */
        if (w <= 0) return w < 0 ? cz_fs_errno_status(errno) : CZ_EDISKFULL;
        off += (size_t)w;
    }
    return CZ_OK;
}

/* The compressed bytes on their way to the file: held until more than a
 * chunk is pending (the last chunk, FINAL, is only known at the end), then
 * hashed, encrypted and written a batch of chunks at a time. */
struct sink {
    int fd;
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_generichash_state hs;
    uint8_t *pend, *out;
    size_t pend_len, pend_cap, chunk;
    uint64_t stored, nchunks;
    off_t written, kicked;            /* file bytes written; those handed to writeback */
};

/* Starts the kernel writing what is written so far (every WRITEBACK_STEP
 * bytes), so the fsync at the end waits for the last stretch only instead
 * of the whole file: on a slow stick the writing overlaps the compressing.
 * Only a hint: the fsync still decides durability, and a failure here is
 * left to it. */
#define WRITEBACK_STEP ((off_t)4 << 20)

static void writeback(struct sink *k)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (k->written - k->kicked < WRITEBACK_STEP) return;
    (void)sync_file_range(k->fd, k->kicked, k->written - k->kicked, SYNC_FILE_RANGE_WRITE);
    k->kicked = k->written;
#else
    (void)k;
#endif
}

static int sink_flush(struct sink *k, int final)
{
    size_t at = 0, used = 0;
    while (k->pend_len - at > k->chunk || final) {
        size_t m = k->pend_len - at > k->chunk ? k->chunk : k->pend_len - at;
        unsigned char tag = k->pend_len - at > k->chunk ? crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
                                                        : crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        crypto_generichash_update(&k->hs, k->pend + at, m);
        if (crypto_secretstream_xchacha20poly1305_push(&k->ss, k->out + used, NULL, k->pend + at, m, NULL, 0, tag) != 0)
            return CZ_ECRYPTO;
        at += m;
        used += m + ABYTES;
        k->nchunks++;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
    }
    int rc = write_all(k->fd, k->out, used, -1);
    if (rc == CZ_OK) {
        k->written += (off_t)used;
        writeback(k);
    }
    memmove(k->pend, k->pend + at, k->pend_len - at);
    k->pend_len -= at;
    k->stored += at;
    return rc;
}

/* One batch of plaintext into the compressor (the last one ends the
 * frame), its output through the sink as it comes. */
static int compress_batch(ZSTD_CCtx *c, struct sink *k, const uint8_t *p, size_t len, int last)
{
    ZSTD_inBuffer in = { .src = p, .size = len, .pos = 0 };
    ZSTD_EndDirective end = last ? ZSTD_e_end : ZSTD_e_continue;
    int rc;
    for (;;) {
        if (k->pend_cap - k->pend_len < k->chunk && (rc = sink_flush(k, 0))) return rc;
        ZSTD_outBuffer o = { .dst = k->pend + k->pend_len, .size = k->pend_cap - k->pend_len, .pos = 0 };
        size_t left = ZSTD_compressStream2(c, &o, &in, end);
        if (ZSTD_isError(left)) return CZ_ENOMEM;
        k->pend_len += o.pos;
        if (last ? left == 0 : in.pos == in.size) break;
    }
    return last ? sink_flush(k, 1) : CZ_OK;
}

/* zstd's own threads compress (the frame is the same single frame; jobs
 * of 1 MiB, see cz_bundle_cctx), one per core up to ZSTD_WORKERS_MAX; the
 * calling thread fills, hashes, encrypts and writes meanwhile.  Under
 * ZSTD_THREADS_FROM bytes of plaintext the calling thread compresses too:
 * zstd's threads and their buffers (new pages, each faulted in) cost more
 * than they save there (measured: 2.7 MB took 15-20 ms more CPU). */
#define ZSTD_WORKERS_MAX 4
#define ZSTD_THREADS_FROM ((uint64_t)4 << 20)

static int zstd_workers(uint64_t plain_len)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (plain_len < ZSTD_THREADS_FROM) return 0;
    return n < 1 ? 1 : n > ZSTD_WORKERS_MAX ? ZSTD_WORKERS_MAX : (int)n;
}

static int folder(const char *stick, const struct cz_bundle_params *p, char *dir, size_t size)
{
    char rhex[65], shex[65];
    cz_hex(p->recipients[0], 32, rhex);
    cz_hex(p->sender_box, 32, shex);
    return snprintf(dir, size, "%s/cunzhan/%.16s/%.16s", stick, rhex, shex) >= (int)size ? CZ_EINVAL : CZ_OK;
}

/* The folders below the stick are made and checked part by part without
 * following a symlink (fsutil.h): a stick can carry a `cunzhan` link to
 * anywhere.  The writes that follow use the path; the parts were folders
 * when checked, and a stick does not change under us by itself. */
static int make_folder(const char *stick, const struct cz_bundle_params *p, char *dir, size_t size)
{
    int rc = folder(stick, p, dir, size);
    return rc ? rc : cz_fs_stick_status(stick, cz_fs_make_dirs_under(stick, dir + strlen(stick) + 1, 0755));
}

int cz_bundle_stream_folder(const char *stick, const struct cz_bundle_params *p)
{
    char dir[PATH_MAX];
    return make_folder(stick, p, dir, sizeof dir);
}

/* One bundle being written: the temp file's sink, the plaintext batch,
 * the header (written last, into the room left at the start). */
struct stream {
    const struct cz_bundle_params *p;
    unsigned log2;
    size_t header_len, batch_plain;
    char dir[PATH_MAX], tmp[PATH_MAX + 32];
    uint8_t *key, *plain, *header;
    struct sink k;
    ZSTD_CCtx *c;
    int made;                         /* the temp file exists */
};

static int stream_alloc(struct stream *s, uint64_t plain_len)
{
    size_t chunk_size = (size_t)1 << s->log2;
    size_t per_batch = OUT_BATCH / chunk_size ? OUT_BATCH / chunk_size : 1;
    s->batch_plain = per_batch * chunk_size;
    s->k.chunk = chunk_size;
    s->k.pend_cap = s->batch_plain + chunk_size;
    if (!(s->key = sodium_malloc(32)) || !(s->plain = malloc(s->batch_plain)) ||
        !(s->k.pend = malloc(s->k.pend_cap)) || !(s->k.out = malloc((per_batch + 1) * (chunk_size + ABYTES))) ||
        !(s->header = calloc(1, s->header_len)) || !(s->c = cz_bundle_cctx(plain_len, zstd_workers(plain_len))))
        return CZ_ENOMEM;
    return CZ_OK;
}

/* The temp file, the stream's key, and the room for the header. */
static int stream_open(struct stream *s)
{
    snprintf(s->tmp, sizeof s->tmp, "%s/.bundle.tmp-XXXXXX", s->dir);
    if ((s->k.fd = mkstemp(s->tmp)) < 0) return cz_fs_errno_status(errno);
    s->made = 1;
    crypto_secretstream_xchacha20poly1305_keygen(s->key);
    uint8_t *ss_header = s->header + 6 + 32 + 8 + 8 + 8 + 32;
    if (crypto_secretstream_xchacha20poly1305_init_push(&s->k.ss, ss_header, s->key) != 0) return CZ_ECRYPTO;
    crypto_generichash_init(&s->k.hs, NULL, 0, 32);
    int rc = write_all(s->k.fd, s->header, s->header_len, -1);
    if (rc) return rc;
    s->k.written = s->k.kicked = (off_t)s->header_len;
    return CZ_OK;
}

static int stream_body(struct stream *s, uint64_t plain_len, cz_plain_fill_fn fill, void *ctx)
{
    int rc;
    for (uint64_t done = 0;;) {
        size_t bytes = plain_len - done < s->batch_plain ? (size_t)(plain_len - done) : s->batch_plain;
        if (bytes && (rc = fill(ctx, s->plain, bytes))) return rc;
        done += bytes;
        if ((rc = compress_batch(s->c, &s->k, s->plain, bytes, done == plain_len))) return rc;
        if (done == plain_len) return CZ_OK;
    }
}

/* The signed header, now that the stored bytes' length and hash are
 * known, over the room left for it. */
static int stream_header(struct stream *s, uint64_t plain_len, uint8_t id[CZ_ID_BYTES])
{
    const struct cz_bundle_params *p = s->p;
    uint8_t *h = s->header;
    memcpy(h, "CZB", 3);
    h[3] = CZ_BUNDLE_VERSION;
    h[4] = 0;
    h[5] = (uint8_t)s->log2;
    h += 6;
    memcpy(h, p->sender_box, 32); h += 32;
    cz_put_be64(h, p->seq); h += 8;
    cz_put_be64(h, s->k.stored); h += 8;
    cz_put_be64(h, plain_len); h += 8;
    crypto_generichash_final(&s->k.hs, h, 32); h += 32;
    h += 24;   /* ss_header, filled by init_push */
    *h++ = (uint8_t)p->nrecipients;
    for (size_t i = 0; i < p->nrecipients; i++) {
        memcpy(h, p->recipients[i], 32);
        if (crypto_box_seal(h + 32, s->key, 32, p->recipients[i]) != 0) return CZ_ECRYPTO;
        h += CZ_BUNDLE_STANZA;
    }
    memcpy(h, p->signer, 32); h += 32;
    int rc = p->sign(p->sign_ctx, s->header, s->header_len - 64, h);
    if (rc || (rc = write_all(s->k.fd, s->header, s->header_len, 0))) return rc;
    crypto_generichash(id, CZ_ID_BYTES, s->header, s->header_len, NULL, 0);
    return CZ_OK;
}

/* fsync, close, rename to <id>.czb, fsync the folder. */
static int stream_commit(struct stream *s, const uint8_t id[CZ_ID_BYTES], char *path, size_t path_size)
{
    char idhex[65];
    if (fsync(s->k.fd) != 0) return cz_fs_errno_status(errno);
    int cr = close(s->k.fd);
    s->k.fd = -1;
    if (cr != 0) return cz_fs_errno_status(errno);
    cz_hex(id, CZ_ID_BYTES, idhex);
    if (snprintf(path, path_size, "%s/%s.czb", s->dir, idhex) >= (int)path_size) return CZ_EINVAL;
    if (rename(s->tmp, path) != 0) return cz_fs_errno_status(errno);
    s->made = 0;
    return cz_fs_fsync_dir(s->dir);
}

static void stream_free(struct stream *s)
{
    if (s->k.fd >= 0) close(s->k.fd);
    if (s->made) unlink(s->tmp);
    if (s->plain) sodium_memzero(s->plain, s->batch_plain);
    if (s->k.pend) sodium_memzero(s->k.pend, s->k.pend_cap);
    sodium_memzero(&s->k.ss, sizeof s->k.ss);
    sodium_free(s->key);
    ZSTD_freeCCtx(s->c);
    free(s->plain);
    free(s->k.pend);
    free(s->k.out);
    free(s->header);
}

int cz_bundle_write_stream(const char *stick, const struct cz_bundle_params *p, uint64_t plain_len,
                           cz_plain_fill_fn fill, void *ctx, char *path, size_t path_size,
                           uint8_t id[CZ_ID_BYTES], size_t *file_len)
{
    struct stream s = { .p = p, .log2 = p->chunk_log2 ? p->chunk_log2 : CZ_BUNDLE_CHUNK_LOG2, .k = { .fd = -1 } };
    int rc;

    *file_len = 0;
    if (p->nrecipients == 0 || p->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX || s.log2 < 10 || s.log2 > 20)
        return CZ_EINVAL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    s.header_len = cz_bundle_fixed_head(CZ_BUNDLE_VERSION) + p->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    if ((rc = make_folder(stick, p, s.dir, sizeof s.dir))) return rc;
    if ((rc = stream_alloc(&s, plain_len)) || (rc = stream_open(&s)) || (rc = stream_body(&s, plain_len, fill, ctx)) ||
        (rc = stream_header(&s, plain_len, id)) || (rc = stream_commit(&s, id, path, path_size)))
        goto cleanup;
    *file_len = s.header_len + (size_t)s.k.stored + (size_t)s.k.nchunks * ABYTES;
cleanup:
    stream_free(&s);
    return cz_fs_stick_status(stick, rc);
}
