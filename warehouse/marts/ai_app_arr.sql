-- marts.ai_app_arr — grain: one row per AI application × metric the article states for it in
-- section 02 (C-end apps: Cursor, Lovable, Tolan, OpusClip: ARR, revenue, price, users).
-- Regenerates that list with the sourced figure beside the article's. Sources:
-- marts.claim_check (article claims checked against registry reports).
CREATE OR REPLACE VIEW marts.ai_app_arr AS
SELECT entity AS app, metric, article_value, unit, article_currency AS currency, period_claimed,
       status, sourced_value, sourced_period, sourced_from, source_url, source_tier, relative_difference,
       CASE WHEN sourced_value IS NULL THEN 'article only' ELSE 'sourced' END AS basis,
       claim_id
FROM marts.claim_check
WHERE entity IN ('Cursor', 'Lovable', 'Tolan', 'OpusClip')
ORDER BY claim_id;
