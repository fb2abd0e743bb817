/* test_import_txn.c — an import in bounded write transactions (import.c,
 * import_txn.c): with a bound of a few KiB a bundle of a few hundred
 * records takes dozens of commits.  A child process killed right after
 * its Nth commit (the test hook CZ_TEST_IMPORT_KILL_AFTER) leaves the
 * bundle noted as unfinished (cz_sync_unfinished); importing it again
 * completes it, and the store then holds exactly what a station that
 * imported the bundle in one go holds (every table walked and hashed).
 * A bundle whose last entry is forged, or that is refused whole, applies
 * nothing however small the bound; a bundle that reads otherwise the
 * second time commits only what pass 1 verified (CZ_EREREAD) and is
 * completed by importing it again; a different bundle from the same sender
 * in between leaves the first one noted until it is imported again. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status.h"
#include "station.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"
#include "verify.h"

#define V1 "411081106201"
#define PASS "txn-pass"
#define ROWS 2500
#define SMALL "4096"          /* entry bytes a transaction takes: ~8 entries */

static struct tk_pair P;
static char g_one[160], g_bundle[4096];

static int setup(void **state)
{
    (void)state;
    return tk_pair_init(&P, "imptxn", "市办", V1, PASS);
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("CZ_IMPORT_TXN_BYTES");
    unsetenv("CZ_TEST_IMPORT_KILL_AFTER");
    tk_pair_free(&P);
    return 0;
}

/* n households added at the village, numbered from `from`. */
static void village_adds(size_t from, size_t n)
{
    struct cz_assign *rows[ROWS];
    size_t counts[ROWS], stored;
    static char numbers[ROWS][32];
    assert_true(n <= ROWS);
    for (size_t i = 0; i < n; i++) {
        rows[i] = calloc(3, sizeof *rows[i]);
        snprintf(numbers[i], sizeof numbers[i], "YSW-T-%04zu", from + i);
        rows[i][0] = (struct cz_assign){ "number", numbers[i] };
        rows[i][1] = (struct cz_assign){ "village", V1 };
        rows[i][2] = (struct cz_assign){ "head", "分批导入" };
        counts[i] = 3;
    }
    assert_int_equal(cz_station_add_many(P.village, "household", (const struct cz_assign *const *)rows, counts, n,
                                         NULL, NULL, &stored), CZ_OK);
    assert_int_equal(stored, n);
    for (size_t i = 0; i < n; i++) free(rows[i]);
}

/* The village's full export for the office, copied off the stick (a
 * later export supersedes it there): the copy's path into out. */
static void village_exports(char *out, size_t size)
{
    static int k;
    struct cz_peer *peers = NULL;
    size_t np = 0;
    struct cz_export_result er;
    char cmd[8400];
    assert_int_equal(cz_sync_peers(P.village, &peers, &np), CZ_OK);
    assert_int_equal(np, 1);
    assert_int_equal(cz_sync_export(P.village, P.stick, &peers[0], 1, &er), CZ_OK);
    free(peers);
    snprintf(out, size, "%s/bundle-%d.czb", P.dir, ++k);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", er.path, out);
    assert_int_equal(system(cmd), 0);
}

static cz_station *open_office(const char *dir)
{
    cz_station *st = NULL;
    assert_int_equal(cz_station_open(dir, &st), CZ_OK);
    assert_int_equal(cz_station_login(st, "张主任", PASS), CZ_OK);
    return st;
}

/* The office's folder copied (closed meanwhile): a twin that imports in
 * one go. */
static void twin_office(void)
{
    char cmd[512];
    snprintf(g_one, sizeof g_one, "%s/office-one", P.dir);
    cz_station_close(P.office);
    P.office = NULL;
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", P.odir, g_one);
    assert_int_equal(system(cmd), 0);
    P.office = open_office(P.odir);
}

/* Imports path at the office in a child process killed after its
 * kill_after-th commit; the office is closed across the fork (an LMDB
 * environment is never used across one) and opened again. */
