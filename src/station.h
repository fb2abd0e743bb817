/* station.h — one station's data folder: its identity, its people, and the
 * operations that write signed records.  The command line and the screens
 * both work through this module; neither touches LMDB or libsodium.
 *
 * Data folder layout:  DIR/db/       the LMDB store (store.h); nothing else.
 *                      DIR/drafts/   unsaved forms (draft.h): local scratch
 *                                    text, never in LMDB, never signed.
 *
 * A cz_station is opened read-only in effect until cz_station_login()
 * unlocks a person's key; writes need a login.  Not thread-safe: one
 * cz_station per thread (a load signs on a thread of its own, inside
 * the call).  The code lives in src/station*.c, one file per purpose
 * (station_int.h lists them). */
#ifndef CZ_STATION_H
#define CZ_STATION_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "roster.h"
#include "schema.h"
#include "store.h"

#define CZ_NAME_MAX 64

enum cz_station_kind { CZ_KIND_STATION = 0, CZ_KIND_OFFICE = 1 };

struct cz_station_info {
    enum cz_station_kind kind;
    char name[CZ_NAME_MAX];
    char region[CZ_REGION_MAX + 1];
    char default_user[CZ_NAME_MAX];
    uint8_t box_pk[32];          /* this station's bundle key */
    uint8_t office_root[32];     /* the root of trust */
    uint8_t office_box[32];      /* where bundles for the office are sealed */
    char office_name[CZ_NAME_MAX];
    size_t reindexed;            /* records indexed again on opening (an older build's index) */
};

struct cz_init_opts {
    enum cz_station_kind kind;
    const char *name;
    const char *region;          /* station: required; office: may be "" */
    const char *user;
    /* Station only: the office identity, from its `pubkey` output. */
    const char *office_identity; /* the text of the file */
    /* The demo builder only (demo.c): its documented passphrase `demo` is
     * shorter than the rule of cz_passphrase_check allows. */
    int demo_passphrase;
};

typedef struct cz_station cz_station;

/* Creates a new station in dir (which must not hold one) and logs in as the
 * first user.  The passphrase protects that user's key blob.  Where DIR/db
 * exists: CZ_EEXIST when a station lives there, else what is wrong with it
 * (CZ_EDBTRUNC, CZ_EDBMETA, CZ_EDBDAMAGED, CZ_EDBNOINFO, CZ_EACCESS...),
 * as cz_station_open says. */
int cz_station_init(const char *dir, const struct cz_init_opts *o, const char *passphrase,
                    cz_station **out, char *why, size_t why_size);

/* CZ_ENOINIT when DIR/db does not exist; CZ_EDBNOINFO when it holds a
 * store without a station; the store's statuses (store.h) otherwise. */
int cz_station_open(const char *dir, cz_station **out);
void cz_station_close(cz_station *st);

/* Told before cz_station_open indexes again an index an older build made
 * (`records` of them: a million take a minute or so), so that the person
 * learns why opening waits.  One for the process, set before opening;
 * NULL: nobody. */
typedef void (*cz_reindex_fn)(void *ctx, size_t records);
void cz_station_reindex_notice(cz_reindex_fn fn, void *ctx);
const struct cz_station_info *cz_station_info(const cz_station *st);
cz_store *cz_station_store(cz_station *st);
/* The data folder it was opened on (owned by st). */
const char *cz_station_dir(const cz_station *st);

/* This PC's clock against what the station already signed (seconds since
 * 1970): a PC clock more than a day behind the latest wall time an entry
 * signed here carried (a dead CMOS battery) is pc_behind, and nothing is
 * signed (CZ_ECLOCKBEHIND) until cz_station_clock_confirm says the person
 * checked the date (either this PC is wrong now, or one was wrong when
 * those entries were signed: only a person can tell); a station clock more than a day ahead of the PC (an
 * earlier wrong date; it cannot go back, entries keep their order) is
 * station_ahead, to be said once. */
struct cz_clock_state {
    int64_t now, last_signed, station_clock;
    int pc_behind, station_ahead;
    int ahead_noted;             /* station_ahead was said already */
};
int cz_station_clock(cz_station *st, struct cz_clock_state *out);
/* The person checked the date: signing goes on, and the latest wall time
 * becomes now (a write of its own). */
int cz_station_clock_confirm(cz_station *st);
/* Remembers that station_ahead was said (a write of its own). */
int cz_station_clock_noted(cz_station *st);

/* Unlocks `user` (NULL: the default user).  CZ_ENOUSER, CZ_EPASS,
 * CZ_EREVOKED (a revoked person signs nothing again).  A retired key
 * (CZ_META_RETIRED) is replaced first, in its own write; a slot holding
 * the root key whose certificate is not office gives it up. */
