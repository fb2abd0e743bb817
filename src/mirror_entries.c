/* mirror_entries.c — every entry this station holds, copied once into
 * cunzhan.entry with its raw bytes.
 *
 * What the server holds is a set of ranges of log positions per origin
 * (cunzhan.mirrored), not a high-water mark: logs reach a station with
 * holes that fill later, and a position below the highest one copied may
 * arrive in any later import.  Each batch commits its entries and the
 * ranges that now cover them in one transaction, so after a kill the
 * ranges never claim an entry the server lacks; an entry there that no
 * range covers (the ranges lost) makes its batch go again the slow way,
 * which keeps only what the server lacks (put_entries).  While a first
 * run's keys are owed nothing refuses such an entry, and the key's build
 * keeps one of each (mirror_keys.c). */
#include "mirror_int.h"
#include "bytes.h"
#include "grow.h"
#include "hex.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

struct range { uint8_t origin[32]; uint64_t lo, hi; };
struct pos { uint8_t origin[32]; uint64_t seq; };

struct entries {
    struct cz_mirror *m;
    struct range *r;        /* sorted by origin then lo, merged */
    size_t nr, capr;
    struct pos *batch;      /* positions in the batch being built, walk order */
    size_t nb, capb;
    uint64_t missing, done;
    int counting;           /* the first walk only counts what is missing */
    int open;               /* a batch's transaction and COPY are open */
};

static int range_cmp(const void *x, const void *y)
{
    const struct range *a = x, *b = y;
    int c = memcmp(a->origin, b->origin, 32);
    return c ? c : a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int covered(const struct entries *E, const uint8_t *origin, uint64_t seq)
{
    size_t lo = 0, hi = E->nr;
    while (lo < hi) {   /* the first range past (origin, seq) */
        size_t mid = (lo + hi) / 2;
        int c = memcmp(E->r[mid].origin, origin, 32);
        if (c < 0 || (c == 0 && E->r[mid].lo <= seq)) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && !memcmp(E->r[lo - 1].origin, origin, 32) && E->r[lo - 1].hi >= seq;
}

/* Sorts and joins ranges that touch or overlap. */
static void merge_ranges(struct entries *E)
{
    if (!E->nr) return;
    qsort(E->r, E->nr, sizeof *E->r, range_cmp);
    size_t w = 0;
    for (size_t i = 1; i < E->nr; i++) {
        struct range *last = &E->r[w];
        if (!memcmp(last->origin, E->r[i].origin, 32) && E->r[i].lo <= last->hi + 1) {
            if (E->r[i].hi > last->hi) last->hi = E->r[i].hi;
        } else {
            E->r[++w] = E->r[i];
        }
    }
    E->nr = w + 1;
}

static int load_ranges(struct entries *E)
{
    PGresult *r = NULL;
    int rc = cz_mirror_query(E->m, "SELECT encode(origin, 'hex'), lo, hi FROM cunzhan.mirrored", 0, NULL, &r);
    if (rc) return rc;
    int n = PQntuples(r);
    if ((rc = cz_grow(&E->r, &E->capr, (size_t)n + 1, sizeof *E->r))) goto cleanup;
    for (int i = 0; i < n; i++) {
        struct range *g = &E->r[E->nr];
        if (cz_unhex(PQgetvalue(r, i, 0), g->origin, 32) != CZ_OK) continue;
        E->nr++;
        g->lo = strtoull(PQgetvalue(r, i, 1), NULL, 10);
        g->hi = strtoull(PQgetvalue(r, i, 2), NULL, 10);
    }
    merge_ranges(E);
cleanup:
    PQclear(r);
    return rc;
}

/* One entry as a row of cunzhan.entry (column order of mirror_schema.c). */
static int entry_row(struct cz_mbuf *b, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_mbuf_copy_bytea(b, id, CZ_ID_BYTES);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, e->origin, 32);
    if (!rc) rc = cz_mbuf_printf(b, "\t%llu\t", (unsigned long long)e->seq);
    if (!rc) rc = cz_mbuf_copy_text(b, e->type, strlen(e->type));
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_text(b, e->region, strlen(e->region));
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, e->entity, CZ_ENTITY_BYTES);
    if (!rc) rc = cz_mbuf_printf(b, "\t%llu\t%lld\t%s\t", (unsigned long long)e->hlc, (long long)e->wall,
                                 e->flags & CZ_ENTRY_FLAG_TOMBSTONE ? "t" : "f");
    if (!rc) rc = cz_mbuf_copy_bytea(b, e->parents, e->nparents * CZ_ID_BYTES);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, e->raw, e->raw_len);
    if (!rc) rc = cz_mbuf_add(b, "\n", 1);
    return rc;
}

