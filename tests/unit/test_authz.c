/* The rule set (src/authz.h, src/TRUST.md) against validly signed but
 * unauthorised entries: every forged entry here is signed with a real key
 * (a clerk the office certified, or one it never did) and carried in a
 * real bundle that a certified person of the village station sealed.
 * Each rule has its attack (refused at import, kept as evidence, never
 * current, never counted, never forwarded, flagged by verify when an
 * older build let it in) and its honest case (still goes through). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "counts.h"
#include "bundle.h"
#include "payload.h"
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

#define VA "411081106201"       /* the village station's village */
#define VB "411081106202"       /* another village of the same township */
#define COUNTY "411081000000"   /* their county, written as 12 digits */
#define PASS "authz-pass-1"

/* An author with a raw key: the test signs as them. */
struct author {
    uint8_t pk[32], sk[64];
    struct tk_log log;
};

static struct {
    struct tk_pair p;
    struct author clerk_a, clerk_b, stranger, county;
    uint8_t hh_b[16], hh_b_v1[32];      /* village B's household, first version */
    uint8_t hh_a[16], hh_a_v1[32];      /* village A's household */
    uint8_t next_entity;
} F;

static int raw_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

static void new_author(struct author *a)
{
    crypto_sign_keypair(a->pk, a->sk);
    memset(&a->log, 0, sizeof a->log);
    memcpy(a->log.origin, a->pk, 32);
}

static void certify(const struct author *a, const char *name, const char *region, const char *role)
{
    uint8_t id[32];
    struct cz_cert_req req = { .kind = "person", .name = name, .station = "杨树湾村", .region = region,
                               .role = role };
    memcpy(req.key, a->pk, 32);
    assert_int_equal(cz_station_certify(F.p.office, &req, id), CZ_OK);
}

static void fresh_entity(uint8_t e[16])
{
    randombytes_buf(e, 16);
    e[0] = ++F.next_entity;
}

/* A canonical body of type from FIELD=VALUE pairs (values as typed). */
static uint8_t *body_of(const char *type, const struct cz_assign *a, size_t n, size_t *len)
{
    const struct cz_type *ty = cz_schema_type(type);
    struct cz_field_error err;
    cz_body *b = cz_body_new();
    uint8_t *out = NULL;
    assert_non_null(ty);
    assert_int_equal(cz_schema_set_many(ty, b, a, n, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, 20260101, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, &out, len), CZ_OK);
    cz_body_free(b);
    return out;
}

static uint8_t *household_body(const char *village, const char *number, size_t *len)
{
    struct cz_assign a[] = { { "number", number }, { "village", village }, { "head", "王五" } };
    return body_of("household", a, 3, len);
}

static uint8_t *member_body(const uint8_t household[16], const char *name, size_t *len)
{
    char hex[33];
    cz_hex(household, 16, hex);
    struct cz_assign a[] = { { "household", hex }, { "name", name }, { "relation", "spouse" } };
    return body_of("member", a, 3, len);
}

/* Signs the author's next entry: *out malloc'd. */
static void sign_entry(struct author *a, const char *type, const char *region, const uint8_t entity[16],
                       const uint8_t *parents, size_t nparents, const uint8_t *body, size_t blen,
                       uint8_t flags, uint8_t **out, size_t *len, uint8_t id[32])
{
    struct cz_entry_draft d;
    tk_log_draft(&a->log, &d, cz_hlc_next(0, cz_now_ms()), entity, type, region, parents, nparents, body, blen);
    d.flags = flags;
    assert_int_equal(tk_log_write(&a->log, &d, raw_sign, a, out, len, id), CZ_OK);
}

struct refusals { size_t n; int why; };
static void on_refused(void *ctx, const uint8_t id[32], const uint8_t origin[32], int why)
{
    struct refusals *r = ctx;
    r->n++;
    r->why = why;
}

