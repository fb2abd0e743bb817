/* bench — cunzhan's performance against the machine's own limits (issue 7).
 *
 * For each size N (records: households and their members), it builds a
 * village station with N signed records, then measures, each against a
 * bound measured in the same run on the same machine:
 *   load    CSV parse + validate + sign + store vs. N Ed25519 signatures
 *   export  full bundle for the office       vs. reading the entries + secretstream
 *                                              encryption of the same bytes
 *   import  that bundle at the office        vs. N Ed25519 verifications
 *   size    bundle bytes                     vs. the same records as JSON encrypted
 *                                              with age (when `age` is installed)
 *   find    by part of a Chinese name, and the first page of the household
 *           list (goal: under 20 ms)
 *   open    opening the station and reading its counts (start-up)
 *   memory  peak anonymous memory (goal: under 32 MB besides the mapped
 *           database) and database bytes per record
 * It prints a table and writes it as CSV (BENCH_CSV, default
 * src/.build/bench.csv).  Sizes: BENCH_SIZES (default "10000 100000").
 * Real LMDB, real libsodium, real files; nothing mocked. */
#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "entry.h"
#include "idnum.h"
#include "keys.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"

#define PASS "bench"
#define VILLAGE "411024104201"
#define MEMBERS_PER_HOUSEHOLD 4

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Peak anonymous memory (kB): VmHWM counts mapped database pages too, so
 * read RssAnon now and keep the highest seen. */
static long peak_anon_kb;
static void sample_memory(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    if (!f) return;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "RssAnon:", 8)) {
            long kb = strtol(line + 8, NULL, 10);
            if (kb > peak_anon_kb) peak_anon_kb = kb;
        }
    fclose(f);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench: %s: %s\n", what, cz_strerror(rc, CZ_LANG_EN));
    exit(1);
}

/* Invented but realistic names: common surnames and given-name characters. */
static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                        "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗" };
static const char *const given[] = { "秀", "英", "华", "明", "国", "建", "军", "平", "玉", "兰",
                                     "桂", "芳", "强", "伟", "丽", "红", "春", "海", "德", "文",
                                     "志", "金", "永", "成", "福", "山", "梅", "云", "林", "生" };

static void name_of(unsigned long i, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", surnames[i % 20], given[(i / 20) % 30], given[(i / 600) % 30]);
}

static void idnum_of(unsigned long i, char out[19])
{
    unsigned y = 1940 + (unsigned)(i % 70), m = 1 + (unsigned)(i / 70 % 12), d = 1 + (unsigned)(i / 840 % 28);
    snprintf(out, 19, "411024%04u%02u%02u%03lu", y, m, d, i % 1000);
    out[17] = cz_idnum_check_char(out);
    out[18] = 0;
}

struct row { struct cz_assign a[8]; char buf[8][64]; size_t n; };

static void set(struct row *r, const char *field, const char *value)
{
    snprintf(r->buf[r->n], sizeof r->buf[r->n], "%s", value);
    r->a[r->n].field = field;
    r->a[r->n].value = r->buf[r->n];
    r->n++;
}

/* The CSV of households a station would load; returns its size. */
static char *households_csv(size_t nh, size_t base, size_t *len)
{
    size_t cap = 128 + nh * 96, n = 0;
    char *csv = malloc(cap), name[64];
    n += (size_t)snprintf(csv + n, cap - n, "number,village,head,causes,identified,status\n");
    for (size_t i = 0; i < nh; i++) {
        name_of(base + i, name, sizeof name);
        n += (size_t)snprintf(csv + n, cap - n, "B-%07zu,%s,%s,\"illness,skills\",2016,poor\n", base + i, VILLAGE, name);
    }
    *len = n;
    return csv;
}

/* libcsv into rows of assignments, as `load` does. */
struct parse { struct row *rows; size_t nrows, cap, col; char header[8][64]; size_t ncols; int in_header; };
static void cell_cb(void *s, size_t len, void *data)
{
    struct parse *p = data;
    char v[64];
    snprintf(v, sizeof v, "%.*s", (int)len, (const char *)s);
    if (p->in_header) { snprintf(p->header[p->ncols++], 64, "%s", v); return; }
    if (p->col == 0) {
        if (p->nrows == p->cap) { p->cap = p->cap ? 2 * p->cap : 1024; p->rows = realloc(p->rows, p->cap * sizeof *p->rows); }
        memset(&p->rows[p->nrows], 0, sizeof p->rows[0]);
    }
    set(&p->rows[p->nrows], p->header[p->col], v);
    p->col++;
}
static void row_cb(int c, void *data)
{
    struct parse *p = data;
    (void)c;
    if (p->in_header) p->in_header = 0;
    else { p->nrows++; p->col = 0; }
}

