/* test_people.c — people and the office root (roster.h, keys.h,
 * station.h): passphrases, who holds the root key, countersigned trust
 * records, permanent revocation, valid_until, revoked logins.
 *
 * Every rule is broken here with validly signed data: the real root key
 * (opened from the founder's slot, as anyone who once held it could) signs
 * statements a real clerk, a revoked office person or nobody countersigned,
 * and each is checked to count for nothing, beside the honest case. */
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
#include "testkit.h"

#define PASS "people-pass"
#define REGION "411024"

struct fx {
    char dir[64], odir[96];
    cz_station *o;                         /* the office, 张主任 logged in */
    uint8_t root[32], founder[32], clerk[32], sup[32], office2[32];
};
static struct fx F;

static void pk_of(const char *user, uint8_t pk[32])
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, user, &blob, &len), CZ_OK);
    assert_int_equal(cz_keyblob_sign_pk(blob, len, pk), CZ_OK);
    cz_txn_abort(t);
}

/* A person's secrets straight from their slot (the caller frees). */
static cz_secrets *open_slot(const char *user, const char *pass)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, user, &blob, &len), CZ_OK);
    assert_int_equal(cz_secrets_open(blob, len, pass, &s), CZ_OK);
    cz_txn_abort(t);
    return s;
}

static int slot_has_root(const char *user)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, user, &blob, &len), CZ_OK);
    int has = cz_keyblob_has_root(blob, len);
    cz_txn_abort(t);
    return has;
}

static int setup(void **state)
{
    char why[64];
    memset(&F, 0, sizeof F);
    if (sodium_init() < 0 || tk_tmpdir(F.dir, sizeof F.dir, "people")) return -1;
    snprintf(F.odir, sizeof F.odir, "%s/office", F.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "", .user = "张主任" };
    if (cz_station_init(F.odir, &o, PASS, &F.o, why, sizeof why)) return -1;
    if (tk_places(F.o, REGION "100201", NULL)) return -1;
    if (cz_station_user_add(F.o, "王会计", "clerk", PASS) || cz_station_user_add(F.o, "刘镇长", "supervisor", PASS) ||
        cz_station_user_add(F.o, "赵科员", "office", PASS))
        return -1;
    memcpy(F.root, cz_station_info(F.o)->office_root, 32);
    pk_of("张主任", F.founder);
    pk_of("王会计", F.clerk);
    pk_of("刘镇长", F.sup);
    pk_of("赵科员", F.office2);
    *state = &F;
    return 0;
}

static int teardown(void **state)
{
    cz_station_close(F.o);
    tk_rmtree(F.dir);
    return 0;
}

static struct cz_trust_info lookup(const uint8_t key[32])
{
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, F.root, key, &ti), CZ_OK);
    cz_txn_abort(t);
    return ti;
}

/* ---- forging root-signed entries ---- */

/* The ms of a moment given in China Standard Time. */
static uint64_t hlc_at_cst(int y, int mo, int d, int h, int mi)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi };
    time_t utc = timegm(&tm) - 8 * 3600;
    return ((uint64_t)utc * 1000) << 16;
}

/* Signs b as the next entry of `who`'s log (the root when as_root) and
 * stores it as an import would: real keys, nothing checked but what the
 * store and the roster check. */
static void put_entry(const cz_secrets *who, int as_root, const char *type, const char *region,
                      const cz_body *b, const uint8_t *entity, const uint8_t *parent, uint8_t flags,
                      uint64_t hlc, uint8_t id[CZ_ID_BYTES])
{
    struct tk_put p = {
        .origin = as_root ? cz_secrets_root_pk(who) : cz_secrets_sign_pk(who),
        .sign = as_root ? tk_root_sign : tk_person_sign, .sign_ctx = (void *)who,
        .hlc = hlc, .entity = entity, .type = type, .region = region,
        .parents = parent, .nparents = parent ? 1 : 0, .flags = flags, .body = b,
    };
    assert_int_equal(tk_put_entry(F.o, &p, id), 0);
}

static cz_body *cert_body(const uint8_t key[32], const char *role, const char *valid_until)
{
    const struct cz_type *ty = cz_schema_type("cert");
    cz_body *b = cz_body_new();
    char hex[65];
    cz_hex(key, 32, hex);
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "key", hex, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "kind", "person", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "name", "某人", NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "region", REGION, NULL), CZ_OK);
    assert_int_equal(cz_schema_set(ty, b, "role", role, NULL), CZ_OK);
    if (valid_until) assert_int_equal(cz_schema_set(ty, b, "valid_until", valid_until, NULL), CZ_OK);
    return b;
}

