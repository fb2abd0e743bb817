/* mirror.c — a run of the PostgreSQL mirror (mirror.h): the connection,
 * the order of the passes, and the helpers every pass uses to talk to the
 * server (mirror_int.h). */
#include "mirror.h"
#include "mirror_int.h"
#include "grow.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CZ_MIRROR_BATCH 5000

/* ---- the text buffer ---- */

int cz_mbuf_add(struct cz_mbuf *b, const char *s, size_t len)
{
    int rc = cz_grow(&b->p, &b->cap, b->n + len + 1, 1);
    if (rc) return rc;
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = 0;
    return CZ_OK;
}

int cz_mbuf_str(struct cz_mbuf *b, const char *s) { return cz_mbuf_add(b, s, strlen(s)); }

int cz_mbuf_printf(struct cz_mbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0) return CZ_EINVAL;
    if ((size_t)len < sizeof small) return cz_mbuf_add(b, small, (size_t)len);
    int rc = cz_grow(&b->p, &b->cap, b->n + (size_t)len + 1, 1);
    if (rc) return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return CZ_OK;
}

/* COPY's text format gives backslash, tab, newline and carriage return a
 * meaning; everything else (any UTF-8) passes as it is. */
int cz_mbuf_copy_text(struct cz_mbuf *b, const char *s, size_t len)
{
    int rc = cz_grow(&b->p, &b->cap, b->n + 2 * len + 1, 1);
    if (rc) return rc;
    char *o = b->p + b->n;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\') { *o++ = '\\'; *o++ = '\\'; }
        else if (c == '\t') { *o++ = '\\'; *o++ = 't'; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c == '\r') { *o++ = '\\'; *o++ = 'r'; }
        else *o++ = c;
    }
    b->n = (size_t)(o - b->p);
    b->p[b->n] = 0;
    return CZ_OK;
}

int cz_mbuf_copy_bytea(struct cz_mbuf *b, const uint8_t *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int rc = cz_grow(&b->p, &b->cap, b->n + 2 * len + 4, 1);
    if (rc) return rc;
    char *o = b->p + b->n;
    *o++ = '\\';
    *o++ = '\\';
    *o++ = 'x';
    for (size_t i = 0; i < len; i++) {
        *o++ = hex[p[i] >> 4];
        *o++ = hex[p[i] & 15];
    }
    b->n = (size_t)(o - b->p);
    b->p[b->n] = 0;
    return CZ_OK;
}

int cz_mbuf_json_string(struct cz_mbuf *b, const char *s, size_t len)
{
    int rc = cz_mbuf_add(b, "\"", 1);
    for (size_t i = 0; i < len && rc == CZ_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            rc = cz_mbuf_add(b, esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            rc = cz_mbuf_printf(b, "\\u%04x", c);
        } else {
            rc = cz_mbuf_add(b, (const char *)&s[i], 1);
        }
    }
    return rc ? rc : cz_mbuf_add(b, "\"", 1);
}

void cz_mbuf_free(struct cz_mbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- statements ---- */

/* The server's message and SQLSTATE into the summary's detail. */
static int refused(struct cz_mirror *m, const PGresult *r)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!msg) msg = PQerrorMessage(m->pg);
    snprintf(m->sqlstate, sizeof m->sqlstate, "%s", state ? state : "");
    snprintf(m->s->detail, sizeof m->s->detail, "%s%s%s", msg, state ? " SQLSTATE " : "", state ? state : "");
    size_t n = strlen(m->s->detail);
    while (n && (m->s->detail[n - 1] == '\n' || m->s->detail[n - 1] == ' ')) m->s->detail[--n] = 0;
    return PQstatus(m->pg) == CONNECTION_BAD ? CZ_EMIRRORCONN : CZ_EMIRRORSQL;
}

int cz_mirror_exec(struct cz_mirror *m, const char *sql)
{
    PGresult *r = PQexec(m->pg, sql);
    int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    int rc = ok ? CZ_OK : refused(m, r);
    PQclear(r);
    return rc;
}

uint64_t cz_mirror_exec_count(struct cz_mirror *m, const char *sql, int *rc)
{
    PGresult *r = PQexec(m->pg, sql);
    uint64_t n = 0;
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
        n = strtoull(PQcmdTuples(r), NULL, 10);
        *rc = CZ_OK;
    } else {
        *rc = refused(m, r);
    }
    PQclear(r);
    return n;
}

int cz_mirror_query(struct cz_mirror *m, const char *sql, int nparams, const char *const *params,
                    PGresult **res)
{
    PGresult *r = PQexecParams(m->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK) { *res = r; return CZ_OK; }
    int rc = refused(m, r);
    PQclear(r);
    *res = NULL;
    return rc;
}

int cz_mirror_stream_begin(struct cz_mirror *m, const char *copy_sql)
{
    PGresult *r = PQexec(m->pg, copy_sql);
    int rc = r && PQresultStatus(r) == PGRES_COPY_IN ? CZ_OK : refused(m, r);
    PQclear(r);
    m->sent = 0;
    return rc;
}

