/* station_load.c — the pipe a load's rows go through (station_int.h):
 * each row checked by station_check.c as row by row would check it, signed
 * on a second thread while the next rows are checked, stored in order.
 * The passes and commits of a load are station_loadrun.c's. */
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
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A load's write transaction is one LMDB lets only this thread use.
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
 * (seq, prev id, clock) is read from the store at the start of each of the
 * load's write transactions (cz_st_pipe_begin, when nothing is in flight),
 * carried by the signer, and the clock written back at each commit.
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
    size_t row;                             /* the source's tag for it */
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
    uint64_t txn_bytes;                     /* entries and terms stored in this transaction */
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

int cz_st_pipe_add_terms(struct pipe *p, const cz_body *body)
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
    if (rc == CZ_OK) p->txn_bytes += sl->e.raw_len + sl->terms_len;
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

int cz_st_pipe_push(struct pipe *p, size_t row, cz_body *body, const char *region)
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

int cz_st_pipe_new(cz_station *st, const struct cz_type *ty, int threaded, cz_row_error_fn fn, void *ctx,
                   struct pipe **out)
{
    const char *ring = getenv("CZ_LOAD_RING");
    struct pipe *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) return CZ_ENOMEM;
    if (cz_hashset_new(&p->terms)) { free(p); return CZ_ENOMEM; }
    p->st = st;
    p->ty = ty;
    p->fn = fn;
    p->ctx = ctx;
    p->nslots = PIPE_SLOTS;
    p->rnd_used = sizeof p->rnd;
    if (ring && atoi(ring) >= 1 && atoi(ring) <= PIPE_SLOTS) p->nslots = (size_t)atoi(ring);
    memcpy(p->origin, cz_secrets_sign_pk(st->secrets), 32);
    if (pthread_mutex_init(&p->mu, NULL)) goto fail;
    if (pthread_cond_init(&p->work, NULL)) { pthread_mutex_destroy(&p->mu); goto fail; }
    if (pthread_cond_init(&p->ready, NULL)) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    /* Without a second thread (one row, or none to be had) this one signs. */
    p->threaded = threaded && pthread_create(&p->thread, NULL, signer_main, p) == 0;
    *out = p;
    return CZ_OK;
fail:
    cz_hashset_free(p->terms);
    free(p);
    return CZ_ENOMEM;
}

void cz_st_pipe_free(struct pipe *p)
{
    if (!p) return;
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
    cz_hashset_free(p->terms);
    free(p);
}

int cz_st_pipe_begin(struct pipe *p, cz_txn *t, int write)
{
    uint64_t seq, hlc = 0;
    uint8_t prev[CZ_ID_BYTES];
    int rc;
    p->t = t;
    p->txn_bytes = 0;
    /* What was looked up in another transaction is looked up again. */
    p->roster.known = 0;
    p->ref.valid = 0;
    cz_hashset_clear(p->terms);
    if (!write) return CZ_OK;
    if ((rc = cz_store_log_last(t, p->origin, &seq, prev))) return rc;
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    p->seq = seq;
    memcpy(p->prev, prev, CZ_ID_BYTES);
    if (hlc > p->hlc) p->hlc = hlc;
    return CZ_OK;
}

int cz_st_pipe_end(struct pipe *p)
{
    int rc = cz_st_pipe_drain(p);
    if (rc) return rc;
    if (p->bad) return CZ_EFIELD;
    return p->filled ? cz_meta_put_u64(p->t, META_HLC, p->hlc) : CZ_OK;
}

void cz_st_pipe_refused(struct pipe *p, size_t tag, int status, const struct cz_field_error *err)
{
    p->bad++;
    if (p->fn) p->fn(p->ctx, tag, status, err);
}

size_t cz_st_pipe_bad(const struct pipe *p) { return p->bad; }
cz_hashset *cz_st_pipe_terms(struct pipe *p) { return p->terms; }
size_t cz_st_pipe_stored(const struct pipe *p) { return p->stored; }
uint64_t cz_st_pipe_txn_bytes(const struct pipe *p) { return p->txn_bytes; }