/* Seals entries as the village station and imports them at the office. */
static struct cz_import_result deliver(uint8_t *const *e, const size_t *len, size_t n, struct refusals *rf)
{
    struct cz_import_result r;
    memset(rf, 0, sizeof *rf);
    assert_int_equal(tk_pair_deliver(&F.p, (const uint8_t *const *)e, len, n, on_refused, rf, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    return r;
}

static struct cz_import_result deliver1(uint8_t *e, size_t len, struct refusals *rf)
{
    struct cz_import_result r = deliver(&e, &len, 1, rf);
    free(e);
    return r;
}

/* The office's current version of a record (all zero: none). */
static void current(const uint8_t entity[16], uint8_t id[32])
{
    cz_txn *t = NULL;
    size_t n = 0;
    uint8_t heads[1][32];
    memset(id, 0, 32);
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_heads(t, entity, heads, 1, &n), CZ_OK);
    if (n) memcpy(id, heads[0], 32);
    cz_txn_abort(t);
}

static void assert_current(const uint8_t entity[16], const uint8_t want[32])
{
    uint8_t id[32];
    current(entity, id);
    assert_memory_equal(id, want, 32);
}

/* Kept at the office in `state` (CZ_JUDGED_*) for the rule `why`. */
static void assert_kept(const uint8_t id[32], int state, int why)
{
    cz_txn *t = NULL;
    int s = 0, w = 0;
    struct cz_entry e;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_store_judged_get(t, id, &s, &w), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(s, state);
    if (why) assert_string_equal(cz_status_name(w), cz_status_name(why));
}

struct findings { size_t refused, authority, held, region; };
static void on_problem(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    struct findings *f = ctx;
    if (kind == CZ_PROBLEM_REFUSED) f->refused++;
    if (kind == CZ_PROBLEM_HELD) f->held++;
    if (kind == CZ_PROBLEM_AUTHORITY) f->authority++;
    if (kind == CZ_PROBLEM_AUTHORITY && status == CZ_EREGION) f->region++;
}

static struct cz_verify_report office_verify(struct findings *f)
{
    cz_txn *t = NULL;
    struct cz_verify_report rep;
    memset(f, 0, sizeof *f);
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, cz_station_info(F.p.office)->office_root, on_problem, f, &rep), CZ_OK);
    cz_txn_abort(t);
    return rep;
}

static int setup(void **state)
{
    struct cz_import_result ir;
    struct refusals rf;
    uint8_t *img = NULL, *b, *e;
    size_t len = 0, blen, elen;
    if (tk_pair_init(&F.p, "authz", "许昌市办", VA, PASS)) return -1;
    if (tk_pair_export(&F.p, &img, &len)) return -1;
    if (cz_sync_import(F.p.office, img, len, NULL, NULL, &ir) || ir.status) return -1;
    free(img);
    struct cz_cert_req req = { .kind = "person", .name = "李书记", .station = "杨树湾村", .region = VA,
                               .role = "clerk" };
    uint8_t id[32];
    memcpy(req.key, cz_station_person_pk(F.p.village), 32);
    if (cz_station_certify(F.p.office, &req, id)) return -1;
    /* and its station key, so the office writes bundles for it */
    struct cz_cert_req sreq = { .kind = "station", .name = "杨树湾村", .station = "杨树湾村", .region = VA,
                                .role = "clerk" };
    memcpy(sreq.key, cz_station_info(F.p.village)->box_pk, 32);
    if (cz_station_certify(F.p.office, &sreq, id)) return -1;
    new_author(&F.clerk_a);
    new_author(&F.clerk_b);
    new_author(&F.stranger);
    new_author(&F.county);
    certify(&F.clerk_a, "王会计", VA, "clerk");
    certify(&F.clerk_b, "赵会计", VB, "clerk");
    certify(&F.county, "县扶贫办", COUNTY, "clerk");
    /* Each village's clerk writes a household of their own village: the
     * honest case of the region rules. */
    fresh_entity(F.hh_b);
    b = household_body(VB, "B-001", &blen);
    sign_entry(&F.clerk_b, "household", VB, F.hh_b, NULL, 0, b, blen, 0, &e, &elen, F.hh_b_v1);
    free(b);
    ir = deliver1(e, elen, &rf);
    if (ir.fresh != 1 || ir.refused) return -1;
    fresh_entity(F.hh_a);
    b = household_body(VA, "A-001", &blen);
    sign_entry(&F.clerk_a, "household", VA, F.hh_a, NULL, 0, b, blen, 0, &e, &elen, F.hh_a_v1);
    free(b);
    ir = deliver1(e, elen, &rf);
    if (ir.fresh != 1 || ir.refused) return -1;
    *state = &F;
    return 0;
}

static int teardown(void **state)
{
    tk_pair_free(&F.p);
    return 0;
}

/* ---- versions belong to one record ---- */

static void test_uncertified_key_cannot_supersede(void **state)
{
    uint8_t *e, id[32];
    size_t len;
    struct refusals rf;
    /* A key the office never certified deletes village B's household. */
    sign_entry(&F.stranger, "household", VB, F.hh_b, F.hh_b_v1, 1, NULL, 0, CZ_ENTRY_FLAG_TOMBSTONE, &e, &len, id);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.fresh, 0);
    assert_current(F.hh_b, F.hh_b_v1);
    /* held until the office says where this key may write (never, here) */
    assert_int_equal(r.held + r.refused, 1);
    if (r.held) assert_kept(id, CZ_JUDGED_HELD, CZ_ENOTFOUND);
    struct findings f;
    struct cz_verify_report rep = office_verify(&f);
    assert_true(f.refused + f.held >= 1);
    assert_int_equal(rep.problems, 0);
    /* certified for village A, the key still may not touch B's record */
    if (r.held) {
        certify(&F.stranger, "陌生人", VA, "clerk");
        uint8_t *b = household_body(VA, "A-STR", &len);
        uint8_t ent[16], id2[32];
        fresh_entity(ent);
        sign_entry(&F.stranger, "household", VA, ent, NULL, 0, b, len, 0, &e, &len, id2);
        free(b);
        r = deliver1(e, len, &rf);             /* any import judges the held again */
        assert_int_equal(r.fresh, 1);
        assert_kept(id, CZ_JUDGED_REFUSED, CZ_EPERM);
        assert_current(F.hh_b, F.hh_b_v1);
    }
}

