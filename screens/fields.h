/* fields.h — the typed form widgets (numbers, money and decimals, dates):
 * what a key does to them, how they are drawn, how a value is tidied when
 * the person leaves the field.  Used by form.c only. */
#ifndef CZ_FIELDS_H
#define CZ_FIELDS_H

#include "form.h"

/* A character typed, folded by NFKC when it becomes one ASCII character
 * (full-width ０..９ and ． from a Chinese input method). */
wchar_t field_fold_char(wchar_t ch);
/* Applies a key to a NUMBER, DECIMAL or DATE field; 1 when used (a
 * character that does not fit is swallowed, with a beep). */
int field_typed_key(struct form_field *f, const struct ui_key *k);
/* Leaving a DECIMAL field writes its value with two decimals. */
void field_typed_leave(struct form_field *f);
void field_typed_draw(struct ui *ui, const struct form_field *f, int y, int x, int w, int focused);

/* A field holding a place's code (a household's village, a training's
 * region), other than a place record's own code: typed and stored as the
 * code, drawn with the name of the place it names beside it, or a word
 * that no place here has that code. */
int field_is_place(const struct form_field *f);
void field_place_draw(struct ui *ui, const struct form_field *f, int y, int x, int w, int focused);

#endif
