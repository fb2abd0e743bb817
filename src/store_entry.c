/* store_entry.c — what the store keeps of each entry (store.h): its bytes,
 * its place in its author's log, fork evidence, the entity's versions and
 * heads, and the judged table.  What indexes an entry is index.c, which
 * puts its own step between cz_store_put_logged and cz_store_add_version
 * and the rest (store_int.h). */
#include "store.h"
#include "bytes.h"
#include "status.h"
#include "store_int.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

/* ---- entries and logs ---- */

int cz_store_each_entry(cz_txn *t, cz_raw_fn fn, void *ctx) { return cz_db_walk(t, CZ_DB_ENTRIES, fn, ctx); }
int cz_store_each_log(cz_txn *t, cz_raw_fn fn, void *ctx) { return cz_db_walk(t, CZ_DB_LOGS, fn, ctx); }
int cz_store_each_fork(cz_txn *t, cz_raw_fn fn, void *ctx) { return cz_db_walk(t, CZ_DB_FORKS, fn, ctx); }

int cz_store_get_entry(cz_txn *t, const uint8_t id[CZ_ID_BYTES], struct cz_entry *e)
{
    MDB_val k = cz_val(id, CZ_ID_BYTES), d;
    int rc = mdb_get(t->txn, t->s->dbi[CZ_DB_ENTRIES], &k, &d);
    if (rc) return CZ_ST(t, rc);
    /* Stored bodies were decoded strictly on the way in; verify re-checks. */
    return cz_entry_parse(d.mv_data, d.mv_size, e);
}

/* A log position's key: origin, then seq big-endian, so an origin's log
 * is one range in seq order. */
static void log_key(uint8_t key[40], const uint8_t origin[32], uint64_t seq)
{
    memcpy(key, origin, 32);
    cz_put_be64(key + 32, seq);
}

int cz_store_log_get(cz_txn *t, const uint8_t origin[32], uint64_t seq, uint8_t id[CZ_ID_BYTES])
{
    uint8_t key[40];
    log_key(key, origin, seq);
    MDB_val k = cz_val(key, sizeof key), d;
    int rc = mdb_get(t->txn, t->s->dbi[CZ_DB_LOGS], &k, &d);
    if (rc) return CZ_ST(t, rc);
    memcpy(id, d.mv_data, CZ_ID_BYTES);
    return CZ_OK;
}

int cz_store_log_each(cz_txn *t, const uint8_t origin[32], cz_log_fn fn, void *ctx)
{
    MDB_cursor *c;
    uint8_t key[40];
    log_key(key, origin, 0);
    MDB_val k = cz_val(key, sizeof key), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_LOGS], &c);
    if (rc) return CZ_ST(t, rc);
    int st = CZ_OK;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size != 40 || memcmp(k.mv_data, origin, 32) != 0 || d.mv_size != CZ_ID_BYTES) break;
        uint64_t seq = cz_get_be64((const uint8_t *)k.mv_data + 32);
        if ((st = fn(ctx, seq, d.mv_data)) != 0) break;
    }
    mdb_cursor_close(c);
    if (st == CZ_WALK_STOP) return CZ_OK;
    if (st) return st;
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_store_log_last(cz_txn *t, const uint8_t origin[32], uint64_t *seq, uint8_t id[CZ_ID_BYTES])
{
    MDB_cursor *c;
    uint8_t key[40];
    log_key(key, origin, UINT64_MAX);
    MDB_val k = cz_val(key, sizeof key), d;
    *seq = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_LOGS], &c);
    if (rc) return CZ_ST(t, rc);
    /* Position after this origin's last key, then step back. */
    rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
    rc = rc != 0 ? mdb_cursor_get(c, &k, &d, MDB_LAST)
       : k.mv_size == 40 && memcmp(k.mv_data, key, 40) == 0 ? 0   /* seq 2^64-1 itself */
       : mdb_cursor_get(c, &k, &d, MDB_PREV);
    if (rc == 0 && k.mv_size == 40 && memcmp(k.mv_data, origin, 32) == 0) {
        *seq = cz_get_be64((const uint8_t *)k.mv_data + 32);
        memcpy(id, d.mv_data, CZ_ID_BYTES);
    }
    mdb_cursor_close(c);
    return rc == 0 || rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* ---- versions and heads ----
 *
 * heads lists an entity's heads only once it has more than one version:
 * an entity with one version (most records, never edited) has that one as
 * its head, which versions says already, unless a child of it arrived
 * first (a version of another entity naming it as a parent): then heads
 * holds HEAD_NONE for it.  An entity with more versions and no key in
 * heads has no head.  (A store of format 1 lists every entity's heads,
 * which reads the same.) */

static const uint8_t HEAD_NONE[CZ_ID_BYTES];   /* all zero: no entry's id */

