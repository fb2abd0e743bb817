/* test_entry.c — signed log entries: wire format, signatures, ids, hlc (entry.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"
#include "status.h"

/* Offsets of the fixed part of the version 1 wire format (entry.h). */
#define OFF_VERSION 3
#define OFF_ORIGIN 4
#define OFF_SEQ 36
#define OFF_PREV 44
#define OFF_HLC 76
#define OFF_WALL 84
#define OFF_ENTITY 92
#define OFF_FLAGS 108
#define OFF_TYPE_LEN 109

struct key { uint8_t pk[32], sk[64]; };

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct key *k = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, k->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

static int failing_sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    memset(sig, 0, 64);
    return CZ_EPERM;
}

/* A canonical body written by hand (not via codec.c's encoder):
 *   tag 1 TEXT "王秀英", tag 2 UINT 300, tag 3 SINT -2 */
static const uint8_t BODY[] = {
    0x01, 0x03, 0x09, 0xe7, 0x8e, 0x8b, 0xe7, 0xa7, 0x80, 0xe8, 0x8b, 0xb1,
    0x02, 0x01, 0xac, 0x02,
    0x03, 0x02, 0x03,
};

struct fixture {
    struct key key;
    uint8_t parents[3][32];    /* deliberately not in ascending order */
    struct cz_entry_draft d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f || sodium_init() < 0)
        return -1;
    crypto_sign_keypair(f->key.pk, f->key.sk);
    memset(f->parents[0], 0xc0, 32);
    memset(f->parents[1], 0x10, 32);
    memset(f->parents[2], 0x7f, 32);
    f->parents[2][31] = 0x01;

    memcpy(f->d.origin, f->key.pk, 32);
    f->d.seq = 7;
    memset(f->d.prev, 0xab, 32);
    f->d.hlc = (UINT64_C(1767225600000) << 16) | 3;
    f->d.wall = -1234567;          /* negative on purpose: i64 must survive */
    for (int i = 0; i < 16; i++)
        f->d.entity[i] = (uint8_t)(0xf0 + i);
    f->d.flags = CZ_ENTRY_FLAG_TOMBSTONE;
    f->d.type = "household";
    f->d.region = "520123101";
    f->d.nparents = 3;
    f->d.parents = &f->parents[0][0];
    f->d.body = BODY;
    f->d.body_len = sizeof BODY;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static uint8_t *write_ok(const struct fixture *f, const struct cz_entry_draft *d,
                         size_t *len, uint8_t id[32])
{
    uint8_t *buf = NULL;
    assert_int_equal(cz_entry_write(d, sign_cb, (void *)&f->key, &buf, len, id), CZ_OK);
    assert_non_null(buf);
    return buf;
}

/* Replace the signature of a hand-edited encoding with a good one, so a
 * refusal can only come from what was edited. */
static void resign(const struct key *k, uint8_t *buf, size_t len)
{
    assert_true(len > 64);
    assert_int_equal(crypto_sign_detached(buf + len - 64, NULL, buf, len - 64, k->sk), 0);
}

/* --- round trip ---------------------------------------------------------- */

