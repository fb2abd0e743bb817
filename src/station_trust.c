/* station_trust.c — the trust records this station signs (src/TRUST.md):
 * the key announcement or certificate that introduces a person or the
 * station key, and, at the office, the root's certificates, revocations,
 * fork choices and root rollovers, each countersigned by the office
 * person logged in (roster.h). */
#include "station.h"
#include "codec.h"
#include "hex.h"
#include "keys.h"
#include "parse.h"
#include "roster.h"
#include "station_int.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* A trust record body: a key announcement or certificate. */
static int trust_body(const char *type, const uint8_t key[32], const char *kind, const char *name,
                      const char *station, const char *region, const char *role,
                      const uint8_t *replaces, const char *valid_until, cz_body **out)
{
    const struct cz_type *t = cz_schema_type(type);
    cz_body *b = cz_body_new();
    int rc = b ? CZ_OK : CZ_ENOMEM;
    char hex[65];
    cz_hex(key, 32, hex);
    struct cz_assign a[] = {
        { .field = "key", .value = hex },       { .field = "kind", .value = kind },
        { .field = "name", .value = name },     { .field = "station", .value = station },
        { .field = "region", .value = region }, { .field = "role", .value = role },
    };
    for (size_t i = 0; rc == CZ_OK && i < sizeof a / sizeof a[0]; i++)
        if (a[i].value && *a[i].value)
            rc = cz_schema_set(t, b, a[i].field, a[i].value, NULL);
    if (rc == CZ_OK && replaces && !strcmp(type, "key")) {
        cz_hex(replaces, 32, hex);
        rc = cz_schema_set(t, b, "replaces", hex, NULL);
    }
    if (rc == CZ_OK && !strcmp(type, "cert")) {
        char today[11];
        cz_format_date(cz_today(), today, sizeof today);
        rc = cz_schema_set(t, b, "valid_from", today, NULL);
        if (rc == CZ_OK && valid_until && *valid_until)
            rc = cz_schema_set(t, b, "valid_until", valid_until, NULL);
    }
    if (rc) { cz_body_free(b); return rc; }
    *out = b;
    return CZ_OK;
}

/* Adds `by` (the person countersigning) and `by_sig` to a trust record
 * the root is about to sign (roster.h: without them it does not count). */
static int countersign(const uint8_t root[32], const cz_secrets *person, const char *type, cz_body *b)
{
    const struct cz_type *ty = cz_schema_type(type);
    uint8_t sig[64], *msg = NULL;
    size_t len;
    char hex[2 * sizeof sig + 1];
    int rc = cz_body_set_bytes(b, cz_schema_field(ty, "by")->tag, cz_secrets_sign_pk(person), 32);
    if (rc == CZ_OK) rc = cz_roster_countersign_msg(root, type, b, &msg, &len);
    if (rc == CZ_OK) rc = cz_secrets_sign(person, msg, len, sig);
    free(msg);
    if (rc) return rc;
    cz_hex(sig, sizeof sig, hex);
    return cz_body_set_text(b, cz_schema_field(ty, "by_sig")->tag, hex, strlen(hex));
}

int cz_st_introduce(cz_txn *t, const struct cz_station_info *info, const cz_secrets *root_holder,
                    const cz_secrets *counter, const cz_secrets *person, const uint8_t key[32],
                    const char *kind, const char *name, const char *role, const uint8_t *replaces)
{
    int office = info->kind == CZ_KIND_OFFICE && root_holder && cz_secrets_root_pk(root_holder);
    cz_body *b = NULL;
    uint8_t id[CZ_ID_BYTES];
    int rc = trust_body(office ? "cert" : "key", key, kind, name, info->name, info->region, role, replaces,
                        NULL, &b);
    if (rc == CZ_OK && office) rc = countersign(info->office_root, counter, "cert", b);
    if (rc) { cz_body_free(b); return rc; }
    struct append_req r = {
        .secrets = office ? root_holder : person, .as_root = office, .type = office ? "cert" : "key",
        .region = "", .body = b, .office_root = info->office_root,
    };
    rc = cz_st_append(t, &r, NULL, id);
    cz_body_free(b);
    return rc;
}

/* Trust records are signed by the root and countersigned by the office
 * person logged in (roster.h), so only a certified office person can
 * write them: a clerk's or supervisor's slot has no root key. */
