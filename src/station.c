/* station.c — a station's data folder: creating, opening and closing it,
 * its info and public identity, and this PC's clock against what the
 * station already signed.  The people who log in live in
 * station_people.c, the writes in station_check.c, station_write.c and
 * station_load.c, the trust records in station_trust.c (station_int.h
 * says what they share). */
#include "station.h"
#include "bytes.h"
#include "fsutil.h"
#include "hashset.h"
#include "hex.h"
#include "index.h"
#include "keys.h"
#include "region.h"
#include "roster.h"
#include "station_int.h"
#include "status.h"
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define META_FORMAT "format"
#define CLOCK_SLACK_S (24 * 3600)
/* The station clock (seconds) last said to be ahead, so it is said once. */
#define META_AHEAD_NOTED "clock_ahead_noted"

const struct cz_station_info *cz_station_info(const cz_station *st) { return &st->info; }
cz_store *cz_station_store(cz_station *st) { return st->store; }
const char *cz_station_dir(const cz_station *st) { return st->dir; }
const char *cz_station_user(const cz_station *st) { return st->secrets ? st->user : NULL; }
const uint8_t *cz_station_person_pk(const cz_station *st)
{
    return st->secrets ? cz_secrets_sign_pk(st->secrets) : NULL;
}
const struct cz_secrets *cz_station_secrets(const cz_station *st) { return st->secrets; }

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
    if (format < CZ_STORE_FORMAT_OLDEST || format > CZ_STORE_FORMAT) return CZ_EVERSION;
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

void cz_station_reindex_notice(cz_reindex_fn fn, void *ctx)
{
    cz_store_index_notice(fn, ctx);
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
    /* An index an older build made lacks terms this one finds by. */
    if ((rc = cz_store_index_upgrade(st->store, &st->info.reindexed))) goto fail;
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
        (rc = cz_meta_put(t, "office_box", info->office_box, 32)) ||
        (rc = cz_store_index_mark_current(t)))
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

/* Makes DIR/db for a station that does not exist yet: CZ_EEXIST, or what
 * is wrong with what is there, when the folder exists.  *db_out gets its
 * path (malloc'd) on CZ_OK. */
static int new_db_folder(const char *dir, char **db_out)
{
    char *db = db_path(dir);
    struct stat sb;
    int rc;
    if (!db) return CZ_ENOMEM;
    if (stat(db, &sb) == 0) rc = existing_store(db);
    else if ((rc = mkdir_p(dir)) == CZ_OK) rc = mkdir_p(db);
    if (rc) { free(db); return rc; }
    *db_out = db;
    return CZ_OK;
}

int cz_station_create_store(const char *dir, cz_store **out)
{
    char *db = NULL;
    *out = NULL;
    int rc = new_db_folder(dir, &db);
    if (rc == CZ_OK) rc = cz_store_open(db, 1, out);
    free(db);
    return rc;
}

int cz_st_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CZ_NAME_MAX || !cz_utf8_valid(s, n)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '/' || s[i] == 0x7f) return 0;
    return 1;
}

/* What init is asked for, checked before anything is written. */
static int init_opts_check(const struct cz_init_opts *o, const char *pass, struct cz_identity *office,
                           char *why, size_t why_size)
{
    int rc;
    if (!cz_st_name_ok(o->name) || !cz_st_name_ok(o->user)) return CZ_EINVAL;
    if (!o->demo_passphrase && (rc = cz_passphrase_check(pass))) return rc;
    const char *region = o->region ? o->region : "";
    if (!cz_region_code_ok(region) || (o->kind == CZ_KIND_STATION && !region[0])) {
        snprintf(why, why_size, "region");
        return CZ_EPLACECODE;
    }
    memset(office, 0, sizeof *office);
    if (o->kind == CZ_KIND_STATION &&
        (!o->office_identity || cz_identity_parse(o->office_identity, office) != CZ_OK || !office->is_office)) {
        snprintf(why, why_size, "office-key");
        return CZ_EINVAL;
    }
    return CZ_OK;
}

/* The new station's info: its own box key, and the office's root and box
 * (its own at the office, the identity's at a station). */
