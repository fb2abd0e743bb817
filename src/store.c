#include "store.h"
#include "codec.h"
#include "fsutil.h"
#include "hashset.h"
#include "schema.h"
#include "status.h"
#include "text.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* One LMDB page holds keys up to this size; longer values are cut. */
#define TERM_MAX 400

enum dbi_name { DB_META, DB_USERS, DB_ENTRIES, DB_LOGS, DB_FORKS, DB_VERSIONS,
                DB_CHILDREN, DB_HEADS, DB_INDEX, DB_ETERMS, DB_SEEN, DB_PEERS, DB_JUDGED, DB_COUNT };

static const struct { const char *name; unsigned flags; } dbi_specs[DB_COUNT] = {
    [DB_META]     = { "meta", 0 },
    [DB_USERS]    = { "users", 0 },
    [DB_ENTRIES]  = { "entries", 0 },
    [DB_LOGS]     = { "logs", 0 },
    [DB_FORKS]    = { "forks", 0 },
    [DB_VERSIONS] = { "versions", MDB_DUPSORT | MDB_DUPFIXED },
    [DB_CHILDREN] = { "children", MDB_DUPSORT | MDB_DUPFIXED },
    [DB_HEADS]    = { "heads", MDB_DUPSORT | MDB_DUPFIXED },
    [DB_INDEX]    = { "index", MDB_DUPSORT | MDB_DUPFIXED },
    [DB_ETERMS]   = { "eterms", 0 },
    [DB_SEEN]     = { "seen", 0 },
    [DB_PEERS]    = { "peers", 0 },
    [DB_JUDGED]   = { "judged", 0 },
};

struct cz_store {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int last_mdb_error;
    char *dir;
    /* The map may only be resized while this process has no transaction
     * open (mdb_env_set_mapsize), and transactions live on several threads
     * (an export takes its sequence number on one while it reads on
     * another): mu guards the count and the wish to grow. */
    pthread_mutex_t mu;
    int txns;                 /* transactions open in this process */
    int grow;                 /* a write ran out of map: grow once txns is 0 */
    int broken;               /* the map could not be made again: unusable */
    size_t map, map_max;
};

/* The meta name under which a grown map's size is kept, so the next
 * process opens with it (LMDB itself takes the size it is given). */
#define META_MAP "store_map_bytes"

/* Index terms of new entities collected by a transaction that asked for it
 * (cz_store_defer_index), put sorted later: each distinct term once (the
 * set `terms`, whose ordinals index `dt`), a (term, entity) pair per
 * filing, and eterms records (entity, u32 length, term list) in `et`. */
struct dterm { uint32_t count, rank; };
struct dpair { uint32_t term; uint8_t entity[CZ_ENTITY_BYTES]; };
struct defer {
    cz_hashset *terms;                    /* the distinct terms */
    struct dterm *dt;                     /* per distinct term, by its ordinal */
    size_t dt_cap;
    uint8_t *et;
    size_t terms_used, et_used, et_room, et_n;   /* terms_used: bytes of the distinct terms */
    struct dpair *pairs;
    size_t npairs, pairs_cap;
    size_t limit;                         /* bytes pending that make a batch */
};

struct cz_txn {
    cz_store *s;
    MDB_txn *txn;
    int write;
    struct defer *defer;                  /* NULL: put at once */
    uint64_t puts;                        /* entries put so far (cz_txn_puts) */
    void *aux;                            /* cz_txn_set_aux: freed with t */
    void (*aux_free)(void *);
};

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

static int mdb_status(cz_store *s, int rc)
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
#define ST(t, rc) mdb_status((t)->s, (rc))

const char *cz_store_last_error(const cz_store *s)
{
    return s && s->last_mdb_error ? mdb_strerror(s->last_mdb_error) : "";
}

static void put_be64(uint8_t b[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) b[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t b[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | b[i];
    return v;
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
    put_be64(b, want);
    MDB_val k = { strlen(META_MAP), META_MAP }, d = { 8, b };
    if (mdb_txn_begin(s->env, NULL, 0, &txn) != 0) return;
    if (mdb_put(txn, s->dbi[DB_META], &k, &d, 0) != 0) { mdb_txn_abort(txn); return; }
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

int cz_store_open(const char *dir, int create, cz_store **out)
{
    return cz_store_open_map(dir, create, 0, 0, out);
}

int cz_store_open_map(const char *dir, int create, size_t map, size_t map_max, cz_store **out)
{
    cz_store *s = calloc(1, sizeof *s);
    MDB_txn *txn = NULL;
    int rc, st = CZ_EDB;
    struct stat sb;
    char data[4096];

    *out = NULL;
    if (!s) return CZ_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    if (!(s->dir = strdup(dir))) { st = CZ_ENOMEM; goto fail; }
    if (snprintf(data, sizeof data, "%s/data.mdb", dir) >= (int)sizeof data) { st = CZ_EINVAL; goto fail; }
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT) { st = cz_fs_errno_status(errno); goto fail; }
        if (!create) { st = CZ_ENOINIT; goto fail; }
        if (mkdir(dir, 0700) != 0) { st = cz_fs_errno_status(errno); goto fail; }
    }
    /* An existing store whose data file is gone or empty would be opened
     * by LMDB as a new, empty one.  Gone is also what an init cut short
     * after making the folder leaves. */
    if (!create && stat(data, &sb) != 0) { st = errno == ENOENT ? CZ_EDBNOINFO : cz_fs_errno_status(errno); goto fail; }
    if (!create && sb.st_size == 0) { st = CZ_EDBTRUNC; goto fail; }

    /* The map is reserved address space, not disk: the file grows as used.
     * Where the address space is limited (32-bit PCs, ulimit -v, valgrind)
     * a smaller map is tried; it grows when a write fills it (store.h). */
    static const size_t map_mib[] = {
#if SIZE_MAX > 0xffffffffu
        (size_t)64 << 10, 16 << 10, 4 << 10, 1 << 10,
#endif
        CZ_STORE_MAP_SMALL >> 20,
    };
    for (size_t i = 0; i < sizeof map_mib / sizeof map_mib[0]; i++) {
        s->map = map ? map : map_mib[i] << 20;
        s->map_max = map_max ? map_max : map ? map : sizeof(size_t) < 8 ? CZ_STORE_MAP_MAX32 : s->map * 16;
        if ((rc = mdb_env_create(&s->env)) != 0) goto fail_mdb;
        mdb_env_set_maxdbs(s->env, DB_COUNT + 4);
        mdb_env_set_mapsize(s->env, s->map);
        if ((rc = mdb_env_open(s->env, dir, 0, 0600)) == 0) break;
        mdb_env_close(s->env);
        s->env = NULL;
        if (map || (rc != ENOMEM && rc != EINVAL)) break;
    }
    if (!s->env) {
        /* Too short to hold the two meta pages is a truncation too. */
        if (rc == MDB_INVALID && stat(data, &sb) == 0 && sb.st_size < 2 * sysconf(_SC_PAGESIZE)) st = CZ_EDBTRUNC;
        else st = mdb_cause(rc);
        goto fail;
    }
    if (!create || stat(data, &sb) == 0) {
        if ((st = check_file(s, data))) goto fail;
        st = CZ_EDB;
    }
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0) goto fail_mdb;
    for (int i = 0; i < DB_COUNT; i++) {
        /* A store that exists always has meta: when its main table does
         * not name it, the table's root is damaged, and a new meta would
         * make it look like a folder where no station lives. */
        unsigned flags = dbi_specs[i].flags | (create || i != DB_META ? MDB_CREATE : 0);
        if ((rc = mdb_dbi_open(txn, dbi_specs[i].name, flags, &s->dbi[i])) != 0) {
            st = rc == MDB_NOTFOUND ? CZ_EDBDAMAGED : mdb_cause(rc);
            goto fail;
        }
    }
    MDB_val k = { strlen(META_MAP), META_MAP }, d;
    size_t kept = 0;
    if (mdb_get(txn, s->dbi[DB_META], &k, &d) == 0 && d.mv_size == 8) {
        uint64_t v = get_be64(d.mv_data);
        kept = v > s->map_max ? s->map_max : (size_t)v;
    }
    if ((rc = mdb_txn_commit(txn)) != 0) { txn = NULL; goto fail_mdb; }
    txn = NULL;
    /* A map grown by an earlier process (grow_map); where this one cannot
     * map that much, the size it has (mapped again, as in grow_map). */
    if (kept > s->map) {
        if (mdb_env_set_mapsize(s->env, kept) == 0) s->map = kept;
        else if (mdb_env_set_mapsize(s->env, s->map) != 0) { st = CZ_ENOMEM; goto fail; }
    }
    *out = s;
    return CZ_OK;
fail_mdb:
    st = mdb_cause(rc);
    if (st == CZ_ENOTFOUND) st = CZ_EDB;
fail:
    if (txn) mdb_txn_abort(txn);
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

int cz_txn_begin(cz_store *s, int write, cz_txn **out)
{
    cz_txn *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t) return CZ_ENOMEM;
    t->s = s;
    t->write = write;
    if (txn_enter(s)) { free(t); return CZ_ENOMEM; }
    int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size when nothing of
         * ours is open, then try once more. */
        pthread_mutex_lock(&s->mu);
        if (s->txns == 1 && mdb_env_set_mapsize(s->env, 0) == 0) {
            MDB_envinfo info;
            if (mdb_env_info(s->env, &info) == 0) s->map = info.me_mapsize;
            rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
        } else if (s->txns == 1 && mdb_env_set_mapsize(s->env, s->map) != 0) {
            s->broken = 1;            /* as in grow_map */
        }
        pthread_mutex_unlock(&s->mu);
    }
    if (rc) {
        txn_leave(s);
        free(t);
        return rc == MDB_MAP_RESIZED ? CZ_EDBFULL : mdb_status(s, rc);
    }
    *out = t;
    return CZ_OK;
}

