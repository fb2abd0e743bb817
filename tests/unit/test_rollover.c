/* test_rollover.c — replacing the office root key (roster.h: root
 * rollover).  The honest case end to end (the office rolls over, a village
 * imports the statement and pins the new root, what was certified before
 * still counts, a certificate made by the new root counts, a second
 * rollover chains) beside the attacks, each with validly signed data: the
 * real old root key (opened from a slot, as anyone who once held it could)
 * signs after its rollover, and rollovers without a countersignature,
 * countersigned by a clerk or a revoked office person, or without the new
 * key's proof, are refused and change no station's root. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "authz.h"
#include "codec.h"
#include "entry.h"
#include "index.h"
#include "hex.h"
#include "keys.h"
#include "roster.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"
#include "verify.h"

#define PASS "rollover-pass"
#define VILLAGE "411081106201"

static struct tk_pair P;

static void pk_of(cz_station *st, const char *user, uint8_t pk[32])
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, user, &blob, &len), CZ_OK);
    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_OK);
    cz_txn_abort(t);
}

/* A person's secrets straight from their slot at the office (the caller
 * frees): the root key in it is what a departed office person keeps. */
static cz_secrets *open_slot(const char *user)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, user, &blob, &len), CZ_OK);
    assert_int_equal(cz_secrets_open(blob, len, PASS, &s), CZ_OK);
    cz_txn_abort(t);
    return s;
}

static void certify(const uint8_t key[32], const char *kind, const char *role)
{
    uint8_t id[CZ_ID_BYTES];
    struct cz_cert_req r = { { 0 }, kind, "某人", "杨树湾村", VILLAGE, role };
    memcpy(r.key, key, 32);
    assert_int_equal(cz_station_certify(P.office, &r, id), CZ_OK);
}

/* Exports from one station to the other and imports there. */
static struct cz_import_result sync_to(cz_station *from, cz_station *to)
{
    struct cz_peer *peers = NULL;
    size_t n = 0, k;
    struct cz_export_result er;
    struct cz_import_result res;
    assert_int_equal(cz_sync_peers(from, &peers, &n), CZ_OK);
    for (k = 0; k < n; k++)
        if (!memcmp(peers[k].box, cz_station_info(to)->box_pk, 32)) break;
    assert_true(k < n);
    assert_int_equal(cz_sync_export(from, P.stick, &peers[k], 1, &er), CZ_OK);
    free(peers);
    assert_int_equal(cz_sync_import_file(to, er.path, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_OK);
    return res;
}

static int setup(void **state)
{
    (void)state;
    uint8_t pk[32];
    if (tk_pair_init(&P, "rollover", "许昌市科协", VILLAGE, PASS)) return -1;
    if (cz_station_user_add(P.office, "王会计", "clerk", PASS) ||
        cz_station_user_add(P.office, "赵科员", "office", PASS))
        return -1;
    /* The village's person and station key enrolled by the old root. */
    pk_of(P.village, "李书记", pk);
    certify(pk, "person", "supervisor");
    certify(cz_station_info(P.village)->box_pk, "station", "clerk");
    sync_to(P.office, P.village);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tk_pair_free(&P);
    return 0;
}

static struct cz_trust_info lookup(cz_station *st, const uint8_t key[32])
{
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, cz_station_info(st)->office_root, key, &ti), CZ_OK);
    cz_txn_abort(t);
    return ti;
}

static uint8_t *root_of(cz_station *st)
{
    static uint8_t r[32];
    memcpy(r, cz_station_info(st)->office_root, 32);
    return r;
}

static void add_household(cz_station *st, const char *number, int want)
{
    struct cz_assign a[] = { { "number", number }, { "village", VILLAGE }, { "head", "李四" } };
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    tk_assert_int(number, cz_station_add(st, "household", a, 3, entity, id, &err), want);
}

/* ---- forging with the real keys ---- */

/* Signs b with the root key `who` holds as the next entry of that root's
 * log and stores it at the office as an import would (nothing judged):
 * the office's export then carries it to the village. */