static void test_type_never_changes(void **state)
{
    uint8_t *e, *b, id[32];
    size_t len, blen;
    struct refusals rf;
    /* A key announcement (which any key may make) naming a household's
     * version as its parent: the household would vanish. */
    char hex[65];
    cz_hex(F.stranger.pk, 32, hex);
    struct cz_assign a[] = { { "key", hex }, { "kind", "person" }, { "name", "stranger" } };
    b = body_of("key", a, 3, &blen);
    sign_entry(&F.stranger, "key", "", F.hh_b, F.hh_b_v1, 1, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_current(F.hh_b, F.hh_b_v1);
    assert_kept(id, CZ_JUDGED_REFUSED, CZ_EPARENT);
}

static void test_first_version_has_no_parents(void **state)
{
    uint8_t *e, *b, id[32];
    size_t len, blen;
    struct refusals rf;
    /* B's own clerk starts B's existing household over, without parents:
     * a second root beside the real history. */
    b = household_body(VB, "B-001", &blen);
    sign_entry(&F.clerk_b, "household", VB, F.hh_b, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPARENT);
    assert_current(F.hh_b, F.hh_b_v1);
    /* a deletion with no parent at all */
    uint8_t other[16];
    fresh_entity(other);
    sign_entry(&F.clerk_b, "household", VB, other, NULL, 0, NULL, 0, CZ_ENTRY_FLAG_TOMBSTONE, &e, &len, id);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
}

static void test_parent_of_another_record(void **state)
{
    uint8_t *e, *b, id[32], mine[16];
    size_t len, blen;
    struct refusals rf;
    /* A's clerk names B's household version as the parent of a record of
     * A's own. */
    fresh_entity(mine);
    b = household_body(VA, "A-777", &blen);
    sign_entry(&F.clerk_a, "household", VA, mine, F.hh_b_v1, 1, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPARENT);
    assert_current(F.hh_b, F.hh_b_v1);
}

static void test_other_village_record(void **state)
{
    uint8_t *e, *b, id[32];
    size_t len, blen;
    struct refusals rf;
    /* A's clerk writes a new version of B's household whose content moves
     * it into village A: the content's region is A's, the parent is B's. */
    b = household_body(VA, "B-001", &blen);
    sign_entry(&F.clerk_a, "household", VA, F.hh_b, F.hh_b_v1, 1, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
    assert_current(F.hh_b, F.hh_b_v1);

    /* the honest case: B's clerk edits B's household */
    b = household_body(VB, "B-001A", &blen);
    sign_entry(&F.clerk_b, "household", VB, F.hh_b, F.hh_b_v1, 1, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
    assert_current(F.hh_b, id);
    memcpy(F.hh_b_v1, id, 32);
}

/* ---- the region is the content's ---- */

static void test_region_from_content(void **state)
{
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct refusals rf;
    /* A household of village B under A's header */
    fresh_entity(ent);
    b = household_body(VB, "B-900", &blen);
    sign_entry(&F.clerk_a, "household", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EREGION);
    uint8_t none[32] = { 0 };
    assert_current(ent, none);

    /* A member of B's household under A's header */
    fresh_entity(ent);
    b = member_body(F.hh_b, "张冒充", &blen);
    sign_entry(&F.clerk_a, "member", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EREGION);
    assert_current(ent, none);

    /* ... and under B's header, which A may not write */
    fresh_entity(ent);
    b = member_body(F.hh_b, "张冒充", &blen);
    sign_entry(&F.clerk_a, "member", VB, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);

    /* the honest case: a member of A's own household */
    fresh_entity(ent);
    b = member_body(F.hh_a, "王小五", &blen);
    sign_entry(&F.clerk_a, "member", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
    assert_current(ent, id);
}

static void test_normalised_jurisdiction(void **state)
{
    char n[CZ_REGION_MAX + 1];
    cz_region_normalize("411024000000", n);
    assert_string_equal(n, "411024");
    cz_region_normalize("411024100000", n);
    assert_string_equal(n, "411024100");
    cz_region_normalize("410000", n);
    assert_string_equal(n, "41");
    cz_region_normalize("411024100201", n);
    assert_string_equal(n, "411024100201");
    assert_int_equal(cz_region_level("411024000000"), 6);
    assert_true(cz_region_under("411081106201", COUNTY));
    assert_false(cz_region_under("411082106201", COUNTY));
    assert_true(cz_region_under("411081000000", "411081"));

    /* a clerk certified for the county as "411081000000" writes in one of
     * its villages (honest), and not in the next county's (attack) */
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct refusals rf;
    fresh_entity(ent);
    b = household_body(VB, "C-001", &blen);
    sign_entry(&F.county, "household", VB, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
    fresh_entity(ent);
    b = household_body("411082106201", "C-002", &blen);
    sign_entry(&F.county, "household", "411082106201", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
}

static void test_global_records_are_the_office(void **state)
{
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct refusals rf;
    struct cz_assign place[] = { { "code", "411081106299" }, { "name", "假村" }, { "level", "village" } };
    fresh_entity(ent);
    b = body_of("place", place, 3, &blen);
    sign_entry(&F.clerk_a, "place", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
    struct cz_assign helper[] = { { "name", "假专家" }, { "kind", "expert" } };
    fresh_entity(ent);
    b = body_of("helper", helper, 2, &blen);
    sign_entry(&F.clerk_a, "helper", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    /* a place claimed for a village region is refused too: places are global */
    fresh_entity(ent);
    b = body_of("place", place, 3, &blen);
    sign_entry(&F.clerk_a, "place", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EREGION);
    /* the honest case: the office writes a place */
    const struct cz_assign office_place[] = { { "code", "411081106203" }, { "name", "新村" }, { "level", "village" } };
    struct cz_field_error err;
    uint8_t oent[16], oid[32];
    assert_int_equal(cz_station_add(F.p.office, "place", office_place, 3, oent, oid, &err), CZ_OK);
}

/* ---- trust records ---- */

static int first_entity_cb(void *ctx, const uint8_t *entity)
{
    memcpy(ctx, entity, 16);
    return CZ_WALK_STOP;
}

static void test_trust_records_from_root_only(void **state)
{
    cz_txn *t = NULL;
    char hex[65], term[256];
    uint8_t cert[16], head[32], *e, *b, id[32];
    size_t len, blen;
    struct refusals rf;
    /* A's clerk's certificate, as the office stored it */
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    cz_hex(F.clerk_a.pk, 32, hex);
    size_t tl = cz_term_exact(term, sizeof term, "cert", "key", hex);
    assert_int_equal(cz_store_index_each(t, term, tl, first_entity_cb, cert), CZ_WALK_STOP);
    cz_txn_abort(t);
    current(cert, head);
    /* the clerk supersedes it with a wider one of their own */
    struct cz_assign a[] = { { "key", hex }, { "kind", "person" }, { "name", "王会计" },
                             { "region", "" }, { "role", "office" } };
    b = body_of("cert", a, 5, &blen);
    sign_entry(&F.clerk_a, "cert", "", cert, head, 1, b, blen, 0, &e, &len, id);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
    assert_current(cert, head);
    /* or deletes it */
    sign_entry(&F.clerk_a, "cert", "", cert, head, 1, NULL, 0, CZ_ENTRY_FLAG_TOMBSTONE, &e, &len, id);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_current(cert, head);
    /* or revokes the village's own person */
    char vhex[65];
    cz_hex(cz_station_person_pk(F.p.village), 32, vhex);
    struct cz_assign rv[] = { { "key", vhex }, { "reason", "冒充" } };
    uint8_t ent[16];
    fresh_entity(ent);
    free(b);
    b = body_of("revoke", rv, 2, &blen);
    sign_entry(&F.clerk_a, "revoke", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    struct cz_trust_info ti;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, cz_station_info(F.p.office)->office_root, F.clerk_a.pk, &ti), CZ_OK);
    assert_string_equal(ti.role, "clerk");
    assert_int_equal(cz_roster_lookup(t, cz_station_info(F.p.office)->office_root,
                                      cz_station_person_pk(F.p.village), &ti), CZ_OK);
    assert_false(ti.revoked);
    cz_txn_abort(t);
}

static void test_key_announcements(void **state)
{
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct refusals rf;
    char hex[65];
    struct author newcomer;
    new_author(&newcomer);
    /* someone else's key, announced as one's own person key */
    cz_hex(F.clerk_b.pk, 32, hex);
    struct cz_assign other[] = { { "key", hex }, { "kind", "person" }, { "name", "冒名" } };
    fresh_entity(ent);
    b = body_of("key", other, 3, &blen);
    sign_entry(&newcomer, "key", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EKEYANN);
    /* the honest case: one's own key, once */
    cz_hex(newcomer.pk, 32, hex);
    struct cz_assign own[] = { { "key", hex }, { "kind", "person" }, { "name", "新来的" } };
    fresh_entity(ent);
    b = body_of("key", own, 3, &blen);
    sign_entry(&newcomer, "key", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.fresh, 1);
    /* ... and not twice */
    fresh_entity(ent);
    sign_entry(&newcomer, "key", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EKEYANN);
    /* its station's bundle key, once: a second station key is refused */
    uint8_t box[32];
    for (int k = 0; k < 2; k++) {
        randombytes_buf(box, sizeof box);
        cz_hex(box, 32, hex);
        struct cz_assign station[] = { { "key", hex }, { "kind", "station" }, { "name", "新村站" } };
        fresh_entity(ent);
        b = body_of("key", station, 3, &blen);
        sign_entry(&newcomer, "key", "", ent, NULL, 0, b, blen, 0, &e, &len, id);
        free(b);
        r = deliver1(e, len, &rf);
        assert_int_equal(r.refused, (size_t)k);
    }
    assert_int_equal(rf.why, CZ_EKEYANN);
}

/* ---- held until what it names arrives ---- */

static void test_held_until_household_arrives(void **state)
{
    uint8_t *eh, *em, *b, idh[32], idm[32], hh[16], mem[16];
    size_t lh, lm, blen;
    struct refusals rf;
    fresh_entity(hh);
    fresh_entity(mem);
    b = household_body(VB, "B-HELD", &blen);
    sign_entry(&F.clerk_b, "household", VB, hh, NULL, 0, b, blen, 0, &eh, &lh, idh);
    free(b);
    b = member_body(hh, "迟到", &blen);
    sign_entry(&F.clerk_b, "member", VB, mem, NULL, 0, b, blen, 0, &em, &lm, idm);
    free(b);
    /* the member comes first, alone: held, not current, not refused */
    uint8_t *first = malloc(lm);
    memcpy(first, em, lm);
    struct cz_import_result r = deliver1(first, lm, &rf);
    assert_int_equal(r.held, 1);
    assert_int_equal(r.refused, 0);
    uint8_t none[32] = { 0 };
    assert_current(mem, none);
    assert_kept(idm, CZ_JUDGED_HELD, CZ_EHELD);
    /* the household arrives (with the member again): both are in */
    uint8_t *both[2] = { eh, em };
    size_t lens[2] = { lh, lm };
    r = deliver(both, lens, 2, &rf);
    free(eh);
    free(em);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.released, 1);
    assert_current(hh, idh);
    assert_current(mem, idm);
}

static void test_held_in_one_bundle(void **state)
{
    uint8_t *eh, *em, *b, idh[32], idm[32], hh[16], mem[16];
    size_t lh, lm, blen;
    struct refusals rf;
    fresh_entity(hh);
    fresh_entity(mem);
    b = household_body(VB, "B-ORDER", &blen);
    sign_entry(&F.clerk_b, "household", VB, hh, NULL, 0, b, blen, 0, &eh, &lh, idh);
    free(b);
    b = member_body(hh, "先到", &blen);
    sign_entry(&F.clerk_b, "member", VB, mem, NULL, 0, b, blen, 0, &em, &lm, idm);
    free(b);
    /* one bundle, the member before its household (another author's log
     * may come first) */
    uint8_t *both[2] = { em, eh };
    size_t lens[2] = { lm, lh };
    struct cz_import_result r = deliver(both, lens, 2, &rf);
    free(eh);
    free(em);
    assert_int_equal(r.refused, 0);
    assert_int_equal(r.held, 0);
    assert_current(hh, idh);
    assert_current(mem, idm);
}

/* ---- never forwarded ---- */

static void test_refused_never_forwarded(void **state)
{
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct refusals rf;
    /* in village A's scope by its header, but the content is B's */
    fresh_entity(ent);
    b = household_body(VB, "B-FWD", &blen);
    sign_entry(&F.clerk_a, "household", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    /* the office exports everything for the village; the village imports */
    struct cz_peer *peers = NULL;
    size_t npeers = 0;
    struct cz_export_result er;
    assert_int_equal(cz_sync_peers(F.p.office, &peers, &npeers), CZ_OK);
    size_t i;
    for (i = 0; i < npeers; i++)
        if (!memcmp(peers[i].box, cz_station_info(F.p.village)->box_pk, 32)) break;
    assert_true(i < npeers);
    assert_int_equal(cz_sync_export(F.p.office, F.p.stick, &peers[i], 1, &er), CZ_OK);
    free(peers);
    struct cz_import_result ir;
    assert_int_equal(cz_sync_import_file(F.p.village, er.path, NULL, NULL, &ir), CZ_OK);
    assert_int_equal(ir.status, CZ_OK);
    assert_true(ir.fresh > 0);
    cz_txn *t = NULL;
    struct cz_entry got;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.village), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &got), CZ_ENOTFOUND);
    /* while A's honest household did travel */
    assert_int_equal(cz_store_get_entry(t, F.hh_a_v1, &got), CZ_OK);
    cz_txn_abort(t);
}

/* ---- verify replays the rules over what an older build let in ---- */

static void test_verify_flags_old_data(void **state)
{
    uint8_t *e, *b, id[32], ent[16];
    size_t len, blen;
    struct findings f;
    struct cz_verify_report rep = office_verify(&f);
    size_t problems_before = rep.problems, authority_before = f.authority, region_before = f.region;
    /* stored the way a build without the rule set stored it: applied */
    fresh_entity(ent);
    b = household_body(VB, "OLD-1", &blen);
    sign_entry(&F.clerk_a, "household", VA, ent, NULL, 0, b, blen, 0, &e, &len, id);
    free(b);
    cz_txn *t = NULL;
    struct cz_entry de;
    int result;
    assert_int_equal(cz_entry_decode(e, len, &de), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 1, &t), CZ_OK);
    assert_int_equal(cz_store_put_entry(t, &de, id, &result), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    free(e);
    rep = office_verify(&f);
    assert_int_equal(rep.problems, problems_before + 1);
    assert_int_equal(f.authority, authority_before + 1);
    assert_int_equal(f.region, region_before + 1);   /* named by the rule it breaks */
}

/* ---- a fork quarantines its author ---- */

static void test_fork_quarantines(void **state)
{
    struct author forker;
    uint8_t *e1, *e2, *e3, *b, id1[32], id2[32], id3[32], h1[16], h2[16], h3[16];
    size_t l1, l2, l3, blen;
    struct refusals rf;
    new_author(&forker);
    certify(&forker, "分叉者", VB, "clerk");
    fresh_entity(h1);
    fresh_entity(h2);
    fresh_entity(h3);
    b = household_body(VB, "F-1", &blen);
    struct tk_log at_fork = forker.log;
    sign_entry(&forker, "household", VB, h1, NULL, 0, b, blen, 0, &e1, &l1, id1);
    free(b);
    b = household_body(VB, "F-2", &blen);
    forker.log = at_fork;                 /* the same position again */
    sign_entry(&forker, "household", VB, h2, NULL, 0, b, blen, 0, &e2, &l2, id2);
    free(b);
    b = household_body(VB, "F-3", &blen);
    sign_entry(&forker, "household", VB, h3, NULL, 0, b, blen, 0, &e3, &l3, id3);
    free(b);
    struct cz_import_result r = deliver1(e1, l1, &rf);
    assert_int_equal(r.fresh, 1);
    r = deliver1(e2, l2, &rf);
    assert_int_equal(r.forks, 1);
    r = deliver1(e3, l3, &rf);
    assert_int_equal(r.refused, 1);       /* after the other branch: its chain does not fit */
    /* what was applied before the fork was found no longer counts */
    cz_txn *t = NULL;
    struct cz_entry e;
    struct cz_trust_info ti;
    int why = -1;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id1, &e), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, cz_station_info(F.p.office)->office_root, e.origin, &ti), CZ_OK);
    assert_int_equal(cz_counts_entry(t, &ti, &e, &why), CZ_OK);
    assert_int_equal(why, CZ_EQUARANTINE);
    /* an honest author's entry still counts */
    assert_int_equal(cz_store_get_entry(t, F.hh_a_v1, &e), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, cz_station_info(F.p.office)->office_root, e.origin, &ti), CZ_OK);
    assert_int_equal(cz_counts_entry(t, &ti, &e, &why), CZ_OK);
    assert_int_equal(why, CZ_OK);
    cz_txn_abort(t);
}

