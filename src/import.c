/* import.c — one bundle taken in (sync.h, cz_sync_import).
 *
 * A bundle is streamed, never held: the reader decrypts one 64 KiB chunk at
 * a time and reads the file twice.  Pass 1 judges the bundle whole before
 * anything is applied; after it, nothing but a local failure (the disk
 * full, the stick pulled or read otherwise) can stop the import.
 *
 *   pass 1  the crypto (FINAL at the end of the file, its exact length, the
 *           plaintext hash the signed header fixes), the payload's
 *           structure and its version vector, and every entry decoded and
 *           its signature verified, in parallel (import_pool.c); meanwhile
 *           the bundle is cut into runs for pass 2 (import_txn.c), the
 *           signer's own key announcement is noted, and the root's
 *           certificates and revocations are kept; they are applied first,
 *           so the entries they speak for are judged by them, and then the
 *           header is judged (imp_sender_judge: whether the vector is the
 *           sender's acknowledgement, what keys not yet certified may
 *           bring: import_sender.c);
 *   pass 2  every other entry applied in bundle order, each judged by the
 *           rule set (import_judge.c), in bounded write transactions: a
 *           run is committed once its entries hash to what pass 1
 *           verified, and the next begun.  The last transaction marks the
 *           bundle taken: seen, the sender's acknowledgement, our clock.
 *
 * A refusal aborts the first transaction: the database is as it was.  When
 * a bundle has several faults the one named is the first met: crypto first,
 * then the payload's structure, its kind, then entries (root ones first).
 * Entries refused one by one are told (fn) after the last commit.
 *
 * Memory: the import holds one chunk, the piece being parsed, NBATCH
 * batches (about 2 MB), the root entries and one hash per run; LMDB keeps
 * a write transaction's dirty pages in the heap until its commit, so that
 * is what the runs bound (IMP_TXN_BYTES, and why not lower).  MDB_WRITEMAP would move them
 * into the file mapping, but it grows the data file to the whole 64 GiB
 * map (sparse: a copy onto a FAT stick fails) and a full disk becomes
 * SIGBUS in a page fault instead of an error; so it is not used.
 *
 * A crash between two commits leaves a prefix of the bundle applied, each
 * entry valid on its own and the prefix causally closed (bundle order), and
 * the bundle noted as unfinished (import_txn.c: `status` says so).
 * Importing it again skips what is stored, judges the header as the first
 * import did and ends in the state one uninterrupted import gives. */
#include "sync.h"
#include "index.h"
#include "sync_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bytes.h"
#include "fsutil.h"
#include "grow.h"
#include "keys.h"
#include "status.h"

/* Entry bytes a write transaction of pass 2 takes before its commit.
 * LMDB keeps a transaction's dirty pages in the heap until the commit, and
 * what grows them is not the entry bytes but the pages touched: a record's
 * index terms and ids are random keys, each insert into a large tree
 * dirties a page of its own (some 10-40 pages a record once the tree is
 * large).  So a smaller bound saves memory only slowly while every commit
 * writes its pages again: at 100,000 records 8 MiB took the peak from
 * 215 to 142 MB for about twice the disk writes of one transaction, where
 * 1 MiB gave 110 MB for some 17 times the writes and 256 KiB 85 MB for 80
 * times (32 MiB: 212 MB).  8 MiB bounds memory at that size without
 * multiplying what a PC's disk must write; keys that cluster (a record's
 * inserts next to each other) would let it go lower. */
#define IMP_TXN_BYTES (8u * 1024u * 1024u)

/* Test hooks, read here only.  CZ_IMPORT_TXN_BYTES (bytes, > 0) replaces
 * IMP_TXN_BYTES, so a small bundle takes several transactions;
 * CZ_TEST_IMPORT_KILL_AFTER=N kills the process (SIGKILL, as a power cut)
 * right after pass 2's Nth commit. */
static void imp_settings(struct importer *im)
{
    const char *bytes = getenv("CZ_IMPORT_TXN_BYTES"), *kill = getenv("CZ_TEST_IMPORT_KILL_AFTER");
    im->txn_bytes = bytes && atol(bytes) > 0 ? (uint64_t)atol(bytes) : IMP_TXN_BYTES;
    im->kill_after = kill && atoi(kill) > 0 ? (unsigned)atoi(kill) : 0;
}