static void put_root_entry(const cz_secrets *who, const char *type, const cz_body *b, uint8_t id[CZ_ID_BYTES])
{
    struct tk_put p = {
        .origin = cz_secrets_root_pk(who), .sign = tk_root_sign, .sign_ctx = (void *)who, .type = type, .body = b,
    };
    assert_int_equal(tk_put_entry(P.office, &p, id), 0);
}

static cz_body *cert_body(const uint8_t key[32], const char *role)
{
    const struct cz_type *ty = cz_schema_type("cert");
    cz_body *b = cz_body_new();
    char hex[65];
    cz_hex(key, 32, hex);
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "key", hex, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "kind", "person", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "name", "某人", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "region", VILLAGE, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "role", role, NULL), CZ_OK);
    return b;
}

/* A rollover from `old` to the key new_pk; new_sk signs the proof (NULL:
 * none), `by` countersigns (NULL: nobody). */
static cz_body *rollover_body(const uint8_t old[32], const uint8_t new_pk[32], const uint8_t *new_sk,
                              const cz_secrets *by)
{
    const struct cz_type *ty = cz_schema_type("rollover");
    cz_body *b = cz_body_new();
    uint8_t *msg = NULL, sig[64];
    size_t len;
    char hex[129];
    assert_non_null(b);
    cz_hex(new_pk, 32, hex);
    assert_int_equal(cz_schema_set(ty, b, "new_root", hex, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "reason", "测试", NULL), CZ_OK);
    if (new_sk) {
        assert_int_equal(cz_roster_rollover_msg(old, b, &msg, &len), CZ_OK);
        crypto_sign_detached(sig, NULL, msg, len, new_sk);
        free(msg);
        cz_hex(sig, sizeof sig, hex);
        assert_int_equal(cz_body_set_text(b, cz_schema_field(ty, "new_sig")->tag, hex, 128), CZ_OK);
    }
    if (by) assert_int_equal(tk_countersign(b, "rollover", old, by), 0);
    return b;
}

/* ---- the honest case ---- */

static void test_honest_rollover(void **state)
{
    (void)state;
    uint8_t old[32], r1[32], r2[32], sup[32], fresh_pk[32], fresh_sk[64];
    size_t transfers;
    memcpy(old, root_of(P.office), 32);
    pk_of(P.village, "李书记", sup);

    assert_int_equal(cz_station_rollover(P.office, PASS, "科员离职", r1, &transfers), CZ_OK);
    assert_memory_not_equal(r1, old, 32);
    assert_memory_equal(root_of(P.office), r1, 32);
    assert_int_equal(transfers, 1);                    /* 赵科员, not the clerk */
    /* The office keeps certifying, now with the new root. */
    crypto_sign_keypair(fresh_pk, fresh_sk);
    certify(fresh_pk, "person", "clerk");
    assert_int_equal(lookup(P.office, fresh_pk).state, CZ_TRUST_CERTIFIED);
    assert_int_equal(lookup(P.office, old).state, CZ_TRUST_ROOT);
    assert_true(lookup(P.office, old).revoked);

    struct cz_import_result res = sync_to(P.office, P.village);
    assert_true(res.root_changed);
    assert_int_equal(res.refused, 0);
    assert_memory_equal(res.root, r1, 32);
    assert_memory_equal(root_of(P.village), r1, 32);
    /* Certified before: still counts; certified after by the new root: counts. */
    struct cz_trust_info ti = lookup(P.village, sup);
    assert_int_equal(ti.state, CZ_TRUST_CERTIFIED);
    assert_false(ti.revoked);
    assert_int_equal(lookup(P.village, fresh_pk).state, CZ_TRUST_CERTIFIED);
    add_household(P.village, "H-001", CZ_OK);
    /* The pin survives reopening the station. */
    char vdir[96];
    snprintf(vdir, sizeof vdir, "%s", P.vdir);
    cz_station_close(P.village);
    assert_int_equal(cz_station_open(vdir, &P.village), CZ_OK);
    assert_memory_equal(root_of(P.village), r1, 32);
    assert_int_equal(cz_station_login(P.village, NULL, PASS), CZ_OK);

    /* A second rollover chains: old -> r1 -> r2. */
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r2, &transfers), CZ_OK);
    res = sync_to(P.office, P.village);
    assert_true(res.root_changed);
    assert_memory_equal(root_of(P.village), r2, 32);
    cz_txn *t = NULL;
    struct cz_root_link chain[CZ_ROOT_CHAIN_MAX];
    size_t n;
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_chain(t, root_of(P.village), chain, CZ_ROOT_CHAIN_MAX, &n), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(n, 3);
    assert_memory_equal(chain[0].key, old, 32);
    assert_memory_equal(chain[1].key, r1, 32);
    assert_memory_equal(chain[2].key, r2, 32);
    assert_true(chain[0].upto != UINT64_MAX && chain[1].upto != UINT64_MAX);
    assert_true(chain[2].upto == UINT64_MAX);
    assert_int_equal(lookup(P.village, sup).state, CZ_TRUST_CERTIFIED);
    assert_int_equal(lookup(P.village, fresh_pk).state, CZ_TRUST_CERTIFIED);
    add_household(P.village, "H-002", CZ_OK);
}

