#include "exitchain.h"
#include "codec.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

#include <string.h>
#include <time.h>

static const char *const step_keys[CZ_STEP_COUNT] = { "village", "township", "county", "notice" };
/* Longest jurisdiction code that may sign each step: a village supervisor
 * appraises, a township (9 digits) reviews, a county (6) decides and
 * publishes the notice. */
static const size_t step_max_region[CZ_STEP_COUNT] = { 12, 9, 6, 6 };

int cz_step_parse(const char *key)
{
    for (int i = 0; i < CZ_STEP_COUNT; i++)
        if (!strcmp(key, step_keys[i])) return i;
    return -1;
}

const char *cz_step_key(enum cz_step s) { return step_keys[s]; }

long cz_days_between(uint32_t a, uint32_t b)
{
    struct tm ta = { 0 }, tb = { 0 };
    ta.tm_year = (int)(a / 10000) - 1900; ta.tm_mon = (int)(a / 100 % 100) - 1; ta.tm_mday = (int)(a % 100);
    tb.tm_year = (int)(b / 10000) - 1900; tb.tm_mon = (int)(b / 100 % 100) - 1; tb.tm_mday = (int)(b % 100);
    ta.tm_hour = tb.tm_hour = 12;   /* away from DST edges */
    return (long)((timegm(&tb) - timegm(&ta)) / 86400);
}

static uint32_t date_of_hlc(uint64_t hlc)
{
    time_t secs = (time_t)(cz_hlc_ms(hlc) / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

int cz_step_signer_ok(cz_txn *t, const uint8_t root[32], const uint8_t key[32], uint64_t seq,
                      enum cz_step step, const char *region, int *why)
{
    struct cz_trust_info info;
    int rc = cz_roster_lookup(t, root, key, &info);
    *why = 0;
    if (rc) return rc;
    if (info.state == CZ_TRUST_ROOT) return CZ_OK;
    if (info.state == CZ_TRUST_PENDING) { *why = 2; return CZ_EPERM; }
    if (info.revoked && seq > info.revoked_after) { *why = 2; return CZ_EPERM; }
    if (!strcmp(info.role, "office")) return CZ_OK;
    if (strcmp(info.role, "supervisor") != 0) { *why = 0; return CZ_EPERM; }
    if (!cz_region_within(region, info.region) || strlen(info.region) > step_max_region[step]) {
        *why = 1;
        return CZ_EPERM;
    }
    return CZ_OK;
}

struct scan_ctx {
    cz_txn *t;
    const uint8_t *root;
    struct cz_exit_state *st;
    const char *region;
};

static int approval_cb(void *ctx, const uint8_t *entity)
{
    struct scan_ctx *sc = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    struct cz_entry e;
    cz_body *b = NULL;
    const struct cz_type *ty = cz_schema_type("approval");
    if (cz_store_heads(sc->t, entity, heads, 1, &n) != CZ_OK || n == 0) return 0;
    if (cz_store_get_entry(sc->t, heads[0], &e) != CZ_OK || strcmp(e.type, "approval") ||
        (e.flags & CZ_ENTRY_FLAG_TOMBSTONE))   /* verified when stored; `verify` re-checks */
        return 0;
    if (cz_body_decode(e.body, e.body_len, &b) != CZ_OK) return 0;
    const uint8_t *rec;
    const char *step, *decision;
    size_t len;
    int s, why;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "record")->tag, &rec, &len) == CZ_OK && len == CZ_ID_BYTES &&
        !memcmp(rec, sc->st->version, CZ_ID_BYTES) &&
        cz_body_get_text(b, cz_schema_field(ty, "step")->tag, &step, &len) == CZ_OK &&
        cz_body_get_text(b, cz_schema_field(ty, "decision")->tag, &decision, &len) == CZ_OK &&
        (s = cz_step_parse(step)) >= 0 &&
        cz_step_signer_ok(sc->t, sc->root, e.origin, e.seq, (enum cz_step)s, sc->region, &why) == CZ_OK) {
        if (!strcmp(decision, "approve")) {
            uint64_t date;
            uint32_t on = cz_body_get_uint(b, cz_schema_field(ty, "date")->tag, &date) == CZ_OK
                        ? (uint32_t)date : date_of_hlc(e.hlc);
            if (!sc->st->approved[s] || on < sc->st->approved_on[s]) sc->st->approved_on[s] = on;
            sc->st->approved[s] = 1;
        } else {
            sc->st->rejected[s] = 1;
        }
    }
    cz_body_free(b);
    return 0;
}

int cz_exit_state(cz_txn *t, const uint8_t root[32], const uint8_t exit_entity[CZ_ENTITY_BYTES],
                  struct cz_exit_state *st)
{
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    struct cz_entry e;
    char term[64];
    int rc;

    memset(st, 0, sizeof *st);
    if ((rc = cz_store_heads(t, exit_entity, heads, 1, &n))) return rc;
    if (n == 0) return CZ_ENOTFOUND;
    if ((rc = cz_store_get_entry(t, heads[0], &e))) return rc;
    if (strcmp(e.type, "exit")) return CZ_ETYPE;
    if (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_EDELETED;
    memcpy(st->version, heads[0], CZ_ID_BYTES);
    char region[CZ_REGION_MAX + 1];
    memcpy(region, e.region, sizeof region);
    struct scan_ctx sc = { t, root, st, region };
    size_t tl = cz_term_link(term, sizeof term, heads[0], CZ_ID_BYTES);
    if ((rc = cz_store_index_each(t, term, tl, approval_cb, &sc))) return rc;
    /* Every step approved, in order, nothing rejected, and the notice ran
     * its full term after the county decision. */
    st->complete = 1;
    for (int s = 0; s < CZ_STEP_COUNT; s++)
        if (!st->approved[s] || st->rejected[s]) st->complete = 0;
    if (st->complete &&
        cz_days_between(st->approved_on[CZ_STEP_COUNTY], st->approved_on[CZ_STEP_NOTICE]) < CZ_NOTICE_DAYS)
        st->complete = 0;
    return CZ_OK;
}

struct hh_ctx { cz_txn *t; const uint8_t *root; int exited; uint32_t year; };

static int exit_cb(void *ctx, const uint8_t *entity)
{
    struct hh_ctx *h = ctx;
    struct cz_exit_state st;
    if (cz_exit_state(h->t, h->root, entity, &st) == CZ_OK && st.complete) {
        uint32_t year = st.approved_on[CZ_STEP_NOTICE] / 10000;
        if (!h->exited || year < h->year) h->year = year;
        h->exited = 1;
    }
    return 0;
}

int cz_household_exited(cz_txn *t, const uint8_t root[32], const uint8_t household[CZ_ENTITY_BYTES],
                        int *exited, uint32_t *year)
{
    char term[64];
    struct hh_ctx h = { t, root, 0, 0 };
    size_t tl = cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES);
    int rc = cz_store_index_each(t, term, tl, exit_cb, &h);
    *exited = h.exited;
    if (year) *year = h.year;
    return rc;
}
