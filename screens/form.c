#include "form.h"
#include "codec.h"
#include "fields.h"
#include "grow.h"
#include "pickers.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum form_kind form_kind_for(const struct cz_field *f)
{
    switch (f->type) {
    case CZ_F_ENUM: return FK_ENUM;
    case CZ_F_INT: case CZ_F_YEAR: return FK_NUMBER;
    case CZ_F_MONEY: case CZ_F_AREA: case CZ_F_DECIMAL: return FK_DECIMAL;
    case CZ_F_DATE: return FK_DATE;
    case CZ_F_SET: return FK_SET;
    case CZ_F_REF: return f->ref_type ? FK_REF : FK_TEXT;
    case CZ_F_LIST: return !strcmp(f->key, "households") ? FK_HOUSEHOLDS : FK_TEXT;
    default: return FK_TEXT;
    }
}

/* A set's keys as labels in the person's language. */
static char *set_labels(struct ui *ui, const struct cz_field *field, const char *value)
{
    size_t cap = strlen(value) * 4 + 64, used = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    for (const char *s = value; *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, s);
        const char *label = cz_enum_label(field, key, ui->lang);
        if (used + strlen(label) + 4 < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? T(ui, ", ", "、") : "", label);
        s = c ? c + 1 : s + len;
    }
    return out;
}

/* What a picker field shows for its value (titles, labels). */
static void describe(struct ui *ui, struct form_field *f)
{
    char *shown = NULL;
    if (f->kind == FK_SET) shown = set_labels(ui, f->field, f->e.s);
    else if (f->kind == FK_REF || f->kind == FK_HOUSEHOLDS) pick_describe(ui, f->e.s, &shown);
    else return;
    free(f->shown);
    f->shown = shown;
}

void form_describe(struct ui *ui, struct form *fm)
{
    for (size_t i = 0; i < fm->n; i++) describe(ui, &fm->f[i]);
}

int form_set_value(struct ui *ui, struct form *fm, size_t i, const char *value)
{
    int rc = edit_set(&fm->f[i].e, value);
    if (!rc) describe(ui, &fm->f[i]);
    return rc;
}

int form_add(struct form *fm, const char *label, enum form_kind kind,
             const struct cz_field *field, const char *value)
{
    if (cz_grow(&fm->f, &fm->cap, fm->n + 1, sizeof *fm->f)) return CZ_ENOMEM;
    struct form_field *f = &fm->f[fm->n];
    memset(f, 0, sizeof *f);
    snprintf(f->label, sizeof f->label, "%s", label);
    f->kind = kind;
    f->field = field;
    f->e.secret = kind == FK_SECRET;
    if (edit_set(&f->e, value) || !(f->orig = strdup(value ? value : ""))) {
        edit_free(&f->e);
        return CZ_ENOMEM;
    }
    fm->n++;
    return CZ_OK;
}

int form_add_text(struct form *fm, const char *en, const char *zh, enum form_kind kind, const char *value)
{
    int rc = form_add(fm, en, kind, NULL, value);
    if (!rc) snprintf(fm->f[fm->n - 1].label_zh, sizeof fm->f[fm->n - 1].label_zh, "%s", zh);
    return rc;
}

void form_free(struct form *fm)
{
    for (size_t i = 0; i < fm->n; i++) {
        edit_free(&fm->f[i].e);
        free(fm->f[i].orig);
        free(fm->f[i].shown);
    }
    free(fm->f);
    memset(fm, 0, sizeof *fm);
}

int form_modified(const struct form *fm)
{
    for (size_t i = 0; i < fm->n; i++)
        if (fm->f[i].kind != FK_READONLY && strcmp(fm->f[i].e.s, fm->f[i].orig)) return 1;
    return 0;
}

const char *form_value(const struct form *fm, size_t i)
{
    return fm->f[i].e.s;
}

/* A field's label in the language of the moment. */
static const char *field_label(const struct ui *ui, const struct form_field *f)
{
    if (f->field) return T(ui, f->field->en, f->field->zh);
    return f->label_zh[0] ? T(ui, f->label, f->label_zh) : f->label;
}

