/* cli_sync.c — enrol, revoke, export, import, conflicts, resolve. */
#include "cli.h"
#include "cli_int.h"
#include "cli_sync.h"
#include "keys.h"
#include "roster.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys the office knows of: announcements and certificates ---- */

struct known_key {
    uint8_t key[32];
    char kind[16], name[CZ_NAME_MAX], station[CZ_NAME_MAX], region[CZ_REGION_MAX + 1], role[16];
    struct cz_trust_info trust;
};
struct keylist { cz_txn *t; const uint8_t *root; struct known_key *v; size_t n, cap; int rc; };

static void text_field(const struct cz_record *r, const char *field, char *out, size_t size)
{
    const struct cz_field *f = cz_schema_field(r->type, field);
    out[0] = 0;
    if (f) cz_schema_format(f, r->body, CZ_LANG_EN, 0, out, size);
}

static int keylist_cb(void *ctx, const uint8_t *entity)
{
    struct keylist *kl = ctx;
    struct cz_record r;
    const uint8_t *key;
    size_t len;
    if (cz_record_load(kl->t, entity, &r) != CZ_OK || r.deleted || !r.type) goto done;
    if (cz_body_get_bytes(r.body, cz_schema_field(r.type, "key")->tag, &key, &len) != CZ_OK || len != 32)
        goto done;
    struct known_key *k = NULL;
    for (size_t i = 0; i < kl->n && !k; i++)
        if (!memcmp(kl->v[i].key, key, 32)) k = &kl->v[i];
    if (!k) {
        if (kl->n == kl->cap) {
            size_t cap = kl->cap ? 2 * kl->cap : 16;
            struct known_key *v = realloc(kl->v, cap * sizeof *v);
            if (!v) { cz_record_clear(&r); return kl->rc = CZ_ENOMEM; }
            kl->v = v;
            kl->cap = cap;
        }
        k = &kl->v[kl->n++];
        memset(k, 0, sizeof *k);
        memcpy(k->key, key, 32);
        cz_roster_lookup(kl->t, kl->root, key, &k->trust);
    }
    /* The announcement says what was asked for; a certificate what was granted. */
    if (!k->name[0] || !strcmp(r.type_key, "key")) {
        text_field(&r, "kind", k->kind, sizeof k->kind);
        text_field(&r, "name", k->name, sizeof k->name);
        text_field(&r, "station", k->station, sizeof k->station);
        text_field(&r, "region", k->region, sizeof k->region);
        text_field(&r, "role", k->role, sizeof k->role);
    }
done:
    cz_record_clear(&r);
    return 0;
}

/* Every key named by an announcement or a certificate, with its trust. */
static int known_keys(cz_txn *t, const uint8_t root[32], struct keylist *kl)
{
    static const char *types[] = { "key", "cert" };
    char term[64];
    memset(kl, 0, sizeof *kl);
    kl->t = t;
    kl->root = root;
    for (size_t i = 0; i < 2; i++) {
        size_t tl = cz_term_type(term, sizeof term, types[i]);
        int rc = cz_store_index_each(t, term, tl, keylist_cb, kl);
        if (rc) return rc;
        if (kl->rc) return kl->rc;
    }
    return CZ_OK;
}

/* The one known key whose hex starts with `prefix` (>= 6 digits). */
static int match_key(struct cli *c, const struct keylist *kl, const char *prefix, size_t *which)
{
    size_t n = strlen(prefix), found = 0;
    char hex[65];
    if (n < 6 || n > 64 || strspn(prefix, "0123456789abcdefABCDEF") != n) {
        fprintf(stderr, "cunzhan: %s: %s\n", prefix, TR(c, "a key id is at least 6 hex digits of the public key (see `enrol` with no arguments)",
                                                        "密钥编号至少为公钥的 6 位十六进制数字（不带参数运行 `enrol` 可查看）"));
        return CZ_EINVAL;
    }
    for (size_t i = 0; i < kl->n; i++) {
        cz_hex(kl->v[i].key, 32, hex);
        if (!strncasecmp(hex, prefix, n)) { *which = i; found++; }
    }
    if (found == 1) return CZ_OK;
    int rc = found ? CZ_EAMBIG : CZ_ENOTFOUND;
    fprintf(stderr, "cunzhan: %s: %s\n", prefix, found ? cz_strerror(rc, c->lang)
            : TR(c, "no such key here: import the station's bundle first", "这里没有该密钥：请先导入该站的数据包"));
    return rc;
}

