#include "bundle_stream.h"
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

static void put64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v; }

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
    ZSTD_inBuffer in = { p, len, 0 };
    ZSTD_EndDirective end = last ? ZSTD_e_end : ZSTD_e_continue;
    int rc;
    for (;;) {
        if (k->pend_cap - k->pend_len < k->chunk && (rc = sink_flush(k, 0))) return rc;
        ZSTD_outBuffer o = { k->pend + k->pend_len, k->pend_cap - k->pend_len, 0 };
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

int cz_bundle_write_stream(const char *stick, const struct cz_bundle_params *p, uint64_t plain_len,
                           cz_plain_fill_fn fill, void *ctx, char *path, size_t path_size,
                           uint8_t id[CZ_ID_BYTES], size_t *file_len)
{
    unsigned log2 = p->chunk_log2 ? p->chunk_log2 : CZ_BUNDLE_CHUNK_LOG2;
    char dir[PATH_MAX], tmp[PATH_MAX + 32], idhex[65];
    uint8_t *key = NULL, *plain = NULL, *header = NULL;
    struct sink k = { .fd = -1 };
    ZSTD_CCtx *c = NULL;
    int made = 0, rc;

    *file_len = 0;
    if (p->nrecipients == 0 || p->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX || log2 < 10 || log2 > 20)
        return CZ_EINVAL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    size_t header_len = cz_bundle_fixed_head(CZ_BUNDLE_VERSION) + p->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    size_t chunk_size = (size_t)1 << log2;

    if ((rc = make_folder(stick, p, dir, sizeof dir))) return rc;
    snprintf(tmp, sizeof tmp, "%s/.bundle.tmp-XXXXXX", dir);

    size_t per_batch = OUT_BATCH / chunk_size ? OUT_BATCH / chunk_size : 1;
    size_t batch_plain = per_batch * chunk_size;
    k.chunk = chunk_size;
    k.pend_cap = batch_plain + chunk_size;
    if (!(key = sodium_malloc(32)) || !(plain = malloc(batch_plain)) || !(k.pend = malloc(k.pend_cap)) ||
        !(k.out = malloc((per_batch + 1) * (chunk_size + ABYTES))) || !(header = calloc(1, header_len)) ||
        !(c = cz_bundle_cctx(plain_len, zstd_workers(plain_len)))) {
        rc = CZ_ENOMEM;
        goto cleanup;
    }
    if ((k.fd = mkstemp(tmp)) < 0) { rc = cz_fs_errno_status(errno); goto cleanup; }
    made = 1;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    uint8_t *ss_header = header + 6 + 32 + 8 + 8 + 8 + 32;
    if (crypto_secretstream_xchacha20poly1305_init_push(&k.ss, ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    crypto_generichash_init(&k.hs, NULL, 0, 32);
    /* Room for the header, written last. */
    if ((rc = write_all(k.fd, header, header_len, -1))) goto cleanup;
    k.written = k.kicked = (off_t)header_len;

    for (uint64_t done = 0;;) {
        size_t bytes = plain_len - done < batch_plain ? (size_t)(plain_len - done) : batch_plain;
        if (bytes && (rc = fill(ctx, plain, bytes))) goto cleanup;
        done += bytes;
        if ((rc = compress_batch(c, &k, plain, bytes, done == plain_len))) goto cleanup;
        if (done == plain_len) break;
    }

    uint8_t *h = header;
    memcpy(h, "CZB", 3);
    h[3] = CZ_BUNDLE_VERSION;
    h[4] = 0;
    h[5] = (uint8_t)log2;
    h += 6;
    memcpy(h, p->sender_box, 32); h += 32;
    put64(h, p->seq); h += 8;
    put64(h, k.stored); h += 8;
    put64(h, plain_len); h += 8;
    crypto_generichash_final(&k.hs, h, 32); h += 32;
    h += 24;   /* ss_header, filled by init_push */
    *h++ = (uint8_t)p->nrecipients;
    for (size_t i = 0; i < p->nrecipients; i++) {
        memcpy(h, p->recipients[i], 32);
        if (crypto_box_seal(h + 32, key, 32, p->recipients[i]) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
        h += CZ_BUNDLE_STANZA;
    }
    memcpy(h, p->signer, 32); h += 32;
    if ((rc = p->sign(p->sign_ctx, header, header_len - 64, h))) goto cleanup;
    if ((rc = write_all(k.fd, header, header_len, 0))) goto cleanup;
    crypto_generichash(id, CZ_ID_BYTES, header, header_len, NULL, 0);

    if (fsync(k.fd) != 0) { rc = cz_fs_errno_status(errno); goto cleanup; }
    int cr = close(k.fd);
    k.fd = -1;
    if (cr != 0) { rc = cz_fs_errno_status(errno); goto cleanup; }
    cz_hex(id, CZ_ID_BYTES, idhex);
    if (snprintf(path, path_size, "%s/%s.czb", dir, idhex) >= (int)path_size) { rc = CZ_EINVAL; goto cleanup; }
    if (rename(tmp, path) != 0) { rc = cz_fs_errno_status(errno); goto cleanup; }
    made = 0;
    if ((rc = cz_fs_fsync_dir(dir))) goto cleanup;
    *file_len = header_len + (size_t)k.stored + (size_t)k.nchunks * ABYTES;
cleanup:
    if (k.fd >= 0) close(k.fd);
    if (rc && made) unlink(tmp);
    if (plain) sodium_memzero(plain, batch_plain);
    if (k.pend) sodium_memzero(k.pend, k.pend_cap);
    sodium_memzero(&k.ss, sizeof k.ss);
    sodium_free(key);
    ZSTD_freeCCtx(c);
    free(plain);
    free(k.pend);
    free(k.out);
    free(header);
    return cz_fs_stick_status(stick, rc);
}
