/* cli_people.c — the office's word on keys: enrol (certify), revoke,
 * fork accept and root rollover (src/CLI.md, src/TRUST.md). */
#include "cli.h"
#include "hex.h"
#include "cli_int.h"
#include "region.h"
#include "keys.h"
#include "people.h"
#include "roster.h"
#include "station.h"
#include "status.h"
#include "text.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The one known key whose hex starts with `prefix` (>= 6 digits). */
static int match_key(struct cli *c, const struct cz_keylist *kl, const char *prefix, size_t *which)
{
    size_t n = strlen(prefix), found = 0;
    char hex[65];
    if (n < 6 || n > 64 || strspn(prefix, "0123456789abcdefABCDEF") != n) {
        fprintf(stderr, "cunzhan: %s: %s\n", prefix, T(c, "a key id is at least 6 hex digits of the public key (see `enrol` with no arguments)",
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
            : T(c, "no such key here: import the station's bundle first", "这里没有该密钥：请先导入该站的数据包"));
    return rc;
}

static void print_key(struct cli *c, const struct cz_known_key *k, const char *state)
{
    char hex[65], fp[24], name[CZ_NAME_MAX * 3 + 8], station[CZ_NAME_MAX * 3 + 8], region[64], kind[48];
    cz_hex(k->key, 32, hex);
    cz_fingerprint(k->key, fp);
    /* Every part but the key comes from a record some station signed. */
    printf("%.16s  %s %s  %-8s %s@%s  %s %s  %s\n", hex, T(c, "fingerprint", "指纹"), fp,
           cz_text_safe(k->kind, kind, sizeof kind), cz_text_safe(k->name, name, sizeof name),
           cz_text_safe(k->station, station, sizeof station),
           T(c, "region", "辖区"), k->region[0] ? cz_text_safe(k->region, region, sizeof region) : "-", state);
}

static int need_office(struct cli *c)
{
    if (cz_station_info(c->st)->kind == CZ_KIND_OFFICE) return 0;
    fprintf(stderr, "cunzhan: %s\n", T(c, "only the city office can do this", "只有市办可以执行此操作"));
    return -1;
}

/* What `enrol` was asked: named keys, every pending one, or (neither) a
 * list of the keys known here. */
struct enrol_args {
    const char *role, *region;
    int all;
    char **keys;             /* the KEYID arguments, argc of room */
    int nkeys;
};

static int enrol_usage(struct cli *c)
{
    return usage(c, "enrol [--all-pending | KEYID...] --role clerk|supervisor|office [--region CODE]",
                 "enrol [--all-pending | 密钥编号...] --role clerk|supervisor|office [--region 代码]");
}

/* 0, or -1 when the arguments are not an enrol command line. */
static int enrol_parse(int argc, char **argv, struct enrol_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all-pending")) a->all = 1;
        else if (!strcmp(argv[i], "--role") && i + 1 < argc) a->role = argv[++i];
        else if (!strcmp(argv[i], "--region") && i + 1 < argc) a->region = argv[++i];
        else if (argv[i][0] == '-') return -1;
        else a->keys[a->nkeys++] = argv[i];
    }
    return (a->all && a->nkeys) || ((a->all || a->nkeys) && !a->role) ? -1 : 0;
}

/* The keys this station knows (people.h), read in a transaction of their
 * own.  0, or -1 after a message. */
static int known_keys(struct cli *c, struct cz_keylist *kl)
{
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc == CZ_OK) rc = cz_known_keys(cz_view_txn(v), cz_station_info(c->st)->office_root, kl);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); return -1; }
    return 0;
}

static const char *key_state(const struct cz_known_key *k)
{
    return k->trust.state == CZ_TRUST_PENDING ? "pending" : k->trust.revoked ? "revoked" : "certified";
}

static json_t *known_key_json(const struct cz_known_key *k)
{
    char hex[65], fp[24];
    json_t *o = json_object();
    cz_hex(k->key, 32, hex);
    json_object_set_new(o, "key", json_string(hex));
    cz_fingerprint(k->key, fp);
    json_object_set_new(o, "fingerprint", json_string(fp));
    json_object_set_new(o, "kind", json_string(k->kind));
    json_object_set_new(o, "name", json_string(k->name));
    json_object_set_new(o, "station", json_string(k->station));
    json_object_set_new(o, "region", json_string(k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.region : k->region));
    json_object_set_new(o, "role", json_string(k->trust.role));
    json_object_set_new(o, "state", json_string(key_state(k)));
    return o;
}

