/* home.c — the station at a glance and a menu of what to do. */
#include "data.h"
#include "draft.h"
#include "list.h"
#include "roles.h"
#include "conflicts.h"
#include "screens_all.h"
#include "overview.h"
#include "people.h"
#include "report.h"
#include "sync.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The menu, one row an entry.  A screen adds itself with one line here;
 * `shown` (may be NULL) hides a row from people it is not for (approvals
 * for supervisors, users for the office).  ops NULL: a built-in action. */
enum menu_builtin { MENU_SCREEN, MENU_DRAFTS, MENU_LANGUAGE, MENU_QUIT };

struct menu_item {
    const char *en, *zh;
    enum menu_builtin builtin;
    const struct screen_ops *ops;
    const void *arg;
    int (*shown)(struct ui *ui);
};

static const struct record_form_arg add_household = { .type = "household" };

#define ITEM(e, z, o, a, sh) { .en = e, .zh = z, .builtin = MENU_SCREEN, .ops = o, .arg = a, .shown = sh }
#define BUILTIN(e, z, b) { .en = e, .zh = z, .builtin = b }
static const struct menu_item menu[] = {
    ITEM("Households: list and find", "贫困户：列表与查找", &cz_screen_households, NULL, NULL),
    ITEM("Add a household", "新增贫困户", &cz_screen_record_new, &add_household, NULL),
    ITEM("Trainings", "培训", &cz_screen_trainings, NULL, NULL),
    ITEM("Add another kind of record", "新增其他记录", &cz_screen_newrecord, NULL, NULL),
    ITEM("Verify signatures", "验证签名", &cz_screen_verify, NULL, NULL),
    ITEM("Sync: export and import by USB stick", "同步：用U盘导出和导入", &cz_screen_sync, NULL, NULL),
    ITEM("Conflicts: choose between values", "冲突：在不同取值间选定", &cz_screen_conflicts, NULL, NULL),
    BUILTIN("Unsaved forms: %zu", "未保存的表单：%zu", MENU_DRAFTS),
    ITEM("Reports: figures and charts", "统计报表与图表", &cz_screen_reports, NULL, NULL),
    ITEM("Exit approvals", "退出审批", &cz_screen_exits, NULL, roles_shown_supervisor),
    ITEM("Users and enrolment", "用户与认证", &cz_screen_users, NULL, roles_shown_office),
    ITEM("Settings: language, keys", "设置：语言、按键", &cz_screen_settings, NULL, NULL),
    BUILTIN("中文界面", "English interface", MENU_LANGUAGE),
    ITEM("Help: keys", "帮助：按键", &cz_screen_help, NULL, NULL),
    BUILTIN("Quit", "退出", MENU_QUIT),
};
#undef ITEM
#undef BUILTIN
#define MENU_COUNT (sizeof menu / sizeof menu[0])

static int count_draft(void *ctx, const char *path, const struct cz_draft *d, const uint8_t *entity,
                       const uint8_t *parent)
{
    (*(size_t *)ctx)++;
    return 0;
}

struct home {
    char village[128];
    /* Read in open and resume, never per key press. */
    int synced;                  /* last holds something */
    struct cz_sync_last last;
    /* An import cut short (sync.h): shown instead of the last sync until
     * the bundle is imported again. */
    int unfinished;
    char unfinished_from[CZ_NAME_MAX];
    size_t conflicts;
    int supervises;              /* a supervisor or the office: the exits figures show */
    size_t exits_mine;           /* awaiting a step this person may sign or stop */
    size_t exits_open;           /* not complete, in this person's jurisdiction */
    size_t drafts;               /* this person's unsaved forms (draft.h); its row shows when > 0 */
    size_t sel;                  /* index into visible[] */
    size_t visible[MENU_COUNT];  /* menu rows this person sees */
    size_t nvisible;
};