/* The ranges of the origins this batch touched, as rows of cunzhan.mirrored. */
static int ranges_rows(struct entries *E, struct cz_mbuf *b)
{
    int rc = CZ_OK;
    for (size_t i = 0; i < E->nr && rc == CZ_OK; i++) {
        int touched = 0;
        for (size_t k = 0; k < E->nb && !touched; k++) touched = !memcmp(E->batch[k].origin, E->r[i].origin, 32);
        if (!touched) continue;
        rc = cz_mbuf_copy_bytea(b, E->r[i].origin, 32);
        if (!rc) rc = cz_mbuf_printf(b, "\t%llu\t%llu\n", (unsigned long long)E->r[i].lo, (unsigned long long)E->r[i].hi);
    }
    return rc;
}

/* The batch's entries went straight into cunzhan.entry, streamed as they
 * were read (positions no range covers are normally new to the server).
 * When one was there already (fork evidence offered by an earlier run),
 * the batch goes again through a temporary table and the server keeps
 * what it lacks. */
static int put_entries(struct entries *E)
{
    struct cz_mirror *m = E->m;
    int rc = cz_mirror_stream_end(m, &m->buf);
    E->open = 0;
    if (!rc) { m->s->entries_copied += E->nb; return CZ_OK; }
    if (rc != CZ_EMIRRORSQL || strcmp(m->sqlstate, CZ_MIRROR_DUPLICATE)) return rc;
    rc = cz_mirror_exec(m, "ROLLBACK TO SAVEPOINT batch");
    if (!rc) rc = cz_mirror_copy(m, "COPY pg_temp.stage_entry FROM STDIN", &m->buf);
    if (!rc) m->s->entries_copied += cz_mirror_exec_count(m,
                 "INSERT INTO cunzhan.entry SELECT * FROM pg_temp.stage_entry ON CONFLICT DO NOTHING", &rc);
    return rc;
}

static int flush(struct entries *E)
{
    struct cz_mirror *m = E->m;
    struct cz_mbuf ranges = { 0 };
    int rc = CZ_OK;
    if (!E->nb) return CZ_OK;
    for (size_t i = 0; i < E->nb && rc == CZ_OK; i++) {
        rc = cz_grow(&E->r, &E->capr, E->nr + 1, sizeof *E->r);
        if (rc) break;
        memcpy(E->r[E->nr].origin, E->batch[i].origin, 32);
        E->r[E->nr].lo = E->r[E->nr].hi = E->batch[i].seq;
        E->nr++;
    }
    if (rc) return rc;
    merge_ranges(E);
    if ((rc = ranges_rows(E, &ranges))) goto cleanup;
    rc = put_entries(E);
    if (!rc) rc = cz_mirror_copy(m, "COPY pg_temp.stage_range FROM STDIN", &ranges);
    if (!rc) rc = cz_mirror_exec(m, "DELETE FROM cunzhan.mirrored WHERE origin IN (SELECT origin FROM pg_temp.stage_range);"
                                    "INSERT INTO cunzhan.mirrored SELECT * FROM pg_temp.stage_range");
    if (!rc) rc = cz_mirror_set_dirty(m, 1);
    if (!rc) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
    if (rc) goto cleanup;
    m->s->batches++;
    E->done += E->nb;
    if (m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_ENTRIES, E->done, E->missing);
    E->nb = 0;
    m->buf.n = 0;
cleanup:
    cz_mbuf_free(&ranges);
    return rc;
}

