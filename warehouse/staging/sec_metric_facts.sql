-- staging.sec_metric_facts — grain: one row per fact version that carries a tracked metric
-- (cik, metric, concept, unit, period_start, period_end, accession). Source: staging.sec_facts
-- joined to the pinned tags in staging.metric_tags. Periods are classified by their length in
-- days, never by the filing's fy/fp labels; fiscal_year is named as the company names it.
CREATE OR REPLACE VIEW staging.sec_metric_facts AS
WITH tagged AS (
    SELECT f.*, m.metric, m.priority AS tag_priority, m.per_share,
           date_diff('day', f.period_start, f.period_end) + 1 AS period_days,
           -- 52/53-week years end in the first days of January; shifting a week back names
           -- them by the year they mostly cover.
           f.period_end - INTERVAL 7 DAY AS naming_date,
           CASE WHEN f.form IN ('10-K', '10-Q', '20-F', '40-F', '10-K/A', '10-Q/A', '20-F/A',
                                '40-F/A', '10-KT', '10-QT', '10-KT/A', '10-QT/A')
                THEN 1 ELSE 2 END AS form_rank
    FROM staging.sec_facts f
    JOIN staging.metric_tags m USING (taxonomy, concept)
),
classified AS (
    SELECT *,
           CASE WHEN period_start IS NULL THEN 'instant'
                WHEN period_days BETWEEN 80 AND 100 THEN 'Q'
                WHEN period_days BETWEEN 170 AND 195 THEN 'H'
                WHEN period_days BETWEEN 260 AND 285 THEN '9M'
                WHEN period_days BETWEEN 350 AND 380 THEN 'FY'
                ELSE 'other' END AS period_type
    FROM tagged
),
fiscal_year_end AS (
    -- The month a company's fiscal years end in: the most common among its full-year periods.
    SELECT cik, mode(month(naming_date)) AS fye_month
    FROM classified WHERE period_type = 'FY'
    GROUP BY cik
)
SELECT c.*,
       coalesce(y.fye_month, 12) AS fye_month,
       CAST(year(c.naming_date) + CASE WHEN month(c.naming_date) > coalesce(y.fye_month, 12) THEN 1 ELSE 0 END
            AS INTEGER) AS period_fiscal_year,
       -- The calendar year and quarter where most of the period's days fall (its midpoint).
       CAST(year(coalesce(c.period_start + CAST((c.period_days - 1) / 2 AS INTEGER), c.period_end)) AS INTEGER)
           AS calendar_year,
       CAST(quarter(coalesce(c.period_start + CAST((c.period_days - 1) / 2 AS INTEGER), c.period_end)) AS INTEGER)
           AS calendar_quarter
FROM classified c
LEFT JOIN fiscal_year_end y USING (cik);
