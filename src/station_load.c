/* station_load.c — many new records of one type in one transaction
 * (cz_station_add_many): each row checked by station_check.c as row by
 * row would check it, signed on a second thread while the next rows are
 * checked, stored in order, with the index terms of a large load put in
 * sorted batches at the commit. */
#include "station.h"
#include "codec.h"
#include "index.h"
#include "grow.h"
#include "hashset.h"
#include "hex.h"
#include "keys.h"
#include "station_int.h"
#include "status.h"
#include "sync.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A load is one write transaction, which LMDB lets only this thread use.
 * Signing is sequential too (each entry names its predecessor's id) but
 * needs no database, so a second thread signs while this one checks the
 * next rows and stores what has been signed:
 *
 *   this thread:    check row i -> slot i  ...  store slot j (j < i), in order
 *   signer thread:  slot j: seq, prev, hlc, body bytes, sign, id
 *
 * The slots form a ring of PIPE_SLOTS (fewer with the environment variable
 * CZ_LOAD_RING, 1..PIPE_SLOTS, which tests set so the ring fills and wraps
 * often); counters under one mutex say how far
 * each side has got (filled >= signed >= stored).  A slot's contents
 * belong to this thread until it is counted in `filled`, then to the signer
 * until it is counted in `signed`, then to this thread again.  The chain
 * (seq, prev id, clock) is read from the store once per load, carried by
 * the signer, and the clock written back once at the end.
 *
 * A row is checked against the store as it is after every earlier row,
 * as row by row: the exact-look-up values of rows checked so far are kept
 * in a set (cz_st_pipe_has_term), and a look-up that could meet a row
 * still in flight (an entity prefix one of them matches, a version id, an
 * approval's exit state and log) first waits for them all to be stored
 * (cz_st_pipe_drain). */

#define PIPE_SLOTS 128
/* An idle signer is woken once this many rows wait for it (or when this
 * thread needs it): one wake-up per row cost more than the hand-over. */
#define PIPE_WAKE 16

struct pipe_slot {
    size_t row;
    cz_body *body;                          /* owned; freed once stored */
    uint8_t entity[CZ_ENTITY_BYTES];
    char entity_hex[2 * CZ_ENTITY_BYTES + 1];
    char region[CZ_REGION_MAX + 1];
    /* filled in by the signer */
    int rc;
    uint8_t *body_buf, *raw, *terms;        /* reused from row to row */
    size_t body_cap, raw_cap, terms_cap, terms_len;
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
};

struct pipe {
    cz_station *st;
    cz_txn *t;
    const struct cz_type *ty;
    struct pipe_slot slots[PIPE_SLOTS];
    size_t nslots;                          /* the ring's size */
    /* the chain: the signer's alone while it runs */
    uint8_t origin[32], prev[CZ_ID_BYTES];
    uint64_t seq, hlc;
    pthread_t thread;
    int threaded;
    pthread_mutex_t mu;
    pthread_cond_t work, ready;
    size_t filled, signed_n;                /* under mu */
    int quit;                               /* under mu */
    size_t stored;                          /* this thread's */
    int signer_idle, main_waits;            /* under mu: who needs a signal */
    size_t bad;
    cz_row_error_fn fn;
    void *ctx;
    cz_hashset *terms;                      /* exact-look-up terms of rows checked */
    struct roster_cache roster;
    struct ref_memo ref;
    /* new entity ids, drawn from the CSPRNG 64 KiB at a time (one system
     * call per row was 5% of a load) */
    uint8_t rnd[4096 * CZ_ENTITY_BYTES];
    size_t rnd_used;
};

struct roster_cache *cz_st_pipe_roster(struct pipe *p) { return &p->roster; }
struct ref_memo *cz_st_pipe_ref_memo(struct pipe *p) { return &p->ref; }

int cz_st_pipe_has_term(struct pipe *p, const char *term, size_t len)
{
    return cz_hashset_has(p->terms, term, len);
}

/* The exact-look-up values of a row that passed its checks. */
static int pipe_add_terms(struct pipe *p, const cz_body *body)
{
    const struct cz_type *ty = p->ty;
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len;
        char term[512];
        if (!(f->flags & CZ_FF_EXACT) || cz_body_get_text(body, f->tag, &s, &len) != CZ_OK) continue;
        if (cz_hashset_add(p->terms, term, cz_term_exact(term, sizeof term, ty->key, f->key, s)) < 0)
            return CZ_ENOMEM;
    }
    return CZ_OK;
}

/* Whether a row in flight has an entity whose hex starts with `hex`. */
int cz_st_pipe_pending_prefix(struct pipe *p, const char *hex)
{
    size_t n = strlen(hex);
    uint8_t full[CZ_ENTITY_BYTES];
    if (n > 2 * CZ_ENTITY_BYTES) return 0;
    /* A whole id (a member's household, typed from `list`): bytes compared,
     * not hex text case-blind, for each row in flight. */
    if (n == 2 * CZ_ENTITY_BYTES && cz_unhex(hex, full, sizeof full) == CZ_OK) {
        for (size_t k = p->stored; k < p->filled; k++)
            if (!memcmp(p->slots[k % p->nslots].entity, full, CZ_ENTITY_BYTES)) return 1;
        return 0;
    }
    for (size_t k = p->stored; k < p->filled; k++)
        if (!strncasecmp(p->slots[k % p->nslots].entity_hex, hex, n)) return 1;
    return 0;
}

/* Signs one slot onto the chain (the signer thread, or this one when there
 * is no second thread).  A slot that fails keeps its status in slot->rc
 * and leaves the chain as it was. */
static void sign_slot(struct pipe *p, struct pipe_slot *sl)
{
    struct cz_entry_draft d;
    struct signer sg = { .s = p->st->secrets, .root = 0 };
    size_t need = cz_body_encoded_size(sl->body), body_len = 0;

    if ((sl->rc = cz_grow(&sl->body_buf, &sl->body_cap, need, 1))) return;
    if ((sl->rc = cz_body_encode_into(sl->body, sl->body_buf, sl->body_cap, &body_len))) return;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, p->origin, 32);
    d.seq = p->seq + 1;
    memcpy(d.prev, p->prev, CZ_ID_BYTES);
    d.hlc = cz_hlc_next(p->hlc, cz_now_ms());
    d.wall = (int64_t)(cz_now_ms() / 1000);   /* the clock hlc comes from (cz_clock_shift) */
    memcpy(d.entity, sl->entity, CZ_ENTITY_BYTES);
    d.type = p->ty->key;
    d.region = sl->region;
    d.body = sl->body_buf;
    d.body_len = body_len;
    sl->rc = cz_entry_build(&d, cz_st_sign_cb, &sg, &sl->raw, &sl->raw_cap, &sl->e, sl->id);
    if (sl->rc) return;
    /* Its index terms too: work the storing thread then need not do. */
    sl->rc = cz_store_entry_terms(&sl->e, &sl->terms, &sl->terms_cap, &sl->terms_len);
    if (sl->rc) return;
    p->seq = d.seq;
    p->hlc = d.hlc;
    memcpy(p->prev, sl->id, CZ_ID_BYTES);
}

