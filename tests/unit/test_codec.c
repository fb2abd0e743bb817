/* test_codec.c — the canonical body encoding: round trips, pinned bytes,
 * and refusal of every non-canonical form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include "codec.h"
#include "status.h"

/* ---- helpers ------------------------------------------------------------ */

#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void assert_status(int got, int want, const char *what)
{
    if (got != want) {
        print_error("%s: got %s, want %s\n", what, cz_status_name(got), cz_status_name(want));
        fail();
    }
}

/* Decode and return the status; checks *out is NULL on error. */
static int decode_rc(const uint8_t *buf, size_t len)
{
    cz_body *b = (cz_body *)1;
    int rc = cz_body_decode(buf, len, &b);
    if (rc != CZ_OK)
        assert_null(b);
    cz_body_free(b);
    return rc;
}

#define REFUSE(want, ...) assert_status(decode_rc(B(__VA_ARGS__)), want, #__VA_ARGS__)
#define ACCEPT(...) assert_status(decode_rc(B(__VA_ARGS__)), CZ_OK, #__VA_ARGS__)

static void encode_ok(const cz_body *b, uint8_t **out, size_t *len)
{
    assert_int_equal(cz_body_encode(b, out, len), CZ_OK);
}

/* encode -> decode -> equal -> re-encode gives the same bytes. */
static void check_roundtrip(const cz_body *b)
{
    uint8_t *e1 = NULL, *e2 = NULL;
    size_t n1 = 0, n2 = 0;
    cz_body *d = NULL;

    encode_ok(b, &e1, &n1);
    assert_true(n1 <= CZ_BODY_MAX);
    assert_int_equal(cz_body_decode(e1, n1, &d), CZ_OK);
    assert_non_null(d);
    assert_true(cz_body_equal(b, d));
    assert_true(cz_body_equal(d, b));
    encode_ok(d, &e2, &n2);
    assert_int_equal(n1, n2);
    if (n1)
        assert_memory_equal(e1, e2, n1);
    free(e1);
    free(e2);
    cz_body_free(d);
}

static void expect_encoding(const cz_body *b, const uint8_t *want, size_t wantlen)
{
    uint8_t *e = NULL;
    size_t n = 0;
    encode_ok(b, &e, &n);
    assert_int_equal(n, wantlen);
    assert_memory_equal(e, want, n);
    free(e);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static int set_list1(cz_body *b, uint32_t tag, const char *s)
{
    const char *items[1] = { s };
    size_t lens[1] = { strlen(s) };
    return cz_body_set_list(b, tag, items, lens, 1);
}

/* ---- varints -------------------------------------------------------------- */

static void test_varint_vectors(void **state)
{
    static const struct { uint64_t v; uint8_t b[10]; size_t n; } vec[] = {
        { 0, { 0x00 }, 1 },
        { 1, { 0x01 }, 1 },
        { 127, { 0x7f }, 1 },
        { 128, { 0x80, 0x01 }, 2 },
        { 300, { 0xac, 0x02 }, 2 },
        { 16383, { 0xff, 0x7f }, 2 },
        { 16384, { 0x80, 0x80, 0x01 }, 3 },
        { UINT32_MAX, { 0xff, 0xff, 0xff, 0xff, 0x0f }, 5 },
        { (uint64_t)1 << 63, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 10 },
        { UINT64_MAX, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 10 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        uint8_t out[10];
        uint64_t v = 0;
        size_t pos = 0;
        size_t n = cz_varint_put(out, vec[i].v);
        assert_int_equal(n, vec[i].n);
        assert_memory_equal(out, vec[i].b, n);
        assert_int_equal(cz_varint_get(out, n, &pos, &v), CZ_OK);
        assert_int_equal(pos, n);
        assert_true(v == vec[i].v);
    }
}

static void test_varint_refusals(void **state)
{
    static const struct { uint8_t b[12]; size_t n; int want; } bad[] = {
        { { 0 }, 0, CZ_ETRUNC },
        { { 0x80 }, 1, CZ_ETRUNC },
        { { 0xff, 0xff }, 2, CZ_ETRUNC },
        { { 0x80, 0x00 }, 2, CZ_ECANON },
        { { 0xff, 0x00 }, 2, CZ_ECANON },
        { { 0x80, 0x80, 0x00 }, 3, CZ_ECANON },
        { { 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 10, CZ_ECANON },
        /* 11 bytes */
        { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00 }, 11, CZ_ECANON },
        { { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 11, CZ_ECANON },
        /* 10 bytes but more than 64 bits */
        { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 }, 10, CZ_ECANON },
        { { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f }, 10, CZ_ECANON },
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t pos = 0;
        uint64_t v = 42;
        assert_status(cz_varint_get(bad[i].b, bad[i].n, &pos, &v), bad[i].want, "varint");
        assert_int_equal(pos, 0);       /* not advanced on error */
        assert_true(v == 42);
    }
    /* Reading from the middle of a buffer. */
    {
        const uint8_t buf[] = { 0x05, 0xac, 0x02, 0x7f };
        size_t pos = 1;
        uint64_t v;
        assert_int_equal(cz_varint_get(buf, sizeof buf, &pos, &v), CZ_OK);
        assert_int_equal(v, 300);
        assert_int_equal(pos, 3);
    }
}

/* ---- round trips ---------------------------------------------------------- */

static void test_roundtrip_uint(void **state)
{
    static const uint64_t vals[] = { 0, 1, 127, 128, 255, 16383, 16384, UINT32_MAX,
                                     (uint64_t)UINT32_MAX + 1, UINT64_MAX - 1, UINT64_MAX };
    (void)state;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        cz_body *b = cz_body_new();
        uint64_t v = 0;
        assert_non_null(b);
        assert_int_equal(cz_body_set_uint(b, 7, vals[i]), CZ_OK);
        assert_int_equal(cz_body_kind(b, 7), CZ_KIND_UINT);
        assert_int_equal(cz_body_get_uint(b, 7, &v), CZ_OK);
        assert_true(v == vals[i]);
        check_roundtrip(b);
        cz_body_free(b);
    }
}

static void test_roundtrip_sint(void **state)
{
    static const int64_t vals[] = { 0, -1, 1, -2, 2, 63, -64, 64, -65, INT32_MIN, INT32_MAX,
                                    INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX };
    (void)state;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        cz_body *b = cz_body_new();
        int64_t v = 0;
        assert_int_equal(cz_body_set_sint(b, 1, vals[i]), CZ_OK);
        assert_int_equal(cz_body_kind(b, 1), CZ_KIND_SINT);
        assert_int_equal(cz_body_get_sint(b, 1, &v), CZ_OK);
        assert_true(v == vals[i]);
        check_roundtrip(b);
        cz_body_free(b);
    }
}

