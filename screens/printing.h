/* printing.h — "Print" on the screens (print.h): the PDF goes to a folder
 * on this PC, the station's own `print` folder, and the person is told
 * where.  With a USB stick plugged in (stickfind.h) the person picks this
 * PC (first, the default) or the stick (STICK/cunzhan/print); a card or a
 * notice names people and a PDF is not encrypted, so writing one to a
 * stick asks first, and a "no" writes nothing. */
#ifndef CZ_SCREENS_PRINTING_H
#define CZ_SCREENS_PRINTING_H

#include <stddef.h>
#include "print.h"
#include "ui.h"

/* The path for document `doc` ("card", "notice", "report") of `what` (a
 * household number, a region code), in <station>/print or on the stick
 * picked, its folder made if missing; CZ_OK, else a status said to the
 * person already, or -1 when the person cancelled (also said). */
int printing_path(struct ui *ui, const char *doc, const char *what, char *path, size_t size);

/* Says how a print call went: where the file is and how many pages, or
 * what failed (cz_print_message; a full or read-only stick as a stick's). */
void printing_said(struct ui *ui, int rc, const struct cz_print_out *o);

#endif
