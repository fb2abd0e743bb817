/* households.c — the households list and find.  Typing searches as you
 * type: an empty search lists every household; otherwise cz_query_find
 * matches any part of a name, a household number or an ID number, and the
 * households and members found are listed (a member opens its household).
 *
 * The sort key (F7) cycles: household number, head's name (pinyin order,
 * ICU's `zh` collation through pinyin.h), village code, size (members,
 * largest first) and last change (newest first).  Each row keeps only its
 * sort keys, taken from the current head (never the history); sizes are
 * counted in one walk over the members, and only when sorting by size. */
#include "data.h"
#include "edit.h"
#include "grow.h"
#include "list.h"
#include "overview.h"
#include "pinyin.h"
#include "report.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_HOUSEHOLD = 1, ROW_MEMBER = 2 };

enum sort_key { SORT_NUMBER, SORT_HEAD, SORT_VILLAGE, SORT_SIZE, SORT_CHANGED, SORT_COUNT };

struct households {
    struct line_edit search;
    struct list l;
    int failed;
    enum sort_key sort;
    size_t total;                /* matches in all (l.n of them loaded) */
    int exact;                   /* total is exact, not an upper bound */
};

/* One row before sorting: its text and its keys. */
struct item {
    uint8_t entity[CZ_ENTITY_BYTES];
    int kind;
    char *text;
    char number[64], head[128], village[CZ_REGION_MAX + 1];
    char *head_key;              /* head's `zh` sort key, when sorting by it */
    size_t size;
    int64_t wall;
};

struct fill_ctx {
    struct ui *ui; cz_view *v; cz_txn *t;
    struct item *items; size_t n, cap;
    size_t calls;                /* records the query offered */
    char place_code[CZ_REGION_MAX + 1], place_name[128];
    int rc;
};

/* The village by name (its code when no place record names it); the last
 * one looked up is kept, since a village's households come together. */
static void village_of(struct fill_ctx *c, const struct cz_record *r, char *buf, size_t size)
{
    if (strcmp(c->place_code, r->region)) {
        snprintf(c->place_code, sizeof c->place_code, "%s", r->region);
        cz_report_place_name(c->t, r->region, c->place_name, sizeof c->place_name);
    }
    snprintf(buf, size, "%s", c->place_name[0] ? c->place_name : r->region);
}

/* r's status is the worked-out one (cz_view_household_reckon); a
 * household the report leaves out as pending says so at the end. */
static void household_row(struct fill_ctx *c, const struct cz_record *r, int pending, char *buf, size_t size)
{
    static const char *const fields[] = { "number", "head", "status", NULL, "phone" };
    static const int widths[] = { 14, 12, 12, 16, 0 };
    char cell[5][DATA_CELL];
    const char *cells[5];
    data_cells(r, c->ui->lang, fields, 5, cell, cells);
    village_of(c, r, cell[3], DATA_CELL);
    if (pending) {
        size_t len = strlen(cell[4]);
        snprintf(cell[4] + len, DATA_CELL - len, "%s%s", len ? "  " : "", T(c->ui, "[pending]", "[待确认]"));
    }
    data_columns(buf, size, cells, widths, 5);
}

static void member_row(struct fill_ctx *c, const struct cz_record *r, char *buf, size_t size)
{
    char name[128], idn[32], of[256] = "", head[128] = "", number[64] = "";
    uint8_t hh[CZ_ENTITY_BYTES];
    struct cz_record h;
    const char *cells[] = { "", name, idn, of };
    static const int widths[] = { 2, 14, 20, 0 };
    data_field(r, "name", c->ui->lang, name, sizeof name);
    data_field(r, "id_number", c->ui->lang, idn, sizeof idn);
    if (data_ref(r, "household", hh) == CZ_OK && cz_record_load(c->t, hh, &h) == CZ_OK) {
        data_field(&h, "head", c->ui->lang, head, sizeof head);
        data_field(&h, "number", c->ui->lang, number, sizeof number);
        cz_record_clear(&h);
    }
    snprintf(of, sizeof of, "%s %s %s", T(c->ui, "member of", "成员，户主"), head, number);
    data_columns(buf, size, cells, widths, 4);
}