static void *signer_main(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->signed_n == p->filled && !p->quit) {
            p->signer_idle = 1;
            pthread_cond_wait(&p->work, &p->mu);
            p->signer_idle = 0;
        }
        if (p->signed_n == p->filled) break;          /* told to stop, nothing left */
        size_t k = p->signed_n, upto = p->filled;
        pthread_mutex_unlock(&p->mu);
        for (; k < upto; k++) {
            sign_slot(p, &p->slots[k % p->nslots]);
            pthread_mutex_lock(&p->mu);
            p->signed_n = k + 1;
            if (p->main_waits) pthread_cond_signal(&p->ready);
            pthread_mutex_unlock(&p->mu);
        }
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stores one signed slot.  Returns a status that ends the load (no memory,
 * the database); a row refused here is counted like a refused check. */
static int store_slot(struct pipe *p, struct pipe_slot *sl)
{
    int rc = sl->rc, result;
    /* A load writes no trust records, so the roster it looked up holds. */
    if (rc == CZ_OK)
        rc = cz_st_judge_own(p->t, p->st->info.office_root, &sl->e, p->roster.known ? &p->roster.info : NULL);
    if (rc == CZ_OK) rc = cz_store_put_entry_terms(p->t, &sl->e, sl->id, sl->terms, sl->terms_len, &result);
    if (rc == CZ_OK && result != CZ_PUT_NEW) rc = CZ_EFORK;   /* our own log never forks */
    cz_body_free(sl->body);
    sl->body = NULL;
    p->stored++;
    if (rc == CZ_ENOMEM || rc == CZ_EDB) return rc;
    if (rc) {
        struct cz_field_error err;
        memset(&err, 0, sizeof err);
        p->bad++;
        if (p->fn) p->fn(p->ctx, sl->row, rc, &err);
    }
    return CZ_OK;
}