static void defer_free(struct defer *d)
{
    if (!d) return;
    cz_hashset_free(d->terms);
    free(d->dt);
    free(d->et);
    free(d->pairs);
    free(d);
}

static int defer_flush(cz_txn *t);
/* What reads the index or eterms sees every term put before it. */
#define DEFER_FLUSH(t) do { if ((t)->defer) { int drc_ = defer_flush(t); if (drc_) return drc_; } } while (0)

int cz_txn_commit(cz_txn *t)
{
    cz_store *s = t->s;
    int st = defer_flush(t);
    if (st) {
        mdb_txn_abort(t->txn);
    } else {
        int rc = mdb_txn_commit(t->txn);
        st = mdb_status(s, rc);
    }
    defer_free(t->defer);
    if (t->aux_free) t->aux_free(t->aux);
    free(t);
    txn_leave(s);
    return st;
}

void cz_txn_abort(cz_txn *t)
{
    if (!t) return;
    cz_store *s = t->s;
    mdb_txn_abort(t->txn);
    defer_free(t->defer);
    if (t->aux_free) t->aux_free(t->aux);
    free(t);
    txn_leave(s);
}

uint64_t cz_txn_puts(const cz_txn *t) { return t->puts; }
void *cz_txn_aux(const cz_txn *t) { return t->aux; }

void cz_txn_set_aux(cz_txn *t, void *aux, void (*aux_free)(void *))
{
    if (t->aux_free && t->aux != aux) t->aux_free(t->aux);
    t->aux = aux;
    t->aux_free = aux_free;
}

static MDB_val val(const void *p, size_t n) { MDB_val v = { n, (void *)p }; return v; }

int cz_meta_get(cz_txn *t, const char *name, const void **v, size_t *len)
{
    MDB_val k = val(name, strlen(name)), d;
    int rc = mdb_get(t->txn, t->s->dbi[DB_META], &k, &d);
    if (rc) return ST(t, rc);
    *v = d.mv_data;
    *len = d.mv_size;
    return CZ_OK;
}

int cz_meta_put(cz_txn *t, const char *name, const void *v, size_t len)
{
    MDB_val k = val(name, strlen(name)), d = val(v, len);
    return ST(t, mdb_put(t->txn, t->s->dbi[DB_META], &k, &d, 0));
}

int cz_meta_del(cz_txn *t, const char *name)
{
    MDB_val k = val(name, strlen(name));
    int rc = mdb_del(t->txn, t->s->dbi[DB_META], &k, NULL);
    return rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
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
    const uint8_t *p = v;
    for (int i = 0; i < 8; i++) *out = *out << 8 | p[i];
    return CZ_OK;
}

int cz_meta_put_u64(cz_txn *t, const char *name, uint64_t v)
{
    uint8_t b[8];
    for (int i = 7; i >= 0; i--, v >>= 8) b[i] = (uint8_t)v;
    return cz_meta_put(t, name, b, 8);
}