/* Other office people get the new root at their next login; a slot still
 * holding the old root gives it up. */
static void test_other_office_slots(void **state)
{
    (void)state;
    uint8_t r1[32];
    size_t transfers;
    cz_secrets *before = open_slot("赵科员");
    assert_non_null(cz_secrets_root_pk(before));
    cz_secrets_free(before);
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    assert_int_equal(transfers, 1);
    cz_secrets *own = open_slot("张主任");
    assert_memory_equal(cz_secrets_root_pk(own), r1, 32);
    cz_secrets_free(own);

    /* The transfer is sealed to 赵科员's own key: the clerk's cannot open it. */
    char name[16 + 65], hex[65];
    const void *v;
    size_t len;
    cz_txn *t = NULL;
    uint8_t office2_pk[32];
    cz_secrets *clerk = open_slot("王会计");
    pk_of(P.office, "赵科员", office2_pk);
    cz_hex(office2_pk, 32, hex);
    snprintf(name, sizeof name, "root_transfer:%s", hex);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get(t, name, &v, &len), CZ_OK);
    assert_int_equal(cz_secrets_root_receive(clerk, v, len), CZ_ECRYPTO);
    cz_txn_abort(t);
    assert_null(cz_secrets_root_pk(clerk));
    cz_secrets_free(clerk);

    assert_int_equal(cz_station_login(P.office, "赵科员", PASS), CZ_OK);
    assert_memory_equal(cz_secrets_root_pk(cz_station_secrets(P.office)), r1, 32);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get(t, name, &v, &len), CZ_ENOTFOUND);        /* taken at the login */
    cz_txn_abort(t);
    cz_secrets *after = open_slot("赵科员");
    assert_memory_equal(cz_secrets_root_pk(after), r1, 32);
    cz_secrets_free(after);
    /* 赵科员 can certify with it. */
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    certify(pk, "person", "clerk");
    assert_int_equal(lookup(P.office, pk).state, CZ_TRUST_CERTIFIED);
    /* The clerk's slot never held a root and holds none now. */
    assert_int_equal(cz_station_login(P.office, "王会计", PASS), CZ_OK);
    assert_null(cz_secrets_root_pk(cz_station_secrets(P.office)));
}

/* A slot still holding a replaced root (no transfer for it here: a copy
 * of the PC, or a transfer lost) gives it up at its next login. */
