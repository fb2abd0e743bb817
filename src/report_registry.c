/* report_registry.c — the report's registry figures of the household
 * side (report_int.h): membership on a day from member records, their
 * birth dates and the joins and leaves (member_change), and the income
 * structure by village and year. */
#include "report_int.h"
#include "codec.h"
#include "grow.h"
#include "index.h"
#include "schema.h"
#include "status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t *ref_of(const struct cz_record *rec, const char *field)
{
    const uint8_t *p;
    size_t len;
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (f && cz_body_get_bytes(rec->body, f->tag, &p, &len) == CZ_OK && len == CZ_ENTITY_BYTES) return p;
    return NULL;
}

static uint32_t date_of(const struct cz_record *rec, const char *field)
{
    uint64_t v = 0;
    cz_body_get_uint(rec->body, cz_schema_field(rec->type, field)->tag, &v);
    return (uint32_t)v;
}

static int64_t sint_of(const struct cz_record *rec, const char *field)
{
    int64_t v = 0;
    cz_body_get_sint(rec->body, cz_schema_field(rec->type, field)->tag, &v);
    return v;
}

int cz_rreg_member(struct cz_rreg *g, const struct cz_record *rec)
{
    const uint8_t *h = ref_of(rec, "household");
    if (!h) return CZ_OK;
    int rc = cz_grow(&g->members, &g->capmembers, g->nmembers + 1, sizeof *g->members);
    if (rc) return rc;
    struct cz_rreg_member *m = &g->members[g->nmembers++];
    memcpy(m->household, h, CZ_ENTITY_BYTES);
    memcpy(m->member, rec->entity, CZ_ENTITY_BYTES);
    m->born = date_of(rec, "born");
    return CZ_OK;
}

int cz_rreg_change(struct cz_rreg *g, const struct cz_record *rec)
{
    const uint8_t *m = ref_of(rec, "member");
    const char *kind;
    size_t len;
    /* A baby named but not yet entered is no one's member yet. */
    if (!m || cz_body_get_text(rec->body, cz_schema_field(rec->type, "kind")->tag, &kind, &len) != CZ_OK)
        return CZ_OK;
    int rc = cz_grow(&g->changes, &g->capchanges, g->nchanges + 1, sizeof *g->changes);
    if (rc) return rc;
    struct cz_rreg_change *c = &g->changes[g->nchanges++];
    memcpy(c->member, m, CZ_ENTITY_BYTES);
    c->date = date_of(rec, "date");
    c->leaving = !strcmp(kind, "death") || !strcmp(kind, "marry_out") || !strcmp(kind, "move_out");
    return CZ_OK;
}

int cz_rreg_income(struct cz_rreg *g, const struct cz_record *rec)
{
    const uint8_t *h = ref_of(rec, "household");
    int year = (int)sint_of(rec, "year");
    if (!h) return CZ_OK;
    struct cz_rreg_income *in = NULL;
    for (size_t i = 0; i < g->nincomes && !in; i++)
        if (g->incomes[i].year == year && !memcmp(g->incomes[i].household, h, CZ_ENTITY_BYTES)) in = &g->incomes[i];
    if (in && in->hlc >= rec->hlc) return CZ_OK;
    if (!in) {
        int rc = cz_grow(&g->incomes, &g->capincomes, g->nincomes + 1, sizeof *g->incomes);
        if (rc) return rc;
        in = &g->incomes[g->nincomes++];
    }
    memset(in, 0, sizeof *in);
    memcpy(in->household, h, CZ_ENTITY_BYTES);
    snprintf(in->village, sizeof in->village, "%s", rec->region);
    in->year = year;
    in->hlc = rec->hlc;
    in->wages = sint_of(rec, "wages");
    in->production = sint_of(rec, "production");
    in->costs = sint_of(rec, "production_costs");
    in->property = sint_of(rec, "property");
    in->transfers = sint_of(rec, "transfers");
    in->net = sint_of(rec, "net");
    return CZ_OK;
}

static int member_cmp(const void *a, const void *b)
{
    return memcmp(((const struct cz_rreg_member *)a)->household, ((const struct cz_rreg_member *)b)->household,
                  CZ_ENTITY_BYTES);
}

