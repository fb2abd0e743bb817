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
#include <signal.h>
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

/* The chain is read from the store by the first write transaction
 * (begin_chunk). */
static int pipe_start(struct pipe *p, cz_station *st, const struct cz_type *ty, int threaded)
{
    const char *ring = getenv("CZ_LOAD_RING");
    p->st = st;
    p->ty = ty;
    p->nslots = PIPE_SLOTS;
    p->rnd_used = sizeof p->rnd;
    if (ring && atoi(ring) >= 1 && atoi(ring) <= PIPE_SLOTS) p->nslots = (size_t)atoi(ring);
    memcpy(p->origin, cz_secrets_sign_pk(st->secrets), 32);
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

/* A load from a file commits once its transaction has written this many
 * bytes of entries and index terms.  LMDB keeps every page a write
 * transaction dirtied in the heap until the commit: one transaction for a
 * million rows peaked at 625 MB, more than an old PC has to spare.  32 MiB
 * of entries is some 50,000 rows, few enough commits (each an fsync) not
 * to be felt, and dirty pages that stay a few tens of MB.
 * CZ_LOAD_TXN_BYTES may lower it (tests commit every few rows). */
#define LOAD_TXN_BYTES ((uint64_t)32 << 20)

static uint64_t load_txn_bytes(void)
{
    const char *env = getenv("CZ_LOAD_TXN_BYTES");
    long long v = env ? atoll(env) : 0;
    return v > 0 && (uint64_t)v < LOAD_TXN_BYTES ? (uint64_t)v : LOAD_TXN_BYTES;
}

/* A test hook (tests/scenario/resume.sh): CZ_LOAD_DIE_AFTER=N ends the
 * process with SIGKILL right after the Nth bounded commit of a load, as a
 * power cut would, so that the next run must resume. */
static void die_hook(unsigned commits)
{
    const char *env = getenv("CZ_LOAD_DIE_AFTER");
    if (env && atol(env) > 0 && (unsigned long)atol(env) == commits) raise(SIGKILL);
}

/* Rows between two calls of a load's progress: checking 256 rows takes a
 * few milliseconds, so a bar redrawn ten times a second misses nothing. */
#define LOAD_PROGRESS_EVERY 256

/* One run of a load: its rows, where it starts, and how it commits. */
struct run {
    cz_station *st;
    const struct cz_type *ty;
    const struct cz_load_source *src;
    cz_row_error_fn fn;
    void *ctx;
    const struct cz_progress *pr;
    size_t skip;                /* rows an earlier run stored */
    size_t todo;                /* rows after them */
    size_t steps;               /* progress: rows checked + rows stored */
    int bounded;                /* validated first, then bounded commits */
    unsigned commits;
    size_t committed;           /* rows of this run committed */
};

static void run_progress(struct run *r)
{
    /* Each row counts half when checked and half when stored, so one bar
     * in rows covers both passes (one pass does both at once). */
    if (r->pr) r->pr->fn(r->pr->ctx, r->bounded ? r->steps / 2 : r->steps, r->todo);
}

/* The next row after the skipped ones. */
static int run_next(struct run *r, size_t i, const struct cz_assign **a, size_t *n, size_t *tag)
{
    int rc;
    if (i == 0)
        for (size_t k = 0; k < r->skip; k++)
            if ((rc = r->src->next(r->src->ctx, a, n, tag))) return rc == CZ_ENOTFOUND ? CZ_EINVAL : rc;
    rc = r->src->next(r->src->ctx, a, n, tag);
    return rc == CZ_ENOTFOUND ? CZ_EINVAL : rc;    /* fewer rows than it said */
}

/* Within the file, one income or conditions record per household and year
 * (station_yearly.c asks the store, which the validation pass has not
 * written): the earlier row's tag names it. */
static int dry_yearly(struct pipe *p, cz_hashset *years, size_t **tags, size_t *cap, const cz_body *body,
                      size_t tag, struct cz_field_error *err)
{
    const struct cz_type *ty = p->ty;
    const uint8_t *hh;
    size_t len, ord;
    int64_t year;
    uint8_t key[CZ_ENTITY_BYTES + sizeof year];
    if (strcmp(ty->key, "income") && strcmp(ty->key, "conditions")) return CZ_OK;
    if (cz_body_get_bytes(body, cz_schema_field(ty, "household")->tag, &hh, &len) != CZ_OK || len != CZ_ENTITY_BYTES ||
        cz_body_get_sint(body, cz_schema_field(ty, "year")->tag, &year) != CZ_OK)
        return CZ_OK;
    memcpy(key, hh, CZ_ENTITY_BYTES);
    memcpy(key + CZ_ENTITY_BYTES, &year, sizeof year);
    int added = cz_hashset_intern(years, key, sizeof key, &ord);
    if (added < 0 || cz_grow(tags, cap, ord + 1, sizeof **tags)) return CZ_ENOMEM;
    if (added) {
        (*tags)[ord] = tag;
        return CZ_OK;
    }
    char other[32];
    snprintf(other, sizeof other, "#%zu", (*tags)[ord]);
    return cz_field_error_set(err, cz_schema_field(ty, "year"), CZ_EEXIST, HINT_YEAR_TAKEN, other);
}

/* The first pass of a bounded load: every row checked against the store
 * and the rows before it, nothing written, nothing kept of a row but its
 * exact-look-up values.  CZ_EFIELD after naming every refused row. */
static int validate(struct run *r, struct pipe *p)
{
    cz_txn *t = NULL;
    cz_hashset *years = NULL;
    size_t *tags = NULL, cap = 0;
    int rc;
    if ((rc = cz_hashset_new(&years))) return rc;
    if ((rc = cz_txn_begin(r->st->store, 0, &t))) goto cleanup;
    p->t = t;
    for (size_t i = 0; i < r->todo; i++) {
        const struct cz_assign *a;
        size_t n, tag;
        struct cz_field_error err;
        struct version v;
        if ((rc = run_next(r, i, &a, &n, &tag))) goto cleanup;
        if (r->steps++ % LOAD_PROGRESS_EVERY == 0) run_progress(r);
        memset(&err, 0, sizeof err);
        rc = cz_st_check_version(r->st, t, p, r->ty, NULL, NULL, a, n, &v, &err);
        if (rc == CZ_OK) {
            rc = dry_yearly(p, years, &tags, &cap, v.body, tag, &err);
            if (rc == CZ_OK) rc = pipe_add_terms(p, v.body);
            cz_body_free(v.body);
        }
        if (rc == CZ_ENOMEM || rc == CZ_EDB) goto cleanup;
        if (rc) {
            p->bad++;
            if (r->fn) r->fn(r->ctx, tag, rc, &err);
        }
    }
    rc = p->bad ? CZ_EFIELD : CZ_OK;
cleanup:
    cz_txn_abort(t);
    p->t = NULL;
    cz_hashset_free(years);
    free(tags);
    return rc;
}

/* A write transaction for the next rows, the chain as the store has it
 * (another program of this person's may have signed between two of a
 * load's transactions; the signer is idle here). */
static int begin_chunk(struct run *r, struct pipe *p)
{
    uint64_t seq, hlc = 0;
    uint8_t prev[CZ_ID_BYTES];
    int rc;
    if ((rc = cz_txn_begin(r->st->store, 1, &p->t))) return rc;
    if (r->todo - r->committed >= load_defer_rows() && (rc = cz_store_defer_index(p->t))) return rc;
    if ((rc = cz_store_log_last(p->t, p->origin, &seq, prev))) return rc;
    if ((rc = cz_meta_get_u64(p->t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (seq != p->seq || memcmp(prev, p->prev, CZ_ID_BYTES)) {
        p->seq = seq;
        memcpy(p->prev, prev, CZ_ID_BYTES);
    }
    if (hlc > p->hlc) p->hlc = hlc;
    /* What was looked up in the last transaction is looked up again. */
    p->roster.known = 0;
    p->ref.valid = 0;
    p->txn_bytes = 0;
    cz_hashset_clear(p->terms);
    return CZ_OK;
}

/* Commits the rows stored so far; with `last`, the load is done and its
 * mark goes, else the mark says how far it got. */
static int commit_chunk(struct run *r, struct pipe *p, int last)
{
    int rc;
    if ((rc = cz_st_pipe_drain(p))) return rc;
    if (p->bad) return CZ_EFIELD;
    if (p->filled && (rc = cz_meta_put_u64(p->t, META_HLC, p->hlc))) return rc;
    if (r->src && r->src->name) {
        struct cz_load_state m = { .unfinished = 1, .done = r->skip + p->stored, .total = r->src->nrows };
        memcpy(m.hash, r->src->hash, sizeof m.hash);
        snprintf(m.type, sizeof m.type, "%s", r->ty->key);
        snprintf(m.name, sizeof m.name, "%s", r->src->name);
        rc = last ? cz_st_load_mark_del(p->t) : cz_st_load_mark_put(p->t, &m);
        if (rc) return rc;
    }
    rc = cz_txn_commit(p->t);
    p->t = NULL;
    if (rc) return rc;
    r->committed = p->stored;
    if (!last) die_hook(++r->commits);
    return CZ_OK;
}

/* The writing pass: each row checked again (it builds the body), signed
 * on the second thread, stored; committed every load_txn_bytes() when
 * bounded, else once. */
static int write_rows(struct run *r, struct pipe *p)
{
    uint64_t bound = r->bounded ? load_txn_bytes() : UINT64_MAX;
    int rc;
    if ((rc = begin_chunk(r, p))) return rc;
    for (size_t i = 0; i < r->todo; i++) {
        const struct cz_assign *a;
        size_t n, tag;
        struct cz_field_error err;
        struct version v;
        if ((rc = run_next(r, i, &a, &n, &tag))) return rc;
        if (r->steps++ % LOAD_PROGRESS_EVERY == 0) run_progress(r);
        memset(&err, 0, sizeof err);
        rc = cz_st_check_version(r->st, p->t, p, r->ty, NULL, NULL, a, n, &v, &err);
        if (rc == CZ_ENOMEM || rc == CZ_EDB) return rc;
        if (rc) {
            p->bad++;
            if (r->fn) r->fn(r->ctx, tag, rc, &err);
            continue;
        }
        if ((rc = pipe_add_terms(p, v.body))) { cz_body_free(v.body); return rc; }
        if ((rc = pipe_push(p, tag, v.body, v.region))) return rc;
        if (p->txn_bytes >= bound && i + 1 < r->todo && !p->bad) {
            if ((rc = commit_chunk(r, p, 0)) || (rc = begin_chunk(r, p))) return rc;
        }
    }
    return commit_chunk(r, p, 1);
}

static int load_run(struct run *r)
{
    struct pipe *p = NULL;
    int rc, started = 0;
    if (!r->ty) return CZ_ETYPE;
    if (!r->st->secrets) return CZ_EPERM;
    if ((rc = cz_st_clock_gate(r->st))) return rc;
    if (!(p = calloc(1, sizeof *p))) return CZ_ENOMEM;
    if ((rc = cz_hashset_new(&p->terms))) goto cleanup;
    if (r->pr && !r->pr->fn) r->pr = NULL;
    p->fn = r->fn;
    p->ctx = r->ctx;
    if ((rc = pipe_start(p, r->st, r->ty, r->todo > 1))) goto cleanup;
    started = 1;
    run_progress(r);
    if (r->bounded) {
        rc = validate(r, p);
        p->bad = 0;
        cz_hashset_clear(p->terms);
        if (rc) goto cleanup;
        r->src->rewind(r->src->ctx);
    }
    rc = write_rows(r, p);
    if (rc == CZ_OK) {
        r->steps = r->bounded ? 2 * r->todo : r->todo;
        run_progress(r);
    }
cleanup:
    if (started) pipe_stop(p);
    if (p) {
        cz_txn_abort(p->t);
        cz_hashset_free(p->terms);
    }
    free(p);
    return rc;
}

/* Rows held in arrays, as a source. */
struct arrays { const struct cz_assign *const *rows; const size_t *counts; size_t n, i; };

static int arrays_next(void *ctx, const struct cz_assign **a, size_t *n, size_t *tag)
{
    struct arrays *ar = ctx;
    if (ar->i >= ar->n) return CZ_ENOTFOUND;
    *a = ar->rows[ar->i];
    *n = ar->counts[ar->i];
    *tag = ar->i++;
    return CZ_OK;
}

static void arrays_rewind(void *ctx)
{
    ((struct arrays *)ctx)->i = 0;
}

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
    struct arrays ar = { .rows = rows, .counts = counts, .n = nrows };
    struct cz_load_source src = { .nrows = nrows, .next = arrays_next, .rewind = arrays_rewind, .ctx = &ar };
    struct run r = { .st = st, .ty = cz_schema_type(type), .src = &src, .fn = fn, .ctx = ctx, .pr = pr,
                     .todo = nrows };
    int rc = load_run(&r);
    *stored = rc == CZ_OK ? nrows : 0;
    return rc;
}

/* A type with a version reference (an approval names the version it
 * approves) is checked against what the load's own earlier rows stored:
 * its exit's state, the signer's log.  A validation pass writes nothing,
 * so such a file is loaded in one transaction, which is its own
 * validation (all rows or none). */
static int needs_one_txn(const struct cz_type *ty)
{
    for (size_t i = 0; i < ty->nfields; i++)
        if (ty->fields[i].type == CZ_F_VERSION) return 1;
    return 0;
}

int cz_station_load(cz_station *st, const char *type, const struct cz_load_source *src, cz_row_error_fn fn,
                    void *ctx, const struct cz_progress *pr, struct cz_load_state *state, size_t *stored)
{
    struct run r = { .st = st, .ty = cz_schema_type(type), .src = src, .fn = fn, .ctx = ctx, .pr = pr };
    int rc;
    *stored = 0;
    if ((rc = cz_station_load_unfinished(st, state))) return rc;
    if (state->unfinished) {
        if (memcmp(state->hash, src->hash, sizeof state->hash) || strcmp(state->type, type) ||
            state->total != src->nrows || state->done > src->nrows)
            return CZ_ELOADOTHER;
        r.skip = (size_t)state->done;
    }
    r.todo = src->nrows - r.skip;
    src->rewind(src->ctx);
    r.bounded = r.ty && !needs_one_txn(r.ty);
    rc = load_run(&r);
    *stored = rc == CZ_OK ? r.todo : r.committed;
    return rc;
}
