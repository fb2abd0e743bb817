/* resolve.c — one record in conflict, side by side: for each field whose
 * values disagree, every value with who signed it and when, in columns
 * laid out by display width.  The person chooses one value per field
 * (Left/Right, or Enter for a pick-list that also lets them type a new
 * one); Save signs the resolution as `cunzhan resolve ID FIELD=VALUE...`
 * does (cz_resolve), naming every concurrent version as a parent. */
#include "conflicts.h"
#include "data.h"
#include "keys.h"
#include "overview.h"
#include "hex.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct value {
    char shown[256];          /* in the person's language */
    char raw[1024];           /* as an assignment takes it */
    char who[160], when[32];
    int deletion;             /* tag 0: this side deleted the record */
};

struct choice {
    uint32_t tag;             /* 0: deleted on one side, edited on another */
    const struct cz_field *f;
    size_t n;
    struct value v[CZ_PARENTS_MAX];
    size_t pick;              /* index into v, or n: the typed value */
    char *typed;
};

struct resolve {
    uint8_t entity[CZ_ENTITY_BYTES];
    const struct cz_type *type;
    char title[256];
    struct choice *c;
    size_t n, sel;
    int changed;
};

static int load(struct ui *ui, struct resolve *r)
{
    cz_view *view = NULL;
    struct cz_merged m;
    const struct cz_station_info *info = cz_station_info(ui->st);
    int rc = cz_view_begin(ui->st, &view);
    if (rc) return rc;
    cz_txn *t = cz_view_txn(view);
    if ((rc = cz_merge_entity(t, r->entity, &m))) goto cleanup;
    struct cz_record rec;
    if ((rc = cz_record_load(t, r->entity, &rec)) == CZ_OK) {
        r->type = rec.type;
        cz_record_clear(&rec);
    }
    if (!r->type) rc = rc ? rc : CZ_ETYPE;
    if (rc) { cz_merged_free(&m); goto cleanup; }
    if (m.body) cz_schema_title(r->type, m.body, r->title, sizeof r->title);
    if (m.nconflicts == 0) { cz_merged_free(&m); rc = CZ_ENOTFOUND; goto cleanup; }
    if (!(r->c = calloc(m.nconflicts, sizeof *r->c))) { cz_merged_free(&m); rc = CZ_ENOMEM; goto cleanup; }
    r->n = m.nconflicts;
    for (size_t i = 0; i < m.nconflicts; i++) {
        const struct cz_merge_conflict *k = &m.conflicts[i];
        struct choice *c = &r->c[i];
        c->tag = k->tag;
        c->f = k->tag ? cz_schema_field_by_tag(r->type, k->tag) : NULL;
        c->n = k->n < CZ_PARENTS_MAX ? k->n : CZ_PARENTS_MAX;
        for (size_t j = 0; j < c->n; j++) {
            struct value *v = &c->v[j];
            if (k->tag == 0) {
                /* The values say nothing here: whether the head is a tombstone does. */
                v->deletion = cz_view_is_tombstone(view, k->v[j].head);
                snprintf(v->shown, sizeof v->shown, "%s", v->deletion ? T(ui, "(deleted)", "（已删除）")
                                                                      : T(ui, "(kept, edited)", "（保留并修改）"));
            } else if (c->f && k->v[j].value) {
                cz_schema_format(c->f, k->v[j].value, ui->lang, 1, v->shown, sizeof v->shown);
                cz_schema_format(c->f, k->v[j].value, CZ_LANG_EN, 0, v->raw, sizeof v->raw);
                if (!v->shown[0]) snprintf(v->shown, sizeof v->shown, "%s", T(ui, "(empty)", "（空）"));
            }
            data_signer(t, info, k->v[j].origin, ui->lang, v->who, sizeof v->who);
            data_time((int64_t)((k->v[j].hlc >> 16) / 1000), v->when, sizeof v->when);
        }
    }
    cz_merged_free(&m);
cleanup:
    cz_view_end(view);
    return rc;
}

static int resolve_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct resolve *r = calloc(1, sizeof *r);
    if (!r) return CZ_ENOMEM;
    s->state = r;
    memcpy(r->entity, arg, CZ_ENTITY_BYTES);
    return load(ui, r);
}

static const char *field_label(struct ui *ui, const struct choice *c)
{
    if (c->tag == 0) return T(ui, "Deleted or kept", "删除或保留");
    return c->f ? T(ui, c->f->en, c->f->zh) : "?";
}

