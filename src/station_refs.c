/* station_refs.c — what a person types for a reference, made the id a
 * version stores: a full record id, an id prefix, or a household number
 * looked up within the row's village (else the record's, else the
 * station's region), refused when it names none or several.  Part of the
 * checks before signing (station_check.c). */
#include "station.h"
#include "codec.h"
#include "hex.h"
#include "history.h"
#include "index.h"
#include "keys.h"
#include "region.h"
#include "station_int.h"
#include "status.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The live record an entity id (or prefix) v names, into entity; e gets
 * its type and region. */
static int resolve_entity(cz_txn *t, struct pipe *pl, const char *v, uint8_t entity[CZ_ENTITY_BYTES],
                          struct cz_entry *e)
{
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    /* A load writes only new records, so a full id resolved once in it
     * names the same live record, of the same type and region, later. */
    struct ref_memo *memo = pl && strlen(v) == 2 * CZ_ENTITY_BYTES ? cz_st_pipe_ref_memo(pl) : NULL;
    if (memo && memo->valid && !memo->by_number && !strcmp(memo->value, v)) {
        memcpy(entity, memo->entity, CZ_ENTITY_BYTES);
        memcpy(e->type, memo->type, sizeof e->type);
        memcpy(e->region, memo->region, sizeof e->region);
        return CZ_OK;
    }
    int rc = cz_store_resolve_entity(t, v, entity);
    if (rc == CZ_OK) rc = cz_history_winner(t, entity, heads, 1, &n, e);
    if (rc == CZ_OK && (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) rc = CZ_EDELETED;
    if (rc == CZ_OK && memo) {
        *memo = (struct ref_memo){ .valid = 1 };
        snprintf(memo->value, sizeof memo->value, "%s", v);
        memcpy(memo->entity, entity, CZ_ENTITY_BYTES);
        memcpy(memo->type, e->type, sizeof memo->type);
        memcpy(memo->region, e->region, sizeof memo->region);
    }
    return rc;
}

/* The field a record of type `type` is known by on paper (a household's
 * number): its one exact-look-up line of text; NULL when it has none. */
static const struct cz_field *number_field(const char *type)
{
    const struct cz_type *ty = type ? cz_schema_type(type) : NULL;
    for (size_t i = 0; ty && i < ty->nfields; i++)
        if ((ty->fields[i].flags & CZ_FF_EXACT) && ty->fields[i].type == CZ_F_LINE) return &ty->fields[i];
    return NULL;
}

/* value as field `key` of ty would store it, into out (size bytes); ""
 * when ty would refuse it. */
static int stored_text(const struct cz_type *ty, const char *key, const char *value, char *out, size_t size)
{
    cz_body *b = cz_body_new();
    const struct cz_field *f = cz_schema_field(ty, key);
    const char *s;
    size_t len;
    out[0] = 0;
    if (!b) return CZ_ENOMEM;
    if (f && cz_schema_set(ty, b, key, value, NULL) == CZ_OK && cz_body_get_text(b, f->tag, &s, &len) == CZ_OK &&
        len < size) {
        memcpy(out, s, len);
        out[len] = 0;
    }
    cz_body_free(b);
    return CZ_OK;
}

struct numbered {
    cz_txn *t;
    const struct cz_field *nf;
    const char *type, *number, *scope;
    size_t n;
    uint8_t entity[CZ_ENTITY_BYTES];
    struct cz_entry e;
};

/* One record the number's index term lists: counted when it is live, of
 * the type, inside the scope and (its winning version) still so numbered. */
static int numbered_cb(void *ctx, const uint8_t *entity)
{
    struct numbered *nb = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t nh, len;
    struct cz_entry e;
    cz_body *b = NULL;
    const char *s;
    int rc = cz_history_winner(nb->t, entity, heads, 1, &nh, &e);
    if (rc == CZ_ENOTFOUND) return 0;
    if (rc) return rc;
    if ((e.flags & CZ_ENTRY_FLAG_TOMBSTONE) || strcmp(e.type, nb->type) || !cz_region_under(e.region, nb->scope))
        return 0;
    if ((rc = cz_body_decode(e.body, e.body_len, &b))) return rc;
    int same = cz_body_get_text(b, nb->nf->tag, &s, &len) == CZ_OK && len == strlen(nb->number) &&
               !memcmp(s, nb->number, len);
    cz_body_free(b);
    if (!same) return 0;
    if (nb->n++ == 0) {
        memcpy(nb->entity, entity, CZ_ENTITY_BYTES);
        nb->e = e;
    }
    return nb->n > 1 ? CZ_WALK_STOP : 0;
}

/* The one live record of type `type` numbered `value` within scope (a
 * village, or any place under a wider code).  CZ_ENOTFOUND, CZ_EAMBIG. */
static int resolve_number(cz_txn *t, struct pipe *pl, const char *type, const char *value, const char *scope,
                          uint8_t entity[CZ_ENTITY_BYTES], struct cz_entry *e)
{
    const struct cz_type *ty = cz_schema_type(type);
    struct numbered nb = { .t = t, .nf = number_field(type), .type = type, .scope = scope };
    char number[CZ_REF_MEMO_VALUE], term[512];
    int rc;
    if ((rc = stored_text(ty, nb.nf->key, value, number, sizeof number))) return rc;
    if (!number[0]) return CZ_ENOTFOUND;
    /* A load writes records of one type, never the ones it refers to, so
     * a number resolved in it stays so for its later rows. */
    struct ref_memo *memo = pl ? cz_st_pipe_ref_memo(pl) : NULL;
    if (memo && memo->valid && memo->by_number && !strcmp(memo->value, number) && !strcmp(memo->scope, scope)) {
        memcpy(entity, memo->entity, CZ_ENTITY_BYTES);
        memcpy(e->type, memo->type, sizeof e->type);
        memcpy(e->region, memo->region, sizeof e->region);
        return CZ_OK;
    }
    nb.number = number;
    size_t tl = cz_term_exact(term, sizeof term, type, nb.nf->key, number);
    /* For the same reason the terms a load defers are not the ones looked
     * up here: its sorted batches are left to grow. */
    rc = pl ? cz_store_index_each_stored(t, term, tl, numbered_cb, &nb) : cz_store_index_each(t, term, tl, numbered_cb, &nb);
    if (rc && rc != CZ_WALK_STOP) return rc;
    if (nb.n != 1) return nb.n ? CZ_EAMBIG : CZ_ENOTFOUND;
    memcpy(entity, nb.entity, CZ_ENTITY_BYTES);
    *e = nb.e;
    if (memo) {
        *memo = (struct ref_memo){ .valid = 1, .by_number = 1 };
        snprintf(memo->value, sizeof memo->value, "%s", number);
        snprintf(memo->scope, sizeof memo->scope, "%s", scope);
        memcpy(memo->entity, entity, CZ_ENTITY_BYTES);
        memcpy(memo->type, e->type, sizeof memo->type);
        memcpy(memo->region, e->region, sizeof memo->region);
    }
    return CZ_OK;
}

static int full_hex(const char *v)
{
    size_t n = strspn(v, "0123456789abcdefABCDEF");
    return n == 2 * CZ_ENTITY_BYTES && !v[n];
}

/* A reference as typed into the record it names.  A household is named by
 * its number as on the paper forms, looked up within scope; a full record
 * id (32 hex digits) is always an id, and a value no household here is
 * numbered may be an id prefix as `list` prints it.  A version is named by
 * its id or prefix. */
static int lookup_ref(cz_txn *t, struct pipe *pl, const struct cz_field *f, const char *v, const char *scope,
                      char *full, struct cz_entry *e, int *by_number)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    int rc;
    *by_number = 0;
    if (f->type == CZ_F_VERSION) {
        rc = cz_store_resolve_entry(t, v, id);
        if (rc == CZ_OK) rc = cz_store_get_entry(t, id, e);
        if (rc == CZ_OK) cz_hex(id, CZ_ID_BYTES, full);
        return rc;
    }
    if (!full_hex(v) && number_field(f->ref_type)) {
        *by_number = 1;
        rc = resolve_number(t, pl, f->ref_type, v, scope, entity, e);
        if (rc == CZ_OK) cz_hex(entity, CZ_ENTITY_BYTES, full);
        if (rc != CZ_ENOTFOUND) return rc;
    }
    rc = resolve_entity(t, pl, v, entity, e);
    /* Neither a number here nor an id: said as a number when it was one. */
    if (rc == CZ_EINVAL || rc == CZ_ENOTFOUND) return *by_number ? CZ_ENOTFOUND : rc;
    *by_number = 0;
    if (rc == CZ_OK) cz_hex(entity, CZ_ENTITY_BYTES, full);
    return rc;
}

