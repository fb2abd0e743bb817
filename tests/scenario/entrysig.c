/* entrysig — re-verifies entries as a reader outside cunzhan would, with
 * libsodium alone and the wire format of src/FORMATS.md: reads lines
 * "ID_HEX RAW_HEX" on stdin (cunzhan.entry's id and raw, encoded hex by
 * psql), checks that the id is BLAKE2b-256 of the raw bytes and that the
 * last 64 bytes are an Ed25519 signature by the origin (bytes 4..35) over
 * every byte before them.  Prints how many verified; exits 1 at the first
 * that does not, naming it. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    static char line[1 << 22];
    static unsigned char raw[1 << 21];
    unsigned char id[32], want[32];
    size_t n = 0;
    if (sodium_init() < 0) return 2;
    while (fgets(line, sizeof line, stdin)) {
        char *sp = strchr(line, ' ');
        size_t idlen = 0, len = 0;
        if (!sp) { fprintf(stderr, "entrysig: line %zu: no raw bytes\n", n + 1); return 1; }
        *sp = 0;
        line[strcspn(sp + 1, "\n") + (size_t)(sp + 1 - line)] = 0;
        if (sodium_hex2bin(id, sizeof id, line, strlen(line), NULL, &idlen, NULL) || idlen != 32 ||
            sodium_hex2bin(raw, sizeof raw, sp + 1, strlen(sp + 1), NULL, &len, NULL) || len < 4 + 32 + 64) {
            fprintf(stderr, "entrysig: line %zu: not hex\n", n + 1);
            return 1;
        }
        crypto_generichash(want, sizeof want, raw, len, NULL, 0);
        if (memcmp(want, id, 32)) { fprintf(stderr, "entrysig: %s: id is not the hash of raw\n", line); return 1; }
        if (crypto_sign_verify_detached(raw + len - 64, raw, len - 64, raw + 4)) {
            fprintf(stderr, "entrysig: %s: signature does not verify\n", line);
            return 1;
        }
        n++;
    }
    printf("%zu verified\n", n);
    return 0;
}