int cz_meta_each_prefix(cz_txn *t, const char *prefix, cz_raw_fn fn, void *ctx)
{
    MDB_cursor *c;
    size_t plen = strlen(prefix);
    MDB_val k = val(prefix, plen), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_META], &c);
    if (rc) return ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, plen ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) { rc = MDB_NOTFOUND; break; }
        if ((ret = fn(ctx, k.mv_data, k.mv_size, d.mv_data, d.mv_size))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret == CZ_WALK_STOP ? CZ_OK : ret;
    return rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

int cz_user_put(cz_txn *t, const char *name, const uint8_t *blob, size_t len)
{
    MDB_val k = val(name, strlen(name)), d = val(blob, len);
    return ST(t, mdb_put(t->txn, t->s->dbi[DB_USERS], &k, &d, 0));
}

int cz_user_del(cz_txn *t, const char *name)
{
    MDB_val k = val(name, strlen(name));
    int rc = mdb_del(t->txn, t->s->dbi[DB_USERS], &k, NULL);
    return rc == MDB_NOTFOUND ? CZ_ENOUSER : ST(t, rc);
}

int cz_user_get(cz_txn *t, const char *name, const uint8_t **blob, size_t *len)
{
    MDB_val k = val(name, strlen(name)), d;
    int rc = mdb_get(t->txn, t->s->dbi[DB_USERS], &k, &d);
    if (rc) return rc == MDB_NOTFOUND ? CZ_ENOUSER : ST(t, rc);
    *blob = d.mv_data;
    *len = d.mv_size;
    return CZ_OK;
}

/* Walks a whole database; fn returning non-zero stops with that value. */
static int walk(cz_txn *t, enum dbi_name db, cz_raw_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k, d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        ret = fn(ctx, k.mv_data, k.mv_size, d.mv_data, d.mv_size);
        if (ret) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
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
    struct user_walk w = { fn, ctx };
    return walk(t, DB_USERS, user_walk_cb, &w);
}

int cz_store_each_entry(cz_txn *t, cz_raw_fn fn, void *ctx) { return walk(t, DB_ENTRIES, fn, ctx); }
int cz_store_each_log(cz_txn *t, cz_raw_fn fn, void *ctx) { return walk(t, DB_LOGS, fn, ctx); }
int cz_store_each_fork(cz_txn *t, cz_raw_fn fn, void *ctx) { return walk(t, DB_FORKS, fn, ctx); }

int cz_store_get_entry(cz_txn *t, const uint8_t id[CZ_ID_BYTES], struct cz_entry *e)
{
    MDB_val k = val(id, CZ_ID_BYTES), d;
    int rc = mdb_get(t->txn, t->s->dbi[DB_ENTRIES], &k, &d);
    if (rc) return ST(t, rc);
    /* Stored bodies were decoded strictly on the way in; verify re-checks. */
    return cz_entry_parse(d.mv_data, d.mv_size, e);
}

static void log_key(uint8_t key[40], const uint8_t origin[32], uint64_t seq)
{
    memcpy(key, origin, 32);
    for (int i = 7; i >= 0; i--, seq >>= 8) key[32 + i] = (uint8_t)seq;
}

int cz_store_log_get(cz_txn *t, const uint8_t origin[32], uint64_t seq, uint8_t id[CZ_ID_BYTES])
{
    uint8_t key[40];
    log_key(key, origin, seq);
    MDB_val k = val(key, sizeof key), d;
    int rc = mdb_get(t->txn, t->s->dbi[DB_LOGS], &k, &d);
    if (rc) return ST(t, rc);
    memcpy(id, d.mv_data, CZ_ID_BYTES);
    return CZ_OK;
}

int cz_store_log_each(cz_txn *t, const uint8_t origin[32], cz_log_fn fn, void *ctx)
{
    MDB_cursor *c;
    uint8_t key[40];
    log_key(key, origin, 0);
    MDB_val k = val(key, sizeof key), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_LOGS], &c);
    if (rc) return ST(t, rc);
    int st = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size != 40 || memcmp(k.mv_data, origin, 32) != 0 || d.mv_size != CZ_ID_BYTES) break;
        uint64_t seq = 0;
        const uint8_t *p = (const uint8_t *)k.mv_data + 32;
        for (int i = 0; i < 8; i++) seq = seq << 8 | p[i];
        if ((st = fn(ctx, seq, d.mv_data)) != 0) break;
    }
    mdb_cursor_close(c);
    if (st == CZ_WALK_STOP) return CZ_OK;
    if (st) return st;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

int cz_store_log_last(cz_txn *t, const uint8_t origin[32], uint64_t *seq, uint8_t id[CZ_ID_BYTES])
{
    MDB_cursor *c;
    uint8_t key[40];
    log_key(key, origin, UINT64_MAX);
    MDB_val k = val(key, sizeof key), d;
    *seq = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_LOGS], &c);
    if (rc) return ST(t, rc);
    /* Position after this origin's last key, then step back. */
    rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
    rc = rc != 0 ? mdb_cursor_get(c, &k, &d, MDB_LAST)
       : k.mv_size == 40 && memcmp(k.mv_data, key, 40) == 0 ? 0   /* seq 2^64-1 itself */
       : mdb_cursor_get(c, &k, &d, MDB_PREV);
    if (rc == 0 && k.mv_size == 40 && memcmp(k.mv_data, origin, 32) == 0) {
        const uint8_t *p = (const uint8_t *)k.mv_data + 32;
        for (int i = 0; i < 8; i++) *seq = *seq << 8 | p[i];
        memcpy(id, d.mv_data, CZ_ID_BYTES);
    }
    mdb_cursor_close(c);
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

/* All duplicates under one key, in order. */
static int each_dup(cz_txn *t, enum dbi_name db, const void *key, size_t klen,
                    cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = val(key, klen), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return ST(t, rc);
    int ret = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
        ret = fn(ctx, d.mv_data);
        if (ret) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

int cz_store_each_concurrent(cz_txn *t, cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k, d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_HEADS], &c), ret = CZ_OK;
    if (rc) return ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        size_t n = 0;
        if ((rc = mdb_cursor_count(c, &n))) break;
        if (n < 2 || k.mv_size != CZ_ENTITY_BYTES) continue;
        if ((ret = fn(ctx, k.mv_data))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret == CZ_WALK_STOP ? CZ_OK : ret;
    return rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

static int dup_count(cz_txn *t, enum dbi_name db, const void *key, size_t klen, size_t *count)
{
    MDB_cursor *c;
    MDB_val k = val(key, klen), d;
    size_t n = 0;
    *count = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    mdb_cursor_close(c);
    *count = n;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

int cz_store_versions(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx)
{
    return each_dup(t, DB_VERSIONS, entity, CZ_ENTITY_BYTES, fn, ctx);
}

int cz_store_index_each(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx)
{
    DEFER_FLUSH(t);
    return each_dup(t, DB_INDEX, term, len > TERM_MAX ? TERM_MAX : len, fn, ctx);
}

int cz_store_index_count(cz_txn *t, const void *term, size_t len, size_t *count)
{
    DEFER_FLUSH(t);
    return dup_count(t, DB_INDEX, term, len > TERM_MAX ? TERM_MAX : len, count);
}

int cz_store_index_count_stored(cz_txn *t, const void *term, size_t len, size_t *count)
{
    return dup_count(t, DB_INDEX, term, len > TERM_MAX ? TERM_MAX : len, count);
}

int cz_store_index_has(cz_txn *t, const void *term, size_t len, const uint8_t entity[CZ_ENTITY_BYTES])
{
    DEFER_FLUSH(t);
    MDB_cursor *c;
    MDB_val k = val(term, len > TERM_MAX ? TERM_MAX : len), d = val(entity, CZ_ENTITY_BYTES);
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &c);
    if (rc) return ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH);
    mdb_cursor_close(c);
    return rc == 0 ? CZ_OK : ST(t, rc);
}

int cz_store_index_prefix(cz_txn *t, const void *prefix, size_t len, cz_id_fn fn, void *ctx)
{
    DEFER_FLUSH(t);
    MDB_cursor *c;
    MDB_val k = val(prefix, len > TERM_MAX ? TERM_MAX : len), d;
    size_t plen = k.mv_size;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &c);
    if (rc) return ST(t, rc);
    int ret = CZ_OK;
    /* Terms sharing the prefix follow it in key order; duplicates (entity
     * ids) in their order under each term. */
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen)) break;
        if ((ret = fn(ctx, d.mv_data))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : ST(t, rc);
}

struct heads_ctx { cz_txn *t; uint8_t (*ids)[CZ_ID_BYTES]; uint64_t *hlcs; uint8_t (*origins)[32];
                   size_t max, n; };

/* DESIGN.md's provisional winner first: higher clock, then higher origin. */
static int newer(uint64_t hlc_a, const uint8_t *origin_a, uint64_t hlc_b, const uint8_t *origin_b)
{
    if (hlc_a != hlc_b) return hlc_a > hlc_b;
    return memcmp(origin_a, origin_b, 32) > 0;
}

