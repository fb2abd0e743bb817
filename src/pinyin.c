/* pinyin.c — readings, initials and `zh` sort keys through ICU
 * (pinyin.h).  ICU's objects are opened on first use and kept for the
 * process; ICU frees nothing of ours. */
#include "pinyin.h"
#include "status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

/* Names read as names (surname readings), then accents and tone marks
 * dropped and lower case. */
static const char TRANSLIT[] = "Han-Latin/Names; Latin-ASCII; Lower";

/* One character's reading, packed so a look-up is one atomic load:
 * byte 0 says it is known (bit 0) and Chinese (bit 1); bytes 1..7 are the
 * reading's a-z0-9, NUL-padded (a pinyin syllable has at most 6). */
#define R_KNOWN 1u
#define R_HAN 2u
#define PAGE_BITS 8
#define NPAGES (0x110000 >> PAGE_BITS)
struct page { _Atomic uint64_t slot[1 << PAGE_BITS]; };

static _Atomic(struct page *) pages[NPAGES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *translit;   /* under lock */
static UCollator *collator;         /* under lock */
static int icu_failed;              /* under lock: opening failed once, so it fails */
static uint64_t asked;              /* under lock: characters read through ICU */

static int open_translit(void)
{
    UErrorCode e = U_ZERO_ERROR;
    UChar id[64];
    int32_t idlen;
    if (translit) return CZ_OK;
    if (icu_failed) return CZ_EICU;
    u_strFromUTF8(id, (int32_t)(sizeof id / sizeof *id), &idlen, TRANSLIT, -1, &e);
    if (U_SUCCESS(e)) translit = utrans_openU(id, idlen, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) {
        translit = NULL;
        icu_failed = 1;
        return CZ_EICU;
    }
    return CZ_OK;
}

/* Asks ICU for one character's reading (under lock), packed. */
static int ask_icu(int32_t c, uint64_t *packed)
{
    UChar u[32];
    int32_t len = 0, limit;
    UErrorCode e = U_ZERO_ERROR;
    char out[64];
    int32_t olen = 0;
    int rc = open_translit();
    if (rc) return rc;
    U16_APPEND_UNSAFE(u, len, c);
    limit = len;
    utrans_transUChars(translit, u, &len, (int32_t)(sizeof u / sizeof *u), 0, &limit, &e);
    if (U_SUCCESS(e)) u_strToUTF8(out, (int32_t)sizeof out, &olen, u, len, &e);
    if (U_FAILURE(e)) olen = 0;   /* no reading: the character separates words */
    uint64_t v = R_KNOWN | (uscript_getScript(c, &e) == USCRIPT_HAN ? R_HAN : 0);
    int kept = 0;
    for (int32_t i = 0; i < olen && kept < 7; i++) {
        char ch = out[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            v |= (uint64_t)(unsigned char)ch << (8 * ++kept);
    }
    *packed = v;
    return CZ_OK;
}

uint64_t cz_pinyin_asked(void)
{
    pthread_mutex_lock(&lock);
    uint64_t n = asked;
    pthread_mutex_unlock(&lock);
    return n;
}

/* One character's reading, from the table or (first time) from ICU. */
static int char_reading(int32_t c, uint64_t *packed)
{
    /* ASCII needs no ICU: letters lower-cased, digits kept, the rest none. */
    if (c < 0x80) {
        char ch = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        *packed = R_KNOWN | (keep ? (uint64_t)(unsigned char)ch << 8 : 0);
        return CZ_OK;
    }
    struct page *p = atomic_load_explicit(&pages[c >> PAGE_BITS], memory_order_acquire);
    uint64_t v = p ? atomic_load_explicit(&p->slot[c & 0xFF], memory_order_relaxed) : 0;
    if (v & R_KNOWN) { *packed = v; return CZ_OK; }
    pthread_mutex_lock(&lock);
    int rc = CZ_OK;
    if (!(p = atomic_load_explicit(&pages[c >> PAGE_BITS], memory_order_acquire))) {
        if ((p = calloc(1, sizeof *p))) atomic_store_explicit(&pages[c >> PAGE_BITS], p, memory_order_release);
        else rc = CZ_ENOMEM;
    }
    /* Another thread may have read it while this one waited. */
    if (rc == CZ_OK) v = atomic_load_explicit(&p->slot[c & 0xFF], memory_order_relaxed);
    if (rc == CZ_OK && !(v & R_KNOWN) && (rc = ask_icu(c, &v)) == CZ_OK) {
        asked++;
        atomic_store_explicit(&p->slot[c & 0xFF], v, memory_order_relaxed);
    }
    pthread_mutex_unlock(&lock);
    *packed = v;
    return rc;
}

/* Appends s (n bytes) to buf while it fits (size includes the NUL). */
static void put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
    if (!buf || !size) return;
    if (n > size - 1 - *at) n = size - 1 - *at;
    memcpy(buf + *at, s, n);
    *at += n;
    buf[*at] = 0;
}

int cz_pinyin_read(const char *text, size_t len, char *reading, size_t rsize, size_t *rlen,
                   char *initials, size_t isize, size_t *ilen)
{
    size_t r = 0, i = 0;
    int in_word = 0;
    if (reading && rsize) reading[0] = 0;
    if (initials && isize) initials[0] = 0;
    for (size_t pos = 0; pos < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + pos, (utf8proc_ssize_t)(len - pos), &c);
        if (n <= 0) return CZ_EUTF8;
        pos += (size_t)n;
        uint64_t v;
        int rc = char_reading(c, &v);
        if (rc) return rc;
        char syl[8];
        size_t sl = 0;
        while (sl < 7 && (v >> (8 * (sl + 1)) & 0xFF)) { syl[sl] = (char)(v >> (8 * (sl + 1))); sl++; }
        /* A Chinese character is a word of its own; Latin letters and
         * digits run into one word until something without a reading. */
        if (sl && ((v & R_HAN) || !in_word)) put(initials, isize, &i, syl, 1);
        in_word = sl && !(v & R_HAN);
        put(reading, rsize, &r, syl, sl);
    }
    if (rlen) *rlen = r;
    if (ilen) *ilen = i;
    return CZ_OK;
}

