/* Fuzz target: a person's key blob (keys.h), as it lies in a station's
 * store or a backup on a stick: the header parser that reads the public
 * key without the passphrase (cz_keyblob_sign_pk) and, when the header
 * asks for little Argon2 work (a hostile header asking for more is refused
 * by cz_secrets_open, which keys.c tests; here it would only be slow), the
 * whole open with the passphrase "fuzz" (the seeds, tests/fuzz/mkcorpus.c,
 * are sealed with it).  Invariants: the public key read is the header's;
 * a blob that opens has a header that parses, and the secrets' public key
 * is the header's. */
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
    if (size < PK_AT || be64(data + 5) > FUZZ_OPS_MAX || be64(data + 13) > FUZZ_MEM_MAX) return 0;
    cz_secrets *s = NULL;
    int orc = cz_secrets_open(data, size, "fuzz", &s);
    if (orc == CZ_OK) {
        if (!s || hrc != CZ_OK || memcmp(cz_secrets_sign_pk(s), pk, CZ_PK_BYTES)) abort();
        cz_secrets_free(s);
    } else if (s) {
        abort();
    }
    return 0;
}