static cz_body *revoke_body(const uint8_t key[32])
{
    const struct cz_type *ty = cz_schema_type("revoke");
    cz_body *b = cz_body_new();
    char hex[65];
    cz_hex(key, 32, hex);
    assert_non_null(b);
    assert_int_equal(cz_schema_set(ty, b, "key", hex, NULL), CZ_OK);
    return b;
}

/* Countersigns b as `by` would (roster.h). */
static void countersign(cz_body *b, const char *type, const cz_secrets *by)
{
    assert_int_equal(tk_countersign(b, type, F.root, by), 0);
}

static int trust_counts(const uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    struct cz_entry e;
    struct cz_trust_info ti;
    int counts, why;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_roster_trust_counts(t, F.root, &e, &counts), CZ_OK);
    /* verify and reports see the same: an uncounted trust record is an
     * authority problem. */
    assert_int_equal(cz_roster_entry_counts(t, F.root, &e, &ti, &why), CZ_OK);
    assert_int_equal(why, counts ? CZ_OK : CZ_EPERM);
    cz_txn_abort(t);
    return counts;
}

/* ---- 1. passphrases ---- */

static void test_passphrase_rule(void **state)
{
    static const struct { const char *p; int want; } cases[] = {
        { "1", CZ_EWEAKPASS }, { " ", CZ_EWEAKPASS }, { "", CZ_EWEAKPASS },
        { "aaaaaaaa", CZ_EWEAKPASS }, { "        ", CZ_EWEAKPASS }, { "aaaaaaaaaaaaaaaaaaaa", CZ_EWEAKPASS },
        { "杨杨杨杨杨杨杨杨", CZ_EWEAKPASS },
        /* 7 characters in 21 bytes: characters are counted, not bytes */
        { "杨树湾村许昌市", CZ_EWEAKPASS }, { "abcdefg", CZ_EWEAKPASS },
        { "杨树湾村杨树湾村", CZ_OK }, { "abcdefgh", CZ_OK }, { "aaaaaaab", CZ_OK }, { "baaaaaaa", CZ_OK },
        { "correct horse", CZ_OK },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        tk_assert_int(cases[i].p, cz_passphrase_check(cases[i].p), cases[i].want);
}

static void test_weak_passphrase_refused_when_set(void **state)
{
    static const char *const weak[] = { "1", " ", "aaaaaaaa" };
    char dir[160], why[64];
    cz_station *st = NULL;
    for (size_t i = 0; i < 3; i++) {
        snprintf(dir, sizeof dir, "%s/weak%zu", F.dir, i);
        struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "市办", .region = "", .user = "甲" };
        tk_assert_int(weak[i], cz_station_init(dir, &o, weak[i], &st, why, sizeof why), CZ_EWEAKPASS);
        assert_null(st);
        tk_assert_int(weak[i], cz_station_user_add(F.o, "新人", "clerk", weak[i]), CZ_EWEAKPASS);
        tk_assert_int(weak[i], cz_station_passwd(F.o, "王会计", PASS, weak[i]), CZ_EWEAKPASS);
    }
    /* Nothing was made: the same folder takes a good passphrase. */
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "市办", .region = "", .user = "甲" };
    assert_int_equal(cz_station_init(dir, &o, "a good one", &st, why, sizeof why), CZ_OK);
    cz_station_close(st);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);   /* unchanged */
}

/* The rule is for setting a passphrase, never for logging in: a slot made
 * with a short one (as the demo's `demo`) still opens, and can be changed
 * to a good one. */
