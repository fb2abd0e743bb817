#include "keys.h"

#include "bytes.h"
#include "status.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAGIC "CZK"
#define BLOB_VERSION 1
#define KDF_ARGON2ID13 1
#define SALT_BYTES 16
#define SIGN_SK_BYTES crypto_sign_SECRETKEYBYTES
#define BOX_KEY_BYTES crypto_box_SECRETKEYBYTES
#define NONCE_BYTES crypto_secretbox_NONCEBYTES
#define MAC_BYTES crypto_secretbox_MACBYTES
#define STATION_SECRETS_VERSION 1
#define STATION_SECRETS_MAX (2 + BOX_KEY_BYTES + SIGN_SK_BYTES)

/* Argon2id limits for sealing.  A slot that holds the office root key is
 * worth far more to a thief than a clerk's, so it costs more to guess at.
 * Test builds (the Makefile's TEST_KDF, never `make`/`make install`) take
 * the weakest limits Argon2id allows, the root's one step above so tests
 * can still tell them apart; a blob records its limits, so either build
 * opens the other's slots. */
#ifdef CZ_TEST_KDF
#define SEAL_OPS_PERSON crypto_pwhash_OPSLIMIT_MIN
#define SEAL_MEM_PERSON crypto_pwhash_MEMLIMIT_MIN
#define SEAL_OPS_ROOT (crypto_pwhash_OPSLIMIT_MIN + 1)
#define SEAL_MEM_ROOT (2 * crypto_pwhash_MEMLIMIT_MIN)
#else
#define SEAL_OPS_PERSON crypto_pwhash_OPSLIMIT_INTERACTIVE
#define SEAL_MEM_PERSON crypto_pwhash_MEMLIMIT_INTERACTIVE
#define SEAL_OPS_ROOT crypto_pwhash_OPSLIMIT_MODERATE
#define SEAL_MEM_ROOT crypto_pwhash_MEMLIMIT_MODERATE
#endif

/* Everything secret sits in one sodium_malloc block. */
struct cz_secrets {
    uint8_t sign_pk[CZ_PK_BYTES];
    uint8_t sign_sk[SIGN_SK_BYTES];
    uint8_t box_pk[CZ_PK_BYTES];
    uint8_t box_sk[BOX_KEY_BYTES];
    int has_root;
    uint8_t root_pk[CZ_PK_BYTES];
    uint8_t root_sk[SIGN_SK_BYTES];
};

/* Once a process holds secrets it stays non-dumpable: no core file, and
 * other processes of the same user cannot ptrace it or read /proc/PID/mem.
 * (sodium_malloc memory is also mlocked, kept out of swap, and marked
 * MADV_DONTDUMP where the kernel has it.)  Not undone when the secrets are
 * freed: the process is short-lived and the command line exits soon after. */
