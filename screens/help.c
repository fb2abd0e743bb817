/* help.c — what the screen below is for, its own keys, then every action
 * with the keys bound to it, generated from the action table, the screen's
 * footer hints and the keymap in force (so it cannot drift from them).
 * The text is read, not chosen from: Up/Down move it a row, PgUp/PgDn a
 * page, Home/End to either end. */
#include "list.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct help {
    struct list l;
    const struct screen_ops *below;   /* the screen F1 was pressed on; NULL: none */
    size_t top;                       /* the first line shown */
    int page;                         /* lines shown at the last draw */
};

/* What each screen is for, by its ops name.  Kept here, beside the rest of
 * the help, so a screen needs nothing more than its name to have some. */
static const struct { const char *screen, *en, *zh; } purposes[] = {
    { "home", "The station at a glance and every task of the day: choose one and press Enter.",
      "本站概况和当天的各项工作：选中一项按回车。" },
    { "households", "Every household of the station; type to find one by name or number, Enter opens it.",
      "本站全部贫困户；输入姓名或户编号查找，回车打开。" },
    { "household", "One household: its fields, members (head first), other records, trainings "
                   "attended and every signed version; its card for the wall printed as a PDF. "
                   "Its yearly records (income with the household attribute, living conditions) stand side by "
                   "side, newest first: to add a year's, press F4, choose Yearly income or Living conditions "
                   "and give the year; to change one, Enter on it under Other records.",
      "一户的详情：基本信息、家庭成员（户主在前）、其他记录、参加的培训和每个签名版本；可打印明白卡（PDF）。"
      "年度记录（收入及贫困户属性、生产生活条件）按年度并列，新年度在前：新增某年度的记录，按 F4，"
      "选“年度收入”或“生产生活条件”，填写年度；修改时在“其他记录”中选中后回车。" },
    { "trainings", "The station's trainings and outreach events, newest first: Enter opens one, F4 adds one.",
      "本站的培训和科普活动，新的在前：回车打开，F4 新增。" },
    { "reports", "The figures of the report, by village and status, with charts: the same as `cunzhan report`. "
                 "Pick a place by name, write the figures as CSV to the stick, or print them as a PDF.",
      "统计报表：各村各状态的户数、人数和图表，与命令行的报表相同。可按名称选地区，把数字写成 CSV 存到U盘，或打印成 PDF。" },
    { "record", "A form for one record: fill the fields, F2 saves it signed.",
      "一条记录的表单：填写各字段，F2 签名保存。" },
    { "newrecord", "Choose which kind of record to add.", "选择要新增的记录种类。" },
    { "sync", "Exchange bundles with other stations on a USB stick: export, import; back this station up "
              "to the stick, or restore it from a backup.",
      "用U盘与其他站点交换数据包：导出、导入；把本站备份到U盘，或用备份恢复本站。" },
    { "conflicts", "Records edited at two stations at once: choose which value stays.",
      "两个站点同时修改过的记录：选定保留哪个取值。" },
    { "resolve", "One conflict side by side: choose a value for each field that differs.",
      "逐条对照一个冲突：为每个不同的字段选定取值。" },
    { "exits", "Exit assessments awaiting your step: read one, then approve or reject it; or every "
               "assessment in your jurisdiction with its stage; print a village's public notice.",
      "等待您审批的退出评估：查看后同意或不同意；也可查看辖区内全部退出评估及其进度，打印本村的公示。" },
    { "verify", "Checks every signature and log held here and says what does not hold.",
      "检查本站保存的全部签名和日志，并列出不符之处。" },
    { "users", "The people of this station and their enrolment: add one, certify a key.",
      "本站人员及其认证：新增人员，认证密钥。" },
    { "settings", "Language and keys of this PC.", "本机的语言和按键设置。" },
    { "login", "Who is working: your name and passphrase.", "登录：输入姓名和口令。" },
};

/* A line of help wrapped at the screen's width: help is read to the end
 * of each line, so nothing is cut.  Further rows are indented by indent
 * columns, under the text they continue. */
static int add_text(struct ui *ui, struct help *h, const char *text, int indent)
{
    size_t len = strlen(text), width = ui->cols > indent + 12 ? (size_t)(ui->cols - 1) : 12;
    char line[800];
    int rc = CZ_OK, first = 1;
    do {
        size_t room = first ? width : width - (size_t)indent;
        int trimmed = 0;
        size_t take = ui_width(text, len, room, NULL, &trimmed);
        if (!take) take = len;
        /* English breaks at a space when there is one in the second half. */
        for (size_t k = take; trimmed && k > take / 2; k--)
            if (text[k - 1] == ' ') { take = k; break; }
        snprintf(line, sizeof line, "%*s%.*s", first ? 0 : indent, "", (int)take, text);
        rc = list_add(&h->l, line, NULL, 0, 0);
        text += take;
        len -= take;
        first = 0;
    } while (len && !rc);
    return rc;
}

static void keys_of(const struct ui *ui, enum cz_action a, char *buf, size_t size)
{
    size_t used = 0;
    char name[32];
    buf[0] = 0;
    for (size_t i = 0; i < ui->km.n; i++) {
        if (ui->km.b[i].action != a) continue;
        cz_key_name(ui->km.b[i].key, name, sizeof name);
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s", used ? ", " : "", name);
        if (used >= size) return;
    }
}

