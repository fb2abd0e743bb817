/* store.h — the LMDB store of one station.
 *
 * Named databases inside one LMDB environment (DIR/db/data.mdb):
 *   meta      name -> value           station identity, clocks, format version
 *   users     name -> key blob        (keys.h) one per person on this machine
 *   entries   entry id -> entry       the signed bytes, exactly as written
 *   logs      origin|seq(8,BE) -> id  per-author logs; a second id at one
 *                                     position is a fork
 *   forks     origin|seq|id -> ""     evidence of forks (both entries kept)
 *   versions  entity -> id (dup)      every version of an entity
 *   children  id -> id (dup)          which versions name this one as parent
 *   heads     entity -> id (dup)      versions no other version supersedes
 *   index     term -> entity (dup)    look-ups over the current heads
 *   eterms    entity -> terms         the terms an entity is indexed under,
 *                                     so an update can remove them
 *   seen      bundle id -> note       bundles already imported, so a replay
 *                                     is a no-op (bundle.h)
 *   peers     box key -> vector       the version vector each peer station
 *                                     last acknowledged (bundle.h), so
 *                                     exports are incremental
 *   judged    id -> u8 state, why     entries kept but not applied
 *                                     (authz.h): refused as evidence, or
 *                                     held until what they name arrives;
 *                                     why is the rule's status, by name.
 *                                     They are in entries and logs (so a
 *                                     log's chain and acknowledgement hold)
 *                                     and in no other table
 *
 * Index terms (first byte says which):
 *   'T' type                       every live entity of a type
 *   'R' type \0 region             ... by region (village)
 *   'X' type \0 field \0 value     exact look-up fields (numbers, ID numbers)
 *   'L' entity(16) or id(32)       records that refer to an entity or version
 *   'G' one or two folded chars    n-grams of name fields, for find by part
 *
 * Every change happens inside a write transaction, which is all-or-nothing
 * and durable on commit.  A failed write transaction must be aborted.
 * Pointers into the store (MDB data) are valid until the transaction ends.
 */
#ifndef CZ_STORE_H
#define CZ_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"

#define CZ_STORE_FORMAT 1

typedef struct cz_store cz_store;
typedef struct cz_txn cz_txn;

/* Opens (or with create, creates) the store in directory `dir`.
 *
 * Before LMDB touches a page, an existing store is checked, since a page
 * beyond the end of the mapped file is SIGBUS, not an error: a data file
 * empty or shorter than the last page its meta page records is
 * CZ_EDBTRUNC, a missing one CZ_EDBNOINFO; meta pages LMDB refuses (MDB_INVALID, MDB_VERSION_MISMATCH)
 * are CZ_EDBMETA; a main table that does not name the store's tables
 * (its root damaged) is CZ_EDBDAMAGED, never a new empty store.  At any
 * time later MDB_CORRUPTED and MDB_PAGE_NOTFOUND are CZ_EDBDAMAGED.
 * Without create, a missing `dir` is CZ_ENOINIT.  Files this user may not
 * use are CZ_EACCESS, a read-only disk CZ_EREADONLY, a full one
 * CZ_EDISKFULL (from any write or commit too).
 *
 * The map.  LMDB's map is address space reserved for the file, and its
 * size is the most the database can hold.  On a 64-bit PC it starts at
 * 64 GiB (16, 4, 1 GiB or CZ_STORE_MAP_SMALL where the address space is
 * limited) and may grow to 16 times that; on a 32-bit PC it starts at
 * CZ_STORE_MAP_SMALL and grows to CZ_STORE_MAP_MAX32.  A write that fills
 * it fails with CZ_EDBFULL (its transaction must be aborted, as any failed
 * one); as soon as no transaction of this process is open (at that abort,
 * usually) the map is doubled and the new size noted in meta, so the
 * caller may simply run the same work again, in this process or the next.
 * The work is not redone here: a transaction's writes belong to its caller
 * (an import, a load), and redoing them behind its back would hide which
 * of them had been made; `load` and `import` (command line and Sync
 * screen) run themselves again on CZ_EDBFULL, a few times.  At the largest
 * size, or when this process's address space has no room for a larger
 * map, the failure is CZ_EDBMAX.
 * A map grown by another process is adopted at the next cz_txn_begin. */
#define CZ_STORE_MAP_SMALL ((size_t)256 << 20)
#define CZ_STORE_MAP_MAX32 ((size_t)1536 << 20)
int cz_store_open(const char *dir, int create, cz_store **out);
/* cz_store_open with the map's first and largest size given (0, 0: as
 * above): for tests, which fill a tiny map to see it grow. */
int cz_store_open_map(const char *dir, int create, size_t map, size_t map_max, cz_store **out);
void cz_store_close(cz_store *s);     /* NULL is fine */
/* The store's folder as given to cz_store_open, for messages; valid until
 * cz_store_close. */
const char *cz_store_dir(const cz_store *s);
/* The map's size now (bytes). */
size_t cz_store_map_size(const cz_store *s);
/* The last LMDB error text, for messages to a person. */
const char *cz_store_last_error(const cz_store *s);