/* ---- the office accepts one branch of a fork ---- */

/* What cz_counts_entry says of entry id at the office (CZ_OK: counts). */
static int counts_at_office(const uint8_t id[32])
{
    cz_txn *t = NULL;
    struct cz_entry e;
    struct cz_trust_info ti;
    int why = -1;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_roster_lookup(t, cz_station_info(F.p.office)->office_root, e.origin, &ti), CZ_OK);
    assert_int_equal(cz_counts_entry(t, &ti, &e, &why), CZ_OK);
    cz_txn_abort(t);
    return why;
}

/* A certified clerk of village B whose log forks at its first entry: x
 * (and x2 after it) arrive first and are logged, y takes x's position. */
struct forked { struct author a; uint8_t x[32], x2[32], y[32]; struct tk_log after_x2; };

static void make_fork(struct forked *f, const char *name)
{
    uint8_t *e, *e2, *b, h[16];
    size_t len, len2, blen;
    struct refusals rf;
    new_author(&f->a);
    certify(&f->a, name, VB, "clerk");
    struct tk_log at_fork = f->a.log;
    fresh_entity(h);
    b = household_body(VB, "K-1", &blen);
    sign_entry(&f->a, "household", VB, h, NULL, 0, b, blen, 0, &e, &len, f->x);
    free(b);
    assert_int_equal(deliver1(e, len, &rf).fresh, 1);
    fresh_entity(h);
    b = household_body(VB, "K-2", &blen);
    sign_entry(&f->a, "household", VB, h, NULL, 0, b, blen, 0, &e2, &len2, f->x2);
    free(b);
    f->after_x2 = f->a.log;
    f->a.log = at_fork;
    fresh_entity(h);
    b = household_body(VB, "K-3", &blen);
    sign_entry(&f->a, "household", VB, h, NULL, 0, b, blen, 0, &e, &len, f->y);
    free(b);
    assert_int_equal(deliver1(e, len, &rf).forks, 1);
    /* x2 names x, the entry logged before it: it fits the logged chain. */
    assert_int_equal(deliver1(e2, len2, &rf).fresh, 1);
    f->a.log = f->after_x2;
}

