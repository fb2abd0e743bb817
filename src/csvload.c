/* csvload.c — CSV bytes to rows of assignments (csvload.h).
 *
 * The cells are cut from the raw bytes before the encoding is known: the
 * bytes that shape a CSV file (quote, comma, CR, LF) are ASCII and never
 * part of a multi-byte UTF-8 or GB18030 character, so the rows can be cut
 * first and then judged one by one for their encoding (encoding.h).  The
 * file is read row by row, three times (cut and judge; check; hand out),
 * into one buffer reused for each row: a load of a million rows must not
 * hold a million rows' cells.
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

/* A cell of the row being read: text[off, off + len), NUL-terminated. */
struct cell { size_t off, len; };

/* The reader: where the next row starts, and the cells of the row just
 * read (one buffer reused from row to row, so a file of any length is read
 * in the memory of its longest row). */
struct cz_csv_sheet {
    const char *data;
    size_t len;
    size_t pos, row;               /* the next row's first byte, its index (0 = header) */
    size_t body_pos;               /* where the first data row starts */
    char *text;
    size_t text_len, text_cap;
    struct cell *cells;
    size_t ncells, capcells;
    struct cz_assign *assign;      /* ncols of them */
};

static void sheet_free(struct cz_csv_sheet *sh)
{
    if (!sh) return;
    free(sh->text);
    free(sh->cells);
    free(sh->assign);
    free(sh);
}

/* Appends s[0..n) and a NUL to the row's text; *off gets where it starts.
 * With `quoted`, doubled quotes are made single. */
static int put_text(struct cz_csv_sheet *sh, const char *p, size_t n, int quoted, size_t *off, size_t *out_len)
{
    if (cz_grow(&sh->text, &sh->text_cap, sh->text_len + n + 1, 1)) return CZ_ENOMEM;
    char *s = sh->text + sh->text_len;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        s[k++] = p[i];
        if (quoted && p[i] == '"') i++;
    }
    s[k] = 0;
    *off = sh->text_len;
    *out_len = k;
    sh->text_len += k + 1;
    return CZ_OK;
}

static int add_cell(struct cz_csv_sheet *sh, const char *p, size_t n, int quoted)
{
    struct cell cl;
    if (cz_grow(&sh->cells, &sh->capcells, sh->ncells + 1, sizeof *sh->cells)) return CZ_ENOMEM;
    if (put_text(sh, p, n, quoted, &cl.off, &cl.len)) return CZ_ENOMEM;
    sh->cells[sh->ncells++] = cl;
    return CZ_OK;
}

