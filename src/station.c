#include "station.h"
#include "authz.h"
#include "codec.h"
#include "exitchain.h"
#include "fsutil.h"
#include "hashset.h"
#include "hex.h"
#include "keys.h"
#include "merge.h"
#include "parse.h"
#include "roster.h"
#include "status.h"
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct cz_station {
    char *dir;
    cz_store *store;
    struct cz_station_info info;
    cz_secrets *secrets;          /* after login */
    char user[CZ_NAME_MAX];
    int clock_confirmed;          /* cz_station_clock_confirm */
};

#define META_FORMAT "format"
#define META_HLC "hlc"
/* The latest wall time (seconds) an entry signed here carried: a PC clock
 * well behind it is a PC whose date is wrong (a dead CMOS battery). */
#define META_WALL_MAX "wall_max"
#define CLOCK_SLACK_S (24 * 3600)
/* The station clock (seconds) last said to be ahead, so it is said once. */
#define META_AHEAD_NOTED "clock_ahead_noted"
#define META_RETIRED CZ_META_RETIRED

const struct cz_station_info *cz_station_info(const cz_station *st) { return &st->info; }
cz_store *cz_station_store(cz_station *st) { return st->store; }
const char *cz_station_dir(const cz_station *st) { return st->dir; }
const char *cz_station_user(const cz_station *st) { return st->secrets ? st->user : NULL; }
const uint8_t *cz_station_person_pk(const cz_station *st)
{
    return st->secrets ? cz_secrets_sign_pk(st->secrets) : NULL;
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return CZ_EINVAL;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return cz_fs_errno_status(errno);
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) return cz_fs_errno_status(errno);
    return CZ_OK;
}

static char *db_path(const char *dir)
{
    size_t n = strlen(dir) + 4;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/db", dir);
    return p;
}

static int load_info(cz_txn *t, struct cz_station_info *info)
{
    char kind[16];
    const void *v;
    size_t len;
    uint64_t format;
    memset(info, 0, sizeof *info);
    if (cz_meta_get_u64(t, META_FORMAT, &format) != CZ_OK) return CZ_ENOINIT;
    if (format != CZ_STORE_FORMAT) return CZ_EVERSION;
    cz_meta_get_str(t, "kind", kind, sizeof kind);
    info->kind = strcmp(kind, "office") == 0 ? CZ_KIND_OFFICE : CZ_KIND_STATION;
    cz_meta_get_str(t, "name", info->name, sizeof info->name);
    cz_meta_get_str(t, "region", info->region, sizeof info->region);
    cz_meta_get_str(t, "default_user", info->default_user, sizeof info->default_user);
    cz_meta_get_str(t, "office_name", info->office_name, sizeof info->office_name);
    if (cz_meta_get(t, "box_pk", &v, &len) == CZ_OK && len == 32) memcpy(info->box_pk, v, 32);
    if (cz_meta_get(t, "office_root", &v, &len) == CZ_OK && len == 32) memcpy(info->office_root, v, 32);
    if (cz_meta_get(t, "office_box", &v, &len) == CZ_OK && len == 32) memcpy(info->office_box, v, 32);
    return CZ_OK;
}

int cz_station_open(const char *dir, cz_station **out)
{
    cz_station *st = calloc(1, sizeof *st);
    char *db = db_path(dir);
    cz_txn *t = NULL;
    int rc;
    struct stat sb;

    *out = NULL;
    if (!st || !db) { rc = CZ_ENOMEM; goto fail; }
    if (stat(db, &sb) != 0) { rc = errno == ENOENT ? CZ_ENOINIT : cz_fs_errno_status(errno); goto fail; }
    if (sodium_init() < 0) { rc = CZ_ECRYPTO; goto fail; }
    st->dir = strdup(dir);
    if (!st->dir) { rc = CZ_ENOMEM; goto fail; }
    if ((rc = cz_store_open(db, 0, &st->store))) goto fail;
    if ((rc = cz_txn_begin(st->store, 0, &t))) goto fail;
    rc = load_info(t, &st->info);
    cz_txn_abort(t);
    /* The db folder is there (init makes it first), so this is not a
     * folder where no station lives: init would refuse it too. */
    if (rc == CZ_ENOINIT) rc = CZ_EDBNOINFO;
    if (rc) goto fail;
    free(db);
    *out = st;
    return CZ_OK;
fail:
    free(db);
    cz_station_close(st);
    return rc;
}

void cz_station_close(cz_station *st)
{
    if (!st) return;
    cz_secrets_free(st->secrets);
    cz_store_close(st->store);
    free(st->dir);
    free(st);
}

static int introduce(cz_txn *t, const struct cz_station_info *info, const cz_secrets *root_holder,
                     const cz_secrets *counter, const cz_secrets *person, const uint8_t key[32],
                     const char *kind, const char *name, const char *role, const uint8_t *replaces);

/* True when pk is listed in meta "retired" (keys of a restored station). */
static int is_retired(cz_txn *t, const uint8_t pk[32])
{
    const void *v;
    size_t len;
    if (cz_meta_get(t, META_RETIRED, &v, &len) != CZ_OK) return 0;
    for (size_t off = 0; off + 32 <= len; off += 32)
        if (!memcmp((const uint8_t *)v + off, pk, 32)) return 1;
    return 0;
}

/* The new log epoch of a restored station (backup.h): the person's old key
 * may have signed entries on the lost PC after the backup was made, so
 * signing on with it could fork its log.  A fresh key takes over, sealed
 * under the same passphrase and announced with a `key` record naming the
 * old key (at the office the root certifies it at once; elsewhere it is
 * pending until the office enrols it). */
static int rekey(cz_station *st, const char *user, const cz_secrets *old, const char *pass,
                 cz_secrets **out)
{
    cz_secrets *n = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int rc;
    if ((rc = cz_secrets_new_person(old, &n)) || (rc = cz_secrets_seal(n, pass, &blob, &blob_len))) goto cleanup;
    if ((rc = cz_txn_begin(st->store, 1, &t))) goto cleanup;
    if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(old), &ti))) goto cleanup;
    const char *role = ti.role[0] ? ti.role : "clerk";
    /* The old key, still office, countersigns its successor's cert. */
    if ((rc = cz_user_put(t, user, blob, blob_len)) ||
        (rc = introduce(t, &st->info, n, old, n, cz_secrets_sign_pk(n), "person", user, role,
                        cz_secrets_sign_pk(old))))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK) { *out = n; n = NULL; }
cleanup:
    cz_txn_abort(t);
    free(blob);
    cz_secrets_free(n);
    return rc;
}

/* Reseals a person's slot (a passphrase change, or a slot giving up the
 * root key) in its own write transaction. */
static int reseal_taking(cz_station *st, const char *user, const cz_secrets *s, const char *pass,
                         const char *transfer)
{
    uint8_t *blob = NULL;
    size_t blob_len;
    cz_txn *t = NULL;
    int rc = cz_secrets_seal(s, pass, &blob, &blob_len);
    if (rc == CZ_OK && (rc = cz_txn_begin(st->store, 1, &t)) == CZ_OK) {
        rc = cz_user_put(t, user, blob, blob_len);
        /* A root transfer taken into the slot is not kept beside it. */
        if (rc == CZ_OK && transfer) rc = cz_meta_del(t, transfer);
        if (rc == CZ_OK) rc = cz_txn_commit(t);
        else cz_txn_abort(t);
    }
    free(blob);
    return rc;
}

static int reseal(cz_station *st, const char *user, const cz_secrets *s, const char *pass)
{
    return reseal_taking(st, user, s, pass, NULL);
}

/* Meta "root_transfer:<person key hex>": the new root after a rollover,
 * sealed to an office person who was not at the keyboard (keys.h,
 * cz_secrets_root_transfer), taken into their slot at their next login. */
#define META_ROOT_TRANSFER "root_transfer:"

static void transfer_name(char out[sizeof META_ROOT_TRANSFER + 64], const uint8_t pk[32])
{
    char hex[65];
    cz_hex(pk, 32, hex);
    snprintf(out, sizeof META_ROOT_TRANSFER + 64, "%s%s", META_ROOT_TRANSFER, hex);
}

/* What the roster says of a person who has just unlocked their slot: a
 * revoked key signs nothing here again (CZ_EREVOKED), and a slot holding
 * the root key whose certificate says another role than office (a slot
 * made before the root was kept to office people, or a person since
 * re-certified as clerk) gives the root key up, in memory and on disk.
 * After a rollover an office person's slot takes the new root from its
 * transfer, and a slot still holding a replaced root gives it up. */
static int admit(cz_station *st, const char *user, cz_secrets *s, const char *pass)
{
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    char transfer[sizeof META_ROOT_TRANSFER + 64];
    const void *v;
    size_t len;
    int changed = 0, took = 0;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(s), &ti);
    transfer_name(transfer, cz_secrets_sign_pk(s));
    int office = ti.state == CZ_TRUST_CERTIFIED && !strcmp(ti.role, "office") && !strcmp(ti.kind, "person");
    if (rc == CZ_OK && office && !ti.revoked && st->info.kind == CZ_KIND_OFFICE &&
        cz_meta_get(t, transfer, &v, &len) == CZ_OK && cz_secrets_root_receive(s, v, len) == CZ_OK)
        took = changed = 1;
    cz_txn_abort(t);
    if (rc) return rc;
    if (ti.revoked) return CZ_EREVOKED;
    if (cz_secrets_root_pk(s) && ti.state == CZ_TRUST_CERTIFIED && !office) {
        cz_secrets_drop_root(s);
        changed = 1;
    }
    /* A root the office has replaced counts for nothing now: not kept. */
    if (cz_secrets_root_pk(s) && memcmp(cz_secrets_root_pk(s), st->info.office_root, 32)) {
        cz_secrets_drop_root(s);
        changed = 1;
    }
    return changed ? reseal_taking(st, user, s, pass, took ? transfer : NULL) : CZ_OK;
}

int cz_station_clock(cz_station *st, struct cz_clock_state *out)
{
    cz_txn *t = NULL;
    uint64_t wall_max = 0, hlc = 0;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    if ((rc = cz_meta_get_u64(t, META_WALL_MAX, &wall_max)) && rc != CZ_ENOTFOUND) goto cleanup;
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) goto cleanup;
    rc = CZ_OK;
    memset(out, 0, sizeof *out);
    out->now = (int64_t)(cz_now_ms() / 1000);
    out->last_signed = (int64_t)wall_max;
    out->station_clock = (int64_t)(cz_hlc_ms(hlc) / 1000);
    out->pc_behind = out->last_signed > out->now + CLOCK_SLACK_S;
    out->station_ahead = out->station_clock > out->now + CLOCK_SLACK_S;
    uint64_t noted = 0;
    if ((rc = cz_meta_get_u64(t, META_AHEAD_NOTED, &noted)) && rc != CZ_ENOTFOUND) goto cleanup;
    rc = CZ_OK;
    out->ahead_noted = out->station_ahead && noted >= (uint64_t)out->station_clock;
cleanup:
    cz_txn_abort(t);
    return rc;
}

int cz_station_clock_confirm(cz_station *st)
{
    /* The person says this PC's date is right: what was signed later was
     * dated by a PC that was ahead then, and the question is not asked
     * again for it. */
    cz_txn *t = NULL;
    int rc = cz_txn_begin(st->store, 1, &t);
    if (rc) return rc;
    if ((rc = cz_meta_put_u64(t, META_WALL_MAX, cz_now_ms() / 1000))) { cz_txn_abort(t); return rc; }
    if ((rc = cz_txn_commit(t))) return rc;
    st->clock_confirmed = 1;
    return CZ_OK;
}

