/* settings.c — the language (saved for the next start; --lang on the
 * command line still wins), the keymap: where the user's file is,
 * whether it loaded, its errors, and reloading it; and the people on this
 * PC: changing one's own passphrase (as `cunzhan user passwd`) and
 * removing another person's key slot (as `cunzhan user remove`). */
#include "prefs.h"
#include "screens_all.h"
#include "overview.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ROW_LANG_ZH, ROW_LANG_EN, ROW_RELOAD, ROW_PASSWD, ROW_REMOVE, ROW_COUNT };

struct settings {
    size_t sel;
    char prefs_file[4096], keys_file[4096];
    int prefs_rc, prefs_line;
};

static void look(struct settings *st)
{
    struct prefs p;
    prefs_path(st->prefs_file, sizeof st->prefs_file);
    prefs_keymap_path(st->keys_file, sizeof st->keys_file);
    st->prefs_rc = prefs_load(&p, &st->prefs_line);
}

static int settings_open(struct ui *ui, struct screen *s, const void *arg)
{
    (void)arg;
    struct settings *st = calloc(1, sizeof *st);
    if (!st) return CZ_ENOMEM;
    s->state = st;
    st->sel = ui->lang == CZ_LANG_ZH ? ROW_LANG_ZH : ROW_LANG_EN;
    look(st);
    return CZ_OK;
}

static void settings_draw(struct ui *ui, struct screen *s)
{
    struct settings *st = s->state;
    char line[4400];
    int y = UI_TOP, w = ui->cols - 2;
    ui_text(ui, y++, 1, T(ui, "Settings", "设置"), w, A_BOLD);
    y++;
    ui_text(ui, y++, 1, T(ui, "Language (saved for the next start):", "界面语言（下次启动时沿用）："), w, A_BOLD);
    static const char *const rows[ROW_COUNT][2] = {
        { "中文", "中文" }, { "English", "English" }, { "Reload the keymap file", "重新读取按键文件" },
        { "Change my passphrase", "修改我的口令" }, { "Remove a person from this PC", "从本机删除用户" } };
    for (int i = 0; i < ROW_COUNT; i++) {
        if (i == ROW_RELOAD) {
            y++;
            ui_text(ui, y++, 1, T(ui, "Keymap:", "按键设置："), w, A_BOLD);
            snprintf(line, sizeof line, "%s %s", T(ui, "File:", "文件："), st->keys_file[0] ? st->keys_file : "-");
            ui_text(ui, y++, 2, line, w - 1, A_NORMAL);
            const char *state = !st->keys_file[0] || access(st->keys_file, R_OK)
                              ? T(ui, "not present: the default keys are used", "不存在：使用默认按键")
                              : ui->keymap_errors[0] ? T(ui, "loaded, with errors (below)", "已读取，但有错误（见下）")
                                                     : T(ui, "loaded", "已读取");
            snprintf(line, sizeof line, "%s %s", T(ui, "State:", "状态："), state);
            ui_text(ui, y++, 2, line, w - 1, A_NORMAL);
            if (ui->keymap_errors[0]) y += ui_text_wrap(ui, y, 2, ui->keymap_errors, w - 1, 3, A_NORMAL);
        } else if (i == ROW_PASSWD) {
            y++;
            snprintf(line, sizeof line, "%s %s", T(ui, "People on this PC; logged in:", "本机用户；当前登录："),
                     cz_station_user(ui->st) ? cz_station_user(ui->st) : "-");
            ui_text(ui, y++, 1, line, w, A_BOLD);
        }
        int attr = (size_t)i == st->sel ? A_REVERSE : A_NORMAL;
        const char *mark = (i == ROW_LANG_ZH && ui->lang == CZ_LANG_ZH) || (i == ROW_LANG_EN && ui->lang == CZ_LANG_EN)
                         ? "(*) " : i >= ROW_RELOAD ? "" : "( ) ";
        snprintf(line, sizeof line, "%s%s", mark, T(ui, rows[i][0], rows[i][1]));
        ui_text_pad(ui, y, 2, line, w - 1, attr);
        if ((size_t)i == st->sel) ui_cursor(ui, y, 2);
        y++;
    }
    y++;
    snprintf(line, sizeof line, "%s %s", T(ui, "Settings file:", "设置文件："), st->prefs_file[0] ? st->prefs_file : "-");
    ui_text(ui, y++, 1, line, w, A_NORMAL);
    if (st->prefs_rc == CZ_EINVAL) {
        snprintf(line, sizeof line, T(ui, "Line %d is not understood (only lang=zh or lang=en); the file is not used.",
                                      "第 %d 行无法识别（只能是 lang=zh 或 lang=en）；该文件未被采用。"), st->prefs_line);
        ui_text(ui, y++, 1, line, w, A_BOLD);
    } else if (st->prefs_rc) {
        ui_text(ui, y++, 1, cz_strerror(st->prefs_rc, ui->lang), w, A_BOLD);
    }
}