static void test_zigzag_vectors(void **state)
{
    static const struct { int64_t v; uint8_t b[13]; size_t n; } vec[] = {
        { 0, { 0x01, 0x02, 0x00 }, 3 },
        { -1, { 0x01, 0x02, 0x01 }, 3 },
        { 1, { 0x01, 0x02, 0x02 }, 3 },
        { -2, { 0x01, 0x02, 0x03 }, 3 },
        { 2, { 0x01, 0x02, 0x04 }, 3 },
        { -64, { 0x01, 0x02, 0x7f }, 3 },
        { 64, { 0x01, 0x02, 0x80, 0x01 }, 4 },
        { INT64_MAX, { 0x01, 0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 12 },
        { INT64_MIN, { 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 12 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        cz_body *b = cz_body_new(), *d = NULL;
        int64_t v = 0;
        assert_int_equal(cz_body_set_sint(b, 1, vec[i].v), CZ_OK);
        expect_encoding(b, vec[i].b, vec[i].n);
        assert_int_equal(cz_body_decode(vec[i].b, vec[i].n, &d), CZ_OK);
        assert_int_equal(cz_body_get_sint(d, 1, &v), CZ_OK);
        assert_true(v == vec[i].v);
        cz_body_free(b);
        cz_body_free(d);
    }
}

static void test_roundtrip_text(void **state)
{
    static const char *texts[] = {
        "a", "王秀英", "Wang Xiuying 王秀英", "line one\nline\ttwo", "é", "\xc2\xa0nbsp",
        "𠀀 (U+20000)", "Ｗａｎｇ full width is NFC", "\xef\xbf\xbf",
    };
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cz_body *b = cz_body_new();
        const char *s = NULL;
        size_t n = 0;
        assert_int_equal(cz_body_set_text(b, 3, texts[i], strlen(texts[i])), CZ_OK);
        assert_int_equal(cz_body_kind(b, 3), CZ_KIND_TEXT);
        assert_int_equal(cz_body_get_text(b, 3, &s, &n), CZ_OK);
        assert_int_equal(n, strlen(texts[i]));
        assert_string_equal(s, texts[i]);      /* NUL-terminated */
        check_roundtrip(b);
        cz_body_free(b);
    }
}

static void test_roundtrip_text_max(void **state)
{
    char *s = malloc(CZ_VALUE_MAX + 1);
    cz_body *b = cz_body_new();
    const char *g;
    size_t n;
    (void)state;
    /* 5461 x 王 (3 bytes) = 16383 bytes, plus one 'a' = exactly CZ_VALUE_MAX. */
    for (size_t i = 0; i + 3 <= CZ_VALUE_MAX; i += 3)
        memcpy(s + i, "王", 3);
    s[CZ_VALUE_MAX - 1] = 'a';
    assert_int_equal(cz_body_set_text(b, 1, s, CZ_VALUE_MAX), CZ_OK);
    assert_int_equal(cz_body_get_text(b, 1, &g, &n), CZ_OK);
    assert_int_equal(n, CZ_VALUE_MAX);
    assert_memory_equal(g, s, n);
    assert_int_equal(g[n], 0);
    check_roundtrip(b);
    s[CZ_VALUE_MAX] = 'b';
    assert_status(cz_body_set_text(b, 2, s, CZ_VALUE_MAX + 1), CZ_ETOOBIG, "text too big");
    assert_int_equal(cz_body_count(b), 1);
    cz_body_free(b);
    free(s);
}

static void test_roundtrip_bytes(void **state)
{
    uint8_t all[256], *big = malloc(CZ_VALUE_MAX + 1);
    cz_body *b = cz_body_new();
    const uint8_t *p;
    size_t n;
    (void)state;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    assert_int_equal(cz_body_set_bytes(b, 4, all, sizeof all), CZ_OK);
    assert_int_equal(cz_body_set_bytes(b, 5, (const uint8_t *)"", 1), CZ_OK);  /* one zero byte */
    assert_int_equal(cz_body_kind(b, 4), CZ_KIND_BYTES);
    assert_int_equal(cz_body_get_bytes(b, 4, &p, &n), CZ_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(p, all, 256);
    assert_int_equal(cz_body_get_bytes(b, 5, &p, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 0);
    check_roundtrip(b);
    for (size_t i = 0; i <= CZ_VALUE_MAX; i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(cz_body_set_bytes(b, 6, big, CZ_VALUE_MAX), CZ_OK);
    check_roundtrip(b);
    assert_status(cz_body_set_bytes(b, 7, big, CZ_VALUE_MAX + 1), CZ_ETOOBIG, "bytes too big");
    assert_status(cz_body_set_bytes(b, 7, big, 0), CZ_EEMPTY, "empty bytes");
    assert_int_equal(cz_body_kind(b, 7), 0);
    cz_body_free(b);
    free(big);
}

static void test_roundtrip_list(void **state)
{
    const char *items[] = { "王秀英", "b", "a", "王", "b", "ab", "Z" };
    size_t lens[7];
    const char *want[] = { "Z", "a", "ab", "b", "王", "王秀英" };  /* bytewise */
    cz_body *b = cz_body_new();
    size_t count = 0;
    (void)state;
    for (int i = 0; i < 7; i++)
        lens[i] = strlen(items[i]);
    assert_int_equal(cz_body_set_list(b, 9, items, lens, 7), CZ_OK);
    assert_int_equal(cz_body_kind(b, 9), CZ_KIND_LIST);
    assert_int_equal(cz_body_get_list_count(b, 9, &count), CZ_OK);
    assert_int_equal(count, 6);
    for (size_t i = 0; i < count; i++) {
        const char *s;
        size_t n;
        assert_int_equal(cz_body_get_list_item(b, 9, i, &s, &n), CZ_OK);
        assert_int_equal(n, strlen(want[i]));
        assert_string_equal(s, want[i]);
    }
    assert_status(cz_body_get_list_item(b, 9, 6, &(const char *){ NULL }, &(size_t){ 0 }),
                  CZ_ENOTFOUND, "item out of range");
    check_roundtrip(b);
    cz_body_free(b);
}

static void test_roundtrip_list_max(void **state)
{
    size_t n = CZ_LIST_MAX + 1;
    char (*buf)[8] = malloc(n * sizeof *buf);
    const char **items = malloc((n + 1) * sizeof *items);
    size_t *lens = malloc((n + 1) * sizeof *lens);
    cz_body *b = cz_body_new();
    size_t count = 0;
    (void)state;
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "%05zu", n - i);   /* reverse order */
        items[i] = buf[i];
        lens[i] = strlen(buf[i]);
    }
    /* CZ_LIST_MAX distinct items: fine. */
    assert_int_equal(cz_body_set_list(b, 1, items, lens, CZ_LIST_MAX), CZ_OK);
    assert_int_equal(cz_body_get_list_count(b, 1, &count), CZ_OK);
    assert_int_equal(count, CZ_LIST_MAX);
    check_roundtrip(b);
    /* One more distinct item: too big, and the old value stays. */
    assert_status(cz_body_set_list(b, 1, items, lens, n), CZ_ETOOBIG, "list too long");
    assert_int_equal(cz_body_get_list_count(b, 1, &count), CZ_OK);
    assert_int_equal(count, CZ_LIST_MAX);
    /* CZ_LIST_MAX + 1 given, but one is a duplicate: the limit is on the set. */
    items[n] = items[1];
    lens[n] = lens[1];
    assert_int_equal(cz_body_set_list(b, 2, items + 1, lens + 1, n), CZ_OK);
    assert_int_equal(cz_body_get_list_count(b, 2, &count), CZ_OK);
    assert_int_equal(count, CZ_LIST_MAX);
    cz_body_free(b);
    free(buf);
    free(items);
    free(lens);
}

static void test_empty_body(void **state)
{
    cz_body *b = cz_body_new(), *d = NULL;
    uint8_t *e = (uint8_t *)1;
    size_t n = 99;
    (void)state;
    assert_int_equal(cz_body_count(b), 0);
    assert_int_equal(cz_body_encode(b, &e, &n), CZ_OK);
    assert_int_equal(n, 0);
    free(e);
    assert_int_equal(cz_body_decode(NULL, 0, &d), CZ_OK);
    assert_non_null(d);
    assert_int_equal(cz_body_count(d), 0);
    assert_true(cz_body_equal(b, d));
    cz_body_free(d);
    assert_int_equal(cz_body_decode((const uint8_t *)"x", 0, &d), CZ_OK);
    assert_int_equal(cz_body_count(d), 0);
    cz_body_free(d);
    cz_body_free(b);
    cz_body_free(NULL);
}

/* Builds a body with every kind, boundary values and Chinese text. */
static cz_body *rich_body(void)
{
    const char *items[] = { "种植", "养殖", "外出务工" };
    size_t lens[] = { strlen(items[0]), strlen(items[1]), strlen(items[2]) };
    const uint8_t id[16] = { 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0xff };
    cz_body *b = cz_body_new();
    assert_int_equal(cz_body_set_text(b, 1, "王秀英", strlen("王秀英")), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 2, 0), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 3, 127), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 4, 128), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 5, UINT64_MAX), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, 6, INT64_MIN), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, 7, INT64_MAX), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, 8, -1), CZ_OK);
    assert_int_equal(cz_body_set_bytes(b, 9, id, sizeof id), CZ_OK);
    assert_int_equal(cz_body_set_list(b, 127, items, lens, 3), CZ_OK);
    assert_int_equal(cz_body_set_text(b, 128, "住址：\n王家村\t3组", strlen("住址：\n王家村\t3组")), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, UINT32_MAX, 1), CZ_OK);
    return b;
}

