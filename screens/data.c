#include "data.h"
#include "parse.h"
#include "people.h"
#include "text.h"
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void data_signer(cz_txn *t, const struct cz_station_info *info, const uint8_t key[32],
                 enum cz_lang lang, char *buf, size_t size)
{
    cz_signer_name(t, info->office_root, key, lang, 0, buf, size);
}

void data_time(int64_t wall, char *buf, size_t size)
{
    cz_format_cst(wall, buf, size);   /* China time, whatever the PC's zone */
}

int data_ref(const struct cz_record *r, const char *field, uint8_t out[CZ_ENTITY_BYTES])
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    const uint8_t *p;
    size_t len;
    if (!f || !r->body || cz_body_get_bytes(r->body, f->tag, &p, &len) || len != CZ_ENTITY_BYTES)
        return CZ_ENOTFOUND;
    memcpy(out, p, CZ_ENTITY_BYTES);
    return CZ_OK;
}

void data_field(const struct cz_record *r, const char *field, enum cz_lang lang, char *buf, size_t size)
{
    const struct cz_field *f = r->type ? cz_schema_field(r->type, field) : NULL;
    buf[0] = 0;
    if (f && r->body) cz_schema_format(f, r->body, lang, 1, buf, size);
}

void data_cells(const struct cz_record *r, enum cz_lang lang, const char *const *fields, int n,
                char (*buf)[DATA_CELL], const char **cells)
{
    for (int i = 0; i < n; i++) {
        buf[i][0] = 0;
        if (fields[i]) data_field(r, fields[i], lang, buf[i], DATA_CELL);
        cells[i] = buf[i];
    }
}

void data_columns(char *out, size_t size, const char *const *cells, const int *widths, int n)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < n && used + 1 < size; i++) {
        const char *s = cells[i] ? cells[i] : "";
        size_t cols = 0, len = strlen(s);
        int trimmed = 0;
        size_t take = widths[i] ? ui_width(s, len, (size_t)widths[i] - 1, &cols, &trimmed) : len;
        /* A cut cell ends in "…" (one column), so it is not read as whole. */
        if (trimmed && widths[i] > 2) take = ui_width(s, len, (size_t)widths[i] - 2, &cols, NULL);
        if (take > size - used - 1) take = size - used - 1;
        memcpy(out + used, s, take);
        used += take;
        if (trimmed && widths[i] > 2 && used + 4 < size) {
            memcpy(out + used, "\xe2\x80\xa6", 3);
            used += 3;
            cols++;
        }
        for (size_t c = cols; widths[i] && c < (size_t)widths[i] && used + 1 < size; c++) out[used++] = ' ';
        out[used] = 0;
    }
}
