#include "authz.h"
#include "codec.h"
#include "exitchain.h"
#include "history.h"
#include "keys.h"
#include "schema.h"
#include "status.h"
#include "villrec.h"

#include <stdio.h>
#include <string.h>

/* ---- the rule set ---- */

static void judged(struct cz_judgement *j, enum cz_verdict v, int why)
{
    j->verdict = v;
    j->why = why;
}

/* Office people and the root act everywhere; everyone else within the
 * jurisdiction of their certificate. */
static int acts_everywhere(const struct cz_trust_info *a)
{
    return a->state == CZ_TRUST_ROOT || (a->state == CZ_TRUST_CERTIFIED && !strcmp(a->role, "office"));
}

/* A stored entry that is a version of its record: not kept aside as
 * evidence or held.  CZ_ENOTFOUND when absent, CZ_EHELD when held,
 * CZ_EPARENT when refused. */
static int applied_entry(cz_txn *t, const uint8_t id[CZ_ID_BYTES], struct cz_entry *out)
{
    int state, why;
    int rc = cz_store_get_entry(t, id, out);
    if (rc) return rc;
    rc = cz_store_judged_get(t, id, &state, &why);
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    return state == CZ_JUDGED_HELD ? CZ_EHELD : CZ_EPARENT;
}

/* What a reference field names: a version id (len CZ_ID_BYTES) names
 * that applied version; an entity id names the record's current version,
 * the provisional winner (history.h).  The statuses of applied_entry. */
static int referenced_entry(cz_txn *t, const uint8_t *ref, size_t len, struct cz_entry *out)
{
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n = 0;
    if (len == CZ_ID_BYTES) return applied_entry(t, ref, out);
    return cz_history_winner(t, ref, heads, 1, &n, out);
}

struct parentless { const uint8_t *self_id; uint64_t self_hlc; int earlier; cz_txn *t; };

static int parentless_cb(void *ctx, const uint8_t *id)
{
    struct parentless *p = ctx;
    struct cz_entry v;
    if (!memcmp(id, p->self_id, CZ_ID_BYTES) || cz_store_get_entry(p->t, id, &v) != CZ_OK) return 0;
    if (v.nparents == 0 &&
        (v.hlc < p->self_hlc || (v.hlc == p->self_hlc && memcmp(id, p->self_id, CZ_ID_BYTES) < 0)))
        p->earlier = 1;
    return 0;
}

/* Versions belong to one record: parents are applied versions of the same
 * entity and type, every parent's region is one the author may write (no
 * taking over another village's record), and only a record's first
 * version has no parents.  A pending author builds only on pending work. */
static int judge_versions(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                          const struct cz_trust_info *author, int replay, const uint8_t *self_id,
                          struct cz_judgement *j)
{
    int rc;
    if (e->nparents == 0) {
        if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) { judged(j, CZ_VERDICT_REFUSED, CZ_EPARENT); return CZ_OK; }
        if (!replay) {
            uint8_t any[1][CZ_ID_BYTES];
            size_t n = 0;
            if ((rc = cz_store_heads(t, e->entity, any, 1, &n))) return rc;
            if (n) judged(j, CZ_VERDICT_REFUSED, CZ_EPARENT);
            return CZ_OK;
        }
        struct parentless p = { .self_id = self_id, .self_hlc = e->hlc, .earlier = 0, .t = t };
        if ((rc = cz_store_versions(t, e->entity, parentless_cb, &p))) return rc;
        if (p.earlier) judged(j, CZ_VERDICT_REFUSED, CZ_EPARENT);
        return CZ_OK;
    }
    for (size_t i = 0; i < e->nparents; i++) {
        struct cz_entry p;
        rc = applied_entry(t, e->parents + i * CZ_ID_BYTES, &p);
        if (rc == CZ_ENOTFOUND || rc == CZ_EHELD) { judged(j, CZ_VERDICT_HOLD, CZ_EHELD); return CZ_OK; }
        if (rc == CZ_EPARENT) { judged(j, CZ_VERDICT_REFUSED, CZ_EPARENT); return CZ_OK; }
        if (rc) return rc;
        if (memcmp(p.entity, e->entity, CZ_ENTITY_BYTES) || strcmp(p.type, e->type)) {
            judged(j, CZ_VERDICT_REFUSED, CZ_EPARENT);
            return CZ_OK;
        }
        if (author->state == CZ_TRUST_PENDING) {
            /* A key without a certificate (a restored station's new key,
             * say) may edit certified records only once the office says
             * where it may write: held until then. */
            struct cz_trust_info pa;
            if ((rc = cz_roster_lookup(t, root, p.origin, &pa))) return rc;
            if (pa.state != CZ_TRUST_PENDING) { judged(j, CZ_VERDICT_HOLD, CZ_ENOTFOUND); return CZ_OK; }
        } else if (!acts_everywhere(author) && !cz_region_under(p.region, author->region)) {
            judged(j, CZ_VERDICT_REFUSED, CZ_EPERM);
            return CZ_OK;
        }
    }
    return CZ_OK;
}

