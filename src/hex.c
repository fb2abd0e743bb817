/* hex.c — hex text and key fingerprints (hex.h). */
#include "hex.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "status.h"

void cz_hex(const uint8_t *in, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

int cz_unhex(const char *hex, uint8_t *out, size_t len)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != 2 * len)
        return CZ_EINVAL;
    if (sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, &end) != 0 || got != len)
        return CZ_EINVAL;
    return CZ_OK;
}

void cz_fingerprint(const uint8_t pk[32], char out[CZ_FINGERPRINT_BYTES])
{
    uint8_t h[8];
    char hex[17];
    crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
    cz_hex(h, sizeof h, hex);
    snprintf(out, CZ_FINGERPRINT_BYTES, "%.4s %.4s %.4s %.4s", hex, hex + 4, hex + 8, hex + 12);
}
