#include "sync.h"
#include "bundle_stream.h"
#include "codec.h"
#include "fsutil.h"
#include "index.h"
#include "hex.h"
#include "keys.h"
#include "authz.h"
#include "query.h"
#include "roster.h"
#include "schema.h"
#include "status.h"
#include "stick.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A clock this far ahead of ours is accepted but does not drag ours along
 * (PITFALLS: a persisted future timestamp cannot be undone). */
#define HLC_AHEAD_MAX_MS (24ull * 3600 * 1000)

int cz_read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat sb;
    int fd, rc;
    *buf = NULL;
    *len = 0;
    /* A regular file only: a FIFO named *.czb would block for ever. */
    if ((rc = cz_fs_open_regular(AT_FDCWD, path, &fd))) return rc;
    if (fstat(fd, &sb) != 0) { close(fd); return CZ_EIO; }
    if ((uint64_t)sb.st_size > (uint64_t)CZ_BUNDLE_PLAIN_MAX * 2) { close(fd); return CZ_ETOOBIG; }
    size_t n = (size_t)sb.st_size;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) { close(fd); return CZ_ENOMEM; }
    for (size_t off = 0; off < n;) {
        ssize_t r = read(fd, b + off, n - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { free(b); close(fd); return CZ_EIO; }
        off += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = n;
    return CZ_OK;
}

/* ---- peers ---- */

struct peers_ctx { cz_txn *t; const struct cz_station_info *info; struct cz_peer *v; size_t n, cap; int rc; };

static int peers_cb(void *ctx, const uint8_t *entity)
{
    struct peers_ctx *pc = ctx;
    struct cz_record r;
    struct cz_trust_info ti;
    const uint8_t *key;
    size_t len;
    char kind[16] = "", name[CZ_NAME_MAX] = "";
    if (cz_record_load(pc->t, entity, &r) != CZ_OK || r.deleted || !r.type) goto done;
    /* Only the root certifies: any root of the chain (a station certified
     * before a rollover is still a peer). */
    if (cz_roster_lookup(pc->t, pc->info->office_root, r.origin, &ti) != CZ_OK || ti.state != CZ_TRUST_ROOT)
        goto done;
    cz_schema_format(cz_schema_field(r.type, "kind"), r.body, CZ_LANG_EN, 0, kind, sizeof kind);
    if (strcmp(kind, "station") ||
        cz_body_get_bytes(r.body, cz_schema_field(r.type, "key")->tag, &key, &len) != CZ_OK || len != 32 ||
        !memcmp(key, pc->info->box_pk, 32))
        goto done;
    if (cz_roster_lookup(pc->t, pc->info->office_root, key, &ti) != CZ_OK ||
        ti.state != CZ_TRUST_CERTIFIED || ti.revoked)
        goto done;
    for (size_t i = 0; i < pc->n; i++)
        if (!memcmp(pc->v[i].box, key, 32)) goto done;
    if (pc->n == pc->cap) {
        size_t cap = pc->cap ? 2 * pc->cap : 8;
        struct cz_peer *v = realloc(pc->v, cap * sizeof *v);
        if (!v) { cz_record_clear(&r); return pc->rc = CZ_ENOMEM; }
        pc->v = v;
        pc->cap = cap;
    }
    struct cz_peer *p = &pc->v[pc->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->box, key, 32);
    cz_schema_format(cz_schema_field(r.type, "station"), r.body, CZ_LANG_EN, 0, name, sizeof name);
    if (!name[0]) cz_schema_format(cz_schema_field(r.type, "name"), r.body, CZ_LANG_EN, 0, name, sizeof name);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->region, sizeof p->region, "%s", ti.region);
done:
    cz_record_clear(&r);
    return 0;
}

int cz_sync_peers(cz_station *st, struct cz_peer **out, size_t *n)
{
    const struct cz_station_info *info = cz_station_info(st);
    cz_txn *t = NULL;
    *out = NULL;
    *n = 0;
    if (info->kind != CZ_KIND_OFFICE) {
        struct cz_peer *p = calloc(1, sizeof *p);
        if (!p) return CZ_ENOMEM;
        memcpy(p->box, info->office_box, 32);
        snprintf(p->name, sizeof p->name, "%s", info->office_name);
        *out = p;
        *n = 1;
        return CZ_OK;
    }
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    char term[64];
    size_t tl = cz_term_type(term, sizeof term, "cert");
    struct peers_ctx pc = { t, info, NULL, 0, 0, CZ_OK };
    rc = cz_store_index_each(t, term, tl, peers_cb, &pc);
    if (rc == CZ_OK) rc = pc.rc;
    cz_txn_abort(t);
    if (rc) { free(pc.v); return rc; }
    *out = pc.v;
    *n = pc.n;
    return CZ_OK;
}

/* ---- export ---- */

static uint64_t seq_of(const uint8_t key[40])
{
    uint64_t s = 0;
    for (int i = 0; i < 8; i++) s = s << 8 | key[32 + i];
    return s;
}

/* What a bundle carries is found before a byte of it is written, so the
 * plaintext's length and count are known up front; nothing is copied: the
 * entries stay in the store's pages (valid while the read transaction
 * lasts) until the file is written from them.
 *
 * 1. The logs: the vector of everything held here, and how many positions
 *    the peer has not acknowledged.
 * 2. When those are few (an incremental export) each is looked up by id,
 *    in log order.  When they are many, the entries are read in the
 *    store's own order instead, several times faster than a look-up each
 *    and the order the bundle then holds them in (bundle.h promises no
 *    order; import takes them in any).  An entry that is not the one logged
 *    at its position (the other side of a fork, listed in the forks
 *    database) is not sent, as before. */
/* Meta names of the last-sync times (sync.h, cz_sync_last). */
static void last_name(char *buf, size_t size, const char *what, const uint8_t box[32])
{
    char hex[65];
    cz_hex(box, 32, hex);
    snprintf(buf, size, "sync_%s:%s", what, hex);
}

int cz_sync_last(cz_station *st, const uint8_t box[32], uint64_t *sent_ms, uint64_t *received_ms)
{
    char name[96];
    cz_txn *t = NULL;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    *sent_ms = *received_ms = 0;
    if (rc) return rc;
    last_name(name, sizeof name, "sent", box);
    if ((rc = cz_meta_get_u64(t, name, sent_ms)) == CZ_ENOTFOUND) rc = CZ_OK;
    last_name(name, sizeof name, "received", box);
    if (rc == CZ_OK && (rc = cz_meta_get_u64(t, name, received_ms)) == CZ_ENOTFOUND) rc = CZ_OK;
    cz_txn_abort(t);
    return rc;
}

static void progress(const struct cz_progress *pr, size_t done, size_t total)
{
    if (pr && pr->fn) pr->fn(pr->ctx, done, total);
}

struct export_item { const uint8_t *p; uint32_t len; };

struct export_ctx {
    cz_txn *t;
    const struct cz_vv *ack;
    const char *region;
    struct cz_vv *mine;
    struct export_item *items;
    size_t n, cap;
    size_t logged, wanted, matched;   /* log positions, those not acknowledged, entries found for them */
    uint64_t logged_sum, matched_sum; /* sums of the first 8 bytes of their ids */
    int early;                        /* entries walked before `mine` is known (entry_cb) */
    uint8_t (*forked)[CZ_ID_BYTES];   /* ids on either side of a fork, sorted */
    size_t nforked, forked_cap;
    /* ids kept but not applied (refused or held: authz.h), sorted: they
     * are acknowledged like every logged entry but never forwarded */
    uint8_t (*kept)[CZ_ID_BYTES];
    size_t nkept, kept_cap;
    uint64_t bytes;                   /* sum of 4 + len over items */
    struct cz_export_result *res;
    /* The office forwards nothing of a key not yet certified (author_ok):
     * what the roster says of each author met, sorted by key. */
    const uint8_t *root;              /* NULL: everything goes (a village's export) */
    struct author { uint8_t origin[32]; int ok; } *authors;
    size_t nauthors, authors_cap;
};

static uint64_t id_word(const uint8_t *id)
{
    uint64_t w;
    memcpy(&w, id, sizeof w);
    return w;
}

static int log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    int rc = cz_vv_add(x->mine, key, seq_of(key), val);
    if (rc) return rc;
    x->logged++;
    x->logged_sum += id_word(val);
    if (!x->ack || !cz_vv_has(x->ack, key, seq_of(key))) x->wanted++;
    return 0;
}

/* Whether the office may forward what `origin` signed: the root's and
 * certified keys' (revoked ones too: what they signed before the
 * revocation counts, and the revocation travels with it), never a pending
 * key's, however much of it a bundle brought (sync.c, admit).  A village
 * sends everything it holds: its bundles go to the office only, and carry
 * its own people's work from before their enrolment, which the office
 * must see to enrol them. */
static int author_ok(struct export_ctx *x, const uint8_t *origin, int *ok)
{
    size_t lo = 0, hi = x->nauthors;
    struct cz_trust_info ti;
    *ok = 1;
    if (!x->root) return CZ_OK;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(x->authors[mid].origin, origin, 32);
        if (c == 0) { *ok = x->authors[mid].ok; return CZ_OK; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    int rc = cz_roster_lookup(x->t, x->root, origin, &ti);
    if (rc) return rc;
    if (x->nauthors == x->authors_cap) {
        size_t cap = x->authors_cap ? 2 * x->authors_cap : 64;
        struct author *v = realloc(x->authors, cap * sizeof *v);
        if (!v) return CZ_ENOMEM;
        x->authors = v;
        x->authors_cap = cap;
    }
    memmove(x->authors + lo + 1, x->authors + lo, (x->nauthors - lo) * sizeof *x->authors);
    x->nauthors++;
    memcpy(x->authors[lo].origin, origin, 32);
    x->authors[lo].ok = *ok = ti.state != CZ_TRUST_PENDING;
    return CZ_OK;
}

/* Trust records and places (empty region) go everywhere; the rest only
 * inside the recipient's jurisdiction. */
static int export_take(struct export_ctx *x, const uint8_t *raw, size_t len, const char *region)
{
    if (region[0] && !cz_region_under(region, x->region)) {
        x->res->skipped_scope++;
        return CZ_OK;
    }
    if (len > UINT32_MAX || x->n == UINT32_MAX) return CZ_ETOOBIG;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 1024;
        struct export_item *v = realloc(x->items, cap * sizeof *v);
        if (!v) return CZ_ENOMEM;
        x->items = v;
        x->cap = cap;
    }
    x->items[x->n++] = (struct export_item){ raw, (uint32_t)len };
    x->bytes += 4 + (uint64_t)len;
    return CZ_OK;
}

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ID_BYTES); }

static int is_kept(const struct export_ctx *x, const uint8_t *id)
{
    return x->nkept && bsearch(id, x->kept, x->nkept, CZ_ID_BYTES, id_cmp);
}

static int kept_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct export_ctx *x = ctx;
    if (x->nkept == x->kept_cap) {
        size_t cap = x->kept_cap ? 2 * x->kept_cap : 16;
        if (cap > SIZE_MAX / CZ_ID_BYTES) return CZ_ENOMEM;
        uint8_t (*v)[CZ_ID_BYTES] = realloc(x->kept, cap * CZ_ID_BYTES);
        if (!v) return CZ_ENOMEM;
        x->kept = v;
        x->kept_cap = cap;
    }
    memcpy(x->kept[x->nkept++], id, CZ_ID_BYTES);
    return 0;
}

