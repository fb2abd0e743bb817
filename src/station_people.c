/* station_people.c — the people on this PC: logging in (with what the
 * roster says of them now, and a restored station's retired keys
 * replaced), passphrases, and adding and removing their key slots.  A
 * slot is a person's keys sealed under their passphrase (keys.h). */
#include "station.h"
#include "hex.h"
#include "keys.h"
#include "roster.h"
#include "station_int.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when pk is listed in meta "retired" (keys of a restored station). */
static int is_retired(cz_txn *t, const uint8_t pk[32])
{
    const void *v;
    size_t len;
    if (cz_meta_get(t, CZ_META_RETIRED, &v, &len) != CZ_OK) return 0;
    for (size_t off = 0; off + 32 <= len; off += 32)
        if (!memcmp((const uint8_t *)v + off, pk, 32)) return 1;
    return 0;
}

/* The new log epoch of a restored station (backup.h): the person's old key
 * may have signed entries on the lost PC after the backup was made, so
 * signing on with it could fork its log.  A fresh key takes over, sealed
 * under the same passphrase and announced with a `key` record naming the
 * old key (at the office the root certifies it at once; elsewhere it is
 * pending until the office enrols it). */
static int rekey(cz_station *st, const char *user, const cz_secrets *old, const char *pass,
                 cz_secrets **out)
{
    cz_secrets *n = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int rc;
    if ((rc = cz_secrets_new_person(old, &n)) || (rc = cz_secrets_seal(n, pass, &blob, &blob_len))) goto cleanup;
    if ((rc = cz_txn_begin(st->store, 1, &t))) goto cleanup;
    if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(old), &ti))) goto cleanup;
    const char *role = ti.role[0] ? ti.role : "clerk";
    /* The old key, still office, countersigns its successor's cert. */
    if ((rc = cz_user_put(t, user, blob, blob_len)) ||
        (rc = cz_st_introduce(t, &st->info, n, old, n, cz_secrets_sign_pk(n), "person", user, role,
                              cz_secrets_sign_pk(old))))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK) { *out = n; n = NULL; }
cleanup:
    cz_txn_abort(t);
    free(blob);
    cz_secrets_free(n);
    return rc;
}

/* Reseals a person's slot (a passphrase change, or a slot giving up the
 * root key) in its own write transaction. */
static int reseal_taking(cz_station *st, const char *user, const cz_secrets *s, const char *pass,
                         const char *transfer)
{
    uint8_t *blob = NULL;
    size_t blob_len;
    cz_txn *t = NULL;
    int rc = cz_secrets_seal(s, pass, &blob, &blob_len);
    if (rc == CZ_OK && (rc = cz_txn_begin(st->store, 1, &t)) == CZ_OK) {
        rc = cz_user_put(t, user, blob, blob_len);
        /* A root transfer taken into the slot is not kept beside it. */
        if (rc == CZ_OK && transfer) rc = cz_meta_del(t, transfer);
        if (rc == CZ_OK) rc = cz_txn_commit(t);
        else cz_txn_abort(t);
    }
    free(blob);
    return rc;
}

static int reseal(cz_station *st, const char *user, const cz_secrets *s, const char *pass)
{
    return reseal_taking(st, user, s, pass, NULL);
}

void cz_st_transfer_name(char out[CZ_ST_TRANSFER_NAME], const uint8_t pk[32])
{
    char hex[65];
    cz_hex(pk, 32, hex);
    snprintf(out, CZ_ST_TRANSFER_NAME, "%s%s", META_ROOT_TRANSFER, hex);
}

/* What the roster says of a person who has just unlocked their slot: a
 * revoked key signs nothing here again (CZ_EREVOKED), and a slot holding
 * the root key whose certificate says another role than office (a slot
 * made before the root was kept to office people, or a person since
 * re-certified as clerk) gives the root key up, in memory and on disk.
 * After a rollover an office person's slot takes the new root from its
 * transfer, and a slot still holding a replaced root gives it up. */
