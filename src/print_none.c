/* print_none.c — print.h in a build without printing (PRINT=0, the
 * Makefile): no pango or cairo is linked, and every document says so. */
#include "print.h"

int cz_print_card(cz_station *st, const uint8_t (*households)[CZ_ENTITY_BYTES], size_t n, struct cz_print_out *o)
{
    return CZ_ENOPRINT;
}

int cz_print_card_village(cz_station *st, const char *village, struct cz_print_out *o) { return CZ_ENOPRINT; }

int cz_print_notice(cz_station *st, const char *region, uint32_t year, struct cz_print_out *o) { return CZ_ENOPRINT; }

int cz_print_report(cz_station *st, const char *region, struct cz_print_out *o) { return CZ_ENOPRINT; }
