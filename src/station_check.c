/* station_check.c — the checks a version passes before it is signed,
 * the same for one record (station_write.c) and for each row of a load
 * (station_load.c): references resolved (station_refs.c), the region
 * the record concerns, exact-look-up values unique, who may write it
 * there, the exit chain's rules for an approval, and no edit signed over
 * versions its writer has not seen or conflicts they did not choose. */
#include "station.h"
#include "region.h"
#include "codec.h"
#include "index.h"
#include "exitchain.h"
#include "hex.h"
#include "history.h"
#include "keys.h"
#include "merge.h"
#include "parse.h"
#include "roster.h"
#include "station_int.h"
#include "villrec.h"
#include "status.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For REF fields not typed in this edit, the inherited region still comes
 * from the stored reference. */
static int inherited_region_of(cz_txn *t, const struct cz_type *ty, const cz_body *body, char *region)
{
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const uint8_t *b;
        size_t len;
        if (!(f->flags & CZ_FF_INHERIT) || cz_body_get_bytes(body, f->tag, &b, &len) != CZ_OK)
            continue;
        struct cz_entry e;
        uint8_t heads[1][CZ_ID_BYTES];
        size_t n;
        int rc = len == CZ_ID_BYTES ? cz_store_get_entry(t, b, &e)
                                    : cz_history_winner(t, b, heads, 1, &n, &e);
        if (rc == CZ_OK) snprintf(region, CZ_REGION_MAX + 1, "%s", e.region);
        return rc;
    }
    return CZ_OK;
}

/* The region an entry concerns (src/FORMATS.md: replication is scoped by it).
 * `typed` is the region of the reference typed in this write that passes
 * its region on ("" when none was): when the type has only one such field
 * it is the one inherited_region_of would look up again. */
static int record_region(cz_txn *t, const struct cz_station_info *info, const struct cz_type *ty,
                         const cz_body *body, const char *typed, char *region)
{
    int has_region_field = 0, inherits = 0;
    region[0] = 0;
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len;
        if (f->flags & CZ_FF_REGION) {
            has_region_field = 1;
            if (cz_body_get_text(body, f->tag, &s, &len) == CZ_OK) {
                snprintf(region, CZ_REGION_MAX + 1, "%s", s);
                return CZ_OK;
            }
        }
        if (f->flags & CZ_FF_INHERIT) inherits++;
    }
    if (inherits == 1 && typed[0]) {
        snprintf(region, CZ_REGION_MAX + 1, "%s", typed);
        return CZ_OK;
    }
    if (inherits) {
        int rc = inherited_region_of(t, ty, body, region);
        if (rc || region[0]) return rc;
    }
    /* Places and helpers are for everyone; other records belong here. */
    if (has_region_field || inherits)
        snprintf(region, CZ_REGION_MAX + 1, "%s", info->region);
    return CZ_OK;
}

struct holds_ctx { const uint8_t *self; int found, others; };

static int holds_cb(void *ctx, const uint8_t *entity)
{
    struct holds_ctx *h = ctx;
    if (memcmp(entity, h->self, CZ_ENTITY_BYTES) == 0) h->found = 1;
    else h->others++;
    return 0;
}

/* An exact-look-up value (household number, ID number) names one record;
 * `self` (NULL for a new record) may keep its own value.  In a load, the
 * values of its earlier rows count too (cz_st_pipe_has_term). */