int cz_station_login(cz_station *st, const char *user, const char *passphrase);
const char *cz_station_user(const cz_station *st);   /* NULL before login */
/* The logged-in person's public key (32 bytes) or NULL. */
const uint8_t *cz_station_person_pk(const cz_station *st);

/* Another person on this machine (needs a login: it copies the station key
 * into the new person's slot).  At the office the root certifies them at
 * once; at a village station they stay pending until enrolment. */
int cz_station_user_add(cz_station *st, const char *name, const char *role,
                        const char *new_passphrase);
/* As cz_station_user_add without the passphrase rule: for the demo
 * builder alone (its documented passphrase is `demo`). */
int cz_station_user_add_demo(cz_station *st, const char *name, const char *role,
                             const char *new_passphrase);
/* Passphrases and slots (keys.h).  At the office a new person's slot holds
 * the root key only when their role is office; adding anyone there needs
 * an office person logged in (CZ_EPERM otherwise), since the root
 * certifies them at once.  A passphrase being set must pass
 * cz_passphrase_check (CZ_EWEAKPASS). */

/* Changes `user`'s passphrase (NULL: the person logged in, else the
 * default user): needs their old one (CZ_EPASS), not a login.  A revoked
 * person's slot is not renewed (CZ_EREVOKED). */
int cz_station_passwd(cz_station *st, const char *user, const char *old_passphrase,
                      const char *new_passphrase);
/* Wipes `name`'s slot from this PC (the key is NOT revoked: at the office,
 * revoke it too when the person has left).  Needs a login: not yourself
 * (CZ_ESELF), not a clerk or a revoked person (CZ_EPERM, CZ_EREVOKED), at
 * the office an office person; never the last person, nor the office's
 * last slot holding the root key (CZ_ELASTUSER).  Removing the default
 * user makes the person logged in the default. */
int cz_station_user_remove(cz_station *st, const char *name);

/* This station's public identity as text (for --office-key and enrolment).
 * *out malloc'd. */
int cz_station_identity(cz_station *st, char **out);

/* Parse an identity text (as written by cz_station_identity). */
struct cz_identity {
    int is_office;
    char name[CZ_NAME_MAX];
    char region[CZ_REGION_MAX + 1];
    uint8_t root[32];
    uint8_t box[32];
    /* After a root rollover: the chain's first root (line `anchor`) and
     * where each replaced root ends (lines `rolled KEY SEQ`, chain order). */
    int has_anchor;
    uint8_t anchor[32];
    struct cz_root_link rolled[CZ_ROOT_CHAIN_MAX];
    size_t nrolled;
};
int cz_identity_parse(const char *text, struct cz_identity *id);


/* Write a new record or a new version.  Values are normalised and checked;
 * references may be given as id prefixes.  On CZ_EFIELD / CZ_EIDNUM /
 * CZ_EEMPTY / CZ_EEXIST, *err names the field.  Nothing is stored unless
 * everything holds. */
int cz_station_add(cz_station *st, const char *type, const struct cz_assign *a, size_t n,
                   uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                   struct cz_field_error *err);
/* A new version of a record names as parents exactly the versions its
 * writer saw: cz_station_edit those read in its own transaction (what the
 * command line shows is what it read), cz_station_edit_seen those the
 * caller loaded earlier (a form: the heads read with the values it shows).
 * When the record's current heads are not exactly `seen`, nothing is
 * signed: CZ_ECHANGED (the record changed since the form opened; show the
 * new values and let the person save again).  A record in conflict
 * (merge.h) is edited only when the assignments choose a value for every
 * conflicting field, which settles those conflicts as chosen; otherwise
 * CZ_ECONFLICT, err->field the first field left out and err->detail every
 * one (keys, comma-separated; "deleted" for a deletion concurrent with an
 * edit, which only cz_resolve / cz_resolve_delete settle). */
int cz_station_edit(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                    const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                    struct cz_field_error *err);
int cz_station_edit_seen(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                         const uint8_t (*seen)[CZ_ID_BYTES], size_t nseen,
                         const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                         struct cz_field_error *err);
/* The resolution's edit (conflicts.h, cz_resolve): conflicting fields not
 * assigned keep their provisional value, every head a parent. */
int cz_station_resolve(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                       const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                       struct cz_field_error *err);
/* Many new records of one type in ONE transaction: every row is checked
 * (fn hears of each refused row: its index, status and field), and either
 * all are stored or, when any row is refused, none (CZ_EFIELD). */