static int export_kept(struct export_ctx *x)
{
    int rc = cz_store_each_judged(x->t, kept_cb, x);
    if (rc == CZ_OK && x->nkept > 1) qsort(x->kept, x->nkept, CZ_ID_BYTES, id_cmp);
    return rc;
}

/* The few-wanted way: the logs again, a look-up per position wanted. */
static int lookup_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    struct cz_entry e;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    if (x->ack && cz_vv_has(x->ack, key, seq_of(key))) return 0;
    if (is_kept(x, val)) return 0;
    int ok, rc = author_ok(x, key, &ok);
    if (rc) return rc;
    if (!ok) { x->res->skipped_pending++; return 0; }
    if ((rc = cz_store_get_entry(x->t, val, &e))) return rc;
    return export_take(x, e.raw, e.raw_len, e.region);
}

static int fork_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    (void)val; (void)vlen;
    if (klen != 40 + CZ_ID_BYTES) return CZ_EDB;
    if (x->nforked == x->forked_cap) {
        size_t cap = x->forked_cap ? 2 * x->forked_cap : 16;
        uint8_t (*v)[CZ_ID_BYTES] = realloc(x->forked, cap * CZ_ID_BYTES);
        if (!v) return CZ_ENOMEM;
        x->forked = v;
        x->forked_cap = cap;
    }
    memcpy(x->forked[x->nforked++], key + 40, CZ_ID_BYTES);
    return 0;
}

/* The many-wanted way: every entry in the store's order.  `mine` (the log
 * walk) says which are logged here; an entry on either side of a fork is
 * sent only when it is the one logged.
 *
 * In a full export the logs are walked on another thread meanwhile
 * (x->early: `mine` is not known yet), so every entry not on the losing
 * side of a fork is taken as logged, as cz_store_put_entry keeps them (an
 * entry is logged at its position or listed as a fork).  That is checked
 * once both walks are done (export_collect_check): as many entries as
 * positions, and the same ids (the sums of their first 8 bytes agree);
 * otherwise (a damaged store) the entries are walked again the careful
 * way. */
static int entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    const uint8_t *origin;
    uint64_t seq;
    char region[CZ_REGION_MAX + 1];
    if (klen != CZ_ID_BYTES) return CZ_EDB;
    int rc = cz_entry_peek(val, vlen, &origin, &seq, region);
    if (rc) return rc;
    if (!x->early && !cz_vv_has(x->mine, origin, seq)) return 0;   /* not logged here: nothing to send */
    if (x->nforked && bsearch(key, x->forked, x->nforked, CZ_ID_BYTES, id_cmp)) {
        uint8_t logged[CZ_ID_BYTES];
        rc = cz_store_log_get(x->t, origin, seq, logged);
        if (rc == CZ_ENOTFOUND && x->early) return 0;   /* the check afterwards tells */
        if (rc) return rc;
        if (memcmp(logged, key, CZ_ID_BYTES)) return 0;
    }
    x->matched++;
    x->matched_sum += id_word(key);
    if (x->ack && cz_vv_has(x->ack, origin, seq)) return 0;
    if (is_kept(x, key)) return 0;
    int ok;
    if ((rc = author_ok(x, origin, &ok))) return rc;
    if (!ok) { x->res->skipped_pending++; return 0; }
    return export_take(x, val, vlen, region);
}

static int export_forks(struct export_ctx *x)
{
    int rc = cz_store_each_fork(x->t, fork_cb, x);
    if (rc == CZ_OK && x->nforked > 1) qsort(x->forked, x->nforked, CZ_ID_BYTES, id_cmp);
    return rc;
}

static int export_collect(struct export_ctx *x)
{
    int rc;
    if ((rc = export_kept(x))) return rc;
    if ((rc = cz_store_each_log(x->t, log_cb, x))) return rc;
    if (x->wanted * 8 < x->logged) return cz_store_each_log(x->t, lookup_cb, x);
    if ((rc = export_forks(x))) return rc;
    if ((rc = cz_store_each_entry(x->t, entry_cb, x))) return rc;
    /* A logged id with no entry: the store is damaged (a look-up said so
     * before). */
    return x->matched == x->logged ? CZ_OK : CZ_ENOTFOUND;
}

/* A full export's entries, found while another thread walks the logs
 * (export_collect's many-wanted way, without waiting for `mine`). */
static int export_collect_early(struct export_ctx *x)
{
    int rc = export_forks(x);
    if (rc == CZ_OK) rc = export_kept(x);
    x->early = 1;
    return rc ? rc : cz_store_each_entry(x->t, entry_cb, x);
}

/* After export_collect_early and the log walk: the entries found are the
 * ones logged, or they are found again the careful way. */
static int export_collect_check(struct export_ctx *x)
{
    if (x->matched == x->logged && x->matched_sum == x->logged_sum) return CZ_OK;
    x->early = 0;
    x->n = 0;
    x->bytes = 0;
    x->matched = 0;
    x->res->skipped_scope = 0;
    x->res->skipped_pending = 0;
    int rc = cz_store_each_entry(x->t, entry_cb, x);
    if (rc) return rc;
    return x->matched == x->logged ? CZ_OK : CZ_ENOTFOUND;
}

/* The plaintext (bundle.h): the payload's head (magic, kind, vector,
 * count), then each entry as u32 len + bytes, produced piecewise. */
struct export_fill {
    const uint8_t *head;
    size_t head_len, pos;             /* pos: bytes of the current piece given */
    const struct export_item *items;
    size_t n, i;                      /* i: the item being given; SIZE_MAX while in the head */
    const struct cz_progress *pr;
};

/* Items read ahead of the copy: the entries lie in the store's pages in
 * no order the processor can guess, and each would otherwise wait for
 * memory. */
#define FILL_AHEAD 8

static void fill_ahead(const struct export_fill *f, size_t i)
{
    if (i >= f->n) return;
    const struct export_item *it = &f->items[i];
    for (uint32_t at = 0; at < it->len; at += 64) __builtin_prefetch(it->p + at);
}

static int export_fill_cb(void *ctx, uint8_t *buf, size_t want)
{
    struct export_fill *f = ctx;
    while (want) {
        /* Whole items while they fit (most of the time). */
        if (f->i != SIZE_MAX && f->pos == 0) {
            while (f->i < f->n && 4 + (size_t)f->items[f->i].len <= want) {
                const struct export_item *it = &f->items[f->i];
                fill_ahead(f, f->i + FILL_AHEAD);
                for (int b = 0; b < 4; b++) buf[b] = (uint8_t)(it->len >> (8 * (3 - b)));
                memcpy(buf + 4, it->p, it->len);
                buf += 4 + (size_t)it->len;
                want -= 4 + (size_t)it->len;
                if (++f->i % 256 == 0) progress(f->pr, f->i, f->n);
            }
            if (!want) break;
        }
        const uint8_t *src;
        size_t avail;
        uint8_t lenbuf[4];
        if (f->i == SIZE_MAX) {
            src = f->head + f->pos;
            avail = f->head_len - f->pos;
            if (!avail) { f->i = 0; f->pos = 0; continue; }
        } else {
            if (f->i >= f->n) return CZ_EINVAL;   /* longer than counted */
            const struct export_item *it = &f->items[f->i];
            if (f->pos < 4) {
                for (int b = 0; b < 4; b++) lenbuf[b] = (uint8_t)(it->len >> (8 * (3 - b)));
                src = lenbuf + f->pos;
                avail = 4 - f->pos;
            } else {
                src = it->p + (f->pos - 4);
                avail = it->len - (f->pos - 4);
            }
        }
        size_t take_n = avail < want ? avail : want;
        memcpy(buf, src, take_n);
        buf += take_n;
        want -= take_n;
        f->pos += take_n;
        if (f->i != SIZE_MAX && f->pos == 4 + (size_t)f->items[f->i].len) {
            f->i++;
            f->pos = 0;
            if (f->i % 256 == 0) progress(f->pr, f->i, f->n);
        }
    }
    return CZ_OK;
}

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(ctx, msg, len, sig);
}

/* The bundle's sequence number, taken and committed (durably: an fsync or
 * two), and the folder on the stick made (an fsync per new folder), on a
 * second thread while this one finds the entries; both are waited for
 * before a byte of the bundle is written, so a bundle still never exists
 * under a number not yet committed.  The write transaction is that
 * thread's own (LMDB: one transaction a thread).
 *
 * For a full export the same thread also walks the logs (the vector, and
 * what the entries are checked against) inside its write transaction,
 * while this thread walks the entries.  Both read the same state: this
 * thread's read transaction begins after the write transaction began
 * (`opened`) and before it commits (it waits for `reading`), and while a
 * write transaction is open nobody else can commit. */
struct seq_job {
    cz_station *st;
    const char *stick;
    const struct cz_bundle_params *p;
    struct export_ctx *logs;          /* non-NULL: walk the logs too */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int opened, reading;
    uint64_t seq;
    int rc, log_rc, folder_rc;        /* the number's, the log walk's, the folder's */
};

