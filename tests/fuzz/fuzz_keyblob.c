/* Fuzz target: a person's key blob (keys.h), as it lies in a station's
 * store or a backup on a stick: the header parsers that need no passphrase
 * (cz_keyblob_sign_pk, cz_keyblob_limits, cz_keyblob_has_root) and, when
 * the header asks for little Argon2 work (a hostile header asking for more
 * is refused by cz_secrets_open, which keys.c tests; here it would only be
 * slow), the whole open with the passphrase "fuzz" (the seeds,
 * tests/fuzz/mkcorpus.c, are sealed with it).  Invariants: the public key
 * and limits read are the header's bytes; a blob that opens has a header
 * that parses, the secrets' public key is the header's, and it holds the
 * root key exactly when cz_keyblob_has_root said so. */
#include "keys.h"
#include "status.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "CZK" u8 version u8 kdf u64 ops u64 mem salt[16] sign_pk[32] (keys.h). */
#define PK_AT (3 + 1 + 1 + 8 + 8 + 16)
#define FUZZ_MEM_MAX (1u << 20)
#define FUZZ_OPS_MAX 4u

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pk[CZ_PK_BYTES];
    if (sodium_init() < 0) abort();
    int hrc = cz_keyblob_sign_pk(data, size, pk);
    if (hrc == CZ_OK && (size < PK_AT + CZ_PK_BYTES || memcmp(pk, data + PK_AT, CZ_PK_BYTES))) abort();
    uint64_t ops = 0, mem = 0;
    int lrc = cz_keyblob_limits(data, size, &ops, &mem);
    int has_root = cz_keyblob_has_root(data, size);
    if (hrc == CZ_OK && lrc != CZ_OK) abort();
    if (lrc == CZ_OK && (ops != be64(data + 5) || mem != be64(data + 13))) abort();
    if (has_root && hrc != CZ_OK) abort();
    if (lrc != CZ_OK || ops > FUZZ_OPS_MAX || mem > FUZZ_MEM_MAX) return 0;
    cz_secrets *s = NULL;
    int orc = cz_secrets_open(data, size, "fuzz", &s);
    if (orc == CZ_OK) {
        if (!s || hrc != CZ_OK || memcmp(cz_secrets_sign_pk(s), pk, CZ_PK_BYTES)) abort();
        if ((cz_secrets_root_pk(s) != NULL) != (has_root != 0)) abort();
        cz_secrets_free(s);
    } else if (s) {
        abort();
    }
    return 0;
}
