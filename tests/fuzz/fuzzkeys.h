/* fuzzkeys.h — fixed test keys for the bundle fuzz target and the corpus
 * generator, derived from constant seeds so a seed bundle written once
 * stays openable by every later fuzz run.  Test keys only: never a
 * station's. */
#ifndef CZ_FUZZKEYS_H
#define CZ_FUZZKEYS_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

struct fuzz_keys {
    uint8_t box_pk[32], box_sk[32];        /* the recipient station */
    uint8_t sender_pk[32], sender_sk[32];  /* the sending station's box key */
    uint8_t sign_pk[32], sign_sk[64];      /* the person who exports */
};

static inline void fuzz_keys_make(struct fuzz_keys *k)
{
    uint8_t seed[32];
    if (sodium_init() < 0) abort();
    memset(seed, 'R', sizeof seed);
    crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
    memset(seed, 'S', sizeof seed);
    crypto_box_seed_keypair(k->sender_pk, k->sender_sk, seed);
    memset(seed, 'P', sizeof seed);
    crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed);
}

static inline int fuzz_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct fuzz_keys *k = ctx;
    crypto_sign_detached(sig, NULL, msg, len, k->sign_sk);
    return 0;
}

#endif
