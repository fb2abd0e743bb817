/* mirror_views.c — the views over cunzhan.record: one per record type
 * with typed columns, generated from the schema table (schema.h), and
 * the figures of `cunzhan report` (report.c), so that SQL and the report
 * agree to the fen (src/MIRROR.md, "Views").
 *
 * The views are read from cunzhan.record only: whether a record counts,
 * a household's status and the year it exited are columns the station
 * wrote (mirror_records.c), never judged again in SQL.  They are made
 * again when this build's text of them differs from what the server has
 * (a digest in cunzhan.source), with CREATE OR REPLACE, which keeps views
 * people built on top of them. */
#include "mirror_int.h"
#include "hex.h"
#include "schema.h"
#include "status.h"

#include <sodium.h>
#include <string.h>

/* A value of the fields jsonb as the column type of its field. */
static int column(struct cz_mbuf *b, const struct cz_field *f)
{
    const char *k = f->key;
    switch (f->type) {
    case CZ_F_INT: return cz_mbuf_printf(b, "(r.fields->>'%s')::bigint", k);
    case CZ_F_YEAR: return cz_mbuf_printf(b, "(r.fields->>'%s')::integer", k);
    case CZ_F_MONEY:
    case CZ_F_AREA:
    case CZ_F_DECIMAL: return cz_mbuf_printf(b, "(r.fields->>'%s')::numeric(20,2)", k);
    case CZ_F_DATE: return cz_mbuf_printf(b, "cunzhan.as_date(r.fields->>'%s')", k);
    case CZ_F_SET:
    case CZ_F_LIST:
        return cz_mbuf_printf(b, "CASE WHEN r.fields ? '%s' THEN ARRAY(SELECT jsonb_array_elements_text(r.fields->'%s')) END",
                              k, k);
    case CZ_F_REF:
    case CZ_F_VERSION:
    case CZ_F_KEY: return cz_mbuf_printf(b, "decode(r.fields->>'%s', 'hex')", k);
    default: return cz_mbuf_printf(b, "(r.fields->>'%s')", k);
    }
}

/* cunzhan."TYPE": its live records (deleted ones left out), the record's
 * own columns first (with a leading _, as field keys may be anything),
 * then one column a field, in the schema's order. */
static int type_view(struct cz_mbuf *b, const struct cz_type *t)
{
    int rc = cz_mbuf_printf(b,
                            "CREATE OR REPLACE VIEW cunzhan.\"%s\" AS SELECT r.entity AS _id, r.region AS _region,"
                            " r.version AS _version, r.origin AS _signed_by, r.seq AS _seq, r.trust AS _trust,"
                            " r.counted AS _counted, r.in_conflict AS _in_conflict",
                            t->key);
    if (!rc && !strcmp(t->key, "household")) rc = cz_mbuf_str(b, ", r.status AS _status, r.exited_year AS _exited_year");
    for (size_t i = 0; i < t->nfields && rc == CZ_OK; i++) {
        rc = cz_mbuf_str(b, ", ");
        if (!rc) rc = column(b, &t->fields[i]);
        if (!rc) rc = cz_mbuf_printf(b, " AS \"%s\"", t->fields[i].key);
    }
    if (!rc) rc = cz_mbuf_printf(b, " FROM cunzhan.record r WHERE r.type = '%s' AND NOT r.deleted;\n", t->key);
    return rc;
}

/* A registered household is a reference of a whole entity id: 32 hex
 * digits in the fields (report_monitors). */
_Static_assert(CZ_ENTITY_BYTES == 16, "report_monitors counts 32 hex digits");

/* The report's figures (report.h, report.c): counted live records only;
 * money in fen as bigint, as `cunzhan report --json` gives it, and a
 * product of two figures rounded half up to the fen once, at the end. */