static int add_cb(void *ctx, const uint8_t *entity)
{
    struct fill_ctx *c = ctx;
    struct cz_record r;
    char row[512];
    int kind = 0;
    c->calls++;
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body && !strcmp(r.type_key, "household")) kind = ROW_HOUSEHOLD;
    if (!r.deleted && r.body && !strcmp(r.type_key, "member")) kind = ROW_MEMBER;
    if (!kind) goto cleanup;
    if (cz_grow(&c->items, &c->cap, c->n + 1, sizeof *c->items)) { c->rc = CZ_ENOMEM; goto cleanup; }
    struct item *it = &c->items[c->n];
    memset(it, 0, sizeof *it);
    memcpy(it->entity, entity, CZ_ENTITY_BYTES);
    it->kind = kind;
    it->wall = r.wall;
    snprintf(it->village, sizeof it->village, "%s", r.region);
    if (kind == ROW_HOUSEHOLD) {
        struct cz_household_status hs;
        if ((c->rc = cz_view_household_reckon(c->v, &r, &hs))) goto cleanup;
        household_row(c, &r, hs.pending, row, sizeof row);
        data_field(&r, "number", CZ_LANG_EN, it->number, sizeof it->number);
        data_field(&r, "head", CZ_LANG_EN, it->head, sizeof it->head);
    } else {
        member_row(c, &r, row, sizeof row);
        data_field(&r, "name", CZ_LANG_EN, it->head, sizeof it->head);
    }
    if (!(it->text = strdup(row))) { c->rc = CZ_ENOMEM; goto cleanup; }
    c->n++;
cleanup:
    cz_record_clear(&r);
    return c->rc;
}

static int entity_cmp(const void *a, const void *b)
{
    const struct item *const *x = a, *const *y = b;
    return memcmp((*x)->entity, (*y)->entity, CZ_ENTITY_BYTES);
}

struct size_ctx { cz_txn *t; struct item **by_entity; size_t n; };

static int size_cb(void *ctx, const uint8_t *entity)
{
    struct size_ctx *sc = ctx;
    struct cz_record r;
    struct item key, *kp = &key, **found;
    if (cz_record_load(sc->t, entity, &r)) return 0;
    if (!r.deleted && r.body && data_ref(&r, "household", key.entity) == CZ_OK) {
        found = bsearch(&kp, sc->by_entity, sc->n, sizeof *sc->by_entity, entity_cmp);
        if (found) (*found)->size++;
    }
    cz_record_clear(&r);
    return 0;
}

/* Members per household: one walk over the live members. */
static int count_sizes(struct fill_ctx *c)
{
    struct size_ctx sc = { .t = c->t, .by_entity = calloc(c->n ? c->n : 1, sizeof(struct item *)), .n = c->n };
    int rc;
    if (!sc.by_entity) return CZ_ENOMEM;
    for (size_t i = 0; i < c->n; i++) sc.by_entity[i] = &c->items[i];
    qsort(sc.by_entity, sc.n, sizeof *sc.by_entity, entity_cmp);
    rc = cz_query_list(c->t, cz_schema_type("member"), NULL, 0, size_cb, &sc, NULL);
    free(sc.by_entity);
    return rc;
}

static int item_cmp(const void *a, const void *b, void *arg)
{
    const struct item *x = a, *y = b;
    int d = 0;
    if (x->kind != y->kind) return x->kind - y->kind;
    switch (*(const enum sort_key *)arg) {
    case SORT_HEAD: d = strcmp(x->head_key ? x->head_key : "", y->head_key ? y->head_key : ""); break;
    case SORT_VILLAGE: d = strcmp(x->village, y->village); break;
    case SORT_SIZE: d = x->size < y->size ? 1 : x->size > y->size ? -1 : 0; break;
    case SORT_CHANGED: d = x->wall < y->wall ? 1 : x->wall > y->wall ? -1 : 0; break;
    default: break;
    }
    if (!d) d = strcmp(x->number, y->number);
    if (!d) d = strcmp(x->text, y->text);
    return d;
}

static const char *sort_label(struct ui *ui, enum sort_key k)
{
    switch (k) {
    case SORT_HEAD: return T(ui, "head's name", "户主姓名");
    case SORT_VILLAGE: return T(ui, "village", "所在村");
    case SORT_SIZE: return T(ui, "size, largest first", "人口，多者在前");
    case SORT_CHANGED: return T(ui, "last change, newest first", "最近修改，新者在前");
    default: return T(ui, "household number", "户编号");
    }
}

