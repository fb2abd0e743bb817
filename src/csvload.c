/* csvload.c — CSV bytes to rows of assignments (csvload.h).
 *
 * The cells are cut from the raw bytes before the encoding is known: the
 * bytes that shape a CSV file (quote, comma, CR, LF) are ASCII and never
 * part of a multi-byte UTF-8 or GB18030 character, so the rows can be cut
 * first and then judged one by one for their encoding (encoding.h).
 *
 * The parser is written here rather than taken from libcsv because every
 * refusal must name the row and column it found (an unclosed quote, a NUL,
 * a cell past the header) and every row must keep its own byte span for
 * the encoding judgement; libcsv's callbacks report neither, and its
 * strict mode says only that the file is bad.  RFC 4180 with CR, LF or
 * CRLF line ends; tests/fuzz/fuzz_csv.c fuzzes it. */
#include "csvload.h"
#include "encoding.h"
#include "grow.h"
#include "idnum.h"
#include "status.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

struct cell { char *s; size_t len; };
struct row { size_t start, ncells; };

/* Cells of the whole file, row by row. */
struct cz_csv_sheet {
    struct cell *cells;
    size_t ncells, capcells;
    struct row *rows;
    struct cz_enc_row *spans;      /* per row: its bytes in the file */
    size_t nrows, caprows, capspans;
};

static void sheet_free(struct cz_csv_sheet *sh)
{
    if (!sh) return;
    for (size_t i = 0; i < sh->ncells; i++) free(sh->cells[i].s);
    free(sh->cells);
    free(sh->rows);
    free(sh->spans);
    free(sh);
}

/* The cell p[0..n), with doubled quotes made single when it was quoted. */
static int add_cell(struct cz_csv_sheet *sh, const char *p, size_t n, int quoted)
{
    if (cz_grow(&sh->cells, &sh->capcells, sh->ncells + 1, sizeof *sh->cells)) return CZ_ENOMEM;
    char *s = malloc(n + 1);
    size_t k = 0;
    if (!s) return CZ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s[k++] = p[i];
        if (quoted && p[i] == '"') i++;
    }
    s[k] = 0;
    sh->cells[sh->ncells++] = (struct cell){ .s = s, .len = k };
    sh->rows[sh->nrows].ncells++;
    return CZ_OK;
}

static int fault(struct cz_csv *c, int status, size_t line, size_t col)
{
    c->bad_line = line;
    c->bad_col = col;
    return status;
}

/* One cell starting at p[*i], which is left at the byte after it (a comma,
 * a line end, or the end). */
static int scan_cell(struct cz_csv *c, const char *p, size_t n, size_t *i, size_t col)
{
    struct cz_csv_sheet *sh = c->sheet;
    size_t line = sh->nrows + 1, k = *i;
    if (k < n && p[k] == '"') {
        size_t start = ++k;
        for (;; k++) {
            if (k >= n) return fault(c, CZ_ECSVQUOTE, line, col);   /* cut inside the cell */
            if (p[k] == 0) return fault(c, CZ_ECSVNUL, line, col);
            if (p[k] == '"' && (k + 1 >= n || p[k + 1] != '"')) break;
            if (p[k] == '"') k++;
        }
        int rc = add_cell(sh, p + start, k - start, 1);
        for (k++; k < n && (p[k] == ' ' || p[k] == '\t'); k++) {}
        if (k < n && p[k] != ',' && p[k] != '\r' && p[k] != '\n') return fault(c, CZ_ECSVQUOTE, line, col);
        *i = k;
        return rc;
    }
    size_t start = k;
    for (; k < n && p[k] != ',' && p[k] != '\r' && p[k] != '\n'; k++)
        if (p[k] == 0) return fault(c, CZ_ECSVNUL, line, col);
    *i = k;
    return add_cell(sh, p + start, k - start, 0);
}