int cz_read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat sb;
    int fd, rc;
    *buf = NULL;
    *len = 0;
    /* A regular file only: a FIFO named *.czb would block for ever. */
    if ((rc = cz_fs_open_regular(AT_FDCWD, path, &fd))) return rc;
    if (fstat(fd, &sb) != 0) { rc = cz_fs_errno_status(errno); close(fd); return rc; }
    if ((uint64_t)sb.st_size > (uint64_t)CZ_BUNDLE_PLAIN_MAX * 2) { close(fd); return CZ_ETOOBIG; }
    size_t n = (size_t)sb.st_size;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) { close(fd); return CZ_ENOMEM; }
    for (size_t off = 0; off < n;) {
        ssize_t r = read(fd, b + off, n - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            /* 0: the file shrank while it was read */
            rc = r < 0 ? cz_fs_errno_status(errno) : CZ_EIO;
            free(b);
            close(fd);
            return rc;
        }
        off += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = n;
    return CZ_OK;
}

/* A read of the bundle that failed here (the stick, the disk, memory),
 * not a fault of the bundle: what cz_fs_errno_status makes of a failed
 * read, and memory. */
int imp_local_failure(int status)
{
    return status == CZ_EIO || status == CZ_ENOMEM || status == CZ_EACCESS || status == CZ_EDISKFULL ||
           status == CZ_EREADONLY || status == CZ_EREREAD;
}

static int src_take(void *ctx, size_t n, const uint8_t **p)
{
    return cz_bundle_reader_take(ctx, n, p);
}

static uint64_t src_left(void *ctx)
{
    return cz_bundle_reader_left(ctx);
}

void imp_src(struct cz_byte_src *s, cz_bundle_reader *r)
{
    *s = (struct cz_byte_src){ .take = src_take, .left = src_left, .ctx = r };
}

int imp_is_root(const uint8_t *p, size_t len, const struct importer *im)
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

/* ---- pass 1 ---- */

/* The root entries of the bundle, held to be applied once the whole
 * bundle is read: a copy of each in one arena. */
struct root_item { size_t chain; uint64_t seq; size_t off, len; };
struct root_set { struct root_item *items; size_t n, cap; uint8_t *arena; size_t used, room; };

