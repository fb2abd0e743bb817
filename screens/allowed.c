/* allowed.c — what the person logged in may write (allowed.h). */
#include "allowed.h"
#include "station.h"

#include <stdio.h>
#include <string.h>

int allowed_new(struct ui *ui, const struct cz_type *t)
{
    return cz_station_may_write(ui->st, t->key, NULL) == CZ_OK;
}

/* Whether a type has no region: one record for the whole city, the office's. */
static int global_type(const struct cz_type *t)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].flags & (CZ_FF_REGION | CZ_FF_INHERIT)) return 0;
    return 1;
}

int allowed_delete(struct ui *ui, const char *type_key, const char *region, char *why, size_t size)
{
    const struct cz_type *t = cz_schema_type(type_key);
    why[0] = 0;
    if (!t) {
        snprintf(why, size, "%s", cz_strerror(CZ_ETYPE, ui->lang));
        return CZ_ETYPE;
    }
    /* Keys, certificates and revocations are the trust chain: kept for good. */
    if (t->trust || !strcmp(t->key, "key")) {
        snprintf(why, size, T(ui, "%s records are the chain of trust: they are never deleted.",
                              "%s属于信任链，永远不能删除。"), T(ui, t->en, t->zh));
        return CZ_EPERM;
    }
    int rc = cz_station_may_write(ui->st, type_key, region);
    if (rc == CZ_EPERM && (global_type(t) || !strcmp(t->key, "poverty_line")))
        snprintf(why, size, T(ui, "Only the city office may delete %s records; nothing was changed.",
                              "只有市办可以删除%s；没有做任何改动。"), T(ui, t->en, t->zh));
    else if (rc == CZ_EPERM)
        snprintf(why, size, T(ui, "Record in %s: outside your jurisdiction; nothing was changed.",
                              "该记录属于%s，不在您的辖区内；没有做任何改动。"), region && region[0] ? region : "-");
    else if (rc)
        snprintf(why, size, "%s; %s", cz_strerror(rc, ui->lang), T(ui, "nothing was changed.", "没有做任何改动。"));
    return rc;
}