static void test_stale_slot_gives_up_root(void **state)
{
    (void)state;
    uint8_t r1[32], pk[32];
    char name[16 + 65], hex[65];
    size_t transfers;
    cz_txn *t = NULL;
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    pk_of(P.office, "赵科员", pk);
    cz_hex(pk, 32, hex);
    snprintf(name, sizeof name, "root_transfer:%s", hex);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 1, &t), CZ_OK);
    assert_int_equal(cz_meta_del(t, name), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    assert_int_equal(cz_station_login(P.office, "赵科员", PASS), CZ_OK);
    assert_null(cz_secrets_root_pk(cz_station_secrets(P.office)));
    cz_secrets *after = open_slot("赵科员");
    assert_null(cz_secrets_root_pk(after));
    cz_secrets_free(after);
    uint8_t id[CZ_ID_BYTES];
    struct cz_cert_req r = { { 0 }, "person", "某人", "杨树湾村", VILLAGE, "clerk" };
    assert_int_equal(cz_station_certify(P.office, &r, id), CZ_EPERM);
}

/* Revoked after the rollover (the procedure the wrong way round): the new
 * root sealed to their key is wiped with the revocation, so a copy of the
 * store gives them nothing. */
static void test_revoke_wipes_transfer(void **state)
{
    (void)state;
    uint8_t r1[32], pk[32], id[CZ_ID_BYTES];
    char name[16 + 65], hex[65];
    const void *v;
    size_t len, transfers;
    cz_txn *t = NULL;
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    assert_int_equal(transfers, 1);
    pk_of(P.office, "赵科员", pk);
    cz_hex(pk, 32, hex);
    snprintf(name, sizeof name, "root_transfer:%s", hex);
    assert_int_equal(cz_station_revoke(P.office, pk, 0, "离职", id), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get(t, name, &v, &len), CZ_ENOTFOUND);
    cz_txn_abort(t);
    assert_int_equal(cz_station_login(P.office, "赵科员", PASS), CZ_EREVOKED);
}

/* ---- the attacks ---- */

/* The old root, kept by someone who once held it, signs a certificate
 * after the rollover, countersigned by a real office person: refused at
 * the village, and it counts for nothing at either station. */
static void test_old_root_after_rollover(void **state)
{
    (void)state;
    uint8_t r1[32], pk[32], sk[64], id[CZ_ID_BYTES];
    size_t transfers;
    cz_secrets *leaked = open_slot("张主任");          /* holds the old root */
    cz_secrets *office2 = open_slot("赵科员");
    const uint8_t *old = cz_secrets_root_pk(leaked);
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);

    crypto_sign_keypair(pk, sk);
    cz_body *b = cert_body(pk, "office");
    assert_int_equal(tk_countersign(b, "cert", old, office2), 0);
    put_root_entry(leaked, "cert", b, id);
    cz_body_free(b);
    assert_int_equal(lookup(P.office, pk).state, CZ_TRUST_PENDING);

    struct cz_import_result res = sync_to(P.office, P.village);
    assert_true(res.root_changed);
    assert_int_equal(res.refused, 1);
    assert_int_equal(lookup(P.village, pk).state, CZ_TRUST_PENDING);
    /* Kept as evidence with its rule; verify replays it the same way. */
    cz_txn *t = NULL;
    int st, why;
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &t), CZ_OK);
    assert_int_equal(cz_store_judged_get(t, id, &st, &why), CZ_OK);
    assert_int_equal(st, CZ_JUDGED_REFUSED);
    assert_int_equal(why, CZ_ERETIRED);
    struct cz_entry e;
    struct cz_trust_info ti;
    struct cz_judgement j;
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, root_of(P.village), e.origin, &ti), CZ_OK);
    assert_int_equal(cz_authz_judge(t, root_of(P.village), &e, &ti, 1, &j), CZ_OK);
    assert_int_equal(j.verdict, CZ_VERDICT_REFUSED);
    assert_int_equal(j.why, CZ_ERETIRED);
    cz_txn_abort(t);

    /* Nor can the old root roll over a second time to a key of its own. */
    uint8_t mpk[32], msk[64];
    crypto_sign_keypair(mpk, msk);
    b = rollover_body(old, mpk, msk, office2);
    put_root_entry(leaked, "rollover", b, id);
    cz_body_free(b);
    res = sync_to(P.office, P.village);
    assert_false(res.root_changed);
    assert_int_equal(res.refused, 1);
    assert_memory_equal(root_of(P.village), r1, 32);
    cz_secrets_free(leaked);
    cz_secrets_free(office2);
}

