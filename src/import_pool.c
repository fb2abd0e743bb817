/* import_pool.c — one walk of a bundle's entries (sync_int.h, imp_walk):
 * checks in parallel, takes in order.  The main thread decrypts and cuts
 * entries into batches, worker threads (one per other core) decode them,
 * compute their ids and (pass 1) verify their signatures, and the main
 * thread (helping with the checks while it waits) hands each batch to the
 * walk's `take` in bundle order, so what is taken is the same whatever the
 * threads did.  Pass 1 takes to judge the bundle whole, pass 2 to apply. */
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

struct chk { struct imp_entry x; size_t off; };
struct batch {
    struct chk ent[BATCH_N];
    uint8_t *arena;
    size_t used, cap;
    size_t fill;                      /* entries while filling (main thread only) */
    atomic_size_t n, next, done;      /* published count, next to claim, checked */
};
struct pool {
    const struct imp_walk *w;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct batch *b;                  /* NBATCH */
    size_t head, fill;                /* b[head..fill) published, oldest first */
    atomic_int quit;
    pthread_t th[WORKERS_MAX];
    size_t nth;
};

/* Decoded and named by its id; its signature verified when asked. */
static int check(int verify, const uint8_t *p, struct imp_entry *x)
{
    if (verify) return imp_check_entry(p, x->len, &x->e, x->id);
    int rc = cz_entry_decode(p, x->len, &x->e);
    if (rc == CZ_OK) cz_entry_id(p, x->len, x->id);
    return rc;
}

static void check_claimed(struct pool *pl, struct batch *b)
{
    size_t i;
    while (!atomic_load_explicit(&pl->quit, memory_order_relaxed) &&
           (i = atomic_fetch_add(&b->next, 1)) < atomic_load(&b->n)) {
        struct imp_entry *x = &b->ent[i].x;
        if (x->status == CZ_OK && x->checked) x->status = check(pl->w->verify, b->arena + b->ent[i].off, x);
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

static int pool_start(struct pool *pl, const struct imp_walk *w)
{
    memset(pl, 0, sizeof *pl);
    pl->w = w;
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

/* Hands the oldest published batch to the walk's take, checking alongside
 * the workers first.  A take that fails stops the walk. */
static int drain(struct pool *pl, struct importer *im)
{
    struct batch *b = &pl->b[pl->head % NBATCH];
    size_t n = atomic_load(&b->n);
    int rc = CZ_OK;
    check_claimed(pl, b);
    pthread_mutex_lock(&pl->mu);
    while (atomic_load(&b->done) < n) pthread_cond_wait(&pl->done, &pl->mu);
    pthread_mutex_unlock(&pl->mu);
    for (size_t i = 0; i < n && !rc; i++) {
        b->ent[i].x.p = b->ent[i].x.p ? b->arena + b->ent[i].off : NULL;
        rc = pl->w->take(pl->w->ctx, &b->ent[i].x);
    }
    if (pl->w->count) {
        im->done += n;
        sync_progress(im->pr, im->done / 2, im->total);
    }
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
 * batch in use, handing on the oldest) first when it is full. */
static int pool_add(struct pool *pl, struct importer *im, const uint8_t *p, size_t len, int bad, uint32_t index)
{
    size_t copy = p ? len : 0;     /* an entry too long to hold has its fault already */
    struct batch *b = &pl->b[pl->fill % NBATCH];
    int rc = CZ_OK;
    if (b->fill == BATCH_N || (b->fill && b->used + copy > BATCH_BYTES)) {
        publish(pl);
        if (pl->fill - pl->head == NBATCH) rc = drain(pl, im);
        b = &pl->b[pl->fill % NBATCH];
        if (rc) return rc;
    }
    if ((rc = batch_room(b, copy))) return rc;
    struct chk *c = &b->ent[b->fill++];
    c->off = b->used;
    c->x = (struct imp_entry){ .p = p, .len = len, .index = index, .status = bad,
                               .checked = !bad && (!pl->w->want || pl->w->want(pl->w->ctx, p, len)) };
    if (copy) memcpy(b->arena + b->used, p, copy);
    b->used += copy;
    return CZ_OK;
}

int imp_walk(struct importer *im, const struct imp_walk *w, cz_bundle_reader *r, struct cz_vv *vv,
             struct imp_walk_end *end)
{
    struct pool pl;
    struct cz_payload_in in;
    struct cz_byte_src src;
    size_t len;
    const uint8_t *p;
    int perr, bad, rc;

    *end = (struct imp_walk_end){ .status = CZ_OK };
    if ((rc = pool_start(&pl, w))) return rc;
    imp_src(&src, r);
    perr = cz_payload_in_head(&in, &src, 1, vv);
    end->n = in.n;
    end->kind = in.kind;
    if (w->count && !im->total) {
        im->total = in.n;
        sync_progress(im->pr, 0, im->total);
    }
    for (uint32_t i = 0; perr == CZ_OK && !rc && i < in.n; i++) {
        if ((perr = cz_payload_in_next(&in, &p, &len, &bad))) break;
        if (in.kind == CZ_PAYLOAD_SYNC) rc = pool_add(&pl, im, p, len, bad, i);
    }
    if (!rc && perr == CZ_OK && pl.b[pl.fill % NBATCH].fill) publish(&pl);
    while (!rc && pl.head < pl.fill) rc = drain(&pl, im);
    pool_stop(&pl);
    if (rc) return rc;
    if (perr == CZ_OK) perr = cz_payload_in_end(&in);
    int fin = cz_bundle_reader_finish(r);
    end->status = fin ? fin : perr;
    if (imp_local_failure(end->status)) { rc = end->status; end->status = CZ_OK; }
    return rc;
}
