/* print_card.c — a household's card for its wall (明白卡): who lives
 * there, why the household is poor, who helps it and how to reach them,
 * what it received, what it grows and sells, the latest visit, and a
 * footer naming the signed version it was printed from.
 *
 * The card hangs where anyone can read it: ID numbers show their last
 * four characters only, and the household's phone, members' health and
 * schooling are left off. */
#include "print_int.h"
#include "grow.h"
#include "hex.h"
#include "hhstatus.h"
#include "overview.h"
#include "parse.h"
#include "people.h"
#include "query.h"
#include "region.h"
#include "report.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL 1024

struct card {
    struct cz_pdf *p;
    cz_view *v;
    cz_txn *t;
    const uint8_t *root;
    enum cz_lang lang;
};

/* A household's status as the report counts it.  The one place a card
 * asks, so that it follows the report when the rule moves. */
static const char *household_status(struct card *c, const struct cz_record *hh)
{
    struct cz_household_status hs;
    if (cz_household_status(c->t, c->root, hh->entity, &hs) != CZ_OK) return "poor";
    return cz_hh_status_key(hs.status);
}

/* An ID number as it may hang on a wall: all but its last four hidden. */
static void mask_id(const char *id, char *out, size_t size)
{
    size_t n = strlen(id), i = 0;
    for (; i + 4 < n && i + 1 < size; i++) out[i] = '*';
    snprintf(out + i, size - i, "%s", id + i);
}

/* The live records of `type` linked to the household, loaded, in the
 * order a card reads them (by_order); the caller clears and frees. */
struct loaded {
    struct cz_record *v;
    size_t n, cap;
    const char *order;        /* the date field rows follow, oldest first */
};

/* The head of the household first (members), then by the order field
 * (a birth date, a date of aid or sale), then by entity: the same card
 * every time, whatever order the ids fell in. */
static int by_order(const void *a, const void *b, void *ctx)
{
    const struct cz_record *x = a, *y = b;
    const char *order = ctx;
    char kx[32], ky[32];
    int hx = !strcmp(cz_print_key(x, "relation", kx, sizeof kx), "head");
    int hy = !strcmp(cz_print_key(y, "relation", ky, sizeof ky), "head");
    if (hx != hy) return hy - hx;
    uint64_t dx = cz_print_uint(x, order), dy = cz_print_uint(y, order);
    if (dx != dy) return dx < dy ? -1 : 1;
    return memcmp(x->entity, y->entity, CZ_ENTITY_BYTES);
}

static void loaded_free(struct loaded *l)
{
    for (size_t i = 0; i < l->n; i++) cz_record_clear(&l->v[i]);
    free(l->v);
}

static int load_linked(struct card *c, const uint8_t *hh, const char *type, struct loaded *l)
{
    struct cz_ents e = { 0 };
    int rc = strcmp(type, "training") ? cz_view_linked(c->v, hh, type, cz_print_collect, &e)
                                      : cz_view_trainings_of(c->v, hh, cz_print_collect, &e);
    for (size_t i = 0; rc == CZ_OK && i < e.n; i++) {
        struct cz_record r = { 0 };
        if ((rc = cz_record_load(c->t, e.v[i], &r)) == CZ_OK && !r.deleted && r.body &&
            (rc = cz_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v)) == CZ_OK) {
            l->v[l->n++] = r;
            continue;
        }
        cz_record_clear(&r);
    }
    free(e.v);
    if (rc == CZ_OK && l->n > 1) qsort_r(l->v, l->n, sizeof *l->v, by_order, (void *)l->order);
    return rc;
}

/* Runs fn on each live record linked to the household, of type, in the
 * order of the date field `order`. */
typedef void (*card_row_fn)(struct card *c, const struct cz_record *r);
static int each_linked(struct card *c, const uint8_t *hh, const char *type, const char *order, card_row_fn fn,
                       size_t *n)
{
    struct loaded l = { .order = order };
    int rc = load_linked(c, hh, type, &l);
    for (size_t i = 0; rc == CZ_OK && i < l.n; i++) fn(c, &l.v[i]);
    if (n) *n = l.n;
    loaded_free(&l);
    return rc;
}