static void job_signal(struct seq_job *j, int *flag)
{
    pthread_mutex_lock(&j->mu);
    *flag = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static void job_wait(struct seq_job *j, const int *flag)
{
    pthread_mutex_lock(&j->mu);
    while (!*flag) pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

static void *seq_take(void *arg)
{
    struct seq_job *j = arg;
    cz_txn *t = NULL;
    uint64_t seq = 0;
    int rc = cz_txn_begin(cz_station_store(j->st), 1, &t);
    job_signal(j, &j->opened);
    if (rc) goto done;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", &seq)) && rc != CZ_ENOTFOUND) goto done;
    seq++;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", seq))) goto done;
    if (j->logs) j->log_rc = cz_store_each_log(t, log_cb, j->logs);
    job_wait(j, &j->reading);
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto done;
    j->seq = seq;
    j->folder_rc = cz_bundle_stream_folder(j->stick, j->p);
done:
    cz_txn_abort(t);
    j->rc = rc;
    return NULL;
}

/* ---- what a new bundle supersedes ----
 *
 * A bundle is only a copy: everything in it stays in this station's store,
 * and every incremental export sends again whatever the peer has not
 * acknowledged.  Still, an older bundle on the stick is removed only when
 * it is certain to hold nothing the peer needs that the stick would no
 * longer carry.  Per peer the store keeps a note (meta "sync_basis:<box>")
 * of this station's bundles for it since `base`:
 *   ack_hash   BLAKE2b of the acknowledgement the bundles since `since`
 *              were built against (zeros: none, as for --full)
 *   c_cur      the log positions the newest bundle carried; bundles built
 *              against the same acknowledgement carry ever more (logs only
 *              grow), so it holds what every bundle since `since` carried
 *   c_old      what the bundles in [base, since) carried (all together)
 *   mine_hash  BLAKE2b of the vector the newest bundle sent
 *   last_id    the newest bundle's id (is it still on this stick?)
 * A new bundle, sequence s, supersedes (is whole on the stick first):
 *   --full                    every older bundle (it carries everything);
 *   built against the same acknowledgement as [since, s)
 *                             those: it carries all they carried and more;
 *   the peer's acknowledgement holds c_old (and c_cur)
 *                             [base, since) (and [since, s)): delivered,
 *                             the peer holds all they carried.
 * An incremental bundle built against a NEWER acknowledgement does not by
 * itself supersede older ones: what it leaves out is what the peer says it
 * holds, and that is only relied on through the "delivered" rule, with
 * the carried positions written down.  Only bundles on the stick being
 * written are removed (the new one is there).  Bundles older than `base`
 * (written before the note existed, or left when a note was lost) are
 * removed only by --full.  The note is committed before anything is removed, so a kill
 * between the two leaves files to remove later, never a note that says
 * less was carried than was. */
struct basis {
    int have;
    uint64_t base, since;
    uint8_t ack_hash[32], mine_hash[32], last_id[CZ_ID_BYTES];
    struct cz_vv c_old, c_cur;
};

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

static void basis_free(struct basis *b)
{
    cz_vv_free(&b->c_old);
    cz_vv_free(&b->c_cur);
    memset(b, 0, sizeof *b);
}

#define BASIS_HEAD (4 + 8 + 8 + 32 + 32 + CZ_ID_BYTES)

/* A missing or damaged note only costs the tidying: nothing is removed. */
static int basis_get(cz_txn *t, const uint8_t box[32], struct basis *b)
{
    char name[96];
    const void *v;
    size_t len, pos = BASIS_HEAD;
    memset(b, 0, sizeof *b);
    last_name(name, sizeof name, "basis", box);
    int rc = cz_meta_get(t, name, &v, &len);
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    const uint8_t *p = v;
    if (len < BASIS_HEAD || memcmp(p, "CZE\1", 4)) return CZ_OK;
    b->base = get64(p + 4);
    b->since = get64(p + 12);
    memcpy(b->ack_hash, p + 20, 32);
    memcpy(b->mine_hash, p + 52, 32);
    memcpy(b->last_id, p + 84, CZ_ID_BYTES);
    if (cz_vv_decode(p, len, &pos, &b->c_old) || cz_vv_decode(p, len, &pos, &b->c_cur) || pos != len) {
        basis_free(b);
        return CZ_OK;
    }
    b->have = 1;
    return CZ_OK;
}

/* Written whole (never the bounded encoding: a note that says less was
 * carried than was could remove a bundle still needed). */
static int basis_put(cz_txn *t, const uint8_t box[32], const struct basis *b)
{
    char name[96];
    uint8_t *buf = malloc(1024);
    size_t len = BASIS_HEAD, cap = 1024;
    int rc;
    if (!buf) return CZ_ENOMEM;
    memcpy(buf, "CZE\1", 4);
    put64(buf + 4, b->base);
    put64(buf + 12, b->since);
    memcpy(buf + 20, b->ack_hash, 32);
    memcpy(buf + 52, b->mine_hash, 32);
    memcpy(buf + 84, b->last_id, CZ_ID_BYTES);
    if ((rc = cz_vv_encode_unbounded(&b->c_old, &buf, &len, &cap)) ||
        (rc = cz_vv_encode_unbounded(&b->c_cur, &buf, &len, &cap)))
        goto cleanup;
    last_name(name, sizeof name, "basis", box);
    rc = cz_meta_put(t, name, buf, len);
cleanup:
    free(buf);
    return rc;
}

/* Every position of c is in a (an empty c is). */
static int vv_covers(const struct cz_vv *a, const struct cz_vv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct cz_vv_origin *o = &c->o[i], *ao = NULL;
        size_t lo = 0, hi = a->n;
        while (lo < hi && !ao) {
            size_t mid = (lo + hi) / 2;
            int cmp = memcmp(a->o[mid].origin, o->origin, 32);
            if (cmp == 0) ao = &a->o[mid];
            else if (cmp < 0) lo = mid + 1;
            else hi = mid;
        }
        if (!ao) return 0;
        for (size_t k = 0; k < o->n; k++) {
            /* a's ranges are disjoint and not adjacent: one holds all of it or none does */
            size_t l = 0, h = ao->n;
            int held = 0;
            while (l < h) {
                size_t mid = (l + h) / 2;
                if (ao->r[mid].hi < o->r[k].lo) l = mid + 1;
                else if (ao->r[mid].lo > o->r[k].lo) h = mid;
                else { held = o->r[k].hi <= ao->r[mid].hi; break; }
            }
            if (!held) return 0;
        }
    }
    return 1;
}

static int vv_add_all(struct cz_vv *dst, const struct cz_vv *src)
{
    for (size_t i = 0; i < src->n; i++)
        for (size_t k = 0; k < src->o[i].n; k++)
            for (uint64_t s = src->o[i].r[k].lo; s <= src->o[i].r[k].hi && s; s++) {
                int rc = cz_vv_add(dst, src->o[i].origin, s, src->o[i].r[k].id);
                if (rc) return rc;
                if (s == UINT64_MAX) break;
            }
    return CZ_OK;
}

/* The seqs a bundle carries of one origin. */
struct carried_origin { const uint8_t *origin; uint64_t *seq; size_t n, cap; };

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A bundle holds few origins and many entries: the seqs are gathered per
 * origin (found by a scan of the few, the last one tried first) and
 * sorted as integers, instead of sorting every position by its 32-byte
 * origin. */
static struct carried_origin *carried_find(struct carried_origin **o, size_t *n, size_t *cap, size_t *last,
                                           const uint8_t *origin)
{
    if (*n && !memcmp((*o)[*last].origin, origin, 32)) return &(*o)[*last];
    for (size_t i = 0; i < *n; i++)
        if (!memcmp((*o)[i].origin, origin, 32)) { *last = i; return &(*o)[i]; }
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        struct carried_origin *v = realloc(*o, nc * sizeof *v);
        if (!v) return NULL;
        *o = v;
        *cap = nc;
    }
    struct carried_origin *c = &(*o)[*n];
    memset(c, 0, sizeof *c);
    c->origin = origin;
    *last = (*n)++;
    return c;
}

/* The log positions of the entries a bundle carries (the entries are in
 * the store's pages: while the export's read transaction lasts). */
static int export_carried(const struct export_ctx *x, struct cz_vv *out)
{
    static const uint8_t no_id[CZ_ID_BYTES];
    struct carried_origin *o = NULL;
    size_t no = 0, cap = 0, last = 0;
    char region[CZ_REGION_MAX + 1];
    int rc = CZ_OK;
    for (size_t i = 0; i < x->n && rc == CZ_OK; i++) {
        const uint8_t *origin;
        uint64_t seq;
        struct carried_origin *c;
        if ((rc = cz_entry_peek(x->items[i].p, x->items[i].len, &origin, &seq, region))) break;
        if (!(c = carried_find(&o, &no, &cap, &last, origin))) { rc = CZ_ENOMEM; break; }
        if (c->n == c->cap) {
            size_t nc = c->cap ? 2 * c->cap : 256;
            uint64_t *v = nc <= SIZE_MAX / sizeof *v ? realloc(c->seq, nc * sizeof *v) : NULL;
            if (!v) { rc = CZ_ENOMEM; break; }
            c->seq = v;
            c->cap = nc;
        }
        c->seq[c->n++] = seq;
    }
    for (size_t i = 0; i < no && rc == CZ_OK; i++) {
        if (o[i].n > 1) qsort(o[i].seq, o[i].n, sizeof *o[i].seq, u64_cmp);
        for (size_t k = 0; k < o[i].n && rc == CZ_OK; k++) rc = cz_vv_add(out, o[i].origin, o[i].seq[k], no_id);
    }
    for (size_t i = 0; i < no; i++) free(o[i].seq);
    free(o);
    return rc;
}

/* The peer would learn nothing from a new bundle: the same vector as last
 * time, and no entries or exactly the entries the newest bundle carried
 * against the same acknowledgement, while that bundle is still on this
 * stick (the last one may have gone on another stick, which may never
 * reach the peer: then a new one is written). */
static int nothing_new(const char *stick, const struct cz_peer *peer, const uint8_t sender[32], const struct basis *old,
                       const struct basis *nb)
{
    if (!old->have || memcmp(old->mine_hash, nb->mine_hash, 32)) return 0;
    if (nb->c_cur.n && (memcmp(old->ack_hash, nb->ack_hash, 32) || !vv_covers(&old->c_cur, &nb->c_cur) ||
                        !vv_covers(&nb->c_cur, &old->c_cur)))
        return 0;
    return cz_stick_has_bundle(stick, peer->box, sender, old->last_id);
}

/* The new note and which of our older bundles the new one, s, supersedes
 * on this stick: [*from, *below), none when *below <= *from.  nb holds
 * c_cur, ack_hash and mine_hash of the new bundle on entry.
 *
 * Removal happens on one stick at a time, and a station may use several:
 * the note always describes every bundle of ours since `base`, wherever it
 * lies, so `base` never moves on and c_old only grows (what was sent is
 * sent; a position is held once the peer acknowledges it, for good). */
static int export_supersede(const struct basis *old, int full, uint64_t s, const struct cz_vv *ack,
                            struct basis *nb, uint64_t *from, uint64_t *below)
{
    static const struct cz_vv none;
    *from = *below = 0;
    nb->have = 1;
    nb->base = nb->since = s;
    if (full) *below = s;
    if (!old->have || old->since > s || old->base > old->since) return CZ_OK;
    if (!ack) ack = &none;
    int same = !full && !memcmp(old->ack_hash, nb->ack_hash, 32);
    nb->base = old->base;
    if (!full) {
        int old_ok = vv_covers(ack, &old->c_old), cur_ok = vv_covers(ack, &old->c_cur);
        /* [base, since): delivered.  [since, s): carried again by this
         * bundle (same acknowledgement), or delivered. */
        *from = old_ok ? old->base : old->since;
        *below = same || cur_ok ? s : old_ok ? old->since : 0;
    }
    if (same) {
        nb->since = old->since;
        return vv_add_all(&nb->c_old, &old->c_old);
    }
    int rc = vv_add_all(&nb->c_old, &old->c_old);
    return rc ? rc : vv_add_all(&nb->c_old, &old->c_cur);
}

int cz_sync_export(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                   struct cz_export_result *res)
{
    return cz_sync_export_with(st, stick, peer, full, NULL, res);
}