/* Stores what the signer has finished; with `until`, first waits until
 * that many slots are signed. */
static int pipe_collect(struct pipe *p, size_t until)
{
    for (;;) {
        size_t ready;
        pthread_mutex_lock(&p->mu);
        if (p->threaded)
            while (p->signed_n < until) {
                if (p->signer_idle) pthread_cond_signal(&p->work);
                p->main_waits = 1;
                pthread_cond_wait(&p->ready, &p->mu);
                p->main_waits = 0;
            }
        ready = p->signed_n;
        pthread_mutex_unlock(&p->mu);
        while (p->stored < ready) {
            int rc = store_slot(p, &p->slots[p->stored % p->nslots]);
            if (rc) return rc;
        }
        if (p->stored >= until) return CZ_OK;
    }
}

int cz_st_pipe_drain(struct pipe *p)
{
    return p->stored < p->filled ? pipe_collect(p, p->filled) : CZ_OK;
}

/* Hands a checked row to the signer (body is the slot's from now on). */
static int pipe_push(struct pipe *p, size_t row, cz_body *body, const char *region)
{
    int rc;
    if (p->filled - p->stored == p->nslots && (rc = pipe_collect(p, p->stored + 1))) {
        cz_body_free(body);
        return rc;
    }
    struct pipe_slot *sl = &p->slots[p->filled % p->nslots];
    sl->row = row;
    sl->body = body;
    sl->rc = CZ_OK;
    if (p->rnd_used + CZ_ENTITY_BYTES > sizeof p->rnd) {
        randombytes_buf(p->rnd, sizeof p->rnd);
        p->rnd_used = 0;
    }
    memcpy(sl->entity, p->rnd + p->rnd_used, CZ_ENTITY_BYTES);
    p->rnd_used += CZ_ENTITY_BYTES;
    cz_hex(sl->entity, CZ_ENTITY_BYTES, sl->entity_hex);
    snprintf(sl->region, sizeof sl->region, "%s", region);
    if (!p->threaded) {
        sign_slot(p, sl);
        p->filled++;
        p->signed_n++;
        return store_slot(p, sl);
    }
    pthread_mutex_lock(&p->mu);
    p->filled++;
    if (p->signer_idle && p->filled - p->signed_n >= PIPE_WAKE) pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return pipe_collect(p, 0);                         /* store what is ready */
}

