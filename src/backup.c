/* backup.c — writing a whole station to one file on a stick (backup.h;
 * restoring is backup_restore.c). */
#include "backup.h"
#include "index.h"
#include "roster.h"
#include "backup_int.h"
#include "bundle.h"
#include "bytes.h"
#include "fsutil.h"
#include "grow.h"
#include "hex.h"
#include "payload.h"
#include "keys.h"
#include "status.h"
#include "stick.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
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
    if (n > SIZE_MAX - b->len) { b->rc = CZ_ENOMEM; return; }
    if ((b->rc = cz_grow(&b->p, &b->cap, b->len + n, 1))) return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void b_u8(struct buf *b, uint8_t v) { b_add(b, &v, 1); }
static void b_u32(struct buf *b, uint32_t v)
{
    uint8_t p[4];
    cz_put_be32(p, v);
    b_add(b, p, 4);
}
static void b_u64(struct buf *b, uint64_t v)
{
    uint8_t p[8];
    cz_put_be64(p, v);
    b_add(b, p, 8);
}
static void b_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > 255) { b->rc = CZ_ETOOBIG; return; }
    b_u8(b, (uint8_t)n);
    b_add(b, s, n);
}

/* ---- writing ---- */

struct slots { struct buf *file; struct buf *names; size_t n; int rc; };

void cz_backup_slot_sum(uint8_t nslots, size_t index, const uint8_t *blob, size_t len, uint8_t out[32])
{
    crypto_generichash_state st;
    uint8_t at[7] = { 2, nslots, (uint8_t)index };
    cz_put_be32(at + 3, (uint32_t)len);
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

static int vv_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    return cz_vv_add(ctx, key, cz_get_be64(key + 32), val);
}

/* Pass 0 takes the entries that hold their log position, pass 1 the other
 * halves of forks, so a restore records the same fork the same way. */
struct entries_ctx {
    cz_txn *t;
    struct cz_payload_writer *w;
    int pass;
    size_t n, seen, total;
    const struct cz_progress *pr;
};

static int entries_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct entries_ctx *x = ctx;
    struct cz_entry e;
    uint8_t at[CZ_ID_BYTES];
    int rc;
    if (klen != CZ_ID_BYTES || (rc = cz_entry_parse(val, vlen, &e))) return CZ_EDB;
    /* The first pass reads every entry once: that is the work to show. */
    if (x->pass == 0 && x->pr && x->pr->fn && (++x->seen & 255) == 0)
        x->pr->fn(x->pr->ctx, x->seen < x->total ? x->seen : x->total, x->total);
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
        if (r < 0) { rc = cz_fs_errno_status(errno); break; }
        if (r == 0) { rc = off == len ? CZ_OK : CZ_EREADBACK; break; }
        if ((size_t)r > len - off || memcmp(chunk, want + off, (size_t)r)) { rc = CZ_EREADBACK; break; }
        off += (size_t)r;
    }
    close(fd);
    return rc;
}

/* The backup takes a bundle sequence number like an export, so no two
 * files from this station share one. */
static int take_bundle_seq(cz_station *st, uint64_t *seq)
{
    cz_txn *t = NULL;
    int rc;
    *seq = 0;
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) return rc;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", seq)) && rc != CZ_ENOTFOUND) {
        cz_txn_abort(t);
        return rc;
    }
    ++*seq;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", *seq))) {
        cz_txn_abort(t);
        return rc;
    }
    return cz_txn_commit(t);
}

/* The station section (FORMATS.md, backup): who and where the station is,
 * its clocks, the people of the slots, and the station key, for the office
 * alone to rebuild the station when every slot is damaged (it already
 * reads all the station holds). */