typedef void (*cz_row_error_fn)(void *ctx, size_t row, int status, const struct cz_field_error *err);
int cz_station_add_many(cz_station *st, const char *type, const struct cz_assign *const *rows,
                        const size_t *counts, size_t nrows, cz_row_error_fn fn, void *ctx,
                        size_t *stored);
/* The same, telling pr (sync.h; NULL: no one) now and then how many rows
 * have been checked and handed on to be signed and stored, of nrows; done
 * == total once the load is committed.  Each row is checked, signed and
 * stored in one pass, so there is one count; the commit after the last
 * row (the index batches of a large load) is the only wait it does not
 * count. */
struct cz_progress;
int cz_station_add_many_with(cz_station *st, const char *type, const struct cz_assign *const *rows,
                             const size_t *counts, size_t nrows, cz_row_error_fn fn, void *ctx,
                             const struct cz_progress *pr, size_t *stored);

/* ---- a load from a file: validated whole, committed in bounded
 * transactions, resumed after a kill ----
 *
 * Rows come from a source, twice: the first pass checks every row against
 * the store and the rows before it and writes nothing (a refused row is
 * told to fn, by the tag the source gave it, and then nothing is stored:
 * CZ_EFIELD); the second checks each again, signs and stores it,
 * committing every few tens of MB (station_load.c, LOAD_TXN_BYTES).  Each
 * commit but the last notes in the station the load in progress: the
 * file's name and hash, the type, rows stored of the total; the last
 * commit clears it.  A run with the same file (hash and type) resumes
 * after the rows stored; with another file it is refused (CZ_ELOADOTHER,
 * *state naming the unfinished one) until that one is finished or
 * abandoned.  A type with a version reference (approval) is checked
 * against its own earlier rows as stored, so it is loaded in one
 * transaction, all rows or none, with no note.  pr hears (done, total) in
 * rows: a row counts half when checked, half when stored. */
struct cz_load_source {
    size_t nrows;                       /* rows next gives in all */
    /* The next row: CZ_OK with a[0..*n) (valid until the next call) and
     * *tag (what fn hears of the row: a CSV file's line); CZ_ENOTFOUND
     * after the last. */
    int (*next)(void *ctx, const struct cz_assign **a, size_t *n, size_t *tag);
    void (*rewind)(void *ctx);          /* back to the first row */
    void *ctx;
    /* Optional: another cursor over the same rows, at the first, for a
     * thread of its own (the first pass checks on every core); NULL: the
     * first pass runs on one thread. */
    int (*dup)(void *ctx, void **out);
    void (*dup_free)(void *ctx);
    const char *name;                   /* the file, as the person gave it */
    uint8_t hash[32];                   /* BLAKE2b-256 of its bytes */
};
#define CZ_LOAD_NAME_MAX 512
/* A load noted as unfinished (unfinished 0: none). */
struct cz_load_state {
    int unfinished;
    char name[CZ_LOAD_NAME_MAX];
    char type[CZ_TYPE_MAX + 1];
    uint8_t hash[32];
    uint64_t done, total;               /* rows stored, of the file's */
};
/* *state: the note found before this run (unfinished and done > 0: this
 * run resumed after done rows).  *stored: rows this run stored (on a
 * failure after a commit, the rows committed: the note says so too). */
int cz_station_load(cz_station *st, const char *type, const struct cz_load_source *src, cz_row_error_fn fn,
                    void *ctx, const struct cz_progress *pr, struct cz_load_state *state, size_t *stored);
/* The unfinished load noted, if any. */
int cz_station_load_unfinished(cz_station *st, struct cz_load_state *state);
/* Forgets the unfinished load (*was: what it was; unfinished 0 when there
 * was none).  The rows it stored stay: each is a valid signed record. */
int cz_station_load_abandon(cz_station *st, struct cz_load_state *was);

/* Whether the person logged in may write (add, edit or delete) a record
 * of `type` in `region` (NULL: anywhere a new one may lie: "" for the
 * global types, places and helpers, which have no region field, else the
 * person's own jurisdiction), by the rules the writes themselves apply: no
 * trust record, the region under their jurisdiction, a poverty line from
 * an office person only.  CZ_OK, CZ_EPERM (not logged in too),
 * CZ_EREVOKED, CZ_EEXPIRED, CZ_ETYPE, or the store's statuses.  A screen
 * asks before offering an action; the write checks again. */
int cz_station_may_write(cz_station *st, const char *type, const char *region);

/* A tombstone version. */
int cz_station_delete(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES]);

