-- marts.china_big_tech_financials — grain: one row per company of the watchlist's `china_big_tech`
-- basket (Chinese internet companies filing 20-F/6-K with the SEC in US GAAP) × metric × fiscal
-- year. The China side of section 01 from filings, through the same SEC path as the US companies.
-- Source: marts.company_financials (SEC EDGAR XBRL; the company's reporting currency, never the
-- USD "convenience translation" a 20-F prints beside it), converted to USD at the mean ECB rate
-- over the fiscal year's business days (staging/fx_rules.sql: revenue and profit are flows); the
-- rate, its dates and the method are on every row; a missing rate leaves value_usd NULL with the
-- reason in fx_method. Capex is absent where the company tags it with its own element (Alibaba
-- after FY2020: companyfacts carries only the standard taxonomies).
CREATE OR REPLACE VIEW marts.china_big_tech_financials AS
WITH basket AS (
    SELECT w.ticker, w.cik, w.position FROM staging.watchlist w WHERE list_contains(w.baskets, 'china_big_tech')
),
years AS (
    SELECT b.ticker, f.cik, f.company_name, f.metric, f.fiscal_year, f.period_start, f.period_end,
           f.calendar_year, f.currency, f.value, f.accession, f.form, f.filed, b.position
    FROM marts.company_financials f
    JOIN basket b ON b.cik = f.cik
    WHERE f.period_type = 'FY' AND f.metric IN ('revenue', 'operating_income', 'net_income', 'capex')
)
SELECT y.ticker, y.company_name, y.metric, y.fiscal_year, y.period_start, y.period_end, y.calendar_year,
       y.currency AS original_currency, y.value AS value_original,
       CASE WHEN y.currency = 'USD' THEN y.value ELSE y.value / r.rate END AS value_usd,
       CASE WHEN y.currency = 'CNY' THEN y.value END AS value_cny,
       r.rate AS original_per_usd, r.method AS fx_method, r.rate_start AS fx_rate_start, r.rate_end AS fx_rate_end,
       y.accession, y.form, y.filed
FROM years y,
     LATERAL (SELECT * FROM fx_flow_rate(y.currency, 'USD', y.period_start, y.period_end)) r
ORDER BY y.position, y.metric, y.fiscal_year;