static void test_fork_accept_logged_branch(void **state)
{
    (void)state;
    struct forked f;
    uint8_t id[32], h[16], x3[32], z3[32], *e, *b;
    size_t len, blen;
    struct refusals rf;
    make_fork(&f, "分叉甲");
    assert_int_equal(counts_at_office(f.x), CZ_EQUARANTINE);
    assert_int_equal(counts_at_office(f.x2), CZ_EQUARANTINE);
    /* Only a forked position, and an entry held at it, can be chosen. */
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 2, f.x2, NULL, id), CZ_ENOFORK);
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 1, f.x2, NULL, id), CZ_ENOTFOUND);
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 1, f.x, "先到者为准", id), CZ_OK);
    /* x's branch counts again; y, the other side, stays quarantined. */
    assert_int_equal(counts_at_office(f.x), CZ_OK);
    assert_int_equal(counts_at_office(f.x2), CZ_OK);
    assert_int_equal(counts_at_office(f.y), CZ_EQUARANTINE);
    /* A second fork, later: quarantined again from there, until chosen. */
    struct tk_log at3 = f.a.log;
    fresh_entity(h);
    b = household_body(VB, "K-4", &blen);
    sign_entry(&f.a, "household", VB, h, NULL, 0, b, blen, 0, &e, &len, x3);
    free(b);
    assert_int_equal(deliver1(e, len, &rf).fresh, 1);
    assert_int_equal(counts_at_office(x3), CZ_OK);
    f.a.log = at3;
    fresh_entity(h);
    b = household_body(VB, "K-5", &blen);
    sign_entry(&f.a, "household", VB, h, NULL, 0, b, blen, 0, &e, &len, z3);
    free(b);
    assert_int_equal(deliver1(e, len, &rf).forks, 1);
    assert_int_equal(counts_at_office(x3), CZ_EQUARANTINE);
    assert_int_equal(counts_at_office(f.x2), CZ_OK);
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 3, x3, NULL, id), CZ_OK);
    assert_int_equal(counts_at_office(x3), CZ_OK);
    assert_int_equal(counts_at_office(z3), CZ_EQUARANTINE);
}