static void wipe_free(char *s)
{
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

/* The person logged in changes their own passphrase: the old one, then the
 * new one twice.  The rule (cz_passphrase_check) is the core's message. */
static void change_passphrase(struct ui *ui)
{
    char *old = NULL, *p1 = NULL, *p2 = NULL;
    const char *user = cz_station_user(ui->st);
    if (!user) return;
    if (ui_prompt_secret(ui, T(ui, "Your current passphrase:", "当前口令："), &old)) goto cleanup;
    if (ui_prompt_secret(ui, T(ui, "New passphrase (8 characters or more):", "新口令（至少 8 个字符）："), &p1)) goto cleanup;
    if (ui_prompt_secret(ui, T(ui, "The new passphrase again:", "再次输入新口令："), &p2)) goto cleanup;
    if (strcmp(p1, p2)) {
        ui_message(ui, 1, "%s", T(ui, "The two new passphrases differ; nothing was changed.", "两次输入的新口令不一致；没有修改。"));
        goto cleanup;
    }
    int rc = cz_station_passwd(ui->st, user, old, p1);
    if (rc == CZ_EPASS)
        ui_message(ui, 1, "%s", T(ui, "The current passphrase is wrong; nothing was changed.", "当前口令错误；没有修改。"));
    else if (rc) ui_status_message(ui, rc);
    else ui_message(ui, 0, "%s", T(ui, "Passphrase changed.", "口令已修改。"));
cleanup:
    wipe_free(old);
    wipe_free(p1);
    wipe_free(p2);
}

struct names { char (*v)[CZ_NAME_MAX]; size_t n; const char *skip; };

static int name_cb(void *ctx, const char *name, const uint8_t *blob, size_t len)
{
    (void)blob; (void)len;
    struct names *ns = ctx;
    if (!strcmp(name, ns->skip) || ns->n >= 64) return 0;
    snprintf(ns->v[ns->n++], CZ_NAME_MAX, "%s", name);
    return 0;
}

/* Another person's key slot off this PC, after a confirm (their key is
 * not revoked: the office does that). */
static void remove_person(struct ui *ui)
{
    char v[64][CZ_NAME_MAX], q[512];
    const char *items[64];
    struct names ns = { .v = v, .skip = cz_station_user(ui->st) ? cz_station_user(ui->st) : "" };
    cz_view *view = NULL;
    int rc = cz_view_begin(ui->st, &view);
    if (!rc) rc = cz_view_each_user(view, name_cb, &ns);
    cz_view_end(view);
    if (rc) { ui_status_message(ui, rc); return; }
    if (!ns.n) {
        ui_message(ui, 1, "%s", T(ui, "Nobody else has a key on this PC.", "本机没有其他用户。"));
        return;
    }
    for (size_t i = 0; i < ns.n; i++) items[i] = v[i];
    int r = ui_pick(ui, T(ui, "Remove whom from this PC?", "从本机删除谁？"), items, ns.n, 0);
    if (r < 0) return;
    snprintf(q, sizeof q, T(ui, "Remove %s's key from this PC? (Not revoked: the office does that.)",
                            "从本机删除 %s 的密钥？（并未吊销：吊销由市办进行。）"), v[r]);
    if (!ui_confirm(ui, q)) return;
    rc = cz_station_user_remove(ui->st, v[r]);
    if (rc) ui_status_message(ui, rc);
    else ui_message(ui, 0, T(ui, "Removed %s from this PC.", "已从本机删除 %s。"), v[r]);
}

static void choose(struct ui *ui, struct settings *st)
{
    if (st->sel == ROW_PASSWD) { change_passphrase(ui); return; }
    if (st->sel == ROW_REMOVE) { remove_person(ui); return; }
    if (st->sel == ROW_RELOAD) {
        ui->keymap_errors[0] = 0;
        int bad = cz_keymap_load(&ui->km, ui_keymap_error, ui);
        if (bad) ui_message(ui, 1, T(ui, "Keymap reloaded: %d bad line(s).", "按键已重新读取：%d 行有错误。"), bad);
        else ui_message(ui, 0, "%s", T(ui, "Keymap reloaded.", "按键已重新读取。"));
        look(st);
        return;
    }
    struct prefs p = { .have_lang = 1, .lang = st->sel == ROW_LANG_ZH ? CZ_LANG_ZH : CZ_LANG_EN };
    ui->lang = p.lang;
    int rc = prefs_save(&p);
    look(st);
    if (rc) {
        char path[4096];
        prefs_path(path, sizeof path);
        ui_message(ui, 1, "%s: %s: %s", T(ui, "The language was not saved", "语言设置未能保存"), path, cz_strerror(rc, ui->lang));
    }
    else ui_message(ui, 0, "%s", T(ui, "Saved: English from the next start too.", "已保存：下次启动也使用中文。"));
}

static enum ui_result settings_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct settings *st = s->state;
    switch (k->action) {
    case ACT_UP: case ACT_PREV: if (st->sel) st->sel--; return UI_HANDLED;
    case ACT_DOWN: case ACT_NEXT: if (st->sel + 1 < ROW_COUNT) st->sel++; return UI_HANDLED;
    case ACT_OPEN: case ACT_SAVE: choose(ui, st); return UI_HANDLED;
    default: return UI_UNHANDLED;
    }
}

static void settings_close(struct screen *s)
{
    free(s->state);
}

static const enum cz_action settings_hints[] = { ACT_OPEN, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_settings = {
    .name = "settings",
    .open = settings_open,
    .draw = settings_draw,
    .key = settings_key,
    .close = settings_close,
    .hints = settings_hints,
};
