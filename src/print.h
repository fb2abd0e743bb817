/* print.h — paper from signed records: a household's card for its wall
 * (明白卡), the public notice of the exits awaiting their notice step (公示)
 * and the office's report as tables with bars, each an A4 PDF laid out
 * with pango on cairo in one embedded CJK font (src/CLI.md, "Printing").
 *
 * The font is WenQuanYi Zen Hei (Debian fonts-wqy-zenhei) and nothing
 * else: pango's fallback to other fonts is switched off, and every
 * character laid out is first checked against the font's own coverage, so
 * a character the font lacks fails the document by name (CZ_ENOGLYPH)
 * instead of printing as an empty box on a notice posted in a village.
 *
 * Each function opens its own read view of st (overview.h), renders the
 * whole document in memory and only then writes it as o->path atomically
 * (fsutil.h, mode 0600: the card holds personal data): on any failure no
 * file is written or changed, and the store is only ever read.  A
 * screen can call these as the command line does. */
#ifndef CZ_PRINT_H
#define CZ_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "station.h"
#include "status.h"

/* The family name fontconfig must resolve, and the package holding it. */
#define CZ_PRINT_FONT "WenQuanYi Zen Hei"
#define CZ_PRINT_FONT_PACKAGE "fonts-wqy-zenhei"

/* What a print call is told and what it tells back. */
struct cz_print_out {
    const char *path;           /* the PDF to write (its folder must exist) */
    enum cz_lang lang;          /* the document's language */
    size_t pages;               /* out: pages written */
    size_t items;               /* out: cards, notice rows or report tables */
    /* out, on CZ_ENOGLYPH: the character the font lacks and the text it
     * stands in (record text, filtered for printing on a terminal) */
    uint32_t codepoint;
    char context[160];
};

/* One card a household, each on a new page (a long one runs on, with its
 * footer on every page).  households: n entity ids.  CZ_ENOHOUSEHOLD when one
 * is not a live record (o->context: its id), CZ_ENOTHOUSEHOLD when one is not a
 * household, CZ_EINVAL when n is 0; CZ_ENOGLYPH, CZ_ENOFONT, CZ_EPDF, or
 * the write's statuses (fsutil.h). */
int cz_print_card(cz_station *st, const uint8_t (*households)[CZ_ENTITY_BYTES], size_t n,
                  struct cz_print_out *o);
/* Every live household of a village (12 digits), by household number.
 * CZ_EPLACECODE, CZ_ENOPLACE (region.h) for a code no place has,
 * CZ_ENOVILLAGEHH when the village has no household here (o->context: the
 * code). */
int cz_print_card_village(cz_station *st, const char *village, struct cz_print_out *o);

/* The public notice of the exit assessments whose next step is the notice
 * (the county has decided, the notice not yet signed, none rejected), in
 * a village (12 digits) or a township (9 digits: its list, by village),
 * of assessment year `year` (0: any).  CZ_ENONOTICE when there is none. */
int cz_print_notice(cz_station *st, const char *region, uint32_t year, struct cz_print_out *o);

/* The report's figures (report.h) for region ("" or NULL: all) as tables
 * with bars.  The region is checked as `report --region` checks it. */
int cz_print_report(cz_station *st, const char *region, struct cz_print_out *o);

/* A failed call's rc, with what o says of it, as one sentence in lang:
 * the file, or the record or place it concerns, then the cause (a
 * read-only folder said as such; a missing glyph with the character and
 * the text it is in). */
void cz_print_message(int rc, const struct cz_print_out *o, enum cz_lang lang, char *buf, size_t size);

/* The file name a document is written to when the person names none:
 * DOC.pdf, or DOC-WHAT.pdf with what it is about (a household number, a
 * place code) made safe for a file name.  Returns the length written, or
 * a length >= size when it did not fit (as snprintf). */
int cz_print_file_name(const char *doc, const char *what, char *buf, size_t size);

#endif
