/* report_int.h — the report's household-side registry figures
 * (report_registry.c): who is a member of a household on a day (joins
 * and leaves, DOMAIN.md "Members who join and leave"), and the income
 * structure by village and year.  report.c feeds the records it walks
 * in; every pointer is the accumulator's own. */
#ifndef CZ_REPORT_INT_H
#define CZ_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include "query.h"
#include "report.h"

struct cz_rreg_member { uint8_t household[CZ_ENTITY_BYTES], member[CZ_ENTITY_BYTES]; uint32_t born; };
struct cz_rreg_change { uint8_t member[CZ_ENTITY_BYTES]; uint32_t date; int leaving; };
struct cz_rreg_income {
    uint8_t household[CZ_ENTITY_BYTES];
    char village[16];
    int year;
    uint64_t hlc;
    int64_t wages, production, costs, property, transfers, net;
};

struct cz_rreg {
    struct cz_rreg_member *members;
    size_t nmembers, capmembers;
    struct cz_rreg_change *changes;
    size_t nchanges, capchanges;
    struct cz_rreg_income *incomes;
    size_t nincomes, capincomes;
};

/* Feeding: members, then changes, then (after cz_rreg_sort) anything. */
int cz_rreg_member(struct cz_rreg *g, const struct cz_record *rec);
int cz_rreg_change(struct cz_rreg *g, const struct cz_record *rec);
/* An income record: of two for one household and year (written apart at
 * two stations), the later clock's counts. */
int cz_rreg_income(struct cz_rreg *g, const struct cz_record *rec);
void cz_rreg_sort(struct cz_rreg *g);
/* How many of the household's members belong to it on `day` (YYYYMMDD). */
size_t cz_rreg_present(const struct cz_rreg *g, const uint8_t household[CZ_ENTITY_BYTES], uint32_t day);
/* The income rows into r->income, sorted by village and year. */
int cz_rreg_finish(struct cz_rreg *g, struct cz_report *r);
void cz_rreg_free(struct cz_rreg *g);

#endif