static int heads_cb(void *ctx, const uint8_t *id)
{
    struct heads_ctx *h = ctx;
    struct cz_entry e;
    uint64_t hlc = 0;
    uint8_t origin[32] = { 0 };
    if (cz_store_get_entry(h->t, id, &e) == CZ_OK) {
        hlc = e.hlc;
        memcpy(origin, e.origin, 32);
    }
    /* Insertion sort: an entity rarely has more than two heads. */
    size_t limit = h->n < h->max ? h->n : h->max;
    size_t pos = limit;
    while (pos > 0 && newer(hlc, origin, h->hlcs[pos - 1], h->origins[pos - 1])) pos--;
    if (pos < h->max) {
        size_t last = limit < h->max ? limit : h->max - 1;
        memmove(h->ids + pos + 1, h->ids + pos, (last - pos) * CZ_ID_BYTES);
        memmove(h->hlcs + pos + 1, h->hlcs + pos, (last - pos) * sizeof *h->hlcs);
        memmove(h->origins + pos + 1, h->origins + pos, (last - pos) * 32);
        memcpy(h->ids[pos], id, CZ_ID_BYTES);
        h->hlcs[pos] = hlc;
        memcpy(h->origins[pos], origin, 32);
    }
    h->n++;
    return 0;
}

int cz_store_heads(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                   uint8_t (*ids)[CZ_ID_BYTES], size_t max, size_t *n)
{
    size_t slots = max ? max : 1;
    uint64_t *hlcs = calloc(slots, sizeof *hlcs);
    uint8_t (*origins)[32] = calloc(slots, 32);
    if (!hlcs || !origins) { free(hlcs); free(origins); return CZ_ENOMEM; }
    struct heads_ctx h = { t, ids, hlcs, origins, max, 0 };
    int rc = each_dup(t, DB_HEADS, entity, CZ_ENTITY_BYTES, heads_cb, &h);
    free(hlcs);
    free(origins);
    *n = h.n;
    return rc;
}

/* Resolves a hex prefix to the one key of `db` (of key_len bytes) it names. */
static int resolve_prefix(cz_txn *t, enum dbi_name db, const char *hex, uint8_t *out, size_t key_len)
{
    size_t n = strlen(hex);
    uint8_t lo[CZ_ID_BYTES] = { 0 };
    if (n < 6 || n > 2 * key_len) return CZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char ch = hex[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (v < 0) return CZ_EINVAL;
        lo[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
    }
    MDB_cursor *c;
    MDB_val k = val(lo, key_len), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return ST(t, rc);
    int found = 0;
    /* Keys sharing the first n nibbles follow lo in order. */
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != key_len) continue;
        if (memcmp(kp, lo, n / 2) != 0 || (n % 2 && (kp[n / 2] & 0xf0) != lo[n / 2]))
            break;
        if (found++) break;
        memcpy(out, kp, key_len);
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND) return ST(t, rc);
    return found == 0 ? CZ_ENOTFOUND : found > 1 ? CZ_EAMBIG : CZ_OK;
}

int cz_store_resolve_entity(cz_txn *t, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    return resolve_prefix(t, DB_VERSIONS, hex, entity, CZ_ENTITY_BYTES);
}

int cz_store_resolve_entry(cz_txn *t, const char *hex, uint8_t id[CZ_ID_BYTES])
{
    return resolve_prefix(t, DB_ENTRIES, hex, id, CZ_ID_BYTES);
}

/* ---- index terms ---- */

static size_t term_cat(char *buf, size_t size, char tag, const char *const *parts, size_t nparts)
{
    size_t n = 0;
    if (size) buf[n++] = tag;
    for (size_t i = 0; i < nparts; i++) {
        if (i && n < size) buf[n++] = 0;
        size_t l = strlen(parts[i]);
        if (l > size - n) l = size - n;
        memcpy(buf + n, parts[i], l);
        n += l;
    }
    return n > TERM_MAX ? TERM_MAX : n;
}

size_t cz_term_type(char *buf, size_t size, const char *type)
{
    return term_cat(buf, size, 'T', &type, 1);
}

size_t cz_term_region(char *buf, size_t size, const char *type, const char *region)
{
    const char *p[] = { type, region };
    return term_cat(buf, size, 'R', p, 2);
}

size_t cz_term_exact(char *buf, size_t size, const char *type, const char *field, const char *value)
{
    const char *p[] = { type, field, value };
    return term_cat(buf, size, 'X', p, 3);
}

size_t cz_term_link(char *buf, size_t size, const uint8_t *target, size_t len)
{
    if (size < 1 + len || len > CZ_ID_BYTES) return 0;
    buf[0] = 'L';
    memcpy(buf + 1, target, len);
    return 1 + len;
}

/* A growable list of terms, each stored as u16 length + bytes.  It starts
 * in `local` (on the caller's stack): most records' terms fit, so storing
 * one costs no allocation. */
struct terms { uint8_t *buf; size_t len, cap; uint8_t local[1024]; };

static void terms_init(struct terms *ts)
{
    ts->buf = ts->local;
    ts->len = 0;
    ts->cap = sizeof ts->local;
}

static void terms_free(struct terms *ts)
{
    if (ts->buf != ts->local) free(ts->buf);
    ts->buf = ts->local;
}

static int terms_add(struct terms *ts, const void *term, size_t len)
{
    if (len == 0) return CZ_OK;
    if (ts->len + 2 + len > ts->cap) {
        size_t cap = ts->cap * 2;
        while (cap < ts->len + 2 + len) cap *= 2;
        uint8_t *b = ts->buf == ts->local ? malloc(cap) : realloc(ts->buf, cap);
        if (!b) return CZ_ENOMEM;
        if (ts->buf == ts->local) memcpy(b, ts->local, ts->len);
        ts->buf = b;
        ts->cap = cap;
    }
    ts->buf[ts->len] = (uint8_t)(len >> 8);
    ts->buf[ts->len + 1] = (uint8_t)len;
    memcpy(ts->buf + ts->len + 2, term, len);
    ts->len += 2 + len;
    return CZ_OK;
}

/* One- and two-character n-grams of folded text, for search by any part. */
static int add_ngrams(struct terms *ts, const char *text, size_t len)
{
    char *folded = NULL;
    int rc = cz_text_fold(text, len, &folded);
    if (rc) return rc == CZ_EUTF8 ? CZ_OK : rc;
    size_t n = strlen(folded);
    char gram[16];
    for (size_t i = 0; i < n && rc == CZ_OK;) {
        size_t l1 = 1;   /* bytes of the character at i (folded text is valid UTF-8) */
        while (i + l1 < n && ((unsigned char)folded[i + l1] & 0xC0) == 0x80) l1++;
        size_t l2 = 0;
        if (i + l1 < n) {
            l2 = 1;
            while (i + l1 + l2 < n && ((unsigned char)folded[i + l1 + l2] & 0xC0) == 0x80) l2++;
        }
        gram[0] = 'G';
        memcpy(gram + 1, folded + i, l1);
        rc = terms_add(ts, gram, 1 + l1);
        if (rc == CZ_OK && l2) {
            memcpy(gram + 1 + l1, folded + i + l1, l2);
            rc = terms_add(ts, gram, 1 + l1 + l2);
        }
        i += l1;
    }
    free(folded);
    return rc;
}

