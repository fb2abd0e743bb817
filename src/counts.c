/* counts.c — whether an applied entry counts now (counts.h): its
 * author's standing in the roster and the quarantine of a forked log. */
#include "counts.h"
#include "status.h"

#include <string.h>

static const struct cz_fork_choice *choice_at(const struct cz_trust_info *a, uint64_t seq)
{
    for (size_t i = 0; i < a->nchoices && i < CZ_FORK_CHOICES_MAX; i++)
        if (a->choices[i].seq == seq) return &a->choices[i];
    return NULL;
}

/* Whether this station's logged chain runs from chosen (logged at seq
 * from) up to `id` at seq `to`: every logged entry in between names the
 * logged one before it.  *on 1 or 0. */
static int on_logged_chain(cz_txn *t, const uint8_t origin[32], uint64_t from, const uint8_t chosen[32],
                           uint64_t to, const uint8_t id[CZ_ID_BYTES], int *on)
{
    uint8_t at[CZ_ID_BYTES];
    struct cz_entry v;
    int rc;
    *on = 0;
    if ((rc = cz_store_log_get(t, origin, from, at)) == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    if (memcmp(at, chosen, CZ_ID_BYTES)) return CZ_OK;
    if ((rc = cz_store_log_get(t, origin, to, at)) == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    if (memcmp(at, id, CZ_ID_BYTES)) return CZ_OK;
    for (uint64_t s = to; s > from; s--) {
        uint8_t below[CZ_ID_BYTES];
        if ((rc = cz_store_get_entry(t, at, &v))) return rc;
        if ((rc = cz_store_log_get(t, origin, s - 1, below)) == CZ_ENOTFOUND) return CZ_OK;
        if (rc) return rc;
        if (memcmp(v.prev, below, CZ_ID_BYTES)) return CZ_OK;
        memcpy(at, below, CZ_ID_BYTES);
    }
    *on = 1;
    return CZ_OK;
}

int cz_counts_fork_quarantined(cz_txn *t, const struct cz_trust_info *author, const uint8_t origin[32],
                               uint64_t seq, const uint8_t id[CZ_ID_BYTES], int *quarantined)
{
    uint64_t fork_seq;
    *quarantined = 0;
    int rc = cz_store_fork_first(t, origin, &fork_seq);
    /* A revoked key is bounded by its revocation instead. */
    if (rc == CZ_ENOTFOUND || (rc == CZ_OK && author->revoked)) return CZ_OK;
    if (rc) return rc;
    while (seq >= fork_seq) {
        const struct cz_fork_choice *c = choice_at(author, fork_seq);
        int on = 0;
        /* Only the branch this station logged can count again: when it
         * logged the other one first, the choice cannot be followed here
         * and the quarantine stays (the office revokes instead). */
        if (c && (rc = on_logged_chain(t, origin, fork_seq, c->entry, seq, id, &on))) return rc;
        if (!on) { *quarantined = 1; return CZ_OK; }
        rc = cz_store_fork_after(t, origin, fork_seq, &fork_seq);
        if (rc == CZ_ENOTFOUND) return CZ_OK;
        if (rc) return rc;
    }
    return CZ_OK;
}

int cz_counts_entry(cz_txn *t, const struct cz_trust_info *author, const struct cz_entry *e, int *why)
{
    uint8_t id[CZ_ID_BYTES];
    int q;
    cz_roster_entry_judge(author, e, why);
    if (*why || author->state == CZ_TRUST_ROOT) return CZ_OK;
    cz_entry_id(e->raw, e->raw_len, id);
    int rc = cz_counts_fork_quarantined(t, author, e->origin, e->seq, id, &q);
    if (rc) return rc;
    if (q) *why = CZ_EQUARANTINE;
    return CZ_OK;
}
