/* test_merge.c — shared test vectors for reconciling (merge.h, FORMATS.md,
 * Reconciling): every station must show the same view of the same entries
 * whatever order they arrived in (automerge#263 is such a bug: a reversed
 * comparison that hid in tests).
 *
 * Each vector is a small history of one household written by up to three
 * authors (real Ed25519 keys from fixed seeds, real signed entries, bodies
 * through the schema).  Its entries are stored into a fresh LMDB store in
 * EVERY order of arrival; the merged view (cz_record_load's body, the
 * deleted flag and cz_merge_entity's conflicts) must be byte-identical
 * across the orders and equal the vector's expected text.
 *
 * To add a vector, add a row to VECTORS: steps in writing order (each a
 * version by an author, with its parents as step numbers), and the view
 * every station must show.  Authors are numbered by ascending public key,
 * so "higher origin" means the higher author number. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "entry.h"
#include "index.h"
#include "merge.h"
#include "query.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "testkit.h"

#define VILLAGE "520123101201"
#define MAX_STEPS 6
#define NAUTHORS 3

struct step {
    int author;                  /* 0..2, by ascending public key */
    uint64_t hlc;                /* ms part; the counter is 0 */
    int parents[3];              /* step numbers, -1 ends the list */
    int tombstone;
    const char *set;             /* "field=value;field=value" over the first parent's body */
};

struct vector {
    const char *name;
    size_t nsteps;
    struct step s[MAX_STEPS];
    /* The view: "deleted" or the fields "k=v k=v" (tag order); then each
     * conflict " !field:value@author|value@author" (winner first; "-" for
     * a deletion, field "deleted" for delete-versus-edit). */
    const char *expect;
};

#define NP { -1 }
#define P1(a) { a, -1 }
#define P2(a, b) { a, b, -1 }

static const struct vector VECTORS[] = {
    { "different fields merge", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001;notes=旧" },
        { 0, 2, P1(0), 0, "phone=13800000002" },
        { 1, 3, P1(0), 0, "notes=新" } },
      "head=王秀英 phone=13800000002 notes=新" },
    { "same field: conflict, higher clock wins", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 5, P1(0), 0, "phone=13800000002" },
        { 1, 4, P1(0), 0, "phone=13800000003" } },
      "head=王秀英 phone=13800000002 !phone:13800000002@0|13800000003@1" },
    { "same field, same clock: higher origin wins", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 5, P1(0), 0, "phone=13800000002" },
        { 2, 5, P1(0), 0, "phone=13800000003" } },
      "head=王秀英 phone=13800000003 !phone:13800000003@2|13800000002@0" },
    { "same change on both sides is no conflict", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 2, P1(0), 0, "phone=13800000009" },
        { 1, 3, P1(0), 0, "phone=13800000009" } },
      "head=王秀英 phone=13800000009" },
    { "delete (newer) concurrent with an edit", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 5, P1(0), 1, NULL },
        { 1, 4, P1(0), 0, "phone=13800000003" } },
      "deleted !deleted:-@0|-@1" },
    { "edit (newer) concurrent with a delete", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 4, P1(0), 1, NULL },
        { 1, 5, P1(0), 0, "phone=13800000003" } },
      "head=王秀英 phone=13800000003 !deleted:-@1|-@0" },
    { "three heads", 4, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001;notes=旧" },
        { 0, 3, P1(0), 0, "phone=13800000002" },
        { 1, 4, P1(0), 0, "phone=13800000003" },
        { 2, 2, P1(0), 0, "notes=新;address=一组" } },
      "head=王秀英 phone=13800000003 address=一组 notes=新 !phone:13800000003@1|13800000002@0" },
    { "a field removed on one side merges", 3, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001;notes=旧" },
        { 0, 2, P1(0), 0, "notes=" },
        { 1, 3, P1(0), 0, "phone=13800000003" } },
      "head=王秀英 phone=13800000003" },
    /* Two people settled the same conflict differently: both merges have
     * two common ancestors (s1, s2).  Neither can serve as the base alone
     * (either choice would hide one person's decision), so the field is a
     * conflict again. */
    { "criss-cross resolved differently", 5, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 2, P1(0), 0, "phone=13800000002" },
        { 1, 3, P1(0), 0, "phone=13800000003" },
        { 0, 4, P2(1, 2), 0, "phone=13800000002" },
        { 1, 5, P2(1, 2), 0, "phone=13800000003" } },
      "head=王秀英 phone=13800000003 !phone:13800000003@1|13800000002@0" },
    { "criss-cross resolved alike, other field edited", 6, {
        { 0, 1, NP, 0, "head=王秀英;phone=13800000001" },
        { 0, 2, P1(0), 0, "phone=13800000002" },
        { 1, 3, P1(0), 0, "phone=13800000003" },
        { 0, 4, P2(1, 2), 0, "phone=13800000002" },
        { 1, 5, P2(1, 2), 0, "phone=13800000002" },
        { 1, 6, P1(4), 0, "notes=已核实" } },
      "head=王秀英 phone=13800000002 notes=已核实" },
};

