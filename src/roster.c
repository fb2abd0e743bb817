#include "roster.h"
#include "region.h"
#include "bytes.h"
#include "codec.h"
#include "index.h"
#include "grow.h"
#include "hex.h"
#include "keys.h"
#include "schema.h"
#include "status.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the roster of one root log ---- */

struct person {
    uint8_t key[32];
    struct cz_trust_info info;   /* state CERTIFIED once a cert counts */
};

/* What one transaction knows of the roster (kept in the txn's aux slot). */
struct roster {
    uint8_t anchor[32];          /* the first root of the chain */
    uint64_t puts;               /* cz_txn_puts when last checked */
    size_t positions;            /* log positions of the chain's roots it was built from */
    struct person *people;       /* sorted by key once built */
    size_t n, cap;
    uint8_t (*counted)[CZ_ID_BYTES];   /* ids of the trust records that count, sorted */
    size_t ncounted, capcounted;
    struct cz_root_link roots[CZ_ROOT_CHAIN_MAX];
    size_t nroots;
    /* the walk of one root's log */
    int stopped;                 /* a rollover that counts was met */
    uint64_t stop_seq;
    uint8_t next[32];
    int limited;                 /* the identity pinned where this root ends */
    uint64_t limit;
    uint8_t limit_next[32];
};

static void roster_free(void *p)
{
    struct roster *r = p;
    if (!r) return;
    free(r->people);
    free(r->counted);
    free(r);
}

static struct person *find_linear(struct roster *r, const uint8_t key[32])
{
    for (size_t i = 0; i < r->n; i++)
        if (!memcmp(r->people[i].key, key, 32)) return &r->people[i];
    return NULL;
}

static struct person *person_for(struct roster *r, const uint8_t key[32])
{
    struct person *p = find_linear(r, key);
    if (p) return p;
    if (cz_grow(&r->people, &r->cap, r->n + 1, sizeof *r->people)) return NULL;
    p = &r->people[r->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->key, key, 32);
    return p;
}

static void copy_text(const cz_body *b, const struct cz_type *ty, const char *field, char *out, size_t size)
{
    const char *s;
    size_t len;
    out[0] = 0;
    const struct cz_field *f = cz_schema_field(ty, field);
    if (f && cz_body_get_text(b, f->tag, &s, &len) == CZ_OK)
        snprintf(out, size, "%.*s", (int)len, s);
}

static int get_key(const cz_body *b, const struct cz_type *ty, const char *field, uint8_t out[32])
{
    const uint8_t *p;
    size_t len;
    const struct cz_field *f = cz_schema_field(ty, field);
    if (!f || cz_body_get_bytes(b, f->tag, &p, &len) != CZ_OK || len != 32) return 0;
    memcpy(out, p, 32);
    return 1;
}

/* The countersignature checks out against `by`. */
static int countersigned(const uint8_t root[32], const struct cz_entry *e, const cz_body *b,
                         const struct cz_type *ty, uint8_t by[32])
{
    const struct cz_field *f = cz_schema_field(ty, "by_sig");
    const char *hex;
    size_t len;
    uint8_t sig[CZ_SIG_BYTES], *msg = NULL;
    size_t msg_len;
    char buf[2 * CZ_SIG_BYTES + 1];
    if (!get_key(b, ty, "by", by) || !f || cz_body_get_text(b, f->tag, &hex, &len) != CZ_OK ||
        len != 2 * CZ_SIG_BYTES)
        return 0;
    memcpy(buf, hex, len);
    buf[len] = 0;
    if (cz_unhex(buf, sig, sizeof sig) != CZ_OK) return 0;
    if (cz_roster_countersign_msg(root, e->type, b, &msg, &msg_len) != CZ_OK) return 0;
    int ok = crypto_sign_verify_detached(sig, msg, msg_len, by) == 0;
    free(msg);
    return ok;
}

/* Whether `by` may countersign a record at this point of the root log
 * (everything before it already applied to r). */
