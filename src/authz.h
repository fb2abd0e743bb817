/* authz.h — the one rule set that decides whether a signed entry is
 * authorised for what it changes, where and when (src/TRUST.md).  A
 * signature proves who wrote an entry; these rules decide whether it may
 * count.  The same judgement runs when a person writes (station_write.c), when an
 * entry arrives on a stick (import_judge.c) and in `verify`, which replays it over
 * the whole store.
 *
 * Administrative codes (GB/T 2260) are compared normalised: trailing zero
 * groups name a wider level, so "411024000000" is the county 411024 and
 * "411024100000" the township 411024100. */
#ifndef CZ_AUTHZ_H
#define CZ_AUTHZ_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "roster.h"
#include "store.h"

/* The level of a normalised code: 2 province, 4 city, 6 county, 9 township,
 * 12 village; 0 for "" (everywhere). */
enum cz_level { CZ_LEVEL_ALL = 0, CZ_LEVEL_PROVINCE = 2, CZ_LEVEL_CITY = 4, CZ_LEVEL_COUNTY = 6,
                CZ_LEVEL_TOWNSHIP = 9, CZ_LEVEL_VILLAGE = 12 };

/* Writes code without its trailing zero groups into out (CZ_REGION_MAX + 1
 * bytes): "411024000000" -> "411024", "410000" -> "41".  A code that is not
 * 0, 2, 4, 6, 9 or 12 digits is copied as it is. */
void cz_region_normalize(const char *code, char out[CZ_REGION_MAX + 1]);
/* The level of code once normalised (its length). */
size_t cz_region_level(const char *code);
/* True when region lies inside jurisdiction, both normalised first ("" is
 * everywhere). */
int cz_region_under(const char *region, const char *jurisdiction);

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

/* Whether an applied entry counts now (reports, the exit chain, verify):
 * the roster's judgement (cz_roster_entry_judge) and, besides, an author
 * whose log forked is quarantined from the first forked position on
 * (CZ_EQUARANTINE) until the office revokes the key or accepts one branch
 * (cz_authz_fork_quarantined).  *why CZ_OK when it counts, CZ_ENOTFOUND
 * when its author is pending. */
int cz_authz_counts(cz_txn *t, const struct cz_trust_info *author, const struct cz_entry *e, int *why);

/* The fork rule alone, for the entry `id` at (origin, seq) whose author
 * the roster describes: *quarantined 1 when, at the lowest forked seq S at
 * or below seq, the office has chosen no entry (author->choices), or the
 * chosen entry is not the one this station logged at S, or the entry is
 * not on this station's logged chain from it (the logged entry at its
 * position, each logged entry between naming the one before).  Past a
 * chosen fork, the next forked seq is judged the same way.  A revoked
 * author is never quarantined (the revocation bounds them). */
int cz_authz_fork_quarantined(cz_txn *t, const struct cz_trust_info *author, const uint8_t origin[32],
                              uint64_t seq, const uint8_t id[CZ_ID_BYTES], int *quarantined);

#endif
