/* test_keys.c — key blobs, Argon2id + secretbox, hex helpers (keys.h).
 *
 * Argon2id at the interactive limits costs 0.1-0.5 s per seal or open, so the
 * real-limit calls are counted (9 in all).  The exhaustive tamper tests use
 * blobs built here, byte for byte after keys.h, with the cheapest limits
 * Argon2id allows; cz_secrets_open honours the limits written in the blob. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "hex.h"
#include "keys.h"
#include "status.h"
#include "testkit.h"

#define PASS "correct horse 电池 staple"

/* Blob layout (keys.h, version 1). */
#define HDR 69                              /* "CZK" ver kdf ops mem salt pk */
#define OFF_OPS 5
#define OFF_MEM 13
#define OFF_SALT 21
#define OFF_PK 37
#define OFF_SIGN_BOX HDR                    /* nonce[24] + 80 */
#define OFF_STATION (HDR + 24 + 80)         /* nonce[24] u16 n box[n] */
#define OFF_STATION_LEN (OFF_STATION + 24)
#define BLOB_NOROOT (OFF_STATION + 24 + 2 + 16 + 34)
#define BLOB_ROOT (OFF_STATION + 24 + 2 + 16 + 98)

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* A blob made here (not by keys.c) with the given limits and station secrets. */
static uint8_t *craft(uint64_t ops, uint64_t mem, const char *pass,
                      const uint8_t sign_pk[32], const uint8_t sign_sk[64],
                      const uint8_t *station, size_t station_len, size_t *out_len)
{
    size_t len = HDR + 24 + 16 + 64 + 24 + 2 + 16 + station_len;
    uint8_t *b = malloc(len), key[crypto_secretbox_KEYBYTES];
    assert_non_null(b);
    memcpy(b, "CZK\x01\x01", 5);
    put_u64(b + OFF_OPS, ops);
    put_u64(b + OFF_MEM, mem);
    randombytes_buf(b + OFF_SALT, 16);
    memcpy(b + OFF_PK, sign_pk, 32);
    assert_int_equal(crypto_pwhash(key, sizeof key, pass, strlen(pass), b + OFF_SALT, ops,
                                   (size_t)mem, crypto_pwhash_ALG_ARGON2ID13), 0);
    uint8_t *p = b + HDR;
    randombytes_buf(p, 24);
    crypto_secretbox_easy(p + 24, sign_sk, 64, p, key);
    p += 24 + 16 + 64;
    randombytes_buf(p, 24);
    p[24] = (uint8_t)((16 + station_len) >> 8);
    p[25] = (uint8_t)(16 + station_len);
    crypto_secretbox_easy(p + 26, station, station_len, p, key);
    sodium_memzero(key, sizeof key);
    *out_len = len;
    return b;
}

/* Station secrets plaintext: u8(1) box_sk[32] u8(has_root) [root_sk[64]] */
struct plain {
    uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32], root_pk[32], root_sk[64];
    uint8_t station[2 + 32 + 64];
};

static void plain_init(struct plain *k, int with_root)
{
    crypto_sign_keypair(k->sign_pk, k->sign_sk);
    crypto_box_keypair(k->box_pk, k->box_sk);
    crypto_sign_keypair(k->root_pk, k->root_sk);
    k->station[0] = 1;
    memcpy(k->station + 1, k->box_sk, 32);
    k->station[33] = (uint8_t)with_root;
    memcpy(k->station + 34, k->root_sk, 64);
}

#define CHEAP_OPS crypto_pwhash_OPSLIMIT_MIN
#define CHEAP_MEM crypto_pwhash_MEMLIMIT_MIN

static uint8_t *craft_cheap(const struct plain *k, const char *pass, size_t station_len,
                            size_t *len)
{
    return craft(CHEAP_OPS, CHEAP_MEM, pass, k->sign_pk, k->sign_sk, k->station, station_len, len);
}

