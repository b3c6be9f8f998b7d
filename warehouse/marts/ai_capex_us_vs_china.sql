-- marts.ai_capex_us_vs_china — grain: one row per calendar year × series (a US or Chinese capex
-- figure). Regenerates the article's section 01 comparison: US big-tech capex (SEC 10-K totals
-- per calendar year) beside China's AI capex estimates (registry reports; the article's own CICC
-- figure where no independent source exists, marked 'article only'), each in USD and CNY.
-- Conversion (rules in staging/fx_rules.sql): capex is a flow, so it converts at the mean ECB
-- rate over the year's business days; the rate, its dates and the method are on every row, and a
-- missing rate leaves the converted column NULL with the reason in fx_method (never 1.0).
CREATE OR REPLACE VIEW marts.ai_capex_us_vs_china AS
WITH figures AS (
    -- US: SEC 10-K totals of the four hyperscalers, per calendar year (complete years only).
    SELECT calendar_year AS year, 'US' AS country, 'Big-4 US tech capex (META, MSFT, GOOGL, AMZN)' AS series,
           'sourced: SEC 10-K' AS basis, FALSE AS is_estimate, capex_usd AS value, 'USD' AS currency,
           NULL AS qualifier, 'SEC EDGAR 10-K filings: ' || members AS source, NULL AS url,
           TRUE AS complete, 'primary' AS source_tier
    FROM marts.big_tech_capex
    WHERE row_type = 'total' AND company_name LIKE '%(4 of 4)'
    UNION ALL
    -- China: the capex Alibaba and Tencent state in their results, per calendar year.
    SELECT calendar_year, 'China', entity || ' capex',
           'sourced: company results' || CASE WHEN complete THEN '' ELSE ' (partial year)' END,
           FALSE, capex_cny, 'CNY', NULL,
           'Alibaba and Tencent results: ' || array_to_string(members, ', '), NULL,
           complete, source_tier
    FROM marts.china_big_tech_capex
    WHERE row_type = 'total'
    UNION ALL
    -- Published estimates of either country's capex (registry, with publisher and URL).
    SELECT year(period_start), CASE WHEN currency = 'CNY' THEN 'China' ELSE 'US' END,
           entity || ' capex' || coalesce(' (' || estimator || ' estimate)', ''),
           'sourced: report', is_projection, value, currency, qualifier, source_label, url,
           TRUE, tier
    FROM marts.sourced_figures
    WHERE source_kind = 'report' AND metric = 'capex' AND year(period_start) = year(period_end)
      AND entity IN ('Big-4 US tech', 'China internet leaders', 'China AI industry')
    UNION ALL
    -- The article's own China figure, where no independent source states it.
    SELECT year(c.claimed_start), 'China', c.entity || ' capex (as the article states it)',
           'article only', c.is_projection, c.article_value, c.article_currency, c.article_qualifier,
           'the article' || coalesce(' citing ' || a.attributed_to, ''), NULL,
           TRUE, NULL
    FROM marts.claim_check c JOIN staging.article_claims a USING (claim_id)
    WHERE c.metric = 'capex' AND c.entity = 'China AI industry' AND c.status = 'unsourced'
),
converted AS (
    SELECT f.*, r.rate AS cny_per_usd, r.method AS fx_method, r.rate_start AS fx_rate_start,
           r.rate_end AS fx_rate_end, r.n_days AS fx_n_days
    FROM figures f,
         LATERAL (SELECT * FROM fx_flow_rate('CNY', 'USD', make_date(f.year, 1, 1), make_date(f.year, 12, 31))) r
)
SELECT year, country, series, basis, is_estimate, qualifier,
       CASE WHEN currency = 'USD' THEN value ELSE value / cny_per_usd END AS capex_usd,
       CASE WHEN currency = 'CNY' THEN value ELSE value * cny_per_usd END AS capex_cny,
       currency AS original_currency, cny_per_usd, fx_method, fx_rate_start, fx_rate_end, fx_n_days,
       complete, source_tier, source, url
FROM converted
ORDER BY year, country DESC, basis, series;
