/* household.c — one household: its fields, its members, and every version
 * with who signed it.  Opened on a household or on one of its members. */
#include "data.h"
#include "grow.h"
#include "hex.h"
#include "household_years.h"
#include "list.h"
#include "overview.h"
#include "parse.h"
#include "printing.h"
#include "report.h"
#include "screens_all.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct household {
    uint8_t entity[CZ_ENTITY_BYTES];
    char title[256];
    char number[128];            /* the household number: a printed card's file name */
    struct list l;
};

struct members;
struct load_ctx {
    struct ui *ui; cz_view *v; cz_txn *t; struct household *h; int rc;
    char head[128];              /* the household's head, by name */
    struct members *members;     /* while the members are walked */
};

enum { KIND_TRAINING = 1000 };   /* past every schema type's kind */

static int add_line(struct household *h, const char *text)
{
    return list_add(&h->l, text, NULL, 0, 0);
}

/* A long value (notes, an address) wraps under its label rather than
 * running off the edge: each further line starts under the value. */
static int add_wrapped(struct ui *ui, struct household *h, const char *label, const char *value)
{
    enum { INDENT = 22 };
    size_t budget = ui->cols > INDENT + 10 ? (size_t)(ui->cols - INDENT - 1) : 10, len = strlen(value);
    char line[700], part[600];
    const char *cells[] = { "", label, part };
    static const int widths[] = { 2, INDENT - 2, 0 };
    int rc = CZ_OK, first = 1;
    do {
        int trimmed = 0;
        size_t take = ui_width(value, len, budget, NULL, &trimmed);
        if (!take && len) take = len;   /* a glyph wider than the budget: take it whole */
        /* English breaks at a space when there is one in the second half. */
        for (size_t k = take; trimmed && k > take / 2; k--)
            if (value[k - 1] == ' ') { take = k; break; }
        snprintf(part, sizeof part, "%.*s", (int)take, value);
        if (!first) snprintf(line, sizeof line, "%*s%s", INDENT, "", part);
        else data_columns(line, sizeof line, cells, widths, 3);
        rc = add_line(h, line);
        value += take;
        len -= take;
        first = 0;
    } while (len && !rc);
    return rc;
}

static int add_fields(struct load_ctx *c, const struct cz_record *r)
{
    char value[512], label[128], name[256], code[CZ_REGION_MAX + 1];
    int rc = CZ_OK;
    for (size_t i = 0; i < r->type->nfields && !rc; i++) {
        const struct cz_field *f = &r->type->fields[i];
        if (!cz_schema_format(f, r->body, c->ui->lang, 1, value, sizeof value)) continue;
        /* A village by its name; its code beside, since papers quote it. */
        if (f->type == CZ_F_PLACE) {
            cz_report_place_name(c->t, value, name, sizeof name);
            snprintf(code, sizeof code, "%.*s", (int)(sizeof code - 1), value);
            if (name[0]) snprintf(value, sizeof value, "%.200s (%s)", name, code);
        }
        snprintf(label, sizeof label, "%s", T(c->ui, f->en, f->zh));
        rc = add_wrapped(c->ui, c->h, label, value);
    }
    return rc;
}

/* Under the fields (whose status is the worked-out one): the day of a
 * return to poverty, and the mark of a household the report leaves out
 * as pending. */
static int add_status(struct load_ctx *c, const struct cz_household_status *hs)
{
    char date[16];
    int rc = CZ_OK;
    if (hs->status == CZ_HH_RETURNED) {
        cz_format_date(hs->returned_on, date, sizeof date);
        rc = add_wrapped(c->ui, c->h, T(c->ui, "Returned on", "返贫日期"), date);
    }
    if (!rc && hs->pending)
        rc = add_wrapped(c->ui, c->h, T(c->ui, "[pending]", "[待确认]"),
                         T(c->ui, "signer not certified here yet; left out of the report",
                           "签名人的证书尚未到达本站：报表不计入该户"));
    return rc;
}

