/* region.c — administrative codes compared at every level (region.h). */
#include "region.h"

#include <string.h>

static int all_zero(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] != '0') return 0;
    return 1;
}

void cz_region_normalize(const char *code, char out[CZ_REGION_MAX + 1])
{
    static const size_t levels[] = { 12, 9, 6, 4, 2, 0 };
    size_t len = strnlen(code, CZ_REGION_MAX + 1);
    if (len > CZ_REGION_MAX) len = CZ_REGION_MAX;
    memcpy(out, code, len);
    out[len] = 0;
    int known = 0;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (levels[i] == len) known = 1;
    if (!known) return;
    /* Drop whole groups of zeros from the end: village, township, county,
     * city, province. */
    for (size_t i = 0; i + 1 < sizeof levels / sizeof levels[0]; i++) {
        if (len != levels[i]) continue;
        if (!all_zero(out, levels[i + 1], len)) break;
        len = levels[i + 1];
        out[len] = 0;
    }
}

size_t cz_region_level(const char *code)
{
    char n[CZ_REGION_MAX + 1];
    cz_region_normalize(code, n);
    return strlen(n);
}

int cz_region_under(const char *region, const char *jurisdiction)
{
    char r[CZ_REGION_MAX + 1], j[CZ_REGION_MAX + 1];
    cz_region_normalize(region, r);
    cz_region_normalize(jurisdiction, j);
    return strncmp(r, j, strlen(j)) == 0;
}
