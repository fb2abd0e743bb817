/* print_int.h — the page engine the documents share (print_layout.c):
 * A4 pages filled top to bottom with titles, paragraphs, label-value
 * lines and tables whose cells wrap, a footer on every page, and the font
 * check.  Only print*.c include this.
 *
 * Drawing calls return nothing: the first failure (a missing glyph, cairo
 * out of memory) is kept in the page set and every later call does
 * nothing, so a document is written as a plain sequence and asks once, at
 * cz_pdf_save.  Text passed in is copied by pango: it need only live
 * during the call. */
#ifndef CZ_PRINT_INT_H
#define CZ_PRINT_INT_H

#include <stddef.h>
#include <stdint.h>
#include "print.h"
#include "query.h"

struct cz_pdf;

/* A new document in o->lang; o receives the glyph failure, if any. */
int cz_pdf_new(struct cz_print_out *o, struct cz_pdf **out);
/* Finishes the last page and writes the PDF as o->path (fsutil.h); then,
 * or on the first failure kept, returns the status.  o->pages is set. */
int cz_pdf_save(struct cz_pdf *p);
void cz_pdf_free(struct cz_pdf *p);   /* NULL is fine */
int cz_pdf_status(const struct cz_pdf *p);
/* Keeps rc as the document's failure (the first one counts). */
void cz_pdf_fail(struct cz_pdf *p, int rc);

/* The footer of the current page and every later one, until set again. */
void cz_pdf_footer(struct cz_pdf *p, const char *text);
/* Ends the current page (when anything is on it) and starts a new one. */
void cz_pdf_page(struct cz_pdf *p);

void cz_pdf_title(struct cz_pdf *p, const char *text);
void cz_pdf_heading(struct cz_pdf *p, const char *text);
/* A paragraph, wrapped at the margins, breaking pages between lines. */
void cz_pdf_text(struct cz_pdf *p, const char *text);
/* "label  value": the label in a column of its own, the value wrapped. */
void cz_pdf_field(struct cz_pdf *p, const char *label, const char *value);
/* Vertical space, in points. */
void cz_pdf_space(struct cz_pdf *p, double pt);

/* A table: up to CZ_PDF_COLS columns, widths as shares of the text width
 * (summing to 1), a header row repeated on every page the table runs
 * onto.  A bar column draws cz_pdf_row's `bar` (0..1) instead of text. */
#define CZ_PDF_COLS 10
struct cz_pdf_col {
    const char *head;
    double share;
    int right;      /* a number: right-aligned */
    int bar;
};
#define CZ_COL(h, s) { .head = (h), .share = (s) }
#define CZ_NUM(h, s) { .head = (h), .share = (s), .right = 1 }
#define CZ_BAR(h, s) { .head = (h), .share = (s), .bar = 1 }
void cz_pdf_table(struct cz_pdf *p, const struct cz_pdf_col *cols, size_t n);
/* One row; cells[i] NULL or "" for an empty cell.  A row too tall for a
 * page is printed as "head: value" paragraphs instead, so nothing is cut. */
void cz_pdf_row(struct cz_pdf *p, const char *const *cells, double bar);
/* Ends the table (space after it). */
void cz_pdf_table_end(struct cz_pdf *p);

/* ---- shared by the documents ---- */

/* The label in the document's language. */
const char *cz_pdf_tr(const struct cz_pdf *p, const char *en, const char *zh);
/* "YYYY-MM-DD" of a YYYYMMDD date ("" for 0). */
void cz_pdf_date(uint32_t yyyymmdd, char *buf, size_t size);


/* ---- records (print_rec.c) ---- */

/* The entities a walk reports, in its order (cz_print_collect is the
 * walk's callback); the caller frees v. */
struct cz_ents {
    uint8_t (*v)[CZ_ENTITY_BYTES];
    size_t n, cap;
};
int cz_print_collect(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES]);
/* A field as shown (enum labels in lang); "" when absent.  Returns buf. */
const char *cz_print_val(const struct cz_record *r, const char *field, enum cz_lang lang, char *buf, size_t size);
/* A field as stored: an enum's key ("head"), not its label; "" when
 * absent.  Returns buf. */
const char *cz_print_key(const struct cz_record *r, const char *field, char *buf, size_t size);
/* A date field (YYYYMMDD); 0 when absent. */
uint64_t cz_print_uint(const struct cz_record *r, const char *field);
/* A year, count or money (fen) field; 0 when absent. */
int64_t cz_print_sint(const struct cz_record *r, const char *field);
/* The entity a reference field names: 1, or 0 when absent. */
int cz_print_ref(const struct cz_record *r, const char *field, uint8_t out[CZ_ENTITY_BYTES]);

#endif
