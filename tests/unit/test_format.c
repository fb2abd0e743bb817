/* Stored data outlives builds: an entry written by the first release
 * (format version 1) must decode, verify and keep its id in every later
 * build, and version 1 must keep encoding to the same bytes.  The fixture
 * below was written once by this code with a fixed test key; never change
 * it — add a fixture for a new version instead. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"
#include "hex.h"
#include "schema.h"
#include "status.h"

static const char V1_ENTRY[] =
    "435a450103a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b80000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000000018c2a5b1c000001"
    "000000006553f100a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0009686f757365686f6c640c3431313032343130"
    "34323031000000003b0103075953572d30303202030c343131303234313034323031030309e78e8be7a780e8"
    "8bb10602c01f09050207696c6c6e65737306736b696c6c739d9dfd4ab7f904267758fc935a5e4c7c7a731690"
    "8d92b716c3d8d52bae9e442eb3062548bf06ec7cc7627832c7133a007c633043eda9bfa2d01a0e046c62f80a";
static const char V1_ID[] = "5f4b504c93e39742e0c52a600796dfa461e8e65b6c159511f3c5a1e9e0398a2d";

static uint8_t test_sk[64];

static int sign_with_test_key(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    (void)ctx;
    return crypto_sign_detached(sig, NULL, msg, len, test_sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}

static uint8_t *fixture(size_t *len)
{
    *len = strlen(V1_ENTRY) / 2;
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    assert_int_equal(cz_unhex(V1_ENTRY, buf, *len), CZ_OK);
    return buf;
}

static void test_v1_entry_still_reads(void **state)
{
    (void)state;
    size_t len;
    uint8_t *raw = fixture(&len), id[32], want[32];
    struct cz_entry e;
    cz_body *b = NULL;
    const char *s;
    size_t n;
    int64_t year;

    assert_int_equal(cz_entry_decode(raw, len, &e), CZ_OK);
    assert_int_equal(e.version, 1);
    assert_int_equal(cz_entry_verify(&e), CZ_OK);
    cz_entry_id(raw, len, id);
    assert_int_equal(cz_unhex(V1_ID, want, 32), CZ_OK);
    assert_memory_equal(id, want, 32);
    assert_string_equal(e.type, "household");
    assert_string_equal(e.region, "411024104201");
    assert_int_equal(e.seq, 1);
    assert_int_equal(e.wall, 1700000000);
    /* The body's tags still mean the same fields. */
    const struct cz_type *t = cz_schema_type("household");
    assert_int_equal(cz_body_decode(e.body, e.body_len, &b), CZ_OK);
    assert_int_equal(cz_body_get_text(b, cz_schema_field(t, "head")->tag, &s, &n), CZ_OK);
    assert_string_equal(s, "王秀英");
    assert_int_equal(cz_body_get_text(b, cz_schema_field(t, "number")->tag, &s, &n), CZ_OK);
    assert_string_equal(s, "YSW-002");
    assert_int_equal(cz_body_get_sint(b, cz_schema_field(t, "identified")->tag, &year), CZ_OK);
    assert_int_equal(year, 2016);
    assert_int_equal(cz_body_get_list_item(b, cz_schema_field(t, "causes")->tag, 1, &s, &n), CZ_OK);
    assert_string_equal(s, "skills");
    cz_body_free(b);
    free(raw);
}

static void test_v1_entry_encodes_the_same(void **state)
{
    (void)state;
    uint8_t seed[32], pk[32], id[32];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)i;
    crypto_sign_seed_keypair(pk, test_sk, seed);
    size_t len;
    uint8_t *raw = fixture(&len);
    struct cz_entry e;
    assert_int_equal(cz_entry_decode(raw, len, &e), CZ_OK);

    struct cz_entry_draft d;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, pk, 32);
    d.seq = e.seq;
    d.hlc = e.hlc;
    d.wall = e.wall;
    memcpy(d.entity, e.entity, 16);
    d.type = e.type;
    d.region = e.region;
    d.body = e.body;
    d.body_len = e.body_len;
    uint8_t *out = NULL;
    size_t out_len;
    assert_int_equal(cz_entry_write(&d, sign_with_test_key, NULL, &out, &out_len, id), CZ_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, raw, len);
    free(out);
    free(raw);
}

static void test_other_versions_refused_by_name(void **state)
{
    (void)state;
    size_t len;
    uint8_t *raw = fixture(&len);
    struct cz_entry e;
    raw[3] = 2;
    assert_int_equal(cz_entry_decode(raw, len, &e), CZ_EVERSION);
    free(raw);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_entry_still_reads),
        cmocka_unit_test(test_v1_entry_encodes_the_same),
        cmocka_unit_test(test_other_versions_refused_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