static const char report_views[] =
    "CREATE OR REPLACE FUNCTION cunzhan.fen(v text) RETURNS numeric LANGUAGE sql IMMUTABLE"
    " AS $$ SELECT coalesce(v::numeric, 0) * 100 $$;\n"
    /* people: its members present today, as the station worked it out */
    "CREATE OR REPLACE VIEW cunzhan.report_household AS"
    " SELECT h.entity, h.region, coalesce(h.fields->>'village', '') AS village, h.status, h.exited_year,"
    "  coalesce((h.derived->>'people')::bigint, 0) AS people, h.fields->'causes' AS causes,"
    "  h.fields->>'primary_cause' AS primary_cause"
    " FROM cunzhan.record h WHERE h.type = 'household' AND NOT h.deleted AND h.counted;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_by_village AS"
    " SELECT village, status, count(*) AS households, sum(people)::bigint AS people"
    " FROM cunzhan.report_household GROUP BY village, status;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_exited_by_year AS"
    " SELECT exited_year::text AS year, sum(people)::bigint AS people, count(*) AS households"
    " FROM cunzhan.report_household WHERE status = 'exited' GROUP BY exited_year;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_by_cause AS"
    " SELECT cause, sum(p)::bigint AS primary_households, sum(a)::bigint AS households FROM ("
    "  SELECT jsonb_array_elements_text(causes) AS cause, 0 AS p, 1 AS a FROM cunzhan.report_household"
    "   WHERE jsonb_typeof(causes) = 'array'"
    "  UNION ALL SELECT primary_cause, 1, 0 FROM cunzhan.report_household WHERE primary_cause <> '') x"
    " GROUP BY cause;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_aid_record AS"
    " SELECT entity, region, coalesce(fields->>'kind', '') AS kind, coalesce(fields->>'fund', '') AS fund,"
    "  coalesce(fields->>'industry', '') AS industry, fields ? 'household' AS to_household,"
    "  cunzhan.fen(fields->>'value')::bigint AS value_fen"
    " FROM cunzhan.record WHERE type = 'aid' AND NOT deleted AND counted;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_aid AS"
    " SELECT kind, CASE WHEN fund = '' THEN 'other' ELSE fund END AS fund, sum(value_fen)::bigint AS value_fen,"
    "  sum(value_fen) / 100.0 AS value_yuan, count(*) AS records"
    " FROM cunzhan.report_aid_record GROUP BY 1, 2;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_special_funds AS"
    " WITH s AS (SELECT coalesce(sum(value_fen), 0)::bigint AS total_fen,"
    "  coalesce(sum(value_fen) FILTER (WHERE industry = 'yes'), 0)::bigint AS industry_fen,"
    "  coalesce(sum(value_fen) FILTER (WHERE industry = 'yes' AND to_household), 0)::bigint AS industry_households_fen"
    "  FROM cunzhan.report_aid_record WHERE fund = 'special'),"
    " b AS (SELECT *, CASE WHEN total_fen <= 0 THEN -1 ELSE (industry_fen * 10000 + total_fen / 2) / total_fen END"
    "  AS industry_share_bp, CASE WHEN industry_fen <= 0 THEN -1 ELSE"
    "  (industry_households_fen * 10000 + industry_fen / 2) / industry_fen END AS household_share_bp FROM s)"
    " SELECT *, industry_share_bp > 7000 AS industry_pass, household_share_bp > 8000 AS household_pass FROM b;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_training AS"
    " SELECT count(*) AS sessions, coalesce(sum((fields->>'trainees')::bigint), 0)::bigint AS trainees,"
    "  coalesce(sum((fields->>'leaflets')::bigint), 0)::bigint AS leaflets"
    " FROM cunzhan.record WHERE type = 'training' AND NOT deleted AND counted;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_pepper AS"
    " SELECT count(*) AS plots, coalesce(sum(cunzhan.fen(fields->>'area')), 0)::bigint AS area_hundredths_mu,"
    "  floor((coalesce(sum(cunzhan.fen(fields->>'area') * cunzhan.fen(fields->>'expected_per_mu')), 0) + 50) / 100)::bigint"
    "  AS expected_income_fen"
    " FROM cunzhan.record WHERE type = 'plot' AND NOT deleted AND counted"
    " AND (strpos(fields->>'crop', '辣椒') > 0 OR strpos(fields->>'crop', 'pepper') > 0"
    "  OR strpos(fields->>'crop', 'Pepper') > 0);\n"
    "CREATE OR REPLACE VIEW cunzhan.report_sales AS"
    " SELECT count(*) AS purchases, coalesce(sum(cunzhan.fen(fields->>'quantity')), 0)::bigint AS quantity_hundredths_jin,"
    "  coalesce(sum(cunzhan.fen(fields->>'amount')), 0)::bigint AS paid_fen,"
    "  floor((coalesce(sum(cunzhan.fen(fields->>'quantity') * cunzhan.fen(fields->>'floor_price')), 0) + 50) / 100)::bigint"
    "  AS at_floor_fen"
    " FROM cunzhan.record WHERE type = 'sale' AND NOT deleted AND counted;\n"
    /* The registry's figures: which income record of a household and
     * year counts, and its people on 31 December, are the station's. */
    "CREATE OR REPLACE VIEW cunzhan.report_income_record AS"
    " SELECT entity, region AS village, coalesce((fields->>'year')::integer, 0) AS year,"
    "  coalesce((derived->>'people')::bigint, 0) AS people,"
    "  cunzhan.fen(fields->>'wages') AS wages_fen, cunzhan.fen(fields->>'production') AS production_fen,"
    "  cunzhan.fen(fields->>'production_costs') AS production_costs_fen,"
    "  cunzhan.fen(fields->>'property') AS property_fen, cunzhan.fen(fields->>'transfers') AS transfers_fen,"
    "  cunzhan.fen(fields->>'net') AS net_fen"
    " FROM cunzhan.record WHERE type = 'income' AND NOT deleted AND counted"
    " AND coalesce((derived->>'in_report')::boolean, false);\n"
    /* net per person half up: floor((2 net + people) / (2 people)),
     * the floor taken exactly in integers, negative figures too */
    "CREATE OR REPLACE VIEW cunzhan.report_income AS"
    " WITH s AS (SELECT village, year, count(*) AS households, sum(people) AS people, sum(wages_fen) AS w,"
    "  sum(production_fen) AS p, sum(production_costs_fen) AS c, sum(property_fen) AS pr,"
    "  sum(transfers_fen) AS tr, sum(net_fen) AS n FROM cunzhan.report_income_record GROUP BY village, year)"
    " SELECT village, year, households, people::bigint AS people, w::bigint AS wages_fen,"
    "  p::bigint AS production_fen, c::bigint AS production_costs_fen, pr::bigint AS property_fen,"
    "  tr::bigint AS transfers_fen, n::bigint AS net_fen,"
    "  CASE WHEN people > 0 THEN ((2 * n + people) - mod(mod(2 * n + people, 2 * people) + 2 * people,"
    "   2 * people)) / (2 * people) ELSE 0 END::bigint AS net_per_person_fen FROM s;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_measures AS"
    " SELECT coalesce(fields->>'category', '') AS category,"
    "  sum(cunzhan.fen(fields->>'amount'))::bigint AS amount_fen, count(*) AS records"
    " FROM cunzhan.record WHERE type = 'measure' AND NOT deleted AND counted GROUP BY 1;\n"
    /* The village side: each village's latest year (the station's pick),
     * its people not out of poverty (poor or returned, present today). */
    "CREATE OR REPLACE VIEW cunzhan.report_incidence_village AS"
    " WITH y AS (SELECT fields->>'village' AS village, fields->>'year' AS year,"
    "  coalesce((fields->>'rural_population')::bigint, 0) AS rural_population FROM cunzhan.record"
    "  WHERE type = 'village_year' AND NOT deleted AND counted AND coalesce((derived->>'latest')::boolean, false)),"
    " n AS (SELECT y.*, coalesce((SELECT sum(h.people) FROM cunzhan.report_household h WHERE h.village = y.village"
    "  AND h.status IN ('poor', 'returned')), 0)::bigint AS not_out_of_poverty FROM y)"
    " SELECT village, year, not_out_of_poverty, rural_population, CASE WHEN rural_population <= 0 THEN -1"
    "  ELSE (not_out_of_poverty * 10000 + rural_population / 2) / rural_population END AS incidence_bp FROM n;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_incidence_township AS"
    " WITH s AS (SELECT left(village, 9) AS township, sum(not_out_of_poverty)::bigint AS not_out_of_poverty,"
    "  sum(rural_population)::bigint AS rural_population FROM cunzhan.report_incidence_village GROUP BY 1)"
    " SELECT township, not_out_of_poverty, rural_population, CASE WHEN rural_population <= 0 THEN -1"
    "  ELSE (not_out_of_poverty * 10000 + rural_population / 2) / rural_population END AS incidence_bp FROM s;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_monitors AS"
    " SELECT coalesce(fields->>'kind', '') AS kind, coalesce(nullif(fields->>'status', ''), 'monitored') AS status,"
    "  count(*) AS households, count(*) FILTER (WHERE length(fields->>'household') = 32) AS registered"
    " FROM cunzhan.record WHERE type = 'monitor' AND NOT deleted AND counted GROUP BY 1, 2;\n"
    "CREATE OR REPLACE VIEW cunzhan.report_totals AS"
    " SELECT (SELECT count(*) FROM cunzhan.report_household) AS households,"
    "  (SELECT coalesce(sum(people), 0)::bigint FROM cunzhan.report_household) AS people,"
    "  (SELECT count(*) FROM cunzhan.record WHERE NOT deleted AND NOT counted"
    "   AND type IN ('member', 'member_change', 'household', 'aid', 'training', 'plot', 'sale', 'income',"
    "    'measure', 'village_year', 'monitor')) AS left_out_pending;\n"
    /* The whole report in the shape of `cunzhan report --json`, rows in
     * its order (bytewise, as report.c sorts them). */
    "CREATE OR REPLACE VIEW cunzhan.report_json AS SELECT jsonb_build_object("
    " 'region', '', 'households', t.households, 'people', t.people, 'left_out_pending', t.left_out_pending,"
    " 'by_village', (SELECT coalesce(jsonb_agg(jsonb_build_object('village', village, 'status', status,"
    "   'households', households, 'people', people) ORDER BY village COLLATE \"C\", status COLLATE \"C\"), '[]')"
    "   FROM cunzhan.report_by_village),"
    " 'exited_by_year', (SELECT coalesce(jsonb_agg(jsonb_build_object('year', year, 'people', people,"
    "   'households', households) ORDER BY year COLLATE \"C\"), '[]') FROM cunzhan.report_exited_by_year),"
    " 'by_cause', (SELECT coalesce(jsonb_agg(jsonb_build_object('cause', cause, 'primary', primary_households,"
    "   'households', households) ORDER BY cause COLLATE \"C\"), '[]') FROM cunzhan.report_by_cause),"
    " 'aid', (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'fund', fund, 'value_fen', value_fen,"
    "   'records', records) ORDER BY kind COLLATE \"C\", fund COLLATE \"C\"), '[]') FROM cunzhan.report_aid),"
    " 'special_funds', (SELECT to_jsonb(s) FROM cunzhan.report_special_funds s),"
    " 'training', (SELECT to_jsonb(s) FROM cunzhan.report_training s),"
    " 'pepper', (SELECT to_jsonb(s) FROM cunzhan.report_pepper s),"
    " 'sales', (SELECT to_jsonb(s) FROM cunzhan.report_sales s),"
    " 'income', (SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY village COLLATE \"C\", year), '[]')"
    "   FROM cunzhan.report_income i),"
    " 'measures', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY category COLLATE \"C\"), '[]')"
    "   FROM cunzhan.report_measures x),"
    " 'incidence_by_village', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY village COLLATE \"C\"), '[]')"
    "   FROM cunzhan.report_incidence_village x),"
    " 'incidence_by_township', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY township COLLATE \"C\"), '[]')"
    "   FROM cunzhan.report_incidence_township x),"
    " 'monitors', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY kind COLLATE \"C\", status COLLATE \"C\"), '[]')"
    "   FROM cunzhan.report_monitors x)) AS report"
    " FROM cunzhan.report_totals t;\n";

