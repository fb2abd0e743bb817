/* overview.h — what the screens and the command line show, asked of the
 * store: counts of live records, the records linked to one, the exit
 * assessments awaiting a step, versions and entries by id, forks, the
 * store's size, the sync peers.  Neither the screens nor the command line
 * build index terms or begin transactions: they ask here, and read records
 * through query.h inside a view handed out here.
 *
 * A view is one read transaction on a station's store, with the station it
 * was opened on.  Everything read through it (records, entries, what a
 * callback gets) is valid until cz_view_end; copy what must outlive it.  A
 * view is for one thread and is ended before the caller waits for a person
 * (a screen ends it before returning from a key press), so no reader holds
 * LMDB pages from being reused for long. */
#ifndef CZ_OVERVIEW_H
#define CZ_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "exitchain.h"
#include "hhstatus.h"
#include "query.h"
#include "station.h"
#include "store.h"
#include "sync.h"

typedef struct cz_view cz_view;

/* Begins a read view of st's store.  CZ_ENOMEM, or the store's statuses
 * (store.h); *out is NULL on failure. */
int cz_view_begin(cz_station *st, cz_view **out);
/* Ends the view and everything read through it; NULL is fine. */
void cz_view_end(cz_view *v);
/* The view's read transaction, for the record functions of query.h,
 * exitchain.h, roster.h, conflicts.h, report.h, verify.h.  Owned by the
 * view: never committed or aborted by the caller. */
cz_txn *cz_view_txn(cz_view *v);
/* The station the view was opened on. */
cz_station *cz_view_station(const cz_view *v);

/* ---- counts and links ---- */

/* How many live records of `type` (a schema key) there are, in `region`
 * (a village's exact code; NULL or "": every region).  One index count: no
 * record is loaded. */
int cz_view_count(cz_view *v, const char *type, const char *region, size_t *n);

/* Live records of `type` (NULL: any) that refer to `target` (an entity):
 * the members of a household, the trainings a household attended.  Each
 * record is loaded to check it is live and of that type; fn gets its
 * entity, in entity order.  A record that cannot be read stops the walk
 * with its status, as cz_query_list does; fn returning non-zero stops it
 * with that value (CZ_WALK_STOP: no error). */
int cz_view_linked(cz_view *v, const uint8_t target[CZ_ENTITY_BYTES], const char *type,
                   cz_entity_fn fn, void *ctx);
/* How many cz_view_linked would report (a household's size); a record
 * that cannot be read is not counted. */
int cz_view_linked_count(cz_view *v, const uint8_t target[CZ_ENTITY_BYTES], const char *type, size_t *n);

/* Live trainings that name `household` among their attending households
 * (the training's `households` list): by its record id (hex, any case) or
 * by its household number, a number counting only on a training whose
 * region holds the household's village (its own, or a town's, county's
 * or city's training: numbers repeat between villages).
 * Trainings carry no link term for these free items, so every live
 * training is read (a village has tens a year).  fn gets each training's
 * entity, in entity order; stops as cz_view_linked.  CZ_ENOTFOUND when
 * household is not a live household. */
int cz_view_trainings_of(cz_view *v, const uint8_t household[CZ_ENTITY_BYTES], cz_entity_fn fn, void *ctx);

/* ---- exit assessments awaiting approval ---- */

/* One live exit assessment whose approval chain is not complete (judged
 * now, exitchain.h); every pointer is valid during the callback only. */
struct cz_pending_exit {
    const uint8_t *entity;
    const struct cz_record *record;     /* its current version, loaded */
    const struct cz_exit_state *state;
    int next;            /* the first step not approved yet; -1 when all four are */
    int may_approve;     /* pk given: pk may sign the next step (else it may only reject it) */
};
typedef int (*cz_pending_exit_fn)(void *ctx, const struct cz_pending_exit *p);

/* The exit assessments awaiting approval.  pk NULL: every live assessment
 * whose chain is not complete (the station's count).  pk given: only those
 * with a step left to sign that the key pk may approve or, from a level
 * above, reject (exitchain.h, cz_step_signer_ok): a person's work list.
 * fn (may be NULL) hears of each, in entity order; *n (may be NULL)
 * counts them.  fn returning non-zero stops the walk with that value
 * (CZ_WALK_STOP: no error); so does an assessment that cannot be read
 * when fn or pk is given (as cz_query_list).  Each chain depends on its
 * signers as trusted now and on the dates, so every live assessment is
 * judged: no index term answers it.  A count alone (fn and pk NULL)
 * saves the record load of each (cz_exit_state reads what it needs);
 * only an assessment with concurrent versions is loaded, since a merge
 * may make it deleted. */
int cz_view_exits_pending(cz_view *v, const uint8_t *pk, cz_pending_exit_fn fn, void *ctx, size_t *n);

/* ---- versions, entries, ids ---- */

/* An entity's current heads, the provisional winner first: as
 * cz_store_heads (*n may exceed max; 0: no such entity). */
int cz_view_heads(cz_view *v, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t (*ids)[CZ_ID_BYTES],
                  size_t max, size_t *n);
/* A stored entry by id, parsed (valid until cz_view_end).  CZ_ENOTFOUND. */
int cz_view_entry(cz_view *v, const uint8_t id[CZ_ID_BYTES], struct cz_entry *e);
/* Whether the entry id is stored here and is a tombstone (a deletion). */
int cz_view_is_tombstone(cz_view *v, const uint8_t id[CZ_ID_BYTES]);
/* How many entries are held aside for a record type this build does not
 * know (a later build's: TRUST.md, Mixed builds): kept, verified, not
 * counted until this station runs a build that knows the type. */
int cz_view_held_later(cz_view *v, size_t *n);
/* The highest seq of key's log held here (0 when none). */
int cz_view_log_last(cz_view *v, const uint8_t key[32], uint64_t *seq);

