/* trainings.c — the station's trainings and outreach events, newest first.
 * Enter opens one in the record form; Add opens a new one (its attending
 * households are ticked from the station's households). */
#include "codec.h"
#include "data.h"
#include "list.h"
#include "overview.h"
#include "schema.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trainings {
    struct list l;
};

struct fill_ctx { struct ui *ui; cz_txn *t; struct list *l; int rc; };

static int row_cb(void *ctx, const uint8_t *entity)
{
    static const char *const fields[] = { "date", "topic", "place", "trainees", NULL };
    static const int widths[] = { 12, 24, 20, 8, 0 };
    struct fill_ctx *c = ctx;
    struct cz_record r;
    char buf[5][DATA_CELL], line[700];
    const char *cells[5];
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body) {
        data_cells(&r, c->ui->lang, fields, 5, buf, cells);
        /* Shown as a count of the list's items: a household's name may
         * itself hold a comma, so the text form cannot be counted. */
        size_t n = 0;
        cz_body_get_list_count(r.body, cz_schema_field(r.type, "households")->tag, &n);
        snprintf(buf[4], DATA_CELL, "%zu", n);
        data_columns(line, sizeof line, cells, widths, 5);
        c->rc = list_add(c->l, line, entity, 0, 1);
    }
    cz_record_clear(&r);
    return c->rc;
}

/* Rows start with the date (YYYY-MM-DD): newest first. */
static int newest_first(const void *a, const void *b)
{
    const struct list_row *x = a, *y = b;
    return strcmp(y->text, x->text);
}

/* Reads the list again, the same row selected if it is still there. */
static void fill(struct ui *ui, struct trainings *tr)
{
    struct fill_ctx c = { .ui = ui, .l = &tr->l, .rc = CZ_OK };
    cz_view *v = NULL;
    size_t sel = tr->l.sel;
    int rc;
    list_clear(&tr->l);
    if ((rc = cz_view_begin(ui->st, &v))) goto cleanup;
    c.t = cz_view_txn(v);
    rc = cz_query_list(c.t, cz_schema_type("training"), NULL, 0, row_cb, &c, NULL);
    if (!rc) rc = c.rc;
    if (tr->l.n) qsort(tr->l.rows, tr->l.n, sizeof *tr->l.rows, newest_first);
    list_reselect(&tr->l, sel);
cleanup:
    cz_view_end(v);
    if (rc) ui_status_message(ui, rc);
}

static int trainings_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct trainings *tr = calloc(1, sizeof *tr);
    if (!tr) return CZ_ENOMEM;
    s->state = tr;
    fill(ui, tr);
    return CZ_OK;
}

static void trainings_draw(struct ui *ui, struct screen *s)
{
    struct trainings *tr = s->state;
    char line[300], head[300];
    const char *cells[] = { T(ui, "Date", "日期"), T(ui, "Topic", "主题"), T(ui, "Place", "地点"),
                            T(ui, "People", "人数"), T(ui, "Households", "参训户") };
    static const int widths[] = { 12, 24, 20, 8, 0 };
    snprintf(line, sizeof line, T(ui, "Trainings: %zu (newest first)", "培训：%zu 场（新的在前）"), tr->l.n);
    ui_title(ui, line);
    data_columns(head, sizeof head, cells, widths, 5);
    ui_text(ui, UI_TOP + 1, 0, head, ui->cols, A_UNDERLINE);
    if (!tr->l.n)
        ui_text(ui, UI_TOP + 2, 1, T(ui, "No trainings yet: F4 adds one.", "还没有培训记录：按 F4 新增。"), ui->cols - 2,
                A_NORMAL);
    list_draw(ui, &tr->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
}

static enum ui_result trainings_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct trainings *tr = s->state;
    const struct list_row *r = list_selected(&tr->l);
    if (k->action == ACT_ADD) record_form(ui, "training", NULL, NULL);
    else if (k->action == ACT_OPEN || k->action == ACT_EDIT) { if (r) record_form(ui, "training", r->entity, NULL); }
    else return list_key(&tr->l, k);
    return UI_HANDLED;
}

static void trainings_resume(struct ui *ui, struct screen *s) { fill(ui, s->state); }

static void trainings_close(struct screen *s)
{
    struct trainings *tr = s->state;
    list_clear(&tr->l);
    free(tr);
}

static const enum cz_action trainings_hints[] = { ACT_OPEN, ACT_ADD, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_trainings = {
    .name = "trainings",
    .open = trainings_open,
    .draw = trainings_draw,
    .key = trainings_key,
    .close = trainings_close,
    .resume = trainings_resume,
    .hints = trainings_hints,
};
