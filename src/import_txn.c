/* import_txn.c — pass 2's bounded write transactions, and the note that a
 * bundle is half applied (sync_int.h; cz_sync_unfinished, sync.h).
 *
 * Pass 1 cuts the bundle into runs of entries of about im->txn_bytes each
 * and keeps, per run, the hash of its entries' ids in order (ids are
 * BLAKE2b-256 of each entry's bytes, so this is the hash of the run's
 * entries).  Pass 2 reads the bundle again and commits a run only when its
 * ids hash to what pass 1 verified: a stick that reads otherwise the
 * second time (failing, or made to) is stopped before any unverified entry
 * is committed (CZ_EREREAD).  Runs are in bundle order, so what is
 * committed is a prefix and causally closed.
 *
 * While a bundle is half applied, meta "import_unfinished:<bundle id hex>"
 * says so (written in the first transaction, removed in the last, which
 * also marks the bundle seen): what `status` shows.  Its value: u8 version
 * (1), u8 the sender judgement (enum imp_sender), sender_box[32],
 * signer[32], be64 bundle seq, be64 when (ms), then the file's path as
 * given.  Importing the bundle again skips what is stored, takes the
 * judgement from the note, and completes it. */
#include "sync_int.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "grow.h"
#include "hex.h"
#include "index.h"
#include "status.h"

#define MARK_PREFIX "import_unfinished:"
#define MARK_HEAD (2 + 32 + 32 + 8 + 8)
#define MARK_PATH_MAX 4000

static int hash_state(struct importer *im, crypto_generichash_state **out)
{
    /* libsodium's state wants 64-byte alignment, more than malloc gives. */
    if (!im->cut_hash && !(im->cut_hash = aligned_alloc(64, (sizeof **out + 63) / 64 * 64))) return CZ_ENOMEM;
    *out = im->cut_hash;
    return CZ_OK;
}

void imp_cuts_free(struct importer *im)
{
    free(im->cuts);
    free(im->cut_hash);
    im->cuts = NULL;
    im->cut_hash = NULL;
    im->ncuts = im->cuts_cap = 0;
}

int imp_cut_note(struct importer *im, const struct imp_entry *x, uint32_t n)
{
    crypto_generichash_state *h;
    int rc = hash_state(im, &h);
    if (rc) return rc;
    if (im->cut_bytes == 0) crypto_generichash_init(h, NULL, 0, 32);
    crypto_generichash_update(h, x->id, CZ_ID_BYTES);
    im->cut_bytes += 4 + (uint64_t)x->len;
    if (im->cut_bytes < im->txn_bytes && x->index + 1 < n) return CZ_OK;
    if ((rc = cz_grow(&im->cuts, &im->cuts_cap, im->ncuts + 1, sizeof *im->cuts))) return rc;
    im->cuts[im->ncuts].last = x->index;
    crypto_generichash_final(h, im->cuts[im->ncuts++].hash, 32);
    im->cut_bytes = 0;
    return CZ_OK;
}

/* What each commit keeps besides the entries, so a prefix committed is
 * what one transaction would have held at that point: the bytes counted
 * against keys not yet certified, and our clock following the entries. */
