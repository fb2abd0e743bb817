/* bench — cunzhan's performance against the machine's own limits.
 *
 * For each size N (records: households, their members and aid, 1 + 3 + 1
 * per household), it builds a village station with N signed records through
 * the real `load` path (CSV bytes -> cz_csv_open -> cz_station_load, in
 * files of 20,000 households' rows), then measures on that one database,
 * each against a bound measured in the same run on the same machine:
 *   load    CSV parse + validate + sign + store vs. N Ed25519 signatures on
 *                                              one core (a person's entries
 *                                              chain: they sign in sequence)
 *   export  full bundle for the office       vs. reading the stored entries
 *                                              + secretstream over the same bytes
 *   import  that bundle at the office        vs. N Ed25519 verifications on
 *                                              every core (bench_bounds.c)
 *   size    bundle bytes                     vs. the same records as JSON
 *                                              encrypted with age
 *   find    by part of a Chinese name, as the households screen does it
 *           (cz_query_find_page, loading each row it shows and a member's
 *           household), and the first page of the household list
 *           (cz_query_first): goal under 20 ms
 *   start   exec of ./cunzhan in an 80x24 pty with CUNZHAN_PASSPHRASE until
 *           the station's name is drawn (includes the passphrase's key
 *           derivation), and in process: open + the home screen's reads
 *   memory  each phase runs in its own process; the parent samples its
 *           RssAnon every 5 ms (peak anonymous memory: goal 64 MB at every
 *           size, besides the mapped database) and gets VmHWM from wait4
 *   disk    database bytes per record vs. the stored entries' own bytes
 *           (goal 2x), and split by table from LMDB (bench_stat.c)
 *   growth  the import's and the load's cost per record at the largest
 *           size over the size before (goal for the import: 1.10)
 * Both bounds are also timed the other way (signing on every core,
 * verifying on one) and printed, each a row of its own.
 * Signing and verifying N times is linear and costs minutes at 1M: the
 * bounds time a sample (BENCH_SAMPLE, default 20,000) and scale; the table
 * says so.  Output: the table, a markdown table to paste in tests/bench/README.md
 * (BENCH_MD), and CSV (BENCH_CSV).  Sizes: BENCH_SIZES (default
 * "10000 100000 1000000").  BENCH_LOAD_ONLY=1 runs the load and its bound
 * alone.  BENCH_KEEP=1 leaves the data folders (paths printed);
 * BENCH_EXPORT=STATION-FOLDER then times only the export of a kept
 * station, BENCH_REPEAT times.  Real LMDB, libsodium, files, pty; no
 * mocks. */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "codec.h"
#include "csvload.h"
#include "entry.h"
#include "idnum.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"

#define PASS "bench-pass"
#define VILLAGE "411024104201"
#define STATION_NAME "杨树湾村"
/* The goal for every phase's peak anonymous memory, at every size. */
#define MEM_GOAL "<= 64 MB"
#define MEMBERS 3                   /* per household; and one aid record */
#define PER_HOUSEHOLD (1 + MEMBERS + 1)
/* Households per CSV file loaded (BENCH_FILE_HOUSEHOLDS): each file is one
 * all-or-nothing transaction. */
static size_t file_households = 20000;
/* BENCH_KEEP=1: the station, office and stick folders stay, their paths
 * printed (for profiling one phase again; see BENCH_EXPORT). */
static int keep;

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench: %s: %s\n", what, cz_strerror(rc, CZ_LANG_EN));
    exit(1);
}

static size_t sample_size(void)
{
    const char *s = getenv("BENCH_SAMPLE");
    size_t n = s ? strtoul(s, NULL, 10) : 20000;
    return n ? n : 20000;
}

/* ---- phases in their own process, memory sampled from outside ---- */

#define NOUT 32
typedef void (*phase_fn)(void *arg, double out[NOUT]);
struct phase_mem { double anon_mb, hwm_mb; };

static long status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    long kb = -1;
    size_t fl = strlen(field);
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, fl) && line[fl] == ':') { kb = strtol(line + fl + 1, NULL, 10); break; }
    fclose(f);
    return kb;
}

/* A phase calls this once its set-up (opening, logging in: the passphrase's
 * key derivation takes 64 MB for a moment) is done: memory is measured from
 * then on. */
static int go_fd = -1;
static void phase_go(void)
{
    if (go_fd >= 0 && write(go_fd, "g", 1) != 1) _exit(3);
}

static struct phase_mem phase(const char *name, phase_fn fn, void *arg, double out[NOUT])
{
    int p[2], g[2];
    struct phase_mem m = { 0, 0 };
    if (pipe(p) || pipe(g)) die("pipe", CZ_EIO);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork", CZ_EIO);
    if (pid == 0) {
        double o[NOUT] = { 0 };
        close(p[0]);
        close(g[0]);
        go_fd = g[1];
        fn(arg, o);
        if (write(p[1], o, sizeof o) != (ssize_t)sizeof o) _exit(2);
        _exit(0);
    }
    close(p[1]);
    close(g[1]);
    long peak = 0;
    int status = 0, going = 0;
    struct rusage ru;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid) break;
        long kb = status_kb(pid, "RssAnon");
        if (going && kb > peak) peak = kb;
        fd_set fs;
        struct timeval tv = { 0, 5000 };
        FD_ZERO(&fs);
        if (!going) FD_SET(g[0], &fs);
        if (select(going ? 0 : g[0] + 1, &fs, NULL, NULL, &tv) > 0 && FD_ISSET(g[0], &fs)) {
            char ch;
            going = read(g[0], &ch, 1) == 1;
        }
    }
    close(g[0]);
    memset(out, 0, NOUT * sizeof *out);
    ssize_t got = read(p[0], out, NOUT * sizeof *out);
    close(p[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) || got != (ssize_t)(NOUT * sizeof *out)) {
        fprintf(stderr, "bench: phase %s failed\n", name);
        exit(1);
    }
    m.anon_mb = (double)peak / 1024.0;
    m.hwm_mb = (double)ru.ru_maxrss / 1024.0;
    return m;
}

