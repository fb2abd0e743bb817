/* text.h — Unicode text: normalisation of what people type, validation of
 * what is stored, search folding, and the one display-width function.
 * Built on utf8proc. */
#ifndef CZ_TEXT_H
#define CZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int cz_utf8_valid(const char *s, size_t len);

/* True when valid UTF-8 already in NFC. */
int cz_text_is_nfc(const char *s, size_t len);

/* True when NFC and NFKC leave the code point as it is whatever surrounds
 * it (UAX #15: canonical combining class 0, quick check Yes, no
 * decomposition of either kind): ASCII and the CJK Unified Ideographs with
 * Extension A.  Text made only of these needs no normalisation pass, which
 * is most of this program's text (numbers, codes, Chinese names). */
int cz_text_cp_stable(uint32_t cp);

/* CZ_OK, or CZ_ECONTROL when s holds C0 controls other than \n and \t,
 * DEL, C1 controls or bidi embeddings, overrides and isolates (U+202A..E,
 * U+2066..9), as the codec refuses.  Assumes valid UTF-8. */
int cz_text_check_controls(const char *s, size_t len);

/* What people type -> what is stored: NFKC (full-width ＹＳＷ－００２ becomes
 * YSW-002, the ideographic space U+3000 becomes a space), then leading and
 * trailing white space removed, \r\n and \r turned into \n, tabs kept.
 * *out is malloc'd and NUL-terminated (caller frees); it may be "".
 * CZ_EUTF8 for invalid input, CZ_ECONTROL for other control characters. */
int cz_text_normalize(const char *in, size_t len, char **out);

/* As cz_text_normalize, for one-line values: any run of internal white space
 * (including \n, \t) becomes one ASCII space. */
int cz_text_normalize_line(const char *in, size_t len, char **out);

/* Search folding: NFKC + case fold + white space removed, so "Ｗang  Li"
 * and "wangli" fold alike.  *out malloc'd.  Invalid UTF-8 -> CZ_EUTF8. */
int cz_text_fold(const char *in, size_t len, char **out);

/* The one display-width function.  Walks UTF-8 s[0..len) and takes as many
 * whole characters as fit in `budget` terminal columns (wide CJK glyphs are
 * 2 columns, combining marks 0, control characters and invalid bytes count
 * as U+FFFD, 1 column).  Returns the number of bytes taken; *cols gets the
 * columns they use; *trimmed is set to 1 when not all of s fit.  Either
 * out-pointer may be NULL. */
size_t cz_text_width(const char *s, size_t len, size_t budget, size_t *cols, int *trimmed);

/* Columns the whole string would take. */
size_t cz_text_cols(const char *s, size_t len);

#endif
