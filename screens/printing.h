/* printing.h — "Print" on the screens (print.h): the PDF goes to a folder
 * on this PC, the station's own `print` folder, never to a stick (a card
 * holds personal data, unencrypted), and the person is told where. */
#ifndef CZ_SCREENS_PRINTING_H
#define CZ_SCREENS_PRINTING_H

#include <stddef.h>
#include "print.h"
#include "ui.h"

/* The path for document `doc` ("card", "notice", "report") of `what` (a
 * household number, a region code), in <station>/print, which is made if
 * missing; CZ_OK, else a status said to the person already. */
int printing_path(struct ui *ui, const char *doc, const char *what, char *path, size_t size);

/* Says how a print call went: where the file is and how many pages, or
 * what failed (cz_print_message). */
void printing_said(struct ui *ui, int rc, const struct cz_print_out *o);

#endif
