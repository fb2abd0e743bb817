#include "pickers.h"
#include "data.h"
#include "edit.h"
#include "grow.h"
#include "keys.h"
#include "overview.h"
#include "pinyin.h"
#include "region.h"
#include "hex.h"
#include "text.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checklist ---- */

struct check_rows { const char *const *items; const int *checked; };

static void checklist_row(struct ui *ui, const struct ui_box *b, int y, size_t i, int attr, void *ctx)
{
    const struct check_rows *c = ctx;
    ui_text(ui, y, b->x + 2, c->checked[i] ? "[x]" : "[ ]", 3, attr);
    ui_text(ui, y, b->x + 6, c->items[i], b->w - 8, attr);
}

static void checklist_draw(struct ui *ui, const char *title, const char *const *items, size_t n,
                           const int *checked, size_t sel)
{
    struct check_rows c = { .items = items, .checked = checked };
    ui_box_rows(ui, title, T(ui, "Space: tick  Enter: done  Esc: cancel", "空格：勾选  回车：完成  Esc：取消"), items, n,
                sel, 10, 0, checklist_row, &c);
}

int ui_checklist(struct ui *ui, const char *title, const char *const *items, size_t n, int *checked)
{
    struct ui_key k;
    size_t sel = 0;
    int *work = calloc(n ? n : 1, sizeof *work);
    if (!work) return 0;
    memcpy(work, checked, n * sizeof *work);
    for (;;) {
        ui_draw_all(ui);
        checklist_draw(ui, title, items, n, work, sel);
        curs_set(0);
        refresh();
        ui_read_key(ui, &k);
        if (ui_move_sel(&k, &sel, n, ui_body_rows(ui) - 2)) continue;
        if (k.ch == ' ' && n) work[sel] = !work[sel];
        if (k.action == ACT_OPEN) { memcpy(checked, work, n * sizeof *work); free(work); return 1; }
        if (k.action == ACT_BACK) { free(work); return 0; }
    }
}

/* ---- records ---- */

struct prow {
    char hex[2 * CZ_ENTITY_BYTES + 1];
    char *text, *fold;
    char *key;                   /* `zh` sort key of text: names in pinyin order */
    int ticked;
};

struct plist {
    struct ui *ui;
    cz_txn *t;
    const char *within;     /* places only: the jurisdiction they lie in; NULL: records */
    struct prow *rows;
    size_t n, cap;
    int rc;
};

/* How a record is named in pickers and forms: a household by number and
 * head, anything else by its title. */
static void record_name(struct ui *ui, const struct cz_record *r, char *buf, size_t size)
{
    buf[0] = 0;
    if (!r->body || !r->type) return;
    if (!strcmp(r->type_key, "household")) {
        char number[64], head[128];
        data_field(r, "number", ui->lang, number, sizeof number);
        data_field(r, "head", ui->lang, head, sizeof head);
        snprintf(buf, size, "%s %s", number, head);
    } else {
        /* The title, and the first choice field to tell like titles apart
         * (a helper's kind). */
        char more[128] = "";
        cz_schema_title(r->type, r->body, buf, size);
        for (size_t i = 0; i < r->type->nfields && !more[0]; i++)
            if (r->type->fields[i].type == CZ_F_ENUM)
                cz_schema_format(&r->type->fields[i], r->body, ui->lang, 1, more, sizeof more);
        if (more[0]) {
            size_t used = strlen(buf);
            snprintf(buf + used, size - used, " (%s)", more);
        }
    }
}

/* A place as a row: its code in hex[] (where the record's id would be),
 * and "name  code  level" as its text, so typing a name or a code finds
 * it.  0 when it lies outside the jurisdiction. */
static int place_row(const struct plist *p, const struct cz_record *r, struct prow *row, char *name, size_t size)
{
    char code[64], title[160], level[64];
    data_field(r, "code", p->ui->lang, code, sizeof code);
    if (!code[0] || strlen(code) > CZ_REGION_MAX || !cz_region_under(code, p->within)) return 0;
    data_field(r, "name", p->ui->lang, title, sizeof title);
    data_field(r, "level", p->ui->lang, level, sizeof level);
    memcpy(row->hex, code, strlen(code) + 1);   /* at most CZ_REGION_MAX, checked above */
    snprintf(name, size, "%-12s  %s  (%s)", code, title, level);
    return 1;
}