static void menu_filter(struct ui *ui, struct home *h)
{
    h->nvisible = 0;
    for (size_t i = 0; i < MENU_COUNT; i++)
        if ((!menu[i].shown || menu[i].shown(ui)) && (menu[i].builtin != MENU_DRAFTS || h->drafts))
            h->visible[h->nvisible++] = i;
    if (h->sel >= h->nvisible) h->sel = h->nvisible ? h->nvisible - 1 : 0;
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
    struct cz_assign a = { .field = "code", .value = info->region };
    uint8_t entity[CZ_ENTITY_BYTES] = { 0 }, none[CZ_ENTITY_BYTES] = { 0 };
    struct cz_record r;
    cz_view *v = NULL;
    buf[0] = 0;
    if (!info->region[0] || cz_view_begin(ui->st, &v)) return;
    cz_txn *t = cz_view_txn(v);
    cz_query_list(t, cz_schema_type("place"), &a, 1, place_cb, entity, NULL);
    if (memcmp(entity, none, sizeof none) && cz_record_load(t, entity, &r) == CZ_OK) {
        data_field(&r, "name", ui->lang, buf, size);
        cz_record_clear(&r);
    }
    cz_view_end(v);
}

/* Who the last bundle came from or went to: the office, else the name a
 * station's (or person's) key record gives, marked when its certificate
 * is not here yet; the key itself only when nothing names it. */
static void sync_partner(struct ui *ui, cz_view *v, struct home *h)
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    struct cz_keylist kl;
    if (!memcmp(h->last.box, info->office_box, 32)) return;
    memset(&kl, 0, sizeof kl);
    if (cz_known_keys(cz_view_txn(v), info->office_root, &kl) == CZ_OK)
        for (size_t i = 0; i < kl.n; i++) {
            const struct cz_known_key *k = &kl.v[i];
            const char *name = k->station[0] ? k->station : k->name;
            if (memcmp(k->key, h->last.box, 32) || !name[0]) continue;
            /* A name too long for the line is cut: it only says who. */
            if (snprintf(h->last.with, sizeof h->last.with, "%s%s", name,
                         k->trust.state == CZ_TRUST_PENDING ? T(ui, " (not yet enrolled)", "（尚未认证）") : "") < 0)
                h->last.with[0] = 0;
            break;
        }
    free(kl.v);
}

static void home_unfinished(struct ui *ui, struct home *h)
{
    struct cz_import_unfinished *u = NULL;
    size_t n = 0;
    h->unfinished = cz_sync_unfinished(ui->st, &u, &n) == CZ_OK && n;
    if (h->unfinished) snprintf(h->unfinished_from, sizeof h->unfinished_from, "%s", u[0].sender);
    free(u);
}

static void home_counts(struct ui *ui, struct home *h)
{
    cz_view *v = NULL;
    size_t n = 0;
    const uint8_t *pk = cz_station_person_pk(ui->st);
    h->synced = cz_sync_latest(ui->st, &h->last) == CZ_OK;
    home_unfinished(ui, h);
    h->conflicts = h->exits_mine = h->exits_open = h->drafts = 0;
    h->supervises = roles_shown_supervisor(ui);
    if (pk) cz_draft_list(cz_station_dir(ui->st), pk, count_draft, &h->drafts);
    /* Counted as `cunzhan conflicts` counts them (one walk of the heads). */
    if (cz_conflicts_count(ui->st, &n)) n = 0;
    h->conflicts = n;
    if (cz_view_begin(ui->st, &v)) return;
    if (h->synced) sync_partner(ui, v, h);
    /* What awaits this person is what the approvals screen lists for
     * them; the open ones are those its "all" view shows not complete. */
    if (h->supervises && pk) {
        cz_view_exits_pending(v, pk, NULL, NULL, &h->exits_mine);
        cz_view_exits_each(v, NULL, pk, NULL, NULL, NULL, &h->exits_open);
    }
    cz_view_end(v);
}

static int home_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct home *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    village_name(ui, h->village, sizeof h->village);
    ui_refresh_counts(ui);
    home_counts(ui, h);
    menu_filter(ui, h);
    return CZ_OK;
}

/* The station's figures below its name: households and people as the
 * report counts them, what it leaves out, the last sync, conflicts and
 * exits.  Returns the row after them. */
