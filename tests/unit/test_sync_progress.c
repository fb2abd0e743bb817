/* test_sync_progress.c — the progress callback of export and import
 * (sync.h, cz_sync_export_with / cz_sync_import_with): told often enough
 * for a bar, never going back, ending at done == total, and the result
 * the same as without it; the last-sync times (cz_sync_last, and
 * cz_sync_latest derived from them: a failed export is not "sent", an
 * old build's "last_sync" meta record is ignored); the
 * conflicts walk and resolve shared by the CLI and the screens
 * (conflicts.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conflicts.h"
#include "hex.h"
#include "query.h"
#include "station.h"
#include "status.h"
#include "stick.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "progress-pass"
#define ROWS 700

static struct tk_pair P;

static int setup(void **state)
{
    return tk_pair_init(&P, "progress", "市办", V1, PASS);
}

static int teardown(void **state)
{
    tk_pair_free(&P);
    return 0;
}

struct calls { size_t n, last_done, last_total; int backwards, total_changed; };

static void count_cb(void *ctx, size_t done, size_t total)
{
    struct calls *c = ctx;
    if (c->n && done < c->last_done) c->backwards = 1;
    if (c->n && total != c->last_total) c->total_changed = 1;
    c->n++;
    c->last_done = done;
    c->last_total = total;
}

static uint8_t g_household[CZ_ENTITY_BYTES];

/* Imports every bundle on the stick for st. */
static void import_all(cz_station *st, const struct cz_progress *pr, struct cz_import_result *last)
{
    char **files = NULL;
    size_t n = 0;
    assert_int_equal(cz_stick_bundles(P.stick, cz_station_info(st)->box_pk, &files, &n), CZ_OK);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t *buf;
        size_t len;
        assert_int_equal(cz_read_file(files[i], &buf, &len), CZ_OK);
        if (pr) memset(pr->ctx, 0, sizeof(struct calls));   /* each bundle starts at 0 */
        assert_int_equal(cz_sync_import_with(st, buf, len, NULL, NULL, pr, last), CZ_OK);
        free(buf);
        remove(files[i]);
    }
    cz_stick_bundles_free(files, n);
}

/* An export that fails on the stick (its cunzhan folder is a plain file,
 * which stops root too) notes nothing as sent, and an old build's single
 * "last_sync" record is not taken for a sync. */
static void test_failed_export_not_sent(void **state)
{
    struct cz_peer *peers = NULL;
    size_t np = 0;
    uint64_t sent = 1, received = 1;
    struct cz_sync_last last;
    struct cz_export_result res;
    char bad[160], file[192];
    cz_txn *t = NULL;
    uint8_t legacy[41] = { CZ_SYNC_EXPORT, 0, 0, 0, 0, 0x65, 0, 0, 0 };

    assert_int_equal(cz_sync_peers(P.village, &peers, &np), CZ_OK);
    assert_int_equal(np, 1);
    memcpy(legacy + 9, peers[0].box, 32);
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 1, &t), CZ_OK);
    assert_int_equal(cz_meta_put(t, "last_sync", legacy, sizeof legacy), CZ_OK);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    assert_int_equal(cz_sync_latest(P.village, &last), CZ_ENOTFOUND);

    snprintf(bad, sizeof bad, "%s/badstick", P.dir);
    snprintf(file, sizeof file, "%s/cunzhan", bad);
    assert_int_equal(mkdir(bad, 0755), 0);
    assert_int_equal(tk_write_file(file, "", 0), 0);
    assert_int_not_equal(cz_sync_export(P.village, bad, &peers[0], 1, &res), CZ_OK);
    assert_int_equal(cz_sync_last(P.village, peers[0].box, &sent, &received), CZ_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(received, 0);
    assert_int_equal(cz_sync_latest(P.village, &last), CZ_ENOTFOUND);
    /* A stick that is not there at all. */
    snprintf(bad, sizeof bad, "%s/gone/stick", P.dir);
    snprintf(file, sizeof file, "%s/gone", P.dir);
    assert_int_equal(tk_write_file(file, "", 0), 0);
    assert_int_not_equal(cz_sync_export(P.village, bad, &peers[0], 1, &res), CZ_OK);
    assert_int_equal(cz_sync_latest(P.village, &last), CZ_ENOTFOUND);
    free(peers);
}

