#include "backup.h"
#include "roster.h"
#include "bundle.h"
#include "payload.h"
#include "keys.h"
#include "status.h"
#include "fsutil.h"
#include "stick.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a growing buffer ---- */

struct buf { uint8_t *p; size_t len, cap; int rc; };

static void b_add(struct buf *b, const void *p, size_t n)
{
    if (b->rc) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n) cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (!np) { b->rc = CZ_ENOMEM; return; }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void b_u8(struct buf *b, uint8_t v) { b_add(b, &v, 1); }
static void b_u32(struct buf *b, uint32_t v)
{
    uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    b_add(b, p, 4);
}
static void b_u64(struct buf *b, uint64_t v)
{
    uint8_t p[8];
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
    b_add(b, p, 8);
}
static void b_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > 255) { b->rc = CZ_ETOOBIG; return; }
    b_u8(b, (uint8_t)n);
    b_add(b, s, n);
}

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
static uint64_t r_uint(struct rd *r, size_t n)
{
    const uint8_t *p = r_take(r, n);
    uint64_t v = 0;
    for (size_t i = 0; p && i < n; i++) v = v << 8 | p[i];
    return v;
}
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

/* ---- writing ---- */

struct slots { struct buf *file; struct buf *names; size_t n; int rc; };

/* Version 2: each slot's checksum, over the slot and where it sits. */
static void slot_sum(uint8_t nslots, size_t index, const uint8_t *blob, size_t len, uint8_t out[32])
{
    crypto_generichash_state st;
    uint8_t at[7] = { 2, nslots, (uint8_t)index, (uint8_t)(len >> 24), (uint8_t)(len >> 16),
                      (uint8_t)(len >> 8), (uint8_t)len };
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"CZA slot", 8);
    crypto_generichash_update(&st, at, sizeof at);
    crypto_generichash_update(&st, blob, len);
    crypto_generichash_final(&st, out, 32);
}


static int slot_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct slots *s = ctx;
    uint8_t pk[32];
    if (len > CZ_BACKUP_BLOB_MAX || s->n == CZ_BACKUP_SLOTS_MAX) return s->rc = CZ_ETOOBIG;
    if ((s->rc = cz_keyblob_sign_pk(blob, len, pk))) return s->rc;
    b_u32(s->file, (uint32_t)len);
    b_add(s->file, blob, len);
    b_add(s->file, (const uint8_t[32]){ 0 }, 32);    /* the checksum, once nslots is known */
    b_str(s->names, name);
    b_add(s->names, pk, 32);
    s->n++;
    return 0;
}

static uint64_t seq_of(const uint8_t key[40])
{
    uint64_t s = 0;
    for (int i = 0; i < 8; i++) s = s << 8 | key[32 + i];
    return s;
}

static int vv_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    return cz_vv_add(ctx, key, seq_of(key), val);
}

/* Pass 0 takes the entries that hold their log position, pass 1 the other
 * halves of forks, so a restore records the same fork the same way. */
struct entries_ctx { cz_txn *t; struct cz_payload_writer *w; int pass; size_t n; };

static int entries_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct entries_ctx *x = ctx;
    struct cz_entry e;
    uint8_t at[CZ_ID_BYTES];
    int rc;
    if (klen != CZ_ID_BYTES || (rc = cz_entry_parse(val, vlen, &e))) return CZ_EDB;
    rc = cz_store_log_get(x->t, e.origin, e.seq, at);
    if (rc && rc != CZ_ENOTFOUND) return rc;
    int in_log = rc == CZ_OK && !memcmp(at, key, CZ_ID_BYTES);
    if (in_log != (x->pass == 0)) return 0;
    x->n++;
    return cz_payload_add(x->w, val, vlen);
}

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(ctx, msg, len, sig);
}

/* A stick that loses or changes writes is caught now, while the station
 * is still here to write another backup.  The file's cached pages are
 * dropped first (after the fsync the write made), so the bytes come from
 * the stick where the kernel lets go of them. */
static int read_back(const char *path, const uint8_t *want, size_t len)
{
    uint8_t chunk[65536];
    int fd;
    int rc = cz_fs_open_regular(AT_FDCWD, path, &fd);
    if (rc) return rc == CZ_ENOTFOUND ? CZ_EREADBACK : rc;
#ifdef POSIX_FADV_DONTNEED
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
#endif
    size_t off = 0;
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { rc = CZ_EIO; break; }
        if (r == 0) { rc = off == len ? CZ_OK : CZ_EREADBACK; break; }
        if ((size_t)r > len - off || memcmp(chunk, want + off, (size_t)r)) { rc = CZ_EREADBACK; break; }
        off += (size_t)r;
    }
    close(fd);
    return rc;
}

