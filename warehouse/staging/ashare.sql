-- staging.ashare_basket — grain: one row per member (code) of the A-share AI-application basket,
-- the article's section 03 China side. Source: src/aipipe/config/ashare_basket.toml (its
-- definition and the note the article cites are there). Write disposition: replace on every load.
CREATE TABLE IF NOT EXISTS staging.ashare_basket (
    code     VARCHAR PRIMARY KEY,
    name     VARCHAR NOT NULL,
    plate    VARCHAR NOT NULL,
    org_id   VARCHAR NOT NULL,
    position INTEGER NOT NULL
);

-- staging.cninfo_announcements — grain: one row per periodic report a member published
-- (announcement_id), as cninfo's disclosure listing (hisAnnouncement/query) names it: title,
-- category, time and the PDF. Source: sources.cninfo, one listing per member. Write disposition:
-- merge on announcement_id (a listing never removes a filing seen before).
CREATE TABLE IF NOT EXISTS staging.cninfo_announcements (
    announcement_id VARCHAR PRIMARY KEY,
    code            VARCHAR NOT NULL,
    company_name    VARCHAR,
    org_id          VARCHAR,
    title           VARCHAR NOT NULL,
    report_kind     VARCHAR NOT NULL,
    report_period   VARCHAR,
    published_at    TIMESTAMP NOT NULL,
    pdf_url         VARCHAR NOT NULL,
    detail_url      VARCHAR NOT NULL,
    snapshot_sha256 VARCHAR,
    run_id          VARCHAR
);