static int change_cmp(const void *a, const void *b)
{
    const struct cz_rreg_change *x = a, *y = b;
    int c = memcmp(x->member, y->member, CZ_ENTITY_BYTES);
    return c ? c : (x->date > y->date) - (x->date < y->date);
}

void cz_rreg_sort(struct cz_rreg *g)
{
    if (g->nmembers) qsort(g->members, g->nmembers, sizeof *g->members, member_cmp);
    if (g->nchanges) qsort(g->changes, g->nchanges, sizeof *g->changes, change_cmp);
}

/* Whether the member belongs on `day`: the last join or leave dated on or
 * before it says; with none, a join still to come says not yet, and
 * otherwise being born by then does (a record without a birth date: yes). */
static int present(const struct cz_rreg *g, const struct cz_rreg_member *m, uint32_t day)
{
    size_t lo = 0, hi = g->nchanges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (memcmp(g->changes[mid].member, m->member, CZ_ENTITY_BYTES) < 0) lo = mid + 1;
        else hi = mid;
    }
    int decided = -1, joins_later = 0;
    for (size_t i = lo; i < g->nchanges && !memcmp(g->changes[i].member, m->member, CZ_ENTITY_BYTES); i++) {
        if (g->changes[i].date <= day) decided = !g->changes[i].leaving;
        else if (!g->changes[i].leaving && decided < 0) joins_later = 1;
    }
    if (decided >= 0) return decided;
    if (joins_later) return 0;
    return !m->born || m->born <= day;
}

size_t cz_rreg_present(const struct cz_rreg *g, const uint8_t household[CZ_ENTITY_BYTES], uint32_t day)
{
    size_t lo = 0, hi = g->nmembers, n = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (memcmp(g->members[mid].household, household, CZ_ENTITY_BYTES) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < g->nmembers && !memcmp(g->members[i].household, household, CZ_ENTITY_BYTES); i++)
        n += (size_t)present(g, &g->members[i], day);
    return n;
}

static int income_cmp(const void *a, const void *b)
{
    const struct cz_report_income *x = a, *y = b;
    int c = strcmp(x->village, y->village);
    return c ? c : (x->year > y->year) - (x->year < y->year);
}

int cz_rreg_finish(struct cz_rreg *g, struct cz_report *r)
{
    size_t cap = 0;
    for (size_t i = 0; i < g->nincomes; i++) {
        const struct cz_rreg_income *in = &g->incomes[i];
        struct cz_report_income *row = NULL;
        for (size_t k = 0; k < r->nincome && !row; k++)
            if (r->income[k].year == in->year && !strcmp(r->income[k].village, in->village)) row = &r->income[k];
        if (!row) {
            int rc = cz_grow(&r->income, &cap, r->nincome + 1, sizeof *r->income);
            if (rc) return rc;
            row = &r->income[r->nincome++];
            memset(row, 0, sizeof *row);
            snprintf(row->village, sizeof row->village, "%s", in->village);
            row->year = in->year;
        }
        row->households++;
        row->people += (int64_t)cz_rreg_present(g, in->household, (uint32_t)in->year * 10000 + 1231);
        row->wages += in->wages;
        row->production += in->production;
        row->costs += in->costs;
        row->property += in->property;
        row->transfers += in->transfers;
        row->net += in->net;
    }
    if (r->nincome) qsort(r->income, r->nincome, sizeof *r->income, income_cmp);
    return CZ_OK;
}

void cz_rreg_free(struct cz_rreg *g)
{
    free(g->members);
    free(g->changes);
    free(g->incomes);
    memset(g, 0, sizeof *g);
}

/* ---- one household: its people on a day, its income of a year ---- */

struct one { cz_txn *t; struct cz_rreg g; int year; struct cz_rreg_income *in; int rc; };

static int linked_change_cb(void *ctx, const uint8_t *entity)
{
    struct one *o = ctx;
    struct cz_record r;
    if (cz_record_load(o->t, entity, &r) != CZ_OK) return 0;
    if (!r.deleted && r.body && !strcmp(r.type_key, "member_change")) o->rc = cz_rreg_change(&o->g, &r);
    cz_record_clear(&r);
    return o->rc;
}

