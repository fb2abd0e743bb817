/* reports_csv.h — the Reports screen's "to stick": the report for region
 * ("" all) as the same bytes as `cunzhan report --format csv --region
 * REGION`, written atomically to STICK/cunzhan/reports/ on the USB stick
 * found as the Sync screen finds one (stickfind.h; several: the person
 * picks), or to DIR/reports on this PC when none is mounted.  Asks first,
 * saying what is written and where; says the full path after, or the
 * cause and the place of a failure (stick full, write-protected), with no
 * file left half-written. */
#ifndef CZ_REPORTS_CSV_H
#define CZ_REPORTS_CSV_H

#include "ui.h"

void reports_csv_to_stick(struct ui *ui, const char *region);

#endif