static void import_killed(const char *path, const char *kill_after)
{
    cz_station_close(P.office);
    P.office = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct cz_import_result r;
        cz_station *st = NULL;
        setenv("CZ_IMPORT_TXN_BYTES", SMALL, 1);
        setenv("CZ_TEST_IMPORT_KILL_AFTER", kill_after, 1);
        if (cz_station_open(P.odir, &st) || cz_station_login(st, "张主任", PASS)) _exit(3);
        cz_sync_import_file(st, path, NULL, NULL, &r);
        _exit(4);                     /* never here: the hook kills */
    }
    int ws = 0;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws));
    assert_int_equal(WTERMSIG(ws), SIGKILL);
    P.office = open_office(P.odir);
}

static size_t entries_of(cz_station *st)
{
    struct cz_store_stats ss;
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, &ss), CZ_OK);
    cz_txn_abort(t);
    return ss.entries;
}

static size_t unfinished(cz_station *st, struct cz_import_unfinished *first)
{
    struct cz_import_unfinished *u = NULL;
    size_t n = 0;
    assert_int_equal(cz_sync_unfinished(st, &u, &n), CZ_OK);
    if (n && first) *first = u[0];
    free(u);
    return n;
}

/* ---- the state of a store, table by table ---- */

enum { D_ENTRY, D_LOG, D_FORK, D_JUDGED, D_CONC, D_META, D_OTHER, D_N };
struct digest { crypto_generichash_state h[D_N]; };

static void feed(crypto_generichash_state *h, const void *p, size_t len)
{
    uint8_t n[8];
    for (int i = 0; i < 8; i++) n[i] = (uint8_t)((uint64_t)len >> (8 * i));
    crypto_generichash_update(h, n, 8);
    crypto_generichash_update(h, p, len);
}