static void test_old_short_passphrase_logs_in(void **state)
{
    char dir[160], why[64];
    cz_station *st = NULL;
    snprintf(dir, sizeof dir, "%s/demo", F.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "市办", .region = "", .user = "甲",
                              .demo_passphrase = 1 };
    assert_int_equal(cz_station_init(dir, &o, "demo", &st, why, sizeof why), CZ_OK);
    assert_int_equal(cz_station_user_add(st, "乙", "clerk", "demo"), CZ_EWEAKPASS);
    assert_int_equal(cz_station_user_add_demo(st, "乙", "clerk", "demo"), CZ_OK);
    assert_int_equal(cz_station_login(st, "乙", "demo"), CZ_OK);
    assert_int_equal(cz_station_login(st, "甲", "demo"), CZ_OK);
    assert_int_equal(cz_station_passwd(st, "乙", "wrong-old-pass", "乙的新口令很长啊"), CZ_EPASS);
    assert_int_equal(cz_station_passwd(st, "乙", "demo", "乙的新口令很长啊"), CZ_OK);
    assert_int_equal(cz_station_login(st, "乙", "demo"), CZ_EPASS);
    assert_int_equal(cz_station_login(st, "乙", "乙的新口令很长啊"), CZ_OK);
    cz_station_close(st);
}

/* ---- 2. passwd and remove ---- */

static void test_passwd_keeps_the_key(void **state)
{
    uint8_t before[32], after[32];
    pk_of("赵科员", before);
    int had_root = slot_has_root("赵科员");
    assert_int_equal(cz_station_passwd(F.o, "赵科员", PASS, "a new passphrase"), CZ_OK);
    pk_of("赵科员", after);
    assert_memory_equal(before, after, 32);
    assert_int_equal(slot_has_root("赵科员"), had_root);
    assert_int_equal(cz_station_login(F.o, "赵科员", PASS), CZ_EPASS);
    assert_int_equal(cz_station_login(F.o, "赵科员", "a new passphrase"), CZ_OK);
    assert_non_null(cz_secrets_root_pk(cz_station_secrets(F.o)));
}

static void test_user_remove(void **state)
{
    const uint8_t *blob;
    size_t len;
    cz_txn *t = NULL;
    assert_int_equal(cz_station_user_remove(F.o, "张主任"), CZ_ESELF);
    assert_int_equal(cz_station_user_remove(F.o, "无此人"), CZ_ENOUSER);
    /* A clerk (or a supervisor) at the office removes no one. */
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);
    assert_int_equal(cz_station_user_remove(F.o, "刘镇长"), CZ_EPERM);
    assert_int_equal(cz_station_login(F.o, "刘镇长", PASS), CZ_OK);
    assert_int_equal(cz_station_user_remove(F.o, "王会计"), CZ_EPERM);
    /* An office person does; removing the default user makes them it. */
    assert_int_equal(cz_station_login(F.o, "赵科员", PASS), CZ_OK);
    assert_int_equal(cz_station_user_remove(F.o, "王会计"), CZ_OK);
    assert_int_equal(cz_station_user_remove(F.o, "张主任"), CZ_OK);
    assert_string_equal(cz_station_info(F.o)->default_user, "赵科员");
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, "王会计", &blob, &len), CZ_ENOUSER);
    cz_txn_abort(t);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_ENOUSER);
    /* The key is not revoked by it: its entries still count. */
    assert_int_equal(lookup(F.clerk).revoked, 0);
    /* The last root holder stays: 赵科员 cannot remove himself, and the
     * supervisor may not remove him. */
    assert_int_equal(cz_station_user_remove(F.o, "赵科员"), CZ_ESELF);
    cz_station_close(F.o);
    assert_int_equal(cz_station_open(F.odir, &F.o), CZ_OK);
    assert_string_equal(cz_station_info(F.o)->default_user, "赵科员");
}

/* ---- 3. the root key only in office slots ---- */

static void test_root_only_in_office_slots(void **state)
{
    uint8_t id[CZ_ID_BYTES];
    struct cz_cert_req req = { .kind = "person", .name = "新人", .station = "许昌市科协", .region = REGION,
                               .role = "clerk" };
    randombytes_buf(req.key, 32);
    assert_true(slot_has_root("张主任"));
    assert_true(slot_has_root("赵科员"));
    assert_false(slot_has_root("王会计"));
    assert_false(slot_has_root("刘镇长"));
    /* Root slots cost more to guess at (MODERATE; a stronger test limit in
     * this build, CZ_TEST_KDF). */
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    uint64_t rops, rmem, pops, pmem;
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_user_get(t, "张主任", &blob, &len), CZ_OK);
    assert_int_equal(cz_keyblob_limits(blob, len, &rops, &rmem), CZ_OK);
    assert_int_equal(cz_user_get(t, "王会计", &blob, &len), CZ_OK);
    assert_int_equal(cz_keyblob_limits(blob, len, &pops, &pmem), CZ_OK);
    cz_txn_abort(t);
    assert_true(rops > pops && rmem > pmem);
