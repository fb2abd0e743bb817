/* index.c — index terms (index.h): which terms a record is found under
 * (the only module that reads records for that, through schema.h), filing
 * and unfiling an entity under them, storing an entry so it is found, and
 * making another build's index again.  The deferred batches are
 * index_batch.c's, the postings and look-ups index_post.c's; the table is
 * the store's (store_int.h). */
#include "index.h"
#include "bytes.h"
#include "codec.h"
#include "grow.h"
#include "index_int.h"
#include "pinyin.h"
#include "schema.h"
#include "status.h"
#include "store_int.h"
#include "text.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- terms ---- */

static size_t term_cat(char *buf, size_t size, char tag, const char *const *parts, size_t nparts)
{
    size_t n = 0;
    if (size) buf[n++] = tag;
    for (size_t i = 0; i < nparts; i++) {
        if (i && n < size) buf[n++] = 0;
        size_t l = strlen(parts[i]);
        if (l > size - n) l = size - n;
        memcpy(buf + n, parts[i], l);
        n += l;
    }
    return n > CZ_TERM_MAX ? CZ_TERM_MAX : n;
}

size_t cz_term_type(char *buf, size_t size, const char *type)
{
    return term_cat(buf, size, 'T', &type, 1);
}

size_t cz_term_region(char *buf, size_t size, const char *type, const char *region)
{
    const char *p[] = { type, region };
    return term_cat(buf, size, 'R', p, 2);
}

size_t cz_term_exact(char *buf, size_t size, const char *type, const char *field, const char *value)
{
    const char *p[] = { type, field, value };
    return term_cat(buf, size, 'X', p, 3);
}

size_t cz_term_link(char *buf, size_t size, const uint8_t *target, size_t len)
{
    if (size < 1 + len || len > CZ_ID_BYTES) return 0;
    buf[0] = 'L';
    memcpy(buf + 1, target, len);
    return 1 + len;
}

/* A growable list of terms, each kept as u16 length + bytes (the form
 * index_int.h walks).  It starts in `local` (on the caller's stack): most
 * records' terms fit, so storing one costs no allocation. */
struct terms { uint8_t *buf; size_t len, cap; uint8_t local[1024]; };

static void terms_init(struct terms *ts)
{
    ts->buf = ts->local;
    ts->len = 0;
    ts->cap = sizeof ts->local;
}

static void terms_free(struct terms *ts)
{
    if (ts->buf != ts->local) free(ts->buf);
    ts->buf = ts->local;
}

static int terms_add(struct terms *ts, const void *term, size_t len)
{
    if (len == 0) return CZ_OK;
    if (ts->len + 2 + len > ts->cap) {
        uint8_t *heap = ts->buf == ts->local ? NULL : ts->buf;
        size_t cap = heap ? ts->cap : 0;
        if (cz_grow(&heap, &cap, ts->len + 2 + len, 1)) return CZ_ENOMEM;
        if (ts->buf == ts->local) memcpy(heap, ts->local, ts->len);
        ts->buf = heap;
        ts->cap = cap;
    }
    cz_put_be16(ts->buf + ts->len, (uint16_t)len);
    memcpy(ts->buf + ts->len + 2, term, len);
    ts->len += 2 + len;
    return CZ_OK;
}

/* True when the term list holds this term. */
static int terms_has(const struct terms *ts, const uint8_t *term, size_t len)
{
    CZ_EACH_TERM(ts->buf, ts->len, pos, tl)
        if (tl == len && memcmp(ts->buf + pos + 2, term, len) == 0) return 1;
    return 0;
}

