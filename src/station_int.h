/* station_int.h — what the station files share; nothing outside them
 * includes it (the public face is station.h).  The station is one module
 * in six rooms:
 *
 *   station.c        opening, creating and closing a data folder, its info
 *                    and identity, and the PC's clock against the station's;
 *   station_people.c the people on this PC: login, passphrases, slots;
 *   station_check.c  the checks a version passes before it is signed
 *   station_refs.c   references typed as ids, prefixes or household numbers
 *                    (references, region, uniqueness, who may write it,
 *                    edits over unseen or conflicting versions);
 *   station_write.c  signing and appending one entry to the signer's log,
 *                    and one person's add / edit / resolve / delete;
 *   station_load.c   the pipe of a load: rows checked here, signed on a
 *                    second thread, stored in order;
 *   station_loadrun.c a load's passes: validated first, then committed in
 *                    bounded transactions (cz_station_load,
 *                    cz_station_add_many);
 *   station_loadcheck.c a load's first pass, checking on every core;
 *   station_loadmark.c the note of a load left unfinished, for resuming;
 *   station_trust.c  the trust records: introductions, certificates,
 *                    revocations, fork choices and root rollovers.
 *
 * The cz_st_ functions declared here are private to those files. */
#ifndef CZ_STATION_INT_H
#define CZ_STATION_INT_H

#include <stddef.h>
#include <stdint.h>
#include "keys.h"
#include "roster.h"
#include "station.h"

struct cz_station {
    char *dir;
    cz_store *store;
    struct cz_station_info info;
    cz_secrets *secrets;          /* after login */
    char user[CZ_NAME_MAX];
    int clock_confirmed;          /* cz_station_clock_confirm */
};

#define META_HLC "hlc"
/* The latest wall time (seconds) an entry signed here carried: a PC clock
 * well behind it is a PC whose date is wrong (a dead CMOS battery). */
#define META_WALL_MAX "wall_max"
/* Meta "root_transfer:<person key hex>": the new root after a rollover,
 * sealed to an office person who was not at the keyboard (keys.h,
 * cz_secrets_root_transfer), taken into their slot at their next login. */
#define META_ROOT_TRANSFER "root_transfer:"
#define CZ_ST_TRANSFER_NAME (sizeof META_ROOT_TRANSFER + 64)

/* ---- station.c ---- */

/* Nothing is signed with a PC clock a day or more behind what this station
 * already signed, until the person says the date is right
 * (CZ_ECLOCKBEHIND). */
int cz_st_clock_gate(cz_station *st);
/* A station or person name: UTF-8, no control character, no '/'. */
int cz_st_name_ok(const char *s);

/* ---- station_people.c ---- */

/* Whether the person logged in may act for the office root now: certified
 * as an office person, not revoked, not expired.  CZ_EPERM (not office, or
 * a slot without the root key), CZ_EREVOKED, CZ_EEXPIRED. */
int cz_st_office_person(cz_station *st, cz_txn *t);
/* The meta key of the root transfer sealed to person key pk. */
void cz_st_transfer_name(char out[CZ_ST_TRANSFER_NAME], const uint8_t pk[32]);

/* ---- station_write.c: appending to a log ---- */

/* Who signs an entry: the person's key, or the root key their slot holds. */
struct signer { const cz_secrets *s; int root; };
/* The entry_build signing callback; ctx is a struct signer. */
int cz_st_sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);

struct append_req {
    const cz_secrets *secrets;
    int as_root;
    const char *type;
    const uint8_t *entity;      /* NULL: a new entity */
    const uint8_t *parents;
    size_t nparents;
    const char *region;
    const cz_body *body;
    uint8_t flags;
    const uint8_t *office_root;  /* whose roster judges the entry (authz.h) */
};
/* Signs and appends one entry to the signer's log inside t (the caller
 * commits or aborts); entity_out (may be NULL) gets its entity. */
int cz_st_append(cz_txn *t, const struct append_req *r, uint8_t entity_out[CZ_ENTITY_BYTES],
                 uint8_t id[CZ_ID_BYTES]);
/* The rule set's verdict on an entry this station is about to store as
 * its own; `known` (may be NULL) is what the roster says of its author. */
int cz_st_judge_own(cz_txn *t, const uint8_t office_root[32], const struct cz_entry *e,
                    const struct cz_trust_info *known);

/* ---- station_refs.c: references as typed ---- */

struct pipe;

/* Applies the typed assignments to body, resolving references first (an
 * id, an id prefix, or a household number within the row's village, else
 * the record's, else station_region); a reference's region goes into
 * inherited_region.  On a refusal *err names the field. */
int cz_st_apply_assignments(cz_txn *t, struct pipe *pl, const struct cz_type *ty, cz_body *body,
                            const struct cz_assign *a, size_t n, const char *station_region,
                            char *inherited_region, struct cz_field_error *err);

/* ---- station_check.c: the checks of one version ---- */

/* A load in progress (station_load.c): rows checked whose entries are
 * still being signed or not yet stored.  Checks that read what an earlier
 * row wrote ask it; outside a load they are given NULL. */
struct pipe;
/* What the roster says of the person loading, looked up once per load. */
struct roster_cache { struct cz_trust_info info; int known; };
/* The record the load's previous reference named, by a full id or by a
 * household number within `scope` (a household's members come one after
 * another). */
#define CZ_REF_MEMO_VALUE 128
struct ref_memo {
    int valid, by_number;
    char value[CZ_REF_MEMO_VALUE];
    char scope[CZ_REGION_MAX + 1];
    uint8_t entity[CZ_ENTITY_BYTES];
    char type[CZ_TYPE_MAX + 1], region[CZ_REGION_MAX + 1];
};