int cz_txn_begin(cz_store *s, int write, cz_txn **out);
int cz_txn_commit(cz_txn *t);         /* frees t whatever happens */
void cz_txn_abort(cz_txn *t);         /* frees t; NULL is fine */

/* How many entries have been put in t so far (any result): a reader that
 * keeps what it derived from the store (the roster, roster.c) knows it is
 * stale when this moved. */
uint64_t cz_txn_puts(const cz_txn *t);
/* One slot for a derived cache that lives and dies with t (the roster's
 * snapshot): aux_free(aux) is called when t ends or the slot is replaced. */
void *cz_txn_aux(const cz_txn *t);
void cz_txn_set_aux(cz_txn *t, void *aux, void (*aux_free)(void *));

int cz_meta_get(cz_txn *t, const char *name, const void **val, size_t *len);
int cz_meta_put(cz_txn *t, const char *name, const void *val, size_t len);
/* Removes a meta value (absent is fine). */
int cz_meta_del(cz_txn *t, const char *name);
/* NUL-terminated copy into buf; "" and CZ_ENOTFOUND when absent. */
int cz_meta_get_str(cz_txn *t, const char *name, char *buf, size_t size);
int cz_meta_put_str(cz_txn *t, const char *name, const char *val);
int cz_meta_get_u64(cz_txn *t, const char *name, uint64_t *v);
int cz_meta_put_u64(cz_txn *t, const char *name, uint64_t v);
/* Every meta name starting with `prefix`, in name order (one cursor range,
 * not a walk of all meta); key is the name (not NUL-terminated).  fn
 * returning non-zero stops the walk with that value (CZ_WALK_STOP: no error). */
typedef int (*cz_raw_fn)(void *ctx, const uint8_t *key, size_t key_len,
                         const uint8_t *val, size_t val_len);
int cz_meta_each_prefix(cz_txn *t, const char *prefix, cz_raw_fn fn, void *ctx);

int cz_user_put(cz_txn *t, const char *name, const uint8_t *blob, size_t len);
int cz_user_get(cz_txn *t, const char *name, const uint8_t **blob, size_t *len);
/* Removes a person's key blob (CZ_ENOUSER when there is none). */
int cz_user_del(cz_txn *t, const char *name);
typedef int (*cz_user_fn)(void *ctx, const char *name, const uint8_t *blob, size_t len);
int cz_user_each(cz_txn *t, cz_user_fn fn, void *ctx);

enum cz_put_result { CZ_PUT_NEW = 0, CZ_PUT_DUPLICATE = 1, CZ_PUT_FORK = 2 };

/* Stores an entry (already decoded and verified by the caller) and updates
 * logs, versions, heads and indexes.  *result says whether it was new, a
 * duplicate (nothing changed) or a fork (kept as evidence, not applied).
 * `e` must be the decoding of e->raw: its fields are indexed as they are,
 * not read back from the stored bytes.  An entity's first version is
 * indexed from `e` alone (it has no other heads and no old terms); later
 * versions re-derive the entity's terms from all its heads. */
int cz_store_put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                       int *result);

/* Keeps an entry without applying it (authz.h): in entries and logs, and
 * in judged with its state (CZ_JUDGED_*) and the status naming the rule
 * (why), but in no version, head or index.  *result as above (a fork is
 * kept in forks as usual). */
enum cz_judged_state { CZ_JUDGED_REFUSED = 1, CZ_JUDGED_HELD = 2 };
int cz_store_put_judged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                        int state, int why, int *result);
/* The state of a kept entry; CZ_ENOTFOUND for an entry that is applied
 * (or not here at all). */
int cz_store_judged_get(cz_txn *t, const uint8_t id[CZ_ID_BYTES], int *state, int *why);
/* A held entry whose judgement is now OK or PENDING: applied as
 * cz_store_put_entry would have, and no longer held. */
int cz_store_release(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES]);
/* A held entry judged again and refused this time. */
int cz_store_judged_set(cz_txn *t, const uint8_t id[CZ_ID_BYTES], int state, int why);
/* Every kept entry: fn gets its id, state and why; non-zero stops. */
typedef int (*cz_judged_fn)(void *ctx, const uint8_t id[CZ_ID_BYTES], int state, int why);
int cz_store_each_judged(cz_txn *t, cz_judged_fn fn, void *ctx);
/* How many are kept in each state. */
int cz_store_judged_count(cz_txn *t, size_t *refused, size_t *held);
/* The lowest seq at which origin's log forked; CZ_ENOTFOUND when never. */
int cz_store_fork_first(cz_txn *t, const uint8_t origin[32], uint64_t *seq);
/* The lowest seq above `after` at which origin's log forked;
 * CZ_ENOTFOUND when none. */
int cz_store_fork_after(cz_txn *t, const uint8_t origin[32], uint64_t after, uint64_t *seq);

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

/* A stored entry, its structure parsed (the body was decoded strictly when
 * it came in, and verify decodes it again); valid until the transaction ends. */
int cz_store_get_entry(cz_txn *t, const uint8_t id[CZ_ID_BYTES], struct cz_entry *e);