static void sign_and_check(const cz_secrets *s, const uint8_t pk[32])
{
    static const uint8_t msg[] = "一条记录 a record";
    uint8_t sig[64];
    assert_int_equal(cz_secrets_sign(s, msg, sizeof msg, sig), CZ_OK);
    assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, pk), 0);
    sig[0] ^= 1;
    assert_int_not_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, pk), 0);
}

static void root_sign_and_check(const cz_secrets *s, const uint8_t pk[32])
{
    static const uint8_t msg[] = "certificate";
    uint8_t sig[64];
    assert_int_equal(cz_secrets_root_sign(s, msg, sizeof msg, sig), CZ_OK);
    assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, pk), 0);
}

/* --- real seal/open (interactive limits) --------------------------------- */

static void test_seal_open_with_root(void **state)
{
    cz_secrets *s = NULL, *o = NULL;
    uint8_t *blob = NULL, *blob2 = NULL, pk[32];
    size_t len = 0, len2 = 0;

    assert_int_equal(cz_secrets_generate(1, &s), CZ_OK);
    assert_non_null(cz_secrets_root_pk(s));
    assert_int_equal(cz_secrets_seal(s, PASS, &blob, &len), CZ_OK);          /* 1 */
    assert_int_equal(len, BLOB_ROOT);
    assert_memory_equal(blob, "CZK\x01\x01", 5);
    assert_memory_equal(blob + OFF_PK, cz_secrets_sign_pk(s), 32);
    /* the secret key is not in the clear */
    assert_null(memmem(blob, len, cz_secrets_box_sk(s), 32));

    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_OK);
    assert_memory_equal(pk, cz_secrets_sign_pk(s), 32);

    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_OK);          /* 2 */
    assert_non_null(o);
    assert_memory_equal(cz_secrets_sign_pk(o), cz_secrets_sign_pk(s), 32);
    assert_memory_equal(cz_secrets_box_pk(o), cz_secrets_box_pk(s), 32);
    assert_memory_equal(cz_secrets_box_sk(o), cz_secrets_box_sk(s), 32);
    assert_non_null(cz_secrets_root_pk(o));
    assert_memory_equal(cz_secrets_root_pk(o), cz_secrets_root_pk(s), 32);
    sign_and_check(o, cz_secrets_sign_pk(s));
    root_sign_and_check(o, cz_secrets_root_pk(s));
    {   /* the box key pair is a real pair */
        uint8_t derived[32];
        crypto_scalarmult_base(derived, cz_secrets_box_sk(o));
        assert_memory_equal(derived, cz_secrets_box_pk(o), 32);
    }
    cz_secrets_free(o);
    o = NULL;

    /* Wrong passphrase (also one that differs in one character). */
    o = (cz_secrets *)0x1;
    assert_int_equal(cz_secrets_open(blob, len, "correct horse 电池 stapler", &o), CZ_EPASS); /* 3 */
    assert_null(o);

    /* A flipped byte deep in the sealed part: the MAC catches it. */
    blob[len - 1] ^= 0x01;
    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_EPASS);      /* 4 */
    assert_null(o);
    blob[len - 1] ^= 0x01;

    /* Sealing twice gives different blobs (fresh salt and nonces). */
    assert_int_equal(cz_secrets_seal(s, PASS, &blob2, &len2), CZ_OK);      /* 5 */
    assert_int_equal(len2, len);
    assert_memory_not_equal(blob + OFF_SALT, blob2 + OFF_SALT, 16);
    assert_memory_not_equal(blob + HDR, blob2 + HDR, len - HDR);

    free(blob2);
    free(blob);
    cz_secrets_free(s);
}

