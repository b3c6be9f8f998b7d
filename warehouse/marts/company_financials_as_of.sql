-- marts.company_financials_as_of(as_of) — table macro. Grain: one row per company (cik) × metric ×
-- period (period_start, period_end), from the fact versions filed on or before `as_of` only: the
-- figures as they were known that day. marts.company_financials is this macro as of today.
-- Source: staging.sec_metric_facts (SEC EDGAR XBRL companyfacts; pinned tags per metric in
-- staging.metric_tags). Usage: SELECT * FROM marts.company_financials_as_of(DATE '2025-03-01').
-- Rules, in order:
--   1. periods are quarters (Q), half years (H), nine months (9M) or years (FY) by length in days;
--   2. per period, the highest-priority pinned tag with a value wins; in the company's reporting
--      currency (the one most of its periods are stated in), so a CNY filer's USD convenience
--      translation is never taken for a USD figure; then USD before others. A company reporting
--      in EUR or CNY keeps it: `currency`, `value`; value_usd is then NULL, no rate applied here;
--   3. among that tag's versions, periodic forms (10-K, 10-Q, 20-F, 40-F and /A) beat others, then
--      the latest filing wins (`value`, restated if later filings changed it) while
--      `as_reported_value` keeps the first filed one (with its accession and filing date);
--   4. a quarter nobody reported is derived from year-to-date figures of the same fiscal year (same
--      start date): Q2 = H − Q1, Q3 = 9M − H, Q4 = FY − 9M, flagged `derived` with `derived_from`
--      naming both periods and filings; never for per-share metrics (metrics.toml `per_share`).
-- Fiscal-year naming (fiscal_year, fiscal_quarter) uses everything loaded, not only what was
-- known on `as_of`.
CREATE OR REPLACE MACRO marts.company_financials_as_of(as_of) AS TABLE
WITH known AS (
    SELECT * FROM staging.sec_metric_facts
    WHERE filed <= CAST(as_of AS DATE)
      AND period_type IN ('Q', 'H', '9M', 'FY')
      AND currency IS NOT NULL
),
reporting AS (
    -- A company's reporting currency: the one most of its periods are stated in. A CNY filer's
    -- 20-F also carries a USD "convenience translation" of the latest year at one fixed rate;
    -- preferring USD would publish those as value_usd and break growth and the ECB rules.
    SELECT cik, arg_max(currency, n) AS reporting_currency
    FROM (SELECT cik, currency, count(DISTINCT (metric, period_start, period_end)) AS n
          FROM known GROUP BY cik, currency)
    GROUP BY cik
),
choice AS (
    SELECT d.cik, d.metric, d.period_start, d.period_end, d.tag_priority, d.unit,
           row_number() OVER (PARTITION BY d.cik, d.metric, d.period_start, d.period_end
                              ORDER BY d.tag_priority, d.currency <> r.reporting_currency,
                                       d.currency <> 'USD', d.unit) AS choice_rank
    FROM (SELECT DISTINCT cik, metric, period_start, period_end, tag_priority, unit, currency FROM known) d
    JOIN reporting r USING (cik)
),
versions AS (
    SELECT k.*,
           row_number() OVER (PARTITION BY k.cik, k.metric, k.period_start, k.period_end
                              ORDER BY k.form_rank, k.filed DESC, k.accession DESC) AS latest_rank,
           row_number() OVER (PARTITION BY k.cik, k.metric, k.period_start, k.period_end
                              ORDER BY k.form_rank, k.filed, k.accession) AS first_rank
    FROM known k
    JOIN choice c USING (cik, metric, period_start, period_end, tag_priority, unit)
    WHERE c.choice_rank = 1
),
reported AS (
    SELECT l.cik, l.metric, l.period_start, l.period_end, l.period_type, l.period_days, l.per_share,
           l.fye_month, l.fiscal_year_basis, l.period_fiscal_year, l.fiscal_quarter,
           l.calendar_year, l.calendar_quarter, l.currency, l.unit, l.concept,
           l.value, a.value AS as_reported_value,
           l.form, l.filed, l.accession,
           a.accession AS as_reported_accession, a.filed AS as_reported_filed,
           FALSE AS derived, CAST(NULL AS VARCHAR) AS derived_from
    FROM versions l
    JOIN versions a ON a.cik = l.cik AND a.metric = l.metric AND a.period_start = l.period_start
                   AND a.period_end = l.period_end AND a.first_rank = 1
    WHERE l.latest_rank = 1
),
derived AS (
    SELECT y.cik, y.metric,
           CAST(p.period_end + 1 AS DATE) AS period_start,
           y.period_end,
           'Q' AS period_type,
           date_diff('day', CAST(p.period_end + 1 AS DATE), y.period_end) + 1 AS period_days,
           y.per_share, y.fye_month, y.fiscal_year_basis,
           y.period_fiscal_year,
           staging.sec_fiscal_quarter(y.period_end, y.fye_month) AS fiscal_quarter,
           CAST(year(staging.most_days_quarter(CAST(p.period_end + 1 AS DATE), y.period_end)) AS INTEGER)
               AS calendar_year,
           CAST(quarter(staging.most_days_quarter(CAST(p.period_end + 1 AS DATE), y.period_end)) AS INTEGER)
               AS calendar_quarter,
           y.currency, y.unit,
           CASE WHEN y.concept = p.concept THEN y.concept ELSE y.concept || ' − ' || p.concept END AS concept,
           y.value - p.value AS value,
           y.as_reported_value - p.as_reported_value AS as_reported_value,
           y.form,
           greatest(y.filed, p.filed) AS filed,
           y.accession,
           y.as_reported_accession,
           greatest(y.as_reported_filed, p.as_reported_filed) AS as_reported_filed,
           TRUE AS derived,
           printf('%s %s..%s (%s) − %s %s..%s (%s)', y.period_type, y.period_start, y.period_end, y.accession,
                  p.period_type, p.period_start, p.period_end, p.accession) AS derived_from
    FROM reported y
    JOIN reported p ON p.cik = y.cik AND p.metric = y.metric AND p.currency = y.currency
                   AND p.period_start = y.period_start AND p.period_end < y.period_end
                   AND ((y.period_type = 'FY' AND p.period_type = '9M')
                        OR (y.period_type = '9M' AND p.period_type = 'H')
                        OR (y.period_type = 'H' AND p.period_type = 'Q'))
    WHERE NOT y.per_share
      AND staging.sec_period_type(CAST(p.period_end + 1 AS DATE), y.period_end) = 'Q'
      AND NOT EXISTS (SELECT 1 FROM reported r
                      WHERE r.cik = y.cik AND r.metric = y.metric
                        AND r.period_start = CAST(p.period_end + 1 AS DATE) AND r.period_end = y.period_end)
),
facts AS (
    SELECT * FROM reported
    UNION ALL BY NAME
    SELECT * FROM derived
),
names AS (
    SELECT cik, arg_max(entity_name, filed) AS entity_name FROM known GROUP BY cik
),
listed AS (
    SELECT cik, min(ticker) AS ticker FROM staging.sec_tickers GROUP BY cik
)
SELECT f.cik,
       coalesce(c.ticker, t.ticker, 'CIK' || lpad(CAST(f.cik AS VARCHAR), 10, '0')) AS ticker,
       coalesce(n.entity_name, c.company_name) AS company_name,
       f.metric,
       f.period_start,
       f.period_end,
       f.period_type,
       f.period_days,
       f.period_fiscal_year AS fiscal_year,
       f.fiscal_quarter,
       f.calendar_year,
       CASE WHEN f.period_type = 'Q' THEN f.calendar_quarter END AS calendar_quarter,
       CASE WHEN f.currency = 'USD' THEN f.value END AS value_usd,
       CASE WHEN f.currency = 'USD' THEN f.as_reported_value END AS as_reported_value_usd,
       f.value IS DISTINCT FROM f.as_reported_value AS restated,
       f.derived,
       f.concept,
       f.unit,
       f.form,
       f.filed,
       f.accession,
       f.as_reported_accession,
       f.as_reported_filed,
       f.currency,
       f.value,
       f.as_reported_value,
       f.per_share,
       f.fiscal_year_basis,
       f.derived_from
FROM facts f
LEFT JOIN staging.companies c ON c.cik = f.cik
LEFT JOIN listed t ON t.cik = f.cik
LEFT JOIN names n ON n.cik = f.cik;
