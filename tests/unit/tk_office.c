/* tk_office.c — an office with certified people who sign by hand; see
 * testkit.h. */
#include "testkit.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "index.h"
#include "parse.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

static int fail(const char *step, int rc)
{
    fprintf(stderr, "testkit office: %s: %s\n", step, cz_status_name(rc));
    return -1;
}

/* Places for the NULL-ended village codes of ap, one tk_places call each. */
static int add_places(cz_station *st, va_list ap)
{
    for (const char *v; (v = va_arg(ap, const char *));)
        if (tk_places(st, v, NULL)) return -1;
    return 0;
}

int tk_office_open(struct tk_office *o, const char *name, const char *pass, const struct tk_person_spec *who,
                   size_t n, ...)
{
    char why[64];
    uint8_t id[CZ_ID_BYTES];
    va_list ap;
    int rc, places;
    memset(o, 0, sizeof *o);
    if (n > TK_OFFICE_PEOPLE) return fail("too many people", CZ_EINVAL);
    if (sodium_init() < 0 || tk_tmpdir(o->dir, sizeof o->dir, name)) return -1;
    snprintf(o->odir, sizeof o->odir, "%s/office", o->dir);
    struct cz_init_opts opts = { .kind = CZ_KIND_OFFICE, .name = "许昌市科协", .region = "4110", .user = "张主任" };
    if ((rc = cz_station_init(o->odir, &opts, pass, &o->st, why, sizeof why))) {
        fprintf(stderr, "testkit office: init: %s\n", why);
        goto failed;
    }
    va_start(ap, n);
    places = add_places(o->st, ap);
    va_end(ap);
    if (places) goto failed;
    o->root = cz_station_info(o->st)->office_root;
    for (size_t i = 0; i < n; i++) {
        struct cz_cert_req q = { .kind = "person", .name = who[i].name, .station = "许昌市科协",
                                 .region = who[i].region, .role = who[i].role };
        crypto_sign_keypair(o->p[i].log.origin, o->p[i].sk);
        memcpy(q.key, o->p[i].log.origin, 32);
        if ((rc = cz_station_certify(o->st, &q, id))) {
            fail(who[i].name, rc);
            goto failed;
        }
    }
    return 0;
failed:
    tk_office_close(o);
    return -1;
}

void tk_office_close(struct tk_office *o)
{
    cz_station_close(o->st);
    o->st = NULL;
    if (o->dir[0]) tk_rmtree(o->dir);
    o->dir[0] = 0;
}

int tk_person_key_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct tk_person *p = ctx;
    return crypto_sign_detached(sig, NULL, msg, len, p->sk) == 0 ? CZ_OK : CZ_ESIG;
}

int tk_office_sign(struct tk_office *o, int i, const char *type, const char *region, uint64_t hlc,
                   const uint8_t *entity, const uint8_t *parents, size_t n, const cz_body *b, uint8_t **raw,
                   struct cz_entry *e)
{
    uint8_t ent[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], *body = NULL;
    size_t body_len = 0, len = 0;
    struct cz_entry_draft d;
    int rc;
    *raw = NULL;
    if (entity) memcpy(ent, entity, sizeof ent);
    else randombytes_buf(ent, sizeof ent);
    if ((rc = cz_body_encode(b, &body, &body_len))) return fail("encoding", rc);
    tk_log_draft(&o->p[i].log, &d, hlc, ent, type, region, parents, n, body, body_len);
    rc = tk_log_write(&o->p[i].log, &d, tk_person_key_sign, &o->p[i], raw, &len, id);
    free(body);
    if (rc) return fail("signing", rc);
    if ((rc = cz_entry_decode(*raw, len, e)) || (rc = cz_entry_verify(e))) {
        free(*raw);
        *raw = NULL;
        return fail("reading back", rc);
    }
    return 0;
}

int tk_office_store(struct tk_office *o, const struct cz_entry *e)
{
    uint8_t id[CZ_ID_BYTES];
    cz_txn *t = NULL;
    int rc, result;
    cz_entry_id(e->raw, e->raw_len, id);
    if ((rc = cz_txn_begin(cz_station_store(o->st), 1, &t))) return fail("store: begin", rc);
    if ((rc = cz_store_put_entry(t, e, id, &result))) {
        cz_txn_abort(t);
        return fail("store: put", rc);
    }
    return (rc = cz_txn_commit(t)) ? fail("store: commit", rc) : 0;
}

int tk_office_judge(struct tk_office *o, const struct cz_entry *e, struct cz_judgement *j)
{
    struct cz_trust_info author;
    cz_txn *t = NULL;
    int rc;
    if ((rc = cz_txn_begin(cz_station_store(o->st), 0, &t))) return fail("judge: begin", rc);
    if ((rc = cz_roster_lookup(t, o->root, e->origin, &author)) ||
        (rc = cz_authz_judge(t, o->root, e, &author, 0, j)))
        fail("judge", rc);
    cz_txn_abort(t);
    return rc ? -1 : 0;
}

int tk_office_line(struct tk_office *o, const char *year, const char *amount)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    struct cz_field_error err;
    const struct cz_assign line[] = { { "year", year }, { "amount", amount } };
    int rc = cz_station_add(o->st, "poverty_line", line, 2, entity, id, &err);
    return rc ? fail("poverty line", rc) : 0;
}

cz_body *tk_approval_body(const uint8_t version[CZ_ID_BYTES], const char *step, const char *decision,
                          uint32_t date, const char *notes)
{
    const struct cz_type *ty = cz_schema_type("approval");
    char hex[2 * CZ_ID_BYTES + 1], day[16];
    cz_body *b = cz_body_new();
    int rc = b ? CZ_OK : CZ_ENOMEM;
    if (b) {
        cz_hex(version, CZ_ID_BYTES, hex);
        cz_format_date(date, day, sizeof day);
        if (!(rc = cz_schema_set(ty, b, "record", hex, NULL)) && !(rc = cz_schema_set(ty, b, "step", step, NULL)) &&
            !(rc = cz_schema_set(ty, b, "decision", decision, NULL)) &&
            !(rc = date ? cz_schema_set(ty, b, "date", day, NULL) : CZ_OK))
            rc = notes ? cz_schema_set(ty, b, "notes", notes, NULL) : CZ_OK;
    }
    if (rc) {
        fail("approval body", rc);
        cz_body_free(b);
        return NULL;
    }
    return b;
}
