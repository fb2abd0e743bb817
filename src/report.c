#include "report.h"
#include "counts.h"
#include "region.h"
#include "codec.h"
#include "exitchain.h"
#include "index.h"
#include "grow.h"
#include "hhstatus.h"
#include "parse.h"
#include "query.h"
#include "report_int.h"
#include "roster.h"
#include "schema.h"
#include "status.h"
#include "villrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds to the row (key, sub), creating it; rows keep first-seen order and
 * are sorted at the end. */
static int add_row(struct cz_report_table *tb, const char *key, const char *sub, int64_t a, int64_t b)
{
    for (size_t i = 0; i < tb->n; i++)
        if (!strcmp(tb->rows[i].key, key) && !strcmp(tb->rows[i].sub, sub)) {
            tb->rows[i].a += a;
            tb->rows[i].b += b;
            return CZ_OK;
        }
    int rc = cz_grow(&tb->rows, &tb->cap, tb->n + 1, sizeof *tb->rows);
    if (rc) return rc;
    struct cz_report_row *r = &tb->rows[tb->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    snprintf(r->sub, sizeof r->sub, "%s", sub);
    r->a = a;
    r->b = b;
    return CZ_OK;
}

static int row_cmp(const void *x, const void *y)
{
    const struct cz_report_row *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->sub, b->sub);
}

static void sort_table(struct cz_report_table *tb)
{
    if (tb->n) qsort(tb->rows, tb->n, sizeof *tb->rows, row_cmp);
}

void cz_report_free(struct cz_report *r)
{
    free(r->by_village.rows);
    free(r->exited_by_year.rows);
    free(r->by_cause.rows);
    free(r->aid.rows);
    free(r->income);
    free(r->measures.rows);
    free(r->incidence.rows);
    free(r->incidence_town.rows);
    free(r->monitors.rows);
    memset(r, 0, sizeof *r);
}

static int first_cb(void *ctx, const uint8_t *entity)
{
    memcpy(ctx, entity, CZ_ENTITY_BYTES);
    return CZ_WALK_STOP;
}

void cz_report_place_name(cz_txn *t, const char *code, char *buf, size_t size)
{
    char term[128];
    uint8_t entity[CZ_ENTITY_BYTES] = { 0 }, zero[CZ_ENTITY_BYTES] = { 0 };
    struct cz_record r;
    buf[0] = 0;
    cz_store_index_each(t, term, cz_term_exact(term, sizeof term, "place", "code", code), first_cb, entity);
    if (!memcmp(entity, zero, sizeof zero)) return;
    if (cz_record_load(t, entity, &r) == CZ_OK && r.body) cz_schema_title(r.type, r.body, buf, size);
    cz_record_clear(&r);
}

const char *cz_report_label(const char *type, const char *field, const char *key, enum cz_lang lang)
{
    const struct cz_type *t = cz_schema_type(type);
    const struct cz_field *f = t ? cz_schema_field(t, field) : NULL;
    return f ? cz_enum_label(f, key, lang) : key;
}

void cz_report_share(int32_t bp, char *buf, size_t size)
{
    if (bp < 0) snprintf(buf, size, "-");
    else snprintf(buf, size, "%d.%02d%%", bp / 100, bp % 100);
}

int64_t cz_report_table_max(const struct cz_report_table *tb, int on_b)
{
    int64_t max = 0;
    for (size_t i = 0; i < tb->n; i++) {
        int64_t v = on_b ? tb->rows[i].b : tb->rows[i].a;
        if (v > max) max = v;
    }
    return max;
}

/* Whether a record's author counts, cached per key: reports see each
 * author many times. */
struct trust_cache { uint8_t key[32]; int counts; };
struct walk {
    cz_txn *t;
    const uint8_t *root;
    struct cz_report *r;
    const char *type;
    struct trust_cache cache[64];
    size_t ncache;
    /* members, their joins and leaves, yearly incomes (report_int.h) */
    struct cz_rreg reg;
    uint32_t today;
    /* Money figures that are products, summed exactly in hundredths of a
     * fen and rounded once at the end (round_fen). */
    int64_t pepper_expected_exact, sale_at_floor_exact;
    int rc;
};

