/* Mutation tests: a real bundle, exported by a village station
 * through the sync API, is flipped, truncated, extended, reordered and
 * spliced thousands of times and fed to the office's import; the log
 * entries inside it are mutated too, and re-sealed by the (validly
 * signing) village station.  None may crash, none may be accepted, and the
 * office's store must not change.  The last step imports the unmutated
 * bundle, to show the harness can tell.
 *
 * CZ_MUTATIONS scales the random parts (default 4000; `make valgrind` asks
 * for fewer).  Every figure is printed for the report. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "payload.h"
#include "entry.h"
#include "keys.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "mutate-pass"

struct fx {
    struct tk_pair p;                /* the office and the village station */
    uint8_t *img;               /* the exported bundle (one 64 KiB chunk) */
    size_t len;
    uint8_t *chunked;           /* the same plaintext re-sealed in 1 KiB chunks */
    size_t chunked_len, header_len, nchunks;
    uint8_t *plain;
    size_t plain_len;
    struct cz_store_stats before;
    size_t before_records;
};

static struct fx F;
static unsigned long tried, nmut = 4000;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* The store's counts, and its records in *records. */
static void stats(cz_station *st, struct cz_store_stats *s, size_t *records)
{
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(st), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, s), CZ_OK);
    assert_int_equal(cz_store_count_records(t, records), CZ_OK);
    cz_txn_abort(t);
}

static void assert_unchanged(void)
{
    struct cz_store_stats now;
    size_t records;
    stats(F.p.office, &now, &records);
    assert_int_equal(now.entries, F.before.entries);
    assert_int_equal(records, F.before_records);
    assert_int_equal(now.logs, F.before.logs);
    assert_int_equal(now.forks, F.before.forks);
}

/* The same image through the streamed file import (cz_sync_import_file). */
static void refuse_file(const uint8_t *buf, size_t len)
{
    struct cz_import_result r;
    char path[128];
    snprintf(path, sizeof path, "%s/mutated.czb", F.p.dir);
    assert_int_equal(tk_write_file(path, buf, len), 0);
    assert_int_equal(cz_sync_import_file(F.p.office, path, NULL, NULL, &r), CZ_OK);
    if (r.status == CZ_OK || r.status == CZ_ESEEN) {
        print_error("mutation %lu accepted from a file (status %s)\n", tried, cz_status_name(r.status));
        fail();
    }
    assert_int_equal(r.fresh + r.duplicate + r.refused, 0);
}

/* One mutated image: must be refused (never applied, never "seen"); one in
 * sixteen goes through a file as well. */
static void refuse(const uint8_t *buf, size_t len)
{
    struct cz_import_result r;
    tried++;
    assert_int_equal(cz_sync_import(F.p.office, buf, len, NULL, NULL, &r), CZ_OK);
    if (r.status == CZ_OK || r.status == CZ_ESEEN) {
        print_error("mutation %lu accepted (status %s)\n", tried, cz_status_name(r.status));
        fail();
    }
    if (tried % 16 == 0) refuse_file(buf, len);
}

/* Seals plaintext as the village station would, for the office. */
static void village_seal(const uint8_t *plain, size_t len, unsigned log2, uint8_t **out, size_t *out_len)
{
    const struct cz_station_info *vi = cz_station_info(F.p.village);
    uint8_t id[32];
    struct cz_bundle_params p = {
        .sender_box = vi->box_pk, .seq = 1000 + tried, .recipients = (const uint8_t (*)[32])vi->office_box,
        .nrecipients = 1, .signer = cz_station_person_pk(F.p.village), .sign = tk_station_sign,
        .sign_ctx = F.p.village, .chunk_log2 = log2,
    };
    assert_int_equal(cz_bundle_seal(&p, plain, len, out, out_len, id), CZ_OK);
}

static int add_household(int i)
{
    char num[32], head[32];
    snprintf(num, sizeof num, "number=M-%03d", i);
    snprintf(head, sizeof head, "head=变异%d号", i);
    struct cz_assign a[] = { { "number", num + 7 }, { "village", V1 }, { "head", head + 5 },
                             { "notes", "多行备注\n第二行，用来把明文撑过几个 1 KiB 的分块。" } };
    uint8_t entity[16], id[32];
    struct cz_field_error err;
    return cz_station_add(F.p.village, "household", a, 4, entity, id, &err);
}