static void member_row(struct card *c, const struct cz_record *r)
{
    char name[VAL], rel[128], sex[64], work[64], id[64], masked[64], age[16] = "";
    uint64_t born = cz_print_uint(r, "born");
    uint32_t today = cz_today();
    if (born && today >= born) snprintf(age, sizeof age, "%u", (unsigned)((today - born) / 10000));
    mask_id(cz_print_val(r, "id_number", c->lang, id, sizeof id), masked, sizeof masked);
    /* A member registered from the official sheet has its labour ability
     * (普通劳动力, 无劳动力...) and no yes/no: that answers the column. */
    if (!cz_print_val(r, "can_work", c->lang, work, sizeof work)[0]) cz_print_val(r, "labour", c->lang, work, sizeof work);
    const char *cells[] = { cz_print_val(r, "name", c->lang, name, sizeof name), cz_print_val(r, "relation", c->lang, rel, sizeof rel),
                            cz_print_val(r, "sex", c->lang, sex, sizeof sex), age, work, masked };
    cz_pdf_row(c->p, cells, 0);
}

/* The head first, then the others from the eldest. */
static int members(struct card *c, const uint8_t *hh)
{
    struct cz_pdf *p = c->p;
    const struct cz_pdf_col cols[] = {
        CZ_COL(cz_pdf_tr(p, "Name", "姓名"), 0.22), CZ_COL(cz_pdf_tr(p, "Relation", "与户主关系"), 0.18),
        CZ_COL(cz_pdf_tr(p, "Sex", "性别"), 0.08), CZ_NUM(cz_pdf_tr(p, "Age", "年龄"), 0.08),
        CZ_COL(cz_pdf_tr(p, "Able to work", "劳动能力"), 0.16), CZ_COL(cz_pdf_tr(p, "ID number", "身份证号"), 0.28),
    };
    struct loaded l = { .order = "born" };
    int rc = load_linked(c, hh, "member", &l);
    char head[128];
    snprintf(head, sizeof head, cz_pdf_tr(p, "Members (%zu)", "家庭成员（%zu 人）"), l.n);
    cz_pdf_heading(p, head);
    cz_pdf_table(p, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; rc == CZ_OK && i < l.n; i++) member_row(c, &l.v[i]);
    cz_pdf_table_end(p);
    loaded_free(&l);
    return rc;
}

static void helper_row(struct card *c, const struct cz_record *pairing)
{
    uint8_t he[CZ_ENTITY_BYTES];
    struct cz_record h = { 0 };
    char name[VAL], kind[128], org[VAL], phone[64], mode[64];
    if (!cz_print_ref(pairing, "helper", he) || cz_record_load(c->t, he, &h) || h.deleted || !h.body) goto out;
    const char *cells[] = { cz_print_val(&h, "name", c->lang, name, sizeof name), cz_print_val(&h, "kind", c->lang, kind, sizeof kind),
                            cz_print_val(&h, "org", c->lang, org, sizeof org), cz_print_val(&h, "phone", c->lang, phone, sizeof phone),
                            cz_print_val(pairing, "mode", c->lang, mode, sizeof mode) };
    cz_pdf_row(c->p, cells, 0);
out:
    cz_record_clear(&h);
}

static void aid_row(struct card *c, const struct cz_record *r)
{
    char date[16], kind[64], item[VAL], q[64], unit[128], qty[256], value[64], giver[VAL];
    snprintf(qty, sizeof qty, "%s %s", cz_print_val(r, "quantity", c->lang, q, sizeof q), cz_print_val(r, "unit", c->lang, unit, sizeof unit));
    const char *cells[] = { cz_print_val(r, "date", c->lang, date, sizeof date), cz_print_val(r, "kind", c->lang, kind, sizeof kind),
                            cz_print_val(r, "item", c->lang, item, sizeof item), qty, cz_print_val(r, "value", c->lang, value, sizeof value),
                            cz_print_val(r, "giver", c->lang, giver, sizeof giver) };
    cz_pdf_row(c->p, cells, 0);
}

static void training_row(struct card *c, const struct cz_record *r)
{
    char date[16], topic[VAL], org[VAL], place[VAL];
    const char *cells[] = { cz_print_val(r, "date", c->lang, date, sizeof date), cz_print_val(r, "topic", c->lang, topic, sizeof topic),
                            cz_print_val(r, "organiser", c->lang, org, sizeof org), cz_print_val(r, "place", c->lang, place, sizeof place) };
    cz_pdf_row(c->p, cells, 0);
}

