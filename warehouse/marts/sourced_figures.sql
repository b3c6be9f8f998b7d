-- marts.sourced_figures — grain: one row per sourced figure (evidence_id): every number aipipe can
-- cite, in one shape, for the claim check and the article tables. Sources:
--   report: staging.reported_figures_status (registry; primary source page per figure);
--   sec:    marts.big_tech_capex (10-K figures per company and fiscal year; totals per calendar
--           year) — accession numbers in `source_label`;
--   computed: year-over-year growth of the frontier labs' run-rates (marts.frontier_lab_revenue);
--   sec basket: the US application-software basket's quarterly totals
--           (marts.us_app_software_quarterly), only for quarters where every member reported;
--   computed: the A-share AI-application basket's totals and growth (marts.ashare_ai_applications);
--           a valuation implied by a stated multiple of ARR (both from the same page).
-- tier: how good the support is (staging.figure_tiers): a report's best source; SEC filings are
-- primary; a computed value takes the weakest tier among its inputs. growth_of: for growth_yoy,
-- what grew (revenue, net_profit, annualized_revenue).
CREATE OR REPLACE VIEW marts.sourced_figures AS
-- Each mart read once per query (DuckDB would otherwise evaluate a view once per reference).
WITH capex AS MATERIALIZED (SELECT * FROM marts.big_tech_capex),
     figures AS MATERIALIZED (SELECT * FROM staging.reported_figures_status)
SELECT 'report:' || figure_id AS evidence_id, 'report' AS source_kind, entity, metric,
       value, value_high, unit, currency, qualifier, as_of, period_start, period_end, is_projection,
       location_from, location_to, estimator,
       publisher || coalesce(' (citing ' || cites || ')', '') AS source_label, url, published_date,
       check_status, figure_tier AS tier
FROM figures
WHERE source_rank = 1 AND metric <> 'valuation_to_arr'
UNION ALL BY NAME
SELECT 'computed:' || m.figure_id || ':implied_valuation' AS evidence_id, 'computed' AS source_kind,
       m.entity, 'valuation' AS metric, m.value * a.value AS value, 'currency' AS unit, a.currency,
       coalesce(m.qualifier, a.qualifier) AS qualifier, a.as_of, a.period_start, a.period_end,
       a.is_projection,
       printf('implied: %g × ARR of %s %.0f, both as %s states them', m.value, a.currency, a.value, m.publisher)
           AS source_label,
       m.url, m.published_date, 'computed' AS check_status,
       staging.tier_name(greatest(m.figure_tier_rank, a.figure_tier_rank)) AS tier
FROM figures m
JOIN figures a
  ON a.entity = m.entity AND a.metric = 'arr' AND a.url = m.url AND a.source_rank = 1
WHERE m.metric = 'valuation_to_arr' AND m.source_rank = 1
UNION ALL BY NAME
SELECT 'sec:' || ticker || ':' || fiscal_year || ':' || m.metric AS evidence_id, 'sec' AS source_kind,
       CASE ticker WHEN 'META' THEN 'Meta' WHEN 'MSFT' THEN 'Microsoft' WHEN 'GOOGL' THEN 'Alphabet'
                   WHEN 'AMZN' THEN 'Amazon' ELSE ticker END AS entity,
       m.metric, m.value, NULL AS value_high,
       CASE WHEN m.metric = 'capex_to_revenue' THEN 'percent' ELSE 'currency' END AS unit,
       CASE WHEN m.metric = 'capex_to_revenue' THEN NULL ELSE 'USD' END AS currency, NULL AS qualifier,
       'FY' || fiscal_year AS as_of, period_start, period_end, FALSE AS is_projection,
       NULL AS location_from, NULL AS location_to,
       'SEC 10-K ' || m.accession AS source_label,
       'https://www.sec.gov/Archives/edgar/data/' || c.cik || '/' || replace(m.accession, '-', '') || '/' AS url,
       m.filed AS published_date, 'sec_filing' AS check_status, 'primary' AS tier
FROM capex b
JOIN staging.companies c USING (ticker),
     LATERAL (VALUES ('capex', b.capex_usd, b.capex_accession, b.capex_filed),
                     ('revenue', b.revenue_usd, b.revenue_accession, b.revenue_filed),
                     ('capex_to_revenue', b.capex_to_revenue * 100, b.capex_accession, b.capex_filed))
             AS m(metric, value, accession, filed)