/* One- and two-character n-grams of folded text, for search by any part. */
static int add_ngrams(struct terms *ts, const char *text, size_t len)
{
    char *folded = NULL;
    int rc = cz_text_fold(text, len, &folded);
    if (rc) return rc == CZ_EUTF8 ? CZ_OK : rc;
    size_t n = strlen(folded);
    char gram[16];
    for (size_t i = 0; i < n && rc == CZ_OK;) {
        size_t l1 = 1;   /* bytes of the character at i (folded text is valid UTF-8) */
        while (i + l1 < n && ((unsigned char)folded[i + l1] & 0xC0) == 0x80) l1++;
        size_t l2 = 0;
        if (i + l1 < n) {
            l2 = 1;
            while (i + l1 + l2 < n && ((unsigned char)folded[i + l1 + l2] & 0xC0) == 0x80) l2++;
        }
        gram[0] = 'G';
        memcpy(gram + 1, folded + i, l1);
        rc = terms_add(ts, gram, 1 + l1);
        if (rc == CZ_OK && l2) {
            memcpy(gram + 1 + l1, folded + i + l1, l2);
            rc = terms_add(ts, gram, 1 + l1 + l2);
        }
        i += l1;
    }
    free(folded);
    return rc;
}

/* Every suffix of `value` from `min` bytes on (all of it when shorter),
 * each a term under `tag`: a look-up of the terms starting with some text
 * then finds every value holding that text, with no candidate to check.
 * Numbers and phones are ASCII in practice; a suffix never starts inside
 * a UTF-8 character all the same. */
static int add_suffixes(struct terms *ts, char tag, const char *value, size_t len, size_t min)
{
    char term[1 + CZ_SUFFIX_MAX];
    int rc = CZ_OK;
    if (len > CZ_SUFFIX_MAX) len = CZ_SUFFIX_MAX;
    term[0] = tag;
    for (size_t i = 0; i < len && rc == CZ_OK; i++) {
        if (i && len - i < min) break;
        if (((unsigned char)value[i] & 0xC0) == 0x80) continue;
        memcpy(term + 1, value + i, len - i);
        rc = terms_add(ts, term, 1 + len - i);
    }
    return rc;
}

/* A code (a household number): folded (case and full width do not
 * matter), its suffixes from CZ_CODE_PART characters. */
static int add_code_parts(struct terms *ts, const char *text, size_t len)
{
    char *folded = NULL;
    int rc = cz_text_fold(text, len, &folded);
    if (rc) return rc == CZ_EUTF8 ? CZ_OK : rc;
    rc = add_suffixes(ts, CZ_TAG_CODE, folded, strlen(folded), CZ_CODE_PART);
    free(folded);
    return rc;
}

/* A phone number: its digits alone, suffixes from CZ_PHONE_PART digits. */
static int add_phone_parts(struct terms *ts, const char *text, size_t len)
{
    char digits[CZ_SUFFIX_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof digits; i++)
        if (text[i] >= '0' && text[i] <= '9') digits[n++] = text[i];
    return add_suffixes(ts, CZ_TAG_PHONE, digits, n, CZ_PHONE_PART);
}

/* A name's full pinyin and its initials (pinyin.h), one term each. */
static int add_pinyin(struct terms *ts, const char *text, size_t len)
{
    char term[1 + CZ_SUFFIX_MAX], ini[1 + CZ_SUFFIX_MAX];
    size_t rl, il;
    int rc = cz_pinyin_read(text, len, term + 1, sizeof term - 1, &rl, ini + 1, sizeof ini - 1, &il);
    if (rc) return rc == CZ_EUTF8 ? CZ_OK : rc;
    term[0] = ini[0] = CZ_TAG_PINYIN;
    if (rl) rc = terms_add(ts, term, 1 + rl);
    if (rc == CZ_OK && il && (il != rl || memcmp(term + 1, ini + 1, il)))
        rc = terms_add(ts, ini, 1 + il);
    return rc;
}