/* ---- realistic data ---- */

/* Invented but realistic names: common surnames and given-name characters. */
static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                        "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗" };
static const char *const given[] = { "秀", "英", "华", "明", "国", "建", "军", "平", "玉", "兰",
                                     "桂", "芳", "强", "伟", "丽", "红", "春", "海", "德", "文",
                                     "志", "金", "永", "成", "福", "山", "梅", "云", "林", "生" };
static const char *const items[][3] = { { "seeds", "玉米种子", "斤" }, { "fertiliser", "复合肥", "袋" },
                                        { "mulch", "地膜", "卷" }, { "gift", "米面油", "份" } };
static const char *const causes[] = { "illness", "disability", "schooling", "funds", "labour", "skills" };

static void name_of(unsigned long i, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", surnames[i % 20], given[(i / 20) % 30], given[(i / 600) % 30]);
}

/* Distinct for 23 million people: birth date from i, sequence from i's
 * rank among those born that day. */
static void idnum_of(unsigned long i, char out[19])
{
    unsigned y = 1940 + (unsigned)(i % 70), m = 1 + (unsigned)(i / 70 % 12), d = 1 + (unsigned)(i / 840 % 28);
    snprintf(out, 19, "411024%04u%02u%02u%03lu", y, m, d, (i / 23520) % 1000);
    out[17] = cz_idnum_check_char(out);
    out[18] = 0;
}

struct buf { char *p; size_t n, cap; };
static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
        b->cap = b->cap ? 2 * b->cap : 1 << 20;
        if (!(b->p = realloc(b->p, b->cap))) die("memory", CZ_ENOMEM);
    }
}