/* References become full ids of live records of the right type; *region_out
 * gets the referenced record's region when the field passes its region on
 * (a member lives where its household does). */
static int resolve_ref(cz_txn *t, struct pipe *pl, const struct cz_field *f, const char *value, const char *scope,
                       char *full, char *region_out, struct cz_field_error *err)
{
    struct cz_entry e;
    int rc, by_number = 0;
    char *v = NULL;

    memset(&e, 0, sizeof e);
    if ((rc = cz_text_normalize_line(value, strlen(value), &v))) goto bad;
    /* A load's rows in flight are not in the store yet: a version (its id
     * is known once signed) or an entity prefix that one of them matches
     * waits until they are, so the look-up sees what it would row by row. */
    if (pl && (f->type == CZ_F_VERSION || cz_st_pipe_pending_prefix(pl, v)) && (rc = cz_st_pipe_drain(pl))) {
        free(v);
        return rc;
    }
    rc = lookup_ref(t, pl, f, v, scope, full, &e, &by_number);
    if (rc == CZ_OK && f->ref_type && strcmp(e.type, f->ref_type) != 0) rc = CZ_ETYPE;
    if (rc == CZ_OK && (f->flags & CZ_FF_INHERIT) && region_out)
        snprintf(region_out, CZ_REGION_MAX + 1, "%s", e.region);
bad:
    free(v);
    switch (rc) {
    case CZ_OK:        return CZ_OK;
    case CZ_EINVAL:    return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF, value);
    case CZ_ENOTFOUND: return cz_field_error_set(err, f, CZ_EFIELD, by_number ? HINT_REF_NUMBER_NONE : HINT_REF_MISSING, value);
    case CZ_ETYPE:     return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_TYPE, e.type);
    case CZ_EDELETED:  return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_DELETED, value);
    case CZ_EAMBIG:    return cz_field_error_set(err, f, CZ_EFIELD, by_number ? HINT_REF_NUMBER_AMBIG : HINT_REF_AMBIG, value);
    default:           return rc;
    }
}

