/* mirror_records.c — the current view of each record, as this station's
 * own code computes it (merge, trust, the exit chain), written into
 * cunzhan.record; SQL never re-derives it.
 *
 * Which rows to write is told by a digest of each row as written: a
 * record whose row would differ (a new version, a merge, a certificate
 * or revocation that changes whether its author counts, a fork choice, an
 * exit chain completed) is rewritten, any other is left alone.  Every run
 * looks at every record, even when no entry arrived: whether an exit
 * chain is complete depends on today's date too, and a newer build may
 * judge differently; what costs is writing, and only changes are written. */
#include "mirror_int.h"
#include "conflicts.h"
#include "exitchain.h"
#include "grow.h"
#include "hex.h"
#include "hhstatus.h"
#include "query.h"
#include "schema.h"
#include "status.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_BYTES 16

struct held { uint8_t entity[CZ_ENTITY_BYTES]; uint8_t digest[DIGEST_BYTES]; };

struct records {
    struct cz_mirror *m;
    struct held *held;            /* what the server holds, sorted by entity */
    size_t nheld, capheld;
    uint8_t (*ents)[CZ_ENTITY_BYTES];
    size_t nents, capents;
    uint8_t (*conflicts)[CZ_ENTITY_BYTES];   /* as `cunzhan conflicts` lists them, sorted */
    size_t nconflicts, capconflicts;
    struct cz_mtrust trust;       /* one per author met */
    struct cz_mderived *derived;
    struct cz_mbuf row, derived_row;
    struct cz_mbuf changed;       /* rows replacing one the server has (m->buf: new ones) */
    size_t nbatch;
    int streaming;                /* the COPY of new rows is open */
};

/* The household's derived status (poor, exited, exited_paper, returned)
 * and the year it exited: the one place the mirror decides it, as
 * report.c does, so the report's views and `cunzhan report` agree. */
static int household_status(struct records *R, const struct cz_record *rec, const char **status,
                            uint32_t *year)
{
    struct cz_household_status hs;
    int rc = cz_household_status(R->m->t, R->m->root, rec->entity, &hs);
    if (rc) return rc;
    *status = hs.status == CZ_HH_EXITED && hs.paper ? "exited_paper" : cz_hh_status_key(hs.status);
    *year = hs.exit_year;
    return CZ_OK;
}

static void trust_word(int why, char *buf, size_t size)
{
    if (why == CZ_OK) { snprintf(buf, size, "certified"); return; }
    if (why == CZ_ENOTFOUND) { snprintf(buf, size, "pending"); return; }
    const char *name = cz_status_name(why);
    if (!strncmp(name, "CZ_E", 4)) name += 4;
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) buf[i] = (char)tolower((unsigned char)name[i]);
    buf[i] = 0;
}

/* One field's value as JSON: text as strings, whole numbers as numbers,
 * hundredths (money in yuan, areas, quantities) as exact decimals, dates
 * as "YYYY-MM-DD", lists as arrays, ids and keys as hex. */
static int field_json(struct cz_mbuf *b, const struct cz_field *f, const cz_body *body, int kind)
{
    const char *s;
    size_t len, n = 0;
    int64_t v = 0;
    uint64_t u = 0;
    const uint8_t *p;
    char hex[2 * 64 + 1];
    switch (kind) {
    case CZ_KIND_TEXT:
        cz_body_get_text(body, f->tag, &s, &len);
        return cz_mbuf_json_string(b, s, len);
    case CZ_KIND_SINT:
        cz_body_get_sint(body, f->tag, &v);
        if (f->type != CZ_F_MONEY && f->type != CZ_F_AREA && f->type != CZ_F_DECIMAL)
            return cz_mbuf_printf(b, "%lld", (long long)v);
        u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        return cz_mbuf_printf(b, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long)(u / 100),
                              (unsigned long long)(u % 100));
    case CZ_KIND_UINT:
        cz_body_get_uint(body, f->tag, &u);
        if (f->type == CZ_F_DATE)
            return cz_mbuf_printf(b, "\"%04llu-%02llu-%02llu\"", (unsigned long long)(u / 10000),
                                  (unsigned long long)(u / 100 % 100), (unsigned long long)(u % 100));
        return cz_mbuf_printf(b, "%llu", (unsigned long long)u);
    case CZ_KIND_BYTES:
        cz_body_get_bytes(body, f->tag, &p, &len);
        if (len > 64) len = 64;
        cz_hex(p, len, hex);
        return cz_mbuf_printf(b, "\"%s\"", hex);
    case CZ_KIND_LIST: {
        int rc = cz_body_get_list_count(body, f->tag, &n);
        if (!rc) rc = cz_mbuf_add(b, "[", 1);
        for (size_t i = 0; i < n && rc == CZ_OK; i++) {
            cz_body_get_list_item(body, f->tag, i, &s, &len);
            if (i) rc = cz_mbuf_add(b, ",", 1);
            if (!rc) rc = cz_mbuf_json_string(b, s, len);
        }
        return rc ? rc : cz_mbuf_add(b, "]", 1);
    }
    }
    return cz_mbuf_str(b, "null");
}

