/* mirror_derived.c — what a record's row carries beyond its own fields
 * (cunzhan.record.derived): the figures of it that depend on other
 * records, worked out here by the report's own code so the SQL views only
 * sum and join (src/MIRROR.md, "The schema").
 *
 *  - a household: `people`, its members present today (report_int.h:
 *    deaths, moves and marriages out, joins still to come);
 *  - an income record: `people`, its household's members on 31 December
 *    of its year, and `in_report`, whether it is the one the report sums
 *    (of two for one household and year, the later clock's);
 *  - a village_year: `latest`, whether it is its village's latest year,
 *    the one the incidence uses.
 *
 * Only records whose author counts feed these, as in the report.  Each is
 * part of the row's digest, so a death, a newer income record or a new
 * year rewrites the rows it changes. */
#include "mirror_int.h"
#include "counts.h"
#include "grow.h"
#include "index.h"
#include "parse.h"
#include "report_int.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pick { uint8_t entity[CZ_ENTITY_BYTES]; char key[80]; char rank[16]; uint64_t hlc; };

struct cz_mderived {
    struct cz_mirror *m;
    struct cz_mtrust trust;
    struct cz_rreg reg;
    struct pick *incomes, *years;  /* the winners: one per household and year, one per village */
    size_t nincomes, capincomes, nyears, capyears;
    uint32_t today;
    const char *type;
    int rc;
};

int cz_mtrust_why(struct cz_mtrust *c, cz_txn *t, const uint8_t *root, const struct cz_record *rec, int *why)
{
    struct cz_entry e;
    struct cz_mtrust_author *a = NULL;
    int rc = cz_store_get_entry(t, rec->id, &e);
    if (rc) return rc;
    for (size_t i = 0; i < c->n && !a; i++)
        if (!memcmp(c->authors[i].key, rec->origin, 32)) a = &c->authors[i];
    if (!a) {
        if ((rc = cz_grow(&c->authors, &c->cap, c->n + 1, sizeof *c->authors))) return rc;
        a = &c->authors[c->n++];
        memset(a, 0, sizeof *a);
        memcpy(a->key, rec->origin, 32);
        a->found = cz_roster_lookup(t, root, e.origin, &a->info) == CZ_OK;
    }
    /* Judged for each entry: it depends on the entry (type, region, seq). */
    *why = CZ_EPERM;
    if (a->found) cz_counts_entry(t, &a->info, &e, why);
    return CZ_OK;
}

void cz_mtrust_free(struct cz_mtrust *c)
{
    free(c->authors);
    memset(c, 0, sizeof *c);
}

static const char *text_of(const struct cz_record *rec, const char *field, char *buf, size_t size)
{
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (!f || !cz_schema_format(f, rec->body, CZ_LANG_EN, 0, buf, size)) buf[0] = 0;
    return buf;
}

static const uint8_t *ref_of(const struct cz_record *rec, const char *field)
{
    const uint8_t *p;
    size_t len;
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (f && cz_body_get_bytes(rec->body, f->tag, &p, &len) == CZ_OK && len == CZ_ENTITY_BYTES) return p;
    return NULL;
}

static int64_t sint_of(const struct cz_record *rec, const char *field)
{
    int64_t v = 0;
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (f) cz_body_get_sint(rec->body, f->tag, &v);
    return v;
}

static int pick_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ENTITY_BYTES); }

/* The winner of a key, as the report picks it: an income record by a
 * strictly later clock, a village_year by a strictly later year; the
 * first met keeps a tie (both walks go in the index's order). */
static int pick(struct pick **list, size_t *n, size_t *cap, const struct pick *p, int by_clock)
{
    for (size_t i = 0; i < *n; i++) {
        struct pick *q = &(*list)[i];
        if (strcmp(q->key, p->key)) continue;
        if (by_clock ? p->hlc > q->hlc : strcmp(p->rank, q->rank) > 0) *q = *p;
        return CZ_OK;
    }
    int rc = cz_grow(list, cap, *n + 1, sizeof **list);
    if (rc == CZ_OK) (*list)[(*n)++] = *p;
    return rc;
}

