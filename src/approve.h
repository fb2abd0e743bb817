/* approve.h — signing one step of an exit assessment's approval chain, as
 * `cunzhan approve` does and the screens' approvals list does: the same
 * record, the same checks (role, jurisdiction, order, notice, version), the
 * same refusals. */
#ifndef CZ_APPROVE_H
#define CZ_APPROVE_H

#include <stdint.h>
#include "exitchain.h"
#include "station.h"

/* The latest live exit assessment linked to a household: CZ_OK, or
 * CZ_ENOTFOUND when it has none. */
int cz_exit_latest(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], uint8_t exit_entity[CZ_ENTITY_BYTES]);

/* Signs an `approval` record naming the current version of exit_entity
 * (version_hex gets it, may be NULL).  decision "approve" or "reject";
 * notes and date (YYYY-MM-DD) may be NULL.  `seen` is the version the
 * person was shown (a screen loaded it earlier): when the assessment has
 * changed since, CZ_ESTALE and nothing is signed, so nobody signs a version
 * they have not read; NULL signs whatever is current (the CLI names the
 * record and signs it as it stands).  Needs a login.  Refusals:
 * CZ_EROLE, CZ_EORDER, CZ_ENOTICE, CZ_ESTALE, CZ_EDONE, CZ_EPERM (outside
 * the signer's jurisdiction or role), CZ_ETYPE (not an exit assessment);
 * field errors in *err.  Nothing is stored unless it holds. */
int cz_approve_sign(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], const char *step,
                    const char *decision, const char *notes, const char *date,
                    const uint8_t seen[CZ_ID_BYTES], uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES], char version_hex[65],
                    struct cz_field_error *err);

/* The same rules as cz_approve_sign, judged now for the person logged in
 * without signing anything, so a screen or the CLI can refuse before the
 * confirm and say why: the status cz_approve_sign would return for its
 * rules (CZ_EROLE, CZ_EORDER, CZ_ENOTICE, CZ_ESTALE, CZ_EDONE,
 * CZ_ESAMESIGNER, CZ_EDATECLOCK, CZ_EDATEORDER, CZ_EGUARANTEE, CZ_EINCOME,
 * CZ_ENOLINE, CZ_ETYPE, CZ_EDELETED; CZ_EDATE for a date that does not
 * parse), with *d saying what failed (cz_exit_message writes it out).
 * decision and date may be NULL (approve, today). */
int cz_approve_check(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], const char *step,
                     const char *decision, const char *date, const uint8_t seen[CZ_ID_BYTES],
                     struct cz_exit_detail *d);

/* When the notice of the current version of exit_entity may close (ms of
 * the clock; China time for display): CZ_OK, or CZ_ENOTFOUND while the
 * county decision does not count yet. */
int cz_approve_notice_close(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], uint64_t *close_ms);

#endif
