-- staging.article_claims — grain: one row per figure the article states (claim_id), per article
-- snapshot. Source: the article itself (a local file or URL, config `AIPIPE_ARTICLE`), parsed by
-- aipipe.sources.article: every figure with its entity, metric, value, unit, currency, the
-- period it claims and the sentence or table cell it came from. Disposition: replace (the
-- latest snapshot of the article owns the table).
CREATE TABLE IF NOT EXISTS staging.article_claims (
    claim_id        VARCHAR NOT NULL,
    section         VARCHAR,
    entity          VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    value           DOUBLE,
    value_high      DOUBLE,
    unit            VARCHAR,
    currency        VARCHAR,
    qualifier       VARCHAR,
    period_claimed  VARCHAR,
    period_start    DATE,
    period_end      DATE,
    is_projection   BOOLEAN,
    location_from   VARCHAR,
    location_to     VARCHAR,
    currency_inferred BOOLEAN,        -- the article left the currency implicit (e.g. "$72亿")
    growth_of       VARCHAR,          -- for growth rates: the claim whose value grew
    attributed_to   VARCHAR,          -- who the article cites (中金公司, 华龙证券, 《纽约时报》 ...)
    raw             VARCHAR,          -- the figure exactly as written
    context         VARCHAR,          -- the article's sentence or table cell, as plain text
    source_url      VARCHAR,
    article_date    DATE,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR,
    PRIMARY KEY (claim_id)
);

-- staging.claim_notes — grain: one row per claim (claim_id) with a reviewed note on its sourcing:
-- why no source is reachable (a person's age, an unattributed estimate, nothing found). Source:
-- src/aipipe/config/claim_notes.toml. Write disposition: replace on every load (config table).
CREATE TABLE IF NOT EXISTS staging.claim_notes (
    claim_id VARCHAR PRIMARY KEY,
    note     VARCHAR NOT NULL
);