int cz_station_clock_noted(cz_station *st)
{
    struct cz_clock_state c;
    cz_txn *t = NULL;
    int rc = cz_station_clock(st, &c);
    if (rc || !c.station_ahead) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = cz_meta_put_u64(t, META_AHEAD_NOTED, (uint64_t)c.station_clock))) { cz_txn_abort(t); return rc; }
    return cz_txn_commit(t);
}

/* Nothing is signed with a PC clock a day or more behind what this station
 * already signed, until the person says the date is right. */
static int clock_gate(cz_station *st)
{
    struct cz_clock_state c;
    if (st->clock_confirmed) return CZ_OK;
    int rc = cz_station_clock(st, &c);
    if (rc) return rc;
    return c.pc_behind ? CZ_ECLOCKBEHIND : CZ_OK;
}

int cz_station_login(cz_station *st, const char *user, const char *pass)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL, *fresh = NULL;
    int retired = 0;
    if (!user || !*user) user = st->info.default_user;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = cz_user_get(t, user, &blob, &len);
    if (rc == CZ_OK) rc = cz_secrets_open(blob, len, pass, &s);
    if (rc == CZ_OK) retired = is_retired(t, cz_secrets_sign_pk(s));
    cz_txn_abort(t);
    if (rc == CZ_OK) rc = admit(st, user, s, pass);
    if (rc) { cz_secrets_free(s); return rc; }
    if (retired) {
        rc = rekey(st, user, s, pass, &fresh);
        cz_secrets_free(s);
        if (rc) return rc;
        s = fresh;
    }
    cz_secrets_free(st->secrets);
    st->secrets = s;
    snprintf(st->user, sizeof st->user, "%s", user);
    return CZ_OK;
}

/* ---- appending to a log ---- */

struct signer { const cz_secrets *s; int root; };

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    struct signer *sg = ctx;
    return sg->root ? cz_secrets_root_sign(sg->s, msg, len, sig) : cz_secrets_sign(sg->s, msg, len, sig);
}

struct append_req {
    const cz_secrets *secrets;
    int as_root;
    const char *type;
    const uint8_t *entity;      /* NULL: a new entity */
    const uint8_t *parents;
    size_t nparents;
    const char *region;
    const cz_body *body;
    uint8_t flags;
    const uint8_t *office_root;  /* whose roster judges the entry (authz.h) */
};

/* The rule set judges what a person writes exactly as it judges what
 * arrives on a stick: a refusal here is a refusal there. */
static int judge_own(cz_txn *t, const uint8_t office_root[32], const struct cz_entry *e,
                     const struct cz_trust_info *known)
{
    struct cz_trust_info author;
    struct cz_judgement j;
    int rc = CZ_OK;
    if (known) author = *known;
    else rc = cz_roster_lookup(t, office_root, e->origin, &author);
    if (rc == CZ_OK) rc = cz_authz_judge(t, office_root, e, &author, 0, &j);
    if (rc) return rc;
    /* Before enrolment a person works within the station's declared
     * region (may_write); elsewhere that work waits for the certificate. */
    if (j.verdict == CZ_VERDICT_HOLD && j.why == CZ_ENOTFOUND) return CZ_OK;
    return j.verdict == CZ_VERDICT_OK || j.verdict == CZ_VERDICT_PENDING ? CZ_OK : j.why;
}

static int note_wall(cz_txn *t, int64_t wall)
{
    uint64_t max = 0;
    int rc = cz_meta_get_u64(t, META_WALL_MAX, &max);
    if (rc && rc != CZ_ENOTFOUND) return rc;
    return wall > 0 && (uint64_t)wall > max ? cz_meta_put_u64(t, META_WALL_MAX, (uint64_t)wall) : CZ_OK;
}

/* Appends one entry to the signer's log inside t. */
static int append(cz_txn *t, const struct append_req *r, uint8_t entity_out[CZ_ENTITY_BYTES],
                  uint8_t id[CZ_ID_BYTES])
{
    struct cz_entry_draft d;
    struct signer sg = { r->secrets, r->as_root };
    uint8_t *body = NULL, *raw = NULL;
    size_t body_len = 0, raw_cap = 0;
    uint64_t last_seq, hlc;
    struct cz_entry e;
    int rc, result;

    memset(&d, 0, sizeof d);
    memcpy(d.origin, r->as_root ? cz_secrets_root_pk(r->secrets) : cz_secrets_sign_pk(r->secrets), 32);
    if ((rc = cz_store_log_last(t, d.origin, &last_seq, d.prev))) return rc;
    d.seq = last_seq + 1;
    if (r->as_root) {
        /* A restored office's root log resumes past a gap (backup.h), so
         * what the lost PC signed after the backup cannot share a seq. */
        uint64_t floor;
        if ((rc = cz_meta_get_u64(t, CZ_META_ROOT_FLOOR, &floor)) && rc != CZ_ENOTFOUND) return rc;
        if (rc == CZ_OK && d.seq <= floor) d.seq = floor + 1;
    }
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    d.hlc = cz_hlc_next(hlc, cz_now_ms());
    d.wall = (int64_t)(cz_now_ms() / 1000);   /* the clock hlc comes from (cz_clock_shift) */
    if (r->entity) memcpy(d.entity, r->entity, CZ_ENTITY_BYTES);
    else randombytes_buf(d.entity, CZ_ENTITY_BYTES);
    d.flags = r->flags;
    d.type = r->type;
    d.region = r->region ? r->region : "";
    d.nparents = r->nparents;
    d.parents = r->parents;
    if (r->body && (rc = cz_body_encode(r->body, &body, &body_len))) return rc;
    d.body = body;
    d.body_len = body_len;
    /* e is filled from what was laid out, not parsed back (entry.h). */
    rc = cz_entry_build(&d, sign_cb, &sg, &raw, &raw_cap, &e, id);
    if (rc == CZ_OK) rc = judge_own(t, r->office_root, &e, NULL);
    if (rc == CZ_OK) rc = cz_store_put_entry(t, &e, id, &result);
    if (rc == CZ_OK && result != CZ_PUT_NEW) rc = CZ_EFORK;   /* our own log never forks */
    if (rc == CZ_OK) rc = cz_meta_put_u64(t, META_HLC, d.hlc);
    if (rc == CZ_OK) rc = note_wall(t, d.wall);
    if (rc == CZ_OK && entity_out) memcpy(entity_out, d.entity, CZ_ENTITY_BYTES);
    free(body);
    free(raw);
    return rc;
}

/* A trust record body: a key announcement or certificate. */
static int trust_body(const char *type, const uint8_t key[32], const char *kind, const char *name,
                      const char *station, const char *region, const char *role,
                      const uint8_t *replaces, const char *valid_until, cz_body **out)
{
    const struct cz_type *t = cz_schema_type(type);
    cz_body *b = cz_body_new();
    int rc = b ? CZ_OK : CZ_ENOMEM;
    char hex[65];
    cz_hex(key, 32, hex);
    struct cz_assign a[] = { { "key", hex }, { "kind", kind }, { "name", name },
                             { "station", station }, { "region", region }, { "role", role } };
    for (size_t i = 0; rc == CZ_OK && i < sizeof a / sizeof a[0]; i++)
        if (a[i].value && *a[i].value)
            rc = cz_schema_set(t, b, a[i].field, a[i].value, NULL);
    if (rc == CZ_OK && replaces && !strcmp(type, "key")) {
        cz_hex(replaces, 32, hex);
        rc = cz_schema_set(t, b, "replaces", hex, NULL);
    }
    if (rc == CZ_OK && !strcmp(type, "cert")) {
        char today[11];
        cz_format_date(cz_today(), today, sizeof today);
        rc = cz_schema_set(t, b, "valid_from", today, NULL);
        if (rc == CZ_OK && valid_until && *valid_until)
            rc = cz_schema_set(t, b, "valid_until", valid_until, NULL);
    }
    if (rc) { cz_body_free(b); return rc; }
    *out = b;
    return CZ_OK;
}

/* Adds `by` (the person countersigning) and `by_sig` to a trust record
 * the root is about to sign (roster.h: without them it does not count). */
static int countersign(const uint8_t root[32], const cz_secrets *person, const char *type, cz_body *b)
{
    const struct cz_type *ty = cz_schema_type(type);
    uint8_t sig[64], *msg = NULL;
    size_t len;
    char hex[2 * sizeof sig + 1];
    int rc = cz_body_set_bytes(b, cz_schema_field(ty, "by")->tag, cz_secrets_sign_pk(person), 32);
    if (rc == CZ_OK) rc = cz_roster_countersign_msg(root, type, b, &msg, &len);
    if (rc == CZ_OK) rc = cz_secrets_sign(person, msg, len, sig);
    free(msg);
    if (rc) return rc;
    cz_hex(sig, sizeof sig, hex);
    return cz_body_set_text(b, cz_schema_field(ty, "by_sig")->tag, hex, strlen(hex));
}

/* Writes the trust records that introduce a person (or the station key):
 * at the office, when the person at the keyboard holds the root key
 * (root_holder), the root certifies at once, countersigned by `counter`;
 * otherwise the key announces itself and waits for enrolment. */
static int introduce(cz_txn *t, const struct cz_station_info *info, const cz_secrets *root_holder,
                     const cz_secrets *counter, const cz_secrets *person, const uint8_t key[32],
                     const char *kind, const char *name, const char *role, const uint8_t *replaces)
{
    int office = info->kind == CZ_KIND_OFFICE && root_holder && cz_secrets_root_pk(root_holder);
    cz_body *b = NULL;
    uint8_t id[CZ_ID_BYTES];
    int rc = trust_body(office ? "cert" : "key", key, kind, name, info->name, info->region, role, replaces,
                        NULL, &b);
    if (rc == CZ_OK && office) rc = countersign(info->office_root, counter, "cert", b);
    if (rc) { cz_body_free(b); return rc; }
    struct append_req r = { office ? root_holder : person, office, office ? "cert" : "key",
                            NULL, NULL, 0, "", b, 0, info->office_root };
    rc = append(t, &r, NULL, id);
    cz_body_free(b);
    return rc;
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CZ_NAME_MAX || !cz_utf8_valid(s, n)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '/' || s[i] == 0x7f) return 0;
    return 1;
}

int cz_station_put_info(cz_txn *t, const struct cz_station_info *info)
{
    int rc;
    if ((rc = cz_meta_put_u64(t, META_FORMAT, CZ_STORE_FORMAT)) ||
        (rc = cz_meta_put_str(t, "kind", info->kind == CZ_KIND_OFFICE ? "office" : "station")) ||
        (rc = cz_meta_put_str(t, "name", info->name)) ||
        (rc = cz_meta_put_str(t, "region", info->region)) ||
        (rc = cz_meta_put_str(t, "default_user", info->default_user)) ||
        (rc = cz_meta_put_str(t, "office_name", info->office_name)) ||
        (rc = cz_meta_put(t, "box_pk", info->box_pk, 32)) ||
        (rc = cz_meta_put(t, "office_root", info->office_root, 32)) ||
        (rc = cz_meta_put(t, "office_box", info->office_box, 32)))
        return rc;
    return CZ_OK;
}

/* Why a new station cannot go where a db folder already is: CZ_EEXIST
 * when a station lives there, else what is wrong with it (a damaged or
 * unreadable store), so init and status say the same. */
