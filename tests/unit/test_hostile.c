/* Hostile data from a station whose signatures are valid: record
 * text with terminal escapes, bidi controls, invalid UTF-8 or an enormous
 * length cannot even be stored; an entry outside its author's jurisdiction
 * or role is refused on import; a fork is kept as evidence and shown by
 * verify; entries a revoked key signs after its revocation do not count,
 * whoever carries them.  Bundles: a format-1 bundle (the old writer's)
 * still imports; a compressed (format-2) bundle whose zstd frame its signer
 * damaged, cut short, padded or made a bomb is refused by name and changes
 * nothing.
 * The village station here is real (init, enrolment, export); only the
 * entries are forged, with its person's own key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zstd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup.h"
#include "bundle.h"
#include "payload.h"
#include "codec.h"
#include "entry.h"
#include "hex.h"
#include "keys.h"
#include "query.h"
#include "station.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "testkit.h"
#include "text.h"
#include "verify.h"

#define V1 "411081106201"
#define V2 "411081106202"
#define PASS "hostile-pass"

static struct {
    struct tk_pair p;                /* the office and the village station */
    uint64_t seq;                    /* the village person's last seq */
    uint8_t prev[32];
    uint8_t entity_counter;
} F;

static size_t entries(void)
{
    cz_txn *t = NULL;
    struct cz_store_stats s;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_stats(t, &s), CZ_OK);
    cz_txn_abort(t);
    return s.entries;
}

/* An entry by the village person at seq, after prev, over raw body bytes,
 * for the record `entity` (NULL: a new one of the forger's own). */
static void forge_for(const uint8_t *entity, const char *type, const char *region, const uint8_t *body,
                      size_t body_len, uint64_t seq, const uint8_t prev[32], uint8_t **out, size_t *len,
                      uint8_t id[32])
{
    struct cz_entry_draft d;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, cz_station_person_pk(F.p.village), 32);
    d.seq = seq;
    memcpy(d.prev, prev, 32);
    d.hlc = cz_hlc_next(0, cz_now_ms());
    d.wall = (int64_t)time(NULL);
    if (entity) {
        memcpy(d.entity, entity, sizeof d.entity);
    } else {
        memset(d.entity, 0xA0, sizeof d.entity);
        d.entity[0] = ++F.entity_counter;
    }
    d.type = type;
    d.region = region;
    d.body = body;
    d.body_len = body_len;
    assert_int_equal(cz_entry_write(&d, tk_station_sign, F.p.village, out, len, id), CZ_OK);
}

static void forge(const char *type, const char *region, const uint8_t *body, size_t body_len,
                  uint64_t seq, const uint8_t prev[32], uint8_t **out, size_t *len, uint8_t id[32])
{
    forge_for(NULL, type, region, body, body_len, seq, prev, out, len, id);
}

static void household_body(const char *village, const char *number, uint8_t **out, size_t *len)
{
    struct cz_assign a[] = { { "number", number }, { "village", village }, { "head", "王五" } };
    struct cz_field_error err;
    cz_body *b = cz_body_new();
    const struct cz_type *ty = cz_schema_type("household");
    assert_int_equal(cz_schema_set_many(ty, b, a, 3, &err), CZ_OK);
    assert_int_equal(cz_schema_finish(ty, b, 20260101, &err), CZ_OK);
    assert_int_equal(cz_body_encode(b, out, len), CZ_OK);
    cz_body_free(b);
}

struct refusals { int n, why; };
static void on_refused(void *ctx, const uint8_t id[32], const uint8_t origin[32], int why)
{
    struct refusals *r = ctx;
    r->n++;
    r->why = why;
}

/* A refused entry is kept as evidence at the office (authz.h): in its
 * author's log, judged refused, never a version of anything.  The forged
 * log then goes on after it. */
static void assert_kept_refused(const uint8_t id[32], uint64_t seq)
{
    cz_txn *t = NULL;
    int state = 0, why = 0;
    uint8_t heads[1][32];
    size_t n = 9;
    struct cz_entry e;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_judged_get(t, id, &state, &why), CZ_OK);
    assert_int_equal(state, CZ_JUDGED_REFUSED);
    assert_int_equal(cz_store_get_entry(t, id, &e), CZ_OK);
    assert_int_equal(cz_store_heads(t, e.entity, heads, 1, &n), CZ_OK);
    assert_int_equal(n, 0);
    cz_txn_abort(t);
    F.seq = seq;
    memcpy(F.prev, id, 32);
}

