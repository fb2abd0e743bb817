/* cli_people.c — the office's word on keys: enrol (certify), revoke,
 * fork accept and root rollover (CLI.md, TRUST.md). */
#include "cli.h"
#include "cli_int.h"
#include "authz.h"
#include "bytes.h"
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

int cmd_enrol(struct cli *c, int argc, char **argv)
{
    const char *role = NULL, *region = NULL;
    int all = 0, nkeys = 0, rc, failed = 0;
    struct cz_keylist kl = { 0 };
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
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t)) || (rc = cz_known_keys(t, info->office_root, &kl))) {
        cz_txn_abort(t);
        say_error(c, rc, NULL);
        free(keys);
        free(kl.v);
        return CZ_EXIT_FAIL;
    }
    cz_txn_abort(t);
    /* Which keys: the named ones, every pending one, or (no arguments) a list. */
    size_t *pick = calloc(kl.n + (size_t)nkeys + 1, sizeof *pick), npick = 0;
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
            const struct cz_known_key *k = &kl.v[i];
            const char *state = k->trust.state == CZ_TRUST_PENDING ? "pending"
                              : k->trust.revoked ? "revoked" : "certified";
            if (arr) {
                char hex[65];
                json_t *o = json_object();
                cz_hex(k->key, 32, hex);
                json_object_set_new(o, "key", json_string(hex));
                char fp[24];
                cz_fingerprint(k->key, fp);
                json_object_set_new(o, "fingerprint", json_string(fp));
                json_object_set_new(o, "kind", json_string(k->kind));
                json_object_set_new(o, "name", json_string(k->name));
                json_object_set_new(o, "station", json_string(k->station));
                json_object_set_new(o, "region", json_string(k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.region : k->region));
                json_object_set_new(o, "role", json_string(k->trust.role));
                json_object_set_new(o, "state", json_string(state));
                json_array_append_new(arr, o);
            } else if (k->trust.state != CZ_TRUST_ROOT) {
                print_key(c, k, !strcmp(state, "pending") ? T(c, "pending", "待认证")
                          : !strcmp(state, "revoked") ? T(c, "revoked", "已吊销") : T(c, "certified", "已认证"));
            }
        }
        if (arr) print_json(arr);
        goto done;
    }
    if (npick == 0) {
        printf("%s\n", T(c, "no keys are waiting for enrolment", "没有等待认证的密钥"));
        goto done;
    }
    /* What a key announces for itself is its owner's claim: a jurisdiction
     * wider than a village (a station announcing province `41` received
     * every village's households) is given only when --region says so. */
    size_t keep = 0;
    for (size_t i = 0; i < npick; i++) {
        const struct cz_known_key *k = &kl.v[pick[i]];
        if (!region && strcmp(role, "office") && cz_region_level(k->region) < CZ_LEVEL_VILLAGE) {
            char nm[CZ_NAME_MAX * 3 + 8], rg[64], kd[48], fp[24];
            cz_fingerprint(k->key, fp);
            fprintf(stderr, T(c, "cunzhan: %s (%s, fingerprint %s): announces region %s, wider than a village; not enrolled: "
                                  "give the jurisdiction explicitly with --region CODE\n",
                               "cunzhan：%s（%s，指纹 %s）：申报的辖区 %s 大于一个村；未认证：请用 --region 代码 明确指定辖区\n"),
                    cz_text_safe(k->name, nm, sizeof nm), cz_text_safe(k->kind, kd, sizeof kd), fp,
                    k->region[0] ? cz_text_safe(k->region, rg, sizeof rg) : "-");
            failed = 1;
            continue;
        }
        pick[keep++] = pick[i];
    }
    npick = keep;
    if (npick == 0) goto done;
    /* Two keys of one kind with one name: stations are told apart by the
     * name in their certificates, so a look-alike is worth a second look. */
    for (size_t i = 0; i < npick; i++) {
        const struct cz_known_key *k = &kl.v[pick[i]];
        for (size_t j = 0; j < kl.n; j++) {
            const struct cz_known_key *o = &kl.v[j];
            int also_picked = 0;
            for (size_t q = 0; q < npick; q++) also_picked |= pick[q] == j;
            if (j == pick[i] || strcmp(o->kind, k->kind) || strcmp(o->name, k->name) ||
                (strcmp(o->kind, "station") && strcmp(o->station, k->station)) ||
                (o->trust.state == CZ_TRUST_PENDING && !also_picked) || o->trust.revoked)
                continue;
            char nm[CZ_NAME_MAX * 3 + 8], fp[24], ofp[24];
            cz_fingerprint(k->key, fp);
            cz_fingerprint(o->key, ofp);
            fprintf(stderr, T(c, "cunzhan: warning: %s (fingerprint %s): another %s key has this name (fingerprint %s); "
                                  "compare fingerprints with the station before trusting it\n",
                               "cunzhan：警告：%s（指纹 %s）：另一个%s密钥也叫这个名字（指纹 %s）；请先与该站核对指纹\n"),
                    cz_text_safe(k->name, nm, sizeof nm), fp,
                    !strcmp(k->kind, "station") ? T(c, "station", "站点") : T(c, "person", "人员"), ofp);
            break;
        }
    }
    if (login(c)) { failed = 1; goto done; }
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < npick; i++) {
        const struct cz_known_key *k = &kl.v[pick[i]];
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
            char nm[CZ_NAME_MAX * 3 + 8];
            fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(k->name, nm, sizeof nm), T(c, "needs --role clerk|supervisor|office and a region of 2-12 digits (--region CODE)",
                                                            "需要 --role clerk|supervisor|office 和 2-12 位辖区代码（--region 代码）"));
            failed = 1;
            continue;
        }
        if (rc) { say_error(c, rc, k->name); failed = 1; continue; }   /* say_error filters */
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
            struct cz_known_key shown = *k;
            snprintf(shown.region, sizeof shown.region, "%s", r.region);
            print_key(c, &shown, T(c, "certified", "已认证"));
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
    struct cz_keylist kl = { 0 };
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
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t)) || (rc = cz_known_keys(t, info->office_root, &kl)))
        goto fail;
    if (match_key(c, &kl, keyid, &w)) { cz_txn_abort(t); free(kl.v); return CZ_EXIT_FAIL; }
    if (kl.v[w].trust.state == CZ_TRUST_ROOT) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "the office root key cannot be revoked", "市办根密钥不能吊销"));
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
        char nm[CZ_NAME_MAX * 3 + 8], sn[CZ_NAME_MAX * 3 + 8];
        printf(T(c, "revoked %.16s (%s@%s): its entries after seq %llu no longer count\n",
                  "已吊销 %.16s（%s@%s）：其序号 %llu 之后的记录不再有效\n"),
               hex, cz_text_safe(kl.v[w].name, nm, sizeof nm), cz_text_safe(kl.v[w].station, sn, sizeof sn),
               (unsigned long long)after);
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