int cz_sync_export_with(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                        const struct cz_progress *pr, struct cz_export_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_vv mine = { 0 }, ack = { 0 };
    struct export_ctx x = { 0 };
    struct basis old = { 0 }, nb = { 0 };
    uint8_t *head = NULL, id[CZ_ID_BYTES];
    size_t head_len = 0, head_cap = 0, file_len = 0;
    int have_ack = 0, rc;
    cz_txn *t = NULL;

    memset(res, 0, sizeof *res);
    if (!sec) return CZ_EPERM;

    /* The bundle's sequence number is taken before the file is written, so
     * two exports never share one even when the second write fails; it is
     * committed on another thread (seq_take) while the entries are found. */
    const uint8_t (*rcpt)[32] = (const uint8_t (*)[32])peer->box;
    struct cz_bundle_params p = { info->box_pk, 0, rcpt, 1, cz_secrets_sign_pk(sec), sign_cb, (void *)sec, 0 };
    struct seq_job sj = { .st = st, .stick = stick, .p = &p, .logs = full ? &x : NULL };
    pthread_t seq_thread;
    x.region = peer->region;
    x.mine = &mine;
    x.res = res;
    x.root = info->kind == CZ_KIND_OFFICE ? info->office_root : NULL;
    pthread_mutex_init(&sj.mu, NULL);
    pthread_cond_init(&sj.cv, NULL);
    int seq_running = pthread_create(&seq_thread, NULL, seq_take, &sj) == 0;
    if (!seq_running) {
        sj.logs = NULL;
        sj.reading = 1;
        seq_take(&sj);
        if ((rc = sj.rc)) goto cleanup;
    }

    job_wait(&sj, &sj.opened);
    rc = cz_txn_begin(cz_station_store(st), 0, &t);
    job_signal(&sj, &sj.reading);
    if (rc) goto cleanup;
    x.t = t;
    if ((rc = basis_get(t, peer->box, &old))) goto cleanup;
    if (sj.logs) {
        rc = export_collect_early(&x);
    } else {
        if (!full) {
            const void *v;
            size_t len, pos = 0;
            rc = cz_store_peer_get(t, peer->box, &v, &len);
            if (rc == CZ_OK) {
                /* A damaged acknowledgement only costs a full bundle. */
                have_ack = cz_vv_decode(v, len, &pos, &ack) == CZ_OK;
                if (have_ack) crypto_generichash(nb.ack_hash, 32, v, len, NULL, 0);
            } else if (rc != CZ_ENOTFOUND) {
                goto cleanup;
            }
        }
        x.ack = have_ack ? &ack : NULL;
        rc = export_collect(&x);
    }
    if (seq_running) {
        pthread_join(seq_thread, NULL);
        seq_running = 0;
    }
    /* The failures in the order they used to be met. */
    if (sj.rc) rc = sj.rc;
    else if (sj.log_rc) rc = sj.log_rc;
    if (rc == CZ_OK && sj.logs) rc = export_collect_check(&x);
    if (rc || (rc = sj.folder_rc)) goto cleanup;
    uint64_t seq = p.seq = sj.seq;
    res->entries = x.n;
    /* Before writing, so a stick that filled up with them has room again. */
    if ((rc = cz_stick_sweep_temps(stick, peer->box, info->box_pk, (int64_t)time(NULL), CZ_STICK_TEMP_AGE,
                                   &res->swept)))
        goto cleanup;

    /* The payload's head: magic, kind, vector, count. */
    if (!(head = malloc(head_cap = 1024))) { rc = CZ_ENOMEM; goto cleanup; }
    memcpy(head, "CZP", 3);
    head[3] = 1;
    head[4] = CZ_PAYLOAD_SYNC;
    head_len = 5;
    if ((rc = cz_vv_encode(&mine, &head, &head_len, &head_cap))) goto cleanup;
    if (head_cap - head_len < 4) {
        uint8_t *nh = realloc(head, head_len + 4);
        if (!nh) { rc = CZ_ENOMEM; goto cleanup; }
        head = nh;
        head_cap = head_len + 4;
    }
    crypto_generichash(nb.mine_hash, 32, head + 5, head_len - 5, NULL, 0);
    for (int b = 0; b < 4; b++) head[head_len + (size_t)b] = (uint8_t)(x.n >> (8 * (3 - b)));
    head_len += 4;
    if ((rc = export_carried(&x, &nb.c_cur))) goto cleanup;
    if (!full && nothing_new(stick, peer, info->box_pk, &old, &nb)) {
        res->nothing_new = 1;
        goto cleanup;
    }

    struct export_fill f = { head, head_len, 0, x.items, x.n, SIZE_MAX, pr };
    progress(pr, 0, x.n);
    if ((rc = cz_bundle_write_stream(stick, &p, (uint64_t)head_len + x.bytes, export_fill_cb, &f,
                                     res->path, sizeof res->path, id, &file_len)))
        goto cleanup;
    res->bytes = file_len;
    res->seq = seq;
    progress(pr, x.n, x.n);
    uint64_t drop_from = 0, drop_below = 0;
    int noted = 0;
    memcpy(nb.last_id, id, CZ_ID_BYTES);
    if ((rc = export_supersede(&old, full, seq, have_ack ? &ack : NULL, &nb, &drop_from, &drop_below)))
        goto cleanup;
    /* "Last sent" (cz_sync_last) is noted only now that the bundle is
     * renamed into place and its folder fsynced: an export that failed, or
     * a stick pulled out before the end, does not count as sent.  The note
     * is for the screens only (nothing else reads it), so a failure to
     * write it does not undo an export that is whole on the stick.  The
     * read transaction ends first (one transaction a thread). */
    cz_txn_abort(t);
    t = NULL;
    if (cz_txn_begin(cz_station_store(st), 1, &t) == CZ_OK) {
        char last[96];
        last_name(last, sizeof last, "sent", peer->box);
        if (cz_meta_put_u64(t, last, cz_now_ms()) == CZ_OK && basis_put(t, peer->box, &nb) == CZ_OK)
            noted = cz_txn_commit(t) == CZ_OK;
        else
            cz_txn_abort(t);
        t = NULL;
    }
    /* Only once the note that says what the bundles carried is stored (a
     * failure to remove is left for the next export). */
    if (noted && drop_below > drop_from)
        (void)cz_stick_drop_bundles(stick, peer->box, info->box_pk, drop_from, drop_below, id, &res->superseded);
cleanup:
    if (seq_running) pthread_join(seq_thread, NULL);
    pthread_cond_destroy(&sj.cv);
    pthread_mutex_destroy(&sj.mu);
    cz_txn_abort(t);
    free(head);
    free(x.items);
    free(x.forked);
    free(x.authors);
    free(x.kept);
    cz_vv_free(&mine);
    cz_vv_free(&ack);
    basis_free(&old);
    basis_free(&nb);
    return rc;
}

/* ---- import ----
 *
 * A bundle is streamed, never held: the reader decrypts one 64 KiB chunk at
 * a time, and everything happens inside one write transaction that is
 * committed only after both passes below ended with FINAL at the end of the
 * file, its exact length and the plaintext hash (the signed header fixes
 * the hash, so both passes read the same bytes).  Anything wrong aborts the
 * transaction: the database is as it was.
 *
 *   pass 1  the payload's structure and its version vector (bounded,
 *           decoded as it streams); the root's certificates and
 *           revocations are decoded, verified and applied first, so the
 *           entries they speak for are judged by them; the signer's own
 *           key announcement is noted, and then the header is judged
 *           (sender_judge: whether the vector is the sender's
 *           acknowledgement, what keys not yet certified may bring);
 *   pass 2  every other entry: the main thread decrypts and cuts entries
 *           into batches, worker threads (one per other core) decode and
 *           verify their signatures, and the main thread (helping with the
 *           checks while it waits) applies each batch in bundle order, so
 *           the writes are the same whatever the threads did (admit bounds
 *           keys not yet certified first, then apply_one judges).
 *
 * A refusal found after entries were applied aborts the transaction, so
 * entries refused one by one are told (fn) only after the commit.  When a
 * bundle has several faults the one named is the first met: crypto first,
 * then the payload's structure, its kind, then entries (root ones first).
 *
 * Memory: the import itself holds one chunk, the piece being parsed and
 * NBATCH batches (about 2 MB).  What grows with the bundle is LMDB's write
 * transaction: its dirty pages are malloc'd until the commit (about 120 MB
 * for 100,000 records; LMDB spills them into free pages of the file only
 * past 2^17 pages, 512 MB).  MDB_WRITEMAP would move them into the file
 * mapping and is as durable (msync of the data, then of the meta page), but
 * it grows the data file to the whole 64 GiB map (sparse: a copy onto a FAT
 * stick fails) and a full disk becomes SIGBUS in a page fault instead of an
 * error, and any stray write lands in the database; so it is not used.
 * Committing in several transactions would bound memory but let a crash or
 * a late fault leave half a bundle applied, which the design forbids. */

#define BATCH_N 256
#define BATCH_BYTES (256u * 1024u)
#define NBATCH 4
#define WORKERS_MAX 8
#define CLAIM_NONE ((size_t)1 << (sizeof(size_t) * 8 - 2))
/* The longest entry the wire format allows (entry.h). */
#define ENTRY_WIRE_MAX (109 + 1 + CZ_TYPE_MAX + 1 + CZ_REGION_MAX + 1 + CZ_PARENTS_MAX * CZ_ID_BYTES + 4 + \
                        CZ_BODY_MAX + 64)

struct refusal { uint8_t id[CZ_ID_BYTES], origin[32]; int why; };

struct importer {
    cz_txn *t;
    const struct cz_station_info *info;
    struct cz_import_result *res;
    uint64_t max_hlc;
    /* The log position last applied: the chain check need not read back
     * what was just written. */
    int last_valid;
    uint8_t last_origin[32], last_id[CZ_ID_BYTES];
    uint64_t last_seq;
    struct refusal *refused;
    size_t nrefused, refused_cap;
    const struct cz_progress *pr;     /* entries applied of the bundle's count */
    size_t done, total;
    /* The roster entry of the author last applied (a bundle holds each
     * author's entries one after another): looked up again only for
     * another author or once a trust record has been stored. */
    int roster_valid;
    uint8_t roster_origin[32];
    struct cz_trust_info roster_info;
    /* What the bundle's header vouches for (sender_judge) and the bounds
     * on keys not yet certified (admit): kept apart from apply_one. */
    const struct cz_bundle_header *h;
    int sender;                       /* enum sender_trust */
    int signer_announced;             /* the signer's key announcement was seen (bundle or store) */
    char signer_station[CZ_NAME_MAX]; /* the station it names */
    int signer_replaces;              /* and the key it takes over (a restored station's) */
    uint8_t replaced[32];
    struct pending_key *pend;         /* pending authors met in this bundle, sorted */
    size_t npend, pend_cap;
    struct adm_author *adm;           /* admit's roster cache, sorted by key: entries */
    size_t nadm, adm_cap;             /* come in the store's order, authors interleaved */
    /* Whose entries pass 1 applies: every root of the chain and the pinned
     * root (root_set). */
    uint8_t roots[CZ_ROOT_CHAIN_MAX + 1][32];
    size_t nroots;
    uint8_t roots_done[CZ_ROOT_CHAIN_MAX + 1][32];   /* roots an earlier pass 1 took */
    size_t ndone;
};

/* The chain holds wherever the neighbouring entries are here: ours at
 * seq-1 is the one this names, and ours at seq+1 names this one. */
static int chain_ok(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok)
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_entry next;
    int rc;
    *ok = 1;
    if (e->seq > 1) {
        if (im->last_valid && im->last_seq + 1 == e->seq && !memcmp(im->last_origin, e->origin, 32)) {
            if (memcmp(im->last_id, e->prev, CZ_ID_BYTES)) *ok = 0;
        } else {
            rc = cz_store_log_get(im->t, e->origin, e->seq - 1, at);
            if (rc == CZ_OK && memcmp(at, e->prev, CZ_ID_BYTES)) *ok = 0;
            else if (rc && rc != CZ_ENOTFOUND) return rc;
        }
    } else if (!sodium_is_zero(e->prev, CZ_ID_BYTES)) {
        *ok = 0;
    }
    rc = cz_store_log_get(im->t, e->origin, e->seq + 1, at);
    if (rc == CZ_OK) {
        if ((rc = cz_store_get_entry(im->t, at, &next))) return rc;
        if (memcmp(next.prev, id, CZ_ID_BYTES)) *ok = 0;
    } else if (rc != CZ_ENOTFOUND) {
        return rc;
    }
    return CZ_OK;
}

static void remember_log(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    im->last_valid = 1;
    memcpy(im->last_origin, e->origin, 32);
    memcpy(im->last_id, id, CZ_ID_BYTES);
    im->last_seq = e->seq;
}

