/* testkit.c — see testkit.h. */
#include "testkit.h"

#include <ftw.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "payload.h"
#include "hex.h"
#include "index.h"
#include "roster.h"
#include "schema.h"
#include "status.h"
#include "store.h"
#include "sync.h"

int tk_tmpdir(char *dir, size_t size, const char *name)
{
    int n = snprintf(dir, size, "/tmp/cz_test_%s_XXXXXX", name);
    if (n < 0 || (size_t)n >= size || !mkdtemp(dir)) {
        fprintf(stderr, "testkit: cannot make a folder for %s\n", name);
        return -1;
    }
    return 0;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

int tk_rmtree(const char *dir)
{
    nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    return access(dir, F_OK) == 0 ? -1 : 0;
}

int tk_write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = len ? fwrite(buf, 1, len, f) : 0;
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static int say(const char *step, int rc, const char *why)
{
    fprintf(stderr, "testkit: %s: %s%s%s\n", step, cz_status_name(rc), why && *why ? " " : "", why ? why : "");
    return -1;
}

int tk_pair_init(struct tk_pair *p, const char *name, const char *office_name, const char *region,
                 const char *pass)
{
    char why[128] = "", *identity = NULL;
    int rc;
    memset(p, 0, sizeof *p);
    if (sodium_init() < 0) return say("sodium_init", CZ_ECRYPTO, NULL);
    if (tk_tmpdir(p->dir, sizeof p->dir, name)) return -1;
    snprintf(p->odir, sizeof p->odir, "%s/office", p->dir);
    snprintf(p->vdir, sizeof p->vdir, "%s/village", p->dir);
    snprintf(p->stick, sizeof p->stick, "%s/stick", p->dir);
    struct cz_init_opts o = { .kind = CZ_KIND_OFFICE, .name = office_name, .region = "", .user = "张主任" };
    if ((rc = cz_station_init(p->odir, &o, pass, &p->office, why, sizeof why))) return say("office init", rc, why);
    if ((rc = cz_station_identity(p->office, &identity))) return say("office identity", rc, NULL);
    struct cz_init_opts v = { .kind = CZ_KIND_STATION, .name = "杨树湾村", .region = region, .user = "李书记",
                              .office_identity = identity };
    rc = cz_station_init(p->vdir, &v, pass, &p->village, why, sizeof why);
    free(identity);
    return rc ? say("village init", rc, why) : 0;
}

int tk_places(cz_station *st, ...)
{
    va_list ap;
    int rc = CZ_OK;
    va_start(ap, st);
    for (const char *code; rc == CZ_OK && (code = va_arg(ap, const char *));) {
        size_t len = strlen(code);
        const char *level = len <= 4 ? "city" : len <= 6 ? "county" : len <= 9 ? "town" : "village";
        struct cz_assign a[] = { { "code", code }, { "name", "测试地" }, { "level", level } };
        struct cz_field_error err;
        uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
        if ((rc = cz_station_add(st, "place", a, 3, entity, id, &err))) say("place", rc, code);
    }
    va_end(ap);
    return rc ? -1 : 0;
}

int tk_pair_export(struct tk_pair *p, uint8_t **img, size_t *len)
{
    struct cz_peer *peers = NULL;
    size_t npeers = 0;
    struct cz_export_result er;
    int rc;
    if ((rc = cz_sync_peers(p->village, &peers, &npeers))) return say("village peers", rc, NULL);
    if (npeers != 1) {
        free(peers);
        return say("village peers: not one", CZ_EINVAL, NULL);
    }
    rc = cz_sync_export(p->village, p->stick, &peers[0], 1, &er);
    free(peers);
    if (rc) return say("village export", rc, NULL);
    if ((rc = cz_read_file(er.path, img, len))) return say("reading the bundle", rc, er.path);
    return 0;
}

struct cz_bundle_params tk_pair_bundle(struct tk_pair *p)
{
    const struct cz_station_info *vi = cz_station_info(p->village);
    if (p->bundle_seq < 1000) p->bundle_seq = 1000;
    return (struct cz_bundle_params){
        .sender_box = vi->box_pk, .seq = ++p->bundle_seq,
        .recipients = (const uint8_t (*)[32])vi->office_box, .nrecipients = 1,
        .signer = cz_station_person_pk(p->village), .sign = tk_station_sign, .sign_ctx = p->village,
    };
}

int tk_pair_deliver(struct tk_pair *p, const uint8_t *const *e, const size_t *len, size_t n,
                    cz_refused_fn on_refused, void *ctx, struct cz_import_result *r)
{
    struct cz_vv none = { 0 };
    struct cz_payload_writer w;
    uint8_t *img = NULL, id[CZ_ID_BYTES];
    size_t img_len = 0;
    int rc = cz_payload_start(&w, CZ_PAYLOAD_SYNC, &none);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) rc = cz_payload_add(&w, e[i], len[i]);
    if (rc) goto cleanup;
    cz_payload_finish(&w);
    struct cz_bundle_params bp = tk_pair_bundle(p);
    if ((rc = cz_bundle_seal(&bp, w.buf, w.len, &img, &img_len, id))) goto cleanup;
    rc = cz_sync_import(p->office, img, img_len, on_refused, ctx, r);
cleanup:
    free(img);
    free(w.buf);
    return rc;
}

void tk_pair_free(struct tk_pair *p)
{
    cz_station_close(p->office);
    cz_station_close(p->village);
    p->office = p->village = NULL;
    if (p->dir[0]) tk_rmtree(p->dir);
}