/* Copies a stored entry from the office into the village as it is, judged
 * by nothing: what an attacker's stick, or an older build, could have left
 * there before the rollover arrived. */
static void carry_to(cz_station *to, const uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL, *u = NULL;
    struct cz_entry e;
    int result;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(to), 1, &u), CZ_OK);
    assert_int_equal(cz_store_put_entry(u, &e, id, &result), CZ_OK);
    assert_int_equal(result, CZ_PUT_NEW);
    assert_int_equal(cz_txn_commit(u), CZ_OK);
    cz_txn_abort(t);
}

static void carry(const uint8_t id[CZ_ID_BYTES])
{
    carry_to(P.village, id);
}

struct log_ids { uint8_t ids[64][CZ_ID_BYTES]; uint64_t seqs[64]; size_t n; };

static int log_ids_cb(void *ctx, uint64_t seq, const uint8_t id[CZ_ID_BYTES])
{
    struct log_ids *l = ctx;
    if (l->n < 64) { memcpy(l->ids[l->n], id, CZ_ID_BYTES); l->seqs[l->n++] = seq; }
    return 0;
}

struct flagged { const uint8_t *id; int kind, why; };

static void flagged_cb(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    struct flagged *f = ctx;
    if (!memcmp(id, f->id, CZ_ID_BYTES)) { f->kind = (int)kind; f->why = status; }
}

/* The old root's certificate after its rollover reached the village
 * first: it counted until the rollover came, and from then on it counts
 * for nothing and `verify` names it. */
static void test_replay_flagged(void **state)
{
    (void)state;
    uint8_t r1[32], pk[32], sk[64], id[CZ_ID_BYTES];
    size_t transfers;
    cz_secrets *leaked = open_slot("张主任");
    cz_secrets *office2 = open_slot("赵科员");
    const uint8_t *old = cz_secrets_root_pk(leaked);
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    crypto_sign_keypair(pk, sk);
    cz_body *b = cert_body(pk, "office");
    assert_int_equal(tk_countersign(b, "cert", old, office2), 0);
    put_root_entry(leaked, "cert", b, id);
    cz_body_free(b);
    carry(id);
    assert_int_equal(lookup(P.village, pk).state, CZ_TRUST_CERTIFIED);   /* the window, stated */

    struct cz_import_result res = sync_to(P.office, P.village);
    assert_true(res.root_changed);
    assert_int_equal(lookup(P.village, pk).state, CZ_TRUST_PENDING);
    cz_txn *t = NULL;
    struct flagged f = { id, -1, 0 };
    struct cz_verify_report rep;
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, root_of(P.village), flagged_cb, &f, &rep), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(f.kind, CZ_PROBLEM_AUTHORITY);
    assert_int_equal(f.why, CZ_ERETIRED);
    assert_true(rep.problems >= 1);
    cz_secrets_free(leaked);
    cz_secrets_free(office2);
}

/* A station set up from the office's identity after a rollover: the
 * identity pins where the old root ends, so the old root's certificate
 * after its rollover counts for nothing there even before the rollover
 * itself has arrived, and what the old root certified before still does. */