static int refuse(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int why)
{
    im->res->refused++;
    if (im->nrefused == im->refused_cap) {
        size_t cap = im->refused_cap ? 2 * im->refused_cap : 16;
        struct refusal *v = realloc(im->refused, cap * sizeof *v);
        if (!v) return CZ_ENOMEM;
        im->refused = v;
        im->refused_cap = cap;
    }
    struct refusal *r = &im->refused[im->nrefused++];
    memcpy(r->id, id, CZ_ID_BYTES);
    memcpy(r->origin, e->origin, 32);
    r->why = why;
    return CZ_OK;
}

/* The roster's word on e's author, looked up again only for another
 * author or after a trust record was stored. */
static int author_of(struct importer *im, const struct cz_entry *e, struct cz_trust_info *ti)
{
    int rc;
    if (!im->roster_valid || memcmp(im->roster_origin, e->origin, 32)) {
        if ((rc = cz_roster_lookup(im->t, im->info->office_root, e->origin, &im->roster_info))) return rc;
        memcpy(im->roster_origin, e->origin, 32);
        im->roster_valid = 1;
    }
    *ti = im->roster_info;
    return CZ_OK;
}

/* A new entry became a version: counted, and this station's clock follows
 * it unless it is more than a day ahead of this PC (PITFALLS: HLC).
 * "Clock ahead" is said of the entry's wall time, which its author's PC
 * read when signing: its hybrid clock cannot go back once it ran ahead,
 * so judging by it would flag every later entry of a station that was
 * wrong for one day. */
static void count_new(struct importer *im, const struct cz_entry *e, enum cz_verdict verdict)
{
    uint64_t now = cz_now_ms();
    im->res->fresh++;
    if (verdict == CZ_VERDICT_PENDING) im->res->pending++;
    if (e->wall > 0 && (uint64_t)e->wall * 1000 > now + HLC_AHEAD_MAX_MS) im->res->clock_ahead++;
    if (e->hlc <= (now + HLC_AHEAD_MAX_MS) << 16 && e->hlc > im->max_hlc) im->max_hlc = e->hlc;
}

/* One entry whose structure and signature were checked: judged by the
 * rule set (authz.h) and kept whatever the verdict; only what is
 * authorised (or pending its author's certificate) becomes a version. */
static int apply_one(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_trust_info ti;
    struct cz_judgement j;
    struct cz_import_result *res = im->res;
    int rc, ok, result;
    /* Already here: nothing to check or report. */
    rc = cz_store_log_get(im->t, e->origin, e->seq, at);
    if (rc == CZ_OK && !memcmp(at, id, CZ_ID_BYTES)) {
        res->duplicate++;
        remember_log(im, e, id);
        return CZ_OK;
    }
    if (rc && rc != CZ_ENOTFOUND) return rc;
    /* A broken chain claims a place in a log it does not fit: not kept. */
    if ((rc = chain_ok(im, e, id, &ok))) return rc;
    if (!ok) return refuse(im, e, id, CZ_ECHAIN);
    if ((rc = author_of(im, e, &ti))) return rc;
    if ((rc = cz_authz_judge(im->t, im->info->office_root, e, &ti, 0, &j))) return rc;
    if (j.verdict == CZ_VERDICT_REFUSED || j.verdict == CZ_VERDICT_HOLD) {
        int state = j.verdict == CZ_VERDICT_REFUSED ? CZ_JUDGED_REFUSED : CZ_JUDGED_HELD;
        if ((rc = cz_store_put_judged(im->t, e, id, state, j.why, &result))) return rc;
        if (result == CZ_PUT_NEW) remember_log(im, e, id);
        if (result == CZ_PUT_FORK) res->forks++;
        if (j.verdict == CZ_VERDICT_HOLD) { res->held++; return CZ_OK; }
        return refuse(im, e, id, j.why);
    }
    if ((rc = cz_store_put_entry(im->t, e, id, &result))) return rc;
    /* What the roster says rests on trust records. */
    const struct cz_type *ety = cz_schema_type(e->type);
    if (result == CZ_PUT_NEW && ety->trust) im->roster_valid = 0;
    if (result == CZ_PUT_NEW) {
        remember_log(im, e, id);
        count_new(im, e, j.verdict);
    } else if (result == CZ_PUT_FORK) {
        res->forks++;
    } else {
        res->duplicate++;
    }
    return CZ_OK;
}

/* Entries held for what they name are judged again once a bundle is in:
 * a member that came before its household within one bundle, or over two
 * sticks.  Repeated while anything is released (a release can free the
 * next). */
struct held_list { uint8_t (*ids)[CZ_ID_BYTES]; size_t n, cap; };

static int held_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct held_list *h = ctx;
    if (state != CZ_JUDGED_HELD) return 0;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        if (cap > SIZE_MAX / CZ_ID_BYTES) return CZ_ENOMEM;
        void *v = realloc(h->ids, cap * CZ_ID_BYTES);
        if (!v) return CZ_ENOMEM;
        h->ids = v;
        h->cap = cap;
    }
    memcpy(h->ids[h->n++], id, CZ_ID_BYTES);
    return 0;
}

static int rejudge_held(struct importer *im)
{
    struct held_list h = { NULL, 0, 0 };
    size_t released;
    int rc;
    do {
        released = 0;
        h.n = 0;
        if ((rc = cz_store_each_judged(im->t, held_cb, &h))) break;
        for (size_t i = 0; i < h.n && !rc; i++) {
            struct cz_entry e;
            struct cz_trust_info ti;
            struct cz_judgement j;
            im->roster_valid = 0;
            if ((rc = cz_store_get_entry(im->t, h.ids[i], &e)) || (rc = author_of(im, &e, &ti)) ||
                (rc = cz_authz_judge(im->t, im->info->office_root, &e, &ti, 0, &j)))
                break;
            if (j.verdict == CZ_VERDICT_HOLD) continue;
            if (j.verdict == CZ_VERDICT_REFUSED) {
                if ((rc = cz_store_judged_set(im->t, h.ids[i], CZ_JUDGED_REFUSED, j.why))) break;
                if (im->res->held) im->res->held--;
                rc = refuse(im, &e, h.ids[i], j.why);
                continue;
            }
            if ((rc = cz_store_release(im->t, &e, h.ids[i]))) break;
            if (im->res->held) im->res->held--;
            else im->res->released++;       /* held by an earlier bundle */
            count_new(im, &e, j.verdict);
            released++;
        }
    } while (!rc && released);
    free(h.ids);
    return rc;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int take(cz_bundle_reader *r, size_t n, const uint8_t **p)
{
    return cz_bundle_reader_take(r, n, p);
}

/* Failures of this machine rather than of the bundle. */
static int local_failure(int status)
{
    return status == CZ_EIO || status == CZ_ENOMEM;
}

/* The payload up to its entries: "CZP", version, kind, the vector (decoded
 * into *vv as it streams by, bounded as bundle.h says; vv NULL: checked
 * and skipped) and the entry count. */
static int payload_head(cz_bundle_reader *r, uint8_t *kind, struct cz_vv *vv, uint32_t *n)
{
    const uint8_t *p;
    int rc;
    if (cz_bundle_reader_left(r) < 5) return CZ_ETRUNC;
    if ((rc = take(r, 5, &p))) return rc;
    if (memcmp(p, "CZP", 3)) return CZ_EMAGIC;
    if (p[3] != 1) return p[3] < 1 ? CZ_EOLDFORMAT : CZ_EVERSION;
    *kind = p[4];
    if (*kind != CZ_PAYLOAD_SYNC && *kind != CZ_PAYLOAD_BACKUP) return CZ_EVERSION;
    if ((rc = cz_vv_decode_reader(r, vv))) return rc;
    if (cz_bundle_reader_left(r) < 4) return CZ_ETRUNC;
    if ((rc = take(r, 4, &p))) return rc;
    *n = be32(p);
    if (*n > cz_bundle_reader_left(r) / 4) return CZ_ETRUNC;
    return CZ_OK;
}

/* The next entry's length and bytes.  An entry longer than the format
 * allows is not held: its first ENTRY_WIRE_MAX bytes name the fault the
 * whole would (*bad), and the rest is skipped. */
static int next_entry(cz_bundle_reader *r, const uint8_t **p, size_t *len, int *bad)
{
    const uint8_t *q;
    int rc;
    *bad = CZ_OK;
    if (cz_bundle_reader_left(r) < 4) return CZ_ETRUNC;
    if ((rc = take(r, 4, &q))) return rc;
    uint32_t l = be32(q);
    if (l > cz_bundle_reader_left(r)) return CZ_ETRUNC;
    *len = l;
    if (l <= ENTRY_WIRE_MAX) return take(r, l, p);
    struct cz_entry e;
    if ((rc = take(r, ENTRY_WIRE_MAX, &q))) return rc;
    int why = cz_entry_parse(q, ENTRY_WIRE_MAX, &e);
    *bad = why == CZ_OK || why == CZ_ETRUNC ? CZ_ECANON : why;   /* the whole has trailing bytes */
    for (size_t left = l - ENTRY_WIRE_MAX; left;) {
        size_t k = left < 65536 ? left : 65536;
        if ((rc = take(r, k, &q))) return rc;
        left -= k;
    }
    *p = NULL;
    return CZ_OK;
}

static int is_root(const uint8_t *p, size_t len, const struct importer *im)
{
    if (!p || len < 36) return 0;
    for (size_t i = 0; i < im->nroots; i++)
        if (!memcmp(p + 4, im->roots[i], 32)) return 1;
    return 0;
}

/* The roots pass 1 takes first: the chain as the roster walks it now, and
 * the pinned root. */
static int root_set(struct importer *im)
{
    struct cz_root_link chain[CZ_ROOT_CHAIN_MAX];
    size_t n;
    int rc = cz_roster_chain(im->t, im->info->office_root, chain, CZ_ROOT_CHAIN_MAX, &n);
    if (rc) return rc;
    im->nroots = 0;
    int pinned = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(im->roots[im->nroots++], chain[i].key, 32);
        pinned |= !memcmp(chain[i].key, im->info->office_root, 32);
    }
    if (!pinned) memcpy(im->roots[im->nroots++], im->info->office_root, 32);
    return CZ_OK;
}

static int check_entry(const uint8_t *p, size_t len, struct cz_entry *e, uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_entry_decode(p, len, e);
    if (rc == CZ_OK) rc = cz_entry_verify(e);
    if (rc == CZ_OK) cz_entry_id(p, len, id);
    return rc;
}

/* ---- what a bundle's header vouches for ----
 *
 * Both box keys are in every clear header, so the sender a header names is
 * only a claim.  It is believed when the header's signer is a certified
 * person of that station (a `cert` whose `station` is the one the station
 * key's own certificate names, and whose jurisdiction lies inside the
 * station's; station keys only encrypt), or, for the
 * office's key, the root or a person certified with the office role.
 * Only then is the bundle's vector taken as that station's
 * acknowledgement (sender_ack).  Otherwise:
 *   - a certified signer for another station: the entries are judged one
 *     by one as ever (each is signed by its author), the vector is not kept;
 *   - a pending signer whose own key announcement (its log's first entry,
 *     in this bundle or here already) names the station of the sending
 *     key, or a sending key not certified at all (a new station before its
 *     enrolment, a restored one before its new key's): its work is kept
 *     pending, bounded, the vector not kept;
 *   - any other pending signer brings only key announcements.
 * Entries of keys not yet certified are bounded whoever carries them
 * (admit): PENDING_ENTRIES_MAX entries or PENDING_BYTES_MAX bytes a key
 * (the count is the log's seq, the bytes are kept in meta
 * "pending_bytes:<key hex>"), PENDING_KEYS_MAX such keys a bundle; and the
 * office never forwards them (export skips uncertified authors). */
