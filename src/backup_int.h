/* backup_int.h — what backup.c (writing) and backup_restore.c (reading)
 * share of the backup format (backup.h); not for other modules. */
#ifndef CZ_BACKUP_INT_H
#define CZ_BACKUP_INT_H

#include <stddef.h>
#include <stdint.h>

/* Version 2: a key slot's checksum, over the slot and where it sits
 * (nslots, its index, its length): BLAKE2b-256("CZA slot" u8(2) u8(nslots)
 * u8(index) u32(len) blob). */
void cz_backup_slot_sum(uint8_t nslots, size_t index, const uint8_t *blob, size_t len, uint8_t out[32]);

#endif
