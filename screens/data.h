/* data.h — what several screens read from the store, as text to show. */
#ifndef CZ_DATA_H
#define CZ_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "query.h"
#include "station.h"

/* Who a key belongs to: "name@station" from its certificate, its own
 * announcement (marked pending), or its fingerprint. */
void data_signer(cz_txn *t, const struct cz_station_info *info, const uint8_t key[32],
                 enum cz_lang lang, char *buf, size_t size);
/* Local time "YYYY-MM-DD HH:MM". */
void data_time(int64_t wall, char *buf, size_t size);
/* The entity a REF field points to; 0 when present. */
int data_ref(const struct cz_record *r, const char *field, uint8_t out[CZ_ENTITY_BYTES]);
/* A field formatted with labels, or "" . */
void data_field(const struct cz_record *r, const char *field, enum cz_lang lang, char *buf, size_t size);

/* A record's fields as the cells of a list row (for data_columns):
 * cells[i] points at buf[i], which holds field fields[i] as data_field
 * formats it, or "" where fields[i] is NULL (a cell the caller fills or
 * leaves empty). */
#define DATA_CELL 256
void data_cells(const struct cz_record *r, enum cz_lang lang, const char *const *fields, int n,
                char (*buf)[DATA_CELL], const char **cells);

/* Lays cells out in columns of the given display widths (the last may be
 * 0: the rest), cutting by display width, never by bytes. */
void data_columns(char *out, size_t size, const char *const *cells, const int *widths, int n);

#endif
