-- marts.big_tech_capex — grain: one row per hyperscaler (ticker) × fiscal year, plus one
-- 'TOTAL' row per calendar year summing the fiscal years that mostly fall in it.
-- Regenerates the article's section 01 (US big-tech capex and capex/revenue).
-- Source: marts.company_financials (SEC EDGAR 10-K figures, accession numbers kept).
CREATE OR REPLACE VIEW marts.big_tech_capex AS
WITH members AS (
    SELECT cik, ticker FROM staging.companies WHERE list_contains(baskets, 'hyperscalers')
),
fy AS (
    SELECT f.* FROM marts.company_financials f JOIN members m USING (cik)
    WHERE f.period_type = 'FY' AND f.metric IN ('revenue', 'capex')
),
company_years AS (
    SELECT r.cik, r.ticker, r.company_name, r.fiscal_year, r.calendar_year,
           r.period_start, r.period_end,
           r.value_usd AS revenue_usd,
           c.value_usd AS capex_usd,
           c.value_usd / nullif(r.value_usd, 0) AS capex_to_revenue,
           c.accession AS capex_accession, c.filed AS capex_filed, c.form AS capex_form,
           r.accession AS revenue_accession, r.filed AS revenue_filed,
           c.as_reported_value_usd AS capex_as_reported_usd
    FROM fy r
    JOIN fy c ON c.cik = r.cik AND c.period_start = r.period_start AND c.period_end = r.period_end
             AND c.metric = 'capex'
    WHERE r.metric = 'revenue'
)
SELECT 'company' AS row_type, ticker, company_name, fiscal_year, calendar_year, period_start,
       period_end, revenue_usd, capex_usd, capex_to_revenue, capex_accession, capex_filed,
       revenue_accession, revenue_filed, capex_as_reported_usd, ticker AS members
FROM company_years
UNION ALL
SELECT 'total', 'TOTAL', 'Hyperscalers (' || count(*) || ' of ' || (SELECT count(*) FROM members) || ')',
       NULL, calendar_year, min(period_start), max(period_end),
       sum(revenue_usd), sum(capex_usd), sum(capex_usd) / nullif(sum(revenue_usd), 0),
       NULL, max(capex_filed), NULL, max(revenue_filed), sum(capex_as_reported_usd),
       string_agg(ticker || ' FY' || fiscal_year, ', ' ORDER BY ticker)
FROM company_years
GROUP BY calendar_year
ORDER BY row_type, ticker, fiscal_year, calendar_year;
