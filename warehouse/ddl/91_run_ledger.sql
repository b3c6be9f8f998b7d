-- audit.runs ledger columns — grain unchanged (one row per refresh run). A run writes its row as
-- 'running' in a short transaction of its own when it starts (with the process id and host), and
-- its load replaces it; a run that dies first stays 'running' until the next run, holding the
-- writer lock, marks it 'abandoned'. `message` says why a run failed or was abandoned.
-- status: running | success | no_change | partial | failed | abandoned.
ALTER TABLE audit.runs ADD COLUMN IF NOT EXISTS pid INTEGER;
ALTER TABLE audit.runs ADD COLUMN IF NOT EXISTS host VARCHAR;
ALTER TABLE audit.runs ADD COLUMN IF NOT EXISTS message VARCHAR;