/* The region e's content belongs to, into region; *global when the type
 * has no region of its own (places, helpers, trust records).  A
 * tombstone's is its parents'.  CZ_EHELD when a record it names is not
 * here; CZ_EREGION when its sources disagree. */
static int derived_region(cz_txn *t, const struct cz_type *ty, const struct cz_entry *e,
                          const cz_body *b, char region[CZ_REGION_MAX + 1], int *known, int *global)
{
    int rc;
    region[0] = 0;
    *known = 0;
    *global = 1;
    for (size_t i = 0; i < ty->nfields; i++)
        if (ty->fields[i].flags & (CZ_FF_REGION | CZ_FF_INHERIT)) *global = 0;
    if (*global) { *known = 1; return CZ_OK; }
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) {
        struct cz_entry p;
        if ((rc = cz_store_get_entry(t, e->parents, &p))) return rc == CZ_ENOTFOUND ? CZ_EHELD : rc;
        snprintf(region, CZ_REGION_MAX + 1, "%s", p.region);
        *known = 1;
        return CZ_OK;
    }
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        char from[CZ_REGION_MAX + 1];
        const char *s;
        const uint8_t *ref;
        size_t len;
        if ((f->flags & CZ_FF_REGION) && cz_body_get_text(b, f->tag, &s, &len) == CZ_OK) {
            snprintf(from, sizeof from, "%s", s);
        } else if ((f->flags & CZ_FF_INHERIT) && cz_body_get_bytes(b, f->tag, &ref, &len) == CZ_OK) {
            struct cz_entry r;
            rc = referenced_entry(t, ref, len, &r);
            if (rc == CZ_ENOTFOUND || rc == CZ_EHELD) return CZ_EHELD;
            if (rc == CZ_EPARENT) return CZ_EREGION;
            if (rc) return rc;
            snprintf(from, sizeof from, "%s", r.region);
        } else {
            continue;
        }
        char a[CZ_REGION_MAX + 1], c[CZ_REGION_MAX + 1];
        cz_region_normalize(from, a);
        if (*known) {
            cz_region_normalize(region, c);
            if (strcmp(a, c)) return CZ_EREGION;
        } else {
            snprintf(region, CZ_REGION_MAX + 1, "%s", from);
            *known = 1;
        }
    }
    return CZ_OK;
}

/* Every other reference names a record here, of the type the field asks
 * for, in the entry's region or a wider one (a city expert, a county
 * place); never a narrower or another village's. */
static int judge_references(cz_txn *t, const struct cz_type *ty, const struct cz_entry *e,
                            const cz_body *b, struct cz_judgement *j)
{
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const uint8_t *ref;
        size_t len;
        if ((f->type != CZ_F_REF && f->type != CZ_F_VERSION) || cz_body_get_bytes(b, f->tag, &ref, &len) != CZ_OK)
            continue;
        struct cz_entry r;
        int rc = referenced_entry(t, ref, len, &r);
        if (rc == CZ_ENOTFOUND || rc == CZ_EHELD) { judged(j, CZ_VERDICT_HOLD, CZ_EHELD); return CZ_OK; }
        if (rc == CZ_EPARENT) { judged(j, CZ_VERDICT_REFUSED, CZ_EREGION); return CZ_OK; }
        if (rc) return rc;
        if ((f->ref_type && strcmp(r.type, f->ref_type)) || !cz_region_under(e->region, r.region)) {
            judged(j, CZ_VERDICT_REFUSED, CZ_EREGION);
            return CZ_OK;
        }
    }
    return CZ_OK;
}

struct announced { cz_txn *t; uint64_t before; const char *kind; int twice; };

static int announced_cb(void *ctx, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    struct announced *a = ctx;
    const struct cz_type *ty = cz_schema_type("key");
    struct cz_entry v;
    cz_body *b = NULL;
    const char *kind;
    size_t len;
    int state, why;
    if (seq >= a->before) return CZ_WALK_STOP;
    /* What was refused or is held never counted as an announcement. */
    if (cz_store_judged_get(a->t, id, &state, &why) == CZ_OK) return 0;
    if (cz_store_get_entry(a->t, id, &v) != CZ_OK || strcmp(v.type, "key") ||
        cz_body_decode(v.body, v.body_len, &b) != CZ_OK)
        return 0;
    if (cz_body_get_text(b, cz_schema_field(ty, "kind")->tag, &kind, &len) == CZ_OK && !strcmp(kind, a->kind))
        a->twice = 1;
    cz_body_free(b);
    return a->twice ? CZ_WALK_STOP : 0;
}

