/* counts.h — whether an entry already applied counts now: in reports,
 * the exit chain and verify.  Applied is not the same as counted: an
 * author can be revoked later, or fork its log (TRUST.md, Forks).  Kept
 * apart from the rules that admit an entry (authz.h), which the exit
 * chain's judge is part of, so neither needs the other. */
#ifndef CZ_COUNTS_H
#define CZ_COUNTS_H

#include <stdint.h>
#include "entry.h"
#include "roster.h"
#include "store.h"

/* Whether an applied entry counts now (reports, the exit chain, verify):
 * the roster's judgement (cz_roster_entry_judge) and, besides, an author
 * whose log forked is quarantined from the first forked position on
 * (CZ_EQUARANTINE) until the office revokes the key or accepts one branch
 * (cz_counts_fork_quarantined).  *why CZ_OK when it counts, CZ_ENOTFOUND
 * when its author is pending. */
int cz_counts_entry(cz_txn *t, const struct cz_trust_info *author, const struct cz_entry *e, int *why);

/* The fork rule alone, for the entry `id` at (origin, seq) whose author
 * the roster describes: *quarantined 1 when, at the lowest forked seq S at
 * or below seq, the office has chosen no entry (author->choices), or the
 * chosen entry is not the one this station logged at S, or the entry is
 * not on this station's logged chain from it (the logged entry at its
 * position, each logged entry between naming the one before).  Past a
 * chosen fork, the next forked seq is judged the same way.  A revoked
 * author is never quarantined (the revocation bounds them). */
int cz_counts_fork_quarantined(cz_txn *t, const struct cz_trust_info *author, const uint8_t origin[32],
                               uint64_t seq, const uint8_t id[CZ_ID_BYTES], int *quarantined);

#endif
