/* Fuzz target: the draft file (draft.h), which the screens read back from
 * DIR/drafts/ after a power cut may have cut it short.  Invariants: what
 * does not decode leaves the draft empty; what decodes encodes again (every
 * draft that reads is one the screens could have written), and that
 * encoding decodes to the same draft and is its one spelling: encoded a
 * second time, the same bytes. */
#include "draft.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const struct cz_draft *a, const struct cz_draft *b)
{
    if (strcmp(a->person, b->person) || strcmp(a->type, b->type) || strcmp(a->entity, b->entity) ||
        a->saved != b->saved || a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->f[i].key, b->f[i].key) || strcmp(a->f[i].value, b->f[i].value)) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cz_draft d, again;
    char *enc = NULL, *enc2 = NULL;
    size_t len = 0, len2 = 0;
    if (cz_draft_decode((const char *)data, size, &d) != CZ_OK) {
        if (d.f || d.n) abort();                  /* freed on failure */
        return 0;
    }
    for (size_t i = 0; i < d.n; i++)
        if (cz_draft_get(&d, d.f[i].key) != d.f[i].value) abort();   /* no key twice */
    if (cz_draft_encode(&d, &enc, &len) != CZ_OK) abort();
    if (len > size) abort();                      /* never longer than what it read */
    if (cz_draft_decode(enc, len, &again) != CZ_OK || !same(&d, &again)) abort();
    if (cz_draft_encode(&again, &enc2, &len2) != CZ_OK || len2 != len || memcmp(enc, enc2, len)) abort();
    free(enc);
    free(enc2);
    cz_draft_free(&again);
    cz_draft_free(&d);
    return 0;
}