static void test_export_import_progress(void **state)
{
    struct cz_assign *rows[ROWS];
    size_t counts[ROWS], stored;
    static char numbers[ROWS][32];
    for (size_t i = 0; i < ROWS; i++) {
        rows[i] = calloc(3, sizeof *rows[i]);
        snprintf(numbers[i], sizeof numbers[i], "YSW-P-%04zu", i);
        rows[i][0] = (struct cz_assign){ "number", numbers[i] };
        rows[i][1] = (struct cz_assign){ "village", V1 };
        rows[i][2] = (struct cz_assign){ "head", "进度测试" };
        counts[i] = 3;
    }
    assert_int_equal(cz_station_add_many(P.village, "household", (const struct cz_assign *const *)rows, counts,
                                         ROWS, NULL, NULL, &stored), CZ_OK);
    for (size_t i = 0; i < ROWS; i++) free(rows[i]);

    struct cz_peer *peers = NULL;
    size_t np = 0;
    uint64_t sent, received;
    assert_int_equal(cz_sync_peers(P.village, &peers, &np), CZ_OK);
    assert_int_equal(np, 1);
    assert_int_equal(cz_sync_last(P.village, peers[0].box, &sent, &received), CZ_OK);
    assert_true(sent == 0 && received == 0);

    struct calls c = { 0 };
    struct cz_progress pr = { count_cb, &c };
    struct cz_export_result res;
    assert_int_equal(cz_sync_export_with(P.village, P.stick, &peers[0], 0, &pr, &res), CZ_OK);
    assert_true(res.entries >= ROWS);
    assert_true(c.n >= 3);                    /* start, every 256 entries, end */
    assert_false(c.backwards);
    assert_false(c.total_changed);
    assert_int_equal(c.last_done, c.last_total);
    assert_int_equal(cz_sync_last(P.village, peers[0].box, &sent, &received), CZ_OK);
    assert_true(sent > 0);
    assert_int_equal(received, 0);
    /* The home screen's line is the same time, named as the Sync screen names the peer. */
    struct cz_sync_last last;
    assert_int_equal(cz_sync_latest(P.village, &last), CZ_OK);
    assert_int_equal(last.dir, CZ_SYNC_EXPORT);
    assert_int_equal(last.when, (int64_t)(sent / 1000));
    assert_memory_equal(last.box, peers[0].box, 32);
    assert_string_equal(last.with, "市办");

    /* The same export without progress writes as many entries. */
    struct cz_export_result plain;
    assert_int_equal(cz_sync_export(P.village, P.stick, &peers[0], 1, &plain), CZ_OK);
    assert_int_equal(plain.entries, res.entries);
    free(peers);

    /* Import at the office: the first bundle with progress, the full one
     * a replay of the same entries. */
    struct calls ci = { 0 };
    struct cz_progress pri = { count_cb, &ci };
    struct cz_import_result ir;
    import_all(P.office, &pri, &ir);
    assert_true(ci.n >= 3);
    assert_false(ci.backwards);
    assert_int_equal(ci.last_done, ci.last_total);
    assert_int_equal(cz_sync_last(P.office, cz_station_info(P.village)->box_pk, &sent, &received), CZ_OK);
    assert_true(received > 0);
    assert_int_equal(sent, 0);
    /* The office has not enrolled the village: still its last sync, named by key. */
    char hex[65];
    cz_hex(cz_station_info(P.village)->box_pk, 32, hex);
    assert_int_equal(cz_sync_latest(P.office, &last), CZ_OK);
    assert_int_equal(last.dir, CZ_SYNC_IMPORT);
    assert_int_equal(last.when, (int64_t)(received / 1000));
    assert_true(strncmp(last.with, hex, 12) == 0);
}

static int first_cb(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                    const struct cz_merged *m)
{
    memcpy(ctx, entity, CZ_ENTITY_BYTES);
    return 0;
}

static int find_cb(void *ctx, const uint8_t *entity)
{
    memcpy(ctx, entity, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

static void test_conflict_resolve(void **state)
{
    size_t n = 9;
    uint8_t id[CZ_ID_BYTES], entity[CZ_ENTITY_BYTES];
    struct cz_field_error err;
    cz_txn *t = NULL;
    struct cz_assign a = { "number", "YSW-P-0001" };
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    cz_query_list(t, cz_schema_type("household"), &a, 1, find_cb, g_household, NULL);
    cz_txn_abort(t);

    assert_int_equal(cz_conflicts_count(P.office, &n), CZ_OK);
    assert_int_equal(n, 0);
    struct cz_assign p1 = { "phone", "13600000001" }, p2 = { "phone", "13600000002" };
    assert_int_equal(cz_resolve(P.office, g_household, &p1, 1, id, &err), CZ_ENOTFOUND);

    /* Both sides change the phone, then the village's edit reaches the office. */
    assert_int_equal(cz_station_edit(P.office, g_household, &p1, 1, id, &err), CZ_OK);
    assert_int_equal(cz_station_edit(P.village, g_household, &p2, 1, id, &err), CZ_OK);
    struct cz_peer *peers = NULL;
    size_t np = 0;
    struct cz_export_result res;
    struct cz_import_result ir;
    assert_int_equal(cz_sync_peers(P.village, &peers, &np), CZ_OK);
    assert_int_equal(cz_sync_export(P.village, P.stick, &peers[0], 0, &res), CZ_OK);
    free(peers);
    import_all(P.office, NULL, &ir);
    assert_int_equal(ir.status, CZ_OK);
    assert_int_equal(cz_conflicts_count(P.office, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cz_txn_begin(cz_station_store(P.office), 0, &t), CZ_OK);
    assert_int_equal(cz_conflicts_each(t, first_cb, entity), CZ_OK);
    cz_txn_abort(t);
    assert_memory_equal(entity, g_household, CZ_ENTITY_BYTES);

    /* A value refused names its field and stores nothing. */
    struct cz_assign bad = { "phone", "abc" };
    assert_int_not_equal(cz_resolve(P.office, g_household, &bad, 1, id, &err), CZ_OK);
    assert_non_null(err.field);
    assert_int_equal(cz_conflicts_count(P.office, &n), CZ_OK);
    assert_int_equal(n, 1);

    assert_int_equal(cz_resolve(P.office, g_household, &p2, 1, id, &err), CZ_OK);
    assert_int_equal(cz_conflicts_count(P.office, &n), CZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cz_resolve(P.office, g_household, &p2, 1, id, &err), CZ_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_export_not_sent),
        cmocka_unit_test(test_export_import_progress),
        cmocka_unit_test(test_conflict_resolve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
