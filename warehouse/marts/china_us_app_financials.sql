-- marts.china_us_app_financials — grain: one row per side (China A-share AI-application sector,
-- US application-software basket) × period × metric × basis. Regenerates the article's section 03
-- comparison in both currencies.
-- Sources: China — the basket's totals computed from its members' figures
-- (marts.ashare_ai_applications: basis 'sourced: computed', with the members it covers and the
-- weakest source tier), beside the article's own figures (it cites Hualong Securities: 'article',
-- with the claim-check status); US — marts.us_app_software_quarterly (SEC 10-Q/10-K XBRL and the
-- companies' earnings statements, members present and missing listed).
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
           NULL::VARCHAR[] AS members_present, NULL::VARCHAR[] AS members_missing, NULL AS source_tier
    FROM marts.claim_check c JOIN staging.article_claims a USING (claim_id)
    WHERE c.entity = 'China A-share AI applications'
),
china_computed AS (
    SELECT 'China' AS side, 'China A-share AI-application basket' AS entity, t.period, t.period_start, t.period_end,
           m.metric, m.unit, m.value, CASE WHEN m.unit = 'currency' THEN 'CNY' END AS currency,
           printf('sourced: computed (%d of %d members)', m.n, t.members_in_basket) AS basis,
           'members'' reported figures (registry), marts.ashare_ai_applications' AS source,
           m.members AS members_present, m.missing AS members_missing, m.tier AS source_tier
    FROM marts.ashare_ai_applications t,
         LATERAL (VALUES ('revenue', 'currency', t.revenue_cny, t.revenue_members, t.revenue_tier,
                          CAST(NULL AS VARCHAR[]), t.revenue_missing),
                         ('revenue_growth_yoy', 'percent', t.revenue_growth * 100, len(t.revenue_growth_members),
                          t.revenue_tier, t.revenue_growth_members, NULL),
                         ('net_profit', 'currency', t.net_profit_cny, t.net_profit_members, t.net_profit_tier,
                          NULL, t.net_profit_missing),
                         ('net_profit_growth_yoy', 'percent', t.net_profit_growth * 100,
                          len(t.net_profit_growth_members), t.net_profit_tier, t.net_profit_growth_members, NULL),
                         ('net_margin', 'percent', t.net_margin * 100, t.net_profit_members, t.net_profit_tier,
                          NULL, NULL))
             AS m(metric, unit, value, n, tier, members, missing)
    WHERE t.row_type = 'total' AND m.value IS NOT NULL
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
           'sourced: ' || source_kind || ' (' || len(members_present) || ' of ' || members_in_basket || ' members)'
               AS basis,
           'SEC EDGAR XBRL and earnings statements; members ' || array_to_string(members_present, ', ') AS source,
           members_present, members_missing, source_tier
    FROM us_totals,
         LATERAL (VALUES ('revenue', 'currency', revenue_usd),
                         ('operating_income', 'currency', operating_income_usd),
                         ('revenue_growth_yoy', 'percent', revenue_yoy_growth * 100),
                         ('operating_margin', 'percent', operating_margin * 100),
                         ('operating_margin_simple_avg', 'percent', operating_margin_simple_avg * 100))
             AS m(metric, unit, value)
    WHERE m.value IS NOT NULL
),
both_sides AS (SELECT * FROM china UNION ALL BY NAME SELECT * FROM china_computed UNION ALL BY NAME SELECT * FROM us)
SELECT b.side, b.entity, b.period, b.period_start, b.period_end, b.metric, b.basis,
       CASE WHEN b.unit <> 'currency' THEN NULL WHEN b.currency = 'USD' THEN b.value ELSE b.value / r.rate END AS value_usd,
       CASE WHEN b.unit <> 'currency' THEN NULL WHEN b.currency = 'CNY' THEN b.value ELSE b.value * r.rate END AS value_cny,
       CASE WHEN b.unit = 'percent' THEN b.value END AS value_percent,
       b.currency AS original_currency,
       CASE WHEN b.unit = 'currency' THEN r.rate END AS cny_per_usd,
       CASE WHEN b.unit = 'currency' THEN r.method END AS fx_method,
       CASE WHEN b.unit = 'currency' THEN r.rate_start END AS fx_rate_start,
       CASE WHEN b.unit = 'currency' THEN r.rate_end END AS fx_rate_end,
       b.source_tier, b.source, b.members_present, b.members_missing
FROM both_sides b,
     LATERAL (SELECT * FROM fx_flow_rate('CNY', 'USD', b.period_start, b.period_end)) r
ORDER BY b.side, b.period_start, b.metric, b.basis;
