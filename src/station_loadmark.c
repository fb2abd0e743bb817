/* station_loadmark.c — the note a load leaves in the station while it is
 * unfinished (station.h, cz_load_state): what `load` resumes from and
 * `status` shows.
 *
 * One meta value, text so that a person reading the database with
 * mdb_dump can tell what it is: hash (hex), type, rows done, rows in all
 * and the file's name, tab-separated, the name last (it may hold a tab). */
#include "station.h"
#include "hex.h"
#include "station_int.h"
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hash, type, two counts, the name, four tabs and a NUL */
#define MARK_MAX (64 + CZ_TYPE_MAX + 2 * 20 + CZ_LOAD_NAME_MAX + 5)

int cz_st_load_mark_get(cz_txn *t, struct cz_load_state *out)
{
    const void *val;
    size_t len;
    char buf[MARK_MAX];
    memset(out, 0, sizeof *out);
    int rc = cz_meta_get(t, META_LOAD_UNFINISHED, &val, &len);
    if (rc == CZ_ENOTFOUND) return CZ_OK;
    if (rc) return rc;
    if (len >= sizeof buf) return CZ_EDBDAMAGED;
    memcpy(buf, val, len);
    buf[len] = 0;
    /* hash, type, done, total, then the name to the end */
    char *f[5], *s = buf;
    for (int i = 0; i < 4; i++) {
        char *tab = strchr(s, '\t');
        if (!tab) return CZ_EDBDAMAGED;
        *tab = 0;
        f[i] = s;
        s = tab + 1;
    }
    f[4] = s;
    if (strlen(f[0]) != 64 || cz_unhex(f[0], out->hash, sizeof out->hash) != CZ_OK ||
        strlen(f[1]) > CZ_TYPE_MAX)
        return CZ_EDBDAMAGED;
    snprintf(out->type, sizeof out->type, "%s", f[1]);
    out->done = strtoull(f[2], NULL, 10);
    out->total = strtoull(f[3], NULL, 10);
    snprintf(out->name, sizeof out->name, "%s", f[4]);
    out->unfinished = 1;
    return CZ_OK;
}

int cz_st_load_mark_put(cz_txn *t, const struct cz_load_state *s)
{
    char buf[MARK_MAX], hex[65];
    cz_hex(s->hash, sizeof s->hash, hex);
    int n = snprintf(buf, sizeof buf, "%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s", hex, s->type, s->done, s->total, s->name);
    if (n < 0 || (size_t)n >= sizeof buf) return CZ_EINVAL;
    return cz_meta_put(t, META_LOAD_UNFINISHED, buf, (size_t)n);
}

int cz_st_load_mark_del(cz_txn *t)
{
    return cz_meta_del(t, META_LOAD_UNFINISHED);
}

int cz_station_load_unfinished(cz_station *st, struct cz_load_state *state)
{
    cz_txn *t = NULL;
    memset(state, 0, sizeof *state);
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc == CZ_OK) rc = cz_st_load_mark_get(t, state);
    cz_txn_abort(t);
    return rc;
}

int cz_station_load_abandon(cz_station *st, struct cz_load_state *was)
{
    cz_txn *t = NULL;
    memset(was, 0, sizeof *was);
    int rc = cz_txn_begin(st->store, 1, &t);
    if (rc == CZ_OK) rc = cz_st_load_mark_get(t, was);
    if (rc == CZ_OK && was->unfinished) rc = cz_st_load_mark_del(t);
    if (rc == CZ_OK && was->unfinished) {
        rc = cz_txn_commit(t);
        t = NULL;
    }
    cz_txn_abort(t);
    return rc;
}