WHERE b.row_type = 'company'
UNION ALL BY NAME
SELECT 'sec:hyperscalers:CY' || calendar_year || ':capex' AS evidence_id, 'sec' AS source_kind,
       'Big-4 US tech' AS entity, 'capex' AS metric, capex_usd AS value, 'currency' AS unit, 'USD' AS currency,
       'CY' || calendar_year AS as_of, make_date(calendar_year, 1, 1) AS period_start,
       make_date(calendar_year, 12, 31) AS period_end, FALSE AS is_projection,
       'SEC 10-K filings: ' || members AS source_label, capex_filed AS published_date,
       'sec_filing' AS check_status, 'primary' AS tier
FROM capex
WHERE row_type = 'total' AND company_name LIKE '%(4 of 4)'
UNION ALL BY NAME
SELECT 'computed:' || entity || ':' || as_of || ':' || basis || ':growth_yoy' AS evidence_id,
       'computed' AS source_kind, entity, 'growth_yoy' AS metric, growth_yoy * 100 AS value, 'percent' AS unit,
       as_of, CAST(date_trunc('month', as_of_date) AS DATE) AS period_start, as_of_date AS period_end,
       basis = 'projection' AS is_projection,
       'computed from registry run-rates 12 months apart (' || publisher || ')' AS source_label, url,
       'computed' AS check_status, growth_tier AS tier, 'annualized_revenue' AS growth_of
FROM marts.frontier_lab_revenue
WHERE growth_yoy IS NOT NULL AND entity IN ('OpenAI', 'Anthropic')
UNION ALL BY NAME
SELECT 'computed:' || entity || ':' || as_of || ':' || basis || ':run_rate' AS evidence_id,
       'computed' AS source_kind, entity, 'annualized_revenue' AS metric, run_rate_usd AS value,
       'currency' AS unit, 'USD' AS currency, as_of,
       CAST(date_trunc('month', as_of_date) AS DATE) AS period_start, as_of_date AS period_end,
       basis = 'projection' AS is_projection,
       'sum of the two labs'' registry run-rates (' || publisher || ')' AS source_label, url,
       'computed' AS check_status, source_tier AS tier
FROM marts.frontier_lab_revenue
WHERE entity = 'OpenAI + Anthropic'
UNION ALL BY NAME
SELECT 'sec:us_app_software:' || calendar_year || 'Q' || calendar_quarter || ':' || m.metric AS evidence_id,
       'sec' AS source_kind, 'US application software (Salesforce, Adobe, ServiceNow, Palantir …)' AS entity,
       m.metric, m.value, m.unit, CASE WHEN m.unit = 'currency' THEN 'USD' END AS currency,
       calendar_year || 'Q' || calendar_quarter AS as_of,
       make_date(calendar_year, 3 * calendar_quarter - 2, 1) AS period_start,
       last_day(make_date(calendar_year, 3 * calendar_quarter, 1)) AS period_end, FALSE AS is_projection,
       'basket of ' || len(members_present) || ' (' || source_kind || '): ' || array_to_string(members_present, ', ')
           AS source_label,
       'sec_filing' AS check_status, source_tier AS tier,
       CASE WHEN m.metric = 'growth_yoy' THEN 'revenue' END AS growth_of
FROM marts.us_app_software_quarterly,
     LATERAL (VALUES ('revenue', 'currency', revenue_usd),
                     ('growth_yoy', 'percent', revenue_yoy_growth * 100),
                     ('operating_margin', 'percent', operating_margin * 100)) AS m(metric, unit, value)
WHERE row_type = 'total' AND len(members_missing) = 0 AND m.value IS NOT NULL
UNION ALL BY NAME
SELECT 'computed:ashare_ai_applications:' || period || ':' || m.metric || coalesce(':' || m.growth_of, '') AS evidence_id,
       'computed' AS source_kind, 'China A-share AI applications' AS entity, m.metric, m.value, m.unit,
       CASE WHEN m.unit = 'currency' THEN 'CNY' END AS currency, period AS as_of, period_start, period_end,
       FALSE AS is_projection,
       printf('computed: %s of %d basket members (%s)', m.what, m.n, 'marts.ashare_ai_applications') AS source_label,
       'computed' AS check_status, m.tier, m.growth_of
FROM marts.ashare_ai_applications,
     LATERAL (VALUES ('revenue', 'currency', revenue_cny, NULL, revenue_tier, 'revenue', revenue_members),
                     ('growth_yoy', 'percent', revenue_growth * 100, 'revenue', revenue_tier, 'revenue growth',
                      len(revenue_growth_members)),
                     ('net_profit', 'currency', net_profit_cny, NULL, net_profit_tier, 'net profit', net_profit_members),
                     ('growth_yoy', 'percent', net_profit_growth * 100, 'net_profit', net_profit_tier,
                      'net-profit growth', len(net_profit_growth_members)))
             AS m(metric, unit, value, growth_of, tier, what, n)
WHERE row_type = 'total' AND m.value IS NOT NULL;
