#include "verify.h"
#include "authz.h"
#include "counts.h"
#include "bytes.h"
#include "entry.h"
#include "roster.h"
#include "schema.h"
#include "status.h"
#include "sync.h"

#include <string.h>

struct vctx {
    cz_txn *t;
    const uint8_t *root;
    cz_problem_fn fn;
    void *ctx;
    struct cz_verify_report *rep;
    const struct cz_progress *pr;
    size_t total;
};

/* Told every this many entries: a call per entry would cost more than the
 * bar is worth, and 256 signature checks take a few milliseconds. */
#define VERIFY_PROGRESS_EVERY 256

static void problem(struct vctx *v, enum cz_problem kind, const uint8_t *id, int status)
{
    switch (kind) {
    case CZ_PROBLEM_PENDING:    v->rep->pending++; break;
    case CZ_PROBLEM_REFUSED:    v->rep->refused++; break;
    case CZ_PROBLEM_HELD:       v->rep->held++; break;
    case CZ_PROBLEM_QUARANTINE: v->rep->quarantined++; break;
    default:                    v->rep->problems++; break;
    }
    if (v->fn) v->fn(v->ctx, kind, id, status);
}

static int entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *raw, size_t len)
{
    struct vctx *v = ctx;
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    int rc;

    v->rep->entries++;
    /* The count was read in this transaction, so it holds; min() all the same. */
    if (v->pr && v->rep->entries % VERIFY_PROGRESS_EVERY == 0)
        v->pr->fn(v->pr->ctx, v->rep->entries < v->total ? v->rep->entries : v->total, v->total);
    if (klen != CZ_ID_BYTES) { problem(v, CZ_PROBLEM_DECODE, key, CZ_EDB); return 0; }
    cz_entry_id(raw, len, id);
    if (memcmp(id, key, CZ_ID_BYTES) != 0) { problem(v, CZ_PROBLEM_HASH, key, CZ_EHASH); return 0; }
    if ((rc = cz_entry_decode(raw, len, &e))) { problem(v, CZ_PROBLEM_DECODE, key, rc); return 0; }
    if ((rc = cz_entry_verify(&e))) { problem(v, CZ_PROBLEM_SIGNATURE, key, rc); return 0; }
    /* The log must hold this entry at its position (or it is a fork). */
    uint8_t at[CZ_ID_BYTES];
    if (cz_store_log_get(v->t, e.origin, e.seq, at) != CZ_OK) {
        problem(v, CZ_PROBLEM_CHAIN, key, CZ_ECHAIN);
        return 0;
    }
    if (memcmp(at, key, CZ_ID_BYTES) != 0)
        return 0;   /* reported once by the fork walk */
    /* The previous entry, where we hold it, is the one this names. */
    if (e.seq > 1 && cz_store_log_get(v->t, e.origin, e.seq - 1, at) == CZ_OK &&
        memcmp(at, e.prev, CZ_ID_BYTES) != 0) {
        problem(v, CZ_PROBLEM_CHAIN, key, CZ_ECHAIN);
        return 0;
    }
    int state, why;
    rc = cz_store_judged_get(v->t, key, &state, &why);
    if (rc == CZ_OK) {
        if (state == CZ_JUDGED_HELD && !cz_schema_type(e.type)) v->rep->later++;
        problem(v, state == CZ_JUDGED_HELD ? CZ_PROBLEM_HELD : CZ_PROBLEM_REFUSED, key, why);
        return 0;
    }
    if (rc != CZ_ENOTFOUND) return rc;
    struct cz_trust_info info;
    struct cz_judgement j;
    /* The roster is built once per transaction (roster.c): a look-up is
     * a binary search. */
    if ((rc = cz_roster_lookup(v->t, v->root, e.origin, &info))) return rc;
    if ((rc = cz_authz_judge(v->t, v->root, &e, &info, 1, &j))) return rc;
    if (j.verdict == CZ_VERDICT_REFUSED) { problem(v, CZ_PROBLEM_AUTHORITY, key, j.why); return 0; }
    if (j.verdict == CZ_VERDICT_HOLD) { problem(v, CZ_PROBLEM_HELD, key, j.why); return 0; }
    if ((rc = cz_counts_entry(v->t, &info, &e, &why))) return rc;
    /* A root-signed trust record counts only as the roster read it
     * (countersigned by an office person at that point). */
    if (why == CZ_OK && info.state == CZ_TRUST_ROOT &&
        (rc = cz_roster_entry_counts(v->t, v->root, &e, &info, &why)))
        return rc;
    if (why == CZ_ENOTFOUND) problem(v, CZ_PROBLEM_PENDING, key, why);
    else if (why == CZ_EQUARANTINE) problem(v, CZ_PROBLEM_QUARANTINE, key, why);
    else if (why) problem(v, CZ_PROBLEM_AUTHORITY, key, why);
    else v->rep->verified++;
    return 0;
}

static int log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct vctx *v = ctx;
    struct cz_entry e;
    v->rep->logs++;
    if (klen != 40 || vlen != CZ_ID_BYTES) { problem(v, CZ_PROBLEM_CHAIN, val, CZ_EDB); return 0; }
    /* Position in the log and the entry it points at must agree. */
    if (cz_store_get_entry(v->t, val, &e) != CZ_OK) return 0;   /* reported by the entry walk */
    uint64_t seq = cz_get_be64(key + 32);
    if (memcmp(e.origin, key, 32) != 0 || e.seq != seq)
        problem(v, CZ_PROBLEM_CHAIN, val, CZ_ECHAIN);
    return 0;
}

static int fork_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct vctx *v = ctx;
    if (klen == 72) problem(v, CZ_PROBLEM_FORK, key + 40, CZ_EFORK);
    return 0;
}

int cz_verify(cz_txn *t, const uint8_t office_root[32], cz_problem_fn fn, void *ctx,
              struct cz_verify_report *report)
{
    return cz_verify_with(t, office_root, fn, ctx, NULL, report);
}

int cz_verify_with(cz_txn *t, const uint8_t office_root[32], cz_problem_fn fn, void *ctx,
                   const struct cz_progress *pr, struct cz_verify_report *report)
{
    struct vctx v = { .t = t, .root = office_root, .fn = fn, .ctx = ctx, .rep = report,
                      .pr = pr && pr->fn ? pr : NULL };
    int rc;
    memset(report, 0, sizeof *report);
    if (v.pr) {
        struct cz_store_stats stats;
        if ((rc = cz_store_stats(t, &stats))) return rc;
        v.total = stats.entries;
        v.pr->fn(v.pr->ctx, 0, v.total);
    }
    if ((rc = cz_store_each_entry(t, entry_cb, &v))) return rc;
    if (v.pr) v.pr->fn(v.pr->ctx, v.total, v.total);
    if ((rc = cz_store_each_log(t, log_cb, &v))) return rc;
    return cz_store_each_fork(t, fork_cb, &v);
}
