/* edit.h — one line of editable UTF-8 text with a cursor (a byte offset,
 * always on a character boundary).  Used by form fields, the search line
 * and prompts.  Drawing shows the part around the cursor that fits, and the
 * cursor lands on its display column (a Chinese character is two). */
#ifndef CZ_EDIT_H
#define CZ_EDIT_H

#include <stddef.h>
#include <wchar.h>
#include "ui.h"

struct line_edit {
    char *s;        /* malloc'd, NUL-terminated; never NULL after edit_set */
    size_t cur;
    int secret;     /* draw as '*' (passphrases) */
};

int edit_set(struct line_edit *e, const char *text);     /* cursor at end */
void edit_free(struct line_edit *e);
/* Applies an editing key; 1 when the key was used, 0 when not. */
int edit_key(struct line_edit *e, const struct ui_key *k);
/* Draws in `width` columns at (y, x); when focused, puts the cursor there. */
void edit_draw(struct ui *ui, const struct line_edit *e, int y, int x, int width, int focused, int attr);

#endif
