/* list.h — a selectable list of rows, with paging.  Rows own their text
 * (malloc'd); each may carry the entity it stands for. */
#ifndef CZ_LIST_H
#define CZ_LIST_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "ui.h"

struct list_row {
    char *text;
    uint8_t entity[CZ_ENTITY_BYTES];
    int kind;            /* the screen's own tag (e.g. household or member) */
    int selectable;
};

struct list {
    struct list_row *rows;
    size_t n, cap, sel, top;
    int page;            /* rows shown at the last draw */
};

int list_add(struct list *l, const char *text, const uint8_t *entity, int kind, int selectable);
void list_clear(struct list *l);
/* The selected row, or NULL (empty list, or nothing selectable). */
const struct list_row *list_selected(const struct list *l);
/* After a refill (a screen resumed, the language changed): row sel
 * selected again when the list still has it and it can be chosen.  1 when
 * it was; otherwise the selection stays where the refill left it. */
int list_reselect(struct list *l, size_t sel);
void list_draw(struct ui *ui, struct list *l, int y, int rows, int focused);
/* Up, Down, PgUp, PgDn, Home, End.  UI_HANDLED or UI_UNHANDLED. */
enum ui_result list_key(struct list *l, const struct ui_key *k);

#endif