struct author { uint8_t pk[32], sk[64]; };
static struct author g_authors[NAUTHORS];

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct author *a = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, a->sk) == 0 ? CZ_OK : CZ_ESIG;
}

static int by_pk(const void *x, const void *y)
{
    return memcmp(((const struct author *)x)->pk, ((const struct author *)y)->pk, 32);
}

static int group_setup(void **state)
{
    if (sodium_init() < 0) return -1;
    for (int i = 0; i < NAUTHORS; i++) {
        uint8_t seed[32];
        memset(seed, 0x11 * (i + 1), sizeof seed);
        crypto_sign_seed_keypair(g_authors[i].pk, g_authors[i].sk, seed);
    }
    qsort(g_authors, NAUTHORS, sizeof g_authors[0], by_pk);
    return 0;
}

/* ---- writing a vector's entries ---- */

struct written { uint8_t *buf; size_t len; uint8_t id[CZ_ID_BYTES]; cz_body *body; };

static void apply_set(const struct cz_type *ty, cz_body *b, const char *set)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", set ? set : "");
    for (char *save = NULL, *kv = strtok_r(tmp, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        assert_non_null(eq);
        *eq = 0;
        assert_int_equal(cz_schema_set(ty, b, kv, eq + 1, NULL), CZ_OK);
    }
}

/* Signs every step in writing order, each author's log chained. */
static void write_vector(const struct vector *v, struct written *w)
{
    const struct cz_type *ty = cz_schema_type("household");
    uint8_t entity[CZ_ENTITY_BYTES];
    uint64_t seq[NAUTHORS] = { 0 };
    uint8_t prev[NAUTHORS][CZ_ID_BYTES];
    memset(entity, 0x42, sizeof entity);
    memset(prev, 0, sizeof prev);
    for (size_t i = 0; i < v->nsteps; i++) {
        const struct step *s = &v->s[i];
        uint8_t parents[3 * CZ_ID_BYTES], *body = NULL;
        size_t np = 0, body_len = 0;
        for (; np < 3 && s->parents[np] >= 0; np++) {
            assert_true((size_t)s->parents[np] < i);
            memcpy(parents + np * CZ_ID_BYTES, w[s->parents[np]].id, CZ_ID_BYTES);
        }
        w[i].body = np && w[s->parents[0]].body ? cz_body_clone(w[s->parents[0]].body) : cz_body_new();
        assert_non_null(w[i].body);
        if (s->tombstone) {
            cz_body_free(w[i].body);
            w[i].body = NULL;
        } else {
            apply_set(ty, w[i].body, s->set);
            assert_int_equal(cz_body_encode(w[i].body, &body, &body_len), CZ_OK);
        }
        struct cz_entry_draft d;
        memset(&d, 0, sizeof d);
        memcpy(d.origin, g_authors[s->author].pk, 32);
        d.seq = ++seq[s->author];
        memcpy(d.prev, prev[s->author], CZ_ID_BYTES);
        d.hlc = (UINT64_C(1767225600000) + s->hlc) << 16;
        d.wall = 1767225600 + (int64_t)s->hlc;
        memcpy(d.entity, entity, sizeof entity);
        d.flags = s->tombstone ? CZ_ENTRY_FLAG_TOMBSTONE : 0;
        d.type = "household";
        d.region = VILLAGE;
        d.nparents = np;
        d.parents = parents;
        d.body = body;
        d.body_len = body_len;
        assert_int_equal(cz_entry_write(&d, sign_cb, &g_authors[s->author], &w[i].buf, &w[i].len, w[i].id), CZ_OK);
        memcpy(prev[s->author], w[i].id, CZ_ID_BYTES);
        free(body);
    }
}

