/* allowed.h — what the person logged in may write, asked before an action
 * is offered, so that a form or a dialog the write would refuse is never
 * opened (the write checks again: station.h, cz_station_may_write). */
#ifndef CZ_ALLOWED_H
#define CZ_ALLOWED_H

#include "schema.h"
#include "ui.h"

/* A new record of type t made here: 1 when this person may write it (a
 * village clerk may not write the office's global types: helpers, places,
 * poverty lines), 0 when not or when the question cannot be answered. */
int allowed_new(struct ui *ui, const struct cz_type *t);

/* Deleting a record of type_key in region: CZ_OK, or why not (a status),
 * with why[] the reason in the person's language. */
int allowed_delete(struct ui *ui, const char *type_key, const char *region, char *why, size_t size);

#endif
