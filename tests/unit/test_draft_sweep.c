/* test_draft_sweep.c — drafts of deleted records are removed (draft.h,
 * cz_draft_sweep), on real files beside a real station (LMDB, libsodium):
 * a record deleted here, or by a tombstone that arrived in a bundle, loses
 * its draft and the drafts of new records being added under it; a live
 * record, a new record not stored yet, a record this store does not hold
 * and a deletion still contested by a concurrent edit (even one that shows
 * as deleted) keep theirs, and files not named as drafts are left alone.
 * A conflict resolved as a deletion loses the draft; one resolved by
 * keeping the edit keeps it. */
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
#include <unistd.h>

#include "bundle.h"
#include "payload.h"
#include "conflicts.h"
#include "draft.h"
#include "entry.h"
#include "hex.h"
#include "keys.h"
#include "query.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"

#define V1 "411081106201"
#define PASS "sweep-pass"

static struct tk_pair g_pair;
static cz_station *g_office, *g_village;

static int setup(void **state)
{
    if (sodium_init() < 0 || tk_pair_init(&g_pair, "sweep", "市办", V1, PASS) ||
        tk_places(g_pair.office, V1, NULL)) return -1;
    g_office = g_pair.office;
    g_village = g_pair.village;
    return 0;
}

static int teardown(void **state)
{
    tk_pair_free(&g_pair);
    return 0;
}

static void add_household(const char *number, const char *head, uint8_t entity[CZ_ENTITY_BYTES],
                          uint8_t id[CZ_ID_BYTES])
{
    struct cz_assign as[] = { { "number", number }, { "village", V1 }, { "head", head } };
    struct cz_field_error err;
    assert_int_equal(cz_station_add(g_office, "household", as, 3, entity, id, &err), CZ_OK);
}

/* A draft as the record form writes it, with an ID number in it (the
 * personal data that must not stay). */
static char *put_draft(const char *type, const uint8_t *entity, const uint8_t *parent)
{
    struct cz_draft d;
    char *path = NULL;
    memset(&d, 0, sizeof d);
    cz_hex(cz_station_person_pk(g_office), 32, d.person);
    snprintf(d.type, sizeof d.type, "%s", type);
    if (entity) cz_hex(entity, CZ_ENTITY_BYTES, d.entity);
    else snprintf(d.entity, sizeof d.entity, "new");
    d.saved = 1764390000;
    assert_int_equal(cz_draft_add(&d, "head", "王德明"), CZ_OK);
    assert_int_equal(cz_draft_add(&d, "id_number", "411081196001010014"), CZ_OK);
    assert_int_equal(cz_draft_path(cz_station_dir(g_office), cz_station_person_pk(g_office), type, entity, parent, &path),
                     CZ_OK);
    assert_int_equal(cz_draft_write(path, &d), CZ_OK);
    cz_draft_free(&d);
    return path;
}