/* Seals entries as the village station (a valid bundle signature) and
 * imports them at the office. */
static struct cz_import_result deliver(const uint8_t *const *e, const size_t *len, size_t n,
                                       struct refusals *rf)
{
    struct cz_import_result r;
    memset(rf, 0, sizeof *rf);
    assert_int_equal(tk_pair_deliver(&F.p, e, len, n, on_refused, rf, &r), CZ_OK);
    return r;
}

static int setup(void **state)
{
    struct cz_import_result ir;
    uint8_t *img = NULL, id[32];
    size_t len = 0;
    int rc;
    if (tk_pair_init(&F.p, "hostile", "许昌市科协", V1, PASS)) return -1;
    /* The village's key announcement reaches the office; the office
     * certifies its person as a clerk for V1 only. */
    if (tk_pair_export(&F.p, &img, &len)) return -1;
    rc = cz_sync_import(F.p.office, img, len, NULL, NULL, &ir);
    free(img);
    if (rc || ir.status) return -1;
    struct cz_cert_req req = { .kind = "person", .name = "李书记", .station = "杨树湾村",
                               .region = V1, .role = "clerk" };
    memcpy(req.key, cz_station_person_pk(F.p.village), 32);
    if (cz_station_certify(F.p.office, &req, id)) return -1;
    cz_txn *t = NULL;
    if (cz_txn_begin(cz_station_store(F.p.village), 0, &t)) return -1;
    rc = cz_store_log_last(t, cz_station_person_pk(F.p.village), &F.seq, F.prev);
    cz_txn_abort(t);
    *state = &F;
    return rc;
}

static int teardown(void **state)
{
    tk_pair_free(&F.p);
    return 0;
}

/* A body whose `head` (tag 3) is exactly these bytes, encoded by hand so
 * that no setter stands in the way. */
static size_t raw_text_body(uint8_t *out, const char *s, size_t n)
{
    size_t k = 0;
    out[k++] = 3;
    out[k++] = CZ_KIND_TEXT;
    k += cz_varint_put(out + k, n);
    memcpy(out + k, s, n);
    return k + n;
}

static void test_hostile_text(void **state)
{
    static const struct { const char *what, *s; size_t n; int want; } cases[] = {
        { "CSI colour", "\x1b[31m王\x1b[0m", 13, CZ_ECONTROL },
        { "OSC title", "\x1b]0;pwned\x07", 11, CZ_ECONTROL },
        { "C1 CSI", "\xc2\x9b" "2J", 4, CZ_ECONTROL },
        { "carriage return", "王\r李", 7, CZ_ECONTROL },
        { "bidi override RLO", "\xe2\x80\xae" "cod.exe", 10, CZ_ECONTROL },
        { "bidi isolate LRI", "\xe2\x81\xa6" "x", 4, CZ_ECONTROL },
        { "invalid UTF-8", "\xff\xfe", 2, CZ_EUTF8 },
        { "overlong slash", "\xc0\xaf", 2, CZ_EUTF8 },
        { "surrogate", "\xed\xa0\x80", 3, CZ_EUTF8 },
    };
    static uint8_t body[CZ_VALUE_MAX + 64];
    size_t before = entries();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cz_body *b = NULL, *setb = cz_body_new();
        char *norm = NULL;
        uint8_t *e = NULL, id[32];
        size_t elen = 0, blen = raw_text_body(body, cases[i].s, cases[i].n);
        struct cz_entry de;
        struct refusals rf;
        assert_int_equal(cz_body_decode(body, blen, &b), cases[i].want);
        assert_int_equal(cz_body_set_text(setb, 3, cases[i].s, cases[i].n), cases[i].want);
        /* What a person types is normalised first: \r becomes white space,
         * everything else here is refused. */
        if (cz_text_normalize_line(cases[i].s, cases[i].n, &norm) == CZ_OK)
            assert_int_equal(cz_text_check_controls(norm, strlen(norm)), CZ_OK);
        free(norm);
        cz_body_free(setb);
        forge("household", V1, body, blen, F.seq + 1, F.prev, &e, &elen, id);
        assert_int_equal(cz_entry_decode(e, elen, &de), cases[i].want);
        const uint8_t *ev[] = { e };
        struct cz_import_result r = deliver(ev, &elen, 1, &rf);
        if (r.status == CZ_OK) { print_error("%s: accepted\n", cases[i].what); fail(); }
        free(e);
    }
    /* An enormous value: refused by length before anything else. */
    static char big[CZ_VALUE_MAX + 1];
    memset(big, 'a', sizeof big);
    size_t blen = raw_text_body(body, big, sizeof big);
    cz_body *b = NULL;
    assert_int_equal(cz_body_decode(body, blen, &b), CZ_ETOOBIG);
    assert_int_equal(entries(), before);
}

