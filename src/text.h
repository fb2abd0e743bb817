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

/* The one control filter: true for a code point that must never reach a
 * terminal as it is, because another station or a stick chose it: C0
 * (\t and \n included: one line stays one line), DEL, C1, the bidi
 * embeddings, overrides and isolates (U+202A..E, U+2066..9) and the
 * directional marks U+200E, U+200F, U+061C (they reorder what follows, so
 * a name can pass for another).  The screens (screens/cells.c), the
 * command line (cz_text_safe) and the codec's check all ask this. */
int cz_text_cp_control(uint32_t cp);

/* What stored text may not hold (the codec's check, cz_text_check_controls):
 * cz_text_cp_control except \n, \t and the directional marks U+200E,
 * U+200F, U+061C. */
int cz_text_cp_refused(uint32_t cp);

/* Untrusted text (file names, names and stations from records or identity
 * files) made safe to print on one line: \t and \n become a space, other
 * controls (cz_text_cp_control) and invalid bytes U+FFFD, as the screens
 * draw them.  Writes at most size-1 bytes of whole characters and a NUL
 * into out, and returns out (NULL s reads as "").  Use it for every such
 * string the command line prints. */
const char *cz_text_safe(const char *s, char *out, size_t size);

/* CZ_OK, or CZ_ECONTROL when s holds C0 controls other than \n and \t,
 * DEL, C1 controls or bidi embeddings, overrides and isolates (U+202A..E,
 * U+2066..9), as the codec refuses.  Assumes valid UTF-8. */
int cz_text_check_controls(const char *s, size_t len);

/* What people type in a code or a number -> what is stored: NFKC
 * (full-width ＹＳＷ－００２ becomes YSW-002, the ideographic space U+3000
 * becomes a space), then leading and trailing white space removed, \r\n
 * and \r turned into \n, tabs kept.  Not for prose: NFKC also rewrites
 * Chinese punctuation (，；： become ,;:); see cz_text_prose.
 * *out is malloc'd and NUL-terminated (caller frees); it may be "".
 * CZ_EUTF8 for invalid input, CZ_ECONTROL for other control characters. */
int cz_text_normalize(const char *in, size_t len, char **out);

/* As cz_text_normalize, for one-line values: any run of internal white space
 * (including \n, \t) becomes one ASCII space. */
int cz_text_normalize_line(const char *in, size_t len, char **out);

/* What people type as prose (names, addresses, notes, topics) -> what is
 * stored: as cz_text_normalize (one_line: as cz_text_normalize_line) but
 * NFC only, so the text is kept as typed: full-width punctuation and
 * digits stay what they are.  NFKC output is NFC too, so text stored
 * folded before verifies the same (the codec asks NFC of every text). */
int cz_text_prose(const char *in, size_t len, int one_line, char **out);

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
