/* encoding.c — a spreadsheet export's encoding judged by its text
 * (encoding.h), on glibc's iconv. */
#include "encoding.h"
#include "grow.h"
#include "status.h"
#include "text.h"

#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* A row leans to an encoding when it is valid only in that one, or when
 * both readings are valid and this one scores at least LEAN_MARGIN more:
 * two common hanzi against two Latin-1 symbols (陆平 against ½ƽ) is 8.  One
 * character either way (a UTF-8 ½ is the GB18030 陆) is 4, too little to
 * call a row foreign: such a row follows the rest of the file. */
#define LEAN_MARGIN 6

/* What one GB18030 character says about a reading, by where it lies in
 * the code space (GB 2312 rows as GBK lays them out). */
static int pair_score(unsigned a, unsigned b)
{
    if (a >= 0xA1 && b >= 0xA1 && b <= 0xFE) {
        if (a >= 0xB0 && a <= 0xD7) return 2;    /* level-1 hanzi: the 3,755 common ones */
        if (a >= 0xD8 && a <= 0xF7) return 0;    /* level-2 hanzi: rarer, but names use them */
        if (a == 0xA1 || a == 0xA3) return 1;    /* 、。《》 and full-width ，：（） */
        if (a == 0xA2 || a == 0xA8) return 0;    /* ①, Ⅱ; pinyin ā */
        if (a >= 0xA4 && a <= 0xA9) return -1;   /* kana, Greek, Cyrillic, box drawing */
        return -3;                               /* user-defined (private use) */
    }
    if (a >= 0xA1 && a <= 0xA7) return -3;       /* user-defined A140-A7A0 */
    return -1;                                   /* GBK's extra ideographs and symbols */
}

/* The score of GB18030 bytes already known to be valid. */
static long gb_score(const unsigned char *p, size_t n)
{
    long s = 0;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x80) { i++; continue; }
        if (i + 1 >= n) break;
        if (p[i + 1] >= 0x30 && p[i + 1] <= 0x39) {
            s -= 2;                              /* outside GBK: Latin-1 ½, ƽ, rare planes */
            i += 4;
            continue;
        }
        s += pair_score(p[i], p[i + 1]);
        i += 2;
    }
    return s;
}

/* in[0..len) through cd into *buf (grown; *cap its size), *out_len bytes.
 * Each conversion doubles at most (a 2-byte UTF-8 character is a 4-byte
 * GB18030 one; a 2-byte GB18030 one 3 bytes of UTF-8). */
static int convert(iconv_t cd, const char *in, size_t len, char **buf, size_t *cap, size_t *out_len)
{
    if (cz_grow(buf, cap, 2 * len + 16, 1)) return CZ_ENOMEM;
    char *ip = (char *)in, *op = *buf;
    size_t inleft = len, left = *cap - 1;
    iconv(cd, NULL, NULL, NULL, NULL);
    size_t r = iconv(cd, &ip, &inleft, &op, &left);
    if (r == (size_t)-1 || inleft) return CZ_EUTF8;
    *op = 0;
    *out_len = (size_t)(op - *buf);
    return CZ_OK;
}

int cz_enc_score(enum cz_enc enc, const char *in, size_t len, long *score)
{
    if (enc == CZ_ENC_GB18030) {
        *score = gb_score((const unsigned char *)in, len);
        return CZ_OK;
    }
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) return CZ_EUTF8;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = convert(cd, in, len, &buf, &cap, &n);
    iconv_close(cd);
    if (rc == CZ_OK) *score = gb_score((unsigned char *)buf, n);
    free(buf);
    return rc;
}

int cz_enc_to_utf8(enum cz_enc enc, const char *in, size_t len, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t cap = 0;
    int rc = CZ_OK;
    if (enc == CZ_ENC_UTF8) {
        if (!cz_utf8_valid(in, len)) return CZ_EUTF8;
        if (!(buf = malloc(len + 1))) return CZ_ENOMEM;
        if (len) memcpy(buf, in, len);
        buf[len] = 0;
        *out_len = len;
    } else {
        iconv_t cd = iconv_open("UTF-8", "GB18030");
        if (cd == (iconv_t)-1) return CZ_EUTF8;
        rc = convert(cd, in, len, &buf, &cap, out_len);
        iconv_close(cd);
        if (rc) { free(buf); return rc; }
    }
    *out = buf;
    return rc;
}

struct judge {
    iconv_t to_gb, from_gb;
    char *buf;
    size_t cap;
    size_t n[3], first[3];       /* rows leaning to each encoding, and the first */
    long sum[3];                 /* scores of rows valid both ways */
    int first_lean;              /* the encoding of the earliest leaning row */
};

static int has_high(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80) return 1;
    return 0;
}

