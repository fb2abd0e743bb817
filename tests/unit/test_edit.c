/* test_edit.c — "nothing changes unless someone chose it": an edit names
 * as parents exactly the versions its writer saw (cz_station_edit_seen
 * refuses when the record moved on, and signs nothing); an edit of a record
 * in conflict must choose every conflicting field (refused naming them
 * otherwise; accepted, and the conflict gone, when it does); the history
 * lists a version after its parent even when its clock is earlier.
 *
 * Real stations (testkit's office and village), real keys, real LMDB; the
 * concurrent version comes from a certified clerk elsewhere, signed with
 * its own key and imported in a sealed bundle as the office would get it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "payload.h"
#include "codec.h"
#include "conflicts.h"
#include "entry.h"
#include "keys.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "edit-pass1"

static struct tk_pair g_pair;
static cz_station *g_office, *g_village;

static int setup(void **state)
{
    if (sodium_init() < 0 || tk_pair_init(&g_pair, "edit", "市办", V1, PASS) ||
        tk_places(g_pair.office, V1, NULL)) return -1;
    g_office = g_pair.office;
    g_village = g_pair.village;
    return 0;
}

static int teardown(void **state)
{
    tk_pair_free(&g_pair);
    return 0;
}

static void add_household(const char *number, uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES])
{
    struct cz_assign as[] = { { "number", number }, { "village", V1 }, { "head", "王德明" },
                              { "phone", "13900000001" } };
    struct cz_field_error err;
    assert_int_equal(cz_station_add(g_office, "household", as, 4, entity, id, &err), CZ_OK);
}

static size_t heads(const uint8_t entity[CZ_ENTITY_BYTES], uint8_t (*out)[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    size_t n = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_heads(t, entity, out, CZ_PARENTS_MAX, &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

static size_t versions(const uint8_t entity[CZ_ENTITY_BYTES])
{
    cz_txn *t = NULL;
    struct cz_version *v = NULL;
    size_t n = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_history(t, entity, &v, &n), CZ_OK);
    cz_history_free(v, n);
    cz_txn_abort(t);
    return n;
}

static void test_stale_seen_refused(void **state)
{
    uint8_t e[CZ_ENTITY_BYTES], v0[CZ_ID_BYTES], v1[CZ_ID_BYTES], v2[CZ_ID_BYTES], seen[CZ_PARENTS_MAX][CZ_ID_BYTES];
    uint8_t now[CZ_PARENTS_MAX][CZ_ID_BYTES];
    struct cz_field_error err;
    add_household("E-01", e, v0);
    /* A form opens: it saw v0. */
    assert_int_equal(heads(e, seen), 1);
    assert_memory_equal(seen[0], v0, CZ_ID_BYTES);
    /* Meanwhile the command line changes the phone. */
    struct cz_assign cli[] = { { "phone", "13900000002" } };
    assert_int_equal(cz_station_edit(g_office, e, cli, 1, v1, &err), CZ_OK);
    /* The form saves over what it saw: refused, nothing signed. */
    struct cz_assign form[] = { { "phone", "13900000003" } };
    memset(v2, 0, sizeof v2);
    assert_int_equal(cz_station_edit_seen(g_office, e, (const uint8_t (*)[CZ_ID_BYTES])seen, 1, form, 1, v2, &err),
                     CZ_ECHANGED);
    assert_int_equal(versions(e), 2);
    assert_int_equal(heads(e, now), 1);
    assert_memory_equal(now[0], v1, CZ_ID_BYTES);
    /* Saved again knowingly, over what it now saw: signed, v1 its parent. */
    assert_int_equal(cz_station_edit_seen(g_office, e, (const uint8_t (*)[CZ_ID_BYTES])now, 1, form, 1, v2, &err),
                     CZ_OK);
    assert_int_equal(versions(e), 3);
    assert_int_equal(heads(e, now), 1);
    assert_memory_equal(now[0], v2, CZ_ID_BYTES);
    /* No seen heads at all is a caller's mistake, not "anything goes". */
    assert_int_equal(cz_station_edit_seen(g_office, e, NULL, 0, form, 1, v2, &err), CZ_EINVAL);
}

