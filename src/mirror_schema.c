/* mirror_schema.c — schema `cunzhan` on the server: created by the first
 * run, its version checked by every run (a newer one is left untouched),
 * and the one station whose mirror it is (src/MIRROR.md, "The schema").
 *
 * Every table that grows with the records has `region` in its primary
 * key, so the same tables can be distributed by region on Citus
 * (MIRROR.md, "Bigger than one machine"); the id comes first in it, so
 * the key also finds a row by id (an index fewer to keep on every COPY).
 *
 * A new schema's two large tables start without their keys and indexes
 * (mirror_keys.c): the mark that says so (cunzhan.source.keys_owed)
 * commits with the tables. */
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
    return rc == CZ_OK && version == 0 ? cz_mirror_defer_keys(m) : rc;
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