int cz_pinyin_reading(const char *text, size_t len, char *buf, size_t size, size_t *out_len)
{
    return cz_pinyin_read(text, len, buf, size, out_len, NULL, 0, NULL);
}

int cz_pinyin_initials(const char *text, size_t len, char *buf, size_t size, size_t *out_len)
{
    return cz_pinyin_read(text, len, NULL, 0, NULL, buf, size, out_len);
}

/* ---- collation ---- */

static int open_collator(void)
{
    UErrorCode e = U_ZERO_ERROR;
    if (collator) return CZ_OK;
    collator = ucol_open("zh", &e);
    if (U_FAILURE(e)) { collator = NULL; return CZ_EICU; }
    return CZ_OK;
}

/* The key of u (ulen UTF-16 units), under lock. */
static int sort_key(const UChar *u, int32_t ulen, char **key)
{
    uint8_t local[256];
    int rc = open_collator();
    if (rc) return rc;
    int32_t n = ucol_getSortKey(collator, u, ulen, local, (int32_t)sizeof local);
    if (n <= 0) return CZ_EICU;
    if (!(*key = malloc((size_t)n))) return CZ_ENOMEM;
    if (n <= (int32_t)sizeof local) memcpy(*key, local, (size_t)n);
    else ucol_getSortKey(collator, u, ulen, (uint8_t *)*key, n);
    return CZ_OK;
}

int cz_collate_key(const char *text, size_t len, char **key)
{
    UChar local[128], *u = local;
    int32_t ulen = 0;
    UErrorCode e = U_ZERO_ERROR;
    int rc;
    *key = NULL;
    if (len > INT32_MAX / 2) return CZ_EINVAL;
    /* What fits the stack goes there; longer text is measured first. */
    u_strFromUTF8WithSub(u, (int32_t)(sizeof local / sizeof *local), &ulen, text, (int32_t)len, 0xFFFD, NULL, &e);
    if (e == U_BUFFER_OVERFLOW_ERROR) {
        if (!(u = malloc(((size_t)ulen + 1) * sizeof *u))) return CZ_ENOMEM;
        e = U_ZERO_ERROR;
        u_strFromUTF8WithSub(u, ulen + 1, &ulen, text, (int32_t)len, 0xFFFD, NULL, &e);
    }
    if (U_FAILURE(e)) {
        rc = CZ_EICU;
    } else {
        pthread_mutex_lock(&lock);
        rc = sort_key(u, ulen, key);
        pthread_mutex_unlock(&lock);
    }
    if (u != local) free(u);
    return rc;
}

int cz_collate(const char *a, const char *b)
{
    char *ka = NULL, *kb = NULL;
    int d;
    /* Without ICU, code point order: still an order. */
    if (cz_collate_key(a, strlen(a), &ka) || cz_collate_key(b, strlen(b), &kb)) d = strcmp(a, b);
    else d = strcmp(ka, kb);
    free(ka);
    free(kb);
    return d;
}