static int pipe_start(struct pipe *p, cz_station *st, cz_txn *t, const struct cz_type *ty, int threaded)
{
    int rc;
    const char *ring = getenv("CZ_LOAD_RING");
    p->st = st;
    p->t = t;
    p->ty = ty;
    p->nslots = PIPE_SLOTS;
    p->rnd_used = sizeof p->rnd;
    if (ring && atoi(ring) >= 1 && atoi(ring) <= PIPE_SLOTS) p->nslots = (size_t)atoi(ring);
    memcpy(p->origin, cz_secrets_sign_pk(st->secrets), 32);
    if ((rc = cz_store_log_last(t, p->origin, &p->seq, p->prev))) return rc;
    if ((rc = cz_meta_get_u64(t, META_HLC, &p->hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (pthread_mutex_init(&p->mu, NULL)) return CZ_ENOMEM;
    if (pthread_cond_init(&p->work, NULL)) { pthread_mutex_destroy(&p->mu); return CZ_ENOMEM; }
    if (pthread_cond_init(&p->ready, NULL)) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        return CZ_ENOMEM;
    }
    /* Without a second thread (one row, or none to be had) this one signs. */
    p->threaded = threaded && pthread_create(&p->thread, NULL, signer_main, p) == 0;
    return CZ_OK;
}

static void pipe_stop(struct pipe *p)
{
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    pthread_cond_destroy(&p->ready);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        cz_body_free(p->slots[i].body);
        free(p->slots[i].body_buf);
        free(p->slots[i].raw);
        free(p->slots[i].terms);
    }
}

/* A load of this many rows or more puts its index terms in sorted batches
 * (cz_store_defer_index).  A large load gains: at 1M records (files of
 * 20,000 households, 60,000 members) the storing thread took 35% less CPU,
 * the sorted puts sweeping the index's long lists instead of missing the
 * cache at random.  A small one loses: the sorted put runs at the commit,
 * after the signing is done, where the puts it replaces ran beside the
 * signing; `make bench` (BENCH_LOAD_ONLY, 3 runs each, deferring or not):
 * 10k records (files of 2,000-6,000 rows) 0.35-0.45 s deferring, 0.29-0.30 s
 * not; 100k (20,000-60,000 rows) 3.35-4.02 s and 3.29-3.94 s, even.
 * CZ_LOAD_DEFER_ROWS sets it (tests run both ways). */
#define LOAD_DEFER_ROWS 20000

static size_t load_defer_rows(void)
{
    const char *env = getenv("CZ_LOAD_DEFER_ROWS");
    return env && atol(env) >= 2 ? (size_t)atol(env) : LOAD_DEFER_ROWS;
}

/* Rows between two calls of a load's progress: checking 256 rows takes a
 * few milliseconds, so a bar redrawn ten times a second misses nothing. */
#define LOAD_PROGRESS_EVERY 256

int cz_station_add_many(cz_station *st, const char *type, const struct cz_assign *const *rows,
                        const size_t *counts, size_t nrows, cz_row_error_fn fn, void *ctx,
                        size_t *stored)
{
    return cz_station_add_many_with(st, type, rows, counts, nrows, fn, ctx, NULL, stored);
}

int cz_station_add_many_with(cz_station *st, const char *type, const struct cz_assign *const *rows,
                             const size_t *counts, size_t nrows, cz_row_error_fn fn, void *ctx,
                             const struct cz_progress *pr, size_t *stored)
{
    const struct cz_type *ty = cz_schema_type(type);
    cz_txn *t = NULL;
    struct pipe *p = NULL;
    int rc, started = 0;

    *stored = 0;
    if (!ty) return CZ_ETYPE;
    if (!st->secrets) return CZ_EPERM;
    if ((rc = cz_st_clock_gate(st))) return rc;
    if (!(p = calloc(1, sizeof *p))) return CZ_ENOMEM;
    if ((rc = cz_hashset_new(&p->terms))) goto cleanup;
    if ((rc = cz_txn_begin(st->store, 1, &t))) goto cleanup;
    if (nrows >= load_defer_rows() && (rc = cz_store_defer_index(t))) goto cleanup;
    if ((rc = pipe_start(p, st, t, ty, nrows > 1))) goto cleanup;
    started = 1;
    p->fn = fn;
    p->ctx = ctx;
    if (pr && !pr->fn) pr = NULL;
    if (pr) pr->fn(pr->ctx, 0, nrows);
    for (size_t i = 0; i < nrows; i++) {
        struct cz_field_error err;
        struct version v;
        if (pr && i && i % LOAD_PROGRESS_EVERY == 0) pr->fn(pr->ctx, i, nrows);
        rc = cz_st_check_version(st, t, p, ty, NULL, NULL, rows[i], counts[i], &v, &err);
        if (rc == CZ_ENOMEM || rc == CZ_EDB) goto cleanup;
        if (rc) {
            p->bad++;
            if (fn) fn(ctx, i, rc, &err);
            continue;
        }
        if ((rc = pipe_add_terms(p, v.body))) { cz_body_free(v.body); goto cleanup; }
        if ((rc = pipe_push(p, i, v.body, v.region))) goto cleanup;
    }
    if ((rc = cz_st_pipe_drain(p))) goto cleanup;
    if (p->bad) { rc = CZ_EFIELD; goto cleanup; }
    if (p->filled && (rc = cz_meta_put_u64(t, META_HLC, p->hlc))) goto cleanup;
    pipe_stop(p);
    started = 0;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK) *stored = nrows;
    if (rc == CZ_OK && pr) pr->fn(pr->ctx, nrows, nrows);
cleanup:
    if (started) pipe_stop(p);
    cz_txn_abort(t);
    cz_hashset_free(p->terms);
    free(p);
    return rc;
}

