/* mkcorpus — writes the seed corpora of the fuzz targets into DIR/<target>/
 * (tests/fuzz/corpus in the tree; run `make fuzz-corpus` to regenerate).
 * Seeds are valid inputs that reach deep: bodies of every kind, signed
 * entries, a real bundle sealed for the fixed test key (fuzzkeys.h), its
 * plaintext, spreadsheet exports, identity files and key blobs. */
#include "bundle.h"
#include "payload.h"
#include <zstd.h>
#include "codec.h"
#include "entry.h"
#include "schema.h"
#include "status.h"
#include "fuzzkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *root;

static void put(const char *target, const char *name, uint8_t prefix, int use_prefix,
                const void *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    if (use_prefix) fputc(prefix, f);
    if (len) fwrite(buf, 1, len, f);
    fclose(f);
}

static void body_seeds(uint8_t **enc, size_t *enc_len)
{
    cz_body *b = cz_body_new();
    const char *items[] = { "因病", "缺技术", "b" };
    size_t lens[] = { strlen(items[0]), strlen(items[1]), 1 };
    uint8_t bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    cz_body_set_text(b, 1, "YSW-001", 7);
    cz_body_set_text(b, 3, "王秀英", strlen("王秀英"));
    cz_body_set_uint(b, 4, 20160305);
    cz_body_set_sint(b, 5, -1250);
    cz_body_set_list(b, 9, items, lens, 3);
    cz_body_set_bytes(b, 200, bytes, sizeof bytes);
    cz_body_set_text(b, 70000, "多行\n\t文字", strlen("多行\n\t文字"));
    cz_body_encode(b, enc, enc_len);
    cz_body_free(b);
    put("body", "all-kinds", 0, 0, *enc, *enc_len);
    b = cz_body_new();
    uint8_t *one = NULL;
    size_t one_len = 0;
    cz_body_set_uint(b, 1, 0);
    cz_body_set_sint(b, 2, INT64_MIN);
    cz_body_set_uint(b, 3, UINT64_MAX);
    cz_body_encode(b, &one, &one_len);
    put("body", "integers", 0, 0, one, one_len);
    free(one);
    cz_body_free(b);
    put("body", "empty", 0, 0, "", 0);
}

static void entry_seeds(struct fuzz_keys *k, const uint8_t *body, size_t body_len,
                        uint8_t *e1[2], size_t e1_len[2], uint8_t ids[2][32])
{
    struct cz_entry_draft d;
    memset(&d, 0, sizeof d);
    memcpy(d.origin, k->sign_pk, 32);
    d.seq = 1;
    d.hlc = (uint64_t)1767225600000 << 16;
    d.wall = 1767225600;
    memset(d.entity, 0xE1, sizeof d.entity);
    d.type = "household";
    d.region = "411081106201";
    d.body = body;
    d.body_len = body_len;
    cz_entry_write(&d, fuzz_sign, k, &e1[0], &e1_len[0], ids[0]);
    put("entry", "household-seq1", 0, 0, e1[0], e1_len[0]);
    d.seq = 2;
    memcpy(d.prev, ids[0], 32);
    d.hlc += 1;
    d.flags = CZ_ENTRY_FLAG_TOMBSTONE;
    d.nparents = 1;
    d.parents = ids[0];
    d.body_len = 0;
    cz_entry_write(&d, fuzz_sign, k, &e1[1], &e1_len[1], ids[1]);
    put("entry", "tombstone-seq2", 0, 0, e1[1], e1_len[1]);
}

