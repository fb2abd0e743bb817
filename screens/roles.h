/* roles.h — who is logged in, from their certificate (roster.h): for the
 * home menu's `shown` predicates and the screens that check again. */
#ifndef CZ_ROLES_H
#define CZ_ROLES_H

#include "ui.h"

/* The role ("clerk", "supervisor", "office") the logged-in person's
 * certificate grants; "office" for the office root; "" when pending,
 * revoked or not logged in. */
void roles_current(struct ui *ui, char *role, size_t size);
/* Supervisors and the office: the approvals row. */
int roles_shown_supervisor(struct ui *ui);
/* The office station (CZ_KIND_OFFICE): the users row. */
int roles_shown_office(struct ui *ui);

#endif