#ifdef CZ_TEST_KDF
    assert_true(rmem < crypto_pwhash_MEMLIMIT_INTERACTIVE);   /* tests never pay the real price */
#endif
    static const char *const not_office[] = { "王会计", "刘镇长" };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cz_station_login(F.o, not_office[i], PASS), CZ_OK);
        assert_null(cz_secrets_root_pk(cz_station_secrets(F.o)));
        tk_assert_int(not_office[i], cz_station_certify(F.o, &req, id), CZ_EPERM);
        tk_assert_int(not_office[i], cz_station_revoke(F.o, F.founder, 0, "coup", id), CZ_EPERM);
        req.role = "office";
        req.key[0] ^= 1;
        tk_assert_int(not_office[i], cz_station_certify(F.o, &req, id), CZ_EPERM);
        tk_assert_int(not_office[i], cz_station_user_add(F.o, "同伙", "office", PASS), CZ_EPERM);
        req.role = "clerk";
    }
    /* They can still write within their role. */
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);
    struct cz_assign hh[] = { { "number", "YL-001" }, { "village", REGION "100201" }, { "head", "王大" } };
    uint8_t entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    assert_int_equal(cz_station_add(F.o, "household", hh, 3, entity, id, &err), CZ_OK);
    assert_true(lookup(F.founder).state == CZ_TRUST_CERTIFIED && !lookup(F.founder).revoked);
    /* The honest office person certifies. */
    assert_int_equal(cz_station_login(F.o, "赵科员", PASS), CZ_OK);
    assert_int_equal(cz_station_certify(F.o, &req, id), CZ_OK);
    assert_int_equal(lookup(req.key).state, CZ_TRUST_CERTIFIED);
}

/* A slot made when every office person's slot held the root key: the
 * person's certificate says clerk, so the login gives the root key up. */
