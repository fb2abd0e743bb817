/* home.c — the station at a glance and a menu of what to do. */
#include "data.h"
#include "list.h"
#include "screens_all.h"
#include "store.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum item { ITEM_HOUSEHOLDS, ITEM_ADD, ITEM_VERIFY, ITEM_LANGUAGE, ITEM_HELP, ITEM_QUIT, ITEM_COUNT };

struct home {
    char village[128];
    size_t sel;
};

static const char *item_label(const struct ui *ui, enum item i)
{
    switch (i) {
    case ITEM_HOUSEHOLDS: return T(ui, "Households: list and find", "贫困户：列表与查找");
    case ITEM_ADD: return T(ui, "Add a household", "新增贫困户");
    case ITEM_VERIFY: return T(ui, "Verify signatures", "验证签名");
    case ITEM_LANGUAGE: return T(ui, "中文界面", "English interface");
    case ITEM_HELP: return T(ui, "Help: keys", "帮助：按键");
    default: return T(ui, "Quit", "退出");
    }
}

static int place_cb(void *ctx, const uint8_t *entity)
{
    memcpy(ctx, entity, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

/* The village's name from its place record ("" when none). */
static void village_name(struct ui *ui, char *buf, size_t size)
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    struct cz_assign a = { "code", info->region };
    uint8_t entity[CZ_ENTITY_BYTES] = { 0 }, none[CZ_ENTITY_BYTES] = { 0 };
    struct cz_record r;
    cz_txn *t = NULL;
    buf[0] = 0;
    if (!info->region[0] || cz_txn_begin(cz_station_store(ui->st), 0, &t)) return;
    cz_query_list(t, cz_schema_type("place"), &a, 1, place_cb, entity, NULL);
    if (
        memcmp(entity, none, sizeof none) && cz_record_load(t, entity, &r) == CZ_OK) {
        data_field(&r, "name", ui->lang, buf, size);
        cz_record_clear(&r);
    }
    cz_txn_abort(t);
}

static int home_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct home *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    village_name(ui, h->village, sizeof h->village);
    ui_refresh_counts(ui);
    return CZ_OK;
}

static void home_draw(struct ui *ui, struct screen *s)
{
    struct home *h = s->state;
    const struct cz_station_info *info = cz_station_info(ui->st);
    char line[512];
    int y = UI_TOP + 1;
    ui_text(ui, y++, 2, info->name, ui->cols - 4, A_BOLD);
    snprintf(line, sizeof line, "%s %s %s", T(ui, "Village:", "所在村："), h->village[0] ? h->village : "-",
             info->region);
    ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    snprintf(line, sizeof line, T(ui, "%zu registered households, %zu people", "建档立卡贫困户 %zu 户，%zu 人"),
             ui->households, ui->members);
    ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    y++;
    for (int i = 0; i < ITEM_COUNT && y < ui->rows - 2; i++, y++) {
        int attr = (size_t)i == h->sel ? A_REVERSE : A_NORMAL;
        ui_text_pad(ui, y, 2, "", ui->cols - 4, attr);
        ui_text(ui, y, 4, item_label(ui, (enum item)i), ui->cols - 8, attr);
        if ((size_t)i == h->sel) ui_cursor(ui, y, 2);
    }
}

static void open_item(struct ui *ui, struct home *h)
{
    static const struct record_form_arg add_household = { "household", NULL, NULL };
    int rc = CZ_OK;
    switch ((enum item)h->sel) {
    case ITEM_HOUSEHOLDS: rc = ui_push(ui, &cz_screen_households, NULL); break;
    case ITEM_ADD: rc = ui_push(ui, &cz_screen_record, &add_household); break;
    case ITEM_VERIFY: rc = ui_push(ui, &cz_screen_verify, NULL); break;
    case ITEM_LANGUAGE: ui->lang = ui->lang == CZ_LANG_ZH ? CZ_LANG_EN : CZ_LANG_ZH; break;
    case ITEM_HELP: rc = ui_push(ui, &cz_screen_help, NULL); break;
    default: if (!ui_any_dirty(ui)) ui->quit = 1; break;
    }
    if (rc) ui_status_message(ui, rc);
}

static enum ui_result home_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    static const struct record_form_arg add_household = { "household", NULL, NULL };
    struct home *h = s->state;
    switch (k->action) {
    case ACT_UP: case ACT_PREV: if (h->sel) h->sel--; return UI_HANDLED;
    case ACT_DOWN: case ACT_NEXT: if (h->sel + 1 < ITEM_COUNT) h->sel++; return UI_HANDLED;
    case ACT_OPEN: open_item(ui, h); return UI_HANDLED;
    case ACT_ADD: {
        int rc = ui_push(ui, &cz_screen_record, &add_household);
        if (rc) ui_status_message(ui, rc);
        return UI_HANDLED;
    }
    default: return UI_UNHANDLED;
    }
}

static void home_resume(struct ui *ui, struct screen *s)
{
    struct home *h = s->state;
    village_name(ui, h->village, sizeof h->village);
    ui_refresh_counts(ui);
}

static void home_close(struct screen *s)
{
    free(s->state);
}

static const enum cz_action home_hints[] = { ACT_OPEN, ACT_FIND, ACT_ADD, ACT_LANGUAGE, ACT_NONE };

const struct screen_ops cz_screen_home = {
    "home", home_open, home_draw, home_key, home_close, home_resume, NULL, home_hints,
};
