/* test_query.c — find by part of a name a page at a time (the households
 * screen), and the household list's first page in number order, on a real
 * station: the page stops at its limit, the total still counts every match
 * (exactly for one or two characters, at most for longer queries), an
 * n-gram intersection that is not a match is not reported, a deleted
 * record is found by nothing, and every record is reported once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "index.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "query-pass"
#define WANG 250                 /* households headed by 王秀英 */
#define LI 5                     /* ... by 李秀英 */

static struct tk_pair P;
static cz_station *g_st;          /* P.village: the office is closed at once */

static void household_id(const char *number, uint8_t entity[CZ_ENTITY_BYTES]);

static int add_households(const char *head, size_t n, size_t base)
{
    struct cz_assign (*rows)[3] = calloc(n, sizeof *rows);
    const struct cz_assign **rp = calloc(n, sizeof *rp);
    size_t *counts = calloc(n, sizeof *counts), stored = 0;
    char (*numbers)[16] = calloc(n, 16);
    int rc;
    for (size_t i = 0; i < n; i++) {
        snprintf(numbers[i], 16, "B-%04zu", base + i);
        rows[i][0] = (struct cz_assign){ "number", numbers[i] };
        rows[i][1] = (struct cz_assign){ "village", V1 };
        rows[i][2] = (struct cz_assign){ "head", head };
        rp[i] = rows[i];
        counts[i] = 3;
    }
    rc = cz_station_add_many(g_st, "household", rp, counts, n, NULL, NULL, &stored);
    if (rc) fprintf(stderr, "add %s: %s\n", head, cz_strerror(rc, CZ_LANG_EN));
    free(rows); free(rp); free(counts); free(numbers);
    return rc || stored != n ? -1 : 0;
}

static int setup(void **state)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    if (tk_pair_init(&P, "query", "市办", V1, PASS)) return -1;
    cz_station_close(P.office);
    P.office = NULL;
    g_st = P.village;
    /* Numbers are given out of name order, so number order is checked. */
    if (add_households("王秀英", WANG, 100)) return -2;
    if (add_households("李秀英", LI, 0) ||
        add_households("王秀兰秀英", 1, 50) ||    /* has 王秀 and 秀英, not 王秀英 */
        add_households("张三", 3, 60) || add_households("王秀英", 1, 99))
        return -1;
    household_id("B-0099", entity);                 /* then deleted */
    return cz_station_delete(g_st, entity, id) ? -1 : 0;
}

static int teardown(void **state)
{
    tk_pair_free(&P);
    return 0;
}

static int first_cb(void *ctx, const uint8_t *e)
{
    memcpy(ctx, e, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

static void household_id(const char *number, uint8_t entity[CZ_ENTITY_BYTES])
{
    cz_txn *t;
    char term[128];
    memset(entity, 0, CZ_ENTITY_BYTES);
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    cz_store_index_each(t, term, cz_term_exact(term, sizeof term, "household", "number", number), first_cb, entity);
    cz_txn_abort(t);
}

/* What a page reported: each entity once, and their heads and numbers. */
struct got { cz_txn *t; size_t n; uint8_t ids[400][CZ_ENTITY_BYTES]; char heads[400][32], numbers[400][16]; };

static int got_cb(void *ctx, const uint8_t *e)
{
    struct got *g = ctx;
    struct cz_record r;
    const char *s;
    size_t len;
    assert_true(g->n < 400);
    for (size_t i = 0; i < g->n; i++)
        if (!memcmp(g->ids[i], e, CZ_ENTITY_BYTES)) fail_msg("an entity reported twice");
    memcpy(g->ids[g->n], e, CZ_ENTITY_BYTES);
    assert_int_equal(cz_record_load(g->t, e, &r), CZ_OK);
    assert_false(r.deleted);
    assert_int_equal(cz_body_get_text(r.body, cz_schema_field(r.type, "head")->tag, &s, &len), CZ_OK);
    snprintf(g->heads[g->n], 32, "%.*s", (int)len, s);
    assert_int_equal(cz_body_get_text(r.body, cz_schema_field(r.type, "number")->tag, &s, &len), CZ_OK);
    snprintf(g->numbers[g->n], 16, "%.*s", (int)len, s);
    cz_record_clear(&r);
    g->n++;
    return 0;
}

static struct got *find_page(const char *text, size_t limit, size_t *total, int *exact)
{
    struct got *g = calloc(1, sizeof *g);
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &g->t), CZ_OK);
    assert_int_equal(cz_query_find_page(g->t, text, limit, got_cb, g, total, exact), CZ_OK);
    cz_txn_abort(g->t);
    return g;
}

