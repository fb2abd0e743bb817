/* test_overview.c — the questions the screens and the command line ask
 * (overview.h), on a real office station: counts by type and region, the
 * records linked to a household, the exit assessments awaiting a step
 * (every one for the station's count, and a person's work list by level),
 * heads, tombstones, log positions, ids typed as prefixes, fork records,
 * store statistics, the sync peers and the people on this PC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "entry.h"
#include "keys.h"
#include "hex.h"
#include "overview.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#include "testkit.h"

#define PASS "overview-pass"
#define V1 "411024104201"
#define V2 "411024104202"

/* Supervisors certified with raw keys: the village's, the county's above
 * it, and one of another county; a clerk of the village. */
enum { VIL, CTY, FAR, CLERK, NPEOPLE };
static const struct { const char *name, *region, *role; } who[NPEOPLE] = {
    [VIL] = { .name = "村审核员", .region = V1, .role = "supervisor" },
    [CTY] = { .name = "县审核员", .region = "411024", .role = "supervisor" },
    [FAR] = { .name = "外县审核员", .region = "411025", .role = "supervisor" },
    [CLERK] = { .name = "村录入员", .region = V1, .role = "clerk" },
};

static struct {
    char dir[64], odir[96];
    cz_station *office;
    uint8_t pk[NPEOPLE][32];
    uint8_t hh1[CZ_ENTITY_BYTES], hh2[CZ_ENTITY_BYTES], hh3[CZ_ENTITY_BYTES];
    uint8_t m1[CZ_ENTITY_BYTES], m2[CZ_ENTITY_BYTES], m3[CZ_ENTITY_BYTES];
    uint8_t m2_deleted[CZ_ID_BYTES];   /* the tombstone of m2 */
    uint8_t hh1_id[CZ_ID_BYTES];
    uint8_t exit[CZ_ENTITY_BYTES];
} F;

static void add(const char *type, const struct cz_assign *a, size_t n, uint8_t entity[CZ_ENTITY_BYTES],
                uint8_t id[CZ_ID_BYTES])
{
    struct cz_field_error err;
    uint8_t e[CZ_ENTITY_BYTES], i[CZ_ID_BYTES];
    int rc = cz_station_add(F.office, type, a, n, entity ? entity : e, id ? id : i, &err);
    if (rc) fprintf(stderr, "add %s: %s (%s)\n", type, cz_strerror(rc, CZ_LANG_EN), err.name);
    assert_int_equal(rc, CZ_OK);
}

static void add_household(const char *number, const char *village, const char *head,
                          uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES])
{
    const struct cz_assign a[] = {
        { .field = "number", .value = number }, { .field = "village", .value = village },
        { .field = "head", .value = head },
    };
    add("household", a, 3, entity, id);
}

static void add_member(const uint8_t household[CZ_ENTITY_BYTES], const char *name, uint8_t entity[CZ_ENTITY_BYTES])
{
    char hex[2 * CZ_ENTITY_BYTES + 1];
    cz_hex(household, CZ_ENTITY_BYTES, hex);
    const struct cz_assign a[] = { { .field = "household", .value = hex }, { .field = "name", .value = name } };
    add("member", a, 2, entity, NULL);
}

static void add_exit(const uint8_t household[CZ_ENTITY_BYTES], uint8_t entity[CZ_ENTITY_BYTES])
{
    char hex[2 * CZ_ENTITY_BYTES + 1];
    cz_hex(household, CZ_ENTITY_BYTES, hex);
    const struct cz_assign a[] = {
        { .field = "household", .value = hex }, { .field = "year", .value = "2018" },
        { .field = "income_per_capita", .value = "4200" }, { .field = "food", .value = "yes" },
        { .field = "clothing", .value = "yes" }, { .field = "schooling", .value = "yes" },
        { .field = "medical", .value = "yes" }, { .field = "housing", .value = "yes" },
    };
    add("exit", a, sizeof a / sizeof a[0], entity, NULL);
}

static int certify_people(void)
{
    uint8_t id[CZ_ID_BYTES], sk[64];
    for (int i = 0; i < NPEOPLE; i++) {
        struct cz_cert_req q = { .kind = "person", .name = who[i].name, .station = "许昌市科协",
                                 .region = who[i].region, .role = who[i].role };
        crypto_sign_keypair(F.pk[i], sk);
        memcpy(q.key, F.pk[i], 32);
        if (cz_station_certify(F.office, &q, id)) return -1;
    }
    sodium_memzero(sk, sizeof sk);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    char why[64];
    if (sodium_init() < 0 || tk_tmpdir(F.dir, sizeof F.dir, "overview")) return -1;
    snprintf(F.odir, sizeof F.odir, "%s/office", F.dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "4110", .user = "张主任" };
    if (cz_station_init(F.odir, &o, PASS, &F.office, why, sizeof why)) return -1;
    if (tk_places(F.office, V1, V2, NULL)) return -1;
    return certify_people();
}