static void test_round_trip_all_fields(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32], id2[32];
    size_t len;
    uint8_t *buf = write_ok(f, &f->d, &len, id);
    struct cz_entry e;

    size_t want_len = 109 + 1 + strlen("household") + 1 + strlen("520123101") + 1 + 3 * 32 + 4 +
                      sizeof BODY + 64;
    assert_int_equal(len, want_len);
    assert_memory_equal(buf, "CZE\x01", 4);

    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(e.version, CZ_ENTRY_VERSION);
    assert_memory_equal(e.origin, f->key.pk, 32);
    assert_int_equal(e.seq, 7);
    assert_memory_equal(e.prev, f->d.prev, 32);
    assert_true(e.hlc == f->d.hlc);
    assert_true(e.wall == -1234567);
    assert_memory_equal(e.entity, f->d.entity, 16);
    assert_int_equal(e.flags, CZ_ENTRY_FLAG_TOMBSTONE);
    assert_string_equal(e.type, "household");
    assert_string_equal(e.region, "520123101");
    assert_int_equal(e.nparents, 3);
    /* parents come back sorted ascending */
    assert_memory_equal(e.parents + 0 * 32, f->parents[1], 32);
    assert_memory_equal(e.parents + 1 * 32, f->parents[2], 32);
    assert_memory_equal(e.parents + 2 * 32, f->parents[0], 32);
    assert_int_equal(e.body_len, sizeof BODY);
    assert_memory_equal(e.body, BODY, sizeof BODY);
    assert_ptr_equal(e.raw, buf);
    assert_int_equal(e.raw_len, len);
    assert_ptr_equal(e.sig, buf + len - 64);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);

    /* The body decodes as the fields written. */
    {
        cz_body *b = NULL;
        const char *s;
        size_t sl;
        uint64_t u;
        int64_t i;
        assert_int_equal(cz_body_decode(e.body, e.body_len, &b), CZ_OK);
        assert_int_equal(cz_body_get_text(b, 1, &s, &sl), CZ_OK);
        assert_string_equal(s, "王秀英");
        assert_int_equal(cz_body_get_uint(b, 2, &u), CZ_OK);
        assert_int_equal(u, 300);
        assert_int_equal(cz_body_get_sint(b, 3, &i), CZ_OK);
        assert_true(i == -2);
        cz_body_free(b);
    }

    /* The signature is an Ed25519 signature by origin over every byte before it. */
    assert_int_equal(crypto_sign_verify_detached(buf + len - 64, buf, len - 64, f->key.pk), 0);

    /* Id = BLAKE2b-256 of the whole encoding. */
    crypto_generichash(id2, 32, buf, len, NULL, 0);
    assert_memory_equal(id, id2, 32);
    cz_entry_id(buf, len, id2);
    assert_memory_equal(id, id2, 32);

    /* Writing again with the parents in another order gives the same bytes:
     * Ed25519 is deterministic and the parents are sorted before signing. */
    {
        uint8_t sorted[3][32], id3[32];
        size_t len3;
        memcpy(sorted[0], f->parents[1], 32);
        memcpy(sorted[1], f->parents[2], 32);
        memcpy(sorted[2], f->parents[0], 32);
        struct cz_entry_draft d = f->d;
        d.parents = &sorted[0][0];
        uint8_t *buf3 = write_ok(f, &d, &len3, id3);
        assert_int_equal(len3, len);
        assert_memory_equal(buf3, buf, len);
        assert_memory_equal(id3, id, 32);
        free(buf3);
    }
    free(buf);
}

static void test_round_trip_minimal(void **state)
{
    struct fixture *f = *state;
    struct cz_entry_draft d = f->d;
    uint8_t id[32];
    size_t len;
    struct cz_entry e;

    d.seq = 1;
    memset(d.prev, 0, 32);
    d.flags = 0;
    d.type = "x";
    d.region = NULL;          /* absent region == empty */
    d.nparents = 0;
    d.parents = NULL;
    d.body = NULL;
    d.body_len = 0;
    d.wall = INT64_MIN;
    d.hlc = UINT64_MAX;
    uint8_t *buf = write_ok(f, &d, &len, id);
    assert_int_equal(len, 109 + 2 + 1 + 1 + 4 + 64);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(e.seq, 1);
    assert_int_equal(e.flags, 0);
    assert_string_equal(e.type, "x");
    assert_string_equal(e.region, "");
    assert_int_equal(e.nparents, 0);
    assert_int_equal(e.body_len, 0);
    assert_true(e.wall == INT64_MIN);
    assert_true(e.hlc == UINT64_MAX);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    free(buf);

    /* Limits that are still allowed: 32-char type, 12-digit region, 16 parents. */
    uint8_t many[16][32];
    for (int i = 0; i < 16; i++)
        memset(many[i], 0x20 + i, 32);
    d.type = "abcdefghijklmnopqrstuvwxyz______";
    d.region = "123456789012";
    d.nparents = 16;
    d.parents = &many[0][0];
    buf = write_ok(f, &d, &len, id);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_string_equal(e.type, "abcdefghijklmnopqrstuvwxyz______");
    assert_string_equal(e.region, "123456789012");
    assert_int_equal(e.nparents, 16);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    free(buf);
}