/* A date the station holds is a valid one; a NULL rather than a failed
 * query for one that is not (a signed entry from another build). */
static const char helpers[] =
    "CREATE OR REPLACE FUNCTION cunzhan.as_date(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE"
    " AS $$ BEGIN RETURN t::date; EXCEPTION WHEN others THEN RETURN NULL; END $$;\n";

static int views_sql(struct cz_mbuf *b)
{
    size_t n = 0;
    const struct cz_type *types = cz_schema_types(&n);
    int rc = cz_mbuf_str(b, helpers);
    for (size_t i = 0; i < n && rc == CZ_OK; i++) rc = type_view(b, &types[i]);
    return rc ? rc : cz_mbuf_str(b, report_views);
}

int cz_mirror_views(struct cz_mirror *m)
{
    struct cz_mbuf sql = { 0 };
    uint8_t digest[16];
    char hex[33];
    PGresult *r = NULL;
    int rc = views_sql(&sql);
    if (rc) goto cleanup;
    crypto_generichash(digest, sizeof digest, (const uint8_t *)sql.p, sql.n, NULL, 0);
    cz_hex(digest, sizeof digest, hex);
    const char *params[] = { hex };
    if ((rc = cz_mirror_query(m, "SELECT 1 FROM cunzhan.source WHERE views = $1", 1, params, &r))) goto cleanup;
    if (PQntuples(r) == 1) goto cleanup;
    PQclear(r);
    r = NULL;
    if ((rc = cz_mirror_exec(m, "BEGIN"))) goto cleanup;
    rc = cz_mirror_exec(m, sql.p);
    if (!rc) rc = cz_mirror_query(m, "UPDATE cunzhan.source SET views = $1 RETURNING views", 1, params, &r);
    if (!rc) rc = cz_mirror_exec(m, "COMMIT");
    else cz_mirror_exec(m, "ROLLBACK");
cleanup:
    PQclear(r);
    cz_mbuf_free(&sql);
    return rc;
}
