-- Period rules for SEC facts, in one place: used by staging.sec_metric_facts and by the derived
-- quarters of marts.company_financials_as_of. Scalar macros, no data.
--
-- sec_period_type: by length in days, never by the filing's fy/fp labels (they describe the
--   filing): Q 80–100 days, H 170–195, 9M 260–285, FY 350–380 (52/53-week years included),
--   'instant' without a start, else 'other'.
CREATE OR REPLACE MACRO staging.sec_period_type(period_start, period_end) AS
    CASE WHEN period_start IS NULL THEN 'instant'
         WHEN date_diff('day', period_start, period_end) + 1 BETWEEN 80 AND 100 THEN 'Q'
         WHEN date_diff('day', period_start, period_end) + 1 BETWEEN 170 AND 195 THEN 'H'
         WHEN date_diff('day', period_start, period_end) + 1 BETWEEN 260 AND 285 THEN '9M'
         WHEN date_diff('day', period_start, period_end) + 1 BETWEEN 350 AND 380 THEN 'FY'
         ELSE 'other' END;

-- sec_form_rank: periodic reports (and their amendments and transition reports) rank 1, any other
-- form (8-K, S-1, proxy, ...) 2. The lower rank wins when one period is reported several times.
CREATE OR REPLACE MACRO staging.sec_form_rank(form) AS
    CASE WHEN form IN ('10-K', '10-Q', '20-F', '40-F', '10-K/A', '10-Q/A', '20-F/A', '40-F/A',
                       '10-KT', '10-QT', '10-KT/A', '10-QT/A')
         THEN 1 ELSE 2 END;

-- sec_currency: the currency of a monetary unit ('USD', 'EUR', 'USD/shares' → 'USD'); NULL for
-- shares, pure numbers and other units.
CREATE OR REPLACE MACRO staging.sec_currency(unit) AS
    CASE WHEN regexp_full_match(unit, '[A-Z]{3}(/shares)?') THEN left(unit, 3) END;

-- most_days_quarter / most_days_year: the first day of the calendar quarter / year that holds most
-- of the period's days (an instant: the one it falls in). A tie goes to the later one. This is
-- how a fiscal quarter lines up with the calendar: Salesforce's or Snowflake's Feb–Apr quarter
-- has 59 of its 89 days in Jan–Mar, so it is calendar Q1.
CREATE OR REPLACE MACRO staging.most_days_quarter(period_start, period_end) AS
    CASE WHEN period_start IS NULL THEN CAST(date_trunc('quarter', period_end) AS DATE)
    ELSE list_sort([{'days': date_diff('day', greatest(period_start, q),
                                       least(period_end, CAST(q + INTERVAL 3 MONTH AS DATE) - 1)) + 1,
                     'quarter_start': q}
                    FOR q IN [CAST(t AS DATE) FOR t IN generate_series(
                        CAST(date_trunc('quarter', period_start) AS TIMESTAMP),
                        CAST(period_end AS TIMESTAMP), INTERVAL 3 MONTH)]], 'DESC')[1].quarter_start
    END;

CREATE OR REPLACE MACRO staging.most_days_year(period_start, period_end) AS
    CASE WHEN period_start IS NULL THEN CAST(date_trunc('year', period_end) AS DATE)
    ELSE list_sort([{'days': date_diff('day', greatest(period_start, y),
                                       least(period_end, CAST(y + INTERVAL 1 YEAR AS DATE) - 1)) + 1,
                     'year_start': y}
                    FOR y IN [CAST(t AS DATE) FOR t IN generate_series(
                        CAST(date_trunc('year', period_start) AS TIMESTAMP),
                        CAST(period_end AS TIMESTAMP), INTERVAL 1 YEAR)]], 'DESC')[1].year_start
    END;

-- sec_naming_date: the date a period is named by. 52/53-week years end in the first days of the
-- next month (Jan 2, Feb 1, ...); a week back names them by the month they mostly cover.
CREATE OR REPLACE MACRO staging.sec_naming_date(period_end) AS CAST(period_end - INTERVAL 7 DAY AS DATE);

-- sec_fiscal_year / sec_fiscal_quarter: the fiscal year (named, as companies do, by the calendar
-- year it ends in) and the quarter within it, given the month the company's fiscal year ends in.
-- NULL when that month is unknown.
CREATE OR REPLACE MACRO staging.sec_fiscal_year(period_end, fye_month) AS
    CAST(year(staging.sec_naming_date(period_end))
         + CAST(month(staging.sec_naming_date(period_end)) > fye_month AS INTEGER) AS INTEGER);

CREATE OR REPLACE MACRO staging.sec_fiscal_quarter(period_end, fye_month) AS
    CAST(((month(staging.sec_naming_date(period_end)) - fye_month + 11) % 12) // 3 + 1 AS INTEGER);