/* The terms one field of a record gives (schema.h says which). */
static int field_terms(const struct cz_entry *e, const struct cz_field *f, const cz_body *body,
                       struct terms *ts)
{
    char term[CZ_TERM_MAX + 64];
    const char *s;
    const uint8_t *b;
    size_t len;
    int rc = CZ_OK;
    if ((f->flags & CZ_FF_EXACT) && cz_body_get_text(body, f->tag, &s, &len) == CZ_OK)
        rc = terms_add(ts, term, cz_term_exact(term, sizeof term, e->type, f->key, s));
    else if ((f->flags & CZ_FF_EXACT) && f->type == CZ_F_KEY &&
             cz_body_get_bytes(body, f->tag, &b, &len) == CZ_OK) {
        char hex[65] = "";   /* an empty key field (another station's entry) is "" */
        for (size_t j = 0; j < len && j < 32; j++) snprintf(hex + 2 * j, 3, "%02x", b[j]);
        rc = terms_add(ts, term, cz_term_exact(term, sizeof term, e->type, f->key, hex));
    }
    if (rc == CZ_OK && (f->flags & CZ_FF_EXACT) && f->type == CZ_F_LINE &&
        cz_body_get_text(body, f->tag, &s, &len) == CZ_OK)
        rc = add_code_parts(ts, s, len);
    if (rc == CZ_OK && f->type == CZ_F_PHONE && cz_body_get_text(body, f->tag, &s, &len) == CZ_OK)
        rc = add_phone_parts(ts, s, len);
    if (rc == CZ_OK && (f->flags & CZ_FF_NAME) && cz_body_get_text(body, f->tag, &s, &len) == CZ_OK) {
        rc = add_ngrams(ts, s, len);
        if (rc == CZ_OK) rc = add_pinyin(ts, s, len);
    }
    if (rc == CZ_OK && (f->type == CZ_F_REF || f->type == CZ_F_VERSION) &&
        cz_body_get_bytes(body, f->tag, &b, &len) == CZ_OK)
        rc = terms_add(ts, term, cz_term_link(term, sizeof term, b, len));
    return rc;
}

/* The terms one live version is found under. */
static int entry_terms(const struct cz_entry *e, struct terms *ts)
{
    char term[CZ_TERM_MAX + 64];
    const struct cz_type *type = cz_schema_type(e->type);
    cz_body *body = NULL;
    int rc;

    if ((rc = terms_add(ts, term, cz_term_type(term, sizeof term, e->type))))
        return rc;
    if ((rc = terms_add(ts, term, cz_term_region(term, sizeof term, e->type, e->region))))
        return rc;
    if (!type)   /* a type from a newer build: kept and counted, not indexed */
        return CZ_OK;
    if ((rc = cz_body_decode(e->body, e->body_len, &body)))
        return rc;
    for (size_t i = 0; i < type->nfields && rc == CZ_OK; i++)
        rc = field_terms(e, &type->fields[i], body, ts);
    cz_body_free(body);
    return rc;
}

int cz_store_entry_terms(const struct cz_entry *e, uint8_t **buf, size_t *cap, size_t *len)
{
    struct terms ts;
    terms_init(&ts);
    *len = 0;
    int rc = (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) ? CZ_OK : entry_terms(e, &ts);
    if (rc == CZ_OK) rc = cz_grow(buf, cap, ts.len, 1);
    if (rc == CZ_OK && ts.len) {
        memcpy(*buf, ts.buf, ts.len);
        *len = ts.len;
    }
    terms_free(&ts);
    return rc;
}

/* ---- filing ---- */

/* Files the entity under every term of the list, through one cursor (an
 * mdb_put per term would set one up each time).  A term already holding
 * the entity (or its posting, index_post.c) is left as it is. */
static int index_put(cz_txn *t, const uint8_t *buf, size_t len, const uint8_t entity[CZ_ENTITY_BYTES])
{
    MDB_cursor *c;
    if (len == 0) return CZ_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &c);
    if (rc) return CZ_ST(t, rc);
    CZ_EACH_TERM(buf, len, pos, tl) {
        MDB_val tk = cz_val(buf + pos + 2, tl), tv = cz_val(entity, CZ_POSTING_BYTES);
        rc = mdb_cursor_put(c, &tk, &tv, MDB_NODUPDATA);
        if (rc == MDB_KEYEXIST) rc = 0;
        if (rc) break;
    }
    mdb_cursor_close(c);
    return CZ_ST(t, rc);
}

/* Takes the entity out of the index under every term of the list (old,
 * len bytes) but those it keeps, and those of `shared` (the terms of the
 * other entities whose postings are the same bytes, index_post.c): their
 * postings are this one's.  An LMDB code. */