static int draw_figures(struct ui *ui, const struct home *h, int y)
{
    char line[512];
    /* As the status line and `report` count them (ui_refresh_counts). */
    snprintf(line, sizeof line, T(ui, "%zu registered households, %zu people", "建档立卡贫困户 %zu 户，%zu 人"),
             ui->households, ui->members);
    ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    if (ui->counted && ui->left_out) {
        /* Named as the report names them, so the two figures can be told apart. */
        snprintf(line, sizeof line, T(ui, "Records left out until their signer is certified: %lld",
                                      "签署人尚未认证、未计入的记录：%lld 条"), (long long)ui->left_out);
        ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    }
    if (h->unfinished) {
        /* The sender's name came from a stick or the roster: ui_text
         * filters what it draws. */
        snprintf(line, sizeof line, T(ui, "Import unfinished: a bundle from %s; import it again",
                                      "导入未完成：来自 %s 的数据包，请再次导入"), h->unfinished_from);
        ui_text(ui, y++, 2, line, ui->cols - 4, A_BOLD);
    } else if (h->synced) {
        char when[32];
        data_time(h->last.when, when, sizeof when);
        snprintf(line, sizeof line, "%s %s, %s %s", T(ui, "Last sync:", "上次同步："), when,
                 h->last.dir == CZ_SYNC_IMPORT ? T(ui, "bundle from", "导入自") : T(ui, "bundle for", "导出给"),
                 h->last.with);
        ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    } else {
        snprintf(line, sizeof line, "%s %s", T(ui, "Last sync:", "上次同步："), T(ui, "never", "从未同步"));
        ui_text(ui, y++, 2, line, ui->cols - 4, A_NORMAL);
    }
    if (h->supervises)
        snprintf(line, sizeof line, T(ui, "Conflicts to resolve: %zu    Exits awaiting you: %zu (open in all: %zu)",
                                      "待解决的冲突：%zu    待您审批的退出：%zu（进行中共 %zu）"),
                 h->conflicts, h->exits_mine, h->exits_open);
    else
        snprintf(line, sizeof line, T(ui, "Conflicts to resolve: %zu", "待解决的冲突：%zu"), h->conflicts);
    ui_text(ui, y++, 2, line, ui->cols - 4, h->conflicts ? A_BOLD : A_NORMAL);
    return y;
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
    y = draw_figures(ui, h, y);
    y++;
    /* On a short terminal the menu scrolls to keep the selection in view;
     * a marker says when rows are hidden above or below. */
    size_t room = ui->rows - 2 > y ? (size_t)(ui->rows - 2 - y) : 1, first = 0;
    if (h->nvisible > room && h->sel >= room) first = h->sel - room + 1;
    if (first) ui_text(ui, y - 1, 2, T(ui, "^ more", "^ 更多"), ui->cols - 4, A_NORMAL);
    if (first + room < h->nvisible) ui_text(ui, ui->rows - 2, ui->cols - 12, T(ui, "v more", "v 更多"), 10, A_NORMAL);
    for (size_t i = first; i < h->nvisible && y < ui->rows - 2; i++, y++) {
        const struct menu_item *m = &menu[h->visible[i]];
        int attr = i == h->sel ? A_REVERSE : A_NORMAL;
        ui_text_pad(ui, y, 2, "", ui->cols - 4, attr);
        char label[160];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (m->builtin == MENU_DRAFTS) snprintf(label, sizeof label, T(ui, m->en, m->zh), h->drafts);
        else snprintf(label, sizeof label, "%s", T(ui, m->en, m->zh));
#pragma GCC diagnostic pop
        ui_text(ui, y, 4, label, ui->cols - 8, attr);
        if (i == h->sel) ui_cursor(ui, y, 2);
    }
}

/* The unsaved forms as a pick-list; the one chosen opens restored. */
struct draft_rows {
    struct ui *ui;
    cz_view *v;
    size_t n;
    char shown[32][300];
    char type[32][CZ_TYPE_MAX + 1];
    uint8_t entity[32][CZ_ENTITY_BYTES], parent[32][CZ_ENTITY_BYTES];
    int has_entity[32], has_parent[32];
};