/* The terms one live version is found under. */
static int entry_terms(const struct cz_entry *e, struct terms *ts)
{
    char term[TERM_MAX + 64];
    const struct cz_type *type = cz_schema_type(e->type);
    cz_body *body = NULL;
    int rc;

    if ((rc = terms_add(ts, term, cz_term_type(term, sizeof term, e->type))))
        return rc;
    if ((rc = terms_add(ts, term, cz_term_region(term, sizeof term, e->type, e->region))))
        return rc;
    if (!type)   /* a type from a newer build: kept and counted, not indexed */
        return CZ_OK;
    if ((rc = cz_body_decode(e->body, e->body_len, &body)))
        return rc;
    for (size_t i = 0; i < type->nfields && rc == CZ_OK; i++) {
        const struct cz_field *f = &type->fields[i];
        const char *s;
        const uint8_t *b;
        size_t len;
        if ((f->flags & CZ_FF_EXACT) && cz_body_get_text(body, f->tag, &s, &len) == CZ_OK)
            rc = terms_add(ts, term, cz_term_exact(term, sizeof term, e->type, f->key, s));
        else if ((f->flags & CZ_FF_EXACT) && f->type == CZ_F_KEY &&
                 cz_body_get_bytes(body, f->tag, &b, &len) == CZ_OK) {
            char hex[65];
            for (size_t j = 0; j < len && j < 32; j++) snprintf(hex + 2 * j, 3, "%02x", b[j]);
            rc = terms_add(ts, term, cz_term_exact(term, sizeof term, e->type, f->key, hex));
        }
        if (rc == CZ_OK && (f->flags & CZ_FF_NAME) && cz_body_get_text(body, f->tag, &s, &len) == CZ_OK)
            rc = add_ngrams(ts, s, len);
        if (rc == CZ_OK && (f->type == CZ_F_REF || f->type == CZ_F_VERSION) &&
            cz_body_get_bytes(body, f->tag, &b, &len) == CZ_OK)
            rc = terms_add(ts, term, cz_term_link(term, sizeof term, b, len));
    }
    cz_body_free(body);
    return rc;
}

/* Walks a term list (u16 length + bytes each), stopping at a malformed end. */
#define EACH_TERM(buf, len, pos, tl)                                              \
    for (size_t pos = 0, tl = 0;                                                \
         pos + 2 <= (len) && (tl = (size_t)(buf)[pos] << 8 | (buf)[pos + 1],    \
                              pos + 2 + tl <= (len));                          \
         pos += 2 + tl)

/* Files the entity under every term of the list, through one cursor (an
 * mdb_put per term would set one up each time).  A term already holding
 * the entity is left as it is. */
static int index_put(cz_txn *t, const uint8_t *buf, size_t len, const uint8_t entity[CZ_ENTITY_BYTES])
{
    MDB_cursor *c;
    if (len == 0) return CZ_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &c);
    if (rc) return ST(t, rc);
    EACH_TERM(buf, len, pos, tl) {
        MDB_val tk = val(buf + pos + 2, tl), tv = val(entity, CZ_ENTITY_BYTES);
        rc = mdb_cursor_put(c, &tk, &tv, MDB_NODUPDATA);
        if (rc == MDB_KEYEXIST) rc = 0;
        if (rc) break;
    }
    mdb_cursor_close(c);
    return ST(t, rc);
}

/* True when the term list holds this term. */
static int terms_has(const struct terms *ts, const uint8_t *term, size_t len)
{
    EACH_TERM(ts->buf, ts->len, pos, tl)
        if (tl == len && memcmp(ts->buf + pos + 2, term, len) == 0) return 1;
    return 0;
}

/* Takes the entity out of the index under every term eterms lists for it
 * but those it keeps (`keep`, the terms it is about to be filed under: they
 * are put again, and a delete and re-insert would end the same), and drops
 * that list when there is no new one. */
static int del_terms(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const struct terms *keep)
{
    MDB_val k = val(entity, CZ_ENTITY_BYTES), d;
    MDB_cursor *c = NULL;
    uint8_t local[1024], *copy = local;
    int rc = mdb_get(t->txn, t->s->dbi[DB_ETERMS], &k, &d);
    if (rc == MDB_NOTFOUND) return CZ_OK;
    if (rc) return ST(t, rc);
    /* Copy: deleting from the index may move the page d points into. */
    size_t len = d.mv_size;
    if (len > sizeof local && !(copy = malloc(len))) return CZ_ENOMEM;
    memcpy(copy, d.mv_data, len);
    /* Comparing each old term with each new one costs nothing next to a
     * B-tree delete, unless both lists are long (a name of thousands of
     * characters): then every old term goes, as it always did. */
    int compare = len / 4 * (keep->len / 4) <= 65536;
    rc = mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &c);
    if (rc == 0) {
        EACH_TERM(copy, len, pos, tl) {
            if (compare && terms_has(keep, copy + pos + 2, tl)) continue;
            MDB_val tk = val(copy + pos + 2, tl), tv = val(entity, CZ_ENTITY_BYTES);
            /* what mdb_del(term, entity) does, on the one cursor */
            rc = mdb_cursor_get(c, &tk, &tv, MDB_GET_BOTH);
            if (rc == 0) rc = mdb_cursor_del(c, 0);
            else if (rc == MDB_NOTFOUND) rc = 0;
            if (rc) break;
        }
        mdb_cursor_close(c);
    }
    if (copy != local) free(copy);
    /* A new list is put over this one (index_terms); none: it goes. */
    if (rc == 0 && keep->len == 0) rc = mdb_del(t->txn, t->s->dbi[DB_ETERMS], &k, NULL);
    return ST(t, rc);
}

/* ---- deferred index terms (cz_store_defer_index) ----
 *
 * A load or an import stores thousands of new entities in one transaction,
 * each filed under some ten terms: at a random place of long duplicate
 * lists (entity ids are random), so each put lands on a page the previous
 * one did not touch, and at a million records those pages no longer stay
 * in the CPU's caches.  Collected and sorted (term, then entity; eterms by
 * entity), the same puts sweep each list and table in key order instead.
 * Only an entity's first version is deferred (it has no old terms to take
 * out); anything that reads the index or eterms, or re-indexes an entity,
 * puts what is pending first, and so does the commit.  The contents stored
 * are the same, whatever the order of puts inside the transaction. */

/* Pending bytes that make a batch (a 100,000-record load files about a
 * million terms, 20 bytes each: a batch or two). */
#define DEFER_BYTES (24u << 20)

int cz_store_defer_index(cz_txn *t)
{
    if (!t->write) return CZ_EINVAL;
    if (t->defer) return CZ_OK;
    if (!(t->defer = calloc(1, sizeof *t->defer))) return CZ_ENOMEM;
    if (cz_hashset_new(&t->defer->terms)) {
        free(t->defer);
        t->defer = NULL;
        return CZ_ENOMEM;
    }
    /* CZ_INDEX_BATCH (bytes) makes batches small, for tests. */
    const char *env = getenv("CZ_INDEX_BATCH");
    t->defer->limit = env && atol(env) > 0 ? (size_t)atol(env) : DEFER_BYTES;
    if (t->defer->limit > (1u << 30)) t->defer->limit = 1u << 30;   /* offsets are 32-bit */
    return CZ_OK;
}

/* Grows the array whose pointer is at `bufp` to hold `need` elements
 * (the pointer copied in and out, so any element type will do). */
static int grow(void *bufp, size_t *room, size_t need, size_t elem)
{
    void *cur, *b;
    if (need <= *room) return CZ_OK;
    size_t n = *room ? *room : 4096;
    while (n < need) n *= 2;
    memcpy(&cur, bufp, sizeof cur);
    if (!(b = realloc(cur, n * elem))) return CZ_ENOMEM;
    memcpy(bufp, &b, sizeof b);
    *room = n;
    return CZ_OK;
}

/* The distinct term's index in d->dt, added when new. */
static int dterm_find(struct defer *d, const uint8_t *term, size_t len, uint32_t *at)
{
    size_t ord;
    int rc;
    /* Room first: a term the set holds always has its dt entry. */
    if ((rc = grow(&d->dt, &d->dt_cap, cz_hashset_count(d->terms) + 1, sizeof *d->dt))) return rc;
    switch (cz_hashset_intern(d->terms, term, len, &ord)) {
    case 1:
        d->dt[ord] = (struct dterm){ 0, 0 };
        d->terms_used += len;
        break;
    case 0:
        break;
    default:
        return CZ_ENOMEM;
    }
    *at = (uint32_t)ord;
    return CZ_OK;
}