static void test_seal_open_without_root(void **state)
{
    cz_secrets *s = NULL, *o = NULL;
    uint8_t *blob = NULL, sig[64];
    size_t len = 0;

    assert_int_equal(cz_secrets_generate(0, &s), CZ_OK);
    assert_null(cz_secrets_root_pk(s));
    assert_int_equal(cz_secrets_root_sign(s, (const uint8_t *)"x", 1, sig), CZ_EPERM);
    assert_int_equal(cz_secrets_seal(s, "", &blob, &len), CZ_OK);          /* 6: empty passphrase */
    assert_int_equal(len, BLOB_NOROOT);
    assert_int_equal(cz_secrets_open(blob, len, "", &o), CZ_OK);            /* 7 */
    assert_null(cz_secrets_root_pk(o));
    assert_int_equal(cz_secrets_root_sign(o, (const uint8_t *)"x", 1, sig), CZ_EPERM);
    assert_memory_equal(cz_secrets_sign_pk(o), cz_secrets_sign_pk(s), 32);
    assert_memory_equal(cz_secrets_box_pk(o), cz_secrets_box_pk(s), 32);
    sign_and_check(o, cz_secrets_sign_pk(s));
    cz_secrets_free(o);
    o = NULL;
    assert_int_equal(cz_secrets_open(blob, len, " ", &o), CZ_EPASS);        /* 8 */
    assert_null(o);
    free(blob);
    cz_secrets_free(s);
}

/* Damage that is refused before any key derivation (so it costs nothing). */
static void test_real_blob_damage_cheap(void **state)
{
    cz_secrets *s = NULL, *o = NULL;
    uint8_t *blob = NULL, pk[32];
    size_t len = 0;
    struct { size_t off; uint8_t mask; int want; } cases[] = {
        { 0, 0x01, CZ_EMAGIC }, { 1, 0x20, CZ_EMAGIC }, { 2, 0xff, CZ_EMAGIC },
        { 3, 0x01, CZ_EVERSION }, { 3, 0x03, CZ_EVERSION }, { 3, 0xff, CZ_EVERSION },
        { 4, 0x03, CZ_EVERSION },                          /* kdf id */
        { OFF_OPS, 0x80, CZ_ECANON },                      /* ops huge */
        { OFF_MEM, 0x80, CZ_ECANON },                      /* mem huge */
        { OFF_MEM + 7, 0x01, CZ_ECANON },                  /* mem not whole KiB: Argon2
                                                              would derive the same key */
        { OFF_MEM + 6, 0x01, CZ_ECANON },
        { OFF_STATION_LEN, 0xff, CZ_ECANON },              /* sealed length */
        { OFF_STATION_LEN + 1, 0x80, CZ_ECANON },
    };

    assert_int_equal(cz_secrets_generate(1, &s), CZ_OK);
    assert_int_equal(cz_secrets_seal(s, PASS, &blob, &len), CZ_OK);          /* 9 */
    assert_int_equal(len, BLOB_ROOT);

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        blob[cases[i].off] ^= cases[i].mask;
        o = (cz_secrets *)0x1;
        int rc = cz_secrets_open(blob, len, PASS, &o);
        if (rc != cases[i].want)
            fail_msg("offset %zu ^ 0x%02x: %s, wanted %s", cases[i].off, cases[i].mask,
                     cz_status_name(rc), cz_status_name(cases[i].want));
        assert_null(o);
        blob[cases[i].off] ^= cases[i].mask;
    }
    /* Version byte: refused by name, also by cz_keyblob_sign_pk. */
    blob[3] = 2;
    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_EVERSION);
    blob[3] = 1;
    blob[0] = 'X';
    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_EMAGIC);
    blob[0] = 'C';
    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_OK);
    assert_memory_equal(pk, cz_secrets_sign_pk(s), 32);

    /* Truncated at every length: never CZ_OK, and never a key derivation. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        assert_non_null(cut);
        memcpy(cut, blob, n);
        o = (cz_secrets *)0x1;
        int rc = cz_secrets_open(cut, n, PASS, &o);
        if (rc != CZ_ETRUNC)
            fail_msg("truncated to %zu: %s", n, cz_status_name(rc));
        assert_null(o);
        if (n < OFF_STATION_LEN + 2)
            assert_int_equal(cz_keyblob_sign_pk(cut, n, pk), CZ_ETRUNC);
        free(cut);
    }
    /* One byte too many */
    {
        uint8_t *longer = malloc(len + 1);
        assert_non_null(longer);
        memcpy(longer, blob, len);
        longer[len] = 0;
        assert_int_equal(cz_secrets_open(longer, len + 1, PASS, &o), CZ_ECANON);
        free(longer);
    }
    free(blob);
    cz_secrets_free(s);
}