static int existing_store(const char *db)
{
    cz_store *s = NULL;
    cz_txn *t = NULL;
    uint64_t format;
    int rc = cz_store_open(db, 0, &s);
    if (rc == CZ_OK && (rc = cz_txn_begin(s, 0, &t)) == CZ_OK)
        rc = cz_meta_get_u64(t, META_FORMAT, &format) == CZ_OK ? CZ_EEXIST : CZ_EDBNOINFO;
    cz_txn_abort(t);
    cz_store_close(s);
    return rc;
}

int cz_station_create_store(const char *dir, cz_store **out)
{
    char *db = db_path(dir);
    struct stat sb;
    int rc;
    *out = NULL;
    if (!db) return CZ_ENOMEM;
    if (stat(db, &sb) == 0) rc = existing_store(db);
    else if ((rc = mkdir_p(dir)) == CZ_OK && (rc = mkdir_p(db)) == CZ_OK) rc = cz_store_open(db, 1, out);
    free(db);
    return rc;
}

int cz_station_init(const char *dir, const struct cz_init_opts *o, const char *pass,
                    cz_station **out, char *why, size_t why_size)
{
    cz_station *st = NULL;
    cz_secrets *s = NULL;
    cz_txn *t = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    char *db = NULL;
    struct cz_identity office;
    int rc;
    struct stat sb;

    *out = NULL;
    if (why_size) why[0] = 0;
    if (!name_ok(o->name) || !name_ok(o->user)) return CZ_EINVAL;
    if (!o->demo_passphrase && (rc = cz_passphrase_check(pass))) return rc;
    const char *region = o->region ? o->region : "";
    if (strlen(region) > CZ_REGION_MAX || strspn(region, "0123456789") != strlen(region) ||
        (o->kind == CZ_KIND_STATION && strlen(region) < 2))
        return CZ_EINVAL;
    memset(&office, 0, sizeof office);
    if (o->kind == CZ_KIND_STATION) {
        if (!o->office_identity || cz_identity_parse(o->office_identity, &office) != CZ_OK || !office.is_office) {
            snprintf(why, why_size, "office-key");
            return CZ_EINVAL;
        }
    }
    if (!(db = db_path(dir))) return CZ_ENOMEM;
    if (stat(db, &sb) == 0) { rc = existing_store(db); free(db); return rc; }
    if ((rc = mkdir_p(dir)) || (rc = mkdir_p(db))) { free(db); return rc; }
    free(db);

    if ((rc = cz_secrets_generate(o->kind == CZ_KIND_OFFICE, &s))) goto cleanup;
    if ((rc = cz_secrets_seal(s, pass, &blob, &blob_len))) goto cleanup;

    db = db_path(dir);
    cz_store *store = NULL;
    if ((rc = cz_store_open(db, 1, &store))) goto cleanup;
    if ((rc = cz_txn_begin(store, 1, &t))) { cz_store_close(store); goto cleanup; }
    struct cz_station_info info;
    memset(&info, 0, sizeof info);
    info.kind = o->kind;
    snprintf(info.name, sizeof info.name, "%s", o->name);
    snprintf(info.region, sizeof info.region, "%s", region);
    snprintf(info.default_user, sizeof info.default_user, "%s", o->user);
    memcpy(info.box_pk, cz_secrets_box_pk(s), 32);
    if (o->kind == CZ_KIND_OFFICE) {
        memcpy(info.office_root, cz_secrets_root_pk(s), 32);
        memcpy(info.office_box, info.box_pk, 32);
        snprintf(info.office_name, sizeof info.office_name, "%s", o->name);
    } else {
        memcpy(info.office_root, office.root, 32);
        memcpy(info.office_box, office.box, 32);
        snprintf(info.office_name, sizeof info.office_name, "%s", office.name);
    }
    if ((rc = cz_station_put_info(t, &info)) || (rc = cz_user_put(t, o->user, blob, blob_len)))
        goto abort;
    /* An office that has rolled its root over: the chain starts at its
     * first root, and the identity says where each replaced root ends
     * (roster.h). */
    if (o->kind == CZ_KIND_STATION && office.nrolled) {
        uint8_t pins[(CZ_ROOT_CHAIN_MAX + 1) * 40];
        size_t np = 0;
        for (size_t k = 0; k <= office.nrolled; k++, np += 40) {
            const uint8_t *key = k < office.nrolled ? office.rolled[k].key : office.root;
            uint64_t upto = k < office.nrolled ? office.rolled[k].upto : UINT64_MAX;
            memcpy(pins + np, key, 32);
            for (int b = 0; b < 8; b++) pins[np + 32 + b] = (uint8_t)(upto >> (8 * (7 - b)));
        }
        if ((rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, office.rolled[0].key, 32)) ||
            (rc = cz_meta_put(t, CZ_META_ROOT_PINS, pins, np)))
            goto abort;
    } else if (o->kind == CZ_KIND_STATION && office.has_anchor && memcmp(office.anchor, office.root, 32) &&
               (rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, office.anchor, 32))) {
        goto abort;
    }
    const char *role = o->kind == CZ_KIND_OFFICE ? "office" : "supervisor";
    /* At the office the founder's cert is the root log's first entry and
     * countersigned by the founder: the bootstrap of roster.h. */
    if ((rc = introduce(t, &info, s, s, s, cz_secrets_sign_pk(s), "person", o->user, role, NULL)) ||
        (rc = introduce(t, &info, s, s, s, info.box_pk, "station", o->name, role, NULL)))
        goto abort;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) { cz_store_close(store); goto cleanup; }

    st = calloc(1, sizeof *st);
    if (!st || !(st->dir = strdup(dir))) { cz_store_close(store); free(st); rc = CZ_ENOMEM; goto cleanup; }
    st->store = store;
    st->info = info;
    st->secrets = s;
    s = NULL;
    snprintf(st->user, sizeof st->user, "%s", o->user);
    *out = st;
    rc = CZ_OK;
    goto cleanup;
abort:
    cz_txn_abort(t);
    cz_store_close(store);
cleanup:
    free(db);
    free(blob);
    cz_secrets_free(s);
    return rc;
}

/* Whether the person logged in may act for the office root now: certified
 * as an office person, not revoked, not expired.  CZ_EPERM (not office, or
 * a slot without the root key), CZ_EREVOKED, CZ_EEXPIRED. */
static int office_person(cz_station *st, cz_txn *t)
{
    struct cz_trust_info ti;
    if (!st->secrets || !cz_secrets_root_pk(st->secrets)) return CZ_EPERM;
    int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti);
    if (rc) return rc;
    if (ti.revoked) return CZ_EREVOKED;
    if (ti.state != CZ_TRUST_CERTIFIED || strcmp(ti.role, "office") || strcmp(ti.kind, "person"))
        return CZ_EPERM;
    if (ti.valid_until && cz_roster_hlc_date(cz_now_ms() << 16) > ti.valid_until) return CZ_EEXPIRED;
    return CZ_OK;
}

static int user_add(cz_station *st, const char *name, const char *role, const char *pass, int check_pass)
{
    cz_secrets *s = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    const uint8_t *existing;
    size_t existing_len;
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int rc;

    if (!st->secrets) return CZ_EPERM;
    if (!name_ok(name)) return CZ_EINVAL;
    if (check_pass && (rc = cz_passphrase_check(pass))) return rc;
    if (!role || !*role) role = "clerk";
    if (strcmp(role, "clerk") && strcmp(role, "supervisor") && strcmp(role, "office")) return CZ_EINVAL;
    if (!strcmp(role, "office") && st->info.kind != CZ_KIND_OFFICE) return CZ_EPERM;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    /* At the office a new person is certified at once, which only an
     * office person (holding the root key) may do; anywhere, a revoked
     * person adds no one. */
    if (st->info.kind == CZ_KIND_OFFICE) rc = office_person(st, t);
    else if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti)) == CZ_OK &&
             ti.revoked)
        rc = CZ_EREVOKED;
    if (rc) goto cleanup;
    if (cz_user_get(t, name, &existing, &existing_len) == CZ_OK) { rc = CZ_EEXIST; goto cleanup; }
    if ((rc = cz_secrets_new_person(st->secrets, &s))) goto cleanup;
    /* The root key goes only into the slots of office people. */
    if (strcmp(role, "office")) cz_secrets_drop_root(s);
    if ((rc = cz_secrets_seal(s, pass, &blob, &blob_len))) goto cleanup;
    if ((rc = cz_user_put(t, name, blob, blob_len))) goto cleanup;
    if ((rc = introduce(t, &st->info, st->secrets, st->secrets, s, cz_secrets_sign_pk(s), "person", name,
                        role, NULL)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
cleanup:
    cz_txn_abort(t);
    free(blob);
    cz_secrets_free(s);
    return rc;
}

int cz_station_user_add(cz_station *st, const char *name, const char *role, const char *pass)
{
    return user_add(st, name, role, pass, 1);
}

int cz_station_user_add_demo(cz_station *st, const char *name, const char *role, const char *pass)
{
    return user_add(st, name, role, pass, 0);
}

int cz_station_passwd(cz_station *st, const char *user, const char *old_pass, const char *new_pass)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL;
    if (!user || !*user) user = st->secrets ? st->user : st->info.default_user;
    int rc = cz_passphrase_check(new_pass);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 0, &t))) return rc;
    rc = cz_user_get(t, user, &blob, &len);
    if (rc == CZ_OK) rc = cz_secrets_open(blob, len, old_pass, &s);
    cz_txn_abort(t);
    /* A revoked person's slot is not renewed (and a non-office slot gives
     * up the root key on the way, as at login). */
    if (rc == CZ_OK) rc = admit(st, user, s, old_pass);
    if (rc == CZ_OK) rc = reseal(st, user, s, new_pass);
    cz_secrets_free(s);
    return rc;
}

struct slot_count { size_t people, root_holders; const char *skip; };

static int count_slot(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct slot_count *c = ctx;
    if (!strcmp(name, c->skip)) return 0;
    c->people++;
    c->root_holders += cz_keyblob_has_root(blob, len) ? 1 : 0;
    return 0;
}

int cz_station_user_remove(cz_station *st, const char *name)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    struct cz_trust_info ti;
    struct slot_count c = { 0, 0, name };
    int rc;
    if (!st->secrets) return CZ_EPERM;
    if (!strcmp(name, st->user)) return CZ_ESELF;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = cz_user_get(t, name, &blob, &len))) goto cleanup;
    int target_root = cz_keyblob_has_root(blob, len);
    if ((rc = cz_user_each(t, count_slot, &c))) goto cleanup;
    if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti))) goto cleanup;
    /* Who may take a person off this PC: not a revoked person, not a clerk;
     * at the office only an office person (it may take a root holder);
     * and the office never loses its last slot holding the root key, or
     * no one could ever certify or revoke again. */
    if (ti.revoked) { rc = CZ_EREVOKED; goto cleanup; }
    if (st->info.kind == CZ_KIND_OFFICE) { if ((rc = office_person(st, t))) goto cleanup; }
    else if (ti.state == CZ_TRUST_CERTIFIED && !strcmp(ti.role, "clerk")) { rc = CZ_EPERM; goto cleanup; }
    if (c.people == 0 || (target_root && c.root_holders == 0)) { rc = CZ_ELASTUSER; goto cleanup; }
    /* With the slot goes any new root sealed to its key (a rollover's
     * transfer not yet taken); the key is read before the slot goes. */
    uint8_t gone[32];
    char transfer[sizeof META_ROOT_TRANSFER + 64];
    int has_pk = cz_keyblob_sign_pk(blob, len, gone) == CZ_OK;
    if ((rc = cz_user_del(t, name))) goto cleanup;
    if (has_pk) {
        transfer_name(transfer, gone);
        if ((rc = cz_meta_del(t, transfer))) goto cleanup;
    }
    /* The default person (who signs when no --user is given) must exist. */
    if (!strcmp(st->info.default_user, name) &&
        (rc = cz_meta_put_str(t, "default_user", st->user)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK && !strcmp(st->info.default_user, name))
        snprintf(st->info.default_user, sizeof st->info.default_user, "%s", st->user);
cleanup:
    cz_txn_abort(t);
    return rc;
}

