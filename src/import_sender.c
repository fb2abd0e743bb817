/* import_sender.c — what a bundle's header vouches for (sync_int.h).
 *
 * Both box keys are in every clear header, so the sender a header names is
 * only a claim.  It is believed when the header's signer is a certified
 * person of that station (a `cert` whose `station` is the one the station
 * key's own certificate names, and whose jurisdiction lies inside the
 * station's; station keys only encrypt), or, for the
 * office's key, the root or a person certified with the office role.
 * Only then is the bundle's vector taken as that station's
 * acknowledgement (imp_sender_ack).  Otherwise:
 *   - a certified signer for another station: the entries are judged one
 *     by one as ever (each is signed by its author), the vector is not kept;
 *   - a pending signer whose own key announcement (its log's first entry,
 *     in this bundle or here already) names the station of the sending
 *     key, or a sending key not certified at all (a new station before its
 *     enrolment, a restored one before its new key's): its work is kept
 *     pending, bounded, the vector not kept;
 *   - any other pending signer brings only key announcements.
 * Entries of keys not yet certified are bounded whoever carries them
 * (imp_admit): PENDING_ENTRIES_MAX entries or PENDING_BYTES_MAX bytes a key
 * (the count is the log's seq, the bytes are kept in meta
 * "pending_bytes:<key hex>"), PENDING_KEYS_MAX such keys a bundle; and the
 * office never forwards them (export skips uncertified authors). */
#include "sync_int.h"
#include "hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "region.h"
#include "bytes.h"
#include "codec.h"
#include "grow.h"
#include "keys.h"
#include "schema.h"
#include "station.h"
#include "status.h"
#define PENDING_ENTRIES_MAX 100000u
#define PENDING_BYTES_MAX (64u * 1024u * 1024u)
#define PENDING_KEYS_MAX 256u

struct imp_pending { uint8_t origin[32]; uint64_t bytes; int loaded; };
struct imp_adm_author { uint8_t origin[32]; enum cz_trust state; };

/* What the roster says of an author, looked up once per author until a
 * trust record comes (imp_admit empties the table then). */