/* A distinct term's bytes, read out of the set once per batch. */
struct dkey { const uint8_t *p; size_t len; };

/* LMDB's order of keys: memcmp, then the shorter first. */
static int cmp_dkey(const void *a, const void *b)
{
    const struct dkey *x = *(const struct dkey *const *)a, *y = *(const struct dkey *const *)b;
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_et(const void *a, const void *b)
{
    return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, CZ_ENTITY_BYTES);
}

/* The pairs in term order, and under each term by the entity's first one
 * or two bytes (a page of a duplicate list holds some 250 entities, so
 * that is order enough): the distinct terms are sorted, the pairs placed
 * by two counting passes (through one copy), in place. */
static int defer_order(struct defer *d, const struct dkey *keys)
{
    size_t k = cz_hashset_count(d->terms);
    const struct dkey **order = malloc((k ? k : 1) * sizeof *order);
    struct dpair *tmp = malloc(d->npairs * sizeof *tmp), *out = d->pairs;
    int bits = d->npairs < 65536 ? 8 : 16, rc = CZ_OK;
    size_t nb = (size_t)1 << bits, *cnt = calloc(nb + 1, sizeof *cnt);
    if (!order || !tmp || !cnt) { rc = CZ_ENOMEM; goto done; }
    for (size_t i = 0; i < k; i++) order[i] = &keys[i];
    qsort(order, k, sizeof *order, cmp_dkey);
    /* first offset of each term's pairs, in term order (rank reused) */
    size_t off = 0;
    for (size_t i = 0; i < k; i++) {
        struct dterm *dt = &d->dt[order[i] - keys];
        dt->rank = (uint32_t)off;
        off += dt->count;
    }
    /* by entity prefix ... */
    for (size_t i = 0; i < d->npairs; i++) {
        const uint8_t *e = d->pairs[i].entity;
        cnt[(bits == 16 ? (size_t)e[0] << 8 | e[1] : e[0]) + 1]++;
    }
    for (size_t i = 0; i < nb; i++) cnt[i + 1] += cnt[i];
    for (size_t i = 0; i < d->npairs; i++) {
        const uint8_t *e = d->pairs[i].entity;
        tmp[cnt[bits == 16 ? (size_t)e[0] << 8 | e[1] : e[0]]++] = d->pairs[i];
    }
    /* ... then stably by term */
    for (size_t i = 0; i < d->npairs; i++) out[d->dt[tmp[i].term].rank++] = tmp[i];
done:
    free(order);
    free(tmp);
    free(cnt);
    return rc;
}

/* The term list's length in a pending eterms record (entity, u32 length,
 * list), as defer_add wrote it. */
static size_t et_len(const uint8_t *rec)
{
    const uint8_t *q = rec + CZ_ENTITY_BYTES;
    return (size_t)q[0] << 24 | (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
}

/* Puts every pending term and eterms list, in key order. */
static int defer_flush(cz_txn *t)
{
    struct defer *d = t->defer;
    const uint8_t **p = NULL;
    struct dkey *keys = NULL;             /* by ordinal: the set's own bytes */
    MDB_cursor *c = NULL;
    int rc = 0;
    if (!d || (d->npairs == 0 && d->et_n == 0)) return CZ_OK;
    const struct dpair *o = d->pairs;
    if (d->npairs) {
        size_t nterms = cz_hashset_count(d->terms);
        if (!(keys = malloc((nterms ? nterms : 1) * sizeof *keys))) return CZ_ENOMEM;
        for (size_t i = 0; i < nterms; i++) keys[i].p = cz_hashset_key(d->terms, i, &keys[i].len);
        if ((rc = defer_order(d, keys))) { free(keys); return rc; }
    }
    if (d->et_n && !(p = malloc(d->et_n * sizeof *p))) { free(keys); return CZ_ENOMEM; }

    if (d->npairs && (rc = mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &c))) goto done;
    for (size_t i = 0; i < d->npairs && rc == 0; i++) {
        const struct dkey *k = &keys[o[i].term];
        MDB_val tk = val(k->p, k->len), tv = val(o[i].entity, CZ_ENTITY_BYTES);
        rc = mdb_cursor_put(c, &tk, &tv, MDB_NODUPDATA);
        if (rc == MDB_KEYEXIST) rc = 0;
    }
    if (c) mdb_cursor_close(c);
    c = NULL;
    if (rc) goto done;

    size_t n = 0;
    for (size_t pos = 0; pos < d->et_used; n++) {
        p[n] = d->et + pos;
        pos += CZ_ENTITY_BYTES + 4 + et_len(p[n]);
    }
    qsort(p, n, sizeof *p, cmp_et);
    if (n && (rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ETERMS], &c))) goto done;
    for (size_t i = 0; i < n && rc == 0; i++) {
        MDB_val k = val(p[i], CZ_ENTITY_BYTES), v = val(p[i] + CZ_ENTITY_BYTES + 4, et_len(p[i]));
        rc = mdb_cursor_put(c, &k, &v, 0);
    }
    if (c) mdb_cursor_close(c);
done:
    free(p);
    free(keys);
    cz_hashset_clear(d->terms);           /* its memory, and dt's: reused */
    d->terms_used = d->npairs = d->et_used = d->et_n = 0;
    return ST(t, rc);
}

/* Keeps a new entity's terms (as index_terms would put them) for later. */
static int defer_add(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const struct terms *ts)
{
    struct defer *d = t->defer;
    int rc;
    if (ts->len == 0) return CZ_OK;
    if (d->npairs * sizeof *d->pairs + d->terms_used + d->et_used >= d->limit && (rc = defer_flush(t)))
        return rc;
    EACH_TERM(ts->buf, ts->len, pos, tl) {
        uint32_t at;
        if ((rc = dterm_find(d, ts->buf + pos + 2, tl, &at))) return rc;
        if ((rc = grow(&d->pairs, &d->pairs_cap, d->npairs + 1, sizeof *d->pairs))) return rc;
        d->pairs[d->npairs].term = at;
        memcpy(d->pairs[d->npairs].entity, entity, CZ_ENTITY_BYTES);
        d->npairs++;
        d->dt[at].count++;
    }
    if ((rc = grow(&d->et, &d->et_room, d->et_used + CZ_ENTITY_BYTES + 4 + ts->len, 1))) return rc;
    uint8_t *q = d->et + d->et_used;
    memcpy(q, entity, CZ_ENTITY_BYTES);
    q[16] = (uint8_t)(ts->len >> 24);
    q[17] = (uint8_t)(ts->len >> 16);
    q[18] = (uint8_t)(ts->len >> 8);
    q[19] = (uint8_t)ts->len;
    memcpy(q + 20, ts->buf, ts->len);
    d->et_used += CZ_ENTITY_BYTES + 4 + ts->len;
    d->et_n++;
    return CZ_OK;
}

/* Files the entity under its terms and records them in eterms. */
static int index_terms(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const struct terms *ts)
{
    int rc = index_put(t, ts->buf, ts->len, entity);
    if (rc == CZ_OK && ts->len) {
        MDB_val k = val(entity, CZ_ENTITY_BYTES), d = val(ts->buf, ts->len);
        rc = ST(t, mdb_put(t->txn, t->s->dbi[DB_ETERMS], &k, &d, 0));
    }
    return rc;
}