/* Any other file in the drafts folder, by name. */
static char *put_file(const char *name)
{
    char *path = malloc(strlen(g_pair.odir) + strlen(name) + 32);
    assert_non_null(path);
    sprintf(path, "%s/drafts/%s", g_pair.odir, name);
    const char *text = "field head 王德明\n";
    assert_int_equal(tk_write_file(path, text, strlen(text)), 0);
    return path;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static size_t sweep(void)
{
    size_t n = 99;
    assert_int_equal(cz_draft_sweep(cz_station_dir(g_office), cz_station_store(g_office), &n), CZ_OK);
    return n;
}

static void test_deleted_here(void **state)
{
    uint8_t live[16], gone[16], unknown[16], id[32];
    char hex[2 * CZ_ENTITY_BYTES + 1], upper[64], name[128];

    /* No drafts folder yet: nothing to do, no error. */
    assert_int_equal(sweep(), 0);

    add_household("S-01", "王德明", live, id);
    add_household("S-02", "李秀英", gone, id);
    randombytes_buf(unknown, sizeof unknown);
    char *d_live = put_draft("household", live, NULL);
    char *d_gone = put_draft("household", gone, NULL);
    char *d_unknown = put_draft("household", unknown, NULL);
    char *d_new = put_draft("household", NULL, NULL);
    char *d_under_live = put_draft("member", NULL, live);
    char *d_under_gone = put_draft("member", NULL, gone);
    /* Names cz_draft_path never makes are not the sweep's to judge. */
    cz_hex(gone, CZ_ENTITY_BYTES, hex);
    for (size_t i = 0; hex[i]; i++) upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
    upper[2 * CZ_ENTITY_BYTES] = 0;
    snprintf(name, sizeof name, "household-%s.draft", upper);
    char *f_upper = put_file(name);
    snprintf(name, sizeof name, ".household-%.6s.tmp-Ab12Cd", hex);
    char *f_temp = put_file(name);
    snprintf(name, sizeof name, "household-%s.draft.bak", hex);
    char *f_bak = put_file(name);
    snprintf(name, sizeof name, "household-old-%s.draft", hex);
    char *f_old = put_file(name);
    /* A draft of the first format, directly in drafts/ (nobody's). */
    snprintf(name, sizeof name, "household-%s.draft", hex);
    char *f_first = put_file(name);

    /* Every record still there: nothing goes. */
    assert_int_equal(sweep(), 0);
    assert_true(exists(d_live) && exists(d_gone) && exists(d_under_gone));

    assert_int_equal(cz_station_delete(g_office, gone, id), CZ_OK);
    assert_true(exists(d_gone));             /* the deletion alone does not touch drafts */
    assert_int_equal(sweep(), 3);
    assert_false(exists(d_gone));
    assert_false(exists(d_under_gone));
    assert_false(exists(f_first));
    assert_true(exists(d_live));
    assert_true(exists(d_unknown));
    assert_true(exists(d_new));
    assert_true(exists(d_under_live));
    assert_true(exists(f_upper) && exists(f_temp) && exists(f_bak) && exists(f_old));

    /* The live record's draft is intact: it still reads back. */
    struct cz_draft back;
    assert_int_equal(cz_draft_read(d_live, &back), CZ_OK);
    assert_string_equal(cz_draft_get(&back, "id_number"), "411081196001010014");
    cz_draft_free(&back);

    /* A second sweep finds nothing more. */
    assert_int_equal(sweep(), 0);

    /* A folder the sweep cannot read is an error, and removes nothing. */
    char folder[128];
    snprintf(folder, sizeof folder, "%s/drafts", g_pair.odir);
    assert_int_equal(chmod(folder, 0), 0);
    if (access(folder, R_OK) != 0) {            /* not as root */
        size_t n = 99;
        assert_int_equal(cz_draft_sweep(cz_station_dir(g_office), cz_station_store(g_office), &n), CZ_EIO);
        assert_int_equal(n, 0);
    }
    assert_int_equal(chmod(folder, 0700), 0);

    free(d_live); free(d_gone); free(d_unknown); free(d_new); free(d_under_live); free(d_under_gone);
    free(f_upper); free(f_temp); free(f_bak); free(f_old); free(f_first);
}

/* ---- deletions that arrive in a bundle ---- */

struct author { uint8_t pk[32], sk[64]; };

static int author_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ESIG;
}

/* The next entry of `a`'s log: a tombstone of `entity` on top of version
 * `parent`, at hlc_ms. */
static void tombstone(const struct author *a, struct tk_log *l, uint64_t hlc_ms, const uint8_t entity[16],
                      const uint8_t parent[32], uint8_t **out, size_t *len, uint8_t id[32])
{
    struct cz_entry_draft d;
    tk_log_draft(l, &d, hlc_ms << 16, entity, "household", V1, parent, 1, NULL, 0);
    d.flags = CZ_ENTRY_FLAG_TOMBSTONE;
    assert_int_equal(tk_log_write(l, &d, author_sign, (void *)a, out, len, id), CZ_OK);
}