static void bundle_seeds(struct fuzz_keys *k, uint8_t *e[2], size_t e_len[2], uint8_t ids[2][32])
{
    struct cz_vv vv = { 0 };
    struct cz_payload_writer w;
    uint8_t other[32];
    memset(other, 0x77, sizeof other);
    cz_vv_add(&vv, k->sign_pk, 1, ids[0]);
    cz_vv_add(&vv, k->sign_pk, 2, ids[1]);
    cz_vv_add(&vv, other, 5, ids[0]);
    cz_vv_add(&vv, other, 9, ids[1]);
    cz_payload_start(&w, CZ_PAYLOAD_SYNC, &vv);
    cz_payload_add(&w, e[0], e_len[0]);
    cz_payload_add(&w, e[1], e_len[1]);
    cz_payload_finish(&w);
    uint8_t *plain = malloc(w.len + 1);
    plain[0] = 0;                                /* chunk size 1 KiB */
    memcpy(plain + 1, w.buf, w.len);
    put("bundle", "plain-sync", 1, 1, plain, w.len + 1);

    uint8_t recipients[2][32], *img = NULL, id[32];
    size_t img_len = 0;
    memset(recipients[0], 0x55, 32);
    memcpy(recipients[1], k->box_pk, 32);
    struct cz_bundle_params p = {
        .sender_box = k->sender_pk, .seq = 7, .recipients = (const uint8_t (*)[32])recipients,
        .nrecipients = 2, .signer = k->sign_pk, .sign = fuzz_sign, .sign_ctx = k, .chunk_log2 = 10,
    };
    /* format 1 (the old writer: older sticks and backups), then 2 */
    if (cz_bundle_seal_raw(&p, 1, w.buf, w.len, w.len, &img, &img_len, id) != CZ_OK) { fprintf(stderr, "seal\n"); exit(1); }
    put("bundle", "file-sync", 0, 1, img, img_len);
    free(img);
    if (cz_bundle_seal(&p, w.buf, w.len, &img, &img_len, id) != CZ_OK) { fprintf(stderr, "seal\n"); exit(1); }
    put("bundle", "file-sync-v2", 0, 1, img, img_len);
    free(img);
    /* the payload's zstd frame as stored bytes: odd mode, bit 2 */
    ZSTD_CCtx *zc = cz_bundle_cctx(w.len, 0);
    size_t zcap = ZSTD_compressBound(w.len);
    uint8_t *frame = malloc(2 + zcap);
    frame[0] = 4;                                /* chunk size 1 KiB, stored bytes */
    size_t zlen = ZSTD_compress2(zc, frame + 1, zcap, w.buf, w.len);
    if (ZSTD_isError(zlen)) { fprintf(stderr, "zstd\n"); exit(1); }
    put("bundle", "frame-sync", 1, 1, frame, zlen + 1);
    free(frame);
    ZSTD_freeCCtx(zc);
    /* An empty backup payload, in one chunk. */
    struct cz_payload_writer w2;
    struct cz_vv none = { 0 };
    cz_payload_start(&w2, CZ_PAYLOAD_BACKUP, &none);
    cz_payload_finish(&w2);
    p.nrecipients = 1;
    p.recipients = (const uint8_t (*)[32])recipients[1];
    p.chunk_log2 = 16;
    cz_bundle_seal(&p, w2.buf, w2.len, &img, &img_len, id);
    put("bundle", "file-backup-empty", 0, 1, img, img_len);
    free(img);
    free(w2.buf);
    free(w.buf);
    free(plain);
    cz_vv_free(&vv);
}

static uint8_t type_index(const char *key)
{
    size_t n;
    const struct cz_type *t = cz_schema_types(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].key, key)) return (uint8_t)i;
    fprintf(stderr, "no type %s\n", key);
    exit(1);
}

static void csv_seeds(void)
{
    const char *hh =
        "\xEF\xBB\xBF户编号,所在村,户主姓名,致贫原因,识别年份,联系电话,贫困状态,脱贫日期\n"
        "YSW-001,411081106201,王秀英,\"因病,缺技术\",2016,138-0000-0001,poor,\n"
        "YSW-002,411081106201,\"李\"\"二\"\"\",因学,2015,,exited,2019-12-31\n"
        "\n"
        "YSW-003,411081106201,张三,,20x6,,,\n";
    put("csv", "household-utf8-bom", type_index("household"), 1, hh, strlen(hh));
    const char *mem =
        "household,name,id_number,relation,health,can_work\r\n"
        "0123456789abcdef,王秀英,11010519491231002X,head,healthy,yes\r\n"
        "0123456789abcdef,李明,110105194912310021,spouse,,no\r\n";
    put("csv", "member-crlf", type_index("member"), 1, mem, strlen(mem));
    /* 户编号,所在村,户主姓名 / G-1,411081106201,欧阳修 in GB18030 */
    const char gb[] = "\xbb\xa7\xb1\xe0\xba\xc5,\xcb\xf9\xd4\xda\xb4\xe5,\xbb\xa7\xd6\xf7\xd0\xd5\xc3\xfb\n"
                      "G-1,411081106201,\xc5\xb7\xd1\xf4\xd0\xde\n";
    put("csv", "household-gb18030", type_index("household"), 1, gb, sizeof gb - 1);
    const char *aid = "kind,item,household\nseed,辣椒苗,\n";
    put("csv", "aid", type_index("aid"), 1, aid, strlen(aid));
}

