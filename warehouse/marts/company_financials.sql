-- marts.company_financials — grain: one row per company (cik) × metric × period
-- (period_start, period_end). Source: SEC EDGAR XBRL via staging.sec_metric_facts.
-- Per period, the highest-priority pinned tag that has a value wins; among that tag's versions,
-- periodic forms (10-K/10-Q/20-F/40-F and amendments) beat others, then the latest filing wins
-- (`value_usd`, restated) while `as_reported_value_usd` keeps the first filed value.
CREATE OR REPLACE VIEW marts.company_financials AS
WITH best_tag AS (
    SELECT cik, metric, period_start, period_end, min(tag_priority) AS tag_priority
    FROM staging.sec_metric_facts
    WHERE period_type IN ('Q', 'H', '9M', 'FY') AND unit IN ('USD', 'USD/shares')
    GROUP BY ALL
),
versions AS (
    SELECT f.*,
           row_number() OVER latest_first AS latest_rank,
           row_number() OVER first_filed AS first_rank
    FROM staging.sec_metric_facts f
    JOIN best_tag b USING (cik, metric, period_start, period_end, tag_priority)
    WHERE f.unit IN ('USD', 'USD/shares')
    WINDOW latest_first AS (PARTITION BY f.cik, f.metric, f.period_start, f.period_end
                            ORDER BY f.form_rank, f.filed DESC, f.accession DESC),
           first_filed AS (PARTITION BY f.cik, f.metric, f.period_start, f.period_end
                           ORDER BY f.form_rank, f.filed, f.accession)
),
names AS (
    SELECT cik, arg_max(entity_name, filed) AS entity_name FROM staging.sec_facts GROUP BY cik
)
SELECT l.cik,
       coalesce(c.ticker, 'CIK' || lpad(CAST(l.cik AS VARCHAR), 10, '0')) AS ticker,
       coalesce(n.entity_name, c.company_name) AS company_name,
       l.metric,
       l.period_start,
       l.period_end,
       CASE l.period_type WHEN 'FY' THEN 'FY' WHEN 'Q' THEN 'Q' ELSE l.period_type END AS period_type,
       l.period_days,
       l.period_fiscal_year AS fiscal_year,
       l.calendar_year,
       CASE WHEN l.period_type = 'Q' THEN l.calendar_quarter END AS calendar_quarter,
       l.value AS value_usd,
       a.value AS as_reported_value_usd,
       l.value IS DISTINCT FROM a.value AS restated,
       FALSE AS derived,
       l.concept,
       l.unit,
       l.form,
       l.filed,
       l.accession,
       a.accession AS as_reported_accession,
       a.filed AS as_reported_filed
FROM versions l
JOIN versions a ON a.cik = l.cik AND a.metric = l.metric AND a.period_start = l.period_start
                AND a.period_end = l.period_end AND a.first_rank = 1
LEFT JOIN staging.companies c ON c.cik = l.cik
LEFT JOIN names n ON n.cik = l.cik
WHERE l.latest_rank = 1;