static int setup(void **state)
{
    const char *env = getenv("CZ_MUTATIONS");
    if (env && atol(env) > 0) nmut = (unsigned long)atol(env);
    if (tk_pair_init(&F.p, "mutate", "许昌市科协", V1, PASS)) return -1;
    for (int i = 0; i < 12; i++)
        if (add_household(i)) return -1;

    if (tk_pair_export(&F.p, &F.img, &F.len)) return -1;

    struct cz_bundle_header h;
    const struct cz_station_info *oi = cz_station_info(F.p.office);
    if (cz_bundle_read_header(F.img, F.len, &h) ||
        cz_bundle_open(F.img, F.len, &h, oi->box_pk, cz_secrets_box_sk(cz_station_secrets(F.p.office)),
                       &F.plain, &F.plain_len))
        return -1;
    village_seal(F.plain, F.plain_len, 10, &F.chunked, &F.chunked_len);
    if (cz_bundle_read_header(F.chunked, F.chunked_len, &h)) return -1;
    F.header_len = h.header_len;
    F.nchunks = (F.chunked_len - F.header_len + 1024 + 16) / (1024 + 17);
    stats(F.p.office, &F.before, &F.before_records);
    *state = &F;
    return 0;
}

static int teardown(void **state)
{
    tk_pair_free(&F.p);
    free(F.img);
    free(F.chunked);
    cz_bundle_plain_free(F.plain, F.plain_len);
    return 0;
}

static void flips(const uint8_t *img, size_t len, unsigned long n)
{
    uint8_t *m = malloc(len);
    assert_non_null(m);
    for (unsigned long i = 0; i < n; i++) {
        memcpy(m, img, len);
        size_t at = rnd() % len;
        m[at] ^= (uint8_t)(1 + rnd() % 255);
        if (rnd() % 4 == 0) m[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));   /* sometimes two */
        refuse(m, len);
    }
    free(m);
}

static void test_flipped(void **state)
{
    unsigned long before = tried;
    /* Every byte of the small image once, then random ones. */
    uint8_t *m = malloc(F.len);
    assert_non_null(m);
    for (size_t at = 0; at < F.len; at += F.len > nmut ? F.len / nmut + 1 : 1) {
        memcpy(m, F.img, F.len);
        m[at] ^= 0x01;
        refuse(m, F.len);
    }
    free(m);
    flips(F.img, F.len, nmut / 4);
    flips(F.chunked, F.chunked_len, nmut / 4);
    assert_unchanged();
    print_message("flipped: %lu mutations refused\n", tried - before);
}

static void test_truncated_extended(void **state)
{
    unsigned long before = tried;
    size_t step = F.len > nmut / 2 ? F.len / (nmut / 2) + 1 : 1;
    for (size_t n = 0; n < F.len; n += step) refuse(F.img, n);
    for (size_t n = 0; n < F.chunked_len; n += F.chunked_len / 200 + 1) refuse(F.chunked, n);
    /* Chunk boundaries exactly, and one byte either side. */
    for (size_t c = 0; c <= F.nchunks; c++) {
        size_t b = F.header_len + c * (1024 + 17);
        for (size_t d = 0; d < 3; d++)
            if (b + d >= 1 && b + d - 1 < F.chunked_len) refuse(F.chunked, b + d - 1);
    }
    uint8_t *m = malloc(2 * F.chunked_len + 4096);
    assert_non_null(m);
    for (unsigned long i = 0; i < nmut / 10 + 1; i++) {
        const uint8_t *src = i & 1 ? F.chunked : F.img;
        size_t len = i & 1 ? F.chunked_len : F.len, extra = 1 + rnd() % 4096;
        memcpy(m, src, len);
        for (size_t k = 0; k < extra; k++) m[len + k] = (uint8_t)rnd();
        refuse(m, len + extra);
    }
    memcpy(m, F.chunked, F.chunked_len);                 /* the file twice */
    memcpy(m + F.chunked_len, F.chunked, F.chunked_len);
    refuse(m, 2 * F.chunked_len);
    memcpy(m, F.chunked, F.chunked_len);                 /* the last chunk again */
    size_t last = F.header_len + (F.nchunks - 1) * (1024 + 17);
    memcpy(m + F.chunked_len, F.chunked + last, F.chunked_len - last);
    refuse(m, F.chunked_len + (F.chunked_len - last));
    free(m);
    assert_unchanged();
    print_message("truncated and extended: %lu mutations refused\n", tried - before);
}