static int root_append(cz_station *st, const char *type, cz_body *b, const uint8_t *revoked,
                       uint8_t id[CZ_ID_BYTES])
{
    cz_txn *t = NULL;
    char transfer[CZ_ST_TRANSFER_NAME];
    if (!st->secrets || !cz_secrets_root_pk(st->secrets)) return CZ_EPERM;
    int rc = cz_st_clock_gate(st);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = cz_st_office_person(st, t)) || (rc = countersign(st->info.office_root, st->secrets, type, b))) {
        cz_txn_abort(t);
        return rc;
    }
    struct append_req r = {
        .secrets = st->secrets, .as_root = 1, .type = type, .region = "", .body = b,
        .office_root = st->info.office_root,
    };
    if ((rc = cz_st_append(t, &r, NULL, id))) { cz_txn_abort(t); return rc; }
    /* A revoked person's copy of a new root, not yet taken, goes: their
     * own key would open it from a copy of this store. */
    if (revoked) {
        cz_st_transfer_name(transfer, revoked);
        if ((rc = cz_meta_del(t, transfer))) { cz_txn_abort(t); return rc; }
    }
    return cz_txn_commit(t);
}

int cz_station_certify_until(cz_station *st, const struct cz_cert_req *r, const char *valid_until,
                             uint8_t id[CZ_ID_BYTES])
{
    cz_body *b = NULL;
    if (!r->kind || (strcmp(r->kind, "person") && strcmp(r->kind, "station"))) return CZ_EINVAL;
    if (!r->role || (strcmp(r->role, "clerk") && strcmp(r->role, "supervisor") && strcmp(r->role, "office")))
        return CZ_EINVAL;
    /* Only the office may see everything; anyone else needs a jurisdiction. */
    if (strcmp(r->role, "office") && (!r->region || strlen(r->region) < 2)) return CZ_EINVAL;
    int rc = trust_body("cert", r->key, r->kind, r->name && *r->name ? r->name : "?", r->station,
                        r->region, r->role, NULL, valid_until, &b);
    if (rc) return rc;
    rc = root_append(st, "cert", b, NULL, id);
    cz_body_free(b);
    return rc;
}

int cz_station_certify(cz_station *st, const struct cz_cert_req *r, uint8_t id[CZ_ID_BYTES])
{
    return cz_station_certify_until(st, r, NULL, id);
}

int cz_station_pin_root(cz_txn *t, const uint8_t pinned[32], uint8_t now[32], int *changed)
{
    struct cz_root_link first;
    size_t n;
    int rc;
    *changed = 0;
    if ((rc = cz_roster_current(t, pinned, now))) return rc;
    if (!memcmp(now, pinned, 32)) return CZ_OK;
    /* The chain starts where it did: from now on the pinned root is not
     * the first, so the first is written down. */
    if ((rc = cz_roster_chain(t, pinned, &first, 1, &n))) return rc;
    const void *v;
    size_t len;
    if (n && cz_meta_get(t, CZ_META_ROOT_ANCHOR, &v, &len) != CZ_OK &&
        (rc = cz_meta_put(t, CZ_META_ROOT_ANCHOR, first.key, 32)))
        return rc;
    if ((rc = cz_meta_put(t, "office_root", now, 32))) return rc;
    *changed = 1;
    return CZ_OK;
}

struct transfer_ctx { cz_txn *t; const cz_station *st; const cz_secrets *n; size_t count; int rc; };

/* Seals the new root to every other office person with a slot here. */
static int transfer_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct transfer_ctx *x = ctx;
    struct cz_trust_info ti;
    uint8_t pk[32], *sealed = NULL;
    char key[CZ_ST_TRANSFER_NAME];
    if (!strcmp(name, x->st->user) || cz_keyblob_sign_pk(blob, len, pk) != CZ_OK) return 0;
    if ((x->rc = cz_roster_lookup(x->t, x->st->info.office_root, pk, &ti))) return x->rc;
    if (ti.state != CZ_TRUST_CERTIFIED || ti.revoked || strcmp(ti.role, "office") || strcmp(ti.kind, "person"))
        return 0;
    if ((x->rc = cz_secrets_root_transfer(x->n, pk, &sealed))) return x->rc;
    cz_st_transfer_name(key, pk);
    x->rc = cz_meta_put(x->t, key, sealed, CZ_ROOT_TRANSFER_BYTES);
    free(sealed);
    if (x->rc == CZ_OK) x->count++;
    return x->rc;
}