static void no_core_dumps(void)
{
#ifdef PR_SET_DUMPABLE
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static cz_secrets *secrets_alloc(void)
{
    if (sodium_init() < 0)
        return NULL;
    no_core_dumps();
    cz_secrets *s = sodium_malloc(sizeof *s);
    if (s)
        sodium_memzero(s, sizeof *s);
    return s;
}

void cz_secrets_free(cz_secrets *s)
{
    if (s)
        sodium_free(s);   /* sodium_free wipes before unmapping */
}

int cz_secrets_generate(int with_root, cz_secrets **out)
{
    cz_secrets *s = secrets_alloc();
    *out = NULL;
    if (!s)
        return CZ_ENOMEM;
    crypto_sign_keypair(s->sign_pk, s->sign_sk);
    crypto_box_keypair(s->box_pk, s->box_sk);
    if (with_root) {
        s->has_root = 1;
        crypto_sign_keypair(s->root_pk, s->root_sk);
    }
    *out = s;
    return CZ_OK;
}

int cz_secrets_new_person(const cz_secrets *station, cz_secrets **out)
{
    cz_secrets *s = secrets_alloc();
    *out = NULL;
    if (!s)
        return CZ_ENOMEM;
    memcpy(s, station, sizeof *s);
    crypto_sign_keypair(s->sign_pk, s->sign_sk);
    *out = s;
    return CZ_OK;
}

int cz_secrets_for_station(const uint8_t box_sk[32], cz_secrets **out)
{
    cz_secrets *s = secrets_alloc();
    *out = NULL;
    if (!s)
        return CZ_ENOMEM;
    memcpy(s->box_sk, box_sk, sizeof s->box_sk);
    if (crypto_scalarmult_base(s->box_pk, s->box_sk) != 0) {
        cz_secrets_free(s);
        return CZ_ECRYPTO;
    }
    crypto_sign_keypair(s->sign_pk, s->sign_sk);
    *out = s;
    return CZ_OK;
}

void cz_secrets_drop_root(cz_secrets *s)
{
    s->has_root = 0;
    sodium_memzero(s->root_pk, sizeof s->root_pk);
    sodium_memzero(s->root_sk, sizeof s->root_sk);
}

int cz_secrets_with_new_root(const cz_secrets *s, cz_secrets **out)
{
    *out = NULL;
    if (!s->has_root) return CZ_EPERM;
    cz_secrets *n = secrets_alloc();
    if (!n) return CZ_ENOMEM;
    memcpy(n, s, sizeof *n);
    crypto_sign_keypair(n->root_pk, n->root_sk);
    *out = n;
    return CZ_OK;
}

int cz_secrets_root_transfer(const cz_secrets *s, const uint8_t person_pk[CZ_PK_BYTES], uint8_t **blob_out)
{
    uint8_t xpk[crypto_box_PUBLICKEYBYTES];
    *blob_out = NULL;
    if (!s->has_root) return CZ_EPERM;
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, person_pk) != 0) return CZ_EINVAL;
    uint8_t *blob = malloc(CZ_ROOT_TRANSFER_BYTES);
    if (!blob) return CZ_ENOMEM;
    if (crypto_box_seal(blob, s->root_sk, SIGN_SK_BYTES, xpk) != 0) { free(blob); return CZ_ECRYPTO; }
    *blob_out = blob;
    return CZ_OK;
}

int cz_secrets_root_receive(cz_secrets *s, const uint8_t *blob, size_t len)
{
    uint8_t xpk[crypto_box_PUBLICKEYBYTES], pk[CZ_PK_BYTES];
    uint8_t *xsk = NULL, *sk = NULL;
    int rc = CZ_ECRYPTO;
    if (len != CZ_ROOT_TRANSFER_BYTES) return CZ_ECRYPTO;
    xsk = sodium_malloc(crypto_box_SECRETKEYBYTES);
    sk = sodium_malloc(SIGN_SK_BYTES);
    if (!xsk || !sk) { rc = CZ_ENOMEM; goto cleanup; }
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, s->sign_pk) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(xsk, s->sign_sk) != 0 ||
        crypto_box_seal_open(sk, blob, len, xpk, xsk) != 0)
        goto cleanup;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    /* The secret key's second half is its public key: check they agree. */
    if (sodium_memcmp(pk, sk + 32, CZ_PK_BYTES) != 0) goto cleanup;
    memcpy(s->root_sk, sk, SIGN_SK_BYTES);
    memcpy(s->root_pk, pk, CZ_PK_BYTES);
    s->has_root = 1;
    rc = CZ_OK;
cleanup:
    if (xsk) sodium_free(xsk);
    if (sk) sodium_free(sk);
    return rc;
}

