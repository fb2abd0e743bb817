/* test_bundle.c — the bundle reader's refusals (bundle.h), with tiny chunks
 * so chunk boundaries are crossed, for format 1 (the old writer) and 2
 * (zstd inside), hostile zstd frames sealed with real keys, and version
 * vectors.  Real libsodium and libzstd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "bundle.h"
#include "payload.h"
#include "status.h"

struct keys { uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32], other_pk[32], other_sk[32]; };
static struct keys K;

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    crypto_sign_detached(sig, NULL, msg, len, ctx);
    return CZ_OK;
}

#define PLAIN_LEN 5000   /* five chunks of 1 KiB: four full and a short one */
static uint8_t plain[PLAIN_LEN];
static unsigned V = 2;   /* the format the structural tests seal */

static int v1(void **state) { V = 1; return 0; }
static int v2(void **state) { V = 2; return 0; }

static void seal(unsigned log2, uint8_t **out, size_t *len)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 7, r, 1, K.sign_pk, sign_cb, K.sign_sk, log2 };
    uint8_t id[32];
    if (V == 1) assert_int_equal(cz_bundle_seal_raw(&p, 1, plain, PLAIN_LEN, PLAIN_LEN, out, len, id), CZ_OK);
    else assert_int_equal(cz_bundle_seal(&p, plain, PLAIN_LEN, out, len, id), CZ_OK);
}

/* The streaming reader over one source: the plaintext taken in pieces of
 * odd sizes (so they straddle chunk boundaries), then again after a rewind;
 * returns the status it stopped on, as cz_bundle_open's. */
static int stream_read(cz_bundle_reader *r, const struct cz_bundle_header *h)
{
    static const size_t piece[] = { 1, 7, 300, 1500, 2, 1024 };
    int rc = cz_bundle_reader_unlock(r, K.box_pk, K.box_sk);
    if (rc) return rc;
    (void)h;
    for (int pass = 0; pass < 2; pass++) {
        size_t at = 0, k = 0;
        if (pass && (rc = cz_bundle_reader_rewind(r))) return rc;
        while (cz_bundle_reader_left(r)) {
            size_t n = piece[k++ % 6];
            const uint8_t *p;
            if (n > cz_bundle_reader_left(r)) n = (size_t)cz_bundle_reader_left(r);
            if ((rc = cz_bundle_reader_take(r, n, &p))) {
                /* as import does: the end's verdict first (the chunks', the
                 * hash, then the frame's), what take met otherwise */
                int fin = cz_bundle_reader_finish(r);
                return fin ? fin : rc;
            }
            if (at + n > PLAIN_LEN || memcmp(p, plain + at, n)) return CZ_EHASH;
            at += n;
            /* asking for more than is left is refused, not read */
            assert_int_equal(cz_bundle_reader_take(r, (size_t)cz_bundle_reader_left(r) + 1, &p), CZ_ETRUNC);
        }
        if ((rc = cz_bundle_reader_finish(r))) return rc;
        if (at != PLAIN_LEN) return CZ_EHASH;
    }
    /* finish alone (nothing taken) checks the whole file too */
    if ((rc = cz_bundle_reader_rewind(r))) return rc;
    return cz_bundle_reader_finish(r);
}

static int stream_mem(const uint8_t *buf, size_t len)
{
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    int rc = cz_bundle_reader_open_mem(buf, len, &r, &h);
    if (rc == CZ_OK) rc = stream_read(r, &h);
    cz_bundle_reader_close(r);
    return rc;
}

static int stream_fd(const uint8_t *buf, size_t len)
{
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fflush(f), 0);
    int rc = cz_bundle_reader_open_fd(fileno(f), &r, &h);
    if (rc == CZ_OK) rc = stream_read(r, &h);
    cz_bundle_reader_close(r);
    fclose(f);
    return rc;
}

static int open_whole(const uint8_t *buf, size_t len);

/* Header check then decryption, as import does them: whole, and streamed
 * from memory and from a file, which must agree on every status. */