struct author { uint8_t pk[32], sk[64]; };

static int author_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ESIG;
}

/* A certified clerk elsewhere edits `field` of version `parent` at hlc_ms;
 * the office imports it.  *id: the new version. */
static void import_edit(const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t parent[CZ_ID_BYTES],
                        const char *field, const char *value, uint64_t hlc_ms, uint8_t id[CZ_ID_BYTES])
{
    struct author a;
    struct cz_entry pe;
    struct cz_entry_draft d;
    struct tk_log l = { .seq = 0 };
    struct cz_vv vv = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_import_result res;
    struct cz_field_error err;
    cz_body *body = NULL;
    cz_txn *t = NULL;
    uint8_t *bytes = NULL, *raw = NULL, *file = NULL, cid[CZ_ID_BYTES], bid[32];
    size_t blen = 0, rlen = 0, flen = 0;

    crypto_sign_keypair(a.pk, a.sk);
    struct cz_cert_req cert = { .kind = "person", .name = "王会计", .station = "杨树湾村", .region = V1,
                                .role = "clerk" };
    memcpy(cert.key, a.pk, 32);
    assert_int_equal(cz_station_certify(g_office, &cert, cid), CZ_OK);
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_get_entry(t, parent, &pe), CZ_OK);
    assert_int_equal(cz_body_decode(pe.body, pe.body_len, &body), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(cz_schema_set(cz_schema_type("household"), body, field, value, &err), CZ_OK);
    assert_int_equal(cz_body_encode(body, &bytes, &blen), CZ_OK);
    memcpy(l.origin, a.pk, 32);
    tk_log_draft(&l, &d, hlc_ms << 16, entity, "household", V1, parent, 1, bytes, blen);
    assert_int_equal(tk_log_write(&l, &d, author_sign, &a, &raw, &rlen, id), CZ_OK);

    assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &vv), CZ_OK);
    assert_int_equal(cz_payload_add(&w, raw, rlen), CZ_OK);
    cz_payload_finish(&w);
    const struct cz_station_info *vi = cz_station_info(g_village);
    struct cz_bundle_params p = {
        .sender_box = vi->box_pk, .seq = 1, .recipients = (const uint8_t (*)[32])vi->office_box,
        .nrecipients = 1, .signer = cz_station_person_pk(g_village), .sign = tk_station_sign,
        .sign_ctx = g_village, .chunk_log2 = 0,
    };
    assert_int_equal(cz_bundle_seal(&p, w.buf, w.len, &file, &flen, bid), CZ_OK);
    assert_int_equal(cz_sync_import(g_office, file, flen, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_OK);
    assert_int_equal(res.refused, 0);
    cz_body_free(body);
    free(bytes);
    free(raw);
    free(file);
    free(w.buf);
}

static size_t conflicts(void)
{
    size_t n = 99;
    assert_int_equal(cz_conflicts_count(g_office, &n), CZ_OK);
    return n;
}