/* The slot is sealed again under this passphrase: it must be the
 * person's own (CZ_EPASS). */
static int own_passphrase(cz_txn *t, const cz_station *st, const char *passphrase)
{
    const uint8_t *slot;
    size_t slot_len;
    cz_secrets *check = NULL;
    int rc = cz_user_get(t, st->user, &slot, &slot_len);
    if (rc == CZ_OK) rc = cz_secrets_open(slot, slot_len, passphrase, &check);
    if (rc == CZ_OK && memcmp(cz_secrets_sign_pk(check), cz_secrets_sign_pk(st->secrets), 32)) rc = CZ_EPASS;
    cz_secrets_free(check);
    return rc;
}

/* The rollover statement naming n's root, with the new root's proof of
 * possession, then the countersignature over everything including it
 * (roster.h). */
static int rollover_body(const uint8_t old[32], const cz_secrets *person, const cz_secrets *n,
                         const char *reason, cz_body **out)
{
    const struct cz_type *ty = cz_schema_type("rollover");
    cz_body *b = cz_body_new();
    uint8_t *msg = NULL, sig[64];
    size_t msg_len;
    char hex[129];
    int rc = b ? CZ_OK : CZ_ENOMEM;
    cz_hex(cz_secrets_root_pk(n), 32, hex);
    if (rc == CZ_OK) rc = cz_schema_set(ty, b, "new_root", hex, NULL);
    if (rc == CZ_OK && reason && *reason) rc = cz_schema_set(ty, b, "reason", reason, NULL);
    if (rc == CZ_OK) rc = cz_roster_rollover_msg(old, b, &msg, &msg_len);
    if (rc == CZ_OK) rc = cz_secrets_root_sign(n, msg, msg_len, sig);
    if (rc == CZ_OK) {
        cz_hex(sig, sizeof sig, hex);
        rc = cz_body_set_text(b, cz_schema_field(ty, "new_sig")->tag, hex, strlen(hex));
    }
    if (rc == CZ_OK) rc = countersign(old, person, "rollover", b);
    free(msg);
    if (rc) { cz_body_free(b); return rc; }
    *out = b;
    return CZ_OK;
}

/* Everything a rollover writes, inside t: the statement in the old root's
 * log, the new root pinned, a transfer for every other office person with
 * a slot here (*count), and this person's slot sealed anew with n. */
static int rollover_in_txn(cz_station *st, cz_txn *t, const cz_secrets *n, const char *passphrase,
                           const char *reason, size_t *count)
{
    const uint8_t *old = st->info.office_root;
    cz_body *b = NULL;
    uint8_t *blob = NULL, id[CZ_ID_BYTES], now[32];
    size_t blob_len;
    int rc, changed;
    if ((rc = rollover_body(old, st->secrets, n, reason, &b))) return rc;
    struct append_req r = {
        .secrets = st->secrets, .as_root = 1, .type = "rollover", .region = "", .body = b, .office_root = old,
    };
    if ((rc = cz_st_append(t, &r, NULL, id))) goto cleanup;
    if ((rc = cz_station_pin_root(t, old, now, &changed))) goto cleanup;
    if (!changed || memcmp(now, cz_secrets_root_pk(n), 32)) { rc = CZ_EROLLOVER; goto cleanup; }
    /* The new root's log is new: no lost PC can have signed into it, so a
     * restored office's gap (CZ_META_ROOT_FLOOR) no longer applies. */
    if ((rc = cz_meta_del(t, CZ_META_ROOT_FLOOR))) goto cleanup;
    struct transfer_ctx x = { .t = t, .st = st, .n = n, .count = 0, .rc = CZ_OK };
    if ((rc = cz_user_each(t, transfer_cb, &x)) || (rc = x.rc)) goto cleanup;
    if ((rc = cz_secrets_seal(n, passphrase, &blob, &blob_len)) ||
        (rc = cz_user_put(t, st->user, blob, blob_len)))
        goto cleanup;
    *count = x.count;
cleanup:
    cz_body_free(b);
    free(blob);
    return rc;
}