static void test_body_from_codec(void **state)
{
    struct fixture *f = *state;
    struct cz_entry_draft d = f->d;
    cz_body *b = cz_body_new(), *back = NULL;
    uint8_t *body = NULL, id[32];
    size_t blen = 0, len;
    struct cz_entry e;

    assert_non_null(b);
    assert_int_equal(cz_body_set_text(b, 3, "王秀英", strlen("王秀英")), CZ_OK);
    assert_int_equal(cz_body_set_text(b, 1, "YSW-002", 7), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, 6, 2016), CZ_OK);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    d.body = body;
    d.body_len = blen;
    uint8_t *buf = write_ok(f, &d, &len, id);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    assert_int_equal(cz_body_decode(e.body, e.body_len, &back), CZ_OK);
    assert_true(cz_body_equal(b, back));
    cz_body_free(back);
    cz_body_free(b);
    free(body);
    free(buf);
}

/* --- tampering ----------------------------------------------------------- */

static void test_every_byte_flip_detected(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32], id2[32];
    size_t len;
    uint8_t *buf = write_ok(f, &f->d, &len, id);
    uint8_t *copy = malloc(len);
    static const uint8_t masks[] = { 0x01, 0x80, 0xff };
    assert_non_null(copy);

    for (size_t i = 0; i < len; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            struct cz_entry e;
            memcpy(copy, buf, len);
            copy[i] ^= masks[m];
            int rc = cz_entry_decode(copy, len, &e);
            if (rc == CZ_OK)
                rc = cz_entry_verify(&e);
            if (rc == CZ_OK)
                fail_msg("byte %zu ^ 0x%02x accepted", i, masks[m]);
            cz_entry_id(copy, len, id2);
            if (memcmp(id, id2, 32) == 0)
                fail_msg("byte %zu ^ 0x%02x kept the id", i, masks[m]);
        }
    }
    free(copy);
    free(buf);
}

static void test_bad_magic_and_version(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = write_ok(f, &f->d, &len, id);
    struct cz_entry e;

    for (int i = 0; i < 3; i++) {
        uint8_t save = buf[i];
        buf[i] ^= 0x20;                      /* "cZE", "CzE", "CZe" */
        resign(&f->key, buf, len);
        assert_int_equal(cz_entry_decode(buf, len, &e), CZ_EMAGIC);
        buf[i] = save;
    }
    {
        static const uint8_t versions[] = { 0, 2, 3, 0x7f, 0xff };
        for (size_t i = 0; i < sizeof versions; i++) {
            buf[OFF_VERSION] = versions[i];
            resign(&f->key, buf, len);
            assert_int_equal(cz_entry_decode(buf, len, &e), CZ_EVERSION);
            /* A foreign version is refused by name even when it is short. */
            assert_int_equal(cz_entry_decode(buf, 20, &e), CZ_EVERSION);
        }
    }
    buf[OFF_VERSION] = CZ_ENTRY_VERSION;
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    assert_int_equal(cz_entry_decode((const uint8_t *)"XYZ\x01", 4, &e), CZ_EMAGIC);
    free(buf);
}

static void test_truncation_every_length(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = write_ok(f, &f->d, &len, id);

    for (size_t n = 0; n < len; n++) {
        /* A copy of exactly n bytes, so valgrind sees any read past the end. */
        uint8_t *cut = malloc(n ? n : 1);
        struct cz_entry e;
        assert_non_null(cut);
        memcpy(cut, buf, n);
        int rc = cz_entry_decode(cut, n, &e);
        if (rc == CZ_OK)
            fail_msg("truncated to %zu of %zu bytes accepted", n, len);
        assert_true(rc > CZ_OK && rc < CZ_STATUS_COUNT);   /* a real status */
        free(cut);
    }
    free(buf);
}