int imp_keep(struct importer *im)
{
    uint64_t local_hlc = 0;
    int rc;
    if ((rc = imp_pending_save(im))) return rc;
    if ((rc = cz_meta_get_u64(im->t, "hlc", &local_hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (im->max_hlc > local_hlc && (rc = cz_meta_put_u64(im->t, "hlc", im->max_hlc))) return rc;
    return CZ_OK;
}

/* One run committed, the next begun. */
static int next_txn(struct importer *im)
{
    int rc;
    if ((rc = imp_keep(im))) return rc;
    rc = cz_txn_commit(im->t);
    im->t = NULL;
    if (rc) return rc;
    im->commits++;
    /* The test hook (import.c, CZ_TEST_IMPORT_KILL_AFTER): killed as a
     * power cut would, nothing tidied. */
    if (im->kill_after && im->commits == im->kill_after) raise(SIGKILL);
    if ((rc = cz_txn_begin(im->store, 1, &im->t))) return rc;
    return cz_store_defer_index(im->t);
}

int imp_cut_take(struct importer *im, const struct imp_entry *x)
{
    crypto_generichash_state *h;
    uint8_t got[32];
    int rc;
    if (!x->checked || x->status || im->cut >= im->ncuts) return CZ_EREREAD;
    if ((rc = hash_state(im, &h))) return rc;
    if (im->cut_bytes == 0) crypto_generichash_init(h, NULL, 0, 32);
    crypto_generichash_update(h, x->id, CZ_ID_BYTES);
    im->cut_bytes = 1;
    if (x->index != im->cuts[im->cut].last) return x->index < im->cuts[im->cut].last ? CZ_OK : CZ_EREREAD;
    crypto_generichash_final(h, got, 32);
    im->cut_bytes = 0;
    if (sodium_memcmp(got, im->cuts[im->cut].hash, 32)) return CZ_EREREAD;
    if (++im->cut == im->ncuts) return CZ_OK;   /* the last: import_commit's */
    return next_txn(im);
}

static void mark_name(char *buf, size_t size, const uint8_t id[CZ_ID_BYTES])
{
    char hex[2 * CZ_ID_BYTES + 1];
    cz_hex(id, CZ_ID_BYTES, hex);
    snprintf(buf, size, MARK_PREFIX "%s", hex);
}

int imp_mark(struct importer *im)
{
    const struct cz_bundle_header *h = im->h;
    char name[128];
    const void *v;
    size_t len, plen = strlen(im->path);
    uint8_t buf[MARK_HEAD + MARK_PATH_MAX];
    int rc;
    mark_name(name, sizeof name, h->id);
    rc = cz_meta_get(im->t, name, &v, &len);
    if (rc == CZ_OK && len >= MARK_HEAD && ((const uint8_t *)v)[0] == 1 && ((const uint8_t *)v)[1] <= SENDER_UNCERT) {
        im->sender = (enum imp_sender)((const uint8_t *)v)[1];
        im->res->resumed = 1;
    } else if (rc && rc != CZ_ENOTFOUND) {
        return rc;
    }
    if (plen > MARK_PATH_MAX) plen = MARK_PATH_MAX;
    buf[0] = 1;
    buf[1] = (uint8_t)im->sender;
    memcpy(buf + 2, h->sender_box, 32);
    memcpy(buf + 34, h->signer, 32);
    cz_put_be64(buf + 66, h->seq);
    cz_put_be64(buf + 74, cz_now_ms());
    memcpy(buf + MARK_HEAD, im->path, plen);
    if ((rc = cz_meta_put(im->t, name, buf, MARK_HEAD + plen))) return rc;
    im->marked = 1;
    return CZ_OK;
}

int imp_unmark(struct importer *im)
{
    char name[128];
    mark_name(name, sizeof name, im->h->id);
    return cz_meta_del(im->t, name);
}

/* A bundle refused before it is opened (its signer revoked since) can
 * never be completed: its note goes, so `status` stops asking for an
 * import that cannot happen.  What it stored stays, judged by the rules
 * as every stored entry is. */
int imp_forget(cz_station *st, const uint8_t id[CZ_ID_BYTES], int *forgot)
{
    char name[128];
    const void *v;
    size_t len;
    cz_txn *t = NULL;
    *forgot = 0;
    mark_name(name, sizeof name, id);
    int rc = cz_txn_begin(cz_station_store(st), 1, &t);
    if (rc) return rc;
    rc = cz_meta_get(t, name, &v, &len);
    if (rc == CZ_ENOTFOUND) { cz_txn_abort(t); return CZ_OK; }
    if (rc == CZ_OK) rc = cz_meta_del(t, name);
    if (rc == CZ_OK) rc = cz_txn_commit(t);
    else cz_txn_abort(t);
    if (rc == CZ_OK) *forgot = 1;
    return rc;
}

/* ---- cz_sync_unfinished ---- */

/* The sender as the Sync screen names it: the office, a peer, else the
 * start of its key. */
static void sender_name(cz_station *st, struct cz_import_unfinished *u)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_peer *peers = NULL;
    size_t n = 0;
    u->sender[0] = 0;
    if (!memcmp(u->sender_box, info->office_box, 32) && info->office_name[0])
        snprintf(u->sender, sizeof u->sender, "%s", info->office_name);
    else if (cz_sync_peers(st, &peers, &n) == CZ_OK)
        for (size_t i = 0; i < n; i++)
            if (!memcmp(peers[i].box, u->sender_box, 32)) snprintf(u->sender, sizeof u->sender, "%s", peers[i].name);
    free(peers);
    if (!u->sender[0]) {
        char hex[65];
        cz_hex(u->sender_box, 32, hex);
        snprintf(u->sender, sizeof u->sender, "%.12s", hex);
    }
}

struct mark_list { struct cz_import_unfinished *u; size_t n, cap; };

static int mark_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct mark_list *l = ctx;
    char hex[2 * CZ_ID_BYTES + 1];
    size_t plen = sizeof MARK_PREFIX - 1;
    if (klen != plen + 2 * CZ_ID_BYTES || vlen < MARK_HEAD || val[0] != 1) return 0;   /* not one we wrote */
    int rc = cz_grow(&l->u, &l->cap, l->n + 1, sizeof *l->u);
    if (rc) return rc;
    struct cz_import_unfinished *u = &l->u[l->n];
    memcpy(hex, key + plen, 2 * CZ_ID_BYTES);
    hex[2 * CZ_ID_BYTES] = 0;
    if (cz_unhex(hex, u->id, CZ_ID_BYTES) != CZ_OK) return 0;
    memcpy(u->sender_box, val + 2, 32);
    memcpy(u->signer, val + 34, 32);
    u->seq = cz_get_be64(val + 66);
    u->since_ms = cz_get_be64(val + 74);
    snprintf(u->path, sizeof u->path, "%.*s", (int)(vlen - MARK_HEAD), (const char *)val + MARK_HEAD);
    l->n++;
    return 0;
}

int cz_sync_unfinished(cz_station *st, struct cz_import_unfinished **out, size_t *n)
{
    struct mark_list l = { .n = 0 };
    cz_txn *t = NULL;
    *out = NULL;
    *n = 0;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_meta_each_prefix(t, MARK_PREFIX, mark_cb, &l);
    cz_txn_abort(t);
    if (rc) { free(l.u); return rc; }
    /* Named once the read is over: the peers are read in a transaction
     * of their own. */
    for (size_t i = 0; i < l.n; i++) sender_name(st, &l.u[i]);
    *out = l.u;
    *n = l.n;
    return CZ_OK;
}
