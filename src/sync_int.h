/* sync_int.h — what the files behind sync.h share: peers.c (who we sync
 * with, when we last did), export*.c (writing a bundle for a peer) and
 * import*.c (taking one in).  Only they include this. */
#ifndef CZ_SYNC_INT_H
#define CZ_SYNC_INT_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"
#include "payload.h"
#include "roster.h"
#include "store.h"
#include "sync.h"
#include "vv.h"

/* ---- peers.c ---- */

/* Meta names kept per peer: "sync_<what>:<box hex>" (sent, received: the
 * times cz_sync_last gives; basis: export's note of what it sent). */
void sync_meta_name(char *buf, size_t size, const char *what, const uint8_t box[32]);
/* Tells pr (may be NULL) how far along a long export or import is. */
void sync_progress(const struct cz_progress *pr, size_t done, size_t total);

/* ---- export ---- */

/* What an export gathers while its read transaction lasts (the entries
 * stay in the store's pages until the file is written from them). */
struct exp_ctx {
    cz_txn *t;
    const struct cz_vv *ack;          /* the peer's acknowledgement; NULL: none */
    const char *region;               /* the peer's jurisdiction */
    struct cz_vv *mine;               /* every log position held here */
    struct cz_payload_item *items;    /* what the bundle carries */
    size_t n, cap;
    size_t logged, wanted, matched;   /* log positions, those not acknowledged, entries found for them */
    uint64_t logged_sum, matched_sum; /* sums of the first 8 bytes of their ids */
    int early;                        /* entries walked before `mine` is known (exp_collect_early) */
    uint8_t (*forked)[CZ_ID_BYTES];   /* ids on either side of a fork, sorted */
    size_t nforked, forked_cap;
    /* ids kept but not applied (refused or held: authz.h), sorted: they
     * are acknowledged like every logged entry but never forwarded */
    uint8_t (*kept)[CZ_ID_BYTES];
    size_t nkept, kept_cap;
    uint64_t bytes;                   /* sum of 4 + len over items */
    struct cz_export_result *res;
    /* The office forwards nothing of a key not yet certified (author_ok):
     * what the roster says of each author met, sorted by key. */
    const uint8_t *root;              /* NULL: everything goes (a village's export) */
    struct exp_author *authors;
    size_t nauthors, authors_cap;
};
void exp_ctx_free(struct exp_ctx *x);

/* export_collect.c: what the bundle carries, into x->items.  The log walk
 * (also run on its own, exp_log_cb, by a full export's second thread)
 * gives `mine`; exp_collect then finds the entries wanted; a full export
 * runs exp_collect_early meanwhile and exp_collect_check after both. */
int exp_log_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);
int exp_collect(struct exp_ctx *x);
int exp_collect_early(struct exp_ctx *x);
int exp_collect_check(struct exp_ctx *x);

/* export_basis.c: the per-peer note of what our bundles carried, and
 * which older bundles a new one supersedes. */
struct exp_basis {
    int have;
    uint64_t base, since;
    uint8_t ack_hash[32], mine_hash[32], last_id[CZ_ID_BYTES];
    struct cz_vv c_old, c_cur;
};
void exp_basis_free(struct exp_basis *b);
int exp_basis_get(cz_txn *t, const uint8_t box[32], struct exp_basis *b);
int exp_basis_put(cz_txn *t, const uint8_t box[32], const struct exp_basis *b);
/* The log positions of the entries x carries. */
int exp_carried(const struct exp_ctx *x, struct cz_vv *out);
int exp_nothing_new(const char *stick, const struct cz_peer *peer, const uint8_t sender[32],
                    const struct exp_basis *old, const struct exp_basis *nb);
int exp_supersede(const struct exp_basis *old, int full, uint64_t s, const struct cz_vv *ack,
                  struct exp_basis *nb, uint64_t *from, uint64_t *below);

/* ---- import ---- */

/* A clock this far ahead of ours is accepted but does not drag ours along
 * (a persisted future timestamp cannot be undone). */
#define HLC_AHEAD_MAX_MS (24ull * 3600 * 1000)

/* What a bundle's header vouches for (import_sender.c). */
enum imp_sender { SENDER_ACK, SENDER_ENTRIES, SENDER_PENDING, SENDER_UNCERT };

struct imp_refusal { uint8_t id[CZ_ID_BYTES], origin[32]; int why; };
/* Where pass 1 cut the bundle for pass 2's transactions: the entries up
 * to `last` (its index in the bundle) and the BLAKE2b-256 of their ids in
 * order, so pass 2 commits only what pass 1 verified (import_txn.c). */
struct imp_cut { uint32_t last; uint8_t hash[32]; };
struct imp_pending;                   /* import_sender.c */
struct imp_adm_author;