/* --- crafted blobs (cheap Argon2id limits) ------------------------------- */

/* A blob crafted from k, its station secrets cut to station_len, does not
 * open: status want (CZ_OK: any refusal) and nothing returned. */
static void expect_refused(const char *what, const struct plain *k, size_t station_len, int want)
{
    cz_secrets *o = NULL;
    size_t len;
    uint8_t *blob = craft_cheap(k, PASS, station_len, &len);
    int rc = cz_secrets_open(blob, len, PASS, &o);
    if (want == CZ_OK)
        tk_assert_true(what, rc != CZ_OK);
    else
        tk_assert_int(what, rc, want);
    tk_assert_true(what, o == NULL);
    free(blob);
}

static void test_crafted_blob_opens(void **state)
{
    struct plain k;
    cz_secrets *o = NULL;
    uint8_t *blob;
    size_t len;

    plain_init(&k, 1);
    blob = craft_cheap(&k, PASS, sizeof k.station, &len);
    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_OK);
    assert_memory_equal(cz_secrets_sign_pk(o), k.sign_pk, 32);
    assert_memory_equal(cz_secrets_box_pk(o), k.box_pk, 32);
    assert_memory_equal(cz_secrets_box_sk(o), k.box_sk, 32);
    assert_non_null(cz_secrets_root_pk(o));
    assert_memory_equal(cz_secrets_root_pk(o), k.root_pk, 32);
    sign_and_check(o, k.sign_pk);
    root_sign_and_check(o, k.root_pk);
    cz_secrets_free(o);
    o = NULL;
    assert_int_equal(cz_secrets_open(blob, len, "wrong", &o), CZ_EPASS);
    assert_null(o);
    free(blob);

    plain_init(&k, 0);
    blob = craft_cheap(&k, PASS, 34, &len);
    assert_int_equal(len, BLOB_NOROOT);
    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_OK);
    assert_null(cz_secrets_root_pk(o));
    sign_and_check(o, k.sign_pk);
    cz_secrets_free(o);
    free(blob);
}

static void test_crafted_blob_every_byte_flip(void **state)
{
    static const uint8_t masks[] = { 0x01, 0x80 };
    struct plain k;
    uint8_t *blob;
    size_t len;

    plain_init(&k, 1);
    blob = craft_cheap(&k, PASS, sizeof k.station, &len);
    for (size_t i = 0; i < len; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            cz_secrets *o = (cz_secrets *)0x1;
            blob[i] ^= masks[m];
            int rc = cz_secrets_open(blob, len, PASS, &o);
            if (rc == CZ_OK)
                fail_msg("byte %zu ^ 0x%02x accepted", i, masks[m]);
            assert_true(rc > CZ_OK && rc < CZ_STATUS_COUNT);
            assert_null(o);
            blob[i] ^= masks[m];
        }
    }
    /* and undamaged it still opens */
    cz_secrets *o = NULL;
    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_OK);
    cz_secrets_free(o);
    free(blob);
}