int cz_station_identity(cz_station *st, char **out)
{
    char root[65], box[65], chain[CZ_ROOT_CHAIN_MAX * 100] = "";
    const struct cz_station_info *i = &st->info;
    cz_hex(i->office_root, 32, root);
    cz_hex(i->box_pk, 32, box);
    char *text = NULL;
    int n;
    if (i->kind == CZ_KIND_OFFICE) {
        /* After a rollover the chain too: the first root (`anchor`) and
         * where each replaced root ends (`rolled`), so a station set up
         * from this file counts what they certified, and nothing they sign
         * after their rollovers (roster.h, CZ_META_ROOT_PINS). */
        struct cz_root_link links[CZ_ROOT_CHAIN_MAX];
        size_t nl = 0, used = 0;
        cz_txn *t = NULL;
        int rc = cz_txn_begin(st->store, 0, &t);
        if (rc == CZ_OK) rc = cz_roster_chain(t, i->office_root, links, CZ_ROOT_CHAIN_MAX, &nl);
        cz_txn_abort(t);
        if (rc) return rc;
        for (size_t k = 0; k < nl && links[k].upto != UINT64_MAX; k++) {
            char hex[65];
            cz_hex(links[k].key, 32, hex);
            if (k == 0) used += (size_t)snprintf(chain + used, sizeof chain - used, "anchor %s\n", hex);
            used += (size_t)snprintf(chain + used, sizeof chain - used, "rolled %s %llu\n", hex,
                                     (unsigned long long)links[k].upto);
        }
        n = asprintf(&text, "cunzhan-identity 1\nkind office\nname %s\nregion %s\nroot %s\n%sbox %s\n",
                     i->name, i->region, root, chain, box);
    } else
        n = asprintf(&text, "cunzhan-identity 1\nkind station\nname %s\nregion %s\nbox %s\n",
                     i->name, i->region, box);
    if (n < 0) return CZ_ENOMEM;
    *out = text;
    return CZ_OK;
}

int cz_identity_parse(const char *text, struct cz_identity *id)
{
    int have_root = 0, have_box = 0, have_header = 0;
    memset(id, 0, sizeof *id);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t advance = len + (nl ? 1 : 0);
        char line[256];
        if (len >= sizeof line) return CZ_ECANON;
        memcpy(line, p, len);
        line[len] = 0;
        if (len && line[len - 1] == '\r') line[--len] = 0;
        char *sp = strchr(line, ' ');
        const char *key = line, *v = sp ? sp + 1 : "";
        if (sp) *sp = 0;
        if (!strcmp(key, "cunzhan-identity")) {
            if (strcmp(v, "1")) return CZ_EVERSION;
            have_header = 1;
        } else if (!strcmp(key, "kind")) id->is_office = !strcmp(v, "office");
        /* The file comes on a stick: a value `pubkey` never writes (too
         * long: a cut value is another name; a control character, which
         * names never hold) is refused, not cut or kept (fuzz_identity). */
        else if ((!strcmp(key, "name") || !strcmp(key, "region")) &&
                 (strlen(v) >= (!strcmp(key, "name") ? sizeof id->name : sizeof id->region) ||
                  cz_text_check_controls(v, strlen(v)) != CZ_OK))
            return CZ_ECANON;
        else if (!strcmp(key, "name")) snprintf(id->name, sizeof id->name, "%s", v);
        else if (!strcmp(key, "region")) snprintf(id->region, sizeof id->region, "%s", v);
        else if (!strcmp(key, "root")) have_root = cz_unhex(v, id->root, 32) == CZ_OK;
        else if (!strcmp(key, "anchor")) {
            if (cz_unhex(v, id->anchor, 32) != CZ_OK) return CZ_ECANON;
            id->has_anchor = 1;
        } else if (!strcmp(key, "rolled")) {
            /* "rolled <key hex> <last seq>" */
            char hex[65], *end;
            if (id->nrolled + 1 >= CZ_ROOT_CHAIN_MAX || strlen(v) < 66 || v[64] != ' ') return CZ_ECANON;
            memcpy(hex, v, 64);
            hex[64] = 0;
            if (cz_unhex(hex, id->rolled[id->nrolled].key, 32) != CZ_OK) return CZ_ECANON;
            unsigned long long u = strtoull(v + 65, &end, 10);
            if (*end || v[65] < '1' || v[65] > '9' || u == UINT64_MAX) return CZ_ECANON;
            id->rolled[id->nrolled++].upto = u;
        }
        else if (!strcmp(key, "box")) have_box = cz_unhex(v, id->box, 32) == CZ_OK;
        p += advance;
    }
    if (!have_header) return CZ_EMAGIC;
    if (!have_box || (id->is_office && !have_root)) return CZ_ECANON;
    return CZ_OK;
}

/* ---- records ---- */

/* A load in progress (cz_station_add_many): rows checked here whose entries
 * are still being signed or not yet stored.  Checks that read what an
 * earlier row wrote ask it (NULL outside a load). */
struct pipe;
static int pipe_pending_prefix(struct pipe *p, const char *hex);
static int pipe_drain(struct pipe *p);
static int pipe_has_term(struct pipe *p, const char *term, size_t len);
/* What the roster says of the person loading, looked up once per load. */
struct roster_cache { struct cz_trust_info info; int known; };
static struct roster_cache *pipe_roster(struct pipe *p);
/* The record a full id typed in the load's previous reference named (a
 * household's members come one after another). */
struct ref_memo {
    int valid;
    char value[2 * CZ_ENTITY_BYTES + 1];
    uint8_t entity[CZ_ENTITY_BYTES];
    char type[CZ_TYPE_MAX + 1], region[CZ_REGION_MAX + 1];
};
static struct ref_memo *pipe_ref_memo(struct pipe *p);

/* The current winning head of an entity: newest clock first (cz_store_heads
 * orders them), so every station shows the same provisional value. */
static int winning_head(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_entry *e,
                        uint8_t (*heads)[CZ_ID_BYTES], size_t max, size_t *nheads)
{
    int rc = cz_store_heads(t, entity, heads, max, nheads);
    if (rc) return rc;
    if (*nheads == 0) return CZ_ENOTFOUND;
    return cz_store_get_entry(t, heads[0], e);
}

/* References typed as id prefixes become full ids of live records of the
 * right type; *region_out gets the referenced record's region when the
 * field passes its region on (a member lives where its household does). */
static int resolve_ref(cz_txn *t, struct pipe *pl, const struct cz_field *f, const char *value, char *full,
                       size_t full_size, char *region_out, struct cz_field_error *err)
{
    uint8_t entity[CZ_ENTITY_BYTES], heads[1][CZ_ID_BYTES], id[CZ_ID_BYTES];
    struct cz_entry e;
    size_t n;
    int rc;
    char *v = NULL;

    memset(&e, 0, sizeof e);
    if ((rc = cz_text_normalize_line(value, strlen(value), &v))) goto bad;
    /* A load's rows in flight are not in the store yet: a version (its id
     * is known once signed) or an entity prefix that one of them matches
     * waits until they are, so the look-up sees what it would row by row. */
    if (pl && (f->type == CZ_F_VERSION || pipe_pending_prefix(pl, v)) && (rc = pipe_drain(pl))) {
        free(v);
        return rc;
    }
    if (f->type == CZ_F_VERSION) {
        rc = cz_store_resolve_entry(t, v, id);
        if (rc == CZ_OK) rc = cz_store_get_entry(t, id, &e);
        if (rc == CZ_OK) cz_hex(id, CZ_ID_BYTES, full);
    } else {
        /* A load writes only new records, so a full id resolved once in it
         * names the same live record, of the same type and region, later. */
        struct ref_memo *memo = pl && strlen(v) == 2 * CZ_ENTITY_BYTES ? pipe_ref_memo(pl) : NULL;
        if (memo && memo->valid && !strcmp(memo->value, v)) {
            memcpy(entity, memo->entity, CZ_ENTITY_BYTES);
            memcpy(e.type, memo->type, sizeof e.type);
            memcpy(e.region, memo->region, sizeof e.region);
        } else {
            rc = cz_store_resolve_entity(t, v, entity);
            if (rc == CZ_OK) rc = winning_head(t, entity, &e, heads, 1, &n);
            if (rc == CZ_OK && (e.flags & CZ_ENTRY_FLAG_TOMBSTONE)) rc = CZ_EDELETED;
            if (rc == CZ_OK && memo) {
                memo->valid = 1;
                memcpy(memo->value, v, sizeof memo->value);
                memcpy(memo->entity, entity, CZ_ENTITY_BYTES);
                memcpy(memo->type, e.type, sizeof memo->type);
                memcpy(memo->region, e.region, sizeof memo->region);
            }
        }
        if (rc == CZ_OK) cz_hex(entity, CZ_ENTITY_BYTES, full);
    }
    if (rc == CZ_OK && f->ref_type && strcmp(e.type, f->ref_type) != 0) rc = CZ_ETYPE;
    if (rc == CZ_OK && (f->flags & CZ_FF_INHERIT) && region_out)
        snprintf(region_out, CZ_REGION_MAX + 1, "%s", e.region);
    (void)full_size;
bad:
    free(v);
    switch (rc) {
    case CZ_OK:        return CZ_OK;
    case CZ_EINVAL:    return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF, value);
    case CZ_ENOTFOUND: return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_MISSING, value);
    case CZ_ETYPE:     return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_TYPE, e.type);
    case CZ_EDELETED:  return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_DELETED, value);
    case CZ_EAMBIG:    return cz_field_error_set(err, f, CZ_EFIELD, HINT_REF_AMBIG, value);
    default:           return rc;
    }
}

/* Applies the typed assignments to body, resolving references first. */
static int apply_assignments(cz_txn *t, struct pipe *pl, const struct cz_type *ty, cz_body *body,
                             const struct cz_assign *a, size_t n, char *inherited_region,
                             struct cz_field_error *err)
{
    struct cz_assign *resolved = calloc(n ? n : 1, sizeof *resolved);
    char (*full)[65] = calloc(n ? n : 1, sizeof *full);
    int rc = resolved && full ? CZ_OK : CZ_ENOMEM;
    for (size_t i = 0; rc == CZ_OK && i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, a[i].field);
        resolved[i] = a[i];
        if (f && (f->type == CZ_F_REF || f->type == CZ_F_VERSION) && a[i].value[0]) {
            rc = resolve_ref(t, pl, f, a[i].value, full[i], sizeof full[i], inherited_region, err);
            resolved[i].value = full[i];
        }
    }
    if (rc == CZ_OK) rc = cz_schema_set_many(ty, body, resolved, n, err);
    free(resolved);
    free(full);
    return rc;
}

/* For REF fields not typed in this edit, the inherited region still comes
 * from the stored reference. */
