/* backup_restore.c — rebuilding a station from a backup file (backup.h). */
#include "backup.h"

#include "backup_int.h"
#include "bundle.h"
#include "payload.h"
#include "bytes.h"
#include "fsutil.h"
#include "index.h"
#include "keys.h"
#include "roster.h"
#include "status.h"
#include "sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading, bounds-checked ---- */

struct rd { const uint8_t *p; size_t len, pos; int rc; };

static const uint8_t *r_take(struct rd *r, size_t n)
{
    if (r->rc) return NULL;
    if (n > r->len - r->pos) { r->rc = CZ_ETRUNC; return NULL; }
    const uint8_t *at = r->p + r->pos;
    r->pos += n;
    return at;
}
static uint8_t r_u8(struct rd *r) { const uint8_t *p = r_take(r, 1); return p ? *p : 0; }
static uint32_t r_u32(struct rd *r) { const uint8_t *p = r_take(r, 4); return p ? cz_get_be32(p) : 0; }
static uint64_t r_u64(struct rd *r) { const uint8_t *p = r_take(r, 8); return p ? cz_get_be64(p) : 0; }
static void r_bytes(struct rd *r, void *out, size_t n)
{
    const uint8_t *p = r_take(r, n);
    if (p) memcpy(out, p, n);
    else memset(out, 0, n);
}
/* A name of at most size-1 bytes; longer is refused as not ours. */
static void r_str(struct rd *r, char *out, size_t size)
{
    size_t n = r_u8(r);
    const uint8_t *p = r_take(r, n);
    out[0] = 0;
    if (!p) return;
    if (n >= size || memchr(p, 0, n)) { r->rc = CZ_ECANON; return; }
    memcpy(out, p, n);
    out[n] = 0;
}


/* ---- restoring ---- */

struct person { char name[CZ_NAME_MAX]; uint8_t pk[32]; };

struct section {
    unsigned version;
    struct cz_station_info info;
    uint64_t hlc, bundle_seq;
    int64_t made_at;
    size_t npeople;
    struct person people[CZ_BACKUP_SLOTS_MAX];
    uint8_t box_sk[32];               /* version 2 */
};

static int read_section(struct rd *r, struct section *s)
{
    const uint8_t *magic = r_take(r, 3);
    if (!magic) return r->rc;
    if (memcmp(magic, "CZS", 3)) return CZ_EMAGIC;
    uint8_t v = r_u8(r);
    if (!r->rc && (v < CZ_BACKUP_VERSION_MIN || v > CZ_BACKUP_VERSION)) return CZ_EVERSION;
    s->version = v;
    uint8_t kind = r_u8(r);
    if (!r->rc && kind > 1) return CZ_ECANON;
    s->info.kind = kind ? CZ_KIND_OFFICE : CZ_KIND_STATION;
    r_str(r, s->info.name, sizeof s->info.name);
    r_str(r, s->info.region, sizeof s->info.region);
    r_str(r, s->info.default_user, sizeof s->info.default_user);
    r_str(r, s->info.office_name, sizeof s->info.office_name);
    r_bytes(r, s->info.box_pk, 32);
    r_bytes(r, s->info.office_root, 32);
    r_bytes(r, s->info.office_box, 32);
    s->hlc = r_u64(r);
    s->bundle_seq = r_u64(r);
    s->made_at = (int64_t)r_u64(r);
    s->npeople = r_u8(r);
    if (s->npeople > CZ_BACKUP_SLOTS_MAX) return CZ_ECANON;
    for (size_t i = 0; i < s->npeople; i++) {
        r_str(r, s->people[i].name, sizeof s->people[i].name);
        r_bytes(r, s->people[i].pk, 32);
    }
    if (v >= 2) r_bytes(r, s->box_sk, 32);
    return r->rc;
}

/* The key slots of a file: version 1 as they are, version 2 each checked
 * against its checksum before anything costs an Argon2 run. */
struct slot { const uint8_t *blob; size_t len; uint8_t pk[32]; int damaged; };
struct slot_list {
    unsigned version;
    size_t n, first_bad;              /* first_bad: 1-based, 0 when none */
    size_t bundle_at;
    struct slot s[CZ_BACKUP_SLOTS_MAX];
};

