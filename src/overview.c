/* overview.c — the questions screens and the command line ask (overview.h),
 * answered with the store's index and the record functions of query.h. */
#include "overview.h"
#include "bytes.h"
#include "codec.h"
#include "draft.h"
#include "hex.h"
#include "index.h"
#include "region.h"
#include "report.h"
#include "roster.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cz_view {
    cz_station *st;
    cz_txn *t;
};

int cz_view_begin(cz_station *st, cz_view **out)
{
    cz_view *v = calloc(1, sizeof *v);
    int rc;
    *out = NULL;
    if (!v) return CZ_ENOMEM;
    v->st = st;
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &v->t))) {
        free(v);
        return rc;
    }
    *out = v;
    return CZ_OK;
}

void cz_view_end(cz_view *v)
{
    if (!v) return;
    cz_txn_abort(v->t);
    free(v);
}

cz_txn *cz_view_txn(cz_view *v)
{
    return v->t;
}

cz_station *cz_view_station(const cz_view *v)
{
    return v->st;
}

/* ---- counts and links ---- */

int cz_view_count(cz_view *v, const char *type, const char *region, size_t *n)
{
    char term[128];
    size_t len = region && region[0] ? cz_term_region(term, sizeof term, type, region)
                                     : cz_term_type(term, sizeof term, type);
    *n = 0;
    return cz_store_index_count(v->t, term, len, n);
}

struct linked_walk {
    cz_txn *t;
    const char *type;
    cz_entity_fn fn;
    void *ctx;
    size_t n;
};

static int linked_cb(void *ctx, const uint8_t *entity)
{
    struct linked_walk *w = ctx;
    struct cz_record r;
    int rc = cz_record_load(w->t, entity, &r);
    if (rc == CZ_OK && !r.deleted && (!w->type || !strcmp(r.type_key, w->type))) {
        w->n++;
        if (w->fn) rc = w->fn(w->ctx, entity);
    }
    cz_record_clear(&r);
    /* A listing stops where a record cannot be read, as cz_query_list
     * does; a count goes on without it. */
    return w->fn ? rc : CZ_OK;
}

int cz_view_linked(cz_view *v, const uint8_t target[CZ_ENTITY_BYTES], const char *type,
                   cz_entity_fn fn, void *ctx)
{
    char term[64];
    struct linked_walk w = { .t = v->t, .type = type, .fn = fn, .ctx = ctx };
    int rc = cz_store_index_each(v->t, term, cz_term_link(term, sizeof term, target, CZ_ENTITY_BYTES), linked_cb, &w);
    return rc == CZ_WALK_STOP ? CZ_OK : rc;
}

int cz_view_linked_count(cz_view *v, const uint8_t target[CZ_ENTITY_BYTES], const char *type, size_t *n)
{
    char term[64];
    struct linked_walk w = { .t = v->t, .type = type };
    int rc = cz_store_index_each(v->t, term, cz_term_link(term, sizeof term, target, CZ_ENTITY_BYTES), linked_cb, &w);
    *n = w.n;
    return rc;
}

struct attended_walk {
    cz_txn *t;
    char hex[2 * CZ_ENTITY_BYTES + 1];
    char number[128], region[CZ_REGION_MAX + 1];
    cz_entity_fn fn;
    void *ctx;
};

/* Whether one item of a training's list names the household. */
static int names_household(const struct attended_walk *w, const struct cz_record *r, const char *s, size_t len)
{
    if (len == 2 * CZ_ENTITY_BYTES && !strncasecmp(s, w->hex, len)) return 1;
    if (!w->number[0] || len != strlen(w->number) || memcmp(s, w->number, len)) return 0;
    return !strncmp(w->region, r->region, strlen(r->region));
}