static void new_info(const struct cz_init_opts *o, const cz_secrets *s, const struct cz_identity *office,
                     struct cz_station_info *info)
{
    memset(info, 0, sizeof *info);
    info->kind = o->kind;
    snprintf(info->name, sizeof info->name, "%s", o->name);
    snprintf(info->region, sizeof info->region, "%s", o->region ? o->region : "");
    snprintf(info->default_user, sizeof info->default_user, "%s", o->user);
    memcpy(info->box_pk, cz_secrets_box_pk(s), 32);
    if (o->kind == CZ_KIND_OFFICE) {
        memcpy(info->office_root, cz_secrets_root_pk(s), 32);
        memcpy(info->office_box, info->box_pk, 32);
        snprintf(info->office_name, sizeof info->office_name, "%s", o->name);
    } else {
        memcpy(info->office_root, office->root, 32);
        memcpy(info->office_box, office->box, 32);
        snprintf(info->office_name, sizeof info->office_name, "%s", office->name);
    }
}

/* A station set up from the identity of an office that has rolled its
 * root over: the chain starts at its first root, and the identity says
 * where each replaced root ends (roster.h). */
static int pin_office_chain(cz_txn *t, const struct cz_identity *office)
{
    if (office->nrolled) {
        uint8_t pins[(CZ_ROOT_CHAIN_MAX + 1) * 40];
        size_t np = 0;
        for (size_t k = 0; k <= office->nrolled; k++, np += 40) {
            memcpy(pins + np, k < office->nrolled ? office->rolled[k].key : office->root, 32);
            cz_put_be64(pins + np + 32, k < office->nrolled ? office->rolled[k].upto : UINT64_MAX);
        }
        int rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, office->rolled[0].key, 32);
        return rc ? rc : cz_meta_put(t, CZ_META_ROOT_PINS, pins, np);
    }
    if (office->has_anchor && memcmp(office->anchor, office->root, 32))
        return cz_meta_put(t, CZ_META_ROOT_ANCHOR, office->anchor, 32);
    return CZ_OK;
}

/* The new store's first transaction: the info, the founder's slot, the
 * office's root chain, and the founder and station keys introduced. */
static int write_founding(cz_store *store, const struct cz_init_opts *o, const struct cz_station_info *info,
                          const struct cz_identity *office, const cz_secrets *s, const uint8_t *blob,
                          size_t blob_len)
{
    const char *role = o->kind == CZ_KIND_OFFICE ? "office" : "supervisor";
    cz_txn *t = NULL;
    int rc = cz_txn_begin(store, 1, &t);
    if (rc) return rc;
    if ((rc = cz_station_put_info(t, info)) || (rc = cz_user_put(t, o->user, blob, blob_len)))
        goto abort;
    if (o->kind == CZ_KIND_STATION && (rc = pin_office_chain(t, office))) goto abort;
    /* At the office the founder's cert is the root log's first entry and
     * countersigned by the founder: the bootstrap of roster.h. */
    if ((rc = cz_st_introduce(t, info, s, s, s, cz_secrets_sign_pk(s), "person", o->user, role, NULL)) ||
        (rc = cz_st_introduce(t, info, s, s, s, info->box_pk, "station", o->name, role, NULL)))
        goto abort;
    return cz_txn_commit(t);
abort:
    cz_txn_abort(t);
    return rc;
}

int cz_station_init(const char *dir, const struct cz_init_opts *o, const char *pass,
                    cz_station **out, char *why, size_t why_size)
{
    cz_station *st = NULL;
    cz_secrets *s = NULL;
    cz_store *store = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    char *db = NULL;
    struct cz_identity office;
    struct cz_station_info info;
    int rc;

    *out = NULL;
    if (why_size) why[0] = 0;
    if ((rc = init_opts_check(o, pass, &office, why, why_size))) return rc;
    if ((rc = new_db_folder(dir, &db))) return rc;
    if ((rc = cz_secrets_generate(o->kind == CZ_KIND_OFFICE, &s)) ||
        (rc = cz_secrets_seal(s, pass, &blob, &blob_len)) ||
        (rc = cz_store_open(db, 1, &store)))
        goto cleanup;
    new_info(o, s, &office, &info);
    if ((rc = write_founding(store, o, &info, &office, s, blob, blob_len))) goto cleanup;
    if (!(st = calloc(1, sizeof *st)) || !(st->dir = strdup(dir))) { free(st); rc = CZ_ENOMEM; goto cleanup; }
    st->store = store;
    store = NULL;
    st->info = info;
    st->secrets = s;
    s = NULL;
    snprintf(st->user, sizeof st->user, "%s", o->user);
    *out = st;
cleanup:
    cz_store_close(store);
    free(db);
    free(blob);
    cz_secrets_free(s);
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

int cz_st_clock_gate(cz_station *st)
{
    struct cz_clock_state c;
    if (st->clock_confirmed) return CZ_OK;
    int rc = cz_station_clock(st, &c);
    if (rc) return rc;
    return c.pc_behind ? CZ_ECLOCKBEHIND : CZ_OK;
}
