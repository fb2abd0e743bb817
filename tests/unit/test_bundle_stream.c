/* test_bundle_stream.c — the streamed bundle writer (bundle_stream.h) at
 * the sizes export meets: empty, under one of zstd's jobs (compressed
 * inline), just over one, and several (zstd's own threads), with 1 KiB
 * and 64 KiB chunks, and past the point where it starts the kernel's
 * writeback.  Each file on a real folder is read back with the streaming
 * reader (the key made here) and must give the plaintext, byte for byte;
 * its name is its id and nothing else is left in the folder.  A fill that
 * fails stops the write and leaves nothing.  Real libsodium, libzstd, files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "bundle_stream.h"
#include "hex.h"
#include "status.h"

struct keys { uint8_t sign_pk[32], sign_sk[64], box_pk[32], box_sk[32]; };
static struct keys K;
static char stick[64];

#define MAX_LEN (9u << 20)
static uint8_t *plain;               /* text-like, every few lines a random run */

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    crypto_sign_detached(sig, NULL, msg, len, ctx);
    return CZ_OK;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) { return remove(p); }

struct src { size_t at, len, fail_at; };

/* Hands out the next `want` bytes of plain; fails once past fail_at. */
static int fill(void *ctx, uint8_t *buf, size_t want)
{
    struct src *s = ctx;
    if (s->at + want > s->len) return CZ_EINVAL;
    if (s->fail_at && s->at + want > s->fail_at) return CZ_EIO;
    memcpy(buf, plain + s->at, want);
    s->at += want;
    return CZ_OK;
}

/* The folder the writer uses, and how many names it holds. */
static size_t entries_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    if (!d) return 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void folder_of(char *dir, size_t size)
{
    char rhex[65];
    cz_hex(K.box_pk, 32, rhex);
    snprintf(dir, size, "%s/cunzhan/%.16s/%.16s", stick, rhex, rhex);
}

/* Writes len bytes as a bundle with chunks of 2^log2, reads it back. */
static void round_trip(size_t len, unsigned log2)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 9, r, 1, K.sign_pk, sign_cb, K.sign_sk, log2 };
    struct src s = { 0, len, 0 };
    char path[512], dir[256], want_name[80], idhex[65];
    uint8_t id[CZ_ID_BYTES];
    size_t file_len = 0;
    struct stat sb;

    assert_int_equal(cz_bundle_write_stream(stick, &p, len, fill, &s, path, sizeof path, id, &file_len), CZ_OK);
    assert_int_equal(s.at, len);
    folder_of(dir, sizeof dir);
    cz_hex(id, CZ_ID_BYTES, idhex);
    snprintf(want_name, sizeof want_name, "/%s.czb", idhex);
    assert_non_null(strstr(path, dir));
    assert_string_equal(path + strlen(path) - strlen(want_name), want_name);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((size_t)sb.st_size, file_len);
    assert_int_equal(entries_in(dir), 1);               /* no temp file left */

    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    cz_bundle_reader *rd = NULL;
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_reader_open_fd(fd, &rd, &h), CZ_OK);
    assert_int_equal(h.version, CZ_BUNDLE_VERSION);
    assert_int_equal(h.seq, 9);
    assert_int_equal(h.unpacked_len, len);
    if (len > 4096) assert_true(h.plain_len < len);    /* it was compressed */
    assert_int_equal(cz_bundle_reader_unlock(rd, K.box_pk, K.box_sk), CZ_OK);
    assert_int_equal(cz_bundle_reader_left(rd), len);
    for (size_t at = 0, k = 0; at < len; k++) {
        size_t n = (size_t)1 + (k * 7919) % 200000;
        const uint8_t *q;
        if (n > len - at) n = len - at;
        assert_int_equal(cz_bundle_reader_take(rd, n, &q), CZ_OK);
        assert_memory_equal(q, plain + at, n);
        at += n;
    }
    assert_int_equal(cz_bundle_reader_finish(rd), CZ_OK);
    cz_bundle_reader_close(rd);
    close(fd);
    assert_int_equal(unlink(path), 0);
}

static void test_sizes(void **state)
{
    static const size_t sizes[] = { 0, 1, 5000, 300000, 600000, (3u << 20) + 12345 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        round_trip(sizes[i], 16);
        round_trip(sizes[i], 10);
    }
}

/* Over 4 MiB stored: the writer hands finished stretches to writeback. */
static void test_large(void **state)
{
    round_trip(MAX_LEN, 16);
}

static void test_fill_fails(void **state)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 9, r, 1, K.sign_pk, sign_cb, K.sign_sk, 0 };
    char path[512] = "", dir[256];
    uint8_t id[CZ_ID_BYTES];
    size_t file_len = 7;
    for (size_t fail_at = 1; fail_at < MAX_LEN; fail_at *= 9) {
        struct src s = { 0, MAX_LEN / 2, fail_at };
        assert_int_equal(cz_bundle_write_stream(stick, &p, MAX_LEN / 2, fill, &s, path, sizeof path, id, &file_len),
                         fail_at < MAX_LEN / 2 ? CZ_EIO : CZ_OK);
        folder_of(dir, sizeof dir);
        if (fail_at < MAX_LEN / 2) {
            assert_int_equal(file_len, 0);
            assert_int_equal(entries_in(dir), 0);
        } else {
            assert_int_equal(unlink(path), 0);
        }
    }
}

/* cz_bundle_stream_folder makes the folder the writer then uses. */
static void test_folder(void **state)
{
    const uint8_t (*r)[32] = (const uint8_t (*)[32])K.box_pk;
    struct cz_bundle_params p = { K.box_pk, 9, r, 1, K.sign_pk, sign_cb, K.sign_sk, 0 };
    char dir[256];
    struct stat sb;
    nftw(stick, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    folder_of(dir, sizeof dir);
    assert_int_not_equal(stat(dir, &sb), 0);
    assert_int_equal(cz_bundle_stream_folder(stick, &p), CZ_OK);
    assert_int_equal(stat(dir, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(entries_in(dir), 0);
    round_trip(5000, 16);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    crypto_sign_keypair(K.sign_pk, K.sign_sk);
    crypto_box_keypair(K.box_pk, K.box_sk);
    if (!(plain = malloc(MAX_LEN))) return 1;
    for (size_t i = 0, k = 0; i < MAX_LEN; k++) {
        char line[96];
        int m = snprintf(line, sizeof line, "household %zu, village 3, members %zu, 王秀英;\n", k * 7919 % 100000, k % 6);
        for (int j = 0; j < m && i < MAX_LEN; j++) plain[i++] = (uint8_t)line[j];
        if (k % 4 == 0) {
            size_t n = MAX_LEN - i < 64 ? MAX_LEN - i : 64;
            randombytes_buf(plain + i, n);
            i += n;
        }
    }
    snprintf(stick, sizeof stick, "/tmp/cz-test-stream-XXXXXX");
    if (!mkdtemp(stick)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_fill_fails),
        cmocka_unit_test(test_folder),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    nftw(stick, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    free(plain);
    return failed;
}