enum sender_trust { SENDER_ACK, SENDER_ENTRIES, SENDER_PENDING, SENDER_UNCERT };

#define PENDING_ENTRIES_MAX 100000u
#define PENDING_BYTES_MAX (64u * 1024u * 1024u)
#define PENDING_KEYS_MAX 256u

struct pending_key { uint8_t origin[32]; uint64_t bytes; int loaded; };
struct adm_author { uint8_t origin[32]; enum cz_trust state; };

/* What the roster says of an author, looked up once per author until a
 * trust record comes (admit empties the table then). */
static int adm_state(struct importer *im, const uint8_t origin[32], enum cz_trust *state)
{
    size_t lo = 0, hi = im->nadm;
    struct cz_trust_info ti;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(im->adm[mid].origin, origin, 32);
        if (c == 0) { *state = im->adm[mid].state; return CZ_OK; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    int rc = cz_roster_lookup(im->t, im->info->office_root, origin, &ti);
    if (rc) return rc;
    *state = ti.state;
    if (im->nadm == im->adm_cap) {
        size_t cap = im->adm_cap ? 2 * im->adm_cap : 64;
        struct adm_author *v = realloc(im->adm, cap * sizeof *v);
        if (!v) return CZ_ENOMEM;
        im->adm = v;
        im->adm_cap = cap;
    }
    memmove(im->adm + lo + 1, im->adm + lo, (im->nadm - lo) * sizeof *im->adm);
    im->nadm++;
    memcpy(im->adm[lo].origin, origin, 32);
    im->adm[lo].state = ti.state;
    return CZ_OK;
}

/* The station a key announcement of `key` names, and the key it replaces
 * (*replaces 1); 0 when e is not one. */
static int announced_station(const struct cz_entry *e, const uint8_t key[32], char *out, size_t size,
                             int *replaces, uint8_t replaced[32])
{
    const struct cz_type *ty = cz_schema_type("key");
    cz_body *b = NULL;
    const uint8_t *k;
    const char *st;
    size_t len;
    int ok = 0;
    if (strcmp(e->type, "key") || !ty || cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return 0;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "key")->tag, &k, &len) == CZ_OK && len == 32 && !memcmp(k, key, 32)) {
        out[0] = 0;
        if (cz_body_get_text(b, cz_schema_field(ty, "station")->tag, &st, &len) == CZ_OK)
            snprintf(out, size, "%.*s", (int)len, st);
        ok = out[0] != 0;
        *replaces = cz_body_get_bytes(b, cz_schema_field(ty, "replaces")->tag, &k, &len) == CZ_OK && len == 32;
        if (*replaces) memcpy(replaced, k, 32);
    }
    cz_body_free(b);
    return ok;
}

/* Pass 1 sees every entry: the signer's own key announcement (its log's
 * first entry) is noted, so the header is judged before pass 2 applies
 * anything.  Only seq 1 of the signer is decoded and verified. */
static void sender_note(struct importer *im, const uint8_t *p, size_t len)
{
    const uint8_t *origin;
    uint64_t seq;
    char region[CZ_REGION_MAX + 1];
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    if (!im->h || im->signer_announced || !p || cz_entry_peek(p, len, &origin, &seq, region) != CZ_OK) return;
    if (seq != 1 || memcmp(origin, im->h->signer, 32)) return;
    if (check_entry(p, len, &e, id) == CZ_OK &&
        announced_station(&e, im->h->signer, im->signer_station, sizeof im->signer_station,
                          &im->signer_replaces, im->replaced))
        im->signer_announced = 1;
}

/* The station a certificate names (`station`, else its `name`). */
static const char *cert_station(const struct cz_trust_info *ti)
{
    return ti->station[0] ? ti->station : ti->name;
}

/* After pass 1 (the root's certificates are stored by then). */
static int sender_judge(struct importer *im)
{
    const struct cz_bundle_header *h = im->h;
    const struct cz_station_info *info = im->info;
    struct cz_trust_info sig, box;
    int rc;
    if ((rc = cz_roster_lookup(im->t, info->office_root, h->signer, &sig)) ||
        (rc = cz_roster_lookup(im->t, info->office_root, h->sender_box, &box)))
        return rc;
    int office_box = !memcmp(h->sender_box, info->office_box, 32);
    int box_ok = box.state == CZ_TRUST_CERTIFIED && !box.revoked;
    im->sender = SENDER_ENTRIES;
    if (!memcmp(h->sender_box, info->box_pk, 32)) return CZ_OK;   /* "from ourselves": never an acknowledgement */
    if (sig.state == CZ_TRUST_ROOT) {
        if (office_box) im->sender = SENDER_ACK;
        return CZ_OK;
    }
    /* What the signer's own announcement says, from the bundle (pass 1)
     * or from an earlier one. */
    if (!im->signer_announced) {
        uint8_t at[CZ_ID_BYTES];
        struct cz_entry e;
        rc = cz_store_log_get(im->t, h->signer, 1, at);
        if (rc == CZ_OK && (rc = cz_store_get_entry(im->t, at, &e)) == CZ_OK)
            im->signer_announced = announced_station(&e, h->signer, im->signer_station, sizeof im->signer_station,
                                                     &im->signer_replaces, im->replaced);
        if (rc && rc != CZ_ENOTFOUND) return rc;
    }
    if (sig.state == CZ_TRUST_CERTIFIED) {
        /* The office's people are certified for the office's station too
         * (its key's certificate arrives with its first bundle); an
         * office-role person speaks for the office whatever it names. */
        if ((box_ok && sig.station[0] && !strcmp(sig.station, cert_station(&box)) &&
             cz_region_under(sig.region, box.region)) ||
            (office_box && !strcmp(sig.role, "office")))
            im->sender = SENDER_ACK;
        return CZ_OK;
    }
    im->sender = SENDER_UNCERT;
    if (!im->signer_announced || office_box) return CZ_OK;
    if (box.state == CZ_TRUST_PENDING || (box_ok && !strcmp(im->signer_station, cert_station(&box))))
        im->sender = SENDER_PENDING;
    return CZ_OK;
}

static int pending_slot(struct importer *im, const uint8_t origin[32], struct pending_key **out)
{
    size_t lo = 0, hi = im->npend;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(im->pend[mid].origin, origin, 32);
        if (c == 0) { *out = &im->pend[mid]; return CZ_OK; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    if (im->npend == PENDING_KEYS_MAX) return CZ_EPENDINGMAX;
    if (im->npend == im->pend_cap) {
        size_t cap = im->pend_cap ? 2 * im->pend_cap : 8;
        struct pending_key *v = realloc(im->pend, cap * sizeof *v);
        if (!v) return CZ_ENOMEM;
        im->pend = v;
        im->pend_cap = cap;
    }
    memmove(im->pend + lo + 1, im->pend + lo, (im->npend - lo) * sizeof *im->pend);
    im->npend++;
    memset(&im->pend[lo], 0, sizeof im->pend[lo]);
    memcpy(im->pend[lo].origin, origin, 32);
    *out = &im->pend[lo];
    return CZ_OK;
}

static void pending_meta_name(char *buf, size_t size, const uint8_t origin[32])
{
    char hex[65];
    cz_hex(origin, 32, hex);
    snprintf(buf, size, "pending_bytes:%s", hex);
}

/* Before apply_one, for the entries of keys not yet certified: *ok 0 when
 * refused here (told as apply_one's refusals are).  apply_one's own
 * judgement is not repeated. */
static int admit(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok)
{
    struct pending_key *pk;
    const struct cz_type *ty = cz_schema_type(e->type);
    uint8_t at[CZ_ID_BYTES];
    enum cz_trust state;
    int rc;
    *ok = 1;
    if ((rc = adm_state(im, e->origin, &state))) return rc;
    /* A trust record may change what the roster says of anyone. */
    if (!ty || ty->trust) im->nadm = 0;
    if (state != CZ_TRUST_PENDING) return CZ_OK;
    /* Already here: apply_one counts it as a duplicate, nothing grows. */
    rc = cz_store_log_get(im->t, e->origin, e->seq, at);
    if (rc == CZ_OK && !memcmp(at, id, CZ_ID_BYTES)) return CZ_OK;
    if (rc && rc != CZ_ENOTFOUND) return rc;
    *ok = 0;
    if ((rc = pending_slot(im, e->origin, &pk)) == CZ_EPENDINGMAX) return refuse(im, e, id, CZ_EPENDINGMAX);
    if (rc) return rc;
    if (im->sender == SENDER_UNCERT && strcmp(e->type, "key")) return refuse(im, e, id, CZ_EUNCERT);
    if (!pk->loaded) {
        char name[96];
        pending_meta_name(name, sizeof name, e->origin);
        if ((rc = cz_meta_get_u64(im->t, name, &pk->bytes)) && rc != CZ_ENOTFOUND) return rc;
        pk->loaded = 1;
    }
    if (e->seq > PENDING_ENTRIES_MAX || pk->bytes + e->raw_len > PENDING_BYTES_MAX)
        return refuse(im, e, id, CZ_EPENDINGMAX);
    pk->bytes += e->raw_len;
    *ok = 1;
    return CZ_OK;
}

/* In the import's transaction, before the commit. */
static int pending_save(struct importer *im)
{
    for (size_t i = 0; i < im->npend; i++) {
        char name[96];
        int rc;
        if (!im->pend[i].loaded) continue;
        pending_meta_name(name, sizeof name, im->pend[i].origin);
        if ((rc = cz_meta_put_u64(im->t, name, im->pend[i].bytes))) return rc;
    }
    return CZ_OK;
}

/* The acknowledgement a trusted sender's vector gives: it only moves
 * forward (what was stored for the peer stays) and only over positions
 * held here (what we could have sent it; a claim beyond that, or an origin
 * unknown here, is dropped), so a bundle can neither stop what would be
 * sent nor store more than this station's own vector.
 *
 * It moves back only on a restore notice: a restored station signs with a
 * new key whose announcement names the key it replaces (station.c,
 * rekey); the first bundle that key signs once the office has certified
 * it, when the replaced key was certified for the same station, sets the
 * acknowledgement to what the station holds now, so what it lost is sent
 * again.  Once per key (meta "ack_reset:<key hex>"): later bundles merge. */
static int restore_notice(struct importer *im, int *reset)
{
    struct cz_trust_info old, box;
    char name[96], hex[65];
    uint64_t done;
    int rc;
    *reset = 0;
    if (!im->signer_replaces || !memcmp(im->h->sender_box, im->info->office_box, 32)) return CZ_OK;
    if ((rc = cz_roster_lookup(im->t, im->info->office_root, im->replaced, &old)) ||
        (rc = cz_roster_lookup(im->t, im->info->office_root, im->h->sender_box, &box)))
        return rc;
    if (old.state != CZ_TRUST_CERTIFIED || !old.station[0] || strcmp(old.station, cert_station(&box))) return CZ_OK;
    cz_hex(im->h->signer, 32, hex);
    snprintf(name, sizeof name, "ack_reset:%s", hex);
    if ((rc = cz_meta_get_u64(im->t, name, &done)) == CZ_OK) return CZ_OK;
    if (rc != CZ_ENOTFOUND) return rc;
    *reset = 1;
    return cz_meta_put_u64(im->t, name, 1);
}
struct ack_ctx { const struct cz_vv *claim, *stored; struct cz_vv *out; };

static int ack_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct ack_ctx *a = ctx;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    uint64_t seq = seq_of(key);
    if (cz_vv_has(a->claim, key, seq) || (a->stored && cz_vv_has(a->stored, key, seq)))
        return cz_vv_add(a->out, key, seq, val);
    return 0;
}

