/* record.c — the add and edit form for a record of any type.  Every field
 * is checked as it is left; F2 checks all, then cz_station_add /
 * cz_station_edit_seen signs and stores the record, and a refusal from the
 * store lands under the field it names.
 *
 * Nothing changes unless someone chose it: the edit form keeps the
 * versions (heads) its values came from and saves over exactly those.
 * When the record changed meanwhile (CZ_ECHANGED) nothing is signed: the
 * form shows the new values, noting under each field what changed, and
 * the person saves again knowingly.  A record in conflict shows every
 * value under its field; saving asks which value stands for each
 * conflicting field the person did not type into, and a deletion
 * concurrent with an edit is sent to the Conflicts screen for the record.
 *
 * Power cuts: while the form holds changes, what is typed is kept as the
 * logged-in person's draft (draft.h, DIR/drafts/<person>/) rewritten after
 * every change.  Opening the same form again with a draft that differs
 * from the stored values asks: restore it, keep it for later (also Esc),
 * or discard it (confirmed).  Saving, leaving on purpose (Esc, confirmed)
 * or quitting deletes it, unless it was kept for later.  A damaged draft
 * is ignored with a message. */
#include "allowed.h"
#include "data.h"
#include "draft.h"
#include "merge.h"
#include "form.h"
#include "keys.h"
#include "overview.h"
#include "hex.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One conflicting field of the record as the form loaded it: its values,
 * each with who signed it, as the person is asked to choose. */
struct conflict {
    size_t field;          /* index in the form; (size_t)-1 for a deletion */
    size_t n;
    char raw[CZ_PARENTS_MAX][1024];     /* as an assignment takes it */
    char shown[CZ_PARENTS_MAX][1280];   /* value, signer and time, in the person's language */
    int chosen;            /* the person picked one since the form loaded */
};

