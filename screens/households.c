/* households.c — the households list and find.  Typing searches as you
 * type: an empty search lists the households by number; otherwise
 * cz_query_find_page matches any part of a name, a household number or an
 * ID number, and the households and members found are listed (a member
 * opens its household).  Either way at most CZ_QUERY_PAGE rows are loaded,
 * so the screen stays quick with 100,000 households; the count says how
 * many there are in all, and typing more narrows. */
#include "data.h"
#include "edit.h"
#include "list.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_HOUSEHOLD = 1, ROW_MEMBER = 2 };

struct households {
    struct line_edit search;
    struct list l;
    size_t total;                /* matches in all (l.n of them loaded) */
    int exact;                   /* total is exact, not an upper bound */
    int failed;
};

struct fill_ctx { struct ui *ui; cz_txn *t; struct list *l; size_t calls; int rc; };

static void household_row(struct fill_ctx *c, const struct cz_record *r, char *buf, size_t size)
{
    char number[64], head[128], status[64], phone[64];
    const char *cells[] = { number, head, status, phone };
    static const int widths[] = { 16, 14, 14, 0 };
    data_field(r, "number", c->ui->lang, number, sizeof number);
    data_field(r, "head", c->ui->lang, head, sizeof head);
    data_field(r, "status", c->ui->lang, status, sizeof status);
    data_field(r, "phone", c->ui->lang, phone, sizeof phone);
    data_columns(buf, size, cells, widths, 4);
}

static void member_row(struct fill_ctx *c, const struct cz_record *r, char *buf, size_t size)
{
    char name[128], idn[32], of[200] = "", head[128] = "", number[64] = "";
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
    if (kind == ROW_HOUSEHOLD) household_row(c, &r, row, sizeof row);
    if (kind == ROW_MEMBER) member_row(c, &r, row, sizeof row);
    if (kind) c->rc = list_add(c->l, row, entity, kind, 1);
    cz_record_clear(&r);
    return c->rc;
}

static int row_cmp(const void *a, const void *b)
{
    const struct list_row *x = a, *y = b;
    return x->kind != y->kind ? x->kind - y->kind : strcmp(x->text, y->text);
}

static void fill(struct ui *ui, struct households *h)
{
    struct fill_ctx c = { ui, NULL, &h->l, 0, CZ_OK };
    int rc;
    list_clear(&h->l);
    h->total = 0;
    h->exact = 1;
    if ((rc = cz_txn_begin(cz_station_store(ui->st), 0, &c.t))) goto cleanup;
    if (h->search.s[0])
        rc = cz_query_find_page(c.t, h->search.s, CZ_QUERY_PAGE, add_cb, &c, &h->total, &h->exact);
    else
        rc = cz_query_first(c.t, cz_schema_type("household"), "number", CZ_QUERY_PAGE, add_cb, &c, &h->total);
    /* Under a page: everything was loaded, and the rows are all of it
     * (records of other types that share a name are not listed here). */
    if (c.calls < CZ_QUERY_PAGE || h->total < h->l.n) { h->total = h->l.n; h->exact = 1; }
    if (h->l.n) qsort(h->l.rows, h->l.n, sizeof *h->l.rows, row_cmp);
cleanup:
    cz_txn_abort(c.t);
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
    char count[160];
    int lw = ui_text(ui, UI_TOP, 1, label, ui->cols - 12, A_BOLD);
    edit_draw(ui, &h->search, UI_TOP, lw + 2, ui->cols - lw - 3, 1, A_UNDERLINE);
    if (h->total > h->l.n)
        snprintf(count, sizeof count,
                 h->exact ? T(ui, "%zu found, the first %zu shown: type more to narrow", "找到 %zu 条，显示前 %zu 条：多输入几个字可缩小范围")
                          : T(ui, "up to %zu found, the first %zu shown: type more to narrow", "最多找到 %zu 条，显示前 %zu 条：多输入几个字可缩小范围"),
                 h->total, h->l.n);
    else
        snprintf(count, sizeof count, T(ui, "%zu found", "找到 %zu 条"), h->l.n);
    int cy = ui->cursor_y, cx = ui->cursor_x;
    ui_text(ui, UI_TOP + 1, 1, h->l.n || h->failed ? count : T(ui, "Nothing found", "没有找到"), ui->cols - 2,
            A_NORMAL);
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
    static const struct record_form_arg add_household = { "household", NULL, NULL };
    struct households *h = s->state;
    if (k->action == ACT_OPEN) { open_selected(ui, h); return UI_HANDLED; }
    if (k->action == ACT_FIND) { edit_set(&h->search, ""); fill(ui, h); return UI_HANDLED; }
    if (k->action == ACT_ADD) {
        int rc = ui_push(ui, &cz_screen_record, &add_household);
        if (rc) ui_status_message(ui, rc);
        return UI_HANDLED;
    }
    if (list_key(&h->l, k) == UI_HANDLED) return UI_HANDLED;
    if (edit_key(&h->search, k)) { fill(ui, h); return UI_HANDLED; }
    return UI_UNHANDLED;
}

static void households_resume(struct ui *ui, struct screen *s)
{
    struct households *h = s->state;
    size_t sel = h->l.sel;
    fill(ui, h);
    if (sel < h->l.n) h->l.sel = sel;
}

static void households_close(struct screen *s)
{
    struct households *h = s->state;
    edit_free(&h->search);
    list_clear(&h->l);
    free(h);
}

static const enum cz_action households_hints[] = { ACT_OPEN, ACT_ADD, ACT_FIND, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_households = {
    "households", households_open, households_draw, households_key, households_close,
    households_resume, NULL, households_hints,
};