int form_check(struct ui *ui, struct form *fm, size_t i)
{
    struct form_field *f = &fm->f[i];
    struct cz_field_error err;
    f->error[0] = 0;
    f->store_error = 0;
    if (!fm->type || !f->field || f->kind == FK_READONLY) return 0;
    if (!f->e.s[0]) {
        if (!(f->field->flags & CZ_FF_REQUIRED)) return 0;
        /* The core's message names the command-line form (head=...). */
        if (f->kind == FK_ENUM)
            snprintf(f->error, sizeof f->error, T(ui, "required: choose a %s", "必填：请选择%s"), field_label(ui, f));
        else
            snprintf(f->error, sizeof f->error, T(ui, "required: fill in %s", "必填：请填写%s"), field_label(ui, f));
        return -1;
    }
    cz_body *b = cz_body_new();
    if (!b) return -1;
    memset(&err, 0, sizeof err);
    int rc = cz_schema_set(fm->type, b, f->field->key, f->e.s, &err);
    cz_body_free(b);
    /* A reference is checked against the store on save, not here. */
    if (rc && f->field->type != CZ_F_REF)   /* under its label: the hint alone, no key */
        cz_field_error_hint(fm->type, &err, ui->lang, f->error, sizeof f->error);
    return f->error[0] ? -1 : 0;
}

int form_check_all(struct ui *ui, struct form *fm)
{
    int bad = 0;
    for (size_t i = 0; i < fm->n; i++) {
        if (form_check(ui, fm, i) && !bad) { fm->focus = i; bad = 1; }
    }
    return bad ? -1 : 0;
}

void form_set_error(struct ui *ui, struct form *fm, const struct cz_field_error *err)
{
    for (size_t i = 0; i < fm->n; i++) {
        struct form_field *f = &fm->f[i];
        if (!err->field || f->field != err->field) continue;
        cz_field_error_hint(fm->type, err, ui->lang, f->error, sizeof f->error);
        f->refused = *err;
        f->store_error = 1;
        fm->focus = i;
        return;
    }
    char msg[512], hint[480];
    if (err->field) {
        /* A field this form does not show: named by its label, not its key. */
        cz_field_error_hint(fm->type, err, ui->lang, hint, sizeof hint);
        snprintf(msg, sizeof msg, "%s: %s", T(ui, err->field->en, err->field->zh), hint);
    } else {
        cz_field_error_message(fm->type, err, ui->lang, msg, sizeof msg);
    }
    ui_message(ui, 1, "%s", msg);
}

/* The language changed (F9): what the form wrote in the old one is
 * written again in the new (labels and choices are drawn from the schema
 * each time). */
static void relanguage(struct ui *ui, struct form *fm)
{
    fm->lang = 1 + (int)ui->lang;
    for (size_t i = 0; i < fm->n; i++) {
        struct form_field *f = &fm->f[i];
        describe(ui, f);
        if (!f->error[0]) continue;
        if (f->store_error) cz_field_error_hint(fm->type, &f->refused, ui->lang, f->error, sizeof f->error);
        else form_check(ui, fm, i);
    }
}

static int label_width(const struct ui *ui, const struct form *fm)
{
    int w = 0;
    for (size_t i = 0; i < fm->n; i++) {
        int c = ui_cols(field_label(ui, &fm->f[i]));
        if (c > w) w = c;
    }
    return w + 2 < ui->cols / 3 ? w + 2 : ui->cols / 3;
}

static int field_rows(struct ui *ui, const struct form *fm, const struct form_field *f)
{
    return 1 + (f->error[0] ? ui_text_wrap(ui, -1, 0, f->error, fm->value_w, 3, 0) : 0) +
           (f->note[0] ? ui_text_wrap(ui, -1, 0, f->note, fm->value_w, 3, 0) : 0);
}

