/* testkit.h — set-up the unit suites share (tests/unit/testkit.c, linked
 * into every suite by the Makefile's unit rule, and into putbench): a
 * temporary folder, the office + village station pair most station tests
 * start from, and the next entry of an author's log.  Real folders, real
 * LMDB, real keys: nothing here stands in for the library.  No cmocka
 * here either (the bench links it): the helpers return a status and say
 * what failed on stderr; the suites assert on what they return. */
#ifndef CZ_TESTKIT_H
#define CZ_TESTKIT_H

#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "codec.h"
#include "entry.h"
#include "keys.h"
#include "station.h"
#include "store.h"
#include "bundle.h"
#include "sync.h"

/* Makes a fresh folder /tmp/cz_test_<name>_XXXXXX into dir (size bytes).
 * 0, or -1 when it could not be made. */
int tk_tmpdir(char *dir, size_t size, const char *name);

/* Removes dir and everything below it (links not followed).  0 when it is
 * gone afterwards, -1 when something is left. */
int tk_rmtree(const char *dir);

/* Writes len bytes of buf as the whole file path (made or replaced, not
 * atomically: a test's own file).  0, or -1 when any step failed. */
int tk_write_file(const char *path, const void *buf, size_t len);

/* An office station ("张主任") in dir/office and a village station
 * "杨树湾村" ("李书记", region) enrolled with it at init (the office's
 * identity), in dir/village; stick is dir/stick, not made.  Both are opened
 * with passphrase pass.  tk_pair_free closes what is open (a suite may close
 * one early and set it to NULL) and removes dir. */
struct tk_pair {
    char dir[64], odir[96], vdir[96], stick[96];
    cz_station *office, *village;
    uint64_t bundle_seq;    /* the last number tk_pair_bundle gave */
};

/* name: the folder's (tk_tmpdir); office_name: the office station's name.
 * 0, or -1 with the failing step on stderr (what is made so far is left
 * for tk_pair_free). */
int tk_pair_init(struct tk_pair *p, const char *name, const char *office_name, const char *region,
                 const char *pass);
void tk_pair_free(struct tk_pair *p);

/* Adds a place record for each code (NULL-terminated list) at st, as the
 * person logged in there (an office person: places are theirs to write),
 * so that households and trainings may name them (places are real:
 * DOMAIN.md).  0, or -1 with the failing code on stderr. */
int tk_places(cz_station *st, ...);

/* The village's full export for its one peer (the office) onto p->stick,
 * read back: *img is malloc'd (the caller frees it).  0, or -1 with the
 * failing step on stderr. */
int tk_pair_export(struct tk_pair *p, uint8_t **img, size_t *len);

/* What a bundle sealed as the village station needs: its box key, the
 * office as recipient, its certified station key as signer (the best an
 * attacker holding that station's stick and PC can do), and the next
 * bundle number, counted from 1000 so that it follows any real export a
 * test made. */
struct cz_bundle_params tk_pair_bundle(struct tk_pair *p);

/* Seals the entries (each e[i] of len[i] bytes, as stored) in a sync
 * payload with tk_pair_bundle and imports it at the office, refusals
 * reported to on_refused (may be NULL).  The import's status; *r its
 * result. */
int tk_pair_deliver(struct tk_pair *p, const uint8_t *const *e, const size_t *len, size_t n,
                    cz_refused_fn on_refused, void *ctx, struct cz_import_result *r);

/* Where an author's log stands: its key and its last entry (seq 0 and an
 * all-zero id before the first). */
struct tk_log {
    uint8_t origin[32];
    uint64_t seq;
    uint8_t last[CZ_ID_BYTES];
};

/* Fills *d as the log's next entry: origin, seq + 1, prev = last, the clock
 * hlc and the wall time it names (seconds of cz_hlc_ms(hlc)), entity, type,
 * region, parents and body.  Nothing else set (flags 0). */
void tk_log_draft(const struct tk_log *l, struct cz_entry_draft *d, uint64_t hlc,
                  const uint8_t entity[CZ_ENTITY_BYTES], const char *type, const char *region,
                  const uint8_t *parents, size_t nparents, const uint8_t *body, size_t body_len);

/* Writes d (a tk_log_draft of l) with sign, and on CZ_OK moves l on to
 * it.  As cz_entry_write: *out is malloc'd, the caller frees it. */
int tk_log_write(struct tk_log *l, const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                 uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES]);

/* A bare store (no station) in a folder of its own, with one log and its
 * signing key, for suites that write entries by hand.  tk_store_open
 * returns 0 (or -1, nothing left behind); tk_store_close closes it and
 * removes the folder (0 when it could).  tk_store_sign is a cz_sign_fn
 * whose ctx is the struct tk_store. */
struct tk_store { char dir[64], db[96]; cz_store *s; struct tk_log log; uint8_t sk[64]; uint64_t hlc; };
int tk_store_open(struct tk_store *f, const char *name);
int tk_store_close(struct tk_store *f);
int tk_store_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* Signing callbacks (cz_sign_fn) for entries and bundles a suite makes by
 * hand.  tk_station_sign: ctx is a cz_station *, signed with the key of
 * the person logged in there; tk_person_sign: ctx is a cz_secrets *, its
 * person key; tk_root_sign: ctx is a cz_secrets *, the office root key it
 * holds. */