int cz_backup_write(cz_station *st, const char *stick, struct cz_backup_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    struct buf file = { 0 }, names = { 0 }, plain = { 0 };
    struct cz_payload_writer w = { 0 };
    struct cz_vv vv = { 0 };
    uint8_t *sealed = NULL, id[CZ_ID_BYTES];
    size_t sealed_len = 0;
    uint64_t hlc = 0, seq = 0;
    cz_txn *t = NULL;
    int rc;

    memset(res, 0, sizeof *res);
    if (!sec) return CZ_EPERM;
    /* The backup takes a bundle sequence number like an export, so no two
     * files from this station share one. */
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) return rc;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", &seq)) && rc != CZ_ENOTFOUND) goto cleanup;
    seq++;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", seq))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;

    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) goto cleanup;
    b_add(&file, "CZA", 3);
    b_u8(&file, CZ_BACKUP_VERSION);
    b_u8(&file, 0);                                  /* nslots, set below */
    struct slots sl = { &file, &names, 0, CZ_OK };
    if ((rc = cz_user_each(t, slot_cb, &sl)) || (rc = sl.rc)) goto cleanup;
    if (sl.n == 0) { rc = CZ_ENOUSER; goto cleanup; }
    if ((rc = cz_meta_get_u64(t, "hlc", &hlc)) && rc != CZ_ENOTFOUND) goto cleanup;

    b_add(&plain, "CZS", 3);
    b_u8(&plain, CZ_BACKUP_VERSION);
    b_u8(&plain, info->kind == CZ_KIND_OFFICE);
    b_str(&plain, info->name);
    b_str(&plain, info->region);
    b_str(&plain, info->default_user);
    b_str(&plain, info->office_name);
    b_add(&plain, info->box_pk, 32);
    b_add(&plain, info->office_root, 32);
    b_add(&plain, info->office_box, 32);
    b_u64(&plain, hlc);
    b_u64(&plain, seq);
    b_u64(&plain, (uint64_t)(int64_t)time(NULL));
    b_u8(&plain, (uint8_t)sl.n);
    b_add(&plain, names.p, names.len);
    /* The station key, for the office alone to rebuild the station when
     * every slot is damaged (it already reads all the station holds). */
    b_add(&plain, cz_secrets_box_sk(sec), 32);

    if ((rc = cz_store_each_log(t, vv_cb, &vv))) goto cleanup;
    if ((rc = cz_payload_start(&w, CZ_PAYLOAD_BACKUP, &vv))) goto cleanup;
    struct entries_ctx x = { t, &w, 0, 0 };
    if ((rc = cz_store_each_entry(t, entries_cb, &x))) goto cleanup;
    x.pass = 1;
    if ((rc = cz_store_each_entry(t, entries_cb, &x))) goto cleanup;
    cz_payload_finish(&w);
    cz_txn_abort(t);
    t = NULL;
    b_add(&plain, w.buf, w.len);
    if ((rc = file.rc) || (rc = names.rc) || (rc = plain.rc)) goto cleanup;
    file.p[4] = (uint8_t)sl.n;
    for (size_t i = 0, at = 5; i < sl.n; i++) {
        size_t blen = (size_t)file.p[at] << 24 | (size_t)file.p[at + 1] << 16 | (size_t)file.p[at + 2] << 8 | file.p[at + 3];
        slot_sum((uint8_t)sl.n, i, file.p + at + 4, blen, file.p + at + 4 + blen);
        at += 4 + blen + 32;
    }

    /* Sealed to this station and the office: either can open it, and
     * restore needs this station's key, which the blobs above give back. */
    uint8_t rcpt[2][32];
    size_t nrcpt = 1;
    memcpy(rcpt[0], info->box_pk, 32);
    if (memcmp(info->office_box, info->box_pk, 32)) memcpy(rcpt[nrcpt++], info->office_box, 32);
    struct cz_bundle_params p = { info->box_pk, seq, (const uint8_t (*)[32])rcpt, nrcpt,
                                  cz_secrets_sign_pk(sec), sign_cb, (void *)sec, 0 };
    if ((rc = cz_bundle_seal(&p, plain.p, plain.len, &sealed, &sealed_len, id))) goto cleanup;
    b_add(&file, sealed, sealed_len);
    if ((rc = file.rc)) goto cleanup;

    char folder[4096], name[64], boxhex[65], idhex[65], when[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
    cz_hex(info->box_pk, 32, boxhex);
    cz_hex(id, CZ_ID_BYTES, idhex);
    if (snprintf(folder, sizeof folder, "cunzhan/backup/%.16s", boxhex) >= (int)sizeof folder) {
        rc = CZ_EINVAL;
        goto cleanup;
    }
    snprintf(name, sizeof name, "%s-%.16s.czbak", when, idhex);
    /* A killed backup's temp file goes first, so a full stick has room. */
    size_t swept;
    if ((rc = cz_stick_sweep_backup_temps(stick, info->box_pk, (int64_t)now, CZ_STICK_TEMP_AGE, &swept))) goto cleanup;
    /* No symlink on the stick is followed (a `cunzhan` link could point anywhere). */
    if ((rc = cz_file_write_under(stick, folder, name, file.p, file.len, res->path, sizeof res->path))) goto cleanup;
    if ((rc = read_back(res->path, file.p, file.len))) goto cleanup;
    res->entries = x.n;
    res->people = sl.n;
    res->bytes = file.len;
cleanup:
    cz_txn_abort(t);
    if (plain.p) sodium_memzero(plain.p, plain.len);
    if (w.buf) sodium_memzero(w.buf, w.len);
    free(plain.p);
    free(w.buf);
    free(names.p);
    free(file.p);
    free(sealed);
    cz_vv_free(&vv);
    return rc;
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
    s->hlc = r_uint(r, 8);
    s->bundle_seq = r_uint(r, 8);
    s->made_at = (int64_t)r_uint(r, 8);
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
    struct rd r = { buf, len, 0, CZ_OK };
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
        s->len = (size_t)r_uint(&r, 4);
        if (!r.rc && s->len > CZ_BACKUP_BLOB_MAX) r.rc = CZ_ECANON;
        s->blob = r_take(&r, s->len);
        if (version >= 2) {
            const uint8_t *sum = r_take(&r, 32);
            uint8_t want[32];
            /* A slot that cannot even be stepped over hides where the rest
             * begins: the file is given up as damaged at that slot. */
            if (r.rc) { sl->first_bad = i + 1; return CZ_ESLOT; }
            slot_sum(nslots, i, s->blob, s->len, want);
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

/* Writes the station into DIR/db: built in DIR/.db.restore-<pid> and
 * renamed into place once committed and closed, so a restore killed at
 * any moment leaves no DIR/db (a retry or an init goes ahead). */
static int rebuild(const char *dir, const struct section *s, const struct cz_payload *pl,
                   const struct user_blob *users, size_t nusers, const uint8_t *retired, size_t nretired)
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
    if (mkdir(tmp, 0700) != 0) return CZ_EIO;
    made = 1;
    if ((rc = cz_store_open(tmp, 1, &store))) goto cleanup;
    if ((rc = cz_txn_begin(store, 1, &t))) goto cleanup;
    if ((rc = cz_station_put_info(t, &s->info)) ||
        (rc = cz_meta_put_u64(t, "hlc", s->hlc)) ||
        (rc = cz_meta_put_u64(t, "bundle_seq", s->bundle_seq)))
        goto cleanup;
    for (size_t i = 0; i < nusers; i++)
        if ((rc = cz_user_put(t, users[i].name, users[i].blob, users[i].len))) goto cleanup;
    if ((rc = cz_meta_put(t, CZ_META_RETIRED, retired, nretired * 32))) goto cleanup;
    for (size_t i = 0; i < pl->n; i++) {
        struct cz_entry e;
        uint8_t id[CZ_ID_BYTES];
        int result;
        if ((rc = cz_entry_parse(pl->entry[i], pl->entry_len[i], &e))) goto cleanup;
        cz_entry_id(pl->entry[i], pl->entry_len[i], id);
        /* The clock is the saved one: an entry's clock far ahead (another
         * station's wrong clock, flagged on import) must not drag it on. */
        if ((rc = cz_store_put_entry(t, &e, id, &result))) goto cleanup;
    }
    /* A backup keeps the pinned root only: after a rollover, the chain's
     * first root is found again from the rollovers it holds (roster.h). */
    uint8_t anchor[32];
    if ((rc = cz_roster_find_anchor(t, s->info.office_root, anchor))) goto cleanup;
    if (memcmp(anchor, s->info.office_root, 32) && (rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, anchor, 32)))
        goto cleanup;
    if (s->info.kind == CZ_KIND_OFFICE) {
        uint64_t last = 0;
        uint8_t last_id[CZ_ID_BYTES];
        if ((rc = cz_store_log_last(t, s->info.office_root, &last, last_id)) ||
            (rc = cz_meta_put_u64(t, CZ_META_ROOT_FLOOR, last + CZ_ROOT_SEQ_GAP)))
            goto cleanup;
    }
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;
    cz_store_close(store);
    store = NULL;
    /* rename refuses to replace a folder that is not empty: a station
     * that appeared meanwhile is never overwritten. */
    if (rename(tmp, db) != 0) { rc = errno == ENOTEMPTY || errno == EEXIST ? CZ_EEXIST : CZ_EIO; goto cleanup; }
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
                     struct cz_payload *pl)
{
    int rc;
    if ((rc = cz_bundle_read_header(bundle, bundle_len, h))) return rc;
    if (!cz_bundle_addressed_to(h, box_pk)) return CZ_ENOTFORUS;
    if ((rc = cz_bundle_open(bundle, bundle_len, h, box_pk, box_sk, plain, plain_len))) return rc;
    struct rd pr = { *plain, *plain_len, 0, CZ_OK };
    if ((rc = read_section(&pr, s))) return rc;
    if ((rc = cz_payload_decode(*plain + pr.pos, *plain_len - pr.pos, pl))) return rc;
    if (pl->kind != CZ_PAYLOAD_BACKUP) return CZ_ETYPE;
    for (size_t i = 0; i < pl->n; i++) {
        struct cz_entry e;
        if ((rc = cz_entry_decode(pl->entry[i], pl->entry_len[i], &e)) || (rc = cz_entry_verify(&e))) return rc;
    }
    return CZ_OK;
}

