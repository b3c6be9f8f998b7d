-- marts.app_mau — grain: one row per app group × month with a monthly-active-users figure.
-- Regenerates the article's section 03 traffic comparison (China's AI-native apps vs ChatGPT).
-- Sources: marts.sourced_figures (registry reports, e.g. QuestMobile via DoNews) and, where no
-- source exists, the article's own figure marked 'article only' (staging.article_claims).
CREATE OR REPLACE VIEW marts.app_mau AS
WITH checks AS MATERIALIZED (SELECT * FROM marts.claim_check WHERE metric = 'mau')
SELECT entity AS app_group, as_of, period_end AS as_of_date, value AS mau, 'sourced' AS basis,
       source_label AS source, url AS source_url, tier AS source_tier, NULL AS article_claim_id
FROM marts.sourced_figures
WHERE metric = 'mau'
UNION ALL
SELECT c.entity, c.period_claimed, c.claimed_end, c.article_value, 'article only', 'the article', NULL, NULL, c.claim_id
FROM checks c
WHERE c.status = 'unsourced'
UNION ALL
-- A claim whose sourced figure is for another month is shown as the article dated it, flagged.
SELECT c.entity, c.period_claimed, c.claimed_end, c.article_value, 'article (' || c.status || ')',
       'the article; the source dates it ' || c.sourced_period, c.source_url, c.source_tier, c.claim_id
FROM checks c
WHERE c.status IN ('date_differs', 'value_differs')
ORDER BY app_group, as_of_date;