static int feed(struct cz_mderived *d, const struct cz_record *rec)
{
    struct pick p = { .hlc = rec->hlc };
    char hex[2 * CZ_ENTITY_BYTES + 1];
    memcpy(p.entity, rec->entity, CZ_ENTITY_BYTES);
    if (!strcmp(d->type, "member")) return cz_rreg_member(&d->reg, rec);
    if (!strcmp(d->type, "member_change")) return cz_rreg_change(&d->reg, rec);
    if (!strcmp(d->type, "income")) {
        const uint8_t *h = ref_of(rec, "household");
        if (!h) return CZ_OK;
        for (size_t i = 0; i < CZ_ENTITY_BYTES; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
        snprintf(p.key, sizeof p.key, "%s/%lld", hex, (long long)sint_of(rec, "year"));
        return pick(&d->incomes, &d->nincomes, &d->capincomes, &p, 1);
    }
    text_of(rec, "village", p.key, sizeof p.key);
    text_of(rec, "year", p.rank, sizeof p.rank);
    if (!p.key[0] || !p.rank[0]) return CZ_OK;
    return pick(&d->years, &d->nyears, &d->capyears, &p, 0);
}

static int walk_cb(void *ctx, const uint8_t *entity)
{
    struct cz_mderived *d = ctx;
    struct cz_record rec;
    int why = CZ_EPERM, rc = cz_record_load(d->m->t, entity, &rec);
    if (rc) return rc;
    if (!rec.deleted && rec.type && rec.body) {
        rc = cz_mtrust_why(&d->trust, d->m->t, d->m->root, &rec, &why);
        if (!rc && why == CZ_OK) rc = feed(d, &rec);
    }
    cz_record_clear(&rec);
    return rc;
}

int cz_mderived_build(struct cz_mirror *m, struct cz_mderived **out)
{
    static const char *const order[] = { "member", "member_change", "income", "village_year" };
    char term[64];
    struct cz_mderived *d = calloc(1, sizeof *d);
    int rc = CZ_OK;
    *out = NULL;
    if (!d) return CZ_ENOMEM;
    d->m = m;
    d->today = cz_today();
    for (size_t i = 0; i < sizeof order / sizeof order[0] && rc == CZ_OK; i++) {
        d->type = order[i];
        rc = cz_store_index_each(m->t, term, cz_term_type(term, sizeof term, order[i]), walk_cb, d);
    }
    if (rc) { cz_mderived_free(d); return rc; }
    cz_rreg_sort(&d->reg);
    if (d->nincomes) qsort(d->incomes, d->nincomes, sizeof *d->incomes, pick_cmp);
    if (d->nyears) qsort(d->years, d->nyears, sizeof *d->years, pick_cmp);
    *out = d;
    return CZ_OK;
}

static int won(const struct pick *list, size_t n, const uint8_t *entity)
{
    return n && bsearch(entity, list, n, sizeof *list, pick_cmp);
}

int cz_mderived_json(const struct cz_mderived *d, const struct cz_record *rec, struct cz_mbuf *b)
{
    if (rec->deleted || !rec->body || !rec->type) return cz_mbuf_str(b, "{}");
    if (!strcmp(rec->type_key, "household"))
        return cz_mbuf_printf(b, "{\"people\": %zu}", cz_rreg_present(&d->reg, rec->entity, d->today));
    if (!strcmp(rec->type_key, "income")) {
        const uint8_t *h = ref_of(rec, "household");
        int year = (int)sint_of(rec, "year");
        size_t people = h ? cz_rreg_present(&d->reg, h, (uint32_t)year * 10000 + 1231) : 0;
        return cz_mbuf_printf(b, "{\"people\": %zu, \"in_report\": %s}", people,
                              won(d->incomes, d->nincomes, rec->entity) ? "true" : "false");
    }
    if (!strcmp(rec->type_key, "village_year"))
        return cz_mbuf_printf(b, "{\"latest\": %s}", won(d->years, d->nyears, rec->entity) ? "true" : "false");
    return cz_mbuf_str(b, "{}");
}

void cz_mderived_free(struct cz_mderived *d)
{
    if (!d) return;
    cz_mtrust_free(&d->trust);
    cz_rreg_free(&d->reg);
    free(d->incomes);
    free(d->years);
    free(d);
}
