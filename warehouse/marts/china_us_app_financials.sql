-- marts.china_us_app_financials — grain: one row per side (China A-share AI-application sector,
-- US application-software basket) × period × metric. Regenerates the article's section 03
-- comparison in both currencies.
-- Sources: China — the article's own figures (it cites Hualong Securities; no independent source
-- is in the registry, so every China row is 'article only', shown and never passed off as
-- sourced); US — marts.us_app_software_quarterly (SEC 10-Q/10-K XBRL totals of the basket
-- members present, members missing listed).
-- Conversion (staging/fx_rules.sql): revenue and profit are flows → mean ECB CNY-per-USD rate over
-- the period's business days; the rate, its dates and the method are on every row; a missing
-- rate leaves the converted column NULL with the reason in fx_method.
CREATE OR REPLACE VIEW marts.china_us_app_financials AS
WITH china AS (
    SELECT 'China' AS side, c.entity, c.period_claimed AS period, c.claimed_start AS period_start,
           c.claimed_end AS period_end,
           CASE WHEN c.metric = 'growth_yoy' THEN coalesce(a.growth_of, 'value') || '_growth_yoy' ELSE c.metric END AS metric,
           c.unit, c.article_value AS value, c.article_currency AS currency,
           CASE WHEN c.status = 'unsourced' THEN 'article only' ELSE 'article (' || c.status || ')' END AS basis,
           'the article' || coalesce(' citing ' || a.attributed_to, '') AS source,
           NULL::VARCHAR[] AS members_present, NULL::VARCHAR[] AS members_missing
    FROM marts.claim_check c JOIN staging.article_claims a USING (claim_id)
    WHERE c.entity = 'China A-share AI applications'
),
us_totals AS (
    SELECT * FROM marts.us_app_software_quarterly WHERE row_type = 'total'
),
us AS (
    SELECT 'US' AS side, 'US application software basket' AS entity,
           printf('%dQ%d', calendar_year, calendar_quarter) AS period,
           make_date(calendar_year, 3 * calendar_quarter - 2, 1) AS period_start,
           last_day(make_date(calendar_year, 3 * calendar_quarter, 1)) AS period_end,
           m.metric, m.unit, m.value, CASE WHEN m.unit = 'currency' THEN 'USD' END AS currency,
           'sourced: SEC 10-Q/10-K (' || len(members_present) || ' of ' || members_in_basket || ' members)' AS basis,
           'SEC EDGAR XBRL; members ' || array_to_string(members_present, ', ') AS source,
           members_present, members_missing
    FROM us_totals,
         LATERAL (VALUES ('revenue', 'currency', revenue_usd),
                         ('operating_income', 'currency', operating_income_usd),
                         ('revenue_growth_yoy', 'percent', revenue_yoy_growth * 100),
                         ('operating_margin', 'percent', operating_margin * 100),
                         ('operating_margin_simple_avg', 'percent', operating_margin_simple_avg * 100))
             AS m(metric, unit, value)
    WHERE m.value IS NOT NULL
),
both_sides AS (SELECT * FROM china UNION ALL BY NAME SELECT * FROM us)
SELECT b.side, b.entity, b.period, b.period_start, b.period_end, b.metric, b.basis,
       CASE WHEN b.unit <> 'currency' THEN NULL WHEN b.currency = 'USD' THEN b.value ELSE b.value / r.rate END AS value_usd,
       CASE WHEN b.unit <> 'currency' THEN NULL WHEN b.currency = 'CNY' THEN b.value ELSE b.value * r.rate END AS value_cny,
       CASE WHEN b.unit = 'percent' THEN b.value END AS value_percent,
       b.currency AS original_currency,
       CASE WHEN b.unit = 'currency' THEN r.rate END AS cny_per_usd,
       CASE WHEN b.unit = 'currency' THEN r.method END AS fx_method,
       CASE WHEN b.unit = 'currency' THEN r.rate_start END AS fx_rate_start,
       CASE WHEN b.unit = 'currency' THEN r.rate_end END AS fx_rate_end,
       b.source, b.members_present, b.members_missing
FROM both_sides b,
     LATERAL (SELECT * FROM fx_flow_rate('CNY', 'USD', b.period_start, b.period_end)) r
ORDER BY b.side, b.period_start, b.metric;