static void test_outside_jurisdiction(void **state)
{
    uint8_t *body = NULL, *e = NULL, id[32];
    size_t blen = 0, elen = 0, before = entries();
    struct refusals rf;
    household_body(V2, "OUT-1", &body, &blen);
    forge("household", V2, body, blen, F.seq + 1, F.prev, &e, &elen, id);
    const uint8_t *ev[] = { e };
    struct cz_import_result r = deliver(ev, &elen, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.n, 1);
    assert_int_equal(entries(), before + 1);
    assert_kept_refused(id, F.seq + 1);
    print_message("outside jurisdiction: %s\n", cz_status_name(r.status ? r.status : rf.why));
    free(e);
    free(body);
}

/* The index keeps only the first 8 bytes of an entity's id under each
 * term, and an entry may name any id: a clerk, validly certified for the
 * village, sends a new household whose id shares the office's household's
 * first 8 bytes.  It is a record of its own, in the clerk's jurisdiction,
 * so it is taken in; but each household is found by its own number and
 * name only, and the office's is as it was. */
struct found { size_t n; uint8_t entity[4][CZ_ENTITY_BYTES]; };
static int found_cb(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES])
{
    struct found *f = ctx;
    if (f->n < 4) memcpy(f->entity[f->n], entity, CZ_ENTITY_BYTES);
    f->n++;
    return 0;
}

static struct found find_at_office(const char *text)
{
    struct found f = { .n = 0 };
    cz_txn *t = NULL;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_query_find(t, text, found_cb, &f), CZ_OK);
    cz_txn_abort(t);
    return f;
}

