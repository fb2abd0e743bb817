/* test_bundle.c — the bundle reader's refusals (bundle.h), with tiny chunks
 * so chunk boundaries are crossed, and version vectors.  Real libsodium. */
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

#include "bundle.h"
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

static void seal(unsigned log2, uint8_t **out, size_t *len)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 7, r, 1, K.sign_pk, sign_cb, K.sign_sk, log2 };
    uint8_t id[32];
    assert_int_equal(cz_bundle_seal(&p, plain, PLAIN_LEN, out, len, id), CZ_OK);
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
            if ((rc = cz_bundle_reader_take(r, n, &p))) return rc;
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
        else if (i == 3) assert_int_equal(rc, CZ_EOLDFORMAT);   /* 1 -> 0 */
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
    b[3] = 2;
    assert_int_equal(read_all(b, len), CZ_EVERSION);
    b[3] = 0;
    assert_int_equal(read_all(b, len), CZ_EOLDFORMAT);
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
    memcpy(b + 4 + 1 + 1 + 32 + 8 + 8 + 32, header, 24);
    uint8_t *stanza = (uint8_t *)h.stanzas;
    crypto_box_seal(stanza + 32, key, 32, K.box_pk);
    crypto_sign_detached(b + h.header_len - 64, NULL, b, h.header_len - 64, K.sign_sk);
    size_t pos = h.header_len;
    for (int i = 0; i < 5; i++) {
        size_t m = i < 4 ? 1024 : PLAIN_LEN - 4096;
        unsigned char tag = i == 3 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                          : i == 4 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
        crypto_secretstream_xchacha20poly1305_push(&ss, b + pos, NULL, plain + i * 1024, m, NULL, 0, tag);
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
    assert_int_equal(cz_bundle_seal(&p, plain, 0, &b, &len, id), CZ_OK);
    assert_int_equal(cz_bundle_reader_open_mem(b, len, &r, &h), CZ_OK);
    assert_int_equal(cz_bundle_reader_unlock(r, K.box_pk, K.box_sk), CZ_OK);
    assert_int_equal(cz_bundle_reader_left(r), 0);
    assert_int_equal(cz_bundle_reader_take(r, 1, &q), CZ_ETRUNC);
    assert_int_equal(cz_bundle_reader_finish(r), CZ_OK);
    cz_bundle_reader_close(r);
    free(b);
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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_trailing),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_other_recipient),
        cmocka_unit_test(test_final_too_early),
        cmocka_unit_test(test_file_changes_underneath),
        cmocka_unit_test(test_empty_streamed),
        cmocka_unit_test(test_vv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
