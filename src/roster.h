/* roster.h — who may sign what: certificates and revocations, which are
 * records signed by the office root key (DESIGN.md, Trust).
 *
 * A key is ROOT (the office root itself), CERTIFIED (a current certificate
 * from the root), PENDING (no certificate yet: its records are kept but do
 * not count), or REVOKED after a log position.  Revocation is bounded by
 * sequence, not time, so it holds whatever a station's clock says. */
#ifndef CZ_ROSTER_H
#define CZ_ROSTER_H

#include <stdint.h>
#include "entry.h"
#include "store.h"

enum cz_trust { CZ_TRUST_PENDING = 0, CZ_TRUST_ROOT, CZ_TRUST_CERTIFIED };

struct cz_trust_info {
    enum cz_trust state;
    char role[16];               /* clerk, supervisor, office */
    char region[CZ_REGION_MAX + 1];
    char name[64];
    char station[64];
    int revoked;                 /* a revocation exists */
    uint64_t revoked_after;      /* entries with seq > this do not count */
};

/* What the roster says of a key. */
int cz_roster_lookup(cz_txn *t, const uint8_t root[32], const uint8_t key[32],
                     struct cz_trust_info *out);

/* Whether an entry counts: its author is root, or certified, not revoked
 * at its seq, and the entry's region lies inside the author's jurisdiction
 * (trust records, type cert/revoke, only from root).  *why gets a status
 * when it does not: CZ_ENOTFOUND for pending, CZ_EREVOKED for an entry after its key's
 * revocation, CZ_EPERM for one outside the key's role or jurisdiction. */
int cz_roster_entry_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                           struct cz_trust_info *info, int *why);
/* The same judgement for an author whose roster entry (cz_roster_lookup
 * of e->origin) the caller has already; *why as above, CZ_OK when it
 * counts. */
void cz_roster_entry_judge(const struct cz_trust_info *info, const struct cz_entry *e, int *why);

/* True when region lies inside jurisdiction (a code prefix; "" is all),
 * both normalised first (authz.h: "411024000000" is the county 411024). */
int cz_region_within(const char *region, const char *jurisdiction);

#endif
