/* backup.h — a whole station in one file, and rebuilding it on a new PC.
 *
 * A backup is written to STICK/cunzhan/backup/<box key, 16 hex>/
 * <YYYYMMDD-HHMMSS>-<bundle id, 16 hex>.czbak, atomically like bundles.
 * `import` never reads that folder (its name is not a box key).
 *
 * File format, version 2 (integers big-endian):
 *   "CZA" u8(version=2)
 *   u8 nslots (1..CZ_BACKUP_SLOTS_MAX)
 *     { u32 len (<= 4096) keyblob[len] sum[32] }
 *       every person's key blob exactly as stored (keys.h): already sealed
 *       under that person's passphrase with Argon2id, so they travel in
 *       clear; they are what lets a new PC, which holds nothing, open the
 *       station's bundle key from one person's passphrase.  Names stay
 *       inside the encryption.  sum = BLAKE2b-256("CZA slot" u8(2)
 *       u8(nslots) u8(index) u32(len) keyblob): checked before any
 *       Argon2 run, so a changed bit is named ("key slot N of the backup
 *       is damaged", CZ_ESLOT) and never taken for a wrong passphrase.
 *   a bundle (bundle.h) to the end of the file, sealed to this station's
 *       box key AND the office's, signed by the person who made the backup.
 * Bundle plaintext of a backup:
 *   "CZS" u8(version=2)        the station section
 *   u8 kind (0 station, 1 office)
 *   u8 n name[n]  u8 n region[n]  u8 n default_user[n]  u8 n office_name[n]
 *   box_pk[32] office_root[32] office_box[32]
 *   u64 hlc  u64 bundle_seq  i64 made_at (seconds, for display)
 *   u8 nusers { u8 n name[n] sign_pk[32] }   which blob is whose
 *   box_sk[32]                 the station's bundle key, so the office (which
 *                              reads everything the station holds anyway)
 *                              can rebuild a station whose slots are all
 *                              damaged (cz_backup_restore_office)
 *   then a payload "CZP" version 1 kind 1 (bundle.h) to the end: this
 *   station's version vector and EVERY stored entry (log entries first,
 *   then the second entries of forks, so forks are kept as evidence).
 * Version 1 (still restored): no sum after each key blob, and section
 * version 1 without box_sk (the office cannot rebuild from it:
 * CZ_ENOSECRET).
 * A sync import refuses this plaintext (it is not "CZP" kind 0).
 *
 * Restore starts a new log epoch: every person key in the backup is
 * retired (station.h, CZ_META_RETIRED), because the lost PC may have signed
 * after the backup and signing on with the same key could fork its log.
 * Each person's first login after the restore makes a fresh key.  The
 * station's bundle key and identity stay, so the office keeps sending to it.
 * A restored office's root log goes on after a gap of CZ_ROOT_SEQ_GAP
 * (station.h), so it cannot share a seq with what the lost PC signed after
 * the backup.  office_root is the root pinned when the backup was made;
 * after a root rollover the chain's first root is found again from the
 * rollovers among the entries (roster.h, cz_roster_find_anchor).  Root
 * transfers not yet taken (station.h, cz_station_rollover) are not kept:
 * an office person whose slot still held the old root gets the new one by
 * being added again.
 * Peers' acknowledgements and the seen-list are not kept: the first export
 * after a restore is full, and a replayed bundle only brings duplicates. */
#ifndef CZ_BACKUP_H
#define CZ_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include "keys.h"
#include "station.h"

#define CZ_BACKUP_VERSION 2            /* what this build writes */
#define CZ_BACKUP_VERSION_MIN 1        /* the oldest it restores */
#define CZ_BACKUP_SLOTS_MAX 64
#define CZ_BACKUP_BLOB_MAX 4096

struct cz_backup_result {
    char path[4096];
    size_t entries, people, bytes;
};
/* Writes a backup of the station (needs a login: the person signs it),
 * then reads the file back from the stick and compares it (CZ_EREADBACK:
 * the stick changed or lost what was written; the file is left for the
 * user to delete). */