/* Keeps the focused field inside the rows shown. */
static void scroll_to_focus(struct ui *ui, struct form *fm, int rows)
{
    if (fm->focus < fm->top) fm->top = fm->focus;
    for (;;) {
        int used = 0;
        for (size_t i = fm->top; i <= fm->focus && i < fm->n; i++) used += field_rows(ui, fm, &fm->f[i]);
        if (used <= rows || fm->top >= fm->focus) return;
        fm->top++;
    }
}

/* An empty choice shows as a choice too: saved empty, it is seen empty. */
static const char *enum_shown(struct ui *ui, const struct form_field *f)
{
    if (!f->e.s[0]) return T(ui, "-  (none chosen)", "-（未选择）");
    return cz_enum_label(f->field, f->e.s, ui->lang);
}

/* A field's label in lw columns.  One wider than its third of the
 * screen ends in "…" before its required mark, so that it is not read as
 * whole; focused, it is said whole on the message line (when nothing
 * else is said there), as the message line is rewritten on every key. */
static void draw_label(struct ui *ui, const struct form_field *f, int y, int lw, int focused)
{
    const char *name = field_label(ui, f), *star = f->field && (f->field->flags & CZ_FF_REQUIRED) ? "*" : "";
    char label[200];
    int attr = focused ? A_BOLD : A_NORMAL, room = lw - (int)strlen(star);
    size_t len = strlen(name);
    if (ui_width_cols(name, len) <= (size_t)room || room < 2) {
        snprintf(label, sizeof label, "%s%s", name, star);
    } else {
        size_t take = ui_width(name, len, (size_t)room - 1, NULL, NULL);
        while (take > 0 && name[take - 1] == ' ') take--;
        snprintf(label, sizeof label, "%.*s\xe2\x80\xa6%s", (int)take, name, star);
        if (focused && !ui->msg[0]) snprintf(ui->msg, sizeof ui->msg, "%s%s", name, star);
    }
    ui_text(ui, y, 1, label, lw, attr);
}

static void draw_field(struct ui *ui, struct form *fm, size_t i, int y, int lw)
{
    struct form_field *f = &fm->f[i];
    int focused = i == fm->focus, x = lw + 2, w = ui->cols - x - 1;
    draw_label(ui, f, y, lw, focused);
    if (f->kind == FK_READONLY) {
        ui_text(ui, y, x, f->shown ? f->shown : f->e.s, w, A_NORMAL);
    } else if (f->kind == FK_ENUM || f->kind == FK_SET || f->kind == FK_REF || f->kind == FK_HOUSEHOLDS) {
        const char *shown = f->kind == FK_ENUM ? enum_shown(ui, f) : f->shown ? f->shown : f->e.s;
        ui_text_pad(ui, y, x, shown, w - 4, A_UNDERLINE | (focused ? A_BOLD : 0));
        ui_text(ui, y, x + w - 3, f->kind == FK_ENUM ? "[v]" : "[+]", 3, A_NORMAL);
        if (focused) ui_cursor(ui, y, x);
    } else if (f->kind == FK_NUMBER || f->kind == FK_DECIMAL || f->kind == FK_DATE) {
        field_typed_draw(ui, f, y, x, w, focused);
    } else if (field_is_place(f)) {
        field_place_draw(ui, f, y, x, w, focused);
    } else {
        edit_draw(ui, &f->e, y, x, w, focused, A_UNDERLINE | (focused ? A_BOLD : 0));
    }
    int below = 1;
    if (f->error[0]) below += ui_text_wrap(ui, y + below, x, f->error, w, 3, A_BOLD);
    if (f->note[0]) ui_text_wrap(ui, y + below, x, f->note, w, 3, A_NORMAL);
}

void form_draw(struct ui *ui, struct form *fm, int y, int rows)
{
    if (fm->lang != 1 + (int)ui->lang) relanguage(ui, fm);
    int lw = label_width(ui, fm), used = 0;
    fm->value_w = ui->cols - lw - 3;
    scroll_to_focus(ui, fm, rows);
    for (size_t i = fm->top; i < fm->n && used + field_rows(ui, fm, &fm->f[i]) <= rows; i++) {
        draw_field(ui, fm, i, y + used, lw);
        used += field_rows(ui, fm, &fm->f[i]);
    }
}

