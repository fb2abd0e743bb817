/* parse.c — exact parsing of typed numbers and dates.  See parse.h.
 * Everything is integer arithmetic with the overflow test made before the
 * operation, so no input can wrap or round. */
#include "parse.h"
#include "entry.h"
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Scan an unsigned decimal at *pp, with optional thousands separators that
 * must be real groups: 1-3 leading digits (no leading zero), then ",ddd"
 * groups.  Without commas any number of digits is fine.  Stops at the first
 * other character.  Sets *overflow instead of failing so that bad syntax
 * later in the string is still reported as bad syntax. */
static int scan_magnitude(const char **pp, uint64_t *mag, int *overflow)
{
    const char *p = *pp, *run_start = p;
    size_t run = 0;
    int grouped = 0;
    uint64_t v = 0;

    *overflow = 0;
    for (;;) {
        if (is_digit(*p)) {
            unsigned d = (unsigned)(*p - '0');

            if (v > (UINT64_MAX - d) / 10)
                *overflow = 1;
            else
                v = v * 10 + d;
            run++;
            p++;
        } else if (*p == ',') {
            if (grouped ? run != 3
                        : (run < 1 || run > 3 || *run_start == '0'))
                return CZ_ENUMBER;
            grouped = 1;
            run = 0;
            p++;
            run_start = p;
        } else {
            break;
        }
    }
    if (run == 0 || (grouped && run != 3))
        return CZ_ENUMBER;
    *pp = p;
    *mag = v;
    return CZ_OK;
}

int cz_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    uint64_t mag = 0;
    int64_t v;
    int neg, overflow, rc;

    if (s == NULL || out == NULL || min > max)
        return CZ_EINVAL;
    neg = *p == '-';
    if (neg)
        p++;
    rc = scan_magnitude(&p, &mag, &overflow);
    if (rc != CZ_OK)
        return rc;
    if (*p != '\0')
        return CZ_ENUMBER;
    /* The header's "allow_negative" is min < 0.  A well-formed negative
     * number where none is allowed is a range error, not a syntax error: it
     * tells the user what is actually wrong. */
    if (neg && min >= 0)
        return CZ_ERANGE;
    if (overflow)
        return CZ_ERANGE;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return CZ_ERANGE;
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return CZ_ERANGE;
        v = (int64_t)mag;
    }
    if (v < min || v > max)
        return CZ_ERANGE;
    *out = v;
    return CZ_OK;
}

int cz_parse_hundredths(const char *s, int64_t max, int64_t *out)
{
    const char *p = s;
    uint64_t whole = 0, frac = 0;
    int neg, overflow, rc;

    if (s == NULL || out == NULL || max < 0)
        return CZ_EINVAL;
    neg = *p == '-';
    if (neg)
        p++;
    rc = scan_magnitude(&p, &whole, &overflow);
    if (rc != CZ_OK)
        return rc;
    if (*p == '.') {
        /* One or two digits: "5." and "1.234" are refused rather than
         * guessed at (the latter is 1234 in European notation). */
        p++;
        if (!is_digit(p[0]))
            return CZ_ENUMBER;
        frac = (uint64_t)(p[0] - '0') * 10;
        p++;
        if (is_digit(p[0])) {
            frac += (uint64_t)(p[0] - '0');
            p++;
        }
    }
    if (*p != '\0')
        return CZ_ENUMBER;
    if (neg || overflow)
        return CZ_ERANGE;
    if (whole > ((uint64_t)INT64_MAX - frac) / 100)
        return CZ_ERANGE;
    if ((int64_t)(whole * 100 + frac) > max)
        return CZ_ERANGE;
    *out = (int64_t)(whole * 100 + frac);
    return CZ_OK;
}