static int office_at(struct roster *r, const uint8_t by[32], uint64_t hlc)
{
    struct person *p = find_linear(r, by);
    if (!p || p->info.state != CZ_TRUST_CERTIFIED || p->info.revoked) return 0;
    if (strcmp(p->info.role, "office") || strcmp(p->info.kind, "person")) return 0;
    return !p->info.valid_until || cz_roster_hlc_date(hlc) <= p->info.valid_until;
}

static int note_counted(struct roster *r, const uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_grow(&r->counted, &r->capcounted, r->ncounted + 1, sizeof *r->counted);
    if (rc) return rc;
    memcpy(r->counted[r->ncounted++], id, CZ_ID_BYTES);
    return CZ_OK;
}

static int in_chain(const struct roster *r, const uint8_t key[32])
{
    for (size_t i = 0; i < r->nroots; i++)
        if (!memcmp(r->roots[i].key, key, 32)) return 1;
    return 0;
}

/* The new root's proof of possession: new_sig over cz_roster_rollover_msg. */
static int new_root_signed(const struct cz_entry *e, const cz_body *b, const struct cz_type *ty,
                           const uint8_t new_root[32])
{
    const struct cz_field *f = cz_schema_field(ty, "new_sig");
    const char *hex;
    size_t len, msg_len;
    uint8_t sig[CZ_SIG_BYTES], *msg = NULL;
    char buf[2 * CZ_SIG_BYTES + 1];
    if (!f || cz_body_get_text(b, f->tag, &hex, &len) != CZ_OK || len != 2 * CZ_SIG_BYTES) return 0;
    memcpy(buf, hex, len);
    buf[len] = 0;
    if (cz_unhex(buf, sig, sizeof sig) != CZ_OK) return 0;
    if (cz_roster_rollover_msg(e->origin, b, &msg, &msg_len) != CZ_OK) return 0;
    int ok = crypto_sign_verify_detached(sig, msg, msg_len, new_root) == 0;
    free(msg);
    return ok;
}

/* Whether a rollover statement holds against the roster as it stands (r
 * built from everything before it): signed by the chain's last root,
 * countersigned by an office person, signed by the new key, which is no
 * root the chain has had.  *new_root gets the key it names. */
static int rollover_holds(const struct roster *r, const struct cz_entry *e, const cz_body *b,
                          uint8_t new_root[32])
{
    const struct cz_type *ty = cz_schema_type("rollover");
    uint8_t by[32];
    if (!r->nroots || memcmp(e->origin, r->roots[r->nroots - 1].key, 32)) return 0;
    if (!get_key(b, ty, "new_root", new_root) || in_chain(r, new_root)) return 0;
    if (r->nroots == CZ_ROOT_CHAIN_MAX) return 0;
    return countersigned(e->origin, e, b, ty, by) && office_at((struct roster *)r, by, e->hlc) &&
           new_root_signed(e, b, ty, new_root);
}

/* A fork choice countersigned by an office person at this point: the
 * author's choice for that seq, replacing an earlier one.  When the
 * author has CZ_FORK_CHOICES_MAX positions chosen already, a new position
 * is not kept (its fork stays quarantined). */
static int apply_choice(struct roster *r, const struct cz_entry *e, const cz_body *b, const struct cz_type *ty,
                        const uint8_t key[32], const uint8_t by[32], const uint8_t id[CZ_ID_BYTES])
{
    int64_t seq = 0;
    uint8_t entry[32];
    if (!office_at(r, by, e->hlc) || cz_body_get_sint(b, cz_schema_field(ty, "seq")->tag, &seq) != CZ_OK ||
        seq < 1 || !get_key(b, ty, "entry", entry))
        return CZ_OK;
    struct person *p = person_for(r, key);
    if (!p) return CZ_ENOMEM;
    struct cz_trust_info *in = &p->info;
    size_t i = 0;
    while (i < in->nchoices && in->choices[i].seq != (uint64_t)seq) i++;
    if (i == in->nchoices) {
        if (i == CZ_FORK_CHOICES_MAX) return CZ_OK;
        in->nchoices++;
    }
    in->choices[i].seq = (uint64_t)seq;
    memcpy(in->choices[i].entry, entry, 32);
    return note_counted(r, id);
}