static int check_unique(cz_txn *t, struct pipe *pl, const struct cz_type *ty, const cz_body *body,
                        const uint8_t *self, struct cz_field_error *err)
{
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len, count = 0;
        char term[512];
        int rc;
        if (!(f->flags & CZ_FF_EXACT) || cz_body_get_text(body, f->tag, &s, &len) != CZ_OK)
            continue;
        size_t tl = cz_term_exact(term, sizeof term, ty->key, f->key, s);
        /* A load's own rows are in its set, so the terms it has not put
         * yet (cz_store_defer_index) need not be put to be counted. */
        if ((rc = pl ? cz_store_index_count_stored(t, term, tl, &count)
                     : cz_store_index_count(t, term, tl, &count))) return rc;
        if (count == 0 && pl && cz_st_pipe_has_term(pl, term, tl))
            return cz_field_error_set(err, f, CZ_EEXIST, HINT_EXISTS, NULL);
        if (count == 0) continue;
        /* The holders walked, not counted: the index counts postings, and
         * two records whose ids share the posting's 8 bytes are one
         * posting (index_post.c). */
        struct holds_ctx h = { .self = self, .found = 0, .others = 0 };
        if (self && (rc = cz_store_index_each(t, term, tl, holds_cb, &h))) return rc;
        if (!h.found || h.others)
            return cz_field_error_set(err, f, CZ_EEXIST, HINT_EXISTS, NULL);
    }
    return CZ_OK;
}

/* Places are real: the village typed in this write (the field that gives
 * a household, pairing or training its region) names a place.  At the
 * office it must be a place record.  A station knows its own region from
 * `init`, before any place record has reached it; another code it takes
 * only as a place record inside that region (a village's station: none).
 * What was stored before is not checked again on an edit of other
 * fields, and imports are judged by the trust rules alone (authz.h): a
 * household may arrive before its place. */
static int check_places(cz_txn *t, struct pipe *pl, const cz_station *st, const struct cz_type *ty,
                        const struct cz_assign *a, size_t n, const cz_body *body, struct cz_field_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        const char *code;
        size_t len;
        if (!f || f->type != CZ_F_PLACE || !(f->flags & CZ_FF_REGION) ||
            cz_body_get_text(body, f->tag, &code, &len) != CZ_OK)
            continue;
        int office = st->info.kind == CZ_KIND_OFFICE;
        char mine[CZ_REGION_MAX + 1], typed[CZ_REGION_MAX + 1];
        cz_region_normalize(st->info.region, mine);
        cz_region_normalize(code, typed);
        if (!office && mine[0] && !strcmp(mine, typed)) continue;
        int rc = cz_region_place_known(t, code, pl != NULL);
        if (rc == CZ_ENOTFOUND && (office || !mine[0]))
            return cz_field_error_set(err, f, CZ_EFIELD, HINT_PLACE_UNKNOWN, code);
        if (rc == CZ_ENOTFOUND || (rc == CZ_OK && !office && !cz_region_under(typed, mine)))
            return cz_field_error_set(err, f, CZ_EFIELD, HINT_PLACE_OTHER, st->info.region);
        if (rc) return rc;
    }
    return CZ_OK;
}

/* Whether the person logged in may write a record for `region`.  Before
 * enrolment comes back a person acts within the station's declared region;
 * afterwards within the certificate's jurisdiction. */
int cz_st_may_write(cz_txn *t, struct pipe *pl, const cz_station *st, const struct cz_type *ty,
                    const char *region)
{
    struct cz_trust_info info;
    if (ty->trust) return CZ_EPERM;   /* only the office root writes these */
    /* A load writes no trust records, so it looks the roster up once. */
    struct roster_cache *cache = pl ? cz_st_pipe_roster(pl) : NULL;
    if (cache && cache->known) {
        info = cache->info;
    } else {
        int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &info);
        if (rc) return rc;
        if (cache) { cache->info = info; cache->known = 1; }
    }
    /* A revoked or expired person signs nothing (roster.h); the roster may
     * have changed since login (an import in the screens). */
    if (info.revoked) return CZ_EREVOKED;
    if (info.state == CZ_TRUST_CERTIFIED && info.valid_until &&
        cz_roster_hlc_date(cz_now_ms() << 16) > info.valid_until)
        return CZ_EEXPIRED;
    const char *jurisdiction = info.state == CZ_TRUST_CERTIFIED ? info.region : st->info.region;
    if ((info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office")) ||
        (info.state == CZ_TRUST_PENDING && st->info.kind == CZ_KIND_OFFICE))
        return CZ_OK;
    return cz_region_under(region, jurisdiction) ? CZ_OK : CZ_EPERM;
}