static int inherited_region_of(cz_txn *t, const struct cz_type *ty, const cz_body *body, char *region)
{
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const uint8_t *b;
        size_t len;
        if (!(f->flags & CZ_FF_INHERIT) || cz_body_get_bytes(body, f->tag, &b, &len) != CZ_OK)
            continue;
        struct cz_entry e;
        uint8_t heads[1][CZ_ID_BYTES];
        size_t n;
        int rc = len == CZ_ID_BYTES ? cz_store_get_entry(t, b, &e)
                                    : winning_head(t, b, &e, heads, 1, &n);
        if (rc == CZ_OK) snprintf(region, CZ_REGION_MAX + 1, "%s", e.region);
        return rc;
    }
    return CZ_OK;
}

/* The region an entry concerns (DESIGN.md: replication is scoped by it).
 * `typed` is the region of the reference typed in this write that passes
 * its region on ("" when none was): when the type has only one such field
 * it is the one inherited_region_of would look up again. */
static int record_region(cz_txn *t, const struct cz_station_info *info, const struct cz_type *ty,
                         const cz_body *body, const char *typed, char *region)
{
    int has_region_field = 0, inherits = 0;
    region[0] = 0;
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len;
        if (f->flags & CZ_FF_REGION) {
            has_region_field = 1;
            if (cz_body_get_text(body, f->tag, &s, &len) == CZ_OK) {
                snprintf(region, CZ_REGION_MAX + 1, "%s", s);
                return CZ_OK;
            }
        }
        if (f->flags & CZ_FF_INHERIT) inherits++;
    }
    if (inherits == 1 && typed[0]) {
        snprintf(region, CZ_REGION_MAX + 1, "%s", typed);
        return CZ_OK;
    }
    if (inherits) {
        int rc = inherited_region_of(t, ty, body, region);
        if (rc || region[0]) return rc;
    }
    /* Places and helpers are for everyone; other records belong here. */
    if (has_region_field || inherits)
        snprintf(region, CZ_REGION_MAX + 1, "%s", info->region);
    return CZ_OK;
}

struct holds_ctx { const uint8_t *self; int found; };

static int holds_cb(void *ctx, const uint8_t *entity)
{
    struct holds_ctx *h = ctx;
    if (memcmp(entity, h->self, CZ_ENTITY_BYTES) == 0) h->found = 1;
    return 0;
}

/* An exact-look-up value (household number, ID number) names one record;
 * `self` (NULL for a new record) may keep its own value.  In a load, the
 * values of its earlier rows count too (pipe_has_term). */
static int check_unique(cz_txn *t, struct pipe *pl, const struct cz_type *ty, const cz_body *body,
                        const uint8_t *self, struct cz_field_error *err)
{
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len, count = 0;
        char term[512];
        int rc;
        if (!(f->flags & CZ_FF_EXACT) || cz_body_get_text(body, f->tag, &s, &len) != CZ_OK)
            continue;
        size_t tl = cz_term_exact(term, sizeof term, ty->key, f->key, s);
        /* A load's own rows are in its set, so the terms it has not put
         * yet (cz_store_defer_index) need not be put to be counted. */
        if ((rc = pl ? cz_store_index_count_stored(t, term, tl, &count)
                     : cz_store_index_count(t, term, tl, &count))) return rc;
        if (count == 0 && pl && pipe_has_term(pl, term, tl))
            return cz_field_error_set(err, f, CZ_EEXIST, HINT_EXISTS, NULL);
        if (count == 0) continue;
        struct holds_ctx h = { self, 0 };
        if (self && count == 1 && (rc = cz_store_index_each(t, term, tl, holds_cb, &h))) return rc;
        if (!h.found)
            return cz_field_error_set(err, f, CZ_EEXIST, HINT_EXISTS, NULL);
    }
    return CZ_OK;
}

/* Whether the person logged in may write a record for `region`.  Before
 * enrolment comes back a person acts within the station's declared region;
 * afterwards within the certificate's jurisdiction. */
static int may_write(cz_txn *t, struct pipe *pl, const cz_station *st, const struct cz_type *ty,
                     const char *region)
{
    struct cz_trust_info info;
    if (ty->trust) return CZ_EPERM;   /* only the office root writes these */
    /* A load writes no trust records, so it looks the roster up once. */
    struct roster_cache *cache = pl ? pipe_roster(pl) : NULL;
    if (cache && cache->known) {
        info = cache->info;
    } else {
        int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &info);
        if (rc) return rc;
        if (cache) { cache->info = info; cache->known = 1; }
    }
    /* A revoked or expired person signs nothing (roster.h); the roster may
     * have changed since login (an import in the screens). */
    if (info.revoked) return CZ_EREVOKED;
    if (info.state == CZ_TRUST_CERTIFIED && info.valid_until &&
        cz_roster_hlc_date(cz_now_ms() << 16) > info.valid_until)
        return CZ_EEXPIRED;
    const char *jurisdiction = info.state == CZ_TRUST_CERTIFIED ? info.region : st->info.region;
    if ((info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office")) ||
        (info.state == CZ_TRUST_PENDING && st->info.kind == CZ_KIND_OFFICE))
        return CZ_OK;
    return cz_region_under(region, jurisdiction) ? CZ_OK : CZ_EPERM;
}

/* An approval is dated the day it is signed unless the paper says earlier;
 * never later than today. */
static int approval_date(const struct cz_type *ty, cz_body *body, struct cz_field_error *err)
{
    const struct cz_field *f = cz_schema_field(ty, "date");
    uint64_t date;
    if (cz_body_get_uint(body, f->tag, &date) != CZ_OK)
        return cz_body_set_uint(body, f->tag, cz_today());
    if (date > cz_today())
        return cz_field_error_set(err, f, CZ_EFIELD, HINT_DATE_FUTURE, NULL);
    return CZ_OK;
}

/* The exit chain's rules for a new approval (exitchain.h,
 * cz_approval_check), with the clock and log position the entry will be
 * signed at. */
static int check_approval(cz_txn *t, struct pipe *pl, const cz_station *st, const cz_body *body,
                          const char *region)
{
    const struct cz_type *ty = cz_schema_type("approval");
    const uint8_t *version;
    const char *step_key, *decision;
    size_t len;
    int rc;
    (void)region;   /* the assessment's own region is the one judged */

    if (cz_body_get_bytes(body, cz_schema_field(ty, "record")->tag, &version, &len) != CZ_OK ||
        len != CZ_ID_BYTES ||
        cz_body_get_text(body, cz_schema_field(ty, "step")->tag, &step_key, &len) != CZ_OK ||
        cz_body_get_text(body, cz_schema_field(ty, "decision")->tag, &decision, &len) != CZ_OK)
        return CZ_EFIELD;
    int step = cz_step_parse(step_key);
    if (step < 0) return CZ_EFIELD;
    /* The exit's state and the signer's log count earlier rows of a load. */
    if (pl && (rc = pipe_drain(pl))) return rc;
    uint64_t seq, hlc = 0, date = 0;
    uint8_t last[CZ_ID_BYTES];
    if ((rc = cz_store_log_last(t, cz_secrets_sign_pk(st->secrets), &seq, last))) return rc;
    /* The clock append() will give it (a load's may be a little later). */
    if ((rc = cz_meta_get_u64(t, META_HLC, &hlc)) && rc != CZ_ENOTFOUND) return rc;
    hlc = cz_hlc_next(hlc, cz_now_ms());
    cz_body_get_uint(body, cz_schema_field(ty, "date")->tag, &date);
    struct cz_approval_claim c = { version, (enum cz_step)step, !strcmp(decision, "approve"),
                                   cz_secrets_sign_pk(st->secrets), seq + 1, hlc, (uint32_t)date };
    return cz_approval_check(t, st->info.office_root, &c, NULL);
}

/* Only office people set the poverty line (exitchain.h counts no other). */
static int check_poverty_line(cz_txn *t, const cz_station *st)
{
    struct cz_trust_info info;
    int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &info);
    if (rc) return rc;
    return info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office") && !info.revoked ? CZ_OK : CZ_EPERM;
}

/* A checked version, ready to sign: the body (owned), its parents and
 * region. */
struct version {
    cz_body *body;
    uint8_t heads[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t nheads;
    char region[CZ_REGION_MAX + 1];
};

/* What a writer saw of the record, and whether it settles every conflict
 * (cz_resolve) or only the ones it assigns (an edit). */
struct edit_opts {
    const uint8_t (*seen)[CZ_ID_BYTES];     /* NULL: the heads read in this transaction */
    size_t nseen;
    int resolve;
};

/* The same set of versions, in any order. */
static int same_heads(const uint8_t (*a)[CZ_ID_BYTES], size_t na, const uint8_t (*b)[CZ_ID_BYTES], size_t nb)
{
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        size_t k = 0;
        while (k < nb && memcmp(a[i], b[k], CZ_ID_BYTES)) k++;
        if (k == nb) return 0;
    }
    return 1;
}

/* An edit names every head as a parent, so it settles every conflict of
 * the record: allowed only when the person chose each conflicting value,
 * that is assigned every conflicting field.  A deletion concurrent with an
 * edit has no field to assign: only cz_resolve / cz_resolve_delete settle
 * it.  err names the first field left out; its detail lists them all (keys,
 * comma-separated, "deleted" for a deletion). */
static int check_chosen(const struct cz_type *ty, const struct cz_merged *m, const struct cz_assign *a,
                        size_t n, struct cz_field_error *err)
{
    char list[sizeof err->detail] = "";
    const struct cz_field *first = NULL;
    size_t used = 0, missing = 0;
    for (size_t c = 0; c < m->nconflicts; c++) {
        uint32_t tag = m->conflicts[c].tag;
        const struct cz_field *f = NULL;
        int chosen = 0;
        for (size_t i = 0; i < ty->nfields && !f; i++)
            if (ty->fields[i].tag == tag) f = &ty->fields[i];
        /* A derived field (a member's birth date from the ID number) is
         * chosen by choosing what it derives from. */
        for (size_t i = 0; tag && f && i < n && !chosen; i++) {
            const struct cz_field *af = cz_schema_field(ty, a[i].field);
            chosen = af == f || (af && (f->flags & CZ_FF_DERIVED) && cz_schema_derives(ty, af));
        }
        if (chosen) continue;
        if (!first && f) first = f;
        missing++;
        const char *key = tag == 0 ? "deleted" : f ? f->key : "?";
        if (used + strlen(key) + 2 < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? "," : "", key);
    }
    if (!missing) return CZ_OK;
    if (err) {
        cz_field_error_set(err, first, CZ_ECONFLICT, HINT_NONE, list);
        if (!first) snprintf(err->name, sizeof err->name, "%s", "deleted");
    }
    return CZ_ECONFLICT;
}

/* Builds and checks one version inside t: everything short of signing and
 * storing it.  On CZ_OK the caller owns v->body. */
static int check_version(cz_station *st, cz_txn *t, struct pipe *pl, const struct cz_type *ty,
                         const uint8_t *entity, const struct edit_opts *eo,
                         const struct cz_assign *a, size_t n,
                         struct version *v, struct cz_field_error *err)
{
    cz_body *body = NULL;
    char inherited[CZ_REGION_MAX + 1] = "";
    int rc;

