/* csvload.h — a spreadsheet export (CSV) turned into rows of field
 * assignments for cz_station_add_many (the `load` command).
 *
 * Strict, because whatever is dropped here is lost without a word: every
 * fault refuses the whole file, naming its row and column, before anything
 * reaches the store.  The file is decoded whole in one encoding chosen by
 * what its text reads as (encoding.h: UTF-8 or GB18030, with or without a
 * byte-order mark); a file that mixes them is refused.  Cells are RFC 4180
 * (quotes doubled inside quoted cells; CRLF, LF or CR line ends); a quoted
 * cell left open at the end of the file, text after a closing quote, and a
 * NUL byte are refused.  The first row names the columns by field key or
 * by label in either language; a blank header cell marks a column that is
 * ignored, two naming one field are refused.  A row may end in empty
 * cells beyond the header (Excel writes them) but not in a cell with
 * something in it.  An ID number column that Excel made into a number
 * (4.11024E+17, or 411024199001011000 with digits after the 15th lost) is
 * refused with the fix.  Blank rows are skipped; rows keep their numbers
 * in the file (1 = the header, blank rows counted, as the spreadsheet
 * shows them).  Nothing here touches the store, so the parser can be fed
 * any bytes (tests/fuzz/fuzz_csv.c does).
 *
 * Lifetimes: everything in a cz_csv (the column fields, the assignments and
 * the strings they point to) stays valid until cz_csv_free.
 *
 * A file of any length is read in the memory of its longest row: the
 * reader (cz_csv_open, cz_csv_next) keeps no row once the next is read.
 * cz_csv_open passes over the whole file twice (cutting and judging the
 * encoding, then checking every row), so every fault above is found
 * before the first row is handed out; the caller keeps data[0..len)
 * (a mapped file: its pages are the kernel's to drop) until cz_csv_free. */
#ifndef CZ_CSVLOAD_H
#define CZ_CSVLOAD_H

#include <stddef.h>
#include "schema.h"

struct cz_csv_sheet;

struct cz_csv {
    size_t ncols;
    const struct cz_field **cols;     /* per column; NULL for an ignored one */
    size_t nrows;                     /* data rows that hold a value */
    /* cz_csv_load only: every row at once */
    struct cz_assign **rows;          /* rows[i][0..counts[i]) */
    size_t *counts;
    size_t *line_of;                  /* the file's row number (1 = header) */
    int enc;                          /* the encoding read (encoding.h) */
    /* When cz_csv_load fails, where (0 when it does not apply): */
    size_t bad_line;                  /* the file's row number */
    size_t bad_col;                   /* the column, from 1 */
    size_t bad_col2;                  /* CZ_ECSVHEADER: the earlier column of the same field */
    size_t nbad;                      /* CZ_EMIXENC, CZ_ECSVCELLS, CZ_EEXCELNUM: rows at fault */
    int bad_enc;                      /* CZ_EMIXENC: the encoding bad_line is in */
    char *bad_column;                 /* CZ_EFIELD, CZ_ECSVHEADER, CZ_EEXCELNUM: the header (normalised) */
    char *bad_value;                  /* CZ_ECSVCELLS, CZ_EEXCELNUM: the cell (UTF-8) */
    struct cz_csv_sheet *sheet;       /* the reader */
};

/* One data row from cz_csv_next: valid until the next call. */
struct cz_csv_row {
    const struct cz_assign *a;
    size_t n;                         /* > 0: blank rows are skipped */
    size_t line;                      /* the file's row number (1 = header) */
};

/* Reads data[0..len) (not modified; need not be NUL-terminated) for records
 * of type ty.  CZ_OK; CZ_EEMPTY for no rows at all; CZ_ENOMEM; otherwise
 * the fault, with bad_line and bad_col:
 *   CZ_EUTF8       a row that is neither UTF-8 nor GB18030
 *   CZ_EMIXENC     a row in another encoding than the file's (enc)
 *   CZ_ECSVNUL     a NUL byte (a UTF-16 file has them everywhere)
 *   CZ_ECSVQUOTE   a quoted cell not closed, or text after its closing quote
 *   CZ_EFIELD      a header cell that names no field of ty (bad_column)
 *   CZ_ECSVHEADER  two header cells naming one field (bad_col2, bad_col)
 *   CZ_ECSVCELLS   a non-empty cell beyond the header's columns
 *   CZ_EEXCELNUM   an ID number in scientific notation or cut to 15 digits
 * Call cz_csv_free in every case. */
int cz_csv_open(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out);
/* After cz_csv_open's CZ_OK: the next data row, in file order (CZ_OK), or
 * CZ_ENOTFOUND after the last; CZ_ENOMEM. */
int cz_csv_next(struct cz_csv *c, struct cz_csv_row *row);
/* Back to the first data row. */
void cz_csv_rewind(struct cz_csv *c);
/* A second reader of the sheet c (opened by cz_csv_open), at its first
 * data row, for another thread: it shares c's bytes and nothing else that
 * changes; c must outlive it.  Call cz_csv_free in every case. */
int cz_csv_dup(const struct cz_csv *c, struct cz_csv *out);
/* cz_csv_open, then every row copied into rows, counts and line_of (for
 * tests and small files: it holds the whole sheet). */
int cz_csv_load(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out);
void cz_csv_free(struct cz_csv *c);

#endif
