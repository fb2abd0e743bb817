/* test_load.c — cz_station_add_many: rows checked on the calling thread and
 * signed on a second one (station_load.c).  Real LMDB and
 * libsodium in a temporary folder; run it under ASan (make VARIANT=asan)
 * and helgrind/drd too: the point is the threads.  Checks: every entry
 * signed and chained (cz_verify, seq by seq, the clock rising and written
 * back), duplicates among rows still in flight refused by row, nothing
 * stored when a row is refused, and the single-row path carrying on the
 * chain after a load; also with a ring of 1-3 slots (CZ_LOAD_RING).  The
 * whole suite runs twice: index terms put row by row, and in sorted
 * batches (CZ_LOAD_DEFER_ROWS=2; a load of 20,000 rows or more). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "index.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"
#include "verify.h"

#define V1 "411081106201"
#define PASS "load-pass"

static struct tk_pair P;
static cz_station *g_st;          /* P.village: the office is closed at once */

static int setup(void **state)
{
    if (tk_pair_init(&P, "load", "市办", V1, PASS)) return -1;
    cz_station_close(P.office);
    P.office = NULL;
    g_st = P.village;
    return 0;
}

static int teardown(void **state)
{
    tk_pair_free(&P);
    return 0;
}

/* Rows of text, as cz_csv_load gives them. */
struct rows {
    size_t n, nf;
    char (*text)[4][64];
    struct cz_assign (*a)[4];
    const struct cz_assign **p;
    size_t *counts;
};

static void rows_init(struct rows *r, size_t n, size_t nf)
{
    r->n = n;
    r->nf = nf;
    r->text = calloc(n, sizeof *r->text);
    r->a = calloc(n, sizeof *r->a);
    r->p = calloc(n, sizeof *r->p);
    r->counts = calloc(n, sizeof *r->counts);
    assert_non_null(r->text);
    assert_non_null(r->a);
    assert_non_null(r->p);
    assert_non_null(r->counts);
    for (size_t i = 0; i < n; i++) {
        r->p[i] = r->a[i];
        r->counts[i] = nf;
    }
}

static void rows_set(struct rows *r, size_t i, size_t k, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text[i][k], sizeof r->text[i][k], fmt, ap);
    va_end(ap);
    r->a[i][k].field = field;
    r->a[i][k].value = r->text[i][k];
}

static void rows_free(struct rows *r)
{
    free(r->text);
    free(r->a);
    free(r->p);
    free(r->counts);
}

/* Households PREFIX-0..n-1 in village V1. */
static void households(struct rows *r, size_t n, const char *prefix)
{
    rows_init(r, n, 3);
    for (size_t i = 0; i < n; i++) {
        rows_set(r, i, 0, "number", "%s-%05zu", prefix, i);
        rows_set(r, i, 1, "village", "%s", V1);
        rows_set(r, i, 2, "head", "王%zu", i);
    }
}

struct refused { size_t n, row[16]; int status[16], hint[16]; char field[16][32]; };

static void on_row(void *ctx, size_t row, int status, const struct cz_field_error *err)
{
    struct refused *r = ctx;
    if (r->n < 16) {
        r->row[r->n] = row;
        r->status[r->n] = status;
        r->hint[r->n] = err ? (int)err->hint : 0;
        snprintf(r->field[r->n], sizeof r->field[r->n], "%s", err && err->field ? err->field->key : "");
    }
    r->n++;
}

static uint64_t log_seq(uint8_t last[32])
{
    cz_txn *t;
    uint64_t seq;
    uint8_t id[32];
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_last(t, cz_station_person_pk(g_st), &seq, last ? last : id), CZ_OK);
    cz_txn_abort(t);
    return seq;
}