static int read_slots(const uint8_t *buf, size_t len, struct slot_list *sl)
{
    struct rd r = { .p = buf, .len = len };
    memset(sl, 0, sizeof *sl);
    const uint8_t *magic = r_take(&r, 3);
    if (!magic) return r.rc;
    if (memcmp(magic, "CZA", 3)) return CZ_EMAGIC;
    uint8_t version = r_u8(&r);
    if (r.rc) return r.rc;
    if (version < CZ_BACKUP_VERSION_MIN || version > CZ_BACKUP_VERSION) return CZ_EVERSION;
    sl->version = version;
    uint8_t nslots = r_u8(&r);
    if (r.rc) return version == 1 ? r.rc : (sl->first_bad = 1, CZ_ESLOT);
    if (nslots == 0 || nslots > CZ_BACKUP_SLOTS_MAX) return version == 1 ? CZ_ECANON : (sl->first_bad = 1, CZ_ESLOT);
    sl->n = nslots;
    for (size_t i = 0; i < nslots; i++) {
        struct slot *s = &sl->s[i];
        s->len = r_u32(&r);
        if (!r.rc && s->len > CZ_BACKUP_BLOB_MAX) r.rc = CZ_ECANON;
        s->blob = r_take(&r, s->len);
        if (version >= 2) {
            const uint8_t *sum = r_take(&r, 32);
            uint8_t want[32];
            /* A slot that cannot even be stepped over hides where the rest
             * begins: the file is given up as damaged at that slot. */
            if (r.rc) { sl->first_bad = i + 1; return CZ_ESLOT; }
            cz_backup_slot_sum(nslots, i, s->blob, s->len, want);
            s->damaged = sodium_memcmp(want, sum, 32) != 0 || cz_keyblob_sign_pk(s->blob, s->len, s->pk) != CZ_OK;
            if (s->damaged && !sl->first_bad) sl->first_bad = i + 1;
        } else {
            int rc;
            if (r.rc) return r.rc;
            if ((rc = cz_keyblob_sign_pk(s->blob, s->len, s->pk))) return rc;
        }
    }
    sl->bundle_at = r.pos;
    return CZ_OK;
}

/* A leftover of a restore that was killed: DIR/.db.restore-<pid>. */
#define RESTORE_TMP ".db.restore-"

static void remove_tree(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        if (d) {
            struct dirent *e;
            /* LMDB makes only files in its folder */
            while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlinkat(dirfd(d), e->d_name, 0);
            closedir(d);
        } else {
            close(fd);
        }
    }
    unlinkat(parent, name, AT_REMOVEDIR);
}

/* Leftovers whose restore is no longer running (its process is gone) are
 * removed, so a killed restore never blocks the next one; init ignores
 * them (it only looks for DIR/db). */
static void sweep_restore_temps(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return; }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, RESTORE_TMP, sizeof RESTORE_TMP - 1)) continue;
        char *end;
        long pid = strtol(e->d_name + sizeof RESTORE_TMP - 1, &end, 10);
        if (*end || pid <= 0) continue;
        if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) continue;   /* still running */
        remove_tree(dirfd(d), e->d_name);
    }
    closedir(d);
}

struct user_blob { const char *name; const uint8_t *blob; size_t len; };

/* The station's info, clocks, people, retired keys and entries, into a
 * new store's write transaction. */
/* Entries between two calls of a restore's progress (each is a signature
 * check or a put: 256 of them take milliseconds). */
#define RESTORE_PROGRESS_EVERY 256

static void tell(const struct cz_progress *pr, size_t done, size_t total)
{
    if (pr && pr->fn) pr->fn(pr->ctx, done, total);
}