static int root_item_cmp(const void *a, const void *b)
{
    const struct root_item *x = a, *y = b;
    if (x->chain != y->chain) return x->chain < y->chain ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The arena is grown by copying, so no plaintext is left behind unwiped. */
static int roots_add(struct root_set *rs, size_t chain, uint64_t seq, const uint8_t *p, size_t len)
{
    int rc = cz_grow(&rs->items, &rs->cap, rs->n + 1, sizeof *rs->items);
    if (rc) return rc;
    if (rs->used + len > rs->room) {
        size_t c = rs->room ? rs->room : 65536;
        while (c < rs->used + len) c *= 2;
        uint8_t *a = malloc(c);
        if (!a) return CZ_ENOMEM;
        if (rs->arena) {
            memcpy(a, rs->arena, rs->used);
            sodium_memzero(rs->arena, rs->room);
            free(rs->arena);
        }
        rs->arena = a;
        rs->room = c;
    }
    rs->items[rs->n++] = (struct root_item){ .chain = chain, .seq = seq, .off = rs->used, .len = len };
    memcpy(rs->arena + rs->used, p, len);
    rs->used += len;
    return CZ_OK;
}

static void roots_free(struct root_set *rs)
{
    if (rs->arena) sodium_memzero(rs->arena, rs->room);
    free(rs->arena);
    free(rs->items);
}

/* The root entries in the chain's order and each root's log order. */
static int roots_apply(struct importer *im, struct root_set *rs)
{
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    int rc = CZ_OK;
    if (rs->n) qsort(rs->items, rs->n, sizeof *rs->items, root_item_cmp);
    for (size_t i = 0; i < rs->n && !rc; i++) {
        /* Verified as it was read; only laid out again here. */
        if ((rc = cz_entry_decode(rs->arena + rs->items[i].off, rs->items[i].len, &e))) break;
        cz_entry_id(rs->arena + rs->items[i].off, rs->items[i].len, id);
        rc = imp_apply_one(im, &e, id);
    }
    return rc;
}

/* What pass 1 gathers.  full: the first pass 1 (every entry verified, the
 * runs cut); else a pass again after a rollover, for the new root's
 * entries only. */
struct pass1 {
    struct importer *im;
    struct root_set rs;
    int full, eroot, eother;          /* the first fault of a root entry, of another */
};

static int root_done(const struct importer *im, const uint8_t *p)
{
    for (size_t d = 0; d < im->ndone; d++)
        if (!memcmp(p + 4, im->roots_done[d], 32)) return 1;
    return 0;
}

/* Whether an entry must be checked: nothing once a root entry failed,
 * only root entries once another did (a root's fault is the one named). */
static int p1_want(void *ctx, const uint8_t *p, size_t len)
{
    struct pass1 *p1 = ctx;
    int root = imp_is_root(p, len, p1->im);
    if (p1->eroot) return 0;
    if (!p1->full) return root && !root_done(p1->im, p);
    return root || !p1->eother;
}

static int p1_take(void *ctx, const struct imp_entry *x)
{
    struct pass1 *p1 = ctx;
    struct importer *im = p1->im;
    int root = imp_is_root(x->p, x->len, im);
    size_t chain = 0;
    if (!x->checked && !x->status) return CZ_OK;
    if (x->status) {
        int *first = root ? &p1->eroot : &p1->eother;
        if (!*first) *first = x->status;
        return CZ_OK;
    }
    int rc = CZ_OK;
    if (p1->full) {
        imp_sender_note(im, x->p, x->len);
        if (!p1->eroot && !p1->eother && (rc = imp_cut_note(im, x, im->total))) return rc;
    }
    if (!root || p1->eroot || root_done(im, x->p)) return CZ_OK;
    while (chain < im->nroots && memcmp(x->e.origin, im->roots[chain], 32)) chain++;
    return roots_add(&p1->rs, chain, x->e.seq, x->p, x->len);
}

/* Pass 1.  *status: the bundle's refusal; the return value: local failures.
 * The root entries are applied in the chain's order and each root's log
 * order, whatever the bundle's: a rollover then meets everything its root
 * signed before it (the countersigner's certificate, a revocation), and
 * what its root signed after it meets the rollover (CZ_ERETIRED).  They
 * are few (certificates and revocations), so they are held in memory. */
static int pass_one(struct importer *im, cz_bundle_reader *r, struct cz_vv *vv, int full, int *status)
{
    struct pass1 p1 = { .im = im, .full = full };
    struct imp_walk w = { .verify = 1, .count = full, .want = p1_want, .take = p1_take, .ctx = &p1 };
    struct imp_walk_end end;
    int rc = imp_walk(im, &w, r, vv, &end);
    *status = CZ_OK;
    if (rc == CZ_OK) {
        *status = end.status ? end.status : end.kind != CZ_PAYLOAD_SYNC ? CZ_ETYPE : p1.eroot ? p1.eroot : p1.eother;
        if (*status == CZ_OK) rc = roots_apply(im, &p1.rs);
    }
    roots_free(&p1.rs);
    return rc;
}

/* Pass 2: each entry not a root's applied (imp_admit bounds keys not yet
 * certified first, then imp_apply_one judges), then its run's account. */
static int p2_take(void *ctx, const struct imp_entry *x)
{
    struct importer *im = ctx;
    int rc = CZ_OK, ok = 1;
    if (x->checked && !x->status && !imp_is_root(x->p, x->len, im)) {
        if ((rc = imp_admit(im, &x->e, x->id, &ok)) == CZ_OK && ok) rc = imp_apply_one(im, &x->e, x->id);
        if (rc) return rc;
    }
    return imp_cut_take(im, x);
}

/* The bundle as pass 1 read it, or CZ_EREREAD. */
static int pass_two(struct importer *im, cz_bundle_reader *r)
{
    struct imp_walk w = { .verify = 0, .count = 1, .take = p2_take, .ctx = im };
    struct imp_walk_end end;
    int rc = imp_walk(im, &w, r, NULL, &end);
    if (rc == CZ_OK && (end.status || end.n != im->total || im->cut != im->ncuts)) rc = CZ_EREREAD;
    return rc;
}

/* ---- one bundle ---- */

/* Cheap refusals before any decryption: not for us, seen already, signed
 * by a revoked key.  *go 0 when res->status says why not. */
static int import_precheck(cz_station *st, const struct cz_bundle_header *h, struct cz_import_result *res, int *go)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int rc;
    *go = 0;
    memcpy(res->id, h->id, CZ_ID_BYTES);
    memcpy(res->sender_box, h->sender_box, 32);
    memcpy(res->signer, h->signer, 32);
    res->seq = h->seq;
    if (!cz_bundle_addressed_to(h, info->box_pk)) { res->status = CZ_ENOTFORUS; return CZ_OK; }
    if (!cz_station_secrets(st)) return CZ_EPERM;
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    rc = cz_store_seen_get(t, h->id, NULL, NULL);
    if (rc == CZ_OK) res->status = CZ_ESEEN;
    else if (rc != CZ_ENOTFOUND) goto cleanup;
    else if ((rc = cz_roster_lookup(t, info->office_root, h->signer, &ti))) goto cleanup;
    else if (ti.revoked) res->status = CZ_EREVOKED;
    rc = CZ_OK;
    *go = !res->status;
cleanup:
    cz_txn_abort(t);
    if (rc == CZ_OK && res->status == CZ_EREVOKED) rc = imp_forget(st, h->id, &res->abandoned);
    return rc;
}

