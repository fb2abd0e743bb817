/* Fuzz target: the identity file (`init --station --office-key FILE`, the
 * output of `pubkey`), which comes on a stick from whoever wrote it
 * (station.h, cz_identity_parse).  Invariants: what parses has its text
 * fields NUL-terminated inside their arrays; written again the way
 * cz_station_identity writes it, it parses back to the same identity; and
 * its name and region, printed through the one control filter
 * (cz_text_safe), are valid UTF-8 without a single control. */
#include "hex.h"
#include "station.h"
#include "status.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_safe(const char *s)
{
    char out[CZ_NAME_MAX * 3 + 8];
    size_t n = strlen(cz_text_safe(s, out, sizeof out));
    if (!cz_utf8_valid(out, n)) abort();
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)out + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || cz_text_cp_control((uint32_t)cp)) abort();
        i += (size_t)k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cz_identity id, again;
    char *text = malloc(size + 1), *re = NULL, root[65], box[65];
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;                   /* a file is read as text: it ends at its first NUL */
    if (cz_identity_parse(text, &id) != CZ_OK) { free(text); return 0; }
    if (!memchr(id.name, 0, sizeof id.name) || !memchr(id.region, 0, sizeof id.region)) abort();
    check_safe(id.name);
    check_safe(id.region);
    cz_hex(id.root, 32, root);
    cz_hex(id.box, 32, box);
    /* The chain after a rollover (`rolled` lines) round-trips too. */
    char chain[CZ_ROOT_CHAIN_MAX * 100] = "";
    size_t used = 0;
    for (size_t k = 0; k < id.nrolled; k++) {
        char hex[65];
        cz_hex(id.rolled[k].key, 32, hex);
        used += (size_t)snprintf(chain + used, sizeof chain - used, "rolled %s %llu\n", hex,
                                 (unsigned long long)id.rolled[k].upto);
    }
    int n = id.is_office
        ? asprintf(&re, "cunzhan-identity 1\nkind office\nname %s\nregion %s\nroot %s\n%sbox %s\n", id.name, id.region, root,
                   chain, box)
        : asprintf(&re, "cunzhan-identity 1\nkind station\nname %s\nregion %s\n%sbox %s\n", id.name, id.region, chain, box);
    if (n < 0) abort();
    if (cz_identity_parse(re, &again) != CZ_OK) abort();
    if (again.is_office != id.is_office || strcmp(again.name, id.name) || strcmp(again.region, id.region) ||
        memcmp(again.box, id.box, 32) || (id.is_office && memcmp(again.root, id.root, 32)) ||
        again.nrolled != id.nrolled || memcmp(again.rolled, id.rolled, id.nrolled * sizeof *id.rolled))
        abort();
    free(re);
    free(text);
    return 0;
}