static size_t count_type(const char *type)
{
    cz_txn *t;
    char term[64];
    size_t n;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_index_count(t, term, cz_term_type(term, sizeof term, type), &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

static void no_problem(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    if (kind != CZ_PROBLEM_PENDING) ++*(size_t *)ctx;
}

/* cz_verify finds no problem, and the person's log from seq `from` on is
 * one chain: each entry names the one before, clocks strictly rising, and
 * the station's clock is the last entry's. */
static void check_chain(uint64_t from)
{
    cz_txn *t;
    struct cz_verify_report rep;
    size_t problems = 0;
    uint64_t last, hlc_meta, prev_hlc = 0;
    uint8_t id[32], prev[32];
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, cz_station_info(g_st)->office_root, no_problem, &problems, &rep), CZ_OK);
    assert_int_equal(problems, 0);
    assert_int_equal(rep.problems, 0);
    assert_int_equal(cz_store_log_last(t, cz_station_person_pk(g_st), &last, id), CZ_OK);
    for (uint64_t s = from; s <= last; s++) {
        struct cz_entry e;
        assert_int_equal(cz_store_log_get(t, cz_station_person_pk(g_st), s, id), CZ_OK);
        assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
        assert_int_equal(e.seq, s);
        if (s > from) {
            assert_memory_equal(e.prev, prev, 32);
            assert_true(e.hlc > prev_hlc);
        }
        assert_int_equal(cz_entry_verify(&e), CZ_OK);
        prev_hlc = e.hlc;
        memcpy(prev, id, 32);
    }
    assert_int_equal(cz_meta_get_u64(t, "hlc", &hlc_meta), CZ_OK);
    assert_true(hlc_meta == prev_hlc);
    cz_txn_abort(t);
}

/* Many more rows than the ring holds: all stored, signed and chained. */
static void test_load_chain(void **state)
{
    struct rows r;
    size_t stored = 0;
    uint64_t before = log_seq(NULL);
    households(&r, 500, "A");
    assert_int_equal(cz_station_add_many(g_st, "household", r.p, r.counts, r.n, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, 500);
    assert_int_equal(log_seq(NULL), before + 500);
    assert_int_equal(count_type("household"), 500);
    check_chain(before > 0 ? before : 1);
    rows_free(&r);

    /* The single-row path goes on from where the load left the chain. */
    struct cz_assign a[] = { { "number", "A-SINGLE" }, { "village", V1 }, { "head", "单" } };
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], last[32];
    struct cz_field_error err;
    assert_int_equal(cz_station_add(g_st, "household", a, 3, entity, id, &err), CZ_OK);
    assert_int_equal(log_seq(last), before + 501);
    assert_memory_equal(last, id, 32);
    check_chain(before > 0 ? before : 1);
}

/* Duplicates whose first row is still being signed (adjacent), one whose
 * first is long stored, a value already in the store, and a refused row's
 * value used again (not a duplicate: nothing of a refused row counts). */
static void test_load_duplicates(void **state)
{
    struct rows r;
    struct refused ref = { 0 };
    size_t stored = 99;
    uint64_t before = log_seq(NULL);
    size_t n_before = count_type("household");
    households(&r, 400, "B");
    rows_set(&r, 11, 0, "number", "B-00010");      /* adjacent: in flight */
    rows_set(&r, 300, 0, "number", "B-00020");     /* long since stored */
    rows_set(&r, 350, 0, "number", "A-00007");     /* already in the store */
    rows_set(&r, 360, 2, "head", "%s", "");        /* refused: no head ... */
    rows_set(&r, 361, 0, "number", "B-00360");     /* ... so its number is free */
    assert_int_equal(cz_station_add_many(g_st, "household", r.p, r.counts, r.n, on_row, &ref, &stored),
                     CZ_EFIELD);
    assert_int_equal(stored, 0);
    assert_int_equal(ref.n, 4);
    assert_int_equal(ref.row[0], 11);
    assert_int_equal(ref.status[0], CZ_EEXIST);
    assert_string_equal(ref.field[0], "number");
    assert_int_equal(ref.row[1], 300);
    assert_int_equal(ref.status[1], CZ_EEXIST);
    assert_int_equal(ref.row[2], 350);
    assert_int_equal(ref.status[2], CZ_EEXIST);
    assert_int_equal(ref.row[3], 360);
    assert_string_equal(ref.field[3], "head");
    /* Nothing stored: not a record, not a log position, not a term. */
    assert_int_equal(log_seq(NULL), before);
    assert_int_equal(count_type("household"), n_before);
    rows_free(&r);
}