struct record {
    const struct cz_type *type;
    int editing;
    uint8_t entity[CZ_ENTITY_BYTES];
    char title[256];
    char region[CZ_REGION_MAX + 1];   /* the record's, for who may delete it */
    char name[320];        /* its number (when it has one) and title: what a delete names */
    struct form fm;
    char *draft_path;      /* NULL: drafts are not kept */
    char *draft_last;      /* the draft as last written (saved time 0), or NULL */
    int draft_kept;        /* an earlier draft kept for later: this form leaves it alone */
    /* The versions the form's values come from: a save names exactly these
     * as parents, or is refused when the record moved on (CZ_ECHANGED). */
    uint8_t seen[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t nseen;
    struct conflict *conflicts;
    size_t nconflicts;
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

/* The form field showing `tag`, or (size_t)-1. */
static size_t field_index(const struct record *rf, uint32_t tag)
{
    for (size_t i = 0; i < rf->fm.n; i++)
        if (rf->fm.f[i].field && rf->fm.f[i].kind != FK_READONLY && rf->fm.f[i].field->tag == tag) return i;
    return (size_t)-1;
}

/* The record's conflicts (read in t, with the heads), each noted under its
 * field with every value, so the person sees what disagrees before saving. */
static int load_conflicts(struct ui *ui, struct record *rf, cz_txn *t)
{
    const struct cz_station_info *info = cz_station_info(ui->st);
    struct cz_merged m;
    char who[160], when[32], value[1024];
    free(rf->conflicts);
    rf->conflicts = NULL;
    rf->nconflicts = 0;
    if (rf->nseen < 2) return CZ_OK;
    int rc = cz_merge_entity(t, rf->entity, &m);
    if (rc) return rc;
    if (m.nconflicts && !(rf->conflicts = calloc(m.nconflicts, sizeof *rf->conflicts))) rc = CZ_ENOMEM;
    for (size_t c = 0; !rc && c < m.nconflicts; c++) {
        const struct cz_merge_conflict *mc = &m.conflicts[c];
        struct conflict *k = &rf->conflicts[rf->nconflicts];
        k->field = mc->tag ? field_index(rf, mc->tag) : (size_t)-1;
        if (mc->tag && k->field == (size_t)-1) continue;     /* not a field this form shows */
        rf->nconflicts++;
        if (!mc->tag) continue;
        struct form_field *f = &rf->fm.f[k->field];
        size_t used = (size_t)snprintf(f->note, sizeof f->note, "%s",
                                       T(ui, "Conflict: the versions disagree: ", "冲突：各版本取值不同："));
        for (size_t v = 0; v < mc->n; v++) {
            data_signer(t, info, mc->v[v].origin, ui->lang, who, sizeof who);
            data_time((int64_t)(cz_hlc_ms(mc->v[v].hlc) / 1000), when, sizeof when);
            k->raw[k->n][0] = value[0] = 0;
            cz_schema_format(f->field, mc->v[v].value, CZ_LANG_EN, 0, k->raw[k->n], sizeof k->raw[k->n]);
            cz_schema_format(f->field, mc->v[v].value, ui->lang, 1, value, sizeof value);
            snprintf(k->shown[k->n], sizeof k->shown[k->n], "%s  (%s, %s)", value[0] ? value : T(ui, "(empty)", "（空）"),
                     who, when);
            if (used < sizeof f->note)
                used += (size_t)snprintf(f->note + used, sizeof f->note - used, "%s%s (%s)", v ? " | " : "",
                                         value[0] ? value : T(ui, "(empty)", "（空）"), who);
            k->n++;
        }
    }
    cz_merged_free(&m);
    return rc;
}

static int load(struct ui *ui, struct record *rf, const struct record_form_arg *a)
{
    struct cz_record r;
    cz_view *v = NULL;
    int rc;
    memset(&r, 0, sizeof r);
    if ((rc = cz_view_begin(ui->st, &v))) return rc;
    cz_txn *t = cz_view_txn(v);
    if (a->entity) {
        if ((rc = cz_record_load(t, a->entity, &r))) goto cleanup;
        if (!r.body || r.type != rf->type) { rc = r.body ? CZ_ETYPE : CZ_EDELETED; goto cleanup; }
        cz_schema_title(r.type, r.body, rf->title, sizeof rf->title);
        snprintf(rf->region, sizeof rf->region, "%s", r.region);
        char number[64] = "";
        if (cz_schema_field(r.type, "number")) data_field(&r, "number", ui->lang, number, sizeof number);
        snprintf(rf->name, sizeof rf->name, "%s%s%s", number, number[0] ? " " : "", rf->title);
        if ((rc = cz_view_heads(v, a->entity, rf->seen, CZ_PARENTS_MAX, &rf->nseen))) goto cleanup;
        if (rf->nseen > CZ_PARENTS_MAX) rf->nseen = CZ_PARENTS_MAX;
    }
    rc = add_fields(ui, rf, t, r.body, a->parent);
    if (!rc && a->entity) rc = load_conflicts(ui, rf, t);
cleanup:
    cz_record_clear(&r);
    cz_view_end(v);
    return rc;
}

/* The record changed since the form loaded it: the form now shows what is
 * stored (a field the person left alone takes the new value; one they
 * typed in keeps their value, with the new one noted under it) and saves
 * over these versions, so the next save is made knowing them. */
static int reload(struct ui *ui, struct record *rf)
{
    struct cz_record r;
    cz_view *v = NULL;
    char value[1024], shown[384];   /* shown: leaves room in the note for the advice after it */
    size_t changed = 0;
    int rc;
    memset(&r, 0, sizeof r);
    if ((rc = cz_view_begin(ui->st, &v))) return rc;
    cz_txn *t = cz_view_txn(v);
    if ((rc = cz_record_load(t, rf->entity, &r))) goto cleanup;
    if (!r.body) { rc = CZ_EDELETED; goto cleanup; }
    if ((rc = cz_view_heads(v, rf->entity, rf->seen, CZ_PARENTS_MAX, &rf->nseen))) goto cleanup;
    if (rf->nseen > CZ_PARENTS_MAX) rf->nseen = CZ_PARENTS_MAX;
    for (size_t i = 0; i < rf->fm.n && !rc; i++) {
        struct form_field *f = &rf->fm.f[i];
        f->note[0] = 0;
        if (!f->field || f->kind == FK_READONLY) continue;
        value[0] = shown[0] = 0;
        cz_schema_format(f->field, r.body, CZ_LANG_EN, 0, value, sizeof value);
        if (!strcmp(value, f->orig)) continue;
        changed++;
        cz_schema_format(f->field, r.body, ui->lang, 1, shown, sizeof shown);
        if (!strcmp(f->e.s, f->orig)) {
            snprintf(f->note, sizeof f->note, "%s", T(ui, "Changed since you opened the form: the new value is shown.",
                                                      "您打开表单后已被修改：现在显示的是新值。"));
            rc = form_set_value(ui, &rf->fm, i, value);
        } else {
            snprintf(f->note, sizeof f->note, "%s %s%s", T(ui, "Changed since you opened the form to:",
                                                          "您打开表单后已被改为："),
                     shown[0] ? shown : T(ui, "(empty)", "（空）"),
                     T(ui, "; your value is kept: save again to sign it over that.",
                       "；保留了您填的值：再次保存即在此基础上签名。"));
        }
        char *o = strdup(value);
        if (!o) { rc = CZ_ENOMEM; break; }
        free(f->orig);
        f->orig = o;
    }
    if (!rc) rc = load_conflicts(ui, rf, t);
    if (!rc && !changed && !rf->nconflicts)
        ui_message(ui, 1, "%s", T(ui, "Not saved: the record changed since you opened it (no field shown here "
                                      "differs). Save again to sign.",
                                  "未保存：您打开后该记录已被修改（本表单显示的字段没有变化）。再次保存即可签名。"));
cleanup:
    cz_record_clear(&r);
    cz_view_end(v);
    return rc;
}

/* The form's typed content as a draft (saved time 0). */
static int draft_build(struct ui *ui, const struct record *rf, struct cz_draft *d)
{
    int rc = CZ_OK;
    memset(d, 0, sizeof *d);
    cz_hex(cz_station_person_pk(ui->st), 32, d->person);
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
    if (rf->draft_path && !rf->draft_kept) cz_draft_remove(rf->draft_path);
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
    if (!rf->draft_path || rf->draft_kept) return;
    if (!form_modified(&rf->fm)) { if (rf->draft_last) draft_drop(rf); return; }
    if (draft_build(ui, rf, &d)) return;
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

static void draft_restore(struct ui *ui, struct record *rf, const struct cz_draft *d)
{
    for (size_t i = 0; i < rf->fm.n; i++) {
        struct form_field *f = &rf->fm.f[i];
        const char *v = f->field && f->kind != FK_READONLY ? cz_draft_get(d, f->field->key) : NULL;
        if (v) form_set_value(ui, &rf->fm, i, v);
    }
    ui_message(ui, 0, "%s", T(ui, "The unsaved form was restored.", "已恢复未保存的表单。"));
    draft_update(ui, rf);
}

/* A draft left by a power cut (or a killed program, or kept for later):
 * offered back when it differs from what the form shows now.  Three
 * answers: restore it, keep it for later (also Esc: a question dismissed
 * must not lose anyone's typing), or discard it after a confirmation.
 * While a draft is kept for later this form does not write one, so the
 * kept typing is not overwritten. */
static void draft_offer(struct ui *ui, struct record *rf, int restore)
{
    struct cz_draft d, now;
    char want[2 * CZ_ENTITY_BYTES + 1], who[65], when[32], question[200];
    int rc = cz_draft_read(rf->draft_path, &d), differs = 0;
    if (rc == CZ_ENOTFOUND) return;
    if (rc) {
        ui_message(ui, 1, "%s (%s)", T(ui, "A damaged draft of this form was ignored", "本表单的草稿已损坏，已忽略"),
                   cz_strerror(rc, ui->lang));
        return;
    }
    if (rf->editing) cz_hex(rf->entity, CZ_ENTITY_BYTES, want);
    else snprintf(want, sizeof want, "new");
    cz_hex(cz_station_person_pk(ui->st), 32, who);
    if (strcmp(d.type, rf->type->key) || strcmp(d.entity, want) || strcmp(d.person, who)) {
        ui_message(ui, 1, "%s", T(ui, "A draft for another record was ignored", "草稿属于另一条记录，已忽略"));
        cz_draft_free(&d);
        return;
    }
    if (draft_build(ui, rf, &now) == CZ_OK) {
        for (size_t i = 0; i < now.n; i++) {
            const char *v = cz_draft_get(&d, now.f[i].key);
            if (strcmp(v ? v : "", now.f[i].value)) differs = 1;
        }
        cz_draft_free(&now);
    }
    if (!differs) { draft_drop(rf); cz_draft_free(&d); return; }
    if (restore) { draft_restore(ui, rf, &d); cz_draft_free(&d); return; }
    data_time(d.saved, when, sizeof when);
    snprintf(question, sizeof question, T(ui, "Unsaved form from %s", "%s 未保存的表单"), when);
    const char *items[] = {
        T(ui, "Restore it", "恢复"),
        T(ui, "Keep it for later (the form opens as stored)", "留待以后（表单按已保存的内容打开）"),
        T(ui, "Discard it", "丢弃"),
    };
    int got = ui_pick(ui, question, items, 3, 0);
    if (got == 0) {
        draft_restore(ui, rf, &d);
    } else if (got == 2 && ui_confirm(ui, T(ui, "Discard the unsaved form for good?", "永久丢弃未保存的表单吗？"))) {
        draft_drop(rf);
        ui_message(ui, 0, "%s", T(ui, "The draft was discarded.", "草稿已丢弃。"));
    } else {
        rf->draft_kept = 1;
        ui_message(ui, 0, "%s", T(ui, "The draft is kept for later (Unsaved forms on the home screen).",
                                  "草稿已留待以后（见主页的“未保存的表单”）。"));
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
    if (cz_station_person_pk(ui->st) &&
        cz_draft_path(cz_station_dir(ui->st), cz_station_person_pk(ui->st), rf->type->key, a->entity, a->parent,
                      &rf->draft_path) == CZ_OK)
        draft_offer(ui, rf, a->restore);
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

static int chosen(const struct record *rf, size_t i)
{
    for (size_t c = 0; c < rf->nconflicts; c++)
        if (rf->conflicts[c].field == i) return rf->conflicts[c].chosen;
    return 0;
}

/* The FIELD=VALUE pairs to sign: all filled fields for a new record, only
 * the changed (or chosen) ones for a new version.  Returns the count. */
static size_t collect(const struct record *rf, struct cz_assign *a)
{
    size_t n = 0;
    for (size_t i = 0; i < rf->fm.n; i++) {
        const struct form_field *f = &rf->fm.f[i];
        if (!f->field) continue;
        if (rf->editing ? !strcmp(f->e.s, f->orig) && !chosen(rf, i) : !f->e.s[0]) continue;
        a[n].field = f->field->key;
        a[n++].value = f->e.s;
    }
    return n;
}

/* Before an edit of a record in conflict is signed, the person chooses a
 * value for every conflicting field they did not type into: saving settles
 * those conflicts, and nothing is settled unless someone chose it.  A
 * deletion concurrent with an edit is settled on the Conflicts screen for
 * this record.  0 when every conflict has a choice. */
static int choose_conflicts(struct ui *ui, struct record *rf)
{
    for (size_t c = 0; c < rf->nconflicts; c++) {
        struct conflict *k = &rf->conflicts[c];
        if (k->field == (size_t)-1) {
            ui_message(ui, 1, "%s", T(ui, "Not saved: this record was deleted on one side and edited on another; "
                                          "choose which stands here first.",
                                      "未保存：该记录在一处被删除、在另一处被修改；请先在这里选定保留哪一个。"));
            int rc = ui_push(ui, &cz_screen_resolve, rf->entity);
            if (rc) ui_status_message(ui, rc);
            return -1;
        }
        struct form_field *f = &rf->fm.f[k->field];
        if (k->chosen || strcmp(f->e.s, f->orig)) continue;
        const char *items[CZ_PARENTS_MAX];
        char title[300];
        for (size_t v = 0; v < k->n; v++) items[v] = k->shown[v];
        snprintf(title, sizeof title, "%s: %s", T(ui, f->field->en, f->field->zh),
                 T(ui, "the versions disagree; which value stands?", "各版本取值不同，保留哪一个？"));
        rf->fm.focus = k->field;
        int got = ui_pick(ui, title, items, k->n, 0);
        if (got < 0) {
            ui_message(ui, 1, "%s", T(ui, "Not saved: choose a value for each conflicting field.",
                                      "未保存：请为每个冲突字段选定一个值。"));
            return -1;
        }
        form_set_value(ui, &rf->fm, k->field, k->raw[got]);
        k->chosen = 1;
    }
    return 0;
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
    if (rf->editing && choose_conflicts(ui, rf)) { free(a); return UI_HANDLED; }
    size_t n = collect(rf, a);
    memset(&err, 0, sizeof err);
    if (rf->editing && !n) { free(a); ui_message(ui, 0, "%s", T(ui, "Nothing changed.", "没有改动。")); return UI_POP; }
    rc = rf->editing ? cz_station_edit_seen(ui->st, rf->entity, (const uint8_t (*)[CZ_ID_BYTES])rf->seen,
                                            rf->nseen, a, n, id, &err)
                     : cz_station_add(ui->st, rf->type->key, a, n, entity, id, &err);
    free(a);
    if (rc == CZ_ECHANGED || rc == CZ_ECONFLICT) {
        int rrc = reload(ui, rf);
        if (rrc) { ui_status_message(ui, rrc); return UI_HANDLED; }
        if (!ui->msg[0] || !ui->msg_error)
            ui_message(ui, 1, "%s", rc == CZ_ECHANGED
                ? T(ui, "Not saved: the record changed since you opened it. Its new values are shown; save again to sign.",
                    "未保存：您打开后该记录已被修改。现在显示新的内容；确认后再次保存即可签名。")
                : T(ui, "Not saved: the record has conflicting values; save again to choose them.",
                    "未保存：该记录有冲突的取值；再次保存以选定。"));
        draft_update(ui, rf);
        return UI_HANDLED;
    }
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
    ui_counts_changed(ui);
    /* A new household's members come next: open its page in the form's
     * place (the form and rf are gone after ui_replace). */
    if (!rf->editing && !strcmp(rf->type->key, "household")) {
        int lrc = ui_replace(ui, &cz_screen_household, entity);
        if (lrc) ui_status_message(ui, lrc);
        return UI_HANDLED;
    }
    return UI_POP;
}

/* A deleted household's page, under its form, has nothing left to show:
 * it closes with the form, so the person is back on the list it was
 * opened from.  (Its form is opened on that page's household only.) */
static void close_page_below(struct ui *ui, const struct record *rf)
{
    if (!strcmp(rf->type->key, "household")) ui_pop_below(ui, &cz_screen_household);
}

/* Delete, for the people allowed (the rule the deletion itself applies,
 * asked first so a refusal comes before the question): a confirm naming
 * the record, then a tombstone version; every version stays in the history. */
static enum ui_result delete_record(struct ui *ui, struct record *rf)
{
    char why[400], question[400], title[160];
    uint8_t id[CZ_ID_BYTES];
    size_t cols;
    int trimmed;
    if (!rf->editing) {
        ui_message(ui, 1, "%s", T(ui, "A new record is not stored yet: Esc leaves it.", "新记录尚未保存：按 Esc 离开即可。"));
        return UI_HANDLED;
    }
    if (allowed_delete(ui, rf->type->key, rf->region, why, sizeof why)) { ui_message(ui, 1, "%s", why); return UI_HANDLED; }
    const char *type = T(ui, rf->type->en, rf->type->zh);
    const char *rest = T(ui, "? Every version stays in the history.", "？所有版本仍保留在历史记录中。");
    int budget = ui->cols - 10 - ui_cols(type) - ui_cols(rest);
    size_t used = ui_width(rf->name, strlen(rf->name), budget > 8 ? (size_t)budget : 8, &cols, &trimmed);
    snprintf(title, sizeof title, "%.*s%s", (int)used, rf->name, trimmed ? "…" : "");
    snprintf(question, sizeof question, T(ui, "Delete %s %s%s", "删除%s %s%s"), type, title, rest);
    if (!ui_confirm(ui, question)) return UI_HANDLED;
    int rc = cz_station_delete(ui->st, rf->entity, id);
    if (rc) {
        ui_message(ui, 1, "%s: %s", T(ui, "Not deleted", "未删除"), cz_strerror(rc, ui->lang));
        return UI_HANDLED;
    }
    draft_drop(rf);
    ui_message(ui, 0, T(ui, "Deleted %s %s. Every version stays in its history.", "已删除%s %s。所有版本仍保留在历史记录中。"),
               type, title);
    ui_sweep_drafts(ui);
    ui_counts_changed(ui);
    close_page_below(ui, rf);
    return UI_POP;
}

static enum ui_result record_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct record *rf = s->state;
    if (k->action == ACT_SAVE) return save(ui, rf);
    if (k->action == ACT_DELETE_RECORD) return delete_record(ui, rf);
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
    free(rf->conflicts);
    form_free(&rf->fm);
    free(rf);
}

static const enum cz_action record_hints[] = { ACT_SAVE, ACT_NEXT, ACT_OPEN, ACT_DELETE_RECORD, ACT_BACK, ACT_NONE };
/* A record not saved yet has nothing to delete (Esc leaves it). */
static const enum cz_action record_new_hints[] = { ACT_SAVE, ACT_NEXT, ACT_OPEN, ACT_BACK, ACT_NONE };

/* One screen, two footers: a saved record's and a new one's. */
#define RECORD_SCREEN(footer)                                                                      \
    {                                                                                              \
        .name = "record", .open = record_open, .draw = record_draw, .key = record_key,              \
        .close = record_close, .dirty = record_dirty, .hints = (footer),                           \
    }
const struct screen_ops cz_screen_record = RECORD_SCREEN(record_hints);
const struct screen_ops cz_screen_record_new = RECORD_SCREEN(record_new_hints);

void record_form(struct ui *ui, const char *type, const uint8_t *entity, const uint8_t *parent)
{
    struct record_form_arg a = { .type = type, .entity = entity, .parent = parent };
    int rc = ui_push(ui, entity ? &cz_screen_record : &cz_screen_record_new, &a);
    if (rc) ui_status_message(ui, rc);
}

void record_form_restore(struct ui *ui, const char *type, const uint8_t *entity, const uint8_t *parent)
{
    struct record_form_arg a = { .type = type, .entity = entity, .parent = parent, .restore = 1 };
    int rc = ui_push(ui, entity ? &cz_screen_record : &cz_screen_record_new, &a);
    if (rc) ui_status_message(ui, rc);
}