static int check_poverty_line(cz_txn *t, const cz_station *st);

int cz_station_may_write(cz_station *st, const char *type, const char *region)
{
    const struct cz_type *ty = cz_schema_type(type);
    char here[CZ_REGION_MAX + 1] = "";
    cz_txn *t = NULL;
    int rc;
    if (!ty) return CZ_ETYPE;
    if (!st->secrets) return CZ_EPERM;
    if ((rc = cz_txn_begin(st->store, 0, &t))) return rc;
    if (!region) {
        /* A record with a region may be made anywhere in the person's
         * jurisdiction (a county supervisor at the office, whose region is
         * the city); one without is global. */
        struct cz_trust_info info;
        if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &info))) goto cleanup;
        for (size_t i = 0; i < ty->nfields; i++)
            if (ty->fields[i].flags & (CZ_FF_REGION | CZ_FF_INHERIT))
                snprintf(here, sizeof here, "%s", info.state == CZ_TRUST_CERTIFIED ? info.region : st->info.region);
        region = here;
    }
    rc = cz_st_may_write(t, NULL, st, ty, region);
    if (!rc && (!strcmp(ty->key, "poverty_line") || cz_villrec_office_only(ty->key))) rc = check_poverty_line(t, st);
cleanup:
    cz_txn_abort(t);
    return rc;
}

/* An approval is dated the day it is signed unless the paper says earlier;
 * never later than today. */
static int approval_date(const struct cz_type *ty, cz_body *body, struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(ty, "date");
    uint64_t date;
    if (cz_body_get_uint(body, f->tag, &date) != CZ_OK)
        return cz_body_set_uint(body, f->tag, cz_today());
    if (date > cz_today())
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_DATE_FUTURE, NULL);
    return CZ_OK;
}

/* The exit chain's rules for a new approval (exitchain.h,
 * cz_approval_check), with the clock and log position the entry will be
 * signed at. */
static int check_approval(cz_txn *t, struct pipe *pl, const cz_station *st, const cz_body *body,
                          const char *region)
{
    const struct cz_type *ty = cz_schema_type("approval");
    const uint8_t *version;
    const char *step_key, *decision;
    size_t len;
    int rc;
    (void)region;   /* the assessment's own region is the one judged */

    if (cz_body_get_bytes(body, cz_schema_field(ty, "record")->tag, &version, &len) != CZ_OK ||
        len != CZ_ID_BYTES ||
        cz_body_get_text(body, cz_schema_field(ty, "step")->tag, &step_key, &len) != CZ_OK ||
        cz_body_get_text(body, cz_schema_field(ty, "decision")->tag, &decision, &len) != CZ_OK)
        return CZ_EFIELD;
    int step = cz_step_parse(step_key);
    if (step < 0) return CZ_EFIELD;
    /* The exit's state and the signer's log count earlier rows of a load. */
    if (pl && (rc = cz_st_pipe_drain(pl))) return rc;
    uint64_t seq, hlc = 0, date = 0;
    uint8_t last[CZ_ID_BYTES];
    if ((rc = cz_store_log_last(t, cz_secrets_sign_pk(st->secrets), &seq, last))) return rc;
    /* The clock cz_st_append will give it (a load's may be a little later). */
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    hlc = cz_hlc_next(hlc, cz_now_ms());
    cz_body_get_uint(body, cz_schema_field(ty, "date")->tag, &date);
    struct cz_approval_claim c = {
        .version = version, .step = (enum cz_step)step, .approve = !strcmp(decision, "approve"),
        .signer = cz_secrets_sign_pk(st->secrets), .seq = seq + 1, .hlc = hlc, .date = (uint32_t)date,
    };
    return cz_approval_check(t, st->info.office_root, &c, NULL);
}

/* Only office people set the poverty line (exitchain.h counts no other)
 * or state a paper exit (villrec.h). */