/* Highest seq in an origin's log and its id; seq 0 when the log is empty. */
int cz_store_log_last(cz_txn *t, const uint8_t origin[32], uint64_t *seq, uint8_t id[CZ_ID_BYTES]);
int cz_store_log_get(cz_txn *t, const uint8_t origin[32], uint64_t seq, uint8_t id[CZ_ID_BYTES]);
/* Every position of one origin's log, in seq order (one cursor range).  fn
 * returning non-zero stops the walk: CZ_WALK_STOP without an error. */
typedef int (*cz_log_fn)(void *ctx, uint64_t seq, const uint8_t id[CZ_ID_BYTES]);
int cz_store_log_each(cz_txn *t, const uint8_t origin[32], cz_log_fn fn, void *ctx);

/* Current heads of an entity, the provisional winner first (higher clock,
 * then higher origin, as DESIGN.md says); *n may exceed max,
 * then only max are filled.  *n == 0: no such entity. */
int cz_store_heads(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                   uint8_t (*ids)[CZ_ID_BYTES], size_t max, size_t *n);

typedef int (*cz_id_fn)(void *ctx, const uint8_t *id);
/* Every entity with two or more current heads (concurrent versions), in
 * entity order: one sequential walk of the heads table, not a look-up per
 * record, so counting conflicts stays cheap at a million records. */
int cz_store_each_concurrent(cz_txn *t, cz_id_fn fn, void *ctx);
/* Every version of an entity (entry ids). */
int cz_store_versions(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx);

/* An entity by hex prefix (>= 6 hex digits) of its id.  CZ_ENOTFOUND,
 * CZ_EAMBIG, CZ_EINVAL (not hex or too short). */
int cz_store_resolve_entity(cz_txn *t, const char *hex, uint8_t entity[CZ_ENTITY_BYTES]);
/* An entry by hex prefix of its id. */
int cz_store_resolve_entry(cz_txn *t, const char *hex, uint8_t id[CZ_ID_BYTES]);

/* Every stored entry: key is the id under which it is stored. */
int cz_store_each_entry(cz_txn *t, cz_raw_fn fn, void *ctx);
/* Every log position: key origin|seq, value id. */
int cz_store_each_log(cz_txn *t, cz_raw_fn fn, void *ctx);
/* Every fork record: key origin|seq|id. */
int cz_store_each_fork(cz_txn *t, cz_raw_fn fn, void *ctx);

/* Entities under one exact index term; the callback gets 16-byte ids.
 * A callback returning non-zero stops the walk and that value is returned:
 * a status code, or CZ_WALK_STOP to stop early without an error. */
#define CZ_WALK_STOP (-1)
int cz_store_index_each(cz_txn *t, const void *term, size_t len, cz_id_fn fn, void *ctx);
int cz_store_index_count(cz_txn *t, const void *term, size_t len, size_t *count);

/* As cz_store_index_count, but without first putting the terms deferred
 * (cz_store_defer_index): only what is in the index already.  For a caller
 * that keeps the terms it wrote in this transaction itself (a load). */
int cz_store_index_count_stored(cz_txn *t, const void *term, size_t len, size_t *count);

/* From now on in this write transaction, a new entity's index terms are
 * kept and put later, sorted: in batches, before anything reads the index
 * (cz_store_index_*) or re-indexes an entity, and at the latest on commit.
 * What is stored is the same; for transactions storing many new entities
 * (a load, an import), which then touch each page of the index once per
 * batch instead of once per entity. */
int cz_store_defer_index(cz_txn *t);

/* CZ_OK when `entity` is under the term, else CZ_ENOTFOUND (one B-tree
 * look-up: intersecting posting lists costs no record loads). */
int cz_store_index_has(cz_txn *t, const void *term, size_t len, const uint8_t entity[CZ_ENTITY_BYTES]);
/* Entities under every term that starts with `prefix`, in term order (so an
 * 'X' prefix up to the value walks records in the order of that field). */
int cz_store_index_prefix(cz_txn *t, const void *prefix, size_t len, cz_id_fn fn, void *ctx);

/* Build the terms above (exposed for search.c). */
size_t cz_term_type(char *buf, size_t size, const char *type);
size_t cz_term_region(char *buf, size_t size, const char *type, const char *region);
size_t cz_term_exact(char *buf, size_t size, const char *type, const char *field, const char *value);
/* Records referring to an entity (16 bytes) or to one exact version (32). */
size_t cz_term_link(char *buf, size_t size, const uint8_t *target, size_t len);

/* Bundles already imported (CZ_ENOTFOUND when not), and peers' last
 * acknowledged version vectors.  Values are opaque to the store. */
int cz_store_seen_get(cz_txn *t, const uint8_t id[32], const void **v, size_t *len);
int cz_store_seen_put(cz_txn *t, const uint8_t id[32], const void *v, size_t len);
int cz_store_peer_get(cz_txn *t, const uint8_t peer[32], const void **v, size_t *len);
int cz_store_peer_put(cz_txn *t, const uint8_t peer[32], const void *v, size_t len);

struct cz_store_stats { size_t entries, entities, logs, forks; size_t db_bytes; };
int cz_store_stats(cz_txn *t, struct cz_store_stats *st);

#endif