/* The office names the branch this station did not log: the quarantine
 * stays here for everything from the fork on (TRUST.md, Forks). */
static void test_fork_accept_unlogged_branch(void **state)
{
    (void)state;
    struct forked f;
    uint8_t id[32];
    make_fork(&f, "分叉乙");
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 1, f.y, NULL, id), CZ_OK);
    assert_int_equal(counts_at_office(f.y), CZ_EQUARANTINE);
    assert_int_equal(counts_at_office(f.x), CZ_EQUARANTINE);
    assert_int_equal(counts_at_office(f.x2), CZ_EQUARANTINE);
    /* A later choice for the same position replaces it. */
    assert_int_equal(cz_station_fork_accept(F.p.office, f.a.pk, 1, f.x, NULL, id), CZ_OK);
    assert_int_equal(counts_at_office(f.x), CZ_OK);
    assert_int_equal(counts_at_office(f.y), CZ_EQUARANTINE);
}

/* A fork_choice body for (key, seq, entry); countersigned by `by` (a raw
 * key: NULL leaves it uncountersigned). */
static cz_body *choice_body(const uint8_t key[32], uint64_t seq, const uint8_t entry[32], const struct author *by)
{
    const struct cz_type *ty = cz_schema_type("fork_choice");
    cz_body *b = cz_body_new();
    assert_int_equal(cz_body_set_bytes(b, cz_schema_field(ty, "key")->tag, key, 32), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, cz_schema_field(ty, "seq")->tag, (int64_t)seq), CZ_OK);
    assert_int_equal(cz_body_set_bytes(b, cz_schema_field(ty, "entry")->tag, entry, 32), CZ_OK);
    if (by) {
        uint8_t *msg = NULL, sig[64];
        size_t len;
        char hex[129];
        const uint8_t *root = cz_station_info(F.p.office)->office_root;
        assert_int_equal(cz_body_set_bytes(b, cz_schema_field(ty, "by")->tag, by->pk, 32), CZ_OK);
        assert_int_equal(cz_roster_countersign_msg(root, "fork_choice", b, &msg, &len), CZ_OK);
        crypto_sign_detached(sig, NULL, msg, len, by->sk);
        free(msg);
        cz_hex(sig, sizeof sig, hex);
        assert_int_equal(cz_body_set_text(b, cz_schema_field(ty, "by_sig")->tag, hex, 128), CZ_OK);
    }
    return b;
}

