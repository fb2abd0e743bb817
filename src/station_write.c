/* station_write.c — one person's writes: an entry signed and appended to
 * the signer's own log (judged by the same rule set as what arrives on a
 * stick), and the add / edit / resolve / delete of one record, each in its
 * own transaction after station_check.c has checked the version. */
#include "station.h"
#include "authz.h"
#include "codec.h"
#include "history.h"
#include "index.h"
#include "keys.h"
#include "roster.h"
#include "station_int.h"
#include "status.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cz_st_sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    struct signer *sg = ctx;
    return sg->root ? cz_secrets_root_sign(sg->s, msg, len, sig) : cz_secrets_sign(sg->s, msg, len, sig);
}

/* The rule set judges what a person writes exactly as it judges what
 * arrives on a stick: a refusal here is a refusal there. */
int cz_st_judge_own(cz_txn *t, const uint8_t office_root[32], const struct cz_entry *e,
                    const struct cz_trust_info *known)
{
    struct cz_trust_info author;
    struct cz_judgement j;
    int rc = CZ_OK;
    if (known) author = *known;
    else rc = cz_roster_lookup(t, office_root, e->origin, &author);
    if (rc == CZ_OK) rc = cz_authz_judge(t, office_root, e, &author, 0, &j);
    if (rc) return rc;
    /* Before enrolment a person works within the station's declared
     * region (cz_st_may_write); elsewhere that work waits for the certificate. */
    if (j.verdict == CZ_VERDICT_HOLD && j.why == CZ_ENOTFOUND) return CZ_OK;
    return j.verdict == CZ_VERDICT_OK || j.verdict == CZ_VERDICT_PENDING ? CZ_OK : j.why;
}

static int note_wall(cz_txn *t, int64_t wall)
{
    uint64_t max = 0;
    int rc = cz_meta_get_u64(t, META_WALL_MAX, &max);
    if (rc && rc != CZ_ENOTFOUND) return rc;
    return wall > 0 && (uint64_t)wall > max ? cz_meta_put_u64(t, META_WALL_MAX, (uint64_t)wall) : CZ_OK;
}

int cz_st_append(cz_txn *t, const struct append_req *r, uint8_t entity_out[CZ_ENTITY_BYTES],
                 uint8_t id[CZ_ID_BYTES])
{
    struct cz_entry_draft d;
    struct signer sg = { .s = r->secrets, .root = r->as_root };
    uint8_t *body = NULL, *raw = NULL;
    size_t body_len = 0, raw_cap = 0;
    uint64_t last_seq, hlc;
    struct cz_entry e;
    int rc, result;

    memset(&d, 0, sizeof d);
    memcpy(d.origin, r->as_root ? cz_secrets_root_pk(r->secrets) : cz_secrets_sign_pk(r->secrets), 32);
    if ((rc = cz_store_log_last(t, d.origin, &last_seq, d.prev))) return rc;
    d.seq = last_seq + 1;
    if (r->as_root) {
        /* A restored office's root log resumes past a gap (backup.h), so
         * what the lost PC signed after the backup cannot share a seq. */
        uint64_t floor;
        if ((rc = cz_meta_get_u64(t, CZ_META_ROOT_FLOOR, &floor)) && rc != CZ_ENOTFOUND) return rc;
        if (rc == CZ_OK && d.seq <= floor) d.seq = floor + 1;
    }
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    d.hlc = cz_hlc_next(hlc, cz_now_ms());
    d.wall = (int64_t)(cz_now_ms() / 1000);   /* the clock hlc comes from (cz_clock_shift) */
    if (r->entity) memcpy(d.entity, r->entity, CZ_ENTITY_BYTES);
    else randombytes_buf(d.entity, CZ_ENTITY_BYTES);
    d.flags = r->flags;
    d.type = r->type;
    d.region = r->region ? r->region : "";
    d.nparents = r->nparents;
    d.parents = r->parents;
    if (r->body && (rc = cz_body_encode(r->body, &body, &body_len))) return rc;
    d.body = body;
    d.body_len = body_len;
    /* e is filled from what was laid out, not parsed back (entry.h). */
    rc = cz_entry_build(&d, cz_st_sign_cb, &sg, &raw, &raw_cap, &e, id);
    if (rc == CZ_OK) rc = cz_st_judge_own(t, r->office_root, &e, NULL);
    if (rc == CZ_OK) rc = cz_store_put_entry(t, &e, id, &result);
    if (rc == CZ_OK && result != CZ_PUT_NEW) rc = CZ_EFORK;   /* our own log never forks */
    if (rc == CZ_OK) rc = cz_meta_put_u64(t, META_HLC, d.hlc);
    if (rc == CZ_OK) rc = note_wall(t, d.wall);
    if (rc == CZ_OK && entity_out) memcpy(entity_out, d.entity, CZ_ENTITY_BYTES);
    free(body);
    free(raw);
    return rc;
}

