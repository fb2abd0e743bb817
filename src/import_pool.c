/* import_pool.c — pass 2 of an import (sync_int.h): checks in parallel,
 * writes in order.  The main thread decrypts and cuts entries into
 * batches, worker threads (one per other core) decode and verify their
 * signatures, and the main thread (helping with the checks while it waits)
 * applies each batch in bundle order, so the writes are the same whatever
 * the threads did (imp_admit bounds keys not yet certified first, then
 * imp_apply_one judges). */
#include "sync_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "status.h"

#define BATCH_N 256
#define BATCH_BYTES (256u * 1024u)
#define NBATCH 4
#define WORKERS_MAX 8
#define CLAIM_NONE ((size_t)1 << (sizeof(size_t) * 8 - 2))

struct chk { struct cz_entry e; uint8_t id[CZ_ID_BYTES]; size_t off, len; int status; };
struct batch {
    struct chk ent[BATCH_N];
    uint8_t *arena;
    size_t used, cap;
    size_t fill;                      /* entries while filling (main thread only) */
    atomic_size_t n, next, done;      /* published count, next to claim, checked */
};
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct batch *b;                  /* NBATCH */
    size_t head, fill;                /* b[head..fill) published, oldest first */
    atomic_int quit;
    pthread_t th[WORKERS_MAX];
    size_t nth;
};

static void check_claimed(struct pool *pl, struct batch *b)
{
    size_t i;
    while (!atomic_load_explicit(&pl->quit, memory_order_relaxed) &&
           (i = atomic_fetch_add(&b->next, 1)) < atomic_load(&b->n)) {
        struct chk *c = &b->ent[i];
        if (c->status == CZ_OK) c->status = imp_check_entry(b->arena + c->off, c->len, &c->e, c->id);
        if (atomic_fetch_add(&b->done, 1) + 1 == atomic_load(&b->n)) {
            pthread_mutex_lock(&pl->mu);
            pthread_cond_broadcast(&pl->done);
            pthread_mutex_unlock(&pl->mu);
        }
    }
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    pthread_mutex_lock(&pl->mu);
    while (!atomic_load(&pl->quit)) {
        struct batch *b = NULL;
        for (size_t k = pl->head; k < pl->fill && !b; k++)
            if (atomic_load(&pl->b[k % NBATCH].next) < atomic_load(&pl->b[k % NBATCH].n)) b = &pl->b[k % NBATCH];
        if (!b) {
            pthread_cond_wait(&pl->work, &pl->mu);
            continue;
        }
        pthread_mutex_unlock(&pl->mu);
        check_claimed(pl, b);
        pthread_mutex_lock(&pl->mu);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

static int pool_start(struct pool *pl)
{
    memset(pl, 0, sizeof *pl);
    if (!(pl->b = calloc(NBATCH, sizeof *pl->b))) return CZ_ENOMEM;
    for (size_t k = 0; k < NBATCH; k++) {
        atomic_init(&pl->b[k].n, 0);
        atomic_init(&pl->b[k].next, CLAIM_NONE);
        atomic_init(&pl->b[k].done, 0);
    }
    atomic_init(&pl->quit, 0);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)(cpus - 1) : 0;
    if (want > WORKERS_MAX) want = WORKERS_MAX;
    /* A thread that cannot start leaves its share to the main thread. */
    while (pl->nth < want && pthread_create(&pl->th[pl->nth], NULL, worker, pl) == 0) pl->nth++;
    return CZ_OK;
}

static void pool_stop(struct pool *pl)
{
    if (!pl->b) return;
    pthread_mutex_lock(&pl->mu);
    atomic_store(&pl->quit, 1);
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (size_t k = 0; k < pl->nth; k++) pthread_join(pl->th[k], NULL);
    for (size_t k = 0; k < NBATCH; k++) {
        if (pl->b[k].arena) sodium_memzero(pl->b[k].arena, pl->b[k].cap);
        free(pl->b[k].arena);
    }
    free(pl->b);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->work);
    pthread_cond_destroy(&pl->done);
    pl->b = NULL;
}

static void publish(struct pool *pl)
{
    struct batch *b = &pl->b[pl->fill % NBATCH];
    pthread_mutex_lock(&pl->mu);
    atomic_store(&b->done, 0);
    atomic_store(&b->n, b->fill);
    atomic_store(&b->next, 0);
    pl->fill++;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
}