static const char *person_of(const struct section *s, const uint8_t pk[32])
{
    for (size_t k = 0; k < s->npeople; k++)
        if (!memcmp(s->people[k].pk, pk, 32)) return s->people[k].name;
    return NULL;
}

int cz_backup_restore(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                      struct cz_restore_result *res)
{
    struct slot_list *sl = NULL;
    cz_secrets *sec = NULL;
    struct section *s = NULL;
    struct cz_payload pl = { 0 };
    struct cz_bundle_header h;
    struct user_blob users[CZ_BACKUP_SLOTS_MAX];
    uint8_t *plain = NULL, *retired = NULL;
    size_t plain_len = 0, opened = SIZE_MAX, nusers = 0;
    int rc;

    memset(res, 0, sizeof *res);
    if (!(sl = malloc(sizeof *sl)) || !(s = calloc(1, sizeof *s))) { rc = CZ_ENOMEM; goto cleanup; }
    rc = read_slots(buf, len, sl);
    res->bad_slot = sl->first_bad;
    if (rc) goto cleanup;
    /* Which person's passphrase this is: try each sound slot (Argon2id each). */
    rc = CZ_EPASS;
    for (size_t i = 0; i < sl->n && opened == SIZE_MAX; i++) {
        if (sl->s[i].damaged) continue;
        int o = cz_secrets_open(sl->s[i].blob, sl->s[i].len, passphrase, &sec);
        if (o == CZ_OK) opened = i;
        else if (o != CZ_EPASS) { rc = o; break; }
    }
    /* The passphrase may be that of the damaged slot's person: never
     * called wrong while a slot could not be tried. */
    if (opened == SIZE_MAX) { if (sl->first_bad) rc = CZ_ESLOT; goto cleanup; }

    if ((rc = open_part(buf + sl->bundle_at, len - sl->bundle_at, cz_secrets_box_pk(sec), cz_secrets_box_sk(sec), &h,
                        &plain, &plain_len, s, &pl)))
        goto cleanup;
    if (memcmp(s->info.box_pk, cz_secrets_box_pk(sec), 32)) { rc = CZ_ECANON; goto cleanup; }
    if (s->version >= 2 && sodium_memcmp(s->box_sk, cz_secrets_box_sk(sec), 32)) { rc = CZ_ECANON; goto cleanup; }
    /* Made by one of this station's people, not by someone who only knows
     * the station's public key: a sound slot's key, or a person whose slot
     * is damaged (the section is inside what the station's key opened). */
    int signer_known = 0;
    for (size_t i = 0; i < sl->n; i++) signer_known |= !sl->s[i].damaged && !memcmp(sl->s[i].pk, h.signer, 32);
    if (!signer_known && sl->first_bad) signer_known = person_of(s, h.signer) != NULL;
    if (!signer_known) { rc = CZ_ESIG; goto cleanup; }
    /* Every sound blob must have a name, or a person would lose their login. */
    for (size_t i = 0; i < sl->n; i++) {
        if (sl->s[i].damaged) continue;
        const char *name = person_of(s, sl->s[i].pk);
        if (!name || !name[0]) { rc = CZ_ECANON; goto cleanup; }
        users[nusers++] = (struct user_blob){ name, sl->s[i].blob, sl->s[i].len };
        if (i == opened) snprintf(res->user, sizeof res->user, "%s", name);
    }
    /* Everyone's old key is retired, the damaged slots' people's too. */
    if (!(retired = malloc((s->npeople + sl->n) * 32 + 1))) { rc = CZ_ENOMEM; goto cleanup; }
    size_t nretired = 0;
    for (size_t i = 0; i < sl->n; i++)
        if (!sl->s[i].damaged) memcpy(retired + 32 * nretired++, sl->s[i].pk, 32);
    for (size_t k = 0; k < s->npeople; k++) {
        int sound = 0;
        for (size_t i = 0; i < sl->n; i++) sound |= !sl->s[i].damaged && !memcmp(sl->s[i].pk, s->people[k].pk, 32);
        if (sound) continue;
        memcpy(retired + 32 * nretired++, s->people[k].pk, 32);
        if (res->nlost < CZ_BACKUP_SLOTS_MAX) snprintf(res->lost[res->nlost++], CZ_NAME_MAX, "%s", s->people[k].name);
    }
    if ((rc = rebuild(dir, s, &pl, users, nusers, retired, nretired))) goto cleanup;
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

int cz_backup_restore_office(const char *dir, const uint8_t *buf, size_t len, const cz_secrets *office,
                             const char *user, const char *new_pass, struct cz_restore_result *res)
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
                        &plain_len, s, &pl)))
        goto cleanup;
    if (memcmp(s->info.office_box, cz_secrets_box_pk(office), 32)) { rc = CZ_ENOTFORUS; goto cleanup; }
    /* The office root cannot be given back this way: it is in no backup's
     * sealed part. */
    if (s->info.kind != CZ_KIND_STATION) { rc = CZ_EPERM; goto cleanup; }
    if (s->version < 2) { rc = CZ_ENOSECRET; goto cleanup; }
    if (!person_of(s, h.signer)) { rc = CZ_ESIG; goto cleanup; }
    if ((rc = cz_secrets_for_station(s->box_sk, &fresh))) goto cleanup;
    if (memcmp(cz_secrets_box_pk(fresh), s->info.box_pk, 32)) { rc = CZ_ECANON; goto cleanup; }
    const char *who = NULL;
    if (user && *user) {
        for (size_t k = 0; k < s->npeople && !who; k++)
            if (!strcmp(s->people[k].name, user)) who = s->people[k].name;
    } else {
        who = s->npeople == 1 ? s->people[0].name : NULL;
        for (size_t k = 0; k < s->npeople && !who; k++)
            if (!strcmp(s->people[k].name, s->info.default_user)) who = s->people[k].name;
    }
    if (!who) { rc = CZ_ENOUSER; goto cleanup; }
    if ((rc = cz_secrets_seal(fresh, new_pass, &blob, &blob_len))) goto cleanup;
    /* The sound slots of the others come back as they were. */
    for (size_t i = 0; i < sl->n; i++) {
        const char *name = sl->s[i].damaged ? NULL : person_of(s, sl->s[i].pk);
        if (name && strcmp(name, who)) users[nusers++] = (struct user_blob){ name, sl->s[i].blob, sl->s[i].len };
    }
    users[nusers++] = (struct user_blob){ who, blob, blob_len };
    /* Every old key is retired, and the new slot's too: that person's
     * first login makes a key of their own and announces it as at any
     * restore (station.c), for the office to enrol. */
    if (!(retired = malloc((s->npeople + 1) * 32))) { rc = CZ_ENOMEM; goto cleanup; }
    for (size_t k = 0; k < s->npeople; k++) memcpy(retired + 32 * k, s->people[k].pk, 32);
    memcpy(retired + 32 * s->npeople, cz_secrets_sign_pk(fresh), 32);
    if ((rc = rebuild(dir, s, &pl, users, nusers, retired, s->npeople + 1))) goto cleanup;
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
