/* test_dbfail.c — a store that is damaged, truncated or full says so
 * (store.h): real LMDB files in a mkdtemp folder, cut and overwritten as a
 * pulled plug or a failing disk leaves them; a tiny map filled until it
 * grows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

struct fx { char dir[64], db[96], data[128]; };

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || tk_tmpdir(f->dir, sizeof f->dir, "dbfail")) { free(f); return -1; }
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    snprintf(f->data, sizeof f->data, "%s/data.mdb", f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    assert_int_equal(tk_rmtree(f->dir), 0);
    free(f);
    return 0;
}

#define VAL 4000

/* One write transaction putting n values of VAL bytes named prefix.i. */
static int put_many(cz_store *s, const char *prefix, int n)
{
    static uint8_t v[VAL];
    char name[64];
    cz_txn *t;
    int rc = cz_txn_begin(s, 1, &t);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        memset(v, i & 0xff, sizeof v);
        snprintf(name, sizeof name, "%s.%d", prefix, i);
        if ((rc = cz_meta_put(t, name, v, sizeof v))) { cz_txn_abort(t); return rc; }
    }
    return cz_txn_commit(t);
}

/* A store with a station's worth of meta in it, closed. */
static void make_store(struct fx *f)
{
    cz_store *s;
    assert_int_equal(cz_store_open(f->db, 1, &s), CZ_OK);
    assert_int_equal(put_many(s, "x", 40), CZ_OK);
    cz_store_close(s);
}

static off_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_size;
}

static int open_status(struct fx *f)
{
    cz_store *s = (cz_store *)0x1;
    int rc = cz_store_open(f->db, 0, &s);
    if (rc == CZ_OK) cz_store_close(s);
    else assert_null(s);
    return rc;
}

/* --- truncated ------------------------------------------------------------ */

static void test_truncated(void **state)
{
    struct fx *f = *state;
    make_store(f);
    off_t full = file_size(f->data);
    assert_true(full > 8 * 4096);
    assert_int_equal(open_status(f), CZ_OK);

    /* Cut in the middle: opening used to map it and die of SIGBUS at the
     * first read of a page past the end. */
    assert_int_equal(truncate(f->data, full / 2), 0);
    assert_int_equal(open_status(f), CZ_EDBTRUNC);
    /* Nothing was written by the refused open. */
    assert_int_equal(file_size(f->data), full / 2);
    /* One page short. */
    assert_int_equal(truncate(f->data, full - 4096), 0);
    assert_int_equal(open_status(f), CZ_EDBTRUNC);
    /* Shorter than the two meta pages. */
    assert_int_equal(truncate(f->data, 5000), 0);
    assert_int_equal(open_status(f), CZ_EDBTRUNC);
    /* Empty, or gone: LMDB would make a new, empty store of it.  Gone is
     * also an init cut short: no station, rather than truncated. */
    assert_int_equal(truncate(f->data, 0), 0);
    assert_int_equal(open_status(f), CZ_EDBTRUNC);
    assert_int_equal(file_size(f->data), 0);
    assert_int_equal(unlink(f->data), 0);
    assert_int_equal(open_status(f), CZ_EDBNOINFO);
    assert_int_not_equal(access(f->data, F_OK), 0);
}

/* --- meta pages -------------------------------------------------------------- */

static void overwrite(const char *path, off_t at, const void *bytes, size_t len)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, bytes, len, at), (ssize_t)len);
    close(fd);
}

static void test_meta_damaged(void **state)
{
    struct fx *f = *state;
    static const uint8_t zero[4096];
    make_store(f);
    /* One meta page zeroed: LMDB refuses the file. */
    overwrite(f->data, 0, zero, sizeof zero);
    assert_int_equal(open_status(f), CZ_EDBMETA);
    /* Both. */
    overwrite(f->data, 4096, zero, sizeof zero);
    assert_int_equal(open_status(f), CZ_EDBMETA);
}

