/* region.c — administrative codes compared at every level (region.h). */
#include "region.h"
#include "index.h"
#include "status.h"

#include <stdio.h>
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

static int is_level(size_t len)
{
    return len == 0 || len == 2 || len == 4 || len == 6 || len == 9 || len == 12;
}

int cz_region_code_ok(const char *code)
{
    size_t len = strlen(code);
    return strspn(code, "0123456789") == len && len <= CZ_REGION_MAX && is_level(len);
}

/* How a place's code may be written: normalised, or with zero groups
 * after it up to any wider level's length (GB/T 2260 writes a city 4110
 * as 411000). */
int cz_region_place_known(cz_txn *t, const char *code, int stored_only)
{
    char n[CZ_REGION_MAX + 1], cand[CZ_REGION_MAX + 1], term[128];
    cz_region_normalize(code, n);
    size_t len = strlen(n);
    if (len == 0) return CZ_ENOTFOUND;
    static const size_t levels[] = { 0, 2, 4, 6, 9, 12 };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        /* The code as it is, then padded to each longer level. */
        if (levels[i] && levels[i] <= len) continue;
        if (levels[i] && !is_level(len)) break;
        size_t pad = levels[i] ? levels[i] - len : 0;   /* len < levels[i] <= CZ_REGION_MAX here */
        memcpy(cand, n, len);
        memset(cand + len, '0', pad);
        cand[len + pad] = 0;
        size_t count = 0, tl = cz_term_exact(term, sizeof term, "place", "code", cand);
        int rc = stored_only ? cz_store_index_count_stored(t, term, tl, &count)
                             : cz_store_index_count(t, term, tl, &count);
        if (rc) return rc;
        if (count) return CZ_OK;
    }
    return CZ_ENOTFOUND;
}

static int any_cb(void *ctx, const uint8_t *entity)
{
    (void)entity;
    *(int *)ctx = 1;
    return CZ_WALK_STOP;
}

int cz_region_filter(cz_txn *t, const char *code, char out[CZ_REGION_MAX + 1])
{
    char term[128];
    int found = 0;
    out[0] = 0;
    if (!cz_region_code_ok(code)) return CZ_EPLACECODE;
    cz_region_normalize(code, out);
    if (!out[0]) return CZ_OK;
    /* A place inside the filter has a code (as written, zeros or not)
     * that starts with the normalised filter, a whole level. */
    int rc = cz_store_index_prefix(t, term, cz_term_exact(term, sizeof term, "place", "code", out), any_cb, &found);
    if (rc && rc != CZ_WALK_STOP) return rc;
    return found ? CZ_OK : CZ_ENOPLACE;
}
