/* mirror_int.h — what the mirror's files share (mirror.h is the public
 * side): the run's state, a growable text buffer for COPY data, and the
 * statement helpers that turn the server's refusals into statuses.
 *   mirror.c          the run, the connection, the helpers below
 *   mirror_schema.c   schema `cunzhan`: its tables, its version, whose it is
 *   mirror_keys.c     the keys and indexes a first run builds at its end
 *   mirror_views.c    typed views per record type and the report's views
 *   mirror_entries.c  entries, and the ranges of log positions held
 *   mirror_records.c  the current view of each record
 *   mirror_derived.c  a record's figures that depend on other records */
#ifndef CZ_MIRROR_INT_H
#define CZ_MIRROR_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include "mirror.h"
#include "query.h"
#include "roster.h"
#include "store.h"

/* A text buffer (COPY rows, generated SQL); p is NUL-terminated. */
struct cz_mbuf { char *p; size_t n, cap; };

struct cz_mirror {
    PGconn *pg;
    cz_txn *t;                       /* the station's read transaction */
    cz_station *st;
    const uint8_t *root;             /* the office root, as the report uses */
    const struct cz_mirror_opts *o;
    struct cz_mirror_summary *s;
    size_t batch;
    struct cz_mbuf buf;              /* rows of the batch being built */
    char sqlstate[6];                /* of the last statement refused */
    size_t sent;                     /* bytes of buf a streamed COPY has sent */
    /* The tables have no keys or indexes yet (a first run, or one killed
     * before it built them): rows go in as COPY takes them and the run
     * builds the keys at its end (cz_mirror_keys). */
    int keys_owed;
    PGconn *aside;                   /* builds the entries' keys meanwhile */
};

/* A streamed COPY sends rows once this much is waiting, so the server
 * parses and stores them while the station reads the next. */
#define CZ_MIRROR_PUSH (64u << 10)

/* SQLSTATE of a row that is there already. */
#define CZ_MIRROR_DUPLICATE "23505"

int cz_mbuf_add(struct cz_mbuf *b, const char *s, size_t len);
int cz_mbuf_str(struct cz_mbuf *b, const char *s);
int cz_mbuf_printf(struct cz_mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s (len bytes, UTF-8 without NUL) escaped for COPY's text format. */
int cz_mbuf_copy_text(struct cz_mbuf *b, const char *s, size_t len);
/* bytes as a bytea in COPY's text format (\\x and hex). */
int cz_mbuf_copy_bytea(struct cz_mbuf *b, const uint8_t *p, size_t len);
/* s as a JSON string, quotes included (no escaping for COPY yet). */
int cz_mbuf_json_string(struct cz_mbuf *b, const char *s, size_t len);
void cz_mbuf_free(struct cz_mbuf *b);

/* One statement (several separated by ';' when it takes no parameters).
 * CZ_EMIRRORSQL with the server's message in m->s->detail when refused. */
int cz_mirror_exec(struct cz_mirror *m, const char *sql);
/* A query returning rows: *res is the caller's to PQclear. */
int cz_mirror_query(struct cz_mirror *m, const char *sql, int nparams, const char *const *params,
                    PGresult **res);
/* COPY ... FROM STDIN with data (rows in the text format). */
int cz_mirror_copy(struct cz_mirror *m, const char *copy_sql, const struct cz_mbuf *data);
/* The same while data is being made: begin, push after adding rows (sends
 * what waits past CZ_MIRROR_PUSH), end (sends the rest and says whether
 * the server took it all).  Nothing else may be sent between begin and
 * end. */
int cz_mirror_stream_begin(struct cz_mirror *m, const char *copy_sql);
int cz_mirror_stream_push(struct cz_mirror *m, const struct cz_mbuf *data);
int cz_mirror_stream_end(struct cz_mirror *m, const struct cz_mbuf *data);
/* Rows a command changed (INSERT, DELETE) as the server says. */
uint64_t cz_mirror_exec_count(struct cz_mirror *m, const char *sql, int *rc);

/* mirror_schema.c: creates schema `cunzhan` or checks its version, and
 * that it mirrors this station; sets m->keys_owed.  A new schema's tables
 * are left without their keys and indexes, which a bulk load only slows. */
int cz_mirror_schema(struct cz_mirror *m);
/* mirror_keys.c: the keys and indexes of entry and record, which a
 * first run builds at its end.  defer drops them from a new schema's
 * empty tables and marks them owed (in the schema's transaction);
 * start, once the entries are in, builds the entries' keys on a second
 * connection while the records pass runs; cz_mirror_keys waits for it
 * and builds what is still missing in one transaction that also clears
 * the mark, so a run killed at any point leaves them owed (or the
 * entries' built) and the next run builds the rest.  Entries there twice
 * (only when the ranges were lost while keys were owed: nothing refused
 * them) are kept once. */
int cz_mirror_defer_keys(struct cz_mirror *m);
void cz_mirror_keys_start(struct cz_mirror *m);
int cz_mirror_keys(struct cz_mirror *m);
/* A second connection to the same server (mirror.c); NULL when none. */
PGconn *cz_mirror_connect_more(struct cz_mirror *m);
/* Marks the records pass as owed (in an entry batch's transaction) or
 * done (after a pass through every record): for readers, who can tell a
 * mirror whose records lag its entries. */
int cz_mirror_set_dirty(struct cz_mirror *m, int dirty);

/* mirror_views.c: every view, made again (CREATE OR REPLACE) each run, so
 * they always follow this build's record types. */
int cz_mirror_views(struct cz_mirror *m);

/* mirror_entries.c: copies the entries the server lacks. */
int cz_mirror_entries(struct cz_mirror *m);

/* Whether a record's current version counts (counts.h), as the report
 * asks it: *why CZ_OK, CZ_ENOTFOUND (author pending) or the rule.  The
 * roster's word on each author is looked up once, in c (zeroed to begin,
 * cz_mtrust_free to end). */
struct cz_mtrust_author { uint8_t key[32]; int found; struct cz_trust_info info; };
struct cz_mtrust { struct cz_mtrust_author *authors; size_t n, cap; };
int cz_mtrust_why(struct cz_mtrust *c, cz_txn *t, const uint8_t *root, const struct cz_record *rec, int *why);
void cz_mtrust_free(struct cz_mtrust *c);

/* mirror_derived.c: the figures of the records that depend on others,
 * worked out once a run (by the report's rules) before the records pass;
 * cz_mderived_json adds a record's as a JSON object to b ("{}" for a
 * type with none).  cz_mderived_free takes NULL. */
struct cz_mderived;
int cz_mderived_build(struct cz_mirror *m, struct cz_mderived **out);
int cz_mderived_json(const struct cz_mderived *d, const struct cz_record *rec, struct cz_mbuf *b);
void cz_mderived_free(struct cz_mderived *d);

/* mirror_records.c: writes the records whose current view the server
 * lacks or holds differently. */
int cz_mirror_records(struct cz_mirror *m);

#endif
