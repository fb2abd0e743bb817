#include "schema_int.h"
#include "parse.h"

#include <stdio.h>
#include <string.h>

/* The national form keeps one main cause and at most two others. */
#define CAUSES_MAX 3
/* Registration (建档立卡) began in 2013: no yearly record is older. */
#define REGISTRY_FIRST_YEAR 2013

static const char *const income_parts[] = { "wages", "production", "property", NULL };
static const char *const income_transfers[] = { "dibao", "tekun", "pension", "eco", "other_transfers", NULL };

static int is(const struct cz_type *t, const char *key) { return !strcmp(t->key, key); }

int cz_registry_derives(const struct cz_type *t, const struct cz_field *f)
{
    return is(t, "income") && f->type == CZ_F_MONEY && !(f->flags & CZ_FF_DERIVED);
}

void cz_registry_forget(const struct cz_type *t, cz_body *body)
{
    if (!is(t, "income")) return;
    cz_body_remove(body, cz_schema_field(t, "transfers")->tag);
    cz_body_remove(body, cz_schema_field(t, "net")->tag);
}

int cz_registry_set_check(const struct cz_type *t, const struct cz_field *f, const cz_body *body,
                          struct cz_field_error *err)
{
    size_t n = 0;
    /* Only what is typed now: an old record holding more is not refused
     * an edit of its other fields. */
    if (!is(t, "household") || strcmp(f->key, "causes")) return CZ_OK;
    if (cz_body_get_list_count(body, f->tag, &n) == CZ_OK && n > CAUSES_MAX)
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_CAUSES_LIMIT, NULL);
    return CZ_OK;
}

static int64_t money(const struct cz_type *t, const cz_body *body, const char *key)
{
    int64_t v = 0;
    cz_body_get_sint(body, cz_schema_field(t, key)->tag, &v);
    return v;
}

void cz_registry_income(const struct cz_type *t, const cz_body *body, int64_t *transfers, int64_t *net)
{
    int64_t tr = 0, n = 0;
    for (size_t i = 0; income_transfers[i]; i++) tr += money(t, body, income_transfers[i]);
    for (size_t i = 0; income_parts[i]; i++) n += money(t, body, income_parts[i]);
    *transfers = tr;
    *net = n - money(t, body, "production_costs") + tr;
}

/* A derived amount typed beside its parts must agree with them. */
static int derived_money(const struct cz_type *t, cz_body *body, const char *key, int64_t want,
                         struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(t, key);
    int64_t typed;
    if (cz_body_get_sint(body, f->tag, &typed) == CZ_OK && typed != want) {
        char text[32];
        cz_format_hundredths(want, text, sizeof text);
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_DERIVED_SUM, text);
    }
    return cz_body_set_sint(body, f->tag, want);
}

/* Each part at most 10^12 fen (cz_schema_set), so the sums cannot overflow. */
static int derive_income(const struct cz_type *t, cz_body *body, struct cz_field_error *err)
{
    int64_t transfers, net;
    cz_registry_income(t, body, &transfers, &net);
    int rc = derived_money(t, body, "transfers", transfers, err);
    return rc ? rc : derived_money(t, body, "net", net, err);
}

static int year_recent(const struct cz_type *t, const cz_body *body, const char *key, uint32_t today,
                       struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(t, key);
    int64_t y;
    if (cz_body_get_sint(body, f->tag, &y) != CZ_OK) return CZ_OK;
    if (y < REGISTRY_FIRST_YEAR || y > (int64_t)(today / 10000))
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_YEAR_RECENT, NULL);
    return CZ_OK;
}

static int not_future(const struct cz_type *t, const cz_body *body, const char *key, uint32_t today,
                      struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(t, key);
    uint64_t d;
    if (cz_body_get_uint(body, f->tag, &d) == CZ_OK && d > today)
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_DATE_FUTURE, NULL);
    return CZ_OK;
}

/* An end date (which may be planned, so in the future) not before the start. */
static int in_order(const struct cz_type *t, const cz_body *body, const char *from, const char *to,
                    struct cz_field_error *err)
{
    const struct cz_field *ff = cz_schema_field(t, from), *tf = cz_schema_field(t, to);
    uint64_t a, b;
    if (cz_body_get_uint(body, ff->tag, &a) == CZ_OK && cz_body_get_uint(body, tf->tag, &b) == CZ_OK && b < a) {
        char text[16];
        cz_format_date((uint32_t)a, text, sizeof text);
        return cz_field_error_set(err, tf, CZ_EFIELD, HINT_DATE_ORDER, text);
    }
    return CZ_OK;
}

/* Leaving names the member who left; joining names the member, or the
 * baby's name before the member record exists. */
static int change_names_who(const struct cz_type *t, const cz_body *body, struct cz_field_error *err)
{
    const struct cz_field *mf = cz_schema_field(t, "member"), *nf = cz_schema_field(t, "name");
    const char *kind;
    size_t len;
    if (cz_body_get_text(body, cz_schema_field(t, "kind")->tag, &kind, &len) != CZ_OK) return CZ_OK;
    int leaving = !strcmp(kind, "death") || !strcmp(kind, "marry_out") || !strcmp(kind, "move_out");
    if (cz_body_kind(body, mf->tag)) return CZ_OK;
    if (leaving)
        return cz_field_error_set(err, mf, CZ_EEMPTY, HINT_CHANGE_LEAVE, NULL);
    if (!cz_body_kind(body, nf->tag))
        return cz_field_error_set(err, mf, CZ_EEMPTY, HINT_CHANGE_JOIN, NULL);
    return CZ_OK;
}

static int work_months(const struct cz_type *t, const cz_body *body, struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(t, "work_months");
    int64_t m;
    if (cz_body_get_sint(body, f->tag, &m) == CZ_OK && m > 12)
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_MONTHS, NULL);
    return CZ_OK;
}

int cz_registry_finish(const struct cz_type *t, cz_body *body, uint32_t today, struct cz_field_error *err)
{
    int rc = CZ_OK;
    if (is(t, "income")) {
        if (!(rc = year_recent(t, body, "year", today, err))) rc = derive_income(t, body, err);
    } else if (is(t, "conditions")) {
        if (!(rc = year_recent(t, body, "year", today, err))) rc = year_recent(t, body, "repaired", today, err);
    } else if (is(t, "member_change")) {
        if (!(rc = not_future(t, body, "date", today, err))) rc = change_names_who(t, body, err);
    } else if (is(t, "measure")) {
        if (!(rc = not_future(t, body, "start", today, err))) rc = in_order(t, body, "start", "end", err);
    } else if (is(t, "pairing")) {
        if (!(rc = not_future(t, body, "start", today, err))) rc = in_order(t, body, "start", "end", err);
    } else if (is(t, "work_team")) {
        if (!(rc = not_future(t, body, "from", today, err))) rc = in_order(t, body, "from", "to", err);
    } else if (is(t, "member")) {
        rc = work_months(t, body, err);
    }
    return rc;
}
