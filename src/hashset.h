/* hashset.h — a set of byte strings: which keys a walk has met already.
 *
 * For work that must meet each key once: find and the first page of a list
 * report each entity id once, a load checks its household and ID numbers
 * against the rows before them.  A key is any bytes of any length, the
 * empty string included; fixed-length ids are simply keys of one length.
 *
 * Keys come from CSV files and from entries other stations signed, so the
 * hash is keyed: SipHash-2-4 (crypto_shorthash) under a key drawn at random
 * for each set.  Keys made to collide cannot be made without that key, so
 * no input can turn the set's look-ups quadratic.
 *
 * The set copies each key it adds into memory it owns (one arena, no
 * allocation per key but for growth, which doubles), so the caller's buffer
 * may be reused as soon as a call returns.  Each key also has an ordinal,
 * 0, 1, 2, ... in the order keys were first added, so a caller can keep
 * data about each distinct key in a plain array (cz_hashset_intern) and
 * read the key back from its ordinal (cz_hashset_key).  One thread at a
 * time; call
 * sodium_init() before the first cz_hashset_new. */
#ifndef CZ_HASHSET_H
#define CZ_HASHSET_H

#include <stddef.h>

typedef struct cz_hashset cz_hashset;

/* A new, empty set in *out (the caller frees it with cz_hashset_free).
 * Nothing else is allocated until the first add.  CZ_OK or CZ_ENOMEM. */
int cz_hashset_new(cz_hashset **out);

/* Frees the set and every key it holds.  NULL is fine. */
void cz_hashset_free(cz_hashset *s);

/* Adds key[0..len) (key may be NULL when len is 0): 1 when it was not in
 * the set, 0 when it was.  -1 when memory ran out: then the set holds what
 * it held before and can still be used (the caller says CZ_ENOMEM). */
int cz_hashset_add(cz_hashset *s, const void *key, size_t len);

/* As cz_hashset_add, and *ordinal is the key's ordinal: how many distinct
 * keys were added before it (since the set was made or last cleared),
 * whether it is new (1) or was there (0).  On -1, *ordinal is not set. */
int cz_hashset_intern(cz_hashset *s, const void *key, size_t len, size_t *ordinal);

/* The bytes of the key with that ordinal (which must be below the count),
 * its length in *len.  The pointer holds until the next add, intern or
 * clear (growth may move the keys); it is not NUL-terminated. */
const void *cz_hashset_key(const cz_hashset *s, size_t ordinal, size_t *len);

/* Empties the set but keeps its memory (and hash key), for reuse: the
 * next key added has ordinal 0. */
void cz_hashset_clear(cz_hashset *s);

/* 1 when key[0..len) is in the set, else 0. */
int cz_hashset_has(const cz_hashset *s, const void *key, size_t len);

/* How many keys the set holds. */
size_t cz_hashset_count(const cz_hashset *s);

#endif
