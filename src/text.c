/* text.c — Unicode text handling on top of utf8proc.  See text.h. */
#include "text.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NFC_OPTS  (UTF8PROC_STABLE | UTF8PROC_COMPOSE)
#define NFKC_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT)

/* Decode one code point at s[0..len).  Returns its byte length, or 0 when
 * the bytes there are not a well-formed sequence.  utf8proc_iterate already
 * refuses overlongs, surrogates and values above U+10FFFF. */
static size_t decode(const char *s, size_t len, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t n;

    if (len == 0)
        return 0;
    /* utf8proc takes a signed length; the clamp only matters for absurd
     * sizes, and a sequence is never longer than 4 bytes anyway. */
    n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                         len > 4 ? 4 : (utf8proc_ssize_t)len, cp);
    return n > 0 ? (size_t)n : 0;
}

/* Unicode White_Space.  The Zs/Zl/Zp categories cover everything in that
 * property except the controls listed here. */
static int is_space(utf8proc_int32_t cp)
{
    switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case 0x85:
        return 1;
    default:
        break;
    }
    if (cp < 0x80)
        return cp == ' ';
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return 1;
    default:
        return 0;
    }
}

int cz_text_cp_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||   /* embeddings, overrides, isolates */
           cp == 0x200e || cp == 0x200f || cp == 0x061c;                       /* directional marks */
}

/* The marks were accepted in stored text before the display filter learnt
 * them, and refusing them now would refuse other stations' validly signed
 * records; they are dropped where text is shown instead. */
int cz_text_cp_refused(uint32_t cp)
{
    if (cp == '\n' || cp == '\t' || cp == 0x200e || cp == 0x200f || cp == 0x061c)
        return 0;
    return cz_text_cp_control(cp);
}

/* cz_text_cp_refused, and \r too unless allow_cr. */
static int is_bad_control(utf8proc_int32_t cp, int allow_cr)
{
    return cp >= 0 && !(allow_cr && cp == '\r') && cz_text_cp_refused((uint32_t)cp);
}

const char *cz_text_safe(const char *s, char *out, size_t size)
{
    static const char repl[] = "\xEF\xBF\xBD";
    size_t o = 0, len = s ? strlen(s) : 0, i = 0;

    if (size == 0)
        return "";
    while (i < len) {
        utf8proc_int32_t cp = 0;
        size_t n = decode(s + i, len - i, &cp);
        const char *g = s + i;
        size_t glen = n;

        if (n == 0) {
            g = repl;
            glen = 3;
            n = 1;
        } else if (cp == '\t' || cp == '\n') {
            g = " ";
            glen = 1;
        } else if (cz_text_cp_control((uint32_t)cp)) {
            g = repl;
            glen = 3;
        }
        if (o + glen >= size)
            break;   /* whole characters only */
        memcpy(out + o, g, glen);
        o += glen;
        i += n;
    }
    out[o] = 0;
    return out;
}

static int scan_controls(const char *s, size_t len, int allow_cr)
{
    size_t i = 0;

    while (i < len) {
        utf8proc_int32_t cp;
        size_t n = decode(s + i, len - i, &cp);

        if (n == 0)
            return CZ_EUTF8;
        if (is_bad_control(cp, allow_cr))
            return CZ_ECONTROL;
        i += n;
    }
    return CZ_OK;
}

int cz_text_cp_stable(uint32_t cp)
{
    return cp < 0x80 || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
}

/* True when every character is cz_text_cp_stable.  Only well-formed
 * sequences count (the stable ideographs are all 3-byte UTF-8). */