static void test_old_clerk_slot_gives_up_root(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS), *s = NULL;
    uint8_t *blob = NULL, id[CZ_ID_BYTES];
    size_t len;
    cz_txn *t = NULL;
    assert_int_equal(cz_secrets_new_person(founder, &s), CZ_OK);   /* with the root key */
    assert_int_equal(cz_secrets_seal(s, PASS, &blob, &len), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 1, &t), CZ_OK);
    assert_int_equal(cz_user_put(t, "老会计", blob, len), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    free(blob);
    cz_body *b = cert_body(cz_secrets_sign_pk(s), "clerk", NULL);
    countersign(b, "cert", founder);
    put_entry(founder, 1, "cert", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    assert_true(slot_has_root("老会计"));
    assert_int_equal(cz_station_login(F.o, "老会计", PASS), CZ_OK);
    assert_null(cz_secrets_root_pk(cz_station_secrets(F.o)));
    assert_false(slot_has_root("老会计"));
    struct cz_cert_req req = { .kind = "person", .name = "x", .region = REGION, .role = "office" };
    randombytes_buf(req.key, 32);
    assert_int_equal(cz_station_certify(F.o, &req, id), CZ_EPERM);
    cz_secrets_free(s);
    cz_secrets_free(founder);
}

/* ---- 4. countersigned trust records ---- */

static void test_founder_bootstrap(void **state)
{
    cz_txn *t = NULL;
    uint8_t id[CZ_ID_BYTES];
    struct cz_entry e;
    struct cz_trust_info ti = lookup(F.founder);
    assert_int_equal(ti.state, CZ_TRUST_CERTIFIED);
    assert_string_equal(ti.role, "office");
    /* The founder's cert is the root log's first entry, countersigned by
     * the founder. */
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_get(t, F.root, 1, id), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_string_equal(e.type, "cert");
    cz_txn_abort(t);
    assert_true(trust_counts(id));
    /* Everyone the founder added counts, through the founder. */
    assert_int_equal(lookup(F.clerk).state, CZ_TRUST_CERTIFIED);
    assert_string_equal(lookup(F.office2).role, "office");
}

static void test_countersignature_required(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS), *clerk = open_slot("王会计", PASS),
               *sup = open_slot("刘镇长", PASS), *off2 = open_slot("赵科员", PASS), *mallory = NULL;
    uint8_t id[CZ_ID_BYTES], stranger[32];
    assert_int_equal(cz_secrets_generate(0, &mallory), CZ_OK);
    struct { const char *what; const cz_secrets *by; int tamper; } bad[] = {
        { "no countersignature", NULL, 0 },
        { "countersigned by a clerk", clerk, 0 },
        { "countersigned by a supervisor", sup, 0 },
        { "countersigned by an uncertified key", mallory, 0 },
        { "self-countersigned, not the founding cert", NULL, 2 },
        { "countersignature over another body", founder, 1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        randombytes_buf(stranger, 32);
        const uint8_t *subject = bad[i].tamper == 2 ? cz_secrets_sign_pk(mallory) : stranger;
        cz_body *b = cert_body(subject, "office", NULL);
        if (bad[i].by) countersign(b, "cert", bad[i].by);
        if (bad[i].tamper == 2) countersign(b, "cert", mallory);
        if (bad[i].tamper == 1)
            assert_int_equal(cz_schema_set(cz_schema_type("cert"), b, "region", "41", NULL), CZ_OK);
        put_entry(founder, 1, "cert", "", b, NULL, NULL, 0, 0, id);   /* the root signed it */
        cz_body_free(b);
        tk_assert_int(bad[i].what, lookup(subject).state, CZ_TRUST_PENDING);
        tk_assert_int(bad[i].what, trust_counts(id), 0);
    }
    /* A revocation of the founder countersigned by a clerk: ignored. */
    cz_body *b = revoke_body(F.founder);
    countersign(b, "revoke", clerk);
    put_entry(founder, 1, "revoke", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    assert_int_equal(lookup(F.founder).revoked, 0);
    assert_int_equal(trust_counts(id), 0);
    /* The honest case: the same cert countersigned by an office person. */
    randombytes_buf(stranger, 32);
    b = cert_body(stranger, "clerk", NULL);
    countersign(b, "cert", off2);
    put_entry(founder, 1, "cert", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    assert_int_equal(lookup(stranger).state, CZ_TRUST_CERTIFIED);
    assert_true(trust_counts(id));
    cz_secrets_free(founder);
    cz_secrets_free(clerk);
    cz_secrets_free(sup);
    cz_secrets_free(off2);
    cz_secrets_free(mallory);
}

/* A revoked office person's countersignature counts only before the
 * revocation in the root log. */
static void test_revoked_office_cannot_countersign(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS), *off2 = open_slot("赵科员", PASS);
    uint8_t id[CZ_ID_BYTES], before[32], after[32];
    randombytes_buf(before, 32);
    randombytes_buf(after, 32);
    cz_body *b = cert_body(before, "clerk", NULL);
    countersign(b, "cert", off2);
    put_entry(founder, 1, "cert", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    assert_int_equal(cz_station_revoke(F.o, F.office2, 0, "left the office", id), CZ_OK);
    /* He still holds the root key in his old slot and goes on enrolling. */
    b = cert_body(after, "office", NULL);
    countersign(b, "cert", off2);
    put_entry(off2, 1, "cert", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    assert_int_equal(lookup(before).state, CZ_TRUST_CERTIFIED);
    assert_int_equal(lookup(after).state, CZ_TRUST_PENDING);
    assert_int_equal(trust_counts(id), 0);
    /* Through the library he cannot even log in to try. */
    assert_int_equal(cz_station_login(F.o, "赵科员", PASS), CZ_EREVOKED);
    cz_secrets_free(founder);
    cz_secrets_free(off2);
}

/* ---- 5. revocation is permanent; valid_until ---- */

static void test_cert_after_revoke_does_not_undo(void **state)
{
    uint8_t id[CZ_ID_BYTES];
    assert_int_equal(cz_station_revoke(F.o, F.clerk, 0, "left", id), CZ_OK);
    struct cz_cert_req req = { .kind = "person", .name = "王会计", .station = "许昌市科协", .region = REGION,
                               .role = "clerk" };
    memcpy(req.key, F.clerk, 32);
    assert_int_equal(cz_station_certify(F.o, &req, id), CZ_OK);   /* the honest office, later */
    assert_true(trust_counts(id));
    struct cz_trust_info ti = lookup(F.clerk);
    assert_int_equal(ti.state, CZ_TRUST_CERTIFIED);
    assert_int_equal(ti.revoked, 1);
    assert_int_equal(ti.revoked_after, 0);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_EREVOKED);
    /* A later revocation with a higher bound does not loosen the first. */
    assert_int_equal(cz_station_revoke(F.o, F.clerk, 100, "again", id), CZ_OK);
    assert_int_equal(lookup(F.clerk).revoked_after, 0);
}

static void test_superseding_version_cannot_hide_revoke(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS);
    uint8_t rid[CZ_ID_BYTES], id[CZ_ID_BYTES], other[32];
    cz_txn *t = NULL;
    struct cz_entry e;
    uint8_t entity[CZ_ENTITY_BYTES];
    assert_int_equal(cz_station_revoke(F.o, F.sup, 0, "lost stick", rid), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, rid, &e), CZ_OK);
    memcpy(entity, e.entity, sizeof entity);
    cz_txn_abort(t);
    /* A new version of the revocation, validly countersigned, naming
     * another key: the index of current heads no longer finds the
     * supervisor under it. */
    randombytes_buf(other, 32);
    cz_body *b = revoke_body(other);
    countersign(b, "revoke", founder);
    put_entry(founder, 1, "revoke", "", b, entity, rid, 0, 0, id);
    cz_body_free(b);
    assert_int_equal(lookup(F.sup).revoked, 1);
    /* And a tombstone over that. */
    put_entry(founder, 1, "revoke", "", NULL, entity, id, CZ_ENTRY_FLAG_TOMBSTONE, 0, id);
    assert_int_equal(lookup(F.sup).revoked, 1);
    assert_int_equal(cz_station_login(F.o, "刘镇长", PASS), CZ_EREVOKED);
    /* The honest case: a person nobody revoked is not. */
    assert_int_equal(lookup(F.clerk).revoked, 0);
    cz_secrets_free(founder);
}

/* Entries whose clock date (China Standard Time) is after valid_until do
 * not count; the day itself does. */
static void test_valid_until(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS), *p = NULL;
    uint8_t id[CZ_ID_BYTES], cid[CZ_ID_BYTES];
    assert_int_equal(cz_secrets_generate(0, &p), CZ_OK);
    struct cz_cert_req req = { .kind = "person", .name = "临时工", .station = "许昌市科协", .region = REGION,
                               .role = "clerk" };
    memcpy(req.key, cz_secrets_sign_pk(p), 32);
    assert_int_equal(cz_station_certify_until(F.o, &req, "2020-01-01", cid), CZ_OK);
    assert_int_equal(lookup(req.key).valid_until, 20200101);
    static const struct { const char *what; int h, d; int want; } cases[] = {
        { "the last day, 23:30 CST (15:30 UTC)", 23, 1, CZ_OK },
        { "the next day, 00:30 CST (still Jan 1 in UTC)", 0, 2, CZ_EEXPIRED },
    };
    for (size_t i = 0; i < 2; i++) {
        cz_body *b = cz_body_new();
        put_entry(p, 0, "place", REGION "101", b, NULL, NULL, 0,
                  hlc_at_cst(2020, 1, cases[i].d, cases[i].h, 30), id);
        cz_body_free(b);
        cz_txn *t = NULL;
        struct cz_entry e;
        struct cz_trust_info ti;
        int why;
        assert_int_equal(cz_txn_begin(cz_station_store(F.o), 0, &t), CZ_OK);
        assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
        assert_int_equal(cz_roster_entry_counts(t, F.root, &e, &ti, &why), CZ_OK);
        cz_txn_abort(t);
        tk_assert_int(cases[i].what, why, cases[i].want);
    }
    assert_int_equal(cz_roster_hlc_date(hlc_at_cst(2020, 1, 2, 0, 30)), 20200102);
    cz_secrets_free(p);
    cz_secrets_free(founder);
}