static int read_all(const uint8_t *buf, size_t len)
{
    int rc = open_whole(buf, len);
    assert_int_equal(stream_mem(buf, len), rc);
    assert_int_equal(stream_fd(buf, len), rc);
    return rc;
}

static int open_whole(const uint8_t *buf, size_t len)
{
    struct cz_bundle_header h;
    uint8_t *out;
    size_t out_len;
    int rc = cz_bundle_read_header(buf, len, &h);
    if (rc) return rc;
    rc = cz_bundle_open(buf, len, &h, K.box_pk, K.box_sk, &out, &out_len);
    if (rc) return rc;
    int same = out_len == PLAIN_LEN && !memcmp(out, plain, PLAIN_LEN);
    cz_bundle_plain_free(out, out_len);
    return same ? CZ_OK : CZ_EHASH;
}

static void test_round_trip(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    assert_int_equal(read_all(b, len), CZ_OK);
    free(b);
    seal(0, &b, &len);   /* default 64 KiB chunks: one chunk */
    assert_int_equal(read_all(b, len), CZ_OK);
    free(b);
}

static void test_truncated_everywhere(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    /* Every cut, chunk boundaries included, is refused and never decrypts. */
    for (size_t cut = 0; cut < len; cut++) {
        int rc = read_all(b, cut);
        assert_true(rc == CZ_ETRUNC);
    }
    free(b);
}

static void test_trailing(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, b, len);
    longer[len] = 0;
    assert_int_equal(read_all(longer, len + 1), CZ_ETRAILING);
    free(longer);
    free(b);
}

static void test_flipped_bytes(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_read_header(b, len, &h), CZ_OK);
    for (size_t i = 0; i < len; i++) {
        b[i] ^= 0x01;
        int rc = read_all(b, len);
        b[i] ^= 0x01;
        if (i < 3) assert_int_equal(rc, CZ_EMAGIC);
        else if (i == 3) assert_int_equal(rc, V == 1 ? CZ_EOLDFORMAT : CZ_EVERSION);   /* 1 -> 0, 2 -> 3 */
        else if (i == 4 || i == 5) assert_true(rc == CZ_EVERSION || rc == CZ_ESIG);
        else if (i < h.header_len) assert_true(rc == CZ_ESIG || rc == CZ_ECANON);
        else assert_int_equal(rc, CZ_EDAMAGED);
    }
    free(b);
}

static void test_versions(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    b[3] = 3;
    assert_int_equal(read_all(b, len), CZ_EVERSION);
    b[3] = 0;
    assert_int_equal(read_all(b, len), CZ_EOLDFORMAT);
    /* the other readable version's layout: the signature no longer covers it */
    b[3] = V == 1 ? 2 : 1;
    int rc = read_all(b, len);
    assert_true(rc == CZ_ESIG || rc == CZ_ECANON || rc == CZ_ETRUNC);
    free(b);
}

static void test_other_recipient(void **state)
{
    uint8_t *b, *out;
    size_t len, out_len;
    struct cz_bundle_header h;
    seal(10, &b, &len);
    assert_int_equal(cz_bundle_read_header(b, len, &h), CZ_OK);
    assert_false(cz_bundle_addressed_to(&h, K.other_pk));
    assert_int_equal(cz_bundle_open(b, len, &h, K.other_pk, K.other_sk, &out, &out_len), CZ_ENOTFORUS);
    /* Claiming to be the recipient without its secret key does not open. */
    assert_int_equal(cz_bundle_open(b, len, &h, K.box_pk, K.other_sk, &out, &out_len), CZ_ECRYPTO);
    free(b);
}