int cz_station_rollover(cz_station *st, const char *passphrase, const char *reason, uint8_t new_root[32],
                        size_t *transfers)
{
    cz_secrets *n = NULL;
    cz_txn *t = NULL;
    size_t count = 0;
    int rc;

    *transfers = 0;
    if (!st->secrets || !cz_secrets_root_pk(st->secrets) || st->info.kind != CZ_KIND_OFFICE) return CZ_EPERM;
    if (memcmp(cz_secrets_root_pk(st->secrets), st->info.office_root, 32)) return CZ_EPERM;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = own_passphrase(t, st, passphrase)) || (rc = cz_st_office_person(st, t)) ||
        (rc = cz_secrets_with_new_root(st->secrets, &n)) ||
        (rc = rollover_in_txn(st, t, n, passphrase, reason, &count)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto cleanup;
    memcpy(st->info.office_root, cz_secrets_root_pk(n), 32);
    memcpy(new_root, cz_secrets_root_pk(n), 32);
    cz_secrets_free(st->secrets);
    st->secrets = n;
    n = NULL;
    *transfers = count;
cleanup:
    cz_txn_abort(t);
    cz_secrets_free(n);
    return rc;
}

int cz_station_revoke(cz_station *st, const uint8_t key[32], uint64_t after_seq,
                      const char *reason, uint8_t id[CZ_ID_BYTES])
{
    const struct cz_type *ty = cz_schema_type("revoke");
    cz_body *b = cz_body_new();
    char hex[65];
    int rc = b ? CZ_OK : CZ_ENOMEM;
    if (after_seq > INT64_MAX) rc = CZ_ERANGE;
    cz_hex(key, 32, hex);
    if (rc == CZ_OK) rc = cz_schema_set(ty, b, "key", hex, NULL);
    /* after_seq 0 is stored as the absent field: nothing of the key counts. */
    if (rc == CZ_OK && after_seq)
        rc = cz_body_set_sint(b, cz_schema_field(ty, "after_seq")->tag, (int64_t)after_seq);
    if (rc == CZ_OK && reason && *reason) rc = cz_schema_set(ty, b, "reason", reason, NULL);
    if (rc == CZ_OK) rc = root_append(st, "revoke", b, key, id);
    cz_body_free(b);
    return rc;
}

int cz_station_fork_accept(cz_station *st, const uint8_t key[32], uint64_t seq, const uint8_t entry[CZ_ID_BYTES],
                           const char *reason, uint8_t id[CZ_ID_BYTES])
{
    const struct cz_type *ty = cz_schema_type("fork_choice");
    cz_body *b = NULL;
    cz_txn *t = NULL;
    struct cz_entry e;
    uint64_t fork_seq;
    char hex[65];
    int rc;
    if (seq < 1 || seq > INT64_MAX) return CZ_ERANGE;
    /* Only an entry this station holds at that forked position can be
     * chosen: the office names what it has seen. */
    if ((rc = cz_txn_begin(st->store, 0, &t))) return rc;
    rc = cz_store_get_entry(t, entry, &e);
    if (rc == CZ_OK && (memcmp(e.origin, key, 32) || e.seq != seq)) rc = CZ_ENOTFOUND;
    if (rc == CZ_OK) {
        rc = cz_store_fork_after(t, key, seq - 1, &fork_seq);
        if (rc == CZ_ENOTFOUND || (rc == CZ_OK && fork_seq != seq)) rc = CZ_ENOFORK;
    }
    cz_txn_abort(t);
    if (rc) return rc;
    if (!(b = cz_body_new())) return CZ_ENOMEM;
    cz_hex(key, 32, hex);
    rc = cz_schema_set(ty, b, "key", hex, NULL);
    if (rc == CZ_OK) rc = cz_body_set_sint(b, cz_schema_field(ty, "seq")->tag, (int64_t)seq);
    cz_hex(entry, CZ_ID_BYTES, hex);
    if (rc == CZ_OK) rc = cz_schema_set(ty, b, "entry", hex, NULL);
    if (rc == CZ_OK && reason && *reason) rc = cz_schema_set(ty, b, "reason", reason, NULL);
    if (rc == CZ_OK) rc = root_append(st, "fork_choice", b, NULL, id);
    cz_body_free(b);
    return rc;
}
