/* export_collect.c — what a bundle for a peer carries (sync_int.h):
 * found before a byte of it is written, so the plaintext's length and
 * count are known up front; nothing is copied: the entries stay in the
 * store's pages (valid while the read transaction lasts) until the file
 * is written from them.
 *
 * 1. The logs: the vector of everything held here, and how many positions
 *    the peer has not acknowledged.
 * 2. When those are few (an incremental export) each is looked up by id,
 *    in log order.  When they are many, the entries are read in the
 *    store's own order instead, several times faster than a look-up each
 *    and the order the bundle then holds them in (payload.h promises no
 *    order; import takes them in any).  An entry that is not the one
 *    logged at its position (the other side of a fork, listed in the forks
 *    database) is not sent. */
#include "sync_int.h"

#include <stdlib.h>
#include <string.h>
#include "region.h"
#include "bytes.h"
#include "grow.h"
#include "query.h"
#include "status.h"

/* What the roster says of an author met (author_ok). */
struct exp_author { uint8_t origin[32]; int ok; };

static uint64_t seq_of(const uint8_t key[40]) { return cz_get_be64(key + 32); }

static uint64_t id_word(const uint8_t *id)
{
    uint64_t w;
    memcpy(&w, id, sizeof w);
    return w;
}

int exp_log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct exp_ctx *x = ctx;
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
 * key's, however much of it a bundle brought (import_sender.c,
 * imp_admit).  A village sends everything it holds: its bundles go to the
 * office only, and carry its own people's work from before their
 * enrolment, which the office must see to enrol them. */
static int author_ok(struct exp_ctx *x, const uint8_t *origin, int *ok)
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
    if ((rc = cz_grow(&x->authors, &x->authors_cap, x->nauthors + 1, sizeof *x->authors))) return rc;
    memmove(x->authors + lo + 1, x->authors + lo, (x->nauthors - lo) * sizeof *x->authors);
    x->nauthors++;
    memcpy(x->authors[lo].origin, origin, 32);
    x->authors[lo].ok = *ok = ti.state != CZ_TRUST_PENDING;
    return CZ_OK;
}

/* Trust records and places (empty region) go everywhere; the rest only
 * inside the recipient's jurisdiction. */
static int export_take(struct exp_ctx *x, const uint8_t *raw, size_t len, const char *region)
{
    if (region[0] && !cz_region_under(region, x->region)) {
        x->res->skipped_scope++;
        return CZ_OK;
    }
    if (len > UINT32_MAX || x->n == UINT32_MAX) return CZ_ETOOBIG;
    int rc = cz_grow(&x->items, &x->cap, x->n + 1, sizeof *x->items);
    if (rc) return rc;
    x->items[x->n++] = (struct cz_payload_item){ .p = raw, .len = (uint32_t)len };
    x->bytes += 4 + (uint64_t)len;
    return CZ_OK;
}

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ID_BYTES); }

static int is_kept(const struct exp_ctx *x, const uint8_t *id)
{
    return x->nkept && bsearch(id, x->kept, x->nkept, CZ_ID_BYTES, id_cmp);
}

static int kept_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct exp_ctx *x = ctx;
    int rc = cz_grow(&x->kept, &x->kept_cap, x->nkept + 1, CZ_ID_BYTES);
    if (rc) return rc;
    memcpy(x->kept[x->nkept++], id, CZ_ID_BYTES);
    return 0;
}

static int export_kept(struct exp_ctx *x)
{
    int rc = cz_store_each_judged(x->t, kept_cb, x);
    if (rc == CZ_OK && x->nkept > 1) qsort(x->kept, x->nkept, CZ_ID_BYTES, id_cmp);
    return rc;
}

/* The few-wanted way: the logs again, a look-up per position wanted. */
static int lookup_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct exp_ctx *x = ctx;
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
    struct exp_ctx *x = ctx;
    (void)val; (void)vlen;
    if (klen != 40 + CZ_ID_BYTES) return CZ_EDB;
    int rc = cz_grow(&x->forked, &x->forked_cap, x->nforked + 1, CZ_ID_BYTES);
    if (rc) return rc;
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
 * once both walks are done (exp_collect_check): as many entries as
 * positions, and the same ids (the sums of their first 8 bytes agree);
 * otherwise (a damaged store) the entries are walked again the careful
 * way. */
static int entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct exp_ctx *x = ctx;
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

static int export_forks(struct exp_ctx *x)
{
    int rc = cz_store_each_fork(x->t, fork_cb, x);
    if (rc == CZ_OK && x->nforked > 1) qsort(x->forked, x->nforked, CZ_ID_BYTES, id_cmp);
    return rc;
}

int exp_collect(struct exp_ctx *x)
{
    int rc;
    if ((rc = export_kept(x))) return rc;
    if ((rc = cz_store_each_log(x->t, exp_log_cb, x))) return rc;
    if (x->wanted * 8 < x->logged) return cz_store_each_log(x->t, lookup_cb, x);
    if ((rc = export_forks(x))) return rc;
    if ((rc = cz_store_each_entry(x->t, entry_cb, x))) return rc;
    /* A logged id with no entry: the store is damaged (a look-up said so
     * before). */
    return x->matched == x->logged ? CZ_OK : CZ_ENOTFOUND;
}

/* A full export's entries, found while another thread walks the logs
 * (exp_collect's many-wanted way, without waiting for `mine`). */
int exp_collect_early(struct exp_ctx *x)
{
    int rc = export_forks(x);
    if (rc == CZ_OK) rc = export_kept(x);
    x->early = 1;
    return rc ? rc : cz_store_each_entry(x->t, entry_cb, x);
}

/* After exp_collect_early and the log walk: the entries found are the
 * ones logged, or they are found again the careful way. */
int exp_collect_check(struct exp_ctx *x)
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

void exp_ctx_free(struct exp_ctx *x)
{
    free(x->items);
    free(x->forked);
    free(x->authors);
    free(x->kept);
}