/* x + a * b into *sum, or CZ_ERANGE when it would not fit: a figure of
 * trillions of yuan is refused rather than wrapped. */
static int add_product(int64_t *sum, int64_t a, int64_t b)
{
    int64_t p;
    if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(*sum, p, sum)) return CZ_ERANGE;
    return CZ_OK;
}

/* Hundredths of a fen to fen, half up (towards more money, so -0.5 fen
 * is 0): the one rounding of a money figure (DOMAIN.md). */
static int64_t round_fen(int64_t hundredths)
{
    int64_t q = hundredths / 100, r = hundredths % 100;
    if (r < 0) { q--; r += 100; }   /* floor division */
    return r >= 50 ? q + 1 : q;
}

static int author_counts(struct walk *w, const struct cz_record *rec)
{
    for (size_t i = 0; i < w->ncache; i++)
        if (!memcmp(w->cache[i].key, rec->origin, 32)) return w->cache[i].counts;
    struct cz_entry e;
    struct cz_trust_info info;
    int why = CZ_EPERM;
    memset(&info, 0, sizeof info);
    uint64_t fork_seq;
    if (cz_store_get_entry(w->t, rec->id, &e) == CZ_OK &&
        cz_roster_lookup(w->t, w->root, e.origin, &info) == CZ_OK)
        cz_counts_entry(w->t, &info, &e, &why);
    int counts = why == CZ_OK;
    /* Revocation and a fork depend on seq, so only cache what cannot
     * change by entry. */
    int forked = cz_store_fork_first(w->t, rec->origin, &fork_seq) != CZ_ENOTFOUND;
    if (!info.revoked && !forked && w->ncache < sizeof w->cache / sizeof w->cache[0]) {
        memcpy(w->cache[w->ncache].key, rec->origin, 32);
        w->cache[w->ncache++].counts = counts;
    }
    return counts;
}

static const char *text_of(const struct cz_record *rec, const char *field, char *buf, size_t size)
{
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (!f || !cz_schema_format(f, rec->body, CZ_LANG_EN, 0, buf, size)) buf[0] = 0;
    return buf;
}

static int64_t sint_of(const struct cz_record *rec, const char *field)
{
    int64_t v = 0;
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (f) cz_body_get_sint(rec->body, f->tag, &v);
    return v;
}

static const uint8_t *ref_of(const struct cz_record *rec, const char *field)
{
    const uint8_t *p;
    size_t len;
    const struct cz_field *f = cz_schema_field(rec->type, field);
    if (f && cz_body_get_bytes(rec->body, f->tag, &p, &len) == CZ_OK && len == CZ_ENTITY_BYTES) return p;
    return NULL;
}

int64_t cz_report_net_per_person(const struct cz_report_income *row)
{
    if (row->people <= 0) return 0;
    int64_t q = row->net / row->people, rem = row->net % row->people;
    if (rem < 0) { q--; rem += row->people; }   /* floor, then half up */
    return 2 * rem >= row->people ? q + 1 : q;
}

static int visit_household(struct walk *w, const struct cz_record *rec)
{
    char buf[256];
    struct cz_report *r = w->r;
    struct cz_household_status hs;
    int rc = cz_household_status(w->t, w->root, rec->entity, &hs);
    if (rc) return rc;
    /* A paper exit is a row of its own ("exited_paper"), outside the
     * exits by year, which are those of a whole approval chain. */
    int paper = hs.status == CZ_HH_EXITED && hs.paper;
    const char *status = paper ? "exited_paper" : cz_hh_status_key(hs.status);
    int exited = hs.status == CZ_HH_EXITED && !paper;
    uint32_t year = hs.exit_year;
    /* Its members today: one who died or moved out is no longer counted. */
    int64_t people = (int64_t)cz_rreg_present(&w->reg, rec->entity, w->today);
    r->households++;
    r->people += people;   /* members of a deleted or left-out household are no one's */
    if ((rc = add_row(&r->by_village, text_of(rec, "village", buf, sizeof buf), status, 1, people))) return rc;
    if (exited) {
        snprintf(buf, sizeof buf, "%u", year);
        if ((rc = add_row(&r->exited_by_year, buf, "", people, 1))) return rc;
    }
    const struct cz_field *cf = cz_schema_field(rec->type, "causes");
    size_t n = 0;
    cz_body_get_list_count(rec->body, cf->tag, &n);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        cz_body_get_list_item(rec->body, cf->tag, i, &s, &len);
        if ((rc = add_row(&r->by_cause, s, "", 0, 1))) return rc;
    }
    if (text_of(rec, "primary_cause", buf, sizeof buf)[0] && (rc = add_row(&r->by_cause, buf, "", 1, 0)))
        return rc;
    return CZ_OK;
}

