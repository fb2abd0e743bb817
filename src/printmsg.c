/* printmsg.c — a failed print call as a sentence (print.h).  Apart from
 * print.c so that a build without printing (PRINT=0) says it the same. */
#include "print.h"
#include "text.h"

#include <stdio.h>

/* One character as UTF-8, to name it. */
static void utf8_of(uint32_t cp, char out[5])
{
    if (cp < 0x80) { out[0] = (char)cp; out[1] = 0; }
    else if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); out[2] = 0; }
    else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); out[3] = 0;
    } else {
        out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[2] = (char)(0x80 | (cp >> 6 & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); out[4] = 0;
    }
}

void cz_print_message(int rc, const struct cz_print_out *o, enum cz_lang lang, char *buf, size_t size)
{
    char safe[4200];   /* a whole path: the person has to find it */
    int zh = lang == CZ_LANG_ZH;
    if (rc == CZ_EREADONLY) rc = CZ_EPRINTRO;
    if (rc == CZ_ENOGLYPH) {
        char ch[5], shown[16];
        utf8_of(o->codepoint, ch);
        cz_text_safe(ch, shown, sizeof shown);
        snprintf(buf, size, "%s: %s U+%04X \"%s\" %s \"%s\": %s", cz_text_safe(o->path, safe, sizeof safe),
                 zh ? "字符" : "the character", (unsigned)o->codepoint, shown, zh ? "出现在" : "in", o->context,
                 cz_strerror(rc, lang));
    } else if (rc == CZ_ENOHOUSEHOLD || rc == CZ_ENOTHOUSEHOLD || rc == CZ_ENONOTICE || rc == CZ_ENOVILLAGEHH ||
               rc == CZ_EPLACECODE || rc == CZ_ENOPLACE) {
        snprintf(buf, size, "%s%s%s", o->context, o->context[0] ? ": " : "", cz_strerror(rc, lang));
    } else {
        snprintf(buf, size, "%s: %s", cz_text_safe(o->path ? o->path : "", safe, sizeof safe), cz_strerror(rc, lang));
    }
}

int cz_print_file_name(const char *doc, const char *what, char *buf, size_t size)
{
    char safe[128];
    size_t j = 0;
    /* A household number may hold anything a file name should not: a
     * slash would name another folder, a control character a name the
     * person cannot type. */
    for (const char *s = what ? what : ""; *s && j + 1 < sizeof safe; s++)
        safe[j++] = (*s == '/' || (unsigned char)*s < 0x20) ? '_' : *s;
    safe[j] = 0;
    return snprintf(buf, size, "%s%s%s.pdf", doc, j ? "-" : "", safe);
}
