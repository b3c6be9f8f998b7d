-- marts.fx_cny_per_usd — grain: one row per ECB business day (rate_date) on which both USD and
-- CNY were quoted. Source: staging.fx_rates (ECB euro reference rates), crossed via EUR:
-- CNY per USD = (CNY per EUR) / (USD per EUR). Same rule as aipipe.normalize.fx.
CREATE OR REPLACE VIEW marts.fx_cny_per_usd AS
SELECT
    usd.rate_date,
    cny.rate / usd.rate AS cny_per_usd,
    usd.rate            AS usd_per_eur,
    cny.rate            AS cny_per_eur
FROM staging.fx_rates AS usd
JOIN staging.fx_rates AS cny
    ON cny.rate_date = usd.rate_date AND cny.base = usd.base
WHERE usd.base = 'EUR' AND usd.quote = 'USD' AND cny.quote = 'CNY';

-- marts.fx_cny_per_usd_yearly — grain: one row per calendar year. Source: marts.fx_cny_per_usd.
-- Mean of the daily crossed rates over the business days present (the flow rule). A year is
-- partial when its first or last rate is more than 7 days from the year's edge (the same gap
-- limit as aipipe.normalize.fx.average_rate); don't use a partial year's average for a flow.
CREATE OR REPLACE VIEW marts.fx_cny_per_usd_yearly AS
SELECT
    year(rate_date)   AS year,
    avg(cny_per_usd)  AS cny_per_usd_avg,
    count(*)          AS n_days,
    min(rate_date)    AS first_day,
    max(rate_date)    AS last_day,
    date_diff('day', make_date(year(rate_date), 1, 1), min(rate_date)) > 7
        OR date_diff('day', max(rate_date), make_date(year(rate_date), 12, 31)) > 7
                      AS is_partial_year
FROM marts.fx_cny_per_usd
GROUP BY year(rate_date);
