/* pinyin.h — how Chinese names are read and ordered: the pinyin of a
 * name (so find takes `wangxiuying` and `wxy` for 王秀英) and the key that
 * sorts names as Chinese users expect (陈 郭 何 李 刘 王 杨 张 赵, then
 * Latin).  Both come from ICU (Debian's libicu), not a table of our own:
 *
 *   reading   each character through the `Han-Latin/Names` transliterator
 *             (surname readings: 单 Shan, 曾 Zeng, 区 Ou), then Latin-ASCII
 *             and lower case; only a-z and 0-9 are kept;
 *   initials  the first letter of each Chinese character's reading and of
 *             each run of Latin letters or digits ("李娜 Anna" -> "lna");
 *   collation ICU's `zh` collator (pinyin order), as a sort key.
 *
 * Readings are made per character and kept for the life of the process
 * (a village has a few thousand distinct characters), so reading a name
 * is a few table look-ups once its characters have been met: indexing a
 * large load does not wait on ICU.  Every function may be called from any
 * thread: the transliterator and collator, which ICU does not allow two
 * threads to use at once, are opened once and used under one lock; the
 * table of readings is read without it.  Opening the transliterator costs
 * ICU about 0.1 s of CPU (it compiles its rules), once per process, at
 * the first character past ASCII read (a find by Latin letters or digits
 * alone never opens it).
 *
 * Outputs are written into the caller's buffer and cut at a character
 * (reading, initials) or refused (key) when it is too small. */
#ifndef CZ_PINYIN_H
#define CZ_PINYIN_H

#include <stddef.h>
#include <stdint.h>

/* The reading of UTF-8 text (len bytes) into buf (size bytes,
 * NUL-terminated; cut when longer), *out_len its length.  CZ_OK,
 * CZ_EUTF8 (not UTF-8) or CZ_EICU (ICU's data could not be opened). */
int cz_pinyin_reading(const char *text, size_t len, char *buf, size_t size, size_t *out_len);

/* The initials of the same text, likewise. */
int cz_pinyin_initials(const char *text, size_t len, char *buf, size_t size, size_t *out_len);

/* Both at once (one pass over the text), either buffer may be NULL. */
int cz_pinyin_read(const char *text, size_t len, char *reading, size_t rsize, size_t *rlen,
                   char *initials, size_t isize, size_t *ilen);

/* How many characters this process has read through ICU so far: each
 * once, however often it is met again (the table above). */
uint64_t cz_pinyin_asked(void);

/* The `zh` sort key of UTF-8 text: *key malloc'd (the caller frees it),
 * NUL-terminated with no NUL inside, so strcmp of two keys orders the
 * texts (and equal keys mean equal for sorting).  Invalid UTF-8 sorts as
 * the text with U+FFFD in its place.  CZ_OK, CZ_ENOMEM or CZ_EICU. */
int cz_collate_key(const char *text, size_t len, char **key);

/* strcmp-like: a before b in `zh` order (texts NUL-terminated).  Makes two
 * keys: for a handful of names; sort many with cz_collate_key. */
int cz_collate(const char *a, const char *b);

#endif
