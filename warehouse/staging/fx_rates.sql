-- staging.fx_rates — grain: one row per (rate_date, base, quote); rate = units of quote per 1 base.
-- Source: ECB euro foreign exchange reference rates (eurofxref-hist.zip / eurofxref-daily.xml),
-- parsed by aipipe.sources.fx; base is always EUR. A currency the ECB did not quote that day has
-- no row (never NULL or 0). Write disposition: merge on the key. snapshot_sha256 names the file.
CREATE TABLE IF NOT EXISTS staging.fx_rates (
    rate_date       DATE NOT NULL,
    base            VARCHAR NOT NULL CHECK (regexp_full_match(base, '[A-Z]{3}')),
    quote           VARCHAR NOT NULL CHECK (regexp_full_match(quote, '[A-Z]{3}')),
    rate            DOUBLE NOT NULL CHECK (rate > 0 AND isfinite(rate)),
    source          VARCHAR NOT NULL,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR,
    PRIMARY KEY (rate_date, base, quote)
);