static void plot_row(struct card *c, const struct cz_record *r)
{
    char crop[VAL], variety[VAL], area[64], planted[16], per_mu[64];
    const char *cells[] = { cz_print_val(r, "crop", c->lang, crop, sizeof crop), cz_print_val(r, "variety", c->lang, variety, sizeof variety),
                            cz_print_val(r, "area", c->lang, area, sizeof area), cz_print_val(r, "planted", c->lang, planted, sizeof planted),
                            cz_print_val(r, "expected_per_mu", c->lang, per_mu, sizeof per_mu) };
    cz_pdf_row(c->p, cells, 0);
}

static void sale_row(struct card *c, const struct cz_record *r)
{
    char date[16], buyer[VAL], qty[64], price[64], amount[64];
    const char *cells[] = { cz_print_val(r, "date", c->lang, date, sizeof date), cz_print_val(r, "buyer", c->lang, buyer, sizeof buyer),
                            cz_print_val(r, "quantity", c->lang, qty, sizeof qty), cz_print_val(r, "price", c->lang, price, sizeof price),
                            cz_print_val(r, "amount", c->lang, amount, sizeof amount) };
    cz_pdf_row(c->p, cells, 0);
}

/* One section: its heading, a table of the linked records, or "none". */
static int section(struct card *c, const uint8_t *hh, const char *heading, const char *type, const char *order,
                   const struct cz_pdf_col *cols, size_t ncols, card_row_fn fn)
{
    size_t n = 0;
    cz_pdf_heading(c->p, heading);
    cz_pdf_table(c->p, cols, ncols);
    int rc = each_linked(c, hh, type, order, fn, &n);
    if (rc == CZ_OK && n == 0) {
        const char *none[CZ_PDF_COLS] = { cz_pdf_tr(c->p, "none", "无") };
        for (size_t i = 1; i < ncols; i++) none[i] = "";
        cz_pdf_row(c->p, none, 0);
    }
    cz_pdf_table_end(c->p);
    return rc;
}

/* The household's own helpers, then those paired with its whole village
 * (a first secretary helps every household of it: one to many). */
static int helpers(struct card *c, const struct cz_record *hh, const struct cz_pdf_col *cols, size_t ncols)
{
    struct cz_ents e = { 0 };
    char code[32];
    struct cz_assign filter = { .field = "village", .value = code };
    struct cz_field_error err;
    size_t n = 0;
    cz_pdf_heading(c->p, cz_pdf_tr(c->p, "Helpers and how to reach them", "帮扶责任人及联系方式"));
    cz_pdf_table(c->p, cols, ncols);
    int rc = each_linked(c, hh->entity, "pairing", "start", helper_row, &n);
    cz_print_val(hh, "village", CZ_LANG_EN, code, sizeof code);
    if (rc == CZ_OK && code[0]) rc = cz_query_list(c->t, cz_schema_type("pairing"), &filter, 1, cz_print_collect, &e, &err);
    for (size_t i = 0; rc == CZ_OK && i < e.n; i++) {
        struct cz_record r = { 0 };
        uint8_t other[CZ_ENTITY_BYTES];
        if ((rc = cz_record_load(c->t, e.v[i], &r)) == CZ_OK && !r.deleted && r.body && !cz_print_ref(&r, "household", other)) {
            helper_row(c, &r);
            n++;
        }
        cz_record_clear(&r);
    }
    if (rc == CZ_OK && n == 0) {
        const char *none[CZ_PDF_COLS] = { cz_pdf_tr(c->p, "none", "无"), "", "", "", "", "" };
        cz_pdf_row(c->p, none, 0);
    }
    cz_pdf_table_end(c->p);
    free(e.v);
    return rc;
}