static int fill_store(cz_txn *t, const struct section *s, const struct cz_payload *pl,
                      const struct user_blob *users, size_t nusers, const uint8_t *retired, size_t nretired,
                      const struct cz_progress *pr)
{
    int rc;
    if ((rc = cz_station_put_info(t, &s->info)) ||
        (rc = cz_meta_put_u64(t, "hlc", s->hlc)) ||
        (rc = cz_meta_put_u64(t, "bundle_seq", s->bundle_seq)))
        return rc;
    for (size_t i = 0; i < nusers; i++)
        if ((rc = cz_user_put(t, users[i].name, users[i].blob, users[i].len))) return rc;
    if ((rc = cz_meta_put(t, CZ_META_RETIRED, retired, nretired * 32))) return rc;
    tell(pr, 0, pl->n);
    for (size_t i = 0; i < pl->n; i++) {
        struct cz_entry e;
        uint8_t id[CZ_ID_BYTES];
        int result;
        if (i && i % RESTORE_PROGRESS_EVERY == 0) tell(pr, i, pl->n);
        if ((rc = cz_entry_parse(pl->entry[i], pl->entry_len[i], &e))) return rc;
        cz_entry_id(pl->entry[i], pl->entry_len[i], id);
        /* The clock is the saved one: an entry's clock far ahead (another
         * station's wrong clock, flagged on import) must not drag it on. */
        if ((rc = cz_store_put_entry(t, &e, id, &result))) return rc;
    }
    /* A backup keeps the pinned root only: after a rollover, the chain's
     * first root is found again from the rollovers it holds (roster.h). */
    uint8_t anchor[32];
    if ((rc = cz_roster_find_anchor(t, s->info.office_root, anchor))) return rc;
    if (memcmp(anchor, s->info.office_root, 32) && (rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, anchor, 32)))
        return rc;
    if (s->info.kind == CZ_KIND_OFFICE) {
        uint64_t last = 0;
        uint8_t last_id[CZ_ID_BYTES];
        if ((rc = cz_store_log_last(t, s->info.office_root, &last, last_id)) ||
            (rc = cz_meta_put_u64(t, CZ_META_ROOT_FLOOR, last + CZ_ROOT_SEQ_GAP)))
            return rc;
    }
    return CZ_OK;
}

/* Writes the station into DIR/db: built in DIR/.db.restore-<pid> and
 * renamed into place once committed and closed, so a restore killed at
 * any moment leaves no DIR/db (a retry or an init goes ahead). */
static int rebuild(const char *dir, const struct section *s, const struct cz_payload *pl,
                   const struct user_blob *users, size_t nusers, const uint8_t *retired, size_t nretired,
                   const struct cz_progress *pr)
{
    char db[4200], tmp[4200];
    struct stat sb;
    cz_store *store = NULL;
    cz_txn *t = NULL;
    int rc, made = 0;

    if (snprintf(db, sizeof db, "%s/db", dir) >= (int)sizeof db ||
        snprintf(tmp, sizeof tmp, "%s/%s%ld", dir, RESTORE_TMP, (long)getpid()) >= (int)sizeof tmp)
        return CZ_EINVAL;
    if (stat(db, &sb) == 0) return CZ_EEXIST;
    if ((rc = cz_fs_make_dirs(dir, 0700))) return rc;
    sweep_restore_temps(dir);
    if (mkdir(tmp, 0700) != 0) return cz_fs_errno_status(errno);
    made = 1;
    if ((rc = cz_store_open(tmp, 1, &store))) goto cleanup;
    if ((rc = cz_txn_begin(store, 1, &t))) goto cleanup;
    if ((rc = fill_store(t, s, pl, users, nusers, retired, nretired, pr))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;
    tell(pr, pl->n, pl->n);
    cz_store_close(store);
    store = NULL;
    /* rename refuses to replace a folder that is not empty: a station
     * that appeared meanwhile is never overwritten. */
    if (rename(tmp, db) != 0) { rc = errno == ENOTEMPTY || errno == EEXIST ? CZ_EEXIST : cz_fs_errno_status(errno); goto cleanup; }
    made = 0;
    rc = cz_fs_fsync_dir(dir);
cleanup:
    cz_txn_abort(t);
    cz_store_close(store);
    if (made) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            remove_tree(fd, tmp + strlen(dir) + 1);
            close(fd);
        }
    }
    return rc;
}

/* The bundle part opened with box, the section and payload read and
 * checked; the entries decode and verify. */
