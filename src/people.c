/* people.c — the keys a station knows of (people.h). */
#include "people.h"
#include "index.h"
#include "keys.h"
#include "grow.h"
#include "hex.h"
#include "query.h"
#include "schema.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void text_field(const struct cz_record *r, const char *field, char *out, size_t size)
{
    const struct cz_field *f = cz_schema_field(r->type, field);
    out[0] = 0;
    if (f) cz_schema_format(f, r->body, CZ_LANG_EN, 0, out, size);
}

static int keylist_cb(void *ctx, const uint8_t *entity)
{
    struct cz_keylist *kl = ctx;
    struct cz_record r;
    const uint8_t *key;
    size_t len;
    if (cz_record_load(kl->t, entity, &r) != CZ_OK || r.deleted || !r.type) goto done;
    if (cz_body_get_bytes(r.body, cz_schema_field(r.type, "key")->tag, &key, &len) != CZ_OK || len != 32)
        goto done;
    struct cz_known_key *k = NULL;
    for (size_t i = 0; i < kl->n && !k; i++)
        if (!memcmp(kl->v[i].key, key, 32)) k = &kl->v[i];
    if (!k) {
        int grc = cz_grow(&kl->v, &kl->cap, kl->n + 1, sizeof *kl->v);
        if (grc) { cz_record_clear(&r); return kl->rc = grc; }
        k = &kl->v[kl->n++];
        memset(k, 0, sizeof *k);
        memcpy(k->key, key, 32);
        cz_roster_lookup(kl->t, kl->root, key, &k->trust);
    }
    /* The announcement says what was asked for; a certificate what was granted. */
    if (!k->name[0] || !strcmp(r.type_key, "key")) {
        text_field(&r, "kind", k->kind, sizeof k->kind);
        text_field(&r, "name", k->name, sizeof k->name);
        text_field(&r, "station", k->station, sizeof k->station);
        text_field(&r, "region", k->region, sizeof k->region);
        text_field(&r, "role", k->role, sizeof k->role);
    }
done:
    cz_record_clear(&r);
    return 0;
}

/* Every key named by an announcement or a certificate, with its trust. */
int cz_known_keys(cz_txn *t, const uint8_t root[32], struct cz_keylist *kl)
{
    static const char *types[] = { "key", "cert" };
    char term[64];
    memset(kl, 0, sizeof *kl);
    kl->t = t;
    kl->root = root;
    for (size_t i = 0; i < 2; i++) {
        size_t tl = cz_term_type(term, sizeof term, types[i]);
        int rc = cz_store_index_each(t, term, tl, keylist_cb, kl);
        if (rc) return rc;
        if (kl->rc) return kl->rc;
    }
    return CZ_OK;
}


static int first_cb(void *ctx, const uint8_t *entity)
{
    memcpy(ctx, entity, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

/* Name and station from a key's own announcement; name "" when none. */
static void announced(cz_txn *t, const uint8_t key[32], char *name, size_t name_size, char *station,
                      size_t station_size)
{
    char hex[65], term[256];
    uint8_t entity[CZ_ENTITY_BYTES] = { 0 }, none[CZ_ENTITY_BYTES] = { 0 };
    struct cz_record r;
    name[0] = station[0] = 0;
    cz_hex(key, 32, hex);
    cz_store_index_each(t, term, cz_term_exact(term, sizeof term, "key", "key", hex), first_cb, entity);
    if (!memcmp(entity, none, sizeof none)) return;
    if (cz_record_load(t, entity, &r) == CZ_OK && r.body && r.type) {
        text_field(&r, "name", name, name_size);
        text_field(&r, "station", station, station_size);
    }
    cz_record_clear(&r);
}

void cz_signer_name(cz_txn *t, const uint8_t root[32], const uint8_t key[32], enum cz_lang lang,
                    int with_station, char *buf, size_t size)
{
    struct cz_trust_info ti;
    char name[64], station[64], fp[24];
    if (cz_roster_lookup(t, root, key, &ti) == CZ_OK) {
        if (ti.state == CZ_TRUST_ROOT) {
            snprintf(buf, size, "%s", lang == CZ_LANG_ZH ? "市办根密钥" : "office root");
            return;
        }
        if (ti.state == CZ_TRUST_CERTIFIED && ti.name[0]) {
            snprintf(buf, size, "%s@%s", ti.name, ti.station);
            return;
        }
    }
    announced(t, key, name, sizeof name, station, sizeof station);
    const char *pending = lang == CZ_LANG_ZH ? "待认证" : "pending";
    if (name[0] && with_station) snprintf(buf, size, "%s@%s (%s)", name, station, pending);
    else if (name[0]) snprintf(buf, size, "%s (%s)", name, pending);
    else {
        cz_fingerprint(key, fp);
        snprintf(buf, size, "%s %s", lang == CZ_LANG_ZH ? "密钥" : "key", fp);
    }
}