static const char *cell_text(const struct cz_csv_sheet *sh, size_t j)
{
    return sh->text + sh->cells[j].off;
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
    size_t line = sh->row + 1, k = *i;
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

/* Cuts the row at sh->pos into cells (raw bytes, quotes undone); *span
 * gets its bytes without the line end.  0 cells when the file has ended. */
static int scan_row(struct cz_csv *c, struct cz_enc_row *span)
{
    struct cz_csv_sheet *sh = c->sheet;
    const char *p = sh->data;
    size_t n = sh->len, i = sh->pos;
    int rc;
    sh->ncells = 0;
    sh->text_len = 0;
    if (i >= n) return CZ_OK;
    span->off = i;
    for (size_t col = 1;; col++) {
        if ((rc = scan_cell(c, p, n, &i, col))) return rc;
        if (i >= n || p[i] != ',') break;
        i++;
    }
    span->len = i - span->off;
    if (i < n && p[i] == '\r') i++;        /* CRLF, LF, or CR alone (Excel for Mac) */
    else if (i < n && p[i] == '\n') i++;
    if (i > span->off + span->len && p[i - 1] == '\r' && i < n && p[i] == '\n') i++;
    sh->pos = i;
    return CZ_OK;
}

/* The cells of the row just scanned as UTF-8, once the file's encoding is
 * known (a GB18030 cell is converted into the same buffer, after the row). */
static int decode_row(struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    if (c->enc != CZ_ENC_GB18030) return CZ_OK;
    for (size_t j = 0; j < sh->ncells; j++) {
        char *u;
        size_t ulen;
        int rc = cz_enc_to_utf8((enum cz_enc)c->enc, cell_text(sh, j), sh->cells[j].len, &u, &ulen);
        if (rc) return rc == CZ_ENOMEM ? rc : fault(c, rc, sh->row + 1, j + 1);
        rc = put_text(sh, u, ulen, 0, &sh->cells[j].off, &sh->cells[j].len);
        free(u);
        if (rc) return rc;
    }
    return CZ_OK;
}

/* Reads the next row whole (cut, then decoded); 0 cells at the end. */
static int read_row(struct cz_csv *c)
{
    struct cz_enc_row span;
    int rc = scan_row(c, &span);
    if (rc == CZ_OK && c->sheet->ncells) rc = decode_row(c);
    if (rc == CZ_OK && c->sheet->ncells) c->sheet->row++;
    return rc;
}

/* The first pass: every row cut and judged for its encoding, no cell kept.
 * A quote or NUL fault is the first in the file; a row in neither
 * encoding is named after the whole file is cut, as those faults come
 * first. */
static int scan_file(struct cz_csv *c, int declared)
{
    struct cz_csv_sheet *sh = c->sheet;
    struct cz_enc_judge *j = NULL;
    struct cz_enc_verdict v;
    int rc = cz_enc_judge_new(declared, &j), bad = CZ_OK;
    size_t bad_row = 0;
    c->enc = declared ? declared : CZ_ENC_UTF8;
    while (rc == CZ_OK) {
        struct cz_enc_row span;
        if ((rc = scan_row(c, &span)) || !sh->ncells) break;
        int jr = cz_enc_judge_row(j, sh->data + span.off, span.len);
        if (jr == CZ_ENOMEM) rc = jr;
        else if (jr && !bad) { bad = jr; bad_row = sh->row; }
        sh->row++;
    }
    if (rc == CZ_OK && !sh->row) rc = CZ_EEMPTY;
    if (rc == CZ_OK && bad) rc = fault(c, bad, bad_row + 1, 0);
    if (rc == CZ_OK) {
        rc = cz_enc_judge_end(j, &v);
        c->enc = v.enc;
        if (rc == CZ_EMIXENC) {
            c->bad_enc = v.bad_enc;
            c->nbad = v.nbad;
            rc = fault(c, rc, v.bad_row + 1, 0);
        }
    }
    cz_enc_judge_free(j);
    sh->pos = 0;
    sh->row = 0;
    return rc;
}

/* Header: field keys or labels in either language, each field once (the
 * row just read). */
static int map_header(const struct cz_type *ty, struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    c->ncols = sh->ncells;
    if (!(c->cols = calloc(c->ncols ? c->ncols : 1, sizeof *c->cols))) return CZ_ENOMEM;
    if (!(sh->assign = calloc(c->ncols ? c->ncols : 1, sizeof *sh->assign))) return CZ_ENOMEM;
    for (size_t j = 0; j < c->ncols; j++) {
        char *name = NULL;
        int rc = cz_text_normalize_line(cell_text(sh, j), sh->cells[j].len, &name);
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

/* A fault in the data row just read: a non-empty cell beyond the header,
 * or an ID number Excel mangled.  *col gets its column. */
static int row_fault(struct cz_csv *c, size_t *col)
{
    struct cz_csv_sheet *sh = c->sheet;
    for (size_t j = 0; j < sh->ncells; j++) {
        const char *v = cell_text(sh, j);
        *col = j + 1;
        if (j >= c->ncols && !blank(v)) return CZ_ECSVCELLS;
        if (j < c->ncols && c->cols[j] && c->cols[j]->type == CZ_F_IDNUM && excel_number(v)) return CZ_EEXCELNUM;
    }
    return CZ_OK;
}

/* The assignments of the data row just read; 0 for a blank row. */
static size_t row_assign(struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    size_t n = 0;
    for (size_t j = 0; j < sh->ncells && j < c->ncols; j++) {
        const char *v = cell_text(sh, j);
        if (c->cols[j] && v[0]) sh->assign[n++] = (struct cz_assign){ .field = c->cols[j]->key, .value = v };
    }
    return n;
}

/* The second pass: every data row decoded and checked, the first at fault
 * named (with the count of rows at fault the same way), the rows that
 * hold a value counted. */
static int check_rows(struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    int first = CZ_OK, rc;
    for (;;) {
        size_t col;
        if ((rc = read_row(c))) return rc;
        if (!sh->ncells) break;
        if (row_assign(c)) c->nrows++;
        if (!(rc = row_fault(c, &col))) continue;
        if (first && rc != first) continue;
        if (!first) {
            first = fault(c, rc, sh->row, col);
            if (!(c->bad_value = strdup(cell_text(sh, col - 1)))) return CZ_ENOMEM;
            if (rc == CZ_EEXCELNUM) {
                /* The header's cell of that column, read again. */
                size_t pos = sh->pos, row = sh->row;
                sh->pos = 0;
                sh->row = 0;
                rc = read_row(c);
                sh->pos = pos;
                sh->row = row;
                if (rc) return rc;
                if (cz_text_normalize_line(cell_text(sh, col - 1), sh->cells[col - 1].len, &c->bad_column) == CZ_ENOMEM)
                    return CZ_ENOMEM;
            }
        }
        c->nbad++;
    }
    return first;
}

int cz_csv_open(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out)
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
    out->sheet->data = data;
    out->sheet->len = len;
    if ((rc = scan_file(out, declared))) return rc;
    if ((rc = read_row(out))) return rc;
    if ((rc = map_header(ty, out))) return rc;
    out->sheet->body_pos = out->sheet->pos;
    if ((rc = check_rows(out))) {
        out->nrows = 0;               /* nothing to hand out */
        return rc;
    }
    cz_csv_rewind(out);
    return CZ_OK;
}

void cz_csv_rewind(struct cz_csv *c)
{
    c->sheet->pos = c->sheet->body_pos;
    c->sheet->row = 1;
}

int cz_csv_next(struct cz_csv *c, struct cz_csv_row *row)
{
    for (;;) {
        int rc = read_row(c);
        if (rc) return rc;
        if (!c->sheet->ncells) return CZ_ENOTFOUND;
        if ((row->n = row_assign(c)) == 0) continue;     /* blank line */
        row->a = c->sheet->assign;
        row->line = c->sheet->row;
        return CZ_OK;
    }
}

int cz_csv_dup(const struct cz_csv *c, struct cz_csv *out)
{
    memset(out, 0, sizeof *out);
    out->ncols = c->ncols;
    out->nrows = c->nrows;
    out->enc = c->enc;
    out->cols = malloc((c->ncols ? c->ncols : 1) * sizeof *out->cols);
    out->sheet = calloc(1, sizeof *out->sheet);
    if (!out->cols || !out->sheet) return CZ_ENOMEM;
    if (c->ncols) memcpy(out->cols, c->cols, c->ncols * sizeof *out->cols);
    out->sheet->data = c->sheet->data;
    out->sheet->len = c->sheet->len;
    out->sheet->body_pos = c->sheet->body_pos;
    if (!(out->sheet->assign = calloc(c->ncols ? c->ncols : 1, sizeof *out->sheet->assign))) return CZ_ENOMEM;
    cz_csv_rewind(out);
    return CZ_OK;
}

/* A copy of one row in one block: its assignments, then their values. */
static struct cz_assign *copy_row(const struct cz_csv_row *r)
{
    size_t size = r->n * sizeof *r->a;
    for (size_t k = 0; k < r->n; k++) size += strlen(r->a[k].value) + 1;
    struct cz_assign *a = malloc(size);
    if (!a) return NULL;
    char *s = (char *)(a + r->n);
    for (size_t k = 0; k < r->n; k++) {
        size_t l = strlen(r->a[k].value) + 1;
        memcpy(s, r->a[k].value, l);
        a[k] = (struct cz_assign){ .field = r->a[k].field, .value = s };
        s += l;
    }
    return a;
}

int cz_csv_load(const struct cz_type *ty, const char *data, size_t len, struct cz_csv *out)
{
    struct cz_csv_row r;
    size_t i = 0;
    int rc = cz_csv_open(ty, data, len, out);
    if (rc) return rc;
    out->rows = calloc(out->nrows ? out->nrows : 1, sizeof *out->rows);
    out->counts = calloc(out->nrows ? out->nrows : 1, sizeof *out->counts);
    out->line_of = calloc(out->nrows ? out->nrows : 1, sizeof *out->line_of);
    if (!out->rows || !out->counts || !out->line_of) return CZ_ENOMEM;
    while (i < out->nrows && (rc = cz_csv_next(out, &r)) == CZ_OK) {
        if (!(out->rows[i] = copy_row(&r))) return CZ_ENOMEM;
        out->counts[i] = r.n;
        out->line_of[i] = r.line;
        i++;
    }
    return rc == CZ_ENOTFOUND || rc == CZ_OK ? CZ_OK : rc;
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
