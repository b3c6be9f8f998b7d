-- staging.sec_frames — grain: one row per filer's fact in one SEC frame (taxonomy, concept, unit,
-- frame, cik): every company's value for one calendar period in one response
-- (data.sec.gov/api/xbrl/frames/{taxonomy}/{concept}/{unit}/CY{year}Q{q}.json). SEC picks, per
-- filer, the fact whose period best fits the calendar quarter (within 30 days), from the latest
-- filing. Write disposition: merge on the key (a later response replaces a filer's value).
CREATE TABLE IF NOT EXISTS staging.sec_frames (
    taxonomy        VARCHAR NOT NULL,
    concept         VARCHAR NOT NULL,
    unit            VARCHAR NOT NULL,
    frame           VARCHAR NOT NULL,   -- CY2025Q1 (a quarter), CY2024 (a year), CY2024Q4I (an instant)
    cik             BIGINT NOT NULL,
    entity_name     VARCHAR,
    location        VARCHAR,            -- SEC's 'loc': country-state of the filer's address
    period_start    DATE,
    period_end      DATE NOT NULL,
    value           DOUBLE NOT NULL,
    accession       VARCHAR NOT NULL,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR,
    PRIMARY KEY (taxonomy, concept, unit, frame, cik)
);

-- staging.sec_frame_quarters — grain: one row per (cik, metric, calendar quarter) from the frames,
-- the highest-priority pinned tag winning (staging.metric_tags). Quarter frames only.
CREATE OR REPLACE VIEW staging.sec_frame_quarters AS
SELECT f.cik, f.entity_name, m.metric, f.taxonomy, f.concept, f.unit,
       CAST(substr(f.frame, 3, 4) AS INTEGER) AS calendar_year,
       CAST(substr(f.frame, 8, 1) AS INTEGER) AS calendar_quarter,
       f.period_start, f.period_end, f.value, f.accession
FROM staging.sec_frames f
JOIN staging.metric_tags m USING (taxonomy, concept)
WHERE regexp_full_match(f.frame, 'CY\d{4}Q[1-4]')
QUALIFY row_number() OVER (PARTITION BY f.cik, m.metric, f.frame ORDER BY m.priority, f.unit <> 'USD') = 1;
