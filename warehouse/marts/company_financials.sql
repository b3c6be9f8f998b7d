-- marts.company_financials — grain: one row per company (cik) × metric × period
-- (period_start, period_end). Source: SEC EDGAR XBRL via staging.sec_metric_facts.
-- Today's view of marts.company_financials_as_of (see that file for every rule): per period the
-- highest-priority pinned tag wins; periodic forms beat others, then the latest filing
-- (`value_usd`, restated) while `as_reported_value_usd` keeps the first filed value; quarters
-- nobody reported are derived from year-to-date figures (`derived`, never per share);
-- calendar_year / calendar_quarter are where most of the period's days fall; `currency` and
-- `value` keep non-USD figures (value_usd is NULL for them).
CREATE OR REPLACE VIEW marts.company_financials AS
SELECT * FROM marts.company_financials_as_of(DATE '9999-12-31');
