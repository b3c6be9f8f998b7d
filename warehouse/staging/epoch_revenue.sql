-- staging.epoch_revenue — grain: one revenue report of one company (company, report_id) in Epoch
-- AI's 'Data on AI Companies' (CC BY 4.0): the period it describes, the annualised revenue in USD
-- when Epoch normalises it, the kind of figure, Epoch's confidence and up to three source links.
-- Source: sources.epoch (epoch.ai/data/ai_companies_revenue_reports.csv, or the seed's copy).
-- Write disposition: merge on (company, report_id).
CREATE TABLE IF NOT EXISTS staging.epoch_revenue (
    report_id              VARCHAR NOT NULL,
    company                VARCHAR NOT NULL,
    report_period_date     DATE NOT NULL,
    annualized_revenue_usd DOUBLE,
    revenue_type           VARCHAR,
    revenue_info           VARCHAR,
    confidence             VARCHAR,
    source_1               VARCHAR,
    source_2               VARCHAR,
    source_3               VARCHAR,
    notes                  VARCHAR,
    report_date            DATE,
    source_type            VARCHAR,
    snapshot_sha256        VARCHAR,
    run_id                 VARCHAR,
    PRIMARY KEY (company, report_id)
);
