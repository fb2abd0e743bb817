/* mirror_schema.c — schema `cunzhan` on the server: created by the first
 * run, its version checked by every run (a newer one is left untouched),
 * and the one station whose mirror it is (src/MIRROR.md, "The schema").
 *
 * Every table that grows with the records has `region` in its primary
 * key, so the same tables can be distributed by region on Citus
 * (MIRROR.md, "Bigger than one machine"); the id comes first in it, so
 * the key also finds a row by id (an index fewer to keep on every COPY).
 *
 * A new schema's two large tables start without their keys and indexes:
 * a server keeping a key on random ids row by row spends more than the
 * COPY itself, and one sorted build at the end is far cheaper.  The mark
 * (cunzhan.source.keys_owed) commits with the tables, so a run killed
 * before the build leaves the keys owed and the next run builds them. */
#include "mirror_int.h"
#include "hex.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 1.  A later version adds its steps after these (steps[]), run
 * when the server holds an older one; nothing here is ever changed in
 * place. */
static const char schema_v1[] =
    "CREATE TABLE cunzhan.source ("
    " station bytea PRIMARY KEY, name text NOT NULL, office_root bytea NOT NULL,"
    " records_owed boolean NOT NULL DEFAULT true, last_run timestamptz, views text);"
    "CREATE TABLE cunzhan.entry ("
    " id bytea NOT NULL, origin bytea NOT NULL, seq numeric(20,0) NOT NULL,"
    " type text NOT NULL, region text NOT NULL, entity bytea NOT NULL,"
    " hlc numeric(20,0) NOT NULL, wall bigint NOT NULL, tombstone boolean NOT NULL,"
    " parents bytea NOT NULL, raw bytea NOT NULL, PRIMARY KEY (id, region));"
    "CREATE INDEX entry_origin_seq ON cunzhan.entry (origin, seq);"
    "CREATE INDEX entry_entity ON cunzhan.entry (entity);"
    "CREATE TABLE cunzhan.mirrored ("
    " origin bytea NOT NULL, lo numeric(20,0) NOT NULL, hi numeric(20,0) NOT NULL,"
    " PRIMARY KEY (origin, lo));"
    "CREATE TABLE cunzhan.record ("
    " entity bytea NOT NULL, type text NOT NULL, region text NOT NULL, version bytea NOT NULL,"
    " origin bytea NOT NULL, seq numeric(20,0) NOT NULL, wall bigint NOT NULL,"
    " heads integer NOT NULL, in_conflict boolean NOT NULL, deleted boolean NOT NULL,"
    " trust text NOT NULL, counted boolean NOT NULL, status text, exited_year integer,"
    " fields jsonb NOT NULL, digest bytea NOT NULL, PRIMARY KEY (entity, region));"
    "CREATE INDEX record_type ON cunzhan.record (type, region);";

/* Version 2: the figures of a record that depend on other records
 * (mirror_derived.c), written by the station as the report works them
 * out.  The rows a version 1 mirror holds get '{}' and a digest of zeros
 * that matches no row, so the same run rewrites every one. */
static const char schema_v2[] =
    "ALTER TABLE cunzhan.record ADD COLUMN derived jsonb NOT NULL DEFAULT '{}';"
    "UPDATE cunzhan.record SET digest = '\\x00000000000000000000000000000000'";

/* Version 3: whether the keys and indexes of entry and record are still
 * to be built (a first run loads without them, cz_mirror_keys).  A mirror
 * an earlier build made has them. */
static const char schema_v3[] =
    "ALTER TABLE cunzhan.source ADD COLUMN keys_owed boolean NOT NULL DEFAULT false";

/* The steps from version i + 1 on, in order: a new server runs them all. */
static const char *const steps[] = { schema_v1, schema_v2, schema_v3 };

/* The keys and indexes version 1 makes, by the names it gives them:
 * dropped from a new schema's empty tables, and built again, the same,
 * once its first run has copied everything.  The entries' key first: it
 * is the one that can meet a row there twice. */