static int admit(cz_station *st, const char *user, cz_secrets *s, const char *pass)
{
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    char transfer[CZ_ST_TRANSFER_NAME];
    const void *v;
    size_t len;
    int changed = 0, took = 0;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(s), &ti);
    cz_st_transfer_name(transfer, cz_secrets_sign_pk(s));
    int office = ti.state == CZ_TRUST_CERTIFIED && !strcmp(ti.role, "office") && !strcmp(ti.kind, "person");
    if (rc == CZ_OK && office && !ti.revoked && st->info.kind == CZ_KIND_OFFICE &&
        cz_meta_get(t, transfer, &v, &len) == CZ_OK && cz_secrets_root_receive(s, v, len) == CZ_OK)
        took = changed = 1;
    cz_txn_abort(t);
    if (rc) return rc;
    if (ti.revoked) return CZ_EREVOKED;
    if (cz_secrets_root_pk(s) && ti.state == CZ_TRUST_CERTIFIED && !office) {
        cz_secrets_drop_root(s);
        changed = 1;
    }
    /* A root the office has replaced counts for nothing now: not kept. */
    if (cz_secrets_root_pk(s) && memcmp(cz_secrets_root_pk(s), st->info.office_root, 32)) {
        cz_secrets_drop_root(s);
        changed = 1;
    }
    return changed ? reseal_taking(st, user, s, pass, took ? transfer : NULL) : CZ_OK;
}

int cz_station_login(cz_station *st, const char *user, const char *pass)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL, *fresh = NULL;
    int retired = 0;
    if (!user || !*user) user = st->info.default_user;
    int rc = cz_txn_begin(st->store, 0, &t);
    if (rc) return rc;
    rc = cz_user_get(t, user, &blob, &len);
    if (rc == CZ_OK) rc = cz_secrets_open(blob, len, pass, &s);
    if (rc == CZ_OK) retired = is_retired(t, cz_secrets_sign_pk(s));
    cz_txn_abort(t);
    if (rc == CZ_OK) rc = admit(st, user, s, pass);
    if (rc) { cz_secrets_free(s); return rc; }
    if (retired) {
        rc = rekey(st, user, s, pass, &fresh);
        cz_secrets_free(s);
        if (rc) return rc;
        s = fresh;
    }
    cz_secrets_free(st->secrets);
    st->secrets = s;
    snprintf(st->user, sizeof st->user, "%s", user);
    return CZ_OK;
}

/* Whether the person logged in may act for the office root now: certified
 * as an office person, not revoked, not expired.  CZ_EPERM (not office, or
 * a slot without the root key), CZ_EREVOKED, CZ_EEXPIRED. */
int cz_st_office_person(cz_station *st, cz_txn *t)
{
    struct cz_trust_info ti;
    if (!st->secrets || !cz_secrets_root_pk(st->secrets)) return CZ_EPERM;
    int rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti);
    if (rc) return rc;
    if (ti.revoked) return CZ_EREVOKED;
    if (ti.state != CZ_TRUST_CERTIFIED || strcmp(ti.role, "office") || strcmp(ti.kind, "person"))
        return CZ_EPERM;
    if (ti.valid_until && cz_roster_hlc_date(cz_now_ms() << 16) > ti.valid_until) return CZ_EEXPIRED;
    return CZ_OK;
}

static int user_add(cz_station *st, const char *name, const char *role, const char *pass, int check_pass)
{
    cz_secrets *s = NULL;
    uint8_t *blob = NULL;
    size_t blob_len;
    const uint8_t *existing;
    size_t existing_len;
    struct cz_trust_info ti;
    cz_txn *t = NULL;
    int rc;

    if (!st->secrets) return CZ_EPERM;
    if (!cz_st_name_ok(name)) return CZ_EINVAL;
    if (check_pass && (rc = cz_passphrase_check(pass))) return rc;
    if (!role || !*role) role = "clerk";
    if (strcmp(role, "clerk") && strcmp(role, "supervisor") && strcmp(role, "office")) return CZ_EINVAL;
    if (!strcmp(role, "office") && st->info.kind != CZ_KIND_OFFICE) return CZ_EPERM;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    /* At the office a new person is certified at once, which only an
     * office person (holding the root key) may do; anywhere, a revoked
     * person adds no one. */
    if (st->info.kind == CZ_KIND_OFFICE) rc = cz_st_office_person(st, t);
    else if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti)) == CZ_OK &&
             ti.revoked)
        rc = CZ_EREVOKED;
    if (rc) goto cleanup;
    if (cz_user_get(t, name, &existing, &existing_len) == CZ_OK) { rc = CZ_EEXIST; goto cleanup; }
    if ((rc = cz_secrets_new_person(st->secrets, &s))) goto cleanup;
    /* The root key goes only into the slots of office people. */
    if (strcmp(role, "office")) cz_secrets_drop_root(s);
    if ((rc = cz_secrets_seal(s, pass, &blob, &blob_len))) goto cleanup;
    if ((rc = cz_user_put(t, name, blob, blob_len))) goto cleanup;
    if ((rc = cz_st_introduce(t, &st->info, st->secrets, st->secrets, s, cz_secrets_sign_pk(s), "person",
                              name, role, NULL)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
cleanup:
    cz_txn_abort(t);
    free(blob);
    cz_secrets_free(s);
    return rc;
}

int cz_station_user_add(cz_station *st, const char *name, const char *role, const char *pass)
{
    return user_add(st, name, role, pass, 1);
}

int cz_station_user_add_demo(cz_station *st, const char *name, const char *role, const char *pass)
{
    return user_add(st, name, role, pass, 0);
}

int cz_station_passwd(cz_station *st, const char *user, const char *old_pass, const char *new_pass)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    cz_secrets *s = NULL;
    if (!user || !*user) user = st->secrets ? st->user : st->info.default_user;
    int rc = cz_passphrase_check(new_pass);
    if (rc) return rc;
    if ((rc = cz_txn_begin(st->store, 0, &t))) return rc;
    rc = cz_user_get(t, user, &blob, &len);
    if (rc == CZ_OK) rc = cz_secrets_open(blob, len, old_pass, &s);
    cz_txn_abort(t);
    /* A revoked person's slot is not renewed (and a non-office slot gives
     * up the root key on the way, as at login). */
    if (rc == CZ_OK) rc = admit(st, user, s, old_pass);
    if (rc == CZ_OK) rc = reseal(st, user, s, new_pass);
    cz_secrets_free(s);
    return rc;
}

