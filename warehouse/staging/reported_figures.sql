-- staging.reported_figures — grain: one row per registry figure × source page (figure_id, url).
-- Source: src/aipipe/config/reported_figures.toml (version-controlled registry; each figure cites
-- its publisher, URL and publication date). Write disposition: replace (the registry owns the
-- table: an edited or removed entry leaves no stale row). Whether the page still says so lives in staging.page_checks.
CREATE TABLE IF NOT EXISTS staging.reported_figures (
    figure_id       VARCHAR NOT NULL,
    entity          VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    metric_type     VARCHAR,
    value           DOUBLE,
    value_high      DOUBLE,
    unit            VARCHAR NOT NULL,
    currency        VARCHAR,
    qualifier       VARCHAR,
    location_from   VARCHAR,
    location_to     VARCHAR,
    as_of           VARCHAR,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    is_projection   BOOLEAN,
    estimator       VARCHAR,
    notes           VARCHAR,
    source_rank     INTEGER,
    publisher       VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,
    published       VARCHAR,
    published_date  DATE,
    phrase          VARCHAR,
    cites           VARCHAR,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR,
    PRIMARY KEY (figure_id, url)
);
-- Source tiers and citations (added after the first release: existing warehouses gain the columns).
-- tier: primary (a filing, the company's own statement) | press (a news organisation's own
-- reporting) | secondary (republication, aggregator, mirror, blog; names original_publisher).
-- via: the fetchable copy of a source whose own page cannot be fetched; ticker/accession: a
-- company's own statement of its results (an earnings release furnished to the SEC).
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS tier VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS original_publisher VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS original_url VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS via VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS quote VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS ticker VARCHAR;
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS accession VARCHAR;
-- change_yoy: the year-on-year change the source states with the figure (percent), when it does.
ALTER TABLE staging.reported_figures ADD COLUMN IF NOT EXISTS change_yoy DOUBLE;
