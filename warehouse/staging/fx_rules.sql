-- Currency conversion rules for the marts, in one place (mirrored by aipipe.normalize.fx for
-- Python callers; tests/test_fx_rules.py checks the two agree on the real ECB file).
-- Rates come from staging.fx_rates (ECB, units per 1 EUR) and are crossed via EUR.
--   stock (a point-in-time value: valuation, estimate as of a date): the rate on that date, or
--     the last business day before it, at most 7 days earlier;
--   flow (a period total: revenue, capex): the mean of the daily crossed rates over the
--     business days in [start, end]; refused (NULL) when the series does not cover the period
--     to within 7 days at either end.
-- A missing rate is NULL with a reason, never 1.0; identity (same currency) is rate 1.0.

-- staging.fx_per_eur — grain: one row per business day × currency: units per 1 EUR, with EUR
-- itself at 1.0 on every ECB business day (so EUR can be either side of a cross).
CREATE OR REPLACE VIEW staging.fx_per_eur AS
SELECT rate_date, quote AS currency, rate FROM staging.fx_rates WHERE base = 'EUR'
UNION ALL
SELECT DISTINCT rate_date, 'EUR', 1.0 FROM staging.fx_rates WHERE base = 'EUR';

-- staging.fx_daily_cross — grain: one row per business day × (quote, base) pair: units of
-- `quote` per 1 `base`. Filter on quote and base: both filters reach the scans below.
CREATE OR REPLACE VIEW staging.fx_daily_cross AS
SELECT q.rate_date, q.currency AS quote, b.currency AS base, q.rate / b.rate AS rate
FROM staging.fx_per_eur q
JOIN staging.fx_per_eur b ON b.rate_date = q.rate_date
WHERE q.currency <> b.currency;

-- fx_stock_rate(quote, base, day): units of `quote` per 1 `base` for a stock on `day`.
CREATE OR REPLACE MACRO fx_stock_rate(quote_ccy, base_ccy, on_day) AS TABLE
WITH latest AS (
    SELECT max_by(rate, rate_date) AS rate, max(rate_date) AS rate_date
    FROM staging.fx_daily_cross
    WHERE quote = quote_ccy AND base = base_ccy AND rate_date <= CAST(on_day AS DATE)
      AND rate_date >= CAST(on_day AS DATE) - INTERVAL 7 DAY
)
SELECT CASE WHEN quote_ccy = base_ccy THEN 1.0 ELSE rate END AS rate,
       CASE WHEN quote_ccy = base_ccy THEN CAST(on_day AS DATE) ELSE rate_date END AS rate_date,
       CASE WHEN quote_ccy = base_ccy THEN 'identity'
            WHEN rate_date IS NULL THEN 'missing: no ECB rate in the 7 days up to ' || CAST(on_day AS VARCHAR)
            ELSE 'ecb_daily_on_or_before' END AS method
FROM latest;

-- fx_flow_rate(quote, base, start, end): mean rate over the business days of a period.
CREATE OR REPLACE MACRO fx_flow_rate(quote_ccy, base_ccy, period_start, period_end) AS TABLE
WITH days AS (
    SELECT rate_date, rate FROM staging.fx_daily_cross
    WHERE quote = quote_ccy AND base = base_ccy
      AND rate_date BETWEEN CAST(period_start AS DATE) AND CAST(period_end AS DATE)
),
summary AS (
    SELECT avg(rate) AS rate, count(*) AS n_days, min(rate_date) AS first_day, max(rate_date) AS last_day
    FROM days
),
covered AS (
    SELECT *, coalesce(date_diff('day', CAST(period_start AS DATE), first_day) <= 7
                       AND date_diff('day', last_day, CAST(period_end AS DATE)) <= 7, FALSE) AS complete
    FROM summary
)
SELECT CASE WHEN quote_ccy = base_ccy THEN 1.0 WHEN complete THEN rate END AS rate,
       CASE WHEN quote_ccy = base_ccy THEN 0 ELSE n_days END AS n_days,
       first_day AS rate_start, last_day AS rate_end,
       CASE WHEN quote_ccy = base_ccy THEN 'identity'
            WHEN n_days = 0 THEN 'missing: no ECB rates between ' || CAST(period_start AS VARCHAR)
                                 || ' and ' || CAST(period_end AS VARCHAR)
            WHEN NOT complete THEN 'missing: ECB rates cover only ' || CAST(first_day AS VARCHAR)
                                   || '..' || CAST(last_day AS VARCHAR) || ' of the period'
            ELSE 'ecb_period_average' END AS method
FROM covered;