static void test_trailing_byte(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = write_ok(f, &f->d, &len, id);
    uint8_t *longer = malloc(len + 1);
    struct cz_entry e;

    assert_non_null(longer);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(cz_entry_decode(longer, len + 1, &e), CZ_ECANON);
    /* Even re-signed over the longer prefix it is still not canonical. */
    resign(&f->key, longer, len + 1);
    assert_int_equal(cz_entry_decode(longer, len + 1, &e), CZ_ECANON);
    free(longer);
    free(buf);
}

/* Byte offset of the parents count in an encoding made from the fixture. */
static size_t parents_off(const uint8_t *buf)
{
    size_t pos = OFF_TYPE_LEN;
    pos += 1 + buf[pos];     /* type */
    pos += 1 + buf[pos];     /* region */
    return pos;              /* u8 n, then n*32 */
}

static void test_parents_order_on_decode(void **state)
{
    struct fixture *f = *state;
    uint8_t id[32];
    size_t len;
    struct cz_entry_draft d = f->d;
    struct cz_entry e;

    d.nparents = 2;          /* parents[0] (0xc0..) and parents[1] (0x10..) */
    uint8_t *buf = write_ok(f, &d, &len, id);
    size_t pp = parents_off(buf);
    assert_int_equal(buf[pp], 2);
    uint8_t *p0 = buf + pp + 1, *p1 = p0 + 32;
    assert_memory_equal(p0, f->parents[1], 32);
    assert_memory_equal(p1, f->parents[0], 32);

    /* Control: re-signing the untouched bytes gives a good entry. */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);

    /* Swapped (descending): refused for the order, signature is good. */
    uint8_t tmp[32];
    memcpy(tmp, p0, 32);
    memcpy(p0, p1, 32);
    memcpy(p1, tmp, 32);
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);

    /* Duplicate parent. */
    memcpy(p0, p1, 32);
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);

    /* Differing only in the last byte, descending. */
    memcpy(p0, p1, 32);
    p0[31] ^= 0x01;
    if (memcmp(p0, p1, 32) < 0) { memcpy(tmp, p0, 32); memcpy(p0, p1, 32); memcpy(p1, tmp, 32); }
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    /* ... and put back in order it is fine again. */
    memcpy(tmp, p0, 32); memcpy(p0, p1, 32); memcpy(p1, tmp, 32);
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    free(buf);
}

static void test_too_many_parents_on_decode(void **state)
{
    struct fixture *f = *state;
    uint8_t many[17][32], id[32];
    size_t len;
    struct cz_entry_draft d = f->d;
    struct cz_entry e;

    for (int i = 0; i < 17; i++)
        memset(many[i], 0x20 + i, 32);
    d.nparents = 17;
    d.parents = &many[0][0];
    uint8_t *buf = NULL;
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    assert_null(buf);

    /* Hand-craft 17 sorted parents by appending one to a 16-parent entry. */
    d.nparents = 16;
    buf = write_ok(f, &d, &len, id);
    size_t pp = parents_off(buf);
    uint8_t *big = malloc(len + 32);
    assert_non_null(big);
    size_t after = pp + 1 + 16 * 32;
    memcpy(big, buf, after);
    memcpy(big + after, many[16], 32);
    memcpy(big + after + 32, buf + after, len - after);
    big[pp] = 17;
    resign(&f->key, big, len + 32);
    assert_int_equal(cz_entry_decode(big, len + 32, &e), CZ_ECANON);
    free(big);
    free(buf);
}

static void test_duplicate_parents_refused_on_write(void **state)
{
    struct fixture *f = *state;
    uint8_t two[2][32], id[32];
    size_t len;
    uint8_t *buf = NULL;
    struct cz_entry_draft d = f->d;

    memset(two, 0x33, sizeof two);
    d.nparents = 2;
    d.parents = &two[0][0];
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    assert_null(buf);
}