/* The visit with the latest date (the first of equal dates). */
static int latest_visit(struct card *c, const uint8_t *hh)
{
    struct cz_ents e = { 0 };
    struct cz_record best = { 0 };
    uint64_t best_date = 0;
    int rc = cz_view_linked(c->v, hh, "visit", cz_print_collect, &e);
    for (size_t i = 0; rc == CZ_OK && i < e.n; i++) {
        struct cz_record r = { 0 };
        if ((rc = cz_record_load(c->t, e.v[i], &r)) == CZ_OK && !r.deleted && r.body && cz_print_uint(&r, "date") > best_date) {
            best_date = cz_print_uint(&r, "date");
            cz_record_clear(&best);
            best = r;
            continue;
        }
        cz_record_clear(&r);
    }
    cz_pdf_heading(c->p, cz_pdf_tr(c->p, "Latest visit", "最近一次走访"));
    if (rc == CZ_OK && best_date) {
        char date[16], name[VAL] = "", notes[CZ_VALUE_MAX + 1];
        uint8_t he[CZ_ENTITY_BYTES];
        struct cz_record h = { 0 };
        if (cz_print_ref(&best, "helper", he) && cz_record_load(c->t, he, &h) == CZ_OK && h.body) cz_print_val(&h, "name", c->lang, name, sizeof name);
        cz_record_clear(&h);
        cz_pdf_field(c->p, cz_pdf_tr(c->p, "Date", "日期"), cz_print_val(&best, "date", c->lang, date, sizeof date));
        cz_pdf_field(c->p, cz_pdf_tr(c->p, "Helper", "帮扶责任人"), name);
        cz_pdf_field(c->p, cz_pdf_tr(c->p, "Notes", "走访记录"), cz_print_val(&best, "notes", c->lang, notes, sizeof notes));
    } else if (rc == CZ_OK) {
        cz_pdf_text(c->p, cz_pdf_tr(c->p, "none", "无"));
    }
    cz_record_clear(&best);
    free(e.v);
    return rc;
}

/* "version 3fce97fb26b1, signed by NAME@STATION on DATE": what a person
 * holding the card checks against the station (`cunzhan show`). */
static void card_footer(struct card *c, const struct cz_record *hh)
{
    char id[2 * CZ_ID_BYTES + 1], who[512], when[64], text[800];
    cz_hex(hh->id, CZ_ID_BYTES, id);
    id[12] = 0;
    cz_signer_name(c->t, c->root, hh->origin, c->lang, 1, who, sizeof who);
    cz_format_cst(hh->wall, when, sizeof when);
    snprintf(text, sizeof text, cz_pdf_tr(c->p, "Record version %s, signed by %s on %s (China time). Printed by cunzhan.",
                                          "记录版本 %s，由 %s 签名，签名时间 %s（北京时间）。村站打印。"),
             id, who, when);
    cz_pdf_footer(c->p, text);
}

static void card_head(struct card *c, const struct cz_record *hh)
{
    struct cz_pdf *p = c->p;
    char buf[VAL], title[VAL + 64], village[VAL], code[32], name[256], causes[VAL];
    cz_print_val(hh, "head", c->lang, buf, sizeof buf);
    snprintf(title, sizeof title, cz_pdf_tr(p, "Household card: %s", "扶贫明白卡：%s 户"), buf);
    cz_pdf_title(p, title);
    cz_pdf_field(p, cz_pdf_tr(p, "Household number", "户编号"), cz_print_val(hh, "number", c->lang, buf, sizeof buf));
    cz_pdf_field(p, cz_pdf_tr(p, "Head of household", "户主"), cz_print_val(hh, "head", c->lang, buf, sizeof buf));
    cz_print_val(hh, "village", c->lang, code, sizeof code);
    cz_report_place_name(c->t, code, name, sizeof name);
    snprintf(village, sizeof village, "%s (%s)", name, code);
    cz_pdf_field(p, cz_pdf_tr(p, "Village", "所在村"), name[0] ? village : code);
    if (cz_print_val(hh, "address", c->lang, buf, sizeof buf)[0]) cz_pdf_field(p, cz_pdf_tr(p, "Address", "住址"), buf);
    cz_pdf_field(p, cz_pdf_tr(p, "Status", "贫困状态"),
                 cz_report_label("household", "status", household_status(c, hh), c->lang));
    if (cz_print_val(hh, "identified", c->lang, buf, sizeof buf)[0]) cz_pdf_field(p, cz_pdf_tr(p, "Year identified", "识别年份"), buf);
    if (cz_print_val(hh, "primary_cause", c->lang, buf, sizeof buf)[0]) cz_pdf_field(p, cz_pdf_tr(p, "Primary cause", "主要致贫原因"), buf);
    if (cz_print_val(hh, "causes", c->lang, causes, sizeof causes)[0]) cz_pdf_field(p, cz_pdf_tr(p, "Poverty causes", "致贫原因"), causes);
}