/* Signs b with the office root as the next entry of the root's log and
 * stores it there (validly signed by the root, whatever its body says). */
static void put_root_choice(cz_body *b, uint8_t id[32])
{
    const cz_secrets *sec = cz_station_secrets(F.p.office);
    uint8_t ent[16];
    fresh_entity(ent);
    struct tk_put p = {
        .origin = cz_secrets_root_pk(sec), .sign = tk_root_sign, .sign_ctx = (void *)sec,
        .hlc = cz_hlc_next(0, cz_now_ms()), .entity = ent, .type = "fork_choice", .body = b,
    };
    assert_int_equal(tk_put_entry(F.p.office, &p, id), 0);
}

static void test_fork_choice_attacks(void **state)
{
    (void)state;
    struct forked f;
    uint8_t id[32], ent[16], *e, *raw;
    size_t len, blen;
    struct refusals rf;
    make_fork(&f, "分叉丙");
    /* A clerk signs a fork_choice for the forker: refused at import, not
     * from the root. */
    cz_body *b = choice_body(f.a.pk, 1, f.x, NULL);
    assert_int_equal(cz_body_encode(b, &raw, &blen), CZ_OK);
    cz_body_free(b);
    fresh_entity(ent);
    sign_entry(&F.clerk_a, "fork_choice", "", ent, NULL, 0, raw, blen, 0, &e, &len, id);
    free(raw);
    struct cz_import_result r = deliver1(e, len, &rf);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EPERM);
    assert_int_equal(counts_at_office(f.x), CZ_EQUARANTINE);
    /* Root-signed but uncountersigned, or countersigned by a clerk: the
     * root's signature alone does not make it count. */
    b = choice_body(f.a.pk, 1, f.x, NULL);
    put_root_choice(b, id);
    cz_body_free(b);
    assert_int_equal(counts_at_office(f.x), CZ_EQUARANTINE);
    b = choice_body(f.a.pk, 1, f.x, &F.clerk_a);
    put_root_choice(b, id);
    cz_body_free(b);
    assert_int_equal(counts_at_office(f.x), CZ_EQUARANTINE);
    assert_int_equal(counts_at_office(f.x2), CZ_EQUARANTINE);
    cz_txn *t = NULL;
    struct cz_entry ce;
    int counts = 1;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, id, &ce), CZ_OK);
    assert_int_equal(cz_roster_trust_counts(t, cz_station_info(F.p.office)->office_root, &ce, &counts), CZ_OK);
    assert_false(counts);
    cz_txn_abort(t);
}

