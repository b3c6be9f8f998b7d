-- marts.claim_check — grain: one row per figure the article states (claim_id). Sources:
-- staging.article_claims (the article's figures) and marts.sourced_figures (registry reports,
-- SEC filings, values computed from them). For each claim: the best sourced figure for the same
-- entity and metric, the relative difference, and a status:
--   confirmed      a sourced figure for the claimed period matches the value, supported at tier
--                  primary or press;
--   weakly_sourced it matches, but only secondary sources (republications, aggregators, blogs)
--                  support it: never called confirmed;
--   date_differs   the value matches a sourced figure, but for another period (mis-dated);
--   value_differs  a sourced figure for the claimed period says something else;
--   unsourced      nothing sourced for that entity, metric and period (article-only figure).
-- Matching: ARR and annualised run-rate are one family; values match within 2 % (10 % when the
-- article or the source says about/nearly; 'over'/'under' are one-sided); periods match when
-- they overlap, widened by 45 days for point-in-time figures; an undated claim matches any date.
-- Money in different currencies is compared in USD at the ECB rate (fx_stock_rate) on the
-- article's date; with no rate the claim stays unsourced and says why. A growth claim matches
-- growth of the same thing (growth_of: revenue, net profit, run-rate) when both say what grew.
-- source_tier: the best tier among the figures that support the claim (confirming ones when
-- any, else the figure shown). note: the reviewed note of staging.claim_notes (why no source is
-- reachable), else what the check found.
CREATE OR REPLACE VIEW marts.claim_check AS
WITH claims AS (
    SELECT c.*,
           CASE WHEN c.metric IN ('arr', 'annualized_revenue') THEN 'run_rate' ELSE c.metric END AS family,
           coalesce(c.period_start, c.article_date) AS claim_start,
           coalesce(c.period_end, c.article_date) AS claim_end,
           c.period_start IS NULL AND c.period_end IS NULL AS undated
    FROM staging.article_claims c
),
evidence AS (
    SELECT s.*, CASE WHEN s.metric IN ('arr', 'annualized_revenue') THEN 'run_rate' ELSE s.metric END AS family
    FROM marts.sourced_figures s
),
pairs AS (
    SELECT c.claim_id, e.evidence_id, e.value AS ev_value, e.value_high AS ev_high, e.currency AS ev_currency,
           e.as_of AS ev_as_of, e.period_start AS ev_start, e.period_end AS ev_end, e.source_label, e.url AS ev_url,
           e.source_kind, e.check_status AS ev_check_status, e.location_to AS ev_location_to,
           e.is_projection AS ev_projection, e.tier AS ev_tier, staging.tier_rank(e.tier) AS ev_tier_rank,
           -- Claim value expressed in the evidence's currency (identity when they agree).
           CASE WHEN c.unit <> 'currency' OR c.currency = e.currency THEN c.value
                ELSE c.value * (SELECT rate FROM fx_stock_rate(e.currency, c.currency, c.article_date)) END AS claim_value,
           CASE WHEN c.unit <> 'currency' OR c.currency = e.currency THEN c.value_high
                ELSE c.value_high * (SELECT rate FROM fx_stock_rate(e.currency, c.currency, c.article_date)) END AS claim_high,
           c.unit, c.qualifier AS claim_qualifier, e.qualifier AS ev_qualifier, c.undated,
           (c.undated
            -- Periods overlap for at least half of the shorter one (a fiscal year ending a week
            -- into the next calendar year is not "the same year")...
            OR date_diff('day', greatest(c.claim_start, e.period_start), least(c.claim_end, e.period_end)) + 1
               >= 0.5 * least(date_diff('day', c.claim_start, c.claim_end) + 1,
                              date_diff('day', e.period_start, e.period_end) + 1)
            -- ...or, for point-in-time figures (a month or less), lie within 45 days of each other.
            OR (least(date_diff('day', c.claim_start, c.claim_end), date_diff('day', e.period_start, e.period_end)) <= 31
                AND c.claim_start <= e.period_end + INTERVAL 45 DAY
                AND e.period_start <= c.claim_end + INTERVAL 45 DAY)) AS period_match,
           c.location_to AS claim_location_to, c.claim_end,
           CASE WHEN c.qualifier IN ('about', 'nearly') OR e.qualifier IN ('about', 'nearly') THEN 0.10 ELSE 0.02 END AS tol
    FROM claims c
    JOIN evidence e ON lower(e.entity) = lower(c.entity) AND e.family = c.family
                   AND (e.unit = c.unit OR (c.unit = 'location' AND e.unit = 'location'))
                   AND (c.growth_of IS NULL OR e.growth_of IS NULL OR c.growth_of = e.growth_of)
),
scored AS (
    SELECT *,
           CASE
             WHEN unit = 'location' THEN lower(coalesce(claim_location_to, '')) = lower(coalesce(ev_location_to, ''))
             WHEN claim_value IS NULL OR ev_value IS NULL THEN NULL
             WHEN claim_qualifier = 'over' THEN coalesce(ev_high, ev_value) >= claim_value * (1 - tol)
             WHEN claim_qualifier IN ('under', 'up_to') THEN ev_value <= claim_value * (1 + tol)
             WHEN claim_high IS NOT NULL THEN coalesce(ev_high, ev_value) >= claim_value * (1 - tol)
                                              AND ev_value <= claim_high * (1 + tol)
             WHEN ev_high IS NOT NULL THEN claim_value >= ev_value * (1 - tol) AND claim_value <= ev_high * (1 + tol)
             ELSE abs(claim_value - ev_value) <= tol * greatest(abs(ev_value), 1e-9)
           END AS value_match
    FROM pairs
),
best AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY claim_id
               -- Confirming evidence first; then a match for another period (shows what the
               -- article mis-dated); then the figure for the claimed period.
               ORDER BY (value_match AND period_match) DESC NULLS LAST,
                        value_match DESC NULLS LAST,
                        period_match DESC,
                        -- Among equally good matches, the best-sourced one.
                        ev_tier_rank NULLS LAST,
                        abs(date_diff('day', ev_end, claim_end)),
                        (source_kind = 'sec') DESC, evidence_id
           ) AS rank
    FROM scored
),
same_period AS (
    SELECT claim_id, ev_value AS same_period_value, ev_as_of AS same_period, source_label AS same_period_source
    FROM scored WHERE period_match AND NOT undated
    QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY (source_kind = 'sec') DESC, abs(date_diff('day', ev_end, claim_end)), evidence_id) = 1
),
verdict AS (
    SELECT claim_id,
           bool_or(value_match AND period_match) AS any_confirmed,
           min(ev_tier_rank) FILTER (WHERE value_match AND period_match) AS confirming_tier_rank,
           bool_or(value_match) AS any_value_match,
           bool_or(period_match) AS any_period_match,
           count(*) AS n_evidence,
           bool_or(unit = 'currency' AND claim_value IS NULL) AND NOT bool_or(claim_value IS NOT NULL) AS no_fx
    FROM scored GROUP BY claim_id
)
SELECT c.claim_id, c.section, c.entity, c.metric, c.value AS article_value, c.value_high AS article_value_high,
       c.unit, c.currency AS article_currency, c.qualifier AS article_qualifier, c.period_claimed,
       c.period_start AS claimed_start, c.period_end AS claimed_end, c.is_projection, c.context,
       CASE WHEN v.any_confirmed AND coalesce(v.confirming_tier_rank, 3) <= 2 THEN 'confirmed'
            WHEN v.any_confirmed THEN 'weakly_sourced'
            WHEN v.any_value_match THEN 'date_differs'
            WHEN v.any_period_match AND NOT v.no_fx THEN 'value_differs'
            ELSE 'unsourced' END AS status,
       b.ev_value AS sourced_value, b.ev_high AS sourced_value_high, b.ev_currency AS sourced_currency,
       b.ev_as_of AS sourced_period, b.ev_start AS sourced_start, b.ev_end AS sourced_end,
       b.source_label AS sourced_from, b.ev_url AS source_url, b.source_kind, b.ev_check_status AS page_status,
       b.ev_tier AS source_tier,
       b.claim_value AS article_value_in_sourced_currency,
       CASE WHEN b.ev_value IS NOT NULL AND b.claim_value IS NOT NULL AND b.ev_value <> 0
            THEN (b.claim_value - b.ev_value) / abs(b.ev_value) END AS relative_difference,
       sp.same_period_value, sp.same_period, sp.same_period_source,
       coalesce(v.n_evidence, 0) AS n_sourced_figures,
       CASE WHEN n.note IS NOT NULL THEN n.note
            WHEN v.n_evidence IS NULL THEN 'no sourced figure for this entity and metric: article-only'
            WHEN v.any_confirmed AND coalesce(v.confirming_tier_rank, 3) > 2
                THEN 'only secondary sources (republications, aggregators) support it; the original was not found'
            WHEN v.no_fx THEN 'no ECB rate to compare currencies (offline, no stored FX snapshot)'
            WHEN NOT v.any_period_match AND NOT v.any_value_match THEN 'sourced figures exist for other periods only'
            END AS note
FROM claims c
LEFT JOIN verdict v USING (claim_id)
LEFT JOIN best b ON b.claim_id = c.claim_id AND b.rank = 1
LEFT JOIN same_period sp ON sp.claim_id = c.claim_id
LEFT JOIN staging.claim_notes n ON n.claim_id = c.claim_id
ORDER BY c.section, c.claim_id;