/* `enrol` with no arguments: every key known here and its state. */
static void list_keys(struct cli *c, const struct cz_keylist *kl)
{
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < kl->n; i++) {
        const struct cz_known_key *k = &kl->v[i];
        const char *state = key_state(k);
        if (arr)
            json_array_append_new(arr, known_key_json(k));
        else if (k->trust.state != CZ_TRUST_ROOT)
            print_key(c, k, !strcmp(state, "pending") ? T(c, "pending", "待认证")
                      : !strcmp(state, "revoked") ? T(c, "revoked", "已吊销") : T(c, "certified", "已认证"));
    }
    if (arr) print_json(arr);
}

/* What a key announces for itself is its owner's claim: a jurisdiction
 * wider than a village (a station announcing province `41` received every
 * village's households) is given only when --region says so.  Keeps the
 * picks that may go ahead; returns how many, *failed set when one may not. */
static size_t drop_wide_regions(struct cli *c, const struct enrol_args *a, const struct cz_keylist *kl,
                                size_t *pick, size_t npick, int *failed)
{
    size_t keep = 0;
    for (size_t i = 0; i < npick; i++) {
        const struct cz_known_key *k = &kl->v[pick[i]];
        if (!a->region && strcmp(a->role, "office") && cz_region_level(k->region) < CZ_LEVEL_VILLAGE) {
            char nm[CZ_NAME_MAX * 3 + 8], rg[64], kd[48], fp[24];
            cz_fingerprint(k->key, fp);
            fprintf(stderr, T(c, "cunzhan: %s (%s, fingerprint %s): announces region %s, wider than a village; not enrolled: "
                                  "give the jurisdiction explicitly with --region CODE\n",
                               "cunzhan：%s（%s，指纹 %s）：申报的辖区 %s 大于一个村；未认证：请用 --region 代码 明确指定辖区\n"),
                    cz_text_safe(k->name, nm, sizeof nm), cz_text_safe(k->kind, kd, sizeof kd), fp,
                    k->region[0] ? cz_text_safe(k->region, rg, sizeof rg) : "-");
            *failed = 1;
            continue;
        }
        pick[keep++] = pick[i];
    }
    return keep;
}

/* Another key of k's kind and name that counts here (or is being enrolled
 * with it); NULL when none. */
static const struct cz_known_key *look_alike(const struct cz_keylist *kl, size_t ki, const size_t *pick, size_t npick)
{
    const struct cz_known_key *k = &kl->v[ki];
    for (size_t j = 0; j < kl->n; j++) {
        const struct cz_known_key *o = &kl->v[j];
        int also_picked = 0;
        for (size_t q = 0; q < npick; q++) also_picked |= pick[q] == j;
        if (j == ki || strcmp(o->kind, k->kind) || strcmp(o->name, k->name) ||
            (strcmp(o->kind, "station") && strcmp(o->station, k->station)) ||
            (o->trust.state == CZ_TRUST_PENDING && !also_picked) || o->trust.revoked)
            continue;
        return o;
    }
    return NULL;
}

/* Two keys of one kind with one name: stations are told apart by the name
 * in their certificates, so a look-alike is worth a second look. */
static void warn_look_alikes(struct cli *c, const struct cz_keylist *kl, const size_t *pick, size_t npick)
{
    for (size_t i = 0; i < npick; i++) {
        const struct cz_known_key *k = &kl->v[pick[i]], *o = look_alike(kl, pick[i], pick, npick);
        if (!o) continue;
        char nm[CZ_NAME_MAX * 3 + 8], fp[24], ofp[24];
        cz_fingerprint(k->key, fp);
        cz_fingerprint(o->key, ofp);
        fprintf(stderr, T(c, "cunzhan: warning: %s (fingerprint %s): another %s key has this name (fingerprint %s); "
                              "compare fingerprints with the station before trusting it\n",
                           "cunzhan：警告：%s（指纹 %s）：另一个%s密钥也叫这个名字（指纹 %s）；请先与该站核对指纹\n"),
                cz_text_safe(k->name, nm, sizeof nm), fp,
                !strcmp(k->kind, "station") ? T(c, "station", "站点") : T(c, "person", "人员"), ofp);
    }
}