static void test_entity_prefix_twin(void **state)
{
    struct cz_assign a[] = { { "number", "TWIN-1" }, { "village", V1 }, { "head", "张三丰" } };
    struct cz_field_error err;
    uint8_t victim[CZ_ENTITY_BYTES], twin[CZ_ENTITY_BYTES], vid[32], *body = NULL, *e = NULL, id[32];
    size_t blen = 0, elen = 0;
    struct refusals rf;
    assert_int_equal(tk_places(F.p.office, V1, NULL), 0);
    assert_int_equal(cz_station_add(F.p.office, "household", a, 3, victim, vid, &err), CZ_OK);
    memcpy(twin, victim, 8);
    memset(twin + 8, 0x5A, CZ_ENTITY_BYTES - 8);
    household_body(V1, "TWIN-2", &body, &blen);
    forge_for(twin, "household", V1, body, blen, F.seq + 1, F.prev, &e, &elen, id);
    const uint8_t *ev[] = { e };
    struct cz_import_result r = deliver(ev, &elen, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 1);
    assert_int_equal(r.refused, 0);
    F.seq++;
    memcpy(F.prev, id, 32);

    struct found f = find_at_office("TWIN-1");
    assert_int_equal(f.n, 1);
    assert_memory_equal(f.entity[0], victim, CZ_ENTITY_BYTES);
    f = find_at_office("张三丰");
    assert_int_equal(f.n, 1);
    assert_memory_equal(f.entity[0], victim, CZ_ENTITY_BYTES);
    f = find_at_office("TWIN-2");
    assert_int_equal(f.n, 1);
    assert_memory_equal(f.entity[0], twin, CZ_ENTITY_BYTES);
    f = find_at_office("TWIN-");      /* a part of both numbers: both, each once */
    assert_int_equal(f.n, 2);

    /* The office's record: its one version, its own fields. */
    cz_txn *t = NULL;
    uint8_t heads[2][32];
    size_t n = 0;
    struct cz_entry got;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_store_heads(t, victim, heads, 2, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(heads[0], vid, 32);
    assert_int_equal(cz_store_heads(t, twin, heads, 2, &n), CZ_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(heads[0], id, 32);
    assert_int_equal(cz_store_get_entry(t, vid, &got), CZ_OK);
    assert_memory_equal(got.entity, victim, CZ_ENTITY_BYTES);
    cz_txn_abort(t);
    free(e);
    free(body);

    /* A second twin that also takes the office household's number: an
     * edit of the office's household is refused for the duplicate, as it
     * is when the other holder's id shares nothing with it. */
    uint8_t twin2[CZ_ENTITY_BYTES], vid2[32];
    memcpy(twin2, victim, 8);
    memset(twin2 + 8, 0x6B, CZ_ENTITY_BYTES - 8);
    household_body(V1, "TWIN-1", &body, &blen);
    forge_for(twin2, "household", V1, body, blen, F.seq + 1, F.prev, &e, &elen, id);
    const uint8_t *ev2[] = { e };
    r = deliver(ev2, &elen, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 1);
    F.seq++;
    memcpy(F.prev, id, 32);
    struct cz_assign edit[] = { { "head", "张三丰二" } };
    memset(&err, 0, sizeof err);
    assert_int_equal(cz_station_edit(F.p.office, victim, edit, 1, vid2, &err), CZ_EEXIST);
    assert_non_null(err.field);
    assert_string_equal(err.field->key, "number");
    free(e);
    free(body);
}

static void test_outside_role(void **state)
{
    /* A clerk writing a certificate (the office root's record). */
    uint8_t key[32], *e = NULL, id[32];
    size_t elen = 0, before = entries();
    struct refusals rf;
    struct cz_field_error err;
    char hex[65];
    memset(key, 0x42, sizeof key);
    cz_hex(key, 32, hex);
    const struct cz_type *ty = cz_schema_type("cert");
    assert_non_null(ty);
    struct cz_assign a[] = { { "key", hex }, { "kind", "person" }, { "name", "冒充者" },
                             { "region", "" }, { "role", "office" } };
    cz_body *b = cz_body_new();
    uint8_t *body = NULL;
    size_t blen = 0;
    (void)cz_schema_set_many(ty, b, a, 5, &err);
    assert_int_equal(cz_body_encode(b, &body, &blen), CZ_OK);
    cz_body_free(b);
    forge("cert", "", body, blen, F.seq + 1, F.prev, &e, &elen, id);
    const uint8_t *ev[] = { e };
    struct cz_import_result r = deliver(ev, &elen, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, 1);
    assert_int_equal(entries(), before + 1);
    assert_kept_refused(id, F.seq + 1);
    print_message("outside role: %s\n", cz_status_name(r.status ? r.status : rf.why));
    free(e);
    free(body);
}

static size_t forks_seen;
static void on_problem(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    if (kind == CZ_PROBLEM_FORK) forks_seen++;
}

static void test_fork_then_revoked(void **state)
{
    uint8_t *b1 = NULL, *b2 = NULL, *b3 = NULL, *e1 = NULL, *e2 = NULL, *e3 = NULL, id1[32], id2[32], id3[32], rid[32];
    size_t l1 = 0, l2 = 0, l3 = 0, el1 = 0, el2 = 0, el3 = 0, before = entries();
    struct refusals rf;
    household_body(V1, "FORK-A", &b1, &l1);
    household_body(V1, "FORK-B", &b2, &l2);
    forge("household", V1, b1, l1, F.seq + 1, F.prev, &e1, &el1, id1);
    forge("household", V1, b2, l2, F.seq + 1, F.prev, &e2, &el2, id2);
    const uint8_t *ev1[] = { e1 }, *ev2[] = { e2 };
    struct cz_import_result r = deliver(ev1, &el1, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 1);
    assert_int_equal(entries(), before + 1);
    r = deliver(ev2, &el2, 1, &rf);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.forks, 1);

    cz_txn *t = NULL;
    struct cz_verify_report rep;
    assert_int_equal(cz_txn_begin(cz_station_store(F.p.office), 0, &t), CZ_OK);
    assert_int_equal(cz_verify(t, cz_station_info(F.p.office)->office_root, on_problem, NULL, &rep), CZ_OK);
    cz_txn_abort(t);
    assert_true(forks_seen >= 1);
    print_message("fork: kept as evidence, verify shows %zu fork finding(s)\n", forks_seen);

    /* Revoked after seq+1: the next entry must not count. */
    assert_int_equal(cz_station_revoke(F.p.office, cz_station_person_pk(F.p.village), F.seq + 1, "test", rid), CZ_OK);
    size_t mid = entries();
    household_body(V1, "LATE-1", &b3, &l3);
    forge("household", V1, b3, l3, F.seq + 2, id1, &e3, &el3, id3);
    const uint8_t *ev3[] = { e3 };
    r = deliver(ev3, &el3, 1, &rf);
    print_message("revoked key's later entry: %s (refused %zu)\n", cz_status_name(r.status), r.refused);
    assert_true(r.status == CZ_EREVOKED || r.refused == 1);
    assert_int_equal(entries(), mid);

    /* The same entry carried by another person of the station, whose key
     * is not revoked: the bundle is taken, that entry alone is refused. */
    assert_int_equal(cz_station_user_add(F.p.village, "王会计", "clerk", PASS), CZ_OK);
    assert_int_equal(cz_station_login(F.p.village, "王会计", PASS), CZ_OK);
    r = deliver(ev3, &el3, 1, &rf);
    print_message("revoked key's later entry in another signer's bundle: %s, entry refused: %s\n",
                  cz_status_name(r.status), cz_status_name(rf.why));
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.refused, 1);
    assert_int_equal(rf.why, CZ_EREVOKED);
    assert_int_equal(entries(), mid + 1);    /* kept as evidence, not applied */
    assert_kept_refused(id3, F.seq + 2);
    free(b1); free(b2); free(b3); free(e1); free(e2); free(e3);
}