static int raw_cb(crypto_generichash_state *h, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    feed(h, k, kl);
    feed(h, v, vl);
    return 0;
}
static int entry_cb(void *c, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{ return raw_cb(&((struct digest *)c)->h[D_ENTRY], k, kl, v, vl); }
static int log_cb(void *c, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{ return raw_cb(&((struct digest *)c)->h[D_LOG], k, kl, v, vl); }
static int fork_cb(void *c, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{ return raw_cb(&((struct digest *)c)->h[D_FORK], k, kl, v, vl); }

/* Every meta value but when each peer was last heard from (the time of
 * the import itself). */
static int meta_cb(void *c, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    static const char skip[] = "sync_received:";
    if (kl >= sizeof skip - 1 && !memcmp(k, skip, sizeof skip - 1)) return 0;
    return raw_cb(&((struct digest *)c)->h[D_META], k, kl, v, vl);
}

static int judged_cb(void *c, const uint8_t id[CZ_ID_BYTES], int state, int why)
{
    int sw[2] = { state, why };
    feed(&((struct digest *)c)->h[D_JUDGED], id, CZ_ID_BYTES);
    feed(&((struct digest *)c)->h[D_JUDGED], sw, sizeof sw);
    return 0;
}

static int conc_cb(void *c, const uint8_t *id)
{
    feed(&((struct digest *)c)->h[D_CONC], id, CZ_ID_BYTES);
    return 0;
}

static void no_problem(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    (void)id; (void)kind; (void)status;
    ++*(int *)ctx;
}

/* out[D_N][32]: each table's hash; the bundles seen and the village's
 * acknowledgement go in D_OTHER with the counts.  verify must be clean. */
static void digest_of(cz_station *st, const uint8_t (*bundles)[32], size_t nb, uint8_t out[D_N][32])
{
    static struct digest d __attribute__((aligned(64)));
    struct cz_store_stats ss;
    struct cz_verify_report rep;
    const void *v;
    size_t len;
    int problems = 0;
    cz_txn *t = NULL;
    for (int i = 0; i < D_N; i++) crypto_generichash_init(&d.h[i], NULL, 0, 32);
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_each_entry(t, entry_cb, &d), CZ_OK);
    assert_int_equal(cz_store_each_log(t, log_cb, &d), CZ_OK);
    assert_int_equal(cz_store_each_fork(t, fork_cb, &d), CZ_OK);
    assert_int_equal(cz_store_each_judged(t, judged_cb, &d), CZ_OK);
    assert_int_equal(cz_store_each_concurrent(t, conc_cb, &d), CZ_OK);
    assert_int_equal(cz_meta_each_prefix(t, "", meta_cb, &d), CZ_OK);
    for (size_t i = 0; i < nb; i++) {
        assert_int_equal(cz_store_seen_get(t, bundles[i], &v, &len), CZ_OK);
        feed(&d.h[D_OTHER], v, len);
    }
    if (cz_store_peer_get(t, cz_station_info(P.village)->box_pk, &v, &len) == CZ_OK) feed(&d.h[D_OTHER], v, len);
    size_t records = 0;
    assert_int_equal(cz_store_stats(t, &ss), CZ_OK);
    assert_int_equal(cz_store_count_records(t, &records), CZ_OK);
    size_t counts[4] = { ss.entries, records, ss.logs, ss.forks };
    feed(&d.h[D_OTHER], counts, sizeof counts);
    assert_int_equal(cz_verify(t, cz_station_info(st)->office_root, no_problem, &problems, &rep), CZ_OK);
    assert_int_equal(rep.problems, 0);
    cz_txn_abort(t);
    for (int i = 0; i < D_N; i++) crypto_generichash_final(&d.h[i], out[i], 32);
}

static void assert_same_state(cz_station *a, cz_station *b, const uint8_t (*bundles)[32], size_t nb)
{
    uint8_t da[D_N][32], db[D_N][32];
    static const char *names[D_N] = { "entries", "logs", "forks", "judged", "conflicts", "meta", "seen/ack/counts" };
    digest_of(a, bundles, nb, da);
    digest_of(b, bundles, nb, db);
    for (int i = 0; i < D_N; i++)
        if (memcmp(da[i], db[i], 32)) fail_msg("the %s differ from the one-go import's", names[i]);
}

static void import_ok(cz_station *st, const char *path, struct cz_import_result *r)
{
    assert_int_equal(cz_sync_import_file(st, path, NULL, NULL, r), CZ_OK);
    assert_int_equal(r->status, CZ_OK);
}

/* Killed after its 3rd commit, completed by importing again: the same
 * state as one import in one transaction; status says unfinished between. */
static void test_killed_then_completed(void **state)
{
    struct cz_import_result r;
    struct cz_import_unfinished u;
    uint8_t ids[1][32];
    (void)state;
    village_adds(0, 300);
    village_exports(g_bundle, sizeof g_bundle);
    twin_office();
    size_t before = entries_of(P.office);

    import_killed(g_bundle, "3");
    size_t half = entries_of(P.office);
    assert_true(half > before);
    assert_true(half < before + 300);
    assert_int_equal(unfinished(P.office, &u), 1);
    assert_string_equal(u.path, g_bundle);
    /* Not enrolled at the office yet: named by its key, as on the Sync screen. */
    assert_int_equal(strlen(u.sender), 12);
    assert_memory_equal(u.sender_box, cz_station_info(P.village)->box_pk, 32);
    memcpy(ids[0], u.id, 32);

    setenv("CZ_IMPORT_TXN_BYTES", SMALL, 1);
    import_ok(P.office, g_bundle, &r);
    unsetenv("CZ_IMPORT_TXN_BYTES");
    assert_true(r.resumed);
    assert_true(r.duplicate > 0);
    assert_int_equal(unfinished(P.office, NULL), 0);
    /* A third time is a replay. */
    assert_int_equal(cz_sync_import_file(P.office, g_bundle, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_ESEEN);

    cz_station *one = open_office(g_one);
    import_ok(one, g_bundle, &r);
    assert_false(r.resumed);
    assert_int_equal(r.fresh, entries_of(one) - before);
    assert_same_state(P.office, one, (const uint8_t (*)[32])ids, 1);
    cz_station_close(one);
}

/* Killed, then the signer revoked at the office: the bundle can never be
 * completed, so it is refused and its note goes (status stops asking for
 * it); what the cut-short import stored stays. */
static void test_revoked_signer_forgets_note(void **state)
{
    struct cz_import_result r;
    uint8_t rid[CZ_ID_BYTES];
    (void)state;
    village_adds(0, 300);
    village_exports(g_bundle, sizeof g_bundle);
    import_killed(g_bundle, "3");
    size_t half = entries_of(P.office);
    assert_int_equal(unfinished(P.office, NULL), 1);
    assert_int_equal(cz_station_revoke(P.office, cz_station_person_pk(P.village), 0, "left", rid), CZ_OK);

    assert_int_equal(cz_sync_import_file(P.office, g_bundle, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_EREVOKED);
    assert_true(r.abandoned);
    assert_int_equal(unfinished(P.office, NULL), 0);
    assert_int_equal(entries_of(P.office), half + 1);      /* the revocation */
    /* Again: refused as before, nothing left to forget. */
    assert_int_equal(cz_sync_import_file(P.office, g_bundle, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_EREVOKED);
    assert_false(r.abandoned);
}

/* Killed, then a later bundle of the same sender imported whole: the first
 * stays noted until it is imported again, and the end state is the one-go
 * station's after both. */
static void test_other_bundle_between(void **state)
{
    struct cz_import_result r;
    struct cz_import_unfinished u;
    char second[4096];
    uint8_t ids[2][32];
    (void)state;
    village_adds(0, 300);
    village_exports(g_bundle, sizeof g_bundle);
    twin_office();
    import_killed(g_bundle, "2");
    assert_int_equal(unfinished(P.office, &u), 1);
    memcpy(ids[0], u.id, 32);

    village_adds(300, 20);
    village_exports(second, sizeof second);
    setenv("CZ_IMPORT_TXN_BYTES", SMALL, 1);
    import_ok(P.office, second, &r);
    memcpy(ids[1], r.id, 32);
    assert_false(r.resumed);
    assert_int_equal(unfinished(P.office, &u), 1);     /* the first, still */
    assert_memory_equal(u.id, ids[0], 32);
    import_ok(P.office, g_bundle, &r);
    unsetenv("CZ_IMPORT_TXN_BYTES");
    assert_true(r.resumed);
    assert_int_equal(r.fresh, 0);
    assert_int_equal(unfinished(P.office, NULL), 0);

    cz_station *one = open_office(g_one);
    import_ok(one, g_bundle, &r);
    import_ok(one, second, &r);
    assert_same_state(P.office, one, (const uint8_t (*)[32])ids, 2);
    cz_station_close(one);
}

/* The village's entries in log order, as stored (for bundles made by
 * hand): *e[i] malloc'd copies. */
struct raw_list { cz_txn *t; uint8_t **e; size_t *len, n, cap; };

static int collect_cb(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    struct raw_list *l = ctx;
    struct cz_entry e;
    (void)k; (void)kl;
    if (vl != CZ_ID_BYTES || cz_store_get_entry(l->t, v, &e)) return CZ_EDB;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
        l->len = realloc(l->len, l->cap * sizeof *l->len);
    }
    l->e[l->n] = malloc(e.raw_len);
    memcpy(l->e[l->n], e.raw, e.raw_len);
    l->len[l->n++] = e.raw_len;
    return 0;
}

static void village_entries(struct raw_list *l)
{
    memset(l, 0, sizeof *l);
    assert_int_equal(cz_txn_begin(cz_station_store(P.village), 0, &l->t), CZ_OK);
    assert_int_equal(cz_store_each_log(l->t, collect_cb, l), CZ_OK);
    cz_txn_abort(l->t);
}

static void raw_free(struct raw_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->e[i]);
    free(l->e);
    free(l->len);
}

/* The last entry's signature broken (validly signed bundle, every other
 * entry honest): nothing applied, though the bound makes every few
 * entries a transaction; the honest bundle then goes in. */
static void test_bad_last_applies_nothing(void **state)
{
    struct cz_import_result r;
    struct raw_list l;
    (void)state;
    village_adds(0, 100);
    village_entries(&l);
    assert_true(l.n > 100);
    size_t before = entries_of(P.office);
    setenv("CZ_IMPORT_TXN_BYTES", "600", 1);
    l.e[l.n - 1][l.len[l.n - 1] - 1] ^= 0x01;   /* the signature's last byte */
    assert_int_equal(tk_pair_deliver(&P, (const uint8_t *const *)l.e, l.len, l.n, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_ESIG);
    assert_int_equal(r.fresh, 0);
    assert_int_equal(entries_of(P.office), before);
    assert_int_equal(unfinished(P.office, NULL), 0);
    /* Refused whole by its trailing bytes: the same. */
    l.e[l.n - 1][l.len[l.n - 1] - 1] ^= 0x01;
    uint8_t *last = l.e[l.n - 1];
    l.e[l.n - 1] = realloc(last, l.len[l.n - 1] + 1);
    l.e[l.n - 1][l.len[l.n - 1]++] = 0;
    assert_int_equal(tk_pair_deliver(&P, (const uint8_t *const *)l.e, l.len, l.n, NULL, NULL, &r), CZ_OK);
    assert_int_not_equal(r.status, CZ_OK);
    assert_int_equal(entries_of(P.office), before);
    assert_int_equal(unfinished(P.office, NULL), 0);
    /* The honest bundle, in as many transactions. */
    l.len[l.n - 1]--;
    assert_int_equal(tk_pair_deliver(&P, (const uint8_t *const *)l.e, l.len, l.n, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(entries_of(P.office), before + l.n);
    assert_int_equal(unfinished(P.office, NULL), 0);
    unsetenv("CZ_IMPORT_TXN_BYTES");
    raw_free(&l);
}

/* A byte of the file flipped while pass 2 runs (the progress callback
 * does it once pass 1 is over): CZ_EREREAD, what was committed is what
 * pass 1 verified, the bundle noted unfinished; restored, it completes. */
struct flipper { const char *path; off_t at; int done; };

static void flip(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    uint8_t b;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0xff;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

static void flip_cb(void *ctx, size_t done, size_t total)
{
    struct flipper *f = ctx;
    /* Pass 1 is over once half the bar is done (each pass is half). */
    if (!f->done && total && done * 2 + 1 >= total) {
        flip(f->path, f->at);
        f->done = 1;
    }
}

static void test_reread_otherwise(void **state)
{
    struct cz_import_result r;
    struct cz_import_unfinished u;
    (void)state;
    /* Several 64 KiB chunks, more entries than pass 2 reads ahead (4 batches of 256). */
    village_adds(0, ROWS);
    village_exports(g_bundle, sizeof g_bundle);
    twin_office();
    size_t before = entries_of(P.office);
    FILE *f = fopen(g_bundle, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    off_t size = ftell(f);
    fclose(f);
    struct flipper fl = { .path = g_bundle, .at = size - 100 };
    struct cz_progress pr = { flip_cb, &fl };
    setenv("CZ_IMPORT_TXN_BYTES", SMALL, 1);
    assert_int_equal(cz_sync_import_file_with(P.office, g_bundle, NULL, NULL, &pr, &r), CZ_EREREAD);
    assert_true(fl.done);
    assert_true(r.unfinished);
    size_t half = entries_of(P.office);
    assert_true(half > before);
    assert_int_equal(unfinished(P.office, &u), 1);
    flip(g_bundle, size - 100);
    import_ok(P.office, g_bundle, &r);
    unsetenv("CZ_IMPORT_TXN_BYTES");
    assert_true(r.resumed);
    assert_int_equal(unfinished(P.office, NULL), 0);

    uint8_t ids[1][32];
    memcpy(ids[0], r.id, 32);
    cz_station *one = open_office(g_one);
    import_ok(one, g_bundle, &r);
    assert_same_state(P.office, one, (const uint8_t (*)[32])ids, 1);
    cz_station_close(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_killed_then_completed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_bundle_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_signer_forgets_note, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_last_applies_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reread_otherwise, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
