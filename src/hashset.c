/* hashset.c — a set of byte strings (hashset.h).
 *
 * Open addressing with linear probing, at most half full.  A slot keeps
 * the key's 64-bit hash (never 0: 0 marks an empty slot) and the key's
 * ordinal (first-seen order); ents[ordinal] says where its bytes are in
 * the arena.  So growing rehashes nothing, a probe compares bytes only when
 * the whole hash matches, and an ordinal finds its key at once. */
#include "hashset.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "status.h"

#define FIRST_SLOTS 64          /* a power of two */
#define FIRST_ROOM 1024

struct slot {
    uint64_t h;                 /* 0: empty */
    size_t ord;                 /* the key's ordinal: ents[ord] */
};

struct ent {
    size_t off, len;            /* the key's bytes: arena[off..off+len) */
};

struct cz_hashset {
    struct slot *tab;
    size_t cap, n;              /* cap: 0 or a power of two, >= 2n */
    struct ent *ents;           /* n of them, in first-seen order */
    size_t ents_room;
    unsigned char *arena;
    size_t used, room;
    unsigned char key[crypto_shorthash_KEYBYTES];
};

int cz_hashset_new(cz_hashset **out)
{
    cz_hashset *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return CZ_ENOMEM;
    crypto_shorthash_keygen(s->key);
    *out = s;
    return CZ_OK;
}

void cz_hashset_free(cz_hashset *s)
{
    if (!s) return;
    free(s->tab);
    free(s->ents);
    free(s->arena);
    free(s);
}

void cz_hashset_clear(cz_hashset *s)
{
    if (s->n) memset(s->tab, 0, s->cap * sizeof *s->tab);
    s->n = s->used = 0;
}

size_t cz_hashset_count(const cz_hashset *s)
{
    return s->n;
}

static uint64_t key_hash(const cz_hashset *s, const void *key, size_t len)
{
    static const unsigned char none[1];
    uint64_t h;
    _Static_assert(crypto_shorthash_BYTES == sizeof h, "SipHash gives 64 bits");
    crypto_shorthash((unsigned char *)&h, len ? key : none, len, s->key);
    return h | 1;
}

/* 1 when the key is there (*at its slot); else 0 and *at is the empty
 * slot it would take. */
static inline int find(const cz_hashset *s, uint64_t h, const void *key, size_t len, size_t *at)
{
    size_t mask = s->cap - 1, i = (size_t)h & mask;
    for (; s->tab[i].h; i = (i + 1) & mask) {
        const struct ent *e;
        if (s->tab[i].h != h) continue;
        e = &s->ents[s->tab[i].ord];
        if (e->len == len && (!len || !memcmp(s->arena + e->off, key, len))) {
            *at = i;
            return 1;
        }
    }
    *at = i;
    return 0;
}

static int grow_table(cz_hashset *s)
{
    size_t ncap = s->cap ? 2 * s->cap : FIRST_SLOTS;
    struct slot *nt;
    if (ncap > SIZE_MAX / sizeof *nt || !(nt = calloc(ncap, sizeof *nt))) return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->tab[i].h) continue;
        size_t j = (size_t)s->tab[i].h & (ncap - 1);
        while (nt[j].h) j = (j + 1) & (ncap - 1);
        nt[j] = s->tab[i];
    }
    free(s->tab);
    s->tab = nt;
    s->cap = ncap;
    return 0;
}

static int grow_arena(cz_hashset *s, size_t len)
{
    if (len > SIZE_MAX - s->used) return -1;
    size_t need = s->used + len;
    return cz_grow(&s->arena, &s->room, need > FIRST_ROOM ? need : FIRST_ROOM, 1) ? -1 : 0;
}

static int grow_ents(cz_hashset *s)
{
    size_t need = s->n + 1;
    return cz_grow(&s->ents, &s->ents_room, need > FIRST_SLOTS / 2 ? need : FIRST_SLOTS / 2,
                   sizeof *s->ents) ? -1 : 0;
}

int cz_hashset_intern(cz_hashset *s, const void *key, size_t len, size_t *ordinal)
{
    uint64_t h = key_hash(s, key, len);
    size_t at = 0;
    if (s->cap && find(s, h, key, len, &at)) {   /* cap, not n: a cleared set keeps its table */
        *ordinal = s->tab[at].ord;
        return 0;
    }
    /* Grow before anything changes, so running out leaves the set whole. */
    if (len > s->room - s->used && grow_arena(s, len)) return -1;
    if (s->n == s->ents_room && grow_ents(s)) return -1;
    if (2 * (s->n + 1) > s->cap) {
        if (grow_table(s)) return -1;
        /* The key is not there: its place is the first empty slot. */
        for (at = (size_t)h & (s->cap - 1); s->tab[at].h; at = (at + 1) & (s->cap - 1)) {}
    }
    if (len) memcpy(s->arena + s->used, key, len);
    s->ents[s->n] = (struct ent){ .off = s->used, .len = len };
    s->tab[at] = (struct slot){ .h = h, .ord = s->n };
    s->used += len;
    *ordinal = s->n++;
    return 1;
}

int cz_hashset_add(cz_hashset *s, const void *key, size_t len)
{
    size_t ordinal;
    return cz_hashset_intern(s, key, len, &ordinal);
}

const void *cz_hashset_key(const cz_hashset *s, size_t ordinal, size_t *len)
{
    const struct ent *e = &s->ents[ordinal];
    *len = e->len;
    return s->arena ? s->arena + e->off : (const void *)"";   /* only empty keys yet */
}

int cz_hashset_has(const cz_hashset *s, const void *key, size_t len)
{
    size_t at;
    if (!s->n) return 0;
    return find(s, key_hash(s, key, len), key, len, &at);
}