/* Seals stored bytes as the village station (format `version`, the header
 * saying unpacked) and imports them at the office, from a file (the
 * streaming reader over a file, as from a stick). */
static struct cz_import_result deliver_raw(unsigned version, const uint8_t *stored, size_t n, uint64_t unpacked)
{
    struct cz_import_result r;
    uint8_t *img = NULL, id[32];
    size_t img_len = 0;
    char path[160];
    struct cz_bundle_params p = tk_pair_bundle(&F.p);
    assert_int_equal(cz_bundle_seal_raw(&p, version, stored, n, unpacked, &img, &img_len, id), CZ_OK);
    snprintf(path, sizeof path, "%s/raw.czb", F.p.dir);
    assert_int_equal(tk_write_file(path, img, img_len), 0);
    assert_int_equal(cz_sync_import_file(F.p.office, path, NULL, NULL, &r), CZ_OK);
    free(img);
    return r;
}

static uint8_t *zframe(const uint8_t *src, size_t n, size_t *len)
{
    ZSTD_CCtx *c = cz_bundle_cctx(n, 0);
    size_t cap = ZSTD_compressBound(n);
    uint8_t *z = malloc(cap);
    assert_non_null(c);
    assert_non_null(z);
    *len = ZSTD_compress2(c, z, cap, src, n);
    assert_false(ZSTD_isError(*len));
    ZSTD_freeCCtx(c);
    return z;
}

