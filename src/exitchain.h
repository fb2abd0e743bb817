/* exitchain.h — the chain of signed approvals by which a household exits
 * poverty (DOMAIN.md, Exit assessment): village appraisal, township review,
 * county decision, public notice, in that order, each a supervisor's
 * `approval` record naming the exact version of the `exit` assessment.
 *
 * The rules (the same at every gate: when a person signs, cz_approval_check
 * via station_check.c; when the chain is counted, cz_exit_state, which the report,
 * the screens and `show` use; when an entry arrives, cz_approval_judge):
 *
 *  - Level.  An approval counts only when its signer is certified (not
 *    pending, not revoked at its seq) with the supervisor role and a
 *    jurisdiction, normalised (authz.h), of EXACTLY the step's level that
 *    covers the household: village 12 digits, township 9, county 6, the
 *    notice 6.  The office role and the root sign no step: in the
 *    programme the village, township and county sign, the city office sets
 *    the poverty line and enrols people.  A rejection (decision "reject")
 *    may come from a supervisor at the step's level or above it (a county
 *    may stop a township's step, never the reverse): it only ever stops a
 *    chain.
 *  - Different people.  No key approves two steps of one version: the
 *    later step of the pair does not count.
 *  - Dates.  A step's date (the `date` field, or the day of its clock when
 *    absent) lies within a day of the approval's own hybrid clock and is
 *    not before the date of the step before it.  Days are China Standard
 *    Time (UTC+8) whatever the PC's zone.
 *  - Notice.  The notice closes CZ_NOTICE_DAYS after the county decision
 *    measured between the two approvals' clocks (hlc), never on a typed
 *    date.  An approval whose clock is more than CZ_AHEAD_MAX_MS ahead of
 *    this PC is flagged (ahead[]) and does not count until this PC's clock
 *    has passed it.
 *  - Criteria.  The version approved meets the exit criteria: each of the
 *    five guarantees (food, clothing, schooling, medical, housing) "yes"
 *    and income per person at or above the poverty line the office set
 *    for the assessment's year (a `poverty_line` record signed by an office
 *    person or the root).  Later criteria: safe drinking water, the
 *    household's agreement and the work team's check ("yes" each) for an
 *    assessment that answers any of the three or is of a year from
 *    CZ_LATER_CRITERIA_YEAR on (cz_exit_later_criteria); one of an
 *    earlier year that answers none of them (all signed before these
 *    fields existed) is judged on the five as before.  An assessment that
 *    fails them can be saved but
 *    not approved, and a chain on it is never complete; with no line for
 *    its year nothing is approved (CZ_ENOLINE).
 *
 * An edit to the assessment makes a new version, so earlier approvals no
 * longer apply to it. */
#ifndef CZ_EXITCHAIN_H
#define CZ_EXITCHAIN_H

#include <stdint.h>
#include "entry.h"
#include "schema.h"
#include "store.h"

#define CZ_NOTICE_DAYS 7
#define CZ_DAY_MS (24ull * 3600 * 1000)
/* How far ahead of this PC an approval's clock may be and still count. */
#define CZ_AHEAD_MAX_MS CZ_DAY_MS

enum cz_step { CZ_STEP_VILLAGE, CZ_STEP_TOWNSHIP, CZ_STEP_COUNTY, CZ_STEP_NOTICE, CZ_STEP_COUNT };

/* "village" ... "notice" -> step; -1 when unknown. */
int cz_step_parse(const char *key);
const char *cz_step_key(enum cz_step s);
/* The exact jurisdiction level that approves a step: 12, 9, 6, 6. */
size_t cz_step_level(enum cz_step s);

struct cz_exit_state {
    uint8_t version[CZ_ID_BYTES];     /* the current assessment version */
    int approved[CZ_STEP_COUNT];      /* a counting approval on that version */
    int rejected[CZ_STEP_COUNT];      /* a counting rejection on that version */
    int ahead[CZ_STEP_COUNT];         /* an approval signed with a clock more than
                                       * a day ahead of this PC: not counted yet */
    uint32_t approved_on[CZ_STEP_COUNT];   /* YYYYMMDD of the counting approval */
    uint64_t hlc[CZ_STEP_COUNT];           /* its clock */
    uint8_t signer[CZ_STEP_COUNT][32];     /* its signer */
    uint8_t approval[CZ_STEP_COUNT][CZ_ENTITY_BYTES];   /* its record */
    uint64_t notice_close_ms;         /* county approved: the earliest clock (ms)
                                       * at which the notice may close */
    int criteria;                     /* CZ_OK, or why the version may not be
                                       * approved (cz_exit_criteria) */
    int complete;                     /* all four approved, none rejected, criteria met */
};

/* The chain on the current version of an exit assessment, judged with
 * this PC's clock now. */
int cz_exit_state(cz_txn *t, const uint8_t office_root[32], const uint8_t exit_entity[CZ_ENTITY_BYTES],
                  struct cz_exit_state *st);

/* Whether a key may sign `step` with `decision` ("approve" or "reject") for
 * a record in `region` at its log position seq: CZ_OK, or CZ_EPERM with
 * *why (0 role, 1 jurisdiction or level, 2 pending or revoked). */
int cz_step_signer_ok(cz_txn *t, const uint8_t office_root[32], const uint8_t key[32],
                      uint64_t seq, enum cz_step step, int approve, const char *region, int *why);

