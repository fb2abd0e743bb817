/* csvload.h — a spreadsheet export (CSV) turned into rows of field
 * assignments for cz_station_add_many (the `load` command).
 *
 * The file may be UTF-8 (with or without a byte-order mark) or GB18030, as
 * Chinese Excel writes it.  The first row names the columns by field key or
 * by label in either language; a blank header cell marks a column that is
 * ignored.  Blank rows are skipped.  Nothing here touches the store, so the
 * parser can be fed any bytes (tests/fuzz/fuzz_csv.c does).
 *
 * Lifetimes: everything in a cz_csv (the column fields, the assignments and
 * the strings they point to) stays valid until cz_csv_free. */
#ifndef CZ_CSVLOAD_H
#define CZ_CSVLOAD_H

#include <stddef.h>
#include "schema.h"

struct cz_csv_sheet;

struct cz_csv {
    size_t ncols;
    const struct cz_field **cols;     /* per column; NULL for an ignored one */
    size_t nrows;                     /* data rows that hold a value */
    struct cz_assign **rows;          /* rows[i][0..counts[i]) */
    size_t *counts;
    size_t *line_of;                  /* the file's row number (1 = header) */
    /* When cz_csv_load fails: */
    const char *csv_error;            /* CZ_ECANON: libcsv's message (static) */
    char *bad_column;                 /* CZ_EFIELD: the unknown column (normalised) */
    struct cz_csv_sheet *sheet;       /* the cells */
};

/* Parses data[0..len) (not modified; need not be NUL-terminated) for records
 * of type ty.  CZ_OK; CZ_EUTF8 when the bytes are neither UTF-8 nor GB18030;
 * CZ_ECANON for a malformed CSV (csv_error says how); CZ_EEMPTY for no rows
 * at all; CZ_EFIELD for a header cell that names no field of ty
 * (bad_column); CZ_ENOMEM.  Call cz_csv_free in every case. */
int cz_csv_load(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out);
void cz_csv_free(struct cz_csv *c);

#endif