/* A member row before ordering: the head first, then the others by their
 * relation to the head (in the list's order: spouse, children, ...), the
 * elder first, then by name: the same order on every PC, whatever the
 * records' ids. */
struct member_row { char *text; uint8_t entity[CZ_ENTITY_BYTES]; int rank; char key[320]; char left[96]; };
struct members { struct member_row *rows; size_t n, cap; };

/* What orders members after the head: the relation's place in its list,
 * the date of birth (YYYY-MM-DD sorts as text), the name. */
static void member_key(const struct cz_record *r, const char *name, char *key, size_t size)
{
    const struct cz_field *rf = cz_schema_field(r->type, "relation");
    char relation[64] = "", born[32] = "";
    int index = 99;
    data_field(r, "relation", CZ_LANG_EN, relation, sizeof relation);
    for (int i = 0; rf && rf->values && rf->values[i].key; i++)
        if (!strcmp(rf->values[i].en, relation)) index = i;
    data_field(r, "born", CZ_LANG_EN, born, sizeof born);
    snprintf(key, size, "%02d %-10s %s", index, born[0] ? born : "9999", name);
}

static int member_cb(void *ctx, const uint8_t *entity)
{
    static const char *const fields[] = { NULL, "name", "id_number", "relation", "sex", "born" };
    static const int widths[] = { 4, 12, 20, 18, 8, 0 };
    struct load_ctx *c = ctx;
    struct members *m = c->members;
    struct cz_record r;
    char buf[6][DATA_CELL], line[512], relation[64];
    const char *cells[6];
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body) {
        data_cells(&r, c->ui->lang, fields, 6, buf, cells);
        data_columns(line, sizeof line, cells, widths, 6);
        data_field(&r, "relation", CZ_LANG_EN, relation, sizeof relation);
        if (cz_grow(&m->rows, &m->cap, m->n + 1, sizeof *m->rows)) c->rc = CZ_ENOMEM;
        else {
            struct member_row *row = &m->rows[m->n];
            row->rank = !strcmp(relation, cz_report_label("member", "relation", "head", CZ_LANG_EN)) ? 0
                        : c->head[0] && !strcmp(buf[1], c->head) ? 1 : 2;
            member_key(&r, buf[1], row->key, sizeof row->key);
            memcpy(row->entity, entity, CZ_ENTITY_BYTES);
            /* A member who died or moved out stays listed, marked. */
            if (!(c->rc = hh_member_left(c->ui, c->v, entity, row->left, sizeof row->left))) {
                if (!(row->text = strdup(line))) c->rc = CZ_ENOMEM;
                else m->n++;
            }
        }
    }
    cz_record_clear(&r);
    return c->rc;
}

static int member_cmp(const void *a, const void *b)
{
    const struct member_row *x = a, *y = b;
    if (x->rank != y->rank) return x->rank - y->rank;
    int k = strcmp(x->key, y->key);
    return k ? k : memcmp(x->entity, y->entity, CZ_ENTITY_BYTES);
}

static int add_members(struct load_ctx *c)
{
    struct members m = { 0 };
    int rc = add_line(c->h, T(c->ui, "Members (Enter: edit; F4: add)", "家庭成员（回车：修改；F4：新增）"));
    c->members = &m;
    /* A member refers to nothing but its household. */
    if (!rc) rc = cz_view_linked(c->v, c->h->entity, "member", member_cb, c);
    if (!rc) rc = c->rc;
    if (m.n) qsort(m.rows, m.n, sizeof *m.rows, member_cmp);
    for (size_t i = 0; i < m.n; i++) {
        if (!rc) rc = list_add(&c->h->l, m.rows[i].text, m.rows[i].entity, 1, 1);
        if (!rc && m.rows[i].left[0]) {
            char note[160];
            snprintf(note, sizeof note, "%*s%s", 8, "", m.rows[i].left);
            rc = add_line(c->h, note);
        }
        free(m.rows[i].text);
    }
    free(m.rows);
    c->members = NULL;
    return rc;
}

