-- audit.validation_history — grain: one row per failed check (audit.validation_failures row), with
-- its run's start, status and mode, and the snapshot it came from (raw.snapshots): the validation
-- history in one query, e.g. which checks fail most, since when, for which source.
-- Sources: audit.validation_failures, audit.runs, raw.snapshots.
CREATE OR REPLACE VIEW audit.validation_history AS
SELECT r.started_at AS run_started_at, f.run_id, r.status AS run_status, r.offline,
       f.source, f.table_name, f.column_name, f.check_name, f.failure_case, f.row_key,
       f.snapshot_sha256, s.url AS snapshot_url, s.origin AS snapshot_origin, s.retrieved_at AS snapshot_retrieved_at
FROM audit.validation_failures f
LEFT JOIN audit.runs r USING (run_id)
LEFT JOIN raw.snapshots s ON s.sha256 = f.snapshot_sha256 AND s.source = f.source;
