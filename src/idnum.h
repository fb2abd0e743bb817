/* idnum.h — resident ID numbers (居民身份证号码), GB 11643-1999.
 *
 * 18 characters: 6-digit region code, 8-digit birth date YYYYMMDD, 3-digit
 * sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check
 * character (0-9 or X). */
#ifndef CZ_IDNUM_H
#define CZ_IDNUM_H

#include <stdint.h>

struct cz_idnum_info {
    char     number[19];   /* canonical: 18 chars, check 'X' upper case */
    char     region[7];    /* first six digits */
    uint32_t born;         /* YYYYMMDD */
    char     sex;          /* 'M' or 'F' */
};

/* Why an ID number was refused (CZ_EIDNUM carries the detail here). */
enum cz_idnum_error {
    CZ_IDNUM_OK = 0,
    CZ_IDNUM_LENGTH,     /* not 18 characters */
    CZ_IDNUM_CHARS,      /* not 17 digits + digit or X */
    CZ_IDNUM_DATE,       /* birth date impossible or in the future */
    CZ_IDNUM_CHECK,      /* check character does not match */
};

/* Check the character ('0'-'9' or 'X') for the first 17 digits. */
char cz_idnum_check_char(const char first17[17]);

/* Validate s (already NFKC-normalised; a lower-case 'x' is accepted).
 * `today` is YYYYMMDD (birth dates after it are refused; 0 skips that test).
 * Returns CZ_OK and fills *info, or CZ_EIDNUM with *why set. */
int cz_idnum_parse(const char *s, uint32_t today, struct cz_idnum_info *info,
                   enum cz_idnum_error *why);

#endif
