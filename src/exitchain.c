#include "exitchain.h"
#include "counts.h"
#include "region.h"
#include "codec.h"
#include "index.h"
#include "grow.h"
#include "parse.h"
#include "roster.h"
#include "schema.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const step_keys[CZ_STEP_COUNT] = { "village", "township", "county", "notice" };
/* The jurisdiction level that signs each step: a village supervisor
 * appraises, a township (9 digits) reviews, a county (6) decides and
 * publishes the notice. */
static const size_t step_level[CZ_STEP_COUNT] = { CZ_LEVEL_VILLAGE, CZ_LEVEL_TOWNSHIP, CZ_LEVEL_COUNTY,
                                                  CZ_LEVEL_COUNTY };
static const char *const guarantees[] = { "food", "clothing", "schooling", "medical", "housing" };
/* The later criteria (exitchain.h: when they apply). */
static const char *const later_checks[] = { "water", "agreed", "team_checked" };

/* Not answered is not "yes": nobody exits on a blank.  *failed: the first
 * field of keys that is not "yes". */
static int all_yes(const struct cz_type *ty, const cz_body *b, const char *const *keys, size_t n,
                   const struct cz_field **failed)
{
    for (size_t i = 0; i < n; i++) {
        const struct cz_field *f = cz_schema_field(ty, keys[i]);
        const char *v;
        size_t len;
        if (cz_body_get_text(b, f->tag, &v, &len) != CZ_OK || len != 3 || memcmp(v, "yes", 3)) {
            *failed = f;
            return 0;
        }
    }
    return 1;
}

int cz_exit_later_criteria(const cz_body *b)
{
    const struct cz_type *ty = cz_schema_type("exit");
    int64_t year = 0;
    for (size_t i = 0; i < sizeof later_checks / sizeof later_checks[0]; i++)
        if (cz_body_kind(b, cz_schema_field(ty, later_checks[i])->tag)) return 1;
    cz_body_get_sint(b, cz_schema_field(ty, "year")->tag, &year);
    return year >= CZ_LATER_CRITERIA_YEAR;
}

int cz_step_parse(const char *key)
{
    for (int i = 0; i < CZ_STEP_COUNT; i++)
        if (!strcmp(key, step_keys[i])) return i;
    return -1;
}

const char *cz_step_key(enum cz_step s) { return step_keys[s]; }
size_t cz_step_level(enum cz_step s) { return step_level[s]; }

long cz_days_between(uint32_t a, uint32_t b)
{
    struct tm ta = { 0 }, tb = { 0 };
    ta.tm_year = (int)(a / 10000) - 1900; ta.tm_mon = (int)(a / 100 % 100) - 1; ta.tm_mday = (int)(a % 100);
    tb.tm_year = (int)(b / 10000) - 1900; tb.tm_mon = (int)(b / 100 % 100) - 1; tb.tm_mday = (int)(b % 100);
    ta.tm_hour = tb.tm_hour = 12;
    return (long)((timegm(&tb) - timegm(&ta)) / 86400);
}

uint32_t cz_date_of_hlc(uint64_t hlc) { return cz_date_of_ms(cz_hlc_ms(hlc)); }

/* The fork rule of authz.h, the one every count follows; a look-up that
 * fails counts as quarantined. */
static int forked_before(cz_txn *t, const uint8_t root[32], const uint8_t key[32], uint64_t seq,
                         const uint8_t id[CZ_ID_BYTES])
{
    struct cz_trust_info info;
    int q = 1;
    if (cz_roster_lookup(t, root, key, &info) != CZ_OK ||
        cz_counts_fork_quarantined(t, &info, key, seq, id, &q) != CZ_OK)
        return 1;
    return q;
}

/* CZ_OK when key may sign step with that decision for region at seq;
 * CZ_ENOTFOUND while it has no certificate, CZ_EREVOKED after its
 * revocation, CZ_EROLE for the wrong role, level or area. */