int cz_store_each_concurrent(cz_txn *t, cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k, d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_HEADS], &c), ret = CZ_OK;
    if (rc) return CZ_ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        size_t n = 0;
        if ((rc = mdb_cursor_count(c, &n))) break;
        if (n < 2 || k.mv_size != CZ_ENTITY_BYTES) continue;
        if ((ret = fn(ctx, k.mv_data))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret == CZ_WALK_STOP ? CZ_OK : ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

int cz_store_versions(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx)
{
    return cz_db_each_dup(t, CZ_DB_VERSIONS, entity, CZ_ENTITY_BYTES, fn, ctx);
}

/* The entity's one version, when it has exactly one, to fn (one not
 * listed in heads). */
static int only_version(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = cz_val(entity, CZ_ENTITY_BYTES), d;
    size_t n = 0;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    mdb_cursor_close(c);
    if (rc) return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
    return n == 1 && d.mv_size == CZ_ID_BYTES ? fn(ctx, d.mv_data) : CZ_OK;
}

int cz_store_each_head(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx)
{
    MDB_cursor *c;
    MDB_val k = cz_val(entity, CZ_ENTITY_BYTES), d;
    int ret = CZ_OK, rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_HEADS], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET);
    if (rc == MDB_NOTFOUND) {
        mdb_cursor_close(c);
        return only_version(t, entity, fn, ctx);
    }
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP))
        if (memcmp(d.mv_data, HEAD_NONE, CZ_ID_BYTES) && (ret = fn(ctx, d.mv_data))) break;
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

struct heads_ctx { cz_txn *t; uint8_t (*ids)[CZ_ID_BYTES]; uint64_t *hlcs; uint8_t (*origins)[32];
                   size_t max, n; };

/* The provisional winner first (FORMATS.md, Reconciling): higher clock,
 * then higher origin, then higher id, the order of cz_version_cmp_newest
 * (history.h) so that `show` and `conflicts` name the same winner.  Heads
 * are walked in ascending id order, so a head that ties on clock and
 * origin with one already placed has the higher id and goes before it. */
static int goes_before(uint64_t hlc_a, const uint8_t *origin_a, uint64_t hlc_b, const uint8_t *origin_b)
{
    if (hlc_a != hlc_b) return hlc_a > hlc_b;
    return memcmp(origin_a, origin_b, 32) >= 0;
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
    while (pos > 0 && goes_before(hlc, origin, h->hlcs[pos - 1], h->origins[pos - 1])) pos--;
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
    struct heads_ctx h = { .t = t, .ids = ids, .hlcs = hlcs, .origins = origins, .max = max, .n = 0 };
    int rc = cz_store_each_head(t, entity, heads_cb, &h);
    free(hlcs);
    free(origins);
    *n = h.n;
    return rc;
}

/* Resolves a hex prefix to the one key of `db` (of key_len bytes) it names. */
static int resolve_prefix(cz_txn *t, enum cz_db db, const char *hex, uint8_t *out, size_t key_len)
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
    MDB_val k = cz_val(lo, key_len), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
    if (rc) return CZ_ST(t, rc);
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
    if (rc && rc != MDB_NOTFOUND) return CZ_ST(t, rc);
    return found == 0 ? CZ_ENOTFOUND : found > 1 ? CZ_EAMBIG : CZ_OK;
}

int cz_store_resolve_entity(cz_txn *t, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    return resolve_prefix(t, CZ_DB_VERSIONS, hex, entity, CZ_ENTITY_BYTES);
}

int cz_store_resolve_entry(cz_txn *t, const char *hex, uint8_t id[CZ_ID_BYTES])
{
    return resolve_prefix(t, CZ_DB_ENTRIES, hex, id, CZ_ID_BYTES);
}

/* ---- storing an entry (store_int.h) ---- */

/* Same author, same position, different entry: both kept as proof. */
static int put_fork(cz_txn *t, const uint8_t lkey[40], const uint8_t *other, const uint8_t id[CZ_ID_BYTES])
{
    uint8_t fkey[72];
    memcpy(fkey, lkey, 40);
    for (int which = 0; which < 2; which++) {
        memcpy(fkey + 40, which ? id : other, CZ_ID_BYTES);
        MDB_val fk = cz_val(fkey, sizeof fkey), fv = cz_val("", 0);
        int rc = mdb_put(t->txn, t->s->dbi[CZ_DB_FORKS], &fk, &fv, 0);
        if (rc) return CZ_ST(t, rc);
    }
    return CZ_OK;
}