/* After expiry a person cannot sign at write time either. */
static void test_expired_cannot_write(void **state)
{
    uint8_t id[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    struct cz_cert_req req = { .kind = "person", .name = "王会计", .station = "许昌市科协", .region = "",
                               .role = "office" };
    memcpy(req.key, F.clerk, 32);
    assert_int_equal(cz_station_certify_until(F.o, &req, "2020-01-01", id), CZ_OK);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);
    struct cz_assign place[] = { { "code", REGION "100" }, { "name", "南坞镇" }, { "level", "town" } };
    assert_int_equal(cz_station_add(F.o, "place", place, 3, entity, id, &err), CZ_EEXPIRED);
    /* The honest case: renewed, the same write goes through. */
    assert_int_equal(cz_station_login(F.o, "张主任", PASS), CZ_OK);
    assert_int_equal(cz_station_certify_until(F.o, &req, "2199-12-31", id), CZ_OK);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);
    assert_int_equal(cz_station_add(F.o, "place", place, 3, entity, id, &err), CZ_OK);
}

/* ---- 6. a revoked person signs nothing ---- */

static void test_revoked_cannot_sign(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS);
    uint8_t id[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    struct cz_assign place[] = { { "number", "YL-002" }, { "village", REGION "100201" }, { "head", "王二" } };
    /* Logged in first; the revocation arrives meanwhile (as an import). */
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_OK);
    assert_int_equal(cz_station_add(F.o, "household", place, 3, entity, id, &err), CZ_OK);
    cz_body *b = revoke_body(F.clerk);
    assert_int_equal(cz_body_set_sint(b, cz_schema_field(cz_schema_type("revoke"), "after_seq")->tag, 50), CZ_OK);
    countersign(b, "revoke", founder);
    put_entry(founder, 1, "revoke", "", b, NULL, NULL, 0, 0, id);
    cz_body_free(b);
    /* Even below the bound (seq 50), nothing new is signed. */
    assert_int_equal(cz_station_edit(F.o, entity, place, 3, id, &err), CZ_EREVOKED);
    assert_int_equal(cz_station_delete(F.o, entity, id), CZ_EREVOKED);
    assert_int_equal(cz_station_user_add(F.o, "同伙", "clerk", PASS), CZ_EPERM);
    assert_int_equal(cz_station_login(F.o, "王会计", PASS), CZ_EREVOKED);
    assert_int_equal(cz_station_passwd(F.o, "王会计", PASS, "another passphrase"), CZ_EREVOKED);
    /* The honest case: the supervisor still logs in. */
    assert_int_equal(cz_station_login(F.o, "刘镇长", PASS), CZ_OK);
    cz_secrets_free(founder);
}