/* Certifies one key as asked; 0, or -1 after a message. */
static int certify_one(struct cli *c, const struct enrol_args *a, const struct cz_known_key *k, json_t *arr)
{
    uint8_t id[CZ_ID_BYTES];
    struct cz_cert_req r = {
        .kind = k->kind[0] ? k->kind : "person", .name = k->name, .station = k->station,
        .region = a->region ? a->region : k->region, .role = a->role,
    };
    memcpy(r.key, k->key, 32);
    int rc = cz_station_certify(c->st, &r, id);
    if (rc == CZ_EINVAL) {
        char nm[CZ_NAME_MAX * 3 + 8];
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(k->name, nm, sizeof nm), T(c, "needs --role clerk|supervisor|office and a region of 2-12 digits (--region CODE)",
                                                        "需要 --role clerk|supervisor|office 和 2-12 位辖区代码（--region 代码）"));
        return -1;
    }
    if (rc) { say_error(c, rc, k->name); return -1; }   /* say_error filters */
    if (arr) {
        char hex[65];
        json_t *o = json_object();
        cz_hex(k->key, 32, hex);
        json_object_set_new(o, "key", json_string(hex));
        json_object_set_new(o, "name", json_string(k->name));
        json_object_set_new(o, "kind", json_string(r.kind));
        json_object_set_new(o, "role", json_string(a->role));
        json_object_set_new(o, "region", json_string(r.region));
        cz_hex(id, CZ_ID_BYTES, hex);
        json_object_set_new(o, "certificate", json_string(hex));
        json_array_append_new(arr, o);
    } else {
        struct cz_known_key shown = *k;
        snprintf(shown.region, sizeof shown.region, "%s", r.region);
        print_key(c, &shown, T(c, "certified", "已认证"));
    }
    return 0;
}

/* The keys picked, after the checks above and a login; 1 when any failed. */
static int certify_picked(struct cli *c, const struct enrol_args *a, const struct cz_keylist *kl,
                          size_t *pick, size_t npick)
{
    int failed = 0;
    npick = drop_wide_regions(c, a, kl, pick, npick, &failed);
    if (npick == 0) return failed;
    warn_look_alikes(c, kl, pick, npick);
    if (login(c)) return 1;
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < npick; i++)
        if (certify_one(c, a, &kl->v[pick[i]], arr)) failed = 1;
    if (arr) print_json(arr);
    return failed;
}

/* A jurisdiction typed for enrol names a real place, as report's does
 * (region.h, cz_region_filter): a mistyped code would otherwise certify a
 * person for a region that holds nothing, or for a neighbour's.  0, or the
 * exit status after saying what is wrong. */
static int enrol_region_known(struct cli *c, const char *region)
{
    char place[CZ_REGION_MAX + 1], safe[64], what[128];
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc == CZ_OK) rc = cz_region_filter(cz_view_txn(v), region, place);
    cz_view_end(v);
    if (rc == CZ_OK) return 0;
    snprintf(what, sizeof what, "enrol --region %s", cz_text_safe(region, safe, sizeof safe));
    say_error(c, rc, what);
    return rc == CZ_EPLACECODE || rc == CZ_ENOPLACE ? CZ_EXIT_USAGE : CZ_EXIT_FAIL;
}

