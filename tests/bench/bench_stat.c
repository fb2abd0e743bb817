/* bench_stat.c — where a station's database bytes go, table by table, read
 * from the LMDB environment itself (bench.h). */
#include "bench.h"

#include <lmdb.h>
#include <string.h>

/* LMDB's largest node on a leaf page (mdb.c, me_nodemax, for the page
 * header of this build) and a node's header: a dup list whose node would
 * pass it is a sub-tree of its own. */
#define NODE_HEADER 8
static size_t node_max(size_t psize)
{
    size_t header = sizeof(size_t) + 8;   /* page number, pad, flags, lower, upper */
    return (((psize - header) / 2) & ~(size_t)1) - 2;
}

/* The bytes of `dbi`'s dup lists too long for a node: what its sub-trees
 * hold, to split the sub-trees' pages by. */
static int long_dups(MDB_txn *txn, MDB_dbi dbi, size_t psize, uint64_t *bytes)
{
    MDB_cursor *c;
    MDB_val k, v;
    size_t count;
    int rc = mdb_cursor_open(txn, dbi, &c);
    *bytes = 0;
    if (rc) return rc;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
        if ((rc = mdb_cursor_count(c, &count))) break;
        uint64_t list = (uint64_t)count * v.mv_size;
        if (NODE_HEADER + k.mv_size + list > node_max(psize)) *bytes += list;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static uint64_t tree_bytes(const MDB_stat *ms)
{
    return ((uint64_t)ms->ms_branch_pages + ms->ms_leaf_pages + ms->ms_overflow_pages) * ms->ms_psize;
}

/* The free pages: each record of the free table (dbi 0) is a list of page
 * numbers, its count first; and that table's own pages. */
static int free_pages(MDB_txn *txn, uint64_t *bytes, size_t psize)
{
    MDB_cursor *c;
    MDB_val k, v;
    MDB_stat ms;
    uint64_t pages = 0;
    int rc = mdb_stat(txn, 0, &ms);
    if (rc || (rc = mdb_cursor_open(txn, 0, &c))) return rc;
    while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0)
        if (v.mv_size >= sizeof(size_t)) pages += *(const size_t *)v.mv_data;
    mdb_cursor_close(c);
    *bytes = pages * psize + tree_bytes(&ms);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every table the main table names, its tree and (for MDB_DUPSORT) the
 * bytes of its long dup lists in weight[]. */
static int each_table(MDB_txn *txn, MDB_dbi main, struct bench_db_stat *st, uint64_t weight[])
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, main, &c);
    if (rc) return rc;
    while (st->n < BENCH_TABLES && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
        struct bench_table *t = &st->t[st->n];
        MDB_dbi dbi;
        MDB_stat ms;
        unsigned flags;
        if (k.mv_size == 0 || k.mv_size >= sizeof t->name || memchr(k.mv_data, 0, k.mv_size)) continue;
        memset(t, 0, sizeof *t);
        memcpy(t->name, k.mv_data, k.mv_size);
        /* a key of the main table that is not a table's name */
        if (mdb_dbi_open(txn, t->name, 0, &dbi) != 0) continue;
        if ((rc = mdb_stat(txn, dbi, &ms)) || (rc = mdb_dbi_flags(txn, dbi, &flags))) break;
        t->tree_bytes = tree_bytes(&ms);
        t->dupsort = (flags & MDB_DUPSORT) != 0;
        weight[st->n] = 0;
        if (t->dupsort && (rc = long_dups(txn, dbi, ms.ms_psize, &weight[st->n]))) break;
        st->n++;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int bench_db_stat(const char *dbdir, struct bench_db_stat *st)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_envinfo info;
    MDB_stat ms;
    MDB_dbi main;
    uint64_t weight[BENCH_TABLES], weights = 0, trees = 0;
    int rc;
    memset(st, 0, sizeof *st);
    if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, BENCH_TABLES + 8)) ||
        (rc = mdb_env_open(env, dbdir, MDB_RDONLY, 0600)) || (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) ||
        (rc = mdb_dbi_open(txn, NULL, 0, &main)) || (rc = mdb_env_info(env, &info)) ||
        (rc = mdb_stat(txn, main, &ms)))
        goto cleanup;
    size_t psize = ms.ms_psize;
    st->used_bytes = ((uint64_t)info.me_last_pgno + 1) * psize;
    st->lmdb_bytes = 2 * (uint64_t)psize + tree_bytes(&ms);
    if ((rc = free_pages(txn, &st->free_bytes, psize)) || (rc = each_table(txn, main, st, weight))) goto cleanup;
    for (size_t i = 0; i < st->n; i++) {
        trees += st->t[i].tree_bytes;
        weights += weight[i];
    }
    uint64_t known = trees + st->free_bytes + st->lmdb_bytes;
    st->sub_total = st->used_bytes > known ? st->used_bytes - known : 0;
    uint64_t split = 0;
    for (size_t i = 0; i < st->n && weights; i++) {
        st->t[i].sub_bytes = (uint64_t)((double)st->sub_total * (double)weight[i] / (double)weights);
        split += st->t[i].sub_bytes;
    }
    st->unsplit = st->sub_total - split;
cleanup:
    if (txn) mdb_txn_abort(txn);
    if (env) mdb_env_close(env);
    return rc;
}