static int scan_rows(struct cz_csv *c, const char *p, size_t n)
{
    struct cz_csv_sheet *sh = c->sheet;
    size_t i = 0;
    int rc;
    while (i < n) {
        if (cz_grow(&sh->rows, &sh->caprows, sh->nrows + 1, sizeof *sh->rows) ||
            cz_grow(&sh->spans, &sh->capspans, sh->nrows + 1, sizeof *sh->spans))
            return CZ_ENOMEM;
        sh->rows[sh->nrows] = (struct row){ .start = sh->ncells, .ncells = 0 };
        sh->spans[sh->nrows].off = i;
        for (size_t col = 1;; col++) {
            if ((rc = scan_cell(c, p, n, &i, col))) return rc;
            if (i >= n || p[i] != ',') break;
            i++;
        }
        sh->spans[sh->nrows].len = i - sh->spans[sh->nrows].off;
        sh->nrows++;
        if (i < n && p[i] == '\r') i++;        /* CRLF, LF, or CR alone (Excel for Mac) */
        else if (i < n && p[i] == '\n') i++;
        else continue;
        if (p[i - 1] == '\r' && i < n && p[i] == '\n') i++;
    }
    return sh->nrows ? CZ_OK : CZ_EEMPTY;
}

/* The cells of every row as UTF-8, once the file's encoding is known. */
static int decode(struct cz_csv *c, const char *p, int declared)
{
    struct cz_csv_sheet *sh = c->sheet;
    struct cz_enc_verdict v;
    int rc = cz_enc_choose(p, sh->spans, sh->nrows, declared, &v);
    c->enc = v.enc;
    if (rc == CZ_EUTF8 || rc == CZ_EMIXENC) {
        c->bad_enc = v.bad_enc;
        c->nbad = v.nbad;
        return fault(c, rc, v.bad_row + 1, 0);
    }
    if (rc || v.enc == CZ_ENC_UTF8) return rc;
    for (size_t r = 0; r < sh->nrows; r++)
        for (size_t j = 0; j < sh->rows[r].ncells; j++) {
            struct cell *cl = &sh->cells[sh->rows[r].start + j];
            char *u;
            size_t ulen;
            if ((rc = cz_enc_to_utf8(v.enc, cl->s, cl->len, &u, &ulen)))
                return rc == CZ_ENOMEM ? rc : fault(c, rc, r + 1, j + 1);
            free(cl->s);
            *cl = (struct cell){ .s = u, .len = ulen };
        }
    return CZ_OK;
}

/* Header: field keys or labels in either language, each field once. */
static int map_header(const struct cz_type *ty, struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    c->ncols = sh->rows[0].ncells;
    if (!(c->cols = calloc(c->ncols ? c->ncols : 1, sizeof *c->cols))) return CZ_ENOMEM;
    for (size_t j = 0; j < c->ncols; j++) {
        char *name = NULL;
        const struct cell *raw = &sh->cells[sh->rows[0].start + j];
        int rc = cz_text_normalize_line(raw->s, raw->len, &name);
        if (rc == CZ_ENOMEM) return rc;
        if (rc == CZ_OK) c->cols[j] = cz_schema_field(ty, name);
        if (!c->cols[j] && name && name[0]) {
            c->bad_column = name;
            return fault(c, CZ_EFIELD, 1, j + 1);
        }
        for (size_t k = 0; c->cols[j] && k < j; k++)
            if (c->cols[k] == c->cols[j]) {
                c->bad_column = name;
                c->bad_col2 = k + 1;
                return fault(c, CZ_ECSVHEADER, 1, j + 1);
            }
        free(name);
    }
    return CZ_OK;
}

/* Nothing but spaces (ASCII or the ideographic one an input method types). */
static int blank(const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') continue;
        if (!strncmp(s, "\xE3\x80\x80", 3)) { s += 2; continue; }
        return 0;
    }
    return 1;
}

/* An ID number as Excel writes a cell it took for a number: in scientific
 * notation (4.11024E+17, 4.11024199001e17), or with every digit after the
 * 15th (all a double keeps) made 0 so that the check character fails. */
static int excel_number(const char *s)
{
    size_t i = 0, digits = 0;
    while (s[i] == ' ') i++;
    if (s[i] == '+' || s[i] == '-') i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (digits && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        size_t exp = 0;
        for (; s[i] >= '0' && s[i] <= '9'; i++) exp++;
        while (s[i] == ' ') i++;
        return exp && !s[i];
    }
    while (s[i] == ' ') i++;
    if (s[i] || digits != 18 || strchr(s, '.')) return 0;
    const char *d = s + strspn(s, " +-");
    struct cz_idnum_info info;
    enum cz_idnum_error why;
    return !strncmp(d + 15, "000", 3) && cz_idnum_parse(d, 0, &info, &why) != CZ_OK;
}

