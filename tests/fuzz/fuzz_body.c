/* Fuzz target: the strict body decoder (codec.h).  Invariant: whatever
 * decodes re-encodes to exactly the same bytes (one byte string per body),
 * and a clone compares equal. */
#include "codec.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cz_body *b = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (cz_body_decode(data, size, &b) != CZ_OK) {
        if (b) abort();                           /* on error *out is NULL */
        return 0;
    }
    if (cz_body_encode(b, &out, &out_len) != CZ_OK) abort();
    if (out_len != size || (size && memcmp(out, data, size))) abort();
    cz_body *c = cz_body_clone(b);
    if (!c || !cz_body_equal(b, c)) abort();
    for (size_t i = 0; i < cz_body_count(b); i++) {
        uint32_t tag = cz_body_tag_at(b, i);
        const char *s;
        size_t n, count;
        switch (cz_body_kind(b, tag)) {
        case CZ_KIND_TEXT:
            if (cz_body_get_text(b, tag, &s, &n) || s[n] != 0) abort();
            break;
        case CZ_KIND_LIST:
            if (cz_body_get_list_count(b, tag, &count) || count == 0) abort();
            for (size_t j = 0; j < count; j++)
                if (cz_body_get_list_item(b, tag, j, &s, &n) || s[n] != 0) abort();
            break;
        default: break;
        }
    }
    cz_body_free(c);
    cz_body_free(b);
    free(out);
    return 0;
}