static void test_deleted_by_import(void **state)
{
    struct author a;
    uint8_t live[16], lost[16], won[16], imported[16];
    uint8_t v_live[32], v_lost[32], v_won[32], v_imported[32], v2[32];
    uint8_t *e[3], *file, ids[3][32], bid[32], id[32];
    size_t l[3], flen;
    struct cz_vv vv = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_import_result res;
    struct cz_field_error err;
    struct cz_record r;
    cz_txn *t = NULL;

    add_household("I-01", "王德明", live, v_live);
    add_household("I-02", "张三", lost, v_lost);
    add_household("I-03", "赵四", won, v_won);
    add_household("I-04", "李秀英", imported, v_imported);
    char *d_live = put_draft("household", live, NULL);
    char *d_lost = put_draft("household", lost, NULL);
    char *d_won = put_draft("household", won, NULL);
    char *d_imported = put_draft("household", imported, NULL);
    char *d_under_imported = put_draft("exit", NULL, imported);

    /* Elsewhere, unseen here, another person deletes three households:
     * `lost` before the edit made here below (by the clock), `won` an
     * hour after it, so that deletion is the provisional view. */
    uint64_t before = cz_now_ms() - 60 * 1000;   /* clearly before: a tie would go by origin id */
    crypto_sign_keypair(a.pk, a.sk);
    /* A clerk the office certified for the village: a key it never
     * certified may not delete anyone's records (authz.h). */
    struct cz_cert_req cert = { .kind = "person", .name = "王会计", .station = "杨树湾村", .region = V1,
                                .role = "clerk" };
    memcpy(cert.key, a.pk, 32);
    assert_int_equal(cz_station_certify(g_office, &cert, id), CZ_OK);
    struct tk_log alog = { .seq = 0 };
    memcpy(alog.origin, a.pk, 32);
    tombstone(&a, &alog, before, lost, v_lost, &e[0], &l[0], ids[0]);
    tombstone(&a, &alog, before + 3600 * 1000, won, v_won, &e[1], &l[1], ids[1]);
    tombstone(&a, &alog, before, imported, v_imported, &e[2], &l[2], ids[2]);
    struct cz_assign phone[] = { { "phone", "13900000001" } };
    assert_int_equal(cz_station_edit(g_office, lost, phone, 1, v2, &err), CZ_OK);
    assert_int_equal(cz_station_edit(g_office, won, phone, 1, v2, &err), CZ_OK);

    assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &vv), CZ_OK);
    for (int i = 0; i < 3; i++) assert_int_equal(cz_payload_add(&w, e[i], l[i]), CZ_OK);
    cz_payload_finish(&w);
    const struct cz_station_info *vi = cz_station_info(g_village);
    struct cz_bundle_params p = {
        .sender_box = vi->box_pk, .seq = 1, .recipients = (const uint8_t (*)[32])vi->office_box,
        .nrecipients = 1, .signer = cz_station_person_pk(g_village), .sign = tk_station_sign,
        .sign_ctx = g_village, .chunk_log2 = 0,
    };
    assert_int_equal(cz_bundle_seal(&p, w.buf, w.len, &file, &flen, bid), CZ_OK);
    assert_int_equal(cz_sync_import(g_office, file, flen, NULL, NULL, &res), CZ_OK);
    assert_int_equal(res.status, CZ_OK);
    assert_int_equal(res.fresh, 3);
    assert_int_equal(res.refused, 0);

    /* What the store now says: `imported` deleted; `lost` and `won` each a
     * deletion concurrent with an edit, `won` showing as deleted. */
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, imported, &r), CZ_OK);
    assert_true(r.deleted);
    assert_int_equal(r.nheads, 1);
    cz_record_clear(&r);
    assert_int_equal(cz_record_load(t, lost, &r), CZ_OK);
    assert_false(r.deleted);
    assert_int_equal(r.nheads, 2);
    cz_record_clear(&r);
    assert_int_equal(cz_record_load(t, won, &r), CZ_OK);
    assert_true(r.deleted);
    assert_int_equal(r.nheads, 2);
    cz_record_clear(&r);
    cz_txn_abort(t);

    assert_int_equal(sweep(), 2);
    assert_false(exists(d_imported));
    assert_false(exists(d_under_imported));
    assert_true(exists(d_lost));            /* contested: may be resolved either way */
    assert_true(exists(d_won));             /* ... even where the deletion shows */
    assert_true(exists(d_live));

    /* A conflict resolved as a deletion: now that draft goes too.  (`won`
     * shows the deletion: resolving it as one must still be possible, with
     * the live edit among the parents.) */
    assert_int_equal(cz_resolve_delete(g_office, won, id), CZ_OK);
    assert_int_equal(sweep(), 1);
    assert_false(exists(d_won));
    assert_int_equal(cz_txn_begin(cz_station_store(g_office), 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, won, &r), CZ_OK);
    assert_true(r.deleted);
    assert_int_equal(r.nheads, 1);
    cz_record_clear(&r);
    cz_txn_abort(t);
    /* Deleting what is deleted everywhere is still refused. */
    assert_int_equal(cz_station_delete(g_office, won, id), CZ_EDELETED);
    /* One resolved by keeping the edit: the record lives, its draft stays. */
    assert_int_equal(cz_resolve(g_office, lost, phone, 1, id, &err), CZ_OK);
    assert_int_equal(sweep(), 0);
    assert_true(exists(d_lost));
    assert_true(exists(d_live));

    free(d_live); free(d_lost); free(d_won); free(d_imported); free(d_under_imported);
    for (int i = 0; i < 3; i++) free(e[i]);
    free(file);
    free(w.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deleted_here, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_by_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