/* ---- the view, as bytes (compared across orders) and as text ---- */

static int author_of(const uint8_t pk[32])
{
    for (int i = 0; i < NAUTHORS; i++)
        if (!memcmp(g_authors[i].pk, pk, 32)) return i;
    return -1;
}

static void bytes_add(uint8_t **buf, size_t *len, const void *p, size_t n)
{
    uint8_t *b = realloc(*buf, *len + n + 1);
    assert_non_null(b);
    memcpy(b + *len, p, n);
    *buf = b;
    *len += n;
}

static void body_bytes(uint8_t **buf, size_t *len, const cz_body *b)
{
    uint8_t *enc = NULL;
    size_t n = 0;
    uint32_t n32;
    if (!b) { n32 = UINT32_MAX; bytes_add(buf, len, &n32, 4); return; }
    assert_int_equal(cz_body_encode(b, &enc, &n), CZ_OK);
    n32 = (uint32_t)n;
    bytes_add(buf, len, &n32, 4);
    bytes_add(buf, len, enc, n);
    free(enc);
}

static void text_add(char *out, size_t size, const char *fmt, const char *a, const char *b)
{
    size_t used = strlen(out);
    snprintf(out + used, size - used, fmt, a, b);
}

/* Stores the entries in the order given, then renders the view. */
static void view_in_order(const struct written *w, const size_t *order, size_t n,
                          uint8_t **bytes, size_t *blen, char *text, size_t tsize)
{
    const struct cz_type *ty = cz_schema_type("household");
    char dir[64], db[96], val[256];
    cz_store *s = NULL;
    cz_txn *t = NULL;
    struct cz_record r;
    struct cz_merged m;
    uint8_t entity[CZ_ENTITY_BYTES];
    int result;

    assert_int_equal(tk_tmpdir(dir, sizeof dir, "merge"), 0);
    snprintf(db, sizeof db, "%s/db", dir);
    assert_int_equal(cz_store_open(db, 1, &s), CZ_OK);
    assert_int_equal(cz_txn_begin(s, 1, &t), CZ_OK);
    for (size_t i = 0; i < n; i++) {
        struct cz_entry e;
        assert_int_equal(cz_entry_decode(w[order[i]].buf, w[order[i]].len, &e), CZ_OK);
        assert_int_equal(cz_entry_verify(&e), CZ_OK);
        assert_int_equal(cz_store_put_entry(t, &e, w[order[i]].id, &result), CZ_OK);
        assert_int_equal(result, CZ_PUT_NEW);
        memcpy(entity, e.entity, sizeof entity);
    }
    assert_int_equal(cz_txn_commit(t), CZ_OK);

    assert_int_equal(cz_txn_begin(s, 0, &t), CZ_OK);
    assert_int_equal(cz_record_load(t, entity, &r), CZ_OK);
    memset(&m, 0, sizeof m);
    if (r.nheads > 1) assert_int_equal(cz_merge_entity(t, entity, &m), CZ_OK);

    *bytes = NULL;
    *blen = 0;
    uint8_t flag = (uint8_t)r.deleted;
    bytes_add(bytes, blen, &flag, 1);
    bytes_add(bytes, blen, r.id, CZ_ID_BYTES);
    body_bytes(bytes, blen, r.deleted ? NULL : r.body);
    text[0] = 0;
    if (r.deleted) {
        text_add(text, tsize, "%s%s", "deleted", "");
    } else {
        for (size_t i = 0; i < cz_body_count(r.body); i++) {
            const struct cz_field *f = cz_schema_field_by_tag(ty, cz_body_tag_at(r.body, i));
            assert_non_null(f);
            cz_schema_format(f, r.body, CZ_LANG_EN, 0, val, sizeof val);
            text_add(text, tsize, i ? " %s=%s" : "%s=%s", f->key, val);
        }
    }
    for (size_t i = 0; i < m.nconflicts; i++) {
        const struct cz_merge_conflict *c = &m.conflicts[i];
        const struct cz_field *f = c->tag ? cz_schema_field_by_tag(ty, c->tag) : NULL;
        bytes_add(bytes, blen, &c->tag, sizeof c->tag);
        text_add(text, tsize, " !%s%s:", c->tag ? f->key : "deleted", "");
        for (size_t k = 0; k < c->n; k++) {
            char who[16];
            bytes_add(bytes, blen, c->v[k].head, CZ_ID_BYTES);
            body_bytes(bytes, blen, c->v[k].value);
            strcpy(val, "-");
            if (f && c->v[k].value) cz_schema_format(f, c->v[k].value, CZ_LANG_EN, 0, val, sizeof val);
            snprintf(who, sizeof who, "@%d", author_of(c->v[k].origin));
            text_add(text, tsize, k ? "|%s%s" : "%s%s", val, who);
        }
    }
    cz_merged_free(&m);
    cz_record_clear(&r);
    cz_txn_abort(t);
    cz_store_close(s);
    tk_rmtree(dir);
}