/* ---- the same rules when a person writes ---- */

static void test_write_side(void **state)
{
    struct cz_field_error err;
    uint8_t ent[16], id[32];
    const struct cz_assign hh[] = { { "number", "W-1" }, { "village", VB }, { "head", "刘" } };
    assert_int_equal(cz_station_add(F.p.village, "household", hh, 3, ent, id, &err), CZ_EPERM);
    const struct cz_assign ok[] = { { "number", "W-2" }, { "village", VA }, { "head", "刘" } };
    assert_int_equal(cz_station_add(F.p.village, "household", ok, 3, ent, id, &err), CZ_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncertified_key_cannot_supersede),
        cmocka_unit_test(test_type_never_changes),
        cmocka_unit_test(test_first_version_has_no_parents),
        cmocka_unit_test(test_parent_of_another_record),
        cmocka_unit_test(test_other_village_record),
        cmocka_unit_test(test_region_from_content),
        cmocka_unit_test(test_normalised_jurisdiction),
        cmocka_unit_test(test_global_records_are_the_office),
        cmocka_unit_test(test_trust_records_from_root_only),
        cmocka_unit_test(test_key_announcements),
        cmocka_unit_test(test_held_until_household_arrives),
        cmocka_unit_test(test_held_in_one_bundle),
        cmocka_unit_test(test_refused_never_forwarded),
        cmocka_unit_test(test_fork_quarantines),
        cmocka_unit_test(test_fork_accept_logged_branch),
        cmocka_unit_test(test_fork_accept_unlogged_branch),
        cmocka_unit_test(test_fork_choice_attacks),
        cmocka_unit_test(test_write_side),
        cmocka_unit_test(test_verify_flags_old_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