static int attended_cb(void *ctx, const uint8_t *entity)
{
    struct attended_walk *w = ctx;
    const struct cz_field *f = cz_schema_field(cz_schema_type("training"), "households");
    struct cz_record r;
    size_t n = 0, len;
    const char *s;
    int rc = cz_record_load(w->t, entity, &r), hit = 0;
    if (rc == CZ_OK && !r.deleted && r.body && f && cz_body_get_list_count(r.body, f->tag, &n) == CZ_OK)
        for (size_t i = 0; i < n && !hit; i++)
            hit = cz_body_get_list_item(r.body, f->tag, i, &s, &len) == CZ_OK && names_household(w, &r, s, len);
    cz_record_clear(&r);
    if (rc) return rc;
    return hit ? w->fn(w->ctx, entity) : CZ_OK;
}

int cz_view_trainings_of(cz_view *v, const uint8_t household[CZ_ENTITY_BYTES], cz_entity_fn fn, void *ctx)
{
    struct attended_walk w = { .t = v->t, .fn = fn, .ctx = ctx };
    const struct cz_field *nf = cz_schema_field(cz_schema_type("household"), "number");
    struct cz_record h;
    const char *s;
    size_t len;
    int rc = cz_record_load(v->t, household, &h);
    if (rc == CZ_OK && (h.deleted || !h.body || strcmp(h.type_key, "household"))) rc = CZ_ENOTFOUND;
    if (rc == CZ_OK && cz_body_get_text(h.body, nf->tag, &s, &len) == CZ_OK && len < sizeof w.number)
        memcpy(w.number, s, len);
    if (rc == CZ_OK) snprintf(w.region, sizeof w.region, "%s", h.region);
    cz_record_clear(&h);
    if (rc) return rc;
    cz_hex(household, CZ_ENTITY_BYTES, w.hex);
    rc = cz_query_list(v->t, cz_schema_type("training"), NULL, 0, attended_cb, &w, NULL);
    return rc == CZ_WALK_STOP ? CZ_OK : rc;
}

/* ---- exit assessments awaiting approval ---- */

struct pending_walk {
    cz_txn *t;
    const uint8_t *root, *pk;
    const struct cz_type *type;
    cz_pending_exit_fn fn;
    void *ctx;
    size_t n;
};

/* For a count alone, whether an assessment is live without decoding it:
 * cz_exit_state refuses one whose provisional head is a tombstone, so only
 * one with concurrent versions is loaded, where a merge may make it
 * deleted. */
static int live_unloaded(cz_txn *t, const uint8_t *entity)
{
    uint8_t head[1][CZ_ID_BYTES];
    size_t nheads = 0;
    if (cz_store_heads(t, entity, head, 1, &nheads) != CZ_OK || nheads == 0) return 0;
    if (nheads == 1) return 1;
    struct cz_record r;
    int live = cz_record_load(t, entity, &r) == CZ_OK && !r.deleted;
    cz_record_clear(&r);
    return live;
}

/* With pk: whether pk may sign the next step, or stop it from a level
 * above; 0 when it may do neither (not this person's work). */
static int person_may(struct pending_walk *w, const struct cz_record *r, int next, int *may_approve)
{
    int why;
    if (next < 0) return 0;    /* all four signed, the notice not yet over: nothing to sign */
    *may_approve = cz_step_signer_ok(w->t, w->root, w->pk, 0, (enum cz_step)next, 1, r->region, &why) == CZ_OK;
    return *may_approve ||
           cz_step_signer_ok(w->t, w->root, w->pk, 0, (enum cz_step)next, 0, r->region, &why) == CZ_OK;
}

static int pending_cb(void *ctx, const uint8_t *entity)
{
    struct pending_walk *w = ctx;
    struct cz_record r;
    struct cz_exit_state es;
    struct cz_pending_exit p = { .entity = entity, .state = &es, .next = -1 };
    int rc = CZ_OK;
    memset(&r, 0, sizeof r);
    if (w->fn || w->pk) {
        /* As cz_query_list: a record that cannot be read stops the walk. */
        if ((rc = cz_record_load(w->t, entity, &r))) goto done;
        if (r.deleted || r.type != w->type) goto done;
        p.record = &r;
    } else if (!live_unloaded(w->t, entity)) {
        return CZ_OK;
    }
    if (cz_exit_state(w->t, w->root, entity, &es) != CZ_OK || es.complete) goto done;
    for (int s = 0; s < CZ_STEP_COUNT && p.next < 0; s++)
        if (!es.approved[s]) p.next = s;
    if (w->pk && !person_may(w, &r, p.next, &p.may_approve)) goto done;
    w->n++;
    if (w->fn) rc = w->fn(w->ctx, &p);
done:
    cz_record_clear(&r);
    return rc;
}

