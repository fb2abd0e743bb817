/* people.h — the keys a station knows of, from their announcements (`key`
 * records) and certificates (`cert`), each with what the roster says of it.
 * Used by `cunzhan enrol` / `revoke` and the users screen. */
#ifndef CZ_PEOPLE_H
#define CZ_PEOPLE_H

#include <stddef.h>
#include <stdint.h>
#include "roster.h"
#include "station.h"

struct cz_known_key {
    uint8_t key[32];
    /* As announced, or as certified when a certificate exists. */
    char kind[16], name[CZ_NAME_MAX], station[CZ_NAME_MAX], region[CZ_REGION_MAX + 1], role[16];
    struct cz_trust_info trust;
};
struct cz_keylist { cz_txn *t; const uint8_t *root; struct cz_known_key *v; size_t n, cap; int rc; };

/* Fills kl (zeroed first); the caller frees kl->v, also on failure. */
int cz_known_keys(cz_txn *t, const uint8_t root[32], struct cz_keylist *kl);

/* Who a key belongs to, to show beside what it signed: the office root,
 * "name@station" from its certificate, else the name its own announcement
 * gives, marked pending ("name (pending)", or "name@station (pending)" with
 * with_station), else "key FINGERPRINT".  Always fills buf. */
void cz_signer_name(cz_txn *t, const uint8_t root[32], const uint8_t key[32], enum cz_lang lang,
                    int with_station, char *buf, size_t size);

#endif