static void test_new_station_pins_the_chain(void **state)
{
    (void)state;
    uint8_t r1[32], pk[32], sk[64], id[CZ_ID_BYTES], old[32], sup[32];
    size_t transfers;
    char *identity = NULL, wdir[128], why[64];
    cz_station *w = NULL;
    cz_secrets *leaked = open_slot("张主任");
    cz_secrets *office2 = open_slot("赵科员");
    memcpy(old, cz_secrets_root_pk(leaked), 32);
    pk_of(P.village, "李书记", sup);
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    crypto_sign_keypair(pk, sk);
    cz_body *b = cert_body(pk, "office");
    assert_int_equal(tk_countersign(b, "cert", old, office2), 0);
    put_root_entry(leaked, "cert", b, id);
    cz_body_free(b);

    assert_int_equal(cz_station_identity(P.office, &identity), CZ_OK);
    assert_non_null(strstr(identity, "rolled "));
    snprintf(wdir, sizeof wdir, "%s/west", P.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_STATION, .name = "柳树村", .region = "411081106202",
                              .user = "赵会计", .office_identity = identity };
    assert_int_equal(cz_station_init(wdir, &o, PASS, &w, why, sizeof why), CZ_OK);
    free(identity);
    assert_memory_equal(cz_station_info(w)->office_root, r1, 32);

    /* The old root's log reaches the new station without its rollover. */
    struct log_ids l = { .n = 0 };
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_each(t, old, log_ids_cb, &l), CZ_OK);
    cz_txn_abort(t);
    assert_true(l.n >= 3);
    uint64_t rollover_seq = l.seqs[l.n - 2];           /* the forged cert is the last */
    for (size_t i = 0; i < l.n; i++)
        if (l.seqs[i] != rollover_seq) carry_to(w, l.ids[i]);
    struct cz_trust_info ti;
    assert_int_equal(cz_txn_begin(cz_station_store(w), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, r1, pk, &ti), CZ_OK);
    assert_int_equal(ti.state, CZ_TRUST_PENDING);      /* past the pinned end */
    assert_int_equal(cz_roster_lookup(t, r1, sup, &ti), CZ_OK);
    assert_int_equal(ti.state, CZ_TRUST_CERTIFIED);    /* certified before it */
    assert_int_equal(cz_roster_lookup(t, r1, old, &ti), CZ_OK);
    assert_true(ti.state == CZ_TRUST_ROOT && ti.revoked && ti.revoked_after == rollover_seq);
    cz_txn_abort(t);
    /* The rollover itself, when it comes, counts. */
    carry_to(w, l.ids[l.n - 2]);
    struct cz_entry e;
    int counts;
    assert_int_equal(cz_txn_begin(cz_station_store(w), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, l.ids[l.n - 2], &e), CZ_OK);
    assert_string_equal(e.type, "rollover");
    assert_int_equal(cz_roster_trust_counts(t, r1, &e, &counts), CZ_OK);
    assert_true(counts);
    assert_int_equal(cz_roster_lookup(t, r1, pk, &ti), CZ_OK);
    assert_int_equal(ti.state, CZ_TRUST_PENDING);
    cz_txn_abort(t);
    cz_station_close(w);
    cz_secrets_free(leaked);
    cz_secrets_free(office2);
}

/* Rollovers signed by the real root that break one rule each: none is
 * pinned anywhere, each is refused at the village. */
