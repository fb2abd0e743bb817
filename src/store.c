/* store.c — the LMDB environment of one station (store.h): opening it, the
 * map and its growth, transactions, and the small tables (meta, users,
 * seen, peers).  Entries and what hangs off them are in store_entry.c, the
 * index in index.c; store_int.h is what they share. */
#include "store.h"
#include "bytes.h"
#include "fsutil.h"
#include "status.h"
#include "store_int.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const struct { const char *name; unsigned flags; } dbi_specs[CZ_DB_COUNT] = {
    [CZ_DB_META]     = { .name = "meta",     .flags = 0 },
    [CZ_DB_USERS]    = { .name = "users",    .flags = 0 },
    [CZ_DB_ENTRIES]  = { .name = "entries",  .flags = 0 },
    [CZ_DB_LOGS]     = { .name = "logs",     .flags = 0 },
    [CZ_DB_FORKS]    = { .name = "forks",    .flags = 0 },
    [CZ_DB_VERSIONS] = { .name = "versions", .flags = MDB_DUPSORT | MDB_DUPFIXED },
    [CZ_DB_CHILDREN] = { .name = "children", .flags = MDB_DUPSORT | MDB_DUPFIXED },
    [CZ_DB_HEADS]    = { .name = "heads",    .flags = MDB_DUPSORT | MDB_DUPFIXED },
    [CZ_DB_INDEX]    = { .name = "index",    .flags = MDB_DUPSORT | MDB_DUPFIXED },
    [CZ_DB_SEEN]     = { .name = "seen",     .flags = 0 },
    [CZ_DB_PEERS]    = { .name = "peers",    .flags = 0 },
    [CZ_DB_JUDGED]   = { .name = "judged",   .flags = 0 },
};

/* The meta name under which a grown map's size is kept, so the next
 * process opens with it (LMDB itself takes the size it is given). */
#define META_MAP "store_map_bytes"

/* LMDB's codes and the errno values it passes on, by cause (the fix for a
 * full disk is not the fix for a damaged file). */
static int mdb_cause(int rc)
{
    switch (rc) {
    case 0: return CZ_OK;
    case MDB_NOTFOUND: return CZ_ENOTFOUND;
    case ENOMEM: return CZ_ENOMEM;
    case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INCOMPATIBLE: return CZ_EDBDAMAGED;
    case MDB_INVALID: case MDB_VERSION_MISMATCH: return CZ_EDBMETA;
    case MDB_MAP_FULL: return CZ_EDBFULL;
    default:
        if (rc > 0) {
            int f = cz_fs_errno_status(rc);
            if (f == CZ_EDISKFULL || f == CZ_EREADONLY || f == CZ_EACCESS) return f;
        }
        return CZ_EDB;
    }
}

/* LMDB answers a short write with EIO (mdb_page_flush), and a write cut
 * short is what a full disk gives before any ENOSPC: EIO with (almost) no
 * room left on the store's disk is a full disk. */