static void test_roundtrip_rich(void **state)
{
    cz_body *b = rich_body();
    (void)state;
    assert_int_equal(cz_body_count(b), 12);
    assert_int_equal(cz_body_tag_at(b, 0), 1);
    assert_int_equal(cz_body_tag_at(b, 11), UINT32_MAX);
    assert_int_equal(cz_body_tag_at(b, 12), 0);
    check_roundtrip(b);
    cz_body_free(b);
}

/* Deterministic pseudo-random bodies round-trip. */
static void test_roundtrip_generated(void **state)
{
    static const char *words[] = { "a", "b", "王", "秀英", "村", "x y", "3组", "\t", "é" };
    uint32_t seed = 12345;
    (void)state;
    for (int round = 0; round < 200; round++) {
        cz_body *b = cz_body_new();
        int nf = (int)(lcg(&seed) % 12);
        for (int k = 0; k < nf; k++) {
            uint32_t tag = 1 + lcg(&seed) % 300;
            uint64_t r = ((uint64_t)lcg(&seed) << 40) ^ ((uint64_t)lcg(&seed) << 20) ^ lcg(&seed);
            const char *it[4];
            size_t il[4];
            uint8_t bytes[20];
            size_t ni = 1 + lcg(&seed) % 4;
            switch (lcg(&seed) % 5) {
            case 0: assert_int_equal(cz_body_set_uint(b, tag, r >> (lcg(&seed) % 64)), CZ_OK); break;
            case 1: assert_int_equal(cz_body_set_sint(b, tag, (int64_t)(r >> 1) * ((r & 1) ? -1 : 1)), CZ_OK); break;
            case 2: {
                const char *w = words[lcg(&seed) % 9];
                assert_int_equal(cz_body_set_text(b, tag, w, strlen(w)), CZ_OK);
                break;
            }
            case 3:
                for (size_t i = 0; i < sizeof bytes; i++)
                    bytes[i] = (uint8_t)lcg(&seed);
                assert_int_equal(cz_body_set_bytes(b, tag, bytes, 1 + lcg(&seed) % sizeof bytes), CZ_OK);
                break;
            default:
                for (size_t i = 0; i < ni; i++) {
                    it[i] = words[lcg(&seed) % 9];
                    il[i] = strlen(it[i]);
                }
                assert_int_equal(cz_body_set_list(b, tag, it, il, ni), CZ_OK);
            }
        }
        check_roundtrip(b);
        cz_body_free(b);
    }
}

/* ---- pinned bytes ------------------------------------------------------- */

/* tag 1 UINT 300; tag 2 SINT -1; tag 3 TEXT 王; tag 4 BYTES 00 ff;
 * tag 5 LIST {"b","a"}; tag 200 UINT 0; tag 16384 TEXT "\n". */
static const uint8_t KAT[] = {
    0x01, 0x01, 0xac, 0x02,
    0x02, 0x02, 0x01,
    0x03, 0x03, 0x03, 0xe7, 0x8e, 0x8b,
    0x04, 0x04, 0x02, 0x00, 0xff,
    0x05, 0x05, 0x02, 0x01, 0x61, 0x01, 0x62,
    0xc8, 0x01, 0x01, 0x00,
    0x80, 0x80, 0x01, 0x03, 0x01, 0x0a,
};
static const size_t KAT_FIELD_ENDS[] = { 0, 4, 7, 13, 18, 25, 29, 35 };

static cz_body *kat_body(int reversed)
{
    const char *items[] = { "b", "a" };
    size_t lens[] = { 1, 1 };
    cz_body *b = cz_body_new();
    for (int k = 0; k < 7; k++) {
        int step = reversed ? 6 - k : k;
        switch (step) {
        case 0: assert_int_equal(cz_body_set_uint(b, 1, 300), CZ_OK); break;
        case 1: assert_int_equal(cz_body_set_sint(b, 2, -1), CZ_OK); break;
        case 2: assert_int_equal(cz_body_set_text(b, 3, "王", 3), CZ_OK); break;
        case 3: assert_int_equal(cz_body_set_bytes(b, 4, (const uint8_t *)"\0\xff", 2), CZ_OK); break;
        case 4: assert_int_equal(cz_body_set_list(b, 5, items, lens, 2), CZ_OK); break;
        case 5: assert_int_equal(cz_body_set_uint(b, 200, 0), CZ_OK); break;
        default: assert_int_equal(cz_body_set_text(b, 16384, "\n", 1), CZ_OK); break;
        }
    }
    return b;
}

