/* station_loadcheck.c — the first pass of a load (station_loadrun.c):
 * every row of the file checked against the station and the rows before
 * it, nothing written, on every core.
 *
 * The checks read the store and need no write, so the rows are cut into
 * as many runs as there are cores, each checked on a thread of its own in
 * a read transaction of its own (LMDB lets read transactions run side by
 * side), with a pipe of its own for the rows before it in its run.  What a
 * run cannot see is the runs before it: a household or ID number, or a
 * household and year, that an earlier run's row already has.  Each run
 * keeps those values with the row that gave them, and once all are done
 * each value of a run is looked up in the runs before it.  The refusals
 * are then told in the file's order.
 *
 * One way this differs from checking row by row: a row refused only for
 * what an earlier run holds still counts for the rows after it in its own
 * run (a third row repeating its other value is refused too).  The file
 * is refused either way; only a row already at fault is named once more. */
#include "station.h"
#include "grow.h"
#include "hashset.h"
#include "index.h"
#include "station_int.h"
#include "status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* At most this many threads check; fewer rows than CHECK_MIN_ROWS a
 * thread are checked on fewer (a thread and a read transaction cost more
 * than checking a few hundred rows).  CZ_LOAD_CHECKERS sets the number
 * (tests run several on small files). */
#define CHECK_MAX_THREADS 8
#define CHECK_MIN_ROWS 2000
/* Rows between two calls of the progress. */
#define CHECK_TICK 256

struct refusal { size_t tag; int status; struct cz_field_error err; };

/* Values of one run's rows, each with the row's tag (and field). */
struct tagged {
    cz_hashset *set;                    /* the pipe's terms, or the years */
    size_t *tag, tag_cap;
    const struct cz_field **field;
    size_t field_cap;
};

struct worker {
    const struct cz_st_check_req *q;
    void *cur;                          /* its cursor over the rows */
    size_t from, to;                    /* its rows, after the skipped ones */
    struct pipe *p;
    struct tagged terms, years;
    struct refusal *ref;
    size_t nref, cap_ref;
    int rc;
    _Atomic size_t *checked;
    pthread_t thread;
};

static int refuse(struct worker *w, size_t tag, int status, const struct cz_field_error *err)
{
    if (cz_grow(&w->ref, &w->cap_ref, w->nref + 1, sizeof *w->ref)) return CZ_ENOMEM;
    w->ref[w->nref++] = (struct refusal){ .tag = tag, .status = status, .err = *err };
    return CZ_OK;
}

/* Notes the tag (and field) of ordinals [from, to) of t->set. */
static int tag_ordinals(struct tagged *t, size_t from, size_t to, size_t tag, const struct cz_field *const *fields)
{
    if (to == from) return CZ_OK;
    if (cz_grow(&t->tag, &t->tag_cap, to, sizeof *t->tag) || cz_grow(&t->field, &t->field_cap, to, sizeof *t->field))
        return CZ_ENOMEM;
    for (size_t o = from; o < to; o++) {
        t->tag[o] = tag;
        t->field[o] = fields ? fields[o - from] : NULL;
    }
    return CZ_OK;
}

/* A row's exact-look-up values, noted with it (cz_st_pipe_add_terms adds
 * them in field order, all new: a row repeating one was refused). */
static int add_terms(struct worker *w, const cz_body *body, size_t tag)
{
    const struct cz_type *ty = w->q->ty;
    const struct cz_field *fields[64];
    size_t nf = 0, before = cz_hashset_count(w->terms.set);
    int rc = cz_st_pipe_add_terms(w->p, body);
    if (rc) return rc;
    for (size_t i = 0; i < ty->nfields && nf < 64; i++) {
        const char *s;
        size_t len;
        if ((ty->fields[i].flags & CZ_FF_EXACT) && cz_body_get_text(body, ty->fields[i].tag, &s, &len) == CZ_OK)
            fields[nf++] = &ty->fields[i];
    }
    size_t after = cz_hashset_count(w->terms.set);
    return tag_ordinals(&w->terms, before, after, tag, after - before == nf ? fields : NULL);
}

/* The household and year of an income or conditions record (one of each
 * a household and year: station_yearly.c asks the store, which this pass
 * has not written), into key; 0 when the row has none. */
