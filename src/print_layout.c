/* print_layout.c — the page engine of print_int.h: pango lays each piece
 * of text out in the one printing font, cairo draws it onto A4 pages of a
 * PDF kept in memory until the whole document has been made. */
#include "print_int.h"
#include "codec.h"
#include "fsutil.h"
#include "grow.h"
#include "parse.h"
#include "text.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 in PostScript points (210 x 297 mm); pdfinfo shows 595.276 x 841.89. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 48.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define FOOT_H 42.0
#define BOTTOM (PAGE_H - MARGIN - FOOT_H)
#define PAD 3.0
#define LABEL_W 118.0

enum { SIZE_BODY = 110, SIZE_CELL = 100, SIZE_SMALL = 85, SIZE_HEAD = 140, SIZE_TITLE = 200 };   /* tenths of a point */

struct cz_pdf {
    struct cz_print_out *o;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontDescription *desc;
    PangoFont *font;          /* the font as loaded: its coverage is checked */
    PangoAttrList *attrs;     /* no fallback to another font */
    PangoContext *ctx;        /* at 72 dpi: a point of text is a point of the page */
    uint8_t *buf;             /* the PDF as cairo writes it */
    size_t len, cap;
    int rc;
    double y;
    int used;                 /* something is on the current page */
    size_t pages;
    char *footer;
    struct cz_pdf_col cols[CZ_PDF_COLS];
    size_t ncols;
};

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int length)
{
    struct cz_pdf *p = closure;
    if (cz_grow(&p->buf, &p->cap, p->len + length, 1)) return CAIRO_STATUS_NO_MEMORY;
    memcpy(p->buf + p->len, data, length);
    p->len += length;
    return CAIRO_STATUS_SUCCESS;
}

void cz_pdf_fail(struct cz_pdf *p, int rc)
{
    if (!p->rc) p->rc = rc;
}

int cz_pdf_status(const struct cz_pdf *p) { return p->rc; }

const char *cz_pdf_tr(const struct cz_pdf *p, const char *en, const char *zh) { return T(p->o, en, zh); }

void cz_pdf_date(uint32_t yyyymmdd, char *buf, size_t size)
{
    if (yyyymmdd) cz_format_date(yyyymmdd, buf, size);
    else if (size) buf[0] = 0;
}

/* fontconfig answers every request with some font: the one it found must
 * be the printing font itself, or the coverage check would check another. */
static int load_font(struct cz_pdf *p)
{
    PangoFontMap *map = pango_cairo_font_map_get_default();
    PangoContext *ctx = pango_font_map_create_context(map);
    int rc = CZ_ENOFONT;
    p->desc = pango_font_description_new();
    pango_font_description_set_family(p->desc, CZ_PRINT_FONT);
    pango_font_description_set_size(p->desc, SIZE_BODY * PANGO_SCALE / 10);
    p->font = ctx ? pango_font_map_load_font(map, ctx, p->desc) : NULL;
    if (p->font) {
        PangoFontDescription *got = pango_font_describe(p->font);
        const char *family = got ? pango_font_description_get_family(got) : NULL;
        if (family && !g_ascii_strcasecmp(family, CZ_PRINT_FONT)) rc = CZ_OK;
        if (got) pango_font_description_free(got);
    }
    if (ctx) g_object_unref(ctx);
    return rc;
}

int cz_pdf_new(struct cz_print_out *o, struct cz_pdf **out)
{
    struct cz_pdf *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) return CZ_ENOMEM;
    p->o = o;
    o->pages = 0;
    o->codepoint = 0;
    o->context[0] = 0;
    int rc = load_font(p);
    if (rc) goto fail;
    p->surface = cairo_pdf_surface_create_for_stream(sink, p, PAGE_W, PAGE_H);
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) { rc = CZ_EPDF; goto fail; }
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "cunzhan");
    p->ctx = pango_cairo_create_context(p->cr);
    if (!p->ctx) { rc = CZ_ENOMEM; goto fail; }
    pango_cairo_context_set_resolution(p->ctx, 72);
    p->attrs = pango_attr_list_new();
    pango_attr_list_insert(p->attrs, pango_attr_fallback_new(FALSE));
    p->y = MARGIN;
    *out = p;
    return CZ_OK;
fail:
    cz_pdf_free(p);
    return rc;
}

void cz_pdf_free(struct cz_pdf *p)
{
    if (!p) return;
    if (p->cr) cairo_destroy(p->cr);
    if (p->surface) cairo_surface_destroy(p->surface);
    if (p->attrs) pango_attr_list_unref(p->attrs);
    if (p->ctx) g_object_unref(p->ctx);
    if (p->font) g_object_unref(p->font);
    if (p->desc) pango_font_description_free(p->desc);
    free(p->footer);
    free(p->buf);
    free(p);
}

/* Every character laid out must be the font's own: a character it lacks
 * fails the document, naming the character and the text it was in. */