/* Which way one row leans (0: either way, or no evidence). */
static int judge_row(struct judge *j, const char *p, size_t len, int *lean)
{
    size_t n;
    int vu = cz_utf8_valid(p, len);
    int rc = convert(j->from_gb, p, len, &j->buf, &j->cap, &n);
    if (rc == CZ_ENOMEM) return rc;
    int vg = rc == CZ_OK;
    *lean = 0;
    if (!vu && !vg) return CZ_EUTF8;
    if (vu != vg) {
        *lean = vu ? CZ_ENC_UTF8 : CZ_ENC_GB18030;
        return CZ_OK;
    }
    long sg = gb_score((const unsigned char *)p, len), su;
    if ((rc = convert(j->to_gb, p, len, &j->buf, &j->cap, &n))) return rc;
    su = gb_score((unsigned char *)j->buf, n);
    j->sum[CZ_ENC_UTF8] += su;
    j->sum[CZ_ENC_GB18030] += sg;
    if (su - sg >= LEAN_MARGIN) *lean = CZ_ENC_UTF8;
    else if (sg - su >= LEAN_MARGIN) *lean = CZ_ENC_GB18030;
    return CZ_OK;
}

/* The verdict once every row has been judged. */
static int verdict(struct judge *j, int declared, struct cz_enc_verdict *v)
{
    int other;
    if (declared) v->enc = (enum cz_enc)declared;
    else if (j->n[CZ_ENC_UTF8] && j->n[CZ_ENC_GB18030])
        v->enc = j->n[CZ_ENC_UTF8] > j->n[CZ_ENC_GB18030] ? CZ_ENC_UTF8
               : j->n[CZ_ENC_GB18030] > j->n[CZ_ENC_UTF8] ? CZ_ENC_GB18030
               : (enum cz_enc)j->first_lean;
    else if (j->n[CZ_ENC_UTF8]) v->enc = CZ_ENC_UTF8;
    else if (j->n[CZ_ENC_GB18030]) v->enc = CZ_ENC_GB18030;
    else v->enc = j->sum[CZ_ENC_GB18030] > j->sum[CZ_ENC_UTF8] ? CZ_ENC_GB18030 : CZ_ENC_UTF8;
    other = v->enc == CZ_ENC_UTF8 ? CZ_ENC_GB18030 : CZ_ENC_UTF8;
    if (!j->n[other]) return CZ_OK;
    v->bad_row = j->first[other];
    v->bad_enc = (enum cz_enc)other;
    v->nbad = j->n[other];
    return CZ_EMIXENC;
}

struct cz_enc_judge {
    struct judge j;
    int declared;
    size_t row;                  /* rows judged so far */
};

int cz_enc_judge_new(int declared, struct cz_enc_judge **out)
{
    struct cz_enc_judge *jj = calloc(1, sizeof *jj);
    *out = NULL;
    if (!jj) return CZ_ENOMEM;
    jj->declared = declared;
    jj->j.to_gb = iconv_open("GB18030", "UTF-8");
    jj->j.from_gb = iconv_open("UTF-8", "GB18030");
    *out = jj;
    return jj->j.to_gb == (iconv_t)-1 || jj->j.from_gb == (iconv_t)-1 ? CZ_EUTF8 : CZ_OK;
}

int cz_enc_judge_row(struct cz_enc_judge *jj, const char *p, size_t len)
{
    int lean, rc;
    size_t i = jj->row++;
    if (!has_high(p, len)) return CZ_OK;
    if ((rc = judge_row(&jj->j, p, len, &lean))) return rc;
    if (!lean) return CZ_OK;
    if (!jj->j.first_lean) jj->j.first_lean = lean;
    if (!jj->j.n[lean]++) jj->j.first[lean] = i;
    return CZ_OK;
}

int cz_enc_judge_end(struct cz_enc_judge *jj, struct cz_enc_verdict *v)
{
    memset(v, 0, sizeof *v);
    return verdict(&jj->j, jj->declared, v);
}

void cz_enc_judge_free(struct cz_enc_judge *jj)
{
    if (!jj) return;
    if (jj->j.to_gb != (iconv_t)-1) iconv_close(jj->j.to_gb);
    if (jj->j.from_gb != (iconv_t)-1) iconv_close(jj->j.from_gb);
    free(jj->j.buf);
    free(jj);
}

int cz_enc_choose(const char *data, const struct cz_enc_row *rows, size_t n, int declared,
                  struct cz_enc_verdict *v)
{
    struct cz_enc_judge *jj = NULL;
    int rc = cz_enc_judge_new(declared, &jj);
    memset(v, 0, sizeof *v);
    v->enc = declared ? (enum cz_enc)declared : CZ_ENC_UTF8;
    for (size_t i = 0; rc == CZ_OK && i < n; i++)
        if ((rc = cz_enc_judge_row(jj, data + rows[i].off, rows[i].len))) v->bad_row = i;
    if (rc == CZ_OK) rc = cz_enc_judge_end(jj, v);
    cz_enc_judge_free(jj);
    return rc;
}