/* Applies the oldest published batch, checking alongside the workers
 * first.  *eerr: the first entry that failed its checks (nothing after it
 * is applied). */
static int drain(struct pool *pl, struct importer *im, int *eerr)
{
    struct batch *b = &pl->b[pl->head % NBATCH];
    size_t n = atomic_load(&b->n);
    int rc = CZ_OK;
    check_claimed(pl, b);
    pthread_mutex_lock(&pl->mu);
    while (atomic_load(&b->done) < n) pthread_cond_wait(&pl->done, &pl->mu);
    pthread_mutex_unlock(&pl->mu);
    for (size_t i = 0; i < n && !rc && !*eerr; i++) {
        int ok = 1;
        if (b->ent[i].status) *eerr = b->ent[i].status;
        else if ((rc = imp_admit(im, &b->ent[i].e, b->ent[i].id, &ok)) == CZ_OK && ok)
            rc = imp_apply_one(im, &b->ent[i].e, b->ent[i].id);
    }
    im->done += n;
    sync_progress(im->pr, im->done, im->total);
    pthread_mutex_lock(&pl->mu);
    atomic_store(&b->next, CLAIM_NONE);
    atomic_store(&b->n, 0);
    b->fill = 0;
    b->used = 0;
    pl->head++;
    pthread_mutex_unlock(&pl->mu);
    return rc;
}


/* Room for `more` bytes in b's arena, grown by copying so no plaintext is
 * left behind unwiped. */
static int batch_room(struct batch *b, size_t more)
{
    if (b->used + more <= b->cap) return CZ_OK;
    size_t cap = b->cap ? b->cap : BATCH_BYTES;
    while (cap < b->used + more) cap *= 2;
    uint8_t *a = malloc(cap);
    if (!a) return CZ_ENOMEM;
    if (b->arena) {
        memcpy(a, b->arena, b->used);
        sodium_memzero(b->arena, b->cap);
        free(b->arena);
    }
    b->arena = a;
    b->cap = cap;
    return CZ_OK;
}

/* One entry into the batch being filled, publishing (and, with every
 * batch in use, applying the oldest) first when it is full. */
static int pool_add(struct pool *pl, struct importer *im, const uint8_t *p, size_t len, int bad, int *eerr)
{
    size_t copy = p ? len : 0;     /* an entry too long to hold has its fault already */
    struct batch *b = &pl->b[pl->fill % NBATCH];
    int rc = CZ_OK;
    if (b->fill == BATCH_N || (b->fill && b->used + copy > BATCH_BYTES)) {
        publish(pl);
        if (pl->fill - pl->head == NBATCH) rc = drain(pl, im, eerr);
        b = &pl->b[pl->fill % NBATCH];
        if (rc || *eerr) return rc;
    }
    if ((rc = batch_room(b, copy))) return rc;
    struct chk *c = &b->ent[b->fill++];
    c->off = b->used;
    c->len = len;
    c->status = bad;
    if (copy) memcpy(b->arena + b->used, p, copy);
    b->used += copy;
    return CZ_OK;
}

int imp_pass_rest(struct importer *im, cz_bundle_reader *r, int *status)
{
    struct pool pl;
    struct cz_payload_in in;
    struct cz_byte_src src;
    size_t len;
    const uint8_t *p;
    int perr, eerr = CZ_OK, bad, rc;

    if ((rc = pool_start(&pl))) return rc;
    imp_src(&src, r);
    perr = cz_payload_in_head(&in, &src, 1, NULL);
    im->total = in.n;
    sync_progress(im->pr, 0, im->total);
    for (uint32_t i = 0; perr == CZ_OK && !rc && !eerr && i < in.n; i++) {
        if ((perr = cz_payload_in_next(&in, &p, &len, &bad))) break;
        if (!imp_is_root(p, len, im)) rc = pool_add(&pl, im, p, len, bad, &eerr);
    }
    if (!rc && !eerr && perr == CZ_OK && pl.b[pl.fill % NBATCH].fill) publish(&pl);
    while (!rc && !eerr && pl.head < pl.fill) rc = drain(&pl, im, &eerr);
    pool_stop(&pl);
    if (rc) return rc;
    if (perr == CZ_OK && !eerr) perr = cz_payload_in_end(&in);
    int fin = cz_bundle_reader_finish(r);
    *status = fin ? fin : perr ? perr : eerr;
    if (imp_local_failure(*status)) { rc = *status; *status = CZ_OK; }
    return rc;
}