int cz_backup_write(cz_station *st, const char *stick, struct cz_backup_result *res);
/* The same, telling pr (sync.h; NULL: no one) how many of the station's
 * entries have been read so far (most of the time a backup takes), then
 * done once the file has been read back. */
struct cz_progress;
int cz_backup_write_with(cz_station *st, const char *stick, const struct cz_progress *pr,
                         struct cz_backup_result *res);

struct cz_restore_result {
    struct cz_station_info info;
    size_t entries, people;
    int64_t made_at;
    char user[CZ_NAME_MAX];       /* whose passphrase opened it (office: whose slot was made) */
    size_t bad_slot;              /* CZ_ESLOT or a damaged slot skipped: the first, from 1 */
    /* People whose slot was damaged: not restored (another person adds
     * them again with `user add`). */
    size_t nlost;
    char lost[CZ_BACKUP_SLOTS_MAX][CZ_NAME_MAX];
};
/* Rebuilds the station in dir (which must not hold one: CZ_EEXIST) from a
 * backup file image, with the passphrase of any one of its people.
 * CZ_EPASS when it opens no key blob and every slot is sound; CZ_ESLOT
 * (res->bad_slot names it) when it opens none of the sound ones and a slot
 * is damaged, or the slots cannot be read past one; with a damaged slot
 * and a passphrase that opens another, the restore goes ahead without the
 * damaged slot's person (res->lost).  CZ_EMAGIC, CZ_EVERSION, CZ_ETRUNC,
 * CZ_ECANON for a damaged file; the bundle's own refusals (bundle.h); an
 * entry that does not decode or verify refuses the whole file.
 *
 * The station is built in dir/.db.restore-<pid> and renamed to dir/db at
 * the end, so a restore killed at any moment leaves no dir/db: the next
 * restore removes such leftovers (their process gone) and init never looks
 * at them.  On any failure nothing is left in dir/db. */
int cz_backup_restore(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                      struct cz_restore_result *res);

/* The office's way back for a village station whose every usable slot is
 * damaged (README, "Backup and restore"): run at the office PC with the
 * office's secrets (a login there).  The backup's sealed part is opened
 * with the office's box key; the station key it carries (version 2)
 * rebuilds the station in dir exactly as cz_backup_restore would, with a
 * new slot for `user` (NULL: the one person, or the default user) sealed
 * under new_pass (the passphrase rule applies), and every sound slot of
 * the others.  Every old key and the new slot's own are retired, so that
 * person's first login makes a key and announces it; the office enrols it
 * at the next exchange.  The folder is then carried to the village PC.
 * CZ_ENOSECRET for a version 1 backup, CZ_ENOTFORUS when it is not sealed
 * to this office, CZ_EPERM for an office's own backup, CZ_ENOUSER when
 * `user` is not one of its people, CZ_EWEAKPASS. */
int cz_backup_restore_office(const char *dir, const uint8_t *buf, size_t len, const struct cz_secrets *office,
                             const char *user, const char *new_pass, struct cz_restore_result *res);

/* The two restores, telling pr (sync.h; NULL: no one) how far they have
 * got in two passes over the backup's entries, the two that take the time:
 * first their signatures checked (done 0 .. total), then, only when the
 * whole file is sound, the entries written (done from 0 again .. total,
 * reached once the new database is committed).  A caller drawing a bar
 * takes done falling back as the second pass beginning. */
int cz_backup_restore_with(const char *dir, const uint8_t *buf, size_t len, const char *passphrase,
                           const struct cz_progress *pr, struct cz_restore_result *res);
int cz_backup_restore_office_with(const char *dir, const uint8_t *buf, size_t len, const struct cz_secrets *office,
                                  const char *user, const char *new_pass, const struct cz_progress *pr,
                                  struct cz_restore_result *res);

#endif