int cz_view_exits_pending(cz_view *v, const uint8_t *pk, cz_pending_exit_fn fn, void *ctx, size_t *n)
{
    char term[64];
    struct pending_walk w = {
        .t = v->t,
        .root = cz_station_info(v->st)->office_root,
        .pk = pk,
        .type = cz_schema_type("exit"),
        .fn = fn,
        .ctx = ctx,
    };
    int rc = cz_store_index_each(v->t, term, cz_term_type(term, sizeof term, "exit"), pending_cb, &w);
    if (n) *n = w.n;
    return rc == CZ_WALK_STOP ? CZ_OK : rc;
}

/* ---- versions, entries, ids ---- */

int cz_view_heads(cz_view *v, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t (*ids)[CZ_ID_BYTES],
                  size_t max, size_t *n)
{
    return cz_store_heads(v->t, entity, ids, max, n);
}

int cz_view_entry(cz_view *v, const uint8_t id[CZ_ID_BYTES], struct cz_entry *e)
{
    return cz_store_get_entry(v->t, id, e);
}

int cz_view_is_tombstone(cz_view *v, const uint8_t id[CZ_ID_BYTES])
{
    struct cz_entry e;
    return cz_store_get_entry(v->t, id, &e) == CZ_OK && (e.flags & CZ_ENTRY_FLAG_TOMBSTONE);
}

int cz_view_log_last(cz_view *v, const uint8_t key[32], uint64_t *seq)
{
    uint8_t last[CZ_ID_BYTES];
    return cz_store_log_last(v->t, key, seq, last);
}

struct later_count { cz_txn *t; size_t n; };

static int later_count_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct later_count *lc = ctx;
    struct cz_entry e;
    (void)why;
    if (state == CZ_JUDGED_HELD && cz_store_get_entry(lc->t, id, &e) == CZ_OK && !cz_schema_type(e.type)) lc->n++;
    return 0;
}

int cz_view_held_later(cz_view *v, size_t *n)
{
    struct later_count lc = { .t = v->t, .n = 0 };
    int rc = cz_store_each_judged(v->t, later_count_cb, &lc);
    *n = lc.n;
    return rc;
}

int cz_view_resolve(cz_view *v, const char *hex, uint8_t entity[CZ_ENTITY_BYTES])
{
    int rc = cz_store_resolve_entity(v->t, hex, entity);
    /* Longer than an entity id can only be an entry id. */
    if (rc == CZ_ENOTFOUND || (rc == CZ_EINVAL && strlen(hex) > 2 * CZ_ENTITY_BYTES)) {
        uint8_t id[CZ_ID_BYTES];
        struct cz_entry e;
        if (cz_store_resolve_entry(v->t, hex, id) == CZ_OK && cz_store_get_entry(v->t, id, &e) == CZ_OK) {
            memcpy(entity, e.entity, CZ_ENTITY_BYTES);
            return CZ_OK;
        }
        rc = rc == CZ_EINVAL ? CZ_ENOTFOUND : rc;
    }
    return rc;
}

int cz_view_resolve_entry(cz_view *v, const char *hex, uint8_t id[CZ_ID_BYTES])
{
    return cz_store_resolve_entry(v->t, hex, id);
}

/* ---- forks and the store ---- */

struct fork_walk { cz_fork_fn fn; void *ctx; };

/* A fork record's key is origin(32) | seq(8, big-endian) | id(32) (store.h). */
static int fork_cb(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len)
{
    struct fork_walk *w = ctx;
    (void)val;
    (void)val_len;
    if (key_len != 32 + 8 + CZ_ID_BYTES) return CZ_OK;
    struct cz_fork_entry f = { .key = key, .seq = cz_get_be64(key + 32), .id = key + 40 };
    return w->fn(w->ctx, &f);
}