static int adm_state(struct importer *im, const uint8_t origin[32], enum cz_trust *state)
{
    size_t lo = 0, hi = im->nadm;
    struct cz_trust_info ti;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(im->adm[mid].origin, origin, 32);
        if (c == 0) { *state = im->adm[mid].state; return CZ_OK; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    int rc = cz_roster_lookup(im->t, im->info->office_root, origin, &ti);
    if (rc) return rc;
    *state = ti.state;
    if ((rc = cz_grow(&im->adm, &im->adm_cap, im->nadm + 1, sizeof *im->adm))) return rc;
    memmove(im->adm + lo + 1, im->adm + lo, (im->nadm - lo) * sizeof *im->adm);
    im->nadm++;
    memcpy(im->adm[lo].origin, origin, 32);
    im->adm[lo].state = ti.state;
    return CZ_OK;
}

/* The station a key announcement of `key` names, and the key it replaces
 * (*replaces 1); 0 when e is not one. */
static int announced_station(const struct cz_entry *e, const uint8_t key[32], char *out, size_t size,
                             int *replaces, uint8_t replaced[32])
{
    const struct cz_type *ty = cz_schema_type("key");
    cz_body *b = NULL;
    const uint8_t *k;
    const char *st;
    size_t len;
    int ok = 0;
    if (strcmp(e->type, "key") || !ty || cz_body_decode(e->body, e->body_len, &b) != CZ_OK) return 0;
    if (cz_body_get_bytes(b, cz_schema_field(ty, "key")->tag, &k, &len) == CZ_OK && len == 32 && !memcmp(k, key, 32)) {
        out[0] = 0;
        if (cz_body_get_text(b, cz_schema_field(ty, "station")->tag, &st, &len) == CZ_OK)
            snprintf(out, size, "%.*s", (int)len, st);
        ok = out[0] != 0;
        *replaces = cz_body_get_bytes(b, cz_schema_field(ty, "replaces")->tag, &k, &len) == CZ_OK && len == 32;
        if (*replaces) memcpy(replaced, k, 32);
    }
    cz_body_free(b);
    return ok;
}

/* Pass 1 sees every entry: the signer's own key announcement (its log's
 * first entry) is noted, so the header is judged before pass 2 applies
 * anything.  Only seq 1 of the signer is decoded and verified. */
void imp_sender_note(struct importer *im, const uint8_t *p, size_t len)
{
    const uint8_t *origin;
    uint64_t seq;
    char region[CZ_REGION_MAX + 1];
    struct cz_entry e;
    uint8_t id[CZ_ID_BYTES];
    if (!im->h || im->signer_announced || !p || cz_entry_peek(p, len, &origin, &seq, region) != CZ_OK) return;
    if (seq != 1 || memcmp(origin, im->h->signer, 32)) return;
    if (imp_check_entry(p, len, &e, id) == CZ_OK &&
        announced_station(&e, im->h->signer, im->signer_station, sizeof im->signer_station,
                          &im->signer_replaces, im->replaced))
        im->signer_announced = 1;
}

/* The station a certificate names (`station`, else its `name`). */
static const char *cert_station(const struct cz_trust_info *ti)
{
    return ti->station[0] ? ti->station : ti->name;
}

/* After pass 1 (the root's certificates are stored by then). */
int imp_sender_judge(struct importer *im)
{
    const struct cz_bundle_header *h = im->h;
    const struct cz_station_info *info = im->info;
    struct cz_trust_info sig, box;
    int rc;
    if ((rc = cz_roster_lookup(im->t, info->office_root, h->signer, &sig)) ||
        (rc = cz_roster_lookup(im->t, info->office_root, h->sender_box, &box)))
        return rc;
    int office_box = !memcmp(h->sender_box, info->office_box, 32);
    int box_ok = box.state == CZ_TRUST_CERTIFIED && !box.revoked;
    im->sender = SENDER_ENTRIES;
    if (!memcmp(h->sender_box, info->box_pk, 32)) return CZ_OK;   /* "from ourselves": never an acknowledgement */
    if (sig.state == CZ_TRUST_ROOT) {
        if (office_box) im->sender = SENDER_ACK;
        return CZ_OK;
    }
    /* What the signer's own announcement says, from the bundle (pass 1)
     * or from an earlier one. */
    if (!im->signer_announced) {
        uint8_t at[CZ_ID_BYTES];
        struct cz_entry e;
        rc = cz_store_log_get(im->t, h->signer, 1, at);
        if (rc == CZ_OK && (rc = cz_store_get_entry(im->t, at, &e)) == CZ_OK)
            im->signer_announced = announced_station(&e, h->signer, im->signer_station, sizeof im->signer_station,
                                                     &im->signer_replaces, im->replaced);
        if (rc && rc != CZ_ENOTFOUND) return rc;
    }
    if (sig.state == CZ_TRUST_CERTIFIED) {
        /* The office's people are certified for the office's station too
         * (its key's certificate arrives with its first bundle); an
         * office-role person speaks for the office whatever it names. */
        if ((box_ok && sig.station[0] && !strcmp(sig.station, cert_station(&box)) &&
             cz_region_under(sig.region, box.region)) ||
            (office_box && !strcmp(sig.role, "office")))
            im->sender = SENDER_ACK;
        return CZ_OK;
    }
    im->sender = SENDER_UNCERT;
    if (!im->signer_announced || office_box) return CZ_OK;
    if (box.state == CZ_TRUST_PENDING || (box_ok && !strcmp(im->signer_station, cert_station(&box))))
        im->sender = SENDER_PENDING;
    return CZ_OK;
}

static int pending_slot(struct importer *im, const uint8_t origin[32], struct imp_pending **out)
{
    size_t lo = 0, hi = im->npend;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(im->pend[mid].origin, origin, 32);
        if (c == 0) { *out = &im->pend[mid]; return CZ_OK; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    if (im->npend == PENDING_KEYS_MAX) return CZ_EPENDINGMAX;
    int rc = cz_grow(&im->pend, &im->pend_cap, im->npend + 1, sizeof *im->pend);
    if (rc) return rc;
    memmove(im->pend + lo + 1, im->pend + lo, (im->npend - lo) * sizeof *im->pend);
    im->npend++;
    im->pend[lo] = (struct imp_pending){ .bytes = 0 };
    memcpy(im->pend[lo].origin, origin, 32);
    *out = &im->pend[lo];
    return CZ_OK;
}

static void pending_meta_name(char *buf, size_t size, const uint8_t origin[32])
{
    char hex[65];
    cz_hex(origin, 32, hex);
    snprintf(buf, size, "pending_bytes:%s", hex);
}

/* Before imp_apply_one, for the entries of keys not yet certified: *ok 0
 * when refused here (told as its refusals are); its own judgement is not
 * repeated. */
int imp_admit(struct importer *im, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES], int *ok)
{
    struct imp_pending *pk;
    const struct cz_type *ty = cz_schema_type(e->type);
    uint8_t at[CZ_ID_BYTES];
    enum cz_trust state;
    int rc;
    *ok = 1;
    if ((rc = adm_state(im, e->origin, &state))) return rc;
    /* A trust record may change what the roster says of anyone. */
    if (!ty || ty->trust) im->nadm = 0;
    if (state != CZ_TRUST_PENDING) return CZ_OK;
    /* Already here: imp_apply_one counts it as a duplicate, nothing grows. */
    rc = cz_store_log_get(im->t, e->origin, e->seq, at);
    if (rc == CZ_OK && !memcmp(at, id, CZ_ID_BYTES)) return CZ_OK;
    if (rc && rc != CZ_ENOTFOUND) return rc;
    *ok = 0;
    if ((rc = pending_slot(im, e->origin, &pk)) == CZ_EPENDINGMAX) return imp_refuse(im, e, id, CZ_EPENDINGMAX);
    if (rc) return rc;
    if (im->sender == SENDER_UNCERT && strcmp(e->type, "key")) return imp_refuse(im, e, id, CZ_EUNCERT);
    if (!pk->loaded) {
        char name[96];
        pending_meta_name(name, sizeof name, e->origin);
        if ((rc = cz_meta_get_u64(im->t, name, &pk->bytes)) && rc != CZ_ENOTFOUND) return rc;
        pk->loaded = 1;
    }
    if (e->seq > PENDING_ENTRIES_MAX || pk->bytes + e->raw_len > PENDING_BYTES_MAX)
        return imp_refuse(im, e, id, CZ_EPENDINGMAX);
    pk->bytes += e->raw_len;
    *ok = 1;
    return CZ_OK;
}

/* In each of the import's transactions, before its commit (a prefix
 * committed counts what it stored). */
int imp_pending_save(struct importer *im)
{
    for (size_t i = 0; i < im->npend; i++) {
        char name[96];
        int rc;
        if (!im->pend[i].loaded) continue;
        pending_meta_name(name, sizeof name, im->pend[i].origin);
        if ((rc = cz_meta_put_u64(im->t, name, im->pend[i].bytes))) return rc;
    }
    return CZ_OK;
}

/* The acknowledgement a trusted sender's vector gives: it only moves
 * forward (what was stored for the peer stays) and only over positions
 * held here (what we could have sent it; a claim beyond that, or an origin
 * unknown here, is dropped), so a bundle can neither stop what would be
 * sent nor store more than this station's own vector.
 *
 * It moves back only on a restore notice: a restored station signs with a
 * new key whose announcement names the key it replaces (station_people.c,
 * rekey); the first bundle that key signs once the office has certified
 * it, when the replaced key was certified for the same station, sets the
 * acknowledgement to what the station holds now, so what it lost is sent
 * again.  Once per key (meta "ack_reset:<key hex>"): later bundles merge. */
static int restore_notice(struct importer *im, int *reset)
{
    struct cz_trust_info old, box;
    char name[96], hex[65];
    uint64_t done;
    int rc;
    *reset = 0;
    if (!im->signer_replaces || !memcmp(im->h->sender_box, im->info->office_box, 32)) return CZ_OK;
    if ((rc = cz_roster_lookup(im->t, im->info->office_root, im->replaced, &old)) ||
        (rc = cz_roster_lookup(im->t, im->info->office_root, im->h->sender_box, &box)))
        return rc;
    if (old.state != CZ_TRUST_CERTIFIED || !old.station[0] || strcmp(old.station, cert_station(&box))) return CZ_OK;
    cz_hex(im->h->signer, 32, hex);
    snprintf(name, sizeof name, "ack_reset:%s", hex);
    if ((rc = cz_meta_get_u64(im->t, name, &done)) == CZ_OK) return CZ_OK;
    if (rc != CZ_ENOTFOUND) return rc;
    *reset = 1;
    return cz_meta_put_u64(im->t, name, 1);
}
struct ack_ctx { const struct cz_vv *claim, *stored; struct cz_vv *out; };

static int ack_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct ack_ctx *a = ctx;
    if (klen != 40 || vlen != CZ_ID_BYTES) return CZ_EDB;
    uint64_t seq = cz_get_be64(key + 32);
    if (cz_vv_has(a->claim, key, seq) || (a->stored && cz_vv_has(a->stored, key, seq)))
        return cz_vv_add(a->out, key, seq, val);
    return 0;
}

int imp_sender_ack(struct importer *im, const struct cz_vv *claim)
{
    struct cz_vv stored = { .n = 0 }, out = { .n = 0 };
    const void *v;
    size_t len, pos = 0, vcap = 0, vlen = 0;
    uint8_t *vbuf = NULL;
    int have = 0, reset;
    int rc = restore_notice(im, &reset);
    if (rc) return rc;
    if (!reset && (rc = cz_store_peer_get(im->t, im->h->sender_box, &v, &len)) == CZ_OK)
        have = cz_vv_decode(v, len, &pos, &stored) == CZ_OK;
    else if (!reset && rc != CZ_ENOTFOUND) return rc;
    struct ack_ctx a = { .claim = claim, .stored = have ? &stored : NULL, .out = &out };
    if ((rc = cz_store_each_log(im->t, ack_cb, &a)) == CZ_OK &&
        (rc = cz_vv_encode(&out, &vbuf, &vlen, &vcap)) == CZ_OK)
        rc = cz_store_peer_put(im->t, im->h->sender_box, vbuf, vlen);
    free(vbuf);
    cz_vv_free(&out);
    cz_vv_free(&stored);
    return rc;
}