static int visit_aid(struct walk *w, const struct cz_record *rec)
{
    char buf[256], fund[256];
    struct cz_report *r = w->r;
    int64_t value = sint_of(rec, "value");
    text_of(rec, "fund", fund, sizeof fund);
    int rc = add_row(&r->aid, text_of(rec, "kind", buf, sizeof buf), fund[0] ? fund : "other", value, 1);
    if (rc) return rc;
    if (!strcmp(fund, "special")) {
        r->special_total += value;
        if (!strcmp(text_of(rec, "industry", buf, sizeof buf), "yes")) {
            r->special_industry += value;
            if (ref_of(rec, "household")) r->special_industry_households += value;
        }
    }
    return CZ_OK;
}

/* ---- the village side (villrec.h) ---- */

/* The latest village_year of each village: row (village, year) with b
 * its rural population; a is filled once every household is counted
 * (incidence_finish). */
static int visit_village_year(struct walk *w, const struct cz_record *rec)
{
    char village[64], year[16];
    struct cz_report_table *tb = &w->r->incidence;
    text_of(rec, "village", village, sizeof village);
    text_of(rec, "year", year, sizeof year);
    if (!village[0] || !year[0]) return CZ_OK;
    for (size_t i = 0; i < tb->n; i++) {
        if (strcmp(tb->rows[i].key, village)) continue;
        if (strcmp(year, tb->rows[i].sub) > 0) {
            snprintf(tb->rows[i].sub, sizeof tb->rows[i].sub, "%s", year);
            tb->rows[i].b = sint_of(rec, "rural_population");
        }
        return CZ_OK;
    }
    return add_row(tb, village, year, 0, sint_of(rec, "rural_population"));
}

static int visit_monitor(struct walk *w, const struct cz_record *rec)
{
    char kind[64], status[64];
    text_of(rec, "kind", kind, sizeof kind);
    text_of(rec, "status", status, sizeof status);
    return add_row(&w->r->monitors, kind, status[0] ? status : "monitored", 1, ref_of(rec, "household") != NULL);
}

/* Each village's people not out of poverty, from the status table, and
 * the townships' sums. */
static int incidence_finish(struct cz_report *r)
{
    for (size_t i = 0; i < r->incidence.n; i++) {
        struct cz_report_row *row = &r->incidence.rows[i];
        for (size_t k = 0; k < r->by_village.n; k++)
            if (!strcmp(r->by_village.rows[k].key, row->key) &&
                (!strcmp(r->by_village.rows[k].sub, "poor") || !strcmp(r->by_village.rows[k].sub, "returned")))
                row->a += r->by_village.rows[k].b;
        char town[16];
        snprintf(town, sizeof town, "%.9s", row->key);
        int rc = add_row(&r->incidence_town, town, "", row->a, row->b);
        if (rc) return rc;
    }
    sort_table(&r->incidence);
    sort_table(&r->incidence_town);
    sort_table(&r->monitors);
    return CZ_OK;
}