struct key { const char *build, *drop; int entries; };
static const struct key keys[] = {
    { "ALTER TABLE cunzhan.entry ADD CONSTRAINT entry_pkey PRIMARY KEY (id, region)",
      "ALTER TABLE cunzhan.entry DROP CONSTRAINT entry_pkey", 1 },
    { "CREATE INDEX entry_origin_seq ON cunzhan.entry (origin, seq)", "DROP INDEX cunzhan.entry_origin_seq", 1 },
    { "CREATE INDEX entry_entity ON cunzhan.entry (entity)", "DROP INDEX cunzhan.entry_entity", 1 },
    { "ALTER TABLE cunzhan.record ADD CONSTRAINT record_pkey PRIMARY KEY (entity, region)",
      "ALTER TABLE cunzhan.record DROP CONSTRAINT record_pkey", 0 },
    { "CREATE INDEX record_type ON cunzhan.record (type, region)", "DROP INDEX cunzhan.record_type", 0 },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The run holds this lock for its whole session, so two mirrors of one
 * server (two terminals, a cron job) take turns instead of racing. */
#define LOCK_SQL "SELECT pg_advisory_lock(hashtext('cunzhan mirror'))"

static int found_version(struct cz_mirror *m, int *version)
{
    PGresult *r = NULL;
    int rc = cz_mirror_query(m, "SELECT coalesce(max(version), 0) FROM cunzhan.schema_version", 0, NULL, &r);
    if (rc == CZ_OK) *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

/* The source row: this station's, or another's (refused). */
static int check_source(struct cz_mirror *m)
{
    const struct cz_station_info *info = cz_station_info(m->st);
    char station[65], root[65];
    cz_hex(info->box_pk, 32, station);
    cz_hex(info->office_root, 32, root);
    PGresult *r = NULL;
    int rc = cz_mirror_query(m, "SELECT encode(station, 'hex'), keys_owed FROM cunzhan.source", 0, NULL, &r);
    if (rc) return rc;
    int rows = PQntuples(r), same = rows == 1 && !strcmp(PQgetvalue(r, 0, 0), station);
    m->keys_owed = same && !strcmp(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    if (rows && !same) return CZ_EMIRROROTHER;
    if (rows) return CZ_OK;
    const char *params[] = { station, info->name, root };
    rc = cz_mirror_query(m,
                         "INSERT INTO cunzhan.source (station, name, office_root)"
                         " VALUES (decode($1, 'hex'), $2, decode($3, 'hex')) RETURNING station",
                         3, params, &r);
    PQclear(r);
    return rc;
}

/* A new schema: its tables are empty, so dropping costs nothing. */
static int defer_keys(struct cz_mirror *m)
{
    int rc = CZ_OK;
    for (size_t i = 0; i < NKEYS && rc == CZ_OK; i++) rc = cz_mirror_exec(m, keys[i].drop);
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "UPDATE cunzhan.source SET keys_owed = true");
    if (rc == CZ_OK) m->keys_owed = 1;
    return rc;
}

static int create_or_check(struct cz_mirror *m)
{
    int version = 0;
    int rc = cz_mirror_exec(m,
                            "CREATE SCHEMA IF NOT EXISTS cunzhan;"
                            "CREATE TABLE IF NOT EXISTS cunzhan.schema_version ("
                            " version integer NOT NULL, written_by text NOT NULL,"
                            " at timestamptz NOT NULL DEFAULT now())");
    if (rc || (rc = found_version(m, &version))) return rc;
    m->s->schema_version = version;
    if (version > CZ_MIRROR_SCHEMA_VERSION) {
        return CZ_EMIRRORNEWER;
    }
    if (version < CZ_MIRROR_SCHEMA_VERSION) {
        char sql[128];
        for (int v = version; v < CZ_MIRROR_SCHEMA_VERSION; v++)
            if ((rc = cz_mirror_exec(m, steps[v]))) return rc;
        snprintf(sql, sizeof sql, "INSERT INTO cunzhan.schema_version (version, written_by) VALUES (%d, 'cunzhan')",
                 CZ_MIRROR_SCHEMA_VERSION);
        if ((rc = cz_mirror_exec(m, sql))) return rc;
        m->s->schema_created = version == 0;
        m->s->schema_version = CZ_MIRROR_SCHEMA_VERSION;
    }
    rc = check_source(m);
    return rc == CZ_OK && version == 0 ? defer_keys(m) : rc;
}

int cz_mirror_schema(struct cz_mirror *m)
{
    int rc = cz_mirror_exec(m, LOCK_SQL);
    if (rc || (rc = cz_mirror_exec(m, "BEGIN"))) return rc;
    rc = create_or_check(m);
    if (rc == CZ_OK) return cz_mirror_exec(m, "COMMIT");
    /* Whatever was refused leaves the server as it was: a newer schema
     * is not even read further. */
    cz_mirror_exec(m, "ROLLBACK");
    return rc;
}

int cz_mirror_set_dirty(struct cz_mirror *m, int dirty)
{
    return cz_mirror_exec(m, dirty ? "UPDATE cunzhan.source SET records_owed = true"
                                   : "UPDATE cunzhan.source SET records_owed = false, last_run = now()");
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

int cz_mirror_keys(struct cz_mirror *m)
{
    if (!m->keys_owed) return CZ_OK;
    /* Rows indexed, for the bar: the server holds what the station does
     * once the passes are through. */
    uint64_t done = 0, total = 0;
    for (size_t i = 0; i < NKEYS; i++) total += keys[i].entries ? m->s->entries_station : m->s->records_station;
    int rc = cz_mirror_exec(m, "BEGIN");
    for (size_t i = 0; i < NKEYS && rc == CZ_OK; i++) {
        if (m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_KEYS, done, total);
        rc = i == 0 ? build_entry_key(m, &keys[i]) : cz_mirror_exec(m, keys[i].build);
        done += keys[i].entries ? m->s->entries_station : m->s->records_station;
    }
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "UPDATE cunzhan.source SET keys_owed = false");
    if (rc == CZ_OK) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
    if (rc) return rc;
    m->keys_owed = 0;
    m->s->keys_built = 1;
    if (m->o->progress) m->o->progress(m->o->progress_ctx, CZ_MIRROR_KEYS, total, total);
    return CZ_OK;
}
