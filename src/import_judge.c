/* import_judge.c — one entry of a bundle judged by the rule set (authz.h)
 * and kept, and entries held for what they name judged again once a
 * bundle is in (sync_int.h). */
#include "sync_int.h"
#include "index.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "authz.h"
#include "grow.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "station.h"

/* The chain holds wherever the neighbouring entries are here: ours at
 * seq-1 is the one this names, and ours at seq+1 names this one. */
static int chain_ok(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok)
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_entry next;
    int rc;
    *ok = 1;
    if (e->seq > 1) {
        if (im->last_valid && im->last_seq + 1 == e->seq && !memcmp(im->last_origin, e->origin, 32)) {
            if (memcmp(im->last_id, e->prev, CZ_ID_BYTES)) *ok = 0;
        } else {
            rc = cz_store_log_get(im->t, e->origin, e->seq - 1, at);
            if (rc == CZ_OK && memcmp(at, e->prev, CZ_ID_BYTES)) *ok = 0;
            else if (rc && rc != CZ_ENOTFOUND) return rc;
        }
    } else if (!sodium_is_zero(e->prev, CZ_ID_BYTES)) {
        *ok = 0;
    }
    rc = cz_store_log_get(im->t, e->origin, e->seq + 1, at);
    if (rc == CZ_OK) {
        if ((rc = cz_store_get_entry(im->t, at, &next))) return rc;
        if (memcmp(next.prev, id, CZ_ID_BYTES)) *ok = 0;
    } else if (rc != CZ_ENOTFOUND) {
        return rc;
    }
    return CZ_OK;
}

static void remember_log(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    im->last_valid = 1;
    memcpy(im->last_origin, e->origin, 32);
    memcpy(im->last_id, id, CZ_ID_BYTES);
    im->last_seq = e->seq;
}

int imp_refuse(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int why)
{
    im->res->refused++;
    int rc = cz_grow(&im->refused, &im->refused_cap, im->nrefused + 1, sizeof *im->refused);
    if (rc) return rc;
    struct imp_refusal *r = &im->refused[im->nrefused++];
    memcpy(r->id, id, CZ_ID_BYTES);
    memcpy(r->origin, e->origin, 32);
    r->why = why;
    return CZ_OK;
}

/* The roster's word on e's author, looked up again only for another
 * author or after a trust record was stored. */
static int author_of(struct importer *im, const struct cz_entry *e, struct cz_trust_info *ti)
{
    int rc;
    if (!im->roster_valid || memcmp(im->roster_origin, e->origin, 32)) {
        if ((rc = cz_roster_lookup(im->t, im->info->office_root, e->origin, &im->roster_info))) return rc;
        memcpy(im->roster_origin, e->origin, 32);
        im->roster_valid = 1;
    }
    *ti = im->roster_info;
    return CZ_OK;
}

/* A new entry became a version: counted, and this station's clock follows
 * it unless it is more than a day ahead of this PC (a persisted future timestamp
 * cannot be undone).
 * "Clock ahead" is said of the entry's wall time, which its author's PC
 * read when signing: its hybrid clock cannot go back once it ran ahead,
 * so judging by it would flag every later entry of a station that was
 * wrong for one day. */
static void count_new(struct importer *im, const struct cz_entry *e, enum cz_verdict verdict)
{
    uint64_t now = cz_now_ms();
    im->res->fresh++;
    if (verdict == CZ_VERDICT_PENDING) im->res->pending++;
    if (e->wall > 0 && (uint64_t)e->wall * 1000 > now + HLC_AHEAD_MAX_MS) im->res->clock_ahead++;
    if (e->hlc <= (now + HLC_AHEAD_MAX_MS) << 16 && e->hlc > im->max_hlc) im->max_hlc = e->hlc;
}

/* One entry whose structure and signature were checked: judged by the
 * rule set (authz.h) and kept whatever the verdict; only what is
 * authorised (or pending its author's certificate) becomes a version. */
int imp_apply_one(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_trust_info ti;
    struct cz_judgement j;
    struct cz_import_result *res = im->res;
    int rc, ok, result;
    /* Already here: nothing to check or report. */
    rc = cz_store_log_get(im->t, e->origin, e->seq, at);
    if (rc == CZ_OK && !memcmp(at, id, CZ_ID_BYTES)) {
        res->duplicate++;
        remember_log(im, e, id);
        return CZ_OK;
    }
    if (rc && rc != CZ_ENOTFOUND) return rc;
    /* A broken chain claims a place in a log it does not fit: not kept. */
    if ((rc = chain_ok(im, e, id, &ok))) return rc;
    if (!ok) return imp_refuse(im, e, id, CZ_ECHAIN);
    if ((rc = author_of(im, e, &ti))) return rc;
    if ((rc = cz_authz_judge(im->t, im->info->office_root, e, &ti, 0, &j))) return rc;
    if (j.verdict == CZ_VERDICT_REFUSED || j.verdict == CZ_VERDICT_HOLD) {
        int state = j.verdict == CZ_VERDICT_REFUSED ? CZ_JUDGED_REFUSED : CZ_JUDGED_HELD;
        if ((rc = cz_store_put_judged(im->t, e, id, state, j.why, &result))) return rc;
        if (result == CZ_PUT_NEW) remember_log(im, e, id);
        if (result == CZ_PUT_FORK) res->forks++;
        if (j.verdict == CZ_VERDICT_HOLD) { res->held++; return CZ_OK; }
        return imp_refuse(im, e, id, j.why);
    }
    if ((rc = cz_store_put_entry(im->t, e, id, &result))) return rc;
    /* What the roster says rests on trust records. */
    const struct cz_type *ety = cz_schema_type(e->type);
    if (result == CZ_PUT_NEW && ety->trust) im->roster_valid = 0;
    if (result == CZ_PUT_NEW) {
        remember_log(im, e, id);
        count_new(im, e, j.verdict);
    } else if (result == CZ_PUT_FORK) {
        res->forks++;
    } else {
        res->duplicate++;
    }
    return CZ_OK;
}

