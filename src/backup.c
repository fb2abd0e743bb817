#include "backup.h"
#include "roster.h"
#include "bundle.h"
#include "keys.h"
#include "status.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static int slot_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct slots *s = ctx;
    uint8_t pk[32];
    if (len > CZ_BACKUP_BLOB_MAX || s->n == CZ_BACKUP_SLOTS_MAX) return s->rc = CZ_ETOOBIG;
    if ((s->rc = cz_keyblob_sign_pk(blob, len, pk))) return s->rc;
    b_u32(s->file, (uint32_t)len);
    b_add(s->file, blob, len);
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
    /* No symlink on the stick is followed (a `cunzhan` link could point anywhere). */
    if ((rc = cz_file_write_under(stick, folder, name, file.p, file.len, res->path, sizeof res->path))) goto cleanup;
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
    struct cz_station_info info;
    uint64_t hlc, bundle_seq;
    int64_t made_at;
    size_t npeople;
    struct person people[CZ_BACKUP_SLOTS_MAX];
};

static int read_section(struct rd *r, struct section *s)
{
    const uint8_t *magic = r_take(r, 3);
    if (!magic) return r->rc;
    if (memcmp(magic, "CZS", 3)) return CZ_EMAGIC;
    uint8_t v = r_u8(r);
    if (!r->rc && v != CZ_BACKUP_VERSION) return CZ_EVERSION;
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
    return r->rc;
}

/* Removes what a failed restore created, so it can simply be run again. */
static void remove_db(const char *dir)
{
    char p[4200];
    static const char *files[] = { "data.mdb", "lock.mdb" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/db/%s", dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/db", dir);
    rmdir(p);
}