static int unfile(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const uint8_t *old, size_t len,
                  const struct terms *keep, const struct terms *shared)
{
    MDB_cursor *c;
    /* Comparing each old term with each new one costs nothing next to a
     * B-tree delete, unless both lists are long (a name of thousands of
     * characters): then every old term goes, as it always did. */
    int compare = len / 4 * (keep->len / 4) <= 65536;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_INDEX], &c);
    if (rc) return rc;
    CZ_EACH_TERM(old, len, pos, tl) {
        if (compare && terms_has(keep, old + pos + 2, tl)) continue;
        if (shared->len && terms_has(shared, old + pos + 2, tl)) continue;
        MDB_val tk = cz_val(old + pos + 2, tl), tv = cz_val(entity, CZ_POSTING_BYTES);
        /* what mdb_del(term, entity) does, on the one cursor */
        rc = mdb_cursor_get(c, &tk, &tv, MDB_GET_BOTH);
        if (rc == 0) rc = mdb_cursor_del(c, 0);
        else if (rc == MDB_NOTFOUND) rc = 0;
        if (rc) break;
    }
    mdb_cursor_close(c);
    return rc;
}

/* Files the entity under its terms. */
static int index_terms(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const struct terms *ts)
{
    return index_put(t, ts->buf, ts->len, entity);
}

/* Walking an entity's heads after a version was added: `ts` gets the terms
 * of every head (the new filing), `old` those of every head but the one
 * being put (they were heads before it too, so filed under them). */
struct reindex_ctx { cz_txn *t; struct terms *ts, *old; const struct cz_entry *e; const uint8_t *id; int rc; };

static int reindex_head_cb(void *ctx, const uint8_t *id)
{
    struct reindex_ctx *r = ctx;
    struct cz_entry stored;
    const struct cz_entry *e = &stored;
    int put = r->e && memcmp(id, r->id, CZ_ID_BYTES) == 0;
    if (put)   /* the entry being put: its bytes are what was stored */
        e = r->e;
    else if ((r->rc = cz_store_get_entry(r->t, id, &stored)))
        return r->rc;
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)   /* a deleted version is found by nothing */
        return 0;
    size_t from = r->ts->len;
    if ((r->rc = entry_terms(e, r->ts)) || put || !r->old) return r->rc;
    CZ_EACH_TERM(r->ts->buf + from, r->ts->len - from, pos, tl)
        if ((r->rc = terms_add(r->old, r->ts->buf + from + pos + 2, tl))) break;
    return r->rc;
}

/* The terms of an entity's heads, appended to ts. */
static int heads_terms(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct terms *ts)
{
    static const uint8_t none[CZ_ID_BYTES];
    struct reindex_ctx r = { .t = t, .ts = ts, .old = NULL, .e = NULL, .id = none, .rc = CZ_OK };
    int rc = cz_store_each_head(t, entity, reindex_head_cb, &r);
    return rc ? rc : r.rc;
}

int cz_index_filed_under(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], const void *term, size_t len,
                         int *filed)
{
    struct terms ts;
    terms_init(&ts);
    int rc = heads_terms(t, entity, &ts);
    *filed = rc == CZ_OK && terms_has(&ts, term, len);
    terms_free(&ts);
    return rc;
}

struct sharing_ctx { cz_txn *t; struct terms *ts; };

static int sharing_cb(void *ctx, const uint8_t *other)
{
    struct sharing_ctx *s = ctx;
    uint8_t copy[CZ_ENTITY_BYTES];
    memcpy(copy, other, sizeof copy);
    return heads_terms(s->t, copy, s->ts);
}

/* The terms of e's parents, into `old`: with the heads but e, every
 * version that was a head before e was added (cz_store_add_version takes
 * only e's parents out of the heads), so every term the entity was filed
 * under.  A parent not stored, or deleted, was filed under nothing. */
static int parent_terms(cz_txn *t, const struct cz_entry *e, struct terms *old)
{
    for (size_t i = 0; i < e->nparents; i++) {
        struct cz_entry p;
        int rc = cz_store_get_entry(t, e->parents + i * CZ_ID_BYTES, &p);
        if (rc == CZ_ENOTFOUND || (rc == CZ_OK && (p.flags & CZ_ENTRY_FLAG_TOMBSTONE))) continue;
        if (rc || (rc = entry_terms(&p, old))) return rc;
    }
    return CZ_OK;
}