static int covered(struct cz_pdf *p, const char *text)
{
    for (const char *s = text; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        if (c < 0x20) continue;   /* line breaks and tabs are layout, not glyphs */
        if (!pango_font_has_char(p->font, c)) {
            p->o->codepoint = (uint32_t)c;
            cz_text_safe(text, p->o->context, sizeof p->o->context);
            cz_pdf_fail(p, CZ_ENOGLYPH);
            return 0;
        }
    }
    return 1;
}

/* A layout of text in the printing font at size (tenths of a point),
 * wrapped at width points; NULL after a failure. */
static PangoLayout *lay(struct cz_pdf *p, const char *text, int size, double width, int right)
{
    if (p->rc || !covered(p, text ? text : "")) return NULL;
    PangoLayout *l = pango_layout_new(p->ctx);
    if (!l) { cz_pdf_fail(p, CZ_ENOMEM); return NULL; }
    PangoFontDescription *d = pango_font_description_copy(p->desc);
    pango_font_description_set_size(d, size * PANGO_SCALE / 10);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    pango_layout_set_attributes(l, p->attrs);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);   /* a long number wraps too */
    if (right) pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static double height_of(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void draw(struct cz_pdf *p, PangoLayout *l, double x, double y)
{
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
    p->used = 1;
}

static void draw_footer(struct cz_pdf *p)
{
    char num[64];
    double y = BOTTOM + 10;
    snprintf(num, sizeof num, cz_pdf_tr(p, "page %zu", "第 %zu 页"), p->pages + 1);
    PangoLayout *f = lay(p, p->footer ? p->footer : "", SIZE_SMALL, TEXT_W - 60, 0);
    PangoLayout *n = lay(p, num, SIZE_SMALL, 60, 1);
    if (f && n) {
        cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
        cairo_set_line_width(p->cr, 0.5);
        cairo_move_to(p->cr, MARGIN, y - 4);
        cairo_line_to(p->cr, PAGE_W - MARGIN, y - 4);
        cairo_stroke(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        draw(p, f, MARGIN, y);
        draw(p, n, PAGE_W - MARGIN - 60, y);
    }
    if (f) g_object_unref(f);
    if (n) g_object_unref(n);
}

static void end_page(struct cz_pdf *p)
{
    draw_footer(p);
    cairo_show_page(p->cr);
    p->pages++;
    p->used = 0;
    p->y = MARGIN;
}

void cz_pdf_page(struct cz_pdf *p)
{
    if (!p->rc && p->used) end_page(p);
}

void cz_pdf_footer(struct cz_pdf *p, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy) { cz_pdf_fail(p, CZ_ENOMEM); return; }
    free(p->footer);
    p->footer = copy;
}

/* Room for h points, or a new page (a table's header follows it there). */
static int room(struct cz_pdf *p, double h)
{
    if (p->y + h <= BOTTOM || !p->used) return 0;
    end_page(p);
    return 1;
}

void cz_pdf_space(struct cz_pdf *p, double pt)
{
    if (p->used) p->y += pt;
}

static void block(struct cz_pdf *p, const char *text, int size, double before, double after)
{
    PangoLayout *l = lay(p, text, size, TEXT_W, 0);
    if (!l) return;
    double h = height_of(l);
    room(p, before + h + after + 20);   /* a heading stays with what follows it */
    cz_pdf_space(p, before);
    draw(p, l, MARGIN, p->y);
    p->y += h + after;
    g_object_unref(l);
}

void cz_pdf_title(struct cz_pdf *p, const char *text) { block(p, text, SIZE_TITLE, 0, 8); }
void cz_pdf_heading(struct cz_pdf *p, const char *text) { block(p, text, SIZE_HEAD, 8, 4); }

/* Line by line, so a paragraph longer than a page breaks between lines. */
static void lines_at(struct cz_pdf *p, PangoLayout *l, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        PangoRectangle logical;
        pango_layout_line_get_extents(line, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE, base = (double)-logical.y / PANGO_SCALE;
        room(p, h);
        cairo_move_to(p->cr, x + (double)logical.x / PANGO_SCALE, p->y + base);
        pango_cairo_show_layout_line(p->cr, line);
        p->used = 1;
        p->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

void cz_pdf_text(struct cz_pdf *p, const char *text)
{
    PangoLayout *l = lay(p, text, SIZE_BODY, TEXT_W, 0);
    if (!l) return;
    lines_at(p, l, MARGIN);
    p->y += 3;
    g_object_unref(l);
}

void cz_pdf_field(struct cz_pdf *p, const char *label, const char *value)
{
    PangoLayout *k = lay(p, label, SIZE_BODY, LABEL_W - 6, 0);
    PangoLayout *v = lay(p, value, SIZE_BODY, TEXT_W - LABEL_W, 0);
    if (k && v) {
        double hk = height_of(k), hv = height_of(v);
        if (hv > BOTTOM - MARGIN) {   /* longer than a page: it runs on */
            room(p, hk);
            cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
            draw(p, k, MARGIN, p->y);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
            lines_at(p, v, MARGIN + LABEL_W);
        } else {
            room(p, hk > hv ? hk : hv);
            cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
            draw(p, k, MARGIN, p->y);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
            draw(p, v, MARGIN + LABEL_W, p->y);
            p->y += hk > hv ? hk : hv;
        }
        p->y += 3;
    }
    if (k) g_object_unref(k);
    if (v) g_object_unref(v);
}

/* ---- tables ---- */

static double col_x(const struct cz_pdf *p, size_t i)
{
    double x = MARGIN;
    for (size_t k = 0; k < i; k++) x += p->cols[k].share * TEXT_W;
    return x;
}

/* One row of cells (NULL bar: text only); its height, 0 after a failure.
 * Drawn only when `go`. */
static double row_at(struct cz_pdf *p, const char *const *cells, double bar, int shade, int go)
{
    PangoLayout *l[CZ_PDF_COLS] = { 0 };
    double h = 0;
    for (size_t i = 0; i < p->ncols; i++) {
        if (p->cols[i].bar && !shade) continue;
        l[i] = lay(p, cells[i], SIZE_CELL, p->cols[i].share * TEXT_W - 2 * PAD, p->cols[i].right);
        if (!l[i]) goto out;
        if (height_of(l[i]) > h) h = height_of(l[i]);
    }
    h += 2 * PAD;
    if (go) {
        if (shade) {
            cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
            cairo_rectangle(p->cr, MARGIN, p->y, TEXT_W, h);
            cairo_fill(p->cr);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
        }
        for (size_t i = 0; i < p->ncols; i++) {
            double x = col_x(p, i), w = p->cols[i].share * TEXT_W - 2 * PAD;
            if (l[i]) draw(p, l[i], x + PAD, p->y + PAD);
            else if (bar > 0) {
                cairo_set_source_rgb(p->cr, 0.25, 0.42, 0.65);
                cairo_rectangle(p->cr, x + PAD, p->y + PAD + 2, w * (bar > 1 ? 1 : bar), h - 2 * PAD - 4);
                cairo_fill(p->cr);
                cairo_set_source_rgb(p->cr, 0, 0, 0);
            }
        }
        cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(p->cr, 0.4);
        cairo_move_to(p->cr, MARGIN, p->y + h);
        cairo_line_to(p->cr, PAGE_W - MARGIN, p->y + h);
        cairo_stroke(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        p->used = 1;
        p->y += h;
    }
out:
    for (size_t i = 0; i < p->ncols; i++)
        if (l[i]) g_object_unref(l[i]);
    return p->rc ? 0 : h;
}

static void header(struct cz_pdf *p)
{
    const char *heads[CZ_PDF_COLS];
    for (size_t i = 0; i < p->ncols; i++) heads[i] = p->cols[i].head;
    double h = row_at(p, heads, 0, 1, 0);
    room(p, 2 * h);
    row_at(p, heads, 0, 1, 1);
}

void cz_pdf_table(struct cz_pdf *p, const struct cz_pdf_col *cols, size_t n)
{
    p->ncols = n > CZ_PDF_COLS ? CZ_PDF_COLS : n;
    memcpy(p->cols, cols, p->ncols * sizeof *cols);
    if (!p->rc) header(p);
}

void cz_pdf_row(struct cz_pdf *p, const char *const *cells, double bar)
{
    if (p->rc) return;
    double h = row_at(p, cells, bar, 0, 0);
    if (p->rc) return;
    if (h > BOTTOM - MARGIN - 40) {
        /* Taller than a page: each cell as a paragraph, so none is cut. */
        char buf[CZ_VALUE_MAX + 256];
        for (size_t i = 0; i < p->ncols; i++) {
            if (p->cols[i].bar || !cells[i] || !cells[i][0]) continue;
            snprintf(buf, sizeof buf, "%s: %s", p->cols[i].head, cells[i]);
            cz_pdf_text(p, buf);
        }
        return;
    }
    if (room(p, h)) header(p);
    row_at(p, cells, bar, 0, 1);
}

void cz_pdf_table_end(struct cz_pdf *p)
{
    p->ncols = 0;
    cz_pdf_space(p, 8);
}

int cz_pdf_save(struct cz_pdf *p)
{
    if (!p->rc && (p->used || p->pages == 0)) end_page(p);
    cairo_surface_finish(p->surface);
    if (!p->rc && cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS)
        cz_pdf_fail(p, cairo_surface_status(p->surface) == CAIRO_STATUS_NO_MEMORY ? CZ_ENOMEM : CZ_EPDF);
    p->o->pages = p->pages;
    if (p->rc) return p->rc;
    return cz_fs_write_atomic(p->o->path, p->buf, p->len);
}