static int sender_ack(struct importer *im, const struct cz_vv *claim)
{
    struct cz_vv stored = { 0 }, out = { 0 };
    const void *v;
    size_t len, pos = 0, vcap = 0, vlen = 0;
    uint8_t *vbuf = NULL;
    int have = 0, reset;
    int rc = restore_notice(im, &reset);
    if (rc) return rc;
    if (!reset && (rc = cz_store_peer_get(im->t, im->h->sender_box, &v, &len)) == CZ_OK)
        have = cz_vv_decode(v, len, &pos, &stored) == CZ_OK;
    else if (!reset && rc != CZ_ENOTFOUND) return rc;
    struct ack_ctx a = { claim, have ? &stored : NULL, &out };
    if ((rc = cz_store_each_log(im->t, ack_cb, &a)) == CZ_OK &&
        (rc = cz_vv_encode(&out, &vbuf, &vlen, &vcap)) == CZ_OK)
        rc = cz_store_peer_put(im->t, im->h->sender_box, vbuf, vlen);
    free(vbuf);
    cz_vv_free(&out);
    cz_vv_free(&stored);
    return rc;
}

/* A root entry of the bundle, applied once the whole bundle is read. */
struct root_item { size_t chain; uint64_t seq; size_t off, len; };

static int root_item_cmp(const void *a, const void *b)
{
    const struct root_item *x = a, *y = b;
    if (x->chain != y->chain) return x->chain < y->chain ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pass 1.  *status: the bundle's refusal; the return value: local failures.
 * The root entries are applied in the chain's order and each root's log
 * order, whatever the bundle's: a rollover then meets everything its root
 * signed before it (the countersigner's certificate, a revocation), and
 * what its root signed after it meets the rollover (CZ_ERETIRED).  They
 * are few (certificates and revocations), so they are held in memory. */
static int pass_root(struct importer *im, cz_bundle_reader *r, struct cz_vv *vv, int *status)
{
    uint8_t kind = 0, id[CZ_ID_BYTES], *arena = NULL;
    size_t len, used = 0, cap = 0, nitems = 0, items_cap = 0;
    uint32_t n = 0;
    int perr, eerr = CZ_OK, bad, rc = CZ_OK;
    const uint8_t *p;
    struct cz_entry e;
    struct root_item *items = NULL;

    perr = payload_head(r, &kind, vv, &n);
    for (uint32_t i = 0; perr == CZ_OK && i < n; i++) {
        if ((perr = next_entry(r, &p, &len, &bad))) break;
        if (kind == CZ_PAYLOAD_SYNC && !bad) sender_note(im, p, len);
        if (eerr || kind != CZ_PAYLOAD_SYNC || !is_root(p, len, im)) continue;
        size_t chain = 0, d = 0;
        while (p && d < im->ndone && memcmp(p + 4, im->roots_done[d], 32)) d++;
        if (p && d < im->ndone) continue;               /* applied by an earlier pass 1 */
        if ((eerr = bad) || (eerr = check_entry(p, len, &e, id))) continue;
        if (nitems == items_cap) {
            size_t c = items_cap ? 2 * items_cap : 64;
            struct root_item *v = realloc(items, c * sizeof *v);
            if (!v) { rc = CZ_ENOMEM; goto cleanup; }
            items = v;
            items_cap = c;
        }
        if (used + len > cap) {
            /* Grown by copying, so no plaintext is left behind unwiped. */
            size_t c = cap ? cap : 65536;
            while (c < used + len) c *= 2;
            uint8_t *a = malloc(c);
            if (!a) { rc = CZ_ENOMEM; goto cleanup; }
            if (arena) {
                memcpy(a, arena, used);
                sodium_memzero(arena, cap);
                free(arena);
            }
            arena = a;
            cap = c;
        }
        while (chain < im->nroots && memcmp(e.origin, im->roots[chain], 32)) chain++;
        items[nitems++] = (struct root_item){ chain, e.seq, used, len };
        memcpy(arena + used, p, len);
        used += len;
    }
    if (perr == CZ_OK && cz_bundle_reader_left(r)) perr = CZ_ETRAILING;
    int fin = cz_bundle_reader_finish(r);
    *status = fin ? fin : perr ? perr : kind != CZ_PAYLOAD_SYNC ? CZ_ETYPE : eerr;
    if (local_failure(*status)) { rc = *status; *status = CZ_OK; }
    if (rc || *status) goto cleanup;
    if (nitems) qsort(items, nitems, sizeof *items, root_item_cmp);
    for (size_t i = 0; i < nitems && !rc; i++) {
        /* Verified as it was read; only laid out again here. */
        if ((rc = cz_entry_decode(arena + items[i].off, items[i].len, &e))) break;
        cz_entry_id(arena + items[i].off, items[i].len, id);
        rc = apply_one(im, &e, id);
    }
cleanup:
    if (arena) sodium_memzero(arena, cap);
    free(arena);
    free(items);
    return rc;
}

/* ---- pass 2: checks in parallel, writes in order ---- */

struct chk { struct cz_entry e; uint8_t id[CZ_ID_BYTES]; size_t off, len; int status; };
struct batch {
    struct chk ent[BATCH_N];
    uint8_t *arena;
    size_t used, cap;
    size_t fill;                      /* entries while filling (main thread only) */
    atomic_size_t n, next, done;      /* published count, next to claim, checked */
};
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct batch *b;                  /* NBATCH */
    size_t head, fill;                /* b[head..fill) published, oldest first */
    atomic_int quit;
    pthread_t th[WORKERS_MAX];
    size_t nth;
};

static void check_claimed(struct pool *pl, struct batch *b)
{
    size_t i;
    while (!atomic_load_explicit(&pl->quit, memory_order_relaxed) &&
           (i = atomic_fetch_add(&b->next, 1)) < atomic_load(&b->n)) {
        struct chk *c = &b->ent[i];
        if (c->status == CZ_OK) c->status = check_entry(b->arena + c->off, c->len, &c->e, c->id);
        if (atomic_fetch_add(&b->done, 1) + 1 == atomic_load(&b->n)) {
            pthread_mutex_lock(&pl->mu);
            pthread_cond_broadcast(&pl->done);
            pthread_mutex_unlock(&pl->mu);
        }
    }
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    pthread_mutex_lock(&pl->mu);
    while (!atomic_load(&pl->quit)) {
        struct batch *b = NULL;
        for (size_t k = pl->head; k < pl->fill && !b; k++)
            if (atomic_load(&pl->b[k % NBATCH].next) < atomic_load(&pl->b[k % NBATCH].n)) b = &pl->b[k % NBATCH];
        if (!b) {
            pthread_cond_wait(&pl->work, &pl->mu);
            continue;
        }
        pthread_mutex_unlock(&pl->mu);
        check_claimed(pl, b);
        pthread_mutex_lock(&pl->mu);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

static int pool_start(struct pool *pl)
{
    memset(pl, 0, sizeof *pl);
    if (!(pl->b = calloc(NBATCH, sizeof *pl->b))) return CZ_ENOMEM;
    for (size_t k = 0; k < NBATCH; k++) {
        atomic_init(&pl->b[k].n, 0);
        atomic_init(&pl->b[k].next, CLAIM_NONE);
        atomic_init(&pl->b[k].done, 0);
    }
    atomic_init(&pl->quit, 0);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)(cpus - 1) : 0;
    if (want > WORKERS_MAX) want = WORKERS_MAX;
    /* A thread that cannot start leaves its share to the main thread. */
    while (pl->nth < want && pthread_create(&pl->th[pl->nth], NULL, worker, pl) == 0) pl->nth++;
    return CZ_OK;
}

static void pool_stop(struct pool *pl)
{
    if (!pl->b) return;
    pthread_mutex_lock(&pl->mu);
    atomic_store(&pl->quit, 1);
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (size_t k = 0; k < pl->nth; k++) pthread_join(pl->th[k], NULL);
    for (size_t k = 0; k < NBATCH; k++) {
        if (pl->b[k].arena) sodium_memzero(pl->b[k].arena, pl->b[k].cap);
        free(pl->b[k].arena);
    }
    free(pl->b);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->work);
    pthread_cond_destroy(&pl->done);
    pl->b = NULL;
}

static void publish(struct pool *pl)
{
    struct batch *b = &pl->b[pl->fill % NBATCH];
    pthread_mutex_lock(&pl->mu);
    atomic_store(&b->done, 0);
    atomic_store(&b->n, b->fill);
    atomic_store(&b->next, 0);
    pl->fill++;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
}

/* Applies the oldest published batch, checking alongside the workers
 * first.  *eerr: the first entry that failed its checks (nothing after it
 * is applied). */
static int drain(struct pool *pl, struct importer *im, int *eerr)
{
    struct batch *b = &pl->b[pl->head % NBATCH];
    size_t n = atomic_load(&b->n);
    int rc = CZ_OK;
    check_claimed(pl, b);
    pthread_mutex_lock(&pl->mu);
    while (atomic_load(&b->done) < n) pthread_cond_wait(&pl->done, &pl->mu);
    pthread_mutex_unlock(&pl->mu);
    for (size_t i = 0; i < n && !rc && !*eerr; i++) {
        int ok = 1;
        if (b->ent[i].status) *eerr = b->ent[i].status;
        else if ((rc = admit(im, &b->ent[i].e, b->ent[i].id, &ok)) == CZ_OK && ok)
            rc = apply_one(im, &b->ent[i].e, b->ent[i].id);
    }
    im->done += n;
    progress(im->pr, im->done, im->total);
    pthread_mutex_lock(&pl->mu);
    atomic_store(&b->next, CLAIM_NONE);
    atomic_store(&b->n, 0);
    b->fill = 0;
    b->used = 0;
    pl->head++;
    pthread_mutex_unlock(&pl->mu);
    return rc;
}

/* Pass 2, on a rewound reader whose structure pass 1 checked. */
static int pass_rest(struct importer *im, cz_bundle_reader *r, int *status)
{
    struct pool pl;
    uint8_t kind;
    uint32_t n = 0;
    size_t len;
    const uint8_t *p;
    int perr, eerr = CZ_OK, bad, rc;

    if ((rc = pool_start(&pl))) return rc;
    perr = payload_head(r, &kind, NULL, &n);
    im->total = n;
    progress(im->pr, 0, n);
    for (uint32_t i = 0; perr == CZ_OK && !rc && !eerr && i < n; i++) {
        if ((perr = next_entry(r, &p, &len, &bad))) break;
        if (is_root(p, len, im)) continue;
        size_t copy = p ? len : 0;     /* an entry too long to hold has its fault already */
        struct batch *b = &pl.b[pl.fill % NBATCH];
        if (b->fill == BATCH_N || (b->fill && b->used + copy > BATCH_BYTES)) {
            publish(&pl);
            if (pl.fill - pl.head == NBATCH) rc = drain(&pl, im, &eerr);
            b = &pl.b[pl.fill % NBATCH];
            if (rc || eerr) break;
        }
        if (b->used + copy > b->cap) {
            /* Grown by copying, so no plaintext is left behind unwiped. */
            size_t cap = b->cap ? b->cap : BATCH_BYTES;
            while (cap < b->used + copy) cap *= 2;
            uint8_t *a = malloc(cap);
            if (!a) { rc = CZ_ENOMEM; break; }
            if (b->arena) {
                memcpy(a, b->arena, b->used);
                sodium_memzero(b->arena, b->cap);
                free(b->arena);
            }
            b->arena = a;
            b->cap = cap;
        }
        struct chk *c = &b->ent[b->fill++];
        c->off = b->used;
        c->len = len;
        c->status = bad;
        if (copy) memcpy(b->arena + b->used, p, copy);
        b->used += copy;
    }
    if (!rc && !eerr && perr == CZ_OK && pl.b[pl.fill % NBATCH].fill) publish(&pl);
    while (!rc && !eerr && pl.head < pl.fill) rc = drain(&pl, im, &eerr);
    pool_stop(&pl);
    if (rc) return rc;
    if (perr == CZ_OK && !eerr && cz_bundle_reader_left(r)) perr = CZ_ETRAILING;
    int fin = cz_bundle_reader_finish(r);
    *status = fin ? fin : perr ? perr : eerr;
    if (local_failure(*status)) { rc = *status; *status = CZ_OK; }
    return rc;
}

static int import_reader(cz_station *st, cz_bundle_reader *r, const struct cz_bundle_header *h, int hrc,
                         cz_refused_fn fn, void *ctx, const struct cz_progress *pr,
                         struct cz_import_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    struct importer im = { 0 };
    struct cz_vv vv = { 0 };
    cz_txn *t = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    if ((res->status = hrc)) return CZ_OK;
    memcpy(res->id, h->id, CZ_ID_BYTES);
    memcpy(res->sender_box, h->sender_box, 32);
    memcpy(res->signer, h->signer, 32);
    res->seq = h->seq;
    if (!cz_bundle_addressed_to(h, info->box_pk)) { res->status = CZ_ENOTFORUS; return CZ_OK; }
    if (!sec) return CZ_EPERM;

    /* Cheap refusals before any decryption. */
    struct cz_trust_info ti;
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    rc = cz_store_seen_get(t, h->id, NULL, NULL);
    if (rc == CZ_OK) res->status = CZ_ESEEN;
    else if (rc != CZ_ENOTFOUND) goto cleanup;
    else if ((rc = cz_roster_lookup(t, info->office_root, h->signer, &ti))) goto cleanup;
    else if (ti.revoked) res->status = CZ_EREVOKED;
    cz_txn_abort(t);
    t = NULL;
    rc = CZ_OK;
    if (res->status) goto cleanup;

    if ((res->status = cz_bundle_reader_unlock(r, info->box_pk, cz_secrets_box_sk(sec)))) {
        if (res->status == CZ_ENOMEM) { rc = CZ_ENOMEM; res->status = CZ_OK; }
        goto cleanup;
    }
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) goto cleanup;
    if (cz_store_seen_get(t, h->id, NULL, NULL) == CZ_OK) { res->status = CZ_ESEEN; goto cleanup; }
    im.t = t;
    im.info = info;
    im.res = res;
    im.pr = pr;
    im.h = h;
    if ((rc = root_set(&im)) || (rc = pass_root(&im, r, &vv, &res->status)) || res->status) goto cleanup;
    /* A rollover applied: the new root's entries (certificates made since)
     * are root entries too, taken in another pass 1 before anything they
     * speak for (once per rollover in the bundle). */
    for (;;) {
        size_t before = im.nroots;
        memcpy(im.roots_done, im.roots, sizeof im.roots);
        im.ndone = im.nroots;
        if ((rc = root_set(&im))) goto cleanup;
        if (im.nroots == before) break;
        if ((rc = cz_bundle_reader_rewind(r))) goto cleanup;
        if ((rc = pass_root(&im, r, NULL, &res->status)) || res->status) goto cleanup;
    }
    if ((rc = sender_judge(&im))) goto cleanup;
    res->sender_trusted = im.sender == SENDER_ACK;
    if ((rc = cz_bundle_reader_rewind(r))) goto cleanup;
    im.last_valid = 0;
    im.roster_valid = 0;
    /* Pass 2 stores thousands of new records: their index terms are put
     * in sorted batches (before any index read, and on commit). */
    if ((rc = cz_store_defer_index(t))) goto cleanup;
    if ((rc = pass_rest(&im, r, &res->status)) || res->status) goto cleanup;
    if ((rc = rejudge_held(&im))) goto cleanup;

    uint64_t local_hlc = 0;
    uint8_t note[40];
    memcpy(note, h->sender_box, 32);
    for (int i = 7; i >= 0; i--) note[32 + i] = (uint8_t)(h->seq >> (8 * (7 - i)));
    if ((rc = cz_store_seen_put(t, h->id, note, sizeof note))) goto cleanup;
    char last[96];
    last_name(last, sizeof last, "received", h->sender_box);
    if ((rc = cz_meta_put_u64(t, last, cz_now_ms()))) goto cleanup;
    /* What the sender holds is what it acknowledges (the next export to it
     * leaves that out), when the header vouches for the sender. */
    if (im.sender == SENDER_ACK && (rc = sender_ack(&im, &vv))) goto cleanup;
    if ((rc = pending_save(&im))) goto cleanup;
    /* The rollovers that count, pinned in the same transaction. */
    if ((rc = cz_station_pin_root(t, info->office_root, res->root, &res->root_changed))) goto cleanup;
    if ((rc = cz_meta_get_u64(t, "hlc", &local_hlc)) && rc != CZ_ENOTFOUND) goto cleanup;
    if (im.max_hlc > local_hlc && (rc = cz_meta_put_u64(t, "hlc", im.max_hlc))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK && res->root_changed) rc = cz_station_reload(st);
    if (rc == CZ_OK && fn)
        for (size_t i = 0; i < im.nrefused; i++) fn(ctx, im.refused[i].id, im.refused[i].origin, im.refused[i].why);
    if (rc == CZ_OK) progress(pr, im.total, im.total);
cleanup:
    cz_txn_abort(t);
    /* A refusal after entries were counted changed nothing: say so. */
    if (rc || (res->status && res->status != CZ_ESEEN))
        res->fresh = res->duplicate = res->pending = res->forks = res->refused = res->clock_ahead =
            res->held = res->released = 0;
    free(im.refused);
    free(im.pend);
    free(im.adm);
    cz_vv_free(&vv);
    return rc;
}

