/* form.h — a form: labelled fields, one a row, with inline messages.
 *
 * Text fields edit UTF-8 with the cursor on its display column; enum fields
 * open a pick-list (Enter) with labels in the user's language and keep the
 * English key; read-only fields show a text.  Fields tied to the schema are
 * checked by cz_schema_set as the person leaves them, and the message
 * (cz_field_error_message, in the user's language) is shown under the field
 * until it is fixed. */
#ifndef CZ_FORM_H
#define CZ_FORM_H

#include <stddef.h>
#include "edit.h"
#include "schema.h"
#include "ui.h"

enum form_kind { FK_TEXT, FK_SECRET, FK_ENUM, FK_READONLY };

struct form_field {
    char label[128];
    enum form_kind kind;
    const struct cz_field *field;   /* NULL: not a schema field (login) */
    struct line_edit e;             /* the value (ENUM: the key) */
    char *orig;                     /* value when the form opened */
    char *shown;                    /* READONLY: what to show (may be NULL) */
    char error[512];
};

struct form {
    const struct cz_type *type;     /* for validation; NULL: none */
    struct form_field *f;
    size_t n, focus, top;
    int value_w;                    /* columns for values, set by form_draw */
};

int form_add(struct form *fm, const char *label, enum form_kind kind,
             const struct cz_field *field, const char *value);
void form_free(struct form *fm);
int form_modified(const struct form *fm);
const char *form_value(const struct form *fm, size_t i);

/* Checks one field (schema fields only); sets or clears its message.
 * Returns 0 when it holds. */
int form_check(struct ui *ui, struct form *fm, size_t i);
/* Checks all; the first refused field gets the focus.  0 when all hold. */
int form_check_all(struct ui *ui, struct form *fm);
/* Shows a message the store gave for a field (after add/edit). */
void form_set_error(struct ui *ui, struct form *fm, const struct cz_field_error *err);

void form_draw(struct ui *ui, struct form *fm, int y, int rows);
/* Editing, moving between fields, the pick-list.  Returns UI_HANDLED or
 * UI_UNHANDLED (save, back, quit... are the screen's). */
enum ui_result form_key(struct ui *ui, struct form *fm, const struct ui_key *k);

#endif