static void test_known_answer(void **state)
{
    cz_body *b = kat_body(0), *d = NULL;
    uint64_t u;
    int64_t s;
    const char *t;
    const uint8_t *p;
    size_t n;
    (void)state;
    expect_encoding(b, KAT, sizeof KAT);
    assert_int_equal(cz_body_decode(KAT, sizeof KAT, &d), CZ_OK);
    assert_true(cz_body_equal(b, d));
    assert_int_equal(cz_body_get_uint(d, 1, &u), CZ_OK);
    assert_int_equal(u, 300);
    assert_int_equal(cz_body_get_sint(d, 2, &s), CZ_OK);
    assert_int_equal(s, -1);
    assert_int_equal(cz_body_get_text(d, 3, &t, &n), CZ_OK);
    assert_string_equal(t, "王");
    assert_int_equal(cz_body_get_bytes(d, 4, &p, &n), CZ_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(p, "\0\xff", 2);
    assert_int_equal(cz_body_get_list_item(d, 5, 0, &t, &n), CZ_OK);
    assert_string_equal(t, "a");
    assert_int_equal(cz_body_get_list_item(d, 5, 1, &t, &n), CZ_OK);
    assert_string_equal(t, "b");
    assert_int_equal(cz_body_get_text(d, 16384, &t, &n), CZ_OK);
    assert_string_equal(t, "\n");
    cz_body_free(b);
    cz_body_free(d);
}

static void test_set_order_independent(void **state)
{
    cz_body *fwd = kat_body(0), *rev = kat_body(1), *shuf;
    uint8_t *e1, *e2;
    size_t n1, n2;
    uint32_t seed = 7;
    (void)state;
    expect_encoding(rev, KAT, sizeof KAT);
    assert_true(cz_body_equal(fwd, rev));

    /* Many tags in shuffled order, with values overwritten along the way. */
    cz_body_free(fwd);
    cz_body_free(rev);
    fwd = cz_body_new();
    shuf = cz_body_new();
    uint32_t tags[100];
    for (uint32_t i = 0; i < 100; i++) {
        tags[i] = i * 37 + 1;
        assert_int_equal(cz_body_set_uint(fwd, tags[i], tags[i] * 3), CZ_OK);
    }
    for (int i = 99; i > 0; i--) {
        uint32_t j = lcg(&seed) % (uint32_t)(i + 1), t = tags[i];
        tags[i] = tags[j];
        tags[j] = t;
    }
    for (int i = 0; i < 100; i++)
        assert_int_equal(cz_body_set_text(shuf, tags[i], "old", 3), CZ_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(cz_body_set_uint(shuf, tags[i], tags[i] * 3), CZ_OK);
    encode_ok(fwd, &e1, &n1);
    encode_ok(shuf, &e2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(e1, e2, n1);
    assert_true(cz_body_equal(fwd, shuf));
    for (size_t i = 1; i < cz_body_count(shuf); i++)
        assert_true(cz_body_tag_at(shuf, i - 1) < cz_body_tag_at(shuf, i));
    free(e1);
    free(e2);
    cz_body_free(fwd);
    cz_body_free(shuf);
}

/* ---- non-canonical forms refused ---------------------------------------- */

static void test_refuse_tag_order(void **state)
{
    (void)state;
    ACCEPT(0x01, 0x01, 0x00, 0x02, 0x01, 0x00);
    REFUSE(CZ_ECANON, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00);          /* decreasing */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00);          /* duplicate */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0x00, 0x01, 0x03, 0x01, 0x61);    /* duplicate, other kind */
    REFUSE(CZ_ECANON, 0x05, 0x01, 0x00, 0x06, 0x01, 0x00, 0x06, 0x01, 0x00);
}

static void test_refuse_tag_zero_and_range(void **state)
{
    (void)state;
    REFUSE(CZ_ECANON, 0x00, 0x01, 0x00);
    ACCEPT(0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x00);                     /* UINT32_MAX */
    REFUSE(CZ_ECANON, 0x80, 0x80, 0x80, 0x80, 0x10, 0x01, 0x00);          /* 2^32 */
    REFUSE(CZ_ECANON, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01, 0x00);
    cz_body *b = cz_body_new();
    assert_status(cz_body_set_uint(b, 0, 1), CZ_EINVAL, "set tag 0");
    assert_status(cz_body_set_text(b, 0, "a", 1), CZ_EINVAL, "set tag 0");
    assert_int_equal(cz_body_count(b), 0);
    cz_body_free(b);
}

static void test_refuse_nonminimal_varint(void **state)
{
    (void)state;
    REFUSE(CZ_ECANON, 0x81, 0x00, 0x01, 0x00);                  /* tag */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0x80, 0x00);                  /* UINT value 0 */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0xac, 0x82, 0x00);            /* UINT 300, 3 bytes */
    REFUSE(CZ_ECANON, 0x01, 0x02, 0x81, 0x00);                  /* SINT */
    REFUSE(CZ_ECANON, 0x01, 0x03, 0x81, 0x00, 0x61);            /* TEXT length */
    REFUSE(CZ_ECANON, 0x01, 0x04, 0x81, 0x00, 0x61);            /* BYTES length */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x81, 0x00, 0x01, 0x61);      /* LIST count */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x01, 0x81, 0x00, 0x61);      /* LIST item length */
}

static void test_refuse_long_varint(void **state)
{
    (void)state;
    ACCEPT(0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    /* 11 bytes */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01);
    REFUSE(CZ_ECANON, 0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    /* overflowing 64 bits in the 10th byte */
    REFUSE(CZ_ECANON, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    REFUSE(CZ_ECANON, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    /* a huge length never allocates: refused on the limit */
    REFUSE(CZ_ETOOBIG, 0x01, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    REFUSE(CZ_ETOOBIG, 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
}

static void test_refuse_unknown_kind(void **state)
{
    (void)state;
    REFUSE(CZ_EKIND, 0x01, 0x00, 0x00);
    REFUSE(CZ_EKIND, 0x01, 0x06, 0x00);
    REFUSE(CZ_EKIND, 0x01, 0x7f, 0x00);
    REFUSE(CZ_EKIND, 0x01, 0xff, 0x00);
    REFUSE(CZ_EKIND, 0x01, 0x01, 0x00, 0x02, 0x09, 0x00);     /* after a good field */
}

static void test_refuse_zero_length(void **state)
{
    (void)state;
    REFUSE(CZ_ECANON, 0x01, 0x03, 0x00);                     /* TEXT */
    REFUSE(CZ_ECANON, 0x01, 0x04, 0x00);                     /* BYTES */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x00);                     /* empty LIST */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x01, 0x00);               /* empty item */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x00, 0x01, 0x61);   /* empty first item */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x01, 0x61, 0x00);   /* empty last item */
}

static void test_refuse_list_order(void **state)
{
    (void)state;
    ACCEPT(0x01, 0x05, 0x02, 0x01, 0x61, 0x01, 0x62);                      /* a b */
    ACCEPT(0x01, 0x05, 0x02, 0x01, 0x61, 0x02, 0x61, 0x62);                /* a ab */
    ACCEPT(0x01, 0x05, 0x02, 0x01, 0x5a, 0x01, 0x61);                      /* Z a */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x01, 0x62, 0x01, 0x61);           /* b a */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x01, 0x61, 0x01, 0x61);           /* a a */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x02, 0x61, 0x62, 0x01, 0x61);     /* ab a */
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x03, 0x01, 0x61, 0x01, 0x63, 0x01, 0x62);
    /* 王 (e7 8e 8b) sorts after every ASCII item, bytewise */
    ACCEPT(0x01, 0x05, 0x02, 0x01, 0x7a, 0x03, 0xe7, 0x8e, 0x8b);
    REFUSE(CZ_ECANON, 0x01, 0x05, 0x02, 0x03, 0xe7, 0x8e, 0x8b, 0x01, 0x7a);
}

static void test_refuse_bad_utf8(void **state)
{
    (void)state;
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x01, 0xff);
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x01, 0x80);                      /* lone continuation */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x02, 0xe7, 0x8e);                /* cut character */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x02, 0xc0, 0x80);                /* overlong NUL */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x02, 0xc1, 0xbf);                /* overlong */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x03, 0xe0, 0x80, 0xaf);          /* overlong / */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x03, 0xed, 0xa0, 0x80);          /* surrogate */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x04, 0xf4, 0x90, 0x80, 0x80);    /* > U+10FFFF */
    REFUSE(CZ_EUTF8, 0x01, 0x03, 0x04, 0xf8, 0x88, 0x80, 0x80);
    ACCEPT(0x01, 0x03, 0x04, 0xf4, 0x8f, 0xbf, 0xbf);              /* U+10FFFF */
    REFUSE(CZ_EUTF8, 0x01, 0x05, 0x01, 0x01, 0xff);                /* list item */
    REFUSE(CZ_EUTF8, 0x01, 0x05, 0x02, 0x01, 0x61, 0x02, 0xc0, 0x80);
    ACCEPT(0x01, 0x04, 0x02, 0xc0, 0x80);                          /* BYTES: anything */
}