#define LABEL_COLS 16

static void resolve_draw(struct ui *ui, struct screen *s)
{
    struct resolve *r = s->state;
    char line[512], hex[65];
    int y = UI_TOP;
    cz_hex(r->entity, CZ_ENTITY_BYTES, hex);
    snprintf(line, sizeof line, "%s %.12s  %s  %s", T(ui, "Resolve", "解决冲突"), hex,
             r->type ? T(ui, r->type->en, r->type->zh) : "", r->title);
    ui_text(ui, y++, 1, line, ui->cols - 2, A_BOLD);
    ui_text(ui, y++, 1, T(ui, "Left/Right or Enter: choose a value for each field; F2 signs the resolution",
                          "左右键或回车：为每个字段选定取值；F2 签名保存"), ui->cols - 2, A_NORMAL);
    y++;
    int avail = ui->cols - 2 - LABEL_COLS;
    for (size_t i = 0; i < r->n && y < ui->rows - 2; i++) {
        const struct choice *c = &r->c[i];
        size_t ncols = c->n < 3 ? c->n : 3;
        int w = avail / (int)(ncols ? ncols : 1);
        /* Scroll so the selected field is on screen: each takes 4 rows. */
        if (r->sel >= i + (size_t)((ui->rows - 2 - y) / 4) && i < r->sel) continue;
        ui_text_pad(ui, y, 1, "", LABEL_COLS - 1, i == r->sel ? A_REVERSE : A_NORMAL);
        ui_text(ui, y, 1, field_label(ui, c), LABEL_COLS - 1, i == r->sel ? A_REVERSE : A_BOLD);
        if (i == r->sel) ui_cursor(ui, y, 1);
        /* The columns: the chosen value first when more than fit. */
        size_t first = c->pick < c->n && c->pick >= ncols ? c->pick - ncols + 1 : 0;
        for (size_t j = 0; j < ncols; j++) {
            size_t vi = first + j;
            const struct value *v = &c->v[vi];
            int x = 1 + LABEL_COLS + (int)j * w;
            int chosen = c->pick == vi;
            snprintf(line, sizeof line, "%s %s", chosen ? "(*)" : "( )", v->shown);
            ui_text(ui, y, x, line, w - 1, chosen ? A_BOLD | (i == r->sel ? A_REVERSE : 0) : A_NORMAL);
            ui_text(ui, y + 1, x + 4, v->who, w - 5, A_NORMAL);
            ui_text(ui, y + 2, x + 4, v->when, w - 5, A_NORMAL);
        }
        if (c->n > ncols) {
            snprintf(line, sizeof line, T(ui, "%zu values: Enter lists all", "共 %zu 个值：回车查看全部"), c->n);
            ui_text(ui, y + 3, 1 + LABEL_COLS, line, avail, A_NORMAL);
        }
        if (c->pick == c->n) {
            snprintf(line, sizeof line, "(*) %s %s", T(ui, "typed:", "新输入："), c->typed ? c->typed : "");
            ui_text(ui, y + 3, 1 + LABEL_COLS, line, avail, A_BOLD | (i == r->sel ? A_REVERSE : 0));
        }
        y += 4;
    }
}

static void choose(struct ui *ui, struct resolve *r)
{
    struct choice *c = &r->c[r->sel];
    const char *items[CZ_PARENTS_MAX + 1];
    char text[CZ_PARENTS_MAX][600];
    size_t n = 0;
    for (size_t j = 0; j < c->n; j++, n++) {
        snprintf(text[j], sizeof text[j], "%s  (%s, %s)", c->v[j].shown, c->v[j].who, c->v[j].when);
        items[n] = text[j];
    }
    if (c->tag) items[n++] = T(ui, "Type a new value...", "输入新的值...");
    int got = ui_pick(ui, field_label(ui, c), items, n, c->pick < n ? c->pick : 0);
    if (got < 0) return;
    if ((size_t)got < c->n) {
        c->pick = (size_t)got;
        r->changed = 1;
        return;
    }
    char *typed = NULL;
    if (ui_prompt(ui, field_label(ui, c), &typed)) return;
    free(c->typed);
    c->typed = typed;
    c->pick = c->n;
    r->changed = 1;
}

/* A field refused, named by its label in the person's language (never
 * its key: the key is for the command line). */
