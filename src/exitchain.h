/* exitchain.h — the chain of signed approvals by which a household exits
 * poverty (DOMAIN.md, Exit assessment): village appraisal, township review,
 * county decision, public notice, in that order, each a supervisor's
 * `approval` record naming the exact version of the `exit` assessment.
 *
 * An approval counts only when its author is certified (not pending, not
 * revoked) with the supervisor or office role and a jurisdiction covering
 * the household at that step's level.  An edit to the assessment makes a new
 * version, so earlier approvals no longer apply to it.  The notice cannot
 * close until CZ_NOTICE_DAYS after the county decision opened it. */
#ifndef CZ_EXITCHAIN_H
#define CZ_EXITCHAIN_H

#include <stdint.h>
#include "entry.h"
#include "store.h"

#define CZ_NOTICE_DAYS 7

enum cz_step { CZ_STEP_VILLAGE, CZ_STEP_TOWNSHIP, CZ_STEP_COUNTY, CZ_STEP_NOTICE, CZ_STEP_COUNT };

/* "village" ... "notice" -> step; -1 when unknown. */
int cz_step_parse(const char *key);
const char *cz_step_key(enum cz_step s);

struct cz_exit_state {
    uint8_t version[CZ_ID_BYTES];     /* the current assessment version */
    int approved[CZ_STEP_COUNT];      /* a counting approval on that version */
    int rejected[CZ_STEP_COUNT];      /* a counting rejection on that version */
    uint32_t approved_on[CZ_STEP_COUNT];   /* YYYYMMDD from the approval's clock */
    int complete;                     /* all four approved, none rejected */
};

/* The chain on the current version of an exit assessment. */
int cz_exit_state(cz_txn *t, const uint8_t office_root[32], const uint8_t exit_entity[CZ_ENTITY_BYTES],
                  struct cz_exit_state *st);

/* Whether a household has an exit assessment with a complete chain. */
int cz_household_exited(cz_txn *t, const uint8_t office_root[32],
                        const uint8_t household[CZ_ENTITY_BYTES], int *exited, uint32_t *year);

/* Whether a key may sign `step` for a record in `region`: certified,
 * supervisor or office role, jurisdiction covering region at the step's
 * level.  CZ_OK, or CZ_EPERM with *why (0 role, 1 jurisdiction, 2 pending). */
int cz_step_signer_ok(cz_txn *t, const uint8_t office_root[32], const uint8_t key[32],
                      uint64_t seq, enum cz_step step, const char *region, int *why);

/* Days between two YYYYMMDD dates (b - a). */
long cz_days_between(uint32_t a, uint32_t b);

#endif
