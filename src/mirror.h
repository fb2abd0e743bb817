/* mirror.h — a one-way, incremental mirror of this station into
 * PostgreSQL (src/MIRROR.md): every entry as stored, the current view of
 * every record as this station judges it, typed views per record type and
 * the report's figures as views.
 *
 * The mirror only reads the station (one read transaction) and writes
 * only schema `cunzhan` of the server.  What the server holds is recorded
 * in the server itself (per-origin ranges of log positions), in batches
 * that each commit entries and ranges together, so a run killed at any
 * point resumes where it stopped and a run with nothing new copies
 * nothing.  A first run loads tables without keys and indexes and builds
 * them once at its end (a run that finds them owed finishes the job).
 * Records are rewritten when their current view changed, by a
 * new version or by a trust event (certificate, revocation, fork choice),
 * which a digest of each written row tells. */
#ifndef CZ_MIRROR_H
#define CZ_MIRROR_H

#include <stddef.h>
#include <stdint.h>
#include "station.h"

/* The version of schema `cunzhan` this build writes.  A server holding a
 * higher one is refused (CZ_EMIRRORNEWER) and left untouched; a lower one
 * is upgraded in place (mirror_schema.c). */
#define CZ_MIRROR_SCHEMA_VERSION 3

/* What a run is doing, for a progress bar: entries copied of those
 * missing, then records looked at of all records, then (a first run
 * only) rows indexed of the rows the keys and indexes cover. */
enum cz_mirror_phase { CZ_MIRROR_ENTRIES = 1, CZ_MIRROR_RECORDS = 2, CZ_MIRROR_KEYS = 3 };
typedef void (*cz_mirror_progress_fn)(void *ctx, enum cz_mirror_phase phase, uint64_t done, uint64_t total);

struct cz_mirror_opts {
    const char *conninfo;            /* libpq connection string or postgresql:// URI */
    size_t batch;                    /* rows per transaction; 0: the default (5000) */
    cz_mirror_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
};

struct cz_mirror_summary {
    uint64_t entries_station;   /* entries (log positions and fork evidence) this station holds */
    uint64_t entries_copied;    /* of them, new to the server in this run */
    uint64_t records_station;   /* records (entities with an applied version) */
    uint64_t records_written;   /* of them, written because new or changed */
    uint64_t batches;           /* transactions committed */
    int schema_created;         /* this run created schema `cunzhan` */
    int keys_built;             /* this run built the keys and indexes a first run defers */
    int schema_version;         /* the version found or created */
    /* Which server: "host:port/database" as libpq resolved the
     * connection string (never its password), for messages. */
    char server[256];
    /* The server's own words when it refused something (CZ_EMIRROR*), with
     * its SQLSTATE; "" otherwise.  Never holds the password. */
    char detail[512];
};

/* Mirrors st into the server named by o->conninfo.  CZ_OK, or:
 * CZ_EMIRRORCONN (server unreachable), CZ_EMIRRORAUTH (user or password
 * refused), CZ_EMIRRORNEWER (schema of a newer build), CZ_EMIRROROTHER
 * (the server mirrors another station), CZ_EMIRRORSQL (a statement
 * refused: that batch rolled back), or the store's statuses.  *s is
 * filled as far as the run went (batches committed before a failure
 * stay, and the next run goes on from them). */
int cz_mirror_run(cz_station *st, const struct cz_mirror_opts *o, struct cz_mirror_summary *s);

#endif
