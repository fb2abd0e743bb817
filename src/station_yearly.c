/* station_yearly.c — the registry's checks that read the store before a
 * version is signed: one yearly record (income, conditions) per household
 * and year (a second is refused, naming the first), and a member change's
 * member of the household it names (as authz.c judges it on import).
 * Two stations writing the same year apart both keep theirs; the report
 * and the household page read the one with the latest clock
 * (DOMAIN.md). */
#include "station.h"
#include "codec.h"
#include "hex.h"
#include "history.h"
#include "index.h"
#include "station_int.h"
#include "status.h"

#include <stdio.h>
#include <string.h>

struct yearly {
    cz_txn *t;
    const char *type;
    int64_t year;
    const uint8_t *self;          /* the record being edited, NULL when new */
    uint8_t found[CZ_ENTITY_BYTES];
    int any;
};

static int yearly_cb(void *ctx, const uint8_t *entity)
{
    struct yearly *y = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n = 0;
    struct cz_entry e;
    cz_body *b = NULL;
    int64_t year;
    if (y->self && !memcmp(entity, y->self, CZ_ENTITY_BYTES)) return 0;
    int rc = cz_history_winner(y->t, entity, heads, 1, &n, &e);
    if (rc == CZ_ENOTFOUND) return 0;
    if (rc) return rc;
    if (strcmp(e.type, y->type) || (e.flags & CZ_ENTRY_FLAG_TOMBSTONE)) return 0;
    if ((rc = cz_body_decode(e.body, e.body_len, &b))) return rc;
    const struct cz_type *ty = cz_schema_type(y->type);
    if (cz_body_get_sint(b, cz_schema_field(ty, "year")->tag, &year) == CZ_OK && year == y->year) {
        memcpy(y->found, entity, CZ_ENTITY_BYTES);
        y->any = 1;
        rc = CZ_WALK_STOP;
    }
    cz_body_free(b);
    return rc;
}

static int member_of(cz_txn *t, const struct cz_type *ty, const cz_body *body, struct cz_field_error *err)
{
    const uint8_t *m, *h, *mh;
    size_t len, hlen, mhlen;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n = 0;
    struct cz_entry e;
    cz_body *mb = NULL;
    const struct cz_field *mf = cz_schema_field(ty, "member");
    if (cz_body_get_bytes(body, mf->tag, &m, &len) != CZ_OK ||
        cz_body_get_bytes(body, cz_schema_field(ty, "household")->tag, &h, &hlen) != CZ_OK)
        return CZ_OK;
    /* The reference itself was checked (type, live) with the others. */
    int rc = cz_history_winner(t, m, heads, 1, &n, &e);
    if (rc) return rc == CZ_ENOTFOUND ? CZ_OK : rc;
    if ((rc = cz_body_decode(e.body, e.body_len, &mb))) return rc;
    const struct cz_type *mt = cz_schema_type("member");
    int other = cz_body_get_bytes(mb, cz_schema_field(mt, "household")->tag, &mh, &mhlen) != CZ_OK ||
                mhlen != hlen || memcmp(mh, h, hlen);
    cz_body_free(mb);
    return other ? cz_field_error_set(err, mf, CZ_EMEMBEROF, HINT_MEMBER_OF, NULL) : CZ_OK;
}

int cz_st_check_yearly(cz_txn *t, struct pipe *pl, const struct cz_type *ty, const cz_body *body,
                       const uint8_t *self, struct cz_field_error *err)
{
    const uint8_t *hh;
    size_t len;
    char term[128];
    if (!strcmp(ty->key, "member_change")) return member_of(t, ty, body, err);
    if (strcmp(ty->key, "income") && strcmp(ty->key, "conditions")) return CZ_OK;
    struct yearly y = { .t = t, .type = ty->key, .self = self };
    if (cz_body_get_bytes(body, cz_schema_field(ty, "household")->tag, &hh, &len) != CZ_OK ||
        len != CZ_ENTITY_BYTES || cz_body_get_sint(body, cz_schema_field(ty, "year")->tag, &y.year) != CZ_OK)
        return CZ_OK;
    /* A load's earlier rows count: they are stored and indexed first. */
    int rc = pl ? cz_st_pipe_drain(pl) : CZ_OK;
    if (rc) return rc;
    rc = cz_store_index_each(t, term, cz_term_link(term, sizeof term, hh, CZ_ENTITY_BYTES), yearly_cb, &y);
    if (rc && rc != CZ_WALK_STOP) return rc;
    if (!y.any) return CZ_OK;
    char hex[2 * CZ_ENTITY_BYTES + 1];
    cz_hex(y.found, CZ_ENTITY_BYTES, hex);
    return cz_field_error_set(err, cz_schema_field(ty, "year"), CZ_EEXIST, HINT_YEAR_TAKEN, hex);
}
