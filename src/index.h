/* index.h — finding records: the store's index of the current heads, and
 * storing an entry so that it is found.
 *
 * Index terms (first byte says which):
 *   'T' type                       every live entity of a type
 *   'R' type \0 region             ... by region (village)
 *   'X' type \0 field \0 value     exact look-up fields (numbers, ID numbers)
 *   'L' entity(16) or id(32)       records that refer to an entity or version
 *   'G' one or two folded chars    n-grams of name fields, for find by part
 *   'P' pinyin                     a name field's full reading and its
 *                                  initials (pinyin.h): find by a prefix
 *   'S' suffix                     every suffix of a folded household
 *                                  number from 3 characters: find by part
 *   'D' digits                     every suffix of a phone's digits from 4
 *
 * 'P', 'S' and 'D' are looked up by prefix (cz_store_index_prefix): the
 * terms starting with the query are the records holding it, so nothing
 * found that way needs its record loaded to be sure.
 *
 * Which fields give which terms is the schema's say (schema.h: CZ_FF_EXACT,
 * CZ_FF_NAME, references): this module is the one that reads records to
 * make terms; the store (store.h) keeps bytes and knows no record type.
 * The terms live in the store's index table (term -> the entity's first
 * 8 bytes, one duplicate per entity; index_post.c finds the entity by
 * them, and tells apart two sharing them).  Nothing else lists them: an update takes out
 * the terms made again from the versions it supersedes (their entries are
 * stored).  A term longer than one LMDB key (400 bytes) is cut there, here
 * and in every look-up alike.
 *
 * Everything works inside a store transaction (store.h); ids passed to a
 * callback hold until the transaction ends. */
#ifndef CZ_INDEX_H
#define CZ_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "store.h"

#define CZ_TAG_PINYIN 'P'
#define CZ_TAG_CODE 'S'
#define CZ_TAG_PHONE 'D'
#define CZ_CODE_PART 3             /* shortest part of a household number found */
#define CZ_PHONE_PART 4            /* shortest part of a phone number found */
#define CZ_SUFFIX_MAX 64           /* longer numbers and readings are cut there */

/* Which terms the index holds: kept in meta under CZ_META_INDEX_VERSION
 * (none: 1, before 'P', 'S' and 'D'; 2 with whole entity ids under each
 * term and a table "eterms" listing each entity's terms).  Raise it whenever the terms a record gives
 * change, so stores indexed otherwise are indexed again: an edit takes
 * out the terms the superseded versions give, made by this build. */
#define CZ_INDEX_VERSION 3
#define CZ_META_INDEX_VERSION "index_version"

/* Opening a store: when its index was made with other terms (another
 * CZ_INDEX_VERSION), the index is emptied (an earlier build's eterms
 * table dropped), every live record indexed again from its heads in one
 * write transaction and the version noted, with the store's format
 * (CZ_STORE_FORMAT, store.h); *reindexed is how many records were (0 when
 * the index was current).  Takes its own transactions. */
int cz_store_index_upgrade(cz_store *s, size_t *reindexed);
/* Who is told, before the work starts, that cz_store_index_upgrade is
 * about to index `records` records again (a million take a minute or
 * so): for the command line and the screens to say so.  One for the
 * process, set before opening; NULL: nobody. */
typedef void (*cz_index_notice_fn)(void *ctx, size_t records);
void cz_store_index_notice(cz_index_notice_fn fn, void *ctx);
/* A new store's index is current (it holds no terms of another build). */
int cz_store_index_mark_current(cz_txn *t);

/* Stores an entry (already decoded and verified by the caller) and updates
 * logs, versions, heads and indexes.  *result says whether it was new, a
 * duplicate (nothing changed) or a fork (kept as evidence, not applied).
 * `e` must be the decoding of e->raw: its fields are indexed as they are,
 * not read back from the stored bytes.  An entity's first version is
 * indexed from `e` alone (it has no other heads and no old terms); later
 * versions re-derive the entity's terms from all its heads.  An entry
 * kept but not applied is cz_store_put_judged (store.h). */
int cz_store_put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                       int *result);

/* A held entry whose judgement is now OK or PENDING (authz.h): applied as
 * cz_store_put_entry would have, and no longer held. */
int cz_store_release(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES]);

/* The index terms of `e` as an entity's first version (none for a
 * tombstone), into *buf (grown as needed, *cap its size; the caller frees
 * it), *len bytes.  Touches no store: another thread may make them while
 * the transaction's thread stores other entries. */
int cz_store_entry_terms(const struct cz_entry *e, uint8_t **buf, size_t *cap, size_t *len);
/* cz_store_put_entry with `terms` made by cz_store_entry_terms(e): when e
 * is its entity's first version these are filed as they are instead of
 * derived again; otherwise they are not used. */
int cz_store_put_entry_terms(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                             const uint8_t *terms, size_t len, int *result);

/* From now on in this write transaction, a new entity's index terms are
 * kept and put later, sorted: in batches, before anything reads the index
 * (cz_store_index_*) or re-indexes an entity, and at the latest on commit.
 * What is stored is the same; for transactions storing many new entities
 * (a load, an import), which then touch each page of the index once per
 * batch instead of once per entity.  CZ_EINVAL in a read transaction. */
int cz_store_defer_index(cz_txn *t);

/* Entities under one exact index term, in the order of their ids; the
 * callback gets 16-byte ids.  A callback returning non-zero stops the walk
 * and that value is returned: a status code, or CZ_WALK_STOP (store.h) to
 * stop early without an error.  The counts count postings: two entities
 * whose ids share their first 8 bytes count once (index_post.c). */
int cz_store_index_each(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx);
int cz_store_index_count(cz_txn *t, const void *term, size_t len, size_t *count);

/* As cz_store_index_count, but without first putting the terms deferred
 * (cz_store_defer_index): only what is in the index already.  For a caller
 * that keeps the terms it wrote in this transaction itself (a load). */
int cz_store_index_count_stored(cz_txn *t, const void *term, size_t len, size_t *count);
/* As cz_store_index_each, likewise without the deferred terms: for a load
 * looking up records of another type than the ones it writes. */
int cz_store_index_each_stored(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx);

/* CZ_OK when `entity` is under the term, else CZ_ENOTFOUND (one B-tree
 * look-up: intersecting posting lists costs no record loads). */
int cz_store_index_has(cz_txn *t, const void *term, size_t len, const uint8_t entity[CZ_ENTITY_BYTES]);
/* Entities under every term that starts with `prefix`, in term order (so an
 * 'X' prefix up to the value walks records in the order of that field). */
int cz_store_index_prefix(cz_txn *t, const void *prefix, size_t len, cz_id_fn fn, void *ctx);

/* How many entities are filed under the terms starting with `prefix`
 * (an entity under two of them counts twice): one step per distinct term,
 * not per entity. */
int cz_store_index_prefix_count(cz_txn *t, const void *prefix, size_t len, size_t *count);

/* The terms above, written into buf (size bytes); the length returned is
 * never more than the longest term the index keeps. */
size_t cz_term_type(char *buf, size_t size, const char *type);
size_t cz_term_region(char *buf, size_t size, const char *type, const char *region);
size_t cz_term_exact(char *buf, size_t size, const char *type, const char *field, const char *value);
/* Records referring to an entity (16 bytes) or to one exact version (32). */
size_t cz_term_link(char *buf, size_t size, const uint8_t *target, size_t len);

#endif