static int signer_status(cz_txn *t, const uint8_t root[32], const uint8_t key[32], uint64_t seq,
                         enum cz_step step, int approve, const char *region)
{
    struct cz_trust_info info;
    int rc = cz_roster_lookup(t, root, key, &info);
    if (rc) return rc == CZ_ENOTFOUND ? CZ_ENOTFOUND : rc;
    /* The root and the office role set lines and enrol; they sign no step. */
    if (info.state == CZ_TRUST_ROOT) return CZ_EROLE;
    if (info.state == CZ_TRUST_PENDING) return CZ_ENOTFOUND;
    if (info.revoked && seq > info.revoked_after) return CZ_EREVOKED;
    if (strcmp(info.role, "supervisor") != 0) return CZ_EROLE;
    if (!cz_region_under(region, info.region)) return CZ_EROLE;
    size_t level = cz_region_level(info.region);
    /* Only the step's own level advances a chain; it or a level above may
     * stop it. */
    if (approve ? level != step_level[step] : level > step_level[step]) return CZ_EROLE;
    return CZ_OK;
}

int cz_step_signer_ok(cz_txn *t, const uint8_t root[32], const uint8_t key[32], uint64_t seq,
                      enum cz_step step, int approve, const char *region, int *why)
{
    int rc = signer_status(t, root, key, seq, step, approve, region);
    *why = rc == CZ_EROLE ? 1 : rc == CZ_OK ? 0 : 2;
    if (rc == CZ_OK) return CZ_OK;
    if (rc == CZ_EROLE || rc == CZ_ENOTFOUND || rc == CZ_EREVOKED) {
        /* role vs jurisdiction: only the role matters for *why 0 */
        struct cz_trust_info info;
        if (rc == CZ_EROLE && cz_roster_lookup(t, root, key, &info) == CZ_OK &&
            (info.state == CZ_TRUST_ROOT || strcmp(info.role, "supervisor")))
            *why = 0;
        return CZ_EPERM;
    }
    return rc;
}

/* ---- the poverty line and the criteria ---- */

struct line_scan { cz_txn *t; const uint8_t *root; uint32_t year; int64_t fen; uint64_t hlc; int found; };

/* Written by an office person or the root: nobody else sets the line. */
static int office_signed(cz_txn *t, const uint8_t root[32], const struct cz_entry *e)
{
    struct cz_trust_info info;
    if (cz_roster_lookup(t, root, e->origin, &info) != CZ_OK) return 0;
    if (info.state == CZ_TRUST_ROOT) return 1;
    return info.state == CZ_TRUST_CERTIFIED && !strcmp(info.role, "office") &&
           !(info.revoked && e->seq > info.revoked_after);
}

static int line_cb(void *ctx, const uint8_t *entity)
{
    struct line_scan *ls = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    struct cz_entry e;
    cz_body *b = NULL;
    const struct cz_type *ty = cz_schema_type("poverty_line");
    int64_t year, fen;
    if (cz_store_heads(ls->t, entity, heads, 1, &n) != CZ_OK || n == 0 ||
        cz_store_get_entry(ls->t, heads[0], &e) != CZ_OK || strcmp(e.type, "poverty_line") ||
        (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) || cz_body_decode(e.body, e.body_len, &b) != CZ_OK)
        return 0;
    if (cz_body_get_sint(b, cz_schema_field(ty, "year")->tag, &year) == CZ_OK && year == (int64_t)ls->year &&
        cz_body_get_sint(b, cz_schema_field(ty, "amount")->tag, &fen) == CZ_OK && fen >= 0 &&
        (!ls->found || e.hlc > ls->hlc) && office_signed(ls->t, ls->root, &e)) {
        ls->fen = fen;
        ls->hlc = e.hlc;
        ls->found = 1;
    }
    cz_body_free(b);
    return 0;
}

int cz_poverty_line(cz_txn *t, const uint8_t root[32], uint32_t year, int64_t *fen)
{
    char term[64];
    struct line_scan ls = { .t = t, .root = root, .year = year };
    int rc = cz_store_index_each(t, term, cz_term_type(term, sizeof term, "poverty_line"), line_cb, &ls);
    if (rc) return rc;
    if (!ls.found) return CZ_ENOTFOUND;
    *fen = ls.fen;
    return CZ_OK;
}

