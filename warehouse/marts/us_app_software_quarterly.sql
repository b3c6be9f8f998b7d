-- marts.us_app_software_quarterly — grain: one row per calendar quarter (calendar_year,
-- calendar_quarter) × row_type: a 'member' row per basket member that reported revenue for a
-- fiscal quarter lining up with that calendar quarter (where most of its days fall: a Feb–Apr
-- quarter is calendar Q1), and one 'total' row for the basket.
-- Basket: every ticker in watchlist.toml's `us_app_software` (staging.watchlist); members without
-- figures are listed in members_missing, never filled in.
-- Sources, in order: SEC EDGAR XBRL (marts.company_financials: 10-Q/10-K facts, derived quarters
-- flagged; source_kind 'sec_xbrl'); then SEC's frames API (staging.sec_frame_quarters,
-- 'sec_frames'); for a member and quarter with neither, the company's own
-- earnings release as the registry cites it (staging.reported_figures with the member's ticker,
-- usually furnished to the SEC on 8-K: its accession; source_kind 'statement', source_tier as
-- reviewed there).
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
xbrl AS (
    SELECT b.ticker, f.cik, f.company_name, f.metric, f.calendar_year, f.calendar_quarter,
           f.fiscal_year, f.fiscal_quarter, f.period_start, f.period_end, f.value_usd, f.derived,
           f.accession, f.filed, 'sec_xbrl' AS source_kind, 'primary' AS source_tier,
           'https://www.sec.gov/Archives/edgar/data/' || f.cik || '/' || replace(f.accession, '-', '') || '/'
               AS source_url
    FROM marts.company_financials f
    JOIN basket b ON b.cik = f.cik
    WHERE f.period_type = 'Q' AND f.currency = 'USD' AND f.metric IN ('revenue', 'operating_income')
),
frames AS (
    -- SEC's frames API: one response per concept and quarter covers every filer.
    SELECT b.ticker, q.cik, q.entity_name AS company_name, q.metric, q.calendar_year, q.calendar_quarter,
           CAST(NULL AS INTEGER) AS fiscal_year, CAST(NULL AS INTEGER) AS fiscal_quarter,
           q.period_start, q.period_end, q.value AS value_usd, FALSE AS derived,
           q.accession, CAST(NULL AS DATE) AS filed, 'sec_frames' AS source_kind, 'primary' AS source_tier,
           'https://www.sec.gov/Archives/edgar/data/' || q.cik || '/' || replace(q.accession, '-', '') || '/'
               AS source_url
    FROM staging.sec_frame_quarters q
    JOIN basket b ON b.cik = q.cik
    WHERE q.unit = 'USD' AND q.metric IN ('revenue', 'operating_income')
),
statements AS (
    SELECT b.ticker, b.cik, r.entity AS company_name, r.metric,
           CAST(year(q.start) AS INTEGER) AS calendar_year, CAST(quarter(q.start) AS INTEGER) AS calendar_quarter,
           CAST(NULL AS INTEGER) AS fiscal_year, CAST(NULL AS INTEGER) AS fiscal_quarter,
           r.period_start, r.period_end, r.value AS value_usd, FALSE AS derived,
           r.accession, r.published_date AS filed, 'statement' AS source_kind,
           (SELECT min_by(a.tier, CASE a.tier WHEN 'primary' THEN 1 WHEN 'press' THEN 2 ELSE 3 END)
            FROM staging.reported_figures a WHERE a.figure_id = r.figure_id) AS source_tier,
           r.url AS source_url
    FROM staging.reported_figures r
    JOIN basket b ON b.ticker = r.ticker,
         LATERAL (SELECT staging.most_days_quarter(r.period_start, r.period_end) AS start) q
    WHERE r.source_rank = 1 AND r.currency = 'USD' AND r.metric IN ('revenue', 'operating_income')
),
candidates AS (
    SELECT *, 1 AS source_order FROM xbrl
    UNION ALL BY NAME SELECT *, 2 AS source_order FROM frames
    UNION ALL BY NAME SELECT *, 3 AS source_order FROM statements
),
quarters AS (
    -- Per member, metric and calendar quarter: companyfacts first, then frames, then statements.
    SELECT * EXCLUDE (source_order) FROM candidates
    QUALIFY source_order = min(source_order) OVER (PARTITION BY cik, metric, calendar_year, calendar_quarter)
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
           o.accession AS operating_income_accession, o.filed AS operating_income_filed,
           r.source_kind, r.source_tier, r.source_url
    FROM revenue r
    LEFT JOIN quarters o ON o.cik = r.cik AND o.metric = 'operating_income'
                        AND o.calendar_year = r.calendar_year AND o.calendar_quarter = r.calendar_quarter
                        AND (o.source_kind <> r.source_kind
                             OR (o.period_start = r.period_start AND o.period_end = r.period_end))
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
           max(revenue_filed) AS revenue_filed,
           array_to_string(list_sort(list_distinct(list(source_kind))), ' + ') AS source_kinds,
           -- The weakest tier among the members is the total's tier.
           max_by(source_tier, CASE source_tier WHEN 'primary' THEN 1 WHEN 'press' THEN 2 ELSE 3 END) AS source_tier
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
       derived, revenue_accession, revenue_filed, operating_income_accession,
       source_kind, source_tier, source_url
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
       t.derived, NULL, t.revenue_filed, NULL,
       t.source_kinds, t.source_tier, NULL
FROM totals t, everyone e
)
SELECT * FROM combined
ORDER BY calendar_year, calendar_quarter, row_type = 'total', ticker;
