/* report.h — the office's figures (DOMAIN.md, "What the office must be able
 * to report"), computed from the current view of every record whose author
 * is certified (pending and refused records are left out).
 *
 * Money in fen, areas in hundredths of a mu, quantities in hundredths of a
 * jin, shares in basis points (1/100 of a percent), all integers.  A money
 * figure computed from a product (pepper income: area times income a mu;
 * sales at the floor price: quantity times floor price) is summed exactly
 * and rounded half up to the fen once, at the end (DOMAIN.md); a sum too
 * large for 64 bits fails the report with CZ_ERANGE. */
#ifndef CZ_REPORT_H
#define CZ_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"
#include "store.h"

/* One row of a grouped figure: key and optional subkey, with counters. */
struct cz_report_row {
    char key[64];
    char sub[64];
    int64_t a, b;       /* meaning depends on the table; see cz_report */
};

struct cz_report_table {
    struct cz_report_row *rows;
    size_t n, cap;
};

/* The income structure of one village in one year: the households with an
 * income record that year, their members on 31 December (people), and the
 * sums of the records' parts in fen (DOMAIN.md). */
struct cz_report_income {
    char village[16];
    int year;
    int64_t households, people;
    int64_t wages, production, costs, property, transfers, net;
};

struct cz_report {
    char region[16];                         /* the filter, "" for all */
    /* key village code, sub status (poor, exited, returned): a households, b people */
    struct cz_report_table by_village;
    /* key year: a people exited, b households exited (those whose status is
     * exited now, hhstatus.h, by the year of the exit that decided it) */
    struct cz_report_table exited_by_year;
    /* key cause: a households with it as primary cause, b with it among causes */
    struct cz_report_table by_cause;
    /* key aid kind, sub fund: a value (fen), b records */
    struct cz_report_table aid;
    int64_t special_total, special_industry, special_industry_households;  /* fen */
    int32_t industry_share_bp, household_share_bp;   /* -1 when no special funds */
    int industry_pass, household_pass;
    int64_t trainings, trainees, leaflets;
    int64_t pepper_plots, pepper_area, pepper_expected;      /* area in 1/100 mu, income in fen */
    int64_t sales, sale_quantity, sale_paid, sale_at_floor;  /* quantity 1/100 jin; money fen */
    int64_t households, people, pending_left_out;
    /* ---- registry (household side) ---- */
    /* by village and year, sorted: sums of the yearly income records */
    struct cz_report_income *income;
    size_t nincome;
    /* key measure category: a amount (fen), b records */
    struct cz_report_table measures;
    /* The village side (villrec.h).  incidence: key village code, sub the
     * year of its latest village_year record: a registered people not yet
     * out of poverty (members of households poor or returned now), b the
     * rural registered population of that year; incidence_town the same
     * summed by township (the code's first 9 digits) over the villages
     * that have a village_year.  cz_villrec_incidence_bp(a, b) is the
     * 贫困发生率.  monitors: key kind, sub status (monitored, removed): a
     * records, b of them naming a registered household. */
    struct cz_report_table incidence, incidence_town, monitors;
};

#define CZ_TARGET_INDUSTRY_BP 7000    /* over 70 % of special funds on industry */
#define CZ_TARGET_HOUSEHOLD_BP 8000   /* over 80 % of that reaching registered households */

int cz_report_build(cz_txn *t, const uint8_t office_root[32], const char *region,
                    struct cz_report *r);
void cz_report_free(struct cz_report *r);

/* What both the report screen and `cunzhan report` lay the figures out
 * with, so that the two show the same names and shares. */

/* The name of a place code, from its `place` record ("" when none). */
void cz_report_place_name(cz_txn *t, const char *code, char *buf, size_t size);
/* The label of an enum value in lang, by type and field name; the key
 * itself when the field is not known.  Static text or `key`. */
const char *cz_report_label(const char *type, const char *field, const char *key, enum cz_lang lang);
/* A share in basis points as "85.82%"; "-" when negative (no special funds). */
void cz_report_share(int32_t bp, char *buf, size_t size);
/* The largest a (or b, when on_b) of a table's rows; 0 when it has none. */
int64_t cz_report_table_max(const struct cz_report_table *tb, int on_b);

/* The report as `cunzhan report --csv` prints it (CLI.md): a header line,
 * then "section,key,sub,value,value2" rows; the screen writes the same
 * bytes to a stick.  *out malloc'd (the caller frees it), *len its
 * length.  CZ_ENOMEM. */
/* Net income per person of a row, in fen, rounded half up; 0 without people. */
int64_t cz_report_net_per_person(const struct cz_report_income *row);

/* One household as the report counts it (report_registry.c): *people its
 * members on `day` (YYYYMMDD); with `year`, *income that year's income
 * record as one row (its members on 31 December, households 1) and
 * *has_income whether there is one (of two, the later).  Any out may be
 * NULL. */
int cz_report_household(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], uint32_t day, int year,
                        size_t *people, struct cz_report_income *income, int *has_income);

/* A household's attribute as of `year` (0: now): of its income records of
 * that year or before, per year the later (two written apart), the latest
 * year's that gives one; else the household's own `attribute`, the
 * earliest value (DOMAIN.md, the attribute by year).  key gets the enum
 * key ("" when there is none), *from the year it came from (0: the
 * household's own). */
int cz_report_attribute(cz_txn *t, const uint8_t household[CZ_ENTITY_BYTES], int year, char *key, size_t size,
                        int *from);

int cz_report_csv(const struct cz_report *r, char **out, size_t *len);

#endif