/* data->p from m->sent on, in pieces of at most 1 MiB (a batch in one
 * call could pass INT_MAX). */
static int send_rest(struct cz_mirror *m, const struct cz_mbuf *data)
{
    while (m->sent < data->n) {
        size_t len = data->n - m->sent > (1u << 20) ? (1u << 20) : data->n - m->sent;
        if (PQputCopyData(m->pg, data->p + m->sent, (int)len) != 1) return refused(m, NULL);
        m->sent += len;
    }
    return CZ_OK;
}

int cz_mirror_stream_push(struct cz_mirror *m, const struct cz_mbuf *data)
{
    return data->n - m->sent >= CZ_MIRROR_PUSH ? send_rest(m, data) : CZ_OK;
}

int cz_mirror_stream_end(struct cz_mirror *m, const struct cz_mbuf *data)
{
    int rc = send_rest(m, data);
    if (PQputCopyEnd(m->pg, rc ? "cunzhan: stopped" : NULL) != 1 && rc == CZ_OK) rc = refused(m, NULL);
    PGresult *r;
    while ((r = PQgetResult(m->pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == CZ_OK) rc = refused(m, r);
        PQclear(r);
    }
    return rc;
}

int cz_mirror_copy(struct cz_mirror *m, const char *copy_sql, const struct cz_mbuf *data)
{
    int rc = cz_mirror_stream_begin(m, copy_sql);
    return rc ? rc : cz_mirror_stream_end(m, data);
}

/* ---- the connection ---- */

/* Which failure a refused connection is.  libpq gives no SQLSTATE for a
 * connection that never opened, so: a server that answered with FATAL
 * about the password, the role or pg_hba.conf refused the person; one
 * that never answered is unreachable.  Either way the detail carries the
 * server's or libpq's own words. */
static int connect_failure(struct cz_mirror *m)
{
    const char *msg = PQerrorMessage(m->pg);
    snprintf(m->s->detail, sizeof m->s->detail, "%s", msg);
    size_t n = strlen(m->s->detail);
    while (n && (m->s->detail[n - 1] == '\n' || m->s->detail[n - 1] == ' ')) m->s->detail[--n] = 0;
    if (PQconnectionNeedsPassword(m->pg) || PQconnectionUsedPassword(m->pg)) return CZ_EMIRRORAUTH;
    static const char *const auth[] = { "authentication", "password", "pg_hba.conf", "role \"" };
    for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
        if (strstr(msg, auth[i])) return CZ_EMIRRORAUTH;
    return CZ_EMIRRORCONN;
}

static PGconn *open_conn(struct cz_mirror *m)
{
    /* dbname is expanded as a connection string or URI; what it names
     * overrides the timeout before it, and the encoding after it is ours:
     * every text the mirror sends is UTF-8. */
    const char *keys[] = { "connect_timeout", "dbname", "application_name", "client_encoding", NULL };
    const char *vals[] = { "10", m->o->conninfo, "cunzhan mirror", "UTF8", NULL };
    return PQconnectdbParams(keys, vals, 1);
}

PGconn *cz_mirror_connect_more(struct cz_mirror *m)
{
    PGconn *pg = open_conn(m);
    if (pg && PQstatus(pg) == CONNECTION_OK) return pg;
    if (pg) PQfinish(pg);
    return NULL;
}

static int connect_server(struct cz_mirror *m)
{
    m->pg = open_conn(m);
    if (!m->pg) return CZ_ENOMEM;
    const char *host = PQhost(m->pg), *port = PQport(m->pg), *db = PQdb(m->pg);
    snprintf(m->s->server, sizeof m->s->server, "%s:%s/%s", host ? host : "", port ? port : "", db ? db : "");
    if (PQstatus(m->pg) != CONNECTION_OK) return connect_failure(m);
    /* Notices (a table that exists already) are not the person's concern. */
    return cz_mirror_exec(m, "SET client_min_messages = warning");
}

int cz_mirror_run(cz_station *st, const struct cz_mirror_opts *o, struct cz_mirror_summary *s)
{
    struct cz_mirror m = {
        .st = st,
        .root = cz_station_info(st)->office_root,
        .o = o,
        .s = s,
        .batch = o->batch ? o->batch : CZ_MIRROR_BATCH,
    };
    memset(s, 0, sizeof *s);
    int rc = connect_server(&m);
    if (rc) goto cleanup;
    if ((rc = cz_txn_begin(cz_station_store(st), 0, &m.t))) goto cleanup;
    if ((rc = cz_mirror_schema(&m))) goto cleanup;
    if ((rc = cz_mirror_views(&m))) goto cleanup;
    if ((rc = cz_mirror_entries(&m))) goto cleanup;
    cz_mirror_keys_start(&m);
    if ((rc = cz_mirror_records(&m))) goto cleanup;
    rc = cz_mirror_keys(&m);
cleanup:
    cz_txn_abort(m.t);
    if (m.aside) PQfinish(m.aside);
    if (m.pg) PQfinish(m.pg);
    cz_mbuf_free(&m.buf);
    return rc;
}