/* Entries held for what they name are judged again once a bundle is in:
 * a member that came before its household within one bundle, or over two
 * sticks.  Repeated while anything is released (a release can free the
 * next). */
struct held_list { uint8_t (*ids)[CZ_ID_BYTES]; size_t n, cap; };

static int held_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct held_list *h = ctx;
    if (state != CZ_JUDGED_HELD) return 0;
    int rc = cz_grow(&h->ids, &h->cap, h->n + 1, CZ_ID_BYTES);
    if (rc) return rc;
    memcpy(h->ids[h->n++], id, CZ_ID_BYTES);
    return 0;
}

int imp_rejudge_held(struct importer *im)
{
    struct held_list h = { .n = 0 };
    size_t released;
    int rc;
    do {
        released = 0;
        h.n = 0;
        if ((rc = cz_store_each_judged(im->t, held_cb, &h))) break;
        for (size_t i = 0; i < h.n && !rc; i++) {
            struct cz_entry e;
            struct cz_trust_info ti;
            struct cz_judgement j;
            im->roster_valid = 0;
            if ((rc = cz_store_get_entry(im->t, h.ids[i], &e)) || (rc = author_of(im, &e, &ti)) ||
                (rc = cz_authz_judge(im->t, im->info->office_root, &e, &ti, 0, &j)))
                break;
            if (j.verdict == CZ_VERDICT_HOLD) continue;
            if (j.verdict == CZ_VERDICT_REFUSED) {
                if ((rc = cz_store_judged_set(im->t, h.ids[i], CZ_JUDGED_REFUSED, j.why))) break;
                if (im->res->held) im->res->held--;
                rc = imp_refuse(im, &e, h.ids[i], j.why);
                continue;
            }
            if ((rc = cz_store_release(im->t, &e, h.ids[i]))) break;
            if (im->res->held) im->res->held--;
            else im->res->released++;       /* held by an earlier bundle */
            count_new(im, &e, j.verdict);
            released++;
        }
    } while (!rc && released);
    free(h.ids);
    return rc;
}

/* Whether an entry is held for its type (a later build's, CZ_ELATER; an
 * earlier build said CZ_ETYPE) and this build knows that type now. */
struct later_scan { cz_txn *t; size_t known; };

static int later_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    struct later_scan *s = ctx;
    struct cz_entry e;
    if (state != CZ_JUDGED_HELD || (why != CZ_ELATER && why != CZ_ETYPE)) return 0;
    if (cz_store_get_entry(s->t, id, &e) != CZ_OK) return 0;
    if (cz_schema_type(e.type)) s->known++;
    return 0;
}

/* A rejudge's transaction: the release, the clock, the commit. */
static int rejudge_write(struct importer *im)
{
    uint64_t local_hlc = 0;
    int rc;
    if ((rc = imp_rejudge_held(im))) return rc;
    if ((rc = cz_meta_get_u64(im->t, "hlc", &local_hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (im->max_hlc > local_hlc && (rc = cz_meta_put_u64(im->t, "hlc", im->max_hlc))) return rc;
    rc = cz_txn_commit(im->t);
    im->t = NULL;
    return rc;
}

int cz_sync_rejudge(cz_station *st, struct cz_import_result *res)
{
    struct importer im = { .info = cz_station_info(st), .res = res };
    struct later_scan scan = { .known = 0 };
    int rc;
    memset(res, 0, sizeof *res);
    /* Read first: most opens find nothing to do and write nothing. */
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &scan.t))) return rc;
    rc = cz_store_each_judged(scan.t, later_cb, &scan);
    cz_txn_abort(scan.t);
    if (rc || !scan.known) return rc;
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &im.t))) return rc;
    rc = rejudge_write(&im);
    cz_txn_abort(im.t);
    free(im.refused);
    return rc;
}

int imp_check_entry(const uint8_t *p, size_t len, struct cz_entry *e, uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_entry_decode(p, len, e);
    if (rc == CZ_OK) rc = cz_entry_verify(e);
    if (rc == CZ_OK) cz_entry_id(p, len, id);
    return rc;
}