#define DISK_FULL_BELOW ((uint64_t)1 << 20)
static int disk_full(const cz_store *s)
{
    struct statvfs vfs;
    return s->dir && statvfs(s->dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < DISK_FULL_BELOW;
}

int cz_mdb_status(cz_store *s, int rc)
{
    int st = mdb_cause(rc);
    if (st == CZ_OK || st == CZ_ENOTFOUND) return st;
    s->last_mdb_error = rc;
    if (rc == EIO && disk_full(s)) return CZ_EDISKFULL;
    if (st == CZ_EDBFULL) {
        pthread_mutex_lock(&s->mu);
        if (s->map >= s->map_max) st = CZ_EDBMAX;
        else s->grow = 1;
        pthread_mutex_unlock(&s->mu);
    }
    return st;
}

const char *cz_store_last_error(const cz_store *s)
{
    return s && s->last_mdb_error ? mdb_strerror(s->last_mdb_error) : "";
}

/* Doubles the map (up to map_max) and notes the new size in meta.  Only
 * with s->mu held and no transaction open in this process. */
static void grow_map(cz_store *s)
{
    size_t want = s->map > s->map_max / 2 ? s->map_max : s->map * 2;
    MDB_txn *txn = NULL;
    s->grow = 0;
    if (want <= s->map) return;
    if (mdb_env_set_mapsize(s->env, want) != 0) {
        /* No room in this process's address space: this is its ceiling
         * (CZ_EDBMAX from now on).  LMDB has let go of the old mapping, so
         * it is mapped again, or nothing more may touch the store. */
        s->map_max = s->map;
        if (mdb_env_set_mapsize(s->env, s->map) != 0) s->broken = 1;
        return;
    }
    s->map = want;
    /* Noted at once: the write that ran out is the caller's to redo, maybe
     * in the next process, which must not start from the small map again.
     * Committing also makes LMDB record the size for other processes. */
    uint8_t b[8];
    cz_put_be64(b, want);
    MDB_val k = cz_val(META_MAP, strlen(META_MAP)), d = cz_val(b, sizeof b);
    if (mdb_txn_begin(s->env, NULL, 0, &txn) != 0) return;
    if (mdb_put(txn, s->dbi[CZ_DB_META], &k, &d, 0) != 0) { mdb_txn_abort(txn); return; }
    mdb_txn_commit(txn);
}

static int txn_enter(cz_store *s)
{
    int rc = CZ_OK;
    pthread_mutex_lock(&s->mu);
    if (s->grow && s->txns == 0) grow_map(s);
    if (s->broken) rc = CZ_ENOMEM;
    else s->txns++;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void txn_leave(cz_store *s)
{
    pthread_mutex_lock(&s->mu);
    if (--s->txns == 0 && s->grow) grow_map(s);
    pthread_mutex_unlock(&s->mu);
}

/* ---- opening ---- */

/* What a data file that LMDB will map must pass before any page of it is
 * touched: a page beyond the end of the file is SIGBUS, not an error. */
static int check_file(cz_store *s, const char *data)
{
    MDB_envinfo info;
    MDB_stat ms;
    struct stat st;
    if (stat(data, &st) != 0) return cz_fs_errno_status(errno);
    if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &ms) != 0) return CZ_EDBMETA;
    if ((uint64_t)st.st_size < ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize) return CZ_EDBTRUNC;
    return CZ_OK;
}

/* The store's folder (made when create) and, for an existing store, its
 * data file: one that is gone or empty would be opened by LMDB as a new,
 * empty store.  Gone is also what an init cut short after making the
 * folder leaves. */
static int check_dir(const char *dir, const char *data, int create)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT) return cz_fs_errno_status(errno);
        if (!create) return CZ_ENOINIT;
        if (mkdir(dir, 0700) != 0) return cz_fs_errno_status(errno);
    }
    if (create) return CZ_OK;
    if (stat(data, &sb) != 0) return errno == ENOENT ? CZ_EDBNOINFO : cz_fs_errno_status(errno);
    return sb.st_size == 0 ? CZ_EDBTRUNC : CZ_OK;
}

/* The environment, with the largest map this process can reserve (or the
 * one asked for).  The map is reserved address space, not disk: the file
 * grows as used.  Where the address space is limited (32-bit PCs, ulimit
 * -v, valgrind) a smaller map is tried; it grows when a write fills it
 * (store.h). */
static int open_env(cz_store *s, const char *dir, const char *data, size_t map, size_t map_max)
{
    static const size_t map_mib[] = {
#if SIZE_MAX > 0xffffffffu
        (size_t)64 << 10, 16 << 10, 4 << 10, 1 << 10,
#endif
        CZ_STORE_MAP_SMALL >> 20,
    };
    struct stat sb;
    int rc = 0;
    for (size_t i = 0; i < sizeof map_mib / sizeof map_mib[0]; i++) {
        s->map = map ? map : map_mib[i] << 20;
        s->map_max = map_max ? map_max : map ? map : sizeof(size_t) < 8 ? CZ_STORE_MAP_MAX32 : s->map * 16;
        if ((rc = mdb_env_create(&s->env)) != 0) {
            s->env = NULL;
            return rc == MDB_NOTFOUND ? CZ_EDB : mdb_cause(rc);
        }
        mdb_env_set_maxdbs(s->env, CZ_DB_COUNT + 4);
        mdb_env_set_mapsize(s->env, s->map);
        if ((rc = mdb_env_open(s->env, dir, 0, 0600)) == 0) return CZ_OK;
        mdb_env_close(s->env);
        s->env = NULL;
        if (map || (rc != ENOMEM && rc != EINVAL)) break;
    }
    /* Too short to hold the two meta pages is a truncation too. */
    if (rc == MDB_INVALID && stat(data, &sb) == 0 && sb.st_size < 2 * sysconf(_SC_PAGESIZE)) return CZ_EDBTRUNC;
    return mdb_cause(rc);
}