static void test_bundle_formats(void **state)
{
    uint8_t *e[2], id[2][32], *body;
    size_t elen[2], blen, zlen;
    struct cz_vv none = { 0 };
    struct cz_payload_writer w;
    struct cz_import_result r;

    /* The village signs as 王会计 now (test_fork_then_revoked), a person
     * not yet certified: the office takes a pending signer's work only
     * once it has its key announcement naming the sending station (else
     * only announcements; test_bundle.c, test_uncertified_signer).  The
     * village's own bundle brings it. */
    uint8_t *img = NULL;
    size_t img_len = 0;
    assert_int_equal(tk_pair_export(&F.p, &img, &img_len), 0);
    assert_int_equal(cz_sync_import(F.p.office, img, img_len, NULL, NULL, &r), CZ_OK);
    assert_int_equal(r.status, CZ_OK);
    free(img);

    /* two new households, signed by the village person */
    household_body(V1, "PK-0001", &body, &blen);
    forge("household", V1, body, blen, F.seq + 1, F.prev, &e[0], &elen[0], id[0]);
    free(body);
    household_body(V1, "PK-0002", &body, &blen);
    forge("household", V1, body, blen, F.seq + 2, id[0], &e[1], &elen[1], id[1]);
    free(body);
    assert_int_equal(cz_payload_start(&w, CZ_PAYLOAD_SYNC, &none), CZ_OK);
    for (int i = 0; i < 2; i++) assert_int_equal(cz_payload_add(&w, e[i], elen[i]), CZ_OK);
    cz_payload_finish(&w);
    size_t before = entries();

    /* hostile frames first: each refused by name, nothing changes */
    uint8_t *z = zframe(w.buf, w.len, &zlen);
    z[zlen - 1] ^= 0x40;                                 /* the frame's checksum */
    r = deliver_raw(2, z, zlen, w.len);
    assert_int_equal(r.status, CZ_EUNPACK);
    z[zlen - 1] ^= 0x40;
    z[zlen / 2] ^= 0x5A;                                 /* inside the blocks */
    r = deliver_raw(2, z, zlen, w.len);
    assert_true(r.status == CZ_EUNPACK || r.status == CZ_ETRUNC || r.status == CZ_ETRAILING);
    z[zlen / 2] ^= 0x5A;
    r = deliver_raw(2, z, zlen / 2, w.len);              /* cut short */
    assert_int_equal(r.status, CZ_ETRUNC);
    uint8_t *longer = malloc(zlen + 3);
    memcpy(longer, z, zlen);
    memcpy(longer + zlen, "xyz", 3);                     /* bytes after the frame */
    r = deliver_raw(2, longer, zlen + 3, w.len);
    assert_int_equal(r.status, CZ_ETRAILING);
    free(longer);
    r = deliver_raw(2, w.buf, w.len, w.len);             /* not compressed at all */
    assert_int_equal(r.status, CZ_EUNPACK);
    /* a bomb: 64 MiB of zeros in a few KiB, the header claiming the payload's
     * length, then the frame's own content size forged to match */
    size_t big = (size_t)64 << 20, blen2;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    uint8_t *bomb = zframe(zeros, big, &blen2);
    free(zeros);
    r = deliver_raw(2, bomb, blen2, w.len);
    assert_int_equal(r.status, CZ_EUNPACK);
    assert_int_equal(bomb[4] >> 6, 2);                   /* 4-byte content size at 6 */
    for (int i = 0; i < 4; i++) bomb[6 + i] = (uint8_t)(w.len >> (8 * i));
    r = deliver_raw(2, bomb, blen2, w.len);
    assert_int_equal(r.status, CZ_EUNPACK);
    free(bomb);
    assert_int_equal(entries(), before);
    assert_int_equal(r.fresh, 0);

    /* the old writer's format 1 still imports */
    r = deliver_raw(1, w.buf, w.len, w.len);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.fresh, 2);
    assert_int_equal(entries(), before + 2);
    /* and the same entries compressed are duplicates, no refusal */
    r = deliver_raw(2, z, zlen, w.len);
    assert_int_equal(r.status, CZ_OK);
    assert_int_equal(r.duplicate, 2);
    F.seq += 2;
    memcpy(F.prev, id[1], 32);
    free(z);
    free(w.buf);
    free(e[0]);
    free(e[1]);
}

/* A backup whose bundle is format 1 (as every backup made before format 2
 * is) still restores, and the same backup as written (format 2) too. */
