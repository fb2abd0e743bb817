/* Fuzz target: the CSV loader (csvload.h) and, for every row it yields,
 * the schema rules that turn typed values into a body (what `load` does
 * before anything reaches the store).  The first byte picks the record
 * type; the rest is the file. */
#include "codec.h"
#include "csvload.h"
#include "schema.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    struct cz_csv csv;
    char buf[1024];
    if (size < 1 || ntypes == 0) return 0;
    const struct cz_type *ty = &types[data[0] % ntypes];
    int rc = cz_csv_load(ty, (const char *)data + 1, size - 1, &csv);
    if (rc == CZ_OK) {
        for (size_t i = 0; i < csv.nrows; i++) {
            struct cz_field_error err;
            cz_body *b = cz_body_new();
            if (!b) abort();
            if (cz_schema_set_many(ty, b, csv.rows[i], csv.counts[i], &err) == CZ_OK &&
                cz_schema_finish(ty, b, 20260101, &err) == CZ_OK) {
                uint8_t *enc = NULL;
                size_t enc_len = 0;
                cz_body *again = NULL;
                if (cz_body_encode(b, &enc, &enc_len) != CZ_OK) abort();
                if (cz_body_decode(enc, enc_len, &again) != CZ_OK || !cz_body_equal(b, again)) abort();
                for (size_t f = 0; f < ty->nfields; f++)
                    cz_schema_format(&ty->fields[f], b, CZ_LANG_ZH, 1, buf, sizeof buf);
                cz_schema_title(ty, b, buf, sizeof buf);
                cz_body_free(again);
                free(enc);
            } else {
                cz_field_error_message(ty, &err, CZ_LANG_EN, buf, sizeof buf);
            }
            cz_body_free(b);
        }
    } else if (rc != CZ_EEMPTY && rc != CZ_ENOMEM && !csv.bad_line) {
        abort();                                  /* every refusal names its row */
    } else if (rc == CZ_EFIELD && !csv.bad_column) {
        abort();
    }
    cz_csv_free(&csv);
    return 0;
}