static int fields_json(struct cz_mbuf *b, const struct cz_record *rec)
{
    int rc = cz_mbuf_add(b, "{", 1), first = 1;
    for (size_t i = 0; rec->type && rec->body && i < rec->type->nfields && rc == CZ_OK; i++) {
        const struct cz_field *f = &rec->type->fields[i];
        int kind = cz_body_kind(rec->body, f->tag);
        if (!kind) continue;
        if (!first) rc = cz_mbuf_add(b, ",", 1);
        first = 0;
        if (!rc) rc = cz_mbuf_json_string(b, f->key, strlen(f->key));
        if (!rc) rc = cz_mbuf_add(b, ":", 1);
        if (!rc) rc = field_json(b, f, rec->body, kind);
    }
    return rc ? rc : cz_mbuf_add(b, "}", 1);
}

static int entity_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ENTITY_BYTES); }

/* In conflict: concurrent versions whose values differ, as `cunzhan
 * conflicts` and the Conflicts screen say (concurrent versions that merge
 * cleanly are not). */
static int conflict_cb(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                       const struct cz_merged *merged)
{
    struct records *R = ctx;
    int rc = cz_grow(&R->conflicts, &R->capconflicts, R->nconflicts + 1, sizeof *R->conflicts);
    if (rc == CZ_OK) memcpy(R->conflicts[R->nconflicts++], entity, CZ_ENTITY_BYTES);
    return rc;
}

static int collect_conflicts(struct records *R)
{
    int rc = cz_conflicts_each(R->m->t, conflict_cb, R);
    if (rc == CZ_OK && R->nconflicts) qsort(R->conflicts, R->nconflicts, sizeof *R->conflicts, entity_cmp);
    return rc;
}

static int in_conflict(const struct records *R, const uint8_t *entity)
{
    return R->nconflicts && bsearch(entity, R->conflicts, R->nconflicts, sizeof *R->conflicts, entity_cmp);
}

/* The row of cunzhan.record up to its fields, into R->row; the derived
 * figures (after the digest in the table) into R->derived_row. */
static int record_row(struct records *R, const struct cz_record *rec)
{
    struct cz_mbuf *b = &R->row;
    struct cz_mbuf json = { 0 };
    char trust[48];
    const char *status = NULL;
    uint32_t year = 0;
    int why = CZ_OK;
    int rc = cz_mtrust_why(&R->trust, R->m->t, R->m->root, rec, &why);
    if (!rc && !rec->deleted && rec->body && !strcmp(rec->type_key, "household"))
        rc = household_status(R, rec, &status, &year);
    if (rc) return rc;
    trust_word(why, trust, sizeof trust);
    b->n = 0;
    rc = cz_mbuf_copy_bytea(b, rec->entity, CZ_ENTITY_BYTES);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_text(b, rec->type_key, strlen(rec->type_key));
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_text(b, rec->region, strlen(rec->region));
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, rec->id, CZ_ID_BYTES);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, rec->origin, 32);
    if (!rc) rc = cz_mbuf_printf(b, "\t%llu\t%lld\t%zu\t%s\t%s\t%s\t%s\t", (unsigned long long)rec->seq,
                                 (long long)rec->wall, rec->nheads, in_conflict(R, rec->entity) ? "t" : "f",
                                 rec->deleted ? "t" : "f", trust, why == CZ_OK ? "t" : "f");
    if (!rc) rc = status ? cz_mbuf_printf(b, "%s\t", status) : cz_mbuf_str(b, "\\N\t");
    if (!rc) rc = year ? cz_mbuf_printf(b, "%u\t", year) : cz_mbuf_str(b, "\\N\t");
    if (!rc) rc = fields_json(&json, rec);
    if (!rc) rc = cz_mbuf_copy_text(b, json.p, json.n);
    json.n = 0;
    R->derived_row.n = 0;
    if (!rc) rc = cz_mderived_json(R->derived, rec, &json);
    if (!rc) rc = cz_mbuf_copy_text(&R->derived_row, json.p, json.n);
    cz_mbuf_free(&json);
    return rc;
}