int cmd_enrol(struct cli *c, int argc, char **argv)
{
    struct enrol_args a = { .keys = calloc((size_t)argc + 1, sizeof *a.keys) };
    struct cz_keylist kl = { 0 };
    size_t *pick = NULL, npick = 0;
    int failed = 1, bad_region = 0;

    if (!a.keys) return CZ_EXIT_FAIL;
    if (enrol_parse(argc, argv, &a)) { free(a.keys); return enrol_usage(c); }
    if (open_station(c) || need_office(c)) goto done;
    if (a.region && (bad_region = enrol_region_known(c, a.region))) goto done;
    if (known_keys(c, &kl)) goto done;
    /* Which keys: the named ones, every pending one, or (no arguments) a list. */
    if (!(pick = calloc(kl.n + (size_t)a.nkeys + 1, sizeof *pick))) goto done;
    for (int i = 0; i < a.nkeys; i++)
        if (match_key(c, &kl, a.keys[i], &pick[npick++])) goto done;
    for (size_t i = 0; a.all && i < kl.n; i++)
        if (kl.v[i].trust.state == CZ_TRUST_PENDING) pick[npick++] = i;
    failed = 0;
    if (!a.all && !a.nkeys) list_keys(c, &kl);
    else if (npick == 0) printf("%s\n", T(c, "no keys are waiting for enrolment", "没有等待认证的密钥"));
    else failed = certify_picked(c, &a, &kl, pick, npick);
done:
    free(pick);
    free(a.keys);
    free(kl.v);
    if (bad_region) return bad_region;
    return failed ? CZ_EXIT_FAIL : CZ_EXIT_OK;
}

/* What `revoke` was asked; 0, or -1 when it is not a revoke command line. */
struct revoke_args { const char *keyid, *reason; uint64_t after; int have_after; };

static int revoke_parse(int argc, char **argv, struct revoke_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--after-seq") && i + 1 < argc) {
            char *end;
            const char *v = argv[++i];
            unsigned long long n = strtoull(v, &end, 10);
            if (!*v || *end || v[0] == '-') return -1;
            a->after = n;
            a->have_after = 1;
        } else if (!strcmp(argv[i], "--reason") && i + 1 < argc) a->reason = argv[++i];
        else if (argv[i][0] == '-' || a->keyid) return -1;
        else a->keyid = argv[i];
    }
    return a->keyid ? 0 : -1;
}

/* The key to revoke (kl->v[*w]), never the root; with no --after-seq, the
 * revocation starts after the last entry seen here from it, so everything
 * the office already holds still counts.  0, or -1 after a message. */
static int revoke_target(struct cli *c, struct revoke_args *a, struct cz_keylist *kl, size_t *w)
{
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc == CZ_OK) rc = cz_known_keys(cz_view_txn(v), cz_station_info(c->st)->office_root, kl);
    if (rc) goto fail;
    if (match_key(c, kl, a->keyid, w)) { cz_view_end(v); return -1; }
    if (kl->v[*w].trust.state == CZ_TRUST_ROOT) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "the office root key cannot be revoked", "市办根密钥不能吊销"));
        cz_view_end(v);
        return -1;
    }
    if (!a->have_after && (rc = cz_view_log_last(v, kl->v[*w].key, &a->after))) goto fail;
    cz_view_end(v);
    return 0;
fail:
    cz_view_end(v);
    say_error(c, rc, NULL);
    return -1;
}

int cmd_revoke(struct cli *c, int argc, char **argv)
{
    struct revoke_args a = { 0 };
    struct cz_keylist kl = { 0 };
    uint8_t id[CZ_ID_BYTES];
    char hex[65];
    size_t w;
    int rc;
    if (revoke_parse(argc, argv, &a))
        return usage(c, "revoke KEYID [--after-seq N] [--reason TEXT]", "revoke 密钥编号 [--after-seq N] [--reason 原因]");
    if (open_station(c) || need_office(c)) return CZ_EXIT_FAIL;
    if (revoke_target(c, &a, &kl, &w) || login(c)) { free(kl.v); return CZ_EXIT_FAIL; }
    if ((rc = cz_station_revoke(c->st, kl.v[w].key, a.after, a.reason, id))) {
        free(kl.v);
        say_error(c, rc, NULL);
        return CZ_EXIT_FAIL;
    }
    cz_hex(kl.v[w].key, 32, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(hex));
        json_object_set_new(o, "after_seq", json_integer((json_int_t)a.after));
        cz_hex(id, CZ_ID_BYTES, hex);
        json_object_set_new(o, "revocation", json_string(hex));
        print_json(o);
    } else {
        char nm[CZ_NAME_MAX * 3 + 8], sn[CZ_NAME_MAX * 3 + 8];
        printf(T(c, "revoked %.16s (%s@%s): its entries after seq %llu no longer count\n",
                  "已吊销 %.16s（%s@%s）：其序号 %llu 之后的记录不再有效\n"),
               hex, cz_text_safe(kl.v[w].name, nm, sizeof nm), cz_text_safe(kl.v[w].station, sn, sizeof sn),
               (unsigned long long)a.after);
    }
    free(kl.v);
    return CZ_EXIT_OK;
}