static void test_refuse_not_nfc(void **state)
{
    (void)state;
    ACCEPT(0x01, 0x03, 0x02, 0xc3, 0xa9);                          /* é precomposed */
    REFUSE(CZ_ENOTNFC, 0x01, 0x03, 0x03, 0x65, 0xcc, 0x81);        /* e + U+0301 */
    REFUSE(CZ_ENOTNFC, 0x01, 0x03, 0x03, 0xe2, 0x84, 0xab);        /* U+212B ANGSTROM -> Å */
    REFUSE(CZ_ENOTNFC, 0x01, 0x03, 0x03, 0xef, 0xa4, 0x80);        /* U+F900 CJK compat -> 豈 */
    REFUSE(CZ_ENOTNFC, 0x01, 0x05, 0x01, 0x03, 0x65, 0xcc, 0x81);  /* list item */
    ACCEPT(0x01, 0x04, 0x03, 0x65, 0xcc, 0x81);                    /* BYTES: anything */
}

/* check_text takes ASCII and CJK ideographs (U+4E00-9FFF, U+3400-4DBF) as
 * NFC without asking utf8proc: every one of them, alone, before and after
 * another, and before a combining mark, must be NFC by utf8proc itself; and
 * text mixing them with anything else still goes through utf8proc. */
static void test_nfc_fast_path(void **state)
{
    (void)state;
    /* the fast ranges and their neighbours (compatibility ideographs,
     * kana, full-width forms), which must not be taken for them */
    static const utf8proc_int32_t ranges[][2] = { { 0x20, 0x7e }, { 0xa0, 0x17f }, { 0x2e80, 0xa4ff },
                                                  { 0xf900, 0xfaff }, { 0xff00, 0xffef } };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (utf8proc_int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            /* cp, "a" cp "a", cp U+0301, cp U+3099 (combining kana voicing) */
            utf8proc_int32_t seqs[4][3] = { { cp, -1 }, { 'a', cp, 'a' }, { cp, 0x301, -1 }, { cp, 0x3099, -1 } };
            size_t lens[4] = { 1, 3, 2, 2 };
            for (size_t q = 0; q < 4; q++) {
                uint8_t buf[16];
                size_t n = 0;
                for (size_t i = 0; i < lens[q]; i++)
                    n += (size_t)utf8proc_encode_char(seqs[q][i], buf + n);
                uint8_t *nfc = NULL;
                utf8proc_ssize_t m = utf8proc_map(buf, (utf8proc_ssize_t)n, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
                int want = (m == (utf8proc_ssize_t)n && !memcmp(nfc, buf, n)) ? CZ_OK : CZ_ENOTNFC;
                free(nfc);
                int fast = cp < 0x80 || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff);
                if (fast && q < 2 && want != CZ_OK) fail_msg("U+%04X is not NFC by utf8proc", (unsigned)cp);
                cz_body *b = cz_body_new();
                assert_non_null(b);
                int got = cz_body_set_text(b, 1, (const char *)buf, n);
                cz_body_free(b);
                if (got != want) fail_msg("U+%04X seq %zu: %s, utf8proc says %s", (unsigned)cp, q,
                                          cz_status_name(got), cz_status_name(want));
            }
        }
    /* Fast-path characters next to others that recompose: still refused. */
    REFUSE(CZ_ENOTNFC, 0x01, 0x03, 0x06, 0xe7, 0x8e, 0x8b, 0x41, 0xcc, 0x8a);   /* 王 A + U+030A -> Å */
    REFUSE(CZ_ENOTNFC, 0x01, 0x03, 0x09, 0xe7, 0x8e, 0x8b, 0xe1, 0x84, 0x80,   /* 王 U+1100 U+1161 -> 가 */
           0xe1, 0x85, 0xa1);
    ACCEPT(0x01, 0x03, 0x06, 0xe7, 0x8e, 0x8b, 0xea, 0xb0, 0x80);              /* 王가 */
}

static void test_refuse_controls(void **state)
{
    static const uint8_t bad[][2] = { { 0x00 }, { 0x01 }, { 0x07 }, { 0x0b }, { 0x0c }, { 0x0d },
                                      { 0x1b }, { 0x1f }, { 0x7f }, { 0xc2, 0x80 }, { 0xc2, 0x85 },
                                      { 0xc2, 0x9f } };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = bad[i][0] >= 0xc2 ? 2 : 1;
        uint8_t buf[8] = { 0x01, 0x03, (uint8_t)(n + 2), 'a' };
        memcpy(buf + 4, bad[i], n);
        buf[4 + n] = 'b';
        assert_status(decode_rc(buf, 5 + n), CZ_ECONTROL, "control in text");
        uint8_t lst[9] = { 0x01, 0x05, 0x01, (uint8_t)(n + 2), 'a' };
        memcpy(lst + 5, bad[i], n);
        lst[5 + n] = 'b';
        assert_status(decode_rc(lst, 6 + n), CZ_ECONTROL, "control in list item");
    }
    ACCEPT(0x01, 0x03, 0x03, 0x61, 0x0a, 0x62);         /* \n */
    ACCEPT(0x01, 0x03, 0x03, 0x61, 0x09, 0x62);         /* \t */
    ACCEPT(0x01, 0x03, 0x02, 0xc2, 0xa0);               /* U+00A0 is not C1 */
    ACCEPT(0x01, 0x03, 0x01, 0x20);
    ACCEPT(0x01, 0x04, 0x01, 0x00);                     /* BYTES: anything */
}

static void test_refuse_over_limits(void **state)
{
    uint8_t *buf = calloc(1, CZ_BODY_MAX + 16);
    size_t n;
    (void)state;
    /* Body over CZ_BODY_MAX, whatever it holds. */
    assert_status(decode_rc(buf, CZ_BODY_MAX + 1), CZ_ETOOBIG, "body too big");
    /* TEXT/BYTES of CZ_VALUE_MAX + 1 bytes, all present. */
    n = 0;
    buf[n++] = 0x01;
    buf[n++] = 0x04;
    n += cz_varint_put(buf + n, CZ_VALUE_MAX + 1);
    memset(buf + n, 'a', CZ_VALUE_MAX + 1);
    assert_status(decode_rc(buf, n + CZ_VALUE_MAX + 1), CZ_ETOOBIG, "bytes too big");
    buf[1] = 0x03;
    assert_status(decode_rc(buf, n + CZ_VALUE_MAX + 1), CZ_ETOOBIG, "text too big");
    /* Exactly CZ_VALUE_MAX is fine. */
    n = 2 + cz_varint_put(buf + 2, CZ_VALUE_MAX);
    memset(buf + n, 'a', CZ_VALUE_MAX);
    assert_status(decode_rc(buf, n + CZ_VALUE_MAX), CZ_OK, "text at max");
    /* A list of CZ_LIST_MAX + 1 items. */
    n = 0;
    buf[n++] = 0x01;
    buf[n++] = 0x05;
    n += cz_varint_put(buf + n, CZ_LIST_MAX + 1);
    for (unsigned i = 0; i < CZ_LIST_MAX + 1; i++) {
        buf[n++] = 0x02;
        buf[n++] = (uint8_t)(0x21 + i / 64);
        buf[n++] = (uint8_t)(0x21 + i % 64);
    }
    assert_status(decode_rc(buf, n), CZ_ETOOBIG, "list too long");
    n = 2   /* rewrite the count as CZ_LIST_MAX: same varint width */ + cz_varint_put(buf + 2, CZ_LIST_MAX);
    assert_int_equal(n, 4);
    assert_status(decode_rc(buf, n + 3 * CZ_LIST_MAX), CZ_OK, "list at max");
    /* A list item over CZ_VALUE_MAX. */
    n = 0;
    buf[n++] = 0x01;
    buf[n++] = 0x05;
    buf[n++] = 0x01;
    n += cz_varint_put(buf + n, CZ_VALUE_MAX + 1);
    memset(buf + n, 'a', CZ_VALUE_MAX + 1);
    assert_status(decode_rc(buf, n + CZ_VALUE_MAX + 1), CZ_ETOOBIG, "list item too big");
    free(buf);
}