/* Pass 1 again while a rollover it applied brought a new root: the new
 * root's entries (certificates made since) are root entries too, taken
 * before anything they speak for (once per rollover in the bundle). */
static int import_rollovers(struct importer *im, cz_bundle_reader *r)
{
    int rc;
    for (;;) {
        size_t before = im->nroots;
        memcpy(im->roots_done, im->roots, sizeof im->roots);
        im->ndone = im->nroots;
        if ((rc = root_set(im))) return rc;
        if (im->nroots == before) return CZ_OK;
        if ((rc = cz_bundle_reader_rewind(r))) return rc;
        if ((rc = pass_one(im, r, NULL, 0, &im->res->status)) || im->res->status) return rc;
    }
}

/* Both passes.  Stops at a refusal (im->res->status, found in the first
 * transaction) as at a local failure (the return value). */
static int import_passes(struct importer *im, cz_bundle_reader *r, struct cz_vv *vv)
{
    struct cz_import_result *res = im->res;
    int rc;
    if ((rc = root_set(im)) || (rc = pass_one(im, r, vv, 1, &res->status)) || res->status) return rc;
    if ((rc = import_rollovers(im, r)) || res->status) return rc;
    if ((rc = imp_sender_judge(im)) || (rc = imp_mark(im))) return rc;
    res->sender_trusted = im->sender == SENDER_ACK;
    if ((rc = cz_bundle_reader_rewind(r))) return rc;
    im->last_valid = 0;
    im->roster_valid = 0;
    /* Pass 2 stores thousands of new records: their index terms are put
     * in sorted batches (before any index read, and on commit). */
    if ((rc = cz_store_defer_index(im->t))) return rc;
    if ((rc = pass_two(im, r))) return rc;
    return imp_rejudge_held(im);
}

/* What the last transaction keeps besides the entries, then the commit:
 * the bundle seen, when it came, the sender's acknowledgement (when the
 * header vouches for it: the next export to it leaves that out), the
 * pending keys' bytes and our clock (imp_keep), the rollovers that count
 * (pinned here), the note of a half-applied bundle removed. */
static int import_commit(struct importer *im, const struct cz_vv *vv)
{
    const struct cz_bundle_header *h = im->h;
    struct cz_import_result *res = im->res;
    uint8_t note[40];
    char last[96];
    int rc;
    memcpy(note, h->sender_box, 32);
    cz_put_be64(note + 32, h->seq);
    if ((rc = cz_store_seen_put(im->t, h->id, note, sizeof note))) return rc;
    sync_meta_name(last, sizeof last, "received", h->sender_box);
    if ((rc = cz_meta_put_u64(im->t, last, cz_now_ms()))) return rc;
    if (im->sender == SENDER_ACK && (rc = imp_sender_ack(im, vv))) return rc;
    if ((rc = imp_keep(im))) return rc;
    if ((rc = cz_station_pin_root(im->t, im->info->office_root, res->root, &res->root_changed))) return rc;
    if ((rc = imp_unmark(im))) return rc;
    rc = cz_txn_commit(im->t);
    im->t = NULL;
    return rc;
}