static void add_section(struct buf *plain, const struct cz_station_info *info, uint64_t hlc, uint64_t seq,
                        const struct slots *sl, const cz_secrets *sec)
{
    b_add(plain, "CZS", 3);
    b_u8(plain, CZ_BACKUP_VERSION);
    b_u8(plain, info->kind == CZ_KIND_OFFICE);
    b_str(plain, info->name);
    b_str(plain, info->region);
    b_str(plain, info->default_user);
    b_str(plain, info->office_name);
    b_add(plain, info->box_pk, 32);
    b_add(plain, info->office_root, 32);
    b_add(plain, info->office_box, 32);
    b_u64(plain, hlc);
    b_u64(plain, seq);
    b_u64(plain, (uint64_t)(int64_t)time(NULL));
    b_u8(plain, (uint8_t)sl->n);
    b_add(plain, sl->names->p, sl->names->len);
    b_add(plain, cz_secrets_box_sk(sec), 32);
}

/* Every entry the station holds, as a backup payload appended to plain;
 * *n: how many. */
static int add_entries(cz_txn *t, struct buf *plain, size_t *n, const struct cz_progress *pr)
{
    struct cz_payload_writer w = { 0 };
    struct cz_vv vv = { 0 };
    struct cz_store_stats stats = { 0 };
    struct entries_ctx x = { .t = t, .w = &w, .pass = 0, .pr = pr };
    int rc;

    if (pr && (rc = cz_store_stats(t, &stats))) return rc;
    x.total = stats.entries;

    if ((rc = cz_store_each_log(t, vv_cb, &vv))) goto cleanup;
    if ((rc = cz_payload_start(&w, CZ_PAYLOAD_BACKUP, &vv))) goto cleanup;
    if ((rc = cz_store_each_entry(t, entries_cb, &x))) goto cleanup;
    x.pass = 1;
    if ((rc = cz_store_each_entry(t, entries_cb, &x))) goto cleanup;
    cz_payload_finish(&w);
    b_add(plain, w.buf, w.len);
    *n = x.n;
cleanup:
    if (w.buf) sodium_memzero(w.buf, w.len);
    free(w.buf);
    cz_vv_free(&vv);
    return rc;
}

/* The key slots (with a checksum each, once their number is known) into
 * file and the plain part (section and entries) into plain, from one read
 * transaction so both tell the same moment. */
static int add_slots_and_plain(cz_station *st, uint64_t seq, struct buf *file, struct buf *plain,
                               size_t *people, size_t *entries, const struct cz_progress *pr)
{
    const struct cz_station_info *info = cz_station_info(st);
    struct buf names = { 0 };
    struct slots sl = { .file = file, .names = &names, .rc = CZ_OK };
    uint64_t hlc = 0;
    cz_txn *t = NULL;
    int rc;

    if ((rc = cz_txn_begin(cz_station_store(st), 0, &t))) return rc;
    b_add(file, "CZA", 3);
    b_u8(file, CZ_BACKUP_VERSION);
    b_u8(file, 0);                                  /* nslots, set below */
    if ((rc = cz_user_each(t, slot_cb, &sl)) || (rc = sl.rc)) goto cleanup;
    if (sl.n == 0) { rc = CZ_ENOUSER; goto cleanup; }
    if ((rc = cz_meta_get_u64(t, "hlc", &hlc)) && rc != CZ_ENOTFOUND) goto cleanup;
    add_section(plain, info, hlc, seq, &sl, cz_station_secrets(st));
    if ((rc = add_entries(t, plain, entries, pr))) goto cleanup;
    if ((rc = file->rc) || (rc = names.rc) || (rc = plain->rc)) goto cleanup;
    file->p[4] = (uint8_t)sl.n;
    for (size_t i = 0, at = 5; i < sl.n; i++) {
        size_t blen = cz_get_be32(file->p + at);
        cz_backup_slot_sum((uint8_t)sl.n, i, file->p + at + 4, blen, file->p + at + 4 + blen);
        at += 4 + blen + 32;
    }
    *people = sl.n;
cleanup:
    cz_txn_abort(t);
    free(names.p);
    return rc;
}

