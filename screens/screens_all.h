/* screens_all.h — every screen's ops table, and what each open() takes. */
#ifndef CZ_SCREENS_ALL_H
#define CZ_SCREENS_ALL_H

#include "ui.h"

extern const struct screen_ops cz_screen_login;      /* arg: NULL */
extern const struct screen_ops cz_screen_home;       /* arg: NULL */
extern const struct screen_ops cz_screen_help;       /* arg: NULL */
extern const struct screen_ops cz_screen_households; /* arg: NULL */
extern const struct screen_ops cz_screen_household;  /* arg: const uint8_t entity[16] */
extern const struct screen_ops cz_screen_record;     /* arg: const struct record_form_arg * */
extern const struct screen_ops cz_screen_record_new; /* the same, for a record not saved yet (no delete) */
extern const struct screen_ops cz_screen_verify;     /* arg: NULL */
extern const struct screen_ops cz_screen_trainings;  /* arg: NULL */
extern const struct screen_ops cz_screen_newrecord;  /* arg: NULL */
extern const struct screen_ops cz_screen_sync;       /* arg: NULL */
extern const struct screen_ops cz_screen_conflicts;  /* arg: NULL */
extern const struct screen_ops cz_screen_resolve;    /* arg: const uint8_t entity[16] */
extern const struct screen_ops cz_screen_reports;    /* arg: NULL */
extern const struct screen_ops cz_screen_exits;      /* arg: NULL */
extern const struct screen_ops cz_screen_users;      /* arg: NULL */
extern const struct screen_ops cz_screen_settings;   /* arg: NULL */

/* What the add/edit form opens on: a new record of `type` (entity NULL),
 * or a new version of `entity`.  `parent`, when set, is the household a new
 * member (or other record) belongs to. */
struct record_form_arg {
    const char *type;
    const uint8_t *entity;
    const uint8_t *parent;
    int restore;            /* opened from the unsaved forms: restore the draft without asking */
};
/* Opens that form over the current screen; when it cannot open (a record
 * deleted since, say), the reason is the message. */
void record_form(struct ui *ui, const char *type, const uint8_t *entity, const uint8_t *parent);
/* The same form with this person's draft of it restored (no question). */
void record_form_restore(struct ui *ui, const char *type, const uint8_t *entity, const uint8_t *parent);

#endif