void tk_log_draft(const struct tk_log *l, struct cz_entry_draft *d, uint64_t hlc,
                  const uint8_t entity[CZ_ENTITY_BYTES], const char *type, const char *region,
                  const uint8_t *parents, size_t nparents, const uint8_t *body, size_t body_len)
{
    memset(d, 0, sizeof *d);
    memcpy(d->origin, l->origin, sizeof d->origin);
    d->seq = l->seq + 1;
    memcpy(d->prev, l->last, sizeof d->prev);
    d->hlc = hlc;
    d->wall = (int64_t)(cz_hlc_ms(hlc) / 1000);
    memcpy(d->entity, entity, sizeof d->entity);
    d->type = type;
    d->region = region;
    d->nparents = nparents;
    d->parents = parents;
    d->body = body;
    d->body_len = body_len;
}

int tk_log_write(struct tk_log *l, const struct cz_entry_draft *d, cz_sign_fn sign, void *sign_ctx,
                 uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_entry_write(d, sign, sign_ctx, out, out_len, id);
    if (rc) return rc;
    l->seq = d->seq;
    memcpy(l->last, id, sizeof l->last);
    return CZ_OK;
}

int tk_station_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(cz_station_secrets(ctx), msg, len, sig);
}

int tk_person_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(ctx, msg, len, sig);
}

int tk_root_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_root_sign(ctx, msg, len, sig);
}

uint64_t tk_next_hlc(void)
{
    static uint64_t n;
    return ((uint64_t)time(NULL) * 1000) << 16 | ++n;
}

int tk_countersign(cz_body *b, const char *type, const uint8_t root[32], const cz_secrets *by)
{
    const struct cz_type *ty = cz_schema_type(type);
    uint8_t *msg = NULL, sig[64];
    size_t len;
    char hex[129];
    int rc;
    if (!ty || !cz_schema_field(ty, "by") || !cz_schema_field(ty, "by_sig"))
        return say("countersign: no such type", CZ_EINVAL, type);
    if ((rc = cz_body_set_bytes(b, cz_schema_field(ty, "by")->tag, cz_secrets_sign_pk(by), 32)))
        return say("countersign: by", rc, NULL);
    if ((rc = cz_roster_countersign_msg(root, type, b, &msg, &len))) return say("countersign: message", rc, NULL);
    rc = cz_secrets_sign(by, msg, len, sig);
    free(msg);
    if (rc) return say("countersign: signing", rc, NULL);
    cz_hex(sig, sizeof sig, hex);
    if ((rc = cz_body_set_text(b, cz_schema_field(ty, "by_sig")->tag, hex, 128)))
        return say("countersign: by_sig", rc, NULL);
    return 0;
}

/* Stores raw, the entry named id, in t: it must be new there. */
static int put_raw(cz_txn *t, const uint8_t *raw, size_t raw_len, const uint8_t id[CZ_ID_BYTES])
{
    struct cz_entry e;
    int rc, result;
    if ((rc = cz_entry_decode(raw, raw_len, &e))) return say("put: decoding", rc, NULL);
    if ((rc = cz_store_put_entry(t, &e, id, &result))) return say("put: storing", rc, NULL);
    if (result != CZ_PUT_NEW) return say("put: not new", CZ_EEXIST, NULL);
    return 0;
}

int tk_put_entry(cz_station *st, const struct tk_put *p, uint8_t id[CZ_ID_BYTES])
{
    struct tk_log l;
    struct cz_entry_draft d;
    uint8_t *body = NULL, *raw = NULL, ent[CZ_ENTITY_BYTES];
    size_t body_len = 0, raw_len = 0;
    cz_txn *t = NULL;
    int rc, fail = -1;
    memset(&l, 0, sizeof l);
    memcpy(l.origin, p->origin, sizeof l.origin);
    if (p->entity) memcpy(ent, p->entity, sizeof ent);
    else randombytes_buf(ent, sizeof ent);
    if (p->body && (rc = cz_body_encode(p->body, &body, &body_len))) return say("put: encoding", rc, NULL);
    if ((rc = cz_txn_begin(cz_station_store(st), 1, &t))) { say("put: begin", rc, NULL); goto cleanup; }
    if ((rc = cz_store_log_last(t, l.origin, &l.seq, l.last))) { say("put: the log", rc, NULL); goto cleanup; }
    tk_log_draft(&l, &d, p->hlc ? p->hlc : tk_next_hlc(), ent, p->type, p->region ? p->region : "", p->parents,
                 p->nparents, body, body_len);
    d.flags = p->flags;
    if ((rc = tk_log_write(&l, &d, p->sign, p->sign_ctx, &raw, &raw_len, id))) {
        say("put: signing", rc, NULL);
        goto cleanup;
    }
    if (put_raw(t, raw, raw_len, id)) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    fail = rc ? say("put: commit", rc, NULL) : 0;
cleanup:
    cz_txn_abort(t);
    free(body);
    free(raw);
    return fail;
}

int tk_store_open(struct tk_store *f, const char *name)
{
    memset(f, 0, sizeof *f);
    if (sodium_init() < 0 || tk_tmpdir(f->dir, sizeof f->dir, name)) return -1;
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    if (cz_store_open(f->db, 1, &f->s) != CZ_OK) { tk_rmtree(f->dir); return -1; }
    crypto_sign_keypair(f->log.origin, f->sk);
    f->hlc = UINT64_C(1767225600000) << 16;   /* 2026-01-01, a clock no test runs near */
    return 0;
}

int tk_store_close(struct tk_store *f)
{
    cz_store_close(f->s);
    f->s = NULL;
    return tk_rmtree(f->dir);
}

int tk_store_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct tk_store *f = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, f->sk) == 0 ? CZ_OK : CZ_ECRYPTO;
}