static int copy_entity(void *ctx, const uint8_t *e)
{
    memcpy(ctx, e, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

/* ID numbers of members, duplicates inside one file (the check letter in
 * either case). */
static void test_load_id_numbers(void **state)
{
    struct rows hh, r;
    struct refused ref = { 0 };
    size_t stored;
    households(&hh, 1, "C");
    assert_int_equal(cz_station_add_many(g_st, "household", hh.p, hh.counts, 1, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, 1);   /* one row: signed on this thread */
    rows_free(&hh);
    cz_txn *t;
    char term[64], hex[2 * CZ_ENTITY_BYTES + 1];
    uint8_t ent[CZ_ENTITY_BYTES];
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    size_t tl = cz_term_exact(term, sizeof term, "household", "number", "C-00000");
    assert_int_equal(cz_store_index_each(t, term, tl, copy_entity, ent), CZ_WALK_STOP);
    cz_txn_abort(t);
    for (size_t i = 0; i < CZ_ENTITY_BYTES; i++) snprintf(hex + 2 * i, 3, "%02x", ent[i]);

    static const char *ids[] = { "411024198001010011", "41102419800101002X", "411024198001010038",
                                 "41102419800101002x", "411024198001010046", "411024198001010011" };
    rows_init(&r, 6, 3);
    for (size_t i = 0; i < 6; i++) {
        rows_set(&r, i, 0, "household", "%.8s", hex);    /* a prefix, as a clerk may type it */
        rows_set(&r, i, 1, "name", "成员%zu", i);
        rows_set(&r, i, 2, "id_number", "%s", ids[i]);
    }
    uint64_t before = log_seq(NULL);
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, on_row, &ref, &stored), CZ_EFIELD);
    assert_int_equal(ref.n, 2);
    assert_int_equal(ref.row[0], 3);
    assert_int_equal(ref.status[0], CZ_EEXIST);
    assert_string_equal(ref.field[0], "id_number");
    assert_int_equal(ref.row[1], 5);
    assert_int_equal(log_seq(NULL), before);
    assert_int_equal(count_type("member"), 0);

    /* Without them the rest loads, chained. */
    r.n = 3;
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, 3);
    assert_int_equal(count_type("member"), 3);
    check_chain(before);
    rows_free(&r);
}

static void entity_of(const char *number, char hex[2 * CZ_ENTITY_BYTES + 1], uint8_t ent[CZ_ENTITY_BYTES])
{
    cz_txn *t;
    char term[64];
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    size_t tl = cz_term_exact(term, sizeof term, "household", "number", number);
    assert_int_equal(cz_store_index_each(t, term, tl, copy_entity, ent), CZ_WALK_STOP);
    cz_txn_abort(t);
    for (size_t i = 0; i < CZ_ENTITY_BYTES; i++) snprintf(hex + 2 * i, 3, "%02x", ent[i]);
}

/* References by full id, one after another to the same household (the
 * load remembers the last one), in upper case too, with a deleted
 * household's row between them refused by its own row. */
static void test_load_refs(void **state)
{
    struct rows r;
    struct refused ref = { 0 };
    size_t stored;
    char live[33], dead[33], upper[33];
    uint8_t ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    entity_of("A-00001", live, ent);
    entity_of("A-00002", dead, ent);
    assert_int_equal(cz_station_delete(g_st, ent, id), CZ_OK);
    for (size_t i = 0; i < 33; i++) upper[i] = (char)(live[i] >= 'a' && live[i] <= 'f' ? live[i] - 32 : live[i]);
    const char *hh[] = { live, live, dead, live, upper, dead, upper };
    rows_init(&r, 7, 2);
    for (size_t i = 0; i < 7; i++) {
        rows_set(&r, i, 0, "household", "%s", hh[i]);
        rows_set(&r, i, 1, "name", "引用%zu", i);
    }
    size_t before = count_type("member");
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, on_row, &ref, &stored), CZ_EFIELD);
    assert_int_equal(ref.n, 2);
    assert_int_equal(ref.row[0], 2);
    assert_string_equal(ref.field[0], "household");
    assert_int_equal(ref.row[1], 5);
    assert_int_equal(count_type("member"), before);
    /* The live ones load and live where the household does. */
    r.a[2][0].value = live;
    r.a[5][0].value = upper;
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, 7);
    assert_int_equal(count_type("member"), before + 7);
    cz_txn *t;
    char term[64];
    size_t n;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_index_count(t, term, cz_term_region(term, sizeof term, "member", V1), &n), CZ_OK);
    assert_int_equal(n, before + 7);   /* every member in the household's village */
    cz_txn_abort(t);
    rows_free(&r);
}

