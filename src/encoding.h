/* encoding.h — which encoding a spreadsheet export is in, judged on the
 * evidence of its text, and its cells turned into UTF-8.
 *
 * Chinese Excel saves CSV as GB18030 (or its subset GBK); other tools save
 * UTF-8.  Valid UTF-8 is not proof of UTF-8: the GB18030 bytes of 陆平
 * (C2 BD C6 BD) are valid UTF-8 for "½ƽ".  So each row is read both ways and
 * each reading scored by what its characters are (GB2312 level-1 hanzi and
 * Chinese punctuation count for it; rare ideographs, Latin-1 symbols,
 * Cyrillic and private-use characters against), and the file is decoded
 * whole in the one encoding its rows agree on.  A file whose rows lean to
 * different encodings (one row pasted in from a GBK file) is refused,
 * naming the row: decoded either way, one part of it would be mojibake.
 *
 * Nothing here allocates beyond what cz_enc_to_utf8 returns; the iconv
 * conversions are glibc's. */
#ifndef CZ_ENCODING_H
#define CZ_ENCODING_H

#include <stddef.h>

enum cz_enc { CZ_ENC_UTF8 = 1, CZ_ENC_GB18030 = 2 };

/* One row of the file: bytes data[off, off + len).  Rows are cut at line
 * ends outside quotes, which both encodings write as the same ASCII
 * bytes (no GB18030 or UTF-8 multi-byte character contains a byte below
 * 0x30), so they can be cut before the encoding is known. */
struct cz_enc_row { size_t off, len; };

struct cz_enc_verdict {
    enum cz_enc enc;        /* the file's encoding */
    size_t bad_row;         /* CZ_EUTF8 / CZ_EMIXENC: index of the first row at fault */
    enum cz_enc bad_enc;    /* CZ_EMIXENC: the encoding that row is in */
    size_t nbad;            /* CZ_EMIXENC: how many rows are in bad_enc */
};

/* Chooses the encoding of rows[0..n) of data.  `declared` is the encoding
 * a byte-order mark declared (0 for none): then every row must agree with
 * it.  CZ_OK; CZ_EUTF8 when a row is neither UTF-8 nor GB18030; CZ_EMIXENC
 * when rows are in different encodings; CZ_ENOMEM. */
int cz_enc_choose(const char *data, const struct cz_enc_row *rows, size_t n, int declared,
                  struct cz_enc_verdict *v);

/* The same judgement row by row, for a file read as a stream: rows are
 * given in order (a row's index is how many were given before it), and
 * the verdict is the one cz_enc_choose gives for all of them.  Holds only
 * counters, whatever the number of rows.  cz_enc_judge_new may fail
 * (CZ_ENOMEM, CZ_EUTF8 without iconv's tables) leaving *out to be freed;
 * cz_enc_judge_row's CZ_EUTF8 is about that row; cz_enc_judge_free takes
 * NULL. */
struct cz_enc_judge;
int cz_enc_judge_new(int declared, struct cz_enc_judge **out);
int cz_enc_judge_row(struct cz_enc_judge *j, const char *row, size_t len);
int cz_enc_judge_end(struct cz_enc_judge *j, struct cz_enc_verdict *v);
void cz_enc_judge_free(struct cz_enc_judge *j);
/* How much in[0..len) (valid in enc) reads as common Chinese text: the sum
 * over its characters (ASCII 0).  Exposed for the tests. */
int cz_enc_score(enum cz_enc enc, const char *in, size_t len, long *score);

/* in[0..len) (valid in enc) as UTF-8: a new NUL-terminated string in *out
 * (the caller frees it).  CZ_EUTF8 when it is not valid after all. */
int cz_enc_to_utf8(enum cz_enc enc, const char *in, size_t len, char **out, size_t *out_len);

#endif