static void test_backup_formats(void **state)
{
    struct cz_backup_result br;
    struct cz_restore_result rr;
    struct cz_bundle_header h;
    uint8_t *file = NULL, *plain = NULL, *img = NULL, id[32];
    size_t len = 0, plain_len = 0, img_len = 0;
    const struct cz_secrets *sec = cz_station_secrets(F.p.village);
    char dir[160];

    assert_int_equal(cz_backup_write(F.p.village, F.p.stick, &br), CZ_OK);
    assert_int_equal(cz_read_file(br.path, &file, &len), CZ_OK);
    /* "CZA" version nslots { u32 len, blob, sum[32] } then the bundle */
    size_t at = 5;
    assert_int_equal(file[3], CZ_BACKUP_VERSION);
    for (unsigned i = 0; i < file[4]; i++)
        at += 4 + 32 + ((size_t)file[at] << 24 | (size_t)file[at + 1] << 16 | (size_t)file[at + 2] << 8 | file[at + 3]);
    assert_int_equal(cz_bundle_read_header(file + at, len - at, &h), CZ_OK);
    assert_int_equal(h.version, 2);
    assert_int_equal(cz_bundle_open(file + at, len - at, &h, cz_secrets_box_pk(sec), cz_secrets_box_sk(sec),
                                    &plain, &plain_len), CZ_OK);
    snprintf(dir, sizeof dir, "%s/restored2", F.p.dir);
    assert_int_equal(cz_backup_restore(dir, file, len, PASS, &rr), CZ_OK);
    size_t n2 = rr.entries;
    assert_true(n2 > 0);

    /* the same plaintext sealed by the old writer, to the same recipients */
    uint8_t rcpt[2][32];
    for (size_t i = 0; i < h.nrecipients; i++) memcpy(rcpt[i], h.stanzas + i * CZ_BUNDLE_STANZA, 32);
    struct cz_bundle_params p = {
        .sender_box = h.sender_box, .seq = h.seq, .recipients = (const uint8_t (*)[32])rcpt,
        .nrecipients = h.nrecipients, .signer = cz_station_person_pk(F.p.village), .sign = tk_station_sign,
        .sign_ctx = F.p.village,
    };
    assert_int_equal(cz_bundle_seal_raw(&p, 1, plain, plain_len, plain_len, &img, &img_len, id), CZ_OK);
    uint8_t *old = malloc(at + img_len);
    memcpy(old, file, at);
    memcpy(old + at, img, img_len);
    snprintf(dir, sizeof dir, "%s/restored1", F.p.dir);
    assert_int_equal(cz_backup_restore(dir, old, at + img_len, PASS, &rr), CZ_OK);
    assert_int_equal(rr.entries, n2);
    assert_true(img_len > len - at);                     /* format 2 is the smaller */

    /* A backup of version 1 (no slot sums, no station key in the section)
     * still restores. */
    size_t v1_len = 0, sect = 3 + 1 + 1, pat = 5;
    uint8_t *v1 = malloc(len + plain_len), *p1 = malloc(plain_len);
    for (int k = 0; k < 4; k++) sect += 1 + plain[sect];
    sect += 96 + 24;
    size_t npeople = plain[sect++];
    for (size_t k = 0; k < npeople; k++) sect += 1 + plain[sect] + 32;
    memcpy(p1, plain, sect);
    memcpy(p1 + sect, plain + sect + 32, plain_len - sect - 32);   /* without box_sk */
    p1[3] = 1;
    memcpy(v1, file, 5);
    v1[3] = 1;
    v1_len = 5;
    for (unsigned i = 0; i < file[4]; i++) {
        size_t bl = (size_t)file[pat] << 24 | (size_t)file[pat + 1] << 16 | (size_t)file[pat + 2] << 8 | file[pat + 3];
        memcpy(v1 + v1_len, file + pat, 4 + bl);
        v1_len += 4 + bl;
        pat += 4 + bl + 32;
    }
    free(img);
    img = NULL;
    assert_int_equal(cz_bundle_seal(&p, p1, plain_len - 32, &img, &img_len, id), CZ_OK);
    v1 = realloc(v1, v1_len + img_len);
    memcpy(v1 + v1_len, img, img_len);
    snprintf(dir, sizeof dir, "%s/restored_v1", F.p.dir);
    assert_int_equal(cz_backup_restore(dir, v1, v1_len + img_len, PASS, &rr), CZ_OK);
    assert_int_equal(rr.entries, n2);
    free(v1);
    free(p1);
    free(old);
    free(img);
    cz_bundle_plain_free(plain, plain_len);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_outside_jurisdiction),
        cmocka_unit_test(test_entity_prefix_twin),
        cmocka_unit_test(test_outside_role),
        cmocka_unit_test(test_fork_then_revoked),
        cmocka_unit_test(test_bundle_formats),
        cmocka_unit_test(test_backup_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
