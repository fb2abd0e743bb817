/* export_basis.c — what a new bundle supersedes (sync_int.h).
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
 * removed only by --full.  The note is committed before anything is
 * removed, so a kill between the two leaves files to remove later, never a
 * note that says less was carried than was. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "grow.h"
#include "status.h"
#include "stick.h"

void exp_basis_free(struct exp_basis *b)
{
    cz_vv_free(&b->c_old);
    cz_vv_free(&b->c_cur);
    memset(b, 0, sizeof *b);
}

#define BASIS_HEAD (4 + 8 + 8 + 32 + 32 + CZ_ID_BYTES)

/* A missing or damaged note only costs the tidying: nothing is removed. */
int exp_basis_get(cz_txn *t, const uint8_t box[32], struct exp_basis *b)
{
    char name[96];
    const void *v;
    size_t len, pos = BASIS_HEAD;
    memset(b, 0, sizeof *b);
    sync_meta_name(name, sizeof name, "basis", box);
    int rc = cz_meta_get(t, name, &v, &len);
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    const uint8_t *p = v;
    if (len < BASIS_HEAD || memcmp(p, "CZE\1", 4)) return CZ_OK;
    b->base = cz_get_be64(p + 4);
    b->since = cz_get_be64(p + 12);
    memcpy(b->ack_hash, p + 20, 32);
    memcpy(b->mine_hash, p + 52, 32);
    memcpy(b->last_id, p + 84, CZ_ID_BYTES);
    if (cz_vv_decode(p, len, &pos, &b->c_old) || cz_vv_decode(p, len, &pos, &b->c_cur) || pos != len) {
        exp_basis_free(b);
        return CZ_OK;
    }
    b->have = 1;
    return CZ_OK;
}

/* Written whole (never the bounded encoding: a note that says less was
 * carried than was could remove a bundle still needed). */
int exp_basis_put(cz_txn *t, const uint8_t box[32], const struct exp_basis *b)
{
    char name[96];
    uint8_t *buf = malloc(1024);
    size_t len = BASIS_HEAD, cap = 1024;
    int rc;
    if (!buf) return CZ_ENOMEM;
    memcpy(buf, "CZE\1", 4);
    cz_put_be64(buf + 4, b->base);
    cz_put_be64(buf + 12, b->since);
    memcpy(buf + 20, b->ack_hash, 32);
    memcpy(buf + 52, b->mine_hash, 32);
    memcpy(buf + 84, b->last_id, CZ_ID_BYTES);
    if ((rc = cz_vv_encode_unbounded(&b->c_old, &buf, &len, &cap)) ||
        (rc = cz_vv_encode_unbounded(&b->c_cur, &buf, &len, &cap)))
        goto cleanup;
    sync_meta_name(name, sizeof name, "basis", box);
    rc = cz_meta_put(t, name, buf, len);
cleanup:
    free(buf);
    return rc;
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
    if (cz_grow(o, cap, *n + 1, sizeof **o)) return NULL;
    struct carried_origin *c = &(*o)[*n];
    memset(c, 0, sizeof *c);
    c->origin = origin;
    *last = (*n)++;
    return c;
}

/* The log positions of the entries a bundle carries (the entries are in
 * the store's pages: while the export's read transaction lasts). */
int exp_carried(const struct exp_ctx *x, struct cz_vv *out)
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
        if ((rc = cz_grow(&c->seq, &c->cap, c->n + 1, sizeof *c->seq))) break;
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
int exp_nothing_new(const char *stick, const struct cz_peer *peer, const uint8_t sender[32],
                    const struct exp_basis *old, const struct exp_basis *nb)
{
    if (!old->have || memcmp(old->mine_hash, nb->mine_hash, 32)) return 0;
    if (nb->c_cur.n && (memcmp(old->ack_hash, nb->ack_hash, 32) || !cz_vv_covers(&old->c_cur, &nb->c_cur) ||
                        !cz_vv_covers(&nb->c_cur, &old->c_cur)))
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
int exp_supersede(const struct exp_basis *old, int full, uint64_t s, const struct cz_vv *ack,
                  struct exp_basis *nb, uint64_t *from, uint64_t *below)
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
        int old_ok = cz_vv_covers(ack, &old->c_old), cur_ok = cz_vv_covers(ack, &old->c_cur);
        /* [base, since): delivered.  [since, s): carried again by this
         * bundle (same acknowledgement), or delivered. */
        *from = old_ok ? old->base : old->since;
        *below = same || cur_ok ? s : old_ok ? old->since : 0;
    }
    if (same) {
        nb->since = old->since;
        return cz_vv_add_all(&nb->c_old, &old->c_old);
    }
    int rc = cz_vv_add_all(&nb->c_old, &old->c_old);
    return rc ? rc : cz_vv_add_all(&nb->c_old, &old->c_cur);
}