static void test_conflict_needs_a_choice(void **state)
{
    uint8_t e[CZ_ENTITY_BYTES], v0[CZ_ID_BYTES], v1[CZ_ID_BYTES], v2[CZ_ID_BYTES], v3[CZ_ID_BYTES];
    uint8_t h[CZ_PARENTS_MAX][CZ_ID_BYTES];
    struct cz_field_error err;
    add_household("E-02", e, v0);
    struct cz_assign here[] = { { "phone", "13900000002" } };
    assert_int_equal(cz_station_edit(g_office, e, here, 1, v1, &err), CZ_OK);
    /* Elsewhere, from v0, the phone set otherwise: a conflict on phone. */
    import_edit(e, v0, "phone", "13900000003", cz_now_ms() - 60 * 1000, v2);
    assert_int_equal(heads(e, h), 2);
    assert_int_equal(conflicts(), 1);

    /* An edit of another field would settle the phone for the newest
     * clock: refused, naming the phone, nothing signed. */
    struct cz_assign notes[] = { { "notes", "已核实" } };
    assert_int_equal(cz_station_edit(g_office, e, notes, 1, v3, &err), CZ_ECONFLICT);
    assert_non_null(err.field);
    assert_string_equal(err.field->key, "phone");
    assert_string_equal(err.detail, "phone");
    assert_int_equal(versions(e), 3);
    assert_int_equal(heads(e, h), 2);
    assert_int_equal(conflicts(), 1);
    /* The same through a form that saw both heads. */
    assert_int_equal(cz_station_edit_seen(g_office, e, (const uint8_t (*)[CZ_ID_BYTES])h, 2, notes, 1, v3, &err),
                     CZ_ECONFLICT);
    assert_int_equal(versions(e), 3);

    /* Choosing the phone (beside the notes) settles it as chosen. */
    struct cz_assign chosen[] = { { "notes", "已核实" }, { "phone", "13900000003" } };
    assert_int_equal(cz_station_edit(g_office, e, chosen, 2, v3, &err), CZ_OK);
    assert_int_equal(heads(e, h), 1);
    assert_memory_equal(h[0], v3, CZ_ID_BYTES);
    assert_int_equal(conflicts(), 0);
    cz_txn *t = NULL;
    struct cz_record r;
    const char *s;
    size_t len;
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, e, &r), CZ_OK);
    const struct cz_field *phone = cz_schema_field(cz_schema_type("household"), "phone");
    assert_int_equal(cz_body_get_text(r.body, phone->tag, &s, &len), CZ_OK);
    assert_int_equal(len, 11);
    assert_memory_equal(s, "13900000003", 11);
    cz_record_clear(&r);
    cz_txn_abort(t);
}

static void test_resolve_takes_provisional(void **state)
{
    uint8_t e[CZ_ENTITY_BYTES], v0[CZ_ID_BYTES], v1[CZ_ID_BYTES], v2[CZ_ID_BYTES], v3[CZ_ID_BYTES];
    uint8_t h[CZ_PARENTS_MAX][CZ_ID_BYTES];
    struct cz_field_error err;
    add_household("E-03", e, v0);
    struct cz_assign here[] = { { "phone", "13900000002" } };
    assert_int_equal(cz_station_edit(g_office, e, here, 1, v1, &err), CZ_OK);
    import_edit(e, v0, "phone", "13900000003", cz_now_ms() - 60 * 1000, v2);
    /* `resolve` is the choice of the values shown: it may leave fields. */
    assert_int_equal(cz_resolve(g_office, e, NULL, 0, v3, &err), CZ_OK);
    assert_int_equal(heads(e, h), 1);
    assert_int_equal(conflicts(), 0);
}

static void test_history_causal(void **state)
{
    uint8_t e[CZ_ENTITY_BYTES], v0[CZ_ID_BYTES], v1[CZ_ID_BYTES];
    cz_txn *t = NULL;
    struct cz_version *v = NULL;
    size_t n = 0;
    add_household("E-04", e, v0);
    /* A child signed on a machine whose clock is an hour behind. */
    import_edit(e, v0, "notes", "钟慢了", cz_now_ms() - 3600 * 1000, v1);
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_history(t, e, &v, &n), CZ_OK);
    assert_int_equal(n, 2);
    assert_true(v[1].hlc < v[0].hlc);            /* the clock says otherwise ... */
    assert_memory_equal(v[0].id, v0, CZ_ID_BYTES); /* ... the parent comes first */
    assert_memory_equal(v[1].id, v1, CZ_ID_BYTES);
    cz_history_free(v, n);
    cz_txn_abort(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stale_seen_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict_needs_a_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_takes_provisional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_causal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