static void test_meta_version(void **state)
{
    struct fx *f = *state;
    make_store(f);
    /* The meta's version field (after the page header and the magic), as
     * another LMDB format would write it.  The header is a page number
     * (a size_t: 4 bytes on a 32-bit build) then 8 bytes of flags and
     * bounds. */
    uint32_t v = 99;
    overwrite(f->data, sizeof(size_t) + 8 + 4, &v, sizeof v);
    assert_int_equal(open_status(f), CZ_EDBMETA);
}

/* A main table that does not name the store's tables (what a meta page
 * pointing at the wrong root gives): damaged, and no empty meta table is
 * made in it, which would make a station's folder look like no station. */
static void test_lost_tables(void **state)
{
    struct fx *f = *state;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mkdir(f->db, 0700), 0);
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 4);
    assert_int_equal(mdb_env_open(env, f->db, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "entries", MDB_CREATE, &dbi), 0);
    MDB_val k = { 3, "abc" }, d = { 3, "def" };
    assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    assert_int_equal(open_status(f), CZ_EDBDAMAGED);
    /* Still no meta table. */
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 4);
    assert_int_equal(mdb_env_open(env, f->db, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), MDB_NOTFOUND);
    mdb_txn_abort(txn);
    mdb_env_close(env);
}

/* --- a full map ------------------------------------------------------------- */

