/* household_years.h — the household page's yearly records side by side
 * (income and living conditions: one column a year, newest first, the
 * last three), and the note under a member who left. */
#ifndef CZ_HOUSEHOLD_YEARS_H
#define CZ_HOUSEHOLD_YEARS_H

#include <stddef.h>
#include "list.h"
#include "overview.h"
#include "screens.h"

/* Adds the section to l.  Its rows are stepped through one by one (so a
 * table longer than the screen can be read with Down) but open nothing:
 * the records themselves are under "Other records". */
int hh_years_add(struct ui *ui, cz_view *v, const uint8_t household[CZ_ENTITY_BYTES], struct list *l);

/* When the member has left the household by today (their last join or
 * leave is a death, marriage out or move out), "Left: <kind> <date>" in
 * lang into note; "" otherwise. */
int hh_member_left(struct ui *ui, cz_view *v, const uint8_t member[CZ_ENTITY_BYTES], char *note, size_t size);

#endif