    if (err) memset(err, 0, sizeof *err);
    v->body = NULL;
    v->nheads = 0;
    v->region[0] = 0;
    if (!st->secrets) return CZ_EPERM;
    if (entity) {
        struct cz_entry cur;
        if ((rc = winning_head(t, entity, &cur, v->heads, CZ_PARENTS_MAX, &v->nheads))) goto cleanup;
        if (strcmp(cur.type, ty->key) != 0) { rc = CZ_ETYPE; goto cleanup; }
        /* Nothing is signed over versions the writer has not seen: its
         * parents would claim a choice nobody made. */
        if (eo && eo->seen && (v->nheads > CZ_PARENTS_MAX ||
                               !same_heads(eo->seen, eo->nseen, (const uint8_t (*)[CZ_ID_BYTES])v->heads,
                                           v->nheads))) {
            rc = CZ_ECHANGED;
            goto cleanup;
        }
        if (v->nheads > 1) {
            /* Concurrent heads: the new version starts from their merge and
             * names them all as parents, which settles every conflict; so
             * an edit must choose every conflicting value (a resolution
             * may take the provisional ones). */
            struct cz_merged m;
            if ((rc = cz_merge_entity(t, entity, &m))) goto cleanup;
            if (!(eo && eo->resolve) && (rc = check_chosen(ty, &m, a, n, err))) {
                cz_merged_free(&m);
                goto cleanup;
            }
            body = m.body;
            m.body = NULL;
            cz_merged_free(&m);
            if (!body) { rc = CZ_EDELETED; goto cleanup; }
        } else {
            if (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) { rc = CZ_EDELETED; goto cleanup; }
            if ((rc = cz_body_decode(cur.body, cur.body_len, &body))) goto cleanup;
        }
        if (v->nheads > CZ_PARENTS_MAX) v->nheads = CZ_PARENTS_MAX;
    } else if (!(body = cz_body_new())) {
        rc = CZ_ENOMEM;
        goto cleanup;
    }
    if ((rc = apply_assignments(t, pl, ty, body, a, n, inherited, err))) goto cleanup;
    if ((rc = cz_schema_finish(ty, body, cz_today(), err))) goto cleanup;
    if (!strcmp(ty->key, "approval") && (rc = approval_date(ty, body, err))) goto cleanup;
    if ((rc = check_unique(t, pl, ty, body, entity, err))) goto cleanup;
    if ((rc = record_region(t, &st->info, ty, body, inherited, v->region))) goto cleanup;
    if ((rc = may_write(t, pl, st, ty, v->region))) goto cleanup;
    if (!strcmp(ty->key, "approval") && (rc = check_approval(t, pl, st, body, v->region))) goto cleanup;
    if (!strcmp(ty->key, "poverty_line") && (rc = check_poverty_line(t, st))) goto cleanup;
    v->body = body;
    body = NULL;
cleanup:
    cz_body_free(body);
    return rc;
}

/* Builds, checks, signs and stores one version inside t (the caller
 * commits or aborts). */
static int write_in_txn(cz_station *st, cz_txn *t, const struct cz_type *ty, const uint8_t *entity,
                        const struct edit_opts *eo, const struct cz_assign *a, size_t n,
                        uint8_t entity_out[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                        struct cz_field_error *err)
{
    struct version v;
    int rc = check_version(st, t, NULL, ty, entity, eo, a, n, &v, err);
    if (rc) return rc;
    struct append_req r = { st->secrets, 0, ty->key, entity, (const uint8_t *)v.heads,
                            entity ? v.nheads : 0, v.region, v.body, 0, st->info.office_root };
    rc = append(t, &r, entity_out, id);
    cz_body_free(v.body);
    return rc;
}

/* One version in its own transaction. */
static int write_version(cz_station *st, const struct cz_type *ty, const uint8_t *entity,
                         const struct edit_opts *eo, const struct cz_assign *a, size_t n,
                         uint8_t entity_out[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                         struct cz_field_error *err)
{
    cz_txn *t = NULL;
    if (!st->secrets) return CZ_EPERM;
    int rc = clock_gate(st);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    rc = write_in_txn(st, t, ty, entity, eo, a, n, entity_out, id, err);
    if (rc) { cz_txn_abort(t); return rc; }
    return cz_txn_commit(t);
}

/* ---- loading many rows: checked here, signed on a second thread ----
 *
 * A load is one write transaction, which LMDB lets only this thread use.
 * Signing is sequential too (each entry names its predecessor's id) but
 * needs no database, so a second thread signs while this one checks the
 * next rows and stores what has been signed:
 *
 *   this thread:    check row i -> slot i  ...  store slot j (j < i), in order
 *   signer thread:  slot j: seq, prev, hlc, body bytes, sign, id
 *
 * The slots form a ring of PIPE_SLOTS (fewer with the environment variable
 * CZ_LOAD_RING, 1..PIPE_SLOTS, which tests set so the ring fills and wraps
 * often); counters under one mutex say how far
 * each side has got (filled >= signed >= stored).  A slot's contents
 * belong to this thread until it is counted in `filled`, then to the signer
 * until it is counted in `signed`, then to this thread again.  The chain
 * (seq, prev id, clock) is read from the store once per load, carried by
 * the signer, and the clock written back once at the end.
 *
 * A row is checked against the store as it is after every earlier row,
 * as row by row: the exact-look-up values of rows checked so far are kept
 * in a set (pipe_has_term), and a look-up that could meet a row still in
 * flight (an entity prefix one of them matches, a version id, an approval's
 * exit state and log) first waits for them all to be stored (pipe_drain). */

#define PIPE_SLOTS 128
/* An idle signer is woken once this many rows wait for it (or when this
 * thread needs it): one wake-up per row cost more than the hand-over. */
#define PIPE_WAKE 16

struct pipe_slot {
    size_t row;
    cz_body *body;                          /* owned; freed once stored */
    uint8_t entity[CZ_ENTITY_BYTES];
    char entity_hex[2 * CZ_ENTITY_BYTES + 1];
    char region[CZ_REGION_MAX + 1];
    /* filled in by the signer */
    int rc;
    uint8_t *body_buf, *raw, *terms;        /* reused from row to row */
    size_t body_cap, raw_cap, terms_cap, terms_len;
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
};

struct pipe {
    cz_station *st;
    cz_txn *t;
    const struct cz_type *ty;
    struct pipe_slot slots[PIPE_SLOTS];
    size_t nslots;                          /* the ring's size */
    /* the chain: the signer's alone while it runs */
    uint8_t origin[32], prev[CZ_ID_BYTES];
    uint64_t seq, hlc;
    pthread_t thread;
    int threaded;
    pthread_mutex_t mu;
    pthread_cond_t work, ready;
    size_t filled, signed_n;                /* under mu */
    int quit;                               /* under mu */
    size_t stored;                          /* this thread's */
    int signer_idle, main_waits;            /* under mu: who needs a signal */
    size_t bad;
    cz_row_error_fn fn;
    void *ctx;
    cz_hashset *terms;                      /* exact-look-up terms of rows checked */
    struct roster_cache roster;
    struct ref_memo ref;
    /* new entity ids, drawn from the CSPRNG 64 KiB at a time (one system
     * call per row was 5% of a load) */
    uint8_t rnd[4096 * CZ_ENTITY_BYTES];
    size_t rnd_used;
};

static struct roster_cache *pipe_roster(struct pipe *p) { return &p->roster; }
static struct ref_memo *pipe_ref_memo(struct pipe *p) { return &p->ref; }

static int pipe_has_term(struct pipe *p, const char *term, size_t len)
{
    return cz_hashset_has(p->terms, term, len);
}

/* The exact-look-up values of a row that passed its checks. */
static int pipe_add_terms(struct pipe *p, const cz_body *body)
{
    const struct cz_type *ty = p->ty;
    for (size_t i = 0; i < ty->nfields; i++) {
        const struct cz_field *f = &ty->fields[i];
        const char *s;
        size_t len;
        char term[512];
        if (!(f->flags & CZ_FF_EXACT) || cz_body_get_text(body, f->tag, &s, &len) != CZ_OK) continue;
        if (cz_hashset_add(p->terms, term, cz_term_exact(term, sizeof term, ty->key, f->key, s)) < 0)
            return CZ_ENOMEM;
    }
    return CZ_OK;
}

/* Whether a row in flight has an entity whose hex starts with `hex`. */
static int pipe_pending_prefix(struct pipe *p, const char *hex)
{
    size_t n = strlen(hex);
    uint8_t full[CZ_ENTITY_BYTES];
    if (n > 2 * CZ_ENTITY_BYTES) return 0;
    /* A whole id (a member's household, typed from `list`): bytes compared,
     * not hex text case-blind, for each row in flight. */
    if (n == 2 * CZ_ENTITY_BYTES && cz_unhex(hex, full, sizeof full) == CZ_OK) {
        for (size_t k = p->stored; k < p->filled; k++)
            if (!memcmp(p->slots[k % p->nslots].entity, full, CZ_ENTITY_BYTES)) return 1;
        return 0;
    }
    for (size_t k = p->stored; k < p->filled; k++)
        if (!strncasecmp(p->slots[k % p->nslots].entity_hex, hex, n)) return 1;
    return 0;
}

/* Signs one slot onto the chain (the signer thread, or this one when there
 * is no second thread).  A slot that fails keeps its status in slot->rc
 * and leaves the chain as it was. */
static void sign_slot(struct pipe *p, struct pipe_slot *sl)
{
    struct cz_entry_draft d;
    struct signer sg = { p->st->secrets, 0 };
    size_t need = cz_body_encoded_size(sl->body), body_len = 0;

    if (sl->body_cap < need) {
        uint8_t *nb = realloc(sl->body_buf, need);
        if (!nb) { sl->rc = CZ_ENOMEM; return; }
        sl->body_buf = nb;
        sl->body_cap = need;
    }
    if ((sl->rc = cz_body_encode_into(sl->body, sl->body_buf, sl->body_cap, &body_len))) return;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, p->origin, 32);
    d.seq = p->seq + 1;
    memcpy(d.prev, p->prev, CZ_ID_BYTES);
    d.hlc = cz_hlc_next(p->hlc, cz_now_ms());
    d.wall = (int64_t)(cz_now_ms() / 1000);   /* the clock hlc comes from (cz_clock_shift) */
    memcpy(d.entity, sl->entity, CZ_ENTITY_BYTES);
    d.type = p->ty->key;
    d.region = sl->region;
    d.body = sl->body_buf;
    d.body_len = body_len;
    sl->rc = cz_entry_build(&d, sign_cb, &sg, &sl->raw, &sl->raw_cap, &sl->e, sl->id);
    if (sl->rc) return;
    /* Its index terms too: work the storing thread then need not do. */
    sl->rc = cz_store_entry_terms(&sl->e, &sl->terms, &sl->terms_cap, &sl->terms_len);
    if (sl->rc) return;
    p->seq = d.seq;
    p->hlc = d.hlc;
    memcpy(p->prev, sl->id, CZ_ID_BYTES);
}

static void *signer_main(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->signed_n == p->filled && !p->quit) {
            p->signer_idle = 1;
            pthread_cond_wait(&p->work, &p->mu);
            p->signer_idle = 0;
        }
        if (p->signed_n == p->filled) break;          /* told to stop, nothing left */
        size_t k = p->signed_n, upto = p->filled;
        pthread_mutex_unlock(&p->mu);
        for (; k < upto; k++) {
            sign_slot(p, &p->slots[k % p->nslots]);
            pthread_mutex_lock(&p->mu);
            p->signed_n = k + 1;
            if (p->main_waits) pthread_cond_signal(&p->ready);
            pthread_mutex_unlock(&p->mu);
        }
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stores one signed slot.  Returns a status that ends the load (no memory,
 * the database); a row refused here is counted like a refused check. */
static int store_slot(struct pipe *p, struct pipe_slot *sl)
{
    int rc = sl->rc, result;
    /* A load writes no trust records, so the roster it looked up holds. */
    if (rc == CZ_OK)
        rc = judge_own(p->t, p->st->info.office_root, &sl->e, p->roster.known ? &p->roster.info : NULL);
    if (rc == CZ_OK) rc = cz_store_put_entry_terms(p->t, &sl->e, sl->id, sl->terms, sl->terms_len, &result);
    if (rc == CZ_OK && result != CZ_PUT_NEW) rc = CZ_EFORK;   /* our own log never forks */
    cz_body_free(sl->body);
    sl->body = NULL;
    p->stored++;
    if (rc == CZ_ENOMEM || rc == CZ_EDB) return rc;
    if (rc) {
        struct cz_field_error err;
        memset(&err, 0, sizeof err);
        p->bad++;
        if (p->fn) p->fn(p->ctx, sl->row, rc, &err);
    }
    return CZ_OK;
}

/* Stores what the signer has finished; with `until`, first waits until
 * that many slots are signed. */
static int pipe_collect(struct pipe *p, size_t until)
{
    for (;;) {
        size_t ready;
        pthread_mutex_lock(&p->mu);
        if (p->threaded)
            while (p->signed_n < until) {
                if (p->signer_idle) pthread_cond_signal(&p->work);
                p->main_waits = 1;
                pthread_cond_wait(&p->ready, &p->mu);
                p->main_waits = 0;
            }
        ready = p->signed_n;
        pthread_mutex_unlock(&p->mu);
        while (p->stored < ready) {
            int rc = store_slot(p, &p->slots[p->stored % p->nslots]);
            if (rc) return rc;
        }
        if (p->stored >= until) return CZ_OK;
    }
}

static int pipe_drain(struct pipe *p)
{
    return p->stored < p->filled ? pipe_collect(p, p->filled) : CZ_OK;
}

/* Hands a checked row to the signer (body is the slot's from now on). */
static int pipe_push(struct pipe *p, size_t row, cz_body *body, const char *region)
{
    int rc;
    if (p->filled - p->stored == p->nslots && (rc = pipe_collect(p, p->stored + 1))) {
        cz_body_free(body);
        return rc;
    }
    struct pipe_slot *sl = &p->slots[p->filled % p->nslots];
    sl->row = row;
    sl->body = body;
    sl->rc = CZ_OK;
    if (p->rnd_used + CZ_ENTITY_BYTES > sizeof p->rnd) {
        randombytes_buf(p->rnd, sizeof p->rnd);
        p->rnd_used = 0;
    }
    memcpy(sl->entity, p->rnd + p->rnd_used, CZ_ENTITY_BYTES);
    p->rnd_used += CZ_ENTITY_BYTES;
    cz_hex(sl->entity, CZ_ENTITY_BYTES, sl->entity_hex);
    snprintf(sl->region, sizeof sl->region, "%s", region);
    if (!p->threaded) {
        sign_slot(p, sl);
        p->filled++;
        p->signed_n++;
        return store_slot(p, sl);
    }
    pthread_mutex_lock(&p->mu);
    p->filled++;
    if (p->signer_idle && p->filled - p->signed_n >= PIPE_WAKE) pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return pipe_collect(p, 0);                         /* store what is ready */
}

static int pipe_start(struct pipe *p, cz_station *st, cz_txn *t, const struct cz_type *ty, int threaded)
{
    int rc;
    const char *ring = getenv("CZ_LOAD_RING");
    p->st = st;
    p->t = t;
    p->ty = ty;
    p->nslots = PIPE_SLOTS;
    p->rnd_used = sizeof p->rnd;
    if (ring && atoi(ring) >= 1 && atoi(ring) <= PIPE_SLOTS) p->nslots = (size_t)atoi(ring);
    memcpy(p->origin, cz_secrets_sign_pk(st->secrets), 32);
    if ((rc = cz_store_log_last(t, p->origin, &p->seq, p->prev))) return rc;
    if ((rc = cz_meta_get_u64(t, META_HLC, &p->hlc)) && rc != CZ_ENOTFOUND) return rc;
    if (pthread_mutex_init(&p->mu, NULL)) return CZ_ENOMEM;
    if (pthread_cond_init(&p->work, NULL)) { pthread_mutex_destroy(&p->mu); return CZ_ENOMEM; }
    if (pthread_cond_init(&p->ready, NULL)) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        return CZ_ENOMEM;
    }
    /* Without a second thread (one row, or none to be had) this one signs. */
    p->threaded = threaded && pthread_create(&p->thread, NULL, signer_main, p) == 0;
    return CZ_OK;
}