static int check_poverty_line(cz_txn *t, const cz_station *st)
{
    struct cz_trust_info info;
    int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &info);
    if (rc) return rc;
    return info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office") && !info.revoked ? CZ_OK : CZ_EPERM;
}

/* The same set of versions, in any order. */
static int same_heads(const uint8_t (*a)[CZ_ID_BYTES], size_t na, const uint8_t (*b)[CZ_ID_BYTES], size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        size_t k = 0;
        while (k < nb && memcmp(a[i], b[k], CZ_ID_BYTES)) k++;
        if (k == nb) return 0;
    }
    return 1;
}

/* An edit names every head as a parent, so it settles every conflict of
 * the record: allowed only when the person chose each conflicting value,
 * that is assigned every conflicting field.  A deletion concurrent with an
 * edit has no field to assign: only cz_resolve / cz_resolve_delete settle
 * it.  err names the first field left out; its detail lists them all (keys,
 * comma-separated, "deleted" for a deletion). */
static int check_chosen(const struct cz_type *ty, const struct cz_merged *m, const struct cz_assign *a,
                        size_t n, struct cz_field_error *err)
{
    char list[sizeof err->detail] = "";
    const struct cz_field *first = NULL;
    size_t used = 0, missing = 0;
    for (size_t c = 0; c < m->nconflicts; c++) {
        uint32_t tag = m->conflicts[c].tag;
        const struct cz_field *f = NULL;
        int chosen = 0;
        for (size_t i = 0; i < ty->nfields && !f; i++)
            if (ty->fields[i].tag == tag) f = &ty->fields[i];
        /* A reckoned field is dropped from the new version: nothing to choose. */
        if (f && (f->flags & CZ_FF_RECKONED)) continue;
        /* A derived field (a member's birth date from the ID number) is
         * chosen by choosing what it derives from. */
        for (size_t i = 0; tag && f && i < n && !chosen; i++) {
            const struct cz_field *af = cz_schema_field(ty, a[i].field);
            chosen = af == f || (af && (f->flags & CZ_FF_DERIVED) && cz_schema_derives(ty, af));
        }
        if (chosen) continue;
        if (!first && f) first = f;
        missing++;
        const char *key = tag == 0 ? "deleted" : f ? f->key : "?";
        if (used + strlen(key) + 2 < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? "," : "", key);
    }
    if (!missing) return CZ_OK;
    if (err) {
        cz_field_error_set(err, first, CZ_ECONFLICT, HINT_NONE, list);
        if (!first) snprintf(err->name, sizeof err->name, "%s", "deleted");
    }
    return CZ_ECONFLICT;
}

/* The body a new version of `entity` starts from, into *body (owned by
 * the caller on CZ_OK), with v->heads its parents: the current version,
 * or the merge of concurrent heads. */
