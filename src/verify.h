/* verify.h — re-check everything stored: every entry's id (its hash), its
 * strict decoding and signature, every log chain, forks, and the whole
 * rule set (authz.h) replayed over every applied entry, so data that an
 * older build let in is named by the rule it breaks.  Reading only. */
#ifndef CZ_VERIFY_H
#define CZ_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

enum cz_problem {
    CZ_PROBLEM_HASH,       /* stored bytes no longer hash to their id */
    CZ_PROBLEM_DECODE,     /* stored bytes do not decode strictly */
    CZ_PROBLEM_SIGNATURE,  /* signature does not verify */
    CZ_PROBLEM_CHAIN,      /* prev hash or log position wrong */
    CZ_PROBLEM_FORK,       /* two entries at one log position */
    CZ_PROBLEM_AUTHORITY,  /* author not allowed this role or region */
    CZ_PROBLEM_PENDING,    /* author not yet certified: a note, not a failure */
    CZ_PROBLEM_REFUSED,    /* kept as evidence when it came in: the rule it
                              broke (a note: it never counted) */
    CZ_PROBLEM_HELD,       /* kept aside until what it names arrives (a note) */
    CZ_PROBLEM_QUARANTINE, /* after its author's fork: kept, not counted (a
                              note: the fork itself is the problem) */
};

/* problems: what breaks the rules and is applied, or is damaged; the
 * notes (pending, refused, held, quarantined) are counted apart. */
struct cz_verify_report {
    size_t entries, logs, verified, pending, problems, refused, held, quarantined;
    size_t later;   /* of held: a record type this build does not know (waits for an upgrade) */
};

/* Called for each finding; `id` is the entry id (32 bytes), `status` the
 * status code that explains it. */
typedef void (*cz_problem_fn)(void *ctx, enum cz_problem kind, const uint8_t *id, int status);

int cz_verify(cz_txn *t, const uint8_t office_root[32], cz_problem_fn fn, void *ctx,
              struct cz_verify_report *report);
/* The same, telling pr (sync.h; NULL: no one) now and then how many
 * entries have been checked of the store's count (the signature checks are
 * most of the time a verify takes), done == total once they all are. */
struct cz_progress;
int cz_verify_with(cz_txn *t, const uint8_t office_root[32], cz_problem_fn fn, void *ctx,
                   const struct cz_progress *pr, struct cz_verify_report *report);

#endif