static int map_stable(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        if (len - i < 3 || (p[i] & 0xF0) != 0xE0 || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
            return 0;
        uint32_t cp = (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
        if (!cz_text_cp_stable(cp))
            return 0;
        i += 3;
    }
    return 1;
}

/* utf8proc_map with our error mapping.  Its only failures on input we have
 * already validated are allocation failures. */
static int map(const char *s, size_t len, int options, char **out, size_t *outlen)
{
    utf8proc_uint8_t *buf = NULL;
    utf8proc_ssize_t n;

    *out = NULL;
    /* utf8proc's lengths are signed and its buffers hold 4-byte code
     * points; refuse what it cannot represent. */
    if (len > (size_t)PTRDIFF_MAX / 8)
        return CZ_ETOOBIG;
    /* Numbers, codes and Chinese names: NFC and NFKC leave them as they
     * are and case folding only lowers A-Z, so the answer is a copy (what
     * utf8proc gives, without its round trip through 4-byte code points). */
    if ((options == NFC_OPTS || options == NFKC_OPTS || options == (NFKC_OPTS | UTF8PROC_CASEFOLD)) &&
        map_stable(s, len)) {
        char *copy = malloc(len + 1);
        if (copy == NULL)
            return CZ_ENOMEM;
        for (size_t i = 0; i < len; i++)
            copy[i] = (options & UTF8PROC_CASEFOLD) && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        copy[len] = '\0';
        *out = copy;
        *outlen = len;
        return CZ_OK;
    }
    n = utf8proc_map((const utf8proc_uint8_t *)(len ? s : ""),
                     (utf8proc_ssize_t)len, &buf, (utf8proc_option_t)options);
    if (n < 0) {
        free(buf);
        return n == UTF8PROC_ERROR_NOMEM ? CZ_ENOMEM
             : n == UTF8PROC_ERROR_OVERFLOW ? CZ_ETOOBIG : CZ_EUTF8;
    }
    *out = (char *)buf;
    *outlen = (size_t)n;
    return CZ_OK;
}

int cz_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;

    if (s == NULL)
        return len == 0;
    while (i < len) {
        utf8proc_int32_t cp;
        size_t n = decode(s + i, len - i, &cp);

        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int cz_text_is_nfc(const char *s, size_t len)
{
    char *nfc = NULL;
    size_t nfclen = 0;
    int ok;

    if (!cz_utf8_valid(s, len))
        return 0;
    /* ASCII and CJK ideographs are always NFC and by far the common case:
     * skip the allocation. */
    if (map_stable(s, len))
        return 1;
    /* Out of memory reads as "not NFC": the caller then refuses the text,
     * which is the safe side. */
    if (map(s, len, NFC_OPTS, &nfc, &nfclen) != CZ_OK)
        return 0;
    ok = nfclen == len && memcmp(nfc, s, len) == 0;
    free(nfc);
    return ok;
}

int cz_text_check_controls(const char *s, size_t len)
{
    if (s == NULL)
        return len == 0 ? CZ_OK : CZ_EINVAL;
    return scan_controls(s, len, 0);
}

/* Printable ASCII without spaces (numbers, codes, dates, ids) is its own
 * normal form: NFKC keeps it, and there is nothing to trim or fold. */
static int plain_ascii(const char *in, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)in[i] <= 0x20 || (unsigned char)in[i] >= 0x7f) return 0;
    return 1;
}

/* The first and one-past-last bytes of s that are not spaces (both 0
 * when it is all spaces). */
static void trim_bounds(const char *s, size_t n, size_t *start, size_t *end)
{
    *start = 0;
    *end = 0;
    for (size_t i = 0; i < n; ) {
        utf8proc_int32_t cp;
        size_t k = decode(s + i, n - i, &cp);
        if (!is_space(cp)) {
            if (*end == 0)
                *start = i;
            *end = i + k;
        }
        i += k;
    }
}

/* s[start, end) into out (NUL-terminated): \r\n and a lone \r become \n,
 * and with one_line every run of spaces becomes one ' '.  Every rewrite
 * keeps or shrinks the byte count, so out needs end - start + 1 bytes. */
static void fold(const char *s, size_t start, size_t end, int one_line, char *out)
{
    size_t o = 0;
    int in_space = 0;
    for (size_t i = start; i < end; ) {
        utf8proc_int32_t cp;
        size_t k = decode(s + i, end - i, &cp);

        if (one_line && is_space(cp)) {
            if (!in_space)
                out[o++] = ' ';
            in_space = 1;
        } else if (cp == '\r') {
            if (!(i + 1 < end && s[i + 1] == '\n'))
                out[o++] = '\n';
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            in_space = 0;
        }
        i += k;
    }
    out[o] = '\0';
}

/* Shared body of cz_text_normalize, cz_text_normalize_line and
 * cz_text_prose: NFKC when compat, else NFC. */