static int held_cmp(const void *a, const void *b) { return memcmp(a, b, CZ_ENTITY_BYTES); }

static int load_held(struct records *R)
{
    PGresult *r = NULL;
    int rc = cz_mirror_query(R->m, "SELECT encode(entity, 'hex'), encode(digest, 'hex') FROM cunzhan.record",
                             0, NULL, &r);
    if (rc) return rc;
    size_t n = (size_t)PQntuples(r);
    if ((rc = cz_grow(&R->held, &R->capheld, n + 1, sizeof *R->held))) goto cleanup;
    for (size_t i = 0; i < n; i++) {
        struct held *h = &R->held[R->nheld];
        if (cz_unhex(PQgetvalue(r, (int)i, 0), h->entity, CZ_ENTITY_BYTES) == CZ_OK &&
            cz_unhex(PQgetvalue(r, (int)i, 1), h->digest, DIGEST_BYTES) == CZ_OK)
            R->nheld++;
    }
    if (R->nheld) qsort(R->held, R->nheld, sizeof *R->held, held_cmp);
cleanup:
    PQclear(r);
    return rc;
}

static const struct held *find_held(const struct records *R, const uint8_t *entity)
{
    return R->nheld ? bsearch(entity, R->held, R->nheld, sizeof *R->held, held_cmp) : NULL;
}

/* Every entity with a version stored here, applied or not (an entity
 * whose versions are all held or refused loads as not found). */
static int entity_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct records *R = ctx;
    struct cz_entry e;
    int rc = cz_entry_parse(val, vlen, &e);
    if (rc) return rc;
    if ((rc = cz_grow(&R->ents, &R->capents, R->nents + 1, sizeof *R->ents))) return rc;
    memcpy(R->ents[R->nents++], e.entity, CZ_ENTITY_BYTES);
    return CZ_OK;
}

static int collect_entities(struct records *R)
{
    int rc = cz_store_each_entry(R->m->t, entity_cb, R);
    if (rc || !R->nents) return rc;
    qsort(R->ents, R->nents, CZ_ENTITY_BYTES, held_cmp);
    size_t w = 0;
    for (size_t i = 1; i < R->nents; i++)
        if (memcmp(R->ents[w], R->ents[i], CZ_ENTITY_BYTES)) memcpy(R->ents[++w], R->ents[i], CZ_ENTITY_BYTES);
    R->nents = w + 1;
    return CZ_OK;
}

/* Rows for records the server has no row of went straight in, streamed
 * with COPY as they were made; rows that replace one go through a
 * temporary table, the old rows deleted first (never updated in place: a
 * record that moved village moves shard on Citus, MIRROR.md). */
static int put_records(struct records *R)
{
    struct cz_mirror *m = R->m;
    int rc = CZ_OK;
    if (R->streaming) rc = cz_mirror_stream_end(m, &m->buf);
    R->streaming = 0;
    if (!rc && R->changed.n) rc = cz_mirror_copy(m, "COPY pg_temp.stage_record FROM STDIN", &R->changed);
    if (!rc && R->changed.n)
        rc = cz_mirror_exec(m, "DELETE FROM cunzhan.record r USING pg_temp.stage_record s WHERE r.entity = s.entity;"
                               "INSERT INTO cunzhan.record SELECT * FROM pg_temp.stage_record");
    return rc;
}