static size_t year_key(const struct cz_type *ty, const cz_body *body, uint8_t key[CZ_ENTITY_BYTES + 8])
{
    const uint8_t *hh;
    size_t len;
    int64_t year;
    if (strcmp(ty->key, "income") && strcmp(ty->key, "conditions")) return 0;
    if (cz_body_get_bytes(body, cz_schema_field(ty, "household")->tag, &hh, &len) != CZ_OK || len != CZ_ENTITY_BYTES ||
        cz_body_get_sint(body, cz_schema_field(ty, "year")->tag, &year) != CZ_OK)
        return 0;
    memcpy(key, hh, CZ_ENTITY_BYTES);
    memcpy(key + CZ_ENTITY_BYTES, &year, 8);
    return CZ_ENTITY_BYTES + 8;
}

static int year_taken(const struct cz_type *ty, size_t other_tag, struct cz_field_error *err)
{
    char other[32];
    snprintf(other, sizeof other, "#%zu", other_tag);
    return cz_field_error_set(err, cz_schema_field(ty, "year"), CZ_EEXIST, HINT_YEAR_TAKEN, other);
}

/* The household and year once in this run. */
static int check_year(struct worker *w, const cz_body *body, size_t tag, struct cz_field_error *err)
{
    uint8_t key[CZ_ENTITY_BYTES + 8];
    size_t len = year_key(w->q->ty, body, key), ord;
    if (!len) return CZ_OK;
    int added = cz_hashset_intern(w->years.set, key, len, &ord);
    if (added < 0) return CZ_ENOMEM;
    if (!added) return year_taken(w->q->ty, w->years.tag[ord], err);
    return tag_ordinals(&w->years, ord, ord + 1, tag, NULL);
}

/* One row: checked, its values noted; a refusal kept. */
static int check_row(struct worker *w, cz_txn *t, const struct cz_assign *a, size_t n, size_t tag)
{
    const struct cz_st_check_req *q = w->q;
    struct cz_field_error err;
    struct version v;
    memset(&err, 0, sizeof err);
    int rc = cz_st_check_version(q->st, t, w->p, q->ty, NULL, NULL, a, n, &v, &err);
    if (rc == CZ_OK) {
        rc = check_year(w, v.body, tag, &err);
        if (rc == CZ_OK) rc = add_terms(w, v.body, tag);
        cz_body_free(v.body);
    }
    if (rc == CZ_ENOMEM || rc == CZ_EDB) return rc;
    return rc ? refuse(w, tag, rc, &err) : CZ_OK;
}

static int work_rows(struct worker *w)
{
    const struct cz_st_check_req *q = w->q;
    cz_txn *t = NULL;
    int rc = cz_txn_begin(q->st->store, 0, &t);
    if (rc == CZ_OK) rc = cz_st_pipe_begin(w->p, t, 0);
    for (size_t i = 0; rc == CZ_OK && i < q->skip + w->to; i++) {
        const struct cz_assign *a;
        size_t n, tag;
        if ((rc = q->src->next(w->cur, &a, &n, &tag))) {
            if (rc == CZ_ENOTFOUND) rc = CZ_EINVAL;      /* fewer rows than it said */
            break;
        }
        if (i < q->skip + w->from) continue;
        rc = check_row(w, t, a, n, tag);
        size_t done = atomic_fetch_add(w->checked, 1) + 1;
        /* Only the calling thread tells the progress. */
        if (w == q->first && q->tick && done % CHECK_TICK == 0) q->tick(q->tick_ctx, done);
    }
    cz_txn_abort(t);      /* the pipe keeps its values (not its transaction) for across() */
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->rc = work_rows(w);
    return NULL;
}

/* Each value of run k found in a run before it: a refusal for its row
 * (HINT_EXISTS for a number, HINT_YEAR_TAKEN for a year). */
static int across(struct worker *ws, size_t k, int years)
{
    struct worker *w = &ws[k];
    struct tagged *mine = years ? &w->years : &w->terms;
    size_t count = cz_hashset_count(mine->set), last = (size_t)-1;
    for (size_t o = 0; o < count; o++) {
        size_t len, ord;
        const void *key = cz_hashset_key(mine->set, o, &len);
        if (mine->tag[o] == last) continue;                  /* its row is refused already */
        for (size_t j = 0; j < k; j++) {
            struct tagged *theirs = years ? &ws[j].years : &ws[j].terms;
            if (!cz_hashset_has(theirs->set, key, len)) continue;
            struct cz_field_error err;
            memset(&err, 0, sizeof err);
            int rc;
            if (years) {
                if (cz_hashset_intern(theirs->set, key, len, &ord) < 0) return CZ_ENOMEM;
                rc = year_taken(w->q->ty, theirs->tag[ord], &err);
            } else {
                rc = cz_field_error_set(&err, mine->field[o], CZ_EEXIST, HINT_EXISTS, NULL);
            }
            if ((rc = refuse(w, mine->tag[o], rc, &err))) return rc;
            last = mine->tag[o];
            break;
        }
    }
    return CZ_OK;
}