static void test_body_max(void **state)
{
    uint8_t *v = malloc(CZ_VALUE_MAX), *e = NULL;
    cz_body *b = cz_body_new(), *d = NULL;
    size_t n;
    (void)state;
    memset(v, 0x5a, CZ_VALUE_MAX);
    /* 15 fields of 1 + 1 + 3 + 16384 bytes, and one of 1 + 1 + 2 + 16305:
     * exactly CZ_BODY_MAX. */
    for (uint32_t t = 1; t <= 15; t++)
        assert_int_equal(cz_body_set_bytes(b, t, v, CZ_VALUE_MAX), CZ_OK);
    assert_status(cz_body_set_bytes(b, 16, v, 16306), CZ_ETOOBIG, "one byte over");
    assert_int_equal(cz_body_kind(b, 16), 0);
    assert_int_equal(cz_body_set_bytes(b, 16, v, 16305), CZ_OK);
    encode_ok(b, &e, &n);
    assert_int_equal(n, CZ_BODY_MAX);
    assert_int_equal(cz_body_decode(e, n, &d), CZ_OK);
    assert_true(cz_body_equal(b, d));
    free(e);
    /* Full: nothing more fits, the body is unchanged. */
    assert_status(cz_body_set_uint(b, 17, 0), CZ_ETOOBIG, "full body");
    assert_status(cz_body_set_text(b, 16, "王王", 6), CZ_OK, "smaller replace");
    assert_int_equal(cz_body_set_uint(b, 17, 0), CZ_OK);
    assert_status(cz_body_set_bytes(b, 16, v, 16305), CZ_ETOOBIG, "grow back over");
    assert_int_equal(cz_body_kind(b, 16), CZ_KIND_TEXT);
    assert_int_equal(cz_body_remove(b, 17), CZ_OK);
    assert_int_equal(cz_body_set_bytes(b, 16, v, 16305), CZ_OK);
    assert_true(cz_body_equal(b, d));
    /* A clone tracks its size too. */
    cz_body *c = cz_body_clone(b);
    assert_status(cz_body_set_uint(c, 17, 0), CZ_ETOOBIG, "full clone");
    cz_body_free(c);
    cz_body_free(d);
    cz_body_free(b);
    free(v);
}

static void test_refuse_truncated_fixed(void **state)
{
    (void)state;
    REFUSE(CZ_ETRUNC, 0x01);                                  /* no kind */
    REFUSE(CZ_ETRUNC, 0x80);                                  /* cut tag */
    REFUSE(CZ_ETRUNC, 0x01, 0x01);                            /* no value */
    REFUSE(CZ_ETRUNC, 0x01, 0x01, 0x80);                      /* cut value */
    REFUSE(CZ_ETRUNC, 0x01, 0x03, 0x05, 0x61);                /* short text */
    REFUSE(CZ_ETRUNC, 0x01, 0x04, 0xff, 0x7f, 0x00);          /* 16383 claimed, 1 given */
    REFUSE(CZ_ETRUNC, 0x01, 0x05, 0x02, 0x01, 0x61);          /* missing item */
    REFUSE(CZ_ETRUNC, 0x01, 0x05, 0x80, 0x20, 0x01, 0x61);    /* 4096 items claimed */
    REFUSE(CZ_ETRUNC, 0x01, 0x05, 0x01, 0x03, 0x61);
}

/* Every prefix of a valid encoding: at a field boundary it is a smaller valid
 * body (the body format has no framing of its own; the entry that carries it
 * holds its length), anywhere else it is CZ_ETRUNC. */
static void check_prefixes(const uint8_t *enc, size_t len)
{
    cz_body *full = NULL;
    assert_int_equal(cz_body_decode(enc, len, &full), CZ_OK);
    size_t fields = cz_body_count(full);
    size_t boundaries = 0;
    for (size_t k = 0; k < len; k++) {
        uint8_t *copy = malloc(k ? k : 1);   /* exact size so ASan sees overreads */
        cz_body *d = NULL;
        memcpy(copy, enc, k);
        int rc = cz_body_decode(copy, k, &d);
        if (rc == CZ_OK) {
            uint8_t *e;
            size_t n;
            boundaries++;
            encode_ok(d, &e, &n);
            assert_int_equal(n, k);
            if (k)
                assert_memory_equal(e, enc, k);
            assert_true(cz_body_count(d) < fields);
            free(e);
            cz_body_free(d);
        } else {
            if (rc != CZ_ETRUNC) {
                print_error("prefix %zu of %zu: %s\n", k, len, cz_status_name(rc));
                fail();
            }
            assert_null(d);
        }
        free(copy);
    }
    assert_int_equal(boundaries, fields);     /* 0 and each field end but the last */
    cz_body_free(full);
}

static void test_truncation_everywhere(void **state)
{
    cz_body *b = rich_body();
    uint8_t *e;
    size_t n;
    (void)state;
    check_prefixes(KAT, sizeof KAT);
    for (size_t i = 0; i + 1 < sizeof KAT_FIELD_ENDS / sizeof KAT_FIELD_ENDS[0]; i++) {
        cz_body *d = NULL;
        assert_int_equal(cz_body_decode(KAT, KAT_FIELD_ENDS[i], &d), CZ_OK);
        assert_int_equal(cz_body_count(d), i);
        cz_body_free(d);
    }
    encode_ok(b, &e, &n);
    check_prefixes(e, n);
    free(e);
    cz_body_free(b);
}

/* Flip every bit (and try every byte value) of valid encodings: the result is
 * either refused or is itself canonical, re-encoding to exactly those bytes. */
static void check_mutant(const uint8_t *m, size_t n, size_t *accepted)
{
    cz_body *d = NULL;
    int rc = cz_body_decode(m, n, &d);
    if (rc != CZ_OK) {
        assert_null(d);
        return;
    }
    uint8_t *e;
    size_t en;
    encode_ok(d, &e, &en);
    assert_int_equal(en, n);
    assert_memory_equal(e, m, n);
    cz_body *d2 = NULL;
    assert_int_equal(cz_body_decode(e, en, &d2), CZ_OK);
    assert_true(cz_body_equal(d, d2));
    free(e);
    cz_body_free(d);
    cz_body_free(d2);
    (*accepted)++;
}