void cz_format_hundredths(int64_t v, char *buf, size_t size)
{
    /* Unsigned magnitude so INT64_MIN does not overflow on negation. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    if (buf == NULL || size == 0)
        return;
    snprintf(buf, size, "%s%" PRIu64 ".%02u", v < 0 ? "-" : "",
             mag / 100, (unsigned)(mag % 100));
}

/* Between min_digits and max_digits ASCII digits at *pp. */
static int scan_field(const char **pp, int min_digits, int max_digits, unsigned *out)
{
    const char *p = *pp;
    unsigned v = 0;
    int n = 0;

    while (is_digit(*p) && n < max_digits) {
        v = v * 10 + (unsigned)(*p - '0');
        p++;
        n++;
    }
    if (n < min_digits || is_digit(*p))
        return 0;
    *pp = p;
    *out = v;
    return 1;
}

/* Consume the literal lit at *pp if it is there. */
static int eat(const char **pp, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*pp, lit, n) != 0)
        return 0;
    *pp += n;
    return 1;
}

int cz_parse_date(const char *s, uint32_t *out)
{
    const char *p = s;
    unsigned y, m, d;
    uint32_t ymd;
    int chinese = 0;
    char sep = 0;

    if (s == NULL || out == NULL)
        return CZ_EINVAL;
    if (!scan_field(&p, 4, 4, &y))
        return CZ_EDATE;
    if (*p == '-' || *p == '/')
        sep = *p++;
    else if (eat(&p, "年"))
        chinese = 1;
    else
        return CZ_EDATE;
    if (!scan_field(&p, 1, 2, &m))
        return CZ_EDATE;
    /* The same separator twice: "2016-03/05" is more likely a typo than
     * a date. */
    if (chinese ? !eat(&p, "月") : !eat(&p, (char[]){ sep, '\0' }))
        return CZ_EDATE;
    if (!scan_field(&p, 1, 2, &d))
        return CZ_EDATE;
    if (chinese && !eat(&p, "日"))
        return CZ_EDATE;
    if (*p != '\0')
        return CZ_EDATE;
    ymd = (uint32_t)y * 10000 + m * 100 + d;
    if (!cz_date_valid(ymd))
        return CZ_EDATE;
    *out = ymd;
    return CZ_OK;
}

void cz_format_date(uint32_t yyyymmdd, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    snprintf(buf, size, "%04u-%02u-%02u", (unsigned)(yyyymmdd / 10000),
             (unsigned)(yyyymmdd / 100 % 100), (unsigned)(yyyymmdd % 100));
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

int cz_date_valid(uint32_t yyyymmdd)
{
    unsigned y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;

    /* The year range is cz_parse_date's, so every valid date can be typed
     * back in and every stored date round-trips through the parser. */
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days_in_month(y, m);
}

/* Strictly YYYY-MM-DD, a real day. */
static int parse_iso(const char *s, uint32_t *out)
{
    static const char shape[] = "dddd-dd-dd";
    uint32_t v = 0;
    size_t i;

    if (strlen(s) != sizeof shape - 1)
        return 0;
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd') {
            if (!is_digit(s[i]))
                return 0;
            v = v * 10 + (uint32_t)(s[i] - '0');
        } else if (s[i] != shape[i]) {
            return 0;
        }
    }
    if (!cz_date_valid(v))
        return 0;
    *out = v;
    return 1;
}

/* China Standard Time has had no daylight saving since 1991. */
#define CST_OFFSET_S (8 * 3600)

static int cst_tm(int64_t secs, struct tm *tm)
{
    time_t t = (time_t)(secs + CST_OFFSET_S);
    return gmtime_r(&t, tm) != NULL;
}

uint32_t cz_date_of_ms(uint64_t ms)
{
    struct tm tm;
    if (!cst_tm((int64_t)(ms / 1000), &tm))
        return 0;
    return (uint32_t)(tm.tm_year + 1900) * 10000
         + (uint32_t)(tm.tm_mon + 1) * 100 + (uint32_t)tm.tm_mday;
}

void cz_format_cst(int64_t secs, char *buf, size_t size)
{
    struct tm tm;
    if (!cst_tm(secs, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M", &tm))
        snprintf(buf, size, "-");
}

uint32_t cz_today(void)
{
    const char *env = getenv("CUNZHAN_TODAY");
    uint32_t forced;

    /* A malformed override falls back to the clock rather than to a
     * made-up date: there is no way to report it from here. */
    if (env != NULL && parse_iso(env, &forced))
        return forced;
    /* The entries' clock, not time(): the demo builder shifts it
     * (cz_clock_shift) and its dates must follow. */
    return cz_date_of_ms(cz_now_ms());
}