static void test_crafted_blob_bad_contents(void **state)
{
    struct plain k, other;
    cz_secrets *o = NULL;
    uint8_t *blob;
    size_t len;

    plain_init(&k, 1);
    plain_init(&other, 1);

    /* Station secrets of another version */
    k.station[0] = 2;
    expect_refused("another version", &k, sizeof k.station, CZ_EVERSION);
    k.station[0] = 1;

    /* Says it has a root key but does not hold one */
    expect_refused("root flag, no root key", &k, 34, CZ_ECANON);

    /* Says no root key but holds more bytes */
    k.station[33] = 0;
    expect_refused("no root flag, more bytes", &k, sizeof k.station, CZ_ECANON);
    k.station[33] = 1;

    /* Station secrets too short to hold a box key: refused, whatever the status */
    expect_refused("too short for a box key", &k, 20, CZ_OK);

    /* Public key in the clear does not match the sealed secret key */
    blob = craft(CHEAP_OPS, CHEAP_MEM, PASS, other.sign_pk, k.sign_sk, k.station,
                 sizeof k.station, &len);
    assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_ECANON);
    assert_null(o);
    free(blob);

    /* Limits outside what a blob may ask for: refused before Argon2 runs. */
    {
        struct { uint64_t ops, mem; } lim[] = {
            { 0, CHEAP_MEM },
            { crypto_pwhash_OPSLIMIT_SENSITIVE + 1, CHEAP_MEM },
            { UINT64_MAX, CHEAP_MEM },
            { CHEAP_OPS, CHEAP_MEM - 1 },
            { CHEAP_OPS, (uint64_t)crypto_pwhash_MEMLIMIT_SENSITIVE + 1 },
            { CHEAP_OPS, UINT64_MAX },
        };
        blob = craft_cheap(&k, PASS, sizeof k.station, &len);
        for (size_t i = 0; i < sizeof lim / sizeof *lim; i++) {
            put_u64(blob + OFF_OPS, lim[i].ops);
            put_u64(blob + OFF_MEM, lim[i].mem);
            assert_int_equal(cz_secrets_open(blob, len, PASS, &o), CZ_ECANON);
            assert_null(o);
        }
        free(blob);
    }
}

/* has_root is a flag: 0 or 1.  Any other value is not the canonical form. */
static void test_crafted_blob_has_root_flag(void **state)
{
    struct plain k;

    plain_init(&k, 1);
    k.station[33] = 2;
    expect_refused("root flag 2", &k, sizeof k.station, CZ_ECANON);
}

/* --- persons sharing a station ------------------------------------------- */

static void test_new_person(void **state)
{
    cz_secrets *st = NULL, *p = NULL, *q = NULL, *plain = NULL;

    assert_int_equal(cz_secrets_generate(1, &st), CZ_OK);
    assert_int_equal(cz_secrets_new_person(st, &p), CZ_OK);
    assert_int_equal(cz_secrets_new_person(st, &q), CZ_OK);
    assert_memory_equal(cz_secrets_box_pk(p), cz_secrets_box_pk(st), 32);
    assert_memory_equal(cz_secrets_box_sk(p), cz_secrets_box_sk(st), 32);
    assert_memory_equal(cz_secrets_root_pk(p), cz_secrets_root_pk(st), 32);
    assert_memory_not_equal(cz_secrets_sign_pk(p), cz_secrets_sign_pk(st), 32);
    assert_memory_not_equal(cz_secrets_sign_pk(p), cz_secrets_sign_pk(q), 32);
    sign_and_check(p, cz_secrets_sign_pk(p));
    sign_and_check(q, cz_secrets_sign_pk(q));
    {   /* p cannot sign as the station's first person */
        static const uint8_t msg[] = "m";
        uint8_t sig[64];
        assert_int_equal(cz_secrets_sign(p, msg, sizeof msg, sig), CZ_OK);
        assert_int_not_equal(crypto_sign_verify_detached(sig, msg, sizeof msg,
                                                         cz_secrets_sign_pk(st)), 0);
    }
    root_sign_and_check(p, cz_secrets_root_pk(st));

    /* Two fresh stations share nothing. */
    assert_int_equal(cz_secrets_generate(0, &plain), CZ_OK);
    assert_memory_not_equal(cz_secrets_box_pk(plain), cz_secrets_box_pk(st), 32);
    cz_secrets_free(q);
    q = NULL;
    assert_int_equal(cz_secrets_new_person(plain, &q), CZ_OK);
    assert_null(cz_secrets_root_pk(q));

    cz_secrets_free(NULL);
    cz_secrets_free(q);
    cz_secrets_free(plain);
    cz_secrets_free(p);
    cz_secrets_free(st);
}

/* --- hex ----------------------------------------------------------------- */

