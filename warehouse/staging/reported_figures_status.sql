-- staging.reported_figures_status — grain: one row per registry figure × source page
-- (figure_id, url), with what the page said when last checked. Sources: staging.reported_figures
-- (the registry), staging.page_checks (latest check), audit.source_loads (latest fetch outcome).
-- check_status: confirmed | changed (page says something else: both values kept) | not_found |
-- unreachable (the last fetch failed: the registry value is kept) | not_fetched (never fetched,
-- e.g. offline runs).
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
SELECT f.*,
       CASE WHEN lf.fetch_failed THEN 'unreachable'
            WHEN c.status IS NULL THEN 'not_fetched'
            ELSE c.status END AS check_status,
       c.found_value, c.found_high, c.found_text, c.context AS found_context, c.message AS check_message,
       c.page_title, c.page_published, c.checked_at
FROM staging.reported_figures f
LEFT JOIN latest_check c USING (figure_id, url)
LEFT JOIN latest_fetch lf USING (url);
