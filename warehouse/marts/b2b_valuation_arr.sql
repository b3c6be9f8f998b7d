-- marts.b2b_valuation_arr — grain: one row per company in the article's B2B table (section 02).
-- Regenerates that table (company, domain, valuation, ARR) with the valuation/ARR multiple, the
-- article's figures beside the sourced ones and each figure's claim-check status.
-- Sources: staging.article_claims (the table's cells), marts.claim_check (best sourced figure:
-- registry reports with publisher, URL and as-of). Money in USD.
CREATE OR REPLACE VIEW marts.b2b_valuation_arr AS
WITH cells AS (
    SELECT entity AS company, metric, article_value, status, sourced_value, sourced_period, sourced_from, source_tier,
           source_url, context, section
    FROM marts.claim_check
    WHERE section = '02' AND metric IN ('valuation', 'arr')
      AND entity IN (SELECT entity FROM staging.article_claims WHERE metric = 'valuation')
)
SELECT v.company,
       -- The table's second column (领域) as written in the article's row.
       trim(split_part(v.context, '|', 3)) AS domain,
       v.article_value AS article_valuation_usd,
       a.article_value AS article_arr_usd,
       v.article_value / nullif(a.article_value, 0) AS article_valuation_to_arr,
       v.sourced_value AS sourced_valuation_usd, v.sourced_period AS valuation_as_of,
       v.sourced_from AS valuation_source, v.source_url AS valuation_url, v.status AS valuation_status,
       v.source_tier AS valuation_tier,
       a.sourced_value AS sourced_arr_usd, a.sourced_period AS arr_as_of,
       a.sourced_from AS arr_source, a.source_url AS arr_url, a.status AS arr_status, a.source_tier AS arr_tier,
       v.sourced_value / nullif(a.sourced_value, 0) AS sourced_valuation_to_arr,
       CASE WHEN v.sourced_value IS NOT NULL AND a.sourced_value IS NOT NULL THEN 'sourced'
            WHEN v.sourced_value IS NOT NULL OR a.sourced_value IS NOT NULL THEN 'partly sourced'
            ELSE 'article only' END AS basis
FROM cells v
LEFT JOIN cells a ON a.company = v.company AND a.metric = 'arr'
WHERE v.metric = 'valuation'
ORDER BY v.article_value DESC;