static int by_tag(const void *a, const void *b)
{
    const struct refusal *x = a, *y = b;
    return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* Every run's refusals told in the file's order, a row once. */
static size_t tell(struct worker *ws, size_t k, const struct cz_st_check_req *q, int *rc)
{
    struct refusal *all = NULL;
    size_t n = 0, cap = 0, told = 0;
    for (size_t i = 0; i < k; i++) {
        if (ws[i].nref && cz_grow(&all, &cap, n + ws[i].nref, sizeof *all)) { *rc = CZ_ENOMEM; free(all); return 0; }
        if (ws[i].nref) memcpy(all + n, ws[i].ref, ws[i].nref * sizeof *all);
        n += ws[i].nref;
    }
    /* Runs are in file order, and within a run the checks' refusals come
     * before those found across runs: a stable sort keeps the first. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && by_tag(&all[j - 1], &all[j]) > 0; j--) {
            struct refusal tmp = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tmp;
        }
    for (size_t i = 0; i < n; i++) {
        if (i && all[i].tag == all[i - 1].tag) continue;
        told++;
        if (q->fn) q->fn(q->ctx, all[i].tag, all[i].status, &all[i].err);
    }
    free(all);
    return told;
}

static size_t threads_for(const struct cz_st_check_req *q)
{
    const char *env = getenv("CZ_LOAD_CHECKERS");
    long n = env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
    if (!q->src->dup) return 1;
    if (!env && (size_t)n > q->todo / CHECK_MIN_ROWS) n = (long)(q->todo / CHECK_MIN_ROWS);
    if (n > CHECK_MAX_THREADS) n = CHECK_MAX_THREADS;
    if ((size_t)n > q->todo) n = (long)q->todo;
    return n < 1 ? 1 : (size_t)n;
}

static void worker_free(struct worker *w, const struct cz_load_source *src)
{
    cz_st_pipe_free(w->p);
    cz_hashset_free(w->years.set);
    free(w->terms.tag);
    free(w->terms.field);
    free(w->years.tag);
    free(w->years.field);
    free(w->ref);
    if (w->cur && w->cur != src->ctx && src->dup_free) src->dup_free(w->cur);
}

static int worker_init(struct worker *w, const struct cz_st_check_req *q, size_t i, size_t k, _Atomic size_t *checked)
{
    int rc;
    *w = (struct worker){ .q = q, .from = q->todo * i / k, .to = q->todo * (i + 1) / k, .checked = checked };
    if ((rc = cz_st_pipe_new(q->st, q->ty, 0, NULL, NULL, &w->p))) return rc;
    w->terms.set = cz_st_pipe_terms(w->p);
    if ((rc = cz_hashset_new(&w->years.set))) return rc;
    if (i == 0) {
        w->cur = q->src->ctx;
        return CZ_OK;
    }
    return q->src->dup(q->src->ctx, &w->cur);
}

int cz_st_load_validate(struct cz_st_check_req *q)
{
    size_t k = threads_for(q), started = 0;
    struct worker *ws = calloc(k, sizeof *ws);
    _Atomic size_t checked = 0;
    int rc = ws ? CZ_OK : CZ_ENOMEM;
    for (size_t i = 0; rc == CZ_OK && i < k; i++) rc = worker_init(&ws[i], q, i, k, &checked);
    if (rc == CZ_OK) q->first = &ws[0];
    /* Runs 1.. on threads of their own, run 0 on this one. */
    for (size_t i = 1; rc == CZ_OK && i < k; i++, started++)
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i])) {
            rc = CZ_ENOMEM;
            break;
        }
    if (rc == CZ_OK) ws[0].rc = work_rows(&ws[0]);
    for (size_t i = 1; i <= started; i++) pthread_join(ws[i].thread, NULL);
    for (size_t i = 0; rc == CZ_OK && i < k; i++) rc = ws[i].rc;
    for (size_t i = 1; rc == CZ_OK && i < k; i++)
        if ((rc = across(ws, i, 0)) == CZ_OK) rc = across(ws, i, 1);
    if (rc == CZ_OK && tell(ws, k, q, &rc) && rc == CZ_OK) rc = CZ_EFIELD;
    for (size_t i = 0; ws && i < k; i++) worker_free(&ws[i], q->src);
    free(ws);
    return rc;
}
