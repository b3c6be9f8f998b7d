-- marts.relocations — grain: one row per company the article says moved abroad (section 03),
-- with where from and to, when, and the source that confirms it (or 'article only').
-- Sources: staging.article_claims (relocation claims and the headcount figures of the move),
-- marts.claim_check (matching registry reports with publisher and URL).
CREATE OR REPLACE VIEW marts.relocations AS
WITH checks AS MATERIALIZED (
    SELECT * FROM marts.claim_check
    WHERE entity IN (SELECT entity FROM staging.article_claims WHERE metric = 'relocation')
),
team AS (
    SELECT entity,
           max(article_value) FILTER (WHERE metric = 'headcount') AS team_size,
           max(article_value) FILTER (WHERE metric = 'staff_relocated') AS staff_moved
    FROM checks GROUP BY entity
)
SELECT c.entity AS company,
       a.location_from AS moved_from,
       a.location_to AS moved_to,
       c.period_claimed AS article_date_claimed,
       c.status,
       c.sourced_start AS sourced_date,
       c.sourced_from, c.source_url, c.source_tier,
       t.team_size, t.staff_moved,
       CASE WHEN c.sourced_from IS NULL THEN 'article only' ELSE 'sourced' END AS basis
FROM checks c
JOIN staging.article_claims a USING (claim_id)
LEFT JOIN team t ON t.entity = c.entity
WHERE c.metric = 'relocation'
ORDER BY c.entity;