/* A certificate's grant, replacing whatever an earlier one granted. */
static void apply_cert(struct person *p, const cz_body *b, const struct cz_type *ty, const char *role,
                       const char *kind)
{
    uint64_t until = 0;
    const struct cz_field *f = cz_schema_field(ty, "valid_until");
    p->info.state = CZ_TRUST_CERTIFIED;
    snprintf(p->info.role, sizeof p->info.role, "%s", role);
    snprintf(p->info.kind, sizeof p->info.kind, "%s", kind);
    copy_text(b, ty, "region", p->info.region, sizeof p->info.region);
    copy_text(b, ty, "name", p->info.name, sizeof p->info.name);
    copy_text(b, ty, "station", p->info.station, sizeof p->info.station);
    p->info.valid_until = f && cz_body_get_uint(b, f->tag, &until) == CZ_OK ? (uint32_t)until : 0;
}

static void apply_revoke(struct person *p, const cz_body *b, const struct cz_type *ty)
{
    int64_t after = 0;
    cz_body_get_sint(b, cz_schema_field(ty, "after_seq")->tag, &after);
    if (after < 0) after = 0;
    /* Several revocations: the earliest bound wins, whatever came later. */
    if (!p->info.revoked || (uint64_t)after < p->info.revoked_after)
        p->info.revoked_after = (uint64_t)after;
    p->info.revoked = 1;
}

