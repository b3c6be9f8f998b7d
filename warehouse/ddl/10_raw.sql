-- raw.snapshots — grain: one row per stored snapshot (sha256) per source and parser version
-- that a run loaded. The bytes themselves live unchanged under data/raw/ (see aipipe.snapshots).
CREATE TABLE IF NOT EXISTS raw.snapshots (
    sha256            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    url               VARCHAR,
    origin            VARCHAR,          -- live | local | seed
    retrieved_at      TIMESTAMPTZ,
    http_status       INTEGER,
    etag              VARCHAR,
    last_modified     VARCHAR,
    size_bytes        BIGINT,
    licence           VARCHAR,
    parser_version    VARCHAR NOT NULL,
    loaded_run_id     VARCHAR NOT NULL,
    PRIMARY KEY (sha256, source, parser_version)
);