static void pick_enum(struct ui *ui, struct form_field *f)
{
    const char *items[64];
    const char *keys[64];
    size_t n = 0, current = 0;
    items[n] = T(ui, "(none)", "（空）");
    keys[n++] = "";
    for (const struct cz_enum_value *v = f->field->values; v && v->key && n < 64; v++) {
        if (!strcmp(v->key, f->e.s)) current = n;
        items[n] = T(ui, v->en, v->zh);
        keys[n++] = v->key;
    }
    int got = ui_pick(ui, field_label(ui, f), items, n, current);
    if (got >= 0) edit_set(&f->e, keys[got]);
}

static void pick_set(struct ui *ui, struct form_field *f)
{
    const char *items[64] = { 0 }, *keys[64] = { 0 };
    int checked[64] = { 0 };
    size_t n = 0, vl = strlen(f->e.s);
    char *padded = malloc(vl + 3);   /* ",a,b," so each key is found whole */
    if (!padded) { ui_status_message(ui, CZ_ENOMEM); return; }
    snprintf(padded, vl + 3, ",%s,", f->e.s);
    for (const struct cz_enum_value *v = f->field->values; v && v->key && n < 64; v++) {
        char comma[80];
        snprintf(comma, sizeof comma, ",%s,", v->key);
        items[n] = T(ui, v->en, v->zh);
        keys[n] = v->key;
        checked[n++] = strstr(padded, comma) != NULL;
    }
    free(padded);
    if (!ui_checklist(ui, field_label(ui, f), items, n, checked)) return;
    char value[1024];
    size_t used = 0;
    value[0] = 0;
    for (size_t i = 0; i < n; i++)
        if (checked[i]) used += (size_t)snprintf(value + used, sizeof value - used, "%s%s", used ? "," : "", keys[i]);
    /* A key this build does not list (from a newer station) is kept. */
    for (const char *s = f->e.s; *s && used < sizeof value;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s), known = 0;
        for (size_t i = 0; i < n && !known; i++) known = strlen(keys[i]) == len && !strncmp(keys[i], s, len);
        if (!known && len) used += (size_t)snprintf(value + used, sizeof value - used, "%s%.*s", used ? "," : "", (int)len, s);
        s = c ? c + 1 : s + len;
    }
    edit_set(&f->e, value);
    describe(ui, f);
}

static void pick_refs(struct ui *ui, struct form_field *f)
{
    char *out = NULL;
    int multi = f->kind == FK_HOUSEHOLDS;
    int rc = pick_records(ui, field_label(ui, f), multi ? "household" : f->field->ref_type, multi, f->e.s, &out);
    if (rc < 0) ui_status_message(ui, -rc);
    if (rc == 1) { edit_set(&f->e, out); describe(ui, f); }
    free(out);
}

/* Opens the chooser of a field that has one; 0 when it has none. */
static int open_chooser(struct ui *ui, struct form_field *f)
{
    switch (f->kind) {
    case FK_ENUM: pick_enum(ui, f); return 1;
    case FK_SET: pick_set(ui, f); return 1;
    case FK_REF: case FK_HOUSEHOLDS: pick_refs(ui, f); return 1;
    default: return 0;
    }
}

/* Moves the focus, checking the field left behind; skips read-only ones. */
static void move_focus(struct ui *ui, struct form *fm, int dir)
{
    field_typed_leave(&fm->f[fm->focus]);
    form_check(ui, fm, fm->focus);
    size_t i = fm->focus;
    for (;;) {
        if (dir < 0 && i == 0) return;
        if (dir > 0 && i + 1 >= fm->n) return;
        i = dir > 0 ? i + 1 : i - 1;
        if (fm->f[i].kind != FK_READONLY) { fm->focus = i; return; }
    }
}