static void field_message(struct ui *ui, const struct cz_type *t, const struct cz_field_error *err, char *buf,
                          size_t size)
{
    const struct cz_field *f = err->field ? err->field : t ? cz_schema_field(t, err->name) : NULL;
    char hint[512];
    cz_field_error_hint(t, err, ui->lang, hint, sizeof hint);
    snprintf(buf, size, "%s%s%s", f ? T(ui, f->en, f->zh) : T(ui, "A field", "某字段"), T(ui, ": ", "："), hint);
}

static enum ui_result save(struct ui *ui, struct resolve *r)
{
    uint8_t id[CZ_ID_BYTES];
    struct cz_field_error err;
    struct cz_assign *a = calloc(r->n ? r->n : 1, sizeof *a);
    size_t na = 0;
    int rc, deleting = 0;
    if (!a) { ui_status_message(ui, CZ_ENOMEM); return UI_HANDLED; }
    memset(&err, 0, sizeof err);
    for (size_t i = 0; i < r->n; i++) {
        const struct choice *c = &r->c[i];
        if (c->tag == 0) { deleting = c->pick < c->n && c->v[c->pick].deletion; continue; }
        if (!c->f) continue;
        a[na].field = c->f->key;
        a[na].value = c->pick == c->n ? (c->typed ? c->typed : "") : c->v[c->pick].raw;
        na++;
    }
    if (deleting) {
        if (!ui_confirm(ui, T(ui, "Delete this record on every station?", "在所有站点删除该记录吗？"))) {
            free(a);
            return UI_HANDLED;
        }
        rc = cz_resolve_delete(ui->st, r->entity, id);
    } else {
        rc = cz_resolve(ui->st, r->entity, a, na, id, &err);
    }
    free(a);
    if (rc && (err.field || err.name[0])) {
        char msg[1024];
        field_message(ui, r->type, &err, msg, sizeof msg);
        ui_message(ui, 1, "%s; %s", msg, T(ui, "nothing was stored", "没有保存任何内容"));
        for (size_t i = 0; i < r->n; i++)
            if (err.field && r->c[i].f == err.field) r->sel = i;
        return UI_HANDLED;
    }
    if (rc == CZ_ENOTFOUND) {
        ui_message(ui, 1, "%s", T(ui, "This record has no conflict any more; nothing was stored",
                                  "该记录已没有冲突；没有保存任何内容"));
        return UI_POP;
    }
    if (rc) {
        ui_message(ui, 1, "%s; %s", cz_strerror(rc, ui->lang), T(ui, "nothing was stored", "没有保存任何内容"));
        return UI_HANDLED;
    }
    ui_message(ui, 0, "%s", T(ui, "Resolved: the chosen values are signed and saved", "冲突已解决：所选取值已签名保存"));
    if (deleting) ui_sweep_drafts(ui);
    r->changed = 0;
    return UI_POP;
}

static enum ui_result resolve_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct resolve *r = s->state;
    if (!r->n) return k->action == ACT_OPEN ? UI_POP : UI_UNHANDLED;
    struct choice *c = &r->c[r->sel];
    size_t options = c->n + (c->typed ? 1 : 0);
    switch (k->action) {
    case ACT_UP: case ACT_PREV: if (r->sel) r->sel--; return UI_HANDLED;
    case ACT_DOWN: case ACT_NEXT: if (r->sel + 1 < r->n) r->sel++; return UI_HANDLED;
    case ACT_LEFT: if (c->pick) { c->pick--; r->changed = 1; } return UI_HANDLED;
    case ACT_RIGHT: if (c->pick + 1 < options) { c->pick++; r->changed = 1; } return UI_HANDLED;
    case ACT_OPEN: choose(ui, r); return UI_HANDLED;
    case ACT_SAVE: return save(ui, r);
    case ACT_BACK:
        if (r->changed && !ui_confirm(ui, T(ui, "Leave without resolving?", "不保存就离开吗？"))) return UI_HANDLED;
        return UI_POP;
    default: return UI_UNHANDLED;
    }
}

static int resolve_dirty(const struct screen *s)
{
    const struct resolve *r = s->state;
    return r->changed;
}

static void resolve_close(struct screen *s)
{
    struct resolve *r = s->state;
    for (size_t i = 0; i < r->n; i++) free(r->c[i].typed);
    free(r->c);
    free(r);
}

static const enum cz_action resolve_hints[] = { ACT_SAVE, ACT_OPEN, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_resolve = {
    .name = "resolve",
    .open = resolve_open,
    .draw = resolve_draw,
    .key = resolve_key,
    .close = resolve_close,
    .dirty = resolve_dirty,
    .hints = resolve_hints,
};
