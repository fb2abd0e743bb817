/* schema_mask.c — how a private field (CZ_FF_PRIVATE) reads to someone
 * not logged in (schema.h, cz_schema_mask). */
#include "schema.h"

#include <stdio.h>
#include <string.h>

void cz_schema_mask(const struct cz_field *f, const char *clear, char *buf, size_t size)
{
    size_t len = strlen(clear), keep_head = 0, keep_tail = 0;
    if (!size) return;
    if (!(f->flags & CZ_FF_PRIVATE) || !len) { snprintf(buf, size, "%s", clear); return; }
    /* Enough to tell two people apart on a list, never enough to use. */
    if (f->type == CZ_F_IDNUM && len > 4) keep_tail = 4;
    else if (f->type == CZ_F_PHONE && len > 7) { keep_head = 3; keep_tail = 4; }
    /* A birth date with the ID's last four and the village's code would
     * give the whole ID number back: only its year is left. */
    if (f->type == CZ_F_DATE && len == 10) { snprintf(buf, size, "%.4s-**-**", clear); return; }
    if (!keep_tail) { snprintf(buf, size, "***"); return; }
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++)
        buf[o++] = i < keep_head || i >= len - keep_tail ? clear[i] : '*';
    buf[o] = 0;
}

int cz_schema_format_shown(const struct cz_field *f, const cz_body *b, enum cz_lang lang, int labels,
                           int masked, char *buf, size_t size)
{
    int kind = cz_schema_format(f, b, lang, labels, buf, size);
    if (kind && masked && (f->flags & CZ_FF_PRIVATE)) {
        char clear[512];
        snprintf(clear, sizeof clear, "%s", buf);
        cz_schema_mask(f, clear, buf, size);
    }
    return kind;
}