/* Next permutation in lexicographic order; 0 after the last. */
static int next_perm(size_t *a, size_t n)
{
    if (n < 2) return 0;
    size_t i = n - 1;
    while (i > 0 && a[i - 1] >= a[i]) i--;
    if (i == 0) return 0;
    size_t j = n - 1;
    while (a[j] <= a[i - 1]) j--;
    size_t x = a[i - 1]; a[i - 1] = a[j]; a[j] = x;
    for (size_t l = i, r = n - 1; l < r; l++, r--) { x = a[l]; a[l] = a[r]; a[r] = x; }
    return 1;
}

static void run_vector(const struct vector *v)
{
    struct written w[MAX_STEPS];
    size_t order[MAX_STEPS], perms = 0;
    uint8_t *first = NULL, *bytes = NULL;
    size_t first_len = 0, blen = 0;
    char text[1024], first_text[1024];

    memset(w, 0, sizeof w);
    write_vector(v, w);
    for (size_t i = 0; i < v->nsteps; i++) order[i] = i;
    do {
        view_in_order(w, order, v->nsteps, &bytes, &blen, text, sizeof text);
        if (!first) {
            first = bytes;
            first_len = blen;
            snprintf(first_text, sizeof first_text, "%s", text);
            if (strcmp(text, v->expect)) {
                print_error("vector \"%s\":\n  got    %s\n  wanted %s\n", v->name, text, v->expect);
                fail();
            }
        } else {
            if (blen != first_len || memcmp(bytes, first, blen)) {
                print_error("vector \"%s\": arrival order", v->name);
                for (size_t i = 0; i < v->nsteps; i++) print_error(" s%zu", order[i]);
                print_error(" gives\n  %s\nwhere the writing order gives\n  %s\n", text, first_text);
                fail();
            }
            free(bytes);
        }
        perms++;
    } while (next_perm(order, v->nsteps));
    size_t fact = 1;
    for (size_t i = 2; i <= v->nsteps; i++) fact *= i;
    assert_int_equal(perms, fact);
    free(first);
    for (size_t i = 0; i < v->nsteps; i++) { free(w[i].buf); cz_body_free(w[i].body); }
}

static void test_vectors(void **state)
{
    for (size_t i = 0; i < sizeof VECTORS / sizeof VECTORS[0]; i++) run_vector(&VECTORS[i]);
}

/* The authors really are ordered as the vectors assume. */
static void test_authors_ordered(void **state)
{
    for (int i = 1; i < NAUTHORS; i++) assert_true(memcmp(g_authors[i - 1].pk, g_authors[i].pk, 32) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authors_ordered),
        cmocka_unit_test(test_vectors),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
