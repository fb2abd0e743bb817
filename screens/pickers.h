/* pickers.h — modal choosers for form fields: a checklist of fixed values,
 * and a record picker (one record, or several) with search as you type.
 * Both are framed boxes over the current screen that fit 80x24. */
#ifndef CZ_PICKERS_H
#define CZ_PICKERS_H

#include <stddef.h>
#include "entry.h"
#include "ui.h"

/* Space ticks or unticks, Enter confirms (returns 1, checked[] updated),
 * Esc cancels (returns 0, checked[] as it was). */
int ui_checklist(struct ui *ui, const char *title, const char *const *items, size_t n, int *checked);

/* Records of `type` (a type key), listed by title (a household by number
 * and head) and narrowed as the person types (any part of the title,
 * full-width, case and spaces folded).  Single: Enter picks the one
 * highlighted.  Multi: Space ticks several, Enter confirms.  `value` is the
 * current value (a record id in hex, or several comma-separated); on a
 * choice *out gets the new one (malloc'd) and 1 is returned; 0 when
 * cancelled; a negative status on failure.  Ids in `value` that are not
 * listed (a record since deleted) are kept in a multi choice. */
int pick_records(struct ui *ui, const char *title, const char *type, int multi, const char *value,
                 char **out);

/* The places (`place` records) lying in `within` (a normalised code; ""
 * everywhere), listed by code (a county before its towns, a town before
 * its villages) as "code  name  (level)" and narrowed as the person types
 * a part of the name or of the code.  Enter takes the highlighted one;
 * with nothing listed, the text typed (a code, checked by the caller).
 * current, when listed, starts highlighted.  1 and code set, 0 when
 * cancelled, a negative status on failure. */
int pick_place(struct ui *ui, const char *title, const char *within, const char *current,
               char code[CZ_REGION_MAX + 1]);

/* What a record id or a list of them stands for, to show in a form: titles
 * (households by number), joined by ", ".  Unknown ids are shown as they
 * are.  *out malloc'd. */
int pick_describe(struct ui *ui, const char *value, char **out);

#endif
