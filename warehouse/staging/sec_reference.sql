-- staging.sec_tickers — grain: one row per ticker in SEC's ticker file
-- (https://www.sec.gov/files/company_tickers.json), normalized like the watchlist (BRK.B → BRK-B).
-- Write disposition: merge on ticker; snapshot_sha256 names the file it came from.
CREATE TABLE IF NOT EXISTS staging.sec_tickers (
    ticker          VARCHAR PRIMARY KEY,
    cik             BIGINT NOT NULL,
    title           VARCHAR,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR
);

-- staging.sec_submissions — grain: one row per company (cik): the header of SEC's submissions JSON
-- (data.sec.gov/submissions/CIK##########.json). fiscal_year_end is SEC's MMDD ("0630").
-- Write disposition: merge on cik.
CREATE TABLE IF NOT EXISTS staging.sec_submissions (
    cik             BIGINT PRIMARY KEY,
    entity_name     VARCHAR,
    tickers         VARCHAR,
    exchanges       VARCHAR,
    fiscal_year_end VARCHAR,
    sic             VARCHAR,
    sic_description VARCHAR,
    category        VARCHAR,
    entity_type     VARCHAR,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR
);

-- staging.watchlist_check — grain: one row per watched ticker: its pinned CIK against SEC's ticker
-- file. status: ok | mismatch (pinned CIK kept; fix the watchlist line) | resolved (from the ticker
-- file) | unresolved (no pinned CIK and not in the ticker file) | not_listed (pinned, ticker not
-- in the file) | not_checked (no ticker file loaded yet). Sources: staging.watchlist, staging.sec_tickers.
CREATE OR REPLACE VIEW staging.watchlist_check AS
WITH ticker_file AS (SELECT count(*) AS n FROM staging.sec_tickers)
SELECT w.ticker, w.configured_cik, w.ticker_file_cik, w.cik, w.cik_source, w.baskets,
       CASE WHEN w.configured_cik IS NULL AND w.cik IS NULL THEN 'unresolved'
            WHEN w.configured_cik IS NULL THEN 'resolved'
            WHEN (SELECT n FROM ticker_file) = 0 THEN 'not_checked'
            WHEN w.ticker_file_cik IS NULL THEN 'not_listed'
            WHEN w.ticker_file_cik <> w.configured_cik THEN 'mismatch'
            ELSE 'ok' END AS status
FROM staging.watchlist w
ORDER BY w.position;