int tk_station_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);
int tk_person_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);
int tk_root_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* A clock value (cz_hlc) above every one this returned before: the wall
 * time in milliseconds, then a counter. */
uint64_t tk_next_hlc(void);

/* Countersigns b, a body of a root-signed type (cert, revoke, rollover,
 * fork_choice), as the office person `by` does under root (roster.h): sets
 * its `by` and `by_sig` fields.  0, or -1 with the failing step on stderr. */
int tk_countersign(cz_body *b, const char *type, const uint8_t root[32], const cz_secrets *by);

/* An entry made by hand (tk_put_entry): the next entry of the log of
 * origin, signed by sign(sign_ctx).  Members left 0 or NULL: the clock
 * from tk_next_hlc, a fresh random entity, region "", no parents, no
 * flags, an empty body. */
struct tk_put {
    const uint8_t *origin;        /* the log's key, 32 bytes */
    cz_sign_fn sign;
    void *sign_ctx;
    uint64_t hlc;
    const uint8_t *entity;        /* CZ_ENTITY_BYTES */
    const char *type, *region;
    const uint8_t *parents;       /* nparents ids of CZ_ID_BYTES */
    size_t nparents;
    uint8_t flags;
    const cz_body *body;
};

/* Writes p's entry and stores it in st's store as an import would, in a
 * write transaction of its own: nothing checked but what the store checks
 * (nothing judged), and it must be new there.  0, or -1 with the failing
 * step on stderr. */
int tk_put_entry(cz_station *st, const struct tk_put *p, uint8_t id[CZ_ID_BYTES]);

/* An office station (许昌市科协, region 4110) with people it certified,
 * each holding a raw key the suite signs with by hand: the suites that
 * break the exit chain's and the registry's rules with validly signed
 * entries.  tk_office_open makes it in a folder of its own (name as for
 * tk_tmpdir), adds a place for each village code of the NULL-ended list
 * and certifies who[0..n) (n at most TK_OFFICE_PEOPLE) with fresh keys;
 * 0, or -1 with the failing step on stderr and nothing left behind.
 * tk_office_close closes the station and removes the folder. */
#define TK_OFFICE_PEOPLE 8
struct tk_person_spec { const char *name, *region, *role; };
struct tk_person { struct tk_log log; uint8_t sk[64]; };
struct tk_office {
    char dir[64], odir[96];
    cz_station *st;
    const uint8_t *root;          /* the office root key, 32 bytes */
    struct tk_person p[TK_OFFICE_PEOPLE];
};
int tk_office_open(struct tk_office *o, const char *name, const char *pass, const struct tk_person_spec *who,
                   size_t n, ...);
void tk_office_close(struct tk_office *o);

/* A cz_sign_fn whose ctx is a struct tk_person: signs with its key. */
int tk_person_key_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* The next entry of person i's log: type in region, clock hlc, entity
 * (NULL: a fresh one), n parents, body b; its bytes in *raw (the caller
 * frees) and *e decoded from them and verified.  Not stored.  0, or -1
 * with the failing step on stderr. */
int tk_office_sign(struct tk_office *o, int i, const char *type, const char *region, uint64_t hlc,
                   const uint8_t *entity, const uint8_t *parents, size_t n, const cz_body *b, uint8_t **raw,
                   struct cz_entry *e);

/* Stores e at the office as an import would, nothing judged: 0 or -1. */
int tk_office_store(struct tk_office *o, const struct cz_entry *e);

/* What the one rule set (cz_authz_judge) makes of e at the office: 0 with
 * *j filled, or -1. */
int tk_office_judge(struct tk_office *o, const struct cz_entry *e, struct cz_judgement *j);

/* Saves the poverty line of year at amount (yuan) as the office person: 0
 * or -1. */
int tk_office_line(struct tk_office *o, const char *year, const char *amount);

/* An approval's body: step and decision on the assessment version, dated
 * date (YYYYMMDD; 0: no date), with notes when not NULL.  NULL when a
 * field is refused (on stderr).  The caller frees it (cz_body_free). */
cz_body *tk_approval_body(const uint8_t version[CZ_ID_BYTES], const char *step, const char *decision,
                          uint32_t date, const char *notes);

/* Checks for table-driven tests (cmocka suites only: cmocka.h first): the
 * same check as assert_int_equal, assert_string_equal, assert_true, but a
 * failure names the case (what), not only the line of the loop. */
#ifdef fail_msg
#include <inttypes.h>
#include <string.h>
#define tk_assert_int(what, a, b)                                                                  \
    do {                                                                                           \
        uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);                                        \
        if (a_ != b_)                                                                              \
            fail_msg("case %s: %s is %jd, want %jd", (what), #a, (intmax_t)a_, (intmax_t)b_);      \
    } while (0)
#define tk_assert_str(what, a, b)                                                                  \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_))                                                          \
            fail_msg("case %s: %s is \"%s\", want \"%s\"", (what), #a, a_ ? a_ : "(null)",        \
                     b_ ? b_ : "(null)");                                                          \
    } while (0)
#define tk_assert_true(what, c)                                                                    \
    do {                                                                                           \
        if (!(c)) fail_msg("case %s: %s is false", (what), #c);                                    \
    } while (0)
#endif

#endif