/* The forked entries at (key, seq) whose id starts with a given hex prefix. */
struct fork_pick { const uint8_t *key; uint64_t seq; const char *prefix; uint8_t id[CZ_ID_BYTES]; size_t n; };

static int fork_pick_cb(void *ctx, const struct cz_fork_entry *f)
{
    struct fork_pick *fp = ctx;
    char hex[2 * CZ_ID_BYTES + 1];
    if (memcmp(f->key, fp->key, 32)) return 0;
    cz_hex(f->id, CZ_ID_BYTES, hex);
    if (f->seq != fp->seq || strncasecmp(hex, fp->prefix, strlen(fp->prefix))) return 0;
    memcpy(fp->id, f->id, CZ_ID_BYTES);
    fp->n++;
    return 0;
}

/* `fork accept KEYID SEQ ENTRYID [--reason TEXT]`; 0, or -1 when not. */
struct fork_args { const char *keyid, *entry, *reason; unsigned long long seq; };

static int fork_parse(int argc, char **argv, struct fork_args *a)
{
    const char *args[3] = { NULL, NULL, NULL };
    size_t nargs = 0;
    char *end;
    if (argc < 1 || strcmp(argv[0], "accept")) return -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reason") && i + 1 < argc) a->reason = argv[++i];
        else if (argv[i][0] == '-' || nargs == 3) return -1;
        else args[nargs++] = argv[i];
    }
    if (nargs != 3) return -1;
    a->keyid = args[0];
    a->entry = args[2];
    a->seq = strtoull(args[1], &end, 10);
    if (!*args[1] || *end || args[1][0] == '-' || a->seq == 0) return -1;
    size_t n = strlen(a->entry);
    return n < 4 || n > 2 * CZ_ID_BYTES || strspn(a->entry, "0123456789abcdefABCDEF") != n ? -1 : 0;
}

/* The author's key (kl->v[*w]) and the one forked entry the arguments name
 * (fp).  0, or -1 after a message. */
static int fork_target(struct cli *c, const struct fork_args *a, struct cz_keylist *kl, size_t *w,
                       struct fork_pick *fp)
{
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc == CZ_OK) rc = cz_known_keys(cz_view_txn(v), cz_station_info(c->st)->office_root, kl);
    if (rc) { cz_view_end(v); say_error(c, rc, NULL); return -1; }
    if (match_key(c, kl, a->keyid, w)) { cz_view_end(v); return -1; }
    *fp = (struct fork_pick){ .key = kl->v[*w].key, .seq = a->seq, .prefix = a->entry };
    rc = cz_view_each_fork(v, fork_pick_cb, fp);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); return -1; }
    if (fp->n == 1) return 0;
    fprintf(stderr, "cunzhan: %s\n", fp->n ? T(c, "more than one forked entry starts so: give more of its id",
                                                "有多条分叉记录以此开头：请给出更长的编号")
                                          : T(c, "no forked entry of that key at that entry number starts so (see `cunzhan verify`)",
                                               "该密钥在该序号处没有以此开头的分叉记录（见 `cunzhan verify`）"));
    return -1;
}

static void fork_print(struct cli *c, const struct cz_known_key *k, unsigned long long seq,
                       const uint8_t entry[CZ_ID_BYTES], const uint8_t choice[CZ_ID_BYTES])
{
    char khex[65], ehex[65], hex[65];
    cz_hex(k->key, 32, khex);
    cz_hex(entry, CZ_ID_BYTES, ehex);
    cz_hex(choice, CZ_ID_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(khex));
        json_object_set_new(o, "seq", json_integer((json_int_t)seq));
        json_object_set_new(o, "entry", json_string(ehex));
        json_object_set_new(o, "fork_choice", json_string(hex));
        print_json(o);
    } else {
        char nm[CZ_NAME_MAX * 3 + 8];
        printf(T(c, "accepted %.16s at seq %llu of %.16s (%s): that branch counts again where it is the one logged\n",
                  "已认定 %.16s（序号 %llu，密钥 %.16s，%s）：该分支在已记录它的站点重新有效\n"),
               ehex, seq, khex, cz_text_safe(k->name, nm, sizeof nm));
    }
}

