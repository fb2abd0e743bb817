/* keys.h — the secrets of one person at one station, and how they are kept.
 *
 * Each person on a station has an Ed25519 signing key.  The station has one
 * X25519 key that bundles are encrypted to; at the city office the slot also
 * holds the office root signing key.  Every person's key blob (a "slot", as
 * in LUKS) holds the person's own signing key AND a copy of the station
 * secrets, each sealed with crypto_secretbox under a key derived from that
 * person's passphrase with Argon2id, so any local user's login unlocks the
 * station key and no one can sign as another.
 *
 * Blob format, version 1 (all integers big-endian):
 *   "CZK" u8(version=1) u8(kdf=1: argon2id13) u64(opslimit) u64(memlimit)
 *   salt[16] sign_pk[32]
 *   nonce[24] secretbox(sign_sk[64])                        (80 bytes)
 *   nonce[24] u16(n) secretbox(station secrets, n bytes)
 * Station secrets, version 1: u8(1) box_sk[32] u8(has_root) [root_sk[64]]
 *
 * Unlocked secrets live in sodium_malloc memory (guard pages, mlock where
 * allowed) and are wiped by cz_secrets_free.  From the first unlock on, the
 * process is made non-dumpable (prctl PR_SET_DUMPABLE 0: no core dump, no
 * ptrace by other processes of the same user).
 *
 * Argon2id limits: a person's slot is sealed with libsodium's "interactive"
 * limits (2 passes, 64 MiB: about 0.1-0.3 s and well within a 1 GB PC); a
 * slot holding the office root key with the "moderate" ones (3 passes,
 * 256 MiB: about 1 s), since it is the office's most valuable secret.
 * Test builds (-DCZ_TEST_KDF, set only by the Makefile's test targets) seal
 * with the weakest limits instead.  Opening reads the limits from the blob
 * and accepts at most 4 passes and 256 MiB, so a damaged or hostile blob
 * cannot exhaust a 1 GB PC.
 *
 * Only people whose certificate says role `office` get a slot holding the
 * root key (station_people.c); everyone else's slot has has_root 0. */
#ifndef CZ_KEYS_H
#define CZ_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define CZ_PK_BYTES 32
#define CZ_SIG_BYTES 64

typedef struct cz_secrets cz_secrets;

/* A fresh person key with fresh station secrets (a new station); with_root
 * also makes an office root signing key. */
int cz_secrets_generate(int with_root, cz_secrets **out);

/* A fresh person key sharing `station`'s station secrets (user add),
 * the root key included when `station` holds it: a caller making a slot
 * for someone who is not office calls cz_secrets_drop_root on it. */
int cz_secrets_new_person(const cz_secrets *station, cz_secrets **out);

/* A fresh person key for the station whose bundle key's secret half is
 * box_sk (no root key): the office rebuilding a station from a backup
 * whose every key slot is damaged (backup.h). */
int cz_secrets_for_station(const uint8_t box_sk[32], cz_secrets **out);

void cz_secrets_free(cz_secrets *s);   /* wipes; NULL is fine */

/* Forgets the office root key (wiped): for a person who is not office. */
void cz_secrets_drop_root(cz_secrets *s);

/* Root rollover (roster.h).  A copy of s whose root key is a fresh one
 * (s must hold a root: CZ_EPERM otherwise). */
int cz_secrets_with_new_root(const cz_secrets *s, cz_secrets **out);
/* The root key held by s, sealed (crypto_box_seal) to another person's
 * signing key converted to X25519: only that person's slot can open it.
 * How an office person who is not at the keyboard gets the new root at
 * their next login.  *blob malloc'd, CZ_ROOT_TRANSFER_BYTES long. */
#define CZ_ROOT_TRANSFER_BYTES (64 + 48)
int cz_secrets_root_transfer(const cz_secrets *s, const uint8_t person_pk[CZ_PK_BYTES], uint8_t **blob);
/* Opens a transfer with s's own signing key and makes its root s's
 * (replacing and wiping any other).  CZ_ECRYPTO when it is not for s. */
int cz_secrets_root_receive(cz_secrets *s, const uint8_t *blob, size_t len);

/* The rule for a passphrase being SET (init, user add, a change; never
 * checked at login, so old slots still open): at least
 * CZ_PASSPHRASE_MIN_CHARS characters (UTF-8 code points, not bytes) and
 * not one character repeated.  CZ_OK or CZ_EWEAKPASS. */
#define CZ_PASSPHRASE_MIN_CHARS 8
int cz_passphrase_check(const char *passphrase);

/* Whether a blob's slot holds the office root key, told without the
 * passphrase from the sealed part's length (it is not secret which people
 * hold the root: their certificates say role office). */
int cz_keyblob_has_root(const uint8_t *blob, size_t blob_len);
/* The Argon2id limits a blob was sealed with (from its header). */
int cz_keyblob_limits(const uint8_t *blob, size_t blob_len, uint64_t *ops, uint64_t *mem);

const uint8_t *cz_secrets_sign_pk(const cz_secrets *s);  /* 32 bytes */
const uint8_t *cz_secrets_box_pk(const cz_secrets *s);   /* 32 bytes */
const uint8_t *cz_secrets_box_sk(const cz_secrets *s);   /* 32 bytes */
/* NULL when this station holds no root key. */
const uint8_t *cz_secrets_root_pk(const cz_secrets *s);

/* Detached Ed25519 signatures by the person, or by the office root. */
int cz_secrets_sign(const cz_secrets *s, const uint8_t *msg, size_t len,
                    uint8_t sig[CZ_SIG_BYTES]);
int cz_secrets_root_sign(const cz_secrets *s, const uint8_t *msg, size_t len,
                         uint8_t sig[CZ_SIG_BYTES]);   /* CZ_EPERM without root */

/* Seal under a passphrase into a new malloc'd blob (caller frees). */
int cz_secrets_seal(const cz_secrets *s, const char *passphrase,
                    uint8_t **blob, size_t *blob_len);

/* Open a blob.  CZ_EPASS for a wrong passphrase; CZ_EMAGIC / CZ_EVERSION /
 * CZ_ETRUNC for a damaged or foreign blob. */
int cz_secrets_open(const uint8_t *blob, size_t blob_len, const char *passphrase,
                    cz_secrets **out);

/* The person's public key from a blob, without the passphrase. */
int cz_keyblob_sign_pk(const uint8_t *blob, size_t blob_len, uint8_t pk[CZ_PK_BYTES]);

#endif