/* A fault in one data row (r: its index in the sheet): a non-empty cell
 * beyond the header, or an ID number Excel mangled.  *col gets its column. */
static int row_fault(struct cz_csv *c, size_t r, size_t *col)
{
    struct cz_csv_sheet *sh = c->sheet;
    for (size_t j = 0; j < sh->rows[r].ncells; j++) {
        const char *v = sh->cells[sh->rows[r].start + j].s;
        *col = j + 1;
        if (j >= c->ncols && !blank(v)) return CZ_ECSVCELLS;
        if (j < c->ncols && c->cols[j] && c->cols[j]->type == CZ_F_IDNUM && excel_number(v)) return CZ_EEXCELNUM;
    }
    return CZ_OK;
}

/* The first row at fault (the fault, and the count of such rows). */
static int check_rows(struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    int first = CZ_OK;
    for (size_t r = 1; r < sh->nrows; r++) {
        size_t col;
        int rc = row_fault(c, r, &col);
        if (!rc) continue;
        if (first && rc != first) continue;
        if (!first) {
            first = fault(c, rc, r + 1, col);
            if (!(c->bad_value = strdup(sh->cells[sh->rows[r].start + col - 1].s))) return CZ_ENOMEM;
            if (rc == CZ_EEXCELNUM && cz_text_normalize_line(sh->cells[sh->rows[0].start + col - 1].s,
                                                             sh->cells[sh->rows[0].start + col - 1].len,
                                                             &c->bad_column) == CZ_ENOMEM)
                return CZ_ENOMEM;
        }
        c->nbad++;
    }
    return first;
}

static int build_rows(struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    c->rows = calloc(sh->nrows, sizeof *c->rows);
    c->counts = calloc(sh->nrows, sizeof *c->counts);
    c->line_of = calloc(sh->nrows, sizeof *c->line_of);
    if (!c->rows || !c->counts || !c->line_of) return CZ_ENOMEM;
    for (size_t i = 1; i < sh->nrows; i++) {
        size_t n = 0;
        struct cz_assign *row = calloc(c->ncols ? c->ncols : 1, sizeof *row);
        if (!row) return CZ_ENOMEM;
        for (size_t j = 0; j < sh->rows[i].ncells && j < c->ncols; j++) {
            const char *v = sh->cells[sh->rows[i].start + j].s;
            if (c->cols[j] && v[0]) row[n++] = (struct cz_assign){ .field = c->cols[j]->key, .value = v };
        }
        if (n == 0) { free(row); continue; }   /* blank line */
        c->rows[c->nrows] = row;
        c->counts[c->nrows] = n;
        c->line_of[c->nrows] = i + 1;
        c->nrows++;
    }
    return CZ_OK;
}

int cz_csv_load(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out)
{
    int rc, declared = 0;
    memset(out, 0, sizeof *out);
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        declared = CZ_ENC_UTF8;
        data += 3;
        len -= 3;
    } else if (len >= 4 && !memcmp(data, "\x84\x31\x95\x33", 4)) {
        declared = CZ_ENC_GB18030;
        data += 4;
        len -= 4;
    }
    if (!(out->sheet = calloc(1, sizeof *out->sheet))) return CZ_ENOMEM;
    rc = scan_rows(out, data, len);
    if (rc == CZ_OK) rc = decode(out, data, declared);
    if (rc == CZ_OK) rc = map_header(ty, out);
    if (rc == CZ_OK) rc = check_rows(out);
    if (rc == CZ_OK) rc = build_rows(out);
    return rc;
}

void cz_csv_free(struct cz_csv *c)
{
    for (size_t i = 0; c->rows && i < c->nrows; i++) free(c->rows[i]);
    free(c->rows);
    free(c->counts);
    free(c->line_of);
    free(c->cols);
    free(c->bad_column);
    free(c->bad_value);
    sheet_free(c->sheet);
    memset(c, 0, sizeof *c);
}