static int add_action(struct ui *ui, struct help *h, enum cz_action a)
{
    char keys[128], line[700], label[64], pad[64];
    keys_of(ui, a, keys, sizeof keys);
    if (!keys[0]) return CZ_OK;
    cz_action_label(a, ui->lang == CZ_LANG_ZH, label, sizeof label);
    int w = ui_cols(keys);
    snprintf(pad, sizeof pad, "%*s", w < 22 ? 22 - w : 1, "");
    snprintf(line, sizeof line, " %s%s%s: %s", keys, pad, label, cz_action_help(a, ui->lang == CZ_LANG_ZH));
    return add_text(ui, h, line, 23);
}

/* The screen's purpose and its own keys (its footer's), when known. */
static int add_screen(struct ui *ui, struct help *h)
{
    char line[700];
    int rc = CZ_OK;
    if (!h->below) return CZ_OK;
    for (size_t i = 0; i < sizeof purposes / sizeof purposes[0] && !rc; i++) {
        if (strcmp(purposes[i].screen, h->below->name)) continue;
        snprintf(line, sizeof line, " %s", T(ui, purposes[i].en, purposes[i].zh));
        rc = add_text(ui, h, line, 1);
    }
    if (!rc && h->below->hints && h->below->hints[0] != ACT_NONE)
        rc = list_add(&h->l, T(ui, " Keys on this screen:", " 本页按键："), NULL, 0, 0);
    for (size_t i = 0; !rc && h->below->hints && h->below->hints[i] != ACT_NONE; i++)
        rc = add_action(ui, h, h->below->hints[i]);
    if (!rc) rc = list_add(&h->l, "", NULL, 0, 0);
    if (!rc) rc = list_add(&h->l, T(ui, " All keys:", " 全部按键："), NULL, 0, 0);
    return rc;
}

static int fill(struct ui *ui, struct help *h)
{
    char line[700];
    int rc;
    list_clear(&h->l);
    rc = add_screen(ui, h);
    if (!rc) rc = add_text(ui, h, T(ui, " Esc 1 .. Esc 9, Esc 0: the same as F1 .. F9, F10 (terminals without function keys)",
                                    " Esc 1 .. Esc 9、Esc 0：等同 F1 .. F9、F10（终端没有功能键时）"), 1);
    for (int a = 0; a < ACT_COUNT && !rc; a++) rc = add_action(ui, h, (enum cz_action)a);
    if (!rc && ui->keymap_errors[0]) {
        snprintf(line, sizeof line, " %s %s", T(ui, "Keymap problems:", "按键设置有误："), ui->keymap_errors);
        rc = add_text(ui, h, line, 1);
    }
    return rc;
}

static int help_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct help *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    /* Not yet pushed: the top of the stack is the screen F1 was pressed on. */
    h->below = ui_top(ui);
    return fill(ui, h);
}

static size_t last_top(const struct help *h)
{
    return h->l.n > (size_t)h->page ? h->l.n - (size_t)h->page : 0;
}

static void help_draw(struct ui *ui, struct screen *s)
{
    struct help *h = s->state;
    char line[160];
    int rows = ui_body_rows(ui) - 2;
    fill(ui, h);   /* the language may have changed */
    h->page = rows > 1 ? rows : 1;
    if (h->top > last_top(h)) h->top = last_top(h);
    snprintf(line, sizeof line, "%s: %s", T(ui, "Help", "帮助"),
             h->below ? T(ui, "this screen and its keys", "本页用途和按键") : T(ui, "keys", "按键"));
    ui_title(ui, line);
    for (int r = 0; r < rows && h->top + (size_t)r < h->l.n; r++)
        ui_text_pad(ui, UI_TOP + 2 + r, 0, h->l.rows[h->top + (size_t)r].text, ui->cols, A_NORMAL);
    if (h->l.n > (size_t)h->page) {
        size_t last = h->top + (size_t)h->page < h->l.n ? h->top + (size_t)h->page : h->l.n;
        snprintf(line, sizeof line, " %zu-%zu/%zu ", h->top + 1, last, h->l.n);
        ui_text(ui, UI_TOP + 1 + rows, ui->cols - ui_cols(line) - 1, line, ui_cols(line), A_REVERSE);
    }
}

static enum ui_result help_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct help *h = s->state;
    size_t page = h->page > 1 ? (size_t)h->page - 1 : 1, end = last_top(h);
    switch (k->action) {
    case ACT_BACK: case ACT_HELP: case ACT_OPEN: return UI_POP;
    case ACT_UP: if (h->top) h->top--; return UI_HANDLED;
    case ACT_DOWN: if (h->top < end) h->top++; return UI_HANDLED;
    case ACT_PAGE_UP: h->top = h->top > page ? h->top - page : 0; return UI_HANDLED;
    case ACT_PAGE_DOWN: h->top = h->top + page < end ? h->top + page : end; return UI_HANDLED;
    case ACT_HOME: h->top = 0; return UI_HANDLED;
    case ACT_END: h->top = end; return UI_HANDLED;
    default: return UI_UNHANDLED;
    }
}

static void help_close(struct screen *s)
{
    struct help *h = s->state;
    list_clear(&h->l);
    free(h);
}

static const enum cz_action help_hints[] = { ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_help = {
    .name = "help",
    .open = help_open,
    .draw = help_draw,
    .key = help_key,
    .close = help_close,
    .hints = help_hints,
};
