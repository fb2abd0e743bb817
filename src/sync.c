#include "sync.h"
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
#include <time.h>
#include <unistd.h>

static int note_last_sync(cz_txn *t, enum cz_sync_dir dir, const uint8_t box[32]);

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

static int vv_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    return cz_vv_add(ctx, key, seq_of(key), val);
}

struct export_ctx {
    cz_txn *t;
    const struct cz_vv *ack;
    const char *region;
    struct cz_payload_writer *w;
    struct cz_export_result *res;
};

static int export_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct export_ctx *x = ctx;
    struct cz_entry e;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    if (x->ack && cz_vv_has(x->ack, key, seq_of(key))) return 0;
    int rc = cz_store_get_entry(x->t, val, &e);
    if (rc) return rc;
    /* Trust records and places (empty region) go everywhere; the rest only
     * inside the recipient's jurisdiction. */
    if (e.region[0] && !cz_region_within(e.region, x->region)) {
        x->res->skipped_scope++;
        return 0;
    }
    x->res->entries++;
    return cz_payload_add(x->w, e.raw, e.raw_len);
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
    struct cz_payload_writer w = { 0 };
    uint8_t *file = NULL, id[CZ_ID_BYTES];
    size_t file_len = 0;
    int have_ack = 0, rc;
    cz_txn *t = NULL;

    memset(res, 0, sizeof *res);
    if (!sec) return CZ_EPERM;
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
    if ((rc = cz_store_each_log(t, vv_cb, &mine))) goto cleanup;
    if ((rc = cz_payload_start(&w, CZ_PAYLOAD_SYNC, &mine))) goto cleanup;
    struct export_ctx x = { t, have_ack ? &ack : NULL, peer->region, &w, res };
    if ((rc = cz_store_each_log(t, export_cb, &x))) goto cleanup;
    cz_payload_finish(&w);
    cz_txn_abort(t);
    t = NULL;

    /* The bundle's sequence number is taken before the file is written, so
     * two exports never share one even when the second write fails. */
    uint64_t seq = 0;
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) goto cleanup;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", &seq)) && rc != CZ_ENOTFOUND) goto cleanup;
    seq++;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", seq))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;

    const uint8_t (*rcpt)[32] = (const uint8_t (*)[32])peer->box;
    struct cz_bundle_params p = { info->box_pk, seq, rcpt, 1, cz_secrets_sign_pk(sec), sign_cb,
                                  (void *)sec, 0 };
    if ((rc = cz_bundle_seal(&p, w.buf, w.len, &file, &file_len, id))) goto cleanup;
    if ((rc = cz_bundle_write(stick, peer->box, info->box_pk, id, file, file_len, res->path, sizeof res->path)))
        goto cleanup;
    res->bytes = file_len;
    res->seq = seq;
    /* The note is a convenience for the home screen: the bundle is on the
     * stick whether or not it is written. */
    if (cz_txn_begin(cz_station_store(st), 1, &t) == CZ_OK && note_last_sync(t, CZ_SYNC_EXPORT, peer->box) == CZ_OK) {
        cz_txn_commit(t);
        t = NULL;
    }
cleanup:
    cz_txn_abort(t);
    if (w.buf) sodium_memzero(w.buf, w.len);
    free(w.buf);
    free(file);
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
    if ((rc = note_last_sync(t, CZ_SYNC_IMPORT, h.sender_box))) goto cleanup;
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

#define META_LAST_SYNC "last_sync"

/* Notes the last exchange: dir(1) | unix time(8, BE) | other box key(32). */
static int note_last_sync(cz_txn *t, enum cz_sync_dir dir, const uint8_t box[32])
{
    uint8_t v[41];
    uint64_t now = (uint64_t)time(NULL);
    v[0] = (uint8_t)dir;
    for (int i = 0; i < 8; i++) v[1 + i] = (uint8_t)(now >> (8 * (7 - i)));
    memcpy(v + 9, box, 32);
    return cz_meta_put(t, META_LAST_SYNC, v, sizeof v);
}

int cz_sync_last(cz_station *st, struct cz_sync_last *out)
{
    const struct cz_station_info *info = cz_station_info(st);
    const void *v = NULL;
    size_t len = 0, n = 0;
    struct cz_peer *peers = NULL;
    cz_txn *t = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    rc = cz_meta_get(t, META_LAST_SYNC, &v, &len);
    if (rc == CZ_OK && len != 41) rc = CZ_ENOTFOUND;
    if (rc == CZ_OK) {
        const uint8_t *b = v;
        uint64_t when = 0;
        out->dir = (enum cz_sync_dir)b[0];
        for (int i = 0; i < 8; i++) when = when << 8 | b[1 + i];
        out->when = (int64_t)when;
        memcpy(out->box, b + 9, 32);
    }
    cz_txn_abort(t);
    if (rc) return rc;
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
