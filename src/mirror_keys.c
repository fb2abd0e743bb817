/* mirror_keys.c — the keys and indexes of cunzhan.entry and
 * cunzhan.record, which a first run builds once at its end (src/MIRROR.md,
 * "Keys, on a first run").
 *
 * A server keeping a key on random ids row by row spends more than the
 * COPY itself; one sorted build once the rows are in costs a fraction of
 * that.  So a new schema's tables lose their keys while they are still
 * empty, cunzhan.source.keys_owed says so, and the run builds them: the
 * entries' on a second connection while the records pass runs (the
 * server sorts while the station works out records), the records' at the
 * end, in the transaction that clears the mark.  Each build is all or
 * nothing and leaves alone what is there, so a run killed anywhere leaves
 * a state the next run finishes. */
#include "mirror_int.h"
#include "status.h"

#include <string.h>

/* The keys and indexes version 1 makes (mirror_schema.c), by the names it
 * gives them.  The entries' key first: it is the one that can meet a row
 * there twice. */
struct key { const char *name, *build, *drop; int entries; };
static const struct key keys[] = {
    { "entry_pkey", "ALTER TABLE cunzhan.entry ADD CONSTRAINT entry_pkey PRIMARY KEY (id, region)",
      "ALTER TABLE cunzhan.entry DROP CONSTRAINT entry_pkey", 1 },
    { "entry_origin_seq", "CREATE INDEX entry_origin_seq ON cunzhan.entry (origin, seq)",
      "DROP INDEX cunzhan.entry_origin_seq", 1 },
    { "entry_entity", "CREATE INDEX entry_entity ON cunzhan.entry (entity)", "DROP INDEX cunzhan.entry_entity", 1 },
    { "record_pkey", "ALTER TABLE cunzhan.record ADD CONSTRAINT record_pkey PRIMARY KEY (entity, region)",
      "ALTER TABLE cunzhan.record DROP CONSTRAINT record_pkey", 0 },
    { "record_type", "CREATE INDEX record_type ON cunzhan.record (type, region)", "DROP INDEX cunzhan.record_type", 0 },
};
#define NKEYS (sizeof keys / sizeof keys[0])
#define THERE_SQL "SELECT indexname FROM pg_indexes WHERE schemaname = 'cunzhan'"

int cz_mirror_defer_keys(struct cz_mirror *m)
{
    int rc = CZ_OK;
    for (size_t i = 0; i < NKEYS && rc == CZ_OK; i++) rc = cz_mirror_exec(m, keys[i].drop);
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "UPDATE cunzhan.source SET keys_owed = true");
    if (rc == CZ_OK) m->keys_owed = 1;
    return rc;
}

/* Which of keys[] the server has: bit i for keys[i]. */
static unsigned there(const PGresult *r)
{
    unsigned have = 0;
    for (int row = 0; row < PQntuples(r); row++)
        for (size_t i = 0; i < NKEYS; i++)
            if (!strcmp(PQgetvalue(r, row, 0), keys[i].name)) have |= 1u << i;
    return have;
}

void cz_mirror_keys_start(struct cz_mirror *m)
{
    struct cz_mbuf sql = { 0 };
    if (!m->keys_owed || !(m->aside = cz_mirror_connect_more(m))) return;
    PGresult *r = PQexec(m->aside, THERE_SQL);
    unsigned have = r && PQresultStatus(r) == PGRES_TUPLES_OK ? there(r) : ~0u;
    PQclear(r);
    /* One transaction, which commits only once the run asks (aside_end):
     * a run killed meanwhile leaves none of them. */
    int rc = cz_mbuf_str(&sql, "BEGIN");
    for (size_t i = 0; i < NKEYS && rc == CZ_OK; i++)
        if (keys[i].entries && !(have & (1u << i))) rc = cz_mbuf_printf(&sql, ";%s", keys[i].build);
    if (rc || !strchr(sql.p, ';') || PQsendQuery(m->aside, sql.p) != 1) {
        PQfinish(m->aside);
        m->aside = NULL;
    }
    cz_mbuf_free(&sql);
}

/* The entries' key met an entry there twice: while keys are owed nothing
 * refuses a second copy, and a run whose ranges were lost (deleted by
 * hand) copies every entry again.  The copies are the same bytes (the id
 * is the hash of raw, every other column is read from raw), so one of
 * each is kept, and the run's count of new entries loses the others. */
static int build_entry_key(struct cz_mirror *m, const struct key *k)
{
    int rc = cz_mirror_exec(m, "SAVEPOINT key");
    if (rc == CZ_OK) rc = cz_mirror_exec(m, k->build);
    if (rc != CZ_EMIRRORSQL || strcmp(m->sqlstate, CZ_MIRROR_DUPLICATE)) return rc;
    if ((rc = cz_mirror_exec(m, "ROLLBACK TO SAVEPOINT key"))) return rc;
    uint64_t twice = cz_mirror_exec_count(m,
        "DELETE FROM cunzhan.entry a USING cunzhan.entry b"
        " WHERE a.id = b.id AND a.region = b.region AND a.ctid > b.ctid", &rc);
    if (rc) return rc;
    m->s->entries_copied -= twice < m->s->entries_copied ? twice : m->s->entries_copied;
    return cz_mirror_exec(m, k->build);
}

static uint64_t rows_of(const struct cz_mirror *m, const struct key *k)
{
    return k->entries ? m->s->entries_station : m->s->records_station;
}

static int build_missing(struct cz_mirror *m)
{
    PGresult *r = NULL;
    int rc = cz_mirror_query(m, THERE_SQL, 0, NULL, &r);
    if (rc) return rc;
    unsigned have = there(r);
    PQclear(r);
    /* Rows indexed, for the bar: the server holds what the station does
     * once the passes are through. */
    uint64_t done = 0, total = 0;
    for (size_t i = 0; i < NKEYS; i++) total += have & (1u << i) ? 0 : rows_of(m, &keys[i]);
    for (size_t i = 0; i < NKEYS && rc == CZ_OK; i++) {
        if (have & (1u << i)) continue;
        if (m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_KEYS, done, total);
        rc = i == 0 ? build_entry_key(m, &keys[i]) : cz_mirror_exec(m, keys[i].build);
        done += rows_of(m, &keys[i]);
    }
    if (rc == CZ_OK && m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_KEYS, total, total);
    return rc;
}

/* The second connection's keys, committed when all were built. */
static void aside_end(struct cz_mirror *m)
{
    PGresult *r;
    int ok = 1;
    while ((r = PQgetResult(m->aside)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) ok = 0;
        PQclear(r);
    }
    if (ok) PQclear(PQexec(m->aside, "COMMIT"));
    PQfinish(m->aside);
    m->aside = NULL;
}

int cz_mirror_keys(struct cz_mirror *m)
{
    if (!m->keys_owed) return CZ_OK;
    /* What the second connection could not build (an entry there twice,
     * a server that refused it) is built below, where a refusal that is
     * real is met again and reported. */
    if (m->aside) aside_end(m);
    int rc = cz_mirror_exec(m, "BEGIN");
    if (rc == CZ_OK) rc = build_missing(m);
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "UPDATE cunzhan.source SET keys_owed = false");
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
    if (rc) return rc;
    m->keys_owed = 0;
    m->s->keys_built = 1;
    return CZ_OK;
}
