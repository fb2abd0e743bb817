/* Private fields (schema.h, CZ_FF_PRIVATE): which fields carry the flag,
 * and how cz_schema_mask shows them to someone not logged in, each mask
 * worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "codec.h"
#include "schema.h"
#include "status.h"
#include "testkit.h"

static const struct cz_field *field(const char *type, const char *key)
{
    const struct cz_type *t = cz_schema_type(type);
    assert_non_null(t);
    const struct cz_field *f = cz_schema_field(t, key);
    assert_non_null(f);
    return f;
}

/* The fields about a person that must not be public, and a few that stay
 * readable beside them. */
static void test_flags(void **state)
{
    static const char *const private[][2] = {
        { "member", "id_number" }, { "member", "born" }, { "member", "health" },
        { "household", "phone" }, { "helper", "phone" },
    };
    static const char *const open[][2] = {
        { "member", "name" }, { "member", "sex" }, { "member", "relation" },
        { "household", "head" }, { "household", "number" }, { "household", "causes" },
    };
    for (size_t i = 0; i < sizeof private / sizeof *private; i++)
        tk_assert_true(private[i][1], field(private[i][0], private[i][1])->flags & CZ_FF_PRIVATE);
    for (size_t i = 0; i < sizeof open / sizeof *open; i++)
        tk_assert_true(open[i][1], !(field(open[i][0], open[i][1])->flags & CZ_FF_PRIVATE));
}

static void test_masks(void **state)
{
    static const struct { const char *type, *key, *clear, *want; } cases[] = {
        { "member", "id_number", "411024196807220115", "**************0115" },
        { "member", "id_number", "11010519491231002X", "**************002X" },
        { "member", "id_number", "411024680722011", "***********2011" },   /* 15 digits */
        { "household", "phone", "13903741107", "139****1107" },
        { "household", "phone", "0374-5551234", "037*****1234" },
        { "household", "phone", "5551234", "***" },                        /* too short to keep 3 + 4 */
        { "member", "born", "1968-07-22", "1968-**-**" },
        { "member", "health", "Ill", "***" },
        { "member", "health", "患病", "***" },
        { "member", "id_number", "", "" },                                  /* absent stays absent */
        { "member", "name", "杨树林", "杨树林" },                            /* not private: as is */
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cz_schema_mask(field(cases[i].type, cases[i].key), cases[i].clear, buf, sizeof buf);
        tk_assert_str(cases[i].clear, buf, cases[i].want);
    }
    /* a buffer too small is cut, never overrun */
    char small[6];
    cz_schema_mask(field("member", "id_number"), "411024196807220115", small, sizeof small);
    assert_string_equal(small, "*****");
}

/* cz_schema_format_shown masks only when asked, from a real body. */
static void test_format_shown(void **state)
{
    const struct cz_type *t = cz_schema_type("member");
    struct cz_field_error err;
    cz_body *b = cz_body_new();
    char buf[64];
    assert_int_equal(cz_schema_set(t, b, "id_number", "411024196807220115", &err), CZ_OK);
    assert_int_equal(cz_schema_set(t, b, "name", "杨树林", &err), CZ_OK);
    assert_int_equal(cz_schema_set(t, b, "household", "00112233445566778899aabbccddeeff", &err), CZ_OK);
    assert_int_equal(cz_schema_finish(t, b, 20260101, &err), CZ_OK);
    assert_true(cz_schema_format_shown(field("member", "id_number"), b, CZ_LANG_EN, 1, 1, buf, sizeof buf));
    assert_string_equal(buf, "**************0115");
    assert_true(cz_schema_format_shown(field("member", "born"), b, CZ_LANG_EN, 1, 1, buf, sizeof buf));
    assert_string_equal(buf, "1968-**-**");
    assert_true(cz_schema_format_shown(field("member", "id_number"), b, CZ_LANG_EN, 1, 0, buf, sizeof buf));
    assert_string_equal(buf, "411024196807220115");
    assert_true(cz_schema_format_shown(field("member", "name"), b, CZ_LANG_EN, 1, 1, buf, sizeof buf));
    assert_string_equal(buf, "杨树林");
    assert_false(cz_schema_format_shown(field("member", "health"), b, CZ_LANG_EN, 1, 1, buf, sizeof buf));
    assert_string_equal(buf, "");
    cz_body_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_format_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
