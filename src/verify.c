#include "verify.h"
#include "authz.h"
#include "entry.h"
#include "roster.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* The roster's word on the last few authors: the entry walk goes in id
 * order, so authors come mixed, but a store holds few of them. */
#define AUTHORS_CACHED 64
struct author { uint8_t key[32]; struct cz_trust_info info; };

struct vctx {
    cz_txn *t;
    const uint8_t *root;
    cz_problem_fn fn;
    void *ctx;
    struct cz_verify_report *rep;
    struct author authors[AUTHORS_CACHED];
    size_t nauthors, next_slot;
};

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

static int author_info(struct vctx *v, const uint8_t key[32], struct cz_trust_info *out)
{
    for (size_t i = 0; i < v->nauthors; i++)
        if (!memcmp(v->authors[i].key, key, 32)) { *out = v->authors[i].info; return CZ_OK; }
    int rc = cz_roster_lookup(v->t, v->root, key, out);
    if (rc) return rc;
    struct author *a = &v->authors[v->next_slot];
    v->next_slot = (v->next_slot + 1) % AUTHORS_CACHED;
    if (v->nauthors < AUTHORS_CACHED) v->nauthors++;
    memcpy(a->key, key, 32);
    a->info = *out;
    return CZ_OK;
}

static int entry_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *raw, size_t len)
{
    struct vctx *v = ctx;
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    int rc;

    v->rep->entries++;
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
        problem(v, state == CZ_JUDGED_HELD ? CZ_PROBLEM_HELD : CZ_PROBLEM_REFUSED, key, why);
        return 0;
    }
    if (rc != CZ_ENOTFOUND) return rc;
    struct cz_trust_info info;
    struct cz_judgement j;
    if ((rc = author_info(v, e.origin, &info))) return rc;
    if ((rc = cz_authz_judge(v->t, v->root, &e, &info, 1, &j))) return rc;
    if (j.verdict == CZ_VERDICT_REFUSED) { problem(v, CZ_PROBLEM_AUTHORITY, key, j.why); return 0; }
    if (j.verdict == CZ_VERDICT_HOLD) { problem(v, CZ_PROBLEM_HELD, key, j.why); return 0; }
    if ((rc = cz_authz_counts(v->t, &info, &e, &why))) return rc;
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
    uint64_t seq = 0;
    for (int i = 0; i < 8; i++) seq = seq << 8 | key[32 + i];
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

static int verify_all(struct vctx *v)
{
    int rc;
    if ((rc = cz_store_each_entry(v->t, entry_cb, v))) return rc;
    if ((rc = cz_store_each_log(v->t, log_cb, v))) return rc;
    return cz_store_each_fork(v->t, fork_cb, v);
}

int cz_verify(cz_txn *t, const uint8_t office_root[32], cz_problem_fn fn, void *ctx,
              struct cz_verify_report *report)
{
    struct vctx *v = calloc(1, sizeof *v);
    int rc;
    memset(report, 0, sizeof *report);
    if (!v) return CZ_ENOMEM;
    v->t = t;
    v->root = office_root;
    v->fn = fn;
    v->ctx = ctx;
    v->rep = report;
    rc = verify_all(v);
    free(v);
    return rc;
}