/* One root-signed entry, in root-log order. */
static int apply_trust(struct roster *r, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    int is_cert = !strcmp(e->type, "cert"), is_rollover = !strcmp(e->type, "rollover");
    int is_choice = !strcmp(e->type, "fork_choice");
    if ((!is_cert && !is_rollover && !is_choice && strcmp(e->type, "revoke")) ||
        (e->flags & CZ_ENTRY_FLAG_TOMBSTONE))
        return CZ_OK;
    const struct cz_type *ty = cz_schema_type(e->type);
    cz_body *b = NULL;
    uint8_t key[32], by[32];
    int rc = CZ_OK;
    if (!ty || cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return CZ_OK;
    if (is_rollover) {
        /* This root's log ends here; the new root's takes over (roster.h). */
        /* Where the identity pinned this root's end, only the rollover
         * at that seq to that root counts. */
        if (rollover_holds(r, e, b, key) &&
            (!r->limited || (e->seq == r->limit && !memcmp(key, r->limit_next, 32)))) {
            r->stopped = 1;
            r->stop_seq = e->seq;
            memcpy(r->next, key, 32);
            rc = note_counted(r, id);
        }
        goto done;
    }
    if (!get_key(b, ty, "key", key) || !countersigned(e->origin, e, b, ty, by)) goto done;
    char role[16], kind[16];
    copy_text(b, ty, "role", role, sizeof role);
    copy_text(b, ty, "kind", kind, sizeof kind);
    if (is_choice) {
        rc = apply_choice(r, e, b, ty, key, by, id);
        goto done;
    }
    /* The founding cert: the first root's log's first entry, the office's
     * first person certifying themselves (roster.h). */
    int founding = is_cert && e->seq == 1 && r->nroots == 1 && !memcmp(by, key, 32) &&
                   !strcmp(role, "office") && !strcmp(kind, "person");
    if (!founding && !office_at(r, by, e->hlc)) goto done;
    struct person *p = person_for(r, key);
    if (!p) { rc = CZ_ENOMEM; goto done; }
    if (is_cert) apply_cert(p, b, ty, role, kind);
    else apply_revoke(p, b, ty);
    rc = note_counted(r, id);
done:
    cz_body_free(b);
    return rc;
}

struct build { cz_txn *t; struct roster *r; int rc; };

static int build_cb(void *ctx, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    struct build *bd = ctx;
    struct cz_entry e;
    bd->r->positions++;
    /* Past a rollover (or the end the identity pinned) this root's entries
     * count for nothing; they are still counted as positions, so a change
     * to them is noticed. */
    if (bd->r->stopped || (bd->r->limited && seq > bd->r->limit)) return 0;
    /* Stored entries were verified on the way in (and `verify` checks them
     * again); only the countersignature is checked here. */
    if (cz_store_get_entry(bd->t, id, &e) != CZ_OK || e.seq != seq) return 0;
    return apply_trust(bd->r, &e, id);
}

static int by_key(const void *a, const void *b)
{
    return memcmp(((const struct person *)a)->key, ((const struct person *)b)->key, 32);
}

static int count_cb(void *ctx, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    (void)seq; (void)id;
    (*(size_t *)ctx)++;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    return memcmp(a, b, CZ_ID_BYTES);
}

/* The first root: meta CZ_META_ROOT_ANCHOR once the station has seen a
 * rollover (or was set up after one), else the pinned root itself. */
static void anchor_of(cz_txn *t, const uint8_t root[32], uint8_t out[32])
{
    const void *v;
    size_t len;
    if (cz_meta_get(t, CZ_META_ROOT_ANCHOR, &v, &len) == CZ_OK && len == 32) memcpy(out, v, 32);
    else memcpy(out, root, 32);
}

/* Walks the chain's logs: the anchor's up to its rollover, then the new
 * root's, and so on. */
/* Where the identity a station was set up from says `key` ends (meta
 * CZ_META_ROOT_PINS): *limit and the root after it. */
static int pinned_end(cz_txn *t, const uint8_t key[32], uint64_t *limit, uint8_t next[32])
{
    const void *v;
    size_t len;
    if (cz_meta_get(t, CZ_META_ROOT_PINS, &v, &len) != CZ_OK || len % 40) return 0;
    const uint8_t *p = v;
    for (size_t off = 0; off + 80 <= len; off += 40) {
        if (memcmp(p + off, key, 32)) continue;
        *limit = cz_get_be64(p + off + 32);
        memcpy(next, p + off + 40, 32);
        return 1;
    }
    return 0;
}

static int roster_build(cz_txn *t, struct roster *r)
{
    uint8_t cur[32];
    memcpy(cur, r->anchor, 32);
    for (;;) {
        struct cz_root_link *l = &r->roots[r->nroots++];
        memcpy(l->key, cur, 32);
        l->upto = UINT64_MAX;
        r->stopped = 0;
        r->limited = pinned_end(t, cur, &r->limit, r->limit_next);
        struct build bd = { .t = t, .r = r, .rc = CZ_OK };
        int rc = cz_store_log_each(t, cur, build_cb, &bd);
        if (rc) return rc;
        /* A pinned end holds before its rollover has arrived here. */
        if (r->limited && !r->stopped && r->nroots < CZ_ROOT_CHAIN_MAX && !in_chain(r, r->limit_next)) {
            r->stopped = 1;
            r->stop_seq = r->limit;
            memcpy(r->next, r->limit_next, 32);
        }
        if (!r->stopped) break;
        l->upto = r->stop_seq;
        memcpy(cur, r->next, 32);
    }
    r->stopped = r->limited = 0;
    if (r->n) qsort(r->people, r->n, sizeof *r->people, by_key);
    if (r->ncounted) qsort(r->counted, r->ncounted, sizeof *r->counted, by_id);
    return CZ_OK;
}

static int roster_get(cz_txn *t, const uint8_t root[32], struct roster **out)
{
    struct roster *r = cz_txn_aux(t);
    uint8_t anchor[32];
    anchor_of(t, root, anchor);
    if (r && !memcmp(r->anchor, anchor, 32)) {
        if (r->puts == cz_txn_puts(t)) { *out = r; return CZ_OK; }
        /* Entries were put: the roster moved only if a root log did.
         * Log positions are never removed, so the same count is the same
         * logs, and counting keys is far cheaper than checking every
         * countersignature again (an import puts between look-ups).  A
         * rollover grows the last root's log, so a new root is noticed. */
        size_t n = 0;
        for (size_t i = 0; i < r->nroots; i++) {
            int rc = cz_store_log_each(t, r->roots[i].key, count_cb, &n);
            if (rc) return rc;
        }
        if (n == r->positions) { r->puts = cz_txn_puts(t); *out = r; return CZ_OK; }
    }
    if (!(r = calloc(1, sizeof *r))) return CZ_ENOMEM;
    memcpy(r->anchor, anchor, 32);
    r->puts = cz_txn_puts(t);
    int rc = roster_build(t, r);
    if (rc) { roster_free(r); return rc; }
    cz_txn_set_aux(t, r, roster_free);
    *out = r;
    return CZ_OK;
}

int cz_roster_lookup(cz_txn *t, const uint8_t root[32], const uint8_t key[32], struct cz_trust_info *out)
{
    struct roster *r;
    memset(out, 0, sizeof *out);
    int rc = roster_get(t, root, &r);
    if (rc) return rc;
    /* Every root of the chain is the root; one replaced is like a key
     * revoked after its rollover (its later entries: CZ_ERETIRED). */
    for (size_t i = 0; i < r->nroots; i++)
        if (!memcmp(r->roots[i].key, key, 32)) {
            out->state = CZ_TRUST_ROOT;
            snprintf(out->role, sizeof out->role, "office");
            if (r->roots[i].upto != UINT64_MAX) {
                out->revoked = 1;
                out->revoked_after = r->roots[i].upto;
            }
            return CZ_OK;
        }
    /* The pinned root before its rollover has arrived (a station set up
     * from an identity published after a rollover). */
    if (!memcmp(root, key, 32)) {
        out->state = CZ_TRUST_ROOT;
        snprintf(out->role, sizeof out->role, "office");
        return CZ_OK;
    }
    struct person probe;
    memcpy(probe.key, key, 32);
    const struct person *p = r->n ? bsearch(&probe, r->people, r->n, sizeof *r->people, by_key) : NULL;
    if (p) *out = p->info;
    return CZ_OK;
}

int cz_roster_chain(cz_txn *t, const uint8_t root[32], struct cz_root_link *out, size_t max, size_t *n)
{
    struct roster *r;
    int rc = roster_get(t, root, &r);
    *n = 0;
    if (rc) return rc;
    for (size_t i = 0; i < r->nroots && i < max; i++) out[(*n)++] = r->roots[i];
    return CZ_OK;
}

int cz_roster_current(cz_txn *t, const uint8_t root[32], uint8_t out[32])
{
    struct roster *r;
    int rc = roster_get(t, root, &r);
    if (rc) return rc;
    /* The walk's end, unless the pinned root lies beyond it (its rollover
     * not here yet). */
    memcpy(out, in_chain(r, root) ? r->roots[r->nroots - 1].key : root, 32);
    return CZ_OK;
}

struct back { cz_txn *t; const uint8_t *cur; uint8_t prev[32]; int found; };

/* An entity indexed under new_root = cur: a rollover to cur, signed by the
 * root before it, with cur's own proof. */
static int back_cb(void *ctx, const uint8_t *entity)
{
    struct back *bk = ctx;
    const struct cz_type *ty = cz_schema_type("rollover");
    uint8_t heads[4][CZ_ID_BYTES], key[32];
    size_t n = 0;
    if (bk->found || cz_store_heads(bk->t, entity, heads, 4, &n) != CZ_OK) return 0;
    for (size_t i = 0; i < n && i < 4 && !bk->found; i++) {
        struct cz_entry e;
        cz_body *b = NULL;
        if (cz_store_get_entry(bk->t, heads[i], &e) != CZ_OK || strcmp(e.type, "rollover") ||
            !memcmp(e.origin, bk->cur, 32) || cz_body_decode(e.body, e.body_len, &b) != CZ_OK)
            continue;
        if (get_key(b, ty, "new_root", key) && !memcmp(key, bk->cur, 32) && new_root_signed(&e, b, ty, key)) {
            memcpy(bk->prev, e.origin, 32);
            bk->found = 1;
        }
        cz_body_free(b);
    }
    return 0;
}

int cz_roster_find_anchor(cz_txn *t, const uint8_t root[32], uint8_t anchor[32])
{
    uint8_t cur[32];
    char hex[65], term[256];
    memcpy(cur, root, 32);
    for (size_t hops = 0; hops + 1 < CZ_ROOT_CHAIN_MAX; hops++) {
        struct back bk = { .t = t, .cur = cur };
        cz_hex(cur, 32, hex);
        size_t n = cz_term_exact(term, sizeof term, "rollover", "new_root", hex);
        int rc = cz_store_index_each(t, term, n, back_cb, &bk);
        if (rc) return rc;
        if (!bk.found || !memcmp(bk.prev, root, 32)) break;
        memcpy(cur, bk.prev, 32);
    }
    memcpy(anchor, cur, 32);
    return CZ_OK;
}

int cz_roster_rollover_check(cz_txn *t, const uint8_t root[32], const struct cz_entry *e)
{
    struct roster *r;
    cz_body *b = NULL;
    uint8_t new_root[32];
    int rc = roster_get(t, root, &r);
    if (rc) return rc;
    if (cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return CZ_EROLLOVER;
    int ok = rollover_holds(r, e, b, new_root);
    cz_body_free(b);
    return ok ? CZ_OK : CZ_EROLLOVER;
}

int cz_roster_trust_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e, int *counts)
{
    struct roster *r;
    *counts = 0;
    int rc = roster_get(t, root, &r);
    if (rc) return rc;
    /* The roster walked the logs' positions, so an entry that is not the
     * one at its position (a fork) is not among those counted. */
    uint8_t id[CZ_ID_BYTES];
    crypto_generichash(id, sizeof id, e->raw, e->raw_len, NULL, 0);
    *counts = r->ncounted && bsearch(id, r->counted, r->ncounted, sizeof *r->counted, by_id);
    return CZ_OK;
}

int cz_roster_entry_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                           struct cz_trust_info *info, int *why)
{
    int rc = cz_roster_lookup(t, root, e->origin, info);
    *why = CZ_OK;
    if (rc) return rc;
    cz_roster_entry_judge(info, e, why);
    const struct cz_type *ty = cz_schema_type(e->type);
    if (*why == CZ_OK && info->state == CZ_TRUST_ROOT && ty && ty->trust &&
        !(e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) {
        int counts;
        if ((rc = cz_roster_trust_counts(t, root, e, &counts))) return rc;
        if (!counts) *why = CZ_EPERM;
    }
    return CZ_OK;
}

void cz_roster_entry_judge(const struct cz_trust_info *info, const struct cz_entry *e, int *why)
{
    *why = CZ_OK;
    const struct cz_type *ty = cz_schema_type(e->type);
    if (info->state == CZ_TRUST_ROOT) {
        /* A root replaced by a rollover signs nothing after it. */
        if (info->revoked && e->seq > info->revoked_after) *why = CZ_ERETIRED;
        return;
    }
    if (ty && ty->trust) { *why = CZ_EPERM; return; }
    if (info->revoked && e->seq > info->revoked_after) { *why = CZ_EREVOKED; return; }
    /* Key announcements need no certificate and no jurisdiction: they ask
     * for a certificate and concern everyone (region ""). */
    if (!strcmp(e->type, "key"))
        return;
    if (info->state == CZ_TRUST_PENDING) { *why = CZ_ENOTFOUND; return; }
    if (info->valid_until && cz_roster_hlc_date(e->hlc) > info->valid_until) { *why = CZ_EEXPIRED; return; }
    if (strcmp(info->role, "office") != 0 && !cz_region_under(e->region, info->region))
        *why = CZ_EPERM;
}