static void test_chain_rules(void **state)
{
    struct fixture *f = *state;
    struct cz_entry_draft d = f->d;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = NULL;
    struct cz_entry e;

    /* write side */
    d.seq = 1;                               /* seq 1 with a prev */
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    assert_null(buf);
    memset(d.prev, 0, 32);
    d.prev[31] = 1;                          /* only one bit set is still a prev */
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    d.seq = 2;                               /* seq 2 without a prev */
    memset(d.prev, 0, 32);
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    d.seq = 0;
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    memset(d.prev, 0x11, 32);
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    assert_null(buf);

    /* decode side: take good entries, edit seq/prev, re-sign. */
    d.seq = 1;
    memset(d.prev, 0, 32);
    buf = write_ok(f, &d, &len, id);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    buf[OFF_PREV + 31] = 1;                  /* seq 1, prev non-zero */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    buf[OFF_SEQ + 7] = 2;                    /* seq 2 with that prev: fine */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(e.seq, 2);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    buf[OFF_PREV + 31] = 0;                  /* seq 2, prev zero */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    buf[OFF_SEQ + 7] = 0;                    /* seq 0 */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    buf[OFF_PREV] = 0x80;                    /* seq 0 with a prev */
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    /* seq 2^56 (a high byte) with a prev is fine */
    buf[OFF_SEQ] = 1;
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_true(e.seq == UINT64_C(1) << 56);
    free(buf);
}

static void test_type_region_flags_rules(void **state)
{
    struct fixture *f = *state;
    static const char *const bad_types[] = {
        "", "Household", "house-hold", "house hold", "household1", "ä",
        "abcdefghijklmnopqrstuvwxyz_______",   /* 33 */
    };
    static const char *const bad_regions[] = { "52a", "5201 ", "-1", "1234567890123" };
    struct cz_entry_draft d = f->d;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = NULL;
    struct cz_entry e;

    for (size_t i = 0; i < sizeof bad_types / sizeof *bad_types; i++) {
        d = f->d;
        d.type = bad_types[i];
        assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
        assert_null(buf);
    }
    for (size_t i = 0; i < sizeof bad_regions / sizeof *bad_regions; i++) {
        d = f->d;
        d.region = bad_regions[i];
        assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
        assert_null(buf);
    }
    for (unsigned bit = 1; bit < 8; bit++) {
        d = f->d;
        d.flags = (uint8_t)(1u << bit);
        assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
        assert_null(buf);
    }

    /* decode side */
    d = f->d;
    d.type = "household";
    buf = write_ok(f, &d, &len, id);
    static const char bad_chars[] = { 'H', '-', '0', ' ', '\0', '{', '`', (char)0xe4 };
    for (size_t i = 0; i < sizeof bad_chars; i++) {
        uint8_t save = buf[OFF_TYPE_LEN + 1 + 4];
        buf[OFF_TYPE_LEN + 1 + 4] = (uint8_t)bad_chars[i];
        resign(&f->key, buf, len);
        assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
        buf[OFF_TYPE_LEN + 1 + 4] = save;
    }
    /* region digit -> letter */
    size_t roff = OFF_TYPE_LEN + 1 + buf[OFF_TYPE_LEN];
    assert_int_equal(buf[roff], 9);
    buf[roff + 1 + 2] = 'a';
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    buf[roff + 1 + 2] = '0';
    /* zero-length type */
    {
        uint8_t *z = malloc(len);
        assert_non_null(z);
        memcpy(z, buf, OFF_TYPE_LEN);
        z[OFF_TYPE_LEN] = 0;
        memcpy(z + OFF_TYPE_LEN + 1, buf + OFF_TYPE_LEN + 1 + 9, len - (OFF_TYPE_LEN + 1 + 9));
        resign(&f->key, z, len - 9);
        assert_int_equal(cz_entry_decode(z, len - 9, &e), CZ_ECANON);
        free(z);
    }
    /* flags with another bit */
    for (unsigned bit = 1; bit < 8; bit++) {
        buf[OFF_FLAGS] = (uint8_t)(1u | 1u << bit);
        resign(&f->key, buf, len);
        assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
    }
    buf[OFF_FLAGS] = 0;
    resign(&f->key, buf, len);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(e.flags, 0);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    free(buf);
}