static int open_part(const uint8_t *bundle, size_t bundle_len, const uint8_t box_pk[32], const uint8_t box_sk[32],
                     struct cz_bundle_header *h, uint8_t **plain, size_t *plain_len, struct section *s,
                     struct cz_payload *pl, const struct cz_progress *pr)
{
    int rc;
    if ((rc = cz_bundle_read_header(bundle, bundle_len, h))) return rc;
    if (!cz_bundle_addressed_to(h, box_pk)) return CZ_ENOTFORUS;
    if ((rc = cz_bundle_open(bundle, bundle_len, h, box_pk, box_sk, plain, plain_len))) return rc;
    struct rd rd = { .p = *plain, .len = *plain_len };
    if ((rc = read_section(&rd, s))) return rc;
    if ((rc = cz_payload_decode(*plain + rd.pos, *plain_len - rd.pos, pl))) return rc;
    if (pl->kind != CZ_PAYLOAD_BACKUP) return CZ_ETYPE;
    tell(pr, 0, pl->n);
    for (size_t i = 0; i < pl->n; i++) {
        struct cz_entry e;
        if (i && i % RESTORE_PROGRESS_EVERY == 0) tell(pr, i, pl->n);
        if ((rc = cz_entry_decode(pl->entry[i], pl->entry_len[i], &e)) || (rc = cz_entry_verify(&e))) return rc;
    }
    tell(pr, pl->n, pl->n);
    return CZ_OK;
}

static const char *person_of(const struct section *s, const uint8_t pk[32])
{
    for (size_t k = 0; k < s->npeople; k++)
        if (!memcmp(s->people[k].pk, pk, 32)) return s->people[k].name;
    return NULL;
}

/* Which person's passphrase this is: each sound slot is tried (an
 * Argon2id run each).  *opened: the slot that opened. */
static int open_some_slot(const struct slot_list *sl, const char *passphrase, cz_secrets **sec, size_t *opened)
{
    for (size_t i = 0; i < sl->n; i++) {
        if (sl->s[i].damaged) continue;
        int o = cz_secrets_open(sl->s[i].blob, sl->s[i].len, passphrase, sec);
        if (o == CZ_OK) { *opened = i; return CZ_OK; }
        if (o != CZ_EPASS) return sl->first_bad ? CZ_ESLOT : o;
    }
    /* The passphrase may be that of the damaged slot's person: never
     * called wrong while a slot could not be tried. */
    return sl->first_bad ? CZ_ESLOT : CZ_EPASS;
}

/* Made by one of this station's people, not by someone who only knows the
 * station's public key: a sound slot's key, or a person whose slot is
 * damaged (the section is inside what the station's key opened). */
static int signed_by_a_person(const struct slot_list *sl, const struct section *s, const uint8_t signer[32])
{
    for (size_t i = 0; i < sl->n; i++)
        if (!sl->s[i].damaged && !memcmp(sl->s[i].pk, signer, 32)) return 1;
    return sl->first_bad && person_of(s, signer) != NULL;
}

/* Everyone's old key is retired, the damaged slots' people's too; those
 * people are named in res->lost.  *retired malloc'd, *nretired keys. */
static int retire_keys(const struct slot_list *sl, const struct section *s, struct cz_restore_result *res,
                       uint8_t **retired, size_t *nretired)
{
    uint8_t *r = malloc((s->npeople + sl->n) * 32 + 1);
    size_t n = 0;
    if (!r) return CZ_ENOMEM;
    for (size_t i = 0; i < sl->n; i++)
        if (!sl->s[i].damaged) memcpy(r + 32 * n++, sl->s[i].pk, 32);
    for (size_t k = 0; k < s->npeople; k++) {
        int sound = 0;
        for (size_t i = 0; i < sl->n; i++) sound |= !sl->s[i].damaged && !memcmp(sl->s[i].pk, s->people[k].pk, 32);
        if (sound) continue;
        memcpy(r + 32 * n++, s->people[k].pk, 32);
        if (res->nlost < CZ_BACKUP_SLOTS_MAX) snprintf(res->lost[res->nlost++], CZ_NAME_MAX, "%s", s->people[k].name);
    }
    *retired = r;
    *nretired = n;
    return CZ_OK;
}

int cz_backup_restore(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                      struct cz_restore_result *res)
{
    return cz_backup_restore_with(dir, buf, len, passphrase, NULL, res);
}