/* Identity files as `pubkey` writes them, and the forms the parser also
 * takes (CRLF lines, a Chinese name). */
static void identity_seeds(const struct fuzz_keys *k)
{
    char root_hex[65], box_hex[65], text[1024];
    static const char hexd[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        root_hex[2 * i] = hexd[k->sign_pk[i] >> 4];
        root_hex[2 * i + 1] = hexd[k->sign_pk[i] & 15];
        box_hex[2 * i] = hexd[k->box_pk[i] >> 4];
        box_hex[2 * i + 1] = hexd[k->box_pk[i] & 15];
    }
    root_hex[64] = box_hex[64] = 0;
    int n = snprintf(text, sizeof text, "cunzhan-identity 1\nkind office\nname 许昌市科协\nregion \nroot %s\nbox %s\n",
                     root_hex, box_hex);
    put("identity", "office", 0, 0, text, (size_t)n);
    n = snprintf(text, sizeof text, "cunzhan-identity 1\r\nkind station\r\nname 杨树湾村\r\nregion 411081106201\r\nbox %s\r\n",
                 box_hex);
    put("identity", "station-crlf", 0, 0, text, (size_t)n);
}

/* Key blobs in format 1 (keys.h), sealed under the passphrase "fuzz" with
 * Argon2id's smallest limits, so the fuzz target opens them fast: one of a
 * village person, one with the office root key. */
static void keyblob_seed(const struct fuzz_keys *k, int with_root, const char *name)
{
    uint8_t blob[512], key[crypto_secretbox_KEYBYTES], station[1 + 32 + 1 + 64];
    uint64_t ops = crypto_pwhash_OPSLIMIT_MIN, mem = crypto_pwhash_MEMLIMIT_MIN;
    size_t at = 0, slen = 0;
    memcpy(blob, "CZK", 3);
    blob[3] = 1;
    blob[4] = 1;
    at = 5;
    for (int i = 7; i >= 0; i--) blob[at++] = (uint8_t)(ops >> (8 * i));
    for (int i = 7; i >= 0; i--) blob[at++] = (uint8_t)(mem >> (8 * i));
    uint8_t *salt = blob + at;
    memset(salt, 0x5a, 16);
    at += 16;
    memcpy(blob + at, k->sign_pk, 32);
    at += 32;
    if (crypto_pwhash(key, sizeof key, "fuzz", 4, salt, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13)) exit(1);
    memset(blob + at, 0x11, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(blob + at + crypto_secretbox_NONCEBYTES, k->sign_sk, 64, blob + at, key);
    at += crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 64;
    station[slen++] = 1;
    memcpy(station + slen, k->box_sk, 32);
    slen += 32;
    station[slen++] = (uint8_t)with_root;
    if (with_root) { memcpy(station + slen, k->sign_sk, 64); slen += 64; }
    memset(blob + at, 0x22, crypto_secretbox_NONCEBYTES);
    size_t sealed = crypto_secretbox_MACBYTES + slen;
    blob[at + crypto_secretbox_NONCEBYTES] = (uint8_t)(sealed >> 8);
    blob[at + crypto_secretbox_NONCEBYTES + 1] = (uint8_t)sealed;
    crypto_secretbox_easy(blob + at + crypto_secretbox_NONCEBYTES + 2, station, slen, blob + at, key);
    at += crypto_secretbox_NONCEBYTES + 2 + sealed;
    put("keyblob", name, 0, 0, blob, at);
}

int main(int argc, char **argv)
{
    struct fuzz_keys k;
    uint8_t *body = NULL, *e[2], ids[2][32];
    size_t body_len = 0, e_len[2];
    if (argc != 2) { fprintf(stderr, "usage: mkcorpus DIR\n"); return 2; }
    root = argv[1];
    mkdir(root, 0755);
    fuzz_keys_make(&k);
    body_seeds(&body, &body_len);
    entry_seeds(&k, body, body_len, e, e_len, ids);
    bundle_seeds(&k, e, e_len, ids);
    csv_seeds();
    identity_seeds(&k);
    keyblob_seed(&k, 0, "person");
    keyblob_seed(&k, 1, "office-root");
    free(body);
    free(e[0]);
    free(e[1]);
    return 0;
}