/* A forged file whose FINAL tag comes one chunk early. */
static void test_final_too_early(void **state)
{
    uint8_t key[32], header[24], *b;
    size_t len;
    seal(10, &b, &len);
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_read_header(b, len, &h), CZ_OK);
    /* Re-encrypt the chunks with our own key, sealed to the recipient, and
     * re-sign: only the tags are wrong. */
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_secretstream_xchacha20poly1305_init_push(&ss, header, key);
    memcpy(b + 4 + 1 + 1 + 32 + 8 + 8 + (V >= 2 ? 8 : 0) + 32, header, 24);
    uint8_t *stanza = (uint8_t *)h.stanzas;
    crypto_box_seal(stanza + 32, key, 32, K.box_pk);
    crypto_sign_detached(b + h.header_len - 64, NULL, b, h.header_len - 64, K.sign_sk);
    size_t pos = h.header_len;
    for (int i = 0; i < 5; i++) {
        size_t m = i < 4 ? 1024 : (size_t)h.plain_len - 4096;
        unsigned char tag = i == 3 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                          : i == 4 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
        static uint8_t src[8192];   /* the plaintext, then zeros: v2 stores a little more */
        memcpy(src, plain, PLAIN_LEN);
        crypto_secretstream_xchacha20poly1305_push(&ss, b + pos, NULL, src + i * 1024, m, NULL, 0, tag);
        pos += m + crypto_secretstream_xchacha20poly1305_ABYTES;
    }
    int rc = read_all(b, len);
    assert_true(rc == CZ_ETRAILING || rc == CZ_EDAMAGED);
    free(b);
}

/* A file cut or grown after its header was read (a stick pulled out, a
 * file rewritten): the reader notices at the chunk or at the end. */
static void test_file_changes_underneath(void **state)
{
    uint8_t *b;
    size_t len;
    seal(10, &b, &len);
    for (int grow = 0; grow < 2; grow++) {
        cz_bundle_reader *r = NULL;
        struct cz_bundle_header h;
        const uint8_t *p;
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, len, f), len);
        assert_int_equal(fflush(f), 0);
        assert_int_equal(cz_bundle_reader_open_fd(fileno(f), &r, &h), CZ_OK);
        assert_int_equal(cz_bundle_reader_unlock(r, K.box_pk, K.box_sk), CZ_OK);
        assert_int_equal(cz_bundle_reader_take(r, 10, &p), CZ_OK);
        if (grow) {
            assert_int_equal(fputc(0, f), 0);
            assert_int_equal(fflush(f), 0);
            assert_int_equal(cz_bundle_reader_finish(r), CZ_ETRAILING);
        } else {
            assert_int_equal(ftruncate(fileno(f), (off_t)len - 100), 0);
            assert_int_equal(cz_bundle_reader_take(r, PLAIN_LEN - 10, &p), CZ_ETRUNC);
            /* failures stick */
            assert_int_equal(cz_bundle_reader_finish(r), CZ_ETRUNC);
        }
        cz_bundle_reader_close(r);
        fclose(f);
    }
    free(b);
}

/* An empty plaintext is one empty FINAL chunk; the reader takes nothing
 * and finishes. */
static void test_empty_streamed(void **state)
{
    const uint8_t (*rc)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 7, rc, 1, K.sign_pk, sign_cb, K.sign_sk, 10 };
    uint8_t id[32], *b;
    size_t len;
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    const uint8_t *q;
    if (V == 1) assert_int_equal(cz_bundle_seal_raw(&p, 1, plain, 0, 0, &b, &len, id), CZ_OK);
    else assert_int_equal(cz_bundle_seal(&p, plain, 0, &b, &len, id), CZ_OK);
    assert_int_equal(cz_bundle_reader_open_mem(b, len, &r, &h), CZ_OK);
    assert_int_equal(cz_bundle_reader_unlock(r, K.box_pk, K.box_sk), CZ_OK);
    assert_int_equal(cz_bundle_reader_left(r), 0);
    assert_int_equal(cz_bundle_reader_take(r, 1, &q), CZ_ETRUNC);
    assert_int_equal(cz_bundle_reader_finish(r), CZ_OK);
    cz_bundle_reader_close(r);
    free(b);
}


/* ---- hostile zstd frames, sealed and signed with the real keys ---- */

#define TEXT_LEN 200000
static uint8_t *text;                /* compressible: numbered lines */

/* A zstd frame of src with the bundle's settings; wlog > 0 overrides the
 * window, csize 0 leaves the content size out. */