static int row_cb(void *ctx, const uint8_t *entity)
{
    struct plist *p = ctx;
    struct cz_record r;
    char name[300];
    if (cz_record_load(p->t, entity, &r)) return 0;
    if (!r.deleted && r.body) {
        if (cz_grow(&p->rows, &p->cap, p->n + 1, sizeof *p->rows)) {
            p->rc = CZ_ENOMEM;
            cz_record_clear(&r);
            return p->rc;
        }
        struct prow *row = &p->rows[p->n];
        memset(row, 0, sizeof *row);
        cz_hex(entity, CZ_ENTITY_BYTES, row->hex);
        record_name(p->ui, &r, name, sizeof name);
        if (p->within && !place_row(p, &r, row, name, sizeof name)) {
            cz_record_clear(&r);
            return 0;
        }
        row->text = strdup(name);
        if (!row->text || cz_text_fold(name, strlen(name), &row->fold) ||
            cz_collate_key(name, strlen(name), &row->key)) {
            free(row->text);
            free(row->fold);
            p->rc = CZ_ENOMEM;
        } else {
            p->n++;
        }
    }
    cz_record_clear(&r);
    return p->rc;
}

static int prow_cmp(const void *a, const void *b)
{
    const struct prow *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : strcmp(x->text, y->text);
}

static void plist_free(struct plist *p)
{
    for (size_t i = 0; i < p->n; i++) { free(p->rows[i].text); free(p->rows[i].fold); free(p->rows[i].key); }
    free(p->rows);
    p->rows = NULL;
    p->n = p->cap = 0;
}

static int plist_load(struct ui *ui, struct plist *p, const char *type, const char *within)
{
    const struct cz_type *ty = cz_schema_type(type);
    int rc;
    memset(p, 0, sizeof *p);
    p->ui = ui;
    p->within = within;
    if (!ty) return CZ_ETYPE;
    cz_view *v = NULL;
    if ((rc = cz_view_begin(ui->st, &v))) return rc;
    p->t = cz_view_txn(v);
    rc = cz_query_list(p->t, ty, NULL, 0, row_cb, p, NULL);
    cz_view_end(v);
    p->t = NULL;
    if (!rc) rc = p->rc;
    if (rc) { plist_free(p); return rc; }
    if (p->n) qsort(p->rows, p->n, sizeof *p->rows, prow_cmp);
    return CZ_OK;
}

/* Does the comma-separated list hold this id (hex, any case)? */
static int list_has(const char *list, const char *hex)
{
    size_t hl = strlen(hex);
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        while (len && *p == ' ') { p++; len--; }
        if (len == hl && !strncasecmp(p, hex, hl)) return 1;
        p = c ? c + 1 : NULL;
    }
    return 0;
}

/* Indexes of rows matching the search, into shown[]; returns the count. */
static size_t plist_filter(const struct plist *p, const char *search, size_t *shown)
{
    char *fold = NULL;
    size_t n = 0;
    if (search[0] && cz_text_fold(search, strlen(search), &fold)) return 0;
    for (size_t i = 0; i < p->n; i++)
        if (!fold || strstr(p->rows[i].fold, fold)) shown[n++] = i;
    free(fold);
    return n;
}

struct pick_view {
    const char *title;
    int multi;
    struct line_edit search;
    size_t *shown, nshown, sel, ticked;
};