int cz_view_each_fork(cz_view *v, cz_fork_fn fn, void *ctx)
{
    struct fork_walk w = { .fn = fn, .ctx = ctx };
    int rc = cz_store_each_fork(v->t, fork_cb, &w);
    return rc == CZ_WALK_STOP ? CZ_OK : rc;
}

int cz_view_stats(cz_view *v, struct cz_store_stats *out)
{
    return cz_store_stats(v->t, out);
}

int cz_view_count_records(cz_view *v, size_t *n)
{
    return cz_store_count_records(v->t, n);
}

int cz_view_each_user(cz_view *v, cz_user_fn fn, void *ctx)
{
    return cz_user_each(v->t, fn, ctx);
}

/* ---- whole-station questions ---- */

int cz_overview_counts(cz_station *st, size_t *households, size_t *members)
{
    cz_view *v = NULL;
    *households = *members = 0;
    int rc = cz_view_begin(st, &v);
    if (rc) return rc;
    /* Each figure on its own: one that cannot be read leaves the other. */
    rc = cz_view_count(v, "household", NULL, households);
    int rc2 = cz_view_count(v, "member", NULL, members);
    cz_view_end(v);
    return rc ? rc : rc2;
}

int cz_overview_peers(cz_station *st, struct cz_peer_status **out, size_t *n)
{
    struct cz_peer *peers = NULL;
    size_t np = 0;
    *out = NULL;
    *n = 0;
    int rc = cz_sync_peers(st, &peers, &np);
    if (rc) return rc;
    struct cz_peer_status *ps = calloc(np ? np : 1, sizeof *ps);
    if (!ps) { free(peers); return CZ_ENOMEM; }
    for (size_t i = 0; i < np; i++) {
        ps[i].peer = peers[i];
        /* A time that cannot be read shows as never: the list still helps. */
        (void)cz_sync_last(st, peers[i].box, &ps[i].sent_ms, &ps[i].received_ms);
    }
    free(peers);
    *out = ps;
    *n = np;
    return CZ_OK;
}

int cz_overview_sweep_drafts(cz_station *st, size_t *removed)
{
    return cz_draft_sweep(cz_station_dir(st), cz_station_store(st), removed);
}

int cz_view_household_status(cz_view *v, const uint8_t household[CZ_ENTITY_BYTES],
                             struct cz_household_status *out)
{
    const uint8_t *root = cz_station_info(v->st)->office_root;
    int rc = cz_household_status(v->t, root, household, out);
    return rc ? rc : cz_household_pending(v->t, root, household, &out->pending);
}

int cz_view_household_reckon(cz_view *v, struct cz_record *r, struct cz_household_status *out)
{
    struct cz_household_status local;
    if (!out) out = &local;
    memset(out, 0, sizeof *out);
    if (r->deleted || !r->body || strcmp(r->type_key, "household")) return CZ_OK;
    int rc = cz_view_household_status(v, r->entity, out);
    return rc ? rc : cz_household_status_apply(out, r->body);
}

/* ---- every exit assessment and its stage ---- */

struct exits_walk {
    cz_txn *t;
    const uint8_t *root, *pk;
    const struct cz_type *type;
    const char *region;
    char jurisdiction[CZ_REGION_MAX + 1];
    int anywhere;        /* the jurisdiction is every region */
    uint64_t now;
    cz_exit_row_fn fn;
    void *ctx;
    size_t n, open;
};

/* pk's jurisdiction as its certificate says; 0 when it has none that
 * counts (pending, revoked), so it sees nothing. */
static int key_jurisdiction(struct exits_walk *w)
{
    struct cz_trust_info ti;
    if (cz_roster_lookup(w->t, w->root, w->pk, &ti) != CZ_OK || ti.revoked) return 0;
    if (ti.state == CZ_TRUST_ROOT || (ti.state == CZ_TRUST_CERTIFIED && !strcmp(ti.role, "office")))
        w->anywhere = 1;
    else if (ti.state == CZ_TRUST_CERTIFIED && ti.region[0])
        snprintf(w->jurisdiction, sizeof w->jurisdiction, "%s", ti.region);
    else
        return 0;
    return 1;
}