static void pipe_stop(struct pipe *p)
{
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    pthread_cond_destroy(&p->ready);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        cz_body_free(p->slots[i].body);
        free(p->slots[i].body_buf);
        free(p->slots[i].raw);
        free(p->slots[i].terms);
    }
}

/* A load of this many rows or more puts its index terms in sorted batches
 * (cz_store_defer_index).  A large load gains: at 1M records (files of
 * 20,000 households, 60,000 members) the storing thread took 35% less CPU,
 * the sorted puts sweeping the index's long lists instead of missing the
 * cache at random.  A small one loses: the sorted put runs at the commit,
 * after the signing is done, where the puts it replaces ran beside the
 * signing; `make bench` (BENCH_LOAD_ONLY, 3 runs each, deferring or not):
 * 10k records (files of 2,000-6,000 rows) 0.35-0.45 s deferring, 0.29-0.30 s
 * not; 100k (20,000-60,000 rows) 3.35-4.02 s and 3.29-3.94 s, even.
 * CZ_LOAD_DEFER_ROWS sets it (tests run both ways). */
#define LOAD_DEFER_ROWS 20000

static size_t load_defer_rows(void)
{
    const char *env = getenv("CZ_LOAD_DEFER_ROWS");
    return env && atol(env) >= 2 ? (size_t)atol(env) : LOAD_DEFER_ROWS;
}

int cz_station_add_many(cz_station *st, const char *type, const struct cz_assign *const *rows,
                        const size_t *counts, size_t nrows, cz_row_error_fn fn, void *ctx,
                        size_t *stored)
{
    const struct cz_type *ty = cz_schema_type(type);
    cz_txn *t = NULL;
    struct pipe *p = NULL;
    int rc, started = 0;

    *stored = 0;
    if (!ty) return CZ_ETYPE;
    if (!st->secrets) return CZ_EPERM;
    if ((rc = clock_gate(st))) return rc;
    if (!(p = calloc(1, sizeof *p))) return CZ_ENOMEM;
    if ((rc = cz_hashset_new(&p->terms))) goto cleanup;
    if ((rc = cz_txn_begin(st->store, 1, &t))) goto cleanup;
    if (nrows >= load_defer_rows() && (rc = cz_store_defer_index(t))) goto cleanup;
    if ((rc = pipe_start(p, st, t, ty, nrows > 1))) goto cleanup;
    started = 1;
    p->fn = fn;
    p->ctx = ctx;
    for (size_t i = 0; i < nrows; i++) {
        struct cz_field_error err;
        struct version v;
        rc = check_version(st, t, p, ty, NULL, NULL, rows[i], counts[i], &v, &err);
        if (rc == CZ_ENOMEM || rc == CZ_EDB) goto cleanup;
        if (rc) {
            p->bad++;
            if (fn) fn(ctx, i, rc, &err);
            continue;
        }
        if ((rc = pipe_add_terms(p, v.body))) { cz_body_free(v.body); goto cleanup; }
        if ((rc = pipe_push(p, i, v.body, v.region))) goto cleanup;
    }
    if ((rc = pipe_drain(p))) goto cleanup;
    if (p->bad) { rc = CZ_EFIELD; goto cleanup; }
    if (p->filled && (rc = cz_meta_put_u64(t, META_HLC, p->hlc))) goto cleanup;
    pipe_stop(p);
    started = 0;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK) *stored = nrows;
cleanup:
    if (started) pipe_stop(p);
    cz_txn_abort(t);
    cz_hashset_free(p->terms);
    free(p);
    return rc;
}

int cz_station_add(cz_station *st, const char *type, const struct cz_assign *a, size_t n,
                   uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES],
                   struct cz_field_error *err)
{
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) return CZ_ETYPE;
    return write_version(st, ty, NULL, NULL, a, n, entity, id, err);
}

static int edit(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], const struct edit_opts *eo,
                const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES], struct cz_field_error *err)
{
    cz_txn *t = NULL;
    struct cz_entry cur;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t nheads;
    char type[CZ_TYPE_MAX + 1];
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = winning_head(t, entity, &cur, heads, 1, &nheads);
    if (rc == CZ_OK) snprintf(type, sizeof type, "%s", cur.type);
    cz_txn_abort(t);
    if (rc) return rc;
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) return CZ_ETYPE;
    return write_version(st, ty, entity, eo, a, n, NULL, id, err);
}

int cz_station_edit(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                    const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                    struct cz_field_error *err)
{
    struct edit_opts eo = { NULL, 0, 0 };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_edit_seen(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                         const uint8_t (*seen)[CZ_ID_BYTES], size_t nseen,
                         const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                         struct cz_field_error *err)
{
    if (!seen || !nseen) return CZ_EINVAL;
    struct edit_opts eo = { seen, nseen, 0 };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_resolve(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES],
                       const struct cz_assign *a, size_t n, uint8_t id[CZ_ID_BYTES],
                       struct cz_field_error *err)
{
    struct edit_opts eo = { NULL, 0, 1 };
    return edit(st, entity, &eo, a, n, id, err);
}

int cz_station_delete(cz_station *st, const uint8_t entity[CZ_ENTITY_BYTES], uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    struct cz_entry cur;
    uint8_t heads[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t nheads;
    char type[CZ_TYPE_MAX + 1], region[CZ_REGION_MAX + 1];
    int rc;

    if (!st->secrets) return CZ_EPERM;
    if ((rc = clock_gate(st))) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = winning_head(t, entity, &cur, heads, CZ_PARENTS_MAX, &nheads))) goto cleanup;
    /* Deleted only when every head is: a deletion concurrent with a live
     * edit may show as the current version, and resolving that conflict as
     * a deletion (cz_resolve_delete) is a deletion with both as parents. */
    for (size_t h = 1; (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) && h < nheads && h < CZ_PARENTS_MAX; h++)
        if ((rc = cz_store_get_entry(t, heads[h], &cur))) goto cleanup;
    if (cur.flags & CZ_ENTRY_FLAG_TOMBSTONE) { rc = CZ_EDELETED; goto cleanup; }
    snprintf(type, sizeof type, "%s", cur.type);
    snprintf(region, sizeof region, "%s", cur.region);
    const struct cz_type *ty = cz_schema_type(type);
    if (!ty) { rc = CZ_ETYPE; goto cleanup; }
    if ((rc = may_write(t, NULL, st, ty, region))) goto cleanup;
    struct append_req r = { st->secrets, 0, type, entity, (const uint8_t *)heads,
                            nheads < CZ_PARENTS_MAX ? nheads : CZ_PARENTS_MAX, region, NULL,
                            CZ_ENTRY_FLAG_TOMBSTONE, st->info.office_root };
    if ((rc = append(t, &r, NULL, id))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
cleanup:
    cz_txn_abort(t);
    return rc;
}

/* ---- enrolment and revocation ---- */

const struct cz_secrets *cz_station_secrets(const cz_station *st) { return st->secrets; }

/* Trust records are signed by the root and countersigned by the office
 * person logged in (roster.h), so only a certified office person can
 * write them: a clerk's or supervisor's slot has no root key. */
static int root_append(cz_station *st, const char *type, cz_body *b, const uint8_t *revoked,
                       uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    char transfer[sizeof META_ROOT_TRANSFER + 64];
    if (!st->secrets || !cz_secrets_root_pk(st->secrets)) return CZ_EPERM;
    int rc = clock_gate(st);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = office_person(st, t)) || (rc = countersign(st->info.office_root, st->secrets, type, b))) {
        cz_txn_abort(t);
        return rc;
    }
    struct append_req r = { st->secrets, 1, type, NULL, NULL, 0, "", b, 0, st->info.office_root };
    if ((rc = append(t, &r, NULL, id))) { cz_txn_abort(t); return rc; }
    /* A revoked person's copy of a new root, not yet taken, goes: their
     * own key would open it from a copy of this store. */
    if (revoked) {
        transfer_name(transfer, revoked);
        if ((rc = cz_meta_del(t, transfer))) { cz_txn_abort(t); return rc; }
    }
    return cz_txn_commit(t);
}