int cz_backup_restore(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                      struct cz_restore_result *res)
{
    struct rd r = { buf, len, 0, CZ_OK };
    const uint8_t *blob[CZ_BACKUP_SLOTS_MAX];
    size_t blob_len[CZ_BACKUP_SLOTS_MAX], nslots, opened = SIZE_MAX;
    uint8_t slot_pk[CZ_BACKUP_SLOTS_MAX][32];
    cz_secrets *sec = NULL;
    struct section *s = NULL;
    struct cz_payload pl = { 0 };
    struct cz_bundle_header h;
    uint8_t *plain = NULL, *retired = NULL;
    size_t plain_len = 0;
    cz_store *store = NULL;
    cz_txn *t = NULL;
    int rc, created = 0;

    memset(res, 0, sizeof *res);
    const uint8_t *magic = r_take(&r, 3);
    if (!magic) return r.rc;
    if (memcmp(magic, "CZA", 3)) return CZ_EMAGIC;
    uint8_t version = r_u8(&r);
    if (!r.rc && version != CZ_BACKUP_VERSION) return CZ_EVERSION;
    nslots = r_u8(&r);
    if (r.rc) return r.rc;
    if (nslots == 0 || nslots > CZ_BACKUP_SLOTS_MAX) return CZ_ECANON;
    for (size_t i = 0; i < nslots; i++) {
        blob_len[i] = (size_t)r_uint(&r, 4);
        if (!r.rc && blob_len[i] > CZ_BACKUP_BLOB_MAX) return CZ_ECANON;
        blob[i] = r_take(&r, blob_len[i]);
        if (r.rc) return r.rc;
        if ((rc = cz_keyblob_sign_pk(blob[i], blob_len[i], slot_pk[i]))) return rc;
    }
    /* Which person's passphrase this is: try each slot (Argon2id each). */
    rc = CZ_EPASS;
    for (size_t i = 0; i < nslots && opened == SIZE_MAX; i++) {
        int o = cz_secrets_open(blob[i], blob_len[i], passphrase, &sec);
        if (o == CZ_OK) opened = i;
        else if (o != CZ_EPASS) { rc = o; break; }
    }
    if (opened == SIZE_MAX) return rc;

    const uint8_t *bundle = buf + r.pos;
    size_t bundle_len = len - r.pos;
    if ((rc = cz_bundle_read_header(bundle, bundle_len, &h))) goto cleanup;
    if (!cz_bundle_addressed_to(&h, cz_secrets_box_pk(sec))) { rc = CZ_ENOTFORUS; goto cleanup; }
    /* Made by one of this station's people, not by someone who only knows
     * the station's public key. */
    int signer_known = 0;
    for (size_t i = 0; i < nslots; i++) signer_known |= !memcmp(slot_pk[i], h.signer, 32);
    if (!signer_known) { rc = CZ_ESIG; goto cleanup; }
    if ((rc = cz_bundle_open(bundle, bundle_len, &h, cz_secrets_box_pk(sec), cz_secrets_box_sk(sec),
                             &plain, &plain_len)))
        goto cleanup;
    if (!(s = calloc(1, sizeof *s))) { rc = CZ_ENOMEM; goto cleanup; }
    struct rd pr = { plain, plain_len, 0, CZ_OK };
    if ((rc = read_section(&pr, s))) goto cleanup;
    if (memcmp(s->info.box_pk, cz_secrets_box_pk(sec), 32)) { rc = CZ_ECANON; goto cleanup; }
    if ((rc = cz_payload_decode(plain + pr.pos, plain_len - pr.pos, &pl))) goto cleanup;
    if (pl.kind != CZ_PAYLOAD_BACKUP) { rc = CZ_ETYPE; goto cleanup; }
    /* Every blob must have a name, or a person would lose their login. */
    const char *slot_name[CZ_BACKUP_SLOTS_MAX];
    for (size_t i = 0; i < nslots; i++) {
        slot_name[i] = NULL;
        for (size_t k = 0; k < s->npeople && !slot_name[i]; k++)
            if (!memcmp(s->people[k].pk, slot_pk[i], 32)) slot_name[i] = s->people[k].name;
        if (!slot_name[i] || !slot_name[i][0]) { rc = CZ_ECANON; goto cleanup; }
    }
    for (size_t i = 0; i < pl.n; i++) {
        struct cz_entry e;
        if ((rc = cz_entry_decode(pl.entry[i], pl.entry_len[i], &e)) || (rc = cz_entry_verify(&e))) goto cleanup;
    }

    if ((rc = cz_station_create_store(dir, &store))) goto cleanup;
    created = 1;
    if ((rc = cz_txn_begin(store, 1, &t))) goto cleanup;
    if ((rc = cz_station_put_info(t, &s->info)) ||
        (rc = cz_meta_put_u64(t, "hlc", s->hlc)) ||
        (rc = cz_meta_put_u64(t, "bundle_seq", s->bundle_seq)))
        goto cleanup;
    if (!(retired = malloc(nslots * 32))) { rc = CZ_ENOMEM; goto cleanup; }
    for (size_t i = 0; i < nslots; i++) {
        if ((rc = cz_user_put(t, slot_name[i], blob[i], blob_len[i]))) goto cleanup;
        memcpy(retired + 32 * i, slot_pk[i], 32);
    }
    if ((rc = cz_meta_put(t, CZ_META_RETIRED, retired, nslots * 32))) goto cleanup;
    for (size_t i = 0; i < pl.n; i++) {
        struct cz_entry e;
        uint8_t id[CZ_ID_BYTES];
        int result;
        if ((rc = cz_entry_parse(pl.entry[i], pl.entry_len[i], &e))) goto cleanup;
        cz_entry_id(pl.entry[i], pl.entry_len[i], id);
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
    res->info = s->info;
    res->entries = pl.n;
    res->people = nslots;
    res->made_at = s->made_at;
    snprintf(res->user, sizeof res->user, "%s", slot_name[opened]);
cleanup:
    cz_txn_abort(t);
    cz_store_close(store);
    if (rc && created) remove_db(dir);
    free(retired);
    free(s);
    cz_payload_free(&pl);
    cz_bundle_plain_free(plain, plain_len);
    cz_secrets_free(sec);
    return rc;
}