static void fill(struct ui *ui, struct households *h)
{
    struct fill_ctx c = { .ui = ui, .rc = CZ_OK };
    cz_view *v = NULL;
    int rc;
    list_clear(&h->l);
    if ((rc = cz_view_begin(ui->st, &v))) goto cleanup;
    c.v = v;
    c.t = cz_view_txn(v);
    /* A search, or the list in number order, loads one page (CZ_QUERY_PAGE
     * rows) so the screen stays quick with 100,000 households; the count
     * says how many there are, and typing more narrows.  Another order of
     * the whole list has to read every household once. */
    h->exact = 1;
    if (h->search.s[0])
        rc = cz_query_find_page(c.t, h->search.s, CZ_QUERY_PAGE, add_cb, &c, &h->total, &h->exact);
    else if (h->sort == SORT_NUMBER)
        rc = cz_query_first(c.t, cz_schema_type("household"), "number", CZ_QUERY_PAGE, add_cb, &c, &h->total);
    else
        rc = cz_query_list(c.t, cz_schema_type("household"), NULL, 0, add_cb, &c, NULL);
    /* Under a page: everything was loaded, and the rows are all of it
     * (records of other types that share a name are not listed here). */
    if (c.calls < CZ_QUERY_PAGE || h->total < c.n) { h->total = c.n; h->exact = 1; }
    if (rc == CZ_OK && h->sort == SORT_SIZE) rc = count_sizes(&c);
    if (rc) goto cleanup;
    /* Names in pinyin order: a key per row, made once, not per comparison. */
    for (size_t i = 0; i < c.n && rc == CZ_OK && h->sort == SORT_HEAD; i++)
        rc = cz_collate_key(c.items[i].head, strlen(c.items[i].head), &c.items[i].head_key);
    if (rc) goto cleanup;
    if (c.n) qsort_r(c.items, c.n, sizeof *c.items, item_cmp, &h->sort);
    for (size_t i = 0; i < c.n && rc == CZ_OK; i++)
        rc = list_add(&h->l, c.items[i].text, c.items[i].entity, c.items[i].kind, 1);
cleanup:
    cz_view_end(v);
    for (size_t i = 0; i < c.n; i++) { free(c.items[i].text); free(c.items[i].head_key); }
    free(c.items);
    h->failed = rc != CZ_OK;
    if (rc) ui_status_message(ui, rc);
}

static int households_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct households *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    if (edit_set(&h->search, "")) return CZ_ENOMEM;
    fill(ui, h);
    return CZ_OK;
}

static void households_draw(struct ui *ui, struct screen *s)
{
    struct households *h = s->state;
    const char *label = T(ui, "Find (name, part of a name, household or ID number):",
                          "查找（姓名或其中几个字、户编号、身份证号）：");
    char count[256];
    int lw = ui_text(ui, UI_TOP, 1, label, ui->cols - 12, A_BOLD);
    edit_draw(ui, &h->search, UI_TOP, lw + 2, ui->cols - lw - 3, 1, A_UNDERLINE);
    char count_[200];
    if (h->total > h->l.n)
        snprintf(count_, sizeof count_,
                 h->exact ? T(ui, "%zu found, the first %zu shown: type more to narrow", "找到 %zu 条，显示前 %zu 条：多输入几个字可缩小范围")
                          : T(ui, "up to %zu found, the first %zu shown: type more to narrow", "最多找到 %zu 条，显示前 %zu 条：多输入几个字可缩小范围"),
                 h->total, h->l.n);
    else
        snprintf(count_, sizeof count_, T(ui, "%zu found", "找到 %zu 条"), h->l.n);
    snprintf(count, sizeof count, "%s  %s %s", h->l.n || h->failed ? count_ : T(ui, "Nothing found", "没有找到"),
             T(ui, "Sorted by", "排序："), sort_label(ui, h->sort));
    int cy = ui->cursor_y, cx = ui->cursor_x;
    ui_text(ui, UI_TOP + 1, 1, count, ui->cols - 2, A_NORMAL);
    list_draw(ui, &h->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
    ui_cursor(ui, cy, cx);
}

static void open_selected(struct ui *ui, struct households *h)
{
    const struct list_row *r = list_selected(&h->l);
    int rc;
    if (!r) return;
    rc = ui_push(ui, &cz_screen_household, r->entity);
    if (rc) ui_status_message(ui, rc);
}

static enum ui_result households_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct households *h = s->state;
    if (k->action == ACT_OPEN) { open_selected(ui, h); return UI_HANDLED; }
    if (k->action == ACT_FIND) { edit_set(&h->search, ""); fill(ui, h); return UI_HANDLED; }
    if (k->action == ACT_SORT) {
        h->sort = (h->sort + 1) % SORT_COUNT;
        fill(ui, h);
        return UI_HANDLED;
    }
    if (k->action == ACT_ADD) { record_form(ui, "household", NULL, NULL); return UI_HANDLED; }
    if (list_key(&h->l, k) == UI_HANDLED) return UI_HANDLED;
    if (edit_key(&h->search, k)) { fill(ui, h); return UI_HANDLED; }
    return UI_UNHANDLED;
}

static void households_resume(struct ui *ui, struct screen *s)
{
    struct households *h = s->state;
    size_t sel = h->l.sel;
    fill(ui, h);
    list_reselect(&h->l, sel);
}

static void households_close(struct screen *s)
{
    struct households *h = s->state;
    edit_free(&h->search);
    list_clear(&h->l);
    free(h);
}

static const enum cz_action households_hints[] = { ACT_OPEN, ACT_ADD, ACT_FIND, ACT_SORT, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_households = {
    .name = "households",
    .open = households_open,
    .draw = households_draw,
    .key = households_key,
    .close = households_close,
    .resume = households_resume,
    .hints = households_hints,
};
