/* olderbuild.c — linked into the test binary only (Makefile, TEST_BIN):
 * CUNZHAN_TEST_OLDER_BUILD=TYPE plays a build that does not know record
 * type TYPE (schema.h, cz_schema_test_hide), so that a scenario can show
 * what a station on an older build does with a newer build's entries, and
 * what it says once "upgraded" (run without it).  The release binary never
 * has it. */
#include <stdlib.h>
#include "schema.h"

__attribute__((constructor)) static void older_build(void)
{
    const char *t = getenv("CUNZHAN_TEST_OLDER_BUILD");
    if (t && *t) cz_schema_test_hide(t);
}