struct slot_count { size_t people, root_holders; const char *skip; };

static int count_slot(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    struct slot_count *c = ctx;
    if (!strcmp(name, c->skip)) return 0;
    c->people++;
    c->root_holders += cz_keyblob_has_root(blob, len) ? 1 : 0;
    return 0;
}

int cz_station_user_remove(cz_station *st, const char *name)
{
    cz_txn *t = NULL;
    const uint8_t *blob;
    size_t len;
    struct cz_trust_info ti;
    struct slot_count c = { .people = 0, .root_holders = 0, .skip = name };
    int rc;
    if (!st->secrets) return CZ_EPERM;
    if (!strcmp(name, st->user)) return CZ_ESELF;
    if ((rc = cz_txn_begin(st->store, 1, &t))) return rc;
    if ((rc = cz_user_get(t, name, &blob, &len))) goto cleanup;
    int target_root = cz_keyblob_has_root(blob, len);
    if ((rc = cz_user_each(t, count_slot, &c))) goto cleanup;
    if ((rc = cz_roster_lookup(t, st->info.office_root, cz_secrets_sign_pk(st->secrets), &ti))) goto cleanup;
    /* Who may take a person off this PC: not a revoked person, not a clerk;
     * at the office only an office person (it may take a root holder);
     * and the office never loses its last slot holding the root key, or
     * no one could ever certify or revoke again. */
    if (ti.revoked) { rc = CZ_EREVOKED; goto cleanup; }
    if (st->info.kind == CZ_KIND_OFFICE) { if ((rc = cz_st_office_person(st, t))) goto cleanup; }
    else if (ti.state == CZ_TRUST_CERTIFIED && !strcmp(ti.role, "clerk")) { rc = CZ_EPERM; goto cleanup; }
    if (c.people == 0 || (target_root && c.root_holders == 0)) { rc = CZ_ELASTUSER; goto cleanup; }
    /* With the slot goes any new root sealed to its key (a rollover's
     * transfer not yet taken); the key is read before the slot goes. */
    uint8_t gone[32];
    char transfer[CZ_ST_TRANSFER_NAME];
    int has_pk = cz_keyblob_sign_pk(blob, len, gone) == CZ_OK;
    if ((rc = cz_user_del(t, name))) goto cleanup;
    if (has_pk) {
        cz_st_transfer_name(transfer, gone);
        if ((rc = cz_meta_del(t, transfer))) goto cleanup;
    }
    /* The default person (who signs when no --user is given) must exist. */
    if (!strcmp(st->info.default_user, name) &&
        (rc = cz_meta_put_str(t, "default_user", st->user)))
        goto cleanup;
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc == CZ_OK && !strcmp(st->info.default_user, name))
        snprintf(st->info.default_user, sizeof st->info.default_user, "%s", st->user);
cleanup:
    cz_txn_abort(t);
    return rc;
}

