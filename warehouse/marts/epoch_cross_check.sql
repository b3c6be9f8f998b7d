-- marts.epoch_cross_check — grain: one row per registry run-rate figure of a lab Epoch AI covers
-- (figure_id): the registry's value beside Epoch AI's nearest revenue report for the same company
-- (annualised USD, within 45 days of the registry's date), whether they agree (within 5 %), and
-- Epoch's own sources, so a figure resting on a secondary copy can be traced to the original
-- Epoch cites. Sources: staging.reported_figures_status (registry), staging.epoch_revenue
-- (Epoch AI, 'Data on AI Companies', CC BY 4.0).
CREATE OR REPLACE VIEW marts.epoch_cross_check AS
WITH registry AS (
    SELECT figure_id, entity, metric, as_of, period_end AS as_of_date, value AS registry_value_usd,
           publisher AS registry_source, url AS registry_url, figure_tier AS registry_tier
    FROM staging.reported_figures_status
    WHERE source_rank = 1 AND metric IN ('annualized_revenue', 'arr') AND currency = 'USD'
      AND NOT is_projection AND lower(entity) IN (SELECT DISTINCT lower(company) FROM staging.epoch_revenue)
),
nearest AS (
    SELECT r.figure_id, e.*,
           abs(date_diff('day', e.report_period_date, r.as_of_date)) AS days_apart
    FROM registry r
    JOIN staging.epoch_revenue e
      ON lower(e.company) = lower(r.entity) AND e.annualized_revenue_usd IS NOT NULL
     AND abs(date_diff('day', e.report_period_date, r.as_of_date)) <= 45
    QUALIFY row_number() OVER (PARTITION BY r.figure_id
                               ORDER BY abs(e.annualized_revenue_usd - r.registry_value_usd), days_apart,
                                        e.report_id) = 1
)
SELECT r.figure_id, r.entity, r.metric, r.as_of, r.registry_value_usd, r.registry_source, r.registry_url,
       r.registry_tier,
       n.report_id AS epoch_report, n.report_period_date AS epoch_date, n.annualized_revenue_usd AS epoch_value_usd,
       n.revenue_type AS epoch_type, n.confidence AS epoch_confidence, n.source_type AS epoch_source_type,
       n.source_1 AS epoch_source_1, n.source_2 AS epoch_source_2, n.source_3 AS epoch_source_3,
       n.days_apart,
       CASE WHEN n.report_id IS NULL THEN 'no Epoch report within 45 days'
            WHEN abs(n.annualized_revenue_usd - r.registry_value_usd) <= 0.05 * r.registry_value_usd THEN 'agrees'
            ELSE 'differs' END AS epoch_verdict,
       (n.annualized_revenue_usd - r.registry_value_usd) / nullif(r.registry_value_usd, 0) AS relative_difference,
       -- Where the registry rests on a copy, the original Epoch links to (when it links to another page).
       CASE WHEN r.registry_tier = 'secondary' AND n.source_1 IS NOT NULL AND n.source_1 <> r.registry_url
            THEN n.source_1 END AS epoch_cites_original
FROM registry r
LEFT JOIN nearest n USING (figure_id)
ORDER BY r.entity, r.as_of_date, r.figure_id;
