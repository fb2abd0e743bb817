/* record.c — the add and edit form for a record of any type.  Every field
 * is checked as it is left; F2 checks all, then cz_station_add /
 * cz_station_edit signs and stores the record, and a refusal from the store
 * lands under the field it names.
 *
 * Power cuts: while the form holds changes, what is typed is kept as a
 * draft (draft.h, DIR/drafts/) rewritten after every change.  Opening the
 * same form again with a draft that differs from the stored values asks to
 * restore it; saving, leaving on purpose (Esc, confirmed) or quitting
 * deletes it.  A damaged draft is ignored with a message. */
#include "data.h"
#include "draft.h"
#include "form.h"
#include "keys.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct record {
    const struct cz_type *type;
    int editing;
    uint8_t entity[CZ_ENTITY_BYTES];
    char title[256];
    struct form fm;
    char *draft_path;      /* NULL: drafts are not kept */
    char *draft_last;      /* the draft as last written (saved time 0), or NULL */
};

/* The parent reference (a member's household): shown by number and head,
 * as the pickers name households; not typed. */
static int add_parent(struct ui *ui, struct record *rf, cz_txn *t, const struct cz_field *f,
                      const uint8_t *parent)
{
    char hex[2 * CZ_ENTITY_BYTES + 1], title[256] = "";
    struct cz_record p;
    cz_hex(parent, CZ_ENTITY_BYTES, hex);
    if (cz_record_load(t, parent, &p) == CZ_OK) {
        char number[64], head[128];
        data_field(&p, "number", ui->lang, number, sizeof number);
        data_field(&p, "head", ui->lang, head, sizeof head);
        snprintf(title, sizeof title, "%s %s", number, head);
        cz_record_clear(&p);
    }
    int rc = form_add(&rf->fm, T(ui, f->en, f->zh), FK_READONLY, f, hex);
    if (!rc) rf->fm.f[rf->fm.n - 1].shown = strdup(title);
    return rc;
}

static int add_fields(struct ui *ui, struct record *rf, cz_txn *t, const cz_body *body,
                      const uint8_t *parent)
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    char value[1024];
    int rc = CZ_OK;
    for (size_t i = 0; i < rf->type->nfields && !rc; i++) {
        const struct cz_field *f = &rf->type->fields[i];
        if (f->flags & CZ_FF_DERIVED || f->type == CZ_F_VERSION || f->type == CZ_F_KEY) continue;
        value[0] = 0;
        if (body) cz_schema_format(f, body, CZ_LANG_EN, 0, value, sizeof value);
        else if (f->flags & CZ_FF_REGION) snprintf(value, sizeof value, "%s", info->region);
        if (f->type == CZ_F_REF && parent && f->ref_type && !strcmp(f->ref_type, "household"))
            rc = add_parent(ui, rf, t, f, parent);
        else
            rc = form_add(&rf->fm, T(ui, f->en, f->zh), form_kind_for(f), f, value);
    }
    return rc;
}

static int load(struct ui *ui, struct record *rf, const struct record_form_arg *a)
{
    struct cz_record r;
    cz_txn *t = NULL;
    int rc;
    memset(&r, 0, sizeof r);
    if ((rc = cz_txn_begin(cz_station_store(ui->st), 0, &t))) return rc;
    if (a->entity) {
        if ((rc = cz_record_load(t, a->entity, &r))) goto cleanup;
        if (!r.body || r.type != rf->type) { rc = r.body ? CZ_ETYPE : CZ_EDELETED; goto cleanup; }
        cz_schema_title(r.type, r.body, rf->title, sizeof rf->title);
    }
    rc = add_fields(ui, rf, t, r.body, a->parent);
cleanup:
    cz_record_clear(&r);
    cz_txn_abort(t);
    return rc;
}

/* The form's typed content as a draft (saved time 0). */
static int draft_build(const struct record *rf, struct cz_draft *d)
{
    int rc = CZ_OK;
    memset(d, 0, sizeof *d);
    snprintf(d->type, sizeof d->type, "%s", rf->type->key);
    if (rf->editing) cz_hex(rf->entity, CZ_ENTITY_BYTES, d->entity);
    else snprintf(d->entity, sizeof d->entity, "new");
    for (size_t i = 0; i < rf->fm.n && !rc; i++) {
        const struct form_field *f = &rf->fm.f[i];
        if (f->field && f->kind != FK_READONLY) rc = cz_draft_add(d, f->field->key, f->e.s);
    }
    if (rc) cz_draft_free(d);
    return rc;
}

