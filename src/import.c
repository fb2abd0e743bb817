/* import.c — one bundle taken in (sync.h, cz_sync_import).
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
 *           (imp_sender_judge: whether the vector is the sender's
 *           acknowledgement, what keys not yet certified may bring:
 *           import_sender.c);
 *   pass 2  every other entry, checked in parallel and applied in order
 *           (import_pool.c), each judged by the rule set (import_judge.c).
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
#include "sync.h"
#include "index.h"
#include "sync_int.h"

#include <errno.h>
#include <fcntl.h>
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
           status == CZ_EREADONLY;
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

/* One entry of pass 1: noted for the header's judgement, and kept when a
 * root signed it and no earlier pass 1 took that root.  *eerr: the first
 * root entry that failed its checks. */
static int pass_root_entry(struct importer *im, struct root_set *rs, const uint8_t *p, size_t len, int bad,
                           int *eerr)
{
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    size_t chain = 0, d = 0;
    if (!bad) imp_sender_note(im, p, len);
    if (*eerr || !imp_is_root(p, len, im)) return CZ_OK;
    while (p && d < im->ndone && memcmp(p + 4, im->roots_done[d], 32)) d++;
    if (p && d < im->ndone) return CZ_OK;               /* applied by an earlier pass 1 */
    if ((*eerr = bad) || (*eerr = imp_check_entry(p, len, &e, id))) return CZ_OK;
    while (chain < im->nroots && memcmp(e.origin, im->roots[chain], 32)) chain++;
    return roots_add(rs, chain, e.seq, p, len);
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

/* Pass 1.  *status: the bundle's refusal; the return value: local failures.
 * The root entries are applied in the chain's order and each root's log
 * order, whatever the bundle's: a rollover then meets everything its root
 * signed before it (the countersigner's certificate, a revocation), and
 * what its root signed after it meets the rollover (CZ_ERETIRED).  They
 * are few (certificates and revocations), so they are held in memory. */
static int pass_root(struct importer *im, cz_bundle_reader *r, struct cz_vv *vv, int *status)
{
    struct root_set rs = { .n = 0 };
    struct cz_payload_in in;
    struct cz_byte_src src;
    const uint8_t *p;
    size_t len;
    int perr, eerr = CZ_OK, bad, rc = CZ_OK;

    imp_src(&src, r);
    perr = cz_payload_in_head(&in, &src, 1, vv);
    for (uint32_t i = 0; perr == CZ_OK && i < in.n; i++) {
        if ((perr = cz_payload_in_next(&in, &p, &len, &bad))) break;
        if (in.kind == CZ_PAYLOAD_SYNC && (rc = pass_root_entry(im, &rs, p, len, bad, &eerr))) goto cleanup;
    }
    if (perr == CZ_OK) perr = cz_payload_in_end(&in);
    int fin = cz_bundle_reader_finish(r);
    *status = fin ? fin : perr ? perr : in.kind != CZ_PAYLOAD_SYNC ? CZ_ETYPE : eerr;
    if (imp_local_failure(*status)) { rc = *status; *status = CZ_OK; }
    if (rc == CZ_OK && *status == CZ_OK) rc = roots_apply(im, &rs);
cleanup:
    roots_free(&rs);
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
        if ((rc = pass_root(im, r, NULL, &im->res->status)) || im->res->status) return rc;
    }
}

/* Both passes, in the write transaction.  Stops at a refusal
 * (im->res->status) as at a local failure (the return value). */
static int import_passes(struct importer *im, cz_bundle_reader *r, struct cz_vv *vv)
{
    struct cz_import_result *res = im->res;
    int rc;
    if ((rc = root_set(im)) || (rc = pass_root(im, r, vv, &res->status)) || res->status) return rc;
    if ((rc = import_rollovers(im, r)) || res->status) return rc;
    if ((rc = imp_sender_judge(im))) return rc;
    res->sender_trusted = im->sender == SENDER_ACK;
    if ((rc = cz_bundle_reader_rewind(r))) return rc;
    im->last_valid = 0;
    im->roster_valid = 0;
    /* Pass 2 stores thousands of new records: their index terms are put
     * in sorted batches (before any index read, and on commit). */
    if ((rc = cz_store_defer_index(im->t))) return rc;
    if ((rc = imp_pass_rest(im, r, &res->status)) || res->status) return rc;
    return imp_rejudge_held(im);
}