/* Opens every table, and reads the map size an earlier process grew to
 * (*kept, 0 when none). */
static int open_tables(cz_store *s, int create, size_t *kept)
{
    MDB_txn *txn = NULL;
    int rc;
    *kept = 0;
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0) return rc == MDB_NOTFOUND ? CZ_EDB : mdb_cause(rc);
    for (int i = 0; i < CZ_DB_COUNT; i++) {
        /* A store that exists always has meta: when its main table does
         * not name it, the table's root is damaged, and a new meta would
         * make it look like a folder where no station lives. */
        unsigned flags = dbi_specs[i].flags | (create || i != CZ_DB_META ? MDB_CREATE : 0);
        if ((rc = mdb_dbi_open(txn, dbi_specs[i].name, flags, &s->dbi[i])) != 0) {
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? CZ_EDBDAMAGED : mdb_cause(rc);
        }
    }
    MDB_val k = cz_val(META_MAP, strlen(META_MAP)), d;
    if (mdb_get(txn, s->dbi[CZ_DB_META], &k, &d) == 0 && d.mv_size == 8) {
        uint64_t v = cz_get_be64(d.mv_data);
        *kept = v > s->map_max ? s->map_max : (size_t)v;
    }
    if ((rc = mdb_txn_commit(txn)) != 0) return rc == MDB_NOTFOUND ? CZ_EDB : mdb_cause(rc);
    return CZ_OK;
}

int cz_store_open(const char *dir, int create, cz_store **out)
{
    return cz_store_open_map(dir, create, 0, 0, out);
}

int cz_store_open_map(const char *dir, int create, size_t map, size_t map_max, cz_store **out)
{
    cz_store *s = calloc(1, sizeof *s);
    struct stat sb;
    char data[4096];
    size_t kept;
    int st;

    *out = NULL;
    if (!s) return CZ_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    if (!(s->dir = strdup(dir))) { st = CZ_ENOMEM; goto fail; }
    if (snprintf(data, sizeof data, "%s/data.mdb", dir) >= (int)sizeof data) { st = CZ_EINVAL; goto fail; }
    if ((st = check_dir(dir, data, create))) goto fail;
    if ((st = open_env(s, dir, data, map, map_max))) goto fail;
    if ((!create || stat(data, &sb) == 0) && (st = check_file(s, data))) goto fail;
    if ((st = open_tables(s, create, &kept))) goto fail;
    /* A map grown by an earlier process (grow_map); where this one cannot
     * map that much, the size it has (mapped again, as in grow_map). */
    if (kept > s->map) {
        if (mdb_env_set_mapsize(s->env, kept) == 0) s->map = kept;
        else if (mdb_env_set_mapsize(s->env, s->map) != 0) { st = CZ_ENOMEM; goto fail; }
    }
    *out = s;
    return CZ_OK;
fail:
    if (s->env) mdb_env_close(s->env);
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    free(s);
    return st;
}

void cz_store_close(cz_store *s)
{
    if (!s) return;
    mdb_env_close(s->env);
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    free(s);
}

const char *cz_store_dir(const cz_store *s) { return s->dir; }
size_t cz_store_map_size(const cz_store *s) { return s->map; }

/* ---- transactions ---- */

/* Another process grew the map: its size is adopted when nothing of ours
 * is open, and the transaction tried once more. */
static int begin_resized(cz_store *s, int write, MDB_txn **txn)
{
    int rc = MDB_MAP_RESIZED;
    pthread_mutex_lock(&s->mu);
    if (s->txns == 1 && mdb_env_set_mapsize(s->env, 0) == 0) {
        MDB_envinfo info;
        if (mdb_env_info(s->env, &info) == 0) s->map = info.me_mapsize;
        rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, txn);
    } else if (s->txns == 1 && mdb_env_set_mapsize(s->env, s->map) != 0) {
        s->broken = 1;            /* as in grow_map */
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int cz_txn_begin(cz_store *s, int write, cz_txn **out)
{
    cz_txn *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t) return CZ_ENOMEM;
    t->s = s;
    t->write = write;
    if (txn_enter(s)) { free(t); return CZ_ENOMEM; }
    int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == MDB_MAP_RESIZED) rc = begin_resized(s, write, &t->txn);
    if (rc) {
        txn_leave(s);
        free(t);
        return rc == MDB_MAP_RESIZED ? CZ_EDBFULL : cz_mdb_status(s, rc);
    }
    *out = t;
    return CZ_OK;
}