/* A key announcement is a first version, global, naming its author's own
 * key (kind person) or its station's bundle key (kind station), each once
 * in the author's log (the earliest stands). */
static int judge_key(cz_txn *t, const struct cz_type *ty, const struct cz_entry *e, const cz_body *b,
                     struct cz_judgement *j)
{
    const uint8_t *key;
    const char *kind;
    size_t len, klen;
    if (e->nparents || (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) ||
        cz_body_get_bytes(b, cz_schema_field(ty, "key")->tag, &key, &len) != CZ_OK || len != 32 ||
        cz_body_get_text(b, cz_schema_field(ty, "kind")->tag, &kind, &klen) != CZ_OK ||
        (!strcmp(kind, "person") && memcmp(key, e->origin, 32))) {
        judged(j, CZ_VERDICT_REFUSED, CZ_EKEYANN);
        return CZ_OK;
    }
    struct announced a = { .t = t, .before = e->seq, .kind = kind, .twice = 0 };
    int rc = cz_store_log_each(t, e->origin, announced_cb, &a);
    if (rc && rc != CZ_WALK_STOP) return rc;
    if (a.twice) judged(j, CZ_VERDICT_REFUSED, CZ_EKEYANN);
    return CZ_OK;
}

/* A rollover counts by the roster's walk of the root logs (roster.h).
 * Once at its log position (stored, held, or replayed by verify) it is
 * judged by whether the walk counted it; before, by whether it would count
 * now, and held when not: a bundle need not bring a log in seq order, and
 * what comes before it may be later in the bundle.  One statement: never
 * another version, never deleted. */
static int judge_rollover(cz_txn *t, const uint8_t root[32], const struct cz_entry *e, struct cz_judgement *j)
{
    uint8_t at[CZ_ID_BYTES], id[CZ_ID_BYTES];
    int counts = 0, rc;
    cz_entry_id(e->raw, e->raw_len, id);
    if (e->nparents || (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) {
        judged(j, CZ_VERDICT_REFUSED, CZ_EROLLOVER);
        return CZ_OK;
    }
    if (cz_store_log_get(t, e->origin, e->seq, at) == CZ_OK && !memcmp(at, id, CZ_ID_BYTES)) {
        if ((rc = cz_roster_trust_counts(t, root, e, &counts))) return rc;
        if (!counts) judged(j, CZ_VERDICT_REFUSED, CZ_EROLLOVER);
        return CZ_OK;
    }
    rc = cz_roster_rollover_check(t, root, e);
    if (rc == CZ_EROLLOVER) {
        judged(j, CZ_VERDICT_HOLD, CZ_EROLLOVER);
        return CZ_OK;
    }
    return rc;
}

/* The region an entry's content belongs to must be the one in its header,
 * and within the author's jurisdiction; records everyone shares are the
 * office's to write, and key announcements are how a new person asks for a
 * certificate.  Records naming a household (a `return` 返贫认定 among
 * them) are judged by the household's region alone: whoever may write
 * the household may write them, with no role asked. */
static int judge_region(cz_txn *t, const struct cz_type *ty, const struct cz_entry *e, const cz_body *b,
                        const struct cz_trust_info *author, struct cz_judgement *j)
{
    char region[CZ_REGION_MAX + 1], hn[CZ_REGION_MAX + 1], dn[CZ_REGION_MAX + 1];
    int known, global;
    int rc = derived_region(t, ty, e, b, region, &known, &global);
    if (rc == CZ_EHELD || rc == CZ_EREGION) {
        judged(j, rc == CZ_EHELD ? CZ_VERDICT_HOLD : CZ_VERDICT_REFUSED, rc);
        return CZ_OK;
    }
    if (rc) return rc;
    cz_region_normalize(e->region, hn);
    cz_region_normalize(region, dn);
    if (known && strcmp(hn, dn)) judged(j, CZ_VERDICT_REFUSED, CZ_EREGION);
    else if (global && !ty->trust && strcmp(ty->key, "key") && !acts_everywhere(author))
        judged(j, CZ_VERDICT_REFUSED, CZ_EPERM);
    else if (!global && author->state == CZ_TRUST_CERTIFIED && !acts_everywhere(author) &&
             !cz_region_under(e->region, author->region))
        judged(j, CZ_VERDICT_REFUSED, CZ_EPERM);
    return CZ_OK;
}

/* ---- registry (household side) ----
 * A member change's member belongs to the household it names: otherwise
 * one village's clerk could mark another household's member as gone
 * (their region rules pass when both households are in the village). */
static int judge_member_change(cz_txn *t, const struct cz_type *ty, const cz_body *b, struct cz_judgement *j)
{
    const uint8_t *m, *h, *mh;
    size_t len, hlen, mhlen;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "member")->tag, &m, &len) != CZ_OK ||
        cz_body_get_bytes(b, cz_schema_field(ty, "household")->tag, &h, &hlen) != CZ_OK)
        return CZ_OK;
    struct cz_entry me;
    cz_body *mb = NULL;
    int rc = referenced_entry(t, m, len, &me);
    if (rc == CZ_ENOTFOUND || rc == CZ_EHELD) { judged(j, CZ_VERDICT_HOLD, CZ_EHELD); return CZ_OK; }
    if (rc) return rc == CZ_EPARENT ? (judged(j, CZ_VERDICT_REFUSED, CZ_EMEMBEROF), CZ_OK) : rc;
    if ((rc = cz_body_decode(me.body, me.body_len, &mb))) { judged(j, CZ_VERDICT_REFUSED, CZ_EMEMBEROF); return CZ_OK; }
    const struct cz_type *mt = cz_schema_type("member");
    if (cz_body_get_bytes(mb, cz_schema_field(mt, "household")->tag, &mh, &mhlen) != CZ_OK || mhlen != hlen ||
        memcmp(mh, h, hlen))
        judged(j, CZ_VERDICT_REFUSED, CZ_EMEMBEROF);
    cz_body_free(mb);
    return CZ_OK;
}

