-- staging.sec_metric_facts — grain: one row per fact version that carries a tracked metric
-- (cik, metric, taxonomy, concept, unit, period_start, period_end, accession). Source:
-- staging.sec_facts joined to the pinned tags in staging.metric_tags, every version kept.
-- Adds, by the rules in sec_calendar.sql: period_type (by length in days, never the filing's fy/fp),
-- currency (from the unit: 'USD', 'EUR', 'USD/shares' → USD; NULL for shares/pure), form_rank,
-- calendar_year / calendar_quarter (where most of the period's days fall), and the fiscal year and
-- quarter as the company names them. The fiscal year's end month comes from the company's own
-- full-year (FY) periods; without any, from SEC's submissions header (staging.sec_submissions);
-- without that, it is unknown and period_fiscal_year is NULL (fiscal_year_basis says which).
CREATE OR REPLACE VIEW staging.sec_metric_facts AS
WITH tagged AS (
    SELECT f.*, m.metric, m.priority AS tag_priority, m.per_share,
           CASE WHEN f.period_start IS NOT NULL THEN date_diff('day', f.period_start, f.period_end) + 1 END
               AS period_days,
           staging.sec_period_type(f.period_start, f.period_end) AS period_type,
           staging.sec_currency(f.unit) AS currency,
           staging.sec_form_rank(f.form) AS form_rank
    FROM staging.sec_facts f
    JOIN staging.metric_tags m USING (taxonomy, concept)
),
periods AS (
    -- The calendar rule is evaluated once per distinct period, not once per fact version.
    SELECT period_start, period_end,
           staging.most_days_quarter(period_start, period_end) AS quarter_start,
           staging.most_days_year(period_start, period_end) AS year_start
    FROM (SELECT DISTINCT period_start, period_end FROM tagged)
),
fy_periods AS (
    -- The month a company's fiscal years end in: the most common among its full-year periods.
    SELECT cik, mode(month(staging.sec_naming_date(period_end))) AS fye_month
    FROM tagged WHERE period_type = 'FY'
    GROUP BY cik
),
submissions AS (
    SELECT cik,
           month(staging.sec_naming_date(make_date(2000, CAST(left(fiscal_year_end, 2) AS INTEGER),
                                                   CAST(right(fiscal_year_end, 2) AS INTEGER)))) AS fye_month
    FROM staging.sec_submissions
    WHERE regexp_full_match(fiscal_year_end, '\d{4}')
),
fiscal_year_end AS (
    SELECT cik,
           coalesce(y.fye_month, s.fye_month) AS fye_month,
           CASE WHEN y.fye_month IS NOT NULL THEN 'fy_periods'
                WHEN s.fye_month IS NOT NULL THEN 'submissions'
                ELSE 'unknown' END AS fiscal_year_basis
    FROM (SELECT DISTINCT cik FROM tagged) c
    LEFT JOIN fy_periods y USING (cik)
    LEFT JOIN submissions s USING (cik)
)
SELECT t.*,
       e.fye_month,
       e.fiscal_year_basis,
       staging.sec_fiscal_year(t.period_end, e.fye_month) AS period_fiscal_year,
       CASE WHEN t.period_type = 'Q' THEN staging.sec_fiscal_quarter(t.period_end, e.fye_month) END
           AS fiscal_quarter,
       CAST(year(CASE WHEN t.period_type = 'Q' THEN p.quarter_start ELSE p.year_start END) AS INTEGER)
           AS calendar_year,
       CAST(quarter(p.quarter_start) AS INTEGER) AS calendar_quarter
FROM tagged t
JOIN fiscal_year_end e USING (cik)
JOIN periods p ON p.period_start IS NOT DISTINCT FROM t.period_start AND p.period_end = t.period_end;
