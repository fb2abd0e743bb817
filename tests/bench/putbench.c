/* putbench — cz_store_put_entry alone.
 *
 * Writes N records shaped like bench.c's village (one household, three
 * members naming it, one aid record in five; Chinese names, ID numbers) as
 * entries of one author's log, decodes them, then times only storing them:
 * cz_store_put_entry in write transactions of PUTBENCH_TXN entries (100,000,
 * as a loaded file of 20,000 households is), and the commits separately.
 * Signatures are not made (put never checks them): this measures the store.
 * With PUTBENCH_EDITS=1 a second pass stores an edit of every household
 * (one parent, a changed name), the path an update or an import of edits
 * takes.  PUTBENCH_DEFER=1 defers the index terms as a load does
 * (cz_store_defer_index).  Usage: putbench [N] (default 100000).  Real LMDB in $TMPDIR.
 * The CPUs may be shared: besides wall time it prints the CPU time the puts
 * took; for a steady count of work, run it under
 * valgrind --tool=callgrind --toggle-collect=cz_store_put_entry. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "codec.h"
#include "entry.h"
#include "idnum.h"
#include "index.h"
#include "keys.h"
#include "hex.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define VILLAGE "411024104201"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "putbench: %s: %s\n", what, cz_strerror(rc, CZ_LANG_EN));
    exit(1);
}

static int fake_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    (void)ctx;
    crypto_generichash(sig, 64, msg, len, NULL, 0);
    return CZ_OK;
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴" };
static const char *const given[] = { "秀", "英", "华", "明", "国", "建", "军", "平", "玉", "兰",
                                     "桂", "芳", "强", "伟", "丽", "红", "春", "海", "德", "文" };

static void name_of(unsigned long i, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", surnames[i % 10], given[(i / 10) % 20], given[(i / 200) % 20]);
}

struct w { struct tk_log log; uint64_t hlc; };
struct rec { uint8_t *raw; size_t len; uint8_t id[32]; struct cz_entry e; };

static void write_rec(struct w *w, const uint8_t entity[16], const char *type, const uint8_t *parents, size_t np,
                      const char *const *kv, struct rec *out)
{
    const struct cz_type *t = cz_schema_type(type);
    cz_body *b = cz_body_new();
    uint8_t *body;
    size_t blen;
    int rc;
    for (size_t i = 0; kv[i]; i += 2) {
        struct cz_field_error err;
        if ((rc = cz_schema_set(t, b, kv[i], kv[i + 1], &err))) die(kv[i], rc);
    }
    if ((rc = cz_body_encode(b, &body, &blen))) die("encode", rc);
    cz_body_free(b);
    struct cz_entry_draft d;
    tk_log_draft(&w->log, &d, ++w->hlc, entity, type, VILLAGE, parents, np, body, blen);
    if ((rc = tk_log_write(&w->log, &d, fake_sign, NULL, &out->raw, &out->len, out->id))) die("write", rc);
    free(body);
    if ((rc = cz_entry_decode(out->raw, out->len, &out->e))) die("decode", rc);
}

static double t_cpu, t_cpu_all;
static int defer;

static double store_all(cz_store *s, struct rec *r, size_t n, size_t per_txn, double *t_commit)
{
    double t_put = 0;
    t_cpu = t_cpu_all = 0;
    for (size_t base = 0; base < n; base += per_txn) {
        cz_txn *t;
        int rc, result;
        if ((rc = cz_txn_begin(s, 1, &t))) die("txn", rc);
        if (defer && (rc = cz_store_defer_index(t))) die("defer", rc);
        double t0 = now(), c0 = cpu();
        for (size_t i = base; i < n && i < base + per_txn; i++) {
            if ((rc = cz_store_put_entry(t, &r[i].e, r[i].id, &result))) die("put", rc);
            if (result != CZ_PUT_NEW) die("put: not new", CZ_EINVAL);
        }
        double t1 = now();
        t_cpu += cpu() - c0;
        if ((rc = cz_txn_commit(t))) die("commit", rc);
        t_cpu_all += cpu() - c0;
        t_put += t1 - t0;
        *t_commit += now() - t1;
    }
    return t_put;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t per_txn = getenv("PUTBENCH_TXN") ? strtoul(getenv("PUTBENCH_TXN"), NULL, 10) : 100000;
    int edits = getenv("PUTBENCH_EDITS") && atoi(getenv("PUTBENCH_EDITS"));
    defer = getenv("PUTBENCH_DEFER") && atoi(getenv("PUTBENCH_DEFER"));
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char root[4096], db[4200], cmd[4300];
    if (sodium_init() < 0 || !per_txn) return 1;
    snprintf(root, sizeof root, "%s/cunzhan-putbench-XXXXXX", tmp);
    if (!mkdtemp(root)) return 1;
    snprintf(db, sizeof db, "%s/db", root);

    size_t nh = n / 5 ? n / 5 : 1;
    n = nh * 5;
    struct rec *r = calloc(n, sizeof *r), *ed = edits ? calloc(nh, sizeof *ed) : NULL;
    uint8_t (*hh)[16] = calloc(nh, 16);
    if (!r || !hh || (edits && !ed)) die("memory", CZ_ENOMEM);
    struct w w;
    memset(&w, 0, sizeof w);
    randombytes_buf(w.log.origin, 32);
    w.hlc = UINT64_C(1767225600000) << 16;
    double g0 = now();
    size_t k = 0;
    for (size_t i = 0; i < nh; i++) {
        char name[64], num[32], hex[33], idn[19], phone[16];
        uint8_t ent[16];
        randombytes_buf(hh[i], 16);
        name_of(i, name, sizeof name);
        snprintf(num, sizeof num, "B-%07zu", i);
        snprintf(phone, sizeof phone, "138%08zu", i % 100000000);
        const char *kh[] = { "number", num, "village", VILLAGE, "head", name, "phone", phone,
                             "status", i % 3 ? "poor" : "exited", "causes", "illness,funds", NULL };
        write_rec(&w, hh[i], "household", NULL, 0, kh, &r[k++]);
        cz_hex(hh[i], 16, hex);
        for (unsigned m = 0; m < 3; m++) {
            unsigned long q = (unsigned long)(i * 3 + m);
            unsigned y = 1940 + (unsigned)(q % 70), mo = 1 + (unsigned)(q / 70 % 12), d = 1 + (unsigned)(q / 840 % 28);
            snprintf(idn, sizeof idn, "411024%04u%02u%02u%03lu", y, mo, d, (q / 23520) % 1000);
            idn[17] = cz_idnum_check_char(idn);
            idn[18] = 0;
            name_of(m ? q * 7 + 3 : i, name, sizeof name);
            const char *km[] = { "household", hex, "name", name, "id_number", idn,
                                 "relation", m == 0 ? "head" : m == 1 ? "spouse" : "child", NULL };
            randombytes_buf(ent, 16);
            write_rec(&w, ent, "member", NULL, 0, km, &r[k++]);
        }
        const char *ka[] = { "household", hex, "kind", "seeds", "item", "玉米种子", "quantity", "3",
                             "unit", "斤", "value", "60", "date", "2024-03-05", "fund", "special", NULL };
        randombytes_buf(ent, 16);
        write_rec(&w, ent, "aid", NULL, 0, ka, &r[k++]);
    }
    if (edits)
        for (size_t i = 0; i < nh; i++) {
            char name[64], num[32];
            name_of(i + 7, name, sizeof name);
            snprintf(num, sizeof num, "B-%07zu", i);
            const char *kh[] = { "number", num, "village", VILLAGE, "head", name, "status", "poor", NULL };
            write_rec(&w, hh[i], "household", r[5 * i].id, 1, kh, &ed[i]);
        }
    printf("putbench: %zu entries made in %.1f s (not counted)\n", n + (edits ? nh : 0), now() - g0);

    cz_store *s;
    int rc;
    if ((rc = cz_store_open(db, 1, &s))) die("open", rc);
    double t_commit = 0, t_put = store_all(s, r, n, per_txn, &t_commit);
    printf("put new:   %zu entries  %.3f s  %.2f us/entry  cpu %.2f us/entry  (commits %.3f s; cpu with commits %.2f us/entry)\n", n,
           t_put, t_put / (double)n * 1e6, t_cpu / (double)n * 1e6, t_commit, t_cpu_all / (double)n * 1e6);
    if (edits) {
        t_commit = 0;
        t_put = store_all(s, ed, nh, per_txn, &t_commit);
        printf("put edits: %zu entries  %.3f s  %.2f us/entry  cpu %.2f us/entry  (commits %.3f s; cpu with commits %.2f us/entry)\n",
               nh, t_put, t_put / (double)nh * 1e6, t_cpu / (double)nh * 1e6, t_commit, t_cpu_all / (double)nh * 1e6);
    }
    cz_store_close(s);
    for (size_t i = 0; i < n; i++) free(r[i].raw);
    for (size_t i = 0; edits && i < nh; i++) free(ed[i].raw);
    free(r);
    free(ed);
    free(hh);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : 1;
}
