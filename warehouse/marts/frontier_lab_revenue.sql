-- marts.frontier_lab_revenue — grain: one row per lab (OpenAI, Anthropic, or both combined) ×
-- run-rate data point (as_of month) × basis (reported | projection). Regenerates the article's
-- section 02 revenue timeline. Source: staging.reported_figures_status (registry figures with
-- their primary source page); growth is computed only between sourced points of the same basis.
-- source_tier: the point's best source tier (staging.figure_tiers); growth_tier: the weaker of
-- the two points a year-over-year growth compares.
CREATE OR REPLACE VIEW marts.frontier_lab_revenue AS
WITH points AS (
    SELECT entity, figure_id, metric, metric_type, as_of, period_end AS as_of_date,
           CASE WHEN is_projection THEN 'projection' ELSE 'reported' END AS basis,
           value AS run_rate_usd, qualifier, publisher, url, published, cites, check_status,
           figure_tier_rank AS tier_rank
    FROM staging.reported_figures_status
    WHERE entity IN ('OpenAI', 'Anthropic') AND metric IN ('annualized_revenue', 'arr')
      AND currency = 'USD' AND source_rank = 1
),
with_growth AS (
    SELECT p.*,
           lag(run_rate_usd) OVER w AS previous_run_rate_usd,
           lag(as_of) OVER w AS previous_as_of,
           (SELECT max_by(q.run_rate_usd, q.as_of_date) FROM points q
             WHERE q.entity = p.entity AND q.basis = 'reported'
               AND q.as_of_date BETWEEN p.as_of_date - INTERVAL 13 MONTH AND p.as_of_date - INTERVAL 11 MONTH
           ) AS year_earlier_run_rate_usd,
           (SELECT max_by(q.tier_rank, q.as_of_date) FROM points q
             WHERE q.entity = p.entity AND q.basis = 'reported'
               AND q.as_of_date BETWEEN p.as_of_date - INTERVAL 13 MONTH AND p.as_of_date - INTERVAL 11 MONTH
           ) AS year_earlier_tier_rank
    FROM points p
    WINDOW w AS (PARTITION BY entity, basis ORDER BY as_of_date)
),
combined AS (
    -- Both labs at the same month and basis: the article's "two labs together" figure.
    SELECT 'OpenAI + Anthropic' AS entity, NULL AS figure_id, 'annualized_revenue' AS metric,
           'sum of the two labs' AS metric_type, o.as_of, o.as_of_date, o.basis,
           o.run_rate_usd + a.run_rate_usd AS run_rate_usd, NULL AS qualifier,
           o.publisher || '; ' || a.publisher AS publisher, o.url || ' ; ' || a.url AS url,
           NULL AS published, NULL AS cites, NULL AS check_status,
           NULL AS previous_run_rate_usd, NULL AS previous_as_of, NULL AS year_earlier_run_rate_usd,
           greatest(o.tier_rank, a.tier_rank) AS tier_rank, NULL AS year_earlier_tier_rank
    FROM with_growth o JOIN with_growth a
      ON o.entity = 'OpenAI' AND a.entity = 'Anthropic' AND o.as_of = a.as_of AND o.basis = a.basis
    QUALIFY row_number() OVER (PARTITION BY o.as_of, o.basis ORDER BY o.figure_id, a.figure_id) = 1
)
SELECT entity, as_of, as_of_date, basis, metric, metric_type, run_rate_usd, qualifier,
       previous_as_of, run_rate_usd / nullif(previous_run_rate_usd, 0) - 1 AS growth_vs_previous,
       run_rate_usd / nullif(year_earlier_run_rate_usd, 0) - 1 AS growth_yoy,
       publisher, url, published, cites, check_status, figure_id,
       staging.tier_name(tier_rank) AS source_tier,
       -- A growth rate is as good as the weaker of its two points.
       staging.tier_name(greatest(tier_rank, year_earlier_tier_rank)) AS growth_tier
FROM (SELECT * FROM with_growth UNION ALL BY NAME SELECT * FROM combined)
ORDER BY entity, as_of_date, basis;