/* Two characters: the page stops at its limit and the total is exact. */
static void test_page_two_chars(void **state)
{
    size_t total;
    int exact;
    struct got *g = find_page("秀英", 20, &total, &exact);
    assert_int_equal(g->n, 20);
    assert_int_equal(total, WANG + LI + 1);   /* the deleted one is not counted */
    assert_true(exact);
    free(g);
    g = find_page("秀英", CZ_QUERY_PAGE * 2, &total, &exact);
    assert_int_equal(g->n, WANG + LI + 1);
    assert_int_equal(total, WANG + LI + 1);
    assert_true(exact);
    free(g);
    /* One character: the same from the unigram. */
    g = find_page("李", 3, &total, &exact);
    assert_int_equal(g->n, 3);
    assert_int_equal(total, LI);
    assert_true(exact);
    free(g);
}

/* Three characters: only real matches are loaded and reported; the ones
 * past the page are counted from the index, so the total is at most. */
static void test_page_three_chars(void **state)
{
    size_t total;
    int exact;
    struct got *g = find_page("王秀英", CZ_QUERY_PAGE * 2, &total, &exact);
    assert_int_equal(g->n, WANG);
    for (size_t i = 0; i < g->n; i++) assert_string_equal(g->heads[i], "王秀英");
    assert_int_equal(total, WANG);
    assert_true(exact);
    free(g);
    g = find_page("王秀英", 10, &total, &exact);
    assert_int_equal(g->n, 10);
    assert_false(exact);
    assert_in_range(total, WANG, WANG + 1);   /* 王秀兰秀英 holds both bigrams */
    free(g);
    g = find_page("秀英王", 10, &total, &exact);   /* 英王: nobody */
    assert_int_equal(g->n, 0);
    assert_int_equal(total, 0);
    free(g);
}

/* The whole find (the CLI's) reports every match once. */
static void test_find_all(void **state)
{
    struct got *g = calloc(1, sizeof *g);
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &g->t), CZ_OK);
    assert_int_equal(cz_query_find(g->t, "秀", got_cb, g), CZ_OK);
    cz_txn_abort(g->t);
    assert_int_equal(g->n, WANG + LI + 1);
    free(g);
    /* A household number finds its household, by the exact index. */
    size_t total;
    int exact;
    g = find_page("B-0060", CZ_QUERY_PAGE, &total, &exact);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->heads[0], "张三");
    free(g);
}

/* The list's first page: households in number order; total counts all. */
static void test_first_page(void **state)
{
    struct got *g = calloc(1, sizeof *g);
    size_t total;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &g->t), CZ_OK);
    assert_int_equal(cz_query_first(g->t, cz_schema_type("household"), "number", 8, got_cb, g, &total), CZ_OK);
    cz_txn_abort(g->t);
    assert_int_equal(g->n, 8);
    assert_int_equal(total, WANG + LI + 1 + 3);
    static const char *const want[] = { "B-0000", "B-0001", "B-0002", "B-0003", "B-0004", "B-0050", "B-0060", "B-0061" };
    for (size_t i = 0; i < 8; i++) assert_string_equal(g->numbers[i], want[i]);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_two_chars),
        cmocka_unit_test(test_page_three_chars),
        cmocka_unit_test(test_find_all),
        cmocka_unit_test(test_first_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