/* A checked version, ready to sign: the body (owned), its parents and
 * region. */
struct version {
    cz_body *body;
    uint8_t heads[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t nheads;
    char region[CZ_REGION_MAX + 1];
};

/* What a writer saw of the record, and whether it settles every conflict
 * (cz_resolve) or only the ones it assigns (an edit). */
struct edit_opts {
    const uint8_t (*seen)[CZ_ID_BYTES];     /* NULL: the heads read in this transaction */
    size_t nseen;
    int resolve;
};

/* Builds and checks one version inside t (a new record when entity is
 * NULL): everything short of signing and storing it.  On CZ_OK the caller
 * owns v->body. */
int cz_st_check_version(cz_station *st, cz_txn *t, struct pipe *pl, const struct cz_type *ty,
                        const uint8_t *entity, const struct edit_opts *eo,
                        const struct cz_assign *a, size_t n,
                        struct version *v, struct cz_field_error *err);
/* Whether the person logged in may write a record of type ty for region. */
int cz_st_may_write(cz_txn *t, struct pipe *pl, const cz_station *st, const struct cz_type *ty,
                    const char *region);

/* ---- station_load.c: the pipe a load's rows go through ---- */

/* A new pipe for rows of type ty (signing on a second thread when
 * `threaded` and one can be had); fn hears of each refused row by its tag.
 * Freed (its thread stopped) by cz_st_pipe_free, NULL fine. */
int cz_st_pipe_new(cz_station *st, const struct cz_type *ty, int threaded, cz_row_error_fn fn, void *ctx,
                   struct pipe **out);
void cz_st_pipe_free(struct pipe *p);
/* Points the pipe at transaction t (nothing in flight): the terms and
 * look-ups of the last one forgotten; for a write transaction the chain
 * read from the store. */
int cz_st_pipe_begin(struct pipe *p, cz_txn *t, int write);
/* The exact-look-up values of a row that passed its checks. */
int cz_st_pipe_add_terms(struct pipe *p, const cz_body *body);
/* Hands a checked row to the signer (body is the pipe's from now on). */
int cz_st_pipe_push(struct pipe *p, size_t tag, cz_body *body, const char *region);
/* Before a commit: every row stored, CZ_EFIELD if any was refused, the
 * clock noted. */
int cz_st_pipe_end(struct pipe *p);
/* A row refused by its checks: counted, and told to fn. */
void cz_st_pipe_refused(struct pipe *p, size_t tag, int status, const struct cz_field_error *err);
size_t cz_st_pipe_bad(const struct pipe *p);
size_t cz_st_pipe_stored(const struct pipe *p);          /* since cz_st_pipe_new */
uint64_t cz_st_pipe_txn_bytes(const struct pipe *p);     /* entries and terms stored in this transaction */
/* The exact-look-up values of the rows checked since the last begin. */
struct cz_hashset *cz_st_pipe_terms(struct pipe *p);

/* ---- station_loadcheck.c: the first pass of a load ---- */

/* Rows skip..skip+todo of src checked against the station and each other
 * on every core, nothing written; fn hears of each refused row in the
 * file's order, then CZ_EFIELD.  tick (may be NULL) is called on this
 * thread with the rows checked so far.  The source's own cursor is left
 * anywhere: rewind it. */
struct cz_st_check_req {
    cz_station *st;
    const struct cz_type *ty;
    const struct cz_load_source *src;
    size_t skip, todo;
    cz_row_error_fn fn;
    void *ctx;
    void (*tick)(void *ctx, size_t checked);
    void *tick_ctx;
    const void *first;                  /* cz_st_load_validate's own */
};
int cz_st_load_validate(struct cz_st_check_req *q);

/* ---- station_load.c: what the checks ask of a load ---- */

/* Whether a row in flight has an entity whose hex starts with `hex`. */
int cz_st_pipe_pending_prefix(struct pipe *p, const char *hex);
/* Waits until every row in flight is stored. */
int cz_st_pipe_drain(struct pipe *p);
/* A yearly record (income, conditions) is the household's only one of
 * its year: CZ_EEXIST naming the other; a member change's member is of
 * its household: CZ_EMEMBEROF (station_yearly.c). */
int cz_st_check_yearly(cz_txn *t, struct pipe *pl, const struct cz_type *ty, const cz_body *body,
                       const uint8_t *self, struct cz_field_error *err);
/* Whether a row checked earlier in the load has this exact-look-up term. */
int cz_st_pipe_has_term(struct pipe *p, const char *term, size_t len);
struct roster_cache *cz_st_pipe_roster(struct pipe *p);
struct ref_memo *cz_st_pipe_ref_memo(struct pipe *p);

/* ---- station_loadmark.c: the note of an unfinished load ---- */

/* Meta "load_unfinished": the load in progress (station.h,
 * cz_load_state), written by each of its commits but the last. */
#define META_LOAD_UNFINISHED "load_unfinished"
int cz_st_load_mark_get(cz_txn *t, struct cz_load_state *out);
int cz_st_load_mark_put(cz_txn *t, const struct cz_load_state *s);
int cz_st_load_mark_del(cz_txn *t);

/* ---- station_trust.c ---- */

/* Writes the trust records that introduce a person (or the station key):
 * at the office, when the person at the keyboard holds the root key
 * (root_holder), the root certifies at once, countersigned by `counter`;
 * otherwise the key announces itself and waits for enrolment. */
int cz_st_introduce(cz_txn *t, const struct cz_station_info *info, const cz_secrets *root_holder,
                    const cz_secrets *counter, const cz_secrets *person, const uint8_t key[32],
                    const char *kind, const char *name, const char *role, const uint8_t *replaces);

#endif
