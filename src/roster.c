#include "roster.h"
#include "authz.h"
#include "codec.h"
#include "keys.h"
#include "schema.h"
#include "status.h"

#include <stdio.h>
#include <string.h>

int cz_region_within(const char *region, const char *jurisdiction)
{
    return cz_region_under(region, jurisdiction);
}

struct scan { cz_txn *t; const uint8_t *root; const char *type; struct cz_trust_info *info;
              uint64_t best_hlc; int found; };

static void copy_text(const cz_body *b, const struct cz_type *ty, const char *field, char *out, size_t size)
{
    const char *s;
    size_t len;
    out[0] = 0;
    const struct cz_field *f = cz_schema_field(ty, field);
    if (f && cz_body_get_text(b, f->tag, &s, &len) == CZ_OK)
        snprintf(out, size, "%s", s);
}

static int scan_cb(void *ctx, const uint8_t *entity)
{
    struct scan *sc = ctx;
    uint8_t heads[4][CZ_ID_BYTES];
    size_t n = 0;
    if (cz_store_heads(sc->t, entity, heads, 4, &n) != CZ_OK) return 0;
    for (size_t i = 0; i < n && i < 4; i++) {
        struct cz_entry e;
        cz_body *b = NULL;
        if (cz_store_get_entry(sc->t, heads[i], &e) != CZ_OK) continue;
        /* Only the root speaks for the roster; anything else is ignored. */
        if (memcmp(e.origin, sc->root, 32) != 0 || (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) ||
            strcmp(e.type, sc->type) != 0)
            continue;
        /* Stored entries were verified on the way in (and `verify` checks
         * them again); re-verifying here made every write pay for it. */
        if (cz_body_decode(e.body, e.body_len, &b) != CZ_OK)
            continue;
        const struct cz_type *ty = cz_schema_type(sc->type);
        if (!strcmp(sc->type, "cert")) {
            if (!sc->found || e.hlc > sc->best_hlc) {
                sc->info->state = CZ_TRUST_CERTIFIED;
                copy_text(b, ty, "role", sc->info->role, sizeof sc->info->role);
                copy_text(b, ty, "region", sc->info->region, sizeof sc->info->region);
                copy_text(b, ty, "name", sc->info->name, sizeof sc->info->name);
                copy_text(b, ty, "station", sc->info->station, sizeof sc->info->station);
                sc->best_hlc = e.hlc;
            }
        } else {
            int64_t after = 0;
            const struct cz_field *f = cz_schema_field(ty, "after_seq");
            cz_body_get_sint(b, f->tag, &after);
            /* Several revocations: the earliest bound wins. */
            if (!sc->info->revoked || (uint64_t)after < sc->info->revoked_after)
                sc->info->revoked_after = (uint64_t)after;
            sc->info->revoked = 1;
        }
        sc->found = 1;
        cz_body_free(b);
    }
    return 0;
}

int cz_roster_lookup(cz_txn *t, const uint8_t root[32], const uint8_t key[32], struct cz_trust_info *out)
{
    char hex[65], term[512];
    memset(out, 0, sizeof *out);
    if (memcmp(root, key, 32) == 0) {
        out->state = CZ_TRUST_ROOT;
        snprintf(out->role, sizeof out->role, "office");
        return CZ_OK;
    }
    cz_hex(key, 32, hex);
    struct scan sc = { t, root, "cert", out, 0, 0 };
    size_t n = cz_term_exact(term, sizeof term, "cert", "key", hex);
    int rc = cz_store_index_each(t, term, n, scan_cb, &sc);
    if (rc) return rc;
    sc.type = "revoke";
    sc.found = 0;
    n = cz_term_exact(term, sizeof term, "revoke", "key", hex);
    return cz_store_index_each(t, term, n, scan_cb, &sc);
}

int cz_roster_entry_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                           struct cz_trust_info *info, int *why)
{
    int rc = cz_roster_lookup(t, root, e->origin, info);
    *why = CZ_OK;
    if (rc) return rc;
    cz_roster_entry_judge(info, e, why);
    return CZ_OK;
}

void cz_roster_entry_judge(const struct cz_trust_info *info, const struct cz_entry *e, int *why)
{
    *why = CZ_OK;
    const struct cz_type *ty = cz_schema_type(e->type);
    if (info->state == CZ_TRUST_ROOT)
        return;
    if (ty && ty->trust) { *why = CZ_EPERM; return; }
    if (info->revoked && e->seq > info->revoked_after) { *why = CZ_EREVOKED; return; }
    /* Key announcements need no certificate and no jurisdiction: they ask
     * for a certificate and concern everyone (region ""). */
    if (!strcmp(e->type, "key"))
        return;
    if (info->state == CZ_TRUST_PENDING) { *why = CZ_ENOTFOUND; return; }
    if (strcmp(info->role, "office") != 0 && !cz_region_within(e->region, info->region))
        *why = CZ_EPERM;
}
