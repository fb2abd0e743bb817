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
 *   heads     entity -> id (dup)      versions no other version supersedes,
 *                                     listed once an entity has more than
 *                                     one (store_entry.c)
 *   index     term -> entity (dup)    look-ups over the current heads,
 *                                     kept by index.c (index.h); an edit
 *                                     takes out the terms made again from
 *                                     the versions it supersedes
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
 * The store keeps bytes and knows no record type: what a record is found
 * under is the index's say (index.h), and storing an entry so it is
 * applied (versions, heads and index) is cz_store_put_entry there.
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

/* The store's layout, in meta under CZ_META_FORMAT (u64).  2: the index
 * keeps an entity's first 8 bytes under each term, and no eterms table
 * (index.h); heads lists the heads of entities of more than one version
 * only (store_entry.c).  A store of format 1 is brought to 2 with its index when a
 * station opens (cz_store_index_upgrade); a build that knows only 1
 * refuses 2 (CZ_EVERSION) rather than misread the index. */
#define CZ_STORE_FORMAT 2
#define CZ_STORE_FORMAT_OLDEST 1
#define CZ_META_FORMAT "format"

typedef struct cz_store cz_store;
typedef struct cz_txn cz_txn;

/* What a walk's callback returns to stop early without an error (each
 * walk says what it returns then); any other non-zero is a status that
 * stops the walk and is returned. */
#define CZ_WALK_STOP (-1)

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

/* What storing an entry did: new, a duplicate (nothing changed) or a fork
 * (kept as evidence, not applied).  cz_store_put_entry (index.h) and
 * cz_store_put_judged say. */
enum cz_put_result { CZ_PUT_NEW = 0, CZ_PUT_DUPLICATE = 1, CZ_PUT_FORK = 2 };

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
/* A held entry judged again and refused this time.  One that may now be
 * applied is cz_store_release (index.h). */
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
 * then higher origin, as FORMATS.md, Reconciling, says); *n may exceed max,
 * then only max are filled.  *n == 0: no such entity. */
int cz_store_heads(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES],
                   uint8_t (*ids)[CZ_ID_BYTES], size_t max, size_t *n);

/* A walk over ids (16-byte entities or 32-byte entries, as the walk
 * says); non-zero stops it, and is returned. */
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

/* Bundles already imported (CZ_ENOTFOUND when not), and peers' last
 * acknowledged version vectors.  Values are opaque to the store. */
int cz_store_seen_get(cz_txn *t, const uint8_t id[32], const void **v, size_t *len);
int cz_store_seen_put(cz_txn *t, const uint8_t id[32], const void *v, size_t len);
int cz_store_peer_get(cz_txn *t, const uint8_t peer[32], const void **v, size_t *len);
int cz_store_peer_put(cz_txn *t, const uint8_t peer[32], const void *v, size_t len);

/* Entries, log heads, forks and the file's size: each read from LMDB's own
 * counts, so as cheap at a million records as at ten (the screens read it
 * after every save). */
struct cz_store_stats { size_t entries, logs, forks; size_t db_bytes; };
int cz_store_stats(cz_txn *t, struct cz_store_stats *st);
/* Records (entities with a stored version): a walk of the versions table,
 * one step a record, for `status` and tests rather than a screen. */
int cz_store_count_records(cz_txn *t, size_t *n);

#endif
