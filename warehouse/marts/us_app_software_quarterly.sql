-- marts.us_app_software_quarterly — grain: one row per calendar quarter (calendar_year,
-- calendar_quarter) × row_type: a 'member' row per basket member that reported revenue for a
-- fiscal quarter lining up with that calendar quarter (where most of its days fall: a Feb–Apr
-- quarter is calendar Q1), and one 'total' row for the basket.
-- Basket: every ticker in watchlist.toml's `us_app_software` (staging.watchlist); members without
-- figures are listed in members_missing, never filled in.
-- Source: marts.company_financials (SEC EDGAR 10-Q/10-K XBRL; derived quarters flagged).
-- Total row: combined revenue of the members present; operating margin revenue-weighted
-- (Σ operating income / Σ revenue over members with both) and simple average; year-over-year
-- growth only over the members present in both this quarter and the same quarter a year earlier
-- (yoy_members, yoy_basis), so a member joining the data never shows up as growth.
CREATE OR REPLACE VIEW marts.us_app_software_quarterly AS
WITH basket AS (
    SELECT w.ticker, w.cik, w.position
    FROM staging.watchlist w
    WHERE list_contains(w.baskets, 'us_app_software')
),
quarters AS (
    SELECT b.ticker, f.*  EXCLUDE (ticker)
    FROM marts.company_financials f
    JOIN basket b ON b.cik = f.cik
    WHERE f.period_type = 'Q' AND f.currency = 'USD' AND f.metric IN ('revenue', 'operating_income')
),
revenue AS (
    -- Should two fiscal quarters of one company land in the same calendar quarter (a change of
    -- fiscal year), the later one is kept.
    SELECT *, row_number() OVER (PARTITION BY cik, calendar_year, calendar_quarter ORDER BY period_end DESC) AS pick
    FROM quarters WHERE metric = 'revenue'
),
members AS (
    SELECT r.ticker, r.cik, r.company_name, r.calendar_year, r.calendar_quarter,
           r.fiscal_year, r.fiscal_quarter, r.period_start, r.period_end,
           r.value_usd AS revenue_usd,
           o.value_usd AS operating_income_usd,
           o.value_usd / nullif(r.value_usd, 0) AS operating_margin,
           r.derived OR coalesce(o.derived, FALSE) AS derived,
           r.accession AS revenue_accession, r.filed AS revenue_filed,
           o.accession AS operating_income_accession, o.filed AS operating_income_filed
    FROM revenue r
    LEFT JOIN quarters o ON o.cik = r.cik AND o.metric = 'operating_income'
                        AND o.period_start = r.period_start AND o.period_end = r.period_end
    WHERE r.pick = 1
),
member_yoy AS (
    SELECT m.*, p.revenue_usd AS prior_revenue_usd,
           m.revenue_usd / nullif(p.revenue_usd, 0) - 1 AS revenue_yoy_growth
    FROM members m
    LEFT JOIN members p ON p.cik = m.cik AND p.calendar_year = m.calendar_year - 1
                       AND p.calendar_quarter = m.calendar_quarter
),
totals AS (
    SELECT calendar_year, calendar_quarter,
           sum(revenue_usd) AS revenue_usd,
           sum(operating_income_usd) FILTER (WHERE operating_income_usd IS NOT NULL) AS operating_income_usd,
           sum(operating_income_usd) FILTER (WHERE operating_income_usd IS NOT NULL)
               / nullif(sum(revenue_usd) FILTER (WHERE operating_income_usd IS NOT NULL), 0) AS operating_margin,
           avg(operating_margin) AS operating_margin_simple_avg,
           list(ticker ORDER BY ticker) AS members_present,
           list(ticker ORDER BY ticker) FILTER (WHERE operating_income_usd IS NOT NULL) AS margin_members,
           sum(revenue_usd) FILTER (WHERE prior_revenue_usd IS NOT NULL) AS yoy_revenue_usd,
           sum(prior_revenue_usd) FILTER (WHERE prior_revenue_usd IS NOT NULL) AS yoy_prior_revenue_usd,
           list(ticker ORDER BY ticker) FILTER (WHERE prior_revenue_usd IS NOT NULL) AS yoy_members,
           bool_or(derived) AS derived,
           max(revenue_filed) AS revenue_filed
    FROM member_yoy
    GROUP BY calendar_year, calendar_quarter
),
everyone AS (
    SELECT list(ticker ORDER BY position) AS tickers, count(*) AS n FROM basket
),
combined AS (
SELECT 'member' AS row_type, calendar_year, calendar_quarter, ticker, company_name,
       fiscal_year, fiscal_quarter, period_start, period_end,
       revenue_usd, operating_income_usd, operating_margin,
       CAST(NULL AS DOUBLE) AS operating_margin_simple_avg,
       revenue_yoy_growth,
       prior_revenue_usd AS yoy_prior_revenue_usd,
       CASE WHEN prior_revenue_usd IS NOT NULL THEN [ticker] END AS yoy_members,
       CASE WHEN prior_revenue_usd IS NOT NULL THEN printf('%s CY%d Q%d vs CY%d Q%d', ticker,
            calendar_year, calendar_quarter, calendar_year - 1, calendar_quarter) END AS yoy_basis,
       [ticker] AS members_present,
       CAST(NULL AS VARCHAR[]) AS members_missing,
       CAST(NULL AS BIGINT) AS members_in_basket,
       derived, revenue_accession, revenue_filed, operating_income_accession
FROM member_yoy
UNION ALL
SELECT 'total', t.calendar_year, t.calendar_quarter, 'TOTAL',
       printf('US application software (%d of %d members)', len(t.members_present), e.n),
       NULL, NULL, NULL, NULL,
       t.revenue_usd, t.operating_income_usd, t.operating_margin, t.operating_margin_simple_avg,
       t.yoy_revenue_usd / nullif(t.yoy_prior_revenue_usd, 0) - 1,
       t.yoy_prior_revenue_usd,
       t.yoy_members,
       CASE WHEN t.yoy_members IS NULL OR len(t.yoy_members) = 0
            THEN 'no member has both this quarter and the same quarter a year earlier'
            ELSE printf('same %d member(s) in CY%d Q%d and CY%d Q%d: %s%s', len(t.yoy_members),
                        t.calendar_year, t.calendar_quarter, t.calendar_year - 1, t.calendar_quarter,
                        array_to_string(t.yoy_members, ', '),
                        CASE WHEN len(t.yoy_members) < len(t.members_present)
                             THEN printf(' (excluded, no prior-year quarter: %s)', array_to_string(
                                  list_filter(t.members_present, x -> NOT list_contains(t.yoy_members, x)), ', '))
                             ELSE '' END) END,
       t.members_present,
       list_filter(e.tickers, x -> NOT list_contains(t.members_present, x)),
       e.n,
       t.derived, NULL, t.revenue_filed, NULL
FROM totals t, everyone e
)
SELECT * FROM combined
ORDER BY calendar_year, calendar_quarter, row_type = 'total', ticker;