int cz_backup_restore_with(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                           const struct cz_progress *pr, struct cz_restore_result *res)
{
    struct slot_list *sl = NULL;
    cz_secrets *sec = NULL;
    struct section *s = NULL;
    struct cz_payload pl = { 0 };
    struct cz_bundle_header h;
    struct user_blob users[CZ_BACKUP_SLOTS_MAX];
    uint8_t *plain = NULL, *retired = NULL;
    size_t plain_len = 0, opened = SIZE_MAX, nusers = 0, nretired = 0;
    int rc;

    memset(res, 0, sizeof *res);
    if (!(sl = malloc(sizeof *sl)) || !(s = calloc(1, sizeof *s))) { rc = CZ_ENOMEM; goto cleanup; }
    rc = read_slots(buf, len, sl);
    res->bad_slot = sl->first_bad;
    if (rc) goto cleanup;
    if ((rc = open_some_slot(sl, passphrase, &sec, &opened))) goto cleanup;

    if ((rc = open_part(buf + sl->bundle_at, len - sl->bundle_at, cz_secrets_box_pk(sec), cz_secrets_box_sk(sec), &h,
                        &plain, &plain_len, s, &pl, pr)))
        goto cleanup;
    if (memcmp(s->info.box_pk, cz_secrets_box_pk(sec), 32)) { rc = CZ_ECANON; goto cleanup; }
    if (s->version >= 2 && sodium_memcmp(s->box_sk, cz_secrets_box_sk(sec), 32)) { rc = CZ_ECANON; goto cleanup; }
    if (!signed_by_a_person(sl, s, h.signer)) { rc = CZ_ESIG; goto cleanup; }
    /* Every sound blob must have a name, or a person would lose their login. */
    for (size_t i = 0; i < sl->n; i++) {
        if (sl->s[i].damaged) continue;
        const char *name = person_of(s, sl->s[i].pk);
        if (!name || !name[0]) { rc = CZ_ECANON; goto cleanup; }
        users[nusers++] = (struct user_blob){ .name = name, .blob = sl->s[i].blob, .len = sl->s[i].len };
        if (i == opened) snprintf(res->user, sizeof res->user, "%s", name);
    }
    if ((rc = retire_keys(sl, s, res, &retired, &nretired))) goto cleanup;
    if ((rc = rebuild(dir, s, &pl, users, nusers, retired, nretired, pr))) goto cleanup;
    res->info = s->info;
    res->entries = pl.n;
    res->people = nusers;
    res->made_at = s->made_at;
cleanup:
    free(retired);
    free(s);
    free(sl);
    cz_payload_free(&pl);
    cz_bundle_plain_free(plain, plain_len);
    cz_secrets_free(sec);
    return rc;
}

/* The bundle part when the slots cannot be stepped over: the one offset
 * where a bundle header checks (signed, and its length is the rest of the
 * file). */
static int find_part(const uint8_t *buf, size_t len, size_t *at)
{
    struct cz_bundle_header h;
    for (size_t i = 5; i + 3 <= len; i++) {
        const uint8_t *p = memchr(buf + i, 'C', len - i);
        if (!p) break;
        i = (size_t)(p - buf);
        if (len - i >= 3 && !memcmp(p, "CZB", 3) && cz_bundle_read_header(p, len - i, &h) == CZ_OK) {
            *at = i;
            return CZ_OK;
        }
    }
    return CZ_ETRUNC;
}

/* The person the rebuilt station's new slot is for: `user` when given,
 * else the only person, else the station's default user; NULL when none. */
static const char *restore_person(const struct section *s, const char *user)
{
    if (user && *user) {
        for (size_t k = 0; k < s->npeople; k++)
            if (!strcmp(s->people[k].name, user)) return s->people[k].name;
        return NULL;
    }
    if (s->npeople == 1) return s->people[0].name;
    for (size_t k = 0; k < s->npeople; k++)
        if (!strcmp(s->people[k].name, s->info.default_user)) return s->people[k].name;
    return NULL;
}

/* Every old key is retired, and the new slot's (fresh_pk) too: that
 * person's first login makes a key of their own and announces it as at any
 * restore (station_people.c), for the office to enrol.  malloc'd, npeople + 1
 * keys; NULL when out of memory. */