static int linked_cb(void *ctx, const uint8_t *entity)
{
    struct one *o = ctx;
    struct cz_record r;
    char term[64];
    if (cz_record_load(o->t, entity, &r) != CZ_OK) return 0;
    if (!r.deleted && r.body && !strcmp(r.type_key, "member")) {
        if (!(o->rc = cz_rreg_member(&o->g, &r)))
            o->rc = cz_store_index_each(o->t, term, cz_term_link(term, sizeof term, entity, CZ_ENTITY_BYTES),
                                        linked_change_cb, o);
    } else if (!r.deleted && r.body && !strcmp(r.type_key, "income") && sint_of(&r, "year") == o->year) {
        o->rc = cz_rreg_income(&o->g, &r);
    }
    cz_record_clear(&r);
    return o->rc;
}

int cz_report_household(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], uint32_t day, int year,
                        size_t *people, struct cz_report_income *income, int *has_income)
{
    struct one o = { .t = t, .year = year };
    char term[64];
    int rc = cz_store_index_each(t, term, cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES), linked_cb, &o);
    if (!rc) rc = o.rc;
    if (!rc) {
        cz_rreg_sort(&o.g);
        if (people) *people = cz_rreg_present(&o.g, household, day);
        if (has_income) *has_income = o.g.nincomes > 0;
        if (income) {
            memset(income, 0, sizeof *income);
            if (o.g.nincomes) {
                const struct cz_rreg_income *in = &o.g.incomes[0];
                snprintf(income->village, sizeof income->village, "%s", in->village);
                income->year = in->year;
                income->households = 1;
                income->people = (int64_t)cz_rreg_present(&o.g, household, (uint32_t)year * 10000 + 1231);
                income->wages = in->wages;
                income->production = in->production;
                income->costs = in->costs;
                income->property = in->property;
                income->transfers = in->transfers;
                income->net = in->net;
            }
        }
    }
    cz_rreg_free(&o.g);
    return rc;
}

/* ---- one household: its attribute as of a year ---- */

struct attr_year { int year; uint64_t hlc; char key[16]; };
struct attrs { cz_txn *t; int year; struct attr_year *p; size_t n, cap; int rc; };

static int attr_cb(void *ctx, const uint8_t *entity)
{
    struct attrs *a = ctx;
    struct cz_record r;
    const char *k;
    size_t len;
    if (cz_record_load(a->t, entity, &r) != CZ_OK) return 0;
    int y = !r.deleted && r.body && !strcmp(r.type_key, "income") ? (int)sint_of(&r, "year") : -1;
    if (y > 0 && (!a->year || y <= a->year)) {
        size_t i = 0;
        while (i < a->n && a->p[i].year != y) i++;
        if (i == a->n && cz_grow(&a->p, &a->cap, a->n + 1, sizeof *a->p)) a->rc = CZ_ENOMEM;
        else if (i == a->n || a->p[i].hlc < r.hlc) {
            struct attr_year *e = &a->p[i];
            if (i == a->n) a->n++;
            memset(e, 0, sizeof *e);
            e->year = y;
            e->hlc = r.hlc;
            if (cz_body_get_text(r.body, cz_schema_field(r.type, "attribute")->tag, &k, &len) == CZ_OK &&
                len < sizeof e->key)
                memcpy(e->key, k, len);
        }
    }
    cz_record_clear(&r);
    return a->rc;
}

int cz_report_attribute(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], int year, char *key, size_t size,
                        int *from)
{
    struct attrs a = { .t = t, .year = year };
    struct cz_record h;
    const char *k;
    size_t len, best = SIZE_MAX;
    char term[64];
    key[0] = 0;
    *from = 0;
    int rc = cz_store_index_each(t, term, cz_term_link(term, sizeof term, household, CZ_ENTITY_BYTES), attr_cb, &a);
    if (!rc) rc = a.rc;
    for (size_t i = 0; !rc && i < a.n; i++)
        if (a.p[i].key[0] && (best == SIZE_MAX || a.p[i].year > a.p[best].year)) best = i;
    if (!rc && best != SIZE_MAX) {
        snprintf(key, size, "%s", a.p[best].key);
        *from = a.p[best].year;
    } else if (!rc && cz_record_load(t, household, &h) == CZ_OK) {
        const struct cz_field *f = h.type && h.body ? cz_schema_field(h.type, "attribute") : NULL;
        if (f && cz_body_get_text(h.body, f->tag, &k, &len) == CZ_OK) snprintf(key, size, "%.*s", (int)len, k);
        cz_record_clear(&h);
    }
    free(a.p);
    return rc;
}
