/* roster.h — who may sign what: certificates and revocations, which are
 * records signed by the office root key (src/TRUST.md).
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
 *  - A `fork_choice` (root-signed, countersigned the same way) names an
 *    author, a forked seq and the entry chosen there; read in the same
 *    order, a later choice for the same position replaces the earlier.
 *    authz.h says what it does.
 *  - valid_until (a cert's last day, China Standard Time, UTC+8): an entry
 *    whose clock date is after it does not count (CZ_EEXPIRED), and
 *    station_check.c refuses to sign one.
 *
 * The roster is built once per transaction from the root log and kept with
 * it (cz_txn_set_aux) until an entry is put.
 *
 * Root rollover: the root key can be replaced.  A `rollover` record,
 * signed by the root it retires, names the new root (`new_root`), carries
 * the new root's own signature over the statement (`new_sig`, Ed25519 over
 * cz_roster_rollover_msg: nobody rolls over to a key they do not hold) and
 * is countersigned like cert and revoke.  The roster walks a chain of
 * root logs: the first root's (the anchor: meta CZ_META_ROOT_ANCHOR, or
 * the pinned root when there is none) up to and including its first
 * rollover that counts, then the new root's log from its start, and so on
 * (at most CZ_ROOT_CHAIN_MAX roots).  Everything a replaced root signed
 * before its rollover keeps counting; what it signed after does not
 * (cz_roster_entry_judge: CZ_ERETIRED), so a leaked old root key certifies
 * nobody.  A rollover counts only from the chain's last root, naming a key
 * the chain has never had; "at that point" for its countersignature is,
 * as ever, everything before it in the walk.
 *
 * A station set up from an identity published after a rollover has the
 * chain pinned (CZ_META_ROOT_PINS): each replaced root ends where the
 * identity says.
 *
 * A limit, stated: "at that point" is the root log's order.  The seqs a
 * restored office skips (CZ_META_ROOT_FLOOR) are unused positions below
 * later ones, so someone who kept the root key AND was an office person
 * could sign into that gap, "before" their own revocation.  A clerk cannot
 * (no root key); the cure is revoking them and rolling the root over, after
 * which the old root's log counts only up to the rollover.  A rollover's
 * own position can be taken first by whoever holds the old root and an
 * office person's key (a fork at that seq: the station keeps the first and
 * never rolls over); that needs both keys, and the office sees the fork. */
#ifndef CZ_ROSTER_H
#define CZ_ROSTER_H

#include <stdint.h>
#include "entry.h"
#include "store.h"

enum cz_trust { CZ_TRUST_PENDING = 0, CZ_TRUST_ROOT, CZ_TRUST_CERTIFIED };

/* Meta "root_anchor" (32 bytes): the first root of the chain, set when a
 * station pins a root other than the one it started from. */
#define CZ_META_ROOT_ANCHOR "root_anchor"
#define CZ_ROOT_CHAIN_MAX 16
/* Meta "root_pins": the chain as the office's identity named it when the
 * station was set up (`rolled` lines): (key[32], last seq u64 big-endian)
 * for each replaced root, then (the root pinned, UINT64_MAX).  Where it
 * says a root ends, the walk ends it there and goes on with the next root
 * even before the rollover itself has arrived, and only the rollover at
 * that seq to that root counts. */
#define CZ_META_ROOT_PINS "root_pins"

/* One root of the chain: its key and the last seq of its log that counts
 * (its rollover's; UINT64_MAX for the current root). */
struct cz_root_link { uint8_t key[32]; uint64_t upto; };

/* The office's choice at a forked position of one author's log: the entry
 * id whose branch counts again (authz.h).  Only the first few forked
 * positions can be chosen; a fork beyond them stays quarantined (the
 * office revokes such a key instead). */
#define CZ_FORK_CHOICES_MAX 4
struct cz_fork_choice { uint64_t seq; uint8_t entry[32]; };

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
    size_t nchoices;             /* counting fork choices, one per seq */
    struct cz_fork_choice choices[CZ_FORK_CHOICES_MAX];
};

/* What the roster says of a key.  `root` is the station's pinned root
 * (cz_station_info.office_root); every root of the chain is
 * CZ_TRUST_ROOT, a replaced one with revoked set and revoked_after its
 * rollover's seq. */
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
/* (A root's entry after its rollover: CZ_ERETIRED.) */
/* The same judgement for an author whose roster entry (cz_roster_lookup
 * of e->origin) the caller has already; *why as above, CZ_OK when it
 * counts. */
void cz_roster_entry_judge(const struct cz_trust_info *info, const struct cz_entry *e, int *why);

/* Whether a root-signed trust entry (cert, revoke or rollover, stored at
 * its log position) counts by the rules above: *counts 1 or 0. */
int cz_roster_trust_counts(cz_txn *t, const uint8_t root[32], const struct cz_entry *e, int *counts);

/* The chain of roots (first root first) as the roster walked it. */
int cz_roster_chain(cz_txn *t, const uint8_t root[32], struct cz_root_link *out, size_t max, size_t *n);
/* The current root: the chain's last, or the pinned root when its rollover
 * has not arrived here yet. */
int cz_roster_current(cz_txn *t, const uint8_t root[32], uint8_t out[32]);
/* The first root of the chain that ends at `root`, found backwards from
 * the stored rollovers (each must carry its new root's proof): for a
 * station restored from a backup, which keeps its pinned root only.  The
 * forward walk from it (roster_get) still checks every countersignature. */
int cz_roster_find_anchor(cz_txn *t, const uint8_t root[32], uint8_t anchor[32]);
/* Whether a rollover entry (not stored yet) would count as things stand:
 * CZ_OK, or CZ_EROLLOVER (not from the current root, not countersigned by
 * an office person, no proof by the new key, a key the chain has had). */
int cz_roster_rollover_check(cz_txn *t, const uint8_t root[32], const struct cz_entry *e);
/* The bytes the new root signs in a rollover (new_sig): the domain
 * "cunzhan rollover 1\0", the old root, "rollover\0" and the canonical
 * body without new_sig, by and by_sig.  *msg malloc'd. */
struct cz_body;
int cz_roster_rollover_msg(const uint8_t old_root[32], const struct cz_body *body, uint8_t **msg, size_t *len);

/* The bytes an office person countersigns for a trust record: the domain
 * "cunzhan countersign 1\0", the root key, the type, a NUL and the
 * canonical body without its by_sig field.  *msg malloc'd. */
struct cz_body;
int cz_roster_countersign_msg(const uint8_t root[32], const char *type, const struct cz_body *body,
                              uint8_t **msg, size_t *len);

/* The day (YYYYMMDD) of an hlc in China Standard Time (UTC+8), where
 * certificates' dates are. */
uint32_t cz_roster_hlc_date(uint64_t hlc);

#endif