static uint8_t *retire_with(const struct section *s, const uint8_t fresh_pk[32])
{
    uint8_t *retired = malloc((s->npeople + 1) * 32);
    if (!retired) return NULL;
    for (size_t k = 0; k < s->npeople; k++) memcpy(retired + 32 * k, s->people[k].pk, 32);
    memcpy(retired + 32 * s->npeople, fresh_pk, 32);
    return retired;
}

int cz_backup_restore_office(const char *dir, const uint8_t *buf, size_t len, const cz_secrets *office,
                             const char *user, const char *new_pass, struct cz_restore_result *res)
{
    return cz_backup_restore_office_with(dir, buf, len, office, user, new_pass, NULL, res);
}

int cz_backup_restore_office_with(const char *dir, const uint8_t *buf, size_t len, const cz_secrets *office,
                                  const char *user, const char *new_pass, const struct cz_progress *pr,
                                  struct cz_restore_result *res)
{
    struct slot_list *sl = NULL;
    cz_secrets *fresh = NULL;
    struct section *s = NULL;
    struct cz_payload pl = { 0 };
    struct cz_bundle_header h;
    struct user_blob users[CZ_BACKUP_SLOTS_MAX + 1];
    uint8_t *plain = NULL, *retired = NULL, *blob = NULL;
    size_t plain_len = 0, blob_len = 0, nusers = 0, at = 0;
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = cz_passphrase_check(new_pass))) return rc;
    if (!(sl = malloc(sizeof *sl)) || !(s = calloc(1, sizeof *s))) { rc = CZ_ENOMEM; goto cleanup; }
    rc = read_slots(buf, len, sl);
    if (rc == CZ_EMAGIC || rc == CZ_EVERSION) goto cleanup;
    if (rc == CZ_OK) at = sl->bundle_at;
    else if ((rc = find_part(buf, len, &at))) goto cleanup;
    if (rc != CZ_OK || sl->bundle_at != at) sl->n = 0;   /* slots not to be trusted */
    if ((rc = open_part(buf + at, len - at, cz_secrets_box_pk(office), cz_secrets_box_sk(office), &h, &plain,
                        &plain_len, s, &pl, pr)))
        goto cleanup;
    if (memcmp(s->info.office_box, cz_secrets_box_pk(office), 32)) { rc = CZ_ENOTFORUS; goto cleanup; }
    /* The office root cannot be given back this way: it is in no backup's
     * sealed part. */
    if (s->info.kind != CZ_KIND_STATION) { rc = CZ_EPERM; goto cleanup; }
    if (s->version < 2) { rc = CZ_ENOSECRET; goto cleanup; }
    if (!person_of(s, h.signer)) { rc = CZ_ESIG; goto cleanup; }
    if ((rc = cz_secrets_for_station(s->box_sk, &fresh))) goto cleanup;
    if (memcmp(cz_secrets_box_pk(fresh), s->info.box_pk, 32)) { rc = CZ_ECANON; goto cleanup; }
    const char *who = restore_person(s, user);
    if (!who) { rc = CZ_ENOUSER; goto cleanup; }
    if ((rc = cz_secrets_seal(fresh, new_pass, &blob, &blob_len))) goto cleanup;
    /* The sound slots of the others come back as they were. */
    for (size_t i = 0; i < sl->n; i++) {
        const char *name = sl->s[i].damaged ? NULL : person_of(s, sl->s[i].pk);
        if (name && strcmp(name, who)) users[nusers++] = (struct user_blob){ .name = name, .blob = sl->s[i].blob, .len = sl->s[i].len };
    }
    users[nusers++] = (struct user_blob){ .name = who, .blob = blob, .len = blob_len };
    if (!(retired = retire_with(s, cz_secrets_sign_pk(fresh)))) { rc = CZ_ENOMEM; goto cleanup; }
    if ((rc = rebuild(dir, s, &pl, users, nusers, retired, s->npeople + 1, pr))) goto cleanup;
    res->info = s->info;
    res->entries = pl.n;
    res->people = nusers;
    res->made_at = s->made_at;
    snprintf(res->user, sizeof res->user, "%s", who);
cleanup:
    free(retired);
    free(blob);
    free(s);
    free(sl);
    cz_payload_free(&pl);
    cz_bundle_plain_free(plain, plain_len);
    cz_secrets_free(fresh);
    return rc;
}
