/* villrec.h — the rules of the village-side records (DOMAIN.md, "The poor
 * village", "Exits on paper", "Monitoring after 2020"): what a form may
 * hold beyond its field types, what is worked out, and who may write.
 *
 *  - village_year: year and left_list from 2013 (registration began) to
 *    this year; registered people not more than the rural registered
 *    population, that not more than the population; village_year (the
 *    village code, "/", the year) worked out, exact-indexed, so there is
 *    one record a village and year.
 *  - exit_record: year from 2013 to this year, its date within that year
 *    and not in the future.  Written by office people only
 *    (cz_villrec_office_only): the paper file is the office's.
 *  - monitor: a registered household, or the head and village of a
 *    family that is not registered; found_on in 2020 or later and not in
 *    the future; removed_on not before found_on nor in the future; status
 *    worked out: "removed" with a removed_on date, else "monitored".
 *
 * 贫困发生率 (cz_villrec_incidence_bp): the registered people not yet out of
 * poverty (members of households poor or returned now, hhstatus.h) over
 * the rural registered population of the village's latest village_year. */
#ifndef CZ_VILLREC_H
#define CZ_VILLREC_H

#include <stdint.h>
#include "codec.h"
#include "schema.h"

/* The checks and derivations above for a body about to be signed (called
 * after cz_schema_finish for every type when a record is written;
 * nothing for the others).  CZ_OK, or
 * a field error's status with err filled. */
int cz_villrec_finish(const struct cz_type *t, cz_body *body, uint32_t today, struct cz_field_error *err);

/* Whether only office people (or the root) may write records of this type. */
int cz_villrec_office_only(const char *type_key);

/* people over population in basis points, rounded half up; -1 when the
 * population is not positive. */
int32_t cz_villrec_incidence_bp(int64_t people, int64_t population);

#endif