/* The bundle opened, both passes, the commit. */
static int import_apply(cz_station *st, cz_bundle_reader *r, struct importer *im, struct cz_vv *vv)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    struct cz_import_result *res = im->res;
    int rc;
    if ((res->status = cz_bundle_reader_unlock(r, im->info->box_pk, cz_secrets_box_sk(sec)))) {
        if (res->status == CZ_ENOMEM) { res->status = CZ_OK; return CZ_ENOMEM; }
        return CZ_OK;
    }
    if ((rc = cz_txn_begin(im->store, 1, &im->t))) return rc;
    if (cz_store_seen_get(im->t, im->h->id, NULL, NULL) == CZ_OK) { res->status = CZ_ESEEN; return CZ_OK; }
    if ((rc = import_passes(im, r, vv)) || res->status) return rc;
    return import_commit(im, vv);
}

static int import_reader(cz_station *st, cz_bundle_reader *r, const struct cz_bundle_header *h, int hrc,
                         const char *path, cz_refused_fn fn, void *ctx, const struct cz_progress *pr,
                         struct cz_import_result *res)
{
    struct importer im = { .info = cz_station_info(st), .store = cz_station_store(st), .res = res, .pr = pr,
                           .h = h, .path = path };
    struct cz_vv vv = { .n = 0 };
    int rc, go;

    memset(res, 0, sizeof *res);
    if ((res->status = hrc)) return CZ_OK;
    imp_settings(&im);
    if ((rc = import_precheck(st, h, res, &go)) || !go) goto cleanup;
    rc = import_apply(st, r, &im, &vv);
    if (rc || res->status) goto cleanup;
    if (res->root_changed) rc = cz_station_reload(st);
    if (rc == CZ_OK && fn)
        for (size_t i = 0; i < im.nrefused; i++) fn(ctx, im.refused[i].id, im.refused[i].origin, im.refused[i].why);
    if (rc == CZ_OK) sync_progress(pr, im.total, im.total);
cleanup:
    cz_txn_abort(im.t);
    /* A local failure after a commit left the bundle noted as unfinished;
     * the counts of what was committed are not told (importing it again
     * tells them). */
    res->unfinished = rc && im.commits > 0;
    if (rc || (res->status && res->status != CZ_ESEEN))
        res->fresh = res->duplicate = res->pending = res->forks = res->refused = res->clock_ahead =
            res->held = res->released = 0;
    free(im.refused);
    free(im.pend);
    free(im.adm);
    imp_cuts_free(&im);
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
    int rc = import_reader(st, r, &h, hrc, "", fn, ctx, pr, res);
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
    int fd, rc;
    memset(res, 0, sizeof *res);
    /* Regular files only, never through a symlink: a FIFO or a link on a
     * stick is refused by name (CZ_ENOTPLAIN) instead of hanging or
     * reading some file of this PC. */
    if ((rc = cz_fs_open_regular(AT_FDCWD, path, &fd))) return rc;
    if (fstat(fd, &sb) != 0) { rc = cz_fs_errno_status(errno); close(fd); return rc; }
    if ((uint64_t)sb.st_size > (uint64_t)CZ_BUNDLE_PLAIN_MAX * 2) { close(fd); return CZ_ETOOBIG; }
    int hrc = cz_bundle_reader_open_fd(fd, &r, &h);
    /* Named whole for `status`, which may run from another folder. */
    char abs[PATH_MAX];
    if (!realpath(path, abs)) snprintf(abs, sizeof abs, "%s", path);
    if (imp_local_failure(hrc)) rc = hrc;
    else rc = import_reader(st, r, &h, hrc, abs, fn, ctx, pr, res);
    cz_bundle_reader_close(r);
    close(fd);
    return rc;
}
