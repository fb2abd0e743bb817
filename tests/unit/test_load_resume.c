/* test_load_resume.c — a load from a file (station.h, cz_station_load):
 * the CSV reader streamed (cz_csv_open, cz_csv_next, cz_csv_rewind give
 * the rows cz_csv_load gives), the whole file validated before a row is
 * stored (a bad last row, a household and year twice in the file), the
 * rows written in bounded transactions (CZ_LOAD_TXN_BYTES lowered), a
 * load that stopped after some commits (its source failing half-way
 * through the writing pass) noted as unfinished, another file refused
 * while it is, the same file resumed after the rows stored: each row once,
 * one chain, cz_verify clean; and an abandoned load's rows kept.  All of
 * it with the first pass on one thread and on three (CZ_LOAD_CHECKERS),
 * where a number or a household and year is found in another thread's
 * rows.  Real LMDB, real signatures, in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "grow.h"
#include "index.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "testkit.h"
#include "verify.h"

#define V1 "411081106201"
#define PASS "resume-pass"

static struct tk_pair P;
static cz_station *g_st;

static int setup(void **state)
{
    if (tk_pair_init(&P, "resume", "市办", V1, PASS)) return -1;
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

/* A CSV text as a load's source; fail_after > 0 makes the writing pass
 * (the second time round) fail after that many rows, as a killed load
 * stops. */
struct src {
    struct cz_csv csv;
    char *text;
    size_t len;
    size_t given, rounds, fail_after;
    struct cz_load_source s;
};

static int src_next(void *ctx, const struct cz_assign **a, size_t *n, size_t *tag)
{
    struct src *sr = ctx;
    struct cz_csv_row r;
    if (sr->fail_after && sr->rounds == 2 && sr->given == sr->fail_after) return CZ_EIO;
    int rc = cz_csv_next(&sr->csv, &r);
    if (rc) return rc;
    sr->given++;
    *a = r.a;
    *n = r.n;
    *tag = r.line;
    return CZ_OK;
}

/* Another cursor: the same sheet (cz_csv_dup), counted on its own. */
static int src_dup(void *ctx, void **out)
{
    struct src *sr = ctx;
    struct src *d = calloc(1, sizeof *d);
    assert_non_null(d);
    *d = *sr;
    d->given = 0;
    d->rounds = 1;                      /* a first-pass cursor: never fails */
    d->fail_after = 0;
    d->text = NULL;
    assert_int_equal(cz_csv_dup(&sr->csv, &d->csv), CZ_OK);
    *out = d;
    return CZ_OK;
}

static void src_dup_free(void *ctx)
{
    struct src *d = ctx;
    cz_csv_free(&d->csv);
    free(d);
}

static void src_rewind(void *ctx)
{
    struct src *sr = ctx;
    sr->rounds++;
    sr->given = 0;
    cz_csv_rewind(&sr->csv);
}

static void src_open(struct src *sr, const char *type, char *text, const char *name)
{
    memset(sr, 0, sizeof *sr);
    sr->text = text;
    sr->len = strlen(text);
    assert_int_equal(cz_csv_open(cz_schema_type(type), text, sr->len, &sr->csv), CZ_OK);
    sr->s = (struct cz_load_source){ .nrows = sr->csv.nrows, .next = src_next, .rewind = src_rewind, .ctx = sr,
                                     .dup = src_dup, .dup_free = src_dup_free, .name = name };
    crypto_generichash(sr->s.hash, sizeof sr->s.hash, (const unsigned char *)text, sr->len, NULL, 0);
}

static void src_close(struct src *sr)
{
    cz_csv_free(&sr->csv);
    free(sr->text);
}

/* Households PREFIX-1..n in V1, a CSV text (the caller frees it); `last`
 * (may be NULL) is one more row at the end. */
static char *households_csv(const char *prefix, size_t n, const char *last)
{
    char *buf = NULL;
    size_t cap = 0, len = 0;
    assert_int_equal(cz_grow(&buf, &cap, 64 * (n + 2), 1), CZ_OK);
    len += (size_t)sprintf(buf, "number,village,head\n");
    for (size_t i = 1; i <= n; i++) len += (size_t)sprintf(buf + len, "%s-%zu,%s,户主%zu\n", prefix, i, V1, i);
    if (last) sprintf(buf + len, "%s\n", last);
    return buf;
}

struct refused { size_t n, tag[8]; int status[8]; char detail[8][sizeof ((struct cz_field_error *)0)->detail]; };