static int teardown(void **state)
{
    (void)state;
    cz_station_close(F.office);
    tk_rmtree(F.dir);
    return 0;
}

static void begin(cz_view **v)
{
    assert_int_equal(cz_view_begin(F.office, v), CZ_OK);
    assert_non_null(*v);
    assert_ptr_equal(cz_view_station(*v), F.office);
    assert_non_null(cz_view_txn(*v));
}

/* ---- the tests (in order: each builds on the records made before) ---- */

static void test_counts(void **state)
{
    (void)state;
    cz_view *v = NULL;
    size_t n = 99, hh = 0, people = 0;
    begin(&v);
    assert_int_equal(cz_view_count(v, "household", NULL, &n), CZ_OK);
    assert_int_equal(n, 0);
    cz_view_end(v);
    add_household("YSW-01", V1, "王一", F.hh1, F.hh1_id);
    add_household("YSW-02", V1, "王二", F.hh2, NULL);
    add_household("YSW-03", V2, "王三", F.hh3, NULL);
    add_member(F.hh1, "王一", F.m1);
    add_member(F.hh1, "李一", F.m2);
    add_member(F.hh2, "王二", F.m3);
    begin(&v);
    assert_int_equal(cz_view_count(v, "household", NULL, &n), CZ_OK);
    assert_int_equal(n, 3);
    assert_int_equal(cz_view_count(v, "household", "", &n), CZ_OK);
    assert_int_equal(n, 3);
    assert_int_equal(cz_view_count(v, "household", V1, &n), CZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cz_view_count(v, "household", V2, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cz_view_count(v, "household", "411024104299", &n), CZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cz_view_count(v, "member", NULL, &n), CZ_OK);
    assert_int_equal(n, 3);
    cz_view_end(v);
    assert_int_equal(cz_overview_counts(F.office, &hh, &people), CZ_OK);
    assert_int_equal(hh, 3);
    assert_int_equal(people, 3);
    cz_view_end(NULL);
}

struct seen { size_t n; uint8_t e[8][CZ_ENTITY_BYTES]; };

static int seen_cb(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES])
{
    struct seen *s = ctx;
    if (s->n < 8) memcpy(s->e[s->n], entity, CZ_ENTITY_BYTES);
    s->n++;
    return CZ_OK;
}

static int stop_cb(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES])
{
    (*(size_t *)ctx)++;
    return CZ_WALK_STOP;
}

static int holds(const struct seen *s, const uint8_t e[CZ_ENTITY_BYTES])
{
    for (size_t i = 0; i < s->n && i < 8; i++)
        if (!memcmp(s->e[i], e, CZ_ENTITY_BYTES)) return 1;
    return 0;
}