/* Rings of 1, 2 and 3 slots (CZ_LOAD_RING): this thread waits for the
 * signer at almost every row and the ring wraps every few rows; the same
 * refusals, and the same chain, as with the full ring. */
static void test_load_small_ring(void **state)
{
    static const char *rings[] = { "1", "2", "3" };
    for (size_t k = 0; k < 3; k++) {
        struct rows r;
        struct refused ref = { 0 };
        size_t stored;
        char prefix[8];
        snprintf(prefix, sizeof prefix, "R%zu", k);
        assert_int_equal(setenv("CZ_LOAD_RING", rings[k], 1), 0);
        uint64_t before = log_seq(NULL);
        size_t n_before = count_type("household");
        households(&r, 60, prefix);
        rows_set(&r, 5, 0, "number", "%s-00004", prefix);    /* the row before's */
        rows_set(&r, 40, 0, "number", "%s-00039", prefix);
        assert_int_equal(cz_station_add_many(g_st, "household", r.p, r.counts, r.n, on_row, &ref, &stored),
                         CZ_EFIELD);
        assert_int_equal(ref.n, 2);
        assert_int_equal(ref.row[0], 5);
        assert_int_equal(ref.row[1], 40);
        assert_int_equal(log_seq(NULL), before);
        rows_set(&r, 5, 0, "number", "%s-00005", prefix);
        rows_set(&r, 40, 0, "number", "%s-00040", prefix);
        assert_int_equal(cz_station_add_many(g_st, "household", r.p, r.counts, r.n, NULL, NULL, &stored), CZ_OK);
        assert_int_equal(stored, 60);
        assert_int_equal(log_seq(NULL), before + 60);
        assert_int_equal(count_type("household"), n_before + 60);
        check_chain(before);
        rows_free(&r);
    }
    unsetenv("CZ_LOAD_RING");
}

/* Records referring to household entity `ent`. */
static size_t links_to(const uint8_t ent[CZ_ENTITY_BYTES])
{
    cz_txn *t;
    char term[64];
    size_t n;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_index_count(t, term, cz_term_link(term, sizeof term, ent, CZ_ENTITY_BYTES), &n), CZ_OK);
    cz_txn_abort(t);
    return n;
}

/* A household stored as an import would store it: nothing checks that its
 * number is new (two stations may each have numbered one so). */
static void put_household(const char *number, const char *village)
{
    const struct cz_type *ty = cz_schema_type("household");
    struct cz_assign a[] = { { "number", number }, { "village", village }, { "head", "孪生" } };
    struct cz_field_error err;
    uint8_t id[CZ_ID_BYTES];
    cz_body *b = cz_body_new();
    assert_non_null(b);
    assert_int_equal(cz_schema_set_many(ty, b, a, 3, &err), CZ_OK);
    struct tk_put p = { .origin = cz_station_person_pk(g_st), .sign = tk_station_sign, .sign_ctx = g_st,
                        .type = "household", .region = village, .body = b };
    assert_int_equal(tk_put_entry(g_st, &p, id), 0);
    cz_body_free(b);
}

/* Members name their household by its number, as the paper forms do: one
 * match stores the household's id (the load remembering it from row to
 * row, and coming back to an earlier one); no match, a deleted household's
 * number, and a number two households here share are refused by row, with
 * nothing stored.  Only households in the station's village count; add
 * and edit take numbers too. */
