#include "hhstatus.h"
#include "counts.h"
#include "exitchain.h"
#include "index.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

#include <string.h>

const char *cz_hh_status_key(enum cz_hh_status s)
{
    switch (s) {
    case CZ_HH_EXITED: return "exited";
    case CZ_HH_RETURNED: return "returned";
    case CZ_HH_POOR: break;
    }
    return "poor";
}

/* One dated event; later() orders them. */
struct event { uint32_t date; uint64_t hlc; uint8_t entity[CZ_ENTITY_BYTES]; int set; int paper; };

static int later(const struct event *a, const struct event *b)
{
    if (!b->set) return 1;
    if (a->date != b->date) return a->date > b->date;
    if (a->hlc != b->hlc) return a->hlc > b->hlc;
    return memcmp(a->entity, b->entity, CZ_ENTITY_BYTES) > 0;
}

struct walk {
    cz_txn *t;
    const uint8_t *root, *household;
    struct event exit, ret;   /* the latest of each kind */
    int rc;
};

/* Whether a stored version counts now (its author certified, not revoked
 * at it, not quarantined): *why as cz_counts_entry. */
static int entry_counts(cz_txn *t, const uint8_t *root, const struct cz_entry *e, int *why)
{
    struct cz_trust_info info;
    memset(&info, 0, sizeof info);
    *why = CZ_EPERM;
    int rc = cz_roster_lookup(t, root, e->origin, &info);
    if (rc) return rc;
    return cz_counts_entry(t, &info, e, why);
}

static int visit_exit(struct walk *w, const uint8_t *entity)
{
    struct cz_exit_state st;
    int rc = cz_exit_state(w->t, w->root, entity, &st);
    if (rc == CZ_ENOTFOUND || rc == CZ_EDELETED || rc == CZ_ETYPE) return CZ_OK;
    if (rc || !st.complete) return rc;
    struct event ev = { .date = st.approved_on[CZ_STEP_NOTICE], .hlc = st.hlc[CZ_STEP_NOTICE], .set = 1 };
    memcpy(ev.entity, entity, CZ_ENTITY_BYTES);
    if (later(&ev, &w->exit)) w->exit = ev;
    return CZ_OK;
}

static int visit_return(struct walk *w, const uint8_t *entity, const struct cz_entry *e)
{
    const struct cz_type *ty = cz_schema_type("return");
    cz_body *b = NULL;
    const uint8_t *ref;
    size_t len;
    uint64_t date = 0;
    int why, rc;
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_OK;
    if ((rc = entry_counts(w->t, w->root, e, &why)) || why) return rc;
    if (cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return CZ_OK;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "household")->tag, &ref, &len) == CZ_OK &&
        len == CZ_ENTITY_BYTES && !memcmp(ref, w->household, CZ_ENTITY_BYTES) &&
        cz_body_get_uint(b, cz_schema_field(ty, "date")->tag, &date) == CZ_OK && date) {
        struct event ev = { .date = (uint32_t)date, .hlc = e->hlc, .set = 1 };
        memcpy(ev.entity, entity, CZ_ENTITY_BYTES);
        if (later(&ev, &w->ret)) w->ret = ev;
    }
    cz_body_free(b);
    return CZ_OK;
}

/* Whether the version's author was an office person (or the root) when
 * it signed: only the office states a paper exit. */
static int office_author(cz_txn *t, const uint8_t *root, const struct cz_entry *e)
{
    struct cz_trust_info info;
    memset(&info, 0, sizeof info);
    if (cz_roster_lookup(t, root, e->origin, &info) != CZ_OK) return 0;
    if (info.state == CZ_TRUST_ROOT) return 1;
    return info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office") &&
           !(info.revoked && e->seq > info.revoked_after);
}

