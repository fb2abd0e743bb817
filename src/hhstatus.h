/* hhstatus.h — what a household's poverty status is (DOMAIN.md, Status):
 * the one answer the report, `list`, `show` and the screens give, worked
 * out from signed events and never read from the typed `status` and
 * `exited_on` fields (flagged CZ_FF_RECKONED: what older builds stored
 * there is history only).
 *
 * The events of a household are
 *  - each exit assessment whose approval chain is complete (exitchain.h,
 *    cz_exit_state, judged now), dated by its last step (the public
 *    notice's date);
 *  - each live `return` record (返贫认定) naming it whose current version
 *    counts now (counts.h: a pending, revoked or forked author's does
 *    not), dated by its `date`;
 *  - each live `exit_record` (an exit before the station existed, from
 *    the paper file, villrec.h) naming it whose current version counts
 *    now and was signed by an office person or the root, dated by its
 *    `date`: an exit like any other, marked `paper`.
 * The latest event decides, by date, then by clock (a return signed after
 * the notice on the same day is later), then by entity id (any fixed
 * order): an exit makes the household exited; a return makes it returned
 * when some exit came before it, else it changes nothing (a household
 * that never exited cannot return).  No event: poor.
 *
 * Everything is read in the caller's transaction; nothing is kept. */
#ifndef CZ_HHSTATUS_H
#define CZ_HHSTATUS_H

#include <stdint.h>
#include "codec.h"
#include "entry.h"
#include "store.h"

enum cz_hh_status { CZ_HH_POOR, CZ_HH_EXITED, CZ_HH_RETURNED };

struct cz_household_status {
    enum cz_hh_status status;
    uint32_t exited_on;       /* YYYYMMDD: the last step of the latest complete
                               * exit (also when returned since); 0: never exited */
    uint32_t exit_year;       /* exited_on's year; 0: never exited */
    uint32_t returned_on;     /* CZ_HH_RETURNED: the return record's date */
    /* The exit assessment (exited) or return record (returned) that
     * decided it; all zero when poor. */
    uint8_t decided_by[CZ_ENTITY_BYTES];
    /* The latest exit is a paper exit record: shown "exited_paper"
     * (已脱贫（纸质档案）) wherever the status shows; counted as exited. */
    int paper;
    /* The household's current version is by an author who has no
     * certificate here yet (TRUST.md, pending): shown marked, left out
     * of the report.  Filled by cz_household_pending (overview.h's view
     * functions fill both); cz_household_status leaves it 0. */
    int pending;
};

/* The status key the schema's `status` field uses: "poor", "exited",
 * "returned". */
const char *cz_hh_status_key(enum cz_hh_status s);

/* The status of the household entity `household` (any record id: one that
 * is not a live household is poor).  CZ_OK, or the store's statuses. */
int cz_household_status(cz_txn *t, const uint8_t office_root[32], const uint8_t household[CZ_ENTITY_BYTES],
                        struct cz_household_status *out);

/* Whether the current version of `household` is by a pending author
 * (counts.h: its author has no certificate here yet); 0 for a record that
 * is not a live household.  Apart from the status because the report,
 * which has judged every author already, need not pay for it again. */
int cz_household_pending(cz_txn *t, const uint8_t office_root[32], const uint8_t household[CZ_ENTITY_BYTES],
                         int *pending);

/* Writes s into a household body for showing it: `status` set to its key,
 * `exited_on` to exited_on (removed when 0), so that whatever formats the
 * body shows the worked-out values, never the typed ones.  For a body the
 * caller shows, never for one it signs.  An exited household whose exit
 * is a paper record gets "exited_paper".  CZ_OK or CZ_ENOMEM. */
int cz_household_status_apply(const struct cz_household_status *s, cz_body *household_body);

#endif