/* What a transaction holds besides LMDB's: freed however it ends. */
static void txn_free(cz_txn *t)
{
    cz_store *s = t->s;
    if (t->pending_free) t->pending_free(t->pending);
    if (t->aux_free) t->aux_free(t->aux);
    free(t);
    txn_leave(s);
}

int cz_txn_commit(cz_txn *t)
{
    int st = t->flush ? t->flush(t) : CZ_OK;
    if (st) mdb_txn_abort(t->txn);
    else st = cz_mdb_status(t->s, mdb_txn_commit(t->txn));
    txn_free(t);
    return st;
}

void cz_txn_abort(cz_txn *t)
{
    if (!t) return;
    mdb_txn_abort(t->txn);
    txn_free(t);
}

uint64_t cz_txn_puts(const cz_txn *t) { return t->puts; }
void *cz_txn_aux(const cz_txn *t) { return t->aux; }

void cz_txn_set_aux(cz_txn *t, void *aux, void (*aux_free)(void *))
{
    if (t->aux_free && t->aux != aux) t->aux_free(t->aux);
    t->aux = aux;
    t->aux_free = aux_free;
}

/* ---- walks the other files share (store_int.h) ---- */

int cz_db_walk(cz_txn *t, enum cz_db db, cz_raw_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k, d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return CZ_ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        ret = fn(ctx, k.mv_data, k.mv_size, d.mv_data, d.mv_size);
        if (ret) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_db_each_dup(cz_txn *t, enum cz_db db, const void *key, size_t klen, cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = cz_val(key, klen), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return CZ_ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
        ret = fn(ctx, d.mv_data);
        if (ret) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_db_dup_count(cz_txn *t, enum cz_db db, const void *key, size_t klen, size_t *count)
{
    MDB_cursor *c;
    MDB_val k = cz_val(key, klen), d;
    size_t n = 0;
    *count = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    mdb_cursor_close(c);
    *count = n;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* ---- meta ---- */

int cz_meta_get(cz_txn *t, const char *name, const void **v, size_t *len)
{
    MDB_val k = cz_val(name, strlen(name)), d;
    int rc = mdb_get(t->txn, t->s->dbi[CZ_DB_META], &k, &d);
    if (rc) return CZ_ST(t, rc);
    *v = d.mv_data;
    *len = d.mv_size;
    return CZ_OK;
}

int cz_meta_put(cz_txn *t, const char *name, const void *v, size_t len)
{
    MDB_val k = cz_val(name, strlen(name)), d = cz_val(v, len);
    return CZ_ST(t, mdb_put(t->txn, t->s->dbi[CZ_DB_META], &k, &d, 0));
}

int cz_meta_del(cz_txn *t, const char *name)
{
    MDB_val k = cz_val(name, strlen(name));
    int rc = mdb_del(t->txn, t->s->dbi[CZ_DB_META], &k, NULL);
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_meta_get_str(cz_txn *t, const char *name, char *buf, size_t size)
{
    const void *v;
    size_t len;
    buf[0] = 0;
    int rc = cz_meta_get(t, name, &v, &len);
    if (rc) return rc;
    if (len >= size) len = size - 1;
    memcpy(buf, v, len);
    buf[len] = 0;
    return CZ_OK;
}

int cz_meta_put_str(cz_txn *t, const char *name, const char *v)
{
    return cz_meta_put(t, name, v, strlen(v));
}

int cz_meta_get_u64(cz_txn *t, const char *name, uint64_t *out)
{
    const void *v;
    size_t len;
    *out = 0;
    int rc = cz_meta_get(t, name, &v, &len);
    if (rc) return rc;
    if (len != 8) return CZ_EDB;
    *out = cz_get_be64(v);
    return CZ_OK;
}

int cz_meta_put_u64(cz_txn *t, const char *name, uint64_t v)
{
    uint8_t b[8];
    cz_put_be64(b, v);
    return cz_meta_put(t, name, b, sizeof b);
}

int cz_meta_each_prefix(cz_txn *t, const char *prefix, cz_raw_fn fn, void *ctx)
{
    MDB_cursor *c;
    size_t plen = strlen(prefix);
    MDB_val k = cz_val(prefix, plen), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_META], &c);
    if (rc) return CZ_ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, plen ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) { rc = MDB_NOTFOUND; break; }
        if ((ret = fn(ctx, k.mv_data, k.mv_size, d.mv_data, d.mv_size))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret == CZ_WALK_STOP ? CZ_OK : ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* ---- users ---- */

int cz_user_put(cz_txn *t, const char *name, const uint8_t *blob, size_t len)
{
    MDB_val k = cz_val(name, strlen(name)), d = cz_val(blob, len);
    return CZ_ST(t, mdb_put(t->txn, t->s->dbi[CZ_DB_USERS], &k, &d, 0));
}

int cz_user_del(cz_txn *t, const char *name)
{
    MDB_val k = cz_val(name, strlen(name));
    int rc = mdb_del(t->txn, t->s->dbi[CZ_DB_USERS], &k, NULL);
    return rc == MDB_NOTFOUND ? CZ_ENOUSER : CZ_ST(t, rc);
}

int cz_user_get(cz_txn *t, const char *name, const uint8_t **blob, size_t *len)
{
    MDB_val k = cz_val(name, strlen(name)), d;
    int rc = mdb_get(t->txn, t->s->dbi[CZ_DB_USERS], &k, &d);
    if (rc) return rc == MDB_NOTFOUND ? CZ_ENOUSER : CZ_ST(t, rc);
    *blob = d.mv_data;
    *len = d.mv_size;
    return CZ_OK;
}

struct user_walk { cz_user_fn fn; void *ctx; };

static int user_walk_cb(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    struct user_walk *w = ctx;
    char name[128];
    if (klen >= sizeof name) klen = sizeof name - 1;
    memcpy(name, k, klen);
    name[klen] = 0;
    return w->fn(w->ctx, name, v, vlen);
}

int cz_user_each(cz_txn *t, cz_user_fn fn, void *ctx)
{
    struct user_walk w = { .fn = fn, .ctx = ctx };
    return cz_db_walk(t, CZ_DB_USERS, user_walk_cb, &w);
}

/* ---- bundles seen and peers' acknowledgements ---- */

static int small_get(cz_txn *t, enum cz_db db, const uint8_t key[32], const void **v, size_t *len)
{
    MDB_val k = cz_val(key, 32), d;
    int rc = mdb_get(t->txn, t->s->dbi[db], &k, &d);
    if (rc) return CZ_ST(t, rc);
    if (v) *v = d.mv_data;
    if (len) *len = d.mv_size;
    return CZ_OK;
}

static int small_put(cz_txn *t, enum cz_db db, const uint8_t key[32], const void *v, size_t len)
{
    MDB_val k = cz_val(key, 32), d = cz_val(v, len);
    return CZ_ST(t, mdb_put(t->txn, t->s->dbi[db], &k, &d, 0));
}

int cz_store_seen_get(cz_txn *t, const uint8_t id[32], const void **v, size_t *len)
{
    return small_get(t, CZ_DB_SEEN, id, v, len);
}

int cz_store_seen_put(cz_txn *t, const uint8_t id[32], const void *v, size_t len)
{
    return small_put(t, CZ_DB_SEEN, id, v, len);
}

int cz_store_peer_get(cz_txn *t, const uint8_t peer[32], const void **v, size_t *len)
{
    return small_get(t, CZ_DB_PEERS, peer, v, len);
}

int cz_store_peer_put(cz_txn *t, const uint8_t peer[32], const void *v, size_t len)
{
    return small_put(t, CZ_DB_PEERS, peer, v, len);
}

/* ---- the whole store ---- */

int cz_store_stats(cz_txn *t, struct cz_store_stats *st)
{
    MDB_stat ms;
    MDB_envinfo info;
    memset(st, 0, sizeof *st);
    if (mdb_stat(t->txn, t->s->dbi[CZ_DB_ENTRIES], &ms) == 0) st->entries = ms.ms_entries;
    if (mdb_stat(t->txn, t->s->dbi[CZ_DB_LOGS], &ms) == 0) st->logs = ms.ms_entries;
    if (mdb_stat(t->txn, t->s->dbi[CZ_DB_FORKS], &ms) == 0) st->forks = ms.ms_entries / 2;
    if (mdb_env_info(t->s->env, &info) == 0 && mdb_env_stat(t->s->env, &ms) == 0)
        st->db_bytes = (size_t)(info.me_last_pgno + 1) * ms.ms_psize;
    return CZ_OK;
}

int cz_store_count_records(cz_txn *t, size_t *n)
{
    MDB_cursor *c;
    MDB_val k, d;
    int rc;
    *n = 0;
    /* Versions hold one duplicate per version: count distinct entities. */
    if ((rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c))) return CZ_ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP))
        (*n)++;
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}