static int training_cb(void *ctx, const uint8_t *entity)
{
    static const char *const fields[] = { NULL, "date", "topic" };
    static const int widths[] = { 4, 12, 0 };
    struct load_ctx *c = ctx;
    struct cz_record r;
    char buf[3][DATA_CELL], line[512];
    const char *cells[3];
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body) {
        data_cells(&r, c->ui->lang, fields, 3, buf, cells);
        data_columns(line, sizeof line, cells, widths, 3);
        c->rc = list_add(&c->h->l, line, entity, KIND_TRAINING, 1);
    }
    cz_record_clear(&r);
    return c->rc;
}

/* The trainings that name this household among those attending. */
static int add_trainings(struct load_ctx *c)
{
    int rc = add_line(c->h, T(c->ui, "Trainings attended (Enter: open)", "参加的培训（回车：查看）"));
    if (!rc) rc = cz_view_trainings_of(c->v, c->h->entity, training_cb, c);
    return rc ? rc : c->rc;
}

/* Types recorded under a household: those with a `household` reference
 * (member, pairing, aid, plot, sale, visit, exit). */
static int is_child_type(const struct cz_type *t)
{
    const struct cz_field *f = cz_schema_field(t, "household");
    return !t->trust && f && f->type == CZ_F_REF && f->ref_type && !strcmp(f->ref_type, "household");
}

/* Records of one type under the household, ordered by their titles (a
 * date, a kind, a crop) before they are listed: the same order on every
 * PC, whatever the records' ids. */
struct other_row { char *line, *title; uint8_t entity[CZ_ENTITY_BYTES]; };
struct others { struct load_ctx *c; int kind; struct other_row *rows; size_t n, cap; };

static int other_cb(void *ctx, const uint8_t *entity)
{
    struct others *o = ctx;
    struct load_ctx *c = o->c;
    struct cz_record r;
    char title[256], line[400];
    if (cz_record_load(c->t, entity, &r)) return 0;
    if (!r.deleted && r.body && r.type) {
        cz_schema_title(r.type, r.body, title, sizeof title);
        const char *cells[] = { "", T(c->ui, r.type->en, r.type->zh), title };
        static const int widths[] = { 4, 18, 0 };
        data_columns(line, sizeof line, cells, widths, 3);
        if (cz_grow(&o->rows, &o->cap, o->n + 1, sizeof *o->rows)) c->rc = CZ_ENOMEM;
        else {
            struct other_row *row = &o->rows[o->n];
            row->line = strdup(line);
            row->title = strdup(title);
            memcpy(row->entity, entity, CZ_ENTITY_BYTES);
            if (!row->line || !row->title) { free(row->line); free(row->title); c->rc = CZ_ENOMEM; }
            else o->n++;
        }
    }
    cz_record_clear(&r);
    return c->rc;
}

static int other_cmp(const void *a, const void *b)
{
    const struct other_row *x = a, *y = b;
    int k = strcmp(x->title, y->title);
    return k ? k : memcmp(x->entity, y->entity, CZ_ENTITY_BYTES);
}

/* Every other record filed under the household (aid, plots, sales, ...),
 * type by type in the schema's order. */
static int add_others(struct load_ctx *c)
{
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    char hex[2 * CZ_ENTITY_BYTES + 1];
    struct cz_assign a = { .field = "household", .value = hex };
    int rc = add_line(c->h, T(c->ui, "Other records (Enter: edit; F4: add)", "其他记录（回车：修改；F4：新增）"));
    cz_hex(c->h->entity, CZ_ENTITY_BYTES, hex);
    for (size_t i = 0; i < ntypes && !rc; i++) {
        if (!is_child_type(&types[i]) || !strcmp(types[i].key, "member")) continue;
        struct others o = { .c = c, .kind = (int)i + 1 };
        rc = cz_query_list(c->t, &types[i], &a, 1, other_cb, &o, NULL);
        if (!rc) rc = c->rc;
        if (o.n) qsort(o.rows, o.n, sizeof *o.rows, other_cmp);
        for (size_t k = 0; k < o.n; k++) {
            if (!rc) rc = list_add(&c->h->l, o.rows[k].line, o.rows[k].entity, o.kind, 1);
            free(o.rows[k].line);
            free(o.rows[k].title);
        }
        free(o.rows);
    }
    return rc;
}

