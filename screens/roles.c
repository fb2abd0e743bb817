/* roles.c — the logged-in person's role (roles.h). */
#include "roles.h"
#include "overview.h"
#include "roster.h"

#include <stdio.h>
#include <string.h>

void roles_current(struct ui *ui, char *role, size_t size)
{
    const uint8_t *pk = cz_station_person_pk(ui->st);
    struct cz_trust_info ti;
    cz_view *v = NULL;
    role[0] = 0;
    if (!pk || cz_view_begin(ui->st, &v)) return;
    if (cz_roster_lookup(cz_view_txn(v), cz_station_info(ui->st)->office_root, pk, &ti) == CZ_OK && !ti.revoked) {
        if (ti.state == CZ_TRUST_ROOT) snprintf(role, size, "office");
        else if (ti.state == CZ_TRUST_CERTIFIED) snprintf(role, size, "%s", ti.role);
    }
    cz_view_end(v);
}

int roles_shown_supervisor(struct ui *ui)
{
    char role[16];
    roles_current(ui, role, sizeof role);
    return !strcmp(role, "supervisor") || !strcmp(role, "office");
}

int roles_shown_office(struct ui *ui)
{
    return cz_station_info(ui->st)->kind == CZ_KIND_OFFICE;
}