static int card(struct card *c, const struct cz_record *hh)
{
    struct cz_pdf *p = c->p;
    const uint8_t *e = hh->entity;
    cz_pdf_page(p);
    card_footer(c, hh);
    card_head(c, hh);
    const struct cz_pdf_col helper[] = {
        CZ_COL(cz_pdf_tr(p, "Helper", "帮扶责任人"), 0.2), CZ_COL(cz_pdf_tr(p, "Kind", "类别"), 0.18),
        CZ_COL(cz_pdf_tr(p, "Organisation", "单位"), 0.3), CZ_COL(cz_pdf_tr(p, "Phone", "联系电话"), 0.18),
        CZ_COL(cz_pdf_tr(p, "Mode", "帮扶方式"), 0.14),
    };
    const struct cz_pdf_col aid[] = {
        CZ_COL(cz_pdf_tr(p, "Date", "日期"), 0.16), CZ_COL(cz_pdf_tr(p, "Kind", "类别"), 0.12),
        CZ_COL(cz_pdf_tr(p, "Item", "物品"), 0.22), CZ_COL(cz_pdf_tr(p, "Quantity", "数量"), 0.14),
        CZ_NUM(cz_pdf_tr(p, "Value (yuan)", "价值(元)"), 0.13), CZ_COL(cz_pdf_tr(p, "Giving unit", "发放单位"), 0.23),
    };
    const struct cz_pdf_col training[] = {
        CZ_COL(cz_pdf_tr(p, "Date", "日期"), 0.16), CZ_COL(cz_pdf_tr(p, "Topic", "主题"), 0.36),
        CZ_COL(cz_pdf_tr(p, "Organiser", "主办单位"), 0.26), CZ_COL(cz_pdf_tr(p, "Place", "地点"), 0.22),
    };
    const struct cz_pdf_col plot[] = {
        CZ_COL(cz_pdf_tr(p, "Crop", "作物"), 0.2), CZ_COL(cz_pdf_tr(p, "Variety", "品种"), 0.22),
        CZ_NUM(cz_pdf_tr(p, "Area (mu)", "面积(亩)"), 0.16), CZ_COL(cz_pdf_tr(p, "Transplanted", "移栽日期"), 0.18),
        CZ_NUM(cz_pdf_tr(p, "Expected yuan/mu", "预计亩收入(元)"), 0.24),
    };
    const struct cz_pdf_col sale[] = {
        CZ_COL(cz_pdf_tr(p, "Date", "日期"), 0.16), CZ_COL(cz_pdf_tr(p, "Buyer", "收购方"), 0.32),
        CZ_NUM(cz_pdf_tr(p, "Quantity (jin)", "数量(斤)"), 0.17), CZ_NUM(cz_pdf_tr(p, "Price (yuan/jin)", "收购价(元/斤)"), 0.17),
        CZ_NUM(cz_pdf_tr(p, "Amount (yuan)", "金额(元)"), 0.18),
    };
    int rc;
    if ((rc = members(c, e)) ||
        (rc = helpers(c, hh, helper, 5)) ||
        (rc = section(c, e, cz_pdf_tr(p, "Aid received", "享受的帮扶物资"), "aid", "date", aid, 6, aid_row)) ||
        (rc = section(c, e, cz_pdf_tr(p, "Trainings attended", "参加的培训"), "training", "date", training, 4, training_row)) ||
        (rc = section(c, e, cz_pdf_tr(p, "Plots", "种植地块"), "plot", "planted", plot, 5, plot_row)) ||
        (rc = section(c, e, cz_pdf_tr(p, "Sales", "订单收购"), "sale", "date", sale, 5, sale_row)))
        return rc;
    return latest_visit(c, e);
}