/* What the transaction keeps besides the entries, then the commit: the
 * bundle seen, when it came, the sender's acknowledgement (when the header
 * vouches for it: the next export to it leaves that out), the pending
 * keys' bytes, the rollovers that count (pinned here), our clock. */
static int import_commit(struct importer *im, const struct cz_vv *vv)
{
    const struct cz_bundle_header *h = im->h;
    struct cz_import_result *res = im->res;
    uint64_t local_hlc = 0;
    uint8_t note[40];
    char last[96];
    int rc;
    memcpy(note, h->sender_box, 32);
    cz_put_be64(note + 32, h->seq);
    if ((rc = cz_store_seen_put(im->t, h->id, note, sizeof note))) return rc;
    sync_meta_name(last, sizeof last, "received", h->sender_box);
    if ((rc = cz_meta_put_u64(im->t, last, cz_now_ms()))) return rc;
    if (im->sender == SENDER_ACK && (rc = imp_sender_ack(im, vv))) return rc;
    if ((rc = imp_pending_save(im))) return rc;
    if ((rc = cz_station_pin_root(im->t, im->info->office_root, res->root, &res->root_changed))) return rc;
    if ((rc = cz_meta_get_u64(im->t, "hlc", &local_hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (im->max_hlc > local_hlc && (rc = cz_meta_put_u64(im->t, "hlc", im->max_hlc))) return rc;
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
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &im->t))) return rc;
    if (cz_store_seen_get(im->t, im->h->id, NULL, NULL) == CZ_OK) { res->status = CZ_ESEEN; return CZ_OK; }
    if ((rc = import_passes(im, r, vv)) || res->status) return rc;
    return import_commit(im, vv);
}

static int import_reader(cz_station *st, cz_bundle_reader *r, const struct cz_bundle_header *h, int hrc,
                         cz_refused_fn fn, void *ctx, const struct cz_progress *pr,
                         struct cz_import_result *res)
{
    struct importer im = { .info = cz_station_info(st), .res = res, .pr = pr, .h = h };
    struct cz_vv vv = { .n = 0 };
    int rc, go;

    memset(res, 0, sizeof *res);
    if ((res->status = hrc)) return CZ_OK;
    if ((rc = import_precheck(st, h, res, &go)) || !go) goto cleanup;
    rc = import_apply(st, r, &im, &vv);
    if (rc || res->status) goto cleanup;
    if (res->root_changed) rc = cz_station_reload(st);
    if (rc == CZ_OK && fn)
        for (size_t i = 0; i < im.nrefused; i++) fn(ctx, im.refused[i].id, im.refused[i].origin, im.refused[i].why);
    if (rc == CZ_OK) sync_progress(pr, im.total, im.total);
cleanup:
    cz_txn_abort(im.t);
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
    int fd, rc;
    memset(res, 0, sizeof *res);
    /* Regular files only, never through a symlink: a FIFO or a link on a
     * stick is refused by name (CZ_ENOTPLAIN) instead of hanging or
     * reading some file of this PC. */
    if ((rc = cz_fs_open_regular(AT_FDCWD, path, &fd))) return rc;
    if (fstat(fd, &sb) != 0) { rc = cz_fs_errno_status(errno); close(fd); return rc; }
    if ((uint64_t)sb.st_size > (uint64_t)CZ_BUNDLE_PLAIN_MAX * 2) { close(fd); return CZ_ETOOBIG; }
    int hrc = cz_bundle_reader_open_fd(fd, &r, &h);
    if (imp_local_failure(hrc)) rc = hrc;
    else rc = import_reader(st, r, &h, hrc, fn, ctx, pr, res);
    cz_bundle_reader_close(r);
    close(fd);
    return rc;
}