struct result { const char *what; size_t n; double value, bound; const char *unit, *goal; };
static struct result results[64];
static size_t nresults;
static void record(const char *what, size_t n, double value, double bound, const char *unit, const char *goal)
{
    results[nresults++] = (struct result){ what, n, value, bound, unit, goal };
    if (bound > 0)
        printf("  %-28s N=%-8zu %10.3f %-4s bound %10.3f  ratio %6.2f  goal %s\n", what, n, value, unit, bound, value / bound, goal);
    else
        printf("  %-28s N=%-8zu %10.3f %-4s                             goal %s\n", what, n, value, unit, goal);
    fflush(stdout);
}

/* The physical limits: N signatures and N verifications of entry-sized
 * messages, and secretstream over `bytes`. */
static double time_signing(size_t n, size_t msg_len, int verify)
{
    uint8_t pk[32], sk[64], sig[64];
    uint8_t *msg = calloc(1, msg_len);
    size_t failures = 0;   /* the flipped messages fail; counting keeps the work */
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, msg, msg_len, sk);
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        msg[i % msg_len] ^= 1;
        if (verify) failures += crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0;
        else crypto_sign_detached(sig, NULL, msg, msg_len, sk);
    }
    double t = now() - t0;
    free(msg);
    return t + (double)(failures & 0) ;
}

struct read_ctx { crypto_secretstream_xchacha20poly1305_state *st; uint8_t *chunk; size_t used; size_t bytes; };
static int read_cb(void *ctx, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    struct read_ctx *r = ctx;
    (void)k; (void)kl;
    r->bytes += vl;
    /* Gather 64 KiB chunks and seal them, as a bundle writer must at least. */
    while (vl) {
        size_t take = 65536 - r->used < vl ? 65536 - r->used : vl;
        memcpy(r->chunk + r->used, v, take);
        r->used += take; v += take; vl -= take;
        if (r->used == 65536) {
            uint8_t out[65536 + crypto_secretstream_xchacha20poly1305_ABYTES];
            crypto_secretstream_xchacha20poly1305_push(r->st, out, NULL, r->chunk, r->used, NULL, 0, 0);
            r->used = 0;
        }
    }
    return 0;
}

static double time_read_and_encrypt(cz_station *st, size_t *bytes)
{
    uint8_t key[32], header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state state;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    cz_txn *t;
    struct read_ctx r = { &state, malloc(65536), 0, 0 };
    double t0 = now();
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    cz_txn_begin(cz_station_store(st), 0, &t);
    cz_store_each_entry(t, read_cb, &r);
    cz_txn_abort(t);
    double el = now() - t0;
    free(r.chunk);
    *bytes = r.bytes;
    return el;
}

struct count_ctx { size_t n, limit; };
static int count_cb(void *ctx, const uint8_t *e)
{
    struct count_ctx *c = ctx;
    (void)e;
    return ++c->n >= c->limit ? CZ_WALK_STOP : 0;
}

struct collect_ctx { uint8_t (*ids)[16]; size_t n; };
static int collect_cb(void *ctx, const uint8_t *e)
{
    struct collect_ctx *c = ctx;
    memcpy(c->ids[c->n++], e, 16);
    return 0;
}