/* A paper exit record (exit_record, villrec.h): an exit on its date. */
static int visit_paper(struct walk *w, const uint8_t *entity, const struct cz_entry *e)
{
    const struct cz_type *ty = cz_schema_type("exit_record");
    cz_body *b = NULL;
    const uint8_t *ref;
    size_t len;
    uint64_t date = 0;
    int why, rc;
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_OK;
    if ((rc = entry_counts(w->t, w->root, e, &why)) || why) return rc;
    if (!office_author(w->t, w->root, e)) return CZ_OK;
    if (cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return CZ_OK;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "household")->tag, &ref, &len) == CZ_OK &&
        len == CZ_ENTITY_BYTES && !memcmp(ref, w->household, CZ_ENTITY_BYTES) &&
        cz_body_get_uint(b, cz_schema_field(ty, "date")->tag, &date) == CZ_OK && date) {
        struct event ev = { .date = (uint32_t)date, .hlc = e->hlc, .set = 1, .paper = 1 };
        memcpy(ev.entity, entity, CZ_ENTITY_BYTES);
        if (later(&ev, &w->exit)) w->exit = ev;
    }
    cz_body_free(b);
    return CZ_OK;
}

/* Every record linked to the household: only exits and returns matter. */
static int linked_cb(void *ctx, const uint8_t *entity)
{
    struct walk *w = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n = 0;
    struct cz_entry e;
    int rc = cz_store_heads(w->t, entity, heads, 1, &n);
    if (rc == CZ_OK && n && (rc = cz_store_get_entry(w->t, heads[0], &e)) == CZ_OK) {
        if (!strcmp(e.type, "exit")) rc = visit_exit(w, entity);
        else if (!strcmp(e.type, "return")) rc = visit_return(w, entity, &e);
        else if (!strcmp(e.type, "exit_record")) rc = visit_paper(w, entity, &e);
    }
    return rc;
}

int cz_household_pending(cz_txn *t, const uint8_t root[32], const uint8_t household[CZ_ENTITY_BYTES],
                         int *pending)
{
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n = 0;
    struct cz_entry e;
    int why, rc;
    *pending = 0;
    if ((rc = cz_store_heads(t, household, heads, 1, &n)) || !n) return rc;
    if ((rc = cz_store_get_entry(t, heads[0], &e))) return rc;
    if (strcmp(e.type, "household") || (e.flags & CZ_ENTRY_FLAG_TOMBSTONE)) return CZ_OK;
    if ((rc = entry_counts(t, root, &e, &why))) return rc;
    *pending = why == CZ_ENOTFOUND;
    return CZ_OK;
}

int cz_household_status(cz_txn *t, const uint8_t root[32], const uint8_t household[CZ_ENTITY_BYTES],
                        struct cz_household_status *out)
{
    char term[64];
    struct walk w = { .t = t, .root = root, .household = household };
    memset(out, 0, sizeof *out);
    out->status = CZ_HH_POOR;
    size_t tl = cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES);
    int rc = cz_store_index_each(t, term, tl, linked_cb, &w);
    if (rc) return rc;
    if (!w.exit.set) return CZ_OK;   /* never exited: a return changes nothing */
    out->exited_on = w.exit.date;
    out->exit_year = w.exit.date / 10000;
    out->paper = w.exit.paper;
    if (w.ret.set && later(&w.ret, &w.exit)) {
        out->status = CZ_HH_RETURNED;
        out->returned_on = w.ret.date;
        memcpy(out->decided_by, w.ret.entity, CZ_ENTITY_BYTES);
    } else {
        out->status = CZ_HH_EXITED;
        memcpy(out->decided_by, w.exit.entity, CZ_ENTITY_BYTES);
    }
    return CZ_OK;
}

int cz_household_status_apply(const struct cz_household_status *s, cz_body *b)
{
    const struct cz_type *ty = cz_schema_type("household");
    uint32_t st = cz_schema_field(ty, "status")->tag, on = cz_schema_field(ty, "exited_on")->tag;
    /* A paper exit is shown as such (the schema's "exited_paper"). */
    const char *key = s->status == CZ_HH_EXITED && s->paper ? "exited_paper" : cz_hh_status_key(s->status);
    int rc = cz_body_set_text(b, st, key, strlen(key));
    if (rc) return rc;
    if (s->exited_on) return cz_body_set_uint(b, on, s->exited_on);
    rc = cz_body_remove(b, on);
    return rc == CZ_ENOTFOUND ? CZ_OK : rc;
}