static void picker_draw(struct ui *ui, const struct plist *p, struct pick_view *v)
{
    struct ui_box b = ui_box_place(ui, ui->rows - 2, 72);
    int rows = b.h - 4;
    char line[128];
    ui_box_draw(ui, &b, v->title);
    int lw = ui_text(ui, b.y + 1, b.x + 2, T(ui, "Find:", "查找："), 12, A_BOLD);
    edit_draw(ui, &v->search, b.y + 1, b.x + 3 + lw, b.w - lw - 22, 1, A_UNDERLINE);
    int cy = ui->cursor_y, cx = ui->cursor_x;
    if (v->multi) snprintf(line, sizeof line, T(ui, "%zu ticked", "已选 %zu"), v->ticked);
    else snprintf(line, sizeof line, T(ui, "%zu found", "找到 %zu"), v->nshown);
    ui_text(ui, b.y + 1, b.x + b.w - 16, line, 14, A_NORMAL);
    if (!v->nshown) ui_text(ui, b.y + 3, b.x + 2, T(ui, "Nothing found", "没有找到"), b.w - 4, A_NORMAL);
    size_t top = rows > 0 && v->sel >= (size_t)rows ? v->sel - (size_t)rows + 1 : 0;
    for (int r = 0; r < rows && top + (size_t)r < v->nshown; r++) {
        size_t i = top + (size_t)r;
        const struct prow *row = &p->rows[v->shown[i]];
        int attr = i == v->sel ? A_REVERSE : A_NORMAL, x = b.x + 2;
        ui_text_pad(ui, b.y + 3 + r, b.x + 1, "", b.w - 2, attr);
        if (v->multi) { ui_text(ui, b.y + 3 + r, x, row->ticked ? "[x]" : "[ ]", 3, attr); x += 4; }
        ui_text(ui, b.y + 3 + r, x, row->text, b.x + b.w - 2 - x, attr);
    }
    ui_box_hint(ui, &b, v->multi ? T(ui, "Type: find  Space: tick  Enter: done  Esc: cancel",
                                     "输入：查找  空格：勾选  回车：完成  Esc：取消")
                                 : T(ui, "Type: find  Enter: choose  Esc: cancel", "输入：查找  回车：选定  Esc：取消"));
    ui_cursor(ui, cy, cx);
}

/* The multi choice: ticked rows in list order, then ids kept from before. */
static char *joined(const struct plist *p, const char *before)
{
    size_t cap = (p->n + 1) * (2 * CZ_ENTITY_BYTES + 2) + (before ? strlen(before) : 0) + 1;
    char *out = malloc(cap);
    size_t used = 0;
    if (!out) return NULL;
    out[0] = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->rows[i].ticked) used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", p->rows[i].hex);
    for (const char *s = before; s && *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        int listed = 0;
        for (size_t i = 0; i < p->n && !listed; i++)
            listed = len == strlen(p->rows[i].hex) && !strncasecmp(s, p->rows[i].hex, len);
        if (!listed && len) used += (size_t)snprintf(out + used, cap - used, "%s%.*s", used ? "," : "", (int)len, s);
        s = c ? c + 1 : NULL;
    }
    return out;
}

static void refilter(const struct plist *p, struct pick_view *v)
{
    v->nshown = plist_filter(p, v->search.s, v->shown);
    if (v->sel >= v->nshown) v->sel = v->nshown ? v->nshown - 1 : 0;
}

/* The picker's keys until a choice (1, *out set), Esc (0) or a failure
 * (negative).  Single: the highlighted row's hex; none shown: the search
 * as typed when typed_ok (a code no place record names yet). */
static int pick_run(struct ui *ui, struct plist *p, struct pick_view *v, const char *value, int typed_ok, char **out)
{
    struct ui_key k;
    for (;;) {
        ui_draw_all(ui);
        picker_draw(ui, p, v);
        curs_set(1);
        if (ui->cursor_y >= 0) move(ui->cursor_y, ui->cursor_x);
        refresh();
        ui_read_key(ui, &k);
        if (k.code == KEY_RESIZE) continue;
        if (ui_move_sel(&k, &v->sel, v->nshown, ui->rows > 8 ? ui->rows - 7 : 1)) continue;
        if (k.action == ACT_BACK) return 0;
        if (v->multi && k.ch == ' ') {
            if (v->nshown) {
                struct prow *row = &p->rows[v->shown[v->sel]];
                row->ticked = !row->ticked;
                v->ticked = row->ticked ? v->ticked + 1 : v->ticked - 1;
            }
            continue;
        }
        if (k.action == ACT_OPEN) {
            if (v->multi) *out = joined(p, value);
            else if (v->nshown) *out = strdup(p->rows[v->shown[v->sel]].hex);
            else if (typed_ok && v->search.s[0]) *out = strdup(v->search.s);
            else continue;
            return *out ? 1 : -CZ_ENOMEM;
        }
        if (edit_key(&v->search, &k)) refilter(p, v);
    }
}