int cz_station_certify_until(cz_station *st, const struct cz_cert_req *r, const char *valid_until,
                             uint8_t id[CZ_ID_BYTES])
{
    cz_body *b = NULL;
    if (!r->kind || (strcmp(r->kind, "person") && strcmp(r->kind, "station"))) return CZ_EINVAL;
    if (!r->role || (strcmp(r->role, "clerk") && strcmp(r->role, "supervisor") && strcmp(r->role, "office")))
        return CZ_EINVAL;
    /* Only the office may see everything; anyone else needs a jurisdiction. */
    if (strcmp(r->role, "office") && (!r->region || strlen(r->region) < 2)) return CZ_EINVAL;
    int rc = trust_body("cert", r->key, r->kind, r->name && *r->name ? r->name : "?", r->station,
                        r->region, r->role, NULL, valid_until, &b);
    if (rc) return rc;
    rc = root_append(st, "cert", b, NULL, id);
    cz_body_free(b);
    return rc;
}

int cz_station_certify(cz_station *st, const struct cz_cert_req *r, uint8_t id[CZ_ID_BYTES])
{
    return cz_station_certify_until(st, r, NULL, id);
}

int cz_station_pin_root(cz_txn *t, const uint8_t pinned[32], uint8_t now[32], int *changed)
{
    struct cz_root_link first;
    size_t n;
    int rc;
    *changed = 0;
    if ((rc = cz_roster_current(t, pinned, now))) return rc;
    if (!memcmp(now, pinned, 32)) return CZ_OK;
    /* The chain starts where it did: from now on the pinned root is not
     * the first, so the first is written down. */
    if ((rc = cz_roster_chain(t, pinned, &first, 1, &n))) return rc;
    const void *v;
    size_t len;
    if (n && cz_meta_get(t, CZ_META_ROOT_ANCHOR, &v, &len) != CZ_OK &&
        (rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, first.key, 32)))
        return rc;
    if ((rc = cz_meta_put(t, "office_root", now, 32))) return rc;
    *changed = 1;
    return CZ_OK;
}

int cz_station_reload(cz_station *st)
{
    cz_txn *t = NULL;
    struct cz_station_info info;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = load_info(t, &info);
    cz_txn_abort(t);
    if (rc == CZ_OK) st->info = info;
    return rc;
}

struct transfer_ctx { cz_txn *t; const cz_station *st; const cz_secrets *n; size_t count; int rc; };

/* Seals the new root to every other office person with a slot here. */
static int transfer_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct transfer_ctx *x = ctx;
    struct cz_trust_info ti;
    uint8_t pk[32], *sealed = NULL;
    char key[sizeof META_ROOT_TRANSFER + 64];
    if (!strcmp(name, x->st->user) || cz_keyblob_sign_pk(blob, len, pk) != CZ_OK) return 0;
    if ((x->rc = cz_roster_lookup(x->t, x->st->info.office_root, pk, &ti))) return x->rc;
    if (ti.state != CZ_TRUST_CERTIFIED || ti.revoked || strcmp(ti.role, "office") || strcmp(ti.kind, "person"))
        return 0;
    if ((x->rc = cz_secrets_root_transfer(x->n, pk, &sealed))) return x->rc;
    transfer_name(key, pk);
    x->rc = cz_meta_put(x->t, key, sealed, CZ_ROOT_TRANSFER_BYTES);
    free(sealed);
    if (x->rc == CZ_OK) x->count++;
    return x->rc;
}

int cz_station_rollover(cz_station *st, const char *passphrase, const char *reason, uint8_t new_root[32],
                        size_t *transfers)
{
    const struct cz_type *ty = cz_schema_type("rollover");
    cz_secrets *n = NULL, *check = NULL;
    cz_body *b = NULL;
    cz_txn *t = NULL;
    uint8_t *msg = NULL, *blob = NULL, sig[64], id[CZ_ID_BYTES];
    const uint8_t *slot;
    size_t msg_len, blob_len, slot_len;
    char hex[129];
    int rc;

    *transfers = 0;
    if (!st->secrets || !cz_secrets_root_pk(st->secrets) || st->info.kind != CZ_KIND_OFFICE) return CZ_EPERM;
    const uint8_t *old = st->info.office_root;
    if (memcmp(cz_secrets_root_pk(st->secrets), old, 32)) return CZ_EPERM;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    /* The slot is sealed again under this passphrase: it must be the
     * person's own. */
    if ((rc = cz_user_get(t, st->user, &slot, &slot_len)) ||
        (rc = cz_secrets_open(slot, slot_len, passphrase, &check)))
        goto cleanup;
    if (memcmp(cz_secrets_sign_pk(check), cz_secrets_sign_pk(st->secrets), 32)) { rc = CZ_EPASS; goto cleanup; }
    if ((rc = office_person(st, t))) goto cleanup;
    if ((rc = cz_secrets_with_new_root(st->secrets, &n))) goto cleanup;
    if (!(b = cz_body_new())) { rc = CZ_ENOMEM; goto cleanup; }
    cz_hex(cz_secrets_root_pk(n), 32, hex);
    if ((rc = cz_schema_set(ty, b, "new_root", hex, NULL))) goto cleanup;
    if (reason && *reason && (rc = cz_schema_set(ty, b, "reason", reason, NULL))) goto cleanup;
    /* The new root's proof of possession, then the countersignature over
     * everything including it (roster.h). */
    if ((rc = cz_roster_rollover_msg(old, b, &msg, &msg_len)) ||
        (rc = cz_secrets_root_sign(n, msg, msg_len, sig)))
        goto cleanup;
    cz_hex(sig, sizeof sig, hex);
    if ((rc = cz_body_set_text(b, cz_schema_field(ty, "new_sig")->tag, hex, strlen(hex))) ||
        (rc = countersign(old, st->secrets, "rollover", b)))
        goto cleanup;
    struct append_req r = { st->secrets, 1, "rollover", NULL, NULL, 0, "", b, 0, old };
    if ((rc = append(t, &r, NULL, id))) goto cleanup;
    int changed;
    uint8_t now[32];
    if ((rc = cz_station_pin_root(t, old, now, &changed))) goto cleanup;
    if (!changed || memcmp(now, cz_secrets_root_pk(n), 32)) { rc = CZ_EROLLOVER; goto cleanup; }
    /* The new root's log is new: no lost PC can have signed into it, so a
     * restored office's gap (CZ_META_ROOT_FLOOR) no longer applies. */
    if ((rc = cz_meta_del(t, CZ_META_ROOT_FLOOR))) goto cleanup;
    struct cz_station_info info = st->info;
    memcpy(info.office_root, now, 32);
    struct transfer_ctx x = { t, st, n, 0, CZ_OK };
    if ((rc = cz_user_each(t, transfer_cb, &x)) || (rc = x.rc)) goto cleanup;
    if ((rc = cz_secrets_seal(n, passphrase, &blob, &blob_len)) || (rc = cz_user_put(t, st->user, blob, blob_len)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;
    st->info = info;
    cz_secrets_free(st->secrets);
    st->secrets = n;
    n = NULL;
    memcpy(new_root, now, 32);
    *transfers = x.count;
cleanup:
    cz_txn_abort(t);
    cz_body_free(b);
    free(msg);
    free(blob);
    cz_secrets_free(n);
    cz_secrets_free(check);
    return rc;
}

int cz_station_revoke(cz_station *st, const uint8_t key[32], uint64_t after_seq,
                      const char *reason, uint8_t id[CZ_ID_BYTES])
{
    const struct cz_type *ty = cz_schema_type("revoke");
    cz_body *b = cz_body_new();
    char hex[65];
    int rc = b ? CZ_OK : CZ_ENOMEM;
    if (after_seq > INT64_MAX) rc = CZ_ERANGE;
    cz_hex(key, 32, hex);
    if (rc == CZ_OK) rc = cz_schema_set(ty, b, "key", hex, NULL);
    /* after_seq 0 is stored as the absent field: nothing of the key counts. */
    if (rc == CZ_OK && after_seq)
        rc = cz_body_set_sint(b, cz_schema_field(ty, "after_seq")->tag, (int64_t)after_seq);
    if (rc == CZ_OK && reason && *reason) rc = cz_schema_set(ty, b, "reason", reason, NULL);
    if (rc == CZ_OK) rc = root_append(st, "revoke", b, key, id);
    cz_body_free(b);
    return rc;
}

int cz_station_fork_accept(cz_station *st, const uint8_t key[32], uint64_t seq, const uint8_t entry[CZ_ID_BYTES],
                           const char *reason, uint8_t id[CZ_ID_BYTES])
{
    const struct cz_type *ty = cz_schema_type("fork_choice");
    cz_body *b = NULL;
    cz_txn *t = NULL;
    struct cz_entry e;
    uint64_t fork_seq;
    char hex[65];
    int rc;
    if (seq < 1 || seq > INT64_MAX) return CZ_ERANGE;
    /* Only an entry this station holds at that forked position can be
     * chosen: the office names what it has seen. */
    if ((rc = cz_txn_begin(st->store, 0, &t))) return rc;
    rc = cz_store_get_entry(t, entry, &e);
    if (rc == CZ_OK && (memcmp(e.origin, key, 32) || e.seq != seq)) rc = CZ_ENOTFOUND;
    if (rc == CZ_OK) {
        rc = cz_store_fork_after(t, key, seq - 1, &fork_seq);
        if (rc == CZ_ENOTFOUND || (rc == CZ_OK && fork_seq != seq)) rc = CZ_ENOFORK;
    }
    cz_txn_abort(t);
    if (rc) return rc;
    if (!(b = cz_body_new())) return CZ_ENOMEM;
    cz_hex(key, 32, hex);
    rc = cz_schema_set(ty, b, "key", hex, NULL);
    if (rc == CZ_OK) rc = cz_body_set_sint(b, cz_schema_field(ty, "seq")->tag, (int64_t)seq);
    cz_hex(entry, CZ_ID_BYTES, hex);
    if (rc == CZ_OK) rc = cz_schema_set(ty, b, "entry", hex, NULL);
    if (rc == CZ_OK && reason && *reason) rc = cz_schema_set(ty, b, "reason", reason, NULL);
    if (rc == CZ_OK) rc = root_append(st, "fork_choice", b, NULL, id);
    cz_body_free(b);
    return rc;
}
