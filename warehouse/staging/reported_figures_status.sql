-- Source tiers, best first: primary (a filing, the company's own statement) = 1, press (a news
-- organisation's own reporting) = 2, secondary (a republication, aggregator, mirror, blog) = 3.
-- A figure's tier is the best among its sources; a value computed from several figures takes the
-- weakest tier among its inputs (staging.tier_name(max(rank))).
CREATE OR REPLACE MACRO staging.tier_rank(tier) AS
    CASE tier WHEN 'primary' THEN 1 WHEN 'press' THEN 2 WHEN 'secondary' THEN 3 END;
CREATE OR REPLACE MACRO staging.tier_name(tier_rank) AS
    CASE tier_rank WHEN 1 THEN 'primary' WHEN 2 THEN 'press' WHEN 3 THEN 'secondary' END;

-- staging.figure_tiers — grain: one row per registry figure (figure_id): the best tier among its
-- sources (figure_tier), and every source's tier in source order (source_tiers).
CREATE OR REPLACE VIEW staging.figure_tiers AS
SELECT figure_id,
       staging.tier_name(min(staging.tier_rank(tier))) AS figure_tier,
       min(staging.tier_rank(tier)) AS figure_tier_rank,
       list(tier ORDER BY source_rank) AS source_tiers
FROM staging.reported_figures
GROUP BY figure_id;

-- staging.reported_figures_status — grain: one row per registry figure × source page
-- (figure_id, url), with what the page said when last checked. Sources: staging.reported_figures
-- (the registry), staging.page_checks (latest check), audit.source_loads (latest fetch outcome).
-- check_status: confirmed | changed (page says something else: both values kept) | not_found |
-- unreachable (the last fetch failed: the registry value is kept) | not_fetched (never fetched,
-- e.g. offline runs). figure_tier: the best tier among the figure's sources (staging.figure_tiers).
CREATE OR REPLACE VIEW staging.reported_figures_status AS
WITH latest_check AS (
    SELECT * FROM staging.page_checks
    QUALIFY row_number() OVER (PARTITION BY figure_id, url ORDER BY checked_at DESC) = 1
),
latest_fetch AS (
    SELECT l.url, l.origin, l.message,
           l.message LIKE '%live fetch failed%' OR l.message LIKE '%network unreachable%' AS fetch_failed
    FROM audit.source_loads l JOIN audit.runs r USING (run_id)
    WHERE l.family = 'news'
    QUALIFY row_number() OVER (PARTITION BY l.url ORDER BY r.started_at DESC) = 1
)
SELECT f.*, ft.figure_tier, ft.figure_tier_rank, ft.source_tiers,
       CASE WHEN lf.fetch_failed THEN 'unreachable'
            WHEN c.status IS NULL THEN 'not_fetched'
            ELSE c.status END AS check_status,
       c.found_value, c.found_high, c.found_text, c.context AS found_context, c.message AS check_message,
       c.page_title, c.page_published, c.checked_at
FROM staging.reported_figures f
LEFT JOIN staging.figure_tiers ft USING (figure_id)
LEFT JOIN latest_check c USING (figure_id, url)
LEFT JOIN latest_fetch lf ON lf.url = coalesce(f.via, f.url);