struct importer {
    cz_txn *t;
    cz_store *store;
    const struct cz_station_info *info;
    struct cz_import_result *res;
    uint64_t max_hlc;
    /* The log position last applied: the chain check need not read back
     * what was just written. */
    int last_valid;
    uint8_t last_origin[32], last_id[CZ_ID_BYTES];
    uint64_t last_seq;
    struct imp_refusal *refused;
    size_t nrefused, refused_cap;
    const struct cz_progress *pr;     /* entries applied of the bundle's count */
    size_t done, total;
    /* The roster entry of the author last applied (a bundle holds each
     * author's entries one after another): looked up again only for
     * another author or once a trust record has been stored. */
    int roster_valid;
    uint8_t roster_origin[32];
    struct cz_trust_info roster_info;
    /* What the bundle's header vouches for (imp_sender_judge) and the
     * bounds on keys not yet certified (imp_admit): kept apart from
     * imp_apply_one. */
    const struct cz_bundle_header *h;
    enum imp_sender sender;
    int signer_announced;             /* the signer's key announcement was seen (bundle or store) */
    char signer_station[CZ_NAME_MAX]; /* the station it names */
    int signer_replaces;              /* and the key it takes over (a restored station's) */
    uint8_t replaced[32];
    struct imp_pending *pend;         /* pending authors met in this bundle, sorted */
    size_t npend, pend_cap;
    struct imp_adm_author *adm;       /* imp_admit's roster cache, sorted by key: entries */
    size_t nadm, adm_cap;             /* come in the store's order, authors interleaved */
    /* Whose entries pass 1 applies: every root of the chain and the pinned
     * root (import.c, root_set). */
    uint8_t roots[CZ_ROOT_CHAIN_MAX + 1][32];
    size_t nroots;
    uint8_t roots_done[CZ_ROOT_CHAIN_MAX + 1][32];   /* roots an earlier pass 1 took */
    size_t ndone;
    /* Pass 2's transactions (import_txn.c): the cuts pass 1 made, the one
     * pass 2 is in, the hash of its ids so far, the commits made. */
    struct imp_cut *cuts;
    size_t ncuts, cuts_cap, cut;
    uint64_t cut_bytes;
    void *cut_hash;                   /* crypto_generichash_state, malloc'd */
    unsigned commits;
    int marked;                       /* the bundle is noted as half applied */
    uint64_t txn_bytes;               /* entry bytes a transaction of pass 2 takes */
    unsigned kill_after;              /* test hook: killed after this commit (0: never) */
    const char *path;                 /* the bundle's file ("" from memory) */
};

/* Failures of this machine rather than of the bundle. */
int imp_local_failure(int status);
/* Whether an entry (as in the payload, or NULL) is signed by one of the
 * roots pass 1 takes. */
int imp_is_root(const uint8_t *p, size_t len, const struct importer *im);
/* The bundle's plaintext as a byte source for the payload reader. */
void imp_src(struct cz_byte_src *s, cz_bundle_reader *r);

/* import_judge.c: one entry judged and kept, and held entries again. */
int imp_check_entry(const uint8_t *p, size_t len, struct cz_entry *e, uint8_t id[CZ_ID_BYTES]);
int imp_apply_one(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES]);
int imp_refuse(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int why);
int imp_rejudge_held(struct importer *im);

/* import_sender.c: what the header vouches for. */
void imp_sender_note(struct importer *im, const uint8_t *p, size_t len);
int imp_sender_judge(struct importer *im);
int imp_admit(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok);
int imp_pending_save(struct importer *im);
int imp_sender_ack(struct importer *im, const struct cz_vv *claim);

/* import_pool.c: one walk over a bundle's entries.  Each entry is handed
 * to `take` in bundle order with what the workers found: checked 1, the
 * check's status (decoded, id, signature verified when `verify`); checked
 * 0, status is the payload's fault of that entry (it was too long to hold:
 * p NULL) or CZ_OK when `want` said it need not be looked at.  p points
 * into the walk's batch until take returns. */
struct imp_entry {
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    const uint8_t *p;
    size_t len;
    uint32_t index;                   /* in the bundle */
    int status, checked;
};
struct imp_walk {
    int verify;                       /* signatures too (pass 1) */
    int count;                        /* tell im->pr (half of the bar a pass) */
    int (*want)(void *ctx, const uint8_t *p, size_t len);   /* NULL: every entry */
    int (*take)(void *ctx, const struct imp_entry *x);      /* non-zero stops the walk */
    void *ctx;
};
/* How the stream ended: its kind and count, and the bundle's fault
 * (crypto, then structure) or CZ_OK. */
struct imp_walk_end { int status; uint8_t kind; uint32_t n; };
/* vv (may be NULL) receives the payload's vector.  Returns a local failure
 * or what take returned. */
int imp_walk(struct importer *im, const struct imp_walk *w, cz_bundle_reader *r, struct cz_vv *vv,
             struct imp_walk_end *end);

/* import_txn.c: pass 2's bounded transactions and the note that a bundle
 * is half applied. */
/* Pass 1 saw entry x (checked, fine): the cut it ends, if any. */
int imp_cut_note(struct importer *im, const struct imp_entry *x, uint32_t n);
/* Pass 2 took entry x: at the end of a cut its hash is compared with pass
 * 1's (CZ_EREREAD when the bundle read otherwise) and, but for the last,
 * the transaction committed and the next begun. */
int imp_cut_take(struct importer *im, const struct imp_entry *x);
void imp_cuts_free(struct importer *im);
/* In the first transaction, before pass 2: the bundle noted as half
 * applied, or, when it was already, the sender's judgement taken from the
 * note (a completed import judges as the interrupted one did). */
int imp_mark(struct importer *im);
/* In the last transaction: the note removed, what every commit keeps. */
int imp_unmark(struct importer *im);
int imp_keep(struct importer *im);
/* A bundle that can no longer be imported (its signer revoked): its note
 * of a cut-short import removed, *forgot 1 when there was one. */
int imp_forget(cz_station *st, const uint8_t id[CZ_ID_BYTES], int *forgot);

#endif