static uint8_t *compress(const uint8_t *src, size_t n, int wlog, int csize, size_t *len)
{
    ZSTD_CCtx *c = cz_bundle_cctx(n, 0);
    assert_non_null(c);
    if (wlog) assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, wlog)));
    if (!csize) {
        assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0)));
        ZSTD_CCtx_setPledgedSrcSize(c, ZSTD_CONTENTSIZE_UNKNOWN);
    }
    size_t cap = ZSTD_compressBound(n);
    uint8_t *z = malloc(cap);
    assert_non_null(z);
    ZSTD_inBuffer in = { src, n, 0 };
    ZSTD_outBuffer o = { z, cap, 0 };
    assert_int_equal(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0);
    ZSTD_freeCCtx(c);
    *len = o.pos;
    return z;
}

/* Seals stored bytes as a version 2 bundle claiming unpacked_len; opens it
 * whole, streamed from memory and from a file (they must agree) and
 * returns the status.  *same: the plaintext came out as expect. */
static int open_raw(const uint8_t *stored, size_t n, uint64_t unpacked_len, const uint8_t *expect, int *same)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 7, r, 1, K.sign_pk, sign_cb, K.sign_sk, 10 };
    uint8_t id[32], *b, *out = NULL;
    size_t len, out_len = 0;
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_seal_raw(&p, 2, stored, n, unpacked_len, &b, &len, id), CZ_OK);
    int rc = cz_bundle_read_header(b, len, &h);
    if (rc == CZ_OK) rc = cz_bundle_open(b, len, &h, K.box_pk, K.box_sk, &out, &out_len);
    *same = rc == CZ_OK && out_len == unpacked_len && (!expect || !memcmp(out, expect, out_len));
    cz_bundle_plain_free(out, out_len);
    /* the streaming reader, taking it all in pieces, then finishing */
    for (int fd = 0; fd < 2; fd++) {
        cz_bundle_reader *rd = NULL;
        FILE *f = NULL;
        int src;
        if (fd) {
            f = tmpfile();
            assert_int_equal(fwrite(b, 1, len, f), len);
            assert_int_equal(fflush(f), 0);
            src = cz_bundle_reader_open_fd(fileno(f), &rd, &h);
        } else {
            src = cz_bundle_reader_open_mem(b, len, &rd, &h);
        }
        if (src == CZ_OK) src = cz_bundle_reader_unlock(rd, K.box_pk, K.box_sk);
        int took = CZ_OK;
        size_t at = 0;
        while (src == CZ_OK && took == CZ_OK && cz_bundle_reader_left(rd)) {
            size_t k = 1 + at % 70000;
            const uint8_t *q;
            if (k > cz_bundle_reader_left(rd)) k = (size_t)cz_bundle_reader_left(rd);
            took = cz_bundle_reader_take(rd, k, &q);
            if (took == CZ_OK && expect && rc == CZ_OK) assert_memory_equal(q, expect + at, k);
            at += k;
        }
        if (src == CZ_OK) {
            int fin = cz_bundle_reader_finish(rd);
            src = fin ? fin : took;
        }
        assert_int_equal(src, rc);
        cz_bundle_reader_close(rd);
        if (f) fclose(f);
    }
    free(b);
    return rc;
}

static void test_frame_round_trip(void **state)
{
    size_t n;
    int same;
    uint8_t *z = compress(text, TEXT_LEN, 0, 1, &n);
    assert_true(n < TEXT_LEN / 3);                       /* it pays */
    assert_int_equal(open_raw(z, n, TEXT_LEN, text, &same), CZ_OK);
    assert_true(same);
    /* the header's unpacked length must be the frame's */
    assert_int_equal(open_raw(z, n, TEXT_LEN - 1, NULL, &same), CZ_EUNPACK);
    assert_int_equal(open_raw(z, n, TEXT_LEN + 1, NULL, &same), CZ_EUNPACK);
    free(z);
}

/* Every single flipped bit of a frame the signer made: refused by name or
 * (where the bit does not matter) the same plaintext; never other bytes. */