/* The stage of a chain: the first step not approved decides it. */
static void exit_stage(const struct cz_exit_state *es, uint64_t now, struct cz_exit_row *row)
{
    int next = -1;
    for (int s = 0; s < CZ_STEP_COUNT && next < 0; s++)
        if (!es->approved[s]) next = s;
    row->step = next;
    if (es->complete) { row->stage = CZ_STAGE_COMPLETE; row->step = -1; }
    else if (next < 0) row->stage = CZ_STAGE_HELD;
    else if (es->rejected[next]) row->stage = CZ_STAGE_REJECTED;
    else if (next == CZ_STEP_NOTICE && es->notice_close_ms > now) row->stage = CZ_STAGE_NOTICE;
    else row->stage = CZ_STAGE_AWAITING;
}

static int exits_cb(void *ctx, const uint8_t *entity)
{
    struct exits_walk *w = ctx;
    struct cz_record r;
    struct cz_exit_state es;
    struct cz_exit_row row = { .entity = entity, .record = &r, .state = &es, .step = -1 };
    int rc = cz_record_load(w->t, entity, &r), why;
    if (rc) return rc;
    if (r.deleted || r.type != w->type) goto done;
    if (w->region && w->region[0] && !cz_region_under(r.region, w->region)) goto done;
    if (w->pk && !w->anywhere && !cz_region_under(r.region, w->jurisdiction)) goto done;
    if (cz_exit_state(w->t, w->root, entity, &es) != CZ_OK) goto done;
    exit_stage(&es, w->now, &row);
    if (w->pk && row.step >= 0) {
        row.may_approve = cz_step_signer_ok(w->t, w->root, w->pk, 0, (enum cz_step)row.step, 1, r.region, &why) == CZ_OK;
        row.mine = row.may_approve ||
                   cz_step_signer_ok(w->t, w->root, w->pk, 0, (enum cz_step)row.step, 0, r.region, &why) == CZ_OK;
    }
    w->n++;
    if (row.stage != CZ_STAGE_COMPLETE) w->open++;
    if (w->fn) rc = w->fn(w->ctx, &row);
done:
    cz_record_clear(&r);
    return rc;
}

int cz_view_exits_each(cz_view *v, const char *region, const uint8_t *pk, cz_exit_row_fn fn, void *ctx,
                       size_t *n, size_t *open)
{
    char term[64];
    struct exits_walk w = {
        .t = v->t,
        .root = cz_station_info(v->st)->office_root,
        .pk = pk,
        .type = cz_schema_type("exit"),
        .region = region,
        .now = cz_now_ms(),
        .fn = fn,
        .ctx = ctx,
    };
    int rc = CZ_OK;
    if (n) *n = 0;
    if (open) *open = 0;
    if (pk && !key_jurisdiction(&w)) return CZ_OK;
    rc = cz_store_index_each(v->t, term, cz_term_type(term, sizeof term, "exit"), exits_cb, &w);
    if (n) *n = w.n;
    if (open) *open = w.open;
    return rc == CZ_WALK_STOP ? CZ_OK : rc;
}

int cz_view_place_name(cz_view *v, const char *code, char *buf, size_t size)
{
    static const size_t levels[] = { 2, 4, 6, 9, 12 };
    char n[CZ_REGION_MAX + 1], cand[CZ_REGION_MAX + 1];
    if (size) buf[0] = 0;
    if (!cz_region_code_ok(code)) return CZ_EPLACECODE;
    cz_region_normalize(code, n);
    size_t len = strlen(n);
    if (!len) return CZ_ENOTFOUND;   /* everywhere: no one place */
    /* The code as written in its place record: normalised, or with zero
     * groups after it up to a longer level (411000 for the city 4110). */
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (levels[i] < len) continue;
        memcpy(cand, n, len);
        memset(cand + len, '0', levels[i] - len);
        cand[levels[i]] = 0;
        cz_report_place_name(v->t, cand, buf, size);
        if (size && buf[0]) return CZ_OK;
    }
    return CZ_ENOTFOUND;
}