static void mutate_all(const uint8_t *enc, size_t len, int every_value)
{
    uint8_t *m = malloc(len);
    size_t accepted = 0, refused_total = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, enc, len);
            m[i] ^= (uint8_t)(1u << bit);
            size_t before = accepted;
            check_mutant(m, len, &accepted);
            refused_total += accepted == before;
        }
        if (every_value) {
            for (int v = 0; v < 256; v++) {
                memcpy(m, enc, len);
                m[i] = (uint8_t)v;
                check_mutant(m, len, &accepted);
            }
        }
    }
    assert_true(refused_total > 0);
    assert_true(accepted > 0);
    free(m);
}

static void test_mutation(void **state)
{
    cz_body *b = rich_body();
    uint8_t *e;
    size_t n;
    (void)state;
    mutate_all(KAT, sizeof KAT, 1);
    encode_ok(b, &e, &n);
    mutate_all(e, n, 1);
    free(e);
    cz_body_free(b);
    /* Two-byte mutations on the small vector, deterministic. */
    uint8_t m[sizeof KAT];
    uint32_t seed = 99;
    size_t accepted = 0;
    for (int r = 0; r < 20000; r++) {
        memcpy(m, KAT, sizeof KAT);
        m[lcg(&seed) % sizeof m] = (uint8_t)lcg(&seed);
        m[lcg(&seed) % sizeof m] = (uint8_t)lcg(&seed);
        check_mutant(m, sizeof m, &accepted);
    }
}

/* ---- setters and getters ------------------------------------------------ */

static void test_setters_refuse_bad_text(void **state)
{
    static const struct { const char *s; size_t n; int want; } bad[] = {
        { "", 0, CZ_EEMPTY },
        { "\xff", 1, CZ_EUTF8 },
        { "\xc0\x80", 2, CZ_EUTF8 },
        { "\xed\xa0\x80", 3, CZ_EUTF8 },
        { "\xe7\x8e", 2, CZ_EUTF8 },
        { "e\xcc\x81", 3, CZ_ENOTNFC },
        { "\xe2\x84\xab", 3, CZ_ENOTNFC },
        { "a\0b", 3, CZ_ECONTROL },
        { "a\rb", 3, CZ_ECONTROL },
        { "\x1b[31m", 5, CZ_ECONTROL },
        { "\x7f", 1, CZ_ECONTROL },
        { "\xc2\x85", 2, CZ_ECONTROL },
    };
    cz_body *b = cz_body_new();
    const char *s;
    size_t n;
    (void)state;
    assert_int_equal(cz_body_set_text(b, 1, "原来", 6), CZ_OK);
    assert_int_equal(set_list1(b, 2, "原来"), CZ_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(cz_body_set_text(b, 1, bad[i].s, bad[i].n), bad[i].want, "set_text");
        assert_status(cz_body_set_text(b, 3, bad[i].s, bad[i].n), bad[i].want, "set_text new");
        const char *items[2] = { "ok", bad[i].s };
        size_t lens[2] = { 2, bad[i].n };
        assert_status(cz_body_set_list(b, 2, items, lens, 2), bad[i].want, "set_list");
    }
    /* Nothing changed. */
    assert_int_equal(cz_body_count(b), 2);
    assert_int_equal(cz_body_get_text(b, 1, &s, &n), CZ_OK);
    assert_string_equal(s, "原来");
    assert_int_equal(cz_body_get_list_item(b, 2, 0, &s, &n), CZ_OK);
    assert_string_equal(s, "原来");
    assert_status(cz_body_set_list(b, 2, NULL, NULL, 0), CZ_EEMPTY, "empty list");
    assert_status(cz_body_set_list(b, 0, (const char *[]){ "a" }, (size_t[]){ 1 }, 1), CZ_EINVAL, "tag 0");
    assert_int_equal(cz_body_kind(b, 2), CZ_KIND_LIST);
    cz_body_free(b);
}

static void test_getters_wrong_kind(void **state)
{
    cz_body *b = kat_body(0);
    uint64_t u;
    int64_t i;
    const char *s;
    const uint8_t *p;
    size_t n;
    (void)state;
    /* tag 1 UINT, 2 SINT, 3 TEXT, 4 BYTES, 5 LIST */
    for (uint32_t tag = 1; tag <= 5; tag++) {
        int kind = cz_body_kind(b, tag);
        assert_int_equal(kind, (int)tag);
        assert_status(cz_body_get_uint(b, tag, &u), kind == CZ_KIND_UINT ? CZ_OK : CZ_EKIND, "uint");
        assert_status(cz_body_get_sint(b, tag, &i), kind == CZ_KIND_SINT ? CZ_OK : CZ_EKIND, "sint");
        assert_status(cz_body_get_text(b, tag, &s, &n), kind == CZ_KIND_TEXT ? CZ_OK : CZ_EKIND, "text");
        assert_status(cz_body_get_bytes(b, tag, &p, &n), kind == CZ_KIND_BYTES ? CZ_OK : CZ_EKIND, "bytes");
        assert_status(cz_body_get_list_count(b, tag, &n), kind == CZ_KIND_LIST ? CZ_OK : CZ_EKIND, "count");
        assert_status(cz_body_get_list_item(b, tag, 0, &s, &n), kind == CZ_KIND_LIST ? CZ_OK : CZ_EKIND, "item");
    }
    /* Absent tags. */
    assert_int_equal(cz_body_kind(b, 6), 0);
    assert_int_equal(cz_body_kind(b, 0), 0);
    assert_status(cz_body_get_uint(b, 6, &u), CZ_ENOTFOUND, "absent");
    assert_status(cz_body_get_sint(b, 6, &i), CZ_ENOTFOUND, "absent");
    assert_status(cz_body_get_text(b, 6, &s, &n), CZ_ENOTFOUND, "absent");
    assert_status(cz_body_get_bytes(b, 6, &p, &n), CZ_ENOTFOUND, "absent");
    assert_status(cz_body_get_list_count(b, 6, &n), CZ_ENOTFOUND, "absent");
    assert_status(cz_body_get_list_item(b, 6, 0, &s, &n), CZ_ENOTFOUND, "absent");
    /* Changing a field's kind. */
    assert_int_equal(cz_body_set_text(b, 1, "现在是文字", strlen("现在是文字")), CZ_OK);
    assert_int_equal(cz_body_kind(b, 1), CZ_KIND_TEXT);
    assert_status(cz_body_get_uint(b, 1, &u), CZ_EKIND, "now text");
    cz_body_free(b);
}

static void test_remove_and_iterate(void **state)
{
    cz_body *b = cz_body_new();
    uint8_t *e;
    size_t n;
    (void)state;
    assert_int_equal(cz_body_set_uint(b, 30, 3), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 10, 1), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 20, 2), CZ_OK);
    assert_int_equal(cz_body_count(b), 3);
    assert_int_equal(cz_body_tag_at(b, 0), 10);
    assert_int_equal(cz_body_tag_at(b, 1), 20);
    assert_int_equal(cz_body_tag_at(b, 2), 30);
    assert_status(cz_body_remove(b, 15), CZ_ENOTFOUND, "remove absent");
    assert_int_equal(cz_body_remove(b, 20), CZ_OK);
    assert_status(cz_body_remove(b, 20), CZ_ENOTFOUND, "remove twice");
    assert_int_equal(cz_body_count(b), 2);
    assert_int_equal(cz_body_tag_at(b, 1), 30);
    expect_encoding(b, B(0x0a, 0x01, 0x01, 0x1e, 0x01, 0x03));
    assert_int_equal(cz_body_remove(b, 10), CZ_OK);
    assert_int_equal(cz_body_remove(b, 30), CZ_OK);
    assert_int_equal(cz_body_count(b), 0);
    assert_int_equal(cz_body_encode(b, &e, &n), CZ_OK);
    assert_int_equal(n, 0);
    free(e);
    cz_body_free(b);
}

