-- Layers of the warehouse: raw (snapshot metadata), staging (typed, validated rows),
-- marts (views that regenerate the article's tables), audit (runs, loads, validation).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS audit;
