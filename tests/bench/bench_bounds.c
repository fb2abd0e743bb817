/* bench_bounds.c — Ed25519 on one core and on all of them: the bounds of
 * the load (signing: one person's entries chain, so one core) and of the
 * import (verifying: any number of cores) (bench.h). */
#include "bench.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

unsigned bench_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

struct share {
    const uint8_t *msg, *pk, *sk, *sig;
    size_t len;
    uint64_t count, failures;
    int verify;
};

static void *sign_share(void *arg)
{
    struct share *s = arg;
    uint8_t sig[crypto_sign_BYTES];
    for (uint64_t i = 0; i < s->count; i++) {
        if (s->verify) s->failures += crypto_sign_verify_detached(s->sig, s->msg, s->len, s->pk) != 0;
        else crypto_sign_detached(sig, NULL, s->msg, s->len, s->sk);
    }
    return NULL;
}

double bench_sign_time(uint64_t n, size_t msg_len, int verify, unsigned threads, uint64_t sample,
                       uint64_t *sampled)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    uint64_t m = n < sample ? n : sample, failures = 0;
    uint8_t *msg = calloc(1, msg_len ? msg_len : 1);
    pthread_t *tid = calloc(threads ? threads : 1, sizeof *tid);
    struct share *sh = calloc(threads ? threads : 1, sizeof *sh);
    unsigned started = 0;
    double t = -1;
    if (!msg || !tid || !sh || !threads || !m) goto cleanup;
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, msg, msg_len, sk);
    double t0 = now();
    for (unsigned i = 0; i < threads; i++) {
        sh[i] = (struct share){ .msg = msg, .pk = pk, .sk = sk, .sig = sig, .len = msg_len, .verify = verify,
                                .count = m / threads + (i < m % threads) };
        if (pthread_create(&tid[i], NULL, sign_share, &sh[i]) != 0) break;
        started++;
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        failures += sh[i].failures;
    }
    if (started == threads && !failures) t = (now() - t0) * (double)n / (double)m;
cleanup:
    *sampled = m;
    free(msg);
    free(tid);
    free(sh);
    return t;
}