static void test_body_checked_on_decode(void **state)
{
    struct fixture *f = *state;
    struct cz_entry_draft d = f->d;
    /* tags out of order: not canonical */
    static const uint8_t unsorted[] = { 0x02, 0x01, 0x05, 0x01, 0x01, 0x05 };
    uint8_t id[32];
    size_t len;
    struct cz_entry e;
    uint8_t *buf = NULL;

    d.body = unsorted;
    d.body_len = sizeof unsorted;
    int rc = cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id);
    if (rc == CZ_OK) {
        /* Written or not, such an entry must never decode. */
        assert_int_equal(cz_entry_decode(buf, len, &e), CZ_ECANON);
        free(buf);
    } else {
        assert_null(buf);
    }

    /* Body longer than the limit */
    d = f->d;
    uint8_t *huge = calloc(1, CZ_BODY_MAX + 1);
    assert_non_null(huge);
    d.body = huge;
    d.body_len = CZ_BODY_MAX + 1;
    buf = NULL;
    assert_int_equal(cz_entry_write(&d, sign_cb, &f->key, &buf, &len, id), CZ_EINVAL);
    assert_null(buf);
    free(huge);

    /* Body length field claiming more than the limit */
    buf = write_ok(f, &f->d, &len, id);
    size_t blen_off = len - 64 - sizeof BODY - 4;
    assert_int_equal(buf[blen_off + 3], sizeof BODY);
    buf[blen_off] = 0x7f;
    resign(&f->key, buf, len);
    assert_int_not_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    free(buf);
}

static void test_signing_failure_propagates(void **state)
{
    struct fixture *f = *state;
    uint8_t *buf = (uint8_t *)0x1, id[32];
    size_t len;
    assert_int_equal(cz_entry_write(&f->d, failing_sign_cb, NULL, &buf, &len, id), CZ_EPERM);
    assert_null(buf);
}

static void test_wrong_key_does_not_verify(void **state)
{
    struct fixture *f = *state;
    struct key other;
    uint8_t id[32];
    size_t len;
    uint8_t *buf = NULL;
    struct cz_entry e;

    crypto_sign_keypair(other.pk, other.sk);
    /* origin says f->key but other signs */
    assert_int_equal(cz_entry_write(&f->d, sign_cb, &other, &buf, &len, id), CZ_OK);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_ESIG);
    /* all-zero signature */
    memset(buf + len - 64, 0, 64);
    assert_int_equal(cz_entry_decode(buf, len, &e), CZ_OK);
    assert_int_equal(cz_entry_verify(&e), CZ_ESIG);
    free(buf);
}

/* --- hybrid logical clock ------------------------------------------------ */

static void test_hlc_next(void **state)
{
    uint64_t now = UINT64_C(1767225600000);
    uint64_t last = cz_hlc_next(0, now);

    assert_true(last == now << 16);
    assert_true(cz_hlc_ms(last) == now);
    /* wall clock ahead: take it */
    assert_true(cz_hlc_next(last, now + 5) == (now + 5) << 16);
    /* same ms: the counter moves on */
    assert_true(cz_hlc_next(last, now) == last + 1);
    /* wall clock behind last: never backwards */
    uint64_t ahead = ((now + 60000) << 16) | 7;
    assert_true(cz_hlc_next(ahead, now) == ahead + 1);
    assert_true(cz_hlc_next(ahead, 0) == ahead + 1);
    assert_true(cz_hlc_ms(cz_hlc_next(ahead, now)) == now + 60000);

    /* A wandering clock: strictly increasing whatever it says. */
    uint64_t h = 0, wall = now;
    uint32_t r = 12345;
    for (int i = 0; i < 10000; i++) {
        r = r * 1103515245u + 12345u;
        int step = (int)((r >> 16) % 2001) - 1000;      /* -1000..+1000 ms */
        wall = (uint64_t)((int64_t)wall + step);
        uint64_t next = cz_hlc_next(h, wall);
        assert_true(next > h);
        uint64_t floor_ms = wall > cz_hlc_ms(h) ? wall : cz_hlc_ms(h);
        assert_true(cz_hlc_ms(next) >= floor_ms);
        h = next;
    }
    /* and the real clock */
    uint64_t t0 = cz_now_ms();
    assert_true(t0 > UINT64_C(1600000000000));
    uint64_t a = cz_hlc_next(0, t0), b = cz_hlc_next(a, cz_now_ms());
    assert_true(b > a);
}

