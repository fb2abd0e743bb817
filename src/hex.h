/* hex.h — bytes shown to people: hex text and key fingerprints.
 *
 * Keys, record ids and hashes are shown and typed as lowercase hex; a
 * public key is compared by eye through its short fingerprint (what
 * `enrol` and the refusal lines show, TRUST.md). */
#ifndef CZ_HEX_H
#define CZ_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Bytes -> lowercase hex.  out gets 2*len+1 bytes (NUL-terminated). */
void cz_hex(const uint8_t *in, size_t len, char *out);

/* Exactly 2*len hex digits (either case) -> bytes; CZ_EINVAL otherwise
 * (out may then hold part of the bytes). */
int cz_unhex(const char *hex, uint8_t *out, size_t len);

/* Short fingerprint of an Ed25519 public key (CZ_PK_BYTES, keys.h) for
 * comparing keys by eye: "ab12 cd34 ef56 7890", the first 8 bytes of its
 * BLAKE2b hash.  out gets 20 bytes; 24 leaves room to spare. */
#define CZ_FINGERPRINT_BYTES 24
void cz_fingerprint(const uint8_t pk[32], char out[CZ_FINGERPRINT_BYTES]);

#endif