int cz_exit_criteria(cz_txn *t, const uint8_t root[32], const cz_body *b, struct cz_exit_detail *d)
{
    const struct cz_type *ty = cz_schema_type("exit");
    struct cz_exit_detail local;
    if (!d) d = &local;
    memset(d, 0, sizeof *d);
    if (!all_yes(ty, b, guarantees, sizeof guarantees / sizeof guarantees[0], &d->field)) return CZ_EGUARANTEE;
    int64_t year = 0, income = 0, line;
    cz_body_get_sint(b, cz_schema_field(ty, "year")->tag, &year);
    d->year = year > 0 ? (uint32_t)year : 0;
    int rc = cz_poverty_line(t, root, d->year, &line);
    if (rc == CZ_ENOTFOUND) return CZ_ENOLINE;
    if (rc) return rc;
    /* After the line, as before: an assessment of a year with no line
     * says so first, whatever else it lacks. */
    if (cz_exit_later_criteria(b) &&
        !all_yes(ty, b, later_checks, sizeof later_checks / sizeof later_checks[0], &d->field))
        return CZ_EGUARANTEE;
    d->field = cz_schema_field(ty, "income_per_capita");
    /* No income typed counts as none. */
    cz_body_get_sint(b, d->field->tag, &income);
    d->income = income;
    d->line = line;
    if (income < line) return CZ_EINCOME;
    d->field = NULL;
    return CZ_OK;
}

void cz_exit_message(int rc, const struct cz_exit_detail *d, enum cz_lang lang, char *buf, size_t size)
{
    char a[32], b[32];
    int zh = lang == CZ_LANG_ZH;
    switch (rc) {
    case CZ_EGUARANTEE:
        snprintf(buf, size, zh ? "不符合退出标准：“%s”不是“是”；评估可以保存，但不能审批通过"
                               : "exit criteria not met: \"%s\" is not \"yes\"; the assessment can be saved, not approved",
                 d && d->field ? cz_label(d->field->en, d->field->zh, lang) : "?");
        return;
    case CZ_EINCOME:
        cz_format_hundredths(d ? d->income : 0, a, sizeof a);
        cz_format_hundredths(d ? d->line : 0, b, sizeof b);
        snprintf(buf, size, zh ? "不符合退出标准：人均纯收入 %s 元低于 %u 年贫困标准 %s 元"
                               : "exit criteria not met: income per person %s yuan is below the %u poverty line of %s yuan",
                 a, d ? d->year : 0, b);
        return;
    case CZ_ENOLINE:
        snprintf(buf, size, zh ? "%u 年尚未设定贫困标准：须市办先录入（记录类型 poverty_line）才能审批"
                               : "no poverty line is set for %u: the office must add it (record type poverty_line) before approval",
                 d ? d->year : 0);
        return;
    case CZ_ENOTICE:
        if (d && d->notice_close_ms) {
            cz_format_cst((int64_t)(d->notice_close_ms / 1000), a, sizeof a);
            /* Short: a screen's status line holds it and "nothing stored". */
            snprintf(buf, size, zh ? "公示须满 7 天：最早可于 %s（北京时间）结束" : "the notice runs 7 days: it may close from %s China time",
                     a);
            return;
        }
        break;
    case CZ_EDATEORDER:
        if (d && d->prev_date) {
            cz_format_date(d->prev_date, a, sizeof a);
            snprintf(buf, size, zh ? "%s（上一环节：%s）" : "%s (the previous step: %s)", cz_strerror(rc, lang), a);
            return;
        }
        break;
    default:
        break;
    }
    snprintf(buf, size, "%s", cz_strerror(rc, lang));
}

/* ---- the chain on one version ---- */

struct cand {
    uint8_t origin[32];
    uint8_t id[CZ_ID_BYTES];
    uint8_t entity[CZ_ENTITY_BYTES];
    uint64_t seq, hlc;
    uint32_t date;
    int step, approve;
};

struct collect {
    cz_txn *t;
    const uint8_t *version;
    const uint8_t *skip;                /* an approval record to leave out (the judged one) */
    struct cand *c;
    size_t n, cap;
    int rc;
};