/* The forked entries at (key, seq) whose id starts with a given hex prefix. */
struct fork_pick { const uint8_t *key; uint64_t seq; const char *prefix; uint8_t id[CZ_ID_BYTES]; size_t n; };

static int fork_pick_cb(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    struct fork_pick *fp = ctx;
    char hex[2 * CZ_ID_BYTES + 1];
    uint64_t seq = 0;
    (void)v; (void)vlen;
    if (klen != 72 || memcmp(k, fp->key, 32)) return 0;
    for (int i = 0; i < 8; i++) seq = seq << 8 | k[32 + i];
    cz_hex(k + 40, CZ_ID_BYTES, hex);
    if (seq != fp->seq || strncasecmp(hex, fp->prefix, strlen(fp->prefix))) return 0;
    memcpy(fp->id, k + 40, CZ_ID_BYTES);
    fp->n++;
    return 0;
}

/* `fork accept KEYID SEQ ENTRYID`: the office says which of a forked
 * author's two entries at SEQ stands (authz.h); that branch counts again. */
int cmd_fork(struct cli *c, int argc, char **argv)
{
    const char *args[3] = { NULL, NULL, NULL }, *reason = NULL;
    struct cz_keylist kl = { 0 };
    cz_txn *t = NULL;
    size_t w, nargs = 0;
    int rc;
    if (argc < 1 || strcmp(argv[0], "accept")) goto bad_usage;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reason") && i + 1 < argc) reason = argv[++i];
        else if (argv[i][0] == '-' || nargs == 3) goto bad_usage;
        else args[nargs++] = argv[i];
    }
    if (nargs != 3) goto bad_usage;
    char *end;
    unsigned long long seq = strtoull(args[1], &end, 10);
    if (!*args[1] || *end || args[1][0] == '-' || seq == 0) goto bad_usage;
    if (strlen(args[2]) < 4 || strlen(args[2]) > 2 * CZ_ID_BYTES ||
        strspn(args[2], "0123456789abcdefABCDEF") != strlen(args[2]))
        goto bad_usage;
    if (open_station(c)) return CZ_EXIT_FAIL;
    if (need_office(c)) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "a fork is settled at the office: bring the stick there",
                                               "分叉须由市办认定：请把U盘带到市办"));
        return CZ_EXIT_FAIL;
    }
    const struct cz_station_info *info = cz_station_info(c->st);
    if ((rc = cz_txn_begin(cz_station_store(c->st), 0, &t)) || (rc = cz_known_keys(t, info->office_root, &kl)))
        goto fail;
    if (match_key(c, &kl, args[0], &w)) { cz_txn_abort(t); free(kl.v); return CZ_EXIT_FAIL; }
    struct fork_pick fp = { kl.v[w].key, seq, args[2], { 0 }, 0 };
    if ((rc = cz_store_each_fork(t, fork_pick_cb, &fp))) goto fail;
    cz_txn_abort(t);
    t = NULL;
    if (fp.n != 1) {
        fprintf(stderr, "cunzhan: %s\n", fp.n ? T(c, "more than one forked entry starts so: give more of its id",
                                                    "有多条分叉记录以此开头：请给出更长的编号")
                                              : T(c, "no forked entry of that key at that entry number starts so (see `cunzhan verify`)",
                                                   "该密钥在该序号处没有以此开头的分叉记录（见 `cunzhan verify`）"));
        free(kl.v);
        return CZ_EXIT_FAIL;
    }
    if (login(c)) { free(kl.v); return CZ_EXIT_FAIL; }
    uint8_t id[CZ_ID_BYTES];
    if ((rc = cz_station_fork_accept(c->st, kl.v[w].key, seq, fp.id, reason, id))) goto fail;
    char khex[65], ehex[65], hex[65];
    cz_hex(kl.v[w].key, 32, khex);
    cz_hex(fp.id, CZ_ID_BYTES, ehex);
    cz_hex(id, CZ_ID_BYTES, hex);
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
               ehex, (unsigned long long)seq, khex, cz_text_safe(kl.v[w].name, nm, sizeof nm));
    }
    free(kl.v);
    return CZ_EXIT_OK;
fail:
    cz_txn_abort(t);
    free(kl.v);
    say_error(c, rc, NULL);
    return CZ_EXIT_FAIL;
bad_usage:
    return usage(c, "fork accept KEYID SEQ ENTRYID [--reason TEXT]", "fork accept 密钥编号 序号 记录编号 [--reason 原因]");
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