static void on_row(void *ctx, size_t tag, int status, const struct cz_field_error *err)
{
    struct refused *r = ctx;
    if (r->n < 8) {
        r->tag[r->n] = tag;
        r->status[r->n] = status;
        snprintf(r->detail[r->n], sizeof r->detail[r->n], "%s", err ? err->detail : "");
    }
    r->n++;
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

static uint64_t log_seq(void)
{
    cz_txn *t;
    uint64_t seq;
    uint8_t id[32];
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_log_last(t, cz_station_person_pk(g_st), &seq, id), CZ_OK);
    cz_txn_abort(t);
    return seq;
}

static void no_problem(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    if (kind != CZ_PROBLEM_PENDING) ++*(size_t *)ctx;
}

static void verify_clean(void)
{
    cz_txn *t;
    struct cz_verify_report rep;
    size_t problems = 0;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, cz_station_info(g_st)->office_root, no_problem, &problems, &rep), CZ_OK);
    cz_txn_abort(t);
    assert_int_equal(problems, 0);
    assert_int_equal(rep.problems, 0);
}

/* How many live households are numbered `number` (1: stored once). */
static size_t numbered(const char *number)
{
    cz_txn *t;
    char term[128];
    size_t n;
    assert_int_equal(cz_txn_begin(cz_station_store(g_st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_index_count(t, term, cz_term_exact(term, sizeof term, "household", "number", number), &n),
                     CZ_OK);
    cz_txn_abort(t);
    return n;
}

/* The streamed rows are the rows cz_csv_load gives, again after a rewind,
 * blank rows skipped, lines as the sheet counts them. */
static void test_csv_stream(void **state)
{
    const char *text = "number,village,head\r\nA-1," V1 ",王秀英\r\n,,\r\n\"A-2\"," V1 ",\"李,四\"\r\n";
    const struct cz_type *ty = cz_schema_type("household");
    struct cz_csv whole, c;
    struct cz_csv_row r;
    assert_int_equal(cz_csv_load(ty, text, strlen(text), &whole), CZ_OK);
    assert_int_equal(cz_csv_open(ty, text, strlen(text), &c), CZ_OK);
    assert_int_equal(c.nrows, 2);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < whole.nrows; i++) {
            assert_int_equal(cz_csv_next(&c, &r), CZ_OK);
            assert_int_equal(r.n, whole.counts[i]);
            assert_int_equal(r.line, whole.line_of[i]);
            for (size_t k = 0; k < r.n; k++) {
                assert_string_equal(r.a[k].field, whole.rows[i][k].field);
                assert_string_equal(r.a[k].value, whole.rows[i][k].value);
            }
        }
        assert_int_equal(cz_csv_next(&c, &r), CZ_ENOTFOUND);
        cz_csv_rewind(&c);
    }
    assert_int_equal(whole.line_of[1], 4);
    assert_string_equal(whole.rows[1][2].value, "李,四");
    cz_csv_free(&c);
    cz_csv_free(&whole);
}

/* A bad row at the end, and a number taken earlier in the same file, are
 * found before anything is stored, each named by its line. */
static void test_validated_whole(void **state)
{
    struct src sr;
    struct cz_load_state ls;
    struct refused ref = { 0 };
    size_t stored = 99, before = count_type("household");
    uint64_t seq = log_seq();
    src_open(&sr, "household", households_csv("V", 400, "V-7," V1 ",重号"), "dup.csv");
    assert_int_equal(cz_station_load(g_st, "household", &sr.s, on_row, &ref, NULL, &ls, &stored), CZ_EFIELD);
    assert_int_equal(stored, 0);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.tag[0], 402);
    assert_int_equal(ref.status[0], CZ_EEXIST);
    assert_int_equal(count_type("household"), before);
    assert_int_equal(log_seq(), seq);
    assert_int_equal(cz_station_load_unfinished(g_st, &ls), CZ_OK);
    assert_false(ls.unfinished);
    src_close(&sr);

    /* Two incomes of one household and year: the second named, with the
     * first's line. */
    src_open(&sr, "household", households_csv("Y", 2, NULL), "y.csv");
    assert_int_equal(cz_station_load(g_st, "household", &sr.s, NULL, NULL, NULL, &ls, &stored), CZ_OK);
    src_close(&sr);
    char *inc = strdup("household,year,wages\nY-1,2025,1000\nY-2,2025,900\nY-1,2024,800\nY-1,2025,1100\n");
    memset(&ref, 0, sizeof ref);
    src_open(&sr, "income", inc, "income.csv");
    assert_int_equal(cz_station_load(g_st, "income", &sr.s, on_row, &ref, NULL, &ls, &stored), CZ_EFIELD);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.tag[0], 5);
    assert_int_equal(ref.status[0], CZ_EEXIST);
    assert_string_equal(ref.detail[0], "#2");
    assert_int_equal(count_type("income"), 0);
    src_close(&sr);
}

