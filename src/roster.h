/* roster.h — who may sign what: certificates and revocations, which are
 * records signed by the office root key (DESIGN.md, Trust).
 *
 * A key is ROOT (the office root itself), CERTIFIED (a current certificate
 * from the root), PENDING (no certificate yet: its records are kept but do
 * not count), or REVOKED after a log position.  Revocation is bounded by
 * sequence, not time, so it holds whatever a station's clock says.
 *
 * Which trust records count (the roster is rebuilt from them):
 *
 *  - EVERY version the root ever signed of a `cert` or `revoke` record is
 *    read, in root-log order (seq), not only the current heads: a later
 *    version (an edit, a tombstone, another key) cannot hide an earlier
 *    one, and a later cert does not undo a revocation.  Revocation is
 *    permanent; a cert is withdrawn only by revoking its key.  The newest
 *    counting cert of a key says its role, region and validity.
 *  - A record counts only when it is also countersigned: `by` names the
 *    office person who made it and `by_sig` is their Ed25519 signature over
 *    cz_roster_countersign_msg (a domain string, the root key, the type and
 *    the body without by_sig).  At that point of the root log (every record
 *    before it, by seq) `by` must hold a counting `person` cert with role
 *    `office`, no counting revocation, and a valid_until (if any) not
 *    before the record's clock date.  A record countersigned by a clerk, a
 *    supervisor, a revoked or an expired person, or by nobody, is ignored
 *    even though the root signed it.
 *  - The bootstrap: the office's founder (init --office) is certified by the
 *    root log's entry at seq 1, a `person` cert with role `office`
 *    countersigned by its own subject.  Only that one position may be
 *    self-countersigned; it is written with the root itself in the same
 *    init, so no one holding a clerk's slot (which has no root key) can make
 *    one, and anyone else with the root key would fork the root log.
 *  - valid_until (a cert's last day, China Standard Time, UTC+8): an entry
 *    whose clock date is after it does not count (CZ_EEXPIRED), and
 *    station.c refuses to sign one.
 *
 * The roster is built once per transaction from the root log and kept with
 * it (cz_txn_set_aux) until an entry is put.
 *
 * A limit, stated: "at that point" is the root log's order.  The seqs a
 * restored office skips (CZ_META_ROOT_FLOOR) are unused positions below
 * later ones, so someone who kept the root key AND was an office person
 * could sign into that gap, "before" their own revocation.  A clerk cannot
 * (no root key), and the cure for a leaked root key is replacing it (root
 * rollover), which this build does not have. */
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
    char kind[16];               /* person, station ("" when pending) */
    uint32_t valid_until;        /* YYYYMMDD, China Standard Time; 0: none */
};

/* What the roster says of a key. */
int cz_roster_lookup(cz_txn *t, const uint8_t root[32], const uint8_t key[32],
                     struct cz_trust_info *out);

/* Whether an entry counts: its author is root, or certified, not revoked
 * at its seq, and the entry's region lies inside the author's jurisdiction
 * (trust records, type cert/revoke, only from root, and only countersigned
 * as above).  *why gets a status when it does not: CZ_ENOTFOUND for
 * pending, CZ_EREVOKED for an entry after its key's revocation, CZ_EEXPIRED
 * for one dated after the certificate's valid_until, CZ_EPERM for one
 * outside the key's role or jurisdiction or an uncountersigned trust record. */
int cz_roster_entry_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                           struct cz_trust_info *info, int *why);
/* The same judgement for an author whose roster entry (cz_roster_lookup
 * of e->origin) the caller has already; *why as above, CZ_OK when it
 * counts. */
void cz_roster_entry_judge(const struct cz_trust_info *info, const struct cz_entry *e, int *why);

/* Whether a root-signed trust entry (cert or revoke, stored at its log
 * position) counts by the rules above: *counts 1 or 0. */
int cz_roster_trust_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e, int *counts);

/* The bytes an office person countersigns for a trust record: the domain
 * "cunzhan countersign 1\0", the root key, the type, a NUL and the
 * canonical body without its by_sig field.  *msg malloc'd. */
struct cz_body;
int cz_roster_countersign_msg(const uint8_t root[32], const char *type, const struct cz_body *body,
                              uint8_t **msg, size_t *len);

/* The day (YYYYMMDD) of an hlc in China Standard Time (UTC+8), where
 * certificates' dates are. */
uint32_t cz_roster_hlc_date(uint64_t hlc);

/* True when region lies inside jurisdiction (a code prefix; "" is all),
 * both normalised first (authz.h: "411024000000" is the county 411024). */
int cz_region_within(const char *region, const char *jurisdiction);

#endif
