/* peers.c — who this station syncs with and when it last did (sync.h):
 * the peers a bundle is written for, and the last-sync times export and
 * import note in the store's meta. */
#include "sync.h"
#include "index.h"
#include "hex.h"
#include "sync_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "codec.h"
#include "grow.h"
#include "keys.h"
#include "query.h"
#include "schema.h"
#include "status.h"

void sync_meta_name(char *buf, size_t size, const char *what, const uint8_t box[32])
{
    char hex[65];
    cz_hex(box, 32, hex);
    snprintf(buf, size, "sync_%s:%s", what, hex);
}

void sync_progress(const struct cz_progress *pr, size_t done, size_t total)
{
    if (pr && pr->fn) pr->fn(pr->ctx, done, total);
}

/* ---- peers ---- */

struct peers_ctx { cz_txn *t; const struct cz_station_info *info; struct cz_peer *v; size_t n, cap; int rc; };

/* The station key a live `cert` of kind station names, certified by a
 * root of the chain and not revoked; NULL when r is none. */
static const uint8_t *peer_key(struct peers_ctx *pc, const struct cz_record *r, struct cz_trust_info *ti)
{
    const uint8_t *key;
    size_t len;
    char kind[16] = "";
    /* Only the root certifies: any root of the chain (a station certified
     * before a rollover is still a peer). */
    if (cz_roster_lookup(pc->t, pc->info->office_root, r->origin, ti) != CZ_OK || ti->state != CZ_TRUST_ROOT)
        return NULL;
    cz_schema_format(cz_schema_field(r->type, "kind"), r->body, CZ_LANG_EN, 0, kind, sizeof kind);
    if (strcmp(kind, "station") ||
        cz_body_get_bytes(r->body, cz_schema_field(r->type, "key")->tag, &key, &len) != CZ_OK || len != 32 ||
        !memcmp(key, pc->info->box_pk, 32))
        return NULL;
    if (cz_roster_lookup(pc->t, pc->info->office_root, key, ti) != CZ_OK || ti->state != CZ_TRUST_CERTIFIED ||
        ti->revoked)
        return NULL;
    for (size_t i = 0; i < pc->n; i++)
        if (!memcmp(pc->v[i].box, key, 32)) return NULL;
    return key;
}

static int peers_cb(void *ctx, const uint8_t *entity)
{
    struct peers_ctx *pc = ctx;
    struct cz_record r;
    struct cz_trust_info ti;
    const uint8_t *key;
    char name[CZ_NAME_MAX] = "";
    if (cz_record_load(pc->t, entity, &r) != CZ_OK || r.deleted || !r.type || !(key = peer_key(pc, &r, &ti)))
        goto done;
    if ((pc->rc = cz_grow(&pc->v, &pc->cap, pc->n + 1, sizeof *pc->v))) {
        cz_record_clear(&r);
        return pc->rc;
    }
    struct cz_peer *p = &pc->v[pc->n++];
    *p = (struct cz_peer){ .name = "" };
    memcpy(p->box, key, 32);
    cz_schema_format(cz_schema_field(r.type, "station"), r.body, CZ_LANG_EN, 0, name, sizeof name);
    if (!name[0]) cz_schema_format(cz_schema_field(r.type, "name"), r.body, CZ_LANG_EN, 0, name, sizeof name);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->region, sizeof p->region, "%s", ti.region);
done:
    cz_record_clear(&r);
    return 0;
}

/* A village station writes for the office only. */
static int village_peers(const struct cz_station_info *info, struct cz_peer **out, size_t *n)
{
    struct cz_peer *p = calloc(1, sizeof *p);
    if (!p) return CZ_ENOMEM;
    memcpy(p->box, info->office_box, 32);
    snprintf(p->name, sizeof p->name, "%s", info->office_name);
    *out = p;
    *n = 1;
    return CZ_OK;
}

int cz_sync_peers(cz_station *st, struct cz_peer **out, size_t *n)
{
    const struct cz_station_info *info = cz_station_info(st);
    cz_txn *t = NULL;
    char term[64];
    *out = NULL;
    *n = 0;
    if (info->kind != CZ_KIND_OFFICE) return village_peers(info, out, n);
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    size_t tl = cz_term_type(term, sizeof term, "cert");
    struct peers_ctx pc = { .t = t, .info = info, .rc = CZ_OK };
    rc = cz_store_index_each(t, term, tl, peers_cb, &pc);
    if (rc == CZ_OK) rc = pc.rc;
    cz_txn_abort(t);
    if (rc) { free(pc.v); return rc; }
    *out = pc.v;
    *n = pc.n;
    return CZ_OK;
}

/* ---- the last sync ---- */

int cz_sync_last(cz_station *st, const uint8_t box[32], uint64_t *sent_ms, uint64_t *received_ms)
{
    char name[96];
    cz_txn *t = NULL;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    *sent_ms = *received_ms = 0;
    if (rc) return rc;
    sync_meta_name(name, sizeof name, "sent", box);
    if ((rc = cz_meta_get_u64(t, name, sent_ms)) == CZ_ENOTFOUND) rc = CZ_OK;
    sync_meta_name(name, sizeof name, "received", box);
    if (rc == CZ_OK && (rc = cz_meta_get_u64(t, name, received_ms)) == CZ_ENOTFOUND) rc = CZ_OK;
    cz_txn_abort(t);
    return rc;
}

/* The latest of the cz_sync_last times: one range of the meta names
 * "sync_" (two for each station exchanged with), so a bundle from a
 * station not (or no longer) enrolled counts too, named by its key.
 * Older builds also kept a single meta "last_sync" record, written at
 * other moments; it is not read or written, and harmless where it lies. */
struct latest_ctx { uint64_t best; enum cz_sync_dir dir; uint8_t box[32]; };

static int latest_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct latest_ctx *lc = ctx;
    static const char sent[] = "sync_sent:", received[] = "sync_received:";
    char hex[65];
    uint8_t box[32];
    enum cz_sync_dir dir;
    size_t plen;
    if (klen > sizeof sent - 1 && !memcmp(key, sent, sizeof sent - 1)) { dir = CZ_SYNC_EXPORT; plen = sizeof sent - 1; }
    else if (klen > sizeof received - 1 && !memcmp(key, received, sizeof received - 1)) { dir = CZ_SYNC_IMPORT; plen = sizeof received - 1; }
    else return 0;
    if (klen - plen != 64 || vlen != 8) return 0;   /* not one of ours: ignored */
    memcpy(hex, key + plen, 64);
    hex[64] = 0;
    if (cz_unhex(hex, box, 32) != CZ_OK) return 0;
    uint64_t when = cz_get_be64(val);
    if (when > lc->best) {
        lc->best = when;
        lc->dir = dir;
        memcpy(lc->box, box, 32);
    }
    return 0;
}

/* The name as the Sync screen gives it: the office's, a peer's, else the
 * start of the key. */
static void latest_name(cz_station *st, struct cz_sync_last *out)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct cz_peer *peers = NULL;
    size_t n = 0;
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
}

int cz_sync_latest(cz_station *st, struct cz_sync_last *out)
{
    struct latest_ctx lc = { .best = 0 };
    cz_txn *t = NULL;
    *out = (struct cz_sync_last){ .when = 0 };
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_meta_each_prefix(t, "sync_", latest_cb, &lc);
    cz_txn_abort(t);
    if (rc) return rc;
    if (!lc.best) return CZ_ENOTFOUND;
    out->dir = lc.dir;
    out->when = (int64_t)(lc.best / 1000);
    memcpy(out->box, lc.box, 32);
    latest_name(st, out);
    return CZ_OK;
}
