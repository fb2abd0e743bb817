/* Fuzz target: the strict entry decoder and the structure-only parser used
 * for stored entries (entry.h).  Invariants: whatever decodes also parses,
 * to the same fields; a decoded entry written again from its fields, with
 * its own signature, gives back exactly the input bytes and the same id. */
#include "codec.h"
#include "entry.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int copy_sig(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    memcpy(sig, ctx, 64);
    return CZ_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cz_entry e, pe;
    uint8_t id[CZ_ID_BYTES], id2[CZ_ID_BYTES], *out = NULL;
    size_t out_len = 0;
    int parsed = cz_entry_parse(data, size, &pe);
    if (cz_entry_decode(data, size, &e) != CZ_OK) return 0;
    if (parsed != CZ_OK || pe.seq != e.seq || pe.body != e.body || pe.body_len != e.body_len ||
        pe.nparents != e.nparents || strcmp(pe.type, e.type) || strcmp(pe.region, e.region))
        abort();
    if (e.raw != data || e.raw_len != size || e.body_len > CZ_BODY_MAX) abort();
    (void)cz_entry_verify(&e);                    /* must not crash; almost never holds */

    struct cz_entry_draft d;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, e.origin, 32);
    d.seq = e.seq;
    memcpy(d.prev, e.prev, CZ_ID_BYTES);
    d.hlc = e.hlc;
    d.wall = e.wall;
    memcpy(d.entity, e.entity, CZ_ENTITY_BYTES);
    d.flags = e.flags;
    d.type = e.type;
    d.region = e.region;
    d.nparents = e.nparents;
    d.parents = e.parents;
    d.body = e.body;
    d.body_len = e.body_len;
    if (cz_entry_write(&d, copy_sig, (void *)e.sig, &out, &out_len, id) != CZ_OK) abort();
    if (out_len != size || memcmp(out, data, size)) abort();
    cz_entry_id(data, size, id2);
    if (memcmp(id, id2, sizeof id)) abort();
    free(out);
    return 0;
}