/* Where a household number is looked up: the village typed in this write,
 * else the one the record holds (an edit), else the station's region. */
static int ref_scope(const struct cz_type *ty, const cz_body *body, const struct cz_assign *a, size_t n,
                     const char *station_region, char scope[CZ_REGION_MAX + 1])
{
    snprintf(scope, CZ_REGION_MAX + 1, "%s", station_region);
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len;
        if (!(f->flags & CZ_FF_REGION)) continue;
        for (size_t k = 0; k < n; k++)
            if (cz_schema_field(ty, a[k].field) == f && a[k].value[0]) {
                char typed[CZ_REGION_MAX + 1];
                int rc = stored_text(ty, f->key, a[k].value, typed, sizeof typed);
                if (rc == CZ_OK && typed[0]) snprintf(scope, CZ_REGION_MAX + 1, "%s", typed);
                return rc;
            }
        if (cz_body_get_text(body, f->tag, &s, &len) == CZ_OK && len <= CZ_REGION_MAX)
            snprintf(scope, CZ_REGION_MAX + 1, "%.*s", (int)len, s);
    }
    return CZ_OK;
}

int cz_st_apply_assignments(cz_txn *t, struct pipe *pl, const struct cz_type *ty, cz_body *body,
                            const struct cz_assign *a, size_t n, const char *station_region,
                            char *inherited_region, struct cz_field_error *err)
{
    struct cz_assign *resolved = calloc(n ? n : 1, sizeof *resolved);
    char (*full)[65] = calloc(n ? n : 1, sizeof *full);
    char scope[CZ_REGION_MAX + 1] = "";
    int rc = resolved && full ? CZ_OK : CZ_ENOMEM, scoped = 0;
    for (size_t i = 0; rc == CZ_OK && i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        resolved[i] = a[i];
        if (!f || (f->type != CZ_F_REF && f->type != CZ_F_VERSION) || !a[i].value[0]) continue;
        if (!scoped++ && (rc = ref_scope(ty, body, a, n, station_region, scope))) break;
        rc = resolve_ref(t, pl, f, a[i].value, scope, full[i], inherited_region, err);
        resolved[i].value = full[i];
    }
    if (rc == CZ_OK) rc = cz_schema_set_many(ty, body, resolved, n, err);
    free(resolved);
    free(full);
    return rc;
}