static int visit(struct walk *w, const struct cz_record *rec)
{
    char buf[256];
    struct cz_report *r = w->r;
    const char *ty = rec->type_key;

    if (!strcmp(ty, "member")) return cz_rreg_member(&w->reg, rec);
    if (!strcmp(ty, "member_change")) return cz_rreg_change(&w->reg, rec);
    if (!strcmp(ty, "income")) return cz_rreg_income(&w->reg, rec);
    if (!strcmp(ty, "measure"))
        return add_row(&r->measures, text_of(rec, "category", buf, sizeof buf), "", sint_of(rec, "amount"), 1);
    if (!strcmp(ty, "household")) return visit_household(w, rec);
    if (!strcmp(ty, "aid")) return visit_aid(w, rec);
    if (!strcmp(ty, "village_year")) return visit_village_year(w, rec);
    if (!strcmp(ty, "monitor")) return visit_monitor(w, rec);
    if (!strcmp(ty, "training")) {
        r->trainings++;
        r->trainees += sint_of(rec, "trainees");
        r->leaflets += sint_of(rec, "leaflets");
    } else if (!strcmp(ty, "plot")) {
        text_of(rec, "crop", buf, sizeof buf);
        if (strstr(buf, "辣椒") || strstr(buf, "pepper") || strstr(buf, "Pepper")) {
            int64_t area = sint_of(rec, "area");
            r->pepper_plots++;
            r->pepper_area += area;
            /* hundredths of a mu times fen a mu: hundredths of a fen */
            return add_product(&w->pepper_expected_exact, area, sint_of(rec, "expected_per_mu"));
        }
    } else if (!strcmp(ty, "sale")) {
        int64_t qty = sint_of(rec, "quantity");
        r->sales++;
        r->sale_quantity += qty;
        r->sale_paid += sint_of(rec, "amount");   /* each sale's own amount, as signed */
        /* hundredths of a jin times fen a jin */
        return add_product(&w->sale_at_floor_exact, qty, sint_of(rec, "floor_price"));
    }
    return CZ_OK;
}

static int walk_cb(void *ctx, const uint8_t *entity)
{
    struct walk *w = ctx;
    struct cz_record rec;
    int rc = cz_record_load(w->t, entity, &rec);
    if (rc) return rc;
    if (!rec.deleted && rec.type && cz_region_under(rec.region, w->r->region)) {
        if (author_counts(w, &rec)) rc = visit(w, &rec);
        else w->r->pending_left_out++;
    }
    cz_record_clear(&rec);
    return rc;
}

static int32_t share_bp(int64_t part, int64_t whole)
{
    if (whole <= 0) return -1;
    return (int32_t)((part * 10000 + whole / 2) / whole);
}

int cz_report_build(cz_txn *t, const uint8_t root[32], const char *region, struct cz_report *r)
{
    /* Members and their joins and leaves first, so households can count
     * their people. */
    static const char *const order[] = { "member", "member_change", "household", "aid", "training", "plot",
                                         "sale", "income", "measure", "village_year", "monitor" };
    struct walk w;
    char term[64];
    int rc = CZ_OK;

    memset(r, 0, sizeof *r);
    memset(&w, 0, sizeof w);
    snprintf(r->region, sizeof r->region, "%s", region ? region : "");
    w.t = t;
    w.root = root;
    w.r = r;
    w.today = cz_today();
    for (size_t i = 0; i < sizeof order / sizeof order[0] && rc == CZ_OK; i++) {
        w.type = order[i];
        rc = cz_store_index_each(t, term, cz_term_type(term, sizeof term, order[i]), walk_cb, &w);
        if (i == 1) cz_rreg_sort(&w.reg);
    }
    if (rc == CZ_OK) rc = cz_rreg_finish(&w.reg, r);
    cz_rreg_free(&w.reg);
    if (rc) { cz_report_free(r); return rc; }
    r->pepper_expected = round_fen(w.pepper_expected_exact);
    r->sale_at_floor = round_fen(w.sale_at_floor_exact);
    sort_table(&r->by_village);
    sort_table(&r->exited_by_year);
    sort_table(&r->by_cause);
    sort_table(&r->aid);
    sort_table(&r->measures);
    if ((rc = incidence_finish(r))) { cz_report_free(r); return rc; }
    r->industry_share_bp = share_bp(r->special_industry, r->special_total);
    r->household_share_bp = share_bp(r->special_industry_households, r->special_industry);
    r->industry_pass = r->industry_share_bp > CZ_TARGET_INDUSTRY_BP;
    r->household_pass = r->household_share_bp > CZ_TARGET_HOUSEHOLD_BP;
    return CZ_OK;
}

static int csv_row(FILE *f, const char *section, const char *key, const char *sub, long long v1, long long v2)
{
    return fprintf(f, "%s,%s,%s,%lld,%lld\n", section, key, sub, v1, v2) < 0;
}