/* cz_entry_build fills the entry as cz_entry_parse finds it in the bytes
 * (it is used instead of parsing back what was just written), and writes
 * the same bytes as cz_entry_write, into a buffer it grows and reuses. */
static void assert_same_entry(const struct cz_entry *a, const struct cz_entry *b)
{
    assert_int_equal(a->version, b->version);
    assert_ptr_equal(a->origin, b->origin);
    assert_int_equal(a->seq, b->seq);
    assert_ptr_equal(a->prev, b->prev);
    assert_int_equal(a->hlc, b->hlc);
    assert_int_equal(a->wall, b->wall);
    assert_ptr_equal(a->entity, b->entity);
    assert_int_equal(a->flags, b->flags);
    assert_memory_equal(a->type, b->type, sizeof a->type);
    assert_memory_equal(a->region, b->region, sizeof a->region);
    assert_int_equal(a->nparents, b->nparents);
    assert_ptr_equal(a->parents, b->parents);
    assert_ptr_equal(a->body, b->body);
    assert_int_equal(a->body_len, b->body_len);
    assert_ptr_equal(a->sig, b->sig);
    assert_ptr_equal(a->raw, b->raw);
    assert_int_equal(a->raw_len, b->raw_len);
}

static void test_build_fills_as_parse(void **state)
{
    struct fixture *f = *state;
    uint8_t *buf = NULL, big[3000];
    size_t cap = 0;
    memset(big, 0, sizeof big);
    big[0] = 0x01; big[1] = 0x04; big[2] = 0x80 | ((sizeof big - 5) & 0x7f); big[3] = (uint8_t)((sizeof big - 5) >> 7);
    for (int round = 0; round < 5; round++) {
        struct cz_entry_draft d = f->d;
        struct cz_entry built, parsed;
        uint8_t id[32], id2[32], *w;
        size_t wlen;
        if (round == 1) { d.seq = 1; memset(d.prev, 0, 32); d.flags = 0; d.nparents = 0; }
        if (round == 2) { d.region = ""; d.body = NULL; d.body_len = 0; }
        if (round == 3) { d.region = NULL; d.type = "a"; d.nparents = 1; }
        if (round == 4) { d.body = big; d.body_len = sizeof big; }    /* the buffer grows */
        memset(&built, 0x5a, sizeof built);
        assert_int_equal(cz_entry_build(&d, sign_cb, &f->key, &buf, &cap, &built, id), CZ_OK);
        assert_true(cap >= built.raw_len);
        assert_int_equal(cz_entry_parse(buf, built.raw_len, &parsed), CZ_OK);
        assert_same_entry(&built, &parsed);
        assert_int_equal(cz_entry_verify(&built), CZ_OK);
        w = write_ok(f, &d, &wlen, id2);
        assert_int_equal(wlen, built.raw_len);
        assert_memory_equal(w, buf, wlen);
        assert_memory_equal(id, id2, 32);
        free(w);
    }
    /* Refusals leave the buffer usable and say why. */
    struct cz_entry e;
    uint8_t id[32];
    struct cz_entry_draft d = f->d;
    d.type = "Bad";
    assert_int_equal(cz_entry_build(&d, sign_cb, &f->key, &buf, &cap, &e, id), CZ_EINVAL);
    d = f->d;
    assert_int_equal(cz_entry_build(&d, failing_sign_cb, NULL, &buf, &cap, &e, id), CZ_EPERM);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_all_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_fills_as_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_minimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_from_codec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_byte_flip_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_magic_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_every_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parents_order_on_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_parents_on_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_parents_refused_on_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_region_flags_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_checked_on_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signing_failure_propagates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_does_not_verify, setup, teardown),
        cmocka_unit_test(test_hlc_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