static int add_entry(struct entries *E, const uint8_t *origin, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    struct cz_entry e;
    int rc = cz_store_get_entry(E->m->t, id, &e);
    if (rc) return rc;
    if (!E->open) {   /* the batch's transaction, and its COPY, open at its first row */
        rc = cz_mirror_exec(E->m, "BEGIN; SAVEPOINT batch");
        if (!rc) rc = cz_mirror_stream_begin(E->m, "COPY cunzhan.entry FROM STDIN");
        if (rc) return rc;
        E->open = 1;
    }
    if ((rc = entry_row(&E->m->buf, &e, id))) return rc;
    if ((rc = cz_mirror_stream_push(E->m, &E->m->buf))) return rc;
    if ((rc = cz_grow(&E->batch, &E->capb, E->nb + 1, sizeof *E->batch))) return rc;
    memcpy(E->batch[E->nb].origin, origin, 32);
    E->batch[E->nb++].seq = seq;
    return E->nb >= E->m->batch ? flush(E) : CZ_OK;
}

static int log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct entries *E = ctx;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDBDAMAGED;
    uint64_t seq = cz_get_be64(key + 32);
    if (covered(E, key, seq)) return CZ_OK;
    if (E->counting) { E->missing++; return CZ_OK; }
    return add_entry(E, key, seq, val);
}

/* Entries kept as evidence of a fork share a log position with the one
 * logged there, so ranges cannot say whether the server has them: they
 * are offered every run (there are few) and the server keeps what it
 * lacks.  The batch has no positions, so no range changes. */
static int fork_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct entries *E = ctx;
    struct cz_entry e;
    if (klen != 40 + CZ_ID_BYTES) return CZ_EDBDAMAGED;
    int rc = cz_store_get_entry(E->m->t, key + 40, &e);
    return rc ? rc : entry_row(&E->m->buf, &e, key + 40);
}

static int copy_forks(struct entries *E)
{
    struct cz_mirror *m = E->m;
    m->buf.n = 0;
    int rc = cz_store_each_fork(m->t, fork_cb, E);
    if (rc || !m->buf.n) return rc;
    if ((rc = cz_mirror_exec(m, "BEGIN"))) return rc;
    rc = cz_mirror_copy(m, "COPY pg_temp.stage_entry FROM STDIN", &m->buf);
    uint64_t n = 0;
    /* Not ON CONFLICT: while a first run's keys are owed there is no key
     * to conflict with. */
    if (!rc) n = cz_mirror_exec_count(m,
                 "INSERT INTO cunzhan.entry SELECT * FROM pg_temp.stage_entry s"
                 " WHERE NOT EXISTS (SELECT 1 FROM cunzhan.entry e WHERE e.id = s.id AND e.region = s.region)", &rc);
    if (!rc && n) rc = cz_mirror_set_dirty(m, 1);
    if (!rc) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
    if (rc == CZ_OK && n) { m->s->entries_copied += n; m->s->batches++; }
    m->buf.n = 0;
    return rc;
}

int cz_mirror_entries(struct cz_mirror *m)
{
    struct entries E = { .m = m };
    struct cz_store_stats st;
    int rc = cz_store_stats(m->t, &st);
    if (rc) return rc;
    m->s->entries_station = st.entries;
    rc = cz_mirror_exec(m, "CREATE TEMP TABLE IF NOT EXISTS stage_entry"
                           " (LIKE cunzhan.entry) ON COMMIT DELETE ROWS;"
                           "CREATE TEMP TABLE IF NOT EXISTS stage_range"
                           " (LIKE cunzhan.mirrored) ON COMMIT DELETE ROWS");
    if (rc || (rc = load_ranges(&E))) goto cleanup;
    E.counting = 1;
    if ((rc = cz_store_each_log(m->t, log_cb, &E))) goto cleanup;
    E.counting = 0;
    m->buf.n = 0;
    if (E.missing && (rc = cz_store_each_log(m->t, log_cb, &E))) goto cleanup;
    if ((rc = flush(&E))) goto cleanup;
    rc = copy_forks(&E);
cleanup:
    free(E.r);
    free(E.batch);
    return rc;
}