static void print_key(struct cli *c, const struct known_key *k, const char *state)
{
    char hex[65];
    cz_hex(k->key, 32, hex);
    printf("%.16s  %-8s %s@%s  %s %s  %s\n", hex, k->kind, k->name, k->station,
           TR(c, "region", "辖区"), k->region[0] ? k->region : "-", state);
}

static int need_office(struct cli *c)
{
    if (cz_station_info(c->st)->kind == CZ_KIND_OFFICE) return 0;
    fprintf(stderr, "cunzhan: %s\n", TR(c, "only the city office can do this", "只有市办可以执行此操作"));
    return -1;
}

int cmd_enrol(struct cli *c, int argc, char **argv)
{
    const char *role = NULL, *region = NULL;
    int all = 0, nkeys = 0, rc, failed = 0;
    struct keylist kl = { 0 };
    cz_txn *t = NULL;
    char **keys = calloc((size_t)argc + 1, sizeof *keys);
    if (!keys) return CZ_EXIT_FAIL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all-pending")) all = 1;
        else if (!strcmp(argv[i], "--role") && i + 1 < argc) role = argv[++i];
        else if (!strcmp(argv[i], "--region") && i + 1 < argc) region = argv[++i];
        else if (argv[i][0] == '-') { free(keys); goto bad_usage; }
        else keys[nkeys++] = argv[i];
    }
    if ((all && nkeys) || ((all || nkeys) && !role)) { free(keys); goto bad_usage; }
    if (open_station(c) || need_office(c)) { free(keys); return CZ_EXIT_FAIL; }
    const struct cz_station_info *info = cz_station_info(c->st);
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t)) || (rc = known_keys(t, info->office_root, &kl))) {
        cz_txn_abort(t);
        say_error(c, rc, NULL);
        free(keys);
        free(kl.v);
        return CZ_EXIT_FAIL;
    }
    cz_txn_abort(t);
    /* Which keys: the named ones, every pending one, or (no arguments) a list. */
    size_t *pick = calloc(kl.n + 1, sizeof *pick), npick = 0;
    if (!pick) { free(keys); free(kl.v); return CZ_EXIT_FAIL; }
    for (int i = 0; i < nkeys; i++) {
        size_t w;
        if (match_key(c, &kl, keys[i], &w)) { failed = 1; goto done; }
        pick[npick++] = w;
    }
    for (size_t i = 0; all && i < kl.n; i++)
        if (kl.v[i].trust.state == CZ_TRUST_PENDING) pick[npick++] = i;
    if (!all && !nkeys) {
        json_t *arr = c->json ? json_array() : NULL;
        for (size_t i = 0; i < kl.n; i++) {
            const struct known_key *k = &kl.v[i];
            const char *state = k->trust.state == CZ_TRUST_PENDING ? "pending"
                              : k->trust.revoked ? "revoked" : "certified";
            if (arr) {
                char hex[65];
                json_t *o = json_object();
                cz_hex(k->key, 32, hex);
                json_object_set_new(o, "key", json_string(hex));
                json_object_set_new(o, "kind", json_string(k->kind));
                json_object_set_new(o, "name", json_string(k->name));
                json_object_set_new(o, "station", json_string(k->station));
                json_object_set_new(o, "region", json_string(k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.region : k->region));
                json_object_set_new(o, "role", json_string(k->trust.role));
                json_object_set_new(o, "state", json_string(state));
                json_array_append_new(arr, o);
            } else if (k->trust.state != CZ_TRUST_ROOT) {
                print_key(c, k, !strcmp(state, "pending") ? TR(c, "pending", "待认证")
                          : !strcmp(state, "revoked") ? TR(c, "revoked", "已吊销") : TR(c, "certified", "已认证"));
            }
        }
        if (arr) print_json(arr);
        goto done;
    }
    if (npick == 0) {
        printf("%s\n", TR(c, "no keys are waiting for enrolment", "没有等待认证的密钥"));
        goto done;
    }
    if (login(c)) { failed = 1; goto done; }
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < npick; i++) {
        const struct known_key *k = &kl.v[pick[i]];
        uint8_t id[CZ_ID_BYTES];
        struct cz_cert_req r;
        memcpy(r.key, k->key, 32);
        r.kind = k->kind[0] ? k->kind : "person";
        r.name = k->name;
        r.station = k->station;
        r.region = region ? region : k->region;
        r.role = role;
        rc = cz_station_certify(c->st, &r, id);
        if (rc == CZ_EINVAL) {
            fprintf(stderr, "cunzhan: %s: %s\n", k->name, TR(c, "needs --role clerk|supervisor|office and a region of 2-12 digits (--region CODE)",
                                                            "需要 --role clerk|supervisor|office 和 2-12 位辖区代码（--region 代码）"));
            failed = 1;
            continue;
        }
        if (rc) { say_error(c, rc, k->name); failed = 1; continue; }
        if (arr) {
            char hex[65];
            json_t *o = json_object();
            cz_hex(k->key, 32, hex);
            json_object_set_new(o, "key", json_string(hex));
            json_object_set_new(o, "name", json_string(k->name));
            json_object_set_new(o, "kind", json_string(r.kind));
            json_object_set_new(o, "role", json_string(role));
            json_object_set_new(o, "region", json_string(r.region));
            cz_hex(id, CZ_ID_BYTES, hex);
            json_object_set_new(o, "certificate", json_string(hex));
            json_array_append_new(arr, o);
        } else {
            struct known_key shown = *k;
            snprintf(shown.region, sizeof shown.region, "%s", r.region);
            print_key(c, &shown, TR(c, "certified", "已认证"));
        }
    }
    if (arr) print_json(arr);