static void test_reordered_spliced(void **state)
{
    unsigned long before = tried;
    const size_t cb = 1024 + 17;
    assert_true(F.nchunks >= 3);
    uint8_t *m = malloc(F.chunked_len + F.len);
    assert_non_null(m);
    for (size_t i = 0; i < F.nchunks; i++)
        for (size_t j = i + 1; j < F.nchunks; j++) {
            size_t li = F.header_len + i * cb, lj = F.header_len + j * cb;
            if (j == F.nchunks - 1) continue;            /* the last one is shorter */
            memcpy(m, F.chunked, F.chunked_len);         /* swap i and j */
            memcpy(m + li, F.chunked + lj, cb);
            memcpy(m + lj, F.chunked + li, cb);
            refuse(m, F.chunked_len);
            memcpy(m, F.chunked, F.chunked_len);         /* j in place of i */
            memcpy(m + li, F.chunked + lj, cb);
            refuse(m, F.chunked_len);
        }
    /* Drop one whole chunk (the header's length then disagrees). */
    for (size_t i = 0; i + 1 < F.nchunks; i++) {
        size_t li = F.header_len + i * cb;
        memcpy(m, F.chunked, li);
        memcpy(m + li, F.chunked + li + cb, F.chunked_len - li - cb);
        refuse(m, F.chunked_len - cb);
    }
    /* Random block moves anywhere in the file. */
    for (unsigned long k = 0; k < nmut / 8 + 1; k++) {
        size_t n = 1 + rnd() % 64, a = rnd() % (F.chunked_len - n), b = rnd() % (F.chunked_len - n);
        if (!memcmp(F.chunked + a, F.chunked + b, n)) continue;
        memcpy(m, F.chunked, F.chunked_len);
        memmove(m + b, F.chunked + a, n);
        refuse(m, F.chunked_len);
    }
    /* One file's header with the other's chunks (different file keys). */
    struct cz_bundle_header h;
    assert_int_equal(cz_bundle_read_header(F.img, F.len, &h), CZ_OK);
    memcpy(m, F.img, h.header_len);
    memcpy(m + h.header_len, F.chunked + F.header_len, F.chunked_len - F.header_len);
    refuse(m, h.header_len + F.chunked_len - F.header_len);
    free(m);
    assert_unchanged();
    print_message("reordered and spliced: %lu mutations refused\n", tried - before);
}

/* Entries as stored: any change breaks the decode or the signature; and a
 * validly sealed bundle carrying one changed entry is refused whole. */
static void test_entries(void **state)
{
    unsigned long before = tried, local = 0;
    struct cz_payload p;
    assert_int_equal(cz_payload_decode(F.plain, F.plain_len, &p), CZ_OK);
    assert_true(p.n >= 2);
    for (size_t i = 0; i < p.n; i++) {
        size_t len = p.entry_len[i];
        uint8_t *m = malloc(len + 16);
        assert_non_null(m);
        for (unsigned long k = 0; k < nmut / 20 + 1; k++) {
            struct cz_entry e;
            size_t n = len;
            memcpy(m, p.entry[i], len);
            switch (k % 3) {
            case 0: m[rnd() % len] ^= (uint8_t)(1 + rnd() % 255); break;
            case 1: n = rnd() % len; break;
            default: n = len + 1 + rnd() % 16; for (size_t j = len; j < n; j++) m[j] = (uint8_t)rnd();
            }
            local++;
            if (cz_entry_decode(m, n, &e) == CZ_OK && cz_entry_verify(&e) == CZ_OK) {
                print_error("entry %zu mutation %lu still verifies\n", i, k);
                fail();
            }
        }
        free(m);
    }
    /* Re-sealed by the village itself: the bundle's signature holds, the
     * entry's does not. */
    for (unsigned long k = 0; k < nmut / 100 + 5; k++) {
        size_t i = rnd() % p.n, len = p.entry_len[i];
        uint8_t *m = malloc(len), *img = NULL;
        size_t img_len = 0;
        struct cz_payload_writer w;
        assert_non_null(m);
        memcpy(m, p.entry[i], len);
        m[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
        assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &p.vv), CZ_OK);
        for (size_t j = 0; j < p.n; j++)
            assert_int_equal(cz_payload_add(&w, j == i ? m : p.entry[j], p.entry_len[j]), CZ_OK);
        cz_payload_finish(&w);
        village_seal(w.buf, w.len, 0, &img, &img_len);
        refuse(img, img_len);
        free(img);
        free(w.buf);
        free(m);
    }
    cz_payload_free(&p);
    assert_unchanged();
    print_message("entries: %lu mutated entries refused by decode or signature, "
                  "%lu re-sealed bundles refused\n", local, tried - before);
    tried += local;
}