static void run(size_t n_records, const char *root)
{
    char dir[4096], office_dir[4096], stick[4096], why[64];
    size_t nh = n_records / (1 + MEMBERS_PER_HOUSEHOLD);
    cz_station *office = NULL, *st = NULL;
    int rc;

    snprintf(office_dir, sizeof office_dir, "%s/office-%zu", root, n_records);
    snprintf(dir, sizeof dir, "%s/station-%zu", root, n_records);
    snprintf(stick, sizeof stick, "%s/stick-%zu", root, n_records);
    struct cz_init_opts oo = { CZ_KIND_OFFICE, "市办", "4110", "张主任", NULL };
    if ((rc = cz_station_init(office_dir, &oo, PASS, &office, why, sizeof why))) die("init office", rc);
    char *identity;
    cz_station_identity(office, &identity);
    struct cz_init_opts so = { CZ_KIND_STATION, "杨树湾村", VILLAGE, "孙书记", identity };
    if ((rc = cz_station_init(dir, &so, PASS, &st, why, sizeof why))) die("init station", rc);
    free(identity);
    printf("N = %zu records (%zu households, %zu members)\n", n_records, nh, nh * MEMBERS_PER_HOUSEHOLD);

    /* load: the households from a CSV, in batches of 10,000 rows. */
    double t_load = 0;
    for (size_t base = 0; base < nh; base += 10000) {
        size_t batch = nh - base < 10000 ? nh - base : 10000, len;
        char *csv = households_csv(batch, base, &len);
        struct parse p = { 0 };
        p.in_header = 1;
        struct csv_parser parser;
        double t0 = now();
        csv_init(&parser, 0);
        csv_parse(&parser, csv, len, cell_cb, row_cb, &p);
        csv_fini(&parser, cell_cb, row_cb, &p);
        csv_free(&parser);
        const struct cz_assign **rows = malloc(p.nrows * sizeof *rows);
        size_t *counts = malloc(p.nrows * sizeof *counts), stored;
        for (size_t i = 0; i < p.nrows; i++) {
            /* realloc moved the rows: point the values at their new buffers */
            for (size_t j = 0; j < p.rows[i].n; j++) p.rows[i].a[j].value = p.rows[i].buf[j];
            rows[i] = p.rows[i].a;
            counts[i] = p.rows[i].n;
        }
        if ((rc = cz_station_add_many(st, "household", rows, counts, p.nrows, NULL, NULL, &stored))) die("load", rc);
        t_load += now() - t0;
        sample_memory();
        free(rows); free(counts); free(p.rows); free(csv);
    }
    /* members, four to a household, through the same batch path */
    {
        cz_txn *t;
        char term[64];
        struct collect_ctx cc = { malloc(nh * 16 + 16), 0 };
        cz_txn_begin(cz_station_store(st), 0, &t);
        cz_store_index_each(t, term, cz_term_type(term, sizeof term, "household"), collect_cb, &cc);
        cz_txn_abort(t);
        for (size_t base = 0; base < cc.n; base += 2500) {
            size_t batch = cc.n - base < 2500 ? cc.n - base : 2500;
            struct row *rows = calloc(batch * MEMBERS_PER_HOUSEHOLD, sizeof *rows);
            const struct cz_assign **rp = malloc(batch * MEMBERS_PER_HOUSEHOLD * sizeof *rp);
            size_t *counts = malloc(batch * MEMBERS_PER_HOUSEHOLD * sizeof *counts), stored, k = 0;
            for (size_t h = 0; h < batch; h++)
                for (int m = 0; m < MEMBERS_PER_HOUSEHOLD; m++, k++) {
                    char hex[33], name[64], idn[19];
                    unsigned long i = (unsigned long)((base + h) * MEMBERS_PER_HOUSEHOLD + (size_t)m);
                    cz_hex(cc.ids[base + h], 16, hex);
                    name_of(i * 7 + 3, name, sizeof name);
                    idnum_of(i, idn);
                    set(&rows[k], "household", hex);
                    set(&rows[k], "name", name);
                    set(&rows[k], "id_number", idn);
                    set(&rows[k], "relation", m ? "child" : "head");
                    rp[k] = rows[k].a;
                    counts[k] = rows[k].n;
                }
            if ((rc = cz_station_add_many(st, "member", rp, counts, k, NULL, NULL, &stored))) die("members", rc);
            sample_memory();
            free(rows); free(rp); free(counts);
        }
        free(cc.ids);
    }
    struct cz_store_stats ss;
    cz_txn *t;
    cz_txn_begin(cz_station_store(st), 0, &t);
    cz_store_stats(t, &ss);
    cz_txn_abort(t);
    size_t avg_entry = 0;
    {
        size_t bytes;
        double t_read = time_read_and_encrypt(st, &bytes);
        avg_entry = ss.entries ? bytes / ss.entries : 300;
        (void)t_read;
    }
    double bound_sign = time_signing(nh, avg_entry, 0);
    record("load CSV (households)", nh, t_load, bound_sign, "s", "<= 1.3x signing");

    /* export: a full bundle for the office */
    struct cz_peer *peers;
    size_t npeers;
    struct cz_export_result ex;
    if ((rc = cz_sync_peers(st, &peers, &npeers)) || npeers < 1) die("peers", rc ? rc : CZ_ENOTFOUND);
    size_t plain_bytes;
    double bound_export = time_read_and_encrypt(st, &plain_bytes);
    double t0 = now();
    if ((rc = cz_sync_export(st, stick, &peers[0], 1, &ex))) die("export", rc);
    double t_export = now() - t0;
    sample_memory();
    free(peers);
    record("export full bundle", ss.entries, t_export, bound_export, "s", "<= 1.2x read+encrypt");

    /* import at the office */
    struct cz_import_result im;
    if ((rc = cz_station_login(office, NULL, PASS))) die("login", rc);
    t0 = now();
    /* as `cunzhan import` does it: streamed from the file */
    if ((rc = cz_sync_import_file(office, ex.path, NULL, NULL, &im)) || im.status) die("import", rc ? rc : im.status);
    double t_import = now() - t0;
    sample_memory();
    double bound_verify = time_signing(ss.entries, avg_entry, 1);
    record("import full bundle", ss.entries, t_import, bound_verify, "s", "<= 1.2x verifying");

    /* size against JSON encrypted with age */
    char json_path[4096], age_path[4096], key_path[4096], cmd[32768];
    snprintf(json_path, sizeof json_path, "%s/records-%zu.json", root, n_records);
    snprintf(age_path, sizeof age_path, "%s/records-%zu.json.age", root, n_records);
    snprintf(key_path, sizeof key_path, "%s/age-key.txt", root);
    snprintf(cmd, sizeof cmd, "%s/cunzhan -C '%s' list household --json > '%s' && %s/cunzhan -C '%s' list member --json >> '%s'",
             getenv("CZ_TOP") ? getenv("CZ_TOP") : ".", dir, json_path, getenv("CZ_TOP") ? getenv("CZ_TOP") : ".", dir, json_path);
    double age_bytes = -1;
    if (system("command -v age >/dev/null 2>&1") == 0 && system(cmd) == 0) {
        snprintf(cmd, sizeof cmd, "[ -f '%s' ] || age-keygen -o '%s' 2>/dev/null; age -r \"$(age-keygen -y '%s')\" -o '%s' '%s'",
                 key_path, key_path, key_path, age_path, json_path);
        if (system(cmd) == 0) {
            FILE *f = fopen(age_path, "rb");
            if (f) { fseek(f, 0, SEEK_END); age_bytes = (double)ftell(f); fclose(f); }
        }
    }
    if (age_bytes > 0) record("bundle bytes vs JSON+age", ss.entries, (double)ex.bytes, age_bytes, "B", "< 1.0x");
    else record("bundle bytes (no age here)", ss.entries, (double)ex.bytes, 0, "B", "< JSON+age");

    /* find and list at the station */
    cz_txn_begin(cz_station_store(st), 0, &t);
    struct count_ctx fc = { 0, SIZE_MAX };
    t0 = now();
    cz_query_find(t, "秀英", count_cb, &fc);
    double t_find = now() - t0;
    record("find part of a name", nh, t_find * 1000, 0, "ms", "< 20 ms");
    struct count_ctx lc = { 0, 20 };
    char term[64];
    t0 = now();
    cz_store_index_each(t, term, cz_term_type(term, sizeof term, "household"), count_cb, &lc);
    double t_list = now() - t0;
    record("household list, first page", nh, t_list * 1000, 0, "ms", "< 20 ms");
    cz_txn_abort(t);
    cz_station_close(st);

    /* open: start-up to the first screen's data */
    t0 = now();
    if ((rc = cz_station_open(dir, &st))) die("open", rc);
    cz_txn_begin(cz_station_store(st), 0, &t);
    cz_store_stats(t, &ss);
    size_t cnt;
    cz_store_index_count(t, term, cz_term_type(term, sizeof term, "household"), &cnt);
    cz_txn_abort(t);
    record("open station + counts", ss.entries, (now() - t0) * 1000, 0, "ms", "fast");
    record("database bytes per record", ss.entries, ss.entries ? (double)ss.db_bytes / (double)ss.entries : 0, 0, "B", "small");
    sample_memory();
    record("peak anonymous memory", ss.entries, (double)peak_anon_kb / 1024.0, 0, "MB", "< 32 MB");
    cz_station_close(st);
    cz_station_close(office);
}

int main(void)
{
    const char *sizes = getenv("BENCH_SIZES") ? getenv("BENCH_SIZES") : "10000 100000";
    const char *csv_path = getenv("BENCH_CSV") ? getenv("BENCH_CSV") : "src/.build/bench.csv";
    char root[] = "/tmp/cunzhan-bench-XXXXXX";
    if (sodium_init() < 0 || !mkdtemp(root)) return 1;
    printf("cunzhan bench on %ld cores; data in %s\n", sysconf(_SC_NPROCESSORS_ONLN), root);
    char *copy = strdup(sizes);
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) run((size_t)strtoul(tok, NULL, 10), root);
    free(copy);
    FILE *f = fopen(csv_path, "w");
    if (f) {
        fprintf(f, "measure,n,value,unit,bound,ratio,goal\n");
        for (size_t i = 0; i < nresults; i++)
            fprintf(f, "%s,%zu,%.4f,%s,%.4f,%.3f,%s\n", results[i].what, results[i].n, results[i].value,
                    results[i].unit, results[i].bound, results[i].bound > 0 ? results[i].value / results[i].bound : 0,
                    results[i].goal);
        fclose(f);
        printf("written %s\n", csv_path);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : 1;
}
