/* Fuzz target: the bundle reader (bundle.h) with a fixed test station key
 * (fuzzkeys.h), down to the payload and the entries inside it.
 *
 * The first byte picks the mode:
 *   even  the rest is a bundle file as found on a stick: header checks,
 *         recipient, decryption, payload, entries.  Mutations of a real
 *         bundle die at the signature or the AEAD, as they must;
 *   odd   the second byte picks the chunk size (bits 0-1: 1..4 KiB, so
 *         inputs span several chunks) and what the rest is:
 *           bit 2 clear, bit 3 clear  a PLAINTEXT: the target seals it
 *             (format 2: zstd inside) for the test key and opens it again,
 *             so the fuzzer reaches the payload and vector decoders that
 *             sit behind the cryptography.  Invariant: what is sealed opens
 *             to the same bytes.
 *           bit 2 set  the STORED bytes of a format 2 bundle: a zstd frame
 *             as a hostile signer might make it, sealed as it is (the
 *             header's unpacked length is the frame's content size when it
 *             names one, else the input's length), so the fuzzer reaches
 *             the decompressor and its bounds;
 *           bit 3 set (bit 2 clear)  a plaintext sealed as format 1, the
 *             old writer's.
 * In every mode the streaming reader import uses must agree with
 * cz_bundle_open: the same refusal (the reader's finish is asked, as import
 * asks it), or the same plaintext. */
#include "bundle.h"
#include "payload.h"
#include "entry.h"
#include "status.h"
#include "fuzzkeys.h"

#include <zstd.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_keys K;
static int ready;

/* The payload's streaming reader, bounded as import reads it (the vector
 * checked and skipped), over the plaintext: it must accept what
 * cz_payload_decode accepts, entry for entry, but for an entry too long
 * to hold, and refuse what it refuses. */
static void stream_plain(const uint8_t *plain, size_t len, int rc, const struct cz_payload *p)
{
    struct cz_payload_in in;
    struct cz_buf_src b;
    struct cz_byte_src s;
    size_t pos = 0, elen;
    const uint8_t *e;
    int bad, src;
    cz_byte_src_buf(&s, &b, plain, len, &pos);
    src = cz_payload_in_head(&in, &s, 1, NULL);
    for (uint32_t i = 0; src == CZ_OK && i < in.n; i++) {
        if ((src = cz_payload_in_next(&in, &e, &elen, &bad))) break;
        if (rc == CZ_OK && (elen != p->entry_len[i] || (e ? memcmp(e, p->entry[i], elen) != 0 : !bad))) abort();
    }
    if (src == CZ_OK) src = cz_payload_in_end(&in);
    if (src != rc) abort();
}

static void read_plain(const uint8_t *plain, size_t len)
{
    struct cz_payload p;
    int rc = cz_payload_decode(plain, len, &p);
    stream_plain(plain, len, rc, &p);
    if (rc != CZ_OK) return;
    for (size_t i = 0; i < p.n; i++) {
        struct cz_entry e;
        if (cz_entry_decode(p.entry[i], p.entry_len[i], &e) == CZ_OK) (void)cz_entry_verify(&e);
    }
    for (size_t i = 0; i < p.vv.n; i++)
        for (size_t j = 0; j < p.vv.o[i].n; j++)
            if (!cz_vv_has(&p.vv, p.vv.o[i].origin, p.vv.o[i].r[j].lo)) abort();
    cz_payload_free(&p);
}

/* The streaming reader (import's) over the same image, in pieces of sizes
 * taken from the image itself: it must name the same refusal as
 * cz_bundle_open and, when both accept, hand out the same bytes. */
static int stream_image(const uint8_t *buf, size_t len, const uint8_t *plain, size_t plain_len)
{
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    size_t at = 0, k = 0;
    const uint8_t *p;
    int rc = cz_bundle_reader_open_mem(buf, len, &r, &h);
    if (rc == CZ_OK && !cz_bundle_addressed_to(&h, K.box_pk)) rc = CZ_ENOTFORUS;
    if (rc == CZ_OK && (rc = cz_bundle_reader_unlock(r, K.box_pk, K.box_sk)) == CZ_OK) {
        int took = CZ_OK;
        while (took == CZ_OK && cz_bundle_reader_left(r)) {
            size_t n = 1 + (len ? buf[k++ % len] : 0) * 37u;
            if (n > cz_bundle_reader_left(r)) n = (size_t)cz_bundle_reader_left(r);
            if ((took = cz_bundle_reader_take(r, n, &p))) break;
            if (plain && (at + n > plain_len || memcmp(p, plain + at, n))) abort();
            at += n;
        }
        int fin = cz_bundle_reader_finish(r);
        rc = fin ? fin : took;
    }
    cz_bundle_reader_close(r);
    return rc;
}

static int read_file_image(const uint8_t *buf, size_t len, const uint8_t *expect, size_t expect_len)
{
    struct cz_bundle_header h;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int rc = cz_bundle_read_header(buf, len, &h);
    if (rc != CZ_OK) { if (stream_image(buf, len, NULL, 0) != rc) abort(); return rc; }
    if (!cz_bundle_addressed_to(&h, K.box_pk)) { if (stream_image(buf, len, NULL, 0) != CZ_ENOTFORUS) abort(); return CZ_ENOTFORUS; }
    rc = cz_bundle_open(buf, len, &h, K.box_pk, K.box_sk, &plain, &plain_len);
    if (stream_image(buf, len, plain, plain_len) != rc) abort();
    if (rc != CZ_OK) return rc;
    if (expect && (plain_len != expect_len || memcmp(plain, expect, expect_len))) abort();
    read_plain(plain, plain_len);
    cz_bundle_plain_free(plain, plain_len);
    return CZ_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) { fuzz_keys_make(&K); ready = 1; }
    if (size < 1) return 0;
    if (!(data[0] & 1)) {
        (void)read_file_image(data + 1, size - 1, NULL, 0);
        return 0;
    }
    if (size < 2) return 0;
    uint8_t recipients[1][32];
    memcpy(recipients[0], K.box_pk, 32);
    struct cz_bundle_params p = {
        .sender_box = K.sender_pk, .seq = 1, .recipients = (const uint8_t (*)[32])recipients, .nrecipients = 1,
        .signer = K.sign_pk, .sign = fuzz_sign, .sign_ctx = &K,
        .chunk_log2 = 10 + (data[1] & 3u),
    };
    uint8_t *img = NULL, id[CZ_ID_BYTES];
    size_t img_len = 0;
    if (data[1] & 4) {
        unsigned long long n = ZSTD_getFrameContentSize(data + 2, size - 2);
        uint64_t unpacked = n <= CZ_BUNDLE_PLAIN_MAX ? (uint64_t)n : size - 2;
        if (cz_bundle_seal_raw(&p, 2, data + 2, size - 2, unpacked, &img, &img_len, id) != CZ_OK) abort();
        (void)read_file_image(img, img_len, NULL, 0);
    } else if (data[1] & 8) {
        if (cz_bundle_seal_raw(&p, 1, data + 2, size - 2, size - 2, &img, &img_len, id) != CZ_OK) abort();
        if (read_file_image(img, img_len, data + 2, size - 2) != CZ_OK) abort();
    } else {
        if (cz_bundle_seal(&p, data + 2, size - 2, &img, &img_len, id) != CZ_OK) abort();
        if (read_file_image(img, img_len, data + 2, size - 2) != CZ_OK) abort();
    }
    free(img);
    return 0;
}