/* Re-derives an entity's index terms from its current heads; `e` (stored
 * under `id` in this call) is used as it is rather than read back.  The
 * terms it was filed under are made again from the versions that were its
 * heads (the index keeps no list of them: the entries are stored anyway);
 * a term made that it was not filed under costs a look-up, nothing more. */
static int reindex(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    struct terms ts, old, shared;
    CZ_DEFER_FLUSH(t);
    terms_init(&ts);
    terms_init(&old);
    terms_init(&shared);
    struct reindex_ctx r = { .t = t, .ts = &ts, .old = &old, .e = e, .id = id, .rc = CZ_OK };
    struct sharing_ctx sh = { .t = t, .ts = &shared };
    int rc = cz_store_each_head(t, e->entity, reindex_head_cb, &r);
    if (rc == CZ_OK) rc = parent_terms(t, e, &old);
    if (rc == CZ_OK) rc = cz_index_sharing(t, e->entity, sharing_cb, &sh);
    if (rc == CZ_OK) rc = CZ_ST(t, unfile(t, e->entity, old.buf, old.len, &ts, &shared));
    if (rc == CZ_OK) rc = index_terms(t, e->entity, &ts);
    terms_free(&ts);
    terms_free(&old);
    terms_free(&shared);
    return rc;
}

/* The first version of an entity to arrive: it had no versions, so no heads
 * and no terms filed.  Its
 * terms are those of this entry if it is a head (no child arrived before
 * it) and not a tombstone: what reindex would find, without looking. */
static int index_first(cz_txn *t, const struct cz_entry *e, int is_head, const uint8_t *pre, size_t pre_len)
{
    struct terms ts;
    int rc = CZ_OK;
    if (!is_head || (e->flags & CZ_ENTRY_FLAG_TOMBSTONE)) return CZ_OK;
    terms_init(&ts);
    if (pre) {   /* cz_store_entry_terms(e), made by the caller */
        ts.buf = (uint8_t *)pre;
        ts.len = ts.cap = pre_len;
    } else {
        rc = entry_terms(e, &ts);
    }
    if (rc == CZ_OK)
        rc = cz_index_batching(t) ? cz_index_batch_add(t, e->entity, ts.buf, ts.len)
                                  : index_terms(t, e->entity, &ts);
    if (!pre) terms_free(&ts);
    return rc;
}

/* ---- an index made by another build ---- */

/* What an earlier build kept beside the index: each entity's terms, so an
 * edit could take them out.  They are made again from the entries now
 * (reindex), and the table goes with the index it listed. */
#define OLD_ETERMS "eterms"

/* An empty index, and no eterms. */
static int drop_index(cz_txn *t)
{
    MDB_dbi dbi;
    int rc = mdb_drop(t->txn, t->s->dbi[CZ_DB_INDEX], 0);
    if (rc == 0) rc = mdb_dbi_open(t->txn, OLD_ETERMS, 0, &dbi);
    if (rc == MDB_NOTFOUND) return CZ_OK;
    if (rc == 0) rc = mdb_drop(t->txn, dbi, 1);
    return CZ_ST(t, rc);
}

/* The index made again: how many entities (*n), and whether the store
 * is of format 1, which listed every entity's heads (store_int.h). */
struct upgrade { size_t n; int format1; };

/* Every entity with a version (versions' keys), counted (fn NULL) or each
 * passed to fn; a non-zero return stops with that value. */
static int each_entity(cz_txn *t, int (*fn)(cz_txn *, const uint8_t *, struct upgrade *), struct upgrade *u)
{
    MDB_cursor *c;
    MDB_val k, d;
    uint8_t entity[CZ_ENTITY_BYTES];
    int ret = CZ_OK, rc = mdb_cursor_open(t->txn, t->s->dbi[CZ_DB_VERSIONS], &c);
    if (rc) return CZ_ST(t, rc);
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) {
        if (k.mv_size != CZ_ENTITY_BYTES) continue;
        if (!fn) { u->n++; continue; }
        memcpy(entity, k.mv_data, CZ_ENTITY_BYTES);   /* the key's page may move as fn writes */
        if ((ret = fn(t, entity, u))) break;
    }
    mdb_cursor_close(c);
    if (ret) return ret;
    return rc == MDB_NOTFOUND ? CZ_OK : CZ_ST(t, rc);
}

