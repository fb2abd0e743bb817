/* grow.c — checked array growth (grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "status.h"

int cz_grow(void *array, size_t *cap, size_t need, size_t elem)
{
    void *old, *grown;
    size_t room;

    if (need <= *cap) return CZ_OK;
    if (elem == 0) return CZ_EINVAL;
    room = *cap ? *cap : 16;
    while (room < need) room = room <= SIZE_MAX / 2 ? room * 2 : need;
    if (room > SIZE_MAX / elem) {
        if (need > SIZE_MAX / elem) return CZ_ENOMEM;
        room = need;
    }
    memcpy(&old, array, sizeof old);
    if (!(grown = realloc(old, room * elem))) return CZ_ENOMEM;
    memcpy(array, &grown, sizeof grown);
    *cap = room;
    return CZ_OK;
}
