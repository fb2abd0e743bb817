/* stick.h — what this program keeps on a USB stick: the bundles for a
 * station, and tidying its own sender folders.  Finding the sticks
 * plugged in is stickfind.h. */
#ifndef CZ_STICK_H
#define CZ_STICK_H

#include <stddef.h>
#include <stdint.h>

/* The bundle files for the station with box key `me` on a stick (or a
 * folder standing in for one): every *.czb under its inbox folder
 * (bundle.h, cz_bundle_inbox), in name order.  *files and each string are
 * malloc'd (free with cz_stick_bundles_free).  CZ_ENOTFOUND when the
 * inbox is not there, CZ_ENOTPLAIN when `cunzhan` or the inbox is a
 * symlink or not a folder: no link below the stick folder is followed.  A
 * sender folder that is a symlink is listed as it is (import then refuses
 * it by name, CZ_ENOTPLAIN); *.czb names are listed whatever they are, and
 * import opens only regular files (fsutil.h, cz_fs_open_regular). */
int cz_stick_bundles(const char *stick, const uint8_t me[32], char ***files, size_t *n);
void cz_stick_bundles_free(char **files, size_t n);

/* ---- keeping a stick from filling up (CLI.md, "A stick is a mailbag") ----
 *
 * Both work inside one sender folder, STICK/cunzhan/<recipient 16 hex>/
 * <sender 16 hex>, opened part by part without following a link (a
 * missing folder is CZ_OK with nothing done, a link CZ_ENOTPLAIN).
 *
 * cz_stick_sweep_temps removes this program's own temp files there: a
 * regular file (never a link or anything else) named like
 * cz_fs_write_atomic's and the bundle writer's temp files
 * (".<1-16 of [A-Za-z0-9_-]>.tmp-<6 of [A-Za-z0-9]>") whose last change is
 * more than `min_age` seconds before `now`.  A temp file is only ever
 * being written by an export still running on this PC (two PCs take a
 * stick in turn, never at once), and a running export writes its temp file
 * at least every few seconds, so one older than CZ_STICK_TEMP_AGE is left
 * by an export that was killed or lost its stick.  A date in the future
 * (another PC's clock ahead) is kept: it is swept later.
 *
 * cz_stick_drop_bundles removes the *.czb regular files there whose clear,
 * signed header says sender `sender` (all 32 bytes), recipient `rcpt` and
 * a sequence in [from, below), other than `keep` (the bundle just
 * written).  A file whose header does not read is left where it is.  The
 * caller decides which sequences are covered (export_basis.c, exp_supersede). */
#define CZ_STICK_TEMP_AGE (15 * 60)
int cz_stick_sweep_temps(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], int64_t now,
                         int64_t min_age, size_t *swept);
/* The same in STICK/cunzhan/backup/<box 16 hex> (backup.c, before it
 * writes a backup). */
int cz_stick_sweep_backup_temps(const char *stick, const uint8_t box[32], int64_t now, int64_t min_age, size_t *swept);
int cz_stick_drop_bundles(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], uint64_t from,
                          uint64_t below, const uint8_t keep[32], size_t *dropped);
/* Whether <id hex>.czb is in the sender folder, a regular file. */
int cz_stick_has_bundle(const char *stick, const uint8_t rcpt[32], const uint8_t sender[32], const uint8_t id[32]);
/* Whether `name` is one of this program's temp file names (above). */
int cz_stick_is_temp_name(const char *name);

#endif