/* What a version changed against its first parent (the first version:
 * every field it set), one line a field: "Field: old -> new". */
static int add_changes(struct load_ctx *c, const struct cz_type *t, const struct cz_version *v,
                       const struct cz_version *all, size_t n)
{
    const cz_body *before = NULL;
    char a[512], b[512], line[1200];
    int rc = CZ_OK;
    for (size_t i = 0; v->nparents && i < n; i++)
        if (!memcmp(all[i].id, v->parents[0], CZ_ID_BYTES)) before = all[i].body;
    for (size_t i = 0; t && i < t->nfields && !rc; i++) {
        const struct cz_field *f = &t->fields[i];
        a[0] = b[0] = 0;
        if (before) cz_schema_format(f, before, c->ui->lang, 1, a, sizeof a);
        if (v->body) cz_schema_format(f, v->body, c->ui->lang, 1, b, sizeof b);
        if (!strcmp(a, b)) continue;
        snprintf(line, sizeof line, "        %s: %s -> %s", T(c->ui, f->en, f->zh), a[0] ? a : "-", b[0] ? b : "-");
        rc = add_line(c->h, line);
    }
    return rc;
}

static int add_history(struct load_ctx *c)
{
    const struct cz_station_info *info = cz_station_info(c->ui->st);
    struct cz_version *vs = NULL;
    size_t n = 0;
    char when[32], who[160], line[512];
    int rc = cz_record_history(c->t, c->h->entity, &vs, &n);
    if (!rc) rc = add_line(c->h, T(c->ui, "History (every version, who signed it, what changed)",
                                      "历史版本（每个版本、签名人及改动）"));
    for (size_t i = 0; i < n && !rc; i++) {
        data_time(vs[i].wall, when, sizeof when);
        data_signer(c->t, info, vs[i].origin, c->ui->lang, who, sizeof who);
        snprintf(line, sizeof line, "    %zu. %s  %s %s%s", i + 1, when, T(c->ui, "signed by", "签名人"), who,
                 vs[i].tombstone ? T(c->ui, "  (deleted)", "  （删除）") : "");
        rc = add_line(c->h, line);
        if (!rc) rc = add_changes(c, cz_schema_type("household"), &vs[i], vs, n);
    }
    cz_history_free(vs, n);
    return rc;
}

/* A member opens its household. */
static int to_household(cz_txn *t, struct household *h, struct cz_record *r)
{
    uint8_t hh[CZ_ENTITY_BYTES];
    if (!strcmp(r->type_key, "household")) return CZ_OK;
    if (strcmp(r->type_key, "member") || data_ref(r, "household", hh)) return CZ_ETYPE;
    cz_record_clear(r);
    memcpy(h->entity, hh, sizeof hh);
    return cz_record_load(t, hh, r);
}

static int load(struct ui *ui, struct household *h)
{
    struct load_ctx c = { .ui = ui, .h = h, .rc = CZ_OK };
    struct cz_record r;
    cz_view *v = NULL;
    int rc;
    memset(&r, 0, sizeof r);
    list_clear(&h->l);
    if ((rc = cz_view_begin(ui->st, &v))) return rc;
    c.v = v;
    c.t = cz_view_txn(v);
    if ((rc = cz_record_load(c.t, h->entity, &r)) || (rc = to_household(c.t, h, &r))) goto cleanup;
    if (!r.body) { rc = CZ_EDELETED; goto cleanup; }
    struct cz_household_status hs;
    if ((rc = cz_view_household_reckon(v, &r, &hs))) goto cleanup;
    cz_schema_title(r.type, r.body, h->title, sizeof h->title);
    data_field(&r, "number", ui->lang, h->number, sizeof h->number);
    data_field(&r, "head", ui->lang, c.head, sizeof c.head);
    /* The history goes last: it is the longest part and only read. */
    if ((rc = add_fields(&c, &r)) || (rc = add_status(&c, &hs)) || (rc = add_line(h, "")) || (rc = add_members(&c)) ||
        (rc = add_line(h, "")) || (rc = add_others(&c)) || (rc = add_line(h, "")) ||
        (rc = hh_years_add(ui, v, h->entity, &h->l)) ||
        (rc = add_trainings(&c)) || (rc = add_line(h, "")))
        goto cleanup;
    rc = add_history(&c);
cleanup:
    cz_record_clear(&r);
    cz_view_end(v);
    return rc;
}