/* ---- the exit criteria ---- */

/* From this year on every assessment is judged on the later criteria:
 * the year the official checks named safe water with the guarantees
 * and asked for the household's agreement and the work team's check. */
#define CZ_LATER_CRITERIA_YEAR 2020

/* Whether an exit assessment body is judged on the later criteria. */
int cz_exit_later_criteria(const cz_body *exit_body);

/* What failed, for a message naming it. */
struct cz_exit_detail {
    const struct cz_field *field;     /* CZ_EGUARANTEE: the guarantee that is not "yes" */
    int64_t income, line;             /* CZ_EINCOME: fen */
    uint32_t year;                    /* CZ_EINCOME, CZ_ENOLINE: the assessment's year */
    uint32_t prev_date;               /* CZ_EDATEORDER: the previous step's date */
    uint64_t notice_close_ms;         /* CZ_ENOTICE: when the notice may close */
};

/* The poverty line (fen per person per year) the office set for a year:
 * the newest `poverty_line` record of that year signed by an office
 * person or the root.  CZ_ENOTFOUND when there is none. */
int cz_poverty_line(cz_txn *t, const uint8_t office_root[32], uint32_t year, int64_t *fen);

/* Whether an exit assessment body meets the criteria: CZ_OK, CZ_EGUARANTEE
 * (d->field: the first guarantee, or later criterion when they apply,
 * not "yes"; absent counts as not),
 * CZ_EINCOME (below the line, or no income given), CZ_ENOLINE (no line
 * for its year).  d may be NULL. */
int cz_exit_criteria(cz_txn *t, const uint8_t office_root[32], const cz_body *exit_body,
                     struct cz_exit_detail *d);

/* The refusal rc (any status; the exit rules' ones with what d says) as a
 * sentence in lang. */
void cz_exit_message(int rc, const struct cz_exit_detail *d, enum cz_lang lang, char *buf, size_t size);

/* ---- the gates ---- */

/* One approval as it would be signed. */
struct cz_approval_claim {
    const uint8_t *version;           /* the exit version it names */
    enum cz_step step;
    int approve;                      /* 1 approve, 0 reject */
    const uint8_t *signer;            /* public key */
    uint64_t seq;                     /* its position in the signer's log */
    uint64_t hlc;                     /* the clock it will carry */
    uint32_t date;                    /* YYYYMMDD; 0: the day of hlc */
};

/* The rules for a NEW approval (station_check.c signs only after this): the
 * version is the current one of a live assessment (CZ_ESTALE, CZ_ETYPE,
 * CZ_EDELETED), the signer may sign that step (CZ_EROLE), the step is not
 * approved yet (CZ_EDONE); for an approval also the steps before it
 * approved and not rejected (CZ_EORDER), no other step by this signer
 * (CZ_ESAMESIGNER), the date within a day of hlc (CZ_EDATECLOCK) and not
 * before the previous step's (CZ_EDATEORDER), the criteria
 * (cz_exit_criteria) and for the notice CZ_NOTICE_DAYS since the county's
 * clock (CZ_ENOTICE).  d (may be NULL) gets what failed. */
int cz_approval_check(cz_txn *t, const uint8_t office_root[32], const struct cz_approval_claim *c,
                      struct cz_exit_detail *d);

/* The import-time judge (authz.c, import_judge.c, verify.c): for one `approval`
 * entry e whose signature has been checked, CZ_OK with *why:
 *   CZ_OK           acceptable;
 *   CZ_ENOTFOUND    cannot be judged yet: the exit version it names is not
 *                   in this store, or its signer has no certificate here
 *                   yet, or no poverty line for the assessment's year is
 *                   here yet; the caller holds it pending and judges it
 *                   again later;
 *   CZ_EFIELD       its body lacks the record, step or decision;
 *   CZ_ETYPE        the record it names is not an exit assessment (or e
 *                   is not an `approval` at all);
 *   CZ_EROLE        its signer's role or jurisdiction level is wrong for
 *                   the step (or the household lies outside it);
 *   CZ_EREVOKED     signed after its key's revocation;
 *   and for approvals (decision "approve") only:
 *   CZ_EDATECLOCK   its date is more than a day from its own clock;
 *   CZ_ESAMESIGNER  its signer approved another step of that version;
 *   CZ_EDATEORDER   its date is before the counting previous step's here;
 *   CZ_ENOTICE      a notice whose clock is less than CZ_NOTICE_DAYS after
 *                   the counting county decision here;
 *   CZ_EGUARANTEE, CZ_EINCOME  the version fails the criteria.
 * Rules that need another step are judged against what this store holds:
 * the counting gate (cz_exit_state) judges the whole chain again whenever
 * it is read, so an approval accepted here early still never counts when
 * it breaks a rule.  A clock ahead of this PC is not a refusal (the entry
 * is kept; it counts once this PC's time passes it).  A tombstone is
 * acceptable (deleting an approval can only stop a chain).  The returned
 * status is another only when the store cannot be read. */
int cz_approval_judge(cz_txn *t, const uint8_t office_root[32], const struct cz_entry *e, int *why);

/* Days between two YYYYMMDD dates (b - a). */
long cz_days_between(uint32_t a, uint32_t b);
/* The China Standard Time day (YYYYMMDD) of an hlc (parse.h, cz_date_of_ms). */
uint32_t cz_date_of_hlc(uint64_t hlc);

#endif