static void test_hex(void **state)
{
    uint8_t in[32], out[32];
    char hex[65];

    for (int i = 0; i < 32; i++)
        in[i] = (uint8_t)(i * 37 + 5);
    cz_hex(in, sizeof in, hex);
    assert_int_equal(strlen(hex), 64);
    for (int i = 0; i < 64; i++)
        assert_true((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
    assert_int_equal(cz_unhex(hex, out, sizeof out), CZ_OK);
    assert_memory_equal(in, out, 32);

    {
        const uint8_t b[] = { 0x00, 0x01, 0xab, 0xff };
        char h[9];
        cz_hex(b, sizeof b, h);
        assert_string_equal(h, "0001abff");
        cz_hex(b, 0, h);
        assert_string_equal(h, "");
    }

    uint8_t two[2];
    assert_int_equal(cz_unhex("ABcd", two, 2), CZ_OK);   /* either case */
    assert_int_equal(two[0], 0xab);
    assert_int_equal(two[1], 0xcd);
    assert_int_equal(cz_unhex("", two, 0), CZ_OK);

    static const char *const bad[] = {
        "abc",        /* odd */
        "a",          /* odd, short */
        "",           /* too short */
        "abcdef",     /* too long */
        "abc ",       /* space */
        " abc",
        "ab:c",
        "zz00",
        "00zz",
        "0g00",
        "0x12",
        "ab\ncd",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = cz_unhex(bad[i], two, 2);
        if (rc != CZ_EINVAL)
            fail_msg("\"%s\" gave %s", bad[i], cz_status_name(rc));
    }
    assert_int_equal(cz_unhex("ab", two, 2), CZ_EINVAL);
    assert_int_equal(cz_unhex(hex, out, 31), CZ_EINVAL);
    hex[63] = 'G';
    assert_int_equal(cz_unhex(hex, out, 32), CZ_EINVAL);
}

static void test_fingerprint(void **state)
{
    uint8_t pk[32], pk2[32];
    char fp[24], fp2[24];

    memset(pk, 7, sizeof pk);
    memcpy(pk2, pk, sizeof pk);
    pk2[31] ^= 1;
    cz_fingerprint(pk, fp);
    cz_fingerprint(pk2, fp2);
    assert_int_equal(strlen(fp), 19);
    for (int i = 0; i < 19; i++) {
        if (i % 5 == 4)
            assert_int_equal(fp[i], ' ');
        else
            assert_true((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'a' && fp[i] <= 'f'));
    }
    assert_string_not_equal(fp, fp2);
    cz_fingerprint(pk, fp2);
    assert_string_equal(fp, fp2);
}

static int group_setup(void **state)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* Secrets in memory make the process non-dumpable (no core file). */
static void test_not_dumpable_once_unlocked(void **state)
{
    cz_secrets *s = NULL;
    assert_int_equal(cz_secrets_generate(1, &s), CZ_OK);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    cz_secrets_free(s);
}

/* A blob asking for more Argon2id memory than a 1 GB PC can give is refused
 * before any is spent. */
static void test_argon2_memory_ceiling(void **state)
{
    cz_secrets *s = NULL, *o = NULL;
    uint8_t *blob = NULL;
    size_t len = 0;
    assert_int_equal(cz_secrets_generate(0, &s), CZ_OK);
    assert_int_equal(cz_secrets_seal(s, "pw", &blob, &len), CZ_OK);
    uint64_t mem = crypto_pwhash_MEMLIMIT_MODERATE + 1024;   /* u64 big-endian at offset 13 */
    for (int i = 0; i < 8; i++) blob[13 + i] = (uint8_t)(mem >> (56 - 8 * i));
    assert_int_equal(cz_secrets_open(blob, len, "pw", &o), CZ_ECANON);
    assert_null(o);
    free(blob);
    cz_secrets_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open_with_root),
        cmocka_unit_test(test_seal_open_without_root),
        cmocka_unit_test(test_real_blob_damage_cheap),
        cmocka_unit_test(test_crafted_blob_opens),
        cmocka_unit_test(test_crafted_blob_every_byte_flip),
        cmocka_unit_test(test_crafted_blob_bad_contents),
        cmocka_unit_test(test_crafted_blob_has_root_flag),
        cmocka_unit_test(test_new_person),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_not_dumpable_once_unlocked),
        cmocka_unit_test(test_argon2_memory_ceiling),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