static int collect_cb(void *ctx, const uint8_t *entity)
{
    struct collect *co = ctx;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n, len;
    struct cz_entry e;
    cz_body *b = NULL;
    const struct cz_type *ty = cz_schema_type("approval");
    const uint8_t *rec;
    const char *step, *decision;
    uint64_t date = 0;
    int s;
    if (co->skip && !memcmp(entity, co->skip, CZ_ENTITY_BYTES)) return 0;
    if (cz_store_heads(co->t, entity, heads, 1, &n) != CZ_OK || n == 0 ||
        cz_store_get_entry(co->t, heads[0], &e) != CZ_OK || strcmp(e.type, "approval") ||
        (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) || cz_body_decode(e.body, e.body_len, &b) != CZ_OK)
        return 0;   /* verified when stored; `verify` re-checks */
    if (cz_body_get_bytes(b, cz_schema_field(ty, "record")->tag, &rec, &len) == CZ_OK && len == CZ_ID_BYTES &&
        !memcmp(rec, co->version, CZ_ID_BYTES) &&
        cz_body_get_text(b, cz_schema_field(ty, "step")->tag, &step, &len) == CZ_OK &&
        cz_body_get_text(b, cz_schema_field(ty, "decision")->tag, &decision, &len) == CZ_OK &&
        (s = cz_step_parse(step)) >= 0) {
        int grc = cz_grow(&co->c, &co->cap, co->n + 1, sizeof *co->c);
        if (grc) { co->rc = grc; cz_body_free(b); return 1; }
        struct cand *c = &co->c[co->n++];
        memcpy(c->origin, e.origin, 32);
        memcpy(c->id, heads[0], CZ_ID_BYTES);
        memcpy(c->entity, entity, CZ_ENTITY_BYTES);
        c->seq = e.seq;
        c->hlc = e.hlc;
        cz_body_get_uint(b, cz_schema_field(ty, "date")->tag, &date);
        c->date = date ? (uint32_t)date : cz_date_of_hlc(e.hlc);
        c->step = s;
        c->approve = !strcmp(decision, "approve");
    }
    cz_body_free(b);
    return 0;
}

/* Oldest clock first, so the first signer at a step is the one that
 * counts; the record id breaks ties the same way on every PC. */
static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->step != b->step) return a->step < b->step ? -1 : 1;
    if (a->hlc != b->hlc) return a->hlc < b->hlc ? -1 : 1;
    return memcmp(a->entity, b->entity, CZ_ENTITY_BYTES);
}

static int date_near_clock(uint32_t date, uint64_t hlc)
{
    long d = cz_days_between(cz_date_of_hlc(hlc), date);
    return d >= -1 && d <= 1;
}

/* The chain on version (the exit entry ex), without the approval record
 * skip (may be NULL), judged at this PC's clock now_ms. */