/* ---- the office: enrolment and revocation (src/TRUST.md) ----
 * Both need a login at the office (the root key); CZ_EPERM elsewhere. */

/* What a certificate says of one key.  kind is "person" or "station" (a
 * station's bundle key); role is clerk, supervisor or office; region is the
 * jurisdiction (a code prefix; "" only for role office). */
struct cz_cert_req {
    uint8_t key[32];
    const char *kind, *name, *station, *region, *role;
};
/* Root signs a `cert` record, countersigned by the office person logged
 * in (roster.h); id gets its entry id.  CZ_EPERM unless that person is a
 * certified office person whose slot holds the root key; CZ_EREVOKED,
 * CZ_EEXPIRED for a revoked or expired one. */
int cz_station_certify(cz_station *st, const struct cz_cert_req *r, uint8_t id[CZ_ID_BYTES]);
/* The same with a last day (YYYY-MM-DD, China Standard Time; NULL: none). */
int cz_station_certify_until(cz_station *st, const struct cz_cert_req *r, const char *valid_until,
                             uint8_t id[CZ_ID_BYTES]);
/* Root signs a `revoke` record, countersigned as above: entries of `key`
 * with seq > after_seq stop counting, and the key signs nothing again
 * (permanent: no later cert undoes it). */
int cz_station_revoke(cz_station *st, const uint8_t key[32], uint64_t after_seq,
                      const char *reason, uint8_t id[CZ_ID_BYTES]);

/* Root signs a `fork_choice` record, countersigned as above: of the two
 * entries at (key, seq), `entry` is the branch that counts again
 * (authz.h).  CZ_ENOTFOUND unless this station holds `entry` at that
 * position; CZ_ENOFORK when the key's log did not fork there. */
int cz_station_fork_accept(cz_station *st, const uint8_t key[32], uint64_t seq, const uint8_t entry[CZ_ID_BYTES],
                           const char *reason, uint8_t id[CZ_ID_BYTES]);

/* Root rollover (roster.h), at the office by an office person holding the
 * current root, who gives their passphrase again (their slot is sealed
 * anew: CZ_EPASS).  A new root key is made; the old root signs a
 * `rollover` naming it, the new root signs the statement too, the person
 * countersigns; this station pins the new root.  The new root goes into
 * this person's slot, and, for every other certified office person with a
 * slot here, into a transfer sealed to their own key, taken into their
 * slot at their next login (*transfers: how many); a slot still holding
 * the old root gives it up at its next login; revoking a person or
 * removing their slot wipes their transfer.  new_root gets the new key.
 * CZ_EPERM for anyone else (a clerk's slot has no root key). */
int cz_station_rollover(cz_station *st, const char *passphrase, const char *reason, uint8_t new_root[32],
                        size_t *transfers);
/* Inside t, after rollovers were stored (an import): pins the chain's
 * current root (meta office_root, and root_anchor the first time).  *now
 * gets it; *changed 1 when it is not `pinned`.  The caller reloads the
 * station's info after the commit (cz_station_reload). */
int cz_station_pin_root(cz_txn *t, const uint8_t pinned[32], uint8_t now[32], int *changed);
/* Reads the station's info (the pinned root) from the store again. */
int cz_station_reload(cz_station *st);

/* ---- restore (backup.h) ---- */

/* Creates DIR/db for a station that does not exist yet (CZ_EEXIST when it
 * does, or what is wrong with what is there, as cz_station_init) and opens
 * the empty store. */
int cz_station_create_store(const char *dir, cz_store **out);
/* Writes a station's identity into a new store inside t. */
int cz_station_put_info(cz_txn *t, const struct cz_station_info *info);
/* Meta "retired": 32-byte person keys that must never sign again here (a
 * restored station's old keys).  Logging in with one replaces it first with
 * a fresh key under the same passphrase, announced with a `key` record
 * naming the old one (its `replaces` field). */
#define CZ_META_RETIRED "retired"
/* Meta "root_seq_floor" (u64): a restored office's root log goes on from
 * seq floor+1, far past anything the lost PC can have signed after the
 * backup (replacing the root key is the other cure: a rollover drops the
 * floor, the new root's log being new).  Logs may have holes (scoped
 * replication), so a gap is legal. */
#define CZ_META_ROOT_FLOOR "root_seq_floor"
#define CZ_ROOT_SEQ_GAP (UINT64_C(1) << 20)

/* The unlocked secrets of the person logged in (NULL before login), for
 * the bundle code that signs and opens bundles.  Owned by st. */
struct cz_secrets;
const struct cz_secrets *cz_station_secrets(const cz_station *st);

#endif