int cz_store_put_logged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *result)
{
    t->puts++;
    MDB_dbi *dbi = t->s->dbi;
    MDB_val k = cz_val(id, CZ_ID_BYTES), d = cz_val(e->raw, e->raw_len);
    uint8_t lkey[40];
    int rc;

    *result = CZ_PUT_DUPLICATE;
    rc = mdb_put(t->txn, dbi[CZ_DB_ENTRIES], &k, &d, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) return CZ_OK;
    if (rc) return CZ_ST(t, rc);

    log_key(lkey, e->origin, e->seq);
    MDB_val lk = cz_val(lkey, sizeof lkey), lv = cz_val(id, CZ_ID_BYTES);
    rc = mdb_put(t->txn, dbi[CZ_DB_LOGS], &lk, &lv, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        /* lv now holds the entry already at that position */
        if ((rc = put_fork(t, lkey, lv.mv_data, id))) return rc;
        *result = CZ_PUT_FORK;
        return CZ_OK;
    }
    if (rc) return CZ_ST(t, rc);
    *result = CZ_PUT_NEW;
    return CZ_OK;
}

int cz_store_heads_format1(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES])
{
    MDB_dbi *dbi = t->s->dbi;
    MDB_cursor *c;
    MDB_val k = cz_val(entity, CZ_ENTITY_BYTES), v, h;
    size_t n = 0;
    uint8_t version[CZ_ID_BYTES];
    int rc = mdb_cursor_open(t->txn, dbi[CZ_DB_VERSIONS], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &v, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    if (rc == 0 && n == 1) memcpy(version, v.mv_data, CZ_ID_BYTES);
    mdb_cursor_close(c);
    if (rc || n != 1) return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
    if ((rc = mdb_cursor_open(t->txn, dbi[CZ_DB_HEADS], &c))) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &h, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    if (rc == 0 && n == 1 && memcmp(h.mv_data, version, CZ_ID_BYTES) == 0) rc = mdb_cursor_del(c, MDB_NODUPDATA);
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND) {
        h = cz_val(HEAD_NONE, CZ_ID_BYTES);
        rc = mdb_put(t->txn, dbi[CZ_DB_HEADS], &k, &h, MDB_NODUPDATA);
    }
    return CZ_ST(t, rc);
}

/* A second or later version was just listed among the entity's versions,
 * before its heads change: what heads left unsaid for an entity of one
 * version is said (that version is a head; HEAD_NONE goes), since from
 * now on the entity's heads are listed. */
static int list_heads(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t id[CZ_ID_BYTES])
{
    MDB_dbi *dbi = t->s->dbi;
    MDB_cursor *c;
    MDB_val k = cz_val(entity, CZ_ENTITY_BYTES), d;
    size_t n = 0;
    int rc = mdb_get(t->txn, dbi[CZ_DB_HEADS], &k, &d);
    if (rc == 0) {
        d = cz_val(HEAD_NONE, CZ_ID_BYTES);
        rc = mdb_del(t->txn, dbi[CZ_DB_HEADS], &k, &d);
        return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
    }
    if (rc != MDB_NOTFOUND) return CZ_ST(t, rc);
    /* Nothing listed: with one version before this one, that was a head. */
    if ((rc = mdb_cursor_open(t->txn, dbi[CZ_DB_VERSIONS], &c))) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET);
    if (rc == 0) rc = mdb_cursor_count(c, &n);
    if (rc == 0 && n == 2 && memcmp(d.mv_data, id, CZ_ID_BYTES) == 0) rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP);
    mdb_cursor_close(c);
    if (rc || n != 2) return CZ_ST(t, rc);
    rc = mdb_put(t->txn, dbi[CZ_DB_HEADS], &k, &d, MDB_NODUPDATA);
    return rc == MDB_KEYEXIST ? CZ_OK : CZ_ST(t, rc);
}

int cz_store_add_version(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                         int *first, int *head)
{
    MDB_dbi *dbi = t->s->dbi;
    MDB_cursor *c;
    int rc;

    /* Listed among the entity's versions; the cursor stays on it, and the
     * count of versions says whether this is the entity's first. */
    MDB_val ek = cz_val(e->entity, CZ_ENTITY_BYTES), ev = cz_val(id, CZ_ID_BYTES);
    size_t nversions = 0;
    if ((rc = mdb_cursor_open(t->txn, dbi[CZ_DB_VERSIONS], &c))) return CZ_ST(t, rc);
    rc = mdb_cursor_put(c, &ek, &ev, MDB_NODUPDATA);
    if (rc == 0) rc = mdb_cursor_count(c, &nversions);
    else if (rc == MDB_KEYEXIST) rc = 0;   /* listed already: not the first (nversions 0 takes the full path) */
    mdb_cursor_close(c);
    if (rc) return CZ_ST(t, rc);
    if (nversions > 1 && (rc = list_heads(t, e->entity, id))) return rc;
    ev = cz_val(id, CZ_ID_BYTES);
    for (size_t i = 0; i < e->nparents; i++) {
        MDB_val pk = cz_val(e->parents + i * CZ_ID_BYTES, CZ_ID_BYTES);
        if ((rc = mdb_put(t->txn, dbi[CZ_DB_CHILDREN], &pk, &ev, MDB_NODUPDATA)) && rc != MDB_KEYEXIST)
            return CZ_ST(t, rc);
        if (nversions == 1) continue;   /* no heads yet: nothing to supersede */
        MDB_val hv = pk;
        rc = mdb_del(t->txn, dbi[CZ_DB_HEADS], &ek, &hv);
        if (rc && rc != MDB_NOTFOUND) return CZ_ST(t, rc);
    }
    /* A version whose child arrived first is not a head.  An entity's
     * first version is its head unlisted; HEAD_NONE says it is not. */
    size_t nchildren;
    if ((rc = cz_db_dup_count(t, CZ_DB_CHILDREN, id, CZ_ID_BYTES, &nchildren))) return rc;
    int put = nversions == 1 ? nchildren > 0 : nchildren == 0;
    if (nversions == 1) ev = cz_val(HEAD_NONE, CZ_ID_BYTES);
    if (put && (rc = mdb_put(t->txn, dbi[CZ_DB_HEADS], &ek, &ev, MDB_NODUPDATA)) && rc != MDB_KEYEXIST)
        return CZ_ST(t, rc);
    *first = nversions == 1;
    *head = nchildren == 0;
    return CZ_OK;
}

