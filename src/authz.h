/* authz.h — the one rule set that decides whether a signed entry is
 * authorised for what it changes, where and when (src/TRUST.md).  A
 * signature proves who wrote an entry; these rules decide whether it may
 * count.  The same judgement runs when a person writes (station_write.c), when an
 * entry arrives on a stick (import_judge.c) and in `verify`, which replays it over
 * the whole store.  Regions are compared as region.h says; whether an
 * entry already applied counts now (its author's state, a forked log) is
 * counts.h's. */
#ifndef CZ_AUTHZ_H
#define CZ_AUTHZ_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "region.h"
#include "roster.h"
#include "store.h"

/* What the rules make of one entry whose structure and signature hold.
 * Every verdict but OK keeps the entry (nothing signed is ever dropped);
 * only OK and PENDING entries become versions of their record. */
enum cz_verdict {
    CZ_VERDICT_OK = 0,    /* authorised */
    CZ_VERDICT_PENDING,   /* its author has no certificate yet: kept, shown
                             as pending, not counted (TRUST.md) */
    CZ_VERDICT_HOLD,      /* a version or record it names is not here yet,
                             its type is a later build's, or (why
                             CZ_ENOTFOUND) an uncertified author's version of
                             a certified record: kept aside and judged again
                             after every import */
    CZ_VERDICT_REFUSED,   /* breaks a rule: kept as evidence, shown to
                             supervisors with the rule, never current, never
                             counted, never forwarded */
};
struct cz_judgement {
    enum cz_verdict verdict;
    int why;              /* a status naming the rule; CZ_OK for OK */
};

/* Judges entry e against the store in t.  author is what the roster says
 * of e->origin (cz_roster_lookup; callers cache it per author).  With
 * replay (verify), e is itself stored already, so "the record exists"
 * means another version of it.  Returns a status only for a local failure
 * (the database); the verdict is in *j. */
int cz_authz_judge(cz_txn *t, const uint8_t root[32], const struct cz_entry *e,
                   const struct cz_trust_info *author, int replay, struct cz_judgement *j);

#endif