int cz_authz_judge(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                   const struct cz_trust_info *author, int replay, struct cz_judgement *j)
{
    const struct cz_type *ty = cz_schema_type(e->type);
    cz_body *b = NULL;
    uint8_t self_id[CZ_ID_BYTES];
    int rc, why;

    judged(j, CZ_VERDICT_OK, CZ_OK);
    /* A later build's record type: nothing here can judge it yet.  Held,
     * never refused: the build that knows it judges it (cz_sync_rejudge). */
    if (!ty) { judged(j, CZ_VERDICT_HOLD, CZ_ELATER); return CZ_OK; }
    cz_roster_entry_judge(author, e, &why);
    if (why && why != CZ_ENOTFOUND) { judged(j, CZ_VERDICT_REFUSED, why); return CZ_OK; }
    if (!strcmp(ty->key, "rollover") && ((rc = judge_rollover(t, root, e, j)) || j->verdict)) return rc;
    cz_entry_id(e->raw, e->raw_len, self_id);
    if ((rc = judge_versions(t, root, e, author, replay, self_id, j)) || j->verdict) return rc;
    if ((rc = cz_body_decode(e->body, e->body_len, &b))) {
        judged(j, CZ_VERDICT_REFUSED, rc);
        return CZ_OK;
    }
    if ((rc = judge_region(t, ty, e, b, author, j)) || j->verdict) goto cleanup;
    /* A paper exit is the office's statement of its own file (villrec.h):
     * a village or supervisor's is refused however validly signed. */
    if (cz_villrec_office_only(ty->key) && author->state == CZ_TRUST_CERTIFIED && !acts_everywhere(author)) {
        judged(j, CZ_VERDICT_REFUSED, CZ_EPERM);
        goto cleanup;
    }
    if (!strcmp(ty->key, "key") && (rc = judge_key(t, ty, e, b, j))) goto cleanup;
    if (j->verdict) goto cleanup;
    if (!(e->flags & CZ_ENTRY_FLAG_TOMBSTONE) && (rc = judge_references(t, ty, e, b, j))) goto cleanup;
    if (j->verdict) goto cleanup;
    if (!strcmp(ty->key, "member_change") && !(e->flags & CZ_ENTRY_FLAG_TOMBSTONE) &&
        ((rc = judge_member_change(t, ty, b, j)) || j->verdict))
        goto cleanup;
    /* The exit chain's own rules: signer levels, distinct signers, dates
     * on the entries' clocks, the criteria (exitchain.h). */
    if (!strcmp(ty->key, "approval") && !(e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) {
        if ((rc = cz_approval_judge(t, root, e, &why))) goto cleanup;
        if (why == CZ_ENOTFOUND) { judged(j, CZ_VERDICT_HOLD, CZ_EHELD); goto cleanup; }
        if (why) { judged(j, CZ_VERDICT_REFUSED, why); goto cleanup; }
    }
    if (author->state == CZ_TRUST_PENDING && strcmp(ty->key, "key"))
        judged(j, CZ_VERDICT_PENDING, CZ_ENOTFOUND);
cleanup:
    cz_body_free(b);
    return rc;
}