/* `fork accept KEYID SEQ ENTRYID`: the office says which of a forked
 * author's two entries at SEQ stands (authz.h); that branch counts again. */
int cmd_fork(struct cli *c, int argc, char **argv)
{
    struct fork_args a = { 0 };
    struct cz_keylist kl = { 0 };
    struct fork_pick fp;
    uint8_t id[CZ_ID_BYTES];
    size_t w;
    int rc;
    if (fork_parse(argc, argv, &a))
        return usage(c, "fork accept KEYID SEQ ENTRYID [--reason TEXT]", "fork accept 密钥编号 序号 记录编号 [--reason 原因]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if (need_office(c)) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "a fork is settled at the office: bring the stick there",
                                               "分叉须由市办认定：请把U盘带到市办"));
        return CZ_EXIT_FAIL;
    }
    if (fork_target(c, &a, &kl, &w, &fp) || login(c)) { free(kl.v); return CZ_EXIT_FAIL; }
    if ((rc = cz_station_fork_accept(c->st, kl.v[w].key, a.seq, fp.id, a.reason, id))) {
        free(kl.v);
        say_error(c, rc, NULL);
        return CZ_EXIT_FAIL;
    }
    fork_print(c, &kl.v[w], a.seq, fp.id, id);
    free(kl.v);
    return CZ_EXIT_OK;
}

/* `root rollover`: the office replaces its root key (roster.h). */
int cmd_root(struct cli *c, int argc, char **argv)
{
    const char *reason = NULL;
    char pass[PASS_MAX], fp[24], hex[65];
    uint8_t root[32];
    size_t transfers = 0;
    if (argc < 1 || strcmp(argv[0], "rollover")) goto bad_usage;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reason") && i + 1 < argc) reason = argv[++i];
        else goto bad_usage;
    }
    if (open_station(c) || need_office(c)) return CZ_EXIT_FAIL;
    /* The passphrase both unlocks the slot and seals the new root into it. */
    if (get_passphrase(c, "CUNZHAN_PASSPHRASE", 0, pass, sizeof pass)) return CZ_EXIT_FAIL;
    int rc = cz_station_login(c->st, c->user, pass);
    if (rc == CZ_OK) rc = cz_station_rollover(c->st, pass, reason, root, &transfers);
    sodium_memzero(pass, sizeof pass);
    if (rc) {
        say_error(c, rc, NULL);
        if (rc == CZ_EPERM)
            fprintf(stderr, "cunzhan: %s\n", T(c, "only an office person whose key slot holds the current root key can roll it over",
                                                "只有密钥槽中持有现用根密钥的市办人员才能更换根密钥"));
        return CZ_EXIT_FAIL;
    }
    cz_fingerprint(root, fp);
    cz_hex(root, 32, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "root", json_string(hex));
        json_object_set_new(o, "fingerprint", json_string(fp));
        json_object_set_new(o, "transfers", json_integer((json_int_t)transfers));
        print_json(o);
        return CZ_EXIT_OK;
    }
    printf(T(c, "the office root key was replaced: new root %s\n", "市办根密钥已更换：新根密钥 %s\n"), fp);
    if (transfers)
        printf(T(c, "%zu other office person(s) on this PC get the new root key at their next login\n",
                  "本机另有 %zu 位市办人员将在下次登录时获得新根密钥\n"), transfers);
    printf("%s\n", T(c, "Export to every station now: each pins the new root when it imports the bundle. "
                         "Give stations set up from now on the new identity (`cunzhan pubkey`).",
                      "请立即向所有站点导出数据包：各站导入后即固定新根密钥。"
                      "此后新建的站点请使用新的身份文件（`cunzhan pubkey`）。"));
    return CZ_EXIT_OK;
bad_usage:
    return usage(c, "root rollover [--reason TEXT]", "root rollover [--reason 原因]");
}