/* ch begins s: the same character, ASCII letters in either case. */
static int begins_with(const char *s, wchar_t ch)
{
    char u[4];
    size_t n = ui_utf8_put(ch, u);
    if (!s || !n) return 0;
    if (n == 1) return tolower((unsigned char)s[0]) == tolower((unsigned char)u[0]);
    return !strncmp(s, u, n);
}

/* A letter typed in a choice, as in a list box: the next value (after the
 * one shown, round to the first) whose key or label begins with it. */
static void enum_jump(struct form_field *f, wchar_t ch)
{
    const struct cz_enum_value *v = f->field ? f->field->values : NULL;
    size_t n = 0, cur = (size_t)-1;
    for (; v && v[n].key; n++) if (!strcmp(v[n].key, f->e.s)) cur = n;
    for (size_t step = 1; step <= n; step++) {
        const struct cz_enum_value *c = &v[(cur + step) % n];
        if (begins_with(c->key, ch) || begins_with(c->en, ch) || begins_with(c->zh, ch)) {
            edit_set(&f->e, c->key);
            return;
        }
    }
    beep();
}

/* Emptying a field by a key is said on the message line: a choice cleared
 * by mistake is otherwise easy to miss. */
static void say_cleared(struct ui *ui, const struct form_field *f, int was_empty)
{
    if (was_empty) ui_message(ui, 0, T(ui, "%s is empty already.", "%s 本来就是空的。"), field_label(ui, f));
    else ui_message(ui, 0, T(ui, "Cleared: %s", "已清空：%s"), field_label(ui, f));
}

static enum ui_result choice_key(struct ui *ui, struct form_field *f, const struct ui_key *k)
{
    if (k->ch == ' ') { open_chooser(ui, f); return UI_HANDLED; }
    if (k->action == ACT_CLEAR || k->action == ACT_BACKSPACE) {
        say_cleared(ui, f, !f->e.s[0]);
        edit_set(&f->e, "");
        describe(ui, f);
        return UI_HANDLED;
    }
    if (k->ch && f->kind == FK_ENUM) enum_jump(f, field_fold_char(k->ch));
    return k->ch ? UI_HANDLED : UI_UNHANDLED;
}

static enum ui_result value_key(struct ui *ui, struct form *fm, struct form_field *f, const struct ui_key *k)
{
    switch (k->action) {
    case ACT_NEXT: case ACT_DOWN: move_focus(ui, fm, 1); return UI_HANDLED;
    case ACT_PREV: case ACT_UP: move_focus(ui, fm, -1); return UI_HANDLED;
    case ACT_OPEN:
        if (!open_chooser(ui, f)) move_focus(ui, fm, 1);
        return UI_HANDLED;
    default: break;
    }
    if (f->kind == FK_ENUM || f->kind == FK_SET || f->kind == FK_REF || f->kind == FK_HOUSEHOLDS)
        return choice_key(ui, f, k);
    if (f->kind == FK_READONLY) return UI_UNHANDLED;
    if (k->action == ACT_CLEAR) say_cleared(ui, f, !f->e.s[0]);
    if (f->kind == FK_NUMBER || f->kind == FK_DECIMAL || f->kind == FK_DATE)
        return field_typed_key(f, k) ? UI_HANDLED : UI_UNHANDLED;
    return edit_key(&f->e, k) ? UI_HANDLED : UI_UNHANDLED;
}

enum ui_result form_key(struct ui *ui, struct form *fm, const struct ui_key *k)
{
    if (!fm->n) return UI_UNHANDLED;
    struct form_field *f = &fm->f[fm->focus];
    size_t focus = fm->focus;
    char *before = strdup(f->e.s);
    enum ui_result r = value_key(ui, fm, f, k);
    /* A message about a value goes once the value changes: it no longer
     * describes what is there (saving checks every field again).  Leaving
     * the field checked it: that message stays. */
    int moved = fm->focus != focus || k->action == ACT_NEXT || k->action == ACT_PREV ||
                k->action == ACT_UP || k->action == ACT_DOWN;
    if (before && !moved && strcmp(before, f->e.s)) {
        f->error[0] = 0;
        f->store_error = 0;
    }
    free(before);
    return r;
}