/* A fault after many good entries: import applies entries batch by batch
 * inside its one transaction before it meets the bad one (and, with the
 * worker threads, checks run ahead of the writes); the abort must still
 * leave nothing.  Thousands of entries (duplicates are harmless), then one
 * whose signature fails, or a truncated payload, sealed validly by the
 * village, from memory and from a file. */
static void test_late_fault_changes_nothing(void **state)
{
    struct cz_payload p;
    assert_int_equal(cz_payload_decode(F.plain, F.plain_len, &p), CZ_OK);
    for (int kind = 0; kind < 4; kind++) {
        struct cz_payload_writer w;
        uint8_t *img = NULL, *bad = malloc(p.entry_len[0]);
        size_t img_len = 0;
        assert_non_null(bad);
        memcpy(bad, p.entry[0], p.entry_len[0]);
        bad[p.entry_len[0] - 1] ^= 0x40;               /* its signature */
        assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &p.vv), CZ_OK);
        for (size_t rep = 0; rep < 3000 / p.n + 1; rep++)
            for (size_t j = 0; j < p.n; j++) assert_int_equal(cz_payload_add(&w, p.entry[j], p.entry_len[j]), CZ_OK);
        if (kind == 0) assert_int_equal(cz_payload_add(&w, bad, p.entry_len[0]), CZ_OK);
        if (kind == 3) {                               /* longer than any entry may be */
            size_t huge = 300 * 1024;
            uint8_t *h = malloc(huge);
            assert_non_null(h);
            for (size_t j = 0; j < huge; j++) h[j] = (uint8_t)rnd();
            memcpy(h, p.entry[0], 109);                /* a real entry's fixed part */
            assert_int_equal(cz_payload_add(&w, h, huge), CZ_OK);
            free(h);
        }
        cz_payload_finish(&w);
        if (kind == 1) w.len -= 3;                     /* the last entry cut short */
        if (kind == 2) w.buf[w.len++] = 0;             /* a byte after the last entry */
        village_seal(w.buf, w.len, kind == 1 ? 10 : 0, &img, &img_len);
        tried++;
        struct cz_import_result r;
        assert_int_equal(cz_sync_import(F.p.office, img, img_len, NULL, NULL, &r), CZ_OK);
        if (kind < 3) assert_int_equal(r.status, kind == 0 ? CZ_ESIG : kind == 1 ? CZ_ETRUNC : CZ_ETRAILING);
        else assert_true(r.status != CZ_OK && r.status != CZ_ESEEN);
        if (kind == 3) print_message("an entry of 300 KiB, longer than any may be: %s\n", cz_status_name(r.status));
        assert_int_equal(r.fresh + r.duplicate + r.refused, 0);
        assert_unchanged();
        refuse_file(img, img_len);
        assert_unchanged();
        free(img);
        free(w.buf);
        free(bad);
    }
    cz_payload_free(&p);
}

static void test_original_accepted(void **state)
{
    struct cz_import_result r;
    struct cz_store_stats now;
    char path[128];
    snprintf(path, sizeof path, "%s/original.czb", F.p.dir);
    assert_int_equal(tk_write_file(path, F.img, F.len), 0);
    assert_int_equal(cz_sync_import_file(F.p.office, path, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    assert_true(r.fresh > 0);
    /* and the same bytes again, from memory: a replay */
    assert_int_equal(cz_sync_import(F.p.office, F.img, F.len, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_ESEEN);
    size_t records;
    stats(F.p.office, &now, &records);
    assert_true(now.entries > F.before.entries);
    print_message("mutations tried in all: %lu; the unmutated bundle then imports (%zu new entries)\n",
                  tried, now.entries - F.before.entries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flipped),
        cmocka_unit_test(test_truncated_extended),
        cmocka_unit_test(test_reordered_spliced),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_late_fault_changes_nothing),
        cmocka_unit_test(test_original_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
