-- audit.runs — grain: one row per refresh run. status: success | no_change | partial | failed.
CREATE TABLE IF NOT EXISTS audit.runs (
    run_id        VARCHAR PRIMARY KEY,
    flow          VARCHAR,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR,
    offline       BOOLEAN,
    sources_ok    INTEGER,
    sources_error INTEGER,
    rows_inserted BIGINT,
    rows_quarantined BIGINT,
    summary       VARCHAR   -- JSON: per-source outcome
);

-- audit.source_loads — grain: one row per run × source: what was fetched, parsed and loaded.
CREATE TABLE IF NOT EXISTS audit.source_loads (
    run_id            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    family            VARCHAR,
    table_name        VARCHAR,
    origin            VARCHAR,   -- live | not_modified | local | seed | none
    snapshot_sha256   VARCHAR,
    snapshot_path     VARCHAR,
    snapshot_retrieved_at TIMESTAMPTZ,
    status            VARCHAR,   -- loaded | no_change | fallback | error
    rows_in           BIGINT,
    rows_valid        BIGINT,
    rows_quarantined  BIGINT,
    rows_inserted     BIGINT,
    duration_s        DOUBLE,
    message           VARCHAR,
    PRIMARY KEY (run_id, source)
);
ALTER TABLE audit.source_loads ADD COLUMN IF NOT EXISTS url VARCHAR;

-- audit.quarantine — grain: one row per rejected staging row: the row as parsed, and why.
CREATE TABLE IF NOT EXISTS audit.quarantine (
    run_id            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    table_name        VARCHAR NOT NULL,
    row_key           VARCHAR,
    reasons           VARCHAR,
    row_json          VARCHAR,
    snapshot_sha256   VARCHAR
);

-- audit.validation_failures — grain: one row per failed check on one value (pandera failure case).
CREATE TABLE IF NOT EXISTS audit.validation_failures (
    run_id            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    table_name        VARCHAR NOT NULL,
    column_name       VARCHAR,
    check_name        VARCHAR,
    failure_case      VARCHAR,
    row_key           VARCHAR,
    snapshot_sha256   VARCHAR
);
