-- marts.china_big_tech_capex — grain: one row per company (entity) × calendar year, plus one
-- 'total' row per year for the companies that report their capex (Alibaba, Tencent). Regenerates
-- the China side of the article's section 01 from the companies' own results.
-- Source: staging.reported_figures (registry, config/figures/china_capex.toml): the capex each
-- company states in its quarterly or annual results (Alibaba's furnished to the SEC on 6-K,
-- Tencent's filed with HKEX), on the pages that carry them; ByteDance is private (press-reported).
-- Alibaba's SEC XBRL facts carry no capex tag after FY2020, so companyfacts cannot give it.
-- Rules: a full calendar-year figure, when stated, is the year; otherwise the year is the sum of
-- the calendar quarters stated (quarters_covered), `complete` only with all four. The total adds
-- the reporting companies of a year and is complete only when each of them is; its tier is the
-- weakest among its parts. Money in CNY as reported.
CREATE OR REPLACE VIEW marts.china_big_tech_capex AS
WITH figures AS (
    SELECT r.entity, r.figure_id, r.value, r.is_projection, r.period_start, r.period_end,
           date_diff('day', r.period_start, r.period_end) + 1 AS period_days,
           f.figure_tier_rank AS tier_rank, r.publisher, r.url
    FROM staging.reported_figures r
    JOIN staging.figure_tiers f USING (figure_id)
    WHERE r.source_rank = 1 AND r.metric = 'capex' AND r.currency = 'CNY'
      AND r.entity IN ('Alibaba', 'Tencent', 'ByteDance')
),
years AS (
    SELECT entity, year(period_start) AS calendar_year, value AS capex_cny, is_projection,
           'full year as stated' AS basis, [1, 2, 3, 4] AS quarters_covered, tier_rank, [figure_id] AS figure_ids,
           [url] AS urls
    FROM figures
    WHERE period_days >= 360 AND month(period_start) = 1 AND day(period_start) = 1
),
quarters AS (
    SELECT entity, year(q) AS calendar_year, quarter(q) AS calendar_quarter, value, is_projection,
           tier_rank, figure_id, url
    FROM (SELECT *, staging.most_days_quarter(period_start, period_end) AS q FROM figures
          WHERE period_days BETWEEN 80 AND 100)
),
summed AS (
    SELECT entity, calendar_year, sum(value) AS capex_cny, bool_or(is_projection) AS is_projection,
           printf('sum of %d calendar quarter(s) as stated', count(*)) AS basis,
           list(calendar_quarter ORDER BY calendar_quarter) AS quarters_covered,
           max(tier_rank) AS tier_rank, list(figure_id ORDER BY calendar_quarter) AS figure_ids,
           list(url ORDER BY calendar_quarter) AS urls
    FROM quarters
    GROUP BY entity, calendar_year
),
companies AS (
    SELECT * FROM years
    UNION ALL BY NAME
    SELECT s.* FROM summed s
    WHERE NOT EXISTS (SELECT 1 FROM years y WHERE y.entity = s.entity AND y.calendar_year = s.calendar_year)
),
rows AS (
    SELECT 'company' AS row_type, entity, calendar_year, capex_cny, is_projection, basis, quarters_covered,
           len(quarters_covered) = 4 AS complete, staging.tier_name(tier_rank) AS source_tier,
           figure_ids, urls, [entity] AS members
    FROM companies
    UNION ALL
    SELECT 'total', 'China big tech (Alibaba + Tencent)', calendar_year, sum(capex_cny), bool_or(is_projection),
           'sum of the companies'' calendar years', NULL,
           count(*) = 2 AND bool_and(len(quarters_covered) = 4),
           staging.tier_name(max(tier_rank)),
           flatten(list(figure_ids ORDER BY entity)), flatten(list(urls ORDER BY entity)),
           list(entity || CASE WHEN len(quarters_covered) = 4 THEN ''
                          ELSE ' (Q' || array_to_string(quarters_covered, '+Q') || ' only)' END ORDER BY entity)
    FROM companies
    WHERE entity IN ('Alibaba', 'Tencent') AND NOT is_projection
    GROUP BY calendar_year
)
SELECT * FROM rows
ORDER BY calendar_year, row_type = 'total', entity;