static int card_of(struct card *c, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_print_out *o)
{
    struct cz_record r = { 0 };
    int rc = cz_record_load(c->t, entity, &r);
    if (rc == CZ_ENOTFOUND || (rc == CZ_OK && (r.deleted || !r.body))) rc = CZ_ENOHOUSEHOLD;
    else if (rc == CZ_OK && strcmp(r.type_key, "household")) rc = CZ_ENOTHOUSEHOLD;
    if (rc == CZ_ENOHOUSEHOLD || rc == CZ_ENOTHOUSEHOLD) {
        cz_hex(entity, CZ_ENTITY_BYTES, o->context);
        o->context[12] = 0;
    }
    if (rc == CZ_OK) rc = card(c, &r);
    cz_record_clear(&r);
    return rc;
}

static int cards(cz_station *st, const uint8_t (*hh)[CZ_ENTITY_BYTES], size_t n, const char *village,
                 struct cz_print_out *o);

int cz_print_card(cz_station *st, const uint8_t (*households)[CZ_ENTITY_BYTES], size_t n, struct cz_print_out *o)
{
    if (!n) return CZ_EINVAL;   /* an empty PDF is no card */
    return cards(st, households, n, NULL, o);
}

int cz_print_card_village(cz_station *st, const char *village, struct cz_print_out *o)
{
    return cards(st, NULL, 0, village, o);
}

struct numbered { uint8_t entity[CZ_ENTITY_BYTES]; char number[128]; };

static int by_number(const void *a, const void *b)
{
    return strcmp(((const struct numbered *)a)->number, ((const struct numbered *)b)->number);
}

/* The village's live households, by household number. */
static int village_households(cz_txn *t, const char *village, struct cz_ents *out, struct cz_print_out *o)
{
    char place[CZ_REGION_MAX + 1];
    struct cz_ents e = { 0 };
    struct cz_assign filter = { .field = "village", .value = place };
    struct cz_field_error err;
    struct numbered *v = NULL;
    int rc = cz_region_filter(t, village, place);
    if (rc == CZ_OK && strlen(place) != 12) rc = CZ_EPLACECODE;
    if (rc == CZ_OK) rc = cz_query_list(t, cz_schema_type("household"), &filter, 1, cz_print_collect, &e, &err);
    if (rc == CZ_OK && !e.n) rc = CZ_ENOVILLAGEHH;
    if (rc == CZ_OK && !(v = calloc(e.n, sizeof *v))) rc = CZ_ENOMEM;
    for (size_t i = 0; rc == CZ_OK && i < e.n; i++) {
        struct cz_record r = { 0 };
        memcpy(v[i].entity, e.v[i], CZ_ENTITY_BYTES);
        if ((rc = cz_record_load(t, e.v[i], &r)) == CZ_OK) cz_print_val(&r, "number", CZ_LANG_EN, v[i].number, sizeof v[i].number);
        cz_record_clear(&r);
    }
    if (rc == CZ_OK) {
        qsort(v, e.n, sizeof *v, by_number);
        for (size_t i = 0; i < e.n; i++) memcpy(e.v[i], v[i].entity, CZ_ENTITY_BYTES);
        *out = e;
    } else {
        free(e.v);
        snprintf(o->context, sizeof o->context, "%s", village);
    }
    free(v);
    return rc;
}

static int cards(cz_station *st, const uint8_t (*hh)[CZ_ENTITY_BYTES], size_t n, const char *village,
                 struct cz_print_out *o)
{
    struct card c = { .root = cz_station_info(st)->office_root, .lang = o->lang };
    struct cz_ents e = { 0 };
    int rc = cz_pdf_new(o, &c.p);
    if (rc == CZ_OK) rc = cz_view_begin(st, &c.v);
    if (rc) goto out;
    c.t = cz_view_txn(c.v);
    if (village) {
        if ((rc = village_households(c.t, village, &e, o))) goto out;
        hh = (const uint8_t (*)[CZ_ENTITY_BYTES])e.v;
        n = e.n;
    }
    for (size_t i = 0; rc == CZ_OK && i < n; i++) rc = card_of(&c, hh[i], o);
    if (rc == CZ_OK) rc = cz_pdf_status(c.p);
    cz_view_end(c.v);
    c.v = NULL;
    o->items = n;
    if (rc == CZ_OK) rc = cz_pdf_save(c.p);
out:
    cz_view_end(c.v);
    cz_pdf_free(c.p);
    free(e.v);
    return rc;
}