int cz_passphrase_check(const char *pass)
{
    size_t chars = 0;
    int all_same = 1;
    const unsigned char *first = (const unsigned char *)pass;
    size_t first_len = 0;
    /* Count code points (a byte that does not continue a UTF-8 sequence
     * starts one): 8 Chinese characters are as good as 8 letters. */
    for (const unsigned char *p = first; *p; p++) {
        if ((*p & 0xc0) == 0x80) {
            if (chars == 1) first_len++;
            continue;
        }
        if (++chars == 1) first_len = 1;
    }
    if (chars < CZ_PASSPHRASE_MIN_CHARS) return CZ_EWEAKPASS;
    /* One character typed over and over ("aaaaaaaa", eight spaces). */
    for (size_t off = first_len; pass[off]; off += first_len)
        if (strncmp(pass + off, pass, first_len) != 0) { all_same = 0; break; }
    return all_same ? CZ_EWEAKPASS : CZ_OK;
}

int cz_keyblob_limits(const uint8_t *blob, size_t len, uint64_t *ops, uint64_t *mem)
{
    if (len < 21 || memcmp(blob, BLOB_MAGIC, 3) != 0) return len < 21 ? CZ_ETRUNC : CZ_EMAGIC;
    *ops = cz_get_be64(blob + 5);
    *mem = cz_get_be64(blob + 13);
    return CZ_OK;
}

const uint8_t *cz_secrets_sign_pk(const cz_secrets *s) { return s->sign_pk; }
const uint8_t *cz_secrets_box_pk(const cz_secrets *s) { return s->box_pk; }
const uint8_t *cz_secrets_box_sk(const cz_secrets *s) { return s->box_sk; }
const uint8_t *cz_secrets_root_pk(const cz_secrets *s) { return s->has_root ? s->root_pk : NULL; }