/* Stopped after some commits, refused for another file, resumed. */
static void test_resume(void **state)
{
    struct src sr, other;
    struct cz_load_state ls;
    size_t stored = 0, before = count_type("household");
    uint64_t seq = log_seq();
    assert_int_equal(setenv("CZ_LOAD_TXN_BYTES", "6000", 1), 0);

    src_open(&sr, "household", households_csv("R", 700, NULL), "r.csv");
    sr.fail_after = 450;
    assert_int_equal(cz_station_load(g_st, "household", &sr.s, NULL, NULL, NULL, &ls, &stored), CZ_EIO);
    assert_false(ls.unfinished);
    /* Up to the 450 rows read: a commit may fall right after the last of
     * them, depending on how far the signer had got. */
    size_t done = count_type("household") - before;
    assert_true(done > 0 && done <= 450);
    assert_int_equal(stored, done);
    assert_int_equal(cz_station_load_unfinished(g_st, &ls), CZ_OK);
    assert_true(ls.unfinished);
    assert_int_equal(ls.done, done);
    assert_int_equal(ls.total, 700);
    assert_string_equal(ls.name, "r.csv");
    assert_string_equal(ls.type, "household");
    assert_memory_equal(ls.hash, sr.s.hash, 32);

    /* Another file: refused, nothing stored, the note kept. */
    src_open(&other, "household", households_csv("Q", 3, NULL), "q.csv");
    assert_int_equal(cz_station_load(g_st, "household", &other.s, NULL, NULL, NULL, &ls, &stored), CZ_ELOADOTHER);
    assert_string_equal(ls.name, "r.csv");
    assert_int_equal(ls.done, done);
    assert_int_equal(count_type("household") - before, done);

    /* The same file: on after the rows stored. */
    sr.fail_after = 0;
    assert_int_equal(cz_station_load(g_st, "household", &sr.s, NULL, NULL, NULL, &ls, &stored), CZ_OK);
    assert_true(ls.unfinished);
    assert_int_equal(ls.done, done);
    assert_int_equal(stored, 700 - done);
    assert_int_equal(count_type("household") - before, 700);
    assert_int_equal(log_seq(), seq + 700);
    char num[32];
    for (size_t i = 1; i <= 700; i++) {
        snprintf(num, sizeof num, "R-%zu", i);
        assert_int_equal(numbered(num), 1);
    }
    verify_clean();
    assert_int_equal(cz_station_load_unfinished(g_st, &ls), CZ_OK);
    assert_false(ls.unfinished);
    /* Now the other file loads. */
    assert_int_equal(cz_station_load(g_st, "household", &other.s, NULL, NULL, NULL, &ls, &stored), CZ_OK);
    assert_int_equal(stored, 3);
    src_close(&other);
    src_close(&sr);
    unsetenv("CZ_LOAD_TXN_BYTES");
}

/* An abandoned load: the note gone, its rows kept and valid. */
static void test_abandon(void **state)
{
    struct src sr;
    struct cz_load_state ls;
    size_t stored = 0, before = count_type("household");
    assert_int_equal(setenv("CZ_LOAD_TXN_BYTES", "6000", 1), 0);
    src_open(&sr, "household", households_csv("Z", 300, NULL), "z.csv");
    sr.fail_after = 200;
    assert_int_equal(cz_station_load(g_st, "household", &sr.s, NULL, NULL, NULL, &ls, &stored), CZ_EIO);
    size_t done = count_type("household") - before;
    assert_true(done > 0);
    assert_int_equal(cz_station_load_abandon(g_st, &ls), CZ_OK);
    assert_true(ls.unfinished);
    assert_int_equal(ls.done, done);
    assert_int_equal(cz_station_load_abandon(g_st, &ls), CZ_OK);
    assert_false(ls.unfinished);
    assert_int_equal(count_type("household") - before, done);
    verify_clean();
    src_close(&sr);
    unsetenv("CZ_LOAD_TXN_BYTES");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_stream),
        cmocka_unit_test(test_validated_whole),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_abandon),
    };
    /* The first pass on this thread alone, then on three, each row
     * checked against the other threads' runs. */
    int failed = cmocka_run_group_tests_name("one checker", tests, setup, teardown);
    if (setenv("CZ_LOAD_CHECKERS", "3", 1)) return 1;
    failed += cmocka_run_group_tests_name("three checkers", tests, setup, teardown);
    unsetenv("CZ_LOAD_CHECKERS");
    return failed;
}