static int normalize(const char *in, size_t len, int one_line, int compat, char **out)
{
    char *norm = NULL, *buf = NULL;
    size_t n = 0, start, end;
    int rc;

    if (out == NULL)
        return CZ_EINVAL;
    *out = NULL;
    if (in == NULL && len != 0)
        return CZ_EINVAL;
    if (plain_ascii(in, len)) {
        if (!(buf = malloc(len + 1)))
            return CZ_ENOMEM;
        if (len) memcpy(buf, in, len);
        buf[len] = '\0';
        *out = buf;
        return CZ_OK;
    }
    if (!cz_utf8_valid(in, len))
        return CZ_EUTF8;

    rc = map(in, len, compat ? NFKC_OPTS : NFC_OPTS, &norm, &n);
    if (rc != CZ_OK)
        goto cleanup;
    /* Checked after normalising so that the rule holds for what is stored; \r is
     * let through here because fold turns it into \n. */
    rc = scan_controls(norm, n, 1);
    if (rc != CZ_OK)
        goto cleanup;
    trim_bounds(norm, n, &start, &end);
    if (!(buf = malloc(end - start + 1))) {
        rc = CZ_ENOMEM;
        goto cleanup;
    }
    fold(norm, start, end, one_line, buf);
    *out = buf;
    buf = NULL;
    rc = CZ_OK;

cleanup:
    free(norm);
    free(buf);
    return rc;
}

int cz_text_normalize(const char *in, size_t len, char **out)
{
    return normalize(in, len, 0, 1, out);
}

int cz_text_normalize_line(const char *in, size_t len, char **out)
{
    return normalize(in, len, 1, 1, out);
}

int cz_text_prose(const char *in, size_t len, int one_line, char **out)
{
    return normalize(in, len, one_line, 0, out);
}

int cz_text_fold(const char *in, size_t len, char **out)
{
    char *folded = NULL, *again = NULL;
    size_t n = 0, i, o = 0, n2 = 0;
    int rc;

    if (out == NULL)
        return CZ_EINVAL;
    *out = NULL;
    if (in == NULL && len != 0)
        return CZ_EINVAL;
    if (!cz_utf8_valid(in, len))
        return CZ_EUTF8;

    rc = map(in, len, NFKC_OPTS | UTF8PROC_CASEFOLD, &folded, &n);
    if (rc != CZ_OK)
        goto cleanup;

    /* Remove white space in place (only shrinks).  It must come after NFKC,
     * which itself produces spaces (U+3000 and U+00A0 become U+0020). */
    for (i = 0; i < n; ) {
        utf8proc_int32_t cp;
        size_t k = decode(folded + i, n - i, &cp);

        if (!is_space(cp)) {
            memmove(folded + o, folded + i, k);
            o += k;
        }
        i += k;
    }
    folded[o] = '\0';

    /* Dropping a space can put a base letter next to a combining mark that
     * NFKC had left on its own (U+00B4 ACUTE ACCENT is space + U+0301), so
     * fold once more to keep fold(fold(x)) == fold(x). */
    if (o != n) {
        rc = map(folded, o, NFKC_OPTS | UTF8PROC_CASEFOLD, &again, &n2);
        if (rc != CZ_OK)
            goto cleanup;
        free(folded);
        folded = again;
        again = NULL;
    }
    *out = folded;
    folded = NULL;

cleanup:
    free(folded);
    free(again);
    return rc;
}

/* Columns for one decoded character.  Controls are drawn as U+FFFD. */
static size_t char_cols(utf8proc_int32_t cp)
{
    int w;

    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return 1;
    w = utf8proc_charwidth(cp);
    return w > 0 ? (size_t)w : 0;
}

size_t cz_text_width(const char *s, size_t len, size_t budget, size_t *cols, int *trimmed)
{
    size_t i = 0, used = 0;

    if (s == NULL)
        len = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        size_t k = decode(s + i, len - i, &cp);
        size_t w;

        if (k == 0) {
            /* Each byte that does not start a well-formed sequence is drawn
             * as its own U+FFFD, so it is a character of its own here. */
            k = 1;
            w = 1;
        } else {
            w = char_cols(cp);
        }
        /* Zero-width marks after a full budget are still taken, so a base
         * letter is never shown without its accents. */
        if (w > budget - used)
            break;
        used += w;
        i += k;
    }
    if (cols != NULL)
        *cols = used;
    if (trimmed != NULL)
        *trimmed = i < len;
    return i;
}

size_t cz_text_cols(const char *s, size_t len)
{
    size_t cols = 0;

    cz_text_width(s, len, (size_t)-1, &cols, NULL);
    return cols;
}