/* ---- judged entries ---- */

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
    MDB_val k = cz_val(id, CZ_ID_BYTES), d = cz_val(v, n);
    return CZ_ST(t, mdb_put(t->txn, t->s->dbi[CZ_DB_JUDGED], &k, &d, 0));
}

int cz_store_judged_del(cz_txn *t, const uint8_t id[CZ_ID_BYTES])
{
    MDB_val k = cz_val(id, CZ_ID_BYTES);
    return CZ_ST(t, mdb_del(t->txn, t->s->dbi[CZ_DB_JUDGED], &k, NULL));
}

int cz_store_put_judged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                        int state, int why, int *result)
{
    int rc = cz_store_put_logged(t, e, id, result);
    if (rc || *result != CZ_PUT_NEW) return rc;
    return cz_store_judged_set(t, id, state, why);
}

static int judged_parse(const uint8_t *p, size_t len, int *state, int *why)
{
    char name[JUDGED_MAX];
    if (len < 2 || len > JUDGED_MAX) return CZ_EDB;
    *state = p[0];
    memcpy(name, p + 1, len - 1);
    name[len - 1] = 0;
    /* A rule this build does not know is still a refusal: said as such. */
    *why = cz_status_from_name(name);
    if (*why < 0) *why = CZ_EPERM;
    return CZ_OK;
}

int cz_store_judged_get(cz_txn *t, const uint8_t id[CZ_ID_BYTES], int *state, int *why)
{
    MDB_val k = cz_val(id, CZ_ID_BYTES), d;
    int rc = mdb_get(t->txn, t->s->dbi[CZ_DB_JUDGED], &k, &d);
    if (rc == MDB_NOTFOUND) return CZ_ENOTFOUND;
    if (rc) return CZ_ST(t, rc);
    return judged_parse(d.mv_data, d.mv_size, state, why);
}

struct judged_walk { cz_judged_fn fn; void *ctx; };

static int judged_walk_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen)
{
    struct judged_walk *w = ctx;
    int state, why;
    if (klen != CZ_ID_BYTES || judged_parse(v, vlen, &state, &why)) return CZ_EDB;
    return w->fn(w->ctx, key, state, why);
}

int cz_store_each_judged(cz_txn *t, cz_judged_fn fn, void *ctx)
{
    struct judged_walk w = { .fn = fn, .ctx = ctx };
    return cz_db_walk(t, CZ_DB_JUDGED, judged_walk_cb, &w);
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
    int rc = mdb_stat(t->txn, t->s->dbi[CZ_DB_JUDGED], &ms);
    if (rc) return CZ_ST(t, rc);
    if (ms.ms_entries && (rc = cz_store_each_judged(t, count_judged_cb, n))) return rc;
    *refused = n[0];
    *held = n[1];
    return CZ_OK;
}

/* ---- forks ---- */

static int fork_from(cz_txn *t, const uint8_t origin[32], uint64_t first, uint64_t *seq)
{
    MDB_cursor *c;
    uint8_t from[40];
    log_key(from, origin, first);
    MDB_val k = cz_val(from, sizeof from), d;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_FORKS], &c);
    if (rc) return CZ_ST(t, rc);
    rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
    if (rc == 0 && (k.mv_size != 72 || memcmp(k.mv_data, origin, 32))) rc = MDB_NOTFOUND;
    if (rc == 0) *seq = cz_get_be64((const uint8_t *)k.mv_data + 32);
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND) return CZ_ENOTFOUND;
    return CZ_ST(t, rc);
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