static int draft_row(void *ctx, const char *path, const struct cz_draft *d, const uint8_t *entity,
                     const uint8_t *parent)
{
    struct draft_rows *r = ctx;
    struct ui *ui = r->ui;
    const struct cz_type *ty = cz_schema_type(d->type);
    char when[32], title[256] = "";
    struct cz_record rec;
    if (!ty || r->n == 32) return 0;
    size_t i = r->n;
    r->has_entity[i] = entity != NULL;
    if (entity) memcpy(r->entity[i], entity, CZ_ENTITY_BYTES);
    if (r->has_entity[i] && r->v && cz_record_load(cz_view_txn(r->v), r->entity[i], &rec) == CZ_OK) {
        if (rec.body && rec.type) cz_schema_title(rec.type, rec.body, title, sizeof title);
        cz_record_clear(&rec);
    }
    r->has_parent[i] = parent != NULL;
    if (parent) memcpy(r->parent[i], parent, CZ_ENTITY_BYTES);
    snprintf(r->type[i], sizeof r->type[i], "%s", d->type);
    data_time(d->saved, when, sizeof when);
    snprintf(r->shown[i], sizeof r->shown[i], "%s %s %s  %s", r->has_entity[i] ? T(ui, "Edit", "修改") : T(ui, "New", "新增"),
             T(ui, ty->en, ty->zh), title, when);
    r->n++;
    return 0;
}

static void open_drafts(struct ui *ui)
{
    struct draft_rows *r = calloc(1, sizeof *r);
    const char *items[32];
    if (!r) { ui_status_message(ui, CZ_ENOMEM); return; }
    r->ui = ui;
    if (cz_view_begin(ui->st, &r->v)) r->v = NULL;
    int rc = cz_station_person_pk(ui->st)
                 ? cz_draft_list(cz_station_dir(ui->st), cz_station_person_pk(ui->st), draft_row, r) : CZ_OK;
    cz_view_end(r->v);
    if (rc) ui_status_message(ui, rc);
    for (size_t i = 0; i < r->n; i++) items[i] = r->shown[i];
    int got = r->n ? ui_pick(ui, T(ui, "Unsaved forms", "未保存的表单"), items, r->n, 0) : -1;
    if (got >= 0)
        record_form_restore(ui, r->type[got], r->has_entity[got] ? r->entity[got] : NULL,
                            r->has_parent[got] ? r->parent[got] : NULL);
    free(r);
}

static void open_item(struct ui *ui, struct home *h)
{
    if (h->sel >= h->nvisible) return;
    const struct menu_item *m = &menu[h->visible[h->sel]];
    int rc = CZ_OK;
    switch (m->builtin) {
    case MENU_SCREEN: rc = ui_push(ui, m->ops, m->arg); break;
    case MENU_DRAFTS: open_drafts(ui); break;
    case MENU_LANGUAGE: ui->lang = ui->lang == CZ_LANG_ZH ? CZ_LANG_EN : CZ_LANG_ZH; break;
    case MENU_QUIT: if (!ui_any_dirty(ui)) ui->quit = 1; break;
    }
    if (rc) ui_status_message(ui, rc);
}

static enum ui_result home_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct home *h = s->state;
    switch (k->action) {
    case ACT_UP: case ACT_PREV: if (h->sel) h->sel--; return UI_HANDLED;
    case ACT_DOWN: case ACT_NEXT: if (h->sel + 1 < h->nvisible) h->sel++; return UI_HANDLED;
    /* The menu is shorter than a page: a page is the whole of it. */
    case ACT_HOME: case ACT_PAGE_UP: h->sel = 0; return UI_HANDLED;
    case ACT_END: case ACT_PAGE_DOWN: h->sel = h->nvisible ? h->nvisible - 1 : 0; return UI_HANDLED;
    case ACT_OPEN: open_item(ui, h); return UI_HANDLED;
    case ACT_ADD: record_form(ui, "household", NULL, NULL); return UI_HANDLED;
    default: return UI_UNHANDLED;
    }
}

static void home_resume(struct ui *ui, struct screen *s)
{
    struct home *h = s->state;
    village_name(ui, h->village, sizeof h->village);
    ui_refresh_counts(ui);
    home_counts(ui, h);
    menu_filter(ui, h);
}

static void home_close(struct screen *s)
{
    free(s->state);
}

static const enum cz_action home_hints[] = { ACT_OPEN, ACT_FIND, ACT_ADD, ACT_LANGUAGE, ACT_NONE };

const struct screen_ops cz_screen_home = {
    .name = "home",
    .open = home_open,
    .draw = home_draw,
    .key = home_key,
    .close = home_close,
    .resume = home_resume,
    .hints = home_hints,
};
