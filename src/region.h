/* region.h — administrative codes (GB/T 2260) compared normalised:
 * trailing zero groups name a wider level, so "411024000000" is the
 * county 411024 and "411024100000" the township 411024100.  Every rule
 * that asks "is this inside that jurisdiction" (TRUST.md) asks here. */
#ifndef CZ_REGION_H
#define CZ_REGION_H

#include <stddef.h>
#include "entry.h"
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

/* True when code is digits at a whole level: 0, 2, 4, 6, 9 or 12 of them
 * (trailing zero groups allowed: 411000).  "411" would take in several
 * cities as a prefix, so no jurisdiction or filter is written that way. */
int cz_region_code_ok(const char *code);

/* Places are real: the codes a person types are checked against the
 * `place` records (DOMAIN.md, "Places and regions").  Both look only at
 * the index of live records, inside t. */

/* CZ_OK when a live place record's code names the same place as code
 * (both normalised: "4110" and "411000" are one city), CZ_ENOTFOUND when
 * none does, or a store error.  stored_only: look only at index terms
 * already put (a load that defers its own, cz_store_index_count_stored). */
int cz_region_place_known(cz_txn *t, const char *code, int stored_only);

/* A region filter as typed (`report --region`): digits at a whole level
 * (2, 4, 6, 9 or 12, trailing zero groups allowed) naming a place record
 * or a place that contains one.  Writes the normalised code into out
 * ("" for everywhere: an empty or all-zero code; also "" on
 * CZ_EPLACECODE, the normalised code on CZ_ENOPLACE).  CZ_EPLACECODE when not
 * such digits, CZ_ENOPLACE when no place record lies inside it, or a
 * store error. */
int cz_region_filter(cz_txn *t, const char *code, char out[CZ_REGION_MAX + 1]);

#endif
