/* roster_msg.c — the byte strings a countersignature and a root's
 * rollover sign (roster.h), and the China-time date of a clock.  Apart
 * from roster.c: the signers (station_trust.c, station_people.c) build the same
 * message the roster checks, without the roster's state. */
#include "roster.h"
#include "codec.h"
#include "schema.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

#define COUNTERSIGN_DOMAIN "cunzhan countersign 1"
#define ROLLOVER_DOMAIN "cunzhan rollover 1"

/* domain (with its NUL), the root key, the type and a NUL, then the
 * canonical body without the fields named in `drop`. */
static int signed_msg(const char *domain, const uint8_t root[32], const char *type, const cz_body *body,
                      const char *const *drop, uint8_t **msg_out, size_t *len_out)
{
    const struct cz_type *ty = cz_schema_type(type);
    uint8_t *enc = NULL, *msg = NULL;
    size_t enc_len = 0;
    *msg_out = NULL;
    if (!ty) return CZ_ETYPE;
    cz_body *b = cz_body_clone(body);
    if (!b) return CZ_ENOMEM;
    for (; *drop; drop++) {
        const struct cz_field *f = cz_schema_field(ty, *drop);
        if (!f) { cz_body_free(b); return CZ_ETYPE; }
        cz_body_remove(b, f->tag);
    }
    int rc = cz_body_encode(b, &enc, &enc_len);
    cz_body_free(b);
    if (rc) return rc;
    size_t dlen = strlen(domain) + 1, tlen = strlen(type) + 1;
    size_t len = dlen + 32 + tlen + enc_len;
    if (!(msg = malloc(len))) { free(enc); return CZ_ENOMEM; }
    memcpy(msg, domain, dlen);
    memcpy(msg + dlen, root, 32);
    memcpy(msg + dlen + 32, type, tlen);
    if (enc_len) memcpy(msg + dlen + 32 + tlen, enc, enc_len);
    free(enc);
    *msg_out = msg;
    *len_out = len;
    return CZ_OK;
}

int cz_roster_countersign_msg(const uint8_t root[32], const char *type, const cz_body *body,
                              uint8_t **msg_out, size_t *len_out)
{
    static const char *const drop[] = { "by_sig", NULL };
    return signed_msg(COUNTERSIGN_DOMAIN, root, type, body, drop, msg_out, len_out);
}

int cz_roster_rollover_msg(const uint8_t old_root[32], const cz_body *body, uint8_t **msg, size_t *len)
{
    static const char *const drop[] = { "new_sig", "by", "by_sig", NULL };
    return signed_msg(ROLLOVER_DOMAIN, old_root, "rollover", body, drop, msg, len);
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static uint32_t civil_date(int64_t days)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    return (uint32_t)(y * 10000 + m * 100 + d);
}

uint32_t cz_roster_hlc_date(uint64_t hlc)
{
    int64_t secs = (int64_t)(cz_hlc_ms(hlc) / 1000) + 8 * 3600;
    return civil_date(secs / 86400);
}