static void test_load_numbers(void **state)
{
    struct rows r;
    struct refused ref = { 0 };
    size_t stored;
    char hex1[33], hex3[33];
    uint8_t e1[CZ_ENTITY_BYTES], e3[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], ent[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    entity_of("A-00001", hex1, e1);
    entity_of("A-00003", hex3, e3);
    put_household("TWIN-1", V1);
    put_household("TWIN-1", V1);
    put_household("TWIN-2", V1);
    put_household("TWIN-2", "411081106202");   /* the next village's: not here */
    size_t before1 = links_to(e1), before3 = links_to(e3), before = count_type("member");
    const char *hh[] = { "A-00001", "A-00001", "A-00003", "NOPE-1", "A-00001", "TWIN-1", "A-00002", "TWIN-2" };
    rows_init(&r, 8, 2);
    for (size_t i = 0; i < 8; i++) {
        rows_set(&r, i, 0, "household", "%s", hh[i]);
        rows_set(&r, i, 1, "name", "编号%zu", i);
    }
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, on_row, &ref, &stored), CZ_EFIELD);
    assert_int_equal(ref.n, 3);
    assert_int_equal(ref.row[0], 3);
    assert_string_equal(ref.field[0], "household");
    assert_int_equal(ref.hint[0], HINT_REF_NUMBER_NONE);
    assert_int_equal(ref.row[1], 5);
    assert_int_equal(ref.hint[1], HINT_REF_NUMBER_AMBIG);
    assert_int_equal(ref.row[2], 6);                    /* A-00002 was deleted */
    assert_int_equal(ref.hint[2], HINT_REF_NUMBER_NONE);
    assert_int_equal(count_type("member"), before);
    assert_int_equal(links_to(e1), before1);

    /* Without those rows: TWIN-2 is this village's one. */
    r.a[3][0].value = "A-00003";
    r.a[5][0].value = "A-00001";
    r.a[6][0].value = hex1;                             /* a full id is still an id */
    assert_int_equal(cz_station_add_many(g_st, "member", r.p, r.counts, r.n, NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, 8);
    assert_int_equal(links_to(e1), before1 + 5);
    assert_int_equal(links_to(e3), before3 + 2);

    /* add and edit: a number, and an id prefix that is nobody's number. */
    struct cz_assign a[] = { { "household", "A-00003" }, { "name", "单加" } };
    assert_int_equal(cz_station_add(g_st, "member", a, 2, ent, id, &err), CZ_OK);
    assert_int_equal(links_to(e3), before3 + 3);
    struct cz_assign move[] = { { "household", "A-00001" } };
    assert_int_equal(cz_station_edit(g_st, ent, move, 1, id, &err), CZ_OK);
    assert_int_equal(links_to(e3), before3 + 2);
    assert_int_equal(links_to(e1), before1 + 6);
    char prefix[9];
    snprintf(prefix, sizeof prefix, "%.8s", hex3);
    struct cz_assign back[] = { { "household", prefix } };
    assert_int_equal(cz_station_edit(g_st, ent, back, 1, id, &err), CZ_OK);
    assert_int_equal(links_to(e3), before3 + 3);
    struct cz_assign twin[] = { { "household", "TWIN-1" } };
    assert_int_equal(cz_station_edit(g_st, ent, twin, 1, id, &err), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_REF_NUMBER_AMBIG);
    assert_string_equal(err.detail, "TWIN-1");
    struct cz_assign none[] = { { "household", "NOPE-2" }, { "name", "无户" } };
    assert_int_equal(cz_station_add(g_st, "member", none, 2, ent, id, &err), CZ_EFIELD);
    assert_int_equal(err.hint, HINT_REF_NUMBER_NONE);
    rows_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_chain),
        cmocka_unit_test(test_load_duplicates),
        cmocka_unit_test(test_load_id_numbers),
        cmocka_unit_test(test_load_refs),
        cmocka_unit_test(test_load_small_ring),
        cmocka_unit_test(test_load_numbers),
    };
    /* Once as a village's load runs (index terms put row by row), once with
     * them put in sorted batches, as a load of 20,000 rows or more does. */
    int failed = cmocka_run_group_tests_name("row by row", tests, setup, teardown);
    if (setenv("CZ_LOAD_DEFER_ROWS", "2", 1)) return 1;
    failed += cmocka_run_group_tests_name("sorted batches", tests, setup, teardown);
    unsetenv("CZ_LOAD_DEFER_ROWS");
    return failed;
}
