#include "bundle_stream.h"
#include "fsutil.h"
#include "keys.h"
#include "status.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
/* bundle.h's header up to nrecipients: magic+version, flags, chunk_log2,
 * sender_box, seq, plain_len, plain_hash, ss_header, nrecipients. */
#define FIXED_HEAD (4 + 1 + 1 + 32 + 8 + 8 + 32 + 24 + 1)
/* Encrypted chunks gathered before one write(). */
#define OUT_BATCH (1u << 20)

static void put64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v; }

/* The plaintext hash is the dearest step (BLAKE2b is slower than the
 * encryption): it runs beside the encryption, one batch behind the fill. */
struct hash_job { crypto_generichash_state *hs; const uint8_t *p; size_t len; };

static void *hash_batch(void *arg)
{
    struct hash_job *j = arg;
    crypto_generichash_update(j->hs, j->p, j->len);
    return NULL;
}

static int write_all(int fd, const uint8_t *buf, size_t len, off_t at)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = at < 0 ? write(fd, buf + off, len - off) : pwrite(fd, buf + off, len - off, at + (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return CZ_EIO;
        off += (size_t)w;
    }
    return CZ_OK;
}

int cz_bundle_write_stream(const char *stick, const struct cz_bundle_params *p, uint64_t plain_len,
                           cz_plain_fill_fn fill, void *ctx, char *path, size_t path_size,
                           uint8_t id[CZ_ID_BYTES], size_t *file_len)
{
    unsigned log2 = p->chunk_log2 ? p->chunk_log2 : CZ_BUNDLE_CHUNK_LOG2;
    char dir[PATH_MAX], tmp[PATH_MAX + 32], rhex[65], shex[65], idhex[65];
    uint8_t *key = NULL, *plain[2] = { NULL, NULL }, *out = NULL, *header = NULL;
    pthread_t hasher;
    struct hash_job job;
    int hashing = 0;
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_generichash_state hs;
    int fd = -1, made = 0, rc;

    *file_len = 0;
    if (p->nrecipients == 0 || p->nrecipients > CZ_BUNDLE_RECIPIENTS_MAX || log2 < 10 || log2 > 20)
        return CZ_EINVAL;
    if (plain_len > CZ_BUNDLE_PLAIN_MAX) return CZ_ETOOBIG;
    size_t header_len = FIXED_HEAD + p->nrecipients * CZ_BUNDLE_STANZA + 32 + 64;
    size_t chunk_size = (size_t)1 << log2;
    uint64_t n = plain_len == 0 ? 1 : (plain_len + chunk_size - 1) / chunk_size;
    size_t total = header_len + (size_t)plain_len + (size_t)n * ABYTES;

    cz_hex(p->recipients[0], 32, rhex);
    cz_hex(p->sender_box, 32, shex);
    if (snprintf(dir, sizeof dir, "%s/cunzhan/%.16s/%.16s", stick, rhex, shex) >= (int)sizeof dir)
        return CZ_EINVAL;
    if ((rc = cz_fs_make_dirs(dir, 0755))) return rc;
    snprintf(tmp, sizeof tmp, "%s/.bundle.tmp-XXXXXX", dir);

    size_t per_batch = OUT_BATCH / chunk_size ? OUT_BATCH / chunk_size : 1;
    size_t batch_plain = per_batch * chunk_size;
    size_t out_cap = header_len + per_batch * (chunk_size + ABYTES);
    if (!(key = sodium_malloc(32)) || !(plain[0] = malloc(batch_plain)) || !(plain[1] = malloc(batch_plain)) ||
        !(out = malloc(out_cap)) || !(header = calloc(1, header_len))) {
        rc = CZ_ENOMEM;
        goto cleanup;
    }
    if ((fd = mkstemp(tmp)) < 0) { rc = CZ_EIO; goto cleanup; }
    made = 1;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    uint8_t *ss_header = header + 6 + 32 + 8 + 8 + 32;
    if (crypto_secretstream_xchacha20poly1305_init_push(&ss, ss_header, key) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
    crypto_generichash_init(&hs, NULL, 0, 32);

    /* Room for the header, written last. */
    memset(out, 0, header_len);
    size_t used = header_len;
    int cur = 0;
    for (uint64_t done = 0; done < n; done += per_batch, cur ^= 1) {
        size_t k = n - done < per_batch ? (size_t)(n - done) : per_batch;
        size_t bytes = done + k < n ? k * chunk_size : (size_t)(plain_len - done * chunk_size);
        if (bytes && (rc = fill(ctx, plain[cur], bytes))) goto cleanup;
        if (hashing) { pthread_join(hasher, NULL); hashing = 0; }
        job = (struct hash_job){ &hs, plain[cur], bytes };
        if (pthread_create(&hasher, NULL, hash_batch, &job) == 0) hashing = 1;
        else hash_batch(&job);
        for (size_t j = 0; j < k; j++) {
            size_t m = bytes - j * chunk_size < chunk_size ? bytes - j * chunk_size : chunk_size;
            unsigned char tag = done + j + 1 < n ? crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
                                                 : crypto_secretstream_xchacha20poly1305_TAG_FINAL;
            if (crypto_secretstream_xchacha20poly1305_push(&ss, out + used, NULL, plain[cur] + j * chunk_size, m,
                                                           NULL, 0, tag) != 0) {
                rc = CZ_ECRYPTO;
                goto cleanup;
            }
            used += m + ABYTES;
        }
        if ((rc = write_all(fd, out, used, -1))) goto cleanup;
        used = 0;
    }
    if (hashing) { pthread_join(hasher, NULL); hashing = 0; }

    uint8_t *h = header;
    memcpy(h, "CZB", 3);
    h[3] = CZ_BUNDLE_VERSION;
    h[4] = 0;
    h[5] = (uint8_t)log2;
    h += 6;
    memcpy(h, p->sender_box, 32); h += 32;
    put64(h, p->seq); h += 8;
    put64(h, plain_len); h += 8;
    crypto_generichash_final(&hs, h, 32); h += 32;
    h += 24;   /* ss_header, filled by init_push */
    *h++ = (uint8_t)p->nrecipients;
    for (size_t i = 0; i < p->nrecipients; i++) {
        memcpy(h, p->recipients[i], 32);
        if (crypto_box_seal(h + 32, key, 32, p->recipients[i]) != 0) { rc = CZ_ECRYPTO; goto cleanup; }
        h += CZ_BUNDLE_STANZA;
    }
    memcpy(h, p->signer, 32); h += 32;
    if ((rc = p->sign(p->sign_ctx, header, header_len - 64, h))) goto cleanup;
    if ((rc = write_all(fd, header, header_len, 0))) goto cleanup;
    crypto_generichash(id, CZ_ID_BYTES, header, header_len, NULL, 0);

    if (fsync(fd) != 0) { rc = CZ_EIO; goto cleanup; }
    int cr = close(fd);
    fd = -1;
    if (cr != 0) { rc = CZ_EIO; goto cleanup; }
    cz_hex(id, CZ_ID_BYTES, idhex);
    if (snprintf(path, path_size, "%s/%s.czb", dir, idhex) >= (int)path_size) { rc = CZ_EINVAL; goto cleanup; }
    if (rename(tmp, path) != 0) { rc = CZ_EIO; goto cleanup; }
    made = 0;
    if ((rc = cz_fs_fsync_dir(dir))) goto cleanup;
    *file_len = total;
cleanup:
    if (hashing) pthread_join(hasher, NULL);
    if (fd >= 0) close(fd);
    if (rc && made) unlink(tmp);
    for (int b = 0; b < 2; b++)
        if (plain[b]) sodium_memzero(plain[b], batch_plain);
    sodium_memzero(&ss, sizeof ss);
    sodium_free(key);
    free(plain[0]);
    free(plain[1]);
    free(out);
    free(header);
    return rc;
}
