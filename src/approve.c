/* approve.c — one signed step of an exit chain (approve.h). */
#include "approve.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "parse.h"
#include "query.h"
#include "status.h"

#include <stdio.h>
#include <string.h>

struct latest_exit { cz_txn *t; uint8_t entity[CZ_ENTITY_BYTES]; uint64_t hlc; int found; };

static int latest_exit_cb(void *ctx, const uint8_t *entity)
{
    struct latest_exit *le = ctx;
    struct cz_record r;
    if (cz_record_load(le->t, entity, &r) == CZ_OK && !r.deleted && !strcmp(r.type_key, "exit") &&
        (!le->found || r.hlc > le->hlc)) {
        memcpy(le->entity, entity, CZ_ENTITY_BYTES);
        le->hlc = r.hlc;
        le->found = 1;
    }
    cz_record_clear(&r);
    return 0;
}

int cz_exit_latest(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], uint8_t exit_entity[CZ_ENTITY_BYTES])
{
    char term[64];
    struct latest_exit le = { .t = t };
    int rc = cz_store_index_each(t, term, cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES),
                                 latest_exit_cb, &le);
    if (rc) return rc;
    if (!le.found) return CZ_ENOTFOUND;
    memcpy(exit_entity, le.entity, CZ_ENTITY_BYTES);
    return CZ_OK;
}

int cz_approve_sign(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], const char *step,
                    const char *decision, const char *notes, const char *date,
                    const uint8_t seen[CZ_ID_BYTES], uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES], char version_hex[65],
                    struct cz_field_error *err)
{
    char hex[65];
    struct cz_record r;
    cz_txn *t = NULL;
    memset(err, 0, sizeof *err);
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_record_load(t, exit_entity, &r);
    if (rc == CZ_OK && strcmp(r.type_key, "exit")) rc = CZ_ETYPE;
    if (rc == CZ_OK && r.deleted) rc = CZ_EDELETED;
    if (rc == CZ_OK && seen && memcmp(seen, r.id, CZ_ID_BYTES)) rc = CZ_ESTALE;
    if (rc == CZ_OK) cz_hex(r.id, CZ_ID_BYTES, hex);
    cz_record_clear(&r);
    cz_txn_abort(t);
    if (rc) return rc;
    if (version_hex) memcpy(version_hex, hex, 65);
    struct cz_assign a[5] = {
        { .field = "record", .value = hex },
        { .field = "step", .value = step },
        { .field = "decision", .value = decision ? decision : "approve" },
    };
    size_t n = 3;
    if (notes) a[n++] = (struct cz_assign){ .field = "notes", .value = notes };
    if (date) a[n++] = (struct cz_assign){ .field = "date", .value = date };
    return cz_station_add(st, "approval", a, n, entity, id, err);
}

int cz_approve_check(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], const char *step,
                     const char *decision, const char *date, const uint8_t seen[CZ_ID_BYTES],
                     struct cz_exit_detail *d)
{
    struct cz_record r;
    cz_txn *t = NULL;
    uint8_t version[CZ_ID_BYTES], last[CZ_ID_BYTES];
    uint64_t seq, hlc = 0;
    uint32_t day = cz_today();
    const uint8_t *pk = cz_station_person_pk(st);
    memset(d, 0, sizeof *d);
    int s = step ? cz_step_parse(step) : -1;
    if (!pk) return CZ_EPERM;
    if (s < 0) return CZ_EFIELD;
    if (date && cz_parse_date(date, &day)) return CZ_EDATE;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_record_load(t, exit_entity, &r);
    if (rc == CZ_OK && strcmp(r.type_key, "exit")) rc = CZ_ETYPE;
    if (rc == CZ_OK && r.deleted) rc = CZ_EDELETED;
    if (rc == CZ_OK && seen && memcmp(seen, r.id, CZ_ID_BYTES)) rc = CZ_ESTALE;
    if (rc == CZ_OK) memcpy(version, r.id, CZ_ID_BYTES);
    cz_record_clear(&r);
    if (rc == CZ_OK) rc = cz_store_log_last(t, pk, &seq, last);
    /* The clock the station would sign it with (station_write.c, cz_st_append). */
    if (rc == CZ_OK && (rc = cz_meta_get_u64(t, "hlc", &hlc)) == CZ_ENOTFOUND) rc = CZ_OK;
    if (rc == CZ_OK) {
        struct cz_approval_claim c = {
            .version = version,
            .step = (enum cz_step)s,
            .approve = !decision || !strcmp(decision, "approve"),
            .signer = pk,
            .seq = seq + 1,
            .hlc = cz_hlc_next(hlc, cz_now_ms()),
            .date = day,
        };
        rc = cz_approval_check(t, cz_station_info(st)->office_root, &c, d);
    }
    cz_txn_abort(t);
    return rc;
}

int cz_approve_notice_close(cz_station *st, const uint8_t exit_entity[CZ_ENTITY_BYTES], uint64_t *close_ms)
{
    cz_txn *t = NULL;
    struct cz_exit_state es;
    int rc = cz_txn_begin(cz_station_store(st), 0, &t);
    if (rc) return rc;
    rc = cz_exit_state(t, cz_station_info(st)->office_root, exit_entity, &es);
    cz_txn_abort(t);
    if (rc) return rc;
    if (!es.approved[CZ_STEP_COUNTY]) return CZ_ENOTFOUND;
    *close_ms = es.notice_close_ms;
    return CZ_OK;
}
