/* csvload.c — CSV bytes to rows of assignments (csvload.h), on libcsv. */
#include "csvload.h"
#include "grow.h"
#include "status.h"
#include "text.h"

#include <csv.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* Cells of the whole file, row by row (libcsv callbacks fill it). */
struct cz_csv_sheet {
    char **cells;            /* all cells, NUL-terminated */
    size_t ncells, capcells;
    size_t *row_start, *row_len;   /* per row: first cell index, cell count */
    size_t nrows, caprows;
    size_t cur_start;
    int oom;
};

static void sheet_cell(void *s, size_t len, void *data)
{
    struct cz_csv_sheet *sh = data;
    if (sh->oom) return;
    if (cz_grow(&sh->cells, &sh->capcells, sh->ncells + 1, sizeof *sh->cells)) { sh->oom = 1; return; }
    char *cell = malloc(len + 1);
    if (!cell) { sh->oom = 1; return; }
    if (len) memcpy(cell, s, len);
    cell[len] = 0;
    sh->cells[sh->ncells++] = cell;
}

static void sheet_row(int term, void *data)
{
    struct cz_csv_sheet *sh = data;
    if (sh->oom) return;
    /* Two arrays of one length: row_len is grown to at least row_start's
     * new room, so caprows holds for both. */
    if (sh->nrows == sh->caprows) {
        size_t start_cap = sh->caprows, len_cap = sh->caprows;
        if (cz_grow(&sh->row_start, &start_cap, sh->nrows + 1, sizeof *sh->row_start) ||
            cz_grow(&sh->row_len, &len_cap, start_cap, sizeof *sh->row_len)) {
            sh->oom = 1;
            return;
        }
        sh->caprows = start_cap;
    }
    sh->row_start[sh->nrows] = sh->cur_start;
    sh->row_len[sh->nrows] = sh->ncells - sh->cur_start;
    sh->nrows++;
    sh->cur_start = sh->ncells;
}

static void sheet_free(struct cz_csv_sheet *sh)
{
    if (!sh) return;
    for (size_t i = 0; i < sh->ncells; i++) free(sh->cells[i]);
    free(sh->cells);
    free(sh->row_start);
    free(sh->row_len);
    free(sh);
}

/* Chinese Excel saves CSV as GB18030 (or its subset GBK); such a file is
 * converted to UTF-8.  A UTF-8 byte-order mark is dropped.  *out is a new
 * malloc'd, NUL-terminated copy. */
static int to_utf8(const char *in, size_t len, char **out, size_t *out_len)
{
    if (len >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) { in += 3; len -= 3; }
    if (cz_utf8_valid(in, len)) {
        if (!(*out = malloc(len + 1))) return CZ_ENOMEM;
        if (len) memcpy(*out, in, len);
        (*out)[len] = 0;
        *out_len = len;
        return CZ_OK;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return CZ_EUTF8;
    /* A GB18030 character of 1, 2 or 4 bytes becomes at most 4 bytes of UTF-8
     * (a 2-byte one at most 3), so twice the length always suffices. */
    size_t cap = len * 2 + 16, left = cap, inleft = len;
    char *buf = malloc(cap + 1), *op = buf, *ip = (char *)in;
    if (!buf) { iconv_close(cd); return CZ_ENOMEM; }
    size_t r = iconv(cd, &ip, &inleft, &op, &left);
    iconv_close(cd);
    if (r == (size_t)-1 || inleft) { free(buf); return CZ_EUTF8; }
    *op = 0;
    *out = buf;
    *out_len = (size_t)(op - buf);
    return CZ_OK;
}

static int parse_sheet(const char *buf, size_t len, struct cz_csv *c)
{
    struct csv_parser parser;
    struct cz_csv_sheet *sh = c->sheet;
    if (csv_init(&parser, CSV_APPEND_NULL) != 0) return CZ_ENOMEM;
    if (csv_parse(&parser, buf, len, sheet_cell, sheet_row, sh) != len ||
        csv_fini(&parser, sheet_cell, sheet_row, sh) != 0 || sh->oom) {
        c->csv_error = csv_strerror(csv_error(&parser));
        csv_free(&parser);
        return CZ_ECANON;
    }
    csv_free(&parser);
    return sh->nrows < 1 ? CZ_EEMPTY : CZ_OK;
}

/* Header: field keys or labels in either language. */
static int map_header(const struct cz_type *ty, struct cz_csv *c)
{
    struct cz_csv_sheet *sh = c->sheet;
    c->ncols = sh->row_len[0];
    if (!(c->cols = calloc(c->ncols ? c->ncols : 1, sizeof *c->cols))) return CZ_ENOMEM;
    for (size_t j = 0; j < c->ncols; j++) {
        char *name = NULL;
        const char *raw = sh->cells[sh->row_start[0] + j];
        if (cz_text_normalize_line(raw, strlen(raw), &name) == CZ_OK)
            c->cols[j] = cz_schema_field(ty, name);
        if (!c->cols[j] && name && name[0]) {
            c->bad_column = name;
            return CZ_EFIELD;
        }
        free(name);
    }
    return CZ_OK;
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
        for (size_t j = 0; j < sh->row_len[i] && j < c->ncols; j++) {
            const char *v = sh->cells[sh->row_start[i] + j];
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
    char *buf = NULL;
    size_t blen = 0;
    int rc;
    memset(out, 0, sizeof *out);
    if (to_utf8(data, len, &buf, &blen)) return CZ_EUTF8;
    if (!(out->sheet = calloc(1, sizeof *out->sheet))) { free(buf); return CZ_ENOMEM; }
    rc = parse_sheet(buf, blen, out);
    free(buf);
    if (rc == CZ_OK) rc = map_header(ty, out);
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
    sheet_free(c->sheet);
    memset(c, 0, sizeof *c);
}