/* Files one entity under its heads' terms (the index holds none of its
 * terms yet), counting it when it has any; its heads as format 2 lists
 * them first. */
static int index_entity(cz_txn *t, const uint8_t *entity, struct upgrade *u)
{
    struct terms ts;
    int rc = u->format1 ? cz_store_heads_format1(t, entity) : CZ_OK;
    if (rc) return rc;
    terms_init(&ts);
    rc = heads_terms(t, entity, &ts);
    if (rc == CZ_OK && ts.len) {
        rc = cz_index_batch_add(t, entity, ts.buf, ts.len);
        u->n++;
    }
    terms_free(&ts);
    return rc;
}

static cz_index_notice_fn notice_fn;
static void *notice_ctx;

void cz_store_index_notice(cz_index_notice_fn fn, void *ctx)
{
    notice_fn = fn;
    notice_ctx = ctx;
}

int cz_store_index_upgrade(cz_store *s, size_t *reindexed)
{
    cz_txn *t = NULL;
    uint64_t version = 0, format = 0;
    struct upgrade all = { .n = 0 }, filed = { .n = 0 };
    int rc;
    *reindexed = 0;
    if ((rc = cz_txn_begin(s, 0, &t))) return rc;
    /* Missing: a store from before the index was versioned (version 1). */
    if (cz_meta_get_u64(t, CZ_META_INDEX_VERSION, &version) != CZ_OK) version = 1;
    filed.format1 = cz_meta_get_u64(t, CZ_META_FORMAT, &format) == CZ_OK && format == 1;
    cz_txn_abort(t);
    t = NULL;
    if (version == CZ_INDEX_VERSION) return CZ_OK;
    /* Older or newer, the terms are not the ones this build looks up:
     * all of them are made again from the heads, in one transaction (all
     * or nothing), and put sorted as a load puts them. */
    if ((rc = cz_txn_begin(s, 1, &t))) return rc;
    if ((rc = each_entity(t, NULL, &all))) goto cleanup;
    if (notice_fn && all.n) notice_fn(notice_ctx, all.n);
    if ((rc = drop_index(t)) || (rc = cz_store_defer_index(t))) goto cleanup;
    if ((rc = each_entity(t, index_entity, &filed))) goto cleanup;
    if ((rc = cz_meta_put_u64(t, CZ_META_INDEX_VERSION, CZ_INDEX_VERSION))) goto cleanup;
    /* The index and the heads are what a format 1 store has otherwise. */
    if ((rc = cz_meta_put_u64(t, CZ_META_FORMAT, CZ_STORE_FORMAT))) goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK) *reindexed = filed.n;
cleanup:
    cz_txn_abort(t);
    return rc;
}

int cz_store_index_mark_current(cz_txn *t)
{
    return cz_meta_put_u64(t, CZ_META_INDEX_VERSION, CZ_INDEX_VERSION);
}

/* ---- storing an entry ---- */

/* The entry as a version of its entity (store_int.h), then filed. */
static int apply_version(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                         const uint8_t *pre, size_t pre_len)
{
    int first, head;
    int rc = cz_store_add_version(t, e, id, &first, &head);
    if (rc) return rc;
    return first ? index_first(t, e, head, pre, pre_len) : reindex(t, e, id);
}

static int put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                     const uint8_t *pre, size_t pre_len, int *result)
{
    int rc = cz_store_put_logged(t, e, id, result);
    if (rc || *result != CZ_PUT_NEW) return rc;
    return apply_version(t, e, id, pre, pre_len);
}

int cz_store_put_entry(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *result)
{
    return put_entry(t, e, id, NULL, 0, result);
}

int cz_store_put_entry_terms(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                             const uint8_t *terms, size_t len, int *result)
{
    static const uint8_t none[1];
    return put_entry(t, e, id, terms ? terms : none, terms ? len : 0, result);
}

int cz_store_release(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES])
{
    int rc = cz_store_judged_del(t, id);
    if (rc) return rc;
    return apply_version(t, e, id, NULL, 0);
}