/* The batch's transaction opens at its first row, and the COPY of new
 * rows at the first new one. */
static int open_batch(struct records *R, int new_row)
{
    int rc = CZ_OK;
    if (!R->nbatch) rc = cz_mirror_exec(R->m, "BEGIN");
    if (!rc && new_row && !R->streaming) {
        rc = cz_mirror_stream_begin(R->m, "COPY cunzhan.record FROM STDIN");
        R->streaming = rc == CZ_OK;
    }
    return rc;
}

static int flush(struct records *R, uint64_t done)
{
    struct cz_mirror *m = R->m;
    if (!R->nbatch) return CZ_OK;
    int rc = put_records(R);
    if (!rc) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
    if (rc) return rc;
    m->s->records_written += R->nbatch;
    m->s->batches++;
    R->nbatch = 0;
    m->buf.n = 0;
    R->changed.n = 0;
    if (m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_RECORDS, done, R->nents);
    return CZ_OK;
}

static int one_record(struct records *R, const uint8_t *entity)
{
    struct cz_record rec;
    uint8_t digest[DIGEST_BYTES];
    int rc = cz_record_load(R->m->t, entity, &rec);
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    R->m->s->records_station++;
    rc = record_row(R, &rec);
    cz_record_clear(&rec);
    if (rc) return rc;
    /* The digest covers the derived figures too: a death elsewhere
     * rewrites the household it changes. */
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, sizeof digest);
    crypto_generichash_update(&hs, (const uint8_t *)R->row.p, R->row.n);
    crypto_generichash_update(&hs, (const uint8_t *)"\t", 1);
    crypto_generichash_update(&hs, (const uint8_t *)R->derived_row.p, R->derived_row.n);
    crypto_generichash_final(&hs, digest, sizeof digest);
    const struct held *h = find_held(R, entity);
    if (h && !memcmp(h->digest, digest, sizeof digest)) return CZ_OK;
    struct cz_mbuf *b = h ? &R->changed : &R->m->buf;
    rc = open_batch(R, !h);
    if (!rc) rc = cz_mbuf_add(b, R->row.p, R->row.n);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_copy_bytea(b, digest, sizeof digest);
    if (!rc) rc = cz_mbuf_add(b, "\t", 1);
    if (!rc) rc = cz_mbuf_add(b, R->derived_row.p, R->derived_row.n);
    if (!rc) rc = cz_mbuf_add(b, "\n", 1);
    if (!rc && !h) rc = cz_mirror_stream_push(R->m, b);
    if (!rc) R->nbatch++;
    return rc;
}

int cz_mirror_records(struct cz_mirror *m)
{
    struct records R = { .m = m };
    int rc = cz_mirror_exec(m, "CREATE TEMP TABLE IF NOT EXISTS stage_record"
                           " (LIKE cunzhan.record) ON COMMIT DELETE ROWS");
    if (rc || (rc = load_held(&R)) || (rc = collect_conflicts(&R)) || (rc = collect_entities(&R)) ||
        (rc = cz_mderived_build(m, &R.derived)))
        goto cleanup;
    m->buf.n = 0;
    for (size_t i = 0; i < R.nents && rc == CZ_OK; i++) {
        rc = one_record(&R, R.ents[i]);
        if (rc == CZ_OK && R.nbatch >= m->batch) rc = flush(&R, i + 1);
    }
    if (rc == CZ_OK) rc = flush(&R, R.nents);
    /* Only a pass that went through every record pays what was owed. */
    if (rc == CZ_OK) rc = cz_mirror_set_dirty(m, 0);
    if (rc == CZ_OK && m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_RECORDS, R.nents, R.nents);
cleanup:
    free(R.held);
    free(R.ents);
    cz_mtrust_free(&R.trust);
    cz_mderived_free(R.derived);
    free(R.conflicts);
    cz_mbuf_free(&R.row);
    cz_mbuf_free(&R.derived_row);
    cz_mbuf_free(&R.changed);
    return rc;
}