static void draft_drop(struct record *rf)
{
    if (rf->draft_path) cz_draft_remove(rf->draft_path);
    free(rf->draft_last);
    rf->draft_last = NULL;
}

/* After every change: the draft follows the form (gone when it holds no
 * change).  Written only when its content changed. */
static void draft_update(struct ui *ui, struct record *rf)
{
    struct cz_draft d;
    char *text = NULL;
    size_t len;
    if (!rf->draft_path) return;
    if (!form_modified(&rf->fm)) { if (rf->draft_last) draft_drop(rf); return; }
    if (draft_build(rf, &d)) return;
    if (cz_draft_encode(&d, &text, &len) == CZ_OK && (!rf->draft_last || strcmp(text, rf->draft_last))) {
        d.saved = (int64_t)time(NULL);
        int rc = cz_draft_write(rf->draft_path, &d);
        if (rc) ui_message(ui, 1, "%s: %s", T(ui, "The draft could not be kept", "无法保存草稿"), cz_strerror(rc, ui->lang));
        free(rf->draft_last);
        rf->draft_last = text;
        text = NULL;
    }
    free(text);
    cz_draft_free(&d);
}

/* A draft left by a power cut (or a killed program): offered back when it
 * differs from what the form shows now. */
static void draft_offer(struct ui *ui, struct record *rf)
{
    struct cz_draft d, now;
    char want[2 * CZ_ENTITY_BYTES + 1], when[32], question[200];
    int rc = cz_draft_read(rf->draft_path, &d), differs = 0;
    if (rc == CZ_ENOTFOUND) return;
    if (rc) {
        ui_message(ui, 1, "%s (%s)", T(ui, "A damaged draft of this form was ignored", "本表单的草稿已损坏，已忽略"),
                   cz_strerror(rc, ui->lang));
        return;
    }
    if (rf->editing) cz_hex(rf->entity, CZ_ENTITY_BYTES, want);
    else snprintf(want, sizeof want, "new");
    if (strcmp(d.type, rf->type->key) || strcmp(d.entity, want)) {
        ui_message(ui, 1, "%s", T(ui, "A draft for another record was ignored", "草稿属于另一条记录，已忽略"));
        cz_draft_free(&d);
        return;
    }
    if (draft_build(rf, &now) == CZ_OK) {
        for (size_t i = 0; i < now.n; i++) {
            const char *v = cz_draft_get(&d, now.f[i].key);
            if (strcmp(v ? v : "", now.f[i].value)) differs = 1;
        }
        cz_draft_free(&now);
    }
    data_time(d.saved, when, sizeof when);
    snprintf(question, sizeof question, T(ui, "Restore the unsaved form from %s?", "恢复 %s 未保存的表单吗？"), when);
    if (differs && ui_confirm(ui, question)) {
        for (size_t i = 0; i < rf->fm.n; i++) {
            struct form_field *f = &rf->fm.f[i];
            const char *v = f->field && f->kind != FK_READONLY ? cz_draft_get(&d, f->field->key) : NULL;
            if (v) form_set_value(ui, &rf->fm, i, v);
        }
        ui_message(ui, 0, "%s", T(ui, "The unsaved form was restored.", "已恢复未保存的表单。"));
        draft_update(ui, rf);
    } else {
        draft_drop(rf);
        if (differs) ui_message(ui, 0, "%s", T(ui, "The draft was discarded.", "草稿已丢弃。"));
    }
    cz_draft_free(&d);
}

static int record_open(struct ui *ui, struct screen *s, const void *arg)
{
    const struct record_form_arg *a = arg;
    struct record *rf = calloc(1, sizeof *rf);
    if (!rf) return CZ_ENOMEM;
    s->state = rf;
    if (!(rf->type = cz_schema_type(a->type))) return CZ_ETYPE;
    rf->fm.type = rf->type;
    rf->editing = a->entity != NULL;
    if (a->entity) memcpy(rf->entity, a->entity, CZ_ENTITY_BYTES);
    int rc = load(ui, rf, a);
    if (rc) return rc;
    form_describe(ui, &rf->fm);
    while (rf->fm.focus + 1 < rf->fm.n && rf->fm.f[rf->fm.focus].kind == FK_READONLY) rf->fm.focus++;
    if (cz_draft_path(cz_station_dir(ui->st), rf->type->key, a->entity, a->parent, &rf->draft_path) == CZ_OK)
        draft_offer(ui, rf);
    return CZ_OK;
}

