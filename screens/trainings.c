/* trainings.c — the station's trainings and outreach events, newest first.
 * Enter opens one in the record form; Add opens a new one (its attending
 * households are ticked from the station's households). */
#include "data.h"
#include "list.h"
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
    struct fill_ctx *c = ctx;
    struct cz_record r;
    char date[16], topic[200], place[200], trainees[24], hh[24], line[700], list[4096];
    const char *cells[] = { date, topic, place, trainees, hh };
    static const int widths[] = { 12, 24, 20, 8, 0 };
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body) {
        data_field(&r, "date", c->ui->lang, date, sizeof date);
        data_field(&r, "topic", c->ui->lang, topic, sizeof topic);
        data_field(&r, "place", c->ui->lang, place, sizeof place);
        data_field(&r, "trainees", c->ui->lang, trainees, sizeof trainees);
        data_field(&r, "households", c->ui->lang, list, sizeof list);
        size_t n = 0;
        for (const char *p = list; *p; p++) n += *p == ',';
        snprintf(hh, sizeof hh, "%zu", list[0] ? n + 1 : 0);
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

static void fill(struct ui *ui, struct trainings *tr)
{
    struct fill_ctx c = { ui, NULL, &tr->l, CZ_OK };
    int rc;
    list_clear(&tr->l);
    if ((rc = cz_txn_begin(cz_station_store(ui->st), 0, &c.t))) goto cleanup;
    rc = cz_query_list(c.t, cz_schema_type("training"), NULL, 0, row_cb, &c, NULL);
    if (!rc) rc = c.rc;
    if (tr->l.n) qsort(tr->l.rows, tr->l.n, sizeof *tr->l.rows, newest_first);
cleanup:
    cz_txn_abort(c.t);
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
    ui_text(ui, UI_TOP, 1, line, ui->cols - 2, A_BOLD);
    data_columns(head, sizeof head, cells, widths, 5);
    ui_text(ui, UI_TOP + 1, 0, head, ui->cols, A_UNDERLINE);
    if (!tr->l.n)
        ui_text(ui, UI_TOP + 2, 1, T(ui, "No trainings yet: F4 adds one.", "还没有培训记录：按 F4 新增。"), ui->cols - 2,
                A_NORMAL);
    list_draw(ui, &tr->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
}

static enum ui_result trainings_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    static const struct record_form_arg add = { "training", NULL, NULL };
    struct trainings *tr = s->state;
    const struct list_row *r = list_selected(&tr->l);
    int rc = CZ_OK;
    if (k->action == ACT_ADD) {
        rc = ui_push(ui, &cz_screen_record, &add);
    } else if (k->action == ACT_OPEN || k->action == ACT_EDIT) {
        if (!r) return UI_HANDLED;
        struct record_form_arg a = { "training", r->entity, NULL };
        rc = ui_push(ui, &cz_screen_record, &a);
    } else {
        return list_key(&tr->l, k);
    }
    if (rc) ui_status_message(ui, rc);
    return UI_HANDLED;
}

static void trainings_resume(struct ui *ui, struct screen *s)
{
    struct trainings *tr = s->state;
    size_t sel = tr->l.sel;
    fill(ui, tr);
    if (sel < tr->l.n) tr->l.sel = sel;
}

static void trainings_close(struct screen *s)
{
    struct trainings *tr = s->state;
    list_clear(&tr->l);
    free(tr);
}

static const enum cz_action trainings_hints[] = { ACT_OPEN, ACT_ADD, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_trainings = {
    "trainings", trainings_open, trainings_draw, trainings_key, trainings_close, trainings_resume, NULL,
    trainings_hints,
};