static int version_state(cz_txn *t, const uint8_t root[32], const uint8_t version[CZ_ID_BYTES],
                         const struct cz_entry *ex, const uint8_t *skip, struct cz_exit_state *st)
{
    char term[64];
    struct collect co = { .t = t, .version = version, .skip = skip, .rc = CZ_OK };
    cz_body *b = NULL;
    int rc;
    uint64_t now_ms = cz_now_ms();

    memset(st, 0, sizeof *st);
    memcpy(st->version, version, CZ_ID_BYTES);
    if ((rc = cz_body_decode(ex->body, ex->body_len, &b))) return rc;
    st->criteria = cz_exit_criteria(t, root, b, NULL);
    cz_body_free(b);
    size_t tl = cz_term_link(term, sizeof term, version, CZ_ID_BYTES);
    if ((rc = cz_store_index_each(t, term, tl, collect_cb, &co)) || (rc = co.rc)) goto cleanup;
    if (co.n > 1) qsort(co.c, co.n, sizeof *co.c, cand_cmp);
    for (size_t i = 0; i < co.n; i++) {
        const struct cand *c = &co.c[i];
        if (!c->approve &&
            signer_status(t, root, c->origin, c->seq, (enum cz_step)c->step, 0, ex->region) == CZ_OK)
            st->rejected[c->step] = 1;
    }
    for (size_t i = 0; i < co.n; i++) {
        const struct cand *c = &co.c[i];
        int s = c->step;
        if (!c->approve || st->approved[s] || (s > 0 && !st->approved[s - 1])) continue;
        if (signer_status(t, root, c->origin, c->seq, (enum cz_step)s, 1, ex->region) != CZ_OK) continue;
        /* A signer whose log forked before this approval is quarantined
         * (authz.h): kept and shown, not counted. */
        if (forked_before(t, root, c->origin, c->seq, c->id)) continue;
        /* A clock from the future counts once this PC's time passes it. */
        if (cz_hlc_ms(c->hlc) > now_ms + CZ_AHEAD_MAX_MS) { st->ahead[s] = 1; continue; }
        if (!date_near_clock(c->date, c->hlc)) continue;
        if (s > 0 && c->date < st->approved_on[s - 1]) continue;
        int same = 0;
        for (int j = 0; j < s; j++)
            if (!memcmp(st->signer[j], c->origin, 32)) same = 1;
        if (same) continue;
        if (s == CZ_STEP_NOTICE && cz_hlc_ms(c->hlc) < st->notice_close_ms) continue;
        st->approved[s] = 1;
        st->approved_on[s] = c->date;
        st->hlc[s] = c->hlc;
        memcpy(st->signer[s], c->origin, 32);
        memcpy(st->approval[s], c->entity, CZ_ENTITY_BYTES);
        if (s == CZ_STEP_COUNTY) st->notice_close_ms = cz_hlc_ms(c->hlc) + CZ_NOTICE_DAYS * CZ_DAY_MS;
    }
    /* Every step approved, in order, nothing rejected, the criteria met. */
    st->complete = st->criteria == CZ_OK;
    for (int s = 0; s < CZ_STEP_COUNT; s++)
        if (!st->approved[s] || st->rejected[s]) st->complete = 0;
cleanup:
    free(co.c);
    return rc;
}

int cz_exit_state(cz_txn *t, const uint8_t root[32], const uint8_t exit_entity[CZ_ENTITY_BYTES],
                  struct cz_exit_state *st)
{
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    struct cz_entry e;
    int rc;

    memset(st, 0, sizeof *st);
    if ((rc = cz_store_heads(t, exit_entity, heads, 1, &n))) return rc;
    if (n == 0) return CZ_ENOTFOUND;
    if ((rc = cz_store_get_entry(t, heads[0], &e))) return rc;
    if (strcmp(e.type, "exit")) return CZ_ETYPE;
    if (e.flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_EDELETED;
    return version_state(t, root, heads[0], &e, NULL, st);
}

/* ---- the gates ---- */

int cz_approval_check(cz_txn *t, const uint8_t root[32], const struct cz_approval_claim *c,
                      struct cz_exit_detail *d)
{
    struct cz_exit_detail local;
    struct cz_entry ex, head;
    struct cz_exit_state st;
    uint8_t heads[1][CZ_ID_BYTES];
    size_t n;
    int rc;