/* Sealed to this station and the office: either can open it, and restore
 * needs this station's key, which the slots give back. */
static int seal_plain(cz_station *st, uint64_t seq, const struct buf *plain, struct buf *file,
                      uint8_t id[CZ_ID_BYTES])
{
    const struct cz_station_info *info = cz_station_info(st);
    const cz_secrets *sec = cz_station_secrets(st);
    uint8_t rcpt[2][32], *sealed = NULL;
    size_t nrcpt = 1, sealed_len = 0;
    int rc;

    memcpy(rcpt[0], info->box_pk, 32);
    if (memcmp(info->office_box, info->box_pk, 32)) memcpy(rcpt[nrcpt++], info->office_box, 32);
    struct cz_bundle_params p = {
        .sender_box = info->box_pk,
        .seq = seq,
        .recipients = (const uint8_t (*)[32])rcpt,
        .nrecipients = nrcpt,
        .signer = cz_secrets_sign_pk(sec),
        .sign = sign_cb,
        .sign_ctx = (void *)sec,
        .chunk_log2 = 0,
    };
    if ((rc = cz_bundle_seal(&p, plain->p, plain->len, &sealed, &sealed_len, id))) return rc;
    b_add(file, sealed, sealed_len);
    free(sealed);
    return file->rc;
}

/* STICK/cunzhan/backup/<box key>/<time>-<id>.czbak, written atomically
 * and read back. */
static int put_on_stick(const char *stick, const struct cz_station_info *info, const uint8_t id[CZ_ID_BYTES],
                        const struct buf *file, char *path, size_t path_size)
{
    char folder[4096], name[64], boxhex[65], idhex[65], when[32];
    time_t now = time(NULL);
    struct tm tm;
    size_t swept;
    int rc;

    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
    cz_hex(info->box_pk, 32, boxhex);
    cz_hex(id, CZ_ID_BYTES, idhex);
    if (snprintf(folder, sizeof folder, "cunzhan/backup/%.16s", boxhex) >= (int)sizeof folder) return CZ_EINVAL;
    snprintf(name, sizeof name, "%s-%.16s.czbak", when, idhex);
    /* A killed backup's temp file goes first, so a full stick has room. */
    if ((rc = cz_stick_sweep_backup_temps(stick, info->box_pk, (int64_t)now, CZ_STICK_TEMP_AGE, &swept))) return rc;
    /* No symlink on the stick is followed (a `cunzhan` link could point anywhere). */
    if ((rc = cz_file_write_under(stick, folder, name, file->p, file->len, path, path_size))) return rc;
    return read_back(path, file->p, file->len);
}

int cz_backup_write(cz_station *st, const char *stick, struct cz_backup_result *res)
{
    return cz_backup_write_with(st, stick, NULL, res);
}

int cz_backup_write_with(cz_station *st, const char *stick, const struct cz_progress *pr,
                         struct cz_backup_result *res)
{
    struct buf file = { 0 }, plain = { 0 };
    uint8_t id[CZ_ID_BYTES];
    uint64_t seq = 0;
    size_t people = 0, entries = 0;
    int rc;

    memset(res, 0, sizeof *res);
    if (!cz_station_secrets(st)) return CZ_EPERM;
    if ((rc = take_bundle_seq(st, &seq))) return rc;
    if ((rc = add_slots_and_plain(st, seq, &file, &plain, &people, &entries, pr))) goto cleanup;
    if ((rc = seal_plain(st, seq, &plain, &file, id))) goto cleanup;
    if ((rc = put_on_stick(stick, cz_station_info(st), id, &file, res->path, sizeof res->path))) goto cleanup;
    res->entries = entries;
    res->people = people;
    res->bytes = file.len;
    if (pr && pr->fn) pr->fn(pr->ctx, entries, entries);
cleanup:
    if (plain.p) sodium_memzero(plain.p, plain.len);
    free(plain.p);
    free(file.p);
    return rc;
}