static void test_frame_corrupted(void **state)
{
    size_t n, refused = 0;
    int same;
    uint8_t *z = compress(text, 6000, 0, 1, &n);
    for (size_t i = 0; i < n; i++) {
        z[i] ^= 0x10;
        int rc = open_raw(z, n, 6000, text, &same);
        z[i] ^= 0x10;
        if (rc == CZ_OK) assert_true(same);
        else {
            assert_true(rc == CZ_EUNPACK || rc == CZ_ETRUNC || rc == CZ_ETRAILING || rc == CZ_ETOOBIG);
            refused++;
        }
    }
    assert_true(refused * 10 >= n * 9);
    free(z);
}

static void test_frame_truncated(void **state)
{
    size_t n;
    int same;
    uint8_t *z = compress(text, TEXT_LEN, 0, 1, &n);
    size_t cuts[] = { 0, 3, 5, 8, n / 2, n - 5, n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        assert_int_equal(open_raw(z, cuts[i], TEXT_LEN, NULL, &same), CZ_ETRUNC);
    free(z);
}

static void test_frame_trailing(void **state)
{
    size_t n;
    int same;
    uint8_t *z = compress(text, 5000, 0, 1, &n);
    uint8_t *two = malloc(2 * n + 8);
    memcpy(two, z, n);
    memcpy(two + n, "xx", 2);
    assert_int_equal(open_raw(two, n + 2, 5000, NULL, &same), CZ_ETRAILING);
    memcpy(two + n, z, n);                               /* a second frame */
    assert_int_equal(open_raw(two, 2 * n, 5000, NULL, &same), CZ_ETRAILING);
    /* a skippable frame first */
    static const uint8_t skip[8] = { 0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0 };
    memcpy(two, skip, 8);
    memcpy(two + 8, z, n);
    assert_int_equal(open_raw(two, n + 8, 5000, NULL, &same), CZ_EUNPACK);
    /* plain bytes that are no frame at all */
    assert_int_equal(open_raw(text, 5000, 5000, NULL, &same), CZ_EUNPACK);
    free(two);
    free(z);
}

/* Decompression bombs: a frame of 64 MiB of zeros (a few KiB stored). */
static void test_frame_bomb(void **state)
{
    size_t big = (size_t)64 << 20, n;
    int same;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    uint8_t *z = compress(zeros, big, 0, 1, &n);
    free(zeros);
    assert_true(n < big / 1000);
    /* claiming a small plaintext: the frame says otherwise */
    assert_int_equal(open_raw(z, n, 5000, NULL, &same), CZ_EUNPACK);
    /* the frame header forged to say 5000 too: unpacking stops there */
    assert_int_equal(z[4] >> 6, 2);                      /* a 4-byte content size at 6 */
    z[6] = 5000 & 0xff;
    z[7] = 5000 >> 8;
    z[8] = z[9] = 0;
    assert_int_equal(open_raw(z, n, 5000, NULL, &same), CZ_EUNPACK);
    free(z);
    /* no content size in the frame */
    z = compress(text, 5000, 0, 0, &n);
    assert_int_equal(open_raw(z, n, 5000, NULL, &same), CZ_EUNPACK);
    free(z);
    /* more than a bundle may hold is refused before anything is decrypted */
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 7, r, 1, K.sign_pk, sign_cb, K.sign_sk, 10 };
    uint8_t id[32], *b;
    size_t len;
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_seal_raw(&p, 2, text, 100, (uint64_t)CZ_BUNDLE_PLAIN_MAX + 1, &b, &len, id), CZ_OK);
    assert_int_equal(cz_bundle_read_header(b, len, &h), CZ_ETOOBIG);
    free(b);
}