struct reindex_ctx { cz_txn *t; struct terms *ts; const struct cz_entry *e; const uint8_t *id; int rc; };

static int reindex_head_cb(void *ctx, const uint8_t *id)
{
    struct reindex_ctx *r = ctx;
    struct cz_entry stored;
    const struct cz_entry *e = &stored;
    if (memcmp(id, r->id, CZ_ID_BYTES) == 0)   /* the entry being put: its bytes are what was stored */
        e = r->e;
    else if ((r->rc = cz_store_get_entry(r->t, id, &stored)))
        return r->rc;
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)   /* a deleted version is found by nothing */
        return 0;
    return r->rc = entry_terms(e, r->ts);
}

/* Re-derives an entity's index terms from its current heads; `e` (stored
 * under `id` in this call) is used as it is rather than read back. */
static int reindex(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    struct terms ts;
    DEFER_FLUSH(t);
    terms_init(&ts);
    struct reindex_ctx r = { t, &ts, e, id, CZ_OK };
    int rc = each_dup(t, DB_HEADS, e->entity, CZ_ENTITY_BYTES, reindex_head_cb, &r);
    if (rc == CZ_OK) rc = del_terms(t, e->entity, &ts);
    if (rc == CZ_OK) rc = index_terms(t, e->entity, &ts);
    terms_free(&ts);
    return rc;
}

/* The first version of an entity to arrive: it had no versions, so no heads
 * and no eterms (only reindex writes eterms, after storing a version).  Its
 * terms are those of this entry if it is a head (no child arrived before
 * it) and not a tombstone: what reindex would find, without looking. */
static int index_first(cz_txn *t, const struct cz_entry *e, int is_head, const uint8_t *pre, size_t pre_len)
{
    struct terms ts;
    int rc = CZ_OK;
    if (!is_head || (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) return CZ_OK;
    terms_init(&ts);
    if (pre) {   /* cz_store_entry_terms(e), made by the caller */
        ts.buf = (uint8_t *)pre;
        ts.len = ts.cap = pre_len;
    } else {
        rc = entry_terms(e, &ts);
    }
    if (rc == CZ_OK) rc = t->defer ? defer_add(t, e->entity, &ts) : index_terms(t, e->entity, &ts);
    if (!pre) terms_free(&ts);
    return rc;
}

int cz_store_entry_terms(const struct cz_entry *e, uint8_t **buf, size_t *cap, size_t *len)
{
    struct terms ts;
    terms_init(&ts);
    *len = 0;
    int rc = (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) ? CZ_OK : entry_terms(e, &ts);
    if (rc == CZ_OK && ts.len > *cap) {
        uint8_t *b = realloc(*buf, ts.len);
        if (!b) rc = CZ_ENOMEM;
        else { *buf = b; *cap = ts.len; }
    }
    if (rc == CZ_OK && ts.len) {
        memcpy(*buf, ts.buf, ts.len);
        *len = ts.len;
    }
    terms_free(&ts);
    return rc;
}

static int put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                     const uint8_t *pre, size_t pre_len, int *result);

int cz_store_put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *result)
{
    return put_entry(t, e, id, NULL, 0, result);
}

int cz_store_put_entry_terms(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                             const uint8_t *terms, size_t len, int *result)
{
    static const uint8_t none[1];
    return put_entry(t, e, id, terms ? terms : none, terms ? len : 0, result);
}

/* The entry's bytes and its log position.  *result CZ_PUT_NEW when both
 * are new, CZ_PUT_DUPLICATE when the entry was here, CZ_PUT_FORK when
 * another entry holds its position (both kept in forks as proof). */
static int put_logged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *result)
{
    t->puts++;
    MDB_dbi *dbi = t->s->dbi;
    MDB_val k = val(id, CZ_ID_BYTES), d = val(e->raw, e->raw_len);
    uint8_t lkey[40];
    int rc;

    *result = CZ_PUT_DUPLICATE;
    rc = mdb_put(t->txn, dbi[DB_ENTRIES], &k, &d, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) return CZ_OK;
    if (rc) return ST(t, rc);

    log_key(lkey, e->origin, e->seq);
    MDB_val lk = val(lkey, sizeof lkey), lv = val(id, CZ_ID_BYTES);
    rc = mdb_put(t->txn, dbi[DB_LOGS], &lk, &lv, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        /* Same author, same position, different entry: keep both as proof. */
        uint8_t fkey[72];
        memcpy(fkey, lkey, 40);
        for (int which = 0; which < 2; which++) {
            memcpy(fkey + 40, which ? id : lv.mv_data, CZ_ID_BYTES);
            MDB_val fk = val(fkey, sizeof fkey), fv = val("", 0);
            if ((rc = mdb_put(t->txn, dbi[DB_FORKS], &fk, &fv, 0))) return ST(t, rc);
        }
        *result = CZ_PUT_FORK;
        return CZ_OK;
    }
    if (rc) return ST(t, rc);
    *result = CZ_PUT_NEW;
    return CZ_OK;
}

/* The entry as a version of its entity: versions, children, heads and the
 * index. */
static int apply_version(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                         const uint8_t *pre, size_t pre_len)
{
    MDB_dbi *dbi = t->s->dbi;
    MDB_cursor *c;
    int rc;

    /* Listed among the entity's versions; the cursor stays on it, and the
     * count of versions says whether this is the entity's first. */
    MDB_val ek = val(e->entity, CZ_ENTITY_BYTES), ev = val(id, CZ_ID_BYTES);
    size_t nversions = 0;
    if ((rc = mdb_cursor_open(t->txn, dbi[DB_VERSIONS], &c))) return ST(t, rc);
    rc = mdb_cursor_put(c, &ek, &ev, MDB_NODUPDATA);
    if (rc == 0) rc = mdb_cursor_count(c, &nversions);
    else if (rc == MDB_KEYEXIST) rc = 0;   /* listed already: not the first (nversions 0 takes the full path) */
    mdb_cursor_close(c);
    if (rc) return ST(t, rc);
    ev = val(id, CZ_ID_BYTES);
    for (size_t i = 0; i < e->nparents; i++) {
        MDB_val pk = val(e->parents + i * CZ_ID_BYTES, CZ_ID_BYTES);
        if ((rc = mdb_put(t->txn, dbi[DB_CHILDREN], &pk, &ev, MDB_NODUPDATA)) && rc != MDB_KEYEXIST)
            return ST(t, rc);
        if (nversions == 1) continue;   /* no heads yet: nothing to supersede */
        MDB_val hv = pk;
        rc = mdb_del(t->txn, dbi[DB_HEADS], &ek, &hv);
        if (rc && rc != MDB_NOTFOUND) return ST(t, rc);
    }
    /* A version whose child arrived first is not a head. */
    size_t nchildren;
    if ((rc = dup_count(t, DB_CHILDREN, id, CZ_ID_BYTES, &nchildren))) return rc;
    if (nchildren == 0 && (rc = mdb_put(t->txn, dbi[DB_HEADS], &ek, &ev, MDB_NODUPDATA)) && rc != MDB_KEYEXIST)
        return ST(t, rc);
    return nversions == 1 ? index_first(t, e, nchildren == 0, pre, pre_len) : reindex(t, e, id);
}

static int put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                     const uint8_t *pre, size_t pre_len, int *result)
{
    int rc = put_logged(t, e, id, result);
    if (rc || *result != CZ_PUT_NEW) return rc;
    return apply_version(t, e, id, pre, pre_len);
}

