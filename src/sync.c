#include "sync.h"
#include "bundle_stream.h"
#include "keys.h"
#include "query.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A clock this far ahead of ours is accepted but does not drag ours along
 * (PITFALLS: a persisted future timestamp cannot be undone). */
#define HLC_AHEAD_MAX_MS (24ull * 3600 * 1000)

int cz_read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat sb;
    int fd = open(path, O_RDONLY);
    *buf = NULL;
    *len = 0;
    if (fd < 0) return errno == ENOENT ? CZ_ENOTFOUND : CZ_EIO;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) { close(fd); return CZ_EIO; }
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
    if (memcmp(r.origin, pc->info->office_root, 32) != 0) goto done;   /* only the root certifies */
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
struct export_item { const uint8_t *p; uint32_t len; };

struct export_ctx {
    cz_txn *t;
    const struct cz_vv *ack;
    const char *region;
    struct cz_vv *mine;
    struct export_item *items;
    size_t n, cap;
    size_t logged, wanted, matched;   /* log positions, those not acknowledged, entries found for them */
    uint8_t (*forked)[CZ_ID_BYTES];   /* ids on either side of a fork, sorted */
    size_t nforked, forked_cap;
    uint64_t bytes;                   /* sum of 4 + len over items */
    struct cz_export_result *res;
};

static int log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    int rc = cz_vv_add(x->mine, key, seq_of(key), val);
    if (rc) return rc;
    x->logged++;
    if (!x->ack || !cz_vv_has(x->ack, key, seq_of(key))) x->wanted++;
    return 0;
}

/* Trust records and places (empty region) go everywhere; the rest only
 * inside the recipient's jurisdiction. */
static int take(struct export_ctx *x, const uint8_t *raw, size_t len, const char *region)
{
    if (region[0] && !cz_region_within(region, x->region)) {
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

/* The few-wanted way: the logs again, a look-up per position wanted. */
static int lookup_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    struct cz_entry e;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    if (x->ack && cz_vv_has(x->ack, key, seq_of(key))) return 0;
    int rc = cz_store_get_entry(x->t, val, &e);
    if (rc) return rc;
    return take(x, e.raw, e.raw_len, e.region);
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

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ID_BYTES); }

/* The many-wanted way: every entry in the store's order. */
static int entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    const uint8_t *origin;
    uint64_t seq;
    char region[CZ_REGION_MAX + 1];
    if (klen != CZ_ID_BYTES) return CZ_EDB;
    int rc = cz_entry_peek(val, vlen, &origin, &seq, region);
    if (rc) return rc;
    if (!cz_vv_has(x->mine, origin, seq)) return 0;   /* not logged here: nothing to send */
    if (x->nforked && bsearch(key, x->forked, x->nforked, CZ_ID_BYTES, id_cmp)) {
        uint8_t logged[CZ_ID_BYTES];
        if ((rc = cz_store_log_get(x->t, origin, seq, logged))) return rc;
        if (memcmp(logged, key, CZ_ID_BYTES)) return 0;
    }
    x->matched++;
    if (x->ack && cz_vv_has(x->ack, origin, seq)) return 0;
    return take(x, val, vlen, region);
}

static int export_collect(struct export_ctx *x)
{
    int rc;
    if ((rc = cz_store_each_log(x->t, log_cb, x))) return rc;
    if (x->wanted * 8 < x->logged) return cz_store_each_log(x->t, lookup_cb, x);
    if ((rc = cz_store_each_fork(x->t, fork_cb, x))) return rc;
    if (x->nforked > 1) qsort(x->forked, x->nforked, CZ_ID_BYTES, id_cmp);
    if ((rc = cz_store_each_entry(x->t, entry_cb, x))) return rc;
    /* A logged id with no entry: the store is damaged (a look-up said so
     * before). */
    return x->matched == x->logged ? CZ_OK : CZ_ENOTFOUND;
}

/* The plaintext (bundle.h): the payload's head (magic, kind, vector,
 * count), then each entry as u32 len + bytes, produced piecewise. */
struct export_fill {
    const uint8_t *head;
    size_t head_len, pos;             /* pos: bytes of the current piece given */
    const struct export_item *items;
    size_t n, i;                      /* i: the item being given; SIZE_MAX while in the head */
};

static int export_fill_cb(void *ctx, uint8_t *buf, size_t want)
{
    struct export_fill *f = ctx;
    while (want) {
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
        if (f->i != SIZE_MAX && f->pos == 4 + (size_t)f->items[f->i].len) { f->i++; f->pos = 0; }
    }
    return CZ_OK;
}

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(ctx, msg, len, sig);
}