int cz_sync_import(cz_station *st, const uint8_t *buf, size_t len, cz_refused_fn fn, void *ctx,
                   struct cz_import_result *res)
{
    return cz_sync_import_with(st, buf, len, fn, ctx, NULL, res);
}

int cz_sync_import_with(cz_station *st, const uint8_t *buf, size_t len, cz_refused_fn fn, void *ctx,
                        const struct cz_progress *pr, struct cz_import_result *res)
{
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    int hrc = cz_bundle_reader_open_mem(buf, len, &r, &h);
    if (hrc == CZ_ENOMEM) { cz_bundle_reader_close(r); memset(res, 0, sizeof *res); return CZ_ENOMEM; }
    int rc = import_reader(st, r, &h, hrc, fn, ctx, pr, res);
    cz_bundle_reader_close(r);
    return rc;
}

int cz_sync_import_file(cz_station *st, const char *path, cz_refused_fn fn, void *ctx,
                        struct cz_import_result *res)
{
    return cz_sync_import_file_with(st, path, fn, ctx, NULL, res);
}

int cz_sync_import_file_with(cz_station *st, const char *path, cz_refused_fn fn, void *ctx,
                             const struct cz_progress *pr, struct cz_import_result *res)
{
    cz_bundle_reader *r = NULL;
    struct cz_bundle_header h;
    struct stat sb;
    int fd;
    memset(res, 0, sizeof *res);
    /* Regular files only, never through a symlink: a FIFO or a link on a
     * stick is refused by name (CZ_ENOTPLAIN) instead of hanging or
     * reading some file of this PC. */
    int orc = cz_fs_open_regular(AT_FDCWD, path, &fd);
    if (orc) return orc;
    if (fstat(fd, &sb) != 0) { close(fd); return CZ_EIO; }
    if ((uint64_t)sb.st_size > (uint64_t)CZ_BUNDLE_PLAIN_MAX * 2) { close(fd); return CZ_ETOOBIG; }
    int hrc = cz_bundle_reader_open_fd(fd, &r, &h), rc;
    if (hrc == CZ_ENOMEM || hrc == CZ_EIO) rc = hrc;
    else rc = import_reader(st, r, &h, hrc, fn, ctx, pr, res);
    cz_bundle_reader_close(r);
    close(fd);
    return rc;
}

/* The latest of the cz_sync_last times: one range of the meta names
 * "sync_" (two for each station exchanged with), so a bundle from a
 * station not (or no longer) enrolled counts too, named by its key.  Builds before
 * this one also kept a single meta "last_sync" record, written at other
 * moments; it is no longer read or written, and harmless where it lies. */
struct latest_ctx { uint64_t best; enum cz_sync_dir dir; uint8_t box[32]; };

static int latest_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct latest_ctx *lc = ctx;
    static const char sent[] = "sync_sent:", received[] = "sync_received:";
    char hex[65];
    uint8_t box[32];
    enum cz_sync_dir dir;
    size_t plen;
    uint64_t when = 0;
    if (klen > sizeof sent - 1 && !memcmp(key, sent, sizeof sent - 1)) { dir = CZ_SYNC_EXPORT; plen = sizeof sent - 1; }
    else if (klen > sizeof received - 1 && !memcmp(key, received, sizeof received - 1)) { dir = CZ_SYNC_IMPORT; plen = sizeof received - 1; }
    else return 0;
    if (klen - plen != 64 || vlen != 8) return 0;   /* not one of ours: ignored */
    memcpy(hex, key + plen, 64);
    hex[64] = 0;
    if (cz_unhex(hex, box, 32) != CZ_OK) return 0;
    for (int i = 0; i < 8; i++) when = when << 8 | val[i];
    if (when > lc->best) {
        lc->best = when;
        lc->dir = dir;
        memcpy(lc->box, box, 32);
    }
    return 0;
}

int cz_sync_latest(cz_station *st, struct cz_sync_last *out)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct latest_ctx lc = { 0 };
    struct cz_peer *peers = NULL;
    size_t n = 0;
    cz_txn *t = NULL;
    memset(out, 0, sizeof *out);
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_meta_each_prefix(t, "sync_", latest_cb, &lc);
    cz_txn_abort(t);
    if (rc) return rc;
    if (!lc.best) return CZ_ENOTFOUND;
    out->dir = lc.dir;
    out->when = (int64_t)(lc.best / 1000);
    memcpy(out->box, lc.box, 32);
    /* The name as the Sync screen gives it. */
    if (!memcmp(out->box, info->office_box, 32) && info->office_name[0])
        snprintf(out->with, sizeof out->with, "%s", info->office_name);
    else if (cz_sync_peers(st, &peers, &n) == CZ_OK)
        for (size_t i = 0; i < n; i++)
            if (!memcmp(peers[i].box, out->box, 32)) snprintf(out->with, sizeof out->with, "%s", peers[i].name);
    free(peers);
    if (!out->with[0]) {
        char hex[65];
        cz_hex(out->box, 32, hex);
        snprintf(out->with, sizeof out->with, "%.12s", hex);
    }
    return CZ_OK;
}
