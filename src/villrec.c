#include "villrec.h"
#include "parse.h"
#include "status.h"

#include <stdio.h>
#include <string.h>

#define FIRST_YEAR 2013   /* 建档立卡 began in 2013 */
#define MONITOR_FROM 2020 /* 防止返贫监测 began in 2020 */

static int64_t sint_or(const cz_body *b, const struct cz_field *f, int64_t dflt, int *present)
{
    int64_t v = dflt;
    *present = f && cz_body_get_sint(b, f->tag, &v) == CZ_OK;
    return *present ? v : dflt;
}

static uint32_t date_of(const cz_body *b, const struct cz_field *f)
{
    uint64_t v = 0;
    if (f) cz_body_get_uint(b, f->tag, &v);
    return (uint32_t)v;
}

/* A record's year: from 2013 to this year. */
static int year_ok(const cz_body *b, const struct cz_field *f, uint32_t today, struct cz_field_error *err)
{
    int present;
    int64_t y = sint_or(b, f, 0, &present);
    char now[8];
    if (!present || (y >= FIRST_YEAR && y <= (int64_t)(today / 10000))) return CZ_OK;
    snprintf(now, sizeof now, "%u", today / 10000);
    return cz_field_error_set(err, f, CZ_EFIELD, HINT_YEAR_RECORD, now);
}

static int not_future(const cz_body *b, const struct cz_field *f, uint32_t today, struct cz_field_error *err)
{
    uint32_t d = date_of(b, f);
    return d > today ? cz_field_error_set(err, f, CZ_EFIELD, HINT_DATE_FUTURE, NULL) : CZ_OK;
}

/* small <= big when both are given, else an error on small naming big's value. */
static int not_more(const cz_body *b, const struct cz_field *small, const struct cz_field *big,
                    struct cz_field_error *err)
{
    int ps, pb;
    int64_t s = sint_or(b, small, 0, &ps), g = sint_or(b, big, 0, &pb);
    char buf[32];
    if (!ps || !pb || s <= g) return CZ_OK;
    snprintf(buf, sizeof buf, "%s (%lld)", big->key, (long long)g);
    return cz_field_error_set(err, small, CZ_EFIELD, HINT_MORE_THAN, buf);
}

static int finish_village_year(const struct cz_type *t, cz_body *b, uint32_t today, struct cz_field_error *err)
{
    const struct cz_field *village = cz_schema_field(t, "village"), *year = cz_schema_field(t, "year");
    const struct cz_field *pop = cz_schema_field(t, "population"), *rural = cz_schema_field(t, "rural_population");
    int rc, present;
    if ((rc = year_ok(b, year, today, err)) || (rc = year_ok(b, cz_schema_field(t, "left_list"), today, err)))
        return rc;
    if ((rc = not_more(b, cz_schema_field(t, "registered_people"), rural, err)) ||
        (rc = not_more(b, rural, pop, err)))
        return rc;
    const char *code;
    size_t len;
    int64_t y = sint_or(b, year, 0, &present);
    const struct cz_field *key = cz_schema_field(t, "village_year");
    if (cz_body_get_text(b, village->tag, &code, &len) != CZ_OK || !present) {
        rc = cz_body_remove(b, key->tag);
        return rc == CZ_ENOTFOUND ? CZ_OK : rc;
    }
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.*s/%lld", (int)len, code, (long long)y);
    return cz_body_set_text(b, key->tag, buf, (size_t)n);
}

static int finish_exit_record(const struct cz_type *t, cz_body *b, uint32_t today, struct cz_field_error *err)
{
    const struct cz_field *year = cz_schema_field(t, "year"), *date = cz_schema_field(t, "date");
    int rc, present;
    if ((rc = year_ok(b, year, today, err)) || (rc = not_future(b, date, today, err))) return rc;
    int64_t y = sint_or(b, year, 0, &present);
    uint32_t d = date_of(b, date);
    char buf[16];
    if (!present || !d || (int64_t)(d / 10000) == y) return CZ_OK;
    snprintf(buf, sizeof buf, "%lld", (long long)y);
    return cz_field_error_set(err, date, CZ_EFIELD, HINT_DATE_YEAR, buf);
}

static int finish_monitor(const struct cz_type *t, cz_body *b, uint32_t today, struct cz_field_error *err)
{
    const struct cz_field *found = cz_schema_field(t, "found_on"), *removed = cz_schema_field(t, "removed_on");
    const struct cz_field *status = cz_schema_field(t, "status");
    int rc;
    if (!cz_body_kind(b, cz_schema_field(t, "household")->tag)) {
        if (!cz_body_kind(b, cz_schema_field(t, "name")->tag))
            return cz_field_error_set(err, cz_schema_field(t, "name"), CZ_EEMPTY, HINT_MONITOR_WHO, NULL);
        if (!cz_body_kind(b, cz_schema_field(t, "village")->tag))
            return cz_field_error_set(err, cz_schema_field(t, "village"), CZ_EEMPTY, HINT_MONITOR_WHO, NULL);
    }
    uint32_t f = date_of(b, found), r = date_of(b, removed);
    if (f && f / 10000 < MONITOR_FROM) return cz_field_error_set(err, found, CZ_EFIELD, HINT_MONITOR_YEAR, NULL);
    if ((rc = not_future(b, found, today, err)) || (rc = not_future(b, removed, today, err))) return rc;
    if (r && f && r < f) {
        char buf[16];
        cz_format_date(f, buf, sizeof buf);
        return cz_field_error_set(err, removed, CZ_EFIELD, HINT_DATE_BEFORE, buf);
    }
    const char *s = r ? "removed" : "monitored";
    return cz_body_set_text(b, status->tag, s, strlen(s));
}

int cz_villrec_finish(const struct cz_type *t, cz_body *body, uint32_t today, struct cz_field_error *err)
{
    if (!strcmp(t->key, "village_year")) return finish_village_year(t, body, today, err);
    if (!strcmp(t->key, "exit_record")) return finish_exit_record(t, body, today, err);
    if (!strcmp(t->key, "monitor")) return finish_monitor(t, body, today, err);
    return CZ_OK;
}

int cz_villrec_office_only(const char *type_key)
{
    return type_key && !strcmp(type_key, "exit_record");
}

int32_t cz_villrec_incidence_bp(int64_t people, int64_t population)
{
    if (population <= 0) return -1;
    return (int32_t)((people * 10000 + population / 2) / population);
}