    if (!d) d = &local;
    memset(d, 0, sizeof *d);
    if ((rc = cz_store_get_entry(t, c->version, &ex))) return rc;
    if (strcmp(ex.type, "exit")) return CZ_ETYPE;
    if ((rc = cz_store_heads(t, ex.entity, heads, 1, &n))) return rc;
    if (n == 0) return CZ_ENOTFOUND;
    if ((rc = cz_store_get_entry(t, heads[0], &head))) return rc;
    if (head.flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_EDELETED;
    if (memcmp(heads[0], c->version, CZ_ID_BYTES)) return CZ_ESTALE;
    if ((rc = version_state(t, root, c->version, &ex, NULL, &st))) return rc;
    rc = signer_status(t, root, c->signer, c->seq, c->step, c->approve, ex.region);
    if (rc == CZ_ENOTFOUND || rc == CZ_EREVOKED) rc = CZ_EROLE;
    if (rc) return rc;
    if (st.approved[c->step]) return CZ_EDONE;
    if (!c->approve) return CZ_OK;
    for (int s = 0; s < (int)c->step; s++)
        if (!st.approved[s] || st.rejected[s]) return CZ_EORDER;
    for (int s = 0; s < (int)c->step; s++)
        if (!memcmp(st.signer[s], c->signer, 32)) return CZ_ESAMESIGNER;
    uint32_t date = c->date ? c->date : cz_date_of_hlc(c->hlc);
    if (!date_near_clock(date, c->hlc)) return CZ_EDATECLOCK;
    if (c->step > 0 && date < st.approved_on[c->step - 1]) {
        d->prev_date = st.approved_on[c->step - 1];
        return CZ_EDATEORDER;
    }
    if (st.criteria) {
        cz_body *b = NULL;
        if ((rc = cz_body_decode(ex.body, ex.body_len, &b))) return rc;
        rc = cz_exit_criteria(t, root, b, d);
        cz_body_free(b);
        return rc;
    }
    if (c->step == CZ_STEP_NOTICE && cz_hlc_ms(c->hlc) < st.notice_close_ms) {
        d->notice_close_ms = st.notice_close_ms;
        return CZ_ENOTICE;
    }
    return CZ_OK;
}

int cz_approval_judge(cz_txn *t, const uint8_t root[32], const struct cz_entry *e, int *why)
{
    const struct cz_type *ty = cz_schema_type("approval");
    cz_body *b = NULL;
    const uint8_t *version;
    const char *step_key, *decision;
    size_t len;
    struct cz_entry ex;
    struct cz_exit_state st;
    uint64_t date = 0;
    int rc = CZ_OK, s;

    *why = CZ_OK;
    if (strcmp(e->type, "approval")) { *why = CZ_ETYPE; return CZ_OK; }
    if (e->flags & CZ_ENTRY_FLAG_TOMBSTONE) return CZ_OK;
    if (cz_body_decode(e->body, e->body_len, &b) != CZ_OK ||
        cz_body_get_bytes(b, cz_schema_field(ty, "record")->tag, &version, &len) != CZ_OK || len != CZ_ID_BYTES ||
        cz_body_get_text(b, cz_schema_field(ty, "step")->tag, &step_key, &len) != CZ_OK ||
        cz_body_get_text(b, cz_schema_field(ty, "decision")->tag, &decision, &len) != CZ_OK ||
        (s = cz_step_parse(step_key)) < 0) {
        *why = CZ_EFIELD;
        goto cleanup;
    }
    int approve = !strcmp(decision, "approve");
    cz_body_get_uint(b, cz_schema_field(ty, "date")->tag, &date);
    if (!date) date = cz_date_of_hlc(e->hlc);
    rc = cz_store_get_entry(t, version, &ex);
    if (rc == CZ_ENOTFOUND) { *why = CZ_ENOTFOUND; rc = CZ_OK; goto cleanup; }
    if (rc) goto cleanup;
    if (strcmp(ex.type, "exit")) { *why = CZ_ETYPE; goto cleanup; }
    int ss = signer_status(t, root, e->origin, e->seq, (enum cz_step)s, approve, ex.region);
    if (ss == CZ_ENOTFOUND || ss == CZ_EREVOKED || ss == CZ_EROLE) { *why = ss; goto cleanup; }
    if (ss) { rc = ss; goto cleanup; }
    if (!approve) goto cleanup;
    if (!date_near_clock((uint32_t)date, e->hlc)) { *why = CZ_EDATECLOCK; goto cleanup; }
    if ((rc = version_state(t, root, version, &ex, e->entity, &st))) goto cleanup;
    for (int j = 0; j < CZ_STEP_COUNT; j++)
        if (j != s && st.approved[j] && !memcmp(st.signer[j], e->origin, 32)) { *why = CZ_ESAMESIGNER; goto cleanup; }
    if (s > 0 && st.approved[s - 1] && (uint32_t)date < st.approved_on[s - 1]) { *why = CZ_EDATEORDER; goto cleanup; }
    if (s == CZ_STEP_NOTICE && st.approved[CZ_STEP_COUNTY] && cz_hlc_ms(e->hlc) < st.notice_close_ms) {
        *why = CZ_ENOTICE;
        goto cleanup;
    }
    if (st.criteria == CZ_ENOLINE) *why = CZ_ENOTFOUND;
    else if (st.criteria == CZ_EGUARANTEE || st.criteria == CZ_EINCOME) *why = st.criteria;
    else if (st.criteria) rc = st.criteria;
cleanup:
    cz_body_free(b);
    return rc;
}
