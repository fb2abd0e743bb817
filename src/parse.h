/* parse.h — exact parsing of the values people type: integers, money in yuan
 * (stored as integer fen), areas in mu (stored as hundredths), weights,
 * dates.  No floating point anywhere.  Inputs are expected already
 * NFKC-normalised (so full-width digits are ASCII). */
#ifndef CZ_PARSE_H
#define CZ_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Decimal integer, optional leading '-' only when allow_negative.
 * Accepts thousands separators "12,345" only in correct groups.
 * CZ_ENUMBER on bad syntax, CZ_ERANGE outside [min,max]. */
int cz_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* A decimal with at most two fraction digits, as hundredths:
 * "12" -> 1200, "12.5" -> 1250, "0.05" -> 5, "1,234.50" -> 123450.
 * A trailing unit (元, 亩, ¥ prefix) is NOT accepted here.  Negative
 * values refused.  CZ_ENUMBER / CZ_ERANGE (max in hundredths). */
int cz_parse_hundredths(const char *s, int64_t max, int64_t *out);

/* Format hundredths as "12.50"; never more than 2 decimals.  buf >= 32. */
void cz_format_hundredths(int64_t v, char *buf, size_t size);

/* Dates: "2016-03-05", also "2016-3-5", "2016/03/05" and "2016年3月5日".
 * Must be a real calendar day, years 1900..2199.  *out = YYYYMMDD.
 * CZ_EDATE otherwise. */
int cz_parse_date(const char *s, uint32_t *out);

/* "2016-03-05" from YYYYMMDD.  buf >= 11. */
void cz_format_date(uint32_t yyyymmdd, char *buf, size_t size);

/* True for a real calendar day. */
int cz_date_valid(uint32_t yyyymmdd);

/* Today in China Standard Time (UTC+8, the programme's time wherever the
 * PC's zone is set) as YYYYMMDD, from the same clock the entries' clocks
 * come from (cz_now_ms).  CUNZHAN_TODAY=YYYY-MM-DD overrides it, for tests
 * and for stations whose clock is known to be wrong. */
uint32_t cz_today(void);

/* The China Standard Time day (YYYYMMDD) of ms since 1970. */
uint32_t cz_date_of_ms(uint64_t ms);
/* "YYYY-MM-DD HH:MM" in China Standard Time of seconds since 1970. */
void cz_format_cst(int64_t secs, char *buf, size_t size);

#endif