static void test_forged_rollovers(void **state)
{
    (void)state;
    uint8_t id[CZ_ID_BYTES], npk[32], nsk[64], other_pk[32], other_sk[64], root[32], after_seq = 0;
    (void)after_seq;
    cz_secrets *leaked = open_slot("张主任");
    cz_secrets *clerk = open_slot("王会计");
    cz_secrets *office2 = open_slot("赵科员");
    memcpy(root, cz_secrets_root_pk(leaked), 32);
    /* 赵科员 leaves and is revoked first. */
    uint8_t rid[CZ_ID_BYTES];
    assert_int_equal(cz_station_revoke(P.office, cz_secrets_sign_pk(office2), 0, "离职", rid), CZ_OK);
    crypto_sign_keypair(npk, nsk);
    crypto_sign_keypair(other_pk, other_sk);

    cz_body *cases[] = {
        rollover_body(root, npk, nsk, NULL),            /* no countersignature */
        rollover_body(root, npk, nsk, clerk),           /* a clerk's */
        rollover_body(root, npk, nsk, office2),         /* a revoked office person's */
        rollover_body(root, npk, NULL, leaked),         /* no proof by the new key */
        rollover_body(root, npk, other_sk, leaked),     /* a proof by another key */
        rollover_body(root, root, nsk, leaked),         /* to a root the chain has had */
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < ncases; i++) {
        put_root_entry(leaked, "rollover", cases[i], id);
        cz_body_free(cases[i]);
    }
    struct cz_import_result res = sync_to(P.office, P.village);
    assert_false(res.root_changed);
    assert_int_equal(res.refused, ncases);
    assert_memory_equal(root_of(P.village), root, 32);
    uint8_t now[32];
    int changed;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 1, &t), CZ_OK);
    assert_int_equal(cz_station_pin_root(t, root, now, &changed), CZ_OK);
    cz_txn_abort(t);
    assert_false(changed);
    /* Nor does a rollover signed by anyone but the root: the clerk's own. */
    {
        struct tk_log l;
        struct cz_entry_draft d;
        struct cz_entry e;
        struct cz_trust_info ti;
        struct cz_judgement j;
        uint8_t *body = NULL, *raw = NULL, ent[CZ_ENTITY_BYTES];
        size_t body_len = 0, raw_len = 0;
        cz_body *cb = rollover_body(root, npk, nsk, clerk);
        memset(&l, 0, sizeof l);
        memcpy(l.origin, cz_secrets_sign_pk(clerk), 32);
        randombytes_buf(ent, sizeof ent);
        assert_int_equal(cz_body_encode(cb, &body, &body_len), CZ_OK);
        tk_log_draft(&l, &d, tk_next_hlc(), ent, "rollover", "", NULL, 0, body, body_len);
        assert_int_equal(tk_log_write(&l, &d, tk_person_sign, clerk, &raw, &raw_len, id), CZ_OK);
        assert_int_equal(cz_entry_decode(raw, raw_len, &e), CZ_OK);
        assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &t), CZ_OK);
        assert_int_equal(cz_roster_lookup(t, root, e.origin, &ti), CZ_OK);
        assert_int_equal(cz_authz_judge(t, root, &e, &ti, 0, &j), CZ_OK);
        cz_txn_abort(t);
        assert_int_equal(j.verdict, CZ_VERDICT_REFUSED);
        assert_int_equal(j.why, CZ_EPERM);
        cz_body_free(cb);
        free(body);
        free(raw);
    }
    /* The old root still counts: the village's people write. */
    add_household(P.village, "H-003", CZ_OK);
    /* And the honest rollover still goes through after them. */
    uint8_t r1[32];
    size_t transfers;
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r1, &transfers), CZ_OK);
    assert_int_equal(transfers, 0);                    /* 赵科员 is revoked */
    res = sync_to(P.office, P.village);
    assert_true(res.root_changed);
    assert_memory_equal(root_of(P.village), r1, 32);
    cz_secrets_free(leaked);
    cz_secrets_free(clerk);
    cz_secrets_free(office2);
}

/* Only an office person holding the current root rolls it over. */
static void test_who_may_roll_over(void **state)
{
    (void)state;
    uint8_t r[32], old[32];
    size_t transfers;
    memcpy(old, root_of(P.office), 32);
    assert_int_equal(cz_station_login(P.office, "王会计", PASS), CZ_OK);
    assert_int_equal(cz_station_rollover(P.office, PASS, NULL, r, &transfers), CZ_EPERM);
    assert_int_equal(cz_station_rollover(P.village, PASS, NULL, r, &transfers), CZ_EPERM);
    assert_int_equal(cz_station_login(P.office, "张主任", PASS), CZ_OK);
    assert_int_equal(cz_station_rollover(P.office, "wrong-pass", NULL, r, &transfers), CZ_EPASS);
    assert_memory_equal(root_of(P.office), old, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_honest_rollover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_office_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_slot_gives_up_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_wipes_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_root_after_rollover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_station_pins_the_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_rollovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_who_may_roll_over, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
