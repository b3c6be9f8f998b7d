-- staging.page_checks — grain: one check of one registry figure against one snapshot of its page
-- (figure_id, url, snapshot_sha256). Append-only: the history of what each page said is kept.
-- Source: the news pages cited in the registry, fetched and snapshotted by aipipe.sources.news.
CREATE TABLE IF NOT EXISTS staging.page_checks (
    figure_id         VARCHAR NOT NULL,
    url               VARCHAR NOT NULL,
    status            VARCHAR NOT NULL,   -- confirmed | changed | not_found
    expected_value    DOUBLE,
    found_value       DOUBLE,
    found_high        DOUBLE,
    found_currency    VARCHAR,
    found_text        VARCHAR,            -- plain text, as scraped; escaped by every report
    context           VARCHAR,
    message           VARCHAR,
    page_title        VARCHAR,
    page_published    VARCHAR,
    extraction_method VARCHAR,
    checked_at        TIMESTAMPTZ,
    snapshot_sha256   VARCHAR,
    run_id            VARCHAR
);