static int csv_table(FILE *f, const char *section, const struct cz_report_table *tb, int with_sub)
{
    int bad = 0;
    for (size_t i = 0; i < tb->n; i++)
        bad |= csv_row(f, section, tb->rows[i].key, with_sub ? tb->rows[i].sub : "", tb->rows[i].a, tb->rows[i].b);
    return bad;
}

/* The registry's sections: income by village and year (sub the year;
 * value and value2 per line), measures by category. */
static int csv_registry(FILE *f, const struct cz_report *r)
{
    int bad = 0;
    for (size_t i = 0; i < r->nincome; i++) {
        const struct cz_report_income *x = &r->income[i];
        char year[16];
        snprintf(year, sizeof year, "%d", x->year);
        bad |= csv_row(f, "income_people", x->village, year, x->households, x->people);
        bad |= csv_row(f, "income_fen", x->village, year, x->wages, x->production);
        bad |= csv_row(f, "income_costs_property_fen", x->village, year, x->costs, x->property);
        bad |= csv_row(f, "income_transfers_net_fen", x->village, year, x->transfers, x->net);
        bad |= csv_row(f, "income_net_per_person_fen", x->village, year, cz_report_net_per_person(x), 0);
    }
    bad |= csv_table(f, "measure_fen", &r->measures, 0);
    return bad;
}

int cz_report_csv(const struct cz_report *r, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = open_memstream(out, len);
    if (!f) return CZ_ENOMEM;
    int bad = fputs("section,key,sub,value,value2\n", f) < 0;
    bad |= csv_row(f, "total", "households", "", r->households, 0);
    bad |= csv_row(f, "total", "people", "", r->people, 0);
    bad |= csv_table(f, "village_status", &r->by_village, 1);
    bad |= csv_table(f, "exited_by_year", &r->exited_by_year, 0);
    bad |= csv_table(f, "cause", &r->by_cause, 0);
    bad |= csv_table(f, "aid_fen", &r->aid, 1);
    bad |= csv_row(f, "special_funds_fen", "total", "", r->special_total, 0);
    bad |= csv_row(f, "special_funds_fen", "industry", "", r->special_industry, r->industry_share_bp);
    bad |= csv_row(f, "special_funds_fen", "industry_households", "", r->special_industry_households,
                   r->household_share_bp);
    bad |= csv_row(f, "training", "sessions", "", r->trainings, 0);
    bad |= csv_row(f, "training", "trainees", "", r->trainees, 0);
    bad |= csv_row(f, "training", "leaflets", "", r->leaflets, 0);
    bad |= csv_row(f, "pepper", "area_hundredths_mu", "", r->pepper_area, r->pepper_plots);
    bad |= csv_row(f, "pepper", "expected_income_fen", "", r->pepper_expected, 0);
    bad |= csv_row(f, "sales", "quantity_hundredths_jin", "", r->sale_quantity, r->sales);
    bad |= csv_row(f, "sales", "paid_fen", "", r->sale_paid, 0);
    bad |= csv_row(f, "sales", "at_floor_fen", "", r->sale_at_floor, 0);
    bad |= csv_registry(f, r);
    /* the village side: value people not out of poverty, value2 the rural
     * population; the share in basis points is a row of its own */
    for (size_t i = 0; i < r->incidence.n; i++) {
        const struct cz_report_row *w = &r->incidence.rows[i];
        bad |= csv_row(f, "incidence_village", w->key, w->sub, w->a, w->b);
        bad |= csv_row(f, "incidence_village_bp", w->key, w->sub, cz_villrec_incidence_bp(w->a, w->b), 0);
    }
    for (size_t i = 0; i < r->incidence_town.n; i++) {
        const struct cz_report_row *w = &r->incidence_town.rows[i];
        bad |= csv_row(f, "incidence_town", w->key, "", w->a, w->b);
        bad |= csv_row(f, "incidence_town_bp", w->key, "", cz_villrec_incidence_bp(w->a, w->b), 0);
    }
    bad |= csv_table(f, "monitor", &r->monitors, 1);
    bad |= fclose(f) != 0;
    if (bad) {
        free(*out);
        *out = NULL;
        *len = 0;
        return CZ_ENOMEM;
    }
    return CZ_OK;
}