/* One CSV file through the real load path; returns the seconds it took. */
/* CPU seconds of this process (all threads) and of the calling thread. */
static double cpu_of(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* The loads' CPU time: the process's (every thread) and the calling
 * thread's (checking and storing); on a shared machine steadier than the
 * wall clock (BENCH_LOAD_ONLY prints them). */
static double load_cpu_all, load_cpu_main;

static int bench_next(void *ctx, const struct cz_assign **a, size_t *n, size_t *tag)
{
    struct cz_csv_row r;
    int rc = cz_csv_next(ctx, &r);
    if (rc == CZ_OK) { *a = r.a; *n = r.n; *tag = r.line; }
    return rc;
}

static void bench_rewind(void *ctx) { cz_csv_rewind(ctx); }

static int bench_dup(void *ctx, void **out)
{
    struct cz_csv *d = calloc(1, sizeof *d);
    if (!d || cz_csv_dup(ctx, d)) die("csv dup", CZ_ENOMEM);
    *out = d;
    return CZ_OK;
}

static void bench_dup_free(void *ctx) { cz_csv_free(ctx); free(ctx); }

/* As `load` does it (src/cli/cli_load.c): the sheet streamed, validated
 * whole, then written in bounded transactions. */
static double load_csv(cz_station *st, const char *type, const struct buf *csv, size_t *stored)
{
    struct cz_csv c;
    struct cz_load_state ls;
    double c_all = cpu_of(RUSAGE_SELF), c_main = cpu_of(RUSAGE_THREAD);
    double t0 = now();
    int rc = cz_csv_open(cz_schema_type(type), csv->p, csv->n, &c);
    if (rc) die(c.bad_column ? c.bad_column : "csv", rc);
    struct cz_load_source src = { .nrows = c.nrows, .next = bench_next, .rewind = bench_rewind, .ctx = &c,
                                  .dup = bench_dup, .dup_free = bench_dup_free, .name = type };
    crypto_generichash(src.hash, sizeof src.hash, (const unsigned char *)csv->p, csv->n, NULL, 0);
    if ((rc = cz_station_load(st, type, &src, NULL, NULL, NULL, &ls, stored))) die(type, rc);
    double t = now() - t0;
    load_cpu_all += cpu_of(RUSAGE_SELF) - c_all;
    load_cpu_main += cpu_of(RUSAGE_THREAD) - c_main;
    cz_csv_free(&c);
    return t;
}

static int copy_id_cb(void *ctx, const uint8_t *e)
{
    memcpy(ctx, e, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

static void json_str(FILE *f, const char *k, const char *v, int comma)
{
    fprintf(f, "%s\"%s\":\"%s\"", comma ? "," : "", k, v);
}

struct run { size_t n, nh; char dir[4096], office[4096], stick[4096], json[4096], bundle[4096]; };

/* load: out[0] seconds, out[1] records stored, out[2] CSV bytes, out[3]
 * average stored entry bytes, out[4] generation seconds (not counted). */
static void phase_load(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *st;
    int rc;
    double t_load = 0, t_gen = 0;
    size_t total = 0, csv_bytes = 0;
    FILE *json = fopen(r->json, "w");
    if (!json) die("json file", CZ_EIO);
    if ((rc = cz_station_open(r->dir, &st)) || (rc = cz_station_login(st, NULL, PASS))) die("open", rc);
    phase_go();
    fputs("[", json);
    for (size_t base = 0; base < r->nh; base += file_households) {
        size_t batch = r->nh - base < file_households ? r->nh - base : file_households, stored;
        struct buf hh = { 0 }, mm = { 0 }, aa = { 0 };
        char name[64], num[32], hex[2 * CZ_ENTITY_BYTES + 1], idn[19], term[256];
        double g0 = now();
        bprintf(&hh, "number,village,head,phone,identified,causes,primary_cause\n");
        for (size_t i = base; i < base + batch; i++) {
            name_of(i, name, sizeof name);
            const char *c1 = causes[i % 6], *c2 = causes[(i + 1 + i / 6 % 5) % 6];
            bprintf(&hh, "B-%07zu,%s,%s,138%08zu,%zu,\"%s,%s\",%s\n", i, VILLAGE, name, i % 100000000,
                    2014 + i % 4, c1, c2, c1);
        }
        t_gen += now() - g0;
        csv_bytes += hh.n;
        t_load += load_csv(st, "household", &hh, &stored);
        total += stored;
        /* The members' and aid's files name the household by its record id,
         * as a clerk's spreadsheet does after `list household`. */
        g0 = now();
        cz_txn *t;
        if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) die("txn", rc);
        bprintf(&mm, "household,name,id_number,relation,health,can_work\n");
        bprintf(&aa, "household,kind,item,quantity,unit,value,date,fund\n");
        for (size_t i = base; i < base + batch; i++) {
            uint8_t id[CZ_ENTITY_BYTES] = { 0 };
            snprintf(num, sizeof num, "B-%07zu", i);
            cz_store_index_each(t, term, cz_term_exact(term, sizeof term, "household", "number", num), copy_id_cb, id);
            cz_hex(id, CZ_ENTITY_BYTES, hex);
            name_of(i, name, sizeof name);
            fprintf(json, "%s{", i ? ",\n" : "");
            json_str(json, "id", hex, 0);
            json_str(json, "type", "household", 1);
            json_str(json, "number", num, 1);
            json_str(json, "village", VILLAGE, 1);
            json_str(json, "head", name, 1);
            fprintf(json, ",\"phone\":\"138%08zu\",\"identified\":%zu,\"causes\":[\"%s\",\"%s\"],\"primary_cause\":\"%s\"}",
                    i % 100000000, 2014 + i % 4, causes[i % 6],
                    causes[(i + 1 + i / 6 % 5) % 6], causes[i % 6]);
            for (unsigned m = 0; m < MEMBERS; m++) {
                unsigned long k = (unsigned long)(i * MEMBERS + m);
                char mid[2 * CZ_ENTITY_BYTES + 1];
                uint8_t rnd[CZ_ENTITY_BYTES];
                if (m == 0) name_of(i, name, sizeof name);
                else name_of(k * 7 + 3, name, sizeof name);
                idnum_of(k, idn);
                const char *rel = m == 0 ? "head" : m == 1 ? "spouse" : "child";
                bprintf(&mm, "%s,%s,%s,%s,%s,%s\n", hex, name, idn, rel, k % 9 ? "healthy" : "ill", m == 2 ? "no" : "yes");
                randombytes_buf(rnd, sizeof rnd);
                cz_hex(rnd, CZ_ENTITY_BYTES, mid);
                fprintf(json, ",\n{\"id\":\"%s\",\"type\":\"member\",\"household\":\"%s\",\"name\":\"%s\",\"id_number\":\"%s\","
                              "\"relation\":\"%s\",\"health\":\"%s\",\"can_work\":\"%s\"}",
                        mid, hex, name, idn, rel, k % 9 ? "healthy" : "ill", m == 2 ? "no" : "yes");
            }
            const char *const *it = items[i % 4];
            bprintf(&aa, "%s,%s,%s,%zu,%s,%zu,2024-%02zu-%02zu,special\n", hex, it[0], it[1], 1 + i % 10, it[2],
                    20 * (1 + i % 10), 1 + i % 12, 1 + i % 28);
            {
                char aid[2 * CZ_ENTITY_BYTES + 1];
                uint8_t rnd[CZ_ENTITY_BYTES];
                randombytes_buf(rnd, sizeof rnd);
                cz_hex(rnd, CZ_ENTITY_BYTES, aid);
                fprintf(json, ",\n{\"id\":\"%s\",\"type\":\"aid\",\"household\":\"%s\",\"kind\":\"%s\",\"item\":\"%s\","
                              "\"quantity\":%zu,\"unit\":\"%s\",\"value\":%zu,\"date\":\"2024-%02zu-%02zu\",\"fund\":\"special\"}",
                        aid, hex, it[0], it[1], 1 + i % 10, it[2], 20 * (1 + i % 10), 1 + i % 12, 1 + i % 28);
            }
        }
        cz_txn_abort(t);
        t_gen += now() - g0;
        csv_bytes += mm.n + aa.n;
        t_load += load_csv(st, "member", &mm, &stored);
        total += stored;
        t_load += load_csv(st, "aid", &aa, &stored);
        total += stored;
        free(hh.p); free(mm.p); free(aa.p);
    }
    fputs("]\n", json);
    fclose(json);
    cz_station_close(st);
    out[0] = t_load;
    out[1] = (double)total;
    out[2] = (double)csv_bytes;
    out[4] = t_gen;
    out[5] = load_cpu_all;
    out[6] = load_cpu_main;
}

/* ---- the bounds ---- */

/* n signatures (or verifications) of msg_len-byte messages on `threads`
 * threads (1: one core), timed on a sample and scaled (bench_bounds.c):
 * *sampled says how many were timed. */
static double time_signing(size_t n, size_t msg_len, int verify, unsigned threads, size_t *sampled)
{
    uint64_t m;
    double t = bench_sign_time(n, msg_len, verify, threads, sample_size(), &m);
    if (t < 0) die(verify ? "verify" : "sign", CZ_EINVAL);
    *sampled = (size_t)m;
    return t;
}

struct read_ctx { crypto_secretstream_xchacha20poly1305_state *st; uint8_t *chunk, *out; size_t used, bytes, entries; };
static int read_cb(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    struct read_ctx *r = ctx;
    (void)k; (void)kl;
    r->bytes += vl;
    r->entries++;
    /* Gather 64 KiB chunks and seal them, as a bundle writer must at least. */
    while (vl) {
        size_t take = 65536 - r->used < vl ? 65536 - r->used : vl;
        memcpy(r->chunk + r->used, v, take);
        r->used += take; v += take; vl -= take;
        if (r->used == 65536) {
            crypto_secretstream_xchacha20poly1305_push(r->st, r->out, NULL, r->chunk, r->used, NULL, 0, 0);
            r->used = 0;
        }
    }
    return 0;
}

/* Counts the stored entries and their bytes (BENCH_LOAD_ONLY). */
static int count_cb(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    struct read_ctx *r = ctx;
    (void)k; (void)kl; (void)v;
    r->bytes += vl;
    r->entries++;
    return 0;
}

/* Every stored entry read and sealed: the least an export must do. */
static double time_read_and_encrypt(cz_station *st, size_t *bytes, size_t *entries)
{
    uint8_t key[32], header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state state;
    cz_txn *t;
    struct read_ctx r = { &state, malloc(65536), malloc(65536 + crypto_secretstream_xchacha20poly1305_ABYTES), 0, 0, 0 };
    crypto_secretstream_xchacha20poly1305_keygen(key);
    double t0 = now();
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    cz_txn_begin(cz_station_store(st), 0, &t);
    cz_store_each_entry(t, read_cb, &r);
    cz_txn_abort(t);
    crypto_secretstream_xchacha20poly1305_push(&state, r.out, NULL, r.chunk, r.used, NULL, 0,
                                               crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    double el = now() - t0;
    free(r.chunk);
    free(r.out);
    *bytes = r.bytes;
    *entries = r.entries;
    return el;
}

/* The process's CPU time (all threads, user and system). */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* export: out[0] seconds, out[1] entries, out[2] bytes; out[3] bound
 * seconds, out[4] plain bytes read, out[5] entries read, out[6] the
 * export's CPU seconds (all threads). */
static void phase_export(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *st;
    struct cz_peer *peers;
    size_t npeers, bytes, entries;
    struct cz_export_result ex;
    int rc;
    if ((rc = cz_station_open(r->dir, &st)) || (rc = cz_station_login(st, NULL, PASS))) die("open", rc);
    if ((rc = cz_sync_peers(st, &peers, &npeers)) || npeers < 1) die("peers", rc ? rc : CZ_ENOTFOUND);
    phase_go();
    double c0 = cpu_seconds(), t0 = now();
    if ((rc = cz_sync_export(st, r->stick, &peers[0], 1, &ex))) die("export", rc);
    out[0] = now() - t0;
    out[6] = cpu_seconds() - c0;
    out[1] = (double)ex.entries;
    out[2] = (double)ex.bytes;
    snprintf(r->bundle, sizeof r->bundle, "%s", ex.path);
    free(peers);
    out[3] = time_read_and_encrypt(st, &bytes, &entries);
    out[4] = (double)bytes;
    out[5] = (double)entries;
    /* the bundle's path, for the import phase (the parent's copy of r) */
    memcpy(&out[8], ex.path, strlen(ex.path) < 8 * 24 - 1 ? strlen(ex.path) + 1 : 0);
    cz_station_close(st);
}

/* The bound again in a fresh process, before anything else has read the
 * database there: out[0] seconds.  The bound above runs after the export in
 * the export's process, whose map of the database is already faulted in;
 * a real export (the CLI, a fresh process) pays for those first touches. */
static void phase_bound_cold(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *st;
    size_t bytes, entries;
    int rc;
    if ((rc = cz_station_open(r->dir, &st))) die("open", rc);
    phase_go();
    out[0] = time_read_and_encrypt(st, &bytes, &entries);
    cz_station_close(st);
}

/* import: out[0] seconds, out[1] fresh entries. */
static void phase_import(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *office;
    struct cz_import_result im;
    int rc;
    if ((rc = cz_station_open(r->office, &office)) || (rc = cz_station_login(office, NULL, PASS))) die("office", rc);
    phase_go();
    double t0 = now(), c0 = cpu_of(RUSAGE_SELF), m0 = cpu_of(RUSAGE_THREAD);
    /* as `cunzhan import` does it: streamed from the file */
    if ((rc = cz_sync_import_file(office, r->bundle, NULL, NULL, &im)) || im.status) die("import", rc ? rc : im.status);
    out[0] = now() - t0;
    out[1] = (double)im.fresh;
    out[2] = cpu_of(RUSAGE_SELF) - c0;     /* every thread */
    out[3] = cpu_of(RUSAGE_THREAD) - m0;   /* the thread that writes */
    cz_station_close(office);
}

/* ---- find and list, as screens/households.c does them ---- */

struct row_ctx { cz_txn *t; size_t rows; };

/* What the screen's add_cb loads for a row: the record, and for a member
 * its household (the row says whose member it is). */
static int row_cb(void *ctx, const uint8_t *entity)
{
    struct row_ctx *c = ctx;
    struct cz_record rec, h;
    const uint8_t *ref;
    size_t len;
    if (cz_record_load(c->t, entity, &rec)) return 0;
    const struct cz_field *fh = rec.type ? cz_schema_field(rec.type, "household") : NULL;
    if (!rec.deleted && rec.body && fh && !strcmp(rec.type_key, "member") &&
        cz_body_get_bytes(rec.body, fh->tag, &ref, &len) == CZ_OK && len == CZ_ENTITY_BYTES &&
        cz_record_load(c->t, ref, &h) == CZ_OK)
        cz_record_clear(&h);
    cz_record_clear(&rec);
    c->rows++;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define REPEAT 7
/* By part of a name, a whole household number, pinyin initials and full
 * pinyin (王秀英), the first letter typed of either (every 王 and 吴), a
 * part of a household number and four digits (of household numbers and
 * phones alike: 138xxxxxxxx). */
static const char *const queries[] = { "秀英", "王秀英", "王", "B-0000123", "wxy", "wangxiuying", "w", "0000123", "0123" };
#define NQ (sizeof queries / sizeof queries[0])
#define OUT_LIST (2 * NQ)               /* the list's ms and total */
#define OUT_FIRST (2 * NQ + 2)          /* first run of find 0: ms, major, minor faults */

/* find: per query out[2q] median ms (fresh read transaction each time, as
 * the screen does per key press), out[2q+1] total found; then the list
 * the same way (q = NQ); out[OUT_FIRST] first-run ms of find 0. */
static void phase_find(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *st;
    int rc;
    if ((rc = cz_station_open(r->dir, &st))) die("open", rc);
    phase_go();
    for (size_t q = 0; q <= NQ; q++) {
        double times[REPEAT];
        size_t total = 0;
        for (int k = 0; k < REPEAT; k++) {
            struct row_ctx c = { NULL, 0 };
            int exact;
            struct rusage ru0, ru1;
            getrusage(RUSAGE_SELF, &ru0);
            double t0 = now();
            if ((rc = cz_txn_begin(cz_station_store(st), 0, &c.t))) die("txn", rc);
            if (q < NQ)
                rc = cz_query_find_page(c.t, queries[q], CZ_QUERY_PAGE, row_cb, &c, &total, &exact);
            else
                rc = cz_query_first(c.t, cz_schema_type("household"), "number", CZ_QUERY_PAGE, row_cb, &c, &total);
            cz_txn_abort(c.t);
            times[k] = (now() - t0) * 1000;
            if (rc) die("find", rc);
            getrusage(RUSAGE_SELF, &ru1);
            if (q == 0 && k == 0) {
                /* the first search of a fresh process maps the database's
                 * pages: major faults are reads from the disk */
                out[OUT_FIRST] = times[0];
                out[OUT_FIRST + 1] = (double)(ru1.ru_majflt - ru0.ru_majflt);
                out[OUT_FIRST + 2] = (double)(ru1.ru_minflt - ru0.ru_minflt);
            }
        }
        qsort(times, REPEAT, sizeof times[0], cmp_double);
        out[2 * q] = times[REPEAT / 2];
        out[2 * q + 1] = (double)total;
    }
    cz_station_close(st);
}

/* ---- start-up ---- */

static int place_cb(void *ctx, const uint8_t *e) { memcpy(ctx, e, CZ_ENTITY_BYTES); return CZ_WALK_STOP; }

/* out[0] in-process ms (open + the home screen's reads), out[1] exec to the
 * station's name on the pty, ms; out[2], out[3]: that process's RssAnon
 * and VmHWM (MB) once drawn. */
static void phase_start(void *arg, double out[NOUT])
{
    struct run *r = arg;
    cz_station *st;
    cz_txn *t;
    char term[64];
    size_t n;
    uint8_t place[CZ_ENTITY_BYTES];
    int rc;
    phase_go();
    double t0 = now();
    if ((rc = cz_station_open(r->dir, &st))) die("open", rc);
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) die("txn", rc);
    cz_store_index_count(t, term, cz_term_type(term, sizeof term, "household"), &n);
    cz_store_index_count(t, term, cz_term_type(term, sizeof term, "member"), &n);
    struct cz_assign a = { "code", VILLAGE };
    cz_query_list(t, cz_schema_type("place"), &a, 1, place_cb, place, NULL);
    cz_txn_abort(t);
    out[0] = (now() - t0) * 1000;
    cz_station_close(st);

    const char *top = getenv("CZ_TOP") ? getenv("CZ_TOP") : ".";
    char bin[4096];
    snprintf(bin, sizeof bin, "%s/cunzhan", top);
    struct winsize ws = { 24, 80, 0, 0 };
    int fd;
    t0 = now();
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0) die("forkpty", CZ_EIO);
    if (pid == 0) {
        setenv("CUNZHAN_PASSPHRASE", PASS, 1);
        setenv("LANG", "C.UTF-8", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        setenv("TERM", "xterm", 1);
        execl(bin, bin, "-C", r->dir, (char *)NULL);
        _exit(127);
    }
    char seen[1 << 16];
    size_t used = 0;
    out[1] = -1;
    while (now() - t0 < 60) {
        fd_set fs;
        struct timeval tv = { 0, 100000 };
        FD_ZERO(&fs);
        FD_SET(fd, &fs);
        if (select(fd + 1, &fs, NULL, NULL, &tv) <= 0) continue;
        ssize_t k = read(fd, seen + used, sizeof seen - 1 - used);
        if (k <= 0) break;
        used += (size_t)k;
        seen[used] = 0;
        if (memmem(seen, used, STATION_NAME, strlen(STATION_NAME))) { out[1] = (now() - t0) * 1000; break; }
        if (used > sizeof seen / 2) { memmove(seen, seen + used - 64, 64); used = 64; }
    }
    out[2] = (double)status_kb(pid, "RssAnon") / 1024.0;
    out[3] = (double)status_kb(pid, "VmHWM") / 1024.0;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fd);
}

/* ---- one size ---- */

static void mem_record(const char *what, size_t size, size_t n, struct phase_mem m)
{
    char name[64], note[64];
    snprintf(name, sizeof name, "peak anon memory: %s", what);
    snprintf(note, sizeof note, "VmHWM %.1f MB incl. mapped db", m.hwm_mb);
    bench_record(name, size, n, m.anon_mb, 0, "MB", MEM_GOAL, note);
}

/* The bound of n signatures (verify 0) or verifications (1) on one core
 * and on every core, each a row of its own; *note says how they were
 * timed.  The all-core row says how many cores were busy on average (CPU
 * time over wall time): on a shared machine fewer than there are. */
static void bounds(size_t size, size_t n, size_t msg_len, int verify, double *one, double *all, char note[64])
{
    char what[64], busy[64] = "";
    size_t sampled;
    unsigned cores = bench_cores();
    const char *verb = verify ? "verifying" : "signing";
    *one = time_signing(n, msg_len, verify, 1, &sampled);
    snprintf(note, 64, sampled < n ? "%zu timed, scaled" : "", sampled);
    snprintf(what, sizeof what, "bound: %s, one core", verb);
    bench_record(what, size, n, *one, 0, "s", "", note);
    *all = *one;
    if (cores > 1) {
        double c0 = cpu_of(RUSAGE_SELF);
        *all = time_signing(n, msg_len, verify, cores, &sampled);
        double wall = *all * (double)sampled / (double)n;
        snprintf(busy, sizeof busy, "%.2f of %u cores busy%s%s", wall > 0 ? (cpu_of(RUSAGE_SELF) - c0) / wall : 0,
                 cores, note[0] ? "; " : "", note);
    }
    snprintf(what, sizeof what, "bound: %s, all %u cores", verb, cores);
    bench_record(what, size, n, *all, 0, "s", "", busy);
}

static int entry_bytes_cb(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    uint64_t *sum = ctx;
    (void)k; (void)kl; (void)v;
    *sum += vl;
    return 0;
}

/* The station's database bytes per record, against the stored entries'
 * own bytes (the goal: at most twice those), and table by table, read
 * from the LMDB environment (bench_stat.c). */
static void table_rows(const struct run *r, size_t entries, size_t db_bytes)
{
    char dbdir[4200], what[64], note[64];
    struct bench_db_stat ds;
    uint64_t eb = 0;
    cz_station *st;
    cz_txn *t;
    int rc;
    double per = entries ? 1.0 / (double)entries : 0;
    if ((rc = cz_station_open(r->dir, &st)) || (rc = cz_txn_begin(cz_station_store(st), 0, &t))) die("open", rc);
    cz_store_each_entry(t, entry_bytes_cb, &eb);
    cz_txn_abort(t);
    cz_station_close(st);
    bench_record("stored entry bytes per record", r->n, entries, (double)eb * per, 0, "B", "", "entries' values");
    bench_record("database bytes per record", r->n, entries, (double)db_bytes * per, (double)eb * per, "B",
                 "<= 2x entry bytes", "bound: the stored entry bytes");
    snprintf(dbdir, sizeof dbdir, "%.4000s/db", r->dir);
    double t0 = now();
    if ((rc = bench_db_stat(dbdir, &ds))) {
        fprintf(stderr, "bench: %s: %s\n", dbdir, mdb_strerror(rc));
        return;
    }
    printf("  (the bytes by table took %.1f s)\n", now() - t0);
    for (size_t i = 0; i < ds.n; i++) {
        const struct bench_table *tb = &ds.t[i];
        snprintf(what, sizeof what, "database bytes per record: %s", tb->name);
        note[0] = 0;
        if (tb->sub_bytes)
            snprintf(note, sizeof note, "%.0f B its tree, %.0f B dup sub-trees (est.)", (double)tb->tree_bytes * per,
                     (double)tb->sub_bytes * per);
        bench_record(what, r->n, entries, (double)(tb->tree_bytes + tb->sub_bytes) * per, 0, "B", "", note);
    }
    bench_record("database bytes per record: free pages", r->n, entries, (double)ds.free_bytes * per, 0, "B", "", "");
    snprintf(note, sizeof note, ds.unsplit ? "%.0f B of dup sub-trees not split" : "meta and main table",
             (double)ds.unsplit * per);
    bench_record("database bytes per record: LMDB's own", r->n, entries, (double)(ds.lmdb_bytes + ds.unsplit) * per,
                 0, "B", "", note);
}

static void run(size_t n_records, const char *root)
{
    struct run *r = calloc(1, sizeof *r);
    char why[64];
    cz_station *office = NULL, *st = NULL;
    double out[NOUT], t_size = now();
    int rc;

    r->nh = n_records / PER_HOUSEHOLD;
    if (r->nh == 0) r->nh = 1;
    r->n = r->nh * PER_HOUSEHOLD;
    snprintf(r->office, sizeof r->office, "%.3000s/office-%zu", root, n_records);
    snprintf(r->dir, sizeof r->dir, "%.3000s/station-%zu", root, n_records);
    snprintf(r->stick, sizeof r->stick, "%.3000s/stick-%zu", root, n_records);
    snprintf(r->json, sizeof r->json, "%.3000s/records-%zu.json", root, n_records);
    struct cz_init_opts oo = { .kind = CZ_KIND_OFFICE, .name = "市办", .region = "4110", .user = "张主任" };
    if ((rc = cz_station_init(r->office, &oo, PASS, &office, why, sizeof why))) die("init office", rc);
    char *identity;
    cz_station_identity(office, &identity);
    struct cz_init_opts so = { .kind = CZ_KIND_STATION, .name = STATION_NAME, .region = VILLAGE, .user = "孙书记",
                               .office_identity = identity };
    if ((rc = cz_station_init(r->dir, &so, PASS, &st, why, sizeof why))) die("init station", rc);
    free(identity);
    cz_station_close(st);
    cz_station_close(office);
    printf("N = %zu records (%zu households, %zu members, %zu aid)\n", r->n, r->nh, r->nh * MEMBERS, r->nh);

    struct phase_mem m = phase("load", phase_load, r, out);
    double t_load = out[0], stored = out[1], cpu_all = out[5], cpu_main = out[6];
    printf("  (generating the CSV files took %.1f s, not counted)\n", out[4]);
    /* the stored entries' average size, for the signing bound */
    if ((rc = cz_station_open(r->dir, &st))) die("open", rc);
    cz_txn *t;
    struct cz_store_stats ss;
    cz_txn_begin(cz_station_store(st), 0, &t);
    cz_store_stats(t, &ss);
    cz_txn_abort(t);
    cz_station_close(st);
    size_t sampled;
    char note[64];
    struct phase_mem m_load = m;
    if (getenv("BENCH_LOAD_ONLY")) {
        /* Only the load and its bound (for profiling the load), the bound's
         * message size from the stored entries. */
        struct read_ctx rc0 = { 0 };
        char cmd0[9000];
        if ((rc = cz_station_open(r->dir, &st))) die("open", rc);
        cz_txn_begin(cz_station_store(st), 0, &t);
        cz_store_each_entry(t, count_cb, &rc0);
        cz_txn_abort(t);
        cz_station_close(st);
        size_t avg0 = rc0.entries ? rc0.bytes / rc0.entries : 300;
        /* signing runs on a thread of its own: the process's CPU time */
        double c0 = cpu_of(RUSAGE_SELF);
        double bound0 = time_signing((size_t)stored, avg0, 0, 1, &sampled);
        double bound_cpu = (cpu_of(RUSAGE_SELF) - c0) * stored / (double)sampled;
        printf("  load CPU: all threads %.2f s (%.2fx signing's CPU %.2f s), checking+storing thread %.2f s (%.2fx), "
               "other threads %.2f s (%.2fx)\n", cpu_all, cpu_all / bound_cpu, bound_cpu, cpu_main, cpu_main / bound_cpu,
               cpu_all - cpu_main, (cpu_all - cpu_main) / bound_cpu);
        snprintf(note, sizeof note, sampled < (size_t)stored ? "bound: %zu timed, scaled" : "", sampled);
        bench_record("load CSV (real load path)", r->n, (size_t)stored, t_load, bound0, "s", "<= 1.3x signing, one core",
                     note);
        mem_record("load", r->n, (size_t)stored, m_load);
        snprintf(cmd0, sizeof cmd0, "rm -rf '%.2000s' '%.2000s' '%.2000s' '%.2000s'", r->dir, r->office, r->stick, r->json);
        if (system(cmd0)) fprintf(stderr, "bench: could not remove %s\n", r->dir);
        free(r);
        return;
    }

    m = phase("export", phase_export, r, out);
    size_t avg = out[5] > 0 ? (size_t)(out[4] / out[5]) : 300;
    double sign_one, sign_all;
    bounds(r->n, (size_t)stored, avg, 0, &sign_one, &sign_all, note);
    /* one person's entries chain: a load signs on one core */
    bench_record("load CSV (real load path)", r->n, (size_t)stored, t_load, sign_one, "s", "<= 1.3x signing, one core",
                 note);
    mem_record("load", r->n, (size_t)stored, m_load);
    snprintf(r->bundle, sizeof r->bundle, "%s", (const char *)&out[8]);
    double bundle_bytes = out[2];
    bench_record("export full bundle", r->n, (size_t)out[1], out[0], out[3], "s", "<= 1.2x read+encrypt", "");
    mem_record("export", r->n, (size_t)out[1], m);
    double cold[NOUT];
    phase("bound cold", phase_bound_cold, r, cold);
    bench_record("export vs cold read+encrypt", r->n, (size_t)out[1], out[0], cold[0], "s", "(bound in a fresh process)",
                 "");
    size_t entries = (size_t)out[5];
    double plain = out[4];

    m = phase("import", phase_import, r, out);
    double verify_one, verify_all;
    bounds(r->n, entries, entries ? (size_t)(plain / (double)entries) : 300, 1, &verify_one, &verify_all, note);
    snprintf(note, sizeof note, "%.2fx verifying on one core", out[0] / verify_one);
    bench_record("import full bundle", r->n, entries, out[0], verify_all, "s", "<= 1.15x verifying, all cores", note);
    printf("  import CPU: all threads %.2f s, the writing thread %.2f s\n", out[2], out[3]);
    mem_record("import", r->n, entries, m);

    /* size against the same records as JSON, encrypted with age */
    char age_path[4096], key_path[4096], cmd[24000];
    snprintf(age_path, sizeof age_path, "%.3000s.age", r->json);
    snprintf(key_path, sizeof key_path, "%.3000s/age-key.txt", root);
    double age_bytes = -1, t0 = now();
    if (system("command -v age >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd, "[ -f '%s' ] || age-keygen -o '%s' 2>/dev/null; age -r \"$(age-keygen -y '%s')\" -o '%s' '%s'",
                 key_path, key_path, key_path, age_path, r->json);
        struct stat sb;
        if (system(cmd) == 0 && stat(age_path, &sb) == 0) age_bytes = (double)sb.st_size;
    }
    if (age_bytes > 0)
        bench_record("bundle bytes vs JSON+age", r->n, entries, bundle_bytes, age_bytes, "B", "< 1.0x", "");
    else
        bench_record("bundle bytes (age not installed)", r->n, entries, bundle_bytes, 0, "B", "< JSON+age", "");
    printf("  (age took %.1f s)\n", now() - t0);
    unlink(age_path);
    unlink(r->json);

    m = phase("find", phase_find, r, out);
    for (size_t q = 0; q < NQ; q++) {
        char what[64];
        snprintf(what, sizeof what, "find \"%s\" (screen, %d rows)", queries[q], CZ_QUERY_PAGE);
        snprintf(note, sizeof note, "%.0f found; median of %d", out[2 * q + 1], REPEAT);
        bench_record(what, r->n, r->nh, out[2 * q], 0, "ms", "< 20 ms", note);
    }
    snprintf(note, sizeof note, "fresh process; %.0f major, %.0f minor page faults", out[OUT_FIRST + 1],
             out[OUT_FIRST + 2]);
    bench_record("find \"秀英\" first run", r->n, r->nh, out[OUT_FIRST], 0, "ms", "< 20 ms", note);
    snprintf(note, sizeof note, "%.0f households; median of %d", out[OUT_LIST + 1], REPEAT);
    bench_record("household list, first page", r->n, r->nh, out[OUT_LIST], 0, "ms", "< 20 ms", note);
    mem_record("find", r->n, r->nh, m);

    m = phase("start", phase_start, r, out);
    bench_record("start-up: exec to first screen", r->n, r->n, out[1], 0, "ms", "fast", "incl. passphrase KDF");
    bench_record("start-up: open + home reads", r->n, r->n, out[0], 0, "ms", "fast", "in process");
    snprintf(note, sizeof note, "VmHWM %.1f MB incl. mapped db", out[3]);
    bench_record("peak anon memory: screens", r->n, r->n, out[2], 0, "MB", MEM_GOAL, note);

    table_rows(r, ss.entries, ss.db_bytes);
    printf("  (this size took %.0f s)\n", now() - t_size);
    if (keep) {
        printf("  kept: station %s\n        office %s\n        stick %s\n", r->dir, r->office, r->stick);
    } else {
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s'", r->dir, r->office, r->stick);
        if (system(cmd)) fprintf(stderr, "bench: could not remove %s\n", r->dir);
    }
    free(r);
}

/* BENCH_EXPORT=DIR: only the export phase, BENCH_REPEAT times (3), on a
 * station a BENCH_KEEP=1 run left, each bundle written to a fresh folder
 * under the run's data folder and removed after; prints each export and its
 * bound.  For comparing builds back to back on one database. */
static void export_only(const char *dir, const char *root)
{
    const char *rep = getenv("BENCH_REPEAT");
    size_t n = rep && strtoul(rep, NULL, 10) ? strtoul(rep, NULL, 10) : 3;
    struct run *r = calloc(1, sizeof *r);
    double out[NOUT], sum = 0, lo = 1e30, hi = 0;
    char cmd[9000];
    snprintf(r->dir, sizeof r->dir, "%.4000s", dir);
    snprintf(r->stick, sizeof r->stick, "%.3000s/stick", root);
    for (size_t i = 0; i < n; i++) {
        struct phase_mem m = phase("export", phase_export, r, out);
        double ratio = out[0] / out[3];
        double o2[NOUT];
        phase("bound cold", phase_bound_cold, r, o2);
        printf("export %zu: %.0f entries, %.3f s (CPU %.3f s), %.0f bytes; bound %.3f s; ratio %.2f; anon %.1f MB; "
               "cold bound %.3f s, ratio %.2f\n",
               i + 1, out[1], out[0], out[6], out[2], out[3], ratio, m.anon_mb, o2[0], out[0] / o2[0]);
        fflush(stdout);
        sum += out[0];
        if (out[0] < lo) lo = out[0];
        if (out[0] > hi) hi = out[0];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->stick);
        if (system(cmd)) fprintf(stderr, "bench: could not remove %s\n", r->stick);
    }
    printf("export: %zu runs, %.3f-%.3f s, mean %.3f s\n", n, lo, hi, sum / (double)n);
    free(r);
}

int main(void)
{
    const char *sizes = getenv("BENCH_SIZES") ? getenv("BENCH_SIZES") : "10000 100000 1000000";
    const char *csv_path = getenv("BENCH_CSV") ? getenv("BENCH_CSV") : "src/.build/bench.csv";
    const char *md_path = getenv("BENCH_MD") ? getenv("BENCH_MD") : "src/.build/bench.md";
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char root[4096], mach[512];
    double t_all = now();
    snprintf(root, sizeof root, "%s/cunzhan-bench-XXXXXX", tmp);
    if (sodium_init() < 0 || !mkdtemp(root)) return 1;
    bench_machine(mach, sizeof mach);
    if (getenv("BENCH_FILE_HOUSEHOLDS") && strtoul(getenv("BENCH_FILE_HOUSEHOLDS"), NULL, 10))
        file_households = strtoul(getenv("BENCH_FILE_HOUSEHOLDS"), NULL, 10);
    keep = getenv("BENCH_KEEP") && atoi(getenv("BENCH_KEEP"));
    printf("cunzhan bench: %s; data in %s\n", mach, root);
    if (getenv("BENCH_EXPORT") && getenv("BENCH_EXPORT")[0]) {
        export_only(getenv("BENCH_EXPORT"), root);
        char rm[4200];
        snprintf(rm, sizeof rm, "rm -rf '%s'", root);
        return system(rm) == 0 ? 0 : 1;
    }
    char *copy = strdup(sizes);
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) run((size_t)strtoul(tok, NULL, 10), root);
    free(copy);
    bench_growth_rows();
    double elapsed = now() - t_all;
    FILE *f = fopen(csv_path, "w");
    if (f) {
        bench_csv(f);
        fclose(f);
    }
    printf("\n");
    bench_markdown(stdout, mach, elapsed);
    if ((f = fopen(md_path, "w"))) { bench_markdown(f, mach, elapsed); fclose(f); }
    printf("\nwritten %s and %s; whole run %.0f s\n", csv_path, md_path, elapsed);
    if (keep) return 0;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : 1;
}
