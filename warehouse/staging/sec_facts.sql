-- staging.sec_facts — grain: one row per XBRL fact version:
-- (cik, taxonomy, concept, unit, period_start, period_end, accession). Append-only: a restated
-- value arrives with a new accession and both versions are kept. Source: SEC EDGAR companyfacts
-- (data.sec.gov/api/xbrl/companyfacts) or the transcribed seed; snapshot_sha256 names the file.
CREATE TABLE IF NOT EXISTS staging.sec_facts (
    cik             BIGINT NOT NULL,
    entity_name     VARCHAR,
    taxonomy        VARCHAR NOT NULL,
    concept         VARCHAR NOT NULL,
    unit            VARCHAR NOT NULL,
    period_start    DATE,            -- NULL for instants (balance-sheet values)
    period_end      DATE NOT NULL,
    value           DOUBLE NOT NULL,
    accession       VARCHAR NOT NULL,
    fiscal_year     INTEGER,         -- the filing's fy label: describes the filing, not the period
    fiscal_period   VARCHAR,         -- the filing's fp label: likewise
    form            VARCHAR,
    filed           DATE NOT NULL,
    frame           VARCHAR,
    source_file     VARCHAR,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR
);

-- staging.metric_tags — grain: one row per (metric, taxonomy, concept): the pinned XBRL tags
-- that carry each metric, in priority order (1 = preferred). Loaded from aipipe/config/metrics.toml.
CREATE TABLE IF NOT EXISTS staging.metric_tags (
    metric      VARCHAR NOT NULL,
    taxonomy    VARCHAR NOT NULL,
    concept     VARCHAR NOT NULL,
    priority    INTEGER NOT NULL,
    per_share   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (metric, taxonomy, concept)
);

-- staging.companies — grain: one row per company on the watchlist (cik), with its ticker and
-- baskets. Loaded from aipipe/config/watchlist.toml; after each load rebuilt from staging.watchlist
-- with CIKs resolved through SEC's ticker file (aipipe.watchlist.write_watchlist_tables).
CREATE TABLE IF NOT EXISTS staging.companies (
    cik          BIGINT PRIMARY KEY,
    ticker       VARCHAR NOT NULL,
    company_name VARCHAR,
    baskets      VARCHAR[]
);

-- staging.watchlist — grain: one row per watched ticker, as configured in watchlist.toml (including
-- tickers whose CIK is not pinned). configured_cik NULL = resolve from SEC's ticker file
-- (staging.sec_tickers); cik is the CIK in use and cik_source says where it came from
-- (config | ticker_file | NULL when unresolved). Rewritten by every load.
CREATE TABLE IF NOT EXISTS staging.watchlist (
    ticker          VARCHAR PRIMARY KEY,
    configured_cik  BIGINT,
    baskets         VARCHAR[],
    position        INTEGER,
    ticker_file_cik BIGINT,
    cik             BIGINT,
    cik_source      VARCHAR
);