static int start_body(cz_txn *t, const struct cz_type *ty, const uint8_t *entity, const struct edit_opts *eo,
                      const struct cz_assign *a, size_t n, struct version *v, cz_body **body,
                      struct cz_field_error *err)
{
    struct cz_entry cur;
    int rc;
    if ((rc = cz_history_winner(t, entity, v->heads, CZ_PARENTS_MAX, &v->nheads, &cur))) return rc;
    if (strcmp(cur.type, ty->key) != 0) return CZ_ETYPE;
    /* Nothing is signed over versions the writer has not seen: its
     * parents would claim a choice nobody made. */
    if (eo && eo->seen && (v->nheads > CZ_PARENTS_MAX ||
                           !same_heads(eo->seen, eo->nseen, (const uint8_t (*)[CZ_ID_BYTES])v->heads,
                                       v->nheads)))
        return CZ_ECHANGED;
    if (v->nheads > CZ_PARENTS_MAX) v->nheads = CZ_PARENTS_MAX;
    if (v->nheads == 1) {
        if (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_EDELETED;
        return cz_body_decode(cur.body, cur.body_len, body);
    }
    /* Concurrent heads: the new version starts from their merge and names
     * them all as parents, which settles every conflict; so an edit must
     * choose every conflicting value (a resolution may take the
     * provisional ones). */
    struct cz_merged m;
    if ((rc = cz_merge_entity(t, entity, &m))) return rc;
    if (!(eo && eo->resolve)) rc = check_chosen(ty, &m, a, n, err);
    if (rc == CZ_OK) {
        *body = m.body;
        m.body = NULL;
    }
    cz_merged_free(&m);
    if (rc == CZ_OK && !*body) rc = CZ_EDELETED;
    return rc;
}

/* A reckoned field (a household's status, hhstatus.h) is worked out, never
 * signed anew: a value typed for it is refused with the hint that says so
 * (clearing it is fine), and one carried by the version an edit starts
 * from is dropped, so an old record's stale value neither comes back nor
 * blocks the edit.  Entries from other stations never pass here: what
 * older builds signed is accepted as before and simply not read. */
static int refuse_reckoned(const struct cz_type *ty, const struct cz_assign *a, size_t n,
                           struct cz_field_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        const char *v = a[i].value ? a[i].value : "";
        while (*v == ' ') v++;
        if (f && (f->flags & CZ_FF_RECKONED) && *v)
            return cz_field_error_set(err, f, CZ_EFIELD, HINT_RECKONED, NULL);
    }
    return CZ_OK;
}

static void drop_reckoned(const struct cz_type *ty, cz_body *body)
{
    for (size_t i = 0; i < ty->nfields; i++)
        if (ty->fields[i].flags & CZ_FF_RECKONED) cz_body_remove(body, ty->fields[i].tag);
}

int cz_st_check_version(cz_station *st, cz_txn *t, struct pipe *pl, const struct cz_type *ty,
                        const uint8_t *entity, const struct edit_opts *eo,
                        const struct cz_assign *a, size_t n,
                        struct version *v, struct cz_field_error *err)
{
    cz_body *body = NULL;
    char inherited[CZ_REGION_MAX + 1] = "";
    int rc;

    if (err) memset(err, 0, sizeof *err);
    v->body = NULL;
    v->nheads = 0;
    v->region[0] = 0;
    if (!st->secrets) return CZ_EPERM;
    /* A resolution takes a side of each conflict as shown, a stale typed
     * status among them: dropped below like any carried value. */
    if (!(eo && eo->resolve) && (rc = refuse_reckoned(ty, a, n, err))) return rc;
    if (entity) rc = start_body(t, ty, entity, eo, a, n, v, &body, err);
    else rc = (body = cz_body_new()) ? CZ_OK : CZ_ENOMEM;
    if (rc) goto cleanup;
    if ((rc = cz_st_apply_assignments(t, pl, ty, body, a, n, st->info.region, inherited, err))) goto cleanup;
    drop_reckoned(ty, body);
    if ((rc = cz_schema_finish(ty, body, cz_today(), err))) goto cleanup;
    if ((rc = cz_villrec_finish(ty, body, cz_today(), err))) goto cleanup;
    if (!strcmp(ty->key, "approval") && (rc = approval_date(ty, body, err))) goto cleanup;
    if ((rc = check_unique(t, pl, ty, body, entity, err))) goto cleanup;
    if ((rc = cz_st_check_yearly(t, pl, ty, body, entity, err))) goto cleanup;
    if ((rc = record_region(t, &st->info, ty, body, inherited, v->region))) goto cleanup;
    if ((rc = cz_st_may_write(t, pl, st, ty, v->region))) goto cleanup;
    if ((rc = check_places(t, pl, st, ty, a, n, body, err))) goto cleanup;
    if (!strcmp(ty->key, "approval") && (rc = check_approval(t, pl, st, body, v->region))) goto cleanup;
    if ((!strcmp(ty->key, "poverty_line") || cz_villrec_office_only(ty->key)) && (rc = check_poverty_line(t, st)))
        goto cleanup;
    v->body = body;
    body = NULL;
cleanup:
    cz_body_free(body);
    return rc;
}