static void test_linked(void **state)
{
    (void)state;
    cz_view *v = NULL;
    struct seen s = { 0 };
    size_t n = 0, calls = 0;
    begin(&v);
    assert_int_equal(cz_view_linked(v, F.hh1, "member", seen_cb, &s), CZ_OK);
    assert_int_equal(s.n, 2);
    assert_true(holds(&s, F.m1) && holds(&s, F.m2));
    assert_int_equal(cz_view_linked_count(v, F.hh2, "member", &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cz_view_linked_count(v, F.hh3, "member", &n), CZ_OK);
    assert_int_equal(n, 0);
    /* A type that does not link there; a walk stopped early is no error. */
    assert_int_equal(cz_view_linked_count(v, F.hh1, "training", &n), CZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cz_view_linked(v, F.hh1, "member", stop_cb, &calls), CZ_OK);
    assert_int_equal(calls, 1);
    cz_view_end(v);
    /* A deleted member no longer counts; any type (NULL) counts the exit. */
    assert_int_equal(cz_station_delete(F.office, F.m2, F.m2_deleted), CZ_OK);
    add_exit(F.hh1, F.exit);
    begin(&v);
    assert_int_equal(cz_view_linked_count(v, F.hh1, "member", &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cz_view_linked_count(v, F.hh1, NULL, &n), CZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cz_view_count(v, "member", NULL, &n), CZ_OK);
    assert_int_equal(n, 2);
    cz_view_end(v);
}

static void add_training(const char *topic, const char *village, const char *households, uint8_t entity[CZ_ENTITY_BYTES])
{
    const struct cz_assign a[] = {
        { .field = "date", .value = "2018-04-20" }, { .field = "topic", .value = topic },
        { .field = "households", .value = households }, { .field = "village", .value = village },
    };
    add("training", a, village ? 4 : 3, entity, NULL);
}

/* A training names a household by record id (any case) or by number; a
 * number counts only on a training of the household's village or of none. */
static void test_trainings_of(void **state)
{
    (void)state;
    cz_view *v = NULL;
    struct seen s = { 0 };
    char hex[2 * CZ_ENTITY_BYTES + 1], list[200];
    uint8_t by_id[CZ_ENTITY_BYTES], by_number[CZ_ENTITY_BYTES], other_village[CZ_ENTITY_BYTES],
        no_village[CZ_ENTITY_BYTES], upper[CZ_ENTITY_BYTES];
    cz_hex(F.hh1, CZ_ENTITY_BYTES, hex);
    snprintf(list, sizeof list, "YSW-09,%s", hex);
    add_training("辣椒栽培技术", V1, list, by_id);
    add_training("农村电商", V1, "YSW-02、YSW-01", by_number);
    add_training("防灾减灾", V1, "YSW-03", other_village);
    add_training("卫生健康", NULL, "YSW-03", no_village);
    for (char *p = hex; *p; p++) *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    add_training("养殖", V2, hex, upper);
    begin(&v);
    assert_int_equal(cz_view_trainings_of(v, F.hh1, seen_cb, &s), CZ_OK);
    assert_int_equal(s.n, 3);
    assert_true(holds(&s, by_id) && holds(&s, by_number) && holds(&s, upper));
    memset(&s, 0, sizeof s);
    assert_int_equal(cz_view_trainings_of(v, F.hh2, seen_cb, &s), CZ_OK);
    assert_int_equal(s.n, 1);
    assert_true(holds(&s, by_number));
    memset(&s, 0, sizeof s);
    assert_int_equal(cz_view_trainings_of(v, F.hh3, seen_cb, &s), CZ_OK);
    assert_int_equal(s.n, 1);
    assert_true(holds(&s, no_village));
    /* Not a household: a member. */
    assert_int_equal(cz_view_trainings_of(v, F.m1, seen_cb, &s), CZ_ENOTFOUND);
    cz_view_end(v);
}

struct work { size_t n; int next, may_approve, has_record; uint8_t entity[CZ_ENTITY_BYTES]; };

static int work_cb(void *ctx, const struct cz_pending_exit *p)
{
    struct work *w = ctx;
    w->n++;
    w->next = p->next;
    w->may_approve = p->may_approve;
    w->has_record = p->record != NULL && !strcmp(p->record->type_key, "exit");
    memcpy(w->entity, p->entity, CZ_ENTITY_BYTES);
    assert_false(p->state->complete);
    return CZ_OK;
}

static void work_of(cz_view *v, const uint8_t *pk, struct work *w)
{
    size_t n = 99;
    memset(w, 0, sizeof *w);
    w->next = -2;
    assert_int_equal(cz_view_exits_pending(v, pk, work_cb, w, &n), CZ_OK);
    assert_int_equal(n, w->n);
}

static void test_exits_pending(void **state)
{
    (void)state;
    cz_view *v = NULL;
    struct work w;
    size_t n = 99;
    begin(&v);
    /* The station's count: every assessment still in its chain. */
    assert_int_equal(cz_view_exits_pending(v, NULL, NULL, NULL, &n), CZ_OK);
    assert_int_equal(n, 1);
    work_of(v, NULL, &w);
    assert_int_equal(w.n, 1);
    assert_true(w.has_record);
    assert_int_equal(w.next, CZ_STEP_VILLAGE);
    assert_memory_equal(w.entity, F.exit, CZ_ENTITY_BYTES);
    /* The village's supervisor signs the first step; the county may only
     * stop it; another county and a clerk have nothing to do here. */
    work_of(v, F.pk[VIL], &w);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.next, CZ_STEP_VILLAGE);
    assert_true(w.may_approve);
    work_of(v, F.pk[CTY], &w);
    assert_int_equal(w.n, 1);
    assert_false(w.may_approve);
    work_of(v, F.pk[FAR], &w);
    assert_int_equal(w.n, 0);
    work_of(v, F.pk[CLERK], &w);
    assert_int_equal(w.n, 0);
    /* Counting alone, with a person: no callback needed. */
    assert_int_equal(cz_view_exits_pending(v, F.pk[VIL], NULL, NULL, &n), CZ_OK);
    assert_int_equal(n, 1);
    cz_view_end(v);
    /* A deleted assessment awaits nothing. */
    uint8_t id[CZ_ID_BYTES];
    assert_int_equal(cz_station_delete(F.office, F.exit, id), CZ_OK);
    begin(&v);
    assert_int_equal(cz_view_exits_pending(v, NULL, NULL, NULL, &n), CZ_OK);
    assert_int_equal(n, 0);
    work_of(v, F.pk[VIL], &w);
    assert_int_equal(w.n, 0);
    cz_view_end(v);
}

static void test_versions(void **state)
{
    (void)state;
    cz_view *v = NULL;
    uint8_t heads[2][CZ_ID_BYTES], nobody[CZ_ENTITY_BYTES] = { 0 }, stranger[32] = { 0 };
    size_t n = 99;
    uint64_t seq = 99;
    struct cz_entry e;
    begin(&v);
    assert_int_equal(cz_view_heads(v, F.hh1, heads, 2, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(heads[0], F.hh1_id, CZ_ID_BYTES);
    assert_int_equal(cz_view_heads(v, nobody, heads, 2, &n), CZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cz_view_entry(v, F.hh1_id, &e), CZ_OK);
    assert_string_equal(e.type, "household");
    assert_memory_equal(e.entity, F.hh1, CZ_ENTITY_BYTES);
    assert_false(cz_view_is_tombstone(v, F.hh1_id));
    assert_true(cz_view_is_tombstone(v, F.m2_deleted));
    assert_int_equal(cz_view_heads(v, F.m2, heads, 2, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(heads[0], F.m2_deleted, CZ_ID_BYTES);
    /* The office person signed every record here; a stranger nothing. */
    assert_int_equal(cz_view_log_last(v, cz_station_person_pk(F.office), &seq), CZ_OK);
    assert_true(seq >= 8);
    assert_int_equal(cz_view_log_last(v, stranger, &seq), CZ_OK);
    assert_int_equal(seq, 0);
    cz_view_end(v);
}

static void test_resolve(void **state)
{
    (void)state;
    cz_view *v = NULL;
    char hex[2 * CZ_ID_BYTES + 1], prefix[16];
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    begin(&v);
    cz_hex(F.hh2, CZ_ENTITY_BYTES, hex);
    snprintf(prefix, sizeof prefix, "%.8s", hex);
    assert_int_equal(cz_view_resolve(v, prefix, entity), CZ_OK);
    assert_memory_equal(entity, F.hh2, CZ_ENTITY_BYTES);
    /* A version's whole entry id names its record too. */
    cz_hex(F.hh1_id, CZ_ID_BYTES, hex);
    assert_int_equal(cz_view_resolve(v, hex, entity), CZ_OK);
    assert_memory_equal(entity, F.hh1, CZ_ENTITY_BYTES);
    assert_int_equal(cz_view_resolve_entry(v, hex, id), CZ_OK);
    assert_memory_equal(id, F.hh1_id, CZ_ID_BYTES);
    assert_int_equal(cz_view_resolve(v, "abc", entity), CZ_EINVAL);
    assert_int_equal(cz_view_resolve(v, "zzzzzzzz", entity), CZ_EINVAL);
    /* 64 hex digits that are no entry here: not found, not invalid. */
    memset(hex, '0', 64);
    hex[64] = 0;
    assert_int_equal(cz_view_resolve(v, hex, entity), CZ_ENOTFOUND);
    cz_view_end(v);
}

struct forks { size_t n, at_seq1, of_key, has_id; const uint8_t *key, *id; };

static int fork_cb(void *ctx, const struct cz_fork_entry *f)
{
    struct forks *fs = ctx;
    fs->n++;
    fs->at_seq1 += f->seq == 1;
    fs->of_key += fs->key && !memcmp(f->key, fs->key, 32);
    fs->has_id += fs->id && !memcmp(f->id, fs->id, CZ_ID_BYTES);
    return CZ_OK;
}

static int raw_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return crypto_sign_detached(sig, NULL, msg, len, ctx) == 0 ? CZ_OK : CZ_ESIG;
}

/* Two different entries at seq 1 of a raw key's log, stored as an import
 * stores them: the second is kept as evidence of a fork. */
static void make_fork(uint8_t key[32], uint8_t fork_id[CZ_ID_BYTES])
{
    uint8_t sk[64], entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct tk_log l, start;
    struct cz_entry_draft d;
    cz_txn *t = NULL;
    memset(&l, 0, sizeof l);
    crypto_sign_keypair(l.origin, sk);
    memcpy(key, l.origin, 32);
    start = l;
    assert_int_equal(cz_txn_begin(cz_station_store(F.office), 1, &t), CZ_OK);
    for (int i = 0; i < 2; i++) {
        const uint8_t body[] = { 0 };
        uint8_t *raw = NULL;
        size_t len = 0;
        struct cz_entry e;
        int result = -1;
        l = start;
        memset(entity, 0xA0 + i, sizeof entity);
        tk_log_draft(&l, &d, cz_hlc_next(0, cz_now_ms()), entity, "note", "", NULL, 0, body, 0);
        assert_int_equal(tk_log_write(&l, &d, raw_sign, sk, &raw, &len, id), CZ_OK);
        assert_int_equal(cz_entry_decode(raw, len, &e), CZ_OK);
        assert_int_equal(cz_store_put_judged(t, &e, id, CZ_JUDGED_REFUSED, CZ_EPERM, &result), CZ_OK);
        assert_int_equal(result, i ? CZ_PUT_FORK : CZ_PUT_NEW);
        free(raw);
    }
    memcpy(fork_id, id, CZ_ID_BYTES);
    assert_int_equal(cz_txn_commit(t), CZ_OK);
    sodium_memzero(sk, sizeof sk);
}

static void test_forks_and_stats(void **state)
{
    (void)state;
    cz_view *v = NULL;
    struct forks fs = { 0 };
    struct cz_store_stats ss;
    uint8_t key[32], fork_id[CZ_ID_BYTES];
    begin(&v);
    assert_int_equal(cz_view_each_fork(v, fork_cb, &fs), CZ_OK);
    assert_int_equal(fs.n, 0);
    assert_int_equal(cz_view_stats(v, &ss), CZ_OK);
    assert_int_equal(ss.forks, 0);
    size_t records = 0;
    assert_int_equal(cz_view_count_records(v, &records), CZ_OK);
    assert_true(ss.entries >= 8 && records >= 7 && ss.db_bytes > 0);
    cz_view_end(v);
    make_fork(key, fork_id);
    fs = (struct forks){ .key = key, .id = fork_id };
    begin(&v);
    /* Both entries at the forked position are kept as its evidence. */
    assert_int_equal(cz_view_each_fork(v, fork_cb, &fs), CZ_OK);
    assert_int_equal(fs.n, 2);
    assert_int_equal(fs.at_seq1, 2);
    assert_int_equal(fs.of_key, 2);
    assert_int_equal(fs.has_id, 1);
    assert_int_equal(cz_view_stats(v, &ss), CZ_OK);
    assert_int_equal(ss.forks, 1);
    cz_view_end(v);
}

static void test_peers_and_sweep(void **state)
{
    (void)state;
    struct cz_peer_status *ps = NULL;
    struct cz_peer *peers = NULL;
    size_t n = 99, np = 0, removed = 99;
    /* Whatever cz_sync_peers lists, in its order, none synced yet. */
    assert_int_equal(cz_sync_peers(F.office, &peers, &np), CZ_OK);
    assert_int_equal(cz_overview_peers(F.office, &ps, &n), CZ_OK);
    assert_int_equal(n, np);
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(ps[i].peer.box, peers[i].box, 32);
        assert_string_equal(ps[i].peer.name, peers[i].name);
        assert_int_equal(ps[i].sent_ms, 0);
        assert_int_equal(ps[i].received_ms, 0);
    }
    free(ps);
    free(peers);
    /* No drafts folder yet: nothing to remove, no error. */
    assert_int_equal(cz_overview_sweep_drafts(F.office, &removed), CZ_OK);
    assert_int_equal(removed, 0);
}

static int user_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    char *names = ctx;
    size_t used = strlen(names);
    snprintf(names + used, 128 - used, "%s%s", used ? "," : "", name);
    return len ? CZ_OK : CZ_EINVAL;
}

static void test_users(void **state)
{
    (void)state;
    cz_view *v = NULL;
    char names[128] = "";
    begin(&v);
    assert_int_equal(cz_view_each_user(v, user_cb, names), CZ_OK);
    cz_view_end(v);
    assert_string_equal(names, "张主任");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_linked),
        cmocka_unit_test(test_trainings_of),
        cmocka_unit_test(test_exits_pending),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_forks_and_stats),
        cmocka_unit_test(test_peers_and_sweep),
        cmocka_unit_test(test_users),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