/* A record from an id typed by a person: a hex prefix (>= 6 digits) of
 * its entity id, or else of one of its versions' entry ids.  CZ_EINVAL
 * (not hex, or too short), CZ_EAMBIG, CZ_ENOTFOUND. */
int cz_view_resolve(cz_view *v, const char *hex, uint8_t entity[CZ_ENTITY_BYTES]);
/* An entry from a hex prefix of its id.  The same statuses. */
int cz_view_resolve_entry(cz_view *v, const char *hex, uint8_t id[CZ_ID_BYTES]);

/* ---- forks and the store ---- */

/* One entry kept as evidence of a fork: the author's key, the log
 * position and the entry's id (pointers valid until cz_view_end). */
struct cz_fork_entry {
    const uint8_t *key;
    uint64_t seq;
    const uint8_t *id;
};
typedef int (*cz_fork_fn)(void *ctx, const struct cz_fork_entry *f);
/* Every fork record, by key then seq; fn non-zero stops (as above). */
int cz_view_each_fork(cz_view *v, cz_fork_fn fn, void *ctx);

/* Entries, logs, forks and the database file's size (cheap at any size). */
int cz_view_stats(cz_view *v, struct cz_store_stats *out);
/* Records with a stored version: one step a record (`status`). */
int cz_view_count_records(cz_view *v, size_t *n);

/* The people with a key slot on this PC, by name: fn gets each name and
 * its sealed key blob (keys.h); non-zero stops with that value. */
int cz_view_each_user(cz_view *v, cz_user_fn fn, void *ctx);

/* The name of the place a code names (a `place` record's title), into buf
 * (size bytes; "" when none): the code normalised, as the store checks a
 * village typed (region.h: "411000" finds the city 4110).  CZ_OK,
 * CZ_ENOTFOUND when no live place has that code, CZ_EPLACECODE when code
 * is not digits at a whole level (region.h, cz_region_code_ok).  For a
 * form showing a village by name beside the code typed. */
int cz_view_place_name(cz_view *v, const char *code, char *buf, size_t size);

/* ---- whole-station questions (each opens what it needs itself) ---- */

/* Live households and members: the status line's figures. */
int cz_overview_counts(cz_station *st, size_t *households, size_t *members);

/* A sync peer (sync.h) and when this station last sent to it and last
 * received from it (ms since the epoch; 0: never). */
struct cz_peer_status {
    struct cz_peer peer;
    uint64_t sent_ms, received_ms;
};
/* The peers, in cz_sync_peers order; *out malloc'd (the caller frees it). */
int cz_overview_peers(cz_station *st, struct cz_peer_status **out, size_t *n);

/* Removes the drafts of records deleted since they were typed
 * (draft.h, cz_draft_sweep); *removed may be NULL. */
int cz_overview_sweep_drafts(cz_station *st, size_t *removed);

/* ---- a household's status ---- */

/* A household's status, worked out now (hhstatus.h): never the typed
 * field; with whether it is pending. */
int cz_view_household_status(cz_view *v, const uint8_t household[CZ_ENTITY_BYTES],
                             struct cz_household_status *out);
/* For showing a record loaded through query.h: when r is a live household,
 * works its status out and writes it into r->body (its `status` and
 * `exited_on`, cz_household_status_apply), so that every way of showing the
 * body shows that; *out (may be NULL) gets it too.  Any other record is
 * left as it is (*out zeroed, poor).  CZ_OK, CZ_ENOMEM, the store's
 * statuses. */
int cz_view_household_reckon(cz_view *v, struct cz_record *r, struct cz_household_status *out);

/* ---- every exit assessment and its stage ---- */

/* Where an assessment's chain stands, judged now (exitchain.h). */
enum cz_exit_stage {
    CZ_STAGE_AWAITING,     /* step awaits its signature */
    CZ_STAGE_REJECTED,     /* step was refused: the chain stops there */
    CZ_STAGE_NOTICE,       /* the county signed; the notice runs until notice_close_ms */
    CZ_STAGE_HELD,         /* every step signed, yet it does not count: the criteria fail */
    CZ_STAGE_COMPLETE,     /* the household has exited */
};

/* One live exit assessment; every pointer is valid during the callback
 * only. */
struct cz_exit_row {
    const uint8_t *entity;
    const struct cz_record *record;     /* its current version, loaded */
    const struct cz_exit_state *state;  /* criteria: CZ_OK or why it may not be approved */
    enum cz_exit_stage stage;
    int step;            /* AWAITING, REJECTED: that step; NOTICE: CZ_STEP_NOTICE; else -1 */
    int mine;            /* pk given: pk may approve the step, or reject it from above */
    int may_approve;     /* pk given: pk may approve the step */
};
typedef int (*cz_exit_row_fn)(void *ctx, const struct cz_exit_row *r);

/* Every live exit assessment in `region` (a code prefix; NULL or "": any)
 * and, when pk is given, in pk's jurisdiction as its certificate says (the
 * office and the root: every region; a key with no certificate that
 * counts: none), with its stage, in entity order: the supervisors' and the
 * office's overview, `cunzhan exits --all`.  fn (may be NULL) hears of
 * each; *n (may be NULL) counts them, *open (may be NULL) those not
 * complete.  An assessment that cannot be read stops the walk with its
 * status; fn returning non-zero stops it with that value (CZ_WALK_STOP: no
 * error).  The stage depends on the signers as trusted now and on this
 * PC's clock, so each assessment is judged: no index term answers it. */
int cz_view_exits_each(cz_view *v, const char *region, const uint8_t *pk, cz_exit_row_fn fn, void *ctx,
                       size_t *n, size_t *open);

#endif