/* A window beyond CZ_BUNDLE_WINDOW_LOG would make the reader hold it. */
static void test_frame_window(void **state)
{
    size_t big = (size_t)4 << 20, n;
    int same;
    uint8_t *rnd = malloc(big);
    randombytes_buf(rnd, big);
    uint8_t *z = compress(rnd, big, CZ_BUNDLE_WINDOW_LOG + 1, 1, &n);
    assert_int_equal(open_raw(z, n, big, NULL, &same), CZ_ETOOBIG);
    free(z);
    z = compress(rnd, big, CZ_BUNDLE_WINDOW_LOG, 1, &n);
    assert_int_equal(open_raw(z, n, big, rnd, &same), CZ_OK);
    assert_true(same);
    free(z);
    free(rnd);
}

static void test_vv(void **state)
{
    struct cz_vv v = { 0 }, d;
    uint8_t o1[32] = { 1 }, o2[32] = { 2 }, id[32] = { 9 };
    uint64_t seqs[] = { 1, 2, 3, 7, 5, 6, 10 };
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) assert_int_equal(cz_vv_add(&v, o2, seqs[i], id), CZ_OK);
    assert_int_equal(cz_vv_add(&v, o1, 4, id), CZ_OK);
    assert_int_equal(v.n, 2);
    assert_memory_equal(v.o[0].origin, o1, 32);   /* kept sorted */
    assert_int_equal(v.o[1].n, 3);                /* 1-3, 5-7, 10 */
    assert_true(cz_vv_has(&v, o2, 6));
    assert_false(cz_vv_has(&v, o2, 4));
    assert_false(cz_vv_has(&v, o1, 3));
    assert_int_equal(cz_vv_add(&v, o2, 4, id), CZ_OK);
    assert_int_equal(v.o[1].n, 2);                /* 1-7, 10 */
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, pos = 0;
    assert_int_equal(cz_vv_encode(&v, &buf, &len, &cap), CZ_OK);
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_OK);
    assert_int_equal(pos, len);
    assert_true(cz_vv_has(&d, o2, 10) && !cz_vv_has(&d, o2, 9));
    cz_vv_free(&d);
    pos = 0;
    assert_int_equal(cz_vv_decode(buf, len - 1, &pos, &d), CZ_ETRUNC);
    /* Adjacent ranges are not canonical: 1-7 then 8-10. */
    size_t r2 = len - 48;
    buf[r2 + 7] = 8;
    pos = 0;
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_ECANON);
    /* A range after one ending at the last seq there is (1-max, then 10):
     * not sorted, though max + 1 wraps to 0. */
    buf[r2 + 7] = 10;
    memset(buf + r2 - 48 + 8, 0xff, 8);
    pos = 0;
    assert_int_equal(cz_vv_decode(buf, len, &pos, &d), CZ_ECANON);
    free(buf);
    cz_vv_free(&v);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    crypto_sign_keypair(K.sign_pk, K.sign_sk);
    crypto_box_keypair(K.box_pk, K.box_sk);
    crypto_box_keypair(K.other_pk, K.other_sk);
    randombytes_buf(plain, sizeof plain);
    if (!(text = malloc(TEXT_LEN))) return 1;
    for (size_t i = 0, k = 0; i < TEXT_LEN; k++) {
        char line[64];
        int m = snprintf(line, sizeof line, "household %zu, village 3, members %zu;\n", k * 7919 % 100000, k % 6);
        for (int j = 0; j < m && i < TEXT_LEN; j++) text[i++] = (uint8_t)line[j];
    }
#define BOTH(t) cmocka_unit_test_setup(t, v1), cmocka_unit_test_setup(t, v2)
    const struct CMUnitTest tests[] = {
        BOTH(test_round_trip),
        BOTH(test_truncated_everywhere),
        BOTH(test_trailing),
        BOTH(test_flipped_bytes),
        BOTH(test_versions),
        BOTH(test_other_recipient),
        BOTH(test_final_too_early),
        BOTH(test_file_changes_underneath),
        BOTH(test_empty_streamed),
        cmocka_unit_test(test_frame_round_trip),
        cmocka_unit_test(test_frame_corrupted),
        cmocka_unit_test(test_frame_truncated),
        cmocka_unit_test(test_frame_trailing),
        cmocka_unit_test(test_frame_bomb),
        cmocka_unit_test(test_frame_window),
        cmocka_unit_test(test_vv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
