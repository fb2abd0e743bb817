/* bench.h — what bench.c shares with its parts: the bounds on one core and
 * on every core (bench_bounds.c) and the database's bytes by table
 * (bench_stat.c).  Not a library: the bench's own files only. */
#ifndef CZ_BENCH_H
#define CZ_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- bench_report.c ---- */

/* One figure of the run of `size` records, over n (records, households):
 * printed at once and kept for the tables.  bound 0: none; else the ratio
 * value/bound is shown beside the goal. */
void bench_record(const char *what, size_t size, size_t n, double value, double bound, const char *unit,
                  const char *goal, const char *note);
/* The load's and the import's cost per record at the largest size over
 * the size before, as rows of the largest size. */
void bench_growth_rows(void);
/* Cores, CPU model and memory of this machine, for the table's heading. */
void bench_machine(char *buf, size_t size);
/* The markdown table: a row per measure, a column per size, the growth. */
void bench_markdown(FILE *f, const char *mach, double elapsed);
void bench_csv(FILE *f);

/* ---- bench_bounds.c ---- */

/* The cores this machine has online: the threads of the all-core bounds. */
unsigned bench_cores(void);
/* Seconds for n Ed25519 signatures (verify 0) or verifications (1) of
 * msg_len-byte messages on `threads` threads, each signing or verifying
 * its own share: a sample of at most `sample` is timed (wall clock, from
 * before the first thread starts to after the last ends) and scaled to n;
 * *sampled says how many were timed.  A negative result: a verification
 * failed, or a thread could not start. */
double bench_sign_time(uint64_t n, size_t msg_len, int verify, unsigned threads, uint64_t sample,
                       uint64_t *sampled);

/* ---- bench_stat.c ---- */

#define BENCH_TABLES 32
struct bench_table {
    char name[64];
    int dupsort;
    uint64_t tree_bytes;   /* the table's own B-tree: branch, leaf, overflow pages (mdb_stat) */
    uint64_t sub_bytes;    /* its share of the dup lists' sub-trees (estimated split) */
};
/* One LMDB environment's pages, by where they are.  mdb_stat counts a
 * table's own B-tree but not the sub-trees of its long dup lists (LMDB
 * keeps those in each key's node), so what the pages in use leave after
 * every tree, the free pages, the main table and the two meta pages is
 * the sub-trees' bytes (sub_total, exact) and it is split among the
 * MDB_DUPSORT tables in proportion to the bytes of their dup lists too
 * long for a node (an estimate). */
struct bench_db_stat {
    struct bench_table t[BENCH_TABLES];
    size_t n;
    uint64_t used_bytes;     /* pages in use: (last page + 1) x page size */
    uint64_t free_bytes;     /* free pages and the free list's own tree */
    uint64_t lmdb_bytes;     /* the two meta pages and the main table (the tables' names) */
    uint64_t sub_total;      /* every dup sub-tree */
    uint64_t unsplit;        /* sub-tree bytes no table's dup lists could account for */
};
/* Opens the LMDB environment in `dbdir` read-only (no process may be
 * writing it) and fills *st, the tables named by its main table.  0 or
 * an LMDB error code. */
int bench_db_stat(const char *dbdir, struct bench_db_stat *st);

#endif