int cz_sync_export(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                   struct cz_export_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_vv mine = { 0 }, ack = { 0 };
    struct export_ctx x = { 0 };
    uint8_t *head = NULL, id[CZ_ID_BYTES];
    size_t head_len = 0, head_cap = 0, file_len = 0;
    int have_ack = 0, rc;
    cz_txn *t = NULL;

    memset(res, 0, sizeof *res);
    if (!sec) return CZ_EPERM;

    /* The bundle's sequence number is taken before the file is written, so
     * two exports never share one even when the second write fails.  (It
     * is taken first: the read below holds its transaction open while the
     * file is written from the store's pages.) */
    uint64_t seq = 0;
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) return rc;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", &seq)) && rc != CZ_ENOTFOUND) goto cleanup;
    seq++;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", seq))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;

    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    if (!full) {
        const void *v;
        size_t len, pos = 0;
        rc = cz_store_peer_get(t, peer->box, &v, &len);
        if (rc == CZ_OK) {
            /* A damaged acknowledgement only costs a full bundle. */
            have_ack = cz_vv_decode(v, len, &pos, &ack) == CZ_OK;
        } else if (rc != CZ_ENOTFOUND) {
            goto cleanup;
        }
    }
    x.t = t;
    x.ack = have_ack ? &ack : NULL;
    x.region = peer->region;
    x.mine = &mine;
    x.res = res;
    if ((rc = export_collect(&x))) goto cleanup;
    res->entries = x.n;

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
    for (int b = 0; b < 4; b++) head[head_len + (size_t)b] = (uint8_t)(x.n >> (8 * (3 - b)));
    head_len += 4;

    const uint8_t (*rcpt)[32] = (const uint8_t (*)[32])peer->box;
    struct cz_bundle_params p = { info->box_pk, seq, rcpt, 1, cz_secrets_sign_pk(sec), sign_cb,
                                  (void *)sec, 0 };
    struct export_fill f = { head, head_len, 0, x.items, x.n, SIZE_MAX };
    if ((rc = cz_bundle_write_stream(stick, &p, (uint64_t)head_len + x.bytes, export_fill_cb, &f,
                                     res->path, sizeof res->path, id, &file_len)))
        goto cleanup;
    res->bytes = file_len;
    res->seq = seq;
cleanup:
    cz_txn_abort(t);
    free(head);
    free(x.items);
    free(x.forked);
    cz_vv_free(&mine);
    cz_vv_free(&ack);
    return rc;
}

/* ---- import ---- */

struct staged { struct cz_entry e; uint8_t id[CZ_ID_BYTES]; };

/* The chain holds wherever the neighbouring entries are here: ours at
 * seq-1 is the one this names, and ours at seq+1 names this one. */
static int chain_ok(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok)
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_entry next;
    int rc;
    *ok = 1;
    if (e->seq > 1) {
        rc = cz_store_log_get(t, e->origin, e->seq - 1, at);
        if (rc == CZ_OK && memcmp(at, e->prev, CZ_ID_BYTES)) *ok = 0;
        else if (rc && rc != CZ_ENOTFOUND) return rc;
    } else if (!sodium_is_zero(e->prev, CZ_ID_BYTES)) {
        *ok = 0;
    }
    rc = cz_store_log_get(t, e->origin, e->seq + 1, at);
    if (rc == CZ_OK) {
        if ((rc = cz_store_get_entry(t, at, &next))) return rc;
        if (memcmp(next.prev, id, CZ_ID_BYTES)) *ok = 0;
    } else if (rc != CZ_ENOTFOUND) {
        return rc;
    }
    return CZ_OK;
}

static int apply_one(cz_txn *t, const struct cz_station_info *info, const struct staged *s,
                     cz_refused_fn fn, void *ctx, struct cz_import_result *res, uint64_t *max_hlc)
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_trust_info ti;
    int rc, why, ok, result;
    /* Already here: nothing to check or report. */
    rc = cz_store_log_get(t, s->e.origin, s->e.seq, at);
    if (rc == CZ_OK && !memcmp(at, s->id, CZ_ID_BYTES)) { res->duplicate++; return CZ_OK; }
    if (rc && rc != CZ_ENOTFOUND) return rc;
    if ((rc = chain_ok(t, &s->e, s->id, &ok))) return rc;
    if (!ok) why = CZ_ECHAIN;
    else if ((rc = cz_roster_entry_counts(t, info->office_root, &s->e, &ti, &why))) return rc;
    if (why && why != CZ_ENOTFOUND) {
        res->refused++;
        if (fn) fn(ctx, s->id, s->e.origin, why);
        return CZ_OK;
    }
    if ((rc = cz_store_put_entry(t, &s->e, s->id, &result))) return rc;
    if (result == CZ_PUT_NEW) {
        res->fresh++;
        if (why == CZ_ENOTFOUND) res->pending++;
    } else if (result == CZ_PUT_FORK) {
        res->forks++;
    } else {
        res->duplicate++;
    }
    uint64_t limit = (cz_now_ms() + HLC_AHEAD_MAX_MS) << 16;
    if (s->e.hlc > limit) {
        if (result == CZ_PUT_NEW) res->clock_ahead++;
    } else if (s->e.hlc > *max_hlc) {
        *max_hlc = s->e.hlc;
    }
    return CZ_OK;
}