static void test_map_grows(void **state)
{
    struct fx *f = *state;
    cz_store *s;
    const size_t small = 256 << 10, max = 8 << 20;
    assert_int_equal(cz_store_open_map(f->db, 1, small, max, &s), CZ_OK);
    assert_int_equal(cz_store_map_size(s), small);

    /* 1.2 MB in one transaction: more than the map holds. */
    int rc = put_many(s, "big", 300), tries = 1;
    assert_int_equal(rc, CZ_EDBFULL);
    assert_string_equal(cz_store_last_error(s), mdb_strerror(MDB_MAP_FULL));
    /* Grown as soon as the failed transaction was aborted. */
    assert_int_equal(cz_store_map_size(s), 2 * small);
    /* The caller runs the same work again until it fits. */
    while (rc == CZ_EDBFULL && tries < 10) {
        rc = put_many(s, "big", 300);
        tries++;
    }
    assert_int_equal(rc, CZ_OK);
    size_t grown = cz_store_map_size(s);
    assert_true(grown >= 2 << 20 && grown <= max);
    print_message("map %zu KiB -> %zu KiB in %d tries\n", small >> 10, grown >> 10, tries);

    /* Everything is there. */
    cz_txn *t;
    const void *v;
    size_t len;
    assert_int_equal(cz_txn_begin(s, 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get(t, "big.299", &v, &len), CZ_OK);
    assert_int_equal(len, VAL);
    assert_int_equal(((const uint8_t *)v)[0], 299 & 0xff);
    cz_txn_abort(t);
    cz_store_close(s);

    /* The next process starts from the grown map, not the small one. */
    assert_int_equal(cz_store_open_map(f->db, 0, small, max, &s), CZ_OK);
    assert_int_equal(cz_store_map_size(s), grown);
    assert_int_equal(put_many(s, "more", 20), CZ_OK);
    cz_store_close(s);
}

static void test_map_grows_while_reading(void **state)
{
    struct fx *f = *state;
    cz_store *s;
    cz_txn *r;
    const size_t small = 256 << 10;
    assert_int_equal(cz_store_open_map(f->db, 1, small, 4 << 20, &s), CZ_OK);
    /* A read transaction is open (an export reads while it writes its
     * sequence number): the map cannot be moved under it. */
    assert_int_equal(cz_txn_begin(s, 0, &r), CZ_OK);
    assert_int_equal(put_many(s, "big", 100), CZ_EDBFULL);
    assert_int_equal(cz_store_map_size(s), small);
    cz_txn_abort(r);
    /* It grows once the reader is done. */
    assert_int_equal(cz_store_map_size(s), 2 * small);
    cz_store_close(s);
}

/* Another process (the command line while the screens are open) grows
 * the map and fills it: this one adopts the size at its next transaction
 * instead of failing. */
static void test_map_resized_by_other(void **state)
{
    struct fx *f = *state;
    cz_store *s;
    const size_t small = 256 << 10, max = 8 << 20;
    assert_int_equal(cz_store_open_map(f->db, 1, small, max, &s), CZ_OK);
    assert_int_equal(put_many(s, "mine", 5), CZ_OK);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cz_store *o;
        int rc = cz_store_open_map(f->db, 0, small, max, &o), tries = 0;
        if (rc == CZ_OK) {
            do rc = put_many(o, "big", 300);
            while (rc == CZ_EDBFULL && ++tries < 10);
            cz_store_close(o);
        }
        _exit(rc == CZ_OK ? 0 : 1);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

    cz_txn *t;
    const void *v;
    size_t len;
    assert_int_equal(cz_txn_begin(s, 0, &t), CZ_OK);
    assert_int_equal(cz_meta_get(t, "big.299", &v, &len), CZ_OK);
    assert_int_equal(len, VAL);
    cz_txn_abort(t);
    assert_true(cz_store_map_size(s) > small);
    assert_int_equal(put_many(s, "mine.after", 5), CZ_OK);
    cz_store_close(s);
}

static void test_map_max(void **state)
{
    struct fx *f = *state;
    cz_store *s;
    const size_t small = 256 << 10, max = 512 << 10;
    assert_int_equal(cz_store_open_map(f->db, 1, small, max, &s), CZ_OK);
    int rc = CZ_EDBFULL, tries = 0;
    while (rc == CZ_EDBFULL && tries++ < 5) rc = put_many(s, "big", 300);
    /* At the largest map there is nothing more to try. */
    assert_int_equal(rc, CZ_EDBMAX);
    assert_int_equal(cz_store_map_size(s), max);
    /* What fits still goes in. */
    assert_int_equal(put_many(s, "small", 5), CZ_OK);
    cz_store_close(s);
}

/* --- causes ----------------------------------------------------------------- */

static void test_causes(void **state)
{
    (void)state;
    assert_int_equal(cz_fs_errno_status(ENOSPC), CZ_EDISKFULL);
    assert_int_equal(cz_fs_errno_status(EROFS), CZ_EREADONLY);
    assert_int_equal(cz_fs_errno_status(EACCES), CZ_EACCESS);
    assert_int_equal(cz_fs_errno_status(EPERM), CZ_EACCESS);
    assert_int_equal(cz_fs_errno_status(ENOENT), CZ_ENOTFOUND);
    assert_int_equal(cz_fs_errno_status(EIO), CZ_EIO);
    /* The same on a stick: its own fix. */
    assert_int_equal(cz_fs_stick_status("/", CZ_EDISKFULL), CZ_ESTICKFULL);
    assert_int_equal(cz_fs_stick_status("/", CZ_EREADONLY), CZ_ESTICKRO);
    assert_int_equal(cz_fs_stick_status("/", CZ_ENOTPLAIN), CZ_ENOTPLAIN);
    /* Every new status has both messages. */
    for (int st = CZ_ESTICKFULL; st <= CZ_EDBNOINFO; st++) {
        assert_true(strlen(cz_strerror(st, CZ_LANG_EN)) > 20);
        assert_true(strlen(cz_strerror(st, CZ_LANG_ZH)) > 20);
        assert_string_not_equal(cz_strerror(st, CZ_LANG_EN), cz_strerror(st, CZ_LANG_ZH));
    }
    assert_true(cz_status_is_store(CZ_EDBTRUNC) && cz_status_is_store(CZ_EDISKFULL));
    assert_true(cz_status_is_stick(CZ_ESTICKFULL) && !cz_status_is_stick(CZ_EDBFULL));
}

int main(void)
{
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        CASE(test_truncated),
        CASE(test_meta_damaged),
        CASE(test_meta_version),
        CASE(test_lost_tables),
        CASE(test_map_grows),
        CASE(test_map_grows_while_reading),
        CASE(test_map_resized_by_other),
        CASE(test_map_max),
        cmocka_unit_test(test_causes),
    };
#undef CASE
    return cmocka_run_group_tests(tests, NULL, NULL);
}
