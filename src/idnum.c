/* idnum.c — resident ID numbers, GB 11643-1999.  See idnum.h. */
#include "idnum.h"
#include "parse.h"
#include "status.h"

#include <string.h>

/* ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions 0..16. */
static const unsigned char id_weights[17] = {
    7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

char cz_idnum_check_char(const char first17[17])
{
    unsigned sum = 0;
    int i;

    for (i = 0; i < 17; i++) {
        /* '?' never equals a real check character, so garbage in can
         * never validate. */
        if (!is_digit(first17[i]))
            return '?';
        sum += (unsigned)(first17[i] - '0') * id_weights[i];
    }
    return "10X98765432"[sum % 11];
}

/* Characters, not bytes: a stray 汉字 in an 18-character string is a
 * character error, not a length error. */
static size_t count_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* The 18 characters in canonical form (a lower-case check 'x' made
 * upper): CZ_IDNUM_OK, or CZ_IDNUM_LENGTH / CZ_IDNUM_CHARS. */
static enum cz_idnum_error canonical(const char *s, char canon[19])
{
    if (count_chars(s) != 18)
        return CZ_IDNUM_LENGTH;
    if (strlen(s) != 18)
        return CZ_IDNUM_CHARS;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s[i]))
            return CZ_IDNUM_CHARS;
        canon[i] = s[i];
    }
    if (!is_digit(s[17]) && s[17] != 'X' && s[17] != 'x')
        return CZ_IDNUM_CHARS;
    canon[17] = s[17] == 'x' ? 'X' : s[17];
    canon[18] = '\0';
    return CZ_IDNUM_OK;
}

int cz_idnum_parse(const char *s, uint32_t today, struct cz_idnum_info *info,
                   enum cz_idnum_error *why)
{
    enum cz_idnum_error err;
    char canon[19];
    uint32_t born = 0;

    if (why != NULL)
        *why = CZ_IDNUM_OK;
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (s == NULL)
        return CZ_EINVAL;
    if ((err = canonical(s, canon)) != CZ_IDNUM_OK)
        goto refused;

    for (int i = 6; i < 14; i++)
        born = born * 10 + (uint32_t)(canon[i] - '0');
    /* The date is tested before the check character: a typo in the date
     * usually breaks both, and "impossible date" says where to look. */
    if (!cz_date_valid(born) || (today != 0 && born > today)) {
        err = CZ_IDNUM_DATE;
        goto refused;
    }
    if (cz_idnum_check_char(canon) != canon[17]) {
        err = CZ_IDNUM_CHECK;
        goto refused;
    }

    if (info != NULL) {
        memcpy(info->number, canon, sizeof info->number);
        memcpy(info->region, canon, 6);
        info->region[6] = '\0';
        info->born = born;
        info->sex = ((canon[16] - '0') % 2) ? 'M' : 'F';
    }
    return CZ_OK;

refused:
    if (why != NULL)
        *why = err;
    return CZ_EIDNUM;
}
