-- marts.ashare_ai_applications — grain: one row per period ('2024', '2025Q1') × row_type: a
-- 'member' row per member of the A-share AI-application basket (staging.ashare_basket, from
-- config/ashare_basket.toml) and one 'total' row. Regenerates the China side of the article's
-- section 03 (revenue, net profit attributable to shareholders, their growth) from per-company
-- figures instead of the article's single broker citation.
-- Source: staging.reported_figures (registry, config/figures/ashare_*.toml: each
-- member's figure with its page, tier and the year-on-year change that page states) and
-- staging.cninfo_announcements (the periodic report itself, when a listing was fetched).
-- Rules:
--   * totals add the members with a figure; members_missing lists the others (never filled in);
--   * growth: the prior-year value is implied from the stated change, prior = value / (1 + change),
--     for revenue always; for net profit only where that reading is unambiguous (a profit now
--     and a change between −100% and +100%: a loss, or a swing from one, can be read two ways);
--     the total's growth is Σ value / Σ prior − 1 over the members with a prior (growth_members);
--   * tier: the weakest tier among the figures a total adds up (a sum is as good as its worst part).
CREATE OR REPLACE VIEW marts.ashare_ai_applications AS
WITH periods AS (
    SELECT * FROM (VALUES ('2024', DATE '2024-01-01', DATE '2024-12-31'),
                          ('2025Q1', DATE '2025-01-01', DATE '2025-03-31')) AS p(period, period_start, period_end)
),
figures AS (
    SELECT r.ticker AS code, r.metric, r.period_start, r.period_end, r.value, r.change_yoy,
           r.figure_id, r.url, r.publisher, f.figure_tier AS tier, f.figure_tier_rank AS tier_rank
    FROM staging.reported_figures r
    JOIN staging.figure_tiers f USING (figure_id)
    WHERE r.source_rank = 1 AND r.currency = 'CNY' AND r.metric IN ('revenue', 'net_profit')
      AND r.ticker IN (SELECT code FROM staging.ashare_basket)
),
members AS (
    SELECT p.period, p.period_start, p.period_end, b.code, b.name, b.position,
           rv.value AS revenue_cny, rv.change_yoy AS revenue_change_stated,
           rv.value / (1 + rv.change_yoy / 100) AS revenue_prior_implied,
           np.value AS net_profit_cny, np.change_yoy AS net_profit_change_stated,
           CASE WHEN np.value > 0 AND np.change_yoy > -100 AND np.change_yoy <= 100
                THEN np.value / (1 + np.change_yoy / 100) END AS net_profit_prior_implied,
           rv.tier AS revenue_tier, rv.tier_rank AS revenue_tier_rank, rv.url AS revenue_url,
           rv.publisher AS revenue_source,
           np.tier AS net_profit_tier, np.tier_rank AS net_profit_tier_rank, np.url AS net_profit_url,
           np.publisher AS net_profit_source
    FROM periods p
    CROSS JOIN staging.ashare_basket b
    LEFT JOIN figures rv ON rv.code = b.code AND rv.metric = 'revenue'
                        AND rv.period_start = p.period_start AND rv.period_end = p.period_end
    LEFT JOIN figures np ON np.code = b.code AND np.metric = 'net_profit'
                        AND np.period_start = p.period_start AND np.period_end = p.period_end
),
filings AS (
    -- The periodic report behind a member's figures, when cninfo's listing was fetched.
    SELECT code, report_period, arg_max(pdf_url, published_at) AS filing_url,
           max(published_at) AS filing_published_at
    FROM staging.cninfo_announcements
    GROUP BY code, report_period
),
totals AS (
    SELECT period, period_start, period_end,
           sum(revenue_cny) AS revenue_cny,
           count(revenue_cny) AS revenue_members,
           sum(revenue_cny) FILTER (WHERE revenue_prior_implied IS NOT NULL)
               / nullif(sum(revenue_prior_implied), 0) - 1 AS revenue_growth,
           list(name ORDER BY position) FILTER (WHERE revenue_prior_implied IS NOT NULL) AS revenue_growth_members,
           sum(net_profit_cny) AS net_profit_cny,
           count(net_profit_cny) AS net_profit_members,
           sum(net_profit_cny) FILTER (WHERE net_profit_prior_implied IS NOT NULL)
               / nullif(sum(net_profit_prior_implied), 0) - 1 AS net_profit_growth,
           list(name ORDER BY position) FILTER (WHERE net_profit_prior_implied IS NOT NULL) AS net_profit_growth_members,
           coalesce(list(name ORDER BY position) FILTER (WHERE revenue_cny IS NULL), []) AS revenue_missing,
           coalesce(list(name ORDER BY position) FILTER (WHERE net_profit_cny IS NULL), []) AS net_profit_missing,
           staging.tier_name(max(revenue_tier_rank)) AS revenue_tier,
           staging.tier_name(max(net_profit_tier_rank)) AS net_profit_tier,
           count(*) AS members_in_basket
    FROM members
    GROUP BY period, period_start, period_end
)
SELECT 'member' AS row_type, m.period, m.period_start, m.period_end, m.code, m.name,
       m.revenue_cny, m.revenue_change_stated / 100 AS revenue_growth,
       m.net_profit_cny, m.net_profit_change_stated / 100 AS net_profit_growth,
       m.net_profit_cny / nullif(m.revenue_cny, 0) AS net_margin,
       m.revenue_tier, m.net_profit_tier, m.revenue_source, m.revenue_url, m.net_profit_source, m.net_profit_url,
       CASE WHEN m.revenue_cny IS NOT NULL THEN 1 ELSE 0 END AS revenue_members,
       CASE WHEN m.net_profit_cny IS NOT NULL THEN 1 ELSE 0 END AS net_profit_members,
       NULL::VARCHAR[] AS revenue_growth_members, NULL::VARCHAR[] AS net_profit_growth_members,
       NULL::VARCHAR[] AS revenue_missing, NULL::VARCHAR[] AS net_profit_missing,
       CAST(NULL AS BIGINT) AS members_in_basket, f.filing_url, f.filing_published_at, m.position
FROM members m
LEFT JOIN filings f ON f.code = m.code AND f.report_period = m.period
UNION ALL
SELECT 'total', t.period, t.period_start, t.period_end, 'TOTAL',
       printf('A-share AI applications (revenue %d, net profit %d of %d members)',
              t.revenue_members, t.net_profit_members, t.members_in_basket),
       t.revenue_cny, t.revenue_growth, t.net_profit_cny, t.net_profit_growth,
       t.net_profit_cny / nullif(t.revenue_cny, 0),
       t.revenue_tier, t.net_profit_tier,
       'computed: sum of members'' figures (registry)', NULL, 'computed: sum of members'' figures (registry)', NULL,
       t.revenue_members, t.net_profit_members, t.revenue_growth_members, t.net_profit_growth_members,
       t.revenue_missing, t.net_profit_missing, t.members_in_basket, NULL, NULL, 1000
FROM totals t
ORDER BY period, position, code;