/* Builds, checks, signs and stores one version inside t (the caller
 * commits or aborts). */
static int write_in_txn(cz_station *st, cz_txn *t, const struct cz_type *ty, const uint8_t *entity,
                        const struct edit_opts *eo, const struct cz_assign *a, size_t n,
                        uint8_t entity_out[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                        struct cz_field_error *err)
{
    struct version v;
    int rc = cz_st_check_version(st, t, NULL, ty, entity, eo, a, n, &v, err);
    if (rc) return rc;
    struct append_req r = {
        .secrets = st->secrets, .type = ty->key, .entity = entity,
        .parents = (const uint8_t *)v.heads, .nparents = entity ? v.nheads : 0,
        .region = v.region, .body = v.body, .office_root = st->info.office_root,
    };
    rc = cz_st_append(t, &r, entity_out, id);
    cz_body_free(v.body);
    return rc;
}

/* One version in its own transaction. */
static int write_version(cz_station *st, const struct cz_type *ty, const uint8_t *entity,
                         const struct edit_opts *eo, const struct cz_assign *a, size_t n,
                         uint8_t entity_out[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                         struct cz_field_error *err)
{
    cz_txn *t = NULL;
    if (!st->secrets) return CZ_EPERM;
    int rc = cz_st_clock_gate(st);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    rc = write_in_txn(st, t, ty, entity, eo, a, n, entity_out, id, err);
    if (rc) { cz_txn_abort(t); return rc; }
    return cz_txn_commit(t);
}

int cz_station_add(cz_station *st, const char *type, const struct cz_assign *a, size_t n,
                   uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                   struct cz_field_error *err)
{
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) return CZ_ETYPE;
    return write_version(st, ty, NULL, NULL, a, n, entity, id, err);
}

static int edit(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], const struct edit_opts *eo,
                const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES], struct cz_field_error *err)
{
    cz_txn *t = NULL;
    struct cz_entry cur;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t nheads;
    char type[CZ_TYPE_MAX + 1];
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = cz_history_winner(t, entity, heads, 1, &nheads, &cur);
    if (rc == CZ_OK) snprintf(type, sizeof type, "%s", cur.type);
    cz_txn_abort(t);
    if (rc) return rc;
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) return CZ_ETYPE;
    return write_version(st, ty, entity, eo, a, n, NULL, id, err);
}

int cz_station_edit(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                    const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                    struct cz_field_error *err)
{
    struct edit_opts eo = { .seen = NULL };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_edit_seen(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                         const uint8_t (*seen)[CZ_ID_BYTES], size_t nseen,
                         const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                         struct cz_field_error *err)
{
    if (!seen || !nseen) return CZ_EINVAL;
    struct edit_opts eo = { .seen = seen, .nseen = nseen };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_resolve(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                       const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                       struct cz_field_error *err)
{
    struct edit_opts eo = { .resolve = 1 };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_delete(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    struct cz_entry cur;
    uint8_t heads[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t nheads;
    char type[CZ_TYPE_MAX + 1], region[CZ_REGION_MAX + 1];
    int rc;

    if (!st->secrets) return CZ_EPERM;
    if ((rc = cz_st_clock_gate(st))) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = cz_history_winner(t, entity, heads, CZ_PARENTS_MAX, &nheads, &cur))) goto cleanup;
    /* Deleted only when every head is: a deletion concurrent with a live
     * edit may show as the current version, and resolving that conflict as
     * a deletion (cz_resolve_delete) is a deletion with both as parents. */
    for (size_t h = 1; (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) && h < nheads && h < CZ_PARENTS_MAX; h++)
        if ((rc = cz_store_get_entry(t, heads[h], &cur))) goto cleanup;
    if (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) { rc = CZ_EDELETED; goto cleanup; }
    snprintf(type, sizeof type, "%s", cur.type);
    snprintf(region, sizeof region, "%s", cur.region);
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) { rc = CZ_ETYPE; goto cleanup; }
    if ((rc = cz_st_may_write(t, NULL, st, ty, region))) goto cleanup;
    struct append_req r = {
        .secrets = st->secrets, .type = type, .entity = entity,
        .parents = (const uint8_t *)heads, .nparents = nheads < CZ_PARENTS_MAX ? nheads : CZ_PARENTS_MAX,
        .region = region, .flags = CZ_ENTRY_FLAG_TOMBSTONE, .office_root = st->info.office_root,
    };
    if ((rc = cz_st_append(t, &r, NULL, id))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
cleanup:
    cz_txn_abort(t);
    return rc;
}