done:
    free(pick);
    free(keys);
    free(kl.v);
    return failed ? CZ_EXIT_FAIL : CZ_EXIT_OK;
bad_usage:
    return usage(c, "enrol [--all-pending | KEYID...] --role clerk|supervisor|office [--region CODE]",
                 "enrol [--all-pending | 密钥编号...] --role clerk|supervisor|office [--region 代码]");
}

int cmd_revoke(struct cli *c, int argc, char **argv)
{
    const char *keyid = NULL, *reason = NULL;
    uint64_t after = 0;
    int have_after = 0, rc;
    struct keylist kl = { 0 };
    cz_txn *t = NULL;
    size_t w;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--after-seq") && i + 1 < argc) {
            char *end;
            const char *v = argv[++i];
            unsigned long long n = strtoull(v, &end, 10);
            if (!*v || *end || v[0] == '-') goto bad_usage;
            after = n;
            have_after = 1;
        } else if (!strcmp(argv[i], "--reason") && i + 1 < argc) reason = argv[++i];
        else if (argv[i][0] == '-' || keyid) goto bad_usage;
        else keyid = argv[i];
    }
    if (!keyid) goto bad_usage;
    if (open_station(c) || need_office(c)) return CZ_EXIT_FAIL;
    const struct cz_station_info *info = cz_station_info(c->st);
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t)) || (rc = known_keys(t, info->office_root, &kl)))
        goto fail;
    if (match_key(c, &kl, keyid, &w)) { cz_txn_abort(t); free(kl.v); return CZ_EXIT_FAIL; }
    if (kl.v[w].trust.state == CZ_TRUST_ROOT) {
        fprintf(stderr, "cunzhan: %s\n", TR(c, "the office root key cannot be revoked", "市办根密钥不能吊销"));
        cz_txn_abort(t);
        free(kl.v);
        return CZ_EXIT_FAIL;
    }
    /* By default everything the office already holds from the key still
     * counts: the revocation starts after the last entry seen here. */
    if (!have_after) {
        uint8_t last[CZ_ID_BYTES];
        if ((rc = cz_store_log_last(t, kl.v[w].key, &after, last))) goto fail;
    }
    cz_txn_abort(t);
    t = NULL;
    if (login(c)) { free(kl.v); return CZ_EXIT_FAIL; }
    uint8_t id[CZ_ID_BYTES];
    if ((rc = cz_station_revoke(c->st, kl.v[w].key, after, reason, id))) goto fail;
    char hex[65];
    cz_hex(kl.v[w].key, 32, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(hex));
        json_object_set_new(o, "after_seq", json_integer((json_int_t)after));
        cz_hex(id, CZ_ID_BYTES, hex);
        json_object_set_new(o, "revocation", json_string(hex));
        print_json(o);
    } else {
        printf(TR(c, "revoked %.16s (%s@%s): its entries after seq %llu no longer count\n",
                  "已吊销 %.16s（%s@%s）：其序号 %llu 之后的记录不再有效\n"),
               hex, kl.v[w].name, kl.v[w].station, (unsigned long long)after);
    }
    free(kl.v);
    return CZ_EXIT_OK;
fail:
    cz_txn_abort(t);
    free(kl.v);
    say_error(c, rc, NULL);
    return CZ_EXIT_FAIL;
bad_usage:
    return usage(c, "revoke KEYID [--after-seq N] [--reason TEXT]", "revoke 密钥编号 [--after-seq N] [--reason 原因]");
}