static int household_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct household *h = calloc(1, sizeof *h);
    if (!h) return CZ_ENOMEM;
    s->state = h;
    memcpy(h->entity, arg, CZ_ENTITY_BYTES);
    return load(ui, h);
}

static void household_draw(struct ui *ui, struct screen *s)
{
    struct household *h = s->state;
    char line[400];
    snprintf(line, sizeof line, "%s: %s", T(ui, "Household", "贫困户"), h->title);
    ui_title(ui, line);
    list_draw(ui, &h->l, UI_TOP + 1, ui_body_rows(ui) - 1, 1);
}

/* Add: which kind of record, then its form with the household set. */
static void add_child(struct ui *ui, struct household *h)
{
    size_t ntypes, n = 0;
    const struct cz_type *types = cz_schema_types(&ntypes);
    const char *items[32], *keys[32];
    for (size_t i = 0; i < ntypes && n < 32; i++) {
        if (!is_child_type(&types[i])) continue;
        items[n] = T(ui, types[i].en, types[i].zh);
        keys[n++] = types[i].key;
    }
    int got = ui_pick(ui, T(ui, "Add to this household", "为本户新增"), items, n, 0);
    if (got >= 0) record_form(ui, keys[got], NULL, h->entity);
}

static void open_row(struct ui *ui, struct household *h, const struct list_row *r)
{
    size_t ntypes;
    const struct cz_type *types = cz_schema_types(&ntypes);
    if (r->kind == KIND_TRAINING) record_form(ui, "training", r->entity, NULL);
    else if (r->kind == 1) record_form(ui, "member", r->entity, h->entity);
    else if (r->kind > 1 && (size_t)r->kind <= ntypes) record_form(ui, types[r->kind - 1].key, r->entity, h->entity);
}

/* The household's card for its wall (print.h), named by its number. */
static void print_card(struct ui *ui, struct household *h)
{
    char path[4096];
    struct cz_print_out o = { .path = path, .lang = ui->lang };
    if (printing_path(ui, "card", h->number, path, sizeof path)) return;
    printing_said(ui, cz_print_card(ui->st, (const uint8_t (*)[CZ_ENTITY_BYTES])h->entity, 1, &o), &o);
}

static enum ui_result household_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct household *h = s->state;
    const struct list_row *r = list_selected(&h->l);
    switch (k->action) {
    case ACT_EDIT: record_form(ui, "household", h->entity, NULL); return UI_HANDLED;
    case ACT_ADD: add_child(ui, h); return UI_HANDLED;
    case ACT_OPEN: if (r) open_row(ui, h, r); return UI_HANDLED;
    case ACT_PRINT: print_card(ui, h); return UI_HANDLED;
    default: return list_key(&h->l, k);
    }
}

static void household_resume(struct ui *ui, struct screen *s)
{
    struct household *h = s->state;
    size_t sel = h->l.sel;
    int rc = load(ui, h);
    if (rc) ui_status_message(ui, rc);
    list_reselect(&h->l, sel);
}

static void household_close(struct screen *s)
{
    struct household *h = s->state;
    list_clear(&h->l);
    free(h);
}

static const enum cz_action household_hints[] = { ACT_EDIT, ACT_ADD, ACT_OPEN, ACT_PRINT, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_household = {
    .name = "household",
    .open = household_open,
    .draw = household_draw,
    .key = household_key,
    .close = household_close,
    .resume = household_resume,
    .hints = household_hints,
};