static void record_draw(struct ui *ui, struct screen *s)
{
    struct record *rf = s->state;
    char line[400];
    const char *type = T(ui, rf->type->en, rf->type->zh);
    if (rf->editing) snprintf(line, sizeof line, "%s %s: %s", T(ui, "Edit", "修改"), type, rf->title);
    else snprintf(line, sizeof line, "%s%s%s", T(ui, "New ", "新增"), type,
                  T(ui, "  (* required; Enter on a list field opens its choices)", "（*为必填；在选项字段上按回车选择）"));
    ui_title(ui, line);
    form_draw(ui, &rf->fm, UI_TOP + 2, ui_body_rows(ui) - 2);
}

/* The FIELD=VALUE pairs to sign: all filled fields for a new record, only
 * the changed ones for a new version.  Returns the count. */
static size_t collect(const struct record *rf, struct cz_assign *a)
{
    size_t n = 0;
    for (size_t i = 0; i < rf->fm.n; i++) {
        const struct form_field *f = &rf->fm.f[i];
        if (!f->field) continue;
        if (rf->editing ? !strcmp(f->e.s, f->orig) : !f->e.s[0]) continue;
        a[n].field = f->field->key;
        a[n++].value = f->e.s;
    }
    return n;
}

static enum ui_result save(struct ui *ui, struct record *rf)
{
    struct cz_assign *a = calloc(rf->fm.n + 1, sizeof *a);
    struct cz_field_error err;
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES];
    char hex[2 * CZ_ID_BYTES + 1];
    int rc;
    if (!a) { ui_status_message(ui, CZ_ENOMEM); return UI_HANDLED; }
    if (form_check_all(ui, &rf->fm)) {
        ui_message(ui, 1, "%s", T(ui, "Not saved: fix the fields marked below.", "未保存：请改正下面标出的字段。"));
        free(a);
        return UI_HANDLED;
    }
    size_t n = collect(rf, a);
    memset(&err, 0, sizeof err);
    if (rf->editing && !n) { free(a); ui_message(ui, 0, "%s", T(ui, "Nothing changed.", "没有改动。")); return UI_POP; }
    rc = rf->editing ? cz_station_edit(ui->st, rf->entity, a, n, id, &err)
                     : cz_station_add(ui->st, rf->type->key, a, n, entity, id, &err);
    free(a);
    if (rc) {
        if (err.field || err.name[0]) form_set_error(ui, &rf->fm, &err);
        else ui_status_message(ui, rc);
        if (!ui->msg[0] || !ui->msg_error)
            ui_message(ui, 1, "%s", T(ui, "Not saved: fix the field marked below.", "未保存：请改正下面标出的字段。"));
        return UI_HANDLED;
    }
    draft_drop(rf);
    cz_hex(id, CZ_ID_BYTES, hex);
    ui_message(ui, 0, "%s %.16s", T(ui, "Signed and saved. Version", "已签名保存。版本"), hex);
    ui_refresh_counts(ui);
    return UI_POP;
}

static enum ui_result record_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct record *rf = s->state;
    if (k->action == ACT_SAVE) return save(ui, rf);
    if (k->action == ACT_BACK) {
        if (form_modified(&rf->fm) &&
            !ui_confirm(ui, T(ui, "Leave without saving?", "不保存就离开吗？")))
            return UI_HANDLED;
        draft_drop(rf);
        return UI_POP;
    }
    enum ui_result r = form_key(ui, &rf->fm, k);
    if (r == UI_HANDLED) draft_update(ui, rf);
    return r;
}

static int record_dirty(const struct screen *s)
{
    const struct record *rf = s->state;
    return form_modified(&rf->fm);
}

static void record_close(struct screen *s)
{
    struct record *rf = s->state;
    /* Closed by saving, by Esc or by quitting: all on purpose (a power cut
     * or a killed program never gets here, so its draft stays). */
    draft_drop(rf);
    free(rf->draft_path);
    form_free(&rf->fm);
    free(rf);
}

static const enum cz_action record_hints[] = { ACT_SAVE, ACT_NEXT, ACT_OPEN, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_record = {
    "record", record_open, record_draw, record_key, record_close, NULL, record_dirty, record_hints,
};

void record_form(struct ui *ui, const char *type, const uint8_t *entity, const uint8_t *parent)
{
    struct record_form_arg a = { type, entity, parent };
    int rc = ui_push(ui, &cz_screen_record, &a);
    if (rc) ui_status_message(ui, rc);
}