static void test_pointer_lifetime(void **state)
{
    cz_body *b = cz_body_new();
    const char *s, *item;
    const uint8_t *p;
    size_t n;
    (void)state;
    assert_int_equal(cz_body_set_text(b, 500, "王秀英", 9), CZ_OK);
    assert_int_equal(cz_body_set_bytes(b, 501, (const uint8_t *)"\x01\x02", 2), CZ_OK);
    assert_int_equal(set_list1(b, 502, "户主"), CZ_OK);
    assert_int_equal(cz_body_get_text(b, 500, &s, &n), CZ_OK);
    assert_int_equal(cz_body_get_bytes(b, 501, &p, &n), CZ_OK);
    assert_int_equal(cz_body_get_list_item(b, 502, 0, &item, &n), CZ_OK);
    /* Other fields set and removed around them (the field array grows and
     * shifts) must not move their values. */
    for (uint32_t t = 1; t < 400; t++)
        assert_int_equal(cz_body_set_uint(b, t, t), CZ_OK);
    for (uint32_t t = 1; t < 400; t += 2)
        assert_int_equal(cz_body_remove(b, t), CZ_OK);
    assert_string_equal(s, "王秀英");
    assert_memory_equal(p, "\x01\x02", 2);
    assert_string_equal(item, "户主");
    cz_body_free(b);
}

static void test_clone_equal(void **state)
{
    cz_body *a = rich_body(), *c = cz_body_clone(a), *e = cz_body_new(), *e2;
    const char *s1, *s2;
    size_t n;
    (void)state;
    assert_non_null(c);
    assert_true(cz_body_equal(a, c));
    check_roundtrip(c);
    /* Deep: values are copies. */
    assert_int_equal(cz_body_get_text(a, 1, &s1, &n), CZ_OK);
    assert_int_equal(cz_body_get_text(c, 1, &s2, &n), CZ_OK);
    assert_ptr_not_equal(s1, s2);
    /* Changing the clone leaves the original. */
    assert_int_equal(cz_body_set_text(c, 1, "李四", 6), CZ_OK);
    assert_false(cz_body_equal(a, c));
    assert_int_equal(cz_body_get_text(a, 1, &s1, &n), CZ_OK);
    assert_string_equal(s1, "王秀英");
    assert_int_equal(cz_body_set_text(c, 1, "王秀英", 9), CZ_OK);
    assert_true(cz_body_equal(a, c));
    assert_int_equal(cz_body_remove(c, 2), CZ_OK);
    assert_false(cz_body_equal(a, c));
    assert_false(cz_body_equal(c, a));
    cz_body_free(c);
    /* Empty bodies. */
    e2 = cz_body_clone(e);
    assert_non_null(e2);
    assert_true(cz_body_equal(e, e2));
    assert_false(cz_body_equal(e, a));
    /* Same bytes, different kinds or values, are not equal. */
    assert_int_equal(cz_body_set_uint(e, 1, 2), CZ_OK);
    assert_int_equal(cz_body_set_sint(e2, 1, 1), CZ_OK);   /* zigzag 2 */
    assert_false(cz_body_equal(e, e2));
    assert_int_equal(cz_body_set_text(e, 1, "ab", 2), CZ_OK);
    assert_int_equal(cz_body_set_bytes(e2, 1, (const uint8_t *)"ab", 2), CZ_OK);
    assert_false(cz_body_equal(e, e2));
    assert_int_equal(set_list1(e2, 1, "ab"), CZ_OK);
    assert_false(cz_body_equal(e, e2));
    assert_int_equal(set_list1(e, 1, "ab"), CZ_OK);
    assert_true(cz_body_equal(e, e2));
    assert_int_equal(set_list1(e, 1, "ac"), CZ_OK);
    assert_false(cz_body_equal(e, e2));
    assert_int_equal(cz_body_set_uint(e, 1, 5), CZ_OK);
    assert_int_equal(cz_body_set_uint(e2, 2, 5), CZ_OK);
    assert_int_equal(cz_body_remove(e2, 1), CZ_OK);
    assert_false(cz_body_equal(e, e2));     /* same value, other tag */
    cz_body_free(e);
    cz_body_free(e2);
    cz_body_free(a);
}

/* cz_body_encode_into writes what cz_body_encode does, into a caller's
 * buffer, and refuses one too small without writing past it. */
static void test_encode_into(void **state)
{
    cz_body *b = cz_body_new();
    uint8_t *enc = NULL, buf[256];
    size_t len = 0, len2 = 0;
    (void)state;
    assert_non_null(b);
    assert_int_equal(cz_body_encoded_size(b), 0);
    assert_int_equal(cz_body_encode_into(b, buf, 0, &len2), CZ_OK);
    assert_int_equal(len2, 0);
    assert_int_equal(cz_body_set_text(b, 1, "王秀英", strlen("王秀英")), CZ_OK);
    assert_int_equal(cz_body_set_uint(b, 2, 300), CZ_OK);
    assert_int_equal(cz_body_set_sint(b, 3, -2), CZ_OK);
    assert_int_equal(cz_body_encode(b, &enc, &len), CZ_OK);
    assert_int_equal(cz_body_encoded_size(b), len);
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(cz_body_encode_into(b, buf, len, &len2), CZ_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(buf, enc, len);
    assert_int_equal(buf[len], 0xee);
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(cz_body_encode_into(b, buf, len - 1, &len2), CZ_ERANGE);
    assert_int_equal(buf[0], 0xee);
    free(enc);
    cz_body_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_vectors),
        cmocka_unit_test(test_encode_into),
        cmocka_unit_test(test_varint_refusals),
        cmocka_unit_test(test_roundtrip_uint),
        cmocka_unit_test(test_roundtrip_sint),
        cmocka_unit_test(test_zigzag_vectors),
        cmocka_unit_test(test_roundtrip_text),
        cmocka_unit_test(test_roundtrip_text_max),
        cmocka_unit_test(test_roundtrip_bytes),
        cmocka_unit_test(test_roundtrip_list),
        cmocka_unit_test(test_roundtrip_list_max),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_roundtrip_rich),
        cmocka_unit_test(test_roundtrip_generated),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_set_order_independent),
        cmocka_unit_test(test_refuse_tag_order),
        cmocka_unit_test(test_refuse_tag_zero_and_range),
        cmocka_unit_test(test_refuse_nonminimal_varint),
        cmocka_unit_test(test_refuse_long_varint),
        cmocka_unit_test(test_refuse_unknown_kind),
        cmocka_unit_test(test_refuse_zero_length),
        cmocka_unit_test(test_refuse_list_order),
        cmocka_unit_test(test_refuse_bad_utf8),
        cmocka_unit_test(test_refuse_not_nfc),
        cmocka_unit_test(test_nfc_fast_path),
        cmocka_unit_test(test_refuse_controls),
        cmocka_unit_test(test_refuse_over_limits),
        cmocka_unit_test(test_body_max),
        cmocka_unit_test(test_refuse_truncated_fixed),
        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_mutation),
        cmocka_unit_test(test_setters_refuse_bad_text),
        cmocka_unit_test(test_getters_wrong_kind),
        cmocka_unit_test(test_remove_and_iterate),
        cmocka_unit_test(test_pointer_lifetime),
        cmocka_unit_test(test_clone_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