/* The roster kept with a transaction follows what is put in it: a
 * revocation stored mid-import counts for the very next look-up. */
static void test_roster_follows_puts(void **state)
{
    cz_secrets *founder = open_slot("张主任", PASS);
    cz_body *b = revoke_body(F.clerk);
    uint8_t *body = NULL, *raw = NULL, ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    size_t body_len = 0, raw_len = 0;
    struct tk_log l;
    struct cz_entry_draft d;
    struct cz_entry e;
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int result;
    countersign(b, "revoke", founder);
    assert_int_equal(cz_body_encode(b, &body, &body_len), CZ_OK);
    randombytes_buf(ent, sizeof ent);
    memset(&l, 0, sizeof l);
    memcpy(l.origin, F.root, 32);
    assert_int_equal(cz_txn_begin(cz_station_store(F.o), 1, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, F.root, F.clerk, &ti), CZ_OK);
    assert_int_equal(ti.revoked, 0);
    assert_int_equal(cz_store_log_last(t, F.root, &l.seq, l.last), CZ_OK);
    tk_log_draft(&l, &d, tk_next_hlc(), ent, "revoke", "", NULL, 0, body, body_len);
    assert_int_equal(tk_log_write(&l, &d, tk_root_sign, founder, &raw, &raw_len, id), CZ_OK);
    assert_int_equal(cz_entry_decode(raw, raw_len, &e), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &e, id, &result), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, F.root, F.clerk, &ti), CZ_OK);
    assert_int_equal(ti.revoked, 1);
    /* The honest case in the same transaction: the supervisor is not. */
    assert_int_equal(cz_roster_lookup(t, F.root, F.sup, &ti), CZ_OK);
    assert_int_equal(ti.revoked, 0);
    assert_int_equal(ti.state, CZ_TRUST_CERTIFIED);
    cz_txn_abort(t);
    free(raw);
    free(body);
    cz_body_free(b);
    cz_secrets_free(founder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passphrase_rule),
        cmocka_unit_test_setup_teardown(test_weak_passphrase_refused_when_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_short_passphrase_logs_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passwd_keeps_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_only_in_office_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_clerk_slot_gives_up_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_founder_bootstrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_countersignature_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_office_cannot_countersign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_after_revoke_does_not_undo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_superseding_version_cannot_hide_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_valid_until, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_cannot_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_cannot_sign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roster_follows_puts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
