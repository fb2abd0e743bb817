/* form.h — a form: labelled fields, one a row, with inline messages.
 *
 * Text fields edit UTF-8 with the cursor on its display column; enum fields
 * open a pick-list (Enter) with labels in the user's language and keep the
 * English key; read-only fields show a text.  Fields tied to the schema are
 * checked by cz_schema_set as the person leaves them, and the message
 * (cz_field_error_message, in the user's language) is shown under the field
 * until the value changes (and again on save).  Labels are the schema's in
 * the language of the moment, and errors and shown values are written again
 * when the language changes (F9).  An empty choice shows as "-" with a note,
 * so a choice left or made empty is seen; a letter typed in a choice moves
 * to the next value whose key or label begins with it; clearing a field says
 * so on the message line.
 *
 * Typed fields (fields.c) take only what fits as it is typed: numbers take
 * digits (drawn right-aligned); money and decimals take digits and one
 * point, at most two decimals, and are written out with two decimals when
 * left (1200 -> 1200.00; money shows ¥ / 元); dates fill a YYYY-MM-DD
 * template as digits are typed, and `t` puts today's date.  Full-width
 * digits from a Chinese input method are folded by NFKC.  Choices from
 * records (pickers.c): a reference field (FK_REF) picks one record of its
 * type by searching its title, a set (FK_SET) ticks several values, and a
 * households list (FK_HOUSEHOLDS) ticks several households; each stores
 * what the schema accepts (keys, record ids) and shows labels and titles. */
#ifndef CZ_FORM_H
#define CZ_FORM_H

#include <stddef.h>
#include "edit.h"
#include "schema.h"
#include "ui.h"

enum form_kind {
    FK_TEXT, FK_SECRET, FK_ENUM, FK_READONLY,
    FK_NUMBER,      /* INT, YEAR: digits only */
    FK_DECIMAL,     /* MONEY, AREA, DECIMAL: <= 2 decimals */
    FK_DATE,        /* YYYY-MM-DD */
    FK_SET,         /* several enum keys, comma-separated */
    FK_REF,         /* one record id (hex) of field->ref_type */
    FK_HOUSEHOLDS,  /* several household ids (hex), comma-separated */
};

/* The kind of widget for a schema field. */
enum form_kind form_kind_for(const struct cz_field *f);

struct form_field {
    char label[128];                /* English, or the only label given */
    char label_zh[128];             /* Chinese, when given (form_add_text) */
    enum form_kind kind;
    const struct cz_field *field;   /* NULL: not a schema field (login) */
    struct line_edit e;             /* the value (ENUM: the key) */
    char *orig;                     /* value when the form opened */
    char *shown;                    /* READONLY, REF, HOUSEHOLDS: what to show (may be NULL) */
    char error[512];                /* in the language of form.lang */
    struct cz_field_error refused;  /* the store's refusal shown as error, to say it again after F9 */
    int store_error;                /* error came from the store (refused), not form_check */
    char note[512];                 /* what the store says of it (changed meanwhile, in conflict) */
};

struct form {
    const struct cz_type *type;     /* for validation; NULL: none */
    struct form_field *f;
    size_t n, cap, focus, top;
    int value_w;                    /* columns for values, set by form_draw */
    int lang;                       /* 1 + the language of errors and shown values; 0: not yet drawn */
};

int form_add(struct form *fm, const char *label, enum form_kind kind,
             const struct cz_field *field, const char *value);
/* A field that is not a schema field (login), labelled in both languages
 * so that F9 changes its label as it does a schema field's. */
int form_add_text(struct form *fm, const char *en, const char *zh, enum form_kind kind, const char *value);
void form_free(struct form *fm);
/* Sets a field's value (and what a picker field shows).  0 or a status. */
int form_set_value(struct ui *ui, struct form *fm, size_t i, const char *value);
/* Fills in what every picker field shows (after the fields are added). */
void form_describe(struct ui *ui, struct form *fm);
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
