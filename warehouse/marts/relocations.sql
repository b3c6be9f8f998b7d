-- marts.relocations — grain: one row per company the article says moved abroad (section 03),
-- with where from and to, when, and the source that confirms it (or 'article only').
-- Sources: staging.article_claims (relocation claims), marts.claim_check (matching registry
-- reports with publisher and URL), staging.article_claims (headcount figures of the move).
CREATE OR REPLACE VIEW marts.relocations AS
SELECT c.entity AS company,
       a.location_from AS moved_from,
       a.location_to AS moved_to,
       c.period_claimed AS article_date_claimed,
       c.status,
       s.period_start AS sourced_date,
       c.sourced_from, c.source_url,
       (SELECT max(article_value) FILTER (WHERE metric = 'headcount') FROM marts.claim_check h
         WHERE h.entity = c.entity) AS team_size,
       (SELECT max(article_value) FILTER (WHERE metric = 'staff_relocated') FROM marts.claim_check h
         WHERE h.entity = c.entity) AS staff_moved,
       CASE WHEN c.sourced_from IS NULL THEN 'article only' ELSE 'sourced' END AS basis
FROM marts.claim_check c
JOIN staging.article_claims a USING (claim_id)
LEFT JOIN marts.sourced_figures s ON s.entity = c.entity AND s.metric = 'relocation' AND s.source_label = c.sourced_from
WHERE c.metric = 'relocation'
ORDER BY c.entity;