/* A judged record: u8 state, then the status's symbolic name
 * ("CZ_EPARENT"), so a later build that numbers its statuses otherwise
 * still reads the rule that was broken. */
#define JUDGED_MAX 64

static size_t judged_val(uint8_t v[JUDGED_MAX], int state, int why)
{
    const char *name = cz_status_name(why);
    size_t n = strlen(name);
    if (n > JUDGED_MAX - 1) n = JUDGED_MAX - 1;
    v[0] = (uint8_t)state;
    memcpy(v + 1, name, n);
    return 1 + n;
}

int cz_store_judged_set(cz_txn *t, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    uint8_t v[JUDGED_MAX];
    size_t n = judged_val(v, state, why);
    MDB_val k = val(id, CZ_ID_BYTES), d = val(v, n);
    return ST(t, mdb_put(t->txn, t->s->dbi[DB_JUDGED], &k, &d, 0));
}

int cz_store_put_judged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                        int state, int why, int *result)
{
    int rc = put_logged(t, e, id, result);
    if (rc || *result != CZ_PUT_NEW) return rc;
    return cz_store_judged_set(t, id, state, why);
}

static int judged_parse(const MDB_val *d, int *state, int *why)
{
    const uint8_t *p = d->mv_data;
    char name[JUDGED_MAX];
    if (d->mv_size < 2 || d->mv_size > JUDGED_MAX) return CZ_EDB;
    *state = p[0];
    memcpy(name, p + 1, d->mv_size - 1);
    name[d->mv_size - 1] = 0;
    /* A rule this build does not know is still a refusal: said as such. */
    *why = cz_status_from_name(name);
    if (*why < 0) *why = CZ_EPERM;
    return CZ_OK;
}

int cz_store_judged_get(cz_txn *t, const uint8_t id[CZ_ID_BYTES], int *state, int *why)
{
    MDB_val k = val(id, CZ_ID_BYTES), d;
    int rc = mdb_get(t->txn, t->s->dbi[DB_JUDGED], &k, &d);
    if (rc == MDB_NOTFOUND) return CZ_ENOTFOUND;
    if (rc) return ST(t, rc);
    return judged_parse(&d, state, why);
}

int cz_store_release(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    MDB_val k = val(id, CZ_ID_BYTES);
    int rc = mdb_del(t->txn, t->s->dbi[DB_JUDGED], &k, NULL);
    if (rc) return ST(t, rc);
    return apply_version(t, e, id, NULL, 0);
}

struct judged_walk { cz_judged_fn fn; void *ctx; };

static int judged_walk_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen)
{
    struct judged_walk *w = ctx;
    MDB_val d = val(v, vlen);
    int state, why, rc;
    if (klen != CZ_ID_BYTES || (rc = judged_parse(&d, &state, &why))) return CZ_EDB;
    return w->fn(w->ctx, key, state, why);
}

int cz_store_each_judged(cz_txn *t, cz_judged_fn fn, void *ctx)
{
    struct judged_walk w = { fn, ctx };
    return walk(t, DB_JUDGED, judged_walk_cb, &w);
}

static int count_judged_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    size_t *n = ctx;
    n[state == CZ_JUDGED_HELD]++;
    return 0;
}

int cz_store_judged_count(cz_txn *t, size_t *refused, size_t *held)
{
    size_t n[2] = { 0, 0 };
    MDB_stat ms;
    int rc = mdb_stat(t->txn, t->s->dbi[DB_JUDGED], &ms);
    if (rc) return ST(t, rc);
    if (ms.ms_entries && (rc = cz_store_each_judged(t, count_judged_cb, n))) return rc;
    *refused = n[0];
    *held = n[1];
    return CZ_OK;
}

static int fork_from(cz_txn *t, const uint8_t origin[32], uint64_t first, uint64_t *seq)
{
    MDB_cursor *c;
    uint8_t from[40];
    log_key(from, origin, first);
    MDB_val k = val(from, sizeof from), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_FORKS], &c);
    if (rc) return ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
    if (rc == 0 && (k.mv_size != 72 || memcmp(k.mv_data, origin, 32))) rc = MDB_NOTFOUND;
    if (rc == 0) {
        const uint8_t *p = (const uint8_t *)k.mv_data + 32;
        uint64_t s = 0;
        for (int i = 0; i < 8; i++) s = s << 8 | p[i];
        *seq = s;
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND) return CZ_ENOTFOUND;
    return ST(t, rc);
}

int cz_store_fork_first(cz_txn *t, const uint8_t origin[32], uint64_t *seq)
{
    return fork_from(t, origin, 0, seq);
}

int cz_store_fork_after(cz_txn *t, const uint8_t origin[32], uint64_t after, uint64_t *seq)
{
    if (after == UINT64_MAX) return CZ_ENOTFOUND;
    return fork_from(t, origin, after + 1, seq);
}

int cz_store_stats(cz_txn *t, struct cz_store_stats *st)
{
    MDB_stat ms;
    MDB_envinfo info;
    memset(st, 0, sizeof *st);
    if (mdb_stat(t->txn, t->s->dbi[DB_ENTRIES], &ms) == 0) st->entries = ms.ms_entries;
    /* Heads hold one duplicate per head: count distinct entities. */
    MDB_cursor *c;
    if (mdb_cursor_open(t->txn, t->s->dbi[DB_HEADS], &c) == 0) {
        MDB_val k, d;
        for (int rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP))
            st->entities++;
        mdb_cursor_close(c);
    }
    if (mdb_stat(t->txn, t->s->dbi[DB_LOGS], &ms) == 0) st->logs = ms.ms_entries;
    if (mdb_stat(t->txn, t->s->dbi[DB_FORKS], &ms) == 0) st->forks = ms.ms_entries / 2;
    if (mdb_env_info(t->s->env, &info) == 0 && mdb_env_stat(t->s->env, &ms) == 0)
        st->db_bytes = (size_t)(info.me_last_pgno + 1) * ms.ms_psize;
    return CZ_OK;
}

/* ---- bundles seen and peers' acknowledgements ---- */

static int small_get(cz_txn *t, enum dbi_name db, const uint8_t key[32], const void **v, size_t *len)
{
    MDB_val k = val(key, 32), d;
    int rc = mdb_get(t->txn, t->s->dbi[db], &k, &d);
    if (rc) return ST(t, rc);
    if (v) *v = d.mv_data;
    if (len) *len = d.mv_size;
    return CZ_OK;
}

static int small_put(cz_txn *t, enum dbi_name db, const uint8_t key[32], const void *v, size_t len)
{
    MDB_val k = val(key, 32), d = val(v, len);
    return ST(t, mdb_put(t->txn, t->s->dbi[db], &k, &d, 0));
}

int cz_store_seen_get(cz_txn *t, const uint8_t id[32], const void **v, size_t *len)
{
    return small_get(t, DB_SEEN, id, v, len);
}

int cz_store_seen_put(cz_txn *t, const uint8_t id[32], const void *v, size_t len)
{
    return small_put(t, DB_SEEN, id, v, len);
}

int cz_store_peer_get(cz_txn *t, const uint8_t peer[32], const void **v, size_t *len)
{
    return small_get(t, DB_PEERS, peer, v, len);
}

int cz_store_peer_put(cz_txn *t, const uint8_t peer[32], const void *v, size_t len)
{
    return small_put(t, DB_PEERS, peer, v, len);
}
