/* station_loadrun.c — a load's passes and commits (station.h,
 * cz_station_load, cz_station_add_many): a file's rows validated whole
 * first, then written through the pipe (station_load.c) in bounded
 * transactions that note how far they got (station_loadmark.c), so that
 * a load killed half-way resumes where it stopped. */
#include "station.h"
#include "grow.h"
#include "hashset.h"
#include "index.h"
#include "station_int.h"
#include "status.h"
#include "sync.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A transaction of a load with this many rows or more still to store puts
 * its index terms in sorted batches (cz_store_defer_index), flushed at
 * each commit: the sorted puts sweep the index's long lists instead of
 * missing the cache at random.  With 4 MiB transactions at 100k records
 * the storing thread took 3.0 s deferring, 3.5 s not.  A small load loses:
 * the sorted put runs at the commit, after the signing is done, where the
 * puts it replaces ran beside the signing (one transaction a file, 10k
 * records in files of 2,000-6,000 rows: 0.35-0.45 s deferring, 0.29-0.30 s
 * not).  CZ_LOAD_DEFER_ROWS sets it (tests run both ways). */
#define LOAD_DEFER_ROWS 20000

static size_t load_defer_rows(void)
{
    const char *env = getenv("CZ_LOAD_DEFER_ROWS");
    return env && atol(env) >= 2 ? (size_t)atol(env) : LOAD_DEFER_ROWS;
}

/* A load from a file commits once its transaction has stored this many
 * bytes of entries and their index terms (a ring's worth of rows more may
 * be in flight).  LMDB keeps every page a write transaction dirtied in the
 * heap until the commit, and keeps those pages for the next: one
 * transaction per file of 60,000 rows peaked at 625 MB at 1M records.
 * The dirty pages are mostly the index's, a leaf for nearly every term a
 * row puts (a name's n-grams and pinyin), so they follow the rows per
 * transaction.  `make bench` at 100k records (BENCH_LOAD_ONLY, files of
 * 20,000 households and 60,000 members, 2 cores, the machine shared),
 * peak anonymous memory and the load's time: one transaction a file
 * 163 MB, 3.4 s; 8 MiB 129 MB, 3.5 s; 4 MiB 110 MB, 4.0 s; 2 MiB 86 MB,
 * 5.0 s; 1 MiB 73 MB, slower still (each commit writes its dirty pages
 * whole, and the index's sorted batches sweep the index once per commit).
 * 4 MiB, some 5,000 rows, is two thirds of the memory for a sixth more
 * time.  CZ_LOAD_TXN_BYTES sets it (tests commit every few rows; the
 * bench tries others). */
#define LOAD_TXN_BYTES ((uint64_t)4 << 20)

static uint64_t load_txn_bytes(void)
{
    const char *env = getenv("CZ_LOAD_TXN_BYTES");
    long long v = env ? atoll(env) : 0;
    return v > 0 ? (uint64_t)v : LOAD_TXN_BYTES;
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
    cz_txn *t;                  /* the write transaction open */
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

static void validate_tick(void *ctx, size_t checked)
{
    struct run *r = ctx;
    r->steps = checked;
    run_progress(r);
}

/* The first pass (station_loadcheck.c), then back to the first row. */
static int validate(struct run *r)
{
    struct cz_st_check_req q = { .st = r->st, .ty = r->ty, .src = r->src, .skip = r->skip, .todo = r->todo,
                                 .fn = r->fn, .ctx = r->ctx, .tick = r->pr ? validate_tick : NULL, .tick_ctx = r };
    int rc = cz_st_load_validate(&q);
    r->steps = r->todo;
    r->src->rewind(r->src->ctx);
    return rc;
}

/* A write transaction for the next rows; the pipe takes the chain as the
 * store has it (another program of this person's may have signed between
 * two of a load's transactions). */
static int begin_chunk(struct run *r, struct pipe *p)
{
    int rc;
    if ((rc = cz_txn_begin(r->st->store, 1, &r->t))) return rc;
    if (r->todo - r->committed >= load_defer_rows() && (rc = cz_store_defer_index(r->t))) return rc;
    return cz_st_pipe_begin(p, r->t, 1);
}

/* Commits the rows stored so far; with `last`, the load is done and its
 * note goes, else the note says how far it got. */
static int commit_chunk(struct run *r, struct pipe *p, int last)
{
    int rc;
    if ((rc = cz_st_pipe_end(p))) return rc;
    if (r->src->name) {
        struct cz_load_state m = { .unfinished = 1, .done = r->skip + cz_st_pipe_stored(p), .total = r->src->nrows };
        memcpy(m.hash, r->src->hash, sizeof m.hash);
        snprintf(m.type, sizeof m.type, "%s", r->ty->key);
        snprintf(m.name, sizeof m.name, "%s", r->src->name);
        rc = last ? cz_st_load_mark_del(r->t) : cz_st_load_mark_put(r->t, &m);
        if (rc) return rc;
    }
    rc = cz_txn_commit(r->t);
    r->t = NULL;
    if (rc) return rc;
    r->committed = cz_st_pipe_stored(p);
    if (!last) die_hook(++r->commits);
    return CZ_OK;
}

/* The writing pass: each row checked again (that builds its body), signed
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
        rc = cz_st_check_version(r->st, r->t, p, r->ty, NULL, NULL, a, n, &v, &err);
        if (rc == CZ_ENOMEM || rc == CZ_EDB) return rc;
        if (rc) {
            cz_st_pipe_refused(p, tag, rc, &err);
            continue;
        }
        if ((rc = cz_st_pipe_add_terms(p, v.body))) { cz_body_free(v.body); return rc; }
        if ((rc = cz_st_pipe_push(p, tag, v.body, v.region))) return rc;
        if (cz_st_pipe_txn_bytes(p) >= bound && i + 1 < r->todo && !cz_st_pipe_bad(p) &&
            ((rc = commit_chunk(r, p, 0)) || (rc = begin_chunk(r, p))))
            return rc;
    }
    return commit_chunk(r, p, 1);
}

static int load_run(struct run *r)
{
    struct pipe *p = NULL;
    int rc;
    if (!r->ty) return CZ_ETYPE;
    if (!r->st->secrets) return CZ_EPERM;
    if ((rc = cz_st_clock_gate(r->st))) return rc;
    if (r->pr && !r->pr->fn) r->pr = NULL;
    if ((rc = cz_st_pipe_new(r->st, r->ty, r->todo > 1, r->fn, r->ctx, &p))) return rc;
    run_progress(r);
    if (r->bounded && (rc = validate(r))) goto cleanup;
    if ((rc = write_rows(r, p))) goto cleanup;
    r->steps = r->bounded ? 2 * r->todo : r->todo;
    run_progress(r);
cleanup:
    cz_st_pipe_free(p);         /* the signer stopped before the abort */
    cz_txn_abort(r->t);
    r->t = NULL;
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
