#include "status.h"

#include <string.h>

struct status_text { const char *name, *en, *zh; };

static const struct status_text status_table[] = {
#define CZ_STATUS(code, english, chinese) [code] = { .name = #code, .en = english, .zh = chinese },
#include "status.def"
#undef CZ_STATUS
};

static const struct status_text *lookup(int status)
{
    static const struct status_text unknown = { .name = "CZ_E?", .en = "unknown error", .zh = "未知错误" };
    if (status < 0 || status >= CZ_STATUS_COUNT)
        return &unknown;
    return &status_table[status];
}

const char *cz_strerror(int status, enum cz_lang lang)
{
    const struct status_text *t = lookup(status);
    return lang == CZ_LANG_ZH ? t->zh : t->en;
}

const char *cz_status_name(int status) { return lookup(status)->name; }

int cz_status_from_name(const char *name)
{
    for (int i = 0; i < CZ_STATUS_COUNT; i++)
        if (!strcmp(status_table[i].name, name)) return i;
    return -1;
}

int cz_status_is_store(int status)
{
    switch (status) {
    case CZ_EDB: case CZ_EDBFULL: case CZ_EDBMAX: case CZ_EDBTRUNC: case CZ_EDBMETA: case CZ_EDBDAMAGED:
    case CZ_EDBNOINFO: case CZ_EDISKFULL: case CZ_EREADONLY: case CZ_EACCESS:
        return 1;
    default:
        return 0;
    }
}

int cz_status_is_stick(int status)
{
    return status == CZ_ESTICKFULL || status == CZ_ESTICKRO || status == CZ_EACCESS || status == CZ_EIO;
}