int cz_sync_import(cz_station *st, const uint8_t *buf, size_t len, cz_refused_fn fn, void *ctx,
                   struct cz_import_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_bundle_header h;
    struct cz_payload pl = { 0 };
    struct staged *staged = NULL;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    cz_txn *t = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    if ((res->status = cz_bundle_read_header(buf, len, &h))) return CZ_OK;
    memcpy(res->id, h.id, CZ_ID_BYTES);
    memcpy(res->sender_box, h.sender_box, 32);
    memcpy(res->signer, h.signer, 32);
    res->seq = h.seq;
    if (!cz_bundle_addressed_to(&h, info->box_pk)) { res->status = CZ_ENOTFORUS; return CZ_OK; }
    if (!sec) return CZ_EPERM;

    /* Cheap refusals before any decryption. */
    struct cz_trust_info ti;
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    rc = cz_store_seen_get(t, h.id, NULL, NULL);
    if (rc == CZ_OK) res->status = CZ_ESEEN;
    else if (rc != CZ_ENOTFOUND) goto cleanup;
    else if ((rc = cz_roster_lookup(t, info->office_root, h.signer, &ti))) goto cleanup;
    else if (ti.revoked) res->status = CZ_EREVOKED;
    cz_txn_abort(t);
    t = NULL;
    rc = CZ_OK;
    if (res->status) goto cleanup;

    if ((res->status = cz_bundle_open(buf, len, &h, info->box_pk, cz_secrets_box_sk(sec), &plain, &plain_len)))
        goto cleanup;
    if ((res->status = cz_payload_decode(plain, plain_len, &pl))) goto cleanup;
    if (pl.kind != CZ_PAYLOAD_SYNC) { res->status = CZ_ETYPE; goto cleanup; }
    /* Every entry decodes strictly and carries its author's signature, or
     * the bundle is refused whole: it was made or damaged by someone else. */
    if (!(staged = calloc(pl.n ? pl.n : 1, sizeof *staged))) { rc = CZ_ENOMEM; goto cleanup; }
    for (size_t i = 0; i < pl.n; i++) {
        if ((res->status = cz_entry_decode(pl.entry[i], pl.entry_len[i], &staged[i].e)) ||
            (res->status = cz_entry_verify(&staged[i].e)))
            goto cleanup;
        cz_entry_id(pl.entry[i], pl.entry_len[i], staged[i].id);
    }

    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) goto cleanup;
    if (cz_store_seen_get(t, h.id, NULL, NULL) == CZ_OK) { res->status = CZ_ESEEN; goto cleanup; }
    uint64_t max_hlc = 0, local_hlc = 0;
    /* The root's certificates and revocations first, so the entries they
     * speak for are judged by them in this same bundle. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < pl.n; i++) {
            int is_root = !memcmp(staged[i].e.origin, info->office_root, 32);
            if (is_root != (pass == 0)) continue;
            if ((rc = apply_one(t, info, &staged[i], fn, ctx, res, &max_hlc))) goto cleanup;
        }
    uint8_t note[40];
    memcpy(note, h.sender_box, 32);
    for (int i = 7; i >= 0; i--) note[32 + i] = (uint8_t)(h.seq >> (8 * (7 - i)));
    if ((rc = cz_store_seen_put(t, h.id, note, sizeof note))) goto cleanup;
    /* What the sender holds is what it acknowledges: the next export to it
     * leaves that out. */
    uint8_t *vbuf = NULL;
    size_t vlen = 0, vcap = 0;
    if ((rc = cz_vv_encode(&pl.vv, &vbuf, &vlen, &vcap)) == CZ_OK)
        rc = cz_store_peer_put(t, h.sender_box, vbuf, vlen);
    free(vbuf);
    if (rc) goto cleanup;
    if ((rc = cz_meta_get_u64(t, "hlc", &local_hlc)) && rc != CZ_ENOTFOUND) goto cleanup;
    if (max_hlc > local_hlc && (rc = cz_meta_put_u64(t, "hlc", max_hlc))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
cleanup:
    cz_txn_abort(t);
    /* A refusal after entries were counted changed nothing: say so. */
    if (res->status && res->status != CZ_ESEEN)
        res->fresh = res->duplicate = res->pending = res->forks = res->refused = res->clock_ahead = 0;
    free(staged);
    cz_payload_free(&pl);
    cz_bundle_plain_free(plain, plain_len);
    return rc;
}