int cz_secrets_sign(const cz_secrets *s, const uint8_t *msg, size_t len, uint8_t sig[CZ_SIG_BYTES])
{
    return crypto_sign_detached(sig, NULL, msg, len, s->sign_sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

int cz_secrets_root_sign(const cz_secrets *s, const uint8_t *msg, size_t len, uint8_t sig[CZ_SIG_BYTES])
{
    if (!s->has_root)
        return CZ_EPERM;
    return crypto_sign_detached(sig, NULL, msg, len, s->root_sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

/* Fixed part of the blob up to the sealed station secrets' length field. */
#define HDR_BYTES (3 + 1 + 1 + 8 + 8 + SALT_BYTES + CZ_PK_BYTES)
#define SEALED_SIGN_BYTES (NONCE_BYTES + MAC_BYTES + SIGN_SK_BYTES)

/* Argon2id of the passphrase, into sodium_malloc memory. */
static int derive_key(const char *pass, const uint8_t salt[SALT_BYTES],
                      uint64_t ops, uint64_t mem, uint8_t **key_out)
{
    uint8_t *key = sodium_malloc(crypto_secretbox_KEYBYTES);
    *key_out = NULL;
    if (!key)
        return CZ_ENOMEM;
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, strlen(pass), salt,
                      ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_free(key);
        return CZ_ENOMEM;   /* Argon2 fails only when it cannot get its memory */
    }
    *key_out = key;
    return CZ_OK;
}

int cz_secrets_seal(const cz_secrets *s, const char *pass, uint8_t **blob_out, size_t *len_out)
{
    uint8_t station[STATION_SECRETS_MAX];
    size_t station_len = 0;
    uint8_t *key = NULL, *blob = NULL;
    int rc;
    uint64_t ops = s->has_root ? SEAL_OPS_ROOT : SEAL_OPS_PERSON;
    uint64_t mem = s->has_root ? SEAL_MEM_ROOT : SEAL_MEM_PERSON;

    *blob_out = NULL;
    station[station_len++] = STATION_SECRETS_VERSION;
    memcpy(station + station_len, s->box_sk, BOX_KEY_BYTES);
    station_len += BOX_KEY_BYTES;
    station[station_len++] = (uint8_t)s->has_root;
    if (s->has_root) {
        memcpy(station + station_len, s->root_sk, SIGN_SK_BYTES);
        station_len += SIGN_SK_BYTES;
    }
    size_t total = HDR_BYTES + SEALED_SIGN_BYTES + NONCE_BYTES + 2 + MAC_BYTES + station_len;
    blob = malloc(total);
    if (!blob) { rc = CZ_ENOMEM; goto cleanup; }

    uint8_t *p = blob;
    memcpy(p, BLOB_MAGIC, 3); p += 3;
    *p++ = BLOB_VERSION;
    *p++ = KDF_ARGON2ID13;
    cz_put_be64(p, ops); p += 8;
    cz_put_be64(p, mem); p += 8;
    uint8_t *salt = p;
    randombytes_buf(salt, SALT_BYTES); p += SALT_BYTES;
    memcpy(p, s->sign_pk, CZ_PK_BYTES); p += CZ_PK_BYTES;

    rc = derive_key(pass, salt, ops, mem, &key);
    if (rc) goto cleanup;

    randombytes_buf(p, NONCE_BYTES);
    crypto_secretbox_easy(p + NONCE_BYTES, s->sign_sk, SIGN_SK_BYTES, p, key);
    p += SEALED_SIGN_BYTES;
    randombytes_buf(p, NONCE_BYTES);
    size_t sealed_len = MAC_BYTES + station_len;
    cz_put_be16(p + NONCE_BYTES, (uint16_t)sealed_len);
    crypto_secretbox_easy(p + NONCE_BYTES + 2, station, station_len, p, key);

    *blob_out = blob;
    *len_out = total;
    blob = NULL;
    rc = CZ_OK;
cleanup:
    sodium_memzero(station, sizeof station);
    if (key) sodium_free(key);
    free(blob);
    return rc;
}

static int check_header(const uint8_t *blob, size_t len)
{
    if (len < 4 || memcmp(blob, BLOB_MAGIC, 3) != 0)
        return len < 4 ? CZ_ETRUNC : CZ_EMAGIC;
    if (blob[3] != BLOB_VERSION)
        return CZ_EVERSION;
    if (len < HDR_BYTES + SEALED_SIGN_BYTES + NONCE_BYTES + 2)
        return CZ_ETRUNC;
    if (blob[4] != KDF_ARGON2ID13)
        return CZ_EVERSION;
    return CZ_OK;
}

int cz_keyblob_sign_pk(const uint8_t *blob, size_t len, uint8_t pk[CZ_PK_BYTES])
{
    int rc = check_header(blob, len);
    if (rc == CZ_OK)
        memcpy(pk, blob + HDR_BYTES - CZ_PK_BYTES, CZ_PK_BYTES);
    return rc;
}

int cz_keyblob_has_root(const uint8_t *blob, size_t len)
{
    if (check_header(blob, len) != CZ_OK) return 0;
    const uint8_t *n = blob + HDR_BYTES + SEALED_SIGN_BYTES + NONCE_BYTES;
    size_t sealed_len = cz_get_be16(n);
    /* The sealed station secrets' length is in the clear: with the root
     * key they are 64 bytes longer. */
    return sealed_len == MAC_BYTES + 2 + BOX_KEY_BYTES + SIGN_SK_BYTES;
}

/* The parts of a blob that can be checked without the passphrase: header,
 * Argon2id limits, and a total length that matches the sealed station
 * secrets' length field.  *sealed_len: that field's value. */
static int check_sealed_layout(const uint8_t *blob, size_t len, uint64_t *ops, uint64_t *mem,
                               size_t *sealed_len)
{
    int rc = check_header(blob, len);
    if (rc) return rc;
    *ops = cz_get_be64(blob + 5);
    *mem = cz_get_be64(blob + 13);
    /* A hostile blob must not make us spend hours or all memory: at most
     * libsodium's "moderate" 256 MiB, which a 1 GB PC can still give. */
    if (*ops < crypto_pwhash_OPSLIMIT_MIN || *ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        *mem < crypto_pwhash_MEMLIMIT_MIN || *mem > crypto_pwhash_MEMLIMIT_MODERATE ||
        *mem % 1024 != 0)   /* Argon2 uses whole KiB: other low bits would be malleable */
        return CZ_ECANON;
    size_t fixed = HDR_BYTES + SEALED_SIGN_BYTES + NONCE_BYTES + 2;
    *sealed_len = cz_get_be16(blob + HDR_BYTES + SEALED_SIGN_BYTES + NONCE_BYTES);
    if (*sealed_len < MAC_BYTES || *sealed_len - MAC_BYTES > STATION_SECRETS_MAX)
        return CZ_ECANON;
    if (len != fixed + *sealed_len)
        return len < fixed + *sealed_len ? CZ_ETRUNC : CZ_ECANON;
    return CZ_OK;
}

/* The opened station secrets (version, box key, root flag, root key) into
 * s, each length exactly as its flag says. */
static int take_station_secrets(cz_secrets *s, const uint8_t *station, size_t station_len)
{
    if (station_len < 2 + BOX_KEY_BYTES || station[0] != STATION_SECRETS_VERSION)
        return CZ_EVERSION;
    memcpy(s->box_sk, station + 1, BOX_KEY_BYTES);
    crypto_scalarmult_base(s->box_pk, s->box_sk);
    s->has_root = station[1 + BOX_KEY_BYTES];
    if (s->has_root > 1) return CZ_ECANON;   /* a flag: 0 or 1 */
    if (!s->has_root)
        return station_len == 2 + BOX_KEY_BYTES ? CZ_OK : CZ_ECANON;
    if (station_len != 2 + BOX_KEY_BYTES + SIGN_SK_BYTES) return CZ_ECANON;
    memcpy(s->root_sk, station + 2 + BOX_KEY_BYTES, SIGN_SK_BYTES);
    crypto_sign_ed25519_sk_to_pk(s->root_pk, s->root_sk);
    return CZ_OK;
}

int cz_secrets_open(const uint8_t *blob, size_t len, const char *pass, cz_secrets **out)
{
    uint8_t station[STATION_SECRETS_MAX];
    uint8_t derived_pk[CZ_PK_BYTES];
    uint8_t *key = NULL;
    cz_secrets *s = NULL;
    uint64_t ops, mem;
    size_t sealed_len;
    int rc;

    *out = NULL;
    if ((rc = check_sealed_layout(blob, len, &ops, &mem, &sealed_len))) return rc;
    const uint8_t *salt = blob + 21;
    const uint8_t *p = blob + HDR_BYTES;
    const uint8_t *sealed_station = p + SEALED_SIGN_BYTES;

    s = secrets_alloc();
    if (!s) return CZ_ENOMEM;
    rc = derive_key(pass, salt, ops, mem, &key);
    if (rc) goto cleanup;
    memcpy(s->sign_pk, blob + HDR_BYTES - CZ_PK_BYTES, CZ_PK_BYTES);
    rc = CZ_EPASS;
    if (crypto_secretbox_open_easy(s->sign_sk, p + NONCE_BYTES, MAC_BYTES + SIGN_SK_BYTES, p, key) != 0)
        goto cleanup;
    if (crypto_secretbox_open_easy(station, sealed_station + NONCE_BYTES + 2, sealed_len,
                                   sealed_station, key) != 0)
        goto cleanup;
    if ((rc = take_station_secrets(s, station, sealed_len - MAC_BYTES))) goto cleanup;
    /* The public key in the clear must match the sealed secret key. */
    crypto_sign_ed25519_sk_to_pk(derived_pk, s->sign_sk);
    if (sodium_memcmp(derived_pk, s->sign_pk, CZ_PK_BYTES) != 0) {
        rc = CZ_ECANON;
        goto cleanup;
    }
    *out = s;
    s = NULL;
    rc = CZ_OK;
cleanup:
    sodium_memzero(station, sizeof station);
    if (key) sodium_free(key);
    cz_secrets_free(s);
    return rc;
}