int pick_records(struct ui *ui, const char *title, const char *type, int multi, const char *value,
                 char **out)
{
    struct plist p;
    struct pick_view v;
    int rc = plist_load(ui, &p, type, NULL), result = 0;
    *out = NULL;
    if (rc) return rc < 0 ? rc : -rc;
    memset(&v, 0, sizeof v);
    v.title = title;
    v.multi = multi;
    if (!(v.shown = calloc(p.n + 1, sizeof *v.shown)) || edit_set(&v.search, "")) { result = -CZ_ENOMEM; goto cleanup; }
    for (size_t i = 0; i < p.n; i++) {
        p.rows[i].ticked = list_has(value, p.rows[i].hex);
        v.ticked += (size_t)p.rows[i].ticked;
    }
    refilter(&p, &v);
    for (size_t i = 0; !multi && i < v.nshown; i++) if (p.rows[v.shown[i]].ticked) v.sel = i;
    result = pick_run(ui, &p, &v, value, 0, out);
cleanup:
    edit_free(&v.search);
    free(v.shown);
    plist_free(&p);
    return result;
}

int pick_place(struct ui *ui, const char *title, const char *within, const char *current,
               char code[CZ_REGION_MAX + 1])
{
    struct plist p;
    struct pick_view v;
    char *got = NULL;
    int rc = plist_load(ui, &p, "place", within ? within : ""), result = 0;
    if (rc) return rc < 0 ? rc : -rc;
    /* First, the whole jurisdiction: its code, or "" for everywhere. */
    if (cz_grow(&p.rows, &p.cap, p.n + 1, sizeof *p.rows)) { plist_free(&p); return -CZ_ENOMEM; }
    memmove(p.rows + 1, p.rows, p.n * sizeof *p.rows);
    memset(p.rows, 0, sizeof *p.rows);
    p.n++;
    snprintf(p.rows[0].hex, sizeof p.rows[0].hex, "%s", within ? within : "");
    if (!(p.rows[0].text = strdup(T(ui, "All (the whole jurisdiction)", "全部（整个辖区）"))) ||
        cz_text_fold(p.rows[0].text, strlen(p.rows[0].text), &p.rows[0].fold)) {
        plist_free(&p);
        return -CZ_ENOMEM;
    }
    memset(&v, 0, sizeof v);
    v.title = title;
    if (!(v.shown = calloc(p.n + 1, sizeof *v.shown)) || edit_set(&v.search, "")) { result = -CZ_ENOMEM; goto cleanup; }
    refilter(&p, &v);
    for (size_t i = 0; current && current[0] && i < v.nshown; i++)
        if (!strcmp(p.rows[v.shown[i]].hex, current)) v.sel = i;
    result = pick_run(ui, &p, &v, NULL, 1, &got);
    if (result == 1) snprintf(code, CZ_REGION_MAX + 1, "%.*s", CZ_REGION_MAX, got);
cleanup:
    free(got);
    edit_free(&v.search);
    free(v.shown);
    plist_free(&p);
    return result;
}

int pick_describe(struct ui *ui, const char *value, char **out)
{
    size_t cap = strlen(value) * 4 + 64, used = 0;
    char *buf = malloc(cap);
    cz_view *v = NULL;
    *out = NULL;
    if (!buf) return CZ_ENOMEM;
    buf[0] = 0;
    int rc = cz_view_begin(ui->st, &v);
    if (rc) { free(buf); return rc; }
    cz_txn *t = cz_view_txn(v);
    for (const char *s = value; s && *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        char item[300] = "", hex[2 * CZ_ENTITY_BYTES + 1];
        uint8_t entity[CZ_ENTITY_BYTES];
        struct cz_record r;
        if (len == 2 * CZ_ENTITY_BYTES) {
            memcpy(hex, s, len);
            hex[len] = 0;
            if (!cz_unhex(hex, entity, sizeof entity) && cz_record_load(t, entity, &r) == CZ_OK) {
                record_name(ui, &r, item, sizeof item);
                cz_record_clear(&r);
            }
        }
        if (!item[0]) snprintf(item, sizeof item, "%.*s", (int)len, s);
        size_t il = strlen(item);
        if (used + il + 3 >= cap && cz_grow(&buf, &cap, used + il + 4, 1)) {
            free(buf);
            cz_view_end(v);
            return CZ_ENOMEM;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", item);
        s = c ? c + 1 : NULL;
    }
    cz_view_end(v);
    *out = buf;
    return CZ_OK;
}